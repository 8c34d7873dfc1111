"""The one action table: what each key binding of `fetchers.keymap` runs, its footer label and
its command-palette entry. The bindings of every screen and pane, the palette and `?` are built
from it, so a new action is one row here plus its keys in `fetchers.keymap`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from textual.binding import Binding, BindingType

from fetchers.keymap import BINDINGS as KEY_BINDINGS
from fetchers.keymap import PLACES, keys_in_force

KeyDisplay = Callable[[Binding], str]  # App.get_key_display: "?" for question_mark


@dataclass(frozen=True, slots=True)
class Action:
    """One binding id's behaviour in the dashboard.

    `action` is a Textual action string run on the screen or pane that holds the binding
    ("app.quit" runs on the app); `label` is its name in the footer, shown there when `show`;
    `palette` is its entry in the command palette ("" keeps it out) and `help` the line under
    that entry (also the binding's tooltip)."""

    id: str
    action: str
    label: str
    show: bool = False
    palette: str = ""
    help: str = ""


ACTIONS: dict[str, Action] = {
    a.id: a
    for a in [
        # the dashboard, whichever pane has the focus
        Action("app.quit", "app.quit", "Quit", show=True),
        Action(
            "app.help", "help", "Keys", show=True, palette="Keys", help="Every key binding in force"
        ),
        Action(
            "filter.prompt",
            "filter_prompt",
            "Filter",
            show=True,
            palette="Filter headlines…",
            help="Type a query: tariff OR APEC source:Yonhap",
        ),
        Action(
            "filter.clear",
            "clear_filter",
            "Clear filter",
            palette="Clear the filter",
            help="Show every headline",
        ),
        *[
            Action(f"filter.saved{n}", f"saved_filter({n})", f"Saved filter {n}")
            for n in range(1, 10)
        ],
        Action(
            "filter.unread",
            "toggle_unread",
            "Unread",
            show=True,
            palette="Toggle unread only",
            help="Hide headlines already read",
        ),
        Action(
            "filter.source",
            "pick_source",
            "Sources",
            show=True,
            palette="Pick a source…",
            help="Filter to one source, with counts",
        ),
        Action(
            "filter.tag",
            "pick_tag",
            "Tags",
            show=True,
            palette="Pick a tag…",
            help="Filter to one tag, with counts",
        ),
        Action(
            "app.health",
            "source_health",
            "Health",
            palette="Source health",
            help="Status, last ok and last error of every source",
        ),
        Action("article.open", "open_article", "Open"),
        Action("article.close", "close_article", "Back"),
        Action(
            "article.star",
            "toggle_star",
            "Star",
            show=True,
            palette="Star or unstar the article",
            help="Starred articles outlive retention",
        ),
        Action(
            "article.read", "toggle_read", "Read/unread", palette="Mark the article read or unread"
        ),
        Action(
            "article.full_text",
            "full_text",
            "Full text",
            show=True,
            palette="Fetch the full text",
            help="Download the article page and extract it",
        ),
        Action(
            "article.open_link",
            "open_link",
            "Open link",
            show=True,
            palette="Open the link",
            help="In a browser here, else copied with OSC 52",
        ),
        Action("poll.refresh", "refresh", "Refresh", show=True, palette="Refresh every source now"),
        Action(
            "app.events",
            "events",
            "Events",
            palette="Events…",
            help="Filter to an event; add, edit or remove events",
        ),
        Action(
            "event.suggest",
            "accept_suggestion",
            "Add suggested countdown",
            palette="Add the article's suggested countdown",
            help="Opens the event form filled in",
        ),
        Action("app.screenshot", "app.screenshot", "Screenshot"),
        # the headlines pane
        Action("headlines.down", "cursor_down", "Down"),
        Action("headlines.up", "cursor_up", "Up"),
        Action("headlines.page_down", "page_down", "Page down"),
        Action("headlines.page_up", "page_up", "Page up"),
        Action("headlines.first", "first", "First"),
        Action("headlines.last", "last", "Last"),
        # the countdown pane
        Action("events.next", "cursor(1)", "Next event"),
        Action("events.previous", "cursor(-1)", "Previous event"),
        Action("events.choose", "choose", "Filter to event", show=True),
        # the events list
        Action("events.down", "move(1)", "Next event"),
        Action("events.up", "move(-1)", "Previous event"),
        Action("events.add", "add", "Add", show=True),
        Action("events.edit", "edit", "Edit", show=True),
        Action("events.remove", "remove", "Remove", show=True),
        Action("events.close", "close", "Close", show=True),
        # the event form, the pickers and this help
        Action("event_form.cancel", "cancel", "Cancel", show=True),
        Action("picker.down", "move(1)", "Next row"),
        Action("picker.up", "move(-1)", "Previous row"),
        Action("picker.close", "dismiss_none", "Close", show=True),
        Action("help.close", "dismiss", "Close", show=True),
    ]
}


def bindings(place: str, on_app: bool = False) -> list[BindingType]:
    """The Textual bindings of one place of `fetchers.keymap.PLACES`, with their ids (so a
    [keys] remapping reaches them through `App.set_keymap`). `on_app`: only the actions the
    app runs ("app.quit"), kept out of the footer, for the app to hold as well so that they
    work before the dashboard is shown."""
    out: list[BindingType] = []
    for key_binding in KEY_BINDINGS:
        action = ACTIONS[key_binding.id]
        if key_binding.where != place or (on_app and not action.action.startswith("app.")):
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


def first_key(binding_id: str, remap: dict[str, str], display: KeyDisplay) -> str:
    """The first key of `binding_id` after the user's [keys] remapping, as it is shown."""
    key = keys_in_force(remap)[binding_id][0]
    return display(Binding(key, ACTIONS[binding_id].action))


def palette_actions(remap: dict[str, str], display: KeyDisplay) -> Iterator[tuple[Action, str]]:
    """The actions the command palette offers by name, each with its first key in force."""
    for action in ACTIONS.values():
        if action.palette:
            yield action, first_key(action.id, remap, display)


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
            if key_binding.where != place:
                continue
            does = key_binding.does
            if key_binding.id.startswith("filter.saved"):
                saved = filters.get(key_binding.id.removeprefix("filter.saved"))
                if saved is None:
                    continue
                does = f"Saved filter: {saved}"
            action = ACTIONS[key_binding.id].action
            keys = " ".join(display(Binding(key, action)) for key in in_force[key_binding.id])
            rows.append((keys, does, key_binding.id))
        if place == "dashboard":
            rows += [
                ("tab shift+tab", "Move between the headlines and the countdown", ""),
                ("ctrl+p", "Command palette", ""),
            ]
        sections.append((title, rows))
    return sections
