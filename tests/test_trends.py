"""Velocity: hourly series from the store and the spike statistic on constructed series."""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fetchers import alerting as alerting_module
from fetchers import trends as trends_module
from fetchers.alerthistory import AlertEntry, AlertHistory
from fetchers.alerting import AlertDesk
from fetchers.alertrules import make_rule
from fetchers.config import Config
from fetchers.models import Article, Settings
from fetchers.query import Record, parse_query
from fetchers.store import Store
from fetchers.story import Story
from fetchers.storybook import StoryBook
from fetchers.trends import (
    SPIKE_FLOOR,
    Verdict,
    hourly_counts,
    spike_verdict,
    trends,
    watch_query,
    within,
)
from tests.conftest import ARCHIVE_TITLES, FeedServer, archive_added, stories_file

NOW = datetime(2025, 10, 24, 8, 40, tzinfo=UTC)


def test_a_quiet_term_needs_the_floor_to_spike() -> None:
    assert not spike_verdict([0] * 24 + [SPIKE_FLOOR - 1]).spike
    assert spike_verdict([0] * 24 + [SPIKE_FLOOR]).spike
    assert not spike_verdict([1, 0] * 12 + [4]).spike  # twice its rate, but four articles


def test_an_even_rate_is_judged_by_its_poisson_spread() -> None:
    # 10 an hour, every hour: stdev 0, so the floor on the deviation, sqrt(10), sets the line
    line = 10 + 3 * math.sqrt(10)
    verdict = spike_verdict([10] * 24 + [19])
    assert verdict.threshold == line and not verdict.spike
    assert spike_verdict([10] * 24 + [20]).spike


def test_a_swinging_baseline_raises_the_line() -> None:
    swinging = [2, 30] * 12  # mean 16, stdev 14
    assert not spike_verdict([*swinging, 40]).spike  # would spike an even baseline of 16
    assert spike_verdict([16] * 24 + [40]).spike
    assert spike_verdict([*swinging, 60]).spike  # 16 + 3 x 14 = 58


def test_only_the_last_24_hours_are_the_baseline() -> None:
    old_burst = [50] * 10  # more than a day before: forgotten
    assert spike_verdict([*old_burst, *([1] * 24), 9]).spike


def test_hourly_counts_fall_in_utc_clock_hours() -> None:
    times = [
        NOW.timestamp(),  # the running hour
        (NOW - timedelta(minutes=40)).timestamp(),  # 08:00, still the running hour
        (NOW - timedelta(minutes=41)).timestamp(),  # 07:59, the hour before
        (NOW - timedelta(hours=3)).timestamp(),
        (NOW + timedelta(minutes=5)).timestamp(),  # a feed's clock a little ahead: counted
        (NOW + timedelta(minutes=11)).timestamp(),  # further ahead than a feed's may: not
        (NOW - timedelta(hours=30)).timestamp(),  # before the span
    ]
    assert hourly_counts(times, NOW, 5) == [0, 1, 0, 1, 3]


def _article(n: int, title: str, published: datetime) -> Article:
    return Article(
        id=f"id{n}", source="Yonhap", title=title, published=published, fetched=published
    )


def test_series_come_from_the_store(tmp_path: Path) -> None:
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [_article(n, "Tariff talks", NOW - timedelta(hours=n % 30)) for n in range(60)]
            + [_article(100, "Chip exports", NOW)]
        )
        text = watch_query("tariff")
        (found,) = trends(store, [("tariff", "watch", text, parse_query(text, NOW))], NOW, 48)
    counts = found.counts
    assert len(counts) == 48
    assert counts[-1] == 2 and counts[-2] == 2 and counts[-30] == 2 and counts[-31] == 0
    assert sum(counts) == 60


