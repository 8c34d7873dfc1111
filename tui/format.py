"""Short human forms of times shared by the CLI and the dashboard."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Literal

from rich.cells import cell_len, set_cell_size

from fetchers.models import AHEAD_ALLOWED, CLOCK_SKEW
from fetchers.text import strip_controls
from fetchers.timeparse import local_zone, zone

RECENT_DAYS = 180  # an article this recent is dated by day and month ("Nov 30")
AGE_WIDTH = 6  # the widest age() is "Nov 30" or "Oct'25"


# Unicode's Extended_Pictographic ranges (emoji-data.txt): the characters a joiner (U+200D)
# binds into one emoji ("👨‍👩‍👧‍👦")
# fmt: off
_PICTOGRAPHIC = (
    (0xA9, 0xA9), (0xAE, 0xAE), (0x203C, 0x203C), (0x2049, 0x2049), (0x2122, 0x2122),
    (0x2139, 0x2139), (0x2194, 0x2199), (0x21A9, 0x21AA), (0x231A, 0x231B), (0x2328, 0x2328),
    (0x2388, 0x2388), (0x23CF, 0x23CF), (0x23E9, 0x23F3), (0x23F8, 0x23FA), (0x24C2, 0x24C2),
    (0x25AA, 0x25AB), (0x25B6, 0x25B6), (0x25C0, 0x25C0), (0x25FB, 0x25FE), (0x2600, 0x2605),
    (0x2607, 0x2612), (0x2614, 0x2685), (0x2690, 0x2705), (0x2708, 0x2712), (0x2714, 0x2714),
    (0x2716, 0x2716), (0x271D, 0x271D), (0x2721, 0x2721), (0x2728, 0x2728), (0x2733, 0x2734),
    (0x2744, 0x2744), (0x2747, 0x2747), (0x274C, 0x274C), (0x274E, 0x274E), (0x2753, 0x2755),
    (0x2757, 0x2757), (0x2763, 0x2767), (0x2795, 0x2797), (0x27A1, 0x27A1), (0x27B0, 0x27B0),
    (0x27BF, 0x27BF), (0x2934, 0x2935), (0x2B05, 0x2B07), (0x2B1B, 0x2B1C), (0x2B50, 0x2B50),
    (0x2B55, 0x2B55), (0x3030, 0x3030), (0x303D, 0x303D), (0x3297, 0x3297), (0x3299, 0x3299),
    (0x1F000, 0x1F0FF), (0x1F10D, 0x1F10F), (0x1F12F, 0x1F12F), (0x1F16C, 0x1F171),
    (0x1F17E, 0x1F17F), (0x1F18E, 0x1F18E), (0x1F191, 0x1F19A), (0x1F1AD, 0x1F1E5),
    (0x1F201, 0x1F20F), (0x1F21A, 0x1F21A), (0x1F22F, 0x1F22F), (0x1F232, 0x1F23A),
    (0x1F23C, 0x1F23F), (0x1F249, 0x1F3FA), (0x1F400, 0x1F53D), (0x1F546, 0x1F64F),
    (0x1F680, 0x1F6FF), (0x1F774, 0x1F77F), (0x1F7D5, 0x1F7FF), (0x1F80C, 0x1F80F),
    (0x1F848, 0x1F84F), (0x1F85A, 0x1F85F), (0x1F888, 0x1F88F), (0x1F8AE, 0x1F8FF),
    (0x1F90C, 0x1F93A), (0x1F93C, 0x1F945), (0x1F947, 0x1FAFF), (0x1FC00, 0x1FFFD),
)
# fmt: on
_PICTOGRAPH = "[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in _PICTOGRAPHIC) + "]"
# what makes Rich measure an emoji otherwise than a terminal drawing one cell per code point
# (tmux, xterm, VTE: glibc's wcwidth): variation selectors, skin-tone modifiers, joiners
_EMOJI_PARTS = re.compile("[\ufe0e\ufe0f\u200d\U0001f3fb-\U0001f3ff]")
_VARIANTS = dict.fromkeys([0xFE0E, 0xFE0F, *range(0x1F3FB, 0x1F400)])
_EMOJI_JOINER = re.compile(f"(?<={_PICTOGRAPH})\u200d(?={_PICTOGRAPH})")


UNITS = (("d", 86400), ("h", 3600), ("m", 60))


def duration(seconds: float, finest: Literal["second", "minute"] = "second") -> str:
    """A span of time in its largest whole unit: "45s", "12m", "3h", "2d".

    With `finest="minute"` anything under a minute is "<1m": a status line that changed every
    second would be sent to the terminal again every second. A span under nothing is "0s"
    ("<1m"): a time said "ago" that lies after the clock is told by `ahead` first."""
    whole = max(0, int(seconds))
    for unit, size in UNITS:
        if whole >= size:
            return f"{whole // size}{unit}"
    return f"{whole}s" if finest == "second" else "<1m"


def ahead(when: datetime, now: datetime) -> str | None:
    """How far `when` lies after `now` ("1d"), when by more than CLOCK_SKEW: a poll dated
    after the clock (it went back, or --now is earlier than the polls), which "polled <1m
    ago" said had just been; None for a time the clock has reached."""
    seconds = (when - now).total_seconds()
    return duration(seconds, "minute") if seconds > CLOCK_SKEW else None


