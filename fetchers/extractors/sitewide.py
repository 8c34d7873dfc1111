"""Furniture learned from a site: a block that recurs on several articles of one host.

A newsletter box, a copyright line or a "most read" heading shows up on every article page of
a site, and no single page tells it apart from the article. Pages of one host extracted in
the same process are remembered by their blocks' fingerprints (a bounded memory); a block
already seen on enough other pages of that host is furniture when it looks like it
(`furniture`). A site repeats some of its reporting too: the updates of a developing story
carry the same paragraphs of background, and those stay.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

PAGES_TO_LEARN = 2  # other pages of the host on which a block must have appeared
MAX_HOSTS = 200
MAX_BLOCKS_PER_HOST = 4000
MAX_SHARE_REMOVED = 0.5  # never take more than half an article's words as furniture
# A repeated block of fewer words is a line of a box (a sign-up line, a copyright line, a
# "most read" heading): a paragraph of reporting runs a long sentence or more.
FURNITURE_WORDS = 30
OWN_WORDS = 10  # words of a paragraph of the page's own (a dateline or a caption has fewer)


def fingerprint(text: str) -> int:
    return hash(" ".join(text.lower().split()))


@dataclass(frozen=True, slots=True)
class Piece:
    """One block of an article, in order, as `furniture` judges it."""

    words: int
    repeated: bool  # seen on enough other pages of the site
    linked: bool = False  # mostly the words of links
    heading: bool = False


def furniture(pieces: Sequence[Piece]) -> list[bool]:
    """Which of an article's blocks are the site's furniture: of those its other pages
    repeat, the short ones, the ones mostly links, and any before the article's first
    paragraph of its own or after its last (a box above or below the article, a note or a
    bio at its foot, however long). A paragraph of prose repeated between paragraphs of the
    page's own is reporting: the background each update of a developing story carries."""
    own = [
        n
        for n, piece in enumerate(pieces)
        if not piece.repeated and not piece.heading and piece.words >= OWN_WORDS
    ]
    first, last = (own[0], own[-1]) if own else (len(pieces), -1)
    return [
        piece.repeated and (piece.words < FURNITURE_WORDS or piece.linked or not first < n < last)
        for n, piece in enumerate(pieces)
    ]


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
