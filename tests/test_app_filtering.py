"""Filtering the headlines: moving, saved filters, the `/` prompt, unread only, events."""

from __future__ import annotations

import asyncio
import dataclasses
import re
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import Input

import tui.screens.dashboard as dashboard_module
from fetchers import foreground
from fetchers.events import EventBook
from fetchers.models import Article, Event, Source
from fetchers.query import Query, parse_query
from fetchers.store import Store
from tests.conftest import (
    FROZEN,
    config_for,
    dash,
    make,
    make_app,
    piloted,
    screen_text,
    seen,
    send_in_one_read,
    settle,
    status_text,
    until,
)
from tui import session as session_module
from tui.app import WirewatchApp
from tui.messages import ArticleLookedUp, EventsLoaded, MarksChanged, QueryDone, StoreLoaded
from tui.screens.dashboard import DashboardScreen
from tui.screens.picker import PickerScreen
from tui.widgets.headlines import HeadlineList


async def test_filter_prompt_keeps_text_on_error(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("slash")
        for key in "tariff OR":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        field = app.screen.query_one("#filter-input")
        assert field.value == "tariff OR"  # type: ignore[attr-defined]
        assert "OR needs a term" in str(app.screen.query_one("#filter-error").render())
        for key in " APEC":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await settle(app, pilot)
        assert dash(app).query_text == "tariff OR APEC"
        assert not app.screen.query_one("#filter-bar").display


async def test_a_filter_pasted_with_invisible_characters_or_wide_operators_finds_the_words(
    tmp_path: Path,
) -> None:
    """A word pasted into the prompt with a soft hyphen or a zero-width space in it lists what
    the word lists (it listed nothing), and a full-width minus leaves the word out."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        field = app.screen.query_one("#filter-input", Input)
        listed: dict[str, list[str]] = {}
        for typed in ("tariff", "ta\u00adriff\u200b", "-tariff", "\uff0dtariff"):
            await pilot.press("slash")
            field.value = typed
            await pilot.press("enter")
            await settle(app, pilot)
            assert dash(app).query_text == typed
            listed[typed] = list(dash(app).headlines.ids)
        assert listed["tariff"], "the seeds hold the word"
        assert listed["ta\u00adriff\u200b"] == listed["tariff"]
        assert listed["\uff0dtariff"] == listed["-tariff"]
        assert not set(listed["-tariff"]) & set(listed["tariff"])


async def test_the_prompt_opens_holding_the_filter_with_the_cursor_after_it(
    tmp_path: Path,
) -> None:
    """`/` over a filter in force: typing adds to it. The field selected it whole on focus,
    and the first key typed replaced it (" OR trade" was the whole new filter)."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("slash", *"tariff", "enter")
        await settle(app, pilot)
        await pilot.press("slash", "space", *"OR", "space", *"trade", "enter")
        await settle(app, pilot)
        assert dash(app).query_text == "tariff OR trade"


async def test_a_query_typed_right_after_slash_goes_to_the_prompt(tmp_path: Path) -> None:
    """`/` and the query in one read: the letters are the query, not keys (`t` picks a tag)."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        send_in_one_read(app, "/tariff")
        # (each key is taken in turn: on a loaded machine 0.3 s held only the "t")
        field = app.screen.query_one("#filter-input", Input)
        await until(pilot, lambda: len(field.value) >= len("tariff") or app.screen is not dash(app))
        assert not isinstance(app.screen, PickerScreen)
        assert field.value == "tariff"
        await pilot.press("enter")
        await settle(app, pilot)
        assert dash(app).query_text == "tariff"


async def test_enter_on_a_countdown_event_filters_to_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        dash(app).countdown.focus()
        await pilot.pause(0.1)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert dash(app).query_text == "APEC OR Gyeongju OR tag:apec"
        assert dash(app).headlines.has_focus
        assert "filter: APEC OR Gyeongju OR tag:apec" in str(
            app.screen.query_one("#status").render()
        )


async def test_the_countdown_cursor_stays_on_its_event_when_another_comes_before_it(
    tmp_path: Path,
) -> None:
    """An event added sooner (by another dashboard, here) moves the one picked down a line:
    enter filtered to whichever event had taken its place."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        dash(app).countdown.focus()
        await pilot.pause(0.1)
        await pilot.press("j")  # the APEC meeting, the second of two
        since = len(seen(app).messages)
        EventBook(tmp_path / "data").add(
            Event("Press briefing", FROZEN + timedelta(hours=2), "UTC", query="briefing")
        )
        await seen(app).wait_for(EventsLoaded, lambda m: len(m.events) == 3, since=since)
        await settle(app, pilot)
        assert [e.name for e in dash(app).events][0] == "Press briefing"
        await pilot.press("enter")
        await settle(app, pilot)
        assert dash(app).query_text == "APEC OR Gyeongju OR tag:apec"


async def test_j_and_k_move_the_highlight(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        first = dashboard.headlines.current_id
        await pilot.press("j")
        assert dashboard.headlines.current_id != first
        await pilot.press("k")
        assert dashboard.headlines.current_id == first


async def test_a_saved_filter_narrows_and_0_clears_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("1")  # saved filter: tariff OR trade
        await settle(app, pilot)
        assert dashboard.query_text == "tariff OR trade"
        assert "filter: tariff OR trade ─ 2 of 6" in status_text(app)
        await pilot.press("0")
        await settle(app, pilot)
        assert "filter:" not in status_text(app)
        assert "6 of 6" in status_text(app)


async def test_a_digit_with_no_saved_filter_says_so(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("6")  # the default config saves 1 to 5
        await pilot.pause(0.2)
        told = [str(n.message) for n in app._notifications]
        assert any("No saved filter 6" in said for said in told)
        assert dashboard.query_text == ""


async def test_u_shows_unread_headlines_only(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600  # only the key marks it
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("m")  # the first headline is read now
        await seen(app).wait_for(MarksChanged)
        await pilot.press("u")
        await settle(app, pilot)
        assert dashboard.unread_only
        assert "filter: (unread only) ─ 5 of 6" in status_text(app)


def said(app: App[None]) -> str:
    """Every notification shown so far, one a line."""
    return "\n".join(str(n.message) for n in app._notifications)


async def test_u_counts_and_a_offers_only_what_is_unread_after_a_read_row_stays(
    tmp_path: Path,
) -> None:
    """An article read in the unread view stays listed (and highlighted) until the next
    list: the count and `A`'s prompt said one more than is unread, as `wirewatch list
    is:unread` counts, until a poll. They say what is unread, `A` marks that, and `m` making
    it unread again counts it again."""
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys mark
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("u")
        await settle(app, pilot)
        assert "filter: (unread only) ─ 6 of 6" in status_text(app)
        current = dashboard.headlines.current_id
        since = seen(app).mark()
        await pilot.press("m")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
        await pilot.pause()
        assert dashboard.headlines.current_id == current  # still listed, highlighted
        store = dashboard.session.store
        unread = store.query_ids(parse_query("is:unread", FROZEN))
        assert len(unread) == 5
        assert "filter: (unread only) ─ 5 of 6" in status_text(app)
        since = seen(app).mark()
        await pilot.press("m")  # unread again: counted again
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
        await pilot.pause()
        assert "filter: (unread only) ─ 6 of 6" in status_text(app)
        since = seen(app).mark()
        await pilot.press("m")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
        await pilot.press("A")
        await until(pilot, lambda: "again to mark the" in said(app))
        assert "Press A again to mark the 5 articles listed read." in said(app)
        await pilot.press("A")
        await until(pilot, lambda: "Marked " in said(app))
        assert "Marked 5 articles read." in said(app)
        assert store.query_ids(parse_query("is:unread", FROZEN)) == []


def unread_stored(tmp_path: Path) -> int:
    """How many stored articles are unread, as `wirewatch list is:unread` counts them (the
    store opened anew, as it opens it)."""
    with Store(tmp_path / "data") as store:
        return len(store.query_ids(parse_query("is:unread", FROZEN)))


async def test_u_counts_the_rows_another_process_read_no_longer_in_a_viewer(
    tmp_path: Path,
) -> None:
    """A viewer in the unread view, another process marking rows of it read (another
    viewer's `m`, or its `A`): a row lost its "+" at the next reload but the count stayed,
    more than `wirewatch list is:unread` counts; after an `m` here it said one less, still
    too many, and `A` offered to mark that many. They count what is unread, a row below
    the screen too, and one made unread again there is counted again."""
    articles = [make(n) for n in range(60)]
    with Store(tmp_path / "data", writer=True) as writer:
        writer.add_batch(articles)
        writer.set_state([articles[0].id], read=True)
        app = make_app(tmp_path, config_for(tmp_path), poll=False)
        app.read_after = 3600  # only the keys mark
        async with piloted(app, (160, 24)) as pilot:
            dashboard = await settle(app, pilot, want=60)
            assert not dashboard.session.is_writer
            await pilot.press("u")
            await settle(app, pilot, want=59)
            assert "filter: (unread only) ─ 59 of 60" in status_text(app)
            headlines = dashboard.headlines
            below = headlines.ids[-1]
            assert below not in headlines.window()  # (not read again at a reload)
            on_screen = headlines.ids[2]
            writer.set_state([on_screen, below], read=True)  # as another dashboard marks
            assert unread_stored(tmp_path) == 57
            await until(pilot, lambda: "filter: (unread only) ─ 57 of 60" in status_text(app))
            assert {on_screen, below} <= set(headlines.ids)  # still listed, until the next list
            current = headlines.current_id
            since = seen(app).mark()
            await pilot.press("m")
            await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
            await pilot.pause()
            assert unread_stored(tmp_path) == 56
            assert "filter: (unread only) ─ 56 of 60" in status_text(app)
            await pilot.press("A")
            await until(pilot, lambda: "again to mark the" in said(app))
            assert "Press A again to mark the 56 articles listed read." in said(app)
            writer.set_state([below], read=False)  # unread again there: counted again
            await until(pilot, lambda: "filter: (unread only) ─ 57 of 60" in status_text(app))


async def test_u_counts_the_rows_another_process_read_no_longer_in_the_poller(
    tmp_path: Path,
) -> None:
    """The dashboard that polls, in the unread view, while a viewer marks rows of it read:
    they are counted no longer, and `A`'s prompt counts what `wirewatch list is:unread`
    counts, and marks those."""
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys mark
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("u")
        await settle(app, pilot, want=6)
        assert "filter: (unread only) ─ 6 of 6" in status_text(app)
        headlines = dashboard.headlines
        marked = [headlines.ids[1], headlines.ids[-1]]
        with Store(tmp_path / "data") as viewer:  # another process's look at the store
            viewer.set_state(marked, read=True)
        assert unread_stored(tmp_path) == 4
        await until(pilot, lambda: "filter: (unread only) ─ 4 of 6" in status_text(app))
        assert set(marked) <= set(headlines.ids)
        await pilot.press("A")
        await until(pilot, lambda: "again to mark the" in said(app))
        assert "Press A again to mark the 4 articles listed read." in said(app)
        await pilot.press("A")
        await until(pilot, lambda: "Marked " in said(app))
        assert "Marked 4 articles read." in said(app)
        assert unread_stored(tmp_path) == 0


async def test_escape_closes_the_filter_prompt_and_keeps_the_filter(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("1")  # saved filter: tariff OR trade
        await settle(app, pilot)
        await pilot.press("slash", "x", "escape")
        await pilot.pause()
        assert not app.screen.query_one("#filter-bar").display
        assert dashboard.headlines.has_focus
        assert "filter: tariff OR trade ─ 2 of 6" in status_text(app)


async def test_the_prompt_sorts_by_relevance_on_a_key(tmp_path: Path) -> None:
    """ctrl+r in the `/` prompt ranks the matches by BM25: an article about tariffs comes
    before a newer one that mentions a tariff once; the status line says the order."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="about",
                    source="Wire",
                    title="Tariff talks resume",
                    fetched=FROZEN,
                    published=FROZEN - timedelta(hours=5),
                    summary="Tariff and tariffs, the tariff schedule.",
                ),
                Article(
                    id="mention",
                    source="Wire",
                    title="Markets close higher",
                    fetched=FROZEN,
                    published=FROZEN - timedelta(hours=1),
                    summary="Stocks rose; a tariff was mentioned once among many other words "
                    "about markets and shares and bonds.",
                ),
            ]
        )
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot)
        await pilot.press("slash")
        send_in_one_read(app, "tariff")
        await pilot.pause()
        assert "sorted newest first · ^r: by relevance" in screen_text(app)
        await pilot.press("ctrl+r")
        assert "sorted by relevance" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert dashboard.headlines.ids == ["about", "mention"]
        assert "by relevance" in status_text(app)
        await pilot.press("0")  # no words to rank by: newest first, and said so
        await settle(app, pilot)
        assert "by relevance" not in status_text(app)
        await pilot.press("slash")
        send_in_one_read(app, "tariff")
        await pilot.press("enter")
        await settle(app, pilot)
        assert dashboard.headlines.ids == ["about", "mention"]
        assert "by relevance" in status_text(app)
        await pilot.press("slash", "ctrl+r", "enter")  # and back
        await settle(app, pilot)
        assert dashboard.headlines.ids == ["mention", "about"]
        assert "by relevance" not in status_text(app)


async def test_a_filter_repaints_the_panes_it_changes_not_the_whole_screen(
    tmp_path: Path,
) -> None:
    """The screen's state (the filter, how many match, the events' counts) is drawn by the
    panes bound to it: a filter repaints those panes, never the whole screen, which redrew
    every pane twice a filter (10-25 ms each at 100,000 articles)."""
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        asked: list[bool] = []
        original = type(dashboard).refresh

        def refresh(screen, *regions, repaint=True, layout=False, recompose=False):  # type: ignore[no-untyped-def]
            asked.append(repaint)
            return original(screen, *regions, repaint=repaint, layout=layout, recompose=recompose)

        type(dashboard).refresh = refresh  # type: ignore[method-assign]
        try:
            await pilot.press("1")  # saved filter: tariff OR trade
            await settle(app, pilot)
            assert "filter: tariff OR trade ─ 2 of 6" in status_text(app)
            await pilot.press("0")
            await settle(app, pilot)
            assert "6 of 6" in status_text(app)
        finally:
            del type(dashboard).refresh  # type: ignore[misc]
        assert not any(asked)


async def test_an_article_read_while_a_filter_runs_is_drawn_after_the_filters_rows(
    tmp_path: Path,
) -> None:
    """Typing a filter right after moving: the article read for the move is drawn once the
    filter's rows are on screen, not while the filter's answer is coming in."""
    import threading

    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        session, view, headlines = dashboard.session, dashboard.article_view, dashboard.headlines
        reading, matches = session.reading, session.matches
        read_gate, query_gate = threading.Event(), threading.Event()
        drawn: list[str] = []

        def slow_reading(*args, **kwargs):  # type: ignore[no-untyped-def]
            read_gate.wait(5)
            return reading(*args, **kwargs)

        def slow_matches(*args, **kwargs):  # type: ignore[no-untyped-def]
            query_gate.wait(5)
            return matches(*args, **kwargs)

        show, set_ids = view.show, headlines.set_ids
        view.show = lambda *a, **k: (drawn.append("article"), show(*a, **k))[1]  # type: ignore[method-assign]
        headlines.set_ids = lambda *a, **k: (drawn.append("rows"), set_ids(*a, **k))[1]  # type: ignore[method-assign]
        session.reading, session.matches = slow_reading, slow_matches  # type: ignore[method-assign]
        await pilot.press("j")  # its article is read after the paint: held at the gate
        await pilot.pause(0.1)
        await pilot.press("1")  # saved filter: tariff OR trade, its query held at the gate
        read_gate.set()
        await pilot.pause(0.3)  # the article's read is back; the filter's is not
        assert drawn == []
        query_gate.set()
        await settle(app, pilot)
        assert drawn[:2] == ["rows", "article"]
        assert "filter: tariff OR trade ─ 2 of 6" in status_text(app)


def _gated_matches(dashboard: DashboardScreen) -> threading.Event:
    """Hold the whole list of every query at a gate (its first page is not held)."""
    gate = threading.Event()
    matches = dashboard.session.matches

    def held(*args, **kwargs):  # type: ignore[no-untyped-def]
        gate.wait(10)
        return matches(*args, **kwargs)

    dashboard.session.matches = held  # type: ignore[method-assign]
    return gate


def _big_store_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, others: range) -> WirewatchApp:
    """A dashboard (not polling) over a store "big" enough for a first page of 3 rows:
    20 "Wire" articles and the `others` of "Other"."""
    monkeypatch.setattr(session_module, "FIRST_PAGE_FROM", 10)
    monkeypatch.setattr(session_module, "FIRST_PAGE", 3)
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in others])
    return make_app(tmp_path, poll=False)


async def _partial_far_down(
    app: WirewatchApp, pilot: Pilot[None], highlight: str | None = None
) -> tuple[threading.Event, QueryDone]:
    """From every article listed, the highlight on the last row (then on `highlight`, when
    given), filter with `source:Wire`, its whole list held at a gate: the gate and the
    partial answer painted first."""
    dashboard = app.screen
    assert isinstance(dashboard, DashboardScreen)
    dashboard.set_filter("")
    await settle(app, pilot)
    dashboard.headlines.action_last()
    if highlight is not None:
        assert dashboard.headlines.select(highlight)
    await pilot.pause()
    gate = _gated_matches(dashboard)
    since = seen(app).mark()
    dashboard.set_filter("source:Wire")
    first = await seen(app).wait_for(QueryDone, lambda m: m.matches.partial, since)
    await pilot.pause()
    return gate, first


async def test_a_filter_over_a_big_store_paints_its_first_page_before_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Listing a word in 48,000 of a million articles whole takes a few times as long as
    its newest page: the page is painted first ("listing the rest…"), then the whole list
    in the same order, the highlight where it was."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        gate = _gated_matches(dashboard)
        since = seen(app).mark()
        dashboard.set_filter("source:Wire")
        first = await seen(app).wait_for(QueryDone, lambda m: m.matches.partial, since)
        await pilot.pause()
        assert first.matches.ids == dashboard.headlines.ids == [make(n).id for n in (19, 18, 17)]
        assert re.search(r"filter: source:Wire ─ 3\+ of 25(, listing the rest)?…", status_text(app))
        gate.set()
        await settle(app, pilot)
        assert dashboard.headlines.ids == [make(n).id for n in range(19, -1, -1)]
        assert dashboard.headlines.current_id == make(19).id
        assert "filter: source:Wire ─ 20 of 25" in status_text(app)


async def test_a_first_page_holding_every_match_is_the_whole_list_asked_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A filter over a big store whose first page holds all it matches is answered by that
    page: the store is not asked for the same matches again (on PostgreSQL, a word no
    article holds was looked up twice)."""
    app = _big_store_app(tmp_path, monkeypatch, range(2))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=22)
        store = dashboard.session.store
        asked: list[int | None] = []
        query_ids = store.query_ids

        def noted(query: Query | None = None, limit: int | None = None) -> list[str]:
            if query is not None and query.text == "source:Other":
                asked.append(limit)
            return query_ids(query, limit)

        store.query_ids = noted  # type: ignore[method-assign]
        since = seen(app).mark()
        dashboard.set_filter("source:Other")
        await settle(app, pilot)
        answers = {id(m): m for m in seen(app).messages[since:] if isinstance(m, QueryDone)}
        (answer,) = answers.values()  # (the hook sees a message where it bubbles too)
        assert answer.matches.ids == [make(n, source="Other").id for n in (1, 0)]
        assert not answer.matches.partial
        assert asked == [3]
        assert "filter: source:Other ─ 2 of 22" in status_text(app)


async def test_a_filter_keeps_a_highlight_beyond_the_first_page_without_painting_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article highlighted further down than the new filter's first page may match
    further down its list: when the store cannot say where without testing each match (a
    clause tested article by article), the pane waits for the whole list and keeps it
    highlighted."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        dashboard.headlines.select(make(15).id)
        await pilot.pause()
        gate = _gated_matches(dashboard)
        since = seen(app).mark()
        dashboard.set_filter("source:Wire is:unread")
        await pilot.pause(0.3)
        gate.set()
        await settle(app, pilot)
        assert not [
            m for m in seen(app).messages[since:] if isinstance(m, QueryDone) and m.matches.partial
        ]
        assert dashboard.headlines.current_id == make(15).id


class _ScanCountingIds(list[str]):
    """Ids that count the scans for an id made on the screen's thread."""

    scans = 0

    def index(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if threading.current_thread() is threading.main_thread():
            _ScanCountingIds.scans += 1
        return super().index(*args, **kwargs)

    def __contains__(self, item: object) -> bool:
        if threading.current_thread() is threading.main_thread():
            _ScanCountingIds.scans += 1
        return super().__contains__(item)


async def test_a_filter_finds_the_highlighted_article_in_its_thread_not_on_the_screens(
    tmp_path: Path,
) -> None:
    """Where the highlighted article sits in a filter's list is found in the query's thread:
    a list of a million ids scanned on the screen's thread held it 30 ms a filter."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in range(5)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        dashboard.headlines.select(make(5).id)
        await pilot.pause()
        matches = dashboard.session.matches

        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            found = matches(*args, **kwargs)
            found.ids = _ScanCountingIds(found.ids)
            return found

        dashboard.session.matches = counted  # type: ignore[method-assign]
        _ScanCountingIds.scans = 0
        dashboard.set_filter("source:Wire")
        await settle(app, pilot)
        assert dashboard.headlines.current_id == make(5).id
        dashboard.set_filter("source:Other")  # the highlighted article is not among them
        await settle(app, pilot)
        assert dashboard.headlines.current_id == make(0, source="Other").id  # the last row
        assert _ScanCountingIds.scans == 0


async def test_a_filter_keeps_the_row_of_a_highlight_it_leaves_out_beyond_the_first_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A highlighted article the new filter leaves out gives its row to the article that
    comes there in the new list: when that row is beyond the first page, the rows there are
    painted first (not the page, whose last row is not it), then the whole list."""
    app = _big_store_app(tmp_path, monkeypatch, range(30, 35))  # "Other" the newest
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        dashboard.headlines.select(make(31, source="Other").id)  # row 3
        await pilot.pause()
        gate = _gated_matches(dashboard)
        since = seen(app).mark()
        dashboard.set_filter("source:Wire")
        await seen(app).wait_for(QueryDone, lambda m: m.matches.partial, since)
        await pilot.pause()
        assert dashboard.headlines.cursor == 3
        assert dashboard.headlines.current_id == make(16).id
        gate.set()
        await settle(app, pilot)
        assert len(dashboard.headlines.ids) == 20
        assert dashboard.headlines.cursor == 3
        assert dashboard.headlines.current_id == make(16).id


async def test_a_filter_from_far_down_the_list_paints_the_rows_there_before_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader far down a long list (near the oldest of a million articles) who filters
    sees the new list's rows there at once, and how many match, with blank rows about them
    until the whole list comes in the same order. A highlight left out gives its row to the
    new list's row there (its last, when it is shorter); one that matches stays highlighted;
    a row moved to meanwhile stays when the whole list comes."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))  # 25 rows, "Other-0" the last
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        wire = [make(n).id for n in range(19, -1, -1)]  # source:Wire, newest first
        places = (
            (make(0, source="Other").id, 19),  # left out, on the last row
            (make(1).id, 18),
            (make(6).id, 13),
            (make(15).id, 4),  # in the newer half: read on from the newest
        )
        for highlighted, row in places:
            gate, first = await _partial_far_down(app, pilot, highlighted)
            ids = dashboard.headlines.ids
            assert first.matches.ids is ids and len(ids) == 20
            start, stop = row - 3, min(20, row + 4)  # the part read: 3 rows either side
            assert ids[start:stop] == wire[start:stop]
            assert ids.count("") == 20 - (stop - start)  # the rest drawn blank for now
            assert dashboard.headlines.cursor == row
            assert dashboard.headlines.current_id == wire[row]
            # (shortened to "20 of 25…" when the status line has more to say, as under load:
            # "NOT UPDATING: …")
            assert re.search(
                r"filter: source:Wire ─ 20 of 25(, listing the rest)?…", status_text(app)
            )
            moved = ids.index("")  # a row not read yet: drawn blank, no article
            dashboard.headlines.cursor = moved
            await pilot.pause()
            assert dashboard.headlines.current_id is None
            gate.set()
            await settle(app, pilot)
            assert dashboard.headlines.ids == wire
            assert dashboard.headlines.cursor == moved  # the row stays where it was
            assert dashboard.headlines.current_id == wire[moved]
            assert "filter: source:Wire ─ 20 of 25" in status_text(app)


async def test_clearing_a_filter_far_down_paints_the_rows_there_before_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reader far down a filtered list who clears the filter sees every article's rows
    about the highlighted one at once, with how many there are, placed by the date order
    (finding it in a list of a million held the interpreter 30 ms), then the whole list
    with the highlight where it was, found there without a scan. How many there are is
    the count made then, not the total as last counted (a cycle may have added some)."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        dashboard.set_filter("source:Wire")
        await settle(app, pilot)
        dashboard.headlines.action_last()
        await pilot.pause()
        highlighted = make(0).id
        assert dashboard.headlines.current_id == highlighted
        everything = dashboard.session.store.query_ids()
        row = everything.index(highlighted)
        real_total = dashboard.session.total  # counted last before a cycle added two

        def stale(fresh: bool) -> int:
            return real_total(fresh) if fresh else real_total(fresh) - 2

        monkeypatch.setattr(dashboard.session, "total", stale)
        gate = _gated_matches(dashboard)
        scans: list[int] = []
        real_position = dashboard_module.position

        def counted(ids, place, hint=None):  # type: ignore[no-untyped-def]
            found = real_position(ids, place, hint)
            scans.append(found if found != hint else -2)  # -2: taken from the part
            return found

        monkeypatch.setattr(dashboard_module, "position", counted)
        since = seen(app).mark()
        dashboard.action_clear_filter()
        first = await seen(app).wait_for(QueryDone, lambda m: m.matches.partial, since)
        await pilot.pause()
        ids = dashboard.headlines.ids
        assert first.matches.ids is ids and len(ids) == 25
        start, stop = row - 3, min(25, row + 4)
        assert ids[start:stop] == everything[start:stop]
        assert ids.count("") == 25 - (stop - start)
        assert dashboard.headlines.cursor == row
        assert dashboard.headlines.current_id == highlighted
        assert re.search(r"25 of 25(, listing the rest)?…", status_text(app))
        gate.set()
        await settle(app, pilot)
        assert dashboard.headlines.ids == everything
        assert dashboard.headlines.cursor == row
        assert dashboard.headlines.current_id == highlighted
        assert scans[-1] == -2  # the whole list's row of the highlight: the part's


async def test_an_article_asked_for_while_the_list_is_partial_keeps_the_filter_it_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening an article (from the alerts, a story's timeline) while a filter's list is
    still partial: one in a row not read yet is highlighted when the whole list comes, the
    filter kept (it was cleared for it); one the filter hides clears the filter then."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        wire = [make(n).id for n in range(19, -1, -1)]  # source:Wire, newest first
        for wanted, kept in ((wire[8], True), (make(2, source="Other").id, False)):
            gate, _ = await _partial_far_down(app, pilot)
            assert dashboard.counting and wanted not in dashboard.headlines.ids
            since = seen(app).mark()
            dashboard.show_article(wanted)  # looked up in a thread
            await seen(app).wait_for(ArticleLookedUp, lambda m, w=wanted: m.ident == w, since=since)
            await pilot.pause()
            assert dashboard.query_text == "source:Wire"  # nothing cleared while partial
            since = seen(app).mark()
            gate.set()
            if not kept:  # the whole list came without it: looked up again, then cleared
                await seen(app).wait_for(
                    ArticleLookedUp, lambda m, w=wanted: m.ident == w, since=since
                )
            await settle(app, pilot)
            assert dashboard.headlines.current_id == wanted
            assert dashboard.query_text == ("source:Wire" if kept else ""), wanted
        # a filter typed before the whole list comes is the reader's: never cleared for it
        gate, _ = await _partial_far_down(app, pilot)
        assert make(11).id not in dashboard.headlines.ids  # a row not read yet
        since = seen(app).mark()
        dashboard.show_article(make(11).id)
        await seen(app).wait_for(ArticleLookedUp, lambda m: m.ident == make(11).id, since=since)
        await pilot.pause()
        dashboard.set_filter("source:Other")  # which leaves it out
        gate.set()
        await settle(app, pilot)
        await pilot.pause(0.2)
        await settle(app, pilot)
        assert dashboard.query_text == "source:Other"


async def test_a_filters_whole_list_is_made_once_its_first_rows_are_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making a whole list holds the interpreter in long steps (a million ids filtered in
    one call), which kept the screen from drawing the rows painted first: the whole list is
    made once they are on screen, from the top and from far down alike."""
    app = _big_store_app(tmp_path, monkeypatch, range(5))
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        shown_then: list[list[str]] = []
        matches = dashboard.session.matches

        def noted(*args, **kwargs):  # type: ignore[no-untyped-def]
            shown_then.append(list(dashboard.headlines.ids))  # what the pane shows by now
            return matches(*args, **kwargs)

        dashboard.session.matches = noted  # type: ignore[method-assign]
        for far_down in (False, True):
            dashboard.set_filter("")
            await settle(app, pilot)
            if far_down:
                dashboard.headlines.action_last()
                await pilot.pause()
            shown_then.clear()
            since = seen(app).mark()
            dashboard.set_filter("source:Wire")
            await settle(app, pilot)
            first = next(
                m
                for m in seen(app).messages[since:]
                if isinstance(m, QueryDone) and m.matches.partial
            )
            assert shown_then == [first.matches.ids], far_down
            assert len(dashboard.headlines.ids) == 20


async def test_an_older_querys_answer_never_takes_the_place_of_a_newer_ones() -> None:
    """Answers queued before the screen reads them are coalesced, but only into the same
    query's or a newer one's. Textual drops a queued message when it `can_replace` the one
    queued after it: a newer query's answer queued before an older query's late one must
    stay (the older one is ignored as stale; dropping the newer left the pane on its last
    rows for good). A dropped answer's thread stops waiting for a paint."""

    class Answers(App[None]):
        def __init__(self) -> None:
            super().__init__()
            self.handled: list[int] = []

        def on_query_done(self, message: QueryDone) -> None:
            self.handled.append(message.generation)

    def answer(generation: int, painted: threading.Event | None = None) -> QueryDone:
        matches = session_module.Matches([f"a{generation}"], 1)
        return QueryDone(generation, matches, [], painted=painted)

    app = Answers()
    async with app.run_test() as pilot:
        app.post_message(answer(3))  # the newer query's, then an older one's late answer
        app.post_message(answer(1))
        await pilot.pause()
        assert app.handled == [3, 1]  # the newer is read (the dashboard ignores the older)
        app.handled.clear()
        dropped = threading.Event()
        app.post_message(answer(1, dropped))  # an older answer, then the newer query's
        app.post_message(answer(3))
        await pilot.pause()
        assert app.handled == [3]
        assert dropped.is_set()


async def test_a_filter_is_work_a_person_waits_for_and_the_background_gives_way(
    tmp_path: Path,
) -> None:
    """While a filter's list is made, the search index, the story shelf and a cycle's
    grouping rest between their steps: over a million articles they shared the
    interpreter with it and made it take two to three times as long."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in range(5)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        waited: list[bool] = []
        matches = dashboard.session.matches

        def watched(*args, **kwargs):  # type: ignore[no-untyped-def]
            waited.append(foreground.busy())
            return matches(*args, **kwargs)

        dashboard.session.matches = watched  # type: ignore[method-assign]
        dashboard.set_filter("source:Other")
        await settle(app, pilot)
        assert len(dashboard.headlines.ids) == 5
        assert waited == [True]
        assert not foreground.busy()  # and the background goes on once it is done


async def test_a_filters_thread_holds_the_background_until_its_rows_are_drawn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The background (stories made after a cycle) rests until the headlines have drawn a
    filter's rows, not only until the screen's next refresh: that can come before the pane
    has asked to be drawn again, and rows drawn after it share the interpreter with the
    background (over the filter's budget at 100,000 articles)."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in range(5)])
    app = make_app(tmp_path, poll=False)
    drawn: dict[int, list[str]] = {}  # the id lists the pane has drawn (held: ids not reused)
    render_line = HeadlineList.render_line

    def recorded(widget: HeadlineList, y: int) -> Strip:
        drawn[id(widget.ids)] = widget.ids
        return render_line(widget, y)

    monkeypatch.setattr(HeadlineList, "render_line", recorded)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        released: list[tuple[int, bool]] = []  # (rows on the pane, drawn yet) at each release

        class Painted(threading.Event):
            def set(self) -> None:
                ids = dashboard.headlines.ids
                released.append((len(ids), drawn.get(id(ids)) is ids))
                super().set()

        monkeypatch.setattr(dashboard_module, "threading", SimpleNamespace(Event=Painted))
        dashboard.set_filter("source:Other")
        await settle(app, pilot)
        for _ in range(300):  # released once the frame is composed: a tick after the rows
            if released:
                break
            await pilot.pause(0.01)
        assert len(dashboard.headlines.ids) == 5
        assert released == [(5, True)]


async def test_a_filter_typed_over_stops_making_its_whole_list(tmp_path: Path) -> None:
    """A filter replaced before its whole list came stops at its next step: a word's list
    over a million articles in PostgreSQL went on a second, sharing the interpreter and
    the server with the filter that replaced it."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in range(5)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        matches = dashboard.session.matches
        entered, stopped = threading.Event(), threading.Event()

        def long_list(*args, **kwargs):  # type: ignore[no-untyped-def]
            entered.set()
            for _ in range(500):  # a list in steps, for at most 5 s
                try:
                    foreground.check_superseded()
                except foreground.Superseded:
                    stopped.set()
                    raise
                time.sleep(0.01)
            return matches(*args, **kwargs)

        dashboard.session.matches = long_list  # type: ignore[method-assign]
        dashboard.set_filter("source:Wire")
        while not entered.is_set():
            await pilot.pause(0.01)
        dashboard.session.matches = matches  # type: ignore[method-assign]
        dashboard.set_filter("source:Other")
        await settle(app, pilot)
        assert dashboard.headlines.ids == [make(n, source="Other").id for n in range(4, -1, -1)]
        assert await asyncio.to_thread(stopped.wait, 30)  # at its next step, not after 500


async def test_a_filter_paints_its_first_page_over_a_highlight_of_the_same_minute_it_leaves_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The highlighted article has the time of the first page's last row and comes before
    it in the list: had it matched, it would be on the page, so it does not, and the page
    is painted (many articles of a cycle share a minute; the whole list waited for them)."""
    monkeypatch.setattr(session_module, "FIRST_PAGE_FROM", 10)
    monkeypatch.setattr(session_module, "FIRST_PAGE", 1)
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(19, source="Other")] + [make(n) for n in range(20)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=21)
        assert dashboard.headlines.ids[:2] == [make(19, source="Other").id, make(19).id]
        assert dashboard.headlines.current_id == make(19, source="Other").id
        gate = _gated_matches(dashboard)
        since = seen(app).mark()
        dashboard.set_filter("source:Wire")
        first = await seen(app).wait_for(QueryDone, lambda m: m.matches.partial, since)
        await pilot.pause()
        assert first.matches.ids == dashboard.headlines.ids == [make(19).id]
        gate.set()
        await settle(app, pilot)
        assert dashboard.headlines.ids == [make(n).id for n in range(19, -1, -1)]
        assert dashboard.headlines.current_id == make(19).id  # the row it had


def test_a_typed_apostrophe_marks_the_word_as_news_writes_it() -> None:
    """The words of a filter are marked in the headlines as the filter finds them: "Seoul's"
    marks "Seoul’s"."""
    from tui.widgets.headlines import _pattern

    marked = _pattern(["seoul's"])
    assert marked is not None
    found = marked.search("Seoul\u2019s $350 billion pledge")
    assert found is not None and found.group() == "Seoul\u2019s"


@pytest.mark.parametrize(
    ("typed", "headline", "marked"),
    [
        ("strassenbahn", "Straßenbahn fährt wieder", "Straßenbahn"),
        ("Straßenbahn", "STRASSENBAHN FÄHRT WIEDER", "STRASSENBAHN"),
        ("Straße", "Straße gesperrt", "Straße"),
        ("ırak", "Irak seçimleri", "Irak"),
        ("fish", "\ufb01sh market", "\ufb01sh"),
        ("apec", "\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ", "\uff21\uff30\uff25\uff23"),
        ("\uff21\uff30\uff25\uff23", "APEC summit opens", "APEC"),
        ("g7", "\uff27\uff17外相会合", "\uff27\uff17"),
        ("caf\u00e9", "Cafe\u0301 society", "Cafe\u0301"),
        ("CAFE\u0301", "Caf\u00e9 society", "Caf\u00e9"),
        ("관세", "\u1100\u116a\u11ab\u1109\u1166 협상", "\u1100\u116a\u11ab\u1109\u1166"),
        # typed without its accents, the word is marked as the headline writes it
        ("cafe", "Caf\u00e9 society", "Caf\u00e9"),
        ("cafe", "Cafe\u0301 society", "Cafe\u0301"),
        ("caf\u00e9", "Cafe society", "Cafe"),
        ("zurich", "Stocks fall in Z\u00fcrich", "Z\u00fcrich"),
        ("Елку", "Ёлку нарядили", "Ёлку"),
        ("Елку", "Е\u0308лку нарядили", "Е\u0308лку"),
        ("αθηνα", "Συνάντηση στην Αθήνα", "Αθήνα"),
        ("lodz", "\u0141\u00f3d\u017a wins", "\u0141\u00f3d\u017a"),
        ("tromso", "Troms\u00f8 airport", "Troms\u00f8"),
        ("coeur", "Au c\u0153ur de Paris", "c\u0153ur"),
        ("محمد", "الأمير مُحَمَّد", "مُحَمَّد"),
    ],
)
def test_a_word_is_marked_where_the_filter_found_it_however_it_is_written(
    typed: str, headline: str, marked: str
) -> None:
    """The filter finds "Straßenbahn" for strassenbahn (and the other way round); the row
    marks it too. A word typed with "ß" was marked nowhere, not even in a headline that
    writes it so (the filter's words are folded to "ss"). So are letters in full width
    ("ＡＰＥＣ" for apec), a letter written as its parts ("e" and an accent for "é"), and a
    word typed without its accents ("Café" for cafe, as written, accent and all)."""
    from tests.test_query import rec
    from tui.widgets.headlines import _pattern

    query = parse_query(typed)
    assert query.matches(rec(headline)), "the filter finds it"
    pattern = _pattern(query.words)
    assert pattern is not None
    found = pattern.search(headline)
    assert found is not None and found.group() == marked


@pytest.mark.parametrize(
    ("typed", "headline", "marked"),
    [
        (["ICE", "EU"], "Police say price of Neutral Reuters feed rose", []),
        (["ICE", "EU"], "ICE raids: EU protests, Police respond", ["ICE", "EU"]),
        (["on"], "Washington on edge", ["on"]),
        (["ice"], "\uff29\uff23\uff25 and Pol\uff49\uff43\uff45", ["\uff29\uff23\uff25"]),
        # a word written against one of another script starts a word, as the filter finds it
        (["FTA"], "한미FTA 협상", ["FTA"]),
        (["협상"], "FTA협상 미협상", ["협상"]),
        # Chinese and Japanese are found anywhere
        (["日本"], "東日本大震災", ["日本"]),
        # a word typed without its accents is marked where a word starts alone
        (["cafe"], "D\u00e9caf\u00e9 or caf\u00e9", ["caf\u00e9"]),
        (["rich"], "Z\u00fcrich", []),
    ],
)
def test_a_word_is_marked_only_where_the_filter_finds_it(
    typed: list[str], headline: str, marked: list[str]
) -> None:
    """Watch terms and a filter's words are marked at the start of a word, as `wirewatch
    list` finds them: ICE marked "Pol[ice]" and "pr[ice]", EU "R[eu]ters", on
    "Washingt[on]", none of which the filter finds."""
    from tests.test_query import rec
    from tui.widgets.headlines import _pattern

    pattern = _pattern(typed)
    assert pattern is not None
    found = [match.group() for match in pattern.finditer(headline)]
    assert found == marked
    assert parse_query(" OR ".join(typed)).matches(rec(headline)) is bool(marked)


@pytest.mark.parametrize(
    ("size", "keys"), [((60, 20), ("enter", "/", "escape")), ((120, 40), ("/", "shift+tab"))]
)
async def test_the_filter_prompt_never_stays_drawn_once_the_keys_go_elsewhere(
    tmp_path: Path, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    """Escape over an open article, or shift+tab (tab too, before it completed names), took
    the focus from the prompt but left it drawn: a word typed in it then ran the headlines'
    commands ("u", "s", even "q")."""
    from tui.widgets.filterbar import FilterBar

    app = make_app(tmp_path)
    async with piloted(app, size) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press(*keys)
        await pilot.pause()
        assert not dashboard.query_one(FilterBar).display
        if "enter" in keys:  # the article stays open over the headlines, and has the keys
            assert dashboard.reading and app.focused is dashboard.article_view


async def test_the_filter_prompt_outlives_the_terminal_losing_the_focus(tmp_path: Path) -> None:
    """Switching to another window and back kept nothing of a filter being typed: the
    terminal's focus going took the prompt's, and the prompt went."""
    from textual import events

    from tui.widgets.filterbar import FilterBar

    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("/", "a", "b")
        app.post_message(events.AppBlur())
        await pilot.pause()
        app.post_message(events.AppFocus())
        await pilot.pause()
        bar = dashboard.query_one(FilterBar)
        assert bar.display and bar.query_one(Input).value == "ab"


async def test_a_highlight_far_down_the_list_a_filter_widens_to_is_scrolled_into_view(
    tmp_path: Path,
) -> None:
    """From a short filtered list (no scrollbar), an article far down the whole list
    highlighted, clearing the filter kept it highlighted but left the list at its top: no
    row was highlighted on screen, and keys acted on a row no one saw."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(40)] + [make(n, source="Other") for n in range(3)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (120, 40)) as pilot:
        dashboard = await settle(app, pilot, want=43)
        dashboard.set_filter("source:Other")
        await settle(app, pilot)
        headlines = dashboard.headlines
        headlines.action_last()  # the oldest Other article: near the end of the whole list
        await pilot.pause()
        chosen = headlines.current_id
        dashboard.set_filter("")
        await settle(app, pilot)
        await pilot.pause()
        assert headlines.current_id == chosen
        top, height = int(headlines.scroll_y), headlines.scrollable_content_region.height
        assert headlines.cursor > height  # (far down: beyond the first screenful)
        assert top <= headlines.cursor < top + height


async def test_the_dashboard_opens_on_the_newest_article_of_a_store_loaded_in_parts(
    tmp_path: Path,
) -> None:
    """A feed's 3,000-item archive stored after the day's 14 newest articles fills the day's
    later shards, which load first: the dashboard opened on the top of the part loaded first
    (an article a thousand rows down the whole list) and read it."""
    from datetime import UTC, datetime

    now = datetime(2025, 10, 24, 9, tzinfo=UTC)
    newest = [
        Article(id=f"n{n}", source="Wire", title=f"Newest {n}", summary="",
                published=now - timedelta(minutes=n), fetched=now)
        for n in range(14)
    ]  # fmt: skip
    archive = [
        Article(id=f"a{n}", source="Archive", title=f"Archive item {n}", summary="",
                published=now - timedelta(days=3, minutes=n), fetched=now + timedelta(minutes=1))
        for n in range(3000)
    ]  # fmt: skip
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(newest)
        store.add_batch(archive)
    assert len(list((tmp_path / "data").glob("articles-*.json"))) > 1  # the day in parts
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (120, 40)) as pilot:
        dashboard = await settle(app, pilot, want=3014)
        await until(pilot, lambda: not dashboard.loading_rest and not dashboard.counting)
        await pilot.pause(0.2)
        assert dashboard.headlines.cursor == 0
        assert dashboard.headlines.current_id == "n0"


async def test_a_highlight_left_out_of_a_new_list_goes_to_its_neighbour_not_its_row_number(
    tmp_path: Path,
) -> None:
    """Reading in the unread view, a poll left the article read out of the list: the
    highlight took its row's number in the new list, an article above it or one just
    arrived, and the pane showed that one in its place. It goes to the next article after
    it that is still listed."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        headlines = dash(app).headlines
        before = list(headlines.ids)
        assert len(before) >= 6
        await pilot.press("j", "j", "j", "j")
        await pilot.pause()
        assert headlines.current_id == before[4]
        # two new above, and the one read (row 4) left out
        after = ["new-1", "new-2", *before[:4], *before[5:]]
        headlines.set_ids(after)
        await pilot.pause()
        assert headlines.current_id == before[5]


async def test_a_source_filter_finds_its_name_in_any_case_or_apostrophe(tmp_path: Path) -> None:
    """`source:"İZMİR HABER"` lists the source "İzmir Haber", and `tag:"bob's"` the articles
    tagged "Bob’s", as the query language compares names."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [make(n, source="İzmir Haber") for n in range(2)]
            + [dataclasses.replace(make(5), tags=["Bob\u2019s"]), make(6)]
        )
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        dashboard.set_filter('source:"İZMİR HABER"')
        await settle(app, pilot)
        assert dashboard.headlines.ids == [make(n, source="İzmir Haber").id for n in (1, 0)]
        assert 'filter: source:"İZMİR HABER" ─ 2 of 4' in status_text(app)
        dashboard.set_filter('tag:"bob\'s"')
        await settle(app, pilot)
        assert dashboard.headlines.ids == [make(5).id]


async def test_a_query_pasted_on_several_lines_filters_by_all_of_it(tmp_path: Path) -> None:
    """Pasted into the `/` prompt, "tariff" and "-markets" on two lines filtered by "tariff"
    alone (the field kept a paste's first line), where `wirewatch list` reads the line break
    as a space. The prompt reads it so too, and drops other control characters."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("slash")
        field = app.screen.query_one("#filter-input", Input)
        field.post_message(events.Paste("tariff\r\n-markets\x07\n"))
        await pilot.pause()
        assert field.value == "tariff -markets"
        await pilot.press("enter")
        await settle(app, pilot)
        assert dash(app).query_text == "tariff -markets"


async def test_a_filter_since_an_hour_ago_lets_an_article_go_as_it_grows_older(
    tmp_path: Path,
) -> None:
    """`since:1h` at 08:00 lists the articles of 07:15, 07:40 and 07:50. At 08:20, with
    nothing polled or changed, the one of 07:15 is over an hour old: it leaves the list and
    its count, as `wirewatch list since:1h` leaves it out (it stayed until something new
    came), and the reader stays on the row they were reading. An event's count of the
    headlines of its query, since:1h, drops with it."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(15), make(40), make(50)])
    config = config_for(tmp_path)
    config.events.append(Event("Talks", FROZEN + timedelta(days=1), "UTC", query="since:1h"))
    now = [FROZEN]
    app = WirewatchApp(config, tmp_path / "data", clock=lambda: now[0], poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=3)
        await pilot.press("slash", *"since", "colon", *"1h", "enter")
        await settle(app, pilot)
        assert "filter: since:1h ─ 3 of 3" in status_text(app)
        assert "Talks  3 headlines" in screen_text(app)
        await pilot.press("j")  # the reader on the article of 07:40
        await until(pilot, lambda: dashboard.article_view.article_id == make(40).id)
        now[0] = FROZEN + timedelta(minutes=20)
        await until(pilot, lambda: "filter: since:1h ─ 2 of 3" in status_text(app))
        assert dashboard.headlines.ids == [make(50).id, make(40).id]
        assert dashboard.headlines.current_id == make(40).id
        assert dashboard.article_view.article_id == make(40).id
        await until(pilot, lambda: "Talks  2 headlines" in screen_text(app))


# -- a store whose older days load after the first rows --------------------------------------
DAYS, PER_DAY = 4, 12  # the store's days, and the articles of each


def _day_article(day: int, n: int) -> Article:
    when = FROZEN - timedelta(days=day, minutes=n)
    return Article(
        id=f"d{day}-{n}",
        source="Wire",
        title=f"Day {day} headline {n} about tariffs",
        summary="",
        published=when,
        fetched=when,
    )


def _loading_in_two_steps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[WirewatchApp, threading.Event]:
    """A dashboard (not polling) over DAYS days of articles that opens on its newest day
    alone, as a big store opens on its newest days: the older ones are read once the gate
    returned is set (at 100,000 articles, a second or two later). An event, "Talks",
    counts the headlines about tariffs: every article."""
    monkeypatch.setattr(session_module, "FIRST_PAINT_ARTICLES", PER_DAY // 2)
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([_day_article(d, n) for d in range(DAYS) for n in range(PER_DAY)])
    gate = threading.Event()
    load_rest = session_module.Session.load_rest

    def held(session: session_module.Session) -> None:
        gate.wait(30)
        load_rest(session)

    monkeypatch.setattr(session_module.Session, "load_rest", held)
    config = config_for(tmp_path)
    config.events.append(Event("Talks", FROZEN + timedelta(days=1), "UTC", query="tariffs"))
    app = WirewatchApp(config, tmp_path / "data", clock=lambda: FROZEN, poll=False)
    return app, gate


async def _first_rows(app: WirewatchApp, pilot: Pilot[None]) -> DashboardScreen:
    """The dashboard once the rows of the part of the store opened first are drawn."""
    await seen(app).wait_for(QueryDone)
    await pilot.pause()
    dashboard = dash(app)
    await until(pilot, lambda: bool(dashboard.headlines.ids) and dashboard._answered > 0)
    await pilot.pause()
    return dashboard


def _notes(app: WirewatchApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


async def test_g_while_the_older_days_load_waits_for_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """G on a dashboard still reading its older days went to the oldest row of the part
    read first (a day-old article halfway down the whole list), stayed there once the whole
    list came, and read it. It waits for the whole list, as n and A do, and says so; once
    the list is whole, G goes to the oldest article."""
    app, gate = _loading_in_two_steps(tmp_path, monkeypatch)
    app.read_after = 0.1
    try:
        async with piloted(app, (120, 36)) as pilot:
            dashboard = await _first_rows(app, pilot)
            headlines = dashboard.headlines
            partial_oldest = headlines.ids[-1]
            assert len(headlines.ids) < DAYS * PER_DAY  # (the older days still to come)
            for key in ("G", "end"):
                await pilot.press(key)
                await pilot.pause(0.3)  # past the time an article is read after
                assert headlines.cursor == 0
            assert "The list is still being read" in _notes(app)
            assert dashboard.session.store.unread([partial_oldest]) == {partial_oldest}
            gate.set()
            await settle(app, pilot, want=DAYS * PER_DAY)
            await pilot.press("G")
            await pilot.pause()
            assert headlines.current_id == _day_article(DAYS - 1, PER_DAY - 1).id
    finally:
        gate.set()


async def test_counts_while_the_older_days_load_say_so_and_are_never_the_part_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the older days of a big store were read, the status line said "2,048 of
    4,048" with no filter in force (the part read, as if the store held no more), for a
    moment longer once "loading older articles…" had gone, and the countdown counted an
    event's headlines in that part ("Summit 222 headlines" of 4,377). The status says how
    many rows are shown while the rest loads, and the countdown counts once it is whole."""
    app, gate = _loading_in_two_steps(tmp_path, monkeypatch)
    try:
        async with piloted(app, (200, 36)) as pilot:
            dashboard = await _first_rows(app, pilot)
            shown = len(dashboard.headlines.ids)
            assert shown < DAYS * PER_DAY
            status = status_text(app)
            assert f"{shown} shown ─ loading older articles…" in status
            assert f"{shown} of" not in status
            assert not re.search(r"Talks +\d+ headlines", screen_text(app))
            whole_list = _gated_matches(dashboard)  # the whole store's list, held
            since = seen(app).mark()
            gate.set()
            await seen(app).wait_for(StoreLoaded, since=since)
            await pilot.pause(0.1)
            status = status_text(app)
            assert f"{shown} shown ─ loading older articles…" in status  # (its list to come)
            assert f"{shown} of" not in status
            assert not re.search(r"Talks +\d+ headlines", screen_text(app))
            whole_list.set()
            await settle(app, pilot, want=DAYS * PER_DAY)
            await until(pilot, lambda: "Talks  48 headlines" in screen_text(app))
            status = status_text(app)
            assert "48 of 48" in status and "loading" not in status
    finally:
        gate.set()


async def test_a_new_filter_is_never_shown_beside_the_count_of_the_last(tmp_path: Path) -> None:
    """Until a new filter's list came, the status line named it beside the last filter's
    count ("filter: is:unread ─ 100,024 of 100,024", "filter: outlets:>=2 ─ 20 of
    100,028"): it says "filtering…" until the new count comes."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(20)] + [make(n, source="Other") for n in range(5)])
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=25)
        assert "25 of 25" in status_text(app)
        for text, count in (("source:Other", "5 of 25"), ("", "25 of 25")):
            gate = _gated_matches(dashboard)
            dashboard.set_filter(text)
            await pilot.pause(0.1)
            status = status_text(app)
            assert " of 25" not in status
            assert ("filter: source:Other ─ filtering…" if text else "─ listing…") in status
            gate.set()
            await settle(app, pilot)
            assert count in status_text(app)
            assert "filtering…" not in status_text(app) and "listing…" not in status_text(app)
        gate = _gated_matches(dashboard)
        await pilot.press("u")  # the unread view: another list, another count
        await pilot.pause(0.1)
        assert "filter: (unread only) ─ filtering…" in status_text(app)
        gate.set()
        await settle(app, pilot)
        assert "filter: (unread only) ─ " in status_text(app)
        assert "filtering…" not in status_text(app)


def _desk_of_opml_names(tmp_path: Path) -> WirewatchApp:
    """A dashboard of sources named as an OPML file names them (an em dash, an accent),
    each with articles stored; the tag "Économie" on the Markets ones."""
    names = ["Frontier Review \u2014 Markets", "Frontier Review \u2014 Politics", "Yonhap",
             "Caf\u00e9 Matin"]  # fmt: skip
    sources = [Source(name, url=f"https://example.org/{n}.xml", enabled=False,
                      tags=["\u00c9conomie"] if n == 0 else [])
               for n, name in enumerate(names)]  # fmt: skip
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n, source=name) for name in names for n in range(2)])
    return make_app(tmp_path, config_for(tmp_path, *sources), poll=False)


async def _type_in_prompt(pilot: Pilot, text: str) -> Input:
    """`/`, then `text` typed key by key: the prompt's field."""
    await pilot.press("slash")
    for ch in text:
        await pilot.press({" ": "space", ":": "colon", '"': "quotation_mark"}.get(ch, ch))
    field = dash(pilot.app).query_one("#filter-input", Input)  # type: ignore[arg-type]
    assert field.value.endswith(text)
    return field


async def test_a_source_name_begun_in_the_prompt_is_suggested_and_taken_by_tab(
    tmp_path: Path,
) -> None:
    """`source:Fron` shows the rest of the name faint after it, "tier Review — Markets";
    tab takes it, written as a query writes a name with spaces (quoted), and enter lists
    that source's articles. (Nothing was suggested, and tab closed the prompt and lost what
    was typed.)"""
    app = _desk_of_opml_names(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=8)
        field = await _type_in_prompt(pilot, "source:Fron")
        await until(pilot, lambda: "Frontier Review" in screen_text(app))
        assert "source:Frontier Review \u2014 Markets" in screen_text(app)
        assert field.value == "source:Fron"  # (shown, not yet taken)
        await pilot.press("tab")
        assert field.value == 'source:"Frontier Review \u2014 Markets"'
        assert field.cursor_position == len(field.value) and field.has_focus
        await pilot.press("enter")
        await settle(app, pilot)
        assert dashboard.headlines.ids == [
            make(n, source="Frontier Review \u2014 Markets").id for n in (1, 0)
        ]
        assert "2 of 8" in status_text(app)


@pytest.mark.parametrize(
    ("typed", "key", "taken"),
    [
        ("source:yon", "right", "source:Yonhap"),  # any case, taken as the config has it
        ("source:cafe", "end", 'source:"Caf\u00e9 Matin"'),  # without its accent
        ('-source:"frontier review - p', "right", '-source:"Frontier Review \u2014 Politics"'),
        ("tariff tag:eco", "tab", "tariff tag:\u00c9conomie"),  # a tag, after a word
    ],
)
async def test_a_name_suggested_in_the_prompt_is_taken_by_right_end_or_tab(
    tmp_path: Path, typed: str, key: str, taken: str
) -> None:
    app = _desk_of_opml_names(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=8)
        field = await _type_in_prompt(pilot, typed)
        await until(pilot, lambda: len(field._suggestion) > len(field.value))
        await pilot.press(key)
        assert field.value == taken


async def test_tab_with_no_name_suggested_keeps_the_prompt_and_what_was_typed(
    tmp_path: Path,
) -> None:
    """Tab over a query that no name completes rings the bell and leaves the prompt as it
    is; the focus taken from it otherwise (shift+tab) closes it, and `/` opens it again on
    what was typed, not on the filter in force. Escape still drops it."""
    from tui.widgets.filterbar import FilterBar

    app = _desk_of_opml_names(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=8)
        bar = dashboard.query_one(FilterBar)
        field = await _type_in_prompt(pilot, "tariff source:Zzz")
        await pilot.press("tab")
        await pilot.pause()
        assert bar.display and field.has_focus and field.value == "tariff source:Zzz"
        await pilot.press("shift+tab")
        await pilot.pause()
        assert not bar.display and dashboard.query_text == ""
        await pilot.press("slash")
        assert bar.display and field.value == "tariff source:Zzz"
        await pilot.press("escape", "slash")
        assert field.value == ""


async def test_a_source_typed_with_a_hyphen_lists_the_one_named_with_a_dash(
    tmp_path: Path,
) -> None:
    """source:"Frontier Review - Markets", typed with the keyboard's hyphen, lists the source
    an OPML file named with an em dash ("No article matches the filter.")."""
    app = _desk_of_opml_names(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=8)
        dashboard.set_filter('source:"Frontier Review - Markets"')
        await settle(app, pilot)
        assert dashboard.headlines.ids == [
            make(n, source="Frontier Review \u2014 Markets").id for n in (1, 0)
        ]


async def test_a_source_filter_naming_no_source_says_the_one_it_may_have_meant(
    tmp_path: Path,
) -> None:
    """An empty list under a source: that names no source says so, with the name it may
    have meant, as `wirewatch list` says it (it said only "No article matches the
    filter.")."""
    app = _desk_of_opml_names(tmp_path)
    async with piloted(app, (200, 50)) as pilot:
        dashboard = await settle(app, pilot, want=8)
        dashboard.set_filter('source:"Frontier Reveiw - Markets"')
        await settle(app, pilot)
        assert dashboard.headlines.ids == []
        await until(pilot, lambda: "no source of that name" in screen_text(app))
        # (over the lines it needs in the headlines' pane)
        rows = [line for line in screen_text(app).splitlines() if line.count("\u2502") > 1]
        said = " ".join(row.split("\u2502")[1].strip() for row in rows[:5])
        assert (
            'No article matches the filter: source:"frontier reveiw - markets": no source of'
            ' that name (did you mean source:"Frontier Review \u2014 Markets"?)'
        ) in said
