"""What publishers really serve: one odd item or field never loses a feed.

Every document here is served from a real HTTP server on 127.0.0.1 and read through the fetch
path (or the whole poller, where what a user sees is the refresh report and source health).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from fetchers.config import Config
from fetchers.feeds import ParsedFeed, parse_feed, to_articles
from fetchers.healthbook import HealthBook
from fetchers.http import fetch, make_client
from fetchers.models import Article, PollResult, Settings, Source, article_id
from fetchers.poller import Poller
from fetchers.store import Store
from fetchers.timeparse import parse_feed_date
from tests.conftest import FeedServer, Route, rss

NOW = datetime(2025, 10, 24, 8, tzinfo=UTC)
JSON_FEED_11 = "https://jsonfeed.org/version/1.1"
JSON_FEED_10 = "https://jsonfeed.org/version/1"


async def read(
    feed_server: FeedServer, body: bytes, content_type: str = "application/rss+xml"
) -> tuple[ParsedFeed, list[Article]]:
    """Serve one document and read it as the poller does: fetched over HTTP, then parsed."""
    path = f"/doc-{len(feed_server.routes)}"
    url = feed_server.add(path, Route(body, headers={"Content-Type": content_type}))
    async with make_client(None, 4, 5.0) as client:
        result = await fetch(client, url, deadline=5.0, max_body=20_000_000)
    feed = parse_feed(result.body, result.headers, result.url)
    return feed, to_articles(feed, "S", [], NOW)


async def poll_one(
    tmp_path: Path, feed_server: FeedServer, body: bytes, content_type: str = "text/xml"
) -> tuple[PollResult, list[Article], int]:
    """Poll one source serving `body`: its result, what the store holds, its health's items."""
    url = feed_server.add("/feed", Route(body, headers={"Content-Type": content_type}))
    settings = Settings(timeout=10.0, max_body=20_000_000, concurrency=4)
    config = Config(
        path=tmp_path / "wirewatch.toml", settings=settings, sources=[Source("F", url=url)]
    )
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: NOW, health=HealthBook(tmp_path / "data"))
    try:
        (result,) = await poller.poll()
        stored = store.query()
        items = poller.healthbook.load()["F"].items
    finally:
        await poller.aclose()
        store.close()
    return result, stored, items


def json_feed(*items: Any, **top: Any) -> bytes:
    return json.dumps({"version": JSON_FEED_11, "title": "J", **top, "items": list(items)}).encode()


def atom(*entries: str, title: str = "A") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{title}</title>{''.join(f'<entry>{e}</entry>' for e in entries)}</feed>"
    ).encode()


# -- JSON Feed as the spec is written -----------------------------------------------------------


async def test_json_feed_1_1_as_the_spec_is_written(feed_server: FeedServer) -> None:
    body = json.dumps(
        {
            "version": JSON_FEED_11,
            "title": "Wire",
            "home_page_url": "https://wire.example/",
            "language": "ko",
            "authors": [{"name": "Desk"}],
            "_wire": {"about": "an extension: ignored"},
            "items": [
                {
                    "id": "1",
                    "url": "/news/1",
                    "title": "Summit opens",
                    "content_html": "<p>One</p><p>Two</p>",
                    "content_text": "One. Two.",
                    "summary": "The summit opened.",
                    "date_published": "2025-10-24T09:00:00+09:00",
                    "date_modified": "2025-10-24T10:00:00+09:00",
                    "authors": [
                        {"name": "Kim", "url": "https://wire.example/kim"},
                        {"name": "Lee"},
                    ],
                    "tags": ["apec", "trade"],
                    "language": "en-US",
                    "image": "https://wire.example/1.jpg",
                    "_wire": {"priority": 1},
                },
                {
                    "id": "2",
                    "external_url": "https://elsewhere.example/story",
                    "content_text": "A linked story, no title",
                    "date_modified": "2025-10-24T06:30:00Z",
                },
            ],
        }
    ).encode()
    feed, (first, second) = await read(feed_server, body, "application/feed+json")
    assert (feed.title, feed.link, feed.lang) == ("Wire", "https://wire.example/", "ko")
    assert first.title == "Summit opens" and first.link == "https://wire.example/news/1"
    assert first.summary == "The summit opened." and first.text == "One\n\nTwo"
    assert first.published == datetime(2025, 10, 24, 0, tzinfo=UTC)
    assert first.author == "Kim, Lee" and first.tags == ["apec", "trade"] and first.lang == "en"
    assert second.title == "A linked story, no title"
    assert second.link == "https://elsewhere.example/story"
    assert second.published == datetime(2025, 10, 24, 6, 30, tzinfo=UTC)  # only modified
    assert second.author == "Desk" and second.lang == "ko"  # the feed's, by default
    assert feed.warnings == 0


async def test_json_feed_1_0_author_objects(feed_server: FeedServer) -> None:
    body = json.dumps(
        {
            "version": JSON_FEED_10,
            "title": "Old JSON",
            "author": {"name": "Feed Author"},
            "items": [
                {"id": "a", "title": "Own author", "author": {"name": "Park"}, "content_text": "x"},
                {"id": "b", "title": "Feed's author", "content_text": "y"},
            ],
        }
    ).encode()
    _, (own, inherited) = await read(feed_server, body, "application/json")
    assert own.author == "Park"
    assert inherited.author == "Feed Author"


# -- JSON Feed as the wild writes it ------------------------------------------------------------

GOOD = {"id": "good", "url": "https://j.example/good", "title": "Good item", "content_text": "ok"}


