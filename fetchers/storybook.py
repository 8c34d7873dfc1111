"""The stories of one data dir: grouped by the writer after each poll cycle, kept in
`stories.json` (derived: rebuilt from the store when missing or unreadable, written with
`write_derived`), and read back as stories with their outlets and first report. A store
that keeps the stories itself (PostgreSQL: `saved_stories`, `save_stories`) holds them for
every host instead: one poller groups them (`takes_stories`), the stories that changed are
saved after each cycle, and readers take them as saved (`stored_stories`; a dashboard
viewer the newest of them, `saved_shelf`, and the store finds a filter's among all of them,
`stories_found`).

The file holds each story's article ids in the order they joined, so story ids and
membership survive restarts; articles the store no longer holds (retention) leave their
stories, and a story with none left is gone.
"""

from __future__ import annotations

import contextlib
import functools
import heapq
import json
import logging
import os
import statistics
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, filterfalse, islice, repeat
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import orjson

from fetchers.atomic import write_derived
from fetchers.foreground import give_way, giving_way
from fetchers.heap import collector_paused
from fetchers.models import seconds_iso
from fetchers.query import Query, Record
from fetchers.stepwise import set_stepwise, sorted_stepwise
from fetchers.store.errors import StoreError
from fetchers.store.interface import StoryKeeper
from fetchers.stories import WINDOW, Item, StoryIndex, terms

if TYPE_CHECKING:
    from fetchers.newsroom import Cycle
    from fetchers.store import ArticleStore

log = logging.getLogger("wirewatch.stories")
FILE = "stories.json"
# The newest stories as `wirewatch stories` prints them, kept by the writer beside the stories
# file it matches, so that a command asking for a page of them reads no article
NEWEST_FILE = "stories-newest.json"
NEWEST_FORMAT = 1
NEWEST_KEPT = 1000  # stories kept there (a list of them is asked for twenty or so)
REFUSED_SUFFIX = ".refused"  # a stories file refused, kept beside the rebuilt one
FORMAT = 2  # a header line, then lines of at most LINE_STORIES stories each (1: one object)
LINE_STORIES = 1000  # stories per line: each line is parsed in one call that holds the GIL
HEADER_BYTES = 64  # a longer first line is not a header (a first-format file is one line)
# A writer's dashboard groups a cycle's articles in a thread, which shares the interpreter
# with the screen: it works in slices of a few milliseconds and rests three times as long as
# each took, so a filter typed meanwhile keeps most of the interpreter. Stories come later.
SLICE_ARTICLES = 25
# articles read at a time when every stored one is looked at: a viewer's store reads them
# back from disk, and a million of them whole at once would take a gigabyte
READ_CHUNK = 20_000
STEP_IDS = 20_000  # ids looked up between two looks for a filter typed meanwhile
STEP_MOVED = 2_000  # headlines made, or stories kept, merged or listed, between two looks
STORY_LINES = 4  # lines of the stories file read between two looks (a line: about 1.5 ms)
STORY_STEP = 200  # stories made between two looks (each sorts its headlines and picks the
# one that shares most words: a step of a few milliseconds; a cycle touches thousands)
REST_FACTOR = 3.0


def first_time(record: Record) -> float:
    """When an article was first reported: its publication time, else when it was fetched."""
    if record.published is not None:
        return record.published
    return record.fetched or 0.0


def _item(record: Record) -> Item:
    return Item(record.id, record.title, record.summary, first_time(record))


@dataclass(slots=True)
class Story:
    """One story as `wirewatch stories` shows it."""

    id: str
    title: str
    articles: list[str]  # first reported first
    sources: list[str]  # distinct, in the order they reported it
    first_id: str
    first_source: str
    first_seen: float
    last_seen: float

    @property
    def outlets(self) -> int:
        return len(self.sources)

    def to_record(self) -> dict[str, Any]:
        """What a store that keeps the stories keeps of one (times as POSIX seconds)."""
        return {
            "title": self.title,
            "articles": list(self.articles),
            "sources": list(self.sources),
            "first_id": self.first_id,
            "first_source": self.first_source,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
        }

    @classmethod
    def from_record(cls, sid: str, record: dict[str, Any]) -> Story | None:
        """A story as a store kept it; None for a record that does not read as one."""
        try:
            story = cls(
                sid,
                str(record["title"]),
                [str(i) for i in record["articles"]],
                [str(s) for s in record["sources"]],
                str(record["first_id"]),
                str(record["first_source"]),
                float(record["first_seen"]),
                float(record["last_seen"]),
            )
        except (KeyError, TypeError, ValueError):
            return None
        return story if story.articles else None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `wirewatch stories --json`."""
        return {
            "id": self.id,
            "title": self.title,
            "articles": list(self.articles),
            "sources": list(self.sources),
            "outlets": self.outlets,
            "first_id": self.first_id,
            "first_source": self.first_source,
            "first_seen": seconds_iso(self.first_seen or None),  # 0: no time known
            "last_seen": seconds_iso(self.last_seen or None),
        }


class SavedStories(NamedTuple):
    """Stories as saved: story id -> its article ids, and (when the loader made it as it
    checked them) article id -> its story."""

    members: dict[str, list[str]]
    story_of: dict[str, str] | None


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(f"{key!r} is written twice")
        self.key = key


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object, refused when a key is written twice (the JSON parsers keep the last)."""
    out = dict(pairs)
    if len(out) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise _DuplicateKey(key)
            seen.add(key)
    return out


def _story_lines(members: dict[str, list[str]]) -> list[bytes]:
    """The stories file's lines, each ending in a newline: a header, then the stories
    `LINE_STORIES` to a line. Taken a line at a time: a list of a million stories made in
    one call held the interpreter (and a screen beside it) for most of a second, at every
    save; and written line by line, not joined (a million articles' file copied whole is
    one call that holds it a tenth of a second)."""
    stories = iter(members.items())
    lines = [orjson.dumps({"format": FORMAT}, option=orjson.OPT_APPEND_NEWLINE)]
    while line := dict(islice(stories, LINE_STORIES)):
        lines.append(orjson.dumps(line, option=orjson.OPT_APPEND_NEWLINE))
    return lines


