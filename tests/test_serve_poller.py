"""`wirewatch serve` keeps its data dir polled while it runs, whatever tabs come and go: a
real server on a free port, a local feed and webhook receiver, and the processes looked at
through /proc. Closing the first tab stopped every other tab's updates, and with no tab open
nothing polled and no alert fired."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import aiohttp
import pytest

from fetchers.store.lock import WriterLock
from tests.conftest import FeedServer, Route, rss
from tests.procs import descendants, running
from tests.test_serve import GENEROUS, ROOT, free_port, open_tab, started_with
from tests.webhooks import Receiver, receiver_fixture  # noqa: F401 - gives `receiver`

pytestmark = pytest.mark.usefixtures("no_proxies")


def wirewatch(config: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]


def item(n: int, title: str) -> str:
    return f"<title>{title}</title><link>https://wire.example/{n}</link><guid>wire-{n}</guid>"


def write_config(tmp_path: Path, feed: str, hook: str | None = None, interval: str = "2s") -> Path:
    path = tmp_path / "wirewatch.toml"
    text = f'[settings]\ninterval = "{interval}"\n[[sources]]\nname = "Wire"\nurl = "{feed}"\n'
    if hook is not None:
        text += (
            '[[alerts]]\nname = "Strike"\nquery = "Harbourstrike"\n'
            f'notify = ["webhook"]\nwebhook = "{hook}"\n'
        )
    path.write_text(text, "utf-8")
    return path


@contextlib.contextmanager
def serving(config: Path, data: Path, log: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`wirewatch serve` on a free port, accepting connections; ended with all it started."""
    port = free_port()
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            [*wirewatch(config, data), "serve", "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=out,
        )
    try:
        until("serve listens", lambda: listening(port), lambda: proc.poll() is None, log)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pid in started_with(config):  # whatever a failed test left behind
            os.kill(pid, signal.SIGKILL)


def listening(port: int) -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def until(
    what: str,
    done: Callable[[], bool],
    alive: Callable[[], bool] = lambda: True,
    log: Path | None = None,
) -> None:
    """Wait for `done` (a deadline only a thing that never happens misses); the failure
    says `what` never came, and what serve logged meanwhile."""
    deadline = time.monotonic() + GENEROUS
    while not done():
        ended = not alive()
        if ended or time.monotonic() > deadline:
            said = f"\n--- its log:\n{log.read_text()}" if log is not None else ""
            pytest.fail(f"{'it ended before' if ended else 'never:'} {what}{said}")
        time.sleep(0.1)


