"""The search index: a derived SQLite FTS5 index of titles, summaries and full texts
(`search.sqlite` in the data dir), for word queries and for ranking by relevance (BM25).

The shards stay the record. The index remembers the stat of each shard it indexed; it
proposes candidates only for shards whose stat is the one the asking store read, and every
article of any other shard is a candidate too, so a missing, stale or torn index costs time,
never a result. The query language checks every candidate it is not sure of.

What is indexed is each text case-folded in its compatibility form ("ＡＰＥＣ" is "apec")
without the accents readers leave out ("Café" is "cafe": `fetchers.query.lowered`), its
words (`fetchers.query.WORD`, the query language's: runs of one script's word characters)
kept, one space kept where one space alone parts two words, and anything else between words
(a comma, a line break, two spaces, nothing where two scripts meet) made a break token of its
own (`BREAK`, which no word can be; `fetchers.indexedtext` makes them); under FTS5's `ascii`
tokenizer with `_` as a word character, FTS5's tokens are then exactly the query language's
words and the breaks. (That tokenizer keeps every character past ASCII as it is: the
folding is the query language's alone, done once in Python. The `unicode61` tokenizer's
`remove_diacritics` takes out the accents of Latin letters alone, not Greek's tonos, "ё"'s
dots or the stroke of "ł", and its words, Unicode 6.1's, are not the query language's.)
So a one-word term's candidates are exactly its matches (a word matches at the start of a
word: the prefix query `"tariff"*`), and so are those of words one space apart ("trade
minister": the words next to each other with no break between); a phrase with other
characters between its words has the breaks in its place, and its candidates are a superset
of its matches ("u.s. trade" also proposes "u-s trade").
"""

from __future__ import annotations

import bisect
import contextlib
import fcntl
import hashlib
import itertools
import os
import re
import sqlite3
import stat
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import cast

import orjson

from fetchers.atomic import create_file
from fetchers.indexedtext import BREAK, indexed_words
from fetchers.query import WORD, Record, folded, unspaced
from fetchers.store.errors import StoreError

FILE = "search.sqlite"
LOCK_WAIT = 30.0  # seconds a connection waits for another's lock
# of the tables below and of the words in them; another version is dropped and built again
# (6: a word of one script meets one of another as two words, "한미 § fta"; 7: "İstanbul" is
# "istanbul", not "i § stanbul": `fetchers.query.lowered`; 8: words case-folded, "Straße" is
# "strasse", Turkish's dotless "ı" an "i"; 9: words in their compatibility form, "ＡＰＥＣ" is
# "apec", a letter written as its parts the letter; 10: characters that show nothing taken
# out of words, "Wash\u200bington" is "washington": `fetchers.query.visible`; 11: the
# accents readers leave out taken out, "Café" is "cafe", "Ёлку" "елку":
# `fetchers.query.unaccented`)
VERSION = 11
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0
TITLE_TIER = 1000.0  # a word more in a title outranks any BM25 (`SearchIndex.scores`)
# An article's row number is its shard's code (`shard_code`) above PLACE_BITS and its place
# among the shard's indexed articles below: a match gives row numbers alone (no lookup per
# hit), and a shard's rows are one range.
PLACE_BITS = 20
MOST_RANGES = 4  # of row numbers a query of some shards asks for at once
# a query reads only the rows it asks for of a shard whose ids are not read yet when the
# shard has this many times as many articles (else it reads the shard's all, and keeps them)
SPARSE_READ = 4
# each table at VERSION and its columns, from which the schema is made; a file that says
# VERSION without them is rebuilt
_DEFINITIONS = {
    "docs": ("title", "body"),  # FTS5: its columns take no type
    "arts": ("rowid INTEGER PRIMARY KEY", "id TEXT"),
    # digest: of the shard's ids in row order (`order_digest`), NULL until it is taken
    "shards": ("key TEXT PRIMARY KEY", "ino INT", "size INT", "mtime INT", "digest INT"),
}
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
    f"{', '.join(_DEFINITIONS['docs'])}, tokenize=\"ascii tokenchars '_'\")",
    f"CREATE TABLE IF NOT EXISTS arts({', '.join(_DEFINITIONS['arts'])})",
    f"CREATE TABLE IF NOT EXISTS shards({', '.join(_DEFINITIONS['shards'])})",
)
_TABLES = tuple(_DEFINITIONS)
_COLUMNS = {table: {d.split()[0] for d in columns} for table, columns in _DEFINITIONS.items()}
_WORD_END = re.compile(r"\w$")
# words one space apart, each of one script (two that meet are parted by a break)
_SPACED_WORDS = re.compile(f"(?:{WORD.pattern})(?: (?:{WORD.pattern}))*")
_CORRUPT, _NOT_A_DATABASE = 11, 26  # SQLite's result codes for a damaged file
_SMALLEST_PAGE = 512  # a database file is a whole number of its pages, of 512 bytes or more
_DMS_BYTE = 128  # of the shared memory: every open connection holds a read lock on it

Signature = tuple[int, int, int]
Row = tuple[Record, str | None]  # an article and its full text
# words made before the article reached the index (by the parser process, on its own core):
# by article id, the title, summary and full text they were made from, then the words
MadeWords = dict[str, tuple[str, str, str | None, str, str]]


def shard_code(key: str) -> int:
    """A number for each shard key ("kept", "YYYY-MM-DD", "YYYY-MM-DD.NNN")."""
    if key == "kept":
        return 1
    day, _, number = key.partition(".")
    return (date.fromisoformat(day).toordinal() * 1_000_000 + int(number or 0)) * 2 + 2


