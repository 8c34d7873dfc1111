"""The dashboard on a PostgreSQL store: it polls into the database, lists what it holds, and
a star set in the dashboard is in the database for every other reader."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from textual.pilot import Pilot

from fetchers.config import StoreConfig
from fetchers.query import Query
from fetchers.store.postgres import store as pg_module
from fetchers.store.postgres.store import PostgresStore
from fetchers.storybook import StoryBook
from tests.conftest import (
    EVENT,
    NEGATIVE,
    article,
    make,
    make_app,
    piloted,
    reads_on_this_thread,
    screen_text,
    seed_only_config,
    seen,
    settle,
    until,
)
from tests.pgserver import PASSWORD, PgServer
from tui import session as session_module
from tui.app import WirewatchApp
from tui.messages import (
    MarksChanged,
    QueryDone,
    RevisionsRead,
    StoriesRead,
    StoryRead,
    ViewerReloaded,
)
from tui.screens.dashboard import DashboardScreen
from tui.screens.picker import PickerScreen
from tui.widgets.article import ArticleView
from tui.widgets.status import StatusLine


async def test_the_dashboard_polls_into_postgresql_and_stars_there(
    tmp_path: Path, pg_dsn: str
) -> None:
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        assert dashboard.session.store.is_writer
        current = dashboard.headlines.current_id
        assert current is not None
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        await pilot.pause()
        with PostgresStore(pg_dsn) as other:
            assert len(other) == 6
            starred = other.get(current)
            assert starred is not None and starred.starred
    assert not (tmp_path / "data" / "meta.json").exists()  # no TinyDB store was made


async def test_a_viewer_dashboard_shows_what_a_poller_on_another_host_stores(
    tmp_path: Path, pg_dsn: str
) -> None:
    """A dashboard that finds the database's writer lock held is a viewer; the poller's
    write is announced (NOTIFY) and the viewer's next look lists the new article."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(1)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=1)
            assert not dashboard.session.store.is_writer
            mark = seen(app).mark()
            poller.add_batch([make(2)])
            reloaded = await seen(app).wait_for(
                ViewerReloaded, lambda m: m.reload.new_ids == ["Wire-2"], since=mark
            )
            assert reloaded.reload.writer.held
            done = await seen(app).wait_for(
                QueryDone, lambda m: "Wire-2" in m.matches.ids, since=mark
            )
            assert done.matches.ids[:2] == ["Wire-2", "Wire-1"]


async def test_a_viewers_unread_view_counts_a_row_another_host_read_no_longer(
    tmp_path: Path, pg_dsn: str
) -> None:
    """The database cannot tell cheaply that another host changed a mark, but the viewer
    reads its rows at every look: a row it shows read there loses its "+" and is counted
    no longer in the unread view (the count stayed as it was listed)."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(4)])
        app = make_app(tmp_path, config, poll=False)
        app.read_after = 3600  # only the keys mark
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=4)
            assert not dashboard.session.store.is_writer
            await pilot.press("u")
            await settle(app, pilot, want=4)
            status = dashboard.query_one(StatusLine)
            assert "(unread only) ─ 4 of 4" in str(status.render())
            shown = dashboard.headlines.ids[1]
            poller.set_state([shown], read=True)  # as a dashboard on another host marks it
            await until(pilot, lambda: "(unread only) ─ 3 of 4" in str(status.render()))
            assert shown in dashboard.headlines.ids  # still listed, until the next list


async def test_a_viewer_drops_what_the_pollers_retention_removed(
    tmp_path: Path, pg_dsn: str
) -> None:
    """Retention deletes without storing anything: the poller announces how many it
    removed, and the viewer lists and counts again."""
    from datetime import timedelta

    from fetchers.models import Article
    from tests.conftest import FROZEN

    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    old = FROZEN - timedelta(days=40)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch(
            [
                Article(id="old", source="Old wire", title="Forty days old", fetched=old),
                Article(id="new", source="Wire", title="Fresh news", fetched=FROZEN),
            ]
        )
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 50)) as pilot:
            dashboard = await settle(app, pilot, want=2)
            assert not dashboard.session.store.is_writer
            mark = seen(app).mark()  # (before its first look every 2 s)
            assert poller.apply_retention(30, FROZEN) == 1
            await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.gone == 1, since=mark)
            await seen(app).wait_for(
                QueryDone, lambda m: m.matches.ids == ["new"] and m.matches.total == 1, since=mark
            )
            await pilot.pause()
            assert "Forty days old" not in screen_text(app)
            assert "1 of 1" in str(app.screen.query_one("#status").render())


async def test_a_viewer_lists_and_groups_only_the_newest_articles_of_a_large_store(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database of a million articles would not fit a dashboard's memory: a viewer lists
    the newest matches of its filter up to the store's window, says more match, and, until a
    poller has saved any story, groups only those into stories."""
    monkeypatch.setattr(pg_module, "LIST_WINDOW", 3)
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(1, 6)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=5)
            assert not dashboard.session.store.is_writer
            assert dashboard.headlines.ids == ["Wire-5", "Wire-4", "Wire-3"]
            assert "3+ of 5, the newest listed" in dashboard.query_one(StatusLine).line
            shelf = (await seen(app).wait_for(StoriesRead)).shelf
            grouped = {ident for story in shelf.stories for ident in story.articles}
            assert grouped == {"Wire-5", "Wire-4", "Wire-3"}
            dashboard.query_text = "source:wire"
            dashboard.run_query()
            await seen(app).wait_for(
                QueryDone, lambda m: m.generation == dashboard.generation and m.matches.more
            )
            await pilot.pause()
            assert dashboard.headlines.ids == ["Wire-5", "Wire-4", "Wire-3"]


