"""Reading the times that feeds and people write, always ending in an aware UTC datetime."""

from __future__ import annotations

import contextlib
import email.utils
import os
import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateutil_parser
from dateutil import tz as dateutil_tz

# Zone abbreviations that news and feeds use. Names that change with daylight saving map to the
# IANA zone so the offset is right for the date; fixed ones map to a fixed offset.
ZONE_ABBREVIATIONS: dict[str, str | int] = {
    "UTC": 0,
    "UT": 0,
    "GMT": 0,
    "Z": 0,
    "KST": 9 * 3600,
    "JST": 9 * 3600,
    "HKT": 8 * 3600,
    "SGT": 8 * 3600,
    "CST": 8 * 3600,  # China Standard Time in news about Asia; see US_CST below for feeds
    "IST": 5 * 3600 + 1800,
    "AEST": 10 * 3600,
    "AEDT": 11 * 3600,
    "ET": "America/New_York",
    "EST": -5 * 3600,
    "EDT": -4 * 3600,
    "CT": "America/Chicago",
    "CDT": -5 * 3600,
    "MT": "America/Denver",
    "MST": -7 * 3600,
    "MDT": -6 * 3600,
    "PT": "America/Los_Angeles",
    "PST": -8 * 3600,
    "PDT": -7 * 3600,
    "CET": 1 * 3600,
    "CEST": 2 * 3600,
    "BST": 1 * 3600,
    "MSK": 3 * 3600,
}

# RFC 822 defines CST as US Central; feeds follow the RFC, so the feed-date reader uses this.
RFC822_OVERRIDES: dict[str, str | int] = {"CST": -6 * 3600}


