"""The `/` prompt: a query typed in, checked before it is applied; a malformed one stays in
the field with the reason under it. A key there switches the order between newest first and
relevance. A `source:` or `tag:` value being typed is completed from the names known (the
rest shown faint; right, end or tab takes it)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.suggester import Suggester
from textual.widgets import Input, Static

from fetchers.models import Clock
from fetchers.query import NameCompletion, QueryError, parse_query
from fetchers.relevance import SortOrder
from tui.actions import NO_KEY, bindings, first_key
from tui.widgets.oneline import OneLineInput

PLACEHOLDER = "tariff OR APEC source:Yonhap is:unread since:6h"


class NameSuggester(Suggester):
    """Suggests the rest of the source or tag name a query ends in (`NameCompletion`). What
    is shown is the text typed and the rest of the name, so that the field draws the rest
    after it; what is taken is the name written whole as a query writes it (quoted when it
    must be: source:Fron shows "tier Review — Markets" and takes
    source:"Frontier Review — Markets"), which `taken` gives for what was shown."""

    def __init__(self) -> None:
        # (not cached, and as typed: the names change with the config and the store, and
        # the text typed is kept as it is, its case too, before the rest)
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = NameCompletion()
        # the suggestions made lately, shown -> taken (each key typed asks for one, in a
        # worker of its own: the field keeps the one for the text it holds)
        self._taken: dict[str, str] = {}

    async def get_suggestion(self, value: str) -> str | None:
        found = self.names.complete(value)
        if found is None:
            return None
        if len(self._taken) >= 64:
            self._taken.clear()
        shown, taken = found
        self._taken[shown] = taken
        return shown

    def taken(self, shown: str) -> str:
        """The query a suggestion shown as `shown` becomes when taken."""
        return self._taken.get(shown, shown)


class FilterInput(OneLineInput):
    """The prompt's field: a suggestion shown is taken whole by right (at the end), end or
    tab; tab with none shown leaves the focus where it is (a shell's tab: the prompt, and
    what was typed, stay) and rings the bell."""

    BINDINGS = [Binding("tab", "take_suggestion", "Take the name suggested", show=False)]

    def __init__(self, suggester: NameSuggester, *, placeholder: str, id: str) -> None:
        # the query in force kept, the cursor after it: typing adds to it (selected whole,
        # the first key typed replaced it)
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False, suggester=suggester)
        self.names = suggester

    def _take(self) -> bool:
        """The suggestion shown taken, the cursor after it; False when none is shown."""
        shown = self._suggestion
        if not shown or len(shown) <= len(self.value):
            return False
        self.value = self.names.taken(shown)
        self.cursor_position = len(self.value)
        return True

    def action_take_suggestion(self) -> None:
        if not self._take():
            self.app.bell()

    def action_cursor_right(self, select: bool = False) -> None:
        if select or not self.cursor_at_end or not self._take():
            super().action_cursor_right(select)

    def action_end(self, select: bool = False) -> None:
        if select or not self._take():
            super().action_end(select)


class FilterBar(Vertical):
    """Docked at the bottom, hidden until `open`."""

    DEFAULT_CSS = """
    FilterBar {
        display: none;
        height: auto;
        dock: bottom;
        margin-bottom: 1;
        background: $panel;
    }
    FilterBar > #filter-error {
        color: $text-error;
        height: auto;
    }
    FilterBar > #filter-sort {
        color: $text-muted;
        height: 1;
    }
    """
    BINDINGS = bindings("filter_bar")

    @dataclass
    class Applied(Message):
        """A query that reads was entered: filter the headlines by it."""

        bar: FilterBar
        text: str
        sort: SortOrder

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(
        self, clock: Clock, local: tzinfo, keys: dict[str, str], *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.local = local
        self.keys = keys  # the [keys] remapping, to name the sort key as it is in force
        self.sort: SortOrder = "newest"
        self.suggester = NameSuggester()
        # what was typed when the focus left the prompt (a click on the headlines, shift+tab),
        # not applied: `/` opens the prompt on it again rather than lose it
        self.draft: str | None = None

    def set_names(self, names: NameCompletion) -> None:
        """The source and tag names a `source:` or `tag:` being typed is completed from."""
        self.suggester.names = names

    def compose(self) -> ComposeResult:
        yield FilterInput(self.suggester, placeholder=PLACEHOLDER, id="filter-input")
        yield Static("", id="filter-error")
        yield Static("", id="filter-sort")

    def open(self, text: str, sort: SortOrder) -> None:
        """Show the bar with `text` in the field and the cursor after it, in the order `sort`."""
        self.display = True
        self.draft = None
        field = self.query_one(Input)
        field.value = text
        field.cursor_position = len(text)
        self.query_one("#filter-error", Static).update("")
        self.sort = sort
        self._show_sort()
        field.focus()

    def action_toggle_sort(self) -> None:
        self.sort = "relevance" if self.sort == "newest" else "newest"
        self._show_sort()

    def _show_sort(self) -> None:
        key = first_key("filter.sort", self.keys, self.app.get_key_display)
        if self.sort == "relevance":
            line, other = "sorted by relevance to the filter's words (BM25)", "newest first"
        else:
            line, other = "sorted newest first", "by relevance to the filter's words"
        if key != NO_KEY:  # (unbound: the palette switches it)
            line += f" · {key}: {other}"
        self.query_one("#filter-sort", Static).update(Text(line))

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            parse_query(event.value, self.clock(), self.local)
        except QueryError as exc:
            self.query_one("#filter-error", Static).update(Text(f"✗ {exc}"))
            return
        self.post_message(self.Applied(self, event.value.strip(), self.sort))
