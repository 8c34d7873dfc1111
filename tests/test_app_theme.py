"""The dashboard's colours: contrast measured on what is drawn, the light theme, and the kept
theme choice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.color import Color, ColorSystem, ColorType
from rich.segment import Segment
from textual.geometry import Region
from textual.pilot import Pilot
from textual.theme import BUILTIN_THEMES
from textual.widget import Widget

from fetchers.config import ConfigError, load_config, seeds_dir
from tests.conftest import FROZEN, dash, make_app, piloted, seed_only_config, settle, until
from tui import theme as theme_module
from tui.app import WirewatchApp
from tui.cli import main as cli_main
from tui.format import AGE_WIDTH
from tui.theme import DEFAULT_THEME, check_theme
from tui.widgets.headlines import MARK_WIDTH

AA = 4.5  # WCAG 2 AA for normal text
BORDER = 3.0  # WCAG 2 AA for the outlines of user interface components


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = color.get_truecolor()
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: Color, bg: Color) -> float:
    light, dark = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _256(color: Color) -> Color:
    """The colour a terminal without truecolor shows (Rich picks the nearest of 256)."""
    return color.downgrade(ColorSystem.EIGHT_BIT)


def _needs(text: str) -> float | None:
    """The contrast a run of characters needs: 4.5 for text, 3 for box lines (the panes'
    borders, WCAG's non-text contrast), none for spaces, blocks and scrollbars, and the
    palette's colour emoji (drawn in its own colours)."""
    need: float | None = None
    for char in text:
        code = ord(char)
        if char.isspace() or 0x2580 <= code <= 0x259F or code >= 0x1F000:
            continue
        if 0x2500 <= code <= 0x257F:
            need = max(need or 0, BORDER)
        else:
            return AA
    return need


def low_contrast(app: WirewatchApp, where: str, within: Widget | None = None) -> list[str]:
    """Every run of text and box lines on screen (inside `within`) whose colours are below
    what it needs, in truecolor or in 256 colours, or left to the terminal's defaults, as a
    readable line each."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    region = within.region if within is not None else Region(0, 0, *app.size)
    found: list[str] = []
    for y, line in enumerate(update.strips):  # type: ignore[union-attr]
        x = 0
        for strip in line:
            for segment in strip:
                text, style, _ = Segment(*segment)
                width = cell_len(text)
                inside = region.contains(x, y) or region.contains(x + width - 1, y)
                x += width
                need = _needs(text)
                if not inside or need is None:
                    continue
                fg = style.color if style else None
                bg = style.bgcolor if style else None
                if fg is None or bg is None or ColorType.DEFAULT in (fg.type, bg.type):
                    found.append(f"{where}: {text.strip()!r} on the terminal's default colours")
                    continue
                if style is not None and style.reverse:
                    fg, bg = bg, fg
                ratio = min(contrast(fg, bg), contrast(_256(fg), _256(bg)))
                if ratio < need or (style is not None and style.dim):
                    found.append(
                        f"{where}: {text.strip()!r} {fg.get_truecolor().hex} on "
                        f"{bg.get_truecolor().hex}: {ratio:.2f}{' dim' if style.dim else ''}"
                    )
    return found


async def _every_view(app: WirewatchApp, pilot: Pilot) -> list[str]:
    """Walk through the dashboard's views and collect the text drawn below AA."""
    found: list[str] = []

    async def look(where: str, within: str | None = None, wait: float = 0.2) -> None:
        await pilot.pause(wait)
        if within:  # a picker opens once what it lists is read, in a thread
            await until(pilot, lambda: bool(app.screen.query(within)))
        box = app.screen.query_one(within) if within else None
        found.extend(low_contrast(app, where, box))

    await settle(app, pilot, want=6)
    await pilot.press("1")  # saved filter "tariff OR trade": the words are highlighted
    await settle(app, pilot)
    await pilot.press("G")  # the selected row holds the watch term "tariff"
    await look("wide, headlines focused")
    await pilot.press("tab")
    await look("wide, countdown focused")
    await pilot.press("tab")
    await look("wide, article focused")
    dash(app).headlines.focus()
    await pilot.press("0", "slash")
    await look("filter prompt, empty")
    await pilot.press(*"since:soon", "enter")
    await look("filter prompt with an error")
    await pilot.press("escape", "question_mark")
    await look("help", "#help-box")
    await pilot.press("escape", "s")
    await look("source picker", "#picker-box")
    await pilot.press("escape", "H")
    await look("health picker", "#picker-box")
    await pilot.press("escape", "e")
    await look("events", "#picker-box")
    await pilot.press("a")
    await look("event form", "#form-box")
    await pilot.press("escape", "escape", "exclamation_mark")
    await look("alerts, none fired", "#alerts-history")
    await pilot.press("escape", "ctrl+p")
    await look("command palette", "#--container")
    await pilot.press("escape")
    await pilot.press("c")  # a notice
    await look("a notification")
    await pilot.resize_terminal(80, 24)
    await look("narrow", wait=0.4)
    await pilot.press("enter")
    await look("narrow, reading")
    return found


async def test_default_theme_text_reaches_aa_everywhere(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        assert app.theme == DEFAULT_THEME
        assert await _every_view(app, pilot) == []


async def test_light_theme_text_reaches_aa_everywhere(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.settings.theme = "wirewatch-light"
    app = make_app(tmp_path, config)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        assert app.theme == "wirewatch-light"
        assert not app.current_theme.dark
        assert await _every_view(app, pilot) == []


async def test_no_color_text_reaches_aa(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """NO_COLOR turns the theme's colours to greys of the same lightness."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        assert await _every_view(app, pilot) == []


async def test_focused_countdown_marks_its_event(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("tab")
        await pilot.pause(0.1)
        assert dash(app).countdown.has_focus
        cursor = app.theme_variables["block-cursor-background"]
        first = [seg for seg in dash(app).countdown.render_line(0) if seg.text.strip()]
        assert all(seg.style and seg.style.bgcolor for seg in first)
        drawn = {seg.style.bgcolor.get_truecolor().hex for seg in first if seg.style}
        assert drawn == {cursor.lower()}


@pytest.mark.parametrize("term", ["linux", "xterm"])
@pytest.mark.parametrize("theme", ["wirewatch-dark", "wirewatch-light"])
async def test_sixteen_colour_terminal_shows_the_selected_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, term: str, theme: str
) -> None:
    """A terminal of 16 colours (the Linux console, TERM=xterm) draws the selected headline
    on a colour of its own: not black or "bright black" (SGR 100, which the Linux console
    draws as black, the dark theme's background), whichever pane has the focus."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    config = seed_only_config(tmp_path)
    config.settings.theme = theme
    app = make_app(tmp_path, config)
    assert app.console.color_system == "standard"

    def drawn() -> tuple[set[int | None], float]:
        """The selected row's backgrounds as the terminal gets them (16 colours), and the
        least contrast of its text there."""
        headlines = dash(app).headlines
        line = headlines.render_line(headlines.cursor - int(headlines.scroll_y))
        styles = [seg.style for seg in line if seg.text.strip() and seg.style is not None]
        sixteen = ColorSystem.STANDARD
        backgrounds = {s.bgcolor.downgrade(sixteen).number for s in styles if s.bgcolor}
        least = min(
            contrast(s.color.downgrade(sixteen), s.bgcolor.downgrade(sixteen))
            for s in styles
            if s.color and s.bgcolor
        )
        return backgrounds, least

    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("j")
        for focused in (True, False):
            await pilot.pause(0.1)
            assert dash(app).headlines.has_focus is focused
            backgrounds, least = drawn()
            page = app.current_theme.background
            assert len(backgrounds) == 1 and backgrounds.isdisjoint({0, 8})
            assert backgrounds != {Color.parse(page).downgrade(ColorSystem.STANDARD).number}
            assert least >= AA
            await pilot.press("tab")


def _drawn_at(app: WirewatchApp, x: int, y: int) -> str:
    """The character on screen at (x, y)."""
    update = app.screen._compositor.render_full_update()
    return "".join(strip.text for strip in update.strips[y])[x]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("term", "colours", "no_color", "without_colour"),
    [
        ("xterm-256color", 256, True, True),  # NO_COLOR
        ("xterm-mono", -1, False, True),  # a terminal whose terminfo entry has no colours
        ("xterm", 8, False, False),  # (16 colours: as it was)
        ("xterm-256color", 256, False, False),
    ],
)
async def test_without_colour_the_selected_row_and_the_focused_pane_are_seen(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    term: str,
    colours: int,
    no_color: bool,
    without_colour: bool,
) -> None:
    """Without colour (NO_COLOR, or a terminal of none), the selected headline was drawn on a
    background lost there, or on a grey too near the page's, and the focused pane's border
    was only a lighter one: the row was bold like every unread one and no pane looked
    focused. There the selected row is in reverse video and the focused pane's border is
    double, whichever pane has the focus; with colours they look as they did."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(theme_module, "terminal_colours", lambda: colours)
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("j")
        headlines = dashboard.headlines
        panes = [headlines, dashboard.countdown, dashboard.article_view]
        for focused in panes:
            await until(pilot, lambda pane=focused: pane.has_focus)
            await pilot.pause()
            lines = [headlines.render_line(y) for y in range(len(headlines.ids))]
            in_reverse = [
                row
                for row, line in enumerate(lines)
                if all(seg.style and seg.style.reverse for seg in line if seg.text.strip())
            ]
            assert in_reverse == ([headlines.cursor] if without_colour else [])
            corners = [_drawn_at(app, pane.region.x, pane.region.y) for pane in panes]
            focus = "╔" if without_colour else "╭"
            assert corners == [focus if pane is focused else "╭" for pane in panes]
            await pilot.press("tab")


@pytest.mark.parametrize(
    ("term", "has_colour"),
    [("xterm-mono", False), ("vt100", False), ("xterm", True), ("xterm-256color", True)],
)
def test_a_terminal_without_colour_is_told_by_its_terminfo_entry(
    term: str, has_colour: bool
) -> None:
    """Rich takes xterm-mono and vt100 for terminals of 16 colours; their terminfo entries
    say they have none. (In a process of its own: curses reads one entry a process.)"""
    root = Path(__file__).resolve().parent.parent
    script = (
        "from tui.theme import colourless, terminal_colours\n"
        "print(terminal_colours(), colourless('standard'), colourless('truecolor'))"
    )
    env = {**os.environ, "TERM": term, "PYTHONPATH": str(root)}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    colours, standard, truecolor = done.stdout.split()
    if colours == "None":
        pytest.skip(f"no terminfo entry for {term} here")
    assert standard == str(not has_colour)
    assert truecolor == "False"  # a terminal that says it has millions is taken at its word


async def test_palette_theme_choice_survives_a_restart(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"theme", "enter")  # the palette's "Theme" command
        await pilot.pause(0.3)
        await pilot.press(*"wirewatch-light", "enter")
        await pilot.pause(0.3)
        assert app.theme == "wirewatch-light"
        await settle(app, pilot)
    again = make_app(tmp_path)
    assert again.theme == "wirewatch-light"
    # a config that names another theme later wins over the palette's older choice
    config = seed_only_config(tmp_path)
    config.settings.theme = "nord"
    assert make_app(tmp_path, config).theme == "nord"


def test_unknown_theme_is_a_config_error_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "wirewatch.toml"
    path.write_text('[settings]\ntheme = "solarised-nite"\n')
    config = load_config(path, FROZEN)
    with pytest.raises(ConfigError, match=r"settings\.theme: no theme 'solarised-nite'"):
        check_theme(config)
    config.settings.theme = "wirewatch-light"
    check_theme(config)


def test_cli_refuses_an_unknown_theme(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "wirewatch.toml"
    text = (seeds_dir() / "wirewatch.toml").read_text()
    path.write_text(text.replace("[settings]", '[settings]\ntheme = "solarised-nite"', 1))
    code = cli_main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "events"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{path}: settings.theme: no theme 'solarised-nite'" in err
    assert "wirewatch-light" in err


Cell = tuple[str, Color | None, Color | None]


def _cells(app: WirewatchApp, y: int) -> list[Cell]:
    """Screen line `y` as drawn: each cell's character and its colours (reverse undone)."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    cells: list[Cell] = []
    for strip in update.strips[y]:  # type: ignore[union-attr]
        for segment in strip:
            text, style, _ = Segment(*segment)
            fg, bg = (style.color, style.bgcolor) if style else (None, None)
            if style is not None and style.reverse:
                fg, bg = bg, fg
            cells.extend((char, fg, bg) for char in text)
    return cells


def _least(cells: list[Cell], start: int, end: int) -> float:
    """The least contrast of the characters (not spaces) in cells[start:end]; 0 for one
    left to the terminal's colours."""
    return min(
        contrast(fg, bg) if fg is not None and bg is not None else 0.0
        for char, fg, bg in cells[start:end]
        if not char.isspace()
    )


def _find(app: WirewatchApp, within: Widget, text: str) -> tuple[int, int]:
    """The screen line and column inside `within` where `text` is drawn first."""
    region = within.region
    for y in range(region.y, region.bottom):
        line = "".join(char for char, _, _ in _cells(app, y))[region.x : region.right]
        if text in line:
            return y, region.x + line.index(text)
    raise AssertionError(f"{text!r} is not drawn in {within}")


async def test_every_theme_draws_muted_text_and_the_unfocused_cursor_readably(
    tmp_path: Path,
) -> None:
    """In each theme Textual registers (the palette offers them all, and `theme` takes
    them), the muted texts (a read headline, the age column, the article's byline, an
    event's count of headlines) and the highlighted headline while another pane has the
    focus reach 4.5:1 on what they are drawn on. In Textual's light themes the muted texts
    were white on near-white (1.04-1.32), and its unfocused cursor a solid `$primary` under
    text of nearly its colour (1.06-1.59)."""
    app = make_app(tmp_path)
    app.read_after = 3600
    found: list[str] = []
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        headlines = dashboard.headlines
        await pilot.press("m", "j")  # the first headline read, the second highlighted
        await until(pilot, lambda: headlines.cursor == 1)
        read_title, cursor_title = (headlines._cache[i].article.title for i in headlines.ids[:2])
        rows = headlines.scrollable_content_region
        themes = sorted(app.available_themes)
        assert set(BUILTIN_THEMES) < set(themes)
        # (not the ANSI ones: drawn in the terminal's own colours, which are its business)
        themes = [t for t in themes if not app.available_themes[t].ansi]
        assert len(themes) == len(BUILTIN_THEMES)  # Textual's 19 of its own colours, and ours
        for name in themes:
            app.theme = name
            headlines.focus()
            await pilot.pause(0.1)
            y, x = _find(app, headlines, read_title[:20])
            cells = _cells(app, y)
            title = _least(cells, x, x + 20)
            age = _least(cells, rows.x + MARK_WIDTH, rows.x + MARK_WIDTH + AGE_WIDTH)
            await pilot.press("tab", "tab")
            await until(pilot, lambda: dashboard.article_view.has_focus)
            await pilot.pause(0.1)
            y, x = _find(app, headlines, cursor_title[:20])
            cursor = _least(_cells(app, y), rows.x, rows.right)
            y, x = _find(app, dashboard.article_view, " · ")
            byline = _least(_cells(app, y), x - 3, x + 20)
            y, x = _find(app, dashboard.countdown, " headline")  # "2 headlines" an event has
            count = _least(_cells(app, y), x - 2, x + 10)
            for what, ratio in [
                ("read headline", title),
                ("age", age),
                ("byline", byline),
                ("countdown's count", count),
                ("unfocused cursor row", cursor),
            ]:
                if ratio < AA:
                    found.append(f"{name}: {what} {ratio:.2f}")
    assert not found, "\n".join(found)


def _rows_in_reverse(app: WirewatchApp, widget: Widget) -> int:
    """How many screen lines inside `widget` have all their text in reverse video."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    region = widget.content_region
    count = 0
    for y in range(region.y, region.bottom):
        styles: list[bool] = []
        x = 0
        for strip in update.strips[y]:  # type: ignore[union-attr]
            for segment in strip:
                text, style, _ = Segment(*segment)
                if region.x <= x < region.right and text.strip():
                    styles.append(bool(style and style.reverse))
                x += cell_len(text)
        count += bool(styles) and all(styles)
    return count


@pytest.mark.parametrize(("term", "colours"), [("xterm-mono", -1), ("xterm-256color", 256)])
async def test_without_colour_a_list_shows_its_highlighted_row_in_reverse_video(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, term: str, colours: int
) -> None:
    """On a terminal without colour (xterm-mono) the pickers', the events list's and the
    alerts screen's highlighted row was only bold on a blue the terminal does not show: it
    looked like any bold row. There it is in reverse video, as the headlines' is; with
    colours as it was."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)
    monkeypatch.setattr(theme_module, "terminal_colours", lambda: colours)
    app = make_app(tmp_path)
    app.read_after = 3600
    found: dict[str, int] = {}
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        for key, where in [
            ("s", "#picker-box OptionList"),
            ("e", "#picker-box OptionList"),
            ("exclamation_mark", "#alerts-watched"),
        ]:
            await pilot.press(key)
            await until(pilot, lambda where=where: bool(app.screen.query(where)))
            await pilot.pause(0.2)
            found[key] = _rows_in_reverse(app, app.screen.query_one(where))
            await pilot.press("escape")
            await until(pilot, lambda: app.screen is app.dashboard)
    expected = 1 if colours < 8 else 0
    assert found == {"s": expected, "e": expected, "exclamation_mark": expected}
