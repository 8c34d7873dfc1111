"""An article's stored forms, driven by one table of fields.

An article is an `Article` (models), a `Record` in memory (query), a TinyDB document in its
shard and a positional row in the shard's row cache. `FIELDS` says, for each stored field,
how its value goes between those forms; the document, the row and the record are all made
from it, so a new stored field is one row here, plus the `Article` field and the `Record`
slot (tests/test_store_codec.py names whichever is missing).

The row layout is the order of `FIELDS`: a field is only ever appended, and a change to the
layout bumps ROWS_VERSION (the row caches are derived: old ones are rebuilt from the shards).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fetchers.models import Article, comparable, utc_iso
from fetchers.query import Record
from fetchers.webaddress import untracked

SCHEMA_VERSION = 1  # of the documents and meta.json
ROWS_VERSION = 5  # the layout of rows-KEY.json, the row caches (see shards.write_rows)
# the layouts read: 4 is 5 less its last field (`pulled`, added at the end), read as None, so
# a store written before it opens without its row caches rebuilt (a million articles' worth)
ROWS_READ = frozenset((4, ROWS_VERSION))

Convert = Callable[[Any], Any]
_intern = sys.intern
_iso_seconds = datetime.fromisoformat


# A document's field of another type than its own (a shard edited by hand: a title of 5, a
# link that is a list) reads as empty, as a feed's field that cannot be read does: the
# article and the day's other articles are kept (the whole shard was set aside for it)


def _text_or_empty(value: Any) -> Any:
    """A document's text ("" for none, or for a value that is no text)."""
    return value if type(value) is str else ""


def _text_or_none(value: Any) -> str | None:
    """A document's optional text (None for a value that is no text)."""
    return value if type(value) is str else None


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError("a row of the wrong shape")
    return value


def _str_or_none(value: Any) -> str | None:
    if not (value is None or type(value) is str):
        raise TypeError("a row of the wrong shape")
    return value


def _name(value: Any) -> str:
    return _intern(value) if type(value) is str else ""


def _name_or_none(value: Any) -> str | None:
    return _intern(value) if value and type(value) is str else None


def _truthy_or_none(value: Any) -> Any:
    return value or None


def _seconds_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _floor_seconds(value: datetime | None) -> float | None:
    return float(math.floor(value.timestamp())) if value is not None else None


def _datetime(value: float | None) -> datetime | None:
    return datetime.fromtimestamp(value, UTC) if value is not None else None


def _iso_to_seconds(value: Any) -> float | None:
    """A document's time (ISO 8601) as seconds; one that does not read, or is no text, is no
    time."""
    if not value or type(value) is not str:
        return None
    try:
        return _iso_seconds(value).timestamp()
    except (ValueError, OverflowError):
        return None


def _iso_or_none(value: Any) -> str | None:
    return value if isinstance(value, str) else None


SHARED_MAX = 50_000  # distinct values a table of shared values holds before it starts over
_shared_names: dict[tuple[str, ...], tuple[str, ...]] = {}
_shared_times: dict[float, float] = {}


def _names(value: Any) -> tuple[str, ...]:
    """Names (tags) as one tuple shared by every record with the same ones: most articles
    of a store carry one of a few sets of tags, and a tuple each is 48 bytes or more."""
    if not value:
        return ()
    if isinstance(value, str):
        names: tuple[str, ...] = (value,)
    elif isinstance(value, (list, tuple)):  # a null or an object written by hand is left out
        names = tuple(name for name in value if isinstance(name, str))
    else:  # a number or an object written by hand for the list: no names
        return ()
    shared = _shared_names.get(names)
    if shared is None:
        if len(_shared_names) >= SHARED_MAX:
            _shared_names.clear()
        shared = _shared_names[names] = tuple(map(_intern, names))
    return shared


def revision_entries(value: Any) -> list[dict[str, Any]]:
    """The entries of a document's or a row's revisions (a list of objects) as they can be
    read: one object written by hand for the list is the one entry; anything else that is no
    object is left out."""
    if isinstance(value, dict):
        return [value]
    if not isinstance(value, list):
        return []
    return [entry for entry in value if isinstance(entry, dict)]


