"""`wirewatch serve`: a real server on a free port, real websocket clients, and the dashboard
processes it starts looked at through /proc. Every dashboard ends when its browser leaves,
when `serve` is stopped or killed, and on SIGTERM even when nothing reads its output."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

import aiohttp
import pytest

from fetchers.models import Article
from fetchers.store import Store
from tests.conftest import FROZEN
from tests.procs import descendants, running
from tui.serve import DRIVER, trusted_origin

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_8890db16bdd93803.txt"
F_SETPIPE_SZ = 1031  # fcntl: set a pipe's capacity (Linux)
GENEROUS = 60.0  # seconds: a deadline that only a process that never ends can miss


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    path = tmp_path / "wirewatch.toml"
    path.write_text(f'[settings]\ninterval = "1h"\n[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    return path


def dashboard_argv(config_file: Path, data: Path) -> list[str]:
    return [sys.executable, "-m", "tui", "--config", str(config_file), "--data-dir", str(data)]


@contextmanager
def serving(
    tmp_path: Path, config_file: Path, cwd: Path = ROOT
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """`wirewatch serve` on a free port, accepting connections; ended with all it started.
    Started elsewhere than this checkout, it runs as the installed `wirewatch` does: this
    checkout's code, the folder it was started in not on sys.path."""
    port = free_port()
    argv = dashboard_argv(config_file, tmp_path / "data")
    if cwd != ROOT:
        argv[1:1] = ["-P"]
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen(
            [*argv, "--now", FROZEN.isoformat(), "serve", "--port", str(port)],
            cwd=cwd,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=log,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + GENEROUS
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert proc.poll() is None, (tmp_path / "serve.log").read_text()
                assert time.monotonic() < deadline, "serve did not listen"
                time.sleep(0.05)
        yield proc, port
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pid in started_with(config_file):  # whatever a failed test left behind
            os.kill(pid, signal.SIGKILL)


@pytest.fixture
def serve(tmp_path: Path, config_file: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    with serving(tmp_path, config_file) as served:
        yield served


def started_with(config_file: Path) -> list[int]:
    """Live processes whose command line names this test's config (its dashboards, however
    orphaned); their parser processes end with them."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if str(config_file).encode() in cmdline.read_bytes():
                pid = int(cmdline.parent.name)
                if running(pid):
                    found.append(pid)
        except (OSError, ValueError):
            continue
    return found


async def open_tab(session: aiohttp.ClientSession, port: int) -> aiohttp.ClientWebSocketResponse:
    """A browser tab: connects, and returns once the dashboard has drawn its screen."""
    websocket = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40")
    received = 0
    while received < 4000:
        message = await asyncio.wait_for(websocket.receive(), GENEROUS)
        assert message.type == aiohttp.WSMsgType.BINARY, message
        received += len(message.data)
    return websocket


# A browser tab in a process of its own: it connects, says "idle" once the dashboard has
# drawn its screen and sent nothing for 2 s, then reads nothing more (it answers no ping and
# no close) until killed.
BROWSER = """
import asyncio, sys, aiohttp
async def main():
    async with aiohttp.ClientSession() as session:
        ws = await session.ws_connect(sys.argv[1])
        received = 0
        while received < 4000:
            received += len((await asyncio.wait_for(ws.receive(), 60)).data or b"")
        for _ in range(60):
            try:
                await asyncio.wait_for(ws.receive(), 2)
            except TimeoutError:
                break
        print("idle", flush=True)
        await asyncio.sleep(3600)
asyncio.run(main())
"""


def browser(port: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", BROWSER, f"http://127.0.0.1:{port}/ws?width=120&height=40"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline() == "idle\n"
    return proc


async def until_gone(pids: list[int]) -> None:
    deadline = time.monotonic() + GENEROUS
    while any(running(pid) for pid in pids):
        assert time.monotonic() < deadline, [p for p in pids if running(p)]
        await asyncio.sleep(0.1)


def dashboards(serve_pid: int) -> list[int]:
    """The live processes under `serve` but its own poller (`poll`, and what it started)."""
    poller: set[int] = set()
    for pid in descendants(serve_pid):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().endswith(b"\0poll\0"):
                poller |= {pid, *descendants(pid)}
    return [pid for pid in descendants(serve_pid) if pid not in poller]


async def test_a_dashboard_ends_when_its_browser_leaves(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = serve
    killed = browser(port)
    started = dashboards(proc.pid)
    assert started  # the dashboard (and its parser processes)
    killed.kill()  # the browser is killed: no goodbye
    killed.wait()
    await until_gone(started)
    async with aiohttp.ClientSession() as session:
        tab = await open_tab(session, port)  # the server carries on for the next tab
        again = dashboards(proc.pid)
        assert again and not set(again) & set(started)
        await tab.close()  # a tab closed the ordinary way
        await until_gone(again)
    assert proc.poll() is None


async def test_sigterm_ends_serve_and_every_dashboard(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = serve
    tab = browser(port)  # it never answers the close that serve sends
    try:
        started = descendants(proc.pid)
        assert started
        proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15  # textual-serve alone: 20 s and more, on open tabs
        while proc.poll() is None or any(running(pid) for pid in started):
            assert time.monotonic() < deadline, [p for p in started if running(p)]
            await asyncio.sleep(0.1)
        assert proc.returncode == 0
    finally:
        tab.kill()
        tab.wait()


async def test_dashboards_end_when_serve_is_killed(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    proc, port = serve
    tab = browser(port)
    try:
        started = descendants(proc.pid)
        assert started
        proc.send_signal(signal.SIGKILL)  # idle dashboards will never hear from it again
        proc.wait()
        await until_gone(started)
    finally:
        tab.kill()
        tab.wait()


def _blocked_writing(pid: int) -> bool:
    """Whether the process sleeps in a write to a pipe (as the kernel reports it)."""
    try:
        if "pipe_write" in Path(f"/proc/{pid}/wchan").read_text():
            return True
        return Path(f"/proc/{pid}/syscall").read_text().split()[:2] == ["1", "0x1"]
    except OSError:
        return False


def test_a_served_dashboard_nobody_reads_ends_on_sigterm(tmp_path: Path, config_file: Path) -> None:
    """A dashboard whose screen output nobody reads blocks in a write; SIGTERM still ends it
    (the event loop that would handle it is the one blocked)."""
    proc = subprocess.Popen(
        dashboard_argv(config_file, tmp_path / "data"),
        cwd=ROOT,
        env={**os.environ, "TEXTUAL_DRIVER": DRIVER, "COLUMNS": "200", "ROWS": "60"},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    try:
        fcntl.fcntl(proc.stdout.fileno(), F_SETPIPE_SZ, 4096)  # one page: the first screen fills it
        deadline = time.monotonic() + GENEROUS
        while not _blocked_writing(proc.pid):
            assert proc.poll() is None
            assert time.monotonic() < deadline, "the dashboard never blocked writing"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=GENEROUS)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        for pid in started_with(config_file):
            os.kill(pid, signal.SIGKILL)
        for pipe in (proc.stdin, proc.stdout):
            if pipe is not None:
                pipe.close()


async def test_a_page_of_another_site_cannot_open_a_dashboard(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    """Any site a person visits could otherwise open the websocket to 127.0.0.1 and read the
    headlines off it and type into it; a site whose name points at 127.0.0.1 (DNS
    rebinding) is refused too. The server's own page, by either loopback name, opens one."""
    proc, port = serve
    async with aiohttp.ClientSession() as session:
        url = f"http://127.0.0.1:{port}/ws?width=120&height=40"
        for origin in ("https://evil.example", f"http://evil.example:{port}", "null"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url, headers={"Origin": origin})
            assert refused.value.status == 403
        async with session.get(
            f"http://127.0.0.1:{port}/", headers={"Host": f"evil.example:{port}"}
        ) as page:
            assert page.status == 403
        assert dashboards(proc.pid) == []  # no dashboard was started for them
        tab = await session.ws_connect(url, headers={"Origin": f"http://localhost:{port}"})
        received = 0
        while received < 4000:
            received += len((await asyncio.wait_for(tab.receive(), GENEROUS)).data or b"")
        await tab.close()


def test_which_pages_may_open_a_dashboard() -> None:
    assert trusted_origin(None, "127.0.0.1:8000", "127.0.0.1", 8000)  # not a browser
    assert trusted_origin("http://127.0.0.1:8000", "127.0.0.1:8000", "127.0.0.1", 8000)
    assert trusted_origin("http://localhost:8000", "127.0.0.1:8000", "localhost", 8000)
    assert trusted_origin("http://[::1]:8000", "[::1]:8000", "::1", 8000)
    assert not trusted_origin("http://127.0.0.1:9000", "127.0.0.1:8000", "127.0.0.1", 8000)
    assert not trusted_origin("http://evil.example:8000", "evil.example:8000", "127.0.0.1", 8000)
    # through an SSH tunnel (ssh -L 9000:127.0.0.1:8000): the page the browser asked for
    assert trusted_origin("http://localhost:9000", "localhost:9000", "127.0.0.1", 8000)
    assert not trusted_origin("http://evil.example:9000", "localhost:9000", "127.0.0.1", 8000)
    # served to the network: the page the browser asked for, on this port
    assert trusted_origin("http://desk.example:8000", "desk.example:8000", "0.0.0.0", 8000)
    assert not trusted_origin("http://evil.example:8000", "desk.example:8000", "0.0.0.0", 8000)
    assert not trusted_origin("http://[bad", "desk.example:8000", "0.0.0.0", 8000)


@pytest.fixture
def linked(tmp_path: Path) -> str:
    """An article with a link, stored before `serve` (asked for after it) starts its poller,
    the data dir's writer from then on; its link."""
    link = "https://news.example/talks"
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="linked", source="Wire", title="Talks narrow the gap", link=link,
                    published=FROZEN, fetched=FROZEN, summary="Only a summary here.",
                )
            ]
        )  # fmt: skip
    return link


