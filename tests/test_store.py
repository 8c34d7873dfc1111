"""The store: round trip, dedupe, state across re-polls, retention, corruption, one writer.

Tests taking `open_store` run against every backend (TinyDB files, PostgreSQL); those named
test_tinydb_* are about the TinyDB store's files (shards, row caches, torn files)."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import random
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pytest

from fetchers import stepwise
from fetchers.feeds import parse_feed, to_articles
from fetchers.models import Article
from fetchers.query import Record, parse_query
from fetchers.store import MarksNotSaved, Store, StoreError, StoreLocked, core, shardmap
from fetchers.store.codec import stage
from fetchers.store.indexes import Indexes
from tests.conftest import StoreOpener, make, summaries_held


def test_round_trip_survives_reopen(open_store: StoreOpener) -> None:
    with open_store(writer=True) as store:
        assert store.add_batch([make(1, text="Full text one."), make(2)]) == ["Wire-1", "Wire-2"]
    with open_store() as again:
        article = again.get("Wire-1")
        assert article is not None
        assert article.title == "Headline 1 about tariffs"
        assert article.published == datetime(2025, 10, 24, 7, 1, tzinfo=UTC)
        assert again.text("Wire-1") == "Full text one."
        assert again.text("Wire-2") is None
        assert [a.id for a in again.query()] == ["Wire-2", "Wire-1"]  # newest first


def test_what_a_writer_holds_is_what_a_reopen_reads(open_store: StoreOpener) -> None:
    seoul = timezone(timedelta(hours=9))
    odd = Article(
        id="odd",
        source="연합 Wire",
        title="Tariff talks",
        link=None,
        published=datetime(2025, 10, 24, 16, 5, 30, 999_999, tzinfo=seoul),
        fetched=datetime(2025, 10, 24, 23, 59, 59, 500_000, tzinfo=seoul),
        summary="",
        text="Full text.",
        tags=["korea", "trade"],
        lang="ko-KR",
        author="Kim",
        guid="urn:1",
    )
    with open_store(writer=True) as writer:
        writer.add_batch([odd, make(1), make(2, source="Other")])
        written = {i: writer.record(i) for i in ("odd", "Wire-1", "Other-2")}
        for rows in open_store.folder.glob("rows-*.json"):  # the documents, not the row cache
            rows.unlink()
        with open_store() as viewer:
            for ident, record in written.items():
                again = viewer.record(ident)
                for slot in Record.__slots__:
                    if slot != "seq":
                        assert getattr(again, slot) == getattr(record, slot), (ident, slot)
    assert written["odd"].published == datetime(2025, 10, 24, 7, 5, 30, tzinfo=UTC).timestamp()
    assert written["odd"].shard == "2025-10-24"  # the UTC day of the fetch


def test_dedupe_by_id_and_by_link(open_store: StoreOpener) -> None:
    with open_store(writer=True) as store:
        assert len(store.add_batch([make(1), make(1), make(2)])) == 2
        assert store.add_batch([make(1), make(2)]) == []
        moved = make(3)
        moved.link = make(1).link  # same link, new guid: still the same story
        assert store.add_batch([moved]) == []
        assert len(store) == 2


def test_an_update_of_a_live_page_with_a_guid_of_its_own_is_another_article(
    open_store: StoreOpener,
) -> None:
    """A live page's updates each have a guid of their own and all link to the page: each is
    an article (the second was dropped as the first under its link). The same item under a
    new guid (a feed that makes them anew at each fetch) is still the stored one."""
    first = make(1)
    first.guid = "u1"
    update = make(2)
    update.guid, update.link = "u2", first.link  # another headline, the same page
    anew = make(1)
    anew.id, anew.guid = "Wire-1-anew", "u1-anew"  # the same words, a new guid
    with open_store(writer=True) as store:
        assert store.add_batch([first]) == ["Wire-1"]
        assert not store.knows(update) and store.knows(anew)
        assert store.add_batch([update, anew]) == ["Wire-2"]
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-2"]
    with open_store(writer=True) as again:  # as a process that reads the store anew knows
        assert again.knows(update) and again.knows(anew)
        later = make(3)
        later.guid, later.link = "u3", first.link
        assert not again.knows(later) and again.add_batch([later, anew]) == ["Wire-3"]


def test_state_survives_repoll(open_store: StoreOpener) -> None:
    with open_store(writer=True) as store:
        store.add_batch([make(1)])
        store.set_state(["Wire-1"], read=True, starred=True)
        store.add_batch([make(1)])
    with open_store() as again:
        article = again.get("Wire-1")
        assert article is not None and article.read and article.starred
        assert [a.id for a in again.query(parse_query("is:starred"))] == ["Wire-1"]
        assert again.query(parse_query("is:unread")) == []


def test_a_count_is_the_number_of_matches(open_store: StoreOpener) -> None:
    """What a dashboard's event counts say: as many as the query lists, for queries said
    whole by the store's indexes and those its own test decides."""
    with open_store(writer=True) as store:
        store.add_batch([make(n, source="Wire" if n % 3 else "Desk") for n in range(12)])
        store.add_batch([make(20, text="A trade minister spoke.")])
        store.set_state(["Wire-1", "Wire-2"], read=True)
    with open_store() as viewer:
        for text in ("", "source:desk", "is:unread", "tariffs", '"trade minister"', "-desk"):
            query = parse_query(text)
            assert viewer.count(query) == len(viewer.query_ids(query)), text
        assert viewer.count(parse_query('"trade minister"')) == 1
        assert viewer.count(parse_query("is:unread")) == 11


def test_whether_one_article_matches_is_whether_the_query_lists_it(
    open_store: StoreOpener,
) -> None:
    """What a dashboard asks of its highlighted article before painting a filter's first
    page: tested alone, an article matches exactly when the query lists it (words in its
    full text, marks, negations, time bounds); one not stored matches nothing."""
    with open_store(writer=True) as store:
        store.add_batch([make(n, source="Wire" if n % 3 else "Desk") for n in range(12)])
        store.add_batch([make(20, text="A trade minister spoke.")])
        store.set_state(["Wire-1", "Wire-2"], read=True)
    queries = ("", "source:desk", "is:unread", "tariffs", '"trade minister"', "-desk",
               "minister -source:desk", "since:2025-10-24T07:05", "zzzqqq")  # fmt: skip
    with open_store() as viewer:
        for text in queries:
            query = parse_query(text, datetime(2025, 10, 25, tzinfo=UTC))
            listed = set(viewer.query_ids(query))
            for ident in [*(a.id for a in viewer.query()), "Gone-1"]:
                assert viewer.holds(query, ident) == (ident in listed), (text, ident)
        assert viewer.holds(parse_query('"trade minister"'), "Wire-20")


def test_second_writer_is_refused_and_viewer_sees_writes(open_store: StoreOpener) -> None:
    writer = open_store(writer=True)
    try:
        with pytest.raises(StoreLocked, match="another wirewatch process"):
            open_store(writer=True)
        viewer = open_store()
        assert viewer.writer_active() and not viewer.is_writer
        with pytest.raises(StoreError):
            viewer.add_batch([make(9)])
        writer.add_batch([make(1), make(2)])
        assert sorted(viewer.reload()) == ["Wire-1", "Wire-2"]
        assert viewer.reload() == []
        viewer.close()
    finally:
        writer.close()
    with open_store() as after:
        assert not after.writer_active()


def test_tinydb_writes_one_file_per_shard_per_cycle_and_atomic_files(tmp_path: Path) -> None:
    day1 = datetime(2025, 10, 23, 12, tzinfo=UTC)
    day2 = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(i, fetched=day1 if i % 2 else day2) for i in range(10)])
    shards = sorted(p.name for p in tmp_path.glob("articles-*.json"))
    assert shards == ["articles-2025-10-23.json", "articles-2025-10-24.json"]
    for shard in shards:
        json.loads((tmp_path / shard).read_text())  # every file parses
    assert not list(tmp_path.glob(".*.tmp"))


def test_retention_deletes_old_shards_but_keeps_starred(open_store: StoreOpener) -> None:
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with open_store(writer=True) as store:
        store.add_batch(
            [make(1, fetched=old, text="kept text"), make(2, fetched=old), make(3, fetched=new)]
        )
        store.set_state(["Wire-1"], starred=True)
        removed = store.apply_retention(30, new)
        assert removed == 1
        assert sorted(a.id for a in store.query()) == ["Wire-1", "Wire-3"]
    with open_store() as again:
        assert again.text("Wire-1") == "kept text"
        assert sorted(a.id for a in again.query()) == ["Wire-1", "Wire-3"]