def shard_rows(key: str) -> tuple[int, int]:
    """The first and last row number a shard's articles can have."""
    low = shard_code(key) << PLACE_BITS
    return low, low + (1 << PLACE_BITS) - 1


_LOCKED = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})  # errors another connection's lock gives


def _write_ahead(db: sqlite3.Connection) -> None:
    """Put the index in write-ahead-log mode. Two connections opening a new index at once
    (a poller's search thread and a query, or two processes) can find it locked while the
    other makes it so, without SQLite waiting for the lock: tried again until LOCK_WAIT."""
    deadline = time.monotonic() + LOCK_WAIT
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:  # only a lock is waited out
            if exc.sqlite_errorname not in _LOCKED or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def order_digest(ids: Sequence[str | None]) -> int:
    """A 64-bit digest of a shard's ids in the order of their row numbers (None for a row
    number no article has): a store whose ids of the shard, in the order of their places,
    give the index's digest has them at the index's row numbers, and reads none."""
    digest = hashlib.blake2b(orjson.dumps(ids), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)  # (an SQLite INTEGER)


def phrase(needle: str) -> str | None:
    """The FTS5 phrase whose matches are a superset of the needle's (lower-cased) matches,
    exactly them for words one space apart (`is_exact`); None when there is none (a needle
    in a script written without spaces, which matches anywhere; one with no word in it; one
    spanning lines, as a title and summary do)."""
    if "\n" in needle or unspaced(needle):
        return None
    found = list(WORD.finditer(needle))
    if not found:
        return None
    joined = found[0].group()
    for before, word in itertools.pairwise(found):
        between = needle[before.end() : word.start()]
        joined += (" " if between == " " else f" {BREAK} ") + word.group()
    star = "*" if _WORD_END.search(needle) else ""  # its last word may go on
    return f'"{joined}"{star}'


def is_exact(needle: str) -> bool:
    """Whether a needle's candidates are exactly its matches: words one space apart, nothing
    before, between or after them."""
    return _SPACED_WORDS.fullmatch(needle) is not None and phrase(needle) is not None


class SearchUnavailable(StoreError):
    """The index cannot be used now (a read-only data dir, a database locked too long)."""


def unusable(exc: SearchUnavailable) -> str:
    """What a store says, once, when word queries read every article for want of the index."""
    return f"the search index cannot be used ({exc}); word queries read every article"


class TooBig(Exception):
    """A shard with more articles than row numbers (PLACE_BITS): it stays unindexed, read."""


