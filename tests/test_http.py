"""The HTTP client against servers on 127.0.0.1 that misbehave as real ones do: proxies from
the environment (SOCKS among them), kept-alive connections an earlier answer left bytes on,
304s that move the validators on, and the errors source health shows."""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pytest

from fetchers import http
from fetchers.healthbook import HealthBook
from fetchers.http import BodyTooLarge, FetchError, fetch, make_client
from fetchers.models import Source
from fetchers.notify import WebhookSender, webhook_request
from fetchers.store import Store
from tests.conftest import FeedServer, Route, poll_once, rss
from tests.test_notify import entry
from tests.webhooks import Receiver, receiver_fixture  # noqa: F401 - gives `receiver`

# -- a SOCKS 5 proxy ----------------------------------------------------------------------


class SocksProxy(socketserver.ThreadingTCPServer):
    """A SOCKS 5 proxy (no authentication) relaying to `hosts`' addresses (a made-up host
    name to the test server's), noting each place it was asked to connect to."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, hosts: dict[str, tuple[str, int]]) -> None:
        super().__init__(("127.0.0.1", 0), _SocksHandler)
        self.hosts = hosts
        self.asked: list[tuple[str, int]] = []

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.server_address[1]}"


def _read(sock: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        more = sock.recv(count - len(data))
        if not more:
            raise ConnectionError("closed")
        data += more
    return data


class _SocksHandler(socketserver.BaseRequestHandler):
    server: SocksProxy

    def handle(self) -> None:
        client: socket.socket = self.request
        _version, methods = _read(client, 2)
        _read(client, methods)
        client.sendall(b"\x05\x00")  # no authentication
        _version, _command, _reserved, kind = _read(client, 4)
        if kind == 3:
            host = _read(client, _read(client, 1)[0]).decode()
        else:
            host = socket.inet_ntoa(_read(client, 4))
        (port,) = struct.unpack("!H", _read(client, 2))
        self.server.asked.append((host, port))
        upstream = socket.create_connection(self.server.hosts.get(host, (host, port)))
        client.sendall(b"\x05\x00\x00\x01" + socket.inet_aton("127.0.0.1") + b"\x00\x00")
        pump = threading.Thread(target=_pump, args=(upstream, client), daemon=True)
        pump.start()
        _pump(client, upstream)
        pump.join()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, target):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


@pytest.fixture
def socks_proxy(feed_server: FeedServer) -> Iterator[SocksProxy]:
    port = int(feed_server.base.rsplit(":", 1)[1])
    proxy = SocksProxy({"wire.invalid": ("127.0.0.1", port)})
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


@pytest.mark.parametrize(
    ("variable", "scheme"),
    [
        ("ALL_PROXY", "socks5://"),
        ("HTTP_PROXY", "socks5h://"),
        ("all_proxy", "socks://"),  # as GNOME exports its SOCKS setting
    ],
)
async def test_a_socks_proxy_in_the_environment_carries_the_poll(
    tmp_path: Path,
    now: datetime,
    feed_server: FeedServer,
    socks_proxy: SocksProxy,
    no_proxies: pytest.MonkeyPatch,
    variable: str,
    scheme: str,
) -> None:
    """A SOCKS proxy in the environment crashed every poll (no SOCKS support installed, and
    `socks://` unknown to httpx): the feed is now fetched through it, as curl does."""
    no_proxies.setenv(variable, f"{scheme}{socks_proxy.address}/")
    feed_server.add("/rss", Route(rss("<title>Through SOCKS</title><guid>1</guid>")))
    results, _ = await poll_once(tmp_path, now, Source("Far", url="http://wire.invalid/rss"))
    assert results["Far"].status == "ok", results["Far"].error
    assert socks_proxy.asked == [("wire.invalid", 80)]
    with Store(tmp_path / "data") as store:
        assert [a.title for a in store.query()] == ["Through SOCKS"]


async def test_a_proxy_that_cannot_be_used_fails_only_the_sources_it_would_carry(
    tmp_path: Path, now: datetime, feed_server: FeedServer, no_proxies: pytest.MonkeyPatch
) -> None:
    """A SOCKS 4 proxy (which httpx cannot speak) stopped every poll with a traceback: the
    sources it would carry fail with one line naming it (its password hidden), and those
    NO_PROXY sends direct are polled."""
    no_proxies.setenv("ALL_PROXY", "socks4://me:secret@127.0.0.1:1080")
    no_proxies.setenv("NO_PROXY", "127.0.0.1,::1/128")  # (an entry httpx cannot read)
    local = feed_server.add("/local.xml", Route(rss("<title>Near</title><guid>1</guid>")))
    results, _ = await poll_once(
        tmp_path,
        now,
        Source("Local", url=local),
        Source("Far", url="http://wire.invalid/rss"),
    )
    assert results["Local"].status == "ok"
    assert results["Far"].status == "error"
    assert results["Far"].error == (
        "the proxy ALL_PROXY=socks4://me:***@127.0.0.1:1080 cannot be used: wirewatch speaks"
        " to http://, https://, socks5://, socks5h:// proxies, not socks4://"
    )
    assert "secret" not in (tmp_path / "data" / "sources.json").read_text()
    assert HealthBook(tmp_path / "data").load()["Far"].status == "error"


async def test_a_proxy_that_is_down_is_named_in_the_error(
    tmp_path: Path, now: datetime, no_proxies: pytest.MonkeyPatch
) -> None:
    """The error of a feed whose proxy is down said "cannot connect: connection refused",
    sending its reader to the feed's server: the proxy is named."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    no_proxies.setenv("ALL_PROXY", f"socks5://127.0.0.1:{port}")
    results, _ = await poll_once(tmp_path, now, Source("Far", url="http://wire.invalid/rss"))
    assert results["Far"].error == (
        f"cannot connect: connection refused (through the proxy ALL_PROXY=socks5://127.0.0.1:{port})"
    )


