"""Furniture learned from a site: a block that recurs on several articles of one host.

A newsletter box, a copyright line or a "most read" heading shows up on every article page of
a site, and no single page tells it apart from the article. Pages of one host extracted in
the same process are remembered by their blocks' fingerprints (a bounded memory); a block
already seen on enough other pages of that host is dropped from the next article.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

PAGES_TO_LEARN = 2  # other pages of the host on which a block must have appeared
MAX_HOSTS = 200
MAX_BLOCKS_PER_HOST = 4000
MAX_SHARE_REMOVED = 0.5  # never take more than half an article's words as furniture


def fingerprint(text: str) -> int:
    return hash(" ".join(text.lower().split()))


class SiteMemory:
    """Which block fingerprints each host's pages have shown, and on how many pages."""

    def __init__(self, pages_to_learn: int = PAGES_TO_LEARN) -> None:
        self.pages_to_learn = pages_to_learn
        self._lock = threading.Lock()
        self._hosts: OrderedDict[str, dict[int, set[str]]] = OrderedDict()

    def repeated(self, host: str, page: str, prints: list[int]) -> set[int]:
        """Record one page's block fingerprints; the ones seen on enough other pages."""
        with self._lock:
            seen = self._hosts.get(host)
            if seen is None:
                seen = self._hosts[host] = {}
                if len(self._hosts) > MAX_HOSTS:
                    self._hosts.popitem(last=False)
            else:
                self._hosts.move_to_end(host)
            repeated = {
                p for p in prints if len(seen.get(p, set()) - {page}) >= self.pages_to_learn
            }
            for p in prints:
                pages = seen.setdefault(p, set())
                if len(pages) <= self.pages_to_learn:
                    pages.add(page)
            while len(seen) > MAX_BLOCKS_PER_HOST:
                del seen[next(iter(seen))]
            return repeated

    def known(self, host: str, page: str, prints: list[int]) -> set[int]:
        """Of these fingerprints, the ones seen on enough other pages of the host (nothing is
        recorded)."""
        with self._lock:
            seen = self._hosts.get(host, {})
            return {p for p in prints if len(seen.get(p, set()) - {page}) >= self.pages_to_learn}

    def clear(self) -> None:
        with self._lock:
            self._hosts.clear()


MEMORY = SiteMemory()
