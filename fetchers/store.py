"""The article store: day-sharded TinyDB files, crash-safe, with in-memory indexes.

Layout of a data dir:

    meta.json                   schema version
    articles-YYYY-MM-DD.json    a TinyDB of articles first fetched that UTC day; a day with more
    articles-YYYY-MM-DD.NNN.json  than SHARD_ARTICLES goes on in numbered shards
    articles-kept.json          starred articles whose day shard retention removed
    text-KEY.jsonl              full texts, append-only, referenced by offset from the article
    rows-KEY.json               a shard's records as arrays with the shard's stat: derived,
                                used only while it matches, rewritten when it does not
    state.json                  read / starred marks (any process may write it, under state.lock)
    sources.json                per-source health and HTTP validators (the writer's)
    writer.lock                 held by the one process that writes articles

TinyDB rewrites a whole file on every write and re-parses it on every read; so each shard is
small (one day, at most SHARD_ARTICLES articles), written once per write of a cycle, through a
storage that writes atomically and caches the parsed file while its stat is unchanged. Viewers
never lock: they reload only the shards whose stat changed.
"""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import fcntl
import gc
import math
import operator
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from fetchers import liveness, shardmap
from fetchers.atomic import (
    AtomicJSONStorage,
    atomic_write_bytes,
    exclusive_lock,
    remove_stale_temps,
    stat_signature,
    write_derived,
)
from fetchers.models import Article, SourceHealth, utc_iso
from fetchers.query import Query, Record, Term, Verdicts
from fetchers.shardmap import ShardSummary
from fetchers.wordindex import WordIndex

SCHEMA_VERSION = 1
ROWS_VERSION = 2  # the layout of rows-DAY.json, the row caches
TABLE = "articles"
SHARD_RE = re.compile(r"^articles-(\d{4}-\d{2}-\d{2}(?:\.\d{3,6})?|kept)\.json$")
SHARD_ARTICLES = 1000  # articles in one shard file at most (a day has as many as it needs)
SHARD_SPAN = 10**7  # more than a shard ever holds: a record's seq is its shard's rank times it


def _shard_rank(key: str) -> int:
    """Shards in the order of their keys, as a number: articles equal in time are ordered by
    shard, then by their place in it (feed order), however the shards were loaded."""
    if key == "kept":
        return 0
    day, _, number = key.partition(".")
    return int(day.replace("-", "")) * 1_000_000 + int(number or 0)


class StoreError(Exception):
    """The store cannot be used as asked."""


class StoreWriteError(StoreError):
    """The disk refused a write (full, read-only). What was stored before is intact; `stored`
    holds the ids this write did store before it failed."""

    def __init__(self, message: str, stored: list[str]) -> None:
        super().__init__(message)
        self.stored = stored


class StoreLocked(StoreError):
    """Another process is the writer."""