def test_a_watch_term_holding_quotes_is_found_as_written(tmp_path: Path) -> None:
    """A term that quotes someone finds the quote (its quotes were read as spaces, two of
    them that no text has: none found); one written in curly quotes is the phrase inside
    them (it was an unterminated quote, and `trends` stopped)."""
    said = _article(1, 'Trump: "We\'re far apart" on the deal', NOW)
    other = _article(2, "Missile test: apart, far", NOW)
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch([said, other])
        for term in ('Trump: "We\'re far apart"', "\u201cfar apart\u201d", "far apart"):
            text = watch_query(term)
            (found,) = trends(store, [(term, "watch", text, parse_query(text, NOW))], NOW, 48)
            assert found.counts[-1] == 1, term
    assert watch_query("\u201cfar apart\u201d") == '"far apart"'


def test_a_spike_fires_once_per_term_per_hour(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        # one "tariff" article an hour for a day (line: max(5, 1 + 3 x 1)), then a burst
        old = [_article(n, "Tariff talks", NOW - timedelta(hours=n)) for n in range(1, 25)]
        store.add_batch(old)
        config = Config(
            path=tmp_path / "w.toml",
            settings=Settings(),
            watch_terms=["tariff"],
            alerts=[make_rule({"name": "Chips", "query": "chip"}, NOW)],
        )
        clock = [NOW]
        desk = AlertDesk(config, store, data, lambda: clock[0])
        burst = [_article(100 + n, "Tariff deadline", NOW - timedelta(minutes=n)) for n in range(4)]
        first = desk.check(store.add_batch(burst))
        assert first.entries == []  # 4 this hour
        more = desk.check(store.add_batch([_article(200, "Tariff deal", NOW)]))
        spikes = [e for e in more.entries if e.kind == "spike"]
        assert [(e.alert, e.article, e.notify) for e in spikes] == [("tariff", None, ("terminal",))]
        assert "5 mentions this hour" in spikes[0].title
        again = desk.check(store.add_batch([_article(201, "Tariff deal 2", NOW)]))
        assert again.entries == []  # still the same hour
        clock[0] = NOW + timedelta(hours=1)
        later = desk.check(
            store.add_batch(
                [
                    _article(300 + n, "Tariff news", clock[0] - timedelta(minutes=n))
                    for n in range(9)
                ]
            )
        )
        assert [e.alert for e in later.entries if e.kind == "spike"] == ["tariff"]


def test_the_spike_check_reads_each_closed_hour_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer keeps each term's whole hours from check to check: a check reads the
    articles it was handed and, of the others, only the running hour's (and an hour that
    has just closed), and its series are the ones the store holds."""
    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        # five "tariff" articles in each of the 24 hours before the running one (08:00)
        old = [
            _article(n, "Tariff talks", NOW - timedelta(hours=1 + n // 5, minutes=n % 5))
            for n in range(120)
        ]
        store.add_batch(old)
        config = Config(path=tmp_path / "w.toml", settings=Settings(), watch_terms=["tariff"])
        clock = [NOW]
        desk = AlertDesk(config, store, data, lambda: clock[0])
        read: list[str] = []
        records = store.records

        def counting(ids: Iterable[str]) -> list[Record]:
            ids = list(ids)
            read.extend(ids)
            return records(ids)

        monkeypatch.setattr(store, "records", counting)

        def check(articles: list[Article]) -> tuple[list[AlertEntry], int]:
            read.clear()
            entries = desk.check(store.add_batch(articles)).entries
            return [e for e in entries if e.kind == "spike"], len(read)

        this_hour = [_article(200 + n, "Tariff deal", NOW - timedelta(minutes=n)) for n in range(3)]
        assert check(this_hour) == ([], 3 + 120)  # the first check reads the day
        late = _article(210, "Tariff note", NOW - timedelta(hours=5, minutes=30))  # a closed hour
        more = [_article(220 + n, "Tariff deal", NOW - timedelta(minutes=n)) for n in range(3)]
        assert check([*more, late]) == ([], 4 + 3)  # then the running hour's 3 others alone
        clock[0] = NOW + timedelta(hours=1)
        burst = [
            _article(300 + n, "Tariff news", clock[0] - timedelta(minutes=n)) for n in range(12)
        ]
        spikes, count = check(burst)
        assert count == 12 + 6  # the hour that closed (08:00) is read once; 03:00 is not again
        # the baseline as the store holds it: 23 hours of 5, 08:00's 6 and the late one
        assert [s.title for s in spikes] == ["tariff: 12 mentions this hour (usually 5.1 an hour)"]
        watched = parse_query(watch_query("tariff"), clock[0])
        (series,) = trends(store, [("t", "watch", "", watched)], clock[0], 25)
        assert sum(series.counts[:-1]) == 23 * 5 + 6 + 1 and series.counts[-1] == 12


def test_a_batch_of_closed_hours_alone_counts_in_the_writers_baseline(tmp_path: Path) -> None:
    """A source back after a day down lists two mentions in each of the 24 closed hours,
    none in the running one: no term was due, and the writer's kept baseline never saw
    them, so five more this hour fired "6 mentions this hour (usually 0.0 an hour)" while
    `trends` (the store) said a baseline of 2 and no spike."""
    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        config = Config(path=tmp_path / "w.toml", settings=Settings(), watch_terms=["tariff"])
        desk = AlertDesk(config, store, data, lambda: NOW)
        start = NOW.replace(minute=0)
        assert desk.check(store.add_batch([_article(0, "Tariff talks", start)])).entries == []
        back = [
            _article(100 + 2 * h + k, "Tariff roundup", start - timedelta(hours=h, minutes=-20 * k))
            for h in range(1, 25)
            for k in range(2)
        ]
        assert desk.check(store.add_batch(back)).entries == []
        burst = [_article(200 + n, "Tariff shock", NOW - timedelta(minutes=n)) for n in range(5)]
        entries = desk.check(store.add_batch(burst)).entries
        watched = parse_query(watch_query("tariff"), NOW)
        (series,) = trends(store, [("t", "watch", "", watched)], NOW, 25)
        assert (series.verdict.current, series.verdict.mean) == (6, 2.0)
        assert not series.verdict.spike
        assert [e.title for e in entries if e.kind == "spike"] == []


def test_the_day_is_read_once_for_every_watched_term(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first term mentioned reads the day for every term watched: the next term
    mentioned that hour reads only the running hour."""
    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        store.add_batch(
            [_article(n, "Chip exports", NOW - timedelta(hours=1 + n)) for n in range(20)]
        )
        config = Config(
            path=tmp_path / "w.toml", settings=Settings(), watch_terms=["tariff", "chip"]
        )
        desk = AlertDesk(config, store, data, lambda: NOW)
        read: list[str] = []
        records = store.records

        def counting(ids: Iterable[str]) -> list[Record]:
            ids = list(ids)
            read.extend(ids)
            return records(ids)

        monkeypatch.setattr(store, "records", counting)
        desk.check(store.add_batch([_article(100, "Tariff talks", NOW)]))
        assert len(read) == 1 + 20  # the tariff article, then the day
        read.clear()
        desk.check(store.add_batch([_article(101, "Chip plant", NOW)]))
        assert len(read) == 1 + 1  # the chip article, then the running hour's other one


