"""Ranking by relevance: BM25 over titles, summaries and full texts (titles weigh more), from
the store's search index (`fetchers.store.search`, `search.sqlite` in the data dir).

It only orders: which articles match is decided by the query language, exactly as for
`newest first`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from fetchers.query import folded, unspaced
from fetchers.store import ArticleStore, StoreError
from fetchers.store.search import FILE, TITLE_TIER

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
    eastern = [folded(w) for w in words if unspaced(folded(w))]
    if eastern:
        scores = _with_titles(store, ids, eastern, scores)
    place = {ident: n for n, ident in enumerate(ids)}
    return sorted(ids, key=lambda ident: (-scores.get(ident, 0.0), place[ident]))


def _with_titles(
    store: ArticleStore, ids: list[str], words: list[str], scores: dict[str, float]
) -> dict[str, float]:
    """`scores` with, for words of a script written without spaces (Chinese, Japanese,
    Thai: the index's BM25 cannot score them), a title tier for each such word an article's
    headline holds, as the index gives each of its own (`TITLE_TIER`): "地震" in a headline
    ranks above a mention in a summary, rather than the matches staying newest first."""
    out = dict(scores)
    for record in store.headlines(ids):
        title = folded(record.title)
        hits = sum(word in title for word in words)
        if hits:
            out[record.id] = out.get(record.id, 0.0) + TITLE_TIER * hits
    return out
