"""`wirewatch poll` as a service beside viewers: signals, SIGHUP reloads, two viewers."""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.config import load_config
from fetchers.healthbook import HealthBook
from fetchers.models import Source, system_clock
from fetchers.newsroom import Newsroom
from fetchers.service import PollService
from fetchers.store import Store
from tests.conftest import FeedServer, Route, config_for, rss
from tests.pollers import ROOT, start_poller, wait_for
from tui.cli import main


def feed(n: int, count: int) -> bytes:
    return rss(*(f"<title>Item {n}-{i}</title><guid>{n}-{i}</guid>" for i in range(count)))


def ask_refresh(config: Path, data: Path) -> None:
    """A viewer's `r`: the poller of `data` polls every source at its next look."""
    with Store(data) as viewer:
        room = Newsroom(load_config(config, datetime.now(UTC)), viewer, data, system_clock)
        assert room.ask_refresh()


def stored_sources(data: Path) -> Counter[str]:
    """How many articles the store holds under each source's name."""
    with Store(data) as store:
        return Counter(a.source for a in store.query())


def fast_and_held(
    tmp_path: Path, feed_server: FeedServer
) -> tuple[Path, Route, Route, threading.Event]:
    """A config of two sources polled hourly, Fast (2 items) and Slow (2 items), whose
    answers wait while the event returned is cleared."""
    held = threading.Event()
    held.set()
    fast, slow = Route(feed(1, 2), etag='"v1"'), Route(feed(2, 2), held=held)
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "1h"\ntimeout = "60s"\n'
        f'[[sources]]\nname = "Fast"\nurl = "{feed_server.add("/fast.xml", fast)}"\n'
        f'[[sources]]\nname = "Slow"\nurl = "{feed_server.add("/slow.xml", slow)}"\n',
        "utf-8",
    )
    return config, fast, slow, held


@pytest.mark.slow
def test_sigterm_mid_cycle_loses_nothing_and_sighup_reloads(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    fast = feed_server.add("/fast.xml", Route(feed(1, 30)))
    slow = feed_server.add("/slow.xml", Route(feed(2, 30), delay=20))
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "2s"\ntimeout = "60s"\n'
        f'[[sources]]\nname = "Fast"\nurl = "{fast}"\n',
        "utf-8",
    )
    data, log = tmp_path / "data", tmp_path / "logs" / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source: 30 new" in log.read_text())
        # SIGHUP: a second source appears; a broken config is refused and the old one kept
        config.write_text(config.read_text() + f'[[sources]]\nname = "Slow"\nurl = "{slow}"\n')
        proc.send_signal(signal.SIGHUP)
        assert wait_for(lambda: "config reloaded, 2 sources" in log.read_text())
        assert wait_for(lambda: "/slow.xml" in feed_server.hits)  # the slow fetch in flight
        started = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert time.monotonic() - started < 10  # not held by the 20 s response
    finally:
        if proc.poll() is None:
            proc.kill()
    text = log.read_text()
    assert "SIGTERM: finishing the write in flight" in text and "stopped" in text
    with Store(data) as store:
        titles = {a.title for a in store.query()}
    assert {f"Item 1-{i}" for i in range(30)} <= titles  # everything acknowledged is there


