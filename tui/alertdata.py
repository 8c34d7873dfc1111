"""The dashboard's hold on alerts: the new entries of the history for its terminal, the
history and rules the alerts screen shows, the rules it changes, and the mentions per hour it
draws. Every method reads or writes the data dir or the store, so the dashboard calls them
from thread workers and hands what they return to the screen in a message.
"""

from __future__ import annotations

import contextlib
import math
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from fetchers.alertfeed import AlertFeed, NewAlerts
from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
from fetchers.alerting import undated_backlog
from fetchers.alertrules import (
    AlertRule,
    RuleBook,
    RuleBookError,
    all_rules,
    no_spike,
    source_gone,
)
from fetchers.query import Query, QueryError, parse_query
from fetchers.store.errors import StoreError
from fetchers.trends import (
    DEFAULT_HOURS,
    moving_stories,
    story_query,
    story_spike,
    trends,
    watch_query,
)
from tui.session import Session

if TYPE_CHECKING:  # (httpx stays out of a viewer's start)
    from fetchers.notify import DeliveryFailures
    from fetchers.store import ArticleStore

HISTORY_SHOWN = 500  # the newest entries the alerts screen lists
TREND_HOURS = DEFAULT_HOURS  # the span of its sparklines
RuleChange = Literal["add", "edit", "mute", "unmute", "remove"]
WatchedKind = Literal["alert", "watch", "story"]


@dataclass(slots=True, frozen=True)
class Watched:
    """A row of the alerts screen's velocity list: an alert rule, a watch term or a story,
    each counted by its query (a story's is `story:ID`, which the stories answer)."""

    name: str
    query: str
    kind: WatchedKind
    key: str  # the history's name for it ("config:NAME", "app:ID", "watch:TERM", "story:ID")
    rule: AlertRule | None = None  # an alert's rule
    # why a rule fires for nothing (it no longer checks; its source: names no source),
    # said on its row: nothing else there said it
    fault: str | None = None
    story_id: str | None = None  # a story's row: the story it stands for

    @property
    def no_spike(self) -> str | None:
        """Why its count over the line fires no spike, in a word (a rule muted, or asking
        the stories: per article only); None for a term, a story or a rule that may."""
        return None if self.rule is None else no_spike(self.rule)

    @classmethod
    def of_rule(cls, rule: AlertRule, fault: str | None = None) -> Watched:
        return cls(rule.name, rule.query, "alert", rule.key, rule, fault)

    @classmethod
    def of_term(cls, term: str) -> Watched:
        return cls(term, watch_query(term), "watch", f"watch:{term}")

    @classmethod
    def of_story(cls, story_id: str, title: str) -> Watched:
        query = story_query(story_id)  # also the key of the story's spikes in the history
        return cls(title, query, "story", query, story_id=story_id)


class RowCounts(NamedTuple):
    """A velocity row's mentions per hour, oldest first, and why its count over the line
    fires no spike when the counts say it (`story_spike`: a story's hour of one outlet)."""

    counts: list[int]
    unfired: str | None = None


@dataclass(slots=True)
class AlertsView:
    """What the alerts screen opens with: the history, newest first (at most
    HISTORY_SHOWN of `total`), every rule and watch term, and what could not be read."""

    entries: list[AlertEntry]
    total: int
    watched: list[Watched]
    problems: list[str]


def cycle_by_article_time(cycle: list[AlertEntry], store: ArticleStore) -> list[AlertEntry]:
    """One cycle's entries (all of one `at`), newest first by their articles' time (as
    first reported), a spike before them, ties as they came: a cycle keeps its entries rule
    after rule, and the newest 500 of a cycle of 8,000 were 4 rules' alone."""
    times = dict(store.reported([e.article for e in cycle if e.article is not None]))
    return sorted(
        cycle,
        key=lambda e: math.inf if e.article is None else times.get(e.article, -math.inf),
        reverse=True,  # (stable: ties keep their order)
    )


def newest_mixed(newest: list[AlertEntry], store: ArticleStore, limit: int) -> list[AlertEntry]:
    """The first `limit` of `newest` (newest first) with each cycle's entries by their
    articles' time; only the cycles that reach into those `limit` are ordered."""
    out: list[AlertEntry] = []
    start = 0
    while start < len(newest) and len(out) < limit:
        end = start
        while end < len(newest) and newest[end].at == newest[start].at:
            end += 1
        out += cycle_by_article_time(newest[start:end], store)
        start = end
    return out[:limit]


def by_article_time(entries: list[AlertEntry], store: ArticleStore) -> list[AlertEntry]:
    """Entries oldest first (as fired), each cycle's by its articles' time."""
    return list(reversed(newest_mixed(entries[::-1], store, len(entries))))


