"""The dashboard as the writer runs the newsroom's one cycle, like `poll` and `refresh`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fetchers.events import EventBook
from fetchers.models import Article, Event
from fetchers.store import Store
from tests.apps import FROZEN, make_app
from tests.test_app import screen_text, settle

OLD_TITLE = "Forty days old and never starred"


async def test_the_dashboard_applies_retention_after_its_poll(tmp_path: Path) -> None:
    with Store(tmp_path / "data", writer=True) as store:
        old = FROZEN - timedelta(days=40)  # the default keeps 30 days
        store.add_batch(
            [Article(id="old", source="Old wire", title=OLD_TITLE, fetched=old, published=old)]
        )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        for _ in range(100):
            if app.last_poll is not None and app.total == 6:
                break
            await pilot.pause(0.05)
        await settle(app, pilot)
        assert OLD_TITLE not in screen_text(app)
        assert "6 of 6" in str(app.query_one("#status").render())


async def test_the_palette_offers_events_added_in_the_app(tmp_path: Path) -> None:
    EventBook(tmp_path / "data").add(
        Event(name="Tariff deadline", when=FROZEN + timedelta(days=8), tz="UTC", query="tariff")
    )
    app = make_app(tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("ctrl+p")
        await pilot.pause(0.3)
        for key in "deadline":
            await pilot.press(key)
        await pilot.pause(0.5)
        assert "Filter to event: Tariff deadline" in screen_text(app)