@dataclass(slots=True)
class Shard:
    key: str  # YYYY-MM-DD or "kept"
    db: TinyDB
    storage: AtomicJSONStorage
    signature: tuple[int, int, int] | None = None


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
    """Articles, their state and source health in one data dir.

    `writer=True` takes the writer lock (StoreLocked if another process has it); a store opened
    without it is a viewer that can still change read/starred state.
    """

    def __init__(
        self,
        data_dir: Path,
        writer: bool = False,
        word_index: bool = False,
        first: int | None = None,
        lean: bool = False,
    ) -> None:
        """`first`: load only the newest shards holding about that many articles now, and the
        rest when `load_rest()` is called (a dashboard paints the newest screenful first).

        `lean`: for a writer that only writes (`refresh`). The articles of a full shard keep
        no title, summary, guid or author in memory, only a digest of the title and summary
        for revision checks, so a cycle of 100,000 new articles fits a small process; its
        queries return articles without them."""
        self.dir = Path(data_dir)
        self.problems: list[str] = []
        self._lost: list[str] = []  # shards this writer moved aside, until take_lost()
        self._lock_handle: Any = None
        self.is_writer = False
        self.lock = threading.RLock()  # poll threads write while query threads read
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"{self.dir}: cannot create the data dir: {exc.strerror}") from exc
        if writer:
            self.acquire_writer()
        self._shards: dict[str, Shard] = {}
        self._docs: dict[str, Record] = {}
        self._inline_text: dict[str, str] = {}  # texts of articles in articles-kept.json
        self._order_keys: list[float] = []  # negated timestamps, ascending = newest first
        self._order_ids: list[str] = []
        self._links: dict[tuple[str, str], str] = {}
        self._when: dict[str, float] = {}
        self._members: dict[str, dict[str, None]] = {}  # each shard's article ids, in order
        self._map: dict[str, ShardSummary] = {}  # the writer's shard map (shards.json)
        self._map_changed = False
        self._revised: set[str] = set()  # articles whose word-index entries may be stale
        self._pending: list[str] = []  # shard keys a partial open left for load_rest()
        self._by_field: dict[str, dict[str, set[str]]] = {"source": {}, "tag": {}, "lang": {}}
        self._words: WordIndex | None = None  # titles, summaries and full texts
        self._titles: WordIndex | None = None  # titles alone, for title:
        self._state: dict[str, dict[str, bool]] = {}
        self._state_signature: tuple[int, int, int] | None = None
        self._lean = lean and not word_index
        self._digests: dict[str, int] = {}  # a lean store's summaries: id -> hash
        self._open(first)
        self._word_index_started = False
        if word_index:
            self.start_word_index()

    def start_word_index(self) -> None:
        """Build the word index in a background thread (once); queries scan until it is ready."""
        if self._word_index_started:
            return
        self._word_index_started = True
        threading.Thread(target=self._build_word_index, name="word-index", daemon=True).start()

    def _build_word_index(self) -> None:
        """Build the token index (titles, summaries and full texts) off the caller's thread;
        queries scan until it is ready."""
        with self.lock:
            snapshot = list(self._docs.values())
            inline = dict(self._inline_text)
        index, titles = WordIndex(), WordIndex()
        for record, text in _with_texts(self.dir, snapshot, inline):
            index.add(record.id, _words_of(record, text))
            titles.add(record.id, record.title.lower())
        with self.lock:
            indexed = {r.id for r in snapshot}
            del snapshot
            late = [r for ident, r in self._docs.items() if ident not in indexed]
            for record, text in _with_texts(self.dir, late, self._inline_text):
                index.add(record.id, _words_of(record, text))
                titles.add(record.id, record.title.lower())
            self._titles = titles
            self._words = index

    @property
    def word_index_ready(self) -> bool:
        return self._words is not None

    # -- opening and locking ---------------------------------------------------------------
    def acquire_writer(self) -> None:
        try:
            handle = open(self.dir / "writer.lock", "a+")  # noqa: SIM115 - held for our lifetime
        except OSError as exc:
            raise StoreError(f"{self.dir}: cannot write the data dir ({exc.strerror})") from None
        try:
            _lock_exclusive(handle)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f" (pid {holder})" if holder else ""
            raise StoreLocked(
                f"{self.dir} is being written by another wirewatch process{who}"
            ) from None
        try:  # the pid is only for the message another writer gets: a full disk may refuse it
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        except OSError:
            pass
        self._lock_handle = handle
        self.is_writer = True

    def writer_active(self) -> bool:
        """True when some process holds the writer lock (this one included)."""
        if self.is_writer:
            return True
        try:
            with open(self.dir / "writer.lock", "a+") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
                return False
        except OSError:
            return False

    def heartbeat(self) -> None:
        """(The writer, while it polls.) Show viewers that this writer is at work."""
        if self._lock_handle is not None:
            liveness.touch(self._lock_handle.fileno())

    def writer_state(self) -> liveness.WriterState:
        """The writer as a viewer sees it: exited, hanging, or at work."""
        return liveness.read_state(self.dir / "writer.lock", self.writer_active())

    def take_over(self) -> None:
        """(A viewer whose writer has gone.) Become the writer: take the lock (StoreLocked if
        another process has it again), clear what a killed writer left, read what it wrote."""
        with self.lock:
            self.acquire_writer()
            try:
                remove_stale_temps(self.dir)
                self.reload()
            except BaseException:  # not the writer after all: let go of the lock
                self._release_writer()
                raise

    def _release_writer(self) -> None:
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None
            self.is_writer = False

    def close(self) -> None:
        for shard in self._shards.values():
            shard.db.close()
        self._release_writer()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        keys = sorted(
            m.group(1) for p in self.dir.glob("articles-*.json") if (m := SHARD_RE.match(p.name))
        )
        if first is not None:  # newest day first; "kept" (old starred articles) last
            days = sorted((k for k in keys if k != "kept"), reverse=True)
            keys = days + [k for k in keys if k == "kept"]
            while keys and len(self._docs) < first:
                self._load_shard(keys.pop(0))
            self._pending = keys
        else:
            for key in keys:
                self._load_shard(key)
        self._rebuild_order()
        self._read_state()
        self._save_map()

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
            self._rebuild_order()
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
            plan: list[tuple[float, str]] = []
            for key in self._pending:
                summary = summaries.get(key)
                if summary is None or summary.signature != stat_signature(self.shard_path(key)):
                    plan.append((math.inf, key))
                elif (bound := summary.newest_for(query)) is not None:
                    plan.append((bound, key))
            plan.sort(reverse=True)
            skipped = {key for key in self._pending} - {key for _, key in plan}
            loaded_since_check = 0
            for number, (bound, key) in enumerate(plan):
                if loaded_since_check >= max(SHARD_ARTICLES, len(self._docs) // 2):
                    loaded_since_check = 0
                    found = self.query_ids(query, limit)
                    if len(found) >= limit and self._when[found[-1]] > bound:
                        self._pending = [k for _, k in plan[number:]] + sorted(skipped)
                        return found
                fresh = self._load_shard(key)
                self._insert_orders(fresh)
                loaded_since_check += len(fresh) or 1
            self._pending = sorted(skipped)
            return self.query_ids(query, limit)

    def _migrate(self, from_version: int) -> None:
        """Bring an older store to SCHEMA_VERSION. Version 1 is the first; nothing to do yet."""

    def shard_path(self, key: str) -> Path:
        """The file of one shard (its stat says whether a derived index of it is current)."""
        return self.dir / f"articles-{key}.json"

    def shard_keys(self) -> list[str]:
        """Every shard this store reads, loaded or not yet."""
        with self.lock:
            return sorted({*self._shards, *self._pending} - set(self._lost))

    def records_with_texts(
        self, key: str
    ) -> tuple[tuple[int, int, int] | None, list[tuple[Record, str | None]]]:
        """The stat of one shard as this store read it, and its articles with their full
        texts (the shard is loaded if a partial open left it), for indexes derived from the
        store. The stat is None for a shard that could not be read."""
        with self.lock:
            if key in self._pending:
                self._pending.remove(key)
                self._insert_orders(self._load_shard(key))
            shard = self._shards.get(key)
            records = [self._docs[i] for i in self._members.get(key, ())]
            inline = dict(self._inline_text)
        signature = shard.signature if shard is not None else None
        return signature, list(_with_texts(self.dir, records, inline))

    def _get_shard(self, key: str) -> Shard:
        shard = self._shards.get(key)
        if shard is None:
            storage_box: list[AtomicJSONStorage] = []

            def make_storage(path: str) -> AtomicJSONStorage:
                storage = AtomicJSONStorage(path)
                storage_box.append(storage)
                return storage

            db = TinyDB(str(self.shard_path(key)), storage=make_storage)
            shard = Shard(key=key, db=db, storage=storage_box[0])
            self._shards[key] = shard
        return shard

    def _load_shard(self, key: str) -> list[str]:
        """(Re)index one shard; a shard that cannot be read is moved aside and reported.

        The records come from the shard's row cache when it matches the shard's stat (fast),
        else from the shard itself, after which the cache is written again."""
        shard = self._get_shard(key)
        signature = stat_signature(self.shard_path(key))
        rows = self._read_rows(key, signature)
        if rows is not None:
            docs = self._docs
            cached = [r for r in rows if r.id not in docs]
            self._take_changes(key, rows)
            shard.signature = signature
            self._index_many(cached, key)
            if self.is_writer and signature is not None:
                known = self._map.get(key)
                if known is None or known.signature != signature:
                    self._map[key] = ShardSummary.of(signature, rows)
                    self._map_changed = True
            self._slim(key)
            return [r.id for r in cached]
        try:
            data = shard.storage.read() or {}
            table = data.get(TABLE, {})
            if not isinstance(table, dict):
                raise ValueError("the articles table is not an object")
            docs, make = self._docs, _record_from_doc
            fresh: list[Record] = []
            append = fresh.append
            held: list[Record] = []
            for doc in table.values():
                ident = doc.get("id") if type(doc) is dict else None
                if ident is None:
                    continue
                if "text" in doc and doc["text"]:
                    self._inline_text[ident] = str(doc["text"])
                if ident in docs:
                    if docs[ident].shard == key:
                        held.append(make(doc))
                    continue
                append(make(doc))
            self._take_changes(key, held)
        except (ValueError, OSError, TypeError, KeyError, IndexError) as exc:
            self._quarantine(key, exc)
            return []
        shard.signature = shard.storage._signature
        self._index_many(fresh, key)
        shard.storage.forget()  # the records hold what is needed; a write re-reads the file
        self._write_rows(key)
        self._slim(key)
        return [r.id for r in fresh]

    def _take_changes(self, key: str, records: list[Record]) -> None:
        """Give the articles of `key` already in memory what a writer changed since: a full
        text attached, a revised title or summary (a viewer reloading a changed shard)."""
        docs, revised = self._docs, False
        for fresh in records:
            held = docs.get(fresh.id)
            if held is None or held.shard != key:
                continue
            if fresh.text_ref is not None and held.text_ref != fresh.text_ref:
                held.text_ref = fresh.text_ref
                self._inline_text.pop(fresh.id, None)
            if held.title != fresh.title or held.summary != fresh.summary:
                held.title, held.summary = fresh.title, fresh.summary
                self._revised.add(fresh.id)
                revised = True
        if revised and self._words is not None and self._titles is not None:
            for record in records:
                if record.id in self._revised:
                    self._words.add(record.id, docs[record.id].haystack)
                    self._titles.add(record.id, docs[record.id].title.lower())

    # -- the row cache: a shard's records as arrays, ~2x faster to open than its documents --
    def _rows_path(self, key: str) -> Path:
        return self.dir / f"rows-{key}.json"

    def _read_rows(self, key: str, signature: tuple[int, int, int] | None) -> list[Record] | None:
        if key == "kept" or signature is None:
            return None
        try:
            data = orjson.loads(self._rows_path(key).read_bytes())
            if data.get("v") != ROWS_VERSION or data.get("shard") != list(signature):
                return None
            return [_record_from_row(row) for row in data["rows"]]
        except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # missing, torn or stale: the shard itself is read instead

    def _write_rows(self, key: str) -> None:
        """Write the row cache of one shard (derived data: no fsync; a torn one is ignored)."""
        shard = self._shards.get(key)
        if key == "kept" or shard is None or shard.signature is None:
            return
        docs = self._docs
        records = [docs[i] for i in self._members.get(key, ())]
        if self.is_writer:
            self._map[key] = ShardSummary.of(shard.signature, records)
            self._map_changed = True
        if self._digests and any(r.id in self._digests for r in records):
            return  # summaries not in memory: the next open reads the shard and writes this
        rows = [_row(r) for r in records]
        blob = orjson.dumps({"v": ROWS_VERSION, "shard": list(shard.signature), "rows": rows})
        write_derived(self._rows_path(key), blob)  # refused: the shard still opens, slower

    def _slim(self, key: str) -> None:
        """(A lean store.) Once a shard is full, its articles' titles, summaries, guids and
        authors leave memory: only new articles go to the newest shard of a day, so a full
        one is rewritten only for a full text or a revision, which never needs them."""
        members = self._members.get(key, ())
        if not self._lean or len(members) < SHARD_ARTICLES:
            return
        docs, digests = self._docs, self._digests
        for ident in members:
            record = docs[ident]
            if ident not in digests:
                digests[ident] = hash((record.title, record.summary))
                record.title = record.summary = ""
                record.guid = record.author = None

    def _changed(self, stored: Record, fresh: Record | Article) -> bool:
        """`_differs`, for a record whose summary may be only a digest (a lean store)."""
        digest = self._digests.get(stored.id)
        if digest is None:
            return _differs(stored, fresh)
        return digest != hash((fresh.title, fresh.summary))

    def _quarantine(self, key: str, exc: Exception) -> None:
        path = self.shard_path(key)
        with contextlib.suppress(OSError):
            self._rows_path(key).unlink()
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        if self._map.pop(key, None) is not None:
            self._map_changed = True
        if not self.is_writer:
            self.problems.append(f"{path.name} cannot be read ({exc}); skipped")
            return
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
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

    def _index(self, record: Record, key: str) -> None:
        self._index_many([record], key)

    def _index_many(self, records: list[Record], key: str) -> None:
        """File records in every in-memory index (one tight loop: this is most of open)."""
        state, docs, when = self._state, self._docs, self._when
        key = sys.intern(key)
        links = self._links
        sources, tags, langs = (self._by_field[n] for n in ("source", "tag", "lang"))
        members = self._members.setdefault(key, {})
        serial = _shard_rank(key) * SHARD_SPAN + len(members)  # see Record.seq
        folded: dict[str, str] = {}  # interned names repeat: lower-case each once per call
        for record in records:
            ident = record.id
            if state:
                marks = state.get(ident)
                if marks:
                    record.read = bool(marks.get("read"))
                    record.starred = bool(marks.get("starred"))
            docs[ident] = record
            record.shard = key
            record.seq = serial
            serial += 1
            published = record.published
            when[ident] = published if published is not None else record.when
            source = record.source
            if record.link:
                links[(source, record.link)] = ident
            name = folded.get(source)
            if name is None:
                name = folded[source] = source.lower()
            found = sources.get(name)
            if found is None:
                sources[name] = found = set()
            found.add(ident)
            for tag in record.tags:
                name = folded.get(tag)
                if name is None:
                    name = folded[tag] = tag.lower()
                found = tags.get(name)
                if found is None:
                    tags[name] = found = set()
                found.add(ident)
            if record.lang:
                langs.setdefault(record.lang.lower().split("-")[0], set()).add(ident)
        for record in records:
            members[record.id] = None
        if self._words is not None and self._titles is not None:
            for record, text in _with_texts(self.dir, records, self._inline_text):
                self._words.add(record.id, _words_of(record, text))
                self._titles.add(record.id, record.title.lower())

    def _unindex(self, ident: str) -> None:
        record = self._docs.pop(ident, None)
        self._when.pop(ident, None)
        self._digests.pop(ident, None)
        self._inline_text.pop(ident, None)
        if record is None:
            return
        self._members.get(record.shard, {}).pop(ident, None)
        if record.link:
            self._links.pop((record.source, record.link), None)
        for name, value in _field_keys(record):
            self._by_field[name].get(value, set()).discard(ident)

    def _record(self, ident: str) -> Record:
        return self._docs[ident]

    def _rebuild_order(self) -> None:
        docs = self._docs
        pairs = sorted((-when, docs[ident].seq, ident) for ident, when in self._when.items())
        self._order_keys = [p[0] for p in pairs]
        self._order_ids = [p[2] for p in pairs]

    def _insert_orders(self, idents: list[str]) -> None:
        """Put newly filed articles into the date order, each after its equals (it came
        later). One merge pass: inserting thousands one by one into a list of 100,000 moves
        the list thousands of times."""
        if not idents:
            return
        when, docs = self._when, self._docs
        new = sorted((-when[i], docs[i].seq, i) for i in idents)
        keys, ids = self._order_keys, self._order_ids
        merged_keys: list[float] = []
        merged_ids: list[str] = []
        done = 0
        for key, seq, ident in new:
            at = bisect.bisect_right(keys, key, done)
            while at > done and keys[at - 1] == key and docs[ids[at - 1]].seq > seq:
                at -= 1  # equal times: by shard and place in it, whichever was loaded first
            merged_keys += keys[done:at]
            merged_ids += ids[done:at]
            merged_keys.append(key)
            merged_ids.append(ident)
            done = at
        merged_keys += keys[done:]
        merged_ids += ids[done:]
        self._order_keys, self._order_ids = merged_keys, merged_ids

    # -- writing ----------------------------------------------------------------------------
    def _require_writer(self) -> None:
        if not self.is_writer:
            raise StoreError("this store was opened read-only (another process is the writer)")

    def revised(self, article: Article) -> bool:
        """True when the article is stored with another title or summary than it has now."""
        record = self._docs.get(article.id)
        return record is not None and self._changed(record, article)

    def wanting_text(self, source: str, limit: int, skip: set[str]) -> list[tuple[str, str]]:
        """(id, link) of the source's newest articles with a link and no full text, at most
        `limit`, leaving out the ids in `skip`."""
        with self.lock:
            ids = self._by_field["source"].get(source.lower(), set())
            docs, when, inline = self._docs, self._when, self._inline_text
            wanting = [
                i
                for i in ids
                if i not in skip and docs[i].link and docs[i].text_ref is None and i not in inline
            ]
            wanting.sort(key=lambda i: -when.get(i, 0.0))
            return [(i, docs[i].link or "") for i in wanting[:limit]]

    def knows(self, article: Article) -> bool:
        """True when the article (by id, or by its link within the source) is stored. Exact
        only once the store is `complete`."""
        if article.id in self._docs:
            return True
        return bool(article.link and (article.source, article.link) in self._links)

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
            by_day: dict[str, list[StagedArticle]] = {}
            by_shard: dict[str, list[StagedArticle]] = {}
            seen: set[str] = set()
            docs, links = self._docs, self._links
            revised: dict[str, StagedArticle] = {}
            for item in staged:
                ident, record = item.record.id, item.record
                if ident in docs:
                    if self._changed(docs[ident], record):
                        revised[ident] = item
                    continue
                if ident in seen:
                    continue
                if record.link and (record.source, record.link) in links:
                    continue
                seen.add(ident)
                by_day.setdefault(item.key, []).append(item)
            for day, items in by_day.items():
                by_shard.update(self._into_shards(day, items))
            new_ids: list[str] = []
            written: list[str] = []
            try:
                for key, items in by_shard.items():
                    texts = [(item.doc, item.text) for item in items if item.text]
                    if texts:
                        self._append_texts(key, texts)
                    shard = self._get_shard(key)
                    shard.db.table(TABLE, cache_size=0).insert_multiple(item.doc for item in items)
                    shard.signature = shard.storage._signature
                    records = []
                    for item in items:
                        ref = item.doc.get("text_ref")
                        if ref:
                            item.record.text_ref = (ref[0], ref[1], ref[2])
                        records.append(item.record)
                    self._index_many(records, key)
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
                self._insert_orders(new_ids)
                for key, shard in self._shards.items():
                    if key not in written:  # keep only the shards just written parsed
                        shard.storage.forget()
                for key in written:
                    self._write_rows(key)
                    self._slim(key)
                self._save_map()
            return new_ids

    def _revise(self, revised: dict[str, StagedArticle]) -> list[str]:
        """Give stored articles the title and summary their source now gives them, keeping
        what they said before as revisions (an edited headline is never lost, and never a
        second article). Returns the shards written."""
        by_shard: dict[str, dict[str, StagedArticle]] = {}
        for ident, item in revised.items():
            by_shard.setdefault(self._docs[ident].shard, {})[ident] = item
        for key, items in by_shard.items():
            shard = self._get_shard(key)
            shard.db.table(TABLE, cache_size=0).update(
                _revision_setter(items), lambda d, items=items: d.get("id") in items
            )
            shard.signature = shard.storage._signature
            for ident, item in items.items():
                record = self._docs[ident]
                record.title, record.summary = item.record.title, item.record.summary
                if ident in self._digests:  # a lean store keeps the digest only
                    self._digests[ident] = hash((record.title, record.summary))
                    record.title = record.summary = ""
                if self._words is not None and self._titles is not None:
                    self._words.add(ident, record.haystack)
                    self._titles.add(ident, record.title.lower())
        self._revised.update(revised)
        return list(by_shard)

    def revisions(self, ident: str) -> list[dict[str, str]]:
        """What a stored article said before its source changed it, oldest first:
        {"seen" (when that version was first seen, UTC), "title", "summary"}."""
        with self.lock:
            record = self._docs.get(ident)
            if record is None:
                return []
            shard = self._get_shard(record.shard)
            try:
                doc = shard.db.table(TABLE, cache_size=0).get(lambda d: d.get("id") == ident)
            except (OSError, ValueError):
                return []
            found = doc.get("revisions") if isinstance(doc, dict) else None
            return [r for r in found or [] if isinstance(r, dict)]

    def _into_shards(
        self, day: str, items: list[StagedArticle]
    ) -> Iterator[tuple[str, list[StagedArticle]]]:
        """Where a day's new articles go: its newest shard while it holds fewer than
        SHARD_ARTICLES, then new shards of that day (`DAY.001`, `DAY.002`, …). A write thus
        rewrites at most a shard's worth of old articles, however big the day is."""
        keys = [k for k in self._members if k == day or k.startswith(day + ".")]
        last = max(keys, key=_shard_rank) if keys else day
        number = int(last.partition(".")[2] or 0)
        room = SHARD_ARTICLES - len(self._members.get(last, ()))
        start = 0
        while start < len(items):
            if room <= 0:
                number += 1
                last, room = f"{day}.{number:03d}", SHARD_ARTICLES
            yield last, items[start : start + room]
            start += room
            room = 0

    def _append_texts(self, key: str, pairs: list[tuple[dict[str, Any], str]]) -> None:
        path = self.dir / f"text-{key}.jsonl"
        with open(path, "ab") as handle:
            offset = handle.tell()
            if offset:
                with open(path, "rb") as check:
                    check.seek(offset - 1)
                    if check.read(1) != b"\n":  # a torn last line: start clean after it
                        handle.write(b"\n")
                        offset += 1
            for doc, text in pairs:
                line = orjson.dumps({"id": doc["id"], "text": text}) + b"\n"
                handle.write(line)
                doc["text_ref"] = [key, offset, len(line)]
                offset += len(line)
            handle.flush()
            os.fsync(handle.fileno())

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
            by_shard: dict[str, list[tuple[dict[str, Any], str]]] = {}
            for ident, text in pairs:
                record = self._docs.get(ident)
                if record is not None:
                    by_shard.setdefault(record.shard, []).append(({"id": ident}, text))
            try:
                for key, holders in by_shard.items():
                    self._append_texts(
                        key, holders
                    )  # text-kept.jsonl for kept ones: retention never drops it
                    refs = {holder["id"]: holder["text_ref"] for holder, _ in holders}
                    shard = self._get_shard(key)
                    shard.db.table(TABLE, cache_size=0).update(
                        _text_refs_setter(refs), lambda d, refs=refs: d.get("id") in refs
                    )
                    shard.signature = shard.storage._signature
                    for ident, ref in refs.items():
                        self._docs[ident].text_ref = tuple(ref)
                        self._inline_text.pop(ident, None)
                    if self._words is not None:
                        for holder, text in holders:
                            self._words.add(holder["id"], text.lower())
                    self._write_rows(key)
                self._save_map()
            except OSError as exc:
                raise StoreWriteError(
                    f"{self.dir}: cannot write full texts ({exc.strerror or exc})", []
                ) from exc
            return sum(len(holders) for holders in by_shard.values())

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def get(self, ident: str) -> Article | None:
        record = self._docs.get(ident)
        if record is None:
            return None
        return _article(record)

    def text(self, ident: str) -> str | None:
        """The full text of an article, or None if it has none."""
        record = self._docs.get(ident)
        if record is None:
            return None
        if ident in self._inline_text:
            return self._inline_text[ident]
        ref = record.text_ref
        if not ref:
            return None
        try:
            with open(self.dir / f"text-{ref[0]}.jsonl", "rb") as handle:
                return _read_text(handle, ref, ident)
        except OSError:
            return None

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]:
        """Articles newest first that match the query."""
        return [_article(self._docs[i]) for i in self.query_ids(query, limit)]

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        """Ids newest first. Time bounds cut a slice of the date order; source, tag, lang and
        (once built) word indexes give candidates; every candidate is checked by the query."""
        with self.lock:
            if query is None or query.is_empty:
                return list(self._order_ids[:limit] if limit is not None else self._order_ids)
            lo, hi = self._window(query)
            candidates, known = self._candidates(query)
            only = known.get(0) if len(query.clauses) == 1 else None
            if only is not None and only.rest is True and not only.hold:  # "-word" alone
                fail = only.fail
                kept = [i for i in self._order_ids[lo:hi] if i not in fail]
                return kept[:limit] if limit is not None else kept
            pool: Iterable[str]
            if candidates is None:
                pool = (self._order_ids[n] for n in range(lo, hi))
            elif len(candidates) * 8 > hi - lo:
                pool = (
                    self._order_ids[n] for n in range(lo, hi) if self._order_ids[n] in candidates
                )
            else:
                first = self._order_keys[lo] if lo < hi else 0.0
                last = self._order_keys[hi - 1] if lo < hi else -1.0
                when, docs = self._when, self._docs
                pool = sorted(
                    (i for i in candidates if i in when and first <= -when[i] <= last),
                    key=lambda i: (-when[i], docs[i].seq),
                )
            out: list[str] = []
            docs = self._docs
            sure = only.hold if only is not None else frozenset()  # a one-clause query's
            with _TextReader(self.dir, self._inline_text) as text_of:
                for ident in pool:
                    if ident in sure or query.matches(docs[ident], known, text_of):
                        out.append(ident)
                        if limit is not None and len(out) >= limit:
                            break
            return out

    def _window(self, query: Query) -> tuple[int, int]:
        """The slice of the date order that since:/before: allow."""
        lo, hi = 0, len(self._order_ids)
        for clause in query.clauses:
            if len(clause) != 1 or clause[0].negated or clause[0].bound is None:
                continue
            term = clause[0]
            cut = -(term.bound or 0.0)
            if term.field == "since":  # when >= bound, i.e. key <= -bound
                hi = min(hi, bisect.bisect_right(self._order_keys, cut))
            else:  # before: when < bound, i.e. key > -bound
                lo = max(lo, bisect.bisect_right(self._order_keys, cut))
        return lo, max(lo, hi)

    def _candidates(self, query: Query) -> tuple[set[str] | None, dict[int, Verdicts]]:
        """A superset of the matches from the indexes (None when no clause can use one), and
        per clause what the indexes decide exactly, so most articles need no text check."""
        best: set[str] | None = None
        known: dict[int, Verdicts] = {}
        for number, clause in enumerate(query.clauses):
            union: set[str] = set()
            sure: set[str] = set()
            usable = True
            for term in clause:
                if len(clause) == 1 and term.negated and self._term_exact(term):
                    found = self._term_candidates(dataclasses.replace(term, negated=False))
                    if found is not None:
                        known[number] = Verdicts(fail=found, rest=True)
                found = self._term_candidates(term)
                if found is None:
                    usable = False
                    continue
                if self._term_exact(term):
                    sure |= found
                union |= found
            if sure:
                known[number] = Verdicts(
                    hold=sure, rest=False if usable and sure == union else None
                )
            if usable:
                best = union if best is None else best & union
                if not best:
                    break
        return best, known

    def _term_exact(self, term: Term) -> bool:
        """Whether the index answer for this term (negation aside) is exactly its matches."""
        if term.field in (None, "title") and self._revised:
            return False  # an index only adds words: a revised title's old ones are still in
        if term.field is None:
            return self._words is not None and WordIndex.is_exact(term.value)
        if term.field == "title":
            return self._titles is not None and WordIndex.is_exact(term.value)
        return term.field in ("source", "tag")

    def _term_candidates(self, term: Term) -> set[str] | None:
        if term.negated:
            return None
        if term.field is None:
            return self._words.candidates(term.value) if self._words is not None else None
        if term.field == "title":
            return self._titles.candidates(term.value) if self._titles is not None else None
        table = self._by_field.get(term.field)
        if table is None:
            return None
        return table.get(term.value.split("-")[0] if term.field == "lang" else term.value, set())

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]:
        for ident in ids:
            record = self._docs.get(ident)
            if record is not None:
                yield _article(record)

    def sources_count(self) -> dict[str, int]:
        """Articles per source name, from the index (no pass over the articles)."""
        return self._counts("source", lambda record: [record.source])

    def tags_count(self) -> dict[str, int]:
        """Articles per tag, from the index."""
        return self._counts("tag", lambda record: list(record.tags))

    def _counts(self, field: str, names: Callable[[Record], list[str]]) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for key, ids in self._by_field[field].items():
                if not ids:
                    continue
                sample = self._docs[next(iter(ids))]
                shown = next((n for n in names(sample) if n.lower() == key), key)
                counts[shown] = counts.get(shown, 0) + len(ids)
            return counts

    def reload(self) -> list[str]:
        """Pick up what another process wrote; returns ids that are new here."""
        with self.lock, _no_gc():
            new: list[str] = []
            present = {
                m.group(1)
                for p in self.dir.glob("articles-*.json")
                if (m := SHARD_RE.match(p.name))
            }
            gone = [key for key in self._shards if key not in present]
            for key in gone:
                self._drop_shard(key)
            for key in sorted(present - set(self._pending)):  # load_rest() brings those
                shard = self._shards.get(key)
                if shard is None or stat_signature(self.shard_path(key)) != shard.signature:
                    new.extend(self._load_shard(key))
            self._insert_orders(new)
            if gone:
                self._rebuild_order()
            self._read_state()
            return new

    def _drop_shard(self, key: str) -> None:
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        for ident in list(self._members.get(key, ())):
            self._unindex(ident)
        self._members.pop(key, None)
        if self._map.pop(key, None) is not None:
            self._map_changed = True

    # -- read / starred state -------------------------------------------------------------
    def _read_state(self) -> None:
        path = self.dir / "state.json"
        signature = stat_signature(path)
        if signature == self._state_signature:
            return
        try:
            data = orjson.loads(path.read_bytes()) if signature else {}
        except (OSError, orjson.JSONDecodeError):
            self.problems.append("state.json cannot be read; read/starred marks start empty")
            data = {}
        marks = data.get("marks", {}) if isinstance(data, dict) else {}
        self._apply_marks(marks if isinstance(marks, dict) else {})
        self._state_signature = signature

    def _apply_marks(self, marks: dict[str, dict[str, bool]]) -> None:
        """Make records carry the new marks, touching only the ones that changed."""
        old = self._state
        self._state = marks
        for ident in old.keys() | marks.keys():
            if old.get(ident) == marks.get(ident):
                continue
            record = self._docs.get(ident)
            if record is not None:
                now = marks.get(ident) or {}
                record.read, record.starred = bool(now.get("read")), bool(now.get("starred"))

    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Change read/starred marks; safe from any process (a short lock on state.lock)."""
        with self.lock:
            ids = list(ids)
            with exclusive_lock(self.dir / "state.lock"):
                self._state_signature = None
                self._read_state()
                state = dict(self._state)
                for ident in ids:
                    marks = dict(state.get(ident, {}))
                    if read is not None:
                        marks["read"] = read
                    if starred is not None:
                        marks["starred"] = starred
                    marks = {k: v for k, v in marks.items() if v}
                    if marks:
                        state[ident] = marks
                    else:
                        state.pop(ident, None)
                path = self.dir / "state.json"
                atomic_write_bytes(path, orjson.dumps({"schema": SCHEMA_VERSION, "marks": state}))
                self._apply_marks(state)
                self._state_signature = stat_signature(path)

    # -- retention ----------------------------------------------------------------------------
    def apply_retention(self, days: int, now: datetime) -> int:
        """Delete whole day shards older than `days`, keeping starred articles. Returns count."""
        with self.lock:
            self._require_writer()
            self._read_state()  # a viewer may have starred an old article since
            cutoff = (now - timedelta(days=days)).astimezone(UTC).strftime("%Y-%m-%d")
            removed = 0
            for key in sorted(k for k in list(self._shards) if k != "kept" and k < cutoff):
                ids = [i for i, r in self._docs.items() if r.shard == key]
                keep = [i for i in ids if self._state.get(i, {}).get("starred")]
                kept_docs = []
                for ident in keep:
                    doc = _doc_from_record(self._docs[ident])
                    if ident in self._digests:  # a lean store: the words are on disk only
                        table = self._get_shard(key).db.table(TABLE, cache_size=0)
                        stored = table.get(lambda d, ident=ident: d.get("id") == ident)
                        if isinstance(stored, dict):
                            doc = {k: v for k, v in stored.items() if k != "text_ref"}
                    doc["text"] = self.text(ident)
                    kept_docs.append(doc)
                if kept_docs:  # kept first: if the disk refuses, the day stays as it was
                    kept = self._get_shard("kept")
                    try:
                        kept.db.table(TABLE, cache_size=0).insert_multiple(kept_docs)
                    except OSError as exc:
                        self._rebuild_order()
                        raise StoreWriteError(
                            f"{self.dir}: retention cannot write ({exc.strerror or exc}); "
                            "the old days stay until the next try",
                            [],
                        ) from exc
                    kept.signature = kept.storage._signature
                self._drop_shard(key)
                if kept_docs:
                    for doc in kept_docs:
                        if doc.get("text"):
                            self._inline_text[doc["id"]] = doc["text"]
                        self._index(_record_from_doc(doc), "kept")
                with contextlib.suppress(OSError):
                    self.shard_path(key).unlink()
                with contextlib.suppress(OSError):
                    (self.dir / f"text-{key}.jsonl").unlink()
                with contextlib.suppress(OSError):
                    self._rows_path(key).unlink()
                removed += len(ids) - len(keep)
            self._rebuild_order()
            self._save_map()
            return removed

    # -- source health --------------------------------------------------------------------
    def load_health(self) -> dict[str, SourceHealth]:
        path = self.dir / "sources.json"
        try:
            data = orjson.loads(path.read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return {
            name: SourceHealth.from_record(rec)
            for name, rec in data.items()
            if isinstance(rec, dict) and "name" in rec
        }

    def save_health(self, health: dict[str, SourceHealth]) -> None:
        self._require_writer()
        try:
            atomic_write_bytes(
                self.dir / "sources.json",
                orjson.dumps({n: h.to_record() for n, h in health.items()}),
            )
        except OSError as exc:
            raise StoreWriteError(
                f"{self.dir}: cannot save source health ({exc.strerror or exc})", []
            ) from exc


def _differs(stored: Record, fresh: Record | Article) -> bool:
    """A new version of a stored article: its source now gives another title or summary."""
    return stored.title != fresh.title or stored.summary != fresh.summary


MAX_REVISIONS = 50  # versions kept per article; the oldest go first


def _revision_setter(items: dict[str, StagedArticle]) -> Callable[[MutableMapping[str, Any]], None]:
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


def _text_refs_setter(refs: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that points documents at their appended full texts."""

    def attach(doc: MutableMapping[str, Any]) -> None:
        doc["text_ref"], doc["text"] = refs[doc["id"]], None

    return attach


