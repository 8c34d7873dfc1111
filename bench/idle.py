"""The cost of leaving the dashboard open: CPU and bytes written to the terminal at idle.

`python bench/run.py idle` runs the real `wirewatch` in a pseudo-terminal (160x50, the
seed's local source, network sources off, the countdown ticking), lets it settle, then
counts for a minute; then a minute each with help open over it and with the events list
open (a window over the dashboard, as a user leaves one).
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time
from pathlib import Path

from fetchers.config import seeds_dir


def _cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def bench_idle(workdir: Path, seconds: float = 60.0, settle: float = 8.0) -> None:
    config = workdir / "idle.toml"
    seed = seeds_dir() / "000_8890db16bdd93803.txt"
    config.write_text(
        f'[settings]\ntimezone = "Asia/Seoul"\n[[sources]]\nname = "Seed"\npath = "{seed}"\n'
        '[[events]]\nname = "A countdown"\nwhen = "2030-01-01 00:00"\ntz = "Asia/Seoul"\n'
        '[[events]]\nname = "Another"\nwhen = "2027-06-01 09:00"\ntz = "UTC"\n'
    )
    wirewatch = str(Path(sys.executable).parent / "wirewatch")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the dashboard on the pty
        os.environ.update({"TERM": "xterm-256color", "LANG": "C.UTF-8"})
        os.environ.pop("COLUMNS", None)
        os.environ.pop("LINES", None)
        os.execv(
            wirewatch,
            [wirewatch, "--config", str(config), "--data-dir", str(workdir / "data")],
        )
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))

    def drain(until: float) -> int:
        count = 0
        while True:
            left = until - time.monotonic()
            if left <= 0:
                return count
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                try:
                    count += len(os.read(fd, 65536))
                except OSError:
                    return count

    def measure() -> tuple[float, int, float]:
        """CPU seconds, bytes written and seconds, over `seconds` from now."""
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        written = drain(started + seconds)
        return _cpu_seconds(pid) - cpu_before, written, time.monotonic() - started

    phases: list[tuple[str, tuple[float, int, float]]] = []
    try:
        drain(time.monotonic() + settle)
        phases.append(("the dashboard alone", measure()))
        # a window over it, left open: help, then the events list (whose clocks tick too)
        for keys, name in ((b"?", "help open over it"), (b"e", "the events list open")):
            if phases[1:]:  # (escape alone first: escape then e at once reads as alt+e)
                os.write(fd, b"\x1b")
                drain(time.monotonic() + 1.0)
            os.write(fd, keys)
            drain(time.monotonic() + 2.0)
            phases.append((name, measure()))
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    elapsed = phases[0][1][2]
    print(f"idle dashboard, {elapsed:.0f} s a phase at 160x50 with two countdowns ticking:")
    for name, (cpu, written, spent) in phases:
        print(
            f"  {name + ':':<24} CPU {cpu / spent * 100:5.2f}% of a core   budget 2%;"
            f"  written to the terminal {written / spent * 60 / 1024:.1f} KiB per minute"
        )