async def test_a_viewers_story_filter_asks_only_for_articles_as_new_as_its_shelf(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before a poller saves stories, a viewer groups the newest articles itself: only they
    put a story on its shelf, so a filter in its story view asks for the articles as new as
    the shelf's oldest (a common word over a million articles: 1.2 s to list its newest
    10,000 matches, 69 ms now), and finds the same stories."""
    monkeypatch.setattr(pg_module, "LIST_WINDOW", 3)
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    asked: list[list[str]] = []
    real = PostgresStore.query_ids

    def listed(self: PostgresStore, query: Query | None = None, limit: int | None = None) -> Any:
        found = real(self, query, limit)
        if query is not None and any(t.field == "since" for c in query.clauses for t in c):
            asked.append(found)
        return found

    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(1, 6)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=5)
            await seen(app).wait_for(StoriesRead)
            since = seen(app).mark()
            await pilot.press("S")
            await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
            monkeypatch.setattr(PostgresStore, "query_ids", listed)
            since = seen(app).mark()
            dashboard.set_filter("headline")  # every article says it
            await seen(app).wait_for(
                QueryDone, lambda m: m.generation == dashboard.generation, since=since
            )
            await pilot.pause()
            shelf = dashboard.headlines.stories
            assert shelf is not None and dashboard.headlines.story_rows
            assert dashboard.headlines.ids == [story.id for story in shelf.stories]  # all
    assert asked == [["Wire-5", "Wire-4", "Wire-3"]]  # not Wire-2 and Wire-1, older


async def test_a_viewers_filter_paints_the_rows_it_shows_first_and_counts_nothing_again(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Over a million articles a viewer's word filter listed its newest 10,000 matches,
    each sent with its full text, before painting (885 ms), and counted the whole table
    (70-100 ms) at every filter. The rows the pane draws come first, the rest after; the
    table is counted again only once articles are stored."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(1, 81)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 30)) as pilot:
            dashboard = await settle(app, pilot, want=80)
            await seen(app).wait_for(StoriesRead)  # the viewer's grouping reads no more
            store = dashboard.session.store
            asked: list[int | None] = []
            counts: list[int] = []
            query_ids, length = store.query_ids, type(store).__len__

            def noted(query: Query | None = None, limit: int | None = None) -> list[str]:
                if query is not None and query.text == "source:wire":
                    asked.append(limit)
                return query_ids(query, limit)

            store.query_ids = noted  # type: ignore[method-assign]
            monkeypatch.setattr(
                type(store), "__len__", lambda self: (counts.append(1), length(self))[1]
            )
            since = seen(app).mark()
            dashboard.set_filter("source:wire")
            whole = await seen(app).wait_for(QueryDone, lambda m: not m.matches.partial, since)
            first = next(m for m in seen(app).messages[since:] if isinstance(m, QueryDone))
            assert first.matches.partial
            height = dashboard.headlines.scrollable_content_region.height
            assert asked[0] == 2 * height < 80  # the rows it draws and a screenful below
            assert first.matches.ids == [f"Wire-{n}" for n in range(80, 80 - 2 * height, -1)]
            assert whole.matches.ids == [f"Wire-{n}" for n in range(80, 0, -1)]
            assert whole.matches.total == first.matches.total == 80
            assert counts == []
            since = seen(app).mark()
            poller.add_batch([make(81)])
            done = await seen(app).wait_for(
                QueryDone, lambda m: not m.matches.partial and m.matches.total == 81, since
            )
            assert done.matches.ids[0] == "Wire-81"
            assert counts


@contextlib.asynccontextmanager
async def _highlighting_the_newest_other(
    tmp_path: Path, pg_dsn: str
) -> AsyncIterator[tuple[WirewatchApp, Pilot[None], DashboardScreen]]:
    """A viewer of 80 Wire articles and 5 newer Other ones, filtered to source:other with
    the newest of them highlighted, on a pane of 30 lines."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(10, 90)] + [make(n, "Other") for n in range(5)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 30)) as pilot:
            dashboard = await settle(app, pilot, want=85)
            dashboard.set_filter("source:other")
            await settle(app, pilot)
            assert dashboard.headlines.current_id == "Other-4"
            yield app, pilot, dashboard


