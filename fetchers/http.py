"""HTTP that survives the real web: a total deadline, a decoded-size cap, conditional GET."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import email.utils
import importlib.util
import ipaddress
import os
import re
import socket
import ssl
import time
import urllib.request
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC
from http import HTTPStatus
from typing import Any
from urllib.parse import SplitResult, urlsplit

import httpx

from fetchers import PROJECT_URL, __version__
from fetchers.redact import redact
from fetchers.text import plain_message

DEFAULT_USER_AGENT = f"wirewatch/{__version__} (+{PROJECT_URL})"
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


class FetchError(Exception):
    """A request that produced no usable body; the message is shown in source health."""

    def __init__(
        self,
        message: str,
        http_status: int | None = None,
        retry_after: float | None = None,
        latency_ms: int | None = None,
    ) -> None:
        super().__init__(plain_message(message))  # it may quote the server: never raw
        self.http_status = http_status
        self.retry_after = retry_after
        self.latency_ms = latency_ms  # when a server answered: how long it took to


class BodyTooLarge(FetchError):
    """A body larger than the `max_body` the fetch was given."""


class ProxyUnusable(FetchError):
    """A request the environment sends through a proxy wirewatch cannot use (what its
    `EnvironmentProxy.problem` says)."""


@dataclass(slots=True)
class FetchResult:
    url: str  # the final URL after redirects
    status: int
    body: bytes
    headers: dict[str, str]
    latency_ms: int
    not_modified: bool = False
    permanent_url: str | None = None  # set when every redirect on the way was permanent
    etag: str | None = None
    last_modified: str | None = None
    history: list[int] = field(default_factory=list)


# How long connecting may take (TCP, a proxy's handshake, TLS), within the request's
# `timeout`: a host that never answers is given up after this, the next poll tries again.
CONNECT_TIMEOUT = 10.0
# Redirects one fetch follows; a page's own redirects (a refresh, a script) count among them.
MAX_REDIRECTS = 5


def make_client(user_agent: str | None, concurrency: int, timeout: float) -> httpx.AsyncClient:
    """The one client a poller keeps for its life. Its proxies are the environment's, as
    httpx reads them (`environment_proxies`), save that one it cannot use fails the requests
    that would go through it, saying why, instead of the client (and with it every poll)."""
    limits = httpx.Limits(
        max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=30
    )
    tls = httpx.create_ssl_context(trust_env=True)  # (one CA bundle read for every transport)
    mounts: dict[str, httpx.AsyncBaseTransport | None] = {}
    for proxy in environment_proxies():
        mounts[proxy.pattern] = _proxy_transport(proxy, tls, limits)
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=httpx.Timeout(timeout, connect=min(CONNECT_TIMEOUT, timeout)),
        # (a transport of its own: httpx then leaves the environment's proxies to `mounts`)
        transport=httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=True),
        mounts=mounts,
        trust_env=True,
        event_hooks={"request": [_check_request]},
        headers={
            "User-Agent": user_agent or DEFAULT_USER_AGENT,
            "Accept": FEED_ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )


# -- proxies ------------------------------------------------------------------------------

# the proxies httpx speaks to; `socks://` (as GNOME exports its SOCKS setting:
# `all_proxy=socks://127.0.0.1:1080/`) is taken as SOCKS 5, which ssh -D and Tor speak
# (curl reads it as SOCKS 4, which httpx cannot speak)
PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
PROXY_ALIASES = {"socks": "socks5"}


@dataclass(frozen=True, slots=True)
class EnvironmentProxy:
    """One proxy setting of the environment: the URLs it applies to (an httpx mount pattern),
    where it was set, and the proxy (None: those URLs go direct, as NO_PROXY asks)."""

    pattern: str
    variable: str | None = None  # ALL_PROXY, https_proxy, … (None: the system's settings)
    value: str = ""  # as set, password and all
    url: str | None = None  # the proxy httpx is given, or None
    problem: str | None = None  # why it cannot be used

    @property
    def shown(self) -> str:
        """`VARIABLE=value`, a password in the value hidden."""
        if "://" in self.value:
            value = redact(self.value)
        else:  # (host:port, read as http://host:port)
            value = redact(f"http://{self.value}").removeprefix("http://")
        return f"{self.variable}={value}" if self.variable else f"{value} (system settings)"


def environment_proxies() -> list[EnvironmentProxy]:
    """The proxies of the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY, in
    lower or upper case, the lower winning; on macOS and Windows the system's settings when
    none is set), read as httpx reads them, each checked: a scheme httpx cannot speak (SOCKS 4,
    a typo), a URL it cannot read or a SOCKS proxy without its package is a `problem`."""
    found = urllib.request.getproxies()
    proxies: list[EnvironmentProxy] = []
    for scheme in ("http", "https", "all"):
        value = found.get(scheme)
        if not value:
            continue
        variable = _variable_of(scheme, value)
        url, problem = _proxy_url(value)
        proxies.append(EnvironmentProxy(f"{scheme}://", variable, value, url, problem))
    for host in found.get("no", "").split(","):
        host = host.strip()
        if host == "*":
            return []
        if host and (pattern := _bypass_pattern(host)) is not None:
            proxies.append(EnvironmentProxy(pattern))
    return proxies


def proxy_problems() -> list[str]:
    """What the environment's proxies that cannot be used say, one line each: the error of
    each request that would go through one."""
    return [str(ProxyUnusable(_unusable(p))) for p in environment_proxies() if p.problem]


def _variable_of(scheme: str, value: str) -> str | None:
    """The environment variable a proxy setting came from (None: the system's settings)."""
    for name in (f"{scheme}_proxy", f"{scheme}_proxy".upper()):
        if os.environ.get(name) == value:
            return name
    for name, setting in os.environ.items():
        if name.lower() == f"{scheme}_proxy" and setting == value:
            return name
    return None


def _proxy_url(value: str) -> tuple[str | None, str | None]:
    """The proxy URL httpx is to be given for a setting, or why there is none."""
    url = value if "://" in value else f"http://{value}"  # (host:port, as httpx reads it)
    scheme, _, rest = url.partition("://")
    scheme = PROXY_ALIASES.get(scheme.lower(), scheme.lower())
    url = f"{scheme}://{rest}"
    if scheme not in PROXY_SCHEMES:
        spoken = ", ".join(f"{s}://" for s in PROXY_SCHEMES)
        return None, f"wirewatch speaks to {spoken} proxies, not {scheme}://"
    try:
        httpx.Proxy(url)
    except (httpx.InvalidURL, ValueError):
        return None, "not a proxy URL"
    if scheme.startswith("socks") and importlib.util.find_spec("socksio") is None:
        return None, "a SOCKS proxy needs the socksio package (pip install 'httpx[socks]')"
    return url, None


def _bypass_pattern(host: str) -> str | None:
    """The httpx mount pattern of a NO_PROXY entry, read as httpx reads them (a name covers
    its subdomains, ".example.com" only those); None for one httpx cannot read ("::1/128"
    stopped its client from being made)."""
    if host.startswith("*."):  # ("*.example.com", as Go reads it: its subdomains)
        host = host[1:]
    if "://" in host:
        pattern = host
    else:
        try:
            address = ipaddress.ip_address(host.split("/")[0])  # (10.0.0.0/8, as httpx)
        except ValueError:
            pattern = f"all://{host}" if host.lower() == "localhost" else f"all://*{host}"
        else:
            pattern = f"all://[{host}]" if address.version == 6 else f"all://{host}"
    try:
        httpx.URL(pattern)
    except (httpx.InvalidURL, ValueError):
        return None
    return pattern


def _unusable(proxy: EnvironmentProxy) -> str:
    return f"the proxy {proxy.shown} cannot be used: {proxy.problem}"


def _proxy_transport(
    proxy: EnvironmentProxy, tls: ssl.SSLContext, limits: httpx.Limits
) -> httpx.AsyncBaseTransport | None:
    if proxy.url is None:
        return None if proxy.problem is None else _RefusedProxy(_unusable(proxy))
    transport = httpx.AsyncHTTPTransport(verify=tls, limits=limits, trust_env=True, proxy=proxy.url)
    return _ThroughProxy(transport, proxy.shown)


def make_blocking_client(timeout: float) -> httpx.Client:
    """A blocking client (webhooks) with the environment's proxies as `make_client` has them:
    one it cannot use fails the posts it would carry (ProxyUnusable), not the client."""
    tls = httpx.create_ssl_context(trust_env=True)
    mounts: dict[str, httpx.BaseTransport | None] = {}
    for proxy in environment_proxies():
        if proxy.url is not None:
            mounts[proxy.pattern] = httpx.HTTPTransport(verify=tls, trust_env=True, proxy=proxy.url)
        elif proxy.problem is not None:
            mounts[proxy.pattern] = _RefusedProxy(_unusable(proxy))
        else:
            mounts[proxy.pattern] = None
    return httpx.Client(
        timeout=timeout,
        transport=httpx.HTTPTransport(verify=tls, trust_env=True),
        mounts=mounts,
        trust_env=True,
    )


class _RefusedProxy(httpx.BaseTransport, httpx.AsyncBaseTransport):
    """Where a proxy that cannot be used is mounted, in a client or a blocking one: each
    request it would carry fails with why (the sources NO_PROXY lets go direct are polled
    all the same)."""

    def __init__(self, problem: str) -> None:
        self.problem = problem

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        raise ProxyUnusable(self.problem)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise ProxyUnusable(self.problem)


class _ThroughProxy(httpx.AsyncBaseTransport):
    """A proxy's transport whose failures to connect name the proxy: "connection refused"
    said of a feed whose proxy is down sends its reader to the wrong server."""

    def __init__(self, transport: httpx.AsyncHTTPTransport, shown: str) -> None:
        self.transport = transport
        self.shown = shown

    async def __aenter__(self) -> _ThroughProxy:
        await self.transport.__aenter__()
        return self

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        try:
            return await self.transport.handle_async_request(request)
        except httpx.ProxyError as exc:  # (it answered: what it said)
            raise FetchError(f"the proxy {self.shown} failed: {_reason(exc)}") from None
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            timeouts = request.extensions.get("timeout", {})
            failure = _connect_failure(exc, timeouts.get("connect"))
            raise FetchError(f"{failure} (through the proxy {self.shown})") from None
        except httpx.HTTPError:
            raise
        except Exception as exc:  # a server that is no SOCKS proxy: socksio's own errors (a
            # ProtocolError, "Malformed reply") are not httpx's, and escaped every handler
            why = str(exc) or type(exc).__name__
            raise FetchError(f"the proxy {self.shown} failed: {why}") from None

    async def aclose(self) -> None:
        await self.transport.aclose()


async def _check_request(request: httpx.Request) -> None:
    """Every request, redirects included, goes only where a request may go: a redirect to
    port 99999 is refused here with a plain reason, not deep in the connection code. (`fetch`
    checks the URL it is given first: one refused here is where a redirect led, and is said so:
    "not an http or https URL" read as a fault of the configured http one.)"""
    try:
        check_url(str(request.url))
    except FetchError as exc:
        scheme = request.url.scheme
        # (a host is named of a web address only: "file:///etc/passwd" read "file://127.0.0.1")
        web = scheme in ("http", "https")
        where = f"{scheme}://{request.url.host}" if web else f"an address of the {scheme} scheme"
        raise FetchError(f"redirected to {where}: {exc}") from None


def preload() -> None:
    """Import what httpx imports on its first request (httpcore, h11, anyio's asyncio
    backend, certifi). Call it from a thread: on an event loop those imports would stall it
    for a noticeable fraction of a second."""
    import anyio._backends._asyncio  # noqa: F401
    import certifi  # noqa: F401
    import h11  # noqa: F401
    import httpcore  # noqa: F401

    httpx.create_ssl_context()


# The longest wait a server may ask for. A Retry-After of 10^20 seconds or a date in the year
# 9999 would park a source forever (or overflow the next-poll time): a day is plenty.
MAX_SERVER_DELAY = 24 * 3600.0


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date), at most
    MAX_SERVER_DELAY; None when the header is absent or unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), MAX_SERVER_DELAY)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    wait = when.timestamp() - (now if now is not None else time.time())
    return min(max(0.0, wait), MAX_SERVER_DELAY)


