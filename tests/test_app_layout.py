"""The dashboard's layout through Pilot: every width, resizing, clicks and narrow terminals."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual import events
from textual.pilot import Pilot

from fetchers.config import Config
from fetchers.healthbook import HealthBook
from fetchers.models import Article, Source, SourceHealth
from fetchers.store import Store
from fetchers.story import Story
from fetchers.timeparse import zone
from tests.conftest import (
    FROZEN,
    dash,
    make,
    make_app,
    piloted,
    screen_text,
    seed_only_config,
    seen,
    settle,
    status_text,
    until,
)
from tui.app import WirewatchApp
from tui.format import wall_short
from tui.messages import QueryDone
from tui.widgets.article import ArticleView


async def test_no_color_renders_at_every_width(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """NO_COLOR turns on Textual's monochrome filter, which needs a style on every segment.

    Every width from 60 to 200 at 40 rows (narrow below 110 columns, wide from 110), then
    short terminals, which are narrow at any width."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    app.read_after = 3600
    sizes = [(width, 40) for width in range(60, 201)]
    sizes += [(width, 24) for width in (80, 110, 135, 160, 200)] + [(120, 29), (120, 30)]
    async with piloted(app, (60, 40)) as pilot:
        await settle(app, pilot, want=6)
        assert app.no_color
        for width, height in sizes:
            await pilot.resize_terminal(width, height)
            await pilot.pause()
            assert app.screen.size == (width, height)
            app.screen._compositor.render_update(full=True)  # every line, through the filter
            assert app.is_running, f"the dashboard stopped at {width}x{height}"


def screen_lines(app: WirewatchApp) -> list[str]:
    """The characters of each line of the terminal, as drawn now."""
    update = app.screen._compositor.render_full_update()
    return ["".join(strip.text for strip in line) for line in update.strips]


async def _resized(app: WirewatchApp, pilot: Pilot, width: int, height: int) -> None:
    await pilot.resize_terminal(width, height)
    for _ in range(50):
        await pilot.pause(0.02)
        if app.screen.size == (width, height) and dash(app).headlines.size.width:
            break
    await pilot.pause(0.1)


def _layout(app: WirewatchApp) -> str:
    """wide: three panes side by side and below; narrow: full-width headlines, no article."""
    width = app.size.width
    article, headlines = dash(app).article_view.region, dash(app).headlines.region
    if article.height and headlines.height and headlines.width < width * 0.8:
        return "wide"
    if not article.height and headlines.width == width:
        return "narrow"
    if article.height and not headlines.height:
        return "reading"
    return f"neither: headlines {headlines}, article {article}"


