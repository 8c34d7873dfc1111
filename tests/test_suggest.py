"""Countdowns suggested by article text, read against the publication time, never today."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from fetchers.config import seeds_dir
from fetchers.models import Event
from fetchers.suggest import suggest

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
