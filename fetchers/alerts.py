"""Countdown alerts: an event crossing 1 day, 1 hour, 10 minutes and its start, once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fetchers.models import Event

THRESHOLDS = (86400, 3600, 600, 0)


# seconds past a threshold within which its crossing is said as it comes ("starts in 1
# hour"): a check runs every second, so a later one saw the clock jump over it (a laptop
# resumed, a host's clock set), and says the time as it is instead
FRESH = 120


@dataclass(slots=True)
class Alert:
    event: Event
    threshold: int
    # the seconds left when the crossing was seen late (`FRESH`): said as they are
    left: float | None = None

    @property
    def message(self) -> str:
        if self.left is not None:
            if self.left > 0:
                return f"{self.event.name} starts in {_about(self.left)}"
            return f"{self.event.name} started {_about(-self.left)} ago"
        if self.threshold == 0:
            return f"{self.event.name} is starting now"
        return f"{self.event.name} starts in {_span(self.threshold)}"


def _about(seconds: float) -> str:
    """A time seen late, rounded in its largest unit ("22 hours", "3 days", "45 minutes")."""
    for unit in (86400, 3600):
        if seconds >= unit:
            return _span(round(seconds / unit) * unit)
    return _span(max(1, round(seconds / 60)) * 60)


def _span(seconds: int) -> str:
    if seconds % 86400 == 0:
        days = seconds // 86400
        return "1 day" if days == 1 else f"{days} days"
    if seconds % 3600 == 0:
        hours = seconds // 3600
        return "1 hour" if hours == 1 else f"{hours} hours"
    minutes = seconds // 60
    return "1 minute" if minutes == 1 else f"{minutes} minutes"


class AlertWatch:
    """Fires each threshold once, when it is seen being crossed between two checks (an app
    started 30 minutes before an event does not announce the hour it never watched). Of
    several crossed between two checks (the clock jumped: a laptop resumed a day later)
    only the last is said, and as the time is then ("started 22 hours ago"), not as the
    thresholds would have been ("starts in 1 hour", "in 10 minutes", "is starting now",
    all at once for an event long over)."""

    def __init__(self, thresholds: tuple[int, ...] = THRESHOLDS) -> None:
        self.thresholds = thresholds
        self._last: dict[tuple[str, datetime], float] = {}

    def check(self, events: list[Event], now: datetime) -> list[Alert]:
        alerts: list[Alert] = []
        for event in events:
            if event.when is None:
                continue
            key = (event.name, event.when)
            left = (event.when - now).total_seconds()
            before = self._last.get(key)
            self._last[key] = left
            if before is None:
                continue
            crossed = [t for t in self.thresholds if before > t >= left]
            if not crossed:
                continue
            last = min(crossed)
            alerts.append(Alert(event, last, left if last - left > FRESH else None))
        return alerts
