"""The source, tag and health pickers."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from fetchers.config import Config
from fetchers.healthbook import HealthBook
from fetchers.models import Source, SourceHealth
from fetchers.store import Store
from tests.conftest import (
    FROZEN,
    FeedServer,
    Route,
    dash,
    make,
    make_app,
    piloted,
    rss,
    screen_text,
    seed_only_config,
    seen,
    send_keys_in_one_read,
    settle,
    until,
)
from tui.app import WirewatchApp
from tui.messages import Counted, CycleDone, LeadsRead
from tui.screens.events import EventsScreen
from tui.screens.picker import PickerScreen


async def test_j_and_k_move_in_the_pickers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("s")  # its counts are read in a thread, then it opens
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("j", "j", "k", "enter")
        await settle(app, pilot)
        second = app.config.sources[1].name
        assert dash(app).query_text == f'source:"{second}"'
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        await pilot.press("j", "enter")  # the second event: APEC
        await settle(app, pilot)
        assert dash(app).query_text == "APEC OR Gyeongju OR tag:apec"


async def test_g_and_capital_g_go_to_the_first_and_last_rows_of_a_picker(tmp_path: Path) -> None:
    """`G` did nothing in the source picker (`end` went to the last row), where it goes to
    the oldest headline."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("G", "enter")
        await settle(app, pilot)
        assert dash(app).query_text == f'source:"{app.config.sources[-1].name}"'
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("j", "j", "g", "enter")
        await settle(app, pilot)
        assert dash(app).query_text == f'source:"{app.config.sources[0].name}"'


async def test_keys_typed_before_a_picker_opens_go_to_the_picker(tmp_path: Path) -> None:
    """The source picker opens once its counts are in; down and enter typed with `s` wait."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        send_keys_in_one_read(app, "s", "down", "enter")
        await seen(app).wait_for(Counted)
        await settle(app, pilot)
        # the second row: down went to the picker, not to the headlines behind it
        assert dash(app).query_text == f'source:"{app.config.sources[1].name}"'
        await pilot.pause(0.1)
        assert not isinstance(app.screen, PickerScreen)


async def pick_the_first_source(app: WirewatchApp, pilot: Pilot) -> None:
    """`s`, once the sources are counted, then `enter` on the first row."""
    await pilot.press("s")
    await seen(app).wait_for(Counted)
    await pilot.pause()
    assert isinstance(app.screen, PickerScreen)
    await pilot.press("enter")
    await settle(app, pilot)


async def test_the_source_picker_filters_to_the_chosen_source(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pick_the_first_source(app, pilot)
        assert dashboard.query_text == 'source:"Yonhap via Korea Herald"'


async def test_the_tag_picker_filters_to_the_chosen_tag(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("t")
        await seen(app).wait_for(Counted)
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        assert "korea" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert dashboard.query_text.startswith("tag:")
        assert dashboard.matching == 6


async def test_capital_h_shows_each_sources_health(tmp_path: Path, feed_server: FeedServer) -> None:
    config = seed_only_config(tmp_path)
    down = feed_server.add("/down.xml", Route(b"", status=503))
    config.sources.append(Source("Down Wire", url=down))
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await seen(app).wait_for(CycleDone)
        await pilot.pause()
        since = seen(app).mark()
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead, since=since)  # who reported first: in a thread
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        shot = screen_text(app)
        assert "Source health" in shot and "Yonhap via Korea Herald" in shot
        down_row = next(line for line in shot.splitlines() if "Down Wire" in line)
        assert "error" in down_row and "503" in down_row
        assert "1 failed in a row HTTP 503" in down_row
        if "first" in down_row:  # the error before who was first: a narrow screen shows it
            assert down_row.index("HTTP 503") < down_row.index("first")
        await pilot.press("escape")
        await pilot.resize_terminal(80, 24)  # a row a line, cut short, never wrapped
        await until(pilot, lambda: not isinstance(app.screen, PickerScreen))
        since = seen(app).mark()
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead, since=since)
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("home")  # failing: the first row (the footer takes two lines here)
        await pilot.pause()
        # (its row: the name is said again under the list, with its address)
        rows = [line for line in screen_text(app).splitlines() if " 503 Down Wire " in line]
        (row,) = rows
        # (the dashboard's border may show beside the window's row: "…▎│───╮")
        assert "error" in row and "503" in row and row.rstrip(" │▌▎─╮").endswith("…")
        assert "1 failed in a row HTTP 503" in row  # why it fails, at 80 columns too


async def test_the_health_picker_follows_a_poll_while_open_and_keeps_its_highlight(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A source that failed recovers at a poll made while H is open: its row says so in
    place, the highlight still on it (it said the failure until H was closed and opened)."""
    config = seed_only_config(tmp_path)
    route = Route(b"", status=503)
    config.sources.append(Source("Down Wire", url=feed_server.add("/down.xml", route)))
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await seen(app).wait_for(CycleDone)
        await pilot.pause()
        since = seen(app).mark()
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead, since=since)
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        await pilot.pause()  # (Down Wire, failing: the first row, highlighted)

        def down_row() -> str:
            rows = screen_text(app).splitlines()
            return next(line for line in rows if "Down Wire" in line and " ok " in line)

        assert "1 failed in a row HTTP 503" in down_row()
        route.status, route.body = 200, rss("<title>Back up</title><guid>b1</guid>")
        since = seen(app).mark()
        dashboard.action_refresh()  # (r goes to the picker while it is open)
        await seen(app).wait_for(CycleDone, since=since)
        await pilot.pause()
        assert app.screen is picker
        assert "failed" not in down_row() and "error" not in down_row()
        listed = picker.query_one(OptionList)
        assert listed.highlighted is not None
        assert listed.get_option_at_index(listed.highlighted).id == "Down Wire"


