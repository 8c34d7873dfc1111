"""Connecting to the PostgreSQL server named by a DSN, and keeping its passwords out of every
message. The DSN is a postgresql:// URL, which may carry a password twice: in its user info
(`user:PASSWORD@host`) and in its query (`?password=…`, `?sslpassword=…`, as libpq reads
them). `shown` rebuilds the URL with each of them replaced by `***`; `hide_password` also
hides each wherever a driver's message quotes it alone, as written or decoded. `Logins` keeps
a process from logging in again and again with a password the server refuses."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, unquote_plus

from fetchers.redact import hide_query_passwords, query_secrets, redact, user_info
from fetchers.store.errors import StoreError

CONNECT_TIMEOUT = 10  # seconds to reach the server before saying it cannot be reached
HIDDEN = "***"
# where a reader may cut a password it misreads: libpq ends a user info at its first "@" or
# "/" (the rest is a host, or a port and a database name), and those at ":", "?", ",", "["
# and "]", a query's parameters at "&" and "="
_CUTS = (re.compile(r"[/@]"), re.compile(r"[/@:?#&=,\[\]]"))
# After the server refused a login (a wrong password, no pg_hba.conf entry for this user and
# host), a process tries again after LOGIN_WAIT_FIRST seconds, then twice as long after each
# refusal that follows, up to LOGIN_WAIT_MOST: each try is a line in the server's log (and a
# strike for a fail2ban watching it), and the server refuses the same login until someone
# changes the password or the server's rules. Every look and write tried (90 to 100 tries
# a minute of a poller, as many of a dashboard, for as long as they ran). Any other failure
# (the server refusing connections, restarting, away) is tried again as fast as ever: it
# ends by itself, and the store is back the moment the server is.
LOGIN_WAIT_FIRST = 2.0
LOGIN_WAIT_MOST = 60.0
# what the server (or libpq, for a password it needs and was not given) says of a refused
# login; a role that does not exist is refused as a wrong password
_LOGIN_REFUSALS = (
    "authentication failed",
    "no pg_hba.conf entry",
    "pg_hba.conf rejects",
    "no password supplied",
)
T = TypeVar("T")


def _user_info(dsn: str) -> tuple[int, int] | None:
    """Where the user info of a DSN runs (from the end of `scheme://` to its LAST "@" before
    the host part: `fetchers.redact.user_info`), or None: none. libpq ends it at the first
    "@" or "/", a URL parser at a "?" or "#" too: the widest reading hides a password
    holding any of them, whoever reads it."""
    return user_info(dsn)


def _spellings(value: str) -> set[str]:
    """A password as written in a URL and as each reader decodes it."""
    return {value, unquote(value), unquote_plus(value)} - {""}


def _password(dsn: str) -> str | None:
    """The password of a DSN's user info as written, or None: none."""
    info = _user_info(dsn)
    if info is None:
        return None
    _user, colon, password = dsn[info[0] : info[1]].partition(":")
    return password if colon else None


def passwords_of(dsn: str) -> set[str]:
    """Every password a DSN carries, in each spelling a message may quote (as written,
    percent-decoded): its user info's and its query's `password` and `sslpassword`."""
    found: set[str] = set()
    password = _password(dsn)
    if password is not None:
        found |= _spellings(password)
    for value in query_secrets(dsn):
        found |= _spellings(value)
    return found


def pieces_of(dsn: str) -> set[str]:
    """The pieces a reader that misreads a DSN may quote of its user info's password, in each
    spelling: one holding "/" or "@" unencoded is read by libpq as part user name, host,
    port or database (`failed to resolve host 't99@127.0.0.1'`), cut at those characters."""
    password = _password(dsn)
    if password is None:
        return set()
    pieces: set[str] = set()
    for spelling in _spellings(password):
        for cuts in _CUTS:
            for piece in cuts.split(spelling):
                pieces |= _spellings(piece)
    # (a piece of no letter or digit, "+" or a space, tells nothing and is in every message)
    return {piece for piece in pieces if any(c.isalnum() for c in piece)} - passwords_of(dsn)


