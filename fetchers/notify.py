"""Delivering alerts: terminal notifications (OSC 9 and OSC 777, through tmux), the bell,
desktop notifications (notify-send) and webhooks (a generic JSON body, Slack, Matrix hookshot,
ntfy) sent from a bounded queue with retries, so a slow or failing hook never holds a cycle.

Alert text is feed text: it reaches a terminal, a desktop or a chat only as plain text, with
every escape sequence and control character gone. A webhook URL often holds its secret in its
path (Slack, ntfy topics), so only its host is ever logged.
"""

from __future__ import annotations

import html
import logging
import os
import queue
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from fetchers.alerthistory import AlertEntry
from fetchers.text import strip_controls, strip_zero_width

log = logging.getLogger("wirewatch.alerts")

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
TEXT_LIMIT = 240  # characters of a notification line: terminals and chats cut long ones
QUEUE_LIMIT = 256  # webhook posts waiting; more are dropped, and said so
RETRIES = 4  # tries after the first
BACKOFF = 1.0  # seconds before the first retry; doubled for each next one
DESKTOP_TIMEOUT = 5.0
POST_TIMEOUT = 10.0
WAITS_KEPT = 16  # the latest backoff delays the sender's stats keep


def notification_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """One line of plain text that drives nothing: escape sequences, controls and
    bidirectional marks removed, line breaks and tabs made spaces, at most `limit` characters."""
    flat = " ".join(strip_zero_width(strip_controls(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _osc_field(text: str) -> str:
    """Text for an OSC field: plain, and without ";" (OSC 777 separates fields with it, and an
    OSC 9 text such as "4;1" is read as a progress report)."""
    return notification_text(text).replace(";", ",")


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped so tmux hands it to the outer terminal (each ESC doubled inside)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def terminal_sequences(title: str, body: str, in_tmux: bool | None = None) -> str:
    """The notification as both OSC 9 (iTerm2, Windows Terminal, kitty, foot, WezTerm) and
    OSC 777 (urxvt, VTE terminals, kitty, foot, WezTerm), each through tmux's passthrough when
    inside tmux (`$TMUX` set; tmux needs `allow-passthrough on`)."""
    if in_tmux is None:
        in_tmux = bool(os.environ.get("TMUX"))
    head, text = _osc_field(title), _osc_field(body)
    osc9 = f"{ESC}]9;{head}: {text}{BEL}"
    osc777 = f"{ESC}]777;notify;{head};{text}{BEL}"
    if in_tmux:
        return tmux_passthrough(osc9) + tmux_passthrough(osc777)
    return osc9 + osc777


def headline(entry: AlertEntry) -> tuple[str, str]:
    """(title, body) of an entry's notification, plain text."""
    title = f"wirewatch: {entry.alert}"
    if entry.kind == "spike":
        return title, entry.title
    return title, f"{entry.title} ({entry.source})" if entry.source else entry.title


def terminal_output(
    entries: list[AlertEntry], bell_enabled: bool, in_tmux: bool | None = None
) -> bytes:
    """What a dashboard writes to its terminal for new history entries: OSC 9/777 for each
    entry whose rule asks for "terminal", and one bell when any asks for "bell" (and
    `[settings] bell` is on)."""
    out: list[str] = []
    ring = False
    for entry in entries:
        if "terminal" in entry.notify:
            out.append(terminal_sequences(*headline(entry), in_tmux=in_tmux))
        ring = ring or "bell" in entry.notify
    if ring and bell_enabled:
        out.append(BEL)
    return "".join(out).encode("utf-8")


# -- desktop --------------------------------------------------------------------------------
def desktop_command(title: str, body: str, program: str) -> list[str]:
    """notify-send's argv: no shell; the body escaped, since notification servers read a
    subset of HTML there."""
    return [
        program,
        "--app-name=wirewatch",
        "--",
        notification_text(title),
        html.escape(notification_text(body), quote=False),
    ]


def send_desktop(entry: AlertEntry, runner: Callable[..., Any] = subprocess.run) -> bool:
    """Show the entry with notify-send where it is installed; False when it is not, or failed."""
    program = shutil.which("notify-send")
    if program is None:
        return False
    try:
        done = runner(
            desktop_command(*headline(entry), program),
            timeout=DESKTOP_TIMEOUT,
            capture_output=True,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("desktop notification failed: %s", type(exc).__name__)
        return False
    return getattr(done, "returncode", 0) == 0


# -- webhooks -------------------------------------------------------------------------------
def url_host(url: str) -> str:
    """What may be said of a webhook URL in a log: its scheme and host, never its path,
    query or credentials (where such URLs keep their secret)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "?", f":{parts.port}" if parts.port else ""
    except ValueError:  # a host that does not read, a port out of range: the scheme alone
        scheme = url.partition(":")[0]
        return f"{scheme if scheme.isalpha() else '?'}://?/…"
    return f"{parts.scheme}://{host}{port}/…"


def webhook_request(url: str, fmt: str, entry: AlertEntry) -> tuple[str, dict[str, Any]]:
    """(URL to POST to, JSON body) for one entry in one of the formats."""
    title, body = headline(entry)
    line = f"{title}: {body}"
    if entry.link:
        line += f" {entry.link}"
    if fmt == "slack":
        return url, {"text": notification_text(line, 2000)}
    if fmt == "matrix":  # matrix-hookshot's generic webhooks: text, html, username
        link = f' <a href="{html.escape(entry.link)}">link</a>' if entry.link else ""
        return url, {
            "text": notification_text(line, 2000),
            "html": f"<b>{html.escape(notification_text(title))}</b>: "
            f"{html.escape(notification_text(body, 2000))}{link}",
            "username": "wirewatch",
        }
    if fmt == "ntfy":  # JSON publishing goes to the server's root, naming the topic
        parts = urlsplit(url)
        topic = parts.path.strip("/")
        root = urlunsplit((parts.scheme, parts.netloc, "/", "", ""))
        message: dict[str, Any] = {
            "topic": topic,
            "title": notification_text(title),
            "message": notification_text(body, 2000),
            "tags": ["newspaper"],
        }
        if entry.link:
            message["click"] = entry.link
        return root, message
    return url, {
        **entry.to_json(),
        "link": entry.link,
        "text": notification_text(line, 2000),
    }


@dataclass(slots=True)
class Post:
    url: str
    body: dict[str, Any]


@dataclass(slots=True)
class WebhookStats:
    """What the sender did since it started (a writer runs for weeks: nothing here grows)."""

    sent: int = 0
    failed: int = 0  # given up after every retry
    dropped: int = 0  # the queue was full
    attempts: int = 0
    retries: int = 0  # backoff waits slept
    waits: deque[float] = field(default_factory=lambda: deque(maxlen=WAITS_KEPT))  # the latest


class WebhookSender:
    """Posts from a bounded queue in a thread of its own. A post that fails (a network error,
    a 5xx or 429) is retried after `backoff`, 2x`backoff`, 4x… up to `retries` times; a 4xx
    other than 429 is not retried. `sleep` is injectable, so tests count the waits."""

    def __init__(
        self,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        sleep: Callable[[float], None] = time.sleep,
        limit: int = QUEUE_LIMIT,
        timeout: float = POST_TIMEOUT,
        user_agent: str | None = None,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self.timeout = timeout
        self.user_agent = user_agent or "wirewatch"
        self.queue: queue.Queue[Post | None] = queue.Queue(maxsize=limit)
        self.stats = WebhookStats()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def submit(self, url: str, body: dict[str, Any]) -> bool:
        """Queue a post; never waits. False (and logged) when the queue is full."""
        self._start()
        try:
            self.queue.put_nowait(Post(url, body))
        except queue.Full:
            self.stats.dropped += 1
            log.warning(
                "webhook %s: %d posts waiting, this one dropped", url_host(url), QUEUE_LIMIT
            )
            return False
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="wirewatch-webhooks", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        with httpx.Client(
            timeout=self.timeout,
            headers={"User-Agent": self.user_agent},
            follow_redirects=False,
            trust_env=True,
        ) as client:
            while True:
                post = self.queue.get()
                try:
                    if post is None:
                        return
                    self._deliver(client, post)
                except Exception as exc:  # the next alerts still go; the message may quote
                    self.stats.failed += 1  # the URL, so only the error's kind is logged
                    where = url_host(post.url) if post is not None else "?"
                    log.error("webhook %s: not sent (%s)", where, type(exc).__name__)
                finally:
                    self.queue.task_done()

    def _deliver(self, client: httpx.Client, post: Post) -> None:
        where = url_host(post.url)
        try:
            request = client.build_request("POST", post.url, json=post.body)
        except (httpx.InvalidURL, httpx.HTTPError, ValueError) as exc:
            # A URL no request can be made for (an IDNA host that does not encode, a URL
            # too long) fails the same way at every try. Its message quotes the URL.
            self.stats.failed += 1
            log.warning("webhook %s: the alert cannot be sent: %s", where, type(exc).__name__)
            return
        for attempt in range(self.retries + 1):
            if attempt:
                wait = self.backoff * 2 ** (attempt - 1)
                self.stats.retries += 1
                self.stats.waits.append(wait)
                self.sleep(wait)
            self.stats.attempts += 1
            try:
                answer = client.send(request)
            except httpx.HTTPError as exc:  # its message may quote the URL: not logged
                problem = type(exc).__name__
            else:
                if answer.status_code < 300:
                    self.stats.sent += 1
                    return
                problem = f"HTTP {answer.status_code}"
                if answer.status_code < 500 and answer.status_code != 429:
                    log.warning("webhook %s refused the alert: %s", where, problem)
                    self.stats.failed += 1
                    return
            log.info("webhook %s: %s (try %d of %d)", where, problem, attempt + 1, self.retries + 1)
        self.stats.failed += 1
        log.warning("webhook %s: gave up after %d tries", where, self.retries + 1)

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the queue to empty; True when it did."""
        deadline = time.monotonic() + timeout
        while self.queue.unfinished_tasks:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def close(self) -> None:
        with self._lock:
            thread = self._thread
        if thread is not None and thread.is_alive():
            try:
                self.queue.put_nowait(None)
            except queue.Full:
                return  # a daemon thread: it ends with the process