async def test_a_source_named_with_quotes_is_filtered_to_from_the_picker(tmp_path: Path) -> None:
    """The picker writes the name as the query language reads it (a quote written twice
    inside quotes): the list is that source's, not a malformed filter left over the last."""
    config = seed_only_config(tmp_path)
    first = config.sources[0]
    first.name = 'The "Daily" Wire'
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pick_the_first_source(app, pilot)
        assert dashboard.query_text == 'source:"The ""Daily"" Wire"'
        assert not any(n.severity == "error" for n in app._notifications)
        ids = [i for i in dashboard.headlines.ids if i]  # (a row not read yet is "")
        records = dashboard.session.records(ids)
        assert dashboard.matching == len(records) > 0
        assert {r.source for r in records} == {'The "Daily" Wire'}


MOVED = "HTTP 404 Not Found: the feed moved to https://desk.example/rss/all-news.xml on 2025-10-20"


def failing_sources(tmp_path: Path, names: list[str]) -> Config:
    """Sources that each failed six times in a row (404, the feed moved), polled a minute
    ago and due again in an hour; six stored articles."""
    config = seed_only_config(tmp_path)
    config.sources = [Source(name, url=f"https://{n}.example/feed") for n, name in enumerate(names)]
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(6)])
        HealthBook(tmp_path / "data").save(
            {
                s.name: SourceHealth(
                    s.name,
                    s.location,
                    status="error",
                    http_status=404,
                    failures=6,
                    last_error=MOVED,
                    last_polled=FROZEN - timedelta(minutes=1),
                    next_poll=FROZEN + timedelta(hours=1),
                )
                for s in config.sources
            }
        )
    return config


async def open_health(app: WirewatchApp, pilot: Pilot) -> PickerScreen:
    since = seen(app).mark()
    await pilot.press("H")
    await seen(app).wait_for(LeadsRead, since=since)
    await until(pilot, lambda: isinstance(app.screen, PickerScreen))
    await pilot.pause()
    assert isinstance(app.screen, PickerScreen)
    return app.screen


async def test_the_health_picker_says_why_the_highlighted_source_fails_whole(
    tmp_path: Path,
) -> None:
    """At 80 columns a failing source's row cut its error to "HTTP 404 No…", and nothing
    else in the dashboard said it: the highlighted source's last error is said whole under
    the list, with its address."""
    app = make_app(tmp_path, failing_sources(tmp_path, ["Yonhap", "Missing 404"]), poll=False)
    async with piloted(app, (80, 24)) as pilot:
        await settle(app, pilot, want=6)
        await open_health(app, pilot)
        await pilot.press("j")  # Missing 404
        await pilot.pause()
        shot = screen_text(app)
        assert re.search(r"\b404 Missing 404 +6 failed in a row HTTP 404 No", shot)
        assert "https://desk.example/rss/all-news.xml on 2025-10-20" in shot
        assert "Missing 404 · https://1.example/feed" in shot


async def test_the_health_picker_says_where_a_feed_moved_for_good(tmp_path: Path) -> None:
    """A feed that moved for good is polled where it moved, and its errors are that
    address's: the health picker said only the config's address, as if it failed."""
    config = failing_sources(tmp_path, ["Yonhap", "Relocated"])
    health = HealthBook(tmp_path / "data").load()
    moved = "https://feeds.example.net/relocated.xml"
    health["Relocated"].permanent_url = moved
    health["Relocated"].last_error = f"HTTP 404 Not Found (at {moved})"
    HealthBook(tmp_path / "data").save(health)
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, (100, 30)) as pilot:
        await settle(app, pilot, want=6)
        await open_health(app, pilot)
        assert "for good" not in screen_text(app)  # (Yonhap's, highlighted: not moved)
        await pilot.press("j")
        await pilot.pause()
        shot = screen_text(app)
        assert f"moved to {moved} for good: update the config" in shot
        assert "Relocated · https://1.example/feed" in shot


