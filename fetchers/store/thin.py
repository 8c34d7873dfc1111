"""A viewer's thin records: what a store opened without the writer lock leaves on disk
(title, summary, link, author, guid and where the full text is: over half of what an
article costs in memory), and reading it back, a shard at a time, from the shard's row cache
or else the shard itself.

A thin record keeps what the indexes and the date order use (id, source, times, tags,
language, marks, its place) and when it was fetched (which polls a source had). What shows
articles (one, or a page of rows), lists them whole, or checks a word the search index
cannot answer exactly, reads the rest back (`RowsBack`): a shard's row cache is read once
and its lines kept for the next articles of that shard; an article is found there by its
place in the shard and its id, else in the shard's documents."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import orjson

from fetchers.atomic import stat_signature
from fetchers.query import Record
from fetchers.store.codec import FIELDS, ROW_FIELDS_LEAST, record_from_doc, record_from_row
from fetchers.store.shards import (
    SHARD_SPAN,
    Signature,
    cached_rows,
    row_line,
    shard_path,
    shard_rank,
)

LEFT_ON_DISK = ("title", "summary", "link", "author", "guid", "text_ref")
_ID = 0
_TITLE, _SUMMARY, _TEXT_REF, _FETCHED = (
    [field.name for field in FIELDS].index(name)
    for name in ("title", "summary", "text_ref", "fetched")
)
_fetched_from_row = FIELDS[_FETCHED].kind.from_row
_new = Record.__new__

Documents = Callable[[str], dict[str, dict[str, Any]]]
"""A shard's documents by id, as its file holds them (none when it cannot be read)."""
Signatures = Callable[[str], Signature | None]
"""A shard's stat as the store holds it (None: gone, or unknown)."""


def thin(records: Iterable[Record]) -> None:
    """Leave what `LEFT_ON_DISK` names on disk. Records are thinned once filed: the
    indexes take what they need first. The fetch time stays, one object for the records
    that share it (a poll's articles do): which polls a source had tells an undated
    article of a later poll (news) from a first poll's backlog (`Store.fetch_times`), and
    a viewer that dropped it for dated articles saw no earlier poll and disagreed with the
    writer on who reported a story first."""
    shared: dict[float | str, float | str] = {}
    for record in records:
        record.title = record.summary = ""
        record.link = record.author = record.guid = record.text_ref = None
        fetched = record._fetched
        if fetched is not None:
            record._fetched = shared.setdefault(fetched, fetched)


def fill(record: Record, whole: Record) -> None:
    """Give a thin record back what it left on disk (a viewer becoming the writer)."""
    record.title, record.summary, record.link = whole.title, whole.summary, whole.link
    record.author, record.guid, record.text_ref = whole.author, whole.guid, whole.text_ref
    record._fetched = whole._fetched


class _Shard:
    """One shard as read back: its row cache as it is on disk (and, once a second row of it
    is asked for, its lines by place after the header line), or, when the cache does not
    match the shard, its documents by id."""

    __slots__ = ("asked", "base", "data", "docs", "lines", "signature")

    def __init__(
        self,
        signature: Signature | None,
        base: int,
        data: bytes | None,
        docs: dict[str, dict[str, Any]] | None,
    ) -> None:
        self.signature = signature
        self.base = base
        self.data = data
        self.lines: list[bytes] | None = None
        self.asked = 0  # rows asked for
        self.docs = docs

    def row(self, record: Record) -> list[Any] | None:
        """The record's row in the row cache, if it holds one of this article's: the first
        found by a search for its id (a screenful far down meets a shard a row), the next
        by its place among the lines (a query reading a shard's rows in turn)."""
        data = self.data
        if data is None:
            return None
        self.asked += 1
        line: bytes | None = None
        if self.asked > 1:
            if self.lines is None:
                self.lines = data.split(b"\n")
            place = record.seq - self.base + 1
            if 0 < place < len(self.lines):
                line = self.lines[place][:-1]  # each line less its comma or bracket
        if line is None or not line.startswith(b"[" + orjson.dumps(record.id) + b","):
            line = row_line(data, record.id)  # the first asked, or not at its place
        if line is None:
            return None
        try:
            row = orjson.loads(line)
        except orjson.JSONDecodeError:
            return None
        if type(row) is not list or len(row) < ROW_FIELDS_LEAST or row[_ID] != record.id:
            return None
        return row