GZIP_MAGIC = b"\x1f\x8b"


class _Inflater:
    """Bounded decompression: a gzip bomb costs at most `limit` bytes, never gigabytes."""

    def __init__(self, encoding: str, limit: int) -> None:
        self.limit = limit
        self.wbits = 47 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self.raw_deflate = False
        self.decomp = zlib.decompressobj(self.wbits) if encoding else None
        self.encoding = encoding
        self.out = bytearray()

    def feed(self, chunk: bytes) -> None:
        if self.decomp is None:
            self.out += chunk
        else:
            try:
                self.out += self.decomp.decompress(chunk, self.limit + 1 - len(self.out))
                while (
                    self.wbits == 47
                    and len(self.out) <= self.limit  # (a budget of 0 would be none at all)
                    and self.decomp.eof
                    and self.decomp.unused_data[:2] == b"\x1f\x8b"
                ):
                    # a gzip body of several members (files joined, a server that flushes
                    # one a chunk) is their contents in turn: the first alone lost the rest
                    # (bytes after a member that start none, padding, are passed over)
                    rest = self.decomp.unused_data
                    self.decomp = zlib.decompressobj(self.wbits)
                    self.out += self.decomp.decompress(rest, self.limit + 1 - len(self.out))
            except zlib.error:
                if self.encoding == "deflate" and not self.out and not self.raw_deflate:
                    self.raw_deflate = True  # some servers send raw deflate without zlib header
                    self.decomp = zlib.decompressobj(-zlib.MAX_WBITS)
                    self.out += self.decomp.decompress(chunk, self.limit + 1 - len(self.out))
                else:
                    raise
        if len(self.out) > self.limit:
            raise BodyTooLarge(f"response larger than the {shown_size(self.limit)} limit")


