"""Countdowns suggested by an article: a named event and a day the text ties to it.

"the APEC summit next week", "Trump will arrive in Busan on Wednesday", "talks on Oct. 31 at
2 p.m." are read against the article's publication time in the reader's zone, never against
today. A suggestion is only offered: the user accepts it (or not) in the event form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from fetchers.eventtime import EventTimeError, parse_event_time
from fetchers.models import Event

NOUNS = (
    r"summit|meeting|talks|negotiations|deadline|conference|forum|election|vote|hearing|"
    r"ceremony|visit|trip|tour|rally|debate|inauguration"
)
_EVENT = re.compile(
    r"((?:(?:the|a|an)\s+)?(?:[A-Z][\w'’&.-]*\s+){0,5}(?:[a-z]+\s+)?(?:" + NOUNS + r"))\b",
    re.UNICODE,
)
_ARRIVAL = re.compile(
    r"\b((?:[A-Z][\w'’.-]+\s+){0,2}[A-Z][\w'’.-]+)\s+(?:will|is set to|is scheduled to|"
    r"is expected to|plans to)\s+(arrive|visit|land|travel|attend|hold|meet)\b([^.;]{0,80}?)"
    r"(?=\s+(?:on|next|this)\s)",
)
WEEKDAY = r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
MONTH = r"Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
_WHEN = re.compile(
    r"\b(?:on\s+)?(?P<weekday>" + WEEKDAY + r")\b"
    r"|\b(?:on\s+)?(?P<month_day>(?:" + MONTH + r")[a-z]*\.?\s+\d{1,2})(?!\d)"
    r"|\b(?:on\s+)?(?P<day_month>\d{1,2}\s+(?:" + MONTH + r")[a-z]*)\b"
    r"|\b(?P<next_week>next week)\b"
)
_CLOCK = re.compile(r"\bat\s+(\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2})", re.I)


@dataclass(slots=True, frozen=True)
class Suggestion:
    name: str
    when: datetime  # UTC
    when_text: str  # what the event form is filled with: absolute, in `tz`
    tz: str
    approximate: bool  # "next week": the week's Monday, to be set by the user


def suggest(
    text: str,
    published: datetime,
    zone: tzinfo,
    zone_name: str,
    known: list[Event],
    limit: int = 3,
) -> list[Suggestion]:
    """Suggestions from an article's text, leaving out events already counted down to."""
    out: list[Suggestion] = []
    for sentence in _sentences(text):
        found = _from_sentence(sentence, published, zone, zone_name)
        if found is None or _known(found, known, zone) or any(s.name == found.name for s in out):
            continue
        out.append(found)
        if len(out) >= limit:
            break
    return out


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", flat)
    return [p.strip() for p in parts if 20 <= len(p) <= 600]


def _from_sentence(
    sentence: str, published: datetime, zone: tzinfo, zone_name: str
) -> Suggestion | None:
    when_match = _WHEN.search(sentence)
    if when_match is None:
        return None
    arrival = _ARRIVAL.search(sentence)
    if arrival is not None:
        name = _doing(arrival.group(1), arrival.group(2), arrival.group(3))
    else:
        event = _EVENT.search(sentence)
        if event is None:
            return None
        name = re.sub(r"^(?:the|a|an)\s+", "", event.group(1), flags=re.I).strip()
        if name.lower() in NOUNS.split("|"):
            return None  # "the talks" alone names nothing
    local_published = published.astimezone(zone)
    clock_match = _CLOCK.search(sentence)
    clock = f" {clock_match.group(1).replace('.', '')}" if clock_match else ""
    approximate = False
    try:
        if when_match.group("next_week"):
            monday = (
                local_published.date()
                - timedelta(days=local_published.weekday())
                + timedelta(days=7)
            )
            when = datetime.combine(monday, time(), tzinfo=zone).astimezone(UTC)
            approximate = True
        else:
            phrase = next(g for g in when_match.groups() if g)
            when = parse_event_time(phrase.rstrip(".") + clock, zone_name, published)
    except EventTimeError:
        return None
    if when <= published:
        return None
    local = when.astimezone(zone)
    when_text = f"{local:%Y-%m-%d %H:%M}" if (clock or not approximate) else f"{local:%Y-%m-%d}"
    return Suggestion(name, when, when_text, zone_name, approximate)


VERBS = {
    "arrive": "arrives",
    "visit": "visits",
    "land": "lands",
    "travel": "travels",
    "attend": "attends",
    "hold": "holds",
    "meet": "meets",
}


def _doing(subject: str, verb: str, rest: str) -> str:
    """ "Trump arrives in Busan", "Lee meets Xi in Gyeongju": short enough for a countdown."""
    if verb in ("arrive", "land", "travel"):
        place = re.search(r"\b(?:in|to|at)\s+(?:[\w\s-]*?\bof\s+)?([A-Z][\w-]+)", rest)
        return f"{subject} {VERBS[verb]}" + (f" in {place.group(1)}" if place else "")
    words = rest.split()[:6]
    return " ".join([subject, VERBS[verb], *words]).strip(" ,")


def _known(found: Suggestion, known: list[Event], zone: tzinfo) -> bool:
    """An event already counted down to on that day (or, for "next week", in that week)."""
    start = found.when.astimezone(zone).date()
    span = 7 if found.approximate else 1
    for event in known:
        if event.when is None:
            continue
        day = event.when.astimezone(zone).date()
        if start <= day < start + timedelta(days=span):
            return True
        if found.name.lower() in event.name.lower():
            return True
    return False