def _schema_holds(db: sqlite3.Connection) -> bool:
    """Whether every table has this version's columns (PRAGMA table_info of a missing table
    gives none)."""
    return all(
        columns <= {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
        for table, columns in _COLUMNS.items()
    )


class SearchIndex:
    """The index of one data dir. Any process may bring it up to date (SQLite locks it); a
    connection per thread, all closed by `close()`."""

    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / FILE
        self._local = threading.local()
        self._connections: list[sqlite3.Connection] = []
        self._guard = threading.Lock()
        self._ready = False
        self._inode: int | None = None  # of the file the connections have open
        self._damaged: int | None = None  # the inode of a file found damaged: built again
        self._opening = threading.RLock()  # a thread opening (or building) the file
        self.generation = 0  # changes when the file is replaced: row numbers mean other rows
        self.closed = False

    # -- connections ----------------------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        """This thread's connection; SearchUnavailable when the index cannot be opened."""
        if self.closed:
            raise SearchUnavailable("the store is closed")
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is not None:
            return db
        with self._opening:
            self.check_file()
            found = self._stat()
            if found is None:
                self._rebuild(None, "missing")
            else:
                problem = self._damage(found)
                if problem is not None:
                    self._rebuild(found.st_ino, problem)
            try:
                db = self._connect()
            except sqlite3.OperationalError as exc:  # locked, or not writable
                raise SearchUnavailable(f"{self.path}: {exc}") from exc
            except sqlite3.DatabaseError as exc:  # not a database (overwritten): rebuilt
                found = self._stat()
                self._rebuild(found.st_ino if found is not None else None, str(exc))
                try:
                    db = self._connect()
                except sqlite3.Error as again:
                    raise SearchUnavailable(f"{self.path}: {again}") from again
            self._local.db = db
            with self._guard:
                self._connections.append(db)
                if self._inode is None:
                    self._inode = self._file_inode()
        return db

    def _stat(self) -> os.stat_result | None:
        try:
            return self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise SearchUnavailable(f"{self.path}: {exc}") from exc

    def _file_inode(self) -> int | None:
        try:
            return self.path.stat().st_ino
        except OSError:
            return None

    def _damage(self, found: os.stat_result) -> str | None:
        """Why the file cannot be the index, from its stat alone (opening it here would let
        go of the locks SQLite holds on it in this process): a length no database has (cut
        short), or the file a query found damaged."""
        if found.st_ino == self._damaged:
            return "damaged"
        if stat.S_ISREG(found.st_mode) and found.st_size % _SMALLEST_PAGE:
            return f"cut short to {found.st_size} bytes"
        if stat.S_ISREG(found.st_mode) and found.st_size == 0:
            return "cut short to 0 bytes"
        return None

    def _replaced(self) -> None:
        """The file is another one now, or damaged: connections start afresh."""
        self.close_connections()
        self._inode = None
        self._ready = False
        self.generation += 1

    def check_file(self) -> None:
        """Follow a file another process replaced (a damaged index built again), and let go
        of one found damaged (cut short under the connections): while any process has it
        open, none may put a new one in its place (`_rebuild`)."""
        if self._inode is None:
            return
        found = self._stat()
        if found is None or found.st_ino != self._inode:
            self._replaced()
        elif self._damage(found) is not None:
            self._damaged = found.st_ino
            self._replaced()

    def changed(self) -> bool:
        """Whether the file the connections have open was replaced or cut short since, or a
        damaged one waits to be built again: a look at its stat, for a writer's heartbeat."""
        try:
            found = self._stat()
        except SearchUnavailable:
            return False
        if self._damaged is not None:
            # (another process built it again meanwhile: a whole file of another inode is
            # no longer damaged, and the flag kept a writer's thread rebuilding for good)
            if found is not None and found.st_ino != self._damaged and self._damage(found) is None:
                self._damaged = None
            else:
                return True
        if self._inode is None:
            return False
        return found is None or found.st_ino != self._inode or self._damage(found) is not None

    def _connect(self, path: Path | None = None) -> sqlite3.Connection:
        db = sqlite3.connect(path or self.path, timeout=LOCK_WAIT, check_same_thread=False)
        try:
            _write_ahead(db)  # readers go on while one process writes
            db.execute("PRAGMA synchronous=NORMAL")  # a power cut loses the last updates only
            if path is not None or not self._ready:
                self._prepare(db, ready=path is None)
        except sqlite3.Error:
            db.close()
            raise
        return db

    def _rebuild(self, damaged: int | None, problem: str) -> None:
        """Put an empty index in place of a missing or damaged file (`damaged`: its inode):
        built under another name and renamed into place, so no process ever opens a file
        half made. Never while another process has the old file open: SQLite's log and
        shared-memory files go by the index's name, and that process still uses them (it
        lets go when it sees the damage; until then word queries read every article)."""
        self.close_connections()
        self._inode = None
        self._ready = False
        with self._building():
            found = self._stat()
            if found is not None and found.st_ino != damaged and self._damage(found) is None:
                self._damaged = None  # (else every heartbeat after asked for a rebuild)
                return  # built again meanwhile (by another process)
            if not self._companions_free():
                raise SearchUnavailable(
                    f"{self.path}: {problem}; another process still has it open"
                )
            fresh = self.path.with_name(f"{self.path.name}.{os.getpid()}.new")
            try:
                fresh.unlink(missing_ok=True)
                # made with the data dir's mode, which SQLite gives its log and shared memory
                # too (made by SQLite, it was 0644: anyone's to read beside private articles)
                os.close(create_file(fresh, os.O_WRONLY))
                db = self._connect(fresh)
                db.close()  # the last connection: its log is written in and removed
                os.replace(fresh, self.path)
            except (OSError, sqlite3.Error) as exc:
                raise SearchUnavailable(f"{self.path}: {problem}; cannot build it ({exc})") from exc
            finally:
                for name in (fresh.name, f"{fresh.name}-wal", f"{fresh.name}-shm"):
                    with contextlib.suppress(OSError):
                        fresh.with_name(name).unlink()
        self._damaged = None
        self.generation += 1

    @contextlib.contextmanager
    def _building(self) -> Iterator[None]:
        """Held while a process puts a new index in place: one at a time."""
        try:
            folder = os.open(self.path.parent, os.O_RDONLY)
        except OSError as exc:
            raise SearchUnavailable(f"{self.path}: {exc}") from exc
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            yield
        finally:
            os.close(folder)  # (the lock goes with it)

    def _companions_free(self) -> bool:
        """Whether no process has the index's log and shared memory open (each connection
        holds a read lock on the shared memory's DMS byte while it is open); stale ones,
        left by a process that died, are removed."""
        log = self.path.with_name(self.path.name + "-wal")
        shared = self.path.with_name(self.path.name + "-shm")
        try:
            handle = os.open(shared, os.O_RDWR)
        except FileNotFoundError:
            handle = None
        except OSError:
            return False
        try:
            if handle is not None:
                try:
                    fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _DMS_BYTE)
                except OSError:
                    return False
            for name in (shared, log):  # nobody's: no connection without the shared memory
                name.unlink(missing_ok=True)
            return True
        finally:
            if handle is not None:
                os.close(handle)

    def _prepare(self, db: sqlite3.Connection, ready: bool = True) -> None:
        """Make the tables, dropping those of another version (an older relevance index) or
        of this version's number without its columns (a file written by some other program):
        the index is derived from the shards, so it is built again rather than failing at
        its first query."""
        (version,) = db.execute("PRAGMA user_version").fetchone()
        if version != VERSION or not _schema_holds(db):
            # the old tables' pages are freed, not zeroed where SQLite zeroes what it deletes
            # (a copy of the whole index through the log: 2.4 GB at a million articles); the
            # new tables are written over them
            (zeroing,) = db.execute("PRAGMA secure_delete").fetchone()
            db.execute("PRAGMA secure_delete = 0")
            try:
                with db:
                    db.execute("BEGIN IMMEDIATE")
                    (version,) = db.execute("PRAGMA user_version").fetchone()
                    if version != VERSION or not _schema_holds(db):
                        for table in _TABLES:
                            db.execute(f"DROP TABLE IF EXISTS {table}")
                        # the word table's own tables, left when it went without them
                        for (table,) in db.execute(
                            "SELECT name FROM sqlite_master WHERE type = 'table'"
                            " AND name GLOB 'docs_*'"
                        ).fetchall():
                            db.execute(f'DROP TABLE IF EXISTS "{table}"')
                        for statement in _SCHEMA:
                            db.execute(statement)
                    db.execute(f"PRAGMA user_version = {VERSION}")
            finally:
                db.execute(f"PRAGMA secure_delete = {int(zeroing)}")
        db.execute("SELECT count(*) FROM shards").fetchone()  # a torn file shows here
        self._ready = self._ready or ready

    def _broken(self, exc: sqlite3.Error) -> SearchUnavailable:
        """An error from a query: a corrupt index is let go of, and the next use builds it
        again (once no process has it open)."""
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code in (_CORRUPT, _NOT_A_DATABASE):
            self._damaged = self._inode
            self._replaced()
        return SearchUnavailable(f"{self.path}: {exc}")

    def close_connections(self) -> None:
        with self._guard:
            connections, self._connections = self._connections, []
        for db in connections:
            with contextlib.suppress(sqlite3.Error):
                db.close()
        self._local = threading.local()

    def close(self) -> None:
        self.closed = True
        self.close_connections()

    # -- what it holds ----------------------------------------------------------------------
    def versions(self) -> dict[str, Signature]:
        """The stat each indexed shard had when it was indexed."""
        try:
            return {
                key: (ino, size, mtime)
                for key, ino, size, mtime in self._db().execute(
                    "SELECT key, ino, size, mtime FROM shards"
                )
            }
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc

    def digests(self) -> dict[str, int]:
        """The digest of each indexed shard's ids in row order (`order_digest`), where it
        has one."""
        try:
            return dict(
                self._db().execute("SELECT key, digest FROM shards WHERE digest IS NOT NULL")
            )
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc

    def fill_digests(self, most: int = 50) -> int:
        """Give up to `most` indexed shards that have no digest (indexed by an older
        wirewatch) theirs, in one transaction; returns how many were given one. Only a
        look, not the write lock, when none lacks one (every round of the search thread)."""
        try:
            lacking = self._db().execute("SELECT 1 FROM shards WHERE digest IS NULL LIMIT 1")
            if lacking.fetchone() is None:
                return 0
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        with self._writing() as db:
            keys = [
                key
                for (key,) in db.execute(
                    "SELECT key FROM shards WHERE digest IS NULL LIMIT ?", (most,)
                )
            ]
            for key in keys:
                db.execute(
                    "UPDATE shards SET digest = ? WHERE key = ?", (self._digest_of(key), key)
                )
        return len(keys)

    def _digest_of(self, key: str) -> int:
        """(In a transaction.) The digest of a shard's ids in the order of their rows."""
        low, _ = shard_rows(key)
        found = self.ids(key)
        ids: list[str | None] = [None] * (max(found, default=low - 1) - low + 1)
        for row, ident in found.items():
            ids[row - low] = ident
        return order_digest(ids)

    def match(
        self, column: str | None, needle: str, within: list[tuple[int, int]] | None = None
    ) -> list[int] | None:
        """The row numbers of the articles the index proposes for a word or phrase in every
        text (`column` None) or in titles ("title"); None when it cannot propose. `within`:
        only in these ranges of row numbers (a word's last letters may go on, and FTS5 reads
        the doclists of such a prefix whole for each query, so ranges are few)."""
        found = phrase(needle)
        if found is None:
            return None
        where = "title" if column == "title" else "{title body}"
        sql = "SELECT group_concat(rowid) FROM docs WHERE docs MATCH ?"
        asked = f"{where} : {found}"
        try:
            db = self._db()
            if within is None:  # one string, not a row object per match (tens of thousands)
                (joined,) = db.execute(sql, (asked,)).fetchone()
                parts = [joined] if joined else []
            else:
                sql += " AND rowid BETWEEN ? AND ?"
                parts = [j for r in within if (j := db.execute(sql, (asked, *r)).fetchone()[0])]
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        rows = list(map(int, ",".join(parts).split(","))) if parts else []
        rows.sort()  # in the order of the rows (as FTS5 gives them: the sort finds one run)
        return rows

    def ids_at(self, rows: list[int]) -> dict[int, str]:
        """The indexed articles at these row numbers, by row number (the rows asked for as
        one JSON array)."""
        return self._ids_where(
            "rowid IN (SELECT value FROM json_each(?))", f"[{','.join(map(str, rows))}]"
        )

    def ids(self, key: str) -> dict[int, str]:
        """Each indexed article of a shard by its row number."""
        return self._ids_where("rowid BETWEEN ? AND ?", *shard_rows(key))

    def _ids_where(self, where: str, *args: object) -> dict[int, str]:
        """Articles by row number, read as one JSON string: SQLite gives each row a step,
        and the interpreter is let go during each, so a thread reading a thousand rows one
        by one waits a thousand times for it back while another thread works (about 5 ms
        a row at worst, beside a screen's grouping: seconds for a filter typed then)."""
        sql = f"SELECT json_group_array(json_array(rowid, id)) FROM arts WHERE {where}"
        try:
            (joined,) = self._db().execute(sql, args).fetchone()
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        return dict(orjson.loads(joined)) if joined else {}

    def scores(self, needles: Iterable[str]) -> dict[int, float]:
        """How relevant each article (by row number) holding any of the words or phrases is;
        higher is more relevant. One whose title holds more of them ranks above one whose
        title holds fewer (`TITLE_TIER`), and among those BM25 decides, titles weighing more
        than the rest: BM25 measures an article's length whole, so a headline's word in an
        article with a long full text ranked below a passing mention in a short one."""
        phrases = [p for needle in needles if (p := phrase(folded(needle))) is not None]
        if not phrases:
            return {}
        in_titles: dict[int, int] = {}
        try:
            db = self._db()
            found = db.execute(
                f"SELECT rowid, bm25(docs, {TITLE_WEIGHT}, {BODY_WEIGHT}) FROM docs "
                "WHERE docs MATCH ?",
                (" OR ".join(phrases),),
            ).fetchall()
            for asked in dict.fromkeys(phrases):  # one string of row numbers a phrase
                (joined,) = db.execute(
                    "SELECT group_concat(rowid) FROM docs WHERE docs MATCH ?",
                    (f"title : {asked}",),
                ).fetchone()
                for row in map(int, joined.split(",") if joined else ()):
                    in_titles[row] = in_titles.get(row, 0) + 1
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc
        # bm25(): lower is better
        return {row: TITLE_TIER * in_titles.get(row, 0) - score for row, score in found}

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[None]:
        """Read what the index holds at one moment (a writer may commit meanwhile)."""
        db = self._db()
        began = not db.in_transaction
        if began:
            db.execute("BEGIN")
        try:
            yield
        finally:
            if began and db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    db.execute("COMMIT")

    # -- bringing it up to date -------------------------------------------------------------
    @contextlib.contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        db = self._db()
        try:
            with db:
                db.execute("BEGIN IMMEDIATE")
                yield db
        except sqlite3.Error as exc:
            raise self._broken(exc) from exc

    def drop(self, keys: Iterable[str]) -> None:
        """Forget shards that are gone."""
        with self._writing() as db:
            for key in keys:
                _delete_shard(db, key)

    def put_shard(
        self,
        key: str,
        version: Signature,
        rows: Iterable[Row],
        still: Signature | None = None,
        made: MadeWords | None = None,
        renumber: bool = False,
    ) -> bool:
        """Index a whole shard afresh at `version`, its articles in the order of their
        places. `still`: the shard's stat as it is on disk, looked at again inside the
        transaction; nothing is written (False) when the shard changed since it was read
        (its writer indexes the new version). `made`: words made already (see `_insert`).
        `renumber`: a shard indexed at this version already in another order is indexed
        again in this one (else it stays as it is)."""
        rows = list(rows)
        try:
            with self._writing() as db:
                if still is not None and still != version:
                    return False
                held = db.execute(
                    "SELECT ino, size, mtime, digest FROM shards WHERE key = ?", (key,)
                ).fetchone()
                # indexed at this version already (by another process): its row numbers
                # stay, unless they are to be in this order (a process that read them before
                # sees the digest change)
                if (
                    held is not None
                    and held[:3] == tuple(version)
                    and (not renumber or held[3] == order_digest([r.id for r, _ in rows]))
                ):
                    return True
                _delete_shard(db, key)
                _insert(db, key, rows, made=made)
                db.execute(
                    "INSERT OR REPLACE INTO shards VALUES (?, ?, ?, ?, ?)",
                    (key, *version, self._digest_of(key)),
                )
        except TooBig:
            return False
        return True

    def put_articles(
        self,
        key: str,
        base: Signature | None,
        version: Signature,
        rows: list[Row],
        made: MadeWords | None = None,
    ) -> bool:
        """Index some articles of a shard (new ones, or ones with a new text or title) and
        move it from `base` (its stat before they were written; None: it did not exist) to
        `version`. False, writing nothing, when the index does not hold the shard at `base`:
        the whole shard must be indexed then."""
        try:
            with self._writing() as db:
                found = db.execute(
                    "SELECT ino, size, mtime FROM shards WHERE key = ?", (key,)
                ).fetchone()
                if (tuple(found) if found is not None else None) != base:
                    return False
                _insert(db, key, rows, replace=base is not None, made=made)
                db.execute(
                    "INSERT OR REPLACE INTO shards VALUES (?, ?, ?, ?, ?)",
                    (key, *version, self._digest_of(key)),
                )
        except TooBig:
            return False
        return True


