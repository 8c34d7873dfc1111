"""A hostile publisher on 127.0.0.1, a broken config, a full disk, a tampered cache: one route
or one setup per behaviour. Each must end in a clear error that loses nothing, never a
traceback, a stall, a dead poller or a leaked secret."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import re
import resource
import signal
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fetchers import atomic, parsepool
from fetchers.config import ConfigError, load_config
from fetchers.http import MAX_SERVER_DELAY, FetchError, fetch, make_client, parse_retry_after
from fetchers.models import PollResult, Source
from fetchers.newsroom import Cycle, Newsroom
from fetchers.opml import parse_opml
from fetchers.parsepool import ParsePool
from fetchers.poller import FLUSH_AFTER, PAGES_PER_SOURCE, Poller
from fetchers.query import QueryError, parse_query
from fetchers.redact import PlainFormatter, printable
from fetchers.service import setup_logging
from fetchers.store import Store, StoreError
from tests.conftest import FeedServer, Route, config_for, poll_once, rss, write_config
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
ITEMS = [
    f"<title>Story {n}</title><guid>s{n}</guid><link>https://example.org/{n}</link>"
    for n in range(5)
]
ESC = "\x1b]0;PWNED\x07\x1b[31m"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def two_sources(tmp_path: Path, good: str, bad: str, extra: str = "") -> Path:
    return write_config(
        tmp_path / "c.toml",
        f'[settings]\ntimeout = "5s"\n{extra}\n'
        f'[[sources]]\nname = "good"\nurl = "{good}"\n'
        f'[[sources]]\nname = "bad"\nurl = "{bad}"\n',
    )


# -- a server's delays -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "retry_after", ["99999999999999999999", "Fri, 31 Dec 9999 23:59:59 GMT", "9" * 400]
)
def test_a_servers_retry_after_is_capped_at_a_day(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str], retry_after: str
) -> None:
    good = feed_server.add("/good", Route(rss(*ITEMS)))
    bad = feed_server.add("/bad", Route(status=429, headers={"Retry-After": retry_after}))
    config = two_sources(tmp_path, good, bad)
    data = tmp_path / "d"
    code, out, err = run(capsys, "--config", str(config), "--data-dir", str(data), "refresh")
    assert code == 1, err  # one source failed; nothing crashed
    assert "Traceback" not in err and "5 new of 5" in out
    code, out, _ = run(
        capsys, "--config", str(config), "--data-dir", str(data), "sources", "--json"
    )
    health = {line["name"]: line for line in map(json.loads, out.splitlines())}
    next_poll = datetime.fromisoformat(health["bad"]["next_poll"])
    polled = datetime.now(next_poll.tzinfo)
    assert next_poll - polled <= timedelta(seconds=MAX_SERVER_DELAY + 60)
    assert health["good"]["status"] == "ok"


def test_retry_after_values_are_bounded() -> None:
    assert parse_retry_after("99999999999999999999") == MAX_SERVER_DELAY
    assert parse_retry_after("Fri, 31 Dec 9999 23:59:59 GMT") == MAX_SERVER_DELAY
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Mon, 01 Jan 2001 00:00:00 GMT") == 0.0  # past: at once
    assert parse_retry_after("soon") is None


async def test_the_poll_loop_survives_a_huge_retry_after(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """The daemon's loop goes on polling after such a source, instead of dying at its first
    cycle (and again at every restart)."""
    good = feed_server.add("/good", Route(rss(*ITEMS)))
    bad = feed_server.add("/bad", Route(status=503, headers={"Retry-After": "9" * 30}))
    clock = [now]
    store = Store(tmp_path / "data", writer=True)
    config = config_for(tmp_path, Source("good", url=good, interval=60), Source("bad", url=bad))
    newsroom = Newsroom(config, store, tmp_path / "data", lambda: clock[0])
    stop = asyncio.Event()
    cycles: list[int] = []

    def on_cycle(cycle: Cycle) -> None:
        cycles.append(len(cycle.results))
        clock[0] += timedelta(minutes=2)  # the good source is due again
        if len(cycles) == 2:
            stop.set()

    newsroom.on_cycle(on_cycle)
    try:
        await asyncio.wait_for(newsroom.run(stop, tick=0.01), timeout=30)
    finally:
        await newsroom.aclose()
        store.close()
    assert cycles == [2, 1]  # the second cycle polled the good one; the bad one waits
    saved = orjson.loads((tmp_path / "data" / "sources.json").read_bytes())
    assert saved["bad"]["status"] == "error"


# -- what a server says --------------------------------------------------------------------


async def _redirect_error(feed_server: FeedServer, path: str, location: str) -> Exception:
    """What fetching `path` raises when it redirects to `location`."""
    url = feed_server.add(path, Route(status=302, headers={"Location": location}))
    client = make_client(None, 2, 5.0)
    try:
        with pytest.raises(Exception) as caught:
            await fetch(client, url, deadline=5.0, max_body=100_000)
    finally:
        await client.aclose()
    return caught.value


async def test_a_redirect_to_a_port_that_cannot_be_is_a_plain_error(
    feed_server: FeedServer,
) -> None:
    error = await _redirect_error(feed_server, "/away", "http://127.0.0.1:99999/x")
    assert "port 99999" in str(error)
    assert "ExceptionGroup" not in str(error) and "TaskGroup" not in str(error)


async def test_a_redirect_to_another_scheme_says_it_was_a_redirect(
    feed_server: FeedServer,
) -> None:
    """A feed's http address redirected to ftp: the error said "not an http or https URL", as
    if the address configured were the fault."""
    error = await _redirect_error(feed_server, "/ftp", "ftp://files.example/f")
    assert isinstance(error, FetchError)
    assert str(error) == "redirected to an address of the ftp scheme: not an http or https URL"
    # (a file's address has no host: the server's was named, "file://127.0.0.1")
    error = await _redirect_error(feed_server, "/file", "file:///etc/passwd")
    assert str(error) == "redirected to an address of the file scheme: not an http or https URL"


async def test_an_unsolicited_304_on_a_first_fetch_is_an_error(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    url = feed_server.add("/lazy", Route(status=304))
    results, _ = await poll_once(tmp_path, now, Source("lazy", url=url))
    result = results["lazy"]
    assert result.status == "error" and "304" in (result.error or "")


# -- the query language and the config ---------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["since:99999999999w", "before:9999-12-31T23:59:59-23:59", "since:999999d", "before:1e400s"],
)
def test_out_of_range_times_in_a_query_are_query_errors(text: str, now: datetime) -> None:
    with pytest.raises(QueryError):
        parse_query(text, now)


def test_list_with_an_out_of_range_time_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path / "c.toml", "")
    code, _, err = run(
        capsys, "--config", str(config), "--data-dir", str(tmp_path), "list", "since:99999999999w"
    )
    assert code == 2 and "Traceback" not in err and "since:99999999999w" in err


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ('interval = "99999999999w"', "settings.interval"),
        ("retention_days = 99999999999", "settings.retention_days"),
        ('timeout = "999d"', "settings.timeout"),
    ],
)
def test_config_values_that_would_overflow_later_are_refused_at_load(
    tmp_path: Path, now: datetime, line: str, key: str
) -> None:
    path = write_config(tmp_path / "c.toml", f"[settings]\n{line}\n")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_config(path, now)


def test_a_source_interval_that_would_overflow_is_refused(tmp_path: Path, now: datetime) -> None:
    path = write_config(
        tmp_path / "c.toml",
        '[[sources]]\nname = "x"\nurl = "http://127.0.0.1:9/"\ninterval = "99999999999w"\n',
    )
    with pytest.raises(ConfigError, match=r"sources\[0\]\.interval|interval"):
        load_config(path, now)


# -- the disk ------------------------------------------------------------------------------------


def _refresh_with_a_file_size_limit(
    config: Path, data: Path, limit: int
) -> subprocess.CompletedProcess:
    """`wirewatch refresh` in a process that may not write files larger than `limit` bytes:
    the kernel answers its writes with EFBIG, as a full disk answers ENOSPC."""

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data), "refresh"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=small_disk,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def test_a_full_disk_is_a_store_error_and_loses_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    small = feed_server.add("/small", Route(rss(*ITEMS)))
    big_items = [
        f"<title>Long story {n}</title><guid>l{n}</guid><description>{'words ' * 400}</description>"
        for n in range(40)
    ]
    big = feed_server.add("/big", Route(rss(*big_items)))
    data = tmp_path / "d"
    first = write_config(tmp_path / "c1.toml", f'[[sources]]\nname = "good"\nurl = "{small}"\n')
    done = _refresh_with_a_file_size_limit(first, data, 64_000)
    assert done.returncode == 0, done.stderr
    both = two_sources(tmp_path, small, big)
    full = _refresh_with_a_file_size_limit(both, data, 64_000)
    assert full.returncode == 2, full.stderr
    assert "Traceback" not in full.stderr and "cannot write" in full.stderr
    with Store(data) as store:
        assert len(store) == 5  # what was stored before is all there, and readable
    again = _refresh_with_a_file_size_limit(both, data, 10_000_000)
    assert again.returncode == 0, again.stderr  # the next run stores what the disk refused
    with Store(data) as store:
        assert len(store) == 45


def test_a_data_dir_that_cannot_be_written_is_a_store_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "d"
    (data / "writer.lock").mkdir(parents=True)  # open() fails as on a read-only mount
    config = write_config(tmp_path / "c.toml", "")
    code, _, err = run(capsys, "--config", str(config), "--data-dir", str(data), "refresh")
    assert code == 2 and "cannot write the data dir" in err and "Traceback" not in err
    with pytest.raises(StoreError):
        Store(data, writer=True)


async def test_poll_goes_on_when_a_write_fails_and_stores_it_next_time(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = feed_server.add("/f", Route(rss(*ITEMS), etag='"v1"'))
    store = Store(tmp_path / "data", writer=True)
    clock = [now]
    poller = Poller(
        config_for(tmp_path, Source("f", url=url, interval=600)), store, lambda: clock[0]
    )
    original_write = atomic.atomic_write_bytes
    refuse = [True]

    def full_disk(path: Path, data: bytes) -> None:
        if refuse[0]:
            raise OSError(28, "No space left on device")
        original_write(path, data)

    monkeypatch.setattr(atomic, "atomic_write_bytes", full_disk)
    monkeypatch.setattr("fetchers.healthbook.atomic_write_bytes", full_disk)
    try:
        [first] = await poller.poll()
        assert first.status == "error" and "No space left" in (first.error or "")
        assert len(store) == 0
        assert poller.health["f"].etag is None  # the validators wait for the articles
        refuse[0] = False
        clock[0] += timedelta(minutes=2)
        assert [s.name for s in poller.due(clock[0])] == ["f"]  # asked again soon
        [second] = await poller.poll()
    finally:
        await poller.aclose()
        store.close()
    assert second.status == "ok" and len(second.new_ids) == 5
    assert feed_server.hits["/f"][-1].get("If-None-Match") is None


def test_a_row_cache_of_the_wrong_types_is_rebuilt(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    url = feed_server.add("/f", Route(rss(*ITEMS)))
    config = write_config(tmp_path / "c.toml", f'[[sources]]\nname = "f"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert run(capsys, "--config", str(config), "--data-dir", str(data), "refresh")[0] == 0
    [rows] = data.glob("rows-*.json")
    cache = orjson.loads(rows.read_bytes())
    cache[1][5] = "notafloat"  # the first row (after the header)
    cache[2][2] = 12345
    signature = os.stat(rows)
    rows.write_bytes(orjson.dumps(cache))
    os.utime(rows, ns=(signature.st_atime_ns, signature.st_mtime_ns))
    for command in (["list", "--json"], ["refresh"]):
        code, out, err = run(capsys, "--config", str(config), "--data-dir", str(data), *command)
        assert code == 0 and "Traceback" not in err, err
    code, out, _ = run(capsys, "--config", str(config), "--data-dir", str(data), "list", "--json")
    assert sorted(json.loads(line)["title"] for line in out.splitlines()) == [
        f"Story {n}" for n in range(5)
    ]
    assert "notafloat" not in rows.read_text()  # rebuilt from the shard


# -- OPML ----------------------------------------------------------------------------------------


def test_opml_nested_thousands_deep_is_read(tmp_path: Path) -> None:
    depth = 5000
    opml = (
        '<opml version="2.0"><body>'
        + '<outline text="f">' * depth
        + '<outline text="deep" xmlUrl="https://example.org/deep.xml"/>'
        + "</outline>" * depth
        + "</body></opml>"
    )
    [found] = parse_opml(opml.encode())
    assert found.url == "https://example.org/deep.xml" and found.tags == ["f"]


def test_opml_folders_nested_thousands_deep_give_a_bounded_path(tmp_path: Path) -> None:
    """Folders of distinct names 5,000 deep: each level kept a copy of its path (20,000
    deep took 1.6 GB) and the feed became a source of 20,000 tags. The outermost sixteen
    folders are its tags."""
    from fetchers.opml import FOLDER_TAGS

    depth = 5000
    opml = (
        '<opml version="2.0"><body>'
        + "".join(f'<outline text="d{n}">' for n in range(depth))
        + '<outline text="deep" xmlUrl="https://example.org/deep.xml"/>'
        + "</outline>" * depth
        + "</body></opml>"
    )
    [found] = parse_opml(opml.encode())
    assert found.tags == [f"d{n}" for n in range(FOLDER_TAGS)]


def test_opml_import_keeps_the_good_entries_and_says_which_were_skipped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="ok" xmlUrl="https://example.org/ok.xml" category="/world\u009d0;x\u009c"/>'
        '<outline text="del" xmlUrl="https://example.org/a&#x7f;b.xml"/>'
        '<outline text="ftp one" xmlUrl="ftp://example.org/\u009b31mRED"/>'
        "</body></opml>",
        "utf-8",
    )
    config = write_config(tmp_path / "c.toml", "")
    code, out, err = run(capsys, "--config", str(config), "import-opml", str(opml))
    assert code == 0, err
    assert "imported 1 of 3" in out
    assert "'del'" in err and "'ftp one'" in err
    assert "\u009b" not in err and "\x1b" not in err
    text = config.read_text("utf-8")
    assert "https://example.org/ok.xml" in text and "\u009d" not in text
    loaded = load_config(config, datetime.now().astimezone())
    assert loaded.sources[0].tags == ["world"]  # (what the OSC carried went with it)


def test_opml_with_thousands_of_one_name_numbers_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], now: datetime
) -> None:
    count = 3000
    opml = tmp_path / "same.opml"
    opml.write_text(
        "<opml><body>"
        + "".join(
            f'<outline text="Same name" xmlUrl="https://example.org/{n}.xml"/>'
            for n in range(count)
        )
        + "</body></opml>",
        "utf-8",
    )
    config = write_config(tmp_path / "c.toml", "")
    assert run(capsys, "--config", str(config), "import-opml", str(opml))[0] == 0
    names = [s.name for s in load_config(config, now).sources]
    assert len(set(names)) == count
    assert names[:3] == ["Same name", "Same name (2)", "Same name (3)"]
    assert names[-1] == f"Same name ({count})"


# -- secrets and the log -----------------------------------------------------------------------


async def test_the_poll_log_carries_no_password_and_no_escape_codes(
    tmp_path: Path, now: datetime, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.add("/secret", Route(rss(*ITEMS)))
    feed_server.add("/evil", Route(status=599, phrase=f"{ESC}EVIL"))
    host = feed_server.base.removeprefix("http://")
    secret = f"http://me:s3cr3tPW@{host}/secret"
    evil = f"http://me:s3cr3tPW@{host}/evil"
    log_file = tmp_path / "poll.log"
    setup_logging(log_file)
    store = Store(tmp_path / "data", writer=True)
    config = config_for(tmp_path, Source("secret", url=secret), Source("evil", url=evil))
    poller = Poller(config, store, lambda: now)
    try:
        await poller.poll()
        logging.getLogger("httpx").info("HTTP Request: GET %s %s", secret, f"{ESC}x")
        logging.getLogger("wirewatch").warning("seen: %s", f"{evil} {ESC}")
    finally:
        await poller.aclose()
        store.close()
        for handler in logging.getLogger().handlers:
            handler.flush()
    written = log_file.read_text("utf-8") + capsys.readouterr().err
    assert "seen:" in written and "me:***@" in written
    assert "s3cr3tPW" not in written
    assert "\x1b" not in written and "\x07" not in written
    logging.getLogger().handlers.clear()


def test_add_keeps_credentials_and_never_prints_them(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    feed_server.add("/auth", Route(rss(*ITEMS)))
    host = feed_server.base.removeprefix("http://")
    config = write_config(tmp_path / "c.toml", "")
    code, out, err = run(
        capsys, "--config", str(config), "add", f"http://me:s3cr3tPW@{host}/nothing-here"
    )
    assert code == 1 and "s3cr3tPW" not in err and "me:***@" in err
    code, out, err = run(capsys, "--config", str(config), "add", f"http://me:s3cr3tPW@{host}/auth")
    assert code == 0, err
    assert "s3cr3tPW" not in out + err
    assert f"http://me:s3cr3tPW@{host}/auth" in config.read_text("utf-8")  # still sent


def test_export_opml_leaves_credentials_out_unless_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path / "c.toml",
        '[[sources]]\nname = "Members"\nurl = "https://me:s3cr3tPW@wire.example/rss"\n',
    )
    code, out, err = run(capsys, "--config", str(config), "export-opml")
    assert code == 0 and "s3cr3tPW" not in out and 'xmlUrl="https://wire.example/rss"' in out
    assert "Members" in err and "--with-credentials" in err
    code, out, _ = run(capsys, "--config", str(config), "export-opml", "--with-credentials")
    assert "me:s3cr3tPW@wire.example" in out


# -- one slow or hostile source never holds the others ---------------------------------------


async def test_full_text_pages_never_hold_the_cycle(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """200 links to pages that drip: the articles of both sources are stored when the cycle
    ends, only PAGES_PER_SOURCE pages are asked for, and closing drops the rest at once."""
    page = feed_server.add("/slow-page", Route(b"<html><body><p>x</p></body></html>", drip=1.0))
    links = [
        f"<title>Linked {n}</title><guid>p{n}</guid><link>{page}?n={n}</link>" for n in range(200)
    ]
    for n in range(200):
        feed_server.routes[f"/slow-page?n={n}"] = feed_server.routes["/slow-page"]
    pages = feed_server.add("/pages.xml", Route(rss(*links)))
    normal = feed_server.add("/normal.xml", Route(rss(*ITEMS)))
    store = Store(tmp_path / "data", writer=True)
    config = config_for(
        tmp_path, Source("pages", url=pages, full_text=True), Source("normal", url=normal)
    )
    poller = Poller(config, store, lambda: now)
    try:
        results = {r.source: r for r in await poller.poll()}
        assert len(results["pages"].new_ids) == 200 and len(results["normal"].new_ids) == 5
        assert len(store) == 205  # stored before any page arrived
        await asyncio.sleep(0.5)
    finally:
        await poller.aclose()  # returns although pages are still dripping
        store.close()
    asked = sum(len(v) for k, v in feed_server.hits.items() if k.startswith("/slow-page"))
    assert 0 < asked <= PAGES_PER_SOURCE


async def test_a_fast_sources_articles_are_stored_while_a_slow_one_answers(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    fast = feed_server.add("/fast.xml", Route(rss(*ITEMS)))
    slow = feed_server.add(
        "/slow.xml", Route(rss("<title>Late</title><guid>late</guid>"), delay=FLUSH_AFTER + 3)
    )
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(
        config_for(tmp_path, Source("fast", url=fast), Source("slow", url=slow), timeout=30),
        store,
        lambda: now,
    )
    seen_while_slow: list[int] = []

    async def watch() -> None:
        while not feed_server.hits.get("/slow.xml") or feed_server.load["now"]:
            if feed_server.hits.get("/slow.xml") and len(store):
                seen_while_slow.append(len(store))
                return
            await asyncio.sleep(0.05)

    try:
        watcher = asyncio.create_task(watch())
        results = {r.source: r for r in await poller.poll()}
        await watcher
    finally:
        await poller.aclose()
        store.close()
    assert seen_while_slow == [5]  # the fast source's five, while the slow one still answered
    assert len(results["slow"].new_ids) == 1


async def test_a_parse_that_overruns_its_deadline_fails_that_source_only(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = parsepool.parse_source

    def stuck_on_slow(source: Source, body: bytes, *rest: object) -> list:
        if b"SLOW" in body:
            while True:  # a parse that would never end (pure Python: the alarm stops it)
                pass
        return real(source, body, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(parsepool, "parse_source", stuck_on_slow)
    monkeypatch.setattr("fetchers.poller.PARSE_DEADLINE", 0.5)
    pool = ParsePool(workers=1, start_method="fork")  # forked after the patch: it has it
    hostile = feed_server.add("/hostile.xml", Route(rss("<title>SLOW</title><guid>s</guid>")))
    good = feed_server.add("/good.xml", Route(rss(*ITEMS)))
    store = Store(tmp_path / "data", writer=True)
    config = config_for(tmp_path, Source("hostile", url=hostile), Source("good", url=good))
    poller = Poller(config, store, lambda: now, parse_pool=pool)
    try:
        results = {r.source: r for r in await poller.poll()}
    finally:
        await poller.aclose()
        store.close()
        pool.close(wait=True)
    assert results["hostile"].status == "error"
    assert "longer than 0.5s" in (results["hostile"].error or "")
    assert results["good"].status == "ok" and len(results["good"].new_ids) == 5


async def test_fields_that_cannot_be_read_are_counted_in_the_sources_health(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    items = [
        *ITEMS,
        "<title>Odd date</title><guid>d</guid><pubDate>Fri, 24 Oct 2025 +25:00</pubDate>",
    ]
    url = feed_server.add("/dates.xml", Route(rss(*items)))
    results, poller = await poll_once(tmp_path, now, Source("dates", url=url))
    result = results["dates"]
    assert result.status == "ok" and len(result.new_ids) == 6  # the odd one is kept, undated
    health = poller.health["dates"]
    assert health.warnings == 1 and "date" in (health.last_warning or "")
    saved = orjson.loads((tmp_path / "data" / "sources.json").read_bytes())
    assert saved["dates"]["warnings"] == 1


async def test_a_date_in_the_future_is_the_time_it_was_fetched_and_is_counted(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A feed whose clock or zone is wrong (a Seoul time written as UTC) cannot keep its item
    at the top of every list for hours: a publication time more than a few minutes past the
    fetch is when it was fetched, and the source's health says why."""
    ahead = (now + timedelta(hours=9)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    drift = (now + timedelta(minutes=3)).strftime("%a, %d %b %Y %H:%M:%S +0000")
    url = feed_server.add(
        "/ahead.xml",
        Route(
            rss(
                f"<title>Nine hours ahead</title><guid>a</guid><pubDate>{ahead}</pubDate>",
                f"<title>A clock's drift</title><guid>b</guid><pubDate>{drift}</pubDate>",
            )
        ),
    )
    results, poller = await poll_once(tmp_path, now, Source("ahead", url=url))
    assert results["ahead"].status == "ok" and len(results["ahead"].new_ids) == 2
    with Store(tmp_path / "data") as store:
        published = {a.title: a.published for a in store.query()}
    assert published == {"Nine hours ahead": now, "A clock's drift": now + timedelta(minutes=3)}
    health = poller.health["ahead"]
    assert health.warnings == 1 and "date in the future" in (health.last_warning or "")


async def _poll_page(
    tmp_path: Path, now: datetime, feed_server: FeedServer, page: str
) -> tuple[dict[str, PollResult], Poller]:
    """One poll of a `page` source named "Page" whose page is `page` (UTF-8 HTML)."""
    url = feed_server.add(
        "/page.html", Route(page.encode(), headers={"Content-Type": "text/html; charset=utf-8"})
    )
    return await poll_once(tmp_path, now, Source("Page", url=url, kind="page"))


async def test_a_page_dated_ahead_is_dated_when_it_was_fetched(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A `page` source whose page states a publication in 2099 (its JSON-LD) sat at the top
    of every list for good, its age "Jan'99", with no word in its health: a page's date is
    taken as a feed item's is."""
    page = (
        "<html><head><title>Talks</title><script type='application/ld+json'>"
        '{"@type": "NewsArticle", "headline": "Talks", "datePublished": "2099-01-01T00:00:00Z"}'
        "</script></head><body><article><h1>Talks</h1>"
        + "<p>South Korea and the United States remain far apart on key points.</p>" * 5
        + "</article></body></html>"
    )
    results, poller = await _poll_page(tmp_path, now, feed_server, page)
    assert results["Page"].status == "ok" and len(results["Page"].new_ids) == 1
    with Store(tmp_path / "data") as store:
        assert [a.published for a in store.query()] == [now]
    health = poller.health["Page"]
    assert health.warnings == 1 and "date in the future" in (health.last_warning or "")
    assert "2099-01-01" in (health.last_warning or "")


async def test_a_page_that_declares_no_language_is_given_the_one_its_words_say(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A feed's item without a declared language is given the one its words say clearly
    (`lang:ko`); a `page` source's page was not: no `<html lang>`, no language."""
    page = (
        "<html><head><title>한미 관세 협상 타결</title></head><body><article>"
        "<h1>한미 관세 협상 타결</h1>"
        + "<p>한국과 미국이 경주에서 열린 정상회담에서 관세 협상을 타결했다고 밝혔다.</p>" * 5
        + "</article></body></html>"
    )
    results, _ = await _poll_page(tmp_path, now, feed_server, page)
    assert results["Page"].status == "ok"
    with Store(tmp_path / "data") as store:
        assert [a.lang for a in store.query()] == ["ko"]


# -- nothing printed or logged drives the terminal -----------------------------------------------

UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=["Cs"]), max_size=300))
def test_nothing_printed_or_logged_carries_controls_bidi_or_a_password(text: str) -> None:
    message = f"http://me:s3cr3tPW@host/feed {text}"
    shown = printable(message)
    assert not UNSAFE.search(shown) and "\n" not in shown and "s3cr3tPW" not in shown
    record = logging.LogRecord("httpx", logging.INFO, "x", 1, "GET %s", (message,), None)
    logged = PlainFormatter("%(message)s").format(record)
    assert not UNSAFE.search(logged.replace("\n", "")) and "s3cr3tPW" not in logged


