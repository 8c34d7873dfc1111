"""An open dashboard polling again and again: its RSS, and garbage kept for good
(`python bench/run.py dashsoak`).

The soak's loopback feeds (each feed gains an item every few cycles) polled by a writer's
dashboard in Textual's headless driver: `r` polls, the highlight moves a few rows between
polls. The clock advances an hour a poll from midnight, and retention (2 days) drops whole
day shards: the first day at the 72nd poll, then one every 24th poll. The store saws, the
fewest articles just after a drop and the most just before the next (with 200 feeds about
5,200 and 7,500), so growth is measured between the polls at which retention dropped a day,
the first and the last, which stand at the same point of the saw; a run of fewer than 96
polls has no two such polls to compare. At the end the objects frozen out of the garbage
collector's sight are let back once: what it frees then is garbage that the freezes had
kept alive since the dashboard's last walk of them (`--reclaim-every`).
"""

from __future__ import annotations

import asyncio
import collections
import gc
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.soak import _Feeds, _rss_mb, _server
from fetchers.config import Config
from fetchers.models import Settings, Source

KEYS = "jjjjkkkk"  # between two polls: the rows and the article pane drawn anew
RETENTION_DAYS = 2


async def _soak(data: Path, feeds: _Feeds, base: str, count: int, cycles: int) -> None:
    from textual.message import Message

    from tui.app import WirewatchApp
    from tui.messages import CycleDone, PollerReady

    clock = {"now": datetime(2025, 10, 20, tzinfo=UTC)}
    sources = [Source(f"Soak {n}", url=f"{base}/{n}.xml") for n in range(count)]
    settings = Settings(interval=10 * 365 * 86400.0, concurrency=8, retention_days=RETENTION_DAYS)
    config = Config(path=data / "soak.toml", settings=settings, sources=sources)
    ready, polled = asyncio.Event(), asyncio.Event()
    cycle = {"removed": 0}  # the articles the last poll's retention removed

    def heard(message: Message) -> None:
        if isinstance(message, PollerReady):
            ready.set()
        elif isinstance(message, CycleDone):
            cycle["removed"] = message.removed
            polled.set()

    app = WirewatchApp(config, data / "data", clock=lambda: clock["now"])
    rss: list[float] = []
    stored: list[int] = []
    dropped: list[int] = []  # the polls (from 0) at which retention dropped a day
    async with app.run_test(size=(160, 50), message_hook=heard) as pilot:
        await asyncio.wait_for(ready.wait(), 60)
        started = time.perf_counter()
        for _ in range(cycles):
            feeds.cycle += 1
            clock["now"] += timedelta(hours=1)
            polled.clear()
            await pilot.press("r")
            await asyncio.wait_for(polled.wait(), 60)
            if cycle["removed"]:
                dropped.append(len(rss))
            for key in KEYS:
                await pilot.press(key)
            await pilot.pause(0.2)
            rss.append(_rss_mb())
            stored.append(len(app.session.store))
        took = time.perf_counter() - started
    # the dashboard closed (its threads stopped, nothing settles the heap any more)
    frozen = gc.get_freeze_count()
    gc.collect()  # the garbage in sight
    gc.unfreeze()
    gc.set_debug(gc.DEBUG_SAVEALL)  # what is freed now, kept to be counted
    kept = gc.collect()
    kinds = collections.Counter(type(o).__name__ for o in gc.garbage).most_common(5)
    gc.set_debug(0)
    gc.garbage.clear()
    marks = sorted({0, cycles // 4, cycles // 2, 3 * cycles // 4, cycles - 1})
    print(f"dashboard soak: {cycles} polls of {count} feeds in an open dashboard, {took:.0f} s")
    print("  RSS by poll: " + ", ".join(f"#{n + 1} {rss[n]:.1f} MB" for n in marks))
    print("  articles stored by poll: " + ", ".join(f"#{n + 1} {stored[n]:,}" for n in marks))
    said = ", ".join(f"#{n + 1}" for n in dropped) or "none"
    if len(dropped) < 2:
        print(
            f"  retention dropped a day at: {said}; no two polls at the same point of the"
            f" store's saw to compare (run {24 * (RETENTION_DAYS + 2)} polls or more)"
        )
    else:
        first, last = dropped[0], dropped[-1]
        print(
            f"  growth between the first and the last poll at which retention dropped a day"
            f" ({said}): {rss[last] - rss[first]:+.1f} MB from #{first + 1} to #{last + 1},"
            f" with {stored[first]:,} and {stored[last]:,} articles stored"
        )
    print(
        f"  objects frozen out of the collector's sight at the end: {frozen:,}; garbage among"
        f" them (kept alive by freezing): {kept:,} "
        f"({', '.join(f'{name} {n:,}' for name, n in kinds) or 'none'})"
    )


def bench_dashsoak(data: Path, count: int, cycles: int, reclaim_every: float | None) -> None:
    """`reclaim_every`: seconds between the dashboard's walks of its frozen heap (its own
    when None), looked at as often."""
    if reclaim_every is not None:
        import tui.app

        tui.app.RECLAIM_EVERY = tui.app.RECLAIM_LOOK = reclaim_every
    feeds = _Feeds()
    server = _server(feeds)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        asyncio.run(_soak(data, feeds, base, count, cycles))
    finally:
        server.shutdown()
