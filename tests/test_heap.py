"""The garbage collector's pauses: one switch for the process, shared by the threads that
make many objects beside a screen."""

from __future__ import annotations

import contextlib
import ctypes
import gc
import os
import signal
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

from fetchers.heap import (
    FREEZE_FROM,
    HeapSettler,
    collector_paused,
    frozen_since_reclaim,
    reclaim_frozen,
    settle_on_resume,
)
from tests.procs import descendants

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_8890db16bdd93803.txt"


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


def test_a_settler_that_fails_is_logged_and_lets_the_others_run_and_the_collector_resume(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Settling only spares the collector's passes: the work whose pause ended (a write
    that succeeded) never sees its failure."""
    settled: list[str] = []

    def broken() -> None:
        raise RuntimeError("settling failed")

    removers = [settle_on_resume(broken), settle_on_resume(lambda: settled.append("next"))]
    try:
        with collector_paused():
            pass
    finally:
        for remove in removers:
            remove()
    assert settled == ["next"]
    assert "settling the heap failed" in caplog.text
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


class _Node:
    """A reference cycle once `me` is set: freed only by the collector."""

    me: object


@pytest.fixture
def heap_frozen_now() -> Iterator[None]:
    """What the process holds already out of sight, as after a dashboard's first freeze,
    and the heap settled as a dashboard's is."""
    gc.collect()
    gc.freeze()
    remove = settle_on_resume(HeapSettler())
    yield
    remove()
    gc.unfreeze()


def test_settling_after_a_pause_that_made_few_objects_leaves_them_to_the_collector(
    heap_frozen_now: None,
) -> None:
    """A reference cycle alive as the heap settles and let go later is freed. A line the
    screen drew is one: frozen, it would stay for good once drawn anew."""
    node = _Node()
    node.me = node
    alive = weakref.ref(node)
    with collector_paused():
        pass
    del node
    gc.collect()
    assert alive() is None


def test_settling_after_a_pause_that_made_many_objects_puts_them_out_of_sight(
    heap_frozen_now: None,
) -> None:
    """Walking them would hold the interpreter as long as the freeze spares the screen."""
    before = gc.get_freeze_count()
    with collector_paused():
        made = [[n] for n in range(FREEZE_FROM + 1000)]
    assert gc.get_freeze_count() - before >= len(made)


def test_settling_once_the_pauses_left_many_objects_in_sight_puts_them_out_of_sight(
    heap_frozen_now: None,
) -> None:
    """A grouping in slices of a few articles, each slice a pause: the collector's full
    passes would walk all that the slices made, longer each time."""
    made = []
    before = gc.get_freeze_count()
    for _ in range(FREEZE_FROM // 1000 + 2):
        with collector_paused():
            made.append([[n] for n in range(1000)])
    assert gc.get_freeze_count() - before >= FREEZE_FROM


def test_a_cycle_a_freeze_kept_alive_is_freed_once_the_frozen_heap_is_reclaimed(
    heap_frozen_now: None,
) -> None:
    """A line the screen drew, frozen while shown (a pause that made many objects) and drawn
    anew since, stayed for good: an open dashboard grew with each article it took in."""
    node = _Node()
    node.me = node
    alive = weakref.ref(node)
    with collector_paused():
        made = [[n] for n in range(FREEZE_FROM + 1000)]  # the settler freezes, node too
    assert frozen_since_reclaim() >= 1
    del node, made
    gc.collect()
    assert alive() is not None  # frozen: the collector's passes never see it
    assert reclaim_frozen() is not None
    assert alive() is None
    assert frozen_since_reclaim() == 0
    assert gc.get_freeze_count() > 0  # what is still alive is out of sight again


def test_the_frozen_heap_is_not_reclaimed_inside_a_pause(heap_frozen_now: None) -> None:
    """What a pause is making is the settlers' to put out of sight as it ends."""
    node = _Node()
    node.me = node
    alive = weakref.ref(node)
    gc.freeze()
    del node
    with collector_paused():
        assert reclaim_frozen() is None
    assert alive() is not None
    assert reclaim_frozen() is not None
    assert alive() is None


def test_a_pause_begun_while_the_frozen_heap_is_walked_waits_for_the_walk(
    heap_frozen_now: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poll's write beginning its pause as the screen walks the frozen heap: the walk
    (a full collection, long beside a million articles) ran inside that pause, and froze
    half of what the pause was making."""
    import types

    import fetchers.heap as heap

    entered = threading.Event()
    paused_during_walk: list[bool] = []

    def pause_in_a_thread() -> None:
        with collector_paused():
            entered.set()

    def collect() -> int:
        thread = threading.Thread(target=pause_in_a_thread)
        thread.start()
        entered.wait(0.5)  # (it cannot: the walk holds the pauses back)
        paused_during_walk.append(entered.is_set())
        found = gc.collect()
        threads.append(thread)
        return found

    threads: list[threading.Thread] = []
    walking = types.SimpleNamespace(**{name: getattr(gc, name) for name in dir(gc)})
    walking.collect = collect
    monkeypatch.setattr(heap, "gc", walking)
    assert reclaim_frozen() is not None
    threads[0].join(10)
    assert paused_during_walk == [False]
    assert entered.is_set()  # once the walk was done


def _glibc() -> bool:
    try:
        ctypes.CDLL(None).mallopt  # noqa: B018
    except (OSError, AttributeError):
        return False
    return True


THREAD_HEAP = 64 << 20  # the address space glibc reserves for each arena of its own


def _thread_heaps(pid: int) -> int:
    """How many malloc arenas a process has beside the main one: each is an anonymous
    mapping of THREAD_HEAP bytes at a multiple of THREAD_HEAP, its unused end not
    accessible."""
    rows = []
    for line in Path(f"/proc/{pid}/maps").read_text().splitlines():
        fields = line.split()
        low, high = (int(end, 16) for end in fields[0].split("-"))
        rows.append((low, high, fields[1], len(fields) > 5))
    found = 0
    for at, (low, high, perms, named) in enumerate(rows):
        if named or low % THREAD_HEAP or perms != "rw-p":
            continue
        after = rows[at + 1] if at + 1 < len(rows) else None
        if after is not None and after[0] == high and after[2:] == ("---p", False):
            high = after[1]
        found += high - low == THREAD_HEAP
    return found


@pytest.mark.skipif(
    not Path("/proc/self/maps").exists() or not _glibc(), reason="glibc's malloc on Linux"
)
def test_an_open_dashboard_keeps_one_malloc_heap_for_all_its_threads(tmp_path: Path) -> None:
    """Memory one of the dashboard's threads frees (parse results unpickled in one, articles
    staged, grouped and drawn in others) is reused by the others: with an arena each, an
    open dashboard polling 200 feeds held 16-20 MB more after four days (retention dropping
    a day's articles left their memory in the arenas of the threads that had made them)."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    data = tmp_path / "data"
    argv = [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
    proc = subprocess.Popen(
        argv,
        cwd=ROOT,
        env={**os.environ, "TEXTUAL_DRIVER": "textual.drivers.headless_driver:HeadlessDriver"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not (data / "stories.json").exists():  # polled, stored and grouped
            assert proc.poll() is None, "the dashboard ended"
            assert time.monotonic() < deadline, "the dashboard never polled"
            time.sleep(0.1)
        assert _thread_heaps(proc.pid) == 0
    finally:
        left = descendants(proc.pid)
        proc.kill()
        proc.wait()
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
