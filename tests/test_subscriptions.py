"""Subscribing: `add` finds a page's feed, OPML goes in and out, the config is never broken."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from fetchers.config import load_config, seeds_dir
from fetchers.discover import feed_links
from fetchers.opml import parse_opml
from tests.conftest import FROZEN, FeedServer, Route, rss
from tests.procs import run_together
from tui.cli import main

ROOT = Path(__file__).resolve().parent.parent

OPML = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head><title>mine</title></head><body>
<outline text="Korea"><outline text="Yonhap" type="rss" xmlUrl="https://en.yna.co.kr/RSS/news.xml"
 htmlUrl="https://en.yna.co.kr/"/>
<outline text="\xed\x95\x9c\xea\xb5\xad &amp; Co" type="rss" xmlUrl="https://k.example/rss"
 category="/wire,/trade"/></outline>
<outline text="BBC" type="rss" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
<outline text="Local" type="rss" xmlUrl="file:///etc/passwd"/>
</body></opml>"""


def cli(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "--now", FROZEN.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "wirewatch.toml"
    path.write_text(
        '# my feeds\n[settings]\ninterval = "5m"\n\n[[sources]]\nname = "BBC"\n'
        'url = "https://feeds.bbci.co.uk/news/world/rss.xml"\n',
        "utf-8",
    )
    return path


def test_add_a_feed_url_names_it_by_its_title(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/feed.xml", Route(rss("<title>a</title>", title="Seoul Wire")))
    code, out, _ = cli(capsys, config, "add", url, "--tag", "korea")
    assert code == 0 and "Seoul Wire" in out and str(config) in out
    text = config.read_text("utf-8")
    assert text.startswith("# my feeds\n")  # the user's text is kept
    (_, added) = tomllib.loads(text)["sources"]
    assert added == {"name": "Seoul Wire", "url": url, "tags": ["korea"]}
    code, _, err = cli(capsys, config, "add", url, "--tag", "again")
    assert code == 0 and "already subscribed as 'Seoul Wire' (tags: korea)" in err
    assert "`add` changes nothing of it" in err  # (the new tag was dropped, unsaid)
    assert len(load_config(config, FROZEN).sources) == 2


def test_the_same_feed_written_another_way_is_already_subscribed(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    """`add feed.xml#top`, the host in capitals, its default port or a tracking parameter
    subscribed the same feed a second time ("Seoul Wire (2)"): every item stored twice,
    one paper counted as two outlets of every story."""
    url = feed_server.add("/feed.xml", Route(rss("<title>a</title>", title="Seoul Wire")))
    assert cli(capsys, config, "add", url)[0] == 0
    host = url.split("/")[2].split(":")[0]
    base, _, name = url.rpartition("/")
    for again in (
        url + "#top",
        url + "?utm_source=newsletter",
        f"{base}/./{name}",  # (a dot segment, and an escaped letter: the same path)
        f"{base}/%{ord(name[0]):02x}{name[1:]}",
        url.replace(host, host.upper()) if host != host.upper() else url + "#",
    ):
        code, _, err = cli(capsys, config, "add", again)
        assert code == 0 and "already subscribed as 'Seoul Wire'" in err, again
    https = "https://feeds.bbci.co.uk:443/news/world/rss.xml#latest"
    code, _, err = cli(capsys, config, "add", https)
    assert code == 0 and "already subscribed as 'BBC'" in err
    assert [s.name for s in load_config(config, FROZEN).sources] == ["BBC", "Seoul Wire"]


def test_add_a_page_finds_its_announced_feed(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    feed_server.add("/news/rss.xml", Route(rss("<title>x</title>", title="Herald")))
    page = feed_server.add(
        "/news/",
        Route(
            b'<!DOCTYPE html><html><head><link rel="stylesheet" href="/s.css">'
            b'<link rel="alternate" type="application/rss+xml" title="All" href="rss.xml">'
            b"</head><body>hello</body></html>",
            headers={"Content-Type": "text/html"},
        ),
    )
    code, out, _ = cli(capsys, config, "add", page)
    assert code == 0, out
    names = {s.name: s.url for s in load_config(config, FROZEN).sources}
    assert names["Herald"] == feed_server.url("/news/rss.xml")


def test_add_falls_back_to_usual_paths_and_says_what_it_tried(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    page = feed_server.add("/", Route(b"<html><body>no links</body></html>"))
    code, _, err = cli(capsys, config, "add", page)
    assert code == 1 and "no feed found" in err and "/atom.xml" in err
    feed_server.add(
        "/atom.xml", Route(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>At</title></feed>')
    )
    code, out, _ = cli(capsys, config, "add", page)
    assert code == 0 and "At" in out


def test_add_refuses_non_http_urls(capsys: pytest.CaptureFixture[str], config: Path) -> None:
    before = config.read_text("utf-8")
    code, _, err = cli(capsys, config, "add", "file:///etc/passwd")
    assert code == 2 and "http" in err
    assert config.read_text("utf-8") == before


def test_import_then_export_opml_round_trips(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    code, out, err = cli(capsys, config, "import-opml", str(opml))
    assert code == 0
    assert "imported 2 of 4 feeds" in out and "1 already subscribed" in out
    assert "file:///etc/passwd" in err
    sources = {s.name: s for s in load_config(config, FROZEN).sources}
    assert sources["Yonhap"].tags == ["Korea"]
    assert sources["\ud55c\uad6d & Co"].tags == ["Korea", "wire", "trade"]
    code, out, _ = cli(capsys, config, "export-opml")
    assert code == 0
    exported = {s.url: s for s in parse_opml(out.encode())}
    assert set(exported) == {s.url for s in sources.values()}
    assert exported["https://k.example/rss"].tags == ["Korea", "wire", "trade"]
    assert exported["https://k.example/rss"].name == "\ud55c\uad6d & Co"


def test_import_into_the_embedded_default_creates_a_user_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    code = main(["--now", FROZEN.isoformat(), "import-opml", str(opml)])
    out, _ = capsys.readouterr()
    assert code == 0
    user = tmp_path / "xdg-config" / "wirewatch" / "wirewatch.toml"
    assert str(user) in out
    config = load_config(user, FROZEN)
    local = next(s for s in config.sources if s.path)
    assert Path(local.path or "").is_file()  # the seed story is still found from the copy
    assert any(s.name == "Yonhap" for s in config.sources)
    # beside the copy, not in the checkout or the installation (it broke when they moved)
    assert Path(local.path or "").parent == user.parent
    assert str(seeds_dir()) not in user.read_text("utf-8")
    assert {p.suffix for p in user.parent.iterdir()} >= {".txt", ".toml"}


def test_a_user_config_dir_that_cannot_be_written_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The embedded default is copied to the user config dir before sources are added to it:
    a dir that cannot be made there is a one-line error and exit 2, not a traceback."""
    blocked = tmp_path / "not-a-dir"
    blocked.write_text("", "utf-8")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(blocked))
    opml = tmp_path / "subs.opml"
    opml.write_bytes(OPML)
    code = main(["--now", FROZEN.isoformat(), "import-opml", str(opml)])
    _, err = capsys.readouterr()
    assert code == 2 and "cannot be written there" in err and "Traceback" not in err


def test_broken_opml_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_bytes(b"<opml><body><outline")
    code, _, err = cli(capsys, config, "import-opml", str(bad))
    assert code == 2 and "not well-formed" in err


def test_an_opml_with_a_byte_of_cp1252_in_it_is_imported(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """One title's em dash or "é" in cp1252, in a file said to be UTF-8 (or saying nothing),
    refused the whole list as "not well-formed XML"."""
    for n, head in enumerate((b'<?xml version="1.0" encoding="UTF-8"?>', b"")):
        lied = tmp_path / f"lied{n}.opml"
        lied.write_bytes(
            head + b'<opml version="2.0"><body>'
            b'<outline text="Caf\xe9 \x97 news" xmlUrl="http://cafe.example/feed'
            + str(n).encode()
            + b'"/></body></opml>'
        )
        code, _, err = cli(capsys, config, "import-opml", str(lied))
        assert code == 0, err
    names = [s.name for s in load_config(config, FROZEN).sources]
    # (one that declares nothing is read as a feed is: on so short a text, a charset that
    # reads it as well may be chosen)
    assert len(names) == 3 and names[1] == "Café — news"


def test_a_tag_holding_a_lone_surrogate_is_imported_with_a_replacement_character(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """An OPML tag written as "\\ud800" (JSON's escape, which no UTF-8 file can hold)
    stopped `import-opml` with a traceback and exit 1; the config is written with U+FFFD
    in its place, and reads back."""
    opml = tmp_path / "tags.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="T" xmlUrl="https://wire.example/rss"'
        " wirewatchTags='[\"x\\ud800\"]'/></body></opml>"
    )
    code, _, err = cli(capsys, config, "import-opml", str(opml))
    assert code == 0, err
    (source,) = [s for s in load_config(config, FROZEN).sources if s.name == "T"]
    assert source.tags == ["x\ufffd"]


def test_feed_links_resolve_and_skip_non_feeds() -> None:
    html = (
        b'<link rel="alternate" hreflang="ko" href="/ko/">'
        b'<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        b"<LINK REL='Alternate feed' TYPE='application/rss+xml' HREF='https://x.example/r'>"
        b'<link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">'
    )
    assert feed_links(html, "text/html", "https://site.example/a/b") == [
        "https://site.example/a/atom.xml",
        "https://x.example/r",
    ]


def test_add_on_a_page_offering_several_feeds_lists_them_and_adds_on_request(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    feed_server.add("/all.xml", Route(rss("<title>x</title>", title="All news")))
    feed_server.add("/world.xml", Route(rss("<title>y</title>", title="World")))
    page = feed_server.add(
        "/",
        Route(
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/all.xml">'
            b'<link rel="alternate" type="application/rss+xml" href="/world.xml">'
            b'<link rel="alternate" type="application/rss+xml" href="/gone.xml"></head></html>',
            headers={"Content-Type": "text/html"},
        ),
    )
    before = len(load_config(config, FROZEN).sources)
    code, out, err = cli(capsys, config, "add", page)  # not a terminal: nothing is guessed
    assert code == 2 and "All news" in out and "World" in out and "--all" in err
    assert len(load_config(config, FROZEN).sources) == before
    code, out, _ = cli(capsys, config, "add", page, "--all")
    assert code == 0, out
    names = {s.name: s.url for s in load_config(config, FROZEN).sources}
    assert names["All news"] == feed_server.url("/all.xml")
    assert names["World"] == feed_server.url("/world.xml")


def test_add_on_a_page_announcing_thousands_of_feeds_reads_the_first_twenty(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    """A page announcing 3,000 feeds had every one fetched (34 s of CPU), then listed."""
    from fetchers.discover import MOST_ANNOUNCED

    links = b"".join(
        b'<link rel="alternate" type="application/rss+xml" href="/f%d.xml">' % n for n in range(200)
    )
    for n in range(200):
        feed_server.add(f"/f{n}.xml", Route(rss("<title>x</title>", title=f"Feed {n}")))
    page = feed_server.add("/", Route(links, headers={"Content-Type": "text/html"}))
    code, out, _ = cli(capsys, config, "add", page)
    assert code == 2 and "Feed 0" in out and f"Feed {MOST_ANNOUNCED - 1}" in out
    assert f"Feed {MOST_ANNOUNCED}" not in out
    asked = [p for p in feed_server.hits if p.startswith("/f")]
    assert len(asked) == MOST_ANNOUNCED


def test_an_export_imported_again_is_the_same_sources(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Interval, full text, a disabled source, a page, a charset and tags holding "," or "/"
    (which `category` splits) come back as they were; a local source, which OPML cannot
    hold, is said to be left out."""
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[sources]]\nname = "Alpha"\nurl = "https://a.example/feed"\ninterval = "2m"\n'
        'full_text = true\ntags = ["one", "a,b", "US/Politics"]\n\n[[sources]]\nname = "Off"\n'
        'url = "https://off.example/feed"\nenabled = false\ninterval = "30d"\n\n'
        '[[sources]]\nname = "A page"\n'
        'url = "https://p.example/live"\nkind = "page"\ncharset = "cp1252"\n\n'
        '[[sources]]\nname = "Disk"\npath = "seeds"\n',
        "utf-8",
    )
    code, exported, err = cli(capsys, mine, "export-opml")
    assert code == 0 and "1 local source(s) left out (Disk)" in err
    opml = tmp_path / "out.opml"
    opml.write_text(exported, "utf-8")
    fresh = tmp_path / "fresh.toml"
    fresh.write_text("", "utf-8")
    assert cli(capsys, fresh, "import-opml", str(opml))[0] == 0
    before = {s.name: s for s in load_config(mine, FROZEN).sources if s.url}
    after = {s.name: s for s in load_config(fresh, FROZEN).sources}
    assert set(after) == set(before)
    for name, source in before.items():
        again = after[name]
        assert (again.url, again.kind, again.interval, again.full_text, again.enabled) == (
            source.url,
            source.kind,
            source.interval,
            source.full_text,
            source.enabled,
        ), name
        assert (again.tags, again.charset) == (source.tags, source.charset), name


def test_an_opml_interval_under_the_shortest_is_left_out(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """`wirewatchInterval="1ms"` was imported, and the feed polled about once a second: an
    interval shorter than a source at its address may have is left out, as any invalid one
    is (the feed takes the default); one on this machine may be a second."""
    opml = tmp_path / "fast.opml"
    opml.write_text(
        '<opml version="2.0"><body>'
        '<outline text="Wire" xmlUrl="https://wire.example/rss" wirewatchInterval="1ms"/>'
        '<outline text="Desk" xmlUrl="https://desk.example/rss" wirewatchInterval="30s"/>'
        '<outline text="Lab" xmlUrl="http://127.0.0.1:8080/rss" wirewatchInterval="1s"/>'
        '<outline text="Hourly" xmlUrl="https://hourly.example/rss" wirewatchInterval="1h"/>'
        "</body></opml>",
        "utf-8",
    )
    code, out, _ = cli(capsys, config, "import-opml", str(opml))
    assert code == 0 and "imported 4 of 4 feeds" in out
    intervals = {s.name: s.interval for s in load_config(config, FROZEN).sources}
    assert intervals == {"BBC": None, "Wire": None, "Desk": None, "Lab": 1.0, "Hourly": 3600.0}


def test_an_export_imported_again_adds_no_second_protected_feed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An export leaves a feed's password out: imported again into the same config it was
    added a second time ("Members (2)", which fails on a protected feed)."""
    mine = tmp_path / "mine.toml"
    mine.write_text(
        '[[sources]]\nname = "Members"\nurl = "https://me:s3cret@m.example/feed"\n', "utf-8"
    )
    code, exported, _ = cli(capsys, mine, "export-opml")
    assert code == 0 and "s3cret" not in exported
    opml = tmp_path / "out.opml"
    opml.write_text(exported, "utf-8")
    cli(capsys, mine, "import-opml", str(opml))
    assert [s.name for s in load_config(mine, FROZEN).sources] == ["Members"]


def test_a_feed_in_two_folders_takes_both_tags_and_a_capital_scheme_is_read(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    opml = tmp_path / "multi.opml"
    opml.write_bytes(
        b'<opml version="2.0"><body><outline text="tech"><outline text="Gamma" type="rss"'
        b' xmlUrl="https://g.example/rss"/></outline><outline text="korea"><outline'
        b' text="Gamma" type="rss" xmlUrl="https://g.example/rss"/></outline>'
        b'<outline text="Loud" type="rss" xmlUrl="HTTP://loud.example/rss"/></body></opml>'
    )
    code, out, _ = cli(capsys, config, "import-opml", str(opml))
    assert code == 0 and "imported 2 of 2 feeds" in out and "1 listed twice" in out
    sources = {s.name: s for s in load_config(config, FROZEN).sources}
    assert sources["Gamma"].tags == ["tech", "korea"]
    assert sources["Loud"].url == "http://loud.example/rss"


def test_adding_writes_through_a_symlink_keeping_the_mode_and_refuses_a_read_only_config(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import stat

    import fetchers.subscriptions as subscriptions

    url = feed_server.add("/feed.xml", Route(rss("<title>a</title>", title="Seoul Wire")))
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    real = dotfiles / "wirewatch.toml"
    real.write_text("# mine\n", "utf-8")
    real.chmod(0o644)
    link = tmp_path / "wirewatch.toml"
    link.symlink_to(real)
    code, out, _ = cli(capsys, link, "add", url)
    assert code == 0 and "Seoul Wire" in out
    assert link.is_symlink() and "Seoul Wire" in real.read_text("utf-8")
    assert stat.S_IMODE(real.stat().st_mode) == 0o644
    locked = tmp_path / "locked.toml"
    locked.write_text("# read-only\n", "utf-8")
    locked.chmod(0o444)
    code, _, err = cli(capsys, locked, "add", url)  # (even for root, who may write it)
    assert code == 2 and "read-only; nothing was added" in err
    assert locked.read_text("utf-8") == "# read-only\n"
    # a folder the config's new text cannot be written in: one line, exit 2, no traceback
    monkeypatch.setattr(
        subscriptions,
        "atomic_write_bytes",
        lambda *a, **k: (_ for _ in ()).throw(PermissionError(13, "Permission denied")),
    )
    code, _, err = cli(capsys, real, "add", feed_server.add("/b.xml", Route(rss(title="B"))))
    assert code == 2 and "cannot be written (Permission denied)" in err
    assert "Traceback" not in err


# `wirewatch ARGS` with every process that runs it reaching the config together, each a
# moment between reading the config and writing it: the lost update, made certain
ADDING_TOGETHER = """
import os, sys, time
from pathlib import Path
from fetchers import subscriptions
from tui.cli import main

barrier, count = Path(sys.argv[1]), int(sys.argv[2])
appending, writing = subscriptions.append_sources, subscriptions.atomic_write_bytes

def together(*args, **kwargs):
    (barrier / str(os.getpid())).touch()
    deadline = time.monotonic() + 60
    while len(list(barrier.iterdir())) < count and time.monotonic() < deadline:
        time.sleep(0.01)
    return appending(*args, **kwargs)

def slowly(*args, **kwargs):
    time.sleep(0.3)
    return writing(*args, **kwargs)

subscriptions.append_sources, subscriptions.atomic_write_bytes = together, slowly
raise SystemExit(main(sys.argv[3:]))
"""


def add_together(
    tmp_path: Path, commands: list[list[str]], env: dict[str, str] | None = None
) -> list[subprocess.CompletedProcess[str]]:
    """`wirewatch COMMAND` for each of `commands`, all at once (`ADDING_TOGETHER`), each
    exiting 0; what each said."""
    barrier = tmp_path / "barrier"
    barrier.mkdir()
    together = [sys.executable, "-c", ADDING_TOGETHER, str(barrier), str(len(commands))]
    said = run_together(
        [[*together, *command] for command in commands],
        cwd=ROOT,
        env=env,
    )
    for result in said:
        assert result.returncode == 0, result.stderr
    return said


def test_feeds_added_by_several_processes_at_once_are_all_kept(
    tmp_path: Path, config: Path, feed_server: FeedServer
) -> None:
    """`add` run in parallel by a script (and an `import-opml` beside them): each said
    "added", exit 0, and the config kept only some, each process writing back the file as
    it had read it. They take turns, each adding to what the one before wrote."""
    adds = 3
    opml = tmp_path / "more.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="Imported A" xmlUrl="https://a.example/rss"/>'
        '<outline text="Imported B" xmlUrl="https://b.example/rss"/></body></opml>',
        "utf-8",
    )
    commands = [
        ["add", feed_server.add(f"/f{n}.xml", Route(rss(title=f"F{n}"))), "--name", f"Feed {n}"]
        for n in range(1, adds + 1)
    ]
    commands.append(["import-opml", str(opml)])
    options = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    said = add_together(tmp_path, [[*options, *command] for command in commands])
    outputs = "".join(result.stdout for result in said)
    names = {f"Feed {n}" for n in range(1, adds + 1)}
    assert all(f"added {name!r}" in outputs for name in names)
    assert "imported 2 of 2 feeds" in outputs
    kept = [source.name for source in load_config(config, FROZEN).sources]
    assert sorted(kept) == sorted(["BBC", *names, "Imported A", "Imported B"])


def test_feeds_added_by_several_processes_at_once_on_first_use_are_all_kept(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """With no config of the user's yet (the embedded one in use), the first `add` makes the
    user's copy; the others, waiting for its lock, were refused ("exists but is not the
    config in use") where they add to that copy."""
    env = {
        **os.environ,
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
    }
    commands = [
        ["add", feed_server.add(f"/g{n}.xml", Route(rss(title=f"G{n}"))), "--name", f"Feed {n}"]
        for n in range(1, 4)
    ]
    add_together(tmp_path, commands, env)
    made = tmp_path / "config" / "wirewatch" / "wirewatch.toml"
    kept = {source.name for source in load_config(made, FROZEN).sources}
    assert {"Feed 1", "Feed 2", "Feed 3"} <= kept


def test_add_keeps_the_address_asked_unless_every_redirect_was_permanent(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    """A temporary redirect's address may carry a token that expires: the address asked is
    subscribed; a permanent one is followed; an address already subscribed is said so
    without asking the network, wherever it leads."""
    moved = feed_server.add("/moved.xml", Route(rss("<title>a</title>", title="Moved")))
    temporary = feed_server.add(
        "/temporary.xml", Route(status=302, headers={"Location": "/moved.xml"})
    )
    permanent = feed_server.add("/permanent.xml", Route(status=301, headers={"Location": moved}))
    code, out, err = cli(capsys, config, "add", temporary)
    assert code == 0, err
    code, out, err = cli(capsys, config, "add", permanent)
    assert code == 0, err
    urls = [s.url for s in load_config(config, FROZEN).sources]
    assert urls[1:] == [temporary, moved]
    hits = len(feed_server.hits.get("/temporary.xml", []))
    code, _, err = cli(capsys, config, "add", temporary)
    assert code == 0 and "already subscribed" in err
    assert len(feed_server.hits.get("/temporary.xml", [])) == hits  # not asked again


def test_credentials_follow_a_redirect_to_the_same_server_only() -> None:
    from fetchers.http import carry_credentials

    asked = "http://me:pw@bücher.example:8080/a.xml"
    assert carry_credentials("http://xn--bcher-kva.example:8080/b.xml", asked) == (
        "http://me:pw@xn--bcher-kva.example:8080/b.xml"
    )  # an international name and its ASCII form are one host
    assert carry_credentials("http://bücher.example:9090/b.xml", asked) == (
        "http://bücher.example:9090/b.xml"
    )  # another port is another server
    plain = "http://me:pw@h.example/a.xml"
    assert carry_credentials("https://h.example/b.xml", plain) == "https://me:pw@h.example/b.xml"
    assert carry_credentials("http://other.example/b.xml", plain) == "http://other.example/b.xml"
    # IDNA 2008, as httpx encodes a name: "ß" is kept, not made "ss"
    assert carry_credentials("https://xn--strae-oqa.de/n", "https://u:p@straße.de/o") == (
        "https://u:p@xn--strae-oqa.de/n"
    )


def test_feed_links_resolve_against_the_pages_base() -> None:
    html = (
        b'<head><base href="/base/"><link rel="alternate" type="application/rss+xml"'
        b' href="gamma.xml"></head>'
    )
    assert feed_links(html, "text/html", "https://site.example/sub/page.html") == [
        "https://site.example/base/gamma.xml"
    ]


def test_an_opml_category_of_thousands_is_a_hundred_tags_each_once() -> None:
    """A category attribute of 30,000 names gave a source 30,000 tags, each looked for among
    the others (4 s): its folders and its own, each once, a hundred at most."""
    names = ",".join(f"t{n % 20000}" for n in range(30000))
    body = (
        '<opml version="2.0"><body><outline text="News"><outline text="Wire" type="rss"'
        f' xmlUrl="https://w.example/feed" category="{names}"/></outline></body></opml>'
    ).encode()
    (wire,) = parse_opml(body)
    assert wire.tags[:3] == ["News", "t0", "t1"] and len(wire.tags) == 100


def test_a_poller_on_the_embedded_default_takes_the_copy_add_made(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """With no config of one's own, `poll` reads the embedded default, and `add` writes its
    first source to a copy in the user config dir, which the poller never read: the copy is
    read as soon as it appears."""
    from fetchers.newsroom import Newsroom
    from fetchers.store import Store

    url = feed_server.add("/feed.xml", Route(rss("<title>a</title>", title="Seoul Wire")))
    with Store(tmp_path / "data", writer=True) as store:
        room = Newsroom(
            load_config(seeds_dir() / "wirewatch.toml", FROZEN),
            store,
            tmp_path / "data",
            lambda: FROZEN,
        )
        assert not room.config_changed()
        assert main(["--now", FROZEN.isoformat(), "add", url]) == 0
        assert room.config_changed()
        assert room.reload_config("the config file changed")
        assert "Seoul Wire" in [s.name for s in room.config.sources]
        assert room.config.path == tmp_path / "xdg-config" / "wirewatch" / "wirewatch.toml"
        assert not room.config_changed()
    capsys.readouterr()


def test_a_newsboat_urls_file_is_imported_with_its_tags_and_names(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """A newsboat user's `urls` file was "not well-formed XML": its feeds come in with their
    tags (a quoted one with its spaces), a "~" tag as the name; its query: and exec: feeds,
    which have nothing to poll, are named as skipped, saying what stands for a query here."""
    urls = tmp_path / "urls"
    urls.write_text(
        "# newsboat\n"
        'https://news.example/world.xml world "breaking news" "~World Wire"\n'
        "https://feeds.bbci.co.uk/news/world/rss.xml bbc\n"  # subscribed already
        "http://tech.example/feed tech !\n"
        '"query:Unread Articles:unread = \\"yes\\""\n'
        'exec:~/bin/feed.sh "~Script"\n'
        "https://blog.example/it's/feed.xml blogs\n",
        "utf-8",
    )
    code, out, err = cli(capsys, config, "import-opml", str(urls), "--no-fetch")
    assert code == 0 and "imported 3 of 6 feeds" in out and "1 already subscribed" in out
    assert "skipped 'Unread Articles': a newsboat query feed: a saved filter of [filters]" in err
    assert "skipped 'Script': a newsboat exec: feed" in err
    sources = {s.url: s for s in load_config(config, FROZEN).sources}
    assert sources["https://news.example/world.xml"].name == "World Wire"
    assert sources["https://news.example/world.xml"].tags == ["world", "breaking news"]
    assert sources["http://tech.example/feed"].tags == ["tech"]  # ("!": newsboat's own)
    assert sources["http://tech.example/feed"].name == "http://tech.example/feed"  # (not read)
    assert sources["https://blog.example/it's/feed.xml"].tags == ["blogs"]


def test_a_feeds_own_address_answering_with_none_is_not_replaced_by_another(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    """`add …/news.xml` answered with nothing subscribed the site's /atom.xml instead, and
    said "added 'Atom'": a feed's own address is taken or refused, the other one named."""
    empty = feed_server.add("/news.xml", Route(b""))
    feed_server.add(
        "/atom.xml", Route(b'<feed xmlns="http://www.w3.org/2005/Atom"><title>At</title></feed>')
    )
    code, _, err = cli(capsys, config, "add", empty)
    assert code == 1 and "an empty answer there" in err
    assert "/atom.xml: add that address" in err
    assert len(load_config(config, FROZEN).sources) == 1  # nothing added
    home = empty.rsplit("/", 1)[0] + "/"  # (a site's page still leads to it)
    feed_server.add("/", Route(b"<html><body>Home</body></html>"))
    code, out, _ = cli(capsys, config, "add", home)
    assert code == 0 and "/atom.xml" in out


def test_a_host_in_unicode_or_ending_in_a_dot_is_the_same_feed() -> None:
    """ "bücher.example" is "xn--bcher-kva.example" to every fetch, and "news.example." is
    "news.example": each was subscribed as a second source."""
    from fetchers.webaddress import feed_key

    assert feed_key("https://bücher.example/feed?a=1&b=2") == feed_key(
        "https://xn--bcher-kva.example/feed?a=1&b=2"
    )
    assert feed_key("https://news.example./rss") == feed_key("https://NEWS.example/rss")
    # (as httpx asks for them, IDNA 2008: two hosts, where Python's codec made ß "ss")
    assert feed_key("https://straße.example/f") != feed_key("https://strasse.example/f")
    assert feed_key("https://news.example/rss") != feed_key("https://news.example.org/rss")


def test_adding_keeps_a_config_s_crlf_line_endings(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """A config written on Windows came back with every line ending in LF."""
    url = feed_server.add("/crlf.xml", Route(rss("<title>a</title>", title="Crlf Wire")))
    config = tmp_path / "crlf.toml"
    config.write_bytes(b'[settings]\r\ninterval = "1m"  # mine\r\n')
    assert cli(capsys, config, "add", url)[0] == 0
    written = config.read_bytes()
    assert written.startswith(b'[settings]\r\ninterval = "1m"  # mine\r\n')
    assert b'name = "Crlf Wire"\r\n' in written and b"\n" not in written.replace(b"\r\n", b"")
    assert [s.name for s in load_config(config, FROZEN).sources] == ["Crlf Wire"]


def test_an_opml_feed_without_its_address_is_named_and_one_given_as_url_is_read() -> None:
    """An outline of a feed with an empty xmlUrl was dropped without a word, and one whose
    reader wrote its address as `url` (type="rss") too; an empty folder is no feed."""
    found = parse_opml(
        b'<opml version="2.0"><body><outline text="Folder">'
        b'<outline text="A" xmlUrl="http://a.example/f"/>'
        b'<outline text="Broken" type="rss" xmlUrl="" htmlUrl="http://b.example/"/>'
        b'<outline text="By url" type="rss" url="http://c.example/f"/>'
        b'</outline><outline text="Empty folder"/></body></opml>'
    )
    assert [(f.name, f.url, f.skipped is None) for f in found] == [
        ("A", "http://a.example/f", True),
        ("Broken", "http://b.example/", False),
        ("By url", "http://c.example/f", True),
    ]
    assert found[1].skipped == "no feed address (xmlUrl) to read it at"
    assert found[2].tags == ["Folder"]


def test_a_feed_named_as_another_but_for_its_case_is_numbered(
    capsys: pytest.CaptureFixture[str], config: Path, feed_server: FeedServer
) -> None:
    """Sources "BBC" and "bbc" were both added: `source:bbc`, the alert rules and the `s`
    picker took the two for one (all 15 articles under the first, none under the other)."""
    url = feed_server.add("/bbc.xml", Route(rss("<title>a</title>", title="bbc")))
    code, out, _ = cli(capsys, config, "add", url)
    assert code == 0
    assert [s.name for s in load_config(config, FROZEN).sources] == ["BBC", "bbc (2)"]


def test_a_config_of_two_sources_named_alike_but_for_case_says_so(tmp_path: Path) -> None:
    """Said at load, naming both (a config that loaded before still loads)."""
    path = tmp_path / "wirewatch.toml"
    path.write_text(
        '[[sources]]\nname = "News"\nurl = "https://a.example/rss"\n'
        '[[sources]]\nname = "NEWS "\nurl = "https://b.example/rss"\n',
        "utf-8",
    )
    config = load_config(path, FROZEN)
    assert [s.name for s in config.sources] == ["News", "NEWS"]
    assert any("named as 'News' but for its case" in note for note in config.notes)


def test_adding_to_sources_written_as_one_array_says_how_to_write_them(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """`sources = [ {...} ]` is valid TOML and loads, but no [[sources]] table can follow it:
    `add` said "Cannot mutate immutable namespace ('sources',) (at line 8, column 10)" of a
    file of six lines. It says what to do, and changes nothing."""
    url = feed_server.add("/beta.xml", Route(rss("<title>a</title>", title="Beta Wire")))
    config = tmp_path / "inline.toml"
    text = 'sources = [ { name = "Alpha", url = "https://a.example/rss" } ]\n[settings]\n'
    config.write_text(text, "utf-8")
    code, _, err = cli(capsys, config, "add", url)
    assert code != 0
    assert "written as one array (sources = [ ... ])" in err and "[[sources]]" in err
    assert config.read_text("utf-8") == text


def test_names_and_tags_in_angle_brackets_are_kept_as_written(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """A name is plain text: "~<antirez>" in a urls file, or an OPML outline's "&lt;antirez&gt;",
    was taken for a tag and thrown away (the feed named by its URL), "Why <blink> died" came
    in as "Why died". A control sequence in one is still cleaned out."""
    urls = tmp_path / "urls"
    urls.write_text(
        'https://a.example/antirez.xml?n=1 "~<antirez>" "<b>old</b>"\n'
        'https://b.example/feed "~Evil \x1b[31mred" "x\x1b[0m"\n',
        "utf-8",
    )
    code, _, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0, err
    opml = tmp_path / "subs.opml"
    opml.write_text(
        '<opml version="2.0"><body><outline text="&lt;code&gt;">'
        '<outline text="&lt;antirez&gt;" title="&lt;antirez&gt;" type="rss"'
        ' xmlUrl="https://c.example/feed" category="&lt;tt&gt;"/>'
        '<outline text="Why &lt;blink&gt; died" type="rss" xmlUrl="https://d.example/feed"/>'
        "</outline></body></opml>",
        "utf-8",
    )
    code, _, err = cli(capsys, config, "import-opml", str(opml))
    assert code == 0, err
    sources = {s.url: s for s in load_config(config, FROZEN).sources}
    assert (
        sources["https://a.example/antirez.xml?n=1"].name,
        sources["https://a.example/antirez.xml?n=1"].tags,
    ) == ("<antirez>", ["<b>old</b>"])
    assert sources["https://b.example/feed"].name == "Evil red"
    assert sources["https://b.example/feed"].tags == ["x"]
    assert sources["https://c.example/feed"].name == "<antirez> (2)"  # (names are each one's)
    assert sources["https://c.example/feed"].tags == ["<code>", "<tt>"]
    assert sources["https://d.example/feed"].name == "Why <blink> died"


def test_a_urls_file_without_names_names_each_feed_by_its_title(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path, feed_server: FeedServer
) -> None:
    """A newsboat urls file names no feed, as a rule: each was named by its URL for good
    ("http://127.0.0…" in every row). Each is named as `add` names it, by its feed's title;
    one that cannot be read is named by its address and said so; a name the file gives is
    kept, and one already subscribed is not asked for. Names are each one's whatever their
    case ("bbc" is the config's "BBC")."""
    wire = feed_server.add("/wire.xml", Route(rss(title="Seoul Wire")))
    again = feed_server.add("/again.xml", Route(rss(title="seoul wire")))
    bbc = feed_server.add("/bbc.xml", Route(rss(title="bbc")))
    named = feed_server.add("/named.xml", Route(rss(title="Its own title")))
    gone = feed_server.url("/gone.xml")  # (404)
    page = feed_server.add("/home/", Route(b"<html><body>a blog</body></html>"))
    urls = tmp_path / "urls"
    urls.write_text(
        f"{wire} korea\n{again}\n{bbc}\n{named}\n{gone} old\n{page}\n"
        f'{named} "~Mine"\nhttps://feeds.bbci.co.uk/news/world/rss.xml\n',
        "utf-8",
    )
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 6 of 7 feeds" in out, err  # (the feed listed twice once)
    names = {s.url: s.name for s in load_config(config, FROZEN).sources}
    assert names == {
        "https://feeds.bbci.co.uk/news/world/rss.xml": "BBC",
        wire: "Seoul Wire",
        again: "seoul wire (2)",
        bbc: "bbc (2)",
        named: "Mine",
        gone: gone,
        page: page,
    }
    assert f"{gone}: HTTP 404" in err and f"{page}: not a feed" in err
    assert err.count("named by its address") == 2
    assert "/named.xml" not in feed_server.hits  # (named by the file: not asked)


def test_a_comment_after_a_feed_is_no_tags(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """`URL tech ! # old feed, hidden`: newsboat ends the line at a word starting with "#";
    it became the tags "#", "old", "feed," and "hidden". A "#" inside a word (a URL's
    fragment) or a quoted tag is no comment."""
    urls = tmp_path / "urls"
    urls.write_text(
        '# my feeds\nhttps://a.example/feed "~A" tech ! # old feed, hidden\n'
        'https://b.example/feed#latest "~B" c#sharp "#1 news" #no "~Not this"\n'
        'https://c.example/feed "~C" news #tag-like comment\n',
        "utf-8",
    )
    code, _, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0, err
    sources = {s.url: s for s in load_config(config, FROZEN).sources}
    assert sources["https://a.example/feed"].tags == ["tech"]
    assert (
        sources["https://b.example/feed#latest"].name,
        sources["https://b.example/feed#latest"].tags,
    ) == ("B", ["c#sharp", "#1 news"])
    assert sources["https://c.example/feed"].tags == ["news"]


def test_a_urls_file_in_latin_1_or_with_a_bom_or_a_local_feed_first_is_read(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """A urls file of Latin-1 bytes lost its accents ("Caf\ufffd"), where an OPML file of the
    same bytes was read right; one starting with a byte-order mark, or with a file:// feed,
    was refused as "not well-formed XML"."""
    latin = tmp_path / "latin"
    latin.write_bytes(b'https://cafe.example/feed "~Caf\xe9 cr\xe8me" \xe9conomie\n')
    bom = tmp_path / "bom"
    bom.write_bytes(b'\xef\xbb\xbfhttps://bom.example/feed news "~Bom"\n')
    local = tmp_path / "local"
    local.write_text('file:///srv/feeds/mine.xml local\nhttps://l.example/feed "~L"\n')
    for urls in (latin, bom, local):
        code, _, err = cli(capsys, config, "import-opml", str(urls))
        assert code == 0, err
    assert "skipped 'file:///srv/feeds/mine.xml': its URL is not http(s)" in err
    sources = {s.url: s for s in load_config(config, FROZEN).sources}
    assert sources["https://cafe.example/feed"].name == "Caf\u00e9 cr\u00e8me"
    assert sources["https://cafe.example/feed"].tags == ["\u00e9conomie"]
    assert (sources["https://bom.example/feed"].name, sources["https://bom.example/feed"].tags) == (
        "Bom",
        ["news"],
    )
    assert sources["https://l.example/feed"].name == "L"


def test_an_opml_feed_given_as_url_is_imported_and_a_link_to_a_page_is_named(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """OPML 1.0 writes a feed's address as `url`: an outline with no type was dropped without
    a word; one of type "link" (a web page) is named as skipped, saying how to find its
    feed. wirewatch's own page (type="link" with an xmlUrl) is still a page."""
    opml = tmp_path / "old.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="1.0"><body>'
        '<outline text="Some link" type="link" url="https://site.example/about.html"/>'
        '<outline text="Feed no type url" url="https://beta.example/beta.xml"/>'
        '<outline text="Live" type="link" xmlUrl="https://p.example/live"/>'
        "</body></opml>",
        "utf-8",
    )
    code, out, err = cli(capsys, config, "import-opml", str(opml))
    assert code == 0 and "imported 2 of 3 feeds" in out, err
    assert "skipped 'Some link': a link to a page" in err and "`wirewatch add`" in err
    sources = {s.name: s for s in load_config(config, FROZEN).sources}
    assert (sources["Feed no type url"].url, sources["Feed no type url"].kind) == (
        "https://beta.example/beta.xml",
        "feed",
    )
    assert sources["Live"].kind == "page"
    assert "Some link" not in sources


def test_a_feed_listed_twice_is_not_counted_as_already_subscribed(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Two feeds each listed twice, written two ways (a fragment, a capital scheme and its
    default port), into an empty config: "imported 2 of 4 feeds (2 already subscribed)". Each
    is one feed of the list: "2 of 2", and "2 listed twice"."""
    empty = tmp_path / "empty.toml"
    empty.write_text("", "utf-8")
    urls = tmp_path / "urls"
    urls.write_text(
        'https://a.example/feed "~A" one\nhttps://a.example/feed#top two\n'
        'HTTP://b.example:80/feed "~B"\nhttp://b.example/feed three\n',
        "utf-8",
    )
    code, out, err = cli(capsys, empty, "import-opml", str(urls))
    assert code == 0, err
    assert "imported 2 of 2 feeds" in out and "(0 already subscribed; 2 listed twice" in out
    sources = {s.name: s for s in load_config(empty, FROZEN).sources}
    assert (sources["A"].tags, sources["B"].tags) == (["one", "two"], ["three"])
    code, out, _ = cli(capsys, empty, "import-opml", str(urls))
    assert "imported 0 of 2 feeds" in out and "(2 already subscribed; 2 listed twice" in out


def test_a_newsboat_filter_feed_is_subscribed_as_it_is_served(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path
) -> None:
    """A `filter:PROGRAM:URL` line holds a feed's address, and was skipped: its feed is
    subscribed, with its name and tags, and the program it was run through is named."""
    urls = tmp_path / "urls"
    urls.write_text(
        '"filter:~/bin/clean.sh:https://g.example/gamma.xml" filtered "~Gamma"\n', "utf-8"
    )
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 1 of 1 feeds" in out, err
    assert "'Gamma': newsboat ran it through '~/bin/clean.sh'" in err
    (gamma,) = [s for s in load_config(config, FROZEN).sources if s.name == "Gamma"]
    assert (gamma.url, gamma.tags) == ("https://g.example/gamma.xml", ["filtered"])


def test_feeds_are_read_for_their_titles_a_few_at_once_each_within_the_timeout(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """A urls file of many feeds without names: they are read for their titles no more at
    once than `concurrency` says, and one that does not answer within `timeout` is named by
    its address, said so, not waited for."""
    config = tmp_path / "few.toml"
    config.write_text('[settings]\nconcurrency = 3\ntimeout = "1s"\n', "utf-8")
    feeds = [
        feed_server.add(f"/f{n}.xml", Route(rss(title=f"Feed {n}"), delay=0.2)) for n in range(9)
    ]
    slow = feed_server.add("/slow.xml", Route(rss(title="Slow"), delay=3))
    urls = tmp_path / "urls"
    urls.write_text("".join(f"{url}\n" for url in [*feeds, slow]), "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 10 of 10 feeds" in out, err
    names = {s.url: s.name for s in load_config(config, FROZEN).sources}
    assert [names[url] for url in feeds] == [f"Feed {n}" for n in range(9)]
    assert names[slow] == slow and f"{slow}: " in err and "named by its address" in err
    assert 1 <= feed_server.load["max"] <= 3


def test_feed_scheme_addresses_are_imported_as_the_address_they_wrap() -> None:
    """A "subscribe" link's feed:// (and feed:https://) address, as OPML exports and urls
    files carry them, was skipped as not http(s)."""
    from fetchers.newsboat import parse_urls

    found = parse_opml(
        b'<opml version="1.0"><body>'
        b'<outline text="Old" type="rss" xmlUrl="feed://a.example/rss"/>'
        b'<outline text="Wrapped" type="rss" xmlUrl="FEED:https://b.example/atom"/>'
        b"</body></opml>"
    )
    assert [(f.url, f.skipped) for f in found] == [
        ("http://a.example/rss", None),
        ("https://b.example/atom", None),
    ]
    (line,) = parse_urls("feed://c.example/rss tech\n")
    assert (line.url, line.skipped) == ("http://c.example/rss", None)


@pytest.mark.parametrize("kind", ["read-only", "inline array"])
def test_an_import_into_a_config_it_cannot_add_to_reads_no_feed_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer, kind: str
) -> None:
    """A read-only config, or one whose sources are one array, was refused only after every
    feed listed without a name had been read for its title (minutes, for a long list)."""
    urls = tmp_path / "urls"
    urls.write_text(
        "".join(f"{feed_server.add(f'/t{n}.xml', Route(rss(title=f'T{n}')))}\n" for n in range(3)),
        "utf-8",
    )
    config = tmp_path / "mine.toml"
    text = 'sources = [ { name = "Alpha", url = "https://a.example/rss" } ]\n'
    config.write_text(text if kind == "inline array" else "[settings]\n", "utf-8")
    if kind == "read-only":
        config.chmod(0o444)
    before = config.read_text("utf-8")
    code, _, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 2
    said = "is read-only" if kind == "read-only" else "written as one array (sources = [ ... ])"
    assert said in err and "Traceback" not in err
    assert feed_server.hits == {}  # (no feed read for a title)
    assert config.read_text("utf-8") == before


def test_a_feed_that_fails_to_parse_unexpectedly_is_named_by_its_address(
    capsys: pytest.CaptureFixture[str],
    config: Path,
    tmp_path: Path,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Reading titles caught only a fetch's or a feed's own errors: any other failure of the
    parser on one feed ended the whole import with a traceback, nothing added."""
    import fetchers.importing

    parse_feed = fetchers.importing.parse_feed

    def failing(body: bytes, *args: object) -> object:
        if b"Broken" in body:
            raise RuntimeError("the parser gave up")
        return parse_feed(body, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(fetchers.importing, "parse_feed", failing)
    good = feed_server.add("/good.xml", Route(rss(title="Good Wire")))
    broken = feed_server.add("/broken.xml", Route(rss(title="Broken Wire")))
    urls = tmp_path / "urls"
    urls.write_text(f"{broken}\n{good}\n", "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 2 of 2 feeds" in out, err
    assert f"{broken}: RuntimeError: the parser gave up; named by its address" in err
    names = {s.url: s.name for s in load_config(config, FROZEN).sources}
    assert (names[good], names[broken]) == ("Good Wire", broken)


def test_a_feed_too_large_to_read_for_a_title_is_named_by_its_address(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path, feed_server: FeedServer
) -> None:
    """Each feed was read whole, up to a source's 15 MB, sixteen at once, only for its title:
    one larger than 2 MB is named by its address, and said so."""
    huge = feed_server.add(
        "/huge.xml", Route(rss(f"<description>{'x' * 2_500_000}</description>", title="Huge"))
    )
    small = feed_server.add("/small.xml", Route(rss(title="Small")))
    urls = tmp_path / "urls"
    urls.write_text(f"{huge}\n{small}\n", "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 2 of 2 feeds" in out, err
    assert f"{huge}: larger than the 2 MB read for a title; named by its address" in err
    names = {s.url: s.name for s in load_config(config, FROZEN).sources}
    assert (names[huge], names[small]) == (huge, "Small")


def test_a_filter_feed_renamed_to_be_its_own_still_names_its_program(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A `filter:` feed whose name was taken (added as "Gamma (2)") lost the note naming the
    program newsboat ran it through, which wirewatch does not run."""
    config = tmp_path / "mine.toml"
    config.write_text('[[sources]]\nname = "Gamma"\nurl = "https://other.example/rss"\n')
    urls = tmp_path / "urls"
    urls.write_text('"filter:~/bin/clean.sh:https://g.example/gamma.xml" "~Gamma"\n', "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 1 of 1 feeds" in out, err
    assert "'Gamma (2)': newsboat ran it through '~/bin/clean.sh'" in err


@pytest.mark.parametrize(
    "junk",
    [b'{"feeds": {"a": 1}}\n', b"Dear reader,\nhere are my feeds.\n\nThanks\n"],
    ids=["json", "prose"],
)
def test_a_file_neither_opml_nor_a_urls_file_is_a_clear_error(
    capsys: pytest.CaptureFixture[str], config: Path, tmp_path: Path, junk: bytes
) -> None:
    """Any file not starting with "<" was taken for a newsboat urls file: a JSON file or a
    letter gave a "skipped" line for each of its lines and exit 0, where it was "not
    well-formed XML" (exit 2). A file of comments alone is still a (empty) urls file."""
    before = config.read_text("utf-8")
    given = tmp_path / "feeds"
    given.write_bytes(junk)
    code, _, err = cli(capsys, config, "import-opml", str(given))
    assert code == 2 and "skipped" not in err
    assert "neither an OPML file" in err and "nor a newsboat urls file" in err
    assert config.read_text("utf-8") == before
    given.write_text("# my newsboat feeds, none yet\n", "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(given))
    assert code == 0 and "imported 0 of 0 feeds" in out, err


def test_a_feed_listed_where_it_moved_from_is_subscribed_once(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """A urls file listing a subscribed feed at its old address, which answers with a
    permanent redirect to the one subscribed: `add` of that address said "already
    subscribed as 'Five'", `import-opml` subscribed the feed a second time ("Feed Number
    5"), every article and alert arriving twice. A feed read for its title is subscribed
    where it moved for good, as `add` subscribes it: not again, whether the config has it
    or another entry of the list leads to it."""
    five = feed_server.add(
        "/f5.xml", Route(rss("<title>Tariff talk 5</title>", title="Feed Number 5"))
    )
    old = feed_server.add("/old/feed", Route(status=301, headers={"Location": five}))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Five"\nurl = "{five}"\n', "utf-8")
    code, _, err = cli(capsys, config, "add", old)
    assert code == 0 and "already subscribed as 'Five'" in err
    urls = tmp_path / "urls"
    urls.write_text(f"{old} old-reader\n", "utf-8")
    code, out, err = cli(capsys, config, "import-opml", str(urls))
    assert code == 0 and "imported 0 of 1 feeds" in out and "(1 already subscribed)" in out, err
    assert f"{old} (moved to {five}): already subscribed as 'Five'" in err
    assert [(s.name, s.url) for s in load_config(config, FROZEN).sources] == [("Five", five)]
    # into a config without it: once, at the address it moved to, with the tags of both
    empty = tmp_path / "empty.toml"
    empty.write_text("", "utf-8")
    urls.write_text(f"{old} old-reader\n{five} five\n", "utf-8")
    code, out, err = cli(capsys, empty, "import-opml", str(urls))
    assert code == 0 and "imported 1 of 2 feeds" in out, err
    assert f"{five}: already subscribed as 'Feed Number 5'" in err
    (source,) = load_config(empty, FROZEN).sources
    assert (source.name, source.url, source.tags) == (
        "Feed Number 5",
        five,
        ["old-reader", "five"],
    )


@dataclass
class HeldFeed:
    """A feed titled "Slow Feed" whose answer waits, once it is `asked` for, until `held` is
    set: an import reading it for its title stops there for as long as a test needs."""

    url: str
    asked: threading.Event
    held: threading.Event


def held_feed(feed_server: FeedServer) -> HeldFeed:
    asked, held = threading.Event(), threading.Event()
    url = feed_server.add(
        "/slow.xml",
        Route(rss("<title>b</title>", title="Slow Feed"), asked=asked, held=held),
    )
    return HeldFeed(url, asked, held)


def import_while_held(
    tmp_path: Path, config: Path, urls: Path, slow: HeldFeed, meanwhile: Callable[[], None]
) -> tuple[str, str]:
    """`import-opml` of `urls` into `config` in a process of its own, and `meanwhile` run here
    while that import waits on `slow`'s title (as another process would change the config
    under it); the import's output and errors, it having exited 0."""
    importing = subprocess.Popen(
        [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(tmp_path / "d")]
        + ["import-opml", str(urls)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert slow.asked.wait(60)  # (the import waits on the slow feed's title)
        meanwhile()
    finally:
        slow.held.set()
        try:
            out, err = importing.communicate(timeout=120)
        finally:
            importing.kill()
    assert importing.returncode == 0, err
    return out, err


def test_an_import_counts_what_it_added_when_another_process_added_one_of_its_feeds(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """`add` of one of a list's feeds while `import-opml` of the list read another for its
    title: the import ended with a traceback (exit 1, not a word of what it added), having
    said the note of the feed `add` subscribed under the other feed's name. It counts what
    it added, names the feed added meanwhile as subscribed already, and says each note
    under its own feed's name."""
    one = feed_server.add("/f1.xml", Route(rss("<title>a</title>", title="Feed One")))
    slow = held_feed(feed_server)
    config = tmp_path / "c.toml"
    config.write_text("", "utf-8")
    urls = tmp_path / "urls"
    urls.write_text(
        f'"filter:~/bin/one.sh:{one}" news\n"filter:~/bin/slow.sh:{slow.url}" slow\n', "utf-8"
    )

    def add_one() -> None:
        code, out, _ = cli(capsys, config, "add", one)
        assert code == 0 and "added 'Feed One'" in out

    out, err = import_while_held(tmp_path, config, urls, slow, add_one)
    assert "imported 1 of 2 feeds" in out and "(1 already subscribed)" in out, err
    assert f"{one}: already subscribed as 'Feed One'" in err
    assert "'Slow Feed': newsboat ran it through '~/bin/slow.sh'" in err
    assert "one.sh" not in err
    names = sorted(s.name for s in load_config(config, FROZEN).sources)
    assert names == ["Feed One", "Slow Feed"]


def test_two_imports_of_one_list_at_once_each_count_what_they_added(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, feed_server: FeedServer
) -> None:
    """Two `import-opml` of one long list started together: the one that added second ended
    with a traceback. Each counts what it added; the feeds the other added are named as
    subscribed already, the first few one by one."""
    slow = held_feed(feed_server)
    listed = [f"https://wire{n}.example/rss" for n in range(14)]
    urls = tmp_path / "urls"
    urls.write_text(
        f"{slow.url}\n" + "".join(f'{url} "~Wire {n}"\n' for n, url in enumerate(listed))
    )
    config = tmp_path / "c.toml"
    config.write_text("", "utf-8")

    def import_all_first() -> None:
        code, out, _ = cli(capsys, config, "import-opml", str(urls), "--no-fetch")
        assert code == 0 and "imported 15 of 15 feeds" in out

    out, err = import_while_held(tmp_path, config, urls, slow, import_all_first)
    assert "imported 0 of 15 feeds" in out and "(15 already subscribed)" in out, err
    assert f"{slow.url}: already subscribed as '{slow.url}'" in err
    assert f"{listed[8]}: already subscribed as 'Wire 8'" in err
    assert listed[9] not in err and "and 5 more of the list found subscribed" in err
    assert len(load_config(config, FROZEN).sources) == 15
