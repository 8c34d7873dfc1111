"""Every dashboard key a user relies on, through Pilot with a frozen clock and local sources."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.widgets import Input

from fetchers.keymap import BINDINGS as KEY_BINDINGS
from fetchers.models import Article, Source
from fetchers.store import Store
from tests.apps import (
    FROZEN,
    make_app,
    seed_only_config,
    send_in_one_read,
    send_keys_in_one_read,
)
from tests.conftest import FeedServer, Route
from tests.test_app import screen_text, settle
from tui.app import WirewatchApp
from tui.screens.events import EventForm, EventsScreen
from tui.screens.help import HelpScreen
from tui.screens.picker import PickerScreen
from tui.widgets.countdown import Countdown
from tui.widgets.headlines import HeadlineList

PARAGRAPH = (
    "Seoul and Washington narrowed their differences on the investment package on Friday, "
    "officials said, as negotiators met for a third day before the summit. "
)


def linked_article(tmp_path: Path, link: str, published: datetime = FROZEN) -> None:
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="linked",
                    source="Wire",
                    title="Talks narrow the gap",
                    link=link,
                    published=published,
                    fetched=FROZEN,
                    summary="Only a summary here.",
                    tags=["trade"],
                )
            ]
        )


async def test_o_copies_the_link_without_a_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    linked_article(tmp_path, "https://news.example/talks")
    app = make_app(tmp_path, poll=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        assert app.headlines.current_id == "linked"
        await pilot.press("o")
        await pilot.pause(0.1)
        assert app.clipboard == "https://news.example/talks"
        assert any("copied the link" in str(n.message) for n in app._notifications)


async def test_o_refuses_links_that_are_not_http(tmp_path: Path) -> None:
    linked_article(tmp_path, "javascript:alert(1)")
    app = make_app(tmp_path, poll=False)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await pilot.pause(0.1)
        assert app.clipboard != "javascript:alert(1)"


async def test_f_fetches_and_shows_the_full_text(tmp_path: Path, feed_server: FeedServer) -> None:
    page = (
        f"<html><head><title>Talks</title></head><body><nav>Home | World</nav><article>"
        f"<h1>Talks narrow the gap</h1><p>{PARAGRAPH * 3}</p><p>READ MORE</p>"
        f"<p>{PARAGRAPH * 2}</p></article></body></html>"
    )
    url = feed_server.add(
        "/talks.html", Route(page.encode(), headers={"Content-Type": "text/html"})
    )
    linked_article(tmp_path, url, published=FROZEN - timedelta(days=1))
    app = make_app(tmp_path)  # the writer: the text is stored
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")  # the oldest: the linked article
        await settle(app, pilot)
        assert app.headlines.current_id == "linked"
        assert "Only a summary here." in screen_text(app)
        await pilot.press("f")
        await settle(app, pilot)
        for _ in range(40):
            if "narrowed their differences" in screen_text(app):
                break
            await pilot.pause(0.1)
        shot = screen_text(app)
        assert "Seoul and Washington narrowed their differences" in shot
        assert "READ MORE" not in shot
        assert app.store is not None and "narrowed" in (app.store.text("linked") or "")


async def test_t_picks_a_tag_and_e_picks_an_event(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("t")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickerScreen)
        assert "korea" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_text.startswith("tag:")
        assert app.matching == 6
        await pilot.press("e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("down", "enter")  # the second event: APEC
        await settle(app, pilot)
        assert app.query_text == "APEC OR Gyeongju OR tag:apec"


async def test_enter_on_a_countdown_event_filters_to_it(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        app.countdown.focus()
        await pilot.pause(0.1)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert app.query_text == "APEC OR Gyeongju OR tag:apec"
        assert app.headlines.has_focus
        assert "filter: APEC OR Gyeongju OR tag:apec" in str(app.query_one("#status").render())


async def test_m_marks_read_and_capital_h_shows_source_health(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    config = seed_only_config(tmp_path)
    down = feed_server.add("/down.xml", Route(b"", status=503))
    config.sources.append(Source("Down Wire", url=down))
    app = make_app(tmp_path, config)
    app.read_after = 3600  # only the key marks it
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        current = app.headlines.current_id
        assert current is not None and app.store is not None
        before = app.store.get(current)
        assert before is not None and not before.read
        await pilot.press("m")
        await settle(app, pilot)
        after = app.store.get(current)
        assert after is not None and after.read
        await pilot.press("H")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickerScreen)
        shot = screen_text(app)
        assert "Source health" in shot and "Yonhap via Korea Herald" in shot
        down_row = next(line for line in shot.splitlines() if "Down Wire" in line)
        assert "error" in down_row and "503" in down_row
        assert "1 failed in a row HTTP 503" in down_row


async def test_command_palette_offers_actions_sources_and_events(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.sources.append(
        Source("[b]Bold[/b] Wire", url="https://ed:s3cret@wire.example/rss", enabled=False)
    )
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        for key in "bold":
            await pilot.press(key)
        await pilot.pause(0.5)
        shot = screen_text(app)
        assert "Filter to source: [b]Bold[/b] Wire" in shot  # not read as markup
        assert "https://ed:***@wire.example/rss" in shot and "s3cret" not in shot
        await pilot.press("ctrl+u")
        for key in "apec":
            await pilot.press(key)
        await pilot.pause(0.5)
        assert "Filter to event: APEC Economic Leaders" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.query_text == "APEC OR Gyeongju OR tag:apec"


async def test_a_query_typed_right_after_slash_goes_to_the_prompt(tmp_path: Path) -> None:
    """`/` and the query in one read: the letters are the query, not keys (`t` picks a tag)."""
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        send_in_one_read(app, "/tariff")
        await pilot.pause(0.3)
        assert not isinstance(app.screen, PickerScreen)
        assert app.query_one("#filter-input", Input).value == "tariff"
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.query_text == "tariff"


async def test_keys_typed_before_a_picker_opens_go_to_the_picker(tmp_path: Path) -> None:
    """The source picker opens once its counts are in; down and enter typed with `s` wait."""
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        send_keys_in_one_read(app, "s", "down", "enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if app.query_text:
                break
        # the second row: down went to the picker, not to the headlines behind it
        assert app.query_text == f'source:"{app.config.sources[1].name}"'
        await pilot.pause(0.1)
        assert not isinstance(app.screen, PickerScreen)


def test_the_config_check_knows_every_binding_of_the_dashboard() -> None:
    """fetchers.keymap checks [keys] at load; it must list exactly the ids the app declares."""
    declared: dict[str, str] = {}
    for owner in (
        WirewatchApp,
        HeadlineList,
        Countdown,
        EventsScreen,
        EventForm,
        PickerScreen,
        HelpScreen,
    ):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id:
                declared[binding.id] = binding.key
    assert declared == {b.id: b.keys for b in KEY_BINDINGS}


async def test_help_shows_each_binding_id_with_the_keys_in_force(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.keys = {"app.quit": "x,ctrl+x"}
    app = make_app(tmp_path, config)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        # (the screenshot's text drops the blank cells between columns)
        assert any(re.search(r"x \^x\s*Quit\s*app\.quit", line) for line in lines)
        assert any(re.search(r"/\s*Filter prompt\s*filter\.prompt", line) for line in lines)
        saved = next(line for line in lines if "filter.saved1" in line)
        assert "Saved filter: tariff OR trade" in saved
        assert not any("Saved filter 9" in line for line in lines)  # not set in [filters]
        await pilot.press("end")  # the rest of the help
        await pilot.pause(0.2)
        lines = screen_text(app).splitlines()
        for binding_id in ("events.choose", "events.add", "picker.down", "help.close"):
            assert any(binding_id in line for line in lines), binding_id


async def test_j_and_k_move_in_the_pickers(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("s")
        await pilot.pause(0.2)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("j", "j", "k", "enter")
        await settle(app, pilot)
        second = app.config.sources[1].name
        assert app.query_text == f'source:"{second}"'
        await pilot.press("e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("j", "enter")  # the second event: APEC
        await settle(app, pilot)
        assert app.query_text == "APEC OR Gyeongju OR tag:apec"


async def test_f8_saves_the_screenshot_even_without_a_downloads_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloads = tmp_path / "home" / "Downloads"  # not there, as on most servers
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(downloads))
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)

        async def shot() -> str:
            before = len(app._notifications)
            await pilot.press("f8")
            for _ in range(40):
                await pilot.pause(0.05)
                if len(app._notifications) > before:
                    break
            return str(list(app._notifications)[-1].message)

        notice = await shot()
        (saved,) = (tmp_path / "data").glob("wirewatch_*.svg")
        assert saved.read_text("utf-8").startswith("<svg")
        assert notice == f"Saved the screenshot to {saved} ({downloads} does not exist)"
        downloads.mkdir(parents=True)
        notice = await shot()
        (saved,) = downloads.glob("wirewatch_*.svg")
        assert notice == f"Saved the screenshot to {saved}"


async def test_f_says_why_the_full_text_could_not_be_fetched(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/gone.html", Route(b"not here", status=404))
    linked_article(tmp_path, url, published=FROZEN - timedelta(days=1))
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")
        await settle(app, pilot)
        assert app.headlines.current_id == "linked"
        await pilot.press("f")
        for _ in range(40):
            await pilot.pause(0.1)
            if "could not be fetched" in screen_text(app):
                break
        assert "The full text could not be fetched: HTTP 404 Not Found" in screen_text(app)
        assert any(
            str(n.message) == "The full text could not be fetched: HTTP 404 Not Found"
            for n in app._notifications
        )
