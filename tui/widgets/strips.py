"""Turning a line of Rich Text into a Strip that every terminal filter can read."""

from __future__ import annotations

from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.strip import Strip


def text_strip(text: Text, console: Console, width: int, base: Style) -> Strip:
    """One screen line: the widget's own colours under every character, padded to `width`.

    Rich renders text without spans as segments with no style at all; Textual's NO_COLOR
    filter cannot read those, and a terminal would draw them on its own default background
    (white on white on a light terminal). Putting `base` under every segment fixes both."""
    segments = Segment.apply_style(text.render(console), base)
    return Strip(segments).crop_extend(0, width, base).simplify()
