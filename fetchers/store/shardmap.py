"""A map of the shards: for each, how many articles, their newest time, and the newest time
of each source, tag and language in it. Derived data the writer keeps beside the shards, so a
command that needs the twenty newest articles of a source reads the shard or two holding
them, not every shard.

An entry counts only while the shard's stat is the one recorded; a shard without a current
entry is read (never skipped), so a missing, stale or torn map costs time, never articles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import orjson

from fetchers.atomic import write_derived
from fetchers.query import Query, Record

FILE = "shards.json"
FILED = ("source", "tag", "lang")  # the fields whose newest time a summary keeps, per value
VERSION = 1


@dataclass(slots=True)
class ShardSummary:
    """What one shard holds, as far as choosing shards for a query needs."""

    signature: tuple[int, int, int]
    count: int = 0
    newest: float = float("-inf")  # the newest `when` (published, else fetched)
    newest_by: dict[str, dict[str, float]] = field(default_factory=dict)  # field -> key -> when

    @classmethod
    def of(cls, signature: tuple[int, int, int], records: Iterable[Record]) -> ShardSummary:
        summary = cls(signature)
        by_source: dict[str, float] = {}
        by_tag: dict[str, float] = {}
        by_lang: dict[str, float] = {}
        for record in records:
            when = record.when
            summary.count += 1
            summary.newest = max(summary.newest, when)
            name = record.source.lower()
            if by_source.get(name, float("-inf")) < when:
                by_source[name] = when
            for tag in record.tags:
                name = tag.lower()
                if by_tag.get(name, float("-inf")) < when:
                    by_tag[name] = when
            if record.lang:
                name = record.lang.lower().split("-")[0]
                if by_lang.get(name, float("-inf")) < when:
                    by_lang[name] = when
        summary.newest_by = {"source": by_source, "tag": by_tag, "lang": by_lang}
        return summary

    def newest_for(self, query: Query) -> float | None:
        """The newest time an article of this shard that matches `query` can have; None when
        none can match (every source, tag or language a clause allows is absent, or the
        shard is older than a since:)."""
        bound = self.newest
        for clause in query.clauses:
            if any(t.negated for t in clause):
                continue
            if all(t.field in FILED for t in clause):
                found = [
                    _time(when, self.newest)
                    for t in clause
                    if (when := self.newest_by.get(str(t.field), {}).get(t.value)) is not None
                ]
                if not found:
                    return None
                bound = min(bound, max(found))
            elif len(clause) == 1 and clause[0].field == "since":
                since = clause[0].bound
                if since is not None and bound < since:
                    return None
        return bound


def _time(value: object, otherwise: float) -> float:
    """A time from the map, checked when used (reading the map converts no value: at a
    million articles it holds millions); one that does not read is `otherwise`."""
    if type(value) is float:
        return value
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return otherwise


def _times(value: object) -> dict[str, float]:
    if not isinstance(value, dict):
        raise TypeError("not a map of times")
    return value


def read(folder: Path) -> dict[str, ShardSummary]:
    """The map as written; empty when it is missing or does not read right. The times per
    source, tag and language are taken as they parse and checked when used."""
    try:
        data = orjson.loads((folder / FILE).read_bytes())
        if data.get("v") != VERSION:
            return {}
        return {
            key: ShardSummary(
                (int(sig[0]), int(sig[1]), int(sig[2])),
                int(entry["n"]),
                float(entry["newest"]),
                {name: _times(entry[name]) for name in ("source", "tag", "lang")},
            )
            for key, entry in data["shards"].items()
            if (sig := entry["sig"]) is not None
        }
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return {}


def write(folder: Path, summaries: dict[str, ShardSummary]) -> None:
    """Replace the map (derived data: no fsync; a torn one reads as empty)."""
    blob = orjson.dumps(
        {
            "v": VERSION,
            "shards": {
                key: {
                    "sig": list(s.signature),
                    "n": s.count,
                    "newest": s.newest if s.count else 0.0,
                    **s.newest_by,
                }
                for key, s in summaries.items()
            },
        }
    )
    write_derived(folder / FILE, blob)  # refused: commands read every shard instead