def _listed_twice(ids: list[str]) -> str:
    """The first id `ids` list twice (there is one)."""
    seen: set[str] = set()
    for ident in ids:
        if ident in seen:
            return ident
        seen.add(ident)
    raise AssertionError("no id is listed twice")


def _story_line(line: bytes) -> Any:
    """One line of stories: parsed in C when it reads back as written (as wirewatch writes
    it, each story id once); any other line (spaced, edited by hand, a key written twice,
    which the C parser would take the last of) by the parser that refuses a key written
    twice."""
    try:
        fast = orjson.loads(line)
    except orjson.JSONDecodeError:
        fast = None
    if isinstance(fast, dict) and orjson.dumps(fast) == line:
        return fast
    return json.loads(line, object_pairs_hook=_unique_keys)


def _story_chunks(handle: BinaryIO) -> list[dict[str, Any]] | None:
    """The objects of stories in a stories file, each line read and parsed on its own (the
    file is never in memory whole: at a million articles, 30 MB, and as much again for each
    copy cut from it); None when the file is not one this version reads (a file of the
    first format is one object, read whole)."""
    header = handle.readline(HEADER_BYTES + 3)  # (a first-format file is one long line)
    if header.endswith(b"\n") and len(header.rstrip(b"\r\n")) <= HEADER_BYTES:
        try:
            head = json.loads(header)
        except ValueError:  # a first-format file written over several lines
            head = None
        if head == {"format": FORMAT}:
            # a filter typed meanwhile goes first: a million articles' file is seconds of work
            lines = (line.rstrip(b"\r\n") for line in handle)
            chunks = list(map(_story_line, giving_way(lines, STORY_LINES)))
            return chunks if all(isinstance(c, dict) for c in chunks) else None
    body = header + handle.read()  # the first format, or nothing
    data = json.loads(body, object_pairs_hook=_unique_keys)
    if not isinstance(data, dict) or data.get("format") != 1:
        return None
    stories = data.get("stories")
    return [stories] if isinstance(stories, dict) else None


