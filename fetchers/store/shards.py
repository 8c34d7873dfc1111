"""Shard files: the TinyDB files articles are kept in, their keys, their bounds and their
row caches.

A shard holds the articles first fetched on one UTC day, at most SHARD_ARTICLES of them; a
day with more goes on in numbered shards (`DAY.001`, …). `kept` holds starred articles whose
day retention removed. A shard's row cache (`rows-KEY.json`) holds its records as arrays with
the shard's stat (a line each, after a header of what each is filed under): derived, used
only while it matches, rewritten when it does not.
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
from fetchers.models import kept_revisions
from fetchers.query import SEQ_SPAN, Query, Record, name_key
from fetchers.store.codec import (
    ROWS_READ,
    ROWS_VERSION,
    StagedArticle,
    distinct_revisions,
    merged_history,
    record_from_row,
    revision_entries,
    row_of,
)

TABLE = "articles"
SHARD_RE = re.compile(r"^articles-(\d{4}-\d{2}-\d{2}(?:\.\d{3,6})?|kept)\.json$")
ROWS_RE = re.compile(r"^rows-(\d{4}-\d{2}-\d{2}(?:\.\d{3,6})?)\.json$")
SHARD_ARTICLES = 1000  # articles in one shard file at most (a day has as many as it needs)
SHARD_SPAN = SEQ_SPAN  # more than a shard ever holds: a record's seq is its shard's rank times it
KEPT = "kept"


ROWS_JOINED = 16  # rows of a row cache made into bytes at once (see write_rows)

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


def cached_keys(folder: Path) -> set[str]:
    """The keys of the shards a row cache is kept of in a data dir."""
    return {m.group(1) for p in folder.glob("rows-*.json") if (m := ROWS_RE.match(p.name))}


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
        """The shard's documents as the file holds them (ValueError when it is not a shard:
        a file emptied, or of no articles table, is one that lost them, not one of none)."""
        data = self.storage.read()
        if data is None:  # no file yet
            return []
        table = data.get(TABLE)
        if table is None:
            raise ValueError("the file holds no articles table (emptied?)")
        if not isinstance(table, dict):
            raise ValueError("the articles table is not an object")
        return list(table.values())

    def wrote(self) -> None:
        """Note the stat of the file just written."""
        self.signature = self.storage.signature


def _fits(header: dict[str, Any], signature: Signature) -> bool:
    """Whether a row cache's header is of this layout and of the shard as it is on disk."""
    return bool(header.get("v") in ROWS_READ and header.get("shard") == list(signature))


def cached_lines(
    folder: Path, key: str, signature: Signature | None
) -> tuple[dict[str, Any], list[bytes]] | None:
    """A row cache's header and lines, when it is of this layout and matches the shard's
    stat (see `write_rows`)."""
    data = cached_rows(folder, key, signature)
    if data is None:
        return None
    lines = data.split(b"\n")
    try:
        header = orjson.loads(lines[0][1:-1])
    except orjson.JSONDecodeError:
        return None  # torn: the shard itself is read instead
    return (header, lines) if type(header) is dict else None


def cached_rows(folder: Path, key: str, signature: Signature | None) -> bytes | None:
    """A row cache as it is on disk, when it is of this layout and matches the shard's stat:
    for rows read one by one (`row_line`), not split into a thousand lines and its header
    (every row's source and tags) parsed to read one row of it. The header is checked by
    the bytes it begins with, as `write_rows` writes it, else parsed."""
    if key == KEPT or signature is None:
        return None
    try:
        data = rows_path(folder, key).read_bytes()
        start = b'[{"v":%d,"shard":%b,' % (ROWS_VERSION, orjson.dumps(list(signature)))
        if data.startswith(start):
            return data
        if not _fits(orjson.loads(data[1 : data.index(b"\n") - 1]), signature):
            return None
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # missing, torn or stale: the shard itself is read instead
    return data


def row_line(data: bytes, ident: str) -> bytes | None:
    """The line of a row cache holding the row of the article `ident`, less its comma or
    bracket: each row begins a line with its id (a line break in a row's text is written
    as an escape), so it is found by a search of the bytes."""
    at = data.find(b"\n[" + orjson.dumps(ident) + b",")
    if at < 0:
        return None
    end = data.find(b"\n", at + 1)
    return data[at + 1 : end if end >= 0 else len(data)][:-1]


def read_rows(folder: Path, key: str, signature: Signature | None) -> list[Record] | None:
    """A shard's records from its row cache, when the cache matches the shard's stat."""
    if key == KEPT or signature is None:
        return None
    try:
        header, *rows = orjson.loads(rows_path(folder, key).read_bytes())  # one parse: quicker
        if not _fits(header, signature):
            return None
        return [record_from_row(row) for row in rows]
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # missing, torn or stale: the shard itself is read instead


def rows_as_written(folder: Path, key: str) -> list[Record] | None:
    """A shard's records as its row cache was last written, whatever the shard's stat is now
    (what a writer wrote of a shard whose file is gone or damaged since); None when there
    is none of this layout."""
    try:
        header, *rows = orjson.loads(rows_path(folder, key).read_bytes())
        if type(header) is not dict or header.get("v") not in ROWS_READ:
            return None
        return [record_from_row(row) for row in rows]
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


