"""OPML and newsboat lists between readers: read as others write them, written as they read
them, and a wirewatch export read back as the sources it was written from."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from fetchers.config import load_config
from fetchers.opml import parse_opml
from tests.conftest import FROZEN
from tui.cli import main

MINE = """\
[[sources]]
name = "Alpha"
url = "https://a.example/feed?lang=ko&page=2"
tags = ["world", "a,b"]
interval = "2m"
full_text = true

[[sources]]
name = "Plain"
url = "https://plain.example/rss"

[[sources]]
name = "한국 뉴스 — Seoul"
url = "https://bücher.example/neu/feed?q=café"
tags = ["US/Politics", "world"]
enabled = false
interval = "30d"

[[sources]]
name = "A page"
url = "https://p.example/live"
kind = "page"
charset = "cp1252"
tags = ["world"]

[[sources]]
name = "Last"
url = "https://last.example/atom.xml"

[[sources]]
name = "Disk"
path = "seeds"
"""


def cli(capsys: pytest.CaptureFixture[str], config: Path, *args: str) -> tuple[int, str, str]:
    code = main(["--config", str(config), "--now", FROZEN.isoformat(), *args])
    out, err = capsys.readouterr()
    return code, out, err


def exported(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> tuple[Path, Path]:
    """The config of MINE, and its sources exported as OPML."""
    mine = tmp_path / "mine.toml"
    mine.write_text(MINE, "utf-8")
    code, document, err = cli(capsys, mine, "export-opml")
    assert code == 0, err
    opml = tmp_path / "mine.opml"
    opml.write_text(document, "utf-8")
    return mine, opml


def test_an_outline_s_attributes_are_read_whatever_their_case(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A feed's address written `xmlURL` was refused as having none, and one written
    `XMLURL` dropped without a word (not even counted); any outline that is no folder and
    cannot be subscribed is named as skipped, an empty folder is no feed."""
    opml = tmp_path / "dev.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><body><outline text="Dev" title="Dev">'
        '<outline title="Feed Six" text="Feed Six" xmlURL="https://six.example/f6.xml"'
        ' htmlUrl="https://six.example/"/>'
        '<outline title="Feed Seven" text="Feed Seven" XMLURL="https://seven.example/f7.xml"/>'
        '<outline TEXT="Feed Eight" Type="RSS" XmlUrl="https://eight.example/f8.xml"'
        ' CATEGORY="/extra" WIREWATCHFULLTEXT="true"/>'
        '<outline text="Only a site" htmlUrl="https://site.example/"/>'
        '<outline text="Odd" feedUrl="https://odd.example/feed"/>'
        '<outline text="Empty folder" isOpen="true"/>'
        "</outline></body></opml>",
        "utf-8",
    )
    fresh = tmp_path / "fresh.toml"
    fresh.write_text("", "utf-8")
    code, out, err = cli(capsys, fresh, "import-opml", str(opml), "--no-fetch")
    assert code == 0 and "imported 3 of 5 feeds" in out, (out, err)
    assert "skipped 'Only a site': no feed address (xmlUrl)" in err
    assert "skipped 'Odd': no feed address (xmlUrl)" in err
    assert "Empty folder" not in err
    sources = {s.name: s for s in load_config(fresh, FROZEN).sources}
    assert {name: (s.url, s.tags) for name, s in sources.items()} == {
        "Feed Six": ("https://six.example/f6.xml", ["Dev"]),
        "Feed Seven": ("https://seven.example/f7.xml", ["Dev"]),
        "Feed Eight": ("https://eight.example/f8.xml", ["Dev", "extra"]),
    }
    assert sources["Feed Eight"].full_text


