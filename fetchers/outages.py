"""What the poll log says of failing sources: when a failure starts, when its error changes,
when it ends, and a reminder while it lasts; never a line per failed poll.

A feed server that went down took its 2,000 sources with it, and the log said a warning for
each source at each of its polls (2,286 lines in 150 s, as their jittered polls trickled in).
Here the sources of one host failing with one error are one group, said in one line ("1999
sources on 127.0.0.1:8140 failing: cannot connect: connection refused"); a group said is said
again only when it has grown or shrunk and GROWN_EVERY has passed, or when it has emptied;
while anything fails, one line every REMIND_EVERY says what still does. A source alone in
its group is said by name, as before ("Wire: HTTP 404 Not Found"), and so is its return
("Wire: back after 12 failures (down for 25 minutes)").
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from fetchers.models import PollResult, counted

GROWN_EVERY = 60.0  # seconds: a group said again, at most this often, as sources join or leave
REMIND_EVERY = 600.0  # seconds: while sources fail, a line says which, at most this often
NAMED_AT_MOST = 3  # names (or hosts) a line gives, then how many more


def named(names: list[str]) -> str:
    """The first NAMED_AT_MOST names, then how many more ("A, B, C and 4 more")."""
    shown = ", ".join(names[:NAMED_AT_MOST])
    rest = len(names) - NAMED_AT_MOST
    return f"{shown} and {rest} more" if rest > 0 else shown


def lasted(seconds: float) -> str:
    """How long a failure lasted, roughly: seconds, minutes up to two hours, hours up to two
    days, then days."""
    if seconds < 60:
        return counted(int(seconds), "second")
    minutes = int(seconds // 60)
    if minutes < 120:
        return counted(minutes, "minute")
    if minutes < 48 * 60:
        return counted(minutes // 60, "hour")
    return counted(minutes // (24 * 60), "day")


def host_port(url: str) -> str:
    """The server a source's URL names, as the log groups its sources: host and port, never
    credentials ("127.0.0.1:8140", "feeds.example.com"); "" for a local file."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:  # an unreadable port: its own server
        return ""
    if not host:
        return ""
    if ":" in host:  # IPv6
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


@dataclass(slots=True)
class Failing:
    """One source failing: its error, its server, since when (monotonic) and how many polls
    in a row failed."""

    error: str
    host: str
    since: float
    failures: int


@dataclass(slots=True)
class Group:
    """The sources of one server failing with one error (a source of no server: alone)."""

    host: str
    error: str
    since: float
    members: dict[str, None] = field(default_factory=dict)  # (an ordered set)
    said_at: float | None = None  # None: not said yet
    joined: list[str] = field(default_factory=list)  # since it was last said
    was: dict[str, str] = field(default_factory=dict)  # joined from another error: that one
    back: list[str] = field(default_factory=list)  # came back since it was last said
    back_total: int = 0
    last_back: Failing | None = None  # (the one whose return a line by name says)


GroupKey = tuple[str, str]


