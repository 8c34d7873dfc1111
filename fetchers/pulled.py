"""Articles their outlets pulled from their feeds: a retraction, a story taken down.

A feed lists its newest items, so an article leaving its listing is most often one that
rolled off the end of a feed that keeps the newest N. It was pulled when the listing that
left it out still holds an item published before it: one that rolled off would have taken
every older item with it. The rule, for one poll of a feed:

- the poll's document was read whole (not cut short) and listed something, and the feed's
  listing before it is known (a source's first poll marks nothing);
- an article its listing before held and this one does not, stored, dated (`published`),
  and published after the oldest dated item this listing holds, is marked pulled, with the
  time of the poll that first found it missing (a mark already there keeps its time);
- an article marked pulled that a listing holds again loses the mark.

Undated articles are never marked (where they stood in the feed is not known), nor are
those of a feed whose listing holds fewer than ORDER_SHOWN dated items, or whose dated items
do not stand in the order of their dates (newest or oldest first): a feed of top stories in
its editors' order lets an item go from anywhere as the news moves on. Nor is an article
whose link or headline the listing still holds (listed again under another guid), nor one
compared with the listing of another address (a source whose url the config changed: its
first poll there marks nothing). A feed ordered by another time than
publication (updates first) can mark an article that rolled off: the mark says what the
feed did, and goes if it lists the article again.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from fetchers.models import Article
from fetchers.query import Record
from fetchers.webaddress import untracked

# dated items a listing must hold, in date order, to show the feed drops them from one end:
# a few in order by chance tell nothing (three of a feed of top stories, one time in three)
ORDER_SHOWN = 6


@dataclass(frozen=True, slots=True)
class ListingChange:
    """What one poll's listing of a feed left out and brought back, against the one before."""

    source: str
    gone: frozenset[str]  # listed before, not now
    back: frozenset[str]  # listed now, not before (new articles among them)
    oldest: float | None  # POSIX seconds: the oldest publication time this listing holds
    # the links (less tracking parameters) and headlines this listing holds: an article
    # listed again under another guid (a feed that makes them anew at each fetch) is there
    links: frozenset[str] = frozenset()
    titles: frozenset[str] = frozenset()


def listing_change(
    source: str, before: frozenset[str], listed: frozenset[str], articles: Iterable[Article]
) -> ListingChange | None:
    """The change between a feed's listing before and its listing now (`articles`: the
    items of this one); None when the listing before is not known or nothing changed."""
    if not before or not listed or before == listed:
        return None
    articles = list(articles)
    dates = [a.published.timestamp() for a in articles if a.published is not None]
    gone, back = before - listed, listed - before
    if len(dates) < ORDER_SHOWN or not _in_date_order(dates):  # nothing told (top stories
        return ListingChange(source, gone, back, None)  # in its editors' order, or too few)
    return ListingChange(
        source,
        gone,
        back,
        min(dates),
        frozenset(untracked(a.link) for a in articles if a.link),
        frozenset(a.title for a in articles if a.title),
    )


def _in_date_order(dates: list[float]) -> bool:
    """Whether a listing's dated items stand newest first or oldest first. Only such a feed
    drops its items from one end as newer ones come; a feed of top stories in the order its
    editors give lets an item go from the middle as the news moves on, and took down nothing."""
    pairs = list(zip(dates, dates[1:], strict=False))
    return all(a >= b for a, b in pairs) or all(a <= b for a, b in pairs)


def pulled_marks(
    changes: Iterable[ListingChange], records: Iterable[Record], now: float
) -> dict[str, float | None]:
    """The pulled marks to give (id -> `now`) and to take off (id -> None), given the
    stored `records` of the changes' ids."""
    by_id = {record.id: record for record in records}
    marks: dict[str, float | None] = {}
    for change in changes:
        for ident in change.back:
            record = by_id.get(ident)
            if record is not None and record.pulled is not None:
                marks[ident] = None
        if change.oldest is None:
            continue
        for ident in change.gone:
            record = by_id.get(ident)
            if (
                record is not None
                and record.source == change.source
                and record.pulled is None
                and record.published is not None
                and record.published > change.oldest
                and not (record.link and untracked(record.link) in change.links)
                and not (record.title and record.title in change.titles)
            ):
                marks[ident] = float(int(now))  # (whole seconds, as the store keeps times)
    return marks
