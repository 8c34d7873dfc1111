"""A viewer of a store another process writes: what the writer's retention removes leaves the
viewer's list and its total too."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

from textual.pilot import Pilot

from fetchers.models import Article
from fetchers.store import Store
from tests.conftest import FROZEN, make_app, piloted, screen_text, seed_only_config, seen, settle
from tui.app import WirewatchApp
from tui.messages import MarksChanged, QueryDone, ViewerReloaded
from tui.screens.dashboard import DashboardScreen

OLD_TITLE = "Forty days old and never starred"


@contextlib.asynccontextmanager
async def viewer_of_an_old_article(
    tmp_path: Path,
) -> AsyncIterator[tuple[Store, WirewatchApp, Pilot[None], DashboardScreen]]:
    """A writer holding an article forty days old (the default keeps 30) and a fresh one,
    and a dashboard beside it: a viewer, both listed."""
    config = seed_only_config(tmp_path)
    old = FROZEN - timedelta(days=40)
    articles = [
        Article(id="old", source="Old wire", title=OLD_TITLE, fetched=old, published=old),
        Article(id="new", source="Wire", title="Fresh news", fetched=FROZEN, published=FROZEN),
    ]
    with Store(tmp_path / "data", writer=True) as writer:
        writer.add_batch(articles)
        app = make_app(tmp_path, config, poll=False)
        async with piloted(app, (160, 50)) as pilot:
            dashboard = await settle(app, pilot, want=2)
            assert not dashboard.session.store.is_writer
            yield writer, app, pilot, dashboard


async def test_a_viewer_drops_what_the_writers_retention_removed(tmp_path: Path) -> None:
    async with viewer_of_an_old_article(tmp_path) as (writer, app, pilot, _):
        assert OLD_TITLE in screen_text(app)
        mark = seen(app).mark()
        assert writer.apply_retention(30, FROZEN) == 1
        await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.gone == 1, since=mark)
        await seen(app).wait_for(QueryDone, lambda m: m.matches.ids == ["new"], since=mark)
        await pilot.pause()
        assert OLD_TITLE not in screen_text(app)
        assert "1 of 1" in str(app.screen.query_one("#status").render())


async def test_a_star_set_after_the_writers_retention_dropped_its_article_is_said_lost(
    tmp_path: Path,
) -> None:
    """A star set in a viewer on an old article in the moment after the writer's retention
    dropped its day (before the viewer's next look) was written for an article no longer
    stored, and the row left the list without a word: the user who starred it to keep it
    lost it unaware. The viewer says so."""
    async with viewer_of_an_old_article(tmp_path) as (writer, app, pilot, dashboard):
        timer = dashboard._reload_timer
        assert timer is not None
        timer.pause()  # the viewer's next look comes after the star
        await pilot.press("j")  # the old article's row
        assert dashboard.headlines.current_id == "old"
        assert writer.apply_retention(30, FROZEN) == 1
        mark = seen(app).mark()
        await pilot.press("*")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == ["old"], since=mark)
        timer.resume()
        await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.gone == 1, since=mark)
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any("Not kept" in s and OLD_TITLE in s for s in said), said
        assert writer.record("old") is None
