"""The article store, as a package by job:

interface   ArticleStore: the operations every caller uses (both stores implement them)
factory     open_store: the store the config names ([store] backend); newest_kept: the
            page of newest stories its writer keeps, read without opening it
core        Store: the file store of a data dir (TinyDB), composing the parts below
codec       the field table and the stored forms (document, row) it drives; stage()
shards      shard files: keys, bounds, row caches
shardmap    shards.json: what each shard holds, to read only the shards a query needs
indexes     records, the date order, field indexes and the query plan
search      search.sqlite: the FTS5 index of words, for word queries and BM25
searchthread the thread keeping search.sqlite up to date with the shards
marks       read/starred marks (state.json)
texts       full texts (text-KEY.jsonl)
lock        the writer lock and what viewers see of the writer
errors      StoreError and its kinds
postgres    PostgresStore: the store in a PostgreSQL database (its own package)
copy        copy_store: every article of one store into another (`wirewatch migrate`)
"""

from __future__ import annotations

from fetchers.store.codec import StagedArticle, stage
from fetchers.store.core import Store
from fetchers.store.errors import MarksNotSaved, StoreError, StoreLocked, StoreWriteError
from fetchers.store.interface import ArticleStore

__all__ = [
    "ArticleStore",
    "MarksNotSaved",
    "StagedArticle",
    "Store",
    "StoreError",
    "StoreLocked",
    "StoreWriteError",
    "stage",
]
