"""What the headlines pane draws, read from the store in a thread: an article row's article
and its revised and pulled marks, a story row's mark. The pane draws from what was read, so a
repaint asks the store nothing (on PostgreSQL every read is a query, which must not run on the
screen's loop)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from fetchers.models import Article
from fetchers.query import Record
from fetchers.store import ArticleStore
from fetchers.store.codec import article_of
from fetchers.story import Story
from fetchers.storyshelf import StoryShelf


@dataclass(slots=True, frozen=True)
class Row:
    """One article row as drawn."""

    article: Article
    revised: bool  # its source changed its headline or summary
    pulled: bool = False  # its feed took it down (`fetchers.pulled`)


@dataclass(slots=True)
class Rows:
    """Rows read for the pane: article rows by article id, story marks by story id."""

    articles: dict[str, Row] = field(default_factory=dict)
    marks: dict[str, str] = field(default_factory=dict)


GAP = ""  # a row of a list not read yet: about a filter's first page and the part read


@dataclass(slots=True, frozen=True)
class Place:
    """Where the pane stands, so a thread can read the rows around the place it will keep
    in a new list of ids: the highlighted id, its row and that row's line on screen."""

    current: str | None
    cursor: int
    line: int
    height: int
    keep: bool = True  # False: the new list starts at its top (another kind of rows)
    # when `current` is not in the new list: the first row holding one of these (a story's
    # articles, for the headlines switched to from its row)
    or_any: frozenset[str] = frozenset()


def position(ids: Sequence[str], place: Place, hint: int | None = None) -> int:
    """Where the highlighted id is in `ids` (or, not there, the first of `place.or_any`);
    -1 when it is not there (or none is highlighted). Found once, in the query's thread, for
    the rows read there and the pane: each scan of a million ids holds the interpreter about
    30 ms. `hint`: where a part of the same list placed it, taken when it is still there (no
    scan)."""
    if place.current is not None:
        if hint is not None and 0 <= hint < len(ids) and ids[hint] == place.current:
            return hint
        try:
            return ids.index(place.current)
        except ValueError:
            pass
    if place.or_any:
        return next((n for n, ident in enumerate(ids) if ident in place.or_any), -1)
    return -1


def found_at(ids: Sequence[str], place: Place, found: int) -> tuple[str | None, int]:
    """The id `position` found for `place` (its highlighted id, or the row it lands on
    instead) and where: what the pane is told (`HeadlineList.set_ids`)."""
    return (ids[found] if 0 <= found < len(ids) else place.current), found


def around(ids: Sequence[str], place: Place, found: int | None = None) -> list[str]:
    """The ids the pane will show for `place` (as `HeadlineList.set_ids` places them), with
    a screenful either side. `found`: `position(ids, place)`, when known."""
    if not ids:
        return []
    top = 0
    if place.keep:
        index = min(place.cursor, len(ids) - 1)
        if found is None:
            found = position(ids, place)
        if found >= 0:
            index = found
        top = max(0, index - place.line)
    height = max(1, place.height)
    return [i for i in ids[max(0, top - height) : top + 2 * height] if i != GAP]


def drawn_from_top(place: Place) -> int:
    """How many rows from the top of a list `around` reads for `place` when the highlighted
    id is not in it: the rows down to a screenful below the cursor's screen."""
    top = max(0, place.cursor - place.line) if place.keep else 0
    return top + 2 * max(1, place.height)


def story_mark(records: Iterable[Record]) -> str:
    """ "*" when an article of the story is starred, "+" when one is unread, "*+" when both
    (a story starred to follow it shows its new reports), else " "."""
    starred = unread = False
    for record in records:
        starred = starred or record.starred
        unread = unread or not record.read
        if starred and unread:
            break
    return ("*" if starred else "") + ("+" if unread else "") or " "


def read_rows(store: ArticleStore, ids: Iterable[str], shelf: StoryShelf | None = None) -> Rows:
    """(In a thread.) The rows of these ids: of stories in `shelf` when given, else of
    articles."""
    wanted = list(ids)
    if shelf is not None:
        stories = [s for s in map(shelf.by_id.get, wanted) if s is not None]
        return Rows(marks=read_marks(store, stories))
    rows = {
        r.id: Row(article_of(r), r.revised is not None, r.pulled is not None)
        for r in store.records(wanted)
    }
    return Rows(articles=rows)


def read_marks(store: ArticleStore, stories: Iterable[Story]) -> dict[str, str]:
    """(In a thread.) Each story's mark, its articles read in one go."""
    stories = list(stories)
    records = {r.id: r for r in store.records([i for s in stories for i in s.articles])}
    return {s.id: story_mark(records[i] for i in s.articles if i in records) for s in stories}


def reread(store: ArticleStore, ids: Iterable[str], shelf: StoryShelf | None) -> Rows:
    """(In a thread.) These articles' rows, and the marks of the stories in `shelf` that
    hold them: what changes when their read or starred marks change."""
    wanted = list(ids)
    rows = read_rows(store, wanted)
    if shelf is not None:
        stories = {s.id: s for s in map(shelf.story, wanted) if s is not None}
        rows.marks = read_marks(store, stories.values())
    return rows
