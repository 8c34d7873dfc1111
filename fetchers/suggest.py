"""Countdowns suggested by an article: a named event and a day the text ties to it.

"the APEC summit next week", "Trump will arrive in Busan on Wednesday", "talks on Oct. 31 at
2 p.m." are read against the article's publication time in the reader's zone, never against
today. Only what the text says is to come counts: a sentence in the future tense or with a
schedule word ("will", "is set to", "scheduled for", "next week"), and never a day a past-tense
verb is tied to ("met for three hours on Monday"). A suggestion is only offered: the user
accepts it (or not) in the event form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
    r"is expected to|plans to|to)\s+(arrive|visit|land|travel|attend|hold|meet)\b([^.;]{0,80}?)"
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
# Future tense or a schedule: the sentence says something is to come.
_FUTURE = re.compile(
    r"\b(?:will|would|shall|(?:is|are|was|were)\s+to|(?:is|are|was|were)\s+(?:set|scheduled|"
    r"slated|expected|due|poised|planned|planning|going)\b|scheduled|slated|upcoming|plans?\s+to|"
    r"to\s+be\s+held|ahead\s+of)\b"
    # a headline's "Trump to arrive", "Fed to cut rates": its subject, then "to" and a verb
    r"|^\s*(?:(?-i:[A-Z])[\w'’.&-]*\s+){1,4}to\s+(?-i:[a-z]+)\b",
    re.I,
)
_FORWARD = re.compile(r"\b(?:next|coming|this\s+coming)\s+$", re.I)  # "next Monday"
# Past-tense verbs a day is often tied to ("met on Monday", "said on Friday"); regular ones end
# in -ed. After "be"/"been"/"to" they are passives of things to come ("will be held on").
_PAST = re.compile(
    r"^(?:met|held|said|told|went|came|took|saw|began|spoke|made|gave|left|ran|won|lost|fell|"
    r"rose|sat|got|found|brought|sought|struck|broke|flew|wrote|chose|led)$"
)
NOT_PAST = {"scheduled", "planned", "slated", "expected", "proposed", "needed"}
PASSIVE = {"be", "been", "being", "to"}
PRONOUNS = {"it", "he", "she", "they", "we", "i", "you", "this", "that", "there", "who"}
DETERMINERS = {"the", "a", "an", "its", "their", "his", "her", "this", "these", "those"}
_CLOCK = re.compile(r"\bat\s+(\d{1,2}(?::\d{2})?\s*(?:a\.?m\.?|p\.?m\.?)|\d{1,2}:\d{2})", re.I)


@dataclass(slots=True, frozen=True)
class Suggestion:
    name: str
    when: datetime  # UTC
    when_text: str  # what the event form is filled with: absolute, in `tz`
    tz: str
    approximate: bool  # "next week": the week's Monday, to be set by the user


@dataclass(slots=True)
class Suggestions:
    """What an article suggests, and the events it names that are already counted down to."""

    found: list[Suggestion] = field(default_factory=list)
    already: list[Event] = field(default_factory=list)
    undated: bool = False  # no publication time to read "on Wednesday" against
    unnamed: bool = False  # a sentence says something is to come on a day, naming no event

    def why_none(self) -> str:
        """Why there is nothing to suggest, for a user who asked for a suggestion."""
        if self.found:
            return ""
        if self.undated:
            return "This article has no publication time to read its days against."
        if self.already:
            names = "; ".join(dict.fromkeys(e.name for e in self.already))
            events = "an event" if len(self.already) == 1 else "events"
            return f"What this article looks forward to is already {events}: {names}."
        if self.unnamed:
            return (
                "This article suggests no countdown: a sentence says something is to come on"
                " a given day, but names no event to count down to (a summit, a hearing, a"
                " vote…)."
            )
        return (
            "This article suggests no countdown: no sentence says an event is to come on a "
            'given day ("will", "is set to", "scheduled for", "next week").'
        )


def suggest(
    text: str,
    published: datetime,
    zone: tzinfo,
    zone_name: str,
    known: list[Event],
    limit: int = 3,
) -> list[Suggestion]:
    """Suggestions from an article's text, leaving out events already counted down to."""
    return scan(text, published, zone, zone_name, known, limit).found


