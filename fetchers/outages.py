"""What the poll log says of failing sources: when a failure starts, when its error changes,
when it ends, and a reminder while it lasts; never a line per failed poll.

A feed server that went down took its 2,000 sources with it, and the log said a warning for
each source at each of its polls (2,286 lines in 150 s, as their jittered polls trickled in).
Here the sources failing with one error are one outage, said in one line naming their server
("1999 sources on 127.0.0.1:8140 failing: cannot connect: connection refused"), or how many
servers ("212 sources on 95 servers failing: host name not found (offline?)"); an outage
said is said again when sources join it or come back, at most once every GROWN_EVERY (the
polls of its sources trickle in), but at once as its first source comes back and as it
ends; while anything fails, one line every REMIND_EVERY says what still does, by server.
A source alone is said by name, as before ("Wire: HTTP 404 Not Found"), and so are its
change of error and its return ("Wire: back after 12 failures (down for 25 minutes)").
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
class Outage:
    """The sources failing with one error, on whatever servers: said together."""

    error: str
    since: float
    members: dict[str, str] = field(default_factory=dict)  # failing now: name -> server
    said_at: float | None = None  # None: not said yet
    joined: list[str] = field(default_factory=list)  # since it was last said
    was: dict[str, str] = field(default_factory=dict)  # joined from another error: that one
    back: list[tuple[str, Failing]] = field(default_factory=list)  # since it was last said
    back_total: int = 0  # of the whole outage
    back_servers: set[str] = field(default_factory=set)  # (of those)
    back_said: bool = False  # its first return is said at once, as its start was

    def on(self, host: str) -> int:
        """How many of its sources on `host` fail now."""
        return sum(h == host for h in self.members.values())


def server(name: str, host: str) -> str:
    """A source's server as an outage counts them (a file: its own)."""
    return host or f"\0{name}"


def where(servers: set[str]) -> str:
    """ "on 127.0.0.1:8140", or "on 3 servers"."""
    if len(servers) == 1:
        (one,) = servers
        if not one.startswith("\0"):
            return f" on {one}"
        return ""
    return f" on {len(servers)} servers"