async def test_a_proxy_that_is_no_socks_proxy_fails_its_sources_and_says_so(
    tmp_path: Path, now: datetime, no_proxies: pytest.MonkeyPatch
) -> None:
    """A SOCKS proxy's port where a web server answers: socksio's own error escaped the
    fetch's handlers, a traceback for the poll."""
    with socket.socket() as web:
        web.bind(("127.0.0.1", 0))
        web.listen()

        def answer_as_http() -> None:
            connection, _ = web.accept()
            with connection:
                connection.recv(64)
                connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")

        threading.Thread(target=answer_as_http, daemon=True).start()
        address = f"127.0.0.1:{web.getsockname()[1]}"
        no_proxies.setenv("ALL_PROXY", f"socks5://{address}")
        results, _ = await poll_once(tmp_path, now, Source("Far", url="http://wire.invalid/rss"))
    assert results["Far"].error == f"the proxy ALL_PROXY=socks5://{address} failed: Malformed reply"


def test_a_webhook_goes_out_whatever_proxy_the_environment_names(
    receiver: Receiver, no_proxies: pytest.MonkeyPatch
) -> None:
    """A proxy httpx cannot use failed the webhooks' thread as it started: no alert went out,
    not even to a hook NO_PROXY sends direct."""
    no_proxies.setenv("all_proxy", "socks4://127.0.0.1:1080/")
    no_proxies.setenv("no_proxy", "127.0.0.1")
    hooks = WebhookSender(retries=0, backoff=0.5, sleep=lambda _: None, timeout=5.0)
    url, body = webhook_request(receiver.url("/hook"), "generic", entry())
    assert hooks.submit(url, body)
    assert hooks.drain(5)
    assert hooks.stats.sent == 1 and [path for path, _ in receiver.posts] == ["/hook"]


# -- servers that answer wrong ------------------------------------------------------------

Answer = Callable[[dict[str, str]], bytes]


