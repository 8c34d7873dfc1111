"""`wirewatch serve`: textual-serve, with every dashboard ended when its browser tab is gone.

textual-serve runs one dashboard process per browser tab. As shipped, a tab that leaves only
sends that process a "quit" it may never act on (a dashboard blocked writing to a pipe nobody
reads, or one busy elsewhere), and SIGTERM waits on the open websockets. Here a session ends in
steps until its process group is gone: "quit", then SIGTERM, then SIGKILL; the dashboard's
output is read until it exits, so it never blocks on a full pipe; and SIGTERM or SIGINT to
`serve` ends every session before the server stops. The dashboards run `tui.webdriver`, which
also ends one whose serving process is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import os
import shlex
import signal
import sys
from asyncio.subprocess import Process
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

from fetchers.text import strip_controls

log = logging.getLogger("wirewatch.serve")

QUIT_GRACE = 5.0  # seconds a dashboard has to quit when asked
TERM_GRACE = 5.0  # then after SIGTERM, before SIGKILL
CLOSE_WAIT = 2.0  # seconds to wait for a browser to answer a websocket close
HEARTBEAT = 15.0  # websocket pings: a browser that stops answering is gone after 1.5x this
STDERR_KEPT = 16_384  # bytes of a dashboard's stderr kept to show in its tab
DRIVER = "tui.webdriver:ServedDriver"


def wirewatch_argv(*args: str) -> list[str]:
    """The command line of a wirewatch process that serve starts (a tab's dashboard, or
    another child): this interpreter, with `-P`. `python -m tui` put the current folder
    first on sys.path, so `serve` started in a folder holding a `tui.py` or a `tui/` (or a
    `textual.py`, a `rich/`) ran that code in every tab, as the user running serve."""
    return [sys.executable, "-P", "-m", "tui", *args]


class DashboardSession(AppService):
    """One browser tab's dashboard process, in its own process group, always ended."""

    def __init__(self, argv: list[str], **kwargs: Any) -> None:
        super().__init__(shlex.join(argv), **kwargs)
        self.argv = argv
        self._ending: asyncio.Future[None] | None = None
        self._stderr = bytearray()  # its last STDERR_KEPT bytes: what a tab shows when it fails

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        environment = super()._build_environment(width, height)
        environment["TEXTUAL_DRIVER"] = DRIVER
        return environment

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Process:
        """The dashboard itself (no shell between), leading a process group of its own so
        that what it starts (its parser processes) ends with it."""
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self._build_environment(width=width, height=height),
            start_new_session=True,
        )
        assert process.stdin is not None
        self._stdin = process.stdin
        return process

    async def run(self) -> None:
        """textual-serve's loop over the dashboard's output, but what the dashboard writes on
        stderr is kept for its tab (`ended`) and logged once, where textual-serve printed it
        (twice) to serve's terminal only, which the people at the browser cannot see."""
        process = self._process
        assert process is not None and process.stdout is not None
        reading = asyncio.ensure_future(self._read_stderr())
        try:
            stdout = process.stdout
            for _ in range(10):  # the prelude that says a Textual app is there
                line = await stdout.readline()
                if not line or line == b"__GANGLION__\n":
                    break
            while True:
                kind = await stdout.readexactly(1)
                size = int.from_bytes(await stdout.readexactly(4), "big")
                payload = await stdout.readexactly(size)
                if kind == b"D":
                    await self.on_data(payload)
                elif kind == b"M":
                    await self.on_meta(payload)
                elif kind == b"P":
                    await self.on_packed(payload)
        except (asyncio.IncompleteReadError, ConnectionResetError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(reading, CLOSE_WAIT)  # the rest of it, once it exits
            reading.cancel()
        if self._stderr:
            log.warning("dashboard %s: %s", process.pid, self.stderr_text())

    async def _read_stderr(self) -> None:
        process = self._process
        assert process is not None and process.stderr is not None
        while data := await process.stderr.read(4096):
            self._stderr += data
            del self._stderr[:-STDERR_KEPT]

    def stderr_text(self) -> str:
        """What the dashboard wrote on stderr (its end), as plain text: no escape sequence
        or control character."""
        return strip_controls(self._stderr.decode("utf-8", "replace")).strip()

    def ended(self) -> str:
        """How the dashboard's process ended, for its tab ("" if it ended well): its exit
        status and the last line it wrote on stderr, or the signal that ended it. Killed
        from outside (SIGKILL, SIGTERM, SIGINT), it said nothing itself: its stderr then
        holds only what its helper processes said about its end (multiprocessing's resource
        warnings)."""
        process = self._process
        code = process.returncode if process is not None else None
        if code is None or code == 0:
            return ""
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = f"signal {-code}"
            said = f"The dashboard was ended by {name}."
            if -code in (signal.SIGKILL, signal.SIGTERM, signal.SIGINT):
                return said
        else:
            said = f"The dashboard stopped with an error (exit status {code})."
        # its last line only (the error and its message): a crash report of Textual's gives
        # each frame's variables, which may hold a feed's token or a database's password,
        # and anyone who can reach the page sees this (serve's log keeps it whole)
        lines = [line for line in self.stderr_text().splitlines() if line.strip()]
        return f"{said}\n\n{lines[-1].strip()}" if lines else said

    async def on_data(self, payload: bytes) -> None:
        """Forward the screen to the browser; once the browser is gone, keep reading the
        dashboard's output (and drop it) so it never blocks writing."""
        with contextlib.suppress(ConnectionError, RuntimeError):
            await super().on_data(payload)

    async def send_meta(self, data: dict[str, str | None | int | bool]) -> bool:
        if self._stdin is None or self._stdin.is_closing():
            return False
        return await super().send_meta(data)

    async def exited(self) -> None:
        """Returns when the dashboard's process has exited, however it ended."""
        if self._process is not None:
            await self._process.wait()

    async def stop(self) -> None:
        """End the session (once, however many callers ask); returns when its process group
        is gone."""
        if self._ending is None:
            self._ending = asyncio.ensure_future(self._end())
        await asyncio.shield(self._ending)

    async def _end(self) -> None:
        process = self._process
        if process is None:
            return
        with contextlib.suppress(Exception):
            await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        if not await _exits(process, QUIT_GRACE):
            log.warning("dashboard %s did not quit; sending SIGTERM", process.pid)
            _signal_group(process.pid, signal.SIGTERM)
            if not await _exits(process, TERM_GRACE):
                log.warning("dashboard %s did not stop; sending SIGKILL", process.pid)
                _signal_group(process.pid, signal.SIGKILL)
                await process.wait()
        # what the dashboard started leaves with it; anything still there is ended
        for number in (signal.SIGTERM, signal.SIGKILL):
            if not await _group_empties(process.pid, TERM_GRACE):
                _signal_group(process.pid, number)
        if self._stdin is not None:
            self._stdin.close()
        if self._task is not None:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._task, TERM_GRACE)  # its output, to the end
            self._task = None