def _one_coding(header: str) -> str:
    """A Content-Encoding's one coding that changes the bytes: "gzip, identity" is gzip
    (identity changes nothing); several real ones are kept as written, and refused."""
    codings = [c.strip().lower() for c in header.split(",")]
    real = [c for c in codings if c and c != "identity"]
    return real[0] if len(real) == 1 else ", ".join(real) if real else ""


@dataclass(slots=True)
class _Clock:
    """A fetch's deadline, and the time its latency is counted from: both are held while it
    waits in line for a host's slot (`deadline_held`)."""

    deadline: asyncio.Timeout
    started: float  # (time.monotonic()) moved on by each wait in line

    def latency_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


# the clock of the fetch under way in this task (`fetch`), held while it waits for its
# turn at a host (`deadline_held`)
_clock: contextvars.ContextVar[_Clock | None] = contextvars.ContextVar(
    "wirewatch_fetch_clock", default=None
)


@contextlib.contextmanager
def deadline_held() -> Iterator[None]:
    """Hold the deadline of the fetch under way in this task, and its latency, while it
    waits in line for a host's slot (a redirect to a host other sources lead to as well):
    that time is not the server's. Counted in, sources that answered in a second failed as
    "no complete response within 2s", a wait longer than the deadline ended the fetch before
    it was sent, and of four sources redirected to a host that answers one at a time, in
    0.6 s each, the last was said to take 2.4 s."""
    clock = _clock.get()
    when = clock.deadline.when() if clock is not None else None
    if clock is None or when is None:
        yield
        return
    loop = asyncio.get_running_loop()
    left = when - loop.time()
    clock.deadline.reschedule(None)
    waiting_since = time.monotonic()
    try:
        yield
    finally:
        clock.started += time.monotonic() - waiting_since
        clock.deadline.reschedule(loop.time() + left)


