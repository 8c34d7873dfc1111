"""The main text of an article page, without navigation, related links or "Most Commented"."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from fetchers.charset import decode
from fetchers.text import clean_line, normalise_paragraphs, strip_controls

# Lines that pages put between or after paragraphs and that are never the article.
_NOISE_LINE = re.compile(
    r"^(read more|related( articles| stories| news)?|most (commented|viewed|read|popular|shared)"
    r"|advertisement|share( this)?( article)?|subscribe|sign up.*newsletter.*|click here.*"
    r"|more from .*|top stories|trending( now)?|you may also like|recommended)\s*[:»>]*$",
    re.I,
)
_READ_MORE_PREFIX = re.compile(r"^(read more|also read|related)\s*[:»>-]\s*", re.I)


@dataclass(slots=True)
class Page:
    title: str
    text: str
    lang: str | None = None


class ExtractError(Exception):
    """A page with no article text in it."""


def extract_article(body: bytes, content_type: str | None, url: str | None) -> Page:
    """Main text and title of an HTML page given as bytes (any charset)."""
    import trafilatura  # heavy import, only when a page is extracted

    markup, _ = decode(body, content_type)
    text = trafilatura.extract(
        markup,
        url=url,
        output_format="txt",
        include_comments=False,
        include_tables=False,
        include_links=False,
        include_images=False,
        favor_precision=True,
        deduplicate=True,
    )
    title = _title(markup)
    if not text:
        raise ExtractError("no article text found on the page")
    clean = clean_extracted(text)
    first, _, rest = clean.partition("\n\n")
    if title and first == title and rest:
        clean = rest  # the headline is shown apart from the text
    return Page(title=title, text=clean, lang=_lang(markup))


def clean_extracted(text: str) -> str:
    """Drop furniture lines and a trailing list of related headlines."""
    lines = [line.strip() for line in strip_controls(text).split("\n")]
    kept: list[str] = []
    for line in lines:
        if not line or _NOISE_LINE.match(line) or _READ_MORE_PREFIX.match(line):
            continue
        kept.append(line)
    while kept and re.match(r"^[-•*]\s", kept[-1]):
        kept.pop()  # a trailing bullet list after the article is a related-links block
    return normalise_paragraphs("\n".join(kept))


def _title(markup: str) -> str:
    for pattern in (
        r'<meta[^>]+property=["\']og:title["\'][^>]+content=["\']([^"\']+)',
        r'<meta[^>]+content=["\']([^"\']+)["\'][^>]+property=["\']og:title',
        r"<h1[^>]*>(.*?)</h1>",
        r"<title[^>]*>(.*?)</title>",
    ):
        match = re.search(pattern, markup, re.I | re.S)
        if match:
            title = clean_line(html.unescape(match.group(1)))
            if title:
                return title
    return ""


def _lang(markup: str) -> str | None:
    match = re.search(r'<html[^>]+lang=["\']?([A-Za-z-]+)', markup[:4000], re.I)
    return match.group(1).split("-")[0].lower() if match else None