def listed(config: Path, data: Path) -> str:
    """What `wirewatch list` shows of the data dir."""
    return subprocess.run(
        [*wirewatch(config, data), "list"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout


def writer(data: Path) -> int | None:
    """The pid of the process that holds the data dir's writer lock, if one does."""
    state = WriterLock(data).state()
    return state.pid if state.held else None


def stop(proc: subprocess.Popen[bytes]) -> int:
    proc.send_signal(signal.SIGTERM)
    return proc.wait(GENEROUS)


def test_serve_keeps_polling_and_alerting_with_no_tab_open(
    tmp_path: Path, feed_server: FeedServer, receiver: Receiver
) -> None:
    """The first tab opens and closes; the feed then brings a story a rule watches: it is
    stored and its webhook posted with no tab open. SIGTERM stops serve's poller with it."""
    route = Route(rss(item(1, "Cranes idle at dawn")))
    feed = feed_server.add("/wire.xml", route)
    config = write_config(tmp_path, feed, receiver.url("/hook"))
    data, log = tmp_path / "data", tmp_path / "serve.log"
    with serving(config, data, log) as (proc, port):

        async def first_tab_comes_and_goes() -> None:
            async with aiohttp.ClientSession() as session:
                tab = await open_tab(session, port)
                await tab.close()

        asyncio.run(first_tab_comes_and_goes())
        route.body = rss(item(1, "Cranes idle at dawn"), item(2, "Harbourstrike spreads"))
        until(
            "the alert posted with no tab open",
            lambda: bool(receiver.posts),
            lambda: proc.poll() is None,
            log,
        )
        assert "Harbourstrike spreads" in receiver.posts[0][1]["text"]
        assert "Harbourstrike spreads" in listed(config, data)
        poller = writer(data)
        assert poller in descendants(proc.pid)  # serve's own, not a tab's

        assert stop(proc) == 0
        assert not running(poller)
        assert started_with(config) == []  # no dashboard, no poller left
        assert writer(data) is None
    assert "starting it again" not in log.read_text()  # it never died


def test_serve_leaves_a_running_poll_be_and_takes_over_when_it_stops(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A `wirewatch poll` service already writes the data dir: serve leaves it be (its own
    waits), and polls once that one stops."""
    route = Route(rss(item(1, "Cranes idle at dawn")))
    config = write_config(tmp_path, feed_server.add("/wire.xml", route))
    data, log = tmp_path / "data", tmp_path / "serve.log"
    with open(tmp_path / "poll.log", "wb") as out:
        service = subprocess.Popen(
            [*wirewatch(config, data), "poll"], cwd=ROOT, stdout=out, stderr=out
        )

    def service_alive() -> bool:
        return service.poll() is None

    try:
        until("the poll service writes", lambda: writer(data) == service.pid, service_alive)
        with serving(config, data, log) as (proc, _port):
            ours = descendants(proc.pid)
            assert ours  # its poller, waiting
            until(
                "serve's poller waits for the other",
                lambda: "polling starts once it stops" in log.read_text(),
            )
            assert writer(data) == service.pid and service.poll() is None
            assert all(running(pid) for pid in ours)

            assert stop(service) == 0
            until(
                "serve's poller writes",
                lambda: writer(data) in descendants(proc.pid),
                lambda: proc.poll() is None,
                log,
            )
            route.body = rss(item(1, "Cranes idle at dawn"), item(2, "Ferries cancelled"))
            until("the next story is stored", lambda: "Ferries cancelled" in listed(config, data))
            assert stop(proc) == 0
            assert started_with(config) == []
    finally:
        if service.poll() is None:
            service.kill()
        service.wait()


def test_a_poller_that_dies_is_started_again_and_ends_with_a_killed_serve(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Its poller killed, serve says so once and starts another; `r` in a tab has that one
    poll at once (the feed is due in an hour); serve killed, its poller ends by itself."""
    route = Route(rss(item(1, "Cranes idle at dawn")))
    config = write_config(tmp_path, feed_server.add("/wire.xml", route), interval="1h")
    data, log = tmp_path / "data", tmp_path / "serve.log"
    with serving(config, data, log) as (proc, port):
        until(
            "serve's poller writes",
            lambda: writer(data) in descendants(proc.pid),
            lambda: proc.poll() is None,
            log,
        )
        first = writer(data)
        assert first is not None
        os.kill(first, signal.SIGKILL)  # the OOM killer, say
        until(
            "another poller of serve's writes",
            lambda: writer(data) not in (None, first) and writer(data) in descendants(proc.pid),
            lambda: proc.poll() is None,
            log,
        )
        assert log.read_text().count("the poller was ended by SIGKILL; starting it again") == 1
        until("the feed is polled", lambda: "Cranes idle at dawn" in listed(config, data))

        route.body = rss(item(1, "Cranes idle at dawn"), item(2, "Ferries cancelled"))
        asyncio.run(press_r_until(port, lambda: "Ferries cancelled" in listed(config, data)))
        assert "a viewer asked for every source now" in log.read_text()

        started = descendants(proc.pid)
        proc.kill()  # serve killed: its poller, told by the kernel, stops by itself
        proc.wait()
        until("its poller is gone", lambda: not any(running(pid) for pid in started))
        assert writer(data) is None


async def press_r_until(port: int, done: Callable[[], bool]) -> None:
    """A tab presses `r` (again every few seconds, in case the first came before its
    dashboard listened) until `done`."""
    async with aiohttp.ClientSession() as session:
        tab = await open_tab(session, port)
        deadline = time.monotonic() + GENEROUS
        while not await asyncio.to_thread(done):
            assert time.monotonic() < deadline, "r in the tab polled nothing"
            await tab.send_str(json.dumps(["stdin", "r"]))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(3):
                    while True:  # the screen it draws meanwhile, read
                        await tab.receive()
        await tab.close()
