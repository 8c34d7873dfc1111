"""Polling sources: who is due, fetch with caps, parse off the event loop, store as they answer."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import functools
import logging
import random
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx

from fetchers import liveness
from fetchers.charset import in_utf8
from fetchers.config import Config
from fetchers.extracterror import ExtractError, ShellPage
from fetchers.extractors.sitewide import FILE as SITES_FILE
from fetchers.extractors.sitewide import MEMORY as SITES
from fetchers.feeds import CUT_OFF, FeedError, ParsedFeed, told_by_words
from fetchers.files import LocalSourceError, read_local
from fetchers.healthbook import HealthBook, same_place
from fetchers.http import (
    MAX_REDIRECTS,
    BodyTooLarge,
    FetchError,
    FetchResult,
    carry_credentials,
    deadline_held,
    fetch,
    make_client,
    shown_url,
    without_credentials,
)
from fetchers.models import (
    BACKLOG_AFTER,
    CLOCK_SKEW,
    Article,
    Clock,
    PollResult,
    Retag,
    Settings,
    Source,
    SourceHealth,
    system_clock,
    utc_iso,
)
from fetchers.parsepool import (
    ParsedSource,
    ParsePool,
    ParseTimeout,
    page_article_id,
    parse_within,
)
from fetchers.pulled import ListingChange, listing_change, pulled_marks
from fetchers.query import Record
from fetchers.redact import redact
from fetchers.store import ArticleStore, StagedArticle, StoreError, StoreWriteError, stage
from fetchers.store.codec import day_key
from fetchers.store.errors import note_unsaved, write_refused
from fetchers.store.interface import DayCounter, DropNoter
from fetchers.timeparse import local_zone
from fetchers.webaddress import is_local_host, shortest_interval

log = logging.getLogger("wirewatch.poller")
# set on the log record of a source's failed poll (`logging`'s `extra`): `refresh` on a
# terminal lists its failures on stdout, and they were said twice
SOURCE_FAILED = "source_failed"
# the answers whose Retry-After asks a poll to leave the source alone until then (a 404 that
# says it is only its backoff's: a dead feed stays a failure at each refresh)
ASKED_TO_WAIT = frozenset({429, 503})

DEFAULT_PER_HOST = 2
# a passing failure (no answer, a server error: `passing`) is tried again BACKOFF_BASE after,
# twice as long after each failure in a row up to BACKOFF_CAP, never sooner than the base
BACKOFF_BASE = 60.0
BACKOFF_CAP = 6 * 3600.0
# an answer that the feed is not there or not for this reader (404, 410, 401, 403, a body
# that is no feed), or a 429 that gives no Retry-After, is tried again no sooner than the
# source's interval, twice as long after each failure in a row, up to a day (or the interval,
# when longer): a dead feed of a 2-hour interval was asked every minute or two
REFUSED_BACKOFF_CAP = 24 * 3600.0
# the answers that may pass soon, besides the server errors (5xx) and no answer at all
PASSING_STATUSES = frozenset({408})
FLUSH_AFTER = 3.0  # seconds the articles of sources that answered wait for slower ones
LISTED_FEWEST = 1000  # ids a cut-off answer joins to what its feed listed before, at least
# the articles retention dropped stay no news (`SourceHealth.dropped`) while their feed may
# list them again: DROPPED_DAYS after they were dropped, or after their feed last listed
# them, at most DROPPED_MOST a source (the oldest go first). A short listing lasts hours or
# days; remembering every drop for months was hundreds of ids a source, in a poller's memory
# and in the health a PostgreSQL store's viewers read
DROPPED_DAYS = 14
DROPPED_MOST = 200
FLUSH_ARTICLES = 2000  # articles waiting to be written that are written without waiting more
# a cycle of a running poller (`poll(carry=True)`) ends this long after its last answer when
# no more than STRAGGLERS of its sources are still out; those are answered in a later cycle
# (one source hanging until its timeout held every other source's next poll, the cycle's
# alerts and stories, a config change and `r` back as long)
STRAGGLERS_WAIT = 5.0
STRAGGLERS = 0.1  # of the cycle's sources (at least STRAGGLERS_FEWEST)
STRAGGLERS_FEWEST = 3
PAGES_PER_SOURCE = 20  # full texts fetched per source and cycle (newest first); `f` gets more
PAGES_IN_FLIGHT = 4  # full-text page fetches at once, on top of the per-host caps
PARSE_DEADLINE = 30.0  # seconds one document may take to parse
PARSE_THREADS = 2  # threads for parsing when there is no parser process, and for page text
UNPARSED_PER_SLOT = 3  # bodies fetched or being fetched, not yet parsed, per request slot
UNSTORED_RETRY = 60.0  # a source whose articles the disk refused is asked again this soon
# pages whose texts the disk refused are fetched again this long after, twice as long after
# each refusal in a row, up to the cap (a disk that stays full is not sent every page again
# every poll); a text stored meanwhile (the disk has room again) brings them at the next poll
UNSTORED_TEXTS_RETRY = UNSTORED_RETRY
UNSTORED_TEXTS_RETRY_CAP = 3600.0
# an article page whose fetch or extraction failed (a 404 before it is published, a timeout,
# a 5xx) is fetched again this long after, twice as long after each failure in a row, up to
# the cap; given up after PAGE_TRIES tries in all, or PAGE_GONE_TRIES answers of 404 or 410
PAGE_RETRY = 600.0
PAGE_RETRY_CAP = 4 * 3600.0
PAGE_TRIES = 8
PAGE_GONE_TRIES = 4
# what pages taught of sites' furniture is written at most this often while polling (and at
# the end of a `refresh`, or when the poller closes)
SITES_SAVE_EVERY = 300.0
GIVEN_UP_KEPT = 2000  # the pages given up whose reason the article pane can still say
MOVED_AGAIN = (404, 410)  # a remembered new address that answers these is gone
JITTER = 0.1  # a healthy source's next poll is its interval give or take this share of it
FULL_TEXT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.5"
LEASE_TTL = 30.0  # seconds a source stays leased to a poller that stopped renewing it
LEASE_MIN = 1.0
CLAIM_MIN = 64  # sources a poller takes at most at once (or 4x its concurrency, if more)
T = TypeVar("T")


# The farthest ahead a next poll is ever set: the config refuses longer intervals, and a
# server's Retry-After is capped at a day; this holds whatever a bug or a clock might compute.
MAX_NEXT_POLL = 366 * 24 * 3600.0


@dataclass(frozen=True, slots=True)
class PollProgress:
    """How far a poll under way is (`Poller.on_progress`): what a screen says while a poll
    of 2,000 sources takes a minute, and lists what is stored meanwhile."""

    answered: int  # sources that answered (or failed) so far
    asked: int  # sources the poll asks (more as a poller takes its share a part at a time)
    began: datetime  # when the poll began (by the poller's clock)
    # articles written (new or revised) so far, counted over the poller's life: a change
    # says something more is stored
    written: int = 0


def later(now: datetime, seconds: float) -> datetime:
    """`now` plus `seconds`, clamped to [0, MAX_NEXT_POLL]: never an overflow, never a source
    parked for years."""
    if not seconds > 0:  # also NaN
        return now
    return now + timedelta(seconds=min(seconds, MAX_NEXT_POLL))


def _doubled(wait: float, failures: int) -> float:
    """`wait` doubled for each failure in a row after the first (the power bounded: a count
    of thousands overflowed a float)."""
    return wait * 2.0 ** min(max(0, failures - 1), 40)


def passing(http_status: int | None) -> bool:
    """Whether a failure may pass soon: no answer (a timeout, a refused connection, a name
    not found, a local file), a server error (5xx) or a 408; any other answer (404, 410, 401,
    403, a 429, a 200 whose body is no feed) says the same until the feed's owner acts."""
    return http_status is None or http_status >= 500 or http_status in PASSING_STATUSES


def backoff_delay(failures: int, rng: random.Random) -> float:
    """A passing failure's wait: exponential from BACKOFF_BASE up to BACKOFF_CAP, jittered
    over its upper half and never under the base (it went down to half of it)."""
    ceiling = min(BACKOFF_CAP, _doubled(BACKOFF_BASE, failures))
    return rng.uniform(max(BACKOFF_BASE, ceiling / 2), ceiling)


def refused_delay(failures: int, interval: float, rng: random.Random) -> float:
    """The wait of a failure that says the same until the feed's owner acts (`passing`
    says which do not): the source's interval, doubled for each failure in a row up to
    REFUSED_BACKOFF_CAP (or the interval, when longer), jittered upward only, never under
    BACKOFF_BASE."""
    wait = min(max(REFUSED_BACKOFF_CAP, interval), _doubled(interval, failures))
    return max(BACKOFF_BASE, wait) * (1 + rng.uniform(0, JITTER))


def said_at(error: str, url: str, configured: str) -> str:
    """A source's error, said with the address that gave it when that is not the config's
    (a redirect's, or where the feed moved for good): the config's address beside another's
    404 read as that address gone."""
    if _unlike(url, configured):
        return f"{error} (at {shown_url(without_credentials(url))})"
    return error


def _unlike(url: str, configured: str) -> bool:
    """Whether `url` (as httpx asked it) is another address than `configured`."""
    try:
        written = str(httpx.URL(configured))
    except (httpx.InvalidURL, ValueError):
        written = configured
    return without_credentials(url) != without_credentials(written)


def jittered(interval: float, floor: float, rng: random.Random) -> float:
    """A healthy source's wait: its interval give or take JITTER of it, never under `floor`
    (the shortest interval where it is: a 1-minute source was asked after 55 s); near the
    floor the jitter is only upward."""
    low = max(interval * (1 - JITTER), floor)
    return rng.uniform(low, max(interval * (1 + JITTER), low))


def _polled_since(health: SourceHealth | None, began: datetime) -> bool:
    """Whether a source's health (as the poller that last held it saved it, to the second)
    says it was polled at or after `began`'s second."""
    if health is None or health.last_polled is None:
        return False
    return health.last_polled >= began.replace(microsecond=0)


def poll_interval(source: Source, settings: Settings) -> float:
    """How often a source is polled: its interval, else the settings', never under the
    shortest for where it is (`shortest_interval`: a default under it is said at load)."""
    return max(source.interval or settings.interval, shortest_interval(source.url or None))


def lease_ttl(config: Config) -> float:
    """How long a source's lease lasts without renewal: at most half the shortest interval,
    so the sources of a poller that died are polled by another within one interval."""
    intervals = [poll_interval(s, config.settings) for s in config.sources if s.enabled]
    shortest = min(intervals, default=config.settings.interval)
    return max(LEASE_MIN, min(LEASE_TTL, shortest / 2))


def _unparsed_slots(settings: Settings) -> asyncio.Semaphore:
    """The sources that may be fetched or wait for their parse at once (see _poll_remote)."""
    return asyncio.Semaphore(UNPARSED_PER_SLOT * settings.concurrency)


def host_cap(host: str, settings: Settings) -> int:
    """Requests in flight to one host: `per_host` when set; otherwise 2 for public hosts
    (politeness toward publishers) and the global cap for loopback and private addresses
    (your own feed bridge or test server)."""
    if settings.per_host is not None:
        return settings.per_host
    return settings.concurrency if is_local_host(host) else DEFAULT_PER_HOST


def host_key(url: str) -> str:
    """The host a URL's requests go to, as the per-host slots are kept: as httpx names a
    redirect's ("Bücher.example" and "xn--bcher-kva.example" are one), "" for a URL that
    names none (its fetch says why)."""
    try:
        return httpx.URL(url).host
    except (httpx.InvalidURL, ValueError):
        return ""


