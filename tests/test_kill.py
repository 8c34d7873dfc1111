"""SIGKILL a real writer at random moments: what it acknowledged survives, every file parses."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from fetchers.query import parse_query
from fetchers.store import Store
from tests.killwriter import article

ROOT = Path(__file__).resolve().parent.parent


def kill_rounds(data: Path, rounds: int, rng: random.Random) -> dict[str, int]:
    """Start, kill and reopen the writer `rounds` times; returns the counts."""
    acked = 0
    kills_mid_batch = 0
    for _ in range(rounds):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.killwriter", str(data), str(acked)],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + rng.uniform(0.05, 0.6)
        os.set_blocking(proc.stdout.fileno(), False)
        while time.monotonic() < deadline:
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        os.set_blocking(proc.stdout.fileno(), True)
        lines = proc.stdout.read().split()
        proc.stdout.close()
        acks = [int(n) for n in lines[1::2] if n.isdigit()]
        if acks:
            acked = max(acked, acks[-1])
        kills_mid_batch += 1
        check_store(data, acked)
    return {"rounds": rounds, "acknowledged": acked, "kills": kills_mid_batch}


def check_store(data: Path, acked: int) -> None:
    for path in data.iterdir():
        if path.suffix == ".json":
            orjson.loads(path.read_bytes())  # every JSON file parses
    with Store(data, writer=True) as store:
        assert not store.problems, store.problems
        assert not list(data.glob("*.tmp"))  # stale temp files were removed on open
        for serial in range(acked):
            expected = article(serial)
            got = store.get(expected.id)
            assert got is not None, f"acknowledged {expected.id} lost"
            assert got.title == expected.title
            if expected.text:
                assert store.text(expected.id) == expected.text
        ids = store.query_ids()
        assert len(ids) == len(set(ids))
        for text in ("12", "paragraph", '"apec summit"', "-paragraph"):  # through the search
            query = parse_query(text)  # index a kill may have left behind the shards
            expected = [
                i for i in ids if query.matches(store.record(i), text_of=lambda r: store.text(r.id))
            ]
            assert store.query_ids(query) == expected, text


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_nothing_acknowledged(tmp_path: Path) -> None:
    counts = kill_rounds(tmp_path / "data", rounds=15, rng=random.Random(11))
    assert counts["acknowledged"] > 15 * 10
    print(json.dumps(counts))


@pytest.mark.slow
def test_a_viewer_reading_during_writes_never_fails(tmp_path: Path) -> None:
    data = tmp_path / "data"
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.killwriter", str(data), "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline().strip() == "ready"
        viewer = Store(data)
        assert not viewer.is_writer
        seen = [len(viewer)]
        deadline = time.monotonic() + 3
        while time.monotonic() < deadline:
            new = viewer.reload()
            assert len(set(new)) == len(new)
            ids = viewer.query_ids()
            assert len(ids) == len(set(ids)) == len(viewer)
            seen.append(len(viewer))
            for ident in ids[:5]:
                assert viewer.get(ident) is not None
        assert not viewer.problems, viewer.problems
        assert seen == sorted(seen) and seen[-1] > seen[0]  # it kept up, never went back
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        if writer.stdout is not None:
            writer.stdout.close()
