"""`?`: every key in force, after the user's [keys] remapping, with the binding id to remap it,
and the query language of `/` and saved filters in short."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.actions import Row, TableOrderedKeys, bindings, key_shown

# What the `/` prompt and saved filters accept (the query language, in short).
QUERY_HELP = (
    ('tariff "trade talks"', "every word and phrase, in the title, summary or full text"),
    ("title:tariff", 'in titles only (also title:"far apart")'),
    ("APEC OR summit  -opinion", "either term; leave out a term"),
    ("source:Yonhap  tag:korea", "one source (quote names with spaces), one tag"),
    ("is:unread  is:starred", "marks"),
    ("since:6h  before:2025-10-24", "time"),
)


class HelpScreen(TableOrderedKeys, ModalScreen[None]):
    BINDINGS = bindings("help")

    def __init__(self, sections: list[tuple[str, list[Row]]], footnote: str = "") -> None:
        super().__init__()
        self.sections = sections
        self.footnote = footnote

    def compose(self) -> ComposeResult:
        parts: list[Text | Table] = [
            Text("Keys in force", style="bold"),
            Text('Remap one in [keys] by its id, e.g. "app.quit" = "x".\n', style="dim"),
        ]
        for title, rows in self.sections:
            parts.append(Text(title, style="bold underline"))
            table = Table.grid(padding=(0, 2))
            table.add_column(style="bold", no_wrap=True)
            table.add_column(ratio=1)
            table.add_column(style="dim", no_wrap=True)
            for keys, does, binding_id in rows:
                table.add_row(Text(keys), Text(does), Text(binding_id or "built in"))
            parts.append(table)
            parts.append(Text(""))
        parts.append(Text("Filters (/ and saved filters)", style="bold underline"))
        queries = Table.grid(padding=(0, 2))
        queries.add_column(style="bold", no_wrap=True)
        queries.add_column(ratio=1)
        for example, meaning in QUERY_HELP:
            queries.add_row(Text(example), Text(meaning))
        parts.append(queries)
        parts.append(Text(""))
        if self.footnote:
            parts.append(Text(self.footnote, style="dim"))
        parts.append(Text(f"{key_shown(self.app, 'help.close')} closes this help."))
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))
