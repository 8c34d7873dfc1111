"""Furniture learned from a site: a block that recurs on several articles of one host.

A newsletter box, a copyright line or a "most read" heading shows up on every article page of
a site, and no single page tells it apart from the article. Pages of one host extracted in
the same process are remembered by their blocks' fingerprints (a bounded memory); a block
already seen on enough other pages of that host is furniture when it looks like it
(`furniture`). A site repeats some of its reporting too: the updates of a developing story
carry the same paragraphs of background, and those stay.

What a poller learnt is kept in its data dir (FILE, derived: a missing or unreadable one is
learnt again), so a `refresh` run by cron learns across runs: each run sees a page or two of a
site, never enough in one process.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from fetchers.atomic import write_derived

PAGES_TO_LEARN = 2  # other pages of the host on which a block must have appeared
MAX_HOSTS = 200
MAX_BLOCKS_PER_HOST = 4000
MAX_SHARE_REMOVED = 0.5  # never take more than half an article's words as furniture
# A repeated block of fewer words is a line of a box (a sign-up line, a copyright line, a
# "most read" heading): a paragraph of reporting runs a long sentence or more.
FURNITURE_WORDS = 30
OWN_WORDS = 10  # words of a paragraph of the page's own (a dateline or a caption has fewer)


FILE = "site-furniture.json"
SAVED_HOSTS = 100  # the hosts kept in FILE, the latest seen
SAVED_BLOCKS_PER_HOST = 600  # of each, the blocks seen on most pages, then the newest
MAX_FILE_BYTES = 8_000_000  # a larger FILE is no file of ours: not read


def fingerprint(text: str) -> int:
    """A block's words, as one number the same in every process (Python's `hash` of a
    string is not, and the memory is kept on disk)."""
    words = " ".join(text.lower().split()).encode("utf-8", "surrogatepass")
    return int.from_bytes(hashlib.blake2b(words, digest_size=8).digest(), "big")


def _page_key(page: str) -> int:
    """A page's address, short: only told apart from the host's other pages."""
    return int.from_bytes(hashlib.blake2b(page.encode("utf-8", "replace"), digest_size=4).digest())


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
        self._saving = threading.Lock()
        self._hosts: OrderedDict[str, dict[int, set[int]]] = OrderedDict()
        self.changes = 0  # pages recorded: a saved copy is stale once this moved on

    def repeated(self, host: str, page: str, prints: list[int]) -> set[int]:
        """Record one page's block fingerprints; the ones seen on enough other pages."""
        key = _page_key(page)
        with self._lock:
            self.changes += 1
            seen = self._hosts.get(host)
            if seen is None:
                seen = self._hosts[host] = {}
                if len(self._hosts) > MAX_HOSTS:
                    self._hosts.popitem(last=False)
            else:
                self._hosts.move_to_end(host)
            repeated = {p for p in prints if len(seen.get(p, set()) - {key}) >= self.pages_to_learn}
            for p in prints:
                pages = seen.setdefault(p, set())
                if len(pages) <= self.pages_to_learn:
                    pages.add(key)
            while len(seen) > MAX_BLOCKS_PER_HOST:
                del seen[next(iter(seen))]
            return repeated

    def known(self, host: str, page: str, prints: list[int]) -> set[int]:
        """Of these fingerprints, the ones seen on enough other pages of the host (nothing is
        recorded)."""
        key = _page_key(page)
        with self._lock:
            seen = self._hosts.get(host, {})
            return {p for p in prints if len(seen.get(p, set()) - {key}) >= self.pages_to_learn}

    def clear(self) -> None:
        with self._lock:
            self._hosts.clear()
            self.changes = 0

    def dump(self) -> bytes:
        """The memory as FILE holds it: the SAVED_HOSTS latest hosts, each with its
        SAVED_BLOCKS_PER_HOST blocks seen on most pages (the furniture learnt first)."""
        with self._lock:
            hosts = list(self._hosts.items())[-SAVED_HOSTS:]
            saved: dict[str, dict[str, list[int]]] = {}
            for host, seen in hosts:
                newest = list(seen.items())[::-1]  # (sorted is stable: the newest first)
                best = sorted(newest, key=lambda item: -len(item[1]))[:SAVED_BLOCKS_PER_HOST]
                saved[host] = {f"{p:x}": sorted(pages) for p, pages in best}
        return json.dumps({"version": 1, "hosts": saved}, separators=(",", ":")).encode()

    def merge(self, data: bytes) -> bool:
        """Add what a FILE holds to what is known (the hosts in it older than the ones
        seen here); False when it is not such a file (nothing taken)."""
        try:
            loaded = json.loads(data)
            if loaded.get("version") != 1:
                return False
            taken = {
                str(host): {
                    int(p, 16): {int(k) & 0xFFFFFFFF for k in pages[: self.pages_to_learn + 1]}
                    for p, pages in seen.items()
                }
                for host, seen in loaded["hosts"].items()
            }
        except (ValueError, TypeError, AttributeError, KeyError):
            return False
        with self._lock:
            # (the file's hosts oldest first, each put before those known: the newest last)
            for host, seen in reversed(taken.items()):
                known = self._hosts.get(host)
                if known is None:
                    if len(self._hosts) >= MAX_HOSTS:
                        continue
                    self._hosts[host] = dict(list(seen.items())[:MAX_BLOCKS_PER_HOST])
                    self._hosts.move_to_end(host, last=False)  # (older than those seen here)
                    continue
                for p, pages in seen.items():
                    mine = known.get(p)
                    if mine is None:
                        if len(known) < MAX_BLOCKS_PER_HOST:
                            known[p] = set(list(pages)[: self.pages_to_learn + 1])
                    else:
                        mine.update(list(pages)[: self.pages_to_learn + 1 - len(mine)])
        return True

    def load(self, folder: Path) -> None:
        """Take what the poller of this data dir learnt before (FILE); a missing, unreadable
        or foreign one is none (it is learnt again)."""
        path = folder / FILE
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)  # (a pipe there never holds it)
        except OSError:
            return
        with os.fdopen(fd, "rb") as handle:
            try:
                info = os.fstat(handle.fileno())
                if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
                    return
                data = handle.read(MAX_FILE_BYTES + 1)
            except OSError:
                return
        self.merge(data)

    def save(self, folder: Path) -> bool:
        """Keep what is known in FILE (written whole, then renamed); False when the disk
        refused it (it is learnt again next time)."""
        with self._saving:  # (one write at a time: the temp file's name is the process's)
            return write_derived(folder / FILE, self.dump())


MEMORY = SiteMemory()