async def test_shrinking_switches_to_the_narrow_layout(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        assert _layout(app) == "wide"
        await pilot.press("enter")  # wide: the article is already beside the headlines
        await pilot.pause(0.1)
        assert _layout(app) == "wide"
        dash(app).article_view.focus()  # a pane the narrow layout hides
        await _resized(app, pilot, 80, 24)
        assert _layout(app) == "narrow"
        countdown = screen_lines(app)[1:4]  # one line per event above the headlines
        assert any("T-6d 16:00:00" in line and "APEC" in line for line in countdown)
        first = dash(app).headlines.current_id
        await pilot.press("j")  # the headlines have the focus
        assert dash(app).headlines.current_id != first
        await pilot.press("enter")  # narrow: the article opens over the headlines
        await pilot.pause(0.2)
        assert _layout(app) == "reading"
        assert dash(app).article_view.article_id == dash(app).headlines.current_id
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert _layout(app) == "narrow"
        await _resized(app, pilot, 160, 28)  # wide enough but short: still narrow
        assert _layout(app) == "narrow"


async def test_growing_switches_to_the_wide_layout(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (80, 24)) as pilot:
        await settle(app, pilot, want=6)
        assert _layout(app) == "narrow"
        await _resized(app, pilot, 160, 50)
        assert _layout(app) == "wide"
        assert dash(app).countdown.region.width < 80  # the countdown is a pane of its own again
        await pilot.press("j")  # the article is read in a thread
        await until(
            pilot, lambda: dash(app).article_view.article_id == dash(app).headlines.current_id
        )
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert _layout(app) == "wide"


async def test_the_highlighted_headline_stays_in_view_as_the_terminal_shrinks(
    tmp_path: Path,
) -> None:
    """Row 19 highlighted at 160x45, then 60x20: the pane showed rows 1-13 and no highlight,
    and enter opened an article no row showed."""
    app = _store(
        tmp_path,
        [_article(n, timedelta(minutes=n), "Wire", f"Headline {n}") for n in range(40)],
    )
    app.read_after = 3600
    async with piloted(app, (160, 45)) as pilot:
        await settle(app, pilot, want=40)
        await pilot.press("g", *["j"] * 18)
        headlines = dash(app).headlines
        assert headlines.current_id == "a18"
        await _resized(app, pilot, 60, 20)
        top, height = int(headlines.scroll_y), headlines.scrollable_content_region.height
        assert top <= headlines.cursor < top + height
        assert any("Headline 18" in line for line in screen_lines(app))


async def wheel_down(pilot: Pilot, notches: int) -> None:
    """Turn the mouse wheel over the headlines: the view scrolls, the highlight stays."""
    await pilot._post_mouse_events([events.MouseScrollDown], "#headlines", (20, 5), times=notches)


async def wheel_up(pilot: Pilot, notches: int) -> None:
    """The wheel turned the other way."""
    await pilot._post_mouse_events([events.MouseScrollUp], "#headlines", (20, 5), times=notches)


def highlight_in_view(app: WirewatchApp) -> bool:
    """Whether the highlighted headline is on screen."""
    headlines = dash(app).headlines
    top, height = int(headlines.scroll_y), headlines.scrollable_content_region.height
    return top <= headlines.cursor < top + height


@pytest.mark.parametrize(
    ("start", "key"), [("g", "g"), ("g", "home"), ("g", "k"), ("G", "G"), ("G", "end")]
)
async def test_a_key_to_the_row_highlighted_already_brings_it_back_into_view(
    tmp_path: Path, start: str, key: str
) -> None:
    """The wheel scrolled the list away from the highlighted newest row: g did nothing (it
    was on that row already), and no highlighted row was on screen. g, home and k on the
    first row, G and end on the last, bring the highlighted row into view."""
    app = _store(
        tmp_path,
        [_article(n, timedelta(minutes=n), "Wire", f"Headline {n}") for n in range(80)],
    )
    app.read_after = 3600
    async with piloted(app, (120, 36)) as pilot:
        await settle(app, pilot, want=80)
        await pilot.press(start)
        await pilot.pause()
        headlines = dash(app).headlines
        highlighted = headlines.current_id
        await (wheel_down if start == "g" else wheel_up)(pilot, 10)
        assert not highlight_in_view(app)
        await pilot.press(key)
        await pilot.pause()
        assert headlines.current_id == highlighted
        assert highlight_in_view(app)


async def test_a_filter_typed_after_the_wheel_lands_with_the_highlighted_row_in_view(
    tmp_path: Path,
) -> None:
    """The wheel scrolled the list away from the highlighted headline, then a filter kept
    it highlighted as far off screen, the article pane showing an article whose row was
    nowhere: the highlighted row of the filter's list is in view."""
    app = _store(
        tmp_path,
        [
            _article(n, timedelta(minutes=n), "Wire" if n % 2 else "Post", f"Headline {n}")
            for n in range(160)
        ],
    )
    app.read_after = 3600
    async with piloted(app, (120, 36)) as pilot:
        dashboard = await settle(app, pilot, want=160)
        headlines = dashboard.headlines
        await pilot.press("j")
        await pilot.pause()
        highlighted = headlines.current_id
        await wheel_down(pilot, 10)
        assert not highlight_in_view(app)
        dashboard.set_filter("source:Wire")
        await settle(app, pilot)
        assert headlines.current_id == highlighted == dashboard.article_view.wanted
        assert highlight_in_view(app)


@pytest.mark.parametrize("wider", [(80, 24), (160, 20)])
async def test_the_narrow_countdown_has_no_empty_row_after_the_terminal_shrinks(
    tmp_path: Path, wider: tuple[int, int]
) -> None:
    """From 80 (or 160) columns down to 60: the countdown kept the wider lines' width, and a
    scrollbar's empty row under it took a headline's place."""
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, wider) as pilot:
        await settle(app, pilot, want=6)
        await _resized(app, pilot, 60, wider[1])
        countdown = dash(app).countdown
        assert not countdown.show_horizontal_scrollbar
        assert countdown.virtual_size.width <= countdown.scrollable_content_region.width