def test_an_export_lists_each_source_in_the_folder_of_each_of_its_tags(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Tags were only attributes of flat outlines, which newsboat, Feedly, Inoreader and
    Miniflux do not read (they take a feed's tags from the folders around it): moving out
    lost every tag. A folder per tag, where its first source was; an untagged source at the
    top; each outline keeps its tags in `category` and `wirewatchTags` too."""
    _, opml = exported(capsys, tmp_path)
    body = ET.parse(opml).getroot().find("body")
    assert body is not None
    layout = [
        (o.get("text"), [i.get("text") for i in o.findall("outline")] or o.get("xmlUrl"))
        for o in body.findall("outline")
    ]
    assert layout == [
        ("world", ["Alpha", "한국 뉴스 — Seoul", "A page"]),
        ("a,b", ["Alpha"]),
        ("Plain", "https://plain.example/rss"),
        ("US/Politics", ["한국 뉴스 — Seoul"]),
        ("Last", "https://last.example/atom.xml"),
    ]
    folders = [o for o in body.findall("outline") if o.findall("outline")]
    assert all(set(f.attrib) == {"text", "title"} for f in folders)  # (no feed's attributes)
    alpha = body.findall("outline/outline[@text='Alpha']")
    assert len(alpha) == 2 and alpha[0].attrib == alpha[1].attrib
    assert alpha[0].get("category") == "world,a,b"
    assert alpha[0].get("wirewatchTags") == '["world", "a,b"]'


def test_an_export_imported_again_is_every_source_once_as_it_was_in_its_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A source listed in several folders is one source again, with its tags in their order,
    its name, its address (a query string, letters not ASCII), its settings, and its place
    in the config (the folders list it elsewhere)."""
    mine, opml = exported(capsys, tmp_path)
    fresh = tmp_path / "fresh.toml"
    fresh.write_text("", "utf-8")
    code, out, err = cli(capsys, fresh, "import-opml", str(opml), "--no-fetch")
    # (each source once: one listed in the folders of its two tags said "5 of 7 feeds")
    assert code == 0 and "imported 5 of 5 feeds" in out and "0 already subscribed" in out, (
        out,
        err,
    )
    assert "skipped" not in err

    def described(config: Path) -> list[tuple[object, ...]]:
        return [
            (s.name, s.url, s.kind, s.tags, s.interval, s.full_text, s.enabled, s.charset)
            for s in load_config(config, FROZEN).sources
            if s.url
        ]

    assert described(fresh) == described(mine)
    code, out, _ = cli(capsys, fresh, "import-opml", str(opml), "--no-fetch")
    assert code == 0 and "imported 0 of 5 feeds" in out and "(5 already subscribed" in out


@pytest.mark.skipif(shutil.which("newsboat") is None, reason="newsboat is not installed")
def test_newsboat_importing_an_export_takes_the_tags_of_its_folders(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`newsboat -i` on an export: each feed once, in a tagged source's folder (newsboat
    takes the first folder listing a feed, the ones since 2.33 `category` too), an untagged
    one without a tag. Before, every feed came in untagged."""
    mine, opml = exported(capsys, tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    urls = tmp_path / "urls"
    urls.write_text("", "utf-8")
    done = subprocess.run(
        ["newsboat", "-i", str(opml), "-u", str(urls), "-c", str(tmp_path / "cache.db")],
        capture_output=True,
        text=True,
        timeout=60,
        env={"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    tags_of: dict[str, list[str]] = {}
    for line in urls.read_text("utf-8").splitlines():
        url, *words = shlex.split(line)
        assert url not in tags_of, line  # each feed once
        tags_of[url] = [w for w in words if not w.startswith("~")]  # (a name, since 2.41)
    sources = [s for s in load_config(mine, FROZEN).sources if s.url]
    assert sorted(tags_of) == sorted(s.url for s in sources)
    for source in sources:
        assert bool(tags_of[source.url]) == bool(source.tags), source.name
        assert source.tags[:1] == [] or tags_of[source.url][0] in source.tags, source.name


def test_a_newsboat_feed_hidden_with_a_bang_is_subscribed_and_said_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """ "!" hides a feed from newsboat's list (read through its query feeds): it was
    subscribed as any feed without a word, where a query feed is said to be skipped."""
    urls = tmp_path / "urls"
    urls.write_text(
        'http://tech.example/feed tech ! "~Tech"\n'
        '"filter:~/bin/clean.sh:https://g.example/gamma.xml" ! "~Gamma"\n'
        "https://plain.example/feed plain\n",
        "utf-8",
    )
    fresh = tmp_path / "fresh.toml"
    fresh.write_text("", "utf-8")
    code, out, err = cli(capsys, fresh, "import-opml", str(urls), "--no-fetch")
    assert code == 0 and "imported 3 of 3 feeds" in out, err
    assert "'Tech': hidden in newsboat (!): wirewatch shows its articles" in err
    assert "'Gamma': newsboat ran it through '~/bin/clean.sh'" in err
    assert "; hidden in newsboat (!)" in err  # (both said of Gamma, on its one line)
    assert "Plain" not in err and "plain.example" not in err
    sources = {s.name: s for s in load_config(fresh, FROZEN).sources}
    assert (sources["Tech"].tags, sources["Gamma"].tags) == (["tech"], [])


def test_a_list_that_names_no_place_in_a_config_keeps_its_order() -> None:
    """Only a list whose every feed says its place in a config (`wirewatchOrder`, an
    export's) is read in that order: one outline without it, or not a number, and the list
    is read as written."""
    found = parse_opml(
        b'<opml version="2.0"><body>'
        b'<outline text="B" xmlUrl="https://b.example/f" wirewatchOrder="2"/>'
        b'<outline text="A" xmlUrl="https://a.example/f" wirewatchOrder="1"/>'
        b'<outline text="C" xmlUrl="https://c.example/f" wirewatchOrder="x"/>'
        b"</body></opml>"
    )
    assert [f.name for f in found] == ["B", "A", "C"]
    found = parse_opml(
        b'<opml version="2.0"><body>'
        b'<outline text="B" xmlUrl="https://b.example/f" wirewatchOrder="2"/>'
        b'<outline text="A" xmlUrl="https://a.example/f" wirewatchOrder="1"/>'
        b"</body></opml>"
    )
    assert [f.name for f in found] == ["A", "B"]
