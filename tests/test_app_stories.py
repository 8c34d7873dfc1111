"""The dashboard's stories: the headlines pane switched to one row per story across outlets,
a story's articles in time order, `story:` and `outlets:` in the filter prompt, the article
pane's other outlets, and the mark and word diff of a headline its source revised."""

from __future__ import annotations

import re
from concurrent.futures import Future
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import OptionList

from fetchers.healthbook import HealthBook
from fetchers.keymap import check_keymap
from fetchers.models import Article, Source, SourceHealth
from fetchers.store import Store, StoreError
from fetchers.story import Story
from fetchers.storybook import Lead, StoryBook
from fetchers.storyshelf import StoryShelf
from tests.conftest import (
    EVENT,
    FROZEN,
    REVISED_TITLE,
    article,
    config_for,
    dash,
    make,
    make_app,
    newsroom_data,
    piloted,
    reads_on_this_thread,
    rss,
    screen_text,
    seed_only_config,
    seen,
    settle,
    story_item,
    until,
)
from tui.app import WirewatchApp
from tui.messages import (
    CycleDone,
    LeadsRead,
    MarksChanged,
    QueryDone,
    RevisionsRead,
    StoriesRead,
    StoryRead,
    ViewerReloaded,
)
from tui.rows import Rows
from tui.screens.dashboard import DashboardScreen
from tui.screens.picker import PickerScreen, StoryTimelineScreen
from tui.screens.revisions import RevisionsScreen
from tui.widgets import headlines as headlines_module
from tui.widgets.article import ArticleView
from tui.widgets.headlines import HeadlineList


async def opened(app: WirewatchApp, pilot: Pilot) -> DashboardScreen:
    await seen(app).wait_for(StoriesRead)
    return await settle(app, pilot, want=4)


async def story_rows(app: WirewatchApp, pilot: Pilot) -> DashboardScreen:
    """Switch to stories (S) and wait for their rows."""
    dashboard = dash(app)
    since = seen(app).mark()
    await pilot.press("S")
    await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
    await pilot.pause()
    return dashboard


async def to_row(pilot: Pilot, headlines: HeadlineList, ident: str) -> None:
    """Move the highlight to the row of `ident` with the arrows (from wherever `S` landed)."""
    steps = headlines.ids.index(ident) - headlines.cursor
    await pilot.press(*(["down"] * steps if steps > 0 else ["up"] * -steps))


async def answered(app: WirewatchApp, since: int) -> QueryDone:
    """The whole answer to the filter in force now (not a late answer to an earlier one, nor
    a first page), from `since` on."""
    dashboard = dash(app)
    return await seen(app).wait_for(
        QueryDone,
        lambda m: m.generation == dashboard.generation and not m.matches.partial,
        since=since,
    )


async def open_timeline(app: WirewatchApp, pilot: Pilot) -> None:
    """enter on a story row: its timeline, once its articles are read (in a thread)."""
    since = seen(app).mark()
    await pilot.press("enter")
    await seen(app).wait_for(StoryRead, since=since)
    await pilot.pause()


async def open_the_timeline_of_a0(app: WirewatchApp, pilot: Pilot) -> None:
    """The dashboard opened, the story view on, and the timeline of article a0's story."""
    await opened(app, pilot)
    dashboard = await story_rows(app, pilot)
    story = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
    await to_row(pilot, dashboard.headlines, story or "")
    await open_timeline(app, pilot)
    assert isinstance(app.screen, StoryTimelineScreen)


