"""The one gate between what wirewatch knows and what it prints or logs: passwords in URLs
(the user info's, and a query's `password=` and `sslpassword=`, which libpq reads) become
`***`, and text a server or a feed wrote loses its escape sequences and controls."""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote

from fetchers.text import plain_message, strip_controls

# `scheme://userinfo@`: the userinfo runs up to the last "@" before the host's end ("/", "?",
# "#" or whitespace), so a user name or a password holding "@", ":" or quotes is found whole.
# A scheme starts where no scheme character precedes it (not at every word boundary: a run
# of "a.a.a…" would be scanned once per letter), so the search stays linear.
_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)([^\s/?#]*)@")
# libpq reads a postgresql:// URL's user info up to its "@" before the first "/": a "?" or
# "#" in it is the password's
_DSN_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])(postgres(?:ql)?://)([^\s/]*)@")
# the query parameters libpq takes a secret from in a postgresql:// URL
SECRET_KEYS = frozenset({"password", "sslpassword"})
_TOKEN = re.compile(r"[^\s\"'<>]+")  # a URL as a message quotes it: up to a space or a quote


def _hide(match: re.Match[str]) -> str:
    user, colon, _password = match.group(2).partition(":")
    return f"{match.group(1)}{user}:***@" if colon else match.group(0)


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


def redact(text: str) -> str:
    """`text` with the passwords of every URL in it replaced by `***`."""
    if "://" not in text:
        return text
    if "@" in text:
        if "postgres" in text.lower():
            text = _DSN_USERINFO.sub(_hide, text)
        text = _USERINFO.sub(_hide, text)
    if "?" in text and "=" in text:
        text = _TOKEN.sub(_hide_in_url, text)
    return text


def printable(text: str) -> str:
    """One plain line that may be shown or logged: no secret, no control character."""
    return plain_message(redact(text))


class PlainFormatter(logging.Formatter):
    """A log formatter that no record gets past unredacted: whatever logged it (wirewatch,
    httpx, a library), passwords are hidden and escape sequences and controls removed, line
    breaks kept (tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        return strip_controls(redact(super().format(record)))
