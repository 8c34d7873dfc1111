"""Velocity: mentions per hour of each watch term and alert rule, and when a rate is news.

An article mentions a term when its title or summary matches the term's query (a full text
would count every passing mention); it counts in the hour of its time as `list` orders it
(published, else listed, else fetched), in UTC clock hours; the last hour of a series is the
one running now.

A spike is the current hour's count reaching

    max(SPIKE_FLOOR, mean + SPIKE_Z * max(stdev, sqrt(mean)))

over the 24 whole hours before it (population mean and standard deviation). Mentions arrive
roughly as a Poisson process, whose spread is sqrt(mean): the floor on the deviation keeps a
term that arrives evenly (stdev near 0) from firing on one article above its usual rate, and
the floor on the count keeps a term seen once a day from firing on its second mention. Three
deviations keep a term's ordinary hour-to-hour swing below the line. The running hour is
counted as it stands, so a spike fires as soon as it is there, not when the hour ends.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean, pstdev
from typing import TYPE_CHECKING

from fetchers.batchmatch import BatchIndex, WordPlan
from fetchers.models import AHEAD_ALLOWED, utc_iso
from fetchers.query import Query, Record, as_phrase
from fetchers.store import ArticleStore

if TYPE_CHECKING:
    from fetchers.story import Story

HOUR = 3600
BASELINE_HOURS = 24
SPIKE_FLOOR = 5
SPIKE_Z = 3.0
DEFAULT_HOURS = 48
MIN_HOURS, MAX_HOURS = BASELINE_HOURS + 1, 72


@dataclass(slots=True, frozen=True)
class Verdict:
    """How the running hour stands against its baseline."""

    current: int
    mean: float
    stdev: float
    threshold: float

    @property
    def spike(self) -> bool:
        return self.current >= self.threshold

    @property
    def spikes_at(self) -> int:
        """The fewest mentions this hour that are a spike: the threshold rounded up (a
        threshold of 8.2 is not met by 8, and "spike at 8" beside 8 unmarked said otherwise)."""
        return math.ceil(self.threshold)


def spike_verdict(series: list[int]) -> Verdict:
    """The statistic above on a series whose last count is the running hour (a shorter
    series than 25 hours uses what it has as the baseline)."""
    current = series[-1] if series else 0
    baseline = series[-BASELINE_HOURS - 1 : -1] or [0]
    mean = fmean(baseline)
    stdev = pstdev(baseline)
    threshold = max(float(SPIKE_FLOOR), mean + SPIKE_Z * max(stdev, math.sqrt(mean)))
    return Verdict(current, mean, stdev, threshold)


def hour_start(when: datetime) -> datetime:
    return when.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


@functools.lru_cache(maxsize=16)
def _span(now: datetime, hours: int) -> tuple[float, float]:
    """The POSIX start of the first of `hours` clock hours ending with now's, and the latest
    time counted: now, and the minutes past it a feed's clock may run ahead (an article it
    dates then is stored so, `AHEAD_ALLOWED`). A check counts hundreds of series for one now."""
    return (
        (hour_start(now) - timedelta(hours=hours - 1)).timestamp(),
        (now + AHEAD_ALLOWED).timestamp(),
    )


def hourly_counts(times: list[float], now: datetime, hours: int) -> list[int]:
    """Counts per UTC clock hour of POSIX `times`, oldest first, the last the running hour;
    times before the span are left out, as are those later than a feed's clock may run ahead
    (the few minutes it may are the running hour's: the articles of a feed a little ahead
    were never counted, and its spike never fired)."""
    origin, end = _span(now, hours)
    counts = [0] * hours
    last = hours - 1
    for t in times:
        if origin <= t <= end:
            counts[min(int((t - origin) // HOUR), last)] += 1
    return counts


def watch_query(term: str) -> str:
    """A watch term as a query: the term as one phrase (`as_phrase`)."""
    return as_phrase(term)


def within(query: Query, hours: int, now: datetime) -> Query:
    """The query restricted to articles of the last `hours` clock hours: a since: clause
    made from the instant itself (the store's date order cuts the slice by its bound)."""
    start = hour_start(now) - timedelta(hours=hours - 1)
    return query.since(start.timestamp(), (utc_iso(start) or "").lower())


@dataclass(slots=True, frozen=True)
class Trend:
    """One term's series: `counts[i]` are the mentions in the hour starting `start + i` hours."""

    name: str
    kind: str  # "watch", "alert" or "story"
    query: str
    start: datetime
    counts: list[int]
    verdict: Verdict
    # why no spike fires for it, in a word ("muted", "per article"): its count over the
    # line is not marked a spike where it is drawn
    no_spike: str | None = None

    @property
    def marked_spike(self) -> bool:
        """Whether it is drawn as a spike: over its line, and one that fires."""
        return self.verdict.spike and self.no_spike is None

    def to_json(self) -> dict[str, object]:
        """The shape of `wirewatch trends --json`."""
        return {
            "name": self.name,
            "kind": self.kind,
            "query": self.query,
            "start": utc_iso(self.start),
            "counts": self.counts,
            "current": self.verdict.current,
            "baseline_mean": round(self.verdict.mean, 3),
            "threshold": round(self.verdict.threshold, 3),
            "spike": self.verdict.spike,
            "muted": self.no_spike == "muted",
            "no_spike": self.no_spike,
        }


BARS = "▁▂▃▄▅▆▇█"


def sparkline(counts: Sequence[int], width: int | None = None) -> str:
    """Counts as bars scaled from 0 to the highest (an even rate draws level bars as high
    as its count, not the lowest as none), a count above 0 never the lowest bar (one among
    eights drew as nothing); drawn in `width` cells at most, each the highest of the hours
    it stands for when there are more hours than cells."""
    values = list(counts)
    if width is not None and 0 < width < len(values):
        size = len(values)
        values = [max(values[i * size // width : (i + 1) * size // width]) for i in range(width)]
    top = max(values, default=0)
    last = len(BARS) - 1
    return "".join(BARS[0 if c <= 0 else max(1, -(-c * last // top))] for c in values)


READ_CHUNK = 2_000  # articles read and indexed at a time


@dataclass(slots=True)
class _Kept:
    text: str  # the query's text: a rule edited under the same key is counted afresh
    query: Query
    closed: list[int]  # mentions in each of the BASELINE_HOURS whole hours, oldest first
    asked: float  # the running hour's start when its series was last asked for


class HourCounts:
    """The writer's running series: each term's mentions in the BASELINE_HOURS whole hours
    before the running one, kept from check to check. A whole hour is read from the store
    once, at the first check after it closed; a check otherwise reads only the running hour
    (the articles it was handed are counted by the caller, and those dated in a closed hour
    are added to it, whether or not the check asks for a series: `note`). A term not kept
    yet, or kept for another query, is read whole; one not asked for in BASELINE_HOURS is
    let go. An article another process stores into a closed hour counts from the next
    writer's start."""

    def __init__(self) -> None:
        self.start: float | None = None  # the running hour the kept counts lead up to
        self.kept: dict[str, _Kept] = {}
        self.read = 0  # articles read from the store, all told

    def series(
        self,
        store: ArticleStore,
        terms: list[tuple[str, str, Query]],
        plan: WordPlan,
        handed: dict[str, list[int]],
        handed_ids: set[str],
        now: datetime,
        others: Iterable[tuple[str, str, Query]] = (),
    ) -> list[list[int]]:
        """The BASELINE_HOURS + 1 hour series of each (key, query text, query), the running
        hour last. `handed`: each key's counts per hour among the articles `handed_ids` (the
        check's own, not read again); `plan` the word plan made for the queries; `others`:
        the other terms watched, kept too whenever the day is read for a new one."""
        hours = BASELINE_HOURS + 1
        start = hour_start(now).timestamp()
        moved = 0 if self.start is None else round((start - self.start) / HOUR)
        if self.start is None or not 0 <= moved < hours:
            self.kept.clear()
            moved = 0
        self.kept = {k: v for k, v in self.kept.items() if v.asked > start - BASELINE_HOURS * HOUR}
        asked = {key for key, _text, _query in terms}
        wanted = {key: (text, query) for key, text, query in [*others, *terms]}
        fresh = {
            key
            for key, (text, _query) in wanted.items()
            if key not in self.kept or self.kept[key].text != text
        }
        if not fresh & asked:
            fresh = set()  # no day is read for a term not asked for
        reading: dict[str, Query] = {}
        for key, kept in self.kept.items():
            if key not in fresh:
                kept.query = wanted.get(key, (kept.text, kept.query))[1]
                if moved or key in asked:  # the hours that closed; the running one if asked
                    reading[key] = kept.query
        reading.update((key, wanted[key][1]) for key in fresh)
        back = BASELINE_HOURS if fresh else moved  # the closed hours read: new terms need all
        found = self._read(store, reading, plan, handed_ids, now, back + 1)
        empty = [0] * hours
        for key, kept in self.kept.items():
            if key in fresh:
                continue
            if moved:
                kept.closed = [*kept.closed[moved:], *found.get(key, empty)[-1 - moved : -1]]
            kept.closed = [a + b for a, b in zip(kept.closed, handed.get(key, empty), strict=False)]
        for key in fresh:
            text, query = wanted[key]
            closed = found.get(key, empty)[:-1]
            closed = [a + b for a, b in zip(closed, handed.get(key, empty), strict=False)]
            self.kept[key] = _Kept(text, query, closed, start)
        for key in asked:
            self.kept[key].asked = start
        self.start = start
        return [
            [*self.kept[key].closed, found.get(key, empty)[-1] + handed.get(key, empty)[-1]]
            for key, _text, _query in terms
        ]

    def note(self, handed: dict[str, list[int]], now: datetime) -> None:
        """Add a check's own mentions in closed hours (`handed`, as `series` takes them) to
        the terms kept, when the check asks for no series (no term due): a batch whose
        mentions all fall in closed hours (a source back after hours down) is counted in
        its terms' baselines as the store holds it, not left out until the writer restarts.
        Of the hours closed since the kept ones led up to, nothing is added: `series` reads
        those from the store when it next moves on."""
        if self.start is None:
            return
        moved = round((hour_start(now).timestamp() - self.start) / HOUR)
        if not 0 <= moved < BASELINE_HOURS + 1:
            return
        for key, row in handed.items():
            kept = self.kept.get(key)
            if kept is None:
                continue
            for hour, count in enumerate(row[:BASELINE_HOURS]):
                at = hour + moved  # the handed hour's place among the kept ones
                if count and at < BASELINE_HOURS:
                    kept.closed[at] += count

    def _read(
        self,
        store: ArticleStore,
        queries: dict[str, Query],
        plan: WordPlan,
        skip: set[str],
        now: datetime,
        hours: int,
    ) -> dict[str, list[int]]:
        """Each key's mentions per hour among the stored articles of the last `hours` clock
        hours but `skip`, in a BASELINE_HOURS + 1 hour series (the hours not read are 0)."""
        ids = [i for i in store.query_ids(within(Query(""), hours, now)) if i not in skip]
        self.read += len(ids)
        out: dict[str, list[int]] = {}
        for first in range(0, len(ids), READ_CHUNK):
            index = BatchIndex(store.records(ids[first : first + READ_CHUNK]), plan)
            for key, query in queries.items():
                hits = index.matches(query)
                if not hits:
                    continue
                more = hourly_counts([r.when for r in hits], now, BASELINE_HOURS + 1)
                if key in out:
                    more = [a + b for a, b in zip(out[key], more, strict=True)]
                out[key] = more
        return out


STORY_TRENDS = 8  # stories with a series: the most recently active carried by 2+ outlets


def story_trends(
    stories: Iterable[Story],
    store: ArticleStore,
    now: datetime,
    hours: int = DEFAULT_HOURS,
    uncounted: Collection[str] = (),
) -> list[Trend]:
    """Articles per hour of the `moving_stories`, but the `uncounted` ones (as `trends`)."""
    start = hour_start(now) - timedelta(hours=hours - 1)
    out: list[Trend] = []
    moving = moving_stories(stories, now, hours)
    counted = story_counts(moving, store, now, hours, uncounted)
    for story, counts in zip(moving, counted, strict=True):
        spike = story_spike(story, counts, store, now, uncounted)
        query = story_query(story.id)
        out.append(Trend(story.title, "story", query, start, counts, spike.verdict, spike.unfired))
    return out


ONE_OUTLET = "one outlet"  # a story over its line this hour from one outlet's articles


@dataclass(slots=True, frozen=True)
class StorySpike:
    """A story's running hour against its own line and whether its spike fires: the one
    rule the writer's spike check and every drawn story row read, so a row never draws
    SPIKE where no alert comes (nor the reverse)."""

    verdict: Verdict
    outlets: int  # the outlets of its articles this hour; 0 (not read) under its line

    @property
    def unfired(self) -> str | None:
        """Why it fires no spike over its line (`ONE_OUTLET`: one outlet's run this hour,
        a live page say, is no story moving), else None."""
        return ONE_OUTLET if self.verdict.spike and self.outlets < 2 else None

    @property
    def fires(self) -> bool:
        return self.verdict.spike and self.unfired is None


def story_spike(
    story: Story,
    counts: list[int],
    store: ArticleStore,
    now: datetime,
    uncounted: Collection[str] = (),
) -> StorySpike:
    """The verdict on a story's articles per hour (`counts`, the running hour last) and,
    over its line alone (rare), the outlets among its articles this hour but the
    `uncounted` ones: whatever outlets carried it before, one outlet now fires nothing."""
    verdict = spike_verdict(counts)
    outlets = outlets_this_hour(story, store, now, uncounted) if verdict.spike else 0
    return StorySpike(verdict, outlets)


def moving_stories(stories: Iterable[Story], now: datetime, hours: int) -> list[Story]:
    """The STORY_TRENDS most recently active stories that two or more outlets carry and
    that moved within the span of `hours` (`stories`: newest activity first)."""
    start = (hour_start(now) - timedelta(hours=hours - 1)).timestamp()
    out: list[Story] = []
    for story in stories:
        if len(out) >= STORY_TRENDS:
            break
        if story.outlets >= 2 and story.last_seen >= start:
            out.append(story)
    return out


def story_query(story_id: str) -> str:
    """The query of a story's articles (its series' query, its spike's rule key)."""
    return f"story:{story_id}"


def story_counts(
    stories: Sequence[Story],
    store: ArticleStore,
    now: datetime,
    hours: int,
    uncounted: Collection[str] = (),
) -> list[list[int]]:
    """Each story's own articles per hour (every article of a story counts: none is a
    passing mention), but the `uncounted` ones: the undated backlog a watch term's series
    leaves out too (`undated_backlog`), or a feed added with a story's archive made it
    spike. The articles of all are read in one call: a lean store reads each shard once,
    not once a story."""
    wanted = [ident for story in stories for ident in story.articles if ident not in uncounted]
    held = store.records(wanted)
    when = {record.id: record.when for record in held}
    return [
        hourly_counts([when[i] for i in story.articles if i in when], now, hours)
        for story in stories
    ]


def outlets_this_hour(
    story: Story, store: ArticleStore, now: datetime, uncounted: Collection[str] = ()
) -> int:
    """The outlets among a story's articles of the running hour (as `hourly_counts` bounds
    it), but the `uncounted` ones: a story's spike is its outlets moving now, and those that
    carried it once, hours ago, are no part of this hour's run."""
    origin, end = _span(now, 1)
    held = store.records([i for i in story.articles if i not in uncounted])
    return len({r.source for r in held if origin <= r.when <= end})


def window(
    store: ArticleStore, now: datetime, hours: int, uncounted: Collection[str] = ()
) -> list[Record]:
    """The stored articles of the last `hours` clock hours (the running one included), but
    the `uncounted` ones."""
    ids = store.query_ids(within(Query(""), hours, now))
    if uncounted:
        ids = [i for i in ids if i not in uncounted]
    return store.records(ids)


def series(
    records: list[Record], queries: list[Query], now: datetime, hours: int
) -> list[list[int]]:
    """Mentions per hour of each query among `records` (in titles and summaries), in one
    pass over their text."""
    index = BatchIndex(records, queries)
    return [hourly_counts([r.when for r in index.matches(q)], now, hours) for q in queries]


def trends(
    store: ArticleStore,
    terms: list[tuple[str, str, str, Query]],
    now: datetime,
    hours: int = DEFAULT_HOURS,
    uncounted: Collection[str] = (),
) -> list[Trend]:
    """A series for each (name, kind, query text, query), from the store; `uncounted`: the
    articles the writer's spike checks leave out of every hour (`undated_backlog`), so a
    series says the spikes that fired, not others."""
    counts = series(window(store, now, hours, uncounted), [t[3] for t in terms], now, hours)
    start = hour_start(now) - timedelta(hours=hours - 1)
    return [
        Trend(name, kind, text, start, row, spike_verdict(row))
        for (name, kind, text, _query), row in zip(terms, counts, strict=True)
    ]