def _lock_exclusive(handle: Any, tries: int = 10) -> None:
    """Take the writer lock, or BlockingIOError. A viewer checking whether a writer runs holds
    the lock shared for microseconds; a few tries apart keep that from refusing a writer."""
    for attempt in range(tries):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == tries - 1:
                raise
            time.sleep(0.02)


def _read_text(handle: Any, ref: tuple[str, int, int], ident: str) -> str | None:
    """The text at `ref` in an open text file, if that line is this article's."""
    try:
        handle.seek(ref[1])
        value = orjson.loads(handle.read(ref[2]))
    except (OSError, orjson.JSONDecodeError, ValueError):
        return None
    if not isinstance(value, dict) or value.get("id") != ident:
        return None
    text = value.get("text")
    return text if isinstance(text, str) else None


class _TextReader:
    """Full texts for one query's checks: each text file is opened once, not per article."""

    def __init__(self, folder: Path, inline: dict[str, str]) -> None:
        self.dir = folder
        self.inline = inline
        self.handles: dict[str, Any] = {}

    def __enter__(self) -> _TextReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles.values():
            if handle is not None:
                handle.close()

    def __call__(self, record: Record) -> str | None:
        text = self.inline.get(record.id)
        if text is not None:
            return text
        ref = record.text_ref
        if not ref:
            return None
        handle = self.handles.get(ref[0], False)
        if handle is False:
            try:
                handle = open(self.dir / f"text-{ref[0]}.jsonl", "rb")  # noqa: SIM115
            except OSError:
                handle = None  # gone with its shard: no text to look in
            self.handles[ref[0]] = handle
        return _read_text(handle, ref, record.id) if handle is not None else None


