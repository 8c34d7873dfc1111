"""What PostgreSQL's full-text search is given: an article's words, and a query term's.

The query language finds a word or phrase at the start of a word, with Python's idea of a
word (`fetchers.query`). PostgreSQL's parser has its own (a host name, an e-mail address or a
path is one token), so the text is cut into runs of letters and digits here, in Python, and
the parser sees only those runs separated by spaces: every word the query language can find
starts a lexeme. The index then answers a superset of a word term; the term's own test
decides (`fetchers.store.postgres.sql`). A phrase asks the index for its words, not their
order: a tsvector keeps at most 256 places of a word and none past 16,383, so an index of
places would miss a phrase late in a long text.
"""

from __future__ import annotations

import re

from fetchers.query import word_prefix_pattern

RUN = re.compile(r"[^\W_]+")  # letters and digits: a lexeme
LONGEST_TEXT = 400_000  # characters of a full text given to the index (a tsvector is < 1 MB)

# the words column from the three parts, each already cut into runs
WORDS_SQL = (
    "setweight(to_tsvector('simple', {0}), 'A') || setweight(to_tsvector('simple', {1}), 'B')"
    " || setweight(to_tsvector('simple', {2}), 'C')"
)


def runs(text: str | None, longest: int | None = None) -> str:
    """The runs of letters and digits of `text`, lower-cased, one space apart; past `longest`
    characters, each further word once (a tsvector holds under 1 MB, and a word said only late
    in a very long text is still found)."""
    if not text:
        return ""
    if longest is None or len(text) <= longest:
        return " ".join(RUN.findall(text.lower()))
    head = RUN.findall(text[:longest].lower())
    seen = set(head)
    later = [w for w in dict.fromkeys(RUN.findall(text[longest:].lower())) if w not in seen]
    return " ".join(head + later)


def article_words(title: str, summary: str, text: str | None) -> tuple[str, str, str]:
    """The three parts of an article's words column."""
    return runs(title), runs(summary), runs(text, LONGEST_TEXT)


def prefix_query(needle: str) -> str | None:
    """The tsquery (for `to_tsquery('simple', …)`) that holds for every article whose words
    hold `needle` at the start of a word: all its runs, the last as a prefix. None when
    the index cannot narrow it (a needle in a script written without spaces, which matches
    anywhere, or one with no letter or digit)."""
    if word_prefix_pattern(needle) is None:
        return None
    found = RUN.findall(needle.lower())
    if not found:
        return None
    return " & ".join(found) + ":*"
