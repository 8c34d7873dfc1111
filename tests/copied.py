"""What `wirewatch migrate` must carry besides the articles, set up the same way for every
direction it copies: an article retention dropped whose feed lists it again, and a day filed
ahead of the real clock that retention drops `RETENTION` days after it was found so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from fetchers.store.interface import ArticleStore
from tests.conftest import make
from tui.cli import main

RETENTION = 3
FIRST = datetime(2025, 10, 24, 7, tzinfo=UTC)  # the first poll: article 1
LATER = FIRST + timedelta(days=RETENTION + 2)  # the second: article 2 only, article 1 dropped


def _item(n: int, when: datetime) -> str:
    return (
        f"<item><title>Headline {n}</title><link>https://example.org/{n}</link>"
        f"<guid>g{n}</guid><pubDate>{when.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
        "</item>"
    )


def list_in_feed(folder: Path, *numbers: int) -> None:
    """The feed in `folder` lists these articles (article n first published when polled)."""
    when = {1: FIRST, 2: LATER}
    items = "".join(_item(n, when[n]) for n in numbers)
    (folder / "w.xml").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>W</title>"
        f"<link>https://example.org/</link>{items}</channel></rss>"
    )


def polled_config(tmp_path: Path, store: str = "") -> Path:
    """A config of one source read from a folder, keeping `RETENTION` days (`store`: its
    [store] table, a PostgreSQL one)."""
    feeds = tmp_path / "feeds"
    feeds.mkdir(exist_ok=True)
    config = tmp_path / ("pg.toml" if store else "wirewatch.toml")
    config.write_text(
        f"{store}[settings]\nretention_days = {RETENTION}\n"
        f'[[sources]]\nname = "Wire"\npath = "{feeds}"\n'
    )
    return config


def drop_one(config: Path, data: Path) -> None:
    """Article 1 polled, then dropped by retention at a poll its feed left it out of."""
    feeds = config.parent / "feeds"
    args = ["--config", str(config), "--data-dir", str(data)]
    list_in_feed(feeds, 1)
    assert main([*args, "--now", FIRST.isoformat(), "refresh"]) == 0
    list_in_feed(feeds, 2)
    assert main([*args, "--now", LATER.isoformat(), "refresh"]) == 0


def listed_again(config: Path, data: Path) -> int:
    """Exit code of a refresh whose feed lists the dropped article 1 again (beside 2): what
    it says is in the captured output."""
    list_in_feed(config.parent / "feeds", 1, 2)
    at = (LATER + timedelta(hours=1)).isoformat()
    return main(["--config", str(config), "--data-dir", str(data), "--now", at, "refresh"])


REAL = datetime(2025, 10, 24, 12, tzinfo=UTC)  # the real clock, for the day ahead
AHEAD = REAL + timedelta(days=30)


def file_a_day_ahead(store: ArticleStore) -> None:
    """(A writer.) Wire-1 filed 30 days after the real day; retention on the real clock
    notes that day ahead, found so on `REAL`'s day."""
    store.add_batch([make(1, fetched=AHEAD)])
    store.apply_retention(RETENTION, REAL)
    assert "Wire-1" in store.query_ids()


def dropped_as_noted(store: ArticleStore) -> None:
    """(A writer.) Retention on the real clock, `RETENTION` days and one after the day ahead
    was found so (and weeks before that day comes), drops it."""
    store.apply_retention(RETENTION, REAL + timedelta(days=RETENTION + 1))
    assert "Wire-1" not in store.query_ids()