@pytest.mark.parametrize(
    ("quirky", "field", "expected", "warnings"),
    [
        # `authors` an object instead of an array (the feed was lost: KeyError 0)
        ({"authors": {"name": "Kim"}}, "author", "Kim", 0),
        ({"authors": "Kim"}, "author", "Kim", 0),
        ({"author": "Lee"}, "author", "Lee", 0),
        ({"authors": [None, {"name": None}, {"name": "Choi"}]}, "author", "Choi", 0),
        # numbers where strings belong
        ({"date_published": 1729761840}, "published", None, 1),
        ({"language": 5}, "lang", None, 1),
        ({"id": 42, "url": None, "date_modified": 5}, "guid", "42", 1),  # the spec: coerce ids
        ({"url": {"href": "https://j.example/x"}}, "link", None, 1),
        # tags as a string, or with things that are not tags
        ({"tags": "korea"}, "tags", ["korea"], 0),
        ({"tags": ["a", 7, None, {"x": 1}]}, "tags", ["a", "7"], 1),
        ({"tags": {"a": 1}}, "tags", [], 1),
    ],
)
async def test_json_feed_wild_field_types_cost_only_that_field(
    feed_server: FeedServer, quirky: dict[str, Any], field: str, expected: Any, warnings: int
) -> None:
    item = {"id": "q", "title": "Quirky item", "content_text": "text", **quirky}
    feed, articles = await read(feed_server, json_feed(item, GOOD))
    assert [a.title for a in articles] == ["Quirky item", "Good item"]
    assert getattr(articles[0], field) == expected
    assert feed.warnings == warnings


@pytest.mark.parametrize(
    ("top", "titles", "warnings"),
    [
        ({"items": [5, "text", None, True, GOOD]}, ["Good item"], 3),  # items that are not objects
        ({"items": "none"}, [], 1),
        (
            {"items": {"id": "one", "title": "The only item", "content_text": "x"}},
            ["The only item"],
            0,
        ),
        ({}, [], 1),  # no items at all
    ],
)
async def test_json_feed_wild_items(
    feed_server: FeedServer, top: dict[str, Any], titles: list[str], warnings: int
) -> None:
    body = json.dumps({"version": JSON_FEED_11, "title": "J", **top}).encode()
    feed, articles = await read(feed_server, body, "application/feed+json")
    assert [a.title for a in articles] == titles
    assert feed.warnings == warnings
    assert all(note.isprintable() for note in feed.warning_notes)


async def test_json_feed_with_null_everywhere_and_a_lone_surrogate(feed_server: FeedServer) -> None:
    nulls = {
        k: None
        for k in [
            *("url", "external_url", "title", "summary", "content_html", "image"),
            *("date_published", "date_modified", "authors", "author", "tags", "language"),
        ]
    }
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": null, "home_page_url": null,'
        b' "language": null, "authors": null, "items": ['
        + json.dumps({**nulls, "id": None, "content_text": "Body only"}).encode()
        + b', {"id": "s", "title": "Half \\ud800 a pair"}, '
        + json.dumps(GOOD).encode()
        + b"]}"
    )
    feed, articles = await read(feed_server, body, "application/feed+json")
    assert [a.title for a in articles] == ["Body only", "Half \ufffd a pair", "Good item"]
    assert articles[0].link is None and articles[0].published is None
    assert feed.title == "" and feed.warnings == 0


async def test_json_feed_quirks_keep_the_feed_in_the_poller(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = json_feed(
        {"id": "1", "title": "Authors object", "authors": {"name": "Kim"}, "content_text": "a"},
        {"id": 2, "title": "Numeric date", "date_published": 1729761840, "content_text": "b"},
        {"id": "3", "title": "Numeric language", "language": 9, "content_text": "c"},
        GOOD,
    )
    result, stored, items = await poll_one(tmp_path, feed_server, body, "application/feed+json")
    assert result.status == "ok" and len(result.new_ids) == 4 and items == 4
    assert {a.title for a in stored} == {
        "Authors object",
        "Numeric date",
        "Numeric language",
        "Good item",
    }


# -- dates -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 24 Oct 2025 09:24:00 GMT+09:00", "2025-10-24T00:24:00+00:00"),
        ("Fri, 24 Oct 2025 09:24:00 GMT+0900", "2025-10-24T00:24:00+00:00"),
        ("2025-10-24 09:24 UTC+9", "2025-10-24T00:24:00+00:00"),
        ("Fri, 24 Oct 2025 09:24:00 GMT-5", "2025-10-24T14:24:00+00:00"),
        ("Fri, 24 Oct 2025 09:24:00 UTC+5:30", "2025-10-24T03:54:00+00:00"),
        ("2025-10-24T09:24:00 GMT+09:00", "2025-10-24T00:24:00+00:00"),
        # a 12-hour clock, which RFC 822 has not (PM was read as the zone, the offset lost)
        ("Fri, 24 Oct 2025 04:05:00 PM +0900", "2025-10-24T07:05:00+00:00"),
        ("Fri, 24 Oct 2025 08:30:00 PM GMT", "2025-10-24T20:30:00+00:00"),
        ("Fri, 24 Oct 2025 12:30 am EST", "2025-10-24T05:30:00+00:00"),
        # the year first, parted by spaces: month and day are not the "10 11 14" of it
        ("2025 10 11 14:00:00 +0900", "2025-10-11T05:00:00+00:00"),
    ],
)
def test_an_offset_after_gmt_or_utc_means_what_people_mean(text: str, expected: str) -> None:
    when = parse_feed_date(text)
    assert when is not None and when.isoformat() == expected


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 24 Oct 2025 09:24:00 +25:00",
        "2025-10-24T09:24:00+99:00",
        "Fri, 24 Oct 2025 09:24:00 +9900",
        "Fri, 24 Oct 2025 09:24:00 GMT+25",
        "2025-10-24T09:24:00+15:00",
        "-1",
        "Mon, 01 Jan 0001 00:00:00 GMT",
        "October 2025",
        "2025",
        "09:24 KST",
        "10/11/2025",  # October 11th or 10 November: not guessed
        "3 11 2026",  # nor parted by spaces (it was taken as 11 March)
        # a zone wirewatch does not know: taken as the reader's, the instant would be wrong
        "Fri, 24 Oct 2025 09:24:00 WIB",
        "24 October 2025 09:24 NZDT",
        "2025-10-24 09:24 XYZ",
    ],
)
@pytest.mark.filterwarnings("error")  # and nothing is printed about it
def test_a_date_that_cannot_be_read_surely_is_null(text: str) -> None:
    assert parse_feed_date(text) is None