# -- stories ----------------------------------------------------------------------------------
DEAL, QUAKE = "s0123456789ab", "sba9876543210"


def _story_article(ident: str, source: str, title: str, when: datetime) -> Article:
    return Article(id=ident, source=source, title=title, published=when, fetched=when)


class StoryDeskRoom:
    """A store, its stories as a writer's stories.json says them, and the writer's alerts."""

    def __init__(self, data: Path, store: Store, story_spikes: bool = True) -> None:
        self.data = data
        self.store = store
        self.stories: dict[str, list[str]] = {DEAL: [], QUAKE: []}
        self.clock = [NOW]
        settings = Settings(story_spikes=story_spikes)
        config = Config(path=data / "w.toml", settings=settings)
        self.desk = AlertDesk(config, store, self.data, lambda: self.clock[0])
        self.serial = 0

    def add(self, story: str, sources: list[str], when: datetime) -> list[str]:
        """One article per source in `story`, at `when`; returns their ids."""
        batch = []
        for source in sources:
            self.serial += 1
            title = "Trade deal signed" if story == DEAL else "Quake on the coast"
            batch.append(_story_article(f"a{self.serial}", source, title, when))
        ids = self.store.add_batch(batch)
        self.stories[story] += ids
        return ids

    def check(self, new_ids: list[str]) -> list[AlertEntry]:
        """The writer's check after the cycle's grouping (the grouping as stories.json
        holds it)."""
        body = {"format": 1, "stories": {k: v for k, v in self.stories.items() if v}}
        (self.data / "stories.json").write_text(json.dumps(body))
        book = StoryBook(self.data)
        book.read(self.store)
        return self.desk.check_grouped(new_ids, book).entries


