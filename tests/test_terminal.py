"""The real `wirewatch` command in a real terminal, driven through tmux."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.procs import descendants, running
from tests.tmux import SEED, capture, new_session, quit_and_wait, wait_for

pytestmark = [
    pytest.mark.tmux,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def start_dashboard(tmp_path: Path, config: Path, env: str, size: tuple[int, int]) -> str:
    """Run `wirewatch` in a new detached tmux session of `size`; returns the session's name.
    The shell stays 30 s after it quits, so the screen can be read."""
    wirewatch = Path(sys.executable).parent / "wirewatch"
    session = f"ww-{uuid.uuid4().hex[:8]}"
    command = (
        f"env -u COLUMNS -u LINES {env} {wirewatch} "
        f"--config {config} --data-dir {tmp_path / 'data'}; sleep 30"
    )
    new_session(session, size[0], size[1], command)
    width, height = str(size[0]), str(size[1])
    subprocess.run(
        ["tmux", "resize-window", "-t", session, "-x", width, "-y", height], capture_output=True
    )
    return session


def test_dashboard_in_tmux_filters_and_quits(tmp_path: Path) -> None:
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ntimezone = "Asia/Seoul"\n'
        f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n'
        f'[[events]]\nname = "APEC Leaders"\nwhen = "2025-10-31 09:00"\ntz = "Asia/Seoul"\n'
    )
    session = start_dashboard(
        tmp_path, config, "TERM=xterm-256color WIREWATCH_NOW=2025-10-24T08:00:00Z", (160, 50)
    )
    try:
        screen = wait_for(session, "Hybe partners with LAFC")
        assert "T-6d 16:00:00" in screen
        assert "6 of 6" in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "/"], check=True)
        time.sleep(0.5)
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "sticking"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "1 of 6")
        screen = wait_for(session, "South Korea and the United States remain far apart")
        assert "filter: sticking" in screen
        assert "Hybe partners with LAFC" not in screen
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


@pytest.mark.parametrize(
    "env",
    [
        "TERM=xterm-256color NO_COLOR=1",
        "TERM=screen",
        "TERM=tmux-256color",
        "TERM=xterm-256color LANG=C LC_ALL=C",
    ],
)
def test_dashboard_is_readable_on_plain_terminals(tmp_path: Path, env: str) -> None:
    """NO_COLOR, screen/tmux terminfo and the C locale: the text is there and q quits."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    session = start_dashboard(
        tmp_path, config, f"-u COLORTERM {env} WIREWATCH_NOW=2025-10-24T08:00:00Z", (120, 40)
    )
    try:
        screen = wait_for(session, "Hybe partners with LAFC")
        assert "6 of 6" in screen
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def _in_reverse_video(line: str) -> str:
    """The characters of a line captured with its escapes (`capture-pane -e`) that the
    terminal draws in reverse video."""
    drawn, reverse, start = [], False, 0
    for sgr in SGR.finditer(line):
        if reverse:
            drawn.append(line[start : sgr.start()])
        start = sgr.end()
        params = sgr.group(1).split(";") if sgr.group(1) else ["0"]
        at = 0
        while at < len(params):
            if params[at] in ("38", "48", "58"):  # a colour: its number(s) are no attributes
                at += 3 if params[at + 1 : at + 2] == ["5"] else 5
                continue
            if params[at] in ("", "0", "27"):
                reverse = False
            elif params[at] == "7":
                reverse = True
            at += 1
    if reverse:
        drawn.append(line[start:])
    return "".join(drawn)


def _has_words(text: str) -> bool:
    return any(character.isalnum() for character in text)


