"""Keys: the action table behind the bindings, the keymap, `?`, the palette and F8."""

from __future__ import annotations

import re
import stat
from pathlib import Path

import pytest
from textual.binding import Binding
from textual.events import DeliveryComplete, DeliveryFailed, Key
from textual.widgets import Input, Static
from textual.widgets._footer import FooterKey  # what a footer is made of

from fetchers.config import Config, load_config
from fetchers.keymap import BINDINGS as KEY_BINDINGS
from fetchers.keymap import KeymapError, check_keymap, key_list, key_name, keys_in_force, shown
from fetchers.models import Source
from tests.conftest import (
    FROZEN,
    dash,
    make_app,
    palette_search,
    piloted,
    screen_text,
    seed_only_config,
    seen,
    settle,
    until,
)
from tui.actions import ACTIONS
from tui.app import WirewatchApp
from tui.screens.alerts import AlertsScreen, RuleForm
from tui.screens.dashboard import DashboardScreen
from tui.screens.events import EventForm, EventsScreen
from tui.screens.help import HelpScreen
from tui.screens.picker import PickerScreen, StoryTimelineScreen
from tui.screens.revisions import RevisionsScreen
from tui.widgets.article import ArticleView
from tui.widgets.countdown import Countdown
from tui.widgets.filterbar import FilterBar
from tui.widgets.footer import KeyFooter
from tui.widgets.headlines import HeadlineList


async def test_keymap_override(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.keys = {"app.quit": "x"}
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("x")
        await pilot.pause(0.1)
    assert not app.is_running


def test_a_key_s_modifiers_are_named_once_in_the_order_textual_sends_them() -> None:
    """ "ctrl+ctrl+u" loaded, showed "ctrl+^u" in the footer and never fired; "shift+ctrl+x"
    never fired either, Textual sending it as "ctrl+shift+x"."""
    assert key_name("shift+ctrl+x") == key_name("Ctrl+Shift+x") == "ctrl+shift+x"
    assert key_name("ctrl+alt+x") == "alt+ctrl+x"
    for twice in ("ctrl+ctrl+u", "shift+shift+x", "alt+ctrl+alt+x"):
        with pytest.raises(KeymapError, match="names a modifier twice"):
            key_name(twice)


async def test_shift_and_a_letter_in_the_keymap_is_the_capital_letter(tmp_path: Path) -> None:
    """ "shift+x" was taken as a key of its own, which a terminal never sends (it sends X):
    the binding never fired and X was left unbound. It is X; "shift+1" is refused."""
    assert key_name("shift+x") == key_name("Shift+X") == "X"
    with pytest.raises(KeymapError, match='write the character shift types with it \\("!" on a US'):
        key_name("shift+1")
    with pytest.raises(KeymapError, match="write the character shift types"):
        key_name("shift+ß")  # (its capital is two letters: no key)
    config = _config_with_keys(tmp_path, '"app.help" = "shift+x"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("X")
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen)


def _config_with_keys(tmp_path: Path, keys: str) -> Config:
    """The embedded default (network sources off) with `keys` as its [keys] table, read as a
    config file's is."""
    path = tmp_path / "keys.toml"
    path.write_text(f"[keys]\n{keys}\n")
    config = seed_only_config(tmp_path)
    config.keys = load_config(path, FROZEN).keys
    return config


@pytest.mark.parametrize(
    ("written", "pressed"),
    [
        ("F2", "f2"),  # as the keys' table writes them
        ("^x", "ctrl+x"),  # as ? and the footer show them
        ("Ctrl+X", "ctrl+x"),
        ("del", "delete"),
        ("alt+U", "alt+shift+u"),  # escape and a capital, as Textual names it
        ("ctrl+space", "ctrl+@"),  # the NUL a terminal sends for it
        ("€", "euro_sign"),
        ("euro_sign", "euro_sign"),  # as ? shows it
    ],
)
async def test_a_key_written_in_any_spelling_the_config_takes_fires(
    tmp_path: Path, written: str, pressed: str
) -> None:
    """ "F2", "^x", "⏎" or "shift+x" loaded, showed in the footer, and never fired: the
    bindings were given the keys as written, and Textual matches its own names only. A key
    the config takes is the key the terminal sends."""
    config = _config_with_keys(tmp_path, f'"app.help" = "{written}"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press(pressed)
        await pilot.pause(0.1)
        assert isinstance(app.screen, HelpScreen), written


async def test_escape_closes_the_filter_prompt_whatever_key_closes_the_article(
    tmp_path: Path,
) -> None:
    """ "article.close" = "h" (vim's left, beside "l" to open) took escape from the filter
    prompt too: escape did nothing there and h was typed. The prompt has a cancel key of its
    own (filter.cancel, escape), which keeps the filter in force."""
    config = _config_with_keys(tmp_path, '"article.open" = "l"\n"article.close" = "h"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("slash", "t", "a", "r")
        await pilot.pause(0.1)
        bar = app.screen.query_one(FilterBar)
        assert bar.display and bar.query_one(Input).value.endswith("tar")
        await pilot.press("escape")
        await pilot.pause(0.1)
        assert not bar.display
        assert isinstance(app.focused, HeadlineList)


def test_ctrl_space_is_ctrl_at_and_alt_and_a_capital_is_alt_shift() -> None:
    """A terminal sends ctrl+space as NUL, which Textual names ctrl+@: given to two bindings,
    the two were accepted and the key did one of them. Alt and a capital arrives as
    alt+shift and the letter."""
    with pytest.raises(KeymapError, match="is also the key of"):
        check_keymap({"app.help": "ctrl+space", "article.star": "ctrl+@"})
    assert key_list("ctrl+at") == ["ctrl+@"]
    # alt and a capital is alt+shift, as the terminal sends it; in title case it is no shift
    assert key_name("alt+U") == "alt+shift+u" and key_name("Alt+X") == key_name("ALT+x") == "alt+x"


def test_a_character_key_shown_by_its_name_can_be_written_so() -> None:
    """? shows € as "euro_sign" and < as "less_than_sign" (Textual's names): written back
    into [keys] they were "not a key name"."""
    assert key_name("euro_sign") == key_name("€") == "euro_sign"
    assert key_name("less_than_sign") == key_name("<")
    assert shown("euro_sign") == "€" and shown(key_name("<")) == "<"
    with pytest.raises(KeymapError, match="not a key name"):
        key_name("latin_small_letter_a")  # (a letter is written as itself)
    # a name of many words, read back as the config stores it: "⋳" loaded, then the
    # dashboard failed as it read its own stored name again
    long = key_name("⋳")
    assert long.count("_") > 8 and key_name(long) == long and shown(long) == "⋳"


async def _pane_of_one_article(tmp_path: Path, keys: dict[str, str]) -> str:
    """The screen of a dashboard over one article with no full text, under `keys`."""
    from fetchers.models import Article
    from fetchers.store import Store

    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="a",
                    source="Wire",
                    title="Summit set for Gyeongju",
                    link="https://wire.example/a",
                    summary="Leaders meet next week.",
                    fetched=FROZEN,
                    published=FROZEN,
                )
            ]
        )
    config = seed_only_config(tmp_path)
    config.keys = keys
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.pause(0.2)
        return screen_text(app)