def test_tinydb_retention_whose_map_the_disk_refused_loses_nothing_at_the_next_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention dropped every day while the disk refused shards.json: the next open found
    the old map naming days no file held, said they were lost and had every feed asked for
    its full content (their validators dropped)."""
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=old), make(2, fetched=old - timedelta(days=1))])
    with monkeypatch.context() as full_disk:
        full_disk.setattr(shardmap, "write_derived", lambda *_: False)
        with Store(tmp_path, writer=True) as store:
            assert store.apply_retention(30, new) == 2
    with Store(tmp_path, writer=True) as again:
        assert not [p for p in again.problems if "is missing" in p]
        assert again.take_lost() == []
        assert again.query_ids() == []


def test_retention_keeps_the_articles_it_is_told_to_spare_until_it_is_not(
    open_store: StoreOpener,
) -> None:
    """What a run under a held clock (--now) stored on a day past retention is spared by
    the real clock's retention for as long as it keeps (the poller says which): it stays,
    and goes at the first retention that no longer spares it."""
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with open_store(writer=True) as store:
        store.add_batch(
            [make(1, fetched=old), make(2, fetched=old - timedelta(days=1)), make(3, fetched=new)]
        )
        assert store.apply_retention(30, new, {"Wire-1"}) == 1
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-3"]
        assert store.apply_retention(30, new) == 1
        assert store.query_ids() == ["Wire-3"]


def test_a_day_filed_after_the_real_one_goes_retention_days_after_it_was_found(
    open_store: StoreOpener, tmp_path: Path
) -> None:
    """A clock that ran a month ahead filed articles under a day the real clock reaches a
    month later: never before retention's cutoff, they stayed past retention_days (for a
    month, or a year for a `--now` demo ahead). Such a day is kept retention_days from the
    real day retention first found it ahead, then goes as an old day (its starred article
    kept); a day found ahead under a held clock is noted with the real day, not dropped."""
    real = datetime(2025, 10, 24, 12, tzinfo=UTC)
    ahead = real + timedelta(days=30)
    with open_store(writer=True) as store:
        store.add_batch([make(1, fetched=ahead), make(2, fetched=ahead)])
        store.set_state(["Wire-1"], starred=True)
        # found ahead under a clock held on that day, on the real day before `real`: kept
        assert store.apply_retention(2, ahead, real=real - timedelta(days=1)) == 0
        store.add_batch([make(3, fetched=real)])
        assert store.apply_retention(2, real + timedelta(days=1)) == 0
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-2", "Wire-3"]
    with open_store(writer=True) as store:  # (noted in the data dir, or the database)
        assert store.apply_retention(2, real + timedelta(days=2)) == 1
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-3"]
        store.set_state(["Wire-1"], starred=False)  # its star taken off: it goes too
        assert store.apply_retention(2, real + timedelta(days=2, hours=1)) == 1
        assert store.query_ids() == ["Wire-3"]
    if open_store.backend == "tinydb":
        assert not (tmp_path / core.AHEAD_FILE).exists()  # none is ahead now


def test_a_retention_of_the_longest_allowed_drops_nothing(open_store: StoreOpener) -> None:
    """500,000 days (the longest allowed) reach back to the year 657, which was written
    "657-12-22" and sorted after every day of this era: every article was dropped."""
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with open_store(writer=True) as store:
        store.add_batch([make(1, fetched=new - timedelta(days=400)), make(2, fetched=new)])
        assert store.apply_retention(500_000, new) == 0
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-2"]


def test_tinydb_retention_waits_while_the_stars_cannot_be_read(tmp_path: Path) -> None:
    """An emptied or damaged state.json: which old articles are starred is not known, so no
    old day is dropped (a starred article went with its day) until a mark is written anew, or
    for as long again as retention keeps at most."""
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=old), make(2, fetched=old), make(3, fetched=new)])
        store.set_state(["Wire-1"], starred=True)
    for damage in (b"", b'{"marks": {"Wire-1": [tr'):
        (tmp_path / "state.json").write_bytes(damage)
        with Store(tmp_path, writer=True) as store:
            assert store.apply_retention(30, new) == 0
            assert sorted(store.query_ids()) == ["Wire-1", "Wire-2", "Wire-3"]
            assert any("retention waits" in problem for problem in store.problems)
    with Store(tmp_path, writer=True) as store:  # not for good: as long again at most
        assert store.apply_retention(30, new + timedelta(days=60)) == 2
        assert store.query_ids() == ["Wire-3"]


def test_tinydb_retention_goes_on_once_the_stars_are_written_whole(tmp_path: Path) -> None:
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=old), make(2, fetched=old), make(3, fetched=new)])
    (tmp_path / "state.json").write_bytes(b"")
    with Store(tmp_path, writer=True) as store:
        assert store.apply_retention(30, new) == 0
        store.set_state(["Wire-1"], starred=True)  # the file whole again: retention goes on
        assert store.apply_retention(30, new) == 1
        assert sorted(store.query_ids()) == ["Wire-1", "Wire-3"]


def test_an_article_kept_for_its_star_goes_once_unstarred(open_store: StoreOpener) -> None:
    """Retention keeps a starred article past its day; the star taken off, the next
    retention drops it as its day was dropped (and keeps the ones still starred)."""
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with open_store(writer=True) as store:
        store.add_batch([make(1, fetched=old, text="kept text"), make(2, fetched=old)])
        store.add_batch([make(3, fetched=new)])
        store.set_state(["Wire-1", "Wire-2"], starred=True)
        assert store.apply_retention(30, new) == 0
        store.set_state(["Wire-1"], starred=False)
        assert store.apply_retention(30, new + timedelta(days=1)) == 1
        assert sorted(a.id for a in store.query()) == ["Wire-2", "Wire-3"]
        assert store.text("Wire-1") is None
    with open_store() as again:
        assert sorted(a.id for a in again.query()) == ["Wire-2", "Wire-3"]
        assert [a.id for a in again.query(parse_query("is:starred"))] == ["Wire-2"]


def test_a_folder_where_the_store_writes_its_schema_is_a_clear_error(tmp_path: Path) -> None:
    """meta.json a folder (a hand, a restore gone wrong): the writer ended in a traceback."""
    (tmp_path / "meta.json").mkdir()
    with pytest.raises(StoreError, match=r"meta\.json: cannot be written .*; it is a folder"):
        Store(tmp_path, writer=True)


def test_tinydb_corrupt_shard_is_moved_aside_and_the_rest_opens(tmp_path: Path) -> None:
    with Store(tmp_path, writer=True) as store:
        store.add_batch(
            [
                make(1, fetched=datetime(2025, 10, 23, tzinfo=UTC)),
                make(2, fetched=datetime(2025, 10, 24, tzinfo=UTC)),
            ]
        )
    (tmp_path / "articles-2025-10-23.json").write_text('{"articles": {"1": {"id": "Wi')
    with Store(tmp_path, writer=True) as store:
        assert [a.id for a in store.query()] == ["Wire-2"]
        assert any("articles-2025-10-23.json" in p and "moved aside" in p for p in store.problems)
    assert list(tmp_path.glob("articles-2025-10-23.json.corrupt-*"))


def test_tinydb_torn_text_line_and_leftover_temp_files(tmp_path: Path) -> None:
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=fetched, text="first")])
    text_file = tmp_path / "text-2025-10-24.jsonl"
    with open(text_file, "ab") as handle:
        handle.write(b'{"id": "torn", "te')  # a writer killed mid-append
    (tmp_path / ".articles-2025-10-24.json.abc.tmp").write_bytes(b"{")
    with Store(tmp_path, writer=True) as store:
        assert not list(tmp_path.glob(".*.tmp"))
        store.add_batch([make(2, fetched=fetched, text="second")])
        assert store.text("Wire-1") == "first"
        assert store.text("Wire-2") == "second"


def test_newer_schema_is_refused(open_store: StoreOpener) -> None:
    open_store.make_schema_newer()
    with pytest.raises(StoreError, match="newer wirewatch"):
        open_store()


def test_optional_fields_survive_reopen(open_store: StoreOpener) -> None:
    article = make(1, text="Body.")
    article.lang, article.author, article.guid = "ko", "Kim Tong-hyung", "urn:yna:1"
    plain = make(2)
    with open_store(writer=True) as store:
        store.add_batch([article, plain])
    with open_store() as again:
        got, other = again.get("Wire-1"), again.get("Wire-2")
        assert got is not None and other is not None
        assert (got.lang, got.author, got.guid) == ("ko", "Kim Tong-hyung", "urn:yna:1")
        assert again.text("Wire-1") == "Body."
        assert (other.lang, other.author, other.guid) == (None, None, None)
        assert other.fetched == plain.fetched and got.published == article.published


def test_tinydb_row_cache_is_used_only_while_it_matches_its_shard(tmp_path: Path) -> None:
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, text="One."), make(2)])
    rows = tmp_path / "rows-2025-10-24.json"
    assert rows.exists()
    with Store(tmp_path) as again:  # from the cache: the same articles, text and marks
        assert [a.title for a in again.query()] == [
            "Headline 2 about tariffs",
            "Headline 1 about tariffs",
        ]
        assert again.text("Wire-1") == "One."
    # another writer changes the shard after the cache was written: the cache is stale
    shard = tmp_path / "articles-2025-10-24.json"
    data = json.loads(shard.read_text())
    for doc in data["articles"].values():
        doc["title"] = doc["title"].upper()
    shard.write_text(json.dumps(data))
    with Store(tmp_path) as again:
        assert {a.title for a in again.query()} == {
            "HEADLINE 1 ABOUT TARIFFS",
            "HEADLINE 2 ABOUT TARIFFS",
        }
    rows.write_bytes(rows.read_bytes()[:40])  # a torn cache is ignored, never fatal
    with Store(tmp_path, writer=True) as again:
        assert len(again) == 2 and not again.problems
        assert again.get("Wire-2") is not None


def test_tinydb_a_writer_opened_partly_still_skips_what_is_stored(tmp_path: Path) -> None:
    days = [datetime(2025, 10, d, 7, 0, tzinfo=UTC) for d in (20, 21, 22, 23)]
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(i, fetched=days[i % 4]) for i in range(40)])
    errors: list[BaseException] = []

    def load(store: Store) -> None:
        try:
            store.load_rest()
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    with Store(tmp_path, writer=True, first=0) as partial:
        assert not partial.complete
        loaders = [threading.Thread(target=load, args=(partial,)) for _ in range(3)]
        for loader in loaders:  # a background load racing the write's own
            loader.start()
        assert partial.add_batch([make(i, fetched=days[0]) for i in range(38, 42)]) == [
            "Wire-40",
            "Wire-41",
        ]
        for loader in loaders:
            loader.join()
        assert partial.complete and len(partial) == 42
        records = partial._indexes.records.values()
        by_date = [r.id for r in sorted(records, key=lambda r: (-r.at, r.seq))]
        assert partial._indexes.order_ids == by_date
    assert errors == []


def test_a_query_made_while_the_rest_loads_waits_for_one_shard_not_for_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The load of the rest lets go of the store's lock after each shard long enough for a
    query waiting for it to take it (taken again at once, the first rows of a dashboard
    waited for a whole load: 1.2 s at 100,000 articles)."""
    days = [datetime(2025, 10, d, 9, 0, tzinfo=UTC) for d in range(1, 21)]
    with Store(tmp_path, writer=True) as store:
        for n, day in enumerate(days):
            store.add_batch([make(n * 10 + i, fetched=day) for i in range(10)])
    with Store(tmp_path, first=0) as partial:
        load_shard = partial._load_shard
        loading, loaded = threading.Event(), []

        def slow_load(key: str) -> list[str]:
            loading.set()
            time.sleep(0.02)  # a shard of many articles, the lock held
            loaded.append(key)
            return load_shard(key)

        monkeypatch.setattr(partial, "_load_shard", slow_load)
        loader = threading.Thread(target=partial.load_rest)
        loader.start()
        loading.wait(5)
        partial.query_ids(None, 5)
        answered_after = len(loaded)
        loader.join()
        assert len(loaded) == 20 and len(partial) == 200
    assert answered_after < 20


