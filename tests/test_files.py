"""The local-file source kind, and the seed story read through it."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from fetchers.config import seeds_dir
from fetchers.files import LocalSourceError, read_local
from fetchers.models import Source
from fetchers.query import parse_query
from fetchers.store import Store
from tests.conftest import poll_once, rss

SEOUL = ZoneInfo("Asia/Seoul")

SEED = seeds_dir() / "000_8890db16bdd93803.txt"


def test_seed_article_text_metadata_and_related_headlines(now: datetime) -> None:
    articles = read_local(SEED, "Yonhap via Korea Herald", ["seed"], now)
    main, *related = articles
    assert main.title.startswith("S. Korea, US remain far apart")
    assert main.author == "Yonhap via The Korea Herald"
    assert main.published is not None and main.published.isoformat() == "2025-10-24T07:05:00+00:00"
    assert main.text is not None
    assert main.text.startswith("South Korea and the United States remain far apart")
    assert main.text.endswith("(Yonhap)")
    assert "Most Commented" not in main.text
    assert "Hybe partners with LAFC" not in main.text
    assert [a.title for a in related] == [
        "2 NK soldiers briefly cross MDL to apparently chase defecting soldier: sources",
        "Hybe partners with LAFC",
        "N. Korea breaks ground on memorial museum for its troops killed in Russia’s war with "
        "Ukraine",
        "Seoul shares open sharply higher on eased US-China tensions",
        "Lee says ‘carefully’ reviewing impact on financial markets during US tariff talks",
    ]
    assert all(a.text is None and a.link is None and a.published is None for a in related)


def test_related_headlines_keep_no_tags_or_date_of_the_article(
    tmp_path: Path, now: datetime
) -> None:
    """They carry only the source's tags, no date (listed under the seed story, not as new),
    so an APEC countdown does not count "Hybe partners with LAFC"."""
    main, *related = read_local(SEED, "Yonhap via Korea Herald", ["korea", "seed"], now)
    assert main.tags == ["korea", "seed", "us", "tariff", "trade", "apec"]
    assert all(a.tags == ["korea", "seed"] for a in related)
    assert all(a.published is None and a.listed == main.published for a in related)
    with Store(tmp_path, writer=True) as store:
        store.add_batch([main, *related])
        assert store.query_ids()[0] == main.id  # newest first: the story, then what it listed
        assert store.query_ids(parse_query("tag:apec", now)) == [main.id]
        assert store.query_ids(parse_query("since:2025-10-24", now)) == store.query_ids()
    with Store(tmp_path) as reopened:  # the listing survives a reopen (row cache included)
        assert reopened.query_ids()[0] == main.id
        again = reopened.get(related[1].id)
        assert again is not None and again.published is None
        assert again.listed == main.published


def test_a_related_headline_that_states_its_date_gets_it(tmp_path: Path, now: datetime) -> None:
    (tmp_path / "story.txt").write_text(
        "Seoul shares rose sharply on Monday.\n"
        "- Won hits a seven-month low (2025-10-23 15:30)\n"
        "- Kospi closes at record — Oct. 22, 2025\n"
        "- (LEAD) Exports rise (May)\n"
    )
    _, dated, dashed, undated = read_local(tmp_path / "story.txt", "Local", [], now, SEOUL)
    assert dated.title == "Won hits a seven-month low"
    assert dated.published == datetime(2025, 10, 23, 6, 30, tzinfo=UTC)
    assert dated.listed is None
    assert dashed.title == "Kospi closes at record"
    assert dashed.published == datetime(2025, 10, 21, 15, 0, tzinfo=UTC)
    assert undated.title == "(LEAD) Exports rise (May)" and undated.published is None


def test_text_without_metadata_gets_a_headline_from_its_text(tmp_path: Path, now: datetime) -> None:
    (tmp_path / "story.txt").write_text(
        "Seoul shares rose sharply on Monday. Analysts cited eased tensions.\n- Other story\n"
    )
    (article, other) = read_local(tmp_path / "story.txt", "Local", [], now)
    assert article.title == "Seoul shares rose sharply on Monday"
    assert article.published is None
    assert other.title == "Other story"


@pytest.mark.parametrize(
    ("text", "title"),
    [
        (
            "Headline without a period\n\nBody paragraph one. Body two.\n",
            "Headline without a period",
        ),
        (
            "Headline: no stop\nBody sentence one. Two.\n",
            "Headline: no stop",
        ),
        (
            "The central bank raised its policy rate by a quarter of a point on\n"
            "Thursday, citing inflation. Markets fell.\n",
            "The central bank raised its policy rate by a quarter of a point on Thursday,"
            " citing inflation",
        ),
    ],
)
def test_a_headline_made_from_text_is_one_line(
    tmp_path: Path, now: datetime, text: str, title: str
) -> None:
    """A first line with no full stop ran on into the body ("Headline\n\nBody paragraph
    one"), a title of several lines in `list` and on the dashboard; a sentence wrapped over
    lines is one line."""
    (tmp_path / "clip.txt").write_text(text)
    (article,) = read_local(tmp_path / "clip.txt", "Local", [], now)
    assert article.title == title


def test_folder_of_feed_files(tmp_path: Path, now: datetime) -> None:
    (tmp_path / "a.xml").write_bytes(rss("<title>One</title><guid>1</guid>"))
    (tmp_path / "notes.toml").write_text("x = 1")
    articles = read_local(tmp_path, "Folder", [], now)
    assert [a.title for a in articles] == ["One"]


async def test_a_folder_s_unreadable_fields_are_counted_in_its_health(
    tmp_path: Path, now: datetime
) -> None:
    """A local feed's fields that cannot be read (an odd date) are counted as a served feed's
    are, in every feed file of the folder, not dropped without a word."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    odd = "<pubDate>Fri, 24 Oct 2025 +25:00</pubDate>"
    (folder / "a.xml").write_bytes(rss(f"<title>One</title><guid>1</guid>{odd}"))
    (folder / "b.xml").write_bytes(rss(f"<title>Two</title><guid>2</guid>{odd}"))
    results, poller = await poll_once(tmp_path, now, Source("folder", path=str(folder)))
    assert results["folder"].status == "ok" and len(results["folder"].new_ids) == 2
    health = poller.health["folder"]
    assert health.warnings == 2  # one note of the kind for the folder, not one a file
    assert health.last_warning == "unreadable date (2 times), first: 'Fri, 24 Oct 2025 +25:00'"


async def test_a_pipe_given_as_a_source_fails_it_and_the_others_are_polled(
    tmp_path: Path, now: datetime
) -> None:
    """A named pipe (or a device) as a source's path was read as a file: the poll waited for
    a writer for good, and `poll` did not stop on SIGTERM."""
    pipe = tmp_path / "feed.xml"
    os.mkfifo(pipe)
    feed = tmp_path / "good.xml"
    feed.write_bytes(rss("<title>One</title><guid>1</guid>"))
    results, _ = await poll_once(
        tmp_path, now, Source("pipe", path=str(pipe)), Source("good", path=str(feed))
    )
    assert results["pipe"].status == "error"
    assert "not a file or a folder (a pipe, a device)" in (results["pipe"].error or "")
    assert results["good"].status == "ok" and len(results["good"].new_ids) == 1
    with pytest.raises(LocalSourceError, match="a pipe, a device"):
        read_local(Path("/dev/zero"), "zero", [], now)


async def test_a_file_larger_than_max_body_is_left_out_and_named(
    tmp_path: Path, now: datetime
) -> None:
    """A 224 MB file in a clippings folder was read whole (1.8 GB of memory), and one too big
    for memory failed the folder with a bare MemoryError, its good files' items lost."""
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "good.xml").write_bytes(rss("<title>One</title><guid>1</guid>"))
    (folder / "huge.txt").write_bytes(b"word " * 5_000)
    (tmp_path / "huge.xml").write_bytes(rss("<title>Big</title><guid>b</guid>" + "x" * 30_000))
    config = Source("clips", path=str(folder))
    articles = read_local(folder, "clips", [], now, limit=20_000)
    assert [a.title for a in articles] == ["One"]
    with pytest.raises(LocalSourceError, match=r"huge\.xml: larger than the 20,000 byte limit"):
        read_local(tmp_path / "huge.xml", "big", [], now, limit=20_000)
    results, poller = await poll_once(tmp_path, now, config)  # (the default limit: 15 MB)
    assert results["clips"].status == "ok" and len(results["clips"].new_ids) == 2