@pytest.mark.parametrize(
    ("bad", "make"),
    [
        ("Fri, 24 Oct 2025 09:24:00 +25:00", "rss"),
        ("Fri, 24 Oct 2025 09:24:00 +9900", "rss"),
        ("Mon, 01 Jan 0001 00:00:00 GMT", "rss"),
        ("Fri, 24 Oct 2025 09:24:00 WIB", "rss"),
        ("2025-10-24T09:24:00+99:00", "atom"),
        ("2025-10-24T09:24:00+25:00", "atom"),
    ],
)
async def test_an_unreadable_date_costs_only_that_date(
    feed_server: FeedServer, bad: str, make: str
) -> None:
    if make == "rss":
        body = rss(
            f"<title>Bad date</title><guid>1</guid><pubDate>{bad}</pubDate>",
            "<title>Good date</title><guid>2</guid>"
            "<pubDate>Fri, 24 Oct 2025 16:05:00 +0900</pubDate>",
        )
    else:
        body = atom(
            f"<id>1</id><title>Bad date</title><updated>{bad}</updated>",
            "<id>2</id><title>Good date</title><updated>2025-10-24T16:05:00+09:00</updated>",
        )
    feed, (first, second) = await read(feed_server, body)
    assert (first.title, first.published) == ("Bad date", None)
    assert second.published == datetime(2025, 10, 24, 7, 5, tzinfo=UTC)
    assert feed.warnings == 1 and feed.warning_notes == [f"unreadable date, first: {bad!r}"]


async def test_offset_dates_keep_the_feed_in_the_poller(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = rss(
        "<title>One</title><guid>1</guid><pubDate>Fri, 24 Oct 2025 09:24:00 +25:00</pubDate>",
        "<title>Two</title><guid>2</guid><pubDate>Fri, 24 Oct 2025 09:24:00 GMT+09:00</pubDate>",
        "<title>Three</title><guid>3</guid>",
    )
    result, stored, items = await poll_one(tmp_path, feed_server, body)
    assert result.status == "ok" and len(result.new_ids) == 3 and items == 3
    published = {a.title: a.published for a in stored}
    assert published["One"] is None
    assert published["Two"] == datetime(2025, 10, 24, 0, 24, tzinfo=UTC)


# -- lone surrogates --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "titles"),
    [
        # only the reference is wrong: repaired, then read strictly
        (
            rss("<title>Lone &#xD800; here</title><guid>1</guid>", "<title>Fine</title>"),
            ["Lone \ufffd here", "Fine"],
        ),
        # also malformed elsewhere: read by feedparser
        (
            rss(
                "<title>Lone &#55296; and &#27;[31mred</title><guid>1</guid>", "<title>Fine</title>"
            )
            + b"<x></y>",
            ["Lone \ufffd and red", "Fine"],
        ),
        # a pair written as two references is the character it encodes
        (
            atom(
                "<id>1</id><title>Paper &#xD83D;&#xDCF0; and &#xDC00; alone</title>",
                "<id>2</id><title>Fine</title><oops>",
            ),
            ["Paper \U0001f4f0 and \ufffd alone", "Fine"],
        ),
    ],
)
async def test_surrogate_references_become_replacement_characters(
    feed_server: FeedServer, body: bytes, titles: list[str]
) -> None:
    _, articles = await read(feed_server, body)
    assert [a.title for a in articles] == titles


