"""The cyclic garbage collector, paused while many long-lived objects are made.

Articles, their records and the stories made from them hold no reference cycles and are
freed by reference counting; each pass of the collector while they are made would walk
every one of them, and beside a screen that pass holds the GIL long enough to be seen."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No collection runs inside (it resumes as it was after)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
