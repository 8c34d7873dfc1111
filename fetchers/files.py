"""The local-file source kind: feed files, HTML pages and plain-text articles on disk.

A plain-text article is a `.txt` file of paragraphs, optionally followed by a list of related
headlines (lines starting with "- ") and page furniture such as "Most Commented". Its metadata
(title, outlet, published time, link, tags) lives beside it in `NAME.meta.toml`; it is the
article's alone: a related headline gets only the source's tags, and a date only when its own
line states one ("- Title (2025-10-24 14:30)"). An undated one is listed under the article it
was printed with rather than as new.
"""

from __future__ import annotations

import re
import tomllib
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

from fetchers.charset import in_utf8
from fetchers.feeds import (
    FeedError,
    ParsedFeed,
    article_link,
    parse_feed,
    primary_language,
    to_articles,
)
from fetchers.models import Article, article_id
from fetchers.text import clean_line, normalise_paragraphs, strip_controls
from fetchers.timeparse import parse_feed_date

FEED_SUFFIXES = {".xml", ".rss", ".atom", ".rdf", ".json"}
PAGE_SUFFIXES = {".html", ".htm"}
# Page furniture that trails copied article text; never part of the article.
FURNITURE = re.compile(
    r"^(most (commented|viewed|read|popular|shared)|read more|related (articles|stories|news)"
    r"|more from .*|trending|top stories)\s*:?\s*$",
    re.I,
)


class LocalSourceError(Exception):
    """A local path that cannot be read as a source."""


def read_local(
    path: Path,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo = UTC,
    warned: ParsedFeed | None = None,
    charset: str | None = None,
    limit: int | None = None,
) -> list[Article]:
    """Every article found at a file or in a folder (not recursive). `warned` counts the
    warnings (fields that could not be read) of every feed file, kind by kind, for the
    source's health. `charset`: what a file is in when it is not UTF-8. `limit`: the most
    bytes a file may hold (`max_body`, as for a response). In a folder, a file that cannot
    be read is left out and counted as a warning (the others are the source's news); the
    source fails when none can be. Only regular files are read (a pipe or a device waited
    or read without end)."""
    if not path.exists():
        raise LocalSourceError(f"{path}: no such file or folder")
    if not path.is_dir():
        if not path.is_file():
            raise LocalSourceError(f"{path}: not a file or a folder (a pipe, a device)")
        return _read_file(path, source, source_tags, fetched, default_zone, warned, charset, limit)
    out: list[Article] = []
    failed: list[LocalSourceError] = []
    read = 0
    for file in sorted(path.iterdir()):
        if not file.is_file() or file.name.endswith(".meta.toml") or file.suffix == ".toml":
            continue
        try:
            out.extend(
                _read_file(file, source, source_tags, fetched, default_zone, warned, charset, limit)
            )
            read += 1
        except LocalSourceError as exc:
            failed.append(exc)
            if warned is not None:  # (named by its name: the folder is the source's)
                warned.warn("file that cannot be read", str(exc).replace(str(file), file.name))
    if failed and not read:
        raise failed[0]
    return out


