"""Fetching against a real HTTP server on 127.0.0.1: formats, failures and conditional GET."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import gzip
import json
import logging
import random
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fetchers import indexedtext
from fetchers import poller as poller_module
from fetchers.atomic import data_file_mode
from fetchers.healthbook import HealthBook
from fetchers.http import FetchError, fetch, make_client
from fetchers.models import Article, PollResult, Settings, Source, SourceHealth, system_clock
from fetchers.poller import (
    BACKOFF_BASE,
    BACKOFF_CAP,
    DEFAULT_PER_HOST,
    JITTER,
    Poller,
    host_cap,
)
from fetchers.store import StagedArticle, Store, search
from fetchers.webaddress import SHORTEST_INTERVAL
from tests.conftest import FeedServer, Route, config_for, poll_once, rss


async def poll(tmp_path: Path, now: datetime, *sources: Source, deadline: float = 5.0):
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(
        config_for(tmp_path, *sources, timeout=deadline),
        store,
        lambda: now,
        health=HealthBook(tmp_path / "data"),
    )
    try:
        results = {r.source: r for r in await poller.poll()}
        await poller.drain_pages(deadline)
    finally:
        await poller.aclose()
    return results, store, poller


def through_proxy(monkeypatch: pytest.MonkeyPatch, feed_server: FeedServer) -> None:
    """Every request goes to the test server as its proxy: a source may be at a made-up
    public host ("wire.example.com", its route keyed by its whole URL), which has the per-host
    cap and shortest interval of the network (a loopback address has others)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.base)
    monkeypatch.setenv("NO_PROXY", "")


