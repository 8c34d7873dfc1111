"""Big sorts and sets made a step at a time.

One `sorted` or `set` of a million items is one call that holds the interpreter for a
tenth of a second or more: a freeze of a screen drawn by another thread of the process.
Made a chunk at a time (chunks sorted, then merged; a set updated a chunk at a time), the
interpreter can switch threads between the steps."""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
H = TypeVar("H", bound=Hashable)

STEP = 25_000  # items sorted, added or mapped in one call (a record each: 10-25 ms)


def merged_in_steps(
    items: Sequence[T],
    key: Callable[[T], Any],
    step: int | None = None,
    sort: Callable[[list[T]], None] | None = None,
    between: Callable[[], object] | None = None,
) -> Iterator[T]:
    """`items` in `key` order, sorted `step` (default STEP) at a time and merged. `sort`:
    sorts a chunk in place into `key` order by a quicker way (no tuple per item); without
    it, `sorted` by `key`. Equal keys keep their order (the sorts are stable, and the merge
    takes from the earlier chunk first). `between`: called after each chunk's sort."""
    step = step or STEP
    chunks = [list(items[at : at + step]) for at in range(0, len(items), step)]
    for number, chunk in enumerate(chunks):
        if sort is None:
            chunks[number] = sorted(chunk, key=key)
        else:
            sort(chunk)
        if between is not None:
            between()
    if len(chunks) <= 1:
        return iter(chunks[0] if chunks else [])
    return heapq.merge(*chunks, key=key)


def sorted_stepwise(
    items: Sequence[T],
    key: Callable[[T], Any],
    between: Callable[[], object] | None = None,
) -> list[T]:
    """`sorted(items, key=key)`, the same order, a step at a time; `between`: called after
    each step (each chunk sorted, each chunk's worth merged)."""
    merged = merged_in_steps(items, key, between=between)
    if between is None:
        return list(merged)
    out: list[T] = []
    while chunk := list(itertools.islice(merged, STEP)):
        out += chunk
        between()
    return out


def set_stepwise(items: Sequence[H]) -> set[H]:
    """`set(items)`, filled a step at a time."""
    step = STEP
    out: set[H] = set()
    for at in range(0, len(items), step):
        out.update(items[at : at + step])
    return out


def mapped_stepwise(
    function: Callable[[T], Any],
    items: Sequence[T],
    between: Callable[[], object] | None = None,
) -> list[Any]:
    """`list(map(function, items))` a step at a time: one call over a million records,
    each read from wherever it lies in memory, holds the interpreter for 0.1-0.3 s.
    `between`: called after each step."""
    out: list[Any] = []
    for at in range(0, len(items), STEP):
        out += map(function, items[at : at + STEP])
        if between is not None:
            between()
    return out


def emptied_stepwise(items: list[Any], between: Callable[[], object] | None = None) -> None:
    """Empty `items` a step at a time, from its end: the last references to a million
    objects let go in one call free them all in it (a dashboard's first grouping of a
    million articles held the interpreter 0.19 s as it let go of them). `between`: called
    after each step."""
    while items:
        del items[-STEP:]
        if between is not None:
            between()


def kept_stepwise(
    items: Sequence[T],
    lo: int,
    hi: int,
    limit: int | None,
    most: int = STEP,
    keep: Callable[[T], object] | None = None,
    drop: Callable[[T], object] | None = None,
) -> list[T]:
    """The items of `items[lo:hi]` that `keep` (or that not `drop`), up to `limit`, filtered
    in C a slice at a time: 4,096 first (a first page is found a few thousand in), then
    twice as many each step up to `most`. One filter over a million held the interpreter a
    tenth of a second, a screen's event loop with it."""
    assert (keep is None) != (drop is None), "one of keep and drop"
    out: list[T] = []
    step, start = 4096, lo
    while start < hi:
        part = items[start : min(hi, start + step)]
        out += filter(keep, part) if keep is not None else itertools.filterfalse(drop, part)
        if limit is not None and len(out) >= limit:
            del out[limit:]
            break
        start += step
        step = min(step * 2, most)
    return out
