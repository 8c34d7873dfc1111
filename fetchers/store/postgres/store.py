"""`PostgresStore`: the articles, their marks, full texts and revisions in a PostgreSQL
database, behind the same `ArticleStore` interface as the TinyDB store.

Nothing is held in memory but what a call returns: a query reads the rows it needs, newest
first, in batches (`BATCH`), and stops at its limit. Words are found by PostgreSQL's
full-text search (the `words` tsvector and its GIN index), relevance is `ts_rank`. One
or more processes are writers, the pollers: each holds an advisory lock (shared) on a
connection of its own for its life (the server lets go of it however the process ends),
shows it is at work in the `pollers` table and polls the sources leased to it (`leases`);
their writes go on side by side, each in a transaction of its own. Viewers read, mark and see
what they wrote: each look remembers the transactions it saw committed (a snapshot), and the
next asks for the rows of those it did not (`stored_since`), whatever order they committed in.
"""

from __future__ import annotations

import contextlib
import functools
import getpass
import math
import os
import secrets
import select
import socket
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Generator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, TypeVar

from fetchers import liveness
from fetchers.foreground import check_superseded
from fetchers.models import (
    Article,
    Retag,
    SourceHealth,
    comparable,
    from_utc_iso,
    kept_revisions,
    retagged,
    seconds_iso,
    utc_iso,
)
from fetchers.query import Query, Record, Verdicts, name_key
from fetchers.store.codec import (
    StagedArticle,
    _iso_to_seconds,
    article_of,
    day_key,
    distinct_revisions,
    merged_history,
    moved,
    revised_contents,
    revision_entries,
    stage,
)
from fetchers.store.errors import (
    MarksNotSaved,
    StoreError,
    StoreLocked,
    StoreWriteError,
    Unreachable,
)
from fetchers.store.postgres import schema
from fetchers.store.postgres.connect import (
    CONNECT_TIMEOUT,
    Logins,
    connect,
    driver,
    hide_password,
    logged_in,
    shown,
)
from fetchers.store.postgres.known import PER_SOURCE, KnownArticles, digest
from fetchers.store.postgres.sql import OUTLETS_SQL, Plan, plan
from fetchers.store.postgres.words import (
    LONGEST_TEXT,
    LONGEST_WORD,
    PAIRS_TEXT,
    WORDS_SQL,
    article_words,
    pairs,
    places_exact,
    prefix_query,
)
from fetchers.store.search import TITLE_TIER
from fetchers.store.shards import shard_rank
from fetchers.store.texts import MAX_TEXT_REVISIONS

CHANNEL = "wirewatch_articles"  # NOTIFY: new articles were stored
BATCH = 200  # rows read at a time by a query that tests rows in Python
ABSENT_MOST = 100_000  # ids kept that the database holds none of (`PostgresStore.revised`)
ABSENT_FOR = 600.0  # seconds such an answer stands
PAGE = 20  # the fewest rows a query with a limit reads at first; each next page 4x more
MAX_PAGE = 5000
WALK = 1000  # rows of the date order a word query walks before it may turn to the words index
LIST_WINDOW = 10_000  # the most articles (or stories) a dashboard lists
STORY_PAGE = 1000  # saved stories whose articles a story filter tests at a time, newest first
# a story filter the words index narrows to at most this many articles (as the planner
# guesses) sorts them by their stories; one with more walks the stories a page at a time
STORY_CANDIDATES = 100_000
STORY_WALK = 30_000  # the newest stories a filter guessed to match many looks through first
POOL_SIZE = 4  # connections: poll threads write while query threads read
# How long a thread waits for one of the pool's connections while they are busy (a long
# write, a backfill batch), a second at a time. Once the pool's last try to connect failed
# (the server away, a password refused) it waits for none: it takes one the pool holds
# ready, else makes one itself, at most once every RETRY_AFTER seconds (between its tries a
# call fails at once, saying why the last one failed); after a refused login, every try
# of the store's waits as `connect.Logins` says
POOL_WAIT = 30.0
WAIT_SLICE = 1.0
RETRY_AFTER = 1.0
READY_ONLY = 0.001  # (a wait for a connection the pool holds ready, and no other)
# The pool tries to connect again 1 s, then 2 s after a failure, and gives up after this
# many seconds until a connection is asked for again (its default went on to try 64 s and
# 128 s apart, and a store stayed away that long after its server came back)
RECONNECT_FOR = 4.0
LEASE_TTL = 30.0  # seconds a source's lease lasts unless renewed (until the first `lease`)
Version = tuple[int, int, int]
T = TypeVar("T")
Mark = str  # a look's snapshot (`pg_snapshot` as text): the transactions it saw committed
# The ids of the rows committed since a look (its Mark), in the order they were stored, and
# the snapshot of this look, in one statement (one snapshot). A row whose transaction was
# still open at the last look is one of them however long ago it was numbered; rows stored
# before the database kept their transaction (NULL) every look saw, and a row numbered
# beyond what this server has begun came from another's dump (`forget_foreign_arrivals`).
_STORED_SINCE = (
    "SELECT pg_current_snapshot()::text, ARRAY(SELECT id FROM articles"
    " WHERE arrived >= pg_snapshot_xmin(%s::pg_snapshot)"
    " AND arrived < pg_snapshot_xmax(pg_current_snapshot())"
    " AND NOT pg_visible_in_snapshot(arrived, %s::pg_snapshot) ORDER BY seq)"
)

_COLUMNS = (
    "a.id, a.source, a.title, a.summary, a.link, a.published, a.fetched, a.tags, a.lang,"
    " a.author, a.guid, a.listed, a.revised, a.day, a.at, a.seq,"
    " r.id IS NOT NULL, coalesce(m.starred, false), a.pulled"
)
_TEXT_AT = 19  # a row of `_COLUMNS` with the text after it: where the text is
# stars are the desk's; read marks this reader's (each connection names its reader)
_FROM = (
    "articles a LEFT JOIN marks m ON m.id = a.id LEFT JOIN reads r ON r.id = a.id"
    f" AND r.reader = current_setting('{schema.READER}')"
)
# The date order, as a data dir's store lists (`fetchers.store.indexes.date_order`): newest
# first; equal times by the day they were fetched (a data dir's shards are days, the older
# first), then in the order they were stored. By `seq` alone, an article fetched on an
# earlier day but stored later (copied by `migrate`, written by another poller) came after
# one it comes before there, and `list --limit 1` of the same articles showed another one.
_ORDER = "a.at DESC, a.day, a.seq"
# The server compiles a plan it costs above `jit_above_cost` (a word's matches among a
# million articles) with LLVM: loading LLVM took each connection 30-40 ms the first time
# (a dashboard's first word filter), compiling a word's whole list 120 ms, more than the
# compiled expressions then save; a connection of the store plans without it
_NO_JIT = "set_config('jit', 'off', false)"
# the rows after the row (at, day, seq) in _ORDER; up to it, that one included
_AFTER = " a.at <= %s AND (a.at < %s OR (a.day, a.seq) > (%s, %s))"
_UPTO = " a.at >= %s AND (a.at > %s OR (a.day, a.seq) <= (%s, %s))"
# the (at, day, seq) of the row that ends a window of rows in the date order, after a row
# or not
_WINDOW_END = (
    "SELECT a.at, a.day, a.seq FROM articles a{after} ORDER BY " + _ORDER + " OFFSET %s LIMIT 1"
)
_intern = sys.intern

# The rows come in the order of their ids (`_columns`) and are inserted in it: two writes
# holding some of the same articles (a source polled by two pollers as its lease passes from
# one to the other) each wait for the other's rows in the same order, so neither ever waits
# for the other in turn (a deadlock, which would cost one its write). They are numbered (seq)
# in the order the batch gives them (`place`): the write takes as many numbers as it has rows,
# ascending, and gives a row the one of its place.
_INSERT = f"""
INSERT INTO articles (seq, id, source, source_key, title, summary, link, published, fetched,
    tags, tag_keys, lang, lang_key, author, guid, listed, revised, day, at, text, revisions,
    words, places_exact, pairs, pairs_too_long)
SELECT (SELECT array_agg(v ORDER BY v) FROM (SELECT nextval('articles_seq_seq'::regclass) AS v
        FROM generate_series(1, %b::integer)) AS numbers)[r.place],
    r.id, r.source, r.source_key, r.title, r.summary, r.link, r.published, r.fetched,
    ARRAY(SELECT jsonb_array_elements_text(r.tags)),
    ARRAY(SELECT jsonb_array_elements_text(r.tag_keys)),
    r.lang, r.lang_key, r.author, r.guid, r.listed,
    r.revised, r.day, r.at, r.text, r.revisions,
    {WORDS_SQL.format("r.w_title", "r.w_summary", "r.w_text")}, r.places_exact,
    r.pairs::tsvector, r.pairs IS NULL
FROM unnest(%b::text[], %b::text[], %b::text[], %b::text[], %b::text[], %b::float8[],
    %b::text[], %b::jsonb[], %b::text[], %b::text[], %b::text[], %b::float8[], %b::text[],
    %b::text[], %b::float8[], %b::text[], %b::jsonb[], %b::text[], %b::text[], %b::text[],
    %b::text[], %b::jsonb[], %b::text[], %b::boolean[], %b::text[], %b::integer[])
    WITH ORDINALITY AS r(id, source, title, summary, link, published, fetched, tags, lang,
    author, guid, listed, revised, day, at, text, revisions, w_title, w_summary, w_text,
    source_key, tag_keys, lang_key, places_exact, pairs, place, n)
ORDER BY r.n
ON CONFLICT DO NOTHING
RETURNING id
"""

# the end of an UPDATE of an article that gives it new words, says whether their places
# are exact and gives its pairs: the three parts of its words, those two, whether it is too
# long for pairs, then its id
_NEW_WORDS = (
    f"words = {WORDS_SQL.format('%s', '%s', '%s')}, places_exact = %s,"
    " pairs = %s::tsvector, pairs_too_long = %s WHERE id = %s"
)


def _new_words(title: str, summary: str, text: str | None, ident: str) -> list[Any]:
    """The parameters of `_NEW_WORDS` for an article as it will be."""
    words = article_words(title, summary, text)
    length = len(text or "")
    kept = pairs(words, length)
    return [*words, places_exact(words, length), kept, kept is None, ident]


# The rows a wirewatch before pairs stored, still to be given them (`PostgresStore.backfill`):
# a few at a time, newest first (the most read; the oldest are retention's next), below the
# last one given them (by the index of such rows), each locked for the transaction that
# gives them, passing over those another transaction holds (a poller filling beside this
# one, a full text being attached: either gives the row its pairs; retention deletes it). A
# text too long for pairs is not read: the row is only marked.
_WITHOUT_PAIRS = f"""
SELECT id, title, summary, CASE WHEN length(text) > {PAIRS_TEXT} THEN NULL ELSE text END,
    coalesce(length(text), 0), seq
FROM articles WHERE pairs IS NULL AND NOT pairs_too_long AND seq < %s
ORDER BY seq DESC LIMIT %s FOR UPDATE SKIP LOCKED
"""
_ABOVE_ALL = 2**63 - 1  # a seq above every row's (a bigint's largest)
# the words, exact places and pairs of those rows, as `_INSERT` writes them
_FILL_PAIRS = f"""
UPDATE articles a SET words = {WORDS_SQL.format("r.w_title", "r.w_summary", "r.w_text")},
    places_exact = r.places_exact, pairs = r.pairs::tsvector, pairs_too_long = r.pairs IS NULL
FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::boolean[], %s::text[])
    AS r(id, w_title, w_summary, w_text, places_exact, pairs)
WHERE a.id = r.id
"""
# rows too long for pairs: given their words (of their text as far as it is indexed), a few
# at a time (each may be 400,000 characters)
_LONG_ROWS = f"""
SELECT id, title, summary, left(text, {LONGEST_TEXT}), length(text)
FROM articles WHERE id = ANY(%s)
"""
LONG_ROWS_AT_ONCE = 20
BACKFILL_ROWS = 500  # rows given their pairs in one transaction
BACKFILL_TIMEOUT_MS = 60_000  # the longest a statement of a backfill batch may take


_IDLE = 0  # psycopg.pq.TransactionStatus.IDLE: a connection between statements
Note = Callable[[str, str], None]  # (what is odd, the article's id): a row read as it could be


def record_of_row(row: tuple[Any, ...], odd: Note | None = None) -> Record:
    """A record from a row of `_COLUMNS` (the marks included). Tags written by hand as NULL
    (or holding one) are read without it, and `odd` is told."""
    (ident, source, title, summary, link, published, fetched, tags, lang, author, guid,
     listed, revised, day, at, seq, read, starred, pulled) = row[:_TEXT_AT]  # fmt: skip
    try:
        kept = tuple(map(_intern, tags))
    except TypeError:  # not a list of strings: NULL, or a NULL in it
        kept = tuple(_intern(t) for t in tags or () if isinstance(t, str))
        if odd is not None:
            odd("its tags hold a NULL; read without it", ident)
    record = Record(
        ident,
        _intern(source),
        title,
        summary,
        link,
        published,
        fetched,
        kept,
        _intern(lang) if lang else None,
        author,
        guid,
        None,
        read,
        starred,
        listed,
    )
    record.revised = _iso_to_seconds(revised)
    record.pulled = pulled
    record.shard, record.at = day, at
    record.rank, record.place = _day_rank(day), seq  # its seq: the day's rank, then its number
    return record


@functools.lru_cache(maxsize=1024)
def _day_rank(day: str) -> int:
    """A day's rank as a data dir ranks its day's shard (`shard_rank`), so that two records
    compare by (-at, seq) as `_ORDER` lists them (a dashboard tells so whether an article
    lies beyond its page): a day's rank is a million times its date's digits, its records'
    seq that times SEQ_SPAN plus their number, which would reach the next day's at 10^13
    rows. A day that is no date (a row written by hand) ranks 0."""
    try:
        return shard_rank(day)
    except ValueError:
        return 0


def entries(value: Any, ident: str, what: str, odd: Note | None) -> list[dict[str, Any]]:
    """The entries of a revisions column (a JSON list of objects): a value written by hand
    that is no list, or an entry that is no object, is left out and `odd` told."""
    if isinstance(value, list) and all(isinstance(entry, dict) for entry in value):
        return value
    if odd is not None:
        odd(f"its {what} are not a list of revisions; read without what is not", ident)
    return revision_entries(value)


