"""What a page says about its article: headline, byline, publication time and language, and
the article's text where its JSON-LD carries it (`articleBody`).

Read from the places publishers put them for search engines and social cards (JSON-LD,
Open Graph, Dublin Core, Parse.ly and plain meta tags), then from the markup (a `rel=author`
link, a `<time>` marked as the publication date, the `lang` of the page). A field the page
does not state is None, never a guess.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml.html import HtmlElement

from fetchers.text import clean_block, clean_line
from fetchers.timeparse import parse_feed_date

_ARTICLE_TYPES = re.compile(
    r"article|posting|report|review|newsarticle|scholarly|webpage|creativework", re.I
)
_BY = re.compile(r"^\s*(?:by|von|par|por|di|door|av|af)\s*[:\s]\s*", re.I)
# Comment and CDATA wrappers that pages put around JSON-LD for old browsers.
_WRAPPERS = re.compile(r"^\s*(?://|/\*)?\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*(?:\*/)?\s*$")
_BYLINE_LABEL = re.compile(r"(?:^|[\s_-])(?:byline|author|writtenby)(?:$|[\s_-])", re.I)
MAX_BYLINE_WORDS = 8
_LANG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_TITLE_KEYS = ("og:title", "dc:title", "dcterms:title", "twitter:title", "parsely-title")
_AUTHOR_KEYS = ("dc:creator", "dcterms:creator", "author", "parsely-author", "article:author")
_DATE_KEYS = (
    "article:published_time",
    "datepublished",
    "parsely-pub-date",
    "og:published_time",
    "dc.date.issued",
    "dcterms.issued",
    "dc:date",
    "dc.date",
    "dcterms.created",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "sailthru.date",
)
_LANG_KEYS = ("content-language", "language", "dc.language", "og:locale")
MAX_BYLINE = 100  # characters; anything longer is a paragraph, not a name
# What sites put between a headline and their own name in a <title>.
_SEPARATOR = re.compile(
    r"\s+[|\-\u2013\u2014\u00b7\u2022/\\>\u00bb:]{1,2}\s+|\s*[\uff5c\u3010\u3011]\s*"
)
_NON_WORD = re.compile(r"[^\w]+")
SIMILAR = 0.75  # share of the shorter title's words the longer one has


@dataclass(slots=True)
class PageMeta:
    """The article's own description of itself."""

    title: str = ""
    byline: str | None = None
    published: datetime | None = None
    lang: str | None = None
    body: str = ""  # JSON-LD's articleBody as paragraphs: a page whose script writes it in


def read_metadata(tree: HtmlElement) -> PageMeta:
    """Headline, byline, publication time (UTC) and language of a parsed page."""
    meta = _meta_tags(tree)
    ld = _json_ld_article(tree)
    return PageMeta(
        title=_title(tree, meta, ld),
        byline=_byline(tree, meta, ld),
        published=_published(tree, meta, ld),
        lang=_language(tree, meta, ld),
        body=_article_body(ld),
    )


def _meta_tags(tree: HtmlElement) -> dict[str, str]:
    """Meta tag values by lower-cased name, property or itemprop (first one wins); a
    property attribute may name several keys at once."""
    found: dict[str, str] = {}
    for element in tree.iter("meta"):
        content = element.get("content")
        if content is None or not content.strip():
            continue
        keys = " ".join(
            element.get(attribute, "") for attribute in ("name", "property", "itemprop")
        )
        equiv = element.get("http-equiv")
        if equiv:
            keys += " " + equiv
        for key in keys.lower().split():
            found.setdefault(key, content.strip())
    return found


def _json_ld_article(tree: HtmlElement) -> dict[str, Any]:
    """The first JSON-LD object that describes an article (or the first object at all)."""
    first: dict[str, Any] | None = None
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads(_WRAPPERS.sub("", script.text or ""))
        except (ValueError, RecursionError):  # nested without end counts as broken
            continue  # broken JSON-LD is common; the meta tags still count
        for item in _objects(data):
            kind = item.get("@type")
            kinds = kind if isinstance(kind, list) else [kind]
            if any(isinstance(k, str) and _ARTICLE_TYPES.search(k) for k in kinds):
                if "webpage" not in str(kinds).lower():
                    return item
                first = first or item
            elif first is None:
                first = item
    return first or {}


def _objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    if depth > 5:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        graph = data.get("@graph")
        if graph is not None:
            yield from _objects(graph, depth + 1)


def _text(value: Any) -> str:
    return clean_line(value) if isinstance(value, str) else ""


def _article_body(ld: dict[str, Any]) -> str:
    """An article's `articleBody` (a string, or a list of them) as paragraphs, one a line of
    it, cleaned as a feed's HTML is: the publisher's text, entities, stray tags and all, never
    more than text. A web page's or an organisation's object carries no article's body."""
    kind = str(ld.get("@type", ""))
    if not _ARTICLE_TYPES.search(kind) or "webpage" in kind.lower():
        return ""
    body = ld.get("articleBody")
    if isinstance(body, list):
        body = "\n".join(part for part in body if isinstance(part, str))
    if not isinstance(body, str):
        return ""
    lines = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "<br>")
    return clean_block(lines, is_html=True)


