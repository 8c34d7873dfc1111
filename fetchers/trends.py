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

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean, pstdev
from typing import TYPE_CHECKING

from fetchers.batchmatch import BatchIndex
from fetchers.models import utc_iso
from fetchers.query import Query, Record, Term
from fetchers.store import ArticleStore

if TYPE_CHECKING:
    from fetchers.storybook import Story

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


def hourly_counts(times: list[float], now: datetime, hours: int) -> list[int]:
    """Counts per UTC clock hour of POSIX `times`, oldest first, the last the running hour;
    times outside the span (or after `now`) are left out."""
    first = hour_start(now) - timedelta(hours=hours - 1)
    origin = first.timestamp()
    end = now.timestamp()
    counts = [0] * hours
    for t in times:
        if origin <= t <= end:
            counts[int((t - origin) // HOUR)] += 1
    return counts


def watch_query(term: str) -> str:
    """A watch term as a query: the term as one phrase."""
    return '"' + term.replace('"', " ").strip() + '"'


def within(query: Query, hours: int, now: datetime) -> Query:
    """The query restricted to articles of the last `hours` clock hours: a since: clause
    made from the instant itself (the store's date order cuts the slice by its bound)."""
    start = hour_start(now) - timedelta(hours=hours - 1)
    instant = start.timestamp()
    since = Term(
        "since", (utc_iso(start) or "").lower(), False, lambda r: r.when >= instant, instant
    )
    return Query(query.text, [*query.clauses, [since]], list(query.words))


@dataclass(slots=True, frozen=True)
class Trend:
    """One term's series: `counts[i]` are the mentions in the hour starting `start + i` hours."""

    name: str
    kind: str  # "watch", "alert" or "story"
    query: str
    start: datetime
    counts: list[int]
    verdict: Verdict

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
        }


STORY_TRENDS = 8  # stories with a series: the most recently active carried by 2+ outlets


def story_trends(
    stories: Iterable[Story], store: ArticleStore, now: datetime, hours: int = DEFAULT_HOURS
) -> list[Trend]:
    """Articles per hour of the `moving_stories`."""
    start = hour_start(now) - timedelta(hours=hours - 1)
    out: list[Trend] = []
    moving = moving_stories(stories, now, hours)
    for story, counts in zip(moving, story_counts(moving, store, now, hours), strict=True):
        out.append(
            Trend(story.title, "story", story_query(story.id), start, counts, spike_verdict(counts))
        )
    return out


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
    stories: list[Story], store: ArticleStore, now: datetime, hours: int
) -> list[list[int]]:
    """Each story's own articles per hour (every article of the story counts: none is a
    passing mention). The articles are read in one call: a lean store reads each shard
    once, not once a story."""
    when = {r.id: r.when for r in store.records([i for s in stories for i in s.articles])}
    return [
        hourly_counts([when[i] for i in story.articles if i in when], now, hours)
        for story in stories
    ]


def window(store: ArticleStore, now: datetime, hours: int) -> list[Record]:
    """The stored articles of the last `hours` clock hours (the running one included)."""
    ids = store.query_ids(within(Query(""), hours, now))
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
) -> list[Trend]:
    """A series for each (name, kind, query text, query), from the store."""
    counts = series(window(store, now, hours), [t[3] for t in terms], now, hours)
    start = hour_start(now) - timedelta(hours=hours - 1)
    return [
        Trend(name, kind, text, start, row, spike_verdict(row))
        for (name, kind, text, _query), row in zip(terms, counts, strict=True)
    ]
