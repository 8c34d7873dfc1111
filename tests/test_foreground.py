"""Background work gives way while a person waits for a filter, a story or an article."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator
from pathlib import Path
from types import ModuleType

import pytest

from fetchers import foreground, stories, storybook, storyshelf
from fetchers.foreground import give_way, giving_way, waited_for
from fetchers.query import Record
from fetchers.store import Store
from fetchers.stories import Item, StoryIndex
from fetchers.story import Story, made_story
from fetchers.storybook import stories_of
from fetchers.storyshelf import StoryShelf
from tests.conftest import make

QUIET = 0.3  # seconds a paused thread is watched for a step it must not take


def _until(test: Callable[[], bool], within: float = 10.0) -> None:
    deadline = time.monotonic() + within
    while not test():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.005)


@pytest.fixture
def held() -> Iterator[threading.Event]:
    """Work a person waits for, running in a thread of its own until the event is set."""
    release, entered = threading.Event(), threading.Event()

    def wait() -> None:
        with waited_for():
            entered.set()
            release.wait(30)

    thread = threading.Thread(target=wait)
    thread.start()
    entered.wait(10)
    yield release
    release.set()
    thread.join()


def _gives_way_after_one_step(
    work: threading.Thread, done: Callable[[], int], step: int, held: threading.Event
) -> None:
    """Start `work`: it takes one step (`done()` reaches `step`), then waits while the held
    filter runs; once the filter is done, it finishes."""
    work.start()
    _until(lambda: done() >= step)
    time.sleep(QUIET)
    assert done() == step  # it gave way after its first step
    held.set()
    work.join(10)


def test_a_long_loop_in_the_background_pauses_while_a_person_waits(
    held: threading.Event,
) -> None:
    taken: list[int] = []
    loop = threading.Thread(target=lambda: taken.extend(giving_way(range(10), every=2)))
    _gives_way_after_one_step(loop, lambda: len(taken), 2, held)
    assert taken == list(range(10))


def test_work_a_person_waits_for_never_waits_for_itself() -> None:
    with waited_for():
        assert foreground.busy()
        assert give_way(longest=30) is False
        assert list(giving_way(range(5), every=1)) == list(range(5))
    assert not foreground.busy()
    assert give_way() is False  # nothing to wait for


def test_a_background_step_waits_no_longer_than_it_is_allowed(held: threading.Event) -> None:
    """A query stuck for good cannot starve the background: each step waits at most
    `longest`."""
    assert give_way(longest=0.05) is True


def test_the_story_shelf_gives_way_to_a_filter_typed_while_it_is_made(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: threading.Event
) -> None:
    """A million stories take seconds to read and shelve; a filter typed meanwhile shared
    the interpreter with it. Now the shelf reads no further chunk while one runs."""
    monkeypatch.setattr(storybook, "READ_CHUNK", 5)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([make(n) for n in range(40)])
        index = StoryIndex()
        index.members = {f"s{n}": [make(n).id] for n in range(40)}
        index.story_of = {make(n).id: f"s{n}" for n in range(40)}
        reads: list[int] = []
        headlines = store.headlines

        def counted(ids: list[str]) -> list[object]:
            reads.append(len(ids))
            return headlines(ids)  # type: ignore[return-value]

        monkeypatch.setattr(store, "headlines", counted)
        made: list[StoryShelf] = []
        shelving = threading.Thread(
            target=lambda: made.append(StoryShelf(stories_of(index, store)))
        )
        shelving.start()
        time.sleep(QUIET)
        assert reads == []  # waiting for the filter before its first chunk
        held.set()
        shelving.join(10)
    assert sum(reads) == 40 and len(reads) == 8
    assert len(made[0]) == 40


def _paired_stories(store: Store, count: int) -> StoryIndex:
    """An index of `count` stories of two stored articles each (two outlets)."""
    store.add_batch([make(n, source) for n in range(count) for source in ("Wire", "Desk")])
    index = StoryIndex()
    index.members = {f"s{n}": [make(n).id, make(n, "Desk").id] for n in range(count)}
    index.story_of = {i: sid for sid, ids in index.members.items() for i in ids}
    return index


def _counting_stories(monkeypatch: pytest.MonkeyPatch, module: ModuleType) -> list[str]:
    """The ids of the stories `module` makes from here on, in the order made."""
    made: list[str] = []

    def counted(sid: str, records: list[Record], backlog: Collection[str] = ()) -> Story:
        made.append(sid)
        return made_story(sid, records, backlog)

    monkeypatch.setattr(module, "made_story", counted)
    return made


def test_the_shelf_after_a_cycle_gives_way_to_a_filter_typed_while_it_is_mended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: threading.Event
) -> None:
    """A cycle of 10,000 articles touches thousands of stories, each made again from its
    headlines: half a second of the interpreter at 100,000 articles, right when a person
    turns back to the screen. The shelf makes a step of them, then waits for the filter."""
    monkeypatch.setattr(storyshelf, "STORY_STEP", 5)
    with Store(tmp_path, writer=True) as store:
        index = _paired_stories(store, 20)
        with waited_for():  # (this thread's own work never waits for the held filter)
            before = StoryShelf(stories_of(index, store))
        made = _counting_stories(monkeypatch, storyshelf)
        after: list[StoryShelf] = []
        mending = threading.Thread(
            target=lambda: after.append(before.restacked(set(index.members), index, store))
        )
        _gives_way_after_one_step(mending, lambda: len(made), 5, held)
        assert sorted(made) == sorted(index.members)
        assert after[0].stories == before.stories  # the same stories, made again


def test_the_stories_a_cycle_joined_are_made_a_step_at_a_time_for_the_alert_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: threading.Event
) -> None:
    """The alert check after a cycle makes the stories its articles joined (their spikes);
    a filter typed meanwhile goes first."""
    monkeypatch.setattr(storybook, "STORY_STEP", 5)
    with Store(tmp_path, writer=True) as store:
        index = _paired_stories(store, 20)
        book = storybook.StoryBook(tmp_path)
        book.index = index
        made = _counting_stories(monkeypatch, storybook)
        found: list[list[Story]] = []
        checking = threading.Thread(
            target=lambda: found.append(book.stories_with(store, list(index.story_of)))
        )
        _gives_way_after_one_step(checking, lambda: len(made), 5, held)
        assert {story.id for story in found[0]} == set(index.members)
        assert all(story.outlets == 2 for story in found[0])


def test_a_loop_ends_without_waiting_after_its_last_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only a step with more to come gives way: a short list (an alert check's few stories)
    never waits for a filter after its end."""
    waits: list[int] = []
    monkeypatch.setattr(foreground, "give_way", lambda: waits.append(1))
    assert list(giving_way(range(3), every=5)) == [0, 1, 2]
    assert waits == []
    assert list(giving_way(range(7), every=3)) == list(range(7))
    assert len(waits) == 2  # after the two whole steps, not after the last