async def _tell_ended(websocket: web.WebSocketResponse, failure: str) -> None:
    """Tell a tab whose dashboard ended by itself (a config it could not read, a crash, a
    kill) that its session is over, and why when it failed: textual-serve left the tab open
    and silent, on the splash or a frozen screen. The page shows the text as plain text.
    Nothing to say if the dashboard closed the tab itself (it quit)."""
    if websocket.closed:
        return
    with contextlib.suppress(ConnectionError, RuntimeError):
        await websocket.send_json(["session_ended", {"error": failure}])
    code = WSCloseCode.INTERNAL_ERROR if failure else WSCloseCode.OK
    with contextlib.suppress(ConnectionError, RuntimeError):
        await websocket.close(code=code, message=b"the dashboard ended")


async def _exits(process: Process, seconds: float) -> bool:
    try:
        await asyncio.wait_for(process.wait(), seconds)
    except TimeoutError:
        return False
    return True


def _signal_group(group: int, number: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, number)


async def _group_empties(group: int, seconds: float) -> bool:
    """True once no live process is left in the group (waiting up to `seconds`)."""
    for _ in range(int(seconds / 0.05) + 1):
        if not _group_alive(group):
            return True
        await asyncio.sleep(0.05)
    return False


def _group_alive(group: int) -> bool:
    """Whether a process of the group still runs (one that died and waits to be reaped by
    a container's init does not count)."""
    proc = Path("/proc")
    if not proc.is_dir():  # not Linux: ask the kernel, zombies included
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[2] == str(group) and fields[0] != "Z":
            return True
    return False


LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})


def _loopback(host: str | None) -> bool:
    """Whether a host name or address is this machine's loopback."""
    if not host:
        return False
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES or host.endswith(".localhost"):
        return True
    with contextlib.suppress(ValueError):
        return ipaddress.ip_address(host).is_loopback
    return False


