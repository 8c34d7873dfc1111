"""`Store`: the articles of one data dir, in day-sharded TinyDB files, crash-safe, with
in-memory indexes. It composes the package's parts: shard files (`shards`, `shardmap`), the
stored forms (`codec`), the indexes (`indexes`), the marks (`marks`), the full texts
(`texts`) and the writer lock (`lock`); callers see it as an `ArticleStore`.

Layout of a data dir (the store's files):

    meta.json                   schema version
    articles-YYYY-MM-DD.json    a TinyDB of articles first fetched that UTC day; a day with more
    articles-YYYY-MM-DD.NNN.json  than SHARD_ARTICLES goes on in numbered shards
    articles-kept.json          starred articles whose day shard retention removed
    text-KEY.jsonl              full texts, append-only, referenced by offset from the article
    rows-KEY.json               a shard's records as arrays with the shard's stat (derived)
    shards.json                 what each shard holds, for reading only the shards a query needs
    state.json                  read / starred marks (any process may write it, under state.lock)
    writer.lock                 held by the one process that writes articles

TinyDB rewrites a whole file on every write and re-parses it on every read; so each shard is
small (one day, at most SHARD_ARTICLES articles), written once per write of a cycle, through a
storage that writes atomically and caches the parsed file while its stat is unchanged. Viewers
never lock: they reload only the shards whose stat changed.
"""

from __future__ import annotations

import contextlib
import gc
import math
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from fetchers import liveness
from fetchers.atomic import atomic_write_bytes, remove_stale_temps, stat_signature
from fetchers.models import Article
from fetchers.query import Query, Record
from fetchers.store import shardmap, shards
from fetchers.store.codec import (
    SCHEMA_VERSION,
    StagedArticle,
    article_of,
    differs,
    doc_from_record,
    record_from_doc,
    stage,
)
from fetchers.store.errors import StoreError, StoreWriteError
from fetchers.store.indexes import Indexes
from fetchers.store.lock import WriterLock
from fetchers.store.marks import Marks
from fetchers.store.shardmap import ShardSummary
from fetchers.store.shards import KEPT, Shard, Signature
from fetchers.store.texts import TextFiles, text_refs_setter, words_of
from fetchers.store.wordindex import WordIndex


