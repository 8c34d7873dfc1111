"""`wirewatch poll` started as a user starts it, and waiting on what it writes: shared by
the tests of the service and of several pollers on one store."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start_poller(config: Path, data: Path, log: Path) -> subprocess.Popen[str]:
    """`wirewatch poll` in a process of its own, logging to `log`."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "--config",
            str(config),
            "--data-dir",
            str(data),
            "poll",
            "--log",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(predicate: Callable[[], object], timeout: float = 30.0) -> bool:
    """Whether `predicate` came true within `timeout` seconds (looked at every 50 ms; a
    poller process started on a machine busy with other tests took more than 15 s)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False
