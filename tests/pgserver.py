"""A real PostgreSQL server for the tests: initdb into a temporary directory, as an
unprivileged user when the suite runs as root (initdb refuses root), listening on a loopback
port with password authentication, so DSNs carry a password as a newsroom's do."""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
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

    def stop(self, keep: bool = False) -> None:
        """Stop the server and remove its folder (an immediate shutdown: its data is thrown
        away), or with `keep` leave it (a fast shutdown, which writes its data out first). By
        the pid it wrote, read by this process: the server's user may no longer reach the
        folder to let pg_ctl do it."""
        pid_file = self.folder / "data" / "postmaster.pid"
        try:
            pid = int(pid_file.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = None
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGINT if keep else signal.SIGQUIT)
            for _ in range(60_000 if keep else 500):  # its children end first
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.01)
        if not keep:
            shutil.rmtree(self.folder, ignore_errors=True)

    def start_again(self) -> None:
        """Start a server stopped with `stop(keep=True)` again, on its port."""
        _start(self, [*_as_user()], self.folder / "data")


def start(kept: Path | None = None) -> PgServer:
    """initdb and start a server in a new temporary folder of the system's, owned by the
    server's user. (Not under pytest's own temporary folder: pytest makes it private again
    whenever a session starts, and the server's user could no longer reach its files.)
    `kept`: a folder to keep the server in, started again as it was when it has one (a
    benchmark's data built once); its caller stops it with `stop(keep=True)`."""
    binaries = server_binaries()
    owner = _owner()
    if kept is not None and (kept / "data" / "PG_VERSION").exists():
        server = PgServer(kept, _free_port(), binaries)
        _start(server, [*_as_user()], kept / "data")
        return server
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
    folder = kept if kept is not None else Path(tempfile.mkdtemp(prefix="wirewatch-postgresql-"))
    if owner is not None:
        os.chown(folder, *owner)
    password_file = folder / "password"
    password_file.write_text(PASSWORD + "\n")
    if owner is not None:
        os.chown(password_file, *owner)
    data = folder / "data"
    run = [*_as_user()]
    server = PgServer(folder, _free_port(), binaries)
    try:
        _init_and_start(server, run, data, password_file)
    except BaseException:
        server.stop()  # a server half started, and its folder, go too
        raise
    if kept is None:
        atexit.register(server.stop)  # also when pytest ends without its fixtures' teardown
    return server


def _init_and_start(server: PgServer, run: list[str], data: Path, password_file: Path) -> None:
    subprocess.run(
        [*run, str(server.bin / "initdb"), "-D", str(data), "-U", USER, f"--pwfile={password_file}",
         "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    _start(server, run, data)


def _start(server: PgServer, run: list[str], data: Path) -> None:
    binaries, folder, port = server.bin, server.folder, server.port
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
