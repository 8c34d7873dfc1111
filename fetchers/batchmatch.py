"""Many queries over one batch of articles at once: the alert rules over a cycle's new articles,
the watched terms over the last day's articles.

Testing every query on every article costs queries x articles; here the batch's text is read
once, by one pattern made of the first word of every word term the queries hold (a trie of
them, so each place in the text is tried against all of them in a few steps), and each query
is then tested only on the articles that hold its words, its source or its tag. Words are
looked for in titles and summaries, as `Query.matches` does without a full text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from typing import Any

from fetchers.query import WORD, Query, Record, Term, word_prefix_pattern


def _first_word(term: Term) -> str | None:
    """The word an article must hold a word starting with for `term` to hold (None: the
    index cannot say, and every article is a candidate)."""
    if term.negated or term.field not in (None, "title"):
        return None
    if word_prefix_pattern(term.value) is None:  # scripts written without spaces
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


class BatchIndex:
    """The records of one batch, indexed for the word, source and tag terms of `queries`."""

    def __init__(self, records: list[Record], queries: Iterable[Query]) -> None:
        self.records = records
        needed = {
            word
            for query in queries
            for clause in query.clauses
            for term in clause
            if (word := _first_word(term)) is not None
        }
        # sets of places in `records`
        self.words: dict[str, set[int]] = {word: set() for word in needed}
        self.sources: dict[str, set[int]] = {}
        self.tags: dict[str, set[int]] = {}
        for place, record in enumerate(records):
            self.sources.setdefault(record.source.lower(), set()).add(place)
            for tag in record.tags:
                self.tags.setdefault(tag.lower(), set()).add(place)
        if needed and records:
            self._index_words(needed)

    def _index_words(self, needed: set[str]) -> None:
        """One pass over the batch's text: every word that starts with a needed word."""
        pattern = re.compile(r"(?<!\w)" + _trie_pattern(needed) + r"\w*")
        starts: list[int] = []
        at = 0
        texts: list[str] = []
        for record in self.records:
            text = record.haystack
            starts.append(at)
            texts.append(text)
            at += len(text) + 1
        lengths = sorted({len(word) for word in needed})
        prefixes_of: dict[str, list[str]] = {}
        for match in pattern.finditer("\0".join(texts)):  # "\0" is no word character
            token = match.group()
            found = prefixes_of.get(token)
            if found is None:
                found = [token[:n] for n in lengths if token[:n] in needed]
                prefixes_of[token] = found
            place = bisect.bisect_right(starts, match.start()) - 1
            for word in found:
                self.words[word].add(place)

    def term(self, term: Term) -> set[int] | None:
        """Places of the records that can satisfy `term`; None when the index cannot say."""
        word = _first_word(term)
        if word is not None:
            return self.words.get(word)
        if term.negated:
            return None
        if term.field == "source":
            return self.sources.get(term.value, set())
        if term.field == "tag":
            return self.tags.get(term.value, set())
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
        open_clauses = [c for c in query.clauses if not all(map(self._decides, c))]
        candidates = self.candidates(query)
        if not open_clauses:
            return candidates
        rest = Query(query.text, open_clauses, [])
        return [r for r in candidates if rest.matches(r)]

    def _decides(self, term: Term) -> bool:
        """Whether the index's answer for `term` is the term's own answer."""
        if term.negated:
            return False
        if term.field in ("source", "tag"):
            return True
        word = _first_word(term)
        return term.field is None and word == term.value and word in self.words