def _store(tmp_path: Path, articles: list[Article]) -> WirewatchApp:
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(articles)
    config = seed_only_config(tmp_path)
    for source in config.sources:
        source.enabled = False  # only these articles
    return make_app(tmp_path, config, poll=False)


def _article(n: int, ago: timedelta, source: str, title: str) -> Article:
    when = FROZEN - ago
    return Article(id=f"a{n}", source=source, title=title, published=when, fetched=when)


async def test_columns_line_up_for_every_age_and_cut_text_ends_in_an_ellipsis(
    tmp_path: Path,
) -> None:
    long_title = "Seoul and Washington reach a framework deal on tariffs after months " * 3
    app = _store(
        tmp_path,
        [
            _article(1, timedelta(seconds=10), "World Desk", "Just in"),
            _article(2, timedelta(hours=3), "World Desk", "Three hours old"),
            _article(3, timedelta(days=40), "Korea Test", "한미 관세 협상 타결 " * 12),
            _article(4, timedelta(days=400), "Yonhap via Korea Herald", long_title),
        ],
    )
    async with piloted(app, (100, 30)) as pilot:
        await settle(app, pilot, want=4)
        lines = screen_lines(app)
        expected = [  # age, source, start of the title
            ("now", "World Desk", "Just in"),
            ("3h", "World Desk", "Three hours"),
            ("Sep 14", "Korea Test", "한미"),
            ("Sep'24", "Yonhap", "Seoul and"),
        ]
        rows = {when: next(line for line in lines if title in line) for when, _, title in expected}
        for when, row in rows.items():
            assert f" {when} " in row, row
        sources = {cell_len(rows[when][: rows[when].index(src)]) for when, src, _ in expected}
        titles = {cell_len(rows[when][: rows[when].index(title)]) for when, _, title in expected}
        assert len(sources) == 1 and len(titles) == 1, rows  # one column each, CJK included
        assert "Yonhap via Kor… " in rows["Sep'24"]
        for row in (rows["Sep 14"], rows["Sep'24"]):  # cut titles end in an ellipsis
            assert row.rstrip().rstrip("│").rstrip().endswith("…"), row


async def test_story_rows_say_an_old_first_report_by_its_date_in_the_same_column(
    tmp_path: Path,
) -> None:
    """A store kept for years holds stories first reported long ago: "first 400d ago" did not
    fit its column; past 99 days the row gives the date."""
    app = _store(
        tmp_path,
        [
            _article(1, timedelta(hours=3), "World Desk", "Three hours old"),
            _article(2, timedelta(days=40), "Korea Test", "Forty days old"),
            _article(3, timedelta(days=400), "Yonhap", "Four hundred days old"),
        ],
    )
    async with piloted(app, (120, 30)) as pilot:
        await settle(app, pilot, want=3)
        since = seen(app).mark()
        await pilot.press("S")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
        await pilot.pause()
        lines = screen_lines(app)
        rows = {
            first: next(line for line in lines if title in line)
            for first, title in (
                ("first 3h ago", "Three hours"),
                ("first 40d ago", "Forty days"),
                ("first Sep'24", "Four hundred"),
            )
        }
        for first, row in rows.items():
            assert f" {first} " in row, row
        starts = zip(rows.values(), ("Three", "Forty", "Four"), strict=True)
        titles = {cell_len(row[: row.index(title)]) for row, title in starts}
        assert len(titles) == 1, rows  # one column


