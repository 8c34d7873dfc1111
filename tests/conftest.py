"""Shared fixtures: a frozen clock, the embedded config, and a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from fetchers.config import Config, load_config, seeds_dir

FROZEN = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)  # Friday 17:00 in Seoul, the story's day


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own config and data out of every test."""
    monkeypatch.delenv("WIREWATCH_CONFIG", raising=False)
    monkeypatch.delenv("WIREWATCH_DATA", raising=False)
    monkeypatch.delenv("WIREWATCH_NOW", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def now() -> datetime:
    return FROZEN


@pytest.fixture
def seed_config(now: datetime) -> Config:
    return load_config(seeds_dir() / "wirewatch.toml", now)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0  # seconds between single bytes of the body
    gzip: bool = False
    etag: str | None = None
    phrase: str | None = None  # the reason phrase, when not the standard one


@dataclass
class FeedServer:
    base: str
    routes: dict[str, Route]
    hits: dict[str, list[dict[str, str]]]
    load: dict[str, int]  # "now" and "max": requests being served at once; "connections"

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    server_version = "wwtest/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    routes: dict[str, Route]
    hits: dict[str, list[dict[str, str]]]
    load: dict[str, int]
    lock: threading.Lock

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def setup(self) -> None:  # one handler per TCP connection
        super().setup()
        with self.lock:
            self.load["connections"] += 1

    def do_GET(self) -> None:  # noqa: N802
        with self.lock:
            self.hits.setdefault(self.path, []).append(dict(self.headers.items()))
            self.load["now"] += 1
            self.load["max"] = max(self.load["max"], self.load["now"])
        try:
            self._serve()
        finally:
            with self.lock:
                self.load["now"] -= 1

    def _serve(self) -> None:
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.delay:
            time.sleep(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        self.send_response(route.status, route.phrase)
        for key, value in route.headers.items():
            self.send_header(key, value)
        if route.gzip:
            self.send_header("Content-Encoding", "gzip")
        if route.etag:
            self.send_header("ETag", route.etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if route.drip:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(route.drip)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    routes: dict[str, Route] = {}
    hits: dict[str, list[dict[str, str]]] = {}
    load = {"now": 0, "max": 0, "connections": 0}
    attrs = {"routes": routes, "hits": hits, "load": load, "lock": threading.Lock()}
    handler = type("Handler", (_Handler,), attrs)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
    server.request_queue_size = 128  # the default 5 drops connects under parallel polls
    server.server_bind()
    server.server_activate()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits, load)
    finally:
        server.shutdown()
        server.server_close()


def rss(*items: str, encoding: str = "utf-8", title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document with the given <item> bodies."""
    inner = "".join(f"<item>{i}</item>" for i in items)
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{inner}</channel></rss>"
    )
    return doc.encode(encoding)


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path
