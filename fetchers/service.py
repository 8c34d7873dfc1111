"""`wirewatch poll` as a service: the schedule, signals, config reloads, alerts and logs.

SIGTERM and SIGINT stop it: the answers already received are written, fetches in flight are
dropped, a write in flight completes (it runs in a thread that the event loop's shutdown waits
for), then the store is closed. SIGHUP reads the config again; a broken config is logged and
the running one kept.

Failing sources are said as their failures start, change and end, grouped by server
(`fetchers.outages`), not at each failed poll. Each cycle that brought news (new or revised
articles) or in which a failure started, changed or ended is one log line, naming the
sources; any other is said only as the first after the start, and in one line once
QUIET_SUMMARY has passed since the last (a day of 60-second polls said "0 new articles" a
thousand times), or REMIND_EVERY when some of them had sources fail (a server down said
"0 new articles, 10 failed" every second as its sources' polls trickled in).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import logging.handlers
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fetchers.alerting import EACH_ITS_OWN
from fetchers.alerts import AlertWatch
from fetchers.config import Config
from fetchers.events import unreadable
from fetchers.models import Clock, Event, Source, counted
from fetchers.newsroom import Cycle, Newsroom
from fetchers.outages import REMIND_EVERY, FailureLog, host_port, named
from fetchers.parsepool import ParsePool
from fetchers.redact import PlainFormatter
from fetchers.store import ArticleStore

log = logging.getLogger("wirewatch")
FORMAT = "%(asctime)s %(levelname)s %(message)s"
QUIET_REPEATS = 60.0  # seconds a warning logged is not logged again, the same
QUIET_SUMMARY = 3600.0  # seconds of cycles with nothing new and no failure said in one line


def cycle_line(cycle: Cycle) -> str:
    """A cycle's log line: how many sources it polled, its new articles and the sources
    that brought them (the most first), its revisions, and the sources that failed."""
    results = cycle.results
    new = sorted(((r.source, len(r.new_ids)) for r in results if r.new_ids), key=lambda n: -n[1])
    revised = sum(len(r.revised_ids) for r in results)  # as `refresh` counts them
    failed = [r.source for r in results if r.status == "error"]
    said = [counted(len(cycle.new_ids), "new article")]
    if new:
        said[0] += f" ({named([f'{name} {count}' for name, count in new])})"
    if revised:
        said.append(f"{revised} revised")
    said.append(f"{len(failed)} failed" + (f" ({named(failed)})" if failed else ""))
    return f"polled {counted(len(results), 'source')}: {', '.join(said)}"


def has_news(cycle: Cycle) -> bool:
    """Whether a cycle brought new or revised articles, or its store refused them."""
    return bool(cycle.new_ids or cycle.store_error or any(r.revised_ids for r in cycle.results))


def span(seconds: float) -> str:
    """A quiet spell's length, in minutes up to two hours, then in hours."""
    minutes = int(seconds // 60)
    return counted(minutes, "minute") if minutes < 120 else counted(minutes // 60, "hour")


@dataclass(slots=True)
class QuietSpell:
    """The cycles since the last cycle line said that brought nothing and failed nothing."""

    since: float  # when the last line was said (monotonic)
    polls: int = 0
    failed: int = 0  # of those polls
    sources: set[str] = field(default_factory=set)


class QuietRepeats(logging.Filter):
    """Drop a warning or an error logged again, word for word, within QUIET_REPEATS seconds
    of the last time it was: a database away fails a poller's every call at once (its lease
    each second, each source's write), and its log said so hundreds of times a minute; it
    says each once a minute while it lasts."""

    def __init__(self) -> None:
        super().__init__()
        self._said: dict[tuple[str, int, str], float] = {}
        self._guard = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING or getattr(record, "each_its_own", False):
            return True  # (an alert line is news each time: `alerting.EACH_ITS_OWN`)
        key = (record.name, record.levelno, record.getMessage())
        now = time.monotonic()
        with self._guard:
            last = self._said.get(key)
            if last is not None and now - last < QUIET_REPEATS:
                return False
            if len(self._said) > 1000:  # (those past their quiet minute go)
                self._said = {k: t for k, t in self._said.items() if now - t < QUIET_REPEATS}
            self._said[key] = now
        return True


def setup_logging(log_file: Path | None) -> None:
    """Log to stderr, and to `log_file` too when given (reopened if logrotate moves it).

    Every handler formats through PlainFormatter, so no record (httpx's own included) carries
    a password or a server's escape sequences; httpx's per-request lines are not logged, nor
    a warning said again within a minute (`QuietRepeats`)."""
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(LogFileHandler(log_file, encoding="utf-8"))
    formatter = PlainFormatter(FORMAT)
    for handler in handlers:
        handler.setFormatter(formatter)
        handler.addFilter(QuietRepeats())  # (one each: each handler sees every record)
    logging.basicConfig(level=logging.INFO, handlers=handlers, force=True)
    for noisy in ("httpx", "httpcore", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    # each of its retries while a database is away, in its own words: the store says it once
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


class LogFileHandler(logging.handlers.WatchedFileHandler):
    """`poll --log`'s file: a write it refuses (a full disk) is said once on stderr, with
    the reason, not as a traceback per log line, and said again once it takes lines again
    (stderr has every line meanwhile)."""

    def __init__(self, filename: Path, encoding: str | None = None) -> None:
        super().__init__(filename, encoding=encoding)
        self._failing = False
        self._failed_now = False

    def emit(self, record: logging.LogRecord) -> None:
        self._failed_now = False
        try:
            self.reopenIfNeeded()  # (logrotate moved it: the old file's lines flushed first)
        except OSError:  # (they cannot be: let them go, and write where the log now is)
            self.handleError(record)
            with contextlib.suppress(OSError, ValueError):
                if self.stream is not None:
                    self.stream.close()
            self.stream = None  # (emit opens it again)
            with contextlib.suppress(OSError):
                self.stream = self._open()
                self._statstream()
        logging.FileHandler.emit(self, record)
        if self._failing and not self._failed_now:
            self._failing = False
            self._say(f"the log {self.baseFilename} is written again")

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 (logging's name)
        self._failed_now = True
        if self._failing:
            return
        self._failing = True
        exc = sys.exc_info()[1]
        why = (getattr(exc, "strerror", None) or str(exc)) if exc is not None else "unknown"
        self._say(
            f"cannot write the log {self.baseFilename} ({why}); "
            "its lines go to stderr only until it can"
        )

    @staticmethod
    def _say(message: str) -> None:
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.write(f"wirewatch: {message}\n")
            sys.stderr.flush()


def setup_command_logging() -> None:
    """A one-shot command's warnings (a source that failed unexpectedly, a parser that gave
    up) on stderr, through the same PlainFormatter as `poll`'s log."""
    handler = logging.StreamHandler()
    handler.setFormatter(PlainFormatter("wirewatch: %(message)s"))
    logging.basicConfig(level=logging.WARNING, handlers=[handler], force=True)
    for noisy in ("httpx", "httpcore", "hpack"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)  # (as `setup_logging`)


class PollService:
    """`wirewatch poll`: a writer newsroom run on schedule, with signals and a log."""

    def __init__(
        self,
        config: Config,
        store: ArticleStore,
        data_dir: Path,
        clock: Clock,
        parse_pool: ParsePool | None = None,
    ) -> None:
        self.clock = clock
        self.newsroom = Newsroom(config, store, data_dir, clock, parse_pool=parse_pool)
        self.newsroom.on_cycle(self._report)
        # the events whose time cannot be read, as last said; said again after a reload
        self._unreadable_said: set[str] = set()
        self.newsroom.on_reload(self._say_unreadable_again)
        self.stop = asyncio.Event()
        self._problems_said = 0  # of the store's problems, those logged
        self.monotonic: Callable[[], float] = time.monotonic  # (a test's own)
        self._quiet: QuietSpell | None = None  # None: no cycle said yet
        self.failures = FailureLog()
        self._servers: tuple[list[Source], dict[str, str]] | None = None  # (`_host_of`)
        if self.newsroom.poller is not None:  # (said here, as they start, change and end)
            self.newsroom.poller.say_failures = False

    @property
    def config(self) -> Config:
        return self.newsroom.config

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._stop_on, sig)
        loop.add_signal_handler(signal.SIGHUP, self.reload)
        log.info(
            "polling %s into %s (pid %s)",
            counted(len(self.config.sources), "source"),
            self.newsroom.store.location,
            os.getpid(),
        )
        alerts = asyncio.create_task(self._announce())
        try:
            await self.newsroom.run(self.stop)
        finally:
            self.stop.set()
            await alerts
            await self.newsroom.aclose()
            self._say_problems()
        log.info("stopped")

    def _stop_on(self, sig: signal.Signals) -> None:
        log.info("%s: finishing the write in flight, then stopping", sig.name)
        self.stop.set()

    def reload(self) -> None:
        """SIGHUP: read the config again; keep the running one if the new one is broken."""
        self.newsroom.reload_config("SIGHUP")

    def _say_problems(self) -> None:
        """Log what the store found wrong since the last time (a shard it moved aside, and
        where): a `refresh` prints it, a poller said only that a shard was unreadable."""
        problems = self.newsroom.store.problems
        for problem in problems[self._problems_said :]:
            log.warning("%s", problem)
        self._problems_said = len(problems)

    def _host_of(self, name: str) -> str:
        """The server of the config's source `name` ("" for a file, or one not known)."""
        sources = self.config.sources
        if self._servers is None or self._servers[0] is not sources:
            self._servers = (sources, {s.name: host_port(s.url) for s in sources if s.url})
        return self._servers[1].get(name, "")

    def _failures_of(self, name: str) -> int:
        """The failures in a row of source `name` as its health has them."""
        poller = self.newsroom.poller
        health = poller.health.get(name) if poller is not None else None
        return health.failures if health is not None else 1

    def say_failures(self) -> None:
        """Log the failures a throttle held back that are due now, and the reminder of
        those still failing when it is due (every second, and after each cycle): sources
        that joined an outage are said a minute after it, cycle or not."""
        now = self.monotonic()
        for level, line in self.failures.due(now):
            log.log(level, "%s", line)
        reminder = self.failures.reminder(now)
        if reminder is not None:
            log.warning("%s", reminder)

    def _report(self, cycle: Cycle) -> None:
        """Log the failures that started, changed or ended (`FailureLog`), then the cycle
        (`cycle_line`) if it brought news or any of those, or was the first: the others are
        summed up in one line once QUIET_SUMMARY has passed since the last line said (or
        REMIND_EVERY, if sources failed meanwhile), so a log that goes silent means a
        poller that stopped."""
        self._say_problems()
        now, quiet = self.monotonic(), self._quiet
        self.failures.forget(s.name for s in self.config.sources)
        lines = self.failures.cycle(cycle.results, self._host_of, self._failures_of, now)
        for level, line in lines:
            log.log(level, "%s", line)
        self.say_failures()
        if quiet is None or lines or has_news(cycle):
            log.info("%s", cycle_line(cycle))
            self._quiet = QuietSpell(now)
            return
        quiet.polls += len(cycle.results)
        quiet.failed += sum(r.status == "error" for r in cycle.results)
        quiet.sources.update(r.source for r in cycle.results)
        if quiet.failed and now - quiet.since >= REMIND_EVERY:
            log.info(
                "in %s: %s of %s, nothing new, %d failed",
                span(now - quiet.since),
                counted(quiet.polls, "poll"),
                counted(len(quiet.sources), "source"),
                quiet.failed,
            )
            self._quiet = QuietSpell(now)
        elif now - quiet.since >= QUIET_SUMMARY:
            log.info(
                "quiet for %s: %s of %s, nothing new, none failed",
                span(now - quiet.since),
                counted(quiet.polls, "poll"),
                counted(len(quiet.sources), "source"),
            )
            self._quiet = QuietSpell(now)

    def _say_unreadable_again(self, config: Config) -> None:
        """(A config read again.) Its events whose time cannot be read are said again."""
        self._unreadable_said = set()

    def _say_unreadable(self, events: list[Event]) -> None:
        """Log each event whose time cannot be read, as `wirewatch events` says it: at the
        start, as it appears (an edit, one added in the app) and after each reload. The
        countdown skipped it without a word in the log."""
        unread = [unreadable(event) for event in events if event.when is None]
        for said in unread:
            if said not in self._unreadable_said:
                # (said again after a reload within the minute: no repeat `QuietRepeats` drops)
                log.warning("%s", said, extra=EACH_ITS_OWN)
        self._unreadable_said = set(unread)

    async def _announce(self) -> None:
        """Log each countdown threshold an event crosses (1 day, 1 hour, 10 minutes, start),
        each event whose time cannot be read (`_say_unreadable`), and the failures due
        (`say_failures`)."""
        watch = AlertWatch()
        while not self.stop.is_set():
            events = await asyncio.to_thread(self.newsroom.events)
            self._say_unreadable(events)
            for alert in watch.check(events, self.clock()):
                log.warning("countdown: %s", alert.message)
            self.say_failures()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.stop.wait(), timeout=1.0)
