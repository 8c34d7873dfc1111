"""Parsing RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed bytes into Articles.

A strict, fast ElementTree pass first. A document cut off mid-way keeps every element and every
character that arrived (the open elements are closed where the bytes end); a bare `&` or an
HTML-only entity is repaired; anything else malformed goes to feedparser. Recover-mode parsers
silently drop text, so none is used.

Items are read one by one: a field that cannot be read (a date with a +25:00 offset, a number
where a language belongs, an item that is not an object) is left empty and counted in
`ParsedFeed.warnings`, and the item and the feed go on.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import html
import io
import json
import pyexpat
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from itertools import chain
from typing import Any
from urllib.parse import urljoin

import orjson

from fetchers.charset import decode, in_utf8, misread_western_label, strip_xml_declaration
from fetchers.models import (
    AHEAD_ALLOWED,
    TAG_LIMIT,
    Article,
    article_id,
    kept_revisions,
    utc_iso,
)
from fetchers.query import LANGUAGE_TAG, name_key
from fetchers.text import (
    SUMMARY_LIMIT,
    TEXT_LIMIT,
    as_prose,
    clean_block,
    clean_line,
    http_link,
    no_surrogates,
    plain_message,
    strip_controls,
)
from fetchers.textlanguage import told_language
from fetchers.timeparse import parse_feed_date
from fetchers.webaddress import untracked

XML_BASE = "{http://www.w3.org/XML/1998/namespace}base"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


GUID_LIMIT = 2048  # characters of a guid kept: an identity, not a place to store a document


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
    later_dates: list[str] = field(default_factory=list)  # more dates it gives (dc:date)
    updated: str | None = None
    tags: list[str] = field(default_factory=list)
    author: str | None = None
    lang: str | None = None
    # True: declared HTML (Atom type="html"/"xhtml", content:encoded, content_html); False:
    # declared plain text (Atom type="text", JSON Feed titles); None: sniffed (looks_like_html)
    title_is_html: bool | None = None
    summary_is_html: bool | None = None
    content_is_html: bool | None = None
    unread_link: str | None = None  # a link written that could not be read (`resolve`)
    # True: its plain summary's and content's line breaks are meant, each line a paragraph (a
    # JSON Feed's strings: nothing wraps them). False: an RSS description is HTML by its
    # spec, and an Atom text one a reader may reflow, so a single break in their plain text
    # only wraps a line (a space, as a browser and newsboat show it; a blank line parts two)
    breaks_meant: bool = False


# Errors that reading one item's fields may raise on a document nobody foresaw: they cost that
# item (counted as a warning), never the feed.
ITEM_ERRORS = (
    ValueError,
    TypeError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    UnicodeError,
    RecursionError,
)
WARNING_EXAMPLE = 60  # characters of the first value quoted in a warning


@dataclass(slots=True)
class ParsedFeed:
    """A feed's items as written, with a count of the fields that could not be read.

    `warnings` counts every field or item left out (an unreadable date, a language that is no
    language tag, an item that is not an object); `warning_notes` says what, one short plain
    line per kind with its first value. `to_articles` adds the dates and languages it cannot
    read."""

    title: str
    link: str | None
    items: list[RawItem]
    lang: str | None = None
    warnings: int = 0
    _kinds: dict[str, list[Any]] = field(default_factory=dict, repr=False)
    # the guid of the item a cut-off document's bytes stopped in, when it was kept (its
    # headline or summary may be half sent: `close_truncated`)
    cut_guid: str | None = None

    def warn(self, what: str, value: object = None) -> None:
        """Count one field or item that could not be read; `value` is what it held."""
        self.warnings += 1
        kind = self._kinds.get(what)
        if kind is None:
            example = "" if value is None else plain_message(repr(value))[:WARNING_EXAMPLE]
            self._kinds[what] = [1, example]
        else:
            kind[0] += 1

    def take_warnings(self, other: ParsedFeed) -> None:
        """Count another document's warnings as this one's, kind by kind (a folder of feeds
        is one source: "unreadable date (3 times)", not a note a file)."""
        self.warnings += other.warnings
        for what, (count, example) in other._kinds.items():
            kind = self._kinds.setdefault(what, [0, example])
            kind[0] += count

    @property
    def warning_notes(self) -> list[str]:
        """One line per kind of warning: "unreadable date (3 times), first: '+25:00'"."""
        notes = []
        for what, (count, example) in self._kinds.items():
            times = f" ({count} times)" if count > 1 else ""
            notes.append(f"{what}{times}" + (f", first: {example}" if example else ""))
        return notes


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.split(":")[-1]


def _name_and_namespace(tag: str) -> tuple[str, str]:
    """An element's local name and namespace."""
    return _local(tag), tag.split("}")[0][1:] if tag.startswith("{") else ""


_REMEMBERED_NAME = 256  # characters of an element name whose parts are remembered
# A feed repeats a few element names thousands of times; a name of any length may be written,
# and only short ones are kept beyond the document.
_remembered_name_and_namespace = functools.lru_cache(maxsize=1024)(_name_and_namespace)
_remembered_local = functools.lru_cache(maxsize=1024)(_local)


def _text(el: ET.Element | None) -> str:
    if el is None:
        return ""
    if not len(el) and isinstance(el.tag, str):
        return el.text or ""  # what itertext gives for an element without children
    return "".join(el.itertext())


def _inner_xml(el: ET.Element, markup: bool = True) -> str:
    """Atom type="xhtml" content: the children serialised as markup (or, with `markup` False,
    only their text, as a one-line field wants it), without recursion (the content may nest
    50,000 elements deep; ElementTree's own serialiser recurses)."""
    escape = html.escape if markup else _as_is
    parts = [escape(el.text or "", quote=False)]
    stack: list[tuple[ET.Element, bool]] = [(child, False) for child in reversed(el)]
    while stack:
        node, closing = stack.pop()
        name = _local(node.tag)
        if closing:
            if name and markup:
                parts.append(f"</{name}>")
            parts.append(escape(node.tail or "", quote=False))
            continue
        if name:  # comments and processing instructions have no name: only their tail counts
            if markup:
                attrs = "".join(f' {_local(k)}="{escape(v)}"' for k, v in node.items())
                parts.append(f"<{name}{attrs}>")
            parts.append(escape(node.text or "", quote=False))
        stack.append((node, True))
        if name:
            stack.extend((child, False) for child in reversed(node))
    return "".join(parts)


