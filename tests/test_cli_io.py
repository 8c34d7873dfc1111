"""The command line where scripts and cron run it: no home directory, standard streams
closed, a locale that is not UTF-8."""

from __future__ import annotations

import json
import os
import pwd
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.conftest import FeedServer, Route, rss
from tests.procs import readable
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent
STORY = ROOT / "seeds" / "000_8890db16bdd93803.txt"  # a local source of six articles


def _local_config(tmp_path: Path) -> Path:
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Yonhap"\npath = "{STORY}"\n')
    return config


def _program(*args: str, closed: str) -> subprocess.CompletedProcess[bytes]:
    """`wirewatch ARGS` as a shell runs it with a standard stream closed (`closed`: "2>&-",
    say), its output captured."""
    return subprocess.run(
        ["sh", "-c", f'exec "$@" {closed}', "sh", sys.executable, "-m", "tui", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=120,
    )


def test_explicit_paths_need_no_home_directory_and_a_default_one_says_what_gives_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cron job's user with no HOME and no passwd entry: every command, `--version`
    too, was a traceback from the help text naming the default paths, though --config
    and --data-dir were given. They need no home; a default that does is one line, exit 2."""
    config = _local_config(tmp_path)
    data = tmp_path / "d"
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME"):
        monkeypatch.delenv(name, raising=False)

    def no_such_user(uid: int) -> pwd.struct_passwd:
        raise KeyError(f"getpwuid(): uid not found: {uid}")

    monkeypatch.setattr(pwd, "getpwuid", no_such_user)
    with pytest.raises(SystemExit) as version:
        main(["--version"])
    assert version.value.code == 0 and "wirewatch" in capsys.readouterr().out
    given = ["--config", str(config), "--data-dir", str(data)]
    assert main([*given, "refresh"]) == 0
    assert "6 new articles" in capsys.readouterr().out
    assert main([*given, "list", "--json"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 6
    for without, option in (
        (["--data-dir", str(data)], "--config FILE"),
        (["--config", str(config)], "--data-dir DIR"),
    ):
        assert main([*without, "list"]) == 2
        said = capsys.readouterr().err
        assert said.count("\n") == 1 and "no home directory" in said and option in said


def test_a_closed_stderr_drops_messages_and_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`refresh 2>&-` stored nothing and exited 1 (an AttributeError no one saw), and the
    messages of `list --json 2>&-` went to stdout, among the JSON lines."""
    config = _local_config(tmp_path)
    given = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    refreshed = _program(*given, "refresh", closed="2>&-")
    assert refreshed.returncode == 0
    assert b"1 source polled, 0 failed, 6 new articles" in refreshed.stdout
    monkeypatch.setattr(sys, "stderr", None)
    assert main([*given, "list", "--json", "-source:Nope"]) == 0  # (said: it hides nothing)
    out = capsys.readouterr().out
    assert len(out.splitlines()) == 6 and all(json.loads(line) for line in out.splitlines())


def test_poll_with_stdout_closed_stops_on_sigterm_with_exit_0(tmp_path: Path) -> None:
    """`poll >&-` (a service that sends no output anywhere) exited 2, "cannot write the
    output", on a clean SIGTERM: it writes nothing to stdout, so nothing failed. A file
    it opens does not take the closed stdout's number either (its log did)."""
    config = _local_config(tmp_path)
    log = tmp_path / "poll.log"
    poller = subprocess.Popen(
        ["sh", "-c", 'exec "$@" >&-', "sh", sys.executable, "-m", "tui", "--config"]
        + [str(config), "--data-dir", str(tmp_path / "d"), "poll", "--log", str(log)],
        cwd=ROOT,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while "stories:" not in (log.read_text() if log.exists() else ""):
            assert poller.poll() is None and time.monotonic() < deadline, "poll did not start"
            time.sleep(0.1)
        assert os.readlink(f"/proc/{poller.pid}/fd/1") == os.devnull
        poller.send_signal(signal.SIGTERM)
        assert poller.wait(timeout=60) == 0
    finally:
        if poller.poll() is None:
            poller.kill()
            poller.wait()


def test_a_closed_stdin_is_said_with_exit_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    feed_server: FeedServer,
) -> None:
    """`extract <&-`, `import-opml - <&-`, the dashboard and `add` of a page offering two
    feeds, each with stdin closed, were an AttributeError traceback and exit 1 (a source
    failed, for a script). Each says what is wrong, exit 2, and changes nothing."""
    config = _local_config(tmp_path)
    before = config.read_text()
    data = tmp_path / "d"
    feed_server.add("/a.xml", Route(rss("<title>a</title>", title="A news")))
    feed_server.add("/b.xml", Route(rss("<title>b</title>", title="B news")))
    page = feed_server.add(
        "/",
        Route(
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/a.xml">'
            b'<link rel="alternate" type="application/rss+xml" href="/b.xml"></head></html>',
            headers={"Content-Type": "text/html"},
        ),
    )
    monkeypatch.setattr(sys, "stdin", None)
    given = ["--config", str(config), "--data-dir", str(data)]
    for command, said in (
        (["extract"], "standard input is closed"),
        (["import-opml", "-"], "standard input is closed"),
        ([], "needs a terminal"),
        (["add", page], "--all"),
    ):
        assert main([*given, *command]) == 2, command
        err = capsys.readouterr().err
        assert said in err and "Traceback" not in err, command
    assert config.read_text() == before and not data.exists()


def test_export_opml_is_utf8_whatever_the_locale(tmp_path: Path) -> None:
    """In a Latin-1 locale the file said encoding="utf-8" but held "Café Zürich" in Latin-1
    bytes (not well-formed XML) and a "?" for each Korean or Cyrillic letter."""
    names = ["Café Zürich", "연합뉴스", "Правда"]
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nurl = "https://f{n}.example/rss"\n'
            for n, name in enumerate(names)
        ),
        "utf-8",
    )
    exported = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "export-opml"],
        cwd=ROOT,
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "latin-1"},
        timeout=120,
    )
    assert exported.returncode == 0, exported.stderr
    assert exported.stdout.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    outlines = ET.fromstring(exported.stdout).iter("outline")
    assert [outline.get("text") for outline in outlines] == names


def test_the_dashboard_in_a_locale_that_is_not_utf8_says_so_and_takes_nothing(
    tmp_path: Path,
) -> None:
    """In a Latin-1 locale the dashboard drew every border and every Korean character as a
    literal "\\u2500" escape. It says it needs a UTF-8 locale, exit 2, as for TERM=dumb."""
    import pty

    config = _local_config(tmp_path)
    data = tmp_path / "d"
    leader, follower = pty.openpty()
    dashboard = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)],
        cwd=ROOT,
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env={**os.environ, "TERM": "xterm-256color", "PYTHONIOENCODING": "latin-1"},
    )
    os.close(follower)
    shown = b""
    deadline = time.monotonic() + 60
    try:
        while time.monotonic() < deadline:
            ready = readable(leader, 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the program ended: its terminal is gone
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if dashboard.poll() is None:
            dashboard.kill()
        code = dashboard.wait(timeout=60)
        os.close(leader)
    said = b" ".join(shown.split())  # (the terminal wraps the line)
    assert code == 2 and b"UTF-8 locale" in said and b"LC_ALL=C.UTF-8" in said
    assert not (data / "writer.lock").exists()
