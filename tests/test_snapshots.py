"""SVG snapshots of the dashboard, organised by feature (textual is pinned exactly)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from pytest_textual_snapshot import normalize_svg
from textual.pilot import Pilot
from textual.widgets import Input

from bench.screenshot import SIZE, draw, screenshot_app, when_loaded
from fetchers.alerthistory import AlertHistory
from fetchers.alertrules import RuleBook, make_rule
from fetchers.store import Store
from tests.conftest import (
    FROZEN,
    HOSTILE,
    make_app,
    newsroom_data,
    screen_text,
    seed_only_config,
    until,
)
from tui.screens.alerts import AlertsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.revisions import RevisionsScreen

DOCS_SCREENSHOT = Path(__file__).resolve().parent.parent / "docs" / "screenshot.svg"


class TestLayout:
    def test_wide_160x50(self, snap_compare, tmp_path: Path) -> None:
        app = make_app(tmp_path)
        app.read_after = 3600
        assert snap_compare(app, terminal_size=(160, 50), run_before=when_loaded)

    def test_narrow_80x24(self, snap_compare, tmp_path: Path) -> None:
        app = make_app(tmp_path)
        app.read_after = 3600
        assert snap_compare(app, terminal_size=(80, 24), run_before=when_loaded)


class TestOverlays:
    def test_help_screen(self, snap_compare, tmp_path: Path) -> None:
        app = make_app(tmp_path)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            await pilot.press("question_mark")
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(100, 40), run_before=run_before)

    def test_filter_prompt_with_error(self, snap_compare, tmp_path: Path) -> None:
        app = make_app(tmp_path)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            await pilot.press("slash")
            for field in pilot.app.screen.query(Input):  # its cursor drawn whatever the time
                field.cursor_blink = False
            await pilot.press(*"since:soon", "enter")
            await until(pilot, lambda: "neither a duration" in screen_text(pilot.app))
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(160, 50), run_before=run_before)


class TestAlerts:
    def test_alerts_screen(self, snap_compare, tmp_path: Path) -> None:
        """What fired (a hostile title stays plain text), a config rule, an app rule muted,
        the watch terms, each with its mentions per hour. No rule matches the seed articles
        the app's own poll stores, so nothing else fires while the screen is taken."""
        data = tmp_path / "data"
        config = seed_only_config(tmp_path)
        config.alerts = [
            make_rule(
                {"name": "Hostile wire", "query": "title:Hostile", "notify": ["terminal", "bell"]},
                FROZEN,
            )
        ]
        book = RuleBook(data)
        book.set_muted(book.add({"name": "Lutnick", "query": "Lutnick"}, FROZEN), True)
        fired = [
            {"alert": "Hostile wire", "rule": "config:Hostile wire", "kind": "match",
             "article": None, "title": title, "source": "Hostile", "at": FROZEN, "link": None,
             "notify": ("terminal",)}
            for title in HOSTILE
        ] + [
            {"alert": "tariff", "rule": "watch:tariff", "kind": "spike", "article": None,
             "title": "tariff: 7 mentions this hour (usually 0.4 an hour)", "source": None,
             "at": FROZEN, "link": None, "notify": ("terminal",)}
        ]  # fmt: skip
        AlertHistory(data).append(fired, FROZEN, 30)
        app = make_app(tmp_path, config)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            await pilot.press("exclamation_mark")
            for _ in range(400):
                await pilot.pause(0.05)
                screen = pilot.app.screen
                if isinstance(screen, AlertsScreen) and all(
                    item.counts is not None for item in screen.items
                ):
                    break
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(160, 40), run_before=run_before)


class TestStories:
    def test_story_view(self, snap_compare, tmp_path: Path) -> None:
        """S: one row per story, with its outlets, first report and last update."""
        newsroom_data(tmp_path)
        app = make_app(tmp_path)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            dashboard = pilot.app.screen
            assert isinstance(dashboard, DashboardScreen)
            # until the stories are read (in a thread; a slow machine took over 5 s)
            await until(pilot, lambda: len(dashboard.session.shelf or ()) == 8)
            await pilot.press("S")
            view = dashboard.article_view
            await until(  # its rows drawn, and the highlighted story's article read
                pilot,
                lambda: (
                    dashboard.headlines.story_rows
                    and dashboard.matching == 8
                    and view.article_id is not None
                    and view.article_id == view.wanted
                ),
            )
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(160, 50), run_before=run_before)


# a live report's paragraphs, as its page said them at first
LIVE = [
    "Negotiators from Seoul and Washington met again on Friday in Gyeongju.",
    "The talks turned on the $350 billion investment fund and how it would be paid in.",
    "Both sides said the meeting was frank and useful.",
    "Officials said the tariff on cars would stay at 15 percent for now.",
    "Markets in Seoul rose 1.2 percent in early trading.",
    "The won firmed against the dollar.",
    "The finance minister said a deal was close but not yet done.",
    "A joint statement is expected before the leaders meet on Wednesday.",
    "Farm groups in both countries asked to be heard before any deal is signed.",
    "Chip makers said they had not been consulted on the export controls.",
    "Shipbuilders are expected to gain most from the fund.",
    "Opposition lawmakers in Seoul asked to see the terms.",
    "The White House did not comment.",
    "The talks resume on Saturday morning.",
]


class TestRevisions:
    def test_full_text_changes_show_the_changed_paragraphs(
        self, snap_compare, tmp_path: Path
    ) -> None:
        """d on an article whose page was fetched three times: each change as its changed
        paragraphs, word-diffed, with the paragraph before and after, the others counted."""
        second = list(LIVE)
        second[3] = "Officials said the tariff on cars would fall to 12.5 percent from January."
        second.insert(10, "The two sides agreed to meet again before the end of the month.")
        third = list(second)
        del third[5]
        third[-1] = "The talks resume on Sunday morning."
        data = newsroom_data(tmp_path)
        with Store(data, writer=True) as store:  # Reuters' article
            for n, paragraphs in enumerate((LIVE, second, third)):
                store.set_text("a1", "\n\n".join(paragraphs), FROZEN - timedelta(hours=3 - n))
        app = make_app(tmp_path)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            dashboard = pilot.app.screen
            assert isinstance(dashboard, DashboardScreen)
            dashboard.set_filter("source:Reuters")
            await until(pilot, lambda: dashboard.article_view.article_id == "a1")
            await pilot.press("d")
            await until(pilot, lambda: isinstance(pilot.app.screen, RevisionsScreen))
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(110, 40), run_before=run_before)


class TestDocs:
    def test_readme_screenshot(self, snap_compare, tmp_path: Path) -> None:
        """The screen docs/screenshot.svg shows (`make docs` draws it)."""
        app = screenshot_app(tmp_path / "data")
        assert snap_compare(app, terminal_size=SIZE, run_before=when_loaded)

    def test_readme_screenshot_is_what_this_build_draws(self, tmp_path: Path) -> None:
        drawn = normalize_svg(draw(tmp_path / "data"))
        assert normalize_svg(DOCS_SCREENSHOT.read_text(encoding="utf-8")) == drawn, (
            "docs/screenshot.svg is stale: run `make docs`"
        )