async def test_narrow_countdown_shows_the_date_beyond_this_week(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (80, 24)) as pilot:
        await settle(app, pilot, want=6)
        lines = screen_lines(app)[1:3]
        summit = next(line for line in lines if "Trump–Lee" in line)
        apec = next(line for line in lines if "APEC" in line)
        assert summit.rstrip().endswith("Wed 14:00 KST")  # five days away: the weekday says it
        assert apec.rstrip().endswith("Fri 31 Oct 09:00 KST")  # a week away: which Friday


async def test_a_countdown_pane_too_narrow_for_a_time_puts_it_on_a_line_of_its_own(
    tmp_path: Path,
) -> None:
    """At 120 columns the pane cannot hold the clock and the event's time on one line: the
    time moves whole onto an indented line of its own, not cut across two."""
    app = make_app(tmp_path)
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot, want=6)
        lines = [line.plain for line in dash(app).countdown._lines]
        assert "  Wed 2025-10-29 14:00 KST" in lines
        assert any(line.startswith("  T-4d") for line in lines)


async def test_a_countdown_at_forty_columns_keeps_a_line_per_event(tmp_path: Path) -> None:
    """The narrow layout's promise, one line per countdown, holds at 40 columns too: cut
    short with an ellipsis, and the headlines keep their rows."""
    app = make_app(tmp_path)
    async with piloted(app, (40, 12)) as pilot:
        await settle(app, pilot, want=6)
        lines = [line.plain for line in dash(app).countdown._lines]
        assert len(lines) == 2 and all(line.endswith("…") for line in lines)
        assert dash(app).headlines.region.height >= 5


def test_short_wall_time_names_the_day_when_the_weekday_is_not_enough() -> None:
    seoul = zone("Asia/Seoul")
    now = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)  # Tue 18:30 KST
    assert wall_short(datetime(2026, 12, 2, 0, 0, tzinfo=UTC), seoul, now) == "Wed 09:00 KST"
    assert wall_short(datetime(2026, 12, 1, 12, 0, tzinfo=UTC), seoul, now) == "Tue 21:00 KST"
    thirteen_days = datetime(2026, 12, 15, 0, 0, tzinfo=UTC)
    assert wall_short(thirteen_days, seoul, now) == "Tue 15 Dec 09:00 KST"
    a_week = datetime(2026, 12, 8, 0, 0, tzinfo=UTC)
    assert wall_short(a_week, seoul, now) == "Tue 8 Dec 09:00 KST"
    last_year = datetime(2025, 10, 29, 5, 0, tzinfo=UTC)
    assert wall_short(last_year, seoul, now) == "Wed 29 Oct 2025 14:00 KST"
    yesterday = datetime(2026, 11, 30, 5, 0, tzinfo=UTC)
    assert wall_short(yesterday, seoul, now) == "Mon 30 Nov 14:00 KST"