async def test_the_health_pickers_columns_follow_the_terminals_width(tmp_path: Path) -> None:
    """Opened at 60 columns and widened to 200, the names stayed 10 cells wide ("Reute…
    Asia", cut in the middle) as they were said when it opened."""
    config = failing_sources(tmp_path, ["Yonhap", "Reuters Business Asia"])
    app = make_app(tmp_path, config)  # (none is due: no poll says the rows again)
    async with piloted(app, (60, 20)) as pilot:
        await settle(app, pilot, want=6)
        await open_health(app, pilot)
        assert re.search(r"\b404 Reute…Asia ", screen_text(app))
        await pilot.resize_terminal(200, 50)
        await until(pilot, lambda: "404 Reuters Business Asia " in screen_text(app))


async def test_the_highlighted_source_stays_in_sight_as_the_terminal_shrinks(
    tmp_path: Path,
) -> None:
    """With the highlight on the last of thirty sources, a terminal made shorter scrolled it
    out of the list."""
    config = failing_sources(tmp_path, [f"Desk {n}" for n in range(30)])
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, (120, 36)) as pilot:
        await settle(app, pilot, want=6)
        picker = await open_health(app, pilot)
        await pilot.press("G")
        await pilot.pause()
        assert re.search(r"\b404 Desk 29 ", screen_text(app))
        for width, height in ((80, 24), (60, 20)):
            await pilot.resize_terminal(width, height)
            await until(pilot, lambda: app.size == (width, height))  # noqa: B023 (awaited here)
            await pilot.pause()
            listed = picker.query_one(OptionList)
            assert listed.highlighted == 29
            assert re.search(r"\b404 Desk 29 ", screen_text(app)), (width, height)


def a_desk_of(tmp_path: Path, names: list[str], failing: set[str]) -> Config:
    """A config of these sources, those `failing` failing (404, three times in a row), the
    others read two hours ago; six stored articles."""
    config = seed_only_config(tmp_path)
    config.sources = [Source(name, url=f"https://{n}.example/feed") for n, name in enumerate(names)]
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(6)])
    health = {}
    for s in config.sources:
        fails = s.name in failing
        health[s.name] = SourceHealth(
            s.name,
            s.location,
            status="error" if fails else "ok",
            http_status=404 if fails else 200,
            failures=3 if fails else 0,
            last_error="HTTP 404 Not Found" if fails else None,
            last_ok=FROZEN - timedelta(hours=2),
            last_polled=FROZEN - timedelta(minutes=1),
            next_poll=FROZEN + timedelta(hours=1),
        )
    HealthBook(tmp_path / "data").save(health)
    return config


DESK = [f"Desk {n:04}" for n in range(2000)]
FAILING = {f"Desk {n:04}" for n in range(1001, 1301)}


def listed_ids(picker: PickerScreen) -> list[str | None]:
    return [option.id for option in picker.query_one(OptionList).options]


def title_of(picker: PickerScreen) -> str:
    return str(picker.query_one("#picker-title", Static).render())


async def test_the_health_picker_lists_the_failing_sources_first_and_says_so(
    tmp_path: Path,
) -> None:
    """Of 2,000 sources in the config's order, the 300 failing at rows 1001-1300 took 45
    page-downs to reach: they come first, in the config's order, then the rest."""
    app = make_app(tmp_path, a_desk_of(tmp_path, DESK, FAILING), poll=False)
    async with piloted(app, (120, 36)) as pilot:
        await settle(app, pilot, want=6)
        picker = await open_health(app, pilot)
        assert "Source health · 300 of 2,000 failing, listed first" in screen_text(app)
        ids = listed_ids(picker)
        assert ids[:300] == [f"Desk {n:04}" for n in range(1001, 1301)]
        assert ids[300:] == [name for name in DESK if name not in FAILING]
        assert re.search(r"error +404 Desk 1001 +3 failed in a row HTTP 404", screen_text(app))


