"""Several pollers on one PostgreSQL store: each source is leased to one of them at a time, a
poller that dies loses its sources to the others, every article is stored once and an alert
fires once across them. (A TinyDB data dir keeps its one writer.)"""

from __future__ import annotations

import asyncio
import json
import math
import os
import signal
import subprocess
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest

from fetchers import poller as poller_module
from fetchers.alerthistory import AlertHistory
from fetchers.alerting import AlertDesk
from fetchers.alertrules import make_rule
from fetchers.healthbook import HealthBook
from fetchers.models import Article, Settings, Source
from fetchers.newsroom import Newsroom
from fetchers.poller import Poller, lease_ttl
from fetchers.store import Store, StoreLocked
from fetchers.store.errors import StoreError
from fetchers.store.postgres import known as pg_module_known
from fetchers.store.postgres import store as pg_module
from fetchers.store.postgres.store import PostgresStore
from tests.conftest import FeedServer, Route, config_for, rss, write_config
from tests.pgserver import PgServer
from tests.pollers import start_poller, wait_for
from tui import cli

SOURCES = [f"S{n}" for n in range(10)]


def holders(dsn: str) -> dict[str, str | None]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return dict(conn.execute("SELECT source, holder FROM leases").fetchall())


def test_two_pollers_share_the_sources_and_a_dead_ones_go_to_the_other(pg_dsn: str) -> None:
    one = PostgresStore(pg_dsn, writer=True, share=True)
    two = PostgresStore(pg_dsn, writer=True, share=True)
    try:
        mine = one.lease(SOURCES, set(), ttl=1.0)
        theirs = two.lease(SOURCES, set(), ttl=1.0)
        assert len(mine) == len(theirs) == 5 and not mine & theirs  # half each, none twice
        assert one.lease(SOURCES, set(), ttl=1.0) == mine  # renewed, not moved
        # the first dies without a word (its leases are not renewed any more): while its
        # lease runs the other keeps its own half, then it takes the dead one's
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            conn.execute("UPDATE pollers SET beat = now() - interval '1 hour' WHERE id <> %s",
                         (two._poller_id,))  # fmt: skip
        assert wait_for(lambda: two.lease(SOURCES, set(), ttl=1.0) == set(SOURCES), timeout=10)
        assert set(holders(pg_dsn).values()) == {two._poller_id}
    finally:
        one.close()
        two.close()


def test_a_poller_keeps_what_it_polls_and_gives_the_rest_to_one_that_joins(pg_dsn: str) -> None:
    with PostgresStore(pg_dsn, writer=True, share=True) as first:
        assert first.lease(SOURCES, set(), ttl=30.0) == set(SOURCES)  # alone: all of them
        with PostgresStore(pg_dsn, writer=True, share=True) as second:
            assert second.lease(SOURCES, set(), ttl=30.0) == set()  # all held, none expired
            assert first.lease(SOURCES, set(SOURCES), ttl=30.0) == set(SOURCES)  # busy: kept
            kept = first.lease(SOURCES, set(), ttl=30.0)
            assert len(kept) == 5
            assert second.lease(SOURCES, set(), ttl=30.0) == set(SOURCES) - kept
        # the second stopped: its sources are free at once, and the first takes them
        assert first.lease(SOURCES, set(), ttl=30.0) == set(SOURCES)


def test_a_dashboard_does_not_poll_beside_pollers_but_pollers_join_it(pg_dsn: str) -> None:
    with PostgresStore(pg_dsn, writer=True, share=True) as poller:
        with pytest.raises(StoreLocked, match="another wirewatch process"):
            PostgresStore(pg_dsn, writer=True)
        assert poller.is_writer
    with (
        PostgresStore(pg_dsn, writer=True) as dashboard,
        PostgresStore(pg_dsn, writer=True, share=True) as poller,
        PostgresStore(pg_dsn) as viewer,
    ):
        assert dashboard.is_writer and poller.is_writer
        assert viewer.writer_active() and viewer.writer_state().pid is not None
    with PostgresStore(pg_dsn) as viewer:  # every poller stopped: a viewer says since when
        state = viewer.writer_state()
        assert not state.held and state.gone and state.pid == os.getpid()
        assert math.isfinite(state.silent)  # silent since the last poller's beat:
        with psycopg.connect(pg_dsn, autocommit=True) as conn:  # a beat an hour earlier is
            conn.execute("UPDATE pollers SET beat = beat - interval '1 hour'")
        assert viewer.writer_state().silent >= state.silent + 3600  # an hour more of it