def zone(name: str) -> tzinfo:
    """An IANA zone by name; raises ValueError with a readable message when unknown."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:  # "Asia": a folder of zones
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_zone(name: str | None) -> tzinfo:
    """The reader's zone: the configured one, else the system's."""
    if name:
        return zone(name)
    local = dateutil_tz.tzlocal()
    return local if local is not None else UTC


def system_zone_name() -> str | None:
    """The IANA name of the system's zone ("Asia/Seoul"), as `TZ` or the system's zone file
    names it; None when neither names one wirewatch can read (a bare offset, no zone file)."""
    given = os.environ.get("TZ")
    candidates = [given.removeprefix(":")] if given else []  # (the zone the clock is read in)
    if not given:
        with contextlib.suppress(OSError):
            candidates.append(os.path.realpath("/etc/localtime").partition("/zoneinfo/")[2])
        with contextlib.suppress(OSError, UnicodeDecodeError):
            candidates.append(Path("/etc/timezone").read_text("utf-8").strip())
    for name in candidates:
        if name and not name.startswith("/"):
            with contextlib.suppress(ValueError, ZoneInfoNotFoundError, OSError):
                ZoneInfo(name)
                return name
    return None


def _tzinfos(overrides: dict[str, str | int] | None = None) -> dict[str, tzinfo]:
    table = dict(ZONE_ABBREVIATIONS)
    if overrides:
        table.update(overrides)
    out: dict[str, tzinfo] = {}
    for key, value in table.items():
        if isinstance(value, int):
            out[key] = dateutil_tz.tzoffset(key, value)
        else:
            out[key] = ZoneInfo(value)
    return out


_FEED_TZINFOS = _tzinfos(RFC822_OVERRIDES)


def _feed_zone(name: str | None, offset: int | None) -> tzinfo | None:
    """The zone python-dateutil found in a feed's date: a known name, or a numeric offset. A
    name wirewatch does not know ("WIB", "NZDT") makes the date unreadable: taken as the
    reader's zone (python-dateutil's way) it would be a wrong instant."""
    if name is None:
        return None if offset is None else dateutil_tz.tzoffset(None, offset)
    known = _FEED_TZINFOS.get(name.upper())
    if known is not None:
        return known
    if offset is not None:
        return dateutil_tz.tzoffset(name, offset)
    raise ValueError(f"unknown time zone {name!r}")


_ISO_FAST = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TRAILING_ZONE = re.compile(r"\s([A-Za-z]{1,5}|[+-]\d{4})$")
_RFC822_ZONES = {"GMT", "UT", "UTC", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}
# "GMT+09:00", "UTC+9", "GMT-5", "UTC+0530": an offset written after a zone name, as people
# mean it (nine hours ahead of Greenwich). python-dateutil reads it as a POSIX TZ string, where
# the sign means the opposite, so it becomes a plain numeric offset first.
_NAMED_OFFSET = re.compile(
    r"(?<![A-Za-z])(?:GMT|UTC|UT)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?(?![\d:])", re.I
)
# A numeric offset at the end ("+0900", "+09:00", "-05"): its hours and minutes are checked
# before any parser sees them, so "+25:00" or "+9900" is an unreadable date, not an error.
_END_OFFSET = re.compile(r"(?:\s|:\d\d(?:\.\d+)?)[+-](\d{2}):?(\d{2})?$")
# RFC 822's "24 Oct 2025": the year as written, so that "0001" is not read as 2001.
_RFC_DAY_MONTH_YEAR = re.compile(r"(?<!\d)\d{1,2}\s+[A-Za-z]{3,9}\.?,?\s+(\d+)(?![\d:])")
# "10/11/2025": a day and a month that could be either way round.
_NUMERIC_DAY_MONTH = re.compile(  # 10/11/2025, 10 11 2025; not "2025 10 11 14:00" (a year first)
    r"(?<![\d/.-])(?<!\d\s)(\d{1,2})([/.-]|\s+)(\d{1,2})\2\d{2,4}(?![\d/.:-])"
)
# The shape nearly every RSS date has ("Fri, 24 Oct 2025 16:05:00 +0900"), read without the
# stdlib's general RFC 822 reader.
_RFC822_FAST = re.compile(
    r"(?:[A-Za-z]{3}, ?)?(\d{1,2}) ([A-Za-z]{3}) (\d{4}) (\d{2}):(\d{2})(?::(\d{2}))? "
    r"(?:([+-])(\d{2})(\d{2})|(GMT|UTC?|Z|[ECMP][SD]T))"
)
_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip
_RFC822_OFFSETS = {"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6}
_RFC822_OFFSETS |= {"CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7}
MAX_OFFSET = timedelta(hours=14)  # the widest offset in use (UTC+14); XML Schema's limit too
# Two defaults that differ in every field: a field dateutil takes from the default (it was not
# in the text) comes out different in the two readings.
_DEFAULTS = (datetime(2003, 1, 1), datetime(2004, 2, 2))


# a 12-hour clock's AM or PM, which RFC 822 has not: the stdlib reader took "PM" for the zone,
# and "04:05:00 PM +0900" for 04:05 UTC
_MERIDIEM = re.compile(r"\d\s*[AaPp]\.?[Mm]\b")


def _rfc822_safe(text: str) -> bool:
    """True when the stdlib RFC 822 reader will not silently take an unknown zone as UTC, nor
    pass over a 12-hour clock's PM."""
    if _MERIDIEM.search(text) is not None:
        return False
    match = _TRAILING_ZONE.search(text)
    if match is None:
        return False
    tail = match.group(1)
    return tail[0] in "+-" or tail.upper() in _RFC822_ZONES


def _named_offset(match: re.Match[str]) -> str:
    sign, hours, minutes = match.group(1), int(match.group(2)), match.group(3) or "00"
    return f" {sign}{hours:02d}{minutes}"


def _offset_in_range(text: str) -> bool:
    """False for a trailing numeric offset no place on Earth uses (+25:00, +9900, +09:75)."""
    match = _END_OFFSET.search(text)
    if match is None:
        return True
    hours, minutes = match.group(1), match.group(2) or "00"
    return int(minutes) < 60 and timedelta(hours=int(hours), minutes=int(minutes)) <= MAX_OFFSET


