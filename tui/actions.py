"""The Textual side of the action table in `fetchers.keymap`: the bindings of every screen and
pane, the command palette's entries and `?`, all built from its rows, so a new action is one
row there.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from textual.app import App
from textual.binding import ActiveBinding, Binding, BindingsMap, BindingType
from textual.dom import DOMNode
from textual.screen import Screen

from fetchers.keymap import BINDINGS as KEY_BINDINGS
from fetchers.keymap import BY_ID, PLACES, KeyBinding, keys_in_force, keys_in_place

KeyDisplay = Callable[[Binding], str]  # App.get_key_display: "?" for question_mark


Action = KeyBinding  # a row of the action table
ACTIONS: dict[str, Action] = BY_ID


def bindings(place: str, on_app: bool = False) -> list[BindingType]:
    """The Textual bindings of one place of `fetchers.keymap.PLACES`, with their ids (so a
    [keys] remapping reaches them through `App.set_keymap`). `on_app`: only the actions the
    app runs ("app.quit"), kept out of the footer, for the app to hold as well so that they
    work before the dashboard is shown."""
    out: list[BindingType] = []
    # the place's own first, then those it holds as well (`KeyBinding.also`): Textual runs
    # the first binding of a key, so a key both have does what the place binds it to
    own = [b for b in KEY_BINDINGS if b.where == place]
    for key_binding in [*own, *(b for b in KEY_BINDINGS if place in b.also)]:
        action = ACTIONS[key_binding.id]
        if on_app and not action.action.startswith("app."):
            continue
        out.append(
            Binding(
                key_binding.keys,
                action.action,
                action.label,
                show=action.show and not on_app,
                id=action.id,
                tooltip=action.help,
            )
        )
    return out


# a binding's key in a hint on screen when [keys] unbound it (its action run from the palette)
NO_KEY = "(no key)"


def first_key(binding_id: str, remap: dict[str, str], display: KeyDisplay) -> str:
    """The first key of `binding_id` after the user's [keys] remapping, as it is shown;
    `NO_KEY` when [keys] unbound it."""
    keys = keys_in_force(remap)[binding_id]
    if not keys:
        return NO_KEY
    return display(Binding(keys[0], ACTIONS[binding_id].action))


def key_shown(app: App[object], binding_id: str) -> str:
    """The first key of `binding_id` in force in this app (its config's [keys] remapping),
    as hints on screen name it: a hint written with the default went stale once remapped."""
    config = getattr(app, "config", None)
    remap = config.keys if config is not None else {}
    return first_key(binding_id, remap, app.get_key_display)


PALETTE_KEY = "ctrl+p"  # (Textual's own: no [keys] binding moves it)


def key_hint(key: str, does: str) -> str:
    """A hint "KEY does" for a footer, or "" for a binding [keys] unbound (`NO_KEY`): its
    way in is the palette, which the footer names already."""
    return "" if key == NO_KEY else f"{key} {does}"


def hints(*parts: str) -> str:
    """A footer's hints joined with " · ", those of unbound bindings ("") left out."""
    return " · ".join(part for part in parts if part)


def press(key: str, starts: bool = False) -> str:
    """How a sentence says to use a binding: "press KEY", or for one [keys] unbound (no key
    to name: "press (no key)" read as nonsense) its way in, the palette; `starts`: as the
    sentence's first words (not `str.capitalize`, which lowers a key "A")."""
    said = f"use the palette ({PALETTE_KEY})" if key == NO_KEY else f"press {key}"
    return said[0].upper() + said[1:] if starts else said


def palette_actions(remap: dict[str, str], display: KeyDisplay) -> Iterator[tuple[Action, str]]:
    """The actions the command palette offers by name, each with its first key in force
    ("" for one [keys] unbound: the palette is then its way in)."""
    in_force = keys_in_force(remap)
    for action in ACTIONS.values():
        if action.palette:
            yield action, first_key(action.id, remap, display) if in_force[action.id] else ""


Row = tuple[str, str, str]  # keys as shown, what they do, binding id ("" for Textual's own)


def help_sections(
    remap: dict[str, str], filters: dict[str, str], display: KeyDisplay
) -> list[tuple[str, list[Row]]]:
    """`?`: every binding by the place it works, with all its keys in force and its id; the
    saved filters that exist, by their query."""
    in_force = keys_in_force(remap)
    sections: list[tuple[str, list[Row]]] = []
    places = dict.fromkeys([*PLACES, *(b.where for b in KEY_BINDINGS)])  # a new pane's too
    for place in places:
        title = PLACES.get(place, place.replace("_", " ").capitalize())
        rows: list[Row] = []
        for key_binding in KEY_BINDINGS:
            if place not in key_binding.places:
                continue
            does = key_binding.does
            if key_binding.id.startswith("filter.saved"):
                saved = filters.get(key_binding.id.removeprefix("filter.saved"))
                if saved is None:
                    continue
                does = f"Saved filter: {saved}"
            action = ACTIONS[key_binding.id].action
            # (in a place it holds as well, less a key the place's own binding runs there)
            here = keys_in_place(in_force, key_binding, place)
            if not here:
                continue
            keys = " ".join(display(Binding(key, action)) for key in here)
            rows.append((keys, does, key_binding.id))
        if place == "dashboard":
            rows += [
                ("tab shift+tab", "Move between the headlines, the countdown and the article", ""),
                ("ctrl+p", "Command palette", ""),
            ]
        sections.append((title, rows))
    return sections


# each binding id's place in the action table, and its default keys
_TABLE_PLACE = {row.id: n for n, row in enumerate(KEY_BINDINGS)}
_DEFAULT_KEYS = {row.id: {key.strip() for key in row.keys.split(",")} for row in KEY_BINDINGS}


def in_table_order(active: dict[str, ActiveBinding]) -> dict[str, ActiveBinding]:
    """The active bindings with each one [keys] remapped back where the action table puts it
    among its pane's: Textual's keymap moves a remapped binding after every other, so the
    footer showed it last, and at 80 columns not at all."""
    items = list(active.items())
    moved = [
        item
        for item in items
        if (ident := item[1].binding.id) in _TABLE_PLACE
        and item[1].binding.key not in _DEFAULT_KEYS[ident]
    ]
    if not moved:
        return active
    moved_keys = {key for key, _ in moved}
    kept = [item for item in items if item[0] not in moved_keys]
    for item in sorted(moved, key=lambda it: _TABLE_PLACE[it[1].binding.id or ""]):
        place, node = _TABLE_PLACE[item[1].binding.id or ""], item[1].node
        ours = [n for n, (_, other) in enumerate(kept) if other.node is node]
        after = next(
            (n for n in ours if _TABLE_PLACE.get(kept[n][1].binding.id or "", -1) > place),
            None,
        )
        kept.insert(after if after is not None else (ours[-1] + 1 if ours else len(kept)), item)
    return dict(kept)


def shown_beneath(
    screen: Screen[object], active: dict[str, ActiveBinding]
) -> dict[str, ActiveBinding]:
    """The active bindings with a key a focused pane binds hidden (a scroll pane's own
    ctrl+pagedown, left, right, ctrl+pageup) given to the shown binding of that key beneath
    it, as the key's action: the pane's scroll steps aside when it cannot scroll, and the
    screen's binding ([keys] gave the star ctrl+pagedown) runs, but the footer left it out."""
    hidden = {
        key
        for key, found in active.items()
        if not found.binding.show and not found.binding.priority
    }
    if not hidden:
        return active
    out = dict(active)
    app = screen.app
    for namespace, bindings_map in screen._modal_binding_chain:
        for key, binding in bindings_map:
            if key not in hidden or not binding.show or out[key].node is namespace:
                continue
            state = app._check_action_state(binding.action, namespace)
            if state is False:
                continue
            out[key] = ActiveBinding(namespace, binding, bool(state), binding.tooltip)
            hidden.discard(key)
    return out


def unbound_ids(app: App[object]) -> frozenset[str]:
    """The binding ids [keys] gave no key (`"app.quit" = ""`)."""
    config = getattr(app, "config", None)
    remap: dict[str, str] = config.keys if config is not None else {}
    return frozenset(ident for ident, keys in remap.items() if not keys.strip())  # (each key)


def textual_keymap(remap: dict[str, str]) -> dict[str, str]:
    """The [keys] remapping as `App.set_keymap` takes it: Textual keeps a binding's default
    keys for an id given "" (`TableOrderedKeys` takes the unbound ones out)."""
    return {ident: keys for ident, keys in remap.items() if keys.strip()}


class TableOrderedKeys:
    """(A screen's mixin, before the Screen.) Its footer lists its keys in the action
    table's order, remapped or not (`in_table_order`), a shown binding of its own kept
    there over a pane's hidden one of the same key (`shown_beneath`); a binding [keys]
    unbound is in none of its panes' bindings, so its key does nothing (or what a widget
    does with it) and the footer leaves it out."""

    @property
    def _binding_chain(self) -> list[tuple[DOMNode, BindingsMap]]:
        chain: list[tuple[DOMNode, BindingsMap]] = super()._binding_chain  # type: ignore[misc]
        unbound = unbound_ids(self.app)  # type: ignore[attr-defined]
        if not unbound:
            return chain
        for _node, bindings_map in chain:  # (copies, made for each call)
            for key, found in list(bindings_map.key_to_bindings.items()):
                kept = [binding for binding in found if binding.id not in unbound]
                if kept:
                    bindings_map.key_to_bindings[key] = kept
                else:
                    del bindings_map.key_to_bindings[key]
        return chain

    @property
    def active_bindings(self) -> dict[str, ActiveBinding]:
        active = super().active_bindings  # type: ignore[misc]
        return in_table_order(shown_beneath(self, active))  # type: ignore[arg-type]
