"""HTTP that survives the real web: a total deadline, a decoded-size cap, conditional GET."""

from __future__ import annotations

import asyncio
import email.utils
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC
from http import HTTPStatus
from urllib.parse import SplitResult, urlsplit

import httpx

from fetchers import PROJECT_URL, __version__
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


def make_client(user_agent: str | None, concurrency: int, timeout: float) -> httpx.AsyncClient:
    """The one client a poller keeps for its life."""
    return httpx.AsyncClient(
        follow_redirects=True,
        max_redirects=5,
        timeout=httpx.Timeout(timeout, connect=min(10.0, timeout)),
        limits=httpx.Limits(
            max_connections=concurrency, max_keepalive_connections=concurrency, keepalive_expiry=30
        ),
        trust_env=True,
        event_hooks={"request": [_check_request]},
        headers={
            "User-Agent": user_agent or DEFAULT_USER_AGENT,
            "Accept": FEED_ACCEPT,
            "Accept-Encoding": "gzip, deflate",
        },
    )


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
            raise BodyTooLarge(f"response larger than the {self.limit // 1_000_000} MB limit")


def _one_coding(header: str) -> str:
    """A Content-Encoding's one coding that changes the bytes: "gzip, identity" is gzip
    (identity changes nothing); several real ones are kept as written, and refused."""
    codings = [c.strip().lower() for c in header.split(",")]
    real = [c for c in codings if c and c != "identity"]
    return real[0] if len(real) == 1 else ", ".join(real) if real else ""


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
    """GET a URL within `deadline` seconds in total, reading at most `max_body` decoded bytes."""
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
        async with asyncio.timeout(deadline):
            async with client.stream("GET", url, headers=headers) as response:
                history = [r.status_code for r in response.history]
                final_url = without_credentials(str(response.url))  # links resolve against it
                permanent = (
                    carry_credentials(final_url, url)
                    if history and all(code in (301, 308) for code in history)
                    else None
                )
                if response.status_code == 304:
                    await response.aread()
                    if not etag and not last_modified:
                        raise FetchError(
                            "HTTP 304 Not Modified, though nothing was asked conditionally",
                            304,
                            latency_ms=_ms(started),
                        )  # read to its end, the connection is kept for reuse
                    return FetchResult(
                        final_url,
                        304,
                        b"",
                        dict(response.headers),
                        _ms(started),
                        True,
                        permanent,
                        etag,
                        last_modified,
                        history,
                    )
                if response.status_code >= 400:
                    retry = parse_retry_after(response.headers.get("retry-after"))
                    raise FetchError(
                        f"HTTP {response.status_code} {_phrase(response)}",
                        response.status_code,
                        retry,
                        _ms(started),
                    )
                length = response.headers.get("content-length")
                encoding = _one_coding(response.headers.get("content-encoding", ""))
                if length and length.isdigit() and not encoding and int(length) > max_body:
                    raise BodyTooLarge(
                        f"response of {int(length)} bytes exceeds the limit",
                        response.status_code,
                        latency_ms=_ms(started),
                    )
                if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
                    raise FetchError(
                        f"unsupported content encoding {encoding!r}",
                        response.status_code,
                        latency_ms=_ms(started),
                    )
                inflater = _Inflater("" if encoding == "identity" else encoding, max_body)
                async for chunk in response.aiter_raw():
                    inflater.feed(chunk)
                body = bytes(inflater.out)
                if body.startswith(GZIP_MAGIC):  # a feed.xml.gz served as is, or gzipped twice
                    inner = _Inflater("gzip", max_body)
                    inner.feed(body)
                    body = bytes(inner.out)
                resp_headers = {k.lower(): v for k, v in response.headers.items()}
                no_validators = resp_headers.get("expires", "").strip() == "0"
                return FetchResult(
                    final_url,
                    response.status_code,
                    body,
                    resp_headers,
                    _ms(started),
                    False,
                    permanent,
                    None if no_validators else resp_headers.get("etag"),
                    None if no_validators else resp_headers.get("last-modified"),
                    history,
                )
    except TimeoutError:
        raise FetchError(f"no complete response within {deadline:g}s") from None
    except httpx.TooManyRedirects:
        raise FetchError("too many redirects (a redirect loop?)") from None
    except (httpx.InvalidURL, OverflowError) as exc:  # a redirect to a malformed URL
        raise FetchError(f"not a valid URL: {exc}") from None
    except httpx.UnsupportedProtocol:
        raise FetchError("redirected to a URL that is not http or https") from None
    except httpx.ConnectError as exc:
        raise FetchError(f"cannot connect: {_reason(exc)}") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"{type(exc).__name__}: {_reason(exc)}") from None
    except zlib.error as exc:
        raise FetchError(f"corrupt compressed body: {exc}") from None
    except ExceptionGroup as group:  # the connection code's task group: report its first cause
        first = group.exceptions[0]
        raise FetchError(f"{type(first).__name__}: {_reason(first)}") from None


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


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    if (
        "Name or service not known" in text
        or "nodename nor servname" in text
        or ("Temporary failure in name resolution" in text)
    ):
        return "host name not found (offline?)"
    return text


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)


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