def _with_texts(
    folder: Path, records: list[Record], inline: dict[str, str]
) -> Iterator[tuple[Record, str | None]]:
    """Each record with its full text, reading each text file once, in order."""
    by_file: dict[str, list[Record]] = {}
    for record in records:
        if record.id in inline:
            yield record, inline[record.id]
        elif record.text_ref:
            by_file.setdefault(record.text_ref[0], []).append(record)
        else:
            yield record, None
    for key, group in by_file.items():
        group.sort(key=lambda r: r.text_ref[1] if r.text_ref else 0)
        try:
            handle = open(folder / f"text-{key}.jsonl", "rb")  # noqa: SIM115
        except OSError:
            for record in group:
                yield record, None
            continue
        with handle:
            for record in group:
                assert record.text_ref is not None
                yield record, _read_text(handle, record.text_ref, record.id)


def _words_of(record: Record, text: str | None) -> str:
    """What the word index holds of an article: its title, summary and full text."""
    return f"{record.haystack}\n{text.lower()}" if text else record.haystack


def _field_keys(record: Record) -> Iterator[tuple[str, str]]:
    """The (index, key) pairs an article is filed under: source, each tag, its language."""
    yield "source", record.source.lower()
    for tag in record.tags:
        yield "tag", tag.lower()
    if record.lang:
        yield "lang", record.lang.lower().split("-")[0]


