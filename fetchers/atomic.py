"""Crash-safe files: write a temp file, fsync it, `os.replace` it, fsync the folder.

A kill at any moment leaves either the old file or the new one, never a torn one.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

TMP_SUFFIX = ".tmp"


def atomic_write_bytes(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
    """Write `data` and then `more` as the file's whole content (parts spare a large file
    one copy of itself); `mode`: its permissions (else the temporary file's, 0600)."""
    atomic_write_chunks(path, (data, *more), mode=mode)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], mode: int | None = None) -> None:
    """`atomic_write_bytes` of parts made as they are written (a generator): a file of many
    megabytes is never whole in memory."""
    # (its writer's pid in its name: `remove_stale_temps` leaves a live process's write be)
    fd, tmp = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=TMP_SUFFIX
    )
    try:
        if mode is not None:
            with contextlib.suppress(OSError):  # (a file system without Unix modes)
                os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            for part in chunks:
                handle.write(part)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def write_derived(path: Path, data: bytes, *more: bytes) -> bool:
    """Replace a derived file (a cache or index that the store can rebuild) without fsync: a
    torn or missing one is rebuilt, never trusted. False when the disk refused it (a full
    disk, a read-only dir); nothing is left behind then. `more`: parts written after `data`
    (a large file is not joined into one copy of itself first)."""
    return derived_refused(path, data, *more) is None


def derived_refused(path: Path, data: bytes, *more: bytes) -> OSError | None:
    """`write_derived`, saying why the disk refused it (None: written), for a message."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}{TMP_SUFFIX}")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            for part in more:
                handle.write(part)
        os.replace(tmp, path)
    except OSError as exc:
        try:
            tmp.unlink()
        except OSError:
            pass
        return exc
    return None


@contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an flock on `path` (created if missing): one read-modify-write at a time, across
    processes (read marks, stored events)."""
    with open(path, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# how old a temp file of a live process is before it is taken for a leftover all the same (a
# pid used again by another process); a write under way is a moment old
STALE_TEMP_SECONDS = 600.0
_WRITER_PID = re.compile(r"\.(\d+)\.[^.]+" + re.escape(TMP_SUFFIX) + "$")


def remove_stale_temps(folder: Path) -> int:
    """Delete temp files a killed process left behind; returns how many. One whose writer
    (named in it) is alive and that is younger than `STALE_TEMP_SECONDS` is that process's
    write under way, left to it: a writer starting deleted a viewer's temp state.json
    between its write and its rename, and the star it was saving was lost."""
    count = 0
    now = time.time()
    for tmp in folder.glob(f".*{TMP_SUFFIX}"):
        try:
            if _writing(tmp.name) and now - tmp.stat().st_mtime < STALE_TEMP_SECONDS:
                continue
            tmp.unlink()
            count += 1
        except OSError:
            pass
    return count


def _writing(name: str) -> bool:
    """Whether the process a temp file's name names is alive (this one included)."""
    found = _WRITER_PID.search(name)
    if found is None:
        return False
    try:
        os.kill(int(found.group(1)), 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, ValueError):
        return True  # alive, another user's; a number no pid is: left to the age
    return True


def stat_signature(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never writes in place and never re-parses an unchanged file.

    `read()` returns the cached document while the file's (inode, size, mtime) are unchanged;
    `write()` serialises with orjson and replaces the file atomically.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._cache: dict[str, Any] | None = None
        self._signature: tuple[int, int, int] | None = None

    def read(self) -> dict[str, Any] | None:
        signature = stat_signature(self.path)
        if signature is None:
            self._cache, self._signature = None, None
            return None
        if self._cache is not None and signature == self._signature:
            return self._cache
        raw = self.path.read_bytes()
        data = orjson.loads(raw) if raw.strip() else {}
        if not isinstance(data, dict):
            raise ValueError(f"{self.path}: not a TinyDB document")
        self._cache, self._signature = data, signature
        return data

    def write(self, data: dict[str, Any]) -> None:
        try:
            atomic_write_bytes(self.path, orjson.dumps(data))
        except BaseException:
            self._cache, self._signature = None, None
            raise
        self._cache, self._signature = data, stat_signature(self.path)

    @property
    def signature(self) -> tuple[int, int, int] | None:
        """The stat of the file as last read or written here (None when it was missing)."""
        return self._signature

    def forget(self) -> None:
        """Drop the parsed copy; the next read parses the file again."""
        self._cache = None

    def close(self) -> None:
        self._cache = None
