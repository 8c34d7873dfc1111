"""Background work gives way to the work a person is waiting for.

Over a million articles a dashboard keeps threads busy long after it opens: the search
index reads which article each of its rows stands for, the story shelf is made, a cycle's
articles are grouped. Python runs one thread's bytecode at a time, so a filter typed
meanwhile shares the interpreter with all of them and takes two or three times as long as
alone. The work a person waits for runs inside `waited_for()`; loops that can wait call
`give_way()` between their steps, and rest while any such work runs (never longer than
`LONGEST_WAIT`, so nothing in the background starves behind a stuck query). Work a newer
request has replaced (a filter typed over before its whole list came) stops at its next
step (`check_superseded`) rather than share the interpreter with the newer one."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import chain, islice
from typing import ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

LONGEST_WAIT = 2.0  # seconds a background step waits at most for the foreground
STEP_ITEMS = 2000  # items of a long loop between two looks (`giving_way`)

_guard = threading.Lock()
_running: Counter[int] = Counter()  # per thread, the pieces of waited-for work it runs now
_idle = threading.Event()  # set while none runs
_idle.set()
_replaced: dict[int, Callable[[], bool]] = {}  # per thread: whether its work was replaced


class Superseded(Exception):
    """The work a person waited for was replaced by newer work before it ended."""


@contextmanager
def waited_for(superseded: Callable[[], bool] | None = None) -> Iterator[None]:
    """Mark the work inside, in this thread, as what a person is waiting for. `superseded`
    says whether a newer request has replaced it (asked between steps: `check_superseded`)."""
    me = threading.get_ident()
    with _guard:
        _running[me] += 1
        _idle.clear()
    outer = _replaced.get(me)
    if superseded is not None:
        _replaced[me] = superseded
    try:
        yield
    finally:
        if superseded is not None:
            if outer is None:
                del _replaced[me]
            else:
                _replaced[me] = outer
        with _guard:
            _running[me] -= 1
            if not _running[me]:
                del _running[me]
            if not _running:
                _idle.set()


def check_superseded() -> None:
    """(Between the steps of long work.) Raise Superseded when the work a person waits for
    in this thread was replaced by a newer request."""
    replaced = _replaced.get(threading.get_ident())
    if replaced is not None and replaced():
        raise Superseded


def busy() -> bool:
    """Whether work a person waits for is running now."""
    return not _idle.is_set()


def give_way(longest: float = LONGEST_WAIT) -> bool:
    """(A background thread, between steps.) Wait while work a person waits for runs, at
    most `longest` seconds; whether it waited. Never call it holding a lock that work in
    the foreground may take. Work in the foreground that calls it goes on."""
    if _idle.is_set() or threading.get_ident() in _running:
        return False
    _idle.wait(longest)
    return True


def giving_way(items: Iterable[T], every: int = STEP_ITEMS) -> Iterator[T]:
    """`items`, with a `give_way` after each `every` of them (a long loop's steps). The
    items pass through in C: only each step runs Python here."""
    return chain.from_iterable(_steps(iter(items), every))


def _steps(items: Iterator[T], every: int) -> Iterator[list[T]]:
    while step := list(islice(items, every)):
        yield step
        if len(step) < every:  # the last: nothing more to wait for
            return
        give_way()


def in_foreground(work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`work(...)` run as work a person waits for (for `asyncio.to_thread`)."""
    with waited_for():
        return work(*args, **kwargs)
