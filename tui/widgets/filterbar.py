"""The `/` prompt: a query typed in, checked before it is applied; a malformed one stays in
the field with the reason under it. A key there switches the order between newest first and
relevance."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from fetchers.models import Clock
from fetchers.query import QueryError, parse_query
from fetchers.relevance import SortOrder
from tui.actions import bindings, first_key
from tui.widgets.oneline import OneLineInput

PLACEHOLDER = "tariff OR APEC source:Yonhap is:unread since:6h"


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

    def compose(self) -> ComposeResult:
        # the query in force kept, the cursor after it: typing adds to it (selected whole, the
        # first key typed replaced it)
        yield OneLineInput(placeholder=PLACEHOLDER, id="filter-input", select_on_focus=False)
        yield Static("", id="filter-error")
        yield Static("", id="filter-sort")

    def open(self, text: str, sort: SortOrder) -> None:
        """Show the bar with `text` in the field and the cursor after it, in the order `sort`."""
        self.display = True
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
            line = f"sorted by relevance to the filter's words (BM25) · {key}: newest first"
        else:
            line = f"sorted newest first · {key}: by relevance to the filter's words"
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