def _title(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str:
    """The headline: JSON-LD's, then the social cards', then the page's `<title>` without the
    site name it carries, then the first `<h1>`."""
    document = _document_title(tree)
    for candidate in (_json_ld_title(ld, document), *(_text(meta.get(k)) for k in _TITLE_KEYS)):
        if candidate:
            return candidate
    if document:
        return headline_of(document, _headings(tree), _text(meta.get("og:site_name")))
    for element in tree.iter("h1"):
        title = clean_line(element.text_content())
        if title:
            return title
    return ""


def _document_title(tree: HtmlElement) -> str:
    for element in tree.iter("title"):
        title = clean_line(element.text_content())
        if title:
            return title
    return ""


def _headings(tree: HtmlElement) -> list[str]:
    return [clean_line(h.text_content()) for tag in ("h1", "h2") for h in tree.iter(tag)][:20]


def _json_ld_title(ld: dict[str, Any], document: str) -> str:
    """JSON-LD's `headline`, or its `name` where only the name is the page's title (some
    sites put a description in `headline` and the headline in `name`)."""
    headline = _text(ld.get("headline"))
    kind = str(ld.get("@type", ""))
    if not _ARTICLE_TYPES.search(kind) or "webpage" in kind.lower():
        return headline  # an organisation's or a web page's name is no headline
    name = _text(ld.get("name"))
    if headline and name and similar(name, document) and not similar(headline, document):
        return name
    return headline or name


def headline_of(document: str, headings: list[str], site: str = "") -> str:
    """A `<title>` without the site's name: "Talks resume – Example News" is "Talks resume".

    The title's longest part is the headline when a heading of the page says it; the part the
    page names as its site goes; otherwise the last part is the site's (or the first, when
    the rest would be under three words); a title that would keep fewer than three words is
    kept whole (it may be "Home - Example")."""
    parts = [p.strip() for p in _SEPARATOR.split(document)]
    if len(parts) < 2:
        return document
    longest = max(parts, key=len)
    if _normal(longest) in {_normal(h) for h in headings if h}:
        return longest
    separators = list(_SEPARATOR.finditer(document))
    leading, trailing = document[separators[0].end() :], document[: separators[-1].start()]
    if site and _normal(parts[0]) == _normal(site):
        candidate = leading
    elif site and _normal(parts[-1]) == _normal(site):
        candidate = trailing
    else:
        candidate = trailing if len(trailing.split()) >= 3 else leading
    return candidate if len(candidate.split()) >= 3 else document


def similar(a: str, b: str) -> bool:
    """Two titles that are mostly the same words (one may carry the site's name too)."""
    first, second = set(_normal(a).split()), set(_normal(b).split())
    if not first or not second:
        return False
    return len(first & second) / min(len(first), len(second)) >= SIMILAR


def same_headline(a: str, b: str) -> bool:
    """The same headline written with other quotes, dashes, case or spacing."""
    return _normal(a) == _normal(b) != ""


def headline_in(line: str, title: str) -> bool:
    """A line that is the title without the site's name before or after it ("X" of
    "X - Site", "X | Site", "Site: X"), and at least half of it."""
    a, b = _normal(line), _normal(title)
    return bool(a) and (b.startswith(a + " ") or b.endswith(" " + a)) and 2 * len(a) >= len(b)


def _normal(text: str) -> str:
    """A title compared by its words: case, quotes, dashes and punctuation aside."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", folded).split())


def _names(value: Any) -> list[str]:
    """Author names from a JSON-LD author: a string, an object, or a list of either."""
    if isinstance(value, str):
        return [_text(value)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value[:10] for name in _names(item)]
    return []


def _byline(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    names = [n for n in _names(ld.get("author")) if n and not _is_url(n)]
    if names:
        return _tidy_byline(", ".join(dict.fromkeys(names)))
    for key in _AUTHOR_KEYS:
        value = _text(meta.get(key))
        if value and not _is_url(value):
            return _tidy_byline(value)
    body = tree.find("body")
    for element in (body if body is not None else tree).iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "meta"):
            continue
        label = f"{element.get('class', '')} {element.get('id', '')}"
        if (
            element.get("rel") == "author"
            or "author" in (element.get("itemprop") or "")
            or _BYLINE_LABEL.search(label)
        ):
            name_element = element.find(".//*[@itemprop='name']")
            source = name_element if name_element is not None else element
            text = clean_line(source.text_content())
            if text and len(text) <= MAX_BYLINE and len(text.split()) <= MAX_BYLINE_WORDS:
                return _tidy_byline(text)
    return None


def _tidy_byline(text: str) -> str | None:
    text = _BY.sub("", " ".join(text.split()))
    return text[:MAX_BYLINE] or None


def _is_url(text: str) -> bool:
    return text.startswith(("http://", "https://", "//"))


def _published(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> datetime | None:
    candidates: list[str] = []
    if isinstance(ld.get("datePublished"), str):
        candidates.append(ld["datePublished"])
    candidates += [meta[key] for key in _DATE_KEYS if key in meta]
    for element in tree.iter("time"):
        if element.get("itemprop") == "datePublished" or "pubdate" in element.attrib:
            candidates.append(element.get("datetime") or element.text_content())
    for text in candidates:
        when = parse_feed_date(text.strip())
        if when is not None:
            return when
    return None


def _language(tree: HtmlElement, meta: dict[str, str], ld: dict[str, Any]) -> str | None:
    candidates: list[str | None] = [tree.get("lang"), tree.get("xml:lang")]
    candidates.append(tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    candidates += [meta.get(key) for key in _LANG_KEYS]
    in_language = ld.get("inLanguage")
    if isinstance(in_language, str):
        candidates.append(in_language)
    for value in candidates:
        if isinstance(value, str) and value:
            tag = value.split(",")[0].strip()
            if _LANG.match(tag):
                return tag.replace("_", "-").split("-")[0].lower()
    return None
