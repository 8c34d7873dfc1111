"""OPML 2.0 subscription lists: read what other readers export, write what they import."""

from __future__ import annotations

import codecs
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from fetchers.charset import read_as_utf8
from fetchers.models import TAG_LIMIT, Source
from fetchers.text import clean_line, plain_message
from fetchers.timeparse import parse_duration
from fetchers.webaddress import address_problem, shortest_interval, subscribed_address


class OpmlError(Exception):
    """An OPML file that cannot be read; the message says why."""


# What wirewatch writes of a source beyond OPML's own attributes (OPML lets an outline carry
# attributes of its own), so that an export imported again is the same sources: each read
# back only when it is valid (a hand-edited one is left out, not a reason to refuse the file).
INTERVAL, FULL_TEXT, DISABLED, CHARSET, TAGS = (
    "wirewatchInterval",
    "wirewatchFullText",
    "wirewatchDisabled",
    "wirewatchCharset",
    "wirewatchTags",  # a JSON list: `category` splits a tag at "," and keeps its last "/" part
)


@dataclass(slots=True)
class Subscription:
    """One feed named in an OPML file; `skipped` says why it cannot be subscribed, if so."""

    name: str
    url: str
    tags: list[str] = field(default_factory=list)
    skipped: str | None = None
    kind: str = "feed"  # "page": an article page wirewatch exported (type="link")
    interval: str | None = None  # as a config writes it ("120s"); None: the default
    full_text: bool = False
    enabled: bool = True
    charset: str | None = None
    named: bool = True  # False: the list gave no name (it is the address): the feed's is better
    note: str | None = None  # what to say of it when it is subscribed


