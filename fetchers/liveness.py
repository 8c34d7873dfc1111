"""Whether the process that writes a data dir is still at work, as its viewers see it.

The writer holds `writer.lock` (a file lock, released by the kernel however the process ends)
with its pid written in it, and touches the file every `BEAT` seconds while it polls. A viewer
reads both: a lock nobody holds means the writer has exited; a held lock untouched for
`SILENT_AFTER` seconds means a writer that hangs (stopped, or stuck).
"""

from __future__ import annotations

import math
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

BEAT = 10.0  # seconds between a polling writer's touches of writer.lock
SILENT_AFTER = 45.0  # a held lock untouched this long: the writer has stopped writing
# seconds the wall clock ran ahead of the monotonic one between two looks: the machine slept
# (a laptop suspended, a monitoring host's VM paused) or its clock was set forward
JUMP = 30.0


@dataclass(slots=True, frozen=True)
class WriterState:
    """What a viewer knows of the writer: is the lock held, by which pid, and how long since
    the writer last showed it was at work (took the lock or touched it)."""

    held: bool
    pid: int | None
    silent: float  # seconds; infinite when there was never a writer

    @property
    def gone(self) -> bool:
        """Nothing is updating the store: the writer exited, or holds the lock but hangs."""
        return not self.held or self.silent > SILENT_AFTER


def read_state(lock_file: Path, held: bool) -> WriterState:
    """The state of the writer of `lock_file`, given whether its lock is held now."""
    try:
        stat = lock_file.stat()
        text = lock_file.read_text(encoding="ascii", errors="replace").strip()
    except OSError:
        return WriterState(held, None, math.inf)
    pid = int(text) if text.isdigit() else None
    return WriterState(held, pid, max(0.0, time.time() - stat.st_mtime))


def touch(fd: int) -> None:
    """Mark the writer as at work (its lock file's modification time)."""
    os.utime(fd)


class Waking:
    """A viewer's looks at the writer, told whether the machine slept between two of them.

    After a suspend the writer's last beat is as old as the sleep (its beat waits on the
    monotonic clock, which a suspend stops), and for the seconds until its next beat a viewer
    said "NOT UPDATING: the poller has written nothing for 8h. Stop it" of a healthy poller.
    From a jump of the wall clock on, silence is counted from the jump: a writer that does
    not beat within `SILENT_AFTER` of it is said to hang, as it would be otherwise."""

    def __init__(
        self, wall: Callable[[], float] = time.time, mono: Callable[[], float] = time.monotonic
    ) -> None:
        self._wall, self._mono = wall, mono
        self._last: tuple[float, float] | None = None
        self._woke: float | None = None  # (monotonic) when the last jump was seen

    def judged(self, state: WriterState) -> WriterState:
        """The writer's state as this look sees it, its silence counted from a jump."""
        wall, mono = self._wall(), self._mono()
        if self._last is not None and (wall - self._last[0]) - (mono - self._last[1]) > JUMP:
            self._woke = mono
        self._last = (wall, mono)
        if self._woke is None:
            return state
        since = mono - self._woke
        return replace(state, silent=since) if state.silent > since else state