class FailureLog:
    """The failing sources of a poller as its log tells them: `cycle` takes a cycle's
    results, `due` gives the lines a throttle held back once they are due."""

    def __init__(self) -> None:
        self.failing: dict[str, Failing] = {}
        self._outages: dict[str, Outage] = {}  # by error
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
                    self._join(name, failing, None, now)
                elif before.error != error:
                    self._leave(name, before, recovered=False)
                    failing = Failing(error, before.host, before.since, before.failures + 1)
                    self._join(name, failing, before.error, now)
                else:
                    before.failures += 1
            elif before is not None and result.status in ("ok", "not-modified"):
                self._leave(name, before, recovered=True)
        if self.failing and not was_failing:
            self._reminded = now  # the first reminder is one REMIND_EVERY after this
        return self.due(now)

    def forget(self, names: Iterable[str]) -> None:
        """Forget the sources no longer polled (removed or renamed in the config), unsaid."""
        for name in set(self.failing) - set(names):
            failing = self.failing[name]
            outage = self._outages.get(failing.error)
            if outage is not None and name in outage.joined:
                outage.joined.remove(name)
                outage.was.pop(name, None)
            self._leave(name, failing, recovered=False)

    def _join(self, name: str, failing: Failing, was: str | None, now: float) -> None:
        self.failing[name] = failing
        outage = self._outages.get(failing.error)
        if outage is None:
            outage = self._outages[failing.error] = Outage(failing.error, now)
        outage.members[name] = failing.host
        outage.joined.append(name)
        if was is not None:
            outage.was[name] = was

    def _leave(self, name: str, failing: Failing, recovered: bool) -> None:
        del self.failing[name]
        outage = self._outages.get(failing.error)
        if outage is None:
            return
        outage.members.pop(name, None)
        if name in outage.joined:  # joined and gone before it was said: never said
            outage.joined.remove(name)
            outage.was.pop(name, None)
        elif recovered:
            outage.back.append((name, failing))
            outage.back_total += 1
            outage.back_servers.add(server(name, failing.host))
        if not outage.members and not outage.back:
            del self._outages[failing.error]

    def due(self, now: float) -> list[tuple[int, str]]:
        """The lines due: outages that started, grew, shrank or ended (`now`: monotonic)."""
        lines: list[tuple[int, str]] = []
        for error, outage in list(self._outages.items()):
            if not outage.joined and not outage.back:
                continue
            ended = not outage.members
            first = outage.said_at is None
            returns = bool(outage.back) and not outage.back_said
            if not (first or ended or returns or now - (outage.said_at or 0.0) >= GROWN_EVERY):
                continue
            outage.back_said = outage.back_said or bool(outage.back)
            if outage.joined:
                lines.append((logging.WARNING, self._failing_line(outage, first)))
            if outage.back:
                lines.append((logging.INFO, self._back_line(outage, now)))
            outage.joined, outage.was, outage.back = [], {}, []
            outage.said_at = now
            if ended:
                del self._outages[error]
        return lines

    def reminder(self, now: float) -> str | None:
        """While sources fail, one line every REMIND_EVERY that says which (a long outage is
        in the log however quiet it is); None when none is due."""
        if not self.failing or self._reminded is None or now - self._reminded < REMIND_EVERY:
            return None
        self._reminded = now
        return self._reminder(now)

    def _failing_line(self, outage: Outage, first: bool) -> str:
        joined, error = outage.joined, outage.error
        hosts = {server(name, outage.members[name]) for name in joined}
        alone = outage.members[joined[0]]
        if len(joined) == 1 and (not alone or outage.on(alone) == 1):
            name = joined[0]
            was = outage.was.get(name)
            return f"{name}: now {error} (was: {was})" if was else f"{name}: {error}"
        if len(hosts) == 1:
            total = outage.on(alone)
        else:
            total = len(outage.members)
            hosts = {server(name, host) for name, host in outage.members.items()}
        said = f"{counted(total, 'source')}{where(hosts)} failing: {error}"
        if first or total == len(joined):
            return f"{said} ({named(joined)})"
        return f"{said} ({len(joined)} more: {named(joined)})"

    def _back_line(self, outage: Outage, now: float) -> str:
        back, error = outage.back, outage.error
        if not outage.members and outage.back_total > 1:
            return (
                f"{counted(outage.back_total, 'source')}{where(outage.back_servers)} back after"
                f" failing: {error} (down for {lasted(now - outage.since)})"
            )
        hosts = {server(name, failing.host) for name, failing in back}
        if len(back) == 1:
            name, one = back[0]
            failures = counted(one.failures, "failure")
            said = f"{name}: back after {failures} (down for {lasted(now - one.since)})"
        else:
            names = named([n for n, _ in back])
            said = f"{counted(len(back), 'source')}{where(hosts)} back ({names})"
        if len(hosts) == 1:
            left = outage.on(back[0][1].host) if back[0][1].host else 0
            on = where(hosts)
        else:
            left, on = len(outage.members), ""
        return f"{said}; {counted(left, 'source')}{on} still failing: {error}" if left else said

    def _reminder(self, now: float) -> str:
        """One line for all that still fails, by server and error: the largest first."""
        groups: dict[tuple[str, str], list[str]] = {}
        since: dict[tuple[str, str], float] = {}
        for name, failing in self.failing.items():
            key = (server(name, failing.host), failing.error)
            groups.setdefault(key, []).append(name)
            since[key] = min(since.get(key, now), failing.since)
        each = []
        for key, names in sorted(groups.items(), key=lambda item: -len(item[1])):
            who = names[0] if len(names) == 1 else f"{len(names)}{where({key[0]})}"
            each.append(f"{who} for {lasted(now - since[key])} ({key[1]})")
        return f"still failing: {counted(len(self.failing), 'source')}: {named(each)}"
