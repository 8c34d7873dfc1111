"""Processes: running several commands at once, and looking through /proc at which ones a
command left behind."""

from __future__ import annotations

import select
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path


def run_together(
    commands: Sequence[Sequence[str]],
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 120,
) -> list[subprocess.CompletedProcess[str]]:
    """Start every command before waiting for any, so that they run at once, then wait for
    each: their exit codes, output and errors, in the order given. Any still running when
    one outlasts `timeout` is killed."""
    procs = [
        subprocess.Popen(
            command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for command in commands
    ]
    try:
        results = []
        for command, proc in zip(commands, procs, strict=True):
            out, err = proc.communicate(timeout=timeout)
            results.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
        return results
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


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


def readable(fd: int, seconds: float) -> bool:
    """Whether `fd` has bytes to read within `seconds` (poll, not select: select refuses a
    descriptor numbered past 1,023, as one is late in a long test run)."""
    waiting = select.poll()
    waiting.register(fd, select.POLLIN)
    return bool(waiting.poll(seconds * 1000))