def _held_date_order(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Hold back the first date order made from here on (its sorts) until the second event
    is set; the first is set when it begins."""
    from fetchers.store import indexes

    sorting, release = threading.Event(), threading.Event()
    sort = indexes._sort_by_date

    def held(records: list[Record]) -> None:
        if not sorting.is_set():
            sorting.set()
            release.wait(10)
        sort(records)

    monkeypatch.setattr(indexes, "_sort_by_date", held)
    return sorting, release


def _five_days(folder: Path) -> list[str]:
    """A store of five days of ten articles each; their ids, newest first."""
    days = [datetime(2025, 10, d, 9, 0, tzinfo=UTC) for d in range(1, 6)]
    with Store(folder, writer=True) as store:
        for n, day in enumerate(days):
            store.add_batch([make(n * 10 + i, fetched=day) for i in range(10)])
        return store.query_ids(None)


def test_a_query_made_while_the_loaded_days_are_put_in_date_order_does_not_wait_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last step of loading the rest, putting every article in date order, takes about
    1.8 s at a million articles. It is made outside the store's lock: a filter typed
    meanwhile is answered at once, as during the rest of the load (from the days in the
    order so far: a dashboard asks again once the load is done), and the order is taken
    after."""
    newest_first = _five_days(tmp_path)
    with Store(tmp_path, first=10) as partial:  # the newest day, in the order at once
        sorting, release = _held_date_order(monkeypatch)
        loader = threading.Thread(target=partial.load_rest)
        loader.start()
        assert sorting.wait(10)
        answered: list[list[str]] = []
        asking = threading.Thread(target=lambda: answered.append(partial.query_ids(None)))
        asking.start()
        asking.join(5)
        complete_meanwhile = partial.complete
        release.set()
        loader.join(10)
        asking.join(10)
        assert answered == [newest_first[:10]]  # while the order was being made
        assert not complete_meanwhile  # (a poller's stories wait: not every article is listed)
        assert partial.complete and partial.query_ids(None) == newest_first


def test_articles_written_while_the_loaded_days_are_put_in_date_order_are_in_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle's write can come while the order of a load is made outside the lock: it
    makes the order itself first (under the lock, as the articles are now), and puts the
    new ones in their place; the order the load made is then not taken."""
    newest_first = _five_days(tmp_path)
    with Store(tmp_path, writer=True, first=10) as partial:
        sorting, release = _held_date_order(monkeypatch)
        loader = threading.Thread(target=partial.load_rest)
        loader.start()
        assert sorting.wait(10)
        new = [make(100 + i, fetched=datetime(2025, 10, 6, 9, 0, tzinfo=UTC)) for i in range(3)]
        writing = threading.Thread(target=partial.add_batch, args=(new,))
        writing.start()
        writing.join(5)
        assert not writing.is_alive()  # it did not wait for the load's order
        release.set()
        loader.join(10)
        writing.join(10)
        assert len(partial) == 53
        assert partial.query_ids(None) == [a.id for a in reversed(new)] + newest_first
        assert partial._indexes.order_ids == [r.id for r in _by_date(partial)]


def test_a_second_load_waits_for_the_date_order_another_is_making(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poller settling its store as the first poll starts calls load_rest beside the
    dashboard's own: it waits for the order being made, and does not make it again (1.8 s of
    the interpreter at a million articles)."""
    from fetchers.store import indexes

    newest_first = _five_days(tmp_path)
    with Store(tmp_path, first=10) as partial:
        sorting, release = _held_date_order(monkeypatch)
        made: list[int] = []
        date_order = indexes.date_order
        monkeypatch.setattr(
            core,
            "date_order",
            lambda *a: made.append(1) or date_order(*a),  # type: ignore[func-returns-value]
        )
        first = threading.Thread(target=partial.load_rest)
        first.start()
        assert sorting.wait(10)
        second = threading.Thread(target=partial.load_rest)
        second.start()
        second.join(0.3)
        assert second.is_alive()  # waiting for the first's order
        release.set()
        first.join(10)
        second.join(10)
        assert made == [1]
        assert partial.complete and partial.query_ids(None) == newest_first


def _by_date(store: Store) -> list[Record]:
    """Every record of a store in date order, as a sort of them all gives it."""
    return sorted(store._indexes.records.values(), key=lambda r: (-r.at, r.seq))


def test_loading_the_rest_of_a_big_store_runs_no_collection_over_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The objects a big store's load makes are moved out of the collector's reach before
    it resumes: its first pass would walk them all at once (about 0.9 s at a million
    articles, a freeze of whatever shares the process)."""
    import gc

    from fetchers import heap

    monkeypatch.setattr(heap, "FREEZE_LOADED", 1000)
    days = [datetime(2025, 10, d, 9, 0, tzinfo=UTC) for d in (20, 21, 22)]
    with Store(tmp_path, writer=True) as store:
        for n, day in enumerate(days):
            store.add_batch([make(n * 1000 + i, fetched=day) for i in range(1000)])
    passes: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            passes.append(info["generation"])

    with Store(tmp_path, writer=True, first=0) as partial:
        gc.collect()
        gc.callbacks.append(count)
        try:
            partial.load_rest()
        finally:
            gc.callbacks.remove(count)
            gc.unfreeze()
        assert len(partial) == 3000
    assert passes == []


def test_a_viewer_reads_each_row_back_from_the_row_cache_whatever_its_id_and_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer's thin records read their rows back from the shard's row cache, each found
    by the id it begins with (not the cache split into its thousand lines and its header
    parsed, for one row: 2 ms a shard, and a far-down screenful meets dozens of shards):
    ids and texts with quotes, backslashes, brackets, line breaks and other scripts come
    back right, with no look at the shard's documents."""
    from fetchers.store import shards, thin

    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    odd = ['a"b', "c\\d", "[x],", "line\nbreak", "한국-1", "plain", 'x", "y']
    articles = [
        Article(
            id=ident,
            source="Wire",
            title=f'Title of {ident} \n["{ident}", ] ,\n[',
            link=f"https://e.example/{n}",
            published=when + timedelta(minutes=n),
            fetched=when,
        )
        for n, ident in enumerate(odd)
    ]
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(articles)

    def unread(self, read, key):  # type: ignore[no-untyped-def]
        raise AssertionError(f"the documents of {key} were read")

    monkeypatch.setattr(thin.RowsBack, "_docs", unread)
    parsed: list[int] = []

    class Counted:  # the row caches' JSON, its parses counted
        dumps = staticmethod(orjson.dumps)
        JSONDecodeError = orjson.JSONDecodeError

        @staticmethod
        def loads(data: bytes) -> Any:
            parsed.append(len(data))
            return orjson.loads(data)

    with Store(tmp_path) as viewer:
        monkeypatch.setattr(shards, "orjson", Counted)
        got = {r.id: r.title for r in viewer.records(list(reversed(odd)))}
        assert got == {a.id: a.title for a in articles}
        assert parsed == []  # the header (each row's source and tags) not parsed for them


def test_a_viewer_reloads_a_dropped_day_beside_a_new_article_of_the_same_time(
    tmp_path: Path,
) -> None:
    """A viewer whose reload finds a day gone (the writer's retention) and a new article
    with the time of the dropped ones (feeds that give only a date: midnight) makes its
    date order afresh: put in among the dropped articles, the new one met their records
    gone and the reload failed, leaving the order holding them."""
    when = datetime(2025, 10, 1, 0, 0, tzinfo=UTC)

    def article(ident: str, fetched: datetime) -> Article:
        return Article(
            id=ident,
            source="Wire",
            title=f"Headline {ident}",
            link=f"https://e.example/{ident}",
            published=when,
            fetched=fetched,
        )

    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([article(f"old{n}", when) for n in range(3)])
        with Store(tmp_path) as viewer:
            assert len(viewer.query_ids()) == 3
            later = when + timedelta(days=40)
            writer.add_batch([article("new", later)])
            assert writer.apply_retention(30, later) == 3
            assert viewer.reload() == ["new"]
            assert viewer.query_ids() == ["new"]
            assert viewer._indexes.order_ids == ["new"]


def test_new_articles_go_into_the_date_order_where_a_fresh_sort_puts_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle's articles are put into the date order in place where they go in few places,
    and by a merge copied a step at a time where they go in many (a copy of a million ids
    in one call stalled a screen 50-100 ms): either way the order, equal times included, is
    the one sorting every article afresh gives, and each article's shard stays beside it."""
    from fetchers.store import indexes

    monkeypatch.setattr(indexes, "ORDER_STEP", 7)
    monkeypatch.setattr(indexes, "INSERTED_RUNS", 4)
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    merged: list[int] = []
    merge = indexes.Indexes._merge_orders

    def counted(self, runs):  # type: ignore[no-untyped-def]
        merged.append(len(runs))
        return merge(self, runs)

    monkeypatch.setattr(indexes.Indexes, "_merge_orders", counted)
    with Store(tmp_path, writer=True) as store:
        ix = store._indexes
        store.add_batch([make(n, fetched=day) for n in range(0, 120, 2)])
        batches = (
            [make(n, fetched=day) for n in (1, 3, 61, 200)],  # three places and the top: in place
            [make(n, fetched=day) for n in range(5, 60, 4)],  # fourteen places: merged
            # equal times: after the articles of that time already filed, in a later shard
            [
                make(n, source, day + timedelta(days=1))
                for n, source in ((8, "B"), (8, "A"), (7, "A"))
            ],
        )
        for batch in batches:
            store.add_batch(batch)
            got = (list(ix.order_ids), list(ix.order_keys), list(ix.order_shards))
            ix.rebuild_order()
            assert got == (list(ix.order_ids), list(ix.order_keys), list(ix.order_shards))
            assert ix.order_shards == [ix.records[i].shard for i in ix.order_ids]
        assert merged == [14]


def test_articles_of_one_time_go_among_their_equals_where_a_fresh_sort_puts_them(
    tmp_path: Path,
) -> None:
    """Hundreds of articles of one time (a feed with no dates: all of the moment it was
    fetched), then more of that time in shards before, between and after theirs: each goes
    among its equals by shard and place, as sorting every article afresh puts it (found by
    halving the equals: stepping back over them one by one took a `list` of 10,000 such
    articles 8.7 s)."""
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        ix = store._indexes
        for offset, source, count in ((2, "S", 300), (0, "T", 120), (1, "U", 80), (3, "V", 5)):
            fetched = day + timedelta(days=offset)
            store.add_batch([make(5, f"{source}{k}", fetched) for k in range(count)])
            got = (list(ix.order_ids), list(ix.order_keys), list(ix.order_shards))
            ix.rebuild_order()
            assert got == (list(ix.order_ids), list(ix.order_keys), list(ix.order_shards))


def test_a_big_date_order_is_sorted_in_chunks_and_merged_into_the_same_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Made afresh beyond ORDER_CHUNK articles, the date order is sorted a chunk at a time
    (no one sort holds the interpreter long) and comes out as one sort of all gives it, equal
    times included."""
    from fetchers.store import indexes

    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    articles = [make(n, fetched=day) for n in range(300)]
    for n, article in enumerate(articles):  # many equal times, in no order
        article.published = day - timedelta(minutes=(n * 37) % 11)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(articles)
        store._indexes.rebuild_order()
        whole = (list(store._indexes.order_ids), list(store._indexes.order_keys))
        sorted_at_once: list[int] = []
        sort = indexes._sort_by_date

        def counted(records: list[Record]) -> None:
            sorted_at_once.append(len(records))
            sort(records)

        mapped_at_once: list[int] = []

        def counted_map(function: Callable[[Record], str], records: list[Record]) -> Any:
            mapped_at_once.append(len(records))
            return map(function, records)

        monkeypatch.setattr(indexes, "_sort_by_date", counted)
        monkeypatch.setattr(indexes, "ORDER_CHUNK", 7)
        monkeypatch.setattr(stepwise, "STEP", 11)
        monkeypatch.setattr(stepwise, "map", counted_map, raising=False)
        store._indexes.rebuild_order()
        chunked = (list(store._indexes.order_ids), list(store._indexes.order_keys))
        assert chunked == whole
        assert max(sorted_at_once) == 7 and sum(sorted_at_once) == 300
        # ids and their shards listed in steps
        assert max(mapped_at_once) == 11 and sum(mapped_at_once) == 2 * 300
        assert store.query_ids(parse_query("", day)) == whole[0]


def test_date_order_after_many_writes_equals_a_fresh_open(open_store: StoreOpener) -> None:
    rng = random.Random(5)
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    serial = 0
    with open_store(writer=True) as writer:
        for size in (1, 300, 7, 120, 2):  # small and large batches, older and newer articles
            batch = []
            for _ in range(size):
                article = make(serial, fetched=base)
                article.published = base - timedelta(minutes=rng.randrange(0, 90))  # many ties
                batch.append(article)
                serial += 1
            writer.add_batch(batch)
        written = writer.query_ids(parse_query("", base))
    with open_store() as again:
        assert again.query_ids(parse_query("", base)) == written
    assert len(written) == serial


def test_tinydb_a_big_day_goes_on_in_shards_of_bounded_size(tmp_path: Path) -> None:
    """A day of 2,500 articles is three files; a later write of ten rewrites only the newest
    (a write costs what a shard holds, not what the day holds), and everything reads back."""
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n, fetched=day) for n in range(2500)])
    shards = sorted(p.name for p in tmp_path.glob("articles-*.json"))
    assert shards == [
        "articles-2025-10-24.001.json",
        "articles-2025-10-24.002.json",
        "articles-2025-10-24.json",
    ]
    sizes = {name: len(json.loads((tmp_path / name).read_text())["articles"]) for name in shards}
    assert sorted(sizes.values()) == [500, 1000, 1000]
    before = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("articles-*.json")}
    with Store(tmp_path, writer=True) as store:
        assert len(store.add_batch([make(n, fetched=day) for n in range(2500, 2510)])) == 10
    after = {p.name: p.stat().st_mtime_ns for p in tmp_path.glob("articles-*.json")}
    changed = [name for name in after if after[name] != before[name]]
    assert changed == ["articles-2025-10-24.002.json"]
    with Store(tmp_path) as viewer:
        assert len(viewer) == 2510
        newest = viewer.query(parse_query("", day), limit=3)
        assert [a.id for a in newest] == ["Wire-2509", "Wire-2508", "Wire-2507"]


def test_tinydb_retention_drops_every_shard_of_an_old_day(tmp_path: Path) -> None:
    old = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n, fetched=old) for n in range(1500)])
        store.add_batch([make(n, source="New", fetched=new) for n in range(5)])
        assert store.apply_retention(30, new) == 1500
        assert len(store) == 5
    assert sorted(p.name for p in tmp_path.glob("articles-*.json")) == ["articles-2025-10-24.json"]


def test_tinydb_a_writer_stopped_after_retention_leaves_no_day_said_missing(
    tmp_path: Path,
) -> None:
    """A day file shards.json or a row cache names that is missing was lost (its articles
    are asked of the feeds again); a writer killed after retention (no close) left
    shards.json naming the day it dropped. The map is written before the day's files go."""
    old = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    data, copy = tmp_path / "data", tmp_path / "copy"
    with Store(data, writer=True) as store:
        store.add_batch([make(n, fetched=old) for n in range(3)])
        store.add_batch([make(n, source="New", fetched=new) for n in range(2)])
        assert store.apply_retention(30, new) == 3
        # the dir as a kill leaves it (but the search index, derived and rebuilt: its
        # thread's journal may come and go as the copy is taken)
        shutil.copytree(data, copy, ignore=shutil.ignore_patterns("search.sqlite*"))
    assert sorted(shardmap.read(copy).shards) == ["2025-10-24"]
    with Store(copy, writer=True) as store:
        assert store.take_lost() == [] and not store.problems
        assert len(store) == 2


def test_tinydb_retention_that_drops_no_day_leaves_the_date_order_be(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Retention runs after every cycle: with no day old enough, it does not sort every
    article again (two seconds of a writer's CPU at a million, every cycle)."""
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n, fetched=new - timedelta(days=n % 3)) for n in range(30)])
        order = list(store.query_ids())
        rebuilt: list[int] = []
        real = Indexes.rebuild_order
        monkeypatch.setattr(Indexes, "rebuild_order", lambda self: rebuilt.append(1) or real(self))
        assert store.apply_retention(30, new) == 0
        assert rebuilt == [] and store.query_ids() == order
        assert store.apply_retention(1, new) == 10  # a day dropped: the order is made again
        gone = {make(n).id for n in range(30) if n % 3 == 2}
        assert rebuilt == [1] and store.query_ids() == [i for i in order if i not in gone]


def test_tinydb_a_day_shard_written_whole_before_opens_and_is_left_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    monkeypatch.setattr("fetchers.store.shards.SHARD_ARTICLES", 10**9)  # one file a day, as before
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n, fetched=day) for n in range(1200)])
    monkeypatch.undo()
    whole = tmp_path / "articles-2025-10-24.json"
    stamp = whole.stat().st_mtime_ns
    with Store(tmp_path, writer=True) as store:
        assert len(store) == 1200
        store.add_batch([make(n, fetched=day) for n in range(1200, 1205)])
    assert whole.stat().st_mtime_ns == stamp
    assert (tmp_path / "articles-2025-10-24.001.json").exists()
    with Store(tmp_path) as viewer:
        assert len(viewer) == 1205


def test_tinydb_a_lean_writer_holds_summaries_only_of_the_shard_it_fills(tmp_path: Path) -> None:
    """A lean writer (a `refresh`) keeps no summary of a full shard in memory, yet a source
    that edits an old article's summary still makes a revision, a starred one keeps its
    summary through retention, and a reopen reads every summary as written."""
    old = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch([make(n, fetched=old) for n in range(1500)])
        # the full shard's 1,000 summaries left memory
        assert summaries_held(store, (f"Wire-{n}" for n in range(1500))) == 500
        edited_title = make(5, fetched=old)
        edited_title.title = "Headline 5, corrected"
        edited = make(3, fetched=old)
        edited.summary = "Summary 3, corrected"
        assert store.add_batch([edited, edited_title, make(4, fetched=old)]) == []
        assert [r["summary"] for r in store.revisions("Wire-3")] == ["Summary 3"]
        assert [r["title"] for r in store.revisions("Wire-5")] == ["Headline 5 about tariffs"]
        assert store.revisions("Wire-4") == []
        # what the cycle's hooks read: the words it holds for them follow the revision
        assert [(r.title, r.summary) for r in store.records(["Wire-5", "Wire-3"])] == [
            ("Headline 5, corrected", "Summary 5"),
            ("Headline 3 about tariffs", "Summary 3, corrected"),
        ]
    with Store(tmp_path) as again:
        summaries = {a.id: a.summary for a in again.query()}
        assert summaries.pop("Wire-3") == "Summary 3, corrected"
        assert again.get("Wire-5").title == "Headline 5, corrected"  # type: ignore[union-attr]
        assert summaries == {f"Wire-{n}": f"Summary {n}" for n in range(1500) if n != 3}
    with Store(tmp_path, writer=True, lean=True) as store:
        store.set_state(["Wire-7"], starred=True)
        store.add_batch([make(n, source="New", fetched=new) for n in range(5)])
        assert store.apply_retention(30, new) == 1499
    with Store(tmp_path) as again:
        kept = again.get("Wire-7")
        assert kept is not None and kept.starred
        assert (kept.title, kept.summary) == ("Headline 7 about tariffs", "Summary 7")


