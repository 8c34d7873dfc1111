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
import json
import logging
import math
import os
import statistics
import threading
import time
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from itertools import chain, islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, NamedTuple

import orjson

from fetchers.atomic import derived_refused, write_derived
from fetchers.foreground import give_way, giving_way
from fetchers.heap import collector_paused
from fetchers.models import counted
from fetchers.query import Query, Record, name_key
from fetchers.stepwise import emptied_stepwise, set_stepwise, sorted_stepwise
from fetchers.store.errors import StoreError
from fetchers.store.interface import StoryKeeper
from fetchers.stories import TIME_THEN_ID, WINDOW, Item, Readings, StoryIndex
from fetchers.story import (
    READ_CHUNK,
    STEP_IDS,
    STORY_STEP,
    Story,
    UndatedBacklog,
    chunks,
    first_time,
    headline_record,
    last_seen,
    made_stories,
    made_story,
    newest_first,
    single_story,
)
from fetchers.storypage import (
    NEWEST_FILE,
    mended_newest,
    newest_of_all,
    page_bytes,
    read_newest,
    version_of,
)
from fetchers.storyshelf import StoryShelf, changed_since

if TYPE_CHECKING:
    from fetchers.newsroom import Cycle
    from fetchers.store import ArticleStore

log = logging.getLogger("wirewatch.stories")
FILE = "stories.json"
REFUSED_SUFFIX = ".refused"  # a stories file refused, kept beside the rebuilt one
FORMAT = 2  # a header line, then lines of at most LINE_STORIES stories each (1: one object)
LINE_STORIES = 1000  # stories per line: each line is parsed in one call that holds the GIL
HEADER_BYTES = 64  # a longer first line is not a header (a first-format file is one line)
# A writer's dashboard groups a cycle's articles in a thread, which shares the interpreter
# with the screen: it works in slices of a few milliseconds and rests three times as long as
# each took, so a filter typed meanwhile keeps most of the interpreter. Stories come later.
SLICE_ARTICLES = 25
STORY_LINES = 4  # lines of the stories file read between two looks (a line: about 1.5 ms)
REST_FACTOR = 3.0