def test_a_stop_writes_the_answers_that_came_before_it(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """README: SIGTERM drops the fetches in flight. The quick sources' answers wait up to
    3 s for the slower ones, to be written together: a stop within those seconds dropped
    them too, unstored, their health and validators unsaved. They are written, and only
    the slow fetch is dropped."""
    config, fast, _, held = fast_and_held(tmp_path, feed_server)
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 2 sources: 4 new" in log.read_text())
        held.clear()  # Slow's next answer waits
        fast.body, fast.etag = feed(1, 5), '"v2"'
        ask_refresh(config, data)
        hits = feed_server.hits
        assert wait_for(lambda: len(hits["/fast.xml"]) == len(hits["/slow.xml"]) == 2)
        # Fast's answer has come and is read (a loaded machine's parse given two seconds);
        # the write it waits for, 3 s after it is read, is still to come
        time.sleep(2)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        held.set()
        if proc.poll() is None:
            proc.kill()
    assert stored_sources(data) == {"Fast": 5, "Slow": 2}
    assert "polled 1 source: 3 new articles (Fast 3), 0 failed" in log.read_text()
    assert HealthBook(data).load()["Fast"].etag == '"v2"'  # its next poll asks "if changed"


def test_a_source_renamed_while_its_fetch_is_out_has_those_articles_under_its_new_name(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """README: the articles a renamed source fetched before take its new name. Renamed
    while a cycle had left its slow fetch out, the store renamed what it held, then that
    fetch's new articles were stored under the old name, for good: `list source:Slow`
    listed them, under a name the config no longer has."""
    config, _, slow, held = fast_and_held(tmp_path, feed_server)
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 2 sources: 4 new" in log.read_text())
        held.clear()  # Slow's next answer waits: the cycle leaves it out
        slow.body = feed(2, 4)
        ask_refresh(config, data)
        assert wait_for(lambda: "Slow still out after the others answered" in log.read_text())
        config.write_text(config.read_text().replace('name = "Slow"', 'name = "Slower"'))
        assert wait_for(lambda: "Slower: renamed from Slow" in log.read_text())
        held.set()
        assert wait_for(lambda: "Slower: the stored articles of Slow take" in log.read_text())
        assert wait_for(lambda: "2 new article" in log.read_text())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        held.set()
        if proc.poll() is None:
            proc.kill()
    assert stored_sources(data) == {"Fast": 2, "Slower": 4}
    assert _list(config, data, "source:Slow").stdout == ""
    assert len(HealthBook(data).load(listed=True)["Slower"].listed) == 4  # its answer, kept


def test_the_poll_log_names_the_sources_of_the_news_and_not_the_cycles_without_any(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Each cycle said "polled N sources: M new articles, 0 failed" without which source
    brought them, and a cycle that brought nothing said so too: with 40 sources at 60 s,
    30 lines in 150 s of "0 new articles". A cycle names the sources of its news (those
    with the most first, three, then how many more) and those that failed; one that
    brought nothing and failed nothing says nothing after the first; and a number agrees
    with its noun ("1 sources", "1 new articles")."""
    wire = Route(feed(1, 4))
    sources = [("Wire", feed_server.add("/wire.xml", wire), "1s")]
    for name, n, count in (("Agency", 2, 3), ("Bureau", 3, 2), ("Desk", 4, 1)):
        sources.append((name, feed_server.add(f"/{name}.xml", Route(feed(n, count))), "1h"))
    sources.append(("Down", feed_server.add("/down.xml", Route(b"oops", status=500)), "1h"))
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{url}"\ninterval = "{every}"\n'
            for name, url, every in sources
        ),
        "utf-8",
    )
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 5 sources" in log.read_text())
        assert wait_for(lambda: len(feed_server.hits["/wire.xml"]) >= 4)  # three quiet cycles
        wire.body = feed(1, 5)
        assert wait_for(lambda: "Wire 1" in log.read_text())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    said = [line.split(" INFO ")[-1] for line in log.read_text().splitlines()]
    assert [line for line in said if line.startswith("poll")] == [
        "polling 5 sources into " + str(data) + f" (pid {proc.pid})",
        "polled 5 sources: 10 new articles (Wire 4, Agency 3, Bureau 2 and 1 more),"
        " 1 failed (Down)",
        "polled 1 source: 1 new article (Wire 1), 0 failed",
    ]


async def test_cycles_without_news_are_said_in_one_line_an_hour(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A poll log silent for hours cannot be told from a poller that hangs: the cycles
    that brought nothing and failed nothing are said in one line once an hour has passed
    since the last line."""
    url = feed_server.add("/wire.xml", Route(feed(1, 3)))
    config = config_for(tmp_path, Source("Wire", url=url))
    with Store(tmp_path / "data", writer=True) as store:
        service = PollService(config, store, tmp_path / "data", system_clock)
        seconds = [0.0]
        service.monotonic = lambda: seconds[0]
        try:
            with caplog.at_level("INFO", "wirewatch"):
                for minutes in (0, 20, 40, 59, 60, 61):
                    seconds[0] = minutes * 60.0
                    await service.newsroom.cycle()
        finally:
            await service.newsroom.aclose()
    assert [r.getMessage() for r in caplog.records if r.name == "wirewatch"] == [
        "polled 1 source: 3 new articles (Wire 3), 0 failed",
        "quiet for 60 minutes: 4 polls of 1 source, nothing new, none failed",
    ]


def refused_server() -> str:
    """The base URL of a server on 127.0.0.1 that is down: its port refuses connections."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def said_by(caplog: pytest.LogCaptureFixture) -> list[str]:
    """What the poll log said of the cycles (its own lines and its poller's), in order."""
    return [r.getMessage() for r in caplog.records if r.name in ("wirewatch", "wirewatch.poller")]


async def test_failing_sources_are_said_as_they_start_change_and_end_not_each_poll(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A feed server down took its sources with it, and the poll log said a warning for
    each source at each poll, and "0 new articles, 10 failed" each cycle: 2,286 lines in
    150 s. The sources of one server failing alike are one line, said as they start; a
    cycle where they go on failing says nothing; a source's change of error and its
    return are said, and so is the return of a server's sources."""
    down = refused_server()
    desk = Route(b"busy", status=503)
    gone = Route(b"gone", status=404)
    wire = Route(feed(1, 1))
    sources = [Source(f"Bureau {i}", url=f"{down}/{i}.xml") for i in range(1, 6)]
    sources += [Source(f"Desk {i}", url=feed_server.add(f"/desk{i}.xml", desk)) for i in (1, 2)]
    sources += [
        Source("Gone", url=feed_server.add("/gone.xml", gone)),
        Source("Wire", url=feed_server.add("/wire.xml", wire)),
    ]
    host = down.removeprefix("http://")
    here = feed_server.base.removeprefix("http://")
    config = config_for(tmp_path, *sources)
    with Store(tmp_path / "data", writer=True) as store:
        service = PollService(config, store, tmp_path / "data", system_clock)
        seconds = [0.0]
        service.monotonic = lambda: seconds[0]

        async def cycles(*at: float) -> list[str]:
            caplog.clear()
            for when in at:
                seconds[0] = when
                await service.newsroom.cycle()
            return said_by(caplog)

        try:
            with caplog.at_level("INFO", "wirewatch"):
                first = await cycles(0)
                going_on = await cycles(10, 20, 30, 40, 50)
                gone.status = 500
                changed = await cycles(60)
                desk.status, desk.body = 200, feed(2, 2)
                back = await cycles(70)
                gone.status, gone.body = 200, feed(3, 1)
                one_back = await cycles(80)
                reminded = await cycles(700)
        finally:
            await service.newsroom.aclose()
    assert first == [
        f"5 sources on {host} failing: cannot connect: connection refused"
        " (Bureau 1, Bureau 2, Bureau 3 and 2 more)",
        f"2 sources on {here} failing: HTTP 503 Service Unavailable (Desk 1, Desk 2)",
        "Gone: HTTP 404 Not Found",
        "polled 9 sources: 1 new article (Wire 1), 8 failed"
        " (Bureau 1, Bureau 2, Bureau 3 and 5 more)",
    ]
    assert going_on == []
    assert changed == [
        "Gone: now HTTP 500 Internal Server Error (was: HTTP 404 Not Found)",
        "polled 9 sources: 0 new articles, 8 failed (Bureau 1, Bureau 2, Bureau 3 and 5 more)",
    ]
    assert back == [
        f"2 sources on {here} back after failing: HTTP 503 Service Unavailable (down for 1 minute)",
        "polled 9 sources: 4 new articles (Desk 1 2, Desk 2 2), 6 failed"
        " (Bureau 1, Bureau 2, Bureau 3 and 3 more)",
    ]
    assert one_back == [
        "Gone: back after 8 failures (down for 1 minute)",
        "polled 9 sources: 1 new article (Gone 1), 5 failed"
        " (Bureau 1, Bureau 2, Bureau 3 and 2 more)",
    ]
    assert reminded == [  # a long outage is not silent
        f"still failing: 5 sources: 5 on {host} for 11 minutes"
        " (cannot connect: connection refused)",
        "in 10 minutes: 9 polls of 9 sources, nothing new, 5 failed",
    ]


async def test_sources_of_a_down_server_trickling_in_are_said_together(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Polled at jittered intervals, a down server's sources fail a few at a time, a cycle
    a second: each of those cycles said its "0 new articles, 1 failed" and its warnings.
    The first failure is said; those that join it are said together a minute later."""
    down = refused_server()
    sources = [Source(f"Bureau {i}", url=f"{down}/{i}.xml") for i in range(1, 7)]
    with Store(tmp_path / "data", writer=True) as store:
        service = PollService(
            config_for(tmp_path, *sources), store, tmp_path / "data", system_clock
        )
        seconds = [0.0]
        service.monotonic = lambda: seconds[0]
        try:
            with caplog.at_level("INFO", "wirewatch"):
                for when, source in enumerate(sources):
                    seconds[0] = float(when)
                    await service.newsroom.cycle([source])
                trickled = said_by(caplog)
                caplog.clear()
                seconds[0] = 61.0
                await service.newsroom.cycle()
        finally:
            await service.newsroom.aclose()
    assert trickled == [
        "Bureau 1: cannot connect: connection refused",
        "polled 1 source: 0 new articles, 1 failed (Bureau 1)",
    ]
    assert said_by(caplog) == [
        f"6 sources on {down.removeprefix('http://')} failing: cannot connect: connection"
        " refused (5 more: Bureau 2, Bureau 3, Bureau 4 and 2 more)",
        "polled 6 sources: 0 new articles, 6 failed (Bureau 1, Bureau 2, Bureau 3 and 3 more)",
    ]


async def test_the_first_and_the_last_source_of_a_server_back_are_said_at_once(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A server's sources come back one poll at a time: the first one back is said as it
    is, the others not each, and the last one back ends the outage in one line."""
    routes = [Route(b"busy", status=503) for _ in range(3)]
    sources = [
        Source(f"Desk {i}", url=feed_server.add(f"/desk{i}.xml", route))
        for i, route in enumerate(routes, 1)
    ]
    here = feed_server.base.removeprefix("http://")
    with Store(tmp_path / "data", writer=True) as store:
        service = PollService(
            config_for(tmp_path, *sources), store, tmp_path / "data", system_clock
        )
        seconds = [0.0]
        service.monotonic = lambda: seconds[0]

        async def back(when: float, route: Route) -> list[str]:
            caplog.clear()
            seconds[0] = when
            route.status, route.body = 200, feed(1, 1)
            await service.newsroom.cycle()
            return said_by(caplog)

        try:
            with caplog.at_level("INFO", "wirewatch"):
                await service.newsroom.cycle()
                first = await back(10, routes[0])
                second = await back(20, routes[1])
                last = await back(30, routes[2])
        finally:
            await service.newsroom.aclose()
    assert first[0] == (
        f"Desk 1: back after 1 failure (down for 10 seconds); 2 sources on {here} still"
        " failing: HTTP 503 Service Unavailable"
    )
    assert not any("back" in line for line in second)  # (its news is said, as news)
    assert last[0] == (
        f"3 sources on {here} back after failing: HTTP 503 Service Unavailable"
        " (down for 30 seconds)"
    )


async def test_one_error_on_many_servers_is_one_line_said_without_waiting_for_a_cycle(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A host gone offline fails every server's sources alike ("host name not found"), and
    said each: one line says them all, with how many servers; those that joined after the
    first are said a minute later even if no cycle comes then."""
    sources = [
        Source(f"{desk} {i}", url=f"{refused_server()}/{i}.xml")
        for desk in ("Agency", "Bureau", "Desk", "Wire")
        for i in (1, 2)
    ]
    with Store(tmp_path / "data", writer=True) as store:
        config = config_for(tmp_path, *sources)
        service = PollService(config, store, tmp_path / "data", system_clock)
        seconds = [0.0]
        service.monotonic = lambda: seconds[0]
        try:
            with caplog.at_level("INFO", "wirewatch"):
                await service.newsroom.cycle(sources[:1])
                seconds[0] = 1.0
                await service.newsroom.cycle(sources[1:])
                said = said_by(caplog)
                caplog.clear()
                seconds[0] = 61.0
                service.say_failures()  # (as the poller does each second)
        finally:
            await service.newsroom.aclose()
    assert said == [
        "Agency 1: cannot connect: connection refused",
        "polled 1 source: 0 new articles, 1 failed (Agency 1)",
    ]
    assert said_by(caplog) == [
        "8 sources on 8 servers failing: cannot connect: connection refused"
        " (7 more: Agency 2, Bureau 1, Bureau 2 and 4 more)",
    ]


@pytest.mark.parametrize(
    ("argv", "ignored"),
    [
        (["wirewatch", "--config", "c.toml", "poll", "--log", "p.log"], True),
        (["-m", "--data-dir", "d", "poll"], True),  # `python -m tui`, as it imports tui
        (["wirewatch", "--config", "poll", "list"], False),  # a file named poll: a list
        (["wirewatch"], False),  # the dashboard: a terminal hanging up ends it
    ],
)
def test_a_reload_sent_as_the_poller_starts_never_ends_it(argv: list[str], ignored: bool) -> None:
    """SIGHUP in a poller's first tenth of a second (`systemctl reload` right after a start)
    ended it with no word, exit 129, while the CLI's modules were still being imported: the
    first code a `wirewatch poll` runs ignores it, until the poller listens for it."""
    code = (  # (as a terminal starts it: a run under nohup inherits SIGHUP ignored already)
        f"import sys, signal; signal.signal(signal.SIGHUP, signal.SIG_DFL); sys.argv = {argv!r};"
        " import tui; print(signal.getsignal(signal.SIGHUP) is signal.SIG_IGN)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == str(ignored)


def test_a_broken_config_on_sighup_keeps_the_running_one(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", Route(feed(1, 3)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "F"\nurl = "{url}"\n')
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source" in log.read_text())
        log.rename(log.with_name("poll.log.1"))  # as logrotate does: the log is reopened
        config.write_text("[settings\nbroken")
        proc.send_signal(signal.SIGHUP)
        assert wait_for(
            lambda: (
                log.exists() and "config not reloaded, keeping the running one" in log.read_text()
            )
        )
        assert "config not reloaded" not in log.with_name("poll.log.1").read_text()
        assert proc.poll() is None
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_source_added_while_polling_is_polled_without_a_signal(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`wirewatch add` beside a running `poll` said "added" and the source stayed pending
    forever (only SIGHUP read the config again): a changed config file is read again."""
    first = feed_server.add("/first.xml", Route(feed(1, 2)))
    second = feed_server.add("/second.xml", Route(feed(2, 3)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "F"\nurl = "{first}"\n')
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source: 2 new" in log.read_text())
        assert main(["--config", str(config), "--data-dir", str(data), "add", second]) == 0
        assert wait_for(
            lambda: "the config file changed: config reloaded, 2 sources" in log.read_text()
        )
        assert wait_for(lambda: "/second.xml" in feed_server.hits)
        assert wait_for(lambda: "polled 1 source: 3 new" in log.read_text())
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_viewer_asks_the_poller_to_refresh_every_source_now(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`r` in a viewer only said the poller refreshes on its own (an hour later, here): the
    viewer asks, and the poller polls every source at its next look."""
    url = feed_server.add("/f.xml", Route(feed(1, 2)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "F"\nurl = "{url}"\n')
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source: 2 new" in log.read_text())
        hits = len(feed_server.hits["/f.xml"])
        with Store(data) as viewer:
            room = Newsroom(load_config(config, datetime.now(UTC)), viewer, data, system_clock)
            assert room.ask_refresh()
        assert wait_for(lambda: "a viewer asked for every source now" in log.read_text())
        assert wait_for(lambda: len(feed_server.hits["/f.xml"]) > hits)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


@pytest.mark.slow
def test_a_poller_and_two_viewers_on_one_data_dir(tmp_path: Path, feed_server: FeedServer) -> None:
    route = Route(feed(1, 5))
    url = feed_server.add("/live.xml", route)
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[settings]\ninterval = "1s"\n[[sources]]\nname = "Live"\nurl = "{url}"\n')
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "5 new" in log.read_text())
        one, two = Store(data), Store(data)
        assert not one.is_writer and not two.is_writer and one.writer_active()
        assert len(one) == len(two) == 5
        route.body = feed(1, 8)  # three new items on the next poll
        assert wait_for(lambda: bool(one.reload()) and len(one) == 8, timeout=30)
        two.reload()
        assert len(two) == 8
        first = one.query_ids()[0]
        one.set_state([first], starred=True)  # a viewer marks; it never writes article files
        two.reload()
        got = two.get(first)
        assert got is not None and got.starred
        assert not one.is_writer and not two.is_writer
        one.close()
        two.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)


def test_serve_answers_on_loopback(tmp_path: Path) -> None:
    import socket
    import urllib.request

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = tmp_path / "local.toml"  # serve polls: its sources, none on the network
    seed = ROOT / "seeds" / "000_8890db16bdd93803.txt"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{seed}"\n', "utf-8")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "--config",
            str(config),
            "--data-dir",
            str(tmp_path / "data"),
            "serve",
            "--port",
            str(port),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        page = ""

        def answers() -> bool:
            nonlocal page
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                return True
            except OSError:
                return False

        assert wait_for(answers, timeout=20)
        assert "wirewatch" in page and "textual" in page.lower()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.slow
def test_a_poller_tells_revisions_and_fires_rules_in_shards_it_keeps_on_disk(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A poller keeps a full shard's titles and summaries on disk (no screen shows them):
    an article of such a shard whose source rewrites its headline is still one article with
    a revision, and a rule fires for a new article of the next cycle."""
    items = [f"<title>Item {i}</title><guid>g-{i}</guid>" for i in range(1200)]  # a full shard
    route = Route(rss(*items))
    url = feed_server.add("/big.xml", route)
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "2s"\ntimeout = "60s"\n'
        f'[[sources]]\nname = "Big"\nurl = "{url}"\n'
        '[[alerts]]\nname = "quake"\nquery = "Zorblatquake"\n',
        "utf-8",
    )
    data, log = tmp_path / "data", tmp_path / "logs" / "poll.log"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source: 1200 new" in log.read_text())
        items[3] = "<title>Item 3 rewritten</title><guid>g-3</guid>"
        items.append("<title>Zorblatquake strikes</title><guid>g-new</guid>")
        route.body = rss(*items)
        assert wait_for(lambda: "alert quake" in log.read_text(), 30)
        # the log counts the revision as `refresh` does
        assert wait_for(
            lambda: "polled 1 source: 1 new article (Big 1), 1 revised" in log.read_text()
        )
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    with Store(data) as store:
        found = [a for a in store.query() if a.guid == "g-3"]
        assert [a.title for a in found] == ["Item 3 rewritten"]
        assert [r["title"] for r in store.revisions(found[0].id)] == ["Item 3"]
        assert len(store) == 1201


def test_a_config_read_again_that_fails_unexpectedly_keeps_the_running_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Only a ConfigError was caught: anything else raised while the changed file was read
    again ended the poll loop (a zone name the zone reader choked on did)."""
    import fetchers.newsroom as newsroom_module

    with reloading_room(tmp_path, caplog, ONE_SOURCE) as reloading:
        room = reloading.room
        reloading.config.write_text(
            ONE_SOURCE + '[[sources]]\nname = "G"\nurl = "https://g.example/"\n'
        )
        assert room.config_changed()

        def broken(path: Path, now: datetime, clock_held: bool = False) -> None:
            raise IsADirectoryError(21, "Is a directory")

        monkeypatch.setattr(newsroom_module, "load_config", broken)
        assert not room.reload_config("the config file changed")
        assert [s.name for s in room.config.sources] == ["F"]
        assert "config not reloaded, keeping the running one" in caplog.text
        assert not room.config_changed()  # not read again until it changes once more


def _list(config: Path, data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`wirewatch list` in a process of its own, as a second terminal runs it; a timeout
    below the 30 s a lock is waited for (a process starting on a busy machine takes a few)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["list", "--limit", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=25,
        check=True,
    )


def _index_used(config: Path, data: Path) -> bool:
    """Whether a word query in a process of its own reads the search index (a slow start
    is asked again, not a failure)."""
    try:
        return "search index" not in _list(config, data, "harrier").stderr
    except subprocess.TimeoutExpired:
        return False


def test_a_search_index_cut_short_under_a_poller_is_read_around_and_built_again(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`search.sqlite` cut to nothing while `poll` has it open: another process's word query
    answers at once from the articles, saying once that the index cannot be used (it waited
    30 s for a lock, every time, for as long as the poller ran), and the poller builds the
    index again, after which queries and relevance use it."""
    items = [f"<title>Harrier {i}</title><guid>h{i}</guid>" for i in range(12)]
    items += [f"<title>Weather {i}</title><guid>w{i}</guid>" for i in range(12)]
    url = feed_server.add("/wire.xml", Route(rss(*items)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "2s"\n[[sources]]\nname = "Wire"\nurl = "{url}"\n', "utf-8"
    )
    data, log = tmp_path / "data", tmp_path / "logs" / "poll.log"
    index = data / "search.sqlite"
    proc = start_poller(config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "polled 1 source: 24 new" in log.read_text())
        assert wait_for(lambda: _index_used(config, data))
        built = index.stat().st_ino
        os.truncate(index, 0)
        found = _list(config, data, "harrier")  # (the poller may have built it again)
        assert found.stdout.count("Harrier") == 12 and "Weather" not in found.stdout
        ranked = _list(config, data, "--sort", "relevance", "harrier")
        assert ranked.stdout.count("Harrier") == 12
        assert wait_for(lambda: index.stat().st_ino != built and index.stat().st_size > 0)
        again = _list(config, data, "--sort", "relevance", "harrier")
        assert again.stdout.count("Harrier") == 12
        assert "search" not in again.stderr and "newest first instead" not in again.stderr
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


def test_a_word_query_beside_a_process_holding_a_cut_short_index_reads_at_once(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Another process has `search.sqlite` open when it is cut to nothing: a word query
    answers from the articles at once and says once that the index cannot be used."""
    items = [f"<title>Harrier {i}</title><guid>h{i}</guid>" for i in range(6)]
    items += [f"<title>Weather {i}</title><guid>w{i}</guid>" for i in range(6)]
    url = feed_server.add("/wire.xml", Route(rss(*items)))
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\nurl = "{url}"\n', "utf-8")
    data = tmp_path / "data"
    assert main(["--config", str(config), "--data-dir", str(data), "refresh"]) == 0
    assert "search index" not in _list(config, data, "--sort", "relevance", "harrier").stderr
    holding = (
        "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
        " db.execute('SELECT count(*) FROM shards').fetchone(); print('open', flush=True);"
        " sys.stdin.read()"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", holding, str(data / "search.sqlite")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        os.truncate(data / "search.sqlite", 0)
        found = _list(config, data, "harrier")
        assert found.stdout.count("Harrier") == 6 and "Weather" not in found.stdout
        assert found.stderr.count("search index cannot be used") == 1
    finally:
        holder.kill()
        holder.wait()


def test_the_poll_log_says_a_warning_repeated_within_a_minute_once(tmp_path: Path) -> None:
    """A database away failed a poller's every call at once, its lease each second among
    them: the log said the same line hundreds of times a minute. A warning is said again
    once a minute while it lasts; each other line, and the poll's own, as often as it comes."""
    import logging

    from fetchers.service import setup_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    log_file = tmp_path / "poll.log"
    setup_logging(log_file)
    try:
        log = logging.getLogger("wirewatch")
        for _ in range(3):
            log.error("db: cannot lease the sources: Connection refused")
            log.warning("db: cannot read the events: Connection refused")
            log.info("polled 1 source: 0 new articles, 1 failed (Wire)")
        log.error("db: cannot lease the sources: password authentication failed")
        # two articles of one headline and outlet are two alerts: each line is said
        from fetchers.alerting import EACH_ITS_OWN

        alerts = logging.getLogger("wirewatch.alerts")
        for _ in range(2):
            alerts.warning("alert ports (match): Corrections [Herald]", extra=EACH_ITS_OWN)
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)
    lines = log_file.read_text("utf-8").splitlines()
    assert sum("cannot lease the sources: Connection refused" in line for line in lines) == 1
    assert sum("cannot read the events" in line for line in lines) == 1
    assert sum("polled 1 source" in line for line in lines) == 3
    assert "password authentication failed" in lines[-3]
    assert sum("alert ports (match): Corrections [Herald]" in line for line in lines) == 2


@dataclass(slots=True)
class ReloadingRoom:
    """A newsroom running the config file `config`, as `poll` runs it: a test rewrites the
    file and reads it again, as a change of the file or SIGHUP has the poller do."""

    room: Newsroom
    config: Path
    caplog: pytest.LogCaptureFixture

    def warned(self, text: str) -> list[str]:
        """The warnings a reload of the config rewritten as `text` logged (it is taken)."""
        self.config.write_text(text)
        self.caplog.clear()
        with self.caplog.at_level(logging.INFO, logger="wirewatch"):
            assert self.room.reload_config("the config file changed")
        records = [r for r in self.caplog.records if r.name.startswith("wirewatch")]
        return [r.getMessage() for r in records if r.levelno == logging.WARNING]


@contextmanager
def reloading_room(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, text: str, data: str = "data"
) -> Iterator[ReloadingRoom]:
    """A newsroom on the config `text` (wirewatch.toml in `tmp_path`) writing the store in
    `tmp_path / data`."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(text)
    with Store(tmp_path / data, writer=True) as store:
        running = load_config(config, datetime.now(UTC))
        room = Newsroom(running, store, tmp_path / data, system_clock)
        yield ReloadingRoom(room, config, caplog)


ONE_SOURCE = '[[sources]]\nname = "F"\nurl = "https://wire.example/rss"\n'


def test_a_reload_that_moves_the_data_dir_or_the_store_says_a_restart_takes_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """[settings] data_dir changed while `poll` ran was taken without a word: the poller went
    on writing the folder it started with (and a dashboard opened then was a second writer,
    of the new one). The reload warns, naming the setting, that a restart takes it; so does
    one that changes [store], never showing its DSN's password."""
    d1 = f'[settings]\ndata_dir = "d1"\n{ONE_SOURCE}'
    with reloading_room(tmp_path, caplog, d1, data="d1") as reloading:
        config = reloading.config
        (said,) = reloading.warned(f'[settings]\ndata_dir = "d2"\n{ONE_SOURCE}')
        assert said == (
            f"{config}: settings.data_dir changed (now {tmp_path / 'd2'}): it takes effect"
            f" after a restart; until then the articles are kept in {tmp_path / 'd1'}"
        )
        assert [s.name for s in reloading.room.config.sources] == ["F"]  # (the rest is taken)
        assert reloading.warned(d1) == []  # back as it started
        dsn = "postgresql://wire:hunter2@db.example/wire"
        store = f'[store]\nbackend = "postgresql"\ndsn = "{dsn}"\n'
        (said,) = reloading.warned(f'[settings]\ndata_dir = "d1"\n{store}{ONE_SOURCE}')
        assert said.startswith(f"{config}: [store] changed: it takes effect after")
        assert "hunter2" not in said


def test_a_data_dir_set_in_the_config_beside_data_dir_given_says_which_one_holds(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Started with --data-dir, the config's data_dir is not where the articles go, before
    or after a restart: its change is said as such."""
    with reloading_room(tmp_path, caplog, ONE_SOURCE, data="given") as reloading:
        config = reloading.config
        (said,) = reloading.warned(f'[settings]\ndata_dir = "d2"\n{ONE_SOURCE}')
        assert said == (
            f"{config}: settings.data_dir changed (now {tmp_path / 'd2'}), but --data-dir or"
            f" $WIREWATCH_DATA chose where this process keeps the articles"
            f" ({tmp_path / 'given'}), before the config, and does again at a restart while"
            " given"
        )


def test_a_reload_to_a_config_of_no_sources_is_a_warning_and_taken(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A config emptied mid-save (`: > wirewatch.toml`) was logged as any reload ("config
    reloaded, 0 sources"), and nothing was polled from then on: a warning now, the config
    taken all the same (the next save brings the sources back)."""
    with reloading_room(tmp_path, caplog, ONE_SOURCE) as reloading:
        config = reloading.config
        (said,) = reloading.warned("")
        assert said == (
            f"{config}: names no source to poll, where the running config polled 1: nothing is"
            " polled until it names one again"
        )
        assert reloading.room.config.sources == []


def test_an_event_whose_time_cannot_be_read_is_in_the_poll_log(tmp_path: Path) -> None:
    """`wirewatch events` said an event's time could not be read; the poll log never did,
    at its start or at a reload: the countdown it runs said nothing of an event it skipped."""
    config = tmp_path / "wirewatch.toml"
    broken = '[[events]]\nname = "Summit"\nwhen = "next blursday"\n'
    config.write_text(broken)
    data, log = tmp_path / "data", tmp_path / "poll.log"
    proc = start_poller(config, data, log)
    said = "WARNING Summit: cannot read time 'next blursday': 'next blursday' is not a date or time"
    try:
        assert wait_for(lambda: log.exists() and said in log.read_text())
        config.write_text(broken + '[[events]]\nname = "Vote"\n')
        assert wait_for(lambda: "WARNING Vote: no time is given (when = ...)" in log.read_text())
        assert log.read_text().count(said) == 2  # said again with the config read again
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
    finally:
        if proc.poll() is None:
            proc.kill()


class _FullDisk:
    """A log file's stream on a full disk: every write refused."""

    def write(self, data: str) -> int:
        raise OSError(28, "No space left on device")

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


@contextmanager
def _poll_log(log_file: Path) -> Iterator[logging.FileHandler]:
    """`poll --log FILE`'s logging set up, its file's handler given; put back as it was."""
    from fetchers.service import setup_logging

    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    setup_logging(log_file)
    try:
        yield next(h for h in root.handlers if isinstance(h, logging.FileHandler))
    finally:
        for handler in root.handlers:
            handler.close()
        root.handlers[:] = handlers
        root.setLevel(level)


def test_a_log_file_the_disk_refuses_is_said_once_not_as_tracebacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`poll --log FILE` on a full disk: stderr says once that the log cannot be written,
    and why, (not a "Logging error" traceback for each line), and once when it can again."""
    log_file = tmp_path / "poll.log"
    with _poll_log(log_file) as file_handler:
        good = file_handler.stream
        file_handler.stream = _FullDisk()
        log = logging.getLogger("wirewatch")
        for n in range(5):
            log.info("polled %d sources", n)
        file_handler.stream = good
        log.info("polled after the disk was freed")
    err = capsys.readouterr().err
    assert "Logging error" not in err and "Traceback" not in err
    refused = [line for line in err.splitlines() if "cannot write the log" in line]
    assert len(refused) == 1 and "No space left on device" in refused[0]
    assert str(log_file) in refused[0]
    assert sum("polled" in line and "sources" in line for line in err.splitlines()) == 5
    assert sum("is written again" in line for line in err.splitlines()) == 1
    assert "polled after the disk was freed" in log_file.read_text("utf-8")


class _FullOnFlush(_FullDisk):
    """A log file's stream holding lines the full disk will not take when flushed."""

    def flush(self) -> None:
        raise OSError(28, "No space left on device")


def test_a_log_rotated_away_while_the_disk_refused_its_last_lines_takes_lines_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """logrotate moving a log whose last lines the full disk refused: the move is noticed
    as a line is logged, and the flush of the old file's lines failed outside logging's
    own error handling, raising out of the poller's log call at every line after."""
    log_file = tmp_path / "poll.log"
    with _poll_log(log_file) as file_handler:
        log = logging.getLogger("wirewatch")
        log.info("polled before the disk filled")
        file_handler.stream.close()
        file_handler.stream = _FullOnFlush()
        log_file.rename(tmp_path / "poll.log.1")  # (logrotate)
        for n in range(3):
            log.info("polled %d sources after the rotation", n)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert sum("cannot write the log" in line for line in err.splitlines()) == 1
    assert "polled 2 sources after the rotation" in log_file.read_text("utf-8")
