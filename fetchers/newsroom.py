"""The newsroom: one store, its poller, the named events and the source health, and the one
poll cycle every front end runs (`refresh`, `poll`, the dashboard as writer).

A cycle is poll → store → retention → the "articles added" hooks. Capabilities that react to
new articles (alerts, stories) register a hook here, once, instead of in each front end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from fetchers.alerting import AlertDesk
from fetchers.atomic import create_file, stat_signature
from fetchers.config import (
    Config,
    ConfigError,
    StoreConfig,
    load_config,
    seeds_dir,
    user_config_path,
)
from fetchers.config import data_dir as configured_data_dir
from fetchers.events import EventBook, EventBookError, in_countdown_order
from fetchers.healthbook import HealthBook
from fetchers.models import Clock, Event, PollResult, Source, SourceHealth, counted
from fetchers.parsepool import ParsePool
from fetchers.poller import Poller, PollProgress
from fetchers.store import ArticleStore, StoreError
from fetchers.store.interface import Backfiller
from fetchers.storybook import StoryDesk

log = logging.getLogger("wirewatch.newsroom")
BACKFILL_PACE = 4.0  # seconds of rest after each second a backfill batch took: a fifth of
# the time at most goes to it, the rest to the cycles (the server's share is paced with it)
BACKFILL_REST = 0.05  # the shortest rest between two batches
BACKFILL_RETRY = 60.0  # the rest after a batch the store refused (the server was away)
BACKFILL_WAIT = 10.0  # the longest a newsroom's end waits for the batch in flight
REFRESH_ASKED = "refresh-asked"  # a file in the data dir a viewer's `r` writes (`ask_refresh`)


@dataclass(slots=True)
class Cycle:
    """What one poll cycle did: each source's result, the new article ids in the order the
    sources were asked, and how many old articles retention removed."""

    # not in the repr: asyncio formats a finished task's result when it restores its signal
    # handlers, and ten thousand articles took 0.7 s to format
    results: list[PollResult] = field(repr=False)
    new_ids: list[str] = field(default_factory=list, repr=False)
    removed: int = 0
    # another title or summary, the source's new name (renamed in the config), or a pulled
    # mark given or taken off (`fetchers.pulled`): rows drawn again
    revised_ids: list[str] = field(default_factory=list, repr=False)
    # the same words at another link: the article moved there (no revision, `codec.moved`);
    # where it is shown, its link is read again
    moved_ids: list[str] = field(default_factory=list, repr=False)
    store_error: str | None = None
    renames: list[tuple[str, str]] = field(default_factory=list)  # (before, now) sources
    # when its poll ended: every article it stored was fetched before it, and every one a
    # later cycle stores at or after it (the alert desk keeps it once the cycle's check is
    # kept, and checks what came after it at a restart)
    polled: datetime | None = None
    # the sources left out because their servers asked to wait (Retry-After), each with
    # when that wait ends
    limited: dict[str, datetime] = field(default_factory=dict)

    @property
    def backlog_ids(self) -> list[str]:
        """The new articles of sources polled for the first time: their backlog."""
        return [i for r in self.results if r.first for i in r.new_ids]


Hook = Callable[[Cycle], None]


# a time every source's next poll has come by: `run`'s first cycle of every source
_EVERY_SOURCE = datetime.max.replace(tzinfo=UTC)


class Newsroom:
    """Owns what a cycle needs. A writer newsroom (the one process holding the store's lock)
    polls; any newsroom reads articles, events and health."""

    def __init__(
        self,
        config: Config,
        store: ArticleStore,
        data_dir: Path,
        clock: Clock,
        parse_pool: ParsePool | None = None,
        stories: StoryDesk | None = None,
    ) -> None:
        """`stories`: how the cycle's articles are grouped into stories (by default at
        once, in a thread; a dashboard paces it, a one-shot refresh of a big store defers
        the first grouping)."""
        self.config = config
        self.store = store
        self.clock = clock
        # the config file as it was read: one changed since (a source added by `wirewatch
        # add` in another terminal, an edit) is read again between cycles, as SIGHUP does;
        # a config made in memory, not read from its file, is not watched
        self._config_read = (config.path, config.stamp)
        # what a config read again cannot change before a restart: where the articles are
        # kept (the data dir, the [store]), and whose read marks a shared store keeps
        self._data_dir = data_dir
        self._dir_set = config.settings.data_dir  # (as the file says it)
        self._dir_by_config = _chosen_by_config(config, data_dir)
        self._store_config = config.store
        self._reloaded: list[Callable[[Config], None]] = []
        self._refused: list[Callable[[str], None]] = []  # told why a changed config was not
        # a viewer's `r` asks the writer of the data dir to poll every source now
        self._asked_file = data_dir / REFRESH_ASKED
        self._asked_stamp = stat_signature(self._asked_file)
        self.book = EventBook(data_dir, store)
        self._stored_events: list[Event] = []  # the events added in the app, as read last
        self.healthbook = HealthBook(data_dir, store)
        self.poller: Poller | None = (
            Poller(config, store, clock, parse_pool=parse_pool, health=self.healthbook)
            if store.is_writer
            else None
        )
        self._hooks: list[Hook] = []
        # the last cycle a stop cut short: the sources it finished with (a `refresh` stopped
        # by SIGTERM says what it did)
        self.cut_short: Cycle | None = None
        # the writer fires alert rules (fetchers/alerting.py) after each cycle, in a thread
        alerts = AlertDesk(config, store, data_dir, clock) if store.is_writer else None
        self.alerts = alerts
        if alerts is not None:
            self.on_cycle(
                lambda cycle: alerts.after_cycle(
                    cycle.new_ids, cycle.removed > 0, cycle.backlog_ids, cycle.polled
                )
            )
        # the writer's grouping into stories, read by the app; it reads the words of the
        # articles each write stores while the poll goes on
        self.story_desk = stories or StoryDesk(store, data_dir)
        self.on_cycle(self.story_desk.after_cycle)
        if self.poller is not None:
            self.poller.on_staged = self.story_desk.read_ahead
        if alerts is not None:  # then the spikes of the stories the cycle's articles joined
            story_desk = self.story_desk
            self.on_cycle(
                lambda cycle: alerts.after_grouping(
                    cycle.new_ids, story_desk, cycle.backlog_ids, cycle.polled
                )
            )

    # -- the cycle -------------------------------------------------------------------------
    def on_cycle(self, hook: Hook) -> None:
        """Call `hook` after every cycle, from the event loop (keep it quick; do slow work
        in a thread of its own). A hook that raises is logged and the others still run."""
        self._hooks.append(hook)

    def on_progress(self, hook: Callable[[PollProgress | None], None]) -> None:
        """Call `hook` as a cycle's poll goes on: as it starts, as its sources answer and
        after each write, then with None as it ends (`Poller.on_progress`); from the event
        loop (keep it quick). The one hook of a writer's poller; a viewer's newsroom polls
        nothing and ignores it."""
        if self.poller is not None:
            self.poller.on_progress = hook

    @property
    def health(self) -> dict[str, SourceHealth]:
        if self.poller is not None:
            return self.poller.health
        return self.healthbook.load()

    async def cycle(self, sources: list[Source] | None = None, carry: bool = False) -> Cycle:
        """Poll the given sources (default: every enabled one leased to this newsroom's
        poller) once, store what is new, apply retention, then run the hooks. `carry`: a
        running poller's cycle, which leaves the last few sources to a later one (`Poller.poll`)."""
        poller = self.require_poller()
        renamed, renames = await self._rename_sources(poller)
        retagged = await self._retag_sources(poller)
        # a poller's cycle carries its late sources into the next: their articles may be
        # fetched before this one ends, and stored after it (its mark is then its start)
        began = self.clock()
        try:
            results = await poller.poll(sources, carry=carry)
        except asyncio.CancelledError:
            # stopped mid-cycle (SIGTERM, a dashboard quit): what was written is new no more
            # at the next start, so its alerts and stories are due now, before the stop's
            # `aclose` lets the checks finish (they were lost for good)
            cut = poller.take_cut_short()
            self.cut_short = Cycle(
                cut,
                [i for r in cut for i in r.new_ids],
                revised_ids=[*renamed, *retagged, *_redrawn(cut)],
                moved_ids=[i for r in cut for i in r.moved_ids],
                renames=renames,
                polled=began if carry else self.clock(),
                limited=poller.take_limited(),
            )
            if any(r.new_ids or r.revised_ids for r in cut):
                self._run_hooks(self.cut_short)
            raise
        report = Cycle(
            results,
            [i for r in results for i in r.new_ids],
            revised_ids=[*renamed, *retagged, *_redrawn(results)],
            moved_ids=[i for r in results for i in r.moved_ids],
            renames=renames,
            polled=began if carry else self.clock(),
            limited=poller.take_limited(),
        )
        # (each source's error counts its own articles: said with its name)
        unstored = [f"{r.source}: {r.error or ''}" for r in results if r.unstored]
        report.store_error = unstored[0] if unstored else None
        days = self.config.settings.retention_days
        dropped: dict[str, str] = {}  # (filled as days go: a stop or an error keeps those)
        real = poller.real_clock() if self.config.clock_held else None
        try:
            report.removed = await asyncio.to_thread(
                self.store.apply_retention,
                days,
                self.clock(),
                poller.held_back(days),
                dropped,
                real,
            )
        except asyncio.CancelledError:  # stopped as retention ran: the poll's hooks still run
            self._run_hooks(report)
            raise
        except StoreError as exc:
            log.error("%s", exc)
            report.store_error = report.store_error or str(exc)
        if dropped:  # not news again while their feeds may list them (`keep_dropped`)
            await poller.keep_dropped(dropped)
        if report.removed:
            log.info(
                "retention: %s older than %s removed",
                counted(report.removed, "article"),
                counted(days, "day"),
            )
        self._run_hooks(report)
        return report

    def _run_hooks(self, report: Cycle) -> None:
        for hook in self._hooks:
            try:
                hook(report)
            except Exception:  # one capability never stops the cycle or the others
                log.exception("a hook after the poll cycle failed")

    async def _rename_sources(self, poller: Poller) -> tuple[list[str], list[tuple[str, str]]]:
        """Give the stored articles of each source the config renamed its new name, before
        the poll (whose health, saved after it, says the rename was done): one outlet under
        one name in its stories, first reports and `source:`. Every rename in one step (two
        names swapped take each other's: one at a time, the second took the first's
        articles too). Returns their ids, and the renames done."""
        renames = poller.take_renames()
        if not renames:
            return [], []
        try:
            ids = await asyncio.to_thread(self.store.rename_sources, dict(renames))
        except StoreError as exc:
            log.error("the articles of renamed sources keep their names for now: %s", exc)
            poller.renamed(renames, done=False)
            return list(getattr(exc, "stored", ())), []  # those renamed before it stopped
        poller.renamed(renames, done=True)
        for old, new in renames:
            log.info("%s: the stored articles of %s take its name", new, old)
        return ids, renames

    async def _retag_sources(self, poller: Poller) -> list[str]:
        """Give the stored articles of each source whose tags the config changed its tags
        now, before the poll (whose health, saved after it, says it was done): `tag:` finds
        a source's older articles by the tags it has now. Returns their ids."""
        retags = poller.take_retags()
        renaming = {new for _, new in poller.renames}  # renames the store refused: still due
        waiting = {name: retag for name, retag in retags.items() if name in renaming}
        if waiting:  # (their articles under the old name: none would be found, for good)
            poller.retagged(waiting, done=False)
            retags = {name: retag for name, retag in retags.items() if name not in waiting}
        if not retags:
            return []
        try:
            ids = await asyncio.to_thread(self.store.retag_sources, retags)
        except StoreError as exc:
            log.error("the articles of sources whose tags changed keep theirs for now: %s", exc)
            poller.retagged(retags, done=False)
            return list(getattr(exc, "stored", ()))
        poller.retagged(retags, done=True)
        for name, (_, tags) in retags.items():
            shown = ", ".join(tags) or "none"
            log.info("%s: its stored articles take its tags now (%s)", name, shown)
        return ids

    async def run(self, stop: asyncio.Event, tick: float = 1.0, at_once: bool = False) -> None:
        """Run a cycle whenever sources are due, until `stop` is set; never two polls of
        one source at once. When `stop` is set mid-cycle, fetches still in flight are dropped;
        a store write already started finishes in its thread. `at_once`: the first cycle
        polls every source, due or not (a refresh asked for as polling starts)."""
        poller = self.require_poller()
        halt = asyncio.Event()
        filling = asyncio.create_task(self._backfill(halt))
        try:
            async with poller.beating():  # viewers see this writer at work between cycles too
                await self._run(poller, stop, tick, at_once)
        finally:
            halt.set()
            # the batch in flight commits in its thread, then it stops (its statements time
            # out on a server gone quiet; a quit never waits longer than BACKFILL_WAIT)
            await asyncio.wait({filling}, timeout=BACKFILL_WAIT)

    async def _backfill(self, halt: asyncio.Event) -> None:
        """Beside the cycles, bring the rows an older wirewatch stored up to what this one
        writes (a store that upgraded without writing them all at once, `Backfiller`): a
        batch at a time in a thread, never in this loop, resting BACKFILL_PACE times as long
        as each took; until none is left or `halt` is set."""
        store = self.store
        if not isinstance(store, Backfiller) or not store.is_writer:
            return
        loop = asyncio.get_running_loop()
        done = 0
        while not halt.is_set():
            began = loop.time()
            try:
                rows = await asyncio.to_thread(store.backfill)
            except StoreError as exc:
                log.warning("%s; tried again later", exc)
                rest = BACKFILL_RETRY
            except Exception:  # never the poller's end: the rows keep their old ways
                log.exception("articles stored before the upgrade could not be brought up to date")
                return
            else:
                if not rows:
                    if done:
                        log.info("%d articles stored before the upgrade brought up to date", done)
                    return
                done += rows
                rest = max(BACKFILL_REST, BACKFILL_PACE * (loop.time() - began))
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(halt.wait(), timeout=rest)

    async def _run(self, poller: Poller, stop: asyncio.Event, tick: float, at_once: bool) -> None:
        while not stop.is_set():
            if self.config_changed():  # read in a thread, taken here
                why = "the config file changed"
                config = await asyncio.to_thread(self.read_config, why)
                if config is not None:
                    self.take_config(config, why)
            await poller.lease()  # renewed, and the sources other pollers let go taken
            # (not beside a cycle under way, a dashboard's `r`: its end takes them, and its
            # feeds' answers would give back the validators forgotten here)
            lost = poller.store.has_lost and not poller.polling
            if lost and await poller.recover_lost():
                log.warning("every source is polled now, for the articles of the lost shard")
                at_once = True
            if self._refresh_asked():
                log.info("a viewer asked for every source now")
                at_once = True
            due = poller.due(_EVERY_SOURCE if at_once else self.clock())
            at_once = False
            if due or poller.carried_answered():  # (a source an earlier cycle left out)
                cycle = asyncio.create_task(self.cycle(due, carry=True))
                stopped = asyncio.create_task(stop.wait())
                await asyncio.wait({cycle, stopped}, return_when=asyncio.FIRST_COMPLETED)
                stopped.cancel()
                if not cycle.done():
                    cycle.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await cycle
                    break
                if cycle.exception() is not None:  # logged; the schedule goes on
                    log.error("the poll cycle failed: %r", cycle.exception())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=tick)

    def require_poller(self) -> Poller:
        if self.poller is None:
            raise StoreError("this newsroom reads a store another process writes; it cannot poll")
        return self.poller

    # -- events ------------------------------------------------------------------------------
    def events(self) -> list[Event]:
        """The config's events, then those added in the app; while those cannot be read (the
        file broken, the database away), the ones read last (a countdown emptied by a
        database restart said "No events")."""
        try:
            stored = self.book.load()
        except EventBookError as exc:
            log.warning("%s", exc)
            stored = self._stored_events
        else:
            self._stored_events = stored
        return in_countdown_order([*self.config.events, *stored], self.clock())

    # -- life -------------------------------------------------------------------------------
    def on_reload(self, hook: Callable[[Config], None]) -> None:
        """Call `hook` with each config read again and taken (`take_config`), from the thread
        that took it (a screen hands it to its own); once, however often it is given."""
        if hook not in self._reloaded:
            self._reloaded.append(hook)

    def on_config_refused(self, hook: Callable[[str], None]) -> None:
        """Call `hook` with why a changed config file cannot be read (the running config is
        kept): a screen says so, where a poller's log line reaches no one; once, however
        often it is given."""
        if hook not in self._refused:
            self._refused.append(hook)

    def ask_refresh(self) -> bool:
        """(A viewer.) Ask the writer of this data dir to poll every source at its next look
        (within a second); False where the store's writers may be on other hosts
        (`keeps_desk`: they poll on their own) or the data dir cannot be written."""
        if self.store.keeps_desk:
            return False
        try:
            with open(create_file(self._asked_file, os.O_WRONLY | os.O_TRUNC), "w") as asked:
                asked.write(f"{os.getpid()}\n")
        except OSError:
            return False
        return True

    def _refresh_asked(self) -> bool:
        """Whether a viewer asked for a refresh since the last look (`ask_refresh`)."""
        stamp = stat_signature(self._asked_file)
        if stamp is None or stamp == self._asked_stamp:
            return False
        self._asked_stamp = stamp
        return True

    def _config_file(self) -> Path:
        """The file the config is read from again: the one read, unless that is the embedded
        default and a user config has appeared since (`wirewatch add` writes its first source
        to a copy of the default there)."""
        path = self.config.path
        with contextlib.suppress(OSError, ConfigError):  # (ConfigError: no home to look in)
            if path.resolve().parent == seeds_dir().resolve():
                user = user_config_path()
                if user.is_file():
                    return user
        return path

    def config_changed(self) -> bool:
        """Whether the config file changed since it was read (a stat: cheap enough to ask
        every second); never for a config not read from a file."""
        path, stamp = self._config_read
        if stamp is None:
            return False
        now = self._config_file()
        return now != path or stat_signature(now) not in (None, stamp)

    def read_config(self, why: str) -> Config | None:
        """The config read again (any thread), or None when it is broken (logged, and the
        running one kept: the file is not read again until it changes once more). `why`
        starts the log line ("SIGHUP")."""
        path = self._config_file()
        self._config_read = (path, stat_signature(path))
        try:
            return load_config(path, self.clock(), self.config.clock_held)
        except ConfigError as exc:
            log.error("%s: config not reloaded, keeping the running one: %s", why, exc)
            problem = str(exc)
        except Exception as exc:  # never the poller's end
            log.exception("%s: config not reloaded, keeping the running one", why)
            problem = f"{path}: {type(exc).__name__}: {exc}"
        for hook in self._refused:
            try:
                hook(problem)
            except Exception:  # a front end's trouble never stops the poller
                log.exception("a hook on a config that cannot be read failed")
        return None

    def take_config(self, config: Config, why: str) -> None:
        """Take a config read again (`reconfigure`), then tell the front ends. A poller's is
        taken in its event loop's thread, where SIGHUP's and the cycles run, one at a time."""
        self._config_read = (config.path, config.stamp)
        polled_before = sum(1 for source in self.config.sources if source.enabled)
        if polled_before and not any(source.enabled for source in config.sources):
            # (a file emptied mid-save, or every source disabled: taken all the same)
            config.notes.append(
                f"{config.path}: names no source to poll, where the running config polled"
                f" {polled_before}: nothing is polled until it names one again"
            )
        config.notes.extend(self._restart_notes(config))  # (said by the front ends too)
        self.reconfigure(config)
        log.info("%s: config reloaded, %s", why, counted(len(config.sources), "source"))
        for note in config.notes:
            log.warning("%s", note)
        for hook in self._reloaded:
            try:
                hook(config)
            except Exception:  # a front end's trouble never stops the poller
                log.exception("a hook after the config was read again failed")

    def _restart_notes(self, config: Config) -> list[str]:
        """What `config` changes that this process cannot take before a restart, each with
        what holds until then: where the articles are kept (a reload that moved the data
        dir was taken without a word, the poller writing the folder it started with, and a
        dashboard opened then was a second writer of the new one) and whose read marks a
        shared store keeps. Said at every reload while it differs from the start."""
        notes: list[str] = []
        where = config.path
        setting = config.settings.data_dir
        if self._dir_by_config:
            named = _configured(config)
            if named is not None and not _same_dir(named, self._data_dir):
                notes.append(
                    f"{where}: settings.data_dir changed (now {named}): it takes effect after"
                    f" a restart; until then the articles are kept in {self._data_dir}"
                )
        elif setting != self._dir_set:
            named = _configured(config) if setting else None
            notes.append(
                f"{where}: settings.data_dir changed (now {named or 'unset'}), but --data-dir"
                f" or $WIREWATCH_DATA chose where this process keeps the articles"
                f" ({self._data_dir}), before the config, and does again at a restart while"
                " given"
            )
        started, store = self._store_config, config.store
        if _store_place(store) != _store_place(started):  # (its DSN never said: a password)
            notes.append(
                f"{where}: [store] changed: it takes effect after a restart; until then the"
                f" articles are kept in {self.store.location}"
            )
        elif store.backend == "postgresql" and store.reader != started.reader:
            notes.append(
                f"{where}: settings.reader changed: whose read marks the store keeps changes"
                " after a restart"
            )
        return notes

    def reload_config(self, why: str) -> bool:
        """Read the config again and take it; False when it is broken (kept as it was)."""
        config = self.read_config(why)
        if config is None:
            return False
        self.take_config(config, why)
        return True

    def reconfigure(self, config: Config) -> None:
        """Take a reloaded config between cycles (SIGHUP); kept sources keep their health."""
        self.config = config
        if self.poller is not None:
            self.poller.reconfigure(config)
        if self.alerts is not None:
            self.alerts.reconfigure(config)

    async def aclose(self) -> None:
        """Drop queued full-text fetches, close the HTTP client, let the story grouping and
        the alert checks under way finish (the store stays open: whoever opened it closes
        it)."""
        if self.poller is not None:
            await self.poller.aclose()
        # the last grouping saved first: the alerts on its stories wait for it
        await asyncio.to_thread(self.story_desk.close)
        if self.alerts is not None:  # the last cycle's alerts checked and sent, within a bound
            await asyncio.to_thread(self.alerts.close)


def _redrawn(results: list[PollResult]) -> list[str]:
    """The stored articles whose rows a cycle's polls changed: revised, or given or taken
    a pulled mark."""
    return [i for r in results for i in (*r.revised_ids, *r.pulled_ids)]


def _configured(config: Config) -> Path | None:
    """Where `config` keeps the articles when no --data-dir is given (or $WIREWATCH_DATA);
    None when there is no home to keep them in."""
    try:
        return configured_data_dir(None, config)
    except ConfigError:
        return None


def _chosen_by_config(config: Config, data_dir: Path) -> bool:
    """Whether `config` chose `data_dir` (its data_dir setting, else the user data dir), not
    --data-dir or $WIREWATCH_DATA: a change of the setting then moves it at a restart."""
    if os.environ.get("WIREWATCH_DATA"):
        return False
    named = _configured(config)
    return named is not None and _same_dir(named, data_dir)


def _same_dir(one: Path, other: Path) -> bool:
    return one.resolve() == other.resolve()


def _store_place(store: StoreConfig) -> tuple[str, str | None]:
    """Where a [store] keeps the articles: its backend and, for a server, its DSN."""
    return store.backend, store.resolved_dsn() if store.backend == "postgresql" else None
