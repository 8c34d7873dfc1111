"""Big sorts and sets made a step at a time.

One `sorted` or `set` of a million items is one call that holds the interpreter for a
tenth of a second or more: a freeze of a screen drawn by another thread of the process.
Made a chunk at a time (chunks sorted, then merged; a set updated a chunk at a time), the
interpreter can switch threads between the steps."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
H = TypeVar("H", bound=Hashable)

STEP = 100_000  # items sorted or added in one call


def merged_in_steps(
    items: Sequence[T],
    key: Callable[[T], Any],
    step: int | None = None,
    sort: Callable[[list[T]], None] | None = None,
) -> Iterator[T]:
    """`items` in `key` order, sorted `step` (default STEP) at a time and merged. `sort`:
    sorts a chunk in place into `key` order by a quicker way (no tuple per item); without
    it, `sorted` by `key`. Equal keys keep their order (the sorts are stable, and the merge
    takes from the earlier chunk first)."""
    step = step or STEP
    chunks = [list(items[at : at + step]) for at in range(0, len(items), step)]
    if sort is None:
        chunks = [sorted(chunk, key=key) for chunk in chunks]
    else:
        for chunk in chunks:
            sort(chunk)
    if len(chunks) <= 1:
        return iter(chunks[0] if chunks else [])
    return heapq.merge(*chunks, key=key)


def sorted_stepwise(items: Sequence[T], key: Callable[[T], Any]) -> list[T]:
    """`sorted(items, key=key)`, the same order, a step at a time."""
    return list(merged_in_steps(items, key))


def set_stepwise(items: Sequence[H]) -> set[H]:
    """`set(items)`, filled a step at a time."""
    step = STEP
    out: set[H] = set()
    for at in range(0, len(items), step):
        out.update(items[at : at + step])
    return out
