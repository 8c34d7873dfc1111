"""Whether an http(s) address a user gave (a source's, a webhook's) can be asked at all, and
how often, said once for the config, `add`, OPML import and alert rules alike; and an
article's link as it identifies the article (`untracked`)."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from urllib.parse import urlsplit, urlunsplit

import idna

SHORTEST_INTERVAL = 60.0
"""Seconds: the shortest poll interval of a source on the network. A feed is asked at most
once a minute (newsboat's `reload-time` has the same floor): "1ms" polled a server at every
tick of the poller, about once a second."""

SHORTEST_LOCAL_INTERVAL = 1.0
"""Seconds: the shortest poll interval of a local path, or of an address on this machine or
its network (`is_local_host`), which are the reader's own to ask as often as the poller
looks (once a second)."""


def is_local_host(host: str) -> bool:
    """True for localhost and loopback, private or link-local addresses (no DNS lookup)."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_private or address.is_link_local


def shortest_interval(url: str | None) -> float:
    """The shortest poll interval, in seconds, of a source at `url` (None: a local path)."""
    if url is None:
        return SHORTEST_LOCAL_INTERVAL
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        host = ""
    return SHORTEST_LOCAL_INTERVAL if is_local_host(host) else SHORTEST_INTERVAL


def lower_scheme(url: str) -> str:
    """ "HTTP://host/feed" as "http://host/feed": the same address (schemes ignore case)."""
    scheme, colon, rest = url.partition(":")
    return scheme.lower() + colon + rest if colon and scheme.isalpha() else url


def subscribed_address(url: str) -> str:
    """An address as subscribing takes it: its scheme lower-cased (`lower_scheme`), and the
    `feed:` scheme a browser's or reader's "subscribe" link writes read as the address it
    wraps ("feed://host/rss" is http://host/rss, "feed:https://host/rss" https://host/rss;
    OPML exports and newsboat urls files carry them, and they were skipped as not http)."""
    url = lower_scheme(url)
    if url.startswith("feed:"):
        rest = url[len("feed:") :]
        if rest.startswith("//"):
            return "http:" + rest
        inner = lower_scheme(rest)
        if inner.startswith(("http://", "https://")):
            return inner
    return url


def address_problem(url: str) -> str | None:
    """Why `url` (its scheme lower-cased) cannot be asked, or None: not http(s), spaces or
    control characters in it, no host ("http://"), a host that is not one ("[::1"), a port
    that is not a port."""
    if any(ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf") for ch in url):
        return "its URL holds spaces or control characters"
    try:
        parts = urlsplit(url)
    except ValueError:  # an unclosed IPv6 bracket
        return "its URL names no valid host"
    if parts.scheme not in ("http", "https"):
        return "its URL is not http(s)"
    try:
        if not parts.hostname or (parts.port is not None and not 0 < parts.port < 65536):
            return "its URL names no valid host"
    except ValueError:
        return "its URL names no valid port"
    return None


def ntfy_topic(path: str) -> tuple[str, str]:
    """(the path before it, the topic) of an ntfy URL's path: the topic is its last
    segment ("" when there is none), the rest a server behind a prefix."""
    prefix, _, topic = path.rstrip("/").rpartition("/")
    return prefix, topic


def address_key(url: str, user: bool = False) -> str:
    """What tells two sources' addresses apart: the address without its password and, but
    with `user`, its user name (an OPML export leaves them out: imported again, a protected
    feed was added a second time), its scheme lower-cased. Two accounts' feeds at one
    address differ by `user`."""
    url = lower_scheme(url)
    scheme, sep, rest = url.partition("://")
    if not sep:
        return url
    cut = len(rest)
    for mark in "/?#":
        place = rest.find(mark)
        if place != -1:
            cut = min(cut, place)
    userinfo, at, host = rest[:cut].rpartition("@")
    name = userinfo.partition(":")[0] + at if user and at else ""
    return f"{scheme}://{name}{host}{rest[cut:]}"


_DEFAULT_PORTS = {"http": 80, "https": 443}


def feed_key(url: str, user: bool = False) -> str:
    """What tells two feeds apart when subscribing (`add`, `import-opml`) and in a config:
    `address_key` (`user`: as it says), and what no fetch of the address sees either way:
    the host's case, the scheme's default port, the fragment (never sent) and tracking
    parameters (`untracked`). `feed.xml#top` and `Example.COM:80/feed.xml` were subscribed
    as second sources, every item stored and counted as another outlet's."""
    key = untracked(address_key(url, user))
    try:
        parts = urlsplit(key)
        port = parts.port
    except ValueError:  # (a port that is no number: the address as it is)
        return key
    host = parts.hostname or ""
    if not host:
        return key
    host = _ascii_host(host)
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS.get(parts.scheme):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0]
    netloc = f"{userinfo}@{host}" if userinfo else host
    path = _without_dot_segments(_ESCAPED.sub(_unescaped, parts.path)) or "/"
    return urlunsplit((parts.scheme, netloc, path, parts.query, ""))


def _ascii_host(host: str) -> str:
    """A host as it is asked for: in punycode ("bücher.example" is "xn--bcher-kva.example",
    the same server), without the dot that may end a fully qualified name
    ("news.example."). Either way it was subscribed as a second source."""
    host = host.rstrip(".") or host
    if host.isascii():
        return host
    try:  # as httpx asks for it (IDNA 2008: "straße" is not "strasse", as Python's codec has it)
        return idna.encode(host, uts46=True).decode("ascii")
    except (idna.IDNAError, UnicodeError):  # (not a name IDNA encodes: the host as written)
        return host


_ESCAPED = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _unescaped(match: re.Match[str]) -> str:
    """A percent escape as every server reads it: an unreserved character written out
    ("%61" is "a"), any other escape in capitals (RFC 3986, 6.2.2)."""
    character = chr(int(match.group(1), 16))
    return character if character in _UNRESERVED else match.group(0).upper()


def _without_dot_segments(path: str) -> str:
    """A path without its "." and ".." segments (RFC 3986, 5.2.4): "/./feed.xml" and
    "/news/../feed.xml" are "/feed.xml"."""
    if "." not in path:
        return path
    out: list[str] = []
    segments = path.split("/")
    for n, segment in enumerate(segments):
        last = n == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out)


