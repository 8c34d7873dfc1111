"""The dashboard through Pilot, on the embedded default with a frozen clock."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from pathlib import Path

from fetchers.config import load_config, seeds_dir
from fetchers.models import SourceHealth
from fetchers.store import Store
from tests.apps import FROZEN, HOSTILE, make_app, seed_only_config
from tui.app import WirewatchApp
from tui.screens.help import HelpScreen
from tui.screens.picker import PickerScreen


async def settle(app: WirewatchApp, pilot, want: int = 1) -> None:
    """Wait until the store holds `want` articles and every short-lived worker is done."""
    for _ in range(200):
        await pilot.pause(0.05)
        busy = [w for w in app.workers if w.group not in ("poller",) and w.is_running]
        if app.total >= want and not busy and app.headlines.ids:
            break
    await pilot.pause(0.1)


def screen_text(app: WirewatchApp) -> str:
    """What the terminal shows, as plain characters (from the screenshot SVG)."""
    svg = app.export_screenshot()
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


async def test_embedded_default_fills_all_three_panes(tmp_path: Path) -> None:
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)  # real feeds fail offline
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        shot = screen_text(app)
        assert "S. Korea, US remain far apart on key sticking points" in shot
        assert "Hybe partners with LAFC" in shot
        assert "APEC Economic Leaders" in shot and "T-6d 16:00:00" in shot
        assert "T-4d 21:00:00" in shot  # the Trump–Lee summit, Wed 14:00 KST
        status = str(app.query_one("#status").render())
        assert "6 of 6" in status
        assert "sources failing" in status
        # the seed article, listed first (above its undated related headlines), and its text
        await settle(app, pilot)
        shot = screen_text(app)
        assert "South Korea and the United States remain far apart" in shot
        assert "Most Commented" not in shot
        await pilot.press("q")
    assert not app.is_running


async def test_keys_move_filter_and_star(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        first = app.headlines.current_id
        await pilot.press("j")
        assert app.headlines.current_id != first
        await pilot.press("k")
        assert app.headlines.current_id == first
        await pilot.press("1")  # saved filter: tariff OR trade
        await settle(app, pilot)
        assert app.query_text == "tariff OR trade"
        assert app.matching == 2
        assert "filter: tariff OR trade" in str(app.query_one("#status").render())
        await pilot.press("0")
        await settle(app, pilot)
        assert app.matching == 6
        await pilot.press("asterisk")
        await settle(app, pilot)
        current = app.headlines.current_id
        assert current is not None and app.store is not None
        article = app.store.get(current)
        assert article is not None and article.starred


async def test_filter_prompt_keeps_text_on_error(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("slash")
        for key in "tariff OR":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        field = app.query_one("#filter-input")
        assert field.value == "tariff OR"  # type: ignore[attr-defined]
        assert "OR needs a term" in str(app.query_one("#filter-error").render())
        for key in " APEC":
            await pilot.press("space" if key == " " else key)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_text == "tariff OR APEC"
        assert not app.query_one("#filter-bar").display


async def test_unread_toggle_and_pickers_and_help(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("u")
        await settle(app, pilot)
        assert app.unread_only
        await pilot.press("question_mark")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "Quit" in help_text and "Filter" in help_text
        await pilot.press("escape")
        await pilot.press("s")
        await pilot.pause(0.1)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_text == 'source:"Yonhap via Korea Herald"'


async def test_hostile_titles_render_as_their_characters(tmp_path: Path) -> None:
    app = make_app(tmp_path, hostile=True, poll=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=3)
        shot = screen_text(app)
        for title in HOSTILE:
            assert title in shot


async def test_narrow_terminal_stacks_and_opens_article_on_enter(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot, want=6)
        assert app.screen.has_class("-narrow")
        assert not app.article_view.display or not app.article_view.region.height
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert app.screen.has_class("reading")
        assert app.article_view.region.height > 0
        await pilot.press("escape")
        assert not app.screen.has_class("reading")


async def test_keymap_override(tmp_path: Path) -> None:
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    for source in config.sources:
        source.enabled = source.path is not None
    config.keys = {"app.quit": "x"}
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("x")
        await pilot.pause(0.1)
    assert not app.is_running


async def test_after_a_restart_the_status_says_when_the_next_poll_is_due(tmp_path: Path) -> None:
    """Polled 3 minutes before the restart, due again in 7: nothing is polling meanwhile."""
    config = seed_only_config(tmp_path)
    with Store(tmp_path / "data", writer=True) as store:
        store.save_health(
            {
                s.name: SourceHealth(
                    s.name,
                    s.location,
                    status="ok",
                    last_polled=FROZEN - timedelta(minutes=3),
                    next_poll=FROZEN + timedelta(minutes=7, seconds=30),
                )
                for s in config.sources
                if s.enabled
            }
        )
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 50)) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.poller is not None:
                break
        await pilot.pause(1.1)  # a tick of the poll loop and of the status line
        status = str(app.query_one("#status").render())
        assert "polled 3m ago ─ next poll in 7m" in status
        assert "polling" not in status
        assert app.last_poll is None  # and nothing was polled
