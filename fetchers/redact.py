"""The one gate between what wirewatch knows and what it prints or logs: passwords in URLs
become `***`, and text a server or a feed wrote loses its escape sequences and controls."""

from __future__ import annotations

import logging
import re

from fetchers.text import plain_message, strip_controls

# `scheme://userinfo@`: the userinfo runs up to the last "@" before the host's end ("/", "?",
# "#" or whitespace), so a user name or a password holding "@", ":" or quotes is found whole.
# A scheme starts where no scheme character precedes it (not at every word boundary: a run
# of "a.a.a…" would be scanned once per letter), so the search stays linear.
_USERINFO = re.compile(r"(?i)(?<![a-z0-9+.-])([a-z][a-z0-9+.-]*://)([^\s/?#]*)@")


def _hide(match: re.Match[str]) -> str:
    user, colon, _password = match.group(2).partition(":")
    return f"{match.group(1)}{user}:***@" if colon else match.group(0)


def redact(text: str) -> str:
    """`text` with the password of every URL in it replaced by `***`."""
    if "@" not in text or "://" not in text:
        return text
    return _USERINFO.sub(_hide, text)


def printable(text: str) -> str:
    """One plain line that may be shown or logged: no secret, no control character."""
    return plain_message(redact(text))


class PlainFormatter(logging.Formatter):
    """A log formatter that no record gets past unredacted: whatever logged it (wirewatch,
    httpx, a library), passwords are hidden and escape sequences and controls removed, line
    breaks kept (tracebacks)."""

    def format(self, record: logging.LogRecord) -> str:
        return strip_controls(redact(super().format(record)))