def test_tinydb_a_lean_writer_never_keeps_a_starred_article_it_cannot_read_back(
    tmp_path: Path,
) -> None:
    """A lean writer (`refresh`, `poll`) holds a full shard's titles and summaries on disk
    only: when retention would keep a starred article of a day whose file cannot be read any
    more, it refuses with a clear error and drops nothing, rather than keep the article
    without its words and delete the only copy of them."""
    from fetchers.store import StoreWriteError

    old = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch([make(n, fetched=old) for n in range(1200)])
        store.set_state(["Wire-7"], starred=True)
        store.add_batch([make(n, source="New", fetched=new) for n in range(5)])
        full = [p for p in tmp_path.glob("articles-2025-09-01*.json") if "Wire-7" in p.read_text()]
        assert len(full) == 1
        words = full[0].read_bytes()
        full[0].write_bytes(words[: len(words) // 2])  # the disk lost its end meanwhile
        with pytest.raises(StoreWriteError, match="starred articles"):
            store.apply_retention(30, new)
        assert len(store) == 1205
        full[0].write_bytes(words)  # read again: retention goes on, the article whole
        assert store.apply_retention(30, new) == 1199
    with Store(tmp_path) as again:
        kept = again.get("Wire-7")
        assert kept is not None and kept.starred
        assert (kept.title, kept.summary) == ("Headline 7 about tariffs", "Summary 7")


def test_a_lean_writer_gives_the_hooks_every_field_of_the_articles_it_just_thinned(
    tmp_path: Path,
) -> None:
    """The records a lean writer gives the cycle's hooks (stories, alerts) for articles it
    has just thinned carry every field, as a writer holding every word gives them."""
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    articles = [make(n, fetched=day) for n in range(1200)]
    for n, article in enumerate(articles):
        article.author, article.guid, article.tags = f"Writer {n}", f"guid-{n}", ["markets"]
    ids = [a.id for a in articles]
    with (
        Store(tmp_path / "lean", writer=True, lean=True) as lean,
        Store(tmp_path / "whole", writer=True) as whole,
    ):
        lean.add_batch(articles)
        whole.add_batch(articles)
        lean.set_state(ids[:3], starred=True)
        whole.set_state(ids[:3], starred=True)
        assert summaries_held(lean, ids) == 200
        got, want = lean.records(ids), whole.records(ids)
    assert len(got) == len(want) == 1200
    for mine, theirs in zip(got, want, strict=True):
        fields = [n for n in Record.__slots__ if n != "_fetched"]
        assert [getattr(mine, n) for n in fields] == [getattr(theirs, n) for n in fields]
        assert mine.fetched == theirs.fetched


def test_a_lean_writer_finds_and_shows_the_words_it_keeps_on_disk_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A lean writer (`refresh`, `poll`) keeps a full shard's titles and summaries on disk
    only: an article asked for, a word query and a test of one article read them back and
    find what a writer holding every word finds. When the shard no longer reads, the log says so,
    once."""
    from fetchers.store import leanwords

    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)  # as long after the write
    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    articles = [make(n, fetched=day) for n in range(1200)]
    articles[7] = dataclasses.replace(articles[7], title="Minister resigns over tariff talks")
    articles[1100] = dataclasses.replace(articles[1100], summary="The minister resigns.")
    words = parse_query('"minister resigns"')
    with (
        Store(tmp_path / "lean", writer=True, lean=True) as lean,
        Store(tmp_path / "whole", writer=True) as whole,
    ):
        lean.add_batch(articles)
        whole.add_batch(articles)
        lean.add_batch([make(5000, fetched=day)])  # a later write: the words it kept go
        assert lean.query_ids(words) == whole.query_ids(words) == ["Wire-1100", "Wire-7"]
        assert lean.holds(words, "Wire-7") and not lean.holds(words, "Wire-8")
        shown = lean.get("Wire-7")
        assert shown is not None and shown.title == "Minister resigns over tariff talks"
        assert shown == whole.get("Wire-7") and shown.summary == "Summary 7"
        assert lean.get("Wire-1") == whole.get("Wire-1") and lean.get("Wire-9999") is None
        full = next(
            p for p in (tmp_path / "lean").glob("articles-*.json") if "Wire-7" in p.read_text()
        )
        full.write_bytes(full.read_bytes()[:1000])  # the disk lost the file's end
        with caplog.at_level("WARNING", logger="wirewatch.store"):
            assert [r.title for r in lean.records(["Wire-7", "Wire-8"])] == ["", ""]
            lean.records(["Wire-9"])
    said = [r.getMessage() for r in caplog.records if "cannot be read back" in r.getMessage()]
    assert said == [
        f"{full.name} cannot be read back: its articles are given without their titles"
        " and summaries"
    ]


def test_headlines_read_back_the_title_and_times_alone_as_the_records_hold_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a list of stories shows of each article (`headlines`) is what `records` gives,
    from a writer holding every word, a lean writer (words of its own writes, then read
    from disk) and a viewer; what is read back decodes no row whole."""
    from fetchers.store import thin

    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    articles = [make(n, fetched=day + timedelta(hours=3)) for n in range(1200)]
    ids = [a.id for a in articles][::-1] + ["unknown"]

    def shown(records: list[Record]) -> list[tuple[object, ...]]:
        return [(r.id, r.source, r.title, r.published, r.fetched) for r in records]

    with Store(tmp_path / "whole", writer=True) as whole:
        whole.add_batch(articles)
        want = shown(whole.records(ids))
        assert shown(whole.headlines(ids)) == want and len(want) == 1200
    with Store(tmp_path / "lean", writer=True, lean=True) as lean:
        lean.add_batch(articles)
        assert shown(lean.headlines(ids)) == want  # the words kept of its own writes
    decoded: list[int] = []
    real = thin.record_from_row
    monkeypatch.setattr(thin, "record_from_row", lambda row: decoded.append(1) or real(row))
    with Store(tmp_path / "lean", writer=True, lean=True) as lean:
        assert shown(lean.headlines(ids)) == want  # read from its shard files
    with Store(tmp_path / "lean") as viewer:
        assert shown(viewer.headlines(ids)) == want
        assert decoded == []
        assert shown(viewer.records(ids)) == want and len(decoded) == 1200


def test_a_lean_writer_keeps_words_for_the_hooks_of_its_own_writes_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words kept for the hooks are of the shards a writer just wrote: none are kept for
    the shards an open reads, and those kept are let go at a write after FRESH_SECONDS (an
    article asked later is read from its shard file, every field as written)."""
    from fetchers.store import leanwords

    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch([make(n, fetched=day) for n in range(1200)])
        assert store._lean_words.fresh == 1000  # the full shard's, for this cycle's hooks
    with Store(tmp_path, writer=True, lean=True) as store:
        thinned = store.record("Wire-5")
        assert thinned is not None and thinned.summary == ""
        assert store._lean_words.fresh == 0
        monkeypatch.setattr(leanwords, "FRESH_SECONDS", 0.0)
        store.add_batch([make(n, fetched=day) for n in range(1200, 2100)])
        assert store._lean_words.fresh == 0  # the shard it filled, let go at once
        assert [r.summary for r in store.records(["Wire-5", "Wire-2000"])] == [
            "Summary 5",
            "Summary 2000",
        ]


def test_a_revised_article_is_marked_for_the_writer_a_reopen_and_a_viewer(
    open_store: StoreOpener,
) -> None:
    """The mark that a source changed a headline (the dashboard shows it) is known without
    reading the revisions: in the writer at once, after a reopen, and in a viewer's reload."""
    first = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    later = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with open_store(writer=True) as store, open_store() as viewer:
        store.add_batch([make(1, fetched=first), make(2, fetched=first)])
        viewer.reload()
        edited = make(1, fetched=later)
        edited.title = "Headline 1, corrected"
        store.add_batch([edited, make(2, fetched=later)])
        assert store.record("Wire-1").revised == later.timestamp()  # type: ignore[union-attr]
        assert store.record("Wire-2").revised is None  # type: ignore[union-attr]
        viewer.reload()
        assert viewer.record("Wire-1").revised == later.timestamp()  # type: ignore[union-attr]
    for _ in range(2):  # from the shard, then from its row cache
        with open_store() as again:
            assert again.record("Wire-1").revised == later.timestamp()  # type: ignore[union-attr]
            assert again.record("Wire-2").revised is None  # type: ignore[union-attr]


def test_a_viewer_holds_what_its_articles_need_and_no_more(tmp_path: Path) -> None:
    """Articles with the same tags share one tuple of them, and a viewer keeps no index of
    links until it is asked whether one is stored (a writer does, for every new article):
    3,000 articles take under 600 bytes each (637 with a tuple each and the links index)."""
    start = datetime(2025, 10, 1, tzinfo=UTC)
    tag_sets = [["korea", "world"], ["markets"], []]
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(
            [
                Article(
                    id=f"https://example.com/{n}",
                    source=f"S{n % 40}",
                    title=f"Title {n}",
                    link=f"https://example.com/{n}",
                    published=start + timedelta(seconds=n),
                    fetched=start + timedelta(hours=n // 500),  # a cycle's articles share it
                    tags=tag_sets[n % 3],
                )
                for n in range(3000)
            ]
        )
    viewer, held = viewer_and_bytes(tmp_path)
    with viewer:
        assert held / len(viewer) < 600
        assert len({id(viewer.record(i).tags) for i in viewer.query_ids()}) == 3
        again = Article(id="other", source="S1", title="Again", link="https://example.com/1")
        assert viewer.knows(again)  # by its link, from the index built when asked
        assert not viewer.knows(Article(id="new", source="S1", title="New", link="https://x/1"))


def test_marks_a_full_or_read_only_disk_refuses_are_held_and_saved_when_it_takes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk let a bare OSError out of each mark, and a read-only one a PermissionError
    of state.lock: a StoreError says why, the marks hold in memory (a viewer's change of
    the file meanwhile read under them), and the next change the disk takes writes them."""
    from fetchers.store import marks

    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n) for n in range(4)])
    write, lock = marks.atomic_write_bytes, marks.exclusive_lock

    def full(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def read_only(path: Path) -> Any:
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))

    with Store(tmp_path) as viewer:
        monkeypatch.setattr(marks, "atomic_write_bytes", full)
        with pytest.raises(MarksNotSaved, match="No space left on device") as refused:
            viewer.set_state(["Wire-1"], read=True)
        assert isinstance(refused.value, StoreError) and refused.value.held == 1
        monkeypatch.setattr(marks, "exclusive_lock", read_only)
        with pytest.raises(MarksNotSaved, match="Permission denied") as refused:
            viewer.set_state(["Wire-2"], starred=True)
        assert refused.value.held == 2
        monkeypatch.setattr(marks, "exclusive_lock", lock)
        monkeypatch.setattr(marks, "atomic_write_bytes", write)
        with Store(tmp_path) as other:  # another process marks meanwhile
            other.set_state(["Wire-3"], starred=True)
        assert viewer.marks_changed()
        assert viewer.unread(["Wire-1", "Wire-2"]) == {"Wire-2"}
        assert [a.id for a in viewer.query(parse_query("is:starred"))] == ["Wire-3", "Wire-2"]
        viewer.set_state(["Wire-0"], read=True)  # the disk takes it: the held go with it
    kept = orjson.loads((tmp_path / "state.json").read_bytes())["marks"]
    assert kept == {
        "Wire-0": {"read": True},
        "Wire-1": {"read": True},
        "Wire-2": {"starred": True},
        "Wire-3": {"starred": True},
    }


def test_a_state_file_with_marks_that_do_not_read_opens_with_the_rest(tmp_path: Path) -> None:
    """state.json written by hand or cut short: the marks that read are kept, the rest are
    named as left out, and the store opens."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1), make(2)])
        store.set_state(["Wire-1"], starred=True)
    (tmp_path / "state.json").write_text(
        '{"marks": {"Wire-1": {"starred": true}, "Wire-2": true, "Wire-3": [1]}}'
    )
    with Store(tmp_path) as again:
        assert again.query_ids(parse_query("is:starred")) == ["Wire-1"]
        assert any("2 marks that do not read" in p for p in again.problems)


def test_a_damaged_state_file_keeps_the_marks_that_read_and_the_file_itself(
    tmp_path: Path,
) -> None:
    """state.json cut short (a disk that filled, a copy interrupted): the marks before the
    cut stay, the file as it was is kept beside it, and the next change of a mark writes
    them all back rather than a file of that change alone."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1), make(2), make(3)])
        store.set_state(["Wire-1"], read=True)
        store.set_state(["Wire-2", "Wire-3"], starred=True)
    damaged = (tmp_path / "state.json").read_bytes()[:-3]  # into the last article's marks
    (tmp_path / "state.json").write_bytes(damaged)
    with Store(tmp_path, writer=True) as again:
        assert again.query_ids(parse_query("is:starred")) == ["Wire-3", "Wire-2"]
        assert again.query_ids(parse_query("is:unread")) == ["Wire-3", "Wire-2"]
        (problem,) = [p for p in again.problems if "state.json" in p]
        assert "the 3 marks that read are kept" in problem
        (kept,) = tmp_path.glob("state.json.damaged-*")
        assert kept.name in problem and kept.read_bytes() == damaged
        again.set_state(["Wire-1"], starred=True)
        assert len([p for p in again.problems if "state.json" in p]) == 1  # said once
    with Store(tmp_path) as reopened:
        assert reopened.query_ids(parse_query("is:starred")) == ["Wire-3", "Wire-2", "Wire-1"]
        assert not [p for p in reopened.problems if "state.json" in p]


def _wordy(n: int, start: datetime) -> Article:
    """An article with a long summary, an author and a guid, as feeds give them."""
    return Article(
        id=f"wordy-{n}",
        source=f"S{n % 7}",
        title=f"Title {n}",
        link=f"https://example.com/news/{n}",
        published=start + timedelta(seconds=n),
        fetched=start + timedelta(hours=n // 500),
        summary=f"Summary {n}: " + "negotiators met again over the tariff schedule. " * 6,
        tags=["markets"],
        author=f"Reporter {n % 13}",
        guid=f"urn:wordy:{n}",
    )


def test_tinydb_a_viewer_leaves_summaries_on_disk_and_still_shows_them(tmp_path: Path) -> None:
    """A viewer keeps no summary, link, author or guid in memory (what lets a dashboard hold
    a million articles), yet every way of reading an article gives them whole: one article,
    many, a query's articles, and a phrase found only in a summary."""
    start = datetime(2025, 10, 1, tzinfo=UTC)
    articles = [_wordy(n, start) for n in range(2000)]
    articles.append(
        dataclasses.replace(
            _wordy(2000, start), summary="The ministers met in Gyeongju for the summit."
        )
    )
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(articles)
    for name in ("search.sqlite", "search.sqlite-wal", "search.sqlite-shm"):
        (tmp_path / name).unlink(missing_ok=True)  # every word is checked by reading
    viewer, held = viewer_and_bytes(tmp_path)
    with viewer:
        # about 950 bytes an article when it holds them (each summary is over 300 characters)
        assert held / len(viewer) < 500
        by_id = {a.id: a for a in articles}
        shown = viewer.get("wordy-7")
        assert shown is not None
        assert (shown.summary, shown.link, shown.author, shown.guid) == (
            by_id["wordy-7"].summary,
            "https://example.com/news/7",
            "Reporter 7",
            "urn:wordy:7",
        )
        record = viewer.record("wordy-1500")
        assert record is not None and record.summary == by_id["wordy-1500"].summary
        ids = viewer.query_ids()
        assert [a.summary for a in viewer.iter_articles(ids)] == [by_id[i].summary for i in ids]
        assert [r.guid for r in viewer.records(ids[::-1])] == [by_id[i].guid for i in ids[::-1]]
        assert viewer.query_ids(parse_query('"met in gyeongju"')) == ["wordy-2000"]
        assert [a.author for a in viewer.query(parse_query("summit"), limit=1)] == ["Reporter 11"]


def test_tinydb_a_viewer_rereading_a_changed_shard_keeps_its_row_cache_whole(
    tmp_path: Path,
) -> None:
    """A viewer that reads a changed shard from its documents (its row cache gone) writes
    the row cache from them, not from its thin records: the next viewer still reads every
    summary and link."""
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(1), make(2)])
        with Store(tmp_path) as viewer:
            writer.add_batch([make(3)])
            for rows in tmp_path.glob("rows-*.json"):
                rows.unlink()
            assert viewer.reload() == ["Wire-3"]
            assert [a.summary for a in viewer.query()] == ["Summary 3", "Summary 2", "Summary 1"]
    with Store(tmp_path) as again:
        assert [(a.summary, a.link) for a in again.query()] == [
            (f"Summary {n}", f"https://example.org/Wire/{n}") for n in (3, 2, 1)
        ]


def test_tinydb_a_viewer_reads_one_article_without_a_stat_of_its_shard_until_it_reloads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer reading one article at a time (a dashboard's keys) checks what it read back
    against the shard as it last read it, not the file's stat each time; a shard the writer
    changed shows its new headline once the viewer reloads it."""
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(n) for n in range(20)])
        with Store(tmp_path) as viewer:
            stats: list[str] = []
            real_stat = os.stat

            def counted(path, *args, **kwargs):  # type: ignore[no-untyped-def]
                if Path(path).name.startswith("articles-"):
                    stats.append(str(path))
                return real_stat(path, *args, **kwargs)

            monkeypatch.setattr(os, "stat", counted)
            shown = [viewer.get(f"Wire-{n}") for n in range(20)]
            assert [a.summary for a in shown if a is not None] == [
                f"Summary {n}" for n in range(20)
            ]
            assert viewer.record("Wire-3") is not None and viewer.text("Wire-3") is None
            assert stats == []
            revised = make(3)
            revised.title = "Headline 3 about tariffs, revised"
            writer.add_batch([revised])
            assert viewer.reload() == []
            again = viewer.get("Wire-3")
            assert again is not None and again.title == "Headline 3 about tariffs, revised"


def test_tinydb_a_viewer_that_becomes_the_writer_checks_revisions_against_whole_articles(
    tmp_path: Path,
) -> None:
    """A viewer taking over from a writer that exited has every field back: the same article
    polled again is no revision, a changed summary is one, and links are known."""
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(1), make(2)])
    with Store(tmp_path) as viewer:
        viewer.take_over()
        assert viewer.add_batch([make(1)]) == []
        assert viewer.revisions("Wire-1") == []
        changed = dataclasses.replace(make(2), summary="Summary 2, revised")
        viewer.add_batch([changed])
        assert [r["summary"] for r in viewer.revisions("Wire-2")] == ["Summary 2"]
        assert viewer.knows(dataclasses.replace(make(1), id="elsewhere"))
        assert viewer.get("Wire-1").summary == "Summary 1"  # type: ignore[union-attr]


def test_a_writers_article_is_read_without_waiting_for_its_write(tmp_path: Path) -> None:
    """The dashboard that polls reads the highlighted article on the screen's thread (a
    key, the mark-read timer): it must not wait while a cycle's write holds the store."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, "Wire")])
        (ident,) = store.query_ids()
        holding, release = threading.Event(), threading.Event()

        def write() -> None:
            with store.lock:
                holding.set()
                release.wait(10)

        writer = threading.Thread(target=write)
        writer.start()
        holding.wait(5)
        found: list[Record | None] = []
        reader = threading.Thread(target=lambda: found.append(store.record(ident)))
        reader.start()
        reader.join(5)
        done_while_held = not reader.is_alive()
        release.set()
        writer.join()
        reader.join()
        assert done_while_held and found[0] is not None and found[0].id == ident


def viewer_and_bytes(folder: Path) -> tuple[Store, int]:
    """A viewer of `folder` and the bytes it allocated to open it."""
    tracemalloc.start()
    try:
        viewer = Store(folder)
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return viewer, held


def test_a_shard_document_whose_id_is_not_a_string_is_left_out_of_a_viewers_read_back(
    tmp_path: Path,
) -> None:
    """A hand-edited shard with a list for an id: a viewer reading words back from the
    shard's documents leaves that document out instead of failing on it."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, "Wire"), make(2, "Wire")])
        (key,) = store.shard_keys()
    path = tmp_path / Store.shard_path(store, key).name
    data = json.loads(path.read_text())
    table = data["articles"]
    (first, *_) = table
    table[first]["id"] = ["not", "an", "id"]
    path.write_text(json.dumps(data))
    with Store(tmp_path) as viewer:
        found = viewer._documents_by_id(key)
    assert ["not", "an", "id"] not in [d["id"] for d in found.values()]
    assert len(found) == 1


def test_a_phrase_is_found_wherever_a_long_text_says_it(open_store: StoreOpener) -> None:
    """A phrase late in a long text (past the places a words index keeps exactly), after a
    word said hundreds of times, a text revised to say it, an article revised while its text
    says it: each is found, and one whose words stand apart is not."""
    base = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    texts = {
        "late": "trade " + "x " * 17_000 + "The trade minister spoke.",
        "often": "minister " * 300 + "The trade minister spoke.",
        "apart": "The minister spoke on trade. " * 3,
        "revised": "Nothing yet.",
        "retitled": "trade " + "y " * 17_000 + "the trade minister.",
    }
    batch = [
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
    with open_store(writer=True) as store:
        store.add_batch(batch)
        store.set_texts([("revised", "trade " + "z " * 17_000 + "A trade minister.")])
        store.add_batch([dataclasses.replace(batch[-1], title="Story retitled again")])
    with open_store() as viewer:
        for limit in (None, 2):
            found = viewer.query_ids(parse_query('"trade minister"', datetime.now(UTC)), limit)
            assert found == ["retitled", "revised", "often", "late"][:limit]


@pytest.mark.parametrize(
    "revisions",
    [5, {"seen": "2025-10-24T07:00:00Z", "title": "Earlier", "summary": ""}, ["odd", 3]],
)
def test_a_row_written_by_hand_with_a_null_tag_or_odd_revisions_reads(
    open_store: StoreOpener, revisions: object, capsys: pytest.CaptureFixture[str]
) -> None:
    """A null among an article's tags, revisions that are a number, one object or a list of
    things that are no revision: the article still lists, shows and is found by its tags;
    what could not be read is left out, and a PostgreSQL store says so once."""
    with open_store(writer=True) as store:
        store.add_batch([make(1, text="Full text."), make(2)])
    open_store.write_by_hand("Wire-1", ["korea", None], revisions)
    with open_store() as viewer:
        record = viewer.record("Wire-1")
        assert record is not None and record.tags == ("korea",)
        assert viewer.query_ids(parse_query("tag:korea", datetime.now(UTC))) == [
            "Wire-2",
            "Wire-1",
        ]
        kept = viewer.revisions("Wire-1")
        assert kept == ([revisions] if isinstance(revisions, dict) else [])
        assert [a.id for a in viewer.iter_articles(["Wire-1", "Wire-2"])] == ["Wire-1", "Wire-2"]
        if open_store.backend == "postgresql":
            assert viewer.text_revisions("Wire-1") == kept  # type: ignore[attr-defined]
            said = " ".join(viewer.problems)
            assert "Wire-1" in said and "tags hold a NULL" in said and "revisions" in said
    with open_store(writer=True) as writer:  # its source changes it: what could be read stays
        writer.add_batch([dataclasses.replace(make(1), title="Headline 1, revised")])
        writer.set_texts([("Wire-1", "Another full text.")])
        after = writer.revisions("Wire-1")
        assert [r["title"] for r in after] == [r["title"] for r in kept] + [make(1).title]
        assert writer.text("Wire-1") == "Another full text."


@pytest.mark.parametrize("tags", [["korea", {"a": 1}], 5, {"a": 1}])
def test_tinydb_tags_written_by_hand_as_objects_or_a_number_read_as_the_names_among_them(
    tmp_path: Path, tags: object
) -> None:
    """An object among the tags (or one for the list, or a number) leaves out what is no
    name; the article and the rest of its day still read (an unhashable one had moved the
    whole shard aside)."""
    from tests.conftest import StoreOpener

    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1), make(2)])
    StoreOpener("tinydb", tmp_path, None).write_by_hand("Wire-1", tags, [])
    with Store(tmp_path) as viewer:
        record = viewer.record("Wire-1")
        assert record is not None
        assert record.tags == (("korea",) if isinstance(tags, list) else ())
        assert sorted(a.id for a in viewer.query()) == ["Wire-1", "Wire-2"]
        assert not viewer.problems


def _quoting(n: int, day: datetime) -> Article:
    """An article whose summary quotes someone with typographic quotes, as most news does
    (a string that is not ASCII)."""
    article = make(n, fetched=day)
    article.summary = f"Summary {n}: “the talks went on late,” a negotiator said. " * 10
    return article


def _held_writing_a_full_shard(store: Store, made_words: bool) -> tuple[int, int, int]:
    """What a lean writer holds after writing a full shard of articles quoting someone
    (their words for the search index made beforehand, as the parser process makes them,
    when `made_words`), the search index taking nothing in meanwhile; the size of their
    titles and summaries; and how many articles' made words are then held."""
    from fetchers.indexedtext import indexed_words
    from fetchers.store import shards
    from fetchers.store.codec import stage

    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        articles = [_quoting(n, day) for n in range(shards.SHARD_ARTICLES)]
        words = sum(sys.getsizeof(a.summary) + sys.getsizeof(a.title) for a in articles)
        made = [indexed_words(a.title, a.summary, None) for a in articles] if made_words else []
        staged = stage(articles, made)
        del articles, made
        with store.lock:
            store.add_staged(staged)
            del staged
            held = tracemalloc.get_traced_memory()[0] - before
            waiting = len(store._made_words)
    finally:
        tracemalloc.stop()
    return held, words, waiting


def test_a_lean_writer_holds_a_full_shards_words_once_after_writing_it(tmp_path: Path) -> None:
    """What a lean writer (a `refresh`) still holds after writing a full shard: its records,
    and each article's words kept for the cycle's hooks once, without the UTF-8 copy that
    writing a string leaves on it, and without the shard's parsed documents (it is written
    again only for a full text or a revision, which read it back)."""
    from fetchers.store import shards

    with Store(tmp_path, writer=True, lean=True) as store:
        held, words, _ = _held_writing_a_full_shard(store, made_words=False)
        assert store._lean_words.fresh == shards.SHARD_ARTICLES  # the words are kept
        # about 1.5x the words (the records, the indexes); 2.7x with the UTF-8 copies and
        # the shard's documents
        assert held < 1.8 * words
        assert store.records(["Wire-5"])[0].summary.startswith("Summary 5: “the talks")


def test_a_lean_writer_lets_the_written_words_go_before_the_search_index_takes_them(
    tmp_path: Path,
) -> None:
    """Articles parsed in the parser process arrive with their words for the search index
    made. Until the index takes those in, the writer holds them, and after writing a full
    shard it holds each article's title and summary once: the copies without UTF-8 that
    the hooks read, not the strings written as well (each with the UTF-8 copy writing left
    on it), which a `refresh` held through its whole story grouping."""
    from fetchers.store import shards

    with Store(tmp_path, writer=True, lean=True) as store:
        held, words, waiting = _held_writing_a_full_shard(store, made_words=True)
        assert waiting == shards.SHARD_ARTICLES  # none taken in yet
        # about 2.3x the words (the records, the indexes, the index's words); 3.7x with the
        # strings written held too
        assert held < 2.8 * words
    with Store(tmp_path) as viewer:
        assert len(viewer.query(parse_query("negotiator"))) == shards.SHARD_ARTICLES


def test_a_shards_row_cache_is_written_without_holding_a_buffer_a_row(tmp_path: Path) -> None:
    """Writing a shard's row cache holds about the file's bytes, not a buffer for each row
    besides (orjson gives each row it writes 4 KB or more, however short it is)."""
    from fetchers.store import shards

    day = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([_wordy(n, day) for n in range(shards.SHARD_ARTICLES)])
        records = store.records(store.query_ids())
        key = records[0].shard
        signature = store.shard_version(key)
    assert signature is not None
    tracemalloc.start()
    try:
        before, _ = tracemalloc.get_traced_memory()
        shards.write_rows(tmp_path, key, signature, records)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = shards.rows_path(tmp_path, key).stat().st_size
    # the file's bytes and orjson's buffers of the header and of ROWS_JOINED rows (with a
    # buffer a row held at once: 4.5 MB more)
    assert peak - before < size + 512 * 1024
    assert shards.read_rows(tmp_path, key, signature) is not None


@pytest.mark.parametrize(
    ("lean", "shard_articles"),
    [(False, 3), (True, 3), (True, 1000)],
    ids=["whole", "lean", "lean-not-full"],
)
def test_retention_keeps_a_starred_articles_earlier_headlines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lean: bool, shard_articles: int
) -> None:
    """A starred article outlives its day: its earlier headlines and when it was rewritten go
    with it, for the writer and for a viewer after, whichever writer and however full the
    day's file (an edited headline is never lost)."""
    from fetchers.store import shards

    monkeypatch.setattr(shards, "SHARD_ARTICLES", shard_articles)
    old = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    new = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    with Store(tmp_path, writer=True, lean=lean) as store:
        store.add_batch([make(n, fetched=old) for n in range(3)])
        store.add_batch([dataclasses.replace(make(0, fetched=old), title="Headline 0, corrected")])
        store.set_state(["Wire-0"], starred=True)
        store.add_batch([make(9, source="New", fetched=new)])
        assert store.apply_retention(30, new) == 2
        kept = store.records(["Wire-0"])[0]
        assert kept.title == "Headline 0, corrected" and kept.revised is not None
        assert [r["title"] for r in store.revisions("Wire-0")] == ["Headline 0 about tariffs"]
    with Store(tmp_path) as viewer:
        assert [r["title"] for r in viewer.revisions("Wire-0")] == ["Headline 0 about tariffs"]
        again = viewer.records(["Wire-0"])[0]
        assert again.title == "Headline 0, corrected" and again.revised is not None


