"""`e`: every event, with keys to filter by one, add, edit and remove (stored ones only)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, tzinfo
from functools import partial
from typing import Literal, NamedTuple

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fetchers.eventtime import EventTime, EventTimeError, read_event_time, zone_name
from fetchers.models import Event
from fetchers.query import QueryError, parse_query
from fetchers.timeparse import zone
from tui.actions import TableOrderedKeys, bindings, hints, key_hint, key_shown
from tui.confirm import PressedTwice
from tui.format import clipped, clock_turns, drawn, event_zone, time_left, wall, wall_short
from tui.screens.picker import move_in
from tui.widgets.footer import KeyFooter
from tui.widgets.oneline import OneLineInput
from tui.widgets.rowlist import RowList

Choice = Literal["filter", "add", "edit", "remove"]


class EventChoice(NamedTuple):
    """What the events screen asks the app to do."""

    action: Choice
    event: Event | None


NAME_FEWEST = 12  # cells of an event's name kept beside its time left and date


class Told(NamedTuple):
    """An event's time left and date as a row says them: longest first, then one each a
    line (`stacked`)."""

    told: list[str]
    stacked: list[str]


class EventRow:
    """An event's row in the list, laid out at the width it is drawn at: its name, then its
    time left and date (`told`: longest first), the name cut to leave them room (a name of
    150 characters pushed them off the row at 80 columns). Where even a short name leaves
    them none they go on a line of their own under it, or one each (`stacked`); where the
    config or the app had it, and its query (`extra`), only as room is left.

    The time left is asked for (`tell`) each time the row is drawn: a tick of the list draws
    again the rows in view, each as of that tick, and leaves the others until they are shown
    (replacing every row's label each second measured every row again: 500 events took a
    third of a core)."""

    def __init__(self, name: str, tell: Callable[[], Told], extra: str) -> None:
        self.name = name
        self.tell = tell
        self.extra = extra

    def __str__(self) -> str:
        return f"{self.name}  {self.tell().told[0]}{self.extra}"

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        said = self.tell()
        for told in said.told:
            room = width - cell_len(told) - 2
            if room >= NAME_FEWEST:
                line = Text()
                line.append(clipped(self.name, room), style="bold")
                yield self._with_extra(line, f"  {told}", width)
                return
        yield _cut(Text.assemble((self.name, "bold")), width)
        for told in said.told:
            if cell_len(told) + 2 <= width:
                yield self._with_extra(Text(), f"  {told}", width)
                return
        for stacked in said.stacked:
            yield _cut(Text(f"  {stacked}"), width)

    def _with_extra(self, line: Text, told: str, width: int) -> Text:
        """`line` and `told` (which fit `width`), then as much of `extra` as fits after."""
        line.append(told)
        room = width - line.cell_len
        if room > 4:  # (less: an ellipsis and a letter or two)
            line.append(clipped(self.extra, room))
        return _cut(line, width)


def _cut(line: Text, width: int) -> Text:
    line.no_wrap = True
    line.truncate(width, overflow="ellipsis")
    return line


class EventList(RowList):
    """The events' rows, each telling its time left as of the list's last tick when drawn."""

    def redraw_rows(self) -> None:
        """Draw the rows in view again, each of the height measured: their time left took
        no other length (`OptionList` keeps each row as drawn until its prompt changes, and
        a prompt replaced measures every row again)."""
        self._option_render_cache.clear()
        top = int(self.scroll_y)
        shown = min(self.virtual_size.height - top, self.scrollable_content_region.height)
        if shown > 0:  # (the lines in view, not the widget: a window's backdrop is costly)
            self.refresh_lines(top, shown)

    def measure_rows(self) -> None:
        """Measure every row again (a time left or a date may take another length, and a row
        another height) and draw the rows in view."""
        self._clear_caches()


class EventsScreen(TableOrderedKeys, ModalScreen[EventChoice | None]):
    """Each event's time left counts down while the list is open, as the countdown pane's:
    each tick draws the rows in view, and measures every row again only when a time left or
    a date may take another length (`clock_turns`, a new day where an event is)."""

    BINDINGS = bindings("events")

    def __init__(
        self, events: list[Event], clock: Callable[[], datetime], local: tzinfo | None = None
    ) -> None:
        super().__init__()
        self.events = events
        self.clock = clock
        self.local = local  # the reader's zone, an event given none is in
        self._removing = PressedTwice()  # d asks to be pressed again
        self._now = clock()  # the time the rows tell, that of the last tick
        # the rows as measured: when, until when every time left keeps its length, and the
        # day it was where each event is (a row's short date names the day by it)
        self._measured_at = self._now
        self._turns_at: datetime | None = None
        self._days: dict[str, date] = {}
        self._measured(self._now)

    def _measured(self, now: datetime) -> None:
        """Note that every row is measured as of `now`."""
        timed = [event.when for event in self.events if event.when is not None]
        self._measured_at = now
        self._turns_at = min((clock_turns(when, now) for when in timed), default=None)
        self._days = {
            event.tz: now.astimezone(event_zone(event.tz, self.local)).date()
            for event in self.events
            if event.when is not None
        }

    def _heights_hold(self, now: datetime) -> bool:
        """Whether every row keeps the lengths it was measured with, at `now`."""
        if now < self._measured_at or (self._turns_at is not None and now > self._turns_at):
            return False  # (a clock set back, or a time left past a turn)
        return all(
            now.astimezone(event_zone(tz, self.local)).date() == day
            for tz, day in self._days.items()
        )

    def _told(self, event: Event) -> Told:
        """The event's time left and date as of the last tick."""
        if event.when is None:
            told = [f"cannot count down: {event.error}"]
            return Told(told, told)
        now = self._now
        left = time_left((event.when - now).total_seconds())
        where = event_zone(event.tz, self.local)
        date_said, short = wall(event.when, where), wall_short(event.when, where, now)
        return Told([f"{left}  {date_said}", f"{left}  {short}"], [left, short])

    def _label(self, event: Event) -> EventRow:
        extra = "  (config, read-only)" if event.origin == "config" else "  (added in the app)"
        if event.query:
            extra += f"  query: {event.query}"
        return EventRow(drawn(event.name), partial(self._told, event), extra)

    def compose(self) -> ComposeResult:
        options = [Option(self._label(e), id=str(n)) for n, e in enumerate(self.events)]
        with Vertical(id="picker-box"):
            yield Static(Text("Events", style="bold"), id="picker-title")
            yield EventList(*options, id="picker-list")
            yield Static(
                Text(
                    hints(
                        "enter filters",
                        key_hint(key_shown(self.app, "events.add"), "adds"),
                        key_hint(key_shown(self.app, "events.edit"), "edits"),
                        key_hint(key_shown(self.app, "events.remove"), "removes"),
                        key_hint(key_shown(self.app, "events.close"), "closes"),
                    )
                ),
                id="picker-footer",
            )
        yield KeyFooter()  # its own keys: the dashboard's beneath are not in force

    def on_mount(self) -> None:
        self.set_interval(1.0, self.tick)

    def tick(self) -> None:
        """Every time left as of now, drawn for the rows in view (a row of an unreadable
        time says the same)."""
        now, shown = self.clock(), self.query_one(EventList)
        self._now = now
        if not self._days:
            return  # no event has a time: each row says the same
        if self._heights_hold(now):
            shown.redraw_rows()
            return
        self._measured(now)
        shown.measure_rows()

    def _current(self) -> Event | None:
        index = self.query_one(OptionList).highlighted
        return self.events[index] if index is not None and index < len(self.events) else None

    def on_option_list_option_selected(self, message: OptionList.OptionSelected) -> None:
        self.dismiss(EventChoice("filter", self.events[int(message.option.id or 0)]))

    def action_close(self) -> None:
        self.dismiss(None)

    def action_move(self, step: int) -> None:
        move_in(self.query_one(OptionList), step)

    def action_add(self) -> None:
        self.dismiss(EventChoice("add", None))

    def _stored(self, verb: str) -> Event | None:
        event = self._current()
        if event is None:
            return None
        if event.origin == "config":
            self.notify(
                f"{event.name} comes from the config file; {verb} it there.",
                severity="warning",
                markup=False,
            )
            return None
        return event

    def action_edit(self) -> None:
        event = self._stored("edit")
        if event is not None:
            self.dismiss(EventChoice("edit", event))

    def action_remove(self) -> None:
        event = self._stored("remove")
        if event is None:
            return
        if not self._removing.confirmed(event.ident or event.name):
            key = key_shown(self.app, "events.remove")
            self.notify(f"Press {key} again to remove {event.name}.", markup=False)
            return
        self.dismiss(EventChoice("remove", event))


