"""The README's screenshot: the dashboard at 160x50 on the embedded default, drawn by this build.

`make docs` writes docs/screenshot.svg with it; tests/test_snapshots.py draws the same screen and
fails when docs/screenshot.svg is not what this build draws. The run is deterministic: the clock
is frozen on the day of the default's story and only its local seed source is polled.

    python bench/screenshot.py docs/screenshot.svg
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual._doc import take_svg_screenshot  # noqa: E402
from textual.pilot import Pilot  # noqa: E402

from fetchers.config import load_config, seeds_dir  # noqa: E402
from tui.app import WirewatchApp  # noqa: E402

CLOCK = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)  # Friday 17:00 in Seoul, the story's day
SIZE = (160, 50)
ARTICLES = 6  # what the embedded default's seed page holds


def screenshot_app(data_dir: Path) -> WirewatchApp:
    """The embedded default with its network sources off, so every machine draws the same."""
    config = load_config(seeds_dir() / "wirewatch.toml", CLOCK)
    for source in config.sources:
        source.enabled = source.path is not None
    app = WirewatchApp(config, data_dir, clock=lambda: CLOCK)
    app.read_after = 3600  # nothing turns read while the screen is taken
    return app


async def when_loaded(pilot: Pilot) -> None:
    """Until the first poll has put the seed's articles on screen, the whole store is loaded
    and the highlighted article is in the article pane."""
    app = pilot.app
    assert isinstance(app, WirewatchApp)
    for _ in range(400):
        await pilot.pause(0.05)
        dashboard = app.dashboard
        if dashboard is None or dashboard.loading_rest or dashboard.last_poll is None:
            continue
        current = dashboard.headlines.current_id
        if dashboard.total >= ARTICLES and dashboard.article_view.article_id == current:
            break
    await pilot.pause(0.2)


def draw(data_dir: Path) -> str:
    """The SVG, exactly as pytest-textual-snapshot takes it."""
    return take_svg_screenshot(
        app=screenshot_app(data_dir), terminal_size=SIZE, run_before=when_loaded
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="where to write the SVG")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        svg = draw(Path(tmp) / "data")
    args.out.write_text(svg, encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
