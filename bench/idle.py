"""The cost of leaving the dashboard open: CPU and bytes written to the terminal at idle.

`python bench/run.py idle` runs the real `wirewatch` in a pseudo-terminal (160x50, the
seed's local source, network sources off, the countdown ticking), lets it settle, then
counts for a minute.
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

    try:
        drain(time.monotonic() + settle)
        cpu_before, started = _cpu_seconds(pid), time.monotonic()
        written = drain(started + seconds)
        cpu = _cpu_seconds(pid) - cpu_before
        elapsed = time.monotonic() - started
    finally:
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
    print(f"idle dashboard, {elapsed:.0f} s at 160x50 with two countdowns ticking:")
    print(f"  CPU: {cpu / elapsed * 100:.2f}% of a core   budget 2%")
    print(f"  written to the terminal: {written / elapsed * 60 / 1024:.1f} KiB per minute")