async def test_stories_show_outlets_and_first_report_and_open_in_time_order(
    tmp_path: Path,
) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        headlines = dashboard.headlines
        assert headlines.story_rows and headlines.border_title == "Stories"
        stories = len(dashboard.session.shelf or ())
        assert f"{stories} of {stories} stories" in screen_text(app)  # the status counts stories
        rows = [line for line in screen_text(app).splitlines() if "outlet" in line]
        korea = next(line for line in rows if "Korea to 15%" in line)
        assert "3 outlets" in korea and "Yonhap" in korea and "first 5h ago" in korea
        japan = next(line for line in rows if "Japan" in line)
        assert "1 outlet " in japan and "NHK" in japan  # the hard negative stays apart
        # newest activity first: NHK's report (2 h ago) is newer than AP's (3 h ago)
        assert rows.index(japan) < rows.index(korea)
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await to_row(pilot, headlines, korea_id or "")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0")
        await pilot.pause()
        assert "also reported by Reuters, AP" in screen_text(app)  # its first report
        await open_timeline(app, pilot)
        assert isinstance(app.screen, PickerScreen)
        timeline = screen_text(app)
        places = [timeline.index(s) for s in ("Yonhap", "Reuters", "AP ")]
        assert places == sorted(places)  # first reported first
        assert "~ " + REVISED_TITLE[:40] in timeline  # revised by its source
        since = seen(app).mark()
        await pilot.press("down", "enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert dashboard.article_view.article_id == "a1"
        await pilot.press("S")  # back to the headlines
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        assert not headlines.story_rows and len(headlines.ids) >= 4


async def test_a_click_on_the_highlighted_story_opens_its_timeline(tmp_path: Path) -> None:
    """As on an article's row: a first click highlights a story, a click on the highlighted
    one opens its timeline as enter does, and a double-click opens it once."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        headlines = dashboard.headlines
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        row = headlines.ids.index(korea_id or "")
        assert row != headlines.cursor
        since = seen(app).mark()
        await pilot.click("#headlines", offset=(40, row + 1))  # + 1: below the border
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0", since=since)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)  # a first click highlights
        assert not [m for m in seen(app).messages[since:] if isinstance(m, StoryRead)]
        await pilot.click("#headlines", offset=(40, row + 1))
        await seen(app).wait_for(StoryRead, since=since)
        await until(pilot, lambda: isinstance(app.screen, StoryTimelineScreen))
        assert "3 outlets · 3 articles · first Yonhap" in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dashboard)
        since = seen(app).mark()
        await pilot.double_click("#headlines", offset=(40, row + 1))  # highlighted already
        await until(pilot, lambda: isinstance(app.screen, StoryTimelineScreen))
        asked = [m for m in seen(app).messages[since:] if isinstance(m, HeadlineList.OpenAsked)]
        assert len(asked) == 1
        # in the timeline too: a click highlights an article (`d` acts on it), a second opens it
        timeline = app.screen
        listed = timeline.query_one(OptionList)
        row = 1 if listed.highlighted != 1 else 0
        region = listed.content_region
        await pilot.click(offset=(region.x + 4, region.y + row))
        await pilot.pause()
        assert app.screen is timeline and listed.highlighted == row
        ident = listed.get_option_at_index(row).id
        await pilot.click(offset=(region.x + 4, region.y + row))
        await until(pilot, lambda: app.screen is dashboard)
        await until(pilot, lambda: dashboard.article_view.article_id == ident)


def _with_a_carried_copy(
    tmp_path: Path, published: datetime | None, fetched: datetime
) -> WirewatchApp:
    """The newsroom's data with Yonhap's report carried word for word by the Korea Herald
    ("a9", of these times), grouped into its story; the dashboard on it."""
    from fetchers.storybook import StoryBook

    data = newsroom_data(tmp_path)
    carried = Article(
        id="a9",
        source="Korea Herald",
        title=EVENT[0][1],
        summary=EVENT[0][2],
        link="https://koreaherald.example/9",
        published=published,
        fetched=fetched,
    )
    with Store(data, writer=True) as store:
        store.add_batch([carried])
        StoryBook(data).update(store, ["a9"], removed=False)
    return make_app(tmp_path)


async def _carried_copys_timeline(app: WirewatchApp, pilot: Pilot) -> None:
    """Open the timeline of the story the carried copy joined (Yonhap's)."""
    await opened(app, pilot)
    dashboard = await story_rows(app, pilot)
    korea = dashboard.session.shelf.story_of("a9")  # type: ignore[union-attr]
    assert korea == dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
    await to_row(pilot, dashboard.headlines, korea or "")
    await open_timeline(app, pilot)


async def test_a_timeline_dates_an_article_dated_ahead_of_its_fetch_by_its_fetch(
    tmp_path: Path,
) -> None:
    """An article dated minutes ahead of its fetch is listed where the story counts it (at
    its fetch) and shows that time: it showed its own date, later than the next row's."""
    fetched = FROZEN - timedelta(hours=4, minutes=30)
    # Yonhap's report, carried word for word, dated 9 minutes ahead
    app = _with_a_carried_copy(tmp_path, fetched + timedelta(minutes=9), fetched)
    async with piloted(app) as pilot:
        await _carried_copys_timeline(app, pilot)
        outlets = re.compile(r"\d\d:\d\d[ *] (Yonhap|Reuters|AP|Korea Herald) ")
        rows = [line for line in screen_text(app).splitlines() if outlets.search(line)]
        assert len(rows) == 4
        times = [re.search(r"(\d\d-\d\d \d\d:\d\d)", line).group(1) for line in rows]  # type: ignore[union-attr]
        assert times == sorted(times)
        local = fetched.astimezone(ZoneInfo("Asia/Seoul"))
        herald = next(line for line in rows if "Korea Herald" in line)
        assert f"{local:%m-%d %H:%M}" in herald


async def test_an_undated_article_in_a_timeline_is_marked_as_timed_by_its_fetch(
    tmp_path: Path,
) -> None:
    """A story's undated article was listed at its fetch's time as if reported then: its
    time is marked, and the footer says what the mark means."""
    # Yonhap's report, carried word for word, undated
    app = _with_a_carried_copy(tmp_path, None, FROZEN - timedelta(hours=4))
    async with piloted(app) as pilot:
        await _carried_copys_timeline(app, pilot)
        assert isinstance(app.screen, PickerScreen)
        timeline = screen_text(app)
        herald = next(line for line in timeline.splitlines() if "Korea Herald" in line)
        assert re.search(r"\d\d:\d\d\* Korea Herald", herald)
        assert re.search(r"\d\d:\d\d  Yonhap", timeline)  # dated: no mark
        assert "* undated: when it was fetched" in timeline
        # the outlets' column as wide as their longest name ("Yonhap" took 24 cells)
        yonhap = next(line for line in timeline.splitlines() if re.search(r":\d\d  Yonhap", line))
        assert re.search(r"Yonhap {7}[ ~] \S", yonhap)
        await pilot.resize_terminal(80, 24)  # what the mark means is on the screen still
        await pilot.pause(0.2)
        lines = screen_text(app).splitlines()
        said = " ".join(
            line.strip("│ ") for line in lines if "shows how" in line or "closes" in line
        )
        assert "* undated: when it was fetched" in " ".join(said.split())


async def test_d_in_a_story_s_timeline_shows_what_the_highlighted_article_s_source_changed(
    tmp_path: Path,
) -> None:
    """The timeline marks a revised headline `~` and says "d shows how": d there shows the
    word diff over the timeline, and escape comes back to it; an article never revised says
    so and the timeline stays."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await to_row(pilot, dashboard.headlines, korea_id or "")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0")
        await open_timeline(app, pilot)
        assert isinstance(app.screen, StoryTimelineScreen)
        since = seen(app).mark()
        await pilot.press("down", "down", "d")  # AP's, revised
        await seen(app).wait_for(RevisionsRead, lambda m: m.ident == "a2", since=since)
        await pilot.pause()
        assert isinstance(app.screen, RevisionsScreen)
        assert "1 earlier version" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, StoryTimelineScreen)
        since = seen(app).mark()
        await pilot.press("up", "d")  # Reuters', never revised
        await seen(app).wait_for(RevisionsRead, lambda m: m.ident == "a1", since=since)
        await pilot.pause()
        assert isinstance(app.screen, StoryTimelineScreen)
        assert "has not changed" in str(list(app._notifications)[-1].message)


async def test_repaints_and_mark_changes_read_nothing_from_the_store_on_the_screens_thread(
    tmp_path: Path,
) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        headlines = dashboard.headlines
        asked = reads_on_this_thread(dashboard.session.store)
        for _ in range(3):  # repaints of article rows, one of them revised by its source
            headlines.refresh()
            await pilot.pause()
        revised = next(x for x in screen_text(app).splitlines() if REVISED_TITLE[:30] in x)
        assert revised.lstrip("│ ").startswith("+ ~") and asked == []
        dashboard = await story_rows(app, pilot)
        for _ in range(3):  # and of story rows, with their marks
            headlines.refresh()
            await pilot.pause()
        assert "outlets" in screen_text(app) and asked == []
        korea = dashboard.session.shelf.story("a0")  # type: ignore[union-attr]
        assert korea is not None
        line = next(x for x in screen_text(app).splitlines() if "3 outlets" in x)
        assert line.lstrip("│ ").startswith("+")  # unread
        for ident in korea.articles:  # as the read-after timer marks each
            since = seen(app).mark()
            dashboard._mark_read(ident)
            await seen(app).wait_for(MarksChanged, lambda m, i=ident: m.ids == [i], since=since)
        await pilot.pause()
        line = next(x for x in screen_text(app).splitlines() if "3 outlets" in x)
        assert not line.lstrip("│ ").startswith("+")  # read again, in the marks' thread
        assert asked == []


OLDEST_ROW = re.compile(r"Wire +Headline 0 about tariffs")  # its row (not the article pane)


async def test_rows_scrolled_to_are_read_in_a_thread_and_then_drawn(tmp_path: Path) -> None:
    """Rows far from those the filter's answer came with are read in the pane's thread
    when it scrolls to them, never on the screen's."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(400)])
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=400)
        headlines = dashboard.headlines
        assert "Headline 0 about" not in screen_text(app)
        asked = reads_on_this_thread(dashboard.session.store)
        since = seen(app).mark()
        await pilot.press("G")  # to the oldest, hundreds of rows away
        await seen(app).wait_for(HeadlineList.RowsRead, since=since)
        await pilot.pause()
        assert headlines.current_id == "Wire-0"
        assert OLDEST_ROW.search(screen_text(app)) and asked == []


async def test_rows_that_cannot_be_read_are_said_once_and_not_read_at_every_repaint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store going down (PostgreSQL stopped) while the pane scrolls to rows it lacks:
    one notice, no read per repaint; a new filter's answer reads them again."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([make(n) for n in range(400)])
    app = make_app(tmp_path)
    # no article marked read meanwhile: new marks read the missing rows again, by design (on
    # a loaded machine the mark of the article shown landed among the repaints)
    app.read_after = 3600
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=400)
        headlines = dashboard.headlines
        session = dashboard.session
        monkeypatch.setattr(headlines_module, "RETRY_FIRST", 3600.0, raising=False)  # no retry
        asked: list[list[str]] = []
        rows = session.rows

        def down(ids: list[str], shelf: StoryShelf | None) -> Rows:
            asked.append(ids)
            raise StoreError("cannot read: the server closed the connection")

        monkeypatch.setattr(session, "rows", down)
        since = seen(app).mark()
        await pilot.press("G")  # to the oldest, rows the pane lacks
        await seen(app).wait_for(HeadlineList.RowsRead, since=since)
        for _ in range(4):  # repaints
            headlines.refresh()
            await pilot.pause()
        assert len(asked) == 1
        notices = [str(n.message) for n in app._notifications]
        assert sum("the server closed the connection" in n for n in notices) == 1
        assert not OLDEST_ROW.search(screen_text(app))
        monkeypatch.setattr(session, "rows", rows)  # back up
        since = seen(app).mark()
        dashboard.set_filter("tariffs")
        await answered(app, since)
        await pilot.pause()
        assert headlines.current_id == "Wire-0" and OLDEST_ROW.search(screen_text(app))


