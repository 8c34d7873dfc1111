"""Parsing RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed bytes into Articles.

A strict, fast ElementTree pass first. A document cut off mid-way keeps every element and every
character that arrived (the open elements are closed where the bytes end); a bare `&` or an
HTML-only entity is repaired; anything else malformed goes to feedparser. Recover-mode parsers
silently drop text, so none is used.
"""

from __future__ import annotations

import hashlib
import html
import io
import pyexpat
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any
from urllib.parse import urljoin

import orjson

from fetchers.charset import decode, strip_xml_declaration
from fetchers.models import Article, article_id
from fetchers.text import clean_block, clean_line, strip_controls
from fetchers.timeparse import parse_feed_date

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


class FeedError(Exception):
    """A body that is not a feed: the message says what it is instead."""


@dataclass(slots=True)
class RawItem:
    """One entry before it becomes an Article."""

    title: str = ""
    link: str | None = None
    guid: str | None = None
    summary: str = ""
    content: str = ""
    published: str | None = None
    updated: str | None = None
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    lang: str | None = None
    summary_is_html: bool | None = None
    content_is_html: bool | None = None


@dataclass(slots=True)
class ParsedFeed:
    title: str
    link: str | None
    items: list[RawItem]
    lang: str | None = None


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.split(":")[-1]


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext())


def _inner_xml(el: ET.Element) -> str:
    """Atom type="xhtml" content: serialise the children as markup."""
    parts = [el.text or ""]
    for child in el:
        for node in child.iter():
            node.tag = _local(node.tag)
        parts.append(ET.tostring(child, encoding="unicode"))
    return "".join(parts)


def sniff_non_feed(body: bytes, content_type: str | None) -> None:
    """Raise FeedError for bodies that are plainly not feeds (empty, HTML, a bot challenge)."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FeedError("empty response body")
    if head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head[:512] and b"<rss" not in head and b"<feed" not in head
    ):
        if any(
            s in body[:20000].lower()
            for s in (
                b"just a moment",
                b"cf-chl",
                b"captcha",
                b"challenge-platform",
                b"are you a robot",
            )
        ):
            raise FeedError("served a bot-challenge page instead of a feed")
        raise FeedError("served an HTML page instead of a feed")


def parse_feed(body: bytes, headers: dict[str, str] | None, base_url: str | None) -> ParsedFeed:
    """Parse a feed document. Raises FeedError when the bytes are not a feed."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    content_type = headers.get("content-type")
    sniff_non_feed(body, content_type)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"{") or (content_type and "json" in content_type):
        return _parse_json_feed(body, base_url)
    try:
        return _parse_xml_strict(body, content_type, base_url)
    except (ET.ParseError, ValueError) as strict_error:
        if _expands_too_much(strict_error):
            raise FeedError(
                "refused: its entities expand without bound (a 'billion laughs' document)"
            ) from None
        repaired = repair_xml(body, content_type)
        if repaired is not None:
            try:
                return _parse_xml_strict(repaired, "text/xml; charset=utf-8", base_url)
            except (ET.ParseError, ValueError):
                headers = {**headers, "content-type": "text/xml; charset=utf-8"}
                body = repaired
        return _parse_with_feedparser(body, headers, base_url, strict_error)


_AMPLIFICATION = pyexpat.errors.codes.get(
    getattr(pyexpat.errors, "XML_ERROR_AMPLIFICATION_LIMIT_BREACH", ""), -1
)


def _expands_too_much(error: Exception) -> bool:
    """True for expat's refusal of a document whose entities multiply its size: every other
    parser would spend the same time and memory to fail again."""
    return getattr(error, "code", None) == _AMPLIFICATION


_BARE_AMP = re.compile(r"&(?!(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});)")
_NAMED = re.compile(r"&([A-Za-z][A-Za-z0-9]{0,31});")
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}


