"""Alerts a stop or a full disk kept from being kept: `wirewatch poll` in a process of its own,
killed (SIGKILL) after a cycle stored its articles and before their alerts were kept, or with
the alert files refused (ENOSPC, made by patching the writes: a test cannot fill a disk)."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from fetchers.alerthistory import AlertHistory, HistoryError
from fetchers.store import Store
from tests.conftest import FeedServer, Route, rss
from tests.pollers import ROOT, wait_for
from tui.cli import main

# `wirewatch poll` as the CLI runs it, with one way of failing (argv: MODE FLAG, then the
# CLI's): "kill" dies (SIGKILL) as a check is about to keep its alerts while FLAG exists;
# "full" refuses every write of the alert history and of alerts-state.json while FLAG exists
POLLER = """
import errno, os, signal, sys
from pathlib import Path
import fetchers.alerting as alerting
import fetchers.alerthistory as alerthistory
from tui.cli import main

mode, flag = sys.argv[1], Path(sys.argv[2])
if mode == "kill":
    keep = alerthistory.AlertHistory.append
    def append(self, entries, now, days):
        if entries and flag.exists():
            os.kill(os.getpid(), signal.SIGKILL)
        return keep(self, entries, now, days)
    alerthistory.AlertHistory.append = append
elif mode == "full":
    def full(write):
        def refused(*args, **kwargs):
            if flag.exists():
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            return write(*args, **kwargs)
        return refused
    alerthistory.AlertHistory._append_lines = full(alerthistory.AlertHistory._append_lines)
    alerthistory.AlertHistory._compact = full(alerthistory.AlertHistory._compact)
    alerting.atomic_write_bytes = full(alerting.atomic_write_bytes)
sys.exit(main(sys.argv[3:]))
"""


def start(mode: str, flag: Path, config: Path, data: Path, log: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", POLLER, mode, str(flag)]
        + ["--config", str(config), "--data-dir", str(data), "poll", "--log", str(log)],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def said(log: Path, text: str) -> bool:
    return log.exists() and text in log.read_text()


def item(guid: str, title: str, summary: str, published: datetime) -> str:
    return (
        f"<title>{title}</title><guid>{guid}</guid><description>{summary}</description>"
        f"<pubDate>{format_datetime(published)}</pubDate>"
    )


def matched(data: Path) -> list[str]:
    """The articles of the match alerts in the history, as kept."""
    return [e.article or "" for e in AlertHistory(data).load() if e.kind == "match"]


def listed(data: Path, config: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """The titles of the match alerts `wirewatch alerts --json` lists."""
    capsys.readouterr()
    assert main(["--config", str(config), "--data-dir", str(data), "alerts", "--json"]) == 0
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    return sorted(a["title"] for a in alerts if a["kind"] == "match")


def setup(tmp_path: Path, feed_server: FeedServer) -> tuple[Route, Path, Path, Path]:
    """A wire whose first poll (a backlog) holds a tariff story three days old, which never
    fires, and a rule on tariffs."""
    now = datetime.now(UTC)
    route = Route(
        rss(
            item("old", "Old trade story", "A tariff of long ago", now - timedelta(days=3)),
            item("calm", "Calm day", "Nothing to report", now),
        )
    )
    url = feed_server.add("/wire.xml", route)
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "1s"\n[[sources]]\nname = "Wire"\nurl = "{url}"\n'
        '[[alerts]]\nname = "Tariffs"\nquery = "tariff"\n',
        "utf-8",
    )
    return route, config, tmp_path / "data", tmp_path / "flag"


def tariffs(route: Route, count: int) -> list[str]:
    """The wire's next poll brings `count` stories with "tariff" in their summary."""
    now = datetime.now(UTC)
    titles = [f"Trade talks {n}" for n in range(count)]
    route.body = rss(
        *(item(f"t{n}", t, "New tariff on steel", now) for n, t in enumerate(titles)),
        item("old", "Old trade story", "A tariff of long ago", now - timedelta(days=3)),
        item("calm", "Calm day", "Nothing to report", now),
    )
    return titles