async def fetch(
    client: httpx.AsyncClient,
    url: str,
    *,
    deadline: float,
    max_body: int,
    etag: str | None = None,
    last_modified: str | None = None,
    accept: str | None = None,
) -> FetchResult:
    """GET a URL within `deadline` seconds in total, reading at most `max_body` decoded bytes.

    A request sent on a kept-alive connection that breaks before its answer's head is read is
    sent again on another (REUSED_RETRIES times at most): the server may have closed it as it
    was sent, or an earlier answer on it may have sent more bytes than it declared (a 304 with
    a body, a Content-Length too short), which read as this answer's head would fail a feed
    for a neighbour's fault."""
    check_url(url)
    headers: dict[str, str] = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    if accept:
        headers["Accept"] = accept
    started = time.monotonic()
    try:
        async with asyncio.timeout(deadline) as timer:
            clock = _Clock(timer, started)
            mine = _clock.set(clock)  # (this task's: `deadline_held`)
            try:
                request = _Request(url, headers, max_body, etag, last_modified, clock)
                return await _sent(client, request)
            finally:
                _clock.reset(mine)
    except TimeoutError:
        raise FetchError(f"no complete response within {deadline:g}s") from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects (a redirect loop?)") from None
    except (httpx.InvalidURL, OverflowError) as exc:  # a redirect to a malformed URL
        raise FetchError(f"not a valid URL: {exc}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("redirected to a URL that is not http or https") from None
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.ProxyError) as exc:
        raise FetchError(_connect_failure(exc, client.timeout.connect)) from None
    except httpx.RemoteProtocolError as exc:
        raise FetchError(f"broken HTTP response: {_reason(exc)}") from None
    except (httpx.ReadError, httpx.WriteError) as exc:
        raise FetchError(f"connection lost: {_reason(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}") from None
    except ExceptionGroup as group:  # the connection code's task group: report its first cause
        first = group.exceptions[0]
        raise FetchError(f"{type(first).__name__}: {_reason(first)}") from None