# Tag names that mark a text as HTML when it is not declared: elements of an article's body.
# Document-level names (html, head, title, body, meta, script, style) are left out, so a plain
# title that speaks of a "<title> tag" or of "<script>" keeps its words.
_BODY_TAGS = frozenset({
    "a", "abbr", "acronym", "address", "article", "aside", "audio", "b", "bdi", "bdo", "big",
    "blockquote", "br", "button", "caption", "center", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "embed", "fieldset", "figcaption",
    "figure", "font", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "i",
    "iframe", "img", "input", "ins", "kbd", "label", "legend", "li", "main", "mark", "nav",
    "object", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section",
    "small", "source", "span", "strike", "strong", "sub", "summary", "sup", "table", "tbody",
    "td", "tfoot", "th", "thead", "time", "tr", "tt", "u", "ul", "var", "video", "wbr"
})  # fmt: skip
_VOID_TAGS = frozenset({"br", "hr", "img", "wbr", "input", "embed", "source", "col"})
_TAG_LIKE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9]{0,15})(\s[^<>]*)?/?>")


def looks_like_html(text: str, block: bool = False) -> bool:
    """True when undeclared text is HTML: it has a tag of an article-body element that is
    closed (`</b>`), void (`<br>`, `<img ...>`) or carries an attribute (`<a href=...>`); in a
    `block` (an RSS description, which is HTML far more often than not, and may be cut off
    after its first `<p>`) any tag of such an element.

    RSS titles are often HTML escaped twice (`&lt;b&gt;`), while plain titles speak of tags
    ("needs a <title> tag", "List<T>", "the <b> element"): in a title, a bare opening tag is
    words, and in any text a tag of an unknown or document-level name is."""
    if "<" not in text:
        return False
    for match in _TAG_LIKE.finditer(text):
        name = match.group(2).lower()
        if name not in _BODY_TAGS:
            continue
        if block or match.group(1) or name in _VOID_TAGS or "=" in (match.group(3) or ""):
            return True
    return False


_CDATA_MARK = re.compile(r"<!\[CDATA\[|\]\]>")


def _cdata_ends_as_text(markup: str) -> str:
    """A `]]>` in HTML that closes no `<![CDATA[` of the same text is words (a CDATA section
    split to carry it): written `]]&gt;`, it is shown, not taken for a CDATA marker."""
    if "]]>" not in markup:
        return markup
    open_sections = 0

    def mark(match: re.Match[str]) -> str:
        nonlocal open_sections
        if match.group(0) != "]]>":
            open_sections += 1
            return match.group(0)
        if open_sections:
            open_sections -= 1
            return match.group(0)
        return "]]&gt;"

    return _CDATA_MARK.sub(mark, markup)


