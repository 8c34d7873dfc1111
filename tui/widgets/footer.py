"""The key footer, redrawn only when what it shows changes, showing whole keys only."""

from __future__ import annotations

from textual import events
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Footer

Shown = tuple[tuple[str, str, bool, str], ...]


class KeyFooter(Footer):
    """Textual's footer rebuilds its keys each time a screen says its bindings may have
    changed: at every focus change and every state a key's availability depends on. A
    rebuild mounts a widget per key and styles each, tens of milliseconds on the event
    loop; most of those calls change nothing on screen. This one rebuilds when the keys,
    their descriptions or whether each is enabled differ from what it shows.

    It overrides only the public `bindings_changed` and reads `Screen.active_bindings`: once
    it has shown a set of keys, Textual's own handler has run for them, so the footer's
    private readiness flag needs no setting here.

    Keys that do not fit the terminal's width are left out whole, from the first that does
    not fit on (`?` lists every key): Textual's footer cut the last one shown mid-word under
    the command palette's key ("f Fu▏^p palette" at 80 columns)."""

    def __init__(self) -> None:
        super().__init__()
        self._shown: Shown | None = None
        self.rebuilds = 0

    def _keys(self, screen: Screen[object]) -> Shown:
        return tuple(
            (binding.key, binding.description, enabled, tooltip)
            for _, binding, enabled, tooltip in screen.active_bindings.values()
            if binding.show
        )

    def bindings_changed(self, screen: Screen[object]) -> None:
        """Textual's footer keeps what it shows while the app has no focus (the keys of the
        widget focused before); with nothing shown yet it shows the keys in force, as a
        served dashboard starts without the focus until the browser gives it: its footer
        stayed blank until the first click or key."""
        blank = self._shown is None
        if (screen.app.app_focus or blank) and self.is_attached and screen is self.screen:
            keys = self._keys(screen)
            if keys == self._shown:  # shown already, so Textual's footer is ready for them
                return
            self._shown = keys
            self.rebuilds += 1
            if not screen.app.app_focus:  # (Textual's handler leaves it blank then)
                super().bindings_changed(screen)
                self.call_after_refresh(self.recompose)
                return
        super().bindings_changed(screen)

    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit_keys)

    def on_resize(self, event: events.Resize) -> None:
        for key in self._keys_in_order():  # each shown again, and measured once laid out
            key.display = True
        self.call_after_refresh(self._fit_keys)

    def _keys_in_order(self) -> list[Widget]:
        """The keys (and groups of keys) as shown left to right, the palette's key apart."""
        return [child for child in self.children if not child.has_class("-command-palette")]

    def _fit_keys(self) -> None:
        """Leave out the keys that end past the room left of the palette's key, and every
        key after the first such."""
        palette = [child for child in self.children if child.has_class("-command-palette")]
        room = palette[0].region.x if palette and palette[0].display else self.region.right
        past = False
        for key in self._keys_in_order():
            if not key.display:
                continue
            past = past or key.region.right > room
            if past:
                key.display = False