async def _first_answer_of(
    app: WirewatchApp, pilot: Pilot[None], dashboard: DashboardScreen, text: str
) -> QueryDone:
    """Filter to `text`, wait for the whole list, and give the first answer painted."""
    since = seen(app).mark()
    dashboard.set_filter(text)
    await seen(app).wait_for(QueryDone, lambda m: not m.matches.partial, since)
    await pilot.pause()
    return next(m for m in seen(app).messages[since:] if isinstance(m, QueryDone))


async def test_a_viewers_filter_paints_its_first_page_over_an_older_highlight_it_leaves_out(
    tmp_path: Path, pg_dsn: str
) -> None:
    """The highlighted article is older than the new filter's first page: it is asked
    whether it matches, and as it does not, the page is painted (a page of the rows the
    pane draws is shorter than the highlight's reach; the whole list of a word took a
    second); the highlight goes to the row it had."""
    async with _highlighting_the_newest_other(tmp_path, pg_dsn) as (app, pilot, dashboard):
        first = await _first_answer_of(app, pilot, dashboard, "source:wire")
        assert first.matches.partial and first.matches.ids[0] == "Wire-89"
        assert dashboard.headlines.ids == [f"Wire-{n}" for n in range(89, 9, -1)]
        assert dashboard.headlines.current_id == "Wire-89"


async def test_a_viewers_filter_reaches_a_highlight_it_matches_beyond_the_panes_rows(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The highlighted article matches the new filter further down than the pane's rows: a
    longer first page reaches it and is painted with it highlighted, not the whole list
    waited for (400 ms for -tariff after a word at a million articles)."""
    monkeypatch.setattr(session_module, "FIRST_PAGE", 82)
    async with _highlighting_the_newest_other(tmp_path, pg_dsn) as (app, pilot, dashboard):
        first = await _first_answer_of(app, pilot, dashboard, "tariffs")
        assert first.matches.partial and len(first.matches.ids) == 82
        assert first.found == ("Other-4", 80)
        assert len(dashboard.headlines.ids) == 85
        assert dashboard.headlines.current_id == "Other-4"


async def test_a_viewers_keys_query_postgresql_in_threads_only(tmp_path: Path, pg_dsn: str) -> None:
    """On PostgreSQL every read is a query: star, m and d ask in threads, never in the
    screen's loop, and the star is in the database for the other readers."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(1, 4)])
        app = make_app(tmp_path, config, poll=False)
        app.read_after = 3600  # only the keys mark articles read
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=3)
            assert not dashboard.session.store.is_writer
            current = dashboard.headlines.current_id
            in_threads: list[str] = []
            on_screen = reads_on_this_thread(dashboard.session.store, in_threads)
            for key in ("asterisk", "m"):
                since = seen(app).mark()
                await pilot.press(key)
                await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
            await pilot.press("d")
            await seen(app).wait_for(RevisionsRead)
            assert on_screen == [] and in_threads
            marked = poller.get(current or "")
            assert marked is not None and marked.starred and marked.read