def test_a_terminal_without_colour_shows_the_selected_row_and_the_focused_pane(
    tmp_path: Path,
) -> None:
    """TERM=xterm-mono: Rich takes it for a terminal of 16 colours, so the selected headline
    was white on blue (shown there as bold text, like every unread row) and the focused
    pane's border only brighter. Its terminfo entry has no colours: the selected row is in
    reverse video, and follows j, and the focused pane's border is double."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    checkout = Path(__file__).resolve().parent.parent
    session = start_dashboard(
        tmp_path,
        config,
        f"-u COLORTERM -u NO_COLOR TERM=xterm-mono PYTHONPATH={checkout} "
        "WIREWATCH_NOW=2025-10-24T08:00:00Z",
        (120, 40),
    )

    def rows_in_reverse() -> list[int]:
        escaped = subprocess.run(
            ["tmux", "capture-pane", "-e", "-p", "-t", session],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        # (a scrollbar is drawn in reverse video too: a row in reverse is one of words)
        lines = escaped.splitlines()
        return [y for y, line in enumerate(lines) if _has_words(_in_reverse_video(line))]

    try:
        screen = wait_for(session, "Hybe partners with LAFC")
        assert "╔═ Headlines" in screen and "╭─ Countdown" in screen
        first = screen.splitlines().index(next(ln for ln in screen.splitlines() if "╔" in ln))
        assert rows_in_reverse() == [first + 1]  # the first headline's row, under the border
        subprocess.run(["tmux", "send-keys", "-t", session, "j"], check=True)
        deadline = time.monotonic() + 10
        while rows_in_reverse() != [first + 2] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert rows_in_reverse() == [first + 2]
        subprocess.run(["tmux", "send-keys", "-t", session, "Tab"], check=True)
        wait_for(session, "╔═ Countdown")
        assert "╭─ Headlines" in capture(session)
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_killed_dashboard_leaves_no_parser_processes(tmp_path: Path) -> None:
    """SIGKILL (an OOM kill, a dropped container): the fork server and its parser go too."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    session = start_dashboard(tmp_path, config, "TERM=xterm-256color", (160, 50))
    try:
        wait_for(session, "Headlines")
        shell = int(
            subprocess.run(
                ["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        deadline = time.monotonic() + 20
        tree = descendants(shell)
        while len(tree) < 4 and time.monotonic() < deadline:  # app, tracker, server, parser
            time.sleep(0.2)
            tree = descendants(shell)
        app, *helpers = tree
        assert len(helpers) >= 2, tree
        subprocess.run(["kill", "-KILL", str(app)], check=True)
        deadline = time.monotonic() + 5
        while any(running(p) for p in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [p for p in helpers if running(p)] == []
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_keys_sent_in_one_write_keep_their_order_across_tab(tmp_path: Path) -> None:
    """Over SSH a whole burst arrives in one read: the keys after a tab (or after `a`, which
    opens the form) go to the field that has focus by then, not the one before it."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(
        f'[settings]\ntimezone = "Asia/Seoul"\n[[sources]]\nname = "Seed"\npath = "{SEED}"\n'
    )
    checkout = Path(__file__).resolve().parent.parent
    session = start_dashboard(
        tmp_path,
        config,
        f"TERM=xterm-256color PYTHONPATH={checkout} WIREWATCH_NOW=2025-10-24T08:00:00Z",
        (160, 50),
    )
    try:
        wait_for(session, "Hybe partners with LAFC")
        # one write: e opens the events list, a the form, then name, tab, time
        burst = "eaTariff deadline\tnext Tuesday 3pm KST"
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", burst], check=True)
        screen = wait_for(session, "→ Tue 2025-10-28 15:00 KST")
        assert "Tariff deadlinenext" not in screen
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_for(session, "Added Tariff deadline")
        assert "T-3d 22:00:00" in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_escape_and_the_key_after_it_sent_in_one_write_are_both_taken(tmp_path: Path) -> None:
    """Escape and a key in one write (typed ahead over a slow link) reach the app as alt and
    that key: in the filter prompt escape then j typed j, and escape then `/` lost the
    escape. Escape closes the prompt or the help, then the key does its work."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    checkout = Path(__file__).resolve().parent.parent
    session = start_dashboard(
        tmp_path,
        config,
        f"TERM=xterm-256color PYTHONPATH={checkout} WIREWATCH_NOW=2025-10-24T08:00:00Z",
        (100, 30),
    )

    def send(*args: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", session, *args], check=True)

    try:
        wait_for(session, "Hybe partners with LAFC")
        send("/")
        wait_for(session, "^r Sort")  # the prompt's footer
        send("-l", "tarif")
        wait_for(session, "▊  tarif")
        send("-H", "1b", "6a")  # escape, j
        screen = wait_for(session, "q Quit")  # the dashboard's footer: the prompt closed
        assert "tarifj" not in screen
        send("?")
        wait_for(session, "Keys in force")
        send("-H", "1b", "2f")  # escape, /
        screen = wait_for(session, "tariff OR APEC")  # the empty prompt's example
        assert "Keys in force" not in screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_o_gives_the_terminal_to_a_text_browser_until_it_ends(tmp_path: Path) -> None:
    """A text browser named in $BROWSER drew over the dashboard, which kept reading every
    key (none reached the browser), and with no display it was not run at all: the
    dashboard gives the terminal up to it until it ends, then comes back."""
    feed = tmp_path / "feed.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>W</title><item>'
        "<title>Talks resume in Geneva</title><link>https://news.example/talks</link>"
        "<guid>1</guid></item></channel></rss>"
    )
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\npath = "{feed}"\n')
    seen_link = tmp_path / "browsed.txt"
    browser = tmp_path / "w3m"  # a text browser by its name, whatever it draws
    browser.write_text(
        f'#!/bin/sh\nprintf "%s" "$1" > {seen_link}\necho "TEXT BROWSER: press enter"\n'
        'read answer < /dev/tty\nprintf %s "$answer" >> ' + str(seen_link) + "\n"
    )
    browser.chmod(0o755)
    session = start_dashboard(
        tmp_path,
        config,
        f"-u DISPLAY -u WAYLAND_DISPLAY TERM=xterm-256color BROWSER={browser}",
        (120, 40),
    )
    try:
        wait_for(session, "Talks resume in Geneva")
        subprocess.run(["tmux", "send-keys", "-t", session, "o"], check=True)
        wait_for(session, "TEXT BROWSER: press enter")
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "xyz"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "Opened https://news.example/talks")
        # the keys typed went to the browser, none to the dashboard (x: no such key there)
        assert seen_link.read_text() == "https://news.example/talksxyz"
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def _in_a_shell(tmp_path: Path) -> tuple[str, str]:
    """A tmux session running an interactive shell, and the command line that starts the
    dashboard on the seed there (then says how it exited)."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    wirewatch = Path(sys.executable).parent / "wirewatch"
    session = f"ww-{uuid.uuid4().hex[:8]}"
    new_session(session, 120, 40, "env -u COLUMNS -u LINES TERM=xterm-256color bash --norc -i")
    line = (
        f"WIREWATCH_NOW=2025-10-24T08:00:00Z {wirewatch} --config {config}"
        f" --data-dir {tmp_path / 'data'}; echo EXIT=$?"
    )
    return session, line


def _dashboard_in(session: str) -> int:
    """The pid of the dashboard the session's pane runs (under its shell)."""
    shell = subprocess.run(
        ["tmux", "display-message", "-p", "-t", session, "#{pane_pid}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    return descendants(int(shell))[0]


def _terminal_state(session: str) -> str:
    """The pane's alternate screen, mouse reporting and cursor, as tmux holds them."""
    return subprocess.run(
        ["tmux", "display-message", "-p", "-t", session,
         "#{alternate_on} #{mouse_any_flag} #{cursor_flag}"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip


def test_sigterm_quits_the_dashboard_as_q_does_and_gives_the_terminal_back(
    tmp_path: Path,
) -> None:
    """`kill PID`: the dashboard died at once with 143, the terminal left on its screen with
    the cursor hidden and the mouse reporting into the shell (its prompt unseen). It quits
    as `q` does, exit 0, and the shell has its terminal back."""
    session, line = _in_a_shell(tmp_path)
    try:
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", line], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "Hybe partners with LAFC")
        app = _dashboard_in(session)
        subprocess.run(["kill", "-TERM", str(app)], check=True)
        wait_for(session, "EXIT=0")
        assert _terminal_state(session) == "0 0 1"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_ctrl_z_suspends_the_dashboard_to_the_shell_and_fg_brings_it_back(
    tmp_path: Path,
) -> None:
    """^Z did nothing (the dashboard reads the keyboard raw), and what was typed next, as at
    a shell, ran the dashboard's keys."""
    session, line = _in_a_shell(tmp_path)
    line = line.removesuffix("; echo EXIT=$?")  # (a list goes on past a stopped job)
    try:
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", line], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "Hybe partners with LAFC")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-z"], check=True)
        wait_for(session, "Stopped")
        assert _terminal_state(session) == "0 0 1"
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "fg"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "Hybe partners with LAFC")
        quit_and_wait(session)
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", "echo EXIT=$?"], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        wait_for(session, "EXIT=0")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


@pytest.mark.parametrize(
    ("redirect", "needle"),
    [("2>{log}", "through stderr, which goes elsewhere"), ("", "TERM=dumb")],
)
def test_a_terminal_the_dashboard_cannot_draw_on_is_said_exit_2(
    tmp_path: Path, redirect: str, needle: str
) -> None:
    """`wirewatch 2>>errors.log` showed a blank terminal and wrote every frame into the log;
    TERM=dumb (an editor's shell buffer) was drawn on as an xterm. Each is said, exit 2."""
    session, line = _in_a_shell(tmp_path)
    log = tmp_path / "errors.log"
    dashboard = line.removesuffix("; echo EXIT=$?")
    if redirect:
        line = f"{dashboard} {redirect.format(log=log)}; echo EXIT=$?"
    else:
        line = f"TERM=dumb {line}"
    try:
        subprocess.run(["tmux", "send-keys", "-t", session, "-l", line], check=True)
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        screen = wait_for(session, "EXIT=2")
        said = log.read_text() if redirect else screen
        assert needle in said.replace("\n", "")
        assert not (tmp_path / "data" / "writer.lock").exists()
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_ctrl_z_with_no_shell_to_come_back_to_says_so_and_goes_on(tmp_path: Path) -> None:
    """Started with no shell to `fg` it (`ssh -t host wirewatch`, `xterm -e wirewatch`: here
    a tmux pane of its own), ctrl+z stopped the dashboard for good, its screen frozen."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    session = start_dashboard(tmp_path, config, "TERM=xterm-256color", (120, 40))
    try:
        wait_for(session, "Hybe partners with LAFC")
        subprocess.run(["tmux", "send-keys", "-t", session, "C-z"], check=True)
        wait_for(session, "No shell to come back to")
        quit_and_wait(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


@pytest.mark.parametrize("quit_first", [True, False])
def test_a_dashboard_whose_terminal_hangs_up_leaves_no_process(
    tmp_path: Path, quit_first: bool
) -> None:
    """The terminal closed (a tmux session killed, an SSH connection dropped) as the
    dashboard quits, or while it runs: the process stayed, waiting at its exit for Textual's
    input thread, which read the dead terminal at half a core for good."""
    config = tmp_path / "wirewatch.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{SEED}"\n')
    session = start_dashboard(tmp_path, config, "TERM=xterm-256color", (120, 40))
    try:
        wait_for(session, "Hybe partners with LAFC")
        app = _dashboard_in(session)
        if quit_first:
            subprocess.run(["tmux", "send-keys", "-t", session, "q"], check=True)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    deadline = time.monotonic() + 20
    while running(app) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not running(app)
