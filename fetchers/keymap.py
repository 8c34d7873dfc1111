"""The action table: every key binding of the dashboard by id, with its keys, its place and
its action; and the check of a [keys] remapping against it.

The dashboard builds its bindings, command palette and `?` from this table (tui/actions.py),
and every command checks a config against it when it loads: an id nobody has, a key name
that is no key, and one key given two jobs are errors that name the key. A new action is one
row here.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass
from itertools import chain, combinations


class KeymapError(ValueError):
    """A [keys] entry that cannot be used; the message starts with the binding id."""


@dataclass(frozen=True, slots=True)
class KeyBinding:
    """One row of the action table: a binding id, its default keys, where it works, and what
    the dashboard does with it. `action` is the Textual action run on the screen or pane that
    holds the binding ("app.quit" runs on the app); `label` is its name in the footer, shown
    there when `show`; `palette` is its command-palette entry ("" keeps it out) and `help`
    the line under it. They are plain strings: the core checks [keys] against this table
    without Textual, and the app builds its bindings, palette and `?` from it. `also`: the
    places besides `where` that run the same action on their screen, with the same keys (a
    remapping moves them everywhere), but for a key a binding of that place has: it does what
    the place binds it to (a [keys] of `picker.close = "r"` that loaded before still loads,
    and "r" closes the timeline)."""

    id: str
    keys: str  # the default, comma-separated, as Textual spells them
    does: str  # its line in `?`
    where: str  # a key of PLACES
    action: str = ""
    label: str = ""
    show: bool = False
    palette: str = ""
    help: str = ""
    also: tuple[str, ...] = ()

    @property
    def places(self) -> tuple[str, ...]:
        """Every place it works in."""
        return (self.where, *self.also)


PLACES = {
    "dashboard": "Dashboard",
    "headlines": "Headlines pane",
    "article": "Article pane (enter on narrow terminals, or tab to it)",
    "countdown": "Countdown pane (tab to it)",
    "events": "Events list (e)",
    "event_form": "Event form",
    "alerts": "Alerts (!)",
    "rule_form": "Alert rule form",
    "picker": "Source, tag and health pickers; a story's articles",
    "timeline": "A story's articles (enter on a story)",
    "filter_bar": "Filter prompt (/)",
    "help": "This help",
    "revisions": "What the source changed (d)",
}
# Places active at the same time: a key there must not do two things. The focused pane's
# bindings come before the dashboard's (enter opens an article, or picks an event).
TOGETHER = [
    {"dashboard", "headlines"},
    {"dashboard", "article"},
    {"dashboard", "countdown"},
    {"dashboard", "filter_bar"},
    {"picker", "timeline"},
]

BINDINGS = [
    KeyBinding("app.quit", "q", "Quit", "dashboard", "app.quit", "Quit", show=True),
    KeyBinding(
        "app.help",
        "question_mark",
        "Keys in force: this help",
        "dashboard",
        "help",
        "Keys",
        show=True,
        palette="Keys",
        help="Every key binding in force",
    ),
    KeyBinding(
        "filter.prompt",
        "slash",
        "Filter prompt",
        "dashboard",
        "filter_prompt",
        "Filter",
        show=True,
        palette="Filter headlines…",
        help="Type a query: tariff OR APEC source:Yonhap",
    ),
    KeyBinding(
        "filter.clear",
        "0",
        "Clear the filter",
        "dashboard",
        "clear_filter",
        "Clear filter",
        palette="Clear the filter",
        help="Show every headline",
    ),
    *[
        KeyBinding(
            f"filter.saved{n}",
            str(n),
            f"Saved filter {n}",
            "dashboard",
            f"saved_filter({n})",
            f"Saved filter {n}",
        )
        for n in range(1, 10)
    ],
    KeyBinding(
        "filter.unread",
        "u",
        "Unread only, on or off",
        "dashboard",
        "toggle_unread",
        "Unread",
        show=True,
        palette="Toggle unread only",
        help="Hide headlines already read",
    ),
    KeyBinding(
        "filter.source",
        "s",
        "Pick a source",
        "dashboard",
        "pick_source",
        "Sources",
        show=True,
        palette="Pick a source…",
        help="Filter to one source, with counts",
    ),
    KeyBinding(
        "filter.tag",
        "t",
        "Pick a tag",
        "dashboard",
        "pick_tag",
        "Tags",
        show=True,
        palette="Pick a tag…",
        help="Filter to one tag, with counts",
    ),
    KeyBinding(
        "app.health",
        "H",
        "Source health",
        "dashboard",
        "source_health",
        "Health",
        palette="Source health",
        help="Status, last ok and last error of every source",
    ),
    KeyBinding("article.open", "enter", "Open the article", "dashboard", "open_article", "Open"),
    KeyBinding(
        "article.close",
        "escape",
        "Back (close the article or the filter)",
        "dashboard",
        "close_article",
        "Back",
    ),
    KeyBinding(
        "article.star",
        "asterisk",
        "Star or unstar",
        "dashboard",
        "toggle_star",
        "Star",
        show=True,
        palette="Star or unstar the article (on a story row, its articles)",
        help="Starred articles outlive retention",
    ),
    KeyBinding(
        "article.read",
        "m",
        "Mark read or unread",
        "dashboard",
        "toggle_read",
        "Read/unread",
        palette="Mark the article read or unread (on a story row, its articles)",
    ),
    KeyBinding(
        "article.all_read",
        "A",
        "Mark every article listed read, twice",
        "dashboard",
        "mark_all_read",
        "All read",
        palette="Mark every article listed read",
        help="Every article the headlines list (the filter in force), asked twice",
    ),
    KeyBinding(
        "headlines.next_unread",
        "n",
        "Next unread article (or story)",
        "dashboard",
        "next_unread(1)",
        "Next unread",
        palette="Next unread article",
        help="The next unread row below the highlighted one",
    ),
    KeyBinding(
        "headlines.previous_unread",
        "N",
        "Previous unread article (or story)",
        "dashboard",
        "next_unread(-1)",
        "Previous unread",
    ),
    KeyBinding(
        "article.full_text",
        "f",
        "Fetch the full text",
        "dashboard",
        "full_text",
        "Full text",
        show=True,
        palette="Fetch the full text",
        help="Download the article page and extract it",
    ),
    KeyBinding(
        "article.open_link",
        "o",
        "Open the link (or copy it)",
        "dashboard",
        "open_link",
        "Open link",
        show=True,
        palette="Open the link",
        help="In a browser here, else copied with OSC 52",
    ),
    KeyBinding(
        "poll.refresh",
        "r",
        "Refresh every source now",
        "dashboard",
        "refresh",
        "Refresh",
        show=True,
        palette="Refresh every source now",
        # a story's timeline follows the poll: the reader watching it need not leave it
        also=("timeline",),
    ),
    KeyBinding(
        "app.events",
        "e",
        "Events: filter, add, edit, remove",
        "dashboard",
        "events",
        "Events",
        palette="Events…",
        help="Filter to an event; add, edit or remove events",
    ),
    KeyBinding(
        "event.suggest",
        "c",
        "Add the article's suggested countdown",
        "dashboard",
        "accept_suggestion",
        "Add suggested countdown",
        palette="Add the article's suggested countdown",
        help="Opens the event form filled in",
    ),
    KeyBinding(
        "app.alerts",
        "exclamation_mark",
        "Alerts: what fired, the rules, mentions per hour",
        "dashboard",
        "alerts",
        "Alerts",
        palette="Alerts…",
        help="The alert history, the rules and watch terms with their mentions per hour",
    ),
    KeyBinding(
        "stories.toggle",
        "S",
        "Headlines or stories (one row per story)",
        "dashboard",
        "toggle_stories",
        "Stories",
        palette="Switch between headlines and stories",
        help="A story: one event across outlets, who had it first, enter for its articles",
    ),
    KeyBinding(
        "article.revisions",
        "d",
        "Word diff of what the source changed",
        "dashboard",
        "show_revisions",
        "Revisions",
        palette="Show what the source changed in the article",
        help="A word diff of each revision of the headline and summary",
    ),
    KeyBinding(
        "article.page",
        "space",
        "Page down in the article",
        "dashboard",
        "page_article",
        "Read on",
        help="Scroll the article pane a page (from the headlines too)",
    ),
    KeyBinding(
        "app.screenshot", "f8", "Save a screenshot", "dashboard", "app.screenshot", "Screenshot"
    ),
    # (the terminal's own ^Z: the dashboard takes the keyboard raw, so it never reached the
    # shell, and what was typed next to it ran the dashboard's keys)
    KeyBinding(
        "app.suspend",
        "ctrl+z",
        "Suspend to the shell (fg brings it back)",
        "dashboard",
        "app.suspend_process",
        "Suspend",
    ),
    KeyBinding("article.down", "j,down", "Scroll down a line", "article", "move(1)", "Down"),
    KeyBinding("article.up", "k,up", "Scroll up a line", "article", "move(-1)", "Up"),
    KeyBinding(
        "article.page_down", "pagedown,ctrl+f", "Page down", "article", "page(1)", "Page down"
    ),
    KeyBinding("article.page_up", "pageup,ctrl+b,b", "Page up", "article", "page(-1)", "Page up"),
    KeyBinding("article.top", "home,g", "Top of the article", "article", "to_end(0)", "Top"),
    KeyBinding("article.end", "end,G", "End of the article", "article", "to_end(1)", "End"),
    KeyBinding("headlines.down", "j,down", "Next headline", "headlines", "cursor_down", "Down"),
    KeyBinding("headlines.up", "k,up", "Previous headline", "headlines", "cursor_up", "Up"),
    KeyBinding(
        "headlines.page_down", "pagedown,ctrl+f", "Page down", "headlines", "page_down", "Page down"
    ),
    KeyBinding("headlines.page_up", "pageup,ctrl+b", "Page up", "headlines", "page_up", "Page up"),
    KeyBinding("headlines.first", "home,g", "Newest", "headlines", "first", "First"),
    KeyBinding("headlines.last", "end,G", "Oldest", "headlines", "last", "Last"),
    KeyBinding("events.next", "down,j", "Next event", "countdown", "cursor(1)", "Next event"),
    KeyBinding(
        "events.previous", "up,k", "Previous event", "countdown", "cursor(-1)", "Previous event"
    ),
    KeyBinding(
        "events.choose",
        "enter",
        "Filter the headlines to the event",
        "countdown",
        "choose",
        "Filter to event",
        show=True,
    ),
    KeyBinding("events.down", "j", "Next event", "events", "move(1)", "Next event"),
    KeyBinding("events.up", "k", "Previous event", "events", "move(-1)", "Previous event"),
    KeyBinding("events.add", "a", "Add an event", "events", "add", "Add", show=True),
    KeyBinding(
        "events.edit", "e", "Edit the event (added in the app)", "events", "edit", "Edit", show=True
    ),
    KeyBinding(
        "events.remove",
        "d,delete",
        "Remove the event (added in the app), pressed twice",
        "events",
        "remove",
        "Remove",
        show=True,
    ),
    KeyBinding("events.close", "escape,q", "Close", "events", "close", "Close", show=True),
    KeyBinding(
        "event_form.cancel", "escape", "Cancel", "event_form", "cancel", "Cancel", show=True
    ),
    KeyBinding("picker.down", "j", "Next row", "picker", "move(1)", "Next row"),
    KeyBinding("picker.up", "k", "Previous row", "picker", "move(-1)", "Previous row"),
    KeyBinding("picker.first", "g", "First row", "picker", "first", "First row"),
    KeyBinding("picker.last", "G", "Last row", "picker", "last", "Last row"),
    KeyBinding(
        "picker.find",
        "slash",
        "Find the rows holding the words typed (escape clears them first)",
        "picker",
        "find",
        "Find",
        show=True,
    ),
    KeyBinding("picker.close", "escape,q", "Close", "picker", "dismiss_none", "Close", show=True),
    KeyBinding(
        "timeline.revisions",
        "d",
        "Word diff of what the source changed in the highlighted article",
        "timeline",
        "show_revisions",
        "Revisions",
        show=True,
    ),
    KeyBinding(
        # the prompt's own: article.close given "h" (vim's left) left escape typing nothing
        # there and the prompt no key to cancel with
        "filter.cancel",
        "escape",
        "Close the prompt, the filter in force kept",
        "filter_bar",
        "screen.close_article",  # (the dashboard's own close: the prompt is closed at once)
        "Cancel",
        show=True,
    ),
    KeyBinding(
        "filter.sort",
        "ctrl+r",
        "Sort by relevance (BM25 over titles, summaries and texts) or newest first",
        "filter_bar",
        "toggle_sort",
        "Sort",
        show=True,
    ),
    KeyBinding("alerts.down", "j", "Next row", "alerts", "move(1)", "Next row"),
    KeyBinding("alerts.up", "k", "Previous row", "alerts", "move(-1)", "Previous row"),
    KeyBinding("alerts.first", "g", "First row", "alerts", "first", "First row"),
    KeyBinding("alerts.last", "G", "Last row", "alerts", "last", "Last row"),
    KeyBinding(
        "alerts.rule_history",
        "h",
        "Only the rule's alerts in the history (again: every rule's)",
        "alerts",
        "rule_history",
        "Rule's alerts",
        show=True,
    ),
    KeyBinding("alerts.add", "a", "Add an alert rule", "alerts", "add", "Add", show=True),
    KeyBinding(
        "alerts.edit", "e", "Edit the rule (added in the app)", "alerts", "edit", "Edit", show=True
    ),
    KeyBinding(
        "alerts.mute", "m", "Mute or unmute the rule", "alerts", "toggle_mute", "Mute", show=True
    ),
    KeyBinding(
        "alerts.remove",
        "d,delete",
        "Remove the rule (added in the app), pressed twice",
        "alerts",
        "remove",
        "Remove",
        show=True,
    ),
    KeyBinding(
        "alerts.promote",
        "p",
        "Make the watch term a rule",
        "alerts",
        "promote",
        "Term to rule",
        show=True,
    ),
    KeyBinding(
        "alerts.from_filter",
        "f",
        "Make the filter in force a rule",
        "alerts",
        "from_filter",
        "Filter to rule",
        show=True,
    ),
    KeyBinding("alerts.close", "escape,q", "Close", "alerts", "close", "Close", show=True),
    KeyBinding("rule_form.cancel", "escape", "Cancel", "rule_form", "cancel", "Cancel", show=True),
    KeyBinding(
        "help.close", "escape,q,question_mark", "Close", "help", "dismiss", "Close", show=True
    ),
    KeyBinding(
        "revisions.close", "escape,q,d", "Close", "revisions", "dismiss", "Close", show=True
    ),
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
# what a list's own key does, as a binding's action: a binding given that key too
# (`"picker.down" = "ctrl+n,down"`) adds nothing there but is no clash (it was refused)
LIST_DOES = {"down": "move(1)", "up": "move(-1)", "home": "first", "end": "last"}
TAKEN = {"events": LIST_KEYS, "picker": LIST_KEYS, "timeline": LIST_KEYS, "alerts": LIST_KEYS}
TYPED_INTO = {  # places with a text field: a character key is typed, not bound
    "event_form": "is typed into the form's fields",
    "filter_bar": "is typed into the filter",
    "rule_form": "is typed into the form's fields",
}
# What a text field does with keys of its own (Textual's Input binds them: the cursor, cut
# and paste, deleting): bound to these in a place with a text field, a binding never fires
# (ctrl+a for the filter's sort moved the cursor home); and the binding that closes the
# filter prompt from the dashboard goes to the prompt's field too
FIELD_KEYS = frozenset(
    {
        "left", "right", "home", "end", "backspace", "delete", "enter",
        "shift+left", "shift+right", "shift+home", "shift+end",
        "ctrl+left", "ctrl+right", "ctrl+shift+left", "ctrl+shift+right",
        "ctrl+a", "ctrl+e", "ctrl+d", "ctrl+k", "ctrl+u", "ctrl+w", "ctrl+x", "ctrl+c",
        "ctrl+v", "ctrl+shift+a", "ctrl+backspace", "alt+backspace", "super+backspace",
        "super+c",
    }
)  # fmt: skip
REACHES_FIELDS = {"article.close"}  # dashboard bindings that act while the prompt has the keys

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


# a key as the keys screen (`?`) and the footer show it, as Textual writes it, for its name:
# what `?` shows can be copied into [keys] ("↓" was taken for a key of its own, and down and
# j then moved nothing)
SHOWN_AS = {
    "↑": "up",
    "↓": "down",
    "←": "left",
    "→": "right",
    "⌫": "backspace",
    "⏎": "enter",
    "esc": "escape",
    "pgdn": "pagedown",
    "pgup": "pageup",
    "del": "delete",
}


def _as_named(key: str) -> str:
    """A key as `?` shows it, as it is named: "^f" is ctrl+f, "shift+^x" ctrl+shift+x (ctrl
    comes first in Textual's names), "alt++" alt+plus, "^+" ctrl+plus."""
    if len(key) < 2:
        return key
    if key.endswith("+") and key[-2] in "+^":  # the plus key after a modifier ("alt++", "^+")
        key = key[:-1] + "plus"
    *mods, base = key.split("+")
    if len(base) > 1 and base.startswith("^"):  # "^x": ctrl and x
        return "+".join(["ctrl", *mods, base[1:]])
    return key


# emacs's and vim's spellings ("C-x", "M-x", "<C-x>", "S-Tab", "Ctrl-X", "Return"): their
# modifiers and key names, as Textual names them. Emacs's "s-" (super) and vim's "<s-…>"
# (shift) disagree: a lower-case s is left out, and the error says which to write (vim
# takes any case: "<c-x>" is ctrl+x).
CONVENTIONAL_MODIFIERS = {
    "C": "ctrl", "M": "alt", "A": "alt", "S": "shift", "c": "ctrl", "m": "alt", "a": "alt",
    "ctrl": "ctrl", "control": "ctrl", "alt": "alt", "meta": "meta", "shift": "shift",
    "super": "super", "hyper": "hyper",
}  # fmt: skip
CONVENTIONAL_NAMES = {
    "return": "enter", "ret": "enter", "cr": "enter", "esc": "escape", "spc": "space",
    "bs": "backspace", "del": "delete", "ins": "insert", "pgup": "pageup", "pgdn": "pagedown",
    "lt": "less_than_sign", "gt": "greater_than_sign", "bar": "vertical_line",
}  # fmt: skip


def _conventional(key: str) -> str | None:
    """An emacs or vim spelling of a key as Textual names it ("C-x" is ctrl+x, "<M-j>"
    alt+j, "S-Tab" shift+tab, "Return" enter), or None when it is no such spelling."""
    if len(key) > 2 and key.startswith("<") and key.endswith(">"):
        key = key[1:-1]
    *written, base = re.split(r"-(?=.)", key) if "-" in key[:-1] else [key]
    mods = []
    for mod in written:
        said = CONVENTIONAL_MODIFIERS.get(mod if len(mod) == 1 else mod.lower())
        if said is None:
            return None
        mods.append(said)
    base = CONVENTIONAL_NAMES.get(base.lower(), base)
    if base == "-":  # ("C--": ctrl and the minus key)
        base = "minus"
    return "+".join([*mods, base])


def key_name(key: str) -> str:
    """Textual's name for one key: "?" is "question_mark", "ctrl+x" stays, and a key as `?`
    shows it is that key ("^f" is ctrl+f, "pgdn" pagedown), as are emacs's and vim's
    spellings ("C-x", "<M-j>", "S-Tab", "Return"); KeymapError for what is no key."""
    key = key.strip()
    try:
        return _key_name(key)
    except KeymapError as refused:
        conventional = _conventional(key)
        if conventional is None or conventional == key:
            raise
        try:
            return _key_name(conventional)
        except KeymapError:
            raise refused from None


def _key_name(key: str) -> str:
    """`key_name`, Textual's and `?`'s spellings only."""
    if len(key) > 1:  # a name, any case ("F8" as the keys' table writes it, "ESC", "Ctrl+x"):
        # the modifiers and a base of more than one character lower-cased ("X" stays X)
        *written, last = key.split("+")
        mods = [m.lower() for m in written]
        if len(last) == 1 and last.isupper() and "alt" in written and "ctrl" not in mods:
            # alt and a capital: the terminal sends escape and the capital, which Textual
            # names alt+shift and the letter ("alt+U" as alt+u never fired); "Alt+X" is
            # written in title case, its capital no shift
            mods, last = [*mods, "shift"] if "shift" not in mods else mods, last.lower()
        # a letter after ctrl, alt or meta is the key itself ("Ctrl+W" is ctrl+w: the terminal
        # sends no capital with ctrl); alone, or after shift, its case is the key's ("G")
        lower = len(last) > 1 or bool(set(mods) - {"shift"})
        key = "+".join([*mods, last.lower() if lower else last])
    key = _as_named(SHOWN_AS.get(key, key))
    if len(key) == 1:
        if key.isalnum():
            return key
        name = unicodedata.name(key, "").lower().replace("-", "_").replace(" ", "_")
        if not name:
            raise KeymapError(f"{key!r} is not a key")
        return REPLACEMENTS.get(name, name)
    *mods, base = key.split("+")
    base = SHOWN_AS.get(base, base)
    if mods == ["ctrl"] and base in ("@", "at"):  # the NUL a terminal sends, as Textual names it
        return CTRL_AT
    if any(m not in MODIFIERS for m in mods) or not base:
        raise KeymapError(f"{key!r} is not a key (modifiers are {', '.join(sorted(MODIFIERS))})")
    if len(set(mods)) < len(mods):  # "ctrl+ctrl+u" loaded, showed "ctrl+^u" and never fired
        raise KeymapError(f"{key!r} is not a key: it names a modifier twice")
    # in the order Textual names them ("ctrl+shift+x"): a binding of "shift+ctrl+x" never fired
    mods = sorted(mods)
    if len(base) == 1:
        if "shift" in mods and len(mods) == 1:
            # a terminal sends the character shift types, never shift with it: "shift+s"
            # is S (as a binding it never fired), "shift+1" no key at all
            if base.isalpha() and len(base.upper()) == 1:  # ("ß" has no one capital)
                return base.upper()
            raise KeymapError(_shift_refused(key, base))
        return "+".join([*mods, base if base.isalnum() else _key_name(base)])
    if base in REPLACEMENTS.values() or _is_character_name(base):
        if mods == ["shift"]:  # (shift+/ types ?: a terminal sends the ?)
            raise KeymapError(_shift_refused(key, shown(base)))
        return "+".join([*mods, base])
    if base in NAMED:
        return "+".join([*mods, base])
    raise KeymapError(
        f"{key!r} is not a key name (such as q, ?, ctrl+x, f8, pagedown, escape){_suggested(key)}"
    )


def _suggested(key: str) -> str:
    """ "; did you mean …?" for a key written in a spelling of another program, or ""."""
    if re.match(r"<?s-", key):  # emacs's super, vim's shift
        base = key.removeprefix("<")[2:].removesuffix(">")
        return f"; did you mean shift+{base} or super+{base}?"
    return ""


# what shift types with a key on a US keyboard (others differ: the message says "such as")
_SHIFTED = dict(zip("1234567890-=[]\\;',./`", '!@#$%^&*()_+{}|:"<>?~', strict=True))


def _shift_refused(key: str, base: str) -> str:
    """Why shift and a character is no key, naming what to write instead where it can."""
    typed = _SHIFTED.get(base)
    instead = f' ("{typed}" on a US keyboard)' if typed else ""
    return f"{key!r} is not a key: write the character shift types with it{instead}"


def _named_character(name: str) -> str | None:
    """The character of a name as Textual writes it: "question_mark" ?, "euro_sign" €,
    "less_than_sign" < (Unicode's "LESS-THAN SIGN": Textual writes its hyphen and its spaces
    alike, so each underscore may be either); None when it names no typed character."""
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name.count("_") > 30:
        return None
    words = name.split("_")
    gaps = range(len(words) - 1)
    # spaces, then one hyphen, two, three (no character's name has more): at most a
    # thousand-odd looks for the longest names, not every mix of the two
    for hyphens in chain.from_iterable(combinations(gaps, n) for n in range(4)):
        joins = ["-" if gap in hyphens else " " for gap in gaps]
        spelled = words[0] + "".join(j + w for j, w in zip(joins, words[1:], strict=True))
        try:
            character = unicodedata.lookup(spelled)
        except KeyError:
            continue
        if len(character) == 1 and character.isprintable() and not character.isspace():
            return None if character.isalnum() else character
    return None


def _is_character_name(name: str) -> bool:
    """ "question_mark", "asterisk", "euro_sign": a character's Unicode name, as Textual has it."""
    return _named_character(name) is not None


def shown(name: str) -> str:
    """A key as people write it: "question_mark" is "?"."""
    *mods, base = name.split("+") if len(name) > 1 else [name]
    original = {v: k for k, v in REPLACEMENTS.items()}.get(base, base)
    if len(base) > 1:
        base = _named_character(original) or base
    return "+".join([*mods, base])


# ctrl and space: a terminal sends NUL, which Textual names ctrl+@ (kitty's keyboard protocol
# sends ctrl+space itself); bound as "ctrl+space" alone it never fired elsewhere
CTRL_AT = "ctrl+@"
CTRL_SPACE = "ctrl+space"


# a binding given no key: `"app.quit" = ""` unbinds it (newsboat's unbind-key), its key then
# free, or doing nothing
UNBOUND = ""


def key_list(keys: str) -> list[str]:
    """The keys of a "j,down" string, by Textual's names, none for `UNBOUND`; KeymapError
    when commas alone or not keys. ctrl+space is both the keys it may arrive as (`CTRL_AT`)."""
    if not keys.strip():
        return []
    names: list[str] = []
    for key in _split_keys(keys):
        name = key_name(key)
        for one in (name, CTRL_AT) if name == CTRL_SPACE else (name,):
            if one not in names:
                names.append(one)
    if not names:
        raise KeymapError(
            'give at least one key, such as "x" or "ctrl+x" (the comma key: ","), or "" for none'
        )
    return names


def _split_keys(keys: str) -> list[str]:
    """The keys of a comma-separated list: "," alone is the comma key, and so is a comma
    after a modifier ("ctrl+,"); "," was refused ("give at least one key") and only
    "comma", written nowhere, named it."""
    if keys.strip() == ",":
        return [","]
    out: list[str] = []
    items = keys.split(",")
    n = 0
    while n < len(items):
        item = items[n].strip()
        if item.endswith("+") and len(item) > 1 and n + 1 < len(items) and not items[n + 1].strip():
            out.append(item + ",")  # ("ctrl+," then the comma that ends it)
            n += 2
            continue
        if item:
            out.append(item)
        n += 1
    return out


# bindings whose default keys give way to a key [keys] gives another binding: ctrl+z came
# after configs that bound it (refused as "also the key of app.suspend", they no longer loaded)
YIELDING = frozenset({"app.suspend"})


# bindings that close a window or form with no other way out of it: unbound ("") it would
# keep the keyboard (ctrl+q quitting alone), so they are given another key instead
WAYS_OUT = frozenset(
    {
        "article.close",
        "events.close",
        "event_form.cancel",
        "picker.close",
        "filter.cancel",
        "alerts.close",
        "rule_form.cancel",
        "help.close",
        "revisions.close",
    }
)

# what a way out leaves, where it is not the place it is bound in (the dashboard's escape
# closes the article pane, not the dashboard)
LEAVES = {"article.close": "the article pane (and the filter)"}


def keys_in_force(remap: dict[str, str]) -> dict[str, list[str]]:
    """Every binding id with its keys after the remapping (assumed checked): a `YIELDING`
    binding's defaults less the keys given to others."""
    force = {b.id: key_list(remap.get(b.id, b.keys)) for b in BINDINGS}
    given = {key for binding_id in remap for key in force[binding_id]}
    for binding_id in YIELDING - remap.keys():
        force[binding_id] = [key for key in force[binding_id] if key not in given]
    return force


def check_keymap(remap: dict[str, str]) -> list[str]:
    """Raise KeymapError, naming the id, for an unknown id, a key that is no key, or a key that
    would do two things in one place; every error at once, one a line, each starting with
    its id. The defaults' own layering stays: enter opens an article, or picks an event when
    the countdown pane has the focus. What loads but is taken otherwise than written is
    returned, one note each (`_clashes`)."""
    errors: list[str] = []
    valid: dict[str, str] = {}  # (whose clashes are looked for: keys that are keys)
    for binding_id, keys in remap.items():
        if binding_id not in BY_ID:
            close = difflib.get_close_matches(binding_id, BY_ID, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            errors.append(
                f"{binding_id}: no binding has this id{hint}; ? in the dashboard lists them"
            )
            continue
        try:
            names = key_list(keys)
        except KeymapError as exc:
            errors.append(f"{binding_id}: {exc}")
            continue
        if not names and binding_id in WAYS_OUT:
            errors.append(
                f"{binding_id}: it is the way out of"
                f" {LEAVES.get(binding_id, PLACES[BY_ID[binding_id].where])},"
                " which would keep the keyboard with no key to leave it: give it another key"
                ' instead of ""'
            )
            continue
        try:
            # (checked where it is the binding's own place: in its `also` places a key their
            # own bindings have goes to those, `tui.actions.bindings`)
            _check_place(binding_id, names, BY_ID[binding_id].where)
        except KeymapError as exc:  # (it names the id)
            errors.append(str(exc))
            continue
        valid[binding_id] = keys
    notes: list[str] = []
    told: set[frozenset[str]] = set()  # (a clash of two remapped bindings said once)
    for binding_id in valid:
        for other_id, clash, is_error in _clashes(binding_id, valid):
            if not is_error:
                notes.append(clash)
            elif frozenset((binding_id, other_id)) not in told:  # (one for each binding)
                told.add(frozenset((binding_id, other_id)))
                errors.append(clash)
                break
    if errors:
        raise KeymapError("\n".join(errors))
    return list(dict.fromkeys(notes))


def _clashes(binding_id: str, remap: dict[str, str]) -> list[tuple[str, str, bool]]:
    """A key of `binding_id` that another binding has in a place where both work (its own or
    one it holds as well, `KeyBinding.also`): the other's id, what is said, and whether it is
    an error, at most one error for each other binding. A key a binding holds in an `also`
    place by default, not remapped, gives way there to a key [keys] gives a binding of that
    place (`picker.close = "r"` loaded before the timeline held poll.refresh's r too): a
    note, not an error, the key doing the place's own binding there."""
    force = keys_in_force(remap)
    mine = BY_ID[binding_id]
    said: list[tuple[str, str, bool]] = []
    for other in BINDINGS:
        if other.id == binding_id:
            continue
        for here, there in _places_together(mine, other):
            for key in force[binding_id]:
                if key not in force[other.id]:
                    continue
                if here != there and key in key_list(mine.keys) and key in key_list(other.keys):
                    continue  # the defaults' layering
                held = other if there in other.also else mine if here in mine.also else None
                if held is not None and held.id not in remap and key in key_list(held.keys):
                    own = mine if held is other else other
                    note = (
                        f'{binding_id}: "{shown(key)}" is also the key of {held.id}'
                        f" ({held.does}) in {PLACES[there if held is other else here]},"
                        f" where it does {own.id}; give {held.id} another key to keep it there"
                    )
                    said.append((other.id, note, False))
                    continue
                also = (
                    ""
                    if other.id in remap
                    else f'; give {other.id} another key as well (or "" for none)'
                )
                where = ""
                if held is not None:
                    where = f" in {PLACES[there if held is other else here]}"
                error = (
                    f'{binding_id}: "{shown(key)}" is also the key of {other.id} ({other.does})'
                    f"{where}, and a key does one thing{also}"
                )
                said.append((other.id, error, True))
                break
            else:
                continue
            break
    return said


def _places_together(a: KeyBinding, b: KeyBinding) -> list[tuple[str, str]]:
    """The pairs of a place of `a` and one of `b` active at the same time, each pair once,
    their own places (`where`) first."""
    pairs = [(here, there) for here in a.places for there in b.places if _together(here, there)]
    return sorted(pairs, key=lambda pair: (pair[0] != a.where, pair[1] != b.where))


def keys_in_place(force: dict[str, list[str]], binding: KeyBinding, place: str) -> list[str]:
    """The keys in force (`keys_in_force`) `binding` has in `place`: in a place it holds as
    well (`KeyBinding.also`), less those a binding of that place has (that one runs)."""
    keys = force[binding.id]
    if place not in binding.also:
        return keys
    taken = {
        key
        for other in BINDINGS
        if other.id != binding.id and _together(other.where, place)
        for key in force[other.id]
    }
    return [key for key in keys if key not in taken]


def _check_place(binding_id: str, names: list[str], place: str) -> None:
    """Raise KeymapError for a key of `names` that cannot be bound in `place`."""
    for name in names:
        if name in BUILT_IN:
            raise KeymapError(f'{binding_id}: "{shown(name)}" {BUILT_IN[name]} everywhere')
        if name in TAKEN.get(place, ()) and LIST_DOES.get(name) != BY_ID[binding_id].action:
            raise KeymapError(
                f'{binding_id}: "{shown(name)}" moves in or picks from the list there'
            )
        if place in TYPED_INTO and (len(shown(name)) == 1 or name == "space"):
            # ("question_mark", "asterisk": a character as Textual names it)
            raise KeymapError(f'{binding_id}: "{shown(name)}" {TYPED_INTO[place]}')
        if name in FIELD_KEYS and (
            place in TYPED_INTO
            or (binding_id in REACHES_FIELDS and all(n in FIELD_KEYS for n in names))
        ):
            raise KeymapError(
                f'{binding_id}: "{shown(name)}" is a key of the text field there'
                " (it moves the cursor, edits or pastes)"
            )


def _together(a: str, b: str) -> bool:
    """Whether bindings of the two places are active at the same time."""
    return a == b or any({a, b} <= places for places in TOGETHER)
