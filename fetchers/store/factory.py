"""Opening the store the config names: the TinyDB files of the data dir (the default), or a
PostgreSQL database ([store] backend = "postgresql"; psycopg is imported only then)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fetchers.config import StoreConfig
from fetchers.store.errors import DATA_DIR_MODE, StoreError, data_dir_refused
from fetchers.store.interface import ArticleStore

if TYPE_CHECKING:
    from fetchers.story import Story


def open_store(
    chosen: StoreConfig,
    data_dir: Path,
    writer: bool = False,
    first: int | None = None,
    lean: bool = False,
    share: bool = False,
) -> ArticleStore:
    """The store of `chosen`: `first` and `lean` shape how a TinyDB store loads its files (a
    PostgreSQL store reads what each call needs and holds nothing). `share`: a writer that
    polls beside the other pollers where the store lets several share the sources
    (PostgreSQL); a TinyDB store has one writer whatever it is asked."""
    if chosen.backend == "postgresql":
        dsn = chosen.resolved_dsn()
        if not dsn:
            raise StoreError(
                '[store] backend = "postgresql" needs a dsn: [store] dsn = "postgresql://…"'
                " or $WIREWATCH_DSN"
            )
        if not dsn.startswith(("postgresql://", "postgres://")):
            raise StoreError("the store's DSN must be a postgresql://user:password@host/db URL")
        try:  # stories.json, the story and alert states and the log stay in the data dir
            data_dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(data_dir_refused(data_dir, exc)) from exc
        from fetchers.store.postgres.store import PostgresStore

        return PostgresStore(dsn, writer=writer, share=share, reader=chosen.reader)
    from fetchers.store.core import Store

    return Store(data_dir, writer=writer, first=first, lean=lean)


def newest_kept(chosen: StoreConfig, data_dir: Path, limit: int) -> list[Story] | None:
    """The `limit` stories of newest activity as the writer of the store `chosen` names last
    kept them, read without opening the store: the page a TinyDB store's writer keeps beside
    `stories.json` (`storybook.newest_stories`). None when there is no such page or it is
    stale or short, and for a PostgreSQL store, which finds its stories itself
    (`storybook.stories_found`)."""
    if chosen.backend != "tinydb":
        return None
    from fetchers.storybook import newest_stories

    return newest_stories(data_dir, limit)