class RowsBack:
    """What thin records left on disk, read back a shard at a time; the last `keep` shards
    read are kept (a query walking the date order meets the shards of a day in turn).
    `once`: for one query or one batch, under the store's lock: a shard kept is not looked
    at again (its stat is taken once, not once an article). `held`: the stat of each shard
    as the store last read it, which a shard kept is checked against instead of its file's
    stat now, so one article's read stats no file: a shard kept is read again once the store
    has read it again (a viewer's reload), not as soon as its file changes. A shard `held`
    gives None for is stat-ed."""

    def __init__(
        self,
        folder: Path,
        documents: Documents,
        keep: int = 4,
        once: bool = False,
        held: Signatures | None = None,
    ) -> None:
        self.dir = folder
        self._documents = documents
        self._keep = keep
        self._once = once
        self._held = held
        self._shards: OrderedDict[str, _Shard] = OrderedDict()

    def _stat(self, key: str) -> Signature | None:
        return stat_signature(shard_path(self.dir, key))

    def _shard(self, key: str) -> _Shard:
        kept = self._shards.get(key)
        if kept is not None and self._once:
            return kept
        held = self._held(key) if self._held is not None else None
        signature = held if held is not None else self._stat(key)
        if kept is not None and kept.signature == signature:
            self._shards.move_to_end(key)
            return kept
        cached = cached_rows(self.dir, key, signature)
        if cached is None and held is not None:
            # written since the store read it (it reads it again at its next reload): the row
            # cache of the file as it is now still has the articles' rows
            now = self._stat(key)
            if now != held:
                cached = cached_rows(self.dir, key, now)
        read = _Shard(signature, shard_rank(key) * SHARD_SPAN, cached, None)
        self._shards[key] = read
        self._shards.move_to_end(key)
        while len(self._shards) > self._keep:
            self._shards.popitem(last=False)
        return read

    def _docs(self, read: _Shard, key: str) -> dict[str, dict[str, Any]]:
        if read.docs is None:
            read.docs = self._documents(key)
        return read.docs

    def words(self, record: Record) -> Record:
        """What a query looks for words in: a record of the id with the title, the summary
        and where the full text is, as the shard holds them (empty when it cannot be
        read)."""
        read = self._shard(record.shard)
        row = read.row(record)
        if row is not None:
            title, summary, ref = row[_TITLE], row[_SUMMARY], row[_TEXT_REF]
            if type(title) is str and type(summary) is str and (ref is None or _is_ref(ref)):
                words = _new(Record)
                words.id, words.title, words.summary = record.id, title, summary
                words.text_ref = (ref[0], ref[1], ref[2]) if ref else None
                return words
        return self.whole(record)

    def headline(self, record: Record) -> Record:
        """A record of the id with its source, title, summary and times, as the shard holds
        them (a story's outlet is read from its headline and summary: `story.outlet_of`;
        nothing else of the row decoded; the record's own fields when it cannot be read)."""
        row = self._shard(record.shard).row(record)
        if row is not None and type(row[_TITLE]) is str:
            try:
                fetched = (
                    row[_FETCHED] if _fetched_from_row is None else _fetched_from_row(row[_FETCHED])
                )
            except (TypeError, ValueError):
                pass
            else:
                summary = row[_SUMMARY]
                return Record(
                    record.id,
                    record.source,
                    row[_TITLE],
                    summary if type(summary) is str else "",
                    published=record.published,
                    fetched=fetched,
                )
        whole = self.whole(record)
        return Record(
            whole.id,
            whole.source,
            whole.title,
            whole.summary,
            published=whole.published,
            fetched=whole.fetched,
        )

    def whole(self, record: Record) -> Record:
        """A copy of the record with every field as its shard holds it, and the marks and
        the place of the one in memory; the record itself when its shard cannot be read."""
        read = self._shard(record.shard)
        found: Record | None = None
        row = read.row(record)
        if row is not None:
            try:
                found = record_from_row(row)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                found = None
        if found is None:
            doc = self._docs(read, record.shard).get(record.id)
            if doc is None:
                return record
            try:
                found = record_from_doc(doc)
            except (TypeError, ValueError, KeyError, IndexError, AttributeError):
                return record
        found.read, found.starred = record.read, record.starred
        found.shard, found.rank, found.place = record.shard, record.rank, record.place
        found.at = record.at
        return found


def _is_ref(value: Any) -> bool:
    return (
        type(value) is list
        and len(value) == 3
        and type(value[0]) is str
        and type(value[1]) is int
        and type(value[2]) is int
    )