@dataclass(slots=True)
class HostSlots:
    """The per-host slots one fetch holds, by host, and the last address it asked. Each
    redirect asks under the slot of the host it leads to (`_follow_redirect`): ten sources
    of ten blogs redirected to one feed host had ten requests at once there."""

    slot_of: Callable[[str], asyncio.Semaphore]
    url: str
    held: dict[str, asyncio.Semaphore] = field(default_factory=dict)

    async def take(self, hosts: list[str]) -> None:
        """Take the slots of these hosts, in their order (sorted: two fetches that each
        wait for a slot the other holds would wait until their deadlines)."""
        for host in hosts:
            if host not in self.held:
                slot = self.slot_of(host)
                await slot.acquire()
                self.held[host] = slot

    async def ask(self, url: str) -> None:
        """A request to `url` is about to be sent: under its host's slot, the others let go
        first (a fetch never waits for a slot while it holds one)."""
        self.url = url
        host = host_key(url)
        if host not in self.held:
            self.release()
            with deadline_held():  # (in line: not the server's time)
                await self.take([host])

    def release(self) -> None:
        held, self.held = self.held, {}
        for slot in held.values():
            slot.release()


# the slots of the fetch under way in this task (`Poller._limited_fetch`)
_slots: contextvars.ContextVar[HostSlots | None] = contextvars.ContextVar(
    "wirewatch_host_slots", default=None
)
# where a caller of `_limited_fetch` learns the last address its fetch asked (an error is
# said against it, and a source's redirect is remembered)
_asked: contextvars.ContextVar[list[str] | None] = contextvars.ContextVar(
    "wirewatch_asked", default=None
)


async def _follow_redirect(request: httpx.Request) -> None:
    """(A request hook of the poller's client: every request, redirects included.) Send it
    under its host's slot."""
    slots = _slots.get()
    if slots is not None:
        await slots.ask(str(request.url))


def _page_text(
    body: bytes, content_type: str | None, url: str, charset: str | None, previous: str | None
) -> tuple[str, tuple[str, ...], int]:
    """(In a parse thread.) The article text of a page (`charset`: its source's, which a
    page is read in unless it names one it can be held to, `declares_charset`; `previous`:
    the text stored of it, kept when the article is the same, see `extract_article`), the
    copies of a text too short for an article (`Page.copies`), and its words; the
    extractors are imported here, by the first page read, never on the event loop."""
    from fetchers.extract import declares_charset, extract_article
    from fetchers.extractors.blocks import words

    if charset and not declares_charset(body, content_type):
        body = in_utf8(body, charset)
    page = extract_article(body, content_type, url, previous)
    return page.text, page.copies, len(words(page.text))


def _forget_held(health: SourceHealth, cutoff: str) -> None:
    """Forget the articles a held clock stored before the real day `cutoff`: retention
    drops them as their day is, and what their feed listed refuses them then."""
    if health.held:
        health.held = {i: day for i, day in health.held.items() if day >= cutoff}


def _forget_dropped(health: SourceHealth, cutoff: str) -> None:
    """Forget the articles retention dropped before the real day `cutoff` (that their feed
    has not listed since), and past DROPPED_MOST the oldest of those its feed does not
    list now."""
    dropped = health.dropped
    if not dropped:
        return
    kept = {i: day for i, day in dropped.items() if day >= cutoff}
    if len(kept) > DROPPED_MOST:
        # those its feed lists now first (a listing may leave them out, then list them
        # again), then the newest: one day's drops share their day, and of a source of
        # hundreds a day the ids that sorted last were kept, whatever the feed still listed
        listed = health.listed
        order = sorted(kept.items(), key=lambda pair: (pair[0] in listed, pair[1], pair[0]))
        kept = dict(order[-DROPPED_MOST:])
    if len(kept) != len(dropped):
        health.dropped = kept


def _cut_item(result: PollResult) -> str | None:
    """The id of the item a cut-off document's bytes stopped in (its headline or summary may
    be half sent, and must not revise the stored article); None for a whole document, or
    one whose bytes stopped between items (one never closed: its every item is whole)."""
    return result.cut_item if result.cut_off else None


async def _to_its_end(work: Callable[[], object]) -> None:
    """Run `work` in a thread (it may wait for the store's lock, or retry the writer lock:
    never on the event loop, a dashboard's screen while it quits), and wait for its end
    even when cancelled again meanwhile: what a stop saves is saved before the stop goes
    on (the caller raises its own cancel after). Its exception is raised."""
    job = asyncio.ensure_future(asyncio.to_thread(work))
    while not job.done():
        with contextlib.suppress(asyncio.CancelledError):  # (the thread goes on regardless)
            await asyncio.wait({job})
    job.result()


def _polled_names(chosen: list[Source], recorded: list[PollResult]) -> list[str]:
    """The sources whose health a poll changed: those it chose, and the names those the
    config renamed meanwhile were recorded under (`Poller._named_now`)."""
    return list(dict.fromkeys([*(s.name for s in chosen), *(r.source for r in recorded)]))


def _named(articles: list[Article], name: str) -> None:
    """Articles read as their source was named before (`Poller._ids_as`) given its name."""
    for article in articles:
        if article.source != name:
            article.source = name


@dataclass(slots=True)
class PageFailures:
    """An article page whose fetch or extraction failed, and when it is tried again."""

    tries: int = 0  # failed tries in a row
    gone: int = 0  # of those, the ones answered 404 or 410
    retry_at: datetime | None = None  # None: released to be tried again, or being tried
    reason: str = ""  # why the last try failed ("HTTP 403 Forbidden"), for the pane


def page_advice(exc: Exception, until: datetime | None = None) -> str:
    """What a reader can do about a page that could not be fetched, after what went wrong:
    a bare "HTTP 403 Forbidden" left them guessing. `until`: when its server asked to be
    left alone until (Retry-After), in the reader's zone."""
    said = str(exc)
    if isinstance(exc, BodyTooLarge):
        return f"{said}: raise [settings] max_body to read it"
    if not isinstance(exc, FetchError):
        return said
    if until is not None:
        return f"{said}: its server asks to wait; it is tried again after {until:%H:%M}"
    if exc.http_status in (401, 403):
        return (
            f"{said}: the site may refuse programs; set [settings] user_agent to a"
            " browser's User-Agent"
        )
    if exc.http_status == 429:
        return f"{said}: the site limits how often it is asked; try again later"
    return said


