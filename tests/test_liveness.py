"""Viewers and the writer: a viewer notices a poller that exited or hangs, says so, and can
take over as the writer. The poller is a real `wirewatch poll` process."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.config import load_config
from fetchers.liveness import SILENT_AFTER, Waking, WriterState
from fetchers.models import Article
from fetchers.store import Store, StoreLocked
from tests.conftest import FROZEN, dash, make, piloted, settle, status_text
from tests.procs import running
from tui.app import WirewatchApp
from tui.commands import WirewatchCommands

ROOT = Path(__file__).resolve().parent.parent
STEP = 0.1  # seconds a Pilot pause lasts while waiting for the dashboard to notice


def story(folder: Path, name: str, title: str) -> None:
    (folder / f"{name}.txt").write_text(f"{title}. Seoul and Washington met again.\n")
    (folder / f"{name}.meta.toml").write_text(
        f'title = "{title}"\npublished = 2025-10-24T16:05:00+09:00\n'
    )


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    clips = tmp_path / "clips"
    clips.mkdir()
    story(clips, "a", "Tariff talks resume")
    path = tmp_path / "wirewatch.toml"
    path.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "Clips"\npath = "{clips}"\n')
    return path


@pytest.fixture
def poller(tmp_path: Path, config_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`wirewatch poll` on tmp_path/data, once it holds the lock and has stored its first poll."""
    with polling(tmp_path, config_file, "--now", FROZEN.isoformat()) as proc:
        yield proc


