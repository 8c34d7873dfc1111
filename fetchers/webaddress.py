"""Whether an http(s) address a user gave (a source's, a webhook's) can be asked at all, said
once for the config, `add`, OPML import and alert rules alike."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def lower_scheme(url: str) -> str:
    """ "HTTP://host/feed" as "http://host/feed": the same address (schemes ignore case)."""
    scheme, colon, rest = url.partition(":")
    return scheme.lower() + colon + rest if colon and scheme.isalpha() else url


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
