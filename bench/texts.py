"""A page revised at every poll: its day's full-text files on disk against the texts kept,
and what rewriting them costs (`python bench/run.py texts`)."""

from __future__ import annotations

import logging
import random
import re
import shutil
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fetchers.models import Article
from fetchers.store import Store, texts

DAY = datetime(2026, 12, 6, 7, 0, tzinfo=UTC)
REWRITTEN = re.compile(r"rewritten into .* in (\d+) ms")


class _Rewrites(logging.Handler):
    """The rewrites the store logs, with how long each took."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.took: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        found = REWRITTEN.search(record.getMessage())
        if found:
            self.took.append(float(found.group(1)))


def page_body(size: int) -> str:
    """Words of a page, about `size` bytes."""
    rng = random.Random(5)
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = ["".join(rng.choices(letters, k=rng.randint(3, 9))) for _ in range(5000)]
    body = " ".join(rng.choice(words) for _ in range(size // 6))
    return body[:size]


def bench_texts(polls: int, size: int, interval: float = 2.0) -> None:
    """`polls` texts of about `size` bytes, one every `interval` seconds of a simulated
    clock (the retired files go by it: a poll a second apart is not waited for)."""
    data = Path(tempfile.mkdtemp(prefix="wirewatch-texts-")) / "data"
    clock = [0.0]
    real_clock, texts.monotonic = texts.monotonic, lambda: clock[0]
    body = page_body(size)
    rewrites = _Rewrites()
    logger = logging.getLogger("wirewatch.store")
    logger.addHandler(rewrites)
    logger.setLevel(logging.INFO)
    writes: list[float] = []
    peak = 0
    try:
        with Store(data, writer=True) as store:
            page = Article(
                id="page-1",
                source="Page",
                title="Live page",
                link="https://example.org/live",
                published=DAY,
                fetched=DAY,
                summary="The latest.",
            )
            store.add_batch([page])
            for poll in range(polls):
                clock[0] += interval
                began = time.perf_counter()
                text = f"Updated {poll:04d}. {body}"
                store.set_texts([("page-1", text)], DAY + timedelta(seconds=2 * poll))
                writes.append(time.perf_counter() - began)
                peak = max(peak, sum(p.stat().st_size for p in data.glob("text-*.jsonl")))
            kept = 1 + len(store.text_revisions("page-1"))
            files = {p.name: p.stat().st_size for p in data.glob("text-*.jsonl")}
    finally:
        logger.removeHandler(rewrites)
        texts.monotonic = real_clock
        shutil.rmtree(data.parent, ignore_errors=True)
    referenced = kept * len(text.encode())
    newest = max(files, key=lambda name: (len(name), name))
    print(
        f"texts: {polls} revisions of a {size / 1e3:.0f} KB page: {kept} texts kept,"
        f" {referenced / 1e6:.2f} MB; the text file written to {files[newest] / 1e6:.2f} MB;"
        f" on disk {sum(files.values()) / 1e6:.2f} MB in {len(files)} files (peak"
        f" {peak / 1e6:.2f} MB; a poll every {interval:.0f} s, a rewritten file deleted"
        f" {texts.RETIRED_GRACE:.0f} s after)"
    )
    print(
        f"  {len(rewrites.took)} rewrites, {statistics.median(rewrites.took or [0]):.0f} ms"
        f" median, {max(rewrites.took or [0]):.0f} ms at most (under the store's lock);"
        f" set_texts median {statistics.median(writes) * 1e3:.0f} ms"
    )
