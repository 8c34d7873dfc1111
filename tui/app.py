"""The wirewatch app: the host of the dashboard screen. It opens the session (in a thread),
then shows the dashboard over it; it keeps the theme, the keymap, screenshots and the
process-wide tuning.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import io
import os
import re
import signal
import sys
import threading
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from time import monotonic
from typing import Any

import platformdirs
from rich.text import Text
from textual import events, on, work
from textual.app import App, ComposeResult, SystemCommand
from textual.events import DeliveryComplete, DeliveryFailed
from textual.screen import Screen
from textual.theme import Theme
from textual.widgets import Static

from fetchers.atomic import create_file
from fetchers.config import Config
from fetchers.heap import frozen_since_reclaim, reclaim_frozen
from fetchers.keymap import keys_in_force
from fetchers.models import Clock, system_clock
from fetchers.parsepool import start_server as start_parse_server
from fetchers.redact import printable
from fetchers.store import StoreError
from fetchers.timeparse import local_zone
from tui.actions import NO_KEY, bindings, first_key, textual_keymap
from tui.commands import WirewatchCommands
from tui.keyorder import OrderedKeysApp
from tui.layout import HORIZONTAL_BREAKPOINTS, VERTICAL_BREAKPOINTS
from tui.messages import SessionOpened
from tui.screens.dashboard import DashboardScreen
from tui.session import Session
from tui.theme import THEMES, chosen_theme, colourless, for_terminal, save_choice
from tui.workers import ReportsWorkerErrors

SWITCH_INTERVAL = 0.0005
# seconds a dashboard asked to end by a signal has to quit as `q` does before the process
# ends anyway (a terminal that hung up may never take the writes that give it back); more
# than a quit waits for its poll's last writes (`BACKFILL_WAIT`, 10 s)
QUIT_GRACE = 15.0
# The frozen heap's garbage (`reclaim_frozen`): looked at each RECLAIM_LOOK seconds, walked
# at most each RECLAIM_EVERY seconds and only after a freeze; a walk of more than
# QUICK_RECLAIM frozen objects (50 ms or so) only after IDLE_FOR seconds without a key or
# the mouse, so no key waits on it
RECLAIM_LOOK = 60.0
RECLAIM_EVERY = 300.0
QUICK_RECLAIM = 300_000
IDLE_FOR = 30.0
SCREENSHOT = "wirewatch-screenshot"  # a delivery name of our own: Textual's handlers skip it
# the screenshot's text: Fira Code where it is installed, else the viewer's own monospace font
SCREENSHOT_FONTS = '"Fira Code", "DejaVu Sans Mono", Menlo, Consolas, "Liberation Mono", monospace'
_FONT_FACE = re.compile(r"@font-face\s*\{[^{}]*\}\s*")
_RICH_FONT = re.compile(r"font-family:\s*Fira Code,\s*monospace;")


def local_fonts_only(svg: str) -> str:
    """A screenshot SVG (Rich's template) without its @font-face rules, which fetch Fira
    Code from cdnjs.cloudflare.com each time the file is opened (with the address of the
    page it came from as Referer): it loads nothing from outside the machine showing it.
    Only the style sheet is changed, never the screen's text that follows it."""
    style, end, rest = svg.partition("</style>")
    if not end:
        return svg
    style = _FONT_FACE.sub("", style)
    style = _RICH_FONT.sub(f"font-family: {SCREENSHOT_FONTS};", style)
    return style + end + rest


class WirewatchApp(ReportsWorkerErrors, OrderedKeysApp[None]):
    CSS_PATH = "wirewatch.tcss"
    TITLE = "wirewatch"
    COMMANDS = App.COMMANDS | {WirewatchCommands}
    BINDINGS = bindings("dashboard", on_app=True)  # q and F8 work while the store opens too
    HORIZONTAL_BREAKPOINTS = HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """Textual's commands, less its "Keys": wirewatch's own lists the keys in force."""
        return (c for c in super().get_system_commands(screen) if c.title != "Keys")

    def __init__(
        self, config: Config, data_dir: Path, clock: Clock | None = None, poll: bool = True
    ) -> None:
        super().__init__()
        self.config = config
        self.data_dir = data_dir
        for theme in THEMES:
            self.register_theme(for_terminal(theme, self.console.color_system))
        if colourless(self.console.color_system):
            # (vt100, xterm-mono) drawn as for NO_COLOR: the `:nocolor` styles show the
            # selected row in reverse video and the focused pane's border double
            self.no_color = True
        self.theme = self._kept_theme = chosen_theme(config, data_dir)
        self.clock: Clock = clock or system_clock
        self.poll_enabled = poll
        self.local = local_zone(config.settings.timezone)
        self.read_after: float | None = None  # seconds before an article counts as read
        self.session: Session | None = None  # once the store is open
        self.dashboard: DashboardScreen | None = None  # shown over the open session
        self._screenshot_note = ""
        self._watchdog: threading.Timer | None = None  # set by a signal to quit (`_signalled`)
        self._last_input = self._reclaimed = monotonic()
        if poll:
            start_parse_server()
        # Threads that work (the search index, store writes) hold the GIL for up to this long
        # each time the event loop asks for it back; 5 ms (the default) per socket call
        # adds up to visible stalls during a poll.
        sys.setswitchinterval(SWITCH_INTERVAL)

    def compose(self) -> ComposeResult:
        """Until the store is open: the status line alone."""
        yield Static(Text(" wirewatch ─ opening the store…"), id="opening")

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(textual_keymap(self.config.keys))
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self._quit_on_signals()
        self._open_session()
        self.set_interval(RECLAIM_LOOK, self._reclaim_frozen_garbage)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._last_input = monotonic()
        await super().on_event(event)

    def _reclaim_frozen_garbage(self) -> None:
        """What the heap's freezes kept alive and was let go since is freed now and then
        (`reclaim_frozen`): an open dashboard grew with each article it took in, by the
        lines it had drawn. The walk holds the screen for as long as it takes, so a long
        one waits until the user is not typing."""
        now = monotonic()
        if not frozen_since_reclaim() or now - self._reclaimed < RECLAIM_EVERY:
            return
        if gc.get_freeze_count() > QUICK_RECLAIM and now - self._last_input < IDLE_FOR:
            return
        if reclaim_frozen() is not None:
            self._reclaimed = now

    def _quit_on_signals(self) -> None:
        """SIGTERM (`kill`, a service manager) quits as `q` does: the terminal given back (it
        was left on the dashboard's screen, the cursor hidden and the mouse reporting into
        the shell), polling stopped, the marks the disk refused tried once more; exit 0.
        (A served dashboard's driver has its own.) A hang-up (SIGHUP) still ends it at once:
        with its terminal gone, Textual's quit waited on it until the watchdog, and the
        store is made to survive an end at any moment."""
        if self.is_headless or os.environ.get("TEXTUAL_DRIVER"):
            return
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGTERM, self._signalled, signal.SIGTERM
            )

    def action_suspend_process(self) -> None:
        """ctrl+z: suspend to the shell, when a shell can bring it back (`fg`): one that put
        the dashboard in a job of its own in its session. Started with no such shell (`ssh
        -t host wirewatch`, `xterm -e wirewatch`, a script), it stopped for good, its screen
        frozen, and only closing the terminal ended it. Not when [keys] gave its key to
        another binding (one of a place not in force here: `keys_in_force`)."""
        if not keys_in_force(self.config.keys)["app.suspend"]:
            return
        try:
            parent = os.getppid()
            job_control = os.getsid(parent) == os.getsid(0) and os.getpgid(parent) != os.getpgrp()
        except OSError:
            job_control = False
        if not job_control:  # (the keys in force: a remapped quit was still said as q)
            suspend, quits = (
                first_key(ident, self.config.keys, self.get_key_display)
                for ident in ("app.suspend", "app.quit")
            )
            how = f"{suspend} suspends" if suspend != NO_KEY else "suspending is for"
            self.notify(
                f"No shell to come back to: {how} a dashboard started from a shell"
                + (f" ({quits} quits)." if quits != NO_KEY else "."),
                markup=False,
            )
            return
        super().action_suspend_process()

    def _signalled(self, number: int) -> None:
        if self._watchdog is not None:  # asked again: the first quit goes on, and the
            return  # watchdog ends what cannot
        self._watchdog = threading.Timer(QUIT_GRACE, os._exit, args=(128 + number,))
        self._watchdog.daemon = True
        self._watchdog.start()
        self.exit(return_code=0)

    @property
    def quit_by_signal(self) -> bool:
        """A signal asked the dashboard to quit (`_signalled`): its terminal may be gone."""
        return self._watchdog is not None

    @work(thread=True, group="store", exit_on_error=False)
    def _open_session(self) -> None:
        try:
            session = Session.open(
                self.config, self.data_dir, self.clock, self.local, self.poll_enabled
            )
        except StoreError as exc:  # nothing to show: said as the command line says it
            said = Text(f"wirewatch: {printable(str(exc))}")  # (a path of "[...]" is no markup)
            self.call_from_thread(self.exit, None, 2, said)
            return
        self.post_message(SessionOpened(session))

    @on(SessionOpened)
    def _session_opened(self, message: SessionOpened) -> None:
        self.session = message.session
        self.dashboard = DashboardScreen(message.session)
        if self.read_after is not None:
            self.dashboard.read_after = self.read_after
        self.push_screen(self.dashboard)

    def _theme_changed(self, theme: Theme) -> None:
        """A theme picked in the command palette is kept for the next start."""
        if theme.name != self._kept_theme:
            self._kept_theme = theme.name
            self._save_theme(theme.name)

    @work(thread=True, group="theme", exit_on_error=False)
    def _save_theme(self, name: str) -> None:
        save_choice(self.config, self.data_dir, name)

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """F8: an SVG of the screen in the Downloads folder, or in the data dir where there is
        none (a server rarely has one); the notice says where it went. In a browser tab
        (`wirewatch serve`) it is the browser's download, in the reader's own downloads: shown
        inline, it opened as a page of the dashboard's own address."""
        name = filename or f"wirewatch_{datetime.now():%Y-%m-%dT%H_%M_%S}.svg"
        svg = io.StringIO(local_fonts_only(self.export_screenshot()))
        if self.is_web:
            self._screenshot_note = name
            self.deliver_text(
                svg, save_directory=self.data_dir, save_filename=name,  # (written nowhere)
                open_method="download", mime_type="image/svg+xml", name=SCREENSHOT,
            )  # fmt: skip
            return
        note = ""
        try:
            folder = Path(path) if path else platformdirs.user_downloads_path()
        except RuntimeError:  # no home directory known (a user with no passwd entry)
            folder = self.data_dir
        if not folder.is_dir():
            note = f" ({folder} does not exist)"
            folder = self.data_dir
            folder.mkdir(parents=True, exist_ok=True)
        self._screenshot_note = note
        if folder == self.data_dir:
            # made first with the mode of the data dir's files (its user's alone, or its
            # group's too): Textual's write keeps it, where it made one as the umask says,
            # anyone's to read beside articles kept private
            with contextlib.suppress(OSError):
                os.close(create_file(folder / name, os.O_WRONLY))
        self.deliver_text(
            svg,
            save_directory=folder,
            save_filename=name,
            open_method="browser",
            mime_type="image/svg+xml",
            name=SCREENSHOT,
        )

    @on(DeliveryComplete)
    def _screenshot_saved(self, event: DeliveryComplete) -> None:
        if event.name != SCREENSHOT:
            return
        if self.is_web:  # (the browser fetched it: it keeps it where it keeps downloads)
            said = f"Sent the screenshot to your browser as {self._screenshot_note}"
        elif event.path is not None:
            said = f"Saved the screenshot to {event.path}{self._screenshot_note}"
        else:
            said = "Saved the screenshot"
        self.notify(said, title="Screenshot", markup=False)

    @on(DeliveryFailed)
    def _screenshot_failed(self, event: DeliveryFailed) -> None:
        if event.name == SCREENSHOT:
            exc = event.exception  # (a read-only data dir: said, not "[Errno 30] …")
            why = (
                f"{exc.filename}: {exc.strerror}"
                if isinstance(exc, OSError) and exc.strerror and exc.filename
                else str(exc)
            )
            self.notify(
                f"The screenshot could not be saved: {why}",
                title="Screenshot",
                severity="error",
                markup=False,
            )

    def on_unmount(self) -> None:
        """However the app ends (q, the palette, ctrl+c): the poll thread's loop is told to
        stop (the process waits for that thread), and the parse workers go."""
        if self.session is not None:
            self.session.close()