async def test_o_in_a_tab_has_its_browser_open_the_link(
    linked: str, serve: tuple[subprocess.Popen[bytes], int]
) -> None:
    """`o` in a browser tab copied the link with OSC 52 (which the page cannot do over plain
    http) or opened it on the server's desktop; the tab is told to open it (textual-serve's
    page does, with window.open, in a new tab)."""
    link = linked
    _, port = serve
    async with aiohttp.ClientSession() as session:
        tab = await open_tab(session, port)
        await tab.send_str(json.dumps(["stdin", "/Talks\r"]))  # this article alone listed
        opened: list[object] = []
        deadline = time.monotonic() + GENEROUS
        while not opened:
            assert time.monotonic() < deadline, "the tab was never asked to open the link"
            await tab.send_str(json.dumps(["stdin", "o"]))  # (again, if the list was not yet)
            try:
                while True:
                    message = await asyncio.wait_for(tab.receive(), 2)
                    assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT)
                    if message.type == aiohttp.WSMsgType.TEXT:
                        kind, payload = json.loads(message.data)[:2]
                        if kind == "open_url":
                            opened.append(payload)
                            break
            except TimeoutError:
                continue
        assert opened == [{"url": link, "new_tab": True}]
        await tab.close()


async def until_closed(tab: aiohttp.ClientWebSocketResponse) -> list[object]:
    """The text packets a tab receives until its websocket closes (failing if it never does)."""
    said: list[object] = []
    while True:
        try:
            message = await asyncio.wait_for(tab.receive(), GENEROUS)
        except TimeoutError:
            raise AssertionError(f"the tab was left open and silent, told only {said}") from None
        if message.type == aiohttp.WSMsgType.TEXT:
            said.append(json.loads(message.data))
        elif message.type != aiohttp.WSMsgType.BINARY:
            return said


