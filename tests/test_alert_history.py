"""The alert history file: JSON lines only ever appended to, a kill in the middle of an
append, the history of earlier versions converted once, and the rewrite that drops the lines
of entries gone."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fetchers.alerthistory import FILE, MAX_ENTRIES, OLD_FILE, AlertHistory
from fetchers.alerting import AlertDesk
from fetchers.alertrules import make_rule
from fetchers.config import Config
from fetchers.models import Article, Settings
from fetchers.store import Store
from tui.cli import main

NOW = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parent.parent
BASE = {"alert": "T", "rule": "config:T", "kind": "match", "source": "Wire", "link": None}

# appends batches of 300 entries forever, printing the number of entries acknowledged
APPENDER = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from fetchers.alerthistory import AlertHistory
history = AlertHistory(Path(sys.argv[1]), writer=True)
at = datetime(2025, 10, 24, 8, tzinfo=UTC)
done = history.mark()
print("ready", flush=True)
while True:
    batch = [
        {"alert": "T", "rule": "config:T", "kind": "match", "article": f"a{done + k + 1}",
         "title": "Tariffs rise again " * 20, "source": "Wire", "at": at}
        for k in range(300)
    ]
    history.append(batch, at, 30)
    done += 300
    print(done, flush=True)
"""


def entries(first: int, count: int, at: datetime = NOW) -> list[dict[str, Any]]:
    return [
        {**BASE, "article": f"a{n}", "title": f"Tariff {n}", "at": at}
        for n in range(first, first + count)
    ]


def lines_of(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines()]