def _read_file(
    file: Path,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo,
    warned: ParsedFeed | None,
    charset: str | None = None,
    limit: int | None = None,
) -> list[Article]:
    try:
        with file.open("rb") as handle:
            body = handle.read() if limit is None else handle.read(limit + 1)
    except OSError as exc:
        raise LocalSourceError(f"{file}: cannot read: {exc.strerror or exc}") from exc
    except MemoryError:
        raise LocalSourceError(f"{file}: too large to read") from None
    if limit is not None and len(body) > limit:
        raise LocalSourceError(f"{file}: larger than the {limit:,} byte limit (max_body)")
    suffix = file.suffix.lower()
    if charset is not None and suffix not in FEED_SUFFIXES:
        body = in_utf8(body, charset)
    if suffix in FEED_SUFFIXES:
        try:
            feed = parse_feed(body, {}, file.resolve().as_uri(), charset)
        except FeedError as exc:
            raise LocalSourceError(f"{file}: {exc}") from exc
        articles = to_articles(feed, source, source_tags, fetched, default_zone)
        if warned is not None:
            warned.take_warnings(feed)
        return articles
    if suffix in PAGE_SUFFIXES:
        from fetchers.extract import extract_article
        from fetchers.extracterror import ExtractError

        try:
            page = extract_article(body, None, None)
        except ExtractError as exc:  # (a page with no text, or none that reads)
            raise LocalSourceError(f"{file}: {exc}") from exc
        meta = _meta(file, warned)
        title = clean_line(meta.get("title")) or page.title or file.stem
        return [
            _article(
                source,
                source_tags,
                fetched,
                meta,
                title,
                page.text,
                default_zone,
                key=str(file.name),
            )
        ]
    if suffix in (".txt", ".md", ""):
        return _read_text_article(file, body, source, source_tags, fetched, default_zone, warned)
    return []


# what each field of a `NAME.meta.toml` must be; a field of another kind is left out and
# counted among the source's warnings (a number stored as an outlet's name made the day's
# whole shard unreadable, and a number as a language stopped every source's write)
_META_KINDS: dict[str, tuple[type, ...]] = {
    "title": (str,),
    "outlet": (str,),
    "via": (str,),
    "link": (str,),
    "guid": (str,),
    "lang": (str,),
    "published": (str, datetime, date),
    "tags": (list,),
}