def _rfc822_date(text: str) -> datetime | None:
    """The RFC 822 reading, only when the year is written as the stdlib will read it: four
    digits that are the year, or the two-digit years of old RFC 822 feeds."""
    shape = _RFC_DAY_MONTH_YEAR.search(text)
    if shape is None:
        return None
    written = shape.group(1)
    when = email.utils.parsedate_to_datetime(text)
    if len(written) == 4 and int(written) != when.year:
        return None
    if len(written) not in (2, 4):
        return None
    if when.tzinfo is None:
        # parsedate gives a naive time only for "-0000": UTC of unknown origin (RFC 5322)
        when = when.replace(tzinfo=UTC)
    return when


def _guessed_date(text: str) -> datetime | None:
    """python-dateutil's reading, only when the text states a whole date: a year written with
    four digits, a month and a day, and no day and month that could be swapped."""
    for match in _NUMERIC_DAY_MONTH.finditer(text):
        day, month = int(match.group(1)), int(match.group(3))
        if day <= 12 and month <= 12 and day != month:
            return None  # 10/11/2025: October 11th or 10 November
    first, second = (
        dateutil_parser.parse(text, default=default, tzinfos=_feed_zone) for default in _DEFAULTS
    )
    if (first.year, first.month, first.day) != (second.year, second.month, second.day):
        return None  # a part of the date came from the default: "-1", "October 2025", "09:00"
    if not re.search(rf"(?<!\d){first.year:04d}", text):
        return None  # the year was guessed from fewer digits ("0001" read as 2001)
    return first


def _rfc822_fast(match: re.Match[str]) -> datetime | None:
    day, month_name, year, hour, minute, second, sign, off_h, off_m, name = match.groups()
    month = _MONTHS.get(month_name.lower())
    if month is None:
        return None
    if name is not None:
        offset = timedelta(hours=_RFC822_OFFSETS[name.upper()])
    else:
        if int(off_m) >= 60:
            return None
        offset = timedelta(hours=int(off_h), minutes=int(off_m))
        offset = -offset if sign == "-" else offset
    if abs(offset) > MAX_OFFSET:
        return None
    when = datetime(
        int(year),
        month,
        int(day),
        int(hour),
        int(minute),
        int(second or 0),
        tzinfo=timezone(offset),
    )
    return when.astimezone(UTC) if 1990 <= when.year <= 2200 else None


def _slow_date(text: str) -> datetime | None:
    """Any other shape: the stdlib's RFC 822 reader where it cannot mistake the zone, else
    python-dateutil, strictly."""
    if not _offset_in_range(text):
        return None
    if _rfc822_safe(text):
        try:
            when = _rfc822_date(text)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None:
            return when
    return _guessed_date(text)


def parse_feed_date(text: str | None, default_zone: tzinfo = UTC) -> datetime | None:
    """A feed's date in UTC, or None when it cannot be read surely (never a wrong instant, and
    never an exception: one item's date never costs a feed).

    RFC 822 and ISO 8601 take fast paths; python-dateutil reads the rest, but only a text that
    states a year (four digits), a month and a day. An offset after GMT/UTC means what people
    mean by it ("GMT+09:00" is nine hours ahead). A date without a zone is taken in
    `default_zone`.
    """
    if not text:
        return None
    text = " ".join(text.split())
    if not text or len(text) > 200:
        return None
    try:
        fast = _RFC822_FAST.fullmatch(text)
        if fast is not None:
            return _rfc822_fast(fast)
        when: datetime | None = None
        if _ISO_FAST.match(text):
            try:
                when = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                when = None
        if when is None:
            when = _slow_date(" ".join(_NAMED_OFFSET.sub(_named_offset, text).split()))
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=default_zone)
        offset = when.utcoffset()
        if offset is None or abs(offset) > MAX_OFFSET:
            return None
        if not (1990 <= when.year <= 2200):
            return None
        return when.astimezone(UTC)
    except (ValueError, OverflowError, TypeError, IndexError, KeyError):
        return None


# The longest duration anything accepts (a query's since:, an interval): a century. Longer
# ones are typos, and times computed from them would overflow.
MAX_DURATION = 100 * 365.25 * 86400


