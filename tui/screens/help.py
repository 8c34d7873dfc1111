"""`?`: every key in force, after the user's [keys] remapping, with the binding id to remap it,
and the query language of `/` and saved filters in short."""

from __future__ import annotations

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tui.actions import Row, TableOrderedKeys, bindings, key_shown
from tui.widgets.footer import KeyFooter

# What the `/` prompt and saved filters accept (the query language, in short).
QUERY_HELP = (
    ('tariff "trade talks"', "every word and phrase, in the title, summary or full text"),
    ("title:tariff", 'in titles only (also title:"far apart")'),
    ("APEC OR summit  -opinion", "either term; leave out a term"),
    ("source:Yonhap  tag:korea", "one source (quote names with spaces), one tag"),
    ("is:unread  is:starred", "marks"),
    ("since:6h  before:2025-10-24", "time"),
)


DESCRIBED_FEWEST = 16  # cells a description keeps beside its key and id, else it goes under
PADDING = 2  # cells between the columns


class Described:
    """Rows of a key (or a query) and what it does, and the binding id to remap it: side by
    side where that leaves the descriptions DESCRIBED_FEWEST cells, else the id under the
    description, or both under the key (at 40 columns the keys and ids left the descriptions
    no cell at all)."""

    def __init__(self, rows: list[tuple[str, str, str | None]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        keys = max((cell_len(key) for key, _, _ in self.rows), default=0)
        ids = max((cell_len(ident) for _, _, ident in self.rows if ident), default=0)
        beside = keys + PADDING + DESCRIBED_FEWEST
        table = Table.grid(padding=(0, PADDING))
        table.add_column(style="bold", no_wrap=beside <= width)
        if ids and beside + PADDING + ids <= width:
            table.add_column(ratio=1)
            table.add_column(style="dim", no_wrap=True)
            for key, does, ident in self.rows:
                table.add_row(Text(key), Text(does), Text(ident or ""))
        elif beside <= width:
            table.add_column(ratio=1)
            for key, does, ident in self.rows:
                table.add_row(Text(key), self._said(does, ident))
        else:
            for key, does, ident in self.rows:
                table.add_row(Text(key))
                table.add_row(Padding(self._said(does, ident), (0, 0, 0, PADDING)))
        yield table

    @staticmethod
    def _said(does: str, ident: str | None) -> Text:
        """What a key does, and its id on a line of its own under it."""
        said = Text(does, style="not bold")
        if ident:
            said.append(f"\n{ident}", style="dim")
        return said


class HelpScreen(TableOrderedKeys, ModalScreen[None]):
    BINDINGS = bindings("help")

    def __init__(self, sections: list[tuple[str, list[Row]]], footnote: str = "") -> None:
        super().__init__()
        self.sections = sections
        self.footnote = footnote

    def compose(self) -> ComposeResult:
        parts: list[Text | Described] = [
            Text("Keys in force", style="bold"),
            Text(
                'Remap one in [keys] by its id, e.g. "app.quit" = "x", or unbind it: "app.quit"'
                ' = "" (ctrl+q quits all the same).\n',
                style="dim",
            ),
        ]
        for title, rows in self.sections:
            parts.append(Text(title, style="bold underline"))
            parts.append(
                Described(
                    [(keys, does, binding_id or "built in") for keys, does, binding_id in rows]
                )
            )
            parts.append(Text(""))
        parts.append(Text("Filters (/ and saved filters)", style="bold underline"))
        parts.append(Described([(example, meaning, None) for example, meaning in QUERY_HELP]))
        parts.append(Text(""))
        if self.footnote:
            parts.append(Text(self.footnote, style="dim"))
        parts.append(Text(f"{key_shown(self.app, 'help.close')} closes this help."))
        with VerticalScroll(id="help-box"):
            yield Static(Group(*parts))
        yield KeyFooter()  # its own keys: the dashboard's beneath are not in force
