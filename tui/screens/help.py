"""`?`: the keys actually in force, after the user's [keys] remapping."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


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
        text.append("\nescape closes this help.")
        with VerticalScroll(id="help-box"):
            yield Static(text)