async def test_a_click_selects_the_row_under_the_pointer(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        ids = list(dash(app).headlines.ids)
        lines = screen_lines(app)
        top = dash(app).headlines.region.y  # the border's line
        for row in (3, 1, 4):
            await pilot.click("#headlines", offset=(30, row + 1))  # + 1: below the border
            await pilot.pause(0.1)
            assert dash(app).headlines.current_id == ids[row]
            title = lines[top + 1 + row]
            article = dash(app).session.get(ids[row])
            assert article is not None
            assert dash(app).headlines.row_text(article, 150).plain[:40] in title
        await pilot.click("#headlines", offset=(30, 0))  # the border selects nothing
        await pilot.pause(0.1)
        assert dash(app).headlines.current_id == ids[4]


async def test_a_click_below_the_last_headline_does_nothing(tmp_path: Path) -> None:
    """No headline is under the pointer in the blank area below the rows: a click there
    highlighted the oldest one and showed it (which marks it read), a double-click opened it."""
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        headlines = dashboard.headlines
        ids = list(headlines.ids)
        assert len(ids) + 3 < headlines.scrollable_content_region.height
        await pilot.click("#headlines", offset=(30, 2))  # row 1 (+ 1: below the border)
        await until(pilot, lambda: headlines.current_id == ids[1])
        since = seen(app).mark()
        below = len(ids) + 3
        await pilot.click("#headlines", offset=(30, below))
        await pilot.double_click("#headlines", offset=(30, below))
        await pilot.pause(0.2)
        assert headlines.current_id == ids[1]
        assert not dashboard.reading
        messages = seen(app).messages[since:]
        assert not [m for m in messages if isinstance(m, type(headlines).Highlighted)]


async def test_a_mouse_alone_opens_an_article_in_a_narrow_terminal(tmp_path: Path) -> None:
    """At 80x24 the article pane shows only once a headline is opened: a click highlights a
    headline, and a click on the highlighted one, or a double-click, opens it as enter does.
    A click only ever highlighted: with the mouse alone no article could be read."""
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        headlines, article = dashboard.headlines, dashboard.article_view
        ids = list(headlines.ids)
        since = seen(app).mark()
        await pilot.click("#headlines", offset=(30, 3))  # row 2 (+ 1: below the border)
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == ids[2], since=since)
        await pilot.pause()
        assert headlines.current_id == ids[2]
        assert not dashboard.reading and not article.region.height  # a first click highlights
        await pilot.click("#headlines", offset=(30, 3))
        await until(pilot, lambda: dashboard.reading and article.region.height > 0)
        assert article.has_focus and article.article_id == ids[2]
        await pilot.press("escape")
        await until(pilot, lambda: not dashboard.reading and headlines.has_focus)
        await pilot.double_click("#headlines", offset=(30, 4))  # row 3, not highlighted
        await until(pilot, lambda: dashboard.reading and article.region.height > 0)
        assert headlines.current_id == ids[3]
        await until(pilot, lambda: article.article_id == ids[3])


async def test_narrow_terminal_stacks_and_opens_article_on_enter(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (80, 24)) as pilot:
        await settle(app, pilot, want=6)
        assert app.screen.has_class("-narrow")
        assert not dash(app).article_view.display or not dash(app).article_view.region.height
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.screen.has_class("reading")
        assert dash(app).article_view.region.height > 0
        await pilot.press("escape")
        assert not app.screen.has_class("reading")


async def test_widened_while_an_article_is_open_the_keys_go_to_the_headlines(
    tmp_path: Path,
) -> None:
    """An article open over the headlines at 80 columns, then the terminal widened: the wide
    layout showed both, but the keys stayed with the article pane and j moved nothing."""
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.has_class("reading"))
        await pilot.resize_terminal(160, 50)
        await until(pilot, lambda: not app.screen.has_class("-narrow"))
        await until(pilot, lambda: dashboard.headlines.has_focus)
        assert not app.screen.has_class("reading")
        await pilot.press("j")
        await until(pilot, lambda: dashboard.headlines.cursor == 1)