async def test_outlets_and_story_filters_work_in_the_prompt(tmp_path: Path) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        since = seen(app).mark()
        await pilot.press("slash", *"outlets:>=2", "enter")
        done = await answered(app, since)
        assert sorted(done.matches.ids) == ["a0", "a1", "a2"]
        story = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        since = seen(app).mark()
        await pilot.press("slash", "ctrl+u", *f"story:{story} -source:AP", "enter")
        done = await answered(app, since)
        assert sorted(done.matches.ids) == ["a0", "a1"]
        dashboard = await story_rows(app, pilot)  # a story shows when one article matches
        assert len(dashboard.headlines.ids) == 1
        assert "3 outlets" in screen_text(app)


async def test_an_empty_list_says_why_it_is_empty(tmp_path: Path) -> None:
    """A filter that matches nothing says so, in the headlines and in the stories; while the
    cycle's articles are still being grouped, the empty story list says that, not nothing."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        assert "No article" not in screen_text(app)
        since = seen(app).mark()
        await pilot.press("slash", *"zzzqqq", "enter")
        await answered(app, since)
        await pilot.pause()
        assert "No article matches the filter." in screen_text(app)
        await story_rows(app, pilot)
        assert "No story matches the filter." in screen_text(app)
        grouping: Future[list[str]] = Future()  # the cycle's grouping, under way
        dashboard.session.newsroom.story_desk.running = grouping
        since = seen(app).mark()
        await pilot.press("slash", "ctrl+u", *"zzzqqq OR zzzqqr", "enter")
        await answered(app, since)
        await pilot.pause()
        assert "No story matches the filter: grouping the new articles into stories…" in (
            screen_text(app)
        )
        grouping.set_result([])
        since = seen(app).mark()
        await pilot.press("slash", "ctrl+u", "enter")  # the filter cleared: every story
        await answered(app, since)
        await pilot.pause()
        text = screen_text(app)
        assert "grouping" not in text and "No story" not in text and "3 outlets" in text


async def test_the_health_picker_says_who_reported_first_and_how_far_behind(
    tmp_path: Path,
) -> None:
    """H lists, per source, the stories of several outlets it reported first and its median
    lag behind the first report, as `wirewatch sources` does: Yonhap had the deal first,
    Reuters an hour after it, AP two."""
    newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.sources.clear()  # the outlets of the stored stories only
    names = ("Yonhap", "Reuters", "AP", "NHK")
    for name in names:
        config.sources.append(
            Source(name, url=f"https://{name.lower()}.example/feed", enabled=False)
        )
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead)  # read in a thread, then the picker opens
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if " ok " in line]
        rows = {name: next(line for line in lines if f" {name} " in line) for name in names}
        assert "first 1 lag 0s" in rows["Yonhap"]
        assert "first 0 lag 1h" in rows["Reuters"]
        assert "first 0 lag 2h" in rows["AP"]
        assert "first 0 lag -" in rows["NHK"]  # one outlet's story: nothing to lead


async def test_the_health_picker_shows_each_lag_whole_at_80_columns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80 columns the last read's date and time left no room for the lag after it ("lag
    1h…"): the picker says how long ago a source last read, and each row fits."""
    newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.sources.clear()
    names = ("Reuters Business", "Associated Press")  # 16 cells: as wide as a name is shown
    health = {}
    for name in names:
        source = Source(name, url=f"https://{name.split()[0].lower()}.example/feed")
        config.sources.append(source)
        health[name] = SourceHealth(
            name, source.location, status="not-modified", http_status=304, last_ok=FROZEN
        )
    health["Associated Press"].last_ok = FROZEN - timedelta(hours=3)
    HealthBook(tmp_path / "data").save(health)
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, size=(80, 24)) as pilot:
        dashboard = await opened(app, pilot)
        found = {"Reuters Business": Lead(2, 0.0), "Associated Press": Lead(0, 6660.0)}
        monkeypatch.setattr(dashboard.session, "leads", lambda: found)
        await pilot.press("H")
        await seen(app).wait_for(LeadsRead)
        await pilot.pause()
        lines = [line for line in screen_text(app).splitlines() if " lag " in line]
        rows = {name: next(line for line in lines if f" {name} " in line) for name in names}
        assert re.search(r"ok now · first 2 lag 0s\b", rows["Reuters Business"])
        assert re.search(r"ok 3h · first 0 lag 1h51m\b", rows["Associated Press"])