RowTest = Callable[[dict[str, Any]], "set[int] | None"]
"""Which rows of a row cache can match a query, by the header's columns of what each row is
filed under (None: it cannot tell, the shard is read whole)."""
_KINDS = ("source", "tag", "lang")


def row_filter(query: Query) -> RowTest | None:
    """A test of which rows can match `query`, on what they are filed under: each clause
    made of source:, tag: and lang: terms alone (none negated) must hold for one of its
    terms, as the indexes file a record (`indexes.field_keys`). None when no clause is of
    that kind (every row can match). Columns it cannot judge (a value of the wrong type)
    give None, so that the shard itself is read and the fault found."""
    wanted: list[tuple[frozenset[str], frozenset[str], frozenset[str]]] = []
    for clause in query.clauses:
        if not clause or any(t.negated or t.field not in _KINDS for t in clause):
            continue
        values = {name: frozenset(t.value for t in clause if t.field == name) for name in _KINDS}
        wanted.append((values["source"], values["tag"], values["lang"]))
    if not wanted:
        return None

    def admitted(header: dict[str, Any]) -> set[int] | None:
        sources, tags, langs = header["sources"], header["tags"], header["langs"]
        if not (type(sources) is type(tags) is type(langs) is list):
            return None
        if not len(sources) == len(tags) == len(langs):
            return None
        found: set[int] | None = None
        keys: dict[str, str] = {}  # each distinct name folded once (`name_key`)

        def key_of(name: str) -> str:
            found = keys.get(name)
            if found is None:
                found = keys[name] = name_key(name)
            return found

        try:
            for source_names, tag_names, lang_names in wanted:
                places: set[int] = set()
                if source_names:
                    places.update(i for i, s in enumerate(sources) if key_of(s) in source_names)
                if tag_names:
                    for i, names in enumerate(tags):
                        if type(names) is not list:
                            return None
                        if any(key_of(t) in tag_names for t in names):
                            places.add(i)
                if lang_names:
                    places.update(
                        i
                        for i, lang in enumerate(langs)
                        if lang is not None and lang.lower().split("-")[0] in lang_names
                    )
                found = places if found is None else found & places
        except (AttributeError, TypeError):
            return None
        return found

    return admitted


def read_rows_where(
    folder: Path, key: str, signature: Signature | None, admitted: RowTest
) -> list[tuple[int, Record]] | None:
    """The records of a shard's row cache that a row test admits, with their places in the
    shard, when the cache matches the shard's stat: a query for one source parses and
    decodes that source's rows, not the shard's thousand."""
    cached = cached_lines(folder, key, signature)
    if cached is None:
        return None
    header, lines = cached
    try:
        places = admitted(header)
        if places is None or len(header["sources"]) != len(lines) - 1:
            return None
        loads = orjson.loads
        return [(at, record_from_row(loads(lines[at + 1][:-1]))) for at in sorted(places)]
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # torn: the shard itself is read instead


def write_rows(folder: Path, key: str, signature: Signature, records: list[Record]) -> None:
    """Write the row cache of one shard (derived data: no fsync; a torn one is ignored).

    One JSON array, an element a line: a header with the shard's stat and, in columns,
    what each row is filed under (source, tags, language), then the rows. Opening reads it
    whole; a query for one source reads the header line and parses only the lines of the
    rows it admits (each line less its last byte, the comma or the closing bracket)."""
    header = orjson.dumps(
        {
            "v": ROWS_VERSION,
            "shard": list(signature),
            "sources": [r.source for r in records],
            "tags": [r.tags for r in records],
            "langs": [r.lang for r in records],
        }
    )
    # joined ROWS_JOINED rows at a time: each `orjson.dumps` result holds a buffer of 4 KB or
    # more however short the row, and a list of a shard's rows held about 4 MB at once
    dumps = orjson.dumps
    parts = [b"[" + header]  # a copy the size of the header: orjson's own is 256 KB
    for start in range(0, len(records), ROWS_JOINED):
        rows = [dumps(row_of(r)) for r in records[start : start + ROWS_JOINED]]
        parts.append(b",\n" + b",\n".join(rows))
    parts.append(b"]")
    write_derived(rows_path(folder, key), *parts)  # refused: the shard still opens, slower


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
    items: dict[str, StagedArticle], links: dict[str, str] | None = None
) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that moves a document's title and summary into its revisions and
    takes the new ones, and the new link (a site renames a page as it rewrites it); a
    document of `links` (id -> link) takes its new link alone, its words and revisions as
    they were (a page moved is no revision: `codec.moved`)."""

    def revise(doc: MutableMapping[str, Any]) -> None:
        link = links.get(doc["id"]) if links else None
        if link is not None:
            doc["link"] = link
            return
        new = items[doc["id"]].doc
        before = {
            "seen": doc.get("revised") or doc.get("fetched"),
            "title": doc.get("title"),
            "summary": doc.get("summary"),
        }
        history = merged_history(
            revision_entries(doc.get("revisions")), before, new.get("revisions") or []
        )
        current = (new["title"], new["summary"])
        doc["revisions"] = kept_revisions(distinct_revisions(history, current))
        doc["title"], doc["summary"], doc["revised"] = new["title"], new["summary"], new["fetched"]
        if new.get("link"):
            doc["link"] = new["link"]

    return revise
