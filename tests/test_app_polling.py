"""Polling: the dashboard as writer runs the newsroom's one cycle, like `poll` and `refresh`."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest

from fetchers.config import load_config
from fetchers.events import EventBook
from fetchers.healthbook import HealthBook
from fetchers.models import Article, Event, Source, SourceHealth
from fetchers.newsroom import REFRESH_ASKED
from fetchers.store import Store
from tests.conftest import (
    FROZEN,
    FeedServer,
    Route,
    config_for,
    dash,
    make_app,
    palette_search,
    piloted,
    rss,
    screen_text,
    seed_only_config,
    seen,
    settle,
    status_text,
    until,
)
from tui.app import WirewatchApp
from tui.messages import (
    ConfigRefused,
    ConfigReread,
    CycleDone,
    PollerReady,
    QueryDone,
    RowsReadAgain,
)
from tui.widgets.article import ArticleView

OLD_TITLE = "Forty days old and never starred"


async def test_the_dashboard_applies_retention_after_its_poll(tmp_path: Path) -> None:
    with Store(tmp_path / "data", writer=True) as store:
        old = FROZEN - timedelta(days=40)  # the default keeps 30 days
        store.add_batch(
            [Article(id="old", source="Old wire", title=OLD_TITLE, fetched=old, published=old)]
        )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await seen(app).wait_for(CycleDone, lambda m: m.removed == 1)
        await settle(app, pilot, want=6)
        assert OLD_TITLE not in screen_text(app)
        assert "6 of 6" in str(app.screen.query_one("#status").render())


async def test_the_palette_offers_events_added_in_the_app(tmp_path: Path) -> None:
    EventBook(tmp_path / "data").add(
        Event(name="Tariff deadline", when=FROZEN + timedelta(days=8), tz="UTC", query="tariff")
    )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await palette_search(pilot, "deadline")
        assert "Filter to event: Tariff deadline" in screen_text(app)


async def test_after_a_restart_the_status_says_when_the_next_poll_is_due(tmp_path: Path) -> None:
    """Polled 3 minutes before the restart, due again in 7: nothing is polling meanwhile."""
    config = seed_only_config(tmp_path)
    with Store(tmp_path / "data", writer=True):  # a data dir the writer made
        HealthBook(tmp_path / "data").save(
            {
                s.name: SourceHealth(
                    s.name,
                    s.location,
                    status="ok",
                    last_polled=FROZEN - timedelta(minutes=3),
                    next_poll=FROZEN + timedelta(minutes=7, seconds=30),
                )
                for s in config.sources
                if s.enabled
            }
        )
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await seen(app).wait_for(PollerReady)

        def status_line() -> str:
            return status_text(app)

        # a tick of the poll loop and of the status line (once a second)
        await until(pilot, lambda: "polled 3m ago ─ next poll in 7m" in status_line())
        status = status_line()
        assert "polling" not in status
        assert dash(app).last_poll is None  # and nothing was polled


async def test_a_last_poll_dated_after_the_clock_is_not_said_to_be_just_now(
    tmp_path: Path,
) -> None:
    """A poller that ran under a clock a day ahead left its polls dated tomorrow: a viewer
    said "polled <1m ago", as if the sources had just been polled."""
    config = seed_only_config(tmp_path)
    with Store(tmp_path / "data", writer=True):  # another process polls this store
        HealthBook(tmp_path / "data").save(
            {
                s.name: SourceHealth(
                    s.name,
                    s.location,
                    status="ok",
                    last_polled=FROZEN + timedelta(days=1),
                    next_poll=FROZEN + timedelta(days=1, minutes=10),
                )
                for s in config.sources
                if s.enabled
            }
        )
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 50)) as pilot:
            await until(pilot, lambda: "ago" in status_text(app) or "clock" in status_text(app))
            status = status_text(app)
            assert "last poll dated 1d after this clock" in status and "<1m" not in status


async def test_the_poll_cycle_runs_beside_the_screen_not_on_its_event_loop(
    tmp_path: Path,
) -> None:
    """What a cycle does between its awaits (reading responses, staging, the hooks) would
    hold up every keypress and repaint if it ran on the screen's event loop."""
    import asyncio
    import threading

    app = make_app(tmp_path)
    where: list[tuple[int, asyncio.AbstractEventLoop]] = []
    async with piloted(app, (160, 50)) as pilot:
        await seen(app).wait_for(PollerReady)
        screen_loop = asyncio.get_running_loop()
        app.session.newsroom.on_cycle(  # type: ignore[union-attr]
            lambda _: where.append((threading.get_ident(), asyncio.get_running_loop()))
        )
        await pilot.press("r")  # a cycle now, asked from the screen
        await seen(app).wait_for(CycleDone)
        await settle(app, pilot, want=6)
    assert where, "no cycle ran"
    thread, loop = where[-1]
    assert thread != threading.get_ident() and loop is not screen_loop


