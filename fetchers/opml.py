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
INTERVAL, FULL_TEXT, DISABLED, CHARSET, TAGS, ORDER = (
    "wirewatchInterval",
    "wirewatchFullText",
    "wirewatchDisabled",
    "wirewatchCharset",
    "wirewatchTags",  # a JSON list: `category` splits a tag at "," and keeps its last "/" part
    # the source's place in the config, 1 the first: a source listed in the folder of each of
    # its tags is listed first in the folder of one, not where it was in the config
    "wirewatchOrder",
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
    with a URL is returned, the unusable ones with the reason in `skipped`, and so is every
    other outline that is no folder (an outline without children, with more than a name)."""
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
    return _in_config_order(_walk(body))


FEED_TYPES = frozenset({"rss", "atom"})  # an outline's `type` saying it is a feed
NO_FEED_ADDRESS = "no feed address (xmlUrl) to read it at"
NOT_A_FEED = (
    'a link to a page (type="{kind}"), not a feed: `wirewatch add` finds the feeds a page announces'
)
INCLUDED = 'another OPML list, included by its address (type="include"): import that one itself'
FOLDER_TAGS = 16  # folders around an outline that become its tags, outermost first
# what an outline without children may hold and still be a folder (an empty one), no feed:
# OPML's own attributes of any outline
FOLDER_ATTRIBUTES = frozenset(
    {"text", "title", "isopen", "iscomment", "isbreakpoint", "created", "category"}
)
ORDER_DIGITS = 9  # an ORDER longer is no place in a config (and int() of 5,000 digits fails)


def _attributes(outline: ET.Element) -> dict[str, str]:
    """An outline's attributes by their names in lower case, the first one given a value
    where a name is written in several cases: readers and hand edits write `xmlURL`,
    `XMLURL` or `htmlurl`, and such a feed was refused, or dropped without a word."""
    found: dict[str, str] = {}
    for name, value in outline.attrib.items():
        key = name.lower()
        if key not in found or (not found[key].strip() and value.strip()):
            found[key] = value
    return found


def _walk(body: ET.Element) -> list[tuple[Subscription, int | None]]:
    """Outlines in document order, folders as tags, each with the place in a config it says
    it had (`ORDER`), if it says one. Iterative: an OPML nested thousands deep is read like
    a flat one (recursion would end in a RecursionError)."""
    found: list[tuple[Subscription, int | None]] = []
    stack: list[tuple[Iterator[ET.Element], list[str]]] = [(iter(body.findall("outline")), [])]
    while stack:
        outline = next(stack[-1][0], None)
        if outline is None:
            stack.pop()
            continue
        folders = stack[-1][1]
        attrs = _attributes(outline)
        # a name is plain text, as the XML parser gave it: "<antirez>" is a name, no tag
        label = clean_line(attrs.get("title") or attrs.get("text") or "", is_html=False)
        raw_url = attrs.get("xmlurl") or ""
        kind = (attrs.get("type") or "").strip().lower()
        link = ""  # an address given as `url` of an outline that is no feed's: named, skipped
        if not raw_url.strip():  # a feed's address as `url` (OPML 1.0, and some readers)
            if kind in FEED_TYPES or not kind:
                raw_url = attrs.get("url") or ""
            else:
                link = (attrs.get("url") or "").strip()
        url = subscribed_address(raw_url.strip())
        inner = outline.findall("outline")
        if link and not inner:
            reason = INCLUDED if kind == "include" else NOT_A_FEED.format(kind=plain_message(kind))
            found.append(
                (Subscription(label or plain_message(link), plain_message(link), [], reason), None)
            )
        elif not url and not inner and not FOLDER_ATTRIBUTES.issuperset(attrs):
            # no folder, and no feed's address to read: named, not dropped unsaid
            shown = plain_message((attrs.get("htmlurl") or "").strip()) or "no address"
            found.append((Subscription(label or "(no title)", shown, [], NO_FEED_ADDRESS), None))
        if url:
            # each once, TAG_LIMIT at most (a category of 30,000 was 30,000 tags, each
            # looked for among the others)
            own = _own_tags(attrs)
            # tags wirewatch wrote whole come first, in their order: the folders around are
            # those same tags, written for readers that read only folders
            listed = [*own, *folders] if own else [*folders, *_category_tags(attrs)]
            tags = list(dict.fromkeys(listed))[:TAG_LIMIT]
            subscription = Subscription(
                label or plain_message(url), url, tags, address_problem(url), named=bool(label)
            )
            found.append((_settings(attrs, subscription), _order(attrs)))
        if inner:
            # folders deeper than FOLDER_TAGS add no tag: each level kept a copy of the path
            # (20,000 levels deep: 1.6 GB, and a source of 20,000 tags)
            nested = not url and label and len(folders) < FOLDER_TAGS and label not in folders
            stack.append((iter(inner), [*folders, label] if nested else folders))
    return found


def _order(attrs: dict[str, str]) -> int | None:
    """The place in a config an outline says its source had (`ORDER`), when it reads as one."""
    written = (attrs.get(ORDER.lower()) or "").strip()
    if written.isascii() and written.isdigit() and len(written) <= ORDER_DIGITS:
        return int(written)
    return None


def _in_config_order(found: list[tuple[Subscription, int | None]]) -> list[Subscription]:
    """The feeds in the order of the config they were exported from, when every one says its
    place in it (an export of wirewatch lists a source in the folder of each of its tags);
    otherwise in the order listed."""
    if found and all(order is not None for _, order in found):
        found = sorted(found, key=lambda entry: entry[1] or 0)  # (stable: each listing kept)
    return [subscription for subscription, _ in found]


def _category_tags(attrs: dict[str, str]) -> list[str]:
    """The tags of an outline's `category`: comma-separated, each the last part of a path
    ("/News/Korea" is "Korea")."""
    tags = []
    for category in (attrs.get("category") or "").split(","):
        tag = clean_line(category.strip().strip("/").split("/")[-1], is_html=False)
        if tag:
            tags.append(tag)
    return tags


def _own_tags(attrs: dict[str, str]) -> list[str] | None:
    """The tags wirewatch wrote whole (`TAGS`), when they read as a list of strings."""
    try:
        written = json.loads(attrs.get(TAGS.lower()) or "null")
    except ValueError:
        return None
    if not isinstance(written, list) or not all(isinstance(tag, str) for tag in written):
        return None
    return [tag for tag in (clean_line(tag, is_html=False) for tag in written) if tag]


def _settings(attrs: dict[str, str], found: Subscription) -> Subscription:
    """What wirewatch wrote of a source's settings in an outline, where it reads as valid."""
    if (attrs.get("type") or "").strip().lower() == "link":
        found.kind = "page"
    interval = (attrs.get(INTERVAL.lower()) or "").strip()
    if interval:
        try:  # (one shorter than a source at its address may have is left out too)
            if parse_duration(interval) >= shortest_interval(found.url):
                found.interval = interval
        except ValueError:
            pass
    found.full_text = attrs.get(FULL_TEXT.lower()) == "true"
    found.enabled = attrs.get(DISABLED.lower()) != "true"
    charset = (attrs.get(CHARSET.lower()) or "").strip()
    if charset:
        try:
            if codecs.lookup(charset)._is_text_encoding:
                found.charset = charset
        except LookupError:
            pass
    return found


def write_opml(sources: list[Source], title: str, now: datetime) -> bytes:
    """OPML 2.0 with one outline per remote source, and a folder for each tag holding each
    source of that tag: newsboat, Feedly, Inoreader and Miniflux take a feed's tags from the
    folders around it (a list without folders lost every tag moving out). A source of
    several tags is listed once in each of their folders; one without a tag at the top. The
    tags are in `category` too, and whole in `TAGS`, as its place in the config in `ORDER`,
    so that wirewatch reads the sources back as they were."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}  # each tag's, placed where its first source was
    remote = [source for source in sources if source.url]
    for order, source in enumerate(remote, start=1):
        attrs = _source_attributes(source, order)
        if not source.tags:
            ET.SubElement(body, "outline", attrs)
        for tag in dict.fromkeys(source.tags):
            folder = folders.get(tag)
            if folder is None:
                folder = folders[tag] = ET.SubElement(body, "outline", text=tag, title=tag)
            ET.SubElement(folder, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"


def _source_attributes(source: Source, order: int) -> dict[str, str]:
    """The attributes of a source's outline: OPML's, then wirewatch's own."""
    attrs = {
        "text": source.name,
        "title": source.name,
        "type": "rss" if source.kind == "feed" else "link",
        "xmlUrl": source.url or "",
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
    attrs[ORDER] = str(order)
    return attrs
