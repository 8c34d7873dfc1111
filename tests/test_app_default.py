"""The embedded default as a newcomer sees it: the story first, related headlines undated and
untagged, and saved filters that find the story by its text."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from tests.apps import make_app
from tests.test_app import screen_text, settle
from tui.screens.help import HelpScreen

STORY = "S. Korea, US remain far apart on key sticking points"


async def test_the_story_leads_and_its_related_headlines_are_undated(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        assert app.store is not None
        first = app.store.get(app.headlines.ids[0])
        assert first is not None and first.title.startswith(STORY)
        assert STORY in screen_text(app)
        rows = [app.store.get(ident) for ident in app.headlines.ids]
        hybe = next(a for a in rows if a is not None and a.title == "Hybe partners with LAFC")
        row = app.headlines.row_text(hybe, 120).plain
        assert "now" not in row.split("Yonhap")[0] and "—" in row  # no date of its own
        assert app.countdown.matches["APEC Economic Leaders' Meeting, Gyeongju"] == 1
        await pilot.press("j")  # the first related headline, in the article pane
        await settle(app, pilot)
        pane = screen_text(app)
        assert "undated" in pane
        assert "apec" not in pane.split("tags:", 1)[1].split("\n", 1)[0]


async def test_saved_filter_two_finds_the_story_by_its_text(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("2")  # APEC OR Gyeongju OR summit: in the story's text only
        await settle(app, pilot)
        assert app.matching == 1
        assert app.store is not None
        shown = app.store.get(app.headlines.ids[0])
        assert shown is not None and shown.title.startswith(STORY)
        app.set_filter("title:Gyeongju")
        await settle(app, pilot)
        assert app.matching == 0
        await pilot.press("question_mark")  # `?` says where words are looked for
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one(Static).content)
        shown_help = console.export_text()
        assert "in the title, summary or full text" in shown_help
        assert "title:tariff" in shown_help