def repair_xml(body: bytes, content_type: str | None) -> bytes | None:
    """Fix the two commonest faults without dropping text: a bare `&` and HTML-only entities.

    Returns None when there was nothing of that kind to repair.
    """
    text, _ = decode(body, content_type)
    text = strip_xml_declaration(text)
    fixed = _BARE_AMP.sub("&amp;", text)

    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_NAMED:
            return match.group(0)
        char = html.unescape(match.group(0))
        return (
            "".join(f"&#{ord(c)};" for c in char)
            if char != match.group(0)
            else ("&amp;" + match.group(0)[1:])
        )

    fixed = _NAMED.sub(numeric, fixed)
    if fixed == text:
        return None
    return fixed.encode("utf-8")


def _parse_xml_strict(body: bytes, content_type: str | None, base_url: str | None) -> ParsedFeed:
    text, _encoding = decode(body, content_type)
    text = strip_xml_declaration(text)
    data = text.encode("utf-8")
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        root = close_truncated(data)
    kind = _local(root.tag).lower()
    base = urljoin(base_url or "", root.get(XML_BASE, "")) if root.get(XML_BASE) else base_url
    if kind == "rss":
        channel = next((c for c in root if _local(c.tag) == "channel"), None)
        if channel is None:
            raise FeedError("RSS document without a channel")
        return _rss_channel(channel, list(channel), base)
    if kind == "rdf":
        channel = next((c for c in root if _local(c.tag) == "channel"), None)
        items = [c for c in root if _local(c.tag) == "item"]
        return _rss_channel(channel, items, base)
    if kind == "feed":
        return _atom_feed(root, base)
    raise FeedError(f"not a feed: the document's root element is <{_local(root.tag)}>")


class _OpenElements:
    """A TreeBuilder target that remembers which elements are still open."""

    def __init__(self) -> None:
        self.builder = ET.TreeBuilder()
        self.open: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.open.append(tag)
        return self.builder.start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        self.open.pop()
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def close_truncated(data: bytes) -> ET.Element:
    """The tree of a document whose bytes stop early: everything that arrived, the elements
    still open closed at the cut (a half-sent title keeps the words it has).

    Re-raises the parse error when the fault is not at the end (the bytes are malformed, not
    cut off) or when not even the root element arrived."""
    target = _OpenElements()
    parser = ET.XMLParser(target=target)
    parser.feed(data)  # a fault in the middle raises here: not a truncation
    try:
        parser.close()
    except ET.ParseError:
        if not target.open:
            raise
        for tag in reversed(target.open):
            target.builder.end(tag)
        return target.builder.close()
    return target.close()


def _rss_channel(
    channel: ET.Element | None, children: list[ET.Element], base: str | None
) -> ParsedFeed:
    title = clean_line(_text(_child(channel, "title"))) if channel is not None else ""
    link = _text(_child(channel, "link")).strip() or None if channel is not None else None
    lang = _text(_child(channel, "language")).strip() or None if channel is not None else None
    items: list[RawItem] = []
    for el in children:
        if _local(el.tag) != "item":
            continue
        item = RawItem(lang=lang)
        for child in el:
            name = _local(child.tag)
            ns = child.tag.split("}")[0][1:] if child.tag.startswith("{") else ""
            value = _text(child)
            if name == "title" and not item.title:
                item.title = value
            elif name == "link" and not ns.endswith("Atom") and value.strip():
                item.link = value.strip()
            elif name == "link" and child.get("href") and not item.link:
                item.link = child.get("href")
            elif name == "guid":
                item.guid = value.strip() or None
                if (
                    child.get("isPermaLink", "true").lower() != "false"
                    and not item.link
                    and (item.guid or "").startswith("http")
                ):
                    item.link = item.guid
            elif name == "description":
                item.summary = value
            elif name == "encoded":
                item.content = value
            elif name in ("pubDate", "date", "issued", "published") and not item.published:
                item.published = value
            elif name in ("updated", "modified"):
                item.updated = value
            elif name in ("category", "subject") and value.strip():
                item.tags.append(value.strip())
            elif name in ("author", "creator") and not item.author:
                item.author = value.strip() or None
        if item.link and base:
            item.link = urljoin(base, item.link)
        items.append(item)
    return ParsedFeed(title=title, link=link, items=items, lang=lang)