class FailureLog:
    """The failing sources of a poller as its log tells them (`cycle` gives the lines)."""

    def __init__(self) -> None:
        self.failing: dict[str, Failing] = {}
        self._groups: dict[GroupKey, Group] = {}
        self._reminded: float | None = None  # when the last reminder was said (or due from)

    def cycle(
        self,
        results: Iterable[PollResult],
        host_of: Callable[[str], str],
        failures_of: Callable[[str], int],
        now: float,
    ) -> list[tuple[int, str]]:
        """The log lines (level, message) for a cycle's results, none when its failures went
        on as they were: `host_of` names a source's server, `failures_of` its failures in a
        row so far (a source failing since before a restart); `now` is monotonic."""
        was_failing = bool(self.failing)
        for result in results:
            if result.unstored:  # the source answered; the store's error is said as its own
                continue
            name = result.source
            before = self.failing.get(name)
            if result.status == "error":
                error = result.error or "failed"
                if before is None:
                    failing = Failing(error, host_of(name), now, max(failures_of(name), 1))
                    self.failing[name] = failing
                    self._join(name, failing, None)
                elif before.error != error:
                    self._leave(name, before, recovered=False)
                    failing = Failing(error, before.host, before.since, before.failures + 1)
                    self.failing[name] = failing
                    self._join(name, failing, before.error)
                else:
                    before.failures += 1
            elif before is not None and result.status in ("ok", "not-modified"):
                del self.failing[name]
                self._leave(name, before, recovered=True)
        if self.failing and not was_failing:
            self._reminded = now  # the first reminder is one REMIND_EVERY after this
        return self._said(now)

    def forget(self, names: Iterable[str]) -> None:
        """Forget the sources no longer polled (removed or renamed in the config), unsaid."""
        for name in set(self.failing) - set(names):
            failing = self.failing.pop(name)
            group = self._groups.get(self._key(name, failing))
            if group is not None:
                group.members.pop(name, None)
                if name in group.joined:
                    group.joined.remove(name)
                if not group.members and not group.back:
                    del self._groups[self._key(name, failing)]

    @staticmethod
    def _key(name: str, failing: Failing) -> GroupKey:
        return (failing.host or f"\0{name}", failing.error)  # (no server: a group of its own)

    def _join(self, name: str, failing: Failing, was: str | None) -> None:
        key = self._key(name, failing)
        group = self._groups.get(key)
        if group is None:
            group = self._groups[key] = Group(failing.host, failing.error, failing.since)
        group.members[name] = None
        group.joined.append(name)
        if was is not None:
            group.was[name] = was

    def _leave(self, name: str, failing: Failing, recovered: bool) -> None:
        key = self._key(name, failing)
        group = self._groups.get(key)
        if group is None:
            return
        group.members.pop(name, None)
        if name in group.joined:  # joined and gone before it was said: never said
            group.joined.remove(name)
            group.was.pop(name, None)
        elif recovered:
            group.back.append(name)
            group.back_total += 1
            group.last_back = failing
        if not group.members and not group.back:
            del self._groups[key]

    def _said(self, now: float) -> list[tuple[int, str]]:
        """The lines due: groups that started, changed, grew, shrank or emptied."""
        lines: list[tuple[int, str]] = []
        for key, group in list(self._groups.items()):
            if not group.joined and not group.back:
                continue
            emptied = not group.members
            first = group.said_at is None
            if not (first or emptied or now - (group.said_at or 0.0) >= GROWN_EVERY):
                continue
            if group.joined:
                lines.append((logging.WARNING, self._failing_line(group, first)))
            if group.back:
                lines.append((logging.INFO, self._back_line(group, now)))
            group.joined, group.was, group.back = [], {}, []
            group.said_at = now
            if emptied:
                del self._groups[key]
        return lines

    def reminder(self, now: float) -> str | None:
        """While sources fail, one line every REMIND_EVERY that says which (a long outage is
        in the log however quiet its groups are); None when none is due."""
        if not self.failing or self._reminded is None or now - self._reminded < REMIND_EVERY:
            return None
        self._reminded = now
        return self._reminder(now)

    def _failing_line(self, group: Group, first: bool) -> str:
        joined = group.joined
        if len(group.members) == 1 and len(joined) == 1:
            name = joined[0]
            was = group.was.get(name)
            return f"{name}: now {group.error} (was: {was})" if was else f"{name}: {group.error}"
        said = f"{counted(len(group.members), 'source')} on {group.host} failing: {group.error}"
        if first:
            return f"{said} ({named(joined)})"
        return f"{said} ({len(joined)} more: {named(joined)})"

    def _back_line(self, group: Group, now: float) -> str:
        back, left, one = group.back, len(group.members), group.last_back
        if len(back) == 1 and one is not None and (left or group.back_total == 1):
            failures = counted(one.failures, "failure")
            said = f"{back[0]}: back after {failures} (down for {lasted(now - one.since)})"
        elif not left:
            return (
                f"{counted(group.back_total, 'source')} on {group.host} back after failing:"
                f" {group.error} (down for {lasted(now - group.since)})"
            )
        else:
            said = f"{counted(len(back), 'source')} on {group.host} back ({named(back)})"
        if not left:
            return said
        return f"{said}; {counted(left, 'source')} on {group.host} still failing: {group.error}"

    def _reminder(self, now: float) -> str:
        """One line for all that still fails: the largest groups first."""
        groups = sorted(
            (g for g in self._groups.values() if g.members), key=lambda g: -len(g.members)
        )
        each = []
        for group in groups:
            who = (
                next(iter(group.members))
                if len(group.members) == 1
                else f"{len(group.members)} on {group.host}"
            )
            each.append(f"{who} for {lasted(now - group.since)} ({group.error})")
        return f"still failing: {counted(len(self.failing), 'source')}: {named(each)}"
