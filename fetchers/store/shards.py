"""Shard files: the TinyDB files articles are kept in, their keys, their bounds and their
row caches.

A shard holds the articles first fetched on one UTC day, at most SHARD_ARTICLES of them; a
day with more goes on in numbered shards (`DAY.001`, …). `kept` holds starred articles whose
day retention removed. A shard's row cache (`rows-KEY.json`) holds its records as arrays with
the shard's stat: derived, used only while it matches, rewritten when it does not.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Callable, Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.table import Table

from fetchers.atomic import AtomicJSONStorage, write_derived
from fetchers.query import Record
from fetchers.store.codec import ROWS_VERSION, StagedArticle, record_from_row, row_of

TABLE = "articles"
SHARD_RE = re.compile(r"^articles-(\d{4}-\d{2}-\d{2}(?:\.\d{3,6})?|kept)\.json$")
SHARD_ARTICLES = 1000  # articles in one shard file at most (a day has as many as it needs)
SHARD_SPAN = 10**7  # more than a shard ever holds: a record's seq is its shard's rank times it
KEPT = "kept"
MAX_REVISIONS = 50  # versions kept per article; the oldest go first

Signature = tuple[int, int, int]
Item = TypeVar("Item")


def shard_rank(key: str) -> int:
    """Shards in the order of their keys, as a number: articles equal in time are ordered by
    shard, then by their place in it (feed order), however the shards were loaded."""
    if key == KEPT:
        return 0
    day, _, number = key.partition(".")
    return int(day.replace("-", "")) * 1_000_000 + int(number or 0)


def shard_path(folder: Path, key: str) -> Path:
    return folder / f"articles-{key}.json"


def rows_path(folder: Path, key: str) -> Path:
    return folder / f"rows-{key}.json"


def present_keys(folder: Path) -> set[str]:
    """The keys of the shard files in a data dir."""
    return {m.group(1) for p in folder.glob("articles-*.json") if (m := SHARD_RE.match(p.name))}


@dataclass(slots=True)
class Shard:
    """One open shard file."""

    key: str  # YYYY-MM-DD, YYYY-MM-DD.NNN or "kept"
    db: TinyDB
    storage: AtomicJSONStorage
    signature: Signature | None = None  # the stat of the file as this store last read it

    @classmethod
    def open(cls, folder: Path, key: str) -> Shard:
        storage_box: list[AtomicJSONStorage] = []

        def make_storage(path: str) -> AtomicJSONStorage:
            storage = AtomicJSONStorage(path)
            storage_box.append(storage)
            return storage

        db = TinyDB(str(shard_path(folder, key)), storage=make_storage)
        return cls(key=key, db=db, storage=storage_box[0])

    @property
    def table(self) -> Table:
        return self.db.table(TABLE, cache_size=0)

    def documents(self) -> list[Any]:
        """The shard's documents as the file holds them (ValueError when it is not a shard)."""
        data = self.storage.read() or {}
        table = data.get(TABLE, {})
        if not isinstance(table, dict):
            raise ValueError("the articles table is not an object")
        return list(table.values())

    def wrote(self) -> None:
        """Note the stat of the file just written."""
        self.signature = self.storage.signature


def read_rows(folder: Path, key: str, signature: Signature | None) -> list[Record] | None:
    """A shard's records from its row cache, when the cache matches the shard's stat."""
    if key == KEPT or signature is None:
        return None
    try:
        data = orjson.loads(rows_path(folder, key).read_bytes())
        if data.get("v") != ROWS_VERSION or data.get("shard") != list(signature):
            return None
        return [record_from_row(row) for row in data["rows"]]
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # missing, torn or stale: the shard itself is read instead


def write_rows(folder: Path, key: str, signature: Signature, records: list[Record]) -> None:
    """Write the row cache of one shard (derived data: no fsync; a torn one is ignored)."""
    rows = [row_of(r) for r in records]
    blob = orjson.dumps({"v": ROWS_VERSION, "shard": list(signature), "rows": rows})
    write_derived(rows_path(folder, key), blob)  # refused: the shard still opens, slower


def drop_rows(folder: Path, key: str) -> None:
    with contextlib.suppress(OSError):
        rows_path(folder, key).unlink()


def move_aside(path: Path) -> Path:
    """Move a shard that cannot be read out of the way (kept for a person to look at)."""
    aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
    try:
        os.replace(path, aside)
    except OSError:
        return path
    return aside


def into_shards(
    day: str, held: dict[str, int], items: list[Item]
) -> Iterator[tuple[str, list[Item]]]:
    """Where a day's new articles go: its newest shard while it holds fewer than
    SHARD_ARTICLES, then new shards of that day (`DAY.001`, `DAY.002`, …). A write thus
    rewrites at most a shard's worth of old articles, however big the day is. `held`: the
    shards of the store with how many articles each holds."""
    keys = [k for k in held if k == day or k.startswith(day + ".")]
    last = max(keys, key=shard_rank) if keys else day
    number = int(last.partition(".")[2] or 0)
    room = SHARD_ARTICLES - held.get(last, 0)
    start = 0
    while start < len(items):
        if room <= 0:
            number += 1
            last, room = f"{day}.{number:03d}", SHARD_ARTICLES
        yield last, items[start : start + room]
        start += room
        room = 0


def revision_setter(
    items: dict[str, StagedArticle],
) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that moves a document's title and summary into its revisions and
    takes the new ones."""

    def revise(doc: MutableMapping[str, Any]) -> None:
        new = items[doc["id"]].doc
        history = list(doc.get("revisions") or [])
        history.append(
            {
                "seen": doc.get("revised") or doc.get("fetched"),
                "title": doc.get("title"),
                "summary": doc.get("summary"),
            }
        )
        history.extend(new.get("revisions") or [])
        doc["revisions"] = history[-MAX_REVISIONS:]
        doc["title"], doc["summary"], doc["revised"] = new["title"], new["summary"], new["fetched"]

    return revise
