"""Which browser `o` opens a link in: a text browser in the terminal, or a graphical one.

A newsboat user names a text browser in $BROWSER (`w3m`, `lynx`): it runs in the terminal,
so the dashboard gives the terminal up to it until it ends (while both read the keys, none
reached the browser), and it does so over SSH or without a display, where a graphical
browser cannot open at all.

Where no browser can take the link it is copied instead, and inside tmux that goes through
tmux itself: by default (`set-clipboard external`) tmux drops the clipboard sequence (OSC 52)
an application in a pane writes, so the terminal outside never got the link."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import webbrowser
from pathlib import Path

# browsers that draw in the terminal they are started from
TEXT_BROWSERS = frozenset({"w3m", "lynx", "links", "links2", "elinks", "browsh", "carbonyl"})
TMUX_WAIT = 3.0  # seconds `tmux set-buffer` has to answer (a wedged server does not hang `o`)


def terminal_browser(link: str) -> list[str] | None:
    """The command that opens `link` in the terminal: $BROWSER's first command (as Python's
    webbrowser reads the variable, "%s" standing for the link) when it is a text browser, or
    when there is no display for any other; None when the link goes to a graphical browser
    or none."""
    first = os.environ.get("BROWSER", "").split(os.pathsep)[0].strip()
    try:
        words = shlex.split(first)
    except ValueError:  # an unmatched quote: no command to run
        return None
    if not words or shutil.which(words[0]) is None:
        return None
    graphical = os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if Path(words[0]).name not in TEXT_BROWSERS and graphical:
        return None
    if any("%s" in word for word in words):
        return [word.replace("%s", link) for word in words]
    return [*words, link]


def has_browser() -> bool:
    """A graphical browser helps only on the machine in front of the user, not over SSH."""
    if os.environ.get("SSH_CONNECTION") or os.environ.get("SSH_TTY"):
        return False
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) and not shutil.which(
        "open"
    ):
        return False
    try:
        webbrowser.get()
    except webbrowser.Error:
        return False
    return True


def copy_in_tmux(link: str) -> bool:
    """Inside tmux ($TMUX set), put `link` in tmux's paste buffer and have tmux send it on to
    the outer terminal's clipboard (`set-buffer -w`, which it does under `set-clipboard`
    external or on, where the terminal supports OSC 52). False outside tmux, without a
    `tmux` command, or when tmux refused: the caller copies with OSC 52 instead. Blocks up
    to TMUX_WAIT seconds: call it off the event loop."""
    if not os.environ.get("TMUX"):
        return False
    tmux = shutil.which("tmux")
    if tmux is None:
        return False
    try:
        done = subprocess.run(
            [tmux, "set-buffer", "-w", "--", link],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TMUX_WAIT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0
