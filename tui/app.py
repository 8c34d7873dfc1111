"""The wirewatch dashboard: headlines, countdown and article panes over one store.

Workers do the slow things (opening the store and querying it in threads, polling in an async
worker) and post messages; only handlers on the app touch widgets.
"""

from __future__ import annotations

import asyncio
import gc
import io
import os
import shutil
import sys
import webbrowser
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import platformdirs
from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.events import DeliveryComplete, DeliveryFailed
from textual.theme import Theme
from textual.timer import Timer
from textual.widgets import Footer, Input, Static
from textual.worker import Worker, WorkerState

from fetchers.alerts import AlertWatch
from fetchers.config import Config
from fetchers.events import EventBook, EventBookError
from fetchers.extract import ExtractError
from fetchers.http import FetchError
from fetchers.http import preload as preload_network
from fetchers.keymap import BINDINGS as KEY_BINDINGS
from fetchers.keymap import PLACES, keys_in_force
from fetchers.liveness import WriterState
from fetchers.models import Article, Event, SourceHealth
from fetchers.newsroom import Cycle, Newsroom
from fetchers.parsepool import ParsePool
from fetchers.parsepool import start_server as start_parse_server
from fetchers.poller import Poller
from fetchers.query import Query, QueryError, parse_query
from fetchers.store import Store, StoreError, StoreLocked
from fetchers.suggest import Suggestion, Suggestions, scan
from fetchers.timeparse import local_zone
from tui.commands import WirewatchCommands
from tui.keyorder import OrderedKeysApp
from tui.layout import HORIZONTAL_BREAKPOINTS, VERTICAL_BREAKPOINTS, is_narrow
from tui.messages import (
    ArticleLoaded,
    ArticlesAdded,
    PollerReady,
    PollFinished,
    QueryDone,
    StoreLoaded,
    StoreOpened,
)
from tui.screens.events import EventChoice, EventForm, EventsScreen
from tui.screens.help import HelpScreen, Row
from tui.screens.picker import PickerScreen
from tui.theme import THEMES, chosen_theme, save_choice
from tui.widgets.article import ArticleView
from tui.widgets.countdown import Countdown
from tui.widgets.headlines import HeadlineList

Clock = Callable[[], datetime]
READ_AFTER = 1.5  # seconds an article stays in the article pane before it counts as read
VIEWER_RELOAD = 2.0
FIRST_PAINT_ARTICLES = 2000  # opened first, so the screen fills before the whole store loads
SWITCH_INTERVAL = 0.0005
SCREENSHOT = "wirewatch-screenshot"  # a delivery name of our own: Textual's handlers skip it


