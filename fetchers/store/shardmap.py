"""A map of the shards: for each, how many articles, their newest time, and which sources,
tags and languages it holds. Derived data the writer keeps beside the shards, so a command
that needs the twenty newest articles of a source reads the shards holding it, newest
first, not every shard.

Its size follows the shards, not the articles: each name (a source, a tag, a language) is
written once, numbered, and a shard's entry holds the numbers of the names it holds as a
bitmap (or as a list of numbers, when that is shorter). A shard holding a name counts as
holding a match as new as its newest article.

An entry counts only while the shard's stat is the one recorded; a shard without a current
entry is read (never skipped), so a missing, stale or torn map costs time, never articles.
The map of before (version 1: each name's newest time in each shard) is read as well, and
the writer writes it again in this form.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from fetchers.atomic import write_derived
from fetchers.query import Query, Record, name_key
from fetchers.store.indexes import FILED, field_keys  # a summary keeps what the indexes file

FILE = "shards.json"
VERSION = 2
Signature = tuple[int, int, int]


@dataclass(slots=True)
class ShardSummary:
    """What one shard holds, as far as choosing shards for a query needs: per field, the
    numbers of its names (in the map's `names`) as the bits of an int."""

    signature: Signature
    count: int = 0
    newest: float = float("-inf")  # the newest `when` (published, else fetched)
    held: dict[str, int] = field(default_factory=dict)  # field -> bits of the names held


class ShardMap:
    """The summaries of the shards by key, and the names their bits stand for."""

    def __init__(self) -> None:
        self.shards: dict[str, ShardSummary] = {}
        self.names: dict[str, dict[str, int]] = {name: {} for name in FILED}
        self.outdated = False  # read from the map of before: to be written again

    def get(self, key: str) -> ShardSummary | None:
        return self.shards.get(key)

    def pop(self, key: str, default: ShardSummary | None = None) -> ShardSummary | None:
        return self.shards.pop(key, default)

    def __setitem__(self, key: str, summary: ShardSummary) -> None:
        self.shards[key] = summary

    def __len__(self) -> int:
        return len(self.shards)

    def _number(self, kind: str, name: str) -> int:
        numbers = self.names[kind]
        number = numbers.get(name)
        if number is None:
            number = numbers[name] = len(numbers)
        return number

    def summarize(self, signature: Signature, records: Iterable[Record]) -> ShardSummary:
        """The summary of a shard holding these records."""
        summary = ShardSummary(signature)
        numbers: dict[str, set[int]] = {name: set() for name in FILED}
        for record in records:
            summary.count += 1
            summary.newest = max(summary.newest, record.when)
            for kind, name in field_keys(record):
                numbers[kind].add(self._number(kind, name))
        summary.held = {kind: _bits(found) for kind, found in numbers.items()}
        return summary

    def newest_for(self, summary: ShardSummary, query: Query) -> float | None:
        """The newest time an article of this shard that matches `query` can have; None when
        none can match (every source, tag or language a clause allows is absent, or the
        shard is older than a since:)."""
        for clause in query.clauses:
            if any(t.negated for t in clause):
                continue
            if all(t.field in FILED for t in clause):
                if not any(self._holds(summary, str(t.field), t.value) for t in clause):
                    return None
            elif len(clause) == 1 and clause[0].field == "since":
                since = clause[0].bound
                if since is not None and summary.newest < since:
                    return None
        return summary.newest

    def _holds(self, summary: ShardSummary, kind: str, value: str) -> bool:
        if kind == "lang":
            value = value.split("-")[0]
        number = self.names[kind].get(value)
        return number is not None and bool(summary.held.get(kind, 0) >> number & 1)

    def compacted(self) -> ShardMap:
        """The map with only the names some shard holds (shards that retention removed
        leave names no shard refers to), numbered afresh; itself when all are held."""
        used = {kind: 0 for kind in FILED}
        for summary in self.shards.values():
            for kind in FILED:
                used[kind] |= summary.held.get(kind, 0)
        if all(used[kind].bit_count() == len(self.names[kind]) for kind in FILED):
            return self
        fresh = ShardMap()
        renumber = {
            kind: {
                number: fresh._number(kind, name)
                for name, number in sorted(self.names[kind].items(), key=lambda item: item[1])
                if used[kind] >> number & 1
            }
            for kind in FILED
        }
        for key, summary in self.shards.items():
            held = {
                kind: _bits(renumber[kind][n] for n in _numbers(summary.held.get(kind, 0)))
                for kind in FILED
            }
            fresh.shards[key] = ShardSummary(summary.signature, summary.count, summary.newest, held)
        return fresh


def _bits(numbers: Iterable[int]) -> int:
    bits = 0
    for number in numbers:
        bits |= 1 << number
    return bits


def _numbers(bits: int) -> list[int]:
    """The numbers whose bits are set, ascending."""
    digits = bin(bits)[:1:-1]  # lowest bit first
    return [number for number, digit in enumerate(digits) if digit == "1"]


def _encode(bits: int) -> str | list[int]:
    """A set of numbers as written: a bitmap in base64, or the list of numbers when shorter."""
    size = (bits.bit_length() + 7) // 8
    count = bits.bit_count()
    if count * 6 < size * 4 // 3:
        return _numbers(bits)
    return base64.b64encode(bits.to_bytes(size, "little")).decode("ascii")


def _decode(value: Any) -> int:
    if isinstance(value, str):
        return int.from_bytes(base64.b64decode(value, validate=True), "little")
    if isinstance(value, list) and all(type(n) is int and 0 <= n < 1 << 24 for n in value):
        return _bits(value)
    raise TypeError("not a set of names")


def read(folder: Path) -> ShardMap:
    """The map as written (this version or the one before); empty when it is missing or
    does not read right."""
    try:
        data = orjson.loads((folder / FILE).read_bytes())
        if data.get("v") == VERSION:
            return _refolded(_read_numbered(data))
        if data.get("v") == 1:
            return _refolded(_read_timed(data))
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        pass
    return ShardMap()


def _refolded(found: ShardMap) -> ShardMap:
    """The map with its source and tag names folded as `name_key` folds them now: a map
    written before a fold changed ("—" became "-") named a source as no query asks for it
    any more, and its shards looked as if they held none of its articles."""
    for kind in ("source", "tag"):
        names = found.names[kind]
        if all(name_key(name) == name for name in names):
            continue
        renumbered: dict[str, int] = {}
        moved = {
            number: renumbered.setdefault(name_key(name), len(renumbered))
            for name, number in sorted(names.items(), key=lambda item: item[1])
        }
        found.names[kind] = renumbered
        for summary in found.shards.values():
            bits = summary.held.get(kind, 0)
            summary.held[kind] = _bits(
                moved[number] for number in range(bits.bit_length()) if bits >> number & 1
            )
    return found


def _signature(value: Any) -> Signature:
    return (int(value[0]), int(value[1]), int(value[2]))


def _read_numbered(data: dict[str, Any]) -> ShardMap:
    found = ShardMap()
    for kind in FILED:
        names = data["names"][kind]
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise TypeError("not a list of names")
        found.names[kind] = {name: number for number, name in enumerate(names)}
    for key, entry in data["shards"].items():
        found.shards[key] = ShardSummary(
            _signature(entry["sig"]),
            int(entry["n"]),
            float(entry["newest"]),
            {kind: _decode(entry[kind]) for kind in FILED},
        )
    return found


def _read_timed(data: dict[str, Any]) -> ShardMap:
    """The map of before: each shard's names with their newest times (the names kept)."""
    found = ShardMap()
    found.outdated = True
    for key, entry in data["shards"].items():
        if entry["sig"] is None:
            continue
        held: dict[str, int] = {}
        for kind in FILED:
            names = entry[kind]
            if not isinstance(names, dict):
                raise TypeError("not a map of times")
            held[kind] = _bits(found._number(kind, str(name)) for name in names)
        found.shards[key] = ShardSummary(
            _signature(entry["sig"]), int(entry["n"]), float(entry["newest"]), held
        )
    return found


def write(folder: Path, shown: ShardMap) -> bool:
    """Replace the map (derived data: no fsync; a torn one reads as empty). Give it a
    `compacted()` map: names no shard holds are written all the same. False when the disk
    refused it (the map there is the one before)."""
    blob = orjson.dumps(
        {
            "v": VERSION,
            "names": {
                kind: sorted(shown.names[kind], key=shown.names[kind].__getitem__) for kind in FILED
            },
            "shards": {
                key: {
                    "sig": list(s.signature),
                    "n": s.count,
                    "newest": s.newest if s.count else 0.0,
                    **{kind: _encode(s.held.get(kind, 0)) for kind in FILED},
                }
                for key, s in shown.shards.items()
            },
        }
    )
    return write_derived(folder / FILE, blob)  # refused: commands read every shard instead


def remove(folder: Path) -> bool:
    """Take the map away (commands read every shard until it is written again); False when
    it is still there."""
    try:
        (folder / FILE).unlink(missing_ok=True)
    except OSError:
        return False
    return True