# query parameters that say how a reader came to a page, never which page it is: a feed that
# stamps its links anew at each fetch (utm_campaign=the day) must not make its items new
TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "msclkid",
        "yclid",
        "igshid",
        "twclid",
        "mc_cid",
        "mc_eid",
        "_hsenc",
        "_hsmi",
    }
)


# what every tracking parameter's name holds (`TRACKING`, `utm_`), lower-cased: a query
# holding none of them is kept as it is without being taken apart
_MARKERS = ("utm_", "clid", "msclkid", "igshid", "mc_", "_hs")
_MARKED = re.compile("|".join(_MARKERS)).search


def _tracks(parameter: str) -> bool:
    name = parameter.partition("=")[0].lower()
    return name.startswith("utm_") or name in TRACKING


def untracked(link: str) -> str:
    """`link` without its tracking parameters (`utm_*`, `fbclid`, …), the rest as written (a
    link holding none is returned as it is): what an article without a guid is known by."""
    base, question, rest = link.partition("?")
    if not question:
        return link
    lowered = rest.lower()
    if not _MARKED(lowered):  # most links: a look, no split
        return link
    query, hash_mark, fragment = rest.partition("#")
    parameters = query.split("&")
    kept = [parameter for parameter in parameters if not _tracks(parameter)]
    if len(kept) == len(parameters):
        return link
    joined = "&".join(kept)
    return base + ("?" + joined if joined else "") + hash_mark + fragment
