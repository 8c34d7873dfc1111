"""Alert notifications through a real tmux: the OSC 9 and OSC 777 sequences a dashboard writes
inside tmux reach the terminal tmux runs in (tmux passes them through with allow-passthrough)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
import time
from pathlib import Path

from tests.procs import readable

ROOT = Path(__file__).resolve().parent.parent

WRITER = """
import sys
from fetchers.notify import terminal_sequences
sys.stdout.write(terminal_sequences("wirewatch: Tariff", "Deal reached \\x1b[31m(Yonhap)"))
sys.stdout.flush()
sys.stdin.readline()  # the pane stays open until enter is pressed in the outer terminal
"""
NINE = b"\x1b]9;wirewatch: Tariff: Deal reached (Yonhap)\x07"
SEVEN = b"\x1b]777;notify;wirewatch: Tariff;Deal reached (Yonhap)\x07"


def test_osc_9_and_777_reach_the_terminal_outside_tmux(tmp_path: Path) -> None:
    conf = tmp_path / "tmux.conf"
    conf.write_text("set -g allow-passthrough on\nset -g status off\n")
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    env = {
        **{k: v for k, v in os.environ.items() if k != "TMUX"},
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        "tmux", "-L", f"ww-osc-{os.getpid()}", "-f", str(conf),
        "new-session", f"{sys.executable} {script}",
    ]  # fmt: skip
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env, start_new_session=True
    )
    os.close(follower)
    seen = b""
    pressed = False
    deadline = time.monotonic() + 20
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if not pressed and NINE in seen and SEVEN in seen:
                os.write(leader, b"\r")  # both arrived: enter, and the pane closes
                pressed = True
            ready = readable(leader, 0.2)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=10)
        os.close(leader)
    assert NINE in seen
    assert SEVEN in seen
    assert pressed and proc.returncode == 0  # closed by the key, not killed at the deadline
    assert b"Ptmux" not in seen  # unwrapped by tmux, not shown as text
