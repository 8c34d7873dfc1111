"""Connecting to the PostgreSQL server named by a DSN, and keeping its password out of every
message (the DSN is a postgresql:// URL; `fetchers.redact` hides the password of such a URL,
and the password is also hidden wherever a driver's message quotes it alone)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit

from fetchers.redact import redact
from fetchers.store.errors import StoreError

CONNECT_TIMEOUT = 10  # seconds to reach the server before saying it cannot be reached


def password_of(dsn: str) -> str | None:
    """The password a DSN carries, as written and unquoted (None: none)."""
    try:
        parts = urlsplit(dsn)
        password = parts.password
    except ValueError:
        return None
    query = {k: v for k, _, v in (p.partition("=") for p in parts.query.split("&") if p)}
    found = password or query.get("password")
    return unquote(found) if found else None


def hide_password(text: str, dsn: str | None) -> str:
    """`text` with the DSN's password nowhere in it."""
    if dsn:
        password = password_of(dsn)
        if password:
            for form in {password, _quoted(dsn, password)}:
                if form:
                    text = text.replace(form, "***")
    return redact(text)


def _quoted(dsn: str, password: str) -> str | None:
    """The password as the DSN spells it (percent-encoded, maybe)."""
    try:
        parts = urlsplit(dsn)
    except ValueError:
        return None
    netloc = parts.netloc.rpartition("@")[0]
    spelled = netloc.partition(":")[2] if ":" in netloc else None
    if spelled and unquote(spelled) == password:
        return spelled
    return None


def shown(dsn: str) -> str:
    """The DSN as messages show it: the password replaced by ***."""
    return hide_password(dsn, dsn)


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