def test_tinydb_a_state_file_that_cannot_be_read_drops_no_kept_article(tmp_path: Path) -> None:
    """Kept for their stars, two old articles stay when state.json is gone or unreadable at
    the next retention: only a star taken off (the mark says so) lets one go."""
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=old), make(2, fetched=old), make(3, fetched=new)])
        store.set_state(["Wire-1", "Wire-2"], starred=True)
        assert store.apply_retention(30, new) == 0
    (tmp_path / "state.json").unlink()
    with Store(tmp_path, writer=True) as store:
        assert store.apply_retention(30, new + timedelta(days=1)) == 0
        assert sorted(a.id for a in store.query()) == ["Wire-1", "Wire-2", "Wire-3"]


def test_tinydb_a_viewer_drops_what_retention_took_out_of_the_kept_articles(
    tmp_path: Path,
) -> None:
    old = datetime(2025, 9, 1, 12, tzinfo=UTC)
    new = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(1, fetched=old), make(2, fetched=old), make(3, fetched=new)])
        writer.set_state(["Wire-1", "Wire-2"], starred=True)
        writer.apply_retention(30, new)
        with Store(tmp_path) as viewer:
            assert sorted(a.id for a in viewer.query()) == ["Wire-1", "Wire-2", "Wire-3"]
            writer.set_state(["Wire-1"], starred=False)
            assert writer.apply_retention(30, new + timedelta(days=1)) == 1
            assert viewer.reload() == []
            assert viewer.gone_at_reload() == 1
            assert sorted(a.id for a in viewer.query()) == ["Wire-2", "Wire-3"]