async def test_before_the_poll_loop_runs_the_writers_client_is_never_made_on_the_screens_loop(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The poller's HTTP client belongs to the poll thread's loop: `r` before it runs says
    so, and `f` fetches with a client of its own, never the poller's."""
    from datetime import UTC

    from tests.conftest import Route
    from tui.session import Session

    link = feed_server.add(
        "/page.html",
        Route(("<html><body><article><p>" + "Port talks went on. " * 40 + "</p>").encode()),
    )
    session = Session.open(seed_only_config(tmp_path), tmp_path / "data", lambda: FROZEN, UTC, True)
    try:
        assert session.is_writer and session.newsroom.poller is not None
        assert await session.cycle() is None
        assert "Port talks went on." in await session.page_text(link)
        assert session.newsroom.poller._client is None
    finally:
        session.close()
        session.store.close()


def test_an_events_count_asks_the_stories(tmp_path: Path) -> None:
    """An event whose query asks the stories (`outlets:>=2`) is counted with them, as the
    headlines' filter is."""
    from datetime import UTC

    from fetchers.query import parse_query
    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf
    from tui.session import Session

    session = Session.open(seed_only_config(tmp_path), tmp_path / "data", lambda: FROZEN, UTC, True)
    try:
        session.store.add_batch(
            [Article(id=f"w{n}", source=f"Wire {n}", title="Deal", fetched=FROZEN) for n in (1, 2)]
        )
        session.shelf = StoryShelf(
            [
                Story(
                    "s0123456789ab",
                    "Deal",
                    ["w1", "w2"],
                    ["Wire 1", "Wire 2"],
                    "w1",
                    "Wire 1",
                    0,
                    0,
                )
            ]
        )
        event = Event(name="Shared", when=FROZEN + timedelta(days=1), tz="UTC", query="outlets:>=2")
        found = session.matches(parse_query(""), [event])
        assert found.event_counts == {"outlets:>=2": 2}  # (by query: names may be shared)
    finally:
        session.close()
        session.store.close()


async def test_when_the_poll_loop_ends_the_dashboard_no_longer_polls_and_r_polls_again(
    tmp_path: Path,
) -> None:
    """A poll loop that fails is said, leaves the dashboard not polling (`r` does not wait
    for a poller that will never come), and `r` starts it again."""
    from textual.worker import Worker, WorkerState

    def loop_ended(message: Worker.StateChanged) -> bool:
        worker = message.worker
        return worker.name == "_poll_loop" and message.state == WorkerState.ERROR

    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await seen(app).wait_for(PollerReady)
        await pilot.pause()
        dashboard = dash(app)
        assert dashboard.polling
        poller = app.session.newsroom.poller  # type: ignore[union-attr]
        assert poller is not None
        lease = poller.lease

        async def broken(force: bool = False) -> set[str]:
            raise RuntimeError("the lease table is gone")

        since = seen(app).mark()
        poller.lease = broken  # type: ignore[method-assign]
        await seen(app).wait_for(Worker.StateChanged, loop_ended, since=since)
        await pilot.pause()
        assert not dashboard.polling
        assert any("the lease table is gone" in str(n.message) for n in app._notifications)
        poller.lease = lease  # type: ignore[method-assign]
        await pilot.press("r")
        assert dashboard.polling
        session = app.session
        assert session is not None
        for _ in range(3000):  # the poll thread's loop runs again
            if session._poll_loop is not None:
                break
            await pilot.pause(0.01)
        since = seen(app).mark()
        await pilot.press("r")  # and a cycle runs in it
        await seen(app).wait_for(CycleDone, since=since)


async def test_q_stops_the_poll_loop_and_the_parse_workers_once(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    closed: list[bool] = []
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await seen(app).wait_for(PollerReady)
        session = dashboard.session
        close = session.close

        def counted() -> None:
            closed.append(dashboard.polling)
            close()

        session.close = counted  # type: ignore[method-assign]
        await pilot.press("q")
        await pilot.pause()
    assert closed == [True]  # once, while the poll loop still ran


async def test_an_open_dashboard_polling_again_and_again_freezes_nothing_more(
    tmp_path: Path,
) -> None:
    """The heap is settled as the collector resumes after the cycle's pauses (see
    `HeapSettler`). Freezing it each time kept every reference cycle alive then, such as
    each line the screen had drawn, for good once let go: an open dashboard grew by about
    0.7 MB a poll. A few polls of a few articles now leave what they made to the collector."""
    import gc

    app = make_app(tmp_path)  # its session settles the heap with a `HeapSettler` of its own
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)

        async def poll_and_browse() -> None:
            mark = seen(app).mark()
            await pilot.press("r")
            await seen(app).wait_for(CycleDone, since=mark)
            for key in "jjjkkk":  # lines drawn anew
                await pilot.press(key)
            await pilot.pause(0.2)

        for _ in range(2):
            await poll_and_browse()
        gc.collect()
        gc.freeze()  # what the tests before left is out of the count
        frozen = gc.get_freeze_count()
        try:
            for _ in range(6):
                await poll_and_browse()
            assert gc.get_freeze_count() <= frozen  # 17,000-19,000 more when each froze
        finally:
            gc.unfreeze()


class _Cycle:
    """A reference cycle once `me` is set, as a line the screen drew is: freed only by the
    collector."""

    me: object


async def test_what_a_freeze_kept_alive_in_an_open_dashboard_is_freed_once_its_user_pauses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle alive when the heap was frozen and let go since is never collected: an open
    dashboard grew by some 20 KB for each article it took in, the lines it had drawn. The
    frozen heap is walked now and then; a long walk (here every one) waits for the user to
    stop typing, so that no key waits on it."""
    import gc
    import weakref

    import tui.app
    from fetchers.heap import FREEZE_FROM, collector_paused

    monkeypatch.setattr(tui.app, "RECLAIM_LOOK", 0.05)
    monkeypatch.setattr(tui.app, "RECLAIM_EVERY", 0.0)
    monkeypatch.setattr(tui.app, "QUICK_RECLAIM", 0)
    monkeypatch.setattr(tui.app, "IDLE_FOR", 3600.0)
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        node = _Cycle()
        node.me = node
        alive = weakref.ref(node)
        try:
            with collector_paused():  # as a poll's write: the session's settler freezes
                made = [[n] for n in range(FREEZE_FROM + 1000)]  # what it made, node too
            del node, made
            # the user away for two hours, then a key: within a pause, so that no look walks
            # the heap between the two (one did now and then, before the key was taken)
            with collector_paused():
                app._last_input -= 7200
                await pilot.press("j")
            await pilot.pause(0.5)  # ten looks, each while the user was typing
            gc.collect()
            assert alive() is not None
            monkeypatch.setattr(tui.app, "IDLE_FOR", 0.0)
            await until(pilot, lambda: alive() is None)
        finally:
            gc.unfreeze()


def _row(app, y: int = 0) -> str:  # type: ignore[no-untyped-def]
    return dash(app).headlines.render_line(y).text


def _wire_config(tmp_path: Path) -> Path:
    """A config file of one source, "Wire", a file of one headline."""
    wire = tmp_path / "wire.xml"
    _wire(wire, "Bank of Korea holds key rate at 2.5 percent")
    path = tmp_path / "wirewatch.toml"
    path.write_text(f'[[sources]]\nname = "Wire"\npath = "{wire}"\n', "utf-8")
    return path


def _wire(feed: Path, title: str) -> None:
    feed.write_bytes(
        rss(f"<title>{title}</title><guid>g-1</guid><pubDate>Fri, 24 Oct 2025 07:50 GMT</pubDate>")
    )


async def test_a_headline_its_source_revised_is_drawn_anew_by_the_dashboard_that_polls(
    tmp_path: Path,
) -> None:
    """A cycle that brings no new article but a rewritten headline redraws its row, with the
    revision's `~`: the rows stood as they were until a key or a new article read them. The
    article pane showing it reads it again too (it kept the old headline until the cursor
    left the row and came back)."""
    feed = tmp_path / "wire.xml"
    _wire(feed, "Bank of Korea holds key rate at 2.5 percent")
    app = make_app(tmp_path, config_for(tmp_path, Source("Wire", path=str(feed))))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        assert "holds key rate" in _row(app)
        _wire(feed, "Bank of Korea unexpectedly cuts key rate to 2.25 percent")
        since = seen(app).mark()
        await pilot.press("r")
        await seen(app).wait_for(CycleDone, lambda m: bool(m.revised_ids), since=since)
        await seen(app).wait_for(  # (a look at the marks meanwhile reads rows too)
            RowsReadAgain,
            lambda m: (
                m.rows is not None
                and any("cuts key rate" in r.article.title for r in m.rows.articles.values())
            ),
            since=since,
        )
        await pilot.pause()
        row = _row(app)
        assert "cuts key rate" in row and "~" in row.split("Wire")[0]
        await seen(app).wait_for(
            ArticleView.Loaded,
            lambda m: "cuts key rate" in m.reading.article.title,  # type: ignore[union-attr]
            since=since,
        )
        await pilot.pause()
        pane = str(dash(app).article_view.query_one("#article-body").render())
        assert "cuts key rate" in pane and "holds key rate" not in pane


async def test_a_mark_a_viewer_changes_is_drawn_by_the_dashboard_that_polls(
    tmp_path: Path,
) -> None:
    """A star set in a viewer reaches the dashboard that polls, whether or not that one
    marks an article itself meanwhile (its own mark read the viewer's star too)."""
    feed = tmp_path / "wire.xml"
    feed.write_bytes(
        rss(
            "<title>Newest</title><guid>g-2</guid><pubDate>Fri, 24 Oct 2025 07:55 GMT</pubDate>",
            "<title>Older</title><guid>g-1</guid><pubDate>Fri, 24 Oct 2025 07:50 GMT</pubDate>",
        )
    )
    app = make_app(tmp_path, config_for(tmp_path, Source("Wire", path=str(feed))))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=2)
        await seen(app).wait_for(PollerReady)
        headlines = dash(app).headlines
        older = headlines.ids[1]
        assert "Older" in _row(app, 1) and not _row(app, 1).startswith("*")
        since = seen(app).mark()
        with Store(tmp_path / "data") as viewer:  # another process's look at the store
            viewer.set_state([older], starred=True)
        # (every look at the marks says so: one that found none changed has no rows)
        await seen(app).wait_for(RowsReadAgain, lambda m: m.rows is not None, since=since)
        await pilot.pause()
        assert _row(app, 1).startswith("*")


async def test_the_ages_on_an_idle_screen_move_on(tmp_path: Path) -> None:
    """Nothing arrives and no key is pressed: the rows' ages still follow the clock."""
    with Store(tmp_path / "data", writer=True) as store:
        ten_ago = FROZEN - timedelta(minutes=10)
        store.add_batch(
            [Article(id="a", source="Wire", title="First", fetched=ten_ago, published=ten_ago)]
        )
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        headlines = dash(app).headlines
        assert " 10m " in _row(app)
        now = [FROZEN]
        headlines._clock = lambda: now[0]
        headlines.refresh_ages()  # nothing reads otherwise: nothing is drawn again
        assert headlines._ages_drawn
        now[0] = FROZEN + timedelta(minutes=5)
        headlines.refresh_ages()
        await pilot.pause()
        assert " 15m " in _row(app)


async def test_rows_read_for_an_older_list_are_read_again_not_drawn(tmp_path: Path) -> None:
    """A look at the rows that a mark or a new list overtook is read once more, never drawn
    over what is newer."""
    from tui.rows import Rows

    feed = tmp_path / "wire.xml"
    _wire(feed, "First headline")
    app = make_app(tmp_path, config_for(tmp_path, Source("Wire", path=str(feed))))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        dashboard = dash(app)
        headlines = dashboard.headlines
        drawn: list[Rows] = []
        headlines.update_rows = lambda rows, everything=False: drawn.append(rows)  # type: ignore[method-assign]
        since = seen(app).mark()
        dashboard.post_message(RowsReadAgain(Rows(), headlines.generation - 1))
        await seen(app).wait_for(
            RowsReadAgain, lambda m: m.generation == headlines.generation, since=since
        )
        await pilot.pause()
        assert len(drawn) == 1  # the stale one dropped, the one read again drawn


async def test_a_filtered_list_follows_a_headline_its_source_revised(tmp_path: Path) -> None:
    """Filtered to "holds", a cycle that rewrites the headline to "cuts" empties the list
    (it kept the row that no longer matched, and a filter to "cuts" showed nothing)."""
    feed = tmp_path / "wire.xml"
    _wire(feed, "Bank of Korea holds key rate at 2.5 percent")
    app = make_app(tmp_path, config_for(tmp_path, Source("Wire", path=str(feed))))
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        dashboard.set_filter("holds")
        await settle(app, pilot, want=1)
        _wire(feed, "Bank of Korea unexpectedly cuts key rate to 2.25 percent")
        since = seen(app).mark()
        await pilot.press("r")
        await seen(app).wait_for(CycleDone, lambda m: bool(m.revised_ids), since=since)
        await seen(app).wait_for(QueryDone, lambda m: not m.matches.ids, since=since)
        dashboard.set_filter("cuts")
        await settle(app, pilot, want=1)
        assert "cuts key rate" in _row(app)


async def test_a_source_added_to_the_config_file_is_polled_by_the_open_dashboard(
    tmp_path: Path,
) -> None:
    """A source `wirewatch add` wrote into the config beside an open dashboard was never
    polled, nor listed, until it restarted: the changed file is read again between cycles."""
    desk = tmp_path / "desk.xml"
    desk.write_bytes(rss("<title>Desk exclusive: chip tariffs</title><guid>d-1</guid>"))
    path = _wire_config(tmp_path)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        with path.open("a", encoding="utf-8") as config:
            config.write(f'[[sources]]\nname = "Desk"\npath = "{desk}"\n')
        await seen(app).wait_for(ConfigReread, since=since)
        await seen(app).wait_for(CycleDone, lambda m: bool(m.new_ids), since=since)
        dashboard = dash(app)
        await seen(app).wait_for(
            QueryDone,
            lambda m: m.generation == dashboard.generation and m.matches.total >= 2,
            since=since,
        )
        await pilot.pause()
        assert [s.name for s in dashboard.config.sources] == ["Wire", "Desk"]
        assert "chip tariffs" in screen_text(app)


def _desk_config(path: Path, feeds: list[Path], names: list[str], tags: list[str]) -> None:
    """A config of a source a feed file, named and tagged as given."""
    path.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\npath = "{feed}"\ntags = ["{tag}"]\n'
            for feed, name, tag in zip(feeds, names, tags, strict=True)
        ),
        "utf-8",
    )