def misread(dsn: str) -> bool:
    """Whether libpq misreads the DSN's user info: a "/" or "@" in it that is not
    percent-encoded (libpq ends the user info at the first of them)."""
    info = _user_info(dsn)
    return info is not None and any(c in dsn[info[0] : info[1]] for c in "/@")


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
    first: one password may hold another), and each piece of its user info's password
    (`pieces_of`) wherever one stands alone (not inside a longer run of letters and digits:
    a piece may be short), then any URL's (`fetchers.redact`)."""
    if dsn:
        seen = shown(dsn)
        forms = sorted(passwords_of(dsn), key=len, reverse=True)
        pieces = text.replace(dsn, seen).split(seen)  # the DSN shown stays as it is shown
        for form in forms:
            pieces = [piece.replace(form, HIDDEN) for piece in pieces]
        cut = sorted(pieces_of(dsn), key=len, reverse=True)
        if cut:
            # (nor inside a dotted number: a piece "1" took the host's digits, "127.0.0.***")
            alone = re.compile(
                r"(?<![^\W_])(?<!\d\.)(?:" + "|".join(map(re.escape, cut)) + r")(?![^\W_])(?!\.\d)"
            )
            pieces = [alone.sub(HIDDEN, piece) for piece in pieces]
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


def login_refused(reason: str) -> bool:
    """Whether a failed try to connect was a login the server refused (`LOGIN_WAIT_FIRST`)."""
    lowered = reason.lower()
    return any(refusal in lowered for refusal in _LOGIN_REFUSALS)


class Logins:
    """When a process may try to log in to the server again: at once, unless its last try
    was a refused login (`LOGIN_WAIT_FIRST`). Shared by every connection a store makes (its
    pool's, its own, its writer lock's and its listener's), from any thread."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._guard = threading.Lock()
        self._refused: str | None = None  # why the last try was refused, as the driver said
        self._wait = 0.0  # seconds from that refusal to the next try
        self._next = 0.0  # (on `clock`) no try before this

    def may_try(self) -> str | None:
        """None: try now; else why the last login was refused, while it is too soon to try
        again. Once it is time, one caller is let through; the others wait for how its try
        goes (`went`), or for another wait if it never says."""
        with self._guard:
            if self._refused is None:
                return None
            now = self._clock()
            if now < self._next:
                return self._refused
            self._next = now + self._wait
            return None

    def went(self, error: str | None) -> None:
        """How a try went: the driver's error, or None when the server let it in."""
        with self._guard:
            if error is None or not login_refused(error):
                self._refused, self._wait, self._next = None, 0.0, 0.0
                return
            longer = self._wait * 2 if self._wait else LOGIN_WAIT_FIRST
            self._wait = min(LOGIN_WAIT_MOST, longer)
            self._refused, self._next = error, self._clock() + self._wait


def logged_in(logins: Logins, connect: Callable[[], T]) -> T:
    """`connect()`, telling `logins` how it went; the driver's OperationalError with the
    last refusal's words, without asking the server, while `logins` says to wait."""
    refused = logins.may_try()
    if refused is not None:
        raise driver().OperationalError(refused)
    try:
        connection = connect()
    except Exception as exc:
        logins.went(" ".join(str(exc).split()) or type(exc).__name__)
        raise
    logins.went(None)
    return connection


def connect(dsn: str, autocommit: bool = True, logins: Logins | None = None) -> Any:
    """A connection, or a StoreError that names the server (never the password) and why.
    `logins`: the store's, which may say to wait after a refused login (`logged_in`)."""
    psycopg = driver()

    def opened() -> Any:
        return psycopg.connect(dsn, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT)

    try:
        connection = opened() if logins is None else logged_in(logins, opened)
    except psycopg.Error as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        said = hide_password(f"cannot reach the PostgreSQL server of {shown(dsn)}: {reason}", dsn)
        if misread(dsn):  # (said after the pieces are hidden: none of its words is one)
            said += (
                ' (a "/" or "@" in the user name or password of a postgresql:// URL must be'
                " percent-encoded: %2F, %40)"
            )
        raise StoreError(said) from None
    return connection
