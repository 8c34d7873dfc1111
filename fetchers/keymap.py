"""Every key binding of the dashboard by id, and the check of a [keys] remapping against them.

The dashboard declares its bindings in Textual; this table says the same (a test keeps the two
equal) so that a config is checked when it is loaded, by every command: an id nobody has, a
key name that is no key, and one key given two jobs are errors that name the key.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass


class KeymapError(ValueError):
    """A [keys] entry that cannot be used; the message starts with the binding id."""


@dataclass(frozen=True, slots=True)
class KeyBinding:
    id: str
    keys: str  # the default, comma-separated, as Textual spells them
    does: str
    where: str  # a key of PLACES


PLACES = {
    "dashboard": "Dashboard",
    "headlines": "Headlines pane",
    "countdown": "Countdown pane (tab to it)",
    "events": "Events list (e)",
    "event_form": "Event form",
    "picker": "Source, tag and health pickers",
    "help": "This help",
}
# Places active at the same time: a key there must not do two things. The focused pane's
# bindings come before the dashboard's (enter opens an article, or picks an event).
TOGETHER = [{"dashboard", "headlines"}, {"dashboard", "countdown"}]

BINDINGS = [
    KeyBinding("app.quit", "q", "Quit", "dashboard"),
    KeyBinding("app.help", "question_mark", "Keys in force: this help", "dashboard"),
    KeyBinding("filter.prompt", "slash", "Filter prompt", "dashboard"),
    KeyBinding("filter.clear", "0", "Clear the filter", "dashboard"),
    *[
        KeyBinding(f"filter.saved{n}", str(n), f"Saved filter {n}", "dashboard")
        for n in range(1, 10)
    ],
    KeyBinding("filter.unread", "u", "Unread only, on or off", "dashboard"),
    KeyBinding("filter.source", "s", "Pick a source", "dashboard"),
    KeyBinding("filter.tag", "t", "Pick a tag", "dashboard"),
    KeyBinding("app.health", "H", "Source health", "dashboard"),
    KeyBinding("article.open", "enter", "Open the article", "dashboard"),
    KeyBinding("article.close", "escape", "Back (close the article or the filter)", "dashboard"),
    KeyBinding("article.star", "asterisk", "Star or unstar", "dashboard"),
    KeyBinding("article.read", "m", "Mark read or unread", "dashboard"),
    KeyBinding("article.full_text", "f", "Fetch the full text", "dashboard"),
    KeyBinding("article.open_link", "o", "Open the link (or copy it)", "dashboard"),
    KeyBinding("poll.refresh", "r", "Refresh every source now", "dashboard"),
    KeyBinding("app.events", "e", "Events: filter, add, edit, remove", "dashboard"),
    KeyBinding("event.suggest", "c", "Add the article's suggested countdown", "dashboard"),
    KeyBinding("app.screenshot", "f8", "Save a screenshot", "dashboard"),
    KeyBinding("headlines.down", "j,down", "Next headline", "headlines"),
    KeyBinding("headlines.up", "k,up", "Previous headline", "headlines"),
    KeyBinding("headlines.page_down", "pagedown,ctrl+f", "Page down", "headlines"),
    KeyBinding("headlines.page_up", "pageup,ctrl+b", "Page up", "headlines"),
    KeyBinding("headlines.first", "home,g", "Newest", "headlines"),
    KeyBinding("headlines.last", "end,G", "Oldest", "headlines"),
    KeyBinding("events.next", "down,j", "Next event", "countdown"),
    KeyBinding("events.previous", "up,k", "Previous event", "countdown"),
    KeyBinding("events.choose", "enter", "Filter the headlines to the event", "countdown"),
    KeyBinding("events.down", "j", "Next event", "events"),
    KeyBinding("events.up", "k", "Previous event", "events"),
    KeyBinding("events.add", "a", "Add an event", "events"),
    KeyBinding("events.edit", "e", "Edit the event (added in the app)", "events"),
    KeyBinding("events.remove", "d,delete", "Remove the event (added in the app)", "events"),
    KeyBinding("events.close", "escape,q", "Close", "events"),
    KeyBinding("event_form.cancel", "escape", "Cancel", "event_form"),
    KeyBinding("picker.down", "j", "Next row", "picker"),
    KeyBinding("picker.up", "k", "Previous row", "picker"),
    KeyBinding("picker.close", "escape,q", "Close", "picker"),
    KeyBinding("help.close", "escape,q,question_mark", "Close", "help"),
]
BY_ID = {b.id: b for b in BINDINGS}

# Keys Textual keeps for itself everywhere, and keys the widgets of a place take first.
BUILT_IN = {
    "tab": "moves the focus",
    "shift+tab": "moves the focus back",
    "ctrl+p": "opens the command palette",
    "ctrl+q": "quits",
    "ctrl+c": "copies the selected text",
}
LIST_KEYS = {"up", "down", "enter", "home", "end", "pageup", "pagedown"}
TAKEN = {"events": LIST_KEYS, "picker": LIST_KEYS}

NAMED = {
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end",
    "pageup", "pagedown", "up", "down", "left", "right",
    *(f"f{n}" for n in range(1, 25)),
}  # fmt: skip
MODIFIERS = {"ctrl", "shift", "alt", "meta", "super", "hyper"}
REPLACEMENTS = {  # Textual's names for some characters
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}


def key_name(key: str) -> str:
    """Textual's name for one key: "?" is "question_mark", "ctrl+x" stays; KeymapError for
    what is no key."""
    key = key.strip()
    if len(key) == 1:
        if key.isalnum():
            return key
        name = unicodedata.name(key, "").lower().replace("-", "_").replace(" ", "_")
        if not name:
            raise KeymapError(f"{key!r} is not a key")
        return REPLACEMENTS.get(name, name)
    *mods, base = key.split("+")
    if any(m not in MODIFIERS for m in mods) or not base:
        raise KeymapError(f"{key!r} is not a key (modifiers are {', '.join(sorted(MODIFIERS))})")
    if len(base) == 1:
        return "+".join([*mods, base if base.isalnum() else key_name(base)])
    if base in NAMED or base in REPLACEMENTS.values() or _is_character_name(base):
        return key
    raise KeymapError(f"{key!r} is not a key name (such as q, ?, ctrl+x, f8, pagedown, escape)")


def _is_character_name(name: str) -> bool:
    """ "question_mark", "asterisk", "full_stop": a character's Unicode name, as Textual has it."""
    if not re.fullmatch(r"[a-z][a-z_]*", name):
        return False
    try:
        character = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return 32 < ord(character) < 127 and not character.isalnum()  # ASCII punctuation


