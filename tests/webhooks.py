"""A loopback webhook receiver on 127.0.0.1 that records each POST and answers from a script
of statuses, for the alert delivery tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

ENDLESS = 256 * 2**20  # the body a hook that never ends sends before it gives up


@dataclass
class Receiver:
    """A loopback HTTP server that records each POST and answers from a script of statuses
    (the last one repeats)."""

    base: str
    statuses: list[int]
    posts: list[tuple[str, dict]] = field(default_factory=list)
    # path -> (status, Location): a hook that has moved answers so at that path
    moved: dict[str, tuple[int, str]] = field(default_factory=dict)
    headers: list[dict[str, str]] = field(default_factory=list)  # of each post, as posts
    # path -> bytes of body written: a hook there answers 200 with a body of ENDLESS bytes,
    # as one that never ends would, until the client stops reading
    endless: dict[str, int] = field(default_factory=dict)

    def url(self, path: str) -> str:
        return self.base + path


@pytest.fixture(name="receiver")
def receiver_fixture() -> Iterator[Receiver]:
    rec = Receiver("", [200])
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with lock:
                rec.posts.append((self.path, json.loads(body)))
                rec.headers.append({k.lower(): v for k, v in self.headers.items()})
                moved = rec.moved.get(self.path)
                if moved is None:
                    status = rec.statuses.pop(0) if len(rec.statuses) > 1 else rec.statuses[0]
            if self.path in rec.endless:
                self.send_response(200)
                self.send_header("Content-Length", str(ENDLESS))
                self.end_headers()
                chunk = b"x" * 65536
                try:
                    while rec.endless[self.path] < ENDLESS:
                        self.wfile.write(chunk)
                        rec.endless[self.path] += len(chunk)
                except OSError:  # the client stopped reading and closed
                    pass
                return
            if moved is not None:
                self.send_response(moved[0])
                self.send_header("Location", moved[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    rec.base = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield rec
    finally:
        server.shutdown()
        server.server_close()
