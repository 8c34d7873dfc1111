"""The countdown pane: which events it shows, where its cursor is, clicks and its keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot

from fetchers.events import EventBook
from fetchers.models import Event
from fetchers.query import parse_query
from tests.conftest import (
    FROZEN,
    dash,
    make_app,
    many_events_app,
    piloted,
    screen_text,
    seed_only_config,
    seen,
    settle,
    until,
)
from tests.test_app_events import open_add_form, type_text
from tui.app import WirewatchApp
from tui.format import clock_turns, time_left
from tui.messages import EventsLoaded
from tui.screens.help import HelpScreen
from tui.widgets import countdown as countdown_module
from tui.widgets.countdown import urgency


@pytest.fixture
def week_app(tmp_path: Path) -> WirewatchApp:
    """A dashboard on the embedded config with seven events of its own: one past (listed
    first), then one within the hour and one a day, two days... five days ahead."""
    config = seed_only_config(tmp_path)
    ahead = [
        ("Rate decision", timedelta(minutes=59)),
        ("Budget vote", timedelta(days=1)),
        ("Trade talks", timedelta(days=2)),
        ("Election day", timedelta(days=3)),
        ("Court ruling", timedelta(days=4)),
        ("Launch window", timedelta(days=5)),
    ]
    config.events = [Event("Old summit", FROZEN - timedelta(days=2), "UTC", query="summit")] + [
        Event(name, FROZEN + delta, "UTC", query=name.split()[0].lower()) for name, delta in ahead
    ]
    return make_app(tmp_path, config)


def countdown_lines(app: WirewatchApp) -> list[str]:
    """The countdown pane's lines as the terminal shows them."""
    countdown = dash(app).countdown
    return [
        countdown.render_line(y).text.strip()
        for y in range(countdown.scrollable_content_region.height)
    ]


async def click_event(pilot: Pilot[None], app: WirewatchApp, name: str, times: int = 1) -> None:
    """Click the first line of the event `name` in the countdown pane, as drawn."""
    countdown = dash(app).countdown
    (y,) = [y for y, line in enumerate(countdown_lines(app)) if name in line][:1]
    content = countdown.scrollable_content_region  # (inside the pane's border)
    at = (content.x - countdown.region.x + 2, content.y - countdown.region.y + y)
    await pilot.click(countdown, offset=at, times=times)
    await pilot.pause(0.1)


@pytest.mark.parametrize("size", [(80, 24), (120, 36)])
async def test_an_event_added_soonest_shows_at_the_top_of_the_countdown(
    week_app: WirewatchApp, size: tuple[int, int]
) -> None:
    """An event added for ten minutes from now: the pane stayed scrolled to its end (its
    cursor had followed the config's first event, a past one, to the end of the list), the
    soonest events above its top edge; at 80 columns, a strip of five lines, only the
    distant and past events showed."""
    async with piloted(week_app, size) as pilot:
        await settle(week_app, pilot, want=6)
        await open_add_form(week_app, pilot)
        await type_text(pilot, "Flash vote")
        await pilot.press("tab")
        await type_text(pilot, "in 10 minutes")
        await pilot.press("enter")
        await seen(week_app).wait_for(EventsLoaded, lambda m: m.done == "Added Flash vote")
        await until(pilot, lambda: week_app.screen is dash(week_app))
        await pilot.pause(0.1)
        shown = countdown_lines(week_app)
        assert "Flash vote" in shown[0], shown
        assert any("Rate decision" in line for line in shown), shown