def scan(
    text: str,
    published: datetime,
    zone: tzinfo,
    zone_name: str,
    known: list[Event],
    limit: int = 3,
) -> Suggestions:
    """Suggestions from an article's text, and the known events it names."""
    out = Suggestions()
    for sentence in _sentences(text):
        found = _from_sentence(sentence, published, zone, zone_name)
        if found is None:
            out.unnamed = out.unnamed or _scheduled_day(sentence) is not None
            continue
        if any(s.name == found.name for s in out.found):
            continue
        events = _known(found, known, zone)
        if events:
            out.already.extend(e for e in events if e not in out.already)
            continue
        out.found.append(found)
        if len(out.found) >= limit:
            break
    return out


def _sentences(text: str) -> list[str]:
    flat = " ".join(text.split())
    parts = re.split(r"(?<=[.!?”\"])\s+(?=[A-Z“\"])", flat)
    return [p.strip() for p in parts if 20 <= len(p) <= 600]


def _from_sentence(
    sentence: str, published: datetime, zone: tzinfo, zone_name: str
) -> Suggestion | None:
    when_match = _scheduled_day(sentence)
    if when_match is None:
        return None
    arrival = _ARRIVAL.search(sentence)
    if arrival is not None and arrival.group(1).lower() in PRONOUNS:
        arrival = None  # "It will hold a vote": whose, the sentence does not say
    name = (
        _doing(arrival.group(1), arrival.group(2), arrival.group(3))
        if arrival is not None
        else _event_name(sentence)
    )
    if name is None:
        return None
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


def _event_name(sentence: str) -> str | None:
    """The event a sentence says is to come: the first one it names more than by its kind
    ("the APEC summit"); else its kind after the sentence's subject, when the subject is
    what holds it ("The trade committee will hold a hearing": "trade committee hearing";
    "a hearing" alone was refused, and the sentence suggested nothing)."""
    bare: str | None = None
    for event in _EVENT.finditer(sentence):
        name = re.sub(r"^(?:the|a|an)\s+", "", event.group(1), flags=re.I).strip()
        if name.lower() not in NOUNS.split("|"):
            return name
        bare = bare or name.lower()  # "the talks" alone names nothing
    future = _FUTURE.search(sentence)
    if bare is None or future is None:
        return None
    subject = re.sub(r"^(?:the|a|an)\s+", "", sentence[: future.start()].strip(), flags=re.I)
    words = subject.lower().split()
    if not words or len(words) > 5 or words[0] in PRONOUNS or bare in words:
        return None  # ("It will", "Officials said talks will": no holder to name it by)
    return f"{subject} {bare}"


def _scheduled_day(sentence: str) -> re.Match[str] | None:
    """The first day the sentence says something is to happen on, or None."""
    future = _FUTURE.search(sentence) is not None
    for match in _WHEN.finditer(sentence):
        before = sentence[: match.start()]
        forward = bool(match.group("next_week")) or _FORWARD.search(before) is not None
        if (future or forward) and not _after_past_verb(before):
            return match
    return None


def _after_past_verb(before: str) -> bool:
    """A past-tense verb within four words before the day: "met for three hours on Monday".
    A determiner in between ties the day to a noun instead ("said the deadline on Oct. 31")."""
    words = [w.lower() for w in re.findall(r"[A-Za-z’']+", before)]
    for back in range(1, min(4, len(words)) + 1):  # nearest first
        word = words[-back]
        if word in DETERMINERS:
            return False
        if _PAST.match(word) or (len(word) > 4 and word.endswith("ed") and word not in NOT_PAST):
            previous = words[-back - 1] if back < len(words) else ""
            return previous not in PASSIVE
    return False


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


# words an event's name shares with any other's: sharing one says nothing of being the same
_NAME_FILLER = frozenset(
    {"the", "and", "for", "with", "from", "its", "their", "his", "her", "new", "next", "first"}
)


def _name_words(name: str) -> set[str]:
    """The words of an event's name that may tell it from another (three letters or more,
    none of `_NAME_FILLER`)."""
    return {w for w in re.findall(r"\w{3,}", name.lower()) if w not in _NAME_FILLER}


def _known(found: Suggestion, known: list[Event], zone: tzinfo) -> list[Event]:
    """The events already counted down to that this one may be: on that day (or, for "next
    week", in that week) and sharing a word of its name ("OPEC meeting" on the day of "Lee
    and Trump to hold summit" is another event), or named within it."""
    start = found.when.astimezone(zone).date()
    span = 7 if found.approximate else 1
    words = _name_words(found.name)
    out = []
    for event in known:
        if event.when is None:
            continue
        day = event.when.astimezone(zone).date()
        same_day = start <= day < start + timedelta(days=span)
        if (same_day and words & _name_words(event.name)) or (
            found.name.lower() in event.name.lower()
        ):
            out.append(event)
    return out
