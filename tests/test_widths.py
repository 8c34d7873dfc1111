"""Emoji sequences in drawn text take as many cells in Rich's measure as in a terminal that
draws one cell per code point (tmux, xterm, VTE: glibc's wcwidth)."""

from __future__ import annotations

import unicodedata
from datetime import timedelta
from pathlib import Path

from rich.cells import cell_len

from fetchers.models import Article
from fetchers.store import Store
from tests.conftest import FROZEN, make_app, piloted, seed_only_config, settle
from tui.app import WirewatchApp
from tui.format import drawn, shown_line

HEADLINES = [
    "Family 👨‍👩‍👧‍👦 reunited at the border",
    "Deal done ✔️ says minister",
    "Storm warning ⚠️ for the coast",
    "Fans 👍🏽 the new coach",
    "Step 1️⃣ of the plan",
    "Pride 🏳️‍🌈 march draws thousands",
    "Coder 👩🏽‍💻 wins the prize",
    "Runner 🏃‍♀️ sets a record",
    "Love ❤️‍🔥 in the charts",
    "Hands 🫶🏿 across the sea",
    "Copyright ©️ dispute",
]
KEPT = ["Plain headline", "🇺🇸 and 🇰🇷 sign a deal", "می‌خواهم بروم", "한미 관세 협상 타결"]


def terminal_cells(text: str) -> int:
    """Cells a terminal drawing each code point as glibc's wcwidth gives it: two for an
    East Asian wide letter, none for a mark or a format character, one otherwise."""
    cells = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf"):
            continue
        cells += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return cells


def test_drawn_emoji_take_the_cells_a_terminal_draws() -> None:
    for title in HEADLINES:
        assert cell_len(title) != terminal_cells(title), title  # what moved the border
        assert cell_len(drawn(title)) == terminal_cells(drawn(title)), repr(drawn(title))
        assert cell_len(shown_line(title)) == terminal_cells(shown_line(title)), title
    assert drawn("Family 👨‍👩‍👧‍👦 reunited") == "Family 👨👩👧👦 reunited"
    assert drawn("Fans 👍🏽 and ✔️") == "Fans 👍 and ✔"
    for title in KEPT:  # flags, a Persian joiner, wide letters: as they are
        assert drawn(title) == title and cell_len(title) == terminal_cells(title), title
    assert drawn("क्\u200dष") == "क्\u200dष"  # a joiner in an Indic word stays


async def test_a_family_emoji_keeps_the_pane_border_in_its_column(tmp_path: Path) -> None:
    titles = ["Family 👨‍👩‍👧‍👦 reunited at the border", "Deal done ✔️ says minister"]
    titles += ["Plain headline for comparison"]
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(id=f"a{n}", source="Desk", title=t, published=when, fetched=when)
                for n, t in enumerate(titles)
                for when in [FROZEN - timedelta(hours=n + 1)]
            ]
        )
    config = seed_only_config(tmp_path)
    for source in config.sources:
        source.enabled = False
    app: WirewatchApp = make_app(tmp_path, config, poll=False)
    async with piloted(app, (120, 30)) as pilot:
        await settle(app, pilot, want=3)
        update = app.screen._compositor.render_full_update()
        lines = ["".join(strip.text for strip in line) for line in update.strips]
        columns = {}
        for title in titles:
            word = title.split()[0]
            line = next(line for line in lines if f" {word} " in line)
            border = line.index("│", line.index(word))  # the headlines pane's right edge
            columns[title] = terminal_cells(line[:border])
        assert len(set(columns.values())) == 1, columns
