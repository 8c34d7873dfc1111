"""`o` inside a real tmux with its default options: the link reaches the clipboard of the
terminal tmux runs in. tmux drops the OSC 52 an application writes (`set-clipboard external`),
so the dashboard hands the link to tmux, which sends it on itself."""

from __future__ import annotations

import base64
import os
import pty
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from fetchers.models import Article
from fetchers.store import Store
from tests.conftest import FROZEN
from tests.procs import readable

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

ROOT = Path(__file__).resolve().parent.parent
LINK = "https://news.example/talks"
CLIPBOARD = re.compile(rb"\x1b\]52;[a-z0-9]*;([A-Za-z0-9+/=]+)(?:\x07|\x1b\\)")
GENEROUS = 60.0  # seconds: a deadline only a link that never arrives misses


def test_o_in_default_tmux_copies_the_link_to_the_outer_terminal(tmp_path: Path) -> None:
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="linked", source="Wire", title="Talks narrow the gap", link=LINK,
                    published=FROZEN, fetched=FROZEN, summary="Only a summary here.",
                )
            ]
        )  # fmt: skip
    config = tmp_path / "wirewatch.toml"
    config.write_text('[settings]\ninterval = "1h"\n')
    drop = {"TMUX", "DISPLAY", "WAYLAND_DISPLAY", "BROWSER"}
    env = {
        **{k: v for k, v in os.environ.items() if k not in drop},
        "TERM": "xterm-256color",
        "PYTHONPATH": str(ROOT),
        "SSH_CONNECTION": "10.0.0.1 5000 10.0.0.2 22",  # no browser: `o` copies
    }
    dashboard = (
        f"{sys.executable} -m tui --config {config} --data-dir {tmp_path / 'data'}"
        f" --now {FROZEN.isoformat()}"
    )
    server = f"ww-link-{os.getpid()}"
    # no config file: tmux 3.3's defaults (set-clipboard external, allow-passthrough off)
    command = ["tmux", "-L", server, "-f", os.devnull, "new-session", dashboard]
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env=env, cwd=ROOT,
        start_new_session=True,
    )  # fmt: skip
    os.close(follower)
    seen = b""
    copied: list[bytes] = []
    pressed = 0.0
    deadline = time.monotonic() + GENEROUS
    try:
        while time.monotonic() < deadline and proc.poll() is None and not copied:
            if b"Talks" in seen and time.monotonic() - pressed > 2:
                os.write(leader, b"o")  # (again, if the first came before the row was chosen)
                pressed = time.monotonic()
            ready = readable(leader, 0.2)
            if ready:
                try:
                    seen += os.read(leader, 65536)
                except OSError:
                    break
            copied = CLIPBOARD.findall(seen)
        os.write(leader, b"q")
        proc.wait(timeout=GENEROUS)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)
        os.close(leader)
    assert copied, seen[-2000:]
    assert {base64.b64decode(text).decode() for text in copied} == {LINK}
