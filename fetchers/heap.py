"""The cyclic garbage collector, paused while many long-lived objects are made.

Articles, their records and the stories made from them hold no reference cycles and are
freed by reference counting; each pass of the collector while they are made would walk
every one of them, and beside a screen that pass holds the GIL long enough to be seen."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator


@contextlib.contextmanager
def collector_paused(settle: Callable[[], object] | None = None) -> Iterator[None]:
    """No collection runs inside (it resumes as it was after). `settle`: called before it
    resumes, to put what was made out of its sight (a screen's process freezes the heap):
    its first pass after a pause walks everything made during it, in one hold of the GIL
    (about a second for the window of articles a first grouping of a million weighs)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if settle is not None:
            settle()
        if was_enabled:
            gc.enable()