@contextlib.contextmanager
def _no_gc() -> Iterator[None]:
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Store:
    """Articles, their marks and full texts in one data dir (an `ArticleStore`).

    `writer=True` takes the writer lock (StoreLocked if another process has it); a store opened
    without it is a viewer that can still change read/starred state.
    """

    def __init__(
        self,
        data_dir: Path,
        writer: bool = False,
        word_index: bool = False,
        first: int | None = None,
    ) -> None:
        """`first`: load only the newest shards holding about that many articles now, and the
        rest when `load_rest()` is called (a dashboard paints the newest screenful first)."""
        self.dir = Path(data_dir)
        self.problems: list[str] = []
        self._lost: list[str] = []  # shards this writer moved aside, until take_lost()
        self.lock = threading.RLock()  # poll threads write while query threads read
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.dir}: cannot create the data dir: {exc.strerror}") from exc
        self._writer_lock = WriterLock(self.dir)
        if writer:
            self._writer_lock.acquire()
        self._shards: dict[str, Shard] = {}
        self._indexes = Indexes()
        self._texts = TextFiles(self.dir)
        self._marks = Marks(self.dir, self._indexes.records)
        self._map: dict[str, ShardSummary] = {}  # the writer's shard map (shards.json)
        self._map_changed = False
        self._pending: list[str] = []  # shard keys a partial open left for load_rest()
        self._open(first)
        self._word_index_started = False
        if word_index:
            self.start_word_index()

    @property
    def location(self) -> str:
        return str(self.dir)

    @property
    def is_writer(self) -> bool:
        return self._writer_lock.held

    # -- the word index ----------------------------------------------------------------------
    def start_word_index(self) -> None:
        """Build the word index in a background thread (once); queries scan until it is ready."""
        if self._word_index_started:
            return
        self._word_index_started = True
        threading.Thread(target=self._build_word_index, name="word-index", daemon=True).start()

    def _build_word_index(self) -> None:
        """Build the token index (titles, summaries and full texts) off the caller's thread;
        queries scan until it is ready."""
        indexes = self._indexes
        with self.lock:
            snapshot = list(indexes.records.values())
            inline = dict(self._texts.inline)
        words, titles = WordIndex(), WordIndex()
        for record, text in self._texts.with_texts(snapshot, inline):
            words.add(record.id, words_of(record, text))
            titles.add(record.id, record.title.lower())
        with self.lock:
            indexed = {r.id for r in snapshot}
            del snapshot
            late = [r for ident, r in indexes.records.items() if ident not in indexed]
            for record, text in self._texts.with_texts(late):
                words.add(record.id, words_of(record, text))
                titles.add(record.id, record.title.lower())
            indexes.titles = titles
            indexes.words = words

    @property
    def word_index_ready(self) -> bool:
        return self._indexes.words is not None

    # -- the writer lock ---------------------------------------------------------------------
    def acquire_writer(self) -> None:
        self._writer_lock.acquire()

    def writer_active(self) -> bool:
        """True when some process holds the writer lock (this one included)."""
        return self._writer_lock.active()

    def heartbeat(self) -> None:
        """(The writer, while it polls.) Show viewers that this writer is at work."""
        self._writer_lock.heartbeat()

    def writer_state(self) -> liveness.WriterState:
        """The writer as a viewer sees it: exited, hanging, or at work."""
        return self._writer_lock.state()

    def take_over(self) -> None:
        """(A viewer whose writer has gone.) Become the writer: take the lock (StoreLocked if
        another process has it again), clear what a killed writer left, read what it wrote."""
        with self.lock:
            self._writer_lock.acquire()
            try:
                remove_stale_temps(self.dir)
                self.reload()
            except BaseException:  # not the writer after all: let go of the lock
                self._writer_lock.release()
                raise

    def close(self) -> None:
        for shard in self._shards.values():
            shard.db.close()
        self._writer_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening -----------------------------------------------------------------------------
    def _open(self, first: int | None) -> None:
        with _no_gc():  # 100,000 new objects would trigger many useless collections
            self._open_files(first)

    def _open_files(self, first: int | None) -> None:
        meta_path = self.dir / "meta.json"
        if self.is_writer:
            remove_stale_temps(self.dir)
        meta: dict[str, Any] = {}
        if meta_path.exists():
            try:
                meta = orjson.loads(meta_path.read_bytes())
            except orjson.JSONDecodeError:
                meta = {}
        version = int(meta.get("schema", SCHEMA_VERSION)) if meta else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.dir} was written by a newer wirewatch (schema {version}); upgrade wirewatch"
            )
        if self.is_writer and (not meta or version < SCHEMA_VERSION):
            self._migrate(version)
            atomic_write_bytes(meta_path, orjson.dumps({"schema": SCHEMA_VERSION}))
        if self.is_writer:
            self._map = shardmap.read(self.dir)
        keys = sorted(shards.present_keys(self.dir))
        if first is not None:  # newest day first; "kept" (old starred articles) last
            days = sorted((k for k in keys if k != KEPT), reverse=True)
            keys = days + [k for k in keys if k == KEPT]
            while keys and len(self._indexes) < first:
                self._load_shard(keys.pop(0))
            self._pending = keys
        else:
            for key in keys:
                self._load_shard(key)
        self._indexes.rebuild_order()
        self._marks.refresh(self.problems)
        self._save_map()

    def _migrate(self, from_version: int) -> None:
        """Bring an older store to SCHEMA_VERSION. Version 1 is the first; nothing to do yet."""

    def _save_map(self) -> None:
        """(The writer.) Write shards.json when a shard's summary changed."""
        if self.is_writer and self._map_changed:
            self._map_changed = False
            shardmap.write(self.dir, self._map)

    @property
    def complete(self) -> bool:
        """False while shards a partial open left are still to be loaded."""
        return not self._pending

    def load_rest(self) -> list[str]:
        """Load the shards a partial open (`first=`) left; returns the ids that arrived.
        Queries made meanwhile see the articles loaded so far."""
        added: list[str] = []
        with _no_gc():  # no collection walks the growing heap between shards
            while True:
                with self.lock:  # a writer may be finishing the load in another thread
                    if not self._pending:
                        break
                    added.extend(self._load_shard(self._pending.pop(0)))
        with self.lock:
            self._indexes.rebuild_order()
            self._save_map()
        return added

    def newest(self, query: Query, limit: int) -> list[str]:
        """The ids of the `limit` newest articles matching `query`, reading only the shards
        that can hold them (a store opened with `first=0` reads almost nothing else).

        Shards are read in the order of the newest match they can hold (from shards.json;
        a shard whose summary is missing or stale counts as holding the newest), until the
        last of `limit` matches is newer than anything an unread shard can hold. The answer
        equals `query_ids(query, limit)` on a store that read everything."""
        if limit <= 0:
            return []
        summaries = shardmap.read(self.dir)
        with self.lock:
            indexes = self._indexes
            plan: list[tuple[float, str]] = []
            for key in self._pending:
                summary = summaries.get(key)
                if summary is None or summary.signature != self.shard_version(key):
                    plan.append((math.inf, key))
                elif (bound := summary.newest_for(query)) is not None:
                    plan.append((bound, key))
            plan.sort(reverse=True)
            skipped = {key for key in self._pending} - {key for _, key in plan}
            loaded_since_check = 0
            for number, (bound, key) in enumerate(plan):
                if loaded_since_check >= max(shards.SHARD_ARTICLES, len(indexes) // 2):
                    loaded_since_check = 0
                    found = self.query_ids(query, limit)
                    if len(found) >= limit and indexes.when[found[-1]] > bound:
                        self._pending = [k for _, k in plan[number:]] + sorted(skipped)
                        return found
                fresh = self._load_shard(key)
                indexes.insert_orders(fresh)
                loaded_since_check += len(fresh) or 1
            self._pending = sorted(skipped)
            return self.query_ids(query, limit)

    def shard_path(self, key: str) -> Path:
        """The file of one shard."""
        return shards.shard_path(self.dir, key)

    def shard_version(self, key: str) -> Signature | None:
        """The stat of one shard's file as it is now (None: gone)."""
        return stat_signature(self.shard_path(key))

    def shard_keys(self) -> list[str]:
        """Every shard this store reads, loaded or not yet."""
        with self.lock:
            return sorted({*self._shards, *self._pending} - set(self._lost))

    def records_with_texts(
        self, key: str
    ) -> tuple[Signature | None, list[tuple[Record, str | None]]]:
        """The stat of one shard as this store read it, and its articles with their full
        texts (the shard is loaded if a partial open left it), for indexes derived from the
        store. The stat is None for a shard that could not be read."""
        with self.lock:
            if key in self._pending:
                self._pending.remove(key)
                self._indexes.insert_orders(self._load_shard(key))
            shard = self._shards.get(key)
            records = [self._indexes.records[i] for i in self._indexes.members.get(key, ())]
            inline = dict(self._texts.inline)
        signature = shard.signature if shard is not None else None
        return signature, list(self._texts.with_texts(records, inline))

    def _get_shard(self, key: str) -> Shard:
        shard = self._shards.get(key)
        if shard is None:
            shard = self._shards[key] = Shard.open(self.dir, key)
        return shard

    def _load_shard(self, key: str) -> list[str]:
        """(Re)index one shard; a shard that cannot be read is moved aside and reported.

        The records come from the shard's row cache when it matches the shard's stat (fast),
        else from the shard itself, after which the cache is written again."""
        shard = self._get_shard(key)
        signature = self.shard_version(key)
        rows = shards.read_rows(self.dir, key, signature)
        indexes = self._indexes
        if rows is not None:
            records = indexes.records
            cached = [r for r in rows if r.id not in records]
            self._take_changes(key, rows)
            shard.signature = signature
            indexes.file(cached, key, self._marks, self._texts)
            if self.is_writer and signature is not None:
                known = self._map.get(key)
                if known is None or known.signature != signature:
                    self._map[key] = ShardSummary.of(signature, rows)
                    self._map_changed = True
            return [r.id for r in cached]
        try:
            records, make = indexes.records, record_from_doc
            inline = self._texts.inline
            fresh: list[Record] = []
            append = fresh.append
            held: list[Record] = []
            for doc in shard.documents():
                ident = doc.get("id") if type(doc) is dict else None
                if ident is None:
                    continue
                if "text" in doc and doc["text"]:
                    inline[ident] = str(doc["text"])
                if ident in records:
                    if records[ident].shard == key:
                        held.append(make(doc))
                    continue
                append(make(doc))
            self._take_changes(key, held)
        except (ValueError, OSError, TypeError, KeyError, IndexError) as exc:
            self._quarantine(key, exc)
            return []
        shard.wrote()  # the stat the storage read the documents at
        indexes.file(fresh, key, self._marks, self._texts)
        shard.storage.forget()  # the records hold what is needed; a write re-reads the file
        self._write_rows(key)
        return [r.id for r in fresh]

    def _take_changes(self, key: str, records: list[Record]) -> None:
        """Give the articles of `key` already in memory what a writer changed since: a full
        text attached, a revised title or summary (a viewer reloading a changed shard)."""
        indexes, revised = self._indexes, False
        docs = indexes.records
        for fresh in records:
            held = docs.get(fresh.id)
            if held is None or held.shard != key:
                continue
            if fresh.text_ref is not None and held.text_ref != fresh.text_ref:
                held.text_ref = fresh.text_ref
                self._texts.inline.pop(fresh.id, None)
            if held.title != fresh.title or held.summary != fresh.summary:
                held.title, held.summary = fresh.title, fresh.summary
                held.revised = fresh.revised
                indexes.revised.add(fresh.id)
                revised = True
        if revised and indexes.has_words:
            for record in records:
                if record.id in indexes.revised:
                    held = docs[record.id]
                    indexes.add_words(record.id, held.haystack, held.title)

    def _write_rows(self, key: str) -> None:
        """Write the row cache of one shard, and (the writer) its summary in the shard map."""
        shard = self._shards.get(key)
        if key == KEPT or shard is None or shard.signature is None:
            return
        records = [self._indexes.records[i] for i in self._indexes.members.get(key, ())]
        if self.is_writer:
            self._map[key] = ShardSummary.of(shard.signature, records)
            self._map_changed = True
        shards.write_rows(self.dir, key, shard.signature, records)

    def _quarantine(self, key: str, exc: Exception) -> None:
        path = self.shard_path(key)
        shards.drop_rows(self.dir, key)
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        if self._map.pop(key, None) is not None:
            self._map_changed = True
        if not self.is_writer:
            self.problems.append(f"{path.name} cannot be read ({exc}); skipped")
            return
        aside = shards.move_aside(path)
        self.problems.append(f"{path.name} cannot be read ({exc}); moved aside to {aside.name}")
        self._lost.append(key)

    def take_lost(self) -> list[str]:
        """The shards moved aside since the last call. Their articles are gone from the store
        while the feeds' validators say nothing changed: a poller forgets the validators, so
        the next poll asks for everything and brings back what the feeds still carry.

        Waits for a shard another thread is loading: call it from a thread, not an event loop."""
        with self.lock:
            lost, self._lost = self._lost, []
        return lost

    def _drop_shard(self, key: str) -> None:
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        for ident in self._indexes.drop_shard(key):
            self._texts.inline.pop(ident, None)
        if self._map.pop(key, None) is not None:
            self._map_changed = True

    def reload(self) -> list[str]:
        """Pick up what another process wrote; returns ids that are new here."""
        with self.lock, _no_gc():
            new: list[str] = []
            present = shards.present_keys(self.dir)
            gone = [key for key in self._shards if key not in present]
            for key in gone:
                self._drop_shard(key)
            for key in sorted(present - set(self._pending)):  # load_rest() brings those
                shard = self._shards.get(key)
                if shard is None or self.shard_version(key) != shard.signature:
                    new.extend(self._load_shard(key))
            self._indexes.insert_orders(new)
            if gone:
                self._indexes.rebuild_order()
            self._marks.refresh(self.problems)
            return new

    # -- writing ----------------------------------------------------------------------------
    def _require_writer(self) -> None:
        if not self.is_writer:
            raise StoreError("this store was opened read-only (another process is the writer)")

    def revised(self, article: Article) -> bool:
        """True when the article is stored with another title or summary than it has now."""
        record = self._indexes.records.get(article.id)
        return record is not None and differs(record, article)

    def wanting_text(self, source: str, limit: int, skip: set[str]) -> list[tuple[str, str]]:
        """(id, link) of the source's newest articles with a link and no full text, at most
        `limit`, leaving out the ids in `skip`."""
        with self.lock:
            indexes = self._indexes
            ids = indexes.by_field["source"].get(source.lower(), set())
            docs, when, texts = indexes.records, indexes.when, self._texts
            wanting = [i for i in ids if i not in skip and docs[i].link and not texts.has(docs[i])]
            wanting.sort(key=lambda i: -when.get(i, 0.0))
            return [(i, docs[i].link or "") for i in wanting[:limit]]

    def knows(self, article: Article) -> bool:
        """True when the article (by id, or by its link within the source) is stored. Exact
        only once the store is `complete`."""
        return self._indexes.knows(article.id, article.source, article.link)

    def add_batch(self, articles: Iterable[Article]) -> list[str]:
        """Store the articles not yet known; one write per touched shard. Returns new ids."""
        return self.add_staged(stage(articles))

    def add_staged(self, staged: Iterable[StagedArticle]) -> list[str]:
        """Store articles made ready by `stage()` (a poller stages each source's articles as
        they arrive, so the write at the end of a cycle only files and writes them)."""
        with self.lock, _no_gc():  # thousands of new objects; nothing here is garbage
            self._require_writer()
            if self._pending:  # a partial open: every stored article must be known first
                self.load_rest()
            indexes = self._indexes
            by_day: dict[str, list[StagedArticle]] = {}
            by_shard: dict[str, list[StagedArticle]] = {}
            seen: set[str] = set()
            docs, links = indexes.records, indexes.links
            revised: dict[str, StagedArticle] = {}
            for item in staged:
                ident, record = item.record.id, item.record
                if ident in docs:
                    if differs(docs[ident], record):
                        revised[ident] = item
                    continue
                if ident in seen:
                    continue
                if record.link and (record.source, record.link) in links:
                    continue
                seen.add(ident)
                by_day.setdefault(item.key, []).append(item)
            held = indexes.held()
            for day, items in by_day.items():
                by_shard.update(shards.into_shards(day, held, items))
            new_ids: list[str] = []
            written: list[str] = []
            try:
                for key, items in by_shard.items():
                    texts = [(item.doc, item.text) for item in items if item.text]
                    if texts:
                        self._texts.append(key, texts)
                    shard = self._get_shard(key)
                    shard.table.insert_multiple(item.doc for item in items)
                    shard.wrote()
                    records = []
                    for item in items:
                        ref = item.doc.get("text_ref")
                        if ref:
                            item.record.text_ref = (ref[0], ref[1], ref[2])
                        records.append(item.record)
                    indexes.file(records, key, self._marks, self._texts)
                    new_ids.extend(record.id for record in records)
                    written.append(key)
                written.extend(self._revise(revised))
            except (OSError, ValueError) as exc:  # a full disk, a read-only dir, a shard
                # turned unreadable under it: the shards written stand
                raise StoreWriteError(
                    f"{self.dir}: cannot write ({getattr(exc, 'strerror', None) or exc}); "
                    f"{len(new_ids)} of {len(seen)} new articles stored, nothing stored before"
                    " was lost",
                    new_ids,
                ) from exc
            finally:
                indexes.insert_orders(new_ids)
                for key, shard in self._shards.items():
                    if key not in written:  # keep only the shards just written parsed
                        shard.storage.forget()
                for key in written:
                    self._write_rows(key)
                self._save_map()
            return new_ids

    def _revise(self, revised: dict[str, StagedArticle]) -> list[str]:
        """Give stored articles the title and summary their source now gives them, keeping
        what they said before as revisions (an edited headline is never lost, and never a
        second article). Returns the shards written."""
        indexes = self._indexes
        by_shard: dict[str, dict[str, StagedArticle]] = {}
        for ident, item in revised.items():
            by_shard.setdefault(indexes.records[ident].shard, {})[ident] = item
        for key, items in by_shard.items():
            shard = self._get_shard(key)
            shard.table.update(
                shards.revision_setter(items), lambda d, items=items: d.get("id") in items
            )
            shard.wrote()
            for ident, item in items.items():
                record = indexes.records[ident]
                record.title, record.summary = item.record.title, item.record.summary
                record.revised = item.record.fetched  # as revision_setter stamps the document
                if indexes.has_words:
                    indexes.add_words(ident, record.haystack, record.title)
        indexes.revised.update(revised)
        return list(by_shard)

    def revisions(self, ident: str) -> list[dict[str, str]]:
        """What a stored article said before its source changed it, oldest first:
        {"seen" (when that version was first seen, UTC), "title", "summary"}."""
        with self.lock:
            record = self._indexes.records.get(ident)
            if record is None:
                return []
            shard = self._get_shard(record.shard)
            try:
                doc = shard.table.get(lambda d: d.get("id") == ident)
            except (OSError, ValueError):
                return []
            found = doc.get("revisions") if isinstance(doc, dict) else None
            return [r for r in found or [] if isinstance(r, dict)]

    def set_text(self, ident: str, text: str) -> None:
        """Attach a fetched full text to a stored article."""
        if not self.set_texts([(ident, text)]):
            raise StoreError(f"no article {ident}")

    def set_texts(self, pairs: list[tuple[str, str]]) -> int:
        """Attach fetched full texts to stored articles: one append and one shard write per
        touched day, however many texts. Returns how many were attached (unknown ids, such
        as articles dropped by retention meanwhile, are skipped)."""
        with self.lock:
            self._require_writer()
            indexes = self._indexes
            by_shard: dict[str, list[tuple[dict[str, Any], str]]] = {}
            for ident, text in pairs:
                record = indexes.records.get(ident)
                if record is not None:
                    by_shard.setdefault(record.shard, []).append(({"id": ident}, text))
            try:
                for key, holders in by_shard.items():
                    # text-kept.jsonl for kept ones: retention never drops it
                    self._texts.append(key, holders)
                    refs = {holder["id"]: holder["text_ref"] for holder, _ in holders}
                    shard = self._get_shard(key)
                    shard.table.update(
                        text_refs_setter(refs), lambda d, refs=refs: d.get("id") in refs
                    )
                    shard.wrote()
                    for ident, ref in refs.items():
                        indexes.records[ident].text_ref = tuple(ref)
                        self._texts.inline.pop(ident, None)
                    for holder, text in holders:
                        indexes.add_words(holder["id"], text.lower(), None)
                    self._write_rows(key)
                self._save_map()
            except OSError as exc:
                raise StoreWriteError(
                    f"{self.dir}: cannot write full texts ({exc.strerror or exc})", []
                ) from exc
            return sum(len(holders) for holders in by_shard.values())

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._indexes)

    def get(self, ident: str) -> Article | None:
        record = self._indexes.records.get(ident)
        if record is None:
            return None
        return article_of(record)

    def record(self, ident: str) -> Record | None:
        """The article as a query sees it (the store's own record: do not change it)."""
        return self._indexes.records.get(ident)

    def text(self, ident: str) -> str | None:
        """The full text of an article, or None if it has none."""
        record = self._indexes.records.get(ident)
        return self._texts.text(record) if record is not None else None

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]:
        """Articles newest first that match the query."""
        records = self._indexes.records
        return [article_of(records[i]) for i in self.query_ids(query, limit)]

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        """Ids newest first. Time bounds cut a slice of the date order; source, tag, lang and
        (once built) word indexes give candidates; every candidate is checked by the query."""
        with self.lock, self._texts.reader() as text_of:
            return self._indexes.query_ids(query, limit, text_of)

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]:
        records = self._indexes.records
        for ident in ids:
            record = records.get(ident)
            if record is not None:
                yield article_of(record)

    def sources_count(self) -> dict[str, int]:
        """Articles per source name, from the index (no pass over the articles)."""
        with self.lock:
            return self._indexes.counts("source", lambda record: [record.source])

    def tags_count(self) -> dict[str, int]:
        """Articles per tag, from the index."""
        with self.lock:
            return self._indexes.counts("tag", lambda record: list(record.tags))

    # -- read / starred marks ---------------------------------------------------------------
    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Change read/starred marks; safe from any process (a short lock on state.lock)."""
        with self.lock:
            self._marks.set(ids, self.problems, read=read, starred=starred)

    # -- retention ----------------------------------------------------------------------------
    def apply_retention(self, days: int, now: datetime) -> int:
        """Delete whole day shards older than `days`, keeping starred articles. Returns count."""
        with self.lock:
            self._require_writer()
            self._marks.refresh(self.problems)  # a viewer may have starred an old article since
            cutoff = (now - timedelta(days=days)).astimezone(UTC).strftime("%Y-%m-%d")
            indexes = self._indexes
            removed = 0
            for key in sorted(k for k in list(self._shards) if k != KEPT and k < cutoff):
                ids = list(indexes.members.get(key, ()))
                keep = [i for i in ids if self._marks.starred(i)]
                kept_docs = []
                for ident in keep:
                    doc = doc_from_record(indexes.records[ident])
                    doc["text"] = self.text(ident)
                    kept_docs.append(doc)
                if kept_docs:  # kept first: if the disk refuses, the day stays as it was
                    kept = self._get_shard(KEPT)
                    try:
                        kept.table.insert_multiple(kept_docs)
                    except OSError as exc:
                        indexes.rebuild_order()
                        raise StoreWriteError(
                            f"{self.dir}: retention cannot write ({exc.strerror or exc}); "
                            "the old days stay until the next try",
                            [],
                        ) from exc
                    kept.wrote()
                self._drop_shard(key)
                for doc in kept_docs:
                    if doc.get("text"):
                        self._texts.inline[doc["id"]] = doc["text"]
                    indexes.file([record_from_doc(doc)], KEPT, self._marks, self._texts)
                with contextlib.suppress(OSError):
                    self.shard_path(key).unlink()
                self._texts.drop(key)
                shards.drop_rows(self.dir, key)
                removed += len(ids) - len(keep)
            self._rebuild_after_retention()
            return removed

    def _rebuild_after_retention(self) -> None:
        self._indexes.rebuild_order()
        self._save_map()
