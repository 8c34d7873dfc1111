"""What the desk shares through a PostgreSQL store besides the articles: the events added in
the app are seen, changed and removed from any host (any data dir), and the alert history is
one for every host."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.alertfeed import AlertFeed
from fetchers.alerthistory import AlertHistory
from fetchers.alerting import AlertDesk
from fetchers.alertrules import RuleBook, RuleBookError, make_rule
from fetchers.config import Config
from fetchers.events import EventBook, EventBookError
from fetchers.models import Event
from fetchers.store.postgres.store import PostgresStore
from tests.conftest import FeedServer, Route, rss, write_config
from tui import cli

WHEN = datetime(2025, 10, 31, 1, 0, tzinfo=UTC)


def test_an_event_added_on_one_host_is_the_desks_on_every_host(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with PostgresStore(pg_dsn) as here, PostgresStore(pg_dsn) as there:
        mine, theirs = EventBook(tmp_path / "a", here), EventBook(tmp_path / "b", there)
        summit = mine.add(Event("APEC summit", WHEN, "Asia/Seoul", raw_when="oct 31 10:00"))
        (seen,) = theirs.load()
        assert (seen.name, seen.when, seen.ident, seen.raw_when) == (
            "APEC summit", WHEN, summit.ident, "oct 31 10:00",
        )  # fmt: skip
        seen.name = "APEC leaders' summit"
        theirs.update(seen)
        assert [e.name for e in mine.load()] == ["APEC leaders' summit"]
        mine.add(Event("Vote", WHEN, "UTC"))
        config = write_config(
            tmp_path / "desk.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
        )
        capsys.readouterr()
        assert cli.main(["--config", str(config), "--data-dir", str(tmp_path / "c"), "events",
                         "--json"]) == 0  # fmt: skip
        names = [json.loads(line)["name"] for line in capsys.readouterr().out.splitlines()]
        assert names == ["APEC leaders' summit", "Vote"]
        theirs.remove(summit.ident or "")
        assert [e.name for e in mine.load()] == ["Vote"]
        with pytest.raises(EventBookError, match="no longer stored"):
            mine.remove(summit.ident or "")
        with pytest.raises(EventBookError, match="removed elsewhere"):
            mine.update(seen)
    assert not (tmp_path / "a" / "events.json").exists()
    assert not (tmp_path / "b" / "events.json").exists()


def test_the_alert_history_is_the_desks_on_every_host(
    tmp_path: Path, pg_dsn: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a poller fired is in the database: a dashboard elsewhere rings for what fires
    after it opened, and `wirewatch alerts` on any host lists it."""
    now = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)

    def fired(n: int) -> dict[str, object]:
        return {"alert": "Tariffs", "rule": "config:Tariffs", "kind": "match",
                "article": f"t{n}", "title": f"Tariff news {n}", "source": "Wire", "at": now,
                "link": None, "notify": ("terminal",)}  # fmt: skip

    with PostgresStore(pg_dsn, writer=True) as poller, PostgresStore(pg_dsn) as dashboard:
        kept = AlertHistory(tmp_path / "poller", store=poller)
        first = kept.append([fired(1)], now, retention_days=30)
        feed = AlertFeed(tmp_path / "dashboard", bell=True, in_tmux=False, store=dashboard)
        assert feed.take().entries == []  # what fired before it opened does not ring
        second = kept.append([fired(2), fired(3)], now, retention_days=30)
        assert [e.seq for e in second] == [first[0].seq + 1, first[0].seq + 2]
        news = feed.take()
        assert [e.article for e in news.entries] == ["t2", "t3"] and b"\a" in news.output
        assert feed.take().entries == []
        # a week on, with retention at 3 days: the old entries go as the next are kept
        later = now.replace(day=31)
        kept.append([{**fired(4), "at": later}], later, retention_days=3)
        assert [e.article for e in AlertHistory(tmp_path / "x", store=dashboard).load()] == ["t4"]
    config = write_config(
        tmp_path / "desk.toml", f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n'
    )
    capsys.readouterr()
    assert cli.main(["--config", str(config), "--data-dir", str(tmp_path / "c"), "alerts",
                     "--json"]) == 0  # fmt: skip
    (row,) = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert (row["alert"], row["article"], row["title"]) == ("Tariffs", "t4", "Tariff news 4")
    assert not (tmp_path / "poller" / "alerts-history.jsonl").exists()


def test_an_alert_rule_added_on_one_host_is_fired_by_a_poller_on_another(
    tmp_path: Path, pg_dsn: str
) -> None:
    """The rules added in the app are the desk's: a poller on any host checks them, and a
    rule muted or removed on one host is so on every host (no host keeps an alerts.json)."""
    with PostgresStore(pg_dsn) as here, PostgresStore(pg_dsn, writer=True) as poller:
        mine = RuleBook(tmp_path / "a", here)
        added = mine.add({"name": "Tariffs", "query": "tariff", "notify": ["bell"]}, WHEN)
        desk = AlertDesk(Config(path=tmp_path / "b.toml"), poller, tmp_path / "b", lambda: WHEN)
        (seen,) = desk.book.load(WHEN)[0]
        assert (seen.ident, seen.name, seen.created) == (added.ident, "Tariffs", WHEN)
        desk.book.set_muted(seen, True)
        assert mine.load(WHEN)[0][0].muted
        config_rule = make_rule({"name": "From the config", "query": "apec"}, WHEN, origin="config")
        mine.set_muted(config_rule, True)
        assert desk.book.load(WHEN)[1] == {"From the config"}
        mine.update(added.ident, {"name": "Tariff talks", "query": "tariff talks"}, WHEN)
        assert [r.name for r in desk.book.load(WHEN)[0]] == ["Tariff talks"]
        desk.book.remove(added.ident)
        assert mine.load(WHEN)[0] == []
        with pytest.raises(RuleBookError, match="no longer stored"):
            mine.remove(added.ident)
    assert not (tmp_path / "a" / "alerts.json").exists()
    assert not (tmp_path / "b" / "alerts.json").exists()