def test_event_names_from_the_config_print_plain(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(
        tmp_path / "c.toml",
        '[[events]]\nname = "Summit\\u001b]0;PWNED\\u0007 \\u202eday"\nwhen = "2030-01-01 09:00"\n'
        'tz = "UTC"\n',
    )
    code, out, _ = run(capsys, "--config", str(config), "events")
    assert code == 0 and "Summit" in out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out


def test_a_headline_changed_between_polls_is_a_revision_of_the_same_article(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    route = Route(
        rss("<title>Talks stall</title><guid>story-1</guid><description>v1</description>")
    )
    url = feed_server.add("/edit.xml", route)
    config = write_config(
        tmp_path / "c.toml",
        f'[settings]\ntimezone = "Asia/Seoul"\n[[sources]]\nname = "f"\nurl = "{url}"\n',
    )
    common = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert run(capsys, *common, "refresh")[0] == 0
    route.body = rss("<title>Talks resume</title><guid>story-1</guid><description>v2</description>")
    code, out, _ = run(capsys, *common, "refresh")
    assert code == 0 and "f: 0 new, 1 revised of 1" in out and "0 new articles, 1 revised" in out
    route.body = rss("<title>Talks end</title><guid>story-1</guid><description>v3</description>")
    code, out, _ = run(capsys, *common, "refresh", "--json")
    assert [(r["new"], r["revised"]) for r in map(json.loads, out.splitlines())] == [(0, 1)]
    code, out, _ = run(capsys, *common, "list", "--json")
    [listed] = [json.loads(line) for line in out.splitlines()]
    assert listed["title"] == "Talks end" and listed["summary"] == "v3"
    code, out, _ = run(capsys, *common, "show", listed["id"], "--json")
    shown = json.loads(out)
    assert [(r["title"], r["summary"]) for r in shown["revisions"]] == [
        ("Talks stall", "v1"),
        ("Talks resume", "v2"),
    ]
    assert shown["revisions"][0]["seen"].endswith("Z")
    # when the wording it has now was first seen: after every earlier one's
    assert shown["revised"].endswith("Z") and shown["revised"] >= shown["revisions"][1]["seen"]
    # plain `show` prints each earlier headline, and its summary where it said another
    route.body = rss("<title>Talks end</title><guid>story-1</guid><description>v4</description>")
    assert run(capsys, *common, "refresh")[0] == 0
    code, out, _ = run(capsys, *common, "show", listed["id"])
    earlier = [line for line in out.splitlines() if line.startswith(("earlier", "  summary"))]
    assert [line.split(": ", 1)[1] for line in earlier] == [
        "Talks stall",
        "v1",
        "Talks resume",
        "v2",
        "Talks end",  # a revision of the summary alone
        "v3",
    ]
    # each version's time in the reader's zone, as the article's own, never raw UTC
    assert all(line.split(": ", 1)[0].endswith(" KST)") for line in earlier[::2])
    assert (
        sum(line.startswith("revised ") and line.endswith(" KST") for line in out.splitlines()) == 1
    )
    # a headline back to an earlier wording keeps that step when it is rewritten again
    # ("Talks stall" after "Talks resume" was dropped, and the change shown last was
    # "Talks resume" to what came after the return)
    for title in ("Talks stall", "Talks final"):
        route.body = rss(f"<title>{title}</title><guid>story-1</guid><description>v1</description>")
        assert run(capsys, *common, "refresh")[0] == 0
    code, out, _ = run(capsys, *common, "show", listed["id"], "--json")
    assert [(r["title"], r["summary"]) for r in json.loads(out)["revisions"]] == [
        ("Talks stall", "v1"),
        ("Talks resume", "v2"),
        ("Talks end", "v3"),
        ("Talks end", "v4"),
        ("Talks stall", "v1"),
    ]


async def test_full_texts_dropped_at_shutdown_are_fetched_at_the_next_poll(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    page = Route(
        b"<html><body><article><p>" + b"Full words here. " * 40 + b"</p></article></body></html>",
        delay=3.0,
    )
    links = []
    for n in range(3):
        links.append(feed_server.add(f"/page{n}.html", page))
    url = feed_server.add(
        "/ft.xml",
        Route(
            rss(
                *(
                    f"<title>T{n}</title><guid>{n}</guid><link>{link}</link>"
                    for n, link in enumerate(links)
                )
            )
        ),
    )
    config = config_for(tmp_path, Source("ft", url=url, full_text=True))
    store = Store(tmp_path / "data", writer=True)
    try:
        first = Poller(config, store, lambda: now)
        [result] = await first.poll()
        await first.aclose()  # the pages are still on their way: dropped
        assert all(store.text(i) is None for i in result.new_ids)
        page.delay = 0.0
        second = Poller(config, store, lambda: now)
        await second.poll()  # nothing new in the feed; the missing texts are asked again
        await second.drain_pages(10)
        await second.aclose()
        assert all("Full words here" in (store.text(i) or "") for i in result.new_ids)
    finally:
        store.close()


def test_a_viewer_sees_full_texts_and_revisions_written_after_it_opened(tmp_path: Path) -> None:
    from fetchers.models import Article

    when = datetime(2025, 10, 24, 7, 0).astimezone()
    article = Article(
        id="a1", source="S", title="Old", link=None, published=when, fetched=when, summary="s"
    )
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([article])
        with Store(tmp_path) as viewer:
            assert viewer.text("a1") is None
            writer.set_texts([("a1", "The whole story.")])
            writer.add_batch(
                [
                    Article(
                        id="a1",
                        source="S",
                        title="New",
                        link=None,
                        published=when,
                        fetched=when,
                        summary="s2",
                    )
                ]
            )
            viewer.reload()
            assert viewer.text("a1") == "The whole story."
            shown = viewer.get("a1")
            assert shown is not None and shown.title == "New"


def test_retention_keeps_what_a_viewer_starred_and_a_kept_articles_full_text(
    tmp_path: Path,
) -> None:
    from fetchers.models import Article

    old = datetime(2025, 9, 1, 7, 0).astimezone()
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(
            [
                Article(
                    id="o1",
                    source="S",
                    title="Old one",
                    link=None,
                    published=old,
                    fetched=old,
                    summary="",
                )
            ]
        )
        with Store(tmp_path) as viewer:
            viewer.set_state(["o1"], starred=True)
        assert writer.apply_retention(30, old + timedelta(days=40)) == 0
        writer.set_texts([("o1", "Kept text.")])
        today = old + timedelta(days=80)
        writer.add_batch(
            [
                Article(
                    id="n1",
                    source="S",
                    title="New",
                    link=None,
                    published=today,
                    fetched=today,
                    summary="",
                )
            ]
        )
        writer.apply_retention(30, today + timedelta(days=40))
    with Store(tmp_path) as again:
        assert again.get("o1") is not None and again.text("o1") == "Kept text."


def test_passwords_hide_whatever_they_hold_and_a_broken_ipv6_url_is_skipped() -> None:
    for url in ("https://me@mail.example:pw'x@host/f", "http://me:p@ss:w@host/f"):
        assert "pw" not in printable(f"failed: {url}") and ":***@host/f" in printable(url)
    [found] = parse_opml(
        b'<opml><body><outline text="v6" xmlUrl="http://[::1/feed"/></body></opml>'
    )
    assert found.skipped is not None


def test_sorting_by_relevance_falls_back_to_newest_when_the_index_cannot_be_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], feed_server: FeedServer
) -> None:
    url = feed_server.add("/f.xml", Route(rss(*ITEMS)))
    config = write_config(tmp_path / "c.toml", f'[[sources]]\nname = "f"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert run(capsys, "--config", str(config), "--data-dir", str(data), "refresh")[0] == 0
    for name in ("search.sqlite", "search.sqlite-wal", "search.sqlite-shm"):
        (data / name).unlink(missing_ok=True)
    (data / "search.sqlite").mkdir()  # cannot be opened as a database, as on a read-only dir
    code, out, err = run(
        capsys,
        "--config",
        str(config),
        "--data-dir",
        str(data),
        "list",
        "Story",
        "--sort",
        "relevance",
    )
    assert code == 0 and "newest first instead" in err and out.count("Story") == 5


def test_a_ctrl_c_at_the_terminal_leaves_the_parse_workers_to_their_owner() -> None:
    """The terminal sends Ctrl-C to the whole process group: a parse worker ignores it (its
    owner stops it), rather than dying with a KeyboardInterrupt traceback over the owner's
    goodbye and breaking the pool for the owner's last cycle."""
    import os
    import signal

    pool = ParsePool(workers=1, start_method="fork")
    try:
        worker = pool._executor.submit(os.getpid).result(timeout=30)
        os.kill(worker, signal.SIGINT)
        # still the same worker, still working
        assert pool._executor.submit(os.getpid).result(timeout=30) == worker
    finally:
        pool.close(wait=True)
