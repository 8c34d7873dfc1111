"""The search thread: keeps a store's search index up to date with the store's shards in
the background, and learns how the index numbers each shard's articles.

A store wakes it (`kick`) after each of its writes; a round asks the store what the writes
changed (`IndexedStore.take_written`) and writes those articles into the index. Once
`start`ed, every shard the index does not hold at the version the store read is indexed
whole too; then the thread looks at each shard's order in the index (`_look_at_orders`) and
numbers again, in the order of their places, the shards the index numbered otherwise
(`_renumber`), so that a word query maps a matched row to its article without reading
anything (`WordLookup._in_order`). Beside a screen it rests after each shard as long as it
worked on it (`paced`).

The store keeps the articles and the lock; this module only asks for them through
`IndexedStore`, so what the thread needs of a store is written down in one place.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from typing import Any, Protocol

from fetchers.foreground import give_way
from fetchers.query import Record
from fetchers.store.errors import disk_refused, note_unsaved
from fetchers.store.search import (
    MadeWords,
    SearchIndex,
    SearchUnavailable,
    WordLookup,
    unusable,
)
from fetchers.store.shards import Signature
from fetchers.store.texts import TextFiles

log = logging.getLogger("wirewatch.search")
ROW_READ_SHARDS = 4  # shards whose index row numbers are read under one hold of the lock

# what a store wrote since the search thread last asked: per shard, its stat before the
# writes, its stat as the store last read or wrote it, and the articles written with their
# words (None: the words are only in the shard file, which is indexed whole)
Written = list[tuple[str, Signature | None, Signature | None, list[Record] | None]]


class IndexedStore(Protocol):
    """What the search thread asks of a store."""

    @property
    def lock(self) -> contextlib.AbstractContextManager[Any]:
        """Held while the store's articles are read or changed."""

    @property
    def problems(self) -> list[str]:
        """What the store could not do, for the person running it."""

    def take_written(self) -> tuple[Written, MadeWords, set[str], dict[str, str]]:
        """(Under the lock.) What was written since the last call (see `Written`), the words
        made for it as the parser process made them, every shard the store reads, and a copy
        of the inline full texts; the store forgets the writes."""

    def loaded_versions(self) -> dict[str, Signature | None]:
        """(Under the lock.) Each shard read, with the stat it was read at (not the shards
        set aside as unreadable)."""

    def loaded_version(self, key: str) -> Signature | None:
        """(Under the lock.) One shard's entry of `loaded_versions` (None: not there)."""

    def records_with_texts(
        self, key: str
    ) -> tuple[Signature | None, list[tuple[Record, str | None]]]:
        """A shard's stat as read and its articles with their full texts, in place order
        (it takes the lock itself: the thread calls it without)."""

    def shard_version(self, key: str) -> Signature | None:
        """A shard's stat as it is now on disk."""

    def word_lookup(self) -> WordLookup:
        """(Under the lock.) The search index as a query of the store sees it now."""


