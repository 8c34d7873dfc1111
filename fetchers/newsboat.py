"""A newsboat `urls` file read as subscriptions, for a reader moving over from newsboat.

Each line is a feed's URL and its tags, separated by spaces, a tag with spaces in double
quotes; a tag starting with "~" names the feed, and "!" hides it from newsboat's list (here:
nothing); "#" starts a comment. newsboat's `query:` feeds (a saved search: `[filters]` here),
`exec:` and `filter:` feeds (run a program) have no feed to poll, and are named as skipped."""

from __future__ import annotations

import shlex

from fetchers.models import TAG_LIMIT
from fetchers.opml import Subscription
from fetchers.text import clean_line, plain_message
from fetchers.webaddress import address_problem, lower_scheme

_KINDS_SKIPPED = {
    "query:": "a newsboat query feed: a saved filter of [filters] in the config is the same",
    "exec:": "a newsboat exec: feed runs a program; wirewatch polls feeds and files",
    "filter:": "a newsboat filter: feed runs a program; wirewatch polls feeds and files",
}


def looks_like_urls(data: bytes) -> bool:
    """Whether a file given as OPML is a newsboat `urls` file instead (its first line that
    is no comment or blank starts with a URL, or a newsboat feed of its own kind)."""
    for raw in data.decode("utf-8", "replace").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        first = line.lstrip('"').lower()
        return first.startswith(("http://", "https://", *_KINDS_SKIPPED))
    return False


def parse_urls(text: str) -> list[Subscription]:
    """The feeds of a `urls` file in its order; the ones that cannot be subscribed with the
    reason in `skipped`."""
    found: list[Subscription] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        words = _words(line)
        if not words:
            continue
        url, *rest = words
        name = ""
        tags: list[str] = []
        for word in rest:
            if word.startswith("~"):
                name = clean_line(word[1:])
            elif word != "!":  # (hidden in newsboat's list: wirewatch lists every source)
                tag = clean_line(word)
                if tag:
                    tags.append(tag)
        kind = next((k for k in _KINDS_SKIPPED if url.lower().startswith(k)), None)
        if kind is not None:
            label = name or clean_line(url.split(":", 2)[1] if kind == "query:" else url)
            found.append(Subscription(label or kind, plain_message(url), [], _KINDS_SKIPPED[kind]))
            continue
        address = lower_scheme(url)
        found.append(
            Subscription(
                name or plain_message(address),
                address,
                list(dict.fromkeys(tags))[:TAG_LIMIT],
                address_problem(address),
            )
        )
    return found


def _words(line: str) -> list[str]:
    """A line's words as newsboat reads them: double quotes hold spaces, a backslash escapes
    a quote; an apostrophe is a letter (shell quoting would take it for a quote)."""
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unmatched quote: its words as they are
        return line.split()