def test_a_revision_moves_the_link_unless_another_article_of_the_source_has_it(
    open_store: StoreOpener,
) -> None:
    with open_store(writer=True) as store:
        store.add_batch([make(1), make(2)])
        taken = make(1, fetched=make(1).fetched + timedelta(minutes=5))  # type: ignore[operator]
        taken.title, taken.link = "Headline 1, corrected", make(2).link
        store.add_batch([taken])
        (one,) = store.records(["Wire-1"])
        assert (one.title, one.link) == ("Headline 1, corrected", make(1).link)  # its own
        moved = make(1, fetched=make(1).fetched + timedelta(minutes=9))  # type: ignore[operator]
        moved.title, moved.link = "Headline 1, moved", "https://example.org/Wire/1-moved"
        store.add_batch([moved])
        one, two = store.records(["Wire-1", "Wire-2"])
        assert (one.title, one.link) == ("Headline 1, moved", "https://example.org/Wire/1-moved")
        assert two.link == make(2).link
    with open_store() as again:
        (one,) = again.records(["Wire-1"])
        assert one.link == "https://example.org/Wire/1-moved"


def test_a_writer_opening_leaves_another_processs_write_under_way(tmp_path: Path) -> None:
    """A writer starting removes what killed processes left (their temp files), not the
    temp state.json a live viewer has written and is about to rename: 4,793 of 18,150 mark
    changes beside writers starting failed, and their marks were lost."""
    from fetchers.atomic import STALE_TEMP_SECONDS, remove_stale_temps

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    dead = int(gone.stdout)
    live = tmp_path / f".state.json.{os.getpid()}.abcd1234.tmp"
    killed = tmp_path / f".state.json.{dead}.abcd1234.tmp"
    unnamed = tmp_path / ".articles-2025-10-24.json.abcd1234.tmp"  # as written before
    long_ago = tmp_path / f".events.json.{os.getpid()}.efgh5678.tmp"
    for path in (live, killed, unnamed, long_ago):
        path.write_bytes(b"{}")
    past = time.time() - STALE_TEMP_SECONDS - 60
    os.utime(long_ago, (past, past))
    assert remove_stale_temps(tmp_path) == 3
    assert sorted(p.name for p in tmp_path.glob(".*.tmp")) == [live.name]
    Store(tmp_path, writer=True).close()  # and so when a writer opens
    assert live.exists()


@pytest.mark.parametrize(
    ("field", "value", "read"),
    [
        ("link", ["x"], None),
        ("title", 12345, ""),
        ("summary", {"a": 1}, ""),
        ("guid", {"a": 1}, None),
        ("source", 5, ""),
        ("lang", 7, None),
        ("author", ["a"], None),
        ("published", 1764583200, None),
        ("tags", "abc", ("abc",)),
        ("text_ref", "abc", None),
    ],
)
def test_tinydb_a_field_of_another_type_reads_as_empty_and_the_day_is_kept(
    tmp_path: Path, field: str, value: object, read: object
) -> None:
    """A shard edited by hand, one field of one article of another type (a link that is a
    list stopped every writer at its start; a title of 5 was a traceback in every command
    that showed it; then the whole day was set aside for it, every other article of the day
    with it): the field reads as empty, as a feed's field that cannot be read does, and the
    day's articles are all kept, and written to."""
    day = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=day), make(2, fetched=day), make(3, fetched=day)])
    shard = tmp_path / "articles-2025-10-24.json"
    data = json.loads(shard.read_text())
    data["articles"]["1"][field] = value
    shard.write_text(json.dumps(data))
    for row_cache in tmp_path.glob("rows-*"):
        row_cache.unlink()
    for writer in (False, True):
        with Store(tmp_path, writer=writer) as store:
            assert sorted(store.query_ids()) == ["Wire-1", "Wire-2", "Wire-3"]
            assert not store.problems
            (first,) = store.records(["Wire-1"])
            assert getattr(first, field) == read
            assert store.get("Wire-2") is not None and store.get("Wire-2").title
            if writer:
                assert store.add_batch([make(4, fetched=day)]) == ["Wire-4"]
                store.set_state(["Wire-1"], read=True)
    assert sorted(p.name for p in tmp_path.glob("*corrupt*")) == []


def test_tinydb_a_document_whose_id_is_not_text_is_left_out_and_named_and_the_day_kept(
    tmp_path: Path,
) -> None:
    """A document whose id is a number (no article can be told apart by it) is left out,
    and said to be; the day's other articles are read, written to, and the shard is not set
    aside. One whose id is a list or an object (every write's test of ids failed on it, a
    traceback) sets the shard aside, named."""
    day = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=day), make(2, fetched=day)])
    shard = tmp_path / "articles-2025-10-24.json"
    data = json.loads(shard.read_text())
    data["articles"]["1"]["id"] = 17
    shard.write_text(json.dumps(data))
    for row_cache in tmp_path.glob("rows-*"):
        row_cache.unlink()
    with Store(tmp_path, writer=True) as store:
        assert store.query_ids() == ["Wire-2"]
        assert any("1 article(s) whose id is not text are left out" in p for p in store.problems)
        assert store.add_batch([make(3, fetched=day)]) == ["Wire-3"]
        store.set_text("Wire-2", "A full text.")
        assert store.rename_sources({"Wire": "Wire 2"})
    assert not list(tmp_path.glob("*corrupt*"))
    data = json.loads(shard.read_text())
    next(d for d in data["articles"].values() if d["id"] == "Wire-2")["id"] = ["x"]
    shard.write_text(json.dumps(data))
    for row_cache in tmp_path.glob("rows-*"):
        row_cache.unlink()
    with Store(tmp_path, writer=True) as store:
        assert any("articles-2025-10-24.json cannot be read" in p for p in store.problems)
        assert store.add_batch([make(4, fetched=day)]) == ["Wire-4"]


@pytest.mark.parametrize("emptied", [b"", b"{}", b"  \n"])
def test_tinydb_a_shard_emptied_is_one_that_cannot_be_read(tmp_path: Path, emptied: bytes) -> None:
    """A shard of zero bytes (or an empty object) read as a day of no articles, silently:
    its feeds' items were then taken for ones retention had dropped, and never came back.
    It is said and set aside as a torn one is."""
    day = datetime(2025, 10, 24, 12, tzinfo=UTC)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1, fetched=day), make(2, fetched=day + timedelta(days=1))])
    (tmp_path / "articles-2025-10-24.json").write_bytes(emptied)
    for row_cache in tmp_path.glob("rows-*"):
        row_cache.unlink()
    with Store(tmp_path, writer=True) as store:
        assert store.query_ids() == ["Wire-2"]
        assert any("articles-2025-10-24.json cannot be read" in p for p in store.problems)
        assert store.take_lost() == ["2025-10-24"]


def test_a_summary_parted_in_other_paragraphs_is_no_revision(open_store: StoreOpener) -> None:
    """A description whose source wraps its lines was read as a paragraph a line, and is
    read as one paragraph now: the same words, no revision (each article stored so would
    have been revised once, marked and its page fetched again, for nothing)."""
    before = make(1)
    before.summary = "Leaders said the quantum\n\ncomputing summit opens."
    after = make(1)
    after.summary = "Leaders said the quantum computing summit opens."
    reworded = make(1)
    reworded.summary = "Leaders said the summit opens on Friday."
    with open_store(writer=True) as store:
        store.add_batch([before])
        assert not store.revised(after)
        assert store.add_batch([after]) == []
        got = store.get("Wire-1")
        assert got is not None and got.revisions == []
        assert store.revised(reworded)


def test_a_link_moved_under_the_same_guid_is_taken_and_is_no_revision(
    open_store: StoreOpener,
) -> None:
    """The same item at another page (its guid, title and summary the same) was held as it
    was: its old link stayed, for `o`, `f` and `show`. The article takes the new link and
    lists no revision; once taken it is not moved again. A link another article of the
    source holds stays that one's, and is not tried again at every poll; a link that only
    loses its tracking parameters or changes its query, or an item that gives none, is no
    move."""
    with open_store(writer=True) as store:
        store.add_batch([make(1), make(2)])
        moved = make(1)
        moved.link = "https://example.org/Wire/1-updated"
        assert store.add_batch([moved]) == []
        got = store.get("Wire-1")
        assert got is not None and got.link == moved.link and got.revisions == []
        assert store.records(["Wire-1"])[0].revised is None
        assert not store.moved(moved) and not store.revised(moved)
        back = make(1)  # (and back to its first page, as a poller writes it)
        assert store.moved(back) and not store.revised(back)
        revised: set[str] = set()
        taken: set[str] = set()
        assert store.add_staged(stage([back]), revised, taken) == []
        assert (revised, taken) == (set(), {"Wire-1"})
        onto_another = make(1)
        onto_another.link = make(2).link
        assert not store.moved(onto_another)
        taken.clear()
        store.add_staged(stage([onto_another]), None, taken)
        assert not taken
        tracked = make(1)
        tracked.link = f"{make(1).link}?utm_source=rss"
        unlinked = make(1)
        unlinked.link = None
        assert not store.moved(tracked) and not store.moved(unlinked)
        # a token the feed writes anew at each fetch: the same page (taken as a move, the
        # article was written again, and its page fetched again, at every poll)
        for token in ("sid=8f2a", "sig=c0ffee&ts=1733563200"):
            signed = make(1)
            signed.link = f"{make(1).link}?{token}#top"
            assert not store.moved(signed)
    with open_store() as viewer:
        assert [a.link for a in viewer.records(["Wire-1", "Wire-2"])] == [
            make(1).link,
            make(2).link,
        ]