def test_a_story_spikes_once_per_spike_against_its_own_baseline(tmp_path: Path) -> None:
    with Store(tmp_path / "d", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "d", store)
        # one article an hour for a day from two outlets (line: max(5, 1 + 3 x 1))
        for n in range(1, 25):
            room.add(DEAL, ["Yonhap" if n % 2 else "Reuters"], NOW - timedelta(hours=n))
        assert room.check(room.add(DEAL, ["Yonhap", "Reuters"], NOW)) == []  # 2 this hour
        assert room.check(room.add(DEAL, ["Yonhap", "Reuters"], NOW)) == []  # 4
        (spike,) = room.check(room.add(DEAL, ["AP"], NOW))  # 5: the line
        assert (spike.kind, spike.alert, spike.article, spike.rule) == (
            "spike",
            "story",
            None,
            f"story:{DEAL}",
        )
        assert spike.title.startswith("Trade deal signed: 5 articles this hour from 3 outlets")
        assert spike.notify == ("terminal",)
        assert room.check(room.add(DEAL, ["AP"], NOW)) == []  # the same spike
        # the next hour still above its (now higher) line: the same spike goes on
        room.clock[0] = NOW + timedelta(hours=1)
        hour = NOW + timedelta(hours=1)
        assert room.check(room.add(DEAL, ["Yonhap", "Reuters", "AP"] * 4, hour)) == []
        # an hour below the line, then above again: a new spike
        room.clock[0] = NOW + timedelta(hours=2)
        assert room.check(room.add(DEAL, ["Yonhap"], NOW + timedelta(hours=2))) == []
        room.clock[0] = NOW + timedelta(hours=3)
        hour = NOW + timedelta(hours=3)
        (again,) = room.check(room.add(DEAL, ["Yonhap", "Reuters", "AP"] * 10, hour))
        assert again.rule == f"story:{DEAL}" and "30 articles this hour" in again.title
        assert [e.kind for e in AlertHistory(room.data).recent()] == ["spike", "spike"]


