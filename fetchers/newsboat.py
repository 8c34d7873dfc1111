"""A newsboat `urls` file read as subscriptions, for a reader moving over from newsboat.

Each line is a feed's URL and its tags, separated by spaces, a tag with spaces in double
quotes; a tag starting with "~" names the feed, and "!" hides it from newsboat's list (its
articles then read only through the query feeds matching them): subscribed as any feed, and
said so; a word starting with "#" starts a comment. newsboat's `query:` feeds (a saved
search: `[filters]` here) and `exec:` feeds (run a program) have no feed to poll, and are
named as skipped; a `filter:` feed's own feed is subscribed, as it is served (its program is
not run). A name or a tag is plain text: "~<antirez>" names a feed "<antirez>"."""

from __future__ import annotations

import shlex

from fetchers.charset import decode
from fetchers.models import TAG_LIMIT
from fetchers.opml import OpmlError, Subscription
from fetchers.text import clean_line, plain_message
from fetchers.webaddress import address_problem, subscribed_address

_KINDS_SKIPPED = {
    "query:": "a newsboat query feed: a saved filter of [filters] in the config is the same",
    "exec:": "a newsboat exec: feed runs a program; wirewatch polls feeds and files",
}
# what is said of a feed hidden in newsboat's list ("!"): no tag, nor a setting of a source
HIDDEN = (
    "hidden in newsboat (!): wirewatch shows its articles as any source's"
    " (a saved filter with -source: leaves them out)"
)
HEAD = 65536  # bytes of a file read to tell a urls file from OPML
FILTER = "filter:"  # newsboat's "filter:PROGRAM:URL": the feed at URL, run through PROGRAM
# how a urls file's line listing a feed starts
_ENTRY_STARTS = ("http://", "https://", "feed:", "file:", FILTER, *_KINDS_SKIPPED)


def urls_text(data: bytes) -> str:
    """A `urls` file's text: UTF-8, else the charset it reads as (as a feed's bytes are
    read: "Café" written in Latin-1 lost its "é"), without a byte-order mark."""
    text, _ = decode(data)
    return text.removeprefix("\ufeff")


def looks_like_urls(data: bytes) -> bool:
    """Whether a file given as OPML is a newsboat `urls` file instead: its first line that is
    not blank is no markup (an OPML file starts with "<"; a urls file with a comment or a
    feed). A byte-order mark, or a first feed at a `file://` address, made it "not
    well-formed XML". (Its head is enough: a large OPML file is not read twice.)

    OpmlError when it is neither: no markup, and no line a feed's address or a comment (a
    JSON file, a page's text came in as a list of "skipped" lines, and exit 0)."""
    lines = [line.strip() for line in urls_text(data[:HEAD]).splitlines()]
    lines = [line for line in lines if line]
    if not lines or lines[0].startswith("<"):
        return False
    if any(_is_entry(line) for line in lines) or all(line.startswith("#") for line in lines):
        return True
    raise OpmlError(
        "neither an OPML file (it holds no markup) nor a newsboat urls file (no line starts"
        " with a feed's address, http://, https://, feed:, file:, query:, exec: or filter:)"
    )


def _is_entry(line: str) -> bool:
    """Whether a urls file's line lists a feed (its address may be in double quotes)."""
    return line.lstrip('"').lower().startswith(_ENTRY_STARTS)


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
        notes: list[str] = []
        for word in rest:
            if word.startswith("~"):
                name = clean_line(word[1:], is_html=False)
            elif word == "!":  # (no tag, a newsboat setting: said, not dropped unsaid)
                notes.append(HIDDEN)
            else:
                tag = clean_line(word, is_html=False)
                if tag:
                    tags.append(tag)
        kind = next((k for k in _KINDS_SKIPPED if url.lower().startswith(k)), None)
        if kind is not None:
            label = name or plain_message(url.split(":", 2)[1] if kind == "query:" else url)
            found.append(Subscription(label or kind, plain_message(url), [], _KINDS_SKIPPED[kind]))
            continue
        if url.lower().startswith(FILTER):
            program, _, url = url[len(FILTER) :].partition(":")
            notes.insert(
                0,
                f"newsboat ran it through {plain_message(program)!r}: subscribed as it is"
                " served (wirewatch runs no program on a feed)",
            )
        address = subscribed_address(url)
        found.append(
            Subscription(
                name or plain_message(address),
                address,
                list(dict.fromkeys(tags))[:TAG_LIMIT],
                address_problem(address),
                named=bool(name),
                note="; ".join(dict.fromkeys(notes)) or None,
            )
        )
    return found


def _words(line: str) -> list[str]:
    """A line's words as newsboat reads them: double quotes hold spaces, a backslash escapes
    a quote; an apostrophe is a letter (shell quoting would take it for a quote); a word
    starting with "#" ends the line (a comment after a feed became its tags "#", "old"…),
    where a "#" inside a word is a letter (a URL's "#fragment")."""
    line = _without_comment(line)
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.quotes = '"'
    lexer.commenters = ""
    try:
        return list(lexer)
    except ValueError:  # an unmatched quote: its words as they are
        return line.split()


def _without_comment(line: str) -> str:
    """A line up to its comment: a "#" starting a word outside double quotes."""
    quoted = escaped = False
    for at, char in enumerate(line):
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == '"':
            quoted = not quoted
        elif char == "#" and not quoted and (at == 0 or line[at - 1].isspace()):
            return line[:at]
    return line
