"""Event times as people write them: the exact UTC instant, or a refusal that shows readings.

The clock is frozen at Friday 2025-10-24 17:00 in Seoul (08:00 UTC); times without a zone
are in Asia/Seoul unless a row says otherwise.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fetchers.eventtime import EventTimeError, parse_event_time

NOW = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
SEOUL = "Asia/Seoul"
NEW_YORK = "America/New_York"

READ = [
    # ISO 8601, week dates, Unix time
    ("2025-10-31T09:00:00+09:00", SEOUL, None, "2025-10-31T00:00:00"),
    ("2025-10-31T00:00:00Z", SEOUL, None, "2025-10-31T00:00:00"),
    ("2025-10-31 09:00", SEOUL, None, "2025-10-31T00:00:00"),
    ("2025-W44-5", SEOUL, None, "2025-10-30T15:00:00"),
    ("2025W445T09:00", SEOUL, None, "2025-10-31T00:00:00"),
    ("1761868800", SEOUL, None, "2025-10-31T00:00:00"),
    # words, with and without a year, zones
    ("Oct 31, 2025 9am KST", NEW_YORK, None, "2025-10-31T00:00:00"),
    ("31 October 2025", SEOUL, None, "2025-10-30T15:00:00"),
    ("October 31", SEOUL, None, "2025-10-30T15:00:00"),
    ("March 3", SEOUL, None, "2026-03-02T15:00:00"),
    ("Nov 3, 2026 8am KST", None, None, "2026-11-02T23:00:00"),
    ("3 November 2026", SEOUL, None, "2026-11-02T15:00:00"),
    ("Oct 30, 2025 2pm CST", None, None, "2025-10-30T06:00:00"),
    ("Oct 30, 2025 9:00 ET", None, None, "2025-10-30T13:00:00"),
    ("Nov 5, 2025 9:00 ET", None, None, "2025-11-05T14:00:00"),
    ("Nov 5, 2025 9:00 EST", None, None, "2025-11-05T14:00:00"),
    ("Jul 4, 2026 9:00 PDT", None, None, "2026-07-04T16:00:00"),
    ("Dec 1, 2025 9:00 PT", None, None, "2025-12-01T17:00:00"),
    ("Oct 31, 2025 10:00 CET", None, None, "2025-10-31T09:00:00"),
    ("Oct 31, 2025 09:00 GMT", SEOUL, None, "2025-10-31T09:00:00"),
    ("Oct 31, 2025 09:00 UTC+9", NEW_YORK, None, "2025-10-31T00:00:00"),
    ("Oct 31, 2025 09:00 GMT-5", SEOUL, None, "2025-10-31T14:00:00"),
    ("2025-10-31 09:00 Europe/Paris", SEOUL, None, "2025-10-31T08:00:00"),
    ("Tue Oct 28 2025 10:00", SEOUL, None, "2025-10-28T01:00:00"),
    ("Oct 28 2025 10:00 +0530", SEOUL, None, "2025-10-28T04:30:00"),
    ("2026-11-01 01:30 EST", NEW_YORK, None, "2026-11-01T06:30:00"),
    # numeric dates that read one way, or are settled by date_order
    ("25/12/2025", SEOUL, None, "2025-12-24T15:00:00"),
    ("12/25/2025", SEOUL, None, "2025-12-24T15:00:00"),
    ("03/11/2025", SEOUL, "dmy", "2025-11-02T15:00:00"),
    ("03/11/2025", SEOUL, "mdy", "2025-03-10T15:00:00"),
    ("03/11/25 14:00", SEOUL, "dmy", "2025-11-03T05:00:00"),
    ("25/12", SEOUL, None, "2025-12-24T15:00:00"),  # no year: the next such date
    ("12-25 14:00", SEOUL, None, "2025-12-25T05:00:00"),
    ("5/5", SEOUL, None, "2026-05-04T15:00:00"),
    ("3/11", SEOUL, "dmy", "2025-11-02T15:00:00"),
    ("3-11 9am", SEOUL, "mdy", "2026-03-11T00:00:00"),
    ("25 12 2025", SEOUL, None, "2025-12-24T15:00:00"),  # parted by spaces, one reading
    ("3 11 2026", SEOUL, "dmy", "2026-11-02T15:00:00"),
    # a time alone: the next time the clock shows it
    ("18:30", SEOUL, None, "2025-10-24T09:30:00"),
    ("9am", SEOUL, None, "2025-10-25T00:00:00"),
    ("8:00 JST", SEOUL, None, "2025-10-24T23:00:00"),
    ("noon", SEOUL, None, "2025-10-25T03:00:00"),
    # relative phrases
    ("in 2 weeks", SEOUL, None, "2025-11-07T08:00:00"),
    ("in 90 minutes", SEOUL, None, "2025-10-24T09:30:00"),
    ("in an hour", SEOUL, None, "2025-10-24T09:00:00"),
    ("tomorrow 8:30", SEOUL, None, "2025-10-24T23:30:00"),
    ("today 18:00", SEOUL, None, "2025-10-24T09:00:00"),
    ("yesterday 9am", SEOUL, None, "2025-10-23T00:00:00"),  # an event that just passed
    ("9am yesterday", SEOUL, None, "2025-10-23T00:00:00"),
    ("next Tuesday", SEOUL, None, "2025-10-27T15:00:00"),
    ("Wednesday 2pm", SEOUL, None, "2025-10-29T05:00:00"),
    # the time before its day (a weekday after a time alone was dropped: "9am Wednesday"
    # counted down to tomorrow's 9am)
    ("2pm Wednesday", SEOUL, None, "2025-10-29T05:00:00"),
    ("9am, Wednesday", SEOUL, None, "2025-10-29T00:00:00"),
    ("3pm on Monday", SEOUL, None, "2025-10-27T06:00:00"),
    ("noon tomorrow", SEOUL, None, "2025-10-25T03:00:00"),
    ("8:30 tomorrow", SEOUL, None, "2025-10-24T23:30:00"),
    ("noon next Tuesday", SEOUL, None, "2025-10-28T03:00:00"),
    # noon with a date
    ("Oct 31 noon", SEOUL, None, "2025-10-31T03:00:00"),
    ("noon Oct 31, 2025", SEOUL, None, "2025-10-31T03:00:00"),
    ("2025-10-31 midday", SEOUL, None, "2025-10-31T03:00:00"),
    # "12 noon" is noon (the 12 left beside the time was read as a year or a day)
    ("Oct 31 12 noon", SEOUL, None, "2025-10-31T03:00:00"),
    ("12 noon Oct 31", SEOUL, None, "2025-10-31T03:00:00"),
    ("12 noon tomorrow", SEOUL, None, "2025-10-25T03:00:00"),
    # Korean
    ("2025년 10월 29일 오후 2시", SEOUL, None, "2025-10-29T05:00:00"),
    ("2025년 10월 29일 오후 2시", None, None, "2025-10-29T14:00:00"),  # the system zone: UTC
    ("2025년 10월 29일 (수) 오후 2시 30분", SEOUL, None, "2025-10-29T05:30:00"),
    ("10월 31일 (금) 오전 9시", SEOUL, None, "2025-10-31T00:00:00"),
    ("10월 31일 금요일 오전 9시 반", SEOUL, None, "2025-10-31T00:30:00"),
    ("내일 오후 3시", SEOUL, None, "2025-10-25T06:00:00"),
]

REFUSED = [
    ("03/11/2025", SEOUL, "reads two ways: 2025-11-03 (day first) or 2025-03-11 (month first)"),
    ("03/11/25", SEOUL, "three short numbers"),
    ("3/11", SEOUL, "reads two ways: 2025-11-03 (day first) or 2026-03-11 (month first)"),
    ("3-11", SEOUL, "reads two ways: 2025-11-03 (day first) or 2026-03-11 (month first)"),
    # numbers parted by spaces read as many ways (they were guessed month-first)
    ("3 11", SEOUL, "reads two ways: 2025-11-03 (day first) or 2026-03-11 (month first)"),
    ("3 11 2026 09:00", SEOUL, "reads two ways: 2026-11-03 (day first) or 2026-03-11"),
    ("1 2 3", SEOUL, "three short numbers"),
    ("12 11 10", SEOUL, "three short numbers"),
    ("Tue 3/11 9am", SEOUL, "reads two ways: 2025-11-03 (day first) or 2026-03-11"),
    ("13/13", SEOUL, "not a real date"),
    ("Jul 4, 2026 9:00 EST", None, "America/New_York keeps EDT"),
    ("Jul 1, 2026 10:00 CET", None, "Europe/Paris keeps CEST"),
    (
        "next Saturday",
        SEOUL,
        "names two days: Sat 2025-10-25 (the coming Saturday) or Sat 2025-11-01",
    ),
    ("this Wednesday", SEOUL, "names two days"),
    ("9am Friday", SEOUL, "names two days: Fri 2025-10-24 (today) or Fri 2025-10-31"),
    # midnight of a day is the night before it or the night after it
    ("midnight Monday", SEOUL, "reads two ways: Mon 2025-10-27 00:00 (as the day starts) or Tue"),
    ("tomorrow midnight", SEOUL, "reads two ways: Sat 2025-10-25 00:00"),
    ("Oct 31 midnight", SEOUL, "reads two ways: Fri 2025-10-31 00:00 (as the day starts) or Sat"),
    ("midnight Jan 1", SEOUL, "reads two ways: Thu 2026-01-01 00:00"),
    ("Friday", SEOUL, "names two days: Fri 2025-10-24 (today) or Fri 2025-10-31"),
    ("Wed Oct 28 2025 10:00", SEOUL, "2025-10-28 is a Tuesday, not a Wednesday"),
    ("10월 31일 (목) 오전 9시", SEOUL, "is a Friday, not a Thursday"),
    ("2025년 10월 29일 2시", SEOUL, "reads two ways: 2:00 (오전) or 14:00 (오후)"),
    ("February 30 2026", SEOUL, "not a real date"),
    ("25:00", SEOUL, "not a time of day"),
    ("2026-03-08 02:30", NEW_YORK, "does not exist"),
    ("2026-11-01 01:30", NEW_YORK, "happens twice"),
    ("banana", SEOUL, "not a date"),
    ("Nov 1, 2025 9am K", SEOUL, "'K' is not a zone or date word"),
    ("soon", SEOUL, "not a date"),
    ("", SEOUL, "empty"),
]


@pytest.mark.parametrize(("text", "tz", "order", "expected"), READ)
def test_reads(text: str, tz: str | None, order: str | None, expected: str) -> None:
    when = parse_event_time(text, tz, NOW, order)
    assert when.tzinfo is not None
    assert when.astimezone(UTC).replace(tzinfo=None).isoformat() == expected


@pytest.mark.parametrize(("text", "tz", "reason"), REFUSED)
def test_refuses_with_the_readings(text: str, tz: str | None, reason: str) -> None:
    with pytest.raises(EventTimeError) as caught:
        parse_event_time(text, tz, NOW)
    assert reason in str(caught.value)


def test_the_table_is_big_enough() -> None:
    assert len(READ) + len(REFUSED) >= 40