@pytest.mark.parametrize(("before", "after"), [((160, 50), (120, 30)), ((80, 24), (120, 36))])
async def test_the_event_picked_stays_in_view_after_a_resize_under_the_help(
    week_app: WirewatchApp, before: tuple[int, int], after: tuple[int, int]
) -> None:
    """The help opened, the terminal resized, the help closed: the pane kept its old scroll,
    and the event its cursor was on (the one enter filters to) was out of view."""
    async with piloted(week_app, before) as pilot:
        await settle(week_app, pilot, want=6)
        countdown = dash(week_app).countdown
        countdown.focus()
        await pilot.pause(0.1)
        for _ in countdown.events:
            if countdown.events[countdown.cursor].name == "Court ruling":
                break
            await pilot.press("j")
        await pilot.pause(0.1)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(week_app.screen, HelpScreen))
        await pilot.resize_terminal(*after)
        await pilot.pause(0.2)
        await pilot.press("escape")
        await until(pilot, lambda: week_app.screen is dash(week_app))
        await pilot.pause(0.2)
        assert countdown.has_focus
        assert countdown.events[countdown.cursor].name == "Court ruling"
        shown = countdown_lines(week_app)
        assert any("Court ruling" in line for line in shown), shown


async def test_the_countdown_cursor_starts_on_the_soonest_event(week_app: WirewatchApp) -> None:
    """The config lists a past event first: tab then enter filtered to it, not to the event
    the pane shows first."""
    async with piloted(week_app, (160, 50)) as pilot:
        await settle(week_app, pilot, want=6)
        dash(week_app).countdown.focus()
        await pilot.pause(0.1)
        await pilot.press("enter")
        await until(pilot, lambda: dash(week_app).query_text != "")
        assert dash(week_app).query_text == "rate"


async def test_a_click_on_an_event_picks_it_and_a_second_click_filters_to_it(
    week_app: WirewatchApp,
) -> None:
    """A click took the focus and left the cursor where it was: enter then filtered to
    another event than the one clicked."""
    async with piloted(week_app, (160, 50)) as pilot:
        await settle(week_app, pilot, want=6)
        await click_event(pilot, week_app, "Trade talks")
        countdown = dash(week_app).countdown
        assert countdown.has_focus
        assert countdown.events[countdown.cursor].name == "Trade talks"
        assert dash(week_app).query_text == ""  # a first click only picks
        await pilot.press("enter")
        await until(pilot, lambda: dash(week_app).query_text != "")
        assert dash(week_app).query_text == "trade"

        await click_event(pilot, week_app, "Court ruling", times=2)  # a double click filters
        await until(pilot, lambda: dash(week_app).query_text != "trade")
        assert dash(week_app).query_text == "court"
        assert dash(week_app).headlines.has_focus


async def test_an_empty_countdown_says_how_to_add_one_and_offers_no_filter(
    tmp_path: Path,
) -> None:
    """With no events the pane said only "Add [[events]] to the config", not that `e` then
    `a` adds one here; and with the focus on it, the footer offered "⏎ Filter to event" on
    the line saying there are none."""
    config = seed_only_config(tmp_path)
    config.events.clear()
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        assert "No events: e, then a, adds one" in screen_text(app)
        dash(app).countdown.focus()
        await pilot.pause(0.2)
        assert dash(app).countdown.has_focus
        assert "No events" in screen_text(app)
        assert "Filter to event" not in screen_text(app)


async def test_enter_in_an_empty_countdown_opens_no_headline(tmp_path: Path) -> None:
    """With no events, enter in the focused pane went on to the dashboard, which opened
    (and marked read) the highlighted headline from a pane saying there is nothing to pick."""
    config = seed_only_config(tmp_path)
    config.events.clear()
    app = make_app(tmp_path, config)
    app.read_after = 3600  # only a key marks an article read
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        current = dashboard.headlines.current_id
        assert current is not None
        dashboard.countdown.focus()
        await pilot.pause(0.2)
        await pilot.press("enter")
        await pilot.pause(0.3)
        shown = dashboard.session.get(current)
        assert shown is not None and not shown.read
        assert dashboard.countdown.has_focus


def deadlines_app(tmp_path: Path) -> WirewatchApp:
    """Three events named "Deadline", each asking its own query: two of the config's (a
    week and eight days ahead) and one added in the app (nine days ahead)."""
    config = seed_only_config(tmp_path)
    config.events = [
        Event("Deadline", FROZEN + timedelta(days=7), "UTC", query="tariff"),
        Event("Deadline", FROZEN + timedelta(days=8), "UTC", query="nothing-matches-this"),
    ]
    EventBook(tmp_path / "data").add(
        Event("Deadline", FROZEN + timedelta(days=9), "UTC", query="APEC", raw_when="9d")
    )
    return make_app(tmp_path, config)