def _seen_seconds(entry: dict[str, Any]) -> float:
    """When a revision was first seen, as POSIX seconds (-inf when it does not read: such
    an entry keeps its place before the others)."""
    seen = entry.get("seen")
    try:
        if isinstance(seen, datetime):
            return seen.timestamp()
        if isinstance(seen, str):
            when = datetime.fromisoformat(seen.replace("Z", "+00:00"))
            return (when if when.tzinfo else when.replace(tzinfo=UTC)).timestamp()
    except (ValueError, OverflowError, OSError):
        pass
    return -math.inf


def _version(entry: dict[str, Any]) -> tuple[str, str]:
    """What tells two versions apart: the title and the summary (as text, whatever a hand
    edit made them)."""
    title, summary = entry.get("title"), entry.get("summary")
    return (
        title if isinstance(title, str) else repr(title),
        summary if isinstance(summary, str) else repr(summary),
    )


def merged_history(
    stored: Iterable[dict[str, Any]], before: dict[str, Any], offered: Iterable[dict[str, Any]]
) -> list[dict[str, Any]]:
    """An article's versions to keep (`distinct_revisions`): those stored, the one it had
    before this revision, and those its feed's document offers (old copies listed under its
    guid), but for an offered one it has already: an old copy a feed keeps listing without a
    date is seen at each fetch, and taken again it was a return to it after the current."""
    stored = list(stored)
    held = {_version(entry) for entry in stored} | {_version(before)}
    return [*stored, before, *(e for e in offered if _version(e) not in held)]


def distinct_revisions(
    entries: Iterable[dict[str, Any]], current: tuple[str, str]
) -> list[dict[str, Any]]:
    """The earlier versions of an article in the order they were seen, each at the time it
    was first seen: a version seen again straight after itself is one (a feed listing an old
    copy beside the current one under its guid gives that copy, at its own time, again at
    every revision), but a headline that returned to an earlier wording after another keeps
    each step ("stall", "collapse", "stall", then "resume": the return was dropped, and the
    change shown last was "collapse" to "resume"). The `current` (title, summary) is among
    them when a headline returned to it after another; not when it is the last of them."""
    ordered: list[dict[str, Any]] = []
    for entry in sorted(entries, key=_seen_seconds):  # (stable: equal times keep their order)
        if not ordered or _version(ordered[-1]) != _version(entry):
            ordered.append(entry)
    if ordered and _version(ordered[-1]) == current:
        ordered.pop()
    return ordered


def _shared_seconds_or_none(value: Any) -> float | None:
    """A time many records share (a feed's articles share one fetch time) as one float."""
    if value is None:
        return None
    seconds = float(value)
    shared = _shared_times.get(seconds)
    if shared is None:
        if len(_shared_times) >= SHARED_MAX:
            _shared_times.clear()
        shared = _shared_times[seconds] = seconds
    return shared


def _list(value: Any) -> list[Any]:
    return list(value)


def _ref(value: Any) -> tuple[str, int, int] | None:
    """Where a document's full text is (None when it holds no such place)."""
    if type(value) is not list or len(value) != 3:
        return None
    key, start, size = value
    return (key, start, size) if type(key) is str and type(start) is type(size) is int else None


def _ref_from_row(value: Any) -> tuple[str, int, int] | None:
    return (_intern(value[0]), int(value[1]), int(value[2])) if value else None


def _ref_to_list(value: Any) -> list[Any] | None:
    return list(value) if value else None


@dataclass(frozen=True, slots=True)
class Kind:
    """How one kind of value goes between the forms (None: as it is). Reading a row never
    trusts it: a value of the wrong type raises TypeError or ValueError (the row cache is
    then not used)."""

    to_doc: Convert | None  # Article value -> document value
    from_doc: Convert | None  # document value (None when absent) -> Record value
    to_record: Convert | None  # Article value -> Record value
    to_article: Convert | None  # Record value -> Article value
    to_row: Convert | None  # Record value -> row value
    from_row: Convert | None  # row value -> Record value


