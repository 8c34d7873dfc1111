"""The dashboard's stories: the headlines pane switched to one row per story across outlets,
a story's articles in time order, `story:` and `outlets:` in the filter prompt, the article
pane's other outlets, and the mark and word diff of a headline its source revised."""

from __future__ import annotations

from pathlib import Path

from textual.pilot import Pilot

from tests.conftest import (
    REVISED_TITLE,
    dash,
    make_app,
    newsroom_data,
    piloted,
    screen_text,
    seen,
    settle,
)
from tui.app import WirewatchApp
from tui.messages import MarksChanged, QueryDone, RevisionsRead, StoriesRead
from tui.screens.dashboard import DashboardScreen
from tui.screens.picker import PickerScreen
from tui.screens.revisions import RevisionsScreen
from tui.widgets.article import ArticleView


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
        rows = [line for line in screen_text(app).splitlines() if "outlet" in line]
        korea = next(line for line in rows if "Korea to 15%" in line)
        assert "3 outlets" in korea and "Yonhap" in korea and "first 5h ago" in korea
        japan = next(line for line in rows if "Japan" in line)
        assert "1 outlet " in japan and "NHK" in japan  # the hard negative stays apart
        # newest activity first: NHK's report (2 h ago) is newer than AP's (3 h ago)
        assert rows.index(japan) < rows.index(korea)
        korea_id = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        await pilot.press(*["down"] * headlines.ids.index(korea_id or ""))
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a0")
        await pilot.pause()
        assert "also reported by Reuters, AP" in screen_text(app)  # its first report
        await pilot.press("enter")
        await pilot.pause()
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


async def test_story_rows_look_up_their_articles_once_until_a_mark_changes(
    tmp_path: Path,
) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await opened(app, pilot)
        dashboard = await story_rows(app, pilot)
        headlines = dashboard.headlines
        source = headlines._source
        asked: list[str] = []
        looked_up = source.record

        def counted(ident: str):  # type: ignore[no-untyped-def]
            asked.append(ident)
            return looked_up(ident)

        source.record = counted  # type: ignore[method-assign]
        for _ in range(3):  # repaints: the rows' marks are kept
            headlines.refresh()
            await pilot.pause()
        assert "outlets" in screen_text(app) and asked == []
        korea = dashboard.session.shelf.story("a0")  # type: ignore[union-attr]
        assert korea is not None
        line = next(x for x in screen_text(app).splitlines() if "3 outlets" in x)
        assert line.lstrip("│ ").startswith("+")  # unread
        since = seen(app).mark()
        dashboard._set_marks(list(korea.articles), read=True)
        await seen(app).wait_for(MarksChanged, since=since)
        await pilot.pause()
        assert sorted(set(asked)) == sorted(korea.articles)  # only that story's, once more
        line = next(x for x in screen_text(app).splitlines() if "3 outlets" in x)
        assert not line.lstrip("│ ").startswith("+")


async def test_outlets_and_story_filters_work_in_the_prompt(tmp_path: Path) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await opened(app, pilot)
        since = seen(app).mark()
        await pilot.press("slash", *"outlets:>=2", "enter")
        done = await seen(app).wait_for(QueryDone, since=since)
        assert sorted(done.matches.ids) == ["a0", "a1", "a2"]
        story = dashboard.session.shelf.story_of("a0")  # type: ignore[union-attr]
        since = seen(app).mark()
        await pilot.press("slash", "ctrl+u", *f"story:{story} -source:AP", "enter")
        done = await seen(app).wait_for(QueryDone, since=since)
        assert sorted(done.matches.ids) == ["a0", "a1"]
        dashboard = await story_rows(app, pilot)  # a story shows when one article matches
        assert len(dashboard.headlines.ids) == 1
        assert "3 outlets" in screen_text(app)


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
        assert any("+~" in line and REVISED_TITLE[:30] in line for line in lines)
        assert not any("+~" in line and "Reuters" in line for line in lines)
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