async def test_the_health_picker_opens_when_who_was_first_cannot_be_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The store failing as who was first is read (a shard gone, the server down) keeps the
    sources' health from no one: the picker opens without the leads, and once only when H was
    pressed twice."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)

        def broken() -> dict[str, object]:
            raise StoreError("cannot read: the server closed the connection")

        monkeypatch.setattr(dashboard.session, "leads", broken)
        await pilot.press("H", "H")
        await seen(app).wait_for(LeadsRead)
        await pilot.pause(0.3)
        assert isinstance(app.screen, PickerScreen)
        assert "Source health" in screen_text(app) and "first 0 lag -" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_the_article_pane_names_the_other_outlets_once_the_stories_arrive(
    tmp_path: Path,
) -> None:
    """The article shown before the stories were read (a dashboard just opened), or before a
    cycle brought another outlet into its story, kept its old "also reported by" line until
    the cursor moved: stories read anew read the article shown again."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        shelf = dashboard.session.shelf
        assert shelf is not None
        dashboard.session.shelf = None  # as before the first grouping is read
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1")
        await pilot.pause()
        assert "also reported by" not in screen_text(app)
        since = seen(app).mark()
        dashboard.post_message(StoriesRead(shelf))
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        assert "also reported by Yonhap, AP" in screen_text(app)


async def test_the_article_pane_names_the_other_outlets(tmp_path: Path) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        dashboard.set_filter("source:Reuters")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1")
        await pilot.pause()
        assert "also reported by Yonhap, AP" in screen_text(app)
        since = seen(app).mark()
        dashboard.set_filter("source:NHK")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a3", since=since)
        await pilot.pause()
        assert "also reported by" not in screen_text(app)


async def test_a_revised_headline_is_marked_and_d_shows_the_word_diff(tmp_path: Path) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        lines = screen_text(app).splitlines()
        assert any("+ ~" in line and REVISED_TITLE[:30] in line for line in lines)
        assert not any("+ ~" in line and "Reuters" in line for line in lines)
        since = seen(app).mark()
        dashboard.set_filter("source:AP")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2", since=since)
        await pilot.press("d")
        await seen(app).wait_for(RevisionsRead, since=since)
        await pilot.pause()
        assert isinstance(app.screen, RevisionsScreen)
        shown = screen_text(app)
        assert "1 earlier version" in shown
        title = next(t for t in app.screen.lines if t.plain.startswith("Trump slashes"))
        changed = {title.plain[s.start : s.end]: str(s.style) for s in title.spans}
        assert changed == {"trade deal worth": "strike red", "trade pact": "bold underline green"}
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        since = seen(app).mark()
        dashboard.set_filter("source:Reuters")  # never revised: d says so
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.press("d")
        await seen(app).wait_for(RevisionsRead, since=since)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert "has not changed" in str(list(app._notifications)[-1].message)


def test_word_diff_strikes_removed_words_and_marks_added_ones() -> None:
    from tui.worddiff import word_diff

    text = word_diff(
        "US and Korea near [b]tariff[/b] deal", "US and Korea reach [b]tariff[/b] deal"
    )
    assert text.plain == "US and Korea near reach [b]tariff[/b] deal"
    styled = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert "strike" in styled["near"] and "underline" in styled["reach"]


def test_word_diff_sets_punctuation_apart_and_keeps_paragraphs() -> None:
    """ "fund" → "fund, Lee says" struck out "fund" and added "fund, Lee says"; a full text's
    paragraphs ran together in one block, an added paragraph lost in the middle of it."""
    from tui.worddiff import word_diff

    text = word_diff("Deal on investment fund", "Deal on investment fund, Lee says")
    assert text.plain == "Deal on investment fund, Lee says"
    styled = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert styled == {", Lee says": "bold underline green"}
    text = word_diff(
        "First paragraph.\n\nLast one.", "First paragraph.\n\nUpdate: more.\n\nLast one."
    )
    assert text.plain == "First paragraph.\n\nUpdate: more.\n\nLast one."


def test_word_diff_keeps_words_struck_from_the_start_apart_from_the_rest() -> None:
    """An outlet dropping "Breaking:" showed "Breaking:Tariff talks stall", and a full text
    losing its first paragraph ran it into the next."""
    from tui.worddiff import word_diff

    text = word_diff("Breaking: Tariff talks stall", "Tariff talks stall")
    assert text.plain == "Breaking: Tariff talks stall"
    styled = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert styled == {"Breaking:": "strike red"}
    assert word_diff("Story news2", "news2").plain == "Story news2"
    lost = word_diff("By Jane Doe\n\nThird paragraph.", "Third paragraph.")
    assert lost.plain == "By Jane Doe\n\nThird paragraph."


def test_word_diff_of_a_japanese_headline_marks_the_changed_characters_only() -> None:
    """Japanese is written without spaces: the whole clause up to the next space was struck
    and added again for a change of three characters."""
    from tui.worddiff import word_diff

    text = word_diff("日米首脳会談、関税交渉で合意できず", "日米首脳会談、関税交渉で合意に近づく")
    assert text.plain == "日米首脳会談、関税交渉で合意できずに近づく"
    styled = {text.plain[s.start : s.end]: str(s.style) for s in text.spans}
    assert styled == {"できず": "strike red", "に近づく": "bold underline green"}
    mixed = word_diff("Talks stall in 東京 today", "Talks collapse in 東京 today")
    assert mixed.plain == "Talks stall collapse in 東京 today"


@pytest.mark.parametrize("words", [300, 6000])
def test_word_diff_of_long_texts_takes_away_the_old_words_and_adds_the_new(words: int) -> None:
    """Full texts of thousands of words are compared sentence by sentence, then word by word
    where a sentence changed (a word diff of 20,000 words took 2.7 s, on the screen): the
    words drawn less those struck through are the new text's, less those added the old."""
    import random

    from tui.worddiff import ADDED, REMOVED, word_diff

    rng = random.Random(words)
    vocabulary = [f"w{n}" for n in range(500)] + ["end.", "said."]
    old = [rng.choice(vocabulary) for _ in range(words)]
    new = list(old)
    for _ in range(words // 25):
        place = rng.randrange(len(new))
        match rng.randrange(3):
            case 0:
                new[place] = rng.choice(vocabulary)
            case 1:
                del new[place]
            case _:
                new.insert(place, "inserted")
    text = word_diff(" ".join(old), " ".join(new))

    def without(style: str) -> list[str]:
        kept = list(text.plain)
        for span in text.spans:
            if str(span.style) == style:
                kept[span.start : span.end] = [" "] * (span.end - span.start)
        return "".join(kept).split()

    assert without(REMOVED) == new and without(ADDED) == old
    assert words // 100 < len(text.spans) < words // 5  # the changes, not the whole text


def test_word_diff_of_repetitive_summaries_replaces_what_is_too_long_to_compare() -> None:
    """Two summaries of one repeated pair of words ("a b a b …" against "a c b a c b …")
    took a word diff 27 s at 2,000 words, minutes at 3,000: a run of changed words too long
    to compare in time is shown replaced whole, old words struck, new ones added."""
    from tui.worddiff import ADDED, REMOVED, word_diff

    old, new = ["a", "b"] * 1500, ["a", "c", "b"] * 1000
    text = word_diff(" ".join(old), " ".join(new))
    removed = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == REMOVED]
    added = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == ADDED]
    assert " ".join(removed).split() == old and " ".join(added).split() == new


def test_word_diff_of_a_sentence_said_over_and_over_is_whole_and_correct() -> None:
    """The same sentence a thousand times against another run of sentences: the diff of
    sentences took 8 s (at 2,000 of them, 66 s); quick now, and right."""
    from tui.worddiff import ADDED, REMOVED, word_diff

    old, new = "Ok. " * 3000, "No. " + "Ok. Yes. " * 1500
    text = word_diff(old, new)
    removed = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == REMOVED]
    added = [text.plain[s.start : s.end] for s in text.spans if str(s.style) == ADDED]
    kept = list(text.plain)
    for span in text.spans:
        if str(span.style) == REMOVED:
            kept[span.start : span.end] = [" "] * (span.end - span.start)
    assert "".join(kept).split() == new.split() and removed and added


def test_a_viewer_mends_its_last_shelf_and_makes_it_whole_now_and_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer's shelf after the writer's cycle is its last one mended (see the stories'
    tests); it is made whole again after `WHOLE_SHELF_AFTER`, which shows a headline
    rewritten in a story no article joined or left."""
    from datetime import UTC

    from fetchers.storybook import StoryBook
    from tests.conftest import FROZEN, make, seed_only_config
    from tui import session as session_module
    from tui.session import Session

    asked: list[StoryShelf | None] = []

    def shelf(self, store, pace=False, window=None, last=None, remake=()):  # type: ignore[no-untyped-def]
        asked.append(last)
        return StoryShelf([])

    monkeypatch.setattr(StoryBook, "shelf", shelf)
    with Store(tmp_path / "data", writer=True) as writer:
        writer.add_batch([make(n) for n in range(5)])
        session = Session.open(
            seed_only_config(tmp_path), tmp_path / "data", lambda: FROZEN, UTC, writer=True
        )
        try:
            assert not session.is_writer  # the lock is held: a viewer
            session.shelf = first = session.read_stories()
            session.shelf = session.read_stories()
            monkeypatch.setattr(session_module, "WHOLE_SHELF_AFTER", 0.0)
            session.read_stories()
        finally:
            session.close()
            session.store.close()
    assert asked == [None, first, None]


def test_a_viewer_makes_the_stories_of_renamed_articles_again_until_it_shows_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The articles a reload found renamed are made again in each shelf until one made with
    them is shown: a shelf read and then dropped (a later read asked for meanwhile) would
    otherwise have lost the rename for good."""
    from datetime import UTC

    from fetchers.storybook import StoryBook
    from tests.conftest import FROZEN, make, seed_only_config
    from tui.session import Session

    asked: list[set[str]] = []

    def shelf(self, store, pace=False, window=None, last=None, remake=()):  # type: ignore[no-untyped-def]
        asked.append(set(remake))
        return StoryShelf([])

    monkeypatch.setattr(StoryBook, "shelf", shelf)
    with Store(tmp_path / "data", writer=True) as writer:
        writer.add_batch([make(n, source="Yonhap") for n in range(2)] + [make(5)])
        session = Session.open(
            seed_only_config(tmp_path), tmp_path / "data", lambda: FROZEN, UTC, writer=True
        )
        try:
            assert not session.is_writer
            session.shelf = session.read_stories()
            writer.rename_sources({"Yonhap": "Yonhap English"})
            assert session.reload().renamed == 2
            session.read_stories()  # dropped: never shown
            session.shelf = session.read_stories()
            session.read_stories()
        finally:
            session.close()
            session.store.close()
    renamed = {"Yonhap-0", "Yonhap-1"}
    assert asked == [set(), renamed, renamed, set()]


