"""A data dir holds files and folders only.

Every command reads files of its data dir whole (the meta, the marks, the stories, the
shards): a pipe put in place of one held the command for good, and a link to a device
(`/dev/zero`) filled memory until the machine stopped it. Such an entry is refused, named,
before anything is read."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from fetchers.atomic import narrow
from fetchers.store.errors import StoreError

# the names of the files wirewatch writes in a data dir (a file of another name is not its)
WRITTEN = re.compile(
    r"(articles-|rows-|text-|stories|search\.sqlite|sources|alerts|events\.|shards\.json"
    r"|meta\.json|state\.|theme\.json|writer\.lock|refresh-asked|days-ahead\.json|lost-days\.json"
    r"|site-furniture\.json)"
)


def check_data_files(folder: Path) -> None:
    """Raise StoreError naming the first entry of `folder` (followed through a link) that is
    neither a regular file nor a folder. A folder that is not there yet holds nothing."""
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return  # (made, or said to be a file, by whoever opens it)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot be read: {exc.strerror or exc}") from exc
    for entry in sorted(entries, key=lambda e: e.name):
        try:
            mode = entry.stat().st_mode  # (through a link: what it leads to)
        except FileNotFoundError:  # a link that leads nowhere, or gone since: no file
            continue
        except OSError:
            continue  # (said by whatever reads it, if anything does)
        if not (stat.S_ISREG(mode) or stat.S_ISDIR(mode)):
            kind = "a pipe" if stat.S_ISFIFO(mode) else "a device" if _device(mode) else "a socket"
            raise StoreError(
                f"{Path(entry.path)} is {kind}, not a file: a data dir holds files only"
                " (move it away)"
            )


def _device(mode: int) -> bool:
    """A character or block device (through a link: `/dev/zero`)."""
    return stat.S_ISCHR(mode) or stat.S_ISBLK(mode)


def narrow_data_files(folder: Path) -> None:
    """(The writer, as it opens the data dir.) Give each file wirewatch wrote there before no
    more access than the folder's mode calls for (`fetchers.atomic.data_file_mode`): an older
    wirewatch made the articles 0600 and the rest as the umask said, and in a folder others
    may enter the full texts, the search index and the row caches were anyone's to read."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for entry in entries:
        if WRITTEN.match(entry.name):
            narrow(Path(entry.path))