TEXT = Kind(None, _text_or_empty, None, None, None, _str)
NAME = Kind(None, _name, _intern, None, None, _intern)  # a repeated string: interned
OPTIONAL_TEXT = Kind(None, _text_or_none, None, None, None, _str_or_none)
TEXT_IF_SET = Kind(None, _text_or_none, _truthy_or_none, None, None, _str_or_none)
OPTIONAL_NAME = Kind(None, _name_or_none, _name_or_none, None, None, _name_or_none)
NAMES = Kind(_list, _names, _names, _list, _list, _names)
TIME = Kind(utc_iso, _iso_to_seconds, _floor_seconds, _datetime, None, _seconds_or_none)
ISO_TIME = Kind(utc_iso, _iso_or_none, utc_iso, _datetime, None, _shared_seconds_or_none)
TEXT_REF = Kind(None, _ref, None, None, _ref_to_list, _ref_from_row)


@dataclass(frozen=True, slots=True)
class Field:
    """One stored field: its name (the document key, the `Article` field and the `Record`
    attribute), how its value is converted, and whether every document carries it."""

    name: str
    kind: Kind
    always: bool = True  # False: a document carries it only when it is set
    required: bool = False  # a document without it cannot be read (KeyError)
    on_article: bool = True  # False: kept by the store alone (where a full text is)
    stamped: bool = False  # given by the stager (one fetch time shared by a feed's articles)
    slot: str = ""  # the Record slot it is set through, when not `name`

    @property
    def attribute(self) -> str:
        return self.slot or self.name


FIELDS: tuple[Field, ...] = (
    Field("id", TEXT, required=True),
    Field("source", NAME),
    Field("title", TEXT),
    Field("summary", TEXT),
    Field("link", OPTIONAL_TEXT),
    Field("published", TIME),
    # an ISO string in the record until first asked (Record.fetched parses it)
    Field("fetched", ISO_TIME, stamped=True, slot="_fetched"),
    Field("tags", NAMES),
    Field("lang", OPTIONAL_NAME, always=False),
    Field("author", TEXT_IF_SET, always=False),
    Field("guid", TEXT_IF_SET, always=False),
    Field("text_ref", TEXT_REF, always=False, on_article=False),
    Field("listed", TIME, always=False),
    # set by the store when a source changes the title or summary (the revisions' mark)
    Field("revised", TIME, always=False, on_article=False),
    # set by the store when the article's feed stopped listing it while still listing older
    # ones (its outlet took it down): when it was first seen missing; gone when listed again
    Field("pulled", TIME, always=False, on_article=False),
)

ROW_FIELDS_LEAST = len(FIELDS) - 1  # a row of layout 4 (`ROWS_READ`) has all but `pulled`

# Article fields kept outside the document and the row, and where they are kept instead.
KEPT_ELSEWHERE = {
    "text": "text-KEY.jsonl (inline in articles-kept.json), read when asked",
    "read": "state.json, the marks",
    "starred": "state.json, the marks",
    "revisions": "the shard document alone, read by Store.revisions()",
    "shares_link": "not kept: how its document listed it, for the dedupe by link",
    "words_key": "not kept: what it is known by at a shared link, as its document gave it",
}
# Record slots that are not stored: the marks, and where the store keeps the record.
RECORD_ONLY = ("read", "starred", "shard", "rank", "place", "at")


# The converters below are compiled from FIELDS once, at import, into straight-line
# functions (as dataclasses does): a loop over the table per value would make opening
# 100,000 rows and staging a big refresh about twice as slow.
def _call(scope: dict[str, Any], convert: Convert | None, value: str) -> str:
    """`value` (an expression) passed through `convert`, as source text."""
    if convert is None:
        return value
    name = f"_c{len(scope)}"
    scope[name] = convert
    return f"{name}({value})"


def _compile(name: str, lines: list[str], scope: dict[str, Any]) -> Any:
    code = compile("\n".join(lines), f"<fetchers.store.codec {name}>", "exec")
    exec(code, scope)  # noqa: S102 - text made above from FIELDS, nothing from outside
    return scope[name]