class AlertData:
    """Alerts as one dashboard sees them: its own mark in the history (so it rings only for
    what fired after it opened), the rules of the config and of the data dir."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.config = session.config
        self.book = RuleBook(session.data_dir, session.store)
        self.history = AlertHistory(session.data_dir, store=session.store)
        self._feed: AlertFeed | None = None
        self._taking = threading.Lock()
        self._failures: DeliveryFailures | None = None  # the writer's failed deliveries,
        self._failures_seen = 0  # and how many of them were shown

    def take(self) -> NewAlerts | None:
        """The entries fired since the last look, with the bytes for the terminal; None when
        another look is still reading (a slow disk: looks never pile up or repeat an entry)."""
        if not self._taking.acquire(blocking=False):
            return None
        try:
            if self._feed is None:  # marks the history as it is: only what comes next is new
                self._feed = AlertFeed(
                    self.session.data_dir, self.config.settings.bell, store=self.session.store
                )
                return NewAlerts([], b"")
            new = self._feed.take()
            with contextlib.suppress(StoreError):  # (taken: never lost for the order's sake)
                new.entries = by_article_time(new.entries, self.session.store)
            desk = self.session.newsroom.alerts  # the writer's: its deliveries that failed
            if desk is not None:
                failures = desk.sender.failures
                if failures is not self._failures:  # a newsroom of its own (taken over)
                    self._failures, self._failures_seen = failures, 0
                self._failures_seen, new.undelivered = failures.since(self._failures_seen)
            return new
        finally:
            self._taking.release()

    def view(self) -> AlertsView:
        entries, total, problems = self.history_of()
        watched, rule_problems = self.watched()
        return AlertsView(entries, total, watched, problems + rule_problems)

    def history_of(self, rule: str | None = None) -> tuple[list[AlertEntry], int, list[str]]:
        """The newest HISTORY_SHOWN entries (of the rule keyed `rule` alone, if given), each
        cycle's by its articles' time, and how many the history holds of them; what could
        not be read."""
        problems: list[str] = []
        try:
            recent = self.history.recent()
            problems += self.history.problems  # lines of the file that do not read, skipped
        except HistoryError as exc:
            recent, problems = [], [str(exc)]
        if rule is not None:
            recent = [entry for entry in recent if entry.rule == rule]
        return newest_mixed(recent, self.session.store, HISTORY_SHOWN), len(recent), problems

    def watched(self) -> tuple[list[Watched], list[str]]:
        """The config's rules (muted where the app muted them), the app's (those that no
        longer check too: to be mended or removed), then the watch terms; and what is
        wrong with alerts.json or with a rule, if anything is (the writer's log said a rule
        that fires for nothing, where a dashboard's reader never looks)."""
        now = self.session.clock()
        try:
            stored, muted, problems = self.book.load_with_problems(
                now, self.session.local, self.config.alerts, unchecked=True
            )
        except RuleBookError as exc:
            stored, muted, problems = [], set(), [str(exc)]
        sources = [source.name for source in self.config.sources]
        out: list[Watched] = []
        for rule in all_rules(list(self.config.alerts), stored, muted):
            if rule.problem is not None:
                out.append(Watched.of_rule(rule, f"not checking: {rule.problem}"))
                continue
            gone = None if rule.muted else source_gone(rule, sources)
            if gone is not None:
                problems.append(f"alert rule {rule.name!r}: {gone.said()}")
            out.append(Watched.of_rule(rule, gone.short() if gone else None))
        out += [Watched.of_term(term) for term in self.config.watch_terms]
        shelf = self.session.shelf
        if shelf is not None:  # chosen here, counted by `series` with the rest
            moving = moving_stories(shelf.stories, now, TREND_HOURS)
            out += [Watched.of_story(story.id, story.title) for story in moving]
        return out, problems

    def series(self, watched: list[Watched]) -> list[RowCounts]:
        """Mentions per hour of each row over the last TREND_HOURS hours, oldest first, in
        one pass (a story's `story:` and a rule's `outlets:` answered by the stories last
        read; a row whose query no longer parses counts nothing); a story over its line
        from one outlet's articles this hour says so, as the writer fires nothing for it."""
        now = self.session.clock()
        terms: list[tuple[str, str, str, Query]] = []
        counted = [RowCounts([0] * TREND_HOURS) for _ in watched]
        shelf = self.session.shelf
        for n, row in enumerate(watched):
            try:
                query = parse_query(row.query, now, self.session.local, stories=shelf)
            except QueryError:
                continue
            terms.append((str(n), row.kind, row.query, query))
        if not terms:
            return counted
        uncounted = undated_backlog(self.session.data_dir)
        for found in trends(self.session.store, terms, now, TREND_HOURS, uncounted):
            n = int(found.name)
            row, unfired = watched[n], None
            if row.story_id is not None and shelf is not None:
                story = shelf.by_id.get(row.story_id)
                if story is not None:
                    store = self.session.store
                    unfired = story_spike(story, found.counts, store, now, uncounted).unfired
            counted[n] = RowCounts(found.counts, unfired)
        return counted

    def change(
        self, change: RuleChange, rule: AlertRule | None, fields: dict[str, Any] | None = None
    ) -> str:
        """Add, edit, mute, unmute or remove a rule in alerts.json; says what was done.
        RuleError (a field is wrong) or RuleBookError (the file) when nothing was."""
        now, zone = self.session.clock(), self.session.local
        match change:
            case "add":
                added = self.book.add(fields or {}, now, zone)
                return f"Added the alert {added.name}"
            case "edit":
                assert rule is not None and rule.ident is not None
                saved = self.book.update(rule.ident, fields or {}, now, zone)
                return f"Saved the alert {saved.name}"
            case "mute" | "unmute":
                assert rule is not None
                self.book.set_muted(rule, change == "mute")
                return f"{'Muted' if change == 'mute' else 'Unmuted'} the alert {rule.name}"
            case "remove":
                assert rule is not None and rule.ident is not None
                self.book.remove(rule.ident)
                return f"Removed the alert {rule.name}"