def parse_duration(text: object) -> float:
    """Seconds in a duration such as 90, "90s", "5m", "2h", "1d" or "1h30m" (at most a
    century: ValueError beyond, and for anything else a config may hold: a list, a date)."""
    if isinstance(text, bool) or not isinstance(text, str | int | float):
        raise ValueError(f"not a duration: {text!r} (use forms like 90s, 5m, 2h, 1d)")
    if isinstance(text, int | float):
        if not text > 0:
            raise ValueError(f"a duration must be positive, not {text!r}")
        if text > MAX_DURATION:
            raise ValueError(f"{text!r} is too long a duration (at most 100 years)")
        return float(text)
    parts = re.findall(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)", text.strip().lower())
    joined = "".join(f"{n}{u}" for n, u in parts)
    if not parts or joined != re.sub(r"\s+", "", text.strip().lower()):
        raise ValueError(f"not a duration: {text!r} (use forms like 90s, 5m, 2h, 1d)")
    unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    total = sum(float(n) * unit[u] for n, u in parts)
    if not total > 0:
        raise ValueError(f"a duration must be positive, not {text!r}")
    if total > MAX_DURATION:
        raise ValueError(f"{text!r} is too long a duration (at most 100 years)")
    return total


def parse_size(text: object) -> int:
    """Bytes in a size such as 15000000, "15MB", "512KB" or "1GiB" (ValueError for anything
    else a config may hold: 1.5, a list)."""
    if isinstance(text, bool) or not isinstance(text, str | int):
        raise ValueError(f"not a size: {text!r} (use forms like 512KB, 15MB)")
    if isinstance(text, int):
        if text <= 0:
            raise ValueError(f"a size must be positive, not {text}")
        return text
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*", text.lower())
    if not match:
        raise ValueError(f"not a size: {text!r} (use forms like 512KB, 15MB)")
    factor = {
        "": 1,
        "b": 1,
        "k": 1000,
        "kb": 1000,
        "kib": 1024,
        "ki": 1024,
        "m": 10**6,
        "mb": 10**6,
        "mib": 2**20,
        "mi": 2**20,
        "g": 10**9,
        "gb": 10**9,
        "gib": 2**30,
        "gi": 2**30,
    }[match.group(2) or ""]
    value = int(float(match.group(1)) * factor)
    if value <= 0:
        raise ValueError(f"a size must be positive, not {text!r}")
    return value


def is_span(text: str) -> bool:
    """Whether a since:/before: value is a span back from now ("6h", ".5d"), not a date."""
    return re.fullmatch(r"[\d.\s]+[a-z][\da-z.\s]*", text.strip().lower()) is not None


def counts_from_now(text: str) -> bool:
    """Whether a since:/before: value names an instant counted from now ("6h", "today",
    "yesterday"): it moves on with the clock, where a date ("2025-10-24") stays."""
    return is_span(text) or text.strip().lower() in ("today", "yesterday")


def since_spec(text: str, now: datetime, default_zone: tzinfo) -> datetime:
    """The instant of a query's since:/before: value: "6h", "2d", a date like 2025-10-24, or
    "today" or "yesterday" (as the day started in `default_zone`, the reader's). ValueError
    for anything else, out-of-range values included (never an OverflowError)."""
    back = {"today": 0, "yesterday": 1}.get(text.strip().lower())
    if back is not None:
        day = now.astimezone(default_zone).date() - timedelta(days=back)
        start = datetime.combine(day, datetime.min.time())
        # (a zone whose day starts in a gap, as some did at a change of offset, still gets one)
        return start.replace(tzinfo=default_zone).astimezone(UTC)
    if is_span(text):
        seconds = parse_duration(text)  # a duration, or a ValueError that says what is wrong
        try:
            return now - timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"{text!r} reaches before the year 1") from None
    try:
        day = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is neither a duration (6h, 2d), a date (2025-10-24), today nor yesterday"
        ) from exc
    if day.tzinfo is None:
        day = day.replace(tzinfo=default_zone)
    try:
        return day.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of the range of dates") from None
