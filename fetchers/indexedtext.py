"""An article's words as the search index (`fetchers.store.search`) holds them.

A module of its own, importing nothing of the store: the parser process makes them for a
source read for the first time, and the index makes the rest.

What is indexed is each text case-folded in its compatibility form ("ＡＰＥＣ" is "apec")
without the accents readers leave out ("Café" is "cafe": `fetchers.query.lowered`), its
words (`fetchers.query.WORD`, the query language's) kept, one space kept where one space
alone parts two words, and anything else between words (a comma, a line break, two spaces,
or nothing where a word of one script meets one of another: "한미FTA") made a break token
of its own (`BREAK`, which no word can be).
"""

from __future__ import annotations

import re

from fetchers.query import EASTERN, lowered

BREAK = "\u00a7"  # "§": not a word character, so no word, and no word's prefix, is it
# what parts two words other than one space, once runs of spaces hold a break: a run of
# non-word characters from its first that is not a space (faster than one pattern for both)
_PARTING = re.compile(r"[^\w ]\W*")
# the last character of a word of one kind that one of the other meets, with nothing between
# (`fetchers.query.WORD`; looked for only in a text that holds Hangul or a script written
# without spaces). A mark or sign of those scripts' ranges, which is no word character, is
# taken for one here: a break after it, or before it, joins the break it makes itself, so
# the words are the same, found in two thirds of the time
_ANY_EASTERN = re.compile(f"[{EASTERN}]")  # (a quick look first)
_MEETING = re.compile(f"[{EASTERN}](?=[^\\W{EASTERN}])|[^\\W{EASTERN}](?=[{EASTERN}])")

Words = tuple[str, str]  # an article's title and body as the index holds them


def indexed_text(text: str) -> str:
    """A text as the index holds it: folded (`lowered`), each parting of its words other
    than one space made a break token. FTS5's `ascii` tokenizer lower-cases ASCII itself, so
    an ASCII text is left as it is (no copy lower-cased first)."""
    if not text.isascii():
        text = lowered(text)
        if _ANY_EASTERN.search(text) is not None:
            text = _MEETING.sub(f"\\g<0> {BREAK} ", text)
    if "  " in text:
        text = text.replace("  ", f" {BREAK} ")
    return _PARTING.sub(f" {BREAK} ", text)


def indexed_body(summary: str, text: str | None) -> str:
    """An article's summary and full text as one column: a break between them, since the
    query language looks for a phrase in each apart."""
    body = indexed_text(summary)
    return f"{body} {BREAK} {indexed_text(text)}" if text else body


def indexed_words(title: str, summary: str, text: str | None) -> Words:
    """An article's title and body as the index holds them."""
    return indexed_text(title), indexed_body(summary, text)
