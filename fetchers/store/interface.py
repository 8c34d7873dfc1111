"""What every caller of the store uses, and nothing else: `ArticleStore`.

Written in the terms of articles, queries and ids, never of files: a store kept in a server
database (PostgreSQL) implements the same operations. A "shard" here is any unit the store
changes as a whole and can give a version of (a day file here, a partition there), so
derived indexes such as the search index can bring themselves up to date part by part.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from datetime import datetime
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from fetchers.liveness import WriterState
from fetchers.models import Article, Retag, SourceHealth
from fetchers.query import Query, Record
from fetchers.store.codec import StagedArticle
from fetchers.store.errors import Unreachable

Version = tuple[int, int, int]  # changes whenever a shard's articles change


class ArticleStore(Protocol):
    """Articles, their read/starred marks and their full texts. One writer at a time adds
    articles (`is_writer`), or, where the store lets them share the sources (PostgreSQL),
    several pollers, each polling the sources leased to it (`lease`); any number of viewers
    read, mark and pick up what was written.

    Errors are `StoreError` (`StoreLocked`, `StoreWriteError`) from `fetchers.store.errors`.
    """

    problems: list[str]  # what could not be read at open or since, for the user to see
    # the parts of the store (a day's shard) that could not be read: every answer since has
    # left their articles out (a command that lists articles says it is incomplete)
    unreadable: list[str]

    @property
    def location(self) -> str:
        """Where the articles are, for messages."""
        ...

    @property
    def is_writer(self) -> bool: ...

    @property
    def unreachable(self) -> Unreachable | None:
        """Since when and why the store's server has not answered (its last try failed to
        reach it); None while it answers, and always for files on this host."""
        ...

    @property
    def indexes_words(self) -> bool:
        """Whether `add_staged` takes the words an article was staged with for a search
        index (`StagedArticle.words`): worth making where the article is parsed."""
        ...

    @property
    def complete(self) -> bool:
        """False while a partial open (newest articles first) has more to load."""
        ...

    @property
    def word_index_ready(self) -> bool: ...

    @property
    def word_queries_settled(self) -> bool:
        """The word index ready, and what a first word query would read first read."""
        ...

    @property
    def list_window(self) -> int | None:
        """The most articles a dashboard lists for a filter (the newest that match) and
        groups into stories when it only views (None: every one). A store read from a server
        on demand bounds it, so a screen's memory does not grow with the store."""
        ...

    def __len__(self) -> int: ...

    def __enter__(self) -> ArticleStore: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None: ...

    def close(self) -> None: ...

    # -- the writer --------------------------------------------------------------------------
    def writer_active(self) -> bool:
        """True when some process is the writer (this one included)."""
        ...

    def writer_state(self) -> WriterState:
        """The writer as a viewer sees it: exited, hanging, or at work."""
        ...

    def heartbeat(self) -> None:
        """(The writer, while it polls.) Show viewers that it is at work."""
        ...

    def lease(
        self, sources: list[str], busy: set[str], ttl: float, most: int | None = None
    ) -> set[str]:
        """(The writer.) Which of these sources it is to poll now: all of them where one
        writer polls alone; where several pollers share the sources (PostgreSQL), those
        leased to it for `ttl` seconds (renewed by each call and `heartbeat`), taking at most
        `most` more at a call and never giving up one it is polling (`busy`)."""
        ...

    def fire_once(self, fired: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """(The writer.) Record these (alert rule, article id or spike hour) pairs as fired;
        returns those no writer had recorded, the ones to deliver."""
        ...

    def unfire(self, fired: list[tuple[str, str]]) -> None:
        """(The writer.) Take back pairs `fire_once` recorded whose alerts could not be kept
        (the history refused them): they fire when checked again."""
        ...

    def load_health(self) -> dict[str, SourceHealth] | None:
        """The sources' health where the store keeps it for every host (PostgreSQL); None
        where the data dir keeps it (`fetchers.healthbook`)."""
        ...

    def save_health(self, health: dict[str, SourceHealth]) -> bool:
        """(The writer.) Keep these sources' health; False where the data dir keeps it."""
        ...

    @property
    def keeps_desk(self) -> bool:
        """True where the store keeps the events added in the app and the alert history for
        every host (PostgreSQL); False where the data dir does (`fetchers.events`,
        `fetchers.alerthistory`)."""
        ...

    def events(self) -> list[dict[str, Any]]:
        """The events added in the app, oldest added first, as `fetchers.events` records."""
        ...

    def put_event(self, record: dict[str, Any], new: bool) -> bool:
        """Add an event (`new`) or replace the one of its id; False when there is none."""
        ...

    def drop_event(self, ident: str) -> bool:
        """Remove an event; False when it was not there."""
        ...

    def alert_rules(self) -> dict[str, Any] | None:
        """(A store that keeps the desk's.) The alert rules added in the app and the config
        rules muted there, as alerts.json holds them; None when none were ever saved."""
        ...

    def change_alert_rules(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        """(A store that keeps the desk's.) Replace the alert rules with what `change` makes
        of them, read and written in one transaction (no other process changes them between;
        an exception from `change` writes nothing)."""
        ...

    def alert_records(self, after: int) -> tuple[int, list[dict[str, Any]]]:
        """(A store that keeps the desk's.) The lowest alert sequence number kept, and the
        alert history's records after `after`, oldest first."""
        ...

    def add_alert_records(
        self, records: list[dict[str, Any]], before: datetime, keep: int
    ) -> list[int]:
        """(A store that keeps the desk's.) Keep new alert records; returns their sequence
        numbers. Entries from before `before` go, and the oldest beyond `keep`."""
        ...

    def take_over(self) -> None:
        """(A viewer whose writer has gone.) Become the writer (StoreLocked if another
        process was quicker) and read what the old one wrote."""
        ...

    # -- loading and reloading --------------------------------------------------------------
    def load_rest(self) -> list[str]:
        """Load what a partial open left; returns the ids that arrived."""
        ...

    def reload(self) -> list[str]:
        """Pick up what another process wrote; returns ids that are new here."""
        ...

    def gone_at_reload(self) -> int:
        """How many articles the last `reload` found removed by another process (its
        retention): a viewer lists and counts again then, though nothing is new."""
        ...

    def revised_at_reload(self) -> int:
        """How many stored articles the last `reload` found given another title or summary,
        or source name (or link, in a database), by another process (0 where the store
        cannot tell): a viewer's filter is run again then, for a headline may have left it or
        joined it, and the article it shows is read again."""
        ...

    def renamed_at_reload(self) -> list[str]:
        """The stored articles the last `reload` found given another source name by another
        process (the config renamed their source): a viewer makes their stories again, whose
        articles are the same. Empty where the store cannot tell; a viewer of such a store
        makes its stories whole, or takes them as the grouping saved them."""
        ...

    def rewritten_at_reload(self) -> list[str]:
        """The stored articles the last `reload` found given another title or summary by
        another process (their source revised them under the same guid): a viewer makes
        their stories again, whose articles are the same but whose headline may not be.
        Empty where the store cannot tell, as for `renamed_at_reload`."""
        ...

    def marks_changed(self) -> bool:
        """Whether another process may have changed a read or starred mark since the last
        look (the rows on a screen are then read again)."""
        ...

    def take_lost(self) -> list[str]:
        """Shards whose articles were lost since the last call (unreadable and set aside,
        missing, cut short: a poller asks their feeds for everything again)."""
        ...

    @property
    def has_lost(self) -> bool:
        """Whether `take_lost` has shards to give (a glance: it never waits for a load)."""
        ...

    def start_word_index(self, beside_a_screen: bool = False) -> None:
        """Bring the search index up to date in the background (and keep it so); queries
        read what it does not hold yet. `beside_a_screen`: leave most of the interpreter
        to a screen in the same process."""
        ...

    # -- writing (the writer) ----------------------------------------------------------------
    def knows(self, article: Article) -> bool:
        """Stored already (by id, or by its link within its source)."""
        ...

    def link_shared(self, article: Article) -> bool:
        """Whether an article other than the one of this id is stored under its source's
        link (a feed linking every item to its home page): an item of no guid alone at
        that link cannot be told from the one holding the link's id by its link."""
        ...

    def revised(self, article: Article) -> bool:
        """Stored with another title or summary than it has now."""
        ...

    def moved(self, article: Article) -> bool:
        """Stored with its title and summary under another link than it has now, one no
        other article of its source is stored under (`codec.moved`: a page moved, no
        revision)."""
        ...

    def add_batch(self, articles: Iterable[Article]) -> list[str]:
        """Store the articles not yet known; returns the new ids."""
        ...

    def add_staged(
        self,
        staged: Iterable[StagedArticle],
        revised_out: set[str] | None = None,
        moved_out: set[str] | None = None,
    ) -> list[str]:
        """Store articles made ready by `stage()`; returns the new ids. Revised ones keep
        what they said before as revisions; their ids are added to `revised_out` when given
        (one staged and held unchanged is neither new nor revised). Ones that say the same
        at another link (`moved`) take the link alone, no revision; their ids are added to
        `moved_out`."""
        ...

    def wanting_text(self, source: str, limit: int, skip: set[str]) -> list[tuple[str, str]]:
        """(id, link) of the source's newest articles with a link and no full text."""
        ...

    def set_text(self, ident: str, text: str, seen: datetime | None = None) -> None: ...

    def set_texts(self, pairs: list[tuple[str, str]], seen: datetime | None = None) -> int:
        """Attach full texts fetched at `seen` (now when not given: a text an earlier one
        gives way to is dated by it); returns how many articles were still there to take
        them."""
        ...

    def rename_sources(self, names: dict[str, str]) -> list[str]:
        """(The writer.) Give the articles of each source named in `names` (old -> new: the
        config renamed it; two names may swap) its new name; returns their ids.
        StoreWriteError when the store refuses."""
        ...

    def mark_pulled(self, marks: dict[str, float | None]) -> list[str]:
        """(The writer.) Mark each stored article of `marks` (id -> POSIX seconds: when its
        feed was first seen to have taken it down; None: listed again, the mark goes);
        returns the ids whose mark changed. StoreWriteError when the store refuses."""
        ...

    def retag_sources(self, changes: dict[str, Retag]) -> list[str]:
        """(The writer.) Give the articles of each source in `changes` (name -> the source
        tags its articles carry, and the config's now) the config's tags, keeping their
        items' own (`retagged`); returns the ids whose tags changed. StoreWriteError when
        the store refuses."""
        ...

    def apply_retention(
        self,
        days: int,
        now: datetime,
        spare: Collection[str] = (),
        dropped: dict[str, str] | None = None,
        real: datetime | None = None,
    ) -> int:
        """Delete articles older than `days` except starred ones and those in `spare`;
        returns how many. `dropped` is given each one deleted (id -> its source's name).
        `real`: the time it really is, when `now` is a clock held still (`--now`)."""
        ...

    # -- marks (any process) -----------------------------------------------------------------
    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None: ...

    def unread(self, ids: Iterable[str]) -> set[str]:
        """The articles of these ids that are stored and not read (by this store's reader):
        asked of the marks alone, no article read."""
        ...

    # -- reading -----------------------------------------------------------------------------
    def get(self, ident: str) -> Article | None: ...

    def record(self, ident: str) -> Record | None:
        """The article as a query sees it, with every field (do not change it), but a lean
        writer's whose words are on disk only: its times, source and marks, asked of it in
        memory (`get()` and `records()` read the rest back)."""
        ...

    def records(self, ids: Iterable[str]) -> list[Record]:
        """The articles of these ids that are stored, in that order, with every field (a
        lean store or a viewer reads back what it does not hold in memory)."""
        ...

    def fetched_since(self, instant: float) -> list[tuple[str, str, float]]:
        """(The writer.) (id, source, first fetched as POSIX seconds) of the stored articles
        first fetched at or after POSIX `instant`, in any order: what the alert desk checks
        again at start, after a stop that lost a check (a kill, a full disk). Read from what
        is at hand (a day's titles and summaries read back doubled a warm refresh's memory)."""
        ...

    def fetch_times(
        self, sources: Collection[str], since: float | None = None
    ) -> dict[str, list[float]]:
        """Each of these sources' distinct first-fetch times (POSIX seconds, sorted) of its
        stored articles, of those first fetched at or after `since` (None: all): when its
        polls stored something (one poll's articles share theirs), what tells a story desk
        which undated articles came in a backlog (`fetchers.story.UndatedBacklog`). From what
        is at hand, no article read back."""
        ...

    def fetched_in_second(self, ids: Iterable[str], second: float) -> list[str]:
        """(The writer.) Those of these ids whose stored article was first fetched in the
        second that begins at POSIX `second`: which of a check's articles share the second
        of its mark, so the next start need not read them again (`fetchers.alerting`). Asked
        of the articles by id, not of the day's: a poller checks a cycle's few."""
        ...

    def headlines(self, ids: Iterable[str]) -> list[Record]:
        """The articles of these ids that are stored, in that order, with their source,
        title and times only (what a list of stories shows): a store that reads words back
        from disk decodes nothing else of them."""
        ...

    def reported(self, ids: Iterable[str]) -> list[tuple[str, float]]:
        """(id, when first reported: `Record.reported`) of the articles of these ids that
        are stored, in that order, from what the store holds of every article: no words
        read (what finds a story's recent articles among a million)."""
        ...

    def text(self, ident: str) -> str | None:
        """The full text, or None."""
        ...

    def text_seen(self, ident: str) -> datetime | None:
        """When the full text it has now was stored (its page fetched, or its item carrying
        it); None when it has none, or the time was not kept."""
        ...

    def revisions(self, ident: str) -> list[dict[str, str]]:
        """Earlier versions, oldest first: {"seen", "title", "summary"}."""
        ...

    def text_revisions(self, ident: str) -> list[dict[str, str | None]]:
        """Earlier full texts, oldest first: {"seen", "text"}."""
        ...

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]: ...

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        """Ids of the matching articles, newest first."""
        ...

    def newest(self, query: Query, limit: int) -> list[str]:
        """As `query_ids(query, limit)`, loading only what the answer needs."""
        ...

    def ids_starting(self, start: str, limit: int) -> list[str]:
        """Up to `limit` stored ids that start with `start`, in any case, in id order: what
        `show` takes an id's first characters by."""
        ...

    def count(self, query: Query) -> int:
        """How many articles match (as `len(query_ids(query))`, without holding their ids)."""
        ...

    def part(
        self, query: Query | None, around: int, row: int | None = None, through: str | None = None
    ) -> tuple[int, int, list[str]] | None:
        """How many articles match, and a part of `query_ids(query)` about a place in it: the
        article `through` when it matches, else the row `row` (the last row of a shorter
        list), with `around` rows either side, as (how many match, the row the part starts
        at, its ids). None when the store cannot say without listing every match, or when
        `through` does not match and no `row` is given."""
        ...

    def holds(self, query: Query, ident: str) -> bool:
        """Whether the stored article `ident` matches `query` (as `ident in
        query_ids(query)`, testing that article alone); False when it is not stored."""
        ...

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]: ...

    def sources_count(self) -> dict[str, int]: ...

    def tags_count(self) -> dict[str, int]: ...

    def search_scores(self, words: list[str]) -> dict[str, float]:
        """Relevance (BM25, higher is better) of each article holding any of the words or
        phrases; StoreError when the search index cannot be used."""
        ...

    # -- for derived indexes -----------------------------------------------------------------
    def shard_keys(self) -> list[str]: ...

    def shard_version(self, key: str) -> Version | None:
        """The shard's version as it is now (None: gone)."""
        ...

    def records_with_texts(
        self, key: str
    ) -> tuple[Version | None, list[tuple[Record, str | None]]]:
        """The version a shard was read at and its articles with their full texts."""
        ...


