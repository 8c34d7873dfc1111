"""What a dashboard and the query language ask of stories: every story at one moment
(`StoryShelf`), mended after a cycle from the stories it changed (`restacked`, and
`changed_since` to find a viewer's), and the grouping's own index asked directly
(`StoryLookup`); each answers `story:ID` and `outlets:>=N`.
"""

from __future__ import annotations

import functools
import heapq
from collections.abc import Callable, Collection, Mapping, Sequence
from itertools import chain, filterfalse, repeat
from operator import attrgetter
from typing import TYPE_CHECKING

from fetchers.foreground import give_way, giving_way
from fetchers.query import Record, name_key
from fetchers.stories import StoryIndex
from fetchers.story import (
    READ_CHUNK,
    STEP_IDS,
    STEP_MOVED,
    STORY_STEP,
    Story,
    UndatedBacklog,
    chunks,
    headline_record,
    made_story,
    newest_first,
    outlet_of,
    single_story,
)

if TYPE_CHECKING:
    from fetchers.store import ArticleStore


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
            headlines = self.store.headlines(self.index.members[sid])
            outlets = {name_key(outlet_of(record)) for record in headlines}
            count = self._outlets[sid] = max(1, len(outlets))
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
                if (outlets := story.outlets) > 1
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
        for chunk in chunks([i for sid in remade_ids for i in members[sid]], READ_CHUNK):
            read = store.headlines(chunk)  # (up to READ_CHUNK of them: tens of ms to make)
            held.update((r.id, headline_record(r)) for r in giving_way(read, STEP_MOVED))
        remade: list[Story] = []
        backlog = UndatedBacklog(store)
        for sid in giving_way(remade_ids, STORY_STEP):
            records = [held[i] for i in members[sid] if i in held]
            if not records:
                continue
            if len(records) == 1 and len(members[sid]) == 1:
                remade.append(single_story(sid, records[0]))
            else:
                remade.append(made_story(sid, records, backlog.among(records)))
        remade.sort(key=newest_first)
        kept = [story for story in giving_way(self.stories, STEP_MOVED) if story.id not in touched]
        stories = list(giving_way(heapq.merge(kept, remade, key=newest_first), STEP_MOVED))
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
        if story.outlets > 1:
            out.setdefault(story.outlets, []).extend(story.articles)
    return out