async def test_a_long_list_has_no_horizontal_scrollbar_taking_a_row(tmp_path: Path) -> None:
    """The rows fit the pane's width: with more rows than fit, the vertical scrollbar shows,
    and no horizontal one takes the pane's last row."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(200)])
    app = make_app(tmp_path)
    async with piloted(app, (120, 35)) as pilot:
        headlines = (await settle(app, pilot, want=100)).headlines
        assert headlines.show_vertical_scrollbar
        assert not headlines.show_horizontal_scrollbar
        assert headlines.scrollable_content_region.height == headlines.size.height


async def test_a_status_line_too_long_for_the_terminal_ends_in_an_ellipsis(tmp_path: Path) -> None:
    """Cut at 40 columns with a long filter on, the line must not end mid-word as if that
    were all it said."""
    app = make_app(tmp_path)
    async with piloted(app, (40, 12)) as pilot:
        await settle(app, pilot, want=6)
        await type_filter(pilot, "tariff OR trade OR summit OR Gyeongju OR APEC")
        await until(pilot, lambda: "filter:" in status_text(app))
        (status,) = [line for line in screen_text(app).splitlines() if "filter:" in line]
        assert status.rstrip().endswith("…")


async def type_filter(pilot: Pilot[None], text: str) -> None:
    await pilot.press("slash")
    await pilot.press(*("space" if ch == " " else ch for ch in text), "enter")


async def test_at_80_columns_a_long_filter_is_cut_before_the_failing_sources(
    tmp_path: Path,
) -> None:
    """With a filter on, the count of failing sources went off the end of the line at 80
    columns: the filter the reader typed is what is cut, not the health of the desk."""
    app = make_app(tmp_path)
    async with piloted(app, (80, 24)) as pilot:
        await settle(app, pilot, want=6)
        await type_filter(pilot, "tariff OR trade OR summit OR Gyeongju OR APEC")
        await until(pilot, lambda: "filter:" in status_text(app))
        status = status_text(app)
        assert "sources failing" in status
        assert "filter: tariff OR" in status and "…" in status


def failing_desk(tmp_path: Path) -> Config:
    """The embedded default's seed and twelve more sources, two of them failing, polled 3
    minutes ago and due again in 3 (this dashboard polls none meanwhile); six articles."""
    config = seed_only_config(tmp_path)
    config.sources = [s for s in config.sources if s.enabled]
    config.sources += [Source(f"Desk {n}", url=f"https://desk{n}.example/feed") for n in range(12)]
    health = {
        s.name: SourceHealth(
            s.name,
            s.location,
            status="error" if s.name in ("Desk 3", "Desk 7") else "ok",
            last_polled=FROZEN - timedelta(minutes=3),
            next_poll=FROZEN + timedelta(minutes=3),
        )
        for s in config.sources
    }
    with Store(tmp_path / "data", writer=True) as store:  # a data dir the writer made
        store.add_batch([make(n) for n in range(6)])
        HealthBook(tmp_path / "data").save(health)
    return config


@pytest.mark.parametrize("query", ["tariff", ""])
async def test_the_failing_sources_are_told_before_when_the_next_poll_is(
    tmp_path: Path, query: str
) -> None:
    """At 80 columns with a filter on, and at 60 without one, "2 of 13 sources failing" went
    off the end of the line after "polled 3m ago ─ next poll in 3m": when the sources are
    polled next is shortened away first."""
    app = make_app(tmp_path, failing_desk(tmp_path))
    async with piloted(app, (80, 24) if query else (60, 20)) as pilot:
        await settle(app, pilot, want=6)
        if query:
            await type_filter(pilot, query)
            await until(pilot, lambda: f"filter: {query}" in status_text(app))
        await until(pilot, lambda: "polled 3m" in status_text(app))
        status = status_text(app)
        assert status.rstrip().endswith("2 of 13 sources failing"), status
        assert cell_len(status) <= app.size.width


async def test_a_viewer_says_it_is_one_at_80_columns(tmp_path: Path) -> None:
    """A viewer's "viewer (attached to a poller)" came last and was cut at 80 columns with a
    filter on: the line says it is a viewer, and how many sources fail."""
    config = failing_desk(tmp_path)
    with Store(tmp_path / "data", writer=True):  # another process polls this store
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (80, 24)) as pilot:
            await settle(app, pilot, want=6)
            await type_filter(pilot, "tariff OR trade")
            await until(pilot, lambda: "filter: tariff" in status_text(app))
            status = status_text(app)
            assert re.search(r"2(/| of )13 (sources )?failing ─ viewer", status), status
            assert cell_len(status) <= app.size.width


def test_an_age_ahead_of_the_clock_is_its_date_and_a_recent_one_keeps_its_day() -> None:
    """A clock frozen with --now before the articles shows their dates, not "now" (but a
    feed's clock a few minutes fast is "now"); an
    article of December 30 read on New Year's night is "Dec 30", not "Dec'25" as Dec 1 is."""
    from zoneinfo import ZoneInfo

    from tui.format import age

    seoul = ZoneInfo("Asia/Seoul")
    now = datetime(2026, 1, 1, 0, 30, tzinfo=seoul)
    assert age(now - timedelta(seconds=30), now, seoul) == "now"
    assert age(now + timedelta(seconds=30), now, seoul) == "now"
    # a feed whose clock runs five minutes fast: its newest headline is "now", not "Jan 01"
    assert age(now + timedelta(minutes=5), now, seoul) == "now"
    assert age(now + timedelta(minutes=11), now, seoul) == "Jan 01"
    assert age(datetime(2026, 10, 24, 16, tzinfo=UTC), now, seoul) == "Oct'26"  # far ahead
    assert age(now + timedelta(days=3), now, seoul) == "Jan 04"
    assert age(datetime(2025, 12, 30, 20, tzinfo=seoul), now, seoul) == "Dec 30"
    assert age(datetime(2025, 3, 1, tzinfo=seoul), now, seoul) == "Mar'25"
    assert age(now - timedelta(hours=5), now, seoul) == "5h"


def test_a_story_first_reported_ahead_of_the_clock_says_its_date() -> None:
    """With --now before a desk's stories, every story row said "first <1m ago" (and its
    timeline "first Reuters, 0s ago"): a story first reported ahead of the clock is said by
    its date, as its age column says it."""
    from zoneinfo import ZoneInfo

    from tui.format import first_reported

    seoul = ZoneInfo("Asia/Seoul")
    now = datetime(2025, 11, 10, 7, 0, tzinfo=seoul)
    assert first_reported((now + timedelta(hours=5)).timestamp(), now, seoul) == "first Nov 10"
    assert first_reported((now - timedelta(hours=5)).timestamp(), now, seoul) == "first 5h ago"
    assert first_reported(now.timestamp(), now, seoul) == "first <1m ago"


async def test_the_countdowns_local_time_is_one_line_and_the_event_picked_is_shown(
    tmp_path: Path,
) -> None:
    """Each event's local time fits its line at 120 columns (it was cut across two); with
    more events than the pane holds, the one the cursor moves to is scrolled into view."""
    from fetchers.models import Event

    config = seed_only_config(tmp_path)
    config.settings.timezone = "Europe/Berlin"  # the events are in Seoul's time: a local line
    base = FROZEN + timedelta(days=3)
    config.events += [
        Event(name=f"Deadline {n}", when=base + timedelta(hours=n), tz="Asia/Seoul")
        for n in range(6)
    ]
    app = make_app(tmp_path, config)
    async with piloted(app, (120, 35)) as pilot:
        await settle(app, pilot, want=6)
        countdown = dash(app).countdown
        width = countdown.scrollable_content_region.width
        lines = [line.plain for line in countdown._lines]
        whole = re.compile(r"^  +\w{3} \d{4}-\d{2}-\d{2} \d{2}:\d{2} CES?T( \(local\))?$")
        local = [line.rstrip() for line in lines if "CET" in line or "CEST" in line]
        assert len(local) == len(config.events), lines  # one local line an event, whole
        assert all(whole.match(line) and cell_len(line) <= width for line in local), lines
        countdown.focus()
        await pilot.pause(0.1)
        for _ in range(len(config.events) - 1):
            await pilot.press("j")
        await pilot.pause(0.1)
        start = countdown._starts[countdown.cursor % len(countdown.events)]
        top, height = int(countdown.scroll_y), countdown.scrollable_content_region.height
        assert top <= start < top + height


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "0s"), (45, "45s"), (120, "2m"), (3600, "1h"), (4080, "1h8m"), (6660, "1h51m"),
     (86400 + 5 * 3600 + 59, "1d5h"), (2 * 86400, "2d")],
)  # fmt: skip
def test_a_sources_lag_is_told_to_the_minute_under_a_day(seconds: int, shown: str) -> None:
    """Lags of 1h08m and 1h51m were both "1h" in `sources` and the health picker: which
    outlet leads could not be told."""
    from tui.format import lag

    assert lag(seconds) == shown


