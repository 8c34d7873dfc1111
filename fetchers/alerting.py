"""Firing alerts: the writer checks every rule against each cycle's new articles, keeps what
fired in the history, and hands desktop and webhook deliveries to their queues.

The newsroom calls `AlertDesk.after_cycle` from its cycle hook; the work runs in one thread of
the desk's own, cycle after cycle in order, so a poll never waits for it. A rule fires once per
article (the history remembers across restarts) and never for an article fetched before the
rule existed: a config rule exists from the first time a writer ran with it (kept in
alerts-state.json), a rule added in the app from when it was added. A check that could not be
kept (a full disk) is done again at the next cycle, and what a stop left unchecked (a kill
after the cycle's articles were stored) at the next start: the state keeps when the poll of the
last cycle whose check was kept ended, and the articles stored since are checked again (but
those of that second the check read, when they are all that was stored in it).

Rules are checked against the article as it is stored: its title, summary, source, tags and
marks (a full text fetched after the cycle is not read again for alerts), every rule at once
through `fetchers.batchmatch`.

Once the cycle's articles are grouped into stories (the newsroom's story desk, in a thread),
the same thread checks the rules that ask the stories (`story:`, `outlets:>=3`) against them,
and the stories they joined against their own baseline: a story fires once per spike
(`[settings] story_spikes`).
"""

from __future__ import annotations

import hashlib
import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
from fetchers.alertrules import (
    AlertRule,
    RuleBook,
    RuleBookError,
    all_rules,
    asks_stories,
    source_gone,
    webhook_format,
)
from fetchers.atomic import atomic_write_bytes
from fetchers.batchmatch import BatchIndex, WordPlan
from fetchers.heap import collector_paused
from fetchers.http import DEFAULT_USER_AGENT
from fetchers.models import BACKLOG_AFTER, Clock, from_utc_iso, in_a_backlog, utc_iso
from fetchers.notify import (
    PER_RULE,
    Post,
    RulePosts,
    WebhookSender,
    delivery_key,
    per_cycle,
    per_rule,
    send_desktop,
    summary_of,
    webhook_request,
)
from fetchers.query import (
    STORY_FIELDS,
    Query,
    QueryError,
    StoryFacts,
    parse_query,
)
from fetchers.store import ArticleStore, StoreError
from fetchers.store.errors import note_unsaved, write_refused
from fetchers.storyshelf import StoryShelf
from fetchers.timeparse import local_zone
from fetchers.trends import (
    BASELINE_HOURS,
    MAX_HOURS,
    SPIKE_FLOOR,
    HourCounts,
    hour_start,
    hourly_counts,
    spike_verdict,
    story_counts,
    story_query,
    story_spike,
    watch_query,
)

if TYPE_CHECKING:
    from concurrent.futures import Future

    from fetchers.story import Story
    from fetchers.storybook import StoryBook, StoryDesk

log = logging.getLogger("wirewatch.alerts")
# a log record's mark that it is news of its own, never a repeat to quieten (`QuietRepeats`):
# an alert line for a second article of the same headline and source is a second alert
EACH_ITS_OWN = {"each_its_own": True}
STATE_FILE = "alerts-state.json"
CHUNK = 2_000  # articles read and indexed at a time
WATCH_NOTIFY = ("terminal",)  # where a watch term's or a story's spike goes
STORY_ALERT = "story"  # the alert name of a story's spike (its title names the story)
CHANGING_FIELDS = ("since", "before", *STORY_FIELDS)  # a query with these is parsed anew
UNCHECKED_MOST = 20_000  # articles whose check failed kept to check again, the newest
# of a source's first poll (its backlog), what fires: what it published in the last hour; an
# article it gives no date fires nothing (a feed added to the desk paged it with its archive)
BACKLOG_FIRES = 3600.0


@dataclass(slots=True)
class AlertState:
    """alerts-state.json: when each rule was first seen by a writer, and the hour each
    term last spiked (a story: the last hour it was seen above its line)."""

    seen: dict[str, str] = field(default_factory=dict)
    spikes: dict[str, str] = field(default_factory=dict)
    # the articles of a check that could not be done or kept (the history unreadable, a full
    # disk), checked again at the next: by the rules asking the stories too (`grouped`)
    unchecked: list[str] = field(default_factory=list)
    grouped: list[str] = field(default_factory=list)
    # the undated articles of sources' first polls, each with the hour it was fetched in:
    # that is all their time says, and they are left out of the counts of every hour a
    # spike's series reads (the running hour's, then its baseline's) and of every span the
    # views draw (`_forget_unhoured`), the newest kept
    unhoured: dict[str, str] = field(default_factory=dict)
    # the articles stored while the app's rules could not be read by a process that never
    # read them (a `refresh` beside a broken alerts.json): checked by those rules once they
    # read, the config's and the terms having checked them then
    app_unchecked: list[str] = field(default_factory=list)
    # when the poll ended of the last cycle whose check was kept (UTC, to the second): an
    # article fetched since may have been stored by a poller stopped before its check was
    # kept (a kill, a full disk), and is checked at the next start; by the rules asking the
    # stories, since `grouped_checked`
    checked: str = ""
    grouped_checked: str = ""
    # the articles fetched in the mark's second that the checks which set it read (a digest
    # of their ids, `_ids_digest`): stored times are whole seconds, so the articles of that
    # second are read back at the next start; when they are all that is stored in it, they
    # were checked, and are not read again (a cold refresh's last second held thousands)
    checked_read: str = ""
    grouped_checked_read: str = ""


def _forget_unhoured(state: AlertState, now: datetime) -> bool:
    """Let go of the undated backlog of hours no series shows any more, and of the oldest
    past UNCHECKED_MOST; True when any went. Kept for the longest span `trends` draws
    (MAX_HOURS), not only a spike's baseline: `undated_backlog` leaves them out of the views
    too, and a day after a feed was added its archive drew a burst in its first poll's hour."""
    oldest = utc_iso(hour_start(now) - timedelta(hours=MAX_HOURS - 1)) or ""
    kept = {i: h for i, h in state.unhoured.items() if h >= oldest}
    if len(kept) > UNCHECKED_MOST:
        kept = dict(sorted(kept.items(), key=lambda item: item[1])[-UNCHECKED_MOST:])
    changed = len(kept) != len(state.unhoured)
    state.unhoured = kept
    return changed


