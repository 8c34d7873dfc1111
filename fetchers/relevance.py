"""Ranking by relevance: a derived SQLite FTS5 index of titles, summaries and full texts,
scored with BM25 (titles weigh more).

The shards stay the record. The index (`search.sqlite` in the data dir) remembers the stat of
each shard it indexed and brings itself up to date from the shards whose stat changed, so a
missing, stale or deleted index costs time, never a result. It only orders: which articles
match is decided by the query language, exactly as for `newest first`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Literal

from fetchers.store import ArticleStore

SortOrder = Literal["newest", "relevance"]
FILE = "search.sqlite"
TITLE_WEIGHT, BODY_WEIGHT = 4.0, 1.0
_SCHEMA = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS docs USING fts5("
    "id UNINDEXED, shard UNINDEXED, title, body, "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TABLE IF NOT EXISTS shards(key TEXT PRIMARY KEY, ino INT, size INT, mtime INT)",
)


class RelevanceError(Exception):
    """The index cannot be read or brought up to date (a read-only data dir, a lock held
    too long); the caller falls back to newest first."""


class RelevanceIndex:
    """The FTS5 index of one data dir. Any process may bring it up to date (SQLite locks it)."""

    def __init__(self, folder: Path) -> None:
        """Open (or make) the index; sqlite3.Error when it cannot be used (a read-only data
        dir, a database locked for longer than 30 s)."""
        self.path = Path(folder) / FILE
        try:
            self.db = self._connect()
        except sqlite3.OperationalError:  # locked, or not writable: not ours to delete
            raise
        except sqlite3.DatabaseError:  # not a database (torn, overwritten): derived, so rebuilt
            self.path.unlink(missing_ok=True)
            self.db = self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30)
        try:
            for statement in _SCHEMA:
                db.execute(statement)
            db.commit()
        except sqlite3.Error:
            db.close()
            raise
        return db

    def close(self) -> None:
        self.db.close()

    def sync(self, store: ArticleStore) -> int:
        """Index the shards of `store` whose stat changed since they were indexed, drop those
        that are gone; returns how many articles were (re)indexed."""
        present = store.shard_keys()
        known = {
            key: (ino, size, mtime)
            for key, ino, size, mtime in self.db.execute("SELECT key, ino, size, mtime FROM shards")
        }
        indexed = 0
        with self.db:
            for key in set(known) - set(present):
                self.db.execute("DELETE FROM docs WHERE shard = ?", (key,))
                self.db.execute("DELETE FROM shards WHERE key = ?", (key,))
            for key in present:
                if known.get(key) == store.shard_version(key):
                    continue
                loaded, pairs = store.records_with_texts(key)
                if loaded is None:
                    continue
                signature = loaded  # what the records came from, not the file as it is now
                rows = [
                    (record.id, key, record.title, f"{record.summary}\n{text or ''}")
                    for record, text in pairs
                ]
                self.db.execute("DELETE FROM docs WHERE shard = ?", (key,))
                self.db.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows)
                self.db.execute(
                    "INSERT OR REPLACE INTO shards VALUES (?, ?, ?, ?)", (key, *signature)
                )
                indexed += len(rows)
        return indexed

    def scores(self, words: Iterable[str]) -> dict[str, float]:
        """BM25 of each article holding any of the words or phrases (at a word's start, as
        the query language finds them); higher is more relevant."""
        terms = [w for w in words if w.strip()]
        if not terms:
            return {}
        match = " OR ".join('"' + term.replace('"', '""') + '"*' for term in terms)
        try:
            found = self.db.execute(
                f"SELECT id, bm25(docs, 0, 0, {TITLE_WEIGHT}, {BODY_WEIGHT}) FROM docs "
                "WHERE docs MATCH ?",
                (match,),
            ).fetchall()
        except sqlite3.OperationalError:  # a word FTS5 cannot take as a term: rank by time
            return {}
        return {ident: -score for ident, score in found}  # bm25(): lower is better


def by_relevance(store: ArticleStore, folder: Path, ids: list[str], words: list[str]) -> list[str]:
    """`ids` (newest first) ordered by relevance to `words`, most relevant first; equally
    relevant ones keep their newest-first order. The index is kept in `folder` (the data
    dir)."""
    try:
        index = RelevanceIndex(folder)
    except sqlite3.Error as exc:
        raise RelevanceError(f"{folder / FILE}: cannot be used ({exc})") from exc
    try:
        index.sync(store)
        scores = index.scores(words)
    except sqlite3.Error as exc:
        raise RelevanceError(f"{folder / FILE}: cannot be used ({exc})") from exc
    finally:
        index.close()
    place = {ident: n for n, ident in enumerate(ids)}
    return sorted(ids, key=lambda ident: (-scores.get(ident, 0.0), place[ident]))
