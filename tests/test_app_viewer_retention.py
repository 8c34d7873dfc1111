"""A viewer of a store another process writes: what the writer's retention removes leaves the
viewer's list and its total too."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from fetchers.models import Article
from fetchers.store import Store
from tests.conftest import FROZEN, make_app, piloted, screen_text, seed_only_config, seen, settle
from tui.messages import QueryDone, ViewerReloaded

OLD_TITLE = "Forty days old and never starred"


async def test_a_viewer_drops_what_the_writers_retention_removed(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    old = FROZEN - timedelta(days=40)  # the default keeps 30 days
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
            assert OLD_TITLE in screen_text(app)
            mark = seen(app).mark()
            assert writer.apply_retention(30, FROZEN) == 1
            await seen(app).wait_for(ViewerReloaded, lambda m: m.reload.gone == 1, since=mark)
            await seen(app).wait_for(QueryDone, lambda m: m.matches.ids == ["new"], since=mark)
            await pilot.pause()
            assert OLD_TITLE not in screen_text(app)
            assert "1 of 1" in str(app.screen.query_one("#status").render())