def _with_deferred(deferred: list[str], ids: list[str]) -> list[str]:
    """The articles deferred (`AlertDesk._defer`), then these, each once."""
    return list(dict.fromkeys([*deferred, *ids])) if deferred else ids


def _changes(query: Query) -> bool:
    """Whether the clock or the stories change a query's answer (it is parsed anew)."""
    return any(t.field in CHANGING_FIELDS for clause in query.clauses for t in clause)


def _forget_old_story_spikes(state: AlertState, recent: set[str]) -> bool:
    """Drop the stories last above their line before the previous hour (their spike is
    over); True when any went."""
    old = [k for k, hour in state.spikes.items() if k.startswith("story:") and hour not in recent]
    for key in old:
        del state.spikes[key]
    return bool(old)


def _load_state(path: Path) -> AlertState:
    try:
        data = orjson.loads(path.read_bytes())
    except FileNotFoundError:
        return AlertState()
    except (OSError, orjson.JSONDecodeError) as exc:
        log.warning("%s cannot be read (%s): rules count as new from now", path, exc)
        return AlertState()
    if not isinstance(data, dict):
        return AlertState()
    seen = data.get("seen")
    spikes = data.get("spikes")
    seen = seen if isinstance(seen, dict) else {}
    spikes = spikes if isinstance(spikes, dict) else {}
    return AlertState(
        {str(k): str(v) for k, v in seen.items()},
        {str(k): str(v) for k, v in spikes.items()},
        _ids_of(data.get("unchecked")),
        _ids_of(data.get("grouped")),
        _hours_of(data.get("unhoured")),
        _ids_of(data.get("app_unchecked")),
        str(data.get("checked") or ""),
        str(data.get("grouped_checked") or ""),
        str(data.get("checked_read") or ""),
        str(data.get("grouped_checked_read") or ""),
    )


def _ids_digest(ids: Collection[str]) -> str:
    """The digest of a set of article ids (`AlertState.checked_read`); "" for none."""
    if not ids:
        return ""
    return hashlib.blake2b(orjson.dumps(sorted(ids)), digest_size=16).hexdigest()


def undated_backlog(data_dir: Path) -> frozenset[str]:
    """The undated articles of sources' first polls, which the writer's spike checks count
    in no hour (`AlertState.unhoured`): `trends` and the alerts view leave them out too, or
    they drew a spike that never fired."""
    path = data_dir / STATE_FILE
    if not path.exists():
        return frozenset()
    return frozenset(_load_state(path).unhoured)


def _hours_of(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}


def _ids_of(value: object) -> list[str]:
    return [str(i) for i in value if isinstance(i, str)] if isinstance(value, list) else []


def fired_key(rule: str, article: str | None, at: datetime) -> tuple[str, str]:
    """The (rule, article or spike hour) pair a store shared by pollers records for what
    fired (`ArticleStore.fire_once`): a match once per article, a spike once in its hour."""
    return rule, article or f"spike {utc_iso(hour_start(at)) or ''}"


def fired_in(data_dir: Path, entries: Iterable[AlertEntry]) -> list[tuple[str, str]]:
    """What a data dir's writer fired, as `fired_key` says it: each of these entries of its
    history, and the hour each term and story last spiked in (`alerts-state.json`: a story
    above its line in the hour before fires no spike while it stays there). A store that
    records them fires none of them again, whichever host's data dir checks its articles."""
    keys = [fired_key(e.rule, e.article, e.at) for e in entries if e.kind != "match" or e.article]
    path = data_dir / STATE_FILE
    spikes = _load_state(path).spikes if path.exists() else {}
    keys += [(key, f"spike {hour}") for key, hour in spikes.items() if hour]
    return list(dict.fromkeys(keys))


@dataclass(slots=True, frozen=True)
class Watched:
    """A rule or a watch term, as one check sees it."""

    key: str
    name: str
    query_text: str
    query: Query
    notify: tuple[str, ...]
    rule: AlertRule | None = None  # None: a watch term (it only spikes)
    created: datetime | None = None  # a rule: articles fetched before this never fire


@dataclass(slots=True)
class Firing:
    """What one check fired, and what it sent where."""

    entries: list[AlertEntry] = field(default_factory=list)
    desktop: int = 0
    webhooks: int = 0
    quiet: int = 0  # deliveries dropped by quiet hours