def _item(record: Record) -> Item:
    return Item(record.id, record.title, record.summary, first_time(record), record.source)


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
            parsed = list(map(_story_line, giving_way(lines, STORY_LINES)))
            return parsed if all(isinstance(c, dict) for c in parsed) else None
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
        # stories a revised headline may have renamed, not saved to the store that keeps
        # them yet (their articles are the same: saving by what they hold would pass them by)
        self._rewritten: set[str] = set()
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
                parsed = _story_chunks(handle)
        except OSError:
            return None
        except (ValueError, RecursionError) as exc:
            if isinstance(exc, _DuplicateKey):
                self._refuse(f"{exc.key!r} is written twice")
            return None
        if parsed is None:
            return None
        out: dict[str, list[str]] = {}
        story_of: dict[str, str] = {}  # article -> its story: no article listed twice
        placed = story_of.keys()
        # each checked whole in C; a fault is then found one by one
        for chunk in giving_way(parsed, STORY_LINES):
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
        before = version_of(self.path)
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
            kept = read_newest(path, before) if changed is not None else None
            if kept is not None and changed is not None and not self._page_checked:
                changed |= {story.id for story in kept[0]}  # each made again once
            mended = (
                mended_newest(kept, changed, index, store)
                if kept is not None and changed is not None
                else None
            )
            stories, every = mended if mended is not None else newest_of_all(index, store)
            refused = derived_refused(path, page_bytes(stories, every, version_of(self.path)))
            if refused is None:
                self._page_checked = True
                return
            # (a full disk, a read-only dir: said in a line, as the store's own writes are;
            # a traceback told the user nothing more)
            log.warning(
                "%s: the newest stories could not be kept (%s); the next cycle tries again",
                path,
                refused.strerror or refused,
            )
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
        rewritten = self._rewritten.difference(changed)
        changed.extend(sid for sid in rewritten if members.get(sid))
        gone = [sid for sid in kept if sid not in members]
        backlog = UndatedBacklog(store)
        start = 0
        self._unsaved = True  # until every batch is saved: a read that fails is tried again too
        while start < len(changed) or gone:
            batch: list[str] = []
            size = 0
            while start < len(changed) and (not batch or size < READ_CHUNK):
                batch.append(changed[start])
                size += len(members[changed[start]])
                start += 1
            made = made_stories(store, batch, members, backlog)
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
        self._rewritten.clear()
        return True

    # -- bringing the stories up to date -----------------------------------------------------
    def _open(
        self,
        store: ArticleStore,
        pace: bool = False,
        window: int | None = None,
        readings: Readings | None = None,
    ) -> tuple[StoryIndex, bool]:
        """The stories as saved, with the store's articles that the file lacks grouped and
        those the store lost dropped; True when that changed anything. `window`: of the
        newest this many articles only (what the file says of older ones is left out).
        `readings`: articles' words read ahead (`Readings`)."""
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
            missing: list[Item] = []
            arrived = array("d")  # when each was first fetched (8 bytes an article)
            for chunk in _chunks(lacking):
                for record in store.records(chunk):
                    item = _item(record)
                    missing.append(item)
                    fetched = record.fetched
                    arrived.append(item.when if fetched is None else fetched)
            del lacking
        if missing:
            for batch in _as_they_arrived(missing, arrived, pace):
                add_paced(index, batch, pace, readings)
            changed = True
            if since is not None:
                since.update(filter(None, (index.story_of.get(item.id) for item in missing)))
            if pace:  # a screen beside it: the articles read (whole records) let go in steps
                emptied_stepwise(missing, give_way)
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

    def story_of(self, store: ArticleStore, ident: str) -> str | None:
        """The story of one article: asked of the store when it keeps the stories and has
        grouped the article (a million stored are not read for one); else `read`."""
        keeper = self._keeper(store)
        if keeper is not None and self.index is None:
            saved = keeper.saved_stories([ident])
            for sid, members in (saved or {}).items():
                if ident in members:
                    return sid
        return self.read(store).story_of.get(ident)

    def shelf(
        self,
        store: ArticleStore,
        pace: bool = False,
        window: int | None = None,
        last: StoryShelf | None = None,
        remake: Collection[str] = (),
    ) -> StoryShelf:
        """(In a thread.) The stories as they are now, frozen: an update running meanwhile in
        another thread is waited for, and one after it changes nothing already taken.
        `pace`: as for `update`, when the articles must be grouped first. `window`:
        a viewer's, of the newest this many articles only (a book that saves takes none).
        `last`: a viewer's last shelf, of the stories as saved then: only the stories whose
        articles differ now are made again, and those of `remake`, the articles whose
        source the writer renamed since, or whose headline it rewrote (the same articles,
        said otherwise)."""
        with self._lock:
            if self.index is None:
                self.index, _ = self._open(store, pace, window)
                self._touched = None
                if last is not None and window is None:
                    with collector_paused():
                        self._touched = changed_since(last, self.index.members)
                    story_of = self.index.story_of
                    self._touched.update(filter(None, map(story_of.get, remake)))
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
        Their headlines are read in one call: a lean store reads each shard once, not once a
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
        # the headlines of all in one call (all a story is made of: a store that reads words
        # back decodes no summary), each shard read once, not once a story
        held = {r.id: r for r in store.headlines([i for ids in members.values() for i in ids])}
        backlog = UndatedBacklog(store)
        out: list[Story] = []
        for sid, articles in giving_way(members.items(), STORY_STEP):  # a filter goes first
            records = [held[i] for i in articles if i in held]
            if records:
                out.append(made_story(sid, records, backlog.among(records)))
        return out

    def update(
        self,
        store: ArticleStore,
        new_ids: Iterable[str],
        removed: bool,
        pace: bool = False,
        revised: Iterable[str] = (),
        renames: Iterable[tuple[str, str]] = (),
        readings: Readings | None = None,
    ) -> list[str]:
        """(The writer, in a thread.) Group the cycle's new articles, drop what retention
        removed, and save; `revised`: the stored articles the cycle gave another title or
        summary (their stories are made again at the next shelf); `renames`: the sources
        renamed (the index's window takes their new names); `readings`: articles' words
        read ahead (`Readings`). Before the store has
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
                self.index, changed = self._open(store, pace, readings=readings)
                self._touched = None  # stories not seen grouped: the next shelf is whole
            index = self.index
            assert index is not None
            if not opened and renames:  # (one just opened read the new names from the store)
                index.rename_outlets(dict(renames))
            wanted = [] if opened else list(new_ids)
            if keeper is not None and not opened:  # what every poller stored since
                stored, self._mark = keeper.stored_since(self._mark)
                wanted = list(dict.fromkeys([*wanted, *stored]))
            # an index just opened holds every stored article, new ones too: none is read again
            try:
                fresh = [_item(r) for r in store.records(wanted) if r.id not in index.story_of]
                if fresh:
                    add_paced(index, fresh, pace, readings)
                    self._touch(index.story_of.get(item.id) for item in fresh)
                    changed = True
                rewritten = [index.story_of.get(ident) for ident in revised]
                self._touch(rewritten)  # a headline may be rewritten
                if keeper is not None:
                    self._rewritten.update(sid for sid in rewritten if sid is not None)
                if removed:
                    gone = _not_stored(store, list(index.story_of))
                    if gone:
                        self._touch(map(index.story_of.get, gone))
                        index.drop(gone)
                        changed = True
            except BaseException:  # changed in part: the next shelf is made whole, and the
                self._touched = self._since_saved = None  # next page of the newest found anew
                raise
            if (
                changed
                or self._unsaved
                or (keeper is None and not self.path.exists())
                or (keeper is not None and self._rewritten)
            ):
                self.save(store)
            elif keeper is None and self._since_saved:  # only headlines rewritten: the
                self._save_newest(store, version_of(self.path))  # file stands, the page not
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
        # the words of the cycle's articles, read as they are stored (not by a screen's
        # process, which paces its grouping: reading them early would compete with it)
        self.readings: Readings | None = None if pace else Readings()
        self._reading_skipped = False  # this cycle's grouping is left to another process
        self._reads: list[Future[None]] = []  # the readings asked this cycle
        self._updates: list[Future[list[str]]] = []  # the groupings asked, until done

    def read_ahead(self, records: list[Record]) -> None:
        """Read the words of articles about to be stored, in the desk's thread, while the
        poll goes on (called from the event loop that runs it): the grouping after the poll
        has only to weigh and compare them (the same stories, sooner)."""
        if self.readings is None or not self.store.is_writer:
            return
        if self._grouper is None:
            self._grouper = ThreadPoolExecutor(1, thread_name_prefix="wirewatch-stories")
        self._reads.append(
            self._grouper.submit(self._read, [(r.id, r.title, r.summary) for r in records])
        )

    def _read(self, texts: list[tuple[str, str, str]]) -> None:
        """(The desk's thread.) Read these (id, title, summary) ahead, unless this cycle's
        grouping is left to another process."""
        readings = self.readings
        assert readings is not None
        try:
            if self._reading_skipped:
                return
            # a first grouping this process leaves to another: nothing read is wanted (a
            # first refresh of 2,000 feeds read 100,000 articles' words for nothing)
            if self._skipped(len(readings) + len(texts)):
                self._reading_skipped = True
                readings.clear()
                return
            readings.read(texts)
        except StoreError:  # (the database away: its grouping says so)
            readings.clear()
        except Exception:  # only early: they are read when grouped
            log.exception("reading the articles' words ahead of their grouping failed")

    def after_cycle(self, cycle: Cycle) -> None:
        """Group the cycle's articles in the desk's own thread, one cycle after another
        (from whichever thread or event loop ran the cycle)."""
        if not self.store.is_writer:
            return
        if self._grouper is None:
            self._grouper = ThreadPoolExecutor(1, thread_name_prefix="wirewatch-stories")
        # readings not begun yet: the grouping reads those articles itself, no later, and
        # is the work under way that `close` lets finish (not one queued behind them)
        reads, self._reads = self._reads, []
        for read in reads:
            read.cancel()
        self._updates = [update for update in self._updates if not update.done()]
        self.running = self._grouper.submit(
            self._update,
            list(cycle.new_ids),
            cycle.removed > 0,
            list(cycle.revised_ids),
            list(cycle.renames),
        )
        self._updates.append(self.running)

    def close(self) -> None:
        """Let the grouping under way (the first not done: it may wait behind a reading)
        finish, its stories saved, and drop the readings and groupings queued; a cycle after
        this (the dashboard's `r` polling again) starts a thread anew."""
        grouper, self._grouper = self._grouper, None
        if grouper is None:
            return
        reads, self._reads = self._reads, []
        for read in reads:
            read.cancel()
        queued = [update for update in self._updates if not update.done()]
        self._updates = []
        for update in queued[1:]:
            update.cancel()
        grouper.shutdown(wait=True)
        if self.readings is not None:  # (what a cancelled grouping would have let go)
            self.readings.clear()
        self._reading_skipped = False

    def _update(
        self,
        new_ids: list[str],
        removed: bool,
        revised: Iterable[str] = (),
        renames: Iterable[tuple[str, str]] = (),
    ) -> list[str]:
        """The ids grouped (see `StoryBook.update`); none when grouping failed."""
        try:
            if self._skipped():
                log.info(
                    "stories: %s and no stories yet; the next poll or dashboard groups them",
                    counted(len(self.store), "article"),
                )
                return []
            first, began = self.book.index is None, time.monotonic()
            grouped = self.book.update(
                self.store, new_ids, removed, self.pace, revised, renames, self.readings
            )
            index = self.book.index
            if first and index is not None:  # once a process: a restart's restore can be long
                log.info(
                    "stories: %s of %s ready in %.1f s",
                    counted(len(index.members), "story", "stories"),
                    counted(len(index.story_of), "article"),
                    time.monotonic() - began,
                )
            return grouped
        except StoreError as exc:  # (the database away): said in a line, grouped later
            log.error("stories: %s; the articles are grouped at a later cycle", exc)
            return []
        except Exception:  # the stories are derived: a failure costs them, never the poll
            log.exception("grouping the cycle's articles into stories failed")
            return []
        finally:
            if self.readings is not None:  # what this cycle's grouping did not ask: not kept
                self.readings.clear()
            self._reading_skipped = False

    def _skipped(self, coming: int = 0) -> bool:
        """Whether the first grouping of a store with no stories is left to another process
        (`cold_limit`); `coming`: articles of the cycle that may not be stored yet."""
        if self.cold_limit is None or self.book.index is not None:
            return False
        stored = max(len(self.store), coming)
        return stored > self.cold_limit and not self.book.saved(self.store)


def add_paced(
    index: StoryIndex, items: list[Item], pace: bool, readings: Readings | None = None
) -> None:
    """Group `items` as `index.add` does (`readings`: their words read ahead, if they were);
    with `pace`, a slice at a time in time order with a rest after each. The stories are the
    same: articles are placed one by one in time order, each against the articles of its
    window."""
    if not pace:
        index.add(items, readings or None)  # (none read: nothing to look up)
        return
    # ordered a step at a time: one sort of a million articles (a first grouping of a big
    # store) held the interpreter for a fifth of a second, a freeze of the screen beside it
    ordered = sorted_stepwise(items, TIME_THEN_ID, give_way)
    took = 0.0
    for start in range(0, len(ordered), SLICE_ARTICLES):
        if start:
            time.sleep(REST_FACTOR * took)
        began = time.thread_time()
        index.add(ordered[start : start + SLICE_ARTICLES], readings or None)
        took = time.thread_time() - began
        give_way()


# fetches this far apart or more were of two poll cycles (a cycle's sources answer within
# moments of each other; two cycles are an interval apart)
CYCLE_GAP = 60.0


def _as_they_arrived(items: list[Item], arrived: array[float], pace: bool) -> list[list[Item]]:
    """The articles in the batches the poll cycles brought them in (`CYCLE_GAP` apart; each
    `arrived` then), oldest first: grouped so, a story is named after the article that
    began it as the cycles came (not a report dated earlier that came later), and a
    stories file made again names its stories as before, where the cycles can be told apart
    (fetches of sources that come due one after another run together)."""
    places = range(len(items))  # (ties: in the store's order)
    order = (
        sorted_stepwise(list(places), arrived.__getitem__, give_way)  # a screen beside it
        if pace
        else sorted(places, key=arrived.__getitem__)
    )
    batches: list[list[Item]] = []
    last = -math.inf
    for place in order:
        at = arrived[place]
        if at - last >= CYCLE_GAP or not batches:
            batches.append([])
        batches[-1].append(items[place])
        last = at
    return batches


def _chunks(ids: list[str]) -> Iterable[list[str]]:
    return chunks(ids, READ_CHUNK)  # (this module's READ_CHUNK, as tests set it)


def _not_stored(store: ArticleStore, ids: list[str]) -> list[str]:
    """The ids (in that order) of articles the store no longer holds, asked a chunk at a
    time of what it holds in memory (not an article read back)."""
    gone: list[str] = []
    for chunk in _chunks(ids):
        held = {i for i, _ in store.reported(chunk)}
        gone += [i for i in chunk if i not in held]
    return gone


def _recent_items(store: ArticleStore, ids: list[str]) -> list[Item]:
    """The articles (of `ids`, in that order) first reported within two windows of the
    newest: what restored stories compare new articles with. Their times are read first,
    from what the store holds in memory; only the recent articles are read whole, a chunk
    at a time in date order (a lean store read a million back to keep a fifth of them)."""
    newest, recent = 0.0, []
    for chunk in _chunks(ids):
        times = store.reported(chunk)
        newest = max(newest, *(when for _, when in times)) if times else newest
        recent += [(i, when) for i, when in times if when >= newest - 2 * WINDOW]
    kept = [i for i, when in recent if when >= newest - 2 * WINDOW]
    del recent
    return [_item(record) for chunk in _chunks(kept) for record in store.records(chunk)]


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
        backlog = UndatedBacklog(store)
        for sid, records in _read_whole(index, store, ids):
            if len(members.get(sid, ())) == 1:
                out.append(single_story(sid, records[0]))
            else:
                out.append(made_story(sid, records, backlog.among(records)))
        return sorted_stepwise(out, newest_first, give_way)


def _read_whole(
    index: StoryIndex, store: ArticleStore, ids: list[str]
) -> Iterator[tuple[str, list[Record]]]:
    """The stories of these articles (of the store's, in date order), each with its articles
    as read once the last of them is: read a chunk at a time (a store that reads them back
    from disk reads each shard about once), only the headline and times of those of stories
    still open kept meanwhile (`headline_record`; a story of one, its record as read); the
    stories some of whose articles are not among `ids` last."""
    members, story_of = index.members, index.story_of
    open_stories: dict[str, list[Record]] = {}
    for chunk in _chunks(ids):
        give_way()  # a filter typed meanwhile goes first
        for record in giving_way(store.headlines(chunk)):
            sid = story_of[record.id]
            wanted = len(members.get(sid, ()))
            if wanted == 1:
                yield sid, [record]
                continue
            held = open_stories.setdefault(sid, [])
            held.append(headline_record(record))
            if len(held) == wanted:
                yield sid, open_stories.pop(sid)
    yield from open_stories.items()


def newest_stories(data_dir: Path, limit: int) -> list[Story] | None:
    """(Any process, without opening the store.) The `limit` stories of newest activity, as
    the writer kept them with the stories file there now; None when it kept none with that
    file (it is being written, or was written by a process that keeps none) or fewer."""
    kept = read_newest(data_dir / NEWEST_FILE, version_of(data_dir / FILE))
    if kept is None:
        return None
    stories, every = kept
    return stories[:limit] if every or len(stories) >= limit else None


@dataclass(slots=True)
class Lead:
    """How a source did against the others on stories several sources carried."""

    first_reports: int = 0
    median_lag: float | None = None  # seconds behind the first report


def leads(stories: list[Story], store: ArticleStore) -> dict[str, Lead]:
    """Per source, over the stories of two or more sources: how many it reported first, and
    the median of how long after the first report its own first article came (one
    aggregator's feed alone carrying a story of several outlets led no other source).

    Their articles' times are asked of the store a batch of stories at a time
    (`headlines`, about READ_CHUNK articles): a store that reads them back from disk reads
    each shard once a batch (asked one article at a time, a viewer read one shard file
    back thousands of times, and `wirewatch sources` took half a minute at 40,000
    articles)."""
    lags: dict[str, list[float]] = {}
    firsts: Counter[str] = Counter()
    backlog = UndatedBacklog(store)
    for batch in _story_batches(s for s in stories if len(s.sources) >= 2):
        held = {r.id: r for r in store.headlines([i for s in batch for i in s.articles])}
        for story in batch:
            records = [r for i in story.articles if (r := held.get(i)) is not None]
            _lead(story, records, backlog, firsts, lags)
    return {
        source: Lead(firsts[source], statistics.median(values)) for source, values in lags.items()
    }


def index_leads(index: StoryIndex, store: ArticleStore) -> dict[str, Lead]:
    """`leads` of the stories as grouped (`StoryBook.read`), without making every story
    first: only the articles of stories of two or more are read, each once, in date order
    as `stories_of` reads them (`wirewatch sources` read every headline to make every
    story, then those of several sources again)."""
    members, story_of = index.members, index.story_of
    lags: dict[str, list[float]] = {}
    firsts: Counter[str] = Counter()
    backlog = UndatedBacklog(store)
    with collector_paused():
        dated = store.query_ids(limit=store.list_window)
        ids = [
            i
            for i in giving_way(dated, STEP_IDS)
            if (sid := story_of.get(i)) is not None and len(members.get(sid, ())) >= 2
        ]
        for sid, records in _read_whole(index, store, ids):
            story = made_story(sid, records, backlog.among(records))
            if len(story.sources) >= 2:
                _lead(story, records, backlog, firsts, lags)
    return {
        source: Lead(firsts[source], statistics.median(values)) for source, values in lags.items()
    }


def _story_batches(stories: Iterable[Story]) -> Iterable[list[Story]]:
    """The stories in turn, as many at a time as hold about READ_CHUNK articles (a story
    with more, alone)."""
    batch: list[Story] = []
    size = 0
    for story in stories:
        if batch and size + len(story.articles) > READ_CHUNK:
            yield batch
            batch, size = [], 0
        batch.append(story)
        size += len(story.articles)
    if batch:
        yield batch


def _lead(
    story: Story,
    records: list[Record],
    backlog: UndatedBacklog,
    firsts: Counter[str],
    lags: dict[str, list[float]],
) -> None:
    """(`leads`.) One story's part: its first report counted for the outlet's own source,
    and each source's lag behind it."""
    # a first poll's undated backlog reported nothing it can be timed by: not the first
    # report, nor a lag (a source added late had as much lag as it was late)
    untimed = backlog.among(records)
    reporting = [r for r in records if r.id not in untimed]
    if not reporting or story.first_id in untimed:  # (no time but fetches: no lead)
        return
    # the outlet that reported it first, where it is a source here (an aggregator's feed
    # that carried its report first led no one: the outlet did)
    teller = name_key(story.first_teller)
    leader = next((s for s in story.sources if name_key(s) == teller), None)
    if leader is not None:
        firsts[leader] += 1
    seen: dict[str, float] = {}  # each outlet's first report, never later than fetched
    for record in reporting:
        when = last_seen(record)
        if when < seen.get(record.source, math.inf):
            seen[record.source] = when
    for source, when in seen.items():
        lags.setdefault(source, []).append(max(0.0, when - story.first_seen))