async def test_events_of_one_name_each_count_the_headlines_of_their_own_query(
    tmp_path: Path,
) -> None:
    """Two events of one name (of the config, or one of the config and one added in the
    app) both showed the headline count of one of them."""
    app = deadlines_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        queries = [event.query or "" for event in dashboard.countdown.events]
        assert queries == ["tariff", "nothing-matches-this", "APEC"]
        counts = [dashboard.session.store.count(parse_query(q, FROZEN)) for q in queries]
        assert len(set(counts)) == 3  # (each query its own number of headlines)
        await until(pilot, lambda: bool(dashboard.event_counts))
        await pilot.pause()
        rows = [line for line in countdown_lines(app) if line.startswith("Deadline")]
        said = [f"Deadline  {n} headline{'' if n == 1 else 's'}" for n in counts]
        assert rows == said


async def test_the_event_picked_stays_picked_among_events_of_its_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second of two config events of one name picked, an event added before them
    moved them down the list: the cursor went to the first of the name, and enter filtered
    to its query."""
    from tui.screens import dashboard as dashboard_module

    monkeypatch.setattr(dashboard_module, "EVENTS_LOOK", 0.1)
    app = deadlines_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        countdown = dashboard.countdown
        countdown.focus()
        await pilot.pause(0.1)
        await pilot.press("j")
        await pilot.pause(0.1)
        assert countdown.events[countdown.cursor].query == "nothing-matches-this"
        since = seen(app).mark()
        EventBook(tmp_path / "data").add(  # by another dashboard on the data dir
            Event("Flash vote", FROZEN + timedelta(hours=1), "UTC", raw_when="in 1 hour")
        )
        await seen(app).wait_for(
            EventsLoaded, lambda m: "Flash vote" in [e.name for e in m.events], since=since
        )
        await until(pilot, lambda: countdown.events[0].name == "Flash vote")
        await pilot.pause(0.1)
        await pilot.press("enter")
        await until(pilot, lambda: dashboard.query_text != "")
        assert dashboard.query_text == "nothing-matches-this"


async def test_a_second_redraws_the_events_in_view_not_every_event(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each second made and wrapped again the text of every event, shown or not, and told
    each one's time left twice (the clock column sized from all): 500 events took a sixth
    of a core of an idle dashboard. A second's tick tells the times left of the events in
    view; one scrolled into view tells its time as of that tick, not as of the last time
    it was in view."""
    app, clock = many_events_app(tmp_path)
    async with piloted(app, (120, 36)) as pilot:
        await settle(app, pilot, want=6)
        countdown = dash(app).countdown
        await pilot.pause()
        told: list[float] = []

        def counted(seconds: float) -> str:
            told.append(seconds)
            return time_left(seconds)

        monkeypatch.setattr(countdown_module, "time_left", counted)
        clock["now"] += timedelta(seconds=1)
        countdown.tick()
        shown = countdown.scrollable_content_region.height
        assert 0 < len(told) <= shown, f"{len(told)} times left told for {shown} lines"
        assert countdown_lines(app)[1].startswith("T-01:59:59")  # the first event's clock

        clock["now"] += timedelta(seconds=1)
        countdown.tick()
        countdown.scroll_end(animate=False)
        await pilot.pause(0.1)
        lines = countdown_lines(app)
        at = next(n for n, line in enumerate(lines) if line.startswith("Deadline 499"))
        assert lines[at + 1].startswith(time_left(2 * 3600 + 7 * 499 - 2)), lines


