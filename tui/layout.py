"""Where the dashboard switches between its wide (three panes) and narrow layouts.

Textual sets the breakpoint classes on every screen whenever the terminal is resized, so the
stylesheet and the code below agree on the layout at every size, not only the first one."""

from __future__ import annotations

from textual.widget import Widget

NARROW_WIDTH = 110  # fewer columns than this: the narrow layout
NARROW_HEIGHT = 30  # fewer rows than this: the narrow layout
# fewer rows than this (-low, narrow too): the countdown strip and a picker's or the help's
# lines around its list give their rows to the list (at 12 rows the strip took 5)
LOW_HEIGHT = 16
HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (NARROW_WIDTH, "-wide")]
VERTICAL_BREAKPOINTS = [(0, "-low"), (LOW_HEIGHT, "-short"), (NARROW_HEIGHT, "-tall")]


def is_narrow(widget: Widget) -> bool:
    """True when the screen `widget` is on uses the narrow layout."""
    screen = widget.screen
    return any(screen.has_class(name) for name in ("-narrow", "-short", "-low"))


def picker_name_width(columns: int) -> int:
    """Cells a source's name takes in a picker's rows (the story timeline, source health)
    on a terminal this wide: what follows it (a headline, an error) needs the room more
    as the terminal narrows."""
    if columns >= 120:
        return 24
    if columns >= 80:
        return 16
    return 10