# a feed's root element, lower-cased: a page's "<html" in one's first item (content:encoded
# in CDATA) is the item's
_FEED_ROOTS = (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf ")


def sniff_non_feed(body: bytes, content_type: str | None) -> None:
    """Raise FeedError for bodies that are plainly not feeds (empty, HTML, a bot challenge)."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if not head:
        raise FeedError("empty response body")
    if head.startswith(b"{"):  # JSON, whose content_html may well be a page
        return
    if head.startswith((b"<!doctype html", b"<html")) or (
        b"<html" in head[:512] and not any(root in head for root in _FEED_ROOTS)
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


def parse_feed(
    body: bytes, headers: dict[str, str] | None, base_url: str | None, charset: str | None = None
) -> ParsedFeed:
    """Parse a feed document. Raises FeedError when the bytes are not a feed. `charset`: what
    the document is in when it is not UTF-8, whatever it says (its source's config)."""
    headers = {k.lower(): v for k, v in (headers or {}).items()}
    if charset is not None:
        converted = in_utf8(body, charset)
        if converted is not body:  # and every parser is told so, feedparser too
            body = converted
            kind = (headers.get("content-type") or "application/xml").split(";")[0]
            headers["content-type"] = f"{kind}; charset=utf-8"
    content_type = headers.get("content-type")
    sniff_non_feed(body, content_type)
    stripped = body.lstrip(b"\xef\xbb\xbf \t\r\n")
    # the body decides: XML served as JSON (a server's wrong type) is read as XML
    if stripped.startswith(b"{") or (
        content_type and "json" in content_type and not stripped.startswith(b"<")
    ):
        return _parse_json_feed(body, base_url)
    nesting = _nesting(body)
    if nesting > MAX_NESTING:
        raise FeedError(f"refused: its elements nest about {nesting:,} deep") from None
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
        else:  # (the lenient parser believes a Western label, as the strict one no longer does)
            behind = misread_western_label(body, content_type)
            if behind is not None:
                headers = {**headers, "content-type": "text/xml; charset=utf-8"}
                body = in_utf8(body, behind)
        return _parse_with_feedparser(body, headers, base_url, strict_error)


# How deep a document's elements may nest: each parse (and a repair's) keeps about 600 bytes
# a level (650,000 levels in 2 MB took 800 MB and 13 s over three parses; 15 MB of them
# outgrew memory, beyond any deadline); a real feed nests a dozen deep, and its broken
# markup leaves hundreds of elements open (a <br> an item)
MAX_NESTING = 50_000
NESTING_SLICES = 1024  # the points of a document its nesting is measured at
_UNPARSED = re.compile(rb"<!\[CDATA\[.*?\]\]>|<!--.*?-->", re.S)


def _nesting(body: bytes) -> int:
    """About how deeply a document's elements nest: opened less closed, counted up to each of
    `NESTING_SLICES` points (C-level counts, not a parse; what CDATA sections and comments
    hold is left out when the count is high)."""
    if body.count(b"<") <= MAX_NESTING:
        return 0  # (too few tags to nest that deep)
    deepest = _deepest(body)
    if deepest > MAX_NESTING:  # counted again without what is no markup (HTML in CDATA)
        deepest = _deepest(_UNPARSED.sub(b"", body))
    return deepest


def _deepest(body: bytes) -> int:
    step = max(1, len(body) // NESTING_SLICES)
    depth = deepest = 0
    for start in range(0, len(body), step):
        part = body[start : start + step]
        closes = part.count(b"</")
        opens = part.count(b"<") - closes - part.count(b"<!") - part.count(b"<?")
        depth += opens - closes - part.count(b"/>")
        deepest = max(deepest, depth)
    return deepest


_AMPLIFICATION = pyexpat.errors.codes.get(
    getattr(pyexpat.errors, "XML_ERROR_AMPLIFICATION_LIMIT_BREACH", ""), -1
)


def _expands_too_much(error: Exception) -> bool:
    """True for expat's refusal of a document whose entities multiply its size: every other
    parser would spend the same time and memory to fail again."""
    return getattr(error, "code", None) == _AMPLIFICATION


# (a name as XML writes one: a letter or "_", then letters, digits, "-", "_" and ".")
_BARE_AMP = re.compile(r"&(?!(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z_][\w.-]{0,31});)")
_NAMED = re.compile(r"&([A-Za-z_][\w.-]{0,31});")
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}


def repair_xml(body: bytes, content_type: str | None) -> bytes | None:
    """Fix the commonest faults without dropping text: a bare `&`, HTML-only entities, and
    character references to no character (`&#xD800;`).

    Returns None when there was nothing of that kind to repair.
    """
    text, _ = decode(body, content_type)
    text = strip_xml_declaration(text)
    fixed = _BARE_AMP.sub("&amp;", text)
    # the entities the document declares itself (`<!DOCTYPE rss [<!ENTITY ok "...">]>`), which
    # the parser expands: left for it, not written out as text
    subset = text[: text.find("]>")] if "<!ENTITY" in text[:8192] else ""
    declared = set(_DECLARED.findall(subset))

    def numeric(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _XML_NAMED or name in declared:
            return match.group(0)
        char = html.unescape(match.group(0))
        return (
            "".join(f"&#{ord(c)};" for c in char)
            if char != match.group(0)
            else ("&amp;" + match.group(0)[1:])
        )

    fixed = _NAMED.sub(numeric, fixed)
    fixed = _CHAR_REFS.sub(_readable_refs, fixed)
    if fixed == text:
        return None
    return fixed.encode("utf-8")


_DECLARED = re.compile(r"<!ENTITY\s++([A-Za-z_][\w.-]*+)")  # (a %parameter entity is no name)
_REF = r"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));"
_CHAR_REFS = re.compile(_REF + "(?:" + _REF + ")?")  # a reference, and the next if adjacent


def _ref_value(hex_digits: str | None, digits: str | None) -> int:
    return int(hex_digits, 16) if hex_digits else int(digits or "0")


def _readable_ref(value: int, written: str) -> str:
    """A character reference that no parser can turn into a character (a lone surrogate, a
    number beyond Unicode) as U+FFFD; any other as written. (A control character such as
    `&#27;` stays for feedparser, whose text then loses the whole escape sequence it starts.)"""
    if 0xD800 <= value <= 0xDFFF or value > 0x10FFFF:
        return "&#xFFFD;"
    return written


def _readable_refs(match: re.Match[str]) -> str:
    """`&#xD83D;&#xDCF0;` (UTF-16 written as two references) is one character, 📰; anything
    else XML refuses in a character reference is made readable by `_readable_ref`."""
    first = _ref_value(match.group(1), match.group(2))
    if match.group(3) is None and match.group(4) is None:
        return _readable_ref(first, match.group(0))
    second = _ref_value(match.group(3), match.group(4))
    if 0xD800 <= first <= 0xDBFF and 0xDC00 <= second <= 0xDFFF:
        return f"&#x{0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00):X};"
    split = match.group(0).index(";") + 1
    return _readable_ref(first, match.group(0)[:split]) + _readable_ref(
        second, match.group(0)[split:]
    )


def _utf8_document(body: bytes, content_type: str | None) -> bytes:
    """The document as UTF-8 without its XML declaration (which may name another encoding).

    A body that is UTF-8 already, without a byte-order mark (most are: `decode` reads it as
    UTF-8 then), is sliced rather than encoded again."""
    if not body.startswith(codecs.BOM_UTF8):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            declaration = len(text) - len(strip_xml_declaration(text))
            return body[len(text[:declaration].encode("utf-8")) :]
    text, _encoding = decode(body, content_type)
    return strip_xml_declaration(text).encode("utf-8")


def _parse_xml_strict(body: bytes, content_type: str | None, base_url: str | None) -> ParsedFeed:
    data = _utf8_document(body, content_type)
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        root = close_truncated(data)
        feed = _read_root(root, base_url)
        feed.warn(CUT_OFF)  # what arrived is read; the rest is asked for again (`CUT_OFF`)
        if root.get(_LEFT_OUT) is not None:
            feed.warn(CUT_ITEM_LEFT_OUT)
        cut = root.get(_CUT_NAME)
        feed.cut_guid = _guid(cut) if cut is not None else None
        return feed
    return _read_root(root, base_url)


def _read_root(root: ET.Element, base_url: str | None) -> ParsedFeed:
    """The feed of a document's root element: RSS, RDF or Atom."""
    kind = _local(root.tag).lower()
    written_base = root.get(XML_BASE)
    base = (resolve(base_url, written_base) or base_url) if written_base else base_url
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
        self.elements: list[ET.Element] = []  # the open elements themselves

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self.open.append(tag)
        element = self.builder.start(tag, attrs)
        self.elements.append(element)
        return element

    def end(self, tag: str) -> ET.Element:
        self.open.pop()
        self.elements.pop()
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


# The warning of a document whose bytes stopped early (`close_truncated`): its items that
# arrived are read, and the poller keeps none of the response's validators, so the next poll
# asks for the whole document (a server answering 304 to them would hold back the rest).
CUT_OFF = "document cut off"
CUT_ITEM_LEFT_OUT = "item cut before its guid left out"  # (`_drop_unnamed_cut_item`)
_LEFT_OUT = "{urn:wirewatch}left-out"  # set on the root of a document that left one out
_CUT_NAME = "{urn:wirewatch}cut"  # on the root: the guid of the item the cut fell in, kept


def close_truncated(data: bytes) -> ET.Element:
    """The tree of a document whose bytes stop early: everything that arrived, the elements
    still open closed at the cut (a half-sent title keeps the words it has, a cut inside a
    CDATA section the characters it has), but an item cut before its guid arrived
    (`_drop_unnamed_cut_item`).

    Re-raises the parse error when the fault is not at the end (the bytes are malformed, not
    cut off) or when not even the root element arrived."""
    target = _OpenElements()
    parser = ET.XMLParser(target=target)
    parser.feed(data)  # a fault in the middle raises here: not a truncation
    if _ends_inside_cdata(data):
        parser.feed(b"]]>")  # expat holds back a trailing "]" that might start the end mark
    try:
        parser.close()
    except ET.ParseError:
        if not target.open:
            raise
        still_open = list(target.elements)
        for tag in reversed(target.open):
            target.builder.end(tag)
        root = target.builder.close()
        if _drop_unnamed_cut_item(still_open):
            root.set(_LEFT_OUT, "")
        else:
            cut = _cut_item_name(still_open)
            if cut is not None:
                root.set(_CUT_NAME, cut)
        return root
    return target.close()


_ITEMS = frozenset({"item", "entry"})


def _drop_unnamed_cut_item(still_open: list[ET.Element]) -> bool:
    """Take out the item the cut fell in when its guid (an entry's id) had not arrived whole:
    known then by its link or its words as far as they came, it would be another article
    than the whole item the next poll brings (a headline "Blog po" beside "Blog post 2",
    for good). One named keeps the words it has. True when one was taken out."""
    for depth in range(len(still_open) - 1, 0, -1):
        item = still_open[depth]
        if _local(item.tag) in _ITEMS:
            if _item_name(item, still_open) is None:
                still_open[depth - 1].remove(item)
                return True
            return False
    return False


def _item_name(item: ET.Element, still_open: list[ET.Element]) -> str | None:
    """The guid of an item (an entry's id) among its children that arrived whole, as the
    readers take it: an RSS item's last guid, an Atom entry's first id; None when it has
    none, or an empty one (the item is then known by its link or its words)."""
    wanted = "guid" if _local(item.tag) == "item" else "id"
    names = [c for c in item if c not in still_open and _local(c.tag) == wanted]
    if not names:
        return None
    return _text(names[-1] if wanted == "guid" else names[0]).strip() or None


def _cut_item_name(still_open: list[ET.Element]) -> str | None:
    """The guid (an entry's id) of the item the cut fell in, which `_drop_unnamed_cut_item`
    kept; None when the cut fell between items, or inside an item's opening tag (told by
    the elements, not by the bytes: a guid repeated, a document in UTF-16, a tag cut in
    half fooled a look at the last bytes)."""
    items = [element for element in still_open if _local(element.tag) in _ITEMS]
    return _item_name(items[-1], still_open) if items else None


def _ends_inside_cdata(data: bytes) -> bool:
    start = data.rfind(b"<![CDATA[")
    return start != -1 and data.find(b"]]>", start + 9) == -1


def _rss_channel(
    channel: ET.Element | None, children: list[ET.Element], base: str | None
) -> ParsedFeed:
    title = _line(_text(_child(channel, "title"))) if channel is not None else ""
    link = _text(_child(channel, "link")).strip() or None if channel is not None else None
    lang = _text(_child(channel, "language")).strip() or None if channel is not None else None
    feed = ParsedFeed(title=title, link=link, items=[], lang=lang)
    for el in children:
        if _local(el.tag) != "item":
            continue
        try:
            feed.items.append(_rss_item(el, lang, base))
        except ITEM_ERRORS as exc:
            feed.warn("unreadable item", type(exc).__name__)
    return feed


# An absolute http(s) link that urljoin gives back as written whatever the base: a lower-case
# scheme, a host, and only characters urlsplit and urlunsplit keep in place (no whitespace or
# controls, no brackets, no ";" that would start path parameters, no empty query or fragment).
# Nearly every feed's links are such; urljoin reads the others.
_URL_CHARS = r"A-Za-z0-9\-._~!$&'()*+,=:@%/"
_PLAIN_LINK = re.compile(
    rf"https?://[{_URL_CHARS[:-1]}]+(?:/[{_URL_CHARS}]*)?(?:\?[{_URL_CHARS}?]+)?(?:#[{_URL_CHARS}?#]+)?"
)


def resolve(base: str | None, link: str) -> str | None:
    """`urljoin(base, link)`, without parsing the commonest links: an absolute http(s) one
    comes back as written, as urljoin gives it. None for a link that cannot be read
    (`http://[x`: urljoin raises), which costs the item its link, never the item or the
    feed."""
    if _PLAIN_LINK.fullmatch(link) is not None:
        return link
    try:
        return urljoin(base or "", link)
    except ValueError:
        return None


# The namespaces whose title, description and content are an item's own: RSS 2.0's (none),
# RSS 1.0's and 0.9's, Dublin Core's and the content module's; Atom's in an Atom entry. Those
# of another namespace (Media RSS's media:title and media:description, a photo's caption;
# iTunes' itunes:summary) are taken only when the item has none of its own: a photo's caption
# after a New York Times headline's description was shown as its summary, and a
# media:content after an Atom entry's content took its place.
_RSS_OWN = frozenset(
    {
        "",
        "http://purl.org/rss/1.0/",
        "http://my.netscape.com/rdf/simple/0.9/",
        "http://backend.userland.com/rss2",
        "http://purl.org/dc/elements/1.1/",
        "http://purl.org/rss/1.0/modules/content/",
    }
)
_ATOM_OWN = frozenset({"", "http://www.w3.org/2005/Atom", "http://purl.org/atom/ns#"})
# (Atom's drafts wrote "http://purl.org/atom/ns#draft-ietf-atompub-format-11" and the like)
_ATOM_DRAFT = "http://purl.org/atom/ns#"


def _rss_item(el: ET.Element, lang: str | None, base: str | None) -> RawItem:
    item = RawItem(lang=lang)
    other_title = other_summary = other_content = ""  # of another namespace (`_RSS_OWN`)
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and len(tag) > _REMEMBERED_NAME:
            name, ns = _name_and_namespace(tag)
        else:
            name, ns = _remembered_name_and_namespace(tag)
        value = _text(child)
        if name in ("title", "description", "encoded") and ns not in _RSS_OWN:
            if name == "title":
                other_title = other_title or value
            elif name == "description":
                other_summary = other_summary or value
            else:  # a content module written without its last "/", say
                other_content = other_content or value
        elif name == "title" and not item.title:
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
            item.content_is_html = True
        elif name in ("pubDate", "date", "issued", "published"):
            if not item.published:
                item.published = value
            else:  # read when the first cannot be ("Fr, 24 Okt 2025" beside a dc:date)
                item.later_dates.append(value)
        elif name in ("updated", "modified"):
            item.updated = value
        elif name in ("category", "subject") and value.strip():
            item.tags.append(value.strip())
        elif name in ("author", "creator") and not item.author:
            item.author = value.strip() or None
    item.title = item.title or other_title
    item.summary = item.summary or other_summary
    if not item.content and other_content.strip():
        item.content, item.content_is_html = other_content, True
    if item.link and base:
        written, item.link = item.link, resolve(base, item.link)
        item.unread_link = written if item.link is None else None
    return item


def _child(el: ET.Element | None, name: str) -> ET.Element | None:
    if el is None:
        return None
    return next((c for c in el if _local(c.tag) == name), None)


def _as_is(text: str, quote: bool = True) -> str:
    return text


def _atom_text(el: ET.Element | None, line: bool = False) -> tuple[str, bool | None]:
    """A text construct and whether it is HTML, as its type says (Atom's default is text).
    A `line` (a title) in xhtml is taken as its text: a title needs no markup, and one nested
    thousands deep would not fit a one-line field's input cap as markup."""
    if el is None:
        return "", None
    mode = (el.get("mode") or "").lower()  # Atom 0.3: mode says how, type is a MIME type
    kind = (el.get("type") or "text").lower()
    if mode == "xml" or kind in ("xhtml", "application/xhtml+xml"):
        return (_inner_xml(el, markup=False), False) if line else (_inner_xml(el), True)
    if mode == "escaped" or kind in ("html", "text/html"):
        return _text(el), True
    return _text(el), False


def _atom_feed(root: ET.Element, base: str | None) -> ParsedFeed:
    feed_title, title_is_html = _atom_text(_child(root, "title"), line=True)
    lang = root.get(XML_LANG)
    feed = ParsedFeed(title=_line(feed_title, title_is_html), link=None, items=[], lang=lang)
    for el in root:
        name = _local(el.tag)
        if name == "link" and el.get("rel", "alternate") == "alternate":
            feed.link = resolve(base, el.get("href", ""))
        if name != "entry":
            continue
        try:
            feed.items.append(_atom_entry(el, lang, base))
        except ITEM_ERRORS as exc:
            feed.warn("unreadable item", type(exc).__name__)
    return feed


def _atom_entry(el: ET.Element, lang: str | None, base: str | None) -> RawItem:
    entry_base = (resolve(base, el.get(XML_BASE, "")) or base) if el.get(XML_BASE) else base
    item = RawItem(lang=el.get(XML_LANG) or lang)
    other: dict[str, ET.Element] = {}  # a title, summary or content of another namespace
    for child in el:
        tag = child.tag
        if isinstance(tag, str) and len(tag) > _REMEMBERED_NAME:
            cname, ns = _name_and_namespace(tag)
        else:
            cname, ns = _remembered_name_and_namespace(tag)
        if cname in ("title", "summary", "content") and not (
            ns in _ATOM_OWN or ns.startswith(_ATOM_DRAFT)
        ):
            other.setdefault(cname, child)  # (`_RSS_OWN`: taken only when it has none)
        elif cname == "title":
            item.title, item.title_is_html = _atom_text(child, line=True)
        elif cname == "link":
            rel = child.get("rel", "alternate")
            href = child.get("href")
            if href and rel == "alternate" and not item.link:
                child_base = child.get(XML_BASE)
                link_base = entry_base
                if child_base:  # one that cannot be read leaves the entry's
                    link_base = resolve(entry_base, child_base) or entry_base
                item.link = resolve(link_base, href)
                item.unread_link = href if item.link is None else None
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
    if not item.title and "title" in other:
        item.title, item.title_is_html = _atom_text(other["title"], line=True)
    if not item.summary and "summary" in other:
        item.summary, item.summary_is_html = _atom_text(other["summary"])
    if not item.content and "content" in other and _text(other["content"]).strip():
        # (an Atom draft's namespace; a media:content is empty, its address an attribute)
        item.content, item.content_is_html = _atom_text(other["content"])
    return item


def _load_json(body: bytes) -> Any:
    """The JSON value of a body. orjson first; a body it refuses for one bad character (a lone
    surrogate escape, a byte that is not UTF-8, an integer wider than 64 bits) is read by the
    standard library instead, so one character never costs the feed."""
    raw = body.lstrip(b"\xef\xbb\xbf")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        first_error = exc
    try:
        return json.loads(decode(raw, "application/json")[0])
    except (ValueError, RecursionError):
        raise FeedError(f"malformed JSON: {first_error}") from None


def _parse_json_feed(body: bytes, base_url: str | None) -> ParsedFeed:
    """JSON Feed 1.0 and 1.1, as the spec is written and as the wild writes it.

    Wild forms read: `authors` an object (or a string) rather than an array, `author` a string,
    numbers where text belongs (an `id` is coerced, as the spec asks; a numeric date or
    language is unreadable), `tags` a string, `items` an object or missing, null anywhere.
    Items that are not objects, and fields of a type that means nothing, are counted as
    warnings. `_`-extensions, attachments and images are not read (an article has no place for
    them)."""
    data = _load_json(body)
    if not isinstance(data, dict) or "jsonfeed.org" not in str(data.get("version", "")):
        raise FeedError("JSON that is not a JSON Feed (no jsonfeed.org version)")
    feed = ParsedFeed(title="", link=None, items=[])
    reader = _JsonFields(feed)
    feed.title = _line(reader.text(data, "title"), False)
    feed.link = reader.url(data, "home_page_url", base_url)
    feed.lang = reader.text(data, "language", numbers=False) or None
    feed_authors = reader.authors(data)
    item_base = feed.link or base_url  # the spec names no base; relative to the site, then
    entries = data.get("items")
    if isinstance(entries, dict):
        entries = [entries]  # one item written as an object
    elif not isinstance(entries, list):
        feed.warn("items is not a list" if "items" in data else "no items", entries)
        entries = []
    for entry in entries:
        if not isinstance(entry, dict):
            if entry is not None:
                feed.warn("item is not an object", entry)
            continue
        try:
            feed.items.append(reader.item(entry, item_base, feed_authors))
        except ITEM_ERRORS as exc:
            feed.warn("unreadable item", type(exc).__name__)
    return feed


class _JsonFields:
    """Reads JSON Feed fields of any type: what is text (or a number, where a number can be
    written for it) comes back as text, anything else as nothing and a warning."""

    def __init__(self, feed: ParsedFeed) -> None:
        self.feed = feed

    def text(self, obj: dict[str, Any], key: str, numbers: bool = True) -> str:
        value = obj.get(key)
        if value is None:
            return ""
        if isinstance(value, str):
            return no_surrogates(value)
        if numbers and isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)
        self.feed.warn(f"{key} is not text", value)
        return ""

    def url(self, obj: dict[str, Any], key: str, base_url: str | None) -> str | None:
        value = self.text(obj, key, numbers=False).strip()
        if not value:
            return None
        found = resolve(base_url, value)
        if found is None:
            self.feed.warn("unreadable link", value)
        return found

    def date(self, obj: dict[str, Any], key: str) -> str | None:
        """A date as written; a number is kept as text so that the date reader refuses it and
        counts it (JSON Feed dates are RFC 3339 strings, never Unix times)."""
        return self.text(obj, key) or None

    def authors(self, obj: dict[str, Any]) -> list[str]:
        """Author names from `authors` (1.1: an array; in the wild an object or a string) and
        `author` (1.0: an object; in the wild a string), in order, each once."""
        names: list[str] = []
        for key in ("authors", "author"):
            value = obj.get(key)
            people = value if isinstance(value, list) else [value]
            for person in people:
                if person is None:
                    continue
                if isinstance(person, dict):
                    name = self.text(person, "name")
                elif isinstance(person, str):
                    name = no_surrogates(person)
                else:
                    self.feed.warn(f"{key} is not a person", person)
                    continue
                name = name.strip()
                if name and name not in names:
                    names.append(name)
        return names

    def tags(self, obj: dict[str, Any]) -> list[str]:
        value = obj.get("tags")
        if value is None:
            return []
        if isinstance(value, str):
            return [no_surrogates(value)]  # one tag written as a string
        if not isinstance(value, list):
            self.feed.warn("tags is not a list", value)
            return []
        tags: list[str] = []
        for tag in value:
            if isinstance(tag, str):
                tags.append(no_surrogates(tag))
            elif isinstance(tag, int | float) and not isinstance(tag, bool):
                tags.append(str(tag))
            elif tag is not None:
                self.feed.warn("tag is not text", tag)
        return tags

    def item(self, entry: dict[str, Any], base_url: str | None, feed_authors: list[str]) -> RawItem:
        html_body = self.text(entry, "content_html")
        text_body = self.text(entry, "content_text")
        authors = self.authors(entry) or feed_authors  # 1.1: the feed's authors by default
        language = self.text(entry, "language", numbers=False) or None
        return RawItem(
            title=self.text(entry, "title"),
            title_is_html=False,  # "plain text. HTML is not allowed."
            link=self.url(entry, "url", base_url) or self.url(entry, "external_url", base_url),
            guid=self.text(entry, "id").strip() or None,
            summary=self.text(entry, "summary"),
            summary_is_html=False,  # "a plain text sentence or two"
            content=html_body or text_body,
            content_is_html=bool(html_body),
            breaks_meant=True,
            published=self.date(entry, "date_published"),
            updated=self.date(entry, "date_modified"),
            tags=self.tags(entry),
            author=", ".join(authors) or None,
            lang=language or self.feed.lang,
        )


def _parse_with_feedparser(
    body: bytes, headers: dict[str, str], base_url: str | None, strict_error: Exception
) -> ParsedFeed:
    import feedparser  # imported lazily: it is slow to import and only needed for broken feeds

    try:
        # No base for feedparser: it would resolve a guid such as "1" against it, and the
        # article's identity would change whenever the document breaks. Links are resolved here.
        parsed = feedparser.parse(
            io.BytesIO(body),
            response_headers={**headers, "content-location": ""},
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    except ITEM_ERRORS as exc:
        raise FeedError(f"not a readable feed: {strict_error} ({type(exc).__name__})") from None
    if not parsed.entries and not parsed.feed.get("title"):
        raise FeedError(f"not a readable feed: {strict_error}")
    # Atom says what each text is; for RSS, feedparser guesses, and wirewatch guesses itself
    atom = str(parsed.get("version", "")).startswith("atom")
    lang = _fp_text(parsed.feed.get("language")) or None
    feed_link = _fp_text(parsed.feed.get("link")).strip()
    feed = ParsedFeed(
        title=_line(_fp_text(parsed.feed.get("title")), _fp_html(parsed.feed, "title", atom)),
        link=resolve(base_url, feed_link) if feed_link else None,
        items=[],
        lang=lang,
    )
    for entry in parsed.entries:
        try:
            feed.items.append(_feedparser_item(entry, base_url, lang, atom))
        except ITEM_ERRORS as exc:
            feed.warn("unreadable item", type(exc).__name__)
    return feed


def _feedparser_item(entry: Any, base_url: str | None, lang: str | None, atom: bool) -> RawItem:
    content = ""
    content_is_html: bool | None = None
    if entry.get("content"):
        first = entry["content"][0]
        content = _fp_text(first.get("value"))
        content_is_html = "html" in first.get("type", "")
    link = _fp_text(entry.get("link"))
    guid = _fp_text(entry.get("id")).strip()
    if entry.get("guidislink") and link == guid and not guid.startswith("http"):
        link = ""  # a guid is a link only when it is one, as the strict reader has it
    summary = _fp_text(entry.get("summary"))
    if content and summary == content and not entry.get("summary_detail"):
        summary = ""  # feedparser's copy of the content, typeless: the strict reader has none
    resolved = resolve(base_url, link.strip()) if link.strip() else None
    return RawItem(
        title=_fp_text(entry.get("title")),
        title_is_html=_fp_html(entry, "title", atom),
        link=resolved,
        unread_link=link.strip() if link.strip() and resolved is None else None,
        guid=guid or None,
        summary=summary,
        summary_is_html=_fp_html(entry, "summary", atom),
        content=content,
        content_is_html=content_is_html,
        published=_fp_text(entry.get("published") or entry.get("created")) or None,
        updated=_fp_text(dict.get(entry, "updated")) or None,  # not the deprecated alias
        tags=[_fp_text(t.get("term")) for t in entry.get("tags", []) if t.get("term")],
        author=_fp_text(entry.get("author")) or None,
        lang=lang,
    )


def _fp_text(value: object) -> str:
    """A string from feedparser, encodable: its character references may make surrogates."""
    return no_surrogates(value) if isinstance(value, str) else ""


def _fp_html(entry: Any, key: str, atom: bool) -> bool | None:
    """What an Atom text construct declared; None (sniff it) for RSS."""
    if not atom:
        return None
    detail = entry.get(f"{key}_detail") or {}
    return "html" in detail.get("type", "text/plain")


def _line(text: str, is_html: bool | None = None) -> str:
    """A one-line field: HTML (declared, or sniffed when `is_html` is None) loses its tags,
    plain text keeps its angle-bracketed words."""
    if not text:
        return ""
    if is_html is None:
        is_html = looks_like_html(text)
    return clean_line(_cdata_ends_as_text(text) if is_html else text, is_html=is_html)


_REMEMBERED_LINE = 200  # characters of a name or tag whose cleaned form is remembered
_remembered_line = functools.lru_cache(maxsize=2048)(_line)


def _name_line(text: str) -> str:
    """`_line` of a tag or an author's name, remembered when short: a feed repeats a few of
    them on every item."""
    return _remembered_line(text) if len(text) <= _REMEMBERED_LINE else _line(text)


def _block(
    text: str,
    is_html: bool | None,
    limit: int = TEXT_LIMIT,
    preformatted: bool = False,
    wrapped: bool = False,
) -> str:
    """A multi-line field, HTML or plain as `_line` decides, at most `limit` characters;
    `preformatted`, `wrapped`: see `clean_block` (an item's content, which is its full text;
    an RSS or Atom text, whose single line breaks wrap its lines: `RawItem.breaks_meant`)."""
    if not text:
        return ""
    if is_html is None:
        is_html = looks_like_html(text, block=True)
    text = _cdata_ends_as_text(text) if is_html else text
    return clean_block(text, is_html, limit, preformatted, wrapped=wrapped)


_SUBTAG = re.compile(r"[-_]")


@dataclass(slots=True)
class _Version:
    """One item as an article, with what orders it among items that share its guid."""

    article: Article
    fingerprint: str
    when: datetime | None  # its updated time, else its published time
    order: int  # its place in the document
    link: str | None  # its link less its tracking parameters, as its id is made of it


@dataclass(slots=True)
class _Slot:
    """The versions of one article id within a document."""

    index: int  # where the article sits in the output
    versions: list[_Version]
    fingerprints: set[str]
    by_guid: bool


def to_articles(
    feed: ParsedFeed,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo = UTC,
) -> list[Article]:
    """Articles from parsed items.

    Items that share a guid are one article: the latest version is kept (by its updated, else
    published time; without times, the first in the document, as feeds list newest first) and
    the others become its `revisions`, oldest first; unless they each link elsewhere
    (`_guids_that_tell_nothing`). Items without a guid that share a link
    but differ stay separate articles, each known by its words (`_told_by_words`). A date or
    language that cannot be read is left empty and counted in `feed.warnings`; an item that
    cannot be read at all is skipped and counted. An article whose item and feed declare no
    language that reads is given the one its headline and summary say, when they say it
    clearly (`told_language`)."""
    versions: list[_Version] = []
    for order, raw in enumerate(feed.items):
        try:
            version = _version(raw, order, feed, source, source_tags, fetched, default_zone)
        except ITEM_ERRORS as exc:
            feed.warn("unreadable item", type(exc).__name__)
            continue
        if version is not None:
            versions.append(version)
    _guids_that_tell_nothing(versions, source, feed)
    _told_by_words(versions, source)
    out: list[Article] = []
    slots: dict[str, _Slot] = {}
    for version in versions:
        article = version.article
        slot = slots.get(article.id)
        if slot is None:
            slots[article.id] = _Slot(
                len(out), [version], {version.fingerprint}, bool(article.guid)
            )
            out.append(article)
            continue
        if version.fingerprint in slot.fingerprints:
            continue  # the same item again
        if slot.by_guid or article.guid:
            slot.versions.append(version)  # one article, another version of it
            slot.fingerprints.add(version.fingerprint)
            slot.by_guid = True
            continue
        ident = article_id(source, f"{version.link}#{version.fingerprint}", None, "", "")
        if ident in slots:
            continue
        article.id = ident
        slots[ident] = _Slot(len(out), [version], {version.fingerprint}, False)
        out.append(article)
    for slot in slots.values():
        if len(slot.versions) > 1:
            out[slot.index] = _with_revisions(slot.versions, fetched)
    return out


def told_by_words(article: Article) -> None:
    """Give an item of no guid the id of its link and its words, and mark it so, as
    `_told_by_words` gives those whose link others share in its document: for one alone in
    its document at a link that stored articles share (`Poller._is_news`)."""
    key = article.words_key
    if key is None:  # (an article not read from a feed here)
        link = untracked(article.link) if article.link else article.link
        words = f"{article.title}\n{article.summary}\n{as_prose(article.text or '')}"
        fingerprint = hashlib.blake2b(
            words.encode("utf-8", "surrogatepass"), digest_size=8
        ).hexdigest()
        key = f"{link}#{fingerprint}"
    article.id = article_id(article.source, key, None, "", "")
    article.shares_link = True


def _guids_that_tell_nothing(versions: list[_Version], source: str, feed: ParsedFeed) -> None:
    """Items of one document that share a guid and each link elsewhere (a feed giving every
    item its site's address as its guid) are not versions of one article: each is known by
    its link, as an item without a guid is, and the guid is counted as a warning. They were
    one article, the others its "earlier versions", found by no search. Versions of one
    article that a feed lists together share their link (or have none)."""
    links: dict[str, set[str]] = {}
    for version in versions:
        if version.article.guid and version.link:
            links.setdefault(version.article.guid, set()).add(version.link)
    shared = {guid for guid, at in links.items() if len(at) > 1}
    if not shared:
        return
    for version in versions:
        article = version.article
        if article.guid in shared and version.link:
            article.id = article_id(source, None, version.link, article.title, article.summary)
            article.guid = None
            article.words_key = f"{version.link}#{version.fingerprint}"
    for guid in shared:
        feed.warn("items sharing a guid", guid)


def _told_by_words(versions: list[_Version], source: str) -> None:
    """Give each item without a guid whose link other items of the document share (a feed
    linking every item to its home page) an id of its link and its words, whatever its place:
    the first took the link's own id, so a new item listed above it took that id and rewrote
    the stored one's headline, and the one it displaced was dropped as its link's. An item
    alone at its link keeps the link's id (a changed headline under it is a revision)."""
    words_at: dict[str, set[str]] = {}
    for version in versions:
        if version.link and not version.article.guid:
            words_at.setdefault(version.link, set()).add(version.fingerprint)
    for version in versions:
        link = version.link
        if link and not version.article.guid and len(words_at[link]) > 1:
            article = version.article
            article.id = article_id(source, f"{link}#{version.fingerprint}", None, "", "")
            article.shares_link = True


def _version(
    raw: RawItem,
    order: int,
    feed: ParsedFeed,
    source: str,
    source_tags: list[str],
    fetched: datetime,
    default_zone: tzinfo,
) -> _Version | None:
    if raw.unread_link is not None:
        feed.warn("unreadable link", raw.unread_link)
    title = _line(raw.title, raw.title_is_html)
    wrapped = not raw.breaks_meant
    summary = _block(raw.summary, raw.summary_is_html, SUMMARY_LIMIT, wrapped=wrapped)
    # (its content is its full text: a <pre> in it is kept as written, as a page's is)
    content = (
        _block(raw.content, raw.content_is_html, preformatted=True, wrapped=wrapped)
        if raw.content
        else ""
    )
    written = bool(title or summary or content)  # (not a headline made of its link)
    if not written:
        # a headline, summary or content that could not be read (or none written) leaves the
        # item its link to be shown by; an item without even that is counted, never silent
        title = article_link(raw.link) or ""
        if not title:
            feed.warn("item with nothing to show", raw.guid)
            return None
    if not title:
        title = clean_line((summary or content).split("\n", 1)[0][:120], is_html=False)
    guid = _guid(raw.guid)
    ident = article_id(source, guid, raw.link, title, summary)
    # (its words as a summary reads them: an item stored before a <pre> in its content was
    # kept as written is known by the same words)
    fingerprint = hashlib.blake2b(
        f"{title}\n{summary}\n{as_prose(content)}".encode("utf-8", "surrogatepass"),
        digest_size=8,
    ).hexdigest()
    published = _first_date(raw, feed, default_zone)
    updated = _date(raw.updated, feed, default_zone)
    article = Article(
        id=ident,
        source=source,
        title=title,
        link=article_link(raw.link),
        published=_not_ahead(published or updated, fetched, feed),
        fetched=fetched,
        summary=summary if summary else _lead(as_prose(content)),
        text=content or None,
        tags=_tags(source_tags, raw.tags, feed),
        lang=_language(raw.lang, feed),
        author=_name_line(raw.author or "") or None,
        guid=guid,
    )
    if article.lang is None and written:
        # declared by neither the item nor its feed: the language its own words say, if
        # they say one clearly (`lang:ko` found nothing of a Korean feed that declared none)
        article.lang = told_language(article.title, article.summary)
    link = untracked(raw.link) if raw.link else raw.link  # (None as it always read)
    if link and not guid:
        article.words_key = f"{link}#{fingerprint}"
    return _Version(article, fingerprint, updated or published, order, link)


def _guid(written: str | None) -> str | None:
    """An item's guid as kept: no control characters, no surrounding space, GUID_LIMIT."""
    return strip_controls(written).strip()[:GUID_LIMIT] if written else None


def _not_ahead(published: datetime | None, fetched: datetime, feed: ParsedFeed) -> datetime | None:
    """A publication time later than the fetch (beyond a clock's drift, `AHEAD_ALLOWED`) is
    the time it was fetched, counted as a warning: a feed whose clock or zone is wrong (a
    Seoul time written as UTC) would otherwise keep its item at the top of every list, and
    its story's newest activity, for hours."""
    if fetched.tzinfo is None:  # (a clock without a zone is UTC's, as every stored time)
        fetched = fetched.replace(tzinfo=UTC)
    if published is None or published <= fetched + AHEAD_ALLOWED:
        return published
    feed.warn("date in the future", published.isoformat())
    return fetched


def page_published(
    published: datetime | None, fetched: datetime
) -> tuple[datetime | None, ParsedFeed]:
    """The time a page states it was published, as a feed item's is taken (`_not_ahead`: one
    ahead of the fetch is the fetch's, counted as a warning), and the warnings, as a feed's."""
    warnings = ParsedFeed("", None, [])
    return _not_ahead(published, fetched, warnings), warnings


def _first_date(raw: RawItem, feed: ParsedFeed, default_zone: tzinfo) -> datetime | None:
    """The item's publication time: its first date that reads (a German pubDate beside a
    dc:date is the dc:date); the first is counted as unreadable only when none reads."""
    if raw.later_dates and raw.published and raw.published.strip():
        for text in (raw.published, *raw.later_dates):
            when = parse_feed_date(text, default_zone)
            if when is not None:
                return when
    return _date(raw.published, feed, default_zone)


def _date(text: str | None, feed: ParsedFeed, default_zone: tzinfo) -> datetime | None:
    if not text or not text.strip():
        return None
    when = parse_feed_date(text, default_zone)
    if when is None:
        feed.warn("unreadable date", text.strip())
    return when


def _language(lang: str | None, feed: ParsedFeed) -> str | None:
    """The primary subtag of a language tag ("en-US" is "en"); anything else is no language."""
    if not lang or not lang.strip():
        return None
    primary = primary_language(lang)
    if primary is None:
        feed.warn("unreadable language", lang.strip())
    return primary


def primary_language(lang: str) -> str | None:
    """The primary subtag of a language tag ("en-US" is "en"); None for anything else."""
    if not LANGUAGE_TAG.fullmatch(lang.strip()):
        return None
    return _SUBTAG.split(lang.strip(), maxsplit=1)[0].lower()


def _with_revisions(versions: list[_Version], fetched: datetime) -> Article:
    """The latest version, carrying the others (each distinct title and summary once) as
    revisions, oldest first."""
    oldest = datetime.min.replace(tzinfo=UTC)
    ordered = sorted(versions, key=lambda v: (v.when or oldest, -v.order))
    latest = ordered[-1].article
    shown = {(latest.title, latest.summary)}
    revisions: list[dict[str, str]] = []
    for version in ordered[:-1]:
        article = version.article
        if (article.title, article.summary) in shown:
            continue
        shown.add((article.title, article.summary))
        seen = utc_iso(version.when or fetched) or ""
        revisions.append({"seen": seen, "title": article.title, "summary": article.summary})
    latest.revisions = kept_revisions(revisions)  # (a document of 200 versions kept them all)
    return latest


def article_link(link: str | None) -> str | None:
    """An item's link as stored, shown and opened: without its tracking parameters (a feed
    stamping them anew at each fetch made a titleless item's title a new revision at each)."""
    return http_link(untracked(link)) if link else None


def _lead(content: str, limit: int = 400) -> str:
    if len(content) <= limit:
        return content
    return content[:limit].rsplit(" ", 1)[0] + "…"


def _tags(source_tags: list[str], written: list[str], feed: ParsedFeed) -> list[str]:
    """The source's tags, then the item's, each once, at most `TAG_LIMIT` (the rest counted
    among the feed's warnings). 40,000 categories on one item took 7 s to tell apart. A tag
    written again in another case ("korea", "Korea") is the one `tag:` finds (`name_key`):
    kept once, as first written."""
    named: dict[str, str] = {}
    for tag in chain(source_tags, map(_name_line, written)):
        if tag:
            named.setdefault(name_key(tag), tag)
    tags = list(named.values())
    if len(tags) > TAG_LIMIT:
        feed.warn(f"tags beyond {TAG_LIMIT} left out", len(tags) - TAG_LIMIT)
        del tags[TAG_LIMIT:]
    return tags
