"""A day file (articles-DAY.json) that goes missing or is damaged, between runs, in a copy of
the data dir or while a poller runs: the dir's files agree with each other afterwards, and
nothing a feed still carries is lost. Newsroom cycles in-process, against a real HTTP server
on 127.0.0.1."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fetchers.models import Source
from fetchers.newsroom import Cycle, Newsroom
from fetchers.store import Store, leanwords, shards
from tests.conftest import FeedServer, Route, config_for, rss


def items(*numbers: int, title: str = "Tariff talks, part") -> bytes:
    return rss(*(f"<title>{title} {n}</title><guid>g{n}</guid>" for n in numbers))


@asynccontextmanager
async def newsroom(
    data: Path, url: str, now: datetime, lean: bool = False
) -> AsyncIterator[Newsroom]:
    """A writer's newsroom over `data` polling the one feed at `url`, as `poll` runs it."""
    config = config_for(data.parent, Source("Wire", url=url))
    with Store(data, writer=True, lean=lean) as store:
        room = Newsroom(config, store, data, lambda: now)
        try:
            yield room
        finally:
            await room.aclose()


async def one_cycle(data: Path, url: str, now: datetime) -> Cycle:
    """A newsroom opened, one cycle, closed (a `refresh`)."""
    async with newsroom(data, url, now) as room:
        return await room.cycle()


def titles(data: Path) -> list[str]:
    """The titles a copy of the data dir lists, its row caches left out: what its day files
    hold (the row caches of the dir itself could say otherwise)."""
    copy = data.with_name(data.name + "-copy")
    shutil.rmtree(copy, ignore_errors=True)
    # (not the search index, derived: a writer's thread may be writing its journal)
    shutil.copytree(data, copy, ignore=shutil.ignore_patterns("search.sqlite*"))
    for cache in copy.glob("rows-*.json"):
        cache.unlink()
    (copy / "writer.lock").unlink(missing_ok=True)
    with Store(copy) as store:
        return sorted(a.title for a in store.query())


def day_file(data: Path) -> Path:
    (found,) = data.glob("articles-*.json")
    return found


def validated(feed_server: FeedServer) -> list[bool]:
    """For each request of the feed, whether it carried the validators of an earlier answer."""
    return ["If-None-Match" in hit for hit in feed_server.hits["/f.xml"]]


@pytest.mark.parametrize("with_its_row_cache", [False, True])
async def test_a_day_file_deleted_between_runs_is_asked_of_the_feeds_again(
    tmp_path: Path, now: datetime, feed_server: FeedServer, with_its_row_cache: bool
) -> None:
    """The day file deleted (its row cache too, or not), the next refresh said "not
    modified" and then "0 new" as the feed went on: what the feed listed was taken for
    retention's drops, and the day's articles never came back."""
    route = Route(items(1, 2, 3), etag='"v1"')
    url = feed_server.add("/f.xml", route)
    data = tmp_path / "data"
    await one_cycle(data, url, now)
    day_name = day_file(data).name
    day_file(data).unlink()
    if with_its_row_cache:
        for cache in data.glob("rows-*.json"):
            cache.unlink()
    later = now + timedelta(minutes=10)
    async with newsroom(data, url, later) as room:
        back = await room.cycle()
        problems = list(room.store.problems)
    assert validated(feed_server) == [False, False]  # asked for everything
    assert len(back.new_ids) == 3
    assert any(day_name in p and "is missing" in p for p in problems)
    assert titles(data) == [f"Tariff talks, part {n}" for n in (1, 2, 3)]
    route.body, route.etag = items(1, 2, 3, 4), '"v2"'
    assert len((await one_cycle(data, url, later + timedelta(minutes=10))).new_ids) == 1
    assert len(titles(data)) == 4