async def test_typing_in_the_health_picker_finds_sources_by_name_status_and_error(
    tmp_path: Path,
) -> None:
    """`/` and a few letters narrow 2,002 rows to those holding them (in any case, with or
    without accents; an error's words too), the title saying how many; escape clears them
    first, then closes; enter chooses the highlighted row found. A name cut at 24 cells lost
    the "(5)" that tells imported duplicates apart: it is cut in the middle."""
    names = [*DESK, "Société Générale Wire (4)", "Société Générale Wire (5)"]
    app = make_app(tmp_path, a_desk_of(tmp_path, names, FAILING), poll=False)
    async with piloted(app, (120, 36)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        picker = await open_health(app, pilot)
        await pilot.press("/", *"NOT FOUND")
        await pilot.pause()
        assert set(listed_ids(picker)) == FAILING
        assert "find “NOT FOUND”: 300 of 2,002" in title_of(picker)
        await pilot.press("escape")  # clears what was typed: every row again, still open
        await pilot.pause()
        assert app.screen is picker and len(listed_ids(picker)) == 2002
        assert "find" not in title_of(picker)
        await pilot.press("/", *"societe generale")  # (g and j are typed, not moves)
        await pilot.pause()
        assert listed_ids(picker) == ["Société Générale Wire (4)", "Société Générale Wire (5)"]
        assert "2 of 2,002" in title_of(picker)
        shot = screen_text(app)
        assert "Wire (4)" in shot and "Wire (5)" in shot  # the ends of the names shown
        await pilot.press(*" (5)", "enter")
        await settle(app, pilot)
        assert dashboard.query_text == 'source:"Société Générale Wire (5)"'


async def test_typing_in_the_source_picker_finds_a_source_by_name(tmp_path: Path) -> None:
    """`s` with 2,002 sources: `/` and part of a name narrow the list to it; escape clears
    what was typed, the picker's keys move again, and escape closes."""
    names = [*DESK, "Reuters World News (4)", "Reuters World News (5)"]
    app = make_app(tmp_path, a_desk_of(tmp_path, names, FAILING), poll=False)
    async with piloted(app, (120, 36)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        await pilot.press("/", *"world news")
        await pilot.pause()
        assert listed_ids(picker) == ["Reuters World News (4)", "Reuters World News (5)"]
        # (2,003: the source of the stored articles, not in the config, listed too)
        assert "Filter by source · find “world news”: 2 of 2,003" in screen_text(app)
        await pilot.press("q")  # typed: a name may hold a q
        await pilot.pause()
        assert app.screen is picker and listed_ids(picker) == []
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is picker and len(listed_ids(picker)) == 2003
        await pilot.press("j", "j", "G")
        await pilot.pause()
        assert picker.query_one(OptionList).highlighted == 2002
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is not picker and dashboard.query_text == ""
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await pilot.press("/", *"NEWS", "down", "enter")  # (the arrows move meanwhile)
        await settle(app, pilot)
        assert dashboard.query_text == 'source:"Reuters World News (5)"'


async def click_row(pilot: Pilot[None], listed: OptionList, row: int, times: int = 1) -> None:
    """Click the list's row `row` (one line each) at the screen's coordinates."""
    region = listed.content_region
    await pilot.click(offset=(region.x + 4, region.y + row), times=times)
    await pilot.pause()


async def test_a_click_highlights_a_row_of_the_events_and_health_lists_and_a_second_acts(
    tmp_path: Path,
) -> None:
    """As in the headlines: one click highlights the row under the pointer (the window's own
    keys then act on it: `e` edits that event), a click on the highlighted row or a
    double-click acts as enter does. One click filtered and closed the window."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        screen = app.screen
        listed = screen.query_one(OptionList)
        assert listed.highlighted == 0
        await click_row(pilot, listed, 1)
        assert app.screen is screen and listed.highlighted == 1  # the click only highlighted
        assert dashboard.query_text == ""
        await click_row(pilot, listed, 1)  # on the highlighted row: enter
        await settle(app, pilot)
        assert dashboard.query_text == "APEC OR Gyeongju OR tag:apec"
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        listed = app.screen.query_one(OptionList)
        await click_row(pilot, listed, 0, times=2)  # a double-click acts at once
        await until(pilot, lambda: not isinstance(app.screen, EventsScreen))
        assert dashboard.query_text not in ("", "APEC OR Gyeongju OR tag:apec")
        since = seen(app).mark()
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead, since=since)
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        listed = picker.query_one(OptionList)
        await click_row(pilot, listed, 2)
        assert app.screen is picker and listed.highlighted == 2
        chosen = listed.get_option_at_index(2).id
        detail = str(picker.query_one("#picker-detail", Static).render())
        assert chosen is not None and chosen in detail  # its name and address said under it
        await click_row(pilot, listed, 2)
        await settle(app, pilot)
        assert chosen in dashboard.query_text