_FIELDS = ("id", "source", "title", "summary", "link", "published", "fetched", "tags")
_take = operator.itemgetter(*_FIELDS)
_iso_seconds = datetime.fromisoformat


def _record_from_doc(doc: dict[str, Any]) -> Record:
    """The in-memory form of a stored document; repeated strings are interned.

    Raises TypeError or KeyError for a document of the wrong shape (a hand-edited shard)."""
    try:
        ident, source, title, summary, link, published, fetched, tags = _take(doc)
    except KeyError:  # written by hand or by an older version: fill the gaps
        ident = doc["id"]
        get = doc.get
        source, title, summary, link = get("source"), get("title"), get("summary"), get("link")
        published, fetched, tags = get("published"), get("fetched"), get("tags")
    intern = sys.intern
    when = None
    if published:
        with contextlib.suppress(ValueError):
            when = _iso_seconds(published).timestamp()
    record = Record(
        ident,
        intern(source or ""),
        title or "",
        summary or "",
        link,
        when,
        fetched if isinstance(fetched, str) else None,  # parsed when first needed
        tuple(map(intern, tags)) if tags else (),
    )
    if "lang" in doc or "text_ref" in doc or "author" in doc or "guid" in doc:
        get = doc.get
        lang, ref = get("lang"), get("text_ref")
        record.lang = intern(lang) if lang else None
        record.author = get("author")
        record.guid = get("guid")
        record.text_ref = (ref[0], ref[1], ref[2]) if ref else None
    listed = doc.get("listed")
    if listed:
        with contextlib.suppress(ValueError, TypeError):
            record.listed = _iso_seconds(listed).timestamp()
    return record


