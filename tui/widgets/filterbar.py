"""The `/` prompt: a query typed in, checked before it is applied; a malformed one stays in
the field with the reason under it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from fetchers.newsroom import Clock
from fetchers.query import QueryError, parse_query

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
    """

    @dataclass
    class Applied(Message):
        """A query that reads was entered: filter the headlines by it."""

        bar: FilterBar
        text: str

        @property
        def control(self) -> FilterBar:
            return self.bar

    def __init__(self, clock: Clock, local: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.clock = clock
        self.local = local

    def compose(self) -> ComposeResult:
        yield Input(placeholder=PLACEHOLDER, id="filter-input")
        yield Static("", id="filter-error")

    def open(self, text: str) -> None:
        """Show the bar with `text` in the field and the cursor after it."""
        self.display = True
        field = self.query_one(Input)
        field.value = text
        field.cursor_position = len(text)
        self.query_one("#filter-error", Static).update("")
        field.focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        try:
            parse_query(event.value, self.clock(), self.local)
        except QueryError as exc:
            self.query_one("#filter-error", Static).update(Text(f"✗ {exc}"))
            return
        self.post_message(self.Applied(self, event.value.strip()))
