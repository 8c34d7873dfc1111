"""Finding the feed behind a URL: the URL itself, its `<link rel="alternate">`, or a usual path."""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urljoin

import httpx

from fetchers.charset import decode
from fetchers.feeds import FeedError, parse_feed
from fetchers.http import FetchError, FetchResult, fetch
from fetchers.text import plain_message

FEED_TYPES = {
    "application/rss+xml",
    "application/atom+xml",
    "application/feed+json",
    "application/json",
    "application/rdf+xml",
    "application/xml",
    "text/xml",
}
log = logging.getLogger("wirewatch.discover")
MOST_ANNOUNCED = 20  # feeds of a page that are read and offered (a page announcing 3,000: 34 s)
USUAL_PATHS = ("/feed", "/rss", "/feed.xml", "/rss.xml", "/atom.xml", "/index.xml", "/feed.json")


class DiscoveryError(Exception):
    """No feed could be found behind a URL; the message says what was tried."""

    def __init__(self, message: str) -> None:
        super().__init__(plain_message(message))  # it names URLs a page gave: never raw


@dataclass(slots=True)
class FoundFeed:
    url: str
    title: str
    items: int


FEEDLIKE = re.compile(r"(?:\.(?:xml|rss|rdf|atom|json)|/(?:feeds?|rss|atom)/?)$", re.I)


def feedlike(url: str) -> bool:
    """Whether an address names a feed itself ("…/news.xml", "…/feed"), not a site's page:
    nothing else is taken for it when no feed answers there."""
    return FEEDLIKE.search(url.split("?", 1)[0].split("#", 1)[0]) is not None


class _AlternateLinks(HTMLParser):
    """Collects `<link rel="alternate" type="…feed type…" href>` from a page's markup."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []  # (href, title)
        self.base: str | None = None  # the page's <base href>, which its links are relative to

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "base" and self.base is None:
            href = dict(attrs).get("href")
            self.base = href.strip() if href else None
            return
        if tag != "link":
            return
        values = {k.lower(): (v or "") for k, v in attrs}
        rels = values.get("rel", "").lower().split()
        kind = values.get("type", "").lower().split(";")[0].strip()
        if "alternate" in rels and kind in FEED_TYPES and values.get("href"):
            self.links.append((values["href"].strip(), values.get("title", "")))


def feed_links(html: bytes, content_type: str | None, base: str) -> list[str]:
    """The feed URLs a page announces, absolute, in page order, without repeats."""
    text, _ = decode(html, content_type)
    parser = _AlternateLinks()
    try:
        parser.feed(text)
        parser.close()
    except AssertionError:  # html.parser gives up on some broken markup; keep what it found
        pass
    out: dict[str, None] = {}  # in page order, each once
    if parser.base:
        try:
            base = urljoin(base, parser.base)
        except ValueError:
            pass
    for href, _title in parser.links:
        url = urljoin(base, href)
        if url.startswith(("http://", "https://")):
            out[url] = None
    return list(out)


async def discover(
    client: httpx.AsyncClient, url: str, deadline: float, max_body: int
) -> list[FoundFeed]:
    """The feed at `url`; else every feed its page announces (in page order; a page often
    offers several: all news, one section, comments); else the first one at a usual path."""
    tried: list[str] = []
    page = await _get(client, url, deadline, max_body, tried)
    if page is None:
        raise DiscoveryError(tried[-1])  # names the URL and what went wrong
    found = _as_feed(page)
    if found is not None:
        return [found]
    announced = feed_links(page.body, page.headers.get("content-type"), page.url)
    if len(announced) > MOST_ANNOUNCED:  # a page of thousands: each one fetched, then listed
        log.warning(
            "%s announces %d feeds: the first %d are read", url, len(announced), MOST_ANNOUNCED
        )
        del announced[MOST_ANNOUNCED:]
    if announced:
        pages = await asyncio.gather(
            *(_get(client, link, deadline, max_body, tried) for link in announced)
        )
        feeds: list[FoundFeed] = []
        for link, result in zip(announced, pages, strict=True):
            feed = _as_feed(result) if result is not None else None
            if feed is None:
                if result is not None:
                    tried.append(f"{link}: not a feed")
            elif all(feed.url != known.url for known in feeds):
                feeds.append(feed)
        if feeds:
            return feeds
        raise DiscoveryError(
            f"{url}: none of the feeds the page announces can be read ({'; '.join(tried)})"
        )
    candidates = [urljoin(page.url, path) for path in USUAL_PATHS]
    for candidate in candidates:
        result = await _get(client, candidate, deadline, max_body, tried)
        feed = _as_feed(result) if result is not None else None
        if feed is not None:
            if feedlike(url):  # a feed's own address answered with none: not taken for it
                answered = "an empty answer" if not page.body.strip() else "no feed"
                raise DiscoveryError(
                    f"{url}: {answered} there; the site has a feed at {feed.url}: add that"
                    " address to subscribe to it"
                )
            return [feed]
        if result is not None:
            tried.append(f"{candidate}: not a feed")
    raise DiscoveryError(
        f"{url}: no feed found (the page announces none; tried {', '.join(candidates)})"
    )


async def _get(
    client: httpx.AsyncClient, url: str, deadline: float, max_body: int, tried: list[str]
) -> _Page | None:
    try:
        result = await fetch(client, url, deadline=deadline, max_body=max_body)
    except FetchError as exc:
        tried.append(f"{url}: {exc}")
        return None
    headers = {k.lower(): v for k, v in result.headers.items()}
    return _Page(result.url, result.body, headers, subscribed_address_of(result, url))


def subscribed_address_of(result: FetchResult, asked: str) -> str:
    """The address a subscription to what `asked` answered names, and what tells it from
    those subscribed already: the one asked for, unless every redirect on the way was
    permanent (a temporary one may carry a token that expires, and the address asked is the
    one the config may have already)."""
    return result.permanent_url or asked


@dataclass(slots=True)
class _Page:
    url: str  # where it came from at last (what its relative links are resolved against)
    body: bytes
    headers: dict[str, str]
    address: str  # what a subscription to it names


def _as_feed(page: _Page) -> FoundFeed | None:
    try:
        feed = parse_feed(page.body, page.headers, page.url)
    except FeedError:
        return None
    return FoundFeed(url=page.address, title=feed.title, items=len(feed.items))
