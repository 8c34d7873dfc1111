"""Generated articles and queries, and the check that a store answers each query as
checking every article one by one does: shared by the tests of each store backend."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st

from fetchers.query import Query, parse_query
from fetchers.store import ArticleStore
from fetchers.store.interface import StoryKeeper

NOW = datetime(2025, 10, 24, 8, tzinfo=UTC)
WORDS = [
    "tariff",
    "tariffs",
    "antitariff",
    "apec",
    "summit",
    "gyeongju",
    "관세를",
    "관세",
    "u.s.",
    "$350",
    "billion",
    "lee",
    "trump",
    "lutnick",
    "東京",
    "seoul-based",
    # words of two scripts that meet: each starts a word ("FTA" in "한미FTA")
    "한미fta",
    "fta",
    "fta협상",
    "협상",
    "米frb",
    "m7.1",
    # an apostrophe as news writes it and as a reader types it: each finds the other
    "seoul\u2019s",
    "o'brien",
    # Turkish's capital dotted I, and the word it starts written plain
    "\u0130stanbul",
    "istanbul",
    # German's "ß", which is "ss" in capitals; Turkish's dotless "ı" and the capital "I"
    "stra\u00dfenbahn",
    "STRASSENBAHN",
    "\u0131rak",
    "IRAK",
    "I\u015eIK",
    "\u0131\u015f\u0131k",
    # Latin letters in full width (as Japanese outlets write them), a letter and its accent
    # apart, Korean as its jamo: each is the word written as typed
    "\uff21\uff30\uff25\uff23",
    "\uff27\uff17",
    "g7",
    "caf\u00e9",
    "Cafe\u0301",
    "\u1100\u116a\u11ab\u1109\u1166",
    # characters that show nothing, inside a word as pasted or stored: the word
    "wash\u200bington",
    "washington",
    "bundes\u2060regierung\u200f",
    "bundesregierung",
    # words with accents and the same words typed without: each finds the other (Latin and
    # Greek letters, Cyrillic "ё", Arabic's vowel marks), and words whose marks are part of
    # them (a Hindi vowel sign) find only themselves
    "z\u00fcrich",
    "ZURICH",
    "cafe",
    "\u0141\u00f3d\u017a",
    "lodz",
    "c\u0153ur",
    "coeur",
    "\u0401\u043b\u043a\u0443",
    "\u0435\u043b\u043a\u0443",
    "\u0391\u03b8\u03ae\u03bd\u03b1",
    "\u0391\u0398\u0397\u039d\u0391",
    "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",
    "\u0645\u062d\u0645\u062f",
    "\u0915\u093e\u092e",
    "\u0915\u092e",
]
# names as news writes them, with Turkish's capital dotted I and a typographic apostrophe:
# asked for as a reader types them (`NAMES_TYPED`), each finds the other
SOURCES = ["Yonhap", "Korea Herald", "BBC", "\u0130zmir Haber", "O\u2019Reilly Wire"]
TAGS = ["korea", "world", "apec", "T\u00dcRK\u0130YE", "bob\u2019s"]
NAMES_TYPED = [
    'source:"\u0130ZM\u0130R HABER"',
    'source:"izmir haber"',
    'source:"o\'reilly wire"',
    "tag:t\u00fcrkiye",
    "tag:BOB'S",
    "tag:\uff21\uff30\uff25\uff23",
]


def scan(store: ArticleStore, query: Query) -> list[str]:
    """The reference: every article, in date order, checked one by one with its full text."""
    return [
        i
        for i in store.query_ids()
        if query.matches(store.record(i), text_of=lambda r: store.text(r.id))
    ]


articles = st.lists(
    st.tuples(
        st.lists(st.sampled_from(WORDS), min_size=1, max_size=6),
        st.sampled_from(SOURCES),
        st.sampled_from(TAGS),
        st.integers(min_value=0, max_value=96 * 60),
        st.sampled_from([None, "ko", "en-GB"]),
        st.one_of(st.none(), st.lists(st.sampled_from(WORDS), min_size=1, max_size=8)),
    ),
    min_size=1,
    max_size=40,
)
terms = st.one_of(
    st.sampled_from(WORDS).map(lambda w: w[: max(1, len(w) - 2)]),
    st.sampled_from(WORDS),
    st.tuples(st.sampled_from(WORDS), st.sampled_from(WORDS)).map(lambda p: f'"{p[0]} {p[1]}"'),
    st.sampled_from(SOURCES).map(lambda s: f'source:"{s}"'),
    st.sampled_from(TAGS).map(lambda t: f"tag:{t}"),
    st.sampled_from(NAMES_TYPED),
    st.sampled_from(["since:1d", "since:3h", "before:2d", "lang:ko", "lang:en", "is:unread"]),
    st.sampled_from(["lang:en-us", "seoul's", "o\u2019brien", '"o\u2019brien seoul"']),
    st.sampled_from(
        ["strassenbahn", "Stra\u00dfe", '"strassenbahn irak"', "title:\u0131\u015f\u0131k"]
    ),
    st.sampled_from(
        [
            "APEC",
            "\uff41\uff50",
            "CAFE\u0301",
            '"\uff21\uff30\uff25\uff23 summit"',
            "title:G7",
            "관세",
        ]
    ),
    st.sampled_from(
        [
            "zurich",
            "Z\u00dcRICH",
            "caf\u00e9",
            '"cafe z\u00fcrich"',
            "title:LODZ",
            "\u0415\u043b\u043a\u0443",
            "\u03b1\u03b8\u03b7\u03bd\u03b1",
            "\u0645\u062d\u0645\u062f",
            "\u0915\u092e",
            "-zurich",
        ]
    ),
    st.sampled_from(WORDS).map(lambda w: f"title:{w[: max(1, len(w) - 1)]}"),
    st.sampled_from(
        ["story:s00000000000a", "story:s00000000000c", "outlets:>=2", "outlets:1", "outlets:>2"]
    ),
    st.sampled_from(["outlets:<=2", "outlets:<3", "outlets:3", "outlets:0"]),
)


class EveryThirdInAStory:
    """Stories for story: and outlets: terms: a0, a3, a6 … share one of three outlets, a1,
    a4, a7 … one of two; the rest are in none."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids

    @staticmethod
    def _number(ident: str) -> int:
        return int(ident[1:]) if ident[1:].isdigit() else len(ident)

    def story_of(self, ident: str) -> str | None:
        return ("s00000000000a", "s00000000000b", None)[self._number(ident) % 3]

    def outlets_of(self, ident: str) -> int:
        return (3, 2, 1)[self._number(ident) % 3]

    def articles_of(self, story: str) -> list[str]:
        return [i for i in self.ids if self.story_of(i) == story]

    def articles_where(self, outlets: Callable[[int], bool]) -> list[str]:
        return [i for i in self.ids if self.outlets_of(i) > 1 and outlets(self.outlets_of(i))]


