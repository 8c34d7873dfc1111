"""The PostgreSQL store's own promises, beyond the store tests both backends pass: words by
the database's full-text search answer exactly what the query language says, a query reads
only what its answer needs, the DSN's password never shows, the schema is versioned, an
article cannot be stored twice, and `wirewatch migrate` copies a store both ways."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import subprocess
import sys
import threading
import time
import tracemalloc
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psycopg import sql

from fetchers.config import ConfigError, load_config
from fetchers.foreground import Superseded, waited_for
from fetchers.models import Article
from fetchers.query import parse_query
from fetchers.store import Store, StoreError, StoreLocked
from fetchers.store.codec import FIELDS, stage
from fetchers.store.factory import open_store
from fetchers.store.postgres import connect as pg_connect
from fetchers.store.postgres import schema
from fetchers.store.postgres import store as pg_module
from fetchers.store.postgres.store import PostgresStore
from fetchers.store.postgres.words import LONGEST_TEXT, PAIRS_TEXT, PLACES_EXACT_SQL
from fetchers.story import Story
from fetchers.storyshelf import StoryShelf
from tests import copied, pgserver
from tests.conftest import make, write_config
from tests.pgserver import PASSWORD, PgServer
from tests.querycheck import NOW, articles, check_queries, queries, save_every_third, scan
from tui import cli


def _empty(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("TRUNCATE articles, marks, reads, stories, story_members")


def _settings_of_reads(monkeypatch: pytest.MonkeyPatch, name: str) -> list[str]:
    """The server's setting `name` for each statement that reads articles from now on, as
    it was planned (in its transaction)."""
    found: list[str] = []
    execute = psycopg.Cursor.execute

    def noting(cur: psycopg.Cursor, statement: object, *args: object, **kwargs: object) -> object:
        done = execute(cur, statement, *args, **kwargs)  # type: ignore[arg-type]
        if str(statement).startswith("SELECT a.id"):
            row = cur.connection.execute("SELECT current_setting(%s)", (name,)).fetchone()
            found.append(row[0] if row else "")
        return done

    monkeypatch.setattr(psycopg.Cursor, "execute", noting)
    return found


def _rows_made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the rows the store turns into records from now on."""
    made: list[str] = []
    real = pg_module.record_of_row

    def counting(row: tuple, odd: object = None) -> object:
        made.append(row[0])
        return real(row, odd)  # type: ignore[arg-type]

    monkeypatch.setattr(pg_module, "record_of_row", counting)
    return made


