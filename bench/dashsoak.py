"""An open dashboard polling again and again: its RSS, and garbage kept for good
(`python bench/run.py dashsoak`).

The soak's loopback feeds (each feed gains an item every few cycles) polled by a writer's
dashboard in Textual's headless driver: `r` polls, the highlight moves a few rows between
polls. The clock advances an hour a poll, so retention (2 days) trims the store from the
49th poll on (a feed lists its last 31 items, which come back once dropped: the store of
200 feeds fills until about the 100th, and the articles stored are printed). At the end the
objects frozen out of the garbage collector's sight are let back once: what it frees then
is garbage that the freezes had kept alive since the dashboard's last walk of them
(`--reclaim-every`).
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


async def _soak(data: Path, feeds: _Feeds, base: str, count: int, cycles: int) -> None:
    from textual.message import Message

    from tui.app import WirewatchApp
    from tui.messages import CycleDone, PollerReady

    clock = {"now": datetime(2025, 10, 20, tzinfo=UTC)}
    sources = [Source(f"Soak {n}", url=f"{base}/{n}.xml") for n in range(count)]
    settings = Settings(interval=10 * 365 * 86400.0, concurrency=8, retention_days=2)
    config = Config(path=data / "soak.toml", settings=settings, sources=sources)
    ready, polled = asyncio.Event(), asyncio.Event()

    def heard(message: Message) -> None:
        if isinstance(message, PollerReady):
            ready.set()
        elif isinstance(message, CycleDone):
            polled.set()

    app = WirewatchApp(config, data / "data", clock=lambda: clock["now"])
    rss: list[float] = []
    stored: list[int] = []
    async with app.run_test(size=(160, 50), message_hook=heard) as pilot:
        await asyncio.wait_for(ready.wait(), 60)
        started = time.perf_counter()
        for _ in range(cycles):
            feeds.cycle += 1
            clock["now"] += timedelta(hours=1)
            polled.clear()
            await pilot.press("r")
            await asyncio.wait_for(polled.wait(), 60)
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
    half = cycles // 2
    print(
        f"  growth over the second half (retention trims the store from the 49th poll):"
        f" {rss[-1] - rss[half]:+.1f} MB, with {stored[half]:,} articles stored at"
        f" #{half + 1} and {stored[-1]:,} at #{cycles}"
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
