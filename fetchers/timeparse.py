"""Reading the times that feeds and people write, always ending in an aware UTC datetime."""

from __future__ import annotations

import email.utils
import re
from datetime import UTC, datetime, timedelta, tzinfo
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
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def local_zone(name: str | None) -> tzinfo:
    """The reader's zone: the configured one, else the system's."""
    if name:
        return zone(name)
    local = dateutil_tz.tzlocal()
    return local if local is not None else UTC


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
_ISO_FAST = re.compile(
    r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:?\d{2})?$"
)
_TRAILING_ZONE = re.compile(r"\s([A-Za-z]{1,5}|[+-]\d{4})$")
_RFC822_ZONES = {"GMT", "UT", "UTC", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT", "PST", "PDT"}


def _rfc822_safe(text: str) -> bool:
    """True when the stdlib RFC 822 reader will not silently take an unknown zone as UTC."""
    match = _TRAILING_ZONE.search(text)
    if match is None:
        return False
    tail = match.group(1)
    return tail[0] in "+-" or tail.upper() in _RFC822_ZONES


def parse_feed_date(text: str | None, default_zone: tzinfo = UTC) -> datetime | None:
    """A feed's date in UTC, or None when it cannot be read (never a wrong instant).

    RFC 822 and ISO 8601 take fast paths; python-dateutil reads the rest. A date without a
    zone is taken in `default_zone`.
    """
    if not text:
        return None
    text = " ".join(text.split())
    if not text:
        return None
    when: datetime | None = None
    if _ISO_FAST.match(text):
        try:
            when = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None and _rfc822_safe(text):
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            when = None
        if when is not None and when.tzinfo is None:
            # parsedate gives a naive time only for "-0000": UTC of unknown origin (RFC 5322)
            when = when.replace(tzinfo=UTC)
    if when is None:
        try:
            when = dateutil_parser.parse(text, tzinfos=_FEED_TZINFOS)
        except (ValueError, OverflowError, TypeError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=default_zone)
    if not (1990 <= when.year <= 2200):
        return None
    return when.astimezone(UTC)


# The longest duration anything accepts (a query's since:, an interval): a century. Longer
# ones are typos, and times computed from them would overflow.
MAX_DURATION = 100 * 365.25 * 86400


def parse_duration(text: str | int | float) -> float:
    """Seconds in a duration such as 90, "90s", "5m", "2h", "1d" or "1h30m" (at most a
    century: ValueError beyond)."""
    if isinstance(text, bool):
        raise ValueError(f"not a duration: {text!r}")
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


def parse_size(text: str | int) -> int:
    """Bytes in a size such as 15000000, "15MB", "512KB" or "1GiB"."""
    if isinstance(text, bool):
        raise ValueError(f"not a size: {text!r}")
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


def since_spec(text: str, now: datetime, default_zone: tzinfo) -> datetime:
    """The instant of a query's since:/before: value: "6h", "2d", or a date like 2025-10-24.
    ValueError for anything else, out-of-range values included (never an OverflowError)."""
    if re.fullmatch(r"[\d.\s]+[a-z][\da-z.\s]*", text.strip().lower()):
        seconds = parse_duration(text)  # a duration, or a ValueError that says what is wrong
        try:
            return now - timedelta(seconds=seconds)
        except OverflowError:
            raise ValueError(f"{text!r} reaches before the year 1") from None
    try:
        day = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is neither a duration (6h, 2d) nor a date (2025-10-24)"
        ) from exc
    if day.tzinfo is None:
        day = day.replace(tzinfo=default_zone)
    try:
        return day.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"{text!r} is out of the range of dates") from None