def test_the_alert_rules_a_host_kept_before_go_into_the_store_with_its_first_change(
    tmp_path: Path, pg_dsn: str
) -> None:
    """A host that kept its rules in alerts.json goes on firing them once the store keeps
    the rules, and its first change takes them there for every host."""
    old = RuleBook(tmp_path / "a")
    kept = old.add({"name": "Tariffs", "query": "tariff"}, WHEN)
    with PostgresStore(pg_dsn) as here, PostgresStore(pg_dsn) as there:
        mine, theirs = RuleBook(tmp_path / "a", here), RuleBook(tmp_path / "b", there)
        assert [r.ident for r in mine.load(WHEN)[0]] == [kept.ident]
        assert theirs.load(WHEN)[0] == []
        mine.add({"name": "Summit", "query": "apec"}, WHEN)
        assert [r.name for r in theirs.load(WHEN)[0]] == ["Tariffs", "Summit"]


def test_a_poller_with_an_old_alerts_file_sees_the_rules_changed_on_another_host(
    tmp_path: Path, pg_dsn: str
) -> None:
    """A running poller whose data dir still holds the alerts.json of before reads the
    desk's rules from the store at each check: that file never changes again, so a rule
    added or muted elsewhere must not wait for the poller to restart."""
    RuleBook(tmp_path / "b").add({"name": "Tariffs", "query": "tariff"}, WHEN)
    with PostgresStore(pg_dsn) as here, PostgresStore(pg_dsn, writer=True) as poller:
        desk = AlertDesk(Config(path=tmp_path / "b.toml"), poller, tmp_path / "b", lambda: WHEN)
        assert [r.name for r in desk.rules(WHEN)] == ["Tariffs"]  # the file, the store empty
        mine = RuleBook(tmp_path / "a", here)
        mine.add({"name": "Summit", "query": "apec"}, WHEN)
        assert [r.name for r in desk.rules(WHEN)] == ["Summit"]  # the desk's, from now on
        (summit,) = mine.load(WHEN)[0]
        mine.set_muted(summit, True)
        assert [r.name for r in desk.rules(WHEN) if not r.muted] == []
    assert (tmp_path / "b" / "alerts.json").exists()


def _feed_item(minute: int, title: str) -> str:
    return (
        f"<title>{title}</title><guid>https://wire.example/{minute}</guid>"
        f"<pubDate>Fri, 24 Oct 2025 07:{minute:02d}:00 +0000</pubDate>"
    )


def test_what_fired_before_a_migration_does_not_fire_again_from_the_database(
    tmp_path: Path, pg_dsn: str, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A desk's data dir fired a rule's matches and its spike for 07:00; moved into the
    database, a `refresh` in the same hour on another host (new mentions of the term) fired
    the spike again and kept it twice: the database did not know what had fired, and the
    hour of the spike was kept only in the old data dir's state file."""
    burst = [_feed_item(n, f"Tariff update {n}") for n in range(7)]
    route = Route(rss(*burst))
    source = f'[[sources]]\nname = "Wire"\nurl = "{feed_server.add("/feed", route)}"\n'
    rule = '[[alerts]]\nname = "Loud"\nquery = "tariff"\nnotify = ["bell"]\n'
    data = tmp_path / "data"
    config = write_config(tmp_path / "desk.toml", source + rule)
    args = ["--config", str(config), "--data-dir", str(data), "--now", "2025-10-24T07:10:00Z"]
    assert cli.main([*args, "refresh"]) == 0
    assert sorted(e.kind for e in AlertHistory(data).recent()) == ["match"] * 7 + ["spike"]
    assert cli.main([*args, "migrate", "--to", "postgresql", pg_dsn]) == 0
    assert "8 alerts of the history" in capsys.readouterr().out
    pg_config = write_config(
        tmp_path / "pg.toml",
        f'[store]\nbackend = "postgresql"\ndsn = "{pg_dsn}"\n{source}{rule}',
    )
    for minutes, polling in ((20, data), (25, tmp_path / "elsewhere")):  # this host, another
        burst.append(_feed_item(minutes - 13, f"Tariff update {minutes - 13}"))
        route.body = rss(*burst)
        at = ["--now", f"2025-10-24T07:{minutes}:00Z"]
        pg_args = ["--config", str(pg_config), "--data-dir", str(polling), *at]
        assert cli.main([*pg_args, "refresh"]) == 0
    capsys.readouterr()
    assert cli.main([*pg_args, "alerts", "--json"]) == 0
    kept = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(e["kind"] for e in kept) == ["match"] * 9 + ["spike"]  # the spike once
    assert len({e["article"] for e in kept if e["kind"] == "match"}) == 9