def lag(seconds: float) -> str:
    """How far behind the first report a source is: two units where the larger is under a
    day's worth ("1h51m", "2d5h"), so lags of one hour and of nearly two are told apart
    (`duration` gave both "1h")."""
    whole = max(0, int(seconds))
    for (unit, size), (small, part) in zip(UNITS, UNITS[1:], strict=False):
        if whole >= size:
            rest = (whole % size) // part
            return f"{whole // size}{unit}{rest}{small}" if rest else f"{whole // size}{unit}"
    return duration(whole)


def age(when: datetime | None, now: datetime, local: tzinfo) -> str:
    """ "now", "4m", "3h", then "Nov 30" for half a year, then "Oct'25": how long ago an
    article was published, never wider than AGE_WIDTH, so the columns after it stay in line.
    A time ahead of `now` (a clock frozen with --now before the articles) by its date, as an
    old one: "now" would say it had just come; but one ahead by no more than a feed's clock
    may run fast (`AHEAD_ALLOWED`, which the store keeps as published) is "now": the newest
    headline read as today's date, as if it were old."""
    if when is None:
        return "—"
    seconds = (now - when).total_seconds()
    if -AHEAD_ALLOWED.total_seconds() <= seconds < 60:
        return "now"
    if 0 < seconds < 86400:
        return duration(seconds)
    moment = when.astimezone(local)
    if abs(seconds) < RECENT_DAYS * 86400:  # (across New Year too: "Dec 30", not "Dec'25")
        return moment.strftime("%b %d")
    return moment.strftime("%b'%y")


def first_reported(first_seen: float, now: datetime, local: tzinfo) -> str:
    """When a story was first reported, as its row says it: "first 5h ago" up to "first 99d
    ago", then by its date ("first Sep'24"), which fits the same column, as is a time ahead
    of `now`; "first ? ago" when no time is known (0)."""
    if not first_seen:
        return "first ? ago"
    seconds = now.timestamp() - first_seen
    if 0 <= seconds < 100 * 86400:
        return f"first {duration(seconds, 'minute')} ago"
    # long ago, or ahead of a clock frozen with --now before it: by its date, as `age`
    # says it ("first <1m ago" said it had just come)
    return f"first {age(datetime.fromtimestamp(first_seen, UTC), now, local)}"


def time_left(seconds: float) -> str:
    """T-6d 23:14:05 before, T+2h 03:00:10 after."""
    sign = "-" if seconds >= 0 else "+"
    total = int(abs(seconds))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours:02d}:{minutes:02d}:{secs:02d}"
    return f"T{sign}{days}d {clock}" if days else f"T{sign}{clock}"


def clock_turns(when: datetime, now: datetime) -> datetime:
    """The instant after which the time left to `when` may take another shape: `time_left`
    another length (a digit of days more or fewer, the days gone or come) or the countdown
    another colour (under a day, under an hour, past). Until then only its digits change, and
    a list of events keeps each row's lines and the clock column its width: a second's tick
    draws again the events shown, not every event. Past it, `clock_turns` from then says
    the next one (a clock set back: lay out again whenever `now` is before the last layout)."""
    seconds = (when - now).total_seconds()
    if seconds >= 0:  # each shape holds from its bound up: one changes once below it
        days = int(seconds) // 86400
        bound = 86400 * 10 ** (len(str(days)) - 1) if days else 3600 if seconds >= 3600 else 0
        return when - timedelta(seconds=bound)
    # past, a shape holds up to its bound, and changes once `when` is that far behind
    days = int(-seconds) // 86400
    bound = 86400 * 10 ** (len(str(days)) if days else 0)
    try:
        return when + timedelta(seconds=bound) - timedelta(microseconds=1)
    except OverflowError:  # (past the calendar's end, which no clock reaches: never)
        return datetime.max.replace(tzinfo=UTC)


