"""What PostgreSQL's full-text search is given: an article's words, and a query term's.

The query language finds a word or phrase at the start of a word, with Python's idea of a
word (`fetchers.query`). PostgreSQL's parser has its own (a host name, an e-mail address or a
path is one token), so the text is cut into runs of letters and digits here, in Python, and
the parser sees only those runs separated by spaces: every word the query language can find
starts a lexeme. The index then answers a superset of a word term; the term's own test
decides (`fetchers.store.postgres.sql`). A phrase asks the index for its words, not their
order: a tsvector keeps at most 255 places of a word (256 once parts are joined) and none
past 16,383, and a long text is indexed only so far (`LONGEST_TEXT`), so the places of a
long text can miss a phrase. Each row says whether its places are exact (`places_exact`,
decided from the runs as the row is written; `PLACES_EXACT_SQL` decided it for the rows a
database held before): where they are, a phrase whose words are not next to each other there
is not in the article, and its text need not be read to say so.
"""

from __future__ import annotations

import re
from collections import Counter

from fetchers.query import EASTERN, EASTERN_WORD, lowered, unspaced

# letters and digits of one kind (`fetchers.query.WORD`: "한미FTA" is two words): a lexeme
RUN = re.compile(f"(?:{EASTERN_WORD})+|[^\\W_{EASTERN}]+")
LONGEST_TEXT = 400_000  # characters of a full text given to the index (a tsvector is < 1 MB)
LONGEST_WORD = 2047  # bytes: a longer word is left out of a tsvector and of a tsquery alike,
# but a tsquery counts its place (a phrase with one would ask for a gap the tsvector lacks)
FEWEST_TOKENS = 255  # characters of words below which an article cannot hold 255 places
PAIRS_TEXT = 50_000  # characters of words or text past which an article keeps no pairs (its
# pairs then take at most 8 bytes a character and 4 a word: well under a tsvector's 1 MB)
PAIR_PART = 64  # characters of each word a pair keeps (a lexeme is at most 2,046 bytes)
MOST_PLACES = 16_383  # a place there or later is kept as 16,383: places past it are lost
MOST_PLACES_OF_A_WORD = 255  # a word said this often may have places left out

# the words column from the three parts, each already cut into runs
WORDS_SQL = (
    "setweight(to_tsvector('simple', {0}), 'A') || setweight(to_tsvector('simple', {1}), 'B')"
    " || setweight(to_tsvector('simple', {2}), 'C')"
)


# Whether a row's words keep every place of every word (given the length of its text, its
# words column and the total length of what its words were made of): no word at 255 places
# or more (where PostgreSQL stops keeping them), no place at 16,383 (where it caps them) and
# the whole text indexed. Words made of fewer than 255 characters are fewer than 255 tokens,
# so short rows are not taken apart.
PLACES_EXACT_SQL = (
    f"({{text_length}} <= {LONGEST_TEXT} AND ({{length}} < {FEWEST_TOKENS} OR NOT EXISTS"
    " (SELECT 1 FROM unnest({words}) AS u WHERE cardinality(u.positions) >= 255"
    " OR u.positions[cardinality(u.positions)] >= 16383)))"
)


def places_exact(parts: tuple[str, str, str], text_length: int) -> bool:
    """Whether the words column made of `parts` (as `article_words` gives them) keeps every
    place of every word, decided from the runs before the server makes the column (the
    server's own test, `PLACES_EXACT_SQL`, is what rows written before this one were decided
    by). Its places are positions 1, 2, ... of the runs of the three parts in turn, so none
    reaches 16,383 when there are fewer runs than that, and no word has 255 places when none
    is said 255 times. A run the index leaves out (longer than `LONGEST_WORD`) holds no place:
    counting it only says "not exact" sooner, which costs a read of the text, never a match."""
    if text_length > LONGEST_TEXT:
        return False
    words = [word for part in parts for word in part.split()]
    if len(words) >= MOST_PLACES:
        return False
    if len(words) < MOST_PLACES_OF_A_WORD:
        return True
    return max(Counter(words).values()) < MOST_PLACES_OF_A_WORD


def pairs(parts: tuple[str, str, str], text_length: int) -> str | None:
    """The pairs column of an article (tsvector input): each two runs that stand one after the
    other, once, as `pair` keeps them. A phrase asks it for its own pairs, so an article that
    holds the words of a phrase apart is turned down by the index, its words never read. None
    past `PAIRS_TEXT` (its pairs could outgrow a tsvector): the words then decide, as for a
    row written before pairs."""
    if text_length > PAIRS_TEXT or sum(map(len, parts)) > PAIRS_TEXT:
        return None
    words = " ".join(part for part in parts if part).split()
    found = {pair(first, then) for first, then in zip(words, words[1:], strict=False)}
    return " ".join(f"'{kept}'" for kept in found)


def pair(first: str, then: str) -> str:
    """Two words one after the other as a lexeme keeps them: the first `PAIR_PART` characters
    of each, a space apart (a phrase asks for its pairs cut the same way, as prefixes: a word
    it holds whole is cut as in the article, the last word it holds a start of, so cut it is
    a start of the article's, cut)."""
    return f"{first[:PAIR_PART]} {then[:PAIR_PART]}"


def pair_query(needle: str) -> str | None:
    """The tsquery (tsquery input, for the pairs column) that holds for every article whose
    words hold `needle`: each two of its runs, as `pair` keeps them, as prefixes. None for a
    single word, or a needle the index cannot narrow."""
    if unspaced(needle):
        return None
    found = RUN.findall(lowered(needle))
    asked = [pair(first, then) for first, then in zip(found, found[1:], strict=False)]
    if not asked:
        return None
    return " & ".join(f"'{kept}':*" for kept in asked)


def runs(text: str | None, longest: int | None = None) -> str:
    """The runs of letters and digits of `text`, lower-cased, one space apart; past `longest`
    characters, each further word once (a tsvector holds under 1 MB, and a word said only late
    in a very long text is still found)."""
    if not text:
        return ""
    if longest is None or len(text) <= longest:
        return " ".join(RUN.findall(lowered(text)))
    head = RUN.findall(lowered(text[:longest]))
    seen = set(head)
    later = [w for w in dict.fromkeys(RUN.findall(lowered(text[longest:]))) if w not in seen]
    return " ".join(head + later)


def article_words(title: str, summary: str, text: str | None) -> tuple[str, str, str]:
    """The three parts of an article's words column."""
    return runs(title), runs(summary), runs(text, LONGEST_TEXT)


def prefix_query(needle: str) -> str | None:
    """The tsquery (for `to_tsquery('simple', …)`) that holds for every article whose words
    hold `needle` at the start of a word: all its runs, the last as a prefix. None when
    the index cannot narrow it (a needle in a script written without spaces, which matches
    anywhere, or one with no letter or digit)."""
    if unspaced(needle):
        return None
    found = RUN.findall(lowered(needle))
    if not found:
        return None
    return " & ".join(found) + ":*"


def phrase_query(needle: str) -> str | None:
    """The tsquery that holds for every article whose words, at exact places, hold `needle`:
    its runs one after the other, the last as a prefix. None for a single word (the words
    query says as much), a needle the index cannot narrow, or one with a word too long for
    a tsquery to keep."""
    if unspaced(needle):
        return None
    found = RUN.findall(lowered(needle))
    if len(found) < 2 or any(len(run.encode()) >= LONGEST_WORD for run in found):
        return None
    return " <-> ".join(found) + ":*"
