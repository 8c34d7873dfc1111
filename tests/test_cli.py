"""The command line: JSON shapes of the contract, options before and after the command."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tui.cli import main

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
    ]
    assert lines[0]["status"] == "ok" and lines[0]["items"] == 6


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