@runtime_checkable
class StoryKeeper(Protocol):
    """A store that keeps the stories itself, for every process that reads it (PostgreSQL:
    one poller groups for all); a store without these methods leaves them to a file in
    its data dir (`fetchers.storybook`)."""

    def takes_stories(self) -> bool:
        """(A writer.) Whether this process groups the stories (the first to ask does)."""
        ...

    def saved_stories(self, among: list[str] | None = None) -> dict[str, list[str]] | None:
        """Each saved story's article ids (with `among`, of the stories holding any of
        them); None when none were ever saved."""
        ...

    def save_stories(
        self, changed: dict[str, tuple[list[str], dict[str, Any]]], gone: list[str]
    ) -> None:
        """Keep the stories that changed (their ids and record) and forget those gone."""
        ...

    def story_records(
        self, limit: int, offset: int = 0, among: list[str] | None = None
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """(id, record) of the saved stories, newest activity first, a page at a time."""
        ...

    def story_count(self) -> int:
        """How many stories are saved."""
        ...

    def stories_matching(
        self, query: Query | None, limit: int
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """(id, record) of the saved stories with an article matching `query` (all for
        none), newest activity first, at most `limit`, found by the store among all it keeps;
        None when none were ever saved."""
        ...

    def stored_since(self, mark: str | None) -> tuple[list[str], str]:
        """The ids of the articles stored after `mark` (a mark this store gave: its own
        shape), and the mark to ask with next."""
        ...


@runtime_checkable
class Backfiller(Protocol):
    """A store whose upgrade leaves work for later, done by its writers in the background a
    few rows at a time (PostgreSQL: the pairs of words of the rows stored before it kept
    them), so that opening an upgraded store never waits for it."""

    def backfill(self, most: int = ...) -> int:
        """(A writer, in a thread.) Bring up to `most` rows an older wirewatch stored up to
        what this one writes, in one short transaction; how many, 0 when none is left."""
        ...


@runtime_checkable
class DayCounter(Protocol):
    """A store whose day files a copy can take apart from the sources' health kept beside
    them (a data dir): the health saved records how many articles the newest day's files
    held, and a store found holding fewer takes those days for lost (their validators and
    listings would keep out the articles it lacks)."""

    def newest_counts(self) -> dict[str, list[int]]:
        """(The writer.) The newest day's files, each with its version and its count."""
        ...

    def check_counts(self, counts: object) -> list[str]:
        """(The writer.) The days holding fewer than `counts` says, taken for lost."""
        ...

    def lost_recovered(self, keys: Iterable[str]) -> None:
        """(The writer.) The lost days `take_lost` gave whose feeds' validators and listings
        the health saved since forgot: no longer noted on disk for the next writer."""
        ...


@runtime_checkable
class AheadNoter(Protocol):
    """A store that notes the days filed after the real one (a `--now` ahead, a clock that
    ran ahead) with the real day retention first found each so, and drops each
    retention_days after that: a copy takes the notes, or keeps such a day that much longer
    than its original."""

    def days_ahead(self) -> dict[str, str]:
        """Each day noted ahead ("2026-12-20") with the real day it was found so."""
        ...

    def note_days_ahead(self, noted: dict[str, str]) -> None:
        """(The writer.) Take these notes, each day keeping the earlier of its real days."""
        ...


@runtime_checkable
class DropNoter(Protocol):
    """A store several pollers share (PostgreSQL), where one poller's retention drops the
    articles of sources other pollers hold: it notes them for the holder, whose health
    remembers what retention dropped (`SourceHealth.dropped`) and is its own to save."""

    def note_dropped(self, dropped: dict[str, dict[str, str]], cutoff: str) -> None:
        """(The writer.) Note these (source -> id -> real day), forgetting notes before
        the real day `cutoff`."""
        ...

    def noted_dropped(self, sources: list[str]) -> dict[str, dict[str, str]]:
        """(The writer.) The notes of these sources, left until `clear_dropped`."""
        ...

    def clear_dropped(self, taken: dict[str, dict[str, str]]) -> None:
        """(The writer.) Forget these notes, now in their sources' saved health."""
        ...