THREE_WEEKS = 21 * 24.0  # hours


def _desk_with_an_old_story(dsn: str, poller_dir: Path) -> PostgresStore:
    """A poller's database: the US-Korea tariff story (three outlets) and the Japan one
    three weeks old, then a wire story republished by five outlets and one more article an
    hour old; the stories grouped and saved as the grouping poller saves them."""
    old = [article(n, source, title, summary, THREE_WEEKS + hours)
           for n, (source, title, summary, hours) in enumerate([*EVENT, NEGATIVE])]  # fmt: skip
    wire = [
        article(10 + n, source, "Storm floods the coast of Jeju as ferries stay in port",
                "Heavy rain flooded roads on Jeju island and ferries stayed in port.", 1.0 - n / 10)
        for n, source in enumerate(["KBS", "MBC", "SBS", "Newsis", "News1"])
    ]  # fmt: skip
    single = article(20, "Arirang", "Busan film festival opens with a record lineup",
                     "The festival opens with films from 80 countries.", 0.5)  # fmt: skip
    poller = PostgresStore(dsn, writer=True)
    items = [*old, *wire, single]
    poller.add_batch(items)
    StoryBook(poller_dir).update(poller, [a.id for a in items], removed=False)
    return poller


async def test_a_viewers_story_view_reaches_every_story_the_poller_saved(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer lists the newest stories up to the window and says more are saved; a story
    filter (words, story:, outlets:) finds a story whose articles are all older than the
    newest articles the viewer lists, and enter opens its timeline with all its articles."""
    monkeypatch.setattr(pg_module, "LIST_WINDOW", 3)
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with _desk_with_an_old_story(pg_dsn, tmp_path / "poller") as poller:
        saved = {sid: set(ids) for sid, ids in (poller.saved_stories() or {}).items()}
        korea = next(sid for sid, ids in saved.items() if "a0" in ids)
        assert saved[korea] == {"a0", "a1", "a2"} and len(saved) == 4  # korea, japan, wire, film
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=10)
            assert not dashboard.session.store.is_writer
            assert not {"a0", "a1", "a2"} & set(dashboard.headlines.ids)  # beyond the window
            await seen(app).wait_for(StoriesRead)
            since = seen(app).mark()
            await pilot.press("S")
            await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
            await pilot.pause()
            headlines = dashboard.headlines
            assert headlines.story_rows and len(headlines.ids) == 3 and korea not in headlines.ids
            assert "3+ of 4 stories, the newest listed" in dashboard.query_one(StatusLine).line
            for text in ("tariff", f"story:{korea}", "outlets:>=3 tariff"):
                since = seen(app).mark()
                dashboard.set_filter(text)
                await seen(app).wait_for(
                    QueryDone, lambda m: m.generation == dashboard.generation, since=since
                )
                await pilot.pause()
                assert korea in headlines.ids, text
            assert headlines.ids == [korea]  # the wire story has five outlets, the Japan one
            assert "3 outlets" in screen_text(app)
            assert "1 of 4 stories" in dashboard.query_one(StatusLine).line
            await pilot.press("enter")
            await seen(app).wait_for(StoryRead)
            await pilot.pause()
            assert isinstance(app.screen, PickerScreen)
            timeline = screen_text(app)
            places = [timeline.index(s) for s in ("Yonhap", "Reuters", "AP ")]
            assert places == sorted(places)  # all three, first reported first
            await pilot.press("escape")
            await pilot.pause()
            row = next(x for x in screen_text(app).splitlines() if "3 outlets" in x)
            assert row.lstrip("│ ").startswith("+")  # unread
            for ident in ("a0", "a1", "a2"):  # as the read-after timer marks each
                since = seen(app).mark()
                dashboard._mark_read(ident)
                # (or says it is read already: the timer may have marked the one on show)
                await seen(app).wait_for(
                    MarksChanged, lambda m, i=ident: m.ids in ([i], []), since=since
                )

            def story_row() -> str:
                return next(x for x in screen_text(app).splitlines() if "3 outlets" in x)

            # its row read again (its marks are read in a thread)
            await until(pilot, lambda: not story_row().lstrip("│ ").startswith("+"))
            since = seen(app).mark()
            await pilot.press("S")  # the articles of the story, older than the window
            dashboard.set_filter(f"story:{korea}")
            done = await seen(app).wait_for(
                QueryDone,
                lambda m: m.generation == dashboard.generation and m.shelf is None,
                since=since,
            )
            assert done.matches.ids == ["a2", "a1", "a0"]
            await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2")
            await pilot.pause()
            assert "also reported by Yonhap, Reuters" in screen_text(app)


async def test_a_viewer_says_for_as_long_as_it_lasts_that_the_database_does_not_answer(
    tmp_path: Path, pg_dsn: str, pg_server: PgServer
) -> None:
    """With the database gone, a viewer notified the first error for 30 seconds and went on
    saying "viewer (attached to a poller)" over a list no longer updated; the status line says
    the store is unreachable until a look reaches it again."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    database = pg_dsn.rsplit("/", 1)[1].split("?")[0]
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(1)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=1)
            status = dashboard.query_one(StatusLine)
            assert "attached to a poller" in status.line
            with psycopg.connect(pg_server.dsn(), autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    (database,),
                )
                await until(pilot, lambda: "STORE UNREACHABLE" in status.line)
                assert "attached to a poller" not in status.line
                assert PASSWORD not in status.line
                await pilot.pause(2.5)  # (looks that fail again keep it said)
                assert "STORE UNREACHABLE" in status.line
                admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            await until(pilot, lambda: "STORE UNREACHABLE" not in status.line)
            assert dashboard.session.store.unreachable is None