async def test_surrogates_keep_the_feed_in_the_poller(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = rss(
        "<title>A &#xD800; b</title><guid>1</guid><description>x &#xDFFF;</description>",
        "<title>Second</title><guid>2</guid>",
    )
    result, stored, _ = await poll_one(tmp_path, feed_server, body)
    assert result.status == "ok" and len(result.new_ids) == 2
    assert sorted(a.title for a in stored) == ["A \ufffd b", "Second"]


def test_article_ids_of_text_with_surrogates_never_raise() -> None:
    assert article_id("S", "\ud800", None, "", "") != article_id("S", "\ud801", None, "", "")
    assert article_id("S", None, None, "t\udfff", "s")


# -- deep xhtml ---------------------------------------------------------------------------------

DEPTH = 50_000


def deep(tag: str = "span", text: str = "deep text") -> str:
    return f"<{tag}>" * DEPTH + text + f"</{tag}>" * DEPTH


@pytest.mark.parametrize(
    "entry",
    [
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Intro</p>'
        + deep()
        + "<p>After</p></div></content>",
        '<summary type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + deep("div")
        + "</div></summary>",
        '<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + deep("b")
        + "</div></content>",
    ],
)
async def test_deeply_nested_xhtml_content_keeps_its_text(
    feed_server: FeedServer, entry: str
) -> None:
    body = atom(f"<id>1</id><title>Deep</title>{entry}", "<id>2</id><title>Shallow</title>")
    _, (first, second) = await read(feed_server, body)
    assert first.title == "Deep" and "deep text" in (first.text or first.summary)
    assert second.title == "Shallow"


async def test_a_deeply_nested_xhtml_title_keeps_the_feed_in_the_poller(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    body = atom(
        '<id>1</id><title type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">'
        + deep("i", "Deep title")
        + "</div></title>",
        "<id>2</id><title>Shallow</title>",
    )
    result, stored, _ = await poll_one(tmp_path, feed_server, body)
    assert result.status == "ok" and len(result.new_ids) == 2
    assert sorted(a.title for a in stored) == ["Deep title", "Shallow"]


# -- plain-text titles keep their angle brackets ---------------------------------------------


async def test_plain_text_keeps_its_angle_bracketed_words(feed_server: FeedServer) -> None:
    atom_doc = atom(
        '<id>1</id><title type="text">Page needs a &lt;title&gt; tag</title>'
        '<summary type="text">List&lt;T&gt; &amp; the &lt;b&gt; element</summary>',
        "<id>2</id><title>Default type: &lt;title&gt; stays</title>",
        '<id>3</id><title type="html">&lt;b&gt;Bold&lt;/b&gt; &amp;lt;title&amp;gt; kept</title>',
        title="The &lt;feed&gt; blog",
    )
    feed, (text, default, declared_html) = await read(feed_server, atom_doc)
    assert feed.title == "The <feed> blog"
    assert text.title == "Page needs a <title> tag"
    assert text.summary == "List<T> & the <b> element"
    assert default.title == "Default type: <title> stays"
    assert declared_html.title == "Bold <title> kept"


async def test_rss_titles_are_sniffed_for_known_html_tags(feed_server: FeedServer) -> None:
    body = rss(
        "<title>Page needs a &lt;title&gt; tag</title><guid>1</guid>",
        "<title>Use List&lt;T&gt; and the &lt;b&gt; element</title><guid>2</guid>",
        "<title>&lt;b&gt;Breaking&lt;/b&gt;: talks resume</title><guid>3</guid>",
        "<title>Line&lt;br/&gt;break</title><guid>4</guid>",
        '<title>&lt;a href="https://x.example/"&gt;Linked&lt;/a&gt; title</title><guid>5</guid>',
        "<title>Plain</title><guid>6</guid>"
        "<description>Add a &lt;title&gt; element to the &lt;head&gt;</description>",
        title="The &lt;title&gt; blog",
    )
    feed, articles = await read(feed_server, body)
    assert feed.title == "The <title> blog"
    assert [a.title for a in articles] == [
        "Page needs a <title> tag",
        "Use List<T> and the <b> element",
        "Breaking: talks resume",
        "Line break",
        "Linked title",
        "Plain",
    ]
    assert articles[-1].summary == "Add a <title> element to the <head>"


async def test_json_feed_titles_and_summaries_are_plain_text(feed_server: FeedServer) -> None:
    body = json_feed(
        {
            "id": "1",
            "title": "Why <title> matters",
            "summary": "The <head> and <title> of a page",
            "content_html": "<p>Rendered</p>",
        }
    )
    _, (article,) = await read(feed_server, body, "application/feed+json")
    assert article.title == "Why <title> matters"
    assert article.summary == "The <head> and <title> of a page"
    assert article.text == "Rendered"


# -- CDATA split to carry "]]>" -----------------------------------------------------------------

SPLIT_TITLE = "<title><![CDATA[a ]]]]><![CDATA[> b]]></title>"
SPLIT_DESCRIPTION = "<description><![CDATA[<p>c ]]]]><![CDATA[> d</p>]]></description>"


async def test_a_split_cdata_section_keeps_its_text(feed_server: FeedServer) -> None:
    whole = rss(SPLIT_TITLE + SPLIT_DESCRIPTION + "<guid>1</guid>", "<title>Second</title>")
    broken = whole.replace(b"<guid>1</guid>", b"<guid>1</guid><x></y>")  # read by feedparser
    repaired = whole.replace(b"<guid>1</guid>", b"<guid>1 &nbsp; &</guid>")  # repaired first
    for body in (whole, broken, repaired):
        _, articles = await read(feed_server, body)
        assert [(a.title, a.summary) for a in articles] == [("a ]]> b", "c ]]> d"), ("Second", "")]


@pytest.mark.parametrize(
    ("cut_after", "summary"),
    [
        ("<![CDATA[> d", "c ]]> d"),  # inside the second section
        ("c ]", "c ]"),  # inside the first, after a "]" that might have begun its end
        ("c ]]", "c ]]"),
    ],
)
async def test_a_cut_inside_a_cdata_section_keeps_what_arrived(
    feed_server: FeedServer, cut_after: str, summary: str
) -> None:
    body = rss("<guid>1</guid>" + SPLIT_TITLE + SPLIT_DESCRIPTION)  # (named before the cut)
    cut = body[: body.index(cut_after.encode()) + len(cut_after)]
    _, (article,) = await read(feed_server, cut)
    assert (article.title, article.summary) == ("a ]]> b", summary)


# -- one guid, several headlines ---------------------------------------------------------------


async def test_items_sharing_a_guid_are_one_article_with_revisions(
    feed_server: FeedServer,
) -> None:
    dated = rss(
        "<title>Talks stall</title><guid>g</guid><description>first</description>"
        "<pubDate>Fri, 24 Oct 2025 06:00:00 GMT</pubDate>",
        "<title>Talks resume</title><guid>g</guid><description>edited</description>"
        "<pubDate>Fri, 24 Oct 2025 07:00:00 GMT</pubDate>",
        "<title>Other</title><guid>h</guid>",
    )
    _, (story, other) = await read(feed_server, dated)
    assert (story.title, story.summary) == ("Talks resume", "edited")  # the latest
    assert story.revisions == [
        {"seen": "2025-10-24T06:00:00Z", "title": "Talks stall", "summary": "first"}
    ]
    assert other.title == "Other" and other.revisions == []

    undated = rss(  # no times: feeds list newest first, so the first is the latest
        "<title>Newest</title><guid>g</guid>",
        "<title>Older</title><guid>g</guid>",
        "<title>Newest</title><guid>g</guid>",
    )
    _, (only,) = await read(feed_server, undated)
    assert only.title == "Newest" and [r["title"] for r in only.revisions] == ["Older"]

    atom_doc = atom(
        "<id>tag:x,1</id><title>Early</title><updated>2025-10-24T06:00:00Z</updated>",
        "<id>tag:x,1</id><title>Late</title><updated>2025-10-24T09:00:00Z</updated>",
        "<id>tag:x,1</id><title>Middle</title><updated>2025-10-24T07:00:00Z</updated>",
    )
    _, (entry,) = await read(feed_server, atom_doc)
    assert entry.title == "Late"
    assert [r["title"] for r in entry.revisions] == ["Early", "Middle"]  # oldest first


async def test_three_thousand_items_sharing_one_guid_are_one_new_article(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    bodies = ["Seoul", "Busan", "Gyeongju"]
    body = rss(
        *(
            f"<title>Edition {bodies[i % 3]}</title><guid>one</guid>"
            f"<description>{bodies[i % 3]} text</description>"
            for i in range(3000)
        )
    )
    result, stored, items = await poll_one(tmp_path, feed_server, body)
    assert result.status == "ok"
    assert (len(result.new_ids), result.items, items) == (1, 1, 1)  # "1 new of 1"
    (article,) = stored
    assert article.title == "Edition Seoul"
    # no times: a later place in the document is an older version
    with Store(tmp_path / "data") as store:
        revisions = [r["title"] for r in store.revisions(article.id)]
    assert revisions == ["Edition Gyeongju", "Edition Busan"]


async def test_items_without_guid_sharing_a_link_stay_distinct_and_never_repeat(
    feed_server: FeedServer,
) -> None:
    bodies = ["One", "Two", "Three"]
    body = rss(
        *(f"<title>{bodies[i % 3]}</title><link>https://home.example/</link>" for i in range(3000))
    )
    _, articles = await read(feed_server, body)
    assert [a.title for a in articles] == ["One", "Two", "Three"]
    assert len({a.id for a in articles}) == 3


# -- an item with nothing but a link -----------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type", "headline", "warnings"),
    [
        (
            json_feed({"id": "1", "url": "https://j.example/only"}, GOOD),
            "application/feed+json",
            "https://j.example/only",
            0,
        ),
        # a title written as an object (WordPress's {"rendered": …}) cannot be read: the item stays
        (
            json_feed(
                {"id": "2", "title": {"rendered": "WP"}, "url": "https://j.example/wp"}, GOOD
            ),
            "application/feed+json",
            "https://j.example/wp",
            1,
        ),
        (
            json_feed(
                {"id": "3", "external_url": "some_page.html"},
                GOOD,
                home_page_url="https://j.example/site/",
            ),
            "application/feed+json",
            "https://j.example/site/some_page.html",
            0,
        ),
        (
            rss("<link>https://r.example/a</link>", "<title>Good item</title><guid>g</guid>"),
            "application/rss+xml",
            "https://r.example/a",
            0,
        ),
        (
            atom(
                '<id>1</id><link href="https://a.example/x"/>',
                "<id>2</id><title>Good item</title>",
            ),
            "application/atom+xml",
            "https://a.example/x",
            0,
        ),
    ],
    ids=["json-url", "json-title-object", "json-relative-external-url", "rss-link", "atom-link"],
)
async def test_an_item_with_only_a_link_is_kept_under_its_link(
    feed_server: FeedServer, body: bytes, content_type: str, headline: str, warnings: int
) -> None:
    feed, articles = await read(feed_server, body, content_type)
    assert [a.title for a in articles] == [headline, "Good item"]
    assert articles[0].link == headline
    assert feed.warnings == warnings


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (json_feed({"id": "x"}, GOOD), "application/feed+json"),
        (json_feed({"id": "y", "title": {"rendered": "WP"}}, GOOD), "application/feed+json"),
        (rss("<guid>g1</guid>", "<title>Good item</title><guid>g</guid>"), "text/xml"),
        (atom("<id>1</id>", "<id>2</id><title>Good item</title>"), "application/atom+xml"),
    ],
    ids=["json-id-only", "json-title-object", "rss-guid-only", "atom-id-only"],
)
async def test_an_item_with_nothing_to_show_is_counted(
    tmp_path: Path, feed_server: FeedServer, body: bytes, content_type: str
) -> None:
    result, stored, _ = await poll_one(tmp_path, feed_server, body, content_type)
    assert result.status == "ok" and [a.title for a in stored] == ["Good item"]
    health = HealthBook(tmp_path / "data").load()["F"]
    assert health.warnings >= 1 and "nothing to show" in (health.last_warning or "")


