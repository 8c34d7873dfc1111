"""Looking at processes through /proc: which ones a command left behind."""

from __future__ import annotations

from pathlib import Path


def state(pid: int) -> str | None:
    """A process's state letter (Z: dead, not yet reaped); None when it is gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, IndexError):
        return None


def running(pid: int) -> bool:
    return state(pid) not in (None, "Z")


def descendants(pid: int) -> list[int]:
    """Every live process under `pid`, children before their own children."""
    parents: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found
