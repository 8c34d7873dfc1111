"""Copying every article of one store into another (`wirewatch migrate`): a TinyDB data dir
into a PostgreSQL database and back, with full texts and the earlier ones (fetched again, in
order; their times become the copy's), revisions, revision marks and read and starred marks,
day by day; the counts of both are compared at the end. The days filed ahead of the real clock
go with the real day each was found so (`copy_days_ahead`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields
from typing import Any

from fetchers.models import seconds_iso
from fetchers.query import Record
from fetchers.store.codec import (
    StagedArticle,
    article_of,
    doc_of,
    record_from_doc,
    revision_entries,
)
from fetchers.store.errors import StoreError
from fetchers.store.interface import AheadNoter, ArticleStore
from fetchers.store.shards import KEPT


@dataclass(slots=True)
class Tally:
    """What a store holds, counted the same way on both sides."""

    articles: int = 0
    texts: int = 0
    revisions: int = 0  # earlier versions, all articles together
    earlier_texts: int = 0  # full texts fetched before the ones they have, all together
    read: int = 0
    starred: int = 0

    def add(self, record: Record, text: str | None, revisions: list[dict[str, Any]]) -> None:
        self.articles += 1
        self.texts += bool(text)
        self.revisions += len(revisions)
        self.read += record.read
        self.starred += record.starred

    def differences(self, other: Tally) -> list[str]:
        return [
            f"{f.name}: {getattr(self, f.name)} copied, {getattr(other, f.name)} found"
            for f in fields(self)
            if getattr(self, f.name) != getattr(other, f.name)
        ]

    def __str__(self) -> str:
        return ", ".join(
            f"{getattr(self, f.name)} {f.name.replace('_', ' ')}" for f in fields(self)
        )


def _revisions_reader(store: ArticleStore, key: str) -> Callable[[str], list[dict[str, Any]]]:
    """How to read the revisions of one day's articles: the whole day at once where the
    store can (asking a TinyDB shard per article reads the shard each time)."""
    from fetchers.store.core import Store

    if isinstance(store, Store):
        from fetchers.store.shards import Shard

        shard = Shard.open(store.dir, key)
        try:
            docs = {
                d["id"]: d
                for d in shard.documents()
                if isinstance(d, dict) and type(d.get("id")) is str
            }
        finally:
            shard.db.close()
        return lambda ident: revision_entries((docs.get(ident) or {}).get("revisions"))
    by_day = getattr(store, "revisions_by_day", None)
    if by_day is not None:
        found: dict[str, list[dict[str, Any]]] = by_day(key)
        return lambda ident: found.get(ident, [])
    return store.revisions


def _text_history_reader(store: ArticleStore, key: str) -> Callable[[str], list[dict[str, Any]]]:
    """How to read the earlier full texts of one day's articles, asking only for the
    articles that have any."""
    from fetchers.store.core import Store

    by_day = getattr(store, "text_revisions_by_day", None)
    if by_day is not None:
        found: dict[str, list[dict[str, Any]]] = by_day(key)
        return lambda ident: found.get(ident, [])
    if isinstance(store, Store):
        from fetchers.store.shards import Shard

        shard = Shard.open(store.dir, key)
        try:
            having = {
                d.get("id")
                for d in shard.documents()
                if isinstance(d, dict) and d.get("text_revisions")
            }
        finally:
            shard.db.close()
        return lambda ident: store.text_revisions(ident) if ident in having else []
    return store.text_revisions


def _staged(
    record: Record, key: str, text: str | None, revisions: list[dict[str, Any]]
) -> StagedArticle:
    """The article as the target stores it: its document as the source wrote it."""
    doc = doc_of(article_of(record))
    fetched = getattr(record, "_fetched", None)  # the ISO text as stamped, when still text
    doc["fetched"] = fetched if isinstance(fetched, str) else seconds_iso(record.fetched)
    if record.revised is not None:
        doc["revised"] = seconds_iso(record.revised)
    if record.pulled is not None:
        doc["pulled"] = seconds_iso(record.pulled)
    if revisions:
        doc["revisions"] = revisions
    if key == KEPT:  # kept by a TinyDB store's retention: back to the day it was fetched
        key = (doc["fetched"] or "")[:10] or key
    return StagedArticle(key, doc, record_from_doc(doc), text)


def tally(store: ArticleStore) -> Tally:
    """What a store holds, day by day."""
    counted = Tally()
    for key in store.shard_keys():
        revisions = _revisions_reader(store, key)
        earlier_texts = _text_history_reader(store, key)
        for record, text in store.records_with_texts(key)[1]:
            counted.add(record, text, revisions(record.id))
            counted.earlier_texts += len(earlier_texts(record.id))
    return counted


def copy_store(
    source: ArticleStore, target: ArticleStore, progress: Callable[[str], None] | None = None
) -> Tally:
    """Copy every article of `source` into `target` (an empty store opened as the writer);
    StoreError when the target is not empty or the counts differ at the end."""
    if len(target):
        raise StoreError(
            f"{target.location} already holds {len(target)} articles; give an empty one"
        )
    copied = Tally()
    for key in source.shard_keys():
        version, pairs = source.records_with_texts(key)
        if version is None:
            continue
        revisions = _revisions_reader(source, key)
        earlier_texts = _text_history_reader(source, key)
        staged: list[StagedArticle] = []
        read: list[str] = []
        starred: list[str] = []
        texts_after: list[tuple[str, list[str]]] = []  # earlier texts, then the one it has
        for record, text in pairs:
            history = revisions(record.id)
            earlier = [str(r.get("text")) for r in earlier_texts(record.id) if r.get("text")]
            copied.add(record, text, history)
            copied.earlier_texts += len(earlier)
            if earlier and text:
                texts_after.append((record.id, [*earlier, text]))
                text = None  # stored below, after the ones it replaced
            staged.append(_staged(record, key, text, history))
            if record.read:
                read.append(record.id)
            if record.starred:
                starred.append(record.id)
        target.add_staged(staged)
        for ident, texts in texts_after:  # in order: each keeps the one before it
            for each in texts:
                target.set_texts([(ident, each)])
        if read:
            target.set_state(read, read=True)
        if starred:
            target.set_state(starred, starred=True)
        if progress is not None:
            progress(f"{key}: {len(staged)} articles")
    found = tally(target)
    differences = copied.differences(found)
    if differences:
        raise StoreError(
            f"the copy in {target.location} does not match {source.location}: "
            + "; ".join(differences)
        )
    return copied


def copy_days_ahead(source: ArticleStore, target: ArticleStore) -> int:
    """The days `source` filed ahead of the real clock, noted in `target` with the real day
    each was found so, as retention drops them retention_days after it: noted afresh, the
    copy kept them that much longer. How many."""
    if not isinstance(source, AheadNoter) or not isinstance(target, AheadNoter):
        return 0
    noted = source.days_ahead()
    if noted:
        target.note_days_ahead(noted)
    return len(noted)
