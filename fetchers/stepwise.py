"""Big sorts and sets made a step at a time.

One `sorted` or `set` of a million items is one call that holds the interpreter for a
tenth of a second or more: a freeze of a screen drawn by another thread of the process.
Made a chunk at a time (chunks sorted, then merged; a set updated a chunk at a time), the
interpreter can switch threads between the steps."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
H = TypeVar("H", bound=Hashable)

STEP = 100_000  # items sorted or added in one call


def sorted_stepwise(items: Sequence[T], key: Callable[[T], Any]) -> list[T]:
    """`sorted(items, key=key)`, the same order (stable: equal keys keep their order)."""
    step = STEP
    if len(items) <= step:
        return sorted(items, key=key)
    chunks = [sorted(items[at : at + step], key=key) for at in range(0, len(items), step)]
    return list(heapq.merge(*chunks, key=key))


def set_stepwise(items: Sequence[H]) -> set[H]:
    """`set(items)`, filled a step at a time."""
    step = STEP
    out: set[H] = set()
    for at in range(0, len(items), step):
        out.update(items[at : at + step])
    return out
