"""Countdown alerts: an event crossing 1 day, 1 hour, 10 minutes and its start, once each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fetchers.models import Event

THRESHOLDS = (86400, 3600, 600, 0)


@dataclass(slots=True)
class Alert:
    event: Event
    threshold: int

    @property
    def message(self) -> str:
        if self.threshold == 0:
            return f"{self.event.name} is starting now"
        return f"{self.event.name} starts in {_span(self.threshold)}"


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
    started 30 minutes before an event does not announce the hour it never watched)."""

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
            alerts.extend(Alert(event, t) for t in self.thresholds if before > t >= left)
        return alerts
