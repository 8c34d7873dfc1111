"""Another reader's subscription list brought in: one entry per feed, each named as the feed
names itself where the list gives no name (a newsboat `urls` file names none, as a rule)."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from fetchers.discover import subscribed_address_of
from fetchers.feeds import FeedError, parse_feed
from fetchers.http import BodyTooLarge, FetchError, fetch, make_client
from fetchers.models import Settings
from fetchers.opml import Subscription
from fetchers.poller import host_cap
from fetchers.webaddress import feed_key

# Feeds read at once for their titles, at most (`concurrency` when lower), and how long one
# may take (`timeout` when shorter): a list of hundreds of dead feeds is named by address in
# minutes, not in an hour of 30-second timeouts.
TITLE_READERS = 16
TITLE_DEADLINE = 15.0
# the most of a feed read for its title (`max_body` when lower): 16 bodies of up to the
# source limit (15 MB) each were held at once only to read a title from each
TITLE_BODY = 2_000_000

log = logging.getLogger("wirewatch.importing")


@dataclass(slots=True)
class Listing:
    """A list's feeds, one entry per feed (`feed_key`: the key the config tells feeds apart
    by), in the order first listed."""

    feeds: list[Subscription]
    repeated: int  # feeds listed more than once
    most: int  # the most times one feed is listed


def one_per_feed(found: Iterable[Subscription]) -> Listing:
    """Entries of one feed as one: every entry's tags, the first name given (a feed listed
    first without a name and then with one takes that name)."""
    merged: dict[str, Subscription] = {}
    listed: Counter[str] = Counter()
    for entry in found:
        key = feed_key(entry.url)
        listed[key] += 1
        had = merged.get(key)
        if had is None:
            merged[key] = replace(entry, tags=list(entry.tags))
            continue
        had.tags = list(dict.fromkeys([*had.tags, *entry.tags]))
        if not had.named and entry.named:
            had.name, had.named = entry.name, True
    repeated = sum(1 for times in listed.values() if times > 1)
    return Listing(list(merged.values()), repeated, max(listed.values(), default=0))


@dataclass(slots=True)
class FeedTitle:
    """What reading a feed for its name found: its title, or why there is none, and the
    address it is subscribed at (where it moved for good, as `add` subscribes it: the same
    feed under an old address was subscribed a second time)."""

    title: str | None
    problem: str | None = None
    address: str | None = None  # None: not read


async def read_titles(urls: list[str], settings: Settings) -> dict[str, FeedTitle]:
    """Each feed's own title, read from it as `add` reads one: several at once, as many to a
    host as a poll sends, each within a deadline. A feed that cannot be read for its title,
    whatever the reason, is one without a title: never the import's end."""
    deadline = min(settings.timeout, TITLE_DEADLINE)
    most = min(settings.max_body, TITLE_BODY)
    readers = max(1, min(settings.concurrency, TITLE_READERS))
    client = make_client(settings.user_agent, readers, deadline)
    slots = asyncio.Semaphore(readers)
    hosts: dict[str, asyncio.Semaphore] = {}

    async def read(url: str) -> FeedTitle:
        host = urlsplit(url).hostname or ""
        polite = hosts.setdefault(host, asyncio.Semaphore(max(1, host_cap(host, settings))))
        async with polite, slots:  # (a slot is not held waiting for its host)
            try:
                result = await fetch(client, url, deadline=deadline, max_body=most)
                feed = parse_feed(result.body, result.headers, result.url)
            except BodyTooLarge:
                return FeedTitle(None, f"larger than the {most / 1_000_000:g} MB read for a title")
            except FetchError as exc:
                return FeedTitle(None, str(exc))
            except FeedError as exc:
                return FeedTitle(None, f"not a feed ({exc})")
            except Exception as exc:  # one feed never stops the import (as in a poll)
                log.exception("%s: unexpected failure reading its title", url)
                return FeedTitle(None, f"{type(exc).__name__}: {exc}")
        address = subscribed_address_of(result, url)
        if not feed.title:
            return FeedTitle(None, "the feed has no title", address)
        return FeedTitle(feed.title, address=address)

    try:
        found = await asyncio.gather(*(read(url) for url in urls))
    finally:
        await client.aclose()
    return dict(zip(urls, found, strict=True))
