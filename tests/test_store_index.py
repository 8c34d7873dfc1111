"""Indexed queries give exactly what checking every article gives, newest first."""

from __future__ import annotations

import contextlib
import dataclasses
import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast
from unittest.mock import patch

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fetchers.models import Article
from fetchers.query import Record, parse_query
from fetchers.store import ArticleStore, Store, indexes, search, shards, stage
from fetchers.store.texts import TextReader
from fetchers.store.thin import RowsBack
from tests.conftest import StoreOpener, make, summaries_held
from tests.querycheck import NOW, articles, check_queries, parted, parted_queries, scan


def wait_for_index(store: ArticleStore) -> None:
    deadline = time.monotonic() + 10
    while not store.word_index_ready and time.monotonic() < deadline:
        time.sleep(0.01)
    assert store.word_index_ready


def without_search_index(folder: Path) -> None:
    for name in ("search.sqlite", "search.sqlite-wal", "search.sqlite-shm"):
        (folder / name).unlink(missing_ok=True)


def wait_for_row_numbers(store: ArticleStore) -> None:
    """Until the search thread has read which article each row number stands for."""
    deadline = time.monotonic() + 30
    while not store.word_queries_settled and time.monotonic() < deadline:
        time.sleep(0.02)
    assert store.word_queries_settled


@contextlib.contextmanager
def whole_shard_reads() -> Iterator[list[str]]:
    """The shards whose every row number is read from the search index meanwhile."""
    from fetchers.store.search import SearchIndex

    reads: list[str] = []
    original = SearchIndex.ids

    def counted(index: SearchIndex, key: str) -> dict[int, str]:
        reads.append(key)
        return original(index, key)

    with patch.object(SearchIndex, "ids", counted):
        yield reads


@contextlib.contextmanager
def index_order_unknown() -> Iterator[None]:
    """As when no shard's articles are held in the search index's order (an index an older
    wirewatch built, articles filed in another order): the articles of row numbers are read
    from the index."""
    with patch.object(search.WordLookup, "_in_order", lambda self, key: None):
        yield


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    docs=articles,
    texts=st.lists(parted_queries, min_size=1, max_size=5),
    limit=st.sampled_from([None, 3, 1]),
    rng=st.randoms(use_true_random=False),
    span=st.sampled_from([None, 2, 5]),
)
def test_indexed_queries_equal_a_full_scan(
    tmp_path_factory,
    docs,
    texts: list[str],
    limit: int | None,
    rng: random.Random,
    span: int | None,
) -> None:
    """Through the search index when it holds every shard, when it holds some (the rest is
    read), and without it; in the writer and in a viewer (whose summaries stay on disk).
    Words in texts are parted by spaces, punctuation and lines, as phrases are. `span`: a
    page of a word query asks the index for the shards of the newest `span` articles first,
    as a store of a million articles does for its newest 9,600."""
    if span is not None:
        with (
            patch.object(indexes, "NEWEST_SPAN_LEAST", span),
            patch.object(indexes, "NEWEST_SPAN_PER_MATCH", 1),
        ):
            _check_indexed_queries(tmp_path_factory, docs, texts, limit, rng)
    else:
        _check_indexed_queries(tmp_path_factory, docs, texts, limit, rng)