@pytest.fixture
def busy_poller(tmp_path: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`wirewatch poll` on the real clock of a folder of clippings it looks at every second
    (tmp_path/clips), once it has stored the first."""
    clips = tmp_path / "clips"
    clips.mkdir()
    clip(clips, "a", "Tariff talks resume")
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ninterval = "1s"\n[[sources]]\nname = "Clips"\npath = "{clips}"\n'
    )
    with polling(tmp_path, config) as proc:
        yield proc


def clip(folder: Path, name: str, title: str) -> None:
    """A clipping without a date: filed under the day it is polled (retention keeps it)."""
    (folder / f"{name}.txt").write_text(f"{title}. Seoul and Washington met again.\n")
    (folder / f"{name}.meta.toml").write_text(f'title = "{title}"\n')


@contextlib.contextmanager
def polling(tmp_path: Path, config_file: Path, *options: str) -> Iterator[subprocess.Popen[bytes]]:
    """`wirewatch poll` on tmp_path/data (its log in tmp_path/poll.log), once it holds the
    lock and has stored its first poll; stopped at the end."""
    data = tmp_path / "data"
    with open(tmp_path / "poll.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "--config", str(config_file), "--data-dir", str(data)]
            + [*options, "poll"],
            cwd=ROOT,
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if (data / "sources.json").exists():  # written after the first cycle's store
                break
            assert proc.poll() is None, (tmp_path / "poll.log").read_text()
            time.sleep(0.05)
        else:
            pytest.fail("the poller did not store its first poll")
        yield proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGCONT)
            proc.terminate()
        proc.wait(timeout=30)


def wait_for(check, seconds: float = 30) -> None:  # noqa: ANN001 - a predicate
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "gave up waiting"
        time.sleep(0.05)


def test_writer_state_tells_a_poller_at_work_from_one_that_hangs_or_exited(
    tmp_path: Path, poller: subprocess.Popen[bytes]
) -> None:
    lock = tmp_path / "data" / "writer.lock"
    with Store(tmp_path / "data") as viewer:
        state = viewer.writer_state()
        assert state.held and state.pid == poller.pid and not state.gone
        os.kill(poller.pid, signal.SIGSTOP)  # hangs: holds the lock, writes nothing
        long_ago = time.time() - 10 * SILENT_AFTER
        os.utime(lock, (long_ago, long_ago))
        state = viewer.writer_state()
        assert state.held and state.gone
        os.kill(poller.pid, signal.SIGCONT)  # its heartbeat shows it at work again
        wait_for(lambda: not viewer.writer_state().gone)
        poller.terminate()
        assert poller.wait(timeout=30) == 0
        state = viewer.writer_state()
        assert not state.held and state.gone


async def test_a_viewer_says_the_poller_stopped_and_takes_over(
    tmp_path: Path, config_file: Path, poller: subprocess.Popen[bytes]
) -> None:
    config = load_config(config_file, FROZEN)
    app = WirewatchApp(config, tmp_path / "data", clock=lambda: FROZEN)
    async with piloted(app, (160, 40)) as pilot:

        def status() -> str:
            return status_text(app)

        async def until(check, steps: int = 600) -> None:  # noqa: ANN001 - a predicate
            for _ in range(steps):
                if check():
                    return
                await pilot.pause(STEP)
            pytest.fail(f"gave up waiting; status: {status()}")

        await settle(app, pilot, want=1)
        assert not dash(app).writer
        await until(lambda: "viewer (attached to a poller)" in status())

        os.kill(poller.pid, signal.SIGSTOP)  # a poller that hangs, holding the lock
        long_ago = time.time() - 10 * SILENT_AFTER
        os.utime(tmp_path / "data" / "writer.lock", (long_ago, long_ago))
        await until(lambda: "NOT UPDATING: the poller has written nothing for" in status())
        await pilot.press("r")  # it still holds the lock: nothing to take over yet
        assert not dash(app).writer
        os.kill(poller.pid, signal.SIGCONT)
        await until(lambda: "viewer (attached to a poller)" in status())
        # its warning goes with it: it said to press r for a minute more
        assert not any(n.title == "Nothing is updating" for n in app._notifications)
        await until(
            lambda: any(
                str(n.message) == "A poller writes this store again." for n in app._notifications
            )
        )

        poller.terminate()  # as `kill -TERM`: it finishes its write and exits
        assert poller.wait(timeout=30) == 0
        await until(lambda: "NOT UPDATING: the poller stopped" in status())
        assert "r polls here" in status()
        palette = [text for text, _, _ in WirewatchCommands(app.screen)._entries()]
        assert "Poll here: take over from the stopped poller" in palette

        story(tmp_path / "clips", "b", "Summit date set")  # since the poller stopped
        await pilot.press("r")  # take over
        await until(lambda: dash(app).writer and dash(app).polling)
        assert (tmp_path / "data" / "writer.lock").read_text().strip() == str(os.getpid())
        with Store(tmp_path / "data") as other:
            assert other.writer_state().pid == os.getpid() and not other.writer_state().gone
        assert "NOT UPDATING" not in status() and "viewer" not in status()
        shown = [str(n.message) for n in app._notifications]  # its warning went with it
        assert not any("has stopped" in text for text in shown)
        assert any("now polls the sources" in text for text in shown)

        # and it polls here at once, as the key says (the sources' next poll is an hour
        # off: it took a second `r`)
        await until(lambda: dash(app).total == 2)
        story(tmp_path / "clips", "c", "Summit opens")
        await pilot.press("r")
        await until(lambda: dash(app).total == 3)
        await pilot.press("q")
    assert not running(poller.pid)


def test_a_viewer_looking_at_the_lock_does_not_refuse_a_starting_writer(tmp_path: Path) -> None:
    """Viewers take the lock shared for an instant to see whether a writer runs; a writer
    starting in that instant still becomes the writer."""
    tmp_path.joinpath("writer.lock").touch()
    with open(tmp_path / "writer.lock") as looking:
        fcntl.flock(looking, fcntl.LOCK_SH | fcntl.LOCK_NB)
        threading.Timer(0.05, fcntl.flock, args=(looking, fcntl.LOCK_UN)).start()
        with Store(tmp_path, writer=True) as writer:
            assert writer.is_writer


def test_poll_with_a_frozen_clock_says_it_polls_once(
    tmp_path: Path, poller: subprocess.Popen[bytes]
) -> None:
    """`poll --now` polled each source once, then never again, without a word: its
    schedule waits for a clock that does not move. It says so as it starts."""
    log = (tmp_path / "poll.log").read_text()
    assert "--now holds the clock still: each source is polled once" in log


def test_a_viewer_that_slept_with_its_poller_does_not_call_the_poller_hung() -> None:
    """A laptop resumed after 8 hours: the poller's last beat is 8 hours old until its next
    one (its beat waits on the monotonic clock, which slept too). The viewer counts silence
    from the jump of its own wall clock, so it does not say "NOT UPDATING … Stop it" of a
    healthy poller; one that still does not beat is said to hang once SILENT_AFTER passes."""
    clock = {"wall": 1_000_000.0, "mono": 500.0}
    waking = Waking(lambda: clock["wall"], lambda: clock["mono"])
    assert not waking.judged(WriterState(True, 7, 3.0)).gone
    clock["wall"] += 8 * 3600 + 1.0  # asleep 8 hours, then one second awake
    clock["mono"] += 1.0
    seen = waking.judged(WriterState(True, 7, 8 * 3600 + 4.0))
    assert not seen.gone and seen.silent <= 1.0
    clock["wall"] += 9.0  # the poller's next beat came
    clock["mono"] += 9.0
    assert not waking.judged(WriterState(True, 7, 1.0)).gone
    clock["wall"] += SILENT_AFTER + 10  # and it stopped beating for good
    clock["mono"] += SILENT_AFTER + 10
    assert waking.judged(WriterState(True, 7, SILENT_AFTER + 11)).gone


def test_a_viewer_awake_all_along_says_a_silent_poller_hangs() -> None:
    """With no jump of the clock, a lock untouched past SILENT_AFTER is a hanging writer."""
    clock = {"wall": 1_000_000.0, "mono": 500.0}
    waking = Waking(lambda: clock["wall"], lambda: clock["mono"])
    assert not waking.judged(WriterState(True, 7, 3.0)).gone
    clock["wall"] += SILENT_AFTER
    clock["mono"] += SILENT_AFTER
    assert waking.judged(WriterState(True, 7, SILENT_AFTER + 3.0)).gone


def holder(lock: Path) -> str | None:
    """The pid written in a writer lock, None when there is no lock file."""
    try:
        return lock.read_text().strip()
    except FileNotFoundError:
        return None


def titles_stored(data: Path) -> list[str]:
    """The headlines a data dir holds, as a viewer opening it reads them."""
    with Store(data) as store:
        return sorted(a.title for a in store.query())


def test_a_poller_whose_lock_file_was_removed_takes_it_again(
    tmp_path: Path, busy_poller: subprocess.Popen[bytes]
) -> None:
    """A clean-up that removed writer.lock while `poll` ran left the poller holding a lock
    on a file no other process opens: a second `poll` or a dashboard took the new one and
    wrote beside it, storing articles twice and losing others. The poller takes the lock at
    its path again, so the next writer is refused."""
    lock = tmp_path / "data" / "writer.lock"
    lock.unlink()
    wait_for(lambda: holder(lock) == str(busy_poller.pid))
    with pytest.raises(StoreLocked):
        Store(tmp_path / "data", writer=True)
    log = (tmp_path / "poll.log").read_text()
    assert log.count("writer.lock was removed or replaced while this process wrote") == 1


def test_a_poller_stores_nothing_beside_the_writer_that_took_its_removed_lock(
    tmp_path: Path, busy_poller: subprocess.Popen[bytes]
) -> None:
    """A writer that came while the lock file was gone (before the poller looked again)
    writes the data dir: the poller stores nothing beside it, and says why, until it has
    gone; then it takes the lock again and stores what it polled meanwhile, each article
    once, beside the other's."""
    data = tmp_path / "data"
    os.kill(busy_poller.pid, signal.SIGSTOP)  # (the other comes before the poller looks)
    (data / "writer.lock").unlink()
    other = Store(data, writer=True)  # a dashboard opened then: it becomes the writer
    try:
        os.kill(busy_poller.pid, signal.SIGCONT)
        clip(tmp_path / "clips", "b", "Summit date set")  # polled within a second
        wait_for(lambda: "this one stores nothing" in (tmp_path / "poll.log").read_text())
        now = datetime.now(UTC)
        other.add_batch([Article(id="desk-1", source="Desk", title="Ministers meet", fetched=now)])
        assert titles_stored(data) == ["Ministers meet", "Tariff talks resume"]
    finally:
        other.close()
    wait_for(lambda: holder(data / "writer.lock") == str(busy_poller.pid))
    wait_for(lambda: "Summit date set" in titles_stored(data))
    busy_poller.terminate()
    assert busy_poller.wait(timeout=30) == 0
    for rows in data.glob("rows-*.json"):  # what the day's file holds, not a cache
        rows.unlink()
    assert titles_stored(data) == ["Ministers meet", "Summit date set", "Tariff talks resume"]
    assert "writes it again" in (tmp_path / "poll.log").read_text()


def test_a_viewer_of_a_data_dir_moved_under_its_poller_sees_no_poller(
    tmp_path: Path, busy_poller: subprocess.Popen[bytes]
) -> None:
    """`mv data moved` while `poll` ran: the poller held the moved folder's lock and touched
    it at each heartbeat, so a dashboard on it said "viewer (attached to a poller)" while
    every write of the poller failed (it writes by the old path). It lets go of that lock
    and says in its log why it stores nothing; nothing is made at the old place."""
    data, moved = tmp_path / "data", tmp_path / "moved"
    data.rename(moved)
    with Store(moved) as viewer:
        wait_for(lambda: not viewer.writer_state().held)
        assert viewer.writer_state().gone  # "NOT UPDATING: the poller stopped"
    log = (tmp_path / "poll.log").read_text()
    assert "the data dir is no longer there (moved or removed" in log
    assert not data.exists()


def test_a_writer_that_takes_its_removed_lock_again_keeps_what_another_wrote_meanwhile(
    tmp_path: Path,
) -> None:
    """A writer whose lock file was removed, and whose lock another writer took and let go
    meanwhile, reads what that one wrote before it writes: each of its tables had counted
    the next document number from its own writes, and its next articles took the numbers
    of the other's, which were lost."""
    data = tmp_path / "data"
    with Store(data, writer=True) as first:
        first.add_batch([make(n) for n in range(5)])
        (data / "writer.lock").unlink()
        with Store(data, writer=True) as second:
            second.add_batch([make(n) for n in range(5, 8)])
        first.add_batch([make(n) for n in range(8, 10)])
        assert len(first) == 10
    for rows in data.glob("rows-*.json"):
        rows.unlink()
    with Store(data) as store:
        assert sorted(a.id for a in store.query()) == sorted(f"Wire-{n}" for n in range(10))


def test_a_write_that_waited_while_the_heartbeat_took_the_lock_again_keeps_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The heartbeat's thread takes the removed lock back while a poll's write holds the
    store: that write, not only the heartbeat once it gets in, reads first what another
    writer stored meanwhile (its tables counted the next document number from this
    process's own writes, and its articles took the numbers of the other's)."""
    data = tmp_path / "data"
    with Store(data, writer=True) as first:
        first.add_batch([make(n) for n in range(5)])
        (data / "writer.lock").unlink()
        with Store(data, writer=True) as second:
            second.add_batch([make(n) for n in range(5, 8)])
        lock = first._writer_lock
        keep = lock.keep
        taken_back = threading.Event()

        def keep_then_tell() -> None:
            keep()
            if threading.current_thread() is not threading.main_thread():
                taken_back.set()

        monkeypatch.setattr(lock, "keep", keep_then_tell)
        with first.lock:  # a poll's write has the store: the heartbeat waits for it
            beat = threading.Thread(target=first.heartbeat)
            beat.start()
            assert taken_back.wait(30)
            first.add_batch([make(n) for n in range(8, 10)])
        beat.join(30)
        assert len(first) == 10
    for rows in data.glob("rows-*.json"):
        rows.unlink()
    with Store(data) as store:
        assert sorted(a.id for a in store.query()) == sorted(f"Wire-{n}" for n in range(10))


async def test_a_data_dir_that_cannot_be_written_here_says_it_is_read_only(
    tmp_path: Path, config_file: Path
) -> None:
    """A data dir its viewer may not write (a read-only copy, a read-only mount) and no
    poller writes: the status line said "NOT UPDATING: the poller stopped …; r polls here"
    beside the notice that it cannot poll here, and r only tried again. It says the store
    is read-only here, offers no poll, and r says why there is none."""
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch([make(1)])
    (data / "writer.lock").unlink()
    (data / "writer.lock").mkdir()  # cannot be opened for writing, as in a read-only folder
    app = WirewatchApp(load_config(config_file, FROZEN), data, clock=lambda: FROZEN)
    async with piloted(app, (160, 40)) as pilot:

        def status() -> str:
            return status_text(app)

        await settle(app, pilot, want=1)
        for _ in range(100):  # (the viewer's first look at the writer)
            if dash(app).writer_state is not None:
                break
            await pilot.pause(STEP)
        await pilot.pause()
        assert "READ-ONLY" in status()
        assert "NOT UPDATING" not in status() and "polls here" not in status()
        palette = [text for text, _, _ in WirewatchCommands(app.screen)._entries()]
        assert not any(text.startswith("Poll here") for text in palette)
        shown = [str(n.message) for n in app._notifications]
        assert not any("to poll from this dashboard" in text for text in shown)
        await pilot.press("r")
        await pilot.pause()
        assert not dash(app).writer
        shown = [str(n.message) for n in app._notifications]
        assert any(text.startswith("Cannot poll here") for text in shown), shown
        await pilot.press("q")


async def test_a_viewer_sees_its_poller_at_work_again_once_it_takes_its_removed_lock_again(
    tmp_path: Path, busy_poller: subprocess.Popen[bytes]
) -> None:
    """writer.lock removed while a dashboard watched its poller: the dashboard said the
    poller had stopped and offered r, which made it a second writer beside the poller. The
    poller takes its lock again, and the dashboard sees it at work."""
    data = tmp_path / "data"
    config = load_config(tmp_path / "wirewatch.toml", datetime.now(UTC))
    app = WirewatchApp(config, data)
    async with piloted(app, (160, 40)) as pilot:

        def status() -> str:
            return status_text(app)

        async def until(check, steps: int = 600) -> None:  # noqa: ANN001 - a predicate
            for _ in range(steps):
                if check():
                    return
                await pilot.pause(STEP)
            pytest.fail(f"gave up waiting; status: {status()}")

        await settle(app, pilot, want=1)
        await until(lambda: "viewer (attached to a poller)" in status())
        (data / "writer.lock").unlink()
        await until(lambda: holder(data / "writer.lock") == str(busy_poller.pid))
        await until(lambda: "viewer (attached to a poller)" in status())
        assert not dash(app).writer
        await pilot.press("q")