class RawServer(socketserver.ThreadingTCPServer):
    """An HTTP/1.1 server that keeps connections alive and answers each path with the bytes
    its function makes of the request's headers, however wrong they are; it notes on which
    connection (numbered from 1) each path was asked."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, answers: dict[str, Answer]) -> None:
        super().__init__(("127.0.0.1", 0), _RawHandler)
        self.answers = answers
        self.connections = 0
        self.asked: list[tuple[int, str]] = []
        self.lock = threading.Lock()

    def url(self, path: str, scheme: str = "http") -> str:
        return f"{scheme}://127.0.0.1:{self.server_address[1]}{path}"


class _RawHandler(socketserver.StreamRequestHandler):
    server: RawServer

    def handle(self) -> None:
        with self.server.lock:
            self.server.connections += 1
            number = self.server.connections
        try:
            self._answer(number)
        except OSError:  # a client that stopped reading (a body too large) and closed
            pass

    def _answer(self, number: int) -> None:
        while True:
            line = self.rfile.readline()
            if not line.strip():
                return
            headers: dict[str, str] = {}
            while (header := self.rfile.readline()).strip():
                name, _, value = header.decode("latin-1").partition(":")
                headers[name.strip().lower()] = value.strip()
            path = line.split()[1].decode()
            with self.server.lock:
                self.server.asked.append((number, path))
            self.wfile.write(self.server.answers[path](headers))
            self.wfile.flush()


@pytest.fixture
def raw_server() -> Iterator[RawServer]:
    server = RawServer({})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


FEED = rss("<title>Innocent</title><guid>1</guid>")


def answer(status: str, body: bytes = b"", **headers: str) -> bytes:
    head = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return f"HTTP/1.1 {status}\r\n{head}\r\n".encode() + body


def ok(body: bytes = FEED, **headers: str) -> Answer:
    return lambda _: answer("200 OK", body, Content_Length=str(len(body)), **headers)


@pytest.mark.parametrize(
    "stray",
    [
        # a 304 that sends a body all the same, declared
        lambda _: answer("304 Not Modified", FEED, ETag='"z1"', Content_Length=str(len(FEED))),
        # a body 40 bytes longer than its Content-Length
        lambda _: answer("200 OK", FEED, Content_Length=str(len(FEED) - 40)),
    ],
    ids=["304-with-a-body", "content-length-short"],
)
async def test_bytes_an_answer_left_on_its_connection_never_fail_the_next_feed(
    raw_server: RawServer, stray: Answer
) -> None:
    """The next request on the connection read those bytes as its answer ("illegal status
    line: bytearray(b'<?xml …')"): a healthy feed of the same host failed at every poll, with
    its neighbour's XML as its error. It is asked again on another connection."""
    raw_server.answers.update({"/stray": stray, "/innocent": ok()})
    async with make_client(None, 1, 5.0) as client:  # one connection: the next reuses it
        await fetch(client, raw_server.url("/stray"), deadline=5, max_body=10**6, etag='"z1"')
        result = await fetch(client, raw_server.url("/innocent"), deadline=5, max_body=10**6)
    assert result.status == 200 and result.body == FEED
    assert raw_server.asked[:2] == [(1, "/stray"), (1, "/innocent")]  # (the connection reused)


async def test_an_answer_that_is_not_http_is_quoted_briefly(raw_server: RawServer) -> None:
    """The error held the whole line the server sent (900 characters of another feed's XML
    in source health): it quotes its first bytes, escaped."""
    junk = b"<?xml version='1.0'?>\x1b[31m" + b"<item>x</item>" * 64 + b"\r\n\r\n"
    raw_server.answers["/junk"] = lambda _: junk
    async with make_client(None, 1, 5.0) as client:
        with pytest.raises(FetchError) as caught:
            await fetch(client, raw_server.url("/junk"), deadline=5, max_body=10**6)
    message = str(caught.value)
    assert message.startswith("broken HTTP response: illegal status line: b")
    assert "<?xml version=" in message and "\x1b" not in message
    assert len(message) < 120 and "<item>x</item><item>" not in message


async def test_a_304_that_moves_the_etag_on_is_polled_with_the_new_one(
    tmp_path: Path, now: datetime, raw_server: RawServer
) -> None:
    """A 304's new ETag was dropped for the one sent, which the server no longer knew: the
    feed came whole at every other poll. The 304's validators are kept (RFC 9111 4.3.4), and
    those it leaves out stay as sent."""
    current = ['"e1"']

    def moving(headers: dict[str, str]) -> bytes:
        if headers.get("if-none-match") == current[0]:
            current[0] = f'"e{int(current[0][2:-1]) + 1}"'
            return answer("304 Not Modified", ETag=current[0])
        return ok(ETag=current[0])(headers)

    raw_server.answers["/moving"] = moving
    source = Source("Moving", url=raw_server.url("/moving"))
    statuses = []
    for _ in range(3):
        results, _ = await poll_once(tmp_path, now, source)
        statuses.append(results["Moving"].status)
    assert statuses == ["ok", "not-modified", "not-modified"]
    assert HealthBook(tmp_path / "data").load()["Moving"].etag == '"e3"'

    raw_server.answers["/bare"] = lambda _: answer("304 Not Modified", Content_Length="0")
    async with make_client(None, 1, 5.0) as client:
        result = await fetch(
            client,
            raw_server.url("/bare"),
            deadline=5,
            max_body=10**6,
            etag='"b1"',
            last_modified="Wed, 22 Oct 2025 06:00:00 GMT",
        )
    assert (result.etag, result.last_modified) == ('"b1"', "Wed, 22 Oct 2025 06:00:00 GMT")


# -- what an error says -------------------------------------------------------------------


async def test_a_connection_that_never_completes_says_how_long_it_was_given(
    monkeypatch: pytest.MonkeyPatch, no_proxies: pytest.MonkeyPatch
) -> None:
    """ "ConnectTimeout: ConnectTimeout", given up after 10 s of a 60 s timeout: it says that
    no connection came within the time connecting is given."""
    monkeypatch.setattr(http, "CONNECT_TIMEOUT", 0.5)
    with socket.socket() as silent:  # accepts, and never answers the TLS handshake
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"https://127.0.0.1:{silent.getsockname()[1]}/rss"
        async with make_client(None, 1, 60.0) as client:
            with pytest.raises(FetchError, match=r"^no connection within 0\.5s$"):
                await fetch(client, url, deadline=60, max_body=10**6)


async def test_https_to_a_plain_http_port_says_so(
    feed_server: FeedServer, no_proxies: pytest.MonkeyPatch
) -> None:
    """The error said "cannot connect: ConnectError", nothing of why: the TLS handshake
    failed, and the URL may be wrong."""
    url = feed_server.url("/rss").replace("http://", "https://")
    async with make_client(None, 1, 5.0) as client:
        with pytest.raises(FetchError) as caught:
            await fetch(client, url, deadline=5, max_body=10**6)
    assert str(caught.value).startswith("cannot connect: TLS handshake failed")
    assert str(caught.value).endswith("(is it http://?)")


@pytest.mark.parametrize("chunked", [True, False])
async def test_a_body_over_max_body_says_the_limit_as_written_with_its_status(
    raw_server: RawServer, chunked: bool
) -> None:
    """`max_body = "500KB"` said "the 0 MB limit", and a chunked body cut showed no HTTP
    status nor latency, where one with a Content-Length did."""
    body = b"<rss>" + b" " * 1_000_000 + b"</rss>"
    if chunked:
        raw_server.answers["/big"] = lambda _: answer(
            "200 OK", b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body), Transfer_Encoding="chunked"
        )
    else:
        raw_server.answers["/big"] = ok(body)
    async with make_client(None, 1, 5.0) as client:
        with pytest.raises(BodyTooLarge) as caught:
            await fetch(client, raw_server.url("/big"), deadline=5, max_body=500_000)
    assert "the 500 KB limit" in str(caught.value)
    assert caught.value.http_status == 200 and caught.value.latency_ms is not None


def test_sizes_are_said_as_a_config_writes_them() -> None:
    assert http.shown_size(500_000) == "500 KB"
    assert http.shown_size(15_000_000) == "15 MB"
    assert http.shown_size(1_500_000) == "1,500 KB"
    assert http.shown_size(2**20) == "1 MiB"
    assert http.shown_size(1_048_586) == "1.05 MB"
    assert http.shown_size(999) == "999 bytes"
