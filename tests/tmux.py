"""Driving a real terminal through tmux: what the screen shows, waiting for text on it, quitting."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_8890db16bdd93803.txt"


def new_session(session: str, width: int, height: int, command: str) -> None:
    """Start a detached tmux session running `command`. A tmux server whose last session
    just ended is still going away when the next test asks it for a session, and refuses
    it (exit 1): asked again, a new server starts."""
    args = ["tmux", "new-session", "-d", "-s", session, "-x", str(width), "-y", str(height)]
    for _ in range(5):
        started = subprocess.run([*args, command], capture_output=True, text=True)
        if started.returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError(f"tmux refused a session {started.returncode}: {started.stderr}")


def capture(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True, check=True
    ).stdout


def wait_for(session: str, needle: str, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if needle in screen:
            return screen
        time.sleep(0.2)
    raise AssertionError(f"{needle!r} never appeared; the screen was:\n{screen}")


def wait_for_line(session: str, *needles: str, timeout: float = 30.0) -> str:
    """The screen once one of its lines holds every needle (a layout that has settled)."""
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = capture(session)
        if any(all(n in line for n in needles) for line in screen.splitlines()):
            return screen
        time.sleep(0.2)
    raise AssertionError(f"no line held all of {needles!r}; the screen was:\n{screen}")


def quit_and_wait(session: str, timeout: float = 15.0) -> None:
    """Press q and wait until the dashboard has left the screen."""
    subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and "Headlines" in capture(session):
        time.sleep(0.2)
    assert "Headlines" not in capture(session)