async def test_a_config_reload_says_sources_renamed_removed_added_and_changed_briefly(
    tmp_path: Path,
) -> None:
    """The notice of a config read again called a renamed source (same address, another
    name) "added", left a removed one out, and listed every name: 300 renames were 300
    names "added", a toast filling the terminal. It says each kind of change, a few names
    of each and how many more, in a few lines."""
    feeds = []
    for n in range(12):
        feed = tmp_path / f"f{n}.xml"
        feed.write_bytes(rss(f"<title>Headline {n}</title><guid>g-{n}</guid>"))
        feeds.append(feed)
    path = tmp_path / "wirewatch.toml"
    names = [f"Desk {n}" for n in range(12)]
    _desk_config(path, feeds[:11], names[:11], ["desk"] * 11)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=11)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        # Desk 0-8 renamed, Desk 9 removed, Desk 10 retagged, Desk 11 added
        now = [f"Wire {n}" for n in range(9)] + ["Desk 10", "Desk 11"]
        _desk_config(path, feeds[:9] + feeds[10:12], now, ["desk"] * 9 + ["world", "desk"])
        await seen(app).wait_for(ConfigReread, since=since)
        await pilot.pause()
        (told,) = [str(n.message) for n in app._notifications if "read again" in str(n.message)]
    lines = told.splitlines()
    assert lines[0] == "The config file changed and was read again (11 sources)."
    assert lines[1:] == [
        "1 added: Desk 11",
        "1 removed: Desk 9",
        "9 renamed: Desk 0 → Wire 0, Desk 1 → Wire 1 and 7 more",
        "1 changed: Desk 10",
    ]