async def test_the_article_pane_names_the_keys_in_force(tmp_path: Path) -> None:
    """A remapped key is the one the pane's hints name ("press w", not the default f)."""
    shot = await _pane_of_one_article(tmp_path, {"article.full_text": "w"})
    assert "Summary only: press w to fetch the full text." in shot


async def test_hints_of_a_binding_unbound_name_no_key_that_is_not_there(tmp_path: Path) -> None:
    """`"event.suggest" = ""` read "(press (no key) to add it)" under a suggested countdown,
    and `"events.add" = ""` "(no key) adds" in the events list's footer: the suggestion is
    shown without the key part, and the footer and the empty countdown leave it out."""
    from fetchers.config import seeds_dir

    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    for source in config.sources:
        source.enabled = source.path is not None
    config.events = []  # nothing counted down to yet: the story suggests countdowns
    config.keys = {"event.suggest": "", "events.add": ""}
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("g")  # the seed story, listed first
        await settle(app, pilot)
        shot = screen_text(app)
        assert "Suggested countdown: Asia-Pacific Economic Cooperation summit" in shot
        assert "No events: [[events]] in the config adds one." in shot
        assert "to add it" not in shot and "(no key)" not in shot
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        await pilot.pause()
        footer = str(app.screen.query_one("#picker-footer", Static).render())
        assert footer == "enter filters · e edits · d removes · esc closes"


async def test_the_article_pane_says_to_fetch_a_text_from_the_palette_with_its_key_unbound(
    tmp_path: Path,
) -> None:
    """`"article.full_text" = ""` read "Summary only: press (no key) to fetch the full
    text."; the palette is its way in, and the pane says so."""
    shot = await _pane_of_one_article(tmp_path, {"article.full_text": ""})
    assert "Summary only: use the palette (ctrl+p) to fetch the full text." in shot
    assert "(no key)" not in shot


async def test_the_alerts_hints_leave_out_a_rules_history_key_unbound(tmp_path: Path) -> None:
    """`"alerts.rule_history" = ""`: the alerts window's hint read "(no key) lists its
    alerts"; it names the keys there are."""
    config = seed_only_config(tmp_path)
    config.keys = {"alerts.rule_history": ""}
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("exclamation_mark")
        await until(pilot, lambda: isinstance(app.screen, AlertsScreen))
        await pilot.pause(0.2)
        shot = screen_text(app)
        assert "enter on an alert shows its article · enter on a rule filters to it" in shot
        assert "lists its alerts" not in shot and "(no key)" not in shot


def test_every_row_of_the_action_table_does_something_and_has_one_id() -> None:
    """A row without an action or a label would be a key that does nothing or shows blank;
    two rows with one id would make a remapping ambiguous."""
    assert len(ACTIONS) == len(KEY_BINDINGS)
    assert [b.id for b in KEY_BINDINGS if not (b.action and b.label and b.does)] == []