def _child(el: ET.Element | None, name: str) -> ET.Element | None:
    if el is None:
        return None
    return next((c for c in el if _local(c.tag) == name), None)


def _atom_text(el: ET.Element | None) -> tuple[str, bool | None]:
    if el is None:
        return "", None
    mode = (el.get("mode") or "").lower()  # Atom 0.3: mode says how, type is a MIME type
    kind = (el.get("type") or "text").lower()
    if mode == "xml" or kind in ("xhtml", "application/xhtml+xml"):
        return _inner_xml(el), True
    if mode == "escaped" or kind in ("html", "text/html"):
        return _text(el), True
    return _text(el), False


def _atom_feed(root: ET.Element, base: str | None) -> ParsedFeed:
    title = clean_line(_atom_text(_child(root, "title"))[0])
    lang = root.get(XML_LANG)
    link = None
    items: list[RawItem] = []
    for el in root:
        name = _local(el.tag)
        if name == "link" and el.get("rel", "alternate") == "alternate":
            link = urljoin(base or "", el.get("href", ""))
        if name != "entry":
            continue
        entry_base = urljoin(base or "", el.get(XML_BASE, "")) if el.get(XML_BASE) else base
        item = RawItem(lang=el.get(XML_LANG) or lang)
        for child in el:
            cname = _local(child.tag)
            if cname == "title":
                text, is_html = _atom_text(child)
                item.title = clean_line(text) if is_html else text
            elif cname == "link":
                rel = child.get("rel", "alternate")
                href = child.get("href")
                if href and rel == "alternate" and not item.link:
                    child_base = child.get(XML_BASE)
                    item.link = urljoin(urljoin(entry_base or "", child_base or ""), href)
            elif cname == "id":
                item.guid = _text(child).strip() or None
            elif cname == "summary":
                item.summary, item.summary_is_html = _atom_text(child)
            elif cname == "content":
                item.content, item.content_is_html = _atom_text(child)
            elif cname in ("published", "issued", "created"):
                item.published = _text(child)
            elif cname in ("updated", "modified"):
                item.updated = _text(child)
            elif cname == "category":
                term = child.get("term") or child.get("label") or _text(child)
                if term.strip():
                    item.tags.append(term.strip())
            elif cname == "author" and not item.author:
                item.author = _text(_child(child, "name")).strip() or None
        items.append(item)
    return ParsedFeed(title=title, link=link, items=items, lang=lang)