async def test_a_config_edit_that_cannot_be_read_is_said_on_the_open_dashboard(
    tmp_path: Path,
) -> None:
    """An edit that broke the config (`interval = "5 minutes"`) was ignored without a word:
    the new source never came and nothing said why (the log line reached no one). The
    dashboard says what is wrong and keeps the running config."""
    path = _wire_config(tmp_path)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        with path.open("a", encoding="utf-8") as config:
            config.write('[[sources]]\nname = "Desk"\npath = "desk.xml"\ninterval = "5 minutes"\n')
        refused = await seen(app).wait_for(ConfigRefused, since=since)
        assert "5 minutes" in refused.problem
        await pilot.pause()
        (told,) = [n for n in app._notifications if "cannot be read" in str(n.message)]
        assert "5 minutes" in str(told.message) and told.severity == "error"
        assert [s.name for s in dash(app).config.sources] == ["Wire"]


async def test_a_config_edit_a_restart_takes_is_said_on_the_open_dashboard(
    tmp_path: Path,
) -> None:
    """A reload that moves the data dir, or leaves no source to poll, is taken, and the
    dashboard says so as the poll log does (it said only that the config was read again)."""
    path = _wire_config(tmp_path)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        path.write_text('[settings]\ndata_dir = "elsewhere"\n', "utf-8")
        await seen(app).wait_for(ConfigReread, since=since)
        await pilot.pause()
        told = [str(n.message) for n in app._notifications if n.severity == "warning"]
        assert any("names no source to poll" in said for said in told), told
        assert any("settings.data_dir changed" in said for said in told), told