def test_every_field_of_the_codec_has_its_column() -> None:
    assert set(schema.COLUMNS) == {field.name for field in FIELDS}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    docs=articles, texts=st.lists(queries, min_size=1, max_size=5), limit=st.sampled_from([None, 3])
)
def test_word_queries_by_full_text_search_equal_a_full_scan(
    pg_dsn: str, docs: list[tuple], texts: list[str], limit: int | None
) -> None:
    """The words index narrows; what it gives equals testing every article in Python."""
    batch = _generated(docs)
    with PostgresStore(pg_dsn, writer=True) as store:
        _empty(pg_dsn)  # of the example before
        store.add_batch(batch[: len(batch) // 2])
        store.add_batch(batch[len(batch) // 2 :])
        late = batch[0]
        store.set_texts([(late.id, "Tariff talks resume in Gyeongju 관세를")])
        save_every_third(store, store.query_ids())  # story: and outlets: ask them
        check_queries(store, texts, limit)  # type: ignore[arg-type]


def _tariff_stories(count: int, base: datetime) -> list[Article]:
    """`count` wire articles saying tariff, a minute apart from `base`, the newest last."""
    return [
        Article(
            id=f"w{n}",
            source="Wire",
            title=f"Tariff story {n}",
            published=base + timedelta(minutes=n),
            fetched=base,
        )
        for n in range(count)
    ]


def _writer(dsn: str) -> PostgresStore:
    """The writer of a database whose writer (the example before) has just closed: the
    server lets go of a closed connection's lock a moment after it closed."""
    for _ in range(100):
        try:
            return PostgresStore(dsn, writer=True)
        except StoreLocked:
            time.sleep(0.02)
    return PostgresStore(dsn, writer=True)


def _generated(docs: list[tuple]) -> list[Article]:
    """The articles of generated `docs` (see `tests.querycheck.articles`)."""
    return [
        Article(
            id=f"a{n}",
            source=source,
            title=" ".join(words),
            link=f"https://e.example/{n}",
            published=NOW - timedelta(minutes=minutes),
            fetched=NOW - timedelta(minutes=minutes),
            summary="",
            text=" ".join(body) if body else None,
            tags=[tag],
            lang=lang,
        )
        for n, (words, source, tag, minutes, lang, body) in enumerate(docs)
    ]


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    docs=articles,
    texts=st.lists(queries, min_size=1, max_size=4),
    limit=st.sampled_from([1, 2, 100]),
    candidates=st.sampled_from([0, 100_000]),
)
def test_a_story_filter_finds_what_testing_every_article_finds(
    pg_dsn: str, docs: list[tuple], texts: list[str], limit: int, candidates: int
) -> None:
    """The saved stories with an article matching a query, newest activity first, are those
    that testing every article in Python gives: a query the SQL says whole, one whose words
    it narrows to few candidates, and one it walks the stories for a page at a time."""
    batch = _generated(docs)
    with _writer(pg_dsn) as store, pytest.MonkeyPatch.context() as patch:
        patch.setattr(pg_module, "STORY_CANDIDATES", candidates)  # 0: always walk
        patch.setattr(pg_module, "STORY_PAGE", 2)
        patch.setattr(pg_module, "STORY_WALK", 3)  # the newest three, then the rest
        _empty(pg_dsn)
        store.add_batch(batch)
        # five stories (the article n in story n % 5), of 1 to 5 outlets, ordered apart
        stories = []
        for k in range(5):
            members = [a.id for n, a in enumerate(batch) if n % 5 == k]
            if members:
                stories.append(Story(f"s{k:012x}", f"Story {k}", members,
                                     [f"Outlet {n}" for n in range(k + 1)], members[0],
                                     "Outlet 0", 0.0, float(k % 3)))  # fmt: skip
        store.save_stories({s.id: (s.articles, s.to_record()) for s in stories}, [])
        shelf = StoryShelf(stories)
        ordered = sorted(stories, key=lambda s: (-s.last_seen, s.id))
        for text in [*texts, "tariff", "lee OR trump", "-apec"]:  # and some that match many
            try:
                query = parse_query(
                    text.replace("OR OR", "OR").removesuffix(" OR"), NOW, stories=shelf
                )
            except ValueError:
                continue
            matching = set(scan(store, query))
            expected = [s.id for s in ordered if matching.intersection(s.articles)][:limit]
            found = store.stories_matching(query, limit)
            assert [sid for sid, _ in found or []] == expected, text


def test_a_limited_list_and_a_word_query_read_only_the_rows_of_the_answer(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list --limit 20` and a word query never read the store whole: a query SQL says whole
    reads ids alone, and the rows a word query turns into records to test are those the
    index gives, newest first, until it has its limit."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"w{n}",
                    source="Wire",
                    title=f"Tariff story {n}" if n % 2 else f"Weather {n}",
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n in range(3000)
            ]
        )
    made = _rows_made(monkeypatch)
    with PostgresStore(pg_dsn) as viewer:
        newest = viewer.newest(parse_query("", NOW), 20)
        assert newest == [f"w{n}" for n in range(2999, 2979, -1)]
        assert len(viewer.query_ids(parse_query("source:wire", NOW))) == 3000  # a dashboard's
        assert made == []  # said whole in SQL: only ids are read
        found = viewer.newest(parse_query("tariff", NOW), 20)
        assert found == [f"w{n}" for n in range(2999, 2959, -2)]
        assert len(made) == 20  # the index gave only matching rows
        made.clear()
        assert len(viewer.newest(parse_query("-weather", NOW), 20)) == 20
        assert len(made) <= 40  # tested in Python, newest first, until 20 matched


def _quiet(conn: psycopg.Connection) -> None:
    """Wait until no other connection is open to the database: a server process writes its
    counts of rows read when it ends (before it leaves pg_stat_activity)."""
    for _ in range(400):
        row = conn.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
        if row is not None and row[0] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("connections to the database stayed open")


def test_a_common_word_with_a_limit_reads_a_window_of_rows_not_every_match(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word every article holds, asked for its newest 20: the server walks a window of the
    date order and stops, rather than reading and sorting every match (at a million
    articles that was half a second)."""
    monkeypatch.setattr(pg_module, "WALK", 100)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"w{n}",
                    source="Wire",
                    title=f"Tariff story {n}",
                    summary="Officials met on the tariff schedule.",
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n in range(3000)
            ]
        )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # as autovacuum would have
        _quiet(conn)
        conn.execute("SELECT pg_stat_reset()")
        with PostgresStore(pg_dsn) as viewer:
            found = viewer.newest(parse_query("tariff", NOW), 20)
        assert found == [f"w{n}" for n in range(2999, 2979, -1)]
        _quiet(conn)
        row = conn.execute(
            "SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_user_tables"
            " WHERE relname = 'articles'"
        ).fetchone()
    assert row is not None and row[0] <= 250  # a window of 100 rows, of 3,000 that match


def test_a_limited_word_query_reads_past_rows_its_own_test_turns_down(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words index finds "tariff" in "eu_tariff" too, the query language does not: the
    newest three that say it are found behind a hundred rows that do not (in windows of
    the date order, then through the words index)."""
    monkeypatch.setattr(pg_module, "WALK", 10)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"w{n}",
                    source="Wire",
                    title=f"Tariff story {n}" if n < 5 else f"The eu_tariff file {n}",
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n in range(105)
            ]
        )
        assert store.newest(parse_query("tariff", NOW), 3) == ["w4", "w3", "w2"]
        assert store.query_ids(parse_query("tariff", NOW)) == ["w4", "w3", "w2", "w1", "w0"]


def test_a_stores_connections_plan_without_jit(pg_dsn: str) -> None:
    """The server compiled the plan of a word's matches among a million articles with LLVM:
    loading it took a connection 30-40 ms at its first word query (a dashboard's first
    filter), compiling a word's whole list 120 ms. Every connection of a store, the first
    and those its pool opens, on a new database or a current one, plans without it."""
    for _ in range(2):  # the first opening makes the tables
        with PostgresStore(pg_dsn) as store:
            with store._read("jit") as one, store._read("jit") as two:  # two connections
                said = [cur.execute("SHOW jit").fetchone() for cur in (one, two)]
                pids = [cur.connection.info.backend_pid for cur in (one, two)]
            assert said == [("off",), ("off",)] and pids[0] != pids[1]


def test_a_word_query_with_a_limit_holds_a_batch_of_full_texts_at_a_time(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard lists the newest 10,000 matches of its filter, a word tested on each
    article's full text: read in one go, a page of thousands of texts took a viewer of a
    million articles 40 MB more. The rows come a batch at a time, and only the ids of the
    matches are kept."""
    monkeypatch.setattr(pg_module, "BATCH", 5)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    text = "word " * 20_000 + "tariff"  # 100 KB, the word said only at its end
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"t{n}",
                    source="Wire",
                    title=f"Story {n}",
                    summary="Officials met.",
                    text=text,
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n in range(40)
            ]
        )
    with PostgresStore(pg_dsn) as viewer:
        query = parse_query("tariff", NOW)
        tracemalloc.start()
        try:
            found = viewer.query_ids(query, 40)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert found == [f"t{n}" for n in range(39, -1, -1)]
    assert peak < 2_000_000  # the 40 texts (4 MB) were read at once


def test_the_first_window_of_a_word_query_walks_the_date_order(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pane's first page of a common word: the planner read the whole words index for the
    newest thousand rows (a bitmap of 45,000 rows for "tariff", 35 ms at a million
    articles); the first window is walked in the date order (7-14 ms), and the windows
    after it, when the first holds too few, are planned as the planner sees fit."""
    monkeypatch.setattr(pg_module, "WALK", 10)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"w{n}",
                    source="Wire",
                    title=f"Tariff story {n}" if n % 4 == 0 else f"Other story {n}",
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n in range(200)
            ]
        )
    bitmaps = _settings_of_reads(monkeypatch, "enable_bitmapscan")
    with PostgresStore(pg_dsn) as viewer:
        assert viewer.query_ids(parse_query("tariff", NOW), 2) == ["w196", "w192"]
        assert bitmaps == ["off"]
        bitmaps.clear()
        assert viewer.query_ids(parse_query("tariff", NOW), 5) == [
            f"w{n}" for n in range(196, 176, -4)
        ]
        assert bitmaps[0] == "off" and set(bitmaps[1:]) == {"on"} and len(bitmaps) > 1


def test_a_short_page_of_a_word_query_is_read_by_one_server_process(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pane's first page of a word no article holds took 50-90 ms at a million articles,
    all but 0.2 ms of it the server launching parallel workers for a sort of nothing: a
    page of at most a batch of rows is planned for the process that asks."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_tariff_stories(30, base))
    workers = _settings_of_reads(monkeypatch, "max_parallel_workers_per_gather")
    with PostgresStore(pg_dsn) as viewer:
        assert viewer.query_ids(parse_query("zzzqqq", NOW), 20) == []
        assert viewer.query_ids(parse_query("tariff", NOW), 20) == [
            f"w{n}" for n in range(29, 9, -1)
        ]
        assert viewer.query_ids(parse_query("-tariff", NOW), 20) == []
    assert workers and set(workers) == {"0"}


def test_a_word_query_a_newer_request_replaced_stops_reading_its_rows(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard's filter typed over before its whole list came went on reading and
    testing up to 10,000 rows (a second of the interpreter, shared with the newer filter):
    it stops at its next row."""
    monkeypatch.setattr(pg_module, "BATCH", 5)
    made = _rows_made(monkeypatch)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_tariff_stories(60, base))
    with PostgresStore(pg_dsn) as viewer:
        for limit in (60, None):
            made.clear()
            with pytest.raises(Superseded), waited_for(lambda: len(made) >= 5):
                viewer.query_ids(parse_query("tariff", NOW), limit)
            assert len(made) <= 10
        made.clear()
        with waited_for(lambda: False):
            assert len(viewer.query_ids(parse_query("tariff", NOW), 60)) == 60


def test_a_phrase_is_found_however_python_lower_cases_it(pg_dsn: str) -> None:
    """A phrase is narrowed in SQL by its own letters, folded as ASCII; the two letters that
    Python lower-cases to ASCII ones (the Kelvin sign, a dotted capital I) still match."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    titles = {
        "kelvin": "\u212aorea Trade talks resume",
        "dotted": "Trade mİnisters meet",
        "plain": "KOREA TRADE figures",
        "apart": "Korea and trade",
    }
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=ident,
                    source="Wire",
                    title=title,
                    published=base + timedelta(minutes=n),
                    fetched=base,
                )
                for n, (ident, title) in enumerate(titles.items())
            ]
        )
        for limit in (None, 5):
            assert store.query_ids(parse_query('"korea trade"', NOW), limit) == ["plain", "kelvin"]
            assert store.query_ids(parse_query('"trade mi"', NOW), limit) == ["dotted"]
            assert store.query_ids(parse_query('title:"korea trade"', NOW), limit) == [
                "plain",
                "kelvin",
            ]


def _phrase_articles() -> list[Article]:
    """Forty articles with "trade" and "minister" apart in a long text, two saying "trade
    minister", and two that say it only where a tsvector keeps no exact places (past its
    16,383rd place; after a word's 255th)."""
    rng = random.Random(7)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    texts = {
        # a word longer than PostgreSQL indexes: the text is large (kept out of the row)
        # while its words are few
        f"apart{n}": "The minister spoke on trade. "
        + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(3000))
        for n in range(40)
    }
    texts["said1"] = "The trade minister spoke."
    texts["said2"] = "Talks with the trade ministers."
    texts["late"] = "trade " + "x " * 17_000 + "The trade minister spoke."
    texts["often"] = "minister " * 300 + "The trade minister spoke."
    return [
        Article(
            id=ident,
            source="Wire",
            title=f"Story {ident}",
            published=base + timedelta(minutes=n),
            fetched=base,
            text=text,
        )  # fmt: skip
        for n, (ident, text) in enumerate(texts.items())
    ]


def _toast_blocks(conn: psycopg.Connection) -> int:
    """Blocks of the articles' out-of-row values (their long texts) read so far."""
    _quiet(conn)
    row = conn.execute(
        "SELECT coalesce(toast_blks_read, 0) + coalesce(toast_blks_hit, 0)"
        " FROM pg_statio_user_tables WHERE relname = 'articles'"
    ).fetchone()
    return int(row[0]) if row else 0


def test_a_phrase_is_decided_by_the_places_of_its_words_without_reading_texts(
    pg_dsn: str,
) -> None:
    """Where an article's words keep their exact places, a phrase whose words stand apart
    is turned down without its text being read (at a million articles, reading every text
    that holds both words was most of a phrase query's time); where they do not (a text
    past 16,383 places, a word said more than 255 times), the text still decides."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_phrase_articles())
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        before = _toast_blocks(conn)
        with PostgresStore(pg_dsn) as viewer:
            found = viewer.query_ids(parse_query('"trade minister"', NOW))
            assert viewer.query_ids(parse_query('"trade minister"', NOW), 2) == found[:2]
        assert found == ["often", "late", "said2", "said1"]
        assert _toast_blocks(conn) - before < 40  # not the forty long texts
        inexact = conn.execute("SELECT id FROM articles WHERE NOT places_exact ORDER BY id")
        assert inexact.fetchall() == [("late",), ("often",)]


def test_whether_places_are_exact_is_decided_as_the_server_decides_it(pg_dsn: str) -> None:
    """A row written (or given a text) says its places are exact where the server's own
    test of its words says so, at each edge: a word said 254 or 255 times, 16,382 or 16,383
    words, a text of as many characters as the index takes or one more, a word too long to
    index."""
    head = 6  # the words of the title and summary of `make`
    texts = {
        "said254": "minister " * 254,
        "said255": "minister " * 255,
        "words16382": " ".join(f"w{n}" for n in range(16_382 - head)),
        "words16383": " ".join(f"w{n}" for n in range(16_383 - head)),
        "longest": "a" * (LONGEST_TEXT - 2) + " b",
        "longer": "a" * (LONGEST_TEXT - 1) + " b",
        "huge_word": "trade " + "q" * 3000 + " minister",
    }
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                dataclasses.replace(make(n), id=ident, text=text)
                for n, (ident, text) in enumerate(texts.items())
            ]
        )
        store.set_texts([("said254", "trade " * 255), ("said255", "minister " * 10)])
    server_test = PLACES_EXACT_SQL.format(
        text_length="coalesce(length(text), 0)",
        words="words",
        length="length(title) + length(summary) + coalesce(length(text), 0)",
    )
    with psycopg.connect(pg_dsn) as conn:
        rows = conn.execute(f"SELECT id, places_exact, {server_test} FROM articles").fetchall()
    assert {ident: written for ident, written, _ in rows} == {
        ident: server for ident, _, server in rows
    }
    assert {ident for ident, written, _ in rows if not written} == {
        "said254",
        "words16383",
        "longer",
    }


def test_the_server_makes_the_words_of_an_article_once_as_it_stores_it(pg_dsn: str) -> None:
    """The words column is made once per article stored (whether its places are exact is
    said with it, not found by making them again): the most costly part of a write."""
    PostgresStore(pg_dsn).close()
    staged = stage([make(1, text="The trade minister spoke."), make(2)])
    with psycopg.connect(pg_dsn) as conn:
        plan = conn.execute(
            "EXPLAIN (VERBOSE) " + pg_module._INSERT, pg_module._columns(staged)
        ).fetchall()
    assert " ".join(row[0] for row in plan).count("to_tsvector(") == 3  # title, summary, text


def _ministers() -> list[Article]:
    """3,000 articles, 2,000 of them holding "trade" and "minister" apart, two saying "trade
    minister" (w1000, w2000) and ten with the words side by side across a semicolon."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    said = {1000: "The trade minister resigned.", 2000: "Trade ministers met in Busan."}
    said |= {n: "Trade; minister Kim spoke." for n in range(2500, 2510)}  # not the phrase
    return [
        Article(
            id=f"w{n}",
            source="Wire",
            title=f"Minister visits plant {n}" if n % 3 else f"Weather {n}",
            summary=said.get(n, "Talks on trade went on." if n % 3 else "Rain."),
            published=base + timedelta(minutes=n),
            fetched=base,
        )
        for n in range(3000)
    ]


def _phrase_and_rows_read(conn: psycopg.Connection, dsn: str) -> tuple[list[str], int]:
    """What a viewer finds for "trade minister" and how many rows of the articles the
    server read for it."""
    conn.execute("VACUUM ANALYZE")  # as autovacuum would have
    _quiet(conn)
    conn.execute("SELECT pg_stat_reset()")
    with PostgresStore(dsn) as viewer:
        found = viewer.query_ids(parse_query('"trade minister"', NOW))
    _quiet(conn)
    row = conn.execute(
        "SELECT seq_tup_read + idx_tup_fetch FROM pg_stat_user_tables WHERE relname = 'articles'"
    ).fetchone()
    assert row is not None
    return found, int(row[0])


def test_a_phrase_reads_only_the_rows_holding_its_words_one_after_the_other(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs of words an article holds give a phrase its few rows: the rows that hold
    its words apart are not read at all (at a million articles, reading the words of every
    row holding both words of "trade minister" was most of the query's time). A row stored
    before articles kept pairs is found by its words, as before."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_ministers())
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE articles SET pairs = NULL WHERE id = 'w1000'")  # stored before
        found, read = _phrase_and_rows_read(conn, pg_dsn)
        assert found == ["w2000", "w1000"]
        assert read <= 20  # of 2,000 that hold both words
        with PostgresStore(pg_dsn) as viewer:
            assert viewer.newest(parse_query('"trade minister"', NOW), 1) == ["w2000"]
            assert viewer.newest(parse_query('"trade minister"', NOW), 5) == found
    made = _rows_made(monkeypatch)
    with PostgresStore(pg_dsn) as viewer:
        assert viewer.query_ids(parse_query('"trade minister"', NOW)) == found
    assert sorted(made) == sorted(found)  # the phrase as written turned the others down


def test_rows_stored_before_pairs_are_given_them_once_each_losing_nothing(pg_dsn: str) -> None:
    """A database upgraded from before pairs (schema 10) has rows without them, and a phrase
    reads every row that holds its words. A poller gives each such row, a batch at a time,
    the words, exact places and pairs a write gives it now, each row once; a row too long
    for pairs is marked and taken again by no poller; then the phrase reads only its own
    rows and finds the same articles."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    long_text = "The trade minister spoke. " + "tariff " * (PAIRS_TEXT // 7)
    long_read = Article(
        id="long", source="Wire", title="Long read", published=base + timedelta(days=3),
        fetched=base, text=long_text,
    )  # fmt: skip
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([*_ministers(), long_read])
    columns = "SELECT id, words::text, places_exact, pairs::text FROM articles ORDER BY id"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        written = conn.execute(columns).fetchall()
        conn.execute("ALTER TABLE articles DROP COLUMN pairs_too_long")  # as schema 10 had it
        conn.execute("CREATE INDEX articles_without_pairs ON articles (seq) WHERE pairs IS NULL")
        conn.execute("UPDATE articles SET pairs = NULL")
        conn.execute("UPDATE schema_version SET version = 10")
        found, read = _phrase_and_rows_read(conn, pg_dsn)  # the viewer upgrades it
        assert found == ["long", "w2000", "w1000"]
        assert read >= 2000  # every row holding both words
    with PostgresStore(pg_dsn, writer=True) as store:
        taken = [store.backfill(500) for _ in range(9)]
        assert taken == [500] * 6 + [1, 0, 0]  # 3,001 rows, each once
    with PostgresStore(pg_dsn, writer=True) as store:
        assert store.backfill(500) == 0  # the long one is not taken again
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        assert conn.execute(columns).fetchall() == written  # as a write gives them
        marked = conn.execute("SELECT id FROM articles WHERE pairs_too_long").fetchall()
        assert marked == [("long",)]
        after, read = _phrase_and_rows_read(conn, pg_dsn)
        assert after == found
        assert read <= 20  # the rows holding its pairs, and the long one
    with PostgresStore(pg_dsn, writer=True) as store:  # a text too long or short again
        store.set_texts([("long", "The trade minister left."), ("w5", long_text)])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        marked = conn.execute("SELECT id, pairs IS NULL FROM articles WHERE id IN ('long', 'w5')"
                              " AND pairs_too_long").fetchall()  # fmt: skip
        assert marked == [("w5", True)]


def test_pollers_filling_pairs_side_by_side_never_take_a_row_twice_or_wait(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pollers give older rows their pairs at once: each row is taken by one of them,
    none waits for the other's rows (a row another transaction holds is passed over, and
    given its pairs once it is free), and a row given a new full text while it is being
    filled ends with the pairs of that text."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_ministers())
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("UPDATE articles SET pairs = NULL")
    one = PostgresStore(pg_dsn, writer=True, share=True)
    two = PostgresStore(pg_dsn, writer=True, share=True)
    try:
        with psycopg.connect(pg_dsn) as holder:  # a transaction holds w0 (the first stored)
            holder.execute("SELECT 1 FROM articles WHERE id = 'w0' FOR UPDATE")
            counts: dict[str, list[int]] = {"one": [], "two": []}

            def fill(store: PostgresStore, name: str) -> None:
                for _ in range(60):
                    rows = store.backfill(100)
                    if not rows:
                        return
                    counts[name].append(rows)

            threads = [
                threading.Thread(target=fill, args=(one, "one")),
                threading.Thread(target=fill, args=(two, "two")),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            assert not any(thread.is_alive() for thread in threads)  # neither waited on w0
            assert sum(counts["one"]) + sum(counts["two"]) == 2999  # each row once, not w0
            assert counts["one"] and counts["two"]
            holder.rollback()
        # w0 is free: the next look finds it; a full text attached while it is filled
        # waits for the fill, then gives the row the pairs of its own words
        real = pg_module.pairs
        attached: list[threading.Thread] = []

        def attaching(parts: tuple[str, str, str], length: int) -> str | None:
            if not attached:
                attached.append(
                    threading.Thread(
                        target=two.set_texts, args=([("w0", "The trade minister came.")],)
                    )
                )
                attached[0].start()
            return real(parts, length)

        monkeypatch.setattr(pg_module, "pairs", attaching)
        assert one.backfill(100) == 1
        attached[0].join(timeout=120)
        assert one.backfill(100) == 0
        with PostgresStore(pg_dsn) as viewer:
            assert "w0" in viewer.query_ids(parse_query('"trade minister came"', NOW))
        with psycopg.connect(pg_dsn) as conn:
            row = conn.execute("SELECT pairs::text FROM articles WHERE id = 'w0'").fetchone()
        assert row is not None and "'minister came'" in row[0]
    finally:
        one.close()
        two.close()


def test_a_database_of_the_schema_before_is_converted_losing_nothing(pg_dsn: str) -> None:
    """A database a wirewatch wrote before rows said whether their places are exact: opened,
    it is upgraded; its rows are all there, the few whose places are not exact say so, and
    phrases are found in them as before."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(_phrase_articles())
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        before = conn.execute("SELECT id, title, text, words::text FROM articles ORDER BY id")
        rows = before.fetchall()
        conn.execute("ALTER TABLE articles DROP COLUMN places_exact")  # as schema 7 had it
        conn.execute("DROP TABLE stories, story_members")
        conn.execute("UPDATE schema_version SET version = 7")
    with PostgresStore(pg_dsn) as viewer:
        assert viewer.query_ids(parse_query('"trade minister"', NOW)) == [
            "often", "late", "said2", "said1",
        ]  # fmt: skip
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        version = conn.execute("SELECT version FROM schema_version").fetchall()
        assert version == [(schema.VERSION,)]
        after = conn.execute("SELECT id, title, text, words::text FROM articles ORDER BY id")
        assert after.fetchall() == rows
        inexact = conn.execute("SELECT id FROM articles WHERE NOT places_exact ORDER BY id")
        assert inexact.fetchall() == [("late",), ("often",)]


def test_relevance_is_ts_rank_titles_first(pg_dsn: str) -> None:
    from fetchers.relevance import by_relevance

    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    filler = "markets opened higher on thursday as traders weighed the data " * 8

    def art(ident: str, title: str, summary: str, n: int, text: str | None = None) -> Article:
        moment = when + timedelta(minutes=n)
        return Article(
            id=ident, source="Wire", title=title, summary=summary, published=moment,
            fetched=moment, text=text,
        )  # fmt: skip

    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                art("title", "Tariff deadline nears", "Officials met.", 1),
                art("once", "Markets", filler + "one tariff", 2),
                art("text", "Weekly wrap", "A roundup.", 3, text="tariff " * 30 + filler),
                art("none", "Weather", "Rain in Seoul.", 4),
            ]
        )
        query = parse_query("tariff", NOW)
        newest = store.query_ids(query)
        assert newest == ["text", "once", "title"]
        ranked = by_relevance(store, Path("."), newest, query.words)
        assert ranked[0] == "title" and sorted(ranked) == ["once", "text", "title"]
        scores = store.search_scores(["tariff"])
        assert set(scores) == {"title", "once", "text"} and max(scores.values()) == scores["title"]
        # a word of the title ranks it above any ts_rank, as the data dir's index ranks
        # (with a Chinese or Japanese word, which gets its title tier apart)
        store.add_batch(
            [
                art("quake", "地震 速報", "tariff news", 5),
                art("tsu", "Tariff tsunami", "地震の影響", 6),
            ]
        )
        both = parse_query("地震 OR tariff", NOW)
        ranked = by_relevance(store, Path("."), store.query_ids(both), both.words)
        assert set(ranked[:3]) == {"quake", "tsu", "title"}  # a word of the query in each title
        assert ranked.index("tsu") < ranked.index("quake")  # of those, ts_rank decides


def test_a_phrase_late_in_a_long_text_and_after_a_common_word_is_found(pg_dsn: str) -> None:
    """A tsvector keeps 256 places of a word and none past 16,383, and holds under 1 MB: the
    index narrows by words alone and a very long text's later words are indexed once."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    common = "the port said the ship and the crew were fine " * 60  # "the" 180 times
    late = "filler words about markets " * 5_000 + "a trade deal was signed"  # word 20,005
    huge = "x" * 500_000 + " harbourmaster resigned"  # past the characters kept in order
    texts = {"common": common + "the deal", "late": late, "huge": huge}
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=ident,
                    source="Wire",
                    title=ident,
                    summary="",
                    published=when,
                    fetched=when,
                    text=text,
                )  # fmt: skip
                for ident, text in texts.items()
            ]
        )
        for phrase, expected in (
            ('"the deal"', ["common"]),
            ('"trade deal"', ["late"]),
            ("harbourmaster", ["huge"]),
        ):
            assert store.query_ids(parse_query(phrase, NOW)) == expected, phrase


def test_the_store_table_does_not_show_its_dsn_when_printed() -> None:
    from fetchers.config import StoreConfig

    table = StoreConfig(backend="postgresql", dsn=f"postgresql://desk:{PASSWORD}@db/wire")
    assert PASSWORD not in repr(table) and PASSWORD not in str(table)


def test_source_tag_and_language_match_in_any_case_of_any_script(pg_dsn: str) -> None:
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    article = Article(
        id="a1", source="Ärzteblatt", title="Kliniken", summary="", published=when,
        fetched=when, tags=["Россия"], lang="DE-at",
    )  # fmt: skip
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([article])
        for text in ("source:ärzteblatt", "source:ÄRZTEBLATT", "tag:россия", "lang:de"):
            assert store.query_ids(parse_query(text, NOW)) == ["a1"], text
        # a region asks for its language (lang:de-at found none: the key keeps no region)
        assert store.query_ids(parse_query("lang:de-AT", NOW)) == ["a1"]
        assert store.query_ids(parse_query("-lang:de-de", NOW)) == []


def test_an_apostrophe_typed_finds_the_one_news_writes(pg_dsn: str) -> None:
    """ "Seoul's" finds "Seoul\u2019s" and the other way round, in titles and summaries."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    curly = Article(
        id="c1", source="S", title="Seoul\u2019s $350 billion pledge", summary="O\u2019Brien said",
        published=when, fetched=when,
    )  # fmt: skip
    straight = Article(
        id="s1", source="S", title="Seoul's answer", summary="", published=when, fetched=when
    )
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([curly, straight])
        for text, expected in (
            ("Seoul's", ["c1", "s1"]),
            ("seoul\u2019s", ["c1", "s1"]),
            ('title:"seoul\'s $350"', ["c1"]),
            ("o'brien", ["c1"]),
        ):
            assert sorted(store.query_ids(parse_query(text, NOW))) == expected, text


def test_a_turkish_capital_dotted_i_is_an_i_in_words(pg_dsn: str) -> None:
    """ "İstanbul" is found by istanbul, as a word and in a phrase (its words were "i" and
    "stanbul")."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    article = Article(
        id="t1", source="S", title="İSTANBUL zirvesi başladı", summary="İzmir'de de toplantı",
        published=when, fetched=when,
    )  # fmt: skip
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([article])
        for text in ("istanbul", "İstanbul", '"istanbul zirvesi"', "izmir"):
            assert store.query_ids(parse_query(text, NOW)) == ["t1"], text
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        conn.execute(
            "UPDATE articles SET words = to_tsvector('simple', 'i stanbul zirvesi başladı')"
            " WHERE id = 't1'"
        )
        conn.execute("UPDATE schema_version SET version = 16")
        assert conn.execute("SELECT pairs IS NOT NULL FROM articles").fetchone() == (True,)
    with PostgresStore(pg_dsn, writer=True) as store:  # the upgrade has it worded again
        while store.backfill():
            pass
        assert store.query_ids(parse_query("istanbul", NOW)) == ["t1"]


def test_a_sharp_s_is_ss_and_a_dotless_i_an_i_in_words(pg_dsn: str) -> None:
    """ "Straßenbahn" is found by STRASSENBAHN, "Irak" by ırak and "IŞIK" by ışık, as the
    list finds them in a data dir; a database whose words were made before has them made
    again (they were "straßenbahn", "ışık")."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    article = Article(
        id="d1", source="S", title="Straßenbahn in München fährt wieder",
        summary="Irak'ta IŞIK festivali", published=when, fetched=when,
    )  # fmt: skip
    asked = ("STRASSENBAHN", "strassenbahn", '"strassenbahn in"', "ırak", "ışık", "title:STRASSE")
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([article])
        for text in asked:
            assert store.query_ids(parse_query(text, NOW)) == ["d1"], text
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        conn.execute(
            "UPDATE articles SET words = to_tsvector('simple',"
            " 'straßenbahn in münchen fährt wieder ırak ta ışık festivali') WHERE id = 'd1'"
        )
        conn.execute("UPDATE schema_version SET version = 20")
    with PostgresStore(pg_dsn, writer=True) as store:  # the upgrade has it worded again
        while store.backfill():
            pass
        for text in asked:
            assert store.query_ids(parse_query(text, NOW)) == ["d1"], text


@pytest.mark.parametrize(
    ("written", "asked", "schema_before"),
    [
        pytest.param(
            {
                "jp": (
                    "\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ",
                    "\uff35.\uff33. tariffs loom",
                ),
                "fr": ("Cafe\u0301 society reopens", "Paris"),
                "ko": (unicodedata.normalize("NFD", "관세 협상 타결"), "서울"),
            },
            {
                "APEC": ["jp"],
                "\uff41\uff50\uff45\uff43": ["jp"],
                "title:apec": ["jp"],
                "apec首脳": ["jp"],  # (a word of a script written without spaces: no words index)
                '"u.s. tariffs"': ["jp"],
                "caf\u00e9": ["fr"],
                '"caf\u00e9 society"': ["fr"],
                "관세": ["ko"],
                unicodedata.normalize("NFD", "관세"): ["ko"],
                '"관세 협상"': ["ko"],
            },
            22,
            id="full-width-and-decomposed",
        ),
        pytest.param(
            {
                "us": ("Talks resume", "Wash\u200bington and Seoul"),
                "de": ("Bundestag", "Das Klimaschutz\u2060gesetz"),
            },
            {
                "Washington": ["us"],
                '"washington and seoul"': ["us"],
                "Klima\u00adschutz\u00adgesetz": ["de"],
                "klimaschutzgesetz\u200f": ["de"],
            },
            24,
            id="invisible-characters",
        ),
    ],
)
def test_letters_written_otherwise_are_the_letters_in_words(
    pg_dsn: str,
    written: dict[str, tuple[str, str]],
    asked: dict[str, list[str]],
    schema_before: int,
) -> None:
    """Words written otherwise than typed are found as the list finds them in a data dir, and
    a database whose words were made before has them made again. "ＡＰＥＣ" is found by APEC
    (and "Ｕ.Ｓ." by u.s.), "Cafe\u0301" by café and Korean written as its jamo by the word
    (they were "ａｐｅｃ", "cafe"); a summary holding a zero-width space inside a word
    ("Wash\u200bington") by the word, and a word pasted with a soft hyphen or a
    right-to-left mark finds the text (they were "wash", "ington")."""
    from fetchers.store.postgres.words import RUN

    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    articles = [
        Article(id=ident, source="S", title=title, summary=summary, published=when, fetched=when)
        for ident, (title, summary) in written.items()
    ]
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(articles)
        for text, expected in asked.items():
            assert store.query_ids(parse_query(text, NOW)) == expected, text
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        for ident, (title, summary) in written.items():
            before = " ".join(RUN.findall(f"{title} {summary}".lower()))
            conn.execute(
                "UPDATE articles SET words = to_tsvector('simple', %s) WHERE id = %s",
                (before, ident),
            )
        conn.execute("UPDATE schema_version SET version = %s", (schema_before,))
    with PostgresStore(pg_dsn, writer=True) as store:  # the upgrade has them worded again
        while store.backfill():
            pass
        for text, expected in asked.items():
            assert store.query_ids(parse_query(text, NOW)) == expected, text


def test_words_typed_without_their_accents_find_the_accented_words(pg_dsn: str) -> None:
    """ "Café" is found by cafe (and "Cafe" by café), "Zürich" by zurich, "Ёлку" by Елку and
    "Αθήνα" by ΑΘΗΝΑ, as words and in phrases, as the list finds them in a data dir, while a
    Hindi word differing by a vowel sign is not; a database whose words were made before has
    them made again (they were "café", "zürich")."""
    from fetchers.store.postgres.words import RUN

    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    written = {
        "fr": ("Café society reopens", "Paris"),
        "en": ("Cafe prices rise", "London"),
        "ch": ("Stocks fall", "Trading in Zürich was thin"),
        "ru": ("Ёлку нарядили", "Москва"),
        "gr": ("Αθήνα: συνάντηση", "Ελλάδα"),
        "hi": ("काम जारी है", "दिल्ली"),
    }
    asked = {
        "cafe": ["en", "fr"],
        "CAFÉ": ["en", "fr"],
        '"cafe society"': ["fr"],
        '"trading in zurich"': ["ch"],
        "zurich": ["ch"],
        "Елку": ["ru"],
        "title:ΑΘΗΝΑ": ["gr"],
        "कम": [],
        "काम": ["hi"],
    }
    articles = [
        Article(id=ident, source="S", title=title, summary=summary, published=when, fetched=when)
        for ident, (title, summary) in written.items()
    ]
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(articles)
        for text, expected in asked.items():
            assert sorted(store.query_ids(parse_query(text, NOW))) == expected, text
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        for ident, (title, summary) in written.items():
            before = " ".join(RUN.findall(f"{title} {summary}".lower()))
            conn.execute(
                "UPDATE articles SET words = to_tsvector('simple', %s) WHERE id = %s",
                (before, ident),
            )
        conn.execute("UPDATE schema_version SET version = 25")
    with PostgresStore(pg_dsn, writer=True) as store:  # the upgrade has them worded again
        while store.backfill():
            pass
        for text, expected in asked.items():
            assert sorted(store.query_ids(parse_query(text, NOW))) == expected, text


class PausedWrite:
    """A writer's `add_staged` held open inside its transaction, its rows inserted and a
    stored one revised but nothing committed, until `finish`: another writer's write can then
    be seen to go on beside it or wait for it."""

    def __init__(self, store: PostgresStore, monkeypatch: pytest.MonkeyPatch) -> None:
        self.inside, self.release = threading.Event(), threading.Event()
        self.stored: list[list[str]] = []
        revise = store._revise

        def pausing(cur: object, revised: dict[str, object]) -> list[str]:
            stale = revise(cur, revised)  # type: ignore[arg-type]
            self.inside.set()
            self.release.wait(60)
            return stale

        monkeypatch.setattr(store, "_revise", pausing)
        store.add_batch([make(1)])  # stored before: the write revises it
        batch = [dataclasses.replace(make(1), title="Revised headline"), make(2), make(3)]
        self.thread = threading.Thread(target=lambda: self.stored.append(store.add_batch(batch)))
        self.thread.start()
        assert self.inside.wait(60)

    def finish(self) -> list[str]:
        self.release.set()
        self.thread.join(60)
        return self.stored[0]


def _done_or_waiting(thread: threading.Thread, dsn: str) -> str:
    """Says "done" when the thread's write ends, "waiting" as soon as some session of the
    database waits for a lock (another write's)."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        for _ in range(2000):
            if not thread.is_alive():
                return "done"
            row = admin.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            ).fetchone()
            if row is not None and row[0]:
                return "waiting"
            time.sleep(0.005)
    thread.join(60)
    return "done" if not thread.is_alive() else "waiting"


def test_two_pollers_write_side_by_side(pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A poller's write still open (its rows inserted, one revised) does not hold up another
    poller's write of other articles: that one commits while the first is open, and the
    first then commits too, each article stored once."""
    with (
        PostgresStore(pg_dsn, writer=True, share=True) as one,
        PostgresStore(pg_dsn, writer=True, share=True) as two,
    ):
        paused = PausedWrite(one, monkeypatch)
        written: list[list[str]] = []
        beside = threading.Thread(target=lambda: written.append(two.add_batch([make(4), make(5)])))
        beside.start()
        state = _done_or_waiting(beside, pg_dsn)
        assert paused.finish() == ["Wire-2", "Wire-3"]
        beside.join(60)
        assert state == "done"
        assert written == [["Wire-4", "Wire-5"]]
        assert sorted(one.query_ids()) == [f"Wire-{n}" for n in range(1, 6)]
        assert one.get("Wire-1").title == "Revised headline"  # type: ignore[union-attr]


def _until_lock_wait(locktype: str, dsn: str, done: threading.Thread | None = None) -> bool:
    """Wait until some session of the database waits for a lock of this type (True), or the
    thread ends first (False)."""
    with psycopg.connect(dsn, autocommit=True) as admin:
        for _ in range(4000):
            if done is not None and not done.is_alive():
                return False
            row = admin.execute(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND locktype = %s"
                " AND pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())",
                (locktype,),
            ).fetchone()
            if row is not None and row[0]:
                return True
            time.sleep(0.005)
    raise AssertionError(f"no session waited for a {locktype} lock")


def test_two_pollers_storing_the_same_articles_at_once_never_deadlock(pg_dsn: str) -> None:
    """Two pollers write the same two articles at once, each batch in its own order (a
    source whose lease passed from one to the other mid-poll): one waits for the other's
    rows in the order both take them, never each for the other, and both writes end with
    each article stored once. Here the first is held just before it inserts its rows."""
    PostgresStore(pg_dsn).close()
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(
            "CREATE FUNCTION held() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.title = 'held' THEN PERFORM pg_advisory_xact_lock_shared(4242); END IF;"
            " RETURN NEW; END $$"
        )
        admin.execute(
            "CREATE TRIGGER held BEFORE INSERT ON articles FOR EACH ROW EXECUTE FUNCTION held()"
        )
        admin.execute("SELECT pg_advisory_lock(4242)")
        with (
            PostgresStore(pg_dsn, writer=True, share=True) as one,
            PostgresStore(pg_dsn, writer=True, share=True) as two,
        ):
            results: dict[str, object] = {}

            def write(name: str, store: PostgresStore, batch: list[Article]) -> None:
                try:
                    results[name] = store.add_batch(batch)
                except StoreError as exc:
                    results[name] = exc

            held = dataclasses.replace(make(1), title="held")
            first = threading.Thread(target=write, args=("one", one, [make(3), held]))
            first.start()
            assert _until_lock_wait("advisory", pg_dsn, first)  # held at its article 1
            second = threading.Thread(target=write, args=("two", two, [make(1), make(3)]))
            second.start()
            _until_lock_wait("transactionid", pg_dsn, second)  # or it ended
            admin.execute("SELECT pg_advisory_unlock(4242)")
            first.join(60)
            second.join(60)
        assert results == {"one": [], "two": ["Wire-1", "Wire-3"]}
        rows = admin.execute("SELECT id, title FROM articles ORDER BY id").fetchall()
        assert rows == [
            ("Wire-1", "Headline 1 about tariffs"),
            ("Wire-3", "Headline 3 about tariffs"),
        ]


def _arrivals(viewer: PostgresStore) -> list[str]:
    """What a viewer's reloads give once the next write is announced."""
    for _ in range(2500):  # the announcement comes with the commit (up to 10 s under load)
        arrived = viewer.reload()
        if arrived:
            return arrived
        time.sleep(0.004)
    return []


def test_a_viewer_misses_no_write_that_commits_after_a_later_one(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pollers write at once and the later write (higher seq numbers) commits first: a
    viewer that looks between the two commits gets the later write's articles then and the
    earlier write's at its next look, by reload and by `stored_since` alike."""
    with (
        PostgresStore(pg_dsn, writer=True, share=True) as one,
        PostgresStore(pg_dsn, writer=True, share=True) as two,
        PostgresStore(pg_dsn) as viewer,
    ):
        paused = PausedWrite(one, monkeypatch)
        assert viewer.reload() == ["Wire-1"]  # listening from here
        _, mark = viewer.stored_since(None)
        beside = threading.Thread(target=lambda: two.add_batch([make(4), make(5)]))
        beside.start()
        state = _done_or_waiting(beside, pg_dsn)
        if state == "waiting":
            paused.finish()
        assert state == "done"
        assert _arrivals(viewer) == ["Wire-4", "Wire-5"]
        stored, mark = viewer.stored_since(mark)
        assert stored == ["Wire-4", "Wire-5"]
        assert viewer.reload() == []
        assert viewer.stored_since(mark)[0] == []
        assert paused.finish() == ["Wire-2", "Wire-3"]
        assert _arrivals(viewer) == ["Wire-2", "Wire-3"]  # numbered before, committed after
        stored, mark = viewer.stored_since(mark)
        assert stored == ["Wire-2", "Wire-3"]
        assert viewer.stored_since(mark)[0] == []
        earlier, later = viewer.records(["Wire-2", "Wire-4"])
        assert earlier.seq < later.seq  # "seq above the last seen" would have missed it


def test_a_server_older_than_the_schema_needs_is_refused_with_a_clear_error(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server without xid8 (before PostgreSQL 13) is named with the version it needs,
    not left to fail in the middle of an upgrade with "type xid8 does not exist"."""
    monkeypatch.setattr(schema, "OLDEST_SERVER", 10_000_000)  # beyond every server
    with pytest.raises(StoreError, match="needs PostgreSQL 13 or later"):
        PostgresStore(pg_dsn, writer=True)


def test_a_database_of_the_schema_before_writes_beside_losing_no_article(pg_dsn: str) -> None:
    """A database from before pollers wrote side by side (schema 11), opened, is upgraded:
    its articles are all listed, none comes again as new to a viewer or the grouping, and
    every article stored after is new to both."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(n) for n in range(1, 4)])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute("ALTER TABLE articles DROP COLUMN arrived")  # as schema 11 had it
        conn.execute("UPDATE schema_version SET version = 11")
    with PostgresStore(pg_dsn, writer=True) as writer, PostgresStore(pg_dsn) as viewer:
        assert viewer.query_ids() == ["Wire-3", "Wire-2", "Wire-1"]
        assert viewer.reload() == []
        _, mark = writer.stored_since(None)
        writer.add_batch([make(4), make(5)])
        assert _arrivals(viewer) == ["Wire-4", "Wire-5"]
        stored, mark = writer.stored_since(mark)
        assert stored == ["Wire-4", "Wire-5"]
        assert writer.stored_since(mark)[0] == []
        assert viewer.query_ids() == [f"Wire-{n}" for n in range(5, 0, -1)]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        version = conn.execute("SELECT version FROM schema_version").fetchall()
        assert version == [(schema.VERSION,)]
        kept = conn.execute("SELECT id FROM articles WHERE arrived IS NULL ORDER BY id")
        assert kept.fetchall() == [("Wire-1",), ("Wire-2",), ("Wire-3",)]  # no row written


def test_a_database_restored_into_another_server_shows_its_articles_as_new_to_no_look(
    pg_dsn: str,
) -> None:
    """A dump restored into another server keeps the transactions its rows were written in
    as the first server numbered them, beyond what this one has begun: no look takes them
    for new, not before a poller starts nor after this server's numbers pass theirs."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(n) for n in range(1, 4)])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the dump numbered them
        conn.execute("UPDATE articles SET arrived = (pg_current_xact_id()::text::bigint + 50)"
                     "::text::xid8")  # fmt: skip
    with PostgresStore(pg_dsn) as viewer:
        _, mark = viewer.stored_since(None)
        assert viewer.stored_since(mark)[0] == []
        with PostgresStore(pg_dsn, writer=True) as writer:
            with psycopg.connect(pg_dsn, autocommit=True) as conn:
                for _ in range(60):  # this server's numbers pass the dump's
                    conn.execute("SELECT pg_current_xact_id()")
            writer.add_batch([make(4)])
            assert viewer.stored_since(mark)[0] == ["Wire-4"]
            assert viewer.reload() == ["Wire-4"]
            assert len(viewer) == 4


def test_an_article_cannot_be_stored_twice(pg_dsn: str) -> None:
    """An id is stored once, whatever writes it; two articles of a source may share a link
    (a live page's updates: which are the same item is told before they are written)."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1)])
    insert = (
        "INSERT INTO articles (id, source, source_key, title, summary, link, day,"
        " at, words) VALUES (%s, 'Wire', 'wire', 't', '', %s, '2025-10-24', 0, '')"
    )
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(insert, ("Wire-1", "https://other.example/1"))
        conn.execute(insert, ("Update", make(1).link))


def test_the_schema_is_versioned_and_applied_once(pg_dsn: str) -> None:
    for _ in range(2):
        with PostgresStore(pg_dsn):
            pass
    with psycopg.connect(pg_dsn) as conn:
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(schema.VERSION,)]


def test_a_viewer_that_lists_a_few_articles_connects_to_the_server_once(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The connection that checks the schema is the one the reads then use (a connection is
    most of what a short `wirewatch list` costs the server)."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(
            [
                dataclasses.replace(make(1), title="Trade minister resigns"),
                dataclasses.replace(make(2), text="The trade ministers met."),
                make(3),
            ]
        )
    made: list[str] = []
    real = psycopg.Connection.connect

    def counting(cls: type, conninfo: str = "", **kwargs: object) -> psycopg.Connection:
        made.append(conninfo)
        return real(conninfo, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(psycopg.Connection, "connect", classmethod(counting))
    monkeypatch.setattr(
        psycopg, "connect", lambda *args, **kwargs: counting(psycopg.Connection, *args, **kwargs)
    )
    with PostgresStore(pg_dsn) as viewer:
        assert viewer.newest(parse_query('"trade minister"', NOW), 20) == ["Wire-2", "Wire-1"]
        assert [r.id for r in viewer.records(["Wire-3", "Wire-1"])] == ["Wire-3", "Wire-1"]
        assert viewer.text("Wire-2") == "The trade ministers met."
        assert len(viewer) == 3
    assert len(made) == 1


def test_show_takes_an_ids_start_from_the_server_not_every_id(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`show` of an id's first characters pulled every stored id to the client to look for
    them, and its story every story and every id; the server answers with the few ids that
    start so, in any case, and with the one story."""
    from fetchers.storybook import StoryBook

    with _writer(pg_dsn) as store:
        store.add_batch([make(n) for n in (1, 12, 2)])
        StoryBook(tmp_path / "grouping").update(store, ["Wire-1", "Wire-12", "Wire-2"], False)
    config = write_config(
        tmp_path / "wirewatch.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    monkeypatch.setattr(
        PostgresStore, "query_ids", lambda *_, **__: pytest.fail("every id was read")
    )
    assert cli.main(["--config", str(config), "show", "WIRE-2", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["id"] == "Wire-2" and shown["story"]
    assert cli.main(["--config", str(config), "show", "wire-1"]) == 2
    assert "2 articles' ids start with 'wire-1': Wire-1, Wire-12" in capsys.readouterr().err


def test_an_unreachable_server_and_a_wrong_password_say_so_without_the_password(
    pg_server: PgServer, pg_dsn: str
) -> None:
    wrong = "Wr0ng-pass-9"
    closed = f"postgresql://wirewatch:{PASSWORD}@127.0.0.1:1/nothing"
    with pytest.raises(StoreError, match="cannot reach the PostgreSQL server") as caught:
        PostgresStore(closed)
    assert PASSWORD not in str(caught.value) and "***" in str(caught.value)
    with pytest.raises(StoreError, match="password authentication failed") as caught:
        PostgresStore(pg_dsn.replace(PASSWORD, wrong))
    assert wrong not in str(caught.value)


def test_config_names_the_backend_and_the_cli_hides_the_password(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1, text="Full text one.")])
    config = write_config(
        tmp_path / "wirewatch.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    assert cli.main(["--config", str(config), "list", "--limit", "5"]) == 0
    assert "Wire-1" in capsys.readouterr().out
    assert cli.main(["--config", str(config), "show", "Wire-1"]) == 0
    assert "Full text one." in capsys.readouterr().out
    bad = write_config(
        tmp_path / "bad.toml",
        f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn.replace("127.0.0.1:", "127.0.0.1:1")}"\n',
    )
    assert cli.main(["--config", str(bad), "list"]) == 2
    err = capsys.readouterr().err
    assert "cannot reach the PostgreSQL server" in err and PASSWORD not in err
    env_only = write_config(tmp_path / "env.toml", '[store]\nbackend = "postgresql"\n')
    assert cli.main(["--config", str(env_only), "list"]) == 2
    assert "needs a dsn" in capsys.readouterr().err
    monkeypatch.setenv("WIREWATCH_DSN", pg_dsn)
    assert cli.main(["--config", str(env_only), "list"]) == 0
    assert "Wire-1" in capsys.readouterr().out
    for text, fault in (
        ('[store]\nbackend = "mysql"\n', "must be 'tinydb' or 'postgresql'"),
        ('[store]\nbackend = "postgresql"\ndsn = "host=db password=x"\n', "URL"),
        ("[store]\nsize = 3\n", "unknown key"),
    ):
        path = write_config(tmp_path / "t.toml", text)
        with pytest.raises(ConfigError, match=fault):
            load_config(path, NOW)


def test_without_psycopg_the_postgresql_backend_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from fetchers.config import StoreConfig

    monkeypatch.setitem(sys.modules, "psycopg", None)
    with pytest.raises(StoreError, match=r"pip install 'wirewatch\[postgresql\]'"):
        open_store(StoreConfig("postgresql", "postgresql://u:p@127.0.0.1/db"), tmp_path)


def test_the_default_store_and_the_cli_do_not_import_psycopg() -> None:
    code = (
        "import sys, tui.cli, fetchers.store, fetchers.store.factory;"
        "assert 'psycopg' not in sys.modules, 'psycopg imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


def _filled_tinydb(folder: Path) -> None:
    """Articles over two days, texts stored and attached later, a revision, read and starred
    marks, and a starred article that retention kept."""
    old = datetime(2025, 9, 1, 9, tzinfo=UTC)
    day1 = datetime(2025, 10, 23, 9, tzinfo=UTC)
    day2 = datetime(2025, 10, 24, 9, tzinfo=UTC)
    with Store(folder, writer=True) as store:
        store.add_batch([make(n, fetched=old) for n in range(3)])
        store.set_state(["Wire-0"], starred=True)
        store.apply_retention(30, day2)  # Wire-0 kept, Wire-1 and Wire-2 gone
        store.add_batch([make(n, fetched=day1, text=f"Body {n}.") for n in range(10, 20)])
        store.add_batch([make(n, source="Other", fetched=day2) for n in range(5)])
        edited = make(11, fetched=day2)
        edited.title = "Headline 11, corrected"
        store.add_batch([edited])
        store.set_texts([("Other-2", "Attached later.")])
        store.set_texts([("Wire-12", "Body 12, as first fetched.")])
        store.set_texts([("Wire-12", "Body 12, fetched again.")])  # Body 12. and this one before
        store.set_state(["Wire-12", "Other-1"], read=True)
        store.set_state(["Wire-13"], starred=True)
        store.add_batch(
            [
                Article(
                    id="Full-1",
                    source="Full",
                    title="한미 관세 협상",
                    link=None,
                    published=None,
                    fetched=day2,
                    summary="요약",
                    tags=["Korea", "trade"],
                    lang="ko-KR",
                    author="Kim Min-ji",
                    guid="urn:full:1",
                    listed=day1,
                )  # fmt: skip
            ]
        )
    (folder / "events.json").write_text('{"events": []}')  # the desk's files beside them


def _snapshot(store: object) -> dict[str, tuple]:
    assert hasattr(store, "query_ids")
    out = {}
    for ident in store.query_ids():  # type: ignore[attr-defined]
        article = store.get(ident)  # type: ignore[attr-defined]
        record = store.record(ident)  # type: ignore[attr-defined]
        out[ident] = (
            dataclasses.astuple(article),
            store.text(ident),  # type: ignore[attr-defined]
            store.revisions(ident),  # type: ignore[attr-defined]
            [r["text"] for r in store.text_revisions(ident)],  # type: ignore[attr-defined]
            record.revised,
            record.at,
        )
    return out


def test_migrate_copies_a_data_dir_into_postgresql_and_back_losing_nothing(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _filled_tinydb(data)
    with Store(data) as original:
        before = _snapshot(original)
    assert len(before) == 17 and before["Wire-11"][2][0]["title"] == "Headline 11 about tariffs"
    from fetchers.healthbook import HealthBook
    from fetchers.models import SourceHealth

    # what a feed listed last goes with its health (else the copy's first poll stored again,
    # and alerted on, what retention had dropped)
    blog = SourceHealth("Blog", "https://b.example/feed", listed=frozenset({"a1"}))
    HealthBook(data).save({"Blog": blog})
    config = write_config(tmp_path / "wirewatch.toml", "")
    args = ["--config", str(config), "--data-dir", str(data)]
    with Store(data, writer=True):  # a poller at work: its store is not copied under it
        assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 2
    assert "stop its poller first" in capsys.readouterr().err
    assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 0
    said = capsys.readouterr()
    assert (
        "copied 17 articles, 11 texts, 1 revisions, 2 earlier texts, 2 read, 2 starred" in said.out
    )
    assert PASSWORD not in said.out + said.err
    with PostgresStore(pg_dsn) as copy:
        assert _snapshot(copy) == before
        assert list(_snapshot(copy)) == list(before)  # in one order (Wire-0 and Other-0 tie)
        health = copy.load_health()
        assert health is not None and health["Blog"].listed == {"a1"}
    assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 2  # not empty now
    assert "already holds 17 articles" in capsys.readouterr().err
    pg_config = write_config(
        tmp_path / "pg.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    back = tmp_path / "back"
    pg_args = ["--config", str(pg_config), "--data-dir", str(data)]
    assert cli.main([*pg_args, "migrate", "--to", "tinydb", str(back)]) == 0
    said = capsys.readouterr()
    assert "copied 17 articles" in said.out and "events.json" in said.out
    assert "the read marks are " in said.out  # (whose: one reader's, of several)
    with Store(back) as again:
        assert _snapshot(again) == before
        assert list(_snapshot(again)) == list(before)
    assert (back / "events.json").read_text() == '{"events": []}'
    assert HealthBook(back).load(listed=True)["Blog"].listed == {"a1"}


def test_migrate_into_postgresql_keeps_what_retention_dropped_and_the_days_ahead(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """An article retention dropped from the data dir, its feed listing it again, is no news
    in the database; a day filed ahead of the real clock goes from the database when it
    would have gone from the data dir (the database noted it afresh at its first retention,
    and kept it that much longer)."""
    config = copied.polled_config(tmp_path)
    data = tmp_path / "data"
    copied.drop_one(config, data)
    with Store(data, writer=True) as store:
        copied.file_a_day_ahead(store)
    args = ["--config", str(config), "--data-dir", str(data)]
    assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 0
    said = capsys.readouterr().out
    with _writer(pg_dsn) as database:
        copied.dropped_as_noted(database)
    pg_config = copied.polled_config(tmp_path, _store_table(pg_dsn))
    assert copied.listed_again(pg_config, tmp_path / "elsewhere") == 0
    assert "Wire: 0 new of 2" in capsys.readouterr().out
    assert "and 2 days filed ahead of the real clock, as noted" in said


def test_migrate_from_postgresql_keeps_what_retention_dropped_and_the_days_ahead(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same, from the database into a data dir."""
    pg_config = copied.polled_config(tmp_path, _store_table(pg_dsn))
    host = tmp_path / "host"
    copied.drop_one(pg_config, host)
    with _writer(pg_dsn) as database:
        copied.file_a_day_ahead(database)
    back = tmp_path / "back"
    assert cli.main(["--config", str(pg_config), "--data-dir", str(host), "migrate", "--to",
                     "tinydb", str(back)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    with Store(back, writer=True) as store:
        copied.dropped_as_noted(store)
    assert copied.listed_again(copied.polled_config(tmp_path), back) == 0
    assert "Wire: 0 new of 2" in capsys.readouterr().out
    assert "and 2 days filed ahead of the real clock, as noted" in said


def _store_table(dsn: str) -> str:
    return f'[store]\nbackend = "postgresql"\ndsn = "{dsn}"\n'


def _one_time_fetched_on_three_days() -> list[list[Article]]:
    """Five articles published at one time, fetched over three days, in two writes that
    each hold one fetched on an earlier day than one before it."""
    published = datetime(2025, 10, 24, 7, tzinfo=UTC)

    def article(name: str, day: int) -> Article:
        fetched = datetime(2025, 10, day, 9, tzinfo=UTC)
        link = f"https://example.org/{name}"
        return Article(name, "Wire", f"Headline {name}", link, published, fetched)

    return [
        [article("a", 25), article("b", 24), article("c", 25)],
        [article("d", 23), article("e", 24)],
    ]


def test_articles_of_one_time_are_listed_in_the_same_order_by_both_stores(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A data dir lists articles of equal times by the day they were fetched, then in the
    order stored; the database listed them in the order stored alone, so that `list --limit
    1` of the same articles showed another on each store."""
    data = tmp_path / "data"
    with Store(data, writer=True) as files, PostgresStore(pg_dsn, writer=True) as database:
        for batch in _one_time_fetched_on_three_days():
            files.add_batch(batch)
            database.add_batch(batch)
        assert files.query_ids() == ["d", "b", "e", "a", "c"]
        assert database.query_ids() == files.query_ids()
        assert database.query_ids(parse_query("source:Wire", NOW), 2) == ["d", "b"]
        # a dashboard tells whether an article lies beyond its page by (-at, seq)
        records = [database.record(ident) for ident in reversed(database.query_ids())]
        in_order = sorted(records, key=lambda r: (-r.at, r.seq) if r else (0, 0))
        assert [r.id for r in in_order if r] == ["d", "b", "e", "a", "c"]
    tinydb = write_config(tmp_path / "wirewatch.toml", "")
    postgresql = write_config(
        tmp_path / "pg.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    listed: dict[str, list[str]] = {}
    for config in (tinydb, postgresql):
        args = ["--config", str(config), "--data-dir", str(data)]
        for shown in (["--limit", "1", "--json"], ["--limit", "1"], ["--json"]):
            assert cli.main([*args, "list", *shown]) == 0
            listed.setdefault(" ".join(shown), []).append(capsys.readouterr().out)
    for shown, (files_said, database_said) in listed.items():
        assert files_said == database_said, shown
    assert json.loads(listed["--limit 1 --json"][0])["id"] == "d"


def test_migrate_into_postgresql_takes_the_apps_events_and_the_alert_history(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A host reading its desk from the database showed none of the events added in the app
    nor the alerts that fired before the migration: they stayed in the data dir's files.
    They are copied into a database that holds none."""
    from fetchers.alerthistory import AlertHistory
    from fetchers.events import EventBook
    from fetchers.models import Event

    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch([make(1)])
    vote = datetime(2026, 12, 9, 9, tzinfo=UTC)
    EventBook(data).add(Event("Vote day", vote, "UTC"))
    fired = datetime(2026, 12, 1, 8, tzinfo=UTC)
    AlertHistory(data, writer=True).append(
        [
            {"alert": "Tariffs", "rule": "app:1", "kind": "match", "article": "Wire-1",
             "title": "Headline 1 about tariffs", "source": "Wire", "at": fired,
             "link": None, "notify": ("terminal",)}
        ],
        fired,
        30,
    )  # fmt: skip
    config = write_config(tmp_path / "wirewatch.toml", "")
    args = ["--config", str(config), "--data-dir", str(data), "--now", "2026-12-02T00:00:00Z"]
    assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 0
    said = capsys.readouterr().out
    assert "1 events added in the app" in said and "1 alerts of the history" in said
    pg_config = write_config(
        tmp_path / "pg.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    pg_args = ["--config", str(pg_config), "--data-dir", str(tmp_path / "elsewhere")]
    pg_args += ["--now", "2026-12-02T00:00:00Z"]
    assert cli.main([*pg_args, "events", "--json"]) == 0
    events = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [e["name"] for e in events] == ["Vote day"]
    assert cli.main([*pg_args, "alerts", "--json", "--since", "30d"]) == 0
    alerts = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["title"] for a in alerts] == ["Headline 1 about tariffs"]


def _ten_stored_five_at_a_glance(pg_dsn: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Ten articles of one source stored, a poller's glance at a source cut to its newest
    five; the list every statement a store asks from now on is named in."""
    monkeypatch.setattr(pg_module, "PER_SOURCE", 5)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(n) for n in range(10)])
    queries_made: list[str] = []
    real = PostgresStore._cursor

    def counting(self: PostgresStore, what: str, write: bool = False) -> object:
        queries_made.append(what)
        return real(self, what, write)

    monkeypatch.setattr(PostgresStore, "_cursor", counting)
    return queries_made


def test_a_poll_asks_the_server_once_per_source_whether_items_are_new(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poller asks `knows` and `revised` of every item of a feed in its event loop: one
    query per source, not a round trip per item; an item older than what was read is taken
    for new and its write still stores nothing twice."""
    queries_made = _ten_stored_five_at_a_glance(pg_dsn, monkeypatch)
    with PostgresStore(pg_dsn, writer=True) as poller:
        feed = [make(n) for n in range(5, 12)]  # 5-9 newest stored, 10-11 new
        feed[0].title = "Headline 5, corrected"
        new = [a.id for a in feed if not poller.knows(a) or poller.revised(a)]
        assert new == ["Wire-5", "Wire-10", "Wire-11"]
        assert len(queries_made) == 1
        old = make(1)  # stored, but older than the newest five read
        assert not poller.knows(old)
        queries_made.clear()
        assert poller.add_batch([*feed, old]) == ["Wire-10", "Wire-11"]
        assert [r["title"] for r in poller.revisions("Wire-5")] == ["Headline 5 about tariffs"]
        assert poller.knows(make(11)) and poller.knows(old)
        assert len(poller) == 12


def test_what_the_server_says_of_an_article_beyond_the_glance_is_asked_once(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article older than the source's newest read at a glance, or one retention dropped,
    that its feed still lists is asked of the server (a headline rewritten there was lost):
    once, not at every poll."""
    queries_made = _ten_stored_five_at_a_glance(pg_dsn, monkeypatch)
    with PostgresStore(pg_dsn, writer=True) as poller:
        dropped = make(42)  # listed by its feed, not stored
        assert not poller.knows(make(1)) and not poller.knows(dropped)
        for _ in range(3):  # three polls
            assert not poller.revised(make(1)) and not poller.revised(dropped)
        assert poller.knows(make(1)) and not poller.knows(dropped)  # as the server said
        assert len(queries_made) == 3  # the glance, then one question for each
        rewritten = make(1)
        rewritten.title = "Headline 1, corrected"
        assert poller.revised(rewritten) and len(queries_made) == 3


def test_a_viewer_reads_the_table_only_when_the_writer_announces_a_write(
    pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Viewers on any host learn of new articles by LISTEN/NOTIFY: their reloads (every 2 s
    in a dashboard) read nothing from the tables until the writer announces a write."""
    reads: list[str] = []
    real = PostgresStore._cursor

    def counting(self: PostgresStore, what: str, write: bool = False) -> object:
        if not write and not self.is_writer:
            reads.append(what)
        return real(self, what, write)

    monkeypatch.setattr(PostgresStore, "_cursor", counting)
    with PostgresStore(pg_dsn, writer=True) as writer, PostgresStore(pg_dsn) as viewer:
        writer.add_batch([make(1)])
        assert viewer.reload() == ["Wire-1"]  # listening from here; what came before is read
        reads.clear()
        for _ in range(5):
            assert viewer.reload() == []
        writer.set_state(["Wire-1"], starred=True)
        assert viewer.reload() == []
        assert reads == []
        writer.add_batch([make(2), make(3)])
        arrived: list[str] = []
        for _ in range(2500):  # the announcement comes with the commit (up to 10 s under load)
            arrived += viewer.reload()
            if arrived:
                break
            time.sleep(0.004)
        assert sorted(arrived) == ["Wire-2", "Wire-3"]
        assert len(reads) == 1


def test_a_viewer_hears_how_many_headlines_a_write_revised(pg_dsn: str) -> None:
    """A viewer counted no revision at reload (its filtered list kept a headline that no
    longer matched, and its article pane the old words): the write says how many it revised."""
    with PostgresStore(pg_dsn, writer=True) as writer, PostgresStore(pg_dsn) as viewer:
        writer.add_batch([make(1), make(2)])
        assert sorted(viewer.reload()) == ["Wire-1", "Wire-2"]
        assert viewer.revised_at_reload() == 0
        rewritten = make(1)
        rewritten.title = "Seoul and Washington seal the tariff deal"
        writer.add_batch([rewritten])
        for _ in range(2500):  # the announcement comes with the commit
            if viewer.reload() == [] and viewer.revised_at_reload():
                break
            time.sleep(0.004)
        assert viewer.revised_at_reload() == 1
        assert viewer.rewritten_at_reload() == []  # not which: its stories are made whole
        assert viewer.reload() == [] and viewer.revised_at_reload() == 0  # said once


def test_a_viewer_hears_of_a_link_moved_as_of_a_revised_headline(pg_dsn: str) -> None:
    """An article its source moved to another page (its words the same) is said to a viewer
    as a revised one is: the article pane showing it reads its new link."""
    with PostgresStore(pg_dsn, writer=True) as writer, PostgresStore(pg_dsn) as viewer:
        writer.add_batch([make(1), make(2)])
        assert sorted(viewer.reload()) == ["Wire-1", "Wire-2"]
        moved = make(1)
        moved.link = "https://example.org/Wire/1-updated"
        assert writer.add_batch([moved]) == []
        for _ in range(2500):  # the announcement comes with the commit
            if viewer.reload() == [] and viewer.revised_at_reload():
                break
            time.sleep(0.004)
        assert viewer.revised_at_reload() == 1
        found = viewer.get("Wire-1")
        assert found is not None and found.link == moved.link and found.revisions == []


@pytest.mark.parametrize(
    "dsn, secret",
    [
        ("postgresql://desk:s3cret@db.example/wire", "s3cret"),
        ("postgresql://desk:p%40ss%3Aword@db.example/wire", "p@ss:word"),
        ("postgresql://desk@db.example/wire?password=qu3ry-pass&sslmode=require", "qu3ry-pass"),
    ],
)
def test_a_dsn_password_is_hidden_however_it_is_written_or_quoted(dsn: str, secret: str) -> None:
    from fetchers.store.postgres.connect import hide_password, shown

    quoted = dsn.split(":", 2)[-1].split("@")[0] if "%" in dsn else secret
    message = f"server said: bad password {secret!r} ({quoted}) for {dsn}"
    hidden = hide_password(message, dsn)
    assert secret not in hidden and quoted not in hidden
    assert "db.example" in hidden
    assert secret not in shown(dsn) and quoted not in shown(dsn)


@pytest.mark.parametrize(
    "dsn, spellings",
    [
        (  # a password in the query, percent-encoded: the URL spells it so, the server reads it
            "postgresql://desk@db.example/wire?password=p%26ss%3D1&sslmode=require",
            ["p%26ss%3D1", "p&ss=1"],
        ),
        (  # one in the user info and another in the query: both hidden
            "postgresql://desk:s3cret@db.example/wire?password=WRONGQP",
            ["s3cret", "WRONGQP"],
        ),
        (  # a client key's passphrase, and a name percent-encoded
            "postgresql://desk@db.example/wire?sslpassword=k3y-phrase&p%61ssword=qu3ry",
            ["k3y-phrase", "qu3ry"],
        ),
        (  # a user info holding "?" (libpq reads it as the password's) and "@"
            "postgresql://desk:pa?ss@wo@rd@db.example/wire",
            ["pa?ss@wo@rd"],
        ),
        (  # a query's password holding "?" and "#" (libpq reads them as the password's)
            "postgresql://desk@db.example/wire?password=qu?e%23ry#1&sslmode=require",
            ["qu?e%23ry#1", "qu?e#ry#1"],
        ),
    ],
)
def test_every_password_of_a_dsn_is_hidden_in_every_spelling(
    dsn: str, spellings: list[str]
) -> None:
    """`polling 4 sources into postgresql://desk@db.example/wire?password=p%26ss%3D1` was
    logged: only the user info's password was hidden, and of two passwords only one."""
    from fetchers.redact import printable
    from fetchers.store.postgres.connect import hide_password, shown

    message = f'bad URI "{dsn}": ' + " or ".join(repr(s) for s in spellings)
    for said in (shown(dsn), hide_password(message, dsn), printable(f"polling into {dsn}")):
        assert not any(secret in said for secret in spellings), said
        assert "db.example/wire" in said and "desk" in said and "***" in said
    assert shown(dsn).startswith("postgresql://desk")
    assert hide_password(message, dsn).startswith(f'bad URI "{shown(dsn)}": ')


def test_a_driver_error_quoting_the_whole_dsn_hides_its_query_password() -> None:
    """libpq quotes a DSN it cannot parse whole: the password of its query was shown."""
    dsn = f"postgresql://wirewatch:{PASSWORD}@[::1/wire?password=qu3ry-pass"
    with pytest.raises(StoreError, match="IPv6") as caught:
        PostgresStore(dsn)
    said = str(caught.value)
    assert PASSWORD not in said and "qu3ry-pass" not in said and "password=***" in said


def _role_with_password(pg_server: PgServer, pg_dsn: str, password: str) -> str:
    """A role of its own, owning the test's database, whose password is `password`: its
    name."""
    role = f"ww{os.getpid()}_{random.randrange(10**6)}"
    database = pg_dsn.rsplit("/", 1)[1]
    with psycopg.connect(pg_server.dsn(), autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(role), sql.Literal(password)
            )
        )
        admin.execute(
            sql.SQL("ALTER DATABASE {} OWNER TO {}").format(
                sql.Identifier(database), sql.Identifier(role)
            )
        )
    return role


def test_a_password_in_the_dsns_query_never_shows_in_what_the_cli_says(
    tmp_path: Path,
    pg_server: PgServer,
    pg_dsn: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A DSN whose password is in its query, percent-encoded: `migrate --to postgresql`
    printed it whole, and one with a wrong password in its query beside the right one in
    its user info said the wrong one in its error."""
    secret = "p&ss=1"
    role = _role_with_password(pg_server, pg_dsn, secret)
    database = pg_dsn.rsplit("/", 1)[1]
    dsn = f"postgresql://{role}@127.0.0.1:{pg_server.port}/{database}?password=p%26ss%3D1"
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch([make(1)])
    config = write_config(tmp_path / "wirewatch.toml", "")
    monkeypatch.setenv("WIREWATCH_DSN", dsn)
    args = ["--config", str(config), "--data-dir", str(data)]
    assert cli.main([*args, "migrate", "--to", "postgresql"]) == 0
    said = capsys.readouterr()
    assert "copied 1 articles" in said.out and "password=***" in said.out
    assert "p%26ss%3D1" not in said.out + said.err and secret not in said.out + said.err
    pg_config = write_config(tmp_path / "pg.toml", '[store]\nbackend = "postgresql"\n')
    assert cli.main(["--config", str(pg_config), "list"]) == 0
    assert "Wire-1" in capsys.readouterr().out
    both = f"{pg_dsn}?password=WRONGQP"  # libpq takes the query's
    monkeypatch.setenv("WIREWATCH_DSN", both)
    assert cli.main(["--config", str(pg_config), "list"]) == 2
    err = capsys.readouterr().err
    assert "password authentication failed" in err
    assert "WRONGQP" not in err and PASSWORD not in err and "password=***" in err


def test_a_poller_keeps_going_when_its_connections_are_cut(pg_dsn: str) -> None:
    """The server drops the writer's connections (a restart, a failover): the questions a
    poll asks in its loop do not raise, the problem is kept for the user, and the next
    write goes through on new connections."""
    with PostgresStore(pg_dsn, writer=True) as writer:
        writer.add_batch([make(1)])
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            others = (
                "FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            admin.execute(f"SELECT pg_terminate_backend(pid) {others}")
            for _ in range(1000):  # the backends end a moment after they are told to
                row = admin.execute(f"SELECT count(*) {others}").fetchone()
                if row is not None and row[0] == 0:
                    break
                time.sleep(0.005)
        writer.heartbeat()
        assert not writer.knows(make(2, source="Fresh"))
        assert any("terminat" in p or "closed" in p or "connection" in p for p in writer.problems)
        assert writer.add_batch([make(3)]) == ["Wire-3"]
        assert PASSWORD not in " ".join(writer.problems)
        writer.heartbeat()  # the lock, taken again on a new connection
        with pytest.raises(StoreLocked), PostgresStore(pg_dsn, writer=True):
            pass
        with PostgresStore(pg_dsn) as viewer:
            state = viewer.writer_state()
            assert state.held and state.pid == os.getpid()


def _end_sessions(admin: psycopg.Connection, where: str, value: str) -> None:
    """End the server's sessions `where` (a column of pg_stat_activity) is `value`, and wait
    until they have ended."""
    others = f"FROM pg_stat_activity WHERE {where} = %s AND pid <> pg_backend_pid()"
    admin.execute(f"SELECT pg_terminate_backend(pid) {others}", (value,))
    for _ in range(1000):  # the backends end a moment after they are told to
        row = admin.execute(f"SELECT count(*) {others}", (value,)).fetchone()
        if row is not None and row[0] == 0:
            return
        time.sleep(0.005)


def test_a_store_that_connects_again_to_a_database_a_newer_wirewatch_upgraded_refuses_it(
    pg_dsn: str,
) -> None:
    """A running poller whose connections were cut after a newer wirewatch upgraded the
    schema (a team's rolling upgrade) connected again and went on storing, without a word;
    a process started then refused the database. The running one refuses it too, with the
    same words, and a dashboard's status line says so."""
    with PostgresStore(pg_dsn, writer=True) as writer:
        assert writer.add_batch([make(1)]) == ["Wire-1"]
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute("UPDATE schema_version SET version = %s", (schema.VERSION + 1,))
            _end_sessions(admin, "datname", admin.info.dbname)
            with pytest.raises(StoreError) as fresh:
                PostgresStore(pg_dsn)
            assert "newer wirewatch" in str(fresh.value)
            with pytest.raises(StoreError) as running:
                writer.add_batch([make(2)])
            assert str(running.value) == str(fresh.value)
            writer.heartbeat()  # (its leases are not renewed: the newer pollers take them)
            with pytest.raises(StoreError, match="newer wirewatch"):
                writer.add_batch([make(3)])
            row = admin.execute("SELECT count(*) FROM articles").fetchone()
            assert row is not None and row[0] == 1  # nothing written after the upgrade
        lost = writer.unreachable
        assert lost is not None and not lost.retried and "newer wirewatch" in lost.reason


def test_while_the_server_refuses_the_password_a_store_says_so_and_is_back_when_let_in(
    pg_server: PgServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The password changed on the server and the store's sessions ended: a dashboard's
    status line and a poller's log said `couldn't get a connection after 30.00 sec` (after
    a first `terminating connection due to administrator command`), never that the password
    was refused. Each look says why; the first once the password is right again reaches the
    server."""
    monkeypatch.setattr(pg_module, "RETRY_AFTER", 0.0)  # every look tries (a dashboard's
    # are two seconds apart, more than it asks), a refused login too (it waits: below)
    monkeypatch.setattr(pg_connect, "LOGIN_WAIT_FIRST", 0.0, raising=False)
    role = _role_with_password(pg_server, pg_dsn, "first-pass")
    database = pg_dsn.rsplit("/", 1)[1]
    dsn = f"postgresql://{role}:first-pass@127.0.0.1:{pg_server.port}/{database}"
    with (
        PostgresStore(dsn, writer=True) as poller,
        PostgresStore(dsn) as viewer,
        psycopg.connect(pg_server.dsn(), autocommit=True) as admin,
    ):
        assert poller.add_batch([make(1)]) == ["Wire-1"]
        assert not viewer.writer_state().gone
        admin.execute(sql.SQL("ALTER ROLE {} PASSWORD 'rotated99'").format(sql.Identifier(role)))
        _end_sessions(admin, "usename", role)
        for _ in range(3):
            with pytest.raises(StoreError, match="password authentication failed"):
                viewer.writer_state()
            lost = viewer.unreachable
            assert lost is not None and "password authentication failed" in lost.reason
            with pytest.raises(StoreError, match="password authentication failed") as caught:
                poller.add_batch([make(2)])
            assert "first-pass" not in str(caught.value) + lost.reason
        admin.execute(sql.SQL("ALTER ROLE {} PASSWORD 'first-pass'").format(sql.Identifier(role)))
        viewer.writer_state()
        assert viewer.unreachable is None
        assert poller.add_batch([make(3)]) == ["Wire-3"]


def test_while_the_server_refuses_the_password_a_store_logs_in_again_only_now_and_then(
    pg_server: PgServer, pg_dsn: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the server refused the password, each look of a dashboard and each call of a
    poller logged in again (each process about once a second, for as long as it ran): a
    line in the server's log each time, which filled it and could get the host locked out
    by a fail2ban watching it. After a refused login a store waits before it tries again
    (here longer than the test), and each look meanwhile still says why."""
    monkeypatch.setattr(pg_module, "RETRY_AFTER", 0.0)  # every look may try
    monkeypatch.setattr(pg_connect, "LOGIN_WAIT_FIRST", 3600.0, raising=False)
    role = _role_with_password(pg_server, pg_dsn, "first-pass")
    database = pg_dsn.rsplit("/", 1)[1]
    dsn = f"postgresql://{role}:first-pass@127.0.0.1:{pg_server.port}/{database}"
    log = pg_server.folder / "server.log"
    with (
        PostgresStore(dsn, writer=True) as poller,
        PostgresStore(dsn) as viewer,
        psycopg.connect(pg_server.dsn(), autocommit=True) as admin,
    ):
        assert poller.add_batch([make(1)]) == ["Wire-1"]
        assert viewer.reload() == ["Wire-1"]  # (and listening from now on)
        logged = log.stat().st_size
        admin.execute(sql.SQL("ALTER ROLE {} PASSWORD 'rotated99'").format(sql.Identifier(role)))
        _end_sessions(admin, "usename", role)
        for _ in range(20):
            with pytest.raises(StoreError, match="password authentication failed"):
                viewer.writer_state()
            with pytest.raises(StoreError, match="password authentication failed"):
                viewer.reload()
            lost = viewer.unreachable
            assert lost is not None and "password authentication failed" in lost.reason
            with pytest.raises(StoreError, match="password authentication failed"):
                poller.add_batch([make(2)])
            poller.heartbeat()
        with log.open("rb") as server_log:
            server_log.seek(logged)
            said = server_log.read().decode("utf-8", "replace")
    refused = said.count(f'password authentication failed for user "{role}"')
    # each store's first tries, made at once by its threads before one was refused
    assert 1 <= refused <= 10


def test_a_refused_login_is_tried_again_later_and_later_and_a_server_away_at_once() -> None:
    """After each refused login the next try waits longer, up to a minute; a server that
    refuses connections (restarting) is tried again at once, and so is a login once one
    was let in."""
    now = [0.0]
    logins = pg_connect.Logins(clock=lambda: now[0])
    wrong = 'FATAL: password authentication failed for user "desk"'

    def refused_for() -> float:
        """Seconds no try is let through (looked at each half second); then one is, and
        the server refuses it again."""
        waited = 0.0
        while logins.may_try() is not None:
            now[0] += 0.5
            waited += 0.5
        assert logins.may_try() == wrong  # one try at a time: the others wait for it
        logins.went(wrong)
        return waited

    assert logins.may_try() is None
    logins.went(wrong)
    assert logins.may_try() == wrong  # too soon: why, without a try
    assert [refused_for() for _ in range(8)] == [2.0, 4.0, 8.0, 16.0, 32.0, 60.0, 60.0, 60.0]
    now[0] += 60.0
    assert logins.may_try() is None
    logins.went(None)  # let in: a refusal after it waits as the first did
    logins.went(wrong)
    assert refused_for() == 2.0
    now[0] += 60.0
    assert logins.may_try() is None
    logins.went('connection to server at "127.0.0.1", port 5432 failed: Connection refused')
    assert logins.may_try() is None and logins.may_try() is None
    logins.went('FATAL: no pg_hba.conf entry for host "10.0.0.7", user "desk"')
    assert logins.may_try() is not None


@pytest.fixture
def own_server() -> Iterator[PgServer]:
    """A server of the test's own, to stop and start again."""
    server = pgserver.start()
    try:
        yield server
    finally:
        server.stop()


def test_a_store_reads_and_writes_at_once_after_its_server_restarted(own_server: PgServer) -> None:
    """A server restarted (fast): its sessions were ended, and the pool handed them out as
    they were, so the first look and the first write after it failed with `terminating
    connection due to administrator command`."""
    dsn = own_server.create_database("restarted")
    with PostgresStore(dsn, writer=True) as poller, PostgresStore(dsn) as viewer:
        assert poller.add_batch([make(1)]) == ["Wire-1"]
        assert viewer.reload() == ["Wire-1"]  # (and listening from now on)
        own_server.stop(keep=True)
        own_server.start_again()
        viewer.writer_state()
        assert viewer.unreachable is None
        assert poller.add_batch([make(2)]) == ["Wire-2"]
        assert viewer.reload() == ["Wire-2"]
        poller.heartbeat()  # its lock, taken again on a new connection
        assert viewer.writer_state().held


@pytest.mark.slow
def test_a_store_reaches_its_server_the_moment_it_is_back_however_long_it_was_away(
    own_server: PgServer,
) -> None:
    """Pollers and dashboards stayed stopped for up to a minute and a half after their
    server came back: the pool tried to connect again further and further apart (64 s, then
    128 s after a long outage), and a look waited half a minute for it before it failed."""
    dsn = own_server.create_database("away")
    with PostgresStore(dsn, writer=True, share=True) as poller, PostgresStore(dsn) as viewer:
        assert poller.add_batch([make(1)]) == ["Wire-1"]

        def slow_read() -> None:
            with viewer._read("cannot read") as cur:
                cur.execute("SELECT pg_sleep(0.5)")

        readers = [threading.Thread(target=slow_read) for _ in range(pg_module.POOL_SIZE)]
        for reader in readers:  # a busy dashboard: the pool holds every connection it may
            reader.start()
        for reader in readers:
            reader.join()
        own_server.stop(keep=True)
        for _ in range(pg_module.POOL_SIZE):
            with pytest.raises(StoreError, match="Connection refused"):
                viewer.writer_state()
        assert viewer.unreachable is not None
        time.sleep(80)  # away long enough for the pool's tries to be a minute apart
        own_server.start_again()
        assert viewer.writer_state().pid == os.getpid()
        assert viewer.unreachable is None
        assert poller.add_batch([make(2)]) == ["Wire-2"]


def test_list_and_show_say_a_row_written_by_hand_was_read_as_it_could_be(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A null among an article's tags and revisions that are no list: `list` and `show` print
    the article and say once, on stderr, what was left out (they raised)."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1, text="Full text one.")])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(
            "UPDATE articles SET tags = ARRAY['korea', NULL], revisions = '7' WHERE id = 'Wire-1'"
        )
    config = write_config(
        tmp_path / "wirewatch.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    assert cli.main(["--config", str(config), "list", "tag:korea"]) == 0
    captured = capsys.readouterr()
    assert "Wire-1" in captured.out
    assert captured.err.count("tags hold a NULL") == 1 and PASSWORD not in captured.err
    assert cli.main(["--config", str(config), "show", "Wire-1"]) == 0
    captured = capsys.readouterr()
    assert "Full text one." in captured.out and "revisions are not a list" in captured.err


def test_one_poller_groups_the_stories_of_every_pollers_articles_and_keeps_them(
    pg_dsn: str, tmp_path: Path
) -> None:
    """Of two pollers sharing the sources, the first to group keeps the stories for every
    host; the other leaves them. Each cycle the stories take what either stored since (a
    second outlet joins a story), only the stories that changed are written, and a story
    whose articles retention removed is gone from the database."""
    from fetchers.storybook import StoryBook, stored_stories

    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)

    def art(ident: str, source: str, title: str, days: int = 0, later: int = 0) -> Article:
        moment = base - timedelta(days=days) + timedelta(minutes=later)
        return Article(
            id=ident, source=source, title=title, summary=title, published=moment,
            fetched=moment, link=f"https://{source}.example/{ident}",
        )  # fmt: skip

    deal = "Seoul and Washington seal tariff deal on cars and chips"
    with (
        PostgresStore(pg_dsn, writer=True, share=True) as one,
        PostgresStore(pg_dsn, writer=True, share=True) as two,
    ):
        one.add_batch([art("y1", "Yonhap", deal), art("old", "Yonhap", "Ferry sinks", 60)])
        first, second = StoryBook(tmp_path / "a"), StoryBook(tmp_path / "b")
        first.update(one, ["y1", "old"], False)
        two.add_batch([art("h1", "Herald", deal, later=30)])  # the other poller's cycle
        second.update(two, ["h1"], False)
        assert second.index is None  # it leaves the stories to the first
        written: list[list[str]] = []
        real = one.save_stories

        def saving(changed: dict, gone: list[str]) -> None:
            written.append(sorted(changed) + gone)
            real(changed, gone)

        one.save_stories = saving  # type: ignore[method-assign]
        # its next cycle takes what the other stored, and says so (its alert check asks them)
        assert first.update(one, [], False) == ["h1"]
        with PostgresStore(pg_dsn) as reader:
            stories = stored_stories(reader, 10)
        assert stories is not None
        assert [(s.articles, s.sources) for s in stories] == [
            (["y1", "h1"], ["Yonhap", "Herald"]),
            (["old"], ["Yonhap"]),
        ]
        assert written == [[stories[0].id]]  # the one story that changed
        assert one.apply_retention(30, base) == 1
        first.update(one, [], True)
        with PostgresStore(pg_dsn) as reader:
            kept = stored_stories(reader, 10)
            assert reader.saved_stories() == {stories[0].id: ["y1", "h1"]}
        assert kept is not None and [s.id for s in kept] == [stories[0].id]
        one.close()  # the grouping poller stops: the other's next cycle takes the stories over
        two.add_batch([art("h2", "Herald", "Volcano erupts near the coast", later=60)])
        second.update(two, ["h2"], False)
        with PostgresStore(pg_dsn) as reader:
            taken = stored_stories(reader, 10)
        assert taken is not None
        assert [s.articles for s in taken] == [["h2"], ["y1", "h1"]]


def _two_saved_stories(pg_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two stories a poller saved (s..a of two outlets, s..b of one), grouping in memory
    refused from now on; the config of a desk on that database."""
    from fetchers.storybook import StoryBook

    deal, ferry = make(1, "Yonhap"), make(2, "Herald")
    with PostgresStore(pg_dsn, writer=True) as poller:
        poller.add_batch([deal, make(1, "Herald"), ferry])
        both = Story("s00000000000a", deal.title, ["Yonhap-1", "Herald-1"],
                     ["Yonhap", "Herald"], "Yonhap-1", "Yonhap", 1.0, 2.0)  # fmt: skip
        alone = Story("s00000000000b", ferry.title, ["Herald-2"], ["Herald"], "Herald-2",
                      "Herald", 3.0, 3.0)  # fmt: skip
        poller.save_stories({s.id: (s.articles, s.to_record()) for s in (both, alone)}, [])

    def grouped(*args: object, **kwargs: object) -> None:
        raise AssertionError("the stories were grouped in memory")

    monkeypatch.setattr(StoryBook, "_open", grouped)
    return write_config(
        tmp_path / "desk.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )


def test_stories_with_story_and_outlets_are_found_by_the_database(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch stories` answers `story:` and `outlets:` from the stories the poller saved,
    found by the database: no story is grouped in memory."""
    config = _two_saved_stories(pg_dsn, tmp_path, monkeypatch)
    found = {}
    for query in ("outlets:>=2", "story:s00000000000b", "-outlets:2 source:herald", "headline"):
        capsys.readouterr()
        argv = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "stories", query]
        assert cli.main([*argv, "--json"]) == 0
        found[query] = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert found == {
        "outlets:>=2": ["s00000000000a"],
        "story:s00000000000b": ["s00000000000b"],
        "-outlets:2 source:herald": ["s00000000000b"],
        "headline": ["s00000000000b", "s00000000000a"],  # newest activity first
    }


def test_stories_limit_0_lists_every_saved_story(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`stories --limit 0` is every story the database saved (it printed none)."""
    config = _two_saved_stories(pg_dsn, tmp_path, monkeypatch)
    for query in ([], ["headline"], ["outlets:>=1 OR zzzunknown"]):
        capsys.readouterr()
        argv = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "stories", *query]
        assert cli.main([*argv, "--limit", "0", "--json"]) == 0
        found = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
        assert found == ["s00000000000b", "s00000000000a"], query


def test_list_with_story_and_outlets_is_answered_by_the_database(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch list story:ID` and `outlets:>=N` read the stories the poller saved: no
    story is grouped in memory (a million articles' stories took minutes)."""
    config = _two_saved_stories(pg_dsn, tmp_path, monkeypatch)
    found = {}
    for query in ("outlets:>=2", "story:s00000000000b", "outlets:1 source:herald"):
        capsys.readouterr()
        argv = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "list", query]
        assert cli.main([*argv, "--json"]) == 0
        found[query] = sorted(
            json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()
        )
    assert found == {
        "outlets:>=2": ["Herald-1", "Yonhap-1"],
        "story:s00000000000b": ["Herald-2"],
        "outlets:1 source:herald": ["Herald-2"],
    }


def test_story_terms_beside_a_word_in_one_clause_are_answered_by_the_saved_stories(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clause the database cannot say whole (`outlets:>=2 OR word`) is tested in Python: its
    story terms were answered by no stories there (no article in a story, every one of one
    outlet), so `outlets:>=2 OR "headline 2"` gave the word's article only, `story:ID OR
    word` none of the story's; in `list`, `stories` and a count alike."""
    config = _two_saved_stories(pg_dsn, tmp_path, monkeypatch)
    argv = ["--config", str(config), "--data-dir", str(tmp_path / "d")]

    def found(command: str, query: str) -> list[str]:
        capsys.readouterr()
        assert cli.main([*argv, command, query, "--json"]) == 0
        return sorted(json.loads(line)["id"] for line in capsys.readouterr().out.splitlines())

    assert found("list", 'outlets:>=2 OR "headline 2"') == ["Herald-1", "Herald-2", "Yonhap-1"]
    assert found("list", "story:s00000000000a OR zzzunknown") == ["Herald-1", "Yonhap-1"]
    assert found("list", "-story:s00000000000a OR zzzunknown") == ["Herald-2"]
    assert found("list", 'outlets:1 OR "headline 1"') == ["Herald-1", "Herald-2", "Yonhap-1"]
    assert found("list", "outlets:1 OR zzzunknown") == ["Herald-2"]
    assert found("stories", "outlets:>=2 OR zzzunknown") == ["s00000000000a"]
    with PostgresStore(pg_dsn) as reader:
        query = parse_query("outlets:>=2 OR zzzunknown")
        assert reader.count(query) == 2
        assert reader.holds(query, "Yonhap-1") and not reader.holds(query, "Herald-2")


def test_story_and_outlets_before_any_story_is_saved_are_answered_by_a_grouping(
    pg_dsn: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Until a poller has saved stories (a first refresh too big to group), `story:` and
    `outlets:` are answered from the stories grouped in memory, not by an empty table, and
    by the server looking each row up in their lists, not by testing every row in Python
    (17 s for `outlets:>=3` over a million articles)."""

    def tested(*args: object, **kwargs: object) -> None:
        raise AssertionError("every row was tested in Python")

    monkeypatch.setattr(PostgresStore, "_tested", tested)
    monkeypatch.setattr(PostgresStore, "_pages", tested)
    with PostgresStore(pg_dsn, writer=True) as poller:
        ferry = make(9, "Herald")
        ferry.title = ferry.summary = "Ferry service resumes across the strait after the storm"
        poller.add_batch([make(1, "Yonhap"), make(1, "Herald"), ferry])
    config = write_config(
        tmp_path / "desk.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    argv = ["--config", str(config), "--data-dir", str(tmp_path / "d")]

    def lines(*args: str) -> list[dict[str, object]]:
        capsys.readouterr()
        assert cli.main([*argv, *args, "--json"]) == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]

    grouped = lines("stories")
    both = next(s for s in grouped if s["outlets"] == 2)
    assert [s["id"] for s in lines("stories", f"story:{both['id']}")] == [both["id"]]
    assert sorted(a["id"] for a in lines("list", f"story:{both['id']}")) == sorted(both["articles"])
    assert sorted(a["id"] for a in lines("list", "outlets:>=2")) == sorted(both["articles"])
    alone = sorted(i for s in grouped if s["outlets"] == 1 for i in s["articles"])
    assert alone == ["Herald-9"]
    assert sorted(a["id"] for a in lines("list", "outlets:1")) == alone


def test_stories_the_database_refused_are_saved_at_the_next_cycle(
    pg_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save of the stories that fails (the server went away for a moment) is tried again
    at the next cycle, even one that grouped nothing new."""
    from fetchers.storybook import StoryBook, stored_stories

    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1), make(2, source="Other")])
        real = store.save_stories
        failing = [True]

        def flaky(changed: dict, gone: list[str]) -> None:
            if failing.pop() if failing else False:
                raise StoreError("the server went away")
            real(changed, gone)

        monkeypatch.setattr(store, "save_stories", flaky)
        book = StoryBook(tmp_path)
        book.update(store, ["Wire-1", "Other-2"], False)
        assert stored_stories(store, 10) is None  # nothing saved yet
        book.update(store, [], False)
        saved = stored_stories(store, 10)
        assert saved is not None and sorted(i for s in saved for i in s.articles) == [
            "Other-2",
            "Wire-1",
        ]


def test_a_story_whose_headline_was_rewritten_is_saved_with_the_new_title(
    pg_dsn: str, tmp_path: Path
) -> None:
    """A cycle that only revised a story's headline saved nothing: the story held the same
    articles, so the database kept its old title at every later run."""
    from fetchers.storybook import StoryBook, stored_stories

    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1)])
        book = StoryBook(tmp_path)
        book.update(store, ["Wire-1"], False)
        rewritten = make(1)
        rewritten.title = "Seoul and Washington seal the tariff deal at last"
        store.add_batch([rewritten])
        book.update(store, [], False, revised=["Wire-1"])
        saved = stored_stories(store, 10)
    assert saved is not None and [s.title for s in saved] == [rewritten.title]


def test_stories_saved_before_take_their_last_activity_from_their_reports(pg_dsn: str) -> None:
    """A database from before a story's last activity was when its articles were reported
    (never later than fetched) had it as the later of the two: every story of one poll tied
    at the poll's time. Opened, each story is given it from its articles, so they are listed
    newest report first."""
    fetched = datetime(2025, 10, 30, 12, 0, tzinfo=UTC)
    with _writer(pg_dsn) as store:
        _empty(pg_dsn)
        batch = [make(n, fetched=fetched) for n in (5, 50, 20)]  # reported 07:05, 07:50, 07:20
        store.add_batch(batch)
        old = []  # each as the build before made it: last seen when fetched
        for n, a in enumerate(batch):
            assert a.published is not None
            reported, seen = a.published.timestamp(), fetched.timestamp()
            old.append(
                Story(f"s{n:012x}", a.title, [a.id], [a.source], a.id, a.source, reported, seen)
            )
        store.save_stories({s.id: (s.articles, s.to_record()) for s in old}, [])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before
        conn.execute("UPDATE schema_version SET version = 13")
        # a row edited by hand, whose fetched time is no time: its report's time stands
        conn.execute("UPDATE articles SET fetched = '2025-02-30T12:00:00Z' WHERE id = 'Wire-20'")
    with _writer(pg_dsn) as store:
        rows = store.story_records(10) or []
    assert [record["articles"] for _, record in rows] == [["Wire-50"], ["Wire-20"], ["Wire-5"]]
    for _, record in rows:
        assert record["last_seen"] == record["first_seen"] < fetched.timestamp()


def test_stories_saved_before_take_no_activity_from_a_first_polls_undated_items(
    pg_dsn: str,
) -> None:
    """A database from before a first poll's undated items said no time kept the story they
    joined at the top, as active when the source was added: opened, such a story is given
    its last activity from its other reports. An undated item of a source's later poll, and
    a story of undated items alone, keep theirs (when they were fetched)."""
    noon = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)
    later = noon + timedelta(hours=1)

    def report(ident: str, source: str, fetched: datetime, hours: float | None) -> Article:
        when = None if hours is None else noon + timedelta(hours=hours)
        return Article(ident, source, f"Report {ident}", published=when, fetched=fetched)

    norway = [
        report("a1", "Alpha", noon, -2),
        report("b1", "Beta", noon, -1),
        report("z1", "Zeta", later, None),  # Zeta's first poll
    ]
    news = [report("w1", "Wire", noon, -3), report("w2", "Wire", later, None)]  # its second
    alone = [report("z2", "Zeta", later, None)]
    with _writer(pg_dsn) as store:
        _empty(pg_dsn)
        store.add_batch([*norway, *news, *alone])
        old = []  # each as the build before made it: its last activity its latest fetch
        for n, articles in enumerate((norway, news, alone)):
            first = articles[0]
            times = [(a.published or a.fetched or noon).timestamp() for a in articles]
            ids, sources = [a.id for a in articles], [a.source for a in articles]
            sid = f"s{n:012x}"
            seen = (min(times), max(times))
            old.append(Story(sid, sid, ids, sources, first.id, first.source, *seen))
        store.save_stories({s.id: (s.articles, s.to_record()) for s in old}, [])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before
        conn.execute("UPDATE schema_version SET version = 26")
    with _writer(pg_dsn) as store:
        rows = store.story_records(10) or []
    assert [(sid, record["last_seen"]) for sid, record in rows] == [  # the order kept too
        ("s000000000001", later.timestamp()),
        ("s000000000002", later.timestamp()),
        ("s000000000000", (noon - timedelta(hours=1)).timestamp()),  # Beta's report
    ]


def test_when_articles_were_first_reported_is_read_as_a_data_dir_reads_it(
    pg_dsn: str, tmp_path: Path
) -> None:
    """What a restarted grouping reads of every article to find the recent ones: when each
    was first reported (published, else fetched), in the order asked, unknown ids left out,
    from the server as from a data dir."""
    undated = dataclasses.replace(
        make(2), published=None, fetched=datetime(2025, 10, 25, tzinfo=UTC)
    )
    articles = [make(1), undated, make(3)]
    asked = ["Wire-3", "Wire-9", "Wire-2", "Wire-1"]
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(articles)
    with PostgresStore(pg_dsn) as viewer:
        served = viewer.reported(asked)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(articles)
        kept = store.reported(asked)
    assert (
        served
        == kept
        == [
            ("Wire-3", make(3).published.timestamp()),  # type: ignore[union-attr]
            ("Wire-2", datetime(2025, 10, 25, tzinfo=UTC).timestamp()),
            ("Wire-1", make(1).published.timestamp()),  # type: ignore[union-attr]
        ]
    )


def test_a_revision_takes_the_moved_link_and_keeps_each_earlier_version_once(
    pg_dsn: str,
) -> None:
    """As the TinyDB store does: the revision's new page is the article's link (unless
    another article of the source has it), and an old copy its feed keeps listing is one
    revision, kept in time order, however many revisions follow."""
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1), make(2)])
        taken = make(2).link
        for n, title in enumerate(["stall", "collapse"]):
            fresh = make(1, fetched=make(1).fetched + timedelta(minutes=10 * (n + 1)))
            fresh.title, fresh.link = f"Talks {title}", f"https://wire.example/talks-{title}"
            fresh.revisions = [
                {"seen": "2025-10-24T05:00:00Z", "title": "Talks open", "summary": "v0"}
            ]
            assert store.revised(fresh)
            store.add_batch([fresh])
        moved = make(1, fetched=make(1).fetched + timedelta(minutes=30))
        moved.title, moved.link = "Talks resume", taken  # another article's link
        store.add_batch([moved])
        (one,) = store.records(["Wire-1"])
        assert (one.title, one.link) == ("Talks resume", "https://wire.example/talks-collapse")
        titles = [r["title"] for r in store.revisions("Wire-1")]
        assert titles == ["Talks open", "Headline 1 about tariffs", "Talks stall", "Talks collapse"]


def test_full_width_and_other_capitals_beside_kanji_are_found_in_a_c_locale_database(
    pg_dsn: str,
) -> None:
    """A phrase of kanji and full-width capitals is looked for by ILIKE, which folds ASCII
    letters only in a database of the C locale: "ＡＰＥＣ首脳" (lower-cased by the query)
    missed "ＡＰＥＣ首脳会議" there, as did Greek capitals beside kanji, in any field."""
    apec, greek, turkish = make(1), make(2), make(3)
    apec.title = "ＡＰＥＣ首脳会議が開幕"
    greek.title = "ΕΛΛΑΔΑ首脳"
    turkish.summary = "İSTANBUL首脳会談"
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([apec, greek, turkish])
        for query, found in (
            ('"ＡＰＥＣ首脳"', ["Wire-1"]),
            ('title:"ａｐｅｃ首脳"', ["Wire-1"]),
            ('"ελλαδα首脳"', ["Wire-2"]),
            ('"istanbul首脳"', ["Wire-3"]),
            ('"ＡＰＥＣ首相"', []),
        ):
            assert store.query_ids(parse_query(query, NOW)) == found, query


def test_a_latin_word_against_korean_or_japanese_is_found_in_rows_old_and_new(
    pg_dsn: str,
) -> None:
    """ "FTA" in "한미FTA" and "M7.1" in "沖でM7.1の地震" start words: found in rows written
    now, and in rows a wirewatch wrote before, once the upgrade has them given their words
    again in the background."""
    korean = make(1)
    korean.title = "한미FTA 개정 협상 착수"
    japanese = make(2)
    japanese.title = "日本北部沖でM7.1の地震"
    in_text = make(4, text="서울 발 한미FTA 개정 협상")  # in its full text only
    long_text = make(5, text="word " * 12_000 + "日銀と米FRBの会合")  # too long for pairs
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([korean, japanese, make(3), in_text, long_text])
        assert store.query_ids(parse_query("FTA", NOW)) == ["Wire-4", "Wire-1"]
        assert store.query_ids(parse_query("M7.1", NOW)) == ["Wire-2"]
        assert store.query_ids(parse_query("협상", NOW)) == ["Wire-4", "Wire-1"]
        assert store.query_ids(parse_query("FRB", NOW)) == ["Wire-5"]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        conn.execute(
            "UPDATE articles SET words = to_tsvector('simple', lower(concat_ws(' ', title,"
            " text))) WHERE id IN ('Wire-1', 'Wire-2', 'Wire-4', 'Wire-5')"
        )
        conn.execute("UPDATE schema_version SET version = 14")
    with PostgresStore(pg_dsn, writer=True) as store:
        while store.backfill():
            pass
        assert store.query_ids(parse_query("FTA", NOW)) == ["Wire-4", "Wire-1"]
        assert store.query_ids(parse_query("M7.1", NOW)) == ["Wire-2"]
        assert store.query_ids(parse_query("FRB", NOW)) == ["Wire-5"]


def test_links_stored_with_tracking_parameters_lose_them_on_upgrade(pg_dsn: str) -> None:
    """Links were stored with the campaign a feed stamped on them: an item given a new guid
    and a new campaign at each fetch was stored again past what a poller knows at a glance.
    The upgrade takes them out of every stored link, as `untracked` does."""
    from fetchers.webaddress import untracked

    article = make(1)
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([article])
    links = [
        "http://x.test/a?utm_source=rss&id=3",
        "http://x.test/a?utm_source=rss&utm_medium=feed",
        "http://x.test/a?gclid=1&q=a%20b#part",
        "http://x.test/a?utmost=1&UTM_Term=x",
        "http://x.test/a?MSCLKID=9&p=1&Mc_Cid=2",
        "http://x.test/a?id=3&fbclid=x&&b=#frag?utm_x=1",
        "http://x.test/a?fbclid=1#",
        "http://x.test/a?_hsenc=1&_hsmi=2&_hsother=3",
    ]
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        for link in links:
            row = conn.execute("SELECT wirewatch_untracked(%s)", (link,)).fetchone()
            assert row == (untracked(link),), link
        conn.execute(
            "UPDATE articles SET link = %s WHERE id = %s",
            ("https://example.org/Wire/1?utm_campaign=mon&id=1", article.id),
        )
        conn.execute("UPDATE schema_version SET version = 17")
    with PostgresStore(pg_dsn, writer=True) as store:
        stored = store.get(article.id)
        assert stored is not None and stored.link == "https://example.org/Wire/1?id=1"


def test_names_stored_with_keys_lower_cased_are_found_once_upgraded(pg_dsn: str) -> None:
    """A database whose source and tag keys an older wirewatch lower-cased (Python's lower():
    "i̇zmir haber", "o’reilly wire") is given the keys names are compared by now when it
    opens: its articles are found by source:"İZMİR HABER" and tag:"bob's", and counted."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    stored = [
        Article(id="t1", source="İzmir Haber", title="Liman", summary="", published=when,
                fetched=when, tags=["TÜRKİYE", "Bob\u2019s"]),
        Article(id="o1", source="O\u2019Reilly Wire", title="Port", summary="", published=when,
                fetched=when, tags=["bob's"]),
        Article(id="w1", source="Wire", title="Other", summary="", published=when,
                fetched=when, tags=["korea"]),
    ]  # fmt: skip
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(stored)
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        for article in stored:
            conn.execute(
                "UPDATE articles SET source_key = %s, tag_keys = %s::text[] WHERE id = %s",
                (article.source.lower(), [t.lower() for t in article.tags], article.id),
            )
        conn.execute("UPDATE schema_version SET version = 18")
    with PostgresStore(pg_dsn) as viewer:
        for text, expected in (
            ('source:"İZMİR HABER"', ["t1"]),
            ('source:"o\'reilly wire"', ["o1"]),
            ("tag:türkiye", ["t1"]),
            ('tag:"bob\'s"', ["o1", "t1"]),
            ("tag:korea", ["w1"]),
        ):
            assert sorted(viewer.query_ids(parse_query(text, NOW))) == expected, text
        assert viewer.tags_count() == {"Bob\u2019s": 2, "TÜRKİYE": 1, "korea": 1}
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        keys = conn.execute("SELECT tag_keys FROM articles WHERE id = 't1'").fetchone()
        assert keys == (["turkiye", "bob's"],)  # in the tags' order, its accents left out


@pytest.mark.parametrize(
    ("source", "tag", "kept", "version", "asked"),
    [
        # keys that kept Turkish's dotless "ı" (the tag "Ağrı" filed as "ağrı", which
        # tag:AĞRI, "ağri", did not find)
        ("Işık Haber", "Ağrı", ("işık haber", "ağrı"), 21,
         ("tag:AĞRI", 'source:"IŞIK HABER"', "tag:ağrı")),
        # keys that kept a name's em dash (the source "Frontier Review — Markets", as OPML
        # files name them, which source:"Frontier Review - Markets" did not find)
        ("Frontier Review \u2014 Markets", "US\u2013China",
         ("frontier review \u2014 markets", "us\u2013china"), 28,
         ('source:"Frontier Review - Markets"', "tag:US-China")),
        # and its accents (tag:economie did not find "Économie", which the word economie did)
        ("Café Société", "Économie", ("café société", "économie"), 28,
         ('source:"Cafe Societe"', "tag:economie", "tag:Économie")),
    ],
)  # fmt: skip
def test_names_kept_as_an_older_wirewatch_folded_them_are_found_once_upgraded(
    pg_dsn: str, source: str, tag: str, kept: tuple[str, str], version: int, asked: tuple[str, ...]
) -> None:
    """A database whose source and tag keys an older wirewatch folded otherwise is given the
    keys names are compared by now when it opens."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    article = Article(id="a1", source=source, title="Deprem", summary="", published=when,
                      fetched=when, tags=[tag])  # fmt: skip
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([article])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before wrote them
        conn.execute(
            "UPDATE articles SET source_key = %s, tag_keys = %s::text[] WHERE id = 'a1'",
            (kept[0], [kept[1]]),
        )
        conn.execute("UPDATE schema_version SET version = %s", (version,))
    with PostgresStore(pg_dsn) as viewer:
        for text in asked:
            assert viewer.query_ids(parse_query(text, NOW)) == ["a1"], text
        assert viewer.query_ids(parse_query("source:Frontier", NOW)) == []


def test_outlets_counts_the_outlets_an_aggregator_credits_in_a_saved_story(pg_dsn: str) -> None:
    """A saved story of one Google News feed whose articles credit three outlets is of three
    outlets to `outlets:`; a story saved before outlets were kept counts its sources."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    batch = [
        Article(id=f"g{n}", source="Google News", title=f"Fed raises rates - {outlet}",
                summary=f"Fed raises rates  {outlet}", published=when, fetched=when)
        for n, outlet in enumerate(["Reuters", "Bloomberg", "AP"])
    ] + [
        Article(id=f"w{n}", source=f"Wire {n}", title="Quake", summary="", published=when,
                fetched=when)
        for n in range(2)
    ]  # fmt: skip
    base = {"title": "t", "first_source": "Google News", "first_seen": 0.0, "last_seen": 0.0}
    fed = {**base, "articles": ["g0", "g1", "g2"], "sources": ["Google News"],
           "outlets": ["Reuters", "Bloomberg", "AP"], "first_id": "g0"}  # fmt: skip
    quake = {**base, "articles": ["w0", "w1"], "sources": ["Wire 0", "Wire 1"], "first_id": "w0"}
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(batch)
        store.save_stories({"s00000000000a": (fed["articles"], fed),
                            "s00000000000b": (quake["articles"], quake)}, [])  # fmt: skip
        for text, expected in (
            ("outlets:3", ["g0", "g1", "g2"]),
            ("outlets:2", ["w0", "w1"]),
            ("outlets:>=2", ["g0", "g1", "g2", "w0", "w1"]),
            ("outlets:1", []),
            ("outlets:3 fed", ["g0", "g1", "g2"]),
        ):
            assert sorted(store.query_ids(parse_query(text, NOW))) == expected, text


def test_an_article_its_feed_took_down_keeps_its_mark_in_the_database(pg_dsn: str) -> None:
    """The pulled mark is a column of its own: a viewer reads it with the article (and its
    full text after it, as a word query reads it), and it goes when the feed lists it again."""
    when = datetime(2025, 10, 24, 9, 40, tzinfo=UTC)
    items = [
        Article(
            id=f"p{n}", source="Wire", title=f"Tariff report {n}", fetched=when, text="Tariffs."
        )
        for n in range(2)
    ]
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch(items)
        assert store.mark_pulled({"p0": when.timestamp(), "gone": when.timestamp()}) == ["p0"]
        assert store.mark_pulled({"p0": when.timestamp()}) == []  # marked already
    with PostgresStore(pg_dsn) as viewer:
        marks = {r.id: r.pulled for r in viewer.records(["p0", "p1"])}
        assert marks == {"p0": when.timestamp(), "p1": None}
        found = viewer.query(parse_query("tariffs", NOW))
        assert {a.id for a in found} == {"p0", "p1"}
    with PostgresStore(pg_dsn, writer=True) as store:
        assert store.mark_pulled({"p0": None}) == ["p0"]
        assert store.record("p0").pulled is None  # type: ignore[union-attr]
