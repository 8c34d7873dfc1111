"""One story as it is shown, and how it is made from its articles' records: who reported it
first and when, its last activity, and the headline that says what most outlets said; and
the order stories are listed in (`newest_first`).

Where many stories are made or looked at (a million at a store's first open, thousands after
a cycle), `storybook` and `storyshelf` read articles a chunk at a time (`READ_CHUNK`, with
`chunks`) and give way to a filter typed meanwhile between steps of the sizes here.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from fetchers.models import BACKLOG_AFTER, in_a_backlog, seconds_iso
from fetchers.query import Record, name_key
from fetchers.stories import credited_outlet, terms

if TYPE_CHECKING:
    from fetchers.store import ArticleStore

# articles read at a time when every stored one is looked at: a viewer's store reads them
# back from disk, and a million of them whole at once would take a gigabyte
READ_CHUNK = 20_000
STEP_IDS = 20_000  # ids looked up between two looks for a filter typed meanwhile
STEP_MOVED = 2_000  # headlines made, or stories kept, merged or listed, between two looks
STORY_STEP = 200  # stories made between two looks (each sorts its headlines and picks the
# one that shares most words: a step of a few milliseconds; a cycle touches thousands)


def chunks(ids: list[str], size: int) -> Iterable[list[str]]:
    """`ids` a run of `size` at a time."""
    return (ids[start : start + size] for start in range(0, len(ids), size))


def first_time(record: Record) -> float:
    """When an article was first reported: its publication time, else when it was fetched;
    never later than when it was fetched (a date a few minutes ahead, within what a feed's
    clock is allowed, made a story's first report later than its last activity)."""
    reported = record.reported
    fetched = record.fetched
    return min(reported, fetched) if fetched else reported


class UndatedBacklog:
    """Which articles are the undated backlog of a source's first poll (one just added, a
    first refresh, the first after a day unread): when they were fetched says when the desk
    subscribed, not when they were reported, so they give their story no time of its own (no
    activity, no first report, no lag), as the spike checks count them in no hour. Told from
    the store as the alert desk tells a backlog at a start (`in_a_backlog`): an undated
    article whose source had nothing stored in the day before it was fetched; an undated
    article of a later poll is news as fetched. Each source's fetch times are asked of the
    store once (twice when an older article wants more of them): a shelf of every story
    asks each source with undated articles about once."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        # source -> (since when its fetch times are known, None: all; those times, sorted)
        self._times: dict[str, tuple[float | None, list[float]]] = {}

    def among(self, records: Iterable[Record]) -> frozenset[str]:
        """The ids of those of these articles that are an undated backlog."""
        undated = [(r, fetched) for r in records if r.published is None and (fetched := r.fetched)]
        if not undated:
            return frozenset()
        known = self._times
        new: set[str] = set()  # sources not asked yet: from the day before the earliest
        more: set[str] = set()  # sources asked from later than wanted now: all their times
        since = math.inf
        for record, fetched in undated:
            wanted = fetched - BACKLOG_AFTER
            kept = known.get(record.source)
            if kept is None:
                new.add(record.source)
                since = min(since, wanted)
            elif kept[0] is not None and kept[0] > wanted:
                more.add(record.source)
        if new:
            known.update((s, (since, t)) for s, t in self.store.fetch_times(new, since).items())
        if more:
            known.update((s, (None, t)) for s, t in self.store.fetch_times(more).items())
        nothing: tuple[float | None, list[float]] = (None, [])
        return frozenset(
            r.id for r, fetched in undated if in_a_backlog(known.get(r.source, nothing)[1], fetched)
        )


@dataclass(slots=True)
class Story:
    """One story as `wirewatch stories` shows it."""

    id: str
    title: str
    articles: list[str]  # first reported first (a first poll's undated backlog last)
    sources: list[str]  # distinct, in the order they reported it
    first_id: str
    first_source: str
    first_seen: float
    last_seen: float
    # the outlets, distinct, in the order they reported it, where they are not its sources
    # (an aggregator's feed credits the outlet of each article: `outlet_of`); None: they are
    outlet_names: list[str] | None = field(default=None)
    # the outlet of its first report where an aggregator's feed credits it (`outlet_of`),
    # not `first_source`: Google News was said to have reported first NHK's own story
    first_outlet: str | None = field(default=None)

    @property
    def first_teller(self) -> str:
        """Who reported it first, as the desk is told: the outlet, not an aggregator's feed."""
        return self.first_outlet or self.first_source

    @property
    def outlets(self) -> int:
        """How many outlets carry it: one Google News feed's articles crediting Reuters and
        the AP are two."""
        return len(self.outlet_names if self.outlet_names is not None else self.sources)

    def to_record(self) -> dict[str, Any]:
        """What a store that keeps the stories keeps of one (times as POSIX seconds; its
        outlets only where they are not its sources)."""
        record = {
            "title": self.title,
            "articles": list(self.articles),
            "sources": list(self.sources),
            "first_id": self.first_id,
            "first_source": self.first_source,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }
        if self.outlet_names is not None:
            record["outlets"] = list(self.outlet_names)
        if self.first_outlet is not None:
            record["first_outlet"] = self.first_outlet
        return record

    @classmethod
    def from_record(cls, sid: str, record: dict[str, Any]) -> Story | None:
        """A story as a store kept it; None for a record that does not read as one."""
        try:
            story = cls(
                sid,
                str(record["title"]),
                [str(i) for i in record["articles"]],
                [str(s) for s in record["sources"]],
                str(record["first_id"]),
                str(record["first_source"]),
                float(record["first_seen"]),
                float(record["last_seen"]),
            )
            named = record.get("outlets")  # (a story kept before outlets were: its sources)
            if isinstance(named, list) and named:
                story.outlet_names = [str(n) for n in named]
            first_outlet = record.get("first_outlet")
            if isinstance(first_outlet, str) and first_outlet:
                story.first_outlet = first_outlet
        except (KeyError, TypeError, ValueError):
            return None
        return story if story.articles else None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `wirewatch stories --json`."""
        return {
            "id": self.id,
            "title": self.title,
            "articles": list(self.articles),
            "sources": list(self.sources),
            "outlets": self.outlets,
            "first_id": self.first_id,
            "first_source": self.first_source,
            "first_seen": seconds_iso(self.first_seen or None),  # 0: no time known
            "last_seen": seconds_iso(self.last_seen or None),
        }


def newest_first(story: Story) -> tuple[float, str]:
    """The order stories are listed in: newest activity first, then by id."""
    return (-story.last_seen, story.id)


def outlet_of(record: Record) -> str:
    """An article's outlet: the one an aggregator credits after its headline and summary
    ("Fed raises rates - Reuters": a Google News feed carries many), else its feed."""
    credit = credited_outlet(record.title, record.summary) if record.summary else None
    return record.source if credit is None else credit


def headline_record(record: Record) -> Record:
    """What `made_story` reads of an article, without the rest: for a summary, the outlet
    an aggregator credits in it alone, which `outlet_of` finds as in the whole (a headline
    "… - Reuters" and a summary that ends with "Reuters")."""
    credit = credited_outlet(record.title, record.summary) if record.summary else None
    return Record(
        record.id,
        record.source,
        record.title,
        credit or "",
        published=record.published,
        fetched=record.fetched,
    )


def last_seen(record: Record) -> float:
    """An article's part in its story's last activity: when it was first reported, but never
    later than when it was fetched (the page of newest stories ranks by the same). A feed's
    backlog fetched on its first poll is as old as its reports: counted as fetched, every
    story of a desk's first poll was as new as every other, listed by id; and a clock ahead
    of the desk's keeps no story on top. A first poll's undated backlog has no part in it,
    but in a story it alone makes (`last_activity`)."""
    return first_time(record)


def timed(records: list[Record], backlog: Collection[str]) -> list[Record]:
    """Those of a story's articles that say when they were reported: all but an undated
    backlog (`UndatedBacklog`); all when every one is (a story needs some time: then when
    they were fetched)."""
    told = [r for r in records if r.id not in backlog] if backlog else records
    return told or records


def last_activity(records: list[Record], backlog: Collection[str] = ()) -> float:
    """A story's last activity from its articles (one at least): the latest `last_seen` of
    those that say when they were reported (`timed`)."""
    return max(map(last_seen, timed(records, backlog)))


def single_story(sid: str, record: Record) -> Story:
    """A story of one article (most are): `made_story` without the sorting and comparing."""
    return Story(
        sid,
        record.title,
        [record.id],
        [record.source],
        record.id,
        record.source,
        first_time(record),
        last_seen(record),
    )


def made_story(sid: str, records: list[Record], backlog: Collection[str] = ()) -> Story:
    """The story of these articles: first reported first (then by fetch time, source and id),
    its outlets in the order they reported it, and the headline most of them share. An
    undated `backlog` among them (`UndatedBacklog`) says no time: it comes after the others,
    is never the first report nor the last activity, unless every article is one."""
    told = {r.id: outlet_of(r) for r in records}
    reporting = timed(records, backlog)
    untimed = {r.id for r in records} - {r.id for r in reporting} if backlog else set()
    # first reported first; at one time an outlet's own report before an aggregator's copy
    # of it (then by source name, which decided alone: "Google News" before "Reuters")
    ordered = sorted(
        records,
        key=lambda r: (
            r.id in untimed,
            first_time(r),
            told[r.id] != r.source,
            r.reported,
            r.fetched or 0.0,
            r.source,
            r.id,
        ),
    )
    first = ordered[0]
    sources = list(dict.fromkeys(r.source for r in ordered))
    # one outlet credited in two ways ("Reuters", "REUTERS", "ＲＥＵＴＥＲＳ") is one
    named: dict[str, str] = {}
    for r in ordered:
        named.setdefault(name_key(told[r.id]), told[r.id])
    outlets = list(named.values())
    last = last_activity(reporting)
    teller = told[first.id]
    return Story(
        sid,
        _representative(ordered),
        [r.id for r in ordered],
        sources,
        first.id,
        first.source,
        first_time(first),
        last,
        outlets if outlets != sources else None,
        teller if teller != first.source else None,
    )


def _representative(records: list[Record]) -> str:
    """The headline sharing most words with the story's other headlines (the earliest of
    equals): the one that says what most outlets said."""
    if len(records) == 1:
        return records[0].title
    words = [set(terms(r.title)) for r in records]
    counts: Counter[str] = Counter(w for ws in words for w in ws)
    best, best_score = records[0].title, -1.0
    for record, ws in zip(records, words, strict=True):
        score = sum(counts[w] - 1 for w in ws) / (len(ws) + 1)
        if score > best_score:
            best, best_score = record.title, score
    return best


def made_stories(
    store: ArticleStore,
    sids: list[str],
    members: dict[str, list[str]],
    backlog: UndatedBacklog | None = None,
) -> dict[str, Story]:
    """These stories (in that order) as `storybook.stories_of` makes them, their articles'
    headlines read in one call; one none of whose articles is stored is left out. `backlog`:
    the caller's, when it asks more of the same sources."""
    held = {r.id: r for r in store.headlines([i for sid in sids for i in members[sid]])}
    if backlog is None:
        backlog = UndatedBacklog(store)
    out: dict[str, Story] = {}
    for sid in sids:
        found = [held[i] for i in members[sid] if i in held]
        if len(found) == 1:
            out[sid] = single_story(sid, found[0])
        elif found:
            out[sid] = made_story(sid, found, backlog.among(found))
    return out