def test_a_story_too_small_to_reach_any_line_is_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Fewer articles than SPIKE_FLOOR in all cannot make a spike: such stories (most of a
    cycle's) are not read back hour by hour; a story at the floor still is, and spikes."""
    counted: list[list[str]] = []
    real = alerting_module.story_counts

    def counting(stories: list[Story], *args: Any) -> list[list[int]]:
        counted.append([story.id for story in stories])
        return real(stories, *args)

    monkeypatch.setattr(alerting_module, "story_counts", counting)
    with Store(tmp_path / "d", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "d", store)
        assert room.check(room.add(DEAL, ["Yonhap", "Reuters"] * 2, NOW)) == []  # 4 articles
        assert counted == [[]]
        (spike,) = room.check(room.add(DEAL, ["AP"], NOW))  # the fifth: the floor
        assert counted[-1] == [DEAL] and spike.kind == "spike"


def test_a_story_spike_counts_the_outlets_of_this_hour(tmp_path: Path) -> None:
    """Three outlets carried a story over the morning, then one wrote all seven articles
    this hour (a live page): that fired "7 articles this hour from 3 outlets". One outlet's
    run is no story moving; a second outlet this hour makes it one, said with the two."""
    with Store(tmp_path / "d", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "d", store)
        for n, outlet in enumerate(["Yonhap", "Reuters", "AP"], start=1):
            room.add(DEAL, [outlet], NOW - timedelta(hours=n))
        assert room.check(room.add(DEAL, ["Yonhap"] * 7, NOW)) == []
        (spike,) = room.check(room.add(DEAL, ["Reuters"], NOW))
        assert spike.title.startswith("Trade deal signed: 8 articles this hour from 2 outlets")


def test_a_story_of_one_outlet_or_with_story_spikes_off_fires_nothing(tmp_path: Path) -> None:
    with Store(tmp_path / "d", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "d", store)
        assert room.check(room.add(QUAKE, ["Yonhap"] * 8, NOW)) == []  # a live page
    with Store(tmp_path / "e", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "e", store, story_spikes=False)
        assert room.check(room.add(DEAL, ["Yonhap", "Reuters"] * 4, NOW)) == []


def test_a_storys_row_over_its_line_from_one_outlet_says_so_not_spike(tmp_path: Path) -> None:
    """Three outlets carried a story over the morning, then one wrote seven articles this
    hour: the writer fires nothing for one outlet's run, but `trends` drew SPIKE on the
    story's row. It says "one outlet" until a second outlet writes this hour."""
    from fetchers.storybook import stories_of
    from fetchers.trends import ONE_OUTLET, story_trends

    def story_row() -> Any:
        (row,) = story_trends(stories_of(StoryBook(room.data).read(store), store), store, NOW)
        return row

    with Store(tmp_path / "d", writer=True) as store:
        room = StoryDeskRoom(tmp_path / "d", store)
        for n, outlet in enumerate(["Yonhap", "Reuters", "AP"], start=1):
            room.add(DEAL, [outlet], NOW - timedelta(hours=n))
        assert room.check(room.add(DEAL, ["Yonhap"] * 7, NOW)) == []
        row = story_row()
        assert row.verdict.spike and not row.marked_spike
        assert row.no_spike == ONE_OUTLET and row.to_json()["no_spike"] == "one outlet"
        (spike,) = room.check(room.add(DEAL, ["Reuters"], NOW))
        row = story_row()
        assert row.marked_spike and row.no_spike is None and row.to_json()["no_spike"] is None


def test_a_series_span_is_bounded_by_the_instant_not_by_text_read_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`within` adds a since: clause made from the hour's start itself: nothing is written
    out and parsed again, and the bound is exactly that instant."""
    parsed: list[str] = []
    monkeypatch.setattr(
        trends_module, "parse_query", lambda text, *a: parsed.append(text), raising=False
    )
    bounded = within(parse_query("tariff", NOW), 2, NOW)
    start = datetime(2025, 10, 24, 7, 0, tzinfo=UTC).timestamp()
    (since,) = bounded.clauses[-1]
    assert parsed == [] and since.field == "since" and since.bound == start
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [
                _article(1, "Tariff talks", datetime(2025, 10, 24, 6, 59, 59, tzinfo=UTC)),
                _article(2, "Tariff talks", datetime(2025, 10, 24, 7, 0, tzinfo=UTC)),
                _article(3, "Chip talks", datetime(2025, 10, 24, 8, 0, tzinfo=UTC)),
            ]
        )
        assert store.query_ids(bounded) == ["id2"]


def test_the_stories_counts_are_read_with_each_shard_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The spike check counts a cycle's stories per hour: from a lean store (a `refresh`),
    whose full shards hold no summary in memory, each shard file is read once for all of
    them, not once a story, and each story's row counts exactly its own articles."""
    from fetchers.store import leanwords
    from fetchers.store.shards import Shard
    from fetchers.story import Story
    from fetchers.trends import story_counts

    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)  # the words it kept for the hooks let go
    fetched = NOW - timedelta(minutes=5)  # one day of fetching: a full shard and the next
    articles = [
        Article(
            id=f"a{n}", source=f"Outlet {n % 3}", title=f"Story {n // 15} part {n}",
            summary="words", link=None, published=NOW - timedelta(hours=n % 30), fetched=fetched,
        )
        for n in range(1500)
    ]  # fmt: skip
    stories = [
        Story(f"s{k}", "t", [f"a{n}" for n in range(k * 15, k * 15 + 15)], ["Outlet 0", "x"],
              f"a{k * 15}", "Outlet 0", 0.0, 0.0)
        for k in range(100)
    ]  # fmt: skip
    reads: list[str] = []
    documents = Shard.documents

    def counted(self: Shard) -> list[object]:
        reads.append(self.key)
        return documents(self)

    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch(articles)
        monkeypatch.setattr(Shard, "documents", counted)
        rows = story_counts(stories, store, NOW, 25)
    assert reads and sorted(reads) == sorted(set(reads))  # each shard once
    published = {a.id: a.published.timestamp() for a in articles if a.published}
    assert rows == [
        hourly_counts([published[i] for i in story.articles], NOW, 25) for story in stories
    ]
    assert sum(map(sum, rows)) == sum(1 for n in range(1500) if n % 30 < 25)