def test_restored_articles_are_weighed_a_step_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A process's first cycle weighs the recent articles its stories were restored with
    (tens of thousands at a million articles: seconds of the interpreter); it looks for a
    filter typed meanwhile between steps, and groups the new article as before."""
    waits: list[int] = []
    monkeypatch.setattr(foreground, "give_way", lambda: waits.append(1))
    monkeypatch.setattr(stories, "WEIGH_STEP", 5)
    recent = [
        Item(f"r{n}", f"Tariff talks round {n} in Seoul", "Negotiators met again.", 1.7e9 + n)
        for n in range(23)
    ]
    index = StoryIndex()
    index.restore({"s0": [item.id for item in recent]}, lambda: recent)
    (story,) = index.add([Item("new", "Tariff talks round 24 in Seoul", "", 1.7e9 + 100)])
    assert story == "s0"
    assert len(waits) == 4  # after each whole step of five of the 23, not after the last


def test_the_saved_stories_are_read_a_few_lines_at_a_time_beside_a_filter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, held: threading.Event
) -> None:
    """A million articles' stories file is seconds of parsing in the thread that makes the
    shelf, right as a dashboard has loaded its store and a person types a filter. It reads
    a few lines, then waits while the filter runs; the stories come out as saved."""
    monkeypatch.setattr(storybook, "LINE_STORIES", 3)
    monkeypatch.setattr(storybook, "STORY_LINES", 2)
    members = {f"s{n}": [f"a{n}", f"b{n}"] for n in range(30)}  # ten lines of three
    book = storybook.StoryBook(tmp_path)
    book.path.write_bytes(b"".join(storybook._story_lines(members)))
    parsed: list[bytes] = []
    line_of = storybook._story_line

    def counted(line: bytes) -> object:
        parsed.append(line)
        return line_of(line)

    monkeypatch.setattr(storybook, "_story_line", counted)
    read: list[storybook.SavedStories | None] = []
    reading = threading.Thread(target=lambda: read.append(book._load_file()))
    _gives_way_after_one_step(reading, lambda: len(parsed), 2, held)
    assert len(parsed) == 10
    assert read[0] is not None and read[0].members == members


def test_stories_are_restored_a_step_at_a_time_beside_a_filter(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Taking a million saved stories back into an index (who is in which story) looks for
    a filter typed meanwhile between steps."""
    waits: list[int] = []
    monkeypatch.setattr(foreground, "give_way", lambda: waits.append(1))
    monkeypatch.setattr(stories, "RESTORE_STEP", 4)
    saved = {f"s{n}": [f"a{n}", f"b{n}"] for n in range(10)}
    index = StoryIndex()
    index.restore(saved, list)
    assert index.members == saved
    assert index.story_of == {i: sid for sid, ids in saved.items() for i in ids}
    assert len(waits) == 4  # two whole steps of four stories, for each of the two maps
