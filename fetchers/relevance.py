"""Ranking by relevance: BM25 over titles, summaries and full texts (titles weigh more), from
the store's search index (`fetchers.store.search`, `search.sqlite` in the data dir).

It only orders: which articles match is decided by the query language, exactly as for
`newest first`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fetchers.store import ArticleStore, StoreError
from fetchers.store.search import FILE

SortOrder = Literal["newest", "relevance"]
__all__ = ["FILE", "RelevanceError", "SortOrder", "by_relevance"]


class RelevanceError(Exception):
    """The index cannot be read or brought up to date (a read-only data dir, a lock held
    too long); the caller falls back to newest first."""


def by_relevance(store: ArticleStore, folder: Path, ids: list[str], words: list[str]) -> list[str]:
    """`ids` (newest first) ordered by relevance to `words`, most relevant first; equally
    relevant ones keep their newest-first order. The index is brought up to date first (a
    missing one is built: that takes time once). `folder`: the data dir, for messages."""
    try:
        scores = store.search_scores(words)
    except StoreError as exc:
        raise RelevanceError(f"{Path(folder) / FILE}: cannot be used ({exc})") from exc
    place = {ident: n for n, ident in enumerate(ids)}
    return sorted(ids, key=lambda ident: (-scores.get(ident, 0.0), place[ident]))
