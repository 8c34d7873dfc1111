"""The page of the newest stories (`NEWEST_FILE`): the first `NEWEST_KEPT` stories as
`wirewatch stories` prints them, kept by the writer beside the stories file they go with, so
that a command asking for a page of them reads no article. Each save mends the last page with
the stories the cycle changed; when that is not known, no page goes with the file before, or
too few of the page are left certain, the newest are found among every story.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import orjson

from fetchers.foreground import giving_way
from fetchers.heap import collector_paused
from fetchers.stories import StoryIndex
from fetchers.story import (
    STEP_MOVED,
    Story,
    UndatedBacklog,
    last_activity,
    made_stories,
    newest_first,
)

if TYPE_CHECKING:
    from fetchers.store import ArticleStore

NEWEST_FILE = "stories-newest.json"
# 2: a story's last activity never later than its articles' fetching; 3: its outlets those
# an aggregator credits (a page kept before counted the feed); 4: a first poll's undated
# backlog is no activity (`fetchers.story.UndatedBacklog`)
NEWEST_FORMAT = 4
NEWEST_KEPT = 1000  # stories kept there (a list of them is asked for twenty or so)


def version_of(path: Path) -> list[int] | None:
    """What tells one version of a file from another: its size, change time and inode (a
    derived file is written anew, never changed in place)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns, stat.st_ino]


def page_bytes(stories: list[Story], every: bool, version: list[int] | None) -> bytes:
    """The page as written: these stories, whether they are every story, and the version of
    the stories file they go with (`version_of`)."""
    return orjson.dumps(
        {
            "format": NEWEST_FORMAT,
            "of": version,
            "all": every,
            "stories": [{"id": story.id, **story.to_record()} for story in stories],
        }
    )


def read_newest(path: Path, version: list[int] | None) -> tuple[list[Story], bool] | None:
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


def _activity(store: ArticleStore, ids: Iterable[str], backlog: UndatedBacklog) -> float | None:
    """A story's last activity from its stored articles (as `made_story` takes it), from the
    writer's records in memory; None when none is stored."""
    records = [record for record in map(store.record, ids) if record is not None]
    if not records:
        return None
    return last_activity(records, backlog.among(records) if len(records) > 1 else ())


def newest_of_all(index: StoryIndex, store: ArticleStore) -> tuple[list[Story], bool]:
    """The `NEWEST_KEPT` stories of newest activity among every story, and whether that is
    all of them."""
    members = index.members
    backlog = UndatedBacklog(store)
    with collector_paused():
        ranked = (
            (-last, sid)
            for sid, ids in giving_way(members.items(), STEP_MOVED)
            if (last := _activity(store, ids, backlog)) is not None
        )
        found = heapq.nsmallest(NEWEST_KEPT + 1, ranked)
    every = len(found) <= NEWEST_KEPT
    chosen = [sid for _, sid in found[:NEWEST_KEPT]]
    stories = made_stories(store, chosen, members, backlog).values()
    return sorted(stories, key=newest_first), every


def mended_newest(
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
    last = newest_first(stories[-1]) if stories else None
    backlog = UndatedBacklog(store)
    remade = []
    for sid in sorted(changed):
        ids = members.get(sid)
        seen = _activity(store, ids, backlog) if ids else None
        if seen is not None and (every or last is None or (-seen, sid) <= last):
            remade.append(sid)
    merged = [story for story in stories if story.id not in changed]
    merged += made_stories(store, remade, members, backlog).values()
    merged.sort(key=newest_first)
    if not every and last is not None:
        merged = [story for story in merged if newest_first(story) <= last]
    if len(merged) > NEWEST_KEPT:
        return merged[:NEWEST_KEPT], False
    if not every and len(merged) < NEWEST_KEPT // 2:
        return None
    return merged, every
