"""`Store`: the articles of one data dir, in day-sharded TinyDB files, crash-safe, with
in-memory indexes. It composes the package's parts: shard files (`shards`, `shardmap`), the
stored forms (`codec`), the indexes (`indexes`), the marks (`marks`), the full texts
(`texts`), the search index and its thread (`search`, `searchthread`), what a lean writer
keeps of the articles it thins (`leanwords`) and the writer lock (`lock`); callers see it as
an `ArticleStore`.

Layout of a data dir (the store's files):

    meta.json                   schema version
    articles-YYYY-MM-DD.json    a TinyDB of articles first fetched that UTC day; a day with more
    articles-YYYY-MM-DD.NNN.json  than SHARD_ARTICLES goes on in numbered shards
    articles-kept.json          starred articles whose day shard retention removed
    text-KEY.jsonl              full texts, append-only, referenced by offset from the article
    text-KEY~N.jsonl            the same rewritten with only the texts referenced, once most
                                are not (a page revised at every poll: see `texts`)
    rows-KEY.json               a shard's records as arrays, a line each, after a header with
                                the shard's stat and each one's source, tags, language (derived)
    shards.json                 what each shard holds, for reading only the shards a query needs
    state.json                  read / starred marks (any process may write it, under state.lock)
    writer.lock                 held by the one process that writes articles
    search.sqlite               the search index of words (FTS5), for word queries and ranking
                                (derived: see `search`)

TinyDB rewrites a whole file on every write and re-parses it on every read; so each shard is
small (one day, at most SHARD_ARTICLES articles), written once per write of a cycle, through a
storage that writes atomically and caches the parsed file while its stat is unchanged. Viewers
never lock: they reload only the shards whose stat changed.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, MutableMapping
from datetime import UTC, datetime, timedelta
from operator import attrgetter
from pathlib import Path
from typing import Any

import orjson

from fetchers import liveness
from fetchers.atomic import (
    atomic_write_bytes,
    note_or_remove,
    remove_stale_temps,
    stat_signature,
)
from fetchers.datafiles import narrow_data_files
from fetchers.foreground import give_way
from fetchers.heap import collector_paused, keep_loaded_out_of_collections
from fetchers.models import (
    Article,
    Retag,
    SourceHealth,
    from_utc_iso,
    retagged,
    seconds_iso,
    utc_iso,
)
from fetchers.query import Query, Record, WordsOf, name_key
from fetchers.store import shardmap, shards
from fetchers.store.codec import (
    SCHEMA_VERSION,
    StagedArticle,
    article_of,
    day_key,
    differs,
    doc_from_record,
    moved,
    record_from_doc,
    revised_contents,
    revision_entries,
    stage,
)
from fetchers.store.errors import (
    DATA_DIR_MODE,
    StoreError,
    StoreWriteError,
    Unreachable,
    data_dir_refused,
)
from fetchers.store.indexes import Indexes, LinkIds, add_link, date_order, drop_link
from fetchers.store.leanwords import LeanWords
from fetchers.store.leanwords import digest as lean_digest
from fetchers.store.lock import WriterLock
from fetchers.store.marks import Marks
from fetchers.store.search import (
    MadeWords,
    RowsKnown,
    SearchIndex,
    SearchUnavailable,
    WordLookup,
)
from fetchers.store.searchthread import SearchThread, Written
from fetchers.store.shardmap import ShardMap
from fetchers.store.shards import KEPT, Shard, Signature
from fetchers.store.texts import (
    TextFiles,
    refs_of,
    text_refs_mover,
    text_refs_setter,
)
from fetchers.store.thin import RowsBack, fill, thin

log = logging.getLogger("wirewatch.store")

_SEQ = attrgetter("seq")


def read_lost(folder: Path) -> list[str]:
    """The shards LOST_FILE notes as lost and not recovered yet; none when it does not read."""
    try:
        data = orjson.loads((folder / LOST_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return []
    if not isinstance(data, list):
        return []
    return [k for k in data if type(k) is str and shards.SHARD_RE.match(f"articles-{k}.json")]


MAP_LAG = 8  # shards.json is rewritten once this many shards' entries changed (see _save_map)
# the days filed after the day it really is (stored under a `--now` ahead of it, or while
# the system clock ran ahead), each with the real day retention first found it so: kept
# retention_days from then, then dropped as an old day is (`Store.apply_retention`)
AHEAD_FILE = "days-ahead.json"
# the day files whose articles a writer lost (moved aside, missing) and no poller has asked
# the feeds for again since: the next writer does (`take_lost`)
LOST_FILE = "lost-days.json"
QUERY_SHARDS_KEPT = 48  # shards whose row caches a query keeps while reading summaries back
READ_CHUNK = 1000  # thin records read back at a time by iter_articles
LOAD_HANDOVER = 0.001  # seconds the load of the rest leaves the lock free after each shard


def _field_setter(field: str, to: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update giving each document of `to` (id -> value) its value of `field` (a
    renamed source's name, a retagged source's tags, a pulled mark); None takes it out."""

    def set_field(doc: MutableMapping[str, Any]) -> None:
        value = to[doc["id"]]
        if value is None:
            doc.pop(field, None)
        else:
            doc[field] = value

    return set_field