class WirewatchApp(OrderedKeysApp[None]):
    CSS_PATH = "wirewatch.tcss"
    TITLE = "wirewatch"
    COMMANDS = App.COMMANDS | {WirewatchCommands}
    HORIZONTAL_BREAKPOINTS = HORIZONTAL_BREAKPOINTS
    VERTICAL_BREAKPOINTS = VERTICAL_BREAKPOINTS
    read_after: float = READ_AFTER

    BINDINGS = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("slash", "filter_prompt", "Filter", id="filter.prompt"),
        Binding("0", "clear_filter", "Clear filter", show=False, id="filter.clear"),
        *[
            Binding(
                str(n), f"saved_filter({n})", f"Saved filter {n}", show=False, id=f"filter.saved{n}"
            )
            for n in range(1, 10)
        ],
        Binding("u", "toggle_unread", "Unread", id="filter.unread"),
        Binding("s", "pick_source", "Sources", id="filter.source"),
        Binding("t", "pick_tag", "Tags", id="filter.tag"),
        Binding("H", "source_health", "Health", show=False, id="app.health"),
        Binding("enter", "open_article", "Open", show=False, id="article.open"),
        Binding("escape", "close_article", "Back", show=False, id="article.close"),
        Binding("asterisk", "toggle_star", "Star", id="article.star"),
        Binding("m", "toggle_read", "Read/unread", show=False, id="article.read"),
        Binding("f", "full_text", "Full text", id="article.full_text"),
        Binding("o", "open_link", "Open link", id="article.open_link"),
        Binding("r", "refresh", "Refresh", id="poll.refresh"),
        Binding("e", "events", "Events", show=False, id="app.events"),
        Binding(
            "c", "accept_suggestion", "Add suggested countdown", show=False, id="event.suggest"
        ),
        Binding("f8", "screenshot", "Screenshot", show=False, id="app.screenshot"),
    ]

    def __init__(
        self, config: Config, data_dir: Path, clock: Clock | None = None, poll: bool = True
    ) -> None:
        super().__init__()
        self.config = config
        self.data_dir = data_dir
        for theme in THEMES:
            self.register_theme(theme)
        self.theme = self._kept_theme = chosen_theme(config, data_dir)
        self.clock: Clock = clock or (lambda: datetime.now(UTC))
        self.poll_enabled = poll
        self.local = local_zone(config.settings.timezone)
        self.store: Store | None = None
        self.parse_pool: ParsePool | None = None
        self.newsroom: Newsroom | None = None  # once the store is open
        self.poller: Poller | None = None  # the newsroom's, once polling can start
        self.query_text = ""
        self.unread_only = False
        self.matching = 0
        self.total = 0
        self.last_poll: datetime | None = None
        self.health: dict[str, SourceHealth] = {}
        self.writer = False
        self.writer_state: WriterState | None = None  # a viewer's last look at the writer
        self._reload_timer: Timer | None = None
        self._generation = 0
        self._read_timer: Timer | None = None
        self._stop = asyncio.Event()
        self._fetched_texts: dict[str, str] = {}  # full texts a viewer fetched (not stored)
        self.stored_events: list[Event] = []
        self.alerts = AlertWatch()
        self.suggestions: list[Suggestion] = []  # for the article on screen
        self._no_suggestion = Suggestions().why_none()  # and why it has none
        self._status_line = ""
        self._screenshot_note = ""
        if poll:
            start_parse_server()
        # Threads that work (the word index, store writes) hold the GIL for up to this long
        # each time the event loop asks for it back; 5 ms (the default) per socket call
        # adds up to visible stalls during a poll.
        sys.setswitchinterval(SWITCH_INTERVAL)

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Static(Text(" wirewatch ─ opening the store…"), id="status")
        with Horizontal(id="top"):
            yield HeadlineList(self._lookup, self.clock, self.local, id="headlines")
            yield Countdown(self.config.events, self.clock, self.local, id="countdown")
        yield ArticleView(self.local, id="article")
        with Vertical(id="filter-bar"):
            yield Input(
                placeholder="tariff OR APEC source:Yonhap is:unread since:6h", id="filter-input"
            )
            yield Static("", id="filter-error")
        yield Footer()

    @property
    def headlines(self) -> HeadlineList:
        return self.query_one("#headlines", HeadlineList)

    @property
    def article_view(self) -> ArticleView:
        return self.query_one("#article", ArticleView)

    @property
    def countdown(self) -> Countdown:
        return self.query_one("#countdown", Countdown)

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self.headlines.border_title = "Headlines"
        self.countdown.border_title = "Countdown"
        self.article_view.border_title = "Article"
        self.headlines.set_watch_terms(self.config.watch_terms)
        self.headlines.focus()
        self.theme_changed_signal.subscribe(self, self._theme_changed)
        self.set_interval(1.0, self._update_status)
        self.set_interval(1.0, self._check_alerts)
        self.open_store()

    def _theme_changed(self, theme: Theme) -> None:
        """A theme picked in the command palette is kept for the next start."""
        if theme.name != self._kept_theme:
            self._kept_theme = theme.name
            self.run_worker(
                partial(save_choice, self.config, self.data_dir, theme.name),
                thread=True,
                group="theme",
                exit_on_error=False,
            )

    def on_descendant_blur(self) -> None:
        self.call_after_refresh(self._keep_focus)

    def _keep_focus(self) -> None:
        """A pane the new layout hides loses the focus; give it to the pane that shows."""
        main = self.headlines.screen
        if main is self.screen and main.focused is None:
            if self.headlines.region.height:
                self.headlines.focus()
            elif self.article_view.region.height:
                self.article_view.focus()

    # -- the store -----------------------------------------------------------------------
    @work(thread=True, group="store", exit_on_error=False)
    def open_store(self) -> None:
        try:
            store = Store(self.data_dir, writer=self.poll_enabled, first=FIRST_PAINT_ARTICLES)
        except StoreLocked:
            store = Store(self.data_dir, writer=False, first=FIRST_PAINT_ARTICLES)
        # A writer's parse workers start only when warmed, after the whole store is loaded.
        pool = ParsePool() if store.is_writer else None
        self.newsroom = Newsroom(self.config, store, self.data_dir, self.clock, parse_pool=pool)
        self.store = store
        self._load_stored_events()
        self.post_message(StoreOpened(store.is_writer, list(store.problems)))
        gc.disable()  # until the loaded articles are frozen out of the collector's sight
        try:
            if not store.complete:  # the newest days are on screen; now the rest
                store.load_rest()
            settle_heap()
        finally:
            gc.enable()
        self.post_message(StoreLoaded())
        if pool is not None:  # the poller needs every article known, for dedupe
            preload_network()
            pool.warm()
            self.parse_pool = pool
            self.post_message(PollerReady())

    @on(StoreOpened)
    def _store_opened(self, message: StoreOpened) -> None:
        self.writer = message.writer
        assert self.store is not None
        self.health = self.store.load_health()
        for problem in message.problems:
            self.notify(problem, title="Store", severity="warning", markup=False)
        self.run_query()

    @on(StoreLoaded)
    def _store_loaded(self) -> None:
        assert self.store is not None
        self.run_query()
        self.call_after_refresh(self.store.start_word_index)
        if not self.writer:
            self._reload_timer = self.set_interval(VIEWER_RELOAD, self._reload)

    @on(PollerReady)
    def _poller_ready(self) -> None:
        assert self.newsroom is not None
        self.poller = self.newsroom.require_poller()
        self.newsroom.on_cycle(self._cycle_done)
        self.poll_loop()

    def _lookup(self, ident: str) -> Article | None:
        return self.store.get(ident) if self.store is not None else None

    def _effective_query(self) -> Query:
        text = self.query_text
        if self.unread_only:
            text = f"{text} is:unread".strip()
        return parse_query(text, self.clock(), self.local)

    def run_query(self) -> None:
        if self.store is None:
            return
        try:
            query = self._effective_query()
        except QueryError as exc:
            self.notify(str(exc), title="Filter", severity="error", markup=False)
            return
        self._generation += 1
        self.headlines.set_watch_terms(self.config.watch_terms, query.words)
        self.run_worker(
            partial(self._query, self._generation, query),
            thread=True,
            group="query",
            exclusive=True,
            exit_on_error=False,
        )

    def _query(self, generation: int, query: Query) -> None:
        store = self.store
        assert store is not None
        ids = store.query_ids(query)
        total = len(store)
        self.post_message(QueryDone(generation, ids, total))
        self._count_events(store)

    def _count_events(self, store: Store) -> None:
        counts: dict[str, int] = {}
        for event in self.events:
            if event.query:
                try:
                    counts[event.name] = len(
                        store.query_ids(parse_query(event.query, self.clock()))
                    )
                except QueryError:
                    continue
        self.call_from_thread(self.countdown.set_matches, counts)

    @on(QueryDone)
    def _query_done(self, message: QueryDone) -> None:
        if message.generation != self._generation:
            return
        self.matching, self.total = len(message.ids), message.total
        self.headlines.set_ids(message.ids)
        self._update_status()

    # -- polling -------------------------------------------------------------------------
    @work(group="poller", exit_on_error=False)
    async def poll_loop(self) -> None:
        """The newsroom's cycle (poll, store, retention, hooks) whenever sources are due."""
        assert self.newsroom is not None
        try:
            await self.newsroom.run(self._stop)
        finally:
            await self.newsroom.aclose()

    def _cycle_done(self, cycle: Cycle) -> None:
        settle_heap()
        self.post_message(PollFinished(cycle.results))
        if cycle.new_ids or cycle.removed:
            self.post_message(ArticlesAdded(cycle.new_ids))

    @on(PollFinished)
    def _poll_finished(self, message: PollFinished) -> None:
        self.last_poll = self.clock()
        if self.poller is not None:
            self.health = dict(self.poller.health)
        self._update_status()

    @on(ArticlesAdded)
    def _articles_added(self, message: ArticlesAdded) -> None:
        self.run_query()

    def _reload(self) -> None:
        self.run_worker(
            self._reload_thread, thread=True, group="reload", exclusive=True, exit_on_error=False
        )

    def _reload_thread(self) -> None:
        store = self.store
        assert store is not None
        new = store.reload()
        if new:
            settle_heap()
        health = store.load_health()
        state = store.writer_state()
        self.call_from_thread(self._viewer_update, health, new, state)

    def _viewer_update(
        self, health: dict[str, SourceHealth], new: list[str], state: WriterState
    ) -> None:
        if self.writer:  # took over meanwhile
            return
        was_gone = self.writer_state is not None and self.writer_state.gone
        self.writer_state = state
        if state.gone and not was_gone:
            self.notify(
                self._writer_gone_text(state),
                title="Nothing is updating",
                severity="warning",
                timeout=60,
                markup=False,
            )
        elif was_gone and not state.gone:
            self.notify("A poller writes this store again.", markup=False)
        self.health = health
        polled = [h.last_polled for h in health.values() if h.last_polled]
        self.last_poll = max(polled) if polled else None
        if new:
            self.post_message(ArticlesAdded(new))
        else:
            self.headlines.invalidate()  # marks may have changed in another process
        self._update_status()

    def action_refresh(self) -> None:
        if self.poller is None:
            state = self.writer_state
            if state is not None and state.gone:
                self.action_take_over()
                return
            if self.writer:
                self.notify("The poller is starting; it polls in a moment.", markup=False)
                return
            self.notify(
                "A separate poller writes this store; it refreshes on its own.", markup=False
            )
            return
        self.notify("Refreshing every source…", markup=False)
        self._refresh_now()

    # -- a viewer whose poller has gone ------------------------------------------------------
    def _writer_gone_text(self, state: WriterState) -> str:
        key = self._key_of("poll.refresh")
        if state.held:
            who = f"The poller (pid {state.pid})" if state.pid else "The poller"
            return (
                f"{who} has written nothing for {_span(state.silent)}: "
                "headlines are not updating. Stop it, then press "
                f"{key} to poll from this dashboard."
            )
        return (
            "The poller that wrote this store has stopped: headlines are not updating. "
            f"Press {key} to poll from this dashboard."
        )

    def _key_of(self, binding_id: str) -> str:
        """The first key bound to `binding_id`, after the user's [keys] remapping."""
        binding = next(b for b in self.BINDINGS if isinstance(b, Binding) and b.id == binding_id)
        keys = self.config.keys.get(binding_id, binding.key)
        return self.get_key_display(Binding(keys.split(",")[0].strip(), binding.action))

    def action_take_over(self) -> None:
        """Become the writer of a store whose poller has gone, and poll here."""
        if self.writer or self.store is None:
            return
        state = self.writer_state
        if state is not None and state.held:
            self.notify(self._writer_gone_text(state), severity="warning", markup=False)
            return
        self.notify("Taking over: this dashboard will poll the sources…", markup=False)
        self.run_worker(
            self._take_over, thread=True, group="takeover", exclusive=True, exit_on_error=False
        )

    def _take_over(self) -> None:
        """(A thread.) Take the writer lock, then start what polling needs."""
        store = self.store
        assert store is not None
        try:
            store.take_over()
        except StoreLocked as exc:
            self.call_from_thread(
                self.notify,
                f"{exc}: it writes again, so this dashboard stays a viewer.",
                markup=False,
            )
            return
        self.call_from_thread(self._became_writer)
        preload_network()
        pool = ParsePool()
        pool.warm()
        self.parse_pool = pool
        self.newsroom = Newsroom(self.config, store, self.data_dir, self.clock, parse_pool=pool)
        self.post_message(PollerReady())

    def _became_writer(self) -> None:
        self.writer = True
        self.writer_state = None
        if self._reload_timer is not None:
            self._reload_timer.stop()
            self._reload_timer = None
        self.notify("This dashboard now polls the sources and writes the store.", markup=False)
        self._update_status()

    @work(group="refresh", exclusive=True, exit_on_error=False)
    async def _refresh_now(self) -> None:
        assert self.newsroom is not None
        await self.newsroom.cycle()  # its hook reports the cycle

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """Central error handling: a failed worker is reported, never fatal."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            if isinstance(error, StoreError):
                self.notify(str(error), title="Store", severity="error", timeout=30, markup=False)
            else:
                self.notify(
                    f"{type(error).__name__}: {error}",
                    title=event.worker.group,
                    severity="error",
                    markup=False,
                )

    # -- status line ---------------------------------------------------------------------
    def _update_status(self) -> None:
        parts = ["wirewatch"]
        state = self.writer_state
        if not self.writer and state is not None and state.gone:  # first: it must be seen
            if state.held:
                parts.append(
                    f"NOT UPDATING: the poller has written nothing for {_span(state.silent)}"
                )
            else:
                parts.append(
                    f"NOT UPDATING: the poller stopped {_ago(int(state.silent))}; "
                    f"{self._key_of('poll.refresh')} polls here"
                )
        if self.query_text or self.unread_only:
            shown = self.query_text + (" (unread only)" if self.unread_only else "")
            parts.append(f"filter: {shown.strip()}")
        parts.append(f"{self.matching:,} of {self.total:,}")
        if self.store is not None and not self.store.complete:
            parts.append("loading older articles…")
        parts.extend(self._poll_status())
        failing = sum(
            1
            for s in self.config.sources
            if s.enabled and self.health.get(s.name, SourceHealth(s.name, "")).status == "error"
        )
        enabled = sum(1 for s in self.config.sources if s.enabled)
        parts.append(f"{failing} of {enabled} sources failing")
        if self.store is not None and not self.writer and not (state and state.gone):
            parts.append("viewer (attached to a poller)")
        line = " " + " ─ ".join(parts)
        if line != self._status_line:  # an unchanged line is not sent to the terminal again
            self._status_line = line
            self.query_one("#status", Static).update(Text(line, no_wrap=True, overflow="ellipsis"))

    def _poll_status(self) -> list[str]:
        """When the sources were last polled and, for a writer that has not polled yet, when
        the next one is due: from their health, kept in the store, so a restart within the
        interval does not claim to be polling when nothing is due."""
        if self.store is None:
            return []
        now = self.clock()
        polled = [h.last_polled for h in self.health.values() if h.last_polled]
        last = self.last_poll or (max(polled) if polled else None)
        out = [f"polled {_ago(int((now - last).total_seconds()))}"] if last else []
        if not self.writer:
            return out or ["waiting for the poller"]
        if self.last_poll is not None:  # this dashboard polls: it says so when it does
            return out
        due = [
            health.next_poll if health is not None else None
            for health in (self.health.get(s.name) for s in self.config.sources if s.enabled)
        ]
        if not due:
            return out
        if any(when is None or when <= now for when in due):
            return [*out, "polling…"]
        soonest = min(when for when in due if when is not None)
        return [*out, f"next poll in {_within(int((soonest - now).total_seconds()))}"]

    # -- the article pane ----------------------------------------------------------------
    @on(HeadlineList.Highlighted)
    def _highlighted(self, message: HeadlineList.Highlighted) -> None:
        if self._read_timer is not None:
            self._read_timer.stop()
            self._read_timer = None
        if message.article_id is None:
            self.article_view.show(None, None)
            return
        self.load_article(message.article_id)
        if not is_narrow(self.headlines) or self.screen.has_class("reading"):
            self._read_timer = self.set_timer(
                self.read_after, partial(self._mark, message.article_id, True)
            )

    def load_article(self, ident: str, note: str | None = None) -> None:
        self.run_worker(
            partial(self._load_text, ident, note),
            thread=True,
            group="article",
            exclusive=True,
            exit_on_error=False,
        )

    def _load_text(self, ident: str, note: str | None) -> None:
        store = self.store
        assert store is not None
        text = store.text(ident) or self._fetched_texts.get(ident)
        article = store.get(ident)
        found = Suggestions(undated=True)
        if article is not None and article.published is not None:
            found = scan(
                f"{article.title}. {text or article.summary}",
                article.published,
                self.local,
                self.config.settings.timezone or "local",
                self.events,
            )
        self.call_from_thread(self._show_article, ident, text, note, found)

    def _show_article(
        self, ident: str, text: str | None, note: str | None, found: Suggestions
    ) -> None:
        if self.headlines.current_id != ident:
            return
        self.suggestions = found.found
        self._no_suggestion = found.why_none()
        self.article_view.show(self._lookup(ident), text, note, found.found)

    def action_accept_suggestion(self) -> None:
        """Open the event form filled with the article's suggested countdown, or say why
        there is none."""
        if not self.suggestions:
            self.notify(self._no_suggestion, markup=False)
            return
        found = self.suggestions[0]
        self.open_event_form(name=found.name, when=found.when_text)

    def _mark(self, ident: str, read: bool) -> None:
        article = self._lookup(ident)
        if article is None or article.read == read or self.store is None:
            return
        self.run_worker(
            partial(self._set_state, [ident], read, None),
            thread=True,
            group="state",
            exit_on_error=False,
        )

    def _set_state(self, ids: list[str], read: bool | None, starred: bool | None) -> None:
        assert self.store is not None
        self.store.set_state(ids, read=read, starred=starred)
        self.call_from_thread(self._state_changed, ids)

    def _state_changed(self, ids: list[str]) -> None:
        for ident in ids:
            self.headlines.invalidate(ident)

    def action_open_article(self) -> None:
        ident = self.headlines.current_id
        if ident is None:
            return
        if is_narrow(self.headlines):  # the article opens over the headlines
            self.screen.add_class("reading")
            self.article_view.focus()
        self._mark(ident, True)

    def action_close_article(self) -> None:
        if self.screen.has_class("reading"):
            self.screen.remove_class("reading")
            self.headlines.focus()
        elif self.query_one("#filter-bar").display:
            self._close_filter()

    def action_toggle_star(self) -> None:
        article = self._current()
        if article is not None:
            self.run_worker(
                partial(self._set_state, [article.id], None, not article.starred),
                thread=True,
                group="state",
                exit_on_error=False,
            )

    def action_toggle_read(self) -> None:
        article = self._current()
        if article is not None:
            self.run_worker(
                partial(self._set_state, [article.id], not article.read, None),
                thread=True,
                group="state",
                exit_on_error=False,
            )

    def _current(self) -> Article | None:
        ident = self.headlines.current_id
        return self._lookup(ident) if ident else None

    def action_open_link(self) -> None:
        article = self._current()
        if article is None or not article.link:
            self.notify("This article has no link.", markup=False)
            return
        link = article.link
        if not link.lower().startswith(("http://", "https://")):
            self.notify("Only http and https links are opened.", severity="warning", markup=False)
            return
        if _has_browser():
            webbrowser.open(link)
            self.notify(f"Opened {link}", markup=False)
        else:
            self.copy_to_clipboard(link)
            self.notify(f"No browser here; copied the link to the clipboard: {link}", markup=False)

    def action_full_text(self) -> None:
        article = self._current()
        if article is None:
            return
        if not article.link:
            self.notify("This article has no link to fetch its text from.", markup=False)
            return
        self.article_view.show(article, None, note="Fetching the full text…")
        self.fetch_full_text(article.id, article.link)

    @work(group="full_text", exclusive=True, exit_on_error=False)
    async def fetch_full_text(self, ident: str, link: str) -> None:
        poller = self.poller
        own = poller is None
        if poller is None:
            assert self.store is not None
            poller = Poller(self.config, self.store, self.clock)
        try:
            text = await poller.page_text(link)
        except (FetchError, ExtractError) as exc:
            self.post_message(ArticleLoaded(ident, None, str(exc)))
            return
        finally:
            if own:
                await poller.aclose()
        if self.store is not None and self.store.is_writer:
            await asyncio.to_thread(self.store.set_text, ident, text)
        else:  # a viewer never writes articles; keep it for this session
            self._fetched_texts[ident] = text
        self.post_message(ArticleLoaded(ident, text))

    @on(ArticleLoaded)
    def _article_loaded(self, message: ArticleLoaded) -> None:
        if self.headlines.current_id != message.article_id:
            return
        article = self._lookup(message.article_id)
        if message.text is None:
            reason = f": {message.reason}" if message.reason else "."
            note = f"The full text could not be fetched{reason}"
            self.article_view.show(article, None, note=note)
            self.notify(note, title="Full text", severity="warning", markup=False)
        else:
            self.article_view.show(article, message.text)

    # -- filters -------------------------------------------------------------------------
    def action_filter_prompt(self) -> None:
        bar = self.query_one("#filter-bar")
        bar.display = True
        field = self.query_one("#filter-input", Input)
        field.value = self.query_text
        field.cursor_position = len(field.value)
        self.query_one("#filter-error", Static).update("")
        field.focus()

    def _close_filter(self) -> None:
        self.query_one("#filter-bar").display = False
        self.headlines.focus()

    @on(Input.Submitted, "#filter-input")
    def _filter_submitted(self, event: Input.Submitted) -> None:
        try:
            parse_query(event.value, self.clock(), self.local)
        except QueryError as exc:
            self.query_one("#filter-error", Static).update(Text(f"✗ {exc}"))
            return
        self.set_filter(event.value.strip())
        self._close_filter()

    def set_filter(self, text: str) -> None:
        self.query_text = text
        self.run_query()
        self._update_status()

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
        self.unread_only = not self.unread_only
        self.run_query()

    def action_pick_source(self) -> None:
        if self.store is not None:
            self._count_then(self.store.sources_count, self._show_sources)

    def _count_then(
        self, count: Callable[[], dict[str, int]], show: Callable[[dict[str, int]], None]
    ) -> None:
        """Count in a thread (counting waits on the store lock), then show on the app; keys
        typed meanwhile go to the picker."""
        release = self.hold_keys()

        def show_counts(counts: dict[str, int]) -> None:
            try:
                show(counts)
            finally:
                release()

        def counted() -> None:
            try:
                counts = count()
            except BaseException:
                self.call_from_thread(release)
                raise
            self.call_from_thread(show_counts, counts)

        self.run_worker(counted, thread=True, group="picker", exclusive=True, exit_on_error=False)

    def _show_sources(self, counts: dict[str, int]) -> None:
        names = [s.name for s in self.config.sources] + sorted(
            set(counts) - {s.name for s in self.config.sources}
        )
        options = [(name, Text(f"{counts.get(name, 0):>6}  {name}")) for name in names]
        self.push_screen(PickerScreen("Filter by source", options), self._picked_source)

    def _picked_source(self, name: str | None) -> None:
        if name:
            self.set_filter(f'source:"{name}"')

    def action_pick_tag(self) -> None:
        if self.store is not None:
            self._count_then(self.store.tags_count, self._show_tags)

    def _show_tags(self, counts: dict[str, int]) -> None:
        options = [
            (tag, Text(f"{n:>6}  {tag}"))
            for tag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
        ]
        self.push_screen(PickerScreen("Filter by tag", options), self._picked_tag)

    def _picked_tag(self, tag: str | None) -> None:
        if tag:
            self.set_filter(f'tag:"{tag}"')

    def action_source_health(self) -> None:
        options = []
        for source in self.config.sources:
            h = self.health.get(source.name) or SourceHealth(source.name, source.location)
            ok = h.last_ok.astimezone(self.local).strftime("%m-%d %H:%M") if h.last_ok else "never"
            fails = f"{h.failures} failed in a row " if h.failures else ""
            detail = fails + (h.last_error or "")
            http = str(h.http_status or "-")
            line = f"{h.status:<12} {http:>3} {source.name[:24]:<24} last ok {ok:<11} {detail}"
            options.append((source.name, Text(line)))
        self.push_screen(
            PickerScreen("Source health", options, "enter filters to that source · escape closes"),
            self._picked_source,
        )

    @on(Countdown.Chosen)
    def _event_chosen(self, message: Countdown.Chosen) -> None:
        if message.event.query:
            self.set_filter(message.event.query)
            self.headlines.focus()
        else:
            self.notify(f"{message.event.name} has no query to filter by.", markup=False)

    # -- events ----------------------------------------------------------------------------
    @property
    def events(self) -> list[Event]:
        """Config events (read-only here), then the ones added in the app."""
        return [*self.config.events, *self.stored_events]

    def _book(self) -> EventBook:
        assert self.newsroom is not None
        return self.newsroom.book

    def _load_stored_events(self) -> None:
        """In a worker thread: read events.json and show what it holds."""
        try:
            stored = self._book().load()
        except EventBookError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.call_from_thread(self._show_events, stored)

    def _show_events(self, stored: list[Event]) -> None:
        self.stored_events = stored
        self.countdown.events = self.events
        self.countdown.tick()
        if self.store is not None:
            self.run_query()  # event headline counts

    def action_events(self) -> None:
        self.push_screen(EventsScreen(self.events, self.clock()), self._event_choice)

    def _event_choice(self, choice: EventChoice | None) -> None:
        if choice is None:
            return
        if choice.action == "filter" and choice.event is not None:
            self._event_chosen(Countdown.Chosen(choice.event))
        elif choice.action in ("add", "edit"):
            self.open_event_form(choice.event)
        elif choice.action == "remove" and choice.event is not None:
            self._change_events("remove", choice.event)

    def open_event_form(self, event: Event | None = None, name: str = "", when: str = "") -> None:
        settings = self.config.settings
        form = EventForm(
            self.clock(), settings.timezone, self.local, settings.date_order, event, name, when
        )
        self.push_screen(form, partial(self._event_saved, "edit" if event else "add"))

    def _event_saved(self, verb: str, event: Event | None) -> None:
        if event is not None:
            self._change_events(verb, event)

    def _change_events(self, verb: str, event: Event) -> None:
        self.run_worker(
            partial(self._write_event, verb, event),
            thread=True,
            group="events",
            exit_on_error=False,
        )

    def _write_event(self, verb: str, event: Event) -> None:
        try:
            if verb == "add":
                self._book().add(event)
            elif verb == "edit":
                self._book().update(event)
            else:
                self._book().remove(event.ident or "")
        except EventBookError as exc:
            self.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        done = {"add": "Added", "edit": "Saved", "remove": "Removed"}[verb]
        self.call_from_thread(self.notify, f"{done} {event.name}", markup=False)
        self._load_stored_events()

    def _check_alerts(self) -> None:
        for alert in self.alerts.check(self.events, self.clock()):
            self.notify(alert.message, title="Countdown", severity="warning", markup=False)
            if self.config.settings.bell:
                self.bell()

    def action_help(self) -> None:
        """Every binding by where it works, with its keys after [keys] and its id."""
        in_force = keys_in_force(self.config.keys)
        sections: list[tuple[str, list[Row]]] = []
        for place, title in PLACES.items():
            rows: list[Row] = []
            for binding in KEY_BINDINGS:
                if binding.where != place:
                    continue
                does = binding.does
                if binding.id.startswith("filter.saved"):
                    saved = self.config.filters.get(binding.id.removeprefix("filter.saved"))
                    if saved is None:
                        continue
                    does = f"Saved filter: {saved}"
                keys = " ".join(
                    self.get_key_display(Binding(key, binding.id)) for key in in_force[binding.id]
                )
                rows.append((keys, does, binding.id))
            if place == "dashboard":
                rows += [
                    ("tab shift+tab", "Move between the headlines and the countdown", ""),
                    ("ctrl+p", "Command palette", ""),
                ]
            sections.append((title, rows))
        footnote = "filter.saved1 to filter.saved9 run the queries of [filters] 1 to 9."
        self.push_screen(HelpScreen(sections, footnote))

    def action_screenshot(self, filename: str | None = None, path: str | None = None) -> None:
        """F8: an SVG of the screen in the Downloads folder, or in the data dir where there is
        none (a server rarely has one); the notice says where it went."""
        folder = Path(path) if path else platformdirs.user_downloads_path()
        note = ""
        if not folder.is_dir():
            note = f" ({folder} does not exist)"
            folder = self.data_dir
            folder.mkdir(parents=True, exist_ok=True)
        self._screenshot_note = note
        name = filename or f"wirewatch_{datetime.now():%Y-%m-%dT%H_%M_%S}.svg"
        self.deliver_text(
            io.StringIO(self.export_screenshot()),
            save_directory=folder,
            save_filename=name,
            open_method="browser",
            mime_type="image/svg+xml",
            name=SCREENSHOT,
        )

    @on(DeliveryComplete)
    def _screenshot_saved(self, event: DeliveryComplete) -> None:
        if event.name == SCREENSHOT:
            where = f" to {event.path}{self._screenshot_note}" if event.path else ""
            self.notify(f"Saved the screenshot{where}", title="Screenshot", markup=False)

    @on(DeliveryFailed)
    def _screenshot_failed(self, event: DeliveryFailed) -> None:
        if event.name == SCREENSHOT:
            self.notify(
                f"The screenshot could not be saved: {event.exception}",
                title="Screenshot",
                severity="error",
                markup=False,
            )

    async def action_quit(self) -> None:
        self._stop.set()
        if self.parse_pool is not None:
            self.parse_pool.close()
        self.exit()


def settle_heap() -> None:
    """Move every object alive now out of the garbage collector's sight.

    The store holds hundreds of thousands of long-lived objects; a full collection walking
    them holds the GIL for ~0.2 s and freezes the screen. They are freed by reference counting
    when retention drops them, so the collector has no business with them."""
    gc.freeze()


def _ago(seconds: int) -> str:
    """Minutes at the finest: a status line that changed every second would be re-sent to
    the terminal every second."""
    if seconds < 60:
        return "<1m ago"
    if seconds < 3600:
        return f"{seconds // 60}m ago"
    return f"{seconds // 3600}h ago"


def _within(seconds: int) -> str:
    """Like _ago, forward: "<1m", "7m", "2h"."""
    if seconds < 60:
        return "<1m"
    if seconds < 3600:
        return f"{seconds // 60}m"
    return f"{seconds // 3600}h"


def _span(seconds: float) -> str:
    """How long, coarsely: 50s, 4m, 3h."""
    whole = int(seconds)
    if whole < 60:
        return f"{whole}s"
    return f"{whole // 60}m" if whole < 3600 else f"{whole // 3600}h"


def _has_browser() -> bool:
    """A browser helps only on the machine in front of the user, not over SSH."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and not shutil.which(
        "open"
    ):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True