async def test_a_copy_that_took_the_day_file_before_the_health_brings_back_what_it_lacks(
    tmp_path: Path, now: datetime, feed_server: FeedServer
) -> None:
    """A backup taken while a poll wrote: the day file copied before the poll, the sources'
    health after it. The copy's validators said "not modified", and once the feed changed,
    what it had listed was taken for retention's drops: the two articles never came back."""
    route = Route(items(1, 2, 3), etag='"v1"')
    url = feed_server.add("/f.xml", route)
    data, backup = tmp_path / "data", tmp_path / "backup"
    await one_cycle(data, url, now)
    backup.mkdir()
    for early in [*data.glob("articles-*.json"), *data.glob("rows-*.json"), data / "meta.json"]:
        shutil.copy2(early, backup / early.name)
    route.body, route.etag = items(1, 2, 3, 4, 5), '"v2"'
    assert len((await one_cycle(data, url, now + timedelta(minutes=10))).new_ids) == 2
    for late in data.iterdir():
        if not (backup / late.name).exists() and late.name != "writer.lock":
            shutil.copy2(late, backup / late.name)
    restored = await one_cycle(backup, url, now + timedelta(minutes=20))
    assert validated(feed_server)[-1] is False  # asked for everything
    assert len(restored.new_ids) == 2
    assert titles(backup) == [f"Tariff talks, part {n}" for n in (1, 2, 3, 4, 5)]


@pytest.mark.parametrize("harm", ["truncated", "deleted"])
async def test_a_day_file_harmed_while_the_poller_runs_is_written_again_whole(
    tmp_path: Path, now: datetime, feed_server: FeedServer, harm: str
) -> None:
    """Truncated under a running poller, every cycle failed to store ("cannot write (unexpected
    end of data)") until a restart; deleted, the next write kept only the new articles in
    the file while the row cache, written from memory, listed every one (a copy of the dir
    lost them). The poller holds every article of the day: the file is written again."""
    route = Route(items(1, 2, 3), etag='"v1"')
    url = feed_server.add("/f.xml", route)
    data = tmp_path / "data"
    async with newsroom(data, url, now, lean=True) as room:
        assert len((await room.cycle()).new_ids) == 3
        day = day_file(data)
        if harm == "truncated":
            day.write_bytes(day.read_bytes()[:100])
        else:
            day.unlink()
        route.body, route.etag = items(1, 2, 3, 4), '"v2"'
        second = await room.cycle()
        problems = list(room.store.problems)
    (result,) = second.results
    assert result.status == "ok" and len(second.new_ids) == 1
    assert titles(data) == [f"Tariff talks, part {n}" for n in (1, 2, 3, 4)]
    if harm == "truncated":
        assert any("cannot be read" in p and "moved aside to" in p for p in problems)
        assert list(data.glob("articles-*.json.corrupt-*"))  # kept for a person to look at
    else:
        assert any("is missing" in p for p in problems)


async def test_a_full_day_file_lost_under_a_lean_poller_is_asked_of_the_feeds_at_once(
    tmp_path: Path, now: datetime, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lean poller keeps no words of a full day file's articles: with the file and its row
    cache gone, it cannot write the file again. The next write to it (a headline revised)
    wrote an empty file and the dir lost the day. Its articles are lost as an unreadable
    file's are: the cycle asks the feed again, for everything, and they are back."""
    monkeypatch.setattr(shards, "SHARD_ARTICLES", 3)
    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)  # (none kept past a write for the hooks)
    route = Route(items(1, 2, 3), etag='"v1"')
    url = feed_server.add("/f.xml", route)
    data = tmp_path / "data"
    async with newsroom(data, url, now, lean=True) as room:
        assert len((await room.cycle()).new_ids) == 3
        day_file(data).unlink()
        for cache in data.glob("rows-*.json"):
            cache.unlink()
        route.body = rss(
            "<title>Tariff talks, part 1 (updated)</title><guid>g1</guid>",
            *(f"<title>Tariff talks, part {n}</title><guid>g{n}</guid>" for n in (2, 3)),
        )
        route.etag = '"v2"'
        second = await room.cycle()
        held = sorted(a.title for a in room.store.query())
    assert validated(feed_server) == [False, True, False]  # asked again, for everything
    assert len(second.new_ids) == 3
    expected = ["Tariff talks, part 1 (updated)", "Tariff talks, part 2", "Tariff talks, part 3"]
    assert held == expected
    assert titles(data) == expected