def ended(said: list[object]) -> list[dict[str, str]]:
    """What a tab was told of its session's end ("session_ended" packets)."""
    return [p[1] for p in said if isinstance(p, list) and p[0] == "session_ended"]


@pytest.fixture
def serve_then_a_typo(
    config_file: Path, serve: tuple[subprocess.Popen[bytes], int]
) -> tuple[subprocess.Popen[bytes], int]:
    """serve running, and then its config edited with a typo."""
    config_file.write_text(config_file.read_text() + 'oops = "<b>[bold]not closed\n')
    return serve


async def test_a_tab_whose_dashboard_cannot_start_says_why(
    config_file: Path, serve_then_a_typo: tuple[subprocess.Popen[bytes], int]
) -> None:
    """The config edited with a typo while serve runs: every tab sat on the splash for ever,
    the error on serve's terminal only. The tab is closed and told the dashboard's error."""
    _, port = serve_then_a_typo
    async with aiohttp.ClientSession() as session:
        tab = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40")
        said = await until_closed(tab)
        assert tab.close_code == aiohttp.WSCloseCode.INTERNAL_ERROR
    assert len(ended(said)) == 1, said
    error = ended(said)[0]["error"]
    assert "exit status 2" in error and str(config_file) in error, error
    assert "\x1b" not in error


