"""The dashboard on a PostgreSQL store: it polls into the database, lists what it holds, and
a star set in the dashboard is in the database for every other reader."""

from __future__ import annotations

from pathlib import Path

from fetchers.config import StoreConfig
from fetchers.store.postgres.store import PostgresStore
from tests.conftest import make_app, piloted, seed_only_config, seen, settle
from tui.messages import MarksChanged


async def test_the_dashboard_polls_into_postgresql_and_stars_there(
    tmp_path: Path, pg_dsn: str
) -> None:
    config = seed_only_config(tmp_path)
    config.store = StoreConfig("postgresql", pg_dsn)
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        assert dashboard.session.store.is_writer
        current = dashboard.headlines.current_id
        assert current is not None
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        await pilot.pause()
        with PostgresStore(pg_dsn) as other:
            assert len(other) == 6
            starred = other.get(current)
            assert starred is not None and starred.starred
    assert not (tmp_path / "data" / "meta.json").exists()  # no TinyDB store was made