def _meta(file: Path, warned: ParsedFeed | None = None) -> dict[str, Any]:
    """The fields of a file's `NAME.meta.toml` that are of their kind (`_META_KINDS`)."""
    meta_path = file.with_name(file.name.rsplit(".", 1)[0] + ".meta.toml")
    if not meta_path.is_file():
        return {}
    try:
        read = tomllib.loads(meta_path.read_text("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise LocalSourceError(f"{meta_path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise LocalSourceError(f"{meta_path}: cannot read: {exc.strerror or exc}") from exc
    meta: dict[str, Any] = {}
    for key, value in read.items():
        kinds = _META_KINDS.get(key)
        if kinds is None:
            continue  # (a field wirewatch does not read)
        if key == "tags" and isinstance(value, list):
            value = [tag for tag in value if isinstance(tag, str)] if value else value
            if len(value) < len(read[key]) and warned is not None:
                warned.warn(f"{meta_path.name}: tag that is not text", read[key])
        elif not isinstance(value, kinds):
            if warned is not None:
                warned.warn(f"{meta_path.name}: {key} of another kind", value)
            continue
        meta[key] = value
    return meta


def split_text_article(text: str) -> tuple[str, list[str]]:
    """(article text, related headlines): the trailing "- " list and page furniture removed."""
    lines = [line.rstrip() for line in strip_controls(text).split("\n")]
    body: list[str] = []
    related: list[str] = []
    in_trailer = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            continue
        if FURNITURE.match(stripped):
            in_trailer = True
            continue
        bullet = re.match(r"^[-•*]\s+(.*)$", stripped)
        if bullet:
            in_trailer = True
            related.append(bullet.group(1).strip())
            continue
        if in_trailer:
            continue  # text after the related list is more furniture, never the article
        body.append(stripped)
    return normalise_paragraphs("\n".join(body)), related


WRAPPED = 60  # characters of a line that a text wrapped at a width (72, 80) fills


def _opening(text: str, article_text: str) -> str:
    """The text's first paragraph as written (its lines up to a blank line) when the article
    begins with it; else the article's first line (page furniture came before it)."""
    paragraph = re.split(r"\n\s*\n", strip_controls(text).strip(), maxsplit=1)[0]
    first_line = article_text.split("\n", 1)[0]
    return paragraph if paragraph.split("\n", 1)[0].strip() == first_line.strip() else first_line


def headline_from_text(text: str, limit: int = 110) -> str:
    """A headline for text that came without one: its first sentence, shortened at a word.
    A first line that ends without a full stop ends it (a headline ran on into the body),
    unless it is as long as a line wrapped at a width: then the lines of its paragraph are
    one sentence's (text wrapped at 72 columns)."""
    paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    line = paragraph.split("\n", 1)[0].rstrip()
    if len(line) < WRAPPED or line.endswith((".", "!", "?")):
        paragraph = line
    first = re.split(r"(?<=[.!?])\s", clean_line(paragraph), maxsplit=1)[0]
    first = first.rstrip(".")
    if len(first) <= limit:
        return first
    return first[:limit].rsplit(" ", 1)[0] + "…"


def _read_text_article(
    file: Path,
    body: bytes,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo,
    warned: ParsedFeed | None = None,
) -> list[Article]:
    from fetchers.charset import decode

    text, _ = decode(body, None)
    article_text, related = split_text_article(text)
    meta = _meta(file, warned)
    title = clean_line(meta.get("title")) or headline_from_text(_opening(text, article_text))
    main = _article(
        source, source_tags, fetched, meta, title, article_text, default_zone, key=file.name
    )
    out = [main]
    for headline in related:
        clean = clean_line(headline)
        if clean:
            title, published = dated_headline(clean, default_zone)
            out.append(
                Article(
                    id=article_id(source, None, None, clean, ""),
                    source=source,
                    title=title,
                    published=published,
                    fetched=fetched,
                    tags=list(dict.fromkeys(source_tags)),
                    lang=main.lang,
                    listed=None if published else main.published,
                )
            )
    return out


_STATED_DATE = re.compile(
    r"^(?P<title>.+?)(?:\s*\((?P<paren>[^()]+)\)|\s+[-–—|]\s+(?P<tail>[^–—|]+))$"
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")


def dated_headline(line: str, default_zone: tzinfo) -> tuple[str, datetime | None]:
    """(title, date) for a related headline whose line ends with its date, as in
    "Title (2025-10-24 14:30)" or "Title — Oct. 24, 2025"; (line, None) when it states none.
    Only a whole date (a year and a day) counts: "(LEAD)", "(May)" or "(2025)" stay part of
    the title."""
    found = _STATED_DATE.match(line)
    if found is None:
        return line, None
    stated = found.group("paren") or found.group("tail") or ""
    if not _YEAR.search(stated) or len(re.findall(r"\d+", stated)) < 2:
        return line, None
    when = parse_feed_date(stated, default_zone)
    return (found.group("title").strip(), when) if when is not None else (line, None)


def _article(
    source: str,
    source_tags: list[str],
    fetched: datetime,
    meta: dict[str, Any],
    title: str,
    text: str,
    default_zone: tzinfo,
    key: str,
) -> Article:
    published = meta.get("published")
    if isinstance(published, datetime):
        when = published if published.tzinfo else published.replace(tzinfo=default_zone)
        published_at: datetime | None = when.astimezone(UTC)
    else:
        published_at = parse_feed_date(str(published), default_zone) if published else None
    # each field as a feed's is kept: the link an http(s) one without escape sequences or
    # control characters, names and tags one plain line, the language its primary subtag
    # (a clipping's metadata is text from outside as much as a feed's)
    link = article_link(meta.get("link"))
    tags = [*source_tags, *filter(None, (clean_line(str(t)) for t in meta.get("tags", [])))]
    summary = text.split("\n\n", 1)[0] if text else ""
    author = clean_line(meta.get("outlet") or "")
    via = clean_line(meta.get("via") or "")
    if author and via:
        author = f"{author} via {via}"
    lang = meta.get("lang")
    return Article(
        id=article_id(source, meta.get("guid") or key, meta.get("link"), title, summary),
        source=source,
        title=title,
        link=link,
        published=published_at,
        fetched=fetched,
        summary=summary,
        text=text or None,
        tags=list(dict.fromkeys(tags)),
        lang=primary_language(lang) if lang else None,
        author=author or None,
        guid=meta.get("guid"),
    )