def _delete_shard(db: sqlite3.Connection, key: str) -> None:
    low, high = shard_rows(key)
    db.execute("DELETE FROM docs WHERE rowid BETWEEN ? AND ?", (low, high))
    db.execute("DELETE FROM arts WHERE rowid BETWEEN ? AND ?", (low, high))
    db.execute("DELETE FROM shards WHERE key = ?", (key,))


def _insert(
    db: sqlite3.Connection,
    key: str,
    rows: list[Row],
    replace: bool = False,
    made: MadeWords | None = None,
) -> None:
    """Index articles of one shard; `replace`: some may be indexed already (a new text, a
    revised title), and keep their row numbers. `made`: words made already, each taken
    only when the title, summary and full text it was made from are the article's now
    (anything else, such as a revision since, is made here)."""
    low, high = shard_rows(key)
    held: dict[str, int] = {}
    if replace:
        held = {
            ident: row
            for row, ident in db.execute(
                "SELECT rowid, id FROM arts WHERE rowid BETWEEN ? AND ?", (low, high)
            )
        }
    (last,) = db.execute(
        "SELECT coalesce(max(rowid), ?) FROM arts WHERE rowid BETWEEN ? AND ?",
        (low - 1, low, high),
    ).fetchone()
    arts = []
    docs = []
    gone = []
    for record, text in rows:
        row = held.get(record.id)
        if row is None:
            last += 1
            if last > high:
                raise TooBig(key)
            row = last
            arts.append((row, record.id))
        else:
            gone.append((row,))
        known = made.get(record.id) if made else None
        if (
            known is not None
            and known[0] == record.title
            and known[1] == record.summary
            and known[2] == text
        ):
            docs.append((row, known[3], known[4]))
        else:
            docs.append((row, *indexed_words(record.title, record.summary, text)))
    db.executemany("DELETE FROM docs WHERE rowid = ?", gone)
    db.executemany("INSERT INTO arts VALUES (?, ?)", arts)
    db.executemany("INSERT INTO docs(rowid, title, body) VALUES (?, ?, ?)", docs)