async def test_a_tab_whose_dashboard_is_killed_is_told_the_session_ended(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    """A dashboard killed (the OOM killer) left its tab connected to a frozen screen."""
    proc, port = serve
    async with aiohttp.ClientSession() as session:
        tab = await open_tab(session, port)
        leaders = [pid for pid in dashboards(proc.pid) if os.getpgid(pid) == pid]
        assert len(leaders) == 1, leaders  # the tab's dashboard (serve's poller aside)
        os.kill(leaders[0], signal.SIGKILL)
        said = await until_closed(tab)
    assert ended(said) == [{"error": "The dashboard was ended by SIGKILL."}], said
    assert proc.poll() is None


@pytest.fixture
def planted(tmp_path: Path) -> Path:
    """A folder holding a `tui.py` (/tmp, a shared folder); the file it writes if it runs."""
    folder = tmp_path / "shared"
    folder.mkdir()
    marker = tmp_path / "planted-code-ran"
    (folder / "tui.py").write_text(f"open({str(marker)!r}, 'w').close()\n")
    return folder


@pytest.fixture
def serve_in_planted(
    tmp_path: Path, config_file: Path, planted: Path
) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    with serving(tmp_path, config_file, cwd=planted) as served:
        yield served


async def test_serve_started_beside_a_tui_py_runs_wirewatch_in_its_tabs(
    tmp_path: Path, serve_in_planted: tuple[subprocess.Popen[bytes], int]
) -> None:
    """Tabs ran `python -m tui`, which puts the current folder first on sys.path: serve
    started in a folder holding a `tui.py` ran it in every tab, as the user serving."""
    _, port = serve_in_planted
    async with aiohttp.ClientSession() as session:
        tab = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40")
        received = 0
        while received < 4000:  # the dashboard draws its screen
            message = await asyncio.wait_for(tab.receive(), GENEROUS)
            assert message.type == aiohttp.WSMsgType.BINARY, message
            received += len(message.data)
        await tab.close()
    assert not (tmp_path / "planted-code-ran").exists()


async def test_f8_in_a_tab_is_a_download_naming_no_outside_font(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    """F8 in a tab opened the SVG inline, as a page of the dashboard's own address, which
    fetched its font from cdnjs.cloudflare.com. The browser is handed a download (its
    reader's Downloads folder) that names local fonts only."""
    _, port = serve
    async with aiohttp.ClientSession() as session:
        tab = await open_tab(session, port)
        await tab.send_str(json.dumps(["stdin", "\x1b[19~"]))  # F8
        key = None
        while key is None:
            message = await asyncio.wait_for(tab.receive(), GENEROUS)
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            if message.type == aiohttp.WSMsgType.TEXT:
                kind, payload = json.loads(message.data)[:2]
                if kind == "deliver_file_start":
                    key = payload
        async with session.get(f"http://127.0.0.1:{port}/download/{key}") as download:
            disposition = download.headers["Content-Disposition"]
            svg = await download.text()
        await tab.close()
    assert disposition.startswith("attachment;") and ".svg" in disposition
    assert svg.startswith("<svg") and "url(" not in svg.replace("url(#", ""), svg[:2000]


async def test_a_tab_shows_its_keys_before_any_click(
    serve: tuple[subprocess.Popen[bytes], int],
) -> None:
    """A served dashboard starts as an app without the focus (until the browser says the
    terminal has it), and the key footer stayed blank until the first click or key: someone
    new to the page saw no keys at all."""
    _, port = serve
    async with aiohttp.ClientSession() as session:
        tab = await session.ws_connect(f"http://127.0.0.1:{port}/ws?width=120&height=40")
        screen = b""
        deadline = time.monotonic() + GENEROUS
        while b"Quit" not in screen:
            assert time.monotonic() < deadline, "no key shown in the footer"
            try:
                message = await asyncio.wait_for(tab.receive(), 1)
            except TimeoutError:
                continue
            assert message.type in (aiohttp.WSMsgType.BINARY, aiohttp.WSMsgType.TEXT), message
            if message.type == aiohttp.WSMsgType.BINARY:
                screen += message.data
        await tab.close()


def test_a_tab_is_told_a_crashs_last_line_not_its_report() -> None:
    """A dashboard's crash report (Textual's) gives each frame's variables, which may hold
    a feed's token or a database's password; the tab, which anyone who reaches the page
    sees, was sent all of it. It is told the error's last line; serve's log keeps it all."""
    from tui.serve import DashboardSession

    session = DashboardSession.__new__(DashboardSession)
    session._process = SimpleNamespace(returncode=1)  # type: ignore[assignment]
    session._stderr = bytearray(
        b"Traceback (most recent call last):\n"
        b"  source = Source(location='https://reader:s3cret@feeds.example/rss')\n"
        b"ValueError: the feed cannot be read\n\n"
    )
    told = session.ended()
    assert "s3cret" not in told
    said = "The dashboard stopped with an error (exit status 1)."
    assert told == f"{said}\n\nValueError: the feed cannot be read"
    assert "s3cret" in session.stderr_text()  # (what serve logs)