def _row(record: Record) -> list[Any]:
    """A record as the row cache keeps it (times as seconds, nothing left to parse)."""
    return [
        record.id,
        record.source,
        record.title,
        record.summary,
        record.link,
        record.published,
        record.fetched,
        list(record.tags),
        record.lang,
        record.author,
        record.guid,
        list(record.text_ref) if record.text_ref else None,
        record.listed,
    ]


def _record_from_row(row: list[Any]) -> Record:
    """A record from the row cache. The cache is derived data and is never trusted: a value
    of the wrong type raises TypeError or ValueError, and the shard itself is read instead."""
    intern = sys.intern
    ident, title, summary, link, published, fetched = row[0], row[2], row[3], row[4], row[5], row[6]
    tags, lang, author, guid, ref = row[7], row[8], row[9], row[10], row[11]
    if (
        type(ident) is not str
        or type(title) is not str
        or type(summary) is not str
        or not (link is None or type(link) is str)
        or not (author is None or type(author) is str)
        or not (guid is None or type(guid) is str)
    ):
        raise TypeError("a row of the wrong shape")
    record = Record(
        ident,
        intern(row[1]),
        title,
        summary,
        link,
        None if published is None else float(published),
        None if fetched is None else float(fetched),
        tuple(map(intern, tags)) if tags else (),
        intern(lang) if lang else None,
        author,
        guid,
        (intern(ref[0]), int(ref[1]), int(ref[2])) if ref else None,
    )
    listed = row[12]
    record.listed = None if listed is None else float(listed)
    return record


