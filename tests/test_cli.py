"""The command line: JSON shapes of the contract, options before and after the command."""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from fetchers.healthbook import HealthBook
from fetchers.store import Store
from tests.conftest import FeedServer, Route, make, rss
from tests.procs import descendants
from tests.procs import running as is_running
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent

NOW = "2025-10-24T17:00:00+09:00"
UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    return code, lines, out + err


@pytest.fixture
def seeded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A data dir holding the seed story (the real feeds fail fast without a network)."""
    config = tmp_path / "local.toml"
    seeds = Path(__file__).resolve().parent.parent / "seeds"
    config.write_text(
        f'[settings]\ntimezone = "Asia/Seoul"\n[[sources]]\nname = "Yonhap via Korea Herald"\n'
        f'path = "{seeds / "000_8890db16bdd93803.txt"}"\n'
        f'[[events]]\nname = "APEC"\nwhen = "2025-10-31 09:00"\ntz = "Asia/Seoul"\n'
        f'query = "APEC"\n[[events]]\nname = "Broken"\nwhen = "13/13/2025"\n'
    )
    code, lines, _ = run(
        capsys,
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "d"),
        "--now",
        NOW,
        "refresh",
        "--json",
    )
    assert code == 0
    assert lines == [
        {
            "name": "Yonhap via Korea Herald",
            "status": "ok",
            "http_status": None,
            "new": 6,
            "revised": 0,
            "items": 6,
            "latency_ms": None,
            "error": None,
        }
    ]
    return config


def test_list_json_shape(seeded: Path, tmp_path: Path, capsys) -> None:
    code, lines, _ = run(
        capsys,
        "list",
        "--json",
        "--config",
        str(seeded),
        "--data-dir",
        str(tmp_path / "d"),
        "--now",
        NOW,
        "tariff",
    )
    assert code == 0
    assert len(lines) == 2
    for line in lines:
        assert list(line) == [
            "id",
            "source",
            "title",
            "link",
            "published",
            "fetched",
            "summary",
            "tags",
            "read",
            "starred",
        ]
        assert line["fetched"] == "2025-10-24T08:00:00Z"
    seed = next(line for line in lines if line["published"])
    assert seed["published"] == "2025-10-24T07:05:00Z"
    assert seed["title"].startswith("S. Korea, US remain far apart")


def test_the_seed_story_a_held_clock_stored_stays_on_the_real_clock(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    """The README's demo (`--now` on the seed story's day) first, then wirewatch on the real
    clock: the real clock's retention dropped the six articles (stored as fetched that day,
    over a year back), and what their source listed refused them for good ("0 new of 6" at
    every refresh after, `--now` too). They stay, and the held clock still shows them."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    for _ in range(2):
        code, lines, _ = run(capsys, *where, "refresh", "--json")
        assert code == 0
        assert [(line["new"], line["items"]) for line in lines] == [(0, 6)]
        assert len(run(capsys, *where, "list", "--json")[1]) == 6
    held = run(capsys, *where, "--now", NOW, "list", "--json")[1]
    assert len(held) == 6
    assert {line["fetched"] for line in held} == {"2025-10-24T08:00:00Z"}
    assert run(capsys, *where, "--now", NOW, "refresh", "--json")[1][0]["new"] == 0


LIST_IN_A_FRESH_PROCESS = """
import sys
from tui.cli import main
code = main(sys.argv[1:])
heavy = ("httpx", "asyncio", "lxml", "fetchers.poller", "fetchers.feeds", "fetchers.extract",
         "fetchers.keymap")
print(code, sorted(name for name in heavy if name in sys.modules))
"""