def _parse_json_feed(body: bytes, base_url: str | None) -> ParsedFeed:
    try:
        data = orjson.loads(body.lstrip(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError as exc:
        raise FeedError(f"malformed JSON: {exc}") from exc
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FeedError("JSON that is not a JSON Feed (no jsonfeed.org version)")
    items: list[RawItem] = []
    for entry in data.get("items") or []:
        if not isinstance(entry, dict):
            continue
        link = entry.get("url") or entry.get("external_url")
        authors = entry.get("authors") or ([entry["author"]] if entry.get("author") else [])
        author = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
        items.append(
            RawItem(
                title=str(entry.get("title") or ""),
                link=urljoin(base_url or "", str(link)) if link else None,
                guid=str(entry["id"]) if entry.get("id") is not None else None,
                summary=str(entry.get("summary") or ""),
                content=str(entry.get("content_html") or entry.get("content_text") or ""),
                content_is_html=bool(entry.get("content_html")),
                summary_is_html=False,
                published=entry.get("date_published"),
                updated=entry.get("date_modified"),
                tags=[str(t) for t in entry.get("tags") or []],
                author=author,
                lang=entry.get("language") or data.get("language"),
            )
        )
    return ParsedFeed(
        title=clean_line(str(data.get("title") or "")),
        link=data.get("home_page_url"),
        items=items,
        lang=data.get("language"),
    )


def _parse_with_feedparser(
    body: bytes, headers: dict[str, str], base_url: str | None, strict_error: Exception
) -> ParsedFeed:
    import feedparser  # imported lazily: it is slow to import and only needed for broken feeds

    parsed = feedparser.parse(
        io.BytesIO(body),
        response_headers={**headers, "content-location": base_url or ""},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if not parsed.entries and not parsed.feed.get("title"):
        raise FeedError(f"not a readable feed: {strict_error}")
    items: list[RawItem] = []
    for entry in parsed.entries:
        content = ""
        content_is_html: bool | None = None
        if entry.get("content"):
            first = entry["content"][0]
            content = first.get("value", "")
            content_is_html = "html" in first.get("type", "")
        summary_detail = entry.get("summary_detail") or {}
        items.append(
            RawItem(
                title=entry.get("title", ""),
                link=urljoin(base_url or "", entry["link"]) if entry.get("link") else None,
                guid=entry.get("id"),
                summary=entry.get("summary", ""),
                summary_is_html="html" in summary_detail.get("type", "text/html"),
                content=content,
                content_is_html=content_is_html,
                published=entry.get("published") or entry.get("created"),
                updated=dict.get(entry, "updated"),  # bypass feedparser's deprecated alias
                tags=[t.get("term", "") for t in entry.get("tags", []) if t.get("term")],
                author=entry.get("author"),
                lang=parsed.feed.get("language"),
            )
        )
    return ParsedFeed(
        title=clean_line(parsed.feed.get("title", "")),
        link=parsed.feed.get("link"),
        items=items,
        lang=parsed.feed.get("language"),
    )


def to_articles(
    feed: ParsedFeed,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo = UTC,
) -> list[Article]:
    """Articles from parsed items; a guid repeated inside one feed keeps items that differ."""
    out: list[Article] = []
    seen: dict[str, str] = {}
    for raw in feed.items:
        title = clean_line(raw.title)
        summary = clean_block(raw.summary, raw.summary_is_html)
        content = clean_block(raw.content, raw.content_is_html) if raw.content else ""
        if not title and not summary and not content:
            continue
        if not title:
            title = (summary or content).split("\n", 1)[0][:120]
        guid = raw.guid.strip() if raw.guid else None
        ident = article_id(source, guid, raw.link, title, summary)
        fingerprint = hashlib.blake2b(
            f"{title}\n{summary}\n{content}".encode(), digest_size=8
        ).hexdigest()
        if ident in seen:
            if seen[ident] == fingerprint:
                continue
            ident = article_id(source, f"{guid or raw.link}#{fingerprint}", None, title, summary)
        seen[ident] = fingerprint
        published = parse_feed_date(raw.published, default_zone) or parse_feed_date(
            raw.updated, default_zone
        )
        lang = (raw.lang or "").split("-")[0].lower() or None
        out.append(
            Article(
                id=ident,
                source=source,
                title=title,
                link=_http_link(raw.link),
                published=published,
                fetched=fetched,
                summary=summary if summary else _lead(content),
                text=content or None,
                tags=_unique([*source_tags, *(clean_line(t) for t in raw.tags)]),
                lang=lang,
                author=clean_line(raw.author) or None,
                guid=guid,
            )
        )
    return out


def _http_link(link: str | None) -> str | None:
    """An http(s) link as it is shown, copied and opened: no escape sequences or control
    characters (a feed's link reaches the screen), spaces inside it percent-encoded."""
    if not link:
        return None
    link = "%20".join(strip_controls(link).split())
    return link if re.match(r"^https?://", link, re.I) else None


def _lead(content: str, limit: int = 400) -> str:
    if len(content) <= limit:
        return content
    return content[:limit].rsplit(" ", 1)[0] + "…"


def _unique(values: list[str] | Any) -> list[str]:
    out: list[str] = []
    for v in values:
        if v and v not in out:
            out.append(v)
    return out
