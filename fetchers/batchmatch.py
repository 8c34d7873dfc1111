"""Many queries over one batch of articles at once: the alert rules over a cycle's new articles,
the watched terms over the last day's articles.

Testing every query on every article costs queries x articles; here the batch's text is read
once and each query is then tested only on the articles that hold its words, its source or
its tag: the index keeps the articles of those words, sources and tags alone. Words are looked
for in titles and summaries, as `Query.matches` does without a full text.

The batch's titles and summaries are lower-cased and encoded as one byte string in which
every ASCII character that is no word character becomes a space, then searched by one pattern
made of the first word of every word term the queries hold (a trie of them) after a space:
the regular expression engine skips from space to space in C, and only the words starting
with a needed word come back to Python. A word can also start after a non-ASCII character
that is no word character (a curly quote, a dash) or is one of another script (Hangul, kana,
CJK: "주가tariff", "米FRB"; `fetchers.query.WORD`): the batch's non-ASCII bytes are searched
the same way, and each such start is checked on the character before it; and a word in Hangul
starts right after an ASCII word character ("FTA협상"), which is looked for apart.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Any

from fetchers.query import (
    EASTERN_WORD,
    WORD,
    Query,
    Record,
    Term,
    lowered,
    name_key,
    starts_word,
    unspaced,
)

MAX_WORDS_KEPT = 200_000  # words whose needed prefixes a plan remembers
ROW_MARK = "\x01"  # between two articles' texts in a batch's bytes (kept as it is)
# the byte each byte of the batch's UTF-8 becomes: an ASCII non-word character a space, the
# ASCII word characters, non-ASCII bytes and the row mark themselves
_SPACED = bytes(
    b if b >= 0x80 or b == 1 or chr(b).isalnum() or chr(b) == "_" else 0x20 for b in range(256)
)
# the rest of a word, up to its first non-ASCII character: after an ASCII word character
# only (an ASCII word after a word in Hangul is a word of its own: "주가tariff")
_WORD_BYTES = rb"(?:(?<=[0-9a-z_])[0-9a-z_]*)?"
_EASTERN = re.compile(EASTERN_WORD)


def _first_word(term: Term) -> str | None:
    """The word an article must hold a word starting with for `term` to hold (None: the
    index cannot say, and every article is a candidate)."""
    if term.negated or term.field not in (None, "title"):
        return None
    if unspaced(term.value):  # scripts written without spaces
        return None
    words = WORD.findall(term.value)
    return words[0] if words else None


def _trie_pattern(words: Iterable[str]) -> str:
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


class WordPlan:
    """What indexing a batch for `queries` needs, worked out once and kept for every batch
    (chunk) and cycle with the same queries: each word term's first word, the one pattern
    finding all of them, and the clauses the index cannot decide by itself."""

    def __init__(self, queries: Iterable[Query]) -> None:
        self.queries = list(queries)  # held: the maps below are keyed by their terms' ids
        self.first: dict[int, str | None] = {
            id(term): _first_word(term)
            for query in self.queries
            for clause in query.clauses
            for term in clause
        }
        self.needed = {word for word in self.first.values() if word is not None}
        self.lengths_bytes = sorted({len(word.encode("utf-8")) for word in self.needed})
        self.needed_bytes = {word.encode("utf-8"): word for word in self.needed}
        # the needed words' UTF-8 bytes, one character each (as patterns of bytes take them)
        raw = [word.encode("utf-8").decode("latin-1") for word in self.needed]
        # a space, then the row mark or a word starting with a needed word (up to its first
        # non-ASCII character): the space is a literal the search skips to in C, and the mark
        # and the words' first characters are one alternation (a failed try is one pass)
        self.pattern = (
            re.compile(b" " + _trie_pattern([ROW_MARK, *raw]).encode("latin-1") + _WORD_BYTES)
            if self.needed
            else None
        )
        self._raw = raw
        self._after_other: re.Pattern[bytes] | None = None  # made when a batch needs it
        # a needed word in Hangul right after an ASCII word character ("FTA협상"): a word of
        # another script starts there (`fetchers.query.WORD`)
        eastern = [w for w in self.needed if _EASTERN.match(w)]
        trie = _trie_pattern([w.encode("utf-8").decode("latin-1") for w in eastern])
        self.after_ascii = (
            re.compile(rb"(?<=[0-9a-z_])(" + trie.encode("latin-1") + b")") if eastern else None
        )
        # a space and a word's start, as found -> the needed words the word starts with
        self.prefixes_of: dict[bytes, tuple[str, ...]] = {}
        fields = [t for q in self.queries for c in q.clauses for t in c if not t.negated]
        self.sources = {t.value for t in fields if t.field == "source"}
        self.tags = {t.value for t in fields if t.field == "tag"}
        self.rest: dict[int, Query | None] = {}  # per query: its clauses left to test
        for query in self.queries:
            open_clauses = [c for c in query.clauses if not all(map(self._decides, c))]
            self.rest[id(query)] = Query(query.text, open_clauses, []) if open_clauses else None

    @property
    def after_other(self) -> re.Pattern[bytes]:
        """A non-ASCII byte (the end of the character before), then a word starting with a
        needed word: compiled for the first batch that is not all ASCII."""
        if self._after_other is None:
            trie = _trie_pattern(self._raw).encode("latin-1")
            # (the byte before looked behind at, not taken: a match ending in a non-ASCII
            # character leaves it for a word that starts right after, "주가tariff")
            self._after_other = re.compile(rb"(?<=[\x80-\xff])(" + trie + _WORD_BYTES + b")")
        return self._after_other

    def first_word(self, term: Term) -> str | None:
        found = self.first.get(id(term), "")
        return _first_word(term) if found == "" else found

    def _decides(self, term: Term) -> bool:
        """Whether the index's answer for `term` is the term's own answer."""
        if term.negated:
            return False
        if term.field in ("source", "tag"):
            return True
        word = self.first_word(term)
        return term.field is None and word == term.value and word in self.needed

    def matches_all(self, other: Iterable[Query]) -> bool:
        """Whether this plan was made for exactly these query objects."""
        other = list(other)
        return len(other) == len(self.queries) and all(
            a is b for a, b in zip(other, self.queries, strict=True)
        )


class BatchIndex:
    """The records of one batch, indexed for the word, source and tag terms of `queries` (or
    of a `WordPlan` made for them, when many batches are indexed for the same queries)."""

    def __init__(self, records: list[Record], queries: Iterable[Query] | WordPlan) -> None:
        self.records = records
        self.plan = queries if isinstance(queries, WordPlan) else WordPlan(queries)
        # sets of places in `records`, for the words, sources and tags the queries name
        self.words: dict[str, set[int]] = {word: set() for word in self.plan.needed}
        self.sources: dict[str, set[int]] = {key: set() for key in self.plan.sources}
        self.tags: dict[str, set[int]] = {key: set() for key in self.plan.tags}
        if self.sources or self.tags:
            self._index_fields()
        if self.plan.pattern is not None and records:
            self._index_words(self.plan.pattern)

    def _index_fields(self) -> None:
        sources, tags = self.sources, self.tags
        folded: dict[str, str] = {}  # a batch's names repeat: fold each once
        for place, record in enumerate(self.records):
            name = record.source
            key = folded.get(name)
            if key is None:
                key = folded[name] = name_key(name)
            found = sources.get(key)
            if found is not None:
                found.add(place)
            for tag in record.tags:
                key = folded.get(tag)
                if key is None:
                    key = folded[tag] = name_key(tag)
                found = tags.get(key)
                if found is not None:
                    found.add(place)

    def _index_words(self, pattern: re.Pattern[bytes]) -> None:
        """One pass over the batch's text: every word that starts with a needed word."""
        texts = [f"{record.title}\n{record.summary}" for record in self.records]
        joined = f"\n{ROW_MARK}\n".join(texts)
        if joined.count(ROW_MARK) != len(texts) - 1:  # an article's text holds the mark
            joined = f"\n{ROW_MARK}\n".join(text.replace(ROW_MARK, " ") for text in texts)
        data = lowered("\n" + joined).encode("utf-8", "surrogatepass").translate(_SPACED)
        plan, words = self.plan, self.words
        if len(plan.prefixes_of) > MAX_WORDS_KEPT:  # bounded: feeds can invent words without end
            plan.prefixes_of.clear()
        mark, row = b" " + ROW_MARK.encode(), 0
        prefixes_of = plan.prefixes_of
        for found in pattern.findall(data):  # each with the space before it
            if found == mark:
                row += 1
                continue
            known = prefixes_of.get(found)
            for word in self._prefixes(found) if known is None else known:
                words[word].add(row)
        if not data.isascii():
            self._index_after_other(data, plan.after_other)
            if plan.after_ascii is not None:
                self._index_after_ascii(data, plan.after_ascii)

    def _index_after_other(self, data: bytes, pattern: re.Pattern[bytes]) -> None:
        """The words that start after a non-ASCII character that is no word character, or
        one of another script."""
        starts: list[int] | None = None  # where each row's text starts, made when needed
        words = self.words
        for match in pattern.finditer(data):
            end = match.start() - 1  # the last byte of the character before the word
            first = end
            while first > 0 and data[first] & 0xC0 == 0x80:  # back to its first byte
                first -= 1
            before = data[first : end + 1].decode("utf-8", "surrogatepass")
            start = match.group(1)[:4].decode("utf-8", "ignore")[:1]
            if not starts_word(before, start):
                continue  # inside a word
            if starts is None:
                starts = [m.start() for m in re.finditer(rb"\x01", data)]
            row = bisect.bisect_left(starts, end)
            for word in self._prefixes(b" " + match.group(1)):
                words[word].add(row)

    def _index_after_ascii(self, data: bytes, pattern: re.Pattern[bytes]) -> None:
        """The words in Hangul that start right after an ASCII word character."""
        starts: list[int] | None = None
        words = self.words
        for match in pattern.finditer(data):
            if starts is None:
                starts = [m.start() for m in re.finditer(rb"\x01", data)]
            row = bisect.bisect_left(starts, match.start())
            for word in self._prefixes(b" " + match.group(1)):
                words[word].add(row)

    def _prefixes(self, found: bytes) -> tuple[str, ...]:
        """The needed words a word starts with (`found`: a space, then the word's start)."""
        plan = self.plan
        known = plan.prefixes_of.get(found)
        if known is None:
            needed = plan.needed_bytes
            known = tuple(
                needed[found[1 : n + 1]] for n in plan.lengths_bytes if found[1 : n + 1] in needed
            )
            plan.prefixes_of[found] = known
        return known

    def term(self, term: Term) -> set[int] | None:
        """Places of the records that can satisfy `term`; None when the index cannot say."""
        word = self.plan.first_word(term)
        if word is not None:
            return self.words.get(word)
        if term.negated:
            return None
        if term.field == "source":
            return self.sources.get(term.value)  # None: a query the plan was not made for
        if term.field == "tag":
            return self.tags.get(term.value)
        return None

    def candidates(self, query: Query) -> list[Record]:
        """The records that can match `query`: those every clause allows."""
        chosen: set[int] | None = None
        for clause in query.clauses:
            allowed: set[int] = set()
            for term in clause:
                ids = self.term(term)
                if ids is None:
                    break
                allowed |= ids
            else:
                chosen = allowed if chosen is None else chosen & allowed
                if not chosen:
                    return []
        if chosen is None:
            return self.records
        return [self.records[place] for place in sorted(chosen)]

    def matches(self, query: Query) -> list[Record]:
        """The records matching `query` (in the batch's order). Clauses the index decides
        whole (one-word terms, sources, tags) are not tested again."""
        candidates = self.candidates(query)
        if not candidates:
            return []
        # a query the plan was not made for is tested whole
        rest = self.plan.rest.get(id(query), query)
        if rest is None:
            return candidates
        return [r for r in candidates if rest.matches(r)]
