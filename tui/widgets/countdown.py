"""The countdown pane: time left to each named event, from the wall clock, once a second."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import NamedTuple

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events as textual_events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from fetchers.models import Clock, Event
from tui.actions import NO_KEY, bindings, key_shown
from tui.format import clock_turns, drawn, event_zone, time_left, wall, wall_short
from tui.layout import is_narrow
from tui.widgets.colours import ShownStyles
from tui.widgets.strips import text_strip

DAY, HOUR = 86400, 3600


def urgency(seconds: float) -> str:
    """past, hour (under an hour), day (under a day) or later."""
    if seconds < 0:
        return "past"
    if seconds < HOUR:
        return "hour"
    if seconds < DAY:
        return "day"
    return "later"


CLOCK_WIDTH = 15  # "T-6d 23:14:05" and the like: the column of times left is this wide, or wider


class Layout(NamedTuple):
    """What the countdown's lines were wrapped for: another width, layout or theme wraps
    them again."""

    width: int
    narrow: bool
    styles: tuple[Style, ...]


class Countdown(ScrollView, can_focus=True):
    """Renders `event.when - clock()` for every event; never decrements a counter.

    Focused (tab), up/down pick an event and enter filters the headlines to it; a click picks
    the event under the pointer, and a click on the event picked filters to it. Until the
    user picks one, the cursor is on the soonest event to come and the pane shows the soonest
    events first. Each tick repaints only the lines that changed (the clocks), so an idle
    dashboard sends the terminal a few hundred bytes a second, not the whole pane; and it
    makes again only the lines of the events in view, so its cost is theirs, not that of
    every event (500 events took a sixth of a core): the others are made again when shown,
    and all are laid out again only when a count of lines or the clock column may change."""

    BORDER_TITLE = "Countdown"
    DEFAULT_CSS = """
    Countdown {
        width: 1fr;
        min-width: 36;
        padding: 0 1;
        height: 1fr;
        overflow-x: hidden;  /* lines are wrapped or cut to the width: never scrolled across */
    }
    Countdown > .countdown--name {
        text-style: bold;
    }
    Countdown > .countdown--later {
        color: $text-success;
    }
    Countdown > .countdown--day {
        color: $text-warning;
        text-style: bold;
    }
    Countdown > .countdown--hour {
        color: $background;
        background: $text-error;
        text-style: bold;
    }
    Countdown > .countdown--past {
        color: $text-muted;
    }
    Countdown > .countdown--error {
        color: $text-error;
    }
    Countdown > .countdown--dim {
        color: $text-muted;
    }
    Countdown > .countdown--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    """
    BINDINGS = bindings("countdown")

    cursor: reactive[int] = reactive(0)
    """The event picked with up and down (or a click) while the pane has the focus."""
    events: reactive[list[Event]] = reactive(list, repaint=False)
    """The events counted down to, in order."""
    matches: reactive[dict[str, int]] = reactive(dict, repaint=False)
    """How many headlines match each event's query, by the query's text (two events of one
    name, a config's and an app's, both showed the count of one)."""

    @dataclass
    class Chosen(Message):
        """The user picked an event to filter the headlines to."""

        event: Event

    COMPONENT_CLASSES = {
        "countdown--name",
        "countdown--later",
        "countdown--day",
        "countdown--hour",
        "countdown--past",
        "countdown--error",
        "countdown--dim",
        "countdown--cursor",
    }

    def __init__(
        self, clock: Clock, local: tzinfo, *, id: str | None = None, classes: str | None = None
    ) -> None:
        self.shown_style = ShownStyles(self)  # its colours as drawn on its background
        super().__init__(id=id, classes=classes)
        self.clock = clock
        self.local = local
        self._lines: list[Text] = []
        self._starts: list[int] = []  # the line each event starts at
        self._clock_width = CLOCK_WIDTH  # of the widest time left of the events as drawn
        # what the lines were laid out for (the width, the layout, the styles; None: lay
        # them out again), when, and until when the clocks keep their shapes (`clock_turns`)
        self._laid_out: Layout | None = None
        self._laid_out_at: datetime | None = None
        self._turns_at: datetime | None = None
        self._now: datetime | None = None  # the time of the clocks in view
        self._drawn: list[datetime | None] = []  # the time each event's lines tell (or None)
        # whether the user moved the cursor (keys, a click): until then it follows the soonest
        # event to come, and the pane shows it at its top
        self._picked = False
        self._focused_before_click = False

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.shown_style.forget()  # (another theme, or the focus: its colours change)
        if self.is_mounted:  # laid out in the new colours now, not at the next second's tick
            self.call_later(self.tick)

    def on_mount(self) -> None:
        self.tick()
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """The clocks of the events in view as of now; every event laid out again only when
        the width, the styles, the events or their counts changed, or when a clock may take
        another shape (a day's digit fewer, under the hour: `clock_turns`)."""
        now = self.clock()
        width = self.scrollable_content_region.width or 80
        layout = Layout(width, is_narrow(self), self._styles())
        if layout != self._laid_out or not self._holds(now):
            self._lay_out(now, layout)
            return
        self._now = now
        top = int(self.scroll_y)
        bottom = top + self.scrollable_content_region.height
        changed: list[int] = []
        for n in range(max(0, bisect_right(self._starts, top) - 1), len(self._starts)):
            if self._starts[n] >= bottom:
                break
            lines = self._redraw(n)
            if lines is None:  # (its lines took another count)
                self._lay_out(now, layout)
                return
            changed += lines
        for y in changed:  # (after: a repaint asked for forgets the styles looked up)
            self.refresh_line(y)

    def _styles(self) -> tuple[Style, ...]:
        """The pane's colours as the theme has them now: another theme lays out again."""
        return tuple(self.shown_style(name) for name in sorted(self.COMPONENT_CLASSES))

    def _holds(self, now: datetime) -> bool:
        """Whether every event's lines keep their count from the layout to `now`."""
        if self._laid_out_at is None or now < self._laid_out_at or not self.events:
            return False  # (a clock set back: the shapes it left may come again)
        return self._turns_at is None or now <= self._turns_at

    def _lay_out(self, now: datetime, layout: Layout) -> None:
        """Every event's lines made and wrapped again, and the pane sized to them."""
        width, narrow, _ = layout
        timed = [event.when for event in self.events if event.when is not None]
        self._turns_at = min((clock_turns(when, now) for when in timed), default=None)
        lines: list[Text] = []
        starts: list[int] = []  # the line each event's lines start at
        for text in self.event_texts(now, width):
            starts.append(len(lines))
            lines.extend(self._wrap(text, width, narrow))
        self._laid_out, self._laid_out_at, self._now = layout, now, now
        self._drawn = [now] * len(self.events)
        self._starts = starts
        old = self._lines
        self._lines = lines
        if len(lines) != len(old) or self.virtual_size.width != width:  # (resized)
            self.virtual_size = Size(width, len(lines))
            self.refresh()
            # the cursor's event stays in view of the lines as wrapped now, once laid out
            # (until then the scrollbar is as it was, and a pane grown scrollable would not
            # scroll): a terminal resized left it out of view, and enter filtered to an
            # event no line showed
            self.call_after_refresh(self._show_cursor)
            return
        for y, (new, before) in enumerate(zip(lines, old, strict=True)):
            if new.plain != before.plain or new.spans != before.spans:
                self.refresh_line(y)

    def _wrap(self, text: Text, width: int, narrow: bool) -> list[Text]:
        """An event's lines: wrapped to the width, or one cut short in the narrow layout."""
        return list(
            text.wrap(
                self.app.console, width, no_wrap=narrow, overflow="ellipsis" if narrow else None
            )
        )

    def _redraw(self, n: int) -> list[int] | None:
        """Make the lines of the event `n` again as of the last tick, unless they are; the
        lines that changed, or None when they would take another count of lines than laid
        out (they are left as they were)."""
        if self._laid_out is None or self._now is None or self._drawn[n] == self._now:
            return []
        width, narrow, _ = self._laid_out
        start = self._starts[n]
        end = self._starts[n + 1] if n + 1 < len(self._starts) else len(self._lines)
        lines = self._wrap(self._event_text(n, self._now, width), width, narrow)
        if len(lines) != end - start:
            return None
        self._drawn[n] = self._now
        changed: list[int] = []
        for y, (new, before) in enumerate(zip(lines, self._lines[start:end], strict=True), start):
            self._lines[y] = new
            if new.plain != before.plain or new.spans != before.spans:
                changed.append(y)
        return changed

    def _forget(self, place: int) -> None:
        """The lines of the event at `place` made again when next drawn (the cursor came
        or went)."""
        if self._drawn:
            self._drawn[place % len(self._drawn)] = None

    def render_line(self, y: int) -> Strip:
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        if self._starts and len(self._drawn) == len(self._starts):
            # an event scrolled into view shows its clock as of the last tick, not as of
            # when it was last in view
            n = bisect_right(self._starts, index) - 1
            if self._redraw(n) is None:  # (being drawn: no line to repaint)
                self._laid_out = None  # (laid out again at once)
                self.call_later(self.tick)
        return text_strip(self._lines[index], self.app.console, width, base)

    def watch_cursor(self, before: int, after: int) -> None:
        self._forget(before)  # its lines drawn again with, and without, the cursor's colours
        self._forget(after)
        if self.is_mounted:
            self.tick()
            self._show_cursor()

    def _show_cursor(self) -> None:
        """Scroll the cursor's event into view, whatever the height; until the user picks
        an event, scroll its event (the soonest to come) to the top. A pane scrolled to the
        place of an event it followed kept the soonest ones above its top edge."""
        if not (self.events and self._starts):
            return
        n = self.cursor % len(self.events)
        start = self._starts[n]
        end = self._starts[n + 1] if n + 1 < len(self._starts) else len(self._lines)
        region = Region(0, start, 1, max(1, end - start))
        self.scroll_to_region(region, animate=False, top=not self._picked)

    def watch_events(self, old: list[Event], new: list[Event]) -> None:
        """Keep the cursor on the event the user picked when the list reorders (one added
        before it, one that passed moving after the events to come): it stayed at its place,
        and enter filtered to whichever event had moved there. Until the user picks one, the
        cursor is on the soonest event to come (it followed the first event of the config,
        past or not, wherever the countdown's order moved it)."""
        if not new:
            self._picked = False
        self._laid_out = None
        place = self.cursor
        if not self._picked:
            place = _soonest(new, self.clock())
        elif old:
            was = self.cursor % len(old)
            found = _place_of(old[was], new, was)
            # (the event picked is gone: the one now at its place, or the last)
            place = min(was, len(new) - 1) if found is None else found
        if bool(old) != bool(new):
            self.refresh_bindings()  # enter filters to an event only when there is one
        if place != self.cursor:
            self.cursor = place  # (drawn and scrolled to by watch_cursor)
        elif self.is_mounted:
            self.tick()
            self._show_cursor()

    def watch_matches(self) -> None:
        self._laid_out = None
        if self.is_mounted:
            self.tick()

    def on_resize(self) -> None:
        self._lines = []  # re-wrap everything at the new width
        self._laid_out = None
        self.tick()

    def on_focus(self) -> None:
        self.call_later(self._redraw_cursor)  # after Textual has set has_focus

    def on_blur(self) -> None:
        self.call_later(self._redraw_cursor)

    def _redraw_cursor(self) -> None:
        """The cursor's event in its colours, or out of them."""
        self._forget(self.cursor)
        self.tick()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Enter filters to an event only when there is one: the footer offered "Filter to
        event" on the line saying there are no events."""
        if action == "choose":
            return bool(self.events)
        return True

    def on_key(self, event: textual_events.Key) -> None:
        """With no events, a key that filters to one is kept here. Refused by
        `check_action`, it went on to the dashboard, whose enter opened the highlighted
        headline from a pane that says there is nothing to pick."""
        if self.events:
            return
        if any(b.action == "choose" for b in self._bindings.key_to_bindings.get(event.key, ())):
            event.stop()
            event.prevent_default()

    def action_cursor(self, step: int) -> None:
        if self.events:
            self._picked = True
            self.cursor = (self.cursor + step) % len(self.events)

    def action_choose(self) -> None:
        if self.events:
            self.post_message(self.Chosen(self.events[self.cursor % len(self.events)]))

    def focus_on_click(self) -> bool:
        """Note whether the pane had the focus as a click begins: the event it highlights is
        then what the user sees picked, and a click on it filters to it."""
        self._focused_before_click = self.has_focus
        return True

    def on_click(self, event: textual_events.Click) -> None:
        """Pick the event under the pointer (a click took the focus and left the cursor
        where it was: enter then filtered to another event); a click on the event already
        picked while the pane had the focus (the second of a double click, too) filters to
        it, as enter does."""
        offset = event.get_content_offset(self)  # None on the padding: no event there
        if offset is None or not self.events:
            return
        line = int(self.scroll_y) + offset.y
        if line >= len(self._lines):
            return  # below the last event
        place = bisect_right(self._starts, line) - 1
        again = self._focused_before_click and place == self.cursor % len(self.events)
        self._picked = True
        self.cursor = place
        if again:
            self.action_choose()

    def event_texts(self, now: datetime, width: int) -> list[Text]:
        """Each event's text, the one the cursor is on in its colours."""
        if not self.events:
            style = self.shown_style("countdown--dim")
            events, add = key_shown(self.app, "app.events"), key_shown(self.app, "events.add")
            if NO_KEY in (events, add):  # (one unbound: no keys to name)
                return [Text("No events: [[events]] in the config adds one.", style)]
            return [
                Text(
                    f"No events: {events}, then {add}, adds one (or [[events]] in the config).",
                    style,
                )
            ]
        # as wide as the widest clock (an event 1,000 days past or more writes 16
        # characters): that of the soonest event or of the furthest, a time left being
        # longer the further away it is
        timed = [event.when for event in self.events if event.when is not None]
        ends = (min(timed), max(timed)) if timed else ()
        self._clock_width = max(
            [CLOCK_WIDTH] + [len(time_left((when - now).total_seconds())) for when in ends]
        )
        return [self._event_text(n, now, width) for n in range(len(self.events))]

    def _event_text(self, n: int, now: datetime, width: int) -> Text:
        """The text of the event at `n`, in the cursor's colours when it is on it."""
        text = Text()
        self._event(text, self.events[n], now, width)
        if self.has_focus and n == self.cursor % len(self.events):
            cursor = self.shown_style("countdown--cursor")
            text.stylize(cursor)  # over the urgency colours
        return text

    def _event(self, out: Text, event: Event, now: datetime, width: int) -> None:
        style = self.shown_style
        if event.when is None:
            out.append(drawn(event.name), style("countdown--name"))
            out.append(f"  cannot count down: {event.error}", style("countdown--error"))
            return
        seconds = (event.when - now).total_seconds()
        level = urgency(seconds)
        mark = {"past": "done", "hour": "<1h!", "day": "<24h", "later": ""}[level]
        clock = time_left(seconds)
        count = self.matches.get(event.query) if event.query else None
        here = event_zone(event.tz, self.local)
        wide = self._clock_width
        if is_narrow(self):  # one line per event
            out.append(f"{clock:>{wide}} ", style(f"countdown--{level}"))
            if mark:
                out.append(f"{mark} ", style(f"countdown--{level}"))
            out.append(drawn(event.name), style("countdown--name"))
            out.append(f"  {wall_short(event.when, here, now)}", style("countdown--dim"))
            return
        out.append(drawn(event.name), style("countdown--name"))
        if count is not None:
            noun = "headline" if count == 1 else "headlines"
            out.append(f"  {count} {noun}", style("countdown--dim"))
        out.append("\n  ")
        out.append(f"{clock:<{wide}} ", style(f"countdown--{level}"))
        if mark:
            out.append(f"{mark} ", style(f"countdown--{level}"))
        when = wall(event.when, here)
        used = 2 + wide + 1 + (len(mark) + 1 if mark else 0)
        if used + cell_len(when) > width:
            out.append("\n  ")  # a pane too narrow for both: the time on a line of its own
        out.append(when)
        local_text = wall(event.when, self.local)
        if local_text != wall(event.when, here):  # under the event's time where it fits,
            label = f"{local_text} (local)"  # else under its clock, the word dropped last
            indent = 21 if 2 + 21 + cell_len(label) <= width else 0
            if 2 + indent + cell_len(label) > width:
                label = local_text
            out.append(f"\n  {'':<{indent}}{label}", style("countdown--dim"))


def _soonest(events: list[Event], now: datetime) -> int:
    """The place of the soonest event to come among `events` (the first when none is)."""
    coming = [
        (event.when, n)
        for n, event in enumerate(events)
        if event.when is not None and event.when >= now
    ]
    return min(coming)[1] if coming else 0


def _identity(event: Event) -> tuple[str, str]:
    """What an event is across reloads: an app's by its id, a config's by its name."""
    return event.origin, event.ident or event.name


def _place_of(picked: Event, events: list[Event], near: int) -> int | None:
    """Where the event picked is in `events` (None: gone). Of several config events of one
    name, the one just as it was (the cursor went to the first of the name, and enter
    filtered to its query); one edited meanwhile, the one of the name nearest `near`."""
    same = [n for n, event in enumerate(events) if _identity(event) == _identity(picked)]
    exact = [n for n in same if events[n] == picked]
    return min(exact or same, key=lambda n: abs(n - near), default=None)
