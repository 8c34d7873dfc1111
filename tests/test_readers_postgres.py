"""Readers of one PostgreSQL store: each reader's read marks are their own ([settings] reader,
by default the login name), stars are the desk's."""

from __future__ import annotations

import getpass
import json
from pathlib import Path

import psycopg
import pytest

from fetchers.config import ConfigError, load_config
from fetchers.query import parse_query
from fetchers.store.postgres.store import PostgresStore
from tests.conftest import FROZEN, make, write_config
from tui import cli


def test_each_reader_has_read_marks_of_their_own_and_stars_are_the_desks(pg_dsn: str) -> None:
    with (
        PostgresStore(pg_dsn, writer=True, reader="ana") as ana,
        PostgresStore(pg_dsn, reader="ben") as ben,
    ):
        ana.add_batch([make(1), make(2), make(3)])
        ana.set_state(["Wire-1", "Wire-2"], read=True)
        ben.set_state(["Wire-3"], read=True, starred=True)
        unread = parse_query("is:unread")
        assert ana.query_ids(unread) == ["Wire-3"]
        assert ben.query_ids(unread) == ["Wire-2", "Wire-1"]
        assert [a.id for a in ana.query(parse_query("is:read"))] == ["Wire-2", "Wire-1"]
        one, three = ana.get("Wire-1"), ana.get("Wire-3")
        assert one is not None and one.read and three is not None and not three.read
        assert three.starred  # ben's star is ana's too
        assert ana.query_ids(parse_query("is:starred")) == ["Wire-3"]
        ana.set_state(["Wire-1"], read=False)  # ana's mark alone goes
        ben.set_state(["Wire-1"], read=True)
        assert ana.query_ids(unread) == ["Wire-3", "Wire-1"]
        assert ben.query_ids(unread) == ["Wire-2"]
        ana.set_state(["Wire-3"], starred=False)
        got = ben.get("Wire-3")
        assert got is not None and not got.starred and got.read


def test_read_marks_from_before_readers_go_to_the_reader_who_upgrades(pg_dsn: str) -> None:
    with PostgresStore(pg_dsn, writer=True, reader="ana") as store:
        store.add_batch([make(1), make(2)])
    with psycopg.connect(pg_dsn, autocommit=True) as conn:  # as the schema before readers
        conn.execute(
            "DROP TABLE reads, health, events, alert_history, alert_rules, stories, story_members"
        )
        conn.execute(
            "ALTER TABLE articles DROP COLUMN text_seen, DROP COLUMN text_revisions,"
            " DROP COLUMN places_exact"
        )
        conn.execute("INSERT INTO marks (id, read, starred) VALUES ('Wire-1', true, false)")
        conn.execute("INSERT INTO marks (id, read, starred) VALUES ('Wire-2', true, true)")
        conn.execute("UPDATE schema_version SET version = 2")
    with PostgresStore(pg_dsn, reader="chief") as chief, PostgresStore(pg_dsn, reader="ben") as ben:
        assert chief.query_ids(parse_query("is:read")) == ["Wire-2", "Wire-1"]
        assert ben.query_ids(parse_query("is:read")) == []
        assert ben.query_ids(parse_query("is:starred")) == ["Wire-2"]


def test_the_reader_is_a_setting_and_the_login_name_by_default(tmp_path: Path) -> None:
    named = write_config(tmp_path / "a.toml", '[settings]\nreader = "ana"\n')
    assert load_config(named, FROZEN).store.reader == "ana"
    assert load_config(write_config(tmp_path / "b.toml", ""), FROZEN).store.reader is None
    with pytest.raises(ConfigError, match="settings.reader"):
        load_config(write_config(tmp_path / "c.toml", '[settings]\nreader = " "\n'), FROZEN)


def test_two_readers_list_their_own_unread_articles(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with PostgresStore(pg_dsn, writer=True) as store:
        store.add_batch([make(1), make(2)])
        assert store.reader == getpass.getuser()  # nobody named: the login name
    configs = {
        name: write_config(
            tmp_path / f"{name}.toml",
            f'[settings]\nreader = "{name}"\n[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n',
        )
        for name in ("ana", "ben")
    }
    with PostgresStore(pg_dsn, reader="ana") as ana:
        ana.set_state(["Wire-2"], read=True)
    for name, expected in (("ana", ["Wire-1"]), ("ben", ["Wire-2", "Wire-1"])):
        capsys.readouterr()
        assert cli.main(["--config", str(configs[name]), "list", "is:unread", "--json"]) == 0
        rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [row["id"] for row in rows] == expected