async def test_a_config_mended_takes_down_the_error_and_marks_its_new_watch_terms(
    tmp_path: Path,
) -> None:
    """Once the broken edit is mended, the error it showed goes (it stayed its 30 s, the
    only notice on screen, saying the config could not be read); and the watch terms the
    mended file gives are the ones marked in the headlines (the old ones stayed marked until
    a restart)."""
    path = _wire_config(tmp_path)
    good = path.read_text("utf-8")
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        path.write_text(good + "oops = = 1\n", "utf-8")
        await seen(app).wait_for(ConfigRefused, since=since)
        await pilot.pause()
        assert any("cannot be read" in str(n.message) for n in app._notifications)
        since = seen(app).mark()
        path.write_text(good + '[watch]\nterms = ["Korea"]\n', "utf-8")
        await seen(app).wait_for(ConfigReread, since=since)
        await pilot.pause()
        assert not any("cannot be read" in str(n.message) for n in app._notifications)
        marked = dashboard.headlines._watch
        assert marked is not None and marked.search("Bank of Korea holds") is not None


async def test_a_viewer_lists_the_sources_its_poller_was_given_since_it_opened(
    tmp_path: Path,
) -> None:
    """A viewer kept the config it opened with: its health picker and its count of failing
    sources left out the sources added for the poller since."""
    wire, desk = tmp_path / "wire.xml", tmp_path / "desk.xml"
    path = tmp_path / "wirewatch.toml"
    path.write_text(f'[[sources]]\nname = "Wire"\npath = "{wire}"\n', "utf-8")
    with Store(tmp_path / "data", writer=True):  # another process polls this store
        app = make_app(tmp_path, load_config(path, FROZEN), poll=False)
        async with piloted(app, (160, 50)) as pilot:
            dashboard = await settle(app, pilot, want=0)
            assert not dashboard.session.store.is_writer
            since = seen(app).mark()
            with path.open("a", encoding="utf-8") as config:
                config.write(f'[[sources]]\nname = "Desk"\npath = "{desk}"\n')
                config.write('[filters]\n7 = "source:Desk"\n')
            await seen(app).wait_for(ConfigReread, since=since)
            await pilot.pause()
            assert [s.name for s in dashboard.config.sources] == ["Wire", "Desk"]
            assert any("1 added: Desk" in str(n.message) for n in app._notifications)
            assert dashboard.config.filters == {"7": "source:Desk"}  # 7 filters to it now


