"""The driver of a dashboard that `wirewatch serve` runs for a browser tab.

Textual's web driver talks to the serving process through stdin and stdout. It leaves a
dashboard running when that process is gone (its stdin closes: nothing will ever arrive
again), and it handles SIGTERM on the event loop, which cannot run while a write to a full
stdout pipe blocks it. This one ends the dashboard in both cases: it asks the app to quit, and
if the app has not ended a few seconds later, ends the process (as a SIGKILL would; the store
is built to survive that).
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from types import FrameType
from typing import Any

from textual.app import App
from textual.drivers.web_driver import WebDriver

QUIT_GRACE = 3.0  # seconds the app has to quit by itself before the process ends anyway


class ServedDriver(WebDriver):
    def __init__(self, app: App[Any], **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self._ending = threading.Event()

    def start_application_mode(self) -> None:
        super().start_application_mode()
        for number in (signal.SIGTERM, signal.SIGINT):
            # a plain handler runs in the main thread even while it waits in a write
            self._loop.remove_signal_handler(number)
            signal.signal(number, self._on_signal)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        if self._ending.is_set():
            os._exit(128 + number)  # asked twice: no more waiting
        self.end(128 + number)

    def run_input_thread(self) -> None:
        super().run_input_thread()
        if not self.exit_event.is_set():  # stdin closed: the serving process is gone
            self.end(0)

    def end(self, code: int) -> None:
        """Ask the app to quit (its own quit action, which stops polling first); end the
        process if it is still here after QUIT_GRACE. Safe from any thread and from a
        signal handler."""
        if self._ending.is_set():
            return
        self._ending.set()
        watchdog = threading.Timer(QUIT_GRACE, os._exit, args=(code,))
        watchdog.daemon = True
        watchdog.start()
        loop, app = self._loop, self._app
        if not loop.is_closed():
            loop.call_soon_threadsafe(lambda: asyncio.ensure_future(app.run_action("quit")))
