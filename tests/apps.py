"""Deterministic dashboards for Pilot and snapshot tests: a frozen clock, local sources only."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from textual import events
from textual.keys import _character_to_key

from fetchers.config import Config, load_config, seeds_dir
from fetchers.models import Article
from fetchers.store import Store
from tui.app import WirewatchApp

FROZEN = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
HOSTILE = [
    "[/b] closes nothing",
    "[$accent]Price[/] up [link=https://evil.example]click[/link]",
    "[bold red]Shouting[/bold red] headline",
]


def seed_only_config(tmp_path: Path) -> Config:
    """The embedded default with its network sources switched off."""
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    for source in config.sources:
        source.enabled = source.path is not None
    return config


def make_app(
    tmp_path: Path, config: Config | None = None, hostile: bool = False, poll: bool = True
) -> WirewatchApp:
    data = tmp_path / "data"
    if hostile:
        with Store(data, writer=True) as store:
            store.add_batch(
                [
                    Article(
                        id=f"h{n}",
                        source="Hostile",
                        title=title,
                        fetched=FROZEN,
                        summary=title,
                        published=FROZEN,
                    )
                    for n, title in enumerate(HOSTILE)
                ]
            )
    return WirewatchApp(config or seed_only_config(tmp_path), data, clock=lambda: FROZEN, poll=poll)


def send_in_one_read(app: WirewatchApp, text: str) -> None:
    """Every key of `text` queued at once, as a terminal read over SSH delivers them."""
    assert app._driver is not None
    for ch in text:
        key = {" ": "space", "\t": "tab"}.get(ch) or (ch if ch.isalnum() else _character_to_key(ch))
        app._driver.send_message(events.Key(key, ch))


def send_keys_in_one_read(app: WirewatchApp, *keys: str) -> None:
    """Keys by name ("s", "down", "enter") queued at once."""
    assert app._driver is not None
    for key in keys:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))
