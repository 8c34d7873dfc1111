"""What the writer knows is stored, so a poll's "is this item new?" costs no round trip to the
server for the items a feed carries again and again.

A poller asks `knows` and `revised` of every item of a feed, one at a time, in its event
loop; asking the server each time would cost a round trip per item. The first time a source
is asked about, its newest articles are read in one query; whatever this process stores is
added as it is stored. A miss is only a hint (the article may be older than what was read):
the write itself (`PostgresStore.add_staged`) decides against the database.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from fetchers.models import Article, comparable
from fetchers.store.codec import moved as page_moved
from fetchers.webaddress import untracked

PER_SOURCE = 300  # newest articles of a source read on its first question
MOST = 400_000  # entries kept at most; the least recently stored go first


def digest(title: str, summary: str) -> int:
    """What a stored article's title and summary are compared by (`comparable`)."""
    return hash((comparable(title), comparable(summary)))


class KnownArticles:
    """ids -> digest of title and summary, and (source, link) -> id, bounded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._digests: OrderedDict[str, int] = OrderedDict()
        self._links: dict[tuple[str, str], str] = {}
        self._link_of: dict[str, tuple[str, str]] = {}
        self._sources: set[str] = set()  # sources whose newest articles were read

    def has_source(self, source: str) -> bool:
        with self._lock:
            return source in self._sources

    def add_source(self, source: str, rows: list[tuple[str, str | None, str, str]]) -> None:
        """(id, link, title, summary) of a source's newest articles."""
        with self._lock:
            self._sources.add(source)
            for ident, link, title, summary in rows:
                self._put(ident, source, link, digest(title, summary))

    def put(self, ident: str, source: str, link: str | None, title: str, summary: str) -> None:
        with self._lock:
            self._put(ident, source, link, digest(title, summary))

    def _put(self, ident: str, source: str, link: str | None, value: int) -> None:
        self._digests[ident] = value
        self._digests.move_to_end(ident)
        if link:
            link = untracked(link)  # (stored before links came without them)
            self._links[(source, link)] = ident
            self._link_of[ident] = (source, link)
        while len(self._digests) > MOST:
            old, _ = self._digests.popitem(last=False)
            where = self._link_of.pop(old, None)
            if where is not None and self._links.get(where) == old:
                del self._links[where]

    def knows(self, article: Article) -> bool:
        """Held by id, or under its link as the same item: one whose title and summary are the
        held one's. One of no guid with other words is left to the write, which alone knows
        whether its link is one article's (then it is that one's) or several's (as the
        data-dir store tells them: `ArticleStore._same_by_link`)."""
        with self._lock:
            if article.id in self._digests:
                return True
            link = untracked(article.link) if article.link else None
            owner = self._links.get((article.source, link)) if link else None
            if owner is None:
                return False
            held = self._digests.get(owner)
            return held is None or held == digest(article.title, article.summary)

    def moved(self, article: Article) -> bool:
        """Held under another link than the item gives now, one no other held article of its
        source is under (`codec.moved`; the write decides against the database)."""
        if not article.link:
            return False
        link = untracked(article.link)
        with self._lock:
            if article.id not in self._digests:
                return False
            held = self._link_of.get(article.id)
            if held is not None and not page_moved(held[1], article.link):
                return False
            return self._links.get((article.source, link), article.id) == article.id

    def digest_of(self, ident: str) -> int | None:
        with self._lock:
            return self._digests.get(ident)

    def clear(self) -> None:
        with self._lock:
            self._digests.clear()
            self._links.clear()
            self._link_of.clear()
            self._sources.clear()