def test_a_tinydb_writer_polls_every_source_and_keeps_its_one_writer(tmp_path: Path) -> None:
    with Store(tmp_path, writer=True) as store:
        assert store.lease(SOURCES, set(), ttl=1.0) == set(SOURCES)
        with pytest.raises(StoreLocked):
            Store(tmp_path, writer=True)


def test_a_lease_runs_out_within_half_the_shortest_interval(tmp_path: Path) -> None:
    config = config_for(tmp_path, Source("A", url="https://a.example/"))
    config.settings = Settings(interval=600)
    assert lease_ttl(config) == 30.0
    config.sources.append(Source("B", url="http://127.0.0.1:9/", interval=8))  # (local: 1s)
    assert lease_ttl(config) == 4.0
    config.sources.append(Source("C", url="https://c.example/", interval=8))  # (polled at 60s)
    assert lease_ttl(config) == 4.0


def test_an_alert_fires_once_across_pollers_of_one_store(tmp_path: Path, pg_dsn: str) -> None:
    """Two pollers (two hosts: two data dirs) check the same new article against the same
    rule: the database records the pair once, so only the first fires."""
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    config = config_for(tmp_path, Source("Wire", url="https://w.example/"))
    config.alerts = [make_rule({"name": "Tariffs", "query": "tariff"}, now)]
    article = Article(id="t1", source="Wire", title="Tariff talks", fetched=now, published=now)
    with (
        PostgresStore(pg_dsn, writer=True, share=True) as one,
        PostgresStore(pg_dsn, writer=True, share=True) as two,
    ):
        one.add_batch([article])
        desks = [
            AlertDesk(config, store, tmp_path / name, lambda: now, desktop=lambda e: True)
            for store, name in ((one, "host-a"), (two, "host-b"))
        ]
        try:
            for desk in desks:
                desk.dir.mkdir()
                desk._config_seen_at = now.replace(hour=7)  # the rule predates the article
            assert [e.article for e in desks[0].check(["t1"]).entries] == ["t1"]
            assert desks[1].check(["t1"]).entries == []
        finally:
            for desk in desks:
                desk.close()
        with PostgresStore(pg_dsn) as viewer:  # the desk's history, seen from a third host
            (entry,) = AlertHistory(tmp_path / "host-c", store=viewer).load()
            assert entry.article == "t1" and entry.alert == "Tariffs"