def test_the_spike_line_said_is_the_fewest_mentions_that_are_a_spike() -> None:
    """A threshold of 8.2 is met by 9 mentions, not 8: "8 this hour (spike at 8)" with no
    SPIKE beside it said one thing and did another."""
    from tui.screens.alerts import trend_note

    verdict = Verdict(current=8, mean=3.0, stdev=1.0, threshold=8.196)
    assert not verdict.spike and verdict.spikes_at == 9
    assert Verdict(current=9, mean=3.0, stdev=1.0, threshold=8.196).spike
    assert Verdict(current=5, mean=1.0, stdev=0.0, threshold=5.0).spikes_at == 5
    counts = [2, 4] * 12 + [8]
    said = trend_note(counts, "vel").plain
    found = spike_verdict(counts)
    assert f"8 this hour (spike at {found.spikes_at})" in said
    assert found.spikes_at > 8 and "SPIKE" not in said


def test_trends_leave_out_the_undated_backlog_the_spike_checks_leave_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A first poll's undated items count in no hour of the writer's spike checks; trends
    counted them, and showed a spike (5 this hour, spike at 5) that never fired."""
    from tui.cli import main

    dated = "".join(
        f"<item><title>zap number {n}</title><guid>z{n}</guid>"
        "<pubDate>Fri, 24 Oct 2025 08:30:00 +0000</pubDate></item>"
        for n in range(4)
    )
    feed = tmp_path / "f.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"{dated}<item><title>undated zap archive item</title><guid>u1</guid></item>"
        "</channel></rss>"
    )
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "F"\npath = "{feed}"\n[[alerts]]\nname = "Z"\nquery = "zap"\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    at = ["--now", "2025-10-24T08:40:00Z"]
    assert main([*where, "refresh", *at]) == 0
    capsys.readouterr()
    assert main([*where, "trends", "--json", *at]) == 0
    (found,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert found["current"] == 4 and found["spike"] is False
    assert main([*where, "alerts", "--json", *at]) == 0
    fired = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry["kind"] for entry in fired] == ["match"] * 4


def test_the_undated_backlog_stays_out_of_trends_a_day_later(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed's undated first-poll archive is counted in no hour; a refresh 26 hours later
    forgot it (kept only for a spike's baseline), and `trends` then drew its first poll's
    hour as a burst of every archive item."""
    from tui.cli import main

    dated = "".join(
        f"<item><title>zap number {n}</title><guid>z{n}</guid>"
        "<pubDate>Fri, 24 Oct 2025 08:30:00 +0000</pubDate></item>"
        for n in range(2)
    )
    undated = "".join(
        f"<item><title>undated zap archive {n}</title><guid>u{n}</guid></item>" for n in range(6)
    )
    feed = tmp_path / "f.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        f"{dated}{undated}</channel></rss>"
    )
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "F"\npath = "{feed}"\n[[alerts]]\nname = "Z"\nquery = "zap"\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh", "--now", "2025-10-24T08:40:00Z"]) == 0
    later = ["--now", "2025-10-25T10:40:00Z"]
    assert main([*where, "refresh", *later]) == 0
    capsys.readouterr()
    assert main([*where, "trends", "--hours", "72", "--json", *later]) == 0
    (found,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sum(found["counts"]) == 2  # the dated two; the archive in no hour


def test_trends_mark_no_spike_for_a_muted_rule_or_one_firing_per_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Five "zap" this hour reach the line of every series, but a muted rule fires nothing
    and a rule asking the stories fires per article only: SPIKE was drawn for both, and
    `--json` said nothing of the mute."""
    from fetchers.alertrules import RuleBook
    from tui.cli import main

    dated = "".join(
        f"<item><title>zap number {n}</title><guid>z{n}</guid>"
        "<pubDate>Fri, 24 Oct 2025 08:30:00 +0000</pubDate></item>"
        for n in range(5)
    )
    feed = tmp_path / "f.xml"
    feed.write_text(
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{dated}</channel></rss>'
    )
    config = tmp_path / "c.toml"
    rules = [("Loud", "zap"), ("Hushed", "zap"), ("Shared", "zap outlets:>=1")]
    config.write_text(
        f'[[sources]]\nname = "F"\npath = "{feed}"\n'
        + "".join(f'[[alerts]]\nname = "{n}"\nquery = "{q}"\n' for n, q in rules)
    )
    data = tmp_path / "d"
    RuleBook(data).set_muted(make_rule({"name": "Hushed", "query": "zap"}, NOW), True)
    where = ["--config", str(config), "--data-dir", str(data)]
    at = ["--now", "2025-10-24T08:40:00Z"]
    assert main([*where, "refresh", *at]) == 0
    capsys.readouterr()
    assert main([*where, "trends", *at]) == 0
    drawn = {line.split("  alert  ")[1] for line in capsys.readouterr().out.splitlines()}
    assert drawn == {"Loud  SPIKE", "Hushed  muted", "Shared  per article"}
    assert main([*where, "trends", "--json", *at]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(f["name"], f["spike"], f["muted"], f["no_spike"]) for f in found] == [
        ("Loud", True, False, None),
        ("Hushed", True, True, "muted"),
        ("Shared", True, False, "per article"),
    ]


@pytest.mark.parametrize("watch", [[], ["tariff"]], ids=["nothing-watched", "term-watched"])
def test_a_feed_added_with_a_storys_undated_archive_makes_no_story_spike(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    watch: list[str],
) -> None:
    """A source added to the desk pages a story with its undated archive: its first poll's
    undated items count in no hour of the story's series, as in a watch term's. The story
    fired a spike (6 articles this hour from 2 outlets, usually 0.1 an hour), and `trends`
    drew it, while the term's running hour said 0."""
    from tui.cli import main

    where = archive_added(tmp_path, feed_server, datetime(2025, 3, 2, 10, 0, tzinfo=UTC), watch)
    at = ["--now", "2025-03-02T10:01:00Z"]
    shared = [ids for ids in stories_file(tmp_path / "data" / "stories.json").values()]
    assert sorted(map(len, shared))[-1] == 2 + len(ARCHIVE_TITLES)  # one story, both outlets
    capsys.readouterr()
    assert main([*where, "alerts", "--json", *at]) == 0
    fired = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [entry for entry in fired if entry["kind"] == "spike"] == []
    assert main([*where, "trends", "--hours", "25", "--json", *at]) == 0
    series = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (story,) = [s for s in series if s["kind"] == "story"]
    assert story["counts"][-3:] == [1, 1, 0]  # the wire's two, dated; the archive in none
    assert (story["current"], story["spike"]) == (0, False)
    assert [(s["name"], s["current"]) for s in series if s["kind"] == "watch"] == [
        (term, 0) for term in watch
    ]
