"""The cyclic garbage collector, paused while many long-lived objects are made.

Articles, their records and the stories made from them hold no reference cycles and are
freed by reference counting; each pass of the collector while they are made would walk
every one of them, and beside a screen that pass holds the GIL long enough to be seen.

The collector is one switch for the whole process, and pauses overlap: a poll's write, the
alert check and the story shelf each pause it in threads of their own. It resumes when the
last pause under way ends, never while another is still making its objects (one pause
ending mid-way through another's let full collections walk everything the other made, a
fifth of a second each beside a million articles).

What lives long is put out of the collector's sight (`gc.freeze`) here too: after a big
load, in any process (`keep_loaded_out_of_collections`), and beside a screen, after pauses
that made many objects (`HeapSettler`). A frozen object is never collected, so what a freeze
kept alive and was let go since is reclaimed now and then (`reclaim_frozen`).

The allocator under them is asked for one heap for all threads (`one_malloc_arena`)."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import logging
import threading
from collections.abc import Callable, Iterator

log = logging.getLogger(__name__)

# the pauses' count and the walk's state; re-entered by a finalizer that settling runs
_guard = threading.Condition(threading.RLock())
_pauses = 0  # pauses under way, in every thread
_walker: int | None = None  # the thread walking the frozen heap (`reclaim_frozen`), if any
_resume = False  # whether the collector was on when the first of them began
# called as the collector resumes after pauses (`settle_on_resume`), in the order installed
_settlers: list[Callable[[], object]] = []
# objects in the collector's sight from which a `HeapSettler` freezes the heap rather than
# leave them to its passes (a pass over the 77,000 a first grouping had left took 112 ms)
FREEZE_FROM = 20_000
FREEZE_LOADED = 50_000  # articles a store loaded from which the heap is frozen at once
_freezes = 0  # freezes since the frozen heap was last walked (`reclaim_frozen`)
M_ARENA_MAX = -8  # glibc's mallopt parameter


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No collection runs inside, nor until every pause begun meanwhile (in any thread) has
    ended; then the heap is settled (`settle_on_resume`) and the collector resumes as it
    was before the first."""
    global _pauses, _resume
    with _guard:
        # not while the frozen heap is walked: the walk would freeze half of what the pause
        # makes. A finalizer the walk runs, on the walking thread, goes on (it cannot wait)
        _guard.wait_for(lambda: _walker in (None, threading.get_ident()))
        if not _pauses:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _guard:
            _pauses -= 1
            if not _pauses and _resume:
                try:
                    _settle()
                finally:  # (never leave the collector off for good)
                    gc.enable()


def _settle() -> None:
    """Every settler, each even if one before it failed. Settling only spares the
    collector's passes: a failure is logged, never raised into the work whose pause ended
    (a store's write that succeeded)."""
    for settler in list(_settlers):
        try:
            settler()
        except Exception:
            log.exception("settling the heap failed")


def settle_on_resume(settle: Callable[[], object]) -> Callable[[], None]:
    """Call `settle` whenever the collector resumes after pauses, until the function
    returned is called. For a process with a screen: whatever the pauses made (in any
    thread, the screen's own included) is put out of sight as the collector resumes, rather
    than walked by its next pass, on whichever thread allocates next. `settle` runs on the
    thread whose pause ended last, holding this module's lock: it must neither pause the
    collector nor wait for a lock. `gc.freeze` does neither; nor does counting with
    `gc.get_objects`, unless the list it makes holds the last reference to an object
    another thread lets go meanwhile, whose finalizer then runs here."""
    _settlers.append(settle)

    def remove() -> None:
        with contextlib.suppress(ValueError):
            _settlers.remove(settle)

    return remove


def keep_loaded_out_of_collections(loaded: int) -> None:
    """(Inside a pause, after a store loaded `loaded` articles.) From FREEZE_LOADED of them,
    move every object alive out of the collector's reach (`gc.freeze`), in any process:
    records hold no cycles and are freed by reference counting all the same, and the first
    full collection after opening a million articles would walk them all, stalling whatever
    runs then (about 0.7 s). A process with a screen also freezes what later pauses make
    (`HeapSettler`)."""
    if loaded >= FREEZE_LOADED:
        _freeze()


def _freeze() -> None:
    global _freezes
    gc.freeze()
    _freezes += 1


def frozen_since_reclaim() -> int:
    """How many times the heap was frozen since it was last walked (`reclaim_frozen`)."""
    return _freezes


def reclaim_frozen() -> int | None:
    """Let the collector walk the frozen heap once, then freeze again what is still alive;
    the objects it freed are returned (None: not now, a pause or another walk is under way).

    A reference cycle alive at a freeze and let go later is never collected otherwise: each
    line a screen draws is one (a Textual `Strip` caching itself), and an open dashboard
    grew by some 20 KB of them for each new article it took in. This is a full collection
    (about 150 ns an object: 0.3 s beside two million objects frozen), so a screen calls it
    now and then, when its user is not typing. Never inside a pause: what a pause makes is
    the settlers' to freeze as it ends; a pause another thread begins meanwhile waits for
    the walk to end. No lock is held while the collector walks: the finalizers it runs may
    take any lock, and a lock held across them was one more for them to wait on."""
    global _freezes, _walker
    with _guard:
        if _pauses or _walker is not None:
            return None
        _walker = threading.get_ident()
    try:
        gc.unfreeze()
        try:
            found = gc.collect()
        finally:
            gc.freeze()
        _freezes = 0
    finally:
        with _guard:
            _walker = None
            _guard.notify_all()
    return found


class HeapSettler:
    """Keeps the garbage collector's passes short beside a screen (a dashboard's session
    installs one, `settle_on_resume`): what it would walk is put out of its sight
    (`gc.freeze`) once it is many objects, and left to it before.

    The store holds hundreds of thousands of long-lived objects; a collection walking them
    holds the GIL for long enough to freeze the screen. They are freed by reference counting
    when retention drops them, so the collector has no business with them.

    But a frozen object is never collected: a reference cycle alive at a freeze and let go
    later stays for good (each line the screen draws is one, a Textual `Strip` caching
    itself), and freezing at every settle grew an open dashboard by about 0.7 MB a poll. So
    the heap is frozen only after a pause that made `FREEZE_FROM` objects or more, or once
    the pauses since the last freeze may have left that many in the collector's sight (then
    they are counted: about a millisecond)."""

    def __init__(self) -> None:
        # about how many objects the pauses left in the collector's sight since the last
        # freeze (made meanwhile, or as last counted): when it reaches FREEZE_FROM they are
        # counted, and counted again only once it grew by half as much more
        self.gathered = 0

    def __call__(self) -> None:
        made = gc.get_count()[0]  # the objects made since the collector's last pass
        if made < FREEZE_FROM:
            self.gathered += made
            if self.gathered < FREEZE_FROM:
                return
            in_sight = len(gc.get_objects())
            if in_sight < FREEZE_FROM:
                self.gathered = min(in_sight, FREEZE_FROM // 2)
                return
        _freeze()
        self.gathered = 0


def one_malloc_arena() -> None:
    """Ask glibc for one malloc arena, before the process starts its threads. By default
    each thread that allocates gets its own, and memory freed in one is not reused for
    another thread's allocations: a refresh unpickles parse results in one thread and
    stages and writes in others, and a 2,000-feed refresh held about 90 MB more for it. An
    open dashboard's poll, grouping, search and screen have threads of their own: polling
    200 feeds for 100 hours it ended at 125.7 MB, with one arena 109.9 MB, the objects alive
    the same. (Without glibc: nothing happens.)"""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None).mallopt(M_ARENA_MAX, 1)
