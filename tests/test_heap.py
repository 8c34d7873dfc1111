"""The garbage collector's pauses: one switch for the process, shared by the threads that
make many objects beside a screen."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator

import pytest

from fetchers.heap import collector_paused, settle_on_resume


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    was = gc.isenabled()
    gc.enable()
    yield
    if was:
        gc.enable()
    else:
        gc.disable()


def _pause_in_a_thread() -> tuple[threading.Event, threading.Event, threading.Thread]:
    """A pause in a thread of its own: entered once the thread starts, ended on `end`."""
    entered, end = threading.Event(), threading.Event()

    def paused() -> None:
        with collector_paused():
            entered.set()
            end.wait(10)

    thread = threading.Thread(target=paused)
    thread.start()
    assert entered.wait(10)
    return entered, end, thread


def test_a_pause_ending_in_one_thread_leaves_the_collector_off_while_another_is_paused() -> None:
    """The alert check's pause ending while the story shelf is still being made in its own
    pause must not let collections walk what the shelf makes: the collector resumes when
    the last pause ends, as it was before the first."""
    _, end_first, first = _pause_in_a_thread()
    _, end_second, second = _pause_in_a_thread()
    end_first.set()
    first.join(10)
    assert not gc.isenabled()  # the second is still making its objects
    end_second.set()
    second.join(10)
    assert gc.isenabled()


def test_a_collector_off_before_the_pauses_stays_off_after_them() -> None:
    gc.disable()
    with collector_paused(), collector_paused():
        pass
    assert not gc.isenabled()


def test_what_pauses_made_is_settled_as_the_collector_resumes_until_removed() -> None:
    """Beside a screen, what the pauses made (in any thread) is put out of the collector's
    sight as it resumes, once, after the last of them; not after a pause that ends while
    another goes on, and no longer once the settler is removed."""
    settled: list[bool] = []
    remove = settle_on_resume(lambda: settled.append(gc.isenabled()))
    try:
        _, end, other = _pause_in_a_thread()
        with collector_paused():
            made = [[n] for n in range(50_000)]
        assert settled == []  # the other thread's pause goes on
        end.set()
        other.join(10)
        assert settled == [False]  # once, before the collector resumes
        assert len(made) == 50_000
    finally:
        remove()
    with collector_paused():
        pass
    assert settled == [False]
    assert gc.isenabled()


def test_a_pause_settles_its_own_objects_before_the_collector_resumes() -> None:
    order: list[str] = []
    remove = settle_on_resume(lambda: order.append("process"))
    try:
        with collector_paused(lambda: order.append("own")):
            pass
    finally:
        remove()
    assert order == ["own", "process"]


def test_a_settle_that_raises_still_lets_the_collector_resume() -> None:
    def broken() -> None:
        raise RuntimeError("settling failed")

    remove = settle_on_resume(broken)
    try:
        with pytest.raises(RuntimeError), collector_paused(broken):
            pass
    finally:
        remove()
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
