"""Plain data shared by every part of wirewatch: articles, sources, events, settings."""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from fetchers.redact import redact
from fetchers.text import plain_message
from fetchers.webaddress import untracked

SourceKind = Literal["feed", "page", "file"]
"""What a source is read as: a feed, a web page of links, or a local file."""
Origin = Literal["config", "store"]
"""Where an event comes from: the config file (read-only in the app) or the app's own."""
PollStatus = Literal["ok", "not-modified", "error"]
"""How one poll of a source went."""
HealthStatus = Literal["ok", "not-modified", "error", "pending"]
"""A source's state: how its last poll went, or pending before the first."""
Clock = Callable[[], datetime]
"""What time it is, aware: `system_clock`, or a fixed time (`--now`, a test)."""


def system_clock() -> datetime:
    """The time now, in UTC."""
    return datetime.now(UTC)


def utc_iso(when: datetime | None) -> str | None:
    """Format an aware datetime as the UTC form of the JSON contract (2025-10-24T06:15:00Z)."""
    if when is None:
        return None
    # (a year of fewer than four digits as four: strftime's %Y writes "999" on Linux)
    return f"{when.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}".zfill(20)


def seconds_iso(seconds: float | None) -> str | None:
    """POSIX seconds (how the store keeps times) in the same UTC form; None stays None."""
    return utc_iso(datetime.fromtimestamp(seconds, UTC)) if seconds is not None else None


def from_utc_iso(text: str | None) -> datetime | None:
    """Read back what :func:`utc_iso` wrote."""
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def comparable(summary: str) -> str:
    """A title or summary as two versions of it are compared for a revision: its paragraph
    breaks as spaces, without soft hyphens. Versions that part their paragraphs otherwise
    say the same (a description whose source wraps its lines was read as a paragraph a line,
    and is read as one now: each article stored so would have been revised once, for
    nothing), and so do versions with and without soft hyphens (stored before they were
    taken out of feed text)."""
    if "\n\n" in summary:
        summary = summary.replace("\n\n", " ")
    return summary.replace("\u00ad", "") if "\u00ad" in summary else summary


# a source's tags as its stored articles carry them, and as the config gives them now
Retag = tuple[tuple[str, ...], tuple[str, ...]]


def retagged(tags: Sequence[str], before: Sequence[str], after: Sequence[str]) -> list[str]:
    """An article's tags once its source's tags `before` became `after` in the config: the
    source's first, then its item's own (those no source tag of before), each once."""
    return list(dict.fromkeys([*after, *(tag for tag in tags if tag not in before)]))