def test_a_headline_that_returns_to_its_first_wording_keeps_the_change_from_it(
    open_store: StoreOpener,
) -> None:
    """First wording, a rewrite, another, then the first again: the history was the two
    rewrites alone, so `d` and `show` said the outlet's first headline was the rewrite. The
    first wording is kept, at the time it was first seen; back to the latest rewrite, each
    step is kept, the return to the first wording among them (it was dropped, and `d`
    showed the change from the rewrite before it)."""
    hour = timedelta(hours=1)
    with open_store(writer=True) as store:
        store.add_batch([make(1)])
        for n, title in enumerate(["Talks stall", "Talks collapse", "Headline 1 about tariffs"]):
            again = make(1, fetched=make(1).fetched + (n + 1) * hour)
            again.title = title
            store.add_batch([again])
        history = [(r["seen"], r["title"]) for r in store.revisions("Wire-1")]
        assert history == [
            ("2025-10-24T07:01:00Z", "Headline 1 about tariffs"),
            ("2025-10-24T08:01:00Z", "Talks stall"),
            ("2025-10-24T09:01:00Z", "Talks collapse"),
        ]
        again = make(1, fetched=make(1).fetched + 4 * hour)
        again.title = "Talks collapse"
        store.add_batch([again])
        history = [(r["seen"], r["title"]) for r in store.revisions("Wire-1")]
        assert history == [
            ("2025-10-24T07:01:00Z", "Headline 1 about tariffs"),
            ("2025-10-24T08:01:00Z", "Talks stall"),
            ("2025-10-24T09:01:00Z", "Talks collapse"),
            ("2025-10-24T10:01:00Z", "Headline 1 about tariffs"),
        ]


def test_an_article_first_seen_with_earlier_versions_is_marked_revised(
    open_store: StoreOpener,
) -> None:
    """Versions of one guid in its first document are its revisions, but the article had no
    revised time: no `~` on its row, and `d` dated its latest change "at a time not
    recorded". It is revised as first seen."""
    first = make(1)
    first.revisions = [{"seen": "2025-10-24T06:00:00Z", "title": "Talks open", "summary": ""}]
    with open_store(writer=True) as store:
        store.add_batch([first, make(2)])
        revised = {r.id: r.revised for r in store.records(["Wire-1", "Wire-2"])}
    assert revised["Wire-1"] == make(1).fetched.timestamp()  # type: ignore[union-attr]
    assert revised["Wire-2"] is None
    with open_store() as reader:  # and as read back
        (again,) = reader.records(["Wire-1"])
        assert again.revised == revised["Wire-1"]


def test_an_article_of_long_summaries_keeps_its_newest_revisions_within_a_size(
    open_store: StoreOpener,
) -> None:
    """A feed of whole articles as summaries, edited at each poll: fifty revisions of 64 KiB
    each made a shard of twenty articles 67 MB, rewritten at every cycle. The oldest go once
    an article's revisions hold `REVISION_CHARS`; short ones still keep fifty."""
    from fetchers.models import MAX_REVISIONS, REVISION_CHARS

    hour = timedelta(hours=1)
    with open_store(writer=True) as store:
        store.add_batch([make(1), make(2)])
        for n in range(1, 12):
            long = make(1, fetched=make(1).fetched + n * hour)
            long.summary = f"Version {n}. " + "word " * 12_000
            short = make(2, fetched=make(2).fetched + n * hour)
            short.title = f"Headline 2, version {n}"
            store.add_batch([long, short])
        for n in range(12, MAX_REVISIONS + 5):
            short = make(2, fetched=make(2).fetched + n * hour)
            short.title = f"Headline 2, version {n}"
            store.add_batch([short])
        kept = store.revisions("Wire-1")
        size = sum(len(r["title"]) + len(r["summary"]) for r in kept)
        assert 1 < len(kept) < 10 and size <= REVISION_CHARS
        assert kept[-1]["summary"].startswith("Version 10.")  # the newest kept
        assert len(store.revisions("Wire-2")) == MAX_REVISIONS


@pytest.mark.parametrize("meta", [b"[1]", b'{"schema": null}', b'{"schema": "1"}', b"\x00\x01"])
def test_tinydb_a_meta_file_of_the_wrong_shape_is_written_anew(tmp_path: Path, meta: bytes) -> None:
    """meta.json edited by hand into another shape: the store opens and the writer writes it
    as it should be (every command was a traceback, and the dashboard waited for good)."""
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(1)])
    (tmp_path / "meta.json").write_bytes(meta)
    with Store(tmp_path) as viewer:
        assert viewer.query_ids() == ["Wire-1"]
    with Store(tmp_path, writer=True) as store:
        assert store.query_ids() == ["Wire-1"]
    assert json.loads((tmp_path / "meta.json").read_text())["schema"] >= 1


def test_tinydb_the_same_item_under_a_new_guid_is_known_among_many_of_its_link(
    tmp_path: Path,
) -> None:
    """A feed linking every item to one page, with a guid each, over days: the newest item
    under a new guid is the stored one however many share the link and in whatever order
    the days were loaded (a dashboard loads the newest first; looking among the last 64
    filed missed it, and it was stored again at every start)."""
    day = datetime(2025, 10, 20, 12, tzinfo=UTC)
    items = []
    for n in range(120):
        article = make(n, fetched=day + timedelta(days=n // 30))
        article.guid, article.link = f"g{n}", "https://example.org/home"
        items.append(article)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(items)
    again = make(119, fetched=day + timedelta(days=4))
    again.id, again.guid, again.link = "Wire-119-anew", "g119-anew", "https://example.org/home"
    with Store(tmp_path, writer=True, first=10) as store:
        store.load_rest()
        assert store.knows(again)
        assert store.add_batch([again]) == []


def test_tinydb_a_viewer_counts_the_headlines_the_writer_revised_since_its_last_look(
    tmp_path: Path,
) -> None:
    """A viewer's look after the writer revised a headline says so (its filtered list is run
    again: a row that no longer matched stayed, and the new words found nothing)."""
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(1), make(2)])
        with Store(tmp_path) as viewer:
            assert viewer.reload() == [] and viewer.revised_at_reload() == 0
            revised = make(1, fetched=make(1).fetched + timedelta(minutes=5))  # type: ignore[operator]
            revised.title = "Headline 1, rewritten"
            writer.add_batch([revised])
            assert viewer.reload() == [] and viewer.revised_at_reload() == 1
            assert viewer.rewritten_at_reload() == ["Wire-1"]  # its story is made again
            assert viewer.query_ids(parse_query("rewritten")) == ["Wire-1"]
            assert viewer.reload() == [] and viewer.revised_at_reload() == 0
            assert viewer.rewritten_at_reload() == []  # told once


def test_tinydb_a_viewer_sees_the_pulled_mark_the_writer_gave_and_took_off(
    tmp_path: Path,
) -> None:
    """A viewer's look after the writer marked an article pulled (its feed took it down)
    reads the mark, and draws its row again; so when the mark goes."""
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([make(1), make(2)])
        with Store(tmp_path) as viewer:
            assert viewer.reload() == [] and viewer.revised_at_reload() == 0
            assert writer.mark_pulled({"Wire-1": 1761300000.0}) == ["Wire-1"]
            assert viewer.reload() == [] and viewer.revised_at_reload() == 1
            assert viewer.record("Wire-1").pulled == 1761300000.0  # type: ignore[union-attr]
            assert viewer.record("Wire-2").pulled is None  # type: ignore[union-attr]
            assert writer.mark_pulled({"Wire-1": None}) == ["Wire-1"]
            assert viewer.reload() == [] and viewer.revised_at_reload() == 1
            assert viewer.record("Wire-1").pulled is None  # type: ignore[union-attr]


def _stamped(stamp: str) -> list[Article]:
    """A feed's one item as parsed on the day `stamp`: a guid and a campaign of that day."""
    body = (
        "<rss version='2.0'><channel><title>S</title><item><title>Talks stall</title>"
        f"<guid isPermaLink='false'>{stamp}-1</guid>"
        f"<link>http://x.test/talks?id=7&amp;utm_campaign={stamp}</link></item></channel></rss>"
    )
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    return to_articles(parse_feed(body.encode(), None, None), "Wire", [], fetched)


def test_an_item_given_a_new_guid_and_campaign_at_each_fetch_is_stored_once(
    open_store: StoreOpener,
) -> None:
    """A feed that gives its item a new guid and stamps its link with the day's campaign at
    each fetch was stored anew at each (the link compared as it came): the item is known by
    its link less its tracking parameters, and stored with that link."""
    with open_store(writer=True) as store:
        assert len(store.add_batch(_stamped("mon"))) == 1
        tuesday = _stamped("tue")
        assert store.knows(tuesday[0])
        assert store.add_batch(tuesday) == []
        (stored,) = store.records(store.query_ids())
        assert stored.link == "http://x.test/talks?id=7"


def test_an_article_stored_with_its_campaign_is_the_item_that_comes_without_it(
    tmp_path: Path,
) -> None:
    """A data dir written when links were stored with their tracking parameters: the same
    item under a new guid, its link now without them, is the stored article."""
    (item,) = _stamped("mon")
    item.link = "http://x.test/talks?id=7&utm_campaign=mon"
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([item])
    for lean in (False, True):  # a writer knows links from the start; a lean one reads them
        with Store(tmp_path / "data", writer=True, lean=lean) as store:
            tuesday = _stamped("tue")
            assert store.knows(tuesday[0])
            assert store.add_batch(tuesday) == []


def test_a_source_renamed_by_the_writer_is_found_under_its_new_name_by_a_viewer(
    open_store: StoreOpener,
) -> None:
    """The articles of a renamed source take its new name (`rename_sources`): in the writer's
    indexes, on disk for the next open, and in a viewer that reloads (its source index
    filed them under the old name for good)."""
    with open_store(writer=True) as writer:
        writer.add_batch([make(n, source="Yonhap") for n in range(3)] + [make(9, source="Wire")])
        with open_store() as viewer:
            assert len(viewer.query_ids(parse_query("source:Yonhap"))) == 3
            assert sorted(writer.rename_sources({"Yonhap": "Yonhap English"})) == sorted(
                f"Yonhap-{n}" for n in range(3)
            )
            assert writer.rename_sources({"Yonhap": "Yonhap English"}) == []  # done once
            for store in (writer, viewer):
                store.reload()
                assert store.query_ids(parse_query("source:Yonhap")) == []
                renamed = store.query_ids(parse_query('source:"yonhap english"'))
                assert len(renamed) == 3
                assert {r.source for r in store.records(renamed)} == {"Yonhap English"}
                assert store.sources_count() == {"Yonhap English": 3, "Wire": 1}
            if open_store.backend == "tinydb":  # (a database's viewer hears it as it can)
                assert viewer.revised_at_reload() == 3
                assert sorted(viewer.renamed_at_reload()) == [f"Yonhap-{n}" for n in range(3)]
                viewer.reload()
                assert viewer.renamed_at_reload() == []  # told once
    with open_store() as reopened:
        assert len(reopened.query_ids(parse_query('source:"Yonhap English"'))) == 3


def test_a_source_given_other_tags_in_the_config_gives_them_to_its_stored_articles(
    open_store: StoreOpener,
) -> None:
    """The config's tags of a source changed (korea -> asia, wire): its stored articles take
    them, keeping their items' own categories (trade), in the writer, a viewer that reloads
    and the next open; `tag:korea` found them for good, `tag:asia` never."""
    with open_store(writer=True) as writer:
        articles = [make(n, source="Yonhap") for n in range(3)] + [make(9, source="Wire")]
        articles[0].tags = ["korea", "trade"]
        writer.add_batch(articles)
        with open_store() as viewer:
            assert len(viewer.query_ids(parse_query("tag:korea"))) == 4
            changes = {"Yonhap": (("korea",), ("asia", "wire"))}
            assert sorted(writer.retag_sources(changes)) == [f"Yonhap-{n}" for n in range(3)]
            assert writer.retag_sources(changes) == []  # done once
            for store in (writer, viewer):
                store.reload()
                assert store.query_ids(parse_query("tag:korea")) == ["Wire-9"]
                assert len(store.query_ids(parse_query("tag:asia source:Yonhap"))) == 3
                assert store.query_ids(parse_query("tag:trade")) == ["Yonhap-0"]
                assert store.get("Yonhap-0").tags == ["asia", "wire", "trade"]  # type: ignore[union-attr]
                assert store.tags_count() == {"asia": 3, "wire": 3, "trade": 1, "korea": 1}
    with open_store() as reopened:
        assert len(reopened.query_ids(parse_query("tag:wire"))) == 3
        assert reopened.query_ids(parse_query("tag:korea")) == ["Wire-9"]