async def test_one_failing_source_never_stops_the_others(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    good = feed_server.add("/good.xml", Route(rss("<title>Seoul</title><guid>1</guid>")))
    bad = feed_server.add("/bad.xml", Route(b"oops", status=500))
    html = feed_server.add(
        "/html.xml",
        Route(b"<!DOCTYPE html><html><body>x</body></html>", headers={"Content-Type": "text/html"}),
    )
    results, store, poller = await poll(
        tmp_path, now, Source("Good", url=good), Source("Bad", url=bad), Source("Html", url=html)
    )
    try:
        assert results["Good"].status == "ok" and len(results["Good"].new_ids) == 1
        assert results["Bad"].status == "error" and results["Bad"].http_status == 500
        assert "HTTP 500" in (results["Bad"].error or "")
        assert results["Html"].status == "error"
        assert "HTML page" in (results["Html"].error or "")
        assert [a.title for a in store.query()] == ["Seoul"]
        health = HealthBook(tmp_path / "data").load()
        assert health["Bad"].status == "error" and health["Bad"].failures == 1
        assert health["Bad"].latency_ms is not None  # a server answered: how soon is said
        assert health["Good"].status == "ok" and health["Good"].last_ok == now
    finally:
        store.close()


async def test_conditional_get_gives_304_on_the_second_run(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    url = feed_server.add(
        "/feed.xml", Route(rss("<title>A</title><guid>1</guid>"), etag='"v1"', gzip=True)
    )
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert results["F"].status == "ok"
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert results["F"].status == "not-modified"
    assert feed_server.hits["/feed.xml"][1].get("If-None-Match") == '"v1"'
    assert "wirewatch/" in feed_server.hits["/feed.xml"][0]["User-Agent"]


async def test_connections_are_kept_alive_through_200s_and_304s(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """Twelve feeds, one at a time: one TCP connection carries every request of a run."""
    sources = [
        Source(
            f"F{n}",
            url=feed_server.add(
                f"/f{n}.xml", Route(rss(f"<title>{n}</title><guid>{n}</guid>"), etag=f'"{n}"')
            ),
        )
        for n in range(12)
    ]
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 1
    for expected in ("ok", "not-modified"):
        feed_server.load["connections"] = 0
        with Store(tmp_path / "data", writer=True) as store:
            poller = Poller(config, store, lambda: now, health=HealthBook(tmp_path / "data"))
            try:
                assert {r.status for r in await poller.poll()} == {expected}
            finally:
                await poller.aclose()
        assert feed_server.load["connections"] == 1, expected


async def test_a_shard_moved_aside_makes_the_next_poll_unconditional(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", Route(rss("<title>A</title><guid>1</guid>"), etag='"v1"'))
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert results["F"].status == "ok"
    for path in (tmp_path / "data").glob("*-*.json"):  # the shard and its row cache
        path.write_bytes(b"\x00garbage")
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    try:
        assert any("moved aside" in p for p in store.problems)
        assert "If-None-Match" not in feed_server.hits["/f.xml"][1]
        assert results["F"].status == "ok" and len(results["F"].new_ids) == 1
        assert [a.title for a in store.query()] == ["A"]
        # what came back is a backlog, as a first poll's is: its old items fired alerts again
        assert results["F"].first
    finally:
        store.close()
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert results["F"].status == "not-modified" and not results["F"].first


async def test_feed_credentials_stay_with_the_requests(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """user:password@ in a feed URL is sent as basic auth, kept through a permanent move within
    the site, and never copied into the links of the articles."""
    new = feed_server.add(
        "/new.xml", Route(rss("<title>Members only</title><guid>1</guid><link>/story/1</link>"))
    )
    feed_server.add("/old.xml", Route(b"", status=301, headers={"Location": new}))
    url = feed_server.url("/old.xml").replace("http://", "http://ed:s3cret@")
    results, store, poller = await poll(tmp_path, now, Source("F", url=url))
    try:
        assert results["F"].status == "ok"
        (article,) = store.query()
        assert article.link == feed_server.url("/story/1")
        assert poller.health["F"].permanent_url == new.replace("http://", "http://ed:s3cret@")
    finally:
        store.close()
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert results["F"].status == "ok"
    assert len(feed_server.hits["/old.xml"]) == 1  # the move was remembered
    assert [h.get("Authorization") for h in feed_server.hits["/new.xml"]] == [
        "Basic ZWQ6czNjcmV0"  # ed:s3cret
    ] * 2
    direct = feed_server.add(
        "/direct.xml", Route(rss("<title>Direct</title><guid>2</guid><link>story/2</link>"))
    )
    results, store, _ = await poll(
        tmp_path, now, Source("G", url=direct.replace("http://", "http://ed:s3cret@"))
    )
    try:
        assert [a.link for a in store.query() if a.source == "G"] == [feed_server.url("/story/2")]
    finally:
        store.close()


async def test_a_feeds_password_is_not_kept_in_its_health(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """sources.json (or a shared database's health) keeps no password: a poller started
    again puts the config's back on the moved feed's address, and asks it conditionally."""
    new = feed_server.add(
        "/new.xml", Route(rss("<title>Members</title><guid>1</guid>"), etag='"v1"')
    )
    feed_server.add("/old.xml", Route(b"", status=301, headers={"Location": new}))
    source = Source("F", url=feed_server.url("/old.xml").replace("http://", "http://ed:s3cret@"))
    for _ in range(2):  # the second a poller started again, from the health as kept
        results, store, _ = await poll(tmp_path, now, source)
        store.close()
        assert results["F"].status in ("ok", "not-modified")
        assert "s3cret" not in (tmp_path / "data" / "sources.json").read_text()
    asked = feed_server.hits["/new.xml"]
    assert [h.get("Authorization") for h in asked] == ["Basic ZWQ6czNjcmV0"] * 2  # ed:s3cret
    assert asked[1].get("If-None-Match") == '"v1"' and len(feed_server.hits["/old.xml"]) == 1


@pytest.mark.parametrize("encoded", [False, True])
async def test_a_gzip_file_served_as_is_is_read(
    tmp_path: Path, now: datetime, feed_server: FeedServer, encoded: bool
) -> None:
    """feed.xml.gz served without Content-Encoding (or gzipped once more on the way)."""
    body = gzip.compress(rss("<title>From a .gz</title><guid>1</guid>"))
    url = feed_server.add(
        "/feed.xml.gz", Route(body, headers={"Content-Type": "application/gzip"}, gzip=encoded)
    )
    results, store, _ = await poll(tmp_path, now, Source("Gz", url=url))
    store.close()
    assert results["Gz"].status == "ok"
    with Store(tmp_path / "data") as again:
        assert [a.title for a in again.query()] == ["From a .gz"]


@pytest.mark.parametrize(
    ("status", "shown"), [(503, "HTTP 503 Service Unavailable"), (599, "HTTP 599 Evil")]
)
async def test_a_servers_words_never_reach_the_terminal_raw(
    tmp_path: Path, now: datetime, feed_server: FeedServer, status: int, shown: str
) -> None:
    phrase = "\x1b[31mEvil\x1b]0;pwned\x07\r\n"
    url = feed_server.add("/evil.xml", Route(b"", status=status, phrase=phrase))
    results, store, _ = await poll(tmp_path, now, Source("Evil", url=url))
    store.close()
    assert results["Evil"].error == shown
    assert HealthBook(tmp_path / "data").load()["Evil"].last_error == shown


@pytest.mark.parametrize("bypass", [False, True])
async def test_proxies_come_from_the_environment(
    tmp_path: Path,
    now: datetime,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    bypass: bool,
) -> None:
    """HTTP_PROXY carries the request (the test server answers as the proxy); NO_PROXY skips
    it (the made-up host then cannot be reached)."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy", "ALL_PROXY", "HTTPS_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", feed_server.base)
    monkeypatch.setenv("NO_PROXY", "wire.invalid" if bypass else "")
    url = "http://wire.invalid/rss"
    feed_server.add(url, Route(rss("<title>Through the proxy</title><guid>1</guid>")))
    results, store, _ = await poll(tmp_path, now, Source("Proxied", url=url))
    store.close()
    if bypass:
        assert results["Proxied"].status == "error" and url not in feed_server.hits
    else:
        assert results["Proxied"].status == "ok"
        with Store(tmp_path / "data") as again:
            assert [a.title for a in again.query()] == ["Through the proxy"]
        assert feed_server.hits[url]  # the absolute URL a proxy is sent


async def test_slow_drip_is_cut_off_at_the_deadline(feed_server: FeedServer) -> None:
    url = feed_server.add("/drip.xml", Route(rss("<title>x</title>") * 10, drip=0.2))
    client = make_client(None, 4, 1.0)
    started = time.monotonic()
    try:
        with pytest.raises(FetchError, match="within 1s"):
            await fetch(client, url, deadline=1.0, max_body=10_000_000)
    finally:
        await client.aclose()
    assert time.monotonic() - started < 3.0


@pytest.mark.parametrize("as_file", [False, True])
async def test_gzip_bomb_is_capped(feed_server: FeedServer, as_file: bool) -> None:
    """Sent with Content-Encoding, or as a .gz file served as it is: capped either way."""
    bomb = b"<rss>" + b" " * 50_000_000
    route = Route(gzip.compress(bomb)) if as_file else Route(bomb, gzip=True)
    url = feed_server.add("/bomb", route)
    client = make_client(None, 4, 10.0)
    try:
        with pytest.raises(FetchError, match="larger than"):
            await fetch(client, url, deadline=10.0, max_body=1_000_000)
    finally:
        await client.aclose()
    assert len(gzip.compress(bomb)) < 100_000  # it really is a bomb


async def test_redirect_loop_and_retry_after(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    loop = feed_server.add("/loop", Route(status=302, headers={"Location": "/loop"}))
    limited = feed_server.add("/busy", Route(status=429, headers={"Retry-After": "3600"}))
    results, store, poller = await poll(
        tmp_path, now, Source("Loop", url=loop), Source("Busy", url=limited)
    )
    store.close()
    assert "redirect" in (results["Loop"].error or "")
    assert results["Busy"].http_status == 429 and results["Busy"].retry_after == 3600
    next_poll = poller.health["Busy"].next_poll
    assert next_poll is not None and (next_poll - now).total_seconds() >= 3600


async def test_a_failing_source_backs_off_exponentially_with_jitter(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    url = feed_server.add("/down", Route(status=500))
    source = Source("Down", url=url, interval=60)
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, source), store, lambda: now)
        poller._rng = random.Random(7)  # the same draws every run
        waits = []
        try:
            for failures in range(1, 11):
                (result,) = await poller.poll()
                health = poller.health["Down"]
                assert result.status == "error" and health.failures == failures
                assert health.next_poll is not None
                wait = (health.next_poll - now).total_seconds()
                ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
                assert max(BACKOFF_BASE, ceiling / 2) <= wait <= ceiling
                waits.append(wait)
                assert poller.due(now) == []  # not tried again before its time
                assert poller.due(health.next_poll) == [source]
        finally:
            await poller.aclose()
    assert len(set(waits[2:])) == len(waits[2:])  # jittered (the first two may hit the floor)
    assert max(waits[6:]) > 4 * max(waits[:3])  # and growing


async def test_a_feed_that_is_not_there_is_asked_no_sooner_than_its_interval(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """With a 2-hour interval, a feed answering 404, 410, 401 or 403, a page that is no feed
    and a 429 without Retry-After were each asked again a minute or so later, poll after
    poll. They wait their interval, twice as long after each failure in a row; a 503 (which
    may pass soon) is asked again sooner, from a minute on, and backs off too. Asked for (a
    `refresh`, `r`), every one is polled all the same."""
    interval = 7200.0
    refusing = {
        "Missing": Route(b"", status=404),
        "Gone": Route(b"", status=410),
        "Locked": Route(b"", status=401),
        "Forbidden": Route(b"", status=403),
        "Page": Route(
            b"<!DOCTYPE html><html><body>x</body></html>", headers={"Content-Type": "text/html"}
        ),
        "Limited": Route(b"", status=429),
    }
    sources = [
        Source(name, url=feed_server.add(f"/{name}", route), interval=interval)
        for name, route in refusing.items()
    ]
    busy = Source("Busy", url=feed_server.add("/busy", Route(b"", status=503)), interval=interval)
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, *sources, busy), store, lambda: now)
        try:
            for failures in range(1, 6):
                results = await poller.poll()  # (each poll asked for: every source polled)
                assert [r.status for r in results] == ["error"] * 7
                assert all(len(feed_server.hits[f"/{name}"]) == failures for name in refusing)
                waited = {
                    name: (health.next_poll - now).total_seconds()
                    for name, health in poller.health.items()
                    if health.next_poll is not None
                }
                least = min(24 * 3600.0, interval * 2 ** (failures - 1))  # a day at most
                for name in refusing:
                    assert least <= waited[name] <= least * (1 + JITTER), (name, failures)
                ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** (failures - 1))
                assert max(BACKOFF_BASE, ceiling / 2) <= waited["Busy"] <= ceiling
                assert poller.due(now + timedelta(hours=1)) == [busy]
        finally:
            await poller.aclose()


async def test_a_source_that_recovers_shows_no_error_it_no_longer_has(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A source that failed once and answers again is healthy: its old error is not shown
    beside it (nor does it hide the warnings it has now)."""
    url = feed_server.add("/flaky.xml", Route(b"oops", status=500))
    source = Source("Flaky", url=url)
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(
            config_for(tmp_path, source), store, lambda: now, health=HealthBook(tmp_path / "data")
        )
        try:
            await poller.poll()
            assert poller.health["Flaky"].last_error == "HTTP 500 Internal Server Error"
            feed_server.routes["/flaky.xml"] = Route(
                rss("<title>Back</title><guid>1</guid><pubDate>garbage date</pubDate>")
            )
            (result,) = await poller.poll()
        finally:
            await poller.aclose()
    assert result.status == "ok"
    health = HealthBook(tmp_path / "data").load()["Flaky"]
    assert (health.status, health.failures, health.last_error) == ("ok", 0, None)
    assert health.warnings == 1 and "garbage date" in (health.last_warning or "")


async def _new_titles(tmp_path: Path, source: Source, store: Store, now: datetime) -> list[str]:
    """One poll of `source` into `store` at `now`, its health kept in the data dir (what the
    feed listed too): the titles of the articles it stored as new."""
    poller = Poller(
        config_for(tmp_path, source), store, lambda: now, health=HealthBook(tmp_path / "data")
    )
    try:
        (result,) = await poller.poll()
    finally:
        await poller.aclose()
    return [a.title for a in store.query() if a.id in set(result.new_ids)]


def _post(n: int, day: str) -> str:
    return f"<title>Blog post {n}</title><guid>p{n}</guid><pubDate>{day} 2026 09:00 GMT</pubDate>"


async def test_articles_retention_dropped_stay_gone_while_their_feed_still_lists_them(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A blog keeps its old posts listed: once retention drops them they are not stored
    again as new at the next change of the feed, nor after the poller starts again."""
    clock = [datetime(2026, 12, 1, 13, tzinfo=UTC)]
    url = feed_server.add("/blog.xml", Route(rss(_post(2, "30 Nov"), _post(1, "26 Nov"))))
    source = Source("Blog", url=url)

    async def poll_once(store: Store) -> list[str]:
        return await _new_titles(tmp_path, source, store, clock[0])

    with Store(tmp_path / "data", writer=True) as store:
        assert await poll_once(store) == ["Blog post 2", "Blog post 1"]
        clock[0] += timedelta(days=5)
        assert store.apply_retention(3, clock[0]) == 2
        feed_server.routes["/blog.xml"] = Route(
            rss(_post(3, "05 Dec"), _post(2, "30 Nov"), _post(1, "26 Nov"))
        )
        assert await poll_once(store) == ["Blog post 3"]
    feed_server.routes["/blog.xml"] = Route(
        rss(_post(4, "06 Dec"), _post(3, "05 Dec"), _post(2, "30 Nov"), _post(1, "26 Nov"))
    )
    with Store(tmp_path / "data", writer=True) as store:
        assert await poll_once(store) == ["Blog post 4"]
        assert [a.title for a in store.query()] == ["Blog post 4", "Blog post 3"]
    # kept beside the health, which every viewer reads, not in it
    assert "listed" not in (tmp_path / "data" / "sources.json").read_text()
    listed = json.loads((tmp_path / "data" / "sources-listed.json").read_text())
    assert len(listed["Blog"]) == 4


async def test_what_a_held_clock_stored_is_kept_as_long_from_the_real_day_it_was_stored(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A poll under a clock held on a day past retention (`--now`, the README's demo), then
    polls on the real clock: its articles, filed under the held day, were dropped by the
    first one, and never stored again while their feed listed them. They are kept until
    retention's days have passed since they were really stored; then they go, and a feed
    that still lists them brings them no more than any article retention dropped."""
    url = feed_server.add("/blog.xml", Route(rss(_post(2, "30 Nov"), _post(1, "26 Nov"))))
    data = tmp_path / "data"
    real = datetime(2026, 12, 1, 13, tzinfo=UTC)

    async def cycle(now: datetime, held: bool) -> list[str]:
        return await _room_cycle(tmp_path, now, url, days=30, real=real if held else None)

    assert await cycle(datetime(2025, 10, 24, 8, tzinfo=UTC), held=True) == [
        "Blog post 1",
        "Blog post 2",
    ]
    for days in (0, 29):
        assert await cycle(real + timedelta(days=days), held=False) == []
        with Store(data) as store:
            assert len(store.query_ids()) == 2, f"{days} days after"
    for days in (31, 32):
        assert await cycle(real + timedelta(days=days), held=False) == []
        with Store(data) as store:
            assert store.query_ids() == []
    assert json.loads((data / "sources-held.json").read_text()) == {}


async def test_what_a_clock_held_ahead_stored_goes_retention_days_after_the_real_day(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A demo under a `--now` months ahead of the real clock: its articles were filed under
    that day, which the real clock's retention never found before its cutoff, so they
    stayed (first in every list, newest) long after retention_days. They are kept as long
    from the real day they were stored, then go."""
    url = feed_server.add("/blog.xml", Route(rss(_post(2, "30 Nov"), _post(1, "26 Nov"))))
    data = tmp_path / "data"
    real = datetime(2026, 12, 1, 13, tzinfo=UTC)

    async def cycle(now: datetime, held: bool) -> None:
        await _room_cycle(tmp_path, now, url, days=30, real=real if held else None)

    await cycle(datetime(2027, 6, 1, 9, tzinfo=UTC), held=True)
    for days in (0, 29):
        await cycle(real + timedelta(days=days), held=False)
        with Store(data) as store:
            assert len(store.query_ids()) == 2, f"{days} days after"
    for days in (31, 60):
        await cycle(real + timedelta(days=days), held=False)
        with Store(data) as store:
            assert store.query_ids() == [], f"{days} days after"


async def _room_cycle(
    tmp_path: Path,
    now: datetime,
    url: str,
    rules: list[dict[str, str]] = (),  # type: ignore[assignment]
    days: int = 1,
    real: datetime | None = None,
) -> list[str]:
    """One newsroom cycle (a poller started afresh, its health from the data dir, the rules'
    alerts checked before it closes) of the feed at `url`: the titles it stored as new.
    With `real`, the clock `now` is held still (as `--now` holds it) while the real clock
    says `real`."""
    from fetchers.alertrules import make_rule
    from fetchers.newsroom import Newsroom

    config = config_for(tmp_path, Source("Blog", url=url))
    config.settings.retention_days = days
    config.alerts = [make_rule(rule, now) for rule in rules]
    config.clock_held = real is not None
    with Store(tmp_path / "data", writer=True) as store:
        room = Newsroom(config, store, tmp_path / "data", lambda: now)
        if real is not None:
            room.require_poller().real_clock = lambda: real
        try:
            (result,) = (await room.cycle()).results
        finally:
            await room.aclose()
        assert result.status == "ok"
        return sorted(r.title for r in store.records(result.new_ids))


async def test_what_retention_dropped_stays_gone_after_a_listing_that_left_it_out(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A blog's feed answers once, whole and well formed, with its newest post alone (a CMS
    or a CDN serving a short feed, a "top stories" feed rotating), and the same cycle's
    retention drops the old posts' day; then the feed lists them again. They came back as
    news with their old dates, and the rule that had fired for one fired again for the same
    article: what the feed listed was only that short answer's."""
    from fetchers.alerthistory import AlertHistory

    caplog.set_level(logging.WARNING, "wirewatch.alerts")
    rail = "<title>Rail timetable {n} thoughts</title><guid>p{n}</guid>"
    old = [rail.format(n=1), rail.format(n=2)]
    route = Route(rss(*old))
    url = feed_server.add("/blog.xml", route)
    rules = [{"name": "Rail", "query": "rail"}]
    day1 = datetime(2025, 5, 3, 8, tzinfo=UTC)
    assert await _room_cycle(tmp_path, day1, url, rules) == [
        "Rail timetable 1 thoughts",
        "Rail timetable 2 thoughts",
    ]
    route.body = rss(rail.format(n=3), *old)
    assert await _room_cycle(tmp_path, day1 + timedelta(hours=1), url, rules) == [
        "Rail timetable 3 thoughts"
    ]
    for hours in (12, 24, 36):  # polled the next day: nothing new, nothing dropped
        assert await _room_cycle(tmp_path, day1 + timedelta(hours=hours), url, rules) == []
    fired = [(e.alert, e.title) for e in AlertHistory(tmp_path / "data").recent()]
    assert fired == [("Rail", "Rail timetable 3 thoughts")]
    # the short listing, whole and well formed; retention drops the first day
    route.body = rss("<title>Bus route opens</title><guid>p4</guid>")
    day3 = day1 + timedelta(days=2, hours=1)
    assert await _room_cycle(tmp_path, day3, url, rules) == ["Bus route opens"]
    with Store(tmp_path / "data") as store:
        assert [r.title for r in store.records(store.query_ids())] == ["Bus route opens"]
    # the feed lists them all again, an hour later and days later
    route.body = rss("<title>Bus route opens</title><guid>p4</guid>", rail.format(n=3), *old)
    for later in (timedelta(hours=1), timedelta(days=5)):
        assert await _room_cycle(tmp_path, day3 + later, url, rules) == []
    with Store(tmp_path / "data") as store:
        assert store.query_ids() == []  # p4's day went too; none came back
    # fired once in all (the history forgets an alert as retention drops its article)
    fired = [r.getMessage() for r in caplog.records if r.name == "wirewatch.alerts"]
    assert fired == ["alert Rail (match): Rail timetable 3 thoughts [Blog]"]
    # kept apart from the health every viewer reads, in a file of the data dir's mode
    dropped = tmp_path / "data" / "sources-dropped.json"
    assert sorted(json.loads(dropped.read_text())["Blog"]) == sorted(
        HealthBook(tmp_path / "data").load(listed=True)["Blog"].dropped
    )
    assert len(json.loads(dropped.read_text())["Blog"]) == 4
    assert dropped.stat().st_mode & 0o777 & ~data_file_mode(dropped.parent) == 0
    assert "dropped" not in (tmp_path / "data" / "sources.json").read_text()


async def test_what_retention_dropped_is_remembered_while_its_feed_may_list_it_again(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The ids retention dropped are remembered DROPPED_DAYS after the drop, or after their
    feed last listed them, and at most DROPPED_MOST a source, the oldest dropped first out:
    past those, a feed that lists one again brings it as news."""
    monkeypatch.setattr(poller_module, "DROPPED_MOST", 2)
    post = "<title>Post {n}</title><guid>p{n}</guid>"
    route = Route(rss(post.format(n=1)))
    url = feed_server.add("/blog.xml", route)
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)

    async def listing(day: int, *posts: int) -> list[str]:
        route.body = rss(*(post.format(n=n) for n in posts))
        return await _room_cycle(tmp_path, start + timedelta(days=day), url)

    assert await listing(0, 1) == ["Post 1"]
    assert await listing(2, 2) == ["Post 2"]  # post 1's day dropped
    assert await listing(12, 1) == []  # within 14 days: remembered, and listed from now
    assert await listing(13, 3) == ["Post 3"]  # post 2 dropped at day 12, post 3 stored
    # 22 days after its drop, 12 after its listing; post 3 dropped: past two remembered,
    # post 2 (dropped at day 12, the others' day now 24) goes first
    assert await listing(24, 1) == []
    assert await listing(25, 2, 3) == ["Post 2"]
    assert await listing(40, 1) == ["Post 1"]  # not listed for 16 days: news again


@pytest.mark.parametrize("glitch", ["empty", "cut"])
async def test_a_feeds_bad_moment_does_not_bring_back_what_retention_dropped(
    tmp_path: Path, feed_server: FeedServer, glitch: str
) -> None:
    """A feed that answers once with an empty channel, or with a document cut off, then
    whole again: what retention dropped while the feed listed it came back as new (stored
    again, alerted on again), as what the feed listed was taken from that one answer. And
    a stored article the cut fell in the middle of is not revised to the words that came."""
    clock = [datetime(2026, 12, 1, 13, tzinfo=UTC)]
    whole = rss(_post(3, "03 Dec"), _post(2, "02 Dec"), _post(1, "26 Nov"))
    route = Route(rss(_post(1, "26 Nov")))
    source = Source("Blog", url=feed_server.add("/blog.xml", route))

    async def poll_once(store: Store) -> list[str]:
        titles = await _new_titles(tmp_path, source, store, clock[0])
        clock[0] += timedelta(hours=1)
        return titles

    with Store(tmp_path / "data", writer=True) as store:
        assert await poll_once(store) == ["Blog post 1"]
        clock[0] += timedelta(days=2)
        route.body = rss(_post(2, "02 Dec"), _post(1, "26 Nov"))
        assert await poll_once(store) == ["Blog post 2"]
        clock[0] += timedelta(days=2)
        assert store.apply_retention(3, clock[0]) == 1  # post 1 goes, its feed still lists it
        cut_in_post_2 = whole.index(b"Blog post 2") + len(b"Blog po")
        route.body = rss() if glitch == "empty" else whole[:cut_in_post_2]
        assert await poll_once(store) == (["Blog post 3"] if glitch == "cut" else [])
        route.body = whole
        assert await poll_once(store) == ([] if glitch == "cut" else ["Blog post 3"])
        assert sorted(a.title for a in store.query()) == ["Blog post 2", "Blog post 3"]
        assert all(store.revisions(a.id) == [] for a in store.query())


async def test_a_cut_off_document_revises_every_stored_article_but_the_one_cut(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The item the cut fell in may hold half its headline: it revises nothing. The whole
    items before it do (a feed whose document is never closed had no rewrite recorded)."""
    one, two = "<guid>1</guid><title>{}</title>", "<guid>2</guid><title>{}</title>"
    route = Route(rss(one.format("Talks stall"), two.format("Summit opens")))
    source = Source("Wire", url=feed_server.add("/wire.xml", route))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    results, _ = await poll_once(tmp_path, now, source)
    assert len(results["Wire"].new_ids) == 2
    whole = rss(one.format("Talks collapse"), two.format("Summit opens in Gyeongju"))
    route.body = whole[: whole.index(b"Summit opens in") + len(b"Summit op")]  # in item 2
    results, _ = await poll_once(tmp_path, now + timedelta(hours=1), source)
    assert results["Wire"].cut_off and len(results["Wire"].revised_ids) == 1
    with Store(tmp_path / "data") as store:
        titles = sorted(a.title for a in store.query())
    assert titles == ["Summit opens", "Talks collapse"]
    # a document never closed: every item is whole, and each revises
    route.body = whole[: whole.index(b"</channel>")]
    results, _ = await poll_once(tmp_path, now + timedelta(hours=2), source)
    assert results["Wire"].cut_off and len(results["Wire"].revised_ids) == 1
    with Store(tmp_path / "data") as store:
        titles = sorted(a.title for a in store.query())
    assert titles == ["Summit opens in Gyeongju", "Talks collapse"]


@pytest.mark.parametrize("case", ["opening tag", "repeated guid", "utf-16"])
async def test_the_item_a_cut_fell_in_is_told_by_the_elements_not_the_last_bytes(
    tmp_path: Path, feed_server: FeedServer, case: str
) -> None:
    """The item the bytes stopped in was told by its tags' last bytes: a cut inside the
    next item's opening tag took the whole item before for the cut one (its rewrite was not
    recorded), a document in UTF-16 hid its tags, and with a guid given twice the cut
    version's half headline revised the stored article."""
    one, two = "<guid>1</guid><title>{}</title>", "<guid>2</guid><title>{}</title>"
    route = Route(rss(one.format("Talks stall"), two.format("Summit opens")))
    source = Source("Wire", url=feed_server.add("/wire.xml", route))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    await poll_once(tmp_path, now, source)
    if case == "opening tag":  # item 2 whole and rewritten, the cut inside item 3's tag
        whole = rss(one.format("Talks stall"), two.format("Summit opens in Gyeongju"))
        route.body = whole[: whole.index(b"</channel>")] + b'<item xml:lang="e'
        expected = ["Summit opens in Gyeongju", "Talks stall"]
    elif case == "repeated guid":  # item 2 whole and rewritten; item 1 again, cut
        whole = rss(
            one.format("Talks collapse"),
            two.format("Summit opens in Gyeongju"),
            one.format("Talks end"),
        )
        route.body = whole[: whole.rindex(b"Talks end") + len(b"Talks e")]
        expected = ["Summit opens in Gyeongju", "Talks stall"]
    else:  # UTF-16, cut inside item 2's rewritten headline: item 1's rewrite stands
        text = rss(one.format("Talks collapse"), two.format("Summit opens in Gyeongju"))
        encoded = text.decode().replace('encoding="utf-8"', 'encoding="utf-16"').encode("utf-16")
        route.body = encoded[: encoded.index("Gyeongju".encode("utf-16-le"))]
        expected = ["Summit opens", "Talks collapse"]
    results, _ = await poll_once(tmp_path, now + timedelta(hours=1), source)
    assert results["Wire"].cut_off
    with Store(tmp_path / "data") as store:
        assert sorted(a.title for a in store.query()) == expected


async def test_a_feed_cut_off_at_every_poll_does_not_remember_every_id_it_ever_listed(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a cut-off answer listed joins what its feed listed before (a bad moment must not
    bring back what retention dropped); a feed cut off at every poll joined every id it ever
    listed, read and written whole at every cycle. Past a bound, the answer's own ids."""
    monkeypatch.setattr(poller_module, "LISTED_FEWEST", 10)
    route = Route(b"")
    source = Source("Cut", url=feed_server.add("/cut.xml", route))
    clock = [datetime(2026, 12, 1, 13, tzinfo=UTC)]
    sizes = []
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, source), store, lambda: clock[0])
        try:
            for n in range(8):
                items = [f"<title>Item {n}-{i}</title><guid>{n}-{i}</guid>" for i in range(4)]
                whole = rss(*items)
                route.body = whole[: whole.rindex(b"</item>") + 7]  # never closed
                (result,) = await poller.poll()
                assert result.cut_off and len(result.new_ids) == 4
                sizes.append(len(poller.health["Cut"].listed))
                clock[0] += timedelta(hours=1)
        finally:
            await poller.aclose()
    assert sizes[:3] == [4, 8, 4] and max(sizes) <= 10


async def test_a_shortened_interval_holds_at_once(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """An interval cut from 10 minutes to 2 (a config reloaded, or a poller started again)
    polls the source 2 minutes after its last poll (give or take its jitter, a tenth), not
    once the 10 have run out; a source backing off from failures keeps its wait."""
    fine = feed_server.add("/fine.xml", Route(rss("<title>A</title><guid>1</guid>")))
    down = feed_server.add("/down.xml", Route(b"", status=500))
    sources = [Source("Fine", url=fine, interval=600), Source("Down", url=down, interval=600)]
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(
            config_for(tmp_path, *sources), store, lambda: now, health=HealthBook(tmp_path / "data")
        )
        try:
            await poller.poll()
            waited = poller.health["Down"].next_poll
            assert "Fine" not in [s.name for s in poller.due(now + timedelta(minutes=3))]
            shorter = config_for(
                tmp_path,
                Source("Fine", url=fine, interval=120),
                Source("Down", url=down, interval=120),
            )
            poller.reconfigure(shorter)
            assert "Fine" in [s.name for s in poller.due(now + timedelta(seconds=132))]
            assert poller.health["Down"].next_poll == waited
        finally:
            await poller.aclose()
    with Store(tmp_path / "data", writer=True) as store:  # started again with the new config
        again = Poller(shorter, store, lambda: now, health=HealthBook(tmp_path / "data"))
        try:
            assert "Fine" in [s.name for s in again.due(now + timedelta(seconds=132))]
            assert again.health["Down"].next_poll == waited
        finally:
            await again.aclose()


async def test_after_the_clock_goes_back_each_source_is_polled_within_its_wait_from_now(
    tmp_path: Path, now: datetime, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Polled under a clock a day ahead (`--now`, or a clock set right later), then run on
    the right one: every next poll, dated after the last, lay a day ahead, and nothing was
    polled for a day. Each source's wait (its interval, a failure's backoff, a server's
    Retry-After) is counted from now instead, and the log says once that the clock went
    back."""
    fine = feed_server.add("/fine.xml", Route(rss("<title>A</title><guid>1</guid>")))
    down = feed_server.add("/down.xml", Route(b"", status=500))
    busy = feed_server.add("/busy.xml", Route(b"", status=429, headers={"Retry-After": "600"}))
    sources = [
        Source("Fine", url=fine, interval=120),
        Source("Down", url=down, interval=120),
        Source("Busy", url=busy, interval=120),
    ]
    clock = [now + timedelta(days=1)]
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, *sources), store, lambda: clock[0])
        try:
            await poller.poll()
            clock[0] = now  # set right: a day back
            with caplog.at_level(logging.INFO, logger="wirewatch.poller"):
                assert poller.due(now) == []  # (each waits, from now)
                down_again = now + timedelta(seconds=BACKOFF_BASE + 1)
                assert [s.name for s in poller.due(down_again)] == ["Down"]
                fine_again = now + timedelta(seconds=(1 + JITTER) * 120 + 1)
                assert [s.name for s in poller.due(fine_again)] == ["Fine", "Down"]
                busy_again = now + timedelta(seconds=601)
                assert "Busy" in [s.name for s in poller.due(busy_again)]
                clock[0] = busy_again
                (result,) = await poller.poll([sources[2]])  # asked, not left out waiting
            assert result.http_status == 429 and len(feed_server.hits["/busy.xml"]) == 2
            said = [r for r in caplog.records if "clock went back" in r.getMessage()]
            assert len(said) == 1 and said[0].levelno == logging.WARNING
        finally:
            await poller.aclose()


async def test_under_a_clock_held_before_the_last_polls_each_source_is_polled_once(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A clock held still (--now) never reaches a wait counted from it: a source last polled
    after it is polled once, as a held clock polls every source once."""
    fine = feed_server.add("/fine.xml", Route(rss("<title>A</title><guid>1</guid>")))
    config = config_for(tmp_path, Source("Fine", url=fine, interval=120))
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config, store, lambda: now + timedelta(days=1))
        try:
            await poller.poll()
        finally:
            await poller.aclose()
        config.clock_held = True
        held = Poller(config, store, lambda: now)
        held.health = poller.health
        try:
            assert [s.name for s in held.due(now)] == ["Fine"]
            await held.poll()
            assert held.due(now) == []  # once
        finally:
            await held.aclose()


async def test_permanent_redirect_is_followed_and_remembered(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    new = feed_server.add("/new.xml", Route(rss("<title>Moved</title><guid>1</guid>")))
    old = feed_server.add("/old.xml", Route(status=301, headers={"Location": "/new.xml"}))
    results, store, poller = await poll(tmp_path, now, Source("M", url=old))
    store.close()
    assert results["M"].status == "ok"
    assert poller.health["M"].permanent_url == new


async def test_a_feed_that_moved_is_logged_once_and_its_errors_name_where_they_came_from(
    tmp_path: Path, now: datetime, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A feed moved for good was polled at its new address without a word in the log, and
    that address's errors were said as the config's address's own; so were the errors of
    where a redirect led."""
    new = feed_server.add("/new.xml", Route(rss("<title>Moved</title><guid>1</guid>")))
    old = feed_server.add("/old.xml", Route(status=301, headers={"Location": "/new.xml"}))
    missing = feed_server.url("/missing.xml")
    elsewhere = feed_server.add("/elsewhere", Route(status=302, headers={"Location": missing}))
    down = feed_server.add("/down.xml", Route(b"", status=500))
    sources = [Source("Moved", url=old), Source("Led", url=elsewhere), Source("Down", url=down)]
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, *sources), store, lambda: now)
        try:
            with caplog.at_level(logging.INFO, logger="wirewatch.poller"):
                for _ in range(3):
                    results = {r.source: r for r in await poller.poll()}
                    assert results["Moved"].status == "ok"
            said = [r.getMessage() for r in caplog.records if "moved for good" in r.getMessage()]
            assert len(said) == 1 and said[0].startswith(f"Moved: its feed moved for good to {new}")
            assert len(feed_server.hits["/old.xml"]) == 1  # polled where it moved
            assert results["Led"].error == f"HTTP 404 Not Found (at {missing})"
            assert results["Down"].error == "HTTP 500 Internal Server Error"  # its own address
            feed_server.routes["/new.xml"] = Route(b"", status=503)
            results = {r.source: r for r in await poller.poll()}
            assert results["Moved"].error == f"HTTP 503 Service Unavailable (at {new})"
            assert poller.health["Moved"].last_error == results["Moved"].error
        finally:
            await poller.aclose()


def redirecting_blogs(feed_server: FeedServer, count: int, delay: float) -> list[Source]:
    """Blogs, each a host of its own, whose feeds redirect (302) to one feed host, as
    FeedBurner's did: the feed host's per-host cap is only kept if it counts where a request
    ends, not where it began. The hosts are made up: poll them through_proxy."""
    sources: list[Source] = []
    for n in range(count):
        feed = f"http://feeds.example.com/blog{n}"
        feed_server.routes[feed] = Route(rss(f"<title>{n}</title><guid>{n}</guid>"), delay=delay)
        blog = f"http://blog{n}.example.com/feed"
        feed_server.routes[blog] = Route(status=302, headers={"Location": feed})
        sources.append(Source(f"Blog {n}", url=blog))
    return sources


async def test_redirects_of_many_sources_to_one_host_keep_to_its_per_host_cap(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten blogs whose feeds redirect to one feed host (as FeedBurner's did): each blog was a
    host of its own, so the ten requests went to the feed host at once, past its cap of two;
    so again at the next poll, which knows where each one leads."""
    through_proxy(monkeypatch, feed_server)
    sources = redirecting_blogs(feed_server, 10, delay=0.2)
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 16
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config, store, lambda: now)
        try:
            for _ in range(2):
                feed_server.load["max feeds.example.com"] = 0
                assert [r.status for r in await poller.poll()] == ["ok"] * 10
                assert 0 < feed_server.load["max feeds.example.com"] <= DEFAULT_PER_HOST
            assert all(len(feed_server.hits[s.url or ""]) == 2 for s in sources)
        finally:
            await poller.aclose()


async def test_a_redirect_waiting_in_line_at_its_host_has_the_whole_timeout_there(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Twenty blogs redirecting to one feed host that answers in 0.3 s, two at a time: the
    time a redirect waited for its turn there counted against its timeout, and at a first
    poll (which cannot know where each leads) those last in line failed as "no complete
    response within 2s". The wait in line is not the server's."""
    through_proxy(monkeypatch, feed_server)
    sources = redirecting_blogs(feed_server, 20, delay=0.3)
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 20
    config.settings.timeout = 2.0
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config, store, lambda: now)
        try:
            results = await poller.poll()
            assert [r.error for r in results if r.status != "ok"] == []
            assert feed_server.load["max feeds.example.com"] <= DEFAULT_PER_HOST
        finally:
            await poller.aclose()


async def test_the_latency_of_a_redirect_that_waited_in_line_at_its_host_is_the_servers_time(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Four blogs redirecting to one feed host that answers in 0.6 s, one at a time: the
    time a redirect waited for its turn there was counted in its latency, and the last in
    line was said to take 2.4 s (in `wirewatch sources`, `--json`, the health picker) where
    the server took 0.6 s, as the three before it did."""
    through_proxy(monkeypatch, feed_server)
    served_in = 0.6
    sources = redirecting_blogs(feed_server, 4, delay=served_in)
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 8
    config.settings.per_host = 1
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config, store, lambda: now)
        try:
            assert [r.status for r in await poller.poll()] == ["ok"] * 4
            assert feed_server.load["max feeds.example.com"] == 1  # (the last waited 1.8 s)
            latencies = [poller.health[s.name].latency_ms or 0 for s in sources]
            # the server's 0.6 s, give or take a loaded machine's 1.2 s: the last in line
            # counted its three turns of waiting, 2.4 s
            beyond = [ms for ms in latencies if not served_in * 1000 <= ms < 3 * served_in * 1000]
            assert beyond == []
        finally:
            await poller.aclose()


async def test_a_one_minute_source_is_never_polled_sooner_than_a_minute(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source on the network with the shortest interval, a minute, was polled again 55 s
    later now and then: its interval's jitter took it below. Its jitter is upward only; an
    hourly source's goes both ways."""
    through_proxy(monkeypatch, feed_server)
    minutely, hourly = "http://wire.example.com/rss", "http://daily.example.com/rss"
    for url in (minutely, hourly):
        feed_server.routes[url] = Route(rss("<title>A</title><guid>1</guid>"), etag='"1"')
    sources = [
        Source("Wire", url=minutely, interval=60),
        Source("Hourly", url=hourly, interval=3600),
    ]
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, *sources), store, lambda: now)
        poller._rng = random.Random(7)  # the same draws every run
        waits: dict[str, list[float]] = {"Wire": [], "Hourly": []}
        try:
            for _ in range(20):
                assert {r.status for r in await poller.poll()} <= {"ok", "not-modified"}
                for name, said in waits.items():
                    next_poll = poller.health[name].next_poll
                    assert next_poll is not None
                    said.append((next_poll - now).total_seconds())
        finally:
            await poller.aclose()
    assert SHORTEST_INTERVAL <= min(waits["Wire"]) < max(waits["Wire"]) <= 66
    assert min(waits["Hourly"]) < 3600 < max(waits["Hourly"])


async def test_page_source_and_full_text(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    paragraph = (
        "South Korea and the United States remain far apart on key sticking points "
        "in trade negotiations, a senior presidential aide said Friday. "
    )
    page = (
        f"<html><head><title>Talks</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Talks</h1><p>{paragraph * 3}</p><p>READ MORE</p>"
        f"<p>{paragraph * 2}</p></article><aside><h3>Most Commented</h3><ul>"
        f"<li><a href='/x'>Hybe partners with LAFC</a></li></ul></aside></body></html>"
    )
    page_url = feed_server.add(
        "/story.html",
        Route(
            page.encode("euc-kr", "replace"), headers={"Content-Type": "text/html; charset=euc-kr"}
        ),
    )
    feed_url = feed_server.add(
        "/feed.xml", Route(rss(f"<title>Talks</title><link>{page_url}</link><guid>1</guid>"))
    )
    results, store, _ = await poll(
        tmp_path,
        now,
        Source("Feed", url=feed_url, full_text=True),
        Source("Page", url=page_url, kind="page"),
    )
    try:
        for name in ("Feed", "Page"):
            (ident,) = results[name].new_ids
            text = store.text(ident) or ""
            assert text.startswith("South Korea and the United States")
            assert "READ MORE" not in text and "Most Commented" not in text
            assert "Hybe" not in text and "Home" not in text
    finally:
        store.close()


async def test_full_texts_of_a_scripted_page_and_of_a_page_of_many_rows_are_whole(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A page whose script writes its article in was stored as the full text "Loading…"
    (so never fetched again): the article its JSON-LD carries is stored. A 700 KB page of
    election results was stored cut off at district 7498: it is stored to its end."""
    from tests.test_extract import STRIKE, election_results, news_article, scripted_page

    html = {"Content-Type": "text/html; charset=utf-8"}
    strike = feed_server.add(
        "/strike.html", Route(scripted_page(news_article("\n\n".join(STRIKE))), headers=html)
    )
    results = feed_server.add("/results.html", Route(election_results(12_000), headers=html))
    feed_url = feed_server.add(
        "/feed.xml",
        Route(
            rss(
                f"<title>Port strike enters third week</title><link>{strike}</link><guid>1</guid>",
                f"<title>Results</title><link>{results}</link><guid>2</guid>",
            )
        ),
    )
    herald = Source("Herald", url=feed_url, full_text=True)
    polled, store, _ = await poll(tmp_path, now, herald, deadline=30.0)  # (96,000 tags to read)
    try:
        articles = [store.get(ident) for ident in polled["Herald"].new_ids]
        texts = {a.title: store.text(a.id) or "" for a in articles if a is not None}
        assert texts["Port strike enters third week"].split("\n\n") == STRIKE
        *rows, last = texts["Results"].split("\n\n")
        assert "District 12000" in rows[-1] and last == "End of the results table."
    finally:
        store.close()


def _shell(head: str, body: str) -> bytes:
    """A page of no article: a head and a line of notice."""
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>Redirecting</title>{head}'
        f"</head><body>{body}</body></html>"
    ).encode()


async def test_redirect_pages_and_script_shells_give_the_article_they_lead_to(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A meta refresh, a script that sets `location` and a script shell naming its AMP copy
    were stored as the full text "If you are not redirected automatically, follow this
    link.", "Redirecting you to the article…" and "Loading… You need to enable JavaScript",
    in place of the summary, and never fetched again: the article they lead to is stored. A
    shell that leads nowhere stores nothing (the summary stays) and is tried again."""
    from tests.test_extract import STRIKE

    html = {"Content-Type": "text/html; charset=utf-8"}
    article = (
        "<!doctype html><html><head><title>Port strike enters third week</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        "<h1>Port strike enters third week</h1>"
        + "".join(f"<p>{p}</p>" for p in STRIKE)
        + "</article><footer><p>Herald, 1 Harbour Road</p></footer></body></html>"
    ).encode()
    for name in ("real", "moved", "amp"):
        feed_server.add(f"/{name}.html", Route(article, headers=html))
    pages = {
        "refresh": _shell(
            '<meta http-equiv="refresh" content="0; url=/real.html">',
            '<p>If you are not redirected automatically, <a href="/real.html">follow this '
            "link</a>.</p>",
        ),
        "script": _shell(
            '<script>window.location.replace("/moved.html");</script>',
            "<p>Redirecting you to the article&hellip;</p>",
        ),
        "shell": _shell(
            f'<link rel="amphtml" href="{feed_server.base}/amp.html">'
            '<link rel="canonical" href="/shell.html">',
            '<div id="root"><div class="spinner">Loading…</div></div>'
            '<script src="/app.js"></script>'
            "<noscript>You need to enable JavaScript to run this app.</noscript>",
        ),
        "empty": _shell(
            '<script src="/app.js"></script>',
            '<div id="root">Loading…</div><noscript>Bitte aktivieren Sie JavaScript.</noscript>',
        ),
    }
    items = []
    for name, page in pages.items():
        url = feed_server.add(f"/{name}.html", Route(page, headers=html))
        summary = f"Summary of {name}: dock workers walked out for a third week."
        items.append(
            f"<title>{name}</title><link>{url}</link><guid>{name}</guid>"
            f"<description>{summary}</description>"
        )
    feed_url = feed_server.add("/feed.xml", Route(rss(*items)))
    results, store, poller = await poll(
        tmp_path, now, Source("Herald", url=feed_url, full_text=True)
    )
    try:
        stored = {a.title: a for a in (store.get(i) for i in results["Herald"].new_ids) if a}
        for name in ("refresh", "script", "shell"):
            assert (store.text(stored[name].id) or "").split("\n\n") == STRIKE, name
        empty = stored["empty"]
        assert store.text(empty.id) is None
        assert empty.summary.startswith("Summary of empty")
        assert empty.id in poller._pages_failed  # (tried again after its wait)
    finally:
        store.close()


async def test_local_source_error_is_reported(tmp_path: Path, now: datetime) -> None:
    results, store, _ = await poll(
        tmp_path, now, Source("Gone", path=str(tmp_path / "no.txt"), kind="file")
    )
    store.close()
    assert results["Gone"].status == "error" and "no such file" in (results["Gone"].error or "")


async def test_drip_bomb_and_empty_body_put_sources_in_error_with_no_items(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    drip = feed_server.add("/drip.xml", Route(rss("<title>x</title>") * 20, drip=0.1))
    bomb = feed_server.add("/bomb.xml", Route(b"<rss>" + b" " * 30_000_000, gzip=True))
    empty = feed_server.add("/empty.xml", Route(b"", headers={"Content-Type": "text/xml"}))
    good = feed_server.add("/good.xml", Route(rss("<title>Survivor</title><guid>g</guid>")))
    started = time.monotonic()
    results, store, poller = await poll(
        tmp_path,
        now,
        Source("Drip", url=drip),
        Source("Bomb", url=bomb),
        Source("Empty", url=empty),
        Source("Good", url=good),
        deadline=1.0,
    )
    try:
        assert time.monotonic() - started < 4.0  # the drip does not hold the cycle
        assert "within 1s" in (results["Drip"].error or "")
        assert "larger than" in (results["Bomb"].error or "")
        assert "empty" in (results["Empty"].error or "").lower()
        assert [a.title for a in store.query()] == ["Survivor"]
        assert {n: h.status for n, h in HealthBook(tmp_path / "data").load().items()} == {
            "Drip": "error",
            "Bomb": "error",
            "Empty": "error",
            "Good": "ok",
        }
    finally:
        store.close()


@pytest.mark.parametrize(("per_host", "expected_max"), [(None, 6), (2, 2)])
async def test_per_host_cap(
    tmp_path: Path,
    now: datetime,
    feed_server: FeedServer,
    per_host: int | None,
    expected_max: int,
) -> None:
    """Loopback hosts are capped only by `concurrency` unless `per_host` is set."""
    sources = [
        Source(
            f"S{i}", url=feed_server.add(f"/{i}.xml", Route(rss(f"<title>{i}</title>"), delay=0.3))
        )
        for i in range(12)
    ]
    config = config_for(tmp_path, *sources)
    config.settings.concurrency = 6
    config.settings.per_host = per_host
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: now)
    try:
        results = await poller.poll()
    finally:
        await poller.aclose()
        store.close()
    assert all(r.status == "ok" for r in results)
    assert feed_server.load["max"] == expected_max


async def test_a_poll_fetches_no_further_ahead_of_its_parser_than_a_few_bodies_a_slot(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the parser is behind the network, a poll of many feeds stops fetching once
    UNPARSED_PER_SLOT bodies per request slot are fetched or on their way and not parsed,
    rather than holding every feed's body for the parser; every feed is still stored."""
    import threading

    from fetchers import parsepool
    from fetchers.http import FetchResult

    feeds = 60
    urls = [
        feed_server.add(f"/{n}.xml", Route(rss(f"<title>Story {n}</title><guid>{n}</guid>")))
        for n in range(feeds)
    ]
    fetched_all = threading.Event()
    held = {"now": 0, "most": 0, "fetched": 0}

    def slow_parse(deadline: float, *args: object) -> parsepool.ParsedSource:
        fetched_all.wait(0.05)  # the parser is behind until every feed is fetched
        return parsepool.parse_within(deadline, *args)

    class Counting(Poller):
        async def _limited_fetch(
            self,
            url: str,
            etag: str | None = None,
            last_modified: str | None = None,
            accept: str | None = None,
        ) -> FetchResult:
            result = await super()._limited_fetch(url, etag, last_modified, accept)
            held["fetched"] += 1
            held["now"] += 1
            held["most"] = max(held["most"], held["now"])
            if held["fetched"] == feeds:
                fetched_all.set()
            return result

        async def _parse(self, source: Source, result: FetchResult) -> parsepool.ParsedSource:
            try:
                return await super()._parse(source, result)
            finally:
                held["now"] -= 1

    monkeypatch.setattr(poller_module, "parse_within", slow_parse)
    store = Store(tmp_path / "data", writer=True)
    sources = [Source(f"S{n}", url=url) for n, url in enumerate(urls)]
    config = config_for(tmp_path, *sources)
    poller = Counting(config, store, lambda: now)
    try:
        results = await poller.poll()
    finally:
        await poller.aclose()
    try:
        assert [r.status for r in results] == ["ok"] * feeds and len(store) == feeds
        bound = poller_module.UNPARSED_PER_SLOT * config.settings.concurrency
        assert held["most"] <= bound < feeds  # every body at once without the bound
    finally:
        store.close()


def test_public_hosts_get_two_in_flight_by_default() -> None:
    settings = Settings(concurrency=32)
    assert host_cap("news.example.com", settings) == 2
    assert host_cap("127.0.0.1", settings) == host_cap("192.168.1.5", settings) == 32
    assert host_cap("localhost", Settings(concurrency=8, per_host=3)) == 3


garbage_feeds = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.builds(
        lambda title, date, guid, body, cut: rss(
            f"<title>{title}</title><pubDate>{date}</pubDate><guid>{guid}</guid>"
            f"<description>{body}</description>"
        )[:cut],
        st.text(max_size=40),
        st.text(max_size=30),
        st.text(max_size=20),
        st.text(max_size=80),
        st.integers(min_value=0, max_value=600),
    ),
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(body=garbage_feeds, content_type=st.sampled_from(["text/xml", "text/html", "", "x/y"]))
def test_garbage_never_raises_out_of_the_poller(
    tmp_path: Path,
    now: datetime,
    feed_server: FeedServer,
    caplog: pytest.LogCaptureFixture,
    body: bytes,
    content_type: str,
) -> None:
    caplog.clear()
    url = feed_server.add("/garbage", Route(body, headers={"Content-Type": content_type}))
    config = config_for(tmp_path, Source("G", url=url))
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: now)

    async def once() -> list[PollResult]:
        try:
            return await poller.poll()
        finally:
            await poller.aclose()

    try:
        (result,) = asyncio.run(once())
        assert result.status in ("ok", "error")
        assert result.status == "ok" or (result.error and not result.new_ids)
        assert not [r for r in caplog.records if "unexpected failure" in r.getMessage()]
        for article in store.query():
            assert article.title and "\x1b" not in article.title
    finally:
        store.close()


async def test_a_dead_parser_process_falls_back_to_threads(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    from concurrent.futures.process import BrokenProcessPool

    class DeadPool:
        async def run(self, *args: object) -> object:
            raise BrokenProcessPool("killed")

    url = feed_server.add("/f.xml", Route(rss("<title>Still here</title><guid>1</guid>")))
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config_for(tmp_path, Source("F", url=url)), store, lambda: now)
    poller.parse_pool = DeadPool()  # type: ignore[assignment]
    try:
        (result,) = await poller.poll()
    finally:
        await poller.aclose()
        store.close()
    assert result.status == "ok" and len(result.new_ids) == 1
    assert poller.parse_pool is None


async def test_malformed_urls_are_fetch_errors_not_crashes() -> None:
    client = make_client(None, 4, 2.0)
    try:
        for url, reason in (
            ("http://[::1", "not a valid URL"),
            ("http://127.0.0.1:99999/", "not a valid URL"),
            ("ftp://example.org/feed", "not an http or https URL"),
        ):
            with pytest.raises(FetchError, match=reason):
                await fetch(client, url, deadline=2.0, max_body=1000)
    finally:
        await client.aclose()


def _alive(kind: type, source: str) -> int:
    """How many objects of `kind` for `source` this process still holds."""
    return sum(
        1
        for o in gc.get_objects()
        if type(o) is kind and (o.source if kind is Article else o.record.source) == source  # type: ignore[attr-defined]
    )


async def test_a_sources_articles_are_stored_and_released_while_others_are_still_out(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll of thousands of feeds holds only the articles not yet written: once a source's
    articles are stored, neither they nor their staged documents stay for the rest of the
    cycle. The second source answers only after the first one's write."""
    monkeypatch.setattr(poller_module, "FLUSH_AFTER", 0.0)  # write each answer at once
    items = [
        f"<title>Story {n}</title><guid>{n}</guid><description>Body {n}</description>"
        for n in range(40)
    ]
    early = feed_server.add("/early.xml", Route(rss(*items)))
    late = feed_server.add("/late.xml", Route(rss("<title>Late</title><guid>l</guid>")))
    written = asyncio.Event()
    seen: dict[str, tuple[int, int, int]] = {}

    class Gated(Poller):
        def _write(
            self, waiting: list[tuple[PollResult, list[StagedArticle]]]
        ) -> tuple[list[str], set[str], bool]:
            ids = super()._write(waiting)
            loop.call_soon_threadsafe(written.set)
            return ids

        async def _poll_one(self, source: Source) -> PollResult:
            if source.name == "Late":
                await written.wait()
            return await super()._poll_one(source)

    def answered(result: PollResult) -> None:
        if result.source == "Late":  # the early source's write is done by now
            seen["early"] = (
                len(store.query()),
                _alive(Article, "Early"),
                _alive(StagedArticle, "Early"),
            )

    loop = asyncio.get_running_loop()
    store = Store(tmp_path / "data", writer=True)
    sources = (Source("Early", url=early), Source("Late", url=late))
    poller = Gated(config_for(tmp_path, *sources), store, lambda: now)
    poller.on_answer = answered
    try:
        results = {r.source: r for r in await poller.poll()}
    finally:
        await poller.aclose()
    try:
        assert seen["early"][0] == 40  # stored while the other source was still out ...
        assert seen["early"][1:] == (0, 0)  # ... and no longer held by the poll
        assert (results["Early"].items, len(results["Early"].new_ids)) == (40, 40)
        assert len(store) == 41
    finally:
        store.close()


async def test_a_poll_writes_once_enough_articles_wait_however_soon(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Articles waiting for slower sources are written once FLUSH_ARTICLES of them wait, not
    only after FLUSH_AFTER seconds: a fast server's thousands of feeds never pile up."""
    monkeypatch.setattr(poller_module, "FLUSH_AFTER", 3600.0)
    monkeypatch.setattr(poller_module, "FLUSH_ARTICLES", 30)
    items = [f"<title>Story {n}</title><guid>{n}</guid>" for n in range(20)]
    urls = [feed_server.add(f"/{name}.xml", Route(rss(*items))) for name in ("a", "b", "c")]
    written = asyncio.Event()
    stored_before: list[int] = []

    class Gated(Poller):
        def _write(
            self, waiting: list[tuple[PollResult, list[StagedArticle]]]
        ) -> tuple[list[str], set[str], bool]:
            ids = super()._write(waiting)
            loop.call_soon_threadsafe(written.set)
            return ids

        async def _poll_one(self, source: Source) -> PollResult:
            if source.name == "C":  # answers after the first write (or, without one, later)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(written.wait(), 10.0)
                stored_before.append(len(self.store))
            return await super()._poll_one(source)

    loop = asyncio.get_running_loop()
    store = Store(tmp_path / "data", writer=True)
    sources = [Source(name, url=url) for name, url in zip("ABC", urls, strict=True)]
    poller = Gated(config_for(tmp_path, *sources), store, lambda: now)
    try:
        await poller.poll()
    finally:
        await poller.aclose()
    try:
        assert stored_before == [40]  # A and B, written before C answered
        assert len(store) == 60
    finally:
        store.close()


async def test_the_parser_makes_the_search_words_of_a_source_read_for_the_first_time(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A source read for the first time (all it gives is new: a first refresh's thousands
    of articles) has its articles' words for the search index made where it is parsed, so
    the writer's search thread makes none, and the index holds what it would have made. A
    source read before has the words of its few new articles made by the index."""
    items = [
        f"<title>Zürich  talks, day {n}</title><guid>{n}</guid>"
        f"<description>U.S.–China: tariffs &amp; rates {n}</description>"
        for n in range(30)
    ]
    url = feed_server.add("/wire.xml", Route(rss(*items)))
    made_in: list[str] = []
    make = indexedtext.indexed_words

    def counted(*words: Any) -> tuple[str, str]:
        made_in.append(threading.current_thread().name.split("_")[0])
        return make(*words)

    monkeypatch.setattr(indexedtext, "indexed_words", counted)  # where the parser makes them
    monkeypatch.setattr(search, "indexed_words", counted)  # where the index makes them
    source = Source("Wire", url=url)
    results, poller = await poll_once(tmp_path, now, source)
    assert len(results["Wire"].new_ids) == 30
    assert made_in == ["parse"] * 30  # the parser's threads here; its process in a refresh
    made_in.clear()
    feed_server.add("/wire.xml", Route(rss("<title>Seoul summit</title><guid>new</guid>", *items)))
    results, _ = await poll_once(tmp_path, now, source)  # the health of the first poll kept
    assert len(results["Wire"].new_ids) == 1
    assert made_in == ["search"]
    held = _indexed(tmp_path / "data")
    for name in ("search.sqlite", "search.sqlite-wal", "search.sqlite-shm"):
        (tmp_path / "data" / name).unlink(missing_ok=True)
    with Store(tmp_path / "data", writer=True) as store:
        assert store.update_search_index() == 31  # built afresh, every word made here
    assert _indexed(tmp_path / "data") == held


def _indexed(folder: Path) -> set[tuple[str, str, str]]:
    """What the search index holds: each article id with its title and body as indexed."""
    with contextlib.closing(sqlite3.connect(folder / "search.sqlite")) as db:
        rows = db.execute(
            "SELECT arts.id, docs.title, docs.body FROM docs JOIN arts ON arts.rowid = docs.rowid"
        )
        return set(rows.fetchall())


async def test_a_moved_feed_whose_new_address_fails_is_asked_at_the_configs_again(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """The site moves its feed a second time: the address remembered from the first 301
    answers 404, so the config's address is asked, and where it leads now is remembered."""
    old = feed_server.add("/site-feed", Route(status=301, headers={"Location": "/mid.xml"}))
    mid = feed_server.add("/mid.xml", Route(rss("<title>One</title><guid>1</guid>")))
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config_for(tmp_path, Source("Site", url=old)), store, lambda: now)
    try:
        (first,) = await poller.poll()
        assert first.status == "ok" and poller.health["Site"].permanent_url == mid
        # a passing failure (503), or the config's address failing too, forgets nothing
        feed_server.add("/mid.xml", Route(b"busy", status=503))
        poller.health["Site"].next_poll = None
        (busy,) = await poller.poll()
        assert busy.status == "error" and poller.health["Site"].permanent_url == mid
        feed_server.add("/mid.xml", Route(b"gone", status=404))
        feed_server.add("/site-feed", Route(b"down", status=500))
        poller.health["Site"].next_poll = None
        (down,) = await poller.poll()
        assert down.status == "error" and "404" in (down.error or "")
        assert poller.health["Site"].permanent_url == mid
        final = feed_server.add("/final.xml", Route(rss("<title>Two</title><guid>2</guid>")))
        feed_server.add("/site-feed", Route(status=301, headers={"Location": "/final.xml"}))
        feed_server.add("/mid.xml", Route(b"gone", status=404))
        poller.health["Site"].next_poll = None
        (second,) = await poller.poll()
        assert second.status == "ok" and len(second.new_ids) == 1
        assert poller.health["Site"].permanent_url == final
    finally:
        await poller.aclose()
        store.close()


async def test_a_reloaded_config_polls_with_its_new_user_agent_and_timeout(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """SIGHUP's config takes a new client when its timeout, User-Agent or concurrency
    changed: the next poll's requests say the new User-Agent."""
    url = feed_server.add("/feed.xml", Route(rss("<title>One</title><guid>1</guid>")))
    config = config_for(tmp_path, Source("Feed", url=url))
    config.settings.user_agent = "old-agent/1"
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: now)
    try:
        await poller.poll()
        again = config_for(tmp_path, Source("Feed", url=url), timeout=20.0)
        again.settings.user_agent = "new-agent/2"
        poller.reconfigure(again)
        poller.health["Feed"].next_poll = None
        await poller.poll()
        agents = [hit.get("User-Agent") for hit in feed_server.hits["/feed.xml"]]
        assert agents == ["old-agent/1", "new-agent/2"]
        client = await poller.open_client()
        assert client.timeout.read == 20.0
    finally:
        await poller.aclose()
        store.close()


async def test_a_cycle_stopped_midway_keeps_the_health_of_what_it_wrote(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGTERM while one source still hangs: the other's articles are written, and its
    health is saved with them (it said "pending, never" beside its stored articles)."""
    monkeypatch.setattr(poller_module, "FLUSH_AFTER", 0.2)
    fast = feed_server.add("/fast.xml", Route(rss("<title>One</title><guid>1</guid>")))
    slow = feed_server.add("/slow.xml", Route(rss("<title>Two</title><guid>2</guid>"), delay=30))
    data = tmp_path / "data"
    store = Store(data, writer=True)
    config = config_for(tmp_path, Source("Fast", url=fast), Source("Slow", url=slow), timeout=60)
    poller = Poller(config, store, lambda: now, health=HealthBook(data))
    try:
        cycle = asyncio.create_task(poller.poll())
        for _ in range(100):
            if store.query():
                break
            await asyncio.sleep(0.05)
        assert [a.title for a in store.query()] == ["One"]
        cycle.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await cycle
    finally:
        await poller.aclose()
        store.close()
    saved = HealthBook(data).load()
    assert saved["Fast"].status == "ok" and saved["Fast"].last_ok is not None


async def test_a_stopped_cycle_saves_the_health_off_the_event_loop_even_when_stopped_again(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The health a stop saves waits for the store (and may try the writer lock again): it
    held the event loop meanwhile (a dashboard's screen, as it quits, froze). Saved in a
    thread, it is still saved whole when the stop comes twice."""
    monkeypatch.setattr(poller_module, "FLUSH_AFTER", 0.2)
    fast = feed_server.add("/fast.xml", Route(rss("<title>One</title><guid>1</guid>")))
    slow = feed_server.add("/slow.xml", Route(rss("<title>Two</title><guid>2</guid>"), delay=30))
    data = tmp_path / "data"
    store = Store(data, writer=True)
    config = config_for(tmp_path, Source("Fast", url=fast), Source("Slow", url=slow), timeout=60)
    book = HealthBook(data)
    poller = Poller(config, store, lambda: now, health=book)
    saving, go_on = threading.Event(), threading.Event()
    loop_free = []  # whether the event loop ran on while the save waited
    save = book.save

    def save_slowly(*args: Any, **kwargs: Any) -> None:
        saving.set()
        loop_free.append(go_on.wait(30))  # (the test sets it from the event loop)
        save(*args, **kwargs)

    try:
        cycle = asyncio.create_task(poller.poll())
        for _ in range(100):
            if store.query():
                break
            await asyncio.sleep(0.05)
        monkeypatch.setattr(book, "save", save_slowly)
        cycle.cancel()
        assert await asyncio.to_thread(saving.wait, 30)
        assert loop_free == []  # the save waits while the event loop runs on
        cycle.cancel()  # stopped again while it saves
        for _ in range(5):
            await asyncio.sleep(0)
        assert not cycle.done()  # it waits for the save
        go_on.set()
        with contextlib.suppress(asyncio.CancelledError):
            await cycle
        assert loop_free == [True]
        saved = HealthBook(data).load()  # as the stop left it
        assert saved["Fast"].status == "ok" and saved["Fast"].last_ok is not None
    finally:
        go_on.set()
        await poller.aclose()
        store.close()


async def test_a_document_cut_off_is_asked_for_whole_at_the_next_poll(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed whose bytes stopped after its first item gives that item and says it was cut
    off; its ETag is not kept, so the next poll gets the whole document rather than a 304
    that would hold back the rest for good."""
    whole = rss(
        "<title>First</title><guid>1</guid>", "<title>Second: talks collapse</title><guid>2</guid>"
    )
    cut = whole[: whole.index(b"<item>", whole.index(b"</item>"))]
    route = Route(cut, etag='"f1"')
    url = feed_server.add("/cut.xml", route)
    source = Source("Cut", url=url)
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    results, _ = await poll_once(tmp_path, now, source)
    assert [len(results["Cut"].new_ids), results["Cut"].warnings] == [1, 1]
    assert "document cut off" in "; ".join(results["Cut"].warning_notes)
    route.body = whole  # the same ETag: a client sending it would be told "not modified"
    results, _ = await poll_once(tmp_path, now + timedelta(minutes=20), source)
    assert results["Cut"].status == "ok" and len(results["Cut"].new_ids) == 1
    assert "If-None-Match" not in feed_server.hits["/cut.xml"][1]


async def test_a_gzip_body_of_several_members_is_read_whole(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Two gzip members one after the other are one body (the first alone was read: the
    feed looked cut off)."""
    document = rss("<title>First</title><guid>1</guid>", "<title>Second</title><guid>2</guid>")
    half = len(document) // 2
    body = gzip.compress(document[:half]) + gzip.compress(document[half:])
    url = feed_server.add("/two.xml", Route(body, headers={"Content-Encoding": "gzip"}))
    results, _ = await poll_once(
        tmp_path, datetime(2025, 10, 24, tzinfo=UTC), Source("Two", url=url)
    )
    assert len(results["Two"].new_ids) == 2 and results["Two"].warnings == 0


async def _czech_page_text(
    tmp_path: Path, now: datetime, feed_server: FeedServer, page: bytes, name: str
) -> str:
    """The full text stored of a page served as `page` under a windows-1250 source."""
    page_url = feed_server.add(f"/{name}.html", Route(page, headers={"Content-Type": "text/html"}))
    feed = rss(f"<title>Řeč předsedy</title><link>{page_url}</link><guid>1</guid>")
    feed_url = feed_server.add(f"/{name}.xml", Route(feed.replace(b'encoding="utf-8"', b"")))
    results, store, _ = await poll(
        tmp_path, now, Source("CZ", url=feed_url, full_text=True, charset="cp1250")
    )
    try:
        (ident,) = results["CZ"].new_ids
        return store.text(ident) or ""
    finally:
        store.close()


_CZECH = "Předseda vlády řekl v pátek, že jednání o clech zůstávají obtížná. " * 4


async def test_a_sources_charset_reads_its_pages_too(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A source whose config names windows-1250 has its article pages read in it as its feed
    is (the page, declaring nothing, came out "Pøedseda vlády øekl")."""
    page = f"<html><body><article><p>{_CZECH}</p><p>{_CZECH}</p></article></body></html>"
    text = await _czech_page_text(tmp_path, now, feed_server, page.encode("cp1250"), "clo")
    assert text.startswith("Předseda vlády řekl v pátek")


async def test_a_live_pages_next_update_under_its_link_is_a_new_article(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A live page's feed gives each update a guid of its own, all linking to the page: the
    next poll stores the new update (it said "0 new of 2", as newsboat does not)."""
    first = (
        "<title>Update one</title><link>http://example.com/live</link>"
        '<guid isPermaLink="false">u1</guid>'
    )
    route = Route(rss(first))
    url = feed_server.add("/live.xml", route)
    source = Source("Live", url=url)
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    results, _ = await poll_once(tmp_path, now, source)
    assert len(results["Live"].new_ids) == 1
    route.body = rss(
        "<title>Update two: talks collapse</title><link>http://example.com/live</link>"
        '<guid isPermaLink="false">u2</guid>',
        first,
    )
    results, _ = await poll_once(tmp_path, now + timedelta(minutes=20), source)
    assert len(results["Live"].new_ids) == 1
    with Store(tmp_path / "data") as store:
        titles = sorted(store.get(i).title for i in store.query_ids())  # type: ignore[union-attr]
    assert titles == ["Update one", "Update two: talks collapse"]


async def test_an_item_without_a_guid_whose_link_is_stamped_anew_is_one_article(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed without guids that stamps its links with the day's campaign at each fetch
    (`utm_*`, `fbclid`) stored its whole feed again at every poll; the link less those
    parameters is what the item is known by, and what is stored and opened."""

    def feed(stamp: str) -> bytes:
        return rss(
            "<title>Talks stall</title>"
            f"<link>http://example.com/talks?id=7&amp;utm_campaign={stamp}&amp;UTM_Medium=rss</link>",
            f"<title>Summit opens</title><link>http://example.com/summit?fbclid={stamp}#top</link>",
        )

    route = Route(feed("mon"))
    source = Source("Stamped", url=feed_server.add("/stamped.xml", route))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    results, _ = await poll_once(tmp_path, now, source)
    assert len(results["Stamped"].new_ids) == 2
    route.body = feed("tue")
    results, _ = await poll_once(tmp_path, now + timedelta(days=1), source)
    assert results["Stamped"].new_ids == []
    with Store(tmp_path / "data") as store:
        links = sorted(store.get(i).link for i in store.query_ids())  # type: ignore[union-attr]
    assert links == ["http://example.com/summit#top", "http://example.com/talks?id=7"]


async def test_identity_beside_gzip_in_content_encoding_is_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`Content-Encoding: gzip, identity` is gzip (it was refused as an unsupported
    encoding)."""
    body = gzip.compress(rss("<title>Zipped</title><guid>1</guid>"))
    url = feed_server.add("/gi.xml", Route(body, headers={"Content-Encoding": "gzip, identity"}))
    results, _ = await poll_once(tmp_path, datetime(2025, 10, 24, tzinfo=UTC), Source("G", url=url))
    assert results["G"].status == "ok" and len(results["G"].new_ids) == 1


async def test_a_source_renamed_in_the_config_stores_none_of_its_items_again(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Renaming a source kept its address: every item of its feed was stored again under the
    new name (and fired its alerts again). The renamed source takes the old one's health and
    the name its articles' ids were made under; only items new to the feed are new."""
    items = ["<title>One</title><guid>1</guid>", "<title>Two</title><guid>2</guid>"]
    route = Route(rss(*items))
    url = feed_server.add("/renamed.xml", route)
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    results, _ = await poll_once(tmp_path, now, Source("Yonhap", url=url))
    assert len(results["Yonhap"].new_ids) == 2
    route.body = rss("<title>Three</title><guid>3</guid>", *items)
    later = now + timedelta(minutes=20)
    results, poller = await poll_once(tmp_path, later, Source("Yonhap English", url=url))
    assert len(results["Yonhap English"].new_ids) == 1
    assert "Yonhap" not in poller.health and poller.health["Yonhap English"].known_as == "Yonhap"
    with Store(tmp_path / "data") as store:
        (new,) = results["Yonhap English"].new_ids
        assert len(store) == 3 and store.get(new).source == "Yonhap English"  # type: ignore[union-attr]
    results, _ = await poll_once(  # and so at every poll after
        tmp_path, later + timedelta(minutes=20), Source("Yonhap English", url=url)
    )
    assert results["Yonhap English"].new_ids == []


async def test_a_health_file_with_fields_of_the_wrong_type_polls_on(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """sources.json edited by hand or damaged (a number for an ETag or the moved address, a
    list for the failures, a time that is none): each such field is as if it were not there
    (every poll cycle of a source with a number for its moved address failed with a
    TypeError, for good)."""
    urls = {
        name: feed_server.add(f"/{name}.xml", Route(rss(f"<title>{name}</title><guid>1</guid>")))
        for name in ("H", "I")
    }
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "sources.json").write_bytes(
        json.dumps(
            {
                "H": {"name": "H", "url": urls["H"], "etag": 7, "permanent_url": 7},
                "I": {
                    "name": "I", "url": urls["I"], "failures": ["q"], "last_modified": {"a": 1},
                    "next_poll": "soon", "last_ok": 5, "status": "great", "items": "many",
                },
                "Broken": {"name": ["q"]},
            }
        ).encode()
    )  # fmt: skip
    sources = [Source(name, url=url) for name, url in urls.items()]
    results, poller = await poll_once(tmp_path, now, *sources)
    assert [(results[n].status, len(results[n].new_ids)) for n in "HI"] == [("ok", 1), ("ok", 1)]
    assert poller.health["I"].failures == 0


def test_gzip_members_one_after_another_stay_within_the_size_limit() -> None:
    """A small member that fills the limit, then a bomb: refused at the limit (the next
    member was inflated with no limit at all, 200 MB from 194 KB)."""
    from fetchers.http import _Inflater

    inflater = _Inflater("gzip", 1000)
    with pytest.raises(FetchError, match="larger than"):
        inflater.feed(gzip.compress(b"a" * 1001) + gzip.compress(b"\0" * 20_000_000))
    assert len(inflater.out) <= 1001


async def test_a_page_that_names_its_charset_is_read_in_it_whatever_its_source_says(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A source's charset is for its pages that name none: one saying UTF-8, with a stray
    byte, came out "PĹ™edseda" under a windows-1250 source."""
    page = (
        f'<html><head><meta charset="utf-8"></head><body><article><p>{_CZECH}</p>'
        f"<p>{_CZECH}</p></article></body></html>"
    ).encode() + b"\x92"
    text = await _czech_page_text(tmp_path, now, feed_server, page, "u8")
    assert text.startswith("Předseda vlády řekl v pátek")


async def test_a_page_naming_a_charset_any_bytes_read_in_is_read_in_its_sources(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A page naming ISO-8859-1 (a charset every byte reads in) says nothing of its bytes:
    under a windows-1250 source, a Czech page that named it came out "Pøedseda"."""
    page = (
        f'<html><head><meta charset="iso-8859-1"></head><body><article><p>{_CZECH}</p>'
        f"<p>{_CZECH}</p></article></body></html>"
    ).encode("cp1250")
    text = await _czech_page_text(tmp_path, now, feed_server, page, "latin")
    assert text.startswith("Předseda vlády řekl v pátek")


async def test_a_source_renamed_twice_keeps_the_name_its_ids_were_first_made_under(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Renamed, then renamed again: the health of the name before is still kept beside (a
    database keeps every source's); the one polled last is the one renamed, and its items
    are not stored again (the second rename found two and gave up)."""
    url = feed_server.add("/twice.xml", Route(rss("<title>One</title><guid>1</guid>")))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    for minutes, name in ((0, "A"), (20, "B")):
        await poll_once(tmp_path, now + timedelta(minutes=minutes), Source(name, url=url))
    kept = json.loads((tmp_path / "data" / "sources.json").read_text())
    kept["A"] = {
        "name": "A",
        "url": url,
        "last_polled": "2025-10-24T08:00:00Z",
    }  # as a database keeps it
    (tmp_path / "data" / "sources.json").write_text(json.dumps(kept))
    results, poller = await poll_once(tmp_path, now + timedelta(minutes=40), Source("C", url=url))
    assert results["C"].new_ids == [] and poller.health["C"].known_as == "A"


async def _cycle(tmp_path: Path, now: datetime, *sources: Source, retention: int = 30) -> dict:
    """One newsroom cycle of these sources over the store in tmp_path/data (renames done
    first, as every front end runs it): each source's new articles' titles."""
    from fetchers.newsroom import Newsroom

    config = config_for(tmp_path, *sources)
    config.settings.retention_days = retention
    with Store(tmp_path / "data", writer=True) as store:
        newsroom = Newsroom(config, store, tmp_path / "data", lambda: now)
        try:
            cycle = await newsroom.cycle()
        finally:
            await newsroom.aclose()
        return {r.source: sorted(a.title for a in store.records(r.new_ids)) for r in cycle.results}


def _by_source(tmp_path: Path) -> list[tuple[str, str]]:
    with Store(tmp_path / "data") as store:
        return sorted((r.source, r.title) for r in store.records(store.query_ids()))


async def test_a_source_renamed_to_a_name_another_address_had_is_a_rename(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A name the config gave another address before (a source removed and its name given
    to the one renamed, a name given to a new feed as its feed is renamed, two names
    swapped) kept the rename from being seen: the feed was stored again, its alerts fired
    again, and its old copies kept the old name. The source at the address is the renamed
    one, whatever health its new name had."""
    a = feed_server.add("/a.xml", Route(rss("<title>Tariff talks</title><guid>a1</guid>")))
    b = feed_server.add("/b.xml", Route(rss("<title>Louvre heist</title><guid>b1</guid>")))
    now = datetime(2025, 10, 20, 8, tzinfo=UTC)
    new = await _cycle(tmp_path, now, Source("Reuters", url=a), Source("Via Google", url=b))
    assert new == {"Reuters": ["Tariff talks"], "Via Google": ["Louvre heist"]}
    # the names swapped in one edit
    new = await _cycle(tmp_path, now + timedelta(minutes=10), Source("Via Google", url=a),
                       Source("Reuters", url=b))  # fmt: skip
    assert new == {"Via Google": [], "Reuters": []}
    assert _by_source(tmp_path) == [("Reuters", "Louvre heist"), ("Via Google", "Tariff talks")]
    # one removed, its name given to the other
    new = await _cycle(tmp_path, now + timedelta(minutes=20), Source("Via Google", url=b))
    assert new == {"Via Google": []}
    assert _by_source(tmp_path) == [("Via Google", "Louvre heist"), ("Via Google", "Tariff talks")]
    # renamed, its old name given to a new feed
    c = feed_server.add("/c.xml", Route(rss("<title>Quake hits</title><guid>c1</guid>")))
    new = await _cycle(tmp_path, now + timedelta(minutes=30), Source("BBC", url=b),
                       Source("Via Google", url=c))  # fmt: skip
    assert new == {"BBC": [], "Via Google": ["Quake hits"]}


async def test_a_source_whose_address_changed_keeps_its_ids_and_what_it_listed(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A renamed source given another address made its ids under its new name (a revised
    headline was stored again as a new article); one whose address changed forgot what its
    feed listed (items retention had dropped came back as new)."""
    item = "<title>{}</title><guid>i1</guid><pubDate>Mon, 20 Oct 2025 07:00:00 GMT</pubDate>"
    one = feed_server.add("/one.xml", Route(rss(item.format("Tariff talks stall"))))
    two = feed_server.add(
        "/two.xml", Route(rss(item.format("Tariff talks stall as deadline nears")))
    )
    now = datetime(2025, 10, 20, 8, tzinfo=UTC)
    await _cycle(tmp_path, now, Source("A", url=one))
    await _cycle(tmp_path, now + timedelta(minutes=10), Source("B", url=one))
    new = await _cycle(tmp_path, now + timedelta(minutes=20), Source("B", url=two))
    assert new == {"B": []}
    assert _by_source(tmp_path) == [("B", "Tariff talks stall as deadline nears")]
    # retention drops the day; the feed, moved to another address, still lists it
    later = now + timedelta(days=3)
    assert await _cycle(tmp_path, later, Source("B", url=two), retention=1) == {"B": []}
    assert _by_source(tmp_path) == []
    three = feed_server.add(
        "/three.xml", Route(rss(item.format("Tariff talks stall as deadline nears")))
    )
    new = await _cycle(tmp_path, later + timedelta(hours=1), Source("B", url=three), retention=1)
    assert new == {"B": []} and _by_source(tmp_path) == []


async def test_a_source_renamed_while_it_is_polled_leaves_no_health_under_its_old_name(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A reload that renamed a source while its fetch was on its way: the answer made its
    health again under the old name, and a rename back to that name later was taken for no
    rename (its articles kept the other name, two outlets in its stories). Its articles
    are stored under the new name (under the old one they kept it: the store's rename of
    the source's articles had been done, or was done before they came)."""
    route = Route(rss("<title>Talks</title><guid>1</guid>"), delay=0.5)
    url = feed_server.add("/slow.xml", route)
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(config_for(tmp_path, Source("Beta", url=url)), store, lambda: now)
        try:
            polling = asyncio.create_task(poller.poll())
            await asyncio.sleep(0.2)  # the request is out
            poller.reconfigure(config_for(tmp_path, Source("Beta Wire", url=url)))
            (result,) = await polling
            assert [a.source for a in store.query()] == ["Beta Wire"]
        finally:
            await poller.aclose()
    assert set(poller.health) == {"Beta Wire"} and result.source == "Beta Wire"


async def test_older_items_a_feed_lists_again_unchanged_are_not_counted_revised(
    open_store, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A store that knows a source's newest articles at a glance (PostgreSQL) stages the
    older ones a feed lists again: held unchanged, they were counted "10 revised" in
    `refresh` and `poll`, and their stories made again, though nothing was revised."""
    from fetchers.store.postgres import store as postgres_store

    # (the name the store reads: patched in `known`, it took only when this test was the
    # first to import the store, and stayed 5 for every later test of the process)
    monkeypatch.setattr(postgres_store, "PER_SOURCE", 5)
    items = [f"<title>Wire item {n}</title><guid>m{n}</guid>" for n in range(20)]
    route = Route(rss(*items))
    source = Source("Wire", url=feed_server.add("/wire.xml", route))
    clock = [datetime(2025, 10, 24, 10, tzinfo=UTC)]
    counts = []
    for listed in (items, items[:5], items[-10:]):
        route.body = rss(*listed)
        with open_store(writer=True) as store:
            poller = Poller(config_for(tmp_path, source), store, lambda: clock[0])
            try:
                (result,) = await poller.poll()
            finally:
                await poller.aclose()
        counts.append((len(result.new_ids), len(result.revised_ids)))
        clock[0] += timedelta(minutes=10)
    assert counts == [(20, 0), (0, 0), (0, 0)]


async def test_a_rename_under_way_is_not_taken_again_by_a_reload(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A reload while the store renamed a source's articles found the rename still to do
    and did it again next cycle (two names swapped twice are back where they were); one the
    store refused is done at the next cycle, or the next start."""
    url = feed_server.add("/r.xml", Route(rss("<title>Talks</title><guid>1</guid>")))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    await poll_once(tmp_path, now, Source("A", url=url))
    renamed = config_for(tmp_path, Source("B", url=url))
    with Store(tmp_path / "data", writer=True) as store:
        poller = Poller(renamed, store, lambda: now, health=HealthBook(tmp_path / "data"))
        try:
            assert poller.take_renames() == [("A", "B")]
            poller.reconfigure(renamed)  # a SIGHUP meanwhile
            assert poller.renames == []
            poller.renamed([("A", "B")], done=False)  # refused: kept for later
            assert poller.renames == [("A", "B")]
            assert poller.health["B"].renamed_from == "A"
        finally:
            await poller.aclose()


def test_a_source_taken_over_goes_on_from_health_of_its_own_address_only(
    tmp_path: Path,
) -> None:
    """Health another poller left under a name the config now gives another address (a
    name given to another feed, two names swapped) was taken as this source's: its ids made
    under the other's name, its validators sent to this address."""
    data = tmp_path / "data"
    book = HealthBook(data)
    theirs = [
        SourceHealth("A", "https://elsewhere.example/a", etag='"old"', known_as="Z"),
        SourceHealth("B", "https://b.example/feed", etag='"b1"'),
    ]
    data.mkdir()
    book.save({h.name: h for h in theirs})
    sources = [Source("A", url="https://a.example/feed"), Source("B", url="https://b.example/feed")]
    with Store(data, writer=True) as store:
        poller = Poller(
            config_for(tmp_path, *sources), store, lambda: datetime.now(UTC), health=book
        )
        poller.health["A"] = SourceHealth("A", "https://a.example/feed")
        poller._take_health({"A", "B"})
        assert (poller.health["A"].etag, poller.health["A"].known_as) == (None, "")
        assert poller.health["B"].etag == '"b1"'


@pytest.mark.parametrize("hanging", [1, 2])
async def test_a_hanging_source_holds_no_other_past_its_last_answer(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch, hanging: int
) -> None:
    """A running poller with sources that hang until their timeout: the cycle waited for
    them, and every other source's next poll, the cycle's alerts and stories, a config
    change and `r` with it. The cycle ends soon after the others answered; the hanging ones
    are answered in the first cycle after they end, no cycle waiting for them meanwhile (with
    two, every later cycle waited), their articles stored then, each polled once."""
    from fetchers.newsroom import Newsroom

    monkeypatch.setattr(poller_module, "STRAGGLERS_WAIT", 0.3)
    good = feed_server.add("/good.xml", Route(rss("<title>Fast</title><guid>f</guid>")))
    slow = [
        feed_server.add(
            f"/slow{n}.xml", Route(rss(f"<title>Late</title><guid>l{n}</guid>"), delay=4)
        )
        for n in range(hanging)
    ]
    config = config_for(
        tmp_path,
        Source("Good", url=good, interval=1.0),
        *(Source(f"Slow{n}", url=url, interval=1.0) for n, url in enumerate(slow)),
    )
    config.settings.timeout = 20.0
    cycles: list[tuple[float, list[str]]] = []
    started = time.monotonic()
    with Store(tmp_path / "data", writer=True) as store:
        room = Newsroom(config, store, tmp_path / "data", system_clock)
        room.on_cycle(
            lambda c: cycles.append((time.monotonic() - started, [r.source for r in c.results]))
        )
        stop = asyncio.Event()
        running = asyncio.create_task(room.run(stop, tick=0.1))
        try:
            for _ in range(200):
                answered = {s for _, sources in cycles for s in sources if s.startswith("Slow")}
                if len(answered) == hanging:
                    break
                await asyncio.sleep(0.05)
        finally:
            stop.set()
            await running
            await room.aclose()
        first_at, first = cycles[0]
        assert first == ["Good"] and first_at < 2.0  # not held the 4 s Slow took
        meanwhile = [at for at, sources in cycles[1:] if sources == ["Good"] and at < 3.5]
        assert len(meanwhile) >= 1  # polled again while they were out, no cycle held
        assert [a.title for a in store.query()].count("Late") == hanging
        assert all(len(feed_server.hits[f"/slow{n}.xml"]) == 1 for n in range(hanging))


async def test_a_rename_refused_keeps_its_sources_new_tags_for_when_it_is_done(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Renamed and given other tags in one edit, the rename refused by the store (a full
    disk): the retag looked for the articles under the new name, found none and was taken
    as done, so the articles kept their old tags for good once renamed."""
    from fetchers.newsroom import Newsroom
    from fetchers.store import StoreWriteError

    url = feed_server.add("/wire.xml", Route(rss("<title>One</title><guid>1</guid>")))
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        room = Newsroom(
            config_for(tmp_path, Source("Old", url=url, tags=["a"])), store, data, lambda: now
        )
        await room.cycle()
        await room.aclose()
    refuse = {"left": 1}
    real = Store.rename_sources

    def rename_once_refused(self: Store, names: dict[str, str]) -> list[str]:
        if refuse["left"]:
            refuse["left"] -= 1
            raise StoreWriteError("the disk is full", [])
        return real(self, names)

    monkeypatch.setattr(Store, "rename_sources", rename_once_refused)
    config = config_for(tmp_path, Source("New", url=url, tags=["b"]))
    with Store(data, writer=True) as store:
        room = Newsroom(config, store, data, lambda: now)
        try:
            await room.cycle()  # refused: the retag waits for it
            assert [(a.source, a.tags) for a in store.query()] == [("Old", ["a"])]
            await room.cycle()  # done: renamed, then retagged
            assert [(a.source, a.tags) for a in store.query()] == [("New", ["b"])]
        finally:
            await room.aclose()


async def test_a_refused_write_says_no_new_article_was_revised(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write the store refused (a full disk, the database gone) said every article it
    held back "revised": 30,000 new articles not stored read "30000 revised". Only an
    article stored before with other words is a revision; the new ones are neither."""
    from fetchers.store import StoreWriteError

    url = feed_server.add("/f.xml", Route(rss("<title>One</title><guid>1</guid>")))
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    store.close()
    assert len(results["F"].new_ids) == 1
    feed_server.routes["/f.xml"] = Route(
        rss(
            "<title>One, rewritten</title><guid>1</guid>",
            "<title>Two</title><guid>2</guid>",
            "<title>Three</title><guid>3</guid>",
        )
    )

    def refuse(self: Store, *args: object, **kwargs: object) -> list[str]:
        raise StoreWriteError("the disk is full", [])

    monkeypatch.setattr(Store, "add_staged", refuse)
    results, store, _ = await poll(tmp_path, now, Source("F", url=url))
    try:
        answer = results["F"]
        assert answer.status == "error" and "not stored" in (answer.error or "")
        assert answer.new_ids == [] and len(answer.revised_ids) == 1
        assert [a.title for a in store.query()] == ["One"]
    finally:
        store.close()


def _home_item(story: str) -> str:
    """An item without a guid linking to the site's home page, as every item of its feed; a
    story named `page:x` links to a page of its own."""
    page, _, name = story.rpartition(":")
    return f"<title>Story {name}</title><link>http://example.com/{page or 'home'}</link>"


async def _poll_listing(
    open_store, source: Source, route: Route, tmp_path: Path, when: datetime, *stories: str
) -> tuple[int, int]:
    """One poll of a feed listing these stories: (new, revised)."""
    route.body = rss(*(_home_item(story) for story in stories))
    with open_store(writer=True) as store:
        poller = Poller(config_for(tmp_path, source), store, lambda: when)
        try:
            (result,) = await poller.poll()
        finally:
            await poller.aclose()
    return len(result.new_ids), len(result.revised_ids)


def _titles(open_store) -> list[str]:
    with open_store() as store:
        return sorted(store.get(i).title for i in store.query_ids())


async def test_items_without_a_guid_sharing_a_link_are_each_stored_once_wherever_listed(
    open_store, feed_server: FeedServer, tmp_path: Path
) -> None:
    """Items without a guid that all link to the home page are told apart by their words,
    not by where the feed lists them: the first took the link's id and the others ids of
    their words, so a new item listed first took the stored first one's id and rewrote its
    headline ("0 new, 1 revised"), the one it displaced was dropped as its link's, and the
    next new one was never stored ("0 new of 4")."""
    route = Route()
    source = Source("Home", url=feed_server.add("/home.xml", route))
    when = datetime(2025, 10, 24, 8, tzinfo=UTC)
    counts = []
    for stories in (("A", "B"), ("C", "A", "B"), ("D", "C", "A", "B"), ("B", "A", "D", "C")):
        counts.append(await _poll_listing(open_store, source, route, tmp_path, when, *stories))
        when += timedelta(minutes=10)
    assert counts == [(2, 0), (1, 0), (1, 0), (0, 0)]
    assert _titles(open_store) == ["Story A", "Story B", "Story C", "Story D"]


async def test_an_item_alone_at_its_link_keeps_its_id_and_its_revisions(
    open_store, feed_server: FeedServer, tmp_path: Path
) -> None:
    """An item without a guid alone at its link keeps the link's id: what is stored under it
    is not stored again when another item comes to share the link, a changed headline is a
    revision, and one at a shared link (it cannot be told from a new item) a new article.
    One left alone at a link that others shared takes the link's id: it does not rewrite the
    article holding it into its own headline, and a new one is not dropped as the link's."""
    route = Route()
    source = Source("Home", url=feed_server.add("/home.xml", route))
    when = datetime(2025, 10, 24, 8, tzinfo=UTC)
    counts = []
    listings = (
        ("A", "talks:Talks"),
        ("A", "B", "talks:Talks", "desk:X", "desk:Y"),  # A as the link's first was stored
        ("C", "A", "B", "talks:Talks"),
        ("B", "talks:Talks"),  # B alone at the link A's id is made of
        ("A2", "C", "talks:Talks collapse"),
        ("desk:Z",),  # alone at a link two stored articles share
        ("E",),  # new, alone at the link whose own id A holds, which B, C and A2 share
        ("E",),  # (listed again: known)
    )
    for stories in listings:
        counts.append(await _poll_listing(open_store, source, route, tmp_path, when, *stories))
        when += timedelta(minutes=10)
    assert counts == [(2, 0), (3, 0), (1, 0), (0, 0), (1, 1), (1, 0), (1, 0), (0, 0)]
    assert _titles(open_store) == [
        *("Story A", "Story A2", "Story B", "Story C", "Story E", "Story Talks collapse"),
        *("Story X", "Story Y", "Story Z"),
    ]
    with open_store() as store:  # A was not rewritten into E ("0 new, 1 revised")
        (first,) = (i for i in store.query_ids() if store.get(i).title == "Story A")
        assert store.revisions(first) == []
    with open_store() as store:
        (talks,) = (i for i in store.query_ids() if store.get(i).title.startswith("Story Talks"))
        assert [r["title"] for r in store.revisions(talks)] == ["Story Talks"]


async def test_a_charset_named_for_a_source_reads_its_feed_whole_again(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """The fix the README gives for a feed in another charset than it says: `charset` set,
    every poll still sent the old ETag, the feed said "not modified", and the mojibake
    stayed until the feed itself changed."""
    body = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>hu</title>'
        + "<item><title>Az első hír a kormányről</title><guid>1</guid></item>".encode("cp1250")
        + b"</channel></rss>"
    )
    url = feed_server.add("/hu.xml", Route(body, etag='"v1"'))
    results, store, _ = await poll(tmp_path, now, Source("HU", url=url))
    (ident,) = results["HU"].new_ids
    assert store.get(ident).title != "Az első hír a kormányről"  # (read as windows-1252)
    store.close()
    later = now + timedelta(minutes=10)
    results, store, _ = await poll(tmp_path, later, Source("HU", url=url, charset="windows-1250"))
    try:
        assert results["HU"].status == "ok"
        assert "if-none-match" not in {k.lower() for k in feed_server.hits["/hu.xml"][-1]}
        assert store.get(ident).title == "Az első hír a kormányről"
    finally:
        store.close()
    # the charset named before its feed's health said which charset it was read in (a
    # wirewatch before that field): its validators go once too
    kept = json.loads((tmp_path / "data" / "sources.json").read_text())
    assert kept["HU"]["charset"] == "windows-1250" and kept["HU"]["etag"] == '"v1"'
    del kept["HU"]["charset"]
    (tmp_path / "data" / "sources.json").write_text(json.dumps(kept))
    results, store, _ = await poll(
        tmp_path, later + timedelta(minutes=10), Source("HU", url=url, charset="windows-1250")
    )
    store.close()
    assert results["HU"].status == "ok"
    assert "if-none-match" not in {k.lower() for k in feed_server.hits["/hu.xml"][-1]}


def _story_page(n: int) -> bytes:
    """An article page whose main text starts "Story n:"."""
    paragraph = f"Story {n}: the trade ministers met again in Gyeongju to settle the tariffs. " * 4
    page = f"<html><body><article><h1>Story {n}</h1><p>{paragraph}</p></article></body></html>"
    return page.encode()


def _refusing_text_appends(monkeypatch: pytest.MonkeyPatch) -> dict[str, bool]:
    """Make the store's full-text appends fail as on a full disk while `["refuse"]` holds."""
    from fetchers.store import texts

    refusing = {"refuse": True}
    real = texts.TextFiles.append

    def append(self: texts.TextFiles, *args: Any, **kwargs: Any) -> Any:
        if refusing["refuse"]:
            raise OSError(28, "No space left on device")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(texts.TextFiles, "append", append)
    return refusing


async def test_full_texts_the_store_refused_are_fetched_again_at_a_later_poll(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages whose texts a full disk (or a read-only text file) refused stayed fetched as far
    as a running poller knew: their articles kept their summaries until it was restarted.
    Once the disk takes writes again, a later poll fetches them again, not every poll
    while it does not (two sources refused in one poll wait no longer than one)."""
    pages = [feed_server.add(f"/story{n}.html", Route(_story_page(n))) for n in (1, 2)]
    feeds = [
        feed_server.add(f"/wire{n}.xml", Route(rss(f"<title>Story {n}</title><link>{page}</link>")))
        for n, page in ((1, pages[0]), (2, pages[1]))
    ]
    refusing = _refusing_text_appends(monkeypatch)
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    sources = [Source(f"Wire{n}", url=feeds[n - 1], full_text=True) for n in (1, 2)]
    poller = Poller(config_for(tmp_path, *sources), store, lambda: clock[0])
    try:
        first = await poller.poll()
        await poller.drain_pages(5.0)
        ids = [ident for result in first for ident in result.new_ids]
        assert len(ids) == 2 and all(store.text(ident) is None for ident in ids)
        await poller.poll()  # the disk still full, at once: the pages wait
        await poller.drain_pages(5.0)
        assert [len(feed_server.hits[f"/story{n}.html"]) for n in (1, 2)] == [1, 1]
        refusing["refuse"] = False
        clock[0] += timedelta(seconds=poller_module.UNSTORED_TEXTS_RETRY + 1)
        await poller.poll()
        await poller.drain_pages(5.0)
        texts = sorted((store.text(ident) or "")[: len("Story 1:")] for ident in ids)
    finally:
        await poller.aclose()
        store.close()
    assert texts == ["Story 1:", "Story 2:"]


async def test_a_page_is_fetched_though_its_stored_text_cannot_be_read(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored text read before a page's fetch (to keep it when the page says the same)
    failing (a database away a moment) skipped the page: its article kept its summary. The
    page is read as new."""
    from fetchers.store import StoreError

    page = feed_server.add("/story1.html", Route(_story_page(1)))
    feed = feed_server.add("/wire1.xml", Route(rss(f"<title>Story 1</title><link>{page}</link>")))
    store = Store(tmp_path / "data", writer=True)
    real_text = store.text
    failing = [True]

    def text(ident: str) -> str | None:
        if failing[0]:
            raise StoreError("the database is away")
        return real_text(ident)

    monkeypatch.setattr(store, "text", text)
    poller = Poller(config_for(tmp_path, Source("Wire1", url=feed, full_text=True)), store)
    try:
        (result,) = await poller.poll()
        await poller.drain_pages(5.0)
    finally:
        await poller.aclose()
    failing[0] = False
    try:
        (ident,) = result.new_ids
        assert (store.text(ident) or "").startswith("Story 1:")
    finally:
        store.close()


async def test_a_page_that_failed_is_fetched_again_at_a_later_poll(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """An article page that failed when the poller first tried it (a 404 before it was
    published, a timeout, a 5xx) was never fetched again by that poller: the article kept
    its summary, its words unsearchable, until the poller was restarted. A later poll tries
    it again once its wait is over, not the poll straight after."""
    page = feed_server.url("/story1.html")  # not there yet: 404
    feed = feed_server.add("/wire.xml", Route(rss(f"<title>Story 1</title><link>{page}</link>")))
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(
        config_for(tmp_path, Source("Wire", url=feed, full_text=True)), store, lambda: clock[0]
    )
    try:
        (first,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = first.new_ids
        assert store.text(ident) is None and len(feed_server.hits["/story1.html"]) == 1
        feed_server.add("/story1.html", Route(_story_page(1)))
        clock[0] += timedelta(minutes=1)
        await poller.poll()  # too soon: the page waits
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/story1.html"]) == 1
        clock[0] += timedelta(seconds=poller_module.PAGE_RETRY + 1)
        await poller.poll()
        await poller.drain_pages(5.0)
        text = store.text(ident) or ""
    finally:
        await poller.aclose()
        store.close()
    assert text.startswith("Story 1:")


@pytest.mark.parametrize(("status", "tries"), [(404, "PAGE_GONE_TRIES"), (503, "PAGE_TRIES")])
async def test_a_page_that_goes_on_failing_is_given_up(
    tmp_path: Path, now: datetime, feed_server: FeedServer, status: int, tries: str
) -> None:
    """A page that keeps failing is fetched again less and less often, and at last no more:
    sooner when it answers that it is not there (404, 410) than when the server is down."""
    page = feed_server.add("/story1.html", Route(b"down", status=status))
    feed = feed_server.add("/wire.xml", Route(rss(f"<title>Story 1</title><link>{page}</link>")))
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(
        config_for(tmp_path, Source("Wire", url=feed, full_text=True)), store, lambda: clock[0]
    )
    hits_by_poll: list[int] = []
    try:
        for _ in range(14):
            await poller.poll()
            await poller.drain_pages(5.0)
            hits_by_poll.append(len(feed_server.hits.get("/story1.html", [])))
            clock[0] += timedelta(seconds=poller_module.PAGE_RETRY_CAP + 1)
        await poller.poll()  # a poll before the wait is over brings no fetch
        await poller.drain_pages(5.0)
    finally:
        await poller.aclose()
        store.close()
    assert hits_by_poll[-1] == getattr(poller_module, tries)
    assert hits_by_poll[:2] == [1, 2]
    assert len(feed_server.hits["/story1.html"]) == hits_by_poll[-1]


async def test_a_write_the_disk_refused_counts_each_sources_own_articles_and_a_failure(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk said the whole cycle's count in every source's error ("0 of 5 new articles
    stored" for a source that brought 2), and left its failures in a row at 0 while its
    status stayed "error" poll after poll."""
    from fetchers import atomic

    two = feed_server.add("/two.xml", Route(rss(*(f"<title>A{n}</title>" for n in range(2)))))
    three = feed_server.add("/three.xml", Route(rss(*(f"<title>B{n}</title>" for n in range(3)))))

    def full_disk(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "atomic_write_bytes", full_disk)
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    config = config_for(tmp_path, Source("A", url=two), Source("B", url=three))
    poller = Poller(config, store, lambda: clock[0])
    try:
        first = {r.source: r for r in await poller.poll()}
        clock[0] += timedelta(minutes=2)
        await poller.poll()
    finally:
        await poller.aclose()
        store.close()
    assert "0 of 2 new articles stored" in (first["A"].error or "")
    assert "0 of 3 new articles stored" in (first["B"].error or "")
    assert "No space left on device" in (first["A"].error or "")
    assert [(poller.health[s].status, poller.health[s].failures) for s in "AB"] == [
        ("error", 2),
        ("error", 2),
    ]


def test_past_the_cap_what_its_feed_lists_now_stays_remembered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A day's drops share their day: past DROPPED_MOST, the ids kept were those that sorted
    last, whatever the feed listed; a short listing, then the feed's whole one, brought the
    listed ones back as news. Those its feed lists now are kept first, then the newest."""
    from fetchers.poller import _forget_dropped

    monkeypatch.setattr(poller_module, "DROPPED_MOST", 3)
    health = SourceHealth("Blog", "https://blog.example/feed")
    health.dropped = {"a1": "2026-12-01", "b2": "2026-12-01", "y8": "2026-12-01"}
    health.dropped |= {"z9": "2026-12-01", "c3": "2026-11-30"}
    health.listed = frozenset({"a1", "c3"})
    _forget_dropped(health, "2026-11-01")
    assert set(health.dropped) == {"a1", "c3", "z9"}


@pytest.mark.parametrize(
    ("route", "advice"),
    [
        (Route(b"no bots", status=403), "set [settings] user_agent"),
        (Route(b"<p>x</p>" * 400_000, headers={"Content-Type": "text/html"}), "max_body"),
    ],
)
async def test_a_page_that_cannot_be_fetched_says_what_to_do(
    tmp_path: Path, now: datetime, feed_server: FeedServer, route: Route, advice: str
) -> None:
    """`f` on a site that blocks programs said only "HTTP 403 Forbidden", and a page over
    the size cap named no setting: the reader was left to guess what to change."""
    page = feed_server.add("/page.html", route)
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config_for(tmp_path), store, lambda: now)
    try:
        with pytest.raises(FetchError) as raised:
            await poller.page_text(page)
    finally:
        await poller.aclose()
        store.close()
    assert advice in str(raised.value)


async def test_a_page_whose_server_asks_to_wait_is_not_asked_before_then(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A 429 with Retry-After: 7200 said only "HTTP 429 Too Many Requests", and the poller
    tried the page again after its own 10 minutes. It says when it tries again, asks
    neither that page nor another of the host before then, and does after."""
    limited = Route(b"slow down", status=429, headers={"Retry-After": "7200"})
    page = feed_server.add("/story1.html", limited)
    feed = feed_server.add("/wire.xml", Route(rss(f"<title>Story 1</title><link>{page}</link>")))
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    config = config_for(tmp_path, Source("Wire", url=feed, full_text=True))
    config.settings.timezone = "UTC"
    poller = Poller(config, store, lambda: clock[0])
    try:
        (first,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = first.new_ids
        failure = poller.page_failure(ident)
        assert failure is not None
        reason, retry_at = failure
        assert "HTTP 429" in reason and f"after {clock[0] + timedelta(hours=2):%H:%M}" in reason
        assert retry_at is not None and retry_at >= clock[0] + timedelta(hours=2)
        with pytest.raises(FetchError) as raised:  # `f` meanwhile: the server is not asked
            await poller.page_text(feed_server.url("/other.html"))
        assert "tried again after" in str(raised.value)
        clock[0] += timedelta(seconds=poller_module.PAGE_RETRY + 1)
        await poller.poll()  # its own wait is over, the server's is not
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/story1.html"]) == 1
        feed_server.add("/story1.html", Route(_story_page(1)))
        clock[0] = now + timedelta(hours=2, seconds=1)
        await poller.poll()
        await poller.drain_pages(5.0)
        text = store.text(ident) or ""
        assert poller.page_failure(ident) is None
    finally:
        await poller.aclose()
        store.close()
    assert text.startswith("Story 1:")
    assert "/other.html" not in feed_server.hits


def _story(name: str, hour: int) -> str:
    return (
        f"<title>Report {name}</title><guid>{name}</guid>"
        f"<pubDate>07 Dec 2026 {hour:02d}:00 GMT</pubDate>"
    )


def _older() -> tuple[str, ...]:
    """Older reports a feed still lists, each an hour before the next: enough dated items
    in date order for the listing to show it drops from one end (`pulled.ORDER_SHOWN`)."""
    return tuple(_story(f"Old{hour}", hour) for hour in (9, 8, 7, 6, 5))


def _pulled(tmp_path: Path) -> dict[str, datetime | None]:
    """Each stored title's pulled mark, as a store opened afresh reads it from disk."""
    with Store(tmp_path / "data") as store:
        return {
            r.title: datetime.fromtimestamp(r.pulled, UTC) if r.pulled is not None else None
            for r in store.records([a.id for a in store.query()])
        }


async def test_an_article_its_feed_took_down_while_older_ones_stay_is_marked_pulled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A, B, C listed, then B and C alone: A (the newest) was taken down, not rolled off,
    since the older C is still listed. It is marked with the poll that found it missing,
    keeps that time at the next poll, and loses the mark when the feed lists it again."""
    clock = datetime(2026, 12, 7, 13, tzinfo=UTC)
    url = feed_server.add(
        "/wire.xml", Route(rss(_story("A", 12), _story("B", 11), _story("C", 10), *_older()))
    )
    source = Source("Wire", url=url)
    olds = {f"Report Old{hour}": None for hour in (9, 8, 7, 6, 5)}
    with Store(tmp_path / "data", writer=True) as store:
        assert len(await _new_titles(tmp_path, source, store, clock)) == 8
        feed_server.routes["/wire.xml"] = Route(rss(_story("B", 11), _story("C", 10), *_older()))
        await _new_titles(tmp_path, source, store, clock + timedelta(minutes=40))
        await _new_titles(tmp_path, source, store, clock + timedelta(minutes=50))
    gone_at = clock + timedelta(minutes=40)
    assert _pulled(tmp_path) == {
        "Report A": gone_at,
        "Report B": None,
        "Report C": None,
        **olds,
    }
    feed_server.routes["/wire.xml"] = Route(
        rss(_story("A", 12), _story("B", 11), _story("C", 10), *_older())
    )
    with Store(tmp_path / "data", writer=True) as store:
        await _new_titles(tmp_path, source, store, clock + timedelta(hours=1))
    assert _pulled(tmp_path) == {"Report A": None, "Report B": None, "Report C": None, **olds}


async def test_an_article_that_rolled_off_a_feed_of_the_newest_items_is_not_pulled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed that keeps its newest two: A, the oldest, leaves it as C comes. Nothing older
    than A is still listed, so it rolled off: no mark."""
    clock = datetime(2026, 12, 7, 13, tzinfo=UTC)
    url = feed_server.add("/wire.xml", Route(rss(_story("B", 11), _story("A", 10))))
    source = Source("Wire", url=url)
    with Store(tmp_path / "data", writer=True) as store:
        await _new_titles(tmp_path, source, store, clock)
        feed_server.routes["/wire.xml"] = Route(rss(_story("C", 12), _story("B", 11)))
        assert await _new_titles(tmp_path, source, store, clock + timedelta(hours=1)) == [
            "Report C"
        ]
    assert _pulled(tmp_path) == {"Report A": None, "Report B": None, "Report C": None}


async def test_an_article_leaving_a_feed_of_top_stories_in_its_editors_order_is_not_pulled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed of top stories in the order its editors give (not by date): a story leaves it
    from the middle as the news moves on, older ones still listed. It was taken down from
    no one: no mark (a date-ordered feed's takes are marked, as above)."""
    clock = datetime(2026, 12, 7, 13, tzinfo=UTC)
    url = feed_server.add("/top.xml", Route(rss(_story("B", 11), _story("A", 12), _story("C", 10))))
    source = Source("Top", url=url)
    with Store(tmp_path / "data", writer=True) as store:
        assert len(await _new_titles(tmp_path, source, store, clock)) == 3
        feed_server.routes["/top.xml"] = Route(
            rss(_story("B", 11), _story("D", 13), _story("C", 10))
        )
        await _new_titles(tmp_path, source, store, clock + timedelta(minutes=40))
    assert _pulled(tmp_path) == {
        "Report A": None,
        "Report B": None,
        "Report C": None,
        "Report D": None,
    }


async def test_a_source_moved_to_another_address_marks_none_of_its_articles_pulled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The config gives a source another feed under the same name: its first poll there was
    compared with the old feed's listing, and every article of the old one newer than the
    new feed's oldest was marked pulled, for good (the new feed never lists them)."""
    clock = datetime(2026, 12, 7, 13, tzinfo=UTC)
    old = feed_server.add("/old.xml", Route(rss(_story("A", 12), _story("B", 11), *_older())))
    new_items = [_story(f"N{hour}", hour).replace("<guid>", "<guid>n") for hour in range(13, 3, -1)]
    new = feed_server.add("/new.xml", Route(rss(*new_items)))
    with Store(tmp_path / "data", writer=True) as store:
        await _new_titles(tmp_path, Source("Wire", url=old), store, clock)
        await _new_titles(tmp_path, Source("Wire", url=new), store, clock + timedelta(hours=1))
        await _new_titles(tmp_path, Source("Wire", url=new), store, clock + timedelta(hours=2))
    assert {title for title, mark in _pulled(tmp_path).items() if mark is not None} == set()


async def test_an_article_listed_again_under_another_guid_is_not_pulled(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed that makes its guids anew at each fetch: the stored article is known by its
    link, the listing holds only the new guid, and the article still listed was marked."""
    clock = datetime(2026, 12, 7, 13, tzinfo=UTC)

    def listing(fetch: int) -> bytes:
        return rss(
            *(
                f"<title>Report {hour}</title><guid>g{fetch}-{hour}</guid>"
                f"<link>https://wire.example/{hour}</link>"
                f"<pubDate>07 Dec 2026 {hour:02d}:00 GMT</pubDate>"
                for hour in range(12, 4, -1)
            )
        )

    url = feed_server.add("/wire.xml", Route(listing(1)))
    with Store(tmp_path / "data", writer=True) as store:
        await _new_titles(tmp_path, Source("Wire", url=url), store, clock)
        feed_server.routes["/wire.xml"] = Route(listing(2))
        await _new_titles(tmp_path, Source("Wire", url=url), store, clock + timedelta(hours=1))
    assert {title for title, mark in _pulled(tmp_path).items() if mark is not None} == set()