def parse_opml(data: bytes) -> list[Subscription]:
    """Feeds from an OPML body; nested outlines and `category` become tags. Every outline
    with a URL is returned, the unusable ones with the reason in `skipped`."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        # a byte of another charset than it declares (an em dash of cp1252 in a file said
        # to be UTF-8) refused the whole list: read as a feed of such bytes is read
        try:
            root = ET.fromstring(read_as_utf8(data))
        except ET.ParseError:
            raise OpmlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "opml":
        raise OpmlError(f"not OPML: the root element is <{plain_message(str(root.tag))}>")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML without a <body>")
    return _walk(body)


FEED_TYPES = frozenset({"rss", "atom"})  # an outline's `type` saying it is a feed
NO_FEED_ADDRESS = "no feed address (xmlUrl) to read it at"
NOT_A_FEED = (
    'a link to a page (type="{kind}"), not a feed: `wirewatch add` finds the feeds a page announces'
)
INCLUDED = 'another OPML list, included by its address (type="include"): import that one itself'
FOLDER_TAGS = 16  # folders around an outline that become its tags, outermost first


def _walk(body: ET.Element) -> list[Subscription]:
    """Outlines in document order, folders as tags. Iterative: an OPML nested thousands deep
    is read like a flat one (recursion would end in a RecursionError)."""
    found: list[Subscription] = []
    stack: list[tuple[Iterator[ET.Element], list[str]]] = [(iter(body.findall("outline")), [])]
    while stack:
        outline = next(stack[-1][0], None)
        if outline is None:
            stack.pop()
            continue
        folders = stack[-1][1]
        # a name is plain text, as the XML parser gave it: "<antirez>" is a name, no tag
        label = clean_line(outline.get("title") or outline.get("text") or "", is_html=False)
        raw_url = outline.get("xmlUrl") or outline.get("xmlurl") or ""
        kind = (outline.get("type") or "").strip().lower()
        link = ""  # an address given as `url` of an outline that is no feed's: named, skipped
        if not raw_url.strip():  # a feed's address as `url` (OPML 1.0, and some readers)
            if kind in FEED_TYPES or not kind:
                raw_url = outline.get("url") or ""
            else:
                link = (outline.get("url") or "").strip()
        url = subscribed_address(raw_url.strip())
        inner = outline.findall("outline")
        feedish = kind in FEED_TYPES or any(
            name in outline.attrib for name in ("xmlUrl", "xmlurl", "htmlUrl")
        )
        if link and not inner:
            reason = INCLUDED if kind == "include" else NOT_A_FEED.format(kind=plain_message(kind))
            found.append(
                Subscription(label or plain_message(link), plain_message(link), [], reason)
            )
        elif not url and not inner and feedish:
            # a feed's outline with no address to read it at: named, not dropped unsaid
            shown = (outline.get("htmlUrl") or "").strip() or "no address"
            found.append(Subscription(label or "(no title)", shown, [], NO_FEED_ADDRESS))
        if url:
            # each once, TAG_LIMIT at most (a category of 30,000 was 30,000 tags, each
            # looked for among the others)
            own = _own_tags(outline) or _category_tags(outline)
            tags = list(dict.fromkeys([*folders, *own]))[:TAG_LIMIT]
            found.append(
                _settings(
                    outline,
                    Subscription(
                        label or plain_message(url),
                        url,
                        tags,
                        address_problem(url),
                        named=bool(label),
                    ),
                )
            )
        if inner:
            # folders deeper than FOLDER_TAGS add no tag: each level kept a copy of the path
            # (20,000 levels deep: 1.6 GB, and a source of 20,000 tags)
            nested = not url and label and len(folders) < FOLDER_TAGS and label not in folders
            stack.append((iter(inner), [*folders, label] if nested else folders))
    return found


def _category_tags(outline: ET.Element) -> list[str]:
    """The tags of an outline's `category`: comma-separated, each the last part of a path
    ("/News/Korea" is "Korea")."""
    tags = []
    for category in (outline.get("category") or "").split(","):
        tag = clean_line(category.strip().strip("/").split("/")[-1], is_html=False)
        if tag:
            tags.append(tag)
    return tags


def _own_tags(outline: ET.Element) -> list[str] | None:
    """The tags wirewatch wrote whole (`TAGS`), when they read as a list of strings."""
    try:
        written = json.loads(outline.get(TAGS) or "null")
    except ValueError:
        return None
    if not isinstance(written, list) or not all(isinstance(tag, str) for tag in written):
        return None
    return [tag for tag in (clean_line(tag, is_html=False) for tag in written) if tag]


def _settings(outline: ET.Element, found: Subscription) -> Subscription:
    """What wirewatch wrote of a source's settings in an outline, where it reads as valid."""
    if outline.get("type") == "link":
        found.kind = "page"
    interval = (outline.get(INTERVAL) or "").strip()
    if interval:
        try:  # (one shorter than a source at its address may have is left out too)
            if parse_duration(interval) >= shortest_interval(found.url):
                found.interval = interval
        except ValueError:
            pass
    found.full_text = outline.get(FULL_TEXT) == "true"
    found.enabled = outline.get(DISABLED) != "true"
    charset = (outline.get(CHARSET) or "").strip()
    if charset:
        try:
            if codecs.lookup(charset)._is_text_encoding:
                found.charset = charset
        except LookupError:
            pass
    return found


def write_opml(sources: list[Source], title: str, now: datetime) -> bytes:
    """OPML 2.0 with one outline per remote source; tags go in `category`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for source in sources:
        if not source.url:
            continue
        attrs = {
            "text": source.name,
            "title": source.name,
            "type": "rss" if source.kind == "feed" else "link",
            "xmlUrl": source.url,
        }
        if source.tags:
            attrs["category"] = ",".join(source.tags)
            attrs[TAGS] = json.dumps(source.tags, ensure_ascii=False)
        if source.interval is not None:
            attrs[INTERVAL] = f"{source.interval:.3f}".rstrip("0").rstrip(".") + "s"
        if source.full_text:
            attrs[FULL_TEXT] = "true"
        if not source.enabled:
            attrs[DISABLED] = "true"
        if source.charset:
            attrs[CHARSET] = source.charset
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