@dataclass(frozen=True, slots=True)
class _Request:
    """What one fetch asks, as `fetch` hands it to `_sent` and each try (`_get`): one value,
    so the tries cannot be given different ones."""

    url: str
    headers: dict[str, str]  # the validators and Accept asked, beside the client's own
    max_body: int
    etag: str | None  # the validators sent (a 304 is read against them)
    last_modified: str | None
    clock: _Clock  # its deadline, and the time its latency is counted from


async def _sent(client: httpx.AsyncClient, request: _Request) -> FetchResult:
    """`_get`, sent again on another connection when a kept-alive one broke before its
    answer's head (`fetch`)."""
    retries = 0
    while True:
        connection = _ConnectionTrace()
        try:
            return await _get(client, request, connection)
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError):
            if retries == REUSED_RETRIES or not connection.broke_before_answer:
                raise
            retries += 1


# the times a request is sent again after a kept-alive connection broke under it (each
# broken one is closed: the next try takes another idle one, or a new one)
REUSED_RETRIES = 2


class _ConnectionTrace:
    """httpcore's trace of one fetch (redirects included): whether its last request went on
    a connection kept alive from before, and broke before its answer's head was read."""

    def __init__(self) -> None:
        self.connected = False  # a connection was opened since the last request went out
        self.reused = False
        self.answered = False

    async def __call__(self, event: str, info: dict[str, Any]) -> None:
        # (TLS started counts as a new one too: an https URL through an http proxy starts it in
        # the tunnel a CONNECT request made, sent before on the same connection)
        if event.endswith(
            (".connect_tcp.started", ".connect_unix_socket.started", ".start_tls.started")
        ):
            self.connected = True
        elif event.endswith(".send_request_headers.started"):
            self.reused, self.connected, self.answered = not self.connected, False, False
        elif event.endswith(".receive_response_headers.complete"):
            self.answered = True

    @property
    def broke_before_answer(self) -> bool:
        return self.reused and not self.answered


