"""SVG snapshots of the dashboard, organised by feature (textual is pinned exactly)."""

from __future__ import annotations

from pathlib import Path

from pytest_textual_snapshot import normalize_svg
from textual.pilot import Pilot

from bench.screenshot import SIZE, draw, screenshot_app, when_loaded
from tests.conftest import make_app
from tests.test_app_stories import newsroom_data
from tui.screens.dashboard import DashboardScreen

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
            await pilot.press("slash", *"since:soon", "enter")
            await pilot.pause(0.2)

        assert snap_compare(app, terminal_size=(160, 50), run_before=run_before)


class TestStories:
    def test_story_view(self, snap_compare, tmp_path: Path) -> None:
        """S: one row per story, with its outlets, first report and last update."""
        newsroom_data(tmp_path)
        app = make_app(tmp_path)
        app.read_after = 3600

        async def run_before(pilot: Pilot) -> None:
            await when_loaded(pilot)
            for _ in range(100):  # until the stories are read
                dashboard = pilot.app.screen
                if isinstance(dashboard, DashboardScreen) and dashboard.session.shelf:
                    break
                await pilot.pause(0.05)
            await pilot.press("S")
            await pilot.pause(0.3)

        assert snap_compare(app, terminal_size=(160, 50), run_before=run_before)


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
