"""What the store raises: every caller catches these, whatever keeps the articles."""

from __future__ import annotations

import errno
import os
import sqlite3
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


class StoreError(Exception):
    """The store cannot be used as asked."""


class StoreWriteError(StoreError):
    """The disk refused a write (full, read-only). What was stored before is intact; `stored`
    holds the ids this write did store before it failed; `new`, when known, the ids of the
    new articles it was to store, and `reason` why it failed (the message without counts),
    so that each source whose articles it held is told its own count (`share`)."""

    def __init__(
        self,
        message: str,
        stored: list[str],
        new: list[str] | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.stored = stored
        self.new = new
        self.reason = reason

    def share(self, ids: Iterable[str]) -> str:
        """What the error says to one source of the write, whose articles are `ids`: how
        many of its own new ones were stored (the whole write's count read as its own: "0 of
        240" for a feed that lists 200)."""
        if self.new is None or self.reason is None:
            return str(self)
        new = set(self.new)
        mine = {ident for ident in ids if ident in new}
        if not mine:
            return f"{self.reason}; nothing stored before was lost"
        done = len(mine.intersection(self.stored))
        return (
            f"{self.reason}; {done} of {len(mine)} new articles stored, nothing stored before"
            " was lost"
        )


class MarksNotSaved(StoreError):
    """The disk refused state.json (full, read-only), or the database's server is out of
    reach (`message` says so): the marks changed are held in memory, laid over what the
    file (the rows) say, and written with the next change of a mark it takes. `reason`: the
    file and the disk's word (the server's); `held`: how many articles' marks are held so."""

    def __init__(self, reason: str, held: int, message: str | None = None) -> None:
        super().__init__(
            message
            or f"Read and starred marks cannot be saved: {reason}. Those changed are kept while"
            " wirewatch runs and saved with the next mark changed once the disk takes it."
        )
        self.reason = reason
        self.held = held


class StoreLocked(StoreError):
    """Another process is the writer (`pid`, where the lock names it)."""

    def __init__(self, message: str, pid: int | None = None) -> None:
        super().__init__(message)
        self.pid = pid


@dataclass(frozen=True)
class Unreachable:
    """A store on a server that could not be reached at its last try: since the first failed
    try of the run of them, and why (what was tried and the driver's reason; the password
    never shown). Not `retried`: the store refuses the server's database for good (a newer
    wirewatch upgraded it), and the reason says so."""

    since: datetime
    reason: str
    retried: bool = True


# a data dir wirewatch makes is its user's alone: its shards were written so already (0600),
# but its full texts, row caches, search index and stories were anyone's on the host to read
DATA_DIR_MODE = 0o700


def data_dir_refused(path: Path, exc: OSError) -> str:
    """Why the data dir cannot be made, said as the user can act on it ("File exists" for a
    file in its place said nothing of what was wrong)."""
    # (os.path's checks say False where Path's raise: a folder that cannot be entered)
    if os.path.exists(path) and not os.path.isdir(path):
        return f"{path}: is a file, not a folder (the data dir is a folder)"
    blocking = next((p for p in path.parents if os.path.exists(p) and not os.path.isdir(p)), None)
    if blocking is not None:
        return f"{path}: cannot create the data dir: {blocking} is a file, not a folder"
    return f"{path}: cannot create the data dir: {exc.strerror or exc}"


# what the disk refused to save since a one-shot command began (source health, alert
# history, ...): such a write is said where it fails and tried again later, and `refresh`
# exits 2 for it as for articles refused, naming these (`take_unsaved`); a poller never
# takes them (at most a handful of names)
_unsaved: dict[str, None] = {}
_unsaved_lock = threading.Lock()


def note_unsaved(what: str) -> None:
    """Note that the disk refused to save `what` ("source health", "full texts")."""
    with _unsaved_lock:
        _unsaved[what] = None


def take_unsaved() -> list[str]:
    """What the disk refused to save since the last take, in the order first refused."""
    with _unsaved_lock:
        taken = list(_unsaved)
        _unsaved.clear()
    return taken


_REFUSED_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS}
_REFUSED_SQLITE = {sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY}


def disk_refused(exc: BaseException | None) -> bool:
    """Whether an error (or one it was raised from) is the disk refusing a write: full,
    over quota, read-only, failing; not a database locked or a file of another format."""
    seen = 0
    while exc is not None and seen < 8:
        if isinstance(exc, OSError) and exc.errno in _REFUSED_ERRNOS:
            return True
        code = getattr(exc, "sqlite_errorcode", None) if isinstance(exc, sqlite3.Error) else None
        if isinstance(code, int) and code & 0xFF in _REFUSED_SQLITE:
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def write_refused(exc: BaseException) -> bool:
    """Whether a store error is a write the disk refused (a StoreWriteError, or an error
    `disk_refused` knows), the only kind `note_unsaved` notes: a store closed, gone away or
    locked elsewhere is said where it happens, no save refused."""
    return isinstance(exc, StoreWriteError) or disk_refused(exc)