async def test_a_viewer_says_in_its_status_that_a_newer_wirewatch_upgraded_the_database(
    tmp_path: Path, pg_dsn: str
) -> None:
    """A newer wirewatch upgraded the schema and the viewer's connections were cut: it
    connected again and read on, where one started then refuses the database; its status
    line says why it reads no more."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(1)])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=1)
            status = dashboard.query_one(StatusLine)
            with psycopg.connect(pg_dsn, autocommit=True) as admin:
                admin.execute("UPDATE schema_version SET version = version + 1")
                admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            await until(pilot, lambda: "STORE REFUSED" in status.line)
            assert "newer wirewatch" in status.line and "upgrade wirewatch" in status.line
            assert PASSWORD not in status.line


async def test_a_viewers_story_rows_take_a_headline_the_poller_revised(
    tmp_path: Path, pg_dsn: str
) -> None:
    """A headline its source rewrote reaches a PostgreSQL viewer's story rows with no filter
    on: the database announces how many were revised, not which, and the viewer kept the
    story rows it had (with the old headline) until an article joined the story."""
    from dataclasses import replace

    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        first = make(1)
        poller.add_batch([first])
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 50)) as pilot:
            dashboard = await settle(app, pilot, want=1)
            assert not dashboard.session.store.is_writer
            await seen(app).wait_for(StoriesRead)
            since = seen(app).mark()
            await pilot.press("S")
            await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
            await pilot.pause()
            assert "Headline 1 about tariffs" in screen_text(app)
            since = seen(app).mark()
            poller.add_batch([replace(first, title="Seoul and Washington sign tariff deal")])
            await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.revised == 1, since=since)
            await until(pilot, lambda: "sign tariff deal" in screen_text(app))


@contextlib.contextmanager
def _database_away(server: PgServer, dsn: str) -> Iterator[None]:
    """The store's database refusing every connection (its open ones ended) until the block
    ends: the server out of reach, as far as the dashboard can tell."""
    database = dsn.rsplit("/", 1)[1].split("?")[0]
    with psycopg.connect(server.dsn(), autocommit=True) as admin:
        admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        )
        try:
            yield
        finally:
            admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')


def _notes(app: WirewatchApp, words: str) -> list[str]:
    """The notifications on screen that say `words`."""
    return [note.message for note in app._notifications if words in note.message]


def _shown_title(dashboard: DashboardScreen, ident: str) -> str:
    """The headline of an article's row as the pane read it."""
    row = dashboard.headlines.shown_row(ident)
    assert row is not None
    return row.article.title


