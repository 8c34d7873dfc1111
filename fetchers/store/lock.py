"""The writer lock: one process writes a data dir's articles, and its viewers can tell
whether it is at work, hanging or gone (see `fetchers.liveness`).

The lock is an flock on the file at `writer.lock`: a lock on whatever file the path names
when it is taken. A file removed or replaced while its writer runs (a clean-up of `*.lock`,
the data dir moved) leaves that writer holding a lock on a file no other process opens, and
the next one to come takes the file now at the path: two writers. So the writer looks, at
each heartbeat and before each write (`keep`), that the path still names the file it holds;
when it does not, it lets go of that one and takes the lock at the path again if no process
holds it, else it writes nothing while another does."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import threading
import time
from pathlib import Path
from typing import IO, NoReturn

from fetchers import liveness
from fetchers.atomic import create_file
from fetchers.store.errors import StoreError, StoreLocked, StoreWriteError

FILE = "writer.lock"

log = logging.getLogger("wirewatch.store")


class WriterLock:
    """`writer.lock` in one data dir: held (with this pid in it) by the writer for its life."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / FILE
        self._handle: IO[str] | None = None
        self._writing = False  # this process took the lock to write (until `release`)
        self._lost: str | None = None  # why it writes nothing now (its lock taken from it)
        self._keeping = threading.Lock()  # a heartbeat's look and a write's, one at a time
        self._retaken = False  # taken again since the store last read what others wrote

    @property
    def held(self) -> bool:
        """True while this process holds the lock (at its path when last looked at)."""
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
        self._writing = True
        self._lost = None

    def release(self) -> None:
        self._writing = False
        self._lost = None
        self._let_go()

    def _let_go(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._handle, fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None

    def at_its_path(self) -> bool:
        """Whether the path still names the file this process holds locked (not removed,
        replaced, or moved away with the data dir)."""
        if self._handle is None:
            return False
        try:
            named = os.stat(self.path)
            held = os.fstat(self._handle.fileno())
        except OSError:
            return False
        return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)

    def keep(self) -> None:
        """(The writer: at each heartbeat, before each write.) Make sure this process still
        holds the lock at its path. One whose file was removed or replaced takes the lock
        at the path again when no process holds it (said once in the log) and marks it
        `retaken`: another process may have written meanwhile, to be read before the next
        write, whichever thread makes it (`take_retaken`). When another process holds it,
        or the data dir is no longer there, it raises StoreWriteError, having let go of the
        file it held (its viewers see no writer): this process writes nothing until it can
        take the lock again."""
        with self._keeping:
            if not self._writing or self.at_its_path():
                return
            was_lost = self._lost is not None
            self._let_go()
            try:
                self.acquire()
            except StoreLocked as exc:
                who = f" (pid {exc.pid})" if exc.pid else ""
                self._refused(
                    f"{self.path.parent}: another wirewatch process{who} writes it now, its "
                    f"{FILE} taken after this one's was removed or replaced; this one "
                    "stores nothing while that one runs"
                )
            except StoreError as exc:
                self._refused(
                    f"{exc}; this process stores nothing until it can"
                    if self.path.parent.is_dir()
                    else f"{self.path.parent}: the data dir is no longer there (moved or "
                    "removed while this process wrote); it stores nothing until it is back"
                )
            if was_lost:
                log.warning("%s: this process writes it again (%s is free)", self.path.parent, FILE)
            else:
                log.warning(
                    "%s: its %s was removed or replaced while this process wrote; it holds "
                    "the lock again",
                    self.path.parent,
                    FILE,
                )
            self._retaken = True

    @property
    def retaken(self) -> bool:
        """Whether the lock was taken again since `take_retaken` last said so."""
        return self._retaken

    def take_retaken(self) -> bool:
        """Whether the lock was taken again since last asked (asked once: the caller reads
        what another process wrote before it writes, else gives it back, `mark_retaken`)."""
        with self._keeping:
            retaken, self._retaken = self._retaken, False
            return retaken

    def mark_retaken(self) -> None:
        """What another process wrote is still to be read (a reload that failed)."""
        with self._keeping:
            self._retaken = True

    def _refused(self, why: str) -> NoReturn:
        """Write nothing, for `why`: said once in the log, and to every write (raised)."""
        self._writing = True  # (`acquire` failed: the lock is still to be taken again)
        if self._lost != why:
            log.error("%s", why)
        self._lost = why
        raise StoreWriteError(why, [])

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
