"""The dashboard's colours: wirewatch's own dark and light themes, and which theme is in use.

Every text colour of both themes reaches WCAG AA (4.5:1) on the background it is drawn on, the
selected row included, in truecolor and in 256 colours. The theme in use comes from
`[settings] theme`; one picked in the command palette is kept in the data dir and wins until
the config's `theme` changes."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import orjson
from textual.theme import BUILTIN_THEMES, Theme

from fetchers.atomic import atomic_write_bytes
from fetchers.config import Config, ConfigError
from fetchers.store.errors import DATA_DIR_MODE

# Every colour is one of the xterm 256-colour palette's, so a terminal without truecolor
# shows the same colours (and the same contrast), not the nearest ones.
DARK = Theme(
    name="wirewatch-dark",
    primary="#5fafff",
    secondary="#5fd7af",
    accent="#d7afff",
    warning="#ffd75f",
    error="#ff8787",
    success="#87d787",
    foreground="#e4e4e4",
    background="#121212",
    surface="#1c1c1c",
    panel="#262626",
    dark=True,
    variables={
        "text-muted": "#a8a8a8",
        "text-primary": "#5fafff",
        "text-secondary": "#5fd7af",
        "text-accent": "#d7afff",
        "text-warning": "#ffd75f",
        "text-error": "#ff8787",
        "text-success": "#87d787",
        "primary-muted": "#626262",
        "border": "#5fafff",
        "border-blurred": "#626262",
        "block-cursor-foreground": "#ffffff",
        "block-cursor-background": "#005f87",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-foreground": "#e4e4e4",
        "block-cursor-blurred-background": "#3a3a3a",
        "footer-background": "#262626",
        "footer-key-foreground": "#ffd75f",
        "footer-description-foreground": "#e4e4e4",
        "input-cursor-foreground": "#121212",
        "input-cursor-background": "#e4e4e4",
    },
)

LIGHT = Theme(
    name="wirewatch-light",
    primary="#005faf",
    secondary="#005f5f",
    accent="#5f00af",
    warning="#875f00",
    error="#af0000",
    success="#005f00",
    foreground="#1c1c1c",
    background="#ffffff",
    surface="#ffffff",
    panel="#e4e4e4",
    dark=False,
    variables={
        "text-muted": "#4e4e4e",
        "text-primary": "#005faf",
        "text-secondary": "#005f5f",
        "text-accent": "#5f00af",
        "text-warning": "#875f00",
        "text-error": "#af0000",
        "text-success": "#005f00",
        "primary-muted": "#8a8a8a",
        "border": "#005faf",
        "border-blurred": "#8a8a8a",
        "block-cursor-foreground": "#ffffff",
        "block-cursor-background": "#005faf",
        "block-cursor-text-style": "bold",
        "block-cursor-blurred-foreground": "#1c1c1c",
        "block-cursor-blurred-background": "#d0d0d0",
        "footer-background": "#e4e4e4",
        "footer-key-foreground": "#005faf",
        "footer-description-foreground": "#1c1c1c",
        "input-cursor-foreground": "#ffffff",
        "input-cursor-background": "#1c1c1c",
    },
)

THEMES = (DARK, LIGHT)

# The selected row in a terminal of 16 colours (TERM=xterm, TERM=linux): reduced to 16, every
# cursor background of both themes is "bright black" (SGR 100), which the Linux console
# draws as black, the dark theme's background: the selected row could not be seen. Blue and
# white are drawn alike by every terminal of 16 colours.
SIXTEEN_COLOUR_CURSOR = {
    "block-cursor-foreground": "#ffffff",
    "block-cursor-background": "#0000aa",
    "block-cursor-blurred-foreground": "#aaaaaa",
    "block-cursor-blurred-background": "#0000aa",
    "input-cursor-foreground": "#000000",
    "input-cursor-background": "#aaaaaa",
}


def for_terminal(theme: Theme, color_system: str | None) -> Theme:
    """`theme` as a terminal of `color_system` (Rich's name for it) is given it: with its
    selected row in `SIXTEEN_COLOUR_CURSOR` where it has 16 colours."""
    if color_system != "standard":
        return theme
    return replace(theme, variables={**theme.variables, **SIXTEEN_COLOUR_CURSOR})


def terminal_colours() -> int | None:
    """The colours the terminal named by $TERM has, as its terminfo entry says (-1: none, as
    for vt100 or xterm-mono); None when no entry can be read. Rich cannot tell: it takes
    every terminal that claims neither 256 colours nor truecolor for one of 16."""
    try:
        import curses
    except ImportError:  # a Python without curses (Windows)
        return None
    try:
        # setupterm writes nothing: any descriptor will do, the terminal's is Textual's
        with open(os.devnull, "wb") as nowhere:
            curses.setupterm(None, nowhere.fileno())
        return curses.tigetnum("colors")
    except curses.error:  # no terminfo entry for $TERM (or $TERM unset)
        return None


def colourless(color_system: str | None) -> bool:
    """Whether the terminal shows no colours at all, the theme's shades of grey included:
    a cursor or a focus told apart by colour alone is invisible there."""
    if color_system in ("truecolor", "256"):
        return False
    colours = terminal_colours()
    return colours is not None and colours < 8


DEFAULT_THEME = DARK.name
CHOICE_FILE = "theme.json"


def theme_names() -> list[str]:
    """wirewatch's themes, then Textual's own, as the command palette offers them."""
    return [t.name for t in THEMES] + sorted(BUILTIN_THEMES)


def check_theme(config: Config) -> None:
    """An unknown `[settings] theme` is a config error naming the key, like any other. A
    name in other case ("Nord", as the palette writes it) is the theme of that name: key
    names take any case, and `theme = "Nord"` was refused."""
    name = config.settings.theme
    if name is None or name in theme_names():
        return
    alike = {known.casefold(): known for known in theme_names()}.get(name.casefold())
    if alike is not None:
        config.settings.theme = alike
        return
    raise ConfigError(
        f"{config.path}: settings.theme: no theme {name!r} (known: {', '.join(theme_names())})"
    )


def chosen_theme(config: Config, data_dir: Path) -> str:
    """The palette's last choice while the config's `theme` is what it was then, else the
    config's `theme`, else wirewatch's dark theme."""
    configured = config.settings.theme
    try:
        saved = orjson.loads((data_dir / CHOICE_FILE).read_bytes())
    except (OSError, orjson.JSONDecodeError):
        saved = None
    if (
        isinstance(saved, dict)
        and saved.get("theme") in theme_names()
        and saved.get("config_theme") == configured
    ):
        return str(saved["theme"])
    return configured or DEFAULT_THEME


def save_choice(config: Config, data_dir: Path, name: str) -> None:
    """Keep a theme picked in the palette (in a thread: it writes a file)."""
    data_dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
    record = {"theme": name, "config_theme": config.settings.theme}
    atomic_write_bytes(data_dir / CHOICE_FILE, orjson.dumps(record))