def counted(count: int, noun: str, plural: str = "") -> str:
    """`count` and its noun, agreeing, as a log line says it ("1 source", "2 sources",
    "1 story", with `plural` "stories")."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def article_id(source: str, guid: str | None, link: str | None, title: str, summary: str) -> str:
    """A stable id: the guid, else the link (less its tracking parameters, which some feeds
    stamp anew at each fetch), else a hash of the content, scoped to the source."""
    basis = guid or (untracked(link) if link else "") or f"{title}\n{summary}"
    # surrogatepass: a lone surrogate from a character reference must not cost the article
    data = f"{source}\n{basis}".encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=8).hexdigest()


# a publication time this far past the fetch is kept (a clock's drift); a later one is the
# fetch's time (`fetchers.feeds`), and the running hour's counts take it in (`fetchers.trends`)
AHEAD_ALLOWED = timedelta(minutes=10)
# seconds a source's last poll may lie after a clock unsaid (another host's clock, in a store
# several pollers share); further, the clock went back (or --now is earlier), and the poller's
# log and the status line say so
CLOCK_SKEW = 60.0
# an item's tags kept (its source's first), and a source's: a feed's categories, not a list of
# thousands, each filed in every index and shard map
TAG_LIMIT = 100
# seconds a source went unread (and two of its intervals at least) after which its poll
# brings a backlog (`PollResult.first`)
BACKLOG_AFTER = 24 * 3600.0


def in_a_backlog(times: Sequence[float], fetched: float) -> bool:
    """Whether what a source's poll stored at `fetched` came in a backlog, told from the
    store where which polls were first is not kept (`PollResult.first`): the source had
    nothing stored in the `BACKLOG_AFTER` before. `times`: when its stored articles were
    fetched, sorted (one poll's articles share theirs). A source quiet for a day counts so."""
    at = bisect.bisect_left(times, fetched)
    return at == 0 or fetched - times[at - 1] >= BACKLOG_AFTER


MAX_REVISIONS = 50  # versions kept per article; the oldest go first
# characters of headlines and summaries an article's revisions keep at most, the oldest going
# first: a feed of whole articles as summaries, edited at each poll, made a shard of twenty
# articles 67 MB (fifty revisions of 64 KiB each), rewritten at every cycle
REVISION_CHARS = 256 * 1024


def kept_revisions(revisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest of an article's revisions (oldest first) within `MAX_REVISIONS` and
    `REVISION_CHARS`; the latest is kept whatever its size."""
    kept = revisions[-MAX_REVISIONS:]
    size = 0
    for place in range(len(kept) - 1, -1, -1):
        entry = kept[place]
        size += sum(
            len(v) for v in (entry.get("title"), entry.get("summary")) if isinstance(v, str)
        )
        if size > REVISION_CHARS and place < len(kept) - 1:
            return kept[place + 1 :]
    return kept


@dataclass(slots=True)
class Article:
    """One news item as wirewatch keeps it."""

    id: str
    source: str
    title: str
    link: str | None = None
    published: datetime | None = None
    fetched: datetime | None = None
    summary: str = ""
    text: str | None = None
    tags: list[str] = field(default_factory=list)
    lang: str | None = None
    author: str | None = None
    guid: str | None = None
    read: bool = False
    starred: bool = False
    # earlier versions of this article seen in the same document: {seen, title, summary},
    # oldest first (items that share a guid are one article)
    revisions: list[dict[str, str]] = field(default_factory=list)
    # Where an article without a date of its own sits in date order: the date of the article
    # it was printed with (a related headline). Never shown as its publication time.
    listed: datetime | None = None
    # an item without a guid whose document gave its link to other items too: its title and
    # summary, not its link, tell it from the articles stored under that link (not stored)
    shares_link: bool = False
    # an item without a guid: its link and a digest of its words, what it is known by when
    # its link is shared (`feeds.told_by_words`; not stored)
    words_key: str | None = None

    def sort_key(self) -> datetime:
        """Newest-first ordering uses the publication time, else where it is listed, else
        the time it was fetched."""
        return self.published or self.listed or self.fetched or datetime.min.replace(tzinfo=UTC)

    def to_json(self, with_text: bool = False) -> dict[str, Any]:
        """The JSON shape of `wirewatch list --json` (and `show --json` with the text)."""
        out: dict[str, Any] = {
            "id": self.id,
            "source": self.source,
            "title": self.title,
            "link": self.link,
            "published": utc_iso(self.published),
            "fetched": utc_iso(self.fetched),
            "summary": self.summary,
            "tags": list(self.tags),
            "read": self.read,
            "starred": self.starred,
        }
        if with_text:
            out["text"] = self.text if self.text is not None else self.summary
            # (a script tells the page's text from the feed's summary standing in for it)
            out["text_source"] = text_source(self.text, self.summary)
        return out


def text_source(text: str | None, summary: str | None) -> str | None:
    """Where an article's shown text comes from: "page" (its full text), "summary" (the
    feed's, no full text yet) or None (neither)."""
    if text is not None:
        return "page"
    return "summary" if summary else None


@dataclass(slots=True)
class Source:
    """A place articles come from: a feed or page URL, or a local path."""

    name: str
    url: str | None = None
    path: str | None = None
    kind: SourceKind = "feed"
    interval: float | None = None  # seconds; None means the settings' default
    tags: list[str] = field(default_factory=list)
    full_text: bool = False
    enabled: bool = True
    # what its documents are in when they are not UTF-8 (one that lies about its charset or
    # names none); None: as they say, else as the detector reads them
    charset: str | None = None

    @property
    def location(self) -> str:
        return self.url or self.path or ""


@dataclass(slots=True)
class Event:
    """A named moment to count down to; `when` is None when its time cannot be read."""

    name: str
    when: datetime | None
    tz: str
    query: str | None = None
    location: str | None = None
    error: str | None = None
    raw_when: str = ""
    ident: str | None = None  # set for events added in the app (stored in the data dir)
    origin: Origin = "config"  # config events are read-only in the app

    def seconds_left(self, now: datetime) -> float | None:
        if self.when is None:
            return None
        return (self.when - now).total_seconds()


@dataclass(slots=True)
class Settings:
    """The [settings] table with its defaults."""

    interval: float = 600.0
    concurrency: int = 32
    per_host: int | None = None  # None: 2 for public hosts, no extra cap on loopback/LAN
    timeout: float = 30.0
    max_body: int = 15_000_000  # "15MB", as the config reads it (`parse_size`: MB is 10**6)
    retention_days: int = 30
    timezone: str | None = None
    user_agent: str | None = None
    data_dir: str | None = None
    date_order: str | None = None
    bell: bool = False
    story_spikes: bool = True  # a story's articles per hour spiking fires an alert
    theme: str | None = None  # a dashboard theme's name
    reader: str | None = None  # whose read marks (a shared store); None: the login name
    # seconds an article stays shown before it counts as read; None: only on enter (or `m`)
    read_after: float | None = 1.5


@dataclass(slots=True)
class SourceHealth:
    """What the last polls of one source did; kept in the store and shown by `sources`."""

    name: str
    url: str
    status: HealthStatus = "pending"
    http_status: int | None = None
    last_ok: datetime | None = None
    last_error: str | None = None
    last_polled: datetime | None = None
    items: int = 0
    latency_ms: int | None = None
    failures: int = 0
    etag: str | None = None
    last_modified: str | None = None
    permanent_url: str | None = None
    next_poll: datetime | None = None
    warnings: int = 0  # fields or items of the last document read that could not be read
    last_warning: str | None = None
    # the ids of the articles its last document listed: one of them the store no longer holds
    # was dropped by retention, not new (a feed that keeps old items listed gave them again)
    listed: frozenset[str] = frozenset()
    # the articles a poll under a clock held still (--now) stored as new, by id, each with
    # the real UTC day it did ("2026-12-06"): the day they are filed under is the held
    # clock's, and retention keeps them until as many days after this one as it keeps
    held: dict[str, str] = field(default_factory=dict)
    # the articles of it retention dropped, by id, each with the real UTC day it did, or its
    # feed last listed it since ("2026-12-06"): not news again while its feed may list it
    # again (`Poller.remember_dropped` bounds them), whatever one listing left out
    dropped: dict[str, str] = field(default_factory=dict)
    # the name its articles' ids were first made under, when the config has renamed it since
    # ("": its own): the same items keep their ids, so a rename stores none of them again
    known_as: str = ""
    # the name it had before the config renamed it, while its stored articles are yet to
    # take the new one (kept, so a rename the store refused is done at the next start)
    renamed_from: str = ""
    # the config's tags its stored articles carry (None: not recorded, as by a wirewatch
    # before this field: taken to be the config's): tags changed since are given to them
    tags: tuple[str, ...] | None = None
    # its articles were in a shard found unreadable and moved aside: its next good poll
    # brings them again, a backlog (year-old items fired alerts once more), not news
    refilling: bool = False
    # the config's charset its feed was last read in ("": none named; None: not recorded,
    # as by a wirewatch before this field): a charset named since drops its validators, so
    # the feed is read whole again in it (every answer was "not modified", its mojibake kept)
    charset: str | None = None
    # when the wait its server asked for ends (a 429 or 503 with Retry-After): no poll asks
    # it before then, a `refresh` or `r` asked for by hand neither (backoff alone does not
    # hold those back)
    retry_until: datetime | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of `wirewatch sources --json`."""
        return {
            "name": self.name,
            "url": self.url,
            "status": self.status,
            "http_status": self.http_status,
            "last_ok": utc_iso(self.last_ok),
            "last_error": self.last_error,
            "items": self.items,
            "latency_ms": self.latency_ms,
            "failures": self.failures,
            "next_poll": utc_iso(self.next_poll),
            "warnings": self.warnings,
            "last_warning": self.last_warning,
        }

    def to_record(self) -> dict[str, Any]:
        rec = self.to_json()
        rec.update(
            last_polled=utc_iso(self.last_polled),
            failures=self.failures,
            etag=self.etag,
            last_modified=self.last_modified,
            permanent_url=self.permanent_url,
            next_poll=utc_iso(self.next_poll),
            listed=sorted(self.listed),
            held=dict(sorted(self.held.items())) or None,
            dropped=dict(sorted(self.dropped.items())) or None,
            known_as=self.known_as or None,
            renamed_from=self.renamed_from or None,
            tags=list(self.tags) if self.tags is not None else None,
            refilling=self.refilling or None,
            charset=self.charset,
            retry_until=utc_iso(self.retry_until),
        )
        # kept without a feed's password (the config holds it): a copied data dir or a
        # shared database gives none away; the poller adds it back from the config
        rec.update(url=redact(self.url), permanent_url=redact(self.permanent_url or "") or None)
        return rec

    @classmethod
    def from_record(cls, rec: dict[str, Any]) -> SourceHealth:
        """The health a record keeps; a field of the wrong type (a file edited by hand, or
        damaged) is as if it were not there (a number for an ETag failed every poll cycle
        of that source, for good). TypeError for a record without a name."""
        name = rec.get("name")
        if not isinstance(name, str):
            raise TypeError("a health record without a name")
        status = rec.get("status")
        last_error, last_warning = _text_of(rec, "last_error"), _text_of(rec, "last_warning")
        return cls(
            name=name,
            url=_text_of(rec, "url") or "",
            status=status if status in ("ok", "not-modified", "error", "pending") else "pending",
            http_status=_count_of(rec, "http_status"),
            last_ok=_time_of(rec, "last_ok"),
            last_error=plain_message(last_error) if last_error else None,
            last_polled=_time_of(rec, "last_polled"),
            items=_count_of(rec, "items") or 0,
            latency_ms=_count_of(rec, "latency_ms"),
            failures=_count_of(rec, "failures") or 0,
            etag=_text_of(rec, "etag"),
            last_modified=_text_of(rec, "last_modified"),
            permanent_url=_text_of(rec, "permanent_url"),
            next_poll=_time_of(rec, "next_poll"),
            warnings=_count_of(rec, "warnings") or 0,
            last_warning=plain_message(last_warning) if last_warning else None,
            listed=_ids(rec.get("listed")),
            held=_days_by_id(rec.get("held")),
            dropped=_days_by_id(rec.get("dropped")),
            known_as=_text_of(rec, "known_as") or "",
            renamed_from=_text_of(rec, "renamed_from") or "",
            tags=_tags_of(rec),
            refilling=rec.get("refilling") is True,
            charset=rec["charset"] if isinstance(rec.get("charset"), str) else None,
            retry_until=_time_of(rec, "retry_until"),
        )


def _tags_of(rec: dict[str, Any]) -> tuple[str, ...] | None:
    value = rec.get("tags")
    if not isinstance(value, list) or not all(isinstance(tag, str) for tag in value):
        return None
    return tuple(value)


def _text_of(rec: dict[str, Any], key: str) -> str | None:
    value = rec.get(key)
    return value if isinstance(value, str) else None


def _count_of(rec: dict[str, Any], key: str) -> int | None:
    value = rec.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _time_of(rec: dict[str, Any], key: str) -> datetime | None:
    try:
        when = from_utc_iso(_text_of(rec, key))
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


@dataclass(slots=True)
class PollResult:
    """The outcome of polling one source once.

    `articles` holds what the source gave only until the poller has stored it: a poll of
    thousands of feeds releases each source's articles after their write, and `items` keeps
    their number."""

    source: str
    status: PollStatus
    articles: list[Article] = field(default_factory=list, repr=False)  # long: kept out of logs
    http_status: int | None = None
    error: str | None = None
    latency_ms: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    permanent_url: str | None = None
    new_ids: list[str] = field(default_factory=list)
    revised_ids: list[str] = field(default_factory=list)  # stored before, written anew
    # stored before, the same words at another link: the article moved there, no revision
    moved_ids: list[str] = field(default_factory=list)
    # stored before, marked pulled by this poll (its feed took it down) or no longer (listed
    # again): no revision, a row drawn again (`fetchers.pulled`)
    pulled_ids: list[str] = field(default_factory=list)
    unstored: bool = False  # read fine, but the store could not write its articles
    cut_off: bool = False  # the document stopped early: its validators are not kept
    cut_item: str | None = None  # the article whose item the document stopped in, if kept
    warnings: int = 0  # fields or items of the document that could not be read
    warning_notes: list[str] = field(default_factory=list)
    items: int = -1  # articles the document gave (default: len(articles))
    # the source's first poll that read (none before: a source just added, a first refresh),
    # or its first after `BACKLOG_AFTER` unread (disabled, down, the desk off): what it
    # brings is its backlog, not news of the moment (`fetchers.alerting`)
    first: bool = False

    def __post_init__(self) -> None:
        if self.items < 0:
            self.items = len(self.articles)
        if self.error:  # it may quote a server or a parser: shown and logged, so never raw
            self.error = plain_message(self.error)


def _days_by_id(written: Any) -> dict[str, str]:
    """Days by id as a record keeps them (anything else, or a pair of another type: none)."""
    if not isinstance(written, dict):
        return {}
    return {i: day for i, day in written.items() if isinstance(i, str) and isinstance(day, str)}


def _ids(written: Any) -> frozenset[str]:
    """A list of ids as a record keeps it (anything else: none)."""
    if not isinstance(written, list):
        return frozenset()
    return frozenset(i for i in written if isinstance(i, str))
