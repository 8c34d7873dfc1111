"""The key footer, redrawn only when what it shows changes."""

from __future__ import annotations

from textual.screen import Screen
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
    private readiness flag needs no setting here."""

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
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            keys = self._keys(screen)
            if keys == self._shown:  # shown already, so Textual's footer is ready for them
                return
            self._shown = keys
            self.rebuilds += 1
        super().bindings_changed(screen)