def _missing_keys(folder: Path, present: set[str], mapped: ShardMap) -> list[tuple[str, str]]:
    """The keys of the day files a data dir's row caches or shard map name but it lacks,
    each with what names it ("its row cache", "shards.json"); see `Store._missing_at_open`
    for which of the map's count."""
    cached = shards.cached_keys(folder)
    days = [key for key in present if key != KEPT]
    oldest = min(days) if days else None
    named = {key for key in mapped.shards if oldest is None or key > oldest}
    return [
        (key, "its row cache" if key in cached else "shards.json")
        for key in sorted((cached | named) - present - {KEPT})
    ]


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
        lean: bool = False,
    ) -> None:
        """`first`: load only the newest shards holding about that many articles now, and the
        rest when `load_rest()` is called (a dashboard paints the newest screenful first).

        `lean`: for a writer no screen reads (`refresh`, `poll`). The articles of a full shard keep
        no title, summary, guid or author in memory, only a digest of the title and summary
        for revision checks, so a cycle of 100,000 new articles fits a small process.
        `get()`, `records()` and a word a query must check read them back from the shards,
        and the search index is given them before they leave.

        A viewer (without `writer`) keeps thin records (`thin`): summaries, links, authors
        and guids stay on disk and are read back where they are asked for (`get`,
        `record`, `records`, `iter_articles`, a word a query must check), so a million
        articles fit a dashboard."""
        self.dir = Path(data_dir)
        self.problems: list[str] = []
        self.unreadable: list[str] = []  # the shards that could not be read (`_quarantine`)
        # shards whose articles this writer lost (moved aside, missing), until take_lost()
        self._lost: list[str] = []
        # those taken, or found noted by a writer before (LOST_FILE), whose recovery no
        # poller has saved yet (`lost_recovered`): kept noted in LOST_FILE till then
        self._unrecovered: list[str] = []
        self._taken: set[str] = set()  # those of them `take_lost` gave since
        self._order_stale = False  # a shard filed again mid-write (`_writable`)
        self.lock = threading.RLock()  # poll threads write while query threads read
        try:
            self.dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(data_dir_refused(self.dir, exc)) from exc
        self._writer_lock = WriterLock(self.dir)
        if writer:
            self._writer_lock.acquire()
            self._unrecovered = read_lost(self.dir)
        self._thin = not writer  # a viewer: see `thin`
        self._rows_back = self._reader(keep=4)  # one article at a time
        self._shards: dict[str, Shard] = {}
        self._indexes = Indexes(links=writer)
        self._texts = TextFiles(self.dir)
        self._marks = Marks(self.dir, self._indexes.records)
        self._marks_seen = 0  # the marks' changes a screen had drawn at its last look
        self._map = ShardMap()  # the writer's shard map (shards.json)
        self._map_dirty: set[str] = set()  # shards whose entry changed since shards.json
        self._pending: list[str] = []  # shard keys a partial open left for load_rest()
        # articles load_rest() filed that are not in the date order yet (it makes the order
        # outside the lock once every shard is in): the store is not complete meanwhile
        self._unordered = False
        self._ordered = threading.Event()  # clear while a load_rest() makes that order
        self._ordered.set()
        # pending shards of which `newest()` filed only the articles a query could match
        self._partial: set[str] = set()
        # revised articles whose full text predates the revision: their page is fetched
        # once more (`wanting_text`), and a different text keeps the earlier one
        self._stale_texts: set[str] = set()
        self._search = SearchIndex(self.dir)
        # shards written since the search index last took them in: their stat before, and
        # the articles written (new, revised, given a text)
        self._unindexed: dict[str, tuple[Signature | None, set[str]]] = {}
        self._known = RowsKnown()  # what its word queries learnt of the index
        # the words of articles written since, as the parser process made them (see `_insert`)
        self._made_words: MadeWords = {}
        self._searching = SearchThread(self, self._search, self._texts)
        self._lean = lean
        self._lean_words = LeanWords()  # what a lean store keeps of the articles it thinned
        self._unreadable_noted: set[str] = set()  # shards said to be unreadable (`_unreadable`)
        self._gone_at_reload = 0  # articles the last reload found removed (`gone_at_reload`)
        self._revised_at_reload = 0  # ... and given another headline (`revised_at_reload`)
        self._renamed_at_reload: list[str] = []  # ... and another source name
        self._rewritten_at_reload: list[str] = []  # ... and another title or summary
        self._open(first)
        if word_index:
            self.start_word_index()

    @property
    def location(self) -> str:
        return str(self.dir)

    @property
    def unreachable(self) -> Unreachable | None:
        return None  # (files on this host: a failing disk is said by each StoreError)

    @property
    def is_writer(self) -> bool:
        return self._writer_lock.held

    # -- the search index -------------------------------------------------------------------
    @property
    def indexes_words(self) -> bool:
        """True: the search index takes the words an article was staged with."""
        return True

    def start_word_index(self, beside_a_screen: bool = False) -> None:
        """Bring the search index up to date with every shard, in a background thread (and
        again after each reload); queries scan the shards it does not hold yet.
        `beside_a_screen`: the thread rests after each shard as long as it worked on it, so
        a filter typed while it takes in a cycle's articles gets most of the interpreter."""
        self._searching.start(beside_a_screen)

    def take_written(self) -> tuple[Written, MadeWords, set[str], dict[str, str]]:
        """(Under the lock; for the search thread.) What was written since it last asked,
        with the words made for it, every shard this store reads and a copy of the inline
        full texts (see `IndexedStore`)."""
        written, self._unindexed = self._unindexed, {}
        made, self._made_words = self._made_words, {}
        taken = [(key, base, *self._written_rows(key, ids)) for key, (base, ids) in written.items()]
        return taken, made, set(self.shard_keys()), dict(self._texts.inline)

    def _written_rows(
        self, key: str, ids: set[str]
    ) -> tuple[Signature | None, list[Record] | None]:
        """(Under the lock.) The stat of a written shard and its written articles with their
        words, for the search index; the rows are None when some article was thinned and its
        words are no longer held (the shard is indexed whole, from its file)."""
        shard = self._shards.get(key)
        version = shard.signature if shard is not None else None
        records = self._indexes.records
        rows: list[Record] = []
        # in the order of their places, as a whole shard is indexed (`records_with_texts`)
        for record in sorted(filter(None, map(records.get, ids)), key=_SEQ):
            ident = record.id
            if record.shard != key:
                continue
            if ident in self._lean_words:
                words = self._lean_words.take_index_words(ident)
                if words is None:
                    return version, None
                record = Record(ident, record.source, *words, text_ref=record.text_ref)
            elif self._lean:  # a copy: the writer may thin the record before it is indexed
                record = Record(
                    ident, record.source, record.title, record.summary, text_ref=record.text_ref
                )
            rows.append(record)
        return version, rows

    def loaded_versions(self) -> dict[str, Signature | None]:
        """(Under the lock.) Each shard read, with the stat it was read at (not the shards
        set aside as unreadable)."""
        return {k: s.signature for k, s in self._shards.items() if k not in self._lost}

    def loaded_version(self, key: str) -> Signature | None:
        """(Under the lock.) The stat a shard was read at; None when it is not read (or set
        aside as unreadable)."""
        shard = self._shards.get(key)
        return None if shard is None or key in self._lost else shard.signature

    def _note_written(self, key: str, before: Signature | None, ids: Iterable[str]) -> None:
        """Remember that articles of a shard were written, for the search index."""
        entry = self._unindexed.get(key)
        if entry is None:
            self._unindexed[key] = (before, set(ids))
        else:
            entry[1].update(ids)

    def update_search_index(self) -> int:
        """Bring the search index up to date with every shard now, in this thread (a full
        build when it is missing); returns how many articles were indexed. SearchUnavailable
        (a StoreError) when it cannot be written."""
        if not self.complete:
            self.load_rest()
        return self._searching.index_round(everything=True)

    def search_scores(self, words: list[str]) -> dict[str, float]:
        """BM25 of each article holding any of the words or phrases (higher is more relevant),
        after bringing the search index up to date. StoreError when it cannot be used."""
        self.update_search_index()
        with self.lock, self.word_lookup() as lookup:
            if not lookup.usable:
                raise SearchUnavailable(f"{self._search.path}: cannot be read")
            return lookup.scores(words)

    @property
    def word_index_ready(self) -> bool:
        """True when the search index holds every shard as this store read it."""
        with self.lock, self.word_lookup() as lookup:
            return lookup.exact

    @property
    def word_queries_settled(self) -> bool:
        """`word_index_ready`, and the search thread, when one runs, has looked at every
        shard's order and read which article each row number stands for in the shards the
        index numbered in another order: until then a word query reads those itself."""
        searching = self._searching
        return self.word_index_ready and (not searching.started or searching.orders_read)

    def word_lookup(self) -> WordLookup:
        """(Under the lock.) The search index as a query of this store sees it now."""
        loaded = self.loaded_versions()
        loaded.update((k, None) for k in self._partial)  # filed in part: checked one by one
        indexes = self._indexes
        return WordLookup(
            self._search,
            loaded,
            indexes.members,
            indexes.records,
            self._known,
            sparse=self._searching.sparse,
            filed_out_of_order=indexes.filed_out_of_order,
            problems=self.problems,
        )

    # -- the writer lock ---------------------------------------------------------------------
    def writer_active(self) -> bool:
        """True when some process holds the writer lock (this one included)."""
        return self._writer_lock.active()

    def heartbeat(self) -> None:
        """(The writer, while it polls.) Show viewers that this writer is at work, once it
        knows it still holds the lock at the data dir's path (`_keep_lock`)."""
        with contextlib.suppress(StoreWriteError):  # (logged; each write refused says it)
            self._keep_lock()
        self._writer_lock.heartbeat()
        if self._searching.started and self._search.changed():
            self._searching.kick()  # cut short or replaced under it: built again in a round

    def writer_state(self) -> liveness.WriterState:
        """The writer as a viewer sees it: exited, hanging, or at work."""
        return self._writer_lock.state()

    def _keep_lock(self) -> None:
        """(The writer.) Make sure this process still holds writer.lock at its path (not
        removed, replaced, or moved away with the data dir), or StoreWriteError: it never
        writes beside another writer. A lock taken again after its file was removed may
        have let another process write meanwhile: that is read first, under `self.lock`, by
        whichever thread comes first (a write holding `self.lock` while the heartbeat's
        thread takes the lock back reads it too, not only that thread once it gets in)."""
        self._writer_lock.keep()
        if not self._writer_lock.retaken:  # (the usual case: no wait for `self.lock`)
            return
        with self.lock:
            if not self._writer_lock.take_retaken():
                return  # read by another thread meanwhile
            try:
                # each shard's table counted the next document id from this process's own
                # writes: an insert at it overwrote the other process's article there
                for key, shard in list(self._shards.items()):
                    self._shards[key] = Shard.open(self.dir, key)
                    self._shards[key].signature = shard.signature
                    shard.db.close()
                self.reload()
            except BaseException:
                self._writer_lock.mark_retaken()  # read again before the next write
                raise

    def lease(
        self, sources: list[str], busy: set[str], ttl: float, most: int | None = None
    ) -> set[str]:
        """The one writer of a data dir polls every source."""
        return set(sources)

    def fire_once(self, fired: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """One writer fires the alerts; its history in the data dir keeps each once."""
        return set(fired)

    def unfire(self, fired: list[tuple[str, str]]) -> None:
        """Nothing to take back: `fire_once` records none."""

    def load_health(self) -> dict[str, SourceHealth] | None:
        """None: the data dir's sources.json keeps the sources' health."""
        return None

    def save_health(self, health: dict[str, SourceHealth]) -> bool:
        """False: the writer saves it in sources.json (StoreWriteError while it may not
        write, `_keep_lock`)."""
        self._keep_lock()
        return False

    @property
    def list_window(self) -> int | None:
        """None: the articles are in memory already, a dashboard lists every match."""
        return None

    def count(self, query: Query) -> int:
        return len(self.query_ids(query))

    @property
    def keeps_desk(self) -> bool:
        """False: the data dir keeps the events added in the app and the alert history."""
        return False

    def events(self) -> list[dict[str, Any]]:
        return []

    def put_event(self, record: dict[str, Any], new: bool) -> bool:
        return False

    def drop_event(self, ident: str) -> bool:
        return False

    def alert_rules(self) -> dict[str, Any] | None:
        return None

    def change_alert_rules(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        raise StoreError(f"{self.dir}: alert rules are kept in the data dir's alerts.json")

    def alert_records(self, after: int) -> tuple[int, list[dict[str, Any]]]:
        return 0, []

    def add_alert_records(
        self, records: list[dict[str, Any]], before: datetime, keep: int
    ) -> list[int]:
        return []

    def take_over(self) -> None:
        """(A viewer whose writer has gone.) Become the writer: take the lock (StoreLocked if
        another process has it again), clear what a killed writer left, read what it wrote."""
        with self.lock:
            self._writer_lock.acquire()
            try:
                # what a writer before noted lost, kept with anything this one notes later
                noted = read_lost(self.dir)
                self._unrecovered += [k for k in noted if k not in self._unrecovered]
                remove_stale_temps(self.dir)
                self.reload()
                self._fill_thin()
                self._retire_leftover_texts()
            except BaseException:  # not the writer after all: let go of the lock
                self._writer_lock.release()
                raise

    def _fill_thin(self) -> None:
        """(Under the lock; a viewer becoming the writer.) Give every thin record back what
        it left on disk: a writer checks revisions, links and retention against them."""
        if not self._thin:
            return
        records = self._indexes.records
        for ids in self._indexes.members.values():
            back = self._reader(keep=1, once=True)
            for ident in ids:
                record = records.get(ident)
                if record is not None:
                    fill(record, back.whole(record))
        self._thin = False
        self._rows_back = self._reader(keep=4)

    def close(self) -> None:
        """Close the shards and let go of the writer lock, once the search index has taken
        in what this store wrote (a full catch-up in progress stops between shards)."""
        self._searching.stop()
        self._search.close()
        with self.lock:
            self._save_map(force=True)
            self._texts.sweep()
        for shard in self._shards.values():
            shard.db.close()
        self._writer_lock.release()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- opening -----------------------------------------------------------------------------
    def _open(self, first: int | None) -> None:
        with collector_paused():  # 100,000 new objects would trigger many useless collections
            self._open_files(first)
            keep_loaded_out_of_collections(len(self._indexes))  # before the collector resumes

    def _open_files(self, first: int | None) -> None:
        meta_path = self.dir / "meta.json"
        if self.is_writer:
            remove_stale_temps(self.dir)
            narrow_data_files(self.dir)
        meta: dict[str, Any] = {}
        if meta_path.exists():
            try:
                meta = orjson.loads(meta_path.read_bytes())
            except (OSError, orjson.JSONDecodeError):
                meta = {}
        written = meta.get("schema", SCHEMA_VERSION) if isinstance(meta, dict) else None
        if not isinstance(written, int) or isinstance(written, bool):
            meta = {}  # not what wirewatch writes (a file edited by hand): written anew
            written = SCHEMA_VERSION
        version = written if meta else SCHEMA_VERSION
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.dir} was written by a newer wirewatch (schema {version}); upgrade wirewatch"
            )
        if self.is_writer and (not meta or version < SCHEMA_VERSION):
            self._migrate(version)
            try:
                atomic_write_bytes(meta_path, orjson.dumps({"schema": SCHEMA_VERSION}))
            except OSError as exc:  # a folder in its place, a full disk: said, no traceback
                raise StoreError(
                    f"{meta_path}: cannot be written ({exc.strerror or exc})"
                    + ("; it is a folder" if meta_path.is_dir() else "")
                ) from exc
        if self.is_writer:
            self._map = shardmap.read(self.dir)
            if self._map.outdated:  # the map of before: written again in this form
                self._map_dirty.update(self._map.shards)
            self._retire_leftover_texts()
        present = shards.present_keys(self.dir)
        if self.is_writer:
            self._missing_at_open(present)
        keys = sorted(present)
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
        self._marks_seen = self._marks.changes  # as opened: nothing for a screen to draw again
        self._save_map(force=True)

    def _missing_at_open(self, present: set[str]) -> None:
        """(The writer, at open.) A day file its row cache or shards.json names that is not
        on disk (deleted, or left out of a copy) lost its articles as an unreadable one does:
        named, and the next poll asks every feed for its full content (`take_lost`). Read
        as a day of none, the feeds' validators said "not modified" and what they listed was
        taken for retention's drops, and its articles never came back. A day shards.json
        alone names, older than every day on disk, is one retention removed before the map
        was written again (a writer stopped before it did). With no day on disk, one deleted
        with its row cache looks as one retention removed: lost it is (retention leaves no
        map naming a day it removed, `apply_retention`)."""
        for key, by in _missing_keys(self.dir, present, self._map):
            shards.drop_rows(self.dir, key)
            if self._map.pop(key, None) is not None:
                self._map_dirty.add(key)
            name = self.shard_path(key).name
            if name not in self.unreadable:
                self.unreadable.append(name)
            self._note_lost(key)
            self.problems.append(f"{name} is missing ({by} names it); its articles are lost")

    def missing_days(self) -> list[tuple[str, str]]:
        """Each day file its row cache or shards.json names that is not on disk, with what
        names it, as `_missing_at_open` finds them, changing nothing: for `migrate`, which
        reads a data dir as a viewer and must say its copy lacks those articles (its health
        said they were seen). None for a writer, which found them lost at open."""
        if self.is_writer:
            return []
        missing = _missing_keys(self.dir, shards.present_keys(self.dir), shardmap.read(self.dir))
        return [(self.shard_path(key).name, by) for key, by in missing]

    def _migrate(self, from_version: int) -> None:
        """Bring an older store to SCHEMA_VERSION. Version 1 is the first; nothing to do yet."""

    def _save_map(self, force: bool = False) -> bool:
        """(The writer.) Write shards.json once MAP_LAG shards' summaries changed, or any
        with `force` (open, close). A stale entry only makes `newest()` read that shard, and
        a poll cycle changes the one or two newest: rewriting the whole map (megabytes at a
        million articles) at each cycle would be most of what the cycle writes. False when
        the disk refused it (a full disk): the map there is the one before."""
        if self.is_writer and len(self._map_dirty) >= (1 if force else MAP_LAG):
            self._map_dirty.clear()
            self._map = self._map.compacted()  # the names of shards removed since go
            return shardmap.write(self.dir, self._map)
        return True

    @property
    def complete(self) -> bool:
        """False while shards a partial open left are still to be loaded, or their articles
        not yet put in date order."""
        return not self._pending and not self._unordered

    def load_rest(self) -> list[str]:
        """Load the shards a partial open (`first=`) left; returns the ids that arrived.
        Queries made meanwhile see the articles loaded so far. Once every shard is in, their
        articles are put in date order outside the lock; the store is `complete` after."""
        added: list[str] = []
        with collector_paused():  # no collection walks the growing heap between shards
            while True:
                with self.lock:  # a writer may be finishing the load in another thread
                    if not self._pending:
                        break
                    # (before the last shard leaves `_pending`: `complete`, read without the
                    # lock, said True while that shard loaded, before it was found torn and
                    # said lost, and a refresh's feeds were told from listings that no
                    # longer held)
                    self._unordered = True
                    added.extend(self._load_shard(self._pending.pop(0)))
                # the lock is no one's turn: taken again at once, a query waiting for it (the
                # dashboard's first rows, a filter) would wait for every shard
                time.sleep(LOAD_HANDOVER)
                give_way()
            with self.lock:  # a snapshot of the records, to order outside the lock
                indexes = self._indexes
                # (not when ordered already, or being ordered by another thread's load)
                mine = self._unordered and self._ordered.is_set()
                if mine:
                    self._ordered.clear()
                records = list(indexes.records.values()) if mine else []
                changes = indexes.changes
            if mine:
                try:
                    # a million articles take about 1.8 s to put in date order: a filter
                    # typed meanwhile takes the lock and goes first (it sees the days loaded
                    # as not yet in the order, as while they load; the store is not
                    # `complete`)
                    order = date_order(records, give_way)
                    del records
                    with self.lock:
                        if self._unordered and not indexes.take_order(order, changes):
                            indexes.rebuild_order()  # filed or dropped meanwhile: made again
                        self._unordered = False
                        del order
                finally:
                    self._ordered.set()
            else:
                self._ordered.wait()  # another thread's load is ordering them
            with self.lock:
                self._save_map()
            # before the collector resumes: its first pass would walk all that was loaded
            keep_loaded_out_of_collections(len(added))
        return added

    def _load_all(self) -> None:
        """(Under the lock, which a write holds.) Every shard a partial open left loaded and
        the articles in date order now, in this thread: no rest and no giving way, which
        would keep a filter waiting for the lock held here. An order another thread's load
        is making meanwhile is then not taken."""
        added: list[str] = []
        while self._pending:
            self._unordered = True  # (before it leaves `_pending`: see `load_rest`)
            added.extend(self._load_shard(self._pending.pop(0)))
        if self._unordered:
            self._indexes.rebuild_order()
            self._unordered = False
            self._save_map()
        keep_loaded_out_of_collections(len(added))

    def newest(self, query: Query, limit: int) -> list[str]:
        """The ids of the `limit` newest articles matching `query`, reading only the shards
        that can hold them (a store opened with `first=0` reads almost nothing else).

        Shards are read in the order of the newest match they can hold (from shards.json;
        a shard whose summary is missing or stale counts as holding the newest), until the
        last of `limit` matches is newer than anything an unread shard can hold. Of a shard
        read for a query with a source:, tag: or lang: clause, only the articles that clause
        admits are decoded and filed (the shard stays pending for `load_rest()`). The answer
        equals `query_ids(query, limit)` on a store that read everything."""
        if limit <= 0:
            return []
        summaries = shardmap.read(self.dir)
        passes = shards.row_filter(query)
        with self.lock:
            indexes = self._indexes
            plan: list[tuple[float, str]] = []
            for key in self._pending:
                summary = summaries.get(key)
                if summary is None or summary.signature != self.shard_version(key):
                    plan.append((math.inf, key))
                elif (bound := summaries.newest_for(summary, query)) is not None:
                    plan.append((bound, key))
            plan.sort(reverse=True)
            done: set[str] = set()  # shards loaded whole
            loaded_since_check = 0
            unordered: list[str] = []  # put in date order in one merge before each check
            found: list[str] | None = None
            peeked = False
            for bound, key in plan:
                if peeked or loaded_since_check >= max(shards.SHARD_ARTICLES, len(indexes) // 2):
                    loaded_since_check = 0
                    indexes.insert_orders(unordered)
                    unordered = []
                    found = self.query_ids(query, limit)
                    if len(found) >= limit and indexes.records[found[-1]].at > bound:
                        break
                    found = None
                fresh, whole = self._peek_shard(key, passes)
                if whole:
                    done.add(key)
                peeked = not whole  # a few articles filed: checking again costs little
                unordered += fresh
                loaded_since_check += len(fresh) or 1
            indexes.insert_orders(unordered)
            self._pending = [key for key in self._pending if key not in done]
            return found if found is not None else self.query_ids(query, limit)

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
            records = self._whole(key, self._indexes.members.get(key, []))
            # in the order of their places: every process that read the shard at this
            # version holds them in it, and reads no row number's article (`_in_order`)
            records.sort(key=_SEQ)
            inline = dict(self._texts.inline)
        signature = shard.signature if shard is not None else None
        return signature, self._texts.with_texts(records, inline)

    def records(self, ids: Iterable[str]) -> list[Record]:
        """The stored articles of these ids (unknown ones left out), in that order, with
        every field: what a lean store thinned comes from the words it kept of the shards
        it just wrote, else is read back from its shard, each shard once. For the hooks
        that read a cycle's new articles (alerts, stories)."""
        with self.lock:
            records = self._indexes.records
            found = [records[i] for i in ids if i in records]
            if self._thin:
                return self._read_back(found)
            thinned: dict[str, list[str]] = {}
            whole: dict[str, Record] = {}
            lean = self._lean_words
            for record in found:
                kept = lean.whole(record)
                if kept is not None:
                    whole[record.id] = kept
                elif record.id in lean:
                    thinned.setdefault(record.shard, []).append(record.id)
            if not thinned and not whole:
                return found
            whole |= {r.id: r for key, held in thinned.items() for r in self._whole(key, held)}
            return [whole.get(r.id, r) for r in found]

    def fetched_since(self, instant: float) -> list[tuple[str, str, float]]:
        """(id, source, first fetched) of the articles first fetched at or after `instant`:
        from the shards of its UTC day and later alone (a shard holds the articles first
        fetched on its day), each record's source and time in memory."""
        day = datetime.fromtimestamp(instant, UTC).strftime("%Y-%m-%d")
        with self.lock:
            records, found = self._indexes.records, []
            for key, ids in self._indexes.members.items():
                if key == KEPT or key.partition(".")[0] < day:
                    continue
                for ident in ids:
                    record = records[ident]
                    fetched = record.fetched
                    if fetched is not None and fetched >= instant:
                        found.append((ident, record.source, fetched))
            return found

    def fetch_times(
        self, sources: Collection[str], since: float | None = None
    ) -> dict[str, list[float]]:
        """From the records in memory (a thin record keeps its times), each source's
        through the source index: a few sources' articles, not every one."""
        found: dict[str, list[float]] = {}
        for source in sources:  # (the lock let go between two: a write waits for one)
            times: set[float] = set()
            with self.lock:
                records = self._indexes.records
                for ident in self._indexes.by_field["source"].get(name_key(source), ()):
                    record = records.get(ident)
                    if record is None or record.source != source:  # ("Wire" and "WIRE")
                        continue
                    fetched = record.fetched
                    if fetched is not None and (since is None or fetched >= since):
                        times.add(fetched)
            found[source] = sorted(times)
        return found

    def fetched_in_second(self, ids: Iterable[str], second: float) -> list[str]:
        """From the records in memory (a thin record keeps its times)."""
        end = second + 1
        with self.lock:
            records = self._indexes.records
            return [
                ident
                for ident in ids
                if (record := records.get(ident)) is not None
                and (fetched := record.fetched) is not None
                and second <= fetched < end
            ]

    def headlines(self, ids: Iterable[str]) -> list[Record]:
        """The stored articles of these ids (unknown ones left out), in that order, with
        their source, title, summary and times: what a list of stories shows (the summary
        says the outlet an aggregator credits). What a lean store thinned or a viewer left on
        disk is read from the shards' row caches, a shard at a time, made into records of
        those alone (reading a million articles back whole for their headlines took a
        minute of CPU)."""
        with self.lock:
            records = self._indexes.records
            found = [records[i] for i in ids if i in records]
            lean, thinned = not self._thin, self._lean_words  # a viewer's are all thin
            if lean and not thinned:
                return found
            back = self._reader(keep=1, once=True)
            out = list(found)
            for at in sorted(range(len(found)), key=lambda n: found[n].seq):
                record = found[at]
                if lean and record.id not in thinned:
                    continue
                out[at] = thinned.headline(record) or back.headline(record)
            return out

    def reported(self, ids: Iterable[str]) -> list[tuple[str, float]]:
        """When each was first reported, from the records in memory (a thin record keeps
        its times): nothing read back."""
        with self.lock:
            records = self._indexes.records
            return [(i, r.reported) for i in ids if (r := records.get(i)) is not None]

    def _reader(self, keep: int, once: bool = False) -> RowsBack:
        """What a viewer's thin records (or a lean writer's thinned ones) left on disk, read
        back with the shards' stats as this store read them (no stat of a file per
        article)."""
        return RowsBack(self.dir, self._documents_by_id, keep, once, self._held_signature)

    def _held_signature(self, key: str) -> Signature | None:
        """(Under the lock.) The stat of a shard's file as this store last read it whole;
        None for one it has not (a partial open peeked at it), which is stat-ed."""
        shard = self._shards.get(key)
        if shard is None or key in self._partial:
            return None
        return shard.signature

    def _read_back(self, found: list[Record]) -> list[Record]:
        """(Under the lock; a viewer.) Copies of thin records with every field, in the same
        order, reading each shard's row cache once (the records are taken in shard order)."""
        back = self._reader(keep=1, once=True)
        out = list(found)
        for at in sorted(range(len(found)), key=lambda n: found[n].seq):
            out[at] = back.whole(found[at])
        return out

    def _documents_by_id(self, key: str, strict: bool = False) -> dict[str, dict[str, Any]]:
        """A shard's documents by id as its file holds them now; none when it cannot be
        read (what a thin record left on disk is then missing: it shows empty), or with
        `strict`, OSError or ValueError."""
        try:
            data = orjson.loads(self.shard_path(key).read_bytes())
            table = data.get(shards.TABLE) if isinstance(data, dict) else None
        except (OSError, orjson.JSONDecodeError):
            if strict:
                raise
            return {}
        if not isinstance(table, dict):
            if strict:
                raise ValueError("the file holds no articles table")
            return {}
        return {d["id"]: d for d in table.values() if type(d) is dict and type(d.get("id")) is str}

    def _whole(self, key: str, ids: list[str]) -> list[Record]:
        """(Under the lock.) The records of these ids of one shard with every field: those a
        lean store thinned, or a viewer's, are read from the shard's files (copies, with the
        marks and the place of the ones in memory)."""
        records = self._indexes.records
        held = [records[i] for i in ids if i in records]
        if self._thin:
            return self._read_back(held)
        lean = self._lean_words
        if not any(r.id in lean for r in held):
            return held
        docs = self._docs_on_disk(key, {r.id for r in held if r.id in lean})
        out: list[Record] = []
        for record in held:
            doc = docs.get(record.id)
            if doc is None:
                if record.id in lean:
                    self._unreadable(key)
                out.append(record)
                continue
            whole = record_from_doc(doc)
            whole.text_ref = record.text_ref
            whole.read, whole.starred = record.read, record.starred
            whole.shard, whole.rank, whole.place = record.shard, record.rank, record.place
            whole.at = record.at
            out.append(whole)
        return out

    def _unreadable(self, key: str) -> None:
        """(Under the lock.) Say in the log, once a shard, that articles whose words are on
        disk only were given without them, their shard not reading back: the user learns why
        a story or an alert missed them (the file is left as it is)."""
        if key not in self._unreadable_noted:
            self._unreadable_noted.add(key)
            log.warning(
                "%s cannot be read back: its articles are given without their titles and summaries",
                self.shard_path(key).name,
            )

    def _docs_on_disk(self, key: str, ids: set[str]) -> dict[str, dict[str, Any]]:
        """(Under the lock.) The documents of these ids as the shard's file holds them; none
        when it cannot be read (the records in memory stand in)."""
        if not ids:
            return {}
        shard = self._get_shard(key)
        try:
            documents = shard.documents()
        except (OSError, ValueError):
            return {}
        finally:
            shard.storage.forget()
        return {d["id"]: d for d in documents if type(d) is dict and d.get("id") in ids}

    def _get_shard(self, key: str) -> Shard:
        shard = self._shards.get(key)
        if shard is None:
            shard = self._shards[key] = Shard.open(self.dir, key)
        return shard

    def _peek_shard(self, key: str, passes: shards.RowTest | None) -> tuple[list[str], bool]:
        """(Under the lock.) File the articles of a pending shard that pass a row test, from
        its row cache; the shard stays pending. Without a test or a matching row cache the
        shard is loaded whole. Returns the ids filed, and whether the shard was loaded whole."""
        found = None
        if passes is not None:
            found = shards.read_rows_where(self.dir, key, self.shard_version(key), passes)
        if found is None:
            return self._load_shard(key), True
        records = self._indexes.records
        fresh = [(place, r) for place, r in found if r.id not in records]
        self._drop_dangling_texts(key, [r for _, r in fresh])
        self._indexes.file(
            [r for _, r in fresh], key, self._marks, places=[place for place, _ in fresh]
        )
        if self._thin:
            thin(r for _, r in fresh)
        self._partial.add(key)
        return [r.id for _, r in fresh], False

    def _drop_dangling_texts(self, key: str, records: list[Record]) -> None:
        """(Under the lock; before the records are filed.) Take the full texts whose refs
        point past the end of their text file (or into one that is gone) as never fetched,
        and say so once: a copy of a data dir taken while its writer appended texts and
        wrote the day after them holds the day's refs without the texts. A writer then
        fetches them again, as for an article whose text never came; a viewer says they
        are missing instead of showing the summary as if there were none."""
        sizes: dict[str, int | None] = {}  # each text file named stat'ed once (no listing)
        dangling = 0
        for record in records:
            ref = record.text_ref
            if ref is None:
                continue
            if ref[0] in sizes:
                size = sizes[ref[0]]
            else:
                try:
                    size = sizes[ref[0]] = self._texts.path(ref[0]).stat().st_size
                except OSError:
                    size = sizes[ref[0]] = None
            if size is not None and ref[1] + ref[2] <= size:
                continue
            dangling += 1
            record.text_ref = None
        if not dangling:
            return
        if self.is_writer:
            then = "they are fetched again at the next poll of their sources that fetch full texts"
        else:
            then = "the writer's next poll fetches them again"
        problem = (
            f"{self.shard_path(key).name}: {dangling} full text(s) missing from its text files"
            f" (cut short, as in a copy taken while they were written); {then}"
        )
        if problem not in self.problems:
            self.problems.append(problem)

    def _load_shard(self, key: str) -> list[str]:
        """(Re)index one shard; a shard that cannot be read is moved aside and reported.

        The records come from the shard's row cache when it matches the shard's stat (fast),
        else from the shard itself, after which the cache is written again."""
        self._partial.discard(key)
        shard = self._get_shard(key)
        signature = self.shard_version(key)
        rows = shards.read_rows(self.dir, key, signature)
        indexes = self._indexes
        if rows is not None:
            records = indexes.records
            placed = [(place, r) for place, r in enumerate(rows) if r.id not in records]
            cached = [r for _, r in placed]
            self._take_changes(key, rows)
            shard.signature = signature
            self._drop_dangling_texts(key, cached)
            indexes.file(cached, key, self._marks, places=[place for place, _ in placed])
            if self._thin:
                thin(cached)
            if self.is_writer and signature is not None:
                known = self._map.get(key)
                if known is None or known.signature != signature:
                    self._map[key] = self._map.summarize(signature, rows)
                    self._map_dirty.add(key)
            self._hold_order(key)
            self._slim(key)
            return [r.id for r in cached]
        try:
            records, make = indexes.records, record_from_doc
            inline = self._texts.inline
            fresh: list[Record] = []
            places: list[int] = []
            held: list[Record] = []
            place = -1  # among the shard's documents with an id, as its row cache holds them
            unnamed = 0  # documents whose id is no text: no article they can be told as
            for doc in shard.documents():
                ident = doc.get("id") if type(doc) is dict else None
                if type(ident) is not str:
                    if ident is not None and not isinstance(ident, int | float):
                        # (a list or an object: every write's test of ids would fail on it)
                        raise TypeError("a document whose id is a list or an object")
                    unnamed += ident is not None
                    continue
                place += 1
                if "text" in doc and doc["text"]:
                    inline[ident] = str(doc["text"])
                if ident in records:
                    if records[ident].shard == key:
                        held.append(make(doc))
                    continue
                places.append(place)
                fresh.append(make(doc))
            self._take_changes(key, held)
        except (ValueError, OSError, TypeError, KeyError, IndexError) as exc:
            self._quarantine(key, exc)
            return []
        if unnamed:
            self.problems.append(
                f"{self.shard_path(key).name}: {unnamed} article(s) whose id is not text are"
                " left out (the rest of the day is read)"
            )
        shard.wrote()  # the stat the storage read the documents at
        self._drop_dangling_texts(key, fresh)
        indexes.file(fresh, key, self._marks, places=places)
        shard.storage.forget()  # the records hold what is needed; a write re-reads the file
        self._write_rows(key, {r.id: r for r in (*held, *fresh)})
        if self._thin:
            thin(fresh)
        self._hold_order(key)
        self._slim(key)
        return [r.id for r in fresh]

    def _hold_order(self, key: str) -> None:
        """(Under the lock; a shard loaded.) Its ids in the order of their places, with
        their digest, ready for the word queries (`WordLookup._in_order`): made as each
        shard loads, not all at once by a filter typed while a million articles load."""
        indexes = self._indexes
        members = indexes.members.get(key)
        if members:
            self._known.order_of(key, members, indexes.records, indexes.filed_out_of_order)

    def _take_changes(self, key: str, records: list[Record]) -> None:
        """Give the articles of `key` already in memory what a writer changed since: a full
        text attached, a revised title or summary (a viewer reloading a changed shard)."""
        docs = self._indexes.records
        renamed: dict[tuple[str, str], list[str]] = {}  # (old, new) -> ids: a source renamed
        retagged: dict[str, list[str]] = {}  # id -> its tags: its source's tags changed
        for fresh in records:
            held = docs.get(fresh.id)
            if held is None or held.shard != key:
                continue
            if fresh.source != held.source:
                renamed.setdefault((held.source, fresh.source), []).append(held.id)
            if fresh.tags != held.tags:
                retagged[held.id] = list(fresh.tags)
            if fresh.pulled != held.pulled:  # its feed took it down, or listed it again
                held.pulled = fresh.pulled
                self._revised_at_reload += 1  # (a row to draw again, as a headline's)
            if fresh.revised != held.revised:
                self._revised_at_reload += 1
                self._rewritten_at_reload.append(held.id)  # stories to make again
            if fresh.text_ref is not None and held.text_ref != fresh.text_ref:
                if not self._thin:  # a viewer's is read back as the shard has it
                    held.text_ref = fresh.text_ref
                self._texts.inline.pop(fresh.id, None)
            if held.id in self._lean_words:  # thinned (a lean store): its digest follows
                self._lean_words.changed_on_disk(held.id, fresh.title, fresh.summary)
                held.revised = fresh.revised
            elif self._thin:  # a viewer's: its words are read back as the shard has them
                held.revised = fresh.revised
            elif held.title != fresh.title or held.summary != fresh.summary:
                held.title, held.summary = fresh.title, fresh.summary
                held.revised = fresh.revised
        for (old, new), ids in renamed.items():
            self._indexes.rename_source(old, ids, new)
            self._revised_at_reload += len(ids)  # rows to draw again, as a headline's
            self._renamed_at_reload.extend(ids)  # stories to make again
        self._indexes.retag(retagged)

    def _write_rows(self, key: str, whole: dict[str, Record] | None = None) -> None:
        """Write the row cache of one shard, and (the writer) its summary in the shard map.
        `whole`: the shard's records just read with every field (a viewer's own are thin)."""
        shard = self._shards.get(key)
        if key == KEPT or shard is None or shard.signature is None:
            return
        records = [self._indexes.records[i] for i in self._indexes.members.get(key, ())]
        records.sort(key=_SEQ)  # in the shard's order (some may have been filed first)
        if self._thin:
            if whole is None or any(r.id not in whole for r in records):
                return  # words not in memory: left as it is
            records = [whole[r.id] for r in records]
        if self.is_writer:
            self._map[key] = self._map.summarize(shard.signature, records)
            self._map_dirty.add(key)
        lean = self._lean_words
        if lean and any(r.id in lean for r in records):
            return  # words not in memory: the next open reads the shard and writes this
        shards.write_rows(self.dir, key, shard.signature, records)

    def _slim(self, key: str, written: bool = False) -> None:
        """(A lean store.) Once a shard is full, its articles' titles, summaries, guids and
        authors leave memory: only new articles go to the newest shard of a day, so a full
        one is rewritten only for a full text or a revision, which never needs them. The
        words of articles written since the search index last took them in are kept for it
        until it does; those of a shard this process just `written` are kept for the cycle's
        hooks a while (see `leanwords`)."""
        members = self._indexes.members.get(key, ())
        if not self._lean or len(members) < shards.SHARD_ARTICLES:
            return
        records, lean, made = self._indexes.records, self._lean_words, self._made_words
        pending = self._unindexed.get(key, (None, set()))[1]
        at = time.monotonic() if written else None  # the cycle's hooks read it next
        for ident in members:
            if ident not in lean:
                lean.thin(records[ident], ident in pending, made, at)

    def _slimmed(self, key: str) -> bool:
        """(A lean store.) Whether `_slim` took the words of a shard's articles out of memory:
        its parsed documents, which hold them, are then let go as well."""
        return self._lean and len(self._indexes.members.get(key, ())) >= shards.SHARD_ARTICLES

    def _changed(self, stored: Record, fresh: Record | Article) -> bool:
        """`differs`, for a record whose words may be only a digest (a lean store)."""
        thinned = self._lean_words.differs(stored.id, fresh.title, fresh.summary)
        if thinned is not None:
            return thinned
        if self._thin:
            return differs(self._rows_back.whole(stored), fresh)
        return differs(stored, fresh)

    def _moves(self, stored: Record, fresh: Record | Article) -> bool:
        """`moved`, to a link no other article of the source is filed under: a source's links
        are one article's each (`_revise` keeps its own link then, and taking it would be
        tried again at every poll)."""
        held = self._rows_back.whole(stored).link if self._thin else stored.link
        if not moved(held, fresh.link):
            return False
        indexes = self._indexes
        if indexes.links is None:  # (a viewer's, built when asked)
            return True
        return all(
            owner == stored.id for owner in indexes.link_owners(stored.source, fresh.link, 2)
        )

    def _quarantine(self, key: str, exc: Exception) -> None:
        """A shard that does not read: out of the store. The writer moves it aside and
        notes its articles lost (`_note_lost`); a viewer changes nothing of it (nor of its
        row cache: `migrate` reads a store without changing it, and says what it left out
        from `rows_as_written`)."""
        path = self.shard_path(key)
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        if self._map.pop(key, None) is not None:
            self._map_dirty.add(key)
        if path.name not in self.unreadable:
            self.unreadable.append(path.name)
        if not self.is_writer:
            self.problems.append(f"{path.name} cannot be read ({exc}); skipped")
            return
        shards.drop_rows(self.dir, key)
        aside = shards.move_aside(path)
        self.problems.append(f"{path.name} cannot be read ({exc}); moved aside to {aside.name}")
        self._note_lost(key)

    def _writable(self, key: str) -> Shard:
        """(Under the lock; the writer, about to write a shard.) The shard, its file found to
        hold every article this writer holds of it. TinyDB writes a file whole from what it
        reads there: a file deleted since read as empty, and the write kept only the new
        articles while the row cache, written from memory, listed them all (a copy of the
        dir lost them); a damaged one failed every write until a restart. A file changed
        under the writer that lacks some of its articles is written again from memory, the
        documents it still holds kept as they are (a damaged one moved aside first, kept
        for a person to look at); where memory no longer holds their words (a lean writer's
        full shard), its articles are lost as at open: out of the store, and the next poll
        asks every feed for its full content (`take_lost`)."""
        shard = self._get_shard(key)
        held = self._indexes.members.get(key)
        now = self.shard_version(key)
        if not held or (now is not None and now == shard.signature):
            return shard
        name = self.shard_path(key).name
        docs: list[Any] = []
        try:
            docs = shard.documents()  # (none when the file is missing)
        except (OSError, ValueError) as exc:
            aside = shards.move_aside(self.shard_path(key))
            what = f"{name} cannot be read ({exc}); moved aside to {aside.name}"
            if name not in self.unreadable:
                self.unreadable.append(name)
        else:
            filed = {d["id"] for d in docs if type(d) is dict and type(d.get("id")) is str}
            lacking = sum(1 for ident in held if ident not in filed)
            if not lacking:
                return shard
            what = (
                f"{name} is missing"
                if now is None
                else f"{name} holds {len(held) - lacking} of the {len(held)} articles"
                " this writer stored in it"
            )
        mine = self._held_docs(key)
        if mine is None:
            self._drop_shard(key)
            shards.drop_rows(self.dir, key)
            if self.shard_version(key) is not None:
                self._load_shard(key)  # what the file still holds, filed as it holds it
            self._order_stale = True
            self._note_lost(key)
            self.problems.append(f"{what}: the next poll asks every feed for its full content")
            return self._get_shard(key)
        by_id = {d["id"]: d for d in docs if type(d) is dict and type(d.get("id")) is str}
        whole = [by_id.get(doc["id"], doc) for doc in mine]
        ids = {doc["id"] for doc in mine}
        whole += [d for d in docs if not (type(d) is dict and d.get("id") in ids)]
        shard.storage.write({shards.TABLE: {str(n): doc for n, doc in enumerate(whole, 1)}})
        self._drop_shard(key)
        self._load_shard(key)  # filed as the file holds them now
        self._order_stale = True
        self.problems.append(
            f"{what}: written again with the {len(mine)} articles this writer holds of it"
        )
        return self._get_shard(key)

    def _held_docs(self, key: str) -> list[dict[str, Any]] | None:
        """(Under the lock; the writer.) The documents of a shard's articles as this writer
        holds them, in their order; None when the words of one are no longer held (a lean
        writer's full shard, whose row cache does not give its words as they are now).
        What memory lacks of a document: its earlier headlines and full texts."""
        records = self._indexes.records
        held = sorted(
            (records[i] for i in self._indexes.members.get(key, ()) if i in records), key=_SEQ
        )
        lean = self._lean_words
        cached: dict[str, Record] | None = None
        docs: list[dict[str, Any]] = []
        for record in held:
            whole: Record | None = record
            if record.id in lean:
                whole = lean.whole(record)
            if whole is None:  # thinned: its words as the row cache has them, if still so
                if cached is None:
                    rows = shards.rows_as_written(self.dir, key) or []
                    cached = {row.id: row for row in rows}
                row = cached.get(record.id)
                if row is None or lean.differs(record.id, row.title, row.summary):
                    return None
                row.link, row.text_ref, row.revised = record.link, record.text_ref, record.revised
                row.pulled = record.pulled
                whole = row
            doc = doc_from_record(whole)
            if whole.text_ref:
                doc["text_ref"] = list(whole.text_ref)
            if whole.revised is not None:
                doc["revised"] = seconds_iso(whole.revised)
            if whole.pulled is not None:
                doc["pulled"] = seconds_iso(whole.pulled)
            text = self._texts.inline.get(record.id)
            if text:  # (the kept shard's texts are in its documents)
                doc["text"] = text
            docs.append(doc)
        return docs

    def _order_filed(self, ids: list[str]) -> None:
        """(Under the lock, at the end of a write.) Put the articles it filed into the date
        order; the order made afresh when a shard was filed again from its file meanwhile
        (`_writable`)."""
        if self._order_stale:
            self._order_stale = False
            self._indexes.rebuild_order()
        else:
            self._indexes.insert_orders(ids)

    def take_lost(self) -> list[str]:
        """The shards whose articles were lost since the last call (the file moved aside,
        missing, or holding fewer than it did). They are gone from the store while the
        feeds' validators say nothing changed: a poller forgets the validators, so the next
        poll asks for everything and brings back what the feeds still carry.

        They stay noted in the data dir (LOST_FILE) until `lost_recovered`: a process that
        stops before its poller saved the forgotten validators leaves them to the next
        writer, whatever it is (the moved-aside file is not found lost again).

        Waits for a shard another thread is loading: call it from a thread, not an event loop."""
        with self.lock:
            lost, self._lost = self._lost, []
            found = [k for k in self._unrecovered if k not in self._taken and k not in lost]
            lost += found  # (noted by a writer before this one)
            self._unrecovered += [k for k in lost if k not in self._unrecovered]
            self._taken.update(lost)
        return lost

    @property
    def has_lost(self) -> bool:
        # (read without the lock: a glance)
        return bool(self._lost) or any(k not in self._taken for k in self._unrecovered)

    def lost_recovered(self, keys: Iterable[str]) -> None:
        """(The writer's poller, once the health it saved forgot the validators and
        listings for these lost shards.) No longer noted in the data dir."""
        with self.lock:
            done = set(keys)
            before = list(self._unrecovered)
            self._unrecovered = [k for k in before if k not in done]
            self._taken -= done
            if self._unrecovered != before:
                self._write_lost()

    def _note_lost(self, key: str) -> None:
        """(Under the lock; the writer.) A shard's articles lost: kept in memory for
        `take_lost` and noted in the data dir at once (LOST_FILE), so the next writer of any
        kind (a `refresh`, a `poll`, a dashboard) asks every feed for everything again when
        this one stops before its poller saved that (an interrupted refresh, a dashboard
        quit while it loaded): the file moved aside is not found lost a second time, and
        the validators and listings saved said those articles were seen."""
        if key not in self._lost:
            self._lost.append(key)
        self._write_lost()

    def _write_lost(self) -> None:
        """(Under the lock.) LOST_FILE as memory has it: removed when nothing is lost."""
        keys = sorted({*self._lost, *self._unrecovered})
        path = self.dir / LOST_FILE
        try:
            note_or_remove(path, keys)
        except OSError as exc:
            log.error(
                "%s: cannot note the lost articles of %s (%s): a writer that stops before its"
                " next poll leaves them lost",
                path,
                ", ".join(keys),
                exc.strerror or exc,
            )

    def newest_counts(self) -> dict[str, list[int]]:
        """(The writer.) The files of the newest day it holds, each with its stat and how
        many articles it holds: saved with the sources' health, whose validators and
        listings are those of a store that held at least these (`check_counts`)."""
        with self.lock:
            if not self.is_writer:
                return {}
            days = [
                k
                for k in self._shards
                if k != KEPT and k not in self._pending and k not in self._lost
            ]
            if not days:
                return {}
            newest = max(days).partition(".")[0]
            counts: dict[str, list[int]] = {}
            for key in days:
                signature = self._shards[key].signature
                if key.partition(".")[0] == newest and signature is not None:
                    counts[key] = [*signature, len(self._indexes.members.get(key, ()))]
            return counts

    def check_counts(self, counts: object) -> list[str]:
        """(The writer, as its poller reads the sources' health.) Take for lost each day
        file holding fewer articles than `counts` (`newest_counts`, saved with the health)
        says it did; returns their keys. A backup or a copy of a data dir that took the day
        file before the health (a poll wrote between the two) kept validators that said
        "not modified" and listings that took the articles it lacks for retention's drops:
        they never came back. A file missing is for `_missing_at_open`."""
        found: list[str] = []
        if not self.is_writer or type(counts) is not dict:
            return found
        with self.lock:
            for key, counted in counts.items():
                if (
                    type(key) is not str
                    or key == KEPT
                    or not shards.SHARD_RE.match(self.shard_path(key).name)
                    or type(counted) is not list
                    or len(counted) != 4
                    or any(type(n) is not int for n in counted)
                ):
                    continue
                now = self.shard_version(key)
                if now is None or now == tuple(counted[:3]) or key in self._lost:
                    continue
                if key in self._shards and key not in self._pending:
                    held = len(self._indexes.members.get(key, ()))
                else:  # not loaded yet (a partial open): counted in its file
                    try:
                        held = len(self._documents_by_id(key, strict=True))
                    except (OSError, ValueError, TypeError):
                        continue  # unreadable: moved aside as it loads, and said then
                if held >= counted[3]:
                    continue
                found.append(key)
                self._note_lost(key)
                self.problems.append(
                    f"{self.shard_path(key).name} holds {held} articles where the source"
                    f" health saved after it counted {counted[3]} (a copy of the data dir"
                    " that took the day's file before the health?): the next poll asks"
                    " every feed for its full content"
                )
        return found

    def _drop_shard(self, key: str) -> None:
        self._partial.discard(key)
        self._known.forget(key)
        self._searching.forget(key)
        shard = self._shards.pop(key, None)
        if shard is not None:
            shard.db.close()
        if self._thin:  # its thin records hold no links to unfile: built again when asked
            self._indexes.links = None
        for ident in self._indexes.drop_shard(key):
            self._texts.inline.pop(ident, None)
            self._lean_words.forget(ident)
        if self._map.pop(key, None) is not None:
            self._map_dirty.add(key)

    def reload(self) -> list[str]:
        """Pick up what another process wrote; returns ids that are new here."""
        with self.lock, collector_paused():
            new: list[str] = []
            held = len(self._indexes.records)
            self._revised_at_reload = 0  # (counted by `_take_changes` as shards load again)
            self._renamed_at_reload = []
            self._rewritten_at_reload = []
            present = shards.present_keys(self.dir)
            gone = [key for key in [*self._shards, *self._partial] if key not in present]
            for key in gone:
                self._drop_shard(key)
            self._pending = [key for key in self._pending if key not in gone]
            shrunk = False  # the kept shard, which retention now takes articles out of
            for key in sorted(present - set(self._pending)):  # load_rest() brings those
                shard = self._shards.get(key)
                if shard is None or self.shard_version(key) != shard.signature:
                    if key == KEPT and shard is not None:  # filed again whole: what left it goes
                        before = set(self._indexes.members.get(KEPT, ()))
                        self._drop_shard(KEPT)
                        loaded = self._load_shard(KEPT)
                        new.extend(i for i in loaded if i not in before)
                        shrunk = bool(before - set(loaded))
                        continue
                    new.extend(self._load_shard(key))
            if gone or shrunk:  # the order still holds the dropped articles: made afresh
                self._indexes.rebuild_order()
            else:
                self._indexes.insert_orders(new)
            self._marks.refresh(self.problems)
            if self._searching.everything and (new or gone):
                self._searching.kick()
            self._gone_at_reload = held + len(new) - len(self._indexes.records)
            return new

    def gone_at_reload(self) -> int:
        return self._gone_at_reload

    def revised_at_reload(self) -> int:
        return self._revised_at_reload

    def renamed_at_reload(self) -> list[str]:
        return list(self._renamed_at_reload)

    def rewritten_at_reload(self) -> list[str]:
        return list(self._rewritten_at_reload)

    # -- writing ----------------------------------------------------------------------------
    def _require_writer(self) -> None:
        self._keep_lock()
        if not self.is_writer:
            raise StoreError("this store was opened read-only (another process is the writer)")

    def revised(self, article: Article) -> bool:
        """True when the article is stored with another title or summary than it has now."""
        record = self._indexes.records.get(article.id)
        return record is not None and self._changed(record, article)

    def moved(self, article: Article) -> bool:
        """True when the article is stored under another link than it has now (`_moves`)."""
        record = self._indexes.records.get(article.id)
        return record is not None and self._moves(record, article)

    def wanting_text(self, source: str, limit: int, skip: set[str]) -> list[tuple[str, str]]:
        """(id, link) of the source's newest articles with a link and no full text, at most
        `limit`, leaving out the ids in `skip`; and, once, those revised or moved since their
        text was fetched (skipped or not: the revision is news)."""
        with self.lock:
            indexes = self._indexes
            ids = indexes.by_field["source"].get(name_key(source), [])
            docs, texts, stale = indexes.records, self._texts, self._stale_texts
            # (the source's own: another whose name folds alike, "Café" and "Cafe", is not it)
            wanting = [
                i
                for i in ids
                if docs[i].link
                and docs[i].source == source
                and (i in stale or (i not in skip and not texts.has(docs[i])))
            ]
            wanting.sort(key=lambda i: -docs[i].at)
            chosen = wanting[:limit]
            stale.difference_update(chosen)  # a revision's page is fetched once more, once
            return [(i, docs[i].link or "") for i in chosen]

    def knows(self, article: Article) -> bool:
        """True when the article is stored: by id, or by its link within the source as the
        same item (`_same_by_link`). Exact only once the store is `complete`."""
        if article.id in self._indexes.records:
            return True
        if not self._thin:  # a writer's links index is kept from the start: a dict lookup,
            return self._same_by_link(article, article.shares_link)  # per article
        with self.lock:
            if self._indexes.links is None and article.link:
                self._indexes.links = self._links_from_disk()
            return self._same_by_link(article, article.shares_link)

    def _same_by_link(self, fresh: Article | Record, shares_link: bool = False) -> bool:
        """Whether an article the store lacks by id is one it holds under its link: one of
        no guid where the link is one article's, or one whose title and summary are a stored
        one's (a feed that gives an item a new guid at each fetch). One with a guid of its own
        and other words is another article (a live page's updates, each with its guid, all
        linking to the page: the second was dropped); so is one of no guid whose link is
        several items' (`shares_link`: in its document; or in the store), a feed linking every
        item to its home page: each new one was dropped as the link's."""
        owners = self._indexes.link_owners(fresh.source, fresh.link)
        if not owners:
            return False
        if not fresh.guid and not shares_link and len(owners) == 1:
            return True
        return self._words_under_link(fresh, owners)

    def link_shared(self, article: Article) -> bool:
        if not article.link:
            return False
        with self.lock:
            if self._indexes.links is None:
                self._indexes.links = self._links_from_disk()
            owners = self._indexes.link_owners(article.source, article.link)
            return any(owner != article.id for owner in owners)

    def _listed_as_another(self, fresh: Record) -> bool:
        """Whether the new words an item of no guid gives a stored article are those of
        another article under its link: an item that shared its link with others, listed
        alone at it, takes the link's id, which another item of the link may hold (rewritten,
        the two articles read the same)."""
        if fresh.guid or not fresh.link or self._indexes.links is None:
            return False
        owners = self._indexes.link_owners(fresh.source, fresh.link)
        others = [owner for owner in owners if owner != fresh.id]
        return bool(others) and self._words_under_link(fresh, others)

    def _words_under_link(self, fresh: Article | Record, owners: list[str]) -> bool:
        """Whether one of these articles has the fresh one's title and summary."""
        # every article under the link is asked (a feed linking each item to its home page
        # files hundreds under one), each in a step: a digest kept, or its words in memory
        records, lean = self._indexes.records, self._lean_words
        wanted = lean_digest(fresh.title, fresh.summary)
        for owner in owners:
            stored = records.get(owner)
            if stored is None:
                return True
            held = lean.digest_of(owner)
            if held is not None:
                if held == wanted:
                    return True
            elif not self._changed(stored, fresh):
                return True
        return False

    def _links_from_disk(self) -> dict[str, dict[str, LinkIds]]:
        """(Under the lock; a viewer.) The links index, of links read back from the shards
        (records filed later add theirs as they are filed, before they are thinned)."""
        links: dict[str, dict[str, LinkIds]] = {}
        records = self._indexes.records
        for ids in self._indexes.members.values():
            for record in self._read_back([records[i] for i in ids if i in records]):
                if record.link:
                    add_link(links.setdefault(record.source, {}), record.link, record.id)
        return links

    def add_batch(self, articles: Iterable[Article]) -> list[str]:
        """Store the articles not yet known; one write per touched shard. Returns new ids."""
        return self.add_staged(stage(articles))

    def add_staged(
        self,
        staged: Iterable[StagedArticle],
        revised_out: set[str] | None = None,
        moved_out: set[str] | None = None,
    ) -> list[str]:
        """Store articles made ready by `stage()` (a poller stages each source's articles as
        they arrive, so the write at the end of a cycle only files and writes them)."""
        with self.lock, collector_paused():  # thousands of new objects; nothing here is garbage
            self._require_writer()
            if not self.complete:  # a partial open: every stored article must be known, and
                self._load_all()  # in date order (the new ones go into it), first
            indexes = self._indexes
            by_day: dict[str, list[StagedArticle]] = {}
            by_shard: dict[str, list[StagedArticle]] = {}
            seen: set[str] = set()
            docs = indexes.records
            revised: dict[str, StagedArticle] = {}
            moves: dict[str, StagedArticle] = {}  # the same words at another link
            for item in staged:
                ident, record = item.record.id, item.record
                if ident in docs:
                    stored = docs[ident]
                    if self._changed(stored, record):
                        if not self._listed_as_another(record):
                            revised[ident] = item
                    elif self._moves(stored, record):
                        moves[ident] = item
                    continue
                if ident in seen:
                    continue
                if self._same_by_link(record, item.shares_link):
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
                    length = self._texts.append(key, texts) if texts else None
                    try:  # (its shard opened or made too: a full disk may refuse that first)
                        shard = self._writable(key)
                        before = shard.signature
                        shard.table.insert_multiple(item.doc for item in items)
                    except Exception:
                        if length is not None:  # texts of articles that are not stored
                            self._texts.take_back(key, length)
                        raise
                    shard.wrote()
                    self._note_written(key, before, (item.record.id for item in items))
                    records = []
                    made = self._made_words
                    for item in items:
                        ref = item.doc.get("text_ref")
                        if ref:
                            item.record.text_ref = (ref[0], ref[1], ref[2])
                        records.append(item.record)
                        if item.words is not None:
                            title, summary = item.record.title, item.record.summary
                            made[item.record.id] = (title, summary, item.text, *item.words)
                    indexes.file(records, key, self._marks)
                    new_ids.extend(record.id for record in records)
                    written.append(key)
                written.extend(self._revise(revised, moves))
                if revised_out is not None:
                    revised_out.update(revised)
                if moved_out is not None:
                    moved_out.update(moves)
            except (OSError, ValueError) as exc:  # a full disk, a read-only dir, a shard
                # turned unreadable under it: the shards written stand
                reason = f"{self.dir}: cannot write ({getattr(exc, 'strerror', None) or exc})"
                raise StoreWriteError(
                    f"{reason}; {len(new_ids)} of {len(seen)} new articles stored, nothing"
                    " stored before was lost",
                    new_ids,
                    list(seen),
                    reason,
                ) from exc
            finally:
                self._order_filed(new_ids)
                for key, shard in self._shards.items():
                    if key not in written:  # keep only the shards just written parsed
                        shard.storage.forget()
                for key in written:
                    self._write_rows(key)
                    self._slim(key, written=True)
                    if self._slimmed(key):  # written again only for a full text or a
                        self._shards[key].storage.forget()  # revision: read back then
                self._lean_words.age(time.monotonic())
                self._save_map()
                if written:
                    self._searching.kick()
            contents = revised_contents({**revised, **moves})
            if contents:  # a revised item carrying its content: its text is revised too
                try:
                    for fetched, pairs in contents:
                        self.set_texts(pairs, fetched)
                except StoreWriteError as exc:
                    raise StoreWriteError(
                        f"{exc}; {len(new_ids)} new articles stored", new_ids, new_ids, str(exc)
                    ) from exc
            return new_ids

    def _revise(
        self, revised: dict[str, StagedArticle], moves: dict[str, StagedArticle]
    ) -> list[str]:
        """Give stored articles the title and summary their source now gives them, keeping
        what they said before as revisions (an edited headline is never lost, and never a
        second article), and those of `moves` the link alone (`codec.moved`). Returns the
        shards written."""
        indexes = self._indexes
        by_shard: dict[str, dict[str, StagedArticle]] = {}
        links_by_shard: dict[str, dict[str, str]] = {}  # the moved: id -> its new link
        links = indexes.links
        for ident, item in revised.items():
            record = indexes.records[ident]
            link = item.doc.get("link")
            filed = indexes.link_owners(record.source, link, 2) if links is not None else []
            if any(owner != ident for owner in filed):  # another article's link: it keeps its own
                item.doc = {**item.doc, "link": record.link}
                item.record.link = record.link
            by_shard.setdefault(record.shard, {})[ident] = item
        for ident, item in moves.items():
            if item.record.link:
                links_by_shard.setdefault(indexes.records[ident].shard, {})[ident] = (
                    item.record.link
                )
        written: list[str] = []
        for key in dict.fromkeys([*by_shard, *links_by_shard]):
            shard = self._writable(key)
            records = indexes.records  # (those of a shard found lost are gone)
            items = {i: v for i, v in by_shard.get(key, {}).items() if i in records}
            new_links = {i: v for i, v in links_by_shard.get(key, {}).items() if i in records}
            if not items and not new_links:
                continue
            written.append(key)
            before = shard.signature
            shard.table.update(
                shards.revision_setter(items, new_links),
                lambda d, items=items, new_links=new_links: (
                    d.get("id") in items or d.get("id") in new_links
                ),
            )
            shard.wrote()
            self._note_written(key, before, items)  # (a link is no word of the search index)
            for ident, item in items.items():
                record = indexes.records[ident]
                if not item.text and self._texts.has(record):
                    self._stale_texts.add(ident)
                title, summary = item.record.title, item.record.summary
                record.revised = item.record.fetched  # as revision_setter stamps the document
                if item.record.link:  # the page moved with the revision
                    self._file_link(record, item.record.link)
                if ident in self._lean_words:  # a lean store keeps the digest only
                    self._lean_words.revised(ident, title, summary)
                else:
                    record.title, record.summary = title, summary
            for ident, link in new_links.items():
                record = indexes.records[ident]
                if not moves[ident].text and self._texts.has(record):
                    self._stale_texts.add(ident)  # the new page's text is fetched, once
                self._file_link(record, link)
        return written

    def _file_link(self, record: Record, link: str) -> None:
        """Give a stored article the page it moved to, filed under it in the links index."""
        if link == record.link:
            return
        links = self._indexes.links
        if links is not None:
            by_link = links.setdefault(record.source, {})
            if record.link:
                drop_link(by_link, record.link, record.id)
            add_link(by_link, link, record.id)
        record.link = link

    def rename_sources(self, names: dict[str, str]) -> list[str]:
        """(The writer.) Give the articles of each source named in `names` its new name
        (old -> new: the config renamed it; two names may swap, every article's new name is
        chosen before any is written): one outlet under one name in `source:`, its stories
        and its first reports. A shard at a time, then filed; returns the ids renamed.
        StoreWriteError when the disk refuses (those of the shards written are renamed)."""
        names = {old: new for old, new in names.items() if old != new}
        with self.lock, collector_paused():
            self._require_writer()
            if not names:
                return []
            if not self.complete:
                self._load_all()
            indexes = self._indexes
            records = indexes.records
            to: dict[str, str] = {}  # article -> its new name
            for old, new in names.items():
                for ident in indexes.by_field["source"].get(name_key(old), []):
                    if records[ident].source == old:
                        to[ident] = new
            renamed: list[str] = []
            try:
                self._rewrite(to, "source", renamed, "articles of renamed sources renamed")
            finally:
                moved: dict[tuple[str, str], list[str]] = {}
                for ident in renamed:  # the old names of all read before any is filed anew
                    moved.setdefault((records[ident].source, to[ident]), []).append(ident)
                for (old, new), ids in moved.items():  # those written, filed at once
                    indexes.rename_source(old, ids, new)
                self._rewritten(renamed)
            return renamed

    def retag_sources(self, changes: dict[str, Retag]) -> list[str]:
        """(The writer.) Give the articles of each source in `changes` the tags the config
        gives it now, keeping their items' own (`retagged`): `tag:` and the tag picker find
        a source's older articles by the tags it has now. A shard at a time, then filed;
        returns the ids whose tags changed. StoreWriteError when the disk refuses (those of
        the shards written are retagged)."""
        with self.lock, collector_paused():
            self._require_writer()
            if not changes:
                return []
            if not self.complete:
                self._load_all()
            indexes = self._indexes
            records = indexes.records
            to: dict[str, list[str]] = {}  # article -> its tags
            for name, (before, after) in changes.items():
                for ident in indexes.by_field["source"].get(name_key(name), []):
                    record = records[ident]
                    if record.source == name:
                        tags = retagged(record.tags, before, after)
                        if tags != list(record.tags):
                            to[ident] = tags
            retagged_ids: list[str] = []
            try:
                self._rewrite(to, "tags", retagged_ids, "articles given their new tags")
            finally:
                indexes.retag({ident: to[ident] for ident in retagged_ids})
                self._rewritten(retagged_ids)
            return retagged_ids

    def mark_pulled(self, marks: dict[str, float | None]) -> list[str]:
        """(The writer.) Give each stored article of `marks` (id -> when its feed was first
        seen without it, POSIX seconds; None: listed again) its pulled mark, a shard at a
        time; returns the ids whose mark changed. StoreWriteError when the disk refuses."""
        with self.lock, collector_paused():
            self._require_writer()
            records = self._indexes.records
            to = {
                ident: when
                for ident, when in marks.items()
                if ident in records and records[ident].pulled != when
            }
            if not to:
                return []
            docs = {i: seconds_iso(when) if when is not None else None for i, when in to.items()}
            written: list[str] = []
            try:
                self._rewrite(docs, "pulled", written, "articles marked pulled")
            finally:
                for ident in written:
                    records[ident].pulled = to[ident]
                self._rewritten(written)
            return written

    def _rewrite(
        self,
        to: dict[str, Any],
        field: str,
        written: list[str],
        what: str,
    ) -> None:
        """Write each article of `to` (id -> its new value of `field`) into its shard, a
        shard at a time, adding the ids of each shard written to `written`.
        StoreWriteError (carrying `written`) when the disk refuses."""
        records = self._indexes.records
        by_shard: dict[str, dict[str, Any]] = {}
        for ident, value in to.items():
            by_shard.setdefault(records[ident].shard, {})[ident] = value
        try:
            for key, members in by_shard.items():
                shard = self._writable(key)
                members = {i: v for i, v in members.items() if i in records}  # (one lost)
                if not members:
                    continue
                before = shard.signature
                shard.table.update(
                    _field_setter(field, members), lambda d, m=members: d.get("id") in m
                )
                shard.wrote()
                self._note_written(key, before, members)
                written.extend(members)
        except (OSError, ValueError) as exc:
            raise StoreWriteError(  # (carrying the ids written: their stories follow)
                f"{self.dir}: cannot write ({getattr(exc, 'strerror', None) or exc}); "
                f"{len(written)} of {len(to)} {what}",
                written,
            ) from exc
        finally:
            self._order_filed([])

    def _rewritten(self, ids: list[str]) -> None:
        """After articles were written anew in their shards (`_rewrite`): those shards' row
        caches and the map, and the search index told."""
        records = self._indexes.records
        written = {records[ident].shard for ident in ids}
        for key in written:
            self._write_rows(key)
            self._shards[key].storage.forget()
        self._save_map()
        if written:
            self._searching.kick()

    def revisions(self, ident: str) -> list[dict[str, str]]:
        """What a stored article said before its source changed it, oldest first:
        {"seen" (when that version was first seen, UTC), "title", "summary"}."""
        with self.lock:
            doc = self._stored_doc(ident)
            return revision_entries(doc.get("revisions")) if doc is not None else []

    def text_seen(self, ident: str) -> datetime | None:
        """When the article's full text was stored, as its text file keeps it beside it (a
        text its item carried is kept without: it is as old as the article's fetch)."""
        record = self.record(ident)
        version = self._texts.version(record) if record is not None else None
        if record is None or version is None:
            return None
        if version[1]:
            return from_utc_iso(version[1])
        fetched = record.fetched
        return datetime.fromtimestamp(fetched, UTC) if fetched is not None else None

    def text_revisions(self, ident: str) -> list[dict[str, str | None]]:
        """The full texts an article had before a different one was fetched, oldest first:
        {"seen" (when that text was fetched, UTC; None when not recorded), "text"}."""
        with self.lock:
            doc = self._stored_doc(ident)
            if doc is None:
                return []
            return self._texts.earlier(ident, doc.get("text_revisions"))

    def _stored_doc(self, ident: str) -> dict[str, Any] | None:
        """(Under the lock.) The article's document as its shard holds it, None when there is
        none or the shard cannot be read."""
        record = self._indexes.records.get(ident)
        if record is None:
            return None
        try:
            doc = self._get_shard(record.shard).table.get(lambda d: d.get("id") == ident)
        except (OSError, ValueError):
            return None
        return doc if isinstance(doc, dict) else None

    def set_text(self, ident: str, text: str, seen: datetime | None = None) -> None:
        """Attach a fetched full text to a stored article."""
        if not self.set_texts([(ident, text)], seen):
            raise StoreError(f"no article {ident}")

    def set_texts(self, pairs: list[tuple[str, str]], seen: datetime | None = None) -> int:
        """Attach fetched full texts to stored articles: one append and one shard write per
        touched day, however many texts. Returns how many were attached (unknown ids, such
        as articles dropped by retention meanwhile, are skipped). A text that differs from
        the one an article has keeps that one as a text revision; the same text again
        changes nothing."""
        with self.lock:
            self._require_writer()
            indexes = self._indexes
            by_shard: dict[str, list[tuple[dict[str, Any], str]]] = {}
            earlier: dict[str, dict[str, Any]] = {}
            same = 0
            for ident, text in pairs:
                record = indexes.records.get(ident)
                if record is None:
                    continue
                if self._texts.has(record):
                    had = self._texts.version(record)
                    if had is not None and had[0] == text:
                        same += 1
                        continue
                    if had is not None:
                        earlier[ident] = self._earlier_text(record, had)
                by_shard.setdefault(record.shard, []).append(({"id": ident}, text))
            at = utc_iso(seen or datetime.now(UTC))
            attached = 0
            try:
                for key, holders in by_shard.items():
                    shard = self._writable(key)
                    holders = [h for h in holders if h[0]["id"] in indexes.records]
                    if not holders:  # (its shard found lost)
                        continue
                    attached += len(holders)
                    # text-kept.jsonl for kept ones: retention never drops it
                    length = self._texts.append(key, holders, at)
                    refs = {holder["id"]: holder["text_ref"] for holder, _ in holders}
                    try:
                        before = shard.signature
                        shard.table.update(
                            self._text_setter(refs, earlier),
                            lambda d, refs=refs: d.get("id") in refs,
                        )
                    except Exception:  # (not stored) the texts are pointed at by nothing
                        self._texts.take_back(key, length)
                        raise
                    shard.wrote()
                    self._note_written(key, before, refs)
                    for ident, ref in refs.items():
                        indexes.records[ident].text_ref = tuple(ref)
                        self._texts.inline.pop(ident, None)
                    if earlier:  # texts replaced: the oldest kept may have gone out of use
                        self._rewrite_texts(key)
                    self._write_rows(key)
                self._save_map()
                if by_shard:
                    self._searching.kick()
                self._texts.sweep()
            except OSError as exc:
                raise StoreWriteError(
                    f"{self.dir}: cannot write full texts ({exc.strerror or exc})", []
                ) from exc
            finally:
                self._order_filed([])
            return same + attached

    def _rewrite_texts(self, key: str) -> None:
        """(Under the lock; the writer, after a write of the shard.) Rewrite the shard's text
        files with only the texts its documents point at, once the others are most of them
        (`TextFiles.wants_rewrite`): a page revised at every poll left a full text behind each
        time, all day. In order: the new file whole on disk, then the shard pointing there,
        then the old files retired (deleted a while later, once no reader holds refs into
        them). A disk that refuses it leaves every text where it was: the texts were stored
        all the same, so it is logged, not raised."""
        shard = self._shards.get(key)
        if shard is None or not self._texts.big_enough(key):
            return  # (no document read: too little to be worth it, whatever is in use)
        try:
            referenced = {ref for doc in shard.documents() for ref in refs_of(doc)}
        except (OSError, ValueError):
            return
        if not self._texts.wants_rewrite(key, referenced):
            return
        began = time.perf_counter()
        new_key: str | None = None
        try:
            new_key, moved = self._texts.rewrite(key, referenced)
            before = shard.signature
            shard.table.update(
                text_refs_mover(moved), lambda d: any(ref in moved for ref in refs_of(d))
            )
        except (OSError, ValueError) as exc:
            if new_key is not None:  # nothing points at it: the shard still names the old
                self._texts.discard(new_key)
            log.warning("%s: the full texts of %s stay as they are (%s)", self.dir, key, exc)
            return
        shard.wrote()
        self._texts.adopt(key, new_key)
        self._note_written(key, before, ())  # the same texts: the search index only follows
        records = self._indexes.records
        for ident in self._indexes.members.get(key, ()):
            record = records[ident]
            ref = record.text_ref
            if ref is not None and (ref[0], ref[1], ref[2]) in moved:
                record.text_ref = tuple(moved[(ref[0], ref[1], ref[2])])
        log.info(
            "%s: full texts of %s rewritten into %s (%d kept) in %.0f ms",
            self.dir,
            key,
            self._texts.path(new_key).name,
            len(moved),
            (time.perf_counter() - began) * 1000,
        )

    def _retire_leftover_texts(self) -> None:
        """(The writer, at open.) Retire the text files no document points at that a writer
        killed or closed after a rewrite left (the old ones, deleted once no reader of before
        needs them; or the new one, when the kill came before the shard named it and it is
        not the newest)."""
        for key in self._texts.with_generations():
            version = self.shard_version(key)
            if version is None:
                continue  # (a shard moved aside: its texts are left with it)
            shard = Shard.open(self.dir, key)
            try:
                docs = shard.documents()
            except (OSError, ValueError):
                continue  # unreadable: nothing is deleted on its word
            finally:
                shard.db.close()
            # out of use since the shard was last written at the latest
            age = max(0.0, time.time() - version[2] / 1e9)
            self._texts.wants_rewrite(key, {ref for doc in docs for ref in refs_of(doc)}, age)
        self._texts.sweep()

    def _earlier_text(self, record: Record, had: tuple[str, str | None]) -> dict[str, Any]:
        """How a text about to be replaced is kept: by its place in the text file, or (an
        inline text of a kept article) as it is; seen when stored, else when fetched."""
        seen = had[1]
        if seen is None and record.fetched is not None:
            seen = seconds_iso(record.fetched)
        if record.id in self._texts.inline or not record.text_ref:
            return {"seen": seen, "text": had[0]}
        return {"seen": seen, "text_ref": list(record.text_ref)}

    def _text_setter(
        self, refs: dict[str, Any], earlier: dict[str, dict[str, Any]] | None = None
    ) -> Callable[[MutableMapping[str, Any]], None]:
        """`text_refs_setter`, which also keeps the words of thinned articles (a lean store)
        for the search index: it indexes them again with their text."""
        attach = text_refs_setter(refs, earlier)
        lean = self._lean_words

        def attach_keeping_words(doc: MutableMapping[str, Any]) -> None:
            attach(doc)
            lean.texts_attached(doc["id"], doc.get("title") or "", doc.get("summary") or "")

        return attach_keeping_words

    # -- reading ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._indexes)

    def get(self, ident: str) -> Article | None:
        if self._lean:  # what a lean writer thinned, read back
            found = self.records([ident])
            return article_of(found[0]) if found else None
        record = self.record(ident)
        if record is None:
            return None
        return article_of(record)

    def record(self, ident: str) -> Record | None:
        """The article with every field (the store's own record, or a viewer's copy with
        what it left on disk: do not change it), but a lean writer's thinned one, which
        lacks its title, summary, guid and author: what its times, source and marks are
        asked of in memory (`records()` and `get()` read the rest back). A writer's is a
        dict lookup without the lock, so the screen's thread never waits for a write."""
        if not self._thin:  # whole records (a viewer taking over fills them before this)
            return self._indexes.records.get(ident)
        with self.lock:
            record = self._indexes.records.get(ident)
            if record is None or not self._thin:
                return record
            return self._rows_back.whole(record)

    def text(self, ident: str) -> str | None:
        """The full text of an article, or None if it has none."""
        record = self.record(ident)
        return self._texts.text(record) if record is not None else None

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]:
        """Articles newest first that match the query."""
        return [article_of(record) for record in self.records(self.query_ids(query, limit))]

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        """Ids newest first. Time bounds cut a slice of the date order; source, tag and lang
        indexes and the search index give candidates; every candidate the indexes are not
        sure of is checked by the query."""
        with self.lock, self._texts.reader() as text_of, self.word_lookup() as words:
            return self._indexes.query_ids(query, limit, text_of, words, self._words_of())

    def ids_starting(self, start: str, limit: int) -> list[str]:
        with self.lock:
            start = start.lower()
            found = (ident for ident in self._indexes.records if ident.lower().startswith(start))
            return sorted(found)[:limit]

    def part(
        self, query: Query | None, around: int, row: int | None = None, through: str | None = None
    ) -> tuple[int, int, list[str]] | None:
        """How many articles match, and the part of their list about a row or an article,
        when the indexes know both without testing each match (`Indexes.part`); else None."""
        with self.lock, self.word_lookup() as words:
            return self._indexes.part(query, around, words, row, through)

    def holds(self, query: Query, ident: str) -> bool:
        """Whether the article matches, tested alone (the indexes only shortcut the test)."""
        with self.lock, self._texts.reader() as text_of:
            record = self._indexes.records.get(ident)
            if record is None:
                return False
            return query.matches(record, None, text_of, self._words_of())

    def _words_of(self) -> WordsOf | None:
        """(Under the lock.) How a query reads the words of a record that left them on disk
        (a viewer's, a lean writer's thinned one: the words it kept for the hooks first, else
        its shard's row cache); None when every record holds its own."""
        if self._thin:
            return self._reader(QUERY_SHARDS_KEPT, once=True).words
        lean = self._lean_words
        if not lean:
            return None
        back = self._reader(QUERY_SHARDS_KEPT, once=True)

        def words_of(record: Record) -> Record:
            if record.id not in lean:
                return record
            kept = lean.whole(record)
            if kept is not None:
                return kept
            words = back.words(record)
            if words is record:  # its shard does not read back
                self._unreadable(record.shard)
            else:  # where its full text is, as this writer knows it
                words.text_ref = record.text_ref
            return words

        return words_of

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]:
        """The articles of these ids (unknown ones left out), read a thousand at a time."""
        chunk: list[str] = []
        for ident in ids:
            chunk.append(ident)
            if len(chunk) >= READ_CHUNK:
                yield from map(article_of, self.records(chunk))
                chunk = []
        if chunk:
            yield from map(article_of, self.records(chunk))

    def sources_count(self) -> dict[str, int]:
        """Articles per source name, from the index (no pass over the articles)."""
        with self.lock:
            return self._indexes.counts("source", lambda record: [record.source])

    def tags_count(self) -> dict[str, int]:
        """Articles per tag, from the index."""
        with self.lock:
            return self._indexes.counts("tag", lambda record: list(record.tags))

    # -- read / starred marks ---------------------------------------------------------------
    def marks_changed(self) -> bool:
        """Read the marks again when another process changed them; whether it had (a writer
        reads them only when it changes one itself)."""
        with self.lock:
            self._marks.refresh(self.problems)
            seen, self._marks_seen = self._marks_seen, self._marks.changes
            return self._marks.changes != seen

    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Change read/starred marks; safe from any process (a short lock on state.lock)."""
        with self.lock:
            self._marks.set(ids, self.problems, read=read, starred=starred)

    def unread(self, ids: Iterable[str]) -> set[str]:
        """The articles of these ids that are stored and not read (the records carry their
        marks: nothing is read back from disk)."""
        with self.lock:
            self._marks.refresh(self.problems)  # (another process may have marked some)
            records = self._indexes.records
            return {i for i in ids if (r := records.get(i)) is not None and not r.read}

    # -- retention ----------------------------------------------------------------------------
    def apply_retention(
        self,
        days: int,
        now: datetime,
        spare: Collection[str] = (),
        dropped: dict[str, str] | None = None,
        real: datetime | None = None,
    ) -> int:
        """Delete whole day shards older than `days`, keeping starred articles, and the days
        that hold an article in `spare` whole. Returns count; `dropped` is given each article
        deleted (id -> its source's name: their feeds may list them again, `Poller`).

        A day after the one it really is (`real`, when `now` is a clock held still; else
        `now`) is noted with the real day it was first found so (AHEAD_FILE); retention on
        the real clock drops it once that day is older than `days`, as an old day (a day a
        `--now` ahead, or a clock that ran ahead, filed was never before the cutoff, and
        stayed for good). Under a held clock retention goes by that clock alone."""
        with self.lock:
            self._require_writer()
            self._texts.sweep()  # (each cycle: the text files rewritten a while ago go)
            self._marks.refresh(self.problems)  # a viewer may have starred an old article since
            if not self._marks.whole and self._marks.path.exists():
                # an empty or damaged state.json: which old articles are starred is not known,
                # and a day dropped now would take them with it. Retention waits until a mark
                # changed writes the file whole again, or as long again as it keeps (a
                # poller nobody marks beside would otherwise keep every day for good)
                waits = (
                    "state.json does not read whole: old days stay (retention waits) until"
                    f" a read or starred mark is changed, {days} days more at most"
                )
                if waits not in self.problems:  # (said once, not at every cycle)
                    self.problems.append(waits)
                    log.warning("%s: %s", self.dir, waits)
                days *= 2
            try:
                cutoff = day_key(now - timedelta(days=days))
            except OverflowError:  # before the year 1: no day is that old
                return 0
            indexes = self._indexes
            removed = 0
            gone_any = False
            spared = set(spare)
            gone: list[str] = []  # the days dropped: their files go once the map is written
            since = self._note_ahead(day_key(real or now))
            expired = {day for day, noted in since.items() if noted < cutoff} if not real else set()
            try:
                for key in sorted(
                    k for k in list(self._shards) if k != KEPT and (k < cutoff or k[:10] in expired)
                ):
                    ids = list(indexes.members.get(key, ()))
                    if not spared.isdisjoint(ids):
                        continue  # the day stays whole, and goes whole once none is spared
                    keep = [i for i in ids if self._marks.starred(i)]
                    kept_docs = []
                    # as the file holds them: with their earlier headlines and when they changed,
                    # which the records in memory do not carry
                    stored = self._docs_on_disk(key, set(keep))
                    if any(i in self._lean_words and i not in stored for i in keep):
                        indexes.rebuild_order()  # a lean store: their words are in that file only
                        raise StoreWriteError(
                            f"{self.dir}: retention cannot read the starred articles of {key} back"
                            " from its file; that day and the ones after it stay until it can",
                            [],
                        )
                    for ident in keep:
                        if ident in stored:
                            doc = {
                                k: v
                                for k, v in stored[ident].items()
                                if k not in ("text_ref", "text_revisions")  # go with the day
                            }
                        else:  # the file does not read: what memory holds, less its history
                            doc = doc_from_record(indexes.records[ident])
                        doc["text"] = self.text(ident)
                        kept_docs.append(doc)
                    if kept_docs:  # kept first: if the disk refuses, the day stays as it was
                        kept = self._writable(KEPT)
                        before = kept.signature
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
                        self._note_written(KEPT, before, (doc["id"] for doc in kept_docs))
                    if dropped is not None:
                        records = indexes.records
                        kept_ids = set(keep)
                        dropped.update(
                            (i, records[i].source)
                            for i in ids
                            if i not in kept_ids and i in records
                        )
                    self._drop_shard(key)
                    for doc in kept_docs:
                        if doc.get("text"):
                            self._texts.inline[doc["id"]] = doc["text"]
                        indexes.file([record_from_doc(doc)], KEPT, self._marks)
                    gone.append(key)
                    removed += len(ids) - len(keep)
                    gone_any = True
            finally:
                # the map first: a day file missing that it names was lost. One the disk
                # refused (full) is taken away, which frees the days' space all the same;
                # when it cannot be, the days' files stay (read again, and dropped, at the
                # next open)
                if gone and not self._save_map(force=True) and not shardmap.remove(self.dir):
                    log.warning(
                        "%s: shards.json can be neither written nor removed; the files of %s"
                        " stay until the next open",
                        self.dir,
                        ", ".join(gone),
                    )
                    gone = []
                for key in gone:  # the row cache before the day, for the same reason
                    shards.drop_rows(self.dir, key)
                    with contextlib.suppress(OSError):
                        self.shard_path(key).unlink()
                    self._texts.drop(key)
            unstarred = self._unstarred_kept(cutoff, expired)
            if unstarred:  # kept for a star taken off since: they go as their day went
                if dropped is not None:
                    records = indexes.records
                    dropped.update((i, records[i].source) for i in unstarred if i in records)
                kept = self._writable(KEPT)
                try:
                    kept.table.remove(lambda doc: doc.get("id") in unstarred)
                except OSError as exc:
                    raise StoreWriteError(
                        f"{self.dir}: retention cannot write ({exc.strerror or exc}); "
                        "the articles unstarred since they were kept stay until the next try",
                        [],
                    ) from exc
                kept.wrote()
                shards.drop_rows(self.dir, KEPT)
                self._drop_shard(KEPT)  # filed again from what the file holds now
                self._load_shard(KEPT)
                removed += len(unstarred)
                gone_any = True
            if expired:  # (the days ahead it dropped are noted no more)
                self._note_ahead(day_key(real or now))
            if gone_any:  # a cycle that drops no day leaves the order of every article be
                self._rebuild_after_retention()
            self._order_filed([])  # (the kept shard filed again from its file: `_writable`)
            return removed

    def _note_ahead(self, today: str) -> dict[str, str]:
        """(Under the lock.) The days filed after `today` (the real UTC day), each with the
        real day it was first found so, as AHEAD_FILE keeps them; those newly found are noted
        with `today`, and those no longer ahead (dropped, or the day has come) forgotten. A
        file that does not read notes them afresh (they are kept longer, never lost); one
        the disk refuses is said in the log, and noted again at the next cycle."""
        path = self.dir / AHEAD_FILE
        noted_before = _ahead_noted(path)
        records = self._indexes.records
        kept = {  # (the starred articles of a day dropped: noted while they are kept)
            fetched[:10]
            for ident in self._indexes.members.get(KEPT, ())
            if (fetched := seconds_iso(records[ident].fetched)) is not None
        }
        days = kept | {key[:10] for key in self._shards if key != KEPT}
        since: dict[str, str] = {}
        for day in sorted(d for d in days if d > today):
            noted = noted_before.get(day)
            since[day] = noted if isinstance(noted, str) and noted <= today else today
        if since != noted_before:
            try:
                note_or_remove(path, since)
            except OSError as exc:
                log.warning("%s: cannot note the days after today (%s)", path, exc.strerror or exc)
        return since

    def days_ahead(self) -> dict[str, str]:
        """The days filed after the real one, each with the real day retention first found
        it so (AHEAD_FILE), for a copy of the store to take."""
        with self.lock:
            return _ahead_noted(self.dir / AHEAD_FILE)

    def note_days_ahead(self, noted: dict[str, str]) -> None:
        """(The writer.) Take the days ahead another store noted (a copy's source), each with
        the earlier of its real days: noted afresh at the copy's first retention, a day ahead
        was kept that much longer than the original keeps it. Retention forgets those this
        store holds no article of. StoreWriteError when the disk refuses."""
        with self.lock:
            self._require_writer()
            path = self.dir / AHEAD_FILE
            since = _ahead_noted(path)
            for day, found in noted.items():
                since[day] = min(found, since.get(day, found))
            try:
                atomic_write_bytes(path, orjson.dumps(dict(sorted(since.items()))))
            except OSError as exc:
                raise StoreWriteError(
                    f"{path}: cannot note the days after today ({exc.strerror or exc})", []
                ) from exc

    def _unstarred_kept(self, cutoff: str, expired: Collection[str] = ()) -> set[str]:
        """(Under the lock.) The articles kept past their day for a star taken off since,
        whose day (of first fetch, UTC) is before `cutoff`, or one of the days ahead of the
        real one that retention drops (`expired`); none while the marks are not
        state.json's whole (a file missing, unreadable or damaged: their stars may be lost,
        not taken off)."""
        records = self._indexes.records
        gone: set[str] = set()
        if not self._marks.whole:
            return gone
        for ident in self._indexes.members.get(KEPT, ()):
            if self._marks.starred(ident):
                continue
            fetched = seconds_iso(records[ident].fetched)
            if fetched is not None and (fetched[:10] < cutoff or fetched[:10] in expired):
                gone.add(ident)
        return gone

    def _rebuild_after_retention(self) -> None:
        self._indexes.rebuild_order()
        self._stale_texts.intersection_update(self._indexes.records)
        self._save_map()
        self._searching.kick()  # the search index forgets the days removed


def _ahead_noted(path: Path) -> dict[str, str]:
    """The days ahead AHEAD_FILE notes, each with its real day; none when it is not there
    or does not read (they are noted afresh: kept longer, never lost)."""
    try:
        noted = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return {}
    if not isinstance(noted, dict):
        return {}
    return {day: found for day, found in noted.items() if isinstance(found, str)}
