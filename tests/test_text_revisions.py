"""Full texts fetched again: a different text keeps the one before it, with when it was
fetched, in the store, in `show` and `show --json`, and in the dashboard's revisions screen;
retention takes them with their day."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fetchers.healthbook import HealthBook
from fetchers.models import Article, Clock, Source
from fetchers.poller import Poller
from fetchers.query import parse_query
from fetchers.store import ArticleStore, Store
from fetchers.store.texts import MAX_TEXT_REVISIONS
from tests.conftest import (
    FROZEN,
    FeedServer,
    Route,
    StoreOpener,
    alerted_feed,
    config_for,
    make_app,
    newsroom_data,
    piloted,
    rss,
    screen_text,
    seen,
    settle,
)
from tui.cli import main
from tui.messages import CycleDone, PollerReady, RevisionsRead
from tui.screens.revisions import RevisionsScreen
from tui.widgets.article import ArticleView

DAY = datetime(2025, 10, 24, 7, 0, tzinfo=UTC)
FIRST = "Seoul and Washington agreed on tariffs of 15 percent on cars after talks in Gyeongju."
SECOND = "Seoul and Washington agreed on tariffs of 15 percent on cars and chips after talks."


def article(n: int, fetched: datetime = DAY) -> Article:
    return Article(
        id=f"Wire-{n}",
        source="Wire",
        title=f"Headline {n}",
        link=f"https://example.org/{n}",
        published=fetched,
        fetched=fetched,
        summary="Summary",
    )


def test_a_different_text_keeps_the_earlier_one_and_the_same_text_adds_nothing(
    open_store: StoreOpener,
) -> None:
    with open_store(writer=True) as store:
        store.add_batch([article(1), article(2)])
        store.set_text("Wire-1", FIRST)
        assert store.text_revisions("Wire-1") == []  # a first text is no revision
        store.set_text("Wire-1", FIRST)
        assert store.text_revisions("Wire-1") == []  # fetched again, unchanged
        store.set_text("Wire-1", SECOND)
        assert store.text("Wire-1") == SECOND
        (earlier,) = store.text_revisions("Wire-1")
        assert earlier["text"] == FIRST and str(earlier["seen"]).endswith("Z")
        store.set_text("Wire-1", FIRST)  # changed back: both earlier versions, oldest first
        assert [r["text"] for r in store.text_revisions("Wire-1")] == [FIRST, SECOND]
        assert store.text_revisions("Wire-2") == []
    with open_store() as viewer:  # kept: a reopen reads them
        assert viewer.text("Wire-1") == FIRST
        assert [r["text"] for r in viewer.text_revisions("Wire-1")] == [FIRST, SECOND]


def test_an_article_keeps_its_newest_earlier_texts(open_store: StoreOpener) -> None:
    """(PostgreSQL kept every one: a page revised at every poll grew its row by a whole text
    each time, all day, and each write rewrote them all.)"""
    with open_store(writer=True) as store:
        store.add_batch([article(1)])
        for n in range(30):
            store.set_text("Wire-1", f"{FIRST} Update {n}.", DAY + timedelta(minutes=n))
        earlier = store.text_revisions("Wire-1")
        assert [entry["text"] for entry in earlier] == [
            f"{FIRST} Update {n}." for n in range(29 - MAX_TEXT_REVISIONS, 29)
        ]
        assert earlier[-1]["seen"] == "2025-10-24T07:28:00Z"
        assert store.text("Wire-1") == f"{FIRST} Update 29."


def test_retention_drops_the_earlier_texts_with_their_day(
    open_store: StoreOpener, tmp_path: Path
) -> None:
    new = DAY + timedelta(days=40)
    with open_store(writer=True) as store:
        store.add_batch([article(1), article(2), article(3, fetched=new)])
        for ident in ("Wire-1", "Wire-2"):
            store.set_text(ident, FIRST)
            store.set_text(ident, SECOND)
        store.set_state(["Wire-2"], starred=True)  # kept past retention, its text with it
        assert store.apply_retention(30, new) == 1
        assert store.text_revisions("Wire-1") == []
        assert store.text("Wire-2") == SECOND
        assert store.text_revisions("Wire-2") == []
    assert not list(tmp_path.glob("text-2025-10-24*"))


def page(text: str) -> Route:
    """An article page whose text is `text` four times over."""
    body = f"<html><body><article><h1>Tariffs</h1><p>{text * 4}</p></article></body></html>"
    return Route(body.encode(), headers={"Content-Type": "text/html; charset=utf-8"})


def full_text_poller(
    tmp_path: Path, feed_url: str, opener: StoreOpener | None = None, clock: Clock = lambda: DAY
) -> tuple[ArticleStore, Poller]:
    """A writer's store (the data dir's, or `opener`'s) and a poller of one feed whose
    articles' pages are fetched."""
    data = tmp_path / "data"
    store = opener(writer=True) if opener is not None else Store(data, writer=True)
    source = Source("Feed", url=feed_url, full_text=True)
    return store, Poller(config_for(tmp_path, source), store, clock, health=HealthBook(data))