def save_every_third(store: StoryKeeper, ids: list[str]) -> None:
    """The stories of `EveryThirdInAStory` saved in a store that keeps the stories (and
    answers story: and outlets: from them), as the grouping poller saves them."""
    facts = EveryThirdInAStory(ids)
    changed: dict[str, tuple[list[str], dict[str, Any]]] = {}
    for sid, outlets in (("s00000000000a", 3), ("s00000000000b", 2)):
        members = facts.articles_of(sid)
        if members:
            sources = [f"Outlet {n}" for n in range(outlets)]
            record = {"title": sid, "articles": members, "sources": sources,
                      "first_id": members[0], "first_source": sources[0], "first_seen": 0.0,
                      "last_seen": 0.0}  # fmt: skip
            changed[sid] = (members, record)
    store.save_stories(changed, [])


queries = st.lists(st.tuples(st.sampled_from(["", "-", "OR "]), terms), min_size=1, max_size=4).map(
    lambda parts: " ".join(f"{op}{t}" for op, t in parts).removeprefix("OR ").lstrip("-") or "x"
)


# what may part two words in a text: one space most often, else what a phrase cannot skip
PARTINGS = [
    " ",
    " ",
    " ",
    ", ",
    "\n",
    "  ",
    "-",
    " \u2014 ",
    ". ",
    "\u00a7",
    "\u30fb",
    "\u0e35",
    "",
]


def parted(words: list[str], rng: random.Random) -> str:
    """Words joined as a text joins them: mostly one space, sometimes punctuation or a line."""
    return "".join(w if at == 0 else rng.choice(PARTINGS) + w for at, w in enumerate(words))


parted_phrases = st.tuples(
    st.sampled_from(["", "title:"]),
    st.sampled_from(WORDS),
    st.sampled_from([p for p in PARTINGS if p != "\n"]),
    st.sampled_from(WORDS),
).map(lambda p: f'{p[0]}"{p[1]}{p[2]}{p[3]}"')
# queries whose phrases have words one space apart and words parted by anything else
parted_queries = st.lists(
    st.tuples(st.sampled_from(["", "-", "OR "]), st.one_of(terms, parted_phrases)),
    min_size=1,
    max_size=4,
).map(lambda parts: " ".join(f"{op}{t}" for op, t in parts).removeprefix("OR ").lstrip("-") or "x")


def check_parts(store: ArticleStore, query: Query, expected: list[str], text: str) -> None:
    """A part of the list about a row or an article, when the store can say it without the
    list: the right rows and how many match, from either end."""
    size = len(expected)
    if not size:
        assert store.part(query, 2, row=3) in (None, (0, 0, [])), text
        return
    for row in sorted({0, 1, size // 2, size - 2, size - 1, size + 3} & set(range(size + 4))):
        for around in (0, 2):
            at = min(row, size - 1)
            start = max(0, at - around)
            wanted = (size, start, expected[start : at + around + 1])
            assert store.part(query, around, row=row) in (None, wanted), text
            if row < size:
                assert store.part(query, around, through=expected[row]) in (None, wanted), text


def check_queries(store: ArticleStore, texts: list[str], limit: int | None) -> int:
    """Every query gives what checking every article gives; returns how many were run."""
    run = 0
    for text in texts:
        try:
            query = parse_query(
                text.replace("OR OR", "OR").removesuffix(" OR"),
                NOW,
                stories=EveryThirdInAStory(store.query_ids()),
            )
        except ValueError:
            continue
        expected = scan(store, query)
        assert store.query_ids(query, limit) == expected[:limit], text
        check_parts(store, query, expected, text)
        run += 1
    return run