_NEW = [
    "    record = _new(_Record)",
    "    record.read = record.starred = False",
    "    record.shard = ''",
    "    record.rank = record.place = 0",
    "    record.at = 0.0",
]


def _make_converters() -> dict[str, Any]:
    scope: dict[str, Any] = {"_new": Record.__new__, "_Record": Record, "_Article": Article}
    from_row = ["def record_from_row(row):", *_NEW]
    from_doc = ["def record_from_doc(doc):", "    get = doc.get", *_NEW]
    of_article = ["def record_of(article, fetched):", *_NEW]
    to_row = ["def row_of(record):", "    return ["]
    to_doc = ["def doc_of(article, fetched=None):", f"    doc = {{'v': {SCHEMA_VERSION}}}"]
    to_article = ["def article_of(record):", "    return _Article("]
    for at, field in enumerate(FIELDS):
        name, kind, attribute = field.name, field.kind, field.attribute
        value = f"row[{at}]"
        if at >= ROW_FIELDS_LEAST:  # (not in a row of an older layout: `ROWS_READ`)
            value = f"({value} if len(row) > {at} else None)"
        from_row.append(f"    record.{attribute} = {_call(scope, kind.from_row, value)}")
        found = f"doc[{name!r}]" if field.required else f"get({name!r})"
        from_doc.append(f"    record.{attribute} = {_call(scope, kind.from_doc, found)}")
        to_row.append(f"        {_call(scope, kind.to_row, f'record.{name}')},")
        if not field.on_article:
            of_article.append(f"    record.{attribute} = None")
            continue
        given = f"article.{name}"
        if field.stamped:
            of_article.append(f"    record.{attribute} = fetched")
            stored = f"fetched or {_call(scope, kind.to_doc, given)}"
        else:
            of_article.append(f"    record.{attribute} = {_call(scope, kind.to_record, given)}")
            stored = _call(scope, kind.to_doc, given)
        if field.always:
            to_doc.append(f"    doc[{name!r}] = {stored}")
        else:
            to_doc += [f"    if {given}:", f"        doc[{name!r}] = {stored}"]
        to_article.append(f"        {name}={_call(scope, kind.to_article, f'record.{name}')},")
    from_row.append("    return record")
    from_doc.append("    return record")
    of_article.append("    return record")
    to_row.append("    ]")
    to_doc += [
        "    if article.revisions:",
        "        doc['revisions'] = list(article.revisions)",
        "    return doc",
    ]
    to_article += ["        read=record.read,", "        starred=record.starred,", "    )"]
    return {
        lines[0][4 : lines[0].index("(")]: _compile(lines[0][4 : lines[0].index("(")], lines, scope)
        for lines in (from_row, from_doc, of_article, to_row, to_doc, to_article)
    }


_CONVERTERS = _make_converters()

record_from_row: Callable[[list[Any]], Record] = _CONVERTERS["record_from_row"]
"""A record from the row cache. The cache is derived data and is never trusted: a value of
the wrong type raises TypeError or ValueError, a short row IndexError, and the shard itself
is read instead."""
record_from_doc: Callable[[dict[str, Any]], Record] = _CONVERTERS["record_from_doc"]
"""The in-memory form of a stored document; repeated strings are interned. Fields a document
lacks (written by hand or by an older version), or holds as another type, take their empty
value. KeyError for a document without an id."""
record_of: Callable[[Article, str], Record] = _CONVERTERS["record_of"]
"""The in-memory form of an article about to be stored (`fetched`: its ISO fetch time)."""
row_of: Callable[[Record], list[Any]] = _CONVERTERS["row_of"]
"""A record as the row cache keeps it (times as seconds, nothing left to parse)."""
doc_of: Callable[..., dict[str, Any]] = _CONVERTERS["doc_of"]
"""`doc_of(article, fetched=None)`: the document an article is stored as; `fetched` is its
ISO fetch time when the stager made it already."""
article_of: Callable[[Record], Article] = _CONVERTERS["article_of"]
"""The article a record stands for (its full text and revisions are read when asked)."""


def doc_from_record(record: Record) -> dict[str, Any]:
    return doc_of(article_of(record))


