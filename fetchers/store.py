"""The article store: day-sharded TinyDB files, crash-safe, with in-memory indexes.

Layout of a data dir:

    meta.json                   schema version
    articles-YYYY-MM-DD.json    one TinyDB per UTC day an article was first fetched
    articles-kept.json          starred articles whose day shard retention removed
    text-YYYY-MM-DD.jsonl       full texts, append-only, referenced by offset from the article
    state.json                  read / starred marks (any process may write it, under state.lock)
    sources.json                per-source health and HTTP validators (the writer's)
    writer.lock                 held by the one process that writes articles

TinyDB rewrites a whole file on every write and re-parses it on every read; so each shard is
small (one day), written once per poll cycle, through a storage that writes atomically and
caches the parsed file while its stat is unchanged. Viewers never lock: they reload only the
shards whose stat changed.
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import os
import re
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from tinydb import TinyDB

from fetchers.atomic import (
    AtomicJSONStorage,
    atomic_write_bytes,
    remove_stale_temps,
    stat_signature,
)
from fetchers.models import Article, SourceHealth, from_utc_iso, utc_iso
from fetchers.query import Query, Record

SCHEMA_VERSION = 1
TABLE = "articles"
SHARD_RE = re.compile(r"^articles-(\d{4}-\d{2}-\d{2}|kept)\.json$")


class StoreError(Exception):
    """The store cannot be used as asked."""


class StoreLocked(StoreError):
    """Another process is the writer."""


@dataclass(slots=True)
class Shard:
    key: str  # YYYY-MM-DD or "kept"
    db: TinyDB
    storage: AtomicJSONStorage
    signature: tuple[int, int, int] | None = None


def _timestamp(doc: dict[str, Any]) -> float:
    when = from_utc_iso(doc.get("published")) or from_utc_iso(doc.get("fetched"))
    return when.timestamp() if when else 0.0


class Store:
    """Articles, their state and source health in one data dir.

    `writer=True` takes the writer lock (StoreLocked if another process has it); a store opened
    without it is a viewer that can still change read/starred state.
    """

    def __init__(self, data_dir: Path, writer: bool = False) -> None:
        self.dir = Path(data_dir)
        self.problems: list[str] = []
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
        self._docs: dict[str, dict[str, Any]] = {}
        self._shard_of: dict[str, str] = {}
        self._records: dict[str, Record] = {}
        self._order_keys: list[float] = []  # negated timestamps, ascending = newest first
        self._order_ids: list[str] = []
        self._links: dict[tuple[str, str], str] = {}
        self._state: dict[str, dict[str, bool]] = {}
        self._state_signature: tuple[int, int, int] | None = None
        self._open()

    # -- opening and locking ---------------------------------------------------------------
    def acquire_writer(self) -> None:
        handle = open(self.dir / "writer.lock", "a+")  # noqa: SIM115 - held for our lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f" (pid {holder})" if holder else ""
            raise StoreLocked(
                f"{self.dir} is being written by another wirewatch process{who}"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
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

    def close(self) -> None:
        for shard in self._shards.values():
            shard.db.close()
        if self._lock_handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._lock_handle, fcntl.LOCK_UN)
            self._lock_handle.close()
            self._lock_handle = None
            self.is_writer = False

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _open(self) -> None:
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
        for path in sorted(self.dir.glob("articles-*.json")):
            match = SHARD_RE.match(path.name)
            if match:
                self._load_shard(match.group(1))
        self._rebuild_order()
        self._read_state()

    def _migrate(self, from_version: int) -> None:
        """Bring an older store to SCHEMA_VERSION. Version 1 is the first; nothing to do yet."""

    def _shard_path(self, key: str) -> Path:
        return self.dir / f"articles-{key}.json"

    def _get_shard(self, key: str) -> Shard:
        shard = self._shards.get(key)
        if shard is None:
            storage_box: list[AtomicJSONStorage] = []

            def make_storage(path: str) -> AtomicJSONStorage:
                storage = AtomicJSONStorage(path)
                storage_box.append(storage)
                return storage

            db = TinyDB(str(self._shard_path(key)), storage=make_storage)
            shard = Shard(key=key, db=db, storage=storage_box[0])
            self._shards[key] = shard
        return shard

    def _load_shard(self, key: str) -> list[str]:
        """(Re)index one shard; a shard that cannot be read is moved aside and reported."""
        shard = self._get_shard(key)
        try:
            data = shard.storage.read() or {}
            table = data.get(TABLE, {})
            if not isinstance(table, dict):
                raise ValueError("the articles table is not an object")
        except (ValueError, OSError) as exc:
            self._quarantine(key, exc)
            return []
        shard.signature = shard.storage._signature
        added: list[str] = []
        for doc in table.values():
            if not isinstance(doc, dict) or "id" not in doc:
                continue
            ident = doc["id"]
            if ident in self._docs:
                continue
            self._index(doc, key)
            added.append(ident)
        return added

    def _quarantine(self, key: str, exc: Exception) -> None:
        path = self._shard_path(key)
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        if not self.is_writer:
            self.problems.append(f"{path.name} cannot be read ({exc}); skipped")
            return
        aside = path.with_name(f"{path.name}.corrupt-{int(time.time())}")
        try:
            os.replace(path, aside)
        except OSError:
            aside = path
        self.problems.append(f"{path.name} cannot be read ({exc}); moved aside to {aside.name}")

    def _index(self, doc: dict[str, Any], key: str) -> None:
        ident = doc["id"]
        self._docs[ident] = doc
        self._shard_of[ident] = key
        if doc.get("link"):
            self._links[(doc["source"], doc["link"])] = ident

    def _record(self, ident: str) -> Record:
        record = self._records.get(ident)
        state = self._state.get(ident, {})
        read, starred = bool(state.get("read")), bool(state.get("starred"))
        if record is None or record.read != read or record.starred != starred:
            doc = self._docs[ident]
            record = Record(
                haystack=f"{doc.get('title', '')}\n{doc.get('summary', '')}".lower(),
                source=doc.get("source", ""),
                tags=tuple(doc.get("tags") or ()),
                lang=doc.get("lang"),
                when=_timestamp(doc),
                read=read,
                starred=starred,
            )
            self._records[ident] = record
        return record

    def _rebuild_order(self) -> None:
        pairs = sorted(((-_timestamp(doc), ident) for ident, doc in self._docs.items()))
        self._order_keys = [p[0] for p in pairs]
        self._order_ids = [p[1] for p in pairs]

    def _insert_order(self, ident: str) -> None:
        key = -_timestamp(self._docs[ident])
        at = bisect.bisect_right(self._order_keys, key)
        self._order_keys.insert(at, key)
        self._order_ids.insert(at, ident)

    # -- writing ----------------------------------------------------------------------------
    def _require_writer(self) -> None:
        if not self.is_writer:
            raise StoreError("this store was opened read-only (another process is the writer)")

    def knows(self, article: Article) -> bool:
        """True when the article (by id, or by its link within the source) is stored."""
        if article.id in self._docs:
            return True
        return bool(article.link and (article.source, article.link) in self._links)

    def add_batch(self, articles: Iterable[Article]) -> list[str]:
        """Store the articles not yet known; one write per touched shard. Returns new ids."""
        with self.lock:
            self._require_writer()
            by_shard: dict[str, list[dict[str, Any]]] = {}
            texts: dict[str, list[tuple[dict[str, Any], str]]] = {}
            seen: set[str] = set()
            for article in articles:
                if self.knows(article) or article.id in seen:
                    continue
                seen.add(article.id)
                fetched = article.fetched or datetime.now(UTC)
                key = fetched.astimezone(UTC).strftime("%Y-%m-%d")
                doc = _to_doc(article)
                by_shard.setdefault(key, []).append(doc)
                if article.text:
                    texts.setdefault(key, []).append((doc, article.text))
            for key, pairs in texts.items():
                self._append_texts(key, pairs)
            new_ids: list[str] = []
            for key, docs in by_shard.items():
                shard = self._get_shard(key)
                shard.db.table(TABLE, cache_size=0).insert_multiple(docs)
                shard.signature = shard.storage._signature
                for doc in docs:
                    self._index(doc, key)
                    self._insert_order(doc["id"])
                    new_ids.append(doc["id"])
            return new_ids

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
        with self.lock:
            self._require_writer()
            doc = self._docs.get(ident)
            if doc is None:
                raise StoreError(f"no article {ident}")
            key = self._shard_of[ident]
            day = key if key != "kept" else datetime.now(UTC).strftime("%Y-%m-%d")
            self._append_texts(day, [(doc, text)])
            shard = self._get_shard(key)
            shard.db.table(TABLE, cache_size=0).update(
                {"text_ref": doc["text_ref"]}, lambda d: d.get("id") == ident
            )
            shard.signature = shard.storage._signature

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._docs)

    def get(self, ident: str) -> Article | None:
        doc = self._docs.get(ident)
        if doc is None:
            return None
        return self._article(doc)

    def _article(self, doc: dict[str, Any]) -> Article:
        state = self._state.get(doc["id"], {})
        return _from_doc(doc, bool(state.get("read")), bool(state.get("starred")))

    def text(self, ident: str) -> str | None:
        """The full text of an article, or None if it has none."""
        doc = self._docs.get(ident)
        if doc is None:
            return None
        if doc.get("text"):
            return str(doc["text"])
        ref = doc.get("text_ref")
        if not ref:
            return None
        key, offset, length = ref
        try:
            with open(self.dir / f"text-{key}.jsonl", "rb") as handle:
                handle.seek(offset)
                line = handle.read(length)
            value = orjson.loads(line)
        except (OSError, orjson.JSONDecodeError, ValueError):
            return None
        return value.get("text") if value.get("id") == ident else None

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]:
        """Articles newest first that match the query."""
        return [self._article(self._docs[i]) for i in self.query_ids(query, limit)]

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        with self.lock:
            out: list[str] = []
            for ident in self._order_ids:
                if query is None or query.is_empty or query.matches(self._record(ident)):
                    out.append(ident)
                    if limit is not None and len(out) >= limit:
                        break
            return out

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]:
        for ident in ids:
            doc = self._docs.get(ident)
            if doc is not None:
                yield self._article(doc)

    def sources_count(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for doc in self._docs.values():
                counts[doc["source"]] = counts.get(doc["source"], 0) + 1
            return counts

    def tags_count(self) -> dict[str, int]:
        with self.lock:
            counts: dict[str, int] = {}
            for doc in self._docs.values():
                for tag in doc.get("tags") or ():
                    counts[tag] = counts.get(tag, 0) + 1
            return counts

    def reload(self) -> list[str]:
        """Pick up what another process wrote; returns ids that are new here."""
        with self.lock:
            new: list[str] = []
            present = {
                m.group(1)
                for p in self.dir.glob("articles-*.json")
                if (m := SHARD_RE.match(p.name))
            }
            gone = [key for key in self._shards if key not in present]
            for key in gone:
                self._drop_shard(key)
            for key in sorted(present):
                shard = self._shards.get(key)
                if shard is None or stat_signature(self._shard_path(key)) != shard.signature:
                    new.extend(self._load_shard(key))
            for ident in new:
                self._insert_order(ident)
            if gone:
                self._rebuild_order()
            self._read_state()
            return new

    def _drop_shard(self, key: str) -> None:
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        for ident in [i for i, k in self._shard_of.items() if k == key]:
            doc = self._docs.pop(ident, None)
            self._shard_of.pop(ident, None)
            self._records.pop(ident, None)
            if doc and doc.get("link"):
                self._links.pop((doc["source"], doc["link"]), None)

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
        self._state = data.get("marks", {}) if isinstance(data, dict) else {}
        self._state_signature = signature

    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Change read/starred marks; safe from any process (a short lock on state.lock)."""
        with self.lock:
            ids = list(ids)
            with open(self.dir / "state.lock", "a+") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                self._state_signature = None
                self._read_state()
                for ident in ids:
                    marks = dict(self._state.get(ident, {}))
                    if read is not None:
                        marks["read"] = read
                    if starred is not None:
                        marks["starred"] = starred
                    marks = {k: v for k, v in marks.items() if v}
                    if marks:
                        self._state[ident] = marks
                    else:
                        self._state.pop(ident, None)
                path = self.dir / "state.json"
                atomic_write_bytes(
                    path, orjson.dumps({"schema": SCHEMA_VERSION, "marks": self._state})
                )
                self._state_signature = stat_signature(path)

    # -- retention ----------------------------------------------------------------------------
    def apply_retention(self, days: int, now: datetime) -> int:
        """Delete whole day shards older than `days`, keeping starred articles. Returns count."""
        with self.lock:
            self._require_writer()
            cutoff = (now - timedelta(days=days)).astimezone(UTC).strftime("%Y-%m-%d")
            removed = 0
            for key in sorted(k for k in list(self._shards) if k != "kept" and k < cutoff):
                ids = [i for i, k in self._shard_of.items() if k == key]
                keep = [i for i in ids if self._state.get(i, {}).get("starred")]
                kept_docs = []
                for ident in keep:
                    doc = dict(self._docs[ident])
                    doc["text"] = self.text(ident)
                    doc.pop("text_ref", None)
                    kept_docs.append(doc)
                self._drop_shard(key)
                if kept_docs:
                    kept = self._get_shard("kept")
                    kept.db.table(TABLE, cache_size=0).insert_multiple(kept_docs)
                    kept.signature = kept.storage._signature
                    for doc in kept_docs:
                        self._index(doc, "kept")
                with contextlib.suppress(OSError):
                    self._shard_path(key).unlink()
                with contextlib.suppress(OSError):
                    (self.dir / f"text-{key}.jsonl").unlink()
                removed += len(ids) - len(keep)
            self._rebuild_order()
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
        atomic_write_bytes(
            self.dir / "sources.json", orjson.dumps({n: h.to_record() for n, h in health.items()})
        )


def _to_doc(article: Article) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "v": SCHEMA_VERSION,
        "id": article.id,
        "source": article.source,
        "title": article.title,
        "link": article.link,
        "published": utc_iso(article.published),
        "fetched": utc_iso(article.fetched),
        "summary": article.summary,
        "tags": list(article.tags),
    }
    for key in ("lang", "author", "guid"):
        value = getattr(article, key)
        if value:
            doc[key] = value
    return doc


def _from_doc(doc: dict[str, Any], read: bool, starred: bool) -> Article:
    return Article(
        id=doc["id"],
        source=doc.get("source", ""),
        title=doc.get("title", ""),
        link=doc.get("link"),
        published=from_utc_iso(doc.get("published")),
        fetched=from_utc_iso(doc.get("fetched")),
        summary=doc.get("summary", ""),
        text=None,
        tags=list(doc.get("tags") or []),
        lang=doc.get("lang"),
        author=doc.get("author"),
        guid=doc.get("guid"),
        read=read,
        starred=starred,
    )