def test_a_writer_killed_while_appending_loses_no_acknowledged_entry(tmp_path: Path) -> None:
    """SIGKILL a writer appending in a loop (past the history's bound: lines of entries gone,
    rewrites), again and again: every entry it acknowledged reads back or was dropped as the
    oldest beyond the bound, numbered without a gap, and a new writer goes on from there."""
    rng = random.Random(18)
    acked = 0
    for _ in range(4):
        proc = subprocess.Popen(
            [sys.executable, "-c", APPENDER, str(tmp_path)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        # its first batch acknowledged (on a cold machine it can take longer than the wait
        # below, and a writer killed before any leaves nothing to check), then the kill falls
        # at a random point among the later ones
        first = proc.stdout.readline().split()
        time.sleep(rng.uniform(0.1, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        said = [*first, *proc.stdout.read().split()]
        proc.stdout.close()
        acked = max([acked, *(int(n) for n in said)])
        kept = AlertHistory(tmp_path).load()
        seqs = [e.seq for e in kept]  # the newest MAX_ENTRIES (the oldest go beyond them)
        assert seqs == list(range(seqs[0], seqs[-1] + 1)) and seqs[-1] >= acked
        assert len(seqs) >= min(seqs[-1], MAX_ENTRIES)  # none dropped within the bound
        assert [e.article for e in kept] == [f"a{n}" for n in seqs]
    assert acked > 0
    history = AlertHistory(tmp_path, writer=True)
    (added,) = history.append(entries(10**6, 1), NOW, 30)
    assert added.seq == seqs[-1] + 1
    again = AlertHistory(tmp_path)
    assert [e.seq for e in again.load()][-2:] == [seqs[-1], seqs[-1] + 1]
    assert again.problems == []


def test_a_torn_last_line_is_skipped_reported_and_cut_off(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A kill (or a full disk) in the middle of an append leaves part of a line: every line
    before it reads, the writer says what it skipped and cuts it off before its next
    append, and `wirewatch alerts` shows the rest and says so on stderr."""
    writer = AlertHistory(tmp_path, writer=True)
    writer.append(entries(0, 3), NOW, 30)
    writer.append(entries(3, 2), NOW, 30)
    path = tmp_path / FILE
    whole = path.read_bytes()
    path.write_bytes(whole[:-25])  # the last line cut short
    reader = AlertHistory(tmp_path)
    assert [e.article for e in reader.load()] == ["a0", "a1", "a2", "a3"]
    restarted = AlertHistory(tmp_path, writer=True)
    assert [e.article for e in restarted.load()] == ["a0", "a1", "a2", "a3"]
    assert any("torn last line" in p for p in restarted.problems)
    (added,) = restarted.append(entries(9, 1), NOW, 30)
    assert added.seq == 5  # the torn entry never counted
    assert [e.seq for e in reader.load()] == [1, 2, 3, 4, 5]  # read on from where it was
    assert [e.article for e in AlertHistory(tmp_path).load()] == ["a0", "a1", "a2", "a3", "a9"]
    assert all(isinstance(line, dict) for line in lines_of(path))  # no torn line left

    with path.open("ab") as handle:  # a line that is no JSON, then more lines
        handle.write(b"\x00\x00 not json\n")
    restarted.append(entries(10, 1), NOW, 30)
    config = tmp_path / "w.toml"
    config.write_text("")
    assert main(["alerts", "--config", str(config), "--data-dir", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    assert "Tariff 10" in out and "Tariff 9" in out and "Tariff 0" in out
    lines = path.read_bytes().split(b"\n")
    bad = lines.index(b"\x00\x00 not json") + 1
    assert f"line {bad} does not read and is skipped" in err


def test_an_append_writes_only_the_new_lines(tmp_path: Path) -> None:
    """A cycle's write adds its own lines to the file and leaves every earlier byte as it
    was (a full history is some 17 MB: it is not written again each cycle)."""
    history = AlertHistory(tmp_path, writer=True)
    history.append(entries(0, 200), NOW, 30)
    path = tmp_path / FILE
    before, inode = path.read_bytes(), path.stat().st_ino
    history.append(entries(200, 3), NOW, 30)
    after = path.read_bytes()
    assert path.stat().st_ino == inode and after.startswith(before)
    assert [line["article"] for line in lines_of(path)[-3:]] == ["a200", "a201", "a202"]


def test_a_history_of_earlier_versions_is_converted_once_losing_nothing(tmp_path: Path) -> None:
    """alerts-history.json (one JSON document) reads as it is until a writer opens it; the
    writer turns it into the lines once: every entry, its number and what fired stay, the
    numbers go on after the document's `next`, and the old file goes."""
    old = [
        {**BASE, "seq": n, "article": f"old{n}", "title": f"Old {n}", "at": "2025-10-23T10:00:00Z",
         "notify": ["terminal"]}
        for n in range(4, 9)
    ]  # fmt: skip
    spike = {**BASE, "seq": 9, "kind": "spike", "article": None, "title": "T: 9 mentions",
             "at": "2025-10-23T11:00:00Z", "notify": ["terminal"]}  # fmt: skip
    (tmp_path / OLD_FILE).write_text(json.dumps({"next": 12, "entries": [*old, spike]}))
    shown = [(e.seq, e.article, e.title) for e in AlertHistory(tmp_path).load()]
    assert shown == [*((n, f"old{n}", f"Old {n}") for n in range(4, 9)), (9, None, "T: 9 mentions")]
    assert not (tmp_path / FILE).exists()  # a reader converts nothing

    data = tmp_path
    with Store(data, writer=True) as store:
        config = Config(
            path=tmp_path / "w.toml",
            settings=Settings(),
            alerts=[make_rule({"name": "T", "query": "tariff"}, NOW)],
        )
        desk = AlertDesk(config, store, data, lambda: NOW)
        desk._config_seen_at = NOW - timedelta(days=2)
        ids = store.add_batch(
            [
                Article(id=ident, source="Wire", title=f"Tariff {ident}", fetched=NOW)
                for ident in ("old5", "new1")
            ]
        )
        desk.rules(NOW)
        fired = desk.check(ids).entries
    assert [(e.article, e.seq) for e in fired if e.kind == "match"] == [("new1", 12)]
    assert not (tmp_path / OLD_FILE).exists()
    kept = AlertHistory(tmp_path).load()
    assert [(e.seq, e.article) for e in kept] == [
        *((n, f"old{n}") for n in range(4, 9)),
        (9, None),
        (12, "new1"),
    ]
    assert [e.title for e in kept][:5] == [f"Old {n}" for n in range(4, 9)]


def test_a_conversion_cut_short_is_done_again_and_one_done_twice_adds_nothing(
    tmp_path: Path,
) -> None:
    """A kill between writing the lines and removing the old file leaves both: the next
    writer adds only what the lines lack and removes the old file."""
    old = [
        {**BASE, "seq": n, "article": f"old{n}", "title": "Old", "at": "2025-10-23T10:00:00Z"}
        for n in range(1, 4)
    ]
    document = json.dumps({"next": 4, "entries": old})
    (tmp_path / OLD_FILE).write_text(document)
    AlertHistory(tmp_path, writer=True).load()  # converted
    (tmp_path / OLD_FILE).write_text(document)  # as if the kill came before its removal
    history = AlertHistory(tmp_path, writer=True)
    assert [e.seq for e in history.load()] == [1, 2, 3]
    assert not (tmp_path / OLD_FILE).exists()
    # an earlier version run again on the data dir meanwhile: its newer entries are taken in
    later = {**old[0], "seq": 4, "article": "old4"}
    (tmp_path / OLD_FILE).write_text(json.dumps({"next": 5, "entries": [*old, later]}))
    history = AlertHistory(tmp_path, writer=True)
    assert [(e.seq, e.article) for e in history.load()][-2:] == [(3, "old3"), (4, "old4")]
    assert [e.seq for e in history.append(entries(0, 1), NOW, 30)] == [5]
    assert [e.seq for e in AlertHistory(tmp_path).load()] == [1, 2, 3, 4, 5]


def test_lines_of_entries_gone_are_dropped_by_a_rewrite_when_they_outnumber_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond the history's bound the oldest entries go: a line says so, and the file is
    written anew (its kept lines alone) only once the lines of entries gone outnumber the
    kept ones. A dashboard reading along sees what a fresh read sees at every step, and
    rings for each new entry exactly once."""
    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 10)
    history = AlertHistory(tmp_path, writer=True)
    follower = AlertHistory(tmp_path)
    mark, rung = 0, []
    path = tmp_path / FILE
    inodes, sizes = [], []
    for step in range(12):
        history.append(entries(step * 4, 4), NOW, 30)
        inodes.append(path.stat().st_ino)
        sizes.append(path.stat().st_size)
        fresh = [e.seq for e in AlertHistory(tmp_path).load()]
        assert [e.seq for e in follower.load()] == fresh == [e.seq for e in history.load()]
        assert len(fresh) == min(10, (step + 1) * 4) and fresh[-1] == (step + 1) * 4
        new, mark = follower.since(mark)
        rung += [e.seq for e in new]
        lines = lines_of(path)
        dead = len(lines) - len(fresh)
        assert dead <= len(fresh)  # never more lines of entries gone than kept ones
    assert rung == list(range(1, 49))
    rewrites = [n for n in range(1, 12) if inodes[n] != inodes[n - 1]]
    assert 1 <= len(rewrites) <= 4  # rarely, not at each write
    for n in range(1, 12):
        if n not in rewrites:
            assert sizes[n] > sizes[n - 1]  # appended to
    assert AlertHistory(tmp_path).fired() == {("config:T", f"a{n}") for n in range(38, 48)}
    (after,) = AlertHistory(tmp_path, writer=True).append(entries(48, 1), NOW, 30)
    assert after.seq == 49  # a writer opening the file numbers on from the last entry


def test_retention_dropping_every_entry_keeps_the_numbers_going(tmp_path: Path) -> None:
    history = AlertHistory(tmp_path, writer=True)
    history.append(entries(0, 3, NOW - timedelta(days=5)), NOW - timedelta(days=5), 30)
    assert history.append([], NOW, 2) == []  # nothing new is added (old ones may be dropped)
    (added,) = history.append(entries(3, 1), NOW, 2)
    assert added.seq == 4
    assert [e.seq for e in AlertHistory(tmp_path).load()] == [4]
    history = AlertHistory(tmp_path, writer=True)
    later = NOW + timedelta(days=10)
    history.append(
        [{**BASE, "kind": "spike", "article": None, "title": "S", "at": later}], later, 2
    )
    assert [e.seq for e in AlertHistory(tmp_path).load()] == [5]
    assert os.path.getsize(tmp_path / FILE) < 600  # the gone lines were dropped


def test_a_write_that_only_drops_appends_one_line_and_later_rewrites_keep_every_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention dropping the oldest few of a history is one appended line; the rewrite that
    comes later copies exactly the entries kept."""
    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 12)
    history = AlertHistory(tmp_path, writer=True)
    history.append(entries(0, 3, NOW - timedelta(days=5)), NOW - timedelta(days=5), 30)
    history.append(entries(3, 10), NOW, 30)
    inode = (tmp_path / FILE).stat().st_ino
    assert history.append([], NOW, 2) == []
    assert (tmp_path / FILE).stat().st_ino == inode
    assert lines_of(tmp_path / FILE)[-1] == {"dropped_through": 3}
    for step in range(6):
        history.append(entries(100 + step * 5, 5), NOW, 2)
        fresh = AlertHistory(tmp_path).load()
        assert [(e.seq, e.article) for e in fresh] == [(e.seq, e.article) for e in history.load()]
        assert len(fresh) == 12 and fresh[-1].article == f"a{100 + step * 5 + 4}"


def test_a_dashboard_reading_along_notices_a_history_started_anew(tmp_path: Path) -> None:
    """The history file removed and started again (its inode number may be the old one's): a
    dashboard reading along reads the new file from its start, never from the middle."""
    writer = AlertHistory(tmp_path, writer=True)
    writer.append(entries(0, 40), NOW, 30)
    follower = AlertHistory(tmp_path)
    assert len(follower.load()) == 40
    path = tmp_path / FILE
    size = path.stat().st_size
    path.unlink()
    writer = AlertHistory(tmp_path, writer=True)
    writer.append([{**BASE, "article": "x", "title": "Tariff " * 300, "at": NOW}], NOW, 30)
    # as if the new file had the old one's inode number: the follower's place is in its middle
    follower._file = (path.stat().st_ino, min(size, path.stat().st_size - 1))
    assert [e.article for e in follower.load()] == ["x"] and follower.problems == []


def test_a_reader_keeps_saying_lines_are_skipped_while_they_are_in_the_file(
    tmp_path: Path,
) -> None:
    """A line of the history that does not read is named by every look of a reader (the
    dashboard's alerts view), not only by the look that first met it."""
    writer = AlertHistory(tmp_path, writer=True)
    writer.append(entries(0, 2), NOW, 30)
    with open(tmp_path / FILE, "ab") as handle:
        handle.write(b"{not json\n")  # written by hand
    bad = (tmp_path / FILE).read_bytes().split(b"\n").index(b"{not json") + 1
    reader = AlertHistory(tmp_path)
    assert len(reader.load()) == 2
    said = f"line {bad} does not read and is skipped"
    assert any(said in p for p in reader.problems)
    AlertHistory(tmp_path, writer=True).append(entries(2, 1), NOW, 30)  # a later cycle
    assert len(reader.load()) == 3
    assert any(said in p for p in reader.problems)
    with open(tmp_path / FILE, "ab") as handle:  # more of them: each named, the rest counted
        handle.write(b"[]\n" * 6)
    later = (tmp_path / FILE).read_bytes().count(b"\n") - 5
    reader.load()
    assert any(
        f"lines {bad}, {later}, {later + 1}, {later + 2}, {later + 3} and 2 more do not read" in p
        for p in reader.problems
    )
