"""The dashboard: the status line, the headlines, the countdown and the article, over one
session. State flows down (reactives here, bound into the panes with `data_bind`); results
flow up (each worker ends in one message whose handler uses what it carries).

A pane is a widget module of its own; it takes its place in `compose` below with the classes
that say how it folds in narrow terminals (`pane`, `side`, `reader`: see wirewatch.tcss), and
its keys are rows of the action table (tui/actions.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import subprocess
import threading
import time
import webbrowser
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import partial

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.events import DescendantFocus
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from fetchers.alerts import AlertWatch
from fetchers.config import Config
from fetchers.events import EventBookError, EventGone
from fetchers.foreground import Superseded, check_superseded, waited_for
from fetchers.healthbook import healths_at, moved_to
from fetchers.http import shown_url
from fetchers.liveness import WriterState
from fetchers.models import Event, SourceHealth, counted
from fetchers.newsroom import Cycle
from fetchers.poller import PollProgress
from fetchers.query import (
    NameCompletion,
    Query,
    QueryError,
    Record,
    follows_clock,
    parse_query,
    quoted,
    unknown_names,
)
from fetchers.relevance import SortOrder
from fetchers.sourcechanges import said_briefly, source_changes
from fetchers.store import StoreError, StoreLocked
from fetchers.store.errors import Unreachable
from fetchers.story import Story, first_time
from fetchers.storybook import Lead
from fetchers.storyshelf import StoryShelf
from fetchers.text import clean_link
from tui.actions import (
    NO_KEY,
    PALETTE_KEY,
    TableOrderedKeys,
    bindings,
    first_key,
    help_sections,
    hints,
    key_hint,
    key_shown,
    press,
)
from tui.alertdata import AlertData
from tui.browser import copy_in_tmux, has_browser, terminal_browser
from tui.confirm import PressedTwice
from tui.format import (
    age,
    clipped,
    drawn,
    duration,
    first_reported,
    fit,
    fit_middle,
    lag,
    shown_line,
)
from tui.keyorder import OrderedKeysApp
from tui.layout import is_narrow, picker_name_width
from tui.messages import (
    AlertsArrived,
    AlertsRead,
    AllMarkedRead,
    ArticleLookedUp,
    ClockLooked,
    ConfigRefused,
    ConfigReread,
    Counted,
    CycleDone,
    EventNotSaved,
    EventsLoaded,
    LeadsRead,
    LinkOpened,
    MarksChanged,
    NamesGathered,
    PollerReady,
    PollingStopped,
    QueryDone,
    RevisionsRead,
    RowsReadAgain,
    StoreLoaded,
    StoriesRead,
    StoryRead,
    TookOver,
    UnreadCounted,
    UnreadFound,
    ViewerReloaded,
)
from tui.rows import Place, Row, Rows, around, found_at, position
from tui.screens.alerts import AlertChoice, AlertsScreen
from tui.screens.events import EventChoice, EventForm, EventsScreen
from tui.screens.help import HelpScreen
from tui.screens.picker import Options, PickerScreen, RedrawnPickerScreen, StoryTimelineScreen
from tui.screens.revisions import RevisionsScreen, revision_lines, shown_lines
from tui.session import CountBy, EventChange, Mark, Matches, Session
from tui.widgets.article import ArticleView
from tui.widgets.countdown import Countdown
from tui.widgets.filterbar import FilterBar
from tui.widgets.footer import KeyFooter
from tui.widgets.headlines import PULLED, HeadlineList
from tui.widgets.status import StatusLine
from tui.workers import (
    STORE_AWAY_TITLE,
    ReportsWorkerErrors,
    said_as_outage,
    store_answers_again,
)

VIEWER_RELOAD = 2.0  # seconds between a viewer's looks at the store another process writes
CONFIG_REFUSED_TITLE = "Config not read"  # a notice taken down once a good config is read
WRITER_GONE_TITLE = "Nothing is updating"  # the warning a viewer shows when its poller stops
AGE_LOOK = 15.0  # seconds between looks at whether an age on screen reads otherwise now
ALERT_LOOK = 2.0  # seconds between a dashboard's looks at the alert history
# seconds between looks at whether a filter's since:1h (or before:today) passed an article
CLOCK_LOOK = 2.0
# a list made again as the clock passes its articles waits, after the last list came, this
# many times as long as that took: a bound that passes one article a second (since:7d over
# a million) takes a tenth of a core at most, not all of one
CLOCK_RERUN_WAIT = 9.0
EVENTS_LOOK = 5.0  # seconds between looks at events another dashboard or host changed
FIRST_PAINT_WAIT = 1.0  # seconds a filter's thread waits at most for its answer to be drawn
ALERT_TOASTS = 3  # notifications for the alerts of one look; the rest in one "and N more"
NOTICE_TITLE = 120  # cells of a headline a notification shows

log = logging.getLogger("wirewatch.dashboard")


class DashboardScreen(TableOrderedKeys, ReportsWorkerErrors, Screen[None]):
    """The working screen of wirewatch."""

    BINDINGS = bindings("dashboard")

    # The screen's state: the widgets bound to it (`data_bind`) repaint themselves, and the
    # screen draws none of it (a repaint of the screen redraws every pane: at each filter
    # twice, about 10-25 ms of the screen's thread each at 100,000 articles)
    query_text: reactive[str] = reactive("", repaint=False)
    """The filter typed at `/` (or picked), without the unread toggle."""
    sort: reactive[SortOrder] = reactive[SortOrder]("newest", repaint=False)  # of the headlines
    ranked: reactive[bool] = reactive(False, repaint=False)  # the list is by relevance
    unread_only: reactive[bool] = reactive(False, repaint=False)
    matching: reactive[int] = reactive(0, repaint=False)
    """How many articles match the filter."""
    more_match: reactive[bool] = reactive(False, repaint=False)
    """More articles match than the store lets a dashboard list (the newest are listed)."""
    counting: reactive[bool] = reactive(False, repaint=False)
    """The first page of the matches is listed; the rest are being listed."""
    counted: reactive[bool] = reactive(False, repaint=False)
    """While `counting`: `matching` is how many match, not a page's rows."""
    of_stories: reactive[bool] = reactive(False, repaint=False)
    """`matching` and `total` count stories (the store keeps them and finds a filter's)."""
    total: reactive[int] = reactive(0, repaint=False)
    """How many articles are stored."""
    writer: reactive[bool] = reactive(False, repaint=False)
    """This dashboard polls and writes the store (else another process does)."""
    writer_state: reactive[WriterState | None] = reactive(None, repaint=False)
    """A viewer's last look at the writer."""
    read_only: reactive[bool] = reactive(False, repaint=False)
    """A viewer that cannot write the data dir (`Session.cannot_write`): none polls here."""
    loading_rest: reactive[bool] = reactive(True, repaint=False)
    """Older days of the store are still being read, or the list of the whole store has not
    come yet: the list and the counts are of the part read."""
    filtering: reactive[bool] = reactive(False, repaint=False)
    """Another filter's list (or the first) is being made: the count of the list shown is
    not the new filter's."""
    last_poll: reactive[datetime | None] = reactive(None, repaint=False)
    poll_progress: reactive[PollProgress | None] = reactive(None, repaint=False)
    """How far this writer's poll under way is (None: none runs), as last looked at."""
    health: reactive[dict[str, SourceHealth]] = reactive(dict, repaint=False)
    """Every source's health after the last cycle (or the viewer's last look)."""
    events: reactive[list[Event]] = reactive(list, repaint=False)
    """The config's events, then those added in the app."""
    event_counts: reactive[dict[str, int]] = reactive(dict, repaint=False)
    """How many headlines match each event's query, by the query's text."""
    reading: reactive[bool] = reactive(False, repaint=False)
    """Narrow layouts: the article is open over the headlines."""
    new_alerts: reactive[int] = reactive(0, repaint=False)
    """Alerts fired since the alerts screen was last open."""
    unreachable: reactive[Unreachable | None] = reactive(None, repaint=False)
    """The store's server has not answered since then (the status line says so for as long
    as it lasts: a notification of the first error went in seconds)."""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.config = session.config
        self.clock = session.clock
        # seconds an article is shown before it counts as read ([settings] read_after;
        # None: only on enter)
        self.read_after: float | None = self.config.settings.read_after
        self.generation = 0  # of the query last run: older answers are dropped
        self._answered = -1  # the generation whose whole list came
        # the filter (with the unread toggle) of the list shown, and the first generation
        # asked of the whole store (None: older days are still being read)
        self._answered_text: str | None = None
        self._whole_from: int | None = 0 if session.store.complete else None
        self._asked_at = self._answered_at = 0.0  # (monotonic) the list last asked for, and came
        self._recount = True  # the events' headline counts are to be counted again
        # the query last run and the clock it was run at, and the clock the events' headline
        # counts were asked at: a bound counted from now (since:1h) has moved on since
        self._listed: tuple[str, datetime] | None = None
        # the source and tag names the prompt last completed from (`_gather_names`)
        self._names_known: tuple[frozenset[str], frozenset[str]] | None = None
        self._counted_at: datetime | None = None
        self._looking_at_clock = False  # a look at what the clock's moving passed is under way
        self._events_problem: str | None = None  # what was wrong with the events, last said
        # the next list answers the reader (the dashboard opened, a filter): the article it
        # highlights is read, as one moved to (not one a poll's list puts under the cursor)
        self._chosen_next = True
        # until the first poll's articles (or a viewer's first look at what was written):
        # a store opened empty waits for them, and the first list they make answers the
        # reader; later, a list that answers with none ends the reader's choice
        self._opening = True
        # the top row when the rest of the store loaded (the reader had not moved from it)
        self._top_unmoved: str | None = None
        self._read_timer: Timer | None = None
        self._reload_timer: Timer | None = None
        self._reading_rows = False  # a read of the rows about the screen is under way
        self._release_keys = lambda: None
        self.polling = False  # the newsroom's poll loop runs here
        self._poll_ended = False  # it ran here and has ended (closed, or failed)
        self.story_view = False  # the headlines pane lists stories (S)
        # the article of a story the reader was last on: the headline `S` left, or the one
        # last opened from a timeline (`S` back from its story lands on it)
        self._story_article: str | None = None
        self._opened_in_story: dict[str, str] = {}  # by story id: the article last opened
        # the open timeline and the story it shows (said anew as polls change the story)
        self._timeline: tuple[StoryTimelineScreen, Story] | None = None
        # an article opened from a story's timeline, while it is shown: escape goes back there
        self._from_timeline: tuple[Story, str] | None = None
        self.alerts = AlertWatch()
        self._marking_all = PressedTwice()  # A asks to be pressed again
        self.alert_data = AlertData(session)
        self._alert_problem: str | None = None
        self._select_after: str | None = None  # an article to highlight once the query answers
        # ...and when the whole list of this query (by generation) does not hold it either,
        # clear the filter for it (asked for while that list was partial: perhaps in a row
        # not read yet); a filter typed meanwhile is the reader's and stays
        self._clear_for_it: int | None = None
        self._health_shown: PickerScreen | None = None  # the health picker, while it is open
        # the unread view's rows read here since it was listed (they stay until the next
        # list, not to jump away), and how many it listed: `matching` counts the unread
        self._read_listed: set[str] = set()
        self._listed_count = 0
        # the marks made here so far: a count of the unread view read in a thread before one
        # of them may be older than the count that mark made (`_unread_counted`)
        self._marked_here = 0
        self._writing_held = False  # the marks held during an outage are being written
        self._leads: dict[str, Lead] = {}  # who reported first, as it shows them
        # the poller's count of articles written when the list was last asked for (a poll
        # under way: what it wrote since is listed and counted at the next look)
        self._listed_written = 0
        self.set_reactive(DashboardScreen.events, list(self.config.events))
        self.set_reactive(DashboardScreen.writer, session.is_writer)
        self.set_reactive(DashboardScreen.read_only, session.cannot_write is not None)
        self.set_reactive(DashboardScreen.health, session.opened_health)
        self.set_reactive(DashboardScreen.loading_rest, not session.store.complete)

    def compose(self) -> ComposeResult:
        session = self.session
        refresh_key = first_key("poll.refresh", self.config.keys, self.app.get_key_display)
        if refresh_key == NO_KEY:  # ("(no key) polls here" read as nonsense)
            refresh_key = f"the palette ({PALETTE_KEY})"
        yield StatusLine(self.config.sources, self.clock, refresh_key, id="status").data_bind(
            DashboardScreen.writer,
            DashboardScreen.writer_state,
            DashboardScreen.read_only,
            DashboardScreen.query_text,
            DashboardScreen.ranked,
            DashboardScreen.unread_only,
            DashboardScreen.matching,
            DashboardScreen.more_match,
            DashboardScreen.counting,
            DashboardScreen.counted,
            DashboardScreen.of_stories,
            DashboardScreen.total,
            DashboardScreen.loading_rest,
            DashboardScreen.filtering,
            DashboardScreen.last_poll,
            DashboardScreen.poll_progress,
            DashboardScreen.health,
            DashboardScreen.new_alerts,
            DashboardScreen.unreachable,
        )
        with Horizontal(id="top"):
            yield HeadlineList(
                session,
                self.clock,
                session.local,
                id="headlines",
                classes="pane",
                still_reading=self._still_reading,
            )
            yield Countdown(
                self.clock, session.local, id="countdown", classes="pane side"
            ).data_bind(DashboardScreen.events, matches=DashboardScreen.event_counts)
        yield ArticleView(session, id="article", classes="pane reader").data_bind(
            DashboardScreen.events
        )
        yield FilterBar(self.clock, session.local, self.config.keys, id="filter-bar")
        yield KeyFooter()

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one(HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def countdown(self) -> Countdown:
        return self.query_one(Countdown)

    def _compositor_refresh(self) -> None:
        """Behind a window (help, a picker, the events list), Textual passes what changed
        here (a countdown's tick) up to the window, then marks this whole screen to be
        painted again, and again at each wake after, for as long as the window stays open:
        7% of a core where the dashboard alone takes 1%. What changed is passed up as
        before; the whole screen is painted when it is on top again (`ScreenResume`)."""
        super()._compositor_refresh()
        if self.app.screen is not self:
            self._repaint_required = False

    def on_mount(self) -> None:
        self.headlines.set_watch_terms(self.config.watch_terms)
        self.headlines.focus()
        for problem in self.session.problems:
            self.notify(problem, title="Store", severity="warning", markup=False)
        for note in self.config.notes:  # (the config taken otherwise than written)
            self.notify(note, title="Config", severity="warning", timeout=30, markup=False)
        self.set_interval(1.0, self._check_alerts)
        self.set_interval(1.0, self._look_at_the_store)
        self.set_interval(1.0, self._follow_the_poll)
        self.set_interval(VIEWER_RELOAD, self._look_at_marks)
        self.set_interval(AGE_LOOK, self.headlines.refresh_ages)
        self._look_for_alerts()
        self.set_interval(ALERT_LOOK, self._look_for_alerts)
        self.set_interval(EVENTS_LOOK, self._look_at_events)
        self.set_interval(CLOCK_LOOK, self._follow_the_clock)
        self.run_query()
        self._load_events()
        self._load_rest()

    def watch_reading(self, reading: bool) -> None:
        self.set_class(reading, "reading")

    def on_resize(self) -> None:
        self.call_after_refresh(self._leave_narrow_reading)  # once the layout's classes follow

    def _leave_narrow_reading(self) -> None:
        """Widened while an article was open over the headlines: the wide layout shows both,
        and the keys go to the headlines again (they stayed with the article pane, and j and
        k moved nothing)."""
        if self.reading and not is_narrow(self):
            self.reading = False
            if self.article_view.has_focus_within or self.article_view.has_focus:
                self.headlines.focus()

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        """A pane the new layout hides loses the focus; give it to the pane that shows. (Not
        while the terminal itself has lost the focus: the focus comes back where it was, the
        filter prompt's text with it.)"""
        if self.is_current and self.focused is None and self.app.app_focus:
            if self.headlines.region.height:
                self.headlines.focus()
            elif self.article_view.region.height:
                self.article_view.focus()

    # -- the store, as it loads ---------------------------------------------------------------
    @work(thread=True, group="store", exit_on_error=False)
    def _load_rest(self) -> None:
        self.session.load_rest()
        self.post_message(StoreLoaded())

    @on(StoreLoaded)
    def _store_loaded(self) -> None:
        # (`loading_rest` until the list of the whole store comes: the part read is shown
        # meanwhile, and counted as the whole, it said "2,048 of 4,048")
        if self._whole_from is None:
            self._whole_from = self.generation + 1
        headlines = self.headlines
        self._top_unmoved = headlines.current_id if headlines.cursor == 0 else None
        self.run_query()
        self._read_stories()
        self.call_after_refresh(self.session.store.start_word_index, True)
        self.session.newsroom.on_reload(self._config_reread)
        self.session.newsroom.on_config_refused(self._config_refused)
        if self.writer:  # the poller needs every article known, for dedupe
            self._prepare_polling()
        else:
            self._reload_timer = self.set_interval(VIEWER_RELOAD, self._reload)

    @work(thread=True, group="store", exit_on_error=False)
    def _prepare_polling(self) -> None:
        self.session.prepare_polling()
        self.post_message(PollerReady())

    @on(PollerReady)
    def _poller_ready(self, message: PollerReady) -> None:
        self.session.newsroom.on_cycle(self._cycle_done)
        self.session.newsroom.on_progress(self.session.follow_poll)
        self.session.newsroom.on_reload(self._config_reread)  # (a new one, if taken over)
        self.session.newsroom.on_config_refused(self._config_refused)
        self.polling = True
        self._poll_loop(message.at_once)

    # -- the filter and its query -------------------------------------------------------------
    def _effective_text(self) -> str:
        """The filter with the unread toggle."""
        text = self.query_text
        return f"{text} is:unread".strip() if self.unread_only else text

    def _effective_query(self, now: datetime | None = None) -> Query:
        return parse_query(
            self._effective_text(), now or self.clock(), self.session.local, self.session.shelf
        )

    def run_query(self, recount: bool = True) -> None:
        """Query the store for the filter in force, in a thread. `recount`: the articles or
        the events changed, so the events' headline counts and the store's total are
        counted again too (a new filter alone leaves them be, and repaints sooner)."""
        self._recount = self._recount or recount
        now = self.clock()
        try:
            query = self._effective_query(now)
        except QueryError as exc:
            self.notify(str(exc), title="Filter", severity="error", markup=False)
            return
        self.generation += 1
        self._listed = (self._effective_text(), now)
        self.filtering = self._listed[0] != self._answered_text
        self._asked_at = time.monotonic()
        shelf = self.session.shelf if self.story_view else None
        events = self.events if self._recount else None
        if events is not None:
            self._counted_at = now
        try:
            headlines = self.headlines
        except NoMatches:  # the screen is closing: no pane to fill
            return
        current, cursor, or_any = headlines.current_id, headlines.cursor, frozenset[str]()
        line = headlines.cursor - int(headlines.scroll_y)  # (the landing row's line too)
        keep = (shelf is not None) == headlines.story_rows
        if not keep or self._chosen_next:  # where the pane will land it: in view
            line = headlines.line_in_view(line)
        if not keep:  # another kind of rows: those of what the reader is on, else the top
            current, or_any = self._landing(shelf)
            cursor, keep = 0, current is not None or bool(or_any)
        place = Place(
            current,
            cursor,
            line,
            headlines.scrollable_content_region.height or self.app.size.height,
            keep=keep,
            or_any=or_any,
        )
        self.article_view.hold()  # an article read meanwhile is drawn after the rows
        self._query(self.generation, query, events, self.sort, place, shelf)

    def _landing(self, shelf: StoryShelf | None) -> tuple[str | None, frozenset[str]]:
        """Where the headlines switched to stories (`shelf`) or back land: on the story of
        the highlighted article; back from a story, on the article of it the reader came
        from or last opened from its timeline (`_story_article`), else on the story's first
        article listed (the newest, newest first). (The row's id, the ids landed on when it
        is not listed.)"""
        headlines = self.headlines
        if shelf is not None:
            ident = headlines.current_id
            if ident is None:
                return None, frozenset()
            self._story_article = ident
            return shelf.story_of(ident), frozenset()
        story = headlines.current_story
        if story is None:
            return None, frozenset()
        came = self._story_article
        return (came if came in story.articles else None), frozenset(story.articles)

    @work(thread=True, group="query", exclusive=True, exit_on_error=False)
    def _query(
        self,
        generation: int,
        query: Query,
        events: list[Event] | None,
        sort: SortOrder,
        place: Place,
        shelf: StoryShelf | None = None,
    ) -> None:
        """The matches, and the rows the pane will show of them (read here, not while
        drawing); over a big store, the first page of them is shown first, and when it
        holds every match it is the whole list (the events' counts, when asked, follow).
        Work in the background gives way meanwhile; a query a newer one has replaced stops
        between its steps."""
        recount = events is not None  # the articles or the events changed
        with contextlib.suppress(Superseded), waited_for(lambda: self.generation != generation):
            first = self.session.first_page(query, sort, shelf, place)
            if first is not None:
                found = first.found if first.found is not None else position(first.ids, place)
                rows = self.session.rows(around(first.ids, place, found), None)
                where = found_at(first.ids, place, found)
                # the page on screen first: making the whole list holds the interpreter in
                # long steps (a million ids filtered in one call), which would keep the
                # screen from drawing the page meanwhile; and the background waits for it too
                if not first.partial:
                    self._say_unknown(query, first)
                self._answer(QueryDone(generation, first, query.words, None, rows, where))
                if not first.partial and not recount:
                    return
                check_superseded()  # a newer filter typed meanwhile: its own list, not this
            matches = self.session.matches(query, events, sort, shelf, recount, first)
            if matches.shelf is not None:  # the stories the store found for the filter
                shelf = matches.shelf
            if shelf is not None and matches.stories is not None:
                listed = matches.stories
                found = position(listed, place)
                rows = self.session.rows(around(listed, place, found), shelf)
            else:
                listed = matches.ids
                found = position(listed, place, first.found if first else None)
                rows = self.session.rows(around(listed, place, found), None)
            where = found_at(listed, place, found)
            if not listed and not matches.partial:
                self._say_unknown(query, matches)
            # work in the background (stories made after a cycle) waits until the screen has
            # drawn the answer, not only until it is found: drawing is half the wait
            self._answer(QueryDone(generation, matches, query.words, shelf, rows, where))

    def _say_unknown(self, query: Query, matches: Matches) -> None:
        """(The query's thread.) Nothing matched: a `source:` or `tag:` of the filter that
        names no source or tag stored or configured is said under the empty list, with the
        name it may have meant, as `wirewatch list` says it (a name mistyped, or written
        otherwise than the config has it, looked like no news)."""
        if (
            matches.ids
            or matches.stories
            or not any(
                term.field in ("source", "tag") for clause in query.clauses for term in clause
            )
        ):
            return
        sources = self.config.sources
        names: dict[str, Callable[[], Iterable[str]]] = {
            "source": lambda: [*self.session.counts("source"), *(s.name for s in sources)],
            "tag": lambda: [*self.session.counts("tag"), *(t for s in sources for t in s.tags)],
        }
        try:
            matches.unknown = unknown_names(query, names)
        except StoreError as exc:  # (a server not answering: the status line says so)
            log.debug("no names to tell a filter's unknown ones by: %s", exc)

    def _answer(self, answer: QueryDone) -> None:
        """(The query's thread.) Hand the answer to the screen and wait until it is drawn
        (at most FIRST_PAINT_WAIT); at once when the screen takes no more messages."""
        answer.painted = painted = threading.Event()
        if self.post_message(answer):
            painted.wait(FIRST_PAINT_WAIT)

    @on(QueryDone)
    def _query_done(self, message: QueryDone) -> None:
        if message.painted is not None:  # once drawn (a message dropped: at once)
            painted = message.painted
            if message.generation != self.generation:
                painted.set()
            elif self.is_current and self.headlines.scrollable_content_region.height:
                self.headlines.after_drawn(painted.set)  # its rows, set below
            elif not self.call_after_refresh(painted.set):  # the pane is not drawn now
                painted.set()
        if message.generation != self.generation:
            return
        matches = message.matches
        whole = self._whole_from is not None and message.generation >= self._whole_from
        if whole:
            self.loading_rest = False
        if self._listed is not None:
            self._answered_text = self._listed[0]
        self.filtering = False
        if not matches.partial:
            self._answered, self._answered_at = message.generation, time.monotonic()
        if matches.problem is not None:
            self.notify(matches.problem, title="Relevance", severity="warning", markup=False)
        listed_stories = matches.stories is not None and message.shelf is not None
        if matches.story_total is not None:  # a window of the stories the store keeps
            self.matching, self.total = len(matches.stories or ()), matches.story_total
        elif listed_stories:  # the stories listed of every story made
            self.matching, self.total = len(matches.stories or ()), len(message.shelf or ())
        else:
            self.matching, self.total = len(matches.ids), matches.total
        self._read_listed, self._listed_count = set(), self.matching
        self.of_stories = matches.story_total is not None or listed_stories
        self.ranked = matches.ranked
        self.more_match = matches.more
        self.counting = matches.partial
        self.counted = matches.counted
        self.headlines.set_empty_note(self._empty_note(matches.partial, matches.unknown))
        chosen = self._chosen_next
        # the whole store's first list, the reader still on the top row of the part loaded
        # first: its top row, not that article where the whole list has it (a part loaded
        # first is not the newest: the dashboard opened on an article a thousand rows down,
        # and read it)
        top = (
            self._top_unmoved is not None
            and not matches.partial
            and self.headlines.current_id == self._top_unmoved
        )
        if not matches.partial:
            self._top_unmoved = None
        chosen = chosen or top
        if not matches.partial and (matches.ids or matches.stories or not self._opening):
            # (a store still loading answers with none at first; `u` answering with none,
            # a poll an hour later must not read its first article for a desk left alone)
            self._chosen_next = False
        if listed_stories:
            self.headlines.set_ids(
                matches.stories or [],
                keep_position=not top,
                words=message.words,
                stories=message.shelf,
                rows=message.rows,
                found=message.found,
                chosen=chosen,
                shown=self._story_article,
            )
        else:
            self.headlines.set_ids(
                matches.ids,
                keep_position=not top,
                words=message.words,
                rows=message.rows,
                found=message.found,
                chosen=chosen,
            )
        if self._select_after is not None and not matches.partial:
            ident, self._select_after = self._select_after, None
            asked_in, self._clear_for_it = self._clear_for_it, None
            if not self.headlines.select(ident) and asked_in == message.generation:
                self._look_up(ident)  # the filter hides it: cleared for it
        self.article_view.release()
        if matches.event_counts is not None and whole:  # (not those of the part read)
            self.event_counts = matches.event_counts
            self._recount = False

    def _follow_the_clock(self) -> None:
        """(Every CLOCK_LOOK.) A filter counted from now (since:1h, before:today, a saved
        filter, the story rows' filter) or an event's query so counted: when the clock's
        moving on (or a jump of it: a laptop resumed, a clock set) has passed a stored
        article's time, the list is made again, in its place, and the counts again (the rows
        stayed until something new came, while `wirewatch list` left them out). Nothing is
        looked at while the list last asked for is still coming, nor soon after a slow one
        came (CLOCK_RERUN_WAIT)."""
        listed = self._listed
        if listed is None or self._looking_at_clock or self._answered != self.generation:
            return
        took = self._answered_at - self._asked_at
        if time.monotonic() < self._answered_at + CLOCK_RERUN_WAIT * took:
            return
        text, listed_at = listed
        events = [e.query for e in self.events if e.query and follows_clock(e.query)]
        list_moves = follows_clock(text)
        if not list_moves and not events:
            return
        self._looking_at_clock = True
        counted_at = self._counted_at or listed_at
        self._look_at_the_clock(
            self.generation, text if list_moves else None, listed_at, events, counted_at
        )

    @work(thread=True, group="clock", exit_on_error=False)
    def _look_at_the_clock(
        self,
        generation: int,
        text: str | None,
        listed_at: datetime,
        events: list[str],
        counted_at: datetime,
    ) -> None:
        listed = counted = False
        try:
            now = self.clock()
            listed = text is not None and self.session.crossed([text], listed_at, now)
            counted = bool(events) and self.session.crossed(events, counted_at, now)
        except StoreError as exc:  # (a server not answering: the status line says so)
            log.debug("no look at what the clock passed: %s", exc)
        finally:
            self.post_message(ClockLooked(generation, listed, counted))

    @on(ClockLooked)
    def _clock_looked(self, message: ClockLooked) -> None:
        self._looking_at_clock = False
        if message.generation == self.generation and (message.listed or message.counted):
            self.run_query(recount=message.counted)

    def _empty_note(self, partial: bool, unknown: list[str] | None = None) -> str:
        """Why the list would be empty: stories still being grouped or not read yet, or a
        filter that matches nothing, and what of it names no source or tag (`unknown`: "No
        article matches the filter: source:Fronteir: no source of that name (did you mean
        source:Frontier?)"); "" while the list is still being made."""
        if partial:
            return ""
        if unknown and (self.query_text.strip() or self.unread_only):
            none = "No story" if self.story_view else "No article"
            return f"{none} matches the filter: {'; '.join(unknown)}"
        filtered = bool(self.query_text.strip()) or self.unread_only
        if self.story_view:
            running = self.session.newsroom.story_desk.running
            none = "No story matches the filter" if filtered else "No stories yet"
            if self.writer and running is not None and not running.done():
                return f"{none}: grouping the new articles into stories…"
            if self.session.shelf is None:
                return f"{none}: reading the stories…"
            return f"{none}."
        if filtered:
            return "No article matches the filter."
        return "No articles yet." if self.writer else "No articles yet: the writer polls."

    def set_filter(self, text: str, sort: SortOrder | None = None) -> None:
        self._chosen_next = True
        self.query_text = text
        if sort is not None:
            self.sort = sort
        self.run_query(recount=False)

    def action_filter_prompt(self) -> None:
        """The prompt, holding the filter in force, or what was typed in it and not applied
        when the focus left it (a click on the headlines): kept, not lost. The names a
        `source:` or `tag:` is completed from are gathered meanwhile."""
        bar = self.query_one(FilterBar)
        bar.open(self.query_text if bar.draft is None else bar.draft, self.sort)
        sources = self.config.sources
        self._gather_names([s.name for s in sources], [t for s in sources for t in s.tags])

    @work(thread=True, group="names", exclusive=True, exit_on_error=False)
    def _gather_names(self, sources: list[str], tags: list[str]) -> None:
        """The configured sources and tags and those stored (a source removed from the
        config, an item's categories), for the prompt to complete `source:` and `tag:`
        values from; made again only when they changed."""
        try:
            sources += self.session.counts("source")
            tags += self.session.counts("tag")
        except StoreError as exc:  # (the configured ones still complete)
            log.debug("no stored names to complete from: %s", exc)
        known = (frozenset(sources), frozenset(tags))
        if known != self._names_known:
            self._names_known = known
            self.post_message(NamesGathered(NameCompletion(*known)))

    @on(NamesGathered)
    def _names_gathered(self, message: NamesGathered) -> None:
        self.query_one(FilterBar).set_names(message.names)

    def _close_filter(self) -> None:
        bar = self.query_one(FilterBar)
        bar.display, bar.draft = False, None  # (escape, or applied: nothing is left over)
        if self.reading and is_narrow(self):  # the article open over the headlines
            self.article_view.focus()
        else:
            self.headlines.focus()

    @on(FilterBar.Applied)
    def _filter_applied(self, message: FilterBar.Applied) -> None:
        self.set_filter(message.text, message.sort)
        self._close_filter()

    def action_clear_filter(self) -> None:
        self.unread_only = False
        self.set_filter("")

    def action_saved_filter(self, number: int) -> None:
        saved = self.config.filters.get(str(number))
        if saved is None:
            self.notify(
                f"No saved filter {number}; add it under [filters] in the config.", markup=False
            )
            return
        self.set_filter(saved)

    def action_toggle_unread(self) -> None:
        self._chosen_next = True
        self.unread_only = not self.unread_only
        self.run_query(recount=False)

    # -- pickers ------------------------------------------------------------------------------
    def action_pick_source(self) -> None:
        self._pick("source")

    def action_pick_tag(self) -> None:
        self._pick("tag")

    def _hold_keys(self) -> None:
        """Keys typed from now go to the screen a worker is about to open (`_release_keys`
        once it is pushed, or when none will be)."""
        app = self.app
        assert isinstance(app, OrderedKeysApp)
        self._release_keys = app.hold_keys()

    def _pick(self, by: CountBy) -> None:
        """Count in a thread (counting waits on the store lock); keys typed meanwhile go to
        the picker that opens with the counts."""
        self._hold_keys()
        self._count(by)

    @work(thread=True, group="picker", exclusive=True, exit_on_error=False)
    def _count(self, by: CountBy) -> None:
        with waited_for():
            counts = self.session.counts(by)
        self.post_message(Counted(by, counts))

    @on(Counted)
    def _counted(self, message: Counted) -> None:
        try:
            if message.by == "source":
                self._show_sources(message.counts)
            else:
                self._show_tags(message.counts)
        finally:
            self._release_keys()

    def _show_sources(self, counts: dict[str, int]) -> None:
        names = [s.name for s in self.config.sources] + sorted(
            set(counts) - {s.name for s in self.config.sources}
        )
        options = [(name, Text(f"{counts.get(name, 0):>6}  {name}")) for name in names]
        picker = PickerScreen("Filter by source", options, find_in_rows=False)
        self.app.push_screen(picker, self._picked_source)

    def _picked_source(self, name: str | None) -> None:
        if name:
            self.set_filter(f"source:{quoted(name)}")

    def _show_tags(self, counts: dict[str, int]) -> None:
        options = [
            (tag, Text(f"{n:>6}  {tag}"))
            for tag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        picker = PickerScreen("Filter by tag", options, find_in_rows=False)
        self.app.push_screen(picker, self._picked_tag)

    def _picked_tag(self, tag: str | None) -> None:
        if tag:
            self.set_filter(f"tag:{quoted(tag)}")

    def action_source_health(self) -> None:
        """Who reported first is read in a thread (every listed story's articles); keys typed
        meanwhile go to the picker that opens with it."""
        self._hold_keys()
        self._read_leads()

    @work(thread=True, group="leads", exclusive=True, exit_on_error=False)
    def _read_leads(self) -> None:
        worker = get_current_worker()
        try:
            with waited_for():
                found = self.session.leads()
        except StoreError as exc:  # the sources' health shows without who was first
            log.warning("who reported first could not be read: %s", exc)
            found = {}
        if not worker.is_cancelled:  # H again meanwhile: that one opens the picker
            self.post_message(LeadsRead(found))

    @on(LeadsRead)
    def _show_health(self, message: LeadsRead) -> None:
        if message.again:
            self._leads = message.leads
            self._health_again()
            return
        try:
            self._health_picker(message.leads)
        finally:
            self._release_keys()

    def _health_picker(self, leads: dict[str, Lead]) -> None:
        """Each source's state, and how many stories of several sources it reported first and
        how far behind the first report it came (the median), as `wirewatch sources` says;
        said again in place while it is open, as polls change them (`_health_again`)."""
        self._leads = leads
        footer = hints(
            "ok: how long since it last read · first: stories of several sources it reported"
            " first · lag: its median delay behind the first report · enter filters to that"
            " source",
            key_hint(key_shown(self.app, "picker.find"), "finds (a name, a status, an error)"),
            key_hint(key_shown(self.app, "picker.close"), "closes"),
        )
        picker = RedrawnPickerScreen(
            self._health_title, lambda: self._health_options(self._leads), footer
        )
        self._health_shown = picker

        def picked(name: str | None) -> None:
            if self._health_shown is picker:
                self._health_shown = None
            self._picked_source(name)

        self.app.push_screen(picker, picked)

    def _health_again(self, leads: bool = False) -> None:
        """The open health picker's rows said anew with the sources' health now; `leads`:
        who reported first read again too (the stories changed), in a thread."""
        picker = self._health_shown
        if picker is None or not picker.is_attached:
            return
        picker.redraw()
        if leads:
            self._read_leads_again()

    @work(thread=True, group="leads-again", exclusive=True, exit_on_error=False)
    def _read_leads_again(self) -> None:
        try:
            found = self.session.leads()
        except StoreError as exc:  # the leads shown stay
            log.warning("who reported first could not be read: %s", exc)
            return
        self.post_message(LeadsRead(found, again=True))

    def _failing(self) -> set[str]:
        """The names of the enabled sources whose last poll failed."""
        told = healths_at(self.health, ((s.name, s.location) for s in self.config.sources))
        return {s.name for s in self.config.sources if s.enabled and told[s.name].status == "error"}

    def _health_title(self) -> str:
        """The health picker's title: how many sources fail, listed first."""
        failing = len(self._failing())
        if not failing:
            return "Source health · none failing"
        return f"Source health · {failing:,} of {len(self.config.sources):,} failing, listed first"

    def _health_options(self, leads: dict[str, Lead]) -> tuple[Options, dict[str, Text]]:
        """Each source's row, its name as wide as the terminal now gives it, and what is said
        under the list of the highlighted one: its last error whole (at 80 columns a row cut
        it to "HTTP 404 No…"), where its feed moved for good (polled there, the config's
        address said beside another's errors), its name and address."""
        local, options, details, now = self.session.local, [], {}, self.clock()
        named = picker_name_width(self.app.size.width)
        told = healths_at(self.health, ((s.name, s.location) for s in self.config.sources))
        # the failing first (300 of 2,000 were 45 pages down in the config's order), each
        # part in the config's order
        failing = self._failing()
        ordered = [s for s in self.config.sources if s.name in failing]
        ordered += [s for s in self.config.sources if s.name not in failing]
        for source in ordered:
            h = told[source.name]
            # how long since it last read ("4m", "3h", "Nov 30"): a date and time took eleven
            # cells, and at 80 columns the lag after it was cut
            ok = age(h.last_ok, now, local) if h.last_ok else "never"
            fails = f"{h.failures} failed in a row" if h.failures else ""
            detail = " ".join(said for said in (fails, h.last_error or "") if said)
            http = str(h.http_status or "-")
            lead = leads.get(source.name)
            firsts = lead.first_reports if lead else 0
            behind = lag(lead.median_lag) if lead and lead.median_lag is not None else "-"
            # a failing source's error right after its name: on a narrow screen it is what
            # must show
            said = f"{detail} · " if detail else ""
            status = h.status if source.enabled else "disabled"  # (its health as it was left)
            line = (
                f"{status:<12} {http:>3} {fit_middle(drawn(source.name), named)} "
                f"{said}ok {ok} · first {firsts} lag {behind}"
            )
            options.append((source.name, Text(line)))
            # why it fails first: a short picker has room for little more
            why = h.last_error or ""
            if h.warnings and not h.last_error:
                why = f"{h.warnings} unreadable fields ({h.last_warning})"
            why = f"{why} ({fails})" if why and fails else why or fails
            whole = Text(f"{status}: {why}\n" if why else "")
            moved = moved_to(h)
            if moved:
                whole.append(f"moved to {moved} for good: update the config\n")
            whole.append(f"{drawn(source.name)} · {shown_url(source.location)}", style="dim")
            details[source.name] = whole
        return options, details

    # -- polling ------------------------------------------------------------------------------
    @work(thread=True, group="poller", exit_on_error=False)
    async def _poll_loop(self, at_once: bool = False) -> None:
        """The newsroom's cycle (poll, store, retention, hooks) whenever sources are due, in
        an event loop and a thread of its own: what a cycle does between its awaits (reading
        responses, staging articles, the hooks) never holds up the screen. `at_once`: the
        first cycle polls every source, due or not."""
        try:
            await self.session.poll(at_once)
        finally:
            self.post_message(PollingStopped())

    @on(PollingStopped)
    def _polling_stopped(self) -> None:
        self.polling = False
        self._poll_ended = True

    def _cycle_done(self, cycle: Cycle) -> None:
        """The newsroom's hook, in the poll thread after every cycle."""
        health = dict(self.session.newsroom.health)
        self.post_message(
            CycleDone(
                cycle.new_ids,
                cycle.removed,
                health,
                self.clock(),
                cycle.revised_ids,
                cycle.moved_ids,
            )
        )

    def _config_reread(self, config: Config) -> None:
        """The newsroom's hook, in the thread that read the config file again."""
        self.post_message(ConfigReread(config))

    def _config_refused(self, problem: str) -> None:
        """The newsroom's hook, in the thread that found the changed config unreadable."""
        self.post_message(ConfigRefused(problem))

    @on(ConfigRefused)
    def _config_not_taken(self, message: ConfigRefused) -> None:
        """An edit that breaks the config was ignored without a word: it is said, with what
        is wrong and where (the running config stays until the file changes again)."""
        self._withdraw(CONFIG_REFUSED_TITLE)  # (the last edit's: this one says its own)
        self.notify(
            f"The config file changed but cannot be read; the running config is kept. "
            f"{message.problem}",
            title=CONFIG_REFUSED_TITLE,
            severity="error",
            timeout=30,
            markup=False,
        )

    def _at_next_start(self, new: Config) -> str:
        """A line of the reload's notice for what changed in [keys] or the theme, which this
        dashboard keeps as it started: the notice said only that the file was read again,
        and the new keys did nothing until a restart."""
        changed = []
        if new.keys != self.config.keys:
            changed.append("[keys]")
        if (new.settings.theme or "").casefold() != (self.config.settings.theme or "").casefold():
            changed.append("the theme")
        if not changed:
            return ""
        return f"\nThe change to {' and '.join(changed)} takes effect at the next start."

    @on(ConfigReread)
    def _config_taken(self, message: ConfigReread) -> None:
        """What a config file changed meanwhile says (`wirewatch add` in another terminal, an
        edit) is this screen's: its sources (the status line and health picker list them, as
        the newsroom polls them), saved filters, alert rules and watch terms (the alerts
        screen lists what the writer fires); its keys, theme and settings stay as it
        started."""
        changes = source_changes(self.config.sources, message.config.sources)
        new = message.config
        self._withdraw(CONFIG_REFUSED_TITLE)  # mended: what was wrong is no longer so
        for note in new.notes:  # (taken otherwise than written, as at the start)
            self.notify(note, title="Config", severity="warning", timeout=30, markup=False)
        self.config.sources[:] = new.sources
        self.config.alerts[:] = new.alerts
        self.config.watch_terms[:] = new.watch_terms
        self.headlines.set_watch_terms(self.config.watch_terms)  # marked as they now are
        self.config.filters.clear()
        self.config.filters.update(new.filters)
        # by kind, a few names of each (a source is known by its address: a rename is no
        # source added; 300 renames listed as "added" filled the screen)
        said = "".join(f"\n{line}" for line in said_briefly(changes))
        later = self._at_next_start(new)
        self.notify(
            f"The config file changed and was read again"
            f" ({counted(len(self.config.sources), 'source')}).{said}{later}",
            markup=False,
        )
        self.query_one(StatusLine).refresh()
        self._health_again()
        for screen in self.app.screen_stack:  # (open under a rule form, too)
            if isinstance(screen, AlertsScreen):
                screen.rules_again()

    def _follow_the_poll(self) -> None:
        """(Every second.) A poll under way: its progress for the status line, and what it
        has written listed and counted (a first poll of 2,000 sources said "No articles
        yet." for a minute over thousands stored). At most once a second, the list made in
        its thread as any other; not while the last one asked for is still being made (over
        a big store that takes longer than a second), nor of stories (grouped at the
        cycle's end)."""
        progress = self.session.progress
        self.poll_progress = progress
        if progress is None or progress.written == self._listed_written:
            return
        if self._answered != self.generation or self.story_view:
            return
        self._listed_written = progress.written
        self.run_query()

    @on(CycleDone)
    def _cycle_reported(self, message: CycleDone) -> None:
        self._opening = False
        self._listed_written = self.session.written  # (listed below, as every cycle's)
        self.poll_progress = self.session.progress
        self.last_poll = message.polled_at
        self.health = message.health
        self._health_again()
        if message.new_ids or message.removed or (message.revised_ids and self.query_text):
            # (a revised headline may leave a filter's list, or join it)
            self.run_query()
            self._read_stories()
        elif message.revised_ids:  # the same rows, some with another headline and a `~`
            self._rows_again(marks=False)
            self._read_stories()
        shown = self.article_view.wanted
        if shown is not None and (shown in message.revised_ids or shown in message.moved_ids):
            self.article_view.load(shown)  # its new headline and summary, or link

    def _look_at_marks(self) -> None:
        """(The writer, every VIEWER_RELOAD.) Marks a viewer changed are drawn here too."""
        if self.writer and not self._reading_rows:
            self._rows_again(marks=True)

    def _rows_again(self, marks: bool) -> None:
        headlines = self.headlines
        self._reading_rows = True
        self._read_rows_again(headlines.window(), headlines.stories, marks, headlines.generation)

    @work(thread=True, group="rows", exclusive=True, exit_on_error=False)
    def _read_rows_again(
        self, shown: list[str], shelf: StoryShelf | None, marks: bool, generation: int
    ) -> None:
        """The rows about the screen read again; with `marks`, only when another process
        changed a mark since the last look."""
        rows = None
        try:
            if not marks or self.session.store.marks_changed():
                rows = self.session.rows(shown, shelf)
        finally:
            self.post_message(RowsReadAgain(rows, generation, marked=marks and rows is not None))

    @on(RowsReadAgain)
    def _rows_read_again(self, message: RowsReadAgain) -> None:
        self._reading_rows = False
        if message.rows is None:
            return
        if message.marked:  # another process's marks: of rows off the screen too
            self._recount_unread()
        if message.generation != self.headlines.generation:  # a mark or a list came since:
            self._rows_again(marks=False)  # what was read may be older than what is drawn
            return
        self.headlines.update_rows(message.rows, everything=True)

    def action_refresh(self) -> None:
        if not self.polling:
            state = self.writer_state
            if state is not None and state.gone:
                self.action_take_over()
            elif self.writer and self._poll_ended:
                self.notify("Polling had stopped; polling again…", markup=False)
                self.polling = True
                self._poll_loop(at_once=True)  # as the key says: every source now
            elif self.writer:
                self.notify("The poller is starting; it polls in a moment.", markup=False)
            else:
                self._ask_refresh(state.pid if state is not None else None)
            return
        self.notify("Refreshing every source…", markup=False)
        self._refresh_now()

    @work(thread=True, group="refresh", exclusive=True, exit_on_error=False)
    def _ask_refresh(self, pid: int | None) -> None:
        """(A viewer.) Ask the process that writes this data dir to poll every source now;
        the articles come in at the next reload."""
        if self.session.newsroom.ask_refresh():
            who = f"the poller (pid {pid})" if pid else "the poller"
            said = f"Asked {who} to refresh every source now."
        else:
            said = "A separate poller writes this store; it refreshes on its own."
        self.app.call_from_thread(self.notify, said, markup=False)

    @work(group="refresh", exclusive=True, exit_on_error=False)
    async def _refresh_now(self) -> None:
        if await self.session.cycle() is None:  # otherwise its hook reports the cycle
            self.notify("The poller is starting; it polls in a moment.", markup=False)

    # -- a viewer of another process's store ----------------------------------------------------
    def _reload(self) -> None:
        self._reload_store(self.headlines.window(), self.headlines.stories)

    @work(thread=True, group="reload", exclusive=True, exit_on_error=False)
    def _reload_store(self, shown: list[str], shelf: StoryShelf | None) -> None:
        reload = self.session.reload()
        self.post_message(ViewerReloaded(reload, self.session.rows(shown, shelf)))

    @on(ViewerReloaded)
    def _viewer_reloaded(self, message: ViewerReloaded) -> None:
        if self.writer:  # took over meanwhile
            return
        reload = message.reload
        state = reload.writer
        was_gone = self.writer_state is not None and self.writer_state.gone
        self.writer_state = state
        if state.gone and not was_gone and not self.read_only:  # (its notice says why)
            self.notify(
                self._writer_gone_text(state),
                title=WRITER_GONE_TITLE,
                severity="warning",
                timeout=60,
                markup=False,
            )
        elif was_gone and not state.gone:
            self._withdraw_writer_gone()  # (it said to press r for a minute more)
            self.notify("A poller writes this store again.", markup=False)
        if reload.lost_stars:  # starred here after the writer had dropped its day
            first = clipped(shown_line(reload.lost_stars[0]), NOTICE_TITLE)
            more = len(reload.lost_stars) - 1
            self.notify(
                "Not kept: retention (older than retention_days) had removed "
                + (f"“{first}”" if first else "an article starred here")
                + (f" and {more} more" if more else "")
                + " before the star was saved.",
                title="Marks",
                severity="warning",
                timeout=30,
                markup=False,
            )
        self.health = reload.health
        polled = [h.last_polled for h in reload.health.values() if h.last_polled]
        self.last_poll = max(polled) if polled else None
        self._health_again()
        self._opening = False
        if reload.new_ids or reload.gone or (reload.revised and self.query_text):
            self.run_query()  # listed and counted again (a revised headline may leave the
            self._read_stories()  # filter's list, or join it)
        else:  # marks may have changed in another process
            marked = reload.marks or self.headlines.read_otherwise(message.rows)
            self.headlines.update_rows(message.rows, everything=True)
            if marked:
                self._recount_unread()
            if reload.renamed or reload.rewritten:  # the stories its articles are in name
                self._read_stories()  # it anew, or take its new headline
            elif reload.revised:  # a headline of the open timeline's, perhaps
                self._timeline_again()
        if reload.revised and self.article_view.wanted is not None:  # perhaps the one shown
            self.article_view.load(self.article_view.wanted)

    def _writer_gone_text(self, state: WriterState) -> str:
        key = first_key("poll.refresh", self.config.keys, self.app.get_key_display)
        if state.held:
            who = f"The poller (pid {state.pid})" if state.pid else "The poller"
            return (
                f"{who} has written nothing for {duration(state.silent)}: "
                "headlines are not updating. Stop it, then "
                f"{press(key)} to poll from this dashboard."
            )
        return (
            "The poller that wrote this store has stopped: headlines are not updating. "
            f"{press(key, starts=True)} to poll from this dashboard."
        )

    @property
    def can_take_over(self) -> bool:
        """A viewer whose poller has stopped (not one that hangs) can poll here instead,
        unless it cannot write the data dir."""
        state = self.writer_state
        gone = state is not None and state.gone and not state.held
        return not self.writer and not self.read_only and gone

    def action_take_over(self) -> None:
        """Become the writer of a store whose poller has gone, and poll here."""
        if self.writer:
            return
        state = self.writer_state
        if state is not None and state.held:
            self.notify(self._writer_gone_text(state), severity="warning", markup=False)
            return
        if not self.read_only:  # (tried all the same: the data dir may take writes now)
            self.notify("Taking over: this dashboard will poll the sources…", markup=False)
        self._take_over()

    @work(thread=True, group="takeover", exclusive=True, exit_on_error=False)
    def _take_over(self) -> None:
        try:
            self.session.take_over()
        except StoreLocked as exc:
            self.post_message(
                TookOver(f"{exc}: it writes again, so this dashboard stays a viewer.")
            )
            return
        except StoreError as exc:  # (a read-only data dir: "cannot write the data dir")
            self.post_message(TookOver(f"Cannot poll here: {exc}."))
            return
        self.post_message(TookOver())

    @on(TookOver)
    def _took_over(self, message: TookOver) -> None:
        if message.refused is not None:
            self.notify(message.refused, markup=False)
            return
        self.writer = True
        self.writer_state = None
        self.read_only = False
        if self._reload_timer is not None:
            self._reload_timer.stop()
            self._reload_timer = None
        self._withdraw_writer_gone()
        self.notify("This dashboard now polls the sources and writes the store.", markup=False)
        self.post_message(PollerReady(at_once=True))

    def _withdraw_writer_gone(self) -> None:
        """Take down the warning that nothing is updating: a poller writes again."""
        self._withdraw(WRITER_GONE_TITLE)

    def _withdraw(self, title: str) -> None:
        """Take down the notices of this title: what they warned of has passed."""
        for note in list(self.app._notifications):
            if note.title == title:
                self.app._unnotify(note)

    # -- the article ------------------------------------------------------------------------------
    @on(HeadlineList.Highlighted)
    def _highlighted(self, message: HeadlineList.Highlighted) -> None:
        self._from_timeline = None  # another article shown: escape is no way back to it
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        self.article_view.load(message.article_id)
        if message.article_id is None or not message.chosen:  # shown, not read: a desk left
            return  # alone has no unread article taken from it at each poll
        if self.read_after is not None and (not is_narrow(self) or self.reading):
            self._read_timer = self.set_timer(
                self.read_after, partial(self._mark_read, message.article_id)
            )

    def _current(self) -> str | None:
        """The id of the article the keys act on: the highlighted one, or on a story row the
        one the article pane shows (its first report, or one picked from its articles). The
        article itself is read in the thread of the key's worker, never here."""
        headlines = self.headlines
        return self.article_view.wanted if headlines.story_rows else headlines.current_id

    def _mark_read(self, ident: str) -> None:
        """Mark the article read unless it is (the look at it is a store read: a query on
        PostgreSQL), from its row as shown while the store cannot be read."""
        self._mark_read_in_thread(ident, self.headlines.shown_row(ident))

    @work(thread=True, group="state", exit_on_error=False)
    def _mark_read_in_thread(self, ident: str, shown: Row | None) -> None:
        rows = self.session.mark_read(ident, shown)
        self.post_message(MarksChanged([ident] if rows is not None else [], rows or Rows()))

    def _toggle(self, ident: str, mark: Mark) -> None:
        """Switch the article's mark (from its row as shown while the store cannot be read:
        the mark is then held until it can be written)."""
        self._toggle_in_thread(ident, mark, self.headlines.shown_row(ident))

    @work(thread=True, group="state", exit_on_error=False)
    def _toggle_in_thread(self, ident: str, mark: Mark, shown: Row | None) -> None:
        rows = self.session.toggle(ident, mark, shown)
        self.post_message(MarksChanged([ident] if rows is not None else [], rows or Rows()))

    @work(thread=True, group="state", exit_on_error=False)
    def _write_held_marks(self) -> None:
        """The store's server answers again: the marks held while it did not are written."""
        try:
            self.session.write_held_marks()
        finally:
            self._writing_held = False
        self.post_message(MarksChanged([], Rows()))  # (says they are saved)

    def _say_marks_saving(self) -> None:
        """Say once that the disk refuses the marks (they are shown all the same), and once
        that it takes them again."""
        notice = self.session.marks_notice()
        if notice is not None:
            said, refused = notice
            severity: SeverityLevel = "error" if refused else "information"
            self.notify(said, title="Marks", severity=severity, timeout=30, markup=False)

    @on(MarksChanged)
    def _marks_changed(self, message: MarksChanged) -> None:
        self._say_marks_saving()
        if message.said is not None:
            self.notify(message.said, markup=False)
        if message.ids:  # else nothing changed (read already, or gone)
            self._marked_here += 1
            self.headlines.update_rows(message.rows)
            if self.unread_only and not self.counting:
                self._count_unread(message.ids, message.rows)

    def _count_unread(self, ids: list[str], rows: Rows) -> None:
        """(The unread view.) Count the listed rows these articles' marks made read, or
        unread again, out of `matching`: a row read stays listed until the next list."""
        headlines = self.headlines
        shelf = headlines.stories if headlines.story_rows else None
        for ident in ids:
            if shelf is not None:
                key = shelf.story_of(ident)
                read = key is not None and "+" not in rows.marks.get(key, "+")
            else:
                key, row = ident, rows.articles.get(ident)
                read = row is not None and row.article.read
            if key is None or (key != headlines.current_id and key not in headlines.ids):
                continue
            if read:
                self._read_listed.add(key)
            else:
                self._read_listed.discard(key)
        self.matching = self._listed_count - len(self._read_listed)

    def _recount_unread(self) -> None:
        """(The unread view.) Another process may have read listed rows, or made them unread
        again, off the screen too: which are read is asked of the store in a thread, and
        they are counted as the rows read here are (they stay listed until the next list)."""
        if not self.unread_only or self.counting:  # (a partial list is counted when whole)
            return
        headlines = self.headlines
        shelf = headlines.stories if headlines.story_rows else None
        self._count_read_listed(headlines.listing, self._marked_here, headlines.ids, shelf)

    @work(thread=True, group="unread-count", exclusive=True, exit_on_error=False)
    def _count_read_listed(
        self, listing: int, marked_here: int, rows: list[str], shelf: StoryShelf | None
    ) -> None:
        worker = get_current_worker()
        read = self.session.rows_read(rows, shelf)
        if not worker.is_cancelled:  # a newer count is under way
            self.post_message(UnreadCounted(listing, marked_here, read))

    @on(UnreadCounted)
    def _unread_counted(self, message: UnreadCounted) -> None:
        if not self.unread_only or self.counting or message.listing != self.headlines.listing:
            return  # another list since: counted as it was made
        if message.marked_here != self._marked_here:  # this count may be older than a mark
            self._recount_unread()  # made here since, which counted it already: again
            return
        self._read_listed = message.read
        self.matching = self._listed_count - len(self._read_listed)

    def action_open_article(self) -> None:
        story = self.headlines.current_story if self.headlines.story_rows else None
        if story is not None:
            self._open_story(story)
            return
        ident = self.headlines.current_id
        if ident is None:
            return
        if is_narrow(self):  # the article opens over the headlines
            self.reading = True
            self.article_view.focus()
        self._mark_read(ident)

    @on(HeadlineList.OpenAsked)
    def _row_clicked_again(self, message: HeadlineList.OpenAsked) -> None:
        self.action_open_article()

    def action_page_article(self) -> None:
        """A page further in the article, from wherever the keys are (the headlines of a wide
        layout kept them: its article could be scrolled only with the mouse, or by tabbing
        to it)."""
        self.article_view.action_page(1)

    def action_close_article(self) -> None:
        if self.query_one(FilterBar).display:  # the prompt first: it is what keys go to
            self._close_filter()
        elif self._back_to_timeline():
            return
        elif self.reading:
            self.reading = False
            self.headlines.focus()

    def _back_to_timeline(self) -> bool:
        """An article opened from a story's timeline, still shown: the article closed (on a
        narrow terminal it covered the stories) and the timeline opened again on it, as the
        story is now; a story read article by article is read in its timeline. False when
        the article shown came otherwise."""
        came, self._from_timeline = self._from_timeline, None
        if came is None or self.article_view.wanted != came[1]:
            return False
        story, ident = came
        if self.reading:
            self.reading = False
            self.headlines.focus()
        shelf = self.session.shelf
        self._open_story((shelf.story(ident) if shelf is not None else None) or story)
        return True

    @on(DescendantFocus)
    def _focus_moved(self, event: DescendantFocus) -> None:
        """The filter prompt goes when the focus leaves it (shift+tab, a click elsewhere):
        drawn while the keys went to the headlines, a word typed in it ran their commands,
        "q" among them. What was typed in it stays for `/` to open it on again (it was lost:
        `/` opened on the filter in force)."""
        bar = self.query_one(FilterBar)
        if bar.display and event.widget not in bar.query("*"):
            bar.display = False
            typed = bar.query_one(Input).value
            bar.draft = typed if typed != self.query_text else None

    def action_toggle_star(self) -> None:
        """The highlighted article's star switched; on a story row, its articles'."""
        story = self.headlines.current_story if self.headlines.story_rows else None
        if story is not None:
            self._toggle_story(story, "starred")
            return
        ident = self._current()
        if ident is not None:
            self._toggle(ident, "starred")

    def action_toggle_read(self) -> None:
        """The highlighted article's read mark switched; on a story row, its articles'."""
        story = self.headlines.current_story if self.headlines.story_rows else None
        ident = self._current()
        if story is None and ident is None:
            return
        # the mark asked for stands: the article's read-after-shown timer, still to run,
        # marked it read again a moment after `m` made it unread
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if story is not None:
            self._toggle_story(story)
        elif ident is not None:
            self._toggle(ident, "read")

    @work(thread=True, group="state", exit_on_error=False)
    def _toggle_story(self, story: Story, mark: Mark = "read") -> None:
        ids, marked, rows = self.session.toggle_story(story.articles, mark)
        n = len(ids)
        articles = f"the story's {n} article{'' if n == 1 else 's'}"
        if mark == "starred":
            said = f"{'Starred' if marked else 'Unstarred'} {articles}."
        else:
            said = f"Marked {articles} {'read' if marked else 'unread'}."
        self.post_message(MarksChanged(ids, rows, said if ids else None))

    def action_next_unread(self, step: int) -> None:
        """The next unread row below the highlighted one (`step` -1: above), found in a
        thread: the rows' marks are asked of the store a chunk at a time. (The list is
        handed over as it is: a new list replaces it, never changes it.)"""
        headlines = self.headlines
        if headlines.ids and not self._still_reading("headlines.next_unread"):
            shelf = headlines.stories if headlines.story_rows else None
            self._find_unread(headlines.generation, headlines.ids, headlines.cursor, step, shelf)

    def _still_reading(self, binding_id: str) -> bool:
        """Whether the list is a first page, the rows about it still to come, or of the part
        of the store read first (said, naming the key that waits for it): `n` would pass
        over the rows to come, `A` leave them unread, `G` land on a day-old article halfway
        down the whole list (and read it)."""
        if not self.counting and not self.loading_rest:  # (a whole list: no scan of it)
            return False
        key = key_shown(self.app, binding_id)
        again = key if key != NO_KEY else "try again"  # (run from the palette)
        self.notify(f"The list is still being read: {again} once it is whole.", markup=False)
        return True

    @work(thread=True, group="unread", exclusive=True, exit_on_error=False)
    def _find_unread(
        self, generation: int, rows: list[str], start: int, step: int, shelf: StoryShelf | None
    ) -> None:
        worker = get_current_worker()
        found = self.session.next_unread(rows, start, step, shelf, lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.post_message(UnreadFound(generation, found, step))

    @on(UnreadFound)
    def _unread_found(self, message: UnreadFound) -> None:
        headlines = self.headlines
        if message.generation != headlines.generation:
            return  # found in a list since replaced
        if message.row is None:
            way = "below" if message.step > 0 else "above"
            kind = "story" if headlines.story_rows else "article"
            self.notify(f"No unread {kind} {way}.", markup=False)
            return
        headlines.move_to(message.row)

    def action_mark_all_read(self) -> None:
        """Every article listed marked read, once `A` is pressed a second time: a desk
        catching up on a filter's backlog (newsboat's `A`)."""
        headlines = self.headlines
        rows = headlines.ids  # (handed over as it is; the worker reads its articles)
        if not rows or self._still_reading("article.all_read"):
            return
        what = "stories" if headlines.story_rows else "articles"
        if not self._marking_all.confirmed(f"{headlines.listing}"):
            key = key_shown(self.app, "article.all_read")
            listed = len(rows) - len(self._read_listed)  # (those of the unread view read here)
            self.notify(
                f"{press(key, starts=True)} again to mark the {listed:,} {what} listed read.",
                markup=False,
            )
            return
        self._mark_all_read(rows, headlines.stories if headlines.story_rows else None)

    @work(thread=True, group="state", exit_on_error=False)
    def _mark_all_read(self, rows: list[str], shelf: StoryShelf | None) -> None:
        self.post_message(AllMarkedRead(self.session.mark_all_read(rows, shelf)))

    @on(AllMarkedRead)
    def _all_marked_read(self, message: AllMarkedRead) -> None:
        self._say_marks_saving()
        count = message.marked
        if not count:
            self.notify("Every article listed was read already.")
            return
        self.notify(f"Marked {count:,} article{'' if count == 1 else 's'} read.")
        self.run_query(recount=False)  # the rows drawn again (unread only: they go)

    def action_open_link(self) -> None:
        ident = self._current()
        if ident is not None:
            # a browser tab of `serve`: the link is the reader's browser's to open, never one
            # on the server's desktop (nor a text browser there, nor its clipboard)
            self._open_link(ident, served=self.app.is_web)

    @work(thread=True, group="browser", exit_on_error=False)
    def _open_link(self, ident: str, served: bool) -> None:
        """In a thread: the article is read from the store, finding a browser may run
        `xdg-settings`, a terminal browser named in $BROWSER runs until it is closed, and
        copying inside tmux runs `tmux`."""
        article = self.session.get(ident)
        if article is None or not article.link:
            refused = (
                "That article is no longer stored."
                if article is None
                else f"This article has {self.session.why_no_link(article)}."
            )
            self.post_message(LinkOpened(None, refused=refused))
            return
        # (a link stored before its source's fields were cleaned may hold an escape sequence:
        # copied whole, an OSC 52 in it wrote the clipboard over where it was pasted)
        link = clean_link(article.link)
        if not link.lower().startswith(("http://", "https://")):
            refused = "Only http and https links are opened."
            self.post_message(LinkOpened(link, refused=refused, warning=True))
        elif served:
            self.post_message(LinkOpened(link, served=True))
        elif (command := terminal_browser(link)) is not None:
            self.post_message(LinkOpened(link, terminal=command))
        elif has_browser() and webbrowser.open(link):
            self.post_message(LinkOpened(link, opened=True))
        else:
            self.post_message(LinkOpened(link, in_tmux=copy_in_tmux(link)))

    @work(thread=True, group="browser", exit_on_error=False)
    def _copy_link(self, link: str, not_opened: str) -> None:
        """In a thread (copying inside tmux runs `tmux`): a link no browser took."""
        self.post_message(LinkOpened(link, in_tmux=copy_in_tmux(link), not_opened=not_opened))

    @on(LinkOpened)
    def _link_opened(self, message: LinkOpened) -> None:
        if message.refused is not None or message.link is None:
            severity: SeverityLevel = "warning" if message.warning else "information"
            self.notify(message.refused or "", severity=severity, markup=False)
        elif message.served:
            # textual-serve's page opens it with window.open, which a pop-up blocker may stop
            self.app.open_url(message.link, new_tab=True)
            self.notify(
                f"Opened the link in a new tab (allow this page's pop-ups if none appeared):"
                f" {message.link}",
                markup=False,
            )
        elif message.terminal is not None:
            self._browse_in_terminal(message.link, message.terminal)
        elif message.opened:
            self.notify(f"Opened {message.link}", markup=False)
        elif message.in_tmux:
            self.notify(
                f"{message.not_opened}; copied the link to tmux's paste buffer (and to the"
                f" clipboard where the terminal takes it): {message.link}",
                markup=False,
            )
        else:
            self.app.copy_to_clipboard(message.link)
            self.notify(
                f"{message.not_opened}; copied the link to the clipboard: {message.link}",
                markup=False,
            )

    def _browse_in_terminal(self, link: str, command: list[str]) -> None:
        """Give the terminal to a text browser until it ends (the dashboard reads no key
        meanwhile), then take it back; where the terminal cannot be given up, the link is
        copied."""
        try:
            with self.app.suspend():
                ended = subprocess.run(command, check=False)
        except (SuspendNotSupported, OSError) as exc:
            why = (
                "the terminal cannot be given to it here"
                if isinstance(exc, SuspendNotSupported)
                else (exc.strerror or str(exc))
            )
            self._copy_link(link, f"{command[0]} did not run ({why})")
            return
        if ended.returncode:
            self.notify(f"{command[0]} ended with status {ended.returncode}.", markup=False)
        else:
            self.notify(f"Opened {link}", markup=False)

    def action_full_text(self) -> None:
        ident = self._current()
        if ident is not None:
            self.article_view.fetch_full_text(ident)

    # -- stories and revisions ------------------------------------------------------------------
    @work(group="stories", exclusive=True, exit_on_error=False)
    async def _read_stories(self) -> None:
        """The stories once the writer's grouping of the cycle (if one runs) is done; read
        in a thread."""
        running = self.session.newsroom.story_desk.running
        if self.writer and running is not None:
            await asyncio.wait([asyncio.wrap_future(running)])
        self.post_message(StoriesRead(await asyncio.to_thread(self.session.read_stories)))

    @on(StoriesRead)
    def _stories_read(self, message: StoriesRead) -> None:
        self.session.shelf = message.shelf
        self._health_again(leads=True)  # who reported first, over these stories
        self._timeline_again()
        if self.story_view or self._asks_stories():
            self.run_query(recount=False)
        view = self.article_view
        shown = view.article_id
        if shown is not None and shown == view.wanted:
            # its "also reported by" as these stories have it (read before them, it said
            # nothing; a cycle may have brought another outlet into its story)
            story = message.shelf.story(shown)
            if (story is not None and story.outlets > 1) or view.also[1]:
                view.load(shown)

    def _asks_stories(self) -> bool:
        """Whether the filter in force has a story: or outlets: clause (a filter that does
        not parse asks nothing)."""
        try:
            return self._effective_query().asks_stories
        except QueryError:
            return False

    def action_toggle_stories(self) -> None:
        self._chosen_next = True
        self.story_view = not self.story_view
        if self.story_view and self.session.shelf is None:
            self.notify(
                "The stories show once every stored article is loaded and grouped.",
                markup=False,
            )
        self.run_query(recount=False)

    def _open_story(self, story: Story) -> None:
        """The story's articles across outlets, first reported first, read in a thread; keys
        typed meanwhile go to the list that opens with them."""
        self._hold_keys()
        self._read_story(story)

    @work(thread=True, group="story", exclusive=True, exit_on_error=False)
    def _read_story(self, story: Story) -> None:
        with waited_for():
            records = self.session.records(list(story.articles))
        self.post_message(StoryRead(story, records))

    @on(StoryRead)
    def _story_read(self, message: StoryRead) -> None:
        """The story's timeline; enter shows one of its articles. (Read again: the open
        timeline follows the story.)"""
        if message.again:
            self._timeline_read_again(message.story, message.records)
            return
        try:
            self._show_story(message.story, message.records)
        finally:
            self._release_keys()

    def _show_story(self, story: Story, records: list[Record]) -> None:
        """The timeline, on the article last opened from it (the next one is a key away)."""
        title, footer = self._timeline_text(story, records)
        timeline = StoryTimelineScreen(
            title,
            partial(self._timeline_rows, records),
            footer,
            self._read_revisions,
            self.action_refresh,
            at=self._opened_in_story.get(story.id),
        )
        self._timeline = (timeline, story)
        self.app.push_screen(timeline, partial(self._show_from_story, story))

    def _timeline_text(self, story: Story, records: list[Record]) -> tuple[str, str]:
        """A timeline's title and footer."""
        undated = any(record.published is None for record in records)
        pulled = any(record.pulled is not None for record in records)
        now = self.clock()
        first = first_reported(story.first_seen, now, self.session.local).removeprefix("first ")
        outlets = f"{story.outlets} outlet" + ("s" if story.outlets != 1 else "")
        articles = f"{len(records):,} article" + ("s" if len(records) != 1 else "")
        # who was first before the headline: a narrow screen cuts the end of the line
        title = (
            f"{outlets} · {articles} · first {drawn(story.first_teller)}, {first} ·"
            f" {drawn(story.title)}"
        )
        diff = first_key("timeline.revisions", self.config.keys, self.app.get_key_display)
        footer = (
            "enter shows the article · ~ revised by its source"
            + (f" ({diff} shows how)" if diff != NO_KEY else "")
            + " ·"
            + (f" {PULLED} pulled from its feed ·" if pulled else "")
            + (" * undated: when it was fetched ·" if undated else "")
            + f" {key_shown(self.app, 'picker.close')} closes"
        )
        return title, footer

    def _timeline_again(self) -> None:
        """The open timeline's story as the stories are now (a report joined it, a headline
        was revised), found and its articles read again in a thread."""
        shown, shelf = self._timeline, self.session.shelf
        if shown is None or shelf is None:
            return
        timeline, story = shown
        if not timeline.is_attached:
            self._timeline = None
            return
        self._read_story_again(story, shelf)

    @work(thread=True, group="story-again", exclusive=True, exit_on_error=False)
    def _read_story_again(self, shown: Story, shelf: StoryShelf) -> None:
        """The story `shown` as `shelf` has it (by its id, or, merged into another, by one
        of its articles: a lookup of each article of a large story), its articles read
        again; `_timeline_read_again` then shows it on the screen's thread."""
        story = shelf.by_id.get(shown.id) or next(
            (found for ident in shown.articles if (found := shelf.story(ident)) is not None),
            None,
        )
        if story is None:  # (a story whose articles all went stays as it was shown)
            return
        worker = get_current_worker()
        if worker.is_cancelled:  # the stories changed again meanwhile
            return
        records = self.session.records(list(story.articles))
        if not worker.is_cancelled:
            self.post_message(StoryRead(story, records, again=True))

    def _timeline_read_again(self, story: Story, records: list[Record]) -> None:
        shown = self._timeline
        if shown is None or not shown[0].is_attached:
            return
        timeline, before = shown
        if story.id != before.id and not set(story.articles) & set(before.articles):
            return  # read for a timeline closed since (another story's is open)
        self._timeline = (timeline, story)
        title, footer = self._timeline_text(story, records)
        timeline.follow(title, partial(self._timeline_rows, records), footer)

    def _timeline_rows(self, records: list[Record]) -> tuple[Options, None]:
        """A story's articles, one row each, their outlets' names as wide as the longest
        within what the terminal gives them now (said once, a timeline opened at 80 columns
        kept 16-cell names when the terminal widened)."""
        local, options = self.session.local, []
        longest = max((cell_len(drawn(record.source)) for record in records), default=1)
        named = min(picker_name_width(self.app.size.width), longest)
        for record in records:
            ident = record.id
            # when it was reported as the story counts it (the order of these rows): a date
            # ahead of its fetch is its fetch's, as `stories` gives first_seen and last_seen
            # (an article dated 14:01 and fetched 13:52 was listed above one of 13:56)
            seconds = first_time(record)
            when = datetime.fromtimestamp(seconds, UTC).astimezone(local)
            # an undated article's time is its fetch's, marked so: not a time it was reported
            fetched = "*" if record.published is None else " "
            # taken down by its feed (a retraction) says more than revised: it takes the column
            revised = " " if record.revised is None else "~"
            revised = PULLED if record.pulled is not None else revised
            source, title = fit(drawn(record.source), named), drawn(record.title)
            line = f"{when:%m-%d %H:%M}{fetched} {source} {revised} {title}"
            options.append((ident, Text(line)))
        return options, None

    def _show_from_story(self, story: Story, ident: str | None) -> None:
        """The article chosen in the story's timeline (None: it was closed), shown and read
        as enter on its headline does; escape goes back to the timeline while it is shown."""
        if self._timeline is not None:
            story = self._timeline[1]  # as the polls left it while its timeline was open
        self._timeline = None
        if ident is None:
            return
        self._opened_in_story[story.id] = self._story_article = ident
        if self._read_timer is not None:  # (the story row's article's)
            self._read_timer.stop()
            self._read_timer = None
        self.article_view.load(ident)
        self._from_timeline = (story, ident)
        if is_narrow(self):
            self.reading = True
            self.article_view.focus()
        self._mark_read(ident)

    def action_show_revisions(self) -> None:
        ident = self._current()
        if ident is not None:
            self._read_revisions(ident)

    def _read_revisions(self, ident: str) -> None:
        close = key_shown(self.app, "revisions.close")
        self._diff_revisions(ident, close, RevisionsScreen.text_width(self.app))

    @work(thread=True, group="revisions", exclusive=True, exit_on_error=False)
    def _diff_revisions(self, ident: str, close: str, width: int) -> None:
        """Here, not on the screen: diffs of long full texts take a while, and so does
        wrapping their lines to the screen's `width`."""
        with waited_for():
            history = self.session.history(ident)
            shown = (
                shown_lines(
                    revision_lines(
                        history.article,
                        history.revisions,
                        history.revised,
                        self.session.local,
                        history.texts,
                    ),
                    close,
                    width,
                )
                if history is not None and (history.revisions or history.texts)
                else None
            )
        if not get_current_worker().is_cancelled:  # d again meanwhile: that one is shown
            self.post_message(RevisionsRead(ident, history, shown))

    @on(RevisionsRead)
    def _revisions_read(self, message: RevisionsRead) -> None:
        history = message.history
        if history is None:
            self.notify("That article is no longer stored.", markup=False)
            return
        article = history.article
        if not history.revisions and not history.texts:
            title = clipped(shown_line(article.title), NOTICE_TITLE)
            self.notify(f"Its source has not changed this article: {title}", markup=False)
            return
        if message.shown is not None:
            self.app.push_screen(RevisionsScreen(message.shown))

    # -- events -----------------------------------------------------------------------------------
    @work(thread=True, group="events", exit_on_error=False)
    def _load_events(self) -> None:
        events, problem = self.session.events()
        self.post_message(EventsLoaded(events, problem))

    @work(thread=True, group="events-look", exclusive=True, exit_on_error=False)
    def _look_at_events(self) -> None:
        """The events as another dashboard (or host, on a shared store) left them: one added,
        edited or removed there was counted down to here, and edited as a ghost, until this
        one changed an event itself."""
        events, problem = self.session.events()
        self.post_message(EventsLoaded(events, problem, looked=True))

    @work(thread=True, group="events", exit_on_error=False)
    def _change_event(self, change: EventChange, event: Event) -> None:
        try:
            done = self.session.change_event(change, event)
        except EventBookError as exc:  # (the form had closed: what was typed was lost)
            if change != "remove":
                gone = isinstance(exc, EventGone)
                self.post_message(EventNotSaved(change, event, str(exc), gone))
                return
            raise
        events, problem = self.session.events()
        self.post_message(EventsLoaded(events, problem, done))

    @on(EventNotSaved)
    def _event_not_saved(self, message: EventNotSaved) -> None:
        typed = message.event
        editing = typed if message.change == "edit" else None
        # an edit of an event removed elsewhere: the form adds it anew (as an edit of the
        # vanished event no enter could save it, and escape lost what was typed), keeping
        # the instant saved while its time is as it was
        as_new = editing is not None and message.gone
        then = "; enter saves it as a new event" if as_new else ""
        self.notify(f"Not saved: {message.reason}{then}", severity="error", markup=False)
        zone_typed = "" if typed.tz == "local" else typed.tz
        self.open_event_form(
            editing, typed.name, typed.raw_when, typed.query or "", zone_typed, as_new=as_new
        )

    @on(EventsLoaded)
    def _events_loaded(self, message: EventsLoaded) -> None:
        if message.looked and (message.events, message.problem) == (
            self.events,
            self._events_problem,
        ):
            return  # as they were: nothing drawn or counted again
        said, self._events_problem = self._events_problem, message.problem
        if (
            message.problem
            and not (message.looked and message.problem == said)
            and not said_as_outage(self.app, message.problem)
        ):
            self.notify(message.problem, severity="error", markup=False)
        if message.done:
            self.notify(message.done, markup=False)
        self.events = message.events
        self.run_query()  # the events' headline counts

    @on(Countdown.Chosen)
    def _event_chosen(self, message: Countdown.Chosen) -> None:
        self._filter_to_event(message.event)

    def _filter_to_event(self, event: Event) -> None:
        if event.query:
            self.set_filter(event.query)
            self.headlines.focus()
        else:
            self.notify(f"{event.name} has no query to filter by.", markup=False)

    def action_events(self) -> None:
        self.app.push_screen(
            EventsScreen(self.events, self.clock, self.session.local), self._event_choice
        )

    def _event_choice(self, choice: EventChoice | None) -> None:
        if choice is None:
            return
        match choice.action:
            case "filter" if choice.event is not None:
                self._filter_to_event(choice.event)
            case "add" | "edit":
                self.open_event_form(choice.event)
            case "remove" if choice.event is not None:
                self._change_event("remove", choice.event)

    def open_event_form(
        self,
        event: Event | None = None,
        name: str = "",
        when: str = "",
        query: str = "",
        zone_text: str = "",
        as_new: bool = False,
    ) -> None:
        """The event form: adding, or editing `event` (with `as_new`, adding what it holds:
        its stored event is gone)."""
        settings = self.config.settings
        form = EventForm(
            self.clock,
            settings.timezone,
            self.session.local,
            settings.date_order,
            event,
            name,
            when,
            query,
            zone_text,
            as_new=as_new,
        )
        change: EventChange = "edit" if event is not None and not as_new else "add"
        self.app.push_screen(form, partial(self._event_saved, change))

    def _event_saved(self, change: EventChange, event: Event | None) -> None:
        if event is not None:
            self._change_event(change, event)

    def action_accept_suggestion(self) -> None:
        """Open the event form filled with the article's suggested countdown, or say why
        there is none."""
        view = self.article_view
        if view.article_id is None:
            self.notify("No article selected.", markup=False)
            return
        if not view.suggestions:
            self.notify(view.no_suggestion, markup=False)
            return
        found = view.suggestions[0]
        self.open_event_form(name=found.name, when=found.when_text)

    def _look_at_the_store(self) -> None:
        """Whether the store's server answers, as its last try found (no try is made here);
        once it does, the marks held while it did not are written."""
        away = self.unreachable = self.session.store.unreachable
        if away is None and self.session.marks_await_server and not self._writing_held:
            self._writing_held = True
            self._write_held_marks()

    def watch_unreachable(self, before: Unreachable | None, now: Unreachable | None) -> None:
        """The outage was said once (`say_store_away`); its end is said once too."""
        if before is not None and now is None:
            self._withdraw(STORE_AWAY_TITLE)
            store_answers_again(self.app)
            self.notify("The database answers again.", title="Store", markup=False)

    def _check_alerts(self) -> None:
        for alert in self.alerts.check(self.events, self.clock()):
            self.notify(alert.message, title="Countdown", severity="warning", markup=False)
            if self.config.settings.bell:
                self.app.bell()

    # -- alert rules: what fired, rings and shows here -----------------------------------------
    @work(thread=True, group="alert-feed", exit_on_error=False)
    def _look_for_alerts(self) -> None:
        taken = self.alert_data.take()
        if taken is not None and (taken.entries or taken.problem or taken.undelivered):
            self.post_message(AlertsArrived(taken))

    @on(AlertsArrived)
    def _alerts_arrived(self, message: AlertsArrived) -> None:
        """Write the terminal notifications and the bell to the real terminal (over SSH and
        through tmux too), show each alert and count it until the alerts screen is opened."""
        new = message.new
        if (
            new.problem
            and new.problem != self._alert_problem
            and not said_as_outage(self.app, new.problem)
        ):
            self.notify(new.problem, title="Alerts", severity="error", markup=False)
        self._alert_problem = new.problem
        for failure in new.undelivered[-ALERT_TOASTS:]:
            self.notify(failure, title="Alert not delivered", severity="error", markup=False)
        if not new.entries:
            return
        driver = self.app._driver
        if new.output and driver is not None:
            driver.write(new.output.decode("utf-8", "replace"))
        for entry in new.entries[-ALERT_TOASTS:]:
            where = f" ({shown_line(entry.source)})" if entry.source else ""
            title = f"Alert: {entry.alert}"
            said = clipped(shown_line(entry.title), NOTICE_TITLE)
            if entry.kind == "spike":
                self.notify(said, title=title, severity="warning", markup=False)
            else:
                self.notify(said + where, title=title, markup=False)
        if len(new.entries) > ALERT_TOASTS:
            key = first_key("app.alerts", self.config.keys, self.app.get_key_display)
            more = len(new.entries) - ALERT_TOASTS
            where = key if key != NO_KEY else f"Alerts… in the palette ({PALETTE_KEY})"
            self.notify(f"and {more} more alerts: {where} lists them", markup=False)
        screen = self.app.screen
        if isinstance(screen, AlertsScreen):
            screen.add_entries(new.entries)
        else:
            self.new_alerts += len(new.entries)

    def action_alerts(self) -> None:
        """Read the history and rules in a thread; keys typed meanwhile go to the screen."""
        self._hold_keys()
        self._read_alerts()

    @work(thread=True, group="alerts", exclusive=True, exit_on_error=False)
    def _read_alerts(self) -> None:
        self.post_message(AlertsRead(self.alert_data.view()))

    @on(AlertsRead)
    def _alerts_read(self, message: AlertsRead) -> None:
        try:
            self.new_alerts = 0
            screen = AlertsScreen(
                self.alert_data, message.view, self.query_text, self.clock, self.session.local
            )
            self.app.push_screen(screen, self._alert_chosen)
        finally:
            self._release_keys()

    def _alert_chosen(self, choice: AlertChoice | None) -> None:
        if choice is None:
            return
        if choice.action == "filter":
            self.set_filter(choice.target)
        else:
            self.show_article(choice.target)
        self.headlines.focus()

    def show_article(self, ident: str) -> None:
        """Highlight an article (on story rows, its story's row, with that article in the
        article pane); when the filter hides it, clear the filter first. An article no
        story holds yet (grouped after the stories were read) shows in the headlines."""
        self._story_article = ident  # (on its story's row, `S` lands on it)
        if not self.headlines.select(ident):
            self._look_up(ident)

    @work(thread=True, group="lookup", exclusive=True, exit_on_error=False)
    def _look_up(self, ident: str) -> None:
        self.post_message(ArticleLookedUp(ident, self.session.get(ident) is not None))

    @on(ArticleLookedUp)
    def _looked_up(self, message: ArticleLookedUp) -> None:
        """An article the headlines do not list: shown once the filter is cleared (when the
        list is partial, once its whole list comes without it)."""
        ident = message.ident
        if self.headlines.select(ident):  # listed by now (a cycle's stories, a new filter)
            return
        if not message.stored:
            self.notify("That article is no longer stored.", markup=False)
            return
        if self.counting and not self.story_view:  # the list is partial: its blank rows,
            self._select_after = ident  # not read yet, may hold it; the filter stays if so
            self._clear_for_it = self.generation
            return
        shelf = self.session.shelf
        if self.story_view and (shelf is None or shelf.story_of(ident) is None):
            self.story_view = False
            key = first_key("stories.toggle", self.config.keys, self.app.get_key_display)
            why = (
                "The stories are not read yet"
                if shelf is None
                else "That article is in no story yet"
            )
            stories = f" ({key} for stories)" if key != NO_KEY else ""
            self.notify(f"{why}: the headlines list articles{stories}.", markup=False)
        self._select_after = ident
        self.unread_only = False
        self.set_filter("")

    # -- help -------------------------------------------------------------------------------------
    def action_help(self) -> None:
        """Every binding by where it works, with its keys after [keys] and its id."""
        sections = help_sections(self.config.keys, self.config.filters, self.app.get_key_display)
        footnote = "filter.saved1 to filter.saved9 run the queries of [filters] 1 to 9."
        self.app.push_screen(HelpScreen(sections, footnote))
