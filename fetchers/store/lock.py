"""The writer lock: one process writes a data dir's articles, and its viewers can tell
whether it is at work, hanging or gone (see `fetchers.liveness`)."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from pathlib import Path
from typing import IO

from fetchers import liveness
from fetchers.atomic import create_file
from fetchers.store.errors import StoreError, StoreLocked

FILE = "writer.lock"


class WriterLock:
    """`writer.lock` in one data dir: held (with this pid in it) by the writer for its life."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._handle: IO[str] | None = None

    @property
    def held(self) -> bool:
        """True while this process holds the lock."""
        return self._handle is not None

    def acquire(self) -> None:
        """Take the lock: StoreLocked when another process has it, StoreError when the data
        dir cannot be written."""
        try:
            fd = create_file(self.path, os.O_RDWR | os.O_APPEND)
        except OSError as exc:
            raise StoreError(
                f"{self.path.parent}: cannot write the data dir ({exc.strerror})"
            ) from None
        handle = open(fd, "a+")  # noqa: SIM115 - held for our lifetime
        try:
            _lock_exclusive(handle)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()
            handle.close()
            who = f" (pid {holder})" if holder else ""
            raise StoreLocked(
                f"{self.path.parent} is being written by another wirewatch process{who}",
                int(holder) if holder.isdigit() else None,
            ) from None
        try:  # the pid is only for the message another writer gets: a full disk may refuse it
            handle.seek(0)
            handle.truncate()
            handle.write(str(os.getpid()))
            handle.flush()
        except OSError:
            pass
        self._handle = handle

    def release(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def active(self) -> bool:
        """True when some process holds the lock (this one included)."""
        if self._handle is not None:
            return True
        try:  # (read-only: a viewer that may not write the data dir still sees its writer)
            with open(self.path) as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
                return False
        except OSError:
            return False

    def heartbeat(self) -> None:
        """(The holder, while it polls.) Show viewers that the writer is at work."""
        if self._handle is not None:
            liveness.touch(self._handle.fileno())

    def state(self) -> liveness.WriterState:
        """The writer as a viewer sees it: exited, hanging, or at work."""
        return liveness.read_state(self.path, self.active())


def _lock_exclusive(handle: IO[str], tries: int = 10) -> None:
    """Take the writer lock, or BlockingIOError. A viewer checking whether a writer runs holds
    the lock shared for microseconds; a few tries apart keep that from refusing a writer."""
    for attempt in range(tries):
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if attempt == tries - 1:
                raise
            time.sleep(0.02)