class StoryBook:
    """Stories of a store: `update` (the writer, after a cycle) groups and saves; `read`
    (anyone) gives them as saved, brought up to date in memory with what the store holds."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE
        self.index: StoryIndex | None = None
        self.refused = False  # the file was refused: `save` sets it aside before writing
        self._lock = threading.Lock()  # one update at a time, whichever thread runs it
        # a store that keeps the stories: what it holds of each (its length and last
        # article: a story only gains articles at its end and loses them to retention), and
        # the last article stored that the grouping has seen
        self._kept: dict[str, tuple[int, str]] | None = None
        self._mark: str | None = None
        self._grouping = False  # this process groups the stories a store keeps for all
        self._unsaved = False  # a save to the store failed: the next cycle tries again
        # the last shelf made, and the stories changed since (None: not known, so the next
        # shelf is made whole): a cycle changes a few stories of a million
        self._shelved: StoryShelf | None = None
        self._touched: set[str] | None = None
        # the stories changed since the stories file was last read or written (None: not
        # known, so the newest are found among all of them at the next save)
        self._since_saved: set[str] | None = None
        # whether this process has made again every story of the page kept before it: a
        # headline rewritten in a cycle whose grouping never ran (a quit) is not noted
        self._page_checked = False

    # -- where the stories are kept ------------------------------------------------------------
    @staticmethod
    def _keeper(store: ArticleStore) -> StoryKeeper | None:
        """The store, when it keeps the stories itself; else None (the file keeps them)."""
        return store if isinstance(store, StoryKeeper) else None

    def saved(self, store: ArticleStore) -> bool:
        """Whether any stories were saved (in the store that keeps them, else the file)."""
        keeper = self._keeper(store)
        if keeper is None:
            return self.path.exists()
        return keeper.story_records(1) is not None

    def _load(self, store: ArticleStore, among: list[str] | None) -> SavedStories | None:
        """The saved stories (with `among`, those holding any of these articles when the
        store keeps them), or None when there are none to take."""
        keeper = self._keeper(store)
        if keeper is None:
            return self._load_file()
        saved: dict[str, list[str]] | None = keeper.saved_stories(among)
        if store.is_writer:
            self._kept = {s: (len(ids), ids[-1]) for s, ids in (saved or {}).items() if ids}
        return None if saved is None else SavedStories(saved, None)

    # -- the file ------------------------------------------------------------------------------
    def _load_file(self) -> SavedStories | None:
        """The saved stories, or None when the file is missing or not one this version wrote.
        A story id or an article id written twice is refused (logged, and the file set aside
        before the writer replaces it): taking one of the two would drop the other's
        articles from their story without a word. The stories are parsed a line at a time:
        one parse of a million articles' stories would hold the interpreter for seconds,
        and a dashboard's screen with it. The map of each article's story is made as the
        articles are checked (each once), for `StoryIndex.restore` to take as it is."""
        try:
            with self.path.open("rb") as handle:
                chunks = _story_chunks(handle)
        except OSError:
            return None
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, _DuplicateKey):
                self._refuse(f"{exc.key!r} is written twice")
            return None
        if chunks is None:
            return None
        out: dict[str, list[str]] = {}
        story_of: dict[str, str] = {}  # article -> its story: no article listed twice
        placed = story_of.keys()
        # each checked whole in C; a fault is then found one by one
        for chunk in giving_way(chunks, STORY_LINES):
            lists = chunk.values()
            if not all(type(ids) is list for ids in lists):
                return None
            ids = list(chain.from_iterable(lists))
            if not set(map(type, ids)) <= {str}:
                return None
            twice = out.keys() & chunk.keys()
            if twice:
                self._refuse(f"{min(twice)!r} is written twice")
                return None
            if not placed.isdisjoint(ids):  # in an earlier line
                self._refuse(f"article {min(placed & set(ids))!r} is listed twice")
                return None
            had = len(story_of)
            # each article with its story's id, the id repeated as many times as it has
            sids = chain.from_iterable(map(repeat, chunk, map(len, lists)))
            story_of.update(zip(ids, sids, strict=True))
            if len(story_of) - had != len(ids):  # twice in this line
                self._refuse(f"article {_listed_twice(ids)!r} is listed twice")
                return None
            out.update(chunk)
        return SavedStories(out, story_of)

    def _refuse(self, fault: str) -> None:
        self.refused = True
        log.error(
            "%s: %s; the stories are grouped again from the stored articles (the file is "
            "kept as %s)",
            self.path,
            fault,
            self.path.name + REFUSED_SUFFIX,
        )

    def save(self, store: ArticleStore | None = None) -> bool:
        """Write the stories (False when the disk refused: the next update tries again). A
        refused file is moved aside first, never overwritten."""
        if self.index is None:
            return False
        keeper = self._keeper(store) if store is not None else None
        if store is not None and keeper is not None:
            return self._save_to(store, keeper)
        if self.refused:
            try:
                os.replace(self.path, self.path.with_name(self.path.name + REFUSED_SUFFIX))
            except FileNotFoundError:
                pass
            except OSError:
                self._drop_page()
                return False
            self.refused = False
        before = _version_of(self.path)
        if not write_derived(self.path, *_story_lines(self.index.members)):
            self._drop_page()
            return False
        if store is not None:
            self._save_newest(store, before)
        return True

    def _drop_page(self) -> None:
        """The stories file could not be written: the page of the newest kept with the one
        still there goes (a command then makes the stories, with the articles that file
        lacks), and the next save finds the newest anew."""
        self._since_saved = None
        with contextlib.suppress(OSError):
            self.path.with_name(NEWEST_FILE).unlink()

    def _save_newest(self, store: ArticleStore, before: list[int] | None) -> None:
        """Write the newest stories beside the stories file just written (`NEWEST_FILE`):
        those of the file written with the one before, mended with the stories changed since,
        or, when that is not known, found among every story (their articles' times are in
        the writer's memory: a second or two at a million articles, once a process)."""
        index = self.index
        assert index is not None
        changed, self._since_saved = self._since_saved, set()
        path = self.path.with_name(NEWEST_FILE)
        try:
            kept = _read_newest(path, before) if changed is not None else None
            if kept is not None and changed is not None and not self._page_checked:
                changed |= {story.id for story in kept[0]}  # each made again once
            mended = (
                _mended_newest(kept, changed, index, store)
                if kept is not None and changed is not None
                else None
            )
            newest = mended if mended is not None else _newest_of_all(index, store)
            stories, every = newest
            data = {
                "format": NEWEST_FORMAT,
                "of": _version_of(self.path),
                "all": every,
                "stories": [{"id": story.id, **story.to_record()} for story in stories],
            }
            if not write_derived(path, orjson.dumps(data)):
                raise OSError("the disk refused it")
            self._page_checked = True
        except Exception:  # derived: a command that finds it missing or stale groups them
            log.exception("the newest stories could not be kept beside the stories file")
            with contextlib.suppress(OSError):
                path.unlink()

    def _save_to(self, store: ArticleStore, keeper: StoryKeeper) -> bool:
        """Save in the store the stories that changed since it was last told, with their
        records, and forget there the stories that are gone: a batch of stories at a time,
        their articles read once (a first save of a million articles holds a chunk's)."""
        index = self.index
        assert index is not None
        kept = self._kept if self._kept is not None else {}
        self._kept = kept
        members = index.members
        changed = [
            sid for sid, ids in members.items() if ids and kept.get(sid) != (len(ids), ids[-1])
        ]
        gone = [sid for sid in kept if sid not in members]
        start = 0
        self._unsaved = True  # until every batch is saved: a read that fails is tried again too
        while start < len(changed) or gone:
            batch: list[str] = []
            size = 0
            while start < len(changed) and (not batch or size < READ_CHUNK):
                batch.append(changed[start])
                size += len(members[changed[start]])
                start += 1
            made = _made(store, batch, members)
            records: dict[str, tuple[list[str], dict[str, Any]]] = {}
            for sid in batch:
                story = made.get(sid)
                if story is None:  # none of its articles is stored
                    gone.append(sid)
                    continue
                records[sid] = (list(members[sid]), story.to_record())
            del made
            try:
                keeper.save_stories(records, gone)
            except StoreError as exc:  # the next cycle tries again what was not saved
                log.warning("the stories cannot be saved: %s", exc)
                return False
            for sid, (ids, _) in records.items():
                kept[sid] = (len(ids), ids[-1])
            for sid in gone:
                kept.pop(sid, None)
            gone = []
        self._unsaved = False
        return True

    # -- bringing the stories up to date -----------------------------------------------------
    def _open(
        self,
        store: ArticleStore,
        pace: bool = False,
        window: int | None = None,
    ) -> tuple[StoryIndex, bool]:
        """The stories as saved, with the store's articles that the file lacks grouped and
        those the store lost dropped; True when that changed anything. `window`: of the
        newest this many articles only (what the file says of older ones is left out)."""
        index = StoryIndex()
        with collector_paused():  # (a screen's process settles the heap as it resumes)
            keeper = self._keeper(store)
            if keeper is not None:  # before the articles are read: none stored is missed
                _, self._mark = keeper.stored_since(None)
            ids = store.query_ids(limit=window)
            loaded = self._load(store, None if window is None else ids)
            saved, story_of = loaded if loaded is not None else (None, None)
            if saved is not None and window is not None:
                held = set_stepwise(ids)
                saved = {
                    sid: kept
                    for sid, members in saved.items()
                    if (kept := [i for i in members if i in held])
                }
                story_of = None  # of articles left out too: made again from what is kept
                del held
            del loaded
            changed = saved is None
            if saved is not None:
                # the recent articles are read when a new one must be grouped: a reader of an
                # up-to-date file reads no article here; the stories as loaded are the
                # index's own from here (not copied: a million articles' are seconds)
                index.restore(
                    saved,
                    lambda: _recent_items(store, store.query_ids(limit=window)),
                    story_of=story_of,
                )
                del saved, story_of
            lacking = [i for i in giving_way(ids, STEP_IDS) if i not in index.story_of]
            # grouped articles the store no longer holds: counted first, so that a file up
            # to date (nearly always) makes no set of every stored id (at a million, a tenth
            # of a second holding the interpreter as it grows, and 40 MB)
            # the stories changed since the file was written, if it was read
            known = not changed and window is None and keeper is None  # (a keeper: no page)
            since: set[str] | None = set() if known else None
            if len(index.story_of) > len(ids) - len(lacking):
                held = set_stepwise(ids)
                gone = [i for i in giving_way(index.story_of, STEP_IDS) if i not in held]
                del held
                if since is not None:
                    since.update(filter(None, map(index.story_of.get, gone)))
                index.drop(gone)
                changed = True
            del ids
            missing = [_item(r) for chunk in _chunks(lacking) for r in store.records(chunk)]
            del lacking
        if missing:
            add_paced(index, missing, pace)
            changed = True
            if since is not None:
                since.update(filter(None, (index.story_of.get(item.id) for item in missing)))
        self._since_saved = since
        self._page_checked = False  # the page was kept by another process: checked first
        return index, changed

    def read(self, store: ArticleStore) -> StoryIndex:
        """The stories of every stored article (nothing is written: the writer keeps the
        file)."""
        with self._lock:
            if self.index is None:
                self.index, _ = self._open(store)
            return self.index

    def shelf(
        self,
        store: ArticleStore,
        pace: bool = False,
        window: int | None = None,
        last: StoryShelf | None = None,
    ) -> StoryShelf:
        """(In a thread.) The stories as they are now, frozen: an update running meanwhile in
        another thread is waited for, and one after it changes nothing already taken.
        `pace`: as for `update`, when the articles must be grouped first. `window`:
        a viewer's, of the newest this many articles only (a book that saves takes none).
        `last`: a viewer's last shelf, of the stories as saved then: only the stories whose
        articles differ now are made again."""
        with self._lock:
            if self.index is None:
                self.index, _ = self._open(store, pace, window)
                self._touched = None
                if last is not None and window is None:
                    with collector_paused():
                        self._touched = changed_since(last, self.index.members)
                    self._shelved = last
            with collector_paused():
                dated = store.query_ids(limit=store.list_window)
                mended, touched = self._shelved, self._touched
                if mended is not None and touched is not None and store.list_window is None:
                    shelf = mended.restacked(touched, self.index, store)
                else:  # the first, or a window of the newest that moved: made whole
                    stories = stories_of(self.index, store, dated)
                    shelf = StoryShelf(stories, dated, grouped=self.index.story_of)
                self._shelved, self._touched = shelf, set()
        return shelf

    def _touch(self, stories: Iterable[str | None]) -> None:
        """(Under the lock.) Note stories changed since the last shelf and the last save."""
        changed = [sid for sid in stories if sid is not None]
        if self._touched is not None:
            self._touched.update(changed)
        if self._since_saved is not None:
            self._since_saved.update(changed)

    def stories_with(self, store: ArticleStore, ids: Iterable[str], least: int = 0) -> list[Story]:
        """(Any thread.) The stories, as grouped now, that hold any of `ids` and at least
        `least` articles (the writer's alerts look at the stories a cycle's articles joined;
        its spikes, at those big enough to spike); none before a first grouping.
        Their articles are read in one call: a lean store reads each shard once, not once a
        story (a first refresh's 10,000 articles in a hundred stories read 183 shard files)."""
        with self._lock:
            index = self.index
            if index is None:
                return []
            found = dict.fromkeys(s for i in ids if (s := index.story_of.get(i)) is not None)
            held_by = index.members
            members = {
                sid: list(held_by[sid]) for sid in found if len(held_by.get(sid, ())) >= least
            }
        # the articles of all in one call: a lean store reads each shard once, not per story
        held = {r.id: r for r in store.records([i for ids in members.values() for i in ids])}
        out: list[Story] = []
        for sid, articles in giving_way(members.items(), STORY_STEP):  # a filter goes first
            records = [held[i] for i in articles if i in held]
            if records:
                out.append(_story(sid, records))
        return out

    def update(
        self,
        store: ArticleStore,
        new_ids: Iterable[str],
        removed: bool,
        pace: bool = False,
        revised: Iterable[str] = (),
    ) -> list[str]:
        """(The writer, in a thread.) Group the cycle's new articles, drop what retention
        removed, and save; `revised`: the stored articles the cycle gave another title or
        summary (their stories are made again at the next shelf). Before the store has
        loaded every day, only the new articles are grouped; the rest is caught up at a
        later cycle. `pace`: rest between slices (`add_paced`), for a process with a screen
        to keep quick.
        Returns the ids grouped: with pollers sharing a database, the one that groups takes
        the others' articles too, and its alert check asks their stories."""
        with self._lock:
            keeper = self._keeper(store)
            if keeper is not None:
                if not keeper.takes_stories():  # another poller groups them: a shelf asked
                    self.index, self._grouping = None, False  # later starts from theirs
                    return []
                if not self._grouping and self.index is not None:  # taken over: what the
                    self.index = None  # database keeps now, not what this one read before
                self._grouping = True
            changed = False
            opened = self.index is None
            if opened:
                if not store.complete:
                    return []
                self.index, changed = self._open(store, pace)
                self._touched = None  # stories not seen grouped: the next shelf is whole
            index = self.index
            assert index is not None
            wanted = [] if opened else list(new_ids)
            if keeper is not None and not opened:  # what every poller stored since
                stored, self._mark = keeper.stored_since(self._mark)
                wanted = list(dict.fromkeys([*wanted, *stored]))
            # an index just opened holds every stored article, new ones too: none is read again
            try:
                fresh = [_item(r) for r in store.records(wanted) if r.id not in index.story_of]
                if fresh:
                    add_paced(index, fresh, pace)
                    self._touch(index.story_of.get(item.id) for item in fresh)
                    changed = True
                self._touch(map(index.story_of.get, revised))  # a headline may be rewritten
                if removed:
                    gone = [i for i in index.story_of if store.record(i) is None]
                    if gone:
                        self._touch(map(index.story_of.get, gone))
                        index.drop(gone)
                        changed = True
            except BaseException:  # changed in part: the next shelf is made whole, and the
                self._touched = self._since_saved = None  # next page of the newest found anew
                raise
            if changed or self._unsaved or (keeper is None and not self.path.exists()):
                self.save(store)
            elif keeper is None and self._since_saved:  # only headlines rewritten: the
                self._save_newest(store, _version_of(self.path))  # file stands, the page not
            return [item.id for item in fresh]


class StoryDesk:
    """The newsroom's hook: after each cycle of the writer, group its new articles in a
    thread (the hook runs on the event loop)."""

    def __init__(
        self,
        store: ArticleStore,
        data_dir: Path,
        pace: bool = False,
        cold_limit: int | None = None,
    ) -> None:
        """`pace`: group in slices with rests (`add_paced`), for a process with a screen.
        `cold_limit`: with no stories file yet and more articles stored than this, leave
        the first grouping to a long-running writer or a reader (a one-shot `refresh` of a
        first 100,000 articles would otherwise end holding every one's word vector)."""
        self.store = store
        self.book = StoryBook(data_dir)
        self.pace = pace
        self.cold_limit = cold_limit
        self.running: Future[list[str]] | None = None  # the last cycle's grouping
        self._grouper: ThreadPoolExecutor | None = None

    def after_cycle(self, cycle: Cycle) -> None:
        """Group the cycle's articles in the desk's own thread, one cycle after another
        (from whichever thread or event loop ran the cycle)."""
        if not self.store.is_writer:
            return
        if self._grouper is None:
            self._grouper = ThreadPoolExecutor(1, thread_name_prefix="wirewatch-stories")
        self.running = self._grouper.submit(
            self._update, list(cycle.new_ids), cycle.removed > 0, list(cycle.revised_ids)
        )

    def close(self) -> None:
        """Let the grouping under way finish (its stories are saved) and drop those queued;
        a cycle after this (the dashboard's `r` polling again) starts a thread anew."""
        grouper, self._grouper = self._grouper, None
        if grouper is not None:
            grouper.shutdown(wait=True, cancel_futures=True)

    def _update(self, new_ids: list[str], removed: bool, revised: Iterable[str] = ()) -> list[str]:
        """The ids grouped (see `StoryBook.update`); none when grouping failed."""
        try:
            cold = self.book.index is None and not self.book.saved(self.store)
            if cold and self.cold_limit is not None and len(self.store) > self.cold_limit:
                log.info(
                    "stories: %d articles and no stories yet; the next poll or dashboard"
                    " groups them",
                    len(self.store),
                )
                return []
            return self.book.update(self.store, new_ids, removed, self.pace, revised)
        except Exception:  # the stories are derived: a failure costs them, never the poll
            log.exception("grouping the cycle's articles into stories failed")
            return []


def add_paced(index: StoryIndex, items: list[Item], pace: bool) -> None:
    """Group `items` as `index.add` does; with `pace`, a slice at a time in time order with a
    rest after each. The stories are the same: articles are placed one by one in time order,
    each against the articles of its window."""
    if not pace:
        index.add(items)
        return
    ordered = sorted(items, key=lambda i: (i.when, i.id))
    took = 0.0
    for start in range(0, len(ordered), SLICE_ARTICLES):
        if start:
            time.sleep(REST_FACTOR * took)
        began = time.thread_time()
        index.add(ordered[start : start + SLICE_ARTICLES])
        took = time.thread_time() - began
        give_way()


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return (ids[start : start + READ_CHUNK] for start in range(0, len(ids), READ_CHUNK))


def _recent_items(store: ArticleStore, ids: list[str]) -> list[Item]:
    """The articles (of `ids`, in that order) first reported within two windows of the
    newest: what restored stories compare new articles with. Read a chunk at a time, in
    date order (each shard of a store read back from disk about once)."""
    newest, kept = 0.0, []
    for chunk in _chunks(ids):
        for record in store.records(chunk):
            when = first_time(record)
            newest = max(newest, when)
            if when >= newest - 2 * WINDOW:
                kept.append(_item(record))
        kept = [item for item in kept if item.when >= newest - 2 * WINDOW]
    return kept


# -- reading stories -------------------------------------------------------------------------
def stored_stories(
    store: ArticleStore, limit: int, among: list[str] | None = None, offset: int = 0
) -> list[Story] | None:
    """A page of the stories a store keeps, newest activity first (with `among`, those
    holding any of these articles), as the grouping poller saved them: nothing is grouped
    and no article read. None when the store keeps none (the stories must be grouped)."""
    if not isinstance(store, StoryKeeper):
        return None
    found = store.story_records(limit, offset, among)
    if found is None:
        return None
    return [story for sid, record in found if (story := Story.from_record(sid, record))]


def saved_shelf(store: ArticleStore, window: int) -> StoryShelf | None:
    """(A viewer of a store that keeps the stories.) The newest `window` of every story the
    grouping poller saved, newest activity first, as saved (all their articles, however old,
    none read) and how many it saved in all; None when it keeps none (they must be grouped)."""
    if not isinstance(store, StoryKeeper):
        return None
    found = stored_stories(store, window)
    if found is None:
        return None
    total = store.story_count() if len(found) >= window else len(found)
    return StoryShelf(found, total=total)


def stories_found(store: ArticleStore, query: Query, limit: int) -> list[Story] | None:
    """The stories a store keeps with an article matching `query` (`story:` and `outlets:`
    as it saved them), newest activity first, at most `limit`, found by the store among
    every story it keeps; None when it keeps none."""
    if not isinstance(store, StoryKeeper):
        return None
    found = store.stories_matching(query, limit)
    if found is None:
        return None
    return [story for sid, record in found if (story := Story.from_record(sid, record))]


def stories_of(
    index: StoryIndex, store: ArticleStore, dated: list[str] | None = None
) -> list[Story]:
    """Every story with its stored articles, newest activity first. The articles are read a
    chunk at a time in date order (a store that reads them back from disk reads each shard
    about once); a story is made once its last article is read, and only the headline and
    times of the articles of stories still open are kept meanwhile. `dated`: the store's
    ids newest first, when the caller has them. The collector is paused meanwhile: a million
    stories are millions of objects that hold no cycle, and its passes over them as they
    were made took three times as long as making them (`wirewatch stories` at a million)."""
    members, story_of = index.members, index.story_of
    with collector_paused():
        if dated is None:  # of the newest the store lists at most (a PostgreSQL viewer's)
            dated = store.query_ids(limit=store.list_window)
        ids = [i for i in giving_way(dated, STEP_IDS) if i in story_of]
        out: list[Story] = []
        open_stories: dict[str, list[Record]] = {}
        for chunk in _chunks(ids):
            give_way()  # a filter typed meanwhile goes first
            for record in giving_way(store.headlines(chunk)):
                sid = story_of[record.id]
                wanted = len(members.get(sid, ()))
                if wanted == 1:
                    out.append(_single(sid, record))
                    continue
                held = open_stories.setdefault(sid, [])
                held.append(_headline(record))
                if len(held) == wanted:
                    out.append(_story(sid, open_stories.pop(sid)))
        out.extend(_story(sid, records) for sid, records in open_stories.items())
        return sorted_stepwise(out, _newest_activity, give_way)


def _newest_activity(story: Story) -> tuple[float, str]:
    return (-story.last_seen, story.id)


# -- the newest stories, kept beside the stories file ---------------------------------------
def _version_of(path: Path) -> list[int] | None:
    """What tells one version of a file from another: its size, change time and inode (a
    derived file is written anew, never changed in place)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def _read_newest(path: Path, version: list[int] | None) -> tuple[list[Story], bool] | None:
    """The newest stories kept at `path` and whether they are every story; None when there
    are none, or they were kept with another version of the stories file than `version`."""
    if version is None:
        return None
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError):
        return None
    if type(data) is not dict or data.get("format") != NEWEST_FORMAT:
        return None
    rows = data.get("stories")
    if data.get("of") != version or type(rows) is not list:
        return None
    stories = [
        Story.from_record(row["id"], row)
        for row in rows
        if type(row) is dict and type(row.get("id")) is str
    ]
    if len(stories) != len(rows) or None in stories:
        return None
    return [story for story in stories if story is not None], data.get("all") is True


def newest_stories(data_dir: Path, limit: int) -> list[Story] | None:
    """(Any process, without opening the store.) The `limit` stories of newest activity, as
    the writer kept them with the stories file there now; None when it kept none with that
    file (it is being written, or was written by a process that keeps none) or fewer."""
    kept = _read_newest(data_dir / NEWEST_FILE, _version_of(data_dir / FILE))
    if kept is None:
        return None
    stories, every = kept
    return stories[:limit] if every or len(stories) >= limit else None


def _activity(store: ArticleStore, ids: Iterable[str]) -> float | None:
    """A story's last activity from its stored articles (as `_story` takes it), from the
    writer's records in memory; None when none is stored."""
    last: float | None = None
    for record in map(store.record, ids):
        if record is not None:
            seen = _last_seen(record)
            if last is None or seen > last:
                last = seen
    return last


def _made(store: ArticleStore, sids: list[str], members: dict[str, list[str]]) -> dict[str, Story]:
    """These stories (in that order) as `stories_of` makes them, their articles read in one
    call; one none of whose articles is stored is left out."""
    held = {r.id: r for r in store.records([i for sid in sids for i in members[sid]])}
    out: dict[str, Story] = {}
    for sid in sids:
        found = [held[i] for i in members[sid] if i in held]
        if found:
            out[sid] = _single(sid, found[0]) if len(found) == 1 else _story(sid, found)
    return out


def _newest_of_all(index: StoryIndex, store: ArticleStore) -> tuple[list[Story], bool]:
    """The `NEWEST_KEPT` stories of newest activity among every story, and whether that is
    all of them."""
    members = index.members
    with collector_paused():
        ranked = (
            (-last, sid)
            for sid, ids in giving_way(members.items(), STEP_MOVED)
            if (last := _activity(store, ids)) is not None
        )
        found = heapq.nsmallest(NEWEST_KEPT + 1, ranked)
    every = len(found) <= NEWEST_KEPT
    stories = _made(store, [sid for _, sid in found[:NEWEST_KEPT]], members).values()
    return sorted(stories, key=_newest_activity), every


def _mended_newest(
    kept: tuple[list[Story], bool],
    changed: set[str],
    index: StoryIndex,
    store: ArticleStore,
) -> tuple[list[Story], bool] | None:
    """The newest stories kept with the last stories file, mended with the stories changed
    since; None when too few are left certain (they are then found among all).

    Every story not kept sorts after the last kept one and did not change; so the stories
    that sort before that one now are exactly those kept and unchanged, and those changed
    that sort before it (or, when every story was kept, all of them)."""
    stories, every = kept
    if not stories and not every:
        return None
    members = index.members
    last = _newest_activity(stories[-1]) if stories else None
    remade = []
    for sid in sorted(changed):
        ids = members.get(sid)
        seen = _activity(store, ids) if ids else None
        if seen is not None and (every or last is None or (-seen, sid) <= last):
            remade.append(sid)
    merged = [story for story in stories if story.id not in changed]
    merged += _made(store, remade, members).values()
    merged.sort(key=_newest_activity)
    if not every and last is not None:
        merged = [story for story in merged if _newest_activity(story) <= last]
    if len(merged) > NEWEST_KEPT:
        return merged[:NEWEST_KEPT], False
    if not every and len(merged) < NEWEST_KEPT // 2:
        return None
    return merged, every


def _headline(record: Record) -> Record:
    """What `_story` reads of an article, without its summary and the rest."""
    return Record(
        record.id,
        record.source,
        record.title,
        published=record.published,
        fetched=record.fetched,
    )


def _last_seen(record: Record) -> float:
    """An article's part in its story's last activity: when it was first reported, or when
    it was fetched if that is later (the page of newest stories ranks by the same)."""
    return max(first_time(record), record.fetched or 0.0)


def _single(sid: str, record: Record) -> Story:
    """A story of one article (most are): `_story` without the sorting and comparing."""
    return Story(
        sid,
        record.title,
        [record.id],
        [record.source],
        record.id,
        record.source,
        first_time(record),
        _last_seen(record),
    )


def _story(sid: str, records: list[Record]) -> Story:
    ordered = sorted(records, key=lambda r: (first_time(r), r.fetched or 0.0, r.source, r.id))
    first = ordered[0]
    sources = list(dict.fromkeys(r.source for r in ordered))
    last = max(map(_last_seen, ordered))
    return Story(
        sid,
        _representative(ordered),
        [r.id for r in ordered],
        sources,
        first.id,
        first.source,
        first_time(first),
        last,
    )


def _representative(records: list[Record]) -> str:
    """The headline sharing most words with the story's other headlines (the earliest of
    equals): the one that says what most outlets said."""
    if len(records) == 1:
        return records[0].title
    words = [set(terms(r.title)) for r in records]
    counts: Counter[str] = Counter(w for ws in words for w in ws)
    best, best_score = records[0].title, -1.0
    for record, ws in zip(records, words, strict=True):
        score = sum(counts[w] - 1 for w in ws) / (len(ws) + 1)
        if score > best_score:
            best, best_score = record.title, score
    return best


class StoryLookup:
    """What the query language asks of stories (`story:ID`, `outlets:>=N`)."""

    def __init__(self, index: StoryIndex, store: ArticleStore) -> None:
        self.index = index
        self.store = store
        self._outlets: dict[str, int] = {}

    def story_of(self, ident: str) -> str | None:
        return self.index.story_of.get(ident)

    def outlets_of(self, ident: str) -> int:
        sid = self.index.story_of.get(ident)
        if sid is None:
            return 1
        count = self._outlets.get(sid)
        if count is None:
            sources = {
                r.source for r in map(self.store.record, self.index.members[sid]) if r is not None
            }
            count = self._outlets[sid] = max(1, len(sources))
        return count

    def articles_of(self, story: str) -> Collection[str]:
        return self.index.members.get(story, ())

    def articles_where(self, outlets: Callable[[int], bool]) -> Collection[str]:
        members = self.index.members.values()
        several = (ids for ids in members if len(ids) > 1)  # one article: one outlet
        return [i for ids in several if outlets(self.outlets_of(ids[0])) for i in ids]


class StoryShelf:
    """Every story at one moment, newest activity first, with its articles' stories and
    outlets by article id: what a dashboard draws and filters, and what its queries ask
    (`story:`, `outlets:`; it answers as `StoryLookup` does). Never changed once made, so
    any thread may read it."""

    def __init__(
        self,
        stories: list[Story],
        dated: Sequence[str] | None = None,
        total: int | None = None,
        grouped: Mapping[str, str] | None = None,
    ) -> None:
        """`dated`: the stored ids in the store's date order, as the store holds them (its
        queries answer with those): each article's story is then found where a query's
        answer reaches it, in memory read in order, which makes `matching` over 100,000
        articles about 1.5 times as quick as a map made in the stories' order.
        `total`: the stories the store keeps in all, when these are its newest only (a
        viewer of a store that keeps them: a filter asks the store, `stories_found`).
        `grouped`: the grouping's own map of each article's story, when `stories` were made
        from it and `dated` (`stories_of`): each article's story is then looked up there,
        not first gathered from the stories into a map of its own."""
        self.stories = stories
        self.total = total
        # made in steps that give way to a filter typed meanwhile (a million stories take
        # seconds here); each map of a million entries also holds the interpreter while it
        # grows past 700,000 (a tenth of a second): none is made that is not kept
        self.by_id = {story.id: story for story in giving_way(stories)}
        self._order = [story.id for story in giving_way(stories)]
        story_of = None
        if dated is not None and grouped is not None:
            story_of = _placed(dated, grouped.get)
            if len(story_of) != sum(map(len, map(_ARTICLES, stories))):
                story_of = None  # an article read no more: its story lacks it (rare)
        if story_of is None:
            story_of = {ident: s.id for s in giving_way(stories) for ident in s.articles}
            if dated is not None:
                placed = _placed(dated, story_of.get)
                if len(placed) < len(story_of):  # an article the store no longer lists: kept
                    placed.update((i, sid) for i, sid in story_of.items() if i not in placed)
                story_of = placed
        self._story_of = story_of
        self._by_outlets = _by_outlets(stories)
        # how many outlets carry each article's story, for stories of several outlets only:
        # most stories are one outlet's, so at a million articles this is tens of thousands
        # of entries, not one more map of a million made, copied each cycle and let go
        # beside a screen (an article it lacks is one outlet's)
        self._outlets: dict[str, int] = dict(
            chain.from_iterable(
                zip(story.articles, repeat(outlets))
                for story in giving_way(stories)
                if (outlets := len(story.sources)) > 1
            )
        )
        # `story:` and `outlets:` ask these of every candidate article of a query: bound dict
        # lookups, so a filter over 100,000 articles runs no Python function per article
        self.story_of: Callable[[str], str | None] = self._story_of.get
        self.outlets_of: Callable[[str], int | None] = self._outlets.get

    @functools.cached_property
    def articles(self) -> frozenset[str]:
        """The ids of every article on the shelf."""
        return frozenset(self._story_of)

    def restacked(self, touched: set[str], index: StoryIndex, store: ArticleStore) -> StoryShelf:
        """The shelf `stories_of` would give now, made from this one and the stories changed
        since (`touched`): only their articles are read, they are merged into the others,
        which keep their order, and the lookups are this shelf's, copied and mended."""
        members = index.members
        remade_ids = [sid for sid in touched if sid in members]
        held: dict[str, Record] = {}
        # a cycle touches thousands of stories: a filter typed meanwhile goes first
        for chunk in _chunks([i for sid in remade_ids for i in members[sid]]):
            read = store.headlines(chunk)  # (up to READ_CHUNK of them: tens of ms to make)
            held.update((r.id, _headline(r)) for r in giving_way(read, STEP_MOVED))
        remade: list[Story] = []
        for sid in giving_way(remade_ids, STORY_STEP):
            records = [held[i] for i in members[sid] if i in held]
            if not records:
                continue
            one = len(records) == 1 and len(members[sid]) == 1
            remade.append(_single(sid, records[0]) if one else _story(sid, records))
        remade.sort(key=_newest_activity)
        kept = [story for story in giving_way(self.stories, STEP_MOVED) if story.id not in touched]
        stories = list(giving_way(heapq.merge(kept, remade, key=_newest_activity), STEP_MOVED))
        gone = [self.by_id[sid] for sid in touched if sid in self.by_id]
        shelf = StoryShelf.__new__(StoryShelf)
        shelf.stories, shelf.total = stories, None  # every story (a store's window: whole)
        # each copied in one call, into a table of its size: one made a step at a time grew
        # by doubling, each growth moving what it held in one call (for a million entries,
        # 56 ms at 700,000 and 0.5 s of steps in all, against 28 ms for the whole copy)
        shelf.by_id = self.by_id.copy()
        give_way()
        story_of = self._story_of.copy()
        give_way()
        outlets = self._outlets.copy()
        give_way()
        for story in giving_way(gone, STORY_STEP):
            del shelf.by_id[story.id]
            for ident in story.articles:
                story_of.pop(ident, None)
                outlets.pop(ident, None)
        for story in giving_way(remade, STORY_STEP):
            shelf.by_id[story.id] = story
            several = story.outlets > 1
            for ident in story.articles:
                story_of[ident] = story.id
                if several:
                    outlets[ident] = story.outlets
        shelf._order = [story.id for story in giving_way(stories, STEP_MOVED)]
        shelf._story_of, shelf._outlets = story_of, outlets
        shelf._by_outlets = _by_outlets(stories)
        shelf.story_of, shelf.outlets_of = story_of.get, outlets.get
        return shelf

    def __len__(self) -> int:
        return len(self.stories)

    @property
    def windowed(self) -> bool:
        """These are the newest of the stories the store keeps, which answers filters."""
        return self.total is not None

    @property
    def more(self) -> bool:
        """The store keeps more stories than these."""
        return self.total is not None and self.total > len(self.stories)

    def story(self, ident: str) -> Story | None:
        """The story an article is in."""
        sid = self._story_of.get(ident)
        return self.by_id[sid] if sid is not None else None

    def articles_of(self, story: str) -> Collection[str]:
        found = self.by_id.get(story)
        return found.articles if found is not None else ()

    def articles_where(self, outlets: Callable[[int], bool]) -> Collection[str]:
        """(For `outlets:`.) One test per count of outlets, not per story."""
        return list(chain.from_iterable(i for n, i in self._by_outlets.items() if outlets(n)))

    def matching(self, ids: Collection[str]) -> list[str]:
        """The ids of the stories with an article among `ids`, newest activity first. When
        most articles are among them (`-tariff`), the stories left out are found from the
        few articles left out: a set of the ids and a difference in C, not a lookup of each
        id's story."""
        if len(ids) * 2 < len(self._story_of):
            wanted = set(map(self._story_of.get, ids))
            return list(filter(wanted.__contains__, self._order))
        gone = self._story_of.keys() - set(ids)
        if not gone:
            return list(self._order)
        by_id = self.by_id
        left_out = set()
        for sid in set(map(self._story_of.__getitem__, gone)):  # all its articles left out?
            if gone.issuperset(by_id[sid].articles):
                left_out.add(sid)
        return list(filterfalse(left_out.__contains__, self._order))


_ARTICLES = attrgetter("articles")


def _placed(dated: Sequence[str], story_of: Callable[[str], str | None]) -> dict[str, str]:
    """Each of the `dated` articles in a story -> its story, in that order."""
    return {
        ident: sid for ident in giving_way(dated, STEP_IDS) if (sid := story_of(ident)) is not None
    }


def changed_since(last: StoryShelf, members: dict[str, list[str]]) -> set[str]:
    """The stories whose articles are not the ones `last` shows (new, gone or changed)."""
    by_id = last.by_id
    changed = {
        sid
        for sid, ids in giving_way(members.items(), STEP_IDS)
        if (story := by_id.get(sid)) is None or not _same_articles(story.articles, ids)
    }
    changed.update(sid for sid in giving_way(by_id, STEP_IDS) if sid not in members)
    return changed


def _same_articles(shown: list[str], ids: list[str]) -> bool:
    if len(shown) != len(ids):
        return False
    if len(ids) == 1:  # most stories
        return shown[0] == ids[0]
    return set(shown) == set(ids)


def _by_outlets(stories: list[Story]) -> dict[int, list[str]]:
    """The articles of stories of several outlets by that count (`outlets:` takes them up
    front); every other article is one outlet's."""
    out: dict[int, list[str]] = {}
    for story in giving_way(stories):
        if len(story.sources) > 1:
            out.setdefault(len(story.sources), []).extend(story.articles)
    return out


@dataclass(slots=True)
class Lead:
    """How a source did against the others on stories several outlets carried."""

    first_reports: int = 0
    median_lag: float | None = None  # seconds behind the first report


def leads(stories: list[Story], store: ArticleStore) -> dict[str, Lead]:
    """Per source, over the stories of two or more outlets: how many it reported first, and
    the median of how long after the first report its own first article came."""
    lags: dict[str, list[float]] = {}
    firsts: Counter[str] = Counter()
    for story in stories:
        if story.outlets < 2:
            continue
        firsts[story.first_source] += 1
        seen: dict[str, float] = {}
        for record in map(store.record, story.articles):
            if record is not None and record.source not in seen:
                seen[record.source] = first_time(record)
        for source, when in seen.items():
            lags.setdefault(source, []).append(max(0.0, when - story.first_seen))
    return {
        source: Lead(firsts[source], statistics.median(values)) for source, values in lags.items()
    }