async def _get(
    client: httpx.AsyncClient, request: _Request, trace: _ConnectionTrace
) -> FetchResult:
    """One try of `fetch`."""
    async with client.stream(
        "GET", request.url, headers=request.headers, extensions={"trace": trace}
    ) as response:
        history = [r.status_code for r in response.history]
        final_url = without_credentials(str(response.url))  # links resolve against it
        permanent = (
            carry_credentials(final_url, request.url)
            if history and all(code in (301, 308) for code in history)
            else None
        )
        if response.status_code == 304:
            await response.aread()
            if not request.etag and not request.last_modified:
                raise FetchError(
                    "HTTP 304 Not Modified, though nothing was asked conditionally",
                    304,
                    latency_ms=request.clock.latency_ms(),
                )  # read to its end, the connection is kept for reuse
            # the validators a 304 sends replace those sent (RFC 9111 4.3.4): a feed whose
            # ETag moved on with a 304 was downloaded whole at every other poll
            return FetchResult(
                final_url,
                304,
                b"",
                dict(response.headers),
                request.clock.latency_ms(),
                True,
                permanent,
                response.headers.get("etag") or request.etag,
                response.headers.get("last-modified") or request.last_modified,
                history,
            )
        if response.status_code >= 400:
            retry = parse_retry_after(response.headers.get("retry-after"))
            raise FetchError(
                f"HTTP {response.status_code} {_phrase(response)}",
                response.status_code,
                retry,
                request.clock.latency_ms(),
            )
        length = response.headers.get("content-length")
        encoding = _one_coding(response.headers.get("content-encoding", ""))
        if length and length.isdigit() and not encoding and int(length) > request.max_body:
            limit = shown_size(request.max_body)
            raise BodyTooLarge(
                f"response of {shown_size(int(length))} exceeds the {limit} limit",
                response.status_code,
                latency_ms=request.clock.latency_ms(),
            )
        if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
            raise FetchError(
                f"unsupported content encoding {encoding!r}",
                response.status_code,
                latency_ms=request.clock.latency_ms(),
            )
        try:
            inflater = _Inflater("" if encoding == "identity" else encoding, request.max_body)
            async for chunk in response.aiter_raw():
                inflater.feed(chunk)
            body = bytes(inflater.out)
            if body.startswith(GZIP_MAGIC):  # a feed.xml.gz served as is, or gzipped twice
                inner = _Inflater("gzip", request.max_body)
                inner.feed(body)
                body = bytes(inner.out)
        except BodyTooLarge as exc:  # (said as one with a Content-Length too large is)
            raise BodyTooLarge(
                str(exc), response.status_code, latency_ms=request.clock.latency_ms()
            ) from None
        resp_headers = {k.lower(): v for k, v in response.headers.items()}
        no_validators = resp_headers.get("expires", "").strip() == "0"
        return FetchResult(
            final_url,
            response.status_code,
            body,
            resp_headers,
            request.clock.latency_ms(),
            False,
            permanent,
            None if no_validators else resp_headers.get("etag"),
            None if no_validators else resp_headers.get("last-modified"),
            history,
        )


def shown_size(size: int) -> str:
    """A byte count as a config writes it: 500000 is "500 KB", 15000000 "15 MB", 1048576
    "1 MiB" (a limit of 500 KB was said to be "0 MB")."""
    for factor, unit in (
        (2**30, "GiB"),
        (10**9, "GB"),
        (2**20, "MiB"),
        (10**6, "MB"),
        (2**10, "KiB"),
        (10**3, "KB"),
    ):
        if size >= factor and size % factor == 0:
            return f"{size // factor:,} {unit}"
    for factor, unit in ((10**9, "GB"), (10**6, "MB"), (10**3, "KB")):
        if size >= factor:
            return f"{round(size / factor, 2):g} {unit}"
    return f"{size:,} bytes"


def check_url(url: str) -> None:
    """FetchError for what no request should be made to: not http(s), no host, a bad port."""
    try:
        parsed = httpx.URL(url)
        port = parsed.port
    except (httpx.InvalidURL, ValueError) as exc:
        raise FetchError(f"not a valid URL: {exc}") from None
    if parsed.scheme not in ("http", "https"):
        raise FetchError("not an http or https URL")
    if not parsed.host:
        raise FetchError("not a valid URL: it names no host")
    if port is not None and not 0 < port < 65536:
        raise FetchError(f"not a valid URL: port {port}")


def _phrase(response: httpx.Response) -> str:
    """The standard reason phrase of the status (a server's own may say anything)."""
    try:
        return HTTPStatus(response.status_code).phrase
    except ValueError:
        return response.reason_phrase


def _connect_failure(exc: Exception, connect_timeout: float | None) -> str:
    """What a failure to connect says: how long was given, or why."""
    if isinstance(exc, httpx.ConnectTimeout):
        within = f" within {connect_timeout:g}s" if connect_timeout else ""
        return f"no connection{within}"
    if isinstance(exc, httpx.ProxyError):
        return f"the proxy failed: {_reason(exc)}"
    return f"cannot connect: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    """Why a request failed, in words a reader of source health understands: the cause under
    httpx's error (whose own message may be empty), and no more than a few of the bytes a
    server sent that could not be read."""
    for cause in _causes(exc):
        if isinstance(cause, ssl.SSLCertVerificationError):
            return f"TLS certificate not accepted: {cause.verify_message or cause.reason}"
        if isinstance(cause, ssl.SSLError):
            if cause.reason == "WRONG_VERSION_NUMBER":  # an answer that is not TLS at all
                return "TLS handshake failed: the server answered without TLS (is it http://?)"
            if isinstance(cause, ssl.SSLEOFError):
                return "TLS handshake failed: the server closed the connection (is it http://?)"
            return f"TLS handshake failed: {(cause.reason or str(cause)).lower()}"
        if isinstance(cause, socket.gaierror) or _no_such_host(str(cause)):
            return "host name not found (offline?)"
        if isinstance(cause, ConnectionRefusedError):
            return "connection refused"
        if isinstance(cause, ConnectionResetError):
            return "connection reset by the server"
        if isinstance(cause, OSError) and cause.strerror and cause.errno is not None:
            return cause.strerror.lower()  # network unreachable, no route to host, …
    text = next((str(c) for c in _causes(exc) if str(c)), "") or _UNSAID.get(
        type(exc), type(exc).__name__
    )
    return _quoting_little(text)


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """An exception and those under it (each once)."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        yield cause
        cause = cause.__cause__ or cause.__context__


