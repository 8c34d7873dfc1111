"""The embedded default as a first run shows it: the story, its related headlines, the events."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.widgets import Static

from fetchers.config import load_config, seeds_dir
from tests.conftest import (
    FROZEN,
    HOSTILE,
    dash,
    make_app,
    piloted,
    screen_text,
    settle,
    until,
)
from tui.screens.help import HelpScreen

STORY = "S. Korea, US remain far apart on key sticking points"


async def test_embedded_default_fills_all_three_panes(tmp_path: Path) -> None:
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)  # real feeds fail offline
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        shot = screen_text(app)
        assert "S. Korea, US remain far apart on key sticking points" in shot
        assert "Hybe partners with LAFC" in shot
        assert "APEC Economic Leaders" in shot and "T-6d 16:00:00" in shot
        assert "T-4d 21:00:00" in shot  # the Trump–Lee summit, Wed 14:00 KST
        status = str(app.screen.query_one("#status").render())
        assert "6 of 6" in status
        assert "sources failing" in status
        # the seed article, listed first (above its undated related headlines), and its text
        await settle(app, pilot)
        shot = screen_text(app)
        assert "South Korea and the United States remain far apart" in shot
        assert "Most Commented" not in shot
        await pilot.press("q")
    assert not app.is_running


async def test_the_seed_story_says_why_it_has_no_link(tmp_path: Path) -> None:
    """The seed text comes from a local file with no link: the pane, `o` and `f` say so."""
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        article = dashboard.session.get(dashboard.headlines.current_id or "")
        assert article is not None and article.title.startswith(STORY) and article.link is None
        why = "no link: read from the local file 000_8890db16bdd93803.txt, which names none"
        assert why in screen_text(app)
        await pilot.press("o")
        await pilot.press("f")
        # (each said from a worker of its own: in either order)
        await until(pilot, lambda: len(app._notifications) >= 2)
        told = [str(n.message) for n in app._notifications]
        assert sorted(told) == sorted(
            [f"This article has {why}.", f"No page to fetch the text from: {why}."]
        )


async def test_hostile_titles_render_as_their_characters(tmp_path: Path) -> None:
    app = make_app(tmp_path, hostile=True, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=3)
        shot = screen_text(app)
        for title in HOSTILE:
            assert title in shot


async def test_the_story_leads_and_its_related_headlines_are_undated(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        assert dash(app).session.store is not None
        first = dash(app).session.store.get(dash(app).headlines.ids[0])
        assert first is not None and first.title.startswith(STORY)
        assert STORY in screen_text(app)
        rows = [dash(app).session.store.get(ident) for ident in dash(app).headlines.ids]
        hybe = next(a for a in rows if a is not None and a.title == "Hybe partners with LAFC")
        row = dash(app).headlines.row_text(hybe, 120).plain
        assert "now" not in row.split("Yonhap")[0] and "—" in row  # no date of its own
        countdown = dash(app).countdown
        (apec,) = [
            e for e in countdown.events if e.name == "APEC Economic Leaders' Meeting, Gyeongju"
        ]
        assert apec.query is not None and countdown.matches[apec.query] == 1
        await pilot.press("j")  # the first related headline, in the article pane
        await settle(app, pilot)
        pane = screen_text(app)
        assert "undated" in pane
        assert "apec" not in pane.split("tags:", 1)[1].split("\n", 1)[0]


async def test_saved_filter_two_finds_the_story_by_its_text(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("2")  # APEC OR Gyeongju OR summit: in the story's text only
        await settle(app, pilot)
        assert dash(app).matching == 1
        assert dash(app).session.store is not None
        shown = dash(app).session.store.get(dash(app).headlines.ids[0])
        assert shown is not None and shown.title.startswith(STORY)
        dash(app).set_filter("title:Gyeongju")
        await settle(app, pilot)
        assert dash(app).matching == 0
        await pilot.press("question_mark")  # `?` says where words are looked for
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        console = Console(width=200, record=True, file=io.StringIO())
        console.print(app.screen.query_one(Static).content)
        shown_help = console.export_text()
        assert "in the title, summary or full text" in shown_help
        assert "title:tariff" in shown_help


async def test_a_source_name_with_markup_titles_the_article_pane_as_written(
    tmp_path: Path,
) -> None:
    """The article pane's title is the source's name: brackets there are characters."""
    from fetchers.models import Article
    from fetchers.store import Store

    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [Article("m", "[bold red]Wire[/] [link=x]", "A headline", None, FROZEN, FROZEN, "")]
        )
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        titles = [line for line in screen_text(app).splitlines() if line.startswith("╭─")]
        assert any("[bold red]Wire[/] [link=x]" in line for line in titles)


async def test_a_store_that_cannot_be_opened_ends_the_dashboard_saying_why(
    tmp_path: Path,
) -> None:
    """A data dir that is a file: the dashboard ends with exit 2 and the reason, as the
    command line does (it stayed on "opening the store…" for good)."""
    (tmp_path / "data").write_text("not a folder")
    app = make_app(tmp_path)
    async with app.run_test() as pilot:
        for _ in range(100):
            if app.return_code is not None:
                break
            await pilot.pause(0.05)
    assert app.return_code == 2