async def test_r_in_a_viewer_asks_the_writer_to_refresh(tmp_path: Path) -> None:
    """`r` in a viewer said only that the poller refreshes on its own: it asks the writer of
    the data dir to poll every source now, and says so."""
    with Store(tmp_path / "data", writer=True):  # another process polls this store
        app = make_app(tmp_path, seed_only_config(tmp_path), poll=False)
        async with piloted(app, (160, 50)) as pilot:
            await settle(app, pilot, want=0)
            await pilot.press("r")
            for _ in range(100):  # the ask is written in a thread, then said
                told = [str(n.message) for n in app._notifications]
                if any("to refresh every source now" in said for said in told):
                    break
                await pilot.pause(0.1)
            assert any("to refresh every source now" in said for said in told)
            assert (tmp_path / "data" / REFRESH_ASKED).exists()


def _items(feed: Path, count: int) -> None:
    """A feed of `count` items, the last one newest (07:00 plus a minute each)."""
    feed.write_bytes(
        rss(
            *(
                f"<title>Port report number {n}</title><guid>p-{n}</guid>"
                f"<pubDate>Fri, 24 Oct 2025 07:{n:02d} GMT</pubDate>"
                for n in range(count)
            )
        )
    )


async def test_new_headlines_appear_above_a_reader_at_the_top_of_the_list(
    tmp_path: Path,
) -> None:
    """A list longer than its pane, read from its top: a poll's new headline was scrolled out
    of sight above the first row (the highlighted row kept its place on screen), seen only
    with `g`. At the top, the newest stay in sight and the highlight moves down with its
    article."""
    feed = tmp_path / "wire.xml"
    _items(feed, 40)
    app = make_app(tmp_path, config_for(tmp_path, Source("Wire", path=str(feed))))
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot, want=40)
        await seen(app).wait_for(PollerReady)
        headlines = dash(app).headlines
        assert headlines.scrollable_content_region.height < 40  # (the list scrolls)
        assert "number 39" in _row(app) and int(headlines.scroll_y) == 0
        _items(feed, 42)
        since = seen(app).mark()
        await pilot.press("r")
        await seen(app).wait_for(CycleDone, lambda m: len(m.new_ids) == 2, since=since)
        await until(pilot, lambda: len(headlines.ids) == 42)
        await pilot.pause()
        assert int(headlines.scroll_y) == 0
        assert "number 41" in _row(app) and "number 40" in _row(app, 1)
        assert headlines.cursor == 2 and "number 39" in _row(app, 2)


