"""A text field of one line that takes a paste of several whole: Textual's `Input` keeps only
a paste's first line, so a query pasted over two lines filtered by half of it, where the
command line reads its line breaks as spaces."""

from __future__ import annotations

import unicodedata

from textual import events
from textual.widgets import Input


def one_line(text: str) -> str:
    """`text` on one line: each line break, tab or other spacing control character a space,
    any other control character dropped (a pasted bell or escape is no part of a query)."""
    kept: list[str] = []
    for ch in " ".join(text.splitlines()):
        if unicodedata.category(ch) != "Cc":
            kept.append(ch)
        elif ch.isspace():
            kept.append(" ")
    return "".join(kept)


class OneLineInput(Input):
    """An `Input` whose pastes (the terminal's, and the app's own clipboard) keep every line,
    joined by spaces."""

    def _on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # not Input's own, which keeps the first line
        event.stop()
        if event.text:
            start, end = self.selection
            self.replace(one_line(event.text), start, end)

    def action_paste(self) -> None:
        start, end = self.selection
        self.replace(one_line(self.app.clipboard), start, end)