@pytest.mark.slow
def test_a_poller_killed_before_its_alerts_were_kept_fires_them_at_its_next_start(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The cycle's articles were stored (and grouped), its alerts never kept: the next
    start finds what was stored since the last check kept and checks it, each alert once,
    and the backlog's old story still fires nothing."""
    route, config, data, flag = setup(tmp_path, feed_server)
    flag.touch()
    log = tmp_path / "poll.log"
    proc = start("kill", flag, config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "2 new" in log.read_text())
        titles = tariffs(route, 4)
        assert proc.wait(timeout=30) == -signal.SIGKILL  # died as the alerts were kept
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    with Store(data) as store:  # the articles are stored: new no more to any poll
        assert {a.title for a in store.query()} >= set(titles)
    assert listed(data, config, capsys) == []

    for run in range(2):  # started again, twice: fired once, at the first
        log = tmp_path / f"poll{run}.log"
        proc = start("none", flag, config, data, log)
        try:
            assert wait_for(lambda: len(matched(data)) >= 4, timeout=30)
            assert wait_for(lambda: said(log, "polled 1 source:"))  # noqa: B023 (waited on here)
        finally:
            stop(proc)
        assert listed(data, config, capsys) == sorted(titles)
        assert len(matched(data)) == 4


@pytest.mark.slow
def test_alerts_a_full_disk_refused_fire_once_it_has_room_and_after_a_restart(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """The history and alerts-state.json refused (ENOSPC): the running poller checks the
    articles again at its next cycle once the disk has room; a poller stopped while the disk
    was full checks them at its next start. Each alert fires once."""
    route, config, data, flag = setup(tmp_path, feed_server)
    log = tmp_path / "poll.log"
    proc = start("full", flag, config, data, log)
    try:
        assert wait_for(lambda: log.exists() and "2 new" in log.read_text())
        flag.touch()  # the disk fills
        titles = tariffs(route, 3)
        assert wait_for(lambda: "alerts not kept" in log.read_text())
        assert listed(data, config, capsys) == []
        flag.unlink()  # room again: the next cycle (nothing new) checks them
        assert wait_for(lambda: len(matched(data)) == 3, timeout=30)
        assert listed(data, config, capsys) == sorted(titles)

        refused = log.read_text().count("alerts not kept")
        flag.touch()  # full again, and the poller stopped meanwhile
        more = tariffs(route, 6)[3:]
        assert wait_for(lambda: log.read_text().count("alerts not kept") > refused)
    finally:
        stop(proc)
    flag.unlink()
    proc = start("full", flag, config, data, tmp_path / "again.log")
    try:
        assert wait_for(lambda: len(matched(data)) >= 6, timeout=30)
        assert wait_for(lambda: said(tmp_path / "again.log", "polled 1 source:"))
    finally:
        stop(proc)
    assert listed(data, config, capsys) == sorted([*titles, *more])
    assert len(matched(data)) == 6


def test_alerts_a_full_disk_refused_in_a_refresh_fire_at_the_next_refresh(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`refresh` stores the articles, then the history and alerts-state.json are refused
    (ENOSPC): it exits 2 naming them, and the next refresh, with room, finds nothing new to
    poll and fires them all the same, once."""
    route, config, data, _ = setup(tmp_path, feed_server)
    where = ["--config", str(config), "--data-dir", str(data)]
    assert main([*where, "refresh"]) == 0
    titles = tariffs(route, 3)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as full:
        full.setattr("fetchers.alerthistory.AlertHistory._append_lines", refused)
        full.setattr("fetchers.alerthistory.AlertHistory._compact", refused)
        full.setattr("fetchers.alerting.atomic_write_bytes", refused)
        capsys.readouterr()
        # a store error, as for articles refused: a cron job sees the disk is full
        assert main([*where, "refresh"]) == 2
        err = capsys.readouterr().err
        assert "not saved: alert history, alert state" in err
    assert listed(data, config, capsys) == []
    assert main([*where, "refresh"]) == 0
    assert listed(data, config, capsys) == sorted(titles)
    assert main([*where, "refresh"]) == 0
    assert len(matched(data)) == 3  # once


def test_a_spike_the_history_refused_fires_at_the_next_check(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The history refused (a full disk) while alerts-state.json was written: the spike was
    not said to have fired this hour, so the next check fires it with the matches."""
    route, config, data, _ = setup(tmp_path, feed_server)
    where = ["--config", str(config), "--data-dir", str(data)]
    assert main([*where, "refresh"]) == 0
    titles = tariffs(route, 6)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as full:
        full.setattr("fetchers.alerthistory.AlertHistory._append_lines", refused)
        full.setattr("fetchers.alerthistory.AlertHistory._compact", refused)
        assert main([*where, "refresh"]) == 2
    assert AlertHistory(data).load() == []
    assert main([*where, "refresh"]) == 0
    assert listed(data, config, capsys) == sorted(titles)
    kinds = [e.kind for e in AlertHistory(data).load()]
    assert sorted(kinds) == ["match"] * 6 + ["spike"]


def test_an_append_the_disk_refused_leaves_no_line_read_as_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk that took the first lines of an append (they are written, the sync
    fails): they are cut off, so neither the writer nor a dashboard reads as kept alerts that
    were never delivered, and the check that fires them again numbers them as the next."""
    now = datetime(2025, 10, 24, 8, tzinfo=UTC)
    fields = {"alert": "T", "rule": "config:T", "kind": "match", "source": "Wire", "at": now}
    history = AlertHistory(tmp_path, writer=True)
    history.append([{**fields, "article": "a0", "title": "Tariff 0"}], now, 30)
    history.append([{**fields, "article": "a1", "title": "Tariff 1"}], now, 30)  # appended

    def refused(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    pending = [{**fields, "article": f"b{n}", "title": f"Tariff b{n}"} for n in range(3)]
    with monkeypatch.context() as full:
        full.setattr("fetchers.alerthistory.os.fsync", refused)
        with pytest.raises(HistoryError):
            history.append(pending, now, 30)
    assert [e.article for e in AlertHistory(tmp_path).load()] == ["a0", "a1"]
    assert ("config:T", "b0") not in history.fired()
    kept = history.append(pending, now, 30)
    assert [e.seq for e in kept] == [3, 4, 5]
    assert [e.article for e in AlertHistory(tmp_path).load()] == ["a0", "a1", "b0", "b1", "b2"]


def test_a_refresh_whose_source_health_the_disk_refused_exits_2(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The articles fit but the source health did not: a store error (exit 2) naming it,
    the articles kept; the next refresh, with room, exits 0."""
    route, config, data, _ = setup(tmp_path, feed_server)
    where = ["--config", str(config), "--data-dir", str(data)]
    assert main([*where, "refresh"]) == 0
    titles = tariffs(route, 2)

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as full:
        full.setattr("fetchers.healthbook.atomic_write_bytes", refused)
        capsys.readouterr()
        assert main([*where, "refresh"]) == 2
        err = capsys.readouterr().err
    assert "cannot save source health" in err
    assert "not saved: source health" in err
    assert main([*where, "list", "--json"]) == 0
    kept = {json.loads(line)["title"] for line in capsys.readouterr().out.splitlines()}
    assert set(titles) <= kept
    assert main([*where, "refresh"]) == 0


def test_a_refresh_whose_search_index_the_disk_refused_exits_2(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite's "database or disk is full" as the index is brought up to date: exit 2 naming
    the search index; an index that is only in use elsewhere (locked) is no save refused."""
    import sqlite3

    route, config, data, _ = setup(tmp_path, feed_server)
    where = ["--config", str(config), "--data-dir", str(data)]

    def failing(code: int, message: str) -> object:
        def index_round(self: object, everything: bool) -> int:
            exc = sqlite3.OperationalError(message)
            exc.sqlite_errorcode = code  # type: ignore[attr-defined]
            raise exc

        return index_round

    with monkeypatch.context() as full:
        full.setattr(
            "fetchers.store.searchthread.SearchThread.index_round",
            failing(sqlite3.SQLITE_FULL, "database or disk is full"),
        )
        capsys.readouterr()
        assert main([*where, "refresh"]) == 2
        assert "not saved: search index" in capsys.readouterr().err
    tariffs(route, 1)
    with monkeypatch.context() as locked:
        locked.setattr(
            "fetchers.store.searchthread.SearchThread.index_round",
            failing(sqlite3.SQLITE_BUSY, "database is locked"),
        )
        assert main([*where, "refresh"]) == 0


class _SharedStore(Store):
    """A store as several pollers share one (PostgreSQL): it keeps what other pollers'
    retention dropped of a source for the poller that holds it (`DropNoter`)."""

    def __init__(self, folder: Path) -> None:
        super().__init__(folder, writer=True)
        self.notes: dict[str, dict[str, str]] = {"Wire": {"gone": "2025-05-05"}}

    def note_dropped(self, dropped: dict[str, dict[str, str]], cutoff: str) -> None:
        for name, ids in dropped.items():
            self.notes.setdefault(name, {}).update(ids)

    def noted_dropped(self, sources: list[str]) -> dict[str, dict[str, str]]:
        return {name: dict(self.notes[name]) for name in sources if name in self.notes}

    def clear_dropped(self, taken: dict[str, dict[str, str]]) -> None:
        for name in taken:
            self.notes.pop(name, None)


async def test_the_source_health_a_poller_could_not_save_as_it_took_others_drops_is_said_unsaved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What other pollers' retention dropped of a source is taken into its health, saved at
    once, before it is polled: a save the disk refused there was logged but not noted, so a
    `refresh` whose later saves went through exited 0 for it ("whatever it refused")."""
    from fetchers.healthbook import HealthBook
    from fetchers.models import Source, SourceHealth
    from fetchers.poller import Poller
    from fetchers.store.errors import take_unsaved
    from tests.conftest import config_for

    data = tmp_path / "data"
    take_unsaved()
    with _SharedStore(data) as store:
        poller = Poller(
            config_for(tmp_path, Source("Wire", url="http://127.0.0.1:9/wire.xml")),
            store,
            health=HealthBook(data),
        )
        poller.health["Wire"] = SourceHealth("Wire", "http://127.0.0.1:9/wire.xml")
        poller.leased = {"Wire"}

        def refused(*args: object, **kwargs: object) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr("fetchers.healthbook.atomic_write_bytes", refused)
        try:
            await poller._take_dropped(["Wire"])
        finally:
            await poller.aclose()
        assert take_unsaved() == ["source health"]
        assert store.notes == {"Wire": {"gone": "2025-05-05"}}  # taken again next time
