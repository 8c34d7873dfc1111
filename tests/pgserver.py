"""A real PostgreSQL server for the tests: initdb into a temporary directory, as an
unprivileged user when the suite runs as root (initdb refuses root), listening on a loopback
port with password authentication, so DSNs carry a password as a newsroom's do."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg

USER = "wirewatch"
PASSWORD = "desk-Secret-4711"  # a test server's: what every message must hide


def server_binaries() -> Path:
    """The folder of initdb and pg_ctl: on PATH, else a Debian package's."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).parent
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    if versions:
        return Path(versions[-1]).parent
    raise RuntimeError(
        "no PostgreSQL server found (initdb): install the postgresql package (.ci/run does)"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_user() -> list[str]:
    """The prefix that runs a command as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return []
    for name in ("postgres", "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return ["runuser", "-u", name, "--"]
    raise RuntimeError("running as root with no postgres or nobody user to run the server as")


def _owner() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    prefix = _as_user()
    entry = pwd.getpwnam(prefix[2])
    return entry.pw_uid, entry.pw_gid


@dataclass(slots=True)
class PgServer:
    folder: Path
    port: int
    bin: Path

    def dsn(self, database: str = "postgres", password: str = PASSWORD) -> str:
        return f"postgresql://{USER}:{password}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        with psycopg.connect(self.dsn(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        subprocess.run(
            [*_as_user(), str(self.bin / "pg_ctl"), "-D", str(self.folder / "data"), "-m",
             "immediate", "stop"],
            check=False,
            capture_output=True,
        )  # fmt: skip


def start(folder: Path) -> PgServer:
    """initdb and start a server in `folder` (made reachable by the server's user)."""
    binaries = server_binaries()
    owner = _owner()
    if owner is not None:  # the server's user must reach the folder through its parents
        for parent in [folder, *folder.parents]:
            if parent == Path("/"):
                break
            mode = parent.stat().st_mode & 0o777
            if not mode & 0o001:
                parent.chmod(mode | 0o001)
        os.chown(folder, *owner)
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if owner is not None:
        os.chown(password_file, *owner)
    data = folder / "data"
    run = [*_as_user()]
    subprocess.run(
        [*run, str(binaries / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
         "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    port = _free_port()
    options = (
        f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={folder}"
        " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    subprocess.run(
        [*run, str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-l",
         str(folder / "server.log"), "-w", "-t", "60", "start"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return PgServer(folder, port, binaries)