class SearchThread:
    """The one thread that writes a store's search index (besides `index_round` called in
    the caller's thread), and what it has learnt of the index's order, per shard."""

    def __init__(self, store: IndexedStore, index: SearchIndex, texts: TextFiles) -> None:
        self._store = store
        self._index = index
        self._texts = texts
        self._thread: threading.Thread | None = None
        self._wanted = threading.Event()
        self.everything = False  # bring every shard up to date, not only those written
        self.paced = False  # rest after each shard (a screen shares the process)
        self._closing = False
        # every shard's order looked at, once after the first full round (shards a reload
        # brings later are looked at in the rounds after it, and it stays True meanwhile)
        self.orders_read = False
        # the shards looked at, at their version and the index's generation
        self._looked: dict[str, tuple[Signature | None, int]] = {}
        self._renumbered: dict[str, Signature] = {}  # shards indexed again in place order
        self._disordered: dict[str, None] = {}  # shards to index again so (`_renumber`)

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def sparse(self) -> bool:
        """Whether a word query beside a screen reads only the rows it asks of a shard not
        looked at yet (see `WordLookup`): until the thread has looked at every shard."""
        return self.paced and not self.orders_read

    def start(self, beside_a_screen: bool = False) -> None:
        """Bring every shard up to date from now on, and learn each one's order."""
        self.paced = self.paced or beside_a_screen
        self.everything = True
        self.kick()

    def kick(self) -> None:
        """Wake the thread (made at the first call) for a round."""
        if self._closing:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="search", daemon=True)
            self._thread.start()
        self._wanted.set()

    def stop(self) -> None:
        """Let the thread finish what the store wrote (a catch-up stops between shards),
        and wait for it."""
        self._closing = True
        if self._thread is not None:
            self._wanted.set()
            self._thread.join()

    def forget(self, key: str) -> None:
        """(Under the lock.) A shard the store dropped."""
        self._looked.pop(key, None)
        self._renumbered.pop(key, None)
        self._disordered.pop(key, None)

    def _rest(self, began: float) -> None:
        """After a shard, a rest as long as the work, when paced, and longer while a query
        a person waits for runs."""
        if self.paced and not self._closing:
            time.sleep(time.perf_counter() - began)
            give_way()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            try:
                everything = self.everything and not self._closing
                self.index_round(everything)
                if everything:
                    self._look_at_orders()
            except SearchUnavailable as exc:  # queries scan; the next round retries
                self._refused(exc)
                self._report(unusable(exc))
            except OSError as exc:
                self._refused(exc)
                self._report(unusable(SearchUnavailable(str(exc))))
            except Exception as exc:  # the thread lives on: the next write tries again
                self._refused(exc)
                problem = (
                    f"the search index could not be brought up to date ({type(exc).__name__});"
                    " word queries may miss the newest articles until a later write"
                )
                if self._report(problem):  # logged whole once, not at every write
                    log.exception("the search index could not be brought up to date")
            if self._closing and not self._wanted.is_set():  # what stop() asked is done
                return

    @staticmethod
    def _refused(exc: BaseException) -> None:
        """Note the index as not saved when the disk refused it (full): a `refresh` says so
        in its exit code; a locked or damaged index is no write refused."""
        if disk_refused(exc):
            note_unsaved("search index")

    def _report(self, problem: str) -> bool:
        """Say once, among the store's problems, why word queries may miss or scan; True
        when it was not said before."""
        store = self._store
        with store.lock:
            if problem in store.problems:
                return False
            store.problems.append(problem)
            return True

    def index_round(self, everything: bool) -> int:
        """Index what was written since the last round (only the articles written, when the
        index holds their shard as it was before), and with `everything` every shard the
        index does not hold at the version the store read; forget shards that are gone.
        Returns how many articles were indexed."""
        store, index = self._store, self._index
        with store.lock:  # one hold: a lean writer thins no article taken here meanwhile
            index.check_file()  # cut short or replaced under it: let go, built again below
            taken, made, present, inline = store.take_written()
        indexed = index.versions()
        gone = set(indexed) - present
        if gone:
            index.drop(gone)
        count = 0
        whole: list[str] = []  # shards to index whole: written ones first
        for key, base, version, rows in taken:
            if version is None:
                continue
            if rows is None:  # words only in the shard file: it is read whole
                whole.append(key)
                continue
            began = time.perf_counter()
            pairs = self._texts.with_texts(rows, inline)
            if index.put_articles(key, base, version, pairs, made):
                count += len(pairs)
            else:
                whole.append(key)
            self._rest(began)
        must = len(whole)
        if everything:
            indexed = index.versions()
            with store.lock:
                loaded = store.loaded_versions()
            whole += [k for k, v in loaded.items() if v is not None and indexed.get(k) != v]
        for number, key in enumerate(dict.fromkeys(whole)):
            if number >= must and self._closing:  # a catch-up stops at close
                break
            began = time.perf_counter()
            version, pairs = store.records_with_texts(key)
            if version is not None and index.put_shard(
                key, version, pairs, still=store.shard_version(key), made=made
            ):
                count += len(pairs)
            self._rest(began)
        return count

    def _look_at_orders(self) -> None:
        """Look at every shard's order under one hold of the lock: nearly every shard's
        articles are held in the index's order, and nothing is read for them
        (`WordLookup._in_order`). For the others, read which article each row number stands
        for, a few shards at a time, so the first word query does not, and queue them to be
        numbered again (`_renumber`). Only the shards not looked at since at another version:
        after a cycle, the one or two it wrote. An index of an older wirewatch is first told
        the order each of its shards has (`_fill_digests`)."""
        self._fill_digests()
        store = self._store
        with store.lock, store.word_lookup() as lookup:
            self._index.check_file()  # a file made anew by another process: a new generation
            generation, looked = self._index.generation, self._looked
            versions = store.loaded_versions()
            keys = [key for key, v in versions.items() if looked.get(key) != (v, generation)]
            in_order, keys = lookup.orders_of(keys)  # one look: those in order read nothing
            self._mark_looked(in_order, versions, generation)
        for start in range(0, len(keys), ROW_READ_SHARDS):
            if self._closing:
                return
            began = time.perf_counter()
            with store.lock, store.word_lookup() as lookup:
                step = keys[start : start + ROW_READ_SHARDS]
                self._disordered.update(dict.fromkeys(lookup.read_rows_out_of_order(step)))
                self._mark_looked(step, {k: store.loaded_version(k) for k in step}, generation)
            self._rest(began)  # beside a screen, a filter waiting for the lock goes first
        self.orders_read = True
        self._renumber()

    def _mark_looked(
        self, keys: list[str], versions: dict[str, Signature | None], generation: int
    ) -> None:
        """(Under the lock.) The thread has looked at these shards as they are now (a shard
        no longer read, or set aside, is not marked)."""
        for key in keys:
            if versions.get(key) is not None:
                self._looked[key] = (versions[key], generation)

    def _renumber(self) -> None:
        """Index again, in the order of their places, the shards the index numbered in
        another order, once per version of each: until then each query over them reads
        which article each row number stands for. A shard at a time, with a rest after each
        beside a screen (an index of an older wirewatch: every shard, for minutes at a
        million articles), and a store's writes taken in first."""
        store = self._store
        while not self._closing and not self._wanted.is_set():  # (a round first)
            began = time.perf_counter()
            with store.lock:  # (a shard dropped meanwhile leaves the set)
                key = next(iter(self._disordered), None)
                if key is None:
                    return
                del self._disordered[key]
                version = store.loaded_version(key)
            if version is None or self._renumbered.get(key) == version:
                continue
            self._renumbered[key] = version  # tried once at the version the store holds
            held, pairs = store.records_with_texts(key)
            if held is not None:
                with contextlib.suppress(SearchUnavailable):  # read-only: ids read as before
                    self._index.put_shard(
                        key, held, pairs, still=store.shard_version(key), renumber=True
                    )
            self._rest(began)

    def _fill_digests(self) -> None:
        """Give each shard the index holds without the digest of its order (indexed by an
        older wirewatch) its digest, a few shards a transaction."""
        while not self._closing:
            began = time.perf_counter()
            try:
                if not self._index.fill_digests():
                    return
            except SearchUnavailable:  # read-only, or locked long: the ids are read instead
                return
            self._rest(began)
