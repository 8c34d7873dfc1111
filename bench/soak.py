"""A simulated week of polling: RSS per cycle must stay flat (`python bench/run.py soak`).

A loopback server gives each feed a new item every few cycles (others answer 304), the
poller's clock advances 10 minutes a cycle, and retention trims the store as it would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from fetchers.config import Config
from fetchers.models import Settings, Source
from fetchers.poller import Poller
from fetchers.store import Store


class _Feeds:
    """Feed n has items up to `cycle // every(n)`: new ones arrive at different rates."""

    def __init__(self) -> None:
        self.cycle = 0

    def latest(self, feed: int) -> int:
        return self.cycle // (1 + feed % 4)

    def body(self, feed: int) -> bytes:
        top = self.latest(feed)
        items = "".join(
            f"<item><title>Feed {feed} item {i}: tariff talks in Seoul</title>"
            f"<link>https://soak.example/{feed}/{i}</link><guid>{feed}-{i}</guid>"
            f"<description>{'Paragraph of summary text. ' * 20}</description></item>"
            for i in range(max(0, top - 30), top + 1)
        )
        return (
            f'<?xml version="1.0"?><rss version="2.0"><channel><title>Feed {feed}</title>'
            f"{items}</channel></rss>"
        ).encode()


def _server(feeds: _Feeds) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_GET(self) -> None:  # noqa: N802
            feed = int(self.path.strip("/").split(".")[0])
            etag = f'"{feed}-{feeds.latest(feed)}"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            body = feeds.body(feed)
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    class Server(ThreadingHTTPServer):
        request_queue_size = 128  # the default 5 drops SYNs under 8 parallel connects

    server = Server(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096 / 1e6


async def _soak(data: Path, feeds: _Feeds, base: str, count: int, cycles: int) -> list[float]:
    clock = {"now": datetime(2025, 10, 20, tzinfo=UTC)}
    sources = [Source(f"Soak {n}", url=f"{base}/{n}.xml") for n in range(count)]
    settings = Settings(interval=600, concurrency=8, retention_days=2)
    config = Config(path=data / "soak.toml", settings=settings, sources=sources)
    rss: list[float] = []
    with Store(data, writer=True) as store:
        poller = Poller(config, store, lambda: clock["now"])
        try:
            for _ in range(cycles):
                feeds.cycle += 1
                await poller.poll()
                store.apply_retention(settings.retention_days, clock["now"])
                clock["now"] += timedelta(minutes=10)
                rss.append(_rss_mb())
        finally:
            await poller.aclose()
    return rss


def bench_soak(data: Path, count: int, cycles: int) -> None:
    feeds = _Feeds()
    server = _server(feeds)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    started = time.perf_counter()
    try:
        rss = asyncio.run(_soak(data, feeds, base, count, cycles))
    finally:
        server.shutdown()
    took = time.perf_counter() - started
    marks = sorted(
        {0, 99, cycles // 4, cycles // 2, 3 * cycles // 4, cycles - 1} & set(range(cycles))
    )
    print(f"soak: {cycles} cycles x {count} feeds (a week at 10-minute polls) in {took:.0f} s")
    print("  RSS by cycle: " + ", ".join(f"#{n + 1} {rss[n]:.1f} MB" for n in marks))
    half = cycles // 2  # by then retention (2 days = 288 cycles) holds the store steady
    print(
        f"  growth over the second half (cycles {half + 1}-{cycles}): "
        f"{rss[-1] - rss[half]:+.1f} MB; the store grows only until retention starts trimming"
    )