def shown(name: str) -> str:
    """A key as people write it: "question_mark" is "?"."""
    *mods, base = name.split("+") if len(name) > 1 else [name]
    original = {v: k for k, v in REPLACEMENTS.items()}.get(base, base)
    if len(base) > 1 and _is_character_name(original):
        base = unicodedata.lookup(original.replace("_", " "))
    return "+".join([*mods, base])


def key_list(keys: str) -> list[str]:
    """The keys of a "j,down" string, by Textual's names; KeymapError when empty or not keys."""
    names = [key_name(k) for k in keys.split(",") if k.strip()]
    if not names:
        raise KeymapError('give at least one key, such as "x" or "ctrl+x"')
    return names


def keys_in_force(remap: dict[str, str]) -> dict[str, list[str]]:
    """Every binding id with its keys after the remapping (assumed checked)."""
    return {b.id: key_list(remap.get(b.id, b.keys)) for b in BINDINGS}


def check_keymap(remap: dict[str, str]) -> None:
    """Raise KeymapError, naming the id, for an unknown id, a key that is no key, or a key that
    would do two things in one place. The defaults' own layering stays: enter opens an
    article, or picks an event when the countdown pane has the focus."""
    for binding_id, keys in remap.items():
        if binding_id not in BY_ID:
            close = difflib.get_close_matches(binding_id, BY_ID, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise KeymapError(
                f"{binding_id}: no binding has this id{hint}; ? in the dashboard lists them"
            )
        try:
            names = key_list(keys)
        except KeymapError as exc:
            raise KeymapError(f"{binding_id}: {exc}") from exc
        place = BY_ID[binding_id].where
        for name in names:
            if name in BUILT_IN:
                raise KeymapError(f'{binding_id}: "{shown(name)}" {BUILT_IN[name]} everywhere')
            if name in TAKEN.get(place, ()):
                raise KeymapError(
                    f'{binding_id}: "{shown(name)}" moves in or picks from the list there'
                )
            if place == "event_form" and len(name) == 1:
                raise KeymapError(f'{binding_id}: "{shown(name)}" is typed into the form\'s fields')
    force = keys_in_force(remap)
    for binding_id in remap:
        mine = BY_ID[binding_id]
        for other in BINDINGS:
            if other.id == binding_id or not _together(mine.where, other.where):
                continue
            for key in force[binding_id]:
                if key not in force[other.id]:
                    continue
                if (
                    mine.where != other.where
                    and key in key_list(mine.keys)
                    and key in (key_list(other.keys))
                ):
                    continue  # the defaults' layering
                also = "" if other.id in remap else f"; give {other.id} another key as well"
                raise KeymapError(
                    f'{binding_id}: "{shown(key)}" is also the key of {other.id} ({other.does}), '
                    f"and a key does one thing{also}"
                )


def _together(a: str, b: str) -> bool:
    return a == b or any({a, b} <= places for places in TOGETHER)