# -- a guid is the identity whichever parser read the document -------------------------------


@pytest.mark.parametrize(
    "item",
    [
        "<title>Numbered</title><guid>1</guid>",
        "<title>Slug</title><guid>story-42</guid><link>https://r.example/42</link>",
        "<title>Path</title><guid>/news/7</guid>",
        '<title>Not a link</title><guid isPermaLink="false">1</guid>',
        "<title>A link</title><guid>https://r.example/9</guid>",
    ],
    ids=["number", "slug-and-link", "path", "not-a-permalink", "a-link"],
)
async def test_a_guid_reads_the_same_when_the_document_breaks(
    feed_server: FeedServer, item: str
) -> None:
    whole = rss(item, "<title>Second</title><guid>2</guid>")
    broken = whole.replace(b"</channel>", b"<x></y></channel>")  # read by feedparser
    _, strict = await read(feed_server, whole)
    _, loose = await read(feed_server, broken)
    assert [(a.id, a.guid, a.link, a.title) for a in loose] == [
        (a.id, a.guid, a.link, a.title) for a in strict
    ]


async def test_a_feed_that_breaks_between_polls_keeps_its_articles(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    items = [f"<title>Story {n}</title><guid>{n}</guid>" for n in range(3)]
    whole = rss(*items)
    route = Route(whole, headers={"Content-Type": "text/xml"})
    url = feed_server.add("/flip", route)
    settings = Settings(timeout=10.0, max_body=2_000_000, concurrency=4)
    config = Config(
        path=tmp_path / "wirewatch.toml", settings=settings, sources=[Source("F", url=url)]
    )
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: NOW)
    try:
        news = []
        for body in (whole, whole + b"<x></y>", whole):
            route.body = body
            (result,) = await poller.poll()
            news.append(len(result.new_ids))
        stored = store.query()
    finally:
        await poller.aclose()
        store.close()
    assert news == [3, 0, 0]
    assert sorted(a.title for a in stored) == ["Story 0", "Story 1", "Story 2"]


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            rss("<title>Talks stall</title><guid>story-1</guid><description>v1</description>"),
            rss("<title>Talks resume</title><guid>story-1</guid><description>v2</description>"),
        ),
        (  # the second poll's document is broken: read by the fallback parser
            rss("<title>Talks stall</title><guid>story-1</guid><description>v1</description>"),
            rss("<title>Talks resume</title><guid>story-1</guid><description>v2</description>")
            + b"<x></y>",
        ),
        (
            atom("<id>tag:x,1</id><title>Talks stall</title><summary>v1</summary>"),
            atom("<id>tag:x,1</id><title>Talks resume</title><summary>v2</summary>"),
        ),
        (  # an id written as a number, then as the string the spec coerces it to
            json_feed({"id": 7, "title": "Talks stall", "summary": "v1"}),
            json_feed({"id": "7", "title": "Talks resume", "summary": "v2"}),
        ),
    ],
    ids=["rss", "rss-then-broken", "atom", "json-number-then-string-id"],
)
async def test_a_headline_changed_between_polls_is_a_revision_never_a_second_article(
    tmp_path: Path, feed_server: FeedServer, before: bytes, after: bytes
) -> None:
    route = Route(before, headers={"Content-Type": "application/octet-stream"})
    url = feed_server.add("/edited", route)
    settings = Settings(timeout=10.0, max_body=2_000_000, concurrency=4)
    config = Config(
        path=tmp_path / "wirewatch.toml", settings=settings, sources=[Source("F", url=url)]
    )
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: NOW)
    try:
        (first,) = await poller.poll()
        route.body = after
        (second,) = await poller.poll()
        (article,) = store.query()
        revisions = store.revisions(article.id)
    finally:
        await poller.aclose()
        store.close()
    assert (len(first.new_ids), len(second.new_ids)) == (1, 0)
    assert (first.revised_ids, second.revised_ids) == ([], [article.id])  # for the stories
    assert (article.title, article.summary) == ("Talks resume", "v2")
    assert [(r["title"], r["summary"]) for r in revisions] == [("Talks stall", "v1")]