def _row_of(app: WirewatchApp, title: str) -> str:
    """The headline's row as the terminal shows it, from its mark column on."""
    line = next(line for line in screen_text(app).splitlines() if title in line)
    return line.lstrip("│ ")


async def test_a_star_given_while_the_database_is_away_is_shown_held_and_saved_once_it_answers(
    tmp_path: Path, pg_dsn: str, pg_server: PgServer
) -> None:
    """A star given during an outage stayed off its row and never reached the database, with
    only one more "cannot read" toast: it is shown, said held once, and written when the
    database answers again."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(1), make(2)])
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=2)
        status = dashboard.query_one(StatusLine)
        current = dashboard.headlines.current_id
        assert current is not None
        title = _shown_title(dashboard, current)
        assert _row_of(app, title).startswith("+")  # unread, not starred
        with _database_away(pg_server, pg_dsn):
            await until(pilot, lambda: "STORE UNREACHABLE" in status.line)
            await pilot.press("asterisk")
            await until(pilot, lambda: _row_of(app, title).startswith("*"))
            await pilot.press("j", "k")  # (reads the store again: it still cannot)
            await pilot.pause(0.5)
            assert _row_of(app, title).startswith("*")
            held = "held until the database answers"
            assert len(_notes(app, held)) == 1
        await until(pilot, lambda: "STORE UNREACHABLE" not in status.line)
        await until(pilot, lambda: bool(_notes(app, "saved again")))
        with PostgresStore(pg_dsn) as other:
            starred = other.get(current)
            assert starred is not None and starred.starred
    assert app.session is not None
    assert app.session.save_held_marks() is None  # nothing left to write at close


async def test_a_mark_still_held_at_close_is_said_lost(
    tmp_path: Path, pg_dsn: str, pg_server: PgServer
) -> None:
    """A read mark changed during an outage that lasts past the dashboard's close is said
    not saved (never lost without a word)."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(1)])
    app = make_app(tmp_path, config, poll=False)
    with contextlib.ExitStack() as outage:
        async with piloted(app) as pilot:
            dashboard = await settle(app, pilot, want=1)
            status = dashboard.query_one(StatusLine)
            current = dashboard.headlines.current_id
            assert current is not None
            title = _shown_title(dashboard, current)
            await until(pilot, lambda: not _row_of(app, title).startswith("+"))  # (read: shown)
            outage.enter_context(_database_away(pg_server, pg_dsn))
            await until(pilot, lambda: "STORE UNREACHABLE" in status.line)
            await pilot.press("m")  # unread again
            await until(pilot, lambda: _row_of(app, title).startswith("+"))
        assert app.session is not None
        lost = app.session.save_held_marks()  # (as the dashboard's command does at close)
    assert lost is not None and "marks of 1 article could not be saved" in lost


async def test_an_outage_is_said_in_one_notification_and_its_end_once(
    tmp_path: Path, pg_dsn: str, pg_server: PgServer
) -> None:
    """Every worker that failed during an outage stacked one more "cannot read" toast (five
    on screen for its whole length, beside the status line that says it): one is said, and
    once the database answers, that it does."""
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([make(n) for n in range(1, 5)])
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        status = dashboard.query_one(StatusLine)
        with _database_away(pg_server, pg_dsn):
            await until(pilot, lambda: "STORE UNREACHABLE" in status.line)
            for key in ("j", "j", "j", "k", "asterisk"):  # each reads the store, and fails
                await pilot.press(key)
                await pilot.pause(0.3)
            await pilot.pause(1.5)
            assert len(_notes(app, "cannot read")) == 1
            assert "STORE UNREACHABLE" in status.line
        await until(pilot, lambda: bool(_notes(app, "The database answers again")))
        assert not _notes(app, "cannot read")  # (withdrawn: the outage is over)
