"""Connecting to the PostgreSQL server named by a DSN, and keeping its passwords out of every
message. The DSN is a postgresql:// URL, which may carry a password twice: in its user info
(`user:PASSWORD@host`) and in its query (`?password=…`, `?sslpassword=…`, as libpq reads
them). `shown` rebuilds the URL with each of them replaced by `***`; `hide_password` also
hides each wherever a driver's message quotes it alone, as written or decoded."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, unquote_plus

from fetchers.redact import hide_query_passwords, query_secrets, redact
from fetchers.store.errors import StoreError

CONNECT_TIMEOUT = 10  # seconds to reach the server before saying it cannot be reached
HIDDEN = "***"
_SCHEME = re.compile(r"(?i)^[a-z][a-z0-9+.-]*://")


def _user_info(dsn: str) -> tuple[int, int] | None:
    """Where the user info of a DSN runs (from the end of `scheme://` to its last "@" before
    the first "/"), or None: none. libpq ends it at the first "@", a URL parser at a "?" or
    "#" too: the widest reading hides a password holding any of them, whoever reads it."""
    scheme = _SCHEME.match(dsn)
    if scheme is None:
        return None
    start = scheme.end()
    slash = dsn.find("/", start)
    at = dsn.rfind("@", start, len(dsn) if slash < 0 else slash)
    return (start, at) if at >= 0 else None


def _spellings(value: str) -> set[str]:
    """A password as written in a URL and as each reader decodes it."""
    return {value, unquote(value), unquote_plus(value)} - {""}


def passwords_of(dsn: str) -> set[str]:
    """Every password a DSN carries, in each spelling a message may quote (as written,
    percent-decoded): its user info's and its query's `password` and `sslpassword`."""
    found: set[str] = set()
    info = _user_info(dsn)
    if info is not None:
        _user, colon, password = dsn[info[0] : info[1]].partition(":")
        if colon:
            found |= _spellings(password)
    for value in query_secrets(dsn):
        found |= _spellings(value)
    return found


def shown(dsn: str) -> str:
    """The DSN as messages show it: rebuilt with every password in it, its user info's and
    its query's, replaced by ***."""
    info = _user_info(dsn)
    if info is not None:
        user, colon, _password = dsn[info[0] : info[1]].partition(":")
        if colon:
            dsn = f"{dsn[: info[0]]}{user}:{HIDDEN}{dsn[info[1] :]}"
    return hide_query_passwords(dsn, HIDDEN)


def hide_password(text: str, dsn: str | None) -> str:
    """`text` with none of the DSN's passwords in it: the DSN itself shown as `shown` says,
    then each password, in every spelling, wherever a message quotes it alone (the longest
    first: one password may hold another), then any URL's (`fetchers.redact`)."""
    if dsn:
        seen = shown(dsn)
        forms = sorted(passwords_of(dsn), key=len, reverse=True)
        pieces = text.replace(dsn, seen).split(seen)  # the DSN shown stays as it is shown
        for form in forms:
            pieces = [piece.replace(form, HIDDEN) for piece in pieces]
        text = seen.join(pieces)
    return redact(text)


def driver() -> Any:
    """The psycopg module, or a StoreError saying how to install it."""
    try:
        import psycopg
        import psycopg_pool  # noqa: F401 - the pool the store uses: checked here
    except ImportError:
        raise StoreError(
            '[store] backend = "postgresql" needs psycopg 3 and psycopg_pool: '
            "pip install 'wirewatch[postgresql]'"
        ) from None
    return psycopg


def connect(dsn: str, autocommit: bool = True) -> Any:
    """A connection, or a StoreError that names the server (never the password) and why."""
    psycopg = driver()
    try:
        connection = psycopg.connect(dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise StoreError(
            hide_password(f"cannot reach the PostgreSQL server of {shown(dsn)}: {reason}", dsn)
        ) from None
    return connection