def test_the_config_check_knows_every_binding_of_the_dashboard() -> None:
    """fetchers.keymap checks [keys] at load; it must list exactly the ids the app declares."""
    declared: dict[str, str] = {}
    for owner in (
        WirewatchApp,
        DashboardScreen,
        HeadlineList,
        ArticleView,
        Countdown,
        EventsScreen,
        EventForm,
        PickerScreen,
        StoryTimelineScreen,
        HelpScreen,
        RevisionsScreen,
        FilterBar,
        AlertsScreen,
        RuleForm,
    ):
        for binding in owner.BINDINGS:
            assert isinstance(binding, Binding)
            if binding.id:
                declared[binding.id] = binding.key
    assert declared == {b.id: b.keys for b in KEY_BINDINGS}


def test_every_key_as_the_keys_screen_shows_it_can_be_given_in_the_config(
    tmp_path: Path,
) -> None:
    """`?` shows "pgdn ^f", "⏎", "esc" and "del"; copied into [keys] they were refused, and
    "↓" was taken for a key of its own (then neither down nor j moved): each key as shown is
    the key it shows."""
    app = make_app(tmp_path)
    for action in KEY_BINDINGS:
        for key in keys_in_force({})[action.id]:
            shown = app.get_key_display(Binding(key, action.action))
            assert key_name(shown) == key_name(key), (action.id, key, shown)
    for mods in ("", "ctrl+", "shift+", "alt+", "ctrl+shift+", "ctrl+alt+"):  # any remapping
        for base in ("x", "plus", "down", "pagedown", "enter", "question_mark"):
            shown = app.get_key_display(Binding(mods + base, "x"))
            if mods == "shift+" and base in ("plus", "question_mark"):  # no key: refused
                for written in (shown, mods + base):
                    with pytest.raises(KeymapError, match="write the character shift types"):
                        key_name(written)
                continue
            assert key_name(shown) == key_name(mods + base), (mods + base, shown)
    config = tmp_path / "wirewatch.toml"
    config.write_text('[keys]\n"headlines.down" = "↓,j"\n"headlines.page_down" = "pgdn,^f"\n')
    keys = load_config(config, FROZEN).keys
    assert keys_in_force(keys)["headlines.down"] == ["down", "j"]
    assert keys_in_force(keys)["headlines.page_down"] == ["pagedown", "ctrl+f"]
    # a name in any case, as the README's table writes F8 (it was refused: "not a key name")
    config.write_text('[keys]\n"app.screenshot" = "F9"\n"article.close" = "ESC,Ctrl+W"\n')
    keys = load_config(config, FROZEN).keys
    assert keys_in_force(keys)["app.screenshot"] == ["f9"]
    assert keys_in_force(keys)["article.close"] == ["escape", "ctrl+w"]