def _fast_and_slow(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> tuple[WirewatchApp, threading.Event]:
    """A dashboard of two sources: "Fast", which answers at once with five headlines, and
    "Slow", whose answer waits for the event returned. The cycle waits for the slow one (a
    cycle ends without a straggler only 5 s after the others answered, which would let the
    screen show the fast one's articles at the cycle's end)."""
    monkeypatch.setattr("fetchers.poller.STRAGGLERS_WAIT", 120.0)
    held = threading.Event()
    fast = feed_server.add(
        "/fast.xml",
        Route(rss(*(f"<title>Fast report {n}</title><guid>f-{n}</guid>" for n in range(5)))),
    )
    slow = feed_server.add(
        "/slow.xml", Route(rss("<title>Slow report</title><guid>s-1</guid>"), held=held)
    )
    sources = (Source("Fast", url=fast), Source("Slow", url=slow))
    return make_app(tmp_path, config_for(tmp_path, *sources, timeout=90)), held


async def test_a_first_polls_articles_are_listed_and_counted_as_they_are_stored(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first start over many sources said "No articles yet." and `0 of 0` for the whole
    first cycle (a minute at 2,000 sources) although thousands were stored; a filter typed
    meanwhile listed them as `1,095 of 0`. What is stored is listed and counted while the
    cycle goes on, and the status line says how far it is."""
    app, held = _fast_and_slow(tmp_path, feed_server, monkeypatch)
    try:
        async with piloted(app, (160, 50)) as pilot:
            await until(pilot, lambda: "Fast report" in screen_text(app))
            assert "of 0" not in status_text(app)
            assert not any(isinstance(m, CycleDone) for m in seen(app).messages)
            await until(pilot, lambda: "5 of 5" in status_text(app))
            assert "polling… 1 of 2 sources" in status_text(app)
            assert "No articles yet" not in screen_text(app)
            await pilot.press("/", *"report 3", "enter")
            await until(pilot, lambda: "filter: report 3" in status_text(app))
            await until(pilot, lambda: "1 of 5" in status_text(app))
            assert "of 0" not in status_text(app)
            assert not any(isinstance(m, CycleDone) for m in seen(app).messages)
            held.set()
            await seen(app).wait_for(CycleDone)
            await until(pilot, lambda: "1 of 6" in status_text(app))
            assert "polling…" not in status_text(app)
    finally:
        held.set()


async def test_r_shows_its_cycles_progress_and_lists_what_it_stores_as_it_goes(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the first cycle, `r` over many sources (30-60 s at 2,000) was shown only by a
    toast: the status line says the poll's progress, and its articles come in as stored."""
    app, held = _fast_and_slow(tmp_path, feed_server, monkeypatch)
    try:
        async with piloted(app, (160, 50)) as pilot:
            held.set()
            await seen(app).wait_for(CycleDone)
            await settle(app, pilot, want=6)
            assert "polling…" not in status_text(app)
            held.clear()
            feed_server.routes["/fast.xml"] = Route(
                rss(*(f"<title>Fast report {n}</title><guid>f-{n}</guid>" for n in range(7)))
            )
            since = seen(app).mark()
            await pilot.press("r")
            await until(pilot, lambda: "8 of 8" in status_text(app))
            assert "polling… 1 of 2 sources" in status_text(app)
            assert "Fast report 6" in screen_text(app)
            assert not any(isinstance(m, CycleDone) for m in seen(app).messages[since:])
            held.set()
            await seen(app).wait_for(CycleDone, since=since)
            await until(pilot, lambda: "polling…" not in status_text(app))
    finally:
        held.set()
