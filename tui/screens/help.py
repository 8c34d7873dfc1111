"""`?`: the keys actually in force, after the user's [keys] remapping, and the query
language of `/` and saved filters in short."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# What the `/` prompt and saved filters accept (the query language, in short).
QUERY_HELP = (
    ('tariff "trade talks"', "every word and phrase, in the title, summary or full text"),
    ("title:tariff", 'in titles only (also title:"far apart")'),
    ("APEC OR summit  -opinion", "either term; leave out a term"),
    ("source:Yonhap  tag:korea", "one source (quote names with spaces), one tag"),
    ("is:unread  is:starred", "marks"),
    ("since:6h  before:2025-10-24", "time"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        text = Text()
        text.append("Keys in force\n\n", style="bold")
        width = max((len(k) for k, _ in self.rows), default=4) + 2
        for keys, description in self.rows:
            text.append(keys.ljust(width), style="bold")
            text.append(description + "\n")
        text.append("\nFilters (/ and saved filters)\n\n", style="bold")
        width = max(len(example) for example, _ in QUERY_HELP) + 2
        for example, meaning in QUERY_HELP:
            text.append(example.ljust(width), style="bold")
            text.append(meaning + "\n")
        text.append("\nescape closes this help.")
        with VerticalScroll(id="help-box"):
            yield Static(text)