# per shard: the version, the index's generation and the digest of the shard's order in it
# they hold for, its ids by place, and whether each of them was a stored article when read
# (the articles of a shard only go when the shard does, or is read again at another
# version: then the entry is made anew)
RowIds = dict[str, tuple[Signature, int, int | None, list[str | None], bool]]

# per shard, the store's own ids of it in the order of their places, with their digest
# (`order_digest`): the shard's member list and its length they were made from, the ids
# (that list itself when its members were filed in order), and the digest
OrderHeld = tuple[list[str], int, list[str], int]
Orders = dict[str, OrderHeld]


def held_order(members: list[str], records: dict[str, Record], in_order: bool) -> OrderHeld:
    """A shard's member list as a store holds it, its length, its ids in the order of their
    places (the list itself when they were filed `in_order`, nearly always) and their digest
    (`order_digest`). Every member is filed (`records`)."""
    ordered = members if in_order else sorted(members, key=lambda ident: records[ident].place)
    return members, len(members), ordered, order_digest(ordered)


# a word's (or phrase's) candidates as last asked, by column, needle and row ranges: the
# state of the store and index they were read in, the ids, and whether all are stored
WordAnswers = dict[
    tuple[str | None, str, tuple[tuple[int, int], ...] | None],
    tuple[tuple[object, ...], frozenset[str], bool],
]
WORD_ANSWERS = 4  # words kept (a word in 57,000 of a million articles: about 4 MB)
ANSWER_MOST = 100_000  # ids of a word kept at most (a commoner word is asked again)


