"""`?`: every key in force, after the user's [keys] remapping, with the binding id to remap it."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# (keys as shown, what they do, binding id or "" for Textual's own)
Row = tuple[str, str, str]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

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
        if self.footnote:
            parts.append(Text(self.footnote, style="dim"))
        parts.append(Text("escape closes this help."))
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))
