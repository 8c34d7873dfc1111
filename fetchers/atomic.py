"""Crash-safe files: write a temp file, fsync it, `os.replace` it, fsync the folder.

A kill at any moment leaves either the old file or the new one, never a torn one. Every file
is made with the mode its folder calls for (`data_file_mode`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import secrets
import stat
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
from tinydb.storages import Storage

TMP_SUFFIX = ".tmp"
PRIVATE_MODE = 0o600  # a file in a folder that is its user's alone
GROUP_MODE = 0o660  # ... in a folder its group shares (the umask may take more away)


def data_file_mode(folder: Path) -> int:
    """The mode a file written in `folder` (a data dir) is made with, the umask applied
    after: its user's alone (0600), unless the folder is its group's too, writable by the
    group or setgid (as `chmod 2770` makes a shared folder): then its group's as well
    (0660; 0640 under umask 022). Never anyone else's: the articles, their full texts, the
    search index and the row caches are as private as one another (the articles were 0600
    and the index anyone's, and a group sharing the folder could read the index and not the
    articles)."""
    try:
        mode = os.stat(folder).st_mode
    except OSError:
        return PRIVATE_MODE
    return GROUP_MODE if mode & (stat.S_ISGID | stat.S_IWGRP) else PRIVATE_MODE


def create_file(path: Path, flags: int) -> int:
    """`os.open` of a file made, if it is not there, with its folder's mode
    (`data_file_mode`)."""
    return os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, data_file_mode(path.parent))


def narrow(path: Path) -> None:
    """Take from a file of this user what access its folder's mode does not give
    (`data_file_mode`): one an older wirewatch made as the umask said (a search index of
    0644 in a folder others may enter was anyone's to read). Nothing when it cannot."""
    with contextlib.suppress(OSError):
        found = os.lstat(path)
        extra = found.st_mode & 0o777 & ~data_file_mode(path.parent)
        if extra and stat.S_ISREG(found.st_mode) and found.st_uid == os.geteuid():
            os.chmod(path, stat.S_IMODE(found.st_mode) & ~extra)


def note_or_remove(path: Path, noted: object) -> None:
    """A small JSON note written whole (`atomic_write_bytes`), or removed when there is
    nothing to note (`noted` empty): a note read at the next start says only what holds."""
    if noted:
        atomic_write_bytes(path, orjson.dumps(noted))
    else:
        path.unlink(missing_ok=True)


def atomic_write_bytes(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
    """Write `data` and then `more` as the file's whole content (parts spare a large file
    one copy of itself); `mode`: its permissions (else its folder's, `data_file_mode`)."""
    atomic_write_chunks(path, (data, *more), mode=mode)


def atomic_write_chunks(path: Path, chunks: Iterable[bytes], mode: int | None = None) -> None:
    """`atomic_write_bytes` of parts made as they are written (a generator): a file of many
    megabytes is never whole in memory."""
    fd, tmp = _temp_file(path)
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


def _temp_file(path: Path) -> tuple[int, Path]:
    """A new temp file beside `path`, open for writing, made with the folder's mode."""
    while True:
        # (its writer's pid in its name: `remove_stale_temps` leaves a live process's write be)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")
        try:
            return create_file(tmp, os.O_WRONLY | os.O_EXCL), tmp
        except FileExistsError:
            continue


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
        with open(create_file(tmp, os.O_WRONLY | os.O_TRUNC), "wb") as handle:
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
    with open(create_file(path, os.O_RDWR | os.O_APPEND), "a+") as handle:
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