@dataclass(slots=True)
class RowsKnown:
    """What a store's word queries have learnt of the search index, kept from one query to
    the next (`WordLookup`): each shard's ids in the order of their places (`orders`), the
    ids by row number of a shard the index numbered otherwise (`row_ids`), and the last
    words asked (`answers`)."""

    orders: Orders = field(default_factory=dict)
    row_ids: RowIds = field(default_factory=dict)
    answers: WordAnswers = field(default_factory=dict)

    def forget(self, key: str) -> None:
        """A shard the store dropped (the answers are checked against the store's state)."""
        self.orders.pop(key, None)
        self.row_ids.pop(key, None)

    def order_of(
        self,
        key: str,
        members: list[str],
        records: dict[str, Record],
        filed_out_of_order: set[str],
    ) -> OrderHeld:
        """A shard's ids in the order of their places with their digest (`held_order`), as
        held for its member list now, or made and held (as the shard loads, or when it
        grew since)."""
        held = self.orders.get(key)
        if held is None or held[0] is not members or held[1] != len(members):
            in_order = key not in filed_out_of_order
            held = self.orders[key] = held_order(members, records, in_order)
        return held


class WordLookup:
    """The search index as one query of one store sees it: candidates from the shards the
    index holds at the version the store read, and every article of the other shards.

    `loaded`: each shard the store has read with the stat it read it at; `members`: each
    shard's article ids; `records`: the articles by id; `known`: the store's caches
    (`RowsKnown`) of each shard's ids in the order of their places (`_in_order`;
    `filed_out_of_order`: the shards whose members are not in that order), of each
    shard's ids by row number as read from the index, for a shard whose order is not
    the index's, and of the last words asked, taken again
    while the shards and the index are as they were (a far-down filter asks for its word
    for the part of the list there, then for the whole list; switching between two filters
    asks for each again and again). Made for one query, under the store's lock, and used
    as a context (one read of the index); reads the index when a word term first asks."""

    STALE_SHARE = 0.5  # more of the articles than this unindexed: scan instead

    def __init__(
        self,
        index: SearchIndex,
        loaded: dict[str, Signature | None],
        members: dict[str, list[str]],
        records: dict[str, Record],
        known: RowsKnown,
        sparse: bool = False,
        *,
        filed_out_of_order: set[str],
        problems: list[str] | None = None,
    ) -> None:
        self.index = index
        self.problems = problems  # the store's, to say in once why the index is not used
        self.known = known
        self.filed_out_of_order = filed_out_of_order
        self._digests: dict[str, int] = {}  # the index's, of the shards it holds as read
        self.answers = known.answers
        # a thread beside a screen is reading every shard's ids: a shard not read yet has
        # only the rows asked for read (`_ids_of`)
        self.sparse = sparse
        self._state: tuple[object, ...] = ()  # what the answers were read in (`_look`)
        self.loaded = loaded
        self.members = members
        self.records = records
        self.row_ids = known.row_ids
        self._current: dict[int, str] = {}  # shard code -> key, of the shards held as read
        self._stale: set[str] = set()
        # when set, candidates come from these shards only (a first page of the newest, or
        # the days a since:/before: filter keeps to)
        self.within: set[str] | None = None
        self._usable: bool | None = None
        self._reading: contextlib.ExitStack | None = None
        # the candidate sets given whose ids were all stored articles, with their sizes then
        self._stored: list[tuple[set[str], int]] = []

    def __enter__(self) -> WordLookup:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._reading is not None:
            self._reading.close()

    def _look(self) -> bool:
        if self._usable is None:
            self._usable = False
            if not self.index.path.exists():  # never built: a viewer does not start one here
                return False
            try:
                self.index.check_file()
                self._reading = contextlib.ExitStack()
                self._reading.enter_context(self.index.snapshot())
                indexed = self.index.versions()
                digests = self.index.digests()
            except SearchUnavailable as exc:
                problem = unusable(exc)
                if self.problems is not None and problem not in self.problems:
                    self.problems.append(problem)
                return False
            current = {k for k, v in self.loaded.items() if v is not None and indexed.get(k) == v}
            self._digests = {k: digests[k] for k in current if k in digests}
            stale_keys = set(self.loaded) - current
            unindexed = sum(len(self.members.get(k, ())) for k in stale_keys)
            total = sum(len(m) for m in self.members.values())
            if unindexed > total * self.STALE_SHARE:
                return False
            self._current = {shard_code(k): k for k in current}
            self._stale = {i for k in stale_keys for i in self.members.get(k, ())}
            # the shards held as read at their versions, and the others with how many
            # articles each has filed (a shard filed in part grows): an answer read in this
            # state is this lookup's answer
            self._state = (
                self.index.generation,
                frozenset((k, self.loaded[k]) for k in current),
                frozenset((k, self.loaded[k], len(self.members.get(k, ()))) for k in stale_keys),
            )
            self._usable = True
        return self._usable

    @property
    def usable(self) -> bool:
        """Whether the index can be read and holds most of the store's articles."""
        return self._look()

    @property
    def exact(self) -> bool:
        """Whether every article the store holds is in the index at the version it holds."""
        return self._look() and not self._stale

    def _in_order(self, key: str) -> list[str] | None:
        """The store's ids of a shard held as read, in the order of their places, when they
        are the index's ids of it in the order of its row numbers (the digests agree): then
        a row number's article is the store's at that place, and the index's own list of
        them is never read (at a million articles, reading it from a cold disk took 0.4 s).
        None when they are not (the shard's articles filed in another order here, the index
        built by an older wirewatch): its ids are read from the index."""
        wanted = self._digests.get(key)
        members = self.members.get(key)
        if wanted is None or not members:
            return None
        held = self.known.order_of(key, members, self.records, self.filed_out_of_order)
        return held[2] if held[3] == wanted else None

    def _ids_of(self, key: str) -> tuple[list[str | None], bool]:
        """A shard's ids by place, read from the index once per version of the shard, and
        whether every one of them is a stored article."""
        held = self._held(key)
        if held is not None:
            return held
        low, _ = shard_rows(key)
        version, generation = self.loaded[key], self.index.generation
        assert version is not None  # (a shard held as read has its version)
        places, stored = self._places(key, low, self.index.ids(key))
        self.row_ids[key] = (version, generation, self._digests.get(key), places, stored)
        return places, stored

    def _held(self, key: str) -> tuple[list[str | None], bool] | None:
        """A shard's ids by place as read before, while they still hold (the shard at the
        version read, the index the same file, its rows in the order they were in)."""
        version = self.loaded[key]
        assert version is not None
        cached = self.row_ids.get(key)
        if (
            cached is not None
            and cached[0] == version
            and cached[1] == self.index.generation
            and cached[2] == self._digests.get(key)
        ):
            return cached[3], cached[4]
        return None

    def _read_alone(self, key: str, rows: list[int]) -> bool:
        """Whether these rows of a shard are read alone, not the shard's every id (`_runs`)."""
        return (
            self.sparse
            and len(rows) * SPARSE_READ < len(self.members.get(key, ()))
            and self._held(key) is None
        )

    def _places(self, key: str, low: int, found: dict[int, str]) -> tuple[list[str | None], bool]:
        """Ids read from the index by place in a shard (from its first row number, `low`),
        and whether every one of them is a stored article of that shard."""
        places: list[str | None] = [None] * (max(found, default=low - 1) - low + 1)
        records = self.records
        stored = True
        for row, ident in found.items():
            record = records.get(ident)
            # not filed yet (read while the shard is filed), or filed under another shard
            # (one kept by retention while its day was still there): it may leave the store
            # while this shard stays as it is
            if record is None or record.shard != key:
                stored = False
            places[row - low] = record.id if record is not None else ident  # shared strings
        return places, stored

    def orders_of(self, keys: Iterable[str]) -> tuple[list[str], list[str]]:
        """Of these shards, those held as read that the store holds in the index's order
        (`_in_order`: nothing to read), and those whose ids must be read from the index."""
        in_order: list[str] = []
        out_of_order: list[str] = []
        if not self._look():
            return in_order, out_of_order
        held = set(self._current.values())
        for key in keys:
            if key in held:
                (in_order if self._in_order(key) is not None else out_of_order).append(key)
        return in_order, out_of_order

    def read_rows_out_of_order(self, keys: Iterable[str]) -> list[str]:
        """Read the ids by row number of these shards, where the index holds them as read
        and not in the order this store holds them in; returns the shards of those that
        the index numbered in another order (by an older wirewatch, or in a process that
        filed their articles otherwise) and this store holds whole."""
        if not self._look():
            return []
        held = set(self._current.values())
        disordered = []
        for key in keys:
            if key in held and self._in_order(key) is None:
                self._ids_of(key)
                if key in self._digests and key in self.members:
                    disordered.append(key)
        return disordered

    def _runs(self, rows: list[int]) -> Iterator[tuple[list[int], int, list[str | None], bool]]:
        """Ascending row numbers cut into runs of one shard held as read: each run, the
        shard's first row number, its ids by place and whether they are all stored articles
        (rows of other shards left out).

        A shard whose articles the store holds in the index's order (`_in_order`, nearly
        always) gives the store's own list. For the others, while a search thread beside
        a screen reads every shard's ids (`sparse`: at a
        million articles, for a minute or more after opening), the few rows asked of a
        shard of many not read yet are read alone, and nothing is kept: a word in 48,000
        articles of a million would otherwise read a million row numbers first (1.2 s).
        They are read first, in one query for every shard: a query apiece waits for the
        interpreter apiece, each time it is let go, while another thread works. Elsewhere a
        shard's ids are read whole and kept (`_ids_of`), for the queries after (a process
        with no screen asks again and again, or once)."""
        current, span = self._current, 1 << PLACE_BITS
        runs: list[tuple[list[int], int, str]] = []
        start, end = 0, len(rows)
        while start < end:
            low = rows[start] >> PLACE_BITS << PLACE_BITS
            stop = bisect.bisect_left(rows, low + span, start)
            key = current.get(low >> PLACE_BITS)
            if key is not None:
                runs.append((rows[start:stop], low, key))
            start = stop
        ordered = {key: found for key in {k for _, _, k in runs} if (found := self._in_order(key))}
        alone = {key for run, _, key in runs if key not in ordered and self._read_alone(key, run)}
        asked = [row for run, _, key in runs if key in alone for row in run]
        read = self.index.ids_at(asked) if asked else {}
        for run, low, key in runs:
            if key in ordered:  # every one a stored article of the shard
                yield run, low, cast("list[str | None]", ordered[key]), True
            elif key in alone:
                yield run, low, *self._places(key, low, {r: read[r] for r in run if r in read})
            else:
                yield run, low, *self._ids_of(key)

    def _idents(self, rows: list[int]) -> tuple[set[str], bool]:
        """The ids of these ascending row numbers, in the shards held as read, and whether
        all of them are stored articles: a run's ids are taken by place in one pass of `map`
        (a word in 44,000 articles of a million)."""
        found: set[str | None] = set()
        all_stored = True
        for run, low, places, stored in self._runs(rows):
            if run[-1] - low >= len(places):  # rows indexed after the store read the shard
                run = [row for row in run if row - low < len(places)]
            found.update(map(places.__getitem__, map(low.__rsub__, run)))
            all_stored = all_stored and stored
        found.discard(None)
        return cast("set[str]", found), all_stored

    def only_stored(self, ids: set[str]) -> bool:
        """Whether `ids` is a set of candidates this lookup gave, still the size it was given
        at, whose ids are all stored articles: then counting them needs no look at each (a
        word in 57,000 articles of a million: about 45 ms of lookups)."""
        return any(ids is given and len(ids) == size for given, size in self._stored)

    def scores(self, needles: Iterable[str]) -> dict[str, float]:
        """BM25 (higher is better) of the articles holding any of the words or phrases, in
        the shards the index holds as read."""
        found = self.index.scores(needles)
        out: dict[str, float] = {}
        for run, low, places, _ in self._runs(sorted(found)):
            for row in run:
                place = row - low
                ident = places[place] if place < len(places) else None
                if ident is not None:
                    out[ident] = found[row]
        return out

    def _ranges(self, keys: set[str]) -> list[tuple[int, int]]:
        """Row ranges that hold the articles of these shards (those held as read; the stale
        are read): one per run of them next to each other among the shards held, or one
        from the first to the last when the runs are many (each range costs a query)."""
        codes = sorted(self._current)
        places = sorted(
            bisect.bisect_left(codes, shard_code(key))
            for key in keys
            if shard_code(key) in self._current
        )
        if not places:
            return []
        runs = [[places[0], places[0]]]
        for place in places[1:]:
            if place == runs[-1][1] + 1:
                runs[-1][1] = place
            else:
                runs.append([place, place])
        if len(runs) > MOST_RANGES:
            runs = [[places[0], places[-1]]]
        span = 1 << PLACE_BITS
        return [(codes[a] << PLACE_BITS, (codes[b] << PLACE_BITS) + span - 1) for a, b in runs]

    def candidates(self, column: str | None, needle: str) -> set[str] | None:
        """Ids that may hold the word or phrase (in titles when `column` is "title"); None when
        the index cannot tell (every article must be checked). With `within` set, only the
        articles of those shards are answered for."""
        if not self._look():
            return None
        within = self._ranges(self.within) if self.within is not None else None
        asked = (column, needle, tuple(within) if within is not None else None)
        answers = self.answers
        answer = answers.get(asked)
        if answer is not None and answer[0] == self._state:
            hits, stored = set(answer[1]), answer[2]  # a copy: a caller may add to it
            answers[asked] = answers.pop(asked)  # the last asked now
        else:
            try:
                found = self.index.match(column, needle, within)
                if found is None:
                    return None
                hits, stored = self._idents(found)
            except SearchUnavailable:
                self._usable = False
                return None
            if self._stale:  # (the articles of the shards the index does not hold as read)
                hits = hits | self._stale
            if len(hits) <= ANSWER_MOST:
                answers.pop(asked, None)
                while len(answers) >= WORD_ANSWERS:  # the longest unasked go first
                    del answers[next(iter(answers))]
                answers[asked] = (self._state, frozenset(hits), stored)
        if stored:
            self._stored.append((hits, len(hits)))
        return hits
