"""A token index over titles, summaries and full texts, so word queries skip most of 100,000
articles.

Words match at the start of a word (see `fetchers.query`), so every match of "tariff" is in
the postings of some token that starts with "tariff"; the index returns that superset and the
query checks each candidate. Postings are compact arrays of serial numbers, not sets of ids.
"""

from __future__ import annotations

import bisect
from array import array

from fetchers.query import WORD, word_prefix_pattern


class WordIndex:
    def __init__(self) -> None:
        self.ids: list[str] = []  # serial -> article id
        self.postings: dict[str, array[int]] = {}
        self._vocabulary: list[str] | None = None  # sorted tokens, rebuilt when new ones arrive

    def __len__(self) -> int:
        return len(self.ids)

    def add(self, ident: str, haystack: str) -> None:
        """Index one article's lower-cased words (title, summary and full text). Adding an
        article again (a full text fetched later) adds the new words to what it had."""
        serial = len(self.ids)
        self.ids.append(ident)
        postings = self.postings
        for token in set(WORD.findall(haystack)):
            found = postings.get(token)
            if found is None:
                postings[token] = found = array("I")
                self._vocabulary = None
            found.append(serial)

    @staticmethod
    def is_exact(needle: str) -> bool:
        """True when `candidates` gives exactly the matches: one word, no punctuation (a
        phrase needs its words next to each other, which postings do not record)."""
        return WORD.fullmatch(needle) is not None and word_prefix_pattern(needle) is not None

    def candidates(self, needle: str) -> set[str] | None:
        """Ids that may contain the word or phrase; None when the index cannot tell (then
        every article must be checked)."""
        if word_prefix_pattern(needle) is None:
            return None
        tokens = WORD.findall(needle)
        if not tokens:
            return None
        last = len(tokens) - 1
        ends_in_word = needle.rstrip()[-1:].isalnum() or needle.rstrip().endswith("_")
        result: set[int] | None = None
        for at in sorted(range(len(tokens)), key=lambda i: -len(tokens[i])):  # rarest first
            word = tokens[at]
            serials = self._prefixed(word) if at == last and ends_in_word else self._exact(word)
            result = serials if result is None else result & serials
            if not result:
                return set()
        ids = self.ids
        return {ids[s] for s in result or ()}

    def _exact(self, token: str) -> set[int]:
        found = self.postings.get(token)
        return set(found) if found is not None else set()

    def _prefixed(self, prefix: str) -> set[int]:
        if self._vocabulary is None:
            self._vocabulary = sorted(self.postings)
        vocabulary = self._vocabulary
        out: set[int] = set()
        at = bisect.bisect_left(vocabulary, prefix)
        while at < len(vocabulary) and vocabulary[at].startswith(prefix):
            out.update(self.postings[vocabulary[at]])
            at += 1
        return out
