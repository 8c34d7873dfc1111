"""The one gate between what wirewatch knows and what it prints or logs: passwords in URLs
(the user info's, one holding "/" or "@" unencoded too, and a query's `password=` and
`sslpassword=`, which libpq reads) and in libpq key=value strings become `***`, and text a
server or a feed wrote loses its escape sequences and controls."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from fetchers.text import plain_message, strip_controls

# A URL's `scheme://`. A scheme starts where no scheme character precedes it (not at every word
# boundary: a run of "a.a.a…" would be scanned once per letter), so the search stays linear.
_SCHEME = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*)://")
_SPACE = re.compile(r"\s")
# A host (a name, an IPv4 or a bracketed IPv6 address) and maybe a port; libpq takes a list
_HOST = r"(?:\[[\w:.%]*\]|[\w.~%-]*)(?::\d*)?"
_HOSTS = rf"{_HOST}(?:,{_HOST})*"
_PLAIN_AUTHORITY = re.compile(_HOSTS)  # (fullmatch) what follows `scheme://` with no user info
# the host part after a user info's "@": hosts, then the path, query or fragment, or the end
# of the URL (or a quote or bracket a message closes it with)
_HOST_PART = re.compile(rf"{_HOSTS}(?=[/?#\"'<>)\]]|\Z)")
_DSN_SCHEMES = frozenset({"postgres", "postgresql"})
# the query parameters libpq takes a secret from in a postgresql:// URL
SECRET_KEYS = frozenset({"password", "sslpassword"})
# a libpq key=value connection string's password: its value quoted ('…', with \' and \\)
# or not (up to a space, "\ " a space of it); a URL query's (after "?" or "&") is hidden above
_KEY_VALUE = re.compile(
    r"(?i)(?<![\w?&%])((?:ssl)?password\s*=\s*)(?:'(?:[^'\\]++|\\[\s\S])*+'?|(?:[^\s\\]++|\\[\s\S]?)++)"
)
_TOKEN = re.compile(r"[^\s\"'<>]+")  # a URL as a message quotes it: up to a space or a quote


class _Run:
    """A run of text with no space in it (a URL ends at a space, or runs on into the next
    one's `scheme://`: a password may hold "//"), its URLs looked up from left to right.
    What each asks beyond its own `scheme://host` is scanned once for them all, so that the
    search stays linear however many URLs the run holds."""

    def __init__(self, text: str, begin: int, end: int) -> None:
        self.text, self.begin, self.end = text, begin, end
        self._found: dict[str, tuple[int, int]] = {}  # a character: (looked from, found at)
        self._last: tuple[int, int, bool] | None = None

    def find(self, char: str, pos: int) -> int:
        """`text.find(char, pos, end)`, a search already made reused."""
        since, found = self._found.get(char, (self.end + 1, -1))
        if not (since <= pos and (found < 0 or found >= pos)):
            found = self.text.find(char, pos, self.end)
            self._found[char] = (pos, found)
        return found

    def _ats(self) -> tuple[int, int, bool]:
        """The last "@" a host part follows (or -1), the last "@" (or -1), and whether a
        path follows that host part (a database name: `@host:port/db`)."""
        if self._last is None:
            last = at = self.text.rfind("@", self.begin, self.end)
            while at >= 0 and not (found := _HOST_PART.match(self.text, at + 1, self.end)):
                at = self.text.rfind("@", self.begin, at)
            pathed = at >= 0 and found is not None and self.text.startswith("/", found.end())
            self._last = (at, last, pathed)
        return self._last

    def last_at(self, start: int) -> int | None:
        """The last "@" from `start` on that a host part follows (hosts, then "/", "?", "#"
        or the end), else the last "@" from `start` on (hide the most), else None."""
        hosted, last, _pathed = self._ats()
        if hosted >= start:
            return hosted
        return last if last >= start else None

    def host_and_path_after(self, start: int) -> bool:
        """Whether the last "@" a host part follows is from `start` on, and a path follows
        that host part."""
        hosted, _last, pathed = self._ats()
        return hosted >= start and pathed


def _user_info_end(run: _Run, start: int, dsn: bool) -> int | None:
    """Where the user info of the URL whose `scheme://` ends at `start` ends: its "@" before
    the host part, or None: none. A URL that reads plainly (`[user info@]host[:port]` up to
    its first "/") is read as a URL parser reads it: a path such as `/@user` then holds its
    "@" (a DSN's path is a database name, never `…@host`: a "@" there before the query is a
    user info's, and one in its query too when a host and a database name follow it). Any
    other runs to the LAST "@" a host part follows: its password holds a "/", "@", ":", "?"
    or "#" unencoded, which a parser (and libpq) reads as a host, a port or a path, and
    quotes so in its errors."""
    text = run.text
    slash = text.find("/", start, run.end)  # (no further than the next URL's "//")
    head = run.end if slash < 0 else slash
    at = text.rfind("@", start, head)
    if _PLAIN_AUTHORITY.fullmatch(text, start if at < 0 else at + 1, head):
        if not dsn:
            return None if at < 0 else at
        later, query = run.find("@", head), run.find("?", head)
        if later < 0 or (0 <= query < later and not run.host_and_path_after(head)):
            return None if at < 0 else at  # (a "@" in a query: `?application_name=me@desk`)
    return run.last_at(start)


def user_info(url: str) -> tuple[int, int] | None:
    """Where the user info of a URL (from its `scheme://` on) runs, from the end of its
    scheme to its "@" before the host part (`_user_info_end`), or None: none."""
    scheme = _SCHEME.match(url)
    if scheme is None:
        return None
    dsn = scheme.group(1).lower() in _DSN_SCHEMES
    end = _user_info_end(_Run(url, 0, len(url)), scheme.end(), dsn)
    return None if end is None else (scheme.end(), end)


def _hide_user_infos(text: str) -> str:
    """`text` with the password of each URL's user info `***`."""
    out: list[str] = []
    done = 0
    run = _Run(text, 0, -1)
    for scheme in _SCHEME.finditer(text):
        if scheme.start() < done:  # (in a user info hidden)
            continue
        if scheme.start() >= run.end:
            space = _SPACE.search(text, scheme.end())
            run = _Run(text, scheme.start(), len(text) if space is None else space.start())
        start = scheme.end()
        at = _user_info_end(run, start, scheme.group(1).lower() in _DSN_SCHEMES)
        if at is None:
            continue
        user, colon, _password = text[start:at].partition(":")
        if colon:
            out += [text[done:start], user, ":***"]
            done = at
    return "".join(out) + text[done:] if out else text


def is_secret_key(key: str) -> bool:
    """Whether a URL query's parameter of this name (as written: percent-encoded, maybe)
    carries a password."""
    return unquote(key).strip().lower() in SECRET_KEYS


def _secret(parameter: str) -> tuple[str, str] | None:
    """A query parameter's name as written (what comes before its "="), and its value, when
    it carries a password. The name is what follows the last "?" before it (a user name or
    password holding a "?" is read into the query by a URL parser); the value runs to the
    next "&", a "?" or "#" in it the password's, as libpq reads it."""
    name, equals, value = parameter.partition("=")
    return (name, value) if equals and is_secret_key(name.rpartition("?")[2]) else None


def query_secrets(url: str) -> list[str]:
    """The values of a URL query's `password=` and `sslpassword=`, as written."""
    found = (_secret(parameter) for parameter in url.partition("?")[2].split("&"))
    return [secret[1] for secret in found if secret is not None]


def hide_query_passwords(url: str, hidden: str = "***") -> str:
    """`url` with the value of each `password=` and `sslpassword=` of its query `hidden`."""
    head, mark, query = url.partition("?")
    if not mark or "=" not in query:
        return url
    parameters = query.split("&")
    for n, parameter in enumerate(parameters):
        secret = _secret(parameter)
        if secret is not None:
            parameters[n] = f"{secret[0]}={hidden}"
    return f"{head}?{'&'.join(parameters)}"


def _hide_in_url(match: re.Match[str]) -> str:
    token = match.group(0)
    return hide_query_passwords(token) if "://" in token else token


def hide_key_values(text: str) -> str:
    """`text` with the value of each `password=` and `sslpassword=` of a libpq key=value
    connection string (`host=db password='se cret'`) `***`."""
    return _KEY_VALUE.sub(r"\1***", text) if "password" in text.lower() else text


def redact(text: str) -> str:
    """`text` with the passwords of every URL in it replaced by `***`, and of every
    key=value connection string."""
    if "://" in text:
        if "@" in text:
            text = _hide_user_infos(text)
        if "?" in text and "=" in text:
            text = _TOKEN.sub(_hide_in_url, text)
    return hide_key_values(text)


def printable(text: str) -> str:
    """One plain line that may be shown or logged: no secret, no control character."""
    return plain_message(redact(text))


class PlainFormatter(logging.Formatter):
    """A log formatter that no record gets past unredacted: whatever logged it (wirewatch,
    httpx, a library), passwords are hidden and escape sequences and controls removed, line
    breaks kept (tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        return strip_controls(redact(super().format(record)))