def tiny_desk(tmp_path: Path) -> Config:
    """Six stored headlines ("Headline 0 about tariffs", ...) of one source, and six events:
    more than a countdown strip shows."""
    from fetchers.models import Event

    config = failing_desk(tmp_path)
    config.events += [
        Event(name=f"Deadline {n}", when=FROZEN + timedelta(days=n + 1), tz="UTC") for n in range(6)
    ]
    return config


async def test_at_40_by_12_the_headlines_keep_their_rows_and_most_of_their_width(
    tmp_path: Path,
) -> None:
    """At 40x12 the countdown strip took 5 of the 12 rows (3 headlines were left) and the
    source column 15 of the row's cells (the headline 10: "Headline …")."""
    app = make_app(tmp_path, tiny_desk(tmp_path))
    async with piloted(app, (40, 12)) as pilot:
        await settle(app, pilot, want=6)
        shot = screen_text(app)
        rows = [line for line in shot.splitlines() if "Headline " in line]
        assert len(rows) >= 5, shot
        assert all(re.search(r"Headline \d about t", row) for row in rows), shot


async def test_at_40_by_12_the_help_says_what_each_key_does(tmp_path: Path) -> None:
    """At 40 columns the keys and their ids left the descriptions no cell: `?` listed "q"
    and "app.quit", never "Quit"."""
    app = make_app(tmp_path)
    async with piloted(app, (40, 12)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("question_mark")
        await until(pilot, lambda: "Keys in force" in screen_text(app))
        await pilot.pause()
        shot = screen_text(app)
        assert re.search(r"│ *q +Quit\b", shot), shot
        assert "app.quit" in shot  # its id, to remap it


async def test_at_40_by_12_a_picker_lists_several_rows(tmp_path: Path) -> None:
    """At 12 rows the health picker's title, borders and footer left its list no row."""
    app = make_app(tmp_path, tiny_desk(tmp_path))
    async with piloted(app, (40, 12)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("H")
        await until(pilot, lambda: "Source health" in screen_text(app))
        await pilot.pause()
        shot = screen_text(app)
        assert len(re.findall(r"\b(ok|error) +- Desk \d+ ", shot)) >= 3, shot


async def test_a_headline_of_letters_with_stacked_marks_is_cut_with_an_ellipsis(
    tmp_path: Path,
) -> None:
    """Letters carrying three combining marks each (Vietnamese diacritics in NFD, Zalgo) are
    four characters to a cell: a row cut them short with no "…", half its title left blank."""
    marked = "".join(c + "\u0302\u0301\u0323" if c != " " else c for c in "marks on every letter ")
    title = "Vietnam " + marked * 8
    app = _store(tmp_path, [_article(1, timedelta(hours=1), "World Desk", title)])
    async with piloted(app, (100, 30)) as pilot:
        await settle(app, pilot, want=1)
        row = next(line for line in screen_lines(app) if "Vietnam" in line)
        assert row.rstrip().rstrip("│").rstrip().endswith("…"), row
        headlines = dash(app).headlines
        story = Story(
            id="s1",
            title=title,
            articles=["a1"],
            sources=["World Desk"],
            first_id="a1",
            first_source="World Desk",
            first_seen=FROZEN.timestamp(),
            last_seen=FROZEN.timestamp(),
        )
        for width in (160, 80, 40):
            text = headlines.story_text(story, width).plain
            assert text.rstrip().endswith("…") and cell_len(text) <= width, text