def login_name() -> str:
    """The reader a config names none for: the login name."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name to be had (a container without one)
        return "reader"


def _handing_over(
    first: Any, tried: Callable[[BaseException | None], None], logins: Logins
) -> type[Any]:
    """A connection class for the pool whose first connection is `first` (already open:
    a store that opened one to check the schema does not open a second for its reads).
    `tried` is told how each of the pool's tries to connect went: its error, or None; a try
    made while `logins` says to wait fails at once, without asking the server."""
    from psycopg import Connection

    waiting = [first]

    class HandingOver(Connection[Any]):
        @classmethod
        def connect(cls, conninfo: str = "", **kwargs: Any) -> Any:
            with contextlib.suppress(IndexError):
                return waiting.pop()
            try:
                connection = logged_in(logins, lambda: Connection.connect(conninfo, **kwargs))
            except Exception as exc:
                tried(exc)
                raise
            tried(None)
            return connection

    return HandingOver


def _readable(connection: Any) -> bool:
    """Whether the connection's socket has something to read now (True where that cannot
    be told: a system without poll())."""
    try:
        poller = select.poll()
    except AttributeError:
        return True
    poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
    return bool(poller.poll(0))


def _check(connection: Any) -> None:
    """(The pool, before it hands a connection out.) Raise when the server has ended the
    connection (a restart, a backend terminated): it then sent its last words, and the
    socket has something to read, which an idle connection otherwise never has; only then is
    the connection asked (a round trip), so a working one costs none."""
    from psycopg_pool import ConnectionPool

    if connection.closed:
        raise driver().OperationalError("the connection is closed")
    if _readable(connection):
        ConnectionPool.check_connection(connection)


def _jsonb(value: Any) -> Any:
    from psycopg.types.json import Jsonb

    return Jsonb(value)


def _in_title(query: str) -> str:
    """A words query (`prefix_query`: lexemes joined by "&", the last a prefix) held by a
    title as the phrase it is: the lexemes one after the other, each marked with the
    title's weight, A (as the data dir's index asks a title for the phrase: a title holding
    its words apart was ranked above one holding the phrase). A lexeme too long for a
    tsvector is left out of it but counts its place in a phrase: its words are then asked
    for anywhere in the title."""
    terms = query.split(" & ")
    joint = " & " if any(len(t.encode()) >= LONGEST_WORD for t in terms) else " <-> "
    return joint.join(f"{t[:-2]}:*A" if t.endswith(":*") else f"{t}:A" for t in terms)


class PostgresStore:
    """Articles, marks, full texts and revisions in one PostgreSQL database (an
    `ArticleStore`). `writer=True` takes the writer lock: beside the other pollers with
    `share=True` (each then polls the sources leased to it, see `lease`), else only when no
    process on any host polls (StoreLocked)."""

    def __init__(
        self, dsn: str, writer: bool = False, share: bool = False, reader: str | None = None
    ) -> None:
        driver()
        self.dsn = dsn
        self.reader = reader or login_name()  # whose read marks this store reads and sets
        self._share = share  # a poller beside others, each polling the sources leased to it
        self._poller_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"
        self._lease_ttl = LEASE_TTL
        self._health: dict[str, SourceHealth] = {}  # as last read, and when it was saved
        self._health_version: tuple[Any, Any] | None = None
        self.problems: list[str] = []
        self.unreadable: list[str] = []  # (no part of a database is unreadable alone)
        self.unreachable: Unreachable | None = None  # (`_errors` keeps it)
        # marks set while the server was out of reach, by id ({"read"/"starred": bool}),
        # written with the next change of a mark (`set_state`)
        self._held_marks: dict[str, dict[str, bool]] = {}
        self._marks_guard = threading.Lock()
        self._odd_seen: set[str] = set()  # what was odd in rows read (said once each)
        self._stories_taken = False  # this poller groups the stories (`takes_stories`)
        self._lock_connection: Any = None  # the writer's: holds the advisory lock
        self._closed = False
        self._writer_guard = threading.Lock()
        self._write_order = threading.Lock()  # this process's writes, one at a time (other
        # processes write beside them)
        self._known = KnownArticles()  # the writer's: what is stored, for `knows`
        # ids `revised` found none of, oldest first, with when (another poller may store
        # one: forgotten after ABSENT_FOR); the poller's staging threads ask at once
        self._absent: OrderedDict[str, float] = OrderedDict()
        self._absent_guard = threading.Lock()
        # the writer's revised articles whose full text came before the revision: their page
        # is fetched once more, once (`wanting_text`), as the data dir's store does
        self._stale_texts: set[str] = set()
        self._filled_down_to = _ABOVE_ALL  # the seq of the last row `backfill` took
        self._listen_guard = threading.Lock()
        self._listener: Any = None  # a viewer's connection that LISTENs for the writer
        self._gone = 0  # articles the last reload heard retention removed (`gone_at_reload`)
        self._revised = 0  # headlines the last reload heard were rewritten (`revised_at_reload`)
        # every try to log in, by any connection of the store: a refused one waits (`Logins`)
        self._logins = Logins()
        # why this store refuses the database: a newer wirewatch upgraded it while this one
        # ran (`_check_version`); every call after raises it
        self._refused: str | None = None
        first = connect(dsn, logins=self._logins)
        try:
            with self._errors("cannot prepare the database"):
                self._seen = self._prepare(first)
            first.autocommit = False  # as the pool's connections are
        except BaseException:
            first.close()
            raise
        from psycopg_pool import ConnectionPool

        self._handed = first  # the pool's first connection: named and checked already
        # when and why the last try to connect failed, until one succeeds or a connection
        # is had (`_connection`): the reason a call that had none gives (`_errors`)
        self._connect_failed: tuple[float, str] | None = None
        self._pool = ConnectionPool(
            dsn,
            connection_class=_handing_over(first, self._tried_to_connect, self._logins),
            min_size=1,
            max_size=POOL_SIZE,
            kwargs={"connect_timeout": CONNECT_TIMEOUT},
            configure=self._configure,
            check=_check,
            timeout=POOL_WAIT,
            reconnect_timeout=RECONNECT_FOR,
            open=False,
            name="wirewatch",
        )
        try:
            with self._errors("cannot open connections"):
                self._pool.open(wait=True, timeout=15)
        except BaseException:
            self._pool.close()  # its threads would go on trying to connect
            if self._handed is not None:
                self._handed.close()
            self._close_listener()
            raise
        if writer:
            try:
                self._acquire()
            except BaseException:
                self._pool.close()
                self._close_listener()
                raise

    # -- plumbing ----------------------------------------------------------------------------
    @property
    def location(self) -> str:
        return shown(self.dsn)

    @contextlib.contextmanager
    def _errors(self, what: str, write: bool = False) -> Iterator[None]:
        """A driver's error as a StoreError (a StoreWriteError for a write: the transaction
        was rolled back, nothing of it is stored) that never shows the password."""
        psycopg = driver()
        from psycopg_pool import PoolTimeout

        try:
            yield
        except (psycopg.Error, PoolTimeout) as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            failed = self._connect_failed  # (read once: a pool's thread may clear it)
            if isinstance(exc, PoolTimeout) and failed is not None:
                reason = failed[1]  # why there was no connection, not how long it was waited
            message = hide_password(f"{self.location}: {what}: {reason}", self.dsn)
            if _unreachable(exc, psycopg) and self._refused is None:
                before = self.unreachable  # (read once: another thread may clear it)
                since = before.since if before is not None else datetime.now(UTC)
                self.unreachable = Unreachable(since, hide_password(f"{what}: {reason}", self.dsn))
            if write:
                raise StoreWriteError(message + "; nothing of this write was stored", []) from None
            raise StoreError(message) from None
        if self._refused is None:
            self.unreachable = None  # (reached: the block ended without an error)

    def _tried_to_connect(self, error: BaseException | None) -> None:
        """(The pool's threads, and `_connect_now`.) Keep when and why the last try to
        connect failed, or that it did not."""
        if error is None:
            self._connect_failed = None
        else:
            self._connect_failed = (time.monotonic(), " ".join(str(error).split()))

    @contextlib.contextmanager
    def _connection(self) -> Iterator[Any]:
        """One of the pool's connections, in a transaction that ends with the block
        (committed, or rolled back on an error), as `ConnectionPool.connection` gives one.
        While the server cannot be reached (the pool's last try to connect failed) the block
        gets one the pool holds ready, else one it makes itself (`RETRY_AFTER`): it reaches
        the server the moment it is back, whenever the pool tries next; PoolTimeout, or the
        driver's error, when it cannot (`_errors` says why)."""
        from psycopg_pool import PoolTimeout

        self._refuse_if_newer()
        deadline = time.monotonic() + POOL_WAIT
        own = None  # a connection this block made itself, closed at its end
        while True:
            away = self._connect_failed is not None
            try:
                connection = self._pool.getconn(timeout=READY_ONLY if away else WAIT_SLICE)
                break
            except PoolTimeout:
                failed = self._connect_failed
                if failed is not None:
                    if time.monotonic() - failed[0] < RETRY_AFTER:
                        raise  # (tried a moment ago)
                    connection = own = self._connect_now()
                    break
                if time.monotonic() >= deadline:
                    raise PoolTimeout(f"no connection free after {POOL_WAIT:g} s") from None
        self._connect_failed = None  # (had one: the server answers)
        try:
            self._refuse_if_newer()  # (as a connection made for this block found it)
            with connection:
                yield connection
        finally:
            if own is not None:
                own.close()
            else:
                self._pool.putconn(connection)

    def _connect_now(self) -> Any:
        """A connection made at once, as the pool makes its own; the driver's error when it
        cannot be (kept as the pool's last try's), at once while a refused login waits."""
        from psycopg import Connection

        try:
            connection = logged_in(
                self._logins,
                lambda: Connection.connect(self.dsn, connect_timeout=CONNECT_TIMEOUT),
            )
        except Exception as exc:
            self._tried_to_connect(exc)
            raise
        try:
            self._name_reader(connection)
            self._check_version(connection)
            connection.commit()
            self._refuse_if_newer()
        except BaseException:
            connection.close()
            raise
        return connection

    @contextlib.contextmanager
    def _cursor(self, what: str, write: bool = False) -> Iterator[Any]:
        """A cursor in a transaction of its own (committed when the block ends)."""
        with self._errors(what, write), self._connection() as conn, conn.cursor() as cur:
            yield cur

    @contextlib.contextmanager
    def _read(self, what: str) -> Iterator[Any]:
        """A cursor for one read statement, run without a transaction around it (each
        statement reads what was committed when it began, as in the transactions of
        `_cursor`): no BEGIN and COMMIT, two round trips fewer for a one-statement read."""
        with self._errors(what), self._connection() as conn:
            conn.autocommit = True
            try:
                with conn.cursor() as cur:
                    yield cur
            finally:
                if conn.info.transaction_status == _IDLE:  # else the pool lets it go
                    conn.autocommit = False

    def _note(self, problem: str) -> None:
        """Keep a problem for the user to see, once."""
        if problem not in self.problems:
            self.problems.append(problem)

    def _odd(self, what: str, ident: str) -> None:
        """Say once, for the first article, that rows written by hand were read as they
        could be."""
        if what not in self._odd_seen:
            self._odd_seen.add(what)
            self._note(f"{self.location}: article {ident!r} (and any like it): {what}")

    def _name_reader(self, connection: Any) -> None:
        """Tell the server whose read marks this connection's queries read, and to plan
        them without JIT (`_NO_JIT`)."""
        connection.execute(
            f"SELECT set_config(%s, %s, false), {_NO_JIT}", (schema.READER, self.reader)
        )

    def _configure(self, connection: Any) -> None:
        """(The pool, for each new connection.) Name the reader, and leave it idle; the
        first connection, handed over, was named when it was opened."""
        if connection is self._handed:
            self._handed = None
            return
        self._name_reader(connection)
        self._check_version(connection)
        connection.commit()

    def _check_version(self, connection: Any) -> None:
        """(Each connection made after the first, which `_prepare` checked.) Whether a newer
        wirewatch upgraded the database since this store opened it (another host's, in a
        rolling upgrade): this one would go on writing rows of the old kind into the new
        schema. It refuses the database from then on, as it refuses one as it starts
        (`_refuse_if_newer`); a dashboard's status line says why (`unreachable`)."""
        row = connection.execute("SELECT max(version) FROM schema_version").fetchone()
        version = int(row[0]) if row and row[0] is not None else 0
        if version <= schema.VERSION or self._refused is not None:
            return
        refused = str(schema.newer_than_known(self.location, version))
        self._refused = refused
        self._note(refused)
        self.unreachable = Unreachable(datetime.now(UTC), refused, retried=False)

    def _refuse_if_newer(self) -> None:
        """StoreError, once a newer wirewatch upgraded the database (`_check_version`)."""
        if self._refused is not None:
            raise StoreError(self._refused)

    def _prepare(self, connection: Any) -> Mark:
        """(On the first connection, autocommit.) Name the reader, bring the schema up to
        date and return a first look's mark: one round trip when the database is current (a
        command that reads a few rows pays for little more than its query)."""
        from psycopg import errors

        try:
            row = connection.execute(
                f"SELECT set_config(%s, %s, false), {_NO_JIT},"
                " (SELECT max(version) FROM schema_version), pg_current_snapshot()::text",
                (schema.READER, self.reader),
            ).fetchone()
        except errors.UndefinedTable:  # a new database
            row = None
        if row is not None and row[2] == schema.VERSION:
            return str(row[3])
        self._name_reader(connection)
        schema.migrate(connection, self.location)
        return self._look(connection)

    @staticmethod
    def _look(connection: Any) -> Mark:
        """A look's mark: what is committed now."""
        row = connection.execute("SELECT pg_current_snapshot()::text").fetchone()
        return str(row[0])

    def __enter__(self) -> PostgresStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._release()
        self._close_listener()
        self._pool.close()

    # -- the writer --------------------------------------------------------------------------
    @property
    def is_writer(self) -> bool:
        return self._lock_connection is not None

    @property
    def indexes_words(self) -> bool:
        """False: the database indexes the words itself."""
        return False

    def _lock(self, connection: Any) -> bool:
        """(On the lock connection.) Take the writer lock as this store shares it: beside
        other pollers (shared), or only when no process polls (taken alone for a moment,
        then held shared like every poller's, so pollers that come later can join)."""
        if self._share:
            for attempt in range(10):  # a lone writer holds it alone for a moment only
                row = connection.execute(
                    "SELECT pg_try_advisory_lock_shared(%s)", (schema.WRITER_LOCK,)
                ).fetchone()
                if row and row[0]:
                    return True
                if attempt < 9:
                    time.sleep(0.05)
            return False
        row = connection.execute(
            "SELECT pg_try_advisory_lock(%s)", (schema.WRITER_LOCK,)
        ).fetchone()
        if not (row and row[0]):
            return False
        connection.execute("SELECT pg_advisory_lock_shared(%s)", (schema.WRITER_LOCK,))
        connection.execute("SELECT pg_advisory_unlock(%s)", (schema.WRITER_LOCK,))
        return True

    def _register(self, connection: Any) -> None:
        """Be one of the pollers, seen by the others when they share the sources out."""
        connection.execute(
            "INSERT INTO pollers (id, host, pid, beat) VALUES (%s, %s, %s, now())"
            " ON CONFLICT (id) DO UPDATE SET beat = now(), stopped = false",
            (self._poller_id, socket.gethostname(), os.getpid()),
        )

    def _acquire(self) -> None:
        with self._writer_guard:
            if self._lock_connection is not None:
                return
            connection = connect(self.dsn, logins=self._logins)
            try:
                with self._errors("cannot take the writer lock"):
                    if not self._lock(connection):
                        holder = connection.execute(
                            "SELECT pid, host FROM pollers WHERE NOT stopped"
                            " ORDER BY beat DESC LIMIT 1"
                        ).fetchone()
                        who = f" (pid {holder[0]} on {holder[1]})" if holder else ""
                        raise StoreLocked(
                            f"{self.location} is being written by another wirewatch process{who}"
                        )
                    self._register(connection)
                    schema.forget_foreign_arrivals(connection)
            except BaseException:
                connection.close()
                raise
            self._lock_connection = connection

    def _release(self) -> None:
        """Stop polling: this poller's sources are free for the others at once."""
        with self._writer_guard:
            connection, self._lock_connection = self._lock_connection, None
            self._stories_taken = False  # its lock goes with the connection
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.execute(
                    "UPDATE leases SET holder = NULL, until = NULL WHERE holder = %s",
                    (self._poller_id,),
                )
                connection.execute(  # viewers tell when the last one stopped
                    "UPDATE pollers SET stopped = true, beat = now() WHERE id = %s",
                    (self._poller_id,),
                )
                # its locks (the stories' among them) are free when it says it stopped, not
                # only once the server has ended the connection's process
                connection.execute("SELECT pg_advisory_unlock_all()")
            with contextlib.suppress(Exception):
                connection.close()  # the server lets go of the advisory lock

    def writer_active(self) -> bool:
        """True when some process, on any host, holds the writer lock."""
        if self.is_writer:
            return True
        with self._cursor("cannot see the writer") as cur:
            cur.execute(
                "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                " AND classid = 0 AND objid = %s AND objsubid = 1)",
                (schema.WRITER_LOCK,),
            )
            row = cur.fetchone()
        return bool(row and row[0])

    def writer_state(self) -> liveness.WriterState:
        """The pollers as a viewer sees them: held while any holds the lock; silent for as
        long as the one heard from last has been."""
        held = self.writer_active()
        with self._cursor("cannot see the writer") as cur:
            cur.execute(
                "SELECT pid, extract(epoch FROM now() - beat) FROM pollers"
                " ORDER BY beat DESC LIMIT 1"
            )
            row = cur.fetchone()
        if row is None or row[1] is None:
            return liveness.WriterState(held, None, float("inf"))
        return liveness.WriterState(held, row[0], max(0.0, float(row[1])))

    def heartbeat(self) -> None:
        """Show viewers the writer is at work and renew the leases of its sources. A
        connection the server dropped took the writer lock with it: the lock is taken again
        on a new one (if another process was quicker, the problem says so; the unique
        constraints still keep every article once)."""
        with self._writer_guard:
            connection = self._lock_connection
            if connection is None or self._refused is not None:
                return  # (refused: its leases run out, for the newer pollers to take)
            try:
                with self._errors("cannot show the writer at work"):
                    self._renew(connection)
                return
            except StoreError as exc:  # the server is away: viewers see the writer silent
                self._note(str(exc))
            if not connection.closed:
                return
            try:
                fresh = connect(self.dsn, logins=self._logins)
            except StoreError:
                return  # the next beat tries again
            try:
                with self._errors("cannot take the writer lock again"):
                    self._check_version(fresh)
                    self._refuse_if_newer()
                    if not self._lock(fresh):
                        self._note(f"{self.location}: another process took the writer lock")
                        fresh.close()
                        return
                    self._register(fresh)
                    self._renew(fresh)
            except StoreError as exc:
                self._note(str(exc))
                fresh.close()
                return
            self._lock_connection = fresh
            # the stories lock went with the old connection: asked for again on this one by
            # the next grouping (another poller may have it now; two grouped, after a server
            # restart, saving each story twice and firing its spike twice)
            self._stories_taken = False
            with contextlib.suppress(Exception):
                connection.close()

    def _renew(self, connection: Any) -> None:
        """This poller is alive, and so are the leases it holds."""
        with connection.transaction():
            self._register(connection)
            connection.execute(
                "UPDATE leases SET until = now() + make_interval(secs => %s) WHERE holder = %s",
                (self._lease_ttl, self._poller_id),
            )

    def lease(
        self, sources: list[str], busy: set[str], ttl: float, most: int | None = None
    ) -> set[str]:
        """Of these sources, the ones this poller is to poll. Each source is leased to one
        poller at a time for `ttl` seconds, renewed by every call and heartbeat while the
        poller lives; a poller holds its fair share (the sources over the pollers heard from
        within a lease), gives up what is over it (never a source it is polling, `busy`),
        and takes free and expired leases, at most `most` at a call (`FOR UPDATE SKIP
        LOCKED`: two pollers never wait on each other or take the same one; taken a part at
        a time, the sources of pollers that start together are shared out). A poller that
        dies loses its sources when its leases run out."""
        self._require_writer()
        self._lease_ttl = ttl
        names = list(dict.fromkeys(sources))
        if not names:
            return set()
        me = self._poller_id
        with self._cursor("cannot lease the sources", write=True) as cur:
            self._register(cur)
            cur.execute(
                "DELETE FROM pollers WHERE beat < now() - interval '1 day'"
                " AND id <> (SELECT id FROM pollers ORDER BY beat DESC LIMIT 1)"
            )
            cur.execute(
                "INSERT INTO leases (source) SELECT unnest(%s::text[]) ON CONFLICT DO NOTHING",
                (names,),
            )
            cur.execute(
                "SELECT count(*) FROM pollers"
                " WHERE (NOT stopped AND beat > now() - make_interval(secs => %s)) OR id = %s",
                (ttl, me),
            )
            row = cur.fetchone()
            pollers = max(1, int(row[0]) if row else 1)
            share = -(-len(names) // pollers)
            cur.execute(
                "UPDATE leases SET until = now() + make_interval(secs => %s)"
                " WHERE holder = %s AND source = ANY(%s) RETURNING source",
                (ttl, me, names),
            )
            held = {r[0] for r in cur.fetchall()}
            if len(held) > share:
                spare = sorted(held - busy, reverse=True)[: len(held) - share]
                if spare:
                    cur.execute(
                        "UPDATE leases SET holder = NULL, until = NULL"
                        " WHERE holder = %s AND source = ANY(%s)",
                        (me, spare),
                    )
                    held.difference_update(spare)
            elif len(held) < share:
                cur.execute(
                    "SELECT source FROM leases WHERE source = ANY(%s) AND (holder IS NULL"
                    " OR until IS NULL OR until < now()) ORDER BY source"
                    " FOR UPDATE SKIP LOCKED LIMIT %s",
                    (names, min(share - len(held), most if most is not None else len(names))),
                )
                free = [r[0] for r in cur.fetchall()]
                if free:
                    cur.execute(
                        "UPDATE leases SET holder = %s,"
                        " until = now() + make_interval(secs => %s) WHERE source = ANY(%s)",
                        (me, ttl, free),
                    )
                    held.update(free)
        return held

    def load_health(self) -> dict[str, SourceHealth] | None:
        """The sources' health as the pollers saved it (read again only when a poller has
        saved since), without records that do not read."""
        with self._cursor("cannot read the sources' health") as cur:
            cur.execute("SELECT count(*), max(saved) FROM health")
            row = cur.fetchone()
            version = (row[0], row[1]) if row else None
            if version is not None and version == self._health_version:
                return dict(self._health)
            cur.execute("SELECT source, record FROM health")
            rows = cur.fetchall()
        health: dict[str, SourceHealth] = {}
        for name, record in rows:
            if isinstance(record, dict) and "name" in record:
                with contextlib.suppress(KeyError, TypeError, ValueError, AttributeError):
                    health[name] = SourceHealth.from_record(record)
        self._health, self._health_version = health, version
        return dict(health)

    def save_health(self, health: dict[str, SourceHealth]) -> bool:
        """Keep these sources' health (the others' stay as their pollers saved them)."""
        if not health:
            return True
        with self._cursor("cannot save the sources' health", write=True) as cur:
            cur.execute(
                "INSERT INTO health (source, record) SELECT * FROM unnest(%s::text[],"
                " %s::jsonb[]) ON CONFLICT (source) DO UPDATE SET record = EXCLUDED.record,"
                " saved = clock_timestamp()",
                (list(health), [_jsonb(h.to_record()) for h in health.values()]),
            )
        return True

    def note_dropped(self, dropped: dict[str, dict[str, str]], cutoff: str) -> None:
        """(The writer.) Keep what this poller's retention dropped of the sources other
        pollers hold (source -> id -> real day) for their holders to take, each id with the
        later of its days; the notes of a real day before `cutoff` go (no holder took them:
        no poller polls their source)."""
        rows = [(n, i, d) for n, ids in dropped.items() for i, d in ids.items()]
        with self._cursor("cannot note what retention dropped", write=True) as cur:
            cur.execute("DELETE FROM drops WHERE day < %s", (cutoff,))
            if rows:
                names, idents, days = (list(column) for column in zip(*rows, strict=True))
                cur.execute(
                    "INSERT INTO drops (source, id, day) SELECT * FROM unnest(%s::text[],"
                    " %s::text[], %s::text[]) ON CONFLICT (source, id)"
                    " DO UPDATE SET day = GREATEST(drops.day, EXCLUDED.day)",
                    (names, idents, days),
                )

    def noted_dropped(self, sources: list[str]) -> dict[str, dict[str, str]]:
        """(The writer.) What other pollers' retention dropped of these sources and noted
        (`note_dropped`), source -> id -> real day; left noted until `clear_dropped`."""
        if not sources:
            return {}
        with self._read("cannot read what retention dropped") as cur:
            cur.execute(
                "SELECT source, id, day FROM drops WHERE source = ANY(%s)", (list(sources),)
            )
            rows = cur.fetchall()
        out: dict[str, dict[str, str]] = {}
        for name, ident, day in rows:
            out.setdefault(name, {})[ident] = day
        return out

    def clear_dropped(self, taken: dict[str, dict[str, str]]) -> None:
        """(The writer.) Forget these notes, taken into their source's health and saved; a
        note made again since with a later day stays, for the next take."""
        rows = [(n, i, d) for n, ids in taken.items() for i, d in ids.items()]
        if not rows:
            return
        names, idents, days = (list(column) for column in zip(*rows, strict=True))
        with self._cursor("cannot note what retention dropped", write=True) as cur:
            cur.execute(
                "DELETE FROM drops d USING unnest(%s::text[], %s::text[], %s::text[])"
                " AS t(source, id, day) WHERE d.source = t.source AND d.id = t.id"
                " AND d.day <= t.day",
                (names, idents, days),
            )

    # -- the desk's events -----------------------------------------------------------------
    @property
    def keeps_desk(self) -> bool:
        return True

    def events(self) -> list[dict[str, Any]]:
        """The events added in the app, oldest added first, as records."""
        with self._cursor("cannot read the events") as cur:
            cur.execute("SELECT record FROM events ORDER BY added")
            return [row[0] for row in cur.fetchall() if isinstance(row[0], dict)]

    def put_event(self, record: dict[str, Any], new: bool) -> bool:
        """Add an event (`new`) or replace the one of its id; False when there is none."""
        with self._cursor("cannot save the event", write=True) as cur:
            if new:
                cur.execute(
                    "INSERT INTO events (id, record) VALUES (%s, %s)",
                    (record["id"], _jsonb(record)),
                )
            else:
                cur.execute(
                    "UPDATE events SET record = %s WHERE id = %s", (_jsonb(record), record["id"])
                )
            return bool(cur.rowcount)

    def drop_event(self, ident: str) -> bool:
        """Remove an event; False when it was not there."""
        with self._cursor("cannot remove the event", write=True) as cur:
            cur.execute("DELETE FROM events WHERE id = %s", (ident,))
            return bool(cur.rowcount)

    # -- the desk's alert rules ---------------------------------------------------------------
    def alert_rules(self) -> dict[str, Any] | None:
        """The alert rules added in the app and the config rules muted there."""
        with self._cursor("cannot read the alert rules") as cur:
            cur.execute("SELECT record FROM alert_rules")
            row = cur.fetchone()
        return row[0] if row and isinstance(row[0], dict) else None

    def change_alert_rules(self, change: Callable[[dict[str, Any] | None], dict[str, Any]]) -> None:
        """Replace the alert rules with what `change` makes of them, in one transaction
        under a lock of the row's own (two hosts adding a rule at once keep both)."""
        with self._cursor("cannot save the alert rules", write=True) as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (schema.ALERT_RULES_LOCK,))
            cur.execute("SELECT record FROM alert_rules")
            row = cur.fetchone()
            record = change(row[0] if row and isinstance(row[0], dict) else None)
            cur.execute(
                "INSERT INTO alert_rules (record) VALUES (%s)"
                " ON CONFLICT (one) DO UPDATE SET record = EXCLUDED.record",
                (_jsonb(record),),
            )

    # -- the desk's alert history -----------------------------------------------------------
    def alert_records(self, after: int) -> tuple[int, list[dict[str, Any]]]:
        """The lowest sequence number still kept (0: none), and the entries after `after`,
        oldest first, each its record with its "seq"."""
        with self._cursor("cannot read the alert history") as cur:
            cur.execute("SELECT coalesce(min(seq), 0) FROM alert_history")
            row = cur.fetchone()
            cur.execute(
                "SELECT seq, record FROM alert_history WHERE seq > %s ORDER BY seq", (after,)
            )
            found = [
                {**rec, "seq": int(seq)} for seq, rec in cur.fetchall() if isinstance(rec, dict)
            ]
        return (int(row[0]) if row else 0), found

    def add_alert_records(
        self, records: list[dict[str, Any]], before: datetime, keep: int
    ) -> list[int]:
        """Keep new entries (their sequence numbers, in order), dropping those at or after
        `before` no more and the oldest beyond `keep`."""
        with self._cursor("cannot write the alert history", write=True) as cur:
            cur.execute("DELETE FROM alert_history WHERE at < %s", (before,))
            seqs: list[int] = []
            for record in records:
                cur.execute(
                    "INSERT INTO alert_history (at, record) VALUES (%s::timestamptz, %s)"
                    " RETURNING seq",
                    (record["at"], _jsonb(record)),
                )
                row = cur.fetchone()
                seqs.append(int(row[0]) if row else 0)
            cur.execute(
                "DELETE FROM alert_history WHERE seq <= (SELECT max(seq) FROM alert_history) - %s",
                (keep,),
            )
        return seqs

    def fire_once(self, fired: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Record that these (rule, article or hour) pairs fired; returns those no poller had
        recorded before (a unique constraint: of two pollers, one fires)."""
        pairs = list(dict.fromkeys(fired))
        if not pairs:
            return set()
        with self._cursor("cannot record the alerts", write=True) as cur:
            cur.execute(
                "INSERT INTO alerts_fired (rule, what) SELECT * FROM unnest(%s::text[],"
                " %s::text[]) ON CONFLICT DO NOTHING RETURNING rule, what",
                ([p[0] for p in pairs], [p[1] for p in pairs]),
            )
            return {(r[0], r[1]) for r in cur.fetchall()}

    def unfire(self, fired: list[tuple[str, str]]) -> None:
        pairs = list(dict.fromkeys(fired))
        if not pairs:
            return
        with self._cursor("cannot take back the alerts not kept", write=True) as cur:
            cur.execute(
                "DELETE FROM alerts_fired WHERE (rule, what) IN (SELECT * FROM unnest(%s::text[],"
                " %s::text[]))",
                ([p[0] for p in pairs], [p[1] for p in pairs]),
            )

    def take_over(self) -> None:
        self._acquire()

    def _require_writer(self) -> None:
        if not self.is_writer:
            raise StoreError("this store was opened read-only (another process is the writer)")

    # -- loading (nothing is held: all is read when asked) -------------------------------------
    @property
    def complete(self) -> bool:
        return True

    @property
    def word_index_ready(self) -> bool:
        return True  # the words column is written with the article

    @property
    def word_queries_settled(self) -> bool:
        return True

    @property
    def list_window(self) -> int:
        """A dashboard lists the newest LIST_WINDOW matches of its filter (a million ids
        alone would take more memory than a dashboard may)."""
        return LIST_WINDOW

    def load_rest(self) -> list[str]:
        return []

    # -- the stories the grouping poller keeps (`fetchers.storybook` reads and writes them) ----
    def takes_stories(self) -> bool:
        """(A writer.) Whether this poller groups the stories: the first to ask holds it for
        its life (the server lets go of it however the process ends); the others leave it."""
        with self._writer_guard:
            connection = self._lock_connection
            if connection is None:
                return False
            if not self._stories_taken:
                with self._errors("cannot take the stories"):
                    row = connection.execute(
                        "SELECT pg_try_advisory_lock(%s)", (schema.STORIES_LOCK,)
                    ).fetchone()
                    if row and row[0]:
                        # stories left with no article by two groupers at once (a server
                        # restart took one's lock, and it grouped on): listed twice, gone
                        connection.execute(
                            "DELETE FROM stories s WHERE NOT EXISTS"
                            " (SELECT 1 FROM story_members m WHERE m.story = s.id)"
                        )
                self._stories_taken = bool(row and row[0])
            return self._stories_taken

    def saved_stories(self, among: list[str] | None = None) -> dict[str, list[str]] | None:
        """Each saved story's article ids in the order they joined (with `among`, of the
        stories holding any of these articles); None when no stories were ever saved."""
        with self._cursor("cannot read the stories") as cur:
            if among is None:
                cur.execute("SELECT story, id FROM story_members ORDER BY story, place")
            else:
                cur.execute("SELECT EXISTS (SELECT 1 FROM stories)")
                row = cur.fetchone()
                if not (row and row[0]):
                    return None
                cur.execute(
                    "SELECT story, id FROM story_members WHERE story IN"
                    " (SELECT story FROM story_members WHERE id = ANY(%s))"
                    " ORDER BY story, place",
                    (among,),
                )
            found: dict[str, list[str]] = {}
            for story, ident in cur:
                members = found.get(story)
                if members is None:
                    found[story] = [ident]
                else:
                    members.append(ident)
        return found if found or among is not None else None

    def save_stories(self, changed: dict[str, tuple[list[str], dict[str, Any]]],
                     gone: list[str]) -> None:  # fmt: skip
        """(The grouping poller.) Keep the stories that changed (their article ids and their
        record, `last_seen` in it) and forget those that are gone, all or none."""
        self._require_writer()
        if not changed and not gone:
            return
        sids = list(changed)
        members: list[str] = []
        places: list[int] = []
        owners: list[str] = []
        for sid, (ids, _) in changed.items():
            members += ids
            places += range(len(ids))
            owners += [sid] * len(ids)
        with self._cursor("cannot save the stories", write=True) as cur:
            cur.execute("DELETE FROM story_members WHERE story = ANY(%s)", (sids + gone,))
            cur.execute("DELETE FROM stories WHERE id = ANY(%s)", (gone,))
            cur.execute(
                "INSERT INTO story_members (id, story, place)"
                " SELECT * FROM unnest(%s::text[], %s::text[], %s::integer[])"
                " ON CONFLICT (id) DO UPDATE SET story = excluded.story, place = excluded.place",
                (members, owners, places),
            )
            cur.execute(
                "INSERT INTO stories (id, last_seen, record)"
                " SELECT * FROM unnest(%s::text[], %s::float8[], %s::jsonb[])"
                " ON CONFLICT (id) DO UPDATE SET last_seen = excluded.last_seen,"
                " record = excluded.record",
                (
                    sids,
                    [float(record["last_seen"]) for _, record in changed.values()],
                    [_jsonb(record) for _, record in changed.values()],
                ),
            )

    def story_records(
        self, limit: int, offset: int = 0, among: list[str] | None = None
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """(id, record) of the saved stories, newest activity first, a page at a time; with
        `among`, of those holding any of these article ids. None when none were ever saved
        (the stories must then be grouped)."""
        with self._cursor("cannot read the stories") as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM stories)")
            row = cur.fetchone()
            if not (row and row[0]):
                return None
            where, params = "TRUE", []
            if among is not None:
                where = "s.id IN (SELECT m.story FROM story_members m WHERE m.id = ANY(%s))"
                params = [among]
            cur.execute(
                f"SELECT s.id, s.record FROM stories s WHERE {where}"
                " ORDER BY s.last_seen DESC, s.id LIMIT %s OFFSET %s",
                [*params, max(0, limit), max(0, offset)],
            )
            return [(row[0], row[1]) for row in cur.fetchall() if isinstance(row[1], dict)]

    def story_count(self) -> int:
        """How many stories are saved."""
        with self._read("cannot read the stories") as cur:
            cur.execute("SELECT count(*) FROM stories")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def stories_matching(
        self, query: Query | None, limit: int
    ) -> list[tuple[str, dict[str, Any]]] | None:
        """(id, record) of the saved stories holding an article that matches `query` (every
        story for none), newest activity first, at most `limit`; None when none were ever
        saved. The database finds them among every saved story, whatever their age: a query
        the SQL says whole in one statement, any other by its candidate articles tested in
        Python (`_stories_tested`); only the stories found are read."""
        if query is None or query.is_empty:
            return self.story_records(limit)
        sql = plan(query)
        with self._read("cannot read the stories") as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM stories)")
            row = cur.fetchone()
        if not (row and row[0]):
            return None
        tested = query if sql.exact else self._testable(query, sql)  # (before the cursor)
        with self._cursor("cannot read the stories") as cur:
            if sql.exact:
                return self._stories_said(cur, sql, max(0, limit))
            found = self._stories_tested(cur, tested, sql, limit)
            cur.execute("SELECT id, record FROM stories WHERE id = ANY(%s)", (found,))
            records = {row[0]: row[1] for row in cur.fetchall()}
        return [(sid, records[sid]) for sid in found if isinstance(records.get(sid), dict)]

    def _stories_said(self, cur: Any, sql: Plan, limit: int) -> list[tuple[str, dict[str, Any]]]:
        """(id, record) of the first `limit` saved stories, newest activity first, with an
        article the SQL (saying the whole query) gives. When the planner guesses that many
        articles match, the newest `STORY_WALK` stories are looked through first, each
        asked whether it holds one (a filter that holds for most finds its stories there
        and stops); the rest, or a filter guessed rare, from the matching articles' stories
        (found through their indexes, then sorted)."""
        holds = (
            f"EXISTS (SELECT 1 FROM story_members sm JOIN {_FROM} ON a.id = sm.id"
            f" WHERE sm.story = s.id AND {sql.where})"
        )
        cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_FROM} WHERE {sql.where}", sql.params)
        row = cur.fetchone()
        guessed = float(row[0][0]["Plan"]["Plan Rows"]) if row else 0.0
        if guessed > limit:
            cur.execute(
                "SELECT s.id, s.record FROM (SELECT id, last_seen, record FROM stories"
                " ORDER BY last_seen DESC, id LIMIT %s) s"
                f" WHERE {holds} ORDER BY s.last_seen DESC, s.id LIMIT %s",
                [max(STORY_WALK, limit), *sql.params, limit],
            )
            found = cur.fetchall()
            if len(found) >= limit:
                return [(row[0], row[1]) for row in found if isinstance(row[1], dict)]
        cur.execute(
            "SELECT s.id, s.record FROM stories s WHERE s.id IN (SELECT sm.story FROM"
            f" {_FROM} JOIN story_members sm ON sm.id = a.id WHERE {sql.where})"
            " ORDER BY s.last_seen DESC, s.id LIMIT %s",
            [*sql.params, limit],
        )
        return [(row[0], row[1]) for row in cur.fetchall() if isinstance(row[1], dict)]

    def _stories_tested(self, cur: Any, query: Query, sql: Plan, limit: int) -> list[str]:
        """The ids of the first `limit` saved stories, newest activity first, with an article
        that the SQL gives and the query's own test passes. Few candidates (a word the index
        narrows) are sorted by their stories and read a batch at a time; otherwise the
        stories are walked newest first a page at a time, each page's candidates read at
        once (a clause that holds for most articles fills the list in a few pages)."""
        known = _said(sql)
        columns = _COLUMNS + (", a.text" if sql.wants_text else "")
        found: dict[str, None] = {}

        def passing(rows: list[tuple[Any, ...]]) -> set[str]:
            """The stories (each row's last column) of the rows whose article matches."""
            out: set[str] = set()
            texts: dict[str, str | None] = {}
            for row in rows:
                record = record_of_row(row, self._odd)
                if sql.wants_text:
                    texts[record.id] = row[_TEXT_AT]
                if query.matches(record, known, text_of=lambda r: texts.get(r.id)):
                    out.add(row[-1])
                texts.clear()
            return out

        def take(ordered: Iterable[str], hits: set[str]) -> bool:
            """Keep the stories of `hits` in the order given; True once `limit` are kept."""
            for sid in ordered:
                if sid in hits:
                    found[sid] = None
                    if len(found) >= limit:
                        return True
            return False

        if limit <= 0:
            return []
        joined = f"{_FROM} JOIN story_members sm ON sm.id = a.id"
        guessed = math.inf
        if sql.narrowed:
            cur.execute(f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_FROM} WHERE {sql.where}",
                        sql.params)  # fmt: skip
            row = cur.fetchone()
            guessed = float(row[0][0]["Plan"]["Plan Rows"]) if row else math.inf
        if guessed <= STORY_CANDIDATES:
            cur.execute(
                f"SELECT sm.story, a.id FROM {joined} JOIN stories s ON s.id = sm.story"
                f" WHERE {sql.where} ORDER BY s.last_seen DESC, s.id",
                sql.params,
            )
            pairs = cur.fetchall()
            for start in range(0, len(pairs), BATCH):
                batch = [(sid, i) for sid, i in pairs[start : start + BATCH] if sid not in found]
                if batch:
                    cur.execute(
                        f"SELECT {columns}, sm.story FROM {joined} WHERE a.id = ANY(%s)",
                        ([i for _, i in batch],),
                    )
                    if take((sid for sid, _ in batch), passing(cur.fetchall())):
                        break
            return list(found)
        after: tuple[float, str] | None = None
        while True:
            where, params = "TRUE", []
            if after is not None:  # the stories after the last of the page before
                where = "(s.last_seen < %s OR (s.last_seen = %s AND s.id > %s))"
                params = [after[0], after[0], after[1]]
            cur.execute(
                f"SELECT s.id, s.last_seen FROM stories s WHERE {where}"
                " ORDER BY s.last_seen DESC, s.id LIMIT %s",
                [*params, STORY_PAGE],
            )
            page = cur.fetchall()
            if not page:
                return list(found)
            after = (float(page[-1][1]), page[-1][0])
            cur.execute(
                f"SELECT {columns}, sm.story FROM {joined}"
                f" WHERE sm.story = ANY(%s) AND ({sql.where})",
                [[sid for sid, _ in page], *sql.params],
            )
            if take((sid for sid, _ in page), passing(cur.fetchall())):
                return list(found)

    def fetched_since(self, instant: float) -> list[tuple[str, str, float]]:
        """(id, source, first fetched) of the articles first fetched at or after `instant`
        (times are ISO 8601 in UTC, to the second: compared as text), found through the
        fetch days' index (`day`), not a scan of the table."""
        when = datetime.fromtimestamp(instant, UTC)
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT id, source, fetched FROM articles WHERE day >= %s AND fetched >= %s",
                (day_key(when), seconds_iso(instant)),
            )
            found = []
            for ident, source, fetched in cur.fetchall():
                at = from_utc_iso(fetched)
                if at is not None:
                    found.append((ident, source, at.timestamp()))
            return found

    def fetch_times(
        self, sources: Collection[str], since: float | None = None
    ) -> dict[str, list[float]]:
        """Through the source index, and with `since` the fetch days' (`day`) as well (times
        compared as text, as `fetched_since` does)."""
        names = sorted(set(sources))
        found: dict[str, list[float]] = {name: [] for name in names}
        if not names:
            return found
        where = "source_key = ANY(%s::text[]) AND source = ANY(%s::text[])"
        params: list[object] = [sorted({name_key(n) for n in names}), names]
        if since is not None:
            where += " AND day >= %s AND fetched >= %s"
            params += [day_key(datetime.fromtimestamp(since, UTC)), seconds_iso(since)]
        with self._cursor("cannot read") as cur:
            cur.execute(f"SELECT DISTINCT source, fetched FROM articles WHERE {where}", params)
            for source, fetched in cur.fetchall():
                at = from_utc_iso(fetched)
                if at is not None and source in found:
                    found[source].append(at.timestamp())
        for times in found.values():
            times.sort()
        return found

    def fetched_in_second(self, ids: Iterable[str], second: float) -> list[str]:
        """Looked up by id (times compared as text, as `fetched_since` does)."""
        wanted = list(ids)
        if not wanted:
            return []
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT id FROM articles WHERE id = ANY(%s) AND fetched >= %s AND fetched < %s",
                (wanted, seconds_iso(second), seconds_iso(second + 1)),
            )
            return [ident for (ident,) in cur.fetchall()]

    def stored_since(self, mark: Mark | None) -> tuple[list[str], Mark]:
        """The ids of the articles stored after `mark` (none for None), in the order they
        were stored, and the mark to ask with next. An article whose write committed after
        the look that gave `mark` is among them, even when a later write committed first."""
        with self._cursor("cannot read") as cur:
            if mark is None:
                return [], self._look(cur)
            cur.execute(_STORED_SINCE, (mark, mark))
            row = cur.fetchone()
        return (list(row[1]), str(row[0])) if row else ([], mark)

    def reload(self) -> list[str]:
        """The ids stored since this store last looked, by this process or another on any
        host. The writer announces each write (NOTIFY): a viewer listens from its first
        reload on, and after that reads the articles table only when a write was announced."""
        with self._listen_guard:
            self._gone = self._revised = 0
            if self._listener is None:
                if not self.is_writer:
                    self._start_listening()  # then what came before is read below
            else:
                said = self._announcements()
                if said is not None:
                    # "-N": retention removed N, "~N": a write revised N (a write says how
                    # many it stored)
                    self._gone = sum(int(p[1:]) for p in said if p[:1] == "-" and p[1:].isdigit())
                    self._revised = sum(
                        int(p[1:]) for p in said if p[:1] == "~" and p[1:].isdigit()
                    )
                    if not said:
                        return []
            stored, self._seen = self.stored_since(self._seen)
            return stored

    def gone_at_reload(self) -> int:
        return self._gone

    def revised_at_reload(self) -> int:
        """Headlines rewritten since the last look, as the writers announced them (none
        counted before a viewer listens, or while its listening connection is broken)."""
        return self._revised

    def renamed_at_reload(self) -> list[str]:
        """None told (the writers announce how many they rewrote, not which): a viewer
        makes its stories whole, or takes them as the grouping saved them."""
        return []

    def rewritten_at_reload(self) -> list[str]:
        """None told, as for `renamed_at_reload`."""
        return []

    def _announcements(self) -> list[str] | None:
        """(Under the guard.) What the writers announced since the last look; None when the
        listening connection broke: it is let go (the tables are read, and it is made
        again)."""
        psycopg = driver()
        try:
            said = [notice.payload for notice in self._listener.notifies(timeout=0)]
            if not said and _readable(self._listener):  # (the server's last words were
                # read, not the end of the connection after them: a restart's looked fine)
                said = [notice.payload for notice in self._listener.notifies(timeout=0)]
            return said
        except psycopg.Error:
            with contextlib.suppress(Exception):
                self._listener.close()
            self._listener = None
            return None

    def _close_listener(self) -> None:
        with self._listen_guard:
            if self._listener is not None:
                with contextlib.suppress(Exception):
                    self._listener.close()
                self._listener = None

    def _start_listening(self) -> None:
        """(Under the guard.) Listen for the writer's announcements; without a connection
        for it, reloads read the table each time."""
        try:
            connection = connect(self.dsn, logins=self._logins)
        except StoreError:
            return
        try:
            connection.execute(f"LISTEN {CHANNEL}")
        except driver().Error:
            connection.close()
            return
        self._listener = connection

    def take_lost(self) -> list[str]:
        return []  # a database does not lose a day to a torn file

    @property
    def has_lost(self) -> bool:
        return False

    def start_word_index(self, beside_a_screen: bool = False) -> None:
        """Nothing to do: the words are indexed as articles are written."""

    # -- writing -----------------------------------------------------------------------------
    def knows(self, article: Article) -> bool:
        """Stored already (by id, or by link within its source), as far as this process
        knows without asking the server about every item (see `known`); an article older
        than what was read of its source may be taken for new, and its write then finds it."""
        known = self._known
        if not known.has_source(article.source):
            try:
                with self._cursor("cannot read") as cur:
                    cur.execute(
                        "SELECT id, link, title, summary FROM articles"
                        " WHERE source_key = %s AND source = %s"  # by the source index
                        f" ORDER BY at DESC, day, seq LIMIT {PER_SOURCE}",
                        (name_key(article.source), article.source),
                    )
                    known.add_source(article.source, cur.fetchall())
            except StoreError as exc:  # the server is away: the write will say so
                self._note(str(exc))
                return False
        return known.knows(article)

    def link_shared(self, article: Article) -> bool:
        if not article.link:
            return False
        try:
            with self._read("cannot read") as cur:
                cur.execute(
                    "SELECT EXISTS (SELECT 1 FROM articles WHERE source = %s AND link = %s"
                    " AND id <> %s)",
                    (article.source, article.link, article.id),
                )
                row = cur.fetchone()
        except StoreError as exc:  # the server is away: the write will say so (as `knows`)
            self._note(str(exc))
            return False
        return bool(row and row[0])

    def revised(self, article: Article) -> bool:
        """Stored with another title or summary than it has now. What the server answers is
        kept (`_known`, and the ids it holds none of): a feed listing articles older than
        what was read of its source, or ones retention dropped, asks it once, not at every
        poll."""
        held = self._known.digest_of(article.id)
        if held is not None:
            return held != digest(article.title, article.summary)
        with self._absent_guard:
            said = self._absent.get(article.id)
        if said is not None and time.monotonic() - said < ABSENT_FOR:
            return False
        try:
            with self._cursor("cannot read") as cur:
                cur.execute(
                    "SELECT title, summary, link FROM articles WHERE id = %s", (article.id,)
                )
                row = cur.fetchone()
        except StoreError as exc:  # the server is away: the write will say so
            self._note(str(exc))
            return True
        if row is None:
            with self._absent_guard:
                self._absent[article.id] = time.monotonic()
                self._absent.move_to_end(article.id)
                while len(self._absent) > ABSENT_MOST:
                    self._absent.popitem(last=False)
            return False
        self._known.put(article.id, article.source, row[2], row[0], row[1])
        return digest(row[0], row[1]) != digest(article.title, article.summary)

    def moved(self, article: Article) -> bool:
        """Stored under another link than the item gives now, as far as what is known of it
        tells (`KnownArticles.moved`; an article not known yet is read as `revised` reads
        it); the write decides against the database."""
        if self._known.digest_of(article.id) is None:
            self.revised(article)
        return self._known.moved(article)

    def add_batch(self, articles: Iterable[Article]) -> list[str]:
        return self.add_staged(stage(articles))

    def add_staged(
        self,
        staged: Iterable[StagedArticle],
        revised_out: set[str] | None = None,
        moved_out: set[str] | None = None,
    ) -> list[str]:
        """Store the articles not yet stored (by id, or by link within the source as the same
        item: `_held_by_link`) in one transaction; a changed title or summary makes a
        revision, the same ones at another link move the article there (`_move`). Returns
        the new ids."""
        self._require_writer()
        items = list(staged)
        if not items:
            return []
        with self._write_order, self._cursor("cannot write", write=True) as cur:
            # No lock beyond the rows': writes from other pollers go on beside this one (a
            # viewer asks for what committed since its last look, in whatever order). The
            # stored rows are locked in the order of their ids, as the new ones are inserted:
            # two writes of the same articles never wait for each other in turn.
            cur.execute(
                "SELECT id, title, summary, link FROM articles WHERE id = ANY(%s)"
                " ORDER BY id FOR UPDATE",
                ([item.record.id for item in items],),
            )
            stored = {row[0]: (row[1], row[2], row[3]) for row in cur.fetchall()}
            fresh: dict[str, StagedArticle] = {}
            revised: dict[str, StagedArticle] = {}
            moves: dict[str, StagedArticle] = {}  # the same words at another link
            for item in items:
                ident, record = item.record.id, item.record
                if ident in stored:
                    title, summary, link = stored[ident]
                    if comparable(title) != comparable(record.title) or comparable(
                        summary
                    ) != comparable(record.summary):
                        revised[ident] = item
                    elif moved(link, record.link):
                        moves[ident] = item
                elif ident not in fresh:
                    fresh[ident] = item
            for ident in self._held_by_link(cur, list(fresh.values())):
                del fresh[ident]
            for ident in self._listed_as_another(cur, list(revised.values())):
                del revised[ident]
            new_ids: list[str] = []
            if fresh:
                cur.execute(_INSERT, _columns(list(fresh.values())))
                inserted = {row[0] for row in cur.fetchall()}
                new_ids = [ident for ident in fresh if ident in inserted]  # the batch's order
            if new_ids:  # delivered to the listeners when the write commits
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(len(new_ids))))
            stale = self._revise(cur, revised) if revised else []
            taken, stale_moved = self._move(cur, moves) if moves else ([], [])
            stale += stale_moved
            if revised or taken:  # "~N": N headlines rewritten, or moved to another page (a
                # viewer's filtered list follows them, and the article it shows)
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"~{len(revised) + len(taken)}"))
        if revised_out is not None:
            revised_out.update(revised)
        if moved_out is not None:
            moved_out.update(taken)
        rewritten = revised.keys() | set(taken)
        for item in items:  # committed: known from now on
            record = item.record
            # (a held article keeps its link unless it moved: one whose move another
            # article's link refused is not tried again at every poll)
            held = stored.get(record.id)
            link = held[2] if held is not None and record.id not in rewritten else None
            self._known.put(
                record.id, record.source, link or record.link, record.title, record.summary
            )
            with self._absent_guard:
                self._absent.pop(record.id, None)
        self._stale_texts.update(stale)
        try:  # a revised item carrying its content: its text is revised too
            for fetched, pairs in revised_contents({**revised, **{i: moves[i] for i in taken}}):
                self.set_texts(pairs, fetched)
        except StoreWriteError as exc:
            raise StoreWriteError(f"{exc}; {len(new_ids)} new articles stored", new_ids) from exc
        return new_ids

    @staticmethod
    def _held_by_link(cur: Any, fresh: list[StagedArticle]) -> list[str]:
        """The ids of new articles the database holds under their links as the same item:
        one of no guid where the link is one article's, or one whose title and summary a
        stored article of that link has (a feed giving an item a new guid at each fetch); one
        with a guid of its own and other words is another article (a live page's updates all
        link to the page), and so is one of no guid whose link is several items' (in its
        document, `shares_link`, or in the database: a feed linking every item to its home
        page). Asked of the server in one query, by the (source, link) index."""
        linked = [item for item in fresh if item.record.link]
        if not linked:
            return []
        cur.execute(
            "SELECT w.n FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::boolean[]) WITH ORDINALITY AS w(source, link, title, summary, by_words, n)"
            " WHERE EXISTS (SELECT 1 FROM articles a WHERE a.source = w.source"
            " AND a.link = w.link AND a.link <> '' AND ((NOT w.by_words AND NOT EXISTS"
            " (SELECT 1 FROM articles b WHERE b.source = a.source AND b.link = a.link"
            " AND b.id <> a.id)) OR (replace(a.title, U&'\\00AD', '') = w.title"
            # (as `comparable` compares them: paragraph breaks as spaces, no soft hyphens;
            # the fresh words given so)
            " AND replace(replace(a.summary, E'\\n\\n', ' '), U&'\\00AD', '') = w.summary)))",
            (
                [item.record.source for item in linked],
                [item.record.link for item in linked],
                [comparable(item.record.title) for item in linked],
                [comparable(item.record.summary) for item in linked],
                [bool(item.record.guid) or item.shares_link for item in linked],
            ),
        )
        return [linked[row[0] - 1].record.id for row in cur.fetchall()]

    @staticmethod
    def _listed_as_another(cur: Any, revised: list[StagedArticle]) -> list[str]:
        """The ids of stored articles an item of no guid would give the words of another
        article under its link: an item that shared its link with others, listed alone at
        it, takes the link's id, which another item of the link may hold (rewritten, the two
        articles read the same). As the data-dir store tells them
        (`ArticleStore._listed_as_another`)."""
        unguided = [item.record for item in revised if item.record.link and not item.record.guid]
        if not unguided:
            return []
        cur.execute(
            "SELECT w.n FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[],"
            " %s::text[]) WITH ORDINALITY AS w(id, source, link, title, summary, n)"
            " WHERE EXISTS (SELECT 1 FROM articles a WHERE a.source = w.source"
            " AND a.link = w.link AND a.id <> w.id AND replace(a.title, U&'\\00AD', '') = w.title"
            " AND replace(replace(a.summary, E'\\n\\n', ' '), U&'\\00AD', '') = w.summary)",
            (
                [r.id for r in unguided],
                [r.source for r in unguided],
                [r.link for r in unguided],
                [comparable(r.title) for r in unguided],
                [comparable(r.summary) for r in unguided],
            ),
        )
        return [unguided[row[0] - 1].id for row in cur.fetchall()]

    def _revise(self, cur: Any, revised: dict[str, StagedArticle]) -> list[str]:
        """Give stored articles the title and summary their source now gives, keeping what
        they said before as revisions. Returns those whose full text came before (their page
        is to be fetched again), the item carrying no content of its own."""
        cur.execute(
            "SELECT id, title, summary, coalesce(revised, fetched), text, revisions"
            " FROM articles WHERE id = ANY(%s)",
            (list(revised),),
        )
        stale: list[str] = []
        for ident, title, summary, seen, text, history in cur.fetchall():
            item = revised[ident]
            record = item.record
            if text and not item.text:
                stale.append(ident)
            history = merged_history(
                entries(history, ident, "revisions", self._odd),
                {"seen": seen, "title": title, "summary": summary},
                item.doc.get("revisions") or [],
            )
            kept = distinct_revisions(history, (record.title, record.summary))
            cur.execute(
                "UPDATE articles SET title = %s, summary = %s, revised = %s, revisions = %s,"
                # the page the revision moved to, unless another article of the source
                # is filed under that link (a source's links are one article's each)
                " link = CASE WHEN %s = '' OR EXISTS (SELECT 1 FROM articles other WHERE"
                " other.source = articles.source AND other.link = %s AND other.id <> articles.id)"
                f" THEN link ELSE %s END, edits = edits + 1, {_NEW_WORDS}",
                (
                    record.title,
                    record.summary,
                    item.doc.get("fetched"),
                    _jsonb(kept_revisions(kept)),
                    record.link or "",
                    record.link or "",
                    record.link or "",
                    *_new_words(record.title, record.summary, text, ident),
                ),
            )
        return stale

    @staticmethod
    def _move(cur: Any, moves: dict[str, StagedArticle]) -> tuple[list[str], list[str]]:
        """Give stored articles the link their source now gives them, their words and
        revisions as they are (a page moved is no revision: `codec.moved`), unless another
        article of the source is stored under that link (a source's links are one article's
        each, as `_revise` keeps them). Returns the ids moved, and those of them whose full
        text came before (their new page is to be fetched), the item carrying no content."""
        cur.execute(
            "UPDATE articles a SET link = w.link, edits = a.edits + 1"
            " FROM unnest(%s::text[], %s::text[]) AS w(id, link) WHERE a.id = w.id"
            " AND NOT EXISTS (SELECT 1 FROM articles other WHERE other.source = a.source"
            " AND other.link = w.link AND other.id <> a.id)"
            " RETURNING a.id, coalesce(a.text, '') <> ''",
            (list(moves), [item.record.link for item in moves.values()]),
        )
        rows = cur.fetchall()
        taken = [row[0] for row in rows]
        return taken, [row[0] for row in rows if row[1] and not moves[row[0]].text]

    def wanting_text(self, source: str, limit: int, skip: set[str]) -> list[tuple[str, str]]:
        """(id, link) of the source's newest articles with a link and no full text, at most
        `limit`, leaving out the ids in `skip`; and, once, those revised or moved since their
        text was fetched (skipped or not: the revision is news)."""
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT id, link FROM articles WHERE source_key = %s AND source = %s"
                " AND link <> ''"
                " AND ((coalesce(text, '') = '' AND NOT (id = ANY(%s))) OR id = ANY(%s))"
                " ORDER BY at DESC, day, seq LIMIT %s",
                (name_key(source), source, list(skip), list(self._stale_texts), max(0, limit)),
            )
            chosen = [(row[0], row[1]) for row in cur.fetchall()]
        self._stale_texts.difference_update(ident for ident, _ in chosen)
        return chosen

    def set_text(self, ident: str, text: str, seen: datetime | None = None) -> None:
        if not self.set_texts([(ident, text)], seen):
            raise StoreError(f"no article {ident}")

    def set_texts(self, pairs: list[tuple[str, str]], seen: datetime | None = None) -> int:
        """Attach full texts; returns how many articles were there to take them."""
        self._require_writer()
        texts = dict(pairs)
        if not texts:
            return 0
        at = utc_iso(seen or datetime.now(UTC))
        with self._cursor("cannot write full texts", write=True) as cur:
            cur.execute(
                "SELECT id, title, summary, text, text_seen, fetched FROM articles"
                " WHERE id = ANY(%s) ORDER BY id FOR UPDATE",  # in the order a write locks them
                (list(texts),),
            )
            found = cur.fetchall()
            for ident, title, summary, had, had_seen, fetched in found:
                text = texts[ident]
                if had == text:
                    continue  # the same text again changes nothing
                # seen when fetched; a text its item carried, when the item was
                had_seen = had_seen or fetched
                earlier = [{"seen": had_seen, "text": had}] if had else []
                cur.execute(  # the newest earlier texts kept, as a data dir keeps them: all
                    # of them made one row grow by a text a revision (a page revised at every
                    # poll: 20 MB after 67 polls), rewritten whole each time
                    "UPDATE articles SET text = %s, text_seen = %s, edits = edits + 1,"
                    " text_revisions = jsonb_path_query_array(text_revisions || %s, %s),"
                    f" {_NEW_WORDS}",
                    (
                        text,
                        at,
                        _jsonb(earlier),
                        f"$[last - {MAX_TEXT_REVISIONS - 1} to last]",
                        *_new_words(title, summary, text, ident),
                    ),
                )
        return len(found)

    def text_seen(self, ident: str) -> datetime | None:
        with self._read("cannot read") as cur:
            cur.execute(  # a text its item carried has no time of its own: its fetch's
                "SELECT COALESCE(text_seen, fetched) FROM articles WHERE id = %s AND text <> ''",
                (ident,),
            )
            row = cur.fetchone()
        return from_utc_iso(row[0]) if row and row[0] else None

    def text_revisions(self, ident: str) -> list[dict[str, str | None]]:
        """The full texts an article had before a different one was fetched, oldest first:
        {"seen" (when that text was fetched, UTC; None when not recorded), "text"}."""
        with self._cursor("cannot read") as cur:
            cur.execute("SELECT text_revisions FROM articles WHERE id = %s", (ident,))
            row = cur.fetchone()
        return [dict(r) for r in entries(row[0], ident, "earlier texts", self._odd)] if row else []

    def rename_sources(self, names: dict[str, str]) -> list[str]:
        """Give the articles of each source named in `names` (old -> new: the config renamed
        it; two may swap) its new name, in one statement; viewers draw their rows again
        (`~N`, as for rewritten headlines)."""
        self._require_writer()
        names = {old: new for old, new in names.items() if old != new}
        if not names:
            return []
        olds, news = list(names), list(names.values())
        with self._cursor("cannot rename a source's articles", write=True) as cur:
            cur.execute(  # (keys folded here, as the query language folds names: `name_key`)
                "UPDATE articles a SET source = m.new, source_key = m.new_key"
                " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[])"
                " AS m(old, old_key, new, new_key)"
                " WHERE a.source_key = m.old_key AND a.source = m.old RETURNING a.id",
                (olds, [name_key(o) for o in olds], news, [name_key(n) for n in news]),
            )
            ids = [row[0] for row in cur.fetchall()]
            if ids:
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"~{len(ids)}"))
        self._known.clear()  # its links are known under the new name from now on
        return ids

    def mark_pulled(self, marks: dict[str, float | None]) -> list[str]:
        """Give each article of `marks` its pulled mark (None takes it off), in one
        statement; viewers draw their rows again (`~N`, as for rewritten headlines)."""
        self._require_writer()
        if not marks:
            return []
        with self._cursor("cannot mark articles pulled", write=True) as cur:
            cur.execute(
                "UPDATE articles a SET pulled = m.pulled"
                " FROM unnest(%s::text[], %s::float8[]) AS m(id, pulled)"
                " WHERE a.id = m.id AND a.pulled IS DISTINCT FROM m.pulled RETURNING a.id",
                (list(marks), list(marks.values())),
            )
            ids = [row[0] for row in cur.fetchall()]
            if ids:
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"~{len(ids)}"))
        return ids

    def retag_sources(self, changes: dict[str, Retag]) -> list[str]:
        """Give the articles of each source in `changes` the tags the config gives it now,
        keeping their items' own (`retagged`), in one transaction; viewers draw their rows
        again (`~N`)."""
        self._require_writer()
        if not changes:
            return []
        names = list(changes)
        with self._cursor("cannot give a source's articles its new tags", write=True) as cur:
            cur.execute(
                "SELECT id, source, tags FROM articles"
                " WHERE source_key = ANY(%s::text[]) AND source = ANY(%s::text[])",
                ([name_key(name) for name in names], names),
            )
            rows: list[dict[str, Any]] = []
            for ident, source, tags in cur.fetchall():
                new = retagged(tags or [], *changes[source])
                if new != list(tags or []):  # (keys folded here, as `_columns` does)
                    rows.append({"id": ident, "tags": new, "keys": [name_key(t) for t in new]})
            if not rows:
                return []
            cur.execute(
                "UPDATE articles a"
                " SET tags = ARRAY(SELECT jsonb_array_elements_text(m.doc->'tags')),"
                " tag_keys = ARRAY(SELECT jsonb_array_elements_text(m.doc->'keys'))"
                " FROM jsonb_array_elements(%s::jsonb) AS m(doc)"
                " WHERE a.id = m.doc->>'id' RETURNING a.id",
                (_jsonb(rows),),
            )
            ids = [row[0] for row in cur.fetchall()]
            cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"~{len(ids)}"))
        return ids

    def apply_retention(
        self,
        days: int,
        now: datetime,
        spare: Collection[str] = (),
        dropped: dict[str, str] | None = None,
        real: datetime | None = None,
    ) -> int:
        """Delete articles first fetched on a UTC day older than `days`, except starred ones
        and those in `spare` (read marks stay, as a TinyDB store keeps them); `dropped` is
        given each one deleted (id -> source). A day after the real one (`real`, when `now`
        is a clock held still) is noted in `days_ahead` with the real day it was first found
        so, and dropped by retention on the real clock once that is older than `days`, as a
        TinyDB store drops it (`Store.apply_retention`)."""
        self._require_writer()
        cutoff = day_key(now - timedelta(days=days))
        today = day_key(real or now)
        self._known.clear()  # what retention removes is new again if a feed still has it
        with self._cursor("retention cannot write", write=True) as cur:
            cur.execute(  # days come, or gone
                "DELETE FROM days_ahead d WHERE d.day <= %s"
                " OR NOT EXISTS (SELECT 1 FROM articles a WHERE a.day = d.day)",
                (today,),
            )
            cur.execute("UPDATE days_ahead SET since = %s WHERE since > %s", (today, today))
            cur.execute(
                "INSERT INTO days_ahead (day, since) SELECT DISTINCT day, %s FROM articles"
                " WHERE day > %s ON CONFLICT DO NOTHING",
                (today, today),
            )
            cur.execute(
                "DELETE FROM articles a WHERE (a.day < %s OR (%s AND a.day IN"
                " (SELECT d.day FROM days_ahead d WHERE d.since < %s)))"
                " AND NOT a.id = ANY(%s::text[])"
                " AND NOT EXISTS (SELECT 1 FROM marks m WHERE m.id = a.id AND m.starred)"
                " RETURNING a.id, a.source",
                (cutoff, real is None, cutoff, list(spare)),
            )
            rows = cur.fetchall()
            removed = len(rows)
            if dropped is not None:
                dropped.update((ident, source) for ident, source in rows)
            if removed:  # viewers list and count again (`gone_at_reload`)
                cur.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"-{removed}"))
            # a starred article stays with the text it has; its earlier texts go with the day
            cur.execute(
                "UPDATE articles SET text_revisions = '[]'"
                " WHERE day < %s AND text_revisions <> '[]'",
                (cutoff,),
            )
            return removed

    def days_ahead(self) -> dict[str, str]:
        """The days filed after the real one, each with the real day retention first found
        it so (`days_ahead`), for a copy of the store to take."""
        with self._cursor("cannot read the days filed ahead") as cur:
            cur.execute("SELECT day, since FROM days_ahead ORDER BY day")
            return {day: since for day, since in cur.fetchall()}

    def note_days_ahead(self, noted: dict[str, str]) -> None:
        """(A writer.) Take the days ahead another store noted (a copy's source), each with
        the earlier of its real days (`Store.note_days_ahead`)."""
        self._require_writer()
        if not noted:
            return
        with self._cursor("cannot note the days filed ahead", write=True) as cur:
            cur.execute(
                "INSERT INTO days_ahead (day, since) SELECT * FROM unnest(%s::text[], %s::text[])"
                " ON CONFLICT (day) DO UPDATE SET since = LEAST(days_ahead.since, EXCLUDED.since)",
                (list(noted), list(noted.values())),
            )

    def backfill(self, most: int = BACKFILL_ROWS) -> int:
        """(A writer, in a thread.) Give up to `most` rows a wirewatch before pairs stored
        their words, exact places and pairs, as a write now gives them (a row too long for
        pairs is marked so, and never picked again), in one short transaction; how many rows
        it took, 0 when none is left. Newest first. Pollers may fill beside each other: a row
        locked by another is passed over, so none is filled twice and none waits for another
        (what locks a row writes its pairs, or deletes it); past the oldest row, it looks once
        more from the newest for any it passed over before it says none is left."""
        self._require_writer()
        with self._cursor("cannot give older articles their pairs", write=True) as cur:
            # a server gone quiet ends the batch, not the poller's shutdown that waits for it
            cur.execute(f"SET LOCAL statement_timeout = {BACKFILL_TIMEOUT_MS}")
            cur.execute(_WITHOUT_PAIRS, (self._filled_down_to, most))
            rows = cur.fetchall()
            if not rows and self._filled_down_to != _ABOVE_ALL:
                self._filled_down_to = _ABOVE_ALL
                cur.execute(_WITHOUT_PAIRS, (_ABOVE_ALL, most))
                rows = cur.fetchall()
            if not rows:
                return 0
            columns: list[list[Any]] = [[] for _ in range(6)]
            too_long: list[str] = []
            for ident, title, summary, text, length, _ in rows:
                if text is None and length:  # past PAIRS_TEXT: not read
                    too_long.append(ident)
                    continue
                words = article_words(title, summary, text)
                values = (ident, *words, places_exact(words, length), pairs(words, length))
                for column, value in zip(columns, values, strict=True):
                    column.append(value)
            if columns[0]:
                cur.execute(_FILL_PAIRS, columns)
            for start in range(0, len(too_long), LONG_ROWS_AT_ONCE):  # words, no pairs
                cur.execute(_LONG_ROWS, (too_long[start : start + LONG_ROWS_AT_ONCE],))
                long_columns: list[list[Any]] = [[] for _ in range(6)]
                for ident, title, summary, text, length in cur.fetchall():
                    words = article_words(title, summary, text)
                    values = (ident, *words, places_exact(words, length or 0), None)
                    for column, value in zip(long_columns, values, strict=True):
                        column.append(value)
                if long_columns[0]:
                    cur.execute(_FILL_PAIRS, long_columns)  # (no pairs: marked too long)
        self._filled_down_to = int(rows[-1][5])
        return len(rows)

    # -- marks -------------------------------------------------------------------------------
    def marks_changed(self) -> bool:
        """Never said: the marks are the database's, read with each row, and nothing tells
        cheaply whether another host changed one (a screen draws those when it next reads
        its rows: a filter, a cycle's new articles)."""
        return False

    def set_state(
        self, ids: Iterable[str], read: bool | None = None, starred: bool | None = None
    ) -> None:
        """Change marks (any process, any host): a star for the desk, a read mark for this
        store's reader alone. No ids: write those held before, if any.

        While the server is out of reach the marks are held here (laid over the rows read
        once it answers), MarksNotSaved says so, and the next change written writes them
        too: a star given during an outage was dropped without a word."""
        change = {k: v for k, v in (("read", read), ("starred", starred)) if v is not None}
        with self._marks_guard:
            if change:
                for ident in dict.fromkeys(ids):
                    self._held_marks[ident] = {**self._held_marks.get(ident, {}), **change}
            if not self._held_marks:
                return
            held = dict(self._held_marks)
            try:
                with self._cursor("cannot write marks", write=True) as cur:
                    for (mark, value), idents in _by_change(held).items():
                        self._write_marks(cur, mark, value, idents)
            except StoreWriteError as exc:
                away = self.unreachable
                if away is None:  # (the server answered and refused: not held)
                    for ident, marks in held.items():
                        if self._held_marks.get(ident) == marks:
                            del self._held_marks[ident]
                    raise
                said = "Read and starred marks are held until the database answers."
                raise MarksNotSaved(away.reason, len(self._held_marks), said) from exc
            for ident, marks in held.items():
                if self._held_marks.get(ident) == marks:
                    del self._held_marks[ident]

    def _write_marks(self, cur: Any, mark: str, value: bool, idents: list[str]) -> None:
        """Set one mark of these articles: a read mark this reader's, a star the desk's."""
        if mark == "read" and value:
            cur.execute(
                "INSERT INTO reads (reader, id) SELECT %s, unnest(%s::text[])"
                " ON CONFLICT DO NOTHING",
                (self.reader, idents),
            )
        elif mark == "read":
            cur.execute(
                "DELETE FROM reads WHERE reader = %s AND id = ANY(%s)", (self.reader, idents)
            )
        elif value:
            cur.execute(
                "INSERT INTO marks (id, starred) SELECT unnest(%s::text[]), true"
                " ON CONFLICT (id) DO UPDATE SET starred = true",
                (idents,),
            )
        else:
            cur.execute("DELETE FROM marks WHERE id = ANY(%s)", (idents,))

    def _with_held_marks(self, records: list[Record]) -> list[Record]:
        """The records with the marks held here laid over them (the server answers again,
        and they are not written yet)."""
        held = self._held_marks
        if not held:
            return records
        for record in records:
            marks = held.get(record.id)
            if marks:
                record.read = marks.get("read", record.read)
                record.starred = marks.get("starred", record.starred)
        return records

    def unread(self, ids: Iterable[str]) -> set[str]:
        """The articles of these ids that are stored and that this store's reader has not
        read, in one query."""
        idents = list(dict.fromkeys(ids))
        if not idents:
            return set()
        with self._read("cannot read marks") as cur:
            cur.execute(
                "SELECT a.id FROM articles a WHERE a.id = ANY(%s::text[]) AND NOT EXISTS"
                " (SELECT 1 FROM reads r WHERE r.reader = %s AND r.id = a.id)",
                (idents, self.reader),
            )
            return {row[0] for row in cur.fetchall()}

    # -- reading -----------------------------------------------------------------------------
    def __len__(self) -> int:
        with self._read("cannot read") as cur:
            cur.execute("SELECT count(*) FROM articles")
            row = cur.fetchone()
        return int(row[0]) if row else 0

    def headlines(self, ids: Iterable[str]) -> list[Record]:
        """Every field: a row is read whole (a list of stories reads the newest articles)."""
        return self.records(ids)

    def records(self, ids: Iterable[str]) -> list[Record]:
        wanted = list(ids)
        if not wanted:
            return []
        with self._read("cannot read") as cur:
            cur.execute(f"SELECT {_COLUMNS} FROM {_FROM} WHERE a.id = ANY(%s)", (wanted,))
            found = {row[0]: record_of_row(row, self._odd) for row in cur.fetchall()}
        return self._with_held_marks([found[i] for i in wanted if i in found])

    def reported(self, ids: Iterable[str]) -> list[tuple[str, float]]:
        """Their times alone, not their rows."""
        wanted = list(ids)
        if not wanted:
            return []
        with self._read("cannot read") as cur:
            cur.execute("SELECT id, published, fetched FROM articles WHERE id = ANY(%s)", (wanted,))
            found = {
                ident: Record(ident, "", "", published=published, fetched=fetched).reported
                for ident, published, fetched in cur.fetchall()
            }
        return [(i, found[i]) for i in wanted if i in found]

    def record(self, ident: str) -> Record | None:
        found = self.records([ident])
        return found[0] if found else None

    def get(self, ident: str) -> Article | None:
        record = self.record(ident)
        return article_of(record) if record is not None else None

    def text(self, ident: str) -> str | None:
        with self._read("cannot read") as cur:
            cur.execute("SELECT text FROM articles WHERE id = %s", (ident,))
            row = cur.fetchone()
        return (row[0] or None) if row else None

    def revisions(self, ident: str) -> list[dict[str, str]]:
        with self._read("cannot read") as cur:
            cur.execute("SELECT revisions FROM articles WHERE id = %s", (ident,))
            row = cur.fetchone()
        return entries(row[0], ident, "revisions", self._odd) if row else []

    def revisions_by_day(self, key: str) -> dict[str, list[dict[str, Any]]]:
        """The revisions of the articles first fetched on one day that have any."""
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT id, revisions FROM articles WHERE day = %s AND revisions <> '[]'", (key,)
            )
            return {
                row[0]: entries(row[1], row[0], "revisions", self._odd) for row in cur.fetchall()
            }

    def text_revisions_by_day(self, key: str) -> dict[str, list[dict[str, Any]]]:
        """The earlier full texts of the articles first fetched on one day that have any."""
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT id, text_revisions FROM articles WHERE day = %s AND text_revisions <> '[]'",
                (key,),
            )
            return {
                row[0]: entries(row[1], row[0], "earlier texts", self._odd)
                for row in cur.fetchall()
            }

    def iter_articles(self, ids: Iterable[str]) -> Iterator[Article]:
        wanted = list(ids)
        for start in range(0, len(wanted), BATCH):
            for record in self.records(wanted[start : start + BATCH]):
                yield article_of(record)

    def query(self, query: Query | None = None, limit: int | None = None) -> list[Article]:
        return [article_of(r) for r in self._matching(query, limit)]

    def part(
        self, query: Query | None, around: int, row: int | None = None, through: str | None = None
    ) -> tuple[int, int, list[str]] | None:
        """None: a dashboard lists at most `list_window` of the newest matches here, so no
        highlight is a million rows down."""
        return None

    def query_ids(self, query: Query | None = None, limit: int | None = None) -> list[str]:
        """Ids newest first; a query the SQL says whole reads only the ids (a dashboard asks
        for every match of its filter: no record is made for them)."""
        if limit is not None and limit <= 0:
            return []
        sql = self._plan(query)
        if sql.exact or query is None:
            statement, params = self._select("a.id", sql.where, sql.params, limit)
            with self._read("cannot read") as cur:
                cur.execute(statement, params)
                return [row[0] for row in cur.fetchall()]
        if limit is not None:  # only the ids of the matches are kept, never their records
            return self._pages(query, sql, limit, _id_of)
        return [record.id for record in self._tested(query, sql)]

    def _plan(self, query: Query | None) -> Plan:
        """`plan`, with `story:` and `outlets:` said by the database once it keeps stories;
        before (a first grouping not yet saved) the query's own terms answer them, from
        the stories grouped in memory."""
        asks = query is not None and query.asks_stories
        if not asks:
            return plan(query)
        with self._read("cannot read the stories") as cur:
            cur.execute("SELECT EXISTS (SELECT 1 FROM stories)")
            row = cur.fetchone()
        return plan(query, stories=bool(row and row[0]))

    def newest(self, query: Query, limit: int) -> list[str]:
        return self.query_ids(query, limit)

    def ids_starting(self, start: str, limit: int) -> list[str]:
        """(The ids are compared in the server: a million are not sent for a few.)"""
        if limit <= 0:
            return []
        with self._read("cannot read") as cur:
            cur.execute(
                "SELECT id FROM articles WHERE starts_with(lower(id), %s) ORDER BY id LIMIT %s",
                (start.lower(), limit),
            )
            return [row[0] for row in cur.fetchall()]

    def _testable(self, query: Query, sql: Plan) -> Query:
        """`query` as its rows are tested in Python: where the database says `story:` and
        `outlets:` by the stories it keeps, a clause it cannot say whole (a story term beside
        a word) has its story terms answered by those stories too, not by none (a query
        parsed without stories: every article a story of its own, of one outlet)."""
        if not sql.said_stories:
            return query
        return query.with_stories(_SavedStoryFacts(self), sql.exact_clauses)

    @staticmethod
    def _select(
        columns: str, where: str, params: list[Any], limit: int | None
    ) -> tuple[str, list[Any]]:
        statement = f"SELECT {columns} FROM {_FROM} WHERE {where} ORDER BY {_ORDER}"
        if limit is None:
            return statement, list(params)
        return statement + " LIMIT %s", [*params, limit]

    def _matching(self, query: Query | None, limit: int | None) -> list[Record]:
        """The matching records newest first: the SQL says what it can; when it cannot say
        all, the rows it gives are tested (only the matching records are kept): up to a
        limit in pages (`_pages`), all of them through a cursor."""
        if limit is not None and limit <= 0:
            return []
        sql = self._plan(query)
        if sql.exact or query is None:
            statement, params = self._select(_COLUMNS, sql.where, sql.params, limit)
            with self._read("cannot read") as cur:
                cur.execute(statement, params)
                return [record_of_row(row, self._odd) for row in cur.fetchall()]
        if limit is not None:
            return self._pages(query, sql, limit, _record_of)
        return list(self._tested(query, sql))

    def count(self, query: Query) -> int:
        """How many articles match: counted by the server when the SQL says the whole query,
        else the rows it gives are tested as they stream in (none is kept)."""
        sql = self._plan(query)
        if sql.exact:
            with self._read("cannot count") as cur:
                cur.execute(f"SELECT count(*) FROM {_FROM} WHERE {sql.where}", sql.params)
                row = cur.fetchone()
            return int(row[0]) if row else 0
        return sum(1 for _ in self._tested(query, sql))

    def holds(self, query: Query, ident: str) -> bool:
        """Whether the article matches: its row, if the SQL keeps it, tested as the rows of
        a list are (one row read, its full text with it when a word asks for it)."""
        sql = self._plan(query)
        columns = _COLUMNS + (", a.text" if sql.wants_text else "")
        with self._read("cannot read") as cur:
            cur.execute(
                f"SELECT {columns} FROM {_FROM} WHERE a.id = %s AND ({sql.where})",
                [ident, *sql.params],
            )
            row = cur.fetchone()
        if row is None:
            return False
        if sql.exact:
            return True
        text = row[_TEXT_AT] if sql.wants_text else None
        tested = self._testable(query, sql)
        return tested.matches(record_of_row(row, self._odd), _said(sql), text_of=lambda _: text)

    def _tested(self, query: Query, sql: Plan) -> Iterator[Record]:
        """Every record matching `query`, newest first: the rows the SQL gives, read through
        a cursor a batch at a time and tested."""
        columns = _COLUMNS + (", a.text" if sql.wants_text else "")
        statement, params = self._select(columns, sql.where, sql.params, None)
        query = self._testable(query, sql)  # (before the rows' connection is taken)
        with (
            self._errors("cannot read"),
            self._connection() as conn,
            conn.cursor(name=f"query_{threading.get_ident()}_{time.monotonic_ns()}") as cur,
        ):
            cur.itersize = BATCH
            if sql.narrowed:  # few candidates: plan for all of them (a bitmap scan of the
                # words index and a sort), not for the first (walking the date order)
                conn.execute("SET LOCAL cursor_tuple_fraction = 1")
            cur.execute(statement, params)
            texts: dict[str, str | None] = {}
            known = _said(sql)
            for row in cur:
                check_superseded()
                record = record_of_row(row, self._odd)
                if sql.wants_text:
                    texts[record.id] = row[_TEXT_AT]
                if query.matches(record, known, text_of=lambda r: texts.get(r.id)):
                    yield record
                texts.clear()

    def _pages(self, query: Query, sql: Plan, limit: int, keep: Callable[[Record], T]) -> list[T]:
        """What `keep` keeps of the first `limit` records matching `query`, newest first,
        read in pages that each carry their LIMIT to the server and go on after the last row
        of the one before. A page of more than BATCH rows comes through a cursor on the
        server a batch at a time (a page of thousands of rows with their full texts, read at
        once, took a dashboard 40 MB), and stops where the limit is reached.

        A query the words index narrows, unless the planner guesses it rare, first walks
        the date order a window of rows at a time (`WALK`, bounded, whatever the planner
        thinks of the word): a common word has its matches there and stops. When the
        matches found so far say the rest lies far back (or there were none), the rest
        comes from the words index, its rows sorted, rather than from a walk through the
        whole table."""
        found: list[T] = []
        texts: dict[str, str | None] = {}  # the full text of the row being tested
        columns = _COLUMNS + (", a.text" if sql.wants_text else "")
        after: tuple[float, str, int] | None = None  # the last row read: (at, day, seq)
        known = _said(sql)
        query = self._testable(query, sql)

        def page(cur: Any, upto: tuple[float, str, int] | None, size: int) -> bool:
            """Test a page after `after` (up to `upto`, the last row of a window); True
            when it was the last there is."""
            nonlocal after
            where, params = sql.where, list(sql.params)
            if after is not None:
                where += " AND" + _AFTER
                params += [after[0], *after]
            if upto is not None:
                where += " AND" + _UPTO
                params += [upto[0], *upto]
            statement, params = self._select(columns, f"({sql.where}){where[len(sql.where):]}",
                                             params, size)  # fmt: skip
            read, last = 0, None
            with contextlib.closing(_rows(cur, statement, params, size)) as rows:
                for row in rows:
                    read, last = read + 1, row
                    check_superseded()
                    record = record_of_row(row, self._odd)
                    if sql.wants_text:
                        texts[record.id] = row[_TEXT_AT]
                    if query.matches(record, known, text_of=lambda r: texts.get(r.id)):
                        found.append(keep(record))
                    texts.clear()
                    if len(found) >= limit:
                        return True
            if last is not None:
                after = (last[14], last[13], last[15])
            return read < size

        with self._cursor("cannot read") as cur:
            # a pane's first page, `list --limit 20`: planned for one process, as launching
            # the server's parallel workers takes 10-70 ms, more than reading such a page (a
            # word no article holds: 0.2 ms)
            alone = "SET LOCAL max_parallel_workers_per_gather = 0" if limit <= BATCH else None
            if alone is not None and not sql.narrowed:
                cur.execute(alone)
            if sql.narrowed:
                # Walking more rows than `enough` costs more than reading that many rows
                # through the words index. A query the planner guesses to have fewer
                # candidates than that walks only a short window first (a guess can be far
                # off either way: a word no article holds is guessed at half the rarest
                # word's count, a prefix in every row of a small table at a fiftieth). The
                # table's size, the planner's guess and where either first window ends are
                # asked at once (one round trip). The first window, at most WALK rows, is
                # walked in the date order itself: a bitmap of the words index for it (the
                # planner's choice for a page of 42 of a million) reads every row of a common
                # word's index, 35 ms for "tariff" against 7-14 ms for the walk.
                conn, short = cur.connection, max(PAGE, WALK // 10)
                with conn.pipeline():
                    if alone is not None:
                        conn.execute(alone)
                    conn.execute("SET LOCAL enable_bitmapscan = off")
                    tuples = conn.execute(
                        "SELECT reltuples FROM pg_class WHERE oid = 'articles'::regclass"
                    )
                    guess = conn.execute(
                        f"EXPLAIN (FORMAT JSON) SELECT 1 FROM {_FROM} WHERE {sql.where}",
                        sql.params,
                    )
                    ends = {
                        window: conn.execute(_WINDOW_END.format(after=""), [window - 1])
                        for window in (short, WALK)
                    }
                row = tuples.fetchone()
                enough = math.sqrt(max(0.0, float(row[0]) if row else 0.0) * limit)
                row = guess.fetchone()
                guessed = float(row[0][0]["Plan"]["Plan Rows"]) if row else math.inf
                window = WALK if guessed > enough else short
                bound = ends[window].fetchone()
                walking = True  # the first window, in the date order
                while True:
                    upto = (float(bound[0]), str(bound[1]), int(bound[2])) if bound else None
                    had = len(found)
                    while not page(cur, upto, max(limit - len(found), PAGE)):
                        pass
                    if len(found) >= limit or upto is None:
                        return found[:limit]
                    after = upto
                    hits = len(found) - had
                    further = (limit - len(found)) * window / hits if hits else math.inf
                    if further > max(enough, WALK):
                        break  # the rest is rare: the words index gives it
                    if walking:  # the next windows as the planner sees fit
                        cur.execute("SET LOCAL enable_bitmapscan = on")
                        walking = False
                    window = int(further * 1.5) + 1
                    cur.execute(
                        _WINDOW_END.format(after=" WHERE" + _AFTER), [after[0], *after, window - 1]
                    )
                    bound = cur.fetchone()
                # the rest through the words index (a bitmap of its rows, sorted), never a
                # walk through every older row
                cur.execute(
                    "SET LOCAL enable_bitmapscan = on; SET LOCAL enable_indexscan = off;"
                    " SET LOCAL enable_seqscan = off"
                )
            size = max(limit - len(found), PAGE)
            while not page(cur, None, size):
                size = min(size * 4, MAX_PAGE)
        return found[:limit]

    def sources_count(self) -> dict[str, int]:
        with self._cursor("cannot read") as cur:
            cur.execute("SELECT min(source), count(*) FROM articles GROUP BY source_key")
            return {row[0]: int(row[1]) for row in cur.fetchall()}

    def tags_count(self) -> dict[str, int]:
        """Articles per tag as `tag:` finds them (by the keys stored, `name_key`), each
        shown as an article spells it."""
        with self._cursor("cannot read") as cur:
            cur.execute(
                "SELECT k, count(DISTINCT a.id) FROM articles a, unnest(a.tag_keys) AS k"
                " WHERE k IS NOT NULL GROUP BY k"
            )
            counts = {row[0]: int(row[1]) for row in cur.fetchall()}
            cur.execute("SELECT DISTINCT t FROM articles, unnest(tags) AS t WHERE t IS NOT NULL")
            spelt: dict[str, str] = {}
            for (tag,) in cur.fetchall():
                key = name_key(tag)
                if key in counts and (key not in spelt or tag < spelt[key]):
                    spelt[key] = tag
        return {spelt.get(key, key): count for key, count in counts.items()}

    def search_scores(self, words: list[str]) -> dict[str, float]:
        """ts_rank (higher is more relevant; titles weigh most, then summaries, then full
        texts) of each article holding any of the words or phrases."""
        queries = [q for q in map(prefix_query, words) if q is not None]
        if not queries:
            return {}
        tsquery = " | ".join(f"({q})" for q in queries)
        # as the data dir's index ranks (`SearchIndex.scores`): a title holding more of the
        # words first (a word's lexemes marked A, the title's weight), then ts_rank
        in_titles = " + ".join("(words @@ to_tsquery('simple', %s))::int" for _ in queries)
        with self._cursor("cannot rank") as cur:
            cur.execute(
                f"SELECT id, ts_rank(words, q) + %s * ({in_titles})"
                " FROM articles, to_tsquery('simple', %s) AS q WHERE words @@ q",
                (TITLE_TIER, *map(_in_title, queries), tsquery),
            )
            return {row[0]: float(row[1]) for row in cur.fetchall()}

    # -- for derived indexes ("shards" are the days of the fetch) ------------------------------
    def shard_keys(self) -> list[str]:
        with self._cursor("cannot read") as cur:
            cur.execute("SELECT DISTINCT day FROM articles ORDER BY day")
            return [row[0] for row in cur.fetchall()]

    def shard_version(self, key: str) -> Version | None:
        with self._cursor("cannot read") as cur:
            return self._version(cur, key)

    @staticmethod
    def _version(cur: Any, key: str) -> Version | None:
        cur.execute(
            "SELECT count(*), coalesce(max(seq), 0), coalesce(sum(edits), 0) FROM articles"
            " WHERE day = %s",
            (key,),
        )
        row = cur.fetchone()
        if not row or not row[0]:
            return None
        return (int(row[0]), int(row[1]), int(row[2]))

    def records_with_texts(
        self, key: str
    ) -> tuple[Version | None, list[tuple[Record, str | None]]]:
        with self._cursor("cannot read") as cur:
            version = self._version(cur, key)
            cur.execute(
                f"SELECT {_COLUMNS}, a.text FROM {_FROM} WHERE a.day = %s ORDER BY a.seq", (key,)
            )
            pairs = [(record_of_row(row, self._odd), row[_TEXT_AT]) for row in cur.fetchall()]
        return version, pairs


def _rows(
    cur: Any, statement: str, params: list[Any], size: int
) -> Generator[tuple[Any, ...], None, None]:
    """The rows of a statement whose LIMIT is `size`, on `cur`'s connection (in its
    transaction): read at once when they are at most BATCH, else through a cursor on the
    server a batch at a time, planned as the statement alone would be (for all its rows).
    The caller may stop early: the rest is never sent."""
    if size <= BATCH:
        cur.execute(statement, params)
        yield from cur.fetchall()
        return
    conn = cur.connection
    conn.execute("SET LOCAL cursor_tuple_fraction = 1")
    with conn.cursor(name=f"page_{threading.get_ident()}_{time.monotonic_ns()}") as named:
        named.itersize = BATCH
        named.execute(statement, params)
        yield from named


def _id_of(record: Record) -> str:
    return record.id


# what says the server was not reached, or its connection lost: no state (the client's own),
# connection exceptions (08), the server shutting down (57P01-57P03), an idle session ended
# (57P05), no connection left for this one (53300); not a deadlock or a full disk of a server
# that answers
_LOST_STATES = ("08", "57P01", "57P02", "57P03", "57P05", "53300")


def _by_change(held: dict[str, dict[str, bool]]) -> dict[tuple[str, bool], list[str]]:
    """Held marks as the changes that write them: the ids of each mark's value."""
    changes: dict[tuple[str, bool], list[str]] = {}
    for ident, marks in held.items():
        for mark, value in marks.items():
            changes.setdefault((mark, value), []).append(ident)
    return changes


def _unreachable(exc: BaseException, psycopg: Any) -> bool:
    """Whether a driver's error says the server is out of reach (`PostgresStore.unreachable`)."""
    from psycopg_pool import PoolTimeout

    if isinstance(exc, (psycopg.InterfaceError, PoolTimeout)):
        return True
    if not isinstance(exc, psycopg.OperationalError):
        return False
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith(_LOST_STATES)


def _record_of(record: Record) -> Record:
    return record


class _SavedStoryFacts:
    """`story:` and `outlets:` as the stories the database keeps say them (`StoryFacts`),
    each asked in one statement: for a clause the SQL cannot say whole (a story term beside
    a word), whose rows are tested in Python."""

    def __init__(self, store: PostgresStore) -> None:
        self.store = store

    def story_of(self, ident: str) -> str | None:
        with self.store._read("cannot read the stories") as cur:
            cur.execute("SELECT story FROM story_members WHERE id = %s", (ident,))
            row = cur.fetchone()
        return row[0] if row else None

    def outlets_of(self, ident: str) -> int | None:
        with self.store._read("cannot read the stories") as cur:
            cur.execute(
                f"SELECT {OUTLETS_SQL} FROM story_members x JOIN stories y ON y.id = x.story"
                " WHERE x.id = %s",
                (ident,),
            )
            row = cur.fetchone()
        return int(row[0]) if row and row[0] else None

    def articles_of(self, story: str) -> list[str]:
        with self.store._read("cannot read the stories") as cur:
            cur.execute("SELECT id FROM story_members WHERE story = %s", (story,))
            return [row[0] for row in cur.fetchall()]

    def articles_where(self, outlets: Callable[[int], bool]) -> list[str]:
        with self.store._read("cannot read the stories") as cur:
            cur.execute(f"SELECT y.id, {OUTLETS_SQL} FROM stories y WHERE {OUTLETS_SQL} > 1")
            chosen = [row[0] for row in cur.fetchall() if outlets(int(row[1]))]
            cur.execute("SELECT id FROM story_members WHERE story = ANY(%s)", (chosen,))
            return [row[0] for row in cur.fetchall()]


def _said(sql: Plan) -> dict[int, Verdicts]:
    """The clauses the SQL says whole, as holding for every row it gives (no term of them is
    tested again: story: and outlets: as the saved stories say, not as a dashboard's)."""
    return {number: Verdicts(rest=True) for number in sql.exact_clauses}


def _columns(items: list[StagedArticle]) -> list[Any]:
    """The parameters of `_INSERT` for staged articles (in the batch's order): how many, then
    the arrays it unnests, one per column, in the order of the articles' ids, the last one
    each article's place in the batch. The keys that source:, tag: and lang: compare are
    made here, as the query language makes its values (`name_key` for names): the
    database's lower() lowers only ASCII in a C-locale database, and folds no quotes."""
    cols: list[list[Any]] = [[] for _ in range(26)]
    by_id = sorted(range(len(items)), key=lambda place: items[place].record.id)
    for place, item in zip(by_id, map(items.__getitem__, by_id), strict=True):
        record, doc = item.record, item.doc
        words = article_words(record.title, record.summary, item.text)
        values = (
            record.id,
            record.source,
            record.title,
            record.summary,
            record.link or None,
            record.published,
            doc.get("fetched"),
            _jsonb(list(record.tags)),
            record.lang,
            record.author,
            record.guid,
            record.listed,
            doc.get("revised"),
            item.key,
            record.when,
            item.text or None,
            _jsonb(list(doc.get("revisions") or [])),
            *words,
            name_key(record.source),
            _jsonb([name_key(tag) for tag in record.tags]),
            (record.lang or "").lower().split("-")[0],
            places_exact(words, len(item.text or "")),
            pairs(words, len(item.text or "")),
            place + 1,
        )
        for column, value in zip(cols, values, strict=True):
            column.append(value)
    return [len(items), *cols]