def event_zone(name: str, local: tzinfo | None = None) -> tzinfo:
    """An event's zone; "local" (an event given none) is the reader's (`local`: the
    settings' zone as read), else the system's."""
    if name in ("", "local"):
        return local if local is not None else local_zone(None)
    return zone(name)


def wall(when: datetime, tz: tzinfo) -> str:
    moment = when.astimezone(tz)
    label = moment.tzname() or ""
    return f"{moment.strftime('%a %Y-%m-%d %H:%M')} {label}".strip()


def wall_short(when: datetime, tz: tzinfo, now: datetime) -> str:
    """The weekday alone while it names a day of the coming week ("Tue 09:00 KST"); the day
    and month after it otherwise ("Tue 15 Dec 09:00 KST"), and the year when not this one."""
    moment = when.astimezone(tz)
    today = now.astimezone(tz).date()
    label = moment.tzname() or ""
    if 0 <= (moment.date() - today).days < 7:
        day = moment.strftime("%a")
    elif moment.year == today.year:
        day = f"{moment:%a} {moment.day} {moment:%b}"
    else:
        day = f"{moment:%a} {moment.day} {moment:%b %Y}"
    return f"{day} {moment:%H:%M} {label}".strip()


def fit(text: str, cells: int) -> str:
    """`text` in exactly `cells` cells: padded, or cut with an ellipsis (`clipped`)."""
    return set_cell_size(clipped(text, cells), cells)


def fit_middle(text: str, cells: int) -> str:
    """`text` in exactly `cells` cells: padded, or cut in the middle with an ellipsis, its
    end kept ("Reuters Worl…ss News (5)"): names imported twice differ at the end, and a cut
    end said "Reuters World Busine…" for each."""
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    if cells < 5:
        return fit(text, cells)
    tail = (cells - 1) // 2
    end = text[-tail:]
    while cell_len(end) > tail:  # (a wide letter is two cells)
        end = end[1:]
    return set_cell_size(set_cell_size(text, cells - 1 - cell_len(end)) + "…" + end, cells)


def clipped(text: str, cells: int) -> str:
    """`text` cut to at most `cells` cells, ending in an ellipsis when it was cut (never
    padded): a feed's headline in a notification, which would otherwise fill the screen."""
    return text if cell_len(text) <= cells else set_cell_size(text, cells - 1) + "…"


def drawn(text: str) -> str:
    """`text` as the dashboard draws it, in as many cells as Rich measures it: Rich counts an
    emoji sequence ("👨‍👩‍👧‍👦", "✔️", "👍🏽", "1️⃣") as one wide character, tmux, xterm and VTE
    draw each code point in its own cells (glibc's wcwidth), and the pane's border moved.
    Without variation selectors, skin-tone modifiers and joiners between emoji, both count
    the same; a joiner in Indic or Persian words stays. Text without them as it is."""
    if text.isascii() or _EMOJI_PARTS.search(text) is None:
        return text
    text = text.translate(_VARIANTS)
    return _EMOJI_JOINER.sub("", text) if "\u200d" in text else text


def shown_line(text: str) -> str:
    """`text` as one line a terminal can be given: a store another program wrote or edited
    holds what the feeds' cleaning never saw (escape sequences set the window's title, a
    line break split a row); emoji as `drawn`; the usual printable text as it is."""
    if text.isascii():
        return text if text.isprintable() else " ".join(strip_controls(text).split())
    return drawn(text if text.isprintable() else " ".join(strip_controls(text).split()))


def shown_head(text: str, cells: int) -> str:
    """The start of `text` as a row shows it (`shown_line`), wider than `cells` cells when
    the whole is, so that cutting it to `cells` adds the ellipsis. Sliced rather than whole
    for a headline of megabytes; the slice grows while combining marks (several to a letter,
    or Zalgo) or joined emoji leave it narrower than the row, which cut it with no "…"."""
    end = max(1, cells) * 2
    while True:
        head = shown_line(text[:end])
        if end >= len(text) or cell_len(head) > cells:
            return head
        end *= 2