class Poller:
    """Polls a config's sources into a store. The store must be the writer. `health`: where
    the sources' health and validators are kept (the newsroom gives the data dir's); without
    it they live only as long as this poller."""

    def __init__(
        self,
        config: Config,
        store: ArticleStore,
        clock: Clock | None = None,
        client: httpx.AsyncClient | None = None,
        parse_pool: ParsePool | None = None,
        health: HealthBook | None = None,
    ) -> None:
        self.healthbook = health if health is not None else HealthBook(None)
        self.config = config
        self.parse_pool = parse_pool
        self.store = store
        self.clock = clock or system_clock
        # the time it really is, under a clock held still (`config.clock_held`): what it
        # stores is filed under the held clock's day, but kept as long from this one's
        self.real_clock: Clock = system_clock
        # each failed poll logged as a warning; `wirewatch poll` says failures itself, as
        # they start, change and end (`fetchers.outages`), not at every poll
        self.say_failures = True
        self.settings = config.settings
        self.zone = local_zone(self.settings.timezone)
        self._client = client
        self._retired: list[httpx.AsyncClient] = []  # clients a reload replaced
        self._own_client = client is None
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._unparsed = _unparsed_slots(self.settings)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        # a source's address whose last fetch ended at another host (a redirect), by that
        # host: its next fetch takes that host's slot too (`_limited_fetch`)
        self._landed: dict[str, str] = {}
        self._busy: set[str] = set()
        # the fetches a cycle left out when it ended before them (STRAGGLERS_WAIT), by their
        # source: still busy, answered in the next cycle after they end
        self._carried: dict[asyncio.Task[tuple[PollResult, list[StagedArticle]]], Source] = {}
        self._cut_short: list[PollResult] = []  # what a cycle stopped mid-way had written
        # sources staged whole while the store was still loading, until they are written
        self._unchecked: set[str] = set()
        self._pages = asyncio.Semaphore(PAGES_IN_FLIGHT)
        self._page_tasks: set[asyncio.Task[None]] = set()
        self._pages_tried: set[str] = set()
        # of those, the ones whose texts the store refused: tried again once the retry is due
        self._pages_refused: set[str] = set()
        self._texts_refusals = 0  # refused writes of full texts in a row
        self._texts_retry_at: datetime | None = None
        # of those, the ones whose fetch or extraction failed, until they are given up
        self._pages_failed: dict[str, PageFailures] = {}
        # of those given up, why (oldest first, at most GIVEN_UP_KEPT)
        self._pages_given_up: OrderedDict[str, str] = OrderedDict()
        # each host whose server asked its pages be left alone (Retry-After): until when
        self._page_waits: dict[str, datetime] = {}
        # the soonest of their waits (None: none waits): they are looked through only then
        self._pages_due: datetime | None = None
        # by source, while it is polled: its articles' words for the search index, made by
        # the parser (see `_wants_words`)
        self._words: dict[str, list[tuple[str, str]]] = {}
        self._parse_threads: ThreadPoolExecutor | None = (
            None  # article ids whose page this process asked for
        )
        # where what sites repeat (`sitewide`) is kept across runs: the writer's data dir
        self._sites_dir = (
            self.healthbook.path.parent
            if self.healthbook.path is not None and store.is_writer
            else None
        )
        self._sites_loaded = False
        self._sites_saved = 0  # `SITES.changes` when last saved
        self._sites_saved_at: float | None = None  # (the loop's time)
        self.on_answer: Callable[[PollResult], None] | None = None  # each source, as it answers
        # the sources a poll leaves out, their servers having asked to wait (`_not_waited_for`)
        self.on_limited: Callable[[list[str]], None] | None = None
        self._limited: dict[str, datetime] = {}  # those, until `take_limited`
        # each batch of articles about to be written (new, or revised), while the poll goes
        # on: work that can start before the cycle ends (the stories read their words);
        # called on the event loop, so quick. (After the write, a lean store has thinned them.)
        self.on_staged: Callable[[list[Record]], None] | None = None
        # how far the poll under way is: when it starts, as its sources answer and after each
        # write that stored articles (a writer's screen lists them before the cycle ends),
        # then None as it ends, however it ends; called on the event loop, so quick
        self.on_progress: Callable[[PollProgress | None], None] | None = None
        self._written = 0  # articles written, new or revised, by every poll so far
        self._refill_now = False  # a poll found a shard unreadable as it ended (`poll`)
        self._lost_writing = False  # ... as a write of it wrote that shard (`_write`)
        # lost shards whose feeds' validators were forgotten in memory, not yet on disk
        self._forgotten: set[str] = set()
        self._unsent = 0  # requests of the current poll not yet given a slot
        self.sent = asyncio.Event()  # set once a poll's first requests are all on their way
        self._rng = random.Random()
        self._beats = 0  # polls and runs under way, each wanting the writer lock touched
        self._beat_task: asyncio.Task[None] | None = None
        self.leased: set[str] | None = None  # the sources the store leases to this poller
        self._leased_at: float | None = None  # when it last asked (monotonic)
        self._growing = False  # the last ask brought more: ask again without waiting
        # when the leases the store last granted run out (monotonic): past it, with the
        # store away, another poller may hold them, and this one polls none of them
        self._lease_ends: float | None = None
        self._lapsed = False  # its leases ran out with the store away (said once)
        # by source, after the clock went back: the last poll it was found after the clock,
        # and the time its waits were counted from since (`_count_from`)
        self._counted_from: dict[str, tuple[datetime, datetime]] = {}
        self.health: dict[str, SourceHealth] = self.healthbook.load(listed=True)
        # (name before, name now) of the sources the config renamed, whose stored articles
        # are yet to take the new name (`take_renames`)
        self.renames: list[tuple[str, str]] = []
        # source -> (the tags its stored articles carry, the config's now), for the sources
        # whose tags the config changed (`take_retags`)
        self.retags: dict[str, Retag] = {}
        # each source the config names, at its address (`_take_sources`)
        self._places: dict[str, str] = {}
        # the sources a reload renamed while their fetch was out, by the name they were
        # fetched under: the name they have now (their answer is stored under it)
        self._renamed_out: dict[str, str] = {}
        self._take_sources(config)

    async def open_client(self) -> httpx.AsyncClient:
        """The client, made in a thread the first time: its TLS setup (reading the CA bundle)
        takes tens of milliseconds, which an event loop must not spend."""
        if self._client is None:
            client = await asyncio.to_thread(
                make_client,
                self.settings.user_agent,
                self.settings.concurrency,
                self.settings.timeout,
            )
            if self._client is None:
                self._client = client
            else:  # another task made one meanwhile
                await client.aclose()
        hooks = self._client.event_hooks
        if _follow_redirect not in hooks["request"]:  # (a client given, or just made)
            self._client.event_hooks = {**hooks, "request": [*hooks["request"], _follow_redirect]}
        return self._client

    async def _in_parse_threads(self, function: Callable[..., T], *args: Any) -> T:
        """Run parsing or extraction in threads of their own: a document no deadline can
        stop there keeps one of these busy, never the threads the store writes from."""
        if self._parse_threads is None:
            self._parse_threads = ThreadPoolExecutor(PARSE_THREADS, thread_name_prefix="parse")
        return await asyncio.get_running_loop().run_in_executor(
            self._parse_threads, functools.partial(function, *args)
        )

    async def aclose(self) -> None:
        carried, self._carried = list(self._carried), {}
        for task in carried:  # (a source still out when polling stopped)
            task.cancel()
        await asyncio.gather(*carried, return_exceptions=True)
        await self._cancel_pages()
        await asyncio.to_thread(self.save_sites)
        if self._parse_threads is not None:
            self._parse_threads.shutdown(wait=False, cancel_futures=True)
            self._parse_threads = None
        if self._client is not None and self._own_client:
            await self._client.aclose()
            self._client = None
        retired, self._retired = self._retired, []
        for client in retired:
            await client.aclose()

    async def lease(self, force: bool = False) -> set[str]:
        """Ask the store which sources this poller is to poll (all of them, unless several
        pollers share the store's sources), at most every third of a lease unless `force`."""
        ttl = lease_ttl(self.config)
        loop = asyncio.get_running_loop()
        fresh = self._leased_at is not None and loop.time() - self._leased_at < ttl / 3
        if self.leased is not None and fresh and not force and not self._growing:
            return self.leased
        names = [s.name for s in self.config.sources if s.enabled]
        before = self.leased
        most = max(CLAIM_MIN, 4 * self.settings.concurrency)
        asked = loop.time()  # (the store counts the lease from a moment later)
        try:
            self.leased = await asyncio.to_thread(
                self.store.lease, names, set(self._busy), ttl, most
            )
        except StoreError as exc:  # the server is away: keep what was held while it lasts
            log.error("%s", exc)
            self.leased = self._held_while_away(self.leased or set(), loop.time())
        else:
            self._lease_ends = asked + ttl
            if self._lapsed:
                self._lapsed = False
                log.warning(
                    "the database answers again: polling the %d sources it leases to this poller",
                    len(self.leased),
                )
        self._leased_at = loop.time()
        self._growing = bool(self.leased - (before or set()))
        if before is not None and self.leased - before:
            await asyncio.to_thread(self._take_health, self.leased - before)
        return self.leased

    def _held_while_away(self, held: set[str], now: float) -> set[str]:
        """The store cannot be asked: what was held is polled until its lease runs out (the
        end the store last granted), none of it after, when another poller may hold it (a
        poller cut off from the database would poll it beside that one, storing nothing);
        said once."""
        if self._lease_ends is None or now < self._lease_ends or self._lapsed:
            return held
        self._lapsed = True
        log.warning(
            "the leases of the %d sources this poller held ran out while the database could"
            " not be used: it polls none until the database answers (other pollers may hold"
            " them now)",
            len(held),
        )
        return set()

    def _take_health(self, names: set[str]) -> None:
        """(In a thread.) A source taken from another poller goes on from the health it left
        (its schedule and validators), where the store keeps health for every host; not the
        health of another address under its name (a name given to another feed, two names
        swapped): its ids would be made under that one's name, its validators sent to this
        one."""
        kept = self.healthbook.load(listed=True)
        for name in names:
            health = kept.get(name)
            if (
                health is not None
                and name not in self._busy
                and same_place(health.url, self._places.get(name, ""))
            ):
                self.health[name] = health

    def due(self, now: datetime) -> list[Source]:
        """The enabled sources leased to this poller whose next poll has come (counted from
        now for those last polled after it: `_count_from`)."""
        out = []
        considered = [
            source
            for source in self.config.sources
            if source.enabled
            and source.name not in self._busy
            and (self.leased is None or source.name in self.leased)
        ]
        self._count_from(now, [source.name for source in considered])
        for source in considered:
            health = self.health.get(source.name)
            if health is None or health.next_poll is None or health.next_poll <= now:
                out.append(source)
        return out

    def _count_from(self, now: datetime, names: list[str]) -> None:
        """The clock went back (set right after it ran ahead, or a --now earlier than the
        last polls): a source last polled after `now` waits from `now` what it was to wait
        after that poll (its interval, a failure's backoff, its server's Retry-After); it
        waited until the clock caught up, a day for a clock a day ahead. Under a clock held
        still, which no wait ever ends, it is due now: a held clock polls every source once.
        Said once in the log, when the clock is more than CLOCK_SKEW behind."""
        behind: list[datetime] = []
        for name in names:
            health = self.health.get(name)
            if health is None or health.last_polled is None:
                continue
            polled, counted = self._counted_from.get(name, (None, now))
            since = counted if polled == health.last_polled else health.last_polled
            if since <= now:
                continue
            self._counted_from[name] = (health.last_polled, now)
            held = self.config.clock_held
            if health.next_poll is not None:
                wait = (health.next_poll - since).total_seconds()
                health.next_poll = now if held else later(now, wait)
            if health.retry_until is not None:
                wait = (health.retry_until - since).total_seconds()
                health.retry_until = later(now, wait) if wait > 0 and not held else None
            if (since - now).total_seconds() > CLOCK_SKEW:
                behind.append(since)
        if not behind:
            return
        sources = "1 source was" if len(behind) == 1 else f"{len(behind)} sources were"
        if self.config.clock_held:  # (asked for: --now earlier than the polls)
            log.info(
                "%s last polled after the clock held still (the latest at %s): each is polled once",
                sources,
                utc_iso(max(behind)),
            )
            return
        log.warning(
            "the clock went back: %s last polled after now (the latest at %s); each is polled"
            " again when its wait, counted from now, has passed",
            sources,
            utc_iso(max(behind)),
        )

    @contextlib.asynccontextmanager
    async def beating(self) -> AsyncIterator[None]:
        """Touch the writer lock every few seconds while inside (one task however nested), so
        viewers can tell this writer at work from one that exited or hangs."""
        self._beats += 1
        if self._beats == 1:
            self._beat_task = asyncio.create_task(self._beat())
        try:
            yield
        finally:
            self._beats -= 1
            if self._beats == 0 and self._beat_task is not None:
                self._beat_task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await self._beat_task
                self._beat_task = None

    async def _beat(self) -> None:
        """Touch the lock, which also renews the leases of the sources being polled."""
        while True:
            with contextlib.suppress(OSError, ValueError):  # ValueError: a store just closed
                await asyncio.to_thread(self.store.heartbeat)
            await asyncio.sleep(min(liveness.BEAT, lease_ttl(self.config) / 3))

    async def poll(
        self, sources: list[Source] | None = None, carry: bool = False
    ) -> list[PollResult]:
        """Poll the given sources (default: every enabled one leased to this poller) once;
        store what is new.

        Sources that answer together are written together (one write per touched shard);
        one that is slow never holds the others' articles back by more than FLUSH_AFTER
        seconds. With `carry` (a running poller's cycle), the cycle ends STRAGGLERS_WAIT
        after its last answer when only a few sources are still out: they are answered in the
        first cycle after they end (`carried_answered`), and no cycle waits for them. Full
        texts are fetched after the articles are stored (see `drain_pages`).

        A shard found unreadable while the store loaded during the poll (a `refresh` opens
        it as its requests go out) was moved aside after some feeds had said "not modified":
        those are polled again at once, read whole, so the lost articles are back when the
        poll ends, not one poll later. What the others brought is a backlog as well (it may
        hold lost articles brought back), and a source that failed is not asked again."""
        async with self.beating():
            results = await self._poll(sources, carry)
            if not self._refill_now:
                return results
            self._refill_now = False
            # a shard found lost as a write wrote it: what the feeds that answered in full
            # gave was told from a store that held it still, and they are asked again too
            writing, self._lost_writing = self._lost_writing, False
            asked = ("not-modified", "ok") if writing else ("not-modified",)
            unchanged = {r.source for r in results if r.status in asked}
            for result in results:
                if result.status == "ok":
                    result.first = True
            again = [s for s in self.config.sources if s.name in unchanged]
            if not again:
                return results
            log.warning(
                "%d feeds%s are asked again now, for their full content",
                len(again),
                "" if writing else ' that said "not modified"',
            )
            merged = {r.source: r for r in results}
            for later in await self._poll(again):
                before = merged.get(later.source)
                if before is not None and before.status == "ok":  # what it stored then stands
                    later.new_ids = [*before.new_ids, *later.new_ids]
                    later.revised_ids = [*before.revised_ids, *later.revised_ids]
                    later.moved_ids = [*before.moved_ids, *later.moved_ids]
                merged[later.source] = later
            return list(merged.values())

    def _not_waited_for(self, sources: list[Source]) -> list[Source]:
        """Those of `sources` whose server has not asked to be left alone until later (a
        Retry-After still running: every cron `refresh` asked such a source again, failing
        each time); the others are kept for `take_limited`, and told to `on_limited`."""
        now = self.clock()
        self._count_from(now, [source.name for source in sources])
        ready: list[Source] = []
        waits: dict[str, datetime] = {}
        for source in sources:
            health = self.health.get(source.name)
            until = health.retry_until if health is not None else None
            if until is not None and until > now:
                waits[source.name] = until
            else:
                ready.append(source)
        if waits:
            self._limited.update(waits)
            for name, until in waits.items():
                log.info(
                    "%s: its server asked to wait until %s (Retry-After); skipped",
                    name,
                    utc_iso(until),
                )
            if self.on_limited is not None:
                self.on_limited(list(waits))
        return ready

    def take_limited(self) -> dict[str, datetime]:
        """The sources polls since the last call left out because their servers asked to
        wait (Retry-After), each with when that wait ends; taken."""
        limited, self._limited = self._limited, {}
        return limited

    def take_cut_short(self) -> list[PollResult]:
        """The results of the sources a cycle stopped mid-way had finished with: their
        articles written, their health kept (the alerts and stories of those it wrote are
        due all the same: new no more at the next start, they were never checked)."""
        cut, self._cut_short = self._cut_short, []
        return cut

    def carried_answered(self) -> bool:
        """Whether a source a cycle ended before has answered since: a cycle, even of no
        source due, stores what it brought."""
        return any(task.done() for task in self._carried)

    async def _poll(self, sources: list[Source] | None, carry: bool = False) -> list[PollResult]:
        topping = sources is None  # every source this poller holds, taken a part at a time
        if sources is None:
            leased = await self.lease(force=True)
            sources = [s for s in self.config.sources if s.name in leased]
        chosen = self._not_waited_for(
            [
                s
                for s in (sources if sources is not None else self.config.sources)
                if s.enabled and s.name not in self._busy
            ]
        )
        # (renames of fetches out that ended unstored, a cycle cut short, are kept no more)
        self._renamed_out = {b: now for b, now in self._renamed_out.items() if b in self._busy}
        self._busy.update(s.name for s in chosen)
        taken, began = {s.name for s in chosen}, self.clock()
        self._unsent = sum(1 for s in chosen if not s.path)
        self.sent.clear()
        if not self._unsent:
            self.sent.set()
        by_name = {s.name: s for s in chosen}
        pending: set[asyncio.Task[tuple[PollResult, list[StagedArticle]]]] = set()
        results: dict[str, PollResult] = {}
        recorded: list[PollResult] = []  # those stored (or refused) and kept in the health
        # Finished tasks arrive through a callback, not asyncio.wait over every pending one
        # (that is quadratic: 2,000 sources cost seconds of CPU); and only unfinished ones
        # are kept, since a finished one holds its source's staged articles.
        finished: list[asyncio.Task[tuple[PollResult, list[StagedArticle]]]] = []
        # the answers held back for slower ones (FLUSH_AFTER), not yet handed to a write
        waiting: list[tuple[PollResult, list[StagedArticle]]] = []
        try:
            await self.open_client()  # once, before the sources race to make it
            await self._take_dropped([s.name for s in chosen])
            self._forget_validators(await asyncio.to_thread(self.store.take_lost))
            arrived = asyncio.Event()

            def answered(task: asyncio.Task[tuple[PollResult, list[StagedArticle]]]) -> None:
                finished.append(task)
                arrived.set()

            source_of: dict[asyncio.Task[tuple[PollResult, list[StagedArticle]]], Source] = {}

            def start(sources: list[Source]) -> None:
                for source in sources:
                    task = asyncio.create_task(self._poll_and_stage(source))
                    task.add_done_callback(answered)
                    pending.add(task)
                    source_of[task] = source

            start(chosen)
            for task, source in list(self._carried.items()):  # what earlier cycles left out
                if not task.done():
                    continue  # still out: no cycle waits for it (it starts one when it ends)
                del self._carried[task]
                chosen.append(source)
                by_name[source.name] = source
                finished.append(task)
                arrived.set()
            loop = asyncio.get_running_loop()
            self._progress(PollProgress(len(results), len(chosen), began, self._written))
            first_waiting: float | None = None
            held_articles = 0  # staged and waiting for the write
            last_answer = loop.time()
            while pending or topping or finished:
                few = len(pending) <= max(STRAGGLERS_FEWEST, int(len(chosen) * STRAGGLERS))
                if carry and not topping and results and few and not finished:
                    left = last_answer + STRAGGLERS_WAIT - loop.time()
                    if left <= 0:  # the rest answer in a later cycle
                        for task in pending:
                            task.remove_done_callback(answered)
                            self._carried[task] = source_of[task]
                        left_out = {source_of[task].name for task in pending}
                        log.info(
                            "%s still out after the others answered: answered in a later cycle",
                            ", ".join(sorted(left_out)),
                        )
                        chosen = [s for s in chosen if s.name not in left_out]
                        pending.clear()
                        break
                else:
                    left = None
                if topping and len(pending) < max(CLAIM_MIN, 4 * self.settings.concurrency) / 2:
                    # a part more, while others poll too
                    more, topping = await self._take_more(taken, began)
                    await self._take_dropped([s.name for s in more])
                    chosen.extend(more)
                    by_name.update((s.name, s) for s in more)
                    self._unsent += sum(1 for s in more if not s.path)
                    start(more)
                    if not pending:
                        continue
                if not finished:
                    timeout = left
                    if first_waiting is not None:
                        flush = max(0.0, first_waiting + FLUSH_AFTER - loop.time())
                        timeout = flush if timeout is None else min(timeout, flush)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(arrived.wait(), timeout)
                arrived.clear()
                done, finished[:] = list(finished), []
                pending.difference_update(done)
                if done:
                    last_answer = loop.time()
                for task in done:
                    result, staged = task.result()
                    results[result.source] = result
                    if self.on_answer is not None:
                        self.on_answer(result)
                    waiting.append((result, staged))
                    held_articles += len(staged)
                    if first_waiting is None:
                        first_waiting = loop.time()
                if done:
                    self._progress(PollProgress(len(results), len(chosen), began, self._written))
                held = first_waiting is not None and loop.time() - first_waiting >= FLUSH_AFTER
                if pending and (held or held_articles >= FLUSH_ARTICLES):
                    # (handed over before the write: a stop during it writes them not twice)
                    batch, waiting, first_waiting, held_articles = waiting, [], None, 0
                    await self._store(batch, by_name, recorded)
                    self._progress(PollProgress(len(results), len(chosen), began, self._written))
            batch, waiting = waiting, []
            await self._store(batch, by_name, recorded)
            self._progress(PollProgress(len(results), len(chosen), began, self._written))
            lost = await asyncio.to_thread(self._settle_store)
            self._forget_validators(lost)
            self._refill_now = bool(lost)
            try:
                await asyncio.to_thread(self._health_saver(_polled_names(chosen, recorded)))
            except StoreWriteError as exc:
                note_unsaved("source health")
                log.error("%s; it is saved again after the next poll", exc)
            return [results[s.name] for s in chosen if s.name in results]
        except asyncio.CancelledError:
            # stopped mid-cycle (SIGTERM): the answers already here are written, with their
            # health and validators (held back for slower sources, up to FLUSH_AFTER, they
            # were dropped with the fetches still in flight: a stop 2 s after the quick
            # sources answered stored nothing); the health of the sources whose articles
            # were written is kept with them, not lost (it said "pending" beside their
            # articles), and what was written is the cycle's hooks' still (`take_cut_short`)
            waiting += self._answered_by_now(finished, pending, chosen, by_name)
            await self._store_before_stop(waiting, by_name, recorded)
            with contextlib.suppress(StoreWriteError, OSError):
                await _to_its_end(self._health_saver(_polled_names(chosen, recorded)))
            self._cut_short = recorded
            raise
        finally:
            for task in pending:
                task.cancel()
            self._busy.difference_update(s.name for s in chosen)
            self._progress(None)

    def _progress(self, progress: PollProgress | None) -> None:
        """Tell `on_progress` how far the poll is (None: it ended); a hook that fails never
        stops it."""
        if self.on_progress is None:
            return
        try:
            self.on_progress(progress)
        except Exception:
            log.exception("a hook on the poll's progress failed")

    def _answered_by_now(
        self,
        finished: list[asyncio.Task[tuple[PollResult, list[StagedArticle]]]],
        pending: set[asyncio.Task[tuple[PollResult, list[StagedArticle]]]],
        chosen: list[Source],
        by_name: dict[str, Source],
    ) -> list[tuple[PollResult, list[StagedArticle]]]:
        """(A cycle stopped.) The answers that came and are not in the cycle's hands yet:
        those arrived but not looked at, and those of sources an earlier cycle left out
        (`_carried`) that have answered since (each added to `chosen` and `by_name`). A
        fetch or a staging still under way is not among them: it is dropped."""
        done = [task for task in dict.fromkeys([*finished, *pending]) if task.done()]
        for task, source in list(self._carried.items()):
            if task.done():
                del self._carried[task]
                chosen.append(source)
                by_name[source.name] = source
                done.append(task)
        finished.clear()
        return [task.result() for task in done if not task.cancelled() and task.exception() is None]

    async def _store_before_stop(
        self,
        waiting: list[tuple[PollResult, list[StagedArticle]]],
        by_name: dict[str, Source],
        recorded: list[PollResult],
    ) -> None:
        """Write what came before a stop (`_store`), whatever goes wrong: a failure here
        never takes the stop's place."""
        if not waiting:
            return
        try:
            await self._store(waiting, by_name, recorded)
        except asyncio.CancelledError:  # stopped again: the write went on in its thread
            pass
        except Exception:
            log.exception("the answers that came before the stop could not be stored")

    async def _take_more(self, taken: set[str], began: datetime) -> tuple[list[Source], bool]:
        """The sources leased since this poll began and not `taken` (none where one writer
        polls all), with whether any was; of them, not those another poller polled since
        it began (a poller that finished its share of a refresh lets its sources go, and
        they were this round's already). Every one leased is added to `taken`."""
        if self.leased is not None and len(self.leased) >= sum(
            1 for s in self.config.sources if s.enabled
        ):
            return [], False
        leased = await self.lease(force=True)
        new = [
            s
            for s in self.config.sources
            if s.enabled and s.name in leased and s.name not in taken and s.name not in self._busy
        ]
        taken.update(s.name for s in new)
        more = [s for s in new if not _polled_since(self.health.get(s.name), began)]
        more = self._not_waited_for(more)
        self._busy.update(s.name for s in more)
        return more, bool(new)

    async def _store(
        self,
        waiting: list[tuple[PollResult, list[StagedArticle]]],
        by_name: dict[str, Source],
        recorded: list[PollResult],
    ) -> None:
        """Write what the given sources brought, record their health (each result is then
        added to `recorded`), and queue the full texts of their new articles. A source the
        config renamed while it was polled has its answer stored under its new name."""
        polled_as = [self._named_now(by_name[r.source], r, staged) for r, staged in waiting]
        batch = [item for _, staged in waiting for item in staged]
        if batch and self.on_staged is not None:
            try:
                self.on_staged([item.record for item in batch])
            except Exception:  # work done early: never the write's or the cycle's end
                log.exception("a hook on the articles about to be stored failed")
        held: set[str] | None = None  # the staged ids the store revised (None: not known)
        changes: list[ListingChange] = []  # what the feeds' listings left out and brought back
        # a shard found lost as this write loaded the store: what it stored is the lost
        # articles brought back (their alerts fired when they first came), not news
        refilled = False
        stopped = False  # the cycle was stopped while the write went on in its thread
        # (a page polled as a source whose text alone changed stages nothing: still written)
        pages = self._page_sources()
        try:
            if batch or any(result.source in pages and result.articles for result, _ in waiting):
                writing = asyncio.ensure_future(asyncio.to_thread(self._write, waiting))
                try:
                    new_ids, held, refilled = await asyncio.shield(writing)
                except asyncio.CancelledError:
                    # the write finishes in its thread whatever happens here: what it stored
                    # is told to the cycle's hooks (`take_cut_short`), then the stop goes on
                    stopped = True
                    new_ids, held, refilled = await writing
            else:
                new_ids, held = [], set()
        except StoreWriteError as exc:  # a full disk: keep polling, write again next time
            new_ids = exc.stored
            unstored = {item.record.source for item in batch}
            log.error("%s; the next poll of those sources tries again", exc)
            for result, staged in waiting:
                if result.source in unstored:
                    result.unstored = True
                    said = exc.share(item.record.id for item in staged)
                    result.status, result.error = "error", f"not stored: {said}"
        self._unchecked.difference_update(result.source for result, _ in waiting)
        fresh = set(new_ids)
        if held is None:  # a refused write: of the rest staged, those the store held before
            # (revisions tried, perhaps written in part: each is said, a story made again
            # costs little); a new article not stored is no revision ("30000 revised")
            rest = [i.record.id for i in batch if i.record.id not in fresh]
            try:
                held = {r.id for r in await asyncio.to_thread(self.store.records, rest)}
            except StoreError:  # (the database away: none is said)
                held = set()
        self._written += len(fresh) + sum(
            1 for i in batch if i.record.id not in fresh and i.record.id in held
        )
        for (result, staged), source in zip(waiting, polled_as, strict=True):
            result.new_ids = [a.id for a in result.articles if a.id in fresh]
            # revised: stored before with other words
            result.revised_ids = [
                i.record.id for i in staged if i.record.id not in fresh and i.record.id in held
            ]
            for ident in result.moved_ids:  # its new page is fetched, whatever the old gave
                self._pages_tried.discard(ident)
                self._pages_failed.pop(ident, None)
                self._pages_given_up.pop(ident, None)
            listed = None
            if result.status == "ok" and not result.unstored:
                listed = frozenset(a.id for a in result.articles)
                if result.cut_off or not listed:  # a document cut short, or a feed's empty
                    before = self.health.get(result.source)  # moment: what it listed stands
                    if before is not None:  # (else retention's drops come back as news)
                        joined = listed | before.listed
                        # a feed cut off at every poll would join every id it ever listed:
                        # past a bound (what it listed before, at least), what this answer
                        # listed (a cut falls past those)
                        most = max(LISTED_FEWEST, 2 * len(listed), len(before.listed))
                        if len(joined) <= most:
                            listed = joined
            had = self.health.get(result.source)
            if (
                listed is not None
                and not result.cut_off
                and had is not None
                and had.last_polled is not None  # (no listing of this address: a url changed)
                and self._places.get(source.name) == source.location  # (kept: `_record`)
            ):
                change = listing_change(result.source, had.listed, listed, result.articles)
                if change is not None:
                    changes.append(change)
            result.articles = []  # stored (or refused): the cycle holds no source's articles
            staged.clear()
            # unread past a day and past two of its own polls (a daily digest's every poll
            # is news): what it brings is a backlog, as a first poll's is
            unread_for = max(BACKLOG_AFTER, 2 * poll_interval(source, self.settings))
            result.first = result.status == "ok" and (
                refilled
                or had is None
                or had.last_ok is None
                or had.refilling
                or (self.clock() - had.last_ok).total_seconds() >= unread_for
            )
            if result.status == "ok" and had is not None and not result.unstored:
                had.refilling = False
            try:
                self._record(result, source, listed)
            except Exception:  # one source's bookkeeping never stops the cycle
                log.exception("%s: its health could not be recorded", result.source)
            recorded.append(result)
            if source.full_text and result.status != "error":
                self._queue_pages(source.name)
        if changes and not stopped:
            changed = set(await self._mark_pulled(changes))
            by_source = {change.source: change for change in changes}
            for result, _ in waiting if changed else ():  # rows its cycle draws again
                change = by_source.get(result.source)
                if change is not None:
                    result.pulled_ids = sorted(changed & (change.gone | change.back))
        if stopped:
            raise asyncio.CancelledError

    async def _mark_pulled(self, changes: list[ListingChange]) -> list[str]:
        """Mark the articles their feeds took down (`pulled_marks`), and take the mark off
        those listed again; returns the ids whose mark changed. A store that refuses is said;
        the next listing tries again only for what changes then (a mark is not worth holding
        a cycle for)."""
        wanted = [i for change in changes for i in (*change.gone, *change.back)]
        try:
            records = await asyncio.to_thread(self.store.records, wanted)
            marks = pulled_marks(changes, records, self.clock().timestamp())
            if marks:
                return await asyncio.to_thread(self.store.mark_pulled, marks)
        except StoreError as exc:
            log.error("articles pulled from their feeds not marked: %s", exc)
        return []

    def _named_now(self, source: Source, result: PollResult, staged: list[StagedArticle]) -> Source:
        """The source a poll's answer is stored and recorded under: the one polled, or the
        one it is now when the config renamed it while it was out (`_as_named_now`), whose
        name its result and articles then take. Stored under the old name, they kept it for
        good: the renamed source's stored articles had taken its name already."""
        now = self._as_named_now(source)
        if now is None:
            return source
        before, result.source = result.source, now.name
        _named(result.articles, now.name)
        for item in staged:
            item.record.source = item.doc["source"] = now.name
        if before in self._unchecked:
            self._unchecked.discard(before)
            self._unchecked.add(now.name)
        return now

    def _settle_store(self) -> list[str]:
        """(In a thread.) Finish loading a partly opened store, then the shards moved aside:
        one still loading may turn out unreadable."""
        if not self.store.complete:
            self.store.load_rest()
        return self.store.take_lost()

    @property
    def polling(self) -> bool:
        """Whether a cycle is under way (its end takes what was lost meanwhile itself)."""
        return bool(self._busy)

    async def recover_lost(self) -> bool:
        """Whether a shard was set aside since the last look: then every feed's validators
        and last listing are forgotten and saved at once, so the next poll brings the lost
        articles back even when this process stops before it (the lost shard was known only
        in memory: a poller stopped before its next poll left the feeds saying "not
        modified" and the lost articles "dropped by retention" for good)."""
        lost = await asyncio.to_thread(self.store.take_lost)
        if not lost:
            return False
        self._forget_validators(lost)
        try:
            await asyncio.to_thread(self._health_saver())
        except StoreWriteError as exc:
            note_unsaved("source health")
            log.error("%s; it is saved again after the next poll", exc)
        return True

    def held_back(self, days: int) -> set[str]:
        """The articles polls under a held clock (--now) stored less than `days` real days
        ago (retention keeps those, whatever day the held clock filed them under); the
        older ones are forgotten, to be dropped as their day is. A demo on a day past
        retention, then a poll on the real clock, dropped what the demo stored, and what
        its feed listed refused it for good as an old item retention had dropped. Under a
        held clock none is: its retention goes by its own days (a clock moved on from one
        `--now` to a later one drops what the earlier stored, as the real one would)."""
        cutoff = self._held_cutoff(days)
        kept: set[str] = set()
        for health in self.health.values():
            _forget_held(health, cutoff)
            kept.update(health.held)
        return set() if self.config.clock_held else kept

    def remember_dropped(self, dropped: dict[str, str]) -> list[str]:
        """Remember the articles retention dropped (id -> its source's name), each under
        its source, with the real day: a feed that lists one again is no news, whatever a
        listing between left out (what it listed last said so only until one short listing
        replaced it). The names of the sources whose health this changed: those this
        poller polls (of a database several pollers share, another's are the holder's to
        remember: `keep_dropped` notes them for it)."""
        changed: list[str] = []
        for name, ids in self._dropped_by_source(dropped).items():
            health = self.health.get(name)
            if health is None:  # (none polled it: nothing tells its items news either)
                continue
            if self._held_elsewhere(name):
                continue  # another poller's: its health is that one's to save
            health.dropped = {**health.dropped, **ids}
            _forget_dropped(health, self._dropped_cutoff())
            changed.append(name)
        return changed

    async def keep_dropped(self, dropped: dict[str, str]) -> None:
        """`remember_dropped`, then the health saved (the cycle saved it before retention);
        what it dropped of the sources other pollers hold is noted in the store, for each
        holder to take into the health it saves (`_take_dropped`): unnoted, a short listing
        of such a source and the next full one stored them again, new and unread."""
        changed = self.remember_dropped(dropped)
        theirs = {
            name: ids
            for name, ids in self._dropped_by_source(dropped).items()
            if self._held_elsewhere(name)
        }
        store = self.store
        if theirs and isinstance(store, DropNoter):
            try:
                await asyncio.to_thread(store.note_dropped, theirs, self._dropped_cutoff())
            except StoreError as exc:
                log.error("%s; what it dropped of other pollers' sources is news again", exc)
        if not changed:
            return
        try:
            await asyncio.to_thread(self._health_saver(changed))
        except StoreWriteError as exc:
            note_unsaved("source health")
            log.error("%s; it is saved again after the next poll", exc)

    def _dropped_by_source(self, dropped: dict[str, str]) -> dict[str, dict[str, str]]:
        """What retention dropped (id -> its source's name), by source, each id with the
        real day."""
        today = self._real_day()
        by_source: dict[str, dict[str, str]] = {}
        for ident, name in dropped.items():
            by_source.setdefault(name, {})[ident] = today
        return by_source

    def _held_elsewhere(self, name: str) -> bool:
        """Whether the source is not this poller's, of a database several pollers share
        (held by another, or by none until one takes it)."""
        shared = self.store.keeps_desk  # (a database several pollers may share)
        return shared and self.leased is not None and name not in self.leased

    async def _take_dropped(self, names: list[str]) -> None:
        """Before these sources are polled: take what other pollers' retention dropped of
        them (`keep_dropped`) into their health, saved at once, and only then forget the
        notes (a stop between takes them again, not loses them)."""
        store = self.store
        if not names or self.leased is None or not isinstance(store, DropNoter):
            return
        try:
            noted = await asyncio.to_thread(store.noted_dropped, names)
        except StoreError as exc:
            log.error("%s", exc)
            return
        taken: dict[str, dict[str, str]] = {}
        for name, ids in noted.items():
            health = self.health.get(name)
            if health is None:  # (its first poll makes its health: taken at the next one)
                continue
            kept = health.dropped
            health.dropped = {**kept, **{i: max(d, kept.get(i, d)) for i, d in ids.items()}}
            _forget_dropped(health, self._dropped_cutoff())
            taken[name] = ids
        if not taken:
            return
        try:
            await asyncio.to_thread(self._health_saver(list(taken)))
            await asyncio.to_thread(store.clear_dropped, taken)
        except StoreError as exc:  # (noted still: taken again before the next poll)
            if write_refused(exc):
                note_unsaved("source health")  # (a refresh exits 2 for it, as it says)
            log.error("%s", exc)

    def _real_day(self) -> str:
        """The UTC day it really is (under a clock held still, the real clock's)."""
        return day_key(self.real_clock() if self.config.clock_held else self.clock())

    def _dropped_cutoff(self) -> str:
        """The first real day whose drops (or listings since) of retention's dropped
        articles are remembered: DROPPED_DAYS ago."""
        now = self.real_clock() if self.config.clock_held else self.clock()
        try:
            return day_key(now - timedelta(days=DROPPED_DAYS))
        except OverflowError:  # before the year 1: every one is that recent
            return ""

    def _held_cutoff(self, days: int) -> str:
        """The first real day whose articles stored under a held clock retention keeps."""
        now = self.real_clock() if self.config.clock_held else self.clock()
        try:
            return day_key(now - timedelta(days=days))
        except OverflowError:  # before the year 1: every one is that recent
            return ""

    def _health_saver(self, polled: Iterable[str] | None = None) -> Callable[[], None]:
        """The health as it is now, to save in a thread (StoreWriteError when refused); once
        saved, the lost shards whose validators it forgot are no longer noted on disk for
        the next writer (`lost_recovered`): a process stopped before that save leaves them
        to it, not lost for good."""
        health, forgotten, store = dict(self.health), set(self._forgotten), self.store

        def save() -> None:
            self.healthbook.save(health, polled)
            if forgotten and isinstance(store, DayCounter):
                store.lost_recovered(forgotten)
                self._forgotten -= forgotten

        return save

    def _forget_validators(self, lost: list[str]) -> None:
        """After a shard's articles were lost (its file moved aside, missing or holding fewer
        than it did), ask every feed for everything on the next poll."""
        if lost:
            log.warning(
                "the articles of %s are lost: the next poll asks every feed for its full content",
                ", ".join(f"articles-{key}.json" for key in lost),
            )
            for health in self.health.values():
                health.etag = health.last_modified = None
                health.listed = frozenset()  # what they listed is lost, not dropped
                health.refilling = True  # what comes back of it is a backlog, not news
            self._forgotten.update(lost)

    def _write(
        self, waiting: list[tuple[PollResult, list[StagedArticle]]]
    ) -> tuple[list[str], set[str], bool]:
        """(In a thread.) Store what the sources brought: the new ids, those it revised (one
        it held back as the same item under its link is neither), and whether a shard was
        found lost as the store loaded (what it brought back is a backlog); those it moved
        to another link alone are each result's `moved_ids`. A source staged whole while the
        store was still loading (a `refresh` asks its feeds meanwhile) is first told from
        what it stores already: its known, unchanged articles are neither written nor said
        to be revised."""
        store = self.store
        if not store.complete:
            store.load_rest()
        # a shard found unreadable as the store loaded: what the feeds listed before may be
        # what it held, not retention's drops (the poll's end forgets their listings)
        listings_hold = not store.has_lost
        unchecked = frozenset(self._unchecked)  # (the event loop adds to it meanwhile)
        for result, staged in waiting:
            if staged and result.source in unchecked:
                cut = _cut_item(result)
                news: set[str] = set()
                renamed: dict[str, str] = {}  # an item told by its words (`_is_news`)
                for a in result.articles:
                    listed_as = a.id
                    if self._is_news(a, listed_as != cut, listings_hold):
                        news.add(a.id)
                        if a.id != listed_as:
                            renamed[listed_as] = a.id
                for item in staged:
                    told = renamed.get(item.record.id)
                    if told is not None:
                        item.record.id = item.doc["id"] = told
                        item.shares_link = True
                staged[:] = [item for item in staged if item.record.id in news]
        batch = [item for _, staged in waiting for item in staged]
        # what the store revised, not every staged id it holds: one held unchanged is neither
        # (a store that knows a source's newest at a glance stages the older ones a feed
        # lists again; they were counted revised)
        revised: set[str] = set()
        moved: set[str] = set()  # the same words at another link (`codec.moved`)
        try:
            new_ids = store.add_staged(batch, revised, moved)
        finally:
            if listings_hold and store.has_lost:  # (a shard found lost as it was written)
                self._lost_writing = True
        if moved:
            for result, staged in waiting:
                result.moved_ids = [item.record.id for item in staged if item.record.id in moved]
        written = {item.record.id for item in batch}
        texts = self._page_texts_changed([result for result, _ in waiting], written)
        if texts:
            try:
                store.set_texts(texts, self.clock())
            except StoreError as exc:  # (the articles are stored; their new texts wait)
                log.error("full texts of pages not stored: %s", exc)
        return new_ids, revised, not listings_hold

    def _page_sources(self) -> set[str]:
        """The names of the sources that are pages polled as sources (`kind = "page"`)."""
        return {source.name for source in self.config.sources if source.kind == "page"}

    def _page_texts_changed(
        self, results: list[PollResult], written: set[str]
    ) -> list[tuple[str, str]]:
        """(In a thread.) The texts of pages polled as sources (`kind = "page"`) that changed
        while their headline and first paragraph (the summary) did not: a live page's new
        entry further down is a new version of its full text (`set_texts` keeps the one
        before), not an article unchanged. A page that says the same but for the site's
        furniture kept its stored text as it was read (`parse_source`)."""
        pages = self._page_sources()
        changed: list[tuple[str, str]] = []
        for result in results:
            if result.source not in pages:
                continue
            for article in result.articles:
                if not article.text or article.id in written or not self.store.knows(article):
                    continue
                try:
                    stored = self.store.text(article.id)
                except StoreError as exc:
                    log.info("%s: its stored text could not be read: %s", result.source, exc)
                    continue
                if stored is not None and stored != article.text:
                    changed.append((article.id, article.text))
        return changed

    def _record(
        self, result: PollResult, source: Source, listed: frozenset[str] | None = None
    ) -> None:
        """Keep what a poll of `source` did in its health; `listed`: the ids of the articles
        its document listed, once they are stored. A source the config no longer names at
        this address (a reload renamed it, moved it, or swapped names, while it was polled)
        has no health to keep: made again under its old name it hid a later rename back to
        that name, and under a name now another address's it gave that one this one's
        validators and listing."""
        if self._places.get(source.name) != source.location:
            return
        now = self.clock()
        health = self.health.setdefault(source.name, SourceHealth(source.name, source.location))
        health.url = source.location
        health.last_polled = now
        health.http_status = result.http_status
        health.latency_ms = result.latency_ms
        interval = poll_interval(source, self.settings)
        health.retry_until = None  # (a server that asks to wait again says so again)
        if result.unstored:  # the source answered; the disk refused: its validators stay old
            health.status = "error"
            health.failures += 1  # (a failure in a row all the same: the status says error)
            health.last_error = result.error
            health.next_poll = later(now, min(interval, UNSTORED_RETRY))
            return
        if result.status == "error":
            health.status = "error"
            health.failures += 1
            health.last_error = result.error
            if passing(result.http_status):
                wait = backoff_delay(health.failures, self._rng)
            else:
                wait = refused_delay(health.failures, interval, self._rng)
            health.next_poll = later(now, max(wait, result.retry_after or 0.0))
            if result.retry_after and result.http_status in ASKED_TO_WAIT:
                health.retry_until = later(now, result.retry_after)
            if self.say_failures:
                # (marked: a command that lists the failures itself keeps them off its stderr)
                log.warning("%s: %s", source.name, result.error, extra={SOURCE_FAILED: True})
        else:
            health.status = result.status
            health.failures = 0  # healthy again: an error of before is not shown beside it
            health.last_error = None
            health.last_ok = now
            if result.status == "ok":
                if listed is not None:
                    health.listed = listed
                    relisted = listed & health.dropped.keys()
                    if relisted:  # listed still: remembered from today on
                        today = self._real_day()
                        health.dropped = {**health.dropped, **dict.fromkeys(relisted, today)}
                health.items = result.items
                health.warnings = result.warnings
                health.last_warning = "; ".join(result.warning_notes) or None
                if self.config.clock_held and result.new_ids:
                    # filed under the held clock's day, which is not when they were fetched
                    today = day_key(self.real_clock())
                    health.held = {**health.held, **dict.fromkeys(result.new_ids, today)}
            # (saved with the health: those retention no longer keeps are forgotten)
            _forget_held(health, self._held_cutoff(self.settings.retention_days))
            _forget_dropped(health, self._dropped_cutoff())
            read_in = source.charset or ""  # (the config this poll began with)
            if health.charset is not None and health.charset != read_in:
                # read in a charset the config has changed since (a reload during the poll):
                # its validators would keep the new charset from reading the feed whole
                health.etag = health.last_modified = None
            elif result.etag is not None or result.last_modified is not None or result.cut_off:
                health.etag, health.last_modified = result.etag, result.last_modified
            if result.permanent_url:
                self._moved(source, health, result.permanent_url)
            floor = shortest_interval(source.url or None)
            health.next_poll = later(now, jittered(interval, floor, self._rng))

    def _moved(self, source: Source, health: SourceHealth, to: str) -> None:
        """Remember where a source's feed moved for good (it is polled there from now on),
        said in the log once, as `sources` and `H` say it: the config's address is to be
        updated."""
        before = health.permanent_url
        health.permanent_url = to
        if before is None or without_credentials(before) != without_credentials(to):
            log.warning(
                "%s: its feed moved for good to %s; polled there from now on (update its url "
                "in the config)",
                source.name,
                shown_url(without_credentials(to)),
            )

    async def _poll_and_stage(self, source: Source) -> tuple[PollResult, list[StagedArticle]]:
        """Poll one source and make its articles ready to store while the others are still
        on the network, so the cycle's one write has only filing and writing left."""
        try:
            result = await self._poll_one(source)
        finally:
            words = self._words.pop(source.name, [])
        if not result.articles:
            return result, []
        if not self.store.complete:  # (it may be by the time they are staged: asked again)
            self._unchecked.add(result.source)
        staged = await asyncio.to_thread(
            self._stage_unknown, result.articles, words, _cut_item(result)
        )
        return result, staged

    def _is_news(self, article: Article, revising: bool = True, listings_hold: bool = True) -> bool:
        """Whether the store lacks the article, or holds it with another title or summary,
        or the same ones at another link (exact once the store is `complete`). One its
        source listed last time and the store lacks was dropped by retention, as is one
        retention is remembered to have dropped (`remember_dropped`): a feed that still
        lists it, or lists it again, gives no news. The store is asked whether it holds that
        one revised all the same: a database's `knows` is a glance at a source's newest
        articles, and an older one's new headline was lost.
        Not `revising` (the item a document's cut fell in may hold half its headline), a
        stored article is no news whatever it says. Not `listings_hold` (a shard was lost),
        what the source listed says nothing.

        An item of no guid alone at a link stored articles share, whose id (its link's) one
        of them holds with other words, is no revision of it: it is given the id of its
        words (`told_by_words`, as if its link were shared in its document) and is news
        unless one of them has its words. (A feed linking every item to its home page that
        lists one item at a time rewrote its first article into each new headline.)"""
        store = self.store
        if not store.knows(article):
            health = self.health.get(article.source)
            listed = listings_hold and health is not None and article.id in health.listed
            if not listed and not self._remembered_dropped(health, article.id):
                return True
        if not revising:
            return False
        if not store.revised(article):
            return store.moved(article)  # its page moved (`codec.moved`): taken, no revision
        if article.guid or article.shares_link or not store.link_shared(article):
            return True
        told_by_words(article)
        return not store.knows(article)

    def _remembered_dropped(self, health: SourceHealth | None, ident: str) -> bool:
        """Whether retention dropped this article of the source, within the bound it is
        remembered for (one past it is forgotten at the source's next record)."""
        day = health.dropped.get(ident) if health is not None else None
        return day is not None and day >= self._dropped_cutoff()

    def _stage_unknown(
        self,
        articles: list[Article],
        words: list[tuple[str, str]] | None = None,
        cut: str | None = None,
    ) -> list[StagedArticle]:
        """(In a thread: a database store's first question about a source is a query.) The
        articles not stored yet, or stored with another title or summary (but `cut`, the
        item a document's cut fell in), made ready to store; most of a changed feed is
        known, so only the rest is staged. `words`: the articles' words for the search
        index, by article, when the parser made them."""
        made = words if words and len(words) == len(articles) else None
        if self.store.complete:
            # (a shard found lost as the store loaded: what the feeds listed may be what it
            # held, as `_write` tells them; a load done before this source answered, and
            # its articles read as retention's drops, was "0 new" now and then)
            listings_hold = not self.store.has_lost
            kept = [
                number
                for number, article in enumerate(articles)
                if self._is_news(article, article.id != cut, listings_hold)
            ]
            if len(kept) < len(articles):
                articles = [articles[number] for number in kept]
                made = [made[number] for number in kept] if made is not None else None
        return stage(articles, made or ()) if articles else []

    def _wants_words(self, source: Source) -> bool:
        """Whether the parser is to make the articles' words for the search index: for a
        source never read before (all it gives is new; a first refresh's thousands of
        articles), when the store takes them. A known source's articles are mostly known,
        and the few new ones have their words made by the index itself."""
        if not self.store.indexes_words:
            return False
        health = self.health.get(source.name)
        return health is None or health.last_ok is None

    async def _poll_one(self, source: Source) -> PollResult:
        try:
            if source.path:
                return await asyncio.to_thread(self._poll_local, source)
            return await self._poll_remote(source)
        except Exception as exc:  # one source never stops the others
            log.exception("%s: unexpected failure", source.name)
            return PollResult(source.name, "error", error=f"{type(exc).__name__}: {exc}")

    def _poll_local(self, source: Source) -> PollResult:
        warned = ParsedFeed("", None, [])  # the warnings of every feed file, kind by kind
        try:
            articles = read_local(
                Path(source.path or ""),
                self._ids_as(source).name,
                source.tags,
                self.clock(),
                self.zone,
                warned,
                source.charset,
                self.settings.max_body,
            )
            _named(articles, source.name)
        except LocalSourceError as exc:
            return PollResult(source.name, "error", error=str(exc))
        return PollResult(
            source.name,
            "ok",
            articles=articles,
            warnings=warned.warnings,
            warning_notes=warned.warning_notes,
        )

    async def _limited_fetch(
        self,
        url: str,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> FetchResult:
        """Fetch under the global cap and the per-host caps: the slot of the URL's host, and
        of each host a redirect leads to (`HostSlots`); a source's fetch known to end at
        another host (its last one did) takes that host's slot too before its deadline
        runs. A caller that set `_asked` learns the last address asked."""
        host = host_key(url)
        lands = self._landed.get(url)
        client = await self.open_client()
        slots = HostSlots(self._host_slot, url)
        token = _slots.set(slots)
        try:
            async with self._global:
                await slots.take(sorted({host, lands} if lands else {host}))
                self._unsent = max(0, self._unsent - 1)
                if not self._unsent or self._global.locked():
                    self.sent.set()  # every slot busy: now only waiting on the network
                return await fetch(
                    client,
                    url,
                    deadline=self.settings.timeout,
                    max_body=self.settings.max_body,
                    etag=etag,
                    last_modified=last_modified,
                    accept=accept,
                )
        finally:
            slots.release()
            _slots.reset(token)
            asked = _asked.get()
            if asked is not None:  # a source's fetch: where it ended is remembered
                asked.append(slots.url)
                ended = host_key(slots.url)
                if ended and ended != host:
                    self._landed[url] = ended
                else:
                    self._landed.pop(url, None)

    def _host_slot(self, host: str) -> asyncio.Semaphore:
        """The per-host cap of `host` (`host_cap`)."""
        slot = self._hosts.get(host)
        if slot is None:
            slot = self._hosts[host] = asyncio.Semaphore(host_cap(host, self.settings))
        return slot

    async def _poll_remote(self, source: Source) -> PollResult:
        """Fetch and parse one source. A source waits for its fetch while the parser is
        UNPARSED_PER_SLOT bodies a request slot behind the network: the parser sets the pace
        then anyway, and a thousand feeds no longer queue their bodies for it (about 190 at
        once, 19 MB, in a cold refresh of 1,000 feeds)."""
        async with self._unparsed:
            return await self._fetch_and_parse(source)

    async def _fetch_and_parse(self, source: Source) -> PollResult:
        health = self.health.get(source.name)
        url = configured = source.url
        assert url is not None and configured is not None
        moved = health is not None and bool(health.permanent_url)
        if health is not None and health.permanent_url:  # kept without the password
            url = carry_credentials(without_credentials(health.permanent_url), url)
        same_url = health is not None and same_place(health.url, source.location)
        accept = FULL_TEXT_ACCEPT if source.kind == "page" else None
        asked: list[str] = []  # the last address each fetch asked (`_limited_fetch`)
        token = _asked.set(asked)
        try:
            try:
                result = await self._limited_fetch(
                    url,
                    etag=health.etag if same_url and health else None,
                    last_modified=health.last_modified if same_url and health else None,
                    accept=accept,
                )
            except FetchError as gone:
                if not moved or health is None or gone.http_status not in MOVED_AGAIN:
                    raise
                # the address it moved to is gone: the config's is asked again, and where it
                # leads now is learnt anew (a site that moved its feed once more); when that
                # fails too, the address it moved to stays, and its error is the one said
                log.info("%s: the address it moved to is gone; asking the config's", source.name)
                try:
                    result = await self._limited_fetch(configured, accept=accept)
                except FetchError:
                    del asked[1:]  # (its error is the first fetch's)
                    raise gone from None
                health.permanent_url = None  # (the answer's own, if any, is kept by _record)
        except FetchError as exc:
            return PollResult(
                source.name,
                "error",
                http_status=exc.http_status,
                error=said_at(str(exc), asked[-1] if asked else url, configured),
                retry_after=exc.retry_after,
                latency_ms=exc.latency_ms,
            )
        finally:
            _asked.reset(token)
        if result.not_modified:
            return PollResult(
                source.name,
                "not-modified",
                http_status=304,
                latency_ms=result.latency_ms,
                etag=result.etag,
                last_modified=result.last_modified,
                permanent_url=result.permanent_url,
            )
        try:
            parsed = await self._parse(source, result)
            _named(parsed.articles, source.name)
            if parsed.words:
                self._words[source.name] = parsed.words
        except (FeedError, ExtractError) as exc:
            return PollResult(
                source.name,
                "error",
                http_status=result.status,
                error=said_at(str(exc), result.url, configured),
                latency_ms=result.latency_ms,
            )
        whole = not any(note.startswith(CUT_OFF) for note in parsed.notes)
        cut_item = None if whole else parsed.cut_id  # the item the bytes stopped in, kept
        return PollResult(
            source.name,
            "ok",
            articles=parsed.articles,
            warnings=parsed.warnings,
            warning_notes=parsed.notes,
            http_status=result.status,
            latency_ms=result.latency_ms,
            etag=result.etag if whole else None,  # (`CUT_OFF`: the whole is asked again)
            last_modified=result.last_modified if whole else None,
            permanent_url=result.permanent_url,
            cut_off=not whole,
            cut_item=cut_item,
        )

    async def _parse(self, source: Source, result: FetchResult) -> ParsedSource:
        """Parse in the worker process when there is one, else in a thread. A `page`
        source's stored text goes with its page: the page read again and found the same
        keeps it (`parse_source`)."""
        ids_as = self._ids_as(source)
        previous = None
        if source.kind == "page":
            ident = page_article_id(ids_as.name, result.url)
            try:
                previous = await asyncio.to_thread(self.store.text, ident)
            except StoreError as exc:  # (the page is read as new: at worst a revision)
                log.info("%s: its stored text could not be read: %s", source.name, exc)
        args = (
            ids_as,
            result.body,
            result.headers,
            result.url,
            self.clock(),
            self.zone,
            self._wants_words(source),
            previous,
        )
        # In the worker an alarm stops a parse at PARSE_DEADLINE; waiting longer than that
        # (a queue of documents ahead of it, or a thread, which no alarm can stop) ends in
        # the same error, and the cycle goes on without it.
        try:
            if self.parse_pool is not None:
                try:
                    return await asyncio.wait_for(
                        self.parse_pool.run(parse_within, PARSE_DEADLINE, *args),
                        PARSE_DEADLINE * 4,
                    )
                except BrokenProcessPool as exc:  # the worker died: keep polling, in threads
                    log.error(
                        "the parser process stopped (%s); parsing in threads from now on", exc
                    )
                    self.parse_pool = None
            return await asyncio.wait_for(
                self._in_parse_threads(parse_within, PARSE_DEADLINE, *args), PARSE_DEADLINE * 2
            )
        except TimeoutError:
            raise ParseTimeout(f"parsing took longer than {PARSE_DEADLINE:g}s; skipped") from None

    def _queue_pages(self, source: str) -> None:
        """Fetch in the background the pages of the source's newest stored articles that have
        no full text yet (new ones, and ones whose fetch was dropped or failed in an earlier
        run), at most PAGES_PER_SOURCE a cycle, through PAGES_IN_FLIGHT slots and the per-host
        caps. A page tried once by this process is not tried again by it, unless the store
        refused its text (a full disk, a read-only file): then again once its retry is due;
        or its fetch or extraction failed: then again after its own wait (PAGE_RETRY)."""
        now = self.clock()
        due = self._texts_retry_at
        if self._pages_refused and (due is None or due <= now):
            self._pages_tried.difference_update(self._pages_refused)
            self._pages_refused.clear()
        if self._pages_due is not None and self._pages_due <= now:
            self._release_pages(now)
        wanted = self.store.wanting_text(source, PAGES_PER_SOURCE, self._pages_tried)
        if not wanted:
            return
        self._pages_tried.update(ident for ident, _ in wanted)
        task = asyncio.create_task(self._fetch_pages(wanted, self.charset_of(source)))
        self._page_tasks.add(task)
        task.add_done_callback(self._page_done)

    def _page_done(self, task: asyncio.Task[None]) -> None:
        self._page_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("full-text fetches failed: %r", task.exception())

    def charset_of(self, source: str) -> str | None:
        """The charset a source's config names (its pages are read in it), if any."""
        return next((s.charset for s in self.config.sources if s.name == source), None)

    async def _fetch_pages(self, wanted: list[tuple[str, str]], charset: str | None) -> None:
        texts: list[tuple[str, str]] = []

        async def one(ident: str, link: str) -> None:
            async with self._pages:
                # (the text it has: the page read again and found the same keeps it as it is;
                # one that cannot be read leaves the page read as new, at worst a revision)
                try:
                    previous = await asyncio.to_thread(self.store.text, ident)
                except StoreError as exc:
                    log.info("%s: its stored text could not be read: %s", ident, exc)
                    previous = None
                try:
                    text = await self.page_text(link, charset, previous)
                except (FetchError, ExtractError, ParseTimeout) as exc:
                    log.info("full text of %s: %s", link, exc)
                    self._page_failed(ident, exc)
                    return
            self._pages_failed.pop(ident, None)
            self._pages_given_up.pop(ident, None)
            if text:
                texts.append((ident, text))

        try:
            outcomes = await asyncio.gather(
                *(one(ident, link) for ident, link in wanted), return_exceptions=True
            )
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    log.error("a full-text fetch failed: %r", outcome)
        finally:  # what arrived is kept, also when the rest is dropped at shutdown
            if texts:
                try:
                    stored = asyncio.to_thread(self.store.set_texts, texts, self.clock())
                    await asyncio.shield(stored)
                except StoreError as exc:
                    self._texts_refused([ident for ident, _ in texts])
                    if write_refused(exc):
                        note_unsaved("full texts")
                    log.error("full texts not stored: %s", exc)
                else:  # the store takes texts: those it refused before are fetched again
                    self._texts_refusals, self._texts_retry_at = 0, None
            now = asyncio.get_running_loop().time()
            if self._sites_saved_at is None or now - self._sites_saved_at >= SITES_SAVE_EVERY:
                self._sites_saved_at = now
                await asyncio.shield(asyncio.to_thread(self.save_sites))

    def _release_pages(self, now: datetime) -> None:
        """Let the failed pages whose wait is over be tried again: a look through every one,
        only when one is due (each source's turn looked through them all, every cycle)."""
        soonest: datetime | None = None
        for ident, failures in self._pages_failed.items():
            retry_at = failures.retry_at
            if retry_at is None:
                continue
            if retry_at <= now:
                failures.retry_at = None  # one release a wait: not again while it is tried
                self._pages_tried.discard(ident)
            elif soonest is None or retry_at < soonest:
                soonest = retry_at
        self._pages_due = soonest

    def _page_failed(self, ident: str, exc: Exception) -> None:
        """Fetch a page that failed again after its wait, doubled for each failure in a row;
        or never, past PAGE_TRIES tries, or PAGE_GONE_TRIES answers that it is not there."""
        failures = self._pages_failed.setdefault(ident, PageFailures())
        failures.tries += 1
        failures.reason = str(exc)
        if isinstance(exc, FetchError) and exc.http_status in MOVED_AGAIN:
            failures.gone += 1
        if failures.tries >= PAGE_TRIES or failures.gone >= PAGE_GONE_TRIES:
            del self._pages_failed[ident]  # given up: it stays tried
            self._pages_given_up[ident] = failures.reason  # (said by the pane: bounded)
            self._pages_given_up.move_to_end(ident)
            while len(self._pages_given_up) > GIVEN_UP_KEPT:
                self._pages_given_up.popitem(last=False)
            return
        wait = min(PAGE_RETRY * 2 ** (failures.tries - 1), PAGE_RETRY_CAP)
        if isinstance(exc, FetchError) and exc.retry_after is not None:
            wait = max(wait, exc.retry_after)  # never before its server asked (Retry-After)
        failures.retry_at = retry_at = later(self.clock(), wait)
        if self._pages_due is None or retry_at < self._pages_due:
            self._pages_due = retry_at

    def page_failure(self, ident: str) -> tuple[str, datetime | None] | None:
        """Why the poller's last fetch of an article's page failed, and when it is tried
        again (None: no more tries); None when it did not fail. (Read from another thread:
        single dict reads.)"""
        failures = self._pages_failed.get(ident)
        if failures is not None and failures.reason:
            return failures.reason, failures.retry_at
        reason = self._pages_given_up.get(ident)
        return (reason, None) if reason is not None else None

    def _texts_refused(self, ids: list[str]) -> None:
        """Fetch the pages of texts the store refused again later, not at every poll while
        it goes on refusing (see UNSTORED_TEXTS_RETRY). Refusals before the retry is due
        wait for it with the others: many sources' texts refused in one poll are one
        refusal, not a wait doubled for each."""
        self._pages_refused.update(ids)
        now = self.clock()
        if self._texts_retry_at is not None and now < self._texts_retry_at:
            return
        self._texts_refusals += 1
        wait = UNSTORED_TEXTS_RETRY * 2 ** min(self._texts_refusals - 1, 16)
        self._texts_retry_at = later(now, min(wait, UNSTORED_TEXTS_RETRY_CAP))

    async def drain_pages(self, within: float) -> None:
        """Wait up to `within` seconds for the queued full-text fetches, then drop the rest
        (a one-shot refresh calls this before it exits)."""
        if self._page_tasks:
            await asyncio.wait(set(self._page_tasks), timeout=within)
        await self._cancel_pages()
        await asyncio.to_thread(self.save_sites)

    async def _cancel_pages(self) -> None:
        tasks = set(self._page_tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    async def full_text(
        self, url: str, charset: str | None = None, previous: str | None = None
    ) -> str | None:
        """Fetch one article page and extract its text; None when that fails."""
        try:
            return await self.page_text(url, charset, previous)
        except (FetchError, ExtractError) as exc:
            log.info("full text of %s: %s", url, exc)
            return None

    async def page_text(
        self, url: str, charset: str | None = None, previous: str | None = None
    ) -> str:
        """The text of one article page (`charset`, `previous`: see `_page_text`); FetchError
        ("HTTP 404 Not Found") or ExtractError says why there is none, for a reader who asked
        for it. A page that only redirects (a refresh, a script) is followed, and a script
        shell's or a short text's AMP or canonical copy read, as a browser's reader would
        see it: their notice ("You need to enable JavaScript") was stored as the article, in
        place of the summary, and never fetched again. Still only a notice: ShellPage."""
        now = self.clock()
        host = host_key(url)
        until = self._page_waits.get(host)
        if until is not None and until > now:  # (its server's Retry-After: not asked before)
            raise FetchError(
                "not asked again yet: its server asked to wait (Retry-After); it is tried"
                f" again after {until.astimezone(self.zone):%H:%M}",
                retry_after=(until - now).total_seconds(),
            )
        await self._load_sites()
        hops = MAX_REDIRECTS  # (a page's own redirects and copies count as redirects)
        tried: set[str] = set()
        kept: tuple[str, int] | None = None  # a short text, kept when its copies give no more
        shell: ShellPage | None = None  # the first page's notice, said when nothing is found
        failed = ""  # why the first lead of a shell gave nothing
        links = [url]
        while links:
            link = links.pop(0)
            if link in tried:
                continue
            if link != url:
                if hops <= 0:
                    break
                hops -= 1
            tried.add(link)
            try:
                result = await self._limited_fetch(link, accept=FULL_TEXT_ACCEPT)
                tried.add(result.url)
                hops -= len(result.history)
                text, leads, count = await self._in_parse_threads(
                    _page_text,
                    result.body,
                    result.headers.get("content-type"),
                    result.url,
                    charset,
                    previous,
                )
            except ShellPage as exc:
                shell = shell or exc
                links = [lead for lead in exc.leads if lead not in tried] + links
                continue
            except (FetchError, ExtractError) as exc:
                if link == url:
                    if isinstance(exc, FetchError):
                        self._page_fetch_failed(exc, host, now)
                    raise
                failed = failed or f"{shown_url(link)}: {exc}"
                continue
            if not leads and (kept is None or count > kept[1]):
                return text  # (a page's own article, or more than the short one before)
            if kept is None or count > kept[1]:
                kept = (text, count)
            links = [lead for lead in leads if lead not in tried] + links
        if kept is not None:
            return kept[0]
        if shell is not None and failed:
            raise ShellPage(f"{shell} ({failed})", shell.leads)
        raise shell or ExtractError("no article text found on the page")

    def _page_fetch_failed(self, exc: FetchError, host: str, now: datetime) -> None:
        """An article page's fetch failed: a 429's or 503's Retry-After holds back every page
        of its host until then, and the error says what to do (`page_advice`)."""
        until = None
        if exc.retry_after is not None and exc.http_status in (429, 503):
            until = later(self.clock(), exc.retry_after)
            self._page_waits = {h: t for h, t in self._page_waits.items() if t > now}
            self._page_waits[host] = until
            until = until.astimezone(self.zone)
        exc.args = (page_advice(exc, until),)  # (the same error: its status stays)

    async def _load_sites(self) -> None:
        """Take what earlier runs learnt of sites' furniture, once, before the first page."""
        if self._sites_loaded:
            return
        self._sites_loaded = True
        if self._sites_dir is not None:
            await asyncio.to_thread(SITES.load, self._sites_dir)
            self._sites_saved = SITES.changes

    def save_sites(self) -> None:
        """Keep what the pages taught of sites' furniture (`sitewide.FILE`), when they taught
        anything since (a derived file: a refused write is only said in the log)."""
        if self._sites_dir is None or SITES.changes == self._sites_saved:
            return
        self._sites_saved = SITES.changes
        if not SITES.save(self._sites_dir):
            log.info("%s not written", self._sites_dir / SITES_FILE)

    def reconfigure(self, config: Config) -> None:
        """Take a reloaded config between cycles (SIGHUP); health of kept sources stays. A
        changed timeout, User-Agent or concurrency takes a new client from the next request
        on (the one before is closed with the poller: a page may still be on its way)."""
        before = self.settings
        if (
            self._client is not None
            and self._own_client
            and (
                (before.timeout, before.user_agent, before.concurrency)
                != (
                    config.settings.timeout,
                    config.settings.user_agent,
                    config.settings.concurrency,
                )
            )
        ):
            self._retired.append(self._client)
            self._client = None
        self.config = config
        self.settings = config.settings
        self.zone = local_zone(self.settings.timezone)
        self._global = asyncio.Semaphore(self.settings.concurrency)
        self._unparsed = _unparsed_slots(self.settings)
        self._hosts.clear()
        self._take_sources(config)

    def _take_sources(self, config: Config) -> None:
        """Health for each source of the config: its own; else that of the source at its
        address the config no longer has (renamed, `_renamed`): one the config dropped, or
        whose name it now gives another address (a name given to another feed, two names
        swapped); else none yet. A source whose address changed keeps the name its ids are
        made under and what its feed listed (retention's drops are not news at the new
        address either); its validators go."""
        by_name = {source.name: source for source in config.sources}
        self._places = {name: source.location for name, source in by_name.items()}
        # what a renamed source may have been: health of a name the config dropped, or gives
        # another address (taken once: a rename takes it, and may give its name to another)
        unclaimed = {
            name: health
            for name, health in self.health.items()
            if name not in by_name or not same_place(health.url, by_name[name].location)
        }
        unsure: list[Source] = []
        for source in config.sources:
            current = self.health.get(source.name)
            if current is None or not same_place(current.url, source.location):
                unsure.append(source)
        found: dict[str, SourceHealth] = {}
        left = dict(unclaimed)
        at: dict[str, list[str]] = {}  # each address (as `same_place` tells them): its names
        for name, health in unclaimed.items():
            at.setdefault(redact(health.url), []).append(name)
        steps: dict[str, str] = {}  # the renames: each name before, the name now
        for source in unsure:
            renamed = self._renamed(source, left, at.get(redact(source.location), []))
            if renamed is not None:
                steps[renamed[0]], found[source.name] = source.name, renamed[1]
        self._rename_fetches_out(steps)
        claimed = unclaimed.keys() - left.keys()
        for source in unsure:
            taken = found.get(source.name)
            if taken is not None:
                self.health[source.name] = taken
                continue
            old = self.health.get(source.name)
            moved = old is not None and old is left.get(source.name)  # (not another's now)
            kept = old if moved else None  # its ids, listing and a rename not yet done
            self.health[source.name] = SourceHealth(
                name=source.name,
                url=source.location,
                known_as=kept.known_as if kept is not None else "",
                listed=kept.listed if kept is not None else frozenset(),
                dropped=kept.dropped if kept is not None else {},
                renamed_from=kept.renamed_from if kept is not None else "",
                tags=kept.tags if kept is not None else tuple(source.tags),  # (none stored)
            )
        for name in claimed:  # a name renamed that the config no longer gives any source
            if name not in by_name:
                self.health.pop(name, None)
        self._keep_to_intervals()
        self.renames = [
            (health.renamed_from, name)
            for name, health in self.health.items()
            if health.renamed_from and name in by_name
        ]
        self.retags = {}
        for source in config.sources:
            health = self.health[source.name]
            charset = source.charset or ""
            if health.charset is None and not charset:  # (recorded from now: none named)
                health.charset = charset
            elif health.charset != charset:  # named or changed (or named before it was
                # recorded: the validators of a feed read before the charset was named)
                health.charset, health.etag, health.last_modified = charset, None, None
                log.info("%s: its charset changed; its feed is read whole again", source.name)
            tags = tuple(source.tags)
            if health.tags is None:  # (recorded by a wirewatch before: taken as the config's)
                health.tags = tags
            elif health.tags != tags:
                self.retags[source.name] = (health.tags, tags)

    def _rename_fetches_out(self, steps: dict[str, str]) -> None:
        """Keep the names these renames (before -> now) give the sources whose fetch is out
        (`_renamed_out`, a rename of a rename followed to its end; one renamed back drops
        out): what such a fetch brings is stored under the name its source has now."""
        out = {before: steps.get(now, now) for before, now in self._renamed_out.items()}
        out.update(
            (before, now)
            for before, now in steps.items()
            if before in self._busy and before not in out
        )
        self._renamed_out = {before: now for before, now in out.items() if before != now}

    def _as_named_now(self, source: Source) -> Source | None:
        """The source as the config names it now, when a reload renamed it while it was
        polled (`_rename_fetches_out`), read in the charset it was read in; None when it was
        not renamed, or the config has no source at its address under that name."""
        name = self._renamed_out.pop(source.name, None)
        if name is None or self._places.get(source.name) == source.location:
            return None
        now = next((s for s in self.config.sources if s.name == name), None)
        if now is None or not same_place(source.location, now.location):
            return None
        return replace(now, charset=source.charset)

    def _renamed(
        self, source: Source, unclaimed: dict[str, SourceHealth], here: list[str]
    ) -> tuple[str, SourceHealth] | None:
        """The name and the health, under this source's name, of the one unclaimed source
        at its address (`_take_sources`; `here`: the names of those at its address). This
        one renamed: it takes that health (validators, what its feed listed) and the name
        its articles' ids are made under, so its items are the articles stored (a rename
        stored every item of the feed again, and fired their alerts again); None when there
        is none, or several that cannot be told apart."""
        gone = [unclaimed[name] for name in here if name != source.name and name in unclaimed]
        if not gone:
            return None
        # several (a name before the last, which a database keeps, or a source removed
        # earlier): the one polled last is what it was renamed from
        gone.sort(key=lambda h: h.last_polled or datetime.min.replace(tzinfo=UTC))
        if len(gone) > 1 and gone[-1].last_polled == gone[-2].last_polled:
            return None  # which one cannot be told
        before = gone[-1]
        del unclaimed[before.name]  # taken: one rename each
        log.info("%s: renamed from %s; its articles take the new name", source.name, before.name)
        return before.name, replace(
            before,
            name=source.name,
            known_as=before.known_as or before.name,
            renamed_from=before.renamed_from or before.name,  # (a rename not yet done)
        )

    def take_renames(self) -> list[tuple[str, str]]:
        """The renames whose articles are yet to take the new name, taken: each source's
        health says it done from now (a reload while the store renames, or another cycle,
        would otherwise do it again: two names swapped twice are back where they were);
        `renamed` says whether it was."""
        renames, self.renames = self.renames, []
        for _, new in renames:
            health = self.health.get(new)
            if health is not None:
                health.renamed_from = ""
        return renames

    def take_retags(self) -> dict[str, Retag]:
        """The sources whose stored articles are yet to take the tags the config gives them
        now, taken: each source's health says it done from now; `retagged` says whether it
        was."""
        retags, self.retags = self.retags, {}
        for name, (_, tags) in retags.items():
            health = self.health.get(name)
            if health is not None:
                health.tags = tags
        return retags

    def retagged(self, retags: dict[str, Retag], done: bool) -> None:
        """The articles of these sources took their new tags (`done`), or are yet to: then
        their health says the tags before again, for the next cycle or the next start."""
        if done:
            return
        for name, (before, tags) in retags.items():
            health = self.health.get(name)
            if health is not None and health.tags == tags:
                health.tags = before
                self.retags.setdefault(name, (before, tags))

    def renamed(self, renames: list[tuple[str, str]], done: bool) -> None:
        """The articles of these renames took their new names (`done`), or are yet to: then
        their sources' health says so again, for the next cycle or the next start."""
        if done:
            return
        for old, new in renames:
            health = self.health.get(new)
            if health is not None and not health.renamed_from:
                health.renamed_from = old
                self.renames.append((old, new))

    def _ids_as(self, source: Source) -> Source:
        """The source as its articles' ids are made: under the name it had when first
        polled, if it has been renamed since (`_renamed`)."""
        health = self.health.get(source.name)
        if health is None or not health.known_as or health.known_as == source.name:
            return source
        return replace(source, name=health.known_as)

    def _keep_to_intervals(self) -> None:
        """A healthy source's next poll no later than its interval, as configured now, after
        its last: a shortened interval holds at once, not once the old one has run out. A
        source backing off from failures keeps its wait."""
        for source in self.config.sources:
            health = self.health.get(source.name)
            if health is None or health.failures or health.last_polled is None:
                continue
            interval = poll_interval(source, self.settings)
            latest = later(health.last_polled, (1 + JITTER) * interval)
            if health.next_poll is not None and latest < health.next_poll:
                health.next_poll = latest
