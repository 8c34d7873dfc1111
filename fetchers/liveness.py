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
from dataclasses import dataclass
from pathlib import Path

BEAT = 10.0  # seconds between a polling writer's touches of writer.lock
SILENT_AFTER = 45.0  # a held lock untouched this long: the writer has stopped writing


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