def test_a_restart_reads_again_only_the_articles_of_the_marks_second_not_checked(
    tmp_path: Path, pg_dsn: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A poller's kept check marks the second its poll ended in: a restart does not read
    the articles of that second it checked again; once another poller has stored one in the
    same second (and lost its check), the next start checks that second's all, and fires
    it."""
    caplog.set_level("INFO", logger="wirewatch.alerts")
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    later = now + timedelta(minutes=10)
    config = config_for(tmp_path, Source("Wire", url="https://w.example/"))
    config.alerts = [make_rule({"name": "Tariffs", "query": "tariff"}, now)]
    data = tmp_path / "host-a"
    data.mkdir()

    def tariff(ident: str) -> Article:
        return Article(id=ident, source="Wire", title="Tariff talks", fetched=now, published=now)

    def started(store: PostgresStore, at: datetime) -> list[str | None]:
        """A poller started on this data dir: its first check's alerts."""
        desk = AlertDesk(config, store, data, lambda: at, desktop=lambda e: True)
        desk._config_seen_at = now.replace(hour=7)  # the rule predates the articles
        try:
            return [e.article for e in desk.check([]).entries]
        finally:
            desk.close()

    with (
        PostgresStore(pg_dsn, writer=True, share=True) as mine,
        PostgresStore(pg_dsn, writer=True, share=True) as other,
    ):
        mine.add_batch([tariff("t1"), tariff("t2")])
        desk = AlertDesk(config, mine, data, lambda: now, desktop=lambda e: True)
        desk._config_seen_at = now.replace(hour=7)
        try:
            fired = desk.check(["t1", "t2"], polled=now).entries
        finally:
            desk.close()
        assert sorted(e.article or "" for e in fired) == ["t1", "t2"]
        caplog.clear()
        assert started(mine, later) == []
        assert "are checked now" not in caplog.text  # t1 and t2 not read again
        other.add_batch([tariff("t3")])  # another poller, in that second: its check lost
        assert started(mine, later) == ["t3"]


def feed(n: int, count: int) -> bytes:
    return rss(
        *(
            f"<title>Item {n}-{i}</title><guid>{n}-{i}</guid>"
            f"<link>https://feeds.example/{n}/{i}</link>"
            for i in range(count)
        )
    )


def pid_of(holder: str | None) -> int | None:
    return int(holder.split(":")[-2]) if holder else None


@pytest.mark.slow
def test_two_pollers_one_killed_mid_cycle_store_every_article_once(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str
) -> None:
    count = 6
    for n in range(count):
        feed_server.add(f"/f{n}.xml", Route(feed(n, 5)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
        '[settings]\ninterval = "8s"\ntimeout = "60s"\n'
        '[[alerts]]\nname = "Items"\nquery = "item"\n'
        + "".join(
            f'[[sources]]\nname = "F{n}"\nurl = "{feed_server.url(f"/f{n}.xml")}"\n'
            for n in range(count)
        ),
        "utf-8",
    )
    procs = [start_poller(config, tmp_path / f"host{n}", tmp_path / f"poll{n}.log") for n in (0, 1)]
    try:
        pids = {p.pid for p in procs}
        viewer = PostgresStore(pg_dsn)
        # both at work, the sources shared out, every first item stored
        assert wait_for(
            lambda: {pid_of(h) for h in holders(pg_dsn).values()} == pids and len(viewer) == 30,
            timeout=60,
        )
        victim, survivor = procs
        theirs = [s for s, h in holders(pg_dsn).items() if pid_of(h) == victim.pid]
        assert 0 < len(theirs) < count
        hits = {s: len(feed_server.hits.get(f"/f{s[1:]}.xml", [])) for s in theirs}
        for n in range(count):  # three new items everywhere; the victim's feeds answer slowly
            slow = f"F{n}" in theirs
            feed_server.routes[f"/f{n}.xml"] = Route(feed(n, 8), delay=30 if slow else 0)
        # the victim is mid-cycle: a request for one of its feeds is in flight
        assert wait_for(
            lambda: any(len(feed_server.hits.get(f"/f{s[1:]}.xml", [])) > hits[s] for s in theirs),
            timeout=30,
        )
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            left = conn.execute(
                "SELECT max(extract(epoch FROM until - now())) FROM leases WHERE holder LIKE %s",
                (f"%:{victim.pid}:%",),
            ).fetchone()
        assert left is not None and left[0] is not None and float(left[0]) <= 8.0  # an interval
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=15)
        for n in range(count):
            feed_server.routes[f"/f{n}.xml"] = Route(feed(n, 8))
        # the survivor takes the dead poller's sources over and stores what they bring
        assert wait_for(
            lambda: (
                len(viewer) == count * 8
                and {pid_of(h) for h in holders(pg_dsn).values()} == {survivor.pid}
            ),
            timeout=60,
        )
        assert survivor.poll() is None
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            links, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT link) FROM articles"
            ).fetchone()  # type: ignore[misc]
        assert links == distinct == count * 8
        titles = sorted(a.title for a in viewer.query())
        assert titles == sorted(f"Item {n}-{i}" for n in range(count) for i in range(8))
        # an alert fires once across the pollers: no article twice in the desk's history,
        # which both pollers keep in the database (none in either data dir)
        history = AlertHistory(tmp_path / "elsewhere", store=viewer)
        assert wait_for(lambda: len(history.load()) >= count * 3, timeout=15)
        alerted = [e.article for e in history.load() if e.kind == "match"]
        assert len(alerted) == len(set(alerted))
        # (counted once the history is whole: counted before, the survivor's last alerts of a
        # loaded machine were still on their way, and fewer had fired than were kept)
        with psycopg.connect(pg_dsn, autocommit=True) as conn:
            fired = conn.execute("SELECT count(*) FROM alerts_fired").fetchone()
        assert fired is not None and fired[0] >= len(alerted)  # one may die between the two
        assert not (tmp_path / "host0" / "alerts-history.jsonl").exists()
        viewer.close()
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    proc.kill()
            if proc.stderr is not None:
                proc.stderr.close()