def differs(stored: Record, fresh: Record | Article) -> bool:
    """A new version of a stored article: its source now gives another title or summary
    (not merely parted in other paragraphs: `comparable`)."""
    return (
        stored.title != fresh.title and comparable(stored.title) != comparable(fresh.title)
    ) or (
        stored.summary != fresh.summary and comparable(stored.summary) != comparable(fresh.summary)
    )


def moved(stored_link: str | None, fresh_link: str | None) -> bool:
    """Whether an item links to another page than its stored article does: a site that
    renames a page (a corrected slug, a story moved to an address of its own) keeps its guid.
    The link is taken as newsboat takes it, but it is no revision: an article's revisions are
    its wordings (`d` diffs them, `show` lists them as {seen, title, summary}), and a link
    is no wording, so its old link is not kept and the article is not marked revised. An item
    that gives no link leaves the page where it was; one that differs only in its query (a
    session, a signature or a time a feed writes anew at each fetch, or tracking parameters
    stored before they were dropped) or its fragment is the same page: taken as a move, such
    a feed's articles were written again, and their pages fetched again, at every poll."""
    if not fresh_link or fresh_link == stored_link:
        return False
    return not stored_link or _page_of(stored_link) != _page_of(fresh_link)


def _page_of(link: str) -> tuple[str, str, str]:
    """A link's scheme, host and path: the page it names, whatever its query says."""
    parts = urlsplit(untracked(link))
    return parts.scheme.lower(), parts.netloc.lower(), parts.path


@dataclass(slots=True)
class StagedArticle:
    """An article made ready to store: its shard, its document and its in-memory record."""

    key: str  # the UTC day it was fetched
    doc: dict[str, Any]
    record: Record
    text: str | None
    # its title and body as the search index holds them, when made where it was parsed
    # (`indexedtext.indexed_words`); the index checks they were made from the words it has
    words: tuple[str, str] | None = None
    shares_link: bool = False  # `Article.shares_link`: its words, not its link, tell it apart


def revised_contents(
    revised: dict[str, StagedArticle],
) -> list[tuple[datetime | None, list[tuple[str, str]]]]:
    """The contents revised items carry, as (id, text) pairs by the fetch that had them: each
    is the article's full text now, its earlier one dated by when that fetch was."""
    by_fetch: dict[float | None, list[tuple[str, str]]] = {}
    for ident, item in revised.items():
        if item.text:
            by_fetch.setdefault(item.record.fetched, []).append((ident, item.text))
    return [
        (datetime.fromtimestamp(fetched, UTC) if fetched is not None else None, pairs)
        for fetched, pairs in by_fetch.items()
    ]


def day_key(when: datetime) -> str:
    """The UTC day of an instant as a shard is keyed by it ("2025-10-24"; the year in four
    digits, as `utc_iso` writes it: strftime wrote the year 657 as "657", which sorted after
    every "2026-..." day, and a retention of 500,000 days dropped them all)."""
    return (utc_iso(when) or "")[:10]


def stage(
    articles: Iterable[Article], words: Sequence[tuple[str, str] | None] = ()
) -> list[StagedArticle]:
    """Prepare articles for `Store.add_staged`. Pure: touches no store, so a poller can do it
    for each source as its articles arrive rather than all at once in the cycle's write.
    `words`: the articles' words for the search index, in the same order, when made
    already."""
    out: list[StagedArticle] = []
    stamps: dict[datetime, tuple[str, str]] = {}  # a feed's articles share one fetch time
    for number, article in enumerate(articles):
        fetched = article.fetched or datetime.now(UTC)
        stamp = stamps.get(fetched)
        if stamp is None:
            stamp = stamps[fetched] = (day_key(fetched), utc_iso(fetched) or "")
        doc = doc_of(article, stamp[1])
        made = words[number] if number < len(words) else None
        record = record_of(article, stamp[1])
        if article.revisions:  # versions of it in its first document: revised as first seen
            doc["revised"] = stamp[1]
            record.revised = record.fetched
        out.append(
            StagedArticle(stamp[0], doc, record, article.text or None, made, article.shares_link)
        )
    return out