async def test_a_starred_story_shows_its_unread_reports_and_narrow_rows_keep_the_headline(
    tmp_path: Path,
) -> None:
    """A story starred to follow it still says it has unread reports ("*+", its headline in
    the unread style); read through, it is "*" alone. As the pane narrows the other columns
    give way, and the headline stays, ending in an ellipsis, never cut off by the edge."""
    data = newsroom_data(tmp_path)
    with Store(data, writer=True) as store:
        store.set_state(["a0"], starred=True)
    app = make_app(tmp_path)
    async with piloted(app, (160, 40)) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        rows = [line for line in screen_text(app).splitlines() if "outlet" in line]
        korea = next(line for line in rows if "Korea to 15%" in line)
        assert korea.lstrip("│ ").startswith("*+")
        shelf = dashboard.session.shelf
        assert shelf is not None
        story = shelf.story("a0")
        assert story is not None
        headlines = dashboard.headlines
        for width in (160, 60, 40, 30):
            row = headlines.story_text(story, width, mark="*+")
            assert row.cell_len <= width
            assert row.plain.startswith("*+")
            assert story.title[:6] in row.plain  # the headline, whatever else gave way
            if width < 100:
                assert row.plain.rstrip().endswith("…")
        wide = headlines.story_text(story, 160, mark="*+").plain
        assert "3 outlets" in wide and "first" in wide
        narrow = headlines.story_text(story, 40, mark="*+").plain
        assert "outlet" not in narrow and "first" not in narrow
        assert headlines.story_text(story, 160, mark="*").plain.startswith("* ")


async def test_a_storys_timeline_says_who_was_first_before_its_headline(tmp_path: Path) -> None:
    """The timeline's title line puts the outlets and who was first before the headline (a
    narrow screen cuts the end), and its hint names the key in force for the word diff."""
    newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.keys["timeline.revisions"] = "D"
    app = make_app(tmp_path, config)
    async with piloted(app, (80, 24)) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await to_row(pilot, dashboard.headlines, korea_id or "")
        await open_timeline(app, pilot)
        assert isinstance(app.screen, StoryTimelineScreen)
        shown = screen_text(app)
        assert "3 outlets · 3 articles · first Yonhap, 5h ago · " in shown
        assert "(D shows how)" in shown


async def test_a_storys_timeline_widens_its_outlets_names_with_the_terminal(
    tmp_path: Path,
) -> None:
    """The timeline's name column was set once, as it opened: opened at 60 columns, its
    outlets stayed "Korea Joo…" on a terminal widened to 160."""
    names = ["Korea JoongAng Daily", "The Korea Herald", "Associated Press"]
    items = [
        article(n, name, *row[1:]) for n, (name, row) in enumerate(zip(names, EVENT, strict=True))
    ]
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch(items)
        StoryBook(data).update(store, [a.id for a in items], removed=False)
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app, (60, 24)) as pilot:
        await seen(app).wait_for(StoriesRead)
        await settle(app, pilot, want=3)
        dashboard = await story_rows(app, pilot)
        ours = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await to_row(pilot, dashboard.headlines, ours or "")
        await open_timeline(app, pilot)
        assert isinstance(app.screen, StoryTimelineScreen)
        assert "Korea Joo…" in screen_text(app)
        await pilot.resize_terminal(160, 40)

        def widened() -> bool:
            rows = [line for line in screen_text(app).splitlines() if "Trump announces" in line]
            return any("Korea JoongAng Daily" in row for row in rows)

        await until(pilot, widened)


async def test_n_over_stories_moves_to_the_next_story_holding_an_unread_article(
    tmp_path: Path,
) -> None:
    """`n` over story rows passes over a story whose articles are all read."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        headlines = dashboard.headlines
        await pilot.press("g")  # (S landed on the story of the headline it left)
        await pilot.pause()
        rows = list(headlines.ids)
        assert len(rows) >= 3 and headlines.cursor == 0
        second = headlines.stories.by_id[rows[1]]  # type: ignore[union-attr]
        dashboard.session.store.set_state(second.articles, read=True)
        await pilot.press("n")
        await until(pilot, lambda: headlines.cursor == 2)


async def test_a_viewer_shows_a_source_the_writer_renamed_on_its_stories_and_first_reports(
    tmp_path: Path,
) -> None:
    """The writer renamed Yonhap (the config did) while a viewer showed its stories: the
    viewer's story row, its first report and the health picker's count of first reports
    take the new name at its next look at the store, with no article joining the story
    (they kept the old name until one did)."""
    data = newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.sources.clear()
    for name in ("Yonhap English", "Reuters", "AP", "NHK"):
        config.sources.append(
            Source(name, url=f"https://{name.split()[0].lower()}.example/feed", enabled=False)
        )
    with Store(data, writer=True) as writer:
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await opened(app, pilot)
            assert not dashboard.session.is_writer
            await story_rows(app, pilot)
            korea = next(line for line in screen_text(app).splitlines() if "3 outlets" in line)
            assert " Yonhap " in korea
            since = seen(app).mark()
            renamed = writer.rename_sources({"Yonhap": "Yonhap English"})
            assert renamed == ["a0"]
            await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.revised > 0, since=since)

            def korea_row() -> str:
                rows = screen_text(app).splitlines()
                return next((line for line in rows if "3 outlets" in line), "")

            await until(pilot, lambda: "Yonhap English" in korea_row())
            korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
            await to_row(pilot, dashboard.headlines, korea_id or "")
            await open_timeline(app, pilot)
            assert "first Yonhap English," in screen_text(app)
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("H")
            await seen(app).wait_for(LeadsRead, since=since)
            await pilot.pause()
            lines = [line for line in screen_text(app).splitlines() if " lag " in line]
            assert "first 1 lag 0s" in next(line for line in lines if " Yonhap English " in line)


async def test_a_viewer_shows_a_headline_the_writer_revised_on_its_story_row(
    tmp_path: Path,
) -> None:
    """Reuters rewrote its headline (a revision under the same guid), the story's title,
    while a viewer showed its stories: the viewer's story row shows the new headline at its
    next look at the store, with no article joining or leaving the story (it kept the old
    one until its stories were made whole)."""
    from fetchers.storybook import StoryBook

    data = newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    new_title = "Trump Cuts Tariffs on South Korea to 15% After $350B Investment Deal"
    with Store(data, writer=True) as writer:
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            dashboard = await opened(app, pilot)
            assert not dashboard.session.is_writer
            await story_rows(app, pilot)

            def korea_row() -> str:
                rows = screen_text(app).splitlines()
                return next((line for line in rows if "3 outlets" in line), "")

            assert "Trump Lowers Tariffs on Korea" in korea_row()
            since = seen(app).mark()
            revised = article(1, *EVENT[1])
            revised.title = new_title
            revised.fetched = FROZEN - timedelta(minutes=30)
            writer.add_batch([revised])
            StoryBook(data).update(writer, [], removed=False, revised=["a1"])  # its cycle's
            remade = StoryBook(data).shelf(writer).story("a1")  # the stories made whole
            assert remade is not None and remade.title == new_title
            await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.revised > 0, since=since)
            await until(pilot, lambda: "Trump Cuts Tariffs on South Korea" in korea_row())
            assert "Trump Lowers Tariffs on Korea" not in korea_row()


async def test_the_open_health_picker_counts_first_reports_anew_as_the_stories_change(
    tmp_path: Path,
) -> None:
    """H open in a viewer as the writer renames Yonhap: the first reports move to the new
    name in place, the highlight kept on its row."""
    data = newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.sources.clear()
    for name in ("Yonhap English", "Reuters", "AP", "NHK"):
        config.sources.append(
            Source(name, url=f"https://{name.split()[0].lower()}.example/feed", enabled=False)
        )
    with Store(data, writer=True) as writer:
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app) as pilot:
            await opened(app, pilot)
            await pilot.press("H")
            await seen(app).wait_for(LeadsRead)
            await pilot.pause()
            picker = app.screen
            assert isinstance(picker, PickerScreen)

            def yonhap_row() -> str:
                rows = screen_text(app).splitlines()
                return next(line for line in rows if " Yonhap English " in line and " lag " in line)

            assert "first 0 lag -" in yonhap_row()
            writer.rename_sources({"Yonhap": "Yonhap English"})
            await until(pilot, lambda: "first 1 lag 0s" in yonhap_row())
            assert app.screen is picker
            listed = picker.query_one(OptionList)
            assert listed.highlighted == 0


async def on_the_korea_story(
    app: WirewatchApp, pilot: Pilot[None]
) -> tuple[DashboardScreen, Story]:
    """The dashboard in story rows, the highlight on the story of `newsroom_data`'s three
    Korea reports; (the dashboard, that story)."""
    await opened(app, pilot)
    dashboard = await story_rows(app, pilot)
    shelf = dashboard.session.shelf
    assert shelf is not None
    korea = shelf.story("a0")
    assert korea is not None and len(korea.articles) == 3
    await to_row(pilot, dashboard.headlines, korea.id)
    await pilot.pause()
    return dashboard, korea


async def test_m_on_a_story_row_marks_every_article_of_the_story(tmp_path: Path) -> None:
    """`m` on a story row marked the article the pane showed (its first report) alone: it
    marks the story's articles read, all unread once all are read, and says so."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.read_after = 3600  # only the key marks
    async with piloted(app) as pilot:
        dashboard, korea = await on_the_korea_story(app, pilot)
        store = dashboard.session.store
        assert store.unread(korea.articles) == set(korea.articles)
        since = seen(app).mark()
        await pilot.press("m")
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        assert store.unread([*korea.articles, "a3"]) == {"a3"}  # the other story's stays
        assert "Marked the story's 3 articles read." in notes(app)
        row = next(line for line in screen_text(app).splitlines() if "3 outlets" in line)
        assert not row.lstrip("│ ").startswith("+")
        since = seen(app).mark()
        await pilot.press("m")  # every one read: all unread again
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        assert store.unread(korea.articles) == set(korea.articles)
        assert "Marked the story's 3 articles unread." in notes(app)