def test_a_reader_of_a_data_dir_that_does_not_exist_says_so_and_makes_none(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--data-dir` mistyped: `list`, `stories` and `alerts` made the folder, printed nothing
    and exited 0, as for an empty store. They say nothing is stored there, and make nothing."""
    typo = tmp_path / "typo" / "d"
    for command in ("list", "stories", "alerts"):
        code, lines, said = run(capsys, "--config", str(seeded), "--data-dir", str(typo), command)
        assert code == 0 and lines == []
        assert f"nothing is stored at {typo}: no such folder" in said, command
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize(
    ("holder", "said"),
    [
        ("refresh", "a refresh; run this again once it is done"),
        ("poll", "it polls on its own, so there is nothing to do here"),
    ],
)
def test_a_refresh_beside_another_writer_says_what_that_writer_is(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], holder: str, said: str
) -> None:
    """Two refreshes at once: the second said the first "polls on its own, so there is
    nothing to do here", though a refresh ends by itself; it says to run it again."""
    data = tmp_path / "d"
    hold = (
        "import fcntl, os, sys, time\n"
        "h = open(sys.argv[1], 'a+'); fcntl.flock(h, fcntl.LOCK_EX)\n"
        "h.seek(0); h.truncate(); h.write(str(os.getpid())); h.flush()\n"
        "print('held', flush=True); time.sleep(60)\n"
    )
    writer = subprocess.Popen(
        [sys.executable, "-c", hold, str(data / "writer.lock"), holder],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "held\n"
        code, _, out = run(capsys, "--config", str(seeded), "--data-dir", str(data), "refresh")
    finally:
        writer.kill()
        writer.wait()
    assert code == 2 and f"(pid {writer.pid})" in out and said in out


@pytest.mark.parametrize("command", [["list"], ["list", "--json"], ["events"]])
def test_output_that_cannot_be_written_is_said_with_exit_2(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """`list > /dev/full` ended in a traceback and exit 1 (a source failed, for a script that
    reads the code), and `show ID >&-` in an AttributeError. It is said in a line, exit 2."""
    import errno

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError(errno.ENOSPC, "No space left on device")

    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    for stdout in (Full(), None):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(sys, "stdout", stdout)
            code = main([*where, *command])
        said = capsys.readouterr().err
        assert code == 2 and "Traceback" not in said
        assert "cannot write the output: " in said and (
            "No space left on device" in said or "standard output is closed" in said
        )


@pytest.mark.parametrize("args", [["list", "--limit"], ["list", "tariff", "--sort"]])
def test_an_option_of_a_query_without_its_value_says_it_expects_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    """`list --limit` said "invalid int value: ''" and `list tariff --sort` "invalid choice:
    ''", as if an empty value had been given."""
    with pytest.raises(SystemExit) as stopped:
        main(["--data-dir", str(tmp_path / "d"), *args])
    assert stopped.value.code == 2
    assert f"argument {args[-1]}: expected one argument" in capsys.readouterr().err


def test_list_cuts_a_long_source_name_with_an_ellipsis(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    """A source name longer than its column was cut at 18 characters with nothing to say
    so ("Yonhap via Korea H"): two sources sharing those looked one."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    code, _, out = run(capsys, *where, "list", "--limit", "1")
    assert code == 0
    (line,) = out.splitlines()
    assert "  Yonhap via Korea …  " in line


def test_list_marks_unread_and_starred_each_in_a_column(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    """A starred article showed "*" whether read or not: unread ones show N, starred ones
    * beside it."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    (first,) = run(capsys, *where, "list", "--limit", "1")[2].splitlines()
    ident = first.split()[0]
    with Store(tmp_path / "d") as store:
        store.set_state([ident], starred=True)
    (line,) = run(capsys, *where, "list", "--limit", "1")[2].splitlines()
    assert line.startswith(f"{ident}  N* ")
    with Store(tmp_path / "d") as store:
        store.set_state([ident], read=True)
    (line,) = run(capsys, *where, "list", "--limit", "1")[2].splitlines()
    assert line.startswith(f"{ident}   * ")


def test_list_starts_without_the_poller_stack(seeded: Path, tmp_path: Path) -> None:
    """`list` reads the store and prints: the HTTP client, the event loop, the feed parsers
    and the article extractors (most of the start-up time) are never imported for it, nor
    the check of key bindings its config does not have."""
    done = subprocess.run(
        [sys.executable, "-c", LIST_IN_A_FRESH_PROCESS, "--config", str(seeded)]
        + ["--data-dir", str(tmp_path / "d"), "--now", NOW, "list", "--json", "tariff"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert done.stdout.splitlines()[-1] == "0 []"
    assert done.stdout.count('"source"') == 2  # and it did list


def test_global_options_before_the_command(seeded: Path, tmp_path: Path, capsys) -> None:
    code, lines, _ = run(
        capsys,
        "--config",
        str(seeded),
        "--data-dir",
        str(tmp_path / "d"),
        "list",
        "--limit",
        "1",
        "--json",
    )
    assert code == 0 and len(lines) == 1


def test_show_json_adds_the_text(seeded: Path, tmp_path: Path, capsys) -> None:
    args = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    _, lines, _ = run(capsys, "list", "sticking", "--json", *args)
    code, shown, _ = run(capsys, "show", lines[0]["id"], "--json", *args)
    assert code == 0
    assert shown[0]["text"].endswith("(Yonhap)")
    assert "Most Commented" not in shown[0]["text"]
    code, _, output = run(capsys, "show", "nope", *args)
    assert code == 2 and "no article" in output


def test_show_takes_the_start_of_an_id_that_one_article_has(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    """`show 258a` said "no article": an id's first characters, as `git show` takes a
    commit's, name the one article whose id starts with them; several are named."""
    args = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    _, lines, _ = run(capsys, "list", "--json", *args)
    ids = [line["id"] for line in lines]
    whole = ids[0]
    start = next(
        whole[:n] for n in range(4, len(whole)) if sum(i.startswith(whole[:n]) for i in ids) == 1
    )
    code, shown, _ = run(capsys, "show", start, "--json", *args)
    assert code == 0 and shown[0]["id"] == whole
    code, shown, _ = run(capsys, "show", start.upper(), "--json", *args)  # (any case)
    assert code == 0 and shown[0]["id"] == whole
    code, _, output = run(capsys, "show", whole[:3], *args)  # (too short to be taken)
    assert code == 2
    assert f"no article with id {whole[:3]!r}, and an id's start needs at least 4" in output


def test_events_json_with_an_unreadable_one(seeded: Path, capsys) -> None:
    code, lines, _ = run(capsys, "events", "--json", "--config", str(seeded), "--now", NOW)
    assert code == 0
    assert lines[0] == {
        "name": "APEC",
        "when": "2025-10-31T00:00:00Z",
        "tz": "Asia/Seoul",
        "seconds_left": 6 * 86400 + 16 * 3600,
        "query": "APEC",
    }
    assert lines[1]["name"] == "Broken" and lines[1]["error"]


def test_an_event_without_a_time_is_said_not_the_whole_config_refused(seeded: Path, capsys) -> None:
    """Every key but a source's name and url or path is optional: an event without `when`
    is listed with what is wrong with it, as one whose time cannot be read, and the rest of
    the config stands."""
    seeded.write_text(seeded.read_text() + '[[events]]\nname = "Someday"\n')
    code, lines, out = run(capsys, "events", "--json", "--config", str(seeded), "--now", NOW)
    assert code == 0, out
    assert [line["name"] for line in lines] == ["APEC", "Broken", "Someday"]
    assert "when" in lines[2]["error"]


def test_sources_json(seeded: Path, tmp_path: Path, capsys) -> None:
    code, lines, _ = run(
        capsys, "sources", "--json", "--config", str(seeded), "--data-dir", str(tmp_path / "d")
    )
    assert code == 0
    assert list(lines[0]) == [
        "name",
        "url",
        "status",
        "http_status",
        "last_ok",
        "last_error",
        "items",
        "latency_ms",
        "failures",
        "next_poll",
        "warnings",
        "last_warning",
        "enabled",
        "first_reports",
        "median_lag_s",
        "moved_to",
    ]
    assert lines[0]["status"] == "ok" and lines[0]["items"] == 6 and lines[0]["enabled"]
    assert lines[0]["failures"] == 0 and lines[0]["next_poll"].endswith("Z")


def test_sources_table_shows_failures_and_the_next_try(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Gone"\npath = "{tmp_path / "missing.xml"}"\n'
        '[[sources]]\nname = "Later"\nurl = "https://later.example/rss"\nenabled = false\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    for _ in range(2):
        assert run(capsys, "refresh", *where)[0] == 1
    code, _, output = run(capsys, "sources", *where)
    header, gone, later = output.splitlines()
    assert header.split() == ["STATUS", "HTTP", "LATENCY", "LAST", "OK", "FAILS", "NEXT", "TRY"] + [
        "FIRST",
        "LAG",
        "SOURCE",
    ]
    assert gone.split()[:6] == ["error", "-", "-", "never", "2", "in"]
    assert "Gone: " in gone and "no such file" in gone
    assert later.split() == ["disabled", "-", "-", "never", "0", "0", "-", "Later"]


def test_sources_say_where_a_feed_moved_for_good_and_whose_error_it_is(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed that moved for good is polled where it moved: `sources` showed the config's
    address with the new one's errors, and nowhere the address polled. It says where the
    feed moved (`--json`: "moved_to", null for one that did not), and whose error it is."""
    new = feed_server.add("/new.xml", Route(rss("<title>A</title><guid>a</guid>")))
    old = feed_server.add("/old.xml", Route(status=301, headers={"Location": "/new.xml"}))
    stays = feed_server.add("/stays.xml", Route(rss("<title>B</title><guid>b</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Moved"\nurl = "{old}"\n'
        f'[[sources]]\nname = "Stays"\nurl = "{stays}"\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert run(capsys, *where, "refresh")[0] == 0
    _, lines, _ = run(capsys, *where, "sources", "--json")
    said = {line["name"]: line for line in lines}
    assert (said["Moved"]["url"], said["Moved"]["moved_to"]) == (old, new)
    assert said["Stays"]["moved_to"] is None
    feed_server.routes["/new.xml"] = Route(b"", status=500)
    assert run(capsys, *where, "refresh")[0] == 1
    _, lines, table = run(capsys, *where, "sources", "--json")
    (moved,) = [line for line in lines if line["name"] == "Moved"]
    assert moved["last_error"] == f"HTTP 500 Internal Server Error (at {new})"
    _, _, table = run(capsys, *where, "sources")
    (row,) = [line for line in table.splitlines() if "Moved" in line]
    assert row.split()[:2] == ["error", "500"]
    assert row.endswith(
        f"Moved: HTTP 500 Internal Server Error (at {new}); "
        f"moved to {new} for good: update the config"
    )


def test_sources_say_when_the_health_file_cannot_be_read(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A sources.json it may not read (a group member's, the file its user's alone) or
    that does not read showed every source "pending", never polled, without a word and
    with exit 0: it says the health cannot be read, and exits 2 as an incomplete `list`."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    (tmp_path / "d" / "sources.json").write_text("{not json")
    for json_lines in ([], ["--json"]):
        code, _, output = run(capsys, "sources", *where, *json_lines)
        assert code == 2
        assert f"{tmp_path / 'd' / 'sources.json'} cannot be read" in output
        assert "health is unknown" in output
    (tmp_path / "d" / "sources.json").unlink()  # none polled yet: nothing to say
    code, _, output = run(capsys, "sources", *where)
    assert code == 0 and "cannot be read" not in output


def test_a_disabled_source_says_so_and_no_poll_is_coming(tmp_path: Path, capsys) -> None:
    """A source disabled after it polled kept its health as it was: `sources` said "ok" with
    a last ok growing old, and a next poll in the past, as a silent outage would."""
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss("<title>One</title><guid>1</guid>"))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    assert run(capsys, "refresh", *where)[0] == 0
    config.write_text(f'[[sources]]\nname = "Wire"\npath = "{feed}"\nenabled = false\n')
    _, (said,), _ = run(capsys, "sources", "--json", *where)
    assert (said["status"], said["enabled"], said["next_poll"]) == ("ok", False, None)
    assert run(capsys, "sources", *where)[2].splitlines()[1].split()[0] == "disabled"


def test_sources_say_a_last_poll_dated_after_the_clock(tmp_path: Path, capsys) -> None:
    """A refresh under a clock a day ahead left a last ok dated tomorrow, shown as a date
    like any other: the row says the poll lies after this clock."""
    feed = tmp_path / "wire.xml"
    feed.write_bytes(rss("<title>One</title><guid>1</guid>"))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert run(capsys, "refresh", *where, "--now", "2025-10-25T17:00:00+09:00")[0] == 0
    _, _, table = run(capsys, "sources", *where, "--now", NOW)
    assert table.splitlines()[1].endswith("Wire: 1 item; last polled 1d after this clock")
    _, _, table = run(capsys, "sources", *where, "--now", "2025-10-25T17:00:30+09:00")
    assert table.splitlines()[1].endswith("Wire: 1 item")  # (within a clock's skew)


def test_tags_changed_in_the_config_reach_the_articles_stored_before(
    tmp_path: Path, capsys
) -> None:
    """A source's tags are its articles' tags: changed in the config, `tag:` found the old
    articles under the old tags and the new ones under the new, for as long as they were
    kept. The articles stored before take the new tags at the next cycle, keeping their
    items' own categories; a source whose tags did not change keeps its articles as they are."""
    wire, other = tmp_path / "wire.xml", tmp_path / "other.xml"
    wire.write_bytes(rss("<title>Tariff deal</title><guid>w1</guid><category>trade</category>"))
    other.write_bytes(rss("<title>Summit opens</title><guid>o1</guid>"))
    config = tmp_path / "c.toml"

    def configure(wire_tags: str) -> None:
        config.write_text(
            f'[[sources]]\nname = "Wire"\npath = "{wire}"\ntags = [{wire_tags}]\n'
            f'[[sources]]\nname = "Other"\npath = "{other}"\ntags = ["korea"]\n'
        )

    where = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    configure('"korea"')
    assert run(capsys, "refresh", *where)[0] == 0
    assert len(run(capsys, "list", "--json", *where, "tag:korea")[1]) == 2
    configure('"asia", "wire"')
    wire.write_bytes(
        rss(
            "<title>Tariff deal</title><guid>w1</guid><category>trade</category>",
            "<title>Deal signed</title><guid>w2</guid>",
        )
    )
    assert run(capsys, "refresh", *where)[0] == 0
    for _ in range(2):  # and a refresh after takes them as done
        korea = run(capsys, "list", "--json", *where, "tag:korea")[1]
        assert [a["title"] for a in korea] == ["Summit opens"]
        asia = run(capsys, "list", "--json", *where, "tag:asia")[1]
        assert sorted(a["title"] for a in asia) == ["Deal signed", "Tariff deal"]
        (first,) = [a for a in asia if a["title"] == "Tariff deal"]
        assert first["tags"] == ["asia", "wire", "trade"]
        assert run(capsys, "refresh", *where)[0] == 0


def test_a_config_events_relative_time_is_read_against_a_held_clock_only(
    tmp_path: Path, capsys
) -> None:
    """With --now the clock is held: "in 2 days" in the config is where it was at the last
    start too, and is read (demos count down to it); with the clock running it moved at every
    start, and says the time it means instead."""
    config = tmp_path / "c.toml"
    config.write_text('[[events]]\nname = "Soon"\nwhen = "in 2 days"\ntz = "Asia/Seoul"\n')
    held = run(capsys, "--config", str(config), "--now", NOW, "events", "--json")[1]
    assert held == [
        {
            "name": "Soon",
            "when": "2025-10-26T08:00:00Z",
            "tz": "Asia/Seoul",
            "seconds_left": 172800,
            "query": None,
        }
    ]
    (running,) = run(capsys, "--config", str(config), "events", "--json")[1]
    assert "moves with the clock" in running["error"]


def test_poll_says_which_part_of_a_log_path_is_a_file(tmp_path: Path, capsys) -> None:
    """`--log` under a regular file said "File exists"."""
    (tmp_path / "notes").write_text("x")
    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "F"\nurl = "http://127.0.0.1:9/x"\n')
    log = tmp_path / "notes" / "logs" / "poll.log"
    code, _, said = run(
        capsys,
        "--config",
        str(config),
        "--data-dir",
        str(tmp_path / "d"),
        "poll",
        "--log",
        str(log),
    )
    assert code == 2 and f"{tmp_path / 'notes'} is a file, not a folder" in said


def test_serve_on_a_port_in_use_says_so_before_any_banner(tmp_path: Path, capsys) -> None:
    """It printed "Serving … on http://127.0.0.1:PORT, Press Ctrl+C to quit", then that it
    could not serve there."""
    import socket

    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "F"\nurl = "http://127.0.0.1:9/x"\n')
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, said = run(
            capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"), "serve",
            "--port", str(port),
        )  # fmt: skip
    assert code == 2 and f"cannot serve on 127.0.0.1:{port}" in said
    assert "Serving" not in said


def test_sources_never_show_a_password(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text(
        '[[sources]]\nname = "Paywalled"\nurl = "https://ed:s3cret@wire.example/rss"\n'
        '[[sources]]\nname = "Open"\nurl = "https://open.example/rss"\n'
    )
    code, lines, output = run(
        capsys, "sources", "--json", "--config", str(config), "--data-dir", str(tmp_path / "d")
    )
    assert code == 0 and "s3cret" not in output
    assert [line["url"] for line in lines] == [
        "https://ed:***@wire.example/rss",
        "https://open.example/rss",
    ]


def test_a_stored_error_with_escape_codes_is_shown_plain(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "Old"\nurl = "https://old.example/rss"\n')
    data = tmp_path / "d"
    data.mkdir()
    (data / "sources.json").write_text(  # written by an older wirewatch, or by hand
        json.dumps(
            {
                "Old": {
                    "name": "Old",
                    "status": "error",
                    "last_error": "HTTP 500 \x1b[2J\x1b]0;x\x07",
                }
            }
        )
    )
    code, _, output = run(capsys, "sources", "--config", str(config), "--data-dir", str(data))
    assert code == 0 and "\x1b" not in output and "Old: HTTP 500" in output


def test_malformed_query_is_an_error_not_a_match_all(seeded: Path, tmp_path: Path, capsys) -> None:
    code, lines, output = run(
        capsys, "list", "tariff OR", "--config", str(seeded), "--data-dir", str(tmp_path / "d")
    )
    assert code == 2 and lines == [] and "OR needs a term" in output


def test_refresh_exits_1_when_a_source_fails(tmp_path: Path, capsys) -> None:
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Gone"\npath = "{tmp_path / "missing.xml"}"\n')
    code, _, output = run(
        capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"), "refresh"
    )
    assert code == 1 and "no such file" in output


def test_extract_prints_main_text(tmp_path: Path, capsys) -> None:
    page = tmp_path / "p.html"
    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 4
    page.write_bytes(
        f"<html><body><nav>Menu</nav><article><h1>Talks</h1><p>{para}</p>"
        f"</article></body></html>".encode()
    )
    code, _, output = run(capsys, "extract", str(page))
    assert code == 0 and "Seoul and Washington" in output and "Menu" not in output
    assert output.startswith("Seoul and Washington")  # the main text alone, no headline


def test_extract_and_show_print_a_pre_block_as_written(tmp_path: Path, capsys) -> None:
    """A table of results in a <pre> was printed a paragraph a line, its columns collapsed:
    `extract` prints it as the page wrote it, and `show` prints the text stored from it so."""
    from tests.test_extract import RESULTS_BLOCK, results_page

    _extract_and_show(tmp_path, capsys, "results", results_page(), RESULTS_BLOCK)


def _extract_and_show(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, html: bytes, block: str
) -> None:
    """`extract` of the page `html`, then `show` and `show --json` of an article given its
    text, each print `block` as a paragraph of its own."""
    from fetchers.extract import extract_article
    from fetchers.models import Article

    page = tmp_path / f"{name}.html"
    page.write_bytes(html)
    code, _, output = run(capsys, "extract", str(page))
    assert code == 0 and f"\n\n{block}\n\n" in output
    config = tmp_path / "c.toml"
    config.write_text("")
    when = datetime(2026, 3, 1, tzinfo=UTC)
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [Article(id=name, source="Wire", title=name.title(), published=when, fetched=when)]
        )
        store.set_text(name, extract_article(html, "text/html", None).text)
    args = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    code, _, output = run(capsys, "show", name, *args)
    assert code == 0 and f"\n\n{block}\n\n" in output
    code, shown, _ = run(capsys, "show", name, "--json", *args)
    assert f"\n\n{block}\n\n" in shown[0]["text"]


def test_extract_and_show_print_a_table_of_data_a_row_a_line(tmp_path: Path, capsys) -> None:
    """A table's cells were printed run together ("East Quay 7 ships 1 day"): `extract`,
    `show` and `show --json` give a row a line, its cells parted by " | "."""
    from tests.test_extract import PORTS_BLOCK, ports_page

    _extract_and_show(tmp_path, capsys, "ports", ports_page(), PORTS_BLOCK)


def test_show_prints_a_pre_block_of_an_item_s_content_as_written(tmp_path: Path, capsys) -> None:
    """Code in a <pre> of a feed item's content was printed a paragraph a line, its
    indentation gone: `show` prints it as the feed wrote it, between its paragraphs."""
    from tests.test_feeds import CODE_BLOCK, CODE_HTML, rss_with_content

    feed = tmp_path / "release.xml"
    feed.write_bytes(rss_with_content(CODE_HTML, "Short note."))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Notes"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    assert run(capsys, "refresh", *where)[0] == 0
    _, (listed,), _ = run(capsys, "list", "--json", *where)
    code, _, output = run(capsys, "show", listed["id"], *where)
    assert code == 0 and f"The fix in full:\n\n{CODE_BLOCK}\n\nThanks." in output
    code, (shown,), _ = run(capsys, "show", listed["id"], "--json", *where)
    assert shown["text"] == f"The fix in full:\n\n{CODE_BLOCK}\n\nThanks."


def test_extract_of_a_feed_a_pdf_or_json_says_it_is_no_page(tmp_path: Path, capsys) -> None:
    """An RSS file, a PDF of text and a JSON file printed their raw text as the page's,
    exit 0."""
    for name, body, what in (
        ("f.xml", b'<?xml version="1.0"?>\n<rss version="2.0"><channel><title>Enc</title>'
         b"<item><title>x</title></item></channel></rss>", "a feed"),
        ("s.xml", b'<?xml version="1.0"?>\n<?xml-stylesheet href="rss.xsl"?>\n<!DOCTYPE rss>'
         + b"<!--a-->" * 60 + b"<rss><channel><title>x</title></channel></rss>", "a feed"),
        ("a.pdf", b"%PDF-1.4\nsome text of a report\n", "a PDF"),
        ("a.json", b'{"items": [{"title": "x"}]}', "JSON"),
    ):  # fmt: skip
        path = tmp_path / name
        path.write_bytes(body)
        code, _, output = run(capsys, "extract", str(path))
        assert code == 1 and f"the file is not an HTML page ({what})" in output, name
    fragment = tmp_path / "frag.html"
    fragment.write_text("<p>" + "A paragraph of an article, written as a fragment. " * 4 + "</p>")
    code, _, output = run(capsys, "extract", str(fragment))
    assert code == 0 and "written as a fragment" in output


def test_extract_of_a_few_binary_bytes_is_no_page_and_a_utf16_page_is_read(
    tmp_path: Path, capsys
) -> None:
    """Four bytes of no text, read as UTF-16, were two letters printed as the page's text;
    a page written in UTF-16 (every other byte a zero) is a page all the same."""
    binary = tmp_path / "b.html"
    binary.write_bytes(b"\x00\x01\xff\xfe")
    code, _, output = run(capsys, "extract", str(binary))
    assert code == 1 and "not an HTML page (binary data)" in output
    page = tmp_path / "u.html"
    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 4
    page.write_bytes(f"<html><body><p>{para}</p></body></html>".encode("utf-16"))
    code, _, output = run(capsys, "extract", str(page))
    assert code == 0 and "Seoul and Washington" in output


def test_extract_reads_no_more_than_max_body(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`extract /dev/zero` read until the system killed it: a page larger than the config's
    `max_body` is refused, naming the limit, from a file, a device or the standard input."""
    config = tmp_path / "c.toml"
    config.write_text('[settings]\nmax_body = "2KB"\n', "utf-8")
    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 4
    small = f"<html><body><p>{para}</p></body></html>".encode()
    large = tmp_path / "large.html"
    large.write_bytes(small.replace(b"<p>", b"<p>" + b" " * 3000))
    for page in (str(large), "/dev/zero"):
        code, _, output = run(capsys, "--config", str(config), "extract", page)
        assert code == 2
        assert f"{page}: larger than the 2,000 byte limit ([settings] max_body" in output
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(large.read_bytes())))
    code, _, output = run(capsys, "--config", str(config), "extract", "-")
    assert code == 2 and "the standard input: larger than the 2,000 byte limit" in output
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(small)))
    code, _, output = run(capsys, "--config", str(config), "extract")
    assert code == 0 and "Seoul and Washington" in output


def _refresh_process(config: Path, data: Path) -> subprocess.CompletedProcess[str]:
    """`wirewatch refresh` in a process of its own (one thread: it parses in a worker)."""
    return subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["refresh", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_refresh_process_stores_new_articles_once(tmp_path: Path, feed_server: FeedServer) -> None:
    korean = "관세 협상 타결"
    routes = {
        "/a.xml": Route(rss("<title>A one</title><guid>a1</guid>"), etag='"a"', gzip=True),
        "/k.xml": Route(rss(f"<title>{korean}</title><guid>k1</guid>"), etag='"k"'),
    }
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{path[1]}"\nurl = "{feed_server.add(path, route)}"\n'
            for path, route in routes.items()
        )
    )
    data = tmp_path / "d"
    first = _refresh_process(config, data)
    assert first.returncode == 0, first.stderr
    assert sorted((r["name"], r["new"]) for r in map(json.loads, first.stdout.splitlines())) == [
        ("a", 1),
        ("k", 1),
    ]
    with Store(data) as store:
        assert sorted(a.title for a in store.query()) == ["A one", korean]
    routes["/a.xml"].body = rss(
        "<title>A two</title><guid>a2</guid>", "<title>A one</title><guid>a1</guid>"
    )
    routes["/a.xml"].etag = '"a2"'
    second = _refresh_process(config, data)
    assert second.returncode == 0, second.stderr
    assert {
        r["name"]: (r["status"], r["new"]) for r in map(json.loads, second.stdout.splitlines())
    } == {
        "a": ("ok", 1),  # the known item is not stored twice
        "k": ("not-modified", 0),
    }
    with Store(data) as store:
        assert sorted(a.title for a in store.query()) == ["A one", "A two", korean]


REFRESH_IN_A_FRESH_PROCESS = """
import sys
from tui.cli import main
code = main(sys.argv[1:])
unused = ("lxml", "fetchers.extract", "fetchers.keymap")
print(code, sorted(name for name in unused if name in sys.modules))
"""


def test_a_refresh_of_feeds_starts_without_the_page_extractors(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A refresh whose sources are all feeds never imports the page extractors (lxml and
    the voting extractors: tens of milliseconds before its first request goes out)."""
    url = feed_server.add("/a.xml", Route(rss("<title>A one</title><guid>a1</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "a"\nurl = "{url}"\n')
    done = subprocess.run(
        [sys.executable, "-c", REFRESH_IN_A_FRESH_PROCESS, "--config", str(config)]
        + ["--data-dir", str(tmp_path / "d"), "refresh"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
        timeout=60,
    )
    assert done.stdout.splitlines()[-1] == "0 []"
    with Store(tmp_path / "d") as store:
        assert [a.title for a in store.query()] == ["A one"]


REFRESH_AS_THE_PROGRAM = """
import atexit, sys
from tui.cli import main
atexit.register(print, "torn down")  # what the interpreter's teardown runs
raise SystemExit(main())  # as the `wirewatch` script does
"""


def test_a_refresh_ends_without_tearing_its_objects_down_and_loses_nothing(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Once a refresh has closed its store and reaped its parser, its process ends without
    the interpreter's teardown (freeing every article and story one by one takes a quarter
    to half a second after 10,000 articles), and nothing is lost: its output, its exit code,
    the articles, the sources' health, the stories, and the writer lock let go of."""
    url = feed_server.add("/a.xml", Route(rss("<title>A one</title><guid>a1</guid>")))
    bad = feed_server.add("/b.xml", Route(b"oops", status=500))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "a"\nurl = "{url}"\n[[sources]]\nname = "b"\nurl = "{bad}"\n'
    )
    data = tmp_path / "d"
    done = subprocess.run(
        [sys.executable, "-c", REFRESH_AS_THE_PROGRAM, "--config", str(config)]
        + ["--data-dir", str(data), "refresh", "--json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert done.returncode == 1  # a source failed
    assert "torn down" not in done.stdout
    results = {
        r["name"]: (r["status"], r["new"]) for r in map(json.loads, done.stdout.splitlines())
    }
    assert results == {"a": ("ok", 1), "b": ("error", 0)}
    assert "b: HTTP 500" in done.stderr  # the log, flushed
    assert HealthBook(data).load()["b"].failures == 1
    assert (data / "stories.json").exists()
    with Store(data, writer=True) as store:  # the lock was let go of
        assert [a.title for a in store.query()] == ["A one"]
    failed = subprocess.run(  # a refresh that fails before it is done ends as before
        [sys.executable, "-c", REFRESH_AS_THE_PROGRAM, "--config", str(tmp_path / "missing.toml")]
        + ["--data-dir", str(data), "refresh"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert failed.returncode == 2
    assert "torn down" in failed.stdout


def test_articles_of_an_unreadable_shard_come_back(tmp_path: Path, feed_server: FeedServer) -> None:
    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>"), etag='"1"'))
    down = feed_server.add("/down.xml", Route(b"", status=503))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "F"\nurl = "{url}"\n[[sources]]\nname = "Down"\nurl = "{down}"\n'
    )
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 1  # (Down failed)
    (shard,) = data.glob("articles-*.json")
    shard.write_text('{"articles": {"1": ')  # torn by something outside wirewatch
    for cache in data.glob("rows-*.json"):
        cache.unlink()
    found = _refresh_process(config, data)
    assert (
        found.returncode == 1 and "cannot be read" in found.stderr and "moved aside" in found.stderr
    )
    # the refresh that found it asks the feeds that said "not modified" again at once, for
    # everything: the articles are back when it ends; one that failed is not asked again
    answers = {line["name"]: line for line in map(json.loads, found.stdout.splitlines())}
    assert answers["F"]["new"] == 1 and answers["Down"]["status"] == "error"
    assert len(feed_server.hits["/down.xml"]) == 2  # once a refresh
    assert "If-None-Match" in feed_server.hits["/f.xml"][-2]
    assert "If-None-Match" not in feed_server.hits["/f.xml"][-1]  # asked for everything
    with Store(data) as store:
        assert [a.title for a in store.query()] == ["Kept"]
    again = _refresh_process(config, data)
    statuses = {line["name"]: line["status"] for line in map(json.loads, again.stdout.splitlines())}
    assert statuses == {"F": "not-modified", "Down": "error"}


def _torn(data: Path) -> None:
    """The day's shard torn by something outside wirewatch, its row cache gone."""
    (shard,) = data.glob("articles-*.json")
    shard.write_text('{"articles": {"1": ')
    for cache in data.glob("rows-*.json"):
        cache.unlink()


def test_a_list_that_leaves_out_an_unreadable_shard_prints_what_it_can_and_exits_2(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A day's file cut to half its length: `list` and `stories` printed nothing of that day
    (the rest, where there was any) and exited 0, a warning on stderr alone, so `if
    wirewatch list ...` and a cron job's mail saw an ordinary answer. They print what can be
    read and exit 2, a store error."""
    route = Route(rss("<title>Tariff talks open</title><guid>1</guid>"))
    url = feed_server.add("/f.xml", route)
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "d"
    where = ["--config", str(config), "--data-dir", str(data)]
    assert run(capsys, *where, "--now", "2025-10-23T09:00:00Z", "refresh")[0] == 0
    route.body = rss(
        "<title>Tariff talks close</title><guid>2</guid>",
        "<title>Tariff talks open</title><guid>1</guid>",
    )
    assert run(capsys, *where, "--now", "2025-10-24T09:00:00Z", "refresh")[0] == 0
    day = data / "articles-2025-10-23.json"
    day.write_bytes(day.read_bytes()[: day.stat().st_size // 2])
    for cache in data.glob("rows-*.json"):
        cache.unlink()
    now = ["--now", "2025-10-24T10:00:00Z"]
    code, lines, said = run(capsys, *where, *now, "list", "--json", "tariff")
    assert [line["title"] for line in lines] == ["Tariff talks close"]  # what can be read
    assert code == 2 and "articles-2025-10-23.json cannot be read" in said
    assert "incomplete list" in said
    for command in (["list", "--limit", "0"], ["stories", "tariff"], ["trends"]):
        code, _, said = run(capsys, *where, *now, *command)
        assert code == 2 and "articles-2025-10-23.json" in said, command
    code, _, _ = run(capsys, *where, *now, "events")  # (no article in its answer)
    assert code == 0


def test_a_refresh_that_finds_a_shard_unreadable_brings_back_what_unvalidated_feeds_list(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed with no validators answers in full, but the refresh that found the shard torn
    took the articles it listed before as retention's drops: "0 new", nothing back, at every
    refresh after it too."""
    from email.utils import format_datetime

    recent = format_datetime(datetime.now(UTC) - timedelta(minutes=5), usegmt=True)
    items = [
        f"<title>Plain {n}</title><guid>p{n}</guid><pubDate>{recent}</pubDate>" for n in range(3)
    ]
    url = feed_server.add("/plain.xml", Route(rss(*items)))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Plain"\nurl = "{url}"\n'
        '[[alerts]]\nname = "Plain news"\nquery = "plain"\n'
    )
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    _torn(data)
    found = _refresh_process(config, data)
    assert "moved aside" in found.stderr
    (answer,) = map(json.loads, found.stdout.splitlines())
    assert answer["new"] == 3
    with Store(data) as store:
        assert sorted(a.title for a in store.query()) == ["Plain 0", "Plain 1", "Plain 2"]
    # brought back, they are a backlog: their alerts fired when they first came, not again
    fired = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["alerts", "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert len(fired.stdout.splitlines()) == 3, fired.stdout


def test_a_poller_stopped_before_its_next_poll_still_brings_back_a_lost_shards_articles(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A poller that found the shard torn as it opened kept that only in memory until its
    next due poll: stopped before it, the feeds said "not modified" and the lost articles
    were "dropped by retention" for good. It polls every source at once, the feeds'
    validators and listings forgotten and saved first."""
    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>"), etag='"1"'))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\ninterval = "6h"\n')
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    _torn(data)
    asked = len(feed_server.hits["/f.xml"])
    poller = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data), "poll"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while len(feed_server.hits["/f.xml"]) == asked and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "If-None-Match" not in feed_server.hits["/f.xml"][-1]  # asked for everything
        while time.monotonic() < deadline:  # (its write lands as a viewer looks)
            with Store(data) as store:
                if len(store):
                    break
            time.sleep(0.1)
    finally:
        poller.terminate()
        _, stderr = poller.communicate(timeout=30)
    assert "cannot be read" in stderr and "moved aside to articles-" in stderr
    with Store(data) as store:
        assert [a.title for a in store.query()] == ["Kept"]


def test_a_torn_day_file_found_by_a_writer_that_stops_at_once_comes_back_at_the_next_refresh(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A dashboard quit while it loaded (or an interrupted refresh) moved the torn file aside
    and knew of the loss in memory only: the next refresh found no damaged file, its feed
    said "not modified", and the articles were lost for good. The loss is noted in the data
    dir as the file is moved aside; the next writer asks every feed for everything."""
    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>"), etag='"1"'))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    _torn(data)
    with Store(data, writer=True) as store:  # a writer that stops before any poll
        assert any("moved aside" in problem for problem in store.problems)
    again = _refresh_process(config, data)
    (answer,) = map(json.loads, again.stdout.splitlines())
    assert "If-None-Match" not in feed_server.hits["/f.xml"][-1]  # asked for everything
    assert answer["new"] == 1, again.stdout
    with Store(data) as store:
        assert [a.title for a in store.query()] == ["Kept"]
    # once brought back, nothing is noted lost: the refresh after asks as usual
    last = _refresh_process(config, data)
    assert [json.loads(line)["status"] for line in last.stdout.splitlines()] == ["not-modified"]


def test_a_viewer_taking_over_as_writer_takes_the_losses_a_writer_before_it_noted(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A dashboard that opened as a viewer and took over once its writer stopped read
    `lost-days.json` only at its open: it knew of no loss, its polls kept the feeds' "not
    modified", and a loss of its own rewrote the note without the earlier day."""
    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>"), etag='"1"'))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    (day,) = data.glob("articles-*.json")
    with Store(data) as viewer:  # opened before the loss, as a dashboard beside a poller
        _torn(data)
        with Store(data, writer=True) as store:  # the writer finds it, then stops
            assert any("moved aside" in problem for problem in store.problems)
        viewer.take_over()
        assert viewer.has_lost
        assert viewer.take_lost() == [day.name[len("articles-") : -len(".json")]]


def _migrate_torn(tmp_path: Path, feed_server: FeedServer) -> tuple[Path, Path, Path]:
    """A data dir of two articles whose day file is torn (its row cache kept), and its
    config."""
    route = Route(rss("<title>A</title><guid>a</guid>", "<title>B</title><guid>b</guid>"))
    url = feed_server.add("/f.xml", Route(route.body, etag='"1"'))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    (day,) = data.glob("articles-*.json")
    day.write_bytes(day.read_bytes()[:-20])
    return config, data, day


def test_migrate_names_a_day_file_it_cannot_read_and_leaves_the_source_as_it_was(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`migrate` of a data dir with a torn day file exited 0 "copied 0 articles" without a
    word of the file or its articles, and moved the file aside in the dir it says it does
    not change (its articles lost for good there). It names the file and how many articles
    it left out, exits 2, and changes nothing; the copy's first refresh fetches them."""
    config, data, day = _migrate_torn(tmp_path, feed_server)
    torn = day.read_bytes()
    copy = tmp_path / "copy"
    where = ["--config", str(config), "--data-dir", str(data)]
    code, _, said = run(capsys, *where, "migrate", "--to", "tinydb", str(copy))
    assert code == 2
    assert f"{day.name} cannot be read: 2 articles not copied" in said
    assert "incomplete copy" in said
    assert day.read_bytes() == torn and not list(data.glob("*.corrupt*"))
    for each in (data, copy):  # both bring the articles back
        assert _refresh_process(config, each).returncode == 0
        with Store(each) as store:
            assert sorted(a.title for a in store.query()) == ["A", "B"], each


def test_migrate_names_a_missing_day_file_and_its_copy_fetches_those_articles_again(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """`migrate` read the data dir as a viewer, which does not look for a day file its row
    cache names but that was deleted: it exited 0, and the copy kept the feeds' validators,
    so its refreshes heard "not modified" and never fetched those articles again. It names
    the missing file, exits 2, changes nothing, and the copy's first refresh fetches them."""
    config, data, day = _migrate_torn(tmp_path, feed_server)
    day.unlink()
    before = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    copy = tmp_path / "copy"
    where = ["--config", str(config), "--data-dir", str(data)]
    code, _, said = run(capsys, *where, "migrate", "--to", "tinydb", str(copy))
    assert code == 2, said
    assert f"{day.name} is missing (its row cache names it): 2 articles not copied" in said
    assert "incomplete copy" in said
    after = {p.name: p.read_bytes() for p in data.iterdir() if p.is_file()}
    assert after.keys() == before.keys()
    assert {k: v for k, v in after.items() if k != "writer.lock"} == {
        k: v for k, v in before.items() if k != "writer.lock"
    }
    assert _refresh_process(config, copy).returncode == 0
    assert "If-None-Match" not in feed_server.hits["/f.xml"][-1]  # asked for everything
    with Store(copy) as store:
        assert sorted(a.title for a in store.query()) == ["A", "B"]


def test_migrate_copies_out_of_a_data_dir_it_cannot_write(
    tmp_path: Path,
    feed_server: FeedServer,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A backup on a read-only mount: `migrate` failed with "cannot write the data dir",
    though it only reads it (no poller can write there either)."""
    from fetchers.store import lock

    url = feed_server.add("/f.xml", Route(rss("<title>A</title><guid>a</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    (data / "writer.lock").unlink()

    def read_only(path: Path, flags: int) -> int:
        if path.parent == data:  # the data dir copied from, as on a read-only mount
            raise OSError(30, "Read-only file system")
        return create_file(path, flags)

    create_file = lock.create_file
    monkeypatch.setattr(lock, "create_file", read_only)  # (the tests may run as root)
    copy = tmp_path / "copy"
    where = ["--config", str(config), "--data-dir", str(data)]
    code, lines, said = run(capsys, *where, "migrate", "--to", "tinydb", str(copy))
    assert code == 0, said
    assert "cannot write" not in said
    with Store(copy) as store:
        assert [a.title for a in store.query()] == ["A"]


def test_a_refresh_leaves_a_source_alone_while_its_servers_retry_after_runs(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A server that answered 429 with Retry-After: 3600 was asked again by every cron
    `refresh` (exit 1 each time) while `sources` said its next try was an hour away. A
    refresh leaves it alone until then, says so, and does not count it as failed; a source
    backing off without being asked to (a 500, even one with a Retry-After: only a 429 or
    a 503 asks to be left alone) is still polled by a refresh."""
    good = feed_server.add("/good.xml", Route(rss("<title>A</title><guid>a</guid>")))
    busy = feed_server.add("/busy.xml", Route(status=429, headers={"Retry-After": "3600"}))
    # a 500 that says when to come back, as some servers do: its failure all the same
    down = feed_server.add("/down.xml", Route(status=500, headers={"Retry-After": "3600"}))
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{url}"\n'
            for name, url in (("Good", good), ("Busy", busy), ("Down", down))
        )
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    code, _, said = run(capsys, *where, "refresh")
    assert code == 1 and "HTTP 429" in said
    code, _, said = run(capsys, *where, "refresh")
    assert len(feed_server.hits["/busy.xml"]) == 1  # not asked again
    assert len(feed_server.hits["/down.xml"]) == 2  # (backoff alone: asked for, polled)
    assert re.search(r"limited +Busy: the server asked to wait until .*in 59m.*skipped", said)
    assert "2 sources polled, 1 failed, 0 new articles; 1 skipped, as their servers asked" in said
    feed_server.routes["/down.xml"] = Route(rss("<title>D</title><guid>d</guid>"))
    code, lines, _ = run(capsys, *where, "refresh", "--json")
    assert code == 0  # waiting as its server asked is no failure
    limited = next(line for line in lines if line["name"] == "Busy")
    assert limited["status"] == "limited" and UTC_RE.match(limited["retry_until"])
    assert len(feed_server.hits["/busy.xml"]) == 1


def test_a_refresh_stopped_by_sigterm_keeps_and_says_what_it_finished(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`timeout 5 wirewatch refresh` with one source hanging: the fast source's articles
    were stored, but the refresh died at once, without a summary, leaving that source
    "pending … never", its validators and stories unsaved. SIGTERM stops it as it stops
    `poll`: what it wrote is kept with its health and stories, what it finished is said,
    and it exits 128 + 15."""
    fast = feed_server.add("/fast.xml", Route(rss("<title>F</title><guid>f</guid>"), etag='"f"'))
    hang = feed_server.add("/hang.xml", Route(rss("<title>H</title><guid>h</guid>"), delay=60))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Fast"\nurl = "{fast}"\n[[sources]]\nname = "Hang"\nurl = "{hang}"\n'
    )
    data = tmp_path / "d"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["refresh"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the fast source's articles written
            if data.is_dir() and list(data.glob("articles-*.json")):
                with Store(data) as store:
                    if len(store):
                        break
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 128 + signal.SIGTERM, err
    assert "Fast: 1 new of 1" in out and "1 source polled, 0 failed, 1 new article" in out
    assert "stopped by SIGTERM: 1 of 2 sources not polled (Hang)" in err
    health = HealthBook(data).load()
    assert health["Fast"].status == "ok" and health["Fast"].etag == '"f"'
    assert health.get("Hang") is None or health["Hang"].status == "pending"
    assert (data / "stories.json").exists()
    feed_server.routes["/hang.xml"].delay = 0
    again = _refresh_process(config, data)  # the lock let go of; the validators kept
    statuses = {line["name"]: line["status"] for line in map(json.loads, again.stdout.splitlines())}
    assert statuses == {"Fast": "not-modified", "Hang": "ok"}


def test_a_killed_refresh_leaves_no_process_holding_the_store(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/slow.xml", Route(rss("<title>S</title><guid>1</guid>"), delay=5))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Slow"\nurl = "{url}"\n')
    data = tmp_path / "d"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data), "refresh"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 10
    while not feed_server.hits.get("/slow.xml") and time.monotonic() < deadline:
        time.sleep(0.05)  # the request is in flight: the worker, if any, is running
    workers = descendants(proc.pid)
    proc.kill()  # SIGKILL: nothing of wirewatch runs to clean up
    proc.wait()
    deadline = time.monotonic() + 5
    running = workers
    while running and time.monotonic() < deadline:
        time.sleep(0.1)
        running = [w for w in workers if is_running(w)]
    assert running == [], "a worker outlived the killed refresh"
    feed_server.routes["/slow.xml"].delay = 0
    again = _refresh_process(config, data)
    assert again.returncode == 0, again.stderr  # the writer lock is free


def _stderr_of(args: list[str], on_terminal: bool) -> str:
    """What `wirewatch ARGS` writes to stderr, on a pseudo-terminal or a pipe."""
    import os

    command = [sys.executable, "-m", "tui", *args]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"}
    if not on_terminal:
        done = subprocess.run(command, capture_output=True, text=True, env=env)
        return done.stderr
    return _read_terminal(command, env, stdout_too=False)


def _read_terminal(command: list[str], env: dict[str, str], stdout_too: bool) -> str:
    """What `command` writes on a pseudo-terminal as its stderr (and its stdout, with
    `stdout_too`; else stdout goes nowhere), until it exits."""
    import pty

    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=follower if stdout_too else subprocess.DEVNULL,
        stderr=follower,
        env=env,
    )
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


def _refresh_output(tmp_path: Path, feed_server: FeedServer, on_terminal: bool) -> str:
    """What `wirewatch refresh` writes to stderr, on a pseudo-terminal or a pipe."""
    urls = [
        feed_server.add(f"/p{n}.xml", Route(rss(f"<title>T{n}</title><guid>{n}</guid>"), delay=0.3))
        for n in range(3)
    ]
    tmp_path.mkdir()
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(f'[[sources]]\nname = "s{n}"\nurl = "{url}"\n' for n, url in enumerate(urls))
    )
    return _stderr_of(
        ["--config", str(config), "--data-dir", str(tmp_path), "refresh"], on_terminal
    )


def test_refresh_shows_progress_on_a_terminal_and_stays_plain_when_piped(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    shown = _refresh_output(tmp_path / "tty", feed_server, on_terminal=True)
    assert "3/3" in shown and "sources" in shown and "failed" in shown
    piped = _refresh_output(tmp_path / "pipe", feed_server, on_terminal=False)
    assert piped == ""


def _on_a_terminal(args: list[str]) -> list[str]:
    """The lines `wirewatch ARGS` shows on a pseudo-terminal, its stdout and stderr both, as
    a user sees them (a progress line erased is gone; colours taken out)."""

    command = [sys.executable, "-m", "tui", *args]
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "200"}
    shown = _read_terminal(command, env, stdout_too=True)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown)
    lines = [line.rsplit("\r", 1)[-1] for line in text.replace("\r\n", "\n").split("\n")]
    # (the live progress line, erased by escapes when the refresh ends)
    return [line for line in lines if line.strip() and not line.startswith("polling ")]


def test_refresh_on_a_terminal_lists_news_sums_the_unchanged_and_says_failures_last_once(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """On a terminal `refresh` wrote a line a source (2,000 lines, 1,700 "not modified")
    with the failures in the middle, each said again on stderr, the start scrolled away.
    There it lists the sources with news, sums those with none in one line, lists the
    failures together and last, each once, then the total. Piped, a line a source as
    before, the failures on stderr too."""
    feeds = {
        "quiet0": Route(rss("<title>Q0</title><guid>q0</guid>"), etag='"q0"'),
        "quiet1": Route(rss("<title>Q1</title><guid>q1</guid>"), etag='"q1"'),
        "quiet2": Route(rss("<title>Q2</title><guid>q2</guid>"), etag='"q2"'),
        "same": Route(rss("<title>Same</title><guid>s</guid>")),
        "news": Route(rss("<title>Old</title><guid>n0</guid>")),
        "down0": Route(rss("<title>D0</title><guid>d0</guid>")),
        "down1": Route(rss("<title>D1</title><guid>d1</guid>")),
    }
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{feed_server.add(f"/{name}.xml", route)}"\n'
            for name, route in feeds.items()
        )
    )
    data = tmp_path / "d"
    assert _refresh_process(config, data).returncode == 0
    feeds["news"].body = rss(
        "<title>Old</title><guid>n0</guid></item><item><title>Fresh</title><guid>n1</guid>"
    )
    del feed_server.routes["/down0.xml"], feed_server.routes["/down1.xml"]  # 404 now
    args = ["--config", str(config), "--data-dir", str(data), "refresh"]
    shown = _on_a_terminal(args)
    assert shown[0].startswith("ok ") and "news: 1 new of 2" in shown[0], shown
    assert shown[1] == "unchanged     4 sources: 3 not modified, 1 with nothing new", shown
    assert [line.split()[0] for line in shown[2:4]] == ["error", "error"], shown
    assert sorted(line.split()[1] for line in shown[2:4]) == ["down0:", "down1:"], shown
    assert shown[4:] == ["7 sources polled, 2 failed, 1 new article"], shown
    piped = subprocess.run(
        [sys.executable, "-m", "tui", *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert len(piped.stdout.splitlines()) == 8  # a line a source, and the total
    assert piped.stdout.count("not-modified ") == 3
    assert "wirewatch: down0: " in piped.stderr and "wirewatch: down1: " in piped.stderr


def test_import_opml_says_what_it_is_doing_on_a_terminal_only(tmp_path: Path) -> None:
    outlines = "".join(
        f'<outline text="Feed {n}" type="rss" xmlUrl="https://n{n}.example/rss"/>'
        for n in range(2000)
    )
    opml = tmp_path / "subs.opml"
    opml.write_text(f'<opml version="2.0"><body>{outlines}</body></opml>')
    for where in ("tty", "pipe"):
        config = tmp_path / f"{where}.toml"
        config.write_text('[[sources]]\nname = "Old"\nurl = "https://old.example/rss"\n')
        args = ["--config", str(config), "import-opml", str(opml)]
        shown = _stderr_of(args, on_terminal=where == "tty")
        if where == "tty":
            assert "adding 2,000 feeds to the config" in shown
        else:
            assert shown == ""
        assert config.read_text().count("[[sources]]") == 2001


def test_import_opml_into_a_config_file_not_made_yet_makes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A restore on a new machine, `--config new.toml import-opml subs.opml`: it said "no
    such config file" and added nothing. The file is made (its user's alone) and said; a
    folder that does not exist is still refused (a mistyped path makes nothing)."""
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Wire" type="rss"'
        ' xmlUrl="https://wire.example/rss"/></body></opml>'
    )
    config = tmp_path / "new.toml"
    code, _, said = run(capsys, "--config", str(config), "import-opml", str(opml), "--no-fetch")
    assert code == 0, said
    assert f"{config}: no such config file: made it, empty, to add to" in said
    assert 'name = "Wire"' in config.read_text() and config.stat().st_mode & 0o077 == 0
    astray = tmp_path / "nowhere" / "new.toml"
    code, _, said = run(capsys, "--config", str(astray), "import-opml", str(opml), "--no-fetch")
    assert code == 2 and "no such config file" in said and not astray.parent.exists()


def test_list_finds_words_in_the_full_text_and_title_restricts(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    common = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    code, lines, _ = run(capsys, "list", "--json", *common, "Lutnick")  # in the body only
    assert code == 0
    assert [line["title"][:29] for line in lines] == ["S. Korea, US remain far apart"]
    _, lines, _ = run(capsys, "list", "--json", *common, "APEC OR Gyeongju OR summit")
    assert len(lines) == 1
    _, lines, _ = run(capsys, "list", "--json", *common, "title:Lutnick")
    assert lines == []
    _, lines, _ = run(capsys, "list", "--json", *common, 'title:"far apart"')
    assert len(lines) == 1
    # undated related headlines say so: no published time, listed after the story
    _, lines, _ = run(capsys, "list", "--json", *common)
    assert lines[0]["title"].startswith("S. Korea") and lines[0]["published"]
    assert all(line["published"] is None for line in lines[1:])


def test_list_sorts_by_relevance_on_request(
    tmp_path: Path, feed_server: FeedServer, capsys
) -> None:
    items = [
        "<title>Tariff talks resume</title><guid>1</guid>"
        "<description>Tariff and tariffs.</description>"
        "<pubDate>Fri, 24 Oct 2025 01:00:00 GMT</pubDate>",
        "<title>Markets close higher</title><guid>2</guid><description>Stocks rose; a tariff was"
        " mentioned once among many other words about markets and shares and bonds.</description>"
        "<pubDate>Fri, 24 Oct 2025 05:00:00 GMT</pubDate>",
    ]
    url = feed_server.add("/r.xml", Route(rss(*items)))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "f"\nurl = "{url}"\n')
    common = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    assert run(capsys, *common, "refresh")[0] == 0
    _, newest, _ = run(capsys, *common, "list", "tariff", "--json")
    _, ranked, _ = run(capsys, *common, "list", "tariff", "--json", "--sort", "relevance")
    assert [a["title"] for a in newest] == ["Markets close higher", "Tariff talks resume"]
    assert [a["title"] for a in ranked] == ["Tariff talks resume", "Markets close higher"]


def test_list_and_show_give_whole_articles_though_a_viewer_keeps_words_on_disk(
    tmp_path: Path, capsys
) -> None:
    """`list` and `show` open the store as a viewer, which leaves titles, summaries, links
    and fetch times on disk: the JSON still carries each one, and a phrase found only in a
    summary is found."""
    from datetime import UTC, datetime, timedelta

    from fetchers.models import Article

    start = datetime(2025, 10, 24, tzinfo=UTC)
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"w{n}",
                    source="Wire",
                    title=f"Headline {n}",
                    link=f"https://example.org/{n}",
                    published=start + timedelta(minutes=n),
                    fetched=start + timedelta(minutes=n),
                    summary=f"Summary {n}: the ministers met in Gyeongju again.",
                    text=f"Full text {n}.",
                )
                for n in range(3)
            ]
        )
    args = ["--data-dir", str(tmp_path / "d")]
    code, lines, _ = run(capsys, *args, "list", "--json", '"ministers met"')
    assert code == 0
    assert [(a["id"], a["title"], a["summary"], a["link"], a["fetched"]) for a in lines] == [
        (
            f"w{n}",
            f"Headline {n}",
            f"Summary {n}: the ministers met in Gyeongju again.",
            f"https://example.org/{n}",
            f"2025-10-24T00:0{n}:00Z",
        )
        for n in (2, 1, 0)
    ]
    code, shown, _ = run(capsys, *args, "show", "w1", "--json")
    assert code == 0
    assert shown[0]["summary"] == "Summary 1: the ministers met in Gyeongju again."
    assert (shown[0]["title"], shown[0]["text"]) == ("Headline 1", "Full text 1.")


def assert_list_finds(
    capsys: pytest.CaptureFixture[str],
    data: Path,
    headlines: dict[str, str],
    asked: dict[str, list[str]],
) -> None:
    """With `headlines` (id: title, a minute apart, the last newest) in a word-indexed store
    at `data`, `list QUERY` finds each query's ids of `asked`, newest first, and so does
    `list --sort relevance QUERY` in an order of its own: through the index, both ways."""
    from fetchers.models import Article
    from tests.test_store_index import wait_for_index

    start = datetime(2025, 10, 24, tzinfo=UTC)
    with Store(data, writer=True, word_index=True) as store:
        store.add_batch(
            [
                Article(
                    id=ident,
                    source="Wire",
                    title=title,
                    link=f"https://example.org/{ident}",
                    published=start + timedelta(minutes=n),
                    fetched=start + timedelta(minutes=n),
                )
                for n, (ident, title) in enumerate(headlines.items())
            ]
        )
        wait_for_index(store)
    where = ["--data-dir", str(data)]
    for query, expected in asked.items():
        code, lines, said = run(capsys, *where, "list", "--json", query)
        assert code == 0 and [a["id"] for a in lines] == expected, (query, said)
        code, lines, said = run(capsys, *where, "list", "--json", "--sort", "relevance", query)
        assert code == 0 and sorted(a["id"] for a in lines) == sorted(expected), (query, said)


def test_list_finds_a_word_written_in_full_width_or_in_parts_and_the_other_way_round(
    tmp_path: Path, capsys
) -> None:
    """Japanese outlets write Latin letters in full width ("ＡＰＥＣ", "Ｇ７"), and a feed may
    write a letter as its parts ("e" and an accent for "é"; Korean as its jamo): `list APEC`
    and `list ＡＰＥＣ` find both, `list café` a decomposed "Café", through the search index,
    ranked by relevance too (each found only the headline written as typed)."""
    import unicodedata

    headlines = {
        "en": "APEC summit opens in Gyeongju",
        "jp": "\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ",
        "g7": "\uff27\uff17外相会合、東京で",
        "fr": "Cafe\u0301 society reopens",
        "ko": unicodedata.normalize("NFD", "관세 협상 타결"),
        "kr": "관세 인하",
    }
    asked = {
        "APEC": ["jp", "en"],
        "\uff21\uff30\uff25\uff23": ["jp", "en"],
        "title:APEC": ["jp", "en"],
        '"apec summit"': ["en"],
        "G7": ["g7"],
        "caf\u00e9": ["fr"],
        "CAFE\u0301": ["fr"],
        "관세": ["kr", "ko"],
        unicodedata.normalize("NFD", "관세"): ["kr", "ko"],
        "-apec Gyeongju": [],
    }
    assert_list_finds(capsys, tmp_path / "d", headlines, asked)


def test_list_finds_a_word_typed_without_its_accents_and_the_other_way_round(
    tmp_path: Path, capsys
) -> None:
    """`list cafe` finds "Café", `list café` "Cafe", `list zurich` "Zürich", `list Елку`
    "Ёлку" and `list αθηνα` "Αθήνα", through the search index, ranked by relevance too (each
    found only the headline written as typed); a Hindi word differing by a vowel sign, or a
    Korean syllable by its final consonant, is another word."""
    headlines = {
        "fr": "Café society reopens",
        "en": "Cafe prices rise",
        "ch": "Stocks fall in Zürich",
        "ru": "Ёлку нарядили на площади",
        "gr": "Αθήνα: συνάντηση κορυφής",
        "hi": "काम जारी है",
        "ko": "각료 회의",
    }
    asked = {
        "cafe": ["en", "fr"],
        "café": ["en", "fr"],
        "title:CAFÉ": ["en", "fr"],
        '"cafe society"': ["fr"],
        "zurich": ["ch"],
        "ZURICH": ["ch"],
        "Елку": ["ru"],
        "αθηνα": ["gr"],
        "ΑΘΗΝΑ": ["gr"],
        "-cafe society": [],
        "कम": [],
        "काम": ["hi"],
        "가": [],
        "각료": ["ko"],
    }
    assert_list_finds(capsys, tmp_path / "d", headlines, asked)


@pytest.mark.parametrize(
    "query",
    [
        ["tariff", "-Busan"],
        ["-Busan", "tariff"],
        ["tariff", "-source:Nobody", "-Busan"],
        ["--", "tariff", "-Busan"],
        ["tariff -Busan"],
    ],
)
def test_a_term_excluded_as_an_argument_of_its_own_is_the_querys(
    seeded: Path, tmp_path: Path, capsys, query: list[str]
) -> None:
    """`-term` excludes (the query language), whether the query is one argument or several:
    `wirewatch list tariff -Busan` is not refused as an unknown option, and options keep
    their places around it."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    code, every, _ = run(capsys, "list", "--json", "tariff", *where)
    assert code == 0 and len(every) == 2
    if query[0] == "--":  # every word after it is the query's: the options go first
        code, lines, out = run(capsys, "list", "--limit", "5", "--json", *where, *query)
    else:
        code, lines, out = run(capsys, "list", "--limit", "5", *query, "--json", *where)
    assert code == 0, out
    assert 0 < len(lines) < len(every)
    assert all("busan" not in (line["title"] + line["summary"]).lower() for line in lines)
    code, stories, out = run(capsys, *where, "stories", "--json", *query)
    assert code == 0 and stories, out
    with pytest.raises(SystemExit) as refused:  # an option it does not know still is one
        main([*where, "list", "-tariff", "--bogus"])
    assert refused.value.code == 2
    assert "unrecognized arguments: --bogus" in capsys.readouterr().err


def test_a_refresh_of_unchanged_sources_says_nothing_new_and_nothing_revised(
    seeded: Path, tmp_path: Path, capsys
) -> None:
    """A second refresh of sources that changed nothing reads them while the store is still
    loading: it counts no article as revised, and writes none, as a poller with the store
    loaded does not."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    files = sorted((tmp_path / "d").glob("articles-*.json"))
    before = [path.read_bytes() for path in files]
    for _ in range(2):
        code, lines, out = run(capsys, *where, "refresh", "--json")
        assert code == 0, out
        assert [(line["new"], line["revised"], line["items"]) for line in lines] == [(0, 0, 6)]
    assert [path.read_bytes() for path in files] == before
    code, listed, _ = run(capsys, *where, "list", "--json")
    assert len(listed) == 6


def test_the_query_commands_options_that_take_a_value_are_known_to_the_query_reading() -> None:
    """The words of a `list` or `stories` query are told from the values of its options by
    a list of those options (`tui.cli._QUERY_VALUES`): an option added to either command
    with a value would otherwise have its value read as a query word."""
    import argparse

    from tui import cli

    parser = cli.build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for name in cli.QUERY_COMMANDS:
        taking = {
            option
            for action in commands.choices[name]._actions
            if action.nargs != 0 and action.option_strings
            for option in action.option_strings
        }
        assert taking <= set(cli._QUERY_VALUES), name


def test_a_migrated_data_dir_keeps_what_each_feed_listed_last(tmp_path: Path) -> None:
    """The desk's files go with the articles, the sources' last listings too: without them
    a first poll stores again what retention dropped and the feeds still list."""
    from fetchers import healthbook
    from tui.cli import copy_desk_files

    source, target = tmp_path / "from", tmp_path / "to"
    source.mkdir()
    target.mkdir()
    (source / healthbook.FILE).write_text("{}")
    (source / healthbook.LISTED_FILE).write_text('{"Blog": ["a1"]}')
    (source / healthbook.DROPPED_FILE).write_text('{"Blog": {"a0": "2026-12-01"}}')
    assert set(copy_desk_files(source, target)) >= {
        healthbook.FILE, healthbook.LISTED_FILE, healthbook.DROPPED_FILE
    }  # fmt: skip
    assert (target / healthbook.LISTED_FILE).read_text() == '{"Blog": ["a1"]}'
    assert HealthBook(target).load(listed=True) == {}  # (none polled yet)
    assert (target / healthbook.DROPPED_FILE).read_text() == '{"Blog": {"a0": "2026-12-01"}}'


def test_a_migration_takes_no_health_file_of_the_data_dir_beside_the_stores(
    tmp_path: Path,
) -> None:
    """Copied from a database, the health saved from it is the copy's: the data dir beside
    it gave the copy its own held and dropped ids too, another store's, which the copy's
    polls took for its sources' (retention kept the days holding those held)."""
    from fetchers import healthbook
    from fetchers.models import SourceHealth
    from tui.cli import copy_desk_files

    beside, target = tmp_path / "beside", tmp_path / "to"
    beside.mkdir()
    target.mkdir()
    ids = {"a0": "2026-12-01"}
    HealthBook(beside).save(
        {"Blog": SourceHealth("Blog", "https://b.example/feed", held=ids, dropped=ids)}
    )
    HealthBook(target).save({"Blog": SourceHealth("Blog", "https://b.example/feed")})
    copy_desk_files(beside, target)
    health = HealthBook(target).load(listed=True)["Blog"]
    assert health.held == {} and health.dropped == {}
    assert not (target / healthbook.HELD_FILE).exists()


def test_a_migrated_data_dir_keeps_what_retention_dropped_and_the_days_ahead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Into another data dir: an article retention dropped before the copy, its feed listing
    it again, is no news in the copy (nor in the original); a day filed ahead of the real
    clock is dropped by the copy's retention on the day the original's drops it (the copy
    noted it afresh at its first retention, and kept it that much longer)."""
    from tests import copied

    config = copied.polled_config(tmp_path)
    data, copy = tmp_path / "data", tmp_path / "copy"
    copied.drop_one(config, data)
    with Store(data, writer=True) as store:
        copied.file_a_day_ahead(store)
    assert main(["--config", str(config), "--data-dir", str(data), "migrate", "--to", "tinydb",
                 str(copy)]) == 0  # fmt: skip
    said = capsys.readouterr().out
    for each in (data, copy):
        with Store(each, writer=True) as store:
            copied.dropped_as_noted(store)
        assert copied.listed_again(config, each) == 0
        assert "Wire: 0 new of 2" in capsys.readouterr().out
    # (the feed's article 2 is filed after `copied.REAL` too)
    assert "and 2 days filed ahead of the real clock, as noted" in said


def test_a_query_an_option_interrupts_is_read_whole(seeded: Path, tmp_path: Path, capsys) -> None:
    """`list tariff --limit 5 OR APEC`: the words after the option are the query's too (they
    were refused as unrecognized arguments)."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    code, whole, out = run(capsys, "list", "tariff OR APEC", "--json", *where)
    assert code == 0 and whole, out
    code, split, out = run(capsys, "list", "tariff", "--json", "OR", *where, "APEC")
    assert code == 0, out
    assert [line["id"] for line in split] == [line["id"] for line in whole]
    code, stories, out = run(capsys, "stories", "tariff", "--limit", "5", "OR", "APEC", *where)
    assert code == 0 and "unrecognized" not in out


def _korean_source(tmp_path: Path) -> list[str]:
    """Options naming a data dir that holds one article with a Korean headline."""
    folder = tmp_path / "feeds"
    folder.mkdir()
    (folder / "k.xml").write_bytes(
        rss(
            "<title>한미 관세 협상 타결 APEC</title><link>http://example.org/1</link>"
            "<guid>1</guid><pubDate>Fri, 24 Oct 2025 06:15:00 GMT</pubDate>"
        )
    )
    config = tmp_path / "k.toml"
    config.write_text(f'[[sources]]\nname = "K"\npath = "{folder}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh"]) == 0
    return where


def test_a_locale_that_cannot_write_a_headline_still_gets_every_line(tmp_path: Path) -> None:
    """A terminal in Latin-1 (or EUC-KR, which has no "—"): text gets a "?" for what it
    cannot show, JSON stays UTF-8; both were a UnicodeEncodeError traceback and no output."""
    where = _korean_source(tmp_path)
    env = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    command = [sys.executable, "-m", "tui", *where]
    shown = subprocess.run([*command, "list"], cwd=ROOT, capture_output=True, env=env)
    assert shown.returncode == 0, shown.stderr
    assert b"APEC" in shown.stdout and b"?" in shown.stdout and not shown.stderr
    listed = subprocess.run([*command, "list", "--json"], cwd=ROOT, capture_output=True, env=env)
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout.decode("utf-8"))["title"] == "한미 관세 협상 타결 APEC"


def test_a_refresh_whose_reader_stops_early_keeps_its_exit_code(tmp_path: Path) -> None:
    """`wirewatch refresh | true` with a source failing exits 1, as it does unpiped (it
    exited 0, as if every source were fine), and prints no traceback."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Gone"\npath = "{tmp_path / "missing.xml"}"\n')
    for extra in ([], ["--json"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "--config", str(config), "--data-dir"]
            + [str(tmp_path / "d"), "refresh", *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader is gone before a line is written
        err = proc.stderr.read().decode()
        assert proc.wait(timeout=60) == 1, err
        assert "Traceback" not in err and "Exception ignored" not in err


def test_serve_and_poll_say_what_they_cannot_do_in_one_line(tmp_path: Path) -> None:
    """A port out of range, a port another program holds and a log file that is a folder
    are each one line and exit 2 (each was a traceback and exit 1, which says a source
    failed)."""
    import socket

    config = tmp_path / "e.toml"
    config.write_text("")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    command = [sys.executable, "-m", "tui", *where]
    out_of_range = subprocess.run([*command, "serve", "--port", "99999"], capture_output=True)
    assert out_of_range.returncode == 2
    assert b"a port is 1 to 65535, not 99999" in out_of_range.stderr
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        taken = subprocess.run(
            [*command, "serve", "--port", str(port)], capture_output=True, timeout=60
        )
    assert taken.returncode == 2
    assert f"cannot serve on 127.0.0.1:{port}".encode() in taken.stderr
    assert b"Traceback" not in taken.stderr
    (tmp_path / "logs").mkdir()
    folder = subprocess.run(
        [*command, "poll", "--log", str(tmp_path / "logs")], capture_output=True, timeout=60
    )
    assert folder.returncode == 2
    assert b"cannot log to" in folder.stderr and b"Traceback" not in folder.stderr


def test_an_event_given_no_zone_names_the_systems_in_json(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`tz` is a zone a program can look up: the system's name for an event given none (it
    was "local"), null when the system's zone has no name (a bare offset)."""
    config = tmp_path / "v.toml"
    config.write_text('[[events]]\nname = "e"\nwhen = "2030-01-01 09:00"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    monkeypatch.setenv("TZ", "America/Chicago")
    code, lines, _ = run(capsys, *where, "events", "--json")
    assert code == 0 and lines[0]["tz"] == "America/Chicago"
    monkeypatch.setenv("TZ", "KST-9")
    code, lines, _ = run(capsys, *where, "events", "--json")
    assert code == 0 and lines[0]["tz"] is None


def test_migrating_a_data_dir_into_itself_says_so(seeded: Path, tmp_path: Path, capsys) -> None:
    """It said the folder was "being written by another wirewatch process", giving its own
    pid: the copy had locked its target before seeing it was the source."""
    data = tmp_path / "d"
    for target in (data, tmp_path / "." / "d"):
        where = ["--config", str(seeded), "--data-dir", str(data)]
        code, _, output = run(capsys, *where, "migrate", "--to", "tinydb", str(target))
        assert code == 2
        assert "the store to copy into is the one copied from" in output
        assert "another wirewatch process" not in output


@pytest.mark.parametrize("instant", ["0001-01-01T00:00:00Z", "9999-12-31T23:00:00-05:00"])
def test_a_frozen_clock_at_the_ends_of_the_calendar_is_refused(
    tmp_path: Path, capsys, instant: str
) -> None:
    """`trends --now 0001-01-01T00:00:00Z` was an OverflowError traceback."""
    config = tmp_path / "e.toml"
    config.write_text("")
    code, _, output = run(capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"),
                          "trends", "--now", instant)  # fmt: skip
    assert code == 2 and "give a time from the year 2 to 9998" in output


def test_a_frozen_clock_that_does_not_read_names_where_it_came_from(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A WIREWATCH_NOW that is no time was said to be a `--now` the user never gave."""
    config = tmp_path / "e.toml"
    config.write_text("")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    monkeypatch.setenv("WIREWATCH_NOW", "garbage")
    code, _, output = run(capsys, *where, "events")
    assert code == 2 and "WIREWATCH_NOW 'garbage': not an ISO 8601 time" in output
    code, _, output = run(capsys, *where, "events", "--now", "later")
    assert code == 2 and "--now 'later': not an ISO 8601 time" in output


def test_an_empty_now_given_is_refused_and_an_empty_variable_is_unset(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--now ""` (a script's variable left empty) ran on the real clock without a word, as
    if no clock were given, where an empty `--config` is a usage error. An empty
    WIREWATCH_NOW is no clock given, as a shell's empty variable is unset."""
    config = tmp_path / "e.toml"
    config.write_text("")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    code, _, output = run(capsys, *where, "events", "--now", "")
    assert code == 2 and "--now '': not an ISO 8601 time" in output
    monkeypatch.setenv("WIREWATCH_NOW", "")
    code, _, output = run(capsys, *where, "events")
    assert code == 0, output


def test_help_of_a_query_command_is_help_not_a_query(tmp_path: Path, capsys) -> None:
    for command in ("list", "stories"):
        with pytest.raises(SystemExit) as done:
            main([command, "tariff", "-h"])
        assert done.value.code == 0
        assert f"usage: wirewatch {command}" in capsys.readouterr().out


def test_an_event_given_no_zone_names_the_readers_zone_when_the_settings_name_one(
    tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event added in the dashboard with no zone is in the reader's zone: the settings'
    one, which the text output shows it in (the JSON named the system's)."""
    config = tmp_path / "v.toml"
    config.write_text('[settings]\ntimezone = "Asia/Seoul"\n')
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "events.json").write_text(
        '{"events": [{"id": "a1", "name": "e", "when": "2030-01-01T00:00:00Z", "tz": "local"}]}'
    )
    monkeypatch.setenv("TZ", "America/Chicago")
    code, lines, _ = run(capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"),
                         "events", "--json")  # fmt: skip
    assert code == 0 and lines[0]["tz"] == "Asia/Seoul"


def test_a_stored_event_in_a_zone_this_machine_does_not_know_is_an_events_error(
    tmp_path: Path, capsys
) -> None:
    """events.json from a machine with newer zone data ("Europe/Nowhere" here): the event
    says its zone cannot be read (the dashboard ended in a traceback at its start)."""
    config = tmp_path / "v.toml"
    config.write_text("")
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "events.json").write_text(
        '{"events": [{"id": "a1", "name": "S", "when": "2026-12-20T00:00:00Z",'
        ' "tz": "Europe/Nowhere"}]}'
    )
    code, lines, out = run(capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"),
                           "events", "--json")  # fmt: skip
    assert code == 0 and "Traceback" not in out
    assert lines == [
        {"name": "S", "error": "stored zone 'Europe/Nowhere' is not one this machine knows"}
    ]


def test_a_hand_edited_events_file_loses_no_event_and_says_what_is_wrong(tmp_path: Path) -> None:
    """An entry with no id was never listed, nor said; removing one of two that shared an
    id removed both, and the file written again lost the entry with no id and anything
    that was no event; a query that does not read was listed as if it did."""
    from fetchers.events import EventBook, EventBookError

    data = tmp_path / "d"
    data.mkdir()
    (data / "events.json").write_text(
        '{"events": ['
        '{"id": "a1", "name": "Bad query", "when": "2025-11-01T03:00:00Z", "query": "tariff*"},'
        '{"id": "d1", "name": "Dup one", "when": "2025-11-02T03:00:00Z"},'
        '{"id": "d1", "name": "Dup two", "when": "2025-11-03T03:00:00Z"},'
        '{"name": "No id", "when": "2025-11-04T03:00:00Z"},'
        '{"id": "e", "name": "", "when": "2025-11-05T03:00:00Z"},'
        "null, 5]}"
    )
    book = EventBook(data)
    events = book.load()
    assert [e.name for e in events] == ["Bad query", "Dup one", "Dup two", "No id", "(no name)"]
    assert len({e.ident for e in events}) == 5
    assert [e.ident for e in book.load()] == [e.ident for e in events]  # the same at each read
    assert "stored query 'tariff*'" in (events[0].error or "")
    assert events[4].error == "stored event has no name"
    book.remove(events[2].ident)  # "Dup two"
    assert [e.name for e in book.load()] == ["Bad query", "Dup one", "No id", "(no name)"]
    written = json.loads((data / "events.json").read_text())["events"]
    assert written[-2:] == [None, 5] and len(written) == 6
    (data / "events.json").write_text("[]")  # no object: said, never written over
    with pytest.raises(EventBookError, match="not an object holding the events"):
        book.load()


def test_a_language_with_a_region_lists_that_languages_articles(tmp_path: Path, capsys) -> None:
    """`list lang:en-US` (a store's newest rows filtered by what each shard files) printed
    nothing: the region was kept in the value the rows were compared with."""
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><language>en-US'
        b"</language><item><title>A tariff</title><guid>1</guid></item></channel></rss>"
    )
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "t"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh"]) == 0
    for value in ("en-US", "en_US", "en"):
        code, lines, _ = run(capsys, *where, "list", f"lang:{value}", "--json")
        assert code == 0 and [line["title"] for line in lines] == ["A tariff"], value


KOREAN_HEADLINE = "한미 관세 협상 타결…자동차 관세 15%로 인하"
ENGLISH_HEADLINE = "US and South Korea seal a trade deal"
DECLARED_HEADLINE = "한미 정상회담 경주서 개최"


@pytest.mark.parametrize("backend", ["tinydb", "postgresql"])
def test_lang_finds_the_articles_of_feeds_that_declare_no_language(
    tmp_path: Path, feed_server: FeedServer, capsys, request: pytest.FixtureRequest, backend: str
) -> None:
    """`list lang:ko` printed nothing, exit 0, for a Korean RSS feed without <language>, and
    `lang:en` nothing for an English Atom feed without xml:lang: their articles had no
    language. They are given the one their words say; a declared one wins over the words;
    a headline too short to say has none; `--json` gives what `lang:` finds them by."""
    korean = rss(
        f"<title>{KOREAN_HEADLINE}</title><guid>k1</guid>"
        "<description>양국은 경주에서 열린 정상회담에서 관세 협상을 타결했다.</description>"
    )
    english = (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Wire</title><id>urn:wire</id><entry><id>urn:wire:1</id><title>{ENGLISH_HEADLINE}"
        "</title><summary>The two countries agreed on a tariff of 15% for the cars of Korea."
        "</summary></entry></feed>"
    ).encode()
    declared = rss(f"<title>{DECLARED_HEADLINE}</title><guid>d1</guid>").replace(
        b"<channel>", b"<channel><language>en-US</language>"
    )
    short = rss("<title>Apple</title><guid>s1</guid>")
    sources = "".join(
        f'[[sources]]\nname = "{name}"\nurl = "{feed_server.add(f"/{name}.xml", Route(body))}"\n'
        for name, body in (
            ("korean", korean), ("english", english), ("declared", declared), ("short", short)
        )
    )  # fmt: skip
    if backend == "postgresql":
        dsn = request.getfixturevalue("pg_dsn")
        sources += f'[store]\nbackend = "postgresql"\ndsn = "{dsn}"\n'
    config = tmp_path / "c.toml"
    config.write_text(sources, "utf-8")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh"]) == 0
    capsys.readouterr()

    def listed(query: str) -> list[str]:
        code, lines, said = run(capsys, *where, "list", query, "--json")
        assert code == 0, said
        return sorted(line["title"] for line in lines)

    assert listed("lang:ko") == [KOREAN_HEADLINE]
    assert listed("lang:en") == sorted([ENGLISH_HEADLINE, DECLARED_HEADLINE])
    assert listed("lang:en-US") == listed("lang:en")
    assert listed("Apple") == ["Apple"]
    assert listed("-lang:ko -lang:en") == ["Apple"]  # (a short headline: told none)


def test_a_lang_that_is_no_language_tag_is_an_error(tmp_path: Path, capsys) -> None:
    """`list lang:123` and `lang:english` matched nothing, exit 0, in silence."""
    config = tmp_path / "c.toml"
    config.write_text("")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    for value in ("123", "xx1", "english", "k"):
        code, _, said = run(capsys, *where, "list", f"lang:{value}")
        assert code == 2 and f"lang:{value} is no language tag" in said, value
    for value in ("ko", "en_US", "zh-Hant-TW"):
        code, _, said = run(capsys, *where, "list", f"lang:{value}")
        assert code == 0, said


def test_alerts_of_articles_retention_removed_are_not_listed(tmp_path: Path, capsys) -> None:
    """`alerts` listed an article retention had removed (`show` then said "no article"):
    the history is trimmed with the days retention drops, also in a cycle whose new
    articles fire nothing."""
    feed = tmp_path / "w.xml"
    feed.write_bytes(
        rss(
            "<title>Strong quake hits off Miyagi coast</title><guid>a1</guid>"
            "<pubDate>Sat, 01 Nov 2025 09:50:00 GMT</pubDate>"
        )
    )
    config = tmp_path / "c.toml"
    config.write_text(
        f'[settings]\nretention_days = 1\n[[sources]]\nname = "Wire"\npath = "{feed}"\n'
        '[[alerts]]\nname = "Quake"\nquery = "quake"\nnotify = ["terminal"]\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "--now", "2025-11-01T10:00:00Z", "refresh"]) == 0
    code, fired, _ = run(capsys, *where, "--now", "2025-11-01T10:05:00Z", "alerts", "--json")
    assert code == 0 and [a["alert"] for a in fired] == ["Quake"]
    feed.write_bytes(rss("<title>Weather sunny</title><guid>w1</guid>"))  # new, no alert
    assert main([*where, "--now", "2025-11-04T10:00:00Z", "refresh"]) == 0
    capsys.readouterr()
    code, left, _ = run(capsys, *where, "--now", "2025-11-04T10:05:00Z", "alerts", "--json")
    assert code == 0 and left == []


def test_help_names_where_the_config_and_the_articles_are_looked_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--help` said "the user config dir" and the seed config sent people to it to find
    out where that is: it names the file and the folder."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "conf"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    with pytest.raises(SystemExit):
        main(["--help"])
    said = " ".join(capsys.readouterr().out.split())  # (argparse wraps long lines)
    assert str(tmp_path / "conf" / "wirewatch" / "wirewatch.toml") in said.replace(" ", "")
    assert str(tmp_path / "share" / "wirewatch") in said.replace(" ", "")


def test_a_data_dir_that_is_a_file_is_said_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "cannot create the data dir: File exists" said nothing of what was wrong."""
    taken = tmp_path / "notes.txt"
    taken.write_text("mine", "utf-8")
    assert main(["--data-dir", str(taken), "list"]) != 0
    assert f"{taken}: is a file, not a folder" in capsys.readouterr().err
    assert main(["--data-dir", str(taken / "data"), "list"]) != 0
    assert f"{taken} is a file, not a folder" in capsys.readouterr().err
    assert taken.read_text("utf-8") == "mine"


def test_events_come_soonest_first_whoever_added_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The config's events came first, then the app's: one added in the app for tomorrow sat
    under events long past. Those to come are listed soonest first, then those past."""
    from fetchers.events import EventBook
    from fetchers.models import Event

    config = tmp_path / "c.toml"
    config.write_text(
        '[[events]]\nname = "Old summit"\nwhen = "2025-10-29 14:00"\ntz = "Asia/Seoul"\n'
        '[[events]]\nname = "Far deadline"\nwhen = "2027-06-01 09:00"\ntz = "UTC"\n',
        "utf-8",
    )
    data = tmp_path / "d"
    when = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    EventBook(data).add(Event(name="Tomorrow's vote", when=when, tz="UTC", raw_when="tomorrow"))
    common = ["--config", str(config), "--data-dir", str(data), "--now", "2026-12-06T09:00:00Z"]
    code, lines, _ = run(capsys, *common, "events", "--json")
    assert code == 0
    assert [e["name"] for e in lines] == ["Tomorrow's vote", "Far deadline", "Old summit"]


@pytest.mark.parametrize("command", ["list", "stories", "sources", "events", "refresh"])
def test_a_pipe_or_a_device_in_the_data_dir_is_named_not_read(tmp_path: Path, command: str) -> None:
    """A pipe put in place of meta.json held every command for good, and a link to
    /dev/zero as stories.json filled memory: each is refused and named, at once."""
    config = tmp_path / "c.toml"
    config.write_text("")
    for name, make_it in (
        ("meta.json", lambda path: os.mkfifo(path)),
        ("stories.json", lambda path: path.symlink_to("/dev/zero")),
    ):
        data = tmp_path / f"d-{name}"
        data.mkdir()
        make_it(data / name)
        done = subprocess.run(
            [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
            + [command],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=30,
        )
        kind = "a pipe" if name == "meta.json" else "a device"
        assert done.returncode == 2
        assert f"{data / name} is {kind}, not a file" in done.stderr


def test_list_says_it_shows_the_newest_50_and_limit_0_lists_every_article(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list` stopped at 50 rows and said nothing, and `--limit 0` printed none, so there
    was no plain way to list everything."""
    from tests.conftest import make

    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch([make(n) for n in range(120)])
    config = tmp_path / "c.toml"
    config.write_text("")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    main([*where, "list"])
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 50 and "the newest 50 shown" in err
    main([*where, "list", "--limit", "0"])
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 120 and not err
    main([*where, "list", "--json"])  # (what a script reads: no word on stderr)
    out, err = capsys.readouterr()
    assert len(out.splitlines()) == 50 and not err


def test_a_source_or_tag_that_is_not_there_is_said_with_the_name_it_may_mean(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`source:Yonhap` (the source is "Yonhap via Korea Herald") and a mistyped tag matched
    nothing and said nothing, as if there were no news."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    code, lines, output = run(capsys, "list", "source:Yonhap", *where)
    assert code == 0 and lines == []
    assert 'source:yonhap: no source of that name (did you mean source:"Yonhap via Korea' in output
    code, lines, output = run(capsys, "list", "tag:nosuch", *where)
    assert "tag:nosuch: no tag of that name" in output
    # left out, a name that is none leaves nothing out: the list shows what was to be hidden
    code, lines, output = run(capsys, "list", "-source:Yonhap", "--json", *where)
    assert code == 0 and lines
    assert (
        "-source:yonhap: no source of that name, so it leaves nothing out"
        ' (did you mean -source:"Yonhap via Korea' in output
    )
    code, lines, output = run(capsys, "list", "-tag:nosuch", "--sort", "relevance", "a", *where)
    assert "-tag:nosuch: no tag of that name, so it leaves nothing out" in output
    code, lines, output = run(capsys, "list", "-source:Yonhap via Korea Herald", *where)
    assert "no source" not in output  # (a name that is one: nothing to say)


def test_a_source_name_the_shell_took_the_quotes_off_is_that_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list source:"Wire EN"` reaches wirewatch as one word, `source:Wire EN`: it looked for
    a source "Wire" and the word "EN", found nothing and suggested what had been typed. A
    configured name (or tag) is read whole; a whole query given as one word is read as
    typed; a suggestion is written as a query writes it (a quote inside it twice)."""
    feed = tmp_path / "f.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Seoul and Washington far apart</title><guid>1</guid></item>"
        "<item><title>Missile test</title><guid>2</guid></item></channel></rss>"
    )
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Wire EN"\npath = "{feed}"\ntags = ["two words"]\n'
        f'[[sources]]\nname = \'The "Daily" Wire\'\npath = "{feed}.none"\nenabled = false\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh"]) == 0
    capsys.readouterr()
    for typed in (["source:Wire EN"], ["tag:TWO WORDS"], ["source:wire en", "missile"]):
        code, lines, output = run(capsys, "list", *typed, "--json", *where)
        assert code == 0 and lines and "no source" not in output, typed
    code, lines, output = run(capsys, "list", "-source:Wire EN", "--json", *where)
    assert code == 0 and lines == []
    code, lines, output = run(capsys, "list", "missile source:Wire", *where)
    assert (
        lines == []
        and 'source:wire: no source of that name (did you mean source:"Wire EN"?)' in output
    )
    code, lines, output = run(capsys, "list", "source:The Daily", *where)
    assert "source:the: no source" in output  # not a name: read as typed
    assert '(did you mean source:"The ""Daily"" Wire"?)' in output


def test_an_empty_data_dir_or_config_is_a_usage_error_not_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--data-dir "$DIR"` with $DIR unset refreshed into the user's default store, and
    `--config ""` read the embedded default; an empty variable still counts as unset."""
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Seed"\npath = "{ROOT / "seeds"}"\n', "utf-8")
    default_store = tmp_path / "xdg-data" / "wirewatch"
    code, _, output = run(capsys, "--config", str(config), "--data-dir", "", "refresh")
    assert code == 2
    assert "--data-dir is empty: give a folder, or leave --data-dir out" in output
    code, _, output = run(capsys, "list", "--config", "", "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "--config is empty: give a config file" in output
    assert not default_store.exists()
    monkeypatch.setenv("WIREWATCH_DATA", "")
    monkeypatch.setenv("WIREWATCH_CONFIG", "")
    code, _, output = run(capsys, "sources")
    assert code == 0 and "Yonhap via Korea Herald" in output  # the embedded default's


def test_stories_limit_0_lists_every_story_as_list_does(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`stories --limit 0` printed nothing, where `list --limit 0` prints every article."""
    where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    _, every, _ = run(capsys, *where, "stories", "--json")
    assert every
    code, stories, _ = run(capsys, *where, "stories", "--limit", "0", "--json")
    assert code == 0 and stories == every
    _, matching, _ = run(capsys, *where, "stories", "tariff", "--json")
    code, stories, _ = run(capsys, *where, "stories", "tariff", "--limit", "0", "--json")
    assert code == 0 and stories == matching and stories


def test_a_refresh_of_a_folder_holding_a_page_prints_no_library_log_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A page whose text trafilatura gives up on (wirewatch's other extractors find it)
    printed "wirewatch: discarding data: None", trafilatura's own log line."""
    clips = tmp_path / "clips"
    clips.mkdir()
    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 3
    (clips / "note.html").write_text(
        f"<html><head><title>Talks</title></head><body><footer><p>{para}</p></footer>"
        "</body></html>",
        "utf-8",
    )
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Clips"\npath = "{clips}"\n', "utf-8")
    code, _, output = run(
        capsys, "--config", str(config), "--data-dir", str(tmp_path / "d"), "refresh"
    )
    assert code == 0 and "Clips: 1 new of 1" in output
    assert "discarding" not in output and "wirewatch:" not in output


def test_a_word_with_soft_hyphens_is_found_and_shown_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`&shy;` (German outlets hyphenate long words with it) stayed in titles, summaries and
    full texts: `list bundesregierung` missed "Bundes&shy;regierung"."""
    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "wire.xml").write_bytes(
        rss(
            "<title>Die Bundes&amp;shy;regierung tagt</title><guid>g1</guid>"
            "<description>Die Bundes&amp;shy;regierung hat beraten.</description>"
        )
    )
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Clips"\npath = "{clips}"\n', "utf-8")
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert run(capsys, *where, "refresh")[0] == 0
    code, lines, _ = run(capsys, *where, "list", "bundesregierung", "--json")
    assert code == 0 and len(lines) == 1
    assert lines[0]["title"] == "Die Bundesregierung tagt"
    assert lines[0]["summary"] == "Die Bundesregierung hat beraten."
    page = tmp_path / "page.html"
    para = "Die Bundes&shy;regierung hat am Freitag lange &uuml;ber die Z&ouml;lle beraten. " * 4
    page.write_text(f"<html><body><article><p>{para}</p></article></body></html>", "utf-8")
    code, _, output = run(capsys, "extract", str(page))
    assert code == 0 and "Die Bundesregierung hat" in output and "\u00ad" not in output


def test_list_and_show_print_no_escape_a_store_written_elsewhere_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Feed text is cleaned as it is fetched, but a store another program wrote or edited
    is not: `list` and `show` printed a title's escape sequences to the terminal (one set
    the window's title). Text output takes them out; JSON escapes them."""
    from fetchers.models import Article
    from fetchers.store import Store

    hostile = "\x1b]0;PWNED\x07\x1b[31mRed alert\x1b[0m over the \x9b2Jport"
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="e5c0ffee00000001", source="Wire\x1b[5m", title=hostile, link=None,
                    published=None, fetched=None, summary="Body \x1b[2J text.",
                )
            ]
        )  # fmt: skip
    config = tmp_path / "c.toml"
    config.write_text("")
    args = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    for command in (["list"], ["show", "e5c0ffee00000001"]):
        code, _, out = run(capsys, *command, *args)
        assert code == 0 and "Red alert over the port" in out, command
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out, command
    code, lines, _ = run(capsys, "list", "--json", *args)
    assert code == 0 and lines[0]["title"] == hostile  # (as stored, escaped by JSON)


def test_the_dashboard_without_a_terminal_says_so_and_takes_nothing(tmp_path: Path) -> None:
    """Started with its input closed (`ssh host wirewatch` without -t, a job), the dashboard
    read the ended input at full CPU for good, outlived the session, and as the store's
    writer kept `wirewatch poll` from starting. It says it needs a terminal, exit 2."""
    config = tmp_path / "c.toml"
    config.write_text("")
    data = tmp_path / "d"
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)],
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and "needs a terminal" in done.stderr
    assert not (data / "writer.lock").exists()


def _waiting_poller(config: Path, data: Path, log: Path) -> subprocess.Popen[bytes]:
    """`poll` in a process of its own, once it says it waits for the writer before it;
    started as a terminal starts it (a run started in the background, `&`, has SIGINT
    ignored, and its children inherit that)."""
    poller = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["poll", "--log", str(log)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 30
    while "polling starts once it stops" not in (log.read_text() if log.exists() else ""):
        if poller.poll() is not None or time.monotonic() > deadline:
            poller.kill()
            poller.wait()
            raise AssertionError("poll exited, or did not say it waits")
        time.sleep(0.1)
    return poller


def test_poll_waits_for_the_writer_before_it_rather_than_exiting(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A dashboard that took over from a dead poller keeps the lock: the poller its service
    manager restarted exited 2 at once, again and again until the manager gave up. It
    waits, says so once, and polls once the other writer is gone."""
    from fetchers.store import Store

    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data, log = tmp_path / "d", tmp_path / "poll.log"
    writer = Store(data, writer=True)
    poller = _waiting_poller(config, data, log)
    try:
        deadline = time.monotonic() + 30
        assert not feed_server.hits.get("/f.xml")
        writer.close()
        while not feed_server.hits.get("/f.xml"):
            assert poller.poll() is None, "poll exited"
            assert time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        poller.terminate()
        poller.wait(timeout=30)
        writer.close()
    assert log.read_text().count("polling starts once it stops") == 1


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_poll_stopped_while_it_waits_for_another_writer_exits_0(
    tmp_path: Path, stop: signal.Signals
) -> None:
    """A poller waiting for another writer ended with 130 on SIGINT (a polling one with 0):
    a service manager stopping it read a failure. It stops as asked, exit 0."""
    from fetchers.store import Store

    config = tmp_path / "c.toml"
    config.write_text('[[sources]]\nname = "F"\npath = "nothing.xml"\n')
    data, log = tmp_path / "d", tmp_path / "poll.log"
    writer = Store(data, writer=True)
    poller = _waiting_poller(config, data, log)
    try:
        poller.send_signal(stop)
        assert poller.wait(timeout=30) == 0
    finally:
        if poller.poll() is None:
            poller.kill()
            poller.wait()
        writer.close()


def test_a_data_dir_wirewatch_makes_is_its_users_alone(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """The shards were written for their user alone (0600), but the full texts, row caches,
    search index and stories beside them were anyone's on a shared host to read: the data
    dir wirewatch makes is its user's alone."""
    import stat

    url = feed_server.add("/f.xml", Route(rss("<title>Kept</title><guid>1</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "F"\nurl = "{url}"\n')
    data = tmp_path / "fresh" / "d"
    assert _refresh_process(config, data).returncode == 0
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    assert stat.S_IMODE(data.parent.stat().st_mode) != 0o700  # (the folders above as usual)


@pytest.mark.parametrize(
    ("folder_mode", "umask", "file_mode"),
    [(0o2770, 0o002, 0o660), (0o755, 0o022, 0o600)],
    ids=["a folder its group shares", "a folder others may enter"],
)
def test_every_file_in_the_data_dir_has_the_mode_its_folder_calls_for(
    tmp_path: Path, folder_mode: int, umask: int, file_mode: int
) -> None:
    """In a data dir shared with a group (`chmod 2770`, umask 002) the articles, sources,
    alerts and meta were 0600, the row caches and stories as the umask said (0664), the
    search index 0644: a group member's `list` was empty while the titles and summaries
    were there to read in the caches. In a folder of 0755 the full-text index was anyone's
    to read beside private articles. Every file follows the folder: its group's too where
    the folder is shared, else its user's alone."""
    import stat

    clips = tmp_path / "clips"
    clips.mkdir()
    (clips / "a.txt").write_text("Tariff talks resume. Seoul and Washington met again.\n")
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Clips"\npath = "{clips}"\n')
    data = tmp_path / "d"
    data.mkdir()
    data.chmod(folder_mode)
    done = subprocess.run(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(data)]
        + ["refresh"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        umask=umask,
    )
    assert done.returncode == 0, done.stderr
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in data.iterdir()}
    written = {name.split("-")[0] for name in modes} | set(modes)
    assert {"articles", "rows", "text", "search.sqlite", "shards.json", "stories.json"} <= written
    assert {"sources.json", "meta.json", "writer.lock"} <= written
    assert modes == dict.fromkeys(modes, file_mode)


def test_a_writer_takes_from_files_made_before_what_their_folder_does_not_give(
    tmp_path: Path,
) -> None:
    """Files an older wirewatch made as the umask said (0644) in a folder others may enter
    stay anyone's to read where they are written in place (the search index, the full
    texts) or not again (an earlier day's row cache): the writer takes that away as it
    opens the data dir, and leaves a file that is not its own as it is."""
    import stat

    data = tmp_path / "d"
    data.mkdir(mode=0o755)
    with Store(data, writer=True) as store:
        store.add_batch([make(1)])
    older = [path for path in data.iterdir() if path.name != "writer.lock"]
    for path in older:
        path.chmod(0o644)
    notes = data / "notes.txt"  # (the user's own)
    notes.write_text("kept as it is\n")
    notes.chmod(0o644)
    with Store(data, writer=True):
        pass
    assert {path.name: stat.S_IMODE(path.stat().st_mode) for path in older} == {
        path.name: 0o600 for path in older
    }
    assert stat.S_IMODE(notes.stat().st_mode) == 0o644


def test_an_article_stored_with_soft_hyphens_is_not_revised_when_they_are_taken_out(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Feed text loses its soft hyphens now; an article stored with them was taken as
    revised at the next poll (a revision that reads the same), every German outlet's
    articles once."""
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        rss(
            "<title>Bundes&#173;regierung beschlie&#223;t Haushalt</title><guid>g1</guid>"
            "<description>Die Bundes&#173;regierung hat den Haushalt beschlossen.</description>"
        )
    )
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Zeit"\npath = "{feed}"\n')
    args = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*args, "refresh"]) == 0
    (shard,) = (tmp_path / "d").glob("articles-*.json")
    text = shard.read_text()
    assert "Bundesregierung" in text
    shard.write_text(text.replace("Bundesregierung", "Bundes\\u00adregierung"))  # as stored before
    for cache in (tmp_path / "d").glob("rows-*.json"):
        cache.unlink()
    capsys.readouterr()
    code, lines, _ = run(capsys, *args, "refresh", "--json")
    assert code == 0 and lines[0]["revised"] == 0 and lines[0]["new"] == 0


def test_sources_tells_each_source_s_health_by_its_address_after_a_swap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two names swapped while no poller ran: `sources` showed each the other's health (its
    address included), and a source renamed so showed none, until the next poll."""
    good = tmp_path / "good.xml"
    good.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>One</title><guid>1</guid></item></channel></rss>"
    )
    config = tmp_path / "c.toml"
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    config.write_text(
        f'[[sources]]\nname = "Good"\npath = "{good}"\n'
        f'[[sources]]\nname = "Broken"\npath = "{tmp_path / "none.xml"}"\n'
    )
    main([*where, "refresh"])
    config.write_text(
        f'[[sources]]\nname = "Broken"\npath = "{good}"\n'
        f'[[sources]]\nname = "Renamed"\npath = "{tmp_path / "none.xml"}"\n'
    )
    capsys.readouterr()
    code, lines, _ = run(capsys, *where, "sources", "--json")
    assert code == 0
    shown = {line["name"]: line for line in lines}
    assert shown["Broken"]["status"] == "ok" and shown["Broken"]["url"].endswith("good.xml")
    assert shown["Renamed"]["status"] == "error" and shown["Renamed"]["failures"] >= 1


def test_list_finds_a_source_or_tag_in_any_case_or_apostrophe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`list source:"İZMİR HABER"` lists the source "İzmir Haber" (Python's lower-casing of
    its "İ" kept a combining dot: nothing was found), and a name written with "’" is found
    typed with "'", the shell's quotes taken off or not."""
    feed = tmp_path / "f.xml"
    feed.write_text(
        '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
        "<item><title>Liman genişliyor</title><guid>1</guid></item></channel></rss>",
        "utf-8",
    )
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "İzmir Haber"\npath = "{feed}"\ntags = ["Ege\u2019nin Sesi"]\n',
        "utf-8",
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*where, "refresh"]) == 0
    capsys.readouterr()
    for typed in (
        ['source:"İZMİR HABER"'],
        ["source:İZMİR HABER"],
        ["source:izmir haber"],
        ["tag:EGE'NIN SESI"],
        ['tag:"ege\'nin sesi"'],
    ):
        code, lines, output = run(capsys, "list", *typed, "--json", *where)
        assert code == 0 and [line["source"] for line in lines] == ["İzmir Haber"], typed
        assert "no source" not in output and "no tag" not in output, typed


def test_a_refresh_through_a_proxy_it_cannot_use_says_so_once_and_polls_the_rest(
    tmp_path: Path, capsys, feed_server: FeedServer, no_proxies: pytest.MonkeyPatch
) -> None:
    """`all_proxy=socks4://…` ended a refresh in a traceback, exit 1 ("some sources failed"),
    nothing polled: the sources NO_PROXY exempts are polled, those it would carry fail with
    one line naming it (its password hidden), and the exit is 2, a setting to change."""
    no_proxies.setenv("all_proxy", "socks4://me:secret@127.0.0.1:1080/")
    no_proxies.setenv("no_proxy", "127.0.0.1")
    local = feed_server.add("/local.xml", Route(rss("<title>Near</title><guid>1</guid>")))
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Local"\nurl = "{local}"\n'
        '[[sources]]\nname = "Far"\nurl = "http://wire.invalid/rss"\n'
    )
    code = main(["--config", str(config), "--data-dir", str(tmp_path / "d"), "refresh"])
    out, err = capsys.readouterr()
    assert code == 2
    assert "ok            Local: 1 new of 1" in out
    said = (
        "the proxy all_proxy=socks4://me:***@127.0.0.1:1080/ cannot be used: wirewatch speaks"
        " to http://, https://, socks5://, socks5h:// proxies, not socks4://"
    )
    assert f"error         Far: {said}" in out
    assert err.splitlines() == [f"wirewatch: Far: {said}"]
    assert "secret" not in out + err
    # a source that moved for good is said with the address that failed, still exit 2
    from fetchers.models import PollResult
    from tui.cli import _refused_by_proxy

    moved = PollResult("Far", "error", error=f"{said} (at http://wire.invalid/moved)")
    assert _refused_by_proxy([moved])
    assert not _refused_by_proxy([PollResult("Far", "error", error="HTTP 404 Not Found")])


def test_a_zone_written_in_a_config_events_time_is_the_events_zone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ "2026-11-03 08:00 Europe/Paris" was counted down to in the reader's zone alone: the
    text showed only the reader's time and the JSON named the reader's zone. A zone written
    in the time (an IANA name, a news abbreviation as the zone it stands for, a whole-hour
    offset) is the event's zone where no `tz` key names one."""
    config = tmp_path / "c.toml"
    config.write_text(
        '[settings]\ntimezone = "America/Chicago"\n'
        '[[events]]\nname = "Paris"\nwhen = "2026-11-03 08:00 Europe/Paris"\n'
        '[[events]]\nname = "Vote"\nwhen = "Nov 3, 2026 8am ET"\n'
        '[[events]]\nname = "Seoul"\nwhen = "Nov 4, 2026 8am KST"\n'
        '[[events]]\nname = "Offset"\nwhen = "Nov 5, 2026 8am UTC+9"\n'
        '[[events]]\nname = "Kept"\nwhen = "2026-11-06 08:00 Europe/Paris"\ntz = "Asia/Tokyo"\n'
        '[[events]]\nname = "Plain"\nwhen = "2026-11-07 08:00"\n',
        "utf-8",
    )
    common = ["--config", str(config), "--data-dir", str(tmp_path / "d"), "--now", NOW]
    code, lines, _ = run(capsys, *common, "events", "--json")
    assert code == 0
    assert [(e["name"], e["when"], e["tz"]) for e in lines] == [
        ("Paris", "2026-11-03T07:00:00Z", "Europe/Paris"),
        ("Vote", "2026-11-03T13:00:00Z", "America/New_York"),
        ("Seoul", "2026-11-03T23:00:00Z", "Asia/Seoul"),
        ("Offset", "2026-11-04T23:00:00Z", "Etc/GMT-9"),
        ("Kept", "2026-11-06T07:00:00Z", "Asia/Tokyo"),  # the tz key, as before
        ("Plain", "2026-11-07T14:00:00Z", "America/Chicago"),  # none written: the reader's
    ]
    code, _, output = run(capsys, *common, "events")
    assert code == 0
    assert "Tue 2026-11-03 08:00 CET  Paris" in output
    assert "Tue 2026-11-03 08:00 EST  Vote" in output
    assert "Wed 2026-11-04 08:00 KST  Seoul" in output
    assert "Thu 2026-11-05 08:00 +09  Offset" in output


def test_events_with_an_unreadable_events_file_list_the_config_ones_and_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A truncated events.json: `events` listed the config's events and exited 0, so a script
    took the list for whole. It still lists what it can read and says why on stderr, and exits
    2, as `list` does for a part of the store it cannot read."""
    config = tmp_path / "c.toml"
    config.write_text('[[events]]\nname = "Summit"\nwhen = "2026-11-03 08:00"\ntz = "UTC"\n')
    data = tmp_path / "d"
    data.mkdir()
    (data / "events.json").write_text('{"events": [{"id": "a", "name": "Vote", "when": "2026-')
    common = ["--config", str(config), "--data-dir", str(data), "--now", NOW]
    for as_json in ([], ["--json"]):
        code = main([*common, "events", *as_json])
        out, err = capsys.readouterr()
        assert code == 2
        assert "Summit" in out and "Vote" not in out
        assert f"{data / 'events.json'} cannot be read" in err


def test_alerts_since_says_the_history_holds_less_when_the_cap_dropped_older(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`alerts --since 2d` at a busy desk printed the 10 hours the cap of the history had
    kept, nothing said: it says from when the history holds, and the exit is still 0."""
    from fetchers.alerthistory import AlertHistory

    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 3)
    monkeypatch.setattr("tui.cli.MAX_ENTRIES", 3)
    config = tmp_path / "c.toml"
    config.write_text('[settings]\ntimezone = "UTC"\n')
    data = tmp_path / "d"
    data.mkdir()
    now = datetime(2026, 3, 3, 11, 0, tzinfo=UTC)
    history = AlertHistory(data)
    for hours in (5, 4, 3, 2, 1):
        at = now - timedelta(hours=hours)
        entry = {"alert": "Tariffs", "rule": "config:Tariffs", "kind": "match"}
        entry |= {"article": None, "title": f"{hours}h ago", "source": None, "at": at}
        history.append([entry], at, 30)
    where = ["--config", str(config), "--data-dir", str(data), "--now", now.isoformat()]
    code, fired, said = run(capsys, *where, "alerts", "--since", "2d", "--json")
    assert code == 0 and [a["title"] for a in fired] == ["1h ago", "2h ago", "3h ago"]
    assert "holds only from Tue 2026-03-03 08:00 UTC" in said
    assert "newest 3 alerts" in said
    code, fired, said = run(capsys, *where, "alerts", "--since", "150m", "--json")
    assert code == 0 and len(fired) == 2 and "holds only" not in said  # all it asked is there