def _check_indexed_queries(
    tmp_path_factory, docs, texts: list[str], limit: int | None, rng: random.Random
) -> None:
    folder: Path = tmp_path_factory.mktemp("store")
    batch = [
        Article(
            id=f"a{n}",
            source=source,
            title=parted(words[: (len(words) + 1) // 2], rng),
            link=f"https://e.example/{n}",
            published=NOW - timedelta(minutes=minutes),
            fetched=NOW - timedelta(minutes=minutes),  # a shard per day: several shards
            summary=parted(words[(len(words) + 1) // 2 :], rng),  # a viewer reads it back
            text=parted(body, rng) if body else None,
            tags=[tag],
            lang=lang,
        )
        for n, (words, source, tag, minutes, lang, body) in enumerate(docs)
    ]
    # phrases of words next to each other in some article, whatever parts them there
    texts = texts + [
        f'{field}"{held[0]} {held[1]}"'
        for field, (words, *_, body) in zip(["", "title:", ""], docs, strict=False)
        for held in (words, body or [])
        if len(held) > 1
    ]
    with Store(folder, writer=True, word_index=True) as store:
        store.add_batch(batch[: len(batch) // 2])
        wait_for_index(store)
        store.add_batch(batch[len(batch) // 2 :])  # taken in by the index as written
        wait_for_index(store)
        check_queries(store, texts, limit)
        with Store(folder) as viewer:  # a viewer reads the same index
            assert viewer.word_index_ready
            check_queries(viewer, texts, limit)
    without_search_index(folder)
    with Store(folder, writer=True) as store:  # the index now holds only the shard written
        store.add_batch([dataclasses.replace(batch[0], id="late", link=None, fetched=NOW)])
    with Store(folder) as viewer:
        assert (folder / "search.sqlite").exists()
        check_queries(viewer, texts, limit)
    without_search_index(folder)
    with Store(folder) as viewer:  # no index at all: every article is read
        assert not viewer.word_index_ready
        check_queries(viewer, texts, limit)


def test_a_fresh_viewer_answers_one_word_from_the_index_without_reading_full_texts(
    tmp_path: Path,
) -> None:
    """The index is on disk: a viewer that has just opened (a `wirewatch list`) finds the
    articles whose full text holds a word without reading any full text."""
    batch = [
        Article(
            id=f"w{n}",
            source="Wire",
            title=f"Story {n}",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
            summary="Markets moved.",
            text=("Lutnick met Kim in Gyeongju. " if n % 10 == 0 else "Rain in Seoul. ") * 20,
        )
        for n in range(200)
    ]
    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
    reads: list[str] = []
    real = TextReader.__call__

    def counting(self: TextReader, record: Record) -> str | None:
        reads.append(record.id)
        return real(self, record)

    with Store(tmp_path) as viewer, patch.object(TextReader, "__call__", counting):
        found = viewer.query_ids(parse_query("lutnick", NOW))
        assert found == [f"w{n}" for n in range(0, 200, 10)]
        assert reads == []
        assert viewer.query_ids(parse_query("-gyeongju", NOW), 5) == ["w1", "w2", "w3", "w4", "w5"]
        assert reads == []


def test_a_phrase_of_words_one_space_apart_is_answered_without_reading_texts_or_summaries(
    tmp_path: Path,
) -> None:
    """The index keeps where a text parts its words by more than one space, so a viewer
    finds "trade minister" without reading an article: not where a comma, a line or two
    spaces part the words, nor across the end of a summary and the start of its text."""
    texts = {
        "hit-text": ("Talks.", "The Trade Minister met Kim. " * 5),
        "hit-summary": ("Seoul's trade minister flew in.", None),
        "hit-longer": ("Talks.", "Former trade ministers spoke."),
        "comma": ("Talks.", "On trade, minister Kim said nothing."),
        "line": ("Talks.", "Fair trade\nMinister Kim spoke."),
        "spaces": ("Talks.", "Fair trade  minister."),
        "dash": ("Talks.", "Fair trade \u2014 minister."),
        "across": ("Talks on trade", "Minister Kim spoke."),
        "hyphened": ("Talks.", "Free-trade minister."),
        "inside-a-word": ("Talks.", "Antitrade minister."),
    }
    batch = [
        Article(
            id=ident,
            source="Wire",
            title=f"Story {n}",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
            summary=summary,
            text=text,
        )
        for n, (ident, (summary, text)) in enumerate(texts.items())
    ]
    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
    reads: list[str] = []
    real_text, real_words = TextReader.__call__, RowsBack.words

    def counting_texts(self: TextReader, record: Record) -> str | None:
        reads.append(record.id)
        return real_text(self, record)

    def counting_words(self: RowsBack, record: Record) -> Record:
        reads.append(record.id)
        return real_words(self, record)

    with (
        Store(tmp_path) as viewer,
        patch.object(TextReader, "__call__", counting_texts),
        patch.object(RowsBack, "words", counting_words),
    ):
        found = viewer.query_ids(parse_query('"trade minister"', NOW))
        assert found == ["hit-text", "hit-summary", "hit-longer", "hyphened"]
        assert reads == []
        found = viewer.query_ids(parse_query('-"trade minister"', NOW), 3)
        assert found == ["comma", "line", "spaces"]
        assert reads == []
        # other characters between the words: the index proposes, the texts decide
        assert viewer.query_ids(parse_query('"trade, minister"', NOW)) == ["comma"]


def _tariffs_and_weather(prefix: str, count: int, text: bool = False) -> list[Article]:
    """`count` articles of one wire a minute apart, the odd ones about tariff talks; with
    `text`, each with a full text of forty sentences."""
    return [
        Article(
            id=f"{prefix}{n}",
            source="Wire",
            title=f"Tariff talks {n}" if n % 2 else f"Weather {n}",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
            text=f"Paragraph {n} on the summit in Gyeongju. " * 40 if text else None,
        )
        for n in range(count)
    ]


def test_an_index_of_another_version_is_dropped_without_writing_it_again(tmp_path: Path) -> None:
    """A search index written by another version of wirewatch is dropped and built again;
    dropping it writes next to nothing (no copy of its pages through the log), and the
    words are found again once it is rebuilt."""
    from fetchers.store.search import SearchIndex

    batch = _tariffs_and_weather("v", 300, text=True)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
    path = tmp_path / "search.sqlite"
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA user_version = 1")
    size = path.stat().st_size
    assert size > 500_000
    index = SearchIndex(tmp_path)
    assert index.versions() == {}  # dropped
    log = path.with_name("search.sqlite-wal")
    assert (log.stat().st_size if log.exists() else 0) < size / 10
    index.close()
    with Store(tmp_path, writer=True, word_index=True) as store:
        wait_for_index(store)
        assert store.query_ids(parse_query("tariff", NOW)) == [f"v{n}" for n in range(1, 300, 2)]


def test_an_index_that_says_this_version_without_its_tables_is_built_again(
    tmp_path: Path,
) -> None:
    """A search file that carries this version's number but not its tables (written by some
    other program) is built again at open, not read until every word query fails; the
    words are found once it is rebuilt."""
    from fetchers.store.search import SearchIndex

    with Store(tmp_path, writer=True) as store:
        store.add_batch(_tariffs_and_weather("o", 40))
    path = tmp_path / "search.sqlite"
    path.unlink(missing_ok=True)
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE shards(key TEXT PRIMARY KEY, seen INT)")
        db.execute("CREATE TABLE docs_data(id INTEGER PRIMARY KEY, block BLOB)")  # left over
        db.execute("CREATE TABLE arts(rowid INTEGER PRIMARY KEY, id TEXT)")
        db.execute(f"PRAGMA user_version = {search.VERSION}")
    index = SearchIndex(tmp_path)
    assert index.versions() == {}
    index.close()
    with sqlite3.connect(path) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
        columns = {row[1] for row in db.execute("PRAGMA table_info(shards)")}
    assert {"docs", "arts", "shards"} <= tables
    assert {"key", "ino", "size", "mtime", "digest"} <= columns
    with Store(tmp_path, writer=True, word_index=True) as store:
        wait_for_index(store)
        assert not [p for p in store.problems if "search index" in p]
        assert store.query_ids(parse_query("tariff", NOW)) == [f"o{n}" for n in range(1, 40, 2)]


def _an_hour_ago(*written: tuple[str, str, str]) -> list[Article]:
    """Articles of one wire fetched an hour ago, each an id, a headline and a summary."""
    when = NOW - timedelta(hours=1)
    return [
        Article(id=ident, source="Wire", title=title, summary=summary, published=when, fetched=when)
        for ident, title, summary in written
    ]


def _sharp_s_and_dotless_i() -> list[Article]:
    """Articles in German and Turkish, and one about neither."""
    return _an_hour_ago(
        ("de", "Straßenbahn in München fährt wieder", ""),
        ("tr", "Irak'ta seçim sonuçları açıklandı", "Isparta ve Iğdır'dan sonuçlar"),
        ("ik", "IŞIK festivali", ""),
        ("en", "Tariff talks", "Seoul and Washington"),
    )


def _lowered_as_before(text: str) -> str:
    """Words as the search index's version 7 lower-cased them: "ß" and "ı" as they are."""
    return text.replace("\u0130", "I").lower() if "\u0130" in text else text.lower()


def _full_width_and_in_parts() -> list[Article]:
    """Headlines with Latin letters in full width, with a letter and its accent apart, in
    Korean jamo, and the same words written as typed."""
    return _an_hour_ago(
        ("jp", "\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ", "\uff27\uff17も"),
        ("en", "APEC summit opens", "G7 ministers"),
        ("fr", "Cafe\u0301 society", ""),
        ("ko", "\u1100\u116a\u11ab\u1109\u1166 협상", ""),  # 관세, as its jamo
    )


def _invisible_inside_words() -> list[Article]:
    """A summary and a full text holding a zero-width space, a word joiner or a byte-order
    mark inside a word, and the halves of one as words of their own."""
    when = NOW - timedelta(hours=1)
    return [
        Article(
            id=ident,
            source="Wire",
            title=title,
            summary=summary,
            text=text,
            published=when,
            fetched=when,
        )
        for ident, title, summary, text in (
            ("us", "Talks resume", "Wash\u200bington and Seoul", None),
            (
                "de",
                "Bundestag",
                "Kabinett",
                "Das Klimaschutz\u2060gesetz der Bundes\ufeffregierung",
            ),
            ("xx", "Wash and iron", "ington", None),
        )
    ]


def assert_found_built_before_or_now(
    folder: Path,
    written: Callable[[], list[Article]],
    asked: dict[str, list[str]],
    words_before: tuple[str, Callable[[str], str]],
    version_before: int,
) -> None:
    """The articles `written` makes, indexed as an older wirewatch indexed them (search index
    version `version_before`, words made by `words_before`: a function's dotted name and
    what stands in for it); then the store opened twice, the older index built again and
    then the one built now used. Each time every query of `asked` finds its ids through the
    index, as a scan of every article does, and relevance ranks the same ones."""
    with (
        patch(*words_before),
        patch.object(search, "VERSION", version_before),
        Store(folder, writer=True, word_index=True) as store,
    ):
        store.add_batch(written())
        wait_for_index(store)
    for opened in range(2):  # the older index built again, then the one built now
        with Store(folder, writer=True, word_index=True) as store:
            wait_for_index(store)
            for text, expected in asked.items():
                query = parse_query(text, NOW)
                found = store.query_ids(query)
                assert found == scan(store, query), (opened, text)
                assert sorted(found) == expected, (opened, text)
                assert sorted(store.search_scores(query.words)) == expected, (opened, text)


@pytest.mark.parametrize(
    ("written", "asked", "words_before", "version_before"),
    [
        pytest.param(
            _sharp_s_and_dotless_i,
            {
                "STRASSENBAHN": ["de"],
                "Strassenbahn": ["de"],
                "straßenbahn": ["de"],
                '"strassenbahn in münchen"': ["de"],
                "ırak": ["tr"],
                "ısparta": ["tr"],
                "ığdır": ["tr"],
                "ISPARTA": ["tr"],
                "ışık": ["ik"],
                "title:ışık": ["ik"],
            },
            ("fetchers.indexedtext.lowered", _lowered_as_before),
            7,
            id="sharp-s-and-dotless-i",
        ),
        pytest.param(
            _full_width_and_in_parts,
            {
                "APEC": ["en", "jp"],
                "apec": ["en", "jp"],
                "\uff21\uff30\uff25\uff23": ["en", "jp"],
                "title:apec": ["en", "jp"],
                "g7": ["en", "jp"],
                '"apec summit"': ["en"],
                "caf\u00e9": ["fr"],
                "cafe\u0301": ["fr"],
                "관세": ["ko"],
                "\u1100\u116a\u11ab\u1109\u1166": ["ko"],
            },
            ("fetchers.indexedtext.lowered", _lowered_as_before),  # (no ß, no ı in them)
            8,
            id="full-width-and-decomposed",
        ),
        pytest.param(
            _invisible_inside_words,
            {
                "Washington": ["us"],
                '"washington and seoul"': ["us"],
                "klimaschutzgesetz": ["de"],
                "Klima\u00adschutz\u00adgesetz": ["de"],
                "Bundesregierung\u200b": ["de"],
            },
            ("fetchers.query.visible", lambda text: text),
            9,
            id="invisible-characters",
        ),
    ],
)
def test_the_index_finds_words_written_otherwise_built_before_or_now(
    tmp_path: Path,
    written: Callable[[], list[Article]],
    asked: dict[str, list[str]],
    words_before: tuple[str, Callable[[str], str]],
    version_before: int,
) -> None:
    """Words written otherwise than typed are found through the search index, and ranked by
    relevance, as checking every article finds them: in an index built now, and in one an
    older wirewatch built, which is built again (it would answer none of them).
    "Straßenbahn" is found by STRASSENBAHN and "IŞIK" by ışık; "ＡＰＥＣ" by APEC,
    "Cafe\u0301" by café and Korean written as its jamo by the word (the older index held
    them as written, "ａｐｅｃ"); a summary or full text holding a zero-width space or a word
    joiner inside a word ("Wash\u200bington") by the word, and a word typed with one by the
    text (the older index parted them, "wash § ington")."""
    assert_found_built_before_or_now(tmp_path, written, asked, words_before, version_before)


def test_the_index_finds_a_word_typed_without_its_accents_built_before_or_now(
    tmp_path: Path,
) -> None:
    """ "Café" is found by cafe (and "Cafe" by café), "Zürich" by zurich, "Ёлку" by Елку and
    "Αθήνα" by ΑΘΗΝΑ, through the search index and ranked by relevance, as checking every
    article finds them, while a Hindi word differing by a vowel sign is not: in an index
    built now, and in one an older wirewatch built (its words as written, "café"), which is
    built again (it would answer none of them)."""
    articles = _an_hour_ago(
        ("fr", "Café society reopens", ""),
        ("en", "Cafe prices rise", ""),
        ("ch", "Stocks fall", "Trading in Zürich was thin"),
        ("ru", "Ёлку нарядили", ""),
        ("gr", "Αθήνα: συνάντηση", ""),
        ("hi", "काम जारी है", ""),
    )
    asked = {
        "cafe": ["en", "fr"],
        "CAFÉ": ["en", "fr"],
        '"cafe society"': ["fr"],
        "zurich": ["ch"],
        "Елку": ["ru"],
        "title:ΑΘΗΝΑ": ["gr"],
        "कम": [],
        "काम": ["hi"],
    }
    words_before = ("fetchers.indexedtext.lowered", _lowered_as_before)  # (no ß, no ı in them)
    assert_found_built_before_or_now(tmp_path, lambda: articles, asked, words_before, 10)


def test_a_round_of_the_search_thread_that_fails_unexpectedly_leaves_it_running(
    tmp_path: Path,
) -> None:
    """An unforeseen error in a round of the search thread is said among the store's
    problems, and the thread lives on: the next write brings the index up to date and the
    word queries settle (a dead thread left every later article out of the index)."""
    from fetchers.store.searchthread import SearchThread

    rounds = SearchThread.index_round
    failed: list[bool] = []

    def once(thread: SearchThread, everything: bool) -> int:
        if not failed:
            failed.append(True)
            raise RuntimeError("an unforeseen fault")
        return rounds(thread, everything)

    with (
        patch.object(SearchThread, "index_round", once),
        Store(tmp_path, writer=True, word_index=True) as store,
    ):
        store.add_batch(_tariffs_and_weather("a", 20))
        deadline = time.monotonic() + 10
        while not any("unforeseen" in p for p in store.problems) and time.monotonic() < deadline:
            time.sleep(0.01)
        said = [p for p in store.problems if "the search index could not" in p]
        assert len(said) == 1 and "RuntimeError" in said[0]
        store.add_batch(_tariffs_and_weather("b", 20))
        wait_for_row_numbers(store)
        found = store.query_ids(parse_query("tariff", NOW))
    assert sorted(found) == sorted(f"{p}{n}" for p in "ab" for n in range(1, 20, 2))


@contextlib.contextmanager
def row_reads() -> Iterator[list[object]]:
    """Every read of which article a row number stands for meanwhile: a shard's key for one
    read whole, the row numbers for one read alone."""
    reads: list[object] = []
    ids, ids_at = search.SearchIndex.ids, search.SearchIndex.ids_at

    def whole(index: search.SearchIndex, key: str) -> dict[int, str]:
        reads.append(key)
        return ids(index, key)

    def alone(index: search.SearchIndex, rows: list[int]) -> dict[int, str]:
        reads.append(rows)
        return ids_at(index, rows)

    with (
        patch.object(search.SearchIndex, "ids", whole),
        patch.object(search.SearchIndex, "ids_at", alone),
    ):
        yield reads


def _three_days(prefix: str) -> list[Article]:
    """300 articles over three days (a shard each), every other one on tariffs, every third
    with a full text (whose files are read in their own order)."""
    return [
        dataclasses.replace(
            article, fetched=NOW - timedelta(days=n % 3), text=article.text if n % 9 < 3 else None
        )
        for n, article in enumerate(_tariffs_and_weather(prefix, 300, text=True))
    ]


def test_a_store_finds_the_article_of_each_row_number_in_its_own_shards(tmp_path: Path) -> None:
    """A store holds each shard's articles in the order of their places, as the search
    index numbers its rows: a word query finds the articles of the rows it matched there,
    and reads none from the index, from the first query on (at a million articles, reading
    them from a cold disk took 0.4 s). A shard the index numbered in another order has its
    ids read from the index, until the search thread numbers it again in the store's; the
    answers are what a scan finds throughout."""
    batch = _three_days("o")
    tariffs = sorted(a.id for a in batch if "tariff" in a.title.lower())
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(batch)
        writer.update_search_index()
        keys = writer.shard_keys()
        assert len(keys) == 3
    digests = []
    digest = search.order_digest

    def counted(ids: list[str | None]) -> int:
        digests.append(len(ids))
        return digest(ids)

    with Store(tmp_path) as viewer, row_reads() as reads:
        viewer.load_rest()  # each shard's order is taken as it loads, not by the query
        with patch.object(search, "order_digest", counted):
            assert sorted(viewer.query_ids(parse_query("tariff", NOW))) == tariffs
        assert viewer.query_ids(parse_query('"rain in seoul"', NOW)) == scan(
            viewer, parse_query('"rain in seoul"', NOW)
        )
        assert reads == [] and digests == []
    # one day numbered in reverse (as a process that held its articles in another order)
    index = search.SearchIndex(tmp_path)
    with Store(tmp_path) as viewer:
        day = keys[1]
        rows = [(r, None) for r in viewer.records(viewer._indexes.members[day])]
        index.drop([day])
        assert index.put_shard(day, viewer._shards[day].signature, list(reversed(rows)))
    index.close()
    with Store(tmp_path) as viewer, row_reads() as reads:
        assert sorted(viewer.query_ids(parse_query("tariff", NOW))) == tariffs
        assert reads == [day]  # that day's ids, read whole once, and no other day's
        assert viewer.word_index_ready
    # a search thread numbers that day again in the order of its places, once
    with Store(tmp_path) as viewer:
        viewer.start_word_index()
        wanted = search.order_digest(
            sorted(viewer._indexes.members[day], key=lambda i: viewer._indexes.records[i].place)
        )
        deadline = time.monotonic() + 10
        while viewer._search.digests().get(day) != wanted and time.monotonic() < deadline:
            time.sleep(0.02)
        assert viewer._search.digests()[day] == wanted
        viewer._known.answers.clear()
        with row_reads() as reads:
            assert sorted(viewer.query_ids(parse_query("tariff", NOW))) == tariffs
            assert reads == []


def test_ids_read_by_row_number_are_read_again_once_another_process_numbers_the_shard_anew(
    tmp_path: Path,
) -> None:
    """A process that read which article each row number of a shard stands for reads them
    again once another process numbers that shard anew at the same version (as a search
    thread does for a shard held in another order): the articles found stay right."""
    batch = _three_days("r")
    tariffs = sorted(a.id for a in batch if "tariff" in a.title.lower())
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(batch)
        writer.update_search_index()
    with index_order_unknown(), Store(tmp_path) as viewer:
        assert sorted(viewer.query_ids(parse_query("tariff", NOW))) == tariffs
        day = viewer.shard_keys()[0]
        assert day in viewer._known.row_ids  # read, and kept
        rows = [(r, None) for r in viewer.records(viewer._indexes.members[day])]
        index = search.SearchIndex(tmp_path)  # another process
        signature = viewer._shards[day].signature
        assert signature is not None
        assert index.put_shard(day, signature, list(reversed(rows)), renumber=True)
        index.close()
        viewer._known.answers.clear()
        with row_reads() as reads:
            assert sorted(viewer.query_ids(parse_query("tariff", NOW))) == tariffs
            assert reads == [day]


def test_a_shard_filed_in_parts_is_taken_in_the_order_of_its_places() -> None:
    """A shard whose articles are filed in parts (the newest page first, then the rest)
    holds its members in another order than their places, though its first and last are
    the first and last places; its order for the word queries is taken by place, so that
    it agrees with the index's."""
    filed = indexes.Indexes()
    marks = cast(Any, SimpleNamespace(state={}))
    records = [Record(f"p{n}", "Wire", f"Title {n}", fetched=1.7e9) for n in range(8)]
    filed.file([records[0], records[7]], "2025-10-01", marks, places=[0, 7])
    filed.file(records[1:7], "2025-10-01", marks, places=[1, 2, 3, 4, 5, 6])
    assert filed.members["2025-10-01"][:2] == ["p0", "p7"]
    assert "2025-10-01" in filed.filed_out_of_order
    _, _, ordered, digest = search.held_order(filed.members["2025-10-01"], filed.records, False)
    assert ordered == [f"p{n}" for n in range(8)] and digest == search.order_digest(ordered)
    filed.file([Record("q0", "Wire", "Other", fetched=1.7e9)], "2025-10-02", marks)
    filed.file([Record("q1", "Wire", "Other", fetched=1.7e9)], "2025-10-02", marks, places=[1])
    assert "2025-10-02" not in filed.filed_out_of_order
    filed.drop_shard("2025-10-01")
    assert not filed.filed_out_of_order


def test_two_connections_opening_a_new_search_index_at_once_both_open_it(tmp_path: Path) -> None:
    """A poller's search thread and a query (or two processes) opening a new index at once:
    one finds it locked while the other puts it in write-ahead-log mode, and waits."""
    import threading

    for attempt in range(30):
        folder = tmp_path / str(attempt)
        folder.mkdir()
        both = [search.SearchIndex(folder), search.SearchIndex(folder)]
        failed: list[Exception] = []
        ready = threading.Barrier(2)

        def open_it(
            index: search.SearchIndex, ready: threading.Barrier, failed: list[Exception]
        ) -> None:
            ready.wait()
            try:
                index.versions()
            except Exception as exc:  # what the test looks for
                failed.append(exc)

        threads = [threading.Thread(target=open_it, args=(index, ready, failed)) for index in both]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for index in both:
            index.close()
        assert failed == [], attempt


def test_a_torn_search_index_costs_time_never_a_result(tmp_path: Path) -> None:
    batch = _tariffs_and_weather("t", 20)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
    (tmp_path / "search.sqlite").write_bytes(b"not a database at all" * 500)
    expected = [f"t{n}" for n in range(1, 20, 2)]
    with Store(tmp_path) as viewer:
        assert viewer.query_ids(parse_query("tariff", NOW)) == expected
    with Store(tmp_path, writer=True, word_index=True) as store:  # rebuilt from the shards
        wait_for_index(store)
        assert store.query_ids(parse_query("tariff", NOW)) == expected


def test_word_start_matching_and_the_index_after_new_writes(open_store: StoreOpener) -> None:
    def art(n: int, title: str) -> Article:
        when = NOW - timedelta(minutes=n)
        return Article(id=f"t{n}", source="S", title=title, link=None, published=when, fetched=when)

    with open_store(writer=True, word_index=True) as store:
        store.add_batch([art(1, "New tariffs on autos"), art(2, "An antitariff rally")])
        wait_for_index(store)
        store.add_batch([art(0, "Tariff deal in Gyeongju"), art(3, "도쿄 관세를 인하")])
        titles = [a.title for a in store.query(parse_query("tariff", NOW))]
        assert titles == ["Tariff deal in Gyeongju", "New tariffs on autos"]
        assert [a.id for a in store.query(parse_query("관세", NOW))] == ["t3"]
        assert [a.id for a in store.query(parse_query('"deal in"', NOW))] == ["t0"]


def test_a_word_of_one_script_against_another_starts_a_word(open_store: StoreOpener) -> None:
    """Korean and Japanese write Latin words and numbers against their own: "FTA" in
    "한미FTA", "M7.1" in "沖でM7.1の地震", "협상" in "FTA협상" each start a word, through the
    search index and without it; a word inside a word of its own script does not."""

    def art(n: int, title: str) -> Article:
        when = NOW - timedelta(minutes=n)
        return Article(id=f"k{n}", source="S", title=title, link=None, published=when, fetched=when)

    titles = ["한미FTA 개정 협상 착수", "日本北部沖でM7.1の地震", "FTA협상 재개", "antiFTA rally"]
    with open_store(writer=True, word_index=True) as store:
        store.add_batch([art(n, t) for n, t in enumerate(titles)])
        wait_for_index(store)
        for query, expected in [
            ("FTA", ["k0", "k2"]),
            ("M7.1", ["k1"]),
            ("협상", ["k0", "k2"]),
            ("한미FTA", ["k0"]),
            ('"한미 FTA"', []),  # a space the text does not have
            ("미FTA", []),  # inside a Korean word
            ("TA", []),
        ]:
            assert sorted(store.query_ids(parse_query(query, NOW))) == expected, query


def _spread_store(folder: Path, days: int = 6, per_day: int = 1500) -> None:
    """Articles over several days and sources, each with its own time; a day is 2 shards."""
    rng = random.Random(7)
    sources = [f"S{n}" for n in range(12)]
    with Store(folder, writer=True) as store:
        for day in range(days):
            fetched = datetime(2025, 10, 1 + day, 12, 0, tzinfo=UTC)
            batch = []
            for n in range(per_day):
                number = day * per_day + n
                batch.append(
                    Article(
                        id=f"a{number}",
                        source=rng.choice(sources),
                        title=f"{rng.choice(['tariff', 'summit', 'quake'])} story {number}",
                        link=None,
                        published=fetched - timedelta(seconds=rng.randrange(0, 3 * 86400)),
                        fetched=fetched,
                        summary="",
                        tags=[rng.choice(["korea", "trade", "world"])],
                        lang=rng.choice(["en", "ko"]),
                    )
                )
            store.add_batch(batch)


@pytest.fixture(scope="module")
def spread(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("spread")
    _spread_store(folder)
    return folder


@pytest.mark.parametrize(
    "text",
    [
        "",
        "source:S3",
        "source:S3 OR source:S7",
        "tag:korea lang:ko",
        "tariff",
        "-tariff source:S1",
        "since:2025-10-05",
        "source:S11 since:2025-10-06",
        "source:nobody",
    ],
)
@pytest.mark.parametrize("limit", [1, 20, 400])
def test_reading_only_the_shards_that_can_hold_the_answer_gives_the_same_answer(
    spread: Path, text: str, limit: int
) -> None:
    tmp_path = spread
    now = datetime(2025, 10, 8, tzinfo=UTC)
    query = parse_query(text, now)
    with Store(tmp_path) as whole:
        expected = whole.query_ids(query, limit)
    with Store(tmp_path, first=0) as lazy:
        assert lazy.newest(query, limit) == expected


def test_a_page_of_a_common_word_asks_the_index_for_the_newest_shards_only(
    tmp_path: Path,
) -> None:
    """A word in a third of 9,000 articles over six days: its newest 20 come from the rows
    of the newest shards, the same 20 as the whole list's first."""
    _spread_store(tmp_path)
    now = datetime(2025, 10, 8, tzinfo=UTC)
    rows_read: list[int] = []
    real_match = search.SearchIndex.match

    def counted(self: search.SearchIndex, *args: Any) -> list[int] | None:
        found = real_match(self, *args)
        rows_read.append(len(found or ()))
        return found

    with Store(tmp_path, word_index=True) as store, patch.object(indexes, "NEWEST_SPAN_LEAST", 500):
        wait_for_index(store)
        query = parse_query("tariff", now)
        whole = store.query_ids(query)
        with patch.object(search.SearchIndex, "match", counted):
            page = store.query_ids(query, 20)
        assert page == whole[:20]
        assert len(whole) > 2500
        assert sum(rows_read) < len(whole) / 2  # every match before


def test_the_newest_of_one_source_reads_few_shards(tmp_path: Path) -> None:
    _spread_store(tmp_path, days=10, per_day=1000)
    now = datetime(2025, 10, 12, tzinfo=UTC)
    with Store(tmp_path, first=0) as lazy:
        found = lazy.newest(parse_query("since:2025-10-09 source:S2", now), 20)
        assert len(found) == 20
        assert len(lazy) < 5000  # of 10,000: the older days are never read


def test_words_in_full_texts_are_found_with_and_without_the_index(open_store: StoreOpener) -> None:
    """Texts stored with the articles, and one fetched later (`f`), are searched; `title:`
    looks in titles only."""
    seed = Article(
        id="seed",
        source="Yonhap",
        title="S. Korea, US remain far apart on key sticking points in tariff talks",
        published=NOW - timedelta(hours=1),
        fetched=NOW,
        summary="South Korea and the United States remain far apart, an aide said.",
        text="Kim met US Commerce Secretary Howard Lutnick before the APEC summit in Gyeongju.",
    )
    other = Article(
        id="other", source="Yonhap", title="Hybe partners with LAFC", published=NOW, fetched=NOW
    )
    with open_store(writer=True) as store:
        store.add_batch([seed, other])
        assert store.query_ids(parse_query("Lutnick", NOW)) == ["seed"]  # no index: a scan
        store.start_word_index()
        wait_for_index(store)
        assert store.query_ids(parse_query("APEC OR Gyeongju OR summit", NOW)) == ["seed"]
        assert store.query_ids(parse_query('"Commerce Secretary"', NOW)) == ["seed"]
        assert store.query_ids(parse_query("-Lutnick", NOW)) == ["other"]
        assert store.query_ids(parse_query("title:Lutnick", NOW)) == []
        assert store.query_ids(parse_query("title:tariff", NOW)) == ["seed"]
        store.set_text("other", "The K-pop agency signs a deal with the Los Angeles club.")
        assert store.query_ids(parse_query("agency", NOW)) == ["other"]
    with open_store(word_index=True) as viewer:
        assert viewer.query_ids(parse_query("agency OR Lutnick", NOW)) == ["other", "seed"]
        wait_for_index(viewer)
        assert viewer.query_ids(parse_query("agency OR Lutnick", NOW)) == ["other", "seed"]


def _article(
    ident: str, title: str, summary: str, minutes: int, text: str | None = None
) -> Article:
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return Article(
        id=ident,
        source="Wire",
        title=title,
        link=None,
        published=when,
        fetched=when,
        summary=summary,
        text=text,
    )


def test_relevance_ranks_by_bm25_over_titles_and_full_texts_and_follows_the_store(
    tmp_path: Path,
) -> None:
    from fetchers.relevance import FILE, by_relevance

    filler = "markets opened higher on thursday as traders weighed the data " * 8
    with Store(tmp_path, writer=True) as store:
        store.add_batch(
            [
                _article("title", "Tariff deadline nears", "Officials met.", 1),
                _article("once", "Markets", filler + "one tariff", 2),
                _article("text", "Weekly wrap", "A roundup.", 3, text="tariff " * 30 + filler),
                _article("none", "Weather", "Rain in Seoul.", 4),
                # its headline's word, and a long full text (BM25 weighs the whole length)
                _article("long", "Tariff talks stall", "Talks.", -2, text=filler * 6),
                _article("brief", "Weather report", "Rain, and a tariff.", -1),
            ]
        )
    now = datetime(2025, 10, 25, tzinfo=UTC)
    query = parse_query("tariff", now)
    with Store(tmp_path) as store:
        newest = store.query_ids(query)
        assert newest == ["text", "once", "title", "brief", "long"]  # full texts too
        ranked = by_relevance(store, store.dir, newest, query.words)
    # a word in the headline first, then by BM25 over the rest
    assert set(ranked[:2]) == {"title", "long"} and ranked[-1] == "once"
    assert ranked.index("text") < ranked.index("brief")
    assert (tmp_path / FILE).exists()
    with Store(tmp_path, writer=True) as store:  # a later write: the index catches up
        store.add_batch([_article("late", "Tariff tariff tariffs", "tariff news", 5)])
    (tmp_path / FILE).write_bytes(b"not a database at all" * 100)  # and a torn index is rebuilt
    with Store(tmp_path) as store:
        ranked = by_relevance(store, store.dir, store.query_ids(query), query.words)
    assert ranked[0] == "late" and ranked[-1] == "once"


def test_a_poll_cycle_does_not_rewrite_the_shard_map_and_lists_stay_right(tmp_path: Path) -> None:
    """shards.json (megabytes at a million articles) is rewritten once several shards changed
    or when the writer closes, not at each cycle; meanwhile `list` reads the shard whose entry
    is stale and gives the same answer."""
    _spread_store(tmp_path, days=3, per_day=1000)
    shard_map = tmp_path / "shards.json"
    now = datetime(2025, 10, 5, tzinfo=UTC)
    late = Article(
        id="late",
        source="S2",
        title="tariff story late",
        link=None,
        published=datetime(2025, 10, 4, 23, tzinfo=UTC),
        fetched=datetime(2025, 10, 3, 13, tzinfo=UTC),  # into an existing day's shard
    )
    with Store(tmp_path, writer=True) as writer:
        before = shard_map.stat().st_mtime_ns, shard_map.read_bytes()
        writer.add_batch([late])
        assert (shard_map.stat().st_mtime_ns, shard_map.read_bytes()) == before
        for text in ("source:S2", "tariff", ""):
            query = parse_query(text, now)
            with Store(tmp_path, first=0) as lazy:
                assert lazy.newest(query, 5)[0] == "late"
                assert lazy.newest(query, 5) == writer.query_ids(query, 5)
    assert shard_map.read_bytes() != before[1]  # written when the writer closed


def test_a_lean_writer_gives_the_index_the_words_it_drops_from_memory(tmp_path: Path) -> None:
    """A lean writer (a `refresh`) drops the words of a full shard from memory as soon as it
    fills; the search index still gets them, so `list` finds a word of such an article's
    summary, of its revised summary and of a full text attached later, from the index."""

    def wire(n: int, summary: str = "Markets moved.") -> Article:
        return Article(
            id=f"w{n}",
            source="Wire",
            title=f"Story {n}",
            link=f"https://example.org/w/{n}",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
            summary=summary,
        )

    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch([wire(n) for n in range(600)])
        store.add_batch(
            [
                wire(n, "Lutnick met Kim." if n == 700 else "Markets moved.")
                for n in range(600, 1200)
            ]
        )
        assert summaries_held(store, ["w700"]) == 0  # thinned
        store.add_batch([wire(800, "Gyeongju summit opens.")])  # a revision of a thinned one
        store.set_text("w900", "The apec leaders met in the rain.")
        assert [r.summary for r in store.records(["w700", "w800"])] == [
            "Lutnick met Kim.",
            "Gyeongju summit opens.",
        ]
    with Store(tmp_path) as viewer:  # what `wirewatch list WORD` opens
        assert viewer.word_index_ready  # the answers below come from the index
        assert viewer.query_ids(parse_query("lutnick", NOW)) == ["w700"]
        assert viewer.query_ids(parse_query("gyeongju", NOW)) == ["w800"]
        assert viewer.query_ids(parse_query("apec", NOW)) == ["w900"]
        assert viewer.query_ids(parse_query("title:story", NOW), 1) == ["w0"]
        assert len(viewer.query_ids(parse_query("markets", NOW))) == 1198


def _sparse_store(folder: Path, days: int = 6, first: int = 0) -> None:
    """A shard a day (1000 articles of a dozen sources, many sharing one time) and one
    article a day of `Rare`, tagged `scarce`."""
    rng = random.Random(11)
    with Store(folder, writer=True) as store:
        for day in range(first, first + days):
            fetched = datetime(2025, 10, 1 + day, 12, 0, tzinfo=UTC)
            batch = [
                Article(
                    id=f"d{day}-{n}",
                    source="Rare" if n == 500 else f"S{rng.randrange(12)}",
                    title=f"{rng.choice(['tariff', 'summit', 'quake'])} story {day} {n}",
                    link=None,
                    published=fetched - timedelta(minutes=rng.randrange(0, 3)),
                    fetched=fetched,
                    tags=["scarce"] if n == 500 else [rng.choice(["korea", "trade"])],
                    lang=rng.choice(["en", "ko-KR"]),
                )
                for n in range(1000)
            ]
            store.add_batch(batch)


def test_the_newest_of_a_rare_source_decodes_its_rows_not_the_shards(tmp_path: Path) -> None:
    """`list source:X --limit 20` reads the few rows of X from each shard holding it, not
    every row of those shards; the store then loads the rest and answers as one that read
    everything at once."""
    from fetchers.store import shards

    _sparse_store(tmp_path)
    now = datetime(2025, 10, 8, tzinfo=UTC)
    decoded = 0
    real = shards.record_from_row

    def counting(row: list[object]) -> Record:
        nonlocal decoded
        decoded += 1
        return real(row)

    texts = ["source:rare", "tag:scarce OR source:nobody", "source:rare lang:en", ""]
    with Store(tmp_path) as whole:
        expected = {t: whole.query_ids(parse_query(t, now)) for t in [*texts, "tariff", "S3"]}
    with Store(tmp_path, first=0) as lazy, patch.object(shards, "record_from_row", counting):
        assert lazy.newest(parse_query("source:rare", now), 3) == expected["source:rare"][:3]
        assert decoded <= 4  # of 3,000 rows in the three shards holding them
        for text in texts:
            assert lazy.newest(parse_query(text, now), 5) == expected[text][:5]
        lazy.load_rest()
        for text, ids in expected.items():
            assert lazy.query_ids(parse_query(text, now)) == ids, text


@pytest.fixture
def shards_read(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How many shards stores read (whole, or some of their rows), from a row cache."""
    from fetchers.store import shards

    counts = {"shards": 0}
    for name in ("read_rows", "read_rows_where"):
        real = getattr(shards, name)

        def counting(*args: Any, real: Callable[..., Any] = real) -> Any:
            counts["shards"] += 1
            return real(*args)

        monkeypatch.setattr(shards, name, counting)
    return counts


def test_the_shard_map_grows_with_shards_not_with_what_they_hold(tmp_path: Path) -> None:
    """shards.json names each source once; a shard's entry is a few bytes whatever the
    number of sources it holds (it held each source's newest time: 27 MB at a million)."""
    rng = random.Random(5)
    sizes = []
    with Store(tmp_path, writer=True) as store:
        for day in range(6):
            fetched = datetime(2025, 10, 1 + day, 12, 0, tzinfo=UTC)
            store.add_batch(
                [
                    Article(
                        id=f"d{day}-{n}",
                        source=f"Source {rng.randrange(400):03d}",
                        title=f"story {n}",
                        link=None,
                        published=fetched - timedelta(minutes=n),
                        fetched=fetched,
                        tags=[f"tag{rng.randrange(50)}"],
                    )
                    for n in range(900)
                ]
            )
            store.close()  # writes shards.json
            sizes.append((tmp_path / "shards.json").stat().st_size)
            store = Store(tmp_path, writer=True)
    per_shard = (sizes[-1] - sizes[1]) / 4
    assert per_shard < 400, sizes  # 300-odd sources and 50 tags a shard


def test_a_shard_map_of_before_is_used_and_written_again_losing_nothing(
    tmp_path: Path, shards_read: dict[str, int]
) -> None:
    """A data dir whose shards.json holds each source's newest time per shard (as wirewatch
    wrote it until now) answers from it at once, and its writer writes the map anew."""
    _sparse_store(tmp_path, days=2)
    _sparse_store(tmp_path, days=4, first=3)  # six shards: days 0, 1 and 3 to 6
    now = datetime(2025, 10, 8, tzinfo=UTC)
    with Store(tmp_path) as whole:
        entries = {}
        for key in whole.shard_keys():
            version = whole.shard_version(key)
            assert version is not None
            ids = [i for i in whole.query_ids() if whole.record(i).shard == key]
            records = [whole.record(i) for i in ids]
            times: dict[str, dict[str, float]] = {"source": {}, "tag": {}, "lang": {}}
            for r in records:
                for kind, names in (
                    ("source", [r.source.lower()]),
                    ("tag", [t.lower() for t in r.tags]),
                    ("lang", [r.lang.lower().split("-")[0]] if r.lang else []),
                ):
                    for name in names:
                        times[kind][name] = max(times[kind].get(name, 0.0), r.when)
            entries[key] = {
                "sig": list(version),
                "n": len(records),
                "newest": max(r.when for r in records),
                **times,
            }
        expected = {
            text: whole.query_ids(parse_query(text, now), 3)
            for text in ("source:rare", "source:s3 since:2025-10-06", "lang:ko tag:korea")
        }
    (tmp_path / "shards.json").write_bytes(orjson.dumps({"v": 1, "shards": entries}))
    for _ in range(2):  # the map of before, then the writer's map of now
        for text, ids in expected.items():
            with Store(tmp_path, first=0) as lazy:
                shards_read["shards"] = 0
                assert lazy.newest(parse_query(text, now), 3) == ids
                if "since:" in text:  # the newest S3 are in the newest shard
                    assert shards_read["shards"] <= 2  # of six, if the map were not read
        with Store(tmp_path, writer=True):
            pass
        assert orjson.loads((tmp_path / "shards.json").read_bytes())["v"] == 2


def test_the_shard_map_forgets_the_names_of_removed_shards(tmp_path: Path) -> None:
    """Retention removes a day: the sources only it held leave shards.json, and the map,
    numbered afresh, still answers for the others."""
    _sparse_store(tmp_path, days=3)
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(
            [
                Article(
                    id="gone", source="Gone", title="Old", fetched=datetime(2025, 9, 1, tzinfo=UTC)
                )
            ]
        )
    names = orjson.loads((tmp_path / "shards.json").read_bytes())["names"]["source"]
    assert "gone" in names
    now = datetime(2025, 10, 4, tzinfo=UTC)
    with Store(tmp_path, writer=True) as writer:
        assert writer.apply_retention(10, now) == 1
        expected = {
            t: writer.query_ids(parse_query(t, now), 5) for t in ("source:rare", "source:s7")
        }
    names = orjson.loads((tmp_path / "shards.json").read_bytes())["names"]["source"]
    assert "gone" not in names and "rare" in names
    for text, ids in expected.items():
        with Store(tmp_path, first=0) as lazy:
            assert lazy.newest(parse_query(text, now), 5) == ids


@pytest.mark.parametrize(
    "column, value", [("tags", "korea"), ("sources", 7), ("langs", ["en"]), ("sources", [])]
)
def test_a_row_cache_header_that_does_not_read_right_costs_time_never_a_result(
    tmp_path: Path, column: str, value: object
) -> None:
    _sparse_store(tmp_path, days=2)
    now = datetime(2025, 10, 4, tzinfo=UTC)
    texts = ("source:rare", "tag:korea source:s1", "lang:ko tag:scarce")
    with Store(tmp_path) as whole:
        expected = {t: whole.query_ids(parse_query(t, now), 5) for t in texts}
    for cache in tmp_path.glob("rows-*.json"):
        header, *rows = orjson.loads(cache.read_bytes())
        header[column] = [value] * len(rows) if column != "sources" or value != [] else []
        lines = [orjson.dumps(line) for line in (header, *rows)]  # the layout, a row a line
        cache.write_bytes(b"[" + b",\n".join(lines) + b"]")
    for text, ids in expected.items():
        with Store(tmp_path, first=0) as lazy:
            assert lazy.newest(parse_query(text, now), 5) == ids


def test_the_first_matches_of_a_common_word_are_found_without_sorting_every_match(
    spread: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`list tariff --limit 20` walks the date order until twenty turn up: a third of the
    store holds the word, so sorting every one of them by date would weigh thousands."""
    from fetchers.store.indexes import Indexes

    now = datetime(2025, 10, 8, tzinfo=UTC)
    with Store(spread, word_index=True) as store:
        wait_for_index(store)
        everything = store.query_ids(parse_query("tariff", now))
        sorted_candidates: list[int] = []
        original = Indexes._newest_first

        def counted(self: Indexes, ids: set[str], lo: int, hi: int) -> list[str]:
            sorted_candidates.append(len(ids))
            return original(self, ids, lo, hi)

        monkeypatch.setattr(Indexes, "_newest_first", counted)
        for text, expected in [
            ("tariff", everything[:20]),
            ("tag:korea tariff", scan(store, parse_query("tag:korea tariff", now))[:20]),
        ]:
            assert store.query_ids(parse_query(text, now), 20) == expected
        assert sorted_candidates == []
        assert len(everything) > 2000


def test_story_filters_take_the_stories_lists_and_ask_no_article(tmp_path: Path) -> None:
    """`story:` and `outlets:` are answered from the stories' own lists of articles: the
    store asks no article's story or outlets one by one (at 100,000 articles that was most of
    a filter's time), and gives what checking every article gives."""
    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf
    from tests.conftest import make

    outlets = ["Wire", "Herald", "Times", "Post"]
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch([make(n, outlets[n % 4]) for n in range(120)])
        # stories of four, three, two and one outlets over the first 40; the rest in none
        stories = [
            Story(f"s{g:012x}", "t", ids, [i.split("-")[0] for i in ids], ids[0], "", 0.0, 0.0)
            for g in range(10)
            if (ids := [f"{outlets[n % 4]}-{n}" for n in range(4 * g, 4 * g + 4 - g % 4)])
        ]
        shelf = StoryShelf(stories)
        asked: list[str] = []
        counted = StoryShelf(stories)
        story_of, outlets_of = counted.story_of, counted.outlets_of
        counted.story_of = lambda i: asked.append(i) or story_of(i)  # type: ignore[method-assign]
        counted.outlets_of = lambda i: asked.append(i) or outlets_of(i)  # type: ignore[method-assign]
        for text in (
            "outlets:<=2",
            "outlets:>=3",
            "outlets:2",
            "-outlets:>=2",
            "story:s000000000001",
            "-story:s000000000001",
            "outlets:<3 since:1h",
        ):
            expected = scan(store, parse_query(text, NOW, stories=shelf))
            assert store.query_ids(parse_query(text, NOW, stories=counted)) == expected, text
            assert 0 < len(expected) < 120 or text == "-story:s000000000001", text
        assert asked == []


def test_the_index_row_numbers_are_read_a_few_shards_per_hold_of_the_lock(
    spread: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After the search index catches up, a thread reads which article each of its row
    numbers stands for; it holds the store's lock for a few shards at a time, so a query
    typed meanwhile (which needs the lock) waits for a few shards, not for sixteen."""
    from fetchers.store import searchthread
    from fetchers.store.search import WordLookup

    held: list[int] = []
    warm = WordLookup.read_rows_out_of_order

    def counted(self: WordLookup, keys: Any) -> list[str]:
        keys = list(keys)
        held.append(len(keys))
        return warm(self, keys)

    monkeypatch.setattr(WordLookup, "read_rows_out_of_order", counted)
    with index_order_unknown(), Store(spread, word_index=True) as store:
        wait_for_index(store)
        deadline = time.monotonic() + 10
        while sum(held) < len(store.shard_keys()) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sum(held) >= len(store.shard_keys()) > searchthread.ROW_READ_SHARDS
        assert max(held) <= searchthread.ROW_READ_SHARDS


def test_a_search_thread_reads_no_row_numbers_of_shards_held_in_the_index_order(
    spread: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the store holds every shard's articles in the order the index numbers them,
    the search thread looks at all of them under one hold of the lock and reads nothing
    more (at a million articles, a thousand looks of four shards each took seconds of the
    interpreter beside the screen)."""
    from fetchers.store.search import WordLookup

    warmed: list[list[str]] = []
    warm = WordLookup.read_rows_out_of_order

    def counted(self: WordLookup, keys: Any) -> list[str]:
        warmed.append(list(keys))
        return warm(self, keys)

    monkeypatch.setattr(WordLookup, "read_rows_out_of_order", counted)
    with row_reads() as reads, Store(spread, word_index=True) as store:
        wait_for_index(store)
        wait_for_row_numbers(store)
        assert len(store._searching._looked) == len(store.shard_keys()) > 4
        assert warmed == [] and reads == []


@pytest.mark.parametrize("beside_a_screen", [True, False])
def test_beside_a_screen_the_search_thread_rests_after_each_shard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, beside_a_screen: bool
) -> None:
    """A dashboard's search thread takes in a cycle's articles (or builds the index) a
    shard at a time with a rest after each, so a filter typed meanwhile is not slowed by
    half; a command's thread does not rest."""
    from fetchers.store import searchthread

    _spread_store(tmp_path, days=3, per_day=1500)
    without_search_index(tmp_path)
    rests: list[float] = []

    class Clock:
        perf_counter = staticmethod(time.perf_counter)

        @staticmethod
        def sleep(seconds: float) -> None:
            rests.append(seconds)

    monkeypatch.setattr(searchthread, "time", Clock)
    with Store(tmp_path) as store:
        store.start_word_index(beside_a_screen)
        wait_for_index(store)
        shards = len(store.shard_keys())
    assert shards >= 6
    assert len(rests) >= shards if beside_a_screen else rests == []
    assert all(rest >= 0 for rest in rests)


def test_once_word_queries_have_settled_the_first_word_query_reads_no_row_numbers(
    tmp_path: Path,
) -> None:
    """A dashboard's search thread reads which article each row number of the index stands
    for, after indexing: the first word filter typed then finds its articles without reading
    a shard's row numbers from the index (about 0.2 s at 100,000 articles)."""
    days = [NOW - timedelta(days=d) for d in range(6)]
    batch = [
        Article(f"a{n}", "Wire", f"Tariff talks day {n}", fetched=days[n % 6]) for n in range(60)
    ]
    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
    with Store(tmp_path, word_index=True) as viewer:
        viewer.start_word_index(beside_a_screen=True)
        wait_for_row_numbers(viewer)
        with whole_shard_reads() as reads:
            found = viewer.query_ids(parse_query("tariff", NOW))
        assert len(found) == 60 and reads == []


def test_before_a_shards_row_numbers_are_read_a_rare_word_reads_only_its_own_rows(
    tmp_path: Path,
) -> None:
    """Until the search thread beside a screen has read which article each row number
    stands for (at a million articles, half a minute or more after opening), a word filter
    typed reads the row numbers it needs: a word in a few articles of each day reads
    theirs, every day's in one query, and keeps nothing; a word in most of them reads the
    days' all, once each. Either way it finds what a scan of every article finds. Without
    a screen, what is read is kept."""
    batch = [
        Article(f"a{n:03d}", "Wire", f"Tariff talks day {n}" if n % 20 < 2 else f"Rates {n}",
                fetched=NOW - timedelta(days=n % 2), summary="talks went on" if n % 4 else "")
        for n in range(200)
    ]  # fmt: skip
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(batch)
    with index_order_unknown(), Store(tmp_path) as store:
        store.start_word_index(beside_a_screen=True)
        wait_for_row_numbers(store)  # the search thread done: it reads none meanwhile
        store._known.row_ids.clear()  # as before that thread has read them
        store._searching.orders_read = False
        store._known.answers.clear()
        alone: list[list[int]] = []
        ids_at = search.SearchIndex.ids_at

        def asked(index: search.SearchIndex, rows: list[int]) -> dict[int, str]:
            alone.append(rows)
            return ids_at(index, rows)

        with whole_shard_reads() as whole, patch.object(search.SearchIndex, "ids_at", asked):
            rare = store.query_ids(parse_query("tariff", NOW))
            assert whole == [] and not store._known.row_ids  # only their rows, and none kept
            assert [len(rows) for rows in alone] == [20]  # both days' in one query
            common = store.query_ids(parse_query("talks", NOW))
            assert len(whole) == 2 and len(store._known.row_ids) == 2  # the days' all, kept
        store._known.row_ids.clear()
        store._known.answers.clear()
        store._searching.paced = False  # no screen: the day's all read for the rare word, kept
        with whole_shard_reads() as whole:
            assert store.query_ids(parse_query("tariff", NOW)) == rare
            assert len(whole) == 2 and len(store._known.row_ids) == 2
    assert sorted(rare) == [f"a{n:03d}" for n in range(200) if n % 20 < 2]
    assert sorted(common) == sorted(
        a.id for a in batch if "talks" in a.title.lower() or "talks" in a.summary
    )


# titles, summaries and full texts the index parts in every way it can: runs of spaces, lines,
# punctuation between words, letters outside ASCII (lower-cased), ligatures, underscores
_AWKWARD = [
    ("Zürich  talks, day 2", "U.S.–China: tariffs\nrise", None),
    ("ŞEHİR news", "Ünïcödé   spaced…", "Full text. With lines\n\nand  two spaces"),
    ("plain words", "", "ﬁne print"),
    ("snake_case id", "a-b c", None),
    ("Seoul summit", "Leaders met.", None),  # given a full text later
]


def _indexed(folder: Path) -> set[tuple[str, str, str]]:
    """What the search index holds: each article id with its title and body as indexed."""
    with contextlib.closing(sqlite3.connect(folder / "search.sqlite")) as db:
        rows = db.execute(
            "SELECT arts.id, docs.title, docs.body FROM docs JOIN arts ON arts.rowid = docs.rowid"
        )
        return set(rows.fetchall())


def test_words_made_where_articles_are_parsed_index_as_the_index_would(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Words for the search index made before the write (by the parser process) are taken
    as they are: the index makes none itself, and holds what it would have made. An article
    revised, or given a full text, after its words were made has them made again."""
    batch = [
        Article(
            id=f"a{n}",
            source="Wire",
            title=title,
            link=f"https://e.example/{n}",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
            summary=summary,
            text=text,
        )
        for n, (title, summary, text) in enumerate(_AWKWARD)
    ]
    revised = dataclasses.replace(batch[3], title="snake_case id, revised")
    text = "The apec leaders met in the rain."
    with Store(tmp_path / "own", writer=True) as store:
        store.add_batch(batch)
        store.add_batch([revised])
        store.set_text("a4", text)
    made = [search.indexed_words(a.title, a.summary, a.text or None) for a in batch]
    asked: list[tuple[str, str, str | None]] = []
    make = search.indexed_words
    monkeypatch.setattr(search, "indexed_words", lambda *words: asked.append(words) or make(*words))
    store = Store(tmp_path / "made", writer=True)
    with store, store.lock:  # all three before the search thread takes any
        store.add_staged(stage(batch, made))
        store.add_batch([revised])
        store.set_text("a4", text)
    assert sorted(asked) == [
        ("Seoul summit", "Leaders met.", text),
        ("snake_case id, revised", "a-b c", None),
    ]
    assert _indexed(tmp_path / "made") == _indexed(tmp_path / "own")
    assert len(_indexed(tmp_path / "own")) == len(batch)
    with Store(tmp_path / "made") as viewer:
        assert viewer.query_ids(parse_query("zürich", NOW)) == ["a0"]
        assert viewer.query_ids(parse_query("ünïcödé", NOW)) == ["a1"]
        assert viewer.query_ids(parse_query("title:revised", NOW)) == ["a3"]
        assert viewer.query_ids(parse_query("apec", NOW)) == ["a4"]


def test_after_a_write_only_the_shards_written_have_their_row_numbers_read_again(
    tmp_path: Path,
) -> None:
    """The search thread reads which article each row number stands for after each round;
    a round after a cycle's write reads the written shard's alone, holding the store's lock
    once, not once for every few shards of the store (a filter waits behind each hold)."""
    _spread_store(tmp_path, days=12, per_day=300)
    now = datetime(2025, 10, 14, tzinfo=UTC)
    warmed: list[list[str]] = []
    real_warm = search.WordLookup.read_rows_out_of_order

    def counted(self: search.WordLookup, keys: list[str]) -> list[str]:
        warmed.append(list(keys))
        return real_warm(self, keys)

    with (
        index_order_unknown(),
        Store(tmp_path, writer=True) as store,
        patch.object(search.WordLookup, "read_rows_out_of_order", counted),
    ):
        store.update_search_index()
        store._searching._look_at_orders()
        assert sum(map(len, warmed)) == len(store.shard_keys()) == 12
        warmed.clear()
        store._searching._look_at_orders()  # every shard's row numbers are read already
        assert warmed == []
        (late,) = store.add_batch([dataclasses.replace(make(1), fetched=now)])
        store.update_search_index()
        store._searching._look_at_orders()
        assert warmed == [["2025-10-14"]]  # three holds of the lock before, for all twelve
        assert store.query_ids(parse_query("headline", now)) == [late]  # found by its words


def test_a_page_from_the_newest_shards_keeps_articles_of_one_time_in_the_order_stored(
    tmp_path: Path,
) -> None:
    """Articles of one time sit in the date order as stored (shard, then place): the span
    whose shards the index is asked for takes all of its last time, so one of them in a
    shard outside it is not passed over for a later one (X, not Y, is the first match)."""
    late = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    tie = late - timedelta(hours=5)

    def article(ident: str, title: str, published: datetime, day: int) -> Article:
        fetched = datetime(2025, 10, 20 + day, 12, 0, tzinfo=UTC)
        return Article(
            id=ident, source="Wire", title=title, link=None, published=published, fetched=fetched
        )

    with Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(
            [article(f"old{n}", "Market close", tie - timedelta(hours=n + 1), 1) for n in range(64)]
            + [article("s-tie", "Market open", tie, 1)]
        )
        store.add_batch([article("x", "Tariff talks", tie, 2)])
        store.add_batch(
            [article(f"new{n}", "Market rally", late - timedelta(minutes=n), 3) for n in range(63)]
            + [article("y", "Tariff deal", tie, 3)]
        )
        wait_for_index(store)
        query = parse_query("tariff", late)
        assert store.query_ids(query) == ["x", "y"]
        with (
            patch.object(indexes, "NEWEST_SPAN_LEAST", 64),
            patch.object(indexes, "NEWEST_SPAN_PER_MATCH", 1),
        ):
            assert store.query_ids(query, 1) == ["x"]


def test_a_part_of_a_list_and_its_count_come_from_the_indexes_alone(tmp_path: Path) -> None:
    """A pane highlighting a row far down a long list is drawn from the part of the new
    list about that place and how many match, which the indexes give for a word, an OR of
    words, "-word" and no filter, with time bounds or not, a source, and clauses of these
    that must all hold: the rows of the whole list there (equal times included), about a
    row or an article, read from either end. A filter whose matches must each be tested
    says so; so does an article left out."""
    start = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    batch = [
        Article(
            id=f"t{n}",
            source=("Wire", "Other")[n % 2],
            title=("Tariff talks", "APEC summit", "Rain in Seoul")[n % 3] + f" {n}",
            link=f"https://e.example/{n}",
            published=start + timedelta(hours=n // 4),  # four articles to each time
            fetched=start + timedelta(hours=n // 4),
            summary="Markets moved.",
        )
        for n in range(120)
    ]
    now = start + timedelta(hours=30)
    with Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(batch)
        wait_for_index(store)
        answered = ["", "tariff", "-tariff", "tariff OR apec", 'source:"Other"', "since:1d",
                    "tariff since:1d", "-tariff since:1d", "apec before:1d", "tariff talks",
                    'tariff source:"Wire"', 'source:"Other" since:1d',
                    'tariff OR apec source:"Other" before:1d']  # fmt: skip
        for text in answered:
            query = parse_query(text, now)
            whole = store.query_ids(query)
            count = len(whole)
            assert count >= 8, text
            for row in range(count + 2):
                at = min(row, count - 1)
                first = max(0, at - 2)
                wanted = (count, first, whole[first : at + 3])
                assert store.part(query, 2, row=row) == wanted, (text, row)
                assert store.part(query, 2, through=whole[at]) == wanted, (text, row)
            assert store.part(query, 500, row=3) == (count, 0, whole), text
            if text:  # an article the filter leaves out has no place in its list
                left_out = next(i for i in store.query_ids() if i not in whole)
                assert store.part(query, 2, through=left_out) is None, text
                by_row = (count, 1, whole[1:6])  # its row given: the part about that row
                assert store.part(query, 2, row=3, through=left_out) == by_row, text
        for text in ("tariff -seoul", "is:unread", "tariff is:unread"):  # tested one by one
            assert store.part(parse_query(text, now), 5, row=3) is None, text


def _four_a_day(start: datetime, days: int) -> list[Article]:
    """Articles six hours apart from `start` (a shard a day), every other one on tariffs."""
    return [
        Article(
            id=f"d{n}",
            source="Wire",
            title=("Tariff talks", "Rain in Seoul")[n % 2] + f" {n}",
            link=f"https://e.example/{n}",
            published=start + timedelta(hours=6 * n),
            fetched=start + timedelta(hours=6 * n),
            summary="Markets moved.",
        )
        for n in range(4 * days)
    ]


def test_no_part_of_a_list_is_given_while_loaded_days_wait_for_the_date_order(
    tmp_path: Path,
) -> None:
    """While the rest of a store loads (after a first paint of its newest days), the days
    loaded so far are filed but not yet in the date order: a part of a list read from that
    order would be counted against more articles than it holds, so none is given until the
    order is made."""
    batch = _four_a_day(datetime(2025, 10, 20, 7, 0, tzinfo=UTC), days=6)
    with Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(batch)
        wait_for_index(store)
    query = parse_query("tariff")
    with Store(tmp_path, first=0) as viewer:
        assert not viewer.complete
        # the load's last step, held back: the order it made is not taken
        with patch.object(indexes.Indexes, "take_order", return_value=True):
            viewer.load_rest()
        assert viewer.part(query, 2, row=5) is None
        assert viewer.part(None, 2, row=5) is None
        viewer._indexes.rebuild_order()
        whole = viewer.query_ids(query)
        assert len(whole) == 12
        assert viewer.part(query, 2, row=5) == (12, 3, whole[3:8])


def test_a_words_count_trusts_the_index_only_for_shards_read_with_their_articles_filed(
    tmp_path: Path,
) -> None:
    """A word's count over the whole store is the number of articles the search index gives
    for it, with no look at each (57,000 of a million), when every one was a stored article
    as its shard's ids were read; a shard read while an article of it was not yet filed has
    each of its candidates looked up, and the count is right either way. A set of candidates
    changed since, or a copy of one, is not taken on trust."""
    batch = _four_a_day(datetime(2025, 10, 20, 7, 0, tzinfo=UTC), days=6)
    trusted: list[bool] = []
    count_within = indexes.Indexes._count_within

    def watched(self, ids, lo, hi, stored=False):  # type: ignore[no-untyped-def]
        trusted.append(stored)
        return count_within(self, ids, lo, hi, stored)

    with index_order_unknown(), Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(batch)
        wait_for_index(store)
        # the search thread done with the row numbers: it fills what the test clears below
        wait_for_row_numbers(store)
        whole = store.query_ids(parse_query("tariff"))
        assert len(whole) == 12
        for text, count in (("tariff", 12), ("-tariff", 12)):
            trusted.clear()
            with patch.object(indexes.Indexes, "_count_within", watched):
                part = store.part(parse_query(text), 2, row=5)
            assert part is not None and part[0] == count, text
            assert trusted == [True], text
        with store.word_lookup() as words:
            hits = words.candidates(None, "tariff")
            assert hits is not None and words.only_stored(hits)
            assert not words.only_stored(set(hits))
            hits.add("elsewhere")
            assert not words.only_stored(hits)
        # one day's ids read from the index while an article of it was not filed
        wait_for_row_numbers(store)  # (the parts asked above may have set the thread reading)
        records = store._indexes.records
        late = records.pop(whole[0])
        store._known.row_ids.clear()
        store._known.answers.clear()
        with store.word_lookup() as words:
            words.read_rows_out_of_order(store._shards)
        records[late.id] = late
        trusted.clear()
        with patch.object(indexes.Indexes, "_count_within", watched):
            assert store.part(parse_query("tariff"), 2, row=5) == (12, 3, whole[3:8])
        assert trusted == [False]
        # an article filed under another shard (one kept by retention while its day was
        # still there) may leave the store while this day stays as it is: not trusted
        wait_for_row_numbers(store)
        home, late.shard = late.shard, "articles-kept"
        store._known.row_ids.clear()
        store._known.answers.clear()
        with store.word_lookup() as words:
            words.read_rows_out_of_order(store._shards)
        late.shard = home
        trusted.clear()
        with patch.object(indexes.Indexes, "_count_within", watched):
            assert store.part(parse_query("tariff"), 2, row=5) == (12, 3, whole[3:8])
        assert trusted == [False]
        # a shard indexed again at the version the index holds keeps its row numbers (another
        # process may list its articles in another order): read ids by row stay right
        wait_for_index(store)  # (the parts asked above may have set the thread writing or
        wait_for_row_numbers(store)  # reading the rows this reads and writes again)
        key = late.shard
        before = store._search.ids(key)
        rows = [(records[i], None) for i in reversed(store._indexes.members[key])]
        assert store._search.put_shard(key, store._shards[key].signature, rows)
        assert store._search.ids(key) == before


@contextlib.contextmanager
def _asked_of_the_index() -> Iterator[list[tuple[str, object]]]:
    """What the search index is asked meanwhile: each needle, with the row ranges it was
    asked within (None: the whole index)."""
    asked: list[tuple[str, object]] = []
    match = search.SearchIndex.match

    def watched(index, column, needle, within=None):  # type: ignore[no-untyped-def]
        asked.append((needle, within))
        return match(index, column, needle, within)

    with patch.object(search.SearchIndex, "match", watched):
        yield asked


def test_a_word_asked_again_is_not_read_again_while_the_store_and_index_are_as_they_were(
    tmp_path: Path,
) -> None:
    """A far-down filter asks for its word for the part of the list there, then for the
    whole list, and a reader switching between two filters asks for each again and again:
    the search index is read for a word once while the shards and the index stay as they
    were, and again once a cycle writes (the answer then holds the new article)."""
    start = datetime(2025, 10, 20, 7, 0, tzinfo=UTC)
    batch = _four_a_day(start, days=6)
    with Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(batch)
        wait_for_index(store)
        with _asked_of_the_index() as asked:
            whole = store.query_ids(parse_query("tariff"))
            assert store.part(parse_query("tariff"), 2, row=5) == (12, 3, whole[3:8])
            assert store.query_ids(parse_query("-tariff")) == scan(store, parse_query("-tariff"))
            assert store.query_ids(parse_query("rain")) == scan(store, parse_query("rain"))
            assert store.query_ids(parse_query("tariff")) == whole
            assert [needle for needle, _ in asked] == ["tariff", "rain"]
            newer = dataclasses.replace(
                batch[0],
                id="newest",
                link="https://e.example/newest",
                published=start + timedelta(days=7),
                fetched=start + timedelta(days=7),
            )
            store.add_batch([newer])
            wait_for_index(store)
            again = store.query_ids(parse_query("tariff"))
            assert again == ["newest", *whole] and asked[-1][0] == "tariff"
            kept: set[str] | None = None
            for _ in range(2):  # a caller adding to its answer does not change the next
                with store.word_lookup() as words:
                    kept = words.candidates(None, "tariff")
                    assert kept is not None and len(kept) == 13
                    kept.add("elsewhere")


def test_the_date_orders_shards_follow_its_articles_through_every_change(
    tmp_path: Path,
) -> None:
    """The date order keeps each article's shard beside it (a since:/before: slice reads its
    days from there): they stay the articles' own as articles fetched later are put among
    older ones, as days leave with retention, and as a viewer loads its store in parts."""
    start = datetime(2025, 10, 1, 7, 0, tzinfo=UTC)

    def aligned(store: Store) -> None:
        ix = store._indexes
        assert len(ix.order_ids) == len(ix.records) > 0
        assert ix.order_shards == [ix.records[i].shard for i in ix.order_ids]

    with Store(tmp_path, writer=True) as store:
        store.add_batch(_four_a_day(start, days=6))
        aligned(store)
        late = [  # published among the others, fetched days later: a shard of its own
            dataclasses.replace(article, id=f"late-{article.id}", fetched=start + timedelta(days=8))
            for article in _four_a_day(start + timedelta(hours=3), days=6)
        ]
        store.add_batch(late)
        aligned(store)
        assert len({store._indexes.records[i].shard for i in store._indexes.order_ids[:4]}) == 2
        assert store.apply_retention(10, start + timedelta(days=14)) > 0
        aligned(store)
    with Store(tmp_path, first=0) as viewer:
        viewer.load_rest()
        aligned(viewer)


def test_articles_of_one_time_keep_shard_order_without_a_number_each(tmp_path: Path) -> None:
    """Articles of one time (feeds that give only a date: midnight) sit in the date order by
    shard, then by place in it, in a writer and in a viewer loading in parts. A record keeps
    that place as two numbers it shares with others (its shard's rank, its place in the
    shard), not a number of its own: at a million articles those were 40 MB."""
    midnight = datetime(2025, 10, 1, tzinfo=UTC)
    batch = [
        Article(
            id=f"m{n:04d}",
            source=f"Wire {n % 3}",
            title=f"Bulletin {n}",
            link=f"https://e.example/m{n}",
            published=midnight,
            fetched=midnight + timedelta(hours=1),
            summary="Markets moved.",
        )
        for n in range(2500)
    ]

    def in_shard_order(store: Store) -> None:
        ix = store._indexes
        records = [ix.records[i] for i in ix.order_ids]
        assert len(records) == 2500
        by_shard = sorted(ix.members)
        assert len(by_shard) == 3  # a full shard holds 1,000
        expected = [i for key in by_shard for i in ix.members[key]]
        assert ix.order_ids == expected
        for key in by_shard:
            for place, ident in enumerate(ix.members[key]):
                record = ix.records[ident]
                assert record.seq == shards.shard_rank(key) * shards.SHARD_SPAN + place
        assert len({id(r.rank) for r in records}) <= 6  # one a shard for each filing of it
        assert len({id(r.place) for r in records}) == 1000  # one a place, whatever the shard

    with Store(tmp_path, writer=True) as store:
        store.add_batch(batch)
        in_shard_order(store)
    with Store(tmp_path, first=0) as viewer:
        viewer.load_rest()
        in_shard_order(viewer)


def test_a_word_filter_bounded_by_since_asks_the_index_for_those_days_only(
    tmp_path: Path,
) -> None:
    """`tariff since:1d` over a month asks the search index for the matches in the shards
    of the last day, not the month's, and lists the same articles a full scan finds."""
    start = datetime(2025, 10, 1, 7, 0, tzinfo=UTC)
    batch = _four_a_day(start, days=30)
    now = start + timedelta(days=30)
    with Store(tmp_path, writer=True, word_index=True) as store:
        store.add_batch(batch)
        wait_for_index(store)
        for text in ("tariff since:1d", "tariff"):
            query = parse_query(text, now)
            with _asked_of_the_index() as asked:
                found = store.query_ids(query)
            within = [ranges for _, ranges in asked]
            assert found == scan(store, query)
            if "since" in text:
                assert len(found) == 2 and within and all(w is not None for w in within)
            else:
                assert len(found) == 60 and within == [None]


def test_relevance_ranks_a_headline_in_a_script_without_spaces_first(tmp_path: Path) -> None:
    """Chinese and Japanese words have no BM25 from the index: "地震" in a headline ranks
    above a mention in a newer summary (the matches stayed newest first, "by relevance")."""
    from fetchers.relevance import by_relevance

    with Store(tmp_path, writer=True) as store:
        store.add_batch(
            [
                _article("title", "沖で地震 速報", "津波の心配なし", 1),
                _article("summary", "天気予報", "週末は晴れ。昨夜の地震の影響なし", 2),
            ]
        )
    query = parse_query("地震", datetime(2025, 10, 25, tzinfo=UTC))
    with Store(tmp_path) as store:
        newest = store.query_ids(query)
        assert newest == ["summary", "title"]
        assert by_relevance(store, store.dir, newest, query.words) == ["title", "summary"]