async def test_star_on_a_story_row_on_a_full_disk_says_so_once_and_holds_the_stars(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`*` on a story row went around the marks' refusal: a full disk gave a raw error toast
    at each press, the row's `*` was not drawn and the stars were never said to be unsaved.
    As for one article: said once, shown, held."""
    import errno
    import os

    from fetchers.store import marks

    def full_disk(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(marks, "atomic_write_bytes", full_disk)
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys mark
    async with piloted(app) as pilot:
        dashboard, korea = await on_the_korea_story(app, pilot)
        since = seen(app).mark()
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        said = notes(app)
        assert said.count("cannot be saved") == 1 and "Error" not in said, said
        store = dashboard.session.store
        assert {r.id for r in store.records(list(korea.articles)) if r.starred} == set(
            korea.articles
        )
        assert dashboard.session.marks_refused is not None  # said again at quitting


async def test_star_on_a_story_row_stars_every_article_of_the_story(tmp_path: Path) -> None:
    """`*` on a story row starred the article the pane showed (its first report) alone: it
    stars the story's articles, unstars them all once all are starred, says so, and the
    row's `*` follows."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys mark
    async with piloted(app) as pilot:
        dashboard, korea = await on_the_korea_story(app, pilot)
        store = dashboard.session.store

        def starred() -> set[str]:
            return {r.id for r in store.records([*korea.articles, "a3"]) if r.starred}

        def korea_row() -> str:
            return next(line for line in screen_text(app).splitlines() if "3 outlets" in line)

        assert starred() == set()
        since = seen(app).mark()
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        assert starred() == set(korea.articles)  # the other story's stays unstarred
        assert "Starred the story's 3 articles." in notes(app)
        assert korea_row().lstrip("│ ").startswith("*")
        since = seen(app).mark()
        await pilot.press("asterisk")  # every one starred: all unstarred
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        assert starred() == set()
        assert "Unstarred the story's 3 articles." in notes(app)
        assert not korea_row().lstrip("│ ").startswith("*")


def notes(app: WirewatchApp) -> str:
    """Every notification shown so far, one a line."""
    return "\n".join(str(n.message) for n in app._notifications)


async def test_a_viewers_unread_stories_count_those_another_process_read_no_longer(
    tmp_path: Path,
) -> None:
    """A viewer's unread story rows while another process reads articles: a story read
    through there lost its "+" but the count stayed ("4 of 17 stories" with 3 unread), and
    `A` offered to mark them all. A story counts as long as an article of it is unread, and
    no longer once every one is read, whichever process read them."""
    from fetchers.storybook import StoryBook

    data = newsroom_data(tmp_path)
    with Store(data, writer=True) as writer:
        wire = [make(n) for n in range(3)]  # three more rows, one story of theirs
        writer.add_batch(wire)
        StoryBook(data).update(writer, [a.id for a in wire], removed=False)
        app = make_app(tmp_path, seed_only_config(tmp_path), poll=False)
        app.read_after = 3600  # only the keys mark
        async with piloted(app) as pilot:
            dashboard = await opened(app, pilot)
            assert not dashboard.session.is_writer
            await story_rows(app, pilot)
            since = seen(app).mark()
            await pilot.press("u")
            await answered(app, since)
            await pilot.pause()
            headlines = dashboard.headlines
            shelf = headlines.stories
            assert shelf is not None
            listed = list(headlines.ids)
            korea = shelf.story_of("a0")
            single = shelf.story_of("a3")  # (the hard negative: a story of its own)
            assert korea is not None and single is not None and {korea, single} <= set(listed)
            korea_articles = sorted(shelf.by_id[korea].articles)
            assert len(korea_articles) == 3

            def counts(unread: int) -> bool:
                status = str(app.screen.query_one("#status").render())
                return f"(unread only) ─ {unread} of " in status

            assert counts(len(listed))
            writer.set_state([*korea_articles[:2], "a3"], read=True)  # elsewhere
            await until(pilot, lambda: counts(len(listed) - 1))  # Korea has one unread still
            writer.set_state(korea_articles[2:], read=True)
            await until(pilot, lambda: counts(len(listed) - 2))
            assert {korea, single} <= set(headlines.ids)  # still listed, until the next list
            await pilot.press("A")
            await until(pilot, lambda: "again to mark the" in notes(app))
            assert f"Press A again to mark the {len(listed) - 2} stories listed read." in notes(app)


@pytest.mark.parametrize("read_after", [None, 3600.0], ids=["never", "an hour"])
async def test_enter_on_a_timelines_article_reads_it_as_enter_on_its_headline_does(
    tmp_path: Path, read_after: float | None
) -> None:
    """enter on a story's article read it only after `read_after` (with "never", not at all:
    the story kept its `+` and `n` kept landing on it), while enter on its headline reads it
    at once: enter reads it, from either."""
    newsroom_data(tmp_path)
    config = seed_only_config(tmp_path)
    config.settings.read_after = read_after
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        dashboard, _ = await on_the_korea_story(app, pilot)
        store = dashboard.session.store
        assert store.unread(["a1"]) == {"a1"}
        await open_timeline(app, pilot)
        since = seen(app).mark()
        await pilot.press("j", "enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == ["a1"], since=since)
        assert store.unread(["a1"]) == set()


def _timeline_desk(tmp_path: Path) -> tuple[WirewatchApp, dict[str, Path]]:
    """A polling dashboard of four outlets' feeds (files): Yonhap, Reuters and AP with the
    event's reports, the Korea Herald with none yet; (the app, each outlet's feed file)."""
    feeds = {name: tmp_path / f"{name.split()[-1].lower()}.xml" for name in OUTLETS}
    for (name, title, summary, hours_ago), feed in zip(EVENT, list(feeds.values()), strict=False):
        feed.write_bytes(rss(_item(name, title, summary, hours_ago)))
    feeds["Korea Herald"].write_bytes(rss())
    config = config_for(tmp_path, *(Source(name, path=str(feed)) for name, feed in feeds.items()))
    return make_app(tmp_path, config), feeds


OUTLETS = ["Yonhap", "Reuters", "AP", "Korea Herald"]


def _item(source: str, title: str, summary: str, hours_ago: float) -> str:
    when = format_datetime(FROZEN - timedelta(hours=hours_ago), usegmt=True)
    return story_item(f"{source}-1", title, summary, when)


async def _polled_timeline(app: WirewatchApp, pilot: Pilot) -> StoryTimelineScreen:
    """The timeline of the story of the first poll's three reports, Reuters' highlighted."""
    await seen(app).wait_for(
        StoriesRead, lambda m: any(len(s.articles) == 3 for s in m.shelf.stories)
    )
    await settle(app, pilot, want=3)
    await story_rows(app, pilot)
    await open_timeline(app, pilot)
    timeline = app.screen
    assert isinstance(timeline, StoryTimelineScreen)
    assert "3 outlets · 3 articles · first Yonhap" in screen_text(app)
    await pilot.press("j")
    await pilot.pause()
    return timeline


def _timeline_rows(app: WirewatchApp) -> list[str]:
    return [line for line in screen_text(app).splitlines() if "Trump" in line and "-24 " in line]


def _highlighted(timeline: PickerScreen) -> str | None:
    listed = timeline.query_one(OptionList)
    assert listed.highlighted is not None
    return listed.get_option_at_index(listed.highlighted).id


def _the_feeds_move_on(feeds: dict[str, Path]) -> None:
    """The Korea Herald carries Yonhap's report, dated before it; Reuters revises its
    headline."""
    _, title, summary, _ = EVENT[0]
    feeds["Korea Herald"].write_bytes(rss(_item("Korea Herald", title, summary, 6.0)))
    _, _, summary, hours_ago = EVENT[1]
    feeds["Reuters"].write_bytes(rss(_item("Reuters", REUTERS_REVISED, summary, hours_ago)))


REUTERS_REVISED = "Trump Cuts Tariffs on South Korea to 15% After $350B Investment Deal"


async def test_an_open_timeline_follows_a_poll_its_highlight_on_the_same_article(
    tmp_path: Path,
) -> None:
    """A poll brought the story a fourth outlet's report and revised Reuters' headline while
    its timeline was open: the row behind said "4 outlets", the timeline kept its 3 rows and
    the old headline. It follows the poll in place, the highlight still on Reuters'."""
    app, feeds = _timeline_desk(tmp_path)
    async with piloted(app) as pilot:
        timeline = await _polled_timeline(app, pilot)
        reuters = _highlighted(timeline)
        assert len(_timeline_rows(app)) == 3
        _the_feeds_move_on(feeds)
        since = seen(app).mark()
        dash(app).action_refresh()  # (as a poll that comes due does)
        await seen(app).wait_for(CycleDone, lambda m: bool(m.new_ids), since=since)
        await until(
            pilot, lambda: "4 outlets · 4 articles · first Korea Herald" in screen_text(app)
        )
        await until(pilot, lambda: len(_timeline_rows(app)) == 4)
        assert app.screen is timeline
        rows = _timeline_rows(app)
        assert "Korea Herald" in rows[0]  # first reported first
        reuters_row = next(row for row in rows if "Reuters" in row)
        assert "~ " + REUTERS_REVISED[:40] in reuters_row
        assert _highlighted(timeline) == reuters


async def test_the_refresh_key_in_force_polls_from_a_timeline(tmp_path: Path) -> None:
    """`r` in a story's timeline did nothing: the key that refreshes the dashboard (here
    remapped) polls from the timeline too, which then follows the poll."""
    app, feeds = _timeline_desk(tmp_path)
    app.config.keys["poll.refresh"] = "f5"
    async with piloted(app) as pilot:
        await _polled_timeline(app, pilot)
        _the_feeds_move_on(feeds)
        since = seen(app).mark()
        await pilot.press("f5")
        await seen(app).wait_for(CycleDone, lambda m: bool(m.new_ids), since=since)
        await until(pilot, lambda: len(_timeline_rows(app)) == 4)
        assert isinstance(app.screen, StoryTimelineScreen)


async def test_a_timelines_own_key_wins_over_the_refresh_it_holds_as_well(tmp_path: Path) -> None:
    """A [keys] of `picker.close = "r"` loaded before the timeline held the refresh key too:
    it still loads, and "r" there closes the timeline, polling nothing."""
    check_keymap({"picker.close": "r"})  # (no KeymapError: the config loads)
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.config.keys["picker.close"] = "r"
    refreshed: list[bool] = []
    async with piloted(app) as pilot:
        dashboard, _ = await on_the_korea_story(app, pilot)
        dashboard.action_refresh = lambda: refreshed.append(True)  # type: ignore[method-assign]
        await open_timeline(app, pilot)
        assert isinstance(app.screen, StoryTimelineScreen)
        await pilot.press("r")
        await until(pilot, lambda: app.screen is dashboard)
        assert refreshed == []


async def test_escape_from_a_timelines_article_goes_back_to_the_timeline_on_that_article(
    tmp_path: Path,
) -> None:
    """At 80x24, reading a story's articles in turn: escape from one opened from the story's
    timeline went to the story list, and the timeline opened again on its first row (j
    pressed again and again for each next article). Escape goes back to the timeline, and
    the timeline opens again on the article last opened from it."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app, (80, 24)) as pilot:
        dashboard, _ = await on_the_korea_story(app, pilot)
        await open_timeline(app, pilot)
        since = seen(app).mark()
        await pilot.press("j", "j", "enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a2", since=since)
        await pilot.pause()
        assert app.screen is dashboard and dashboard.reading  # the article over the list
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StoryTimelineScreen))
        assert _highlighted(app.screen) == "a2"  # type: ignore[arg-type]
        assert not dashboard.reading  # closed: the timeline's escape goes to the stories
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dashboard)
        assert not dashboard.reading and dashboard.headlines.story_rows
        await open_timeline(app, pilot)
        assert _highlighted(app.screen) == "a2"  # type: ignore[arg-type]
        since = seen(app).mark()
        await pilot.press("k", "enter")  # another, and escape goes back on it
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, StoryTimelineScreen))
        assert _highlighted(app.screen) == "a1"  # type: ignore[arg-type]


async def test_s_lands_on_the_story_of_the_article_left_and_back_on_that_article(
    tmp_path: Path,
) -> None:
    """At 80x24, `S` on an article of a story low in the list highlighted the first story,
    and `S` back the first headline. `S` lands on the article's story (the article still
    shown), and back on that article; from a story it was not in, on that story's first
    article listed."""
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    app.read_after = 3600  # (nothing read meanwhile: the rows stay as they are)
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await opened(app, pilot)
        headlines = dashboard.headlines
        row = headlines.ids.index("a1")
        assert row > 1
        await pilot.press(*["j"] * (row - headlines.cursor))
        await pilot.pause()
        assert headlines.current_id == "a1"
        await story_rows(app, pilot)
        shelf = headlines.stories
        assert shelf is not None and headlines.current_id == shelf.story_of("a1")
        assert headlines.cursor > 0
        assert dashboard.article_view.wanted == "a1"  # the article left, not the first report
        since = seen(app).mark()
        await pilot.press("S")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        assert headlines.current_id == "a1"
        await story_rows(app, pilot)
        await pilot.press("k")  # NHK's story, which a1 is not in
        await pilot.pause()
        assert headlines.current_id == shelf.story_of("a3")
        since = seen(app).mark()
        await pilot.press("S")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        assert headlines.current_id == "a3"


def _made_up_word(number: int) -> str:
    """A word of its own for each number below 400 (no two headlines share one: one story
    each, not one of them all)."""
    consonants, vowels = "bcdfghjklmnpqrstvwxz", "aeiou"
    return consonants[number % 20] + vowels[number % 5] + consonants[number // 20] + "or"


async def test_s_both_ways_lands_with_the_highlighted_row_in_view(tmp_path: Path) -> None:
    """The wheel scrolled the headlines away from the highlighted newest one: `S` opened the
    stories scrolled as far from the highlighted story, and `S` back showed in the article
    pane an article whose row was off screen. Each way lands with the highlighted row in
    view."""
    data = tmp_path / "data"
    items = [
        Article(
            id=f"{source}-{n}",
            source=source,
            title=" ".join(_made_up_word(4 * n + k) for k in range(4)),
            link=f"https://{source.lower()}.example/{n}",
            published=FROZEN - timedelta(minutes=2 * n + outlet),
            fetched=FROZEN - timedelta(minutes=2 * n + outlet),
        )
        for n in range(40)
        for outlet, source in enumerate(("Wire", "Post"))
    ]
    with Store(data, writer=True) as store:
        store.add_batch(items)
        StoryBook(data).update(store, [a.id for a in items], removed=False)
    app = make_app(tmp_path, poll=False)
    app.read_after = 3600
    async with piloted(app, (120, 36)) as pilot:
        await seen(app).wait_for(StoriesRead)
        dashboard = await settle(app, pilot, want=len(items))
        headlines = dashboard.headlines

        def in_view() -> bool:
            top, height = int(headlines.scroll_y), headlines.scrollable_content_region.height
            return top <= headlines.cursor < top + height

        async def wheel_down() -> None:
            await pilot._post_mouse_events([events.MouseScrollDown], "#headlines", (20, 5))

        await pilot.press("g")
        for _ in range(10):
            await wheel_down()
        assert not in_view()
        shown = dashboard.article_view.wanted
        await story_rows(app, pilot)
        assert len(headlines.ids) > 2 * headlines.scrollable_content_region.height
        assert headlines.current_story is not None and shown in headlines.current_story.articles
        assert in_view()
        for _ in range(10):
            await wheel_down()
        assert not in_view()
        since = seen(app).mark()
        await pilot.press("S")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        assert headlines.current_id == shown == dashboard.article_view.wanted
        assert in_view()


FORTY_OUTLETS = [f"Outlet {n:02d}" for n in range(1, 41)]


def big_story_data(tmp_path: Path) -> None:
    """Yonhap's report of the event, and 40 outlets' after it: one story of 41 outlets."""
    data = tmp_path / "data"
    items = [article(0, *EVENT[0])]
    items += [
        article(n, name, EVENT[1][1], EVENT[1][2], 4.0 - n / 60)
        for n, name in enumerate(FORTY_OUTLETS, 1)
    ]
    with Store(data, writer=True) as store:
        store.add_batch(items)
        StoryBook(data).update(store, [a.id for a in items], removed=False)


async def test_the_other_outlets_of_a_big_story_take_two_lines_of_the_article_pane(
    tmp_path: Path,
) -> None:
    """A story of 41 outlets: its first report's "also reported by" names those that fit in
    two lines and counts the rest ("and 29 more"), and the article's text follows it on an
    80x30 screen (every name took 8 of the pane's 26 lines); the story's timeline lists them
    all."""
    big_story_data(tmp_path)
    outlets = FORTY_OUTLETS
    app = make_app(tmp_path)
    async with piloted(app, size=(80, 30)) as pilot:
        await open_the_timeline_of_a0(app, pilot)
        listed = " ".join(label.plain for _, label in app.screen.options)
        assert sorted(set(re.findall(r"Outlet \d\d", listed))) == outlets  # every one
        since = seen(app).mark()
        await pilot.press("enter")  # on the first report, Yonhap's
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0", since=since)
        await pilot.pause()
        screen = screen_text(app)
        lines = [line for line in screen.splitlines() if "Outlet " in line]
        assert lines and "also reported by Outlet 01, Outlet 02" in lines[0]
        assert len(lines) <= 2
        more = re.search(r"and (\d+) more", lines[-1])
        assert more is not None
        named = re.findall(r"Outlet \d\d", " ".join(lines))
        assert len(named) + int(more.group(1)) == 40
        assert "South Korean products will be subject" in screen  # the text, on screen


async def test_a_big_storys_timeline_title_counts_its_articles_and_what_a_find_holds(
    tmp_path: Path,
) -> None:
    """The timeline's title says how many articles the story has, and with `/` how many rows
    hold the words typed, whole at 160 columns: the headline is cut short for them (it came
    first and the count was cut at "40 of …")."""
    big_story_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app, size=(160, 50)) as pilot:
        await open_the_timeline_of_a0(app, pilot)
        assert "41 outlets · 41 articles · first Yonhap" in screen_text(app)
        await pilot.press("slash", *"outlet 0")
        timeline = app.screen
        await until(pilot, lambda: timeline.finding == "outlet 0")
        await pilot.pause()
        title = next(line for line in screen_text(app).splitlines() if "41 articles" in line)
        assert "41 outlets · 41 articles · first Yonhap" in title
        assert re.search(r"find “outlet 0”: \d+ of 41$", title.rstrip(" │"))
        assert "…" in title  # the headline, cut short


async def test_an_article_its_feed_took_down_is_marked_in_the_timeline_pane_and_headlines(
    tmp_path: Path,
) -> None:
    """Reuters' report, taken down by its feed, is marked × in its story's timeline (whose
    footer says what × means), the article pane says when its feed dropped it, and its
    headline row carries the × where a revised one has its ~."""
    data = newsroom_data(tmp_path)
    pulled = FROZEN - timedelta(minutes=30)
    with Store(data, writer=True) as store:
        assert store.mark_pulled({"a1": pulled.timestamp()}) == ["a1"]
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await to_row(pilot, dashboard.headlines, korea_id or "")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0")
        await pilot.pause()
        assert "Pulled from its feed" not in screen_text(app)  # Yonhap's stands
        await open_timeline(app, pilot)
        timeline = screen_text(app)
        reuters = next(line for line in timeline.splitlines() if "Reuters" in line)
        assert "Reuters × Trump Lowers Tariffs" in re.sub(" +", " ", reuters)
        assert "× pulled from its feed" in timeline
        assert not any("×" in line for line in timeline.splitlines() if "Yonhap" in line)
        since = seen(app).mark()
        await pilot.press("down", "enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        at = pulled.astimezone(dashboard.session.local)
        assert f"Pulled from its feed at {at:%H:%M}" in screen_text(app)
        await pilot.press("S")  # back to the headlines
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        rows = screen_text(app).splitlines()
        assert any("×" in line and "Trump Lowers Tariffs" in line for line in rows)
        assert not any("×" in line and "Yonhap" in line for line in rows)