async def test_help_shows_each_binding_id_with_the_keys_in_force(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.keys = {"app.quit": "x,ctrl+x"}
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("question_mark")
        await pilot.pause(0.2)
        assert isinstance(app.screen, HelpScreen)
        lines = screen_text(app).splitlines()
        # (the screenshot's text drops the blank cells between columns)
        assert any(re.search(r"x \^x\s*Quit\s*app\.quit", line) for line in lines)
        assert any(re.search(r"/\s*Filter prompt\s*filter\.prompt", line) for line in lines)
        saved = next(line for line in lines if "filter.saved1" in line)
        assert "Saved filter: tariff OR trade" in saved
        assert not any("Saved filter 9" in line for line in lines)  # not set in [filters]
        for _ in range(5):  # the rest of the help, a page at a time
            await pilot.press("pagedown")
            await pilot.pause(0.2)
            lines += screen_text(app).splitlines()
        for binding_id in (
            "events.choose",
            "events.add",
            "picker.down",
            "help.close",
            "alerts.mute",
            "rule_form.cancel",
            "revisions.close",
        ):
            assert any(binding_id in line for line in lines), binding_id


async def test_command_palette_offers_actions_sources_and_events(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.sources.append(
        Source("[b]Bold[/b] Wire", url="https://ed:s3cret@wire.example/rss", enabled=False)
    )
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await palette_search(pilot, "bold")
        shot = screen_text(app)
        assert "Filter to source: [b]Bold[/b] Wire" in shot  # not read as markup
        assert "https://ed:***@wire.example/rss" in shot and "s3cret" not in shot
        await pilot.press("ctrl+u")
        for key in "apec":
            await pilot.press(key)
        await pilot.pause(0.5)
        assert "Filter to event: APEC Economic Leaders" in screen_text(app)
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert dash(app).query_text == "APEC OR Gyeongju OR tag:apec"


async def test_the_palette_shows_a_key_in_capitals_beside_its_action(tmp_path: Path) -> None:
    """The palette's hint for "Source health" is its key, `H`: Textual's markup escape left
    "[H]" alone and the palette read it as a style tag and showed no key, as it did for
    every key in capitals and an event's query such as "[LIVE] x"."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await palette_search(pilot, "health")
        assert "[H]" in screen_text(app)


async def test_the_palette_offers_one_keys_entry(tmp_path: Path) -> None:
    """wirewatch's "Keys" (the keys in force, with their ids), not Textual's beside it."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await palette_search(pilot, "keys")
        shot = screen_text(app)
        assert "Every key binding in force" in shot
        assert "Show help for the focused widget" not in shot  # Textual's own "Keys"


@pytest.mark.parametrize(
    ("home", "folder_mode", "saved_in", "note"),
    [
        pytest.param("no downloads", None, "data", " ({} does not exist)", id="no-downloads"),
        pytest.param("downloads", None, "downloads", "", id="downloads"),
        pytest.param("unknown", None, "data", "", id="no-home"),
        pytest.param("no downloads", 0o700, "data", " ({} does not exist)", id="private"),
        pytest.param("no downloads", 0o2770, "data", " ({} does not exist)", id="group-shared"),
    ],
)
async def test_f8_saves_the_screenshot_where_it_says(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    home: str,
    folder_mode: int | None,
    saved_in: str,
    note: str,
) -> None:
    """In the Downloads folder, else in the data dir (most servers have no Downloads; a
    user with no passwd entry and no HOME, a container's random uid, crashed F8), the notice
    saying where. Saved in the data dir, the screenshot of the headlines and the article
    open was anyone's to read (0644 under the usual umask) beside articles kept for their
    user alone (or a group sharing the folder): it has their mode."""
    downloads = tmp_path / "home" / "Downloads"  # not there, as on most servers
    if home == "unknown":
        import platformdirs

        def no_home() -> Path:
            raise RuntimeError("could not determine the home directory")

        monkeypatch.setattr(platformdirs, "user_downloads_path", no_home)
    else:
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(downloads))
    data = tmp_path / "data"
    if folder_mode is not None:
        data.mkdir()
        data.chmod(folder_mode)
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        if home == "downloads":  # made with the dashboard open: looked for at each F8
            downloads.mkdir(parents=True)
        since = seen(app).mark()
        await pilot.press("f8")
        await seen(app).wait_for(DeliveryComplete, since=since)
        await pilot.pause()
        notice = str(list(app._notifications)[-1].message)
    (saved,) = (data if saved_in == "data" else downloads).glob("wirewatch_*.svg")
    assert saved.read_text("utf-8").startswith("<svg")
    assert notice == f"Saved the screenshot to {saved}{note.format(downloads)}"
    if saved_in == "data":
        articles = next(data.glob("articles-*.json"))
        assert stat.S_IMODE(saved.stat().st_mode) == stat.S_IMODE(articles.stat().st_mode)
        assert stat.S_IMODE(saved.stat().st_mode) & 0o007 == 0


async def test_the_f8_screenshot_loads_nothing_from_outside(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rich's SVG fetched its font from cdnjs.cloudflare.com whenever the screenshot was
    opened; it names local fonts only, and still shows the screen's text."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "home" / "Downloads"))
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        since = seen(app).mark()
        await pilot.press("f8")
        await seen(app).wait_for(DeliveryComplete, since=since)
    (saved,) = (tmp_path / "data").glob("wirewatch_*.svg")
    svg = saved.read_text("utf-8")
    assert "@font-face" not in svg and "url(" not in svg.replace("url(#", ""), svg[:2000]
    assert "monospace" in svg and "Quit" in svg


async def test_question_mark_opens_the_help(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        assert "Quit" in help_text and "Filter" in help_text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)


async def test_the_footer_is_rebuilt_only_when_its_keys_change(tmp_path: Path) -> None:
    """A screen says its bindings may have changed at every focus change and state change;
    rebuilding the footer each time held the event loop tens of milliseconds while the
    store loaded. The keys must still follow the focus."""
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        footer = dashboard.query_one(KeyFooter)
        before = footer.rebuilds
        for _ in range(5):
            dashboard.refresh_bindings()
            await pilot.pause()
        assert footer.rebuilds == before
        shown = footer_keys(footer)
        await pilot.press("slash")  # the filter bar takes the focus: its own keys show
        await pilot.pause()
        await pilot.pause()
        assert footer.rebuilds == before + 1
        assert footer_keys(footer) != shown
        await pilot.press("escape")
        await pilot.pause()
        await pilot.pause()
        assert footer_keys(footer) == shown


async def test_a_remapped_key_keeps_its_place_in_the_footer(tmp_path: Path) -> None:
    """Quit on x and the keys screen on q: Textual's keymap moved both after every other
    key, so the footer showed them last, and at 80 columns not at all."""
    shown: dict[str, list[str]] = {}
    for name, keys in (("default", {}), ("remapped", {"app.quit": "x", "app.help": "q"})):
        config = seed_only_config(tmp_path / name)
        config.keys = keys
        app = make_app(tmp_path / name, config)
        async with piloted(app, (160, 50)) as pilot:
            dashboard = await settle(app, pilot, want=6)
            shown[name] = footer_keys(dashboard.query_one(KeyFooter))
    assert "Quit=q" in shown["default"] and "Quit=x" in shown["remapped"]
    swapped = [
        {"Quit=q": "Quit=x", "Keys=question_mark": "Keys=q"}.get(k, k) for k in shown["default"]
    ]
    assert shown["remapped"] == swapped


async def test_the_footer_shows_whole_keys_at_any_width(tmp_path: Path) -> None:
    """At 80 columns the footer cut its last key mid-word under the palette's key ("f Fu▏^p
    palette"): it leaves out whole the keys it has no room for, and shows them again once
    the terminal is wide enough."""
    app = make_app(tmp_path)
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        footer = dashboard.query_one(KeyFooter)
        await pilot.pause()
        shown, hidden = shown_and_hidden(footer)
        assert shown[:2] == ["Quit", "Keys"] and hidden  # the first keys; the rest left out
        palette = footer.query_one(".-command-palette")
        for key in footer.query(FooterKey):
            if key.display and key is not palette:
                assert key.region.right <= palette.region.x, key.description
        await pilot.resize_terminal(200, 24)
        await pilot.pause()
        await pilot.pause()
        wide, left_out = shown_and_hidden(footer)
        assert wide[: len(shown)] == shown and not left_out
        await pilot.resize_terminal(60, 24)
        await pilot.pause()
        await pilot.pause()
        narrow, _ = shown_and_hidden(footer)
        assert narrow == shown[: len(narrow)] and len(narrow) < len(shown)


def shown_and_hidden(footer: KeyFooter) -> tuple[list[str], list[str]]:
    """The descriptions of the footer's keys shown and of those left out, the palette's key
    apart."""
    keys = [key for key in footer.query(FooterKey) if not key.has_class("-command-palette")]
    return [k.description for k in keys if k.display], [
        k.description for k in keys if not k.display
    ]


def footer_keys(footer: KeyFooter) -> list[str]:
    """The keys the footer shows, each with its label."""
    return [f"{key.description}={key.key}" for key in footer.query(FooterKey)]


async def test_escape_and_a_key_typed_ahead_in_one_read_are_both_taken(tmp_path: Path) -> None:
    """A terminal sends alt+j as escape then j: escape and j typed ahead in one read (over a
    slow link) arrived as alt+j, which nothing binds, and both were lost. An alt+key nothing
    binds is taken as the two keys it was sent as."""
    from tests.conftest import settle, until

    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app, (80, 24)) as pilot:  # (narrow: enter opens the article over all)
        dashboard = await settle(app, pilot, want=6)
        first = dashboard.headlines.cursor
        await pilot.press("enter")
        await until(pilot, lambda: app.screen.has_class("reading"))
        await pilot.press("alt+j")
        await until(pilot, lambda: not app.screen.has_class("reading"))
        await until(pilot, lambda: dashboard.headlines.cursor == first + 1)
        # in a field being typed in, alt+b is a word back (option+left on macOS), never escape
        await pilot.press("slash", "t", "alt+b")
        await pilot.pause()
        assert dashboard.query_one(FilterBar).display


def read_in_one_go(app: WirewatchApp, sent: str) -> None:
    """Deliver `sent` as the app's terminal driver does when it arrives in one read: through
    the parser that driver reads keys with, each key posted to the app in turn."""
    from textual.drivers import linux_driver

    parser = linux_driver.XTermParser(False)
    driver = app._driver
    assert driver is not None
    for event in [*parser.feed(sent), *parser.feed("")]:  # (the end: escape waits no more)
        event.set_sender(app)
        driver.send_message(event)


async def test_escape_typed_ahead_of_a_symbol_or_into_the_prompt_is_taken(
    tmp_path: Path,
) -> None:
    """Escape and the key after it in one read: the terminal's parser dropped the escape
    before a symbol (escape then `/` was `/`), and in the filter prompt escape then j typed
    j. Each is escape, then the key, whatever has the focus."""
    from tests.conftest import until

    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app, (80, 24)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        prompt = dashboard.query_one(FilterBar)
        first = dashboard.headlines.cursor
        await pilot.press("slash", *"tarif")
        read_in_one_go(app, "\x1bj")
        await until(pilot, lambda: not prompt.display)
        await until(pilot, lambda: dashboard.headlines.cursor == first + 1)
        assert "tarifj" not in prompt.query_one(Input).value
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        read_in_one_go(app, "\x1b/")  # the help closes, then the prompt opens
        await until(pilot, lambda: app.screen is dashboard and prompt.display)
        # escape then b or f in the prompt stays a word move, as macOS sends option+arrows
        await pilot.press(*"tarif")
        read_in_one_go(app, "\x1bb")
        await pilot.pause()
        assert prompt.display and prompt.query_one(Input).cursor_position == 0


async def test_escape_typed_ahead_of_a_symbol_closes_the_article_first(tmp_path: Path) -> None:
    """At 40x12 the article covers the headlines: escape then `?` opened the help over the
    article, and escape then `*` starred it, with the article left open."""
    from tests.conftest import until

    app = make_app(tmp_path, seed_only_config(tmp_path))
    app.read_after = 3600  # only the key marks it
    async with piloted(app, (40, 12)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("enter")
        await until(pilot, lambda: dashboard.has_class("reading"))
        read_in_one_go(app, "\x1b?")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert not dashboard.has_class("reading")
        await pilot.press("escape", "enter")
        await until(pilot, lambda: dashboard.has_class("reading"))
        current = dashboard.headlines.current_id
        assert current is not None

        def starred() -> bool:
            article = dashboard.session.get(current)
            return article is not None and article.starred

        read_in_one_go(app, "\x1b*")
        await until(pilot, lambda: not dashboard.has_class("reading"))
        await until(pilot, starred)
        await pilot.press("enter")
        await until(pilot, lambda: dashboard.has_class("reading"))
        read_in_one_go(app, "\x1bG")  # a capital: the last headline, the article closed
        headlines = dashboard.headlines
        await until(pilot, lambda: headlines.cursor == len(headlines.ids) - 1)
        assert not dashboard.has_class("reading")


def test_escape_and_a_character_read_together_are_alt_and_that_character() -> None:
    """What the app splits back into escape and the key: every printable character after an
    escape is alt and that character, but b and f (option and an arrow on macOS); the
    sequences of keys of their own keep their names."""
    from textual.drivers import linux_driver

    from tui.keyorder import use_typed_ahead_parser

    use_typed_ahead_parser()

    def keys(sent: str) -> list[tuple[str, str | None]]:
        parser = linux_driver.XTermParser(False)
        return [
            (event.key, event.character)
            for event in [*parser.feed(sent), *parser.feed("")]
            if isinstance(event, Key)
        ]

    for character in map(chr, range(0x21, 0x7F)):
        if character in "bf":  # what macOS terminals send for option and an arrow
            continue
        alone = keys(character)[0][0]
        name = f"shift+{alone.lower()}" if alone.isupper() else alone  # (alt+shift+a for A)
        assert keys("\x1b" + character) == [(f"alt+{name}", character)]
    assert keys("\x1b1") == [("alt+1", "1")]  # (not ¡, a macOS option key)
    assert keys("\x1bb") == [("ctrl+left", None)]  # option+left: nothing on the dashboard
    assert keys("\x1bf") == [("ctrl+right", None)]  # (read as escape then f, it fetched)
    assert keys("\x1b ") == [("alt+space", " ")]
    assert keys("\x1b[A") == keys("\x1bOA") == [("up", None)]
    assert keys("\x1b[1;3D") == [("alt+left", None)]
    assert keys("\x1b\x7f") == [("ctrl+w", None)]  # alt+backspace: a word back, as before
    assert keys("\x1b\x1b[B") == [("escape", "\x1b"), ("down", None)]


async def test_a_keymap_that_gave_ctrl_z_to_another_binding_still_loads_and_keeps_it(
    tmp_path: Path,
) -> None:
    """ctrl+z suspends by default, but a config that gave it to a binding of its own before
    (here: to quit) loaded then and must load now, its binding doing what it says."""
    from fetchers.keymap import check_keymap

    check_keymap({"app.quit": "ctrl+z"})  # (refused as "also the key of app.suspend")
    config = seed_only_config(tmp_path)
    config.keys = {"app.quit": "ctrl+z"}
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("ctrl+z")
        await pilot.pause(0.1)
    assert not app.is_running


async def test_escape_leaves_a_picker_s_find_whatever_key_closes_the_picker(
    tmp_path: Path,
) -> None:
    """ "picker.close" = "q" (newsboat's, vim's): after `/` in a picker, escape did nothing
    and q was typed into the find; only tab then q got out. Escape clears what was typed,
    then leaves the find; the picker's own close key closes it from the list."""
    from textual.widgets import OptionList

    from tui.screens.picker import FindField

    config = _config_with_keys(tmp_path, '"picker.close" = "q"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        picker = app.screen
        find = picker.query_one(FindField)
        await pilot.press("slash", "z", "z")
        await pilot.pause()
        assert find.display and find.value == "zz"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is picker and find.value == "" and not find.display
        assert isinstance(app.focused, OptionList)
        await pilot.press("slash", "escape")  # nothing typed: the find left, still open
        await pilot.pause()
        assert app.screen is picker and not find.display
        await pilot.press("q")
        await pilot.pause()
        assert app.screen is not picker


@pytest.mark.parametrize(
    ("written", "sent"),
    [("alt+b", "\x1bb"), ("alt+f", "\x1bf"), ("alt+backspace", "\x1b\x7f"), ("alt+tab", "\x1b\t")],
)
async def test_an_alt_key_textual_reads_as_another_fires_when_it_is_bound(
    tmp_path: Path, written: str, sent: str
) -> None:
    """alt+b and alt+f (emacs's word keys) loaded, showed in the footer and never fired: the
    terminal sends escape then b, which Textual reads as ctrl+left (macOS's option+left);
    escape then backspace as ctrl+w, escape then tab as shift+tab. Bound, each is the alt key."""
    config = _config_with_keys(tmp_path, f'"app.help" = "{written}"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        read_in_one_go(app, sent)
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))


async def test_escape_then_b_unbound_stays_a_word_move_in_the_prompt(tmp_path: Path) -> None:
    """With no alt+b bound, escape then b is still the word move macOS terminals send for
    option and left (in the filter prompt, the cursor a word back)."""
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("slash", *"one two")
        field = dashboard.query_one(FilterBar).query_one(Input)
        await until(pilot, lambda: field.value.endswith("one two"))
        end = field.cursor_position
        read_in_one_go(app, "\x1bb")
        await until(pilot, lambda: field.cursor_position == end - 3)


async def test_the_no_shell_notice_names_the_suspend_and_quit_keys_in_force(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no shell to come back to, the notice said "ctrl+z suspends … (q quits)" with
    quit on x and suspend on f9: it names the keys in force."""
    import os

    def no_parent() -> int:
        raise OSError  # (no shell's job to come back to: the notice, never a real stop)

    monkeypatch.setattr(os, "getppid", no_parent)
    config = _config_with_keys(tmp_path, '"app.quit" = "x"\n"app.suspend" = "f9"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("f9")
        await pilot.pause(0.1)
        said = [notice.message for notice in app._notifications]
        assert said == [
            "No shell to come back to: f9 suspends a dashboard started from a shell (x quits)."
        ]


@pytest.mark.parametrize("key", ["ctrl+pagedown", "ctrl+pageup", "left", "right"])
async def test_a_shown_binding_on_a_key_the_panes_scroll_with_stays_in_the_footer(
    tmp_path: Path, key: str
) -> None:
    """ "article.star" = "ctrl+pagedown": the star worked, but "Star" left the footer, the
    focused pane's own (hidden) scroll binding of the key standing in its place."""
    from tui.messages import MarksChanged

    config = _config_with_keys(tmp_path, f'"article.star" = "{key}"')
    app = make_app(tmp_path, config)
    app.read_after = 3600  # only the key marks it
    async with piloted(app, (200, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        assert isinstance(app.focused, HeadlineList)
        await pilot.pause()
        assert f"Star={key}" in footer_keys(dashboard.query_one(KeyFooter))
        current = dashboard.headlines.current_id
        await pilot.press(key)  # (and it stars, as the footer says)
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        article = dashboard.session.get(current or "")
        assert article is not None and article.starred


async def test_a_reload_that_changes_the_keys_or_theme_says_they_wait_for_a_restart(
    tmp_path: Path,
) -> None:
    """The running dashboard keeps its keys and theme (as the README says), but the reload's
    notice said only "read again": the new keys did nothing and nothing said why."""
    from tests.conftest import rss
    from tui.messages import ConfigReread, PollerReady

    feed = tmp_path / "f.xml"
    feed.write_bytes(rss("<title>Headline</title><guid>g-1</guid>"))
    path = tmp_path / "wirewatch.toml"
    source = f'[[sources]]\nname = "Desk"\npath = "{feed}"\n'
    path.write_text(source, "utf-8")
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        since = seen(app).mark()
        path.write_text(f'[settings]\ntheme = "nord"\n[keys]\n"app.quit" = "x"\n{source}', "utf-8")
        await seen(app).wait_for(ConfigReread, since=since)
        await pilot.pause()
        (told,) = [str(n.message) for n in app._notifications if "read again" in str(n.message)]
    assert told.splitlines() == [
        "The config file changed and was read again (1 source).",
        "The change to [keys] and the theme takes effect at the next start.",
    ]


def test_the_keys_screen_lists_a_key_a_timeline_binding_took_for_it_alone() -> None:
    """ "timeline.revisions" = "r": under a story's articles `?` listed r for the refresh
    and for the diff, and r ran the diff there. It is listed where it runs."""
    from tui.actions import help_sections

    def keys_of(remap: dict[str, str]) -> dict[str, str]:
        sections = dict(help_sections(remap, {}, lambda binding: binding.key))
        return {ident: keys for keys, _, ident in sections["A story's articles (enter on a story)"]}

    assert keys_of({})["poll.refresh"] == "r"
    listed = keys_of({"timeline.revisions": "r"})
    assert listed["timeline.revisions"] == "r" and "poll.refresh" not in listed


@pytest.mark.parametrize(
    ("key", "wanted"), [("s", "Find=slash"), ("question_mark", "Close=escape"), ("e", "Add=a")]
)
async def test_a_window_over_the_dashboard_shows_its_own_keys_at_the_bottom(
    tmp_path: Path, key: str, wanted: str
) -> None:
    """With a picker, the keys screen or the events list open, the bottom line still showed
    the dashboard's keys ("q Quit … / Filter"), where q closes the window and / finds in its
    list: each shows its own."""
    from tests.conftest import settle, until

    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press(key)
        await until(pilot, lambda: app.screen is not dashboard)
        await pilot.pause()
        footers = list(app.screen.query(KeyFooter))
        assert footers, "no footer of its own"
        shown = footer_keys(footers[0])
        assert wanted in shown and "Quit=q" not in shown and "Filter=slash" not in shown


def test_a_binding_given_no_key_or_several_loads_and_errors_are_said_at_once(
    tmp_path: Path,
) -> None:
    """ "" unbinds (newsboat's unbind-key), a list gives several keys, a list key its own
    list has for the same job included (`"picker.down" = "ctrl+n,down"` was refused: "down
    moves in the list there"); a way out of a window can't be unbound, and every error is
    said at once."""
    from fetchers.config import ConfigError

    path = tmp_path / "wirewatch.toml"
    path.write_text('[keys]\n"app.quit" = ""\n"app.help" = "q"\n"picker.down" = "ctrl+n,down"\n')
    keys = load_config(path, FROZEN).keys
    force = keys_in_force(keys)
    assert force["app.quit"] == [] and force["app.help"] == ["q"]
    assert force["picker.down"] == ["ctrl+n", "down"]
    path.write_text(
        '[keys]\n"help.close" = ""\n"app.help" = "q"\n"picker.up" = "ctrl+p,up"\n'
        '"picker.first" = "ctrl+g,down"\n"app.events" = ",,"\n'
    )
    with pytest.raises(ConfigError) as said:
        load_config(path, FROZEN)
    told = str(said.value)
    assert '"help.close": it is the way out of This help' in told
    assert '"app.help": "q" is also the key of app.quit' in told and '(or "" for none)' in told
    assert '"picker.up": "ctrl+p" opens the command palette everywhere' in told
    assert '"picker.first": "down" moves in or picks from the list there' in told
    assert '"app.events": give at least one key, such as "x" or "ctrl+x"' in told
    assert '","' in told  # (the comma key, said as before)


def test_the_article_panes_way_out_unbound_is_said_to_be_the_article_panes(
    tmp_path: Path,
) -> None:
    """`"article.close" = ""` was refused as "the way out of Dashboard": it closes the
    article pane (and the filter), which the error names."""
    from fetchers.config import ConfigError

    path = tmp_path / "wirewatch.toml"
    path.write_text('[keys]\n"article.close" = ""\n')
    with pytest.raises(ConfigError) as said:
        load_config(path, FROZEN)
    told = str(said.value)
    assert '"article.close": it is the way out of the article pane (and the filter)' in told
    assert "Dashboard" not in told


async def test_a_key_unbound_does_nothing_and_is_in_neither_the_footer_nor_the_help(
    tmp_path: Path,
) -> None:
    """`"app.quit" = ""`: q does nothing (no quitting by accident on a monitoring host),
    the footer and `?` leave it out, a key freed so goes to what else has it, and ctrl+q
    still quits."""
    config = _config_with_keys(tmp_path, '"app.quit" = ""\n"filter.unread" = ""')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        shown = footer_keys(dashboard.query_one(KeyFooter))
        assert not any(k.startswith("Quit=") or k.startswith("Unread=") for k in shown), shown
        assert "Keys=question_mark" in shown
        await pilot.press("q", "u")
        await pilot.pause(0.2)
        assert app.is_running and app.screen is dashboard
        assert not dashboard.query_one(FilterBar).display
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        for _ in range(5):
            await pilot.press("pagedown")
            await pilot.pause(0.1)
            text += screen_text(app)
        assert re.search(r"Keys in force: this help\s*app\.help", text)
        assert not re.search(r"Quit\s*app\.quit", text) and "filter.unread" not in text
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is dashboard)
        await pilot.press("slash", "q")  # typed into the prompt, as before
        await pilot.pause(0.1)
        assert dashboard.query_one(FilterBar).query_one(Input).value == "q"
        await pilot.press("escape")
        assert not dashboard.unread_only  # (u did nothing)
        await palette_search(pilot, "toggle unread")  # the palette runs it, no key said
        assert "Hide headlines already read" in screen_text(app)
        assert not re.search(r"already read\s*\[", screen_text(app))
        await pilot.press("enter")
        await until(pilot, lambda: dashboard.unread_only)
        await pilot.press("ctrl+q")
        await pilot.pause(0.2)
    assert not app.is_running


async def test_a_binding_given_two_keys_acts_on_both(tmp_path: Path) -> None:
    """`"picker.down" = "ctrl+n,down"` (emacs's and the arrow): both move down in the
    sources picker, and `?` lists both."""
    from textual.widgets import OptionList

    config = _config_with_keys(tmp_path, '"picker.down" = "ctrl+n,down"\n"app.help" = "f2,?"')
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        shown = footer_keys(dashboard.query_one(KeyFooter))
        assert "Keys=f2" in shown and "Keys=question_mark" not in shown  # the first key
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        listed = app.screen.query_one(OptionList)
        start = listed.highlighted or 0
        await pilot.press("ctrl+n")
        await until(pilot, lambda: listed.highlighted == start + 1)
        await pilot.press("down")
        await until(pilot, lambda: listed.highlighted == start + 2)
        await pilot.press("escape", "f2")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        text = screen_text(app)
        assert re.search(r"f2 \?\s*Keys in force", text), text[:2000]
        await pilot.press("escape", "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        for _ in range(5):
            await pilot.press("pagedown")
            await pilot.pause(0.1)
            text += screen_text(app)
        assert re.search(r"\^n ↓\s*Next row\s*picker\.down", text)


async def test_a_screenshot_that_cannot_be_written_says_why_in_words(tmp_path: Path) -> None:
    """F8 where the file cannot be written (a read-only data dir): the notice gave Python's
    "[Errno 30] Read-only file system: '…'"; it names the file and says why in words."""
    folder = tmp_path / "shots"
    (folder / "shot.svg").mkdir(parents=True)  # (root writes anywhere: a folder in its way)
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        since = seen(app).mark()
        app.action_screenshot("shot.svg", str(folder))
        await seen(app).wait_for(DeliveryFailed, since=since)
        await pilot.pause()
        notice = str(list(app._notifications)[-1].message)
    assert notice == f"The screenshot could not be saved: {folder / 'shot.svg'}: Is a directory"