async def test_a_source_taken_over_goes_on_from_the_health_its_poller_left(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sources' health is in the database: the poller that takes a source asks with the
    validators the last one saved, and `wirewatch sources` on any host shows every poller's."""
    url = feed_server.add("/f.xml", Route(feed(1, 3), etag='"v1"'))
    config = config_for(tmp_path, Source("F", url=url))
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    first = PostgresStore(pg_dsn, writer=True, share=True)
    second = PostgresStore(pg_dsn, writer=True, share=True)
    one = Poller(config, first, lambda: now, health=HealthBook(tmp_path / "a", first))
    two = Poller(config, second, lambda: now, health=HealthBook(tmp_path / "b", second))
    try:
        assert await one.lease() == {"F"} and await two.lease() == set()
        assert [r.status for r in await one.poll()] == ["ok"]
        await one.aclose()
        first.close()  # the first stops: its source is free
        assert await two.lease(force=True) == {"F"}
        assert [r.status for r in await two.poll()] == ["not-modified"]
        assert feed_server.hits["/f.xml"][-1].get("If-None-Match") == '"v1"'
    finally:
        await two.aclose()
        second.close()
        first.close()
    toml = write_config(
        tmp_path / "desk.toml",
        f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
        f'[[sources]]\nname = "F"\nurl = "{url}"\n',
    )
    capsys.readouterr()
    assert cli.main(["--config", str(toml), "--data-dir", str(tmp_path / "c"), "sources",
                     "--json"]) == 0  # fmt: skip
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["status"] == "not-modified" and row["http_status"] == 304


async def test_a_poller_asks_the_database_what_it_knows_outside_its_event_loop(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether an item is stored is a query the first time a source is asked about: it runs
    in a thread, so the loop (a dashboard's screen, the other sources' downloads) never
    waits on the server."""
    url = feed_server.add("/f.xml", Route(feed(1, 3)))
    config = config_for(tmp_path, Source("F", url=url))
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    asked_on: list[threading.Thread] = []
    real = PostgresStore.knows

    def knows(self: PostgresStore, article: Article) -> bool:
        asked_on.append(threading.current_thread())
        return real(self, article)

    monkeypatch.setattr(PostgresStore, "knows", knows)
    with PostgresStore(pg_dsn, writer=True) as store:
        poller = Poller(config, store, lambda: now, health=HealthBook(tmp_path / "a", store))
        try:
            assert [r.status for r in await poller.poll()] == ["ok"]
        finally:
            await poller.aclose()
        assert len(store) == 3
    assert len(asked_on) == 3 and threading.main_thread() not in asked_on


async def test_a_headline_rewritten_beyond_what_the_poller_knows_at_a_glance_is_a_revision(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poller knows a source's newest articles at a glance (`PER_SOURCE`); an older one its
    feed still lists, rewritten, was taken for one retention had dropped, and the new
    headline was lost for good (every article of a renamed source, whose name reads none)."""
    monkeypatch.setattr(pg_module_known, "PER_SOURCE", 3)
    monkeypatch.setattr(pg_module, "PER_SOURCE", 3)
    route = Route(feed(1, 6))
    url = feed_server.add("/f.xml", route)
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    data = tmp_path / "data"

    async def poll(name: str) -> list[str]:
        with PostgresStore(pg_dsn, writer=True) as store:
            config = config_for(tmp_path, Source(name, url=url))
            poller = Poller(config, store, lambda: now, health=HealthBook(data, store))
            try:
                (result,) = await poller.poll()
            finally:
                await poller.aclose()
            return result.revised_ids

    assert await poll("F") == []
    route.body = feed(1, 6).replace(b"Item 1-5<", b"Item 1-5, corrected<")
    assert len(await poll("F")) == 1
    route.body = route.body.replace(b"Item 1-4<", b"Item 1-4, corrected<")
    assert len(await poll("F renamed")) == 1  # the same address under another name
    with PostgresStore(pg_dsn) as reader:
        titles = sorted(r.title for r in reader.records(reader.query_ids()))
    assert titles[4:] == ["Item 1-4, corrected", "Item 1-5, corrected"]


async def test_what_retention_dropped_from_the_database_stays_gone_after_a_short_listing(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str
) -> None:
    """A feed that answers once with its newest post alone, as retention drops the older
    posts' day, then lists them again: they came back as news, as what it listed was that
    short answer's. The database's retention says which it dropped, remembered in the
    sources' health the database keeps."""
    post = "<title>Post {n}</title><guid>p{n}</guid>"
    route = Route(rss())
    url = feed_server.add("/blog.xml", route)
    day1 = datetime(2025, 5, 3, 8, tzinfo=UTC)

    async def cycle(now: datetime, *posts: int) -> list[str]:
        route.body = rss(*(post.format(n=n) for n in posts))
        config = config_for(tmp_path, Source("Blog", url=url))
        config.settings.retention_days = 1
        with PostgresStore(pg_dsn, writer=True) as store:
            room = Newsroom(config, store, tmp_path / "data", lambda: now)
            try:
                (result,) = (await room.cycle()).results
            finally:
                await room.aclose()
            return sorted(r.title for r in store.records(result.new_ids))

    assert await cycle(day1, 2, 1) == ["Post 1", "Post 2"]
    assert await cycle(day1 + timedelta(days=2), 3) == ["Post 3"]  # day 1 dropped
    assert await cycle(day1 + timedelta(days=2, hours=1), 3, 2, 1) == []
    with PostgresStore(pg_dsn) as reader:
        assert [r.title for r in reader.records(reader.query_ids())] == ["Post 3"]
        assert len((reader.load_health() or {})["Blog"].dropped) == 2  # posts 1 and 2


async def test_what_one_poller_s_retention_dropped_of_another_s_source_stays_gone(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str
) -> None:
    """Any poller's retention deletes every source's old articles, most of them of sources
    other pollers hold: what it dropped of those was remembered nowhere, and after one short
    listing the poller holding the source stored them again as new, unread articles."""
    post = "<title>Post {n}</title><guid>p{n}</guid>"
    route = Route(rss())
    url = feed_server.add("/blog.xml", route)
    clock = [datetime(2025, 5, 3, 8, tzinfo=UTC)]
    config = config_for(tmp_path, Source("Blog", url=url))
    config.settings.retention_days = 1
    holding = PostgresStore(pg_dsn, writer=True, share=True)
    other = PostgresStore(pg_dsn, writer=True, share=True)
    for name in ("c", "a"):
        (tmp_path / name).mkdir()
    rooms = [
        Newsroom(config, store, tmp_path / name, lambda: clock[0])
        for store, name in ((holding, "c"), (other, "a"))
    ]

    async def cycle(room: Newsroom, *posts: int) -> list[str]:
        route.body = rss(*(post.format(n=n) for n in posts))
        new = [i for r in (await room.cycle()).results for i in r.new_ids]
        return sorted(r.title for r in holding.records(new))

    try:
        assert await cycle(rooms[0], 2, 1) == ["Post 1", "Post 2"]
        assert rooms[0].poller is not None and rooms[0].poller.leased == {"Blog"}
        clock[0] += timedelta(days=2)
        assert await cycle(rooms[1], 3) == []  # it holds no source, and drops day 1
        assert rooms[1].poller is not None and rooms[1].poller.leased == set()
        assert len(holding) == 0
        assert await cycle(rooms[0], 3) == ["Post 3"]  # one short listing
        clock[0] += timedelta(hours=1)
        assert await cycle(rooms[0], 3, 2, 1) == []  # no news: retention dropped them
    finally:
        for room in rooms:
            await room.aclose()
        holding.close()
        other.close()
    with PostgresStore(pg_dsn) as reader:
        assert [r.title for r in reader.records(reader.query_ids())] == ["Post 3"]
        assert len((reader.load_health() or {})["Blog"].dropped) == 2  # posts 1 and 2


def test_what_two_pollers_retention_dropped_of_a_source_is_noted_whole(pg_dsn: str) -> None:
    """Two pollers' retention notes what it dropped of a source a third holds, at once: the
    holder takes every id, each with its later day; a note made again after the holder
    read the notes stays for its next take, and notes no holder took go after 14 days."""
    with (
        PostgresStore(pg_dsn, writer=True, share=True) as one,
        PostgresStore(pg_dsn, writer=True, share=True) as two,
        PostgresStore(pg_dsn, writer=True, share=True) as holder,
    ):
        threads = [
            threading.Thread(target=store.note_dropped, args=(notes, "2025-05-01"))
            for store, notes in (
                (one, {"Blog": {"p1": "2025-05-05", "p2": "2025-05-05"}}),
                (
                    two,
                    {"Blog": {"p2": "2025-05-06", "p3": "2025-05-06"}, "Gone": {"g": "2025-05-21"}},
                ),
            )
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        taken = holder.noted_dropped(["Blog"])
        assert taken == {"Blog": {"p1": "2025-05-05", "p2": "2025-05-06", "p3": "2025-05-06"}}
        one.note_dropped({"Blog": {"p1": "2025-05-07"}}, "2025-05-01")  # dropped again since
        holder.clear_dropped(taken)
        assert holder.noted_dropped(["Blog", "Gone"]) == {
            "Blog": {"p1": "2025-05-07"},
            "Gone": {"g": "2025-05-21"},
        }
        two.note_dropped({}, "2025-05-21")  # 14 days on: what no holder took is forgotten
        assert holder.noted_dropped(["Blog", "Gone"]) == {"Gone": {"g": "2025-05-21"}}


async def test_a_poller_that_starts_later_gets_its_share_of_a_running_refresh(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Sources are taken a part at a time: a second `refresh` started while the first is at
    work polls half of them, not none (the first had not taken them all at its start)."""
    monkeypatch.setattr(poller_module, "CLAIM_MIN", 2)
    sources = [
        Source(f"F{n:02d}", url=feed_server.add(f"/f{n}.xml", Route(feed(n, 2), delay=0.2)))
        for n in range(12)
    ]
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 1  # a part is 4 sources
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    first = PostgresStore(pg_dsn, writer=True, share=True)
    one = Poller(config, first, lambda: now)
    try:
        running = asyncio.create_task(one.poll())
        await one.sent.wait()  # the first is at work, alone
        assert one.leased is not None and len(one.leased) == 4
        second = PostgresStore(pg_dsn, writer=True, share=True)
        two = Poller(config, second, lambda: now)
        try:
            theirs = await two.poll()
        finally:
            await two.aclose()
            second.close()
        mine = await running
    finally:
        await one.aclose()
        first.close()
    polled = [{r.source for r in mine}, {r.source for r in theirs}]
    assert polled[0] | polled[1] == {s.name for s in sources} and not polled[0] & polled[1]
    assert len(polled[1]) >= 4  # a share, not the leftovers of one that took everything
    with PostgresStore(pg_dsn) as viewer:
        assert len(viewer) == 24


async def test_a_refresh_leaves_the_sources_another_poller_polled_meanwhile(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two refreshes share the sources; the one that finishes its share first lets its
    sources go, and the other, still at work, takes them without polling them again: they
    were this round's already (each source is asked once)."""
    monkeypatch.setattr(poller_module, "CLAIM_MIN", 2)
    sources = [
        Source(f"F{n}", url=feed_server.add(f"/f{n}.xml", Route(feed(n, 2), delay=delay)))
        for n, delay in enumerate([0.0, 0.0, 1.0, 1.0])
    ]
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 1
    first = PostgresStore(pg_dsn, writer=True, share=True)
    second = PostgresStore(pg_dsn, writer=True, share=True)
    one = Poller(config, first, health=HealthBook(tmp_path / "a", first))
    two = Poller(config, second, health=HealthBook(tmp_path / "b", second))
    try:
        assert await two.lease() == {"F0", "F1"}  # the fair share of two pollers
        running = asyncio.create_task(one.poll())  # the slow F2 and F3
        await one.sent.wait()
        theirs = await two.poll()  # F0 and F1, quickly
        await two.aclose()
        second.close()  # it stops: its sources go, polled
        mine = await running
    finally:
        await one.aclose()
        await two.aclose()
        first.close()
        second.close()
    assert {r.source for r in theirs} == {"F0", "F1"}
    assert {r.source for r in mine} == {"F2", "F3"}
    assert [len(feed_server.hits[f"/f{n}.xml"]) for n in range(4)] == [1, 1, 1, 1]


async def test_a_poller_gives_older_rows_their_pairs_in_a_thread_then_stops(
    tmp_path: Path, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poller of a database upgraded from before pairs gives its older rows their pairs
    beside its cycles, a batch at a time in a thread (never in its event loop), and stops
    looking once none is left; a phrase then finds them by their pairs."""
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            Article(id=f"a{n}", source="Wire", title=f"Trade minister {n}", fetched=now)
            for n in range(1200)
        )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE articles SET pairs = NULL")  # as a wirewatch before pairs wrote
    calls: list[tuple[int, int]] = []  # (thread, rows) of each batch
    real = PostgresStore.backfill

    def recording(self: PostgresStore, most: int = 500) -> int:
        rows = real(self, most)
        calls.append((threading.get_ident(), rows))
        return rows

    monkeypatch.setattr(PostgresStore, "backfill", recording)
    store = PostgresStore(pg_dsn, writer=True, share=True)
    try:
        newsroom = Newsroom(config_for(tmp_path), store, tmp_path / "data", lambda: now)
        stop = asyncio.Event()
        running = asyncio.create_task(newsroom.run(stop, tick=0.05))
        for _ in range(1200):
            if calls and calls[-1][1] == 0:
                break
            await asyncio.sleep(0.05)
        for _ in range(5):  # a few more ticks of the poller: no batch more
            await asyncio.sleep(0.05)
        stop.set()
        await running
        await newsroom.aclose()
    finally:
        store.close()
    assert [rows for _, rows in calls] == [500, 500, 200, 0]
    assert threading.get_ident() not in {thread for thread, _ in calls}
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        row = conn.execute("SELECT count(*) FROM articles WHERE pairs IS NULL").fetchone()
        assert row == (0,)
        row = conn.execute(
            "SELECT count(*) FROM articles WHERE pairs @@ %s::tsquery", ("'trade minister'",)
        ).fetchone()
        assert row == (1200,)


def test_a_refresh_beside_pollers_that_hold_every_source_says_so(
    tmp_path: Path, feed_server: FeedServer, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refresh while running pollers held every source said "0 sources polled" (and with
    --json, nothing at all), as if none were configured: it says they are being polled."""
    url = feed_server.add("/f.xml", Route(feed(1, 2)))
    config = write_config(
        tmp_path / "w.toml",
        f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
        f'[[sources]]\nname = "F"\nurl = "{url}"\n',
    )
    running = PostgresStore(pg_dsn, writer=True, share=True)  # a poller at work, holding F
    try:
        assert running.lease(["F"], set(), ttl=120.0) == {"F"}
        for json_too in ([], ["--json"]):
            args = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "refresh"]
            assert cli.main([*args, *json_too]) == 0
            said = capsys.readouterr()
            assert "being polled by a running poller" in said.err
            assert not feed_server.hits.get("/f.xml")
    finally:
        running.close()


def test_a_poller_whose_connection_the_server_dropped_groups_stories_only_if_it_takes_them_again(
    pg_dsn: str,
) -> None:
    """After a server restart, the poller that grouped the stories still took itself for
    their grouper, though their lock had gone with its connection; another poller took the
    free lock, and both grouped: every story saved twice, its spike fired twice."""
    one = PostgresStore(pg_dsn, writer=True, share=True)
    two = PostgresStore(pg_dsn, writer=True, share=True)
    try:
        assert one.takes_stories() and not two.takes_stories()
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            pid = one._lock_connection.info.backend_pid  # (the lock's connection, cut)
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
            for _ in range(1000):
                row = admin.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)
                ).fetchone()
                if row is not None and row[0] == 0:
                    break
                time.sleep(0.005)
            # a story two groupers left with no article (one's members moved to the other's)
            admin.execute(
                "INSERT INTO stories (id, last_seen, record) VALUES ('sorphan', 0, '{}'::jsonb)"
            )
        one.heartbeat()  # the writer lock taken again on a new connection
        assert two.takes_stories()  # the stories' lock was free: the other takes it
        assert not one.takes_stories()  # and this one no longer groups them
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            row = admin.execute("SELECT count(*) FROM stories WHERE id = 'sorphan'").fetchone()
            assert row is not None and row[0] == 0  # let go by the grouper that took over
    finally:
        one.close()
        two.close()


def _cut_off(admin: psycopg.Connection, database: str, cut: bool) -> None:
    """Refuse the database's new connections and end its sessions (as a route to it lost,
    a password changed), or let them in again."""
    admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {"false" if cut else "true"}')
    if not cut:
        return
    others = "FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()"
    admin.execute(f"SELECT pg_terminate_backend(pid) {others}", (database,))
    for _ in range(1000):  # the backends end a moment after they are told to
        row = admin.execute(f"SELECT count(*) {others}", (database,)).fetchone()
        if row is not None and row[0] == 0:
            return
        time.sleep(0.005)


async def test_a_poller_cut_off_from_the_database_stops_polling_once_its_leases_ran_out(
    tmp_path: Path,
    feed_server: FeedServer,
    pg_dsn: str,
    pg_server: PgServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A poller that could not reach the database kept polling the sources it had held,
    long after their leases ran out and another poller took them: every feed asked twice,
    nothing of it storable. Past the lease it polls none, says so once, and polls again
    once the database answers."""
    url = feed_server.add("/f.xml", Route(feed(1, 3)))
    config = config_for(tmp_path, Source("F", url=url, interval=2))
    ttl = lease_ttl(config)
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
    database = pg_dsn.rsplit("/", 1)[1].split("?")[0]
    store = PostgresStore(pg_dsn, writer=True, share=True)
    poller = Poller(config, store, lambda: now, health=HealthBook(tmp_path / "a", store))
    try:
        assert [r.status for r in await poller.poll()] == ["ok"]
        assert len(feed_server.hits["/f.xml"]) == 1
        with psycopg.connect(pg_server.dsn(), autocommit=True) as admin:
            _cut_off(admin, database, cut=True)
            try:
                await asyncio.sleep(ttl + 0.5)  # its lease has run out
                caplog.clear()
                assert await poller.poll() == []
                assert await poller.poll() == []
                assert len(feed_server.hits["/f.xml"]) == 1  # not asked while cut off
                said = [r.getMessage() for r in caplog.records if "ran out" in r.getMessage()]
                assert len(said) == 1 and "polls none until the database answers" in said[0]
            finally:
                _cut_off(admin, database, cut=False)

        def leased_again() -> bool:
            try:  # (the pool tries again after a backoff of its own: a look may fail meanwhile)
                return store.lease(["F"], set(), ttl) == {"F"}
            except StoreError:
                return False

        assert wait_for(leased_again, timeout=60)
        assert [r.status for r in await poller.poll()] == ["ok"]  # back: polled again
        assert len(feed_server.hits["/f.xml"]) == 2
        assert any("answers again" in r.getMessage() for r in caplog.records)
    finally:
        await poller.aclose()
        store.close()