def test_show_says_when_it_prints_the_summary_for_want_of_a_full_text(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`show` printed a feed's summary as the article's text, unlabelled, and `show --json`
    put it in "text": a reader and a script could not tell it from the page's text."""
    feed = tmp_path / "f.xml"
    feed.write_bytes(
        rss(
            "<title>Botblock</title><guid>b1</guid><link>https://example.org/b1</link>"
            "<description>Summary only for botblock.</description>"
        )
    )
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d2")]
    assert main([*where, "refresh"]) == 0
    _, lines, _ = run(capsys, "list", "--json", *where)
    ident = lines[0]["id"]
    code, shown, _ = run(capsys, "show", ident, "--json", *where)
    assert code == 0 and shown[0]["text"] == "Summary only for botblock."
    assert shown[0]["text_source"] == "summary"
    code, _, output = run(capsys, "show", ident, *where)
    assert "Summary only (no full text fetched):\nSummary only for botblock." in output
    # the seed's article has its page's text: named so
    seeded_where = ["--config", str(seeded), "--data-dir", str(tmp_path / "d")]
    _, lines, _ = run(capsys, "list", "sticking", "--json", *seeded_where)
    code, shown, _ = run(capsys, "show", lines[0]["id"], "--json", *seeded_where)
    assert shown[0]["text_source"] == "page"
    code, _, output = run(capsys, "show", lines[0]["id"], *seeded_where)
    assert "Summary only" not in output


def test_refresh_run_again_and_again_learns_a_site_s_box(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a site repeats on its pages (a newsletter box) was learnt in memory only: a
    `refresh` run by cron sees a page or two a run and never learnt it, and every article
    kept the box. The data dir keeps what was learnt (a derived file, made again when
    deleted), and the fourth run's article is stored without the box."""
    from fetchers.extractors import sitewide
    from tests.test_text_revisions import BOX, site_page

    item = "<title>Report {0}</title><link>{1}</link><guid>{0}</guid>"
    links = [feed_server.add(f"/news/{n}.html", site_page(n)) for n in range(4)]
    config = tmp_path / "c.toml"
    config.write_text(
        f'[[sources]]\nname = "Harbour"\nurl = "{feed_server.url("/feed.xml")}"\nfull_text = true\n'
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    for n in range(4):  # a run a page, each a process of its own: it starts knowing nothing
        sitewide.MEMORY.clear()
        feed_server.add("/feed.xml", Route(rss(item.format(n, links[n]))))
        assert main([*where, "refresh"]) == 0
        assert len(feed_server.hits[f"/news/{n}.html"]) == 1
    _, lines, _ = run(capsys, "list", "--json", *where)
    texts = {
        line["title"]: run(capsys, "show", line["id"], "--json", *where)[1][0]["text"]
        for line in lines
    }
    assert BOX in texts["Report 0"]
    assert "In report 3" in texts["Report 3"] and BOX not in texts["Report 3"]
    assert (tmp_path / "d" / sitewide.FILE).is_file()


def test_show_says_when_its_feed_took_an_article_down(tmp_path: Path, capsys) -> None:
    """`show` of an article its feed took down says so, and `show --json` gives "pulled"
    (a UTC time; null for one that stands, and once its feed lists it again)."""
    from fetchers.models import Article
    from fetchers.store import Store

    when = datetime(2025, 10, 24, 9, 40, tzinfo=UTC)
    with Store(tmp_path / "d", writer=True) as store:
        store.add_batch(
            [
                Article(id=f"p{n}", source="Wire", title=f"Report {n}", fetched=when)
                for n in range(2)
            ]
        )
        store.mark_pulled({"p0": when.timestamp()})
    args = ["--data-dir", str(tmp_path / "d")]
    code, shown, _ = run(capsys, *args, "show", "p0", "--json")
    assert code == 0 and shown[0]["pulled"] == "2025-10-24T09:40:00Z"
    code, shown, _ = run(capsys, *args, "show", "p1", "--json")
    assert code == 0 and shown[0]["pulled"] is None
    code, _, output = run(capsys, *args, "show", "p0")
    assert code == 0 and "pulled from its feed" in output
    code, _, output = run(capsys, *args, "show", "p1")
    assert code == 0 and "pulled" not in output
    with Store(tmp_path / "d", writer=True) as store:
        assert store.mark_pulled({"p0": None}) == ["p0"]
    code, shown, _ = run(capsys, *args, "show", "p0", "--json")
    assert shown[0]["pulled"] is None
