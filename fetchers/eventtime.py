"""Reading an event time the way people write it, to the second, or refusing it with reasons.

Accepted: ISO 8601 (offsets, week dates), Unix timestamps, "2026-11-03 08:00" in a given zone,
"Nov 3, 2026 8am KST", "3 November 2026", numeric dates that read only one way, a time alone
(the next time the clock shows it), news zone abbreviations, "UTC+9", IANA names in the text,
relative phrases ("in 2 weeks", "tomorrow 8:30", "next Tuesday") and Korean dates
("2026년 11월 3일 오후 2시"). python-dateutil reads what it can; this module adds the rest.
A zone the text names comes back with the instant, as an IANA name ("8am ET":
America/New_York): the zone the event is shown in.

Refused, with the readings shown: numeric dates that read day-first and month-first (with or
without a year: "03/11/2026", "3/11", "3-11"), two-digit triples, wall times a daylight-saving
change skips or repeats, relative phrases that name two days, a weekday that contradicts the
date, zone abbreviations that contradict the season ("EST" in July), impossible dates, and
words that are no date.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

from fetchers.timeparse import local_zone, zone


class EventTimeError(ValueError):
    """An event time that cannot be read, or reads more than one way."""


# Abbreviation -> (fixed offset in hours, or None for "the region's local time", the region)
ABBREVIATIONS: dict[str, tuple[float | None, str | None]] = {
    "UTC": (0, None),
    "GMT": (0, None),
    "Z": (0, None),
    "KST": (9, "Asia/Seoul"),
    "JST": (9, "Asia/Tokyo"),
    "CST": (8, "Asia/Shanghai"),  # China Standard Time: what news about Asia means
    "HKT": (8, "Asia/Hong_Kong"),
    "SGT": (8, "Asia/Singapore"),
    "IST": (5.5, "Asia/Kolkata"),
    "ET": (None, "America/New_York"),
    "EST": (-5, "America/New_York"),
    "EDT": (-4, "America/New_York"),
    "CT": (None, "America/Chicago"),
    "CDT": (-5, "America/Chicago"),
    "MT": (None, "America/Denver"),
    "MST": (-7, "America/Denver"),
    "MDT": (-6, "America/Denver"),
    "PT": (None, "America/Los_Angeles"),
    "PST": (-8, "America/Los_Angeles"),
    "PDT": (-7, "America/Los_Angeles"),
    "CET": (1, "Europe/Paris"),
    "CEST": (2, "Europe/Paris"),
    "BST": (1, "Europe/London"),
    "AEST": (10, "Australia/Sydney"),
    "AEDT": (11, "Australia/Sydney"),
}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
KOREAN_WEEKDAYS = {"월": 0, "화": 1, "수": 2, "목": 3, "금": 4, "토": 5, "일": 6}
UNITS = {"minute": 60, "hour": 3600, "day": 86400, "week": 604800}

_ABBREVIATION = re.compile(
    r"(?<![A-Za-z])(" + "|".join(sorted(ABBREVIATIONS, key=len, reverse=True)) + r")(?![A-Za-z])"
)
_OFFSET = re.compile(r"\b(?:UTC|GMT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?!\d)", re.I)
_IANA = re.compile(r"\b([A-Z][A-Za-z_]+/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b")
_ISO_WEEK = re.compile(r"^(\d{4})-?W(\d{2})-?([1-7])?(?:[T ](\d{2}:\d{2}(?::\d{2})?))?$", re.I)
# numbers parted by a space are a numeric date too ("3 11 2026" was read month-first)
_NUMERIC = re.compile(r"^(\d{1,4})([/. -])(\d{1,2})\2(\d{1,4})(?=$|[ T,])")
_SHORT_NUMERIC = re.compile(r"^(\d{1,2})[/ -](\d{1,2})(?=$|[ T,])")  # 3/11, 25-12, 3 11
MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_RELATIVE = re.compile(r"^in\s+(\d+|an?|one)\s+(minute|hour|day|week)s?$", re.I)
_DAY_WORD = re.compile(
    r"^(yesterday|today|tonight|tomorrow|the day after tomorrow|day after tomorrow)\b\s*"
    r"(?:at\s+)?(.*)$",
    re.I,
)
_SHORT_DAYS = r"|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun"
_WEEKDAY_PHRASE = re.compile(
    r"^(?:(next|this|coming)\s+)?("
    + "|".join(WEEKDAYS)
    + _SHORT_DAYS
    + r")\b\.?,?\s*(?:at\s+)?(.*)$",
    re.I,
)
_WEEKDAY_WORD = re.compile(r"\b(" + "|".join(WEEKDAYS) + _SHORT_DAYS + r")\b\.?,?", re.I)
# a time of day written before its day ("9am Friday", "noon tomorrow", "3pm on next Monday"):
# read as the day, then the time
_TIME_THEN_DAY = re.compile(
    r"^(.+?),?\s+(?:on\s+)?((?:yesterday|today|tonight|tomorrow|(?:the\s+)?day after tomorrow"
    r"|(?:(?:next|this|coming)\s+)?(?:" + "|".join(WEEKDAYS) + _SHORT_DAYS + r"))\.?)$",
    re.I,
)
# the words for a time of day that the date parser does not know
# (with the "12" or "12:00" written before one: "12 noon" is noon, and a "12" left beside
# the time made of it was read as a year or a day)
_TIME_WORDS = re.compile(r"(?:\b12(?::00)?\s*)?\b(noon|midday|midnight)\b", re.I)


@dataclass(slots=True)
class _Zone:
    tz: tzinfo | None = None
    abbreviation: str | None = None
    name: str | None = None  # the IANA name of the zone: the one to show the event in
    written: str | None = None  # as the text says it ("ET", "UTC+9")


@dataclass(frozen=True, slots=True)
class EventTime:
    """An event time as read: its instant, and the zone its text names (the IANA name:
    "8am ET" is America/New_York), None when it names none, or only an offset no zone
    keeps (UTC+5:30), which shows the event in no zone of its own; `zone_written`: that
    zone as the text says it ("ET"), to name it so."""

    when: datetime
    zone: str | None = None
    zone_written: str | None = None

    def zone_said(self) -> str | None:
        """ "ET (America/New_York)"; the name alone when written so."""
        if self.zone is None or self.zone_written in (None, self.zone):
            return self.zone
        return f"{self.zone_written} ({self.zone})"


# the instants an event may be at: any zone can show them (a year past 9999 or before 1
# cannot be written, and a time within a day of either end of the calendar overflows as it is
# shown in some zone)
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, tzinfo=UTC)


def parse_event_time(
    text: str,
    tz_name: str | None,
    now: datetime,
    date_order: str | None = None,
    fixed: bool = False,
) -> datetime:
    """An aware UTC datetime for `text`, read against `now` (read_event_time's instant)."""
    return read_event_time(text, tz_name, now, date_order, fixed).when


def read_event_time(
    text: str,
    tz_name: str | None,
    now: datetime,
    date_order: str | None = None,
    fixed: bool = False,
) -> EventTime:
    """The UTC instant `text` means, read against `now`, and the zone it names;
    EventTimeError when it cannot be read or reads more than one way. A time without a zone
    is in `tz_name` (a zone as a zone field holds it: "Asia/Seoul", "KST", "UTC+9"; else the
    system's); a date without a time means its midnight; a date without a year, the next such
    date. `fixed`: a time read again at every load (the config's) must not move with the
    clock, so "in 2 hours", "tomorrow", "Friday 9am" and a time alone are refused with the
    time meant."""
    try:
        when, moves, found = _parsed(text, tz_name, now, date_order)
        when = within_calendar(when, text)
    except OverflowError as exc:
        raise EventTimeError(f"{text!r}: too far in the past or the future") from exc
    if fixed and moves:
        # (in the zone the text names, written with it: the time it means there)
        shown_in = (zone(found.name) if found.name else _home(tz_name).tz) or UTC
        meant = f"{when.astimezone(shown_in):%Y-%m-%d %H:%M}"
        raise EventTimeError(
            f"{text!r} moves with the clock (it is read again at every start); write the time"
            f" it means, as {meant}{' ' + found.name if found.name else ''} for now"
        )
    return EventTime(when, found.name, found.written)


def zone_name(text: str) -> str:
    """The IANA name of a zone as a zone field holds it: an IANA name, an abbreviation the
    times take ("KST": Asia/Seoul, "ET": America/New_York) or a whole-hour offset ("UTC+9":
    Etc/GMT-9); ValueError for anything else."""
    found = _home(text)
    if found.name is None:
        raise ValueError(
            f"no zone keeps {text.strip()!r} all year; give a zone name (Asia/Kolkata) or the"
            " offset in the time"
        )
    return found.name


def within_calendar(when: datetime, text: str) -> datetime:
    """`when`, unless it is too near either end of the calendar to be shown in every zone
    (EventTimeError)."""
    if not EARLIEST <= when <= LATEST:
        raise EventTimeError(f"{text!r}: too far in the past or the future")
    return when


def _home(tz_name: str | None) -> _Zone:
    """The zone a time without one is read in: `tz_name` as a zone field holds it (an IANA
    name; else an abbreviation or an offset, read as in a time: "KST", "UTC+9"), else
    ("local", as an event given no zone is stored) the reader's, the system's here."""
    written = " ".join((tz_name or "").split())
    if written in ("", "local"):
        return _Zone(tz=local_zone(None))
    try:
        return _Zone(tz=zone(written), name=written)
    except ValueError:
        offset = _OFFSET.fullmatch(written)
        if offset:
            return _offset(offset)
        if written.upper() in ABBREVIATIONS:
            return _abbreviated(written.upper())
        raise


def _parsed(
    text: str, tz_name: str | None, now: datetime, date_order: str | None
) -> tuple[datetime, bool, _Zone]:
    """The instant `text` means, whether it moves with the clock (read against `now`:
    "in 2 hours", "tomorrow", a time alone), and the zone it names."""
    raw = " ".join(str(text).split())
    if not raw:
        raise EventTimeError("empty time")
    home = _home(tz_name)
    when, moves, found = _read(raw, home.tz or UTC, now, date_order)
    if found.tz is None and home.abbreviation is not None:  # "EST" given for a July time
        _check_abbreviation(when, home, f"{raw} in {home.abbreviation}")
    return when, moves, found


def _read(
    raw: str, home: tzinfo, now: datetime, date_order: str | None
) -> tuple[datetime, bool, _Zone]:
    if re.fullmatch(r"\d{9,11}(\.\d+)?", raw):
        return datetime.fromtimestamp(float(raw), tz=UTC), False, _Zone()
    iso = _iso(raw, home)
    if iso is not None:
        return iso, False, _Zone()
    if re.search(r"[\uac00-\ud7a3]", raw):
        return _korean(raw, home, now)
    found, rest = _take_zone(raw)
    where = found.tz or home
    relative = _relative(rest, where, now)
    if relative is not None:
        return _check_abbreviation(relative, found, raw), True, found
    when, moves = _absolute(rest, raw, where, now, date_order)
    return _check_abbreviation(when, found, raw), moves, found


def _iso(raw: str, home: tzinfo) -> datetime | None:
    week = _ISO_WEEK.match(raw)
    if week:
        try:
            day = date.fromisocalendar(
                int(week.group(1)), int(week.group(2)), int(week.group(3) or 1)
            )
        except ValueError as exc:
            raise EventTimeError(f"{raw!r}: {exc}") from exc
        clock = time.fromisoformat(week.group(4)) if week.group(4) else time()
        return _attach(datetime.combine(day, clock), home).astimezone(UTC)
    if not re.match(r"^\d{4}-\d{2}-\d{2}", raw):
        return None
    try:
        when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return _attach(when, home).astimezone(UTC)


def _take_zone(raw: str) -> tuple[_Zone, str]:
    """Remove a zone (IANA name, UTC+9, or an abbreviation) from the text."""
    match = _IANA.search(raw)
    if match:
        name = match.group(1)
        return _Zone(tz=zone(name), name=name, written=name), _cut(raw, match)
    match = _OFFSET.search(raw)
    if match:
        return _offset(match), _cut(raw, match)
    match = _ABBREVIATION.search(raw)
    if match:
        return _abbreviated(match.group(1)), _cut(raw, match)
    return _Zone(), raw


def _offset(match: re.Match[str]) -> _Zone:
    """ "UTC+9": that offset, which a zone of the IANA data keeps when it is whole hours
    (Etc/GMT-9: its sign is POSIX's, the other way round)."""
    sign = 1 if match.group(1) == "+" else -1
    hours, minutes = int(match.group(2)), int(match.group(3) or 0)
    if hours > 14 or minutes >= 60:
        raise EventTimeError(f"{match.group(0)!r} is not a UTC offset")
    name = None
    if minutes == 0 and -12 <= sign * hours <= 14:
        name = f"Etc/GMT{-sign * hours:+d}" if hours else "UTC"
    written = match.group(0).upper()
    tz = dateutil_tz.tzoffset(written, sign * (hours * 3600 + minutes * 60))
    return _Zone(tz=tz, name=name, written=written)


def _abbreviated(name: str) -> _Zone:
    """A news abbreviation: its offset, or its region's local time ("ET"); shown in its
    region's zone (UTC, GMT: those zones)."""
    fixed, region = ABBREVIATIONS[name]
    shown_in = region or ("GMT" if name == "GMT" else "UTC")
    tz = ZoneInfo(shown_in) if fixed is None else dateutil_tz.tzoffset(name, int(fixed * 3600))
    return _Zone(tz=tz, abbreviation=name, name=shown_in, written=name)


def _cut(raw: str, match: re.Match[str]) -> str:
    return " ".join((raw[: match.start()] + " " + raw[match.end() :]).split()).strip(" ,")


def _check_abbreviation(when: datetime, found: _Zone, raw: str) -> datetime:
    """Refuse "EST" on a date when New York keeps EDT, and the like: two readings."""
    if found.abbreviation is None:
        return when
    hours, region = ABBREVIATIONS[found.abbreviation]
    if hours is None or region is None:
        return when
    local = when.astimezone(ZoneInfo(region))
    offset = local.utcoffset()
    if offset is not None and offset != timedelta(hours=hours):
        actual = local.tzname()
        wall_time = when.astimezone(found.tz).replace(tzinfo=None) if found.tz else when
        other = _attach(wall_time, ZoneInfo(region)).astimezone(UTC)
        raise EventTimeError(
            f"{raw!r}: {found.abbreviation} is UTC{hours:+g}, but {region} keeps {actual} on "
            f"{local:%Y-%m-%d}; it reads as {_utc(when)} ({found.abbreviation} as written) or "
            f"{_utc(other)} ({region} local time). Write the offset (UTC{hours:+g}) or the "
            "local zone name"
        )
    return when


def _relative(raw: str, where: tzinfo, now: datetime) -> datetime | None:
    """In N units; today/tomorrow [time]; [next|this] weekday [time]; the time first ("9am
    Friday", "noon tomorrow"); a time alone."""
    match = _RELATIVE.match(raw)
    if match:
        count = match.group(1).lower()
        number = 1 if count in ("a", "an", "one") else int(count)
        return (now + timedelta(seconds=number * UNITS[match.group(2).lower()])).astimezone(UTC)
    today = now.astimezone(where).date()
    rest = raw
    swapped = _TIME_THEN_DAY.match(raw)
    if swapped and _clock(swapped.group(1), raw, quiet=True) is not None:
        rest = f"{swapped.group(2)} {swapped.group(1)}"
    match = _DAY_WORD.match(rest)
    if match:
        word = match.group(1).lower()
        shift = {"yesterday": -1, "today": 0, "tonight": 0, "tomorrow": 1}.get(word, 2)
        clock = _clock(match.group(2), raw) if match.group(2) else None
        if word == "tonight" and clock is None:
            raise EventTimeError(f"{raw!r}: tonight at what time?")
        return _on(_not_midnight(today + timedelta(days=shift), match.group(2), raw), clock, where)
    match = _WEEKDAY_PHRASE.match(rest)
    if match:
        rest_of = match.group(3) or ""
        if _looks_like_date(rest_of):
            return None  # "Tue Nov 4 2026": a weekday in front of a date
        target = _weekday(match.group(2))
        clock = _clock(rest_of, raw) if rest_of else None
        day = _weekday_date(match.group(1), target, today, raw)
        return _on(_not_midnight(day, rest_of, raw), clock, where)
    clock = _clock(raw, raw, quiet=True)
    return _next_showing(clock, where, now) if clock is not None else None


def _not_midnight(day: date, clock: str | None, raw: str) -> date:
    """`day`, unless the time said with it is "midnight": the night before that day or the
    night after it, which people mean both ways ("midnight Friday" for a deadline)."""
    if clock and re.search(r"\bmidnight\b", clock, re.I):
        after = day + timedelta(days=1)
        raise EventTimeError(
            f"{raw!r} reads two ways: {day:%a %Y-%m-%d} 00:00 (as the day starts) or "
            f"{after:%a %Y-%m-%d} 00:00 (as it ends); give the day and 00:00"
        )
    return day


def _looks_like_date(text: str) -> bool:
    return bool(re.search(r"\d", text)) and bool(
        re.search(
            r"[A-Za-z]{3,}|\d+[/.-]\d+",
            re.sub(r"\b(am|pm|at|noon|midnight)\b", "", text, flags=re.I),
        )
    )


def _weekday(word: str) -> int:
    word = word.lower().rstrip(".")
    return next(n for n, name in enumerate(WEEKDAYS) if name.startswith(word[:3]))


def _weekday_date(qualifier: str | None, target: int, today: date, raw: str) -> date:
    """The day a weekday phrase names, refusing phrases that name two days."""
    ahead = (target - today.weekday()) % 7
    coming = today + timedelta(days=ahead or 7)
    name = WEEKDAYS[target].capitalize()
    word = (qualifier or "").lower()
    if word == "next":
        next_week = today - timedelta(days=today.weekday()) + timedelta(days=7 + target)
        if next_week != coming:
            raise EventTimeError(
                f"{raw!r} names two days: {coming:%a %Y-%m-%d} (the coming {name}) or "
                f"{next_week:%a %Y-%m-%d} ({name} of next week); give the date"
            )
        return coming
    if word == "this":
        this_week = today - timedelta(days=today.weekday()) + timedelta(days=target)
        if this_week < today:
            raise EventTimeError(
                f"{raw!r} names two days: {this_week:%a %Y-%m-%d} (this week's, past) or "
                f"{coming:%a %Y-%m-%d} (the coming one); give the date"
            )
        return this_week
    if ahead == 0:
        raise EventTimeError(
            f"{raw!r} names two days: {today:%a %Y-%m-%d} (today) or "
            f"{today + timedelta(days=7):%a %Y-%m-%d} (a week from today); give the date"
        )
    return coming


_CLOCK = re.compile(
    r"^(?:at\s+)?(?:(?:12(?::00)?\s*)?(noon|midday|midnight)"
    r"|(\d{1,2})(?:[:.h](\d{2}))?(?::(\d{2}))?\s*(a\.?m\.?|p\.?m\.?)?)$",
    re.I,
)


def _clock(text: str, raw: str, quiet: bool = False) -> time | None:
    """ "8am", "8:30 pm", "14:00", "noon"; None (or an error) for anything else."""
    match = _CLOCK.match(text.strip())
    if not match or (match.group(2) and not (match.group(3) or match.group(5)) and not quiet):
        if quiet:
            return None
        raise EventTimeError(f"{raw!r}: cannot read {text!r} as a time of day")
    if quiet and match.group(2) and not (match.group(3) or match.group(5)):
        return None  # a bare number is not a time
    if match.group(1):
        return time(12) if match.group(1).lower() in ("noon", "midday") else time(0)
    hour, minute, second = int(match.group(2)), int(match.group(3) or 0), int(match.group(4) or 0)
    meridiem = (match.group(5) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12:
            raise EventTimeError(f"{raw!r}: {hour} {meridiem} is not a time")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise EventTimeError(f"{raw!r}: {text.strip()} is not a time of day")
    return time(hour, minute, second)


def _on(day: date, clock: time | None, where: tzinfo) -> datetime:
    return _attach(datetime.combine(day, clock or time()), where).astimezone(UTC)


def _next_showing(clock: time, where: tzinfo, now: datetime) -> datetime:
    """A time alone: the next time the clock in `where` shows it."""
    today = now.astimezone(where).date()
    candidate = _on(today, clock, where)
    return candidate if candidate > now else _on(today + timedelta(days=1), clock, where)


def _check_weekday(when: datetime, where: tzinfo, stated: int, raw: str) -> None:
    actual = when.astimezone(where)
    if actual.weekday() != stated:
        raise EventTimeError(
            f"{raw!r}: {actual:%Y-%m-%d} is a {actual:%A}, not a {WEEKDAYS[stated].capitalize()}"
        )


def _absolute(
    rest: str, raw: str, where: tzinfo, now: datetime, date_order: str | None
) -> tuple[datetime, bool]:
    """A date and time as written (a time alone: its next showing, which moves)."""
    numeric = _NUMERIC.match(rest)
    if numeric:
        rest = _numeric(numeric, rest, raw, date_order)
    stated_weekday = _WEEKDAY_WORD.search(rest)
    text = _WEEKDAY_WORD.sub(" ", rest).strip(" ,") if stated_weekday else rest
    short = _SHORT_NUMERIC.match(text)
    if short:
        text = _short_numeric(short, text, raw, where, now, date_order)
    if not re.search(r"\d", text) and not _TIME_WORDS.search(text):
        raise EventTimeError(f"{raw!r} is not a date or time")
    midnight = re.search(r"\bmidnight\b", text, re.I) is not None
    text = _TIME_WORDS.sub(lambda m: "00:00" if m.group(1).lower() == "midnight" else "12:00", text)
    first = datetime(2001, 1, 1, 0, 0)
    second = datetime(2002, 2, 2, 11, 11, 11)
    try:
        with warnings.catch_warnings():  # dateutil takes unknown words for zone names
            warnings.simplefilter("error", dateutil_parser.UnknownTimezoneWarning)
            a = dateutil_parser.parse(text, default=first)  # numeric dates are ISO by now
            b = dateutil_parser.parse(text, default=second)
    except dateutil_parser.UnknownTimezoneWarning as exc:
        word = re.search(r"tzname (\S+)", str(exc))
        unknown = word.group(1) if word else "a word"
        raise EventTimeError(f"{raw!r}: {unknown!r} is not a zone or date word I know") from exc
    except (ValueError, OverflowError) as exc:
        reason = str(exc).split(":")[0]
        if "out of range" in reason or "must be in" in reason:
            raise EventTimeError(f"{raw!r} is not a real date or time ({reason})") from exc
        raise EventTimeError(f"{raw!r} is not a date or time I can read") from exc
    if a.tzinfo is not None:  # an offset such as +0900 inside the text
        where = a.tzinfo
        a, b = a.replace(tzinfo=None), b.replace(tzinfo=None)
    has_year, has_month, has_day = a.year == b.year, a.month == b.month, a.day == b.day
    has_time = a.hour == b.hour  # "9am" gives the hour; minutes and seconds then default to 0
    local_now = now.astimezone(where)
    minute = a.minute if a.minute == b.minute else 0
    seconds = a.second if a.second == b.second else 0
    clock = time(a.hour, minute, seconds) if has_time else time()
    if not has_month and not has_day and not has_year:
        if not has_time:
            raise EventTimeError(f"{raw!r} is not a date or time")
        if stated_weekday is not None:  # a weekday and a time the phrases above did not read
            raise EventTimeError(f"{raw!r}: write the day, then the time (Friday 9am)")
        return _next_showing(clock, where, now), True
    if not has_month:
        raise EventTimeError(f"{raw!r}: which month?")
    if not has_day:
        raise EventTimeError(f"{raw!r}: which day of the month?")
    year = a.year if has_year else local_now.year
    try:
        day = date(year, a.month, a.day)
    except ValueError as exc:
        raise EventTimeError(f"{raw!r} is not a real date ({exc})") from exc
    when = _on(day, clock, where)
    if not has_year and when <= now:
        try:
            when = _on(date(year + 1, a.month, a.day), clock, where)
        except ValueError as exc:  # 29 February
            raise EventTimeError(f"{raw!r}: give the year ({exc})") from exc
    if midnight:
        _not_midnight(when.astimezone(where).date(), "midnight", raw)
    if stated_weekday is not None:
        _check_weekday(when, where, _weekday(stated_weekday.group(1)), raw)
    return when, False


def _numeric(match: re.Match[str], rest: str, raw: str, order: str | None) -> str:
    """Rewrite a numeric date as ISO, refusing what reads two ways."""
    a, b, c = match.group(1), match.group(3), match.group(4)
    tail = rest[match.end() :]
    if len(a) == 4:
        return f"{a}-{int(b):02d}-{int(c):02d}{tail}"
    if len(c) != 4:
        if order is None:
            raise EventTimeError(
                f"{raw!r}: a date of three short numbers reads several ways (which is the year?);"
                " write it as YYYY-MM-DD, or set [settings] date_order"
            )
        c = str(2000 + int(c)) if len(c) <= 2 else c
    first, second = int(a), int(b)
    readings = []
    if first <= 31 and second <= 12:
        readings.append(("dmy", f"{c}-{second:02d}-{first:02d}"))
    if first <= 12 and second <= 31:
        readings.append(("mdy", f"{c}-{first:02d}-{second:02d}"))
    if order is not None:
        chosen = [r for r in readings if r[0] == order]
        if not chosen:
            raise EventTimeError(f"{raw!r} is not a date in {order} order")
        return chosen[0][1] + tail
    if not readings:
        raise EventTimeError(f"{raw!r} is not a real date")
    if len(readings) == 2 and readings[0][1] != readings[1][1]:
        raise EventTimeError(
            f"{raw!r} reads two ways: {readings[0][1]} (day first) or {readings[1][1]} "
            "(month first); write it as YYYY-MM-DD, or set [settings] date_order"
        )
    return readings[0][1] + tail


def _short_numeric(
    match: re.Match[str], text: str, raw: str, where: tzinfo, now: datetime, order: str | None
) -> str:
    """Rewrite "3/11" with the month's name, refusing what reads two ways (the readings are
    shown as the dates they would be: the next such date, as for any date without a year)."""
    first, second = int(match.group(1)), int(match.group(2))
    tail = text[match.end() :]
    readings = []
    if 1 <= first <= 31 and 1 <= second <= 12:
        readings.append(("dmy", f"{MONTH_NAMES[second - 1]} {first}{tail}"))
    if 1 <= first <= 12 and 1 <= second <= 31:
        readings.append(("mdy", f"{MONTH_NAMES[first - 1]} {second}{tail}"))
    if order is not None:
        readings = [r for r in readings if r[0] == order]
        if not readings:
            raise EventTimeError(f"{raw!r} is not a date in {order} order")
    if not readings:
        raise EventTimeError(f"{raw!r} is not a real date")
    if len(readings) == 2 and first != second:
        day_first, month_first = (_shown_date(r, raw, where, now) for _, r in readings)
        raise EventTimeError(
            f"{raw!r} reads two ways: {day_first} (day first) or {month_first} (month first); "
            "write it as YYYY-MM-DD or with the month's name, or set [settings] date_order"
        )
    return readings[0][1]


def _shown_date(text: str, raw: str, where: tzinfo, now: datetime) -> str:
    try:
        return f"{_absolute(text, raw, where, now, None)[0].astimezone(where):%Y-%m-%d}"
    except EventTimeError:
        return text  # "Mar 11 02:30" that a daylight-saving change skips: the reading as written


def _korean(raw: str, home: tzinfo, now: datetime) -> tuple[datetime, bool, _Zone]:
    """ "2026년 11월 3일 (화) 오후 2시 30분", "11월 3일 오전 9시", "내일 오후 3시"; whether it
    moves with the clock (내일, a time alone); and the zone it names."""
    found, text = _take_zone(raw)
    where = found.tz or home
    local_now = now.astimezone(where)
    year_m = re.search(r"(\d{4})\s*년", text)
    month_m = re.search(r"(\d{1,2})\s*월", text)
    day_m = re.search(r"(\d{1,2})\s*일", text)
    weekday_m = re.search(r"\(\s*([월화수목금토일])\s*\)|([월화수목금토일])요일", text)
    hour_m = re.search(r"(\d{1,2})\s*시", text)
    minute_m = re.search(r"(\d{1,2})\s*분", text)
    relative = {"오늘": 0, "내일": 1, "모레": 2}
    shift = next((v for k, v in relative.items() if k in text), None)
    hour = int(hour_m.group(1)) if hour_m else None
    minute = (
        int(minute_m.group(1))
        if minute_m
        else (30 if hour_m and "반" in text[hour_m.end() :] else 0)
    )
    if "정오" in text:
        hour, minute = 12, 0
    elif "자정" in text:
        hour, minute = 0, 0
    if hour is not None:
        if "오후" in text or "저녁" in text or "밤" in text:
            if not 1 <= hour <= 12:
                raise EventTimeError(f"{raw!r}: 오후 {hour}시 is not a time")
            hour = hour % 12 + 12
        elif "오전" in text or "새벽" in text or "아침" in text:
            if not 0 <= hour <= 12:
                raise EventTimeError(f"{raw!r}: 오전 {hour}시 is not a time")
            hour %= 12
        elif 1 <= hour <= 11:
            raise EventTimeError(
                f"{raw!r} reads two ways: {hour}:{minute:02d} (오전) or {hour + 12}:{minute:02d} "
                "(오후); say which"
            )
        if hour > 23 or minute > 59:
            raise EventTimeError(f"{raw!r} is not a time of day")
    clock = time(hour, minute) if hour is not None else None
    if shift is not None:
        return _on(local_now.date() + timedelta(days=shift), clock, where), True, found
    if not month_m or not day_m:
        if clock is not None and not month_m and not day_m:
            return _next_showing(clock, where, now), True, found
        raise EventTimeError(f"{raw!r}: which day? (e.g. 2026년 11월 3일 오후 2시)")
    year = int(year_m.group(1)) if year_m else local_now.year
    try:
        when = _on(date(year, int(month_m.group(1)), int(day_m.group(1))), clock, where)
        if not year_m and when <= now:
            when = _on(date(year + 1, int(month_m.group(1)), int(day_m.group(1))), clock, where)
    except ValueError as exc:
        raise EventTimeError(f"{raw!r} is not a real date ({exc})") from exc
    if weekday_m:
        _check_weekday(when, where, KOREAN_WEEKDAYS[weekday_m.group(1) or weekday_m.group(2)], raw)
    return when, False, found


def _attach(when: datetime, where: tzinfo) -> datetime:
    """Give a naive wall time its zone, refusing times a DST change skips or repeats."""
    if when.tzinfo is not None:
        return when
    early = when.replace(tzinfo=where, fold=0)
    late = when.replace(tzinfo=where, fold=1)
    if early.utcoffset() != late.utcoffset():
        first, second = early.astimezone(UTC), late.astimezone(UTC)
        if early.astimezone(UTC).astimezone(where).replace(tzinfo=None) != when:
            raise EventTimeError(
                f"{when:%Y-%m-%d %H:%M} does not exist in {where} (clocks skip it); give an offset"
            )
        raise EventTimeError(
            f"{when:%Y-%m-%d %H:%M} happens twice in {where}: {_utc(first)} or {_utc(second)}; "
            "give an offset"
        )
    round_trip = early.astimezone(UTC).astimezone(where)
    if round_trip.replace(tzinfo=None) != when:
        raise EventTimeError(f"{when:%Y-%m-%d %H:%M} does not exist in {where} (clocks skip it)")
    return early


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
