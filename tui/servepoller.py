"""`wirewatch serve`'s own poller: a `wirewatch poll` child kept running while it serves.

Without it the first browser tab was the writer: when that tab closed (or its laptop slept
and the tab was dropped) every other tab stopped updating, and with no tab open nothing
polled, so no webhook or desktop alert fired. Here serve starts `wirewatch poll` on its data
dir before it serves, and every tab is a viewer of it. A `poll` that finds another writer
(a `wirewatch poll` service) waits for it on its own, looking every few seconds, and polls
once it stops; one that dies is started again, with a backoff. The poller leads a process
group of its own (a ctrl+c at serve's terminal is serve's to pass on), is stopped with
SIGTERM, then SIGKILL, and ends by itself if serve is killed (Linux: the parent-death
signal). Its log is `poll`'s: serve's stderr.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from fetchers.store.lock import WriterLock

READY_WAIT = 30.0  # seconds serve waits for a writer to hold the data dir before serving
TERM_GRACE = 20.0  # seconds the poller has to finish its write after SIGTERM
FIRST_BACKOFF = 1.0  # seconds before a poller that died is started again, doubled each time
MAX_BACKOFF = 60.0
STEADY = 60.0  # a poller that ran this long before dying starts again at once, said again
LOOK = 0.2  # seconds between the keeper's looks at its poller

# Run before `poll` itself: SIGTERM once the thread that started it is gone (serve killed,
# SIGKILL included), and nothing at all if serve is already gone. Linux only (prctl); a
# poller elsewhere outlives a killed serve as any orphan does.
LIFELINE = """
import ctypes, os, signal, sys
try:
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
except (AttributeError, OSError):
    pass
if os.getppid() != int(sys.argv[1]):
    sys.exit(0)
os.execv(sys.argv[2], sys.argv[2:])
"""


def complain_default(message: str) -> None:
    print(f"wirewatch: {message}", file=sys.stderr, flush=True)


class ServePoller:
    """One `wirewatch poll` (`argv`) for `data_dir`, kept running from `start` to `stop`.

    `locks` is False for a store without `writer.lock` (PostgreSQL: its pollers poll side
    by side), where serve does not wait for a writer before serving."""

    def __init__(
        self,
        argv: list[str],
        data_dir: Path,
        locks: bool = True,
        complain: Callable[[str], None] = complain_default,
    ) -> None:
        self.argv = argv
        self.data_dir = data_dir
        self.locks = locks
        self.complain = complain
        self.process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._started = threading.Event()  # the first poller is running (or failed to)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the poller, and return once some process writes the data dir (this poller,
        or another that it now waits for), the poller has exited, or READY_WAIT passed: a
        tab opened before then would take the writer lock itself."""
        # (started from the keeping thread: the parent-death signal is sent when the thread
        # that started a process ends, and this one lives until `stop`)
        self._thread = threading.Thread(target=self._keep, name="serve-poller", daemon=True)
        self._thread.start()
        self._started.wait()
        if not self.locks:
            return
        lock = WriterLock(self.data_dir)
        deadline = time.monotonic() + READY_WAIT
        while time.monotonic() < deadline and not lock.active():
            process = self.process
            if process is None or process.poll() is not None:
                return
            time.sleep(0.05)

    def stop(self) -> None:
        """Stop the poller (SIGTERM to its group, then SIGKILL) and the keeping; returns once
        it is gone."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join()

    def _spawn(self) -> subprocess.Popen[bytes] | None:
        try:
            return subprocess.Popen(
                [sys.executable, "-P", "-c", LIFELINE, str(os.getpid()), *self.argv],
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        except OSError as exc:
            self.complain(f"cannot start the poller: {exc.strerror or exc}")
            return None

    def _keep(self) -> None:
        """(The keeping thread.) Run the poller until `stop`, starting it again when it
        dies: after 1 s, then 2, 4… up to a minute, said once until it runs steadily."""
        backoff, said = FIRST_BACKOFF, False
        try:
            while not self._stopping.is_set():
                began = time.monotonic()
                self.process = process = self._spawn()
                self._started.set()
                while process is not None and process.poll() is None:
                    if self._stopping.wait(LOOK):
                        return
                if time.monotonic() - began >= STEADY:
                    backoff, said = FIRST_BACKOFF, False
                if not said:
                    code = process.returncode if process is not None else None
                    how = f"exited with code {code}" if code is not None else "did not start"
                    if code is not None and code < 0:
                        with contextlib.suppress(ValueError):
                            how = f"was ended by {signal.Signals(-code).name}"
                    self.complain(
                        f"the poller {how}; starting it again in {backoff:.0f} s (if it keeps "
                        "exiting, later each time, without saying so again)"
                    )
                    said = True
                if self._stopping.wait(backoff):
                    return
                backoff = min(backoff * 2, MAX_BACKOFF)
        finally:
            self._started.set()
            self._end()

    def _end(self) -> None:
        """SIGTERM to the poller's group (it writes the answers it has, then exits), then
        SIGKILL after TERM_GRACE; what it started goes with it."""
        process = self.process
        if process is None:
            return
        for number, grace in ((signal.SIGTERM, TERM_GRACE), (signal.SIGKILL, TERM_GRACE)):
            if process.poll() is not None:
                break
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, number)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(grace)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)  # its parser processes, if they lingered