class AlertDesk:
    """The writer's alerts: rules from the config and the app, checked after every cycle."""

    def __init__(
        self,
        config: Any,  # fetchers.config.Config (not imported: the config imports the rules)
        store: ArticleStore,
        data_dir: Path,
        clock: Clock,
        sender: WebhookSender | None = None,
        desktop: Callable[[AlertEntry], bool] = send_desktop,
    ) -> None:
        self.store = store
        self.dir = Path(data_dir)
        self.clock = clock
        self.history = AlertHistory(self.dir, writer=True, store=store)
        self.book = RuleBook(self.dir, store)
        self.sender = sender or WebhookSender(user_agent=config.settings.user_agent)
        self.desktop = desktop
        self._work: queue.SimpleQueue[Callable[[], object]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pending = 0  # cycles queued or being checked
        self._showing: list[threading.Thread] = []  # desktop notifications being shown
        self._desktop_left = 0  # notifications handed to them and not shown yet
        # what the last `close` said was left unshown or unsent (`unsent_said` of the sender)
        self.unsent_said: list[str] = []
        self._done = threading.Condition()
        self._parsed: dict[str, Query] = {}  # the watch terms' queries (fixed)
        self._stored: tuple[object, list[AlertRule], set[str]] | None = None  # alerts.json
        # as last read: its stat, its rules, the muted config rules (read again on change)
        self._word_plan: WordPlan | None = None
        self._said: set[str] = set()  # the problems of the rules logged already
        self._unreadable: str | None = None  # why the app's rules could not be read, if so
        self._never_read = False  # and this process never read them: `check` keeps articles
        self._hour_counts = HourCounts()  # each term's whole hours, read once
        self._rules_seen: dict[str, datetime] = {}  # a config rule -> when first seen here
        # the articles of checks not done or kept (`_defer`), held here too: the state file
        # that keeps them may be refused by the same full disk as the history
        self._held: list[str] = []
        self._held_grouped: list[str] = []
        # whether this process looked for the articles stored since the last check kept
        # (`_stored_unchecked`), for each kind of check; and whether the first is queued
        self._looked_back = False
        self._looked_back_grouped = False
        self._start_queued = False
        # the mark this process's checks last set, with the articles of its second they read
        # (`_read_in_mark`), for each kind of check: a next check that sets the same mark adds
        # its own to them
        self._marked: tuple[str, frozenset[str]] | None = None
        self._marked_grouped: tuple[str, frozenset[str]] | None = None
        self.reconfigure(config)

    def reconfigure(self, config: Any) -> None:
        """Take a (reloaded) config: the rules new in it exist from now on for this writer;
        those it had before keep the time they were first seen (a reload that changed no
        rule, SIGHUP from a log rotation, dated a rule not yet checked to after the cycle
        under way, whose alerts it then never fired). The times are set first: the desk's
        thread, which reads the config and then them, can then never date a new rule back
        to before it existed (it may only date an old one later)."""
        now, seen = self.clock(), self._rules_seen
        self._rules_seen = {rule.key: seen.get(rule.key, now) for rule in config.alerts}
        self._config_seen_at = now
        self.zone = local_zone(config.settings.timezone)
        self.sender.user_agent = config.settings.user_agent or DEFAULT_USER_AGENT
        # alerts.json's rules are read again, and checked, in the new zone; as read last
        # meanwhile, should the file not read (a log rotation's SIGHUP beside a half-saved edit)
        stored = self._stored
        self._stored = None if stored is None else (None, stored[1], stored[2])
        self.config = config

    # -- the cycle hook ---------------------------------------------------------------------
    def after_cycle(
        self,
        new_ids: list[str],
        removed: bool = False,
        backlog: Iterable[str] = (),
        polled: datetime | None = None,
    ) -> None:
        """Queue a cycle's new articles for the desk's thread (returns at once); `removed`:
        its retention dropped articles, whose alerts the history drops too (a cycle with
        nothing new trims it as well: `alerts` listed deleted articles); `backlog`: those of
        sources polled for the first time (`BACKLOG_FIRES`); `polled`: when its poll ended.
        A process's first cycle is checked even with nothing new (it looks for what a stop
        left unchecked), as is one after a check that could not be kept (`_defer`)."""
        starting, held = not self._start_queued, bool(self._held)
        if not new_ids and not removed and not starting and not held:
            return
        self._start_queued = True
        ids, first = list(new_ids), frozenset(backlog)
        self._expect()

        def work() -> None:
            if ids or starting or held:
                self.check(ids, first, polled)
            if removed:  # (a check that fires nothing keeps the history as it is)
                self._trim()

        self._work.put(work)

    def _trim(self) -> None:
        """(In the desk's thread.) Drop the history of the days retention dropped."""
        try:
            self.history.append([], self.clock(), self.config.settings.retention_days)
        except HistoryError as exc:
            log.error("%s: the alerts of removed articles stay listed", exc)

    def after_grouping(
        self,
        new_ids: list[str],
        stories: StoryDesk,
        backlog: Iterable[str] = (),
        polled: datetime | None = None,
    ) -> None:
        """(On the event loop, after the story desk's hook.) Once the cycle's articles are
        grouped, queue `check_grouped` (returns at once)."""
        grouping = stories.running
        if grouping is None:  # (a cycle with nothing new still checks what others stored)
            return
        ids, book, first = list(new_ids), stories.book, frozenset(backlog)
        self._expect()  # counted now: `close` waits for the grouping's check too

        def grouped(done: Future[list[str]]) -> None:
            """The cycle's articles and any other poller's this one grouped with them."""
            taken = [] if done.cancelled() or done.exception() is not None else done.result()
            both = list(dict.fromkeys([*ids, *taken]))
            self._work.put(lambda: self.check_grouped(both, book, first, polled))

        grouping.add_done_callback(grouped)

    def _expect(self) -> None:
        """One more check is coming: count it, and start the desk's thread."""
        with self._done:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wirewatch-alerts", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        while True:
            task = self._work.get()
            try:
                task()
            except Exception:  # the next cycle's alerts still fire
                log.exception("checking the alert rules failed")
            finally:
                with self._done:
                    self._pending -= 1
                    self._done.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued cycle has been checked; True when it has."""
        with self._done:
            return self._done.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Finish the queued checks, and show and send what waits for the desktop and the
        webhooks, within `timeout` each; what could not be is said (a warning), not lost
        without a word."""
        self.wait_idle(timeout)
        deadline = time.monotonic() + timeout
        self.sender.drain(timeout)
        for shower in self._showing:
            shower.join(max(0.0, deadline - time.monotonic()))
        with self._done:
            left = self._desktop_left
        said: list[str] = []
        if left > 0:
            plural = "" if left == 1 else "s"
            said.append(f"desktop: {left} notification{plural} not shown: wirewatch stopped first")
            log.warning("%s", said[-1])
        self.sender.unsent_said.clear()
        self.sender.close()
        self.unsent_said = said + self.sender.unsent_said

    # -- checking ---------------------------------------------------------------------------
    def rules(self, now: datetime) -> list[AlertRule]:
        """The config's rules and the app's: alerts.json is read (and its rules checked)
        again only when it has changed; rules a store keeps (every host's, in PostgreSQL) are
        read at each check, since another host may have changed them."""
        version: object = None
        if self.book.store is None:
            try:
                found = self.book.path.stat()
                version = (found.st_mtime_ns, found.st_size, found.st_ino)
            except OSError:
                pass
        cached = self._stored  # once: `reconfigure` may empty it from another thread
        if cached is None or cached[0] != version or version is None:
            try:
                stored, muted, problems = self.book.load_with_problems(
                    now, self.zone, getattr(self.config, "alerts", [])
                )
            except RuleBookError as exc:
                # the app's rules as read last, while they cannot be read again (none when
                # they never were: `check` keeps the articles for them, `app_unchecked`)
                self._unreadable = str(exc)
                self._never_read = cached is None
                if str(exc) not in self._said:
                    self._said.add(str(exc))
                    log.warning("%s", exc)
                _, stored, muted = cached if cached is not None else (None, [], set())
                return all_rules(list(getattr(self.config, "alerts", [])), stored, muted)
            self._unreadable = None
            sources = [s.name for s in getattr(self.config, "sources", [])]
            for rule in all_rules(list(getattr(self.config, "alerts", [])), stored, muted):
                gone = None if rule.muted else source_gone(rule, sources)
                if gone is not None:  # (a source renamed since: the rule went dead unsaid)
                    problems.append(f"alert rule {rule.name!r}: {gone.said()}")
            for problem in problems:  # each rule refused, named (the file keeps it as it is)
                if problem not in self._said:  # (once: a store's rules are read every check)
                    self._said.add(problem)
                    log.warning("%s", problem)
            cached = self._stored = (version, stored, muted)
        else:  # (the file as read last: readable)
            self._unreadable = None
        _, stored, muted = cached
        return all_rules(list(getattr(self.config, "alerts", [])), stored, muted)

    def _begin(self) -> tuple[datetime, AlertState, set[tuple[str, str]]] | None:
        """A check's now, the alert state and the (rule, article) pairs already fired; None
        when the history cannot be read (the cycle's articles are checked next time)."""
        now = self.clock()
        state = _load_state(self.dir / STATE_FILE)
        try:
            fired = self.history.fired()
        except HistoryError as exc:
            log.error("%s: alerts not checked this cycle; they are next time", exc)
            return None
        for problem in self.history.problems:  # a torn last line, lines that do not read
            log.warning("%s", problem)
        self.history.problems = []
        return now, state, fired

    @collector_paused()  # its thousands of short-lived objects would set off full collections
    def check(
        self, new_ids: list[str], backlog: Collection[str] = (), polled: datetime | None = None
    ) -> Firing:
        """Check every rule against these newly stored articles (those asking the stories
        wait for `check_grouped`), keep and deliver what fires, then look for spikes among
        the terms they mention. Runs in the desk's thread
        (tests and the benchmark call it directly). The articles are read CHUNK at a time,
        so a first refresh of 100,000 never holds them all. `polled`: when the poll that
        stored them ended (each was fetched before it, and a later poll's after), kept once
        the check is (`AlertState.checked`)."""
        begun = self._begin()
        if begun is None:
            self._defer(self._news_of(new_ids, backlog))
            return Firing()
        now, state, fired = begun
        deferred = _with_deferred(state.unchecked, self._held)
        self._held = []
        state_changed = bool(state.unchecked)
        state.unchecked = []
        # the rules asking the stories wait for the grouping (`check_grouped`)
        watched, changed = self._watched(now, state)
        state_changed |= changed
        if not watched:  # nothing to check for: no look back (the mark moves on: nothing
            self._looked_back = True  # went unchecked, and a rule added later looks back
            # from here, not from the last time one was watched)
        elif not self._looked_back:
            looked = self._stored_unchecked(
                state.checked, state.checked_read, [*deferred, *new_ids]
            )
            self._looked_back = looked is not None
            polled = polled if looked is not None else None  # (the mark stays: looked next)
            found, old = looked or ([], set())
            if found:
                deferred = _with_deferred(deferred, found)
                backlog = {*backlog, *old}
                state_changed = True
        new_ids = _with_deferred(deferred, new_ids)
        late: list[str] = []  # stored while the app's rules could not be read: now they are
        if self._unreadable is not None and self._never_read:
            news = self._news_of(new_ids, backlog)
            state.app_unchecked = _with_deferred(state.app_unchecked, news)[-UNCHECKED_MOST:]
            state_changed |= bool(news)
        elif self._unreadable is None and state.app_unchecked:
            # (one checked in this cycle anyway, deferred again by a failed write, is not
            # checked twice: it would fire twice)
            checking = set(new_ids)
            late = [i for i in state.app_unchecked if i not in checking]
            state.app_unchecked, state_changed = [], True
        if not watched:  # no rule and no watch term: only a backlog is read, for which of
            # it is undated (a story's series leaves those out too: `_story_spikes`)
            state_changed |= self._note_undated(new_ids, backlog, state, now)
            self._save_checked(state, state_changed, polled)
            return Firing()
        state_changed |= _forget_unhoured(state, now)
        undated = len(state.unhoured)
        pending, counts = self._match(
            watched, new_ids, self._plan(watched), fired, now, backlog, state.unhoured
        )
        state_changed |= len(state.unhoured) != undated
        app = [w for w in watched if w.rule is not None and w.rule.origin != "config"]
        if late and app:  # (their matches only: they were counted for spikes when stored)
            pending.extend(self._match(app, late, self._plan(app), fired, now)[0])
        spiked_before = dict(state.spikes)
        spikes, spikes_changed = self._spikes(watched, counts, new_ids, state, now)
        pending.extend(spikes)
        rules = {w.key: w.rule for w in watched if w.rule is not None}
        # kept (the history's lines written) before the state says so: a stop between the
        # two checks these articles again at the next start, and the history fires none twice
        firing, kept = self._keep(pending, rules, now, state=state)
        if not kept:  # a spike not kept is not said to have fired: it fires at the next
            state.spikes = spiked_before
        changed = state_changed or spikes_changed or not kept
        self._save_checked(state, changed, polled if kept else None, read=new_ids)
        return firing

    def _save_checked(
        self,
        state: AlertState,
        changed: bool,
        polled: datetime | None,
        grouped: bool = False,
        read: Collection[str] = (),
    ) -> None:
        """Save the state when it changed, or when a kept check moves its mark (`polled`),
        with those of the articles it `read` (checked) that were fetched in the mark's
        second (`AlertState.checked_read`)."""
        if polled is not None and not self.config.clock_held:  # (a clock held by --now,
            # in the future, kept the mark there for good; forward only: one held in the past
            # moved it back, and the next start read back a year)
            mark = utc_iso(polled) or ""
            was = state.grouped_checked if grouped else state.checked
            if was <= mark:
                digest = self._read_in_mark(mark, read, grouped)
                if grouped and (was, state.grouped_checked_read) != (mark, digest):
                    state.grouped_checked, state.grouped_checked_read = mark, digest
                    changed = True
                elif not grouped and (was, state.checked_read) != (mark, digest):
                    state.checked, state.checked_read, changed = mark, digest, True
        if changed:
            self._save_state(state)

    def _read_in_mark(self, mark: str, read: Collection[str], grouped: bool) -> str:
        """The digest of the articles fetched in the second of `mark` among those a kept
        check `read`, and among those this process's earlier checks setting the same mark
        read: every one of them was checked (another process's, not known here, are left
        out: then the next start reads that second's all, as it did before)."""
        since = from_utc_iso(mark)
        inside: set[str] = set()
        if since is not None and read:
            try:
                inside.update(self.store.fetched_in_second(read, since.timestamp()))
            except StoreError as exc:  # (the next start reads that second's articles again)
                log.info("%s: the articles of the last check are read again at the next", exc)
        before = self._marked_grouped if grouped else self._marked
        if before is not None and before[0] == mark:
            inside |= before[1]
        marked = (mark, frozenset(inside))
        if grouped:
            self._marked_grouped = marked
        else:
            self._marked = marked
        return _ids_digest(inside)

    def _stored_unchecked(
        self, mark: str, read: str, checking: list[str]
    ) -> tuple[list[str], set[str]] | None:
        """(A process's first check.) The articles stored since the poll of the last cycle
        whose check was kept ended (`mark`; none without one), less `checking`, and less
        those of the mark's second when they are the ones its checks read (`read`: their
        digest, `AlertState.checked_read`; another process may have stored more in that
        second, whose check was lost, and then all of that second's are taken), with those
        of them to be taken as a backlog: an article whose source had none stored in the
        day before its poll (a first poll, or the first after a day unread: what
        `PollResult.first` said is not kept, and a source quiet for a day is taken as one).
        An article checked already fires nothing twice (the history has its alerts); the
        newest UNCHECKED_MOST are taken. None when the store cannot say (looked for again at
        the next check)."""
        since = from_utc_iso(mark) if mark else None
        if since is None:
            return [], set()
        start = since.timestamp()
        try:
            stored = self.store.fetched_since(start - BACKLOG_AFTER)
        except StoreError as exc:
            log.error("%s: the articles stored before this start are checked next time", exc)
            return None
        skip = set(checking)
        if read:
            end = start + 1
            in_mark = [ident for ident, _, fetched in stored if start <= fetched < end]
            if _ids_digest(in_mark) == read:
                skip.update(in_mark)
        polls: dict[str, list[float]] = {}  # each source's fetch times
        found: list[tuple[float, str, str]] = []
        for ident, source, fetched in stored:
            polls.setdefault(source, []).append(fetched)
            if fetched >= start and ident not in skip:
                found.append((fetched, ident, source))
        if not found:
            return [], set()
        for times in polls.values():
            times.sort()
        found.sort()
        found = found[-UNCHECKED_MOST:]
        old: set[str] = set()
        for fetched, ident, source in found:
            if in_a_backlog(polls[source], fetched):
                old.add(ident)
        log.info(
            "%d articles stored since %s, whose alerts a stop may have left unchecked, are"
            " checked now",
            len(found),
            mark,
        )
        return [ident for _, ident, _ in found], old

    def _note_undated(
        self, ids: list[str], backlog: Collection[str], state: AlertState, now: datetime
    ) -> bool:
        """(A check with nothing watched, which `_match` does not read.) Add the undated
        articles of a `backlog` among `ids` to `state.unhoured`, as `_match` does, reading
        only the backlog; True when the state changed."""
        changed = _forget_unhoured(state, now)
        listed = [i for i in ids if i in backlog and i not in state.unhoured]
        hour = utc_iso(hour_start(now)) or ""
        for first in range(0, len(listed), CHUNK):
            for record in self.store.records(listed[first : first + CHUNK]):
                if record.published is None:
                    state.unhoured[record.id] = hour
                    changed = True
        return changed

    def _match(
        self,
        watched: list[Watched],
        new_ids: list[str],
        plan: WordPlan,
        fired: set[tuple[str, str]],
        now: datetime,
        backlog: Collection[str] = (),
        unhoured: dict[str, str] | None = None,
    ) -> tuple[list[dict[str, Any]], dict[str, list[int]]]:
        """The match entries of the rules among these articles (read CHUNK at a time), and
        each rule's or term's matches per hour of a spike's series. Of a `backlog` (sources'
        first polls) only what was published in the last `BACKLOG_FIRES` fires, and what it
        does not date joins `unhoured` (the articles not counted, with their hour)."""
        recent = now.timestamp() - BACKLOG_FIRES
        hour = utc_iso(hour_start(now)) or ""
        skipped: dict[str, str] = unhoured if unhoured is not None else {}
        hours = BASELINE_HOURS + 1  # a spike's series: the running hour and its baseline
        pending: list[dict[str, Any]] = []
        fresh: set[tuple[str, str]] = set()  # fired by this check (an id handed over twice)
        counts: dict[str, list[int]] = {}
        for first in range(0, len(new_ids), CHUNK):
            records = self.store.records(new_ids[first : first + CHUNK])
            if backlog and unhoured is not None:
                for record in records:
                    if record.published is None and record.id in backlog:
                        skipped[record.id] = hour
            batch = BatchIndex(records, plan)
            for term in watched:
                hits = batch.matches(term.query)
                if not hits:
                    continue
                counted = [r.when for r in hits if r.id not in skipped]
                per_hour = hourly_counts(counted, now, hours)
                if term.key in counts:
                    per_hour = [a + b for a, b in zip(counts[term.key], per_hour, strict=True)]
                counts[term.key] = per_hour
                if term.rule is None or term.created is None:
                    continue
                cutoff = term.created.timestamp()
                if term.rule.origin == "config":  # it began as this process did: to the
                    # second, as stored times are (an article fetched in that second is new)
                    cutoff = math.floor(cutoff)
                key, name, notify = term.key, term.name, term.notify
                for record in hits:
                    ident = record.id
                    pair = (key, ident)
                    if pair in fired or pair in fresh:
                        continue
                    fetched = record.fetched
                    if fetched is not None and fetched < cutoff:
                        continue  # stored before the rule existed
                    if ident in backlog and (record.published or 0.0) < recent:
                        continue  # a new source's archive, or undated: not news
                    fresh.add(pair)
                    pending.append(
                        {
                            "alert": name,
                            "rule": key,
                            "kind": "match",
                            "article": ident,
                            "title": record.title,
                            "source": record.source,
                            "at": now,
                            "link": record.link,
                            "notify": notify,
                        }
                    )
        return pending, counts

    def _watched(
        self,
        now: datetime,
        state: AlertState,
        stories: StoryFacts | None = None,
        rules: list[AlertRule] | None = None,
    ) -> tuple[list[Watched], bool]:
        """Without `stories`: the rules in force that do not ask the stories, and the watch
        terms; with them, the rules that do (`story:` and `outlets:` answered by `stories`).
        True when a rule was new to the state. Each query is parsed at most once a cycle,
        and one that asks neither the time nor the stories only when its rule is made."""
        watched: list[Watched] = []
        parsed: dict[str, Query] = {}
        state_changed = False
        for rule in self.rules(now) if rules is None else rules:
            if rule.muted or asks_stories(rule) != (stories is not None):
                continue
            query = self._parse(rule.query, now, parsed, stories, rule.parsed)
            if isinstance(query, QueryError):  # a since: that overflows now, say
                log.warning("alert %s: %s", rule.name, query)
                continue
            created, new_rule = self._created(rule, state)
            state_changed |= new_rule
            watched.append(
                Watched(rule.key, rule.name, rule.query, query, rule.notify, rule, created)
            )
        if stories is not None:
            return watched, state_changed
        for term in self.config.watch_terms:
            text = watch_query(term)
            query = self._parse(text, now, parsed, None, self._parsed.get(text))
            if not isinstance(query, QueryError):
                watched.append(Watched(f"watch:{term}", term, text, query, WATCH_NOTIFY))
        self._parsed = parsed  # the terms no longer watched are let go
        return watched, state_changed

    def _plan(self, watched: list[Watched]) -> WordPlan:
        """The batch index's plan for these rules' and terms' queries: the last cycle's
        when they are the same (their patterns are not built again)."""
        queries = [w.query for w in watched]
        if self._word_plan is None or not self._word_plan.matches_all(queries):
            self._word_plan = WordPlan(queries)
        return self._word_plan

    def _parse(
        self,
        text: str,
        now: datetime,
        parsed: dict[str, Query],
        stories: StoryFacts | None,
        made: Query | None,
    ) -> Query | QueryError:
        """The query of `text` for this check: `made` (as its rule was made, or the last
        check's) when neither the clock nor the stories change it, else parsed now (once:
        `parsed` holds what this check parsed)."""
        query = parsed.get(text)
        if query is None and made is not None and not _changes(made):
            query = made
        if query is None:
            try:
                query = parse_query(text, now, self.zone, stories)
            except QueryError as exc:
                return exc
        parsed[text] = query
        return query

    @staticmethod
    def _fired_keys(pending: list[dict[str, Any]], now: datetime) -> list[tuple[str, str]]:
        """The (rule, article or spike hour) pair of each entry, as `fire_once` records it."""
        return [fired_key(p["rule"], p["article"], now) for p in pending]

    def _first_to_fire(self, pending: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        """What no other poller of the store fired already: a store shared by several
        pollers records each (rule, article) pair, and each term's spike hour, once.
        StoreError when the store cannot record them."""
        if not pending:
            return pending
        keys = self._fired_keys(pending, now)
        first = self.store.fire_once(keys)
        if len(first) == len(keys):  # every one (a store with one writer, say)
            return pending
        return [p for p, key in zip(pending, keys, strict=True) if key in first]

    def _created(self, rule: AlertRule, state: AlertState) -> tuple[datetime, bool]:
        """When the rule began to exist for alerts, and whether it is new to the state."""
        if rule.origin == "store" and rule.created is not None:
            return rule.created, False
        seen = state.seen.get(rule.key)
        if seen:
            try:
                when = from_utc_iso(seen)
            except ValueError:
                when = None
            if when is not None:
                return when, False
        born = self._rules_seen.get(rule.key, self._config_seen_at)
        state.seen[rule.key] = utc_iso(born) or ""
        return born, True

    def _spikes(
        self,
        watched: list[Watched],
        counts: dict[str, list[int]],
        new_ids: list[str],
        state: AlertState,
        now: datetime,
    ) -> tuple[list[dict[str, Any]], bool]:
        """A spike entry for each term this batch mentioned in the running hour whose count
        there has reached its threshold; once per term per hour. `counts`: each term's
        matches per hour among the batch, which is not read again for its series; of the
        other articles only the running hour's are read (`HourCounts`)."""
        hour = utc_iso(hour_start(now)) or ""
        mentioned = [w for w in watched if w.key in counts and counts[w.key][-1]]
        due = [term for term in mentioned if state.spikes.get(term.key) != hour]
        if not due:  # (its mentions in closed hours still count in the baselines kept)
            self._hour_counts.note(counts, now)
            return [], False
        plan = self._word_plan or WordPlan(term.query for term in watched)
        terms = [(term.key, term.query_text, term.query) for term in due]
        every = [(term.key, term.query_text, term.query) for term in watched]
        handed = {*new_ids, *state.unhoured}  # (those not counted: not read either)
        rows = self._hour_counts.series(self.store, terms, plan, counts, handed, now, every)
        out: list[dict[str, Any]] = []
        for term, row in zip(due, rows, strict=True):
            verdict = spike_verdict(row)
            if not verdict.spike:
                continue
            state.spikes[term.key] = hour
            out.append(
                {
                    "alert": term.name,
                    "rule": term.key,
                    "kind": "spike",
                    "article": None,
                    "title": f"{term.name}: {verdict.current} mentions this hour"
                    f" (usually {verdict.mean:.1f} an hour)",
                    "source": None,
                    "at": now,
                    "link": None,
                    "notify": term.notify,
                }
            )
        return out, bool(out)

    @collector_paused()
    def check_grouped(
        self,
        new_ids: list[str],
        book: StoryBook,
        backlog: Collection[str] = (),
        polled: datetime | None = None,
    ) -> Firing:
        """Once these new articles are grouped into stories (by `book`): the rules that ask
        the stories (`story:`, `outlets:`) against them, then the spikes of the stories they
        joined (`[settings] story_spikes`). Runs in the desk's thread (tests call it).
        `polled`: as `check`'s (`AlertState.grouped_checked`)."""
        if not new_ids and self._looked_back_grouped and not self._held_grouped:
            return Firing()
        begun = self._begin()
        if begun is None:
            self._defer(self._news_of(new_ids, backlog), grouped=True)
            return Firing()
        now, state, fired = begun
        deferred = _with_deferred(state.grouped, self._held_grouped)
        self._held_grouped = []
        changed = bool(state.grouped)
        state.grouped = []
        spikes = self.config.settings.story_spikes
        in_force = self.rules(now)  # read once: a store that keeps them is asked each time
        asking = any(asks_stories(r) for r in in_force if not r.muted)
        if not spikes and not asking:  # nothing to check for: as `check`
            self._looked_back_grouped = True
        elif not self._looked_back_grouped:
            looked = self._stored_unchecked(
                state.grouped_checked, state.grouped_checked_read, [*deferred, *new_ids]
            )
            self._looked_back_grouped = looked is not None
            polled = polled if looked is not None else None
            found, old = looked or ([], set())
            if found:
                deferred = _with_deferred(deferred, found)
                backlog = {*backlog, *old}
        new_ids = _with_deferred(deferred, new_ids)
        if not new_ids or (not spikes and not asking):
            self._save_checked(state, changed, polled, grouped=True)
            return Firing()
        # with no rule asking the stories, only those that can reach a spike's floor are made
        stories = book.stories_with(self.store, new_ids, least=0 if asking else SPIKE_FLOOR)
        shelf = StoryShelf(stories)  # what `story:` and `outlets:` ask of these articles
        rules, ruled = self._watched(now, state, shelf, in_force)
        changed |= ruled
        pending: list[dict[str, Any]] = []
        if rules:
            pending, _counts = self._match(
                rules, new_ids, WordPlan(w.query for w in rules), fired, now, backlog
            )
        spiked_before = dict(state.spikes)
        if spikes:
            found_spikes, spiked = self._story_spikes(stories, state, now)
            pending += found_spikes
            changed |= spiked
        watched = {w.key: w.rule for w in rules if w.rule is not None}
        firing, kept = self._keep(pending, watched, now, grouped=True, state=state)
        if not kept:  # (as `check`)
            state.spikes = spiked_before
        self._save_checked(
            state, changed or not kept, polled if kept else None, grouped=True, read=new_ids
        )
        return firing

    def _story_spikes(
        self, stories: list[Story], state: AlertState, now: datetime
    ) -> tuple[list[dict[str, Any]], bool]:
        """A spike entry for each of these stories that two or more outlets carry this hour
        whose articles this hour reach its own line (`fetchers.trends`), once per spike: not again
        while it stays above the line hour after hour; True when the state changed."""
        hour = hour_start(now)
        this_hour, last_hour = utc_iso(hour) or "", utc_iso(hour - timedelta(hours=1)) or ""
        changed = _forget_old_story_spikes(state, {this_hour, last_hour})
        out: list[dict[str, Any]] = []
        # one outlet's run of articles (a live page, say) is no story moving, and a story of
        # fewer articles than the floor of every line cannot reach its own (most of a cycle's)
        several = [s for s in stories if s.outlets >= 2 and len(s.articles) >= SPIKE_FLOOR]
        # the undated backlog counts in no hour, as in a watch term's series (`check`, which
        # runs before this one, kept which it is: `_match` or `_note_undated`)
        counted = story_counts(several, self.store, now, BASELINE_HOURS + 1, state.unhoured)
        for story, counts in zip(several, counted, strict=True):
            spike = story_spike(story, counts, self.store, now, state.unhoured)
            if not spike.fires:  # (the rule a drawn story row reads too)
                continue
            verdict, outlets = spike.verdict, spike.outlets
            key = story_query(story.id)
            going_on = state.spikes.get(key) in (this_hour, last_hour)
            if state.spikes.get(key) != this_hour:
                state.spikes[key] = this_hour
                changed = True
            if going_on:
                continue
            out.append(
                {
                    "alert": STORY_ALERT,
                    "rule": key,
                    "kind": "spike",
                    "article": None,
                    "title": f"{story.title}: {verdict.current} articles this hour from"
                    f" {outlets} outlets (usually {verdict.mean:.1f} an hour)",
                    "source": None,
                    "at": now,
                    "link": None,
                    "notify": WATCH_NOTIFY,
                }
            )
        return out, changed

    def _keep(
        self,
        pending: list[dict[str, Any]],
        rules: dict[str, AlertRule],
        now: datetime,
        grouped: bool = False,
        state: AlertState | None = None,
    ) -> tuple[Firing, bool]:
        """Append what fired (and no other poller fired first) to the history, then deliver
        it; and whether it was kept. What the history does not take is checked again at the
        next check (`_defer`: into `state`, which the caller saves, when given)."""
        try:
            pending = self._first_to_fire(pending, now)
        except StoreError as exc:
            if write_refused(exc):
                note_unsaved("fired alerts")
            log.error("%s: %d alerts not fired; checked again next time", exc, len(pending))
            self._defer([p["article"] for p in pending if p["article"]], grouped, state)
            return Firing(), False
        if not pending:
            return Firing(), True
        try:
            entries = self.history.append(pending, now, self.config.settings.retention_days)
        except HistoryError as exc:
            note_unsaved("alert history")
            log.error("%s: %d alerts not kept; checked again next time", exc, len(pending))
            try:  # recorded as fired, they would be another poller's from now on: not fired
                self.store.unfire(self._fired_keys(pending, now))
            except StoreError as taken:
                log.error("%s: those alerts will not fire again", taken)
            self._defer([p["article"] for p in pending if p["article"]], grouped, state)
            return Firing(), False
        firing = Firing(entries)
        self._deliver(firing, rules, now)
        return firing, True

    def _news_of(self, ids: list[str], backlog: Collection[str]) -> list[str]:
        """These articles less those of a `backlog` that would not fire (`BACKLOG_FIRES`):
        what is deferred is checked again as news, no longer known as backlog."""
        if not backlog:
            return ids
        recent = self.clock().timestamp() - BACKLOG_FIRES
        old = set()
        listed = [i for i in ids if i in backlog]
        for first in range(0, len(listed), CHUNK):
            for record in self.store.records(listed[first : first + CHUNK]):
                if (record.published or 0.0) < recent:
                    old.add(record.id)
        return [i for i in ids if i not in old]

    def _defer(
        self, ids: list[str], grouped: bool = False, state: AlertState | None = None
    ) -> None:
        """Keep articles whose check could not be done or kept, to be checked at the next
        (a history that could not be read or written lost their alerts for good: they were
        no longer new): held in memory, for this process's next check, and in the state file
        (saved here unless the caller's `state` is given), so a next `refresh` checks them
        too, should the disk take it; the newest UNCHECKED_MOST are kept."""
        if not ids:
            return
        if grouped:
            self._held_grouped = _with_deferred(self._held_grouped, ids)[-UNCHECKED_MOST:]
        else:
            self._held = _with_deferred(self._held, ids)[-UNCHECKED_MOST:]
        saving = state is None
        state = _load_state(self.dir / STATE_FILE) if state is None else state
        kept = state.grouped if grouped else state.unchecked
        kept[:] = _with_deferred(kept, ids)[-UNCHECKED_MOST:]
        if saving:
            self._save_state(state)

    def _save_state(self, state: AlertState) -> None:
        data: dict[str, Any] = {"seen": state.seen, "spikes": state.spikes}
        if state.unchecked:
            data["unchecked"] = state.unchecked
        if state.grouped:
            data["grouped"] = state.grouped
        if state.unhoured:
            data["unhoured"] = state.unhoured
        if state.app_unchecked:
            data["app_unchecked"] = state.app_unchecked
        if state.checked:
            data["checked"] = state.checked
        if state.grouped_checked:
            data["grouped_checked"] = state.grouped_checked
        if state.checked_read:
            data["checked_read"] = state.checked_read
        if state.grouped_checked_read:
            data["grouped_checked_read"] = state.grouped_checked_read
        try:
            atomic_write_bytes(self.dir / STATE_FILE, orjson.dumps(data))
        except OSError as exc:
            note_unsaved("alert state")
            log.error("%s: cannot write (%s)", self.dir / STATE_FILE, exc.strerror or exc)

    # -- delivery ---------------------------------------------------------------------------
    def _deliver(self, firing: Firing, rules: dict[str, AlertRule], now: datetime) -> None:
        """Log the entries (a headless `poll` shows them), then desktop and webhook: at most
        PER_RULE of each per rule and cycle, the rest in one summary; of the desktop's, at
        most CYCLE_NOTICES across rules, then how many more (`per_cycle`); the webhooks' as
        one batch for each URL, so every rule that fired reaches its hook (`submit_cycle`);
        nothing is delivered in quiet hours."""
        # a rule's matches and its spike apart: a spike summed up in "and 1 more articles"
        # would never be seen
        by_rule: dict[tuple[str, str], list[AlertEntry]] = {}
        for entry in firing.entries:
            by_rule.setdefault((entry.rule, entry.kind), []).append(entry)
        desktop: list[AlertEntry] = []
        hooks: dict[str, list[RulePosts]] = {}  # a URL's posts of the cycle, rule by rule
        for (key, _), entries in by_rule.items():
            # (each an alert of its own, logged however like the last: `EACH_ITS_OWN`)
            for entry in entries[:PER_RULE]:
                log.warning(
                    "alert %s (%s): %s%s",
                    entry.alert,
                    entry.kind,
                    entry.title,
                    f" [{entry.source}]" if entry.source else "",
                    extra=EACH_ITS_OWN,
                )
            if len(entries) > PER_RULE:
                log.warning(
                    "alert %s: and %d more",
                    entries[0].alert,
                    len(entries) - PER_RULE,
                    extra=EACH_ITS_OWN,
                )
            rule = rules.get(key)
            wants = set(entries[0].notify)
            if not wants & {"desktop", "webhook"}:
                continue
            if rule is not None and rule.quiet is not None and rule.quiet.holds(now, self.zone):
                firing.quiet += len(entries)
                log.info("alert %s: quiet hours, %d not sent", entries[0].alert, len(entries))
                continue
            if "desktop" in wants:
                desktop.extend(entries)
            if "webhook" in wants and rule is not None and rule.webhook:
                url, share = _rule_posts(rule.webhook, webhook_format(rule), entries)
                hooks.setdefault(url, []).append(share)
        for url, shares in hooks.items():
            firing.webhooks += self.sender.submit_cycle(url, shares)
        desktop = per_cycle(desktop)
        if desktop:
            firing.desktop = len(desktop)
            with self._done:
                self._desktop_left += len(desktop)
            shower = threading.Thread(
                target=self._show_desktop, args=(desktop,), name="wirewatch-desktop", daemon=True
            )
            self._showing = [t for t in self._showing if t.is_alive()] + [shower]
            shower.start()

    def _show_desktop(self, entries: list[AlertEntry]) -> None:
        for at, entry in enumerate(entries):
            shown = self.desktop(entry)
            with self._done:
                self._desktop_left -= 1 if shown else len(entries) - at
            if not shown:  # notify-send missing or failing: no point trying the rest
                said = (
                    f"desktop: {len(entries) - at} notification(s) not shown (notify-send"
                    " missing or failing)"
                )
                self.sender.failures.note(said)  # for a dashboard; logged for poll, refresh
                log.warning("%s", said)
                return


def _rule_posts(hook: str, fmt: str, entries: list[AlertEntry]) -> tuple[str, RulePosts]:
    """(URL to post to, a rule's posts of the cycle there): `per_rule` of its `entries`
    (of one kind), and the one post sent for them all when the hook is behind."""

    def post(entry: AlertEntry) -> Post:
        url, body = webhook_request(hook, fmt, entry)
        return Post(url, body, delivery_key(entry), entry.alert)

    posts = [post(entry) for entry in per_rule(entries)]
    first = entries[0]
    if len(entries) == 1:
        digest = posts[0]
    else:
        title = f"{len(entries)} new articles (the hook is behind), the first: {first.title}"
        digest = post(summary_of(first, title))
    return digest.url, RulePosts(first.alert, posts, digest)
