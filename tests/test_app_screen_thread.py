"""What the keys do to one article reads the store in threads, never on the screen's loop: a
viewer's read waits on the store's lock and reads the shard's file, and on PostgreSQL every
read is a query."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from textual.events import ScreenResume
from textual.pilot import Pilot

from fetchers.store import Store
from tests.conftest import (
    FeedServer,
    Route,
    article,
    dash,
    make_app,
    newsroom_data,
    piloted,
    reads_on_this_thread,
    screen_text,
    seen,
    settle,
)
from tui.app import WirewatchApp
from tui.messages import LinkOpened, MarksChanged, QueryDone, RevisionsRead, StoriesRead
from tui.screens.picker import PickerScreen
from tui.screens.revisions import RevisionsScreen
from tui.widgets.article import ArticleView

PAGE = (
    "<html><body><article><h1>Talks</h1><p>"
    + "Seoul and Washington narrowed their differences on the investment package. " * 4
    + "</p></article></body></html>"
)

Action = Callable[[WirewatchApp, Pilot], Awaitable[None]]


async def star(app: WirewatchApp, pilot: Pilot) -> None:
    current = dash(app).headlines.current_id
    await pilot.press("asterisk")
    changed = await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
    assert changed.rows.articles[current or ""].article.starred  # the row drawn with "*"


async def mark_read(app: WirewatchApp, pilot: Pilot) -> None:
    current = dash(app).headlines.current_id
    await pilot.press("m")
    await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])


async def open_with_enter(app: WirewatchApp, pilot: Pilot) -> None:
    current = dash(app).headlines.current_id
    await pilot.press("enter")
    await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])


async def read_after_a_while(app: WirewatchApp, pilot: Pilot) -> None:
    dashboard = dash(app)
    dashboard.read_after = 0.05
    await pilot.press("down")
    current = dashboard.headlines.current_id
    await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])


async def open_link(app: WirewatchApp, pilot: Pilot) -> None:
    await pilot.press("o")
    opened = await seen(app).wait_for(LinkOpened)
    assert opened.link is not None and app.clipboard == opened.link


async def full_text(app: WirewatchApp, pilot: Pilot) -> None:
    await pilot.press("f")
    await seen(app).wait_for(ArticleView.FullText)
    await pilot.pause()
    assert "narrowed their differences" in screen_text(app)


async def revisions(app: WirewatchApp, pilot: Pilot) -> None:
    since = seen(app).mark()
    dash(app).set_filter("source:AP")  # its headline was revised
    await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2", since=since)
    await pilot.press("d")
    await seen(app).wait_for(RevisionsRead, since=since)
    await pilot.pause()
    assert isinstance(app.screen, RevisionsScreen)


async def story_timeline(app: WirewatchApp, pilot: Pilot) -> None:
    dashboard = dash(app)
    since = seen(app).mark()
    await pilot.press("S")
    await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
    await pilot.pause()
    korea = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
    await pilot.press(*["down"] * dashboard.headlines.ids.index(korea or ""))
    since = seen(app).mark()
    await pilot.press("enter")
    await seen(app).wait_for(ScreenResume, lambda _: isinstance(app.screen, PickerScreen), since)
    await pilot.pause()
    assert "Yonhap" in screen_text(app) and "Reuters" in screen_text(app)


async def an_alerts_article(app: WirewatchApp, pilot: Pilot) -> None:
    """The alerts screen shows an article the filter hides: the filter is cleared for it."""
    dashboard = dash(app)
    since = seen(app).mark()
    dashboard.set_filter("source:NHK")
    await seen(app).wait_for(QueryDone, lambda m: "a0" not in m.matches.ids, since=since)
    since = seen(app).mark()
    dashboard.show_article("a0")
    await seen(app).wait_for(QueryDone, lambda m: "a0" in m.matches.ids, since=since)
    await pilot.pause()
    assert dashboard.query_text == "" and dashboard.headlines.current_id == "a0"


@pytest.mark.parametrize(
    "action",
    [
        star,
        mark_read,
        open_with_enter,
        read_after_a_while,
        open_link,
        full_text,
        revisions,
        story_timeline,
        an_alerts_article,
    ],
)
async def test_a_viewers_keys_read_the_store_in_threads(
    action: Action, tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")  # o copies the link
    data = newsroom_data(tmp_path)
    page = feed_server.add(
        "/talks.html", Route(PAGE.encode(), headers={"Content-Type": "text/html"})
    )
    with Store(data, writer=True) as store:  # the newest article, its page on the loopback
        linked = article(9, "Wire", "Talks narrow the gap", "Only a summary here.", 0)
        linked.link = page
        store.add_batch([linked])
    app = make_app(tmp_path, poll=False)  # a viewer: another process writes this store
    app.read_after = 3600  # only the keys mark articles read (but where the action sets it)
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        dashboard = await settle(app, pilot, want=5)
        assert not dashboard.writer and dashboard.headlines.current_id == "a9"
        in_threads: list[str] = []
        on_screen = reads_on_this_thread(dashboard.session.store, in_threads)
        await action(app, pilot)
        assert on_screen == [] and in_threads