def _doc_from_record(record: Record) -> dict[str, Any]:
    return _to_doc(_article(record))


@dataclass(slots=True)
class StagedArticle:
    """An article made ready to store: its shard, its document and its in-memory record."""

    key: str  # the UTC day it was fetched
    doc: dict[str, Any]
    record: Record
    text: str | None


def stage(articles: Iterable[Article]) -> list[StagedArticle]:
    """Prepare articles for `Store.add_staged`. Pure: touches no store, so a poller can do it
    for each source as its articles arrive rather than all at once in the cycle's write."""
    out: list[StagedArticle] = []
    stamps: dict[datetime, tuple[str, str]] = {}  # a feed's articles share one fetch time
    intern = sys.intern
    for article in articles:
        fetched = article.fetched or datetime.now(UTC)
        stamp = stamps.get(fetched)
        if stamp is None:
            iso = utc_iso(fetched) or ""
            stamp = stamps[fetched] = (iso[:10], iso)
        doc = _to_doc(article, stamp[1])
        published = article.published
        record = Record(
            article.id,
            intern(article.source),
            article.title,
            article.summary,
            article.link,
            float(math.floor(published.timestamp())) if published is not None else None,
            stamp[1],
            tuple(map(intern, article.tags)),
            intern(article.lang) if article.lang else None,
            article.author or None,
            article.guid or None,
        )
        if article.listed is not None:
            record.listed = float(math.floor(article.listed.timestamp()))
        out.append(StagedArticle(stamp[0], doc, record, article.text or None))
    return out


def _to_doc(article: Article, fetched: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "id": article.id,
        "source": article.source,
        "title": article.title,
        "link": article.link,
        "published": utc_iso(article.published),
        "fetched": fetched or utc_iso(article.fetched),
        "summary": article.summary,
        "tags": list(article.tags),
    }
    for key in ("lang", "author", "guid"):
        value = getattr(article, key)
        if value:
            doc[key] = value
    if article.listed is not None:
        doc["listed"] = utc_iso(article.listed)
    if article.revisions:
        doc["revisions"] = list(article.revisions)
    return doc


def _article(record: Record) -> Article:
    return Article(
        id=record.id,
        source=record.source,
        title=record.title,
        link=record.link,
        published=datetime.fromtimestamp(record.published, UTC)
        if record.published is not None
        else None,
        fetched=datetime.fromtimestamp(record.fetched, UTC) if record.fetched is not None else None,
        summary=record.summary,
        text=None,
        tags=list(record.tags),
        lang=record.lang,
        author=record.author,
        guid=record.guid,
        read=record.read,
        starred=record.starred,
        listed=datetime.fromtimestamp(record.listed, UTC) if record.listed is not None else None,
    )
