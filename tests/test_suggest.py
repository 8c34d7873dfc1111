"""Countdowns suggested by article text, read against the publication time, never today."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fetchers.config import load_config, seeds_dir
from fetchers.models import Event
from fetchers.suggest import scan, suggest

SEOUL = ZoneInfo("Asia/Seoul")
PUBLISHED = datetime(2025, 10, 24, 16, 5, tzinfo=SEOUL)  # Friday


def names_and_days(text: str, known: list[Event] | None = None) -> list[tuple[str, str]]:
    found = suggest(text, PUBLISHED, SEOUL, "Asia/Seoul", known or [])
    return [(s.name, s.when.astimezone(SEOUL).strftime("%a %Y-%m-%d %H:%M")) for s in found]


def test_the_seed_story_suggests_the_summit_week_and_the_arrival() -> None:
    text = (seeds_dir() / "000_8890db16bdd93803.txt").read_text("utf-8")
    assert names_and_days(text) == [
        ("Asia-Pacific Economic Cooperation summit", "Mon 2025-10-27 00:00"),
        ("President Donald Trump arrives in Busan", "Wed 2025-10-29 00:00"),
    ]


def test_dates_and_times_in_the_sentence() -> None:
    assert names_and_days(
        "Officials said the tariff deadline on Oct. 31 at 2 p.m. would not move. "
        "Lee will meet Xi in Gyeongju on Saturday."
    ) == [
        ("tariff deadline", "Fri 2025-10-31 14:00"),
        ("Lee meets Xi in Gyeongju", "Sat 2025-10-25 00:00"),
    ]


def test_events_already_counted_down_to_are_not_suggested_again() -> None:
    summit = Event("Trump–Lee summit", datetime(2025, 10, 29, 5, tzinfo=UTC), "Asia/Seoul")
    text = "The White House said Trump will arrive in Busan on Wednesday for talks."
    assert names_and_days(text) == [("Trump arrives in Busan", "Wed 2025-10-29 00:00")]
    assert names_and_days(text, [summit]) == []


def test_past_days_and_vague_nouns_suggest_nothing() -> None:
    assert names_and_days("The talks on Friday went well, officials said on record.") == []
    assert names_and_days("The summit was held in 2019 and nobody came back.") == []


def test_a_day_tied_to_a_past_tense_verb_suggests_nothing() -> None:
    """ "met ... on Monday" happened; read forward it became a countdown to the next Monday."""
    text = "Officials from both sides met for three hours on Monday and agreed to continue talks."
    assert names_and_days(text) == []
    assert (
        "no sentence says an event is to come"
        in scan(text, PUBLISHED, SEOUL, "Asia/Seoul", []).why_none()
    )


def test_the_day_of_the_future_verb_is_taken_not_the_first_day_named() -> None:
    text = (
        "After officials met on Monday, the White House said Trump will arrive in Busan on "
        "Wednesday."
    )
    assert names_and_days(text) == [("Trump arrives in Busan", "Wed 2025-10-29 00:00")]
    assert names_and_days(
        "Officials said on Monday that the APEC summit will be held on Thursday in Gyeongju."
    ) == [("APEC summit", "Thu 2025-10-30 00:00")]
    assert names_and_days("The APEC summit opened on Monday and will close on Saturday.") == [
        ("APEC summit", "Sat 2025-10-25 00:00")
    ]


def test_without_a_suggestion_the_reason_names_the_events_already_counted_down_to() -> None:
    config = load_config(seeds_dir() / "wirewatch.toml", PUBLISHED)
    text = (seeds_dir() / "000_8890db16bdd93803.txt").read_text("utf-8")
    found = scan(text, PUBLISHED, SEOUL, "Asia/Seoul", config.events)
    assert found.found == []
    reason = found.why_none()
    assert reason.startswith("What this article looks forward to is already events")
    assert "Trump–Lee summit, Gyeongju" in reason
    assert "APEC Economic Leaders' Meeting, Gyeongju" in reason


def test_a_reader_with_no_zone_configured_gets_suggestions_in_the_systems() -> None:
    """No `[settings] timezone` (it is optional): an article saying "on Wednesday" raised
    "unknown time zone 'local'", and the article never opened in the dashboard."""
    from fetchers.timeparse import local_zone

    found = scan(
        "Trump will arrive on Wednesday for talks.",
        datetime(2025, 10, 24, tzinfo=UTC),
        local_zone(None),
        "local",
        [],
    )
    assert [s.name for s in found.found] == ["Trump arrives"]


def test_a_headline_of_what_is_to_come_suggests_its_day() -> None:
    """Headlines say what is to come without "will": "Trump to arrive in Gyeongju on
    Wednesday" suggested no countdown."""
    text = "Trump to arrive in Gyeongju on Wednesday"
    assert names_and_days(text) == [("Trump arrives in Gyeongju", "Wed 2025-10-29 00:00")]
    assert names_and_days("Fed to hold rate meeting on Wednesday") != []
    assert names_and_days("Lee went to Tokyo on Wednesday") == []  # what was, not what is to be


def test_a_sentence_naming_the_event_by_its_kind_is_named_by_who_holds_it() -> None:
    """ "The committee will hold a hearing on Tuesday": "a hearing" alone was refused as
    naming nothing, and `c` said no sentence had "will" in it."""
    text = (
        "The National Assembly's trade committee will hold a hearing on the agreement on"
        " Tuesday, its chairman said late on Sunday."
    )
    assert names_and_days(text) == [
        ("National Assembly's trade committee hearing", "Tue 2025-10-28 00:00")
    ]
    assert names_and_days("The committee will hold a hearing on Tuesday.") == [
        ("committee hearing", "Tue 2025-10-28 00:00")
    ]
    assert names_and_days("The talks will resume on Monday.") == []  # names nothing
    assert names_and_days("It will hold a vote on Monday.") == []  # whose, it does not say
    said = scan(
        "It will hold a vote on Monday.",
        datetime(2025, 10, 24, tzinfo=UTC),
        SEOUL,
        "Asia/Seoul",
        [],
    ).why_none()
    assert "names no event to count down to" in said


def test_another_event_on_the_same_day_leaves_the_suggestion_be() -> None:
    """Any event counted down to on that day was taken for the article's: with "OPEC
    meeting" on Thursday, "Lee will meet Trump on Thursday" suggested nothing, and
    said it was already an event. An event of that day sharing its name's words still is."""
    text = "President Lee will meet Trump on Thursday in Gyeongju for a summit on tariffs."
    thursday = datetime(2025, 10, 30, 12, 0, tzinfo=SEOUL)
    opec = Event("OPEC meeting", thursday.astimezone(UTC), "Asia/Seoul", query="oil")
    found = scan(text, PUBLISHED, SEOUL, "Asia/Seoul", [opec])
    assert [s.when.astimezone(SEOUL).date() for s in found.found] == [thursday.date()]
    assert found.already == []
    summit = Event("Trump–Lee summit, Gyeongju", thursday.astimezone(UTC), "Asia/Seoul")
    again = scan(text, PUBLISHED, SEOUL, "Asia/Seoul", [opec, summit])
    assert again.found == [] and again.already == [summit]