def test_unread_says_which_articles_are_not_read_asking_the_marks_alone(
    open_store: StoreOpener,
) -> None:
    """`n` and `A` ask which rows are unread: of the ids given, the stored ones not read,
    as another process left the marks."""
    with open_store(writer=True) as writer:
        writer.add_batch([make(n) for n in range(4)])
        with open_store() as viewer:
            viewer.set_state(["Wire-1", "Wire-2"], read=True)
            asked = ["Wire-0", "Wire-1", "Wire-2", "Wire-3", "gone"]
            assert viewer.unread(asked) == {"Wire-0", "Wire-3"}
            assert writer.unread(asked) == {"Wire-0", "Wire-3"}  # (marked in another process)
            assert writer.unread([]) == set()


def test_an_alert_recorded_as_fired_and_not_kept_fires_when_checked_again(
    open_store: StoreOpener,
) -> None:
    """PostgreSQL records each (rule, article) pair fired, once for every poller; one whose
    entry the history then refused (a dropped connection) was recorded all the same, and its
    alert never fired: the desk takes it back (`unfire`) before checking it again."""
    pair = ("config:Tariffs", "Wire-1")
    with open_store(writer=True) as store:
        assert store.fire_once([pair]) == {pair}
        if open_store.backend == "postgresql":  # (a data dir's one writer records none)
            assert store.fire_once([pair]) == set()
        store.unfire([pair])
        assert store.fire_once([pair]) == {pair}


def test_a_title_holding_the_phrase_ranks_above_one_holding_its_words_apart(
    open_store: StoreOpener,
) -> None:
    """`list --sort relevance '"tariff talks"'`: PostgreSQL put a title holding both words
    apart (the phrase in its summary) above one holding the phrase, which the data dir's
    index ranks first: a title holds a phrase as a phrase in both."""
    from fetchers.relevance import by_relevance

    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
    phrase = Article("p1", "Wire", "Trump meets Lee as tariff talks stall", None, when, when,
                     "The leaders met in Gyeongju.")  # fmt: skip
    apart = Article("p2", "Wire", "Tariff update: talks continue", None, when, when,
                    "More on the tariff talks today.")  # fmt: skip
    with open_store(writer=True) as store:
        store.add_batch([phrase, apart])
        query = parse_query('"tariff talks"')
        ids = store.query_ids(query)
        assert sorted(ids) == ["p1", "p2"]
        assert by_relevance(store, Path(store.location), ids, query.words)[0] == "p1"


def test_two_sources_that_swap_names_take_each_others_in_one_step(
    open_store: StoreOpener,
) -> None:
    """Two names swapped in the config: renamed one at a time, the second rename took the
    first one's articles too (every article under one name)."""
    with open_store(writer=True) as store:
        store.add_batch([make(1, source="A"), make(2, source="C"), make(3, source="Other")])
        assert sorted(store.rename_sources({"A": "C", "C": "A"})) == ["A-1", "C-2"]
        by_id = {r.id: r.source for r in store.records(store.query_ids())}
        assert by_id == {"A-1": "C", "C-2": "A", "Other-3": "Other"}
        assert store.query_ids(parse_query("source:A")) == ["C-2"]
        assert store.query_ids(parse_query("source:C")) == ["A-1"]


def test_source_and_tag_find_names_in_any_case_quote_or_form(open_store: StoreOpener) -> None:
    """A source or tag is found as the query language compares names (Turkish's "İ" an "i",
    a typographic apostrophe as the one typed, a full-width letter as its plain form), by
    every backend's index as by the query itself; renamed and retagged, and counted, under
    the same fold."""
    articles = [
        dataclasses.replace(make(1, source="İzmir Haber"), tags=["TÜRKİYE"]),
        dataclasses.replace(make(2, source="O\u2019Reilly Wire"), tags=["Bob\u2019s"]),
        dataclasses.replace(make(3, source="Straße Post"), tags=["\uff21\uff30\uff25\uff23"]),
        make(4),
    ]
    asked = {
        'source:"İZMİR HABER"': ["İzmir Haber-1"],
        'source:"izmir haber"': ["İzmir Haber-1"],
        'source:"o\'reilly wire"': ["O\u2019Reilly Wire-2"],
        'source:"STRASSE POST"': ["Straße Post-3"],
        "tag:türkiye": ["İzmir Haber-1"],
        'tag:"BOB\'S"': ["O\u2019Reilly Wire-2"],
        "tag:apec": ["Straße Post-3"],
        '-source:"İZMİR HABER" -tag:"bob\'s" -tag:APEC': ["Wire-4"],
    }
    with open_store(writer=True) as writer:
        writer.add_batch(articles)
        with open_store() as viewer:
            for store in (writer, viewer):
                for text, expected in asked.items():
                    query = parse_query(text, datetime.now(UTC))
                    assert store.query_ids(query) == expected, (store, text)
                    assert store.count(query) == len(expected), (store, text)
            assert writer.sources_count()["İzmir Haber"] == 1
            assert writer.tags_count()["Bob\u2019s"] == 1
            assert sorted(writer.rename_sources({"O\u2019Reilly Wire": "İSTANBUL WIRE"})) == [
                "O\u2019Reilly Wire-2"
            ]
            query = parse_query('source:"istanbul wire"', datetime.now(UTC))
            assert writer.query_ids(query) == ["O\u2019Reilly Wire-2"]
            assert writer.query_ids(parse_query('source:"o\'reilly wire"')) == []
    with open_store() as reopened:
        for text in ('source:"İSTANBUL WIRE"', 'source:"izmir haber"', 'tag:"bob\'s"'):
            assert len(reopened.query_ids(parse_query(text, datetime.now(UTC)))) == 1, text


def test_source_and_tag_find_names_written_with_dashes_as_typed_with_hyphens(
    open_store: StoreOpener,
) -> None:
    """A source named with an em dash, as one imported from an OPML file is, and a tag with
    a non-breaking hyphen are found by the hyphen a keyboard types, by every backend's
    index, reopened too."""
    articles = [
        dataclasses.replace(
            make(1, source="Frontier Review \u2014 Markets"), tags=["US\u2011China"]
        ),
        make(2, source="Frontier Review \u2013 Politics"),
        dataclasses.replace(make(3, source="Café Société"), tags=["Économie"]),
    ]
    asked = {
        'source:"Cafe Societe"': ["Café Société-3"],
        "tag:economie": ["Café Société-3"],
        "tag:ÉCONOMIE": ["Café Société-3"],
        'source:"Frontier Review - Markets"': ["Frontier Review \u2014 Markets-1"],
        'source:"frontier review \u2014 politics"': ["Frontier Review \u2013 Politics-2"],
        "tag:us-china": ["Frontier Review \u2014 Markets-1"],
        '-source:"Frontier Review - Markets"': [
            "Café Société-3",
            "Frontier Review \u2013 Politics-2",
        ],
    }
    with open_store(writer=True) as writer:
        writer.add_batch(articles)
    with open_store() as viewer:
        for text, expected in asked.items():
            query = parse_query(text, datetime.now(UTC))
            assert viewer.query_ids(query) == expected, text
            assert viewer.count(query) == len(expected), text


def test_a_sources_full_texts_are_its_own_not_those_of_a_name_folded_alike(
    open_store: StoreOpener,
) -> None:
    """ "Café" and "Cafe" fold alike for `source:` (the config says so at load): a source's
    pages to fetch were those of both, so a source with `full_text` fetched the other's
    pages, from another host, though that one had not asked for them."""
    with open_store(writer=True) as store:
        store.add_batch([make(1, source="Café"), make(2, source="Cafe")])
        assert [ident for ident, _ in store.wanting_text("Cafe", 20, set())] == ["Cafe-2"]
        assert [ident for ident, _ in store.wanting_text("Café", 20, set())] == ["Café-1"]


def test_a_shard_map_written_before_dashes_were_folded_still_finds_the_source(
    tmp_path: Path,
) -> None:
    """shards.json names each shard's sources as they were folded when it was written: one
    written before "—" was folded to "-" named "frontier review — markets", which no query
    asks for now, and a viewer reading only the shards that hold the source read none."""
    articles = [make(1, source="Frontier Review \u2014 Markets"), make(2, source="Wire")]
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch(articles)
    path = tmp_path / shardmap.FILE
    data = orjson.loads(path.read_bytes())
    names = data["names"]["source"]
    assert "frontier review - markets" in names
    names[names.index("frontier review - markets")] = "frontier review \u2014 markets"
    path.write_bytes(orjson.dumps(data))  # as the build before wrote it
    query = parse_query('source:"Frontier Review - Markets"', datetime.now(UTC))
    with Store(tmp_path, first=0) as viewer:  # (`list --limit 20`: the shards that hold it)
        assert viewer.newest(query, 20) == ["Frontier Review \u2014 Markets-1"]


class _FillingDisk:
    """An open file on a disk with `room["left"]` bytes free: a write past them writes what
    fits, then fails as a full disk does."""

    def __init__(self, handle: Any, room: dict[str, int]) -> None:
        self.handle, self.room = handle, room

    def write(self, data: bytes) -> int:
        fits = bytes(data[: max(0, self.room["left"])])
        self.room["left"] -= len(fits)
        self.handle.write(fits)
        if len(fits) < len(data):
            raise OSError(28, "No space left on device")
        return len(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.handle, name)

    def __enter__(self) -> _FillingDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()


def _text_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a text file, parsed (a torn one fails the test)."""
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def test_texts_a_full_disk_refused_leave_the_text_file_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full texts appended until the disk filled up stayed in the text file, the last one
    torn: each failed try ate the space it was short of. The file is cut back to what it
    held, no article is given a text of it, and the texts stored once there is room are
    the file's only new lines."""
    from fetchers.store import StoreWriteError, texts

    data = tmp_path / "data"
    room = {"left": 1 << 30}
    real_open = open

    def open_on_a_filling_disk(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return handle if mode in ("r", "rb") else _FillingDisk(handle, room)

    monkeypatch.setattr(texts, "open", open_on_a_filling_disk, raising=False)
    later = [(f"Wire-{n}", f"Text {n}. " + "The ministers met. " * 100) for n in (2, 3, 4)]
    with Store(data, writer=True) as store:
        store.add_batch([make(n) for n in range(1, 5)])
        store.set_texts([("Wire-1", "The first text.")])
        [path] = data.glob("text-*.jsonl")
        before = path.read_bytes()
        room["left"] = 3000  # the first of them fits, the second is torn
        for _ in range(3):
            with pytest.raises(StoreWriteError, match="No space left"):
                store.set_texts(later)
            assert path.read_bytes() == before
            assert [store.text(ident) for ident, _ in later] == [None, None, None]
        room["left"] = 1 << 30
        assert store.set_texts(later) == 3
    assert [line["id"] for line in _text_lines(path)] == ["Wire-1", "Wire-2", "Wire-3", "Wire-4"]
    with Store(data) as viewer:
        assert [viewer.text(ident) for ident, _ in later] == [text for _, text in later]


def test_texts_whose_article_could_not_be_written_are_taken_out_of_the_text_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The texts were appended, then the disk refused the shard that points at them (one
    attached to a stored article, or carried by a new one): they stayed in the text file,
    pointed at by nothing."""
    from fetchers import atomic
    from fetchers.store import StoreWriteError

    data = tmp_path / "data"
    real_write = atomic.atomic_write_bytes
    refuse = [False]

    def full_disk(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        if refuse[0]:
            raise OSError(28, "No space left on device")
        real_write(path, data, *more, mode=mode)

    monkeypatch.setattr(atomic, "atomic_write_bytes", full_disk)
    with Store(data, writer=True) as store:
        store.add_batch([make(1), make(2)])
        store.set_texts([("Wire-1", "The first text.")])
        [path] = data.glob("text-*.jsonl")
        before = path.read_bytes()
        refuse[0] = True
        with pytest.raises(StoreWriteError, match="No space left"):
            store.set_texts([("Wire-2", "The second text.")])
        assert path.read_bytes() == before and store.text("Wire-2") is None
        with pytest.raises(StoreWriteError, match="No space left"):  # a new one, and its text
            store.add_batch([make(3, text="The third text, in its feed.")])
        assert path.read_bytes() == before and store.text("Wire-3") is None
        refuse[0] = False
        # a new day's shard the disk refuses to make: the text carried is taken back too
        real_shard = store._get_shard

        def no_new_shard(key: str) -> Any:
            if key.startswith("2025-10-25"):
                raise OSError(28, "No space left on device")
            return real_shard(key)

        monkeypatch.setattr(store, "_get_shard", no_new_shard)
        next_day = datetime(2025, 10, 25, 7, 0, tzinfo=UTC)
        with pytest.raises(StoreWriteError, match="No space left"):
            store.add_batch([make(4, fetched=next_day, text="The fourth text, in its feed.")])
        assert store.text("Wire-4") is None
        assert not list(data.glob("text-2025-10-25*.jsonl")) or all(
            not p.read_bytes() for p in data.glob("text-2025-10-25*.jsonl")
        )
        store.set_texts([("Wire-2", "The second text.")])
    assert [line["id"] for line in _text_lines(path)] == ["Wire-1", "Wire-2"]