@pytest.mark.parametrize(
    "entry",
    [
        '<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Intro</p>'
        "<p>The <b>port</b> reopens</p></div></content>",
        '<content type="html">&lt;p&gt;Intro&lt;/p&gt;&lt;p&gt;The &lt;b&gt;port&lt;/b&gt; '
        "reopens&lt;/p&gt;</content>",
        '<content type="text">Needs a &lt;title&gt; tag</content>',
        '<summary type="text">Use &lt;b&gt; here</summary><content type="html">&lt;p&gt;Body'
        "&lt;/p&gt;</content>",
    ],
    ids=["xhtml-content", "html-content", "text-content", "text-summary-html-content"],
)
async def test_an_entry_reads_the_same_when_the_document_breaks(
    feed_server: FeedServer, entry: str
) -> None:
    whole = atom(f"<id>1</id><title>Port</title>{entry}", "<id>2</id><title>Second</title>")
    broken = whole + b"<x></y>"  # read by feedparser
    _, strict = await read(feed_server, whole)
    _, loose = await read(feed_server, broken)
    assert [(a.id, a.title, a.summary, a.text) for a in loose] == [
        (a.id, a.title, a.summary, a.text) for a in strict
    ]
    assert "<p>" not in strict[0].summary


BAD_LINK = "http://[x"  # urljoin raises ValueError ("Invalid IPv6 URL")


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (
            rss(
                f"<title>Bad link item</title><link>{BAD_LINK}</link><guid>b</guid>",
                "<title>Good item</title><link>https://r.example/g</link><guid>g</guid>",
            ),
            "text/xml",
        ),
        (
            atom(
                f'<id>b</id><title>Bad link item</title><link href="{BAD_LINK}"/>',
                '<id>g</id><title>Good item</title><link href="https://a.example/g"/>',
            ),
            "application/atom+xml",
        ),
        (
            rss(
                f"<title>Bad link item &nbsp;</title><link>{BAD_LINK}</link><guid>b</guid>",
                "<title>Good item</title><link>https://r.example/g</link><guid>g</guid>",
            ),
            "text/xml",
        ),  # an undefined entity: read by the fallback parser
        (
            json_feed({"id": "b", "url": BAD_LINK, "title": "Bad link item"}, GOOD),
            "application/feed+json",
        ),
    ],
    ids=["rss", "atom", "rss-broken", "json"],
)
async def test_a_link_that_cannot_be_read_costs_the_item_its_link_only(
    feed_server: FeedServer, body: bytes, content_type: str
) -> None:
    feed, articles = await read(feed_server, body, content_type)
    assert [a.title.strip() for a in articles] == ["Bad link item", "Good item"]
    assert articles[0].link is None and articles[1].link is not None
    assert any("unreadable link" in note for note in feed.warning_notes)