class EventForm(TableOrderedKeys, ModalScreen[Event | None]):
    """Name, time as people write it (read live, with the reason when it cannot be), zone and
    query. enter saves when the time reads one way; escape cancels.

    Editing keeps a stored event's instant while its time and zone are as saved: "next
    Tuesday" read again a week later would be another day."""

    BINDINGS = bindings("event_form")

    def __init__(
        self,
        clock: Callable[[], datetime],
        default_tz: str | None,
        local: tzinfo,
        date_order: str | None,
        event: Event | None = None,
        name: str = "",
        when_text: str = "",
        query: str = "",
        zone_text: str = "",
        as_new: bool = False,  # `event` is gone from the store: saved, it is added anew
    ) -> None:
        super().__init__()
        self.as_new = as_new
        # read at each reading of the fields, not once: "18:30" and "in 1 minute" typed in a
        # form opened a while before are read from when they are saved
        self.clock = clock
        self.default_tz = default_tz
        self.local = local
        self.date_order = date_order
        self.event = event
        self.start_name = event.name if event else name
        stored_tz = event.tz if event and event.tz != "local" else None
        self.start_tz = zone_text or stored_tz or default_tz or ""
        self.start_when = when_text
        if event is not None:
            self.start_when = event.raw_when
            if not self.start_when and event.when is not None:  # a hand-edited events.json
                shown = event.when.astimezone(event_zone(self.start_tz or "local", local))
                self.start_when = f"{shown:%Y-%m-%d %H:%M}"
        self.start_query = query or ((event.query or "") if event else "")

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            title = "Edit event" if self.event else "Add event"
            if self.as_new:
                title = "Add event (the one edited was removed elsewhere)"
            yield Static(Text(title, style="bold"))
            yield OneLineInput(
                self.start_name, placeholder="name: APEC Leaders' Meeting", id="ev-name"
            )
            yield OneLineInput(
                self.start_when,
                placeholder="when: Nov 3, 2026 8am KST · 2026년 11월 3일 오후 2시 · next Tuesday",
                id="ev-when",
            )
            yield OneLineInput(self.start_tz, placeholder="zone for times without one", id="ev-tz")
            yield OneLineInput(
                self.start_query, placeholder="query: APEC OR Gyeongju", id="ev-query"
            )
            yield Static("", id="ev-reading")
            yield Static(
                Text(f"enter saves · {key_shown(self.app, 'event_form.cancel')} cancels"),
                id="ev-help",
            )

    def on_mount(self) -> None:
        self.query_one("#ev-name", Input).focus()
        self._read()

    def on_input_changed(self, message: Input.Changed) -> None:
        self._read()

    def _read(self) -> Event | None:
        reading = self.query_one("#ev-reading", Static)
        name = self.query_one("#ev-name", Input).value.strip()
        text = self.query_one("#ev-when", Input).value.strip()
        typed_tz = self.query_one("#ev-tz", Input).value.strip()
        field = None if typed_tz in ("", "local") else typed_tz
        if not text:
            reading.update(Text("Type when it happens."))
            return None
        kept = self._saved_instant(text, typed_tz)
        field_zone = None
        try:
            # (a time given no zone is in the reader's, as a config's event is; the field
            # takes what a time does: "Asia/Seoul", "KST", "UTC+9")
            field_zone = zone_name(field) if field else None
            read = read_event_time(text, field or self.default_tz, self.clock(), self.date_order)
        except (EventTimeError, ValueError, OverflowError) as exc:
            if kept is None:
                reading.update(Text(f"✗ {exc}"))
                return None
            read = None  # (a stored time that reads no more, kept as saved)
        when = kept or (read.when if read is not None else None)
        assert when is not None
        written = read.zone if read is not None else None
        clash = self._zone_clash(typed_tz, read, field_zone, when)
        if clash:
            reading.update(Text(f"✗ {clash}"))
            return None
        tz = written or field_zone
        shown_in = event_zone(tz) if tz else self.local
        shown = f"→ {wall(when, shown_in)}"
        if shown_in is not self.local:
            shown += f"  ·  {wall(when, self.local)} local"
        if kept is not None:
            shown += "  ·  as saved (change the time to read it again)"
        query = self.query_one("#ev-query", Input).value.strip() or None
        if query is not None:  # as a config's event's query is checked at load
            try:
                parse_query(query, self.clock())
            except QueryError as exc:
                reading.update(Text(f"{shown}\n✗ query: {exc}"))
                return None
        reading.update(Text(shown))
        if not name:
            return None
        return Event(
            name=name,
            when=when,
            tz=tz or "local",
            query=query,
            raw_when=text,
            ident=self.event.ident if self.event else None,
            origin="store",
        )

    def _zone_clash(
        self, typed_tz: str, read: EventTime | None, field_zone: str | None, when: datetime
    ) -> str | None:
        """Why the zone the time names and a zone typed in the field cannot both be meant:
        the time's zone is the event's while the field holds what it was opened with (the
        reader's, or the event's), but one typed there that shows another clock at that
        time is refused, not guessed between."""
        if read is None or read.zone is None or field_zone is None:
            return None
        if typed_tz == self.start_tz.strip():
            return None
        in_time, in_field = when.astimezone(zone(read.zone)), when.astimezone(zone(field_zone))
        if in_time.utcoffset() == in_field.utcoffset():
            return None
        return (
            f"the time says {read.zone_said()}, the zone field {typed_tz}: clear the field,"
            " or take the zone out of the time"
        )

    def _saved_instant(self, text: str, typed_tz: str) -> datetime | None:
        """The stored event's instant while its time and zone fields are as they were."""
        if self.event is None or self.event.when is None:
            return None
        if text != self.start_when.strip() or typed_tz != self.start_tz.strip():
            return None
        return self.event.when

    def on_input_submitted(self, message: Input.Submitted) -> None:
        event = self._read()
        if event is None:
            self.notify(
                "Give a name, a time that reads one way, and a query that reads (or none).",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(event)

    def action_cancel(self) -> None:
        self.dismiss(None)
