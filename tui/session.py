"""The dashboard's hold on its data: the store, the newsroom that polls into it, and what a
viewer keeps for itself. The panes read and change articles and events only through it.

Every method but `page_text` reads the store (a viewer's read takes the store's lock and the
shard's file; on PostgreSQL each is a query) or the disk, so the panes call them from thread
workers and never on the screen's thread; each returns what the message that ends the worker
carries.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Collection, Coroutine
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any, Literal, TypeVar

from fetchers.config import Config
from fetchers.events import EventBookError
from fetchers.heap import HeapSettler, collector_paused, settle_on_resume
from fetchers.http import preload as preload_network
from fetchers.liveness import Waking, WriterState
from fetchers.models import Article, Clock, Event, SourceHealth
from fetchers.newsroom import Cycle, Newsroom
from fetchers.parsepool import ParsePool
from fetchers.poller import Poller, PollProgress
from fetchers.query import (
    Query,
    QueryError,
    Record,
    dated_within,
    name_key,
    parse_query,
    swept,
)
from fetchers.relevance import RelevanceError, SortOrder, by_relevance
from fetchers.store import ArticleStore, MarksNotSaved, StoreError, StoreLocked
from fetchers.store.codec import article_of
from fetchers.store.factory import open_store
from fetchers.stories import credited_outlet
from fetchers.storybook import (
    Lead,
    StoryBook,
    StoryDesk,
    leads,
    saved_shelf,
    stored_stories,
    stories_found,
)
from fetchers.storyshelf import StoryShelf
from fetchers.suggest import Suggestions, scan
from tui.rows import GAP, Place, Row, Rows, drawn_from_top, read_rows, reread

T = TypeVar("T")
FIRST_PAINT_ARTICLES = 2000  # opened first, so the screen fills before the whole store loads
FIRST_PAGE = 300  # matches a filter over a big store paints first, before the whole list
FIRST_PAGE_FROM = 200_000  # stored articles from which a filter paints its first page first
# seconds between a viewer's whole story shelves; between them it mends the last one, where a
# headline rewritten with no article joining or leaving its story keeps its old story row
WHOLE_SHELF_AFTER = 600.0
EventChange = Literal["add", "edit", "remove"]
CountBy = Literal["source", "tag"]
Mark = Literal["read", "starred"]

UNREAD_CHUNK = 500  # rows whose marks `next_unread` asks for at a time


@dataclass(slots=True)
class Matches:
    """The ids matching a query, newest first; how many are stored in all; how many match
    each event's own query (by the query's text: two events of one name may ask apart)."""

    ids: list[str]
    total: int
    event_counts: dict[str, int] | None = None  # None: not counted this time
    problem: str | None = None  # why they are newest first though relevance was asked for
    ranked: bool = False  # by relevance (asked for, with words to rank by, and ranked)
    stories: list[str] | None = None  # the stories of `ids`, newest activity first, when asked
    more: bool = False  # more match than the store lets a dashboard list (`ids` the newest)
    # the first page only (and maybe the part of the list about the pane's place, `GAP`
    # rows about them): the whole list, in the same order, follows
    partial: bool = False
    found: int | None = None  # the highlighted article's row (-1: none), when a part placed it
    # the stories the store found for the filter (of `stories`), when it answers story
    # filters itself, and how many stories it keeps in all: `stories` and `more` then count
    # stories, not articles, and `ids` is empty
    shelf: StoryShelf | None = None
    story_total: int | None = None
    # nothing matched: what to say of a source: or tag: that names none (`unknown_names`)
    unknown: list[str] = field(default_factory=list)

    @property
    def counted(self) -> bool:
        """Partial, yet as long as the whole list (a part placed it): how many match is known."""
        return self.partial and self.found is not None


@dataclass(slots=True)
class Reading:
    """One article as the article pane shows it: its stored or fetched text and the
    countdowns it suggests (or why it suggests none)."""

    article: Article | None
    text: str | None
    suggestions: Suggestions
    also: list[str] = field(default_factory=list)  # the other outlets of its story
    # its full text was stored before its source last revised it (`f` fetches it again)
    text_older: bool = False
    pulled: datetime | None = None  # when its feed was first seen to have taken it down


@dataclass(slots=True)
class History:
    """What an article said before its source changed it: its earlier headlines and
    summaries and its full texts (each oldest first), and when it was last revised."""

    article: Article
    revisions: list[dict[str, str]]
    texts: list[dict[str, str | None]]  # earlier full texts, then today's (empty: never changed)
    revised: datetime | None


@dataclass(slots=True)
class Reload:
    """What a viewer saw at its last look at the store another process writes."""

    new_ids: list[str]
    health: dict[str, SourceHealth]
    writer: WriterState
    gone: int = 0  # articles the writer's retention removed since the last look
    revised: int = 0  # articles the writer gave another headline since (0: not known)
    renamed: int = 0  # articles the writer gave their source's new name since (0: not known)
    rewritten: int = 0  # of `revised`, those told by id: their stories' headlines made again
    marks: bool = False  # another process may have changed a read or starred mark since
    # headlines starred here since the last look that the writer's retention had removed
    # before the star reached it (their day was past `retention_days`): gone all the same
    lost_stars: list[str] = field(default_factory=list)


def _after(one: Record, other: Record) -> bool:
    """Whether `one` comes after `other` in the date order (newest first; equal times by
    the day they were fetched, then in the order stored, as every store lists them and
    numbers them: `Record.seq`). An article before a first page's last row that the page
    leaves out does not match."""
    return (-one.at, one.seq) > (-other.at, other.seq)


class Session:
    """One opened store and its newsroom (a writer's polls; a viewer's only reads)."""

    def __init__(
        self,
        config: Config,
        data_dir: Path,
        clock: Clock,
        local: tzinfo,
        newsroom: Newsroom,
        parse_pool: ParsePool | None,
    ) -> None:
        self.config = config
        self.data_dir = data_dir
        self.clock = clock
        self.local = local
        self.newsroom = newsroom
        self.parse_pool = parse_pool  # a writer's parse workers, warmed by prepare_polling
        # why this viewer could not be the writer as it opened, when it was asked to be (a
        # read-only data dir): none polls here, whatever the status line would offer
        self.cannot_write: str | None = None
        self.opened_health = dict(newsroom.health)  # as stored when the store was opened
        self._fetched_texts: dict[str, str] = {}  # full texts a viewer fetched (not stored)
        self._marks_guard = threading.Lock()  # a toggle's look and change, one at a time
        # the disk refusing the marks (full, read-only): why, while it does, and what to say
        # of it next (said once, not at every article read, and once when it takes them)
        self.marks_refused: MarksNotSaved | None = None
        self._marks_notice: tuple[str, bool] | None = None
        # refused as the store's server was out of reach: written once it answers again
        # (`write_held_marks`), not with the next mark alone
        self.marks_await_server = False
        # (a viewer's, for `Reload.lost_stars`) id -> its headline, "" when not read
        self._starred_since_look: dict[str, str] = {}
        self.shelf: StoryShelf | None = None  # the stories last read (set on the UI thread)
        self._whole_shelf_at = 0.0  # when a viewer last made its shelf whole (monotonic)
        # articles a viewer's reloads found renamed (their source's) or rewritten (their
        # headline), whose stories are made again until a shelf made with them is the one
        # shown (`read_stories`)
        self._remake: set[str] = set()
        self._remade_into: tuple[StoryShelf, set[str]] | None = None  # last made, with
        self._remake_guard = threading.Lock()
        # the stories a store found for the story view's last filter (None: the pane lists
        # `shelf`'s, or articles), whose rows a change of marks reads again
        self._listed: StoryShelf | None = None
        self._shelf_start: tuple[StoryShelf, float | None] | None = None  # its oldest's time
        self._total: int | None = None  # how many articles the store held when last counted
        # the writer's poll under way, as its poller last told (None: none runs), and the
        # articles its poller had written (new or revised) by then, kept after the poll: the
        # total counted before that is counted again (`total`)
        self.progress: PollProgress | None = None
        self.written = 0
        self._total_written = 0  # `written` when the total was last counted
        self._waking = Waking()  # a viewer's looks at the writer, told of a suspend between
        # The newsroom polls in an event loop of its own, in a thread of its own (`poll`):
        # what a cycle does between its awaits never holds up the screen's loop.
        self._poll_guard = threading.Lock()
        self._poll_loop: asyncio.AbstractEventLoop | None = None
        self._poll_stop: asyncio.Event | None = None
        self._closed = False
        self._polled = threading.Event()  # set while no poll runs: its close is done
        self._polled.set()
        # what the threads beside the screen make while the collector is paused is put out
        # of its sight as it resumes once it is many objects, not walked by its next pass on
        # the screen's thread (`HeapSettler`)
        self._unsettle = settle_on_resume(HeapSettler())

    @classmethod
    def open(
        cls, config: Config, data_dir: Path, clock: Clock, local: tzinfo, writer: bool
    ) -> Session:
        """Open the store's newest days (the rest loads in `load_rest`); as the writer when
        `writer` and no other process holds the lock, else as a viewer."""
        cannot_write: str | None = None
        try:
            store = open_store(config.store, data_dir, writer=writer, first=FIRST_PAINT_ARTICLES)
        except StoreLocked:
            store = open_store(config.store, data_dir, first=FIRST_PAINT_ARTICLES)
        except StoreError as refused:
            if not writer:
                raise
            try:  # a data dir it may read but not write (read-only): its articles shown
                store = open_store(config.store, data_dir, first=FIRST_PAINT_ARTICLES)
            except StoreError:
                raise refused from None
            cannot_write = str(refused)
            store.problems.append(f"cannot poll here ({refused}); showing the store as it is")
        if not store.is_writer:
            # a first look now, before the first list: a database's viewer hears the
            # writers' announcements from here on (a deletion announced before it listens
            # would never be heard; what was stored meanwhile is read at the first list)
            store.reload()
        # A writer's parse workers start only when warmed, after the whole store is loaded.
        pool = ParsePool() if store.is_writer else None
        stories = StoryDesk(store, data_dir, pace=True)  # the screen keeps the interpreter
        newsroom = Newsroom(config, store, data_dir, clock, parse_pool=pool, stories=stories)
        session = cls(config, data_dir, clock, local, newsroom, pool)
        session.cannot_write = cannot_write
        return session

    @property
    def store(self) -> ArticleStore:
        return self.newsroom.store

    @property
    def is_writer(self) -> bool:
        return self.store.is_writer

    @property
    def problems(self) -> list[str]:
        """What opening the store found wrong and worked around, for the user to read."""
        return list(self.store.problems)

    def get(self, ident: str) -> Article | None:
        """(In a thread.) One article by id."""
        return self.store.get(ident)

    def records(self, ids: list[str]) -> list[Record]:
        """(In a thread.) The stored articles of these ids, in that order, read in one go."""
        return self.store.records(ids)

    def rows(self, ids: list[str], shelf: StoryShelf | None) -> Rows:
        """(In a thread.) What the headlines pane draws for these ids (of stories in
        `shelf` when given)."""
        return read_rows(self.store, ids, shelf)

    def reread(self, ids: list[str]) -> Rows:
        """(In a thread.) These articles' rows and their stories' marks, after their marks
        changed."""
        listed = self._listed
        return reread(self.store, ids, listed if listed is not None else self.shelf)

    # -- loading ----------------------------------------------------------------------------
    def load_rest(self) -> None:
        """Load the days the first paint left out, then keep the collector off the articles."""
        with collector_paused():  # settled as it resumes: the loaded articles go out of sight
            if not self.store.complete:
                self.store.load_rest()

    def prepare_polling(self) -> None:
        """Import the network stack and start the parse workers, so the first cycle does not
        wait for them."""
        preload_network()
        if self.parse_pool is not None:
            self.parse_pool.warm()

    def take_over(self) -> None:
        """Become the writer of a store whose poller has gone (StoreLocked when it is back),
        with a newsroom that polls; StoreError when the data dir cannot be written here."""
        self.store.take_over()
        self.cannot_write = None
        self.parse_pool = ParsePool()
        self.newsroom = Newsroom(
            self.newsroom.config,  # as last read (the file may have changed since the start)
            self.store,
            self.data_dir,
            self.clock,
            parse_pool=self.parse_pool,
            stories=StoryDesk(self.store, self.data_dir, pace=True),
        )
        self.prepare_polling()

    def reload(self) -> Reload:
        """A viewer's look at what the writer has written since the last one (and at the
        config file: the sources a poller added are this screen's too)."""
        if self.newsroom.config_changed():
            self.newsroom.reload_config("the config file changed")
        with self._marks_guard:
            starred, self._starred_since_look = self._starred_since_look, {}
        new = self.store.reload()
        lost: list[str] = []
        if starred:  # a star the writer's retention did not see: it dropped the day before
            kept = {r.id for r in self.store.records(starred)}
            lost = [title for ident, title in starred.items() if ident not in kept]
        health = self.newsroom.healthbook.load()
        store = self.store
        renamed = store.renamed_at_reload()
        rewritten = store.rewritten_at_reload()
        with self._remake_guard:
            self._remake.update(renamed, rewritten)
        return Reload(
            new,
            health,
            self._waking.judged(store.writer_state()),
            store.gone_at_reload(),
            store.revised_at_reload(),
            len(renamed),
            len(rewritten),
            store.marks_changed(),
            lost,
        )

    def leads(self) -> dict[str, Lead]:
        """(In a thread.) Who reported first, per source, over the stories on the shelf (none
        before they are read)."""
        shelf = self.shelf
        return leads(shelf.stories, self.store) if shelf is not None else {}

    def read_stories(self) -> StoryShelf:
        """(In a thread, once every day is loaded.) The stories as they are now: a writer's
        as its newsroom groups them after each cycle; a viewer's from the file the writer
        keeps, with what the file lacks grouped in memory. A viewer of a store that bounds
        what a dashboard lists (`list_window`) and keeps the stories (PostgreSQL) takes the
        newest stories as the grouping poller saved them, up to the window (a filter asks
        the store, `matches`); before any is saved it groups the newest articles only."""
        if self.is_writer:
            book = self.newsroom.story_desk.book
            return book.shelf(self.store, pace=True)  # the screen first
        window = self.store.list_window
        if window is not None:
            shelf = saved_shelf(self.store, window)
            if shelf is not None:
                return shelf
        last = self.shelf  # mended, not made whole: a million stories take 20 s of CPU
        if last is None or time.monotonic() - self._whole_shelf_at > WHOLE_SHELF_AFTER:
            last, self._whole_shelf_at = None, time.monotonic()
        with self._remake_guard:
            # the renames and rewrites a shelf was made with are done once it is shown; a
            # read whose shelf was dropped (a later one asked for meanwhile) leaves them to
            # the next
            into = self._remade_into
            if into is not None and into[0] is self.shelf:
                self._remake -= into[1]
            remake = set(self._remake)
        made = StoryBook(self.data_dir).shelf(self.store, True, window, last, remake)
        with self._remake_guard:
            self._remade_into = (made, remake)
        if self._of_the_newest(made, window):  # its oldest's time read here, beside the
            self._shelf_start_of(made)  # screen, not at the first filter (`_on_shelf`)
        return made

    def close(self) -> None:
        """Stop polling and the parse workers (the store is closed by the process's exit)."""
        with self._poll_guard:
            self._closed = True
            if self._poll_loop is not None and self._poll_stop is not None:
                self._poll_loop.call_soon_threadsafe(self._poll_stop.set)
        if self.parse_pool is not None:
            self.parse_pool.close()
        self._unsettle()

    # -- polling ------------------------------------------------------------------------------
    async def poll(self, at_once: bool = False) -> None:
        """(In the poll thread's own event loop.) The newsroom's cycles whenever sources are
        due (`at_once`: every source in the first), until `close`; then its client and
        alert sender are closed."""
        stop = asyncio.Event()
        with self._poll_guard:
            if self._closed:
                return
            self._poll_loop, self._poll_stop = asyncio.get_running_loop(), stop
        self._polled.clear()
        try:
            await self.newsroom.run(stop, at_once=at_once)
        finally:
            try:
                await self.newsroom.aclose()
            finally:
                with self._poll_guard:
                    self._poll_loop = self._poll_stop = None
                self._polled.set()

    def follow_poll(self, progress: PollProgress | None) -> None:
        """(The poller's hook, on the poll thread's loop.) How far its poll is (None: it
        ended), kept for the screen's look once a second: no message for each of 2,000
        answers."""
        self.progress = progress
        if progress is not None:
            self.written = progress.written

    def unsent_alerts(self, timeout: float) -> list[str]:
        """(Once the dashboard has closed.) What its last poll's close left unshown or
        unsent, to be said on the terminal: a dashboard's log reaches no one, and the
        history keeps them as fired (never sent again). Waits up to `timeout` seconds for
        that close (the alerts' wait for what is queued)."""
        if not self._polled.wait(timeout):  # (a cycle still under way: its fetches' timeouts)
            return [
                f"alerts: the poll had not ended {timeout:g} s after the dashboard closed;"
                " alerts it could not send are not counted here"
            ]
        alerts = self.newsroom.alerts
        return list(alerts.unsent_said) if alerts is not None else []

    def _in_poll_loop(self, work: Coroutine[Any, Any, T]) -> asyncio.Future[T] | None:
        """`work` handed to the poll thread's loop (the poller's HTTP client lives there), to
        await here; None, with `work` closed, when that loop is not running (before the
        first poll or after the last: the client must never be used from two loops)."""
        with self._poll_guard:  # the loop cannot close between the look and the hand-over
            loop = self._poll_loop
            if loop is not None:
                return asyncio.wrap_future(asyncio.run_coroutine_threadsafe(work, loop))
        work.close()
        return None

    async def cycle(self) -> Cycle | None:
        """A cycle of every source now, in the poll thread's loop (a source that hangs left to
        a later cycle, as the running poller's are); None when it is not running."""
        handed = self._in_poll_loop(self.newsroom.cycle(carry=True))
        return await handed if handed is not None else None

    # -- articles -----------------------------------------------------------------------------
    def matches(
        self,
        query: Query,
        events: list[Event] | None,
        sort: SortOrder = "newest",
        stories: StoryShelf | None = None,
        recount: bool = True,
        listed: Matches | None = None,
    ) -> Matches:
        """The articles matching `query` in the order `sort` (relevance needs the query's
        words), how many match each of `events`' queries, and with `stories` the stories
        any of them is in (of a windowed shelf, those the store finds: `_stories_found`).
        `recount`: the articles may have changed, so the store's total is counted again
        (`total`). `listed`: a first page that held every match, which is not asked again."""
        window = self.store.list_window
        if listed is not None and not listed.partial:
            self._listed = None
            found = Matches(listed.ids, self.total(recount))
        elif stories is not None and stories.windowed and window is not None:
            found = self._stories_found(query, stories, window, recount)
        else:
            found = self._articles_found(query, sort, stories, window, recount)
        if events is None:
            return found
        counts: dict[str, int] = {}
        for event in events:
            if event.query and event.query not in counts:
                try:
                    counts[event.query] = self.store.count(
                        parse_query(event.query, self.clock(), self.local, self.shelf)
                    )
                except QueryError:
                    continue
        found.event_counts = counts
        return found

    def crossed(self, queries: Collection[str], then: datetime, now: datetime) -> bool:
        """Whether a stored article's time lies where a bound counted from now of one of
        these queries (since:1h, before:today) moved from `then` to `now` (`swept`): what
        it matches is otherwise now, though nothing was stored or changed. One look at the
        date order per bound moved, for one article at most."""
        for text in queries:
            for start, end in swept(text, then, now, self.local):
                if self.store.query_ids(dated_within(start, end), 1):
                    return True
        return False

    def _articles_found(
        self,
        query: Query,
        sort: SortOrder,
        stories: StoryShelf | None,
        window: int | None,
        recount: bool,
    ) -> Matches:
        """The matching articles, up to the store's window, and their stories in `stories`."""
        self._listed = None
        if stories is not None and self._of_the_newest(stories, window) and not query.is_empty:
            query = self._on_shelf(query, stories)
        ids = self.store.query_ids(query, None if window is None else window + 1)
        more = window is not None and len(ids) > window
        if more:
            del ids[window:]
        shown = None
        if stories is not None:
            shown = [s.id for s in stories.stories] if query.is_empty else stories.matching(ids)
        problem, ranked = None, False
        if sort == "relevance" and query.words:
            try:
                ids = by_relevance(self.store, self.data_dir, ids, query.words)
                ranked = shown is None  # (stories are listed by their newest activity)
            except RelevanceError as exc:
                problem = f"{exc}; newest first instead"
        return Matches(
            ids, self.total(recount), problem=problem, stories=shown, more=more, ranked=ranked
        )

    def _of_the_newest(self, shelf: StoryShelf, window: int | None) -> bool:
        """Whether `shelf` is a viewer's grouping of a database's newest `window` articles
        (a writer's holds every story)."""
        return window is not None and not self.is_writer and len(shelf.articles) <= window

    def _on_shelf(self, query: Query, shelf: StoryShelf) -> Query:
        """`query` for story rows of a database's newest articles (a shelf grouped here):
        only its articles put a story on it, so only those as new as its oldest are asked
        (the date index, not every match of a common word among a million articles)."""
        start = self._shelf_start_of(shelf)
        return query if start is None else query.since(start)

    def _shelf_start_of(self, shelf: StoryShelf) -> float | None:
        """The date-order time of a shelf's oldest article (read once a shelf)."""
        cached = self._shelf_start
        if cached is None or cached[0] is not shelf:
            records = self.store.records(list(shelf.articles))
            cached = self._shelf_start = (shelf, min((r.at for r in records), default=None))
        return cached[1]

    def _stories_found(
        self, query: Query, stories: StoryShelf, window: int, recount: bool
    ) -> Matches:
        """The stories of a store that keeps them, up to the window, newest activity first:
        the newest of all with no filter (the shelf), else those the store finds with a
        matching article among every story it keeps, however old (their own shelf)."""
        total = stories.total or 0
        if query.is_empty:
            shelf, more = stories, stories.more
        else:
            found = stories_found(self.store, query, window + 1) or []
            more = len(found) > window
            shelf = StoryShelf(found[:window], total=total)
        self._listed = shelf
        listed = [story.id for story in shelf.stories]
        return Matches([], self.total(recount), stories=listed, more=more, shelf=shelf,
                       story_total=total)  # fmt: skip

    def first_page(
        self, query: Query, sort: SortOrder, stories: StoryShelf | None, place: Place
    ) -> Matches | None:
        """(In a thread.) The newest matches of a filter over a big store, to paint while the
        whole list is made: FIRST_PAGE of them over a store of FIRST_PAGE_FROM articles or
        more (a word in 48,000 of a million articles takes a few times as long to list
        whole); over a store that lists a window of them (`list_window`: a database, which
        sends each article a word is tested on with its full text), the rows the pane draws
        for `place`. When every match fits, the page is the whole list (not `partial`).
        When the pane keeps a place beyond the page (its cursor's row is further down, or
        its highlighted article, older than the page's last, matches further down), the
        part of the list about that place comes instead of the page, or with it
        (`_with_part`); with no filter too (the whole list of a million is a copy, but
        finding the highlight in it is a scan of 30 ms, and the part's place is a
        bisection). None when the store is small, the list is of stories or not newest
        first, or the place is beyond the page and the store cannot say where without the
        whole list. The store's total is as last counted (`total`)."""
        store = self.store
        window = store.list_window
        if stories is not None or sort != "newest":
            return None
        if window is None:
            if self.total(False) < FIRST_PAGE_FROM:
                return None
            size = FIRST_PAGE
        else:
            size = min(FIRST_PAGE, window, drawn_from_top(place))
        parts = True  # the store can be asked for the part about the place (once)
        if window is None and place.keep and place.cursor >= size:
            # the pane's place is beyond a first page: the rows of the new list there (about
            # the highlighted article when it matches, else the cursor's row), without a
            # page of the newest, when the store can say; when it cannot, it is not asked
            # again below
            far = self._with_part(query, [], place.current, place.cursor)
            if far is not None:
                return far
            parts = False
        ids = store.query_ids(query, size)
        if len(ids) < size:
            return Matches(ids, self.total(False))
        if place.keep and (place.current is None or place.current not in ids):
            if place.current is not None:
                current, last = store.record(place.current), store.record(ids[-1])
                if current is None or last is None:
                    return None
                if _after(current, last) and store.holds(query, place.current):
                    # after the page's last, and matching: further down, where a longer
                    # page (FIRST_PAGE, when the first was the pane's rows) may reach it, or
                    # the part of the list about it
                    reaching = self._page_reaching(query, place.current, size)
                    if reaching is not None or not parts:
                        return reaching
                    return self._with_part(query, ids, place.current, None)
            if place.cursor >= len(ids):  # the cursor's row is beyond the page
                return self._with_part(query, ids, None, place.cursor) if parts else None
        return Matches(ids, self.total(False), partial=True)

    def _with_part(
        self, query: Query, page: list[str], current: str | None, row: int | None
    ) -> Matches | None:
        """The first page (if any) and the part of the whole list about the pane's place: the
        highlighted article `current` when it matches, else the row `row`; with `GAP` rows
        about them, when the store knows that part and how many match without listing them
        all (`part`). None when it does not, or `current` does not match and no `row` is
        given: the whole list keeps the place."""
        part = self.store.part(query, FIRST_PAGE, row=row, through=current)
        if part is None:
            return None
        count, start, rows = part
        at = rows.index(current) if current is not None and current in rows else -1
        if row is None and at < 0:
            return None
        # no filter: every article matches, so the count is the total as it is now (the last
        # count may be a cycle old, and "1,000,050 of 1,000,000" would be said)
        total = count if query.is_empty else self.total(False)
        if start <= len(page) and start + len(rows) >= count:  # the two meet: every match
            return Matches(page[:start] + rows, total)
        ids = [GAP] * count  # one list of a million rows, not several made and joined
        ids[: len(page)] = page
        ids[start : start + len(rows)] = rows
        found = start + at if at >= 0 else -1
        return Matches(ids, total, partial=True, found=found)

    def _page_reaching(self, query: Query, current: str, size: int) -> Matches | None:
        """The newest FIRST_PAGE matches when they hold `current` (a match beyond a first
        page of `size`); None when the page was that long already or does not reach it."""
        if size >= FIRST_PAGE:
            return None
        ids = self.store.query_ids(query, FIRST_PAGE)
        if current not in ids:
            return None
        return Matches(ids, self.total(False), partial=len(ids) == FIRST_PAGE)

    def total(self, fresh: bool) -> int:
        """(In a thread.) How many articles the store holds: counted when `fresh` or never
        counted yet, else as last counted. A database counts a million rows in 70-100 ms, and
        the number changes only as articles are stored or dropped, after which the
        dashboard's query asks again with `recount`; a count older than a write of the poll
        under way is counted again (a filter typed during a first poll said "1,095 of 0")."""
        written = self.written  # (read before the count: a write during it counts again)
        if fresh or self._total is None or written != self._total_written:
            self._total, self._total_written = len(self.store), written
        return self._total

    def page_failure(self, ident: str) -> tuple[str, datetime | None] | None:
        """Why this dashboard's poller failed to fetch the article's page, and when it tries
        again (None: no more); None when it did not try or did not fail. A `refresh` run
        elsewhere keeps nothing of its failures."""
        poller = self.newsroom.poller
        return poller.page_failure(ident) if poller is not None else None

    def why_no_link(self, article: Article) -> str:
        """Why an article has no link, said where one is looked for (`o`, `f`, its pane)."""
        source = next((s for s in self.config.sources if s.name == article.source), None)
        if source is not None and source.path:
            return f"no link: read from the local file {Path(source.path).name}, which names none"
        return "no link: its source gave none"

    def reading(self, ident: str, events: list[Event]) -> Reading:
        """The article, its text and the countdowns its text suggests."""
        # the text this viewer fetched with `f` (kept here, not stored) is newer than the
        # store's: read again (stories arriving), the older one came back
        text = self._fetched_texts.get(ident) or self.store.text(ident)
        article = self.store.get(ident)
        found = Suggestions(undated=True)
        if article is not None and article.published is not None:
            # the summary too when a full text came: a text that does not repeat it lost
            # the countdown its summary suggested (`c` said there was none after `f`)
            said = article.summary if not text else f"{article.summary}\n\n{text}"
            found = scan(
                f"{article.title}. {said}",
                article.published,
                self.local,
                self.config.settings.timezone or "local",
                events,
            )
        also: list[str] = []
        story = self.shelf.story(ident) if self.shelf is not None else None
        if story is None and self.shelf is not None and self.shelf.more:
            # older than the stories a viewer holds: the store that keeps them says
            story = next(iter(stored_stories(self.store, 1, [ident]) or []), None)
        if article is not None and story is not None:
            # (an aggregator's article is its credited outlet's, as the story counts it)
            named = story.outlet_names if story.outlet_names is not None else story.sources
            own = credited_outlet(article.title, article.summary) or article.source
            also = [outlet for outlet in named if name_key(outlet) != name_key(own)]
        record = self.store.record(ident) if article is not None else None
        pulled = record.pulled if record is not None else None
        when = datetime.fromtimestamp(pulled, UTC) if pulled is not None else None
        return Reading(article, text, found, also, self._text_older(ident, text), when)

    def _text_older(self, ident: str, text: str | None) -> bool:
        """Whether the article's stored full text predates its latest revision (a headline
        saying "three dead" over a text saying two)."""
        if text is None or ident in self._fetched_texts:
            return False
        record = self.store.record(ident)
        if record is None or record.revised is None:
            return False
        seen = self.store.text_seen(ident)
        return seen is not None and seen.timestamp() < record.revised

    def history(self, ident: str) -> History | None:
        """(In a thread.) The article, what it said before and when it changed; None when it
        is no longer stored."""
        record = self.store.record(ident)
        if record is None:
            return None
        revised = record.revised
        when = datetime.fromtimestamp(revised, UTC) if revised is not None else None
        texts = self.text_versions(ident)
        return History(article_of(record), self.store.revisions(ident), texts, when)

    def text_versions(self, ident: str) -> list[dict[str, str | None]]:
        """The full texts the article had, oldest first, then the one it has now ({"seen",
        "text"}); empty when its text never changed."""
        earlier = self.store.text_revisions(ident)
        if not earlier:
            return []
        return [*earlier, {"seen": None, "text": self.store.text(ident) or ""}]

    async def page_text(self, link: str, source: str = "", previous: str | None = None) -> str:
        """The article page's text (FetchError or ExtractError says why there is none), kept:
        a writer stores it, a viewer keeps it for this session. `source`: the article's (its
        pages are read in the charset its config names); `previous`: the text it has
        (`kept_text`), which a page found the same comes back as."""
        charset = next((s.charset for s in self.config.sources if s.name == source), None)
        poller = self.newsroom.poller
        if poller is not None:  # a writer's poller, in its loop once that runs
            handed = self._in_poll_loop(poller.page_text(link, charset, previous))
            if handed is not None:
                return await handed
        # a viewer, or a writer not polling yet, fetches with a client of its own (made in a
        # thread: a poller reads the sources' health from disk)
        poller = await asyncio.to_thread(Poller, self.config, self.store, self.clock)
        try:
            return await poller.page_text(link, charset, previous)
        finally:
            await poller.aclose()

    def kept_text(self, ident: str) -> str | None:
        """(In a thread.) The full text the article has here: the one this viewer fetched,
        else the stored one."""
        return self._fetched_texts.get(ident) or self.store.text(ident)

    def keep_text(self, ident: str, text: str) -> None:
        if self.is_writer:
            self.store.set_text(ident, text, self.clock())
        else:  # a viewer never writes articles
            self._fetched_texts[ident] = text

    def _set_marks(self, ids: list[str], read: bool | None, starred: bool | None) -> None:
        """(Under the marks guard.) Change marks; the disk refusing them is said once, with
        the marks shown and held all the same (a toast for each article read said it
        again and again, and drew no mark)."""
        try:
            self.store.set_state(ids, read=read, starred=starred)
            if starred and not self.is_writer:  # (the writer may have dropped them already)
                self._starred_since_look.update(dict.fromkeys(ids, ""))
            elif starred is False:  # (unstarred since: nothing to say of it)
                for ident in ids:
                    self._starred_since_look.pop(ident, None)
        except MarksNotSaved as exc:
            if self.marks_refused is None:
                self._marks_notice = (str(exc), True)
            self.marks_refused = exc
            self.marks_await_server = self.store.unreachable is not None
            return
        if self.marks_refused is not None:
            self._marks_notice = ("Read and starred marks are saved again.", False)
        self.marks_refused = None
        self.marks_await_server = False

    def write_held_marks(self) -> None:
        """(In a thread.) The store's server answers again: write the marks held while it
        did not (said once written, as `marks_notice` says)."""
        with self._marks_guard:
            if self.marks_refused is not None:
                self._set_marks([], read=None, starred=None)

    def marks_notice(self) -> tuple[str, bool] | None:
        """What to say of the marks' saving, once: the disk refusing them (True) or taking
        them again (False); None when nothing changed since."""
        notice, self._marks_notice = self._marks_notice, None
        return notice

    def save_held_marks(self) -> str | None:
        """(Once the dashboard has closed.) Write the marks the disk refused, a last time;
        what is lost when it still refuses, to be said (never lost without a word)."""
        if self.marks_refused is None:
            return None
        try:
            self.store.set_state([])
        except MarksNotSaved as exc:
            many = f"{exc.held} article{'' if exc.held == 1 else 's'}"
            return f"the read or starred marks of {many} could not be saved: {exc.reason}"
        return None

    def toggle(self, ident: str, mark: Mark, shown: Row | None = None) -> Rows | None:
        """(In a thread.) Switch the article's read or starred mark from what it is now (two
        presses in a row switch it twice); its rows read again, None when it is gone.
        `shown`: its row as drawn, what the mark is switched from while the store cannot be
        read (a database's server out of reach), the mark then held (`_marked_as_shown`),
        and the headline a star too late for retention is said by (`Reload.lost_stars`: a
        viewer's article whose day was just dropped has its headline there alone)."""
        with self._marks_guard:
            article = self._article_or_shown(ident, shown)
            if article is None:
                return None
            if mark == "starred":
                article = replace(article, starred=not article.starred)
                self._set_marks([ident], read=None, starred=article.starred)
                if ident in self._starred_since_look:
                    shown_title = shown.article.title if shown is not None else ""
                    self._starred_since_look[ident] = shown_title or article.title
            else:
                article = replace(article, read=not article.read)
                self._set_marks([ident], read=article.read, starred=None)
            return self._marked_as_shown(ident, article, shown)

    def _article_or_shown(self, ident: str, shown: Row | None) -> Article | None:
        """The article as stored, or as its row shows it when the store cannot be read (a
        star given during an outage was dropped with a "cannot read" toast)."""
        try:
            return self.store.get(ident)
        except StoreError:
            if shown is None:
                raise
            return shown.article

    def _marked_as_shown(self, ident: str, article: Article, shown: Row | None) -> Rows:
        """(Under the guard.) The rows of the article just marked, read back in the order
        changed; while the store cannot be read and the mark is held, its row as shown with
        the mark it now has."""
        try:
            return self.reread([ident])
        except StoreError:
            if shown is None or self.marks_refused is None:
                raise
            return Rows(articles={ident: Row(article, shown.revised, shown.pulled)})

    def toggle_story(
        self, articles: Collection[str], mark: Mark = "read"
    ) -> tuple[list[str], bool, Rows]:
        """(In a thread.) Mark a story's articles read (starred), or all unread (unstarred)
        when every one is read (starred) already, as `toggle` switches one article; the ids
        changed, whether they bear the mark now, and their rows read again."""
        with self._marks_guard:
            if mark == "starred":
                records = self.store.records(list(articles))
                changed = [r.id for r in records if not r.starred]
                marked = bool(changed)
                if not changed:
                    changed = [r.id for r in records]
                if changed:
                    self._set_marks(changed, read=None, starred=marked)
                return changed, marked, self.reread(changed)
            unread = self.store.unread(articles)
            changed = [i for i in articles if i in unread]
            if not changed:
                changed = [r.id for r in self.store.records(list(articles))]
            read = bool(unread)
            if changed:
                self._set_marks(changed, read=read, starred=None)
            return changed, read, self.reread(changed)

    def mark_read(self, ident: str, shown: Row | None = None) -> Rows | None:
        """(In a thread.) Mark the article read; its rows read again, None when it was read
        already (or is gone). `shown`: its row as drawn (`toggle`)."""
        with self._marks_guard:
            article = self._article_or_shown(ident, shown)
            if article is None or article.read:
                return None
            self._set_marks([ident], read=True, starred=None)
            return self._marked_as_shown(ident, replace(article, read=True), shown)

    def next_unread(
        self,
        rows: list[str],
        start: int,
        step: int,
        shelf: StoryShelf | None,
        stopped: Callable[[], bool],
    ) -> int | None:
        """(In a thread.) The first row after `start` (before it, `step` -1) that is an unread
        article, or with `shelf` a story holding one; None when there is none. Asked of the
        marks a screenful or so at a time, `stopped` between (a newer press, a new list)."""
        at = start + step
        while 0 <= at < len(rows) and not stopped():
            end = at + step * UNREAD_CHUNK
            places = range(at, min(end, len(rows)) if step > 0 else max(end, -1), step)
            found = self._unread_rows([rows[n] for n in places], shelf)
            for n in places:
                if rows[n] in found:
                    return n
            at = places[-1] + step
        return None

    def rows_read(self, rows: list[str], shelf: StoryShelf | None) -> set[str]:
        """(In a thread.) Of these rows (article ids, or with `shelf` story ids), those read
        now, every article of a story, whoever read them (a row no longer stored is not
        unread either): what the unread view no longer counts. Asked of the marks alone."""
        unread = self._unread_rows(rows, shelf)
        return {row for row in rows if row != GAP and row not in unread}

    def _unread_rows(self, rows: list[str], shelf: StoryShelf | None) -> set[str]:
        """Of these rows (article ids, or with `shelf` story ids), those unread."""
        rows = [row for row in rows if row != GAP]
        if shelf is None:
            return self.store.unread(rows)
        stories = [story for story in map(shelf.by_id.get, rows) if story is not None]
        unread = self.store.unread(i for story in stories for i in story.articles)
        return {story.id for story in stories if not unread.isdisjoint(story.articles)}

    def mark_all_read(self, rows: list[str], shelf: StoryShelf | None) -> int:
        """(In a thread.) Mark read every unread article of these rows (of their stories, with
        `shelf`); returns how many."""
        ids = [row for row in rows if row != GAP]
        if shelf is not None:
            ids = [i for story in map(shelf.by_id.get, ids) if story for i in story.articles]
        with self._marks_guard:
            unread = self.store.unread(ids)
            marked = [i for i in ids if i in unread]
            if marked:
                self._set_marks(marked, read=True, starred=None)
            return len(marked)

    def counts(self, by: CountBy) -> dict[str, int]:
        return self.store.sources_count() if by == "source" else self.store.tags_count()

    # -- events -------------------------------------------------------------------------------
    def events(self) -> tuple[list[Event], str | None]:
        """The newsroom's events (the config's, then those added in the app) and what is
        wrong with the events file, if anything is."""
        try:
            self.newsroom.book.load()
        except EventBookError as exc:
            return self.newsroom.events(), str(exc)
        return self.newsroom.events(), None

    def change_event(self, change: EventChange, event: Event) -> str:
        """Add, save or remove an event added in the app; says what was done (EventBookError
        when the file cannot be written)."""
        book = self.newsroom.book
        match change:
            case "add":
                book.add(event)
                return f"Added {event.name}"
            case "edit":
                book.update(event)
                return f"Saved {event.name}"
            case "remove":
                book.remove(event.ident or "")
                return f"Removed {event.name}"