_CURRENT_COPY = (
    "<title>Ceasefire talks {}</title><guid>g1</guid><description>{}</description>"
    "<pubDate>Fri, 24 Oct 2025 06:00:00 GMT</pubDate>"
)


async def _revised_beside_an_old_copy(
    tmp_path: Path, feed_server: FeedServer, old: str
) -> tuple[Article, list[dict]]:
    """An article whose feed lists `old` (a copy of it under its guid) beside its current
    wording as the headline changes at each of three polls: the article, and its revisions."""
    route = Route(rss(_CURRENT_COPY.format("stall", "v1"), old))
    url = feed_server.add("/copies", route)
    settings = Settings(timeout=10.0, max_body=2_000_000, concurrency=4)
    config = Config(
        path=tmp_path / "wirewatch.toml", settings=settings, sources=[Source("F", url=url)]
    )
    clock = [NOW]
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(config, store, lambda: clock[0])
    try:
        await poller.poll()
        for minutes, (word, summary) in ((10, ("collapse", "v2")), (20, ("resume", "v3"))):
            clock[0] = NOW + timedelta(minutes=minutes)
            route.body = rss(_CURRENT_COPY.format(word, summary), old)
            await poller.poll()
        (article,) = store.query()
        return article, store.revisions(article.id)
    finally:
        await poller.aclose()
        store.close()


async def test_an_old_copy_a_feed_keeps_listing_is_one_revision_kept_in_time_order(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed that lists an article's old copy beside its current one (one guid twice) while
    the headline changes at each poll: each distinct version is kept once, at the time it
    was first seen, oldest first; the old copy is not added again at every revision."""
    old = (
        "<title>Ceasefire talks open in Cairo</title><guid>g1</guid><description>v0"
        "</description><pubDate>Fri, 24 Oct 2025 05:00:00 GMT</pubDate>"
    )
    article, revisions = await _revised_beside_an_old_copy(tmp_path, feed_server, old)
    assert article.title == "Ceasefire talks resume"
    assert [r["title"] for r in revisions] == [
        "Ceasefire talks open in Cairo",
        "Ceasefire talks stall",
        "Ceasefire talks collapse",
    ]
    seen = [r["seen"] for r in revisions]
    assert seen == sorted(seen) and seen[0] == "2025-10-24T05:00:00Z"


async def test_an_undated_old_copy_a_feed_keeps_listing_is_no_return_to_it(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """An old copy listed without a date is seen at each fetch: taken again at every
    revision, it came after the wording before, a "return" to it that never was."""
    old = "<title>Ceasefire talks open in Cairo</title><guid>g1</guid><description>v0</description>"
    _, revisions = await _revised_beside_an_old_copy(tmp_path, feed_server, old)
    titles = [r["title"] for r in revisions]
    assert titles.count("Ceasefire talks open in Cairo") == 1, titles
    assert titles[-2:] == ["Ceasefire talks stall", "Ceasefire talks collapse"]


async def test_a_photos_caption_is_not_the_items_summary_or_headline(
    feed_server: FeedServer,
) -> None:
    """Media RSS's media:title and media:description (a photo's) come after an item's own in
    the New York Times' feeds, or before it: the item's own stand; an Atom entry's content
    is not replaced by a media:content. Another namespace's are taken when an item has none."""
    mrss = 'xmlns:media="http://search.yahoo.com/mrss/"'
    rss_doc = (
        f'<?xml version="1.0"?><rss version="2.0" {mrss}><channel><title>NYT</title>'
        "<item><media:title>Photo title</media:title>"
        "<title>South Korea and U.S. Remain Far Apart on Tariff Deal</title>"
        "<link>https://www.nytimes.com/x.html</link>"
        "<description>Seoul and Washington are still divided over a $350 billion fund."
        '</description><media:content url="https://static01.nyt.com/a.jpg" medium="image"/>'
        "<media:description>President Lee Jae-myung in Seoul on Thursday.</media:description>"
        "</item><item><link>https://example.org/only-media</link>"
        "<media:title>Only a media title</media:title>"
        "<media:description>Only a media description</media:description></item>"
        "</channel></rss>"
    ).encode()
    _, articles = await read(feed_server, rss_doc)
    assert [(a.title, a.summary) for a in articles] == [
        (
            "South Korea and U.S. Remain Far Apart on Tariff Deal",
            "Seoul and Washington are still divided over a $350 billion fund.",
        ),
        ("Only a media title", "Only a media description"),
    ]
    atom_doc = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f"{mrss}><title>A</title><entry><id>e1</id><title>Real headline</title>"
        '<link href="https://example.org/e1"/><updated>2025-10-24T06:00:00Z</updated>'
        '<content type="html">&lt;p&gt;The body of the entry.&lt;/p&gt;</content>'
        '<media:content url="https://example.org/a.jpg"/>'
        "<media:title>Photo caption title</media:title></entry></feed>"
    ).encode()
    _, entries = await read(feed_server, atom_doc, "application/atom+xml")
    assert [(a.title, a.text) for a in entries] == [("Real headline", "The body of the entry.")]


