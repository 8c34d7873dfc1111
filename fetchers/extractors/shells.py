"""Pages that are no article but point to one: a redirect page (a `<meta http-equiv=refresh>`,
or a small page whose script sets `location`) and a script shell that a browser fills in
("Loading…", "You need to enable JavaScript"), which may name an AMP or canonical copy of
the article. Their few words were stored as an article's full text, in place of the feed's
summary, and counted as a fetch that worked. They are judged by their structure (little text,
no paragraph of prose, a refresh or script doing the work), not by the words of a notice in
one language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml.html import HtmlElement

from fetchers.extractors.blocks import words

MAX_REFRESH_DELAY = 10  # seconds: a longer refresh reloads a live page, it does not redirect
# a page whose text is this short, with no paragraph this long, is a notice, not an article
# ("If you are not redirected automatically, follow this link."; a brief has a paragraph)
NOTICE_WORDS = 40
PARAGRAPH_WORDS = 20
SHELL_WORDS = 12  # a page of scripts with at most these words of text is an empty shell
_REFRESH = re.compile(r"^\s*\d*(?:\.\d*)?\s*[;,]?\s*(?:url\s*=\s*)?(.*)$", re.I | re.S)
_DELAY = re.compile(r"^\s*(\d+)")
# a script that sends the reader on: `location = "…"`, `location.href = "…"`,
# `location.replace("…")`, `location.assign("…")` (of window, document or top)
_LOCATION = re.compile(
    r"""\blocation(?:\.href\s*=|\s*=(?!=)|\.replace\(|\.assign\()\s*(["'`])([^"'`\s]+)\1"""
)
_JAVASCRIPT = re.compile(r"java\s*script", re.I)


@dataclass(frozen=True, slots=True)
class Signs:
    """What a page's markup says of it, read before the extractors see its tree."""

    redirect: str | None  # where its refresh or script sends a reader (absolute when it can be)
    copies: tuple[str, ...]  # its AMP copy and canonical address, when not itself
    scripted: bool  # it has scripts (a shell's text is written in by them)
    noscript: tuple[str, ...]  # the text of its <noscript> parts


def read_signs(tree: HtmlElement, url: str | None) -> Signs:
    """The page's redirect, copies and scripts."""
    redirect = _refresh(tree, url)
    scripts = [s for s in tree.iter("script") if isinstance(s.tag, str)]
    if redirect is None:  # (read for a page whose text is a notice: `shell_reason`)
        for script in scripts:
            found = _LOCATION.search(script.text or "")
            if found:
                redirect = _absolute(found.group(2), url)
                break
    if redirect is not None and url and _same(redirect, url):
        redirect = None
    copies: list[str] = []
    for rel in ("amphtml", "canonical"):
        for link in tree.iter("link"):
            if rel in (link.get("rel") or "").lower().split() and link.get("href"):
                copy = _absolute(link.get("href", "").strip(), url)
                if copy and not (url and _same(copy, url)) and copy not in copies:
                    copies.append(copy)
                break
    noscript = tuple(" ".join(n.text_content().split()) for n in tree.iter("noscript"))
    return Signs(redirect, tuple(copies), bool(scripts), tuple(n for n in noscript if n))


def shell_reason(text: str, signs: Signs) -> str | None:
    """Why a page's text is no article (None: it may be one): a notice on a page that
    redirects, or on one that needs its scripts (its <noscript> text, a word of JavaScript,
    or scripts and next to no text: "Loading…")."""
    if not is_notice(text):
        return None
    if signs.redirect is not None:
        return f"the page only redirects to {signs.redirect}"
    flat = " ".join(text.split())
    needs_script = (
        any(n and n in flat for n in signs.noscript)
        or bool(_JAVASCRIPT.search(flat))
        or (signs.scripted and len(words(text)) <= SHELL_WORDS)
    )
    if needs_script:
        return "the page needs JavaScript: its text is only a notice"
    return None


def is_notice(text: str) -> bool:
    """A text too short to be an article and with no paragraph of prose in it."""
    if len(words(text)) >= NOTICE_WORDS:
        return False
    return all(len(words(part)) < PARAGRAPH_WORDS for part in text.split("\n\n"))


def leads(signs: Signs) -> tuple[str, ...]:
    """Where the article of a shell may be: its redirect, then its AMP and canonical copies."""
    found = [signs.redirect] if signs.redirect else []
    return tuple(dict.fromkeys([*found, *signs.copies]))


def _refresh(tree: HtmlElement, url: str | None) -> str | None:
    """Where a `<meta http-equiv=refresh>` of a short delay sends a reader."""
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() != "refresh":
            continue
        content = meta.get("content") or ""
        delay = _DELAY.match(content)
        if delay is None or int(delay.group(1)[:6]) > MAX_REFRESH_DELAY:
            continue
        parts = _REFRESH.match(content)
        target = (parts.group(1) if parts else "").strip().strip("'\"").strip()
        if target:
            return _absolute(target, url)
    return None


def _absolute(href: str, url: str | None) -> str | None:
    """A link resolved against the page's address (None: a link to no web page)."""
    try:
        joined = urldefrag(urljoin(url or "", href.strip()))[0]
        scheme = urlsplit(joined).scheme.lower()
    except ValueError:
        return None
    if url and scheme not in ("http", "https"):
        return None
    return joined or None


def _same(one: str, other: str) -> bool:
    """The same page, told apart by neither fragment nor a trailing slash."""
    return urldefrag(one)[0].rstrip("/") == urldefrag(other)[0].rstrip("/")
