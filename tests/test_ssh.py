"""The dashboard over a real SSH session on 127.0.0.1: read the screen, resize, quit.

The test starts its own sshd (throwaway host and user keys, a free port) inside tmux, with
TERM=xterm-256color and no COLORTERM, as SSH delivers them."""

from __future__ import annotations

import getpass
import os
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.tmux import SEED, new_session, quit_and_wait, wait_for, wait_for_line

SSHD = shutil.which("sshd") or ("/usr/sbin/sshd" if Path("/usr/sbin/sshd").exists() else None)
pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
    pytest.mark.skipif(
        SSHD is None or shutil.which("ssh") is None or shutil.which("ssh-keygen") is None,
        reason="sshd/ssh are not installed (apt-get install openssh-server openssh-client)",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    keys = tmp_path / "ssh"
    keys.mkdir(mode=0o700)
    for name in ("host", "user"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True
        )
    (keys / "authorized_keys").write_text((keys / "user.pub").read_text())
    os.chmod(keys / "authorized_keys", 0o600)
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {keys / 'host'}\n"
        f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPasswordAuthentication no\n"
        f"PidFile {keys / 'sshd.pid'}\nStrictModes no\nUsePAM no\nAcceptEnv NONE\n"
        "PermitRootLogin prohibit-password\n"
    )
    if os.geteuid() == 0:
        Path("/run/sshd").mkdir(exist_ok=True)  # sshd's privilege-separation dir
    proc = subprocess.Popen(
        [SSHD or "sshd", "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    else:
        proc.kill()
        pytest.skip(f"sshd did not start: {proc.stderr.read() if proc.stderr else ''}")
    try:
        yield port, keys
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_dashboard_over_ssh_reads_resizes_and_quits(tmp_path: Path, sshd: tuple[int, Path]) -> None:
    port, keys = sshd
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ntimezone = "Asia/Seoul"\n[[sources]]\nname = "Seed"\npath = "{SEED}"\n'
        '[[events]]\nname = "APEC Leaders"\nwhen = "2025-10-31 09:00"\ntz = "Asia/Seoul"\n'
    )
    wirewatch = Path(sys.executable).parent / "wirewatch"
    remote = (
        f"cd {tmp_path} && env -u COLORTERM TERM=xterm-256color LANG=C.UTF-8 "
        f"WIREWATCH_NOW=2025-10-24T08:00:00Z {wirewatch} --config {config} "
        f"--data-dir {tmp_path / 'data'}"
    )
    ssh = (
        f"ssh -tt -p {port} -i {keys / 'user'} -o StrictHostKeyChecking=no "
        f"-o UserKnownHostsFile=/dev/null -o LogLevel=ERROR {getpass.getuser()}@127.0.0.1 "
        f"'{remote}'; sleep 30"
    )
    session = f"ww-ssh-{uuid.uuid4().hex[:8]}"
    new_session(session, 160, 50, f"env -u COLUMNS -u LINES TERM=xterm-256color {ssh}")
    try:
        screen = wait_for(session, "Hybe partners with LAFC", timeout=40)
        assert "T-6d 16:00:00" in screen and "6 of 6" in screen
        subprocess.run(["tmux", "resize-window", "-t", session, "-x", "80", "-y", "24"], check=True)
        # the countdown folds to one line per event once the resize reaches the app
        screen = wait_for_line(session, "APEC Leaders", "T-6d", timeout=15)
        assert all(len(line) <= 80 for line in screen.splitlines())
        assert "Hybe partners with LAFC" in screen  # the headlines, at 80 columns
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
