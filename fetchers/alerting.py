"""Firing alerts: the writer checks every rule against each cycle's new articles, keeps what
fired in the history, and hands desktop and webhook deliveries to their queues.

The newsroom calls `AlertDesk.after_cycle` from its cycle hook; the work runs in one thread of
the desk's own, cycle after cycle in order, so a poll never waits for it. A rule fires once per
article (the history remembers across restarts) and never for an article fetched before the
rule existed: a config rule exists from the first time a writer ran with it (kept in
alerts-state.json), a rule added in the app from when it was added.

Rules are checked against the article as it is stored: its title, summary, source, tags and
marks (a full text fetched after the cycle is not read again for alerts), every rule at once
through `fetchers.batchmatch`.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
from fetchers.alertrules import (
    AlertRule,
    RuleBook,
    RuleBookError,
    all_rules,
    webhook_format,
)
from fetchers.atomic import atomic_write_bytes
from fetchers.batchmatch import BatchIndex
from fetchers.models import from_utc_iso, utc_iso
from fetchers.notify import WebhookSender, send_desktop, webhook_request
from fetchers.query import Query, QueryError, parse_query
from fetchers.store import ArticleStore, StoreError
from fetchers.timeparse import local_zone
from fetchers.trends import BASELINE_HOURS, hour_start, series, spike_verdict, watch_query, window

log = logging.getLogger("wirewatch.alerts")
STATE_FILE = "alerts-state.json"
PER_RULE = 5  # desktop and webhook deliveries of one rule in one cycle; the rest in one summary
WATCH_NOTIFY = ("terminal",)  # where a watch term's spike goes
Clock = Callable[[], datetime]


@dataclass(slots=True)
class AlertState:
    """alerts-state.json: when each rule was first seen by a writer, and the hour each
    term last spiked."""

    seen: dict[str, str] = field(default_factory=dict)
    spikes: dict[str, str] = field(default_factory=dict)


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
        {str(k): str(v) for k, v in seen.items()}, {str(k): str(v) for k, v in spikes.items()}
    )


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
        self.history = AlertHistory(self.dir, store)
        self.book = RuleBook(self.dir)
        self.sender = sender or WebhookSender(user_agent=config.settings.user_agent)
        self.desktop = desktop
        self._work: queue.SimpleQueue[list[str]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pending = 0  # cycles queued or being checked
        self._done = threading.Condition()
        self.reconfigure(config)

    def reconfigure(self, config: Any) -> None:
        """Take a (reloaded) config: its rules exist from now on for this writer."""
        self.config = config
        self.zone = local_zone(config.settings.timezone)
        self._config_seen_at = self.clock()

    # -- the cycle hook ---------------------------------------------------------------------
    def after_cycle(self, new_ids: list[str]) -> None:
        """Queue a cycle's new articles for the desk's thread (returns at once)."""
        if not new_ids:
            return
        with self._done:
            self._pending += 1
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="wirewatch-alerts", daemon=True
                )
                self._thread.start()
        self._work.put(list(new_ids))

    def _run(self) -> None:
        while True:
            ids = self._work.get()
            try:
                self.check(ids)
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
        """Finish the queued checks and send what waits for a webhook, within `timeout`."""
        self.wait_idle(timeout)
        self.sender.drain(timeout)
        self.sender.close()

    # -- checking ---------------------------------------------------------------------------
    def rules(self, now: datetime) -> list[AlertRule]:
        try:
            stored, muted = self.book.load(now, self.zone)
        except RuleBookError as exc:
            log.warning("%s", exc)
            stored, muted = [], set()
        return all_rules(list(getattr(self.config, "alerts", [])), stored, muted)

    def check(self, new_ids: list[str]) -> Firing:
        """Check every rule against these newly stored articles, keep and deliver what
        fires, then look for spikes among the terms they mention. Runs in the desk's thread
        (tests and the benchmark call it directly)."""
        now = self.clock()
        state = _load_state(self.dir / STATE_FILE)
        state_changed = False
        try:
            fired = {(e.rule, e.article) for e in self.history.load() if e.kind == "match"}
        except HistoryError as exc:
            log.error("%s: alerts not checked this cycle", exc)
            return Firing()
        watched: list[Watched] = []
        for rule in self.rules(now):
            if rule.muted:
                continue
            try:
                query = parse_query(rule.query, now, self.zone)
            except QueryError as exc:  # a since: that overflows now, say
                log.warning("alert %s: %s", rule.name, exc)
                continue
            created, new_rule = self._created(rule, state)
            state_changed |= new_rule
            watched.append(
                Watched(rule.key, rule.name, rule.query, query, rule.notify, rule, created)
            )
        for term in self.config.watch_terms:
            text = watch_query(term)
            try:
                query = parse_query(text, now, self.zone)
            except QueryError:
                continue
            watched.append(Watched(f"watch:{term}", term, text, query, WATCH_NOTIFY))
        if not watched:  # no rule and no watch term: nothing to read the articles for
            return Firing()
        records = self.store.records(new_ids)
        batch = BatchIndex(records, [w.query for w in watched])
        this_hour = hour_start(now).timestamp()
        pending: list[dict[str, Any]] = []
        mentioned: list[Watched] = []
        for term in watched:
            hits = batch.matches(term.query)
            if any(r.when >= this_hour for r in hits):
                mentioned.append(term)
            if term.rule is None or term.created is None:
                continue
            cutoff = term.created.timestamp()
            for record in hits:
                if (term.key, record.id) in fired:
                    continue
                if record.fetched is not None and record.fetched < cutoff:
                    continue  # stored before the rule existed
                fired.add((term.key, record.id))
                pending.append(
                    {
                        "alert": term.name,
                        "rule": term.key,
                        "kind": "match",
                        "article": record.id,
                        "title": record.title,
                        "source": record.source,
                        "at": now,
                        "link": record.link,
                        "notify": term.notify,
                    }
                )
        spikes, spikes_changed = self._spikes(mentioned, state, now)
        pending.extend(spikes)
        if state_changed or spikes_changed:
            self._save_state(state)
        pending = self._first_to_fire(pending, now)
        if not pending:
            return Firing()
        try:
            entries = self.history.append(pending, now, self.config.settings.retention_days)
        except HistoryError as exc:
            log.error("%s: %d alerts not kept", exc, len(pending))
            return Firing()
        firing = Firing(entries)
        self._deliver(firing, {w.key: w.rule for w in watched if w.rule is not None}, now)
        return firing

    def _first_to_fire(self, pending: list[dict[str, Any]], now: datetime) -> list[dict[str, Any]]:
        """What no other poller of the store fired already: a store shared by several
        pollers records each (rule, article) pair, and each term's spike hour, once."""
        if not pending:
            return pending
        hour = utc_iso(hour_start(now)) or ""
        keys = [(p["rule"], p["article"] or f"spike {hour}") for p in pending]
        try:
            first = self.store.fire_once(keys)
        except StoreError as exc:
            log.error("%s: %d alerts not fired", exc, len(pending))
            return []
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
        state.seen[rule.key] = utc_iso(self._config_seen_at) or ""
        return self._config_seen_at, True

    def _spikes(
        self, mentioned: list[Watched], state: AlertState, now: datetime
    ) -> tuple[list[dict[str, Any]], bool]:
        """A spike entry for each term this batch mentioned in the running hour whose count
        there has reached its threshold; once per term per hour."""
        hour = utc_iso(hour_start(now)) or ""
        due = [term for term in mentioned if state.spikes.get(term.key) != hour]
        if not due:
            return [], False
        hours = BASELINE_HOURS + 1
        rows = series(window(self.store, now, hours), [t.query for t in due], now, hours)
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

    def _save_state(self, state: AlertState) -> None:
        data = {"seen": state.seen, "spikes": state.spikes}
        try:
            atomic_write_bytes(self.dir / STATE_FILE, orjson.dumps(data))
        except OSError as exc:
            log.error("%s: cannot write (%s)", self.dir / STATE_FILE, exc.strerror or exc)

    # -- delivery ---------------------------------------------------------------------------
    def _deliver(self, firing: Firing, rules: dict[str, AlertRule], now: datetime) -> None:
        """Log the entries (a headless `poll` shows them), then desktop and webhook: at most
        PER_RULE of each per rule and cycle, the rest in one summary; nothing is delivered in
        quiet hours."""
        by_rule: dict[str, list[AlertEntry]] = {}
        for entry in firing.entries:
            by_rule.setdefault(entry.rule, []).append(entry)
        desktop: list[AlertEntry] = []
        for key, entries in by_rule.items():
            for entry in entries[:PER_RULE]:
                log.warning(
                    "alert %s (%s): %s%s",
                    entry.alert,
                    entry.kind,
                    entry.title,
                    f" [{entry.source}]" if entry.source else "",
                )
            if len(entries) > PER_RULE:
                log.warning("alert %s: and %d more", entries[0].alert, len(entries) - PER_RULE)
            rule = rules.get(key)
            wants = set(entries[0].notify)
            if not wants & {"desktop", "webhook"}:
                continue
            if rule is not None and rule.quiet is not None and rule.quiet.holds(now, self.zone):
                firing.quiet += len(entries)
                log.info("alert %s: quiet hours, %d not sent", entries[0].alert, len(entries))
                continue
            shown = entries[:PER_RULE]
            if len(entries) > PER_RULE:
                first = entries[PER_RULE]
                shown.append(
                    AlertEntry(
                        seq=first.seq,
                        alert=first.alert,
                        rule=key,
                        kind=first.kind,
                        article=None,
                        title=f"and {len(entries) - PER_RULE} more articles",
                        source=None,
                        at=first.at,
                        notify=first.notify,
                    )
                )
            if "desktop" in wants:
                desktop.extend(shown)
            if "webhook" in wants and rule is not None and rule.webhook:
                fmt = webhook_format(rule)
                for entry in shown:
                    url, body = webhook_request(rule.webhook, fmt, entry)
                    firing.webhooks += self.sender.submit(url, body)
        if desktop:
            firing.desktop = len(desktop)
            threading.Thread(
                target=self._show_desktop, args=(desktop,), name="wirewatch-desktop", daemon=True
            ).start()

    def _show_desktop(self, entries: list[AlertEntry]) -> None:
        for entry in entries:
            if not self.desktop(entry):
                return  # notify-send missing or failing: no point trying the rest