async def test_a_page_changed_between_two_fetches_keeps_both_texts(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = FIRST + " ", SECOND + " "
    page_url = feed_server.add("/story.html", page(first))
    feed_url = feed_server.add(
        "/feed.xml", Route(rss(f"<title>Tariffs</title><link>{page_url}</link><guid>1</guid>"))
    )
    data = tmp_path / "data"
    store, poller = full_text_poller(tmp_path, feed_url)
    try:
        (result,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = result.new_ids
        assert (store.text(ident) or "").startswith(FIRST)
        feed_server.add("/story.html", page(second))  # the outlet rewrote its article
        store.set_text(ident, await poller.page_text(page_url))
    finally:
        await poller.aclose()
        store.close()
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Feed"\nurl = "{feed_url}"\n')
    common = ["--config", str(config), "--data-dir", str(data)]
    assert main([*common, "show", ident, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["text"].startswith(SECOND) and shown["revisions"] == []
    (earlier,) = shown["text_revisions"]
    assert earlier["text"].startswith(FIRST) and earlier["seen"].endswith("Z")
    assert main([*common, "show", ident]) == 0
    printed = capsys.readouterr().out
    assert printed.index(SECOND) < printed.index("earlier full text (") < printed.rindex(FIRST)


def test_a_texts_time_is_when_it_was_stored_or_its_items_fetch(open_store: StoreOpener) -> None:
    """`text_seen`: when the text an article has now was stored; a text its item carried
    has no time of its own, and is as old as the article's fetch."""
    carried = article(3, DAY - timedelta(hours=5))
    carried.text = FIRST
    with open_store(writer=True) as store:
        store.add_batch([article(1), article(2), carried])
        store.set_text("Wire-1", FIRST, DAY + timedelta(hours=2))
        assert store.text_seen("Wire-1") == DAY + timedelta(hours=2)
        assert store.text_seen("Wire-2") is None  # no text
        assert store.text_seen("Wire-3") == DAY - timedelta(hours=5)
        assert store.text_seen("nope") is None


async def test_a_text_fetched_before_its_article_was_revised_says_so(tmp_path: Path) -> None:
    """A headline its source revised ("three dead") sat over the text fetched before it
    ("killing two") with nothing to tell them apart: the pane says the text is older and
    which key fetches it again; a text fetched after the revision, or of an article never
    revised, says nothing."""
    data = newsroom_data(tmp_path)  # AP's headline revised an hour before the clock
    with Store(data, writer=True) as store:
        store.set_text("a2", FIRST, FROZEN - timedelta(hours=2))
        store.set_text("a1", FIRST, FROZEN - timedelta(hours=2))  # Reuters: never revised
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        since = seen(app).mark()
        dashboard.set_filter("source:AP")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2", since=since)
        await pilot.pause()
        assert "fetched before its source revised the article: press f" in screen_text(app)
        since = seen(app).mark()
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        assert "before its source revised" not in screen_text(app)
    again = tmp_path / "again"  # a text fetched after the revision
    with Store(newsroom_data(again), writer=True) as store:
        store.set_text("a2", FIRST, FROZEN - timedelta(hours=2))
        store.set_text("a2", SECOND, FROZEN - timedelta(minutes=30))
    app = make_app(again)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        since = seen(app).mark()
        dashboard.set_filter("source:AP")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2", since=since)
        await pilot.pause()
        assert SECOND[:40] in screen_text(app) and "before its source revised" not in screen_text(
            app
        )


def test_a_word_diff_of_full_texts_keeps_a_pre_block_s_lines_as_written() -> None:
    """The diff of two full texts showed a table of results kept from a <pre> as lines of
    words one space apart: its indentation and columns are kept, and only the changed
    figure is marked."""
    from tests.test_extract import RESULTS_BLOCK
    from tui.worddiff import word_diff

    revised = RESULTS_BLOCK.replace("9,876", "9,877")
    diff = word_diff(f"{FIRST}\n\n{RESULTS_BLOCK}", f"{FIRST}\n\n{revised}")
    assert diff.plain.startswith(f"{FIRST}\n\n")
    lines = diff.plain.splitlines()
    assert "        North       12,345   41.2%" in lines
    assert "  Total        22,221  100.0%" in lines
    changed = {diff.plain[s.start : s.end]: str(s.style) for s in diff.spans}
    assert changed == {"876": "strike red", "877": "bold underline green"}


async def test_d_shows_a_word_diff_of_a_full_text_fetched_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The diffs are made in the thread that reads the history, never on the screen (two
    full texts of 20,000 words held it 2.7 s)."""
    from tui.screens import revisions
    from tui.worddiff import TextChange, text_change

    made_on: list[threading.Thread] = []

    def diffed(old: str, new: str) -> TextChange:
        made_on.append(threading.current_thread())
        return text_change(old, new)

    monkeypatch.setattr(revisions, "text_change", diffed)
    data = newsroom_data(tmp_path)
    with Store(data, writer=True) as store:  # Reuters' article: never revised in its feed
        store.set_text("a1", FIRST)
        store.set_text("a1", SECOND)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        since = seen(app).mark()
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.press("d")
        read = await seen(app).wait_for(RevisionsRead, since=since)
        await pilot.pause()
        assert read.history is not None and read.history.revisions == []
        assert isinstance(app.screen, RevisionsScreen)
        assert "1 earlier full text" in screen_text(app)
        diff = next(t for t in app.screen.lines if t.plain.startswith("Seoul and Washington"))
        changed = {diff.plain[s.start : s.end]: str(s.style) for s in diff.spans}
        assert changed == {  # (the words alone: "talks" and the full stop stay as they were)
            "and chips": "bold underline green",
            "in Gyeongju": "strike red",
        }
        assert made_on and threading.main_thread() not in made_on


def live_text(update: int, paragraphs: int = 600) -> str:
    """A live report's page as fetched at its `update`th change: every paragraph says which
    update it is (and "[b]" as written: feed text is no markup)."""
    return "\n\n".join(
        f"Update {update}: paragraph {n} of the live report on the [b]tariff[/b] talks, with "
        "officials saying negotiators met again on Friday in Gyeongju."
        for n in range(paragraphs)
    )


async def test_d_on_a_live_page_fetched_twenty_times_shows_its_changes_and_answers_keys(
    tmp_path: Path,
) -> None:
    """Twenty versions of a 300 KB page that changed in every paragraph were laid out whole
    on the screen, 12 million characters: 51 s to open, 34 s to close, 1 GB. What is laid
    out follows what is shown of each change, not the texts' length, and a key draws a
    screenful, not the whole view."""
    from tui.worddiff import ADDED, REMOVED

    data = newsroom_data(tmp_path)
    texts = [live_text(update) for update in range(1, 22)]
    with Store(data, writer=True) as store:  # Reuters' article, fetched 21 times
        for n, text in enumerate(texts):
            store.set_text("a1", text, FROZEN - timedelta(minutes=30 - n))
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        since = seen(app).mark()
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.press("d")
        await seen(app).wait_for(RevisionsRead, since=since)
        await pilot.pause()
        assert isinstance(app.screen, RevisionsScreen)
        assert "20 earlier full texts" in screen_text(app)
        lines = app.screen.lines
        shown = sum(len(line) for line in lines)
        assert shown < sum(map(len, texts)) / 20  # (each version: about 4,000 characters)
        newest = max(n for n, line in enumerate(lines) if line.plain.startswith("Full text"))
        first = lines[newest + 1]
        assert first.plain.startswith("Update 20 21: paragraph 0 of the live report on the [b]")
        marked = {first.plain[s.start : s.end]: str(s.style) for s in first.spans}
        assert marked == {"20": REMOVED, "21": ADDED}
        from tui.widgets.textlines import TextLines  # (drawn a screen line at a time)

        view = app.screen.query_one(TextLines)
        await pilot.press("end")
        await pilot.pause()
        end = screen_text(app)
        assert "[b]tariff[/b]" in end and "more changed paragraphs not shown" in end
        assert "esc closes." in end
        in_sight = view.shown.rows[view.scroll_offset.y :][: view.size.height]
        assert any(row.plain.startswith("Update 20 21: paragraph") for row in in_sight)
        drawn, top = view.drawn, view.scroll_offset.y
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_offset.y < top
        assert view.drawn - drawn <= 2 * view.size.height  # a screenful, not 1,500 lines
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, RevisionsScreen)


def test_a_full_text_s_change_shows_the_changed_paragraphs_with_one_either_side() -> None:
    """Unchanged paragraphs are counted, not shown, but for the one before and after each
    change; the changed ones are word-diffed."""
    from tui.worddiff import ADDED, REMOVED, text_change

    old = [f"Paragraph {n} on the tariff talks." for n in range(40)]
    new = list(old)
    new[10] = "Paragraph 10 on the trade talks."
    new[25:26] = []  # removed
    change = text_change("\n\n".join(old), "\n\n".join(new))
    assert (change.changed, change.left_out) == (2, 0)
    assert [line.plain for line in change.lines] == [
        "… 9 unchanged paragraphs …",
        "Paragraph 9 on the tariff talks.",
        "",
        "Paragraph 10 on the tariff trade talks.",
        "",
        "Paragraph 11 on the tariff talks.",
        "… 12 unchanged paragraphs …",
        "Paragraph 24 on the tariff talks.",
        "",
        "Paragraph 25 on the tariff talks.",
        "",
        "Paragraph 26 on the tariff talks.",
        "… 13 unchanged paragraphs …",
    ]
    marked = [
        {line.plain[s.start : s.end]: str(s.style) for s in line.spans}
        for line in change.lines
        if line.spans and not line.plain.startswith("…")
    ]
    assert marked == [{"tariff": REMOVED, "trade": ADDED}, {old[25]: REMOVED}]


def test_a_change_longer_than_is_shown_says_what_it_leaves_out() -> None:
    """A page rewritten in each of its 2,000 paragraphs shows its first changes, cut at a
    word, and how many changed paragraphs it does not show; a single paragraph of a
    million characters is compared in part, and so are 12,000 paragraphs all moved."""
    from tui.worddiff import COMPARED, SHOWN, text_change

    change = text_change(live_text(1, 2000), live_text(2, 2000))
    plain = [line.plain for line in change.lines]
    assert change.changed == 2000 and 0 < change.left_out < 2000
    assert plain[-1] == f"… {change.left_out:,} more changed paragraphs not shown …"
    assert plain[-2].endswith(" …") and sum(map(len, plain)) < SHOWN + 200
    huge = "word " * 200_000
    change = text_change(huge + "old", "new " + huge)
    assert change.left_out == 0 and sum(len(line) for line in change.lines) < SHOWN + 200
    assert change.lines[-1].plain == "… the rest of this change not shown …"
    short = [f"Item {n}." for n in range(12_000)]  # every short paragraph moved
    change = text_change("\n\n".join(short), "\n\n".join(reversed(short)))
    assert change.uncompared == 12_000 - COMPARED and sum(map(len, change.lines)) < SHOWN + 200
    assert change.lines[-1].plain.startswith("… 7,000 paragraphs after these not compared")


async def test_the_revisions_view_wraps_its_lines_again_when_the_terminal_is_resized(
    tmp_path: Path,
) -> None:
    """Wrapped in a thread at the width it opens with, the view is wrapped again at a new
    width, the line at its top kept there."""
    from rich.cells import cell_len

    from tui.widgets.textlines import TextLines

    data = newsroom_data(tmp_path)
    with Store(data, writer=True) as store:
        store.set_text("a1", live_text(1, 30), FROZEN - timedelta(minutes=30))
        store.set_text("a1", live_text(2, 30), FROZEN - timedelta(minutes=20))
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=4)
        since = seen(app).mark()
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.press("d")
        await seen(app).wait_for(RevisionsRead, since=since)
        await pilot.pause()
        view = app.screen.query_one(TextLines)
        assert view.shown.width == view.scrollable_content_region.width == 94
        third = next(n for n, line in enumerate(view.shown.lines) if "paragraph 3 " in line.plain)
        await pilot.press(*["down"] * view.shown.starts[third])  # that paragraph at the top
        since = seen(app).mark()
        await pilot.resize_terminal(70, 40)
        await seen(app).wait_for(TextLines.Rewrapped, since=since)
        await pilot.pause()
        assert view.shown.width == view.scrollable_content_region.width == 64
        assert all(cell_len(row.plain) <= 64 for row in view.shown.rows)
        top = view.shown.rows[view.scroll_offset.y].plain
        assert top.startswith("Update 1 2: paragraph 3 of the live")
        assert "paragraph 3 of the live report" in screen_text(app)


async def test_a_revised_article_has_its_page_fetched_again_and_keeps_both_texts(
    tmp_path: Path, feed_server: FeedServer, open_store: StoreOpener
) -> None:
    """(PostgreSQL kept the first text: a revised article's page was never fetched again.)
    The earlier text is dated by the clock the poller runs by, as revisions are (`--now`)."""
    page_url = feed_server.add("/story.html", page(FIRST + " "))
    item = "<title>{}</title><link>" + page_url + "</link><guid>1</guid>"
    feed_url = feed_server.add("/feed.xml", Route(rss(item.format("Tariff deal agreed"))))
    now = [DAY]
    store, poller = full_text_poller(tmp_path, feed_url, open_store, lambda: now[0])
    try:
        (first,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = first.new_ids
        assert (store.text(ident) or "").startswith(FIRST)
        await poller.poll()  # nothing changed: the page is not fetched again
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/story.html"]) == 1
        # the outlet revises its headline and rewrites the article
        feed_server.add(
            "/feed.xml", Route(rss(item.format("Tariff deal agreed on cars and chips")))
        )
        feed_server.add("/story.html", page(SECOND + " "))
        now[0] = DAY + timedelta(hours=2)
        (second,) = await poller.poll()
        await poller.drain_pages(5.0)
        assert second.new_ids == [] and len(feed_server.hits["/story.html"]) == 2
        assert (store.text(ident) or "").startswith(SECOND)
        (earlier,) = store.text_revisions(ident)
        assert (earlier["text"] or "").startswith(FIRST)
        assert earlier["seen"] == "2025-10-24T07:00:00Z"  # fetched then, not the wall clock's
        assert [r["title"] for r in store.revisions(ident)] == ["Tariff deal agreed"]
        await poller.poll()  # fetched once for the revision, not at every poll
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/story.html"]) == 2
    finally:
        await poller.aclose()
        store.close()


# a box the site puts in each of its articles, between two paragraphs
BOX = (
    "Our reporting is paid for by readers like you, and the morning briefing brings the day's "
    "main stories to your inbox every weekday before seven."
)


def site_page(n: int, box: str = BOX, update: str = "") -> Route:
    """Article `n` of one site: paragraphs of its own, the site's box among them."""
    from tests.test_extract import PARAGRAPHS

    own = "".join(f"<p>In report {n}, {p}</p>" for p in PARAGRAPHS)
    return html_route(f"<article><h1>Port terminal delayed</h1>{own}<p>{box}</p>{update}</article>")


def html_route(body: str) -> Route:
    """A route serving an article page of `body` (`tests.test_extract.page`) as UTF-8 HTML."""
    from tests.test_extract import page

    return Route(page(body).encode(), headers={"Content-Type": "text/html; charset=utf-8"})


async def test_a_page_fetched_again_unchanged_records_no_text_revision(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A box the site repeats is learnt as furniture from its other pages while the poller
    runs: the same page fetched again lost it, and that was stored as a new version of its
    text. The same page keeps its text; a changed article body is still a revision."""
    from fetchers.extractors import sitewide

    sitewide.MEMORY.clear()  # (what other tests' pages taught it)
    links = [feed_server.add(f"/news/{n}.html", site_page(n)) for n in range(3)]
    item = "<title>{}</title><link>{}</link><guid>{}</guid>"
    first_item = item.format("Terminal delayed", links[0], 0)
    feed_url = feed_server.add("/feed.xml", Route(rss(first_item)))
    now = [DAY]
    store, poller = full_text_poller(tmp_path, feed_url, clock=lambda: now[0])
    try:
        (polled,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = polled.new_ids
        kept = store.text(ident) or ""
        assert BOX in kept  # one page of the site: nothing learnt yet
        others = [item.format(f"Report {n}", links[n], n) for n in (1, 2)]
        feed_server.add("/feed.xml", Route(rss(first_item, *others)))
        await poller.poll()  # the site's other articles: their pages teach the box
        await poller.drain_pages(5.0)
        assert all(len(feed_server.hits[f"/news/{n}.html"]) == 1 for n in (1, 2))
        # the headline is revised, the page fetched again: its bytes are the same
        revised_item = item.format("Terminal delayed to March", links[0], 0)
        feed_server.add("/feed.xml", Route(rss(revised_item, *others)))
        now[0] = DAY + timedelta(hours=1)
        await poller.poll()
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/news/0.html"]) == 2
        assert store.text(ident) == kept
        assert store.text_revisions(ident) == []
        # the article gains a paragraph: a revision, whatever the box did
        update = "<p>Update: the authority has now confirmed the March date in writing.</p>"
        feed_server.add("/news/0.html", site_page(0, update=update))
        feed_server.add(
            "/feed.xml", Route(rss(item.format("Terminal opens in March", links[0], 0), *others))
        )
        now[0] = DAY + timedelta(hours=2)
        await poller.poll()
        await poller.drain_pages(5.0)
        assert len(feed_server.hits["/news/0.html"]) == 3
        assert "confirmed the March date in writing" in (store.text(ident) or "")
        assert [r["text"] for r in store.text_revisions(ident)] == [kept]
    finally:
        await poller.aclose()
        store.close()


def box_first_page(n: int, update: str = "") -> Route:
    """Article `n` of one site with the site's box above its own paragraphs (the page's
    first paragraph, as a page source's summary is)."""
    from tests.test_extract import PARAGRAPHS, page

    own = "".join(f"<p>In report {n}, {p}</p>" for p in PARAGRAPHS)
    body = f"<article><h1>Port terminal delayed</h1><p>{BOX}</p>{own}{update}</article>"
    return Route(page(body).encode(), headers={"Content-Type": "text/html; charset=utf-8"})


@pytest.mark.parametrize("in_worker", [False, True], ids=["threads", "parser-process"])
async def test_a_page_source_polled_again_unchanged_records_no_revision(
    tmp_path: Path, feed_server: FeedServer, in_worker: bool
) -> None:
    """A page polled as a source (`kind = "page"`) lost the site's box from its text once
    the site's other pages had taught it as furniture, and the next poll stored the same page
    as a revised article: another summary, another text. The page keeps what it had,
    whether it is parsed in the poller's threads or in the parser process (which learns
    the site from the pages it parses); a changed article is still a revision."""
    from fetchers.extractors import sitewide
    from fetchers.parsepool import ParsePool

    sitewide.MEMORY.clear()  # (what other tests' pages taught it; a forked worker copies it)
    sources = [
        Source(f"Page {n}", url=feed_server.add(f"/news/{n}.html", box_first_page(n)), kind="page")
        for n in range(3)
    ]
    data = tmp_path / "data"
    store = Store(data, writer=True)
    pool = ParsePool(workers=1, start_method="fork") if in_worker else None
    now = [DAY]
    poller = Poller(
        config_for(tmp_path, *sources),
        store,
        lambda: now[0],
        health=HealthBook(data),
        parse_pool=pool,
    )
    try:
        (polled,) = await poller.poll([sources[0]])
        (ident,) = polled.new_ids
        kept, summary = store.text(ident) or "", store.get(ident).summary  # type: ignore[union-attr]
        assert summary == BOX  # one page of the site: nothing learnt yet
        for source in sources[1:]:  # the site's other pages teach the box
            now[0] += timedelta(minutes=10)
            await poller.poll([source])
        now[0] += timedelta(minutes=10)
        (again,) = await poller.poll([sources[0]])
        assert len(feed_server.hits["/news/0.html"]) == 2
        assert again.revised_ids == [] and store.revisions(ident) == []
        assert store.get(ident).summary == summary  # type: ignore[union-attr]
        assert store.text(ident) == kept and store.text_revisions(ident) == []
        # the article gains a paragraph: a revision, whatever the box did
        update = "<p>Update: the authority has now confirmed the March date in writing.</p>"
        feed_server.add("/news/0.html", box_first_page(0, update))
        now[0] += timedelta(minutes=10)
        (revised,) = await poller.poll([sources[0]])
        assert revised.revised_ids == [ident]
        assert "confirmed the March date in writing" in (store.text(ident) or "")
    finally:
        await poller.aclose()
        store.close()
        if pool is not None:
            pool.close(wait=True)


def live_page(latest: str) -> Route:
    """A live page: the same headline and first paragraph, its latest entry further down."""
    from tests.test_extract import PARAGRAPHS

    own = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return html_route(f"<article><h1>Live: budget talks</h1>{own}<p>Latest: {latest}</p></article>")


async def test_a_page_source_whose_text_changes_below_its_first_paragraph_keeps_both_texts(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A live page polled as a source kept the first text it read all day: its summary is
    its first paragraph, and a page whose headline and summary stayed was no news, its new
    text dropped (`show` and the pane said what it said at 09:00; `d` had nothing). Its new
    text is a new version of its full text, the one before kept, its headline unrevised."""
    first = "the finance minister said at 09:00 that no deal was close."
    later = "the finance minister said at 11:30 that a deal was agreed."
    source = Source("Live", url=feed_server.add("/live.html", live_page(first)), kind="page")
    data = tmp_path / "data"
    store = Store(data, writer=True)
    now = [DAY]
    poller = Poller(config_for(tmp_path, source), store, lambda: now[0], health=HealthBook(data))
    try:
        (polled,) = await poller.poll([source])
        (ident,) = polled.new_ids
        feed_server.add("/live.html", live_page(later))
        now[0] += timedelta(minutes=10)
        (again,) = await poller.poll([source])
        assert again.revised_ids == [] and store.revisions(ident) == []
        assert later in (store.text(ident) or "")
        (earlier,) = store.text_revisions(ident)
        assert first in earlier["text"]
        now[0] += timedelta(minutes=10)
        await poller.poll([source])  # the same page again: nothing more
        assert len(store.text_revisions(ident)) == 1
    finally:
        await poller.aclose()
        store.close()


def test_a_revised_item_carrying_its_content_revises_the_text(open_store: StoreOpener) -> None:
    """(PostgreSQL kept the first content, and searches matched its words.) The earlier text
    is dated by the fetch that brought it, the new one by the revision's."""
    with open_store(writer=True) as store:
        old = article(1)
        old.text = FIRST
        store.add_batch([old])
        new = article(1, DAY + timedelta(hours=3))
        new.title, new.text = "Headline 1, corrected", SECOND
        assert store.add_batch([new]) == []
        assert store.get("Wire-1").title == "Headline 1, corrected"  # type: ignore[union-attr]
        assert store.text("Wire-1") == SECOND
        assert store.query_ids(parse_query("chips", DAY)) == ["Wire-1"]
        assert store.query_ids(parse_query("Gyeongju", DAY)) == []
        (earlier,) = store.text_revisions("Wire-1")
        assert earlier == {"seen": "2025-10-24T07:00:00Z", "text": FIRST}


async def test_a_revision_that_moves_the_page_fetches_the_new_page_and_keeps_its_link(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Sites rename a page when they rewrite its headline: the revision takes the feed's new
    link, so `show` and `o` give it and the text is fetched again from it, not the old one."""

    old_page = feed_server.add("/floods-kill-12.html", page(FIRST + " "))
    item = "<title>{}</title><link>{}</link><guid>story-8841</guid>"
    feed_url = feed_server.add("/feed.xml", Route(rss(item.format("Floods kill 12", old_page))))
    data = tmp_path / "data"
    store, poller = full_text_poller(tmp_path, feed_url)
    try:
        (first,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = first.new_ids
        new_page = feed_server.add("/floods-kill-15.html", page(SECOND + " "))
        feed_server.add("/feed.xml", Route(rss(item.format("Floods kill 15", new_page))))
        feed_server.add("/floods-kill-12.html", Route(b"gone", status=404))
        (second,) = await poller.poll()
        await poller.drain_pages(5.0)
        assert second.new_ids == [] and second.revised_ids == [ident]
        (stored,) = store.records([ident])
        assert (stored.title, stored.link) == ("Floods kill 15", new_page)
        assert len(feed_server.hits["/floods-kill-15.html"]) == 1
        assert (store.text(ident) or "").startswith(SECOND)
        assert [r["title"] for r in store.revisions(ident)] == ["Floods kill 12"]
    finally:
        await poller.aclose()
        store.close()
    store = Store(data)  # as a reader opening the store finds it
    try:
        (stored,) = store.records([ident])
        assert stored.link == new_page
    finally:
        store.close()


QUAKE = "<title>Quake strikes off the coast</title><link>{}</link><guid>a3</guid>"


async def test_a_link_changed_under_the_same_guid_moves_the_article_and_fetches_its_new_page(
    tmp_path: Path, feed_server: FeedServer, open_store: StoreOpener
) -> None:
    """A site that moves an article to another page, its guid, headline and summary the
    same: the new link was never taken (the store compared headlines and summaries alone),
    so `o`, `f` and `show` gave the old page and the new one was never fetched. The article
    takes the link; its new page's text is fetched once, the earlier one kept. A page moved
    is no revision of its wording: none is listed, the article is not marked revised."""
    old_page = feed_server.add("/pages/v1.html", page(FIRST + " "))
    feed_url = feed_server.add("/feed.xml", Route(rss(QUAKE.format(old_page))))
    now = [DAY]
    store, poller = full_text_poller(tmp_path, feed_url, open_store, lambda: now[0])
    try:
        (first,) = await poller.poll()
        await poller.drain_pages(5.0)
        (ident,) = first.new_ids
        new_page = feed_server.add("/pages/v2.html", page(SECOND + " "))
        feed_server.add("/feed.xml", Route(rss(QUAKE.format(new_page))))
        now[0] = DAY + timedelta(hours=1)
        (second,) = await poller.poll()
        await poller.drain_pages(5.0)
        (stored,) = store.records([ident])
        assert (stored.link, stored.revised) == (new_page, None)
        assert store.revisions(ident) == []
        assert len(feed_server.hits.get("/pages/v2.html", [])) == 1
        assert (store.text(ident) or "").startswith(SECOND)
        (earlier,) = store.text_revisions(ident)
        assert (earlier["text"] or "").startswith(FIRST)
        assert (second.new_ids, second.revised_ids, second.moved_ids) == ([], [], [ident])
        now[0] = DAY + timedelta(hours=2)
        (third,) = await poller.poll()  # taken once: nothing moves at the next poll
        await poller.drain_pages(5.0)
        assert (third.new_ids, third.revised_ids, third.moved_ids) == ([], [], [])
        assert len(feed_server.hits["/pages/v2.html"]) == 1
    finally:
        await poller.aclose()
        store.close()
    with open_store() as viewer:  # as a reader opening the store finds it
        found = viewer.get(ident)
        assert found is not None and found.link == new_page and found.revisions == []


def test_refresh_takes_a_link_changed_under_the_same_guid_and_alerts_once(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`refresh`, then the item's link alone changed, then `refresh`: "0 new", and `show`
    printed the old link and the old page's text, at every refresh after. It prints the
    new link and the new page's text, the old one an earlier full text; the alert the
    article fired when it came does not fire again."""
    old_page = feed_server.add("/pages/v1.html", page(FIRST + " "))
    others = [f"<title>Report {n}</title><guid>a{n}</guid>" for n in (1, 2)]
    alpha = alerted_feed(
        tmp_path,
        feed_server,
        "/feed.xml",
        others,
        source='name = "Alpha"\nfull_text = true',
        alert='name = "Quakes"\nquery = "quake"',
    )
    common = alpha.options
    alpha.serve(*others, QUAKE.format(old_page))
    assert main([*common, "refresh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out.splitlines()[-1])["new"] == 1
    assert main([*common, "list", "quake", "--json"]) == 0
    ident = json.loads(capsys.readouterr().out.splitlines()[0])["id"]
    new_page = feed_server.add("/pages/v2.html", page(SECOND + " "))
    alpha.serve(*others, QUAKE.format(new_page))
    for _ in range(2):
        assert main([*common, "refresh", "--json"]) == 0
        said = json.loads(capsys.readouterr().out.splitlines()[0])
        assert (said["new"], said["revised"]) == (0, 0)
    assert len(feed_server.hits.get("/pages/v2.html", [])) == 1
    assert main([*common, "show", ident, "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["link"] == new_page and shown["text"].startswith(SECOND)
    assert (shown["revised"], shown["revisions"]) == (None, [])
    (earlier,) = shown["text_revisions"]
    assert earlier["text"].startswith(FIRST)
    assert main([*common, "show", ident]) == 0
    printed = capsys.readouterr().out
    assert new_page in printed and old_page not in printed
    fired = alpha.alerts_fired(capsys)
    assert [entry["article"] for entry in fired] == [ident]


async def test_the_article_pane_shows_the_link_its_source_moved_it_to(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The dashboard that polls reads the article it shows again when a cycle moves it to
    another page, as it does when a cycle revises its headline."""
    feed_url = feed_server.add("/feed.xml", Route(rss(QUAKE.format("http://alpha.test/quake"))))
    app = make_app(tmp_path, config_for(tmp_path, Source("Alpha", url=feed_url)))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        moved_to = "http://alpha.test/quake-updated"
        feed_server.add("/feed.xml", Route(rss(QUAKE.format(moved_to))))
        since = seen(app).mark()
        await pilot.press("r")
        await seen(app).wait_for(CycleDone, since=since)
        await seen(app).wait_for(
            ArticleView.Loaded,
            lambda m: m.reading.article.link == moved_to,  # type: ignore[union-attr]
            since=since,
        )
