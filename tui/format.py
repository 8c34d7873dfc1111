"""Short human forms of times shared by the CLI and the dashboard."""

from __future__ import annotations

from datetime import datetime, tzinfo

from fetchers.timeparse import local_zone, zone


def age(when: datetime | None, now: datetime, local: tzinfo) -> str:
    """ "now", "4m", "3h", then a date: how long ago an article was published."""
    if when is None:
        return "—"
    seconds = (now - when).total_seconds()
    if seconds < 60:
        return "now"
    if seconds < 3600:
        return f"{int(seconds // 60)}m"
    if seconds < 86400:
        return f"{int(seconds // 3600)}h"
    moment = when.astimezone(local)
    if moment.year == now.astimezone(local).year:
        return moment.strftime("%b %d")
    return moment.strftime("%Y-%m-%d")


def time_left(seconds: float) -> str:
    """T-6d 23:14:05 before, T+2h 03:00:10 after."""
    sign = "-" if seconds >= 0 else "+"
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"T{sign}{days}d {clock}" if days else f"T{sign}{clock}"


def event_zone(name: str) -> tzinfo:
    return local_zone(None) if name in ("", "local") else zone(name)


def wall(when: datetime, tz: tzinfo, with_date: bool = True) -> str:
    moment = when.astimezone(tz)
    label = moment.tzname() or ""
    pattern = "%a %Y-%m-%d %H:%M" if with_date else "%a %H:%M"
    return f"{moment.strftime(pattern)} {label}".strip()