def trusted_origin(origin: str | None, page_host: str | None, bound: str, port: int) -> bool:
    """Whether a websocket may open from a page of this origin. A browser names the page a
    connection comes from: any site a person visits could otherwise open the dashboard's
    websocket to this machine, read the headlines off it and type into it (add an alert
    rule posting them to its own server). No Origin: not a browser (a local program).
    Only the page the browser asked this server for (`page_host`, its Host: an SSH tunnel's
    local port too), and served on the loopback, only pages of the loopback."""
    if origin is None:
        return True
    try:
        parts = urlsplit(origin)
        default = {"http": 80, "https": 443}.get(parts.scheme)
        origin_port = parts.port or default
        asked = urlsplit(f"//{page_host}") if page_host else None
        asked_port = (asked.port or default) if asked is not None else port
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or origin_port != asked_port:
        return False
    if _loopback(bound):
        return _loopback(parts.hostname)
    return asked is not None and parts.hostname is not None and parts.hostname == asked.hostname


class DashboardServer(Server):
    """textual-serve's server, running DashboardSessions and ending them all on shutdown.
    Served on the loopback it answers only requests naming the loopback (a site whose name
    is made to point at 127.0.0.1 gets nothing), and a websocket opens only from its own
    page (`trusted_origin`)."""

    def __init__(self, argv: list[str], host: str, port: int) -> None:
        pages = Path(__file__).resolve().parent / "web"  # its page, without outside web fonts
        super().__init__(
            shlex.join(argv), host=host, port=port, title="wirewatch", templates_path=str(pages)
        )
        self.argv = argv
        self.sessions: dict[DashboardSession, web.WebSocketResponse] = {}

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, its scripts and websocket addressed as the browser asked for it: by
        the address it was bound to, a page served on 0.0.0.0 (or [::1], unbracketed) named
        scripts at http://0.0.0.0:PORT that no browser elsewhere could load, and one seen
        through an SSH tunnel named the far end's port."""
        self.public_url = f"{request.scheme}://{request.host}"  # (no await until it is used)
        return await super().handle_index(request)

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self._loopback_names_only)
        return app

    @web.middleware
    async def _loopback_names_only(self, request: web.Request, handler: Any) -> Any:
        """Served on the loopback: a request naming another host is refused (DNS
        rebinding: a site that points its name at 127.0.0.1 once its page is open)."""
        if _loopback(self.host):
            try:
                asked = urlsplit(f"//{request.host}").hostname
            except ValueError:
                asked = None
            if not _loopback(asked):
                raise web.HTTPForbidden(text="wirewatch serves this machine's loopback only\n")
        return await handler(request)

    async def on_shutdown(self, app: web.Application) -> None:
        """SIGTERM or SIGINT: every dashboard ends, every browser is told, then the server
        stops (without this it waits on the open websockets)."""
        sessions = list(self.sessions.items())
        await asyncio.gather(
            *(session.stop() for session, _ in sessions),
            *(
                websocket.close(code=WSCloseCode.GOING_AWAY, message=b"wirewatch serve stopped")
                for _, websocket in sessions
            ),
            return_exceptions=True,
        )

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        """One browser tab: a dashboard for as long as its websocket lives, then none."""
        origin = request.headers.get("Origin")
        if not trusted_origin(origin, request.host, self.host, self.port):
            log.warning("a websocket from %r refused: not a page of this server", origin)
            raise web.HTTPForbidden(text="wirewatch opens dashboards for its own page only\n")
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT, timeout=CLOSE_WAIT)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        session: DashboardSession | None = None
        try:
            await websocket.prepare(request)
            session = DashboardSession(
                self.argv,
                write_bytes=websocket.send_bytes,
                write_str=websocket.send_str,
                close=websocket.close,
                download_manager=self.download_manager,
                debug=self.debug,
            )
            self.sessions[session] = websocket
            await session.start(width, height)
            messages = asyncio.ensure_future(self._process_messages(websocket, session))
            exited = asyncio.ensure_future(session.exited())
            try:
                await asyncio.wait((messages, exited), return_when=asyncio.FIRST_COMPLETED)
                if not messages.done():  # the dashboard ended under an open tab
                    await session.stop()  # (what it started, and its output to the end)
                    await _tell_ended(websocket, session.ended())
                await messages  # (over once the websocket is closed)
            finally:
                for task in (messages, exited):
                    task.cancel()
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await websocket.close()
        except Exception as error:  # a broken message from a browser ends its session only
            log.exception(error)
        finally:
            if session is not None:
                await session.stop()
                self.sessions.pop(session, None)
        return websocket