@pytest.mark.parametrize(
    "seconds",
    [0, 1, 3599, 3600, 3601.5, 86399, 86400, 86400.25, 863999, 864000, 8640000, -0.5, -86399,
     -86400, -86401, -864000, -863999.75],
)  # fmt: skip
def test_a_clock_keeps_its_shape_until_the_instant_it_turns(seconds: float) -> None:
    """The countdown lays its events out again only when a clock may take another length or
    colour (`clock_turns`): up to that instant each keeps its own, and just after it one
    takes another (laid out later, a mark would have run into the date for a second)."""

    def shape(now: datetime) -> tuple[str, int]:
        left = (when - now).total_seconds()
        return urgency(left), len(time_left(left))

    now = FROZEN
    when = now + timedelta(seconds=seconds)
    turn = clock_turns(when, now)
    assert turn >= now
    assert shape(turn) == shape(now) == shape(now + (turn - now) / 2)
    assert shape(turn + timedelta(microseconds=1)) != shape(now)


def test_a_past_clock_near_the_calendars_end_never_turns() -> None:
    """An event of the calendar's last year, passed (a clock held by --now in 9999): the
    instant its clock next turns lies past the calendar's end, which raised OverflowError
    in the countdown's and the events list's tick."""
    now = datetime(9999, 12, 30, tzinfo=UTC)
    assert clock_turns(datetime(9999, 6, 1, tzinfo=UTC), now) == datetime.max.replace(tzinfo=UTC)


async def test_a_clock_coming_within_the_day_takes_its_mark_and_lines_at_once(
    tmp_path: Path,
) -> None:
    """The pane's lines are laid out again only when a clock turns: an event a day and a
    second away has its date beside its clock; two seconds later its clock says "<24h",
    which leaves the date no room there at 140 columns, and the date goes under it."""
    config = seed_only_config(tmp_path)
    config.events = [Event("Rate decision", FROZEN + timedelta(days=1, seconds=1), "UTC")]
    app = make_app(tmp_path, config)
    clock = {"now": FROZEN}
    app.clock = lambda: clock["now"]
    async with piloted(app, (140, 40)) as pilot:
        await settle(app, pilot, want=6)
        countdown = dash(app).countdown
        assert countdown_lines(app)[1] == "T-1d 00:00:01   Sat 2025-10-25 08:00 UTC"
        clock["now"] += timedelta(seconds=2)
        countdown.tick()
        await pilot.pause()
        assert countdown_lines(app)[1:3] == ["T-23:59:59      <24h", "Sat 2025-10-25 08:00 UTC"]


async def test_a_clock_ticking_behind_a_window_repaints_its_lines_not_the_screen(
    tmp_path: Path,
) -> None:
    """With help (or any window) open over the dashboard, a countdown's tick behind it left
    the dashboard to be painted whole at every wake after, and the window over it too: a
    window left open took 7% of a core where the dashboard alone takes 1%. A tick now paints
    the lines it changed, which show through, and closing the window shows the whole
    dashboard as it is by then."""
    config = seed_only_config(tmp_path)
    config.events = [Event("Rate decision", FROZEN + timedelta(hours=5), "UTC")]
    app = make_app(tmp_path, config)
    clock = {"now": FROZEN}
    app.clock = lambda: clock["now"]
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.3)
        window = app.screen
        painted: list[object] = []
        refresh = window.refresh

        def recorded(*regions: object, **options: object) -> object:
            painted.extend(regions)
            return refresh(*regions, **options)  # type: ignore[arg-type]

        window.refresh = recorded  # type: ignore[method-assign]
        for _ in range(3):
            clock["now"] += timedelta(seconds=1)
            dash(app).countdown.tick()
            await pilot.pause(0.2)
        assert painted, "the countdown's ticks behind the window were never painted"
        whole = [region for region in painted if region == app.screen.region]
        assert not whole, f"the whole screen painted {len(whole)} times for three ticks"
        assert "T-04:59:57" in screen_text(app)  # (its lines show through the window)
        await pilot.press("escape")
        await until(pilot, lambda: not isinstance(app.screen, HelpScreen))
        clock["now"] += timedelta(seconds=1)
        dash(app).countdown.tick()
        await pilot.pause(0.2)
        assert "T-04:59:56" in screen_text(app) and "Rate decision" in screen_text(app)