async def test_a_date_that_cannot_be_read_gives_way_to_the_next_the_item_gives(
    feed_server: FeedServer,
) -> None:
    """A pubDate in German beside a dc:date: the dc:date is the article's time (the first
    date hid it, and the article had none)."""
    doc = (
        b'<?xml version="1.0"?><rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b"<channel><title>T</title><item><title>Zoll</title><link>https://e.org/1</link>"
        b"<pubDate>Fr, 24 Okt 2025 09:24:00 +0200</pubDate>"
        b"<dc:date>2025-10-24T09:24:00+02:00</dc:date></item></channel></rss>"
    )
    feed, articles = await read(feed_server, doc)
    assert articles[0].published == datetime(2025, 10, 24, 7, 24, tzinfo=UTC)
    assert feed.warnings == 0  # a date of the item read: no warning at every poll


async def test_the_body_not_its_label_says_what_a_feed_is(feed_server: FeedServer) -> None:
    """RSS served as application/json was refused as malformed JSON; an RDF feed whose first
    item holds a page in CDATA, and a JSON Feed whose first item's content_html is a page,
    were refused as "an HTML page instead of a feed"."""
    plain = rss("<title>Served as JSON</title><guid>1</guid>")
    _, articles = await read(feed_server, plain, "application/json")
    assert [a.title for a in articles] == ["Served as JSON"]
    rdf = (
        b'<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"'
        b' xmlns="http://purl.org/rss/1.0/" xmlns:content="http://purl.org/rss/1.0/modules/'
        b'content/"><item rdf:about="https://e.org/1"><title>RDF item</title>'
        b"<link>https://e.org/1</link><content:encoded><![CDATA[<html><body><p>Page</p>"
        b"</body></html>]]></content:encoded></item></rdf:RDF>"
    )
    _, articles = await read(feed_server, rdf, "application/rdf+xml")
    assert [a.title for a in articles] == ["RDF item"]
    page = "<html><body><p>The body.</p></body></html>"
    json_feed = json.dumps(
        {
            "version": JSON_FEED_11,
            "title": "J",
            "items": [{"id": "1", "title": "JSON item", "content_html": page}],
        }
    ).encode()
    _, articles = await read(feed_server, json_feed, "application/feed+json")
    assert [a.title for a in articles] == ["JSON item"]


async def test_a_body_in_a_namespace_written_otherwise_is_still_the_body(
    feed_server: FeedServer,
) -> None:
    """The content module's namespace without its last "/", and an Atom draft's namespace:
    their body is the item's when it has none of its own (it was dropped)."""
    rss_doc = (
        b'<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/'
        b'modules/content"><channel><title>C</title><item><title>T</title><guid>1</guid>'
        b"<content:encoded>&lt;p&gt;The whole story body.&lt;/p&gt;</content:encoded>"
        b"</item></channel></rss>"
    )
    _, articles = await read(feed_server, rss_doc)
    assert articles[0].text == "The whole story body."
    atom_doc = (
        b'<?xml version="1.0"?><feed xmlns="http://purl.org/atom/ns#draft-ietf-atompub-'
        b'format-11"><title>D</title><entry><id>e1</id><title>Draft entry</title>'
        b'<link href="https://example.org/d1"/><content type="html">&lt;p&gt;Body text here.'
        b"&lt;/p&gt;</content></entry></feed>"
    )
    _, entries = await read(feed_server, atom_doc, "application/atom+xml")
    assert [(a.title, a.text) for a in entries] == [("Draft entry", "Body text here.")]


async def test_an_entity_the_feed_declares_itself_is_expanded(feed_server: FeedServer) -> None:
    """A feed declaring an entity in its DOCTYPE, and using an HTML one it does not declare:
    its own is expanded (it was shown as "&ok;"), the HTML one read as HTML reads it."""
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY ok "internal entity">'
        b'<!ENTITY my-ent "dashed"><!ENTITY ok_2 "underscored">]>'
        b'<rss version="2.0"><channel><title>D</title><item><guid>1</guid>'
        b"<title>A &ok; &my-ent; &ok_2; and&nbsp;here &eacute;</title></item></channel></rss>"
    )
    _, articles = await read(feed_server, doc)
    assert articles[0].title == "A internal entity dashed underscored and here \u00e9"
