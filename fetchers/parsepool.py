"""Parsing feeds and pages in a worker process, so a dashboard's event loop never waits for it.

Parsing 10,000 items is seconds of CPU. In a thread of the dashboard's process it holds the
GIL, and every time the event loop gives the GIL up (a socket read, a select) it waits to get
it back: stalls of a tenth of a second while a poll runs. One worker process parses instead;
bytes go in, articles come out.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import Any, TypeVar

from fetchers import indexedtext
from fetchers.charset import in_utf8
from fetchers.feeds import FeedError, page_published, parse_feed, to_articles
from fetchers.models import Article, Source, article_id
from fetchers.textlanguage import told_language

T = TypeVar("T")
OWNER_CHECK = 0.5  # seconds between a worker's looks at whether its pool's owner still lives


@dataclass(slots=True)
class ParsedSource:
    """What one fetched body gave: its articles, and the fields or items that could not be
    read (left out, each counted, with short plain notes for the source's health); when
    asked, each article's title and body as the search index holds them, made here (in
    the parser process: on its own core, and not in the interpreter the event loop shares)."""

    articles: list[Article]
    warnings: int = 0
    notes: list[str] = field(default_factory=list)
    words: list[tuple[str, str]] = field(default_factory=list)  # by article, when asked
    # the article whose item a cut-off document's bytes stopped in (`ParsedFeed.cut_guid`)
    cut_id: str | None = None


def _with_words(parsed: ParsedSource) -> ParsedSource:
    """`parsed` with its articles' words for the search index (`indexed_words`)."""
    make = indexedtext.indexed_words
    parsed.words = [make(a.title, a.summary, a.text or None) for a in parsed.articles]
    return parsed


def page_article_id(source: str, url: str) -> str:
    """The id of the article a `page` source's page at `url` (the address it was read
    from) gives: known before the page is parsed, so its stored text can go with it."""
    return article_id(source, None, url, "", "")


def parse_source(
    source: Source,
    body: bytes,
    headers: dict[str, str],
    url: str,
    fetched: datetime,
    zone: tzinfo,
    words: bool = False,
    previous: str | None = None,
) -> ParsedSource:
    """The articles in one fetched body: a feed, or for a `page` source the page's article;
    with `words`, their words for the search index too. Raises FeedError or ExtractError.

    `previous`: for a `page` source, the text stored of its article, kept (with the summary
    it gives) when the page says the same but for blocks learnt as the site's furniture
    (`extract_article`). It is compared here, where the page is extracted: the furniture
    is what this process learnt from the pages it read (a parser process learns from its
    own, and its owner knows none of it)."""
    if source.kind == "page":
        from fetchers.extract import extract_article  # only a page source needs the extractors

        if source.charset is not None:
            body = in_utf8(body, source.charset)
        page = extract_article(body, headers.get("content-type"), url, previous)
        summary = page.text.split("\n\n", 1)[0]
        # (a page dated ahead, as a feed's item: a 2099 would top every list for good)
        published, dated = page_published(page.published, fetched)
        article = Article(
            id=page_article_id(source.name, url),
            source=source.name,
            title=page.title or url,
            link=url,
            fetched=fetched,
            summary=summary,
            text=page.text,
            tags=list(source.tags),
            # (declared by the page, else told by its words, as a feed's item is)
            lang=page.lang or told_language(page.title or "", summary),
            author=page.byline,
            published=published,
        )
        parsed = ParsedSource([article], dated.warnings, dated.warning_notes)
    else:
        feed = parse_feed(body, headers, url, source.charset)
        articles = to_articles(feed, source.name, source.tags, fetched, zone)
        parsed = ParsedSource(articles, feed.warnings, feed.warning_notes)
        if feed.cut_guid is not None:
            parsed.cut_id = next((a.id for a in articles if a.guid == feed.cut_guid), None)
    return _with_words(parsed) if words else parsed


class ParseTimeout(FeedError):
    """A document that took longer than its deadline to parse (a hostile or pathological
    one): the source is in error for this poll, and the other sources go on."""


def parse_within(deadline: float, *args: Any) -> ParsedSource:
    """`parse_source(*args)`, stopped after `deadline` seconds with ParseTimeout.

    The stop is an alarm signal, so it works in the main thread of a process: the parser
    worker's. In any other thread the parse runs unbounded (the caller stops waiting)."""
    if threading.current_thread() is not threading.main_thread():
        return parse_source(*args)

    def expire(signum: int, frame: object) -> None:
        raise ParseTimeout(f"parsing took longer than {deadline:g}s; skipped")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, deadline)
    try:
        return parse_source(*args)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def start_server() -> None:
    """Start the fork server. Call it from the main thread before any UI takes the terminal
    over (started later from a worker thread under Textual, it fails to pass its socket)."""
    multiprocessing.set_forkserver_preload(["fetchers.parsepool", "fetchers.extract"])
    from multiprocessing import forkserver

    forkserver.ensure_running()


def _worker_start(owner: int) -> None:
    """(In a worker, at its start.) Ignore Ctrl-C, which the terminal sends the whole
    process group: the owner stops its workers (a worker that took it printed a
    KeyboardInterrupt traceback over the owner's goodbye); and leave with the owner."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _exit_with_owner(owner)


def _exit_with_owner(owner: int) -> None:
    """(In a worker, at its start.) Leave once the process that owns the pool is gone, even
    when it was killed outright: an orphan would wait for work forever, holding what it
    inherited (a forked `refresh` worker: the store's writer lock; a fork server's worker: the
    pipe whose end tells the fork server to stop)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent and _alive(owner):
            time.sleep(OWNER_CHECK)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-owner", daemon=True).start()


def _alive(pid: int) -> bool:
    """True while `pid` runs (a process that died and awaits reaping counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            return handle.read().rpartition(b")")[2].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def spare_cores() -> int:
    """Cores this process may run on beyond the one it is using."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    return max(0, cores - 1)


class ParsePool:
    """Worker processes that parse. The dashboard's are started by the fork server (its
    process runs threads by then); a one-shot `refresh` forks its own while it still has one
    thread, so they start with everything imported and cost no start-up."""

    def __init__(self, workers: int | None = None, start_method: str = "forkserver") -> None:
        context = multiprocessing.get_context(start_method)
        count = workers or max(1, min(2, spare_cores()))
        self._executor = ProcessPoolExecutor(
            max_workers=count,
            mp_context=context,
            initializer=_worker_start,
            initargs=(os.getpid(),),
        )

    def warm(self) -> None:
        """Start the worker now (blocking; call from a thread) rather than on first use."""
        self._executor.submit(os.getpid).result()

    async def run(self, function: Callable[..., T], *args: object) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, function, *args)

    def close(self, wait: bool = False) -> None:
        """Stop the workers; `wait` also reaps them (their CPU time then counts as ours)."""
        self._executor.shutdown(wait=wait, cancel_futures=True)
