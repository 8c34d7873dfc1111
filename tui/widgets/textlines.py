"""A scrollable view of lines of Rich Text that draws only the screen lines in sight: its
text is wrapped in a thread (`wrap_lines`), so opening, scrolling or closing it costs a
screenful whatever its length (a Static of 240,000 lines laid them all out at every key)."""

from __future__ import annotations

import io
from bisect import bisect_right
from dataclasses import dataclass, field

from rich.console import Console
from rich.text import Text
from textual import on, work
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.widgets.strips import text_strip


@dataclass(frozen=True)
class Wrapped:
    """`lines` wrapped to `width` cells: `rows`, one a screen line, and the row each line
    starts at (`starts`)."""

    width: int
    lines: list[Text]
    rows: list[Text] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)


def wrap_lines(lines: list[Text], width: int) -> Wrapped:
    """`lines` as screen lines `width` cells wide. (Any thread: no widget is asked.)"""
    width = max(1, width)
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    rows: list[Text] = []
    starts: list[int] = []
    for line in lines:
        starts.append(len(rows))
        rows.extend(line.wrap(console, width) or [Text()])
    return Wrapped(width, lines, rows, starts)


class TextLines(ScrollView, can_focus=True):
    """Lines of Text (feed text as Text, never markup), wrapped beforehand to the width the
    view will have; at another width (a resized terminal) they are wrapped again in a
    thread, the old rows shown meanwhile."""

    DEFAULT_CSS = """
    TextLines {
        height: auto;
        overflow-x: hidden;
        scrollbar-gutter: stable;  /* the width does not depend on the length */
    }
    """

    @dataclass
    class Rewrapped(Message):
        """The lines wrapped again, at the view's new width."""

        shown: Wrapped

    def __init__(self, shown: Wrapped, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.shown = shown
        self.drawn = 0  # screen lines drawn (`render_line`): a screenful at a time
        self.virtual_size = Size(shown.width, len(shown.rows))

    # the keys scroll at once, never animated (as the article pane's): keys typed ahead in one
    # read each started from where an animation was
    def action_scroll_up(self) -> None:
        self.scroll_to(y=self.scroll_offset.y - 1, animate=False, immediate=True)

    def action_scroll_down(self) -> None:
        self.scroll_to(y=self.scroll_offset.y + 1, animate=False, immediate=True)

    def action_page_up(self) -> None:
        self._page(-1)

    def action_page_down(self) -> None:
        self._page(1)

    def _page(self, pages: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + pages * height, animate=False, immediate=True)

    def action_scroll_home(self) -> None:
        self.scroll_to(y=0, animate=False, immediate=True)

    def action_scroll_end(self) -> None:
        self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)

    def on_resize(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and width != self.shown.width:
            self._rewrap(width)

    @work(thread=True, exclusive=True, group="rewrap", exit_on_error=False)
    def _rewrap(self, width: int) -> None:
        self.post_message(self.Rewrapped(wrap_lines(self.shown.lines, width)))

    @on(Rewrapped)
    def _rewrapped(self, message: Rewrapped) -> None:
        shown = message.shown
        if shown.width != self.scrollable_content_region.width:
            return  # resized again since: wrapped again
        line = max(0, bisect_right(self.shown.starts, self.scroll_offset.y) - 1)  # stays on top
        self.shown = shown
        self.virtual_size = Size(shown.width, len(shown.rows))
        if line < len(shown.starts):
            self.scroll_to(y=shown.starts[line], animate=False, immediate=True)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        self.drawn += 1
        index = self.scroll_offset.y + y  # (rounded as Textual rounds it: mid-animation too)
        width = self.scrollable_content_region.width
        base = self.rich_style
        rows = self.shown.rows
        if index >= len(rows):
            return Strip.blank(width, base)
        return text_strip(rows[index], self.app.console, width, base)