def _no_such_host(text: str) -> bool:
    return (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or "Temporary failure in name resolution" in text
    )


# what an error httpx gives no message says
_UNSAID: dict[type[BaseException], str] = {
    httpx.ConnectError: "the connection failed",
    httpx.ReadError: "the connection broke",
    httpx.WriteError: "the connection broke",
    httpx.RemoteProtocolError: "the server broke the protocol",
}

QUOTED_BYTES = 40  # of what a server sent that could not be read, the characters quoted
REASON_MOST = 160
_BYTES_QUOTED = re.compile(r"bytearray\((b['\"].*)\)|(?<!\w)(b['\"].*)", re.DOTALL)


def _quoting_little(text: str) -> str:
    """A message that quotes the bytes it could not read ("illegal status line:
    bytearray(b'<?xml …')", the whole rest of another answer sent on the connection) with the
    first few of them, escaped as Python writes bytes, then at most REASON_MOST characters."""
    match = _BYTES_QUOTED.search(text)
    if match:
        quoted = match.group(1) or match.group(2)
        if len(quoted) > QUOTED_BYTES:
            quoted = quoted[:QUOTED_BYTES] + "…"
        text = text[: match.start()] + quoted
    return text if len(text) <= REASON_MOST else text[: REASON_MOST - 1] + "…"


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def without_credentials(url: str) -> str:
    """The URL without `user:password@`: what an article link resolved against it, or a page
    fetched from it, may carry (credentials belong to the request, not to what it returns)."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def carry_credentials(url: str, original: str) -> str:
    """`url` (where a redirect led) with the credentials of `original` when both name the same
    server, as httpx keeps them on a redirect: the same host (an international name and its
    ASCII form are one) on the same port, or http upgraded to https on the default ports. A
    feed that moved within its site still needs them; another port is another server."""
    source = urlsplit(original)
    target = urlsplit(url)
    if "@" not in source.netloc or "@" in target.netloc or not _same_server(source, target):
        return url
    userinfo = source.netloc.rpartition("@")[0]
    return target._replace(netloc=f"{userinfo}@{target.netloc}").geturl()


def _same_server(one: SplitResult, other: SplitResult) -> bool:
    try:
        ports = (_port(one), _port(other))
    except ValueError:
        return False
    if _ascii_host(one.hostname) != _ascii_host(other.hostname):
        return False
    if one.scheme == other.scheme:
        return ports[0] == ports[1]
    return (one.scheme, other.scheme) == ("http", "https") and ports == (80, 443)


def _port(parts: SplitResult) -> int | None:
    return parts.port or {"http": 80, "https": 443}.get(parts.scheme)


def _ascii_host(host: str | None) -> str | None:
    """A host name as httpx sends it: "bücher.example" is "xn--bcher-kva.example", and
    "straße.de" "xn--strae-oqa.de" (IDNA 2008, as httpx encodes it, not Python's codec)."""
    if not host:
        return host
    try:
        return httpx.URL(f"http://{host}/").raw_host.decode("ascii").lower()
    except (httpx.InvalidURL, UnicodeError, ValueError):
        return host.lower()


def shown_url(url: str) -> str:
    """A URL as wirewatch shows it: a password in it (`https://user:secret@host/feed`, which
    is sent as HTTP basic auth) replaced by `***`, so it never lands on a screen or in a log."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user, _, host = parts.netloc.rpartition("@")
    return parts._replace(netloc=f"{user.split(':', 1)[0]}:***@{host}").geturl()