def test_missing_path_and_non_feed_file_are_clear_errors(tmp_path: Path, now: datetime) -> None:
    with pytest.raises(LocalSourceError, match="no such file"):
        read_local(tmp_path / "nope.xml", "X", [], now)
    (tmp_path / "page.xml").write_text("<!DOCTYPE html><html><body>hi</body></html>")
    with pytest.raises(LocalSourceError, match="HTML page"):
        read_local(tmp_path / "page.xml", "X", [], now)


def test_a_page_with_no_text_is_a_clear_error_naming_the_file(
    tmp_path: Path, now: datetime
) -> None:
    """A page in a local folder from which no article text can be read fails its source with
    the file's name and why, as a malformed feed file does, never an unexpected failure."""
    (tmp_path / "empty.html").write_bytes(b"<html></html>")
    with pytest.raises(LocalSourceError, match=r"empty\.html: "):
        read_local(tmp_path, "Local", [], now)


async def test_a_file_of_a_folder_that_cannot_be_read_is_left_out_and_counted(
    tmp_path: Path, now: datetime
) -> None:
    """One bad file (a page with no text, a broken feed) no longer fails the folder: the
    others' articles are stored, and the source's health counts what was left out."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "a.xml").write_bytes(rss("<title>One</title><guid>1</guid>"))
    (folder / "b.html").write_bytes(b"<html></html>")
    (folder / "c.xml").write_text("<!DOCTYPE html><html><body>hi</body></html>")
    results, poller = await poll_once(tmp_path, now, Source("folder", path=str(folder)))
    assert results["folder"].status == "ok" and len(results["folder"].new_ids) == 1
    health = poller.health["folder"]
    assert health.warnings == 2
    assert (health.last_warning or "").startswith("file that cannot be read (2 times), first:")
    assert "b.html" in (health.last_warning or "")


async def test_a_meta_field_of_another_kind_is_left_out_and_every_article_kept(
    tmp_path: Path, now: datetime
) -> None:
    """A number as a clipping's outlet was stored as is and made the day's whole shard
    unreadable (another source's articles with it); a number as its language stopped every
    source's write; a number as its title failed the folder. Such a field is left out and
    counted, and the clipping, its folder and the other sources are stored and read back."""
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "x.txt").write_text("Hello title\n\nBody of the first clipping.\n")
    (folder / "x.meta.toml").write_text(
        'outlet = 5\nlang = 7\ntitle = 5\nvia = true\ntags = [1, "kept"]\nlink = ["a"]\n'
    )
    (folder / "y.txt").write_text("Other title\n\nBody two.\n")
    (folder / "y.meta.toml").write_text('outlet = "The Herald"\npublished = 2025-10-24\n')
    (tmp_path / "feed.xml").write_bytes(rss("<title>From the feed</title><guid>f1</guid>"))
    results, poller = await poll_once(
        tmp_path,
        now,
        Source("clips", path=str(folder)),
        Source("feed", path=str(tmp_path / "feed.xml")),
    )
    assert results["clips"].status == "ok" and len(results["clips"].new_ids) == 2
    assert results["feed"].status == "ok" and len(results["feed"].new_ids) == 1
    assert poller.health["clips"].warnings == 6  # outlet, lang, title, via, link and a tag
    with Store(tmp_path / "data") as store:  # read back whole: no shard refused
        assert not store.problems
        by_title = {a.title: a for a in store.query()}
    assert set(by_title) == {"Hello title", "Other title", "From the feed"}
    first = by_title["Hello title"]
    assert first.author is None and first.lang is None and first.link is None
    assert "kept" in first.tags
    assert by_title["Other title"].author == "The Herald"
    assert by_title["Other title"].published == datetime(2025, 10, 24, tzinfo=UTC)


def test_a_clippings_metadata_is_kept_as_a_feeds_fields_are(tmp_path: Path, now: datetime) -> None:
    """A clipping's link, tags, outlet and language were stored as written: an OSC 52
    escape in the link reached the clipboard through `o` and the webhooks, a tag holding an
    escape showed "m2x" but `tag:m2x` found nothing, and a javascript: link went to Matrix
    and ntfy. They are kept as a feed's are: an http(s) link without controls (any other
    none), names and tags one plain line, the language its primary subtag."""
    folder = tmp_path / "clips"
    folder.mkdir()
    (folder / "a.txt").write_text("Tariff talks\n\nBody of the clipping.\n")
    (folder / "a.meta.toml").write_text(
        'outlet = "Out \\u001b]52;c;T1VU\\u0007"\n'
        'via = "Wire\\u009b2J"\n'
        'tags = ["m2\\u001b]8;;http://evil\\u001b\\\\x", "  "]\n'
        'link = "https://example.org/\\u001b]52;c;QQ==\\u0007a"\n'
        'lang = "en-GB"\n'
    )
    (folder / "b.txt").write_text("Other talks\n\nBody two.\n")
    (folder / "b.meta.toml").write_text('link = "javascript:alert(1)"\nlang = "not a language"\n')
    by_title = {a.title: a for a in read_local(folder, "clips", [], now)}
    clean = by_title["Tariff talks"]
    assert clean.link == "https://example.org/a"
    assert clean.tags == ["m2x"] and clean.author == "Out via Wire" and clean.lang == "en"
    other = by_title["Other talks"]
    assert other.link is None and other.lang is None
