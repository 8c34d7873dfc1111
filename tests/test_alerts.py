"""Alert rules: the config's [[alerts]], rules kept in the data dir, firing by the writer's
cycle (once per article and rule, across restarts, never for articles stored before the
rule), quiet hours, and the `alerts` and `trends` commands."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import gc
import json
import math
import os
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
from fetchers.alerting import AlertDesk
from fetchers.alertrules import RuleBook, RuleBookError, RuleError, make_rule
from fetchers.batchmatch import BatchIndex
from fetchers.config import Config, ConfigError, load_config
from fetchers.models import Article, Event, Settings, Source
from fetchers.newsroom import Newsroom
from fetchers.notify import WebhookSender
from fetchers.query import Record, as_phrase, parse_query
from fetchers.store import Store
from tests.conftest import HERALD, FeedServer, Route, rss, stories_file, summaries_held
from tests.pollers import wait_for
from tests.webhooks import Receiver, receiver_fixture  # noqa: F401 - gives `receiver`
from tui.cli import main

NOW = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
SECRET = "B0000/s3cr3tT0ken"


# -- the config -----------------------------------------------------------------------------
def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "wirewatch.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_alert_rules_load_from_the_config(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[settings]\ntimezone = "Asia/Seoul"\n'
        '[[alerts]]\nname = "Tariffs"\nquery = "tariff source:Yonhap"\n'
        'notify = ["bell", "terminal", "webhook"]\n'
        f'webhook = "https://hooks.slack.com/services/{SECRET}"\nquiet = "22:00-07:00"\n'
        '[[alerts]]\nname = "APEC"\nquery = "APEC OR Gyeongju"\n',
    )
    config = load_config(path, NOW)
    first, second = config.alerts
    assert (first.name, first.query, first.notify) == (
        "Tariffs",
        "tariff source:Yonhap",
        ("bell", "terminal", "webhook"),
    )
    assert first.quiet is not None and first.quiet.text == "22:00-07:00"
    assert second.notify == ("terminal",) and second.webhook is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('query = "x"', "alerts[1].name: a rule needs a name"),
        ('name = "A"', "alerts[1] (A).query: a rule needs a query"),
        ('name = "A"\nquery = "tariff OR"', "alerts[1] (A).query: OR needs a term on each side"),
        ('name = "A"\nquery = "x"\nnotify = ["email"]', "(A).notify: 'email' is not one of"),
        ('name = "A"\nquery = "x"\nnotify = []', "(A).notify: a list of"),
        ('name = "A"\nquery = "x"\nnotify = ["webhook"]', "(A).webhook: notify includes"),
        (
            f'name = "A"\nquery = "x"\nwebhook = "https://h.example/{SECRET}"',
            '(A).notify: a webhook URL is given but notify does not include "webhook"',
        ),
        (
            f'name = "A"\nquery = "x"\nnotify = ["webhook"]\nwebhook = "ftp://h/{SECRET}"',
            "(A).webhook: its URL is not http(s) (an http:// or https:// URL with a host)",
        ),
        (
            'name = "A"\nquery = "x"\nnotify = ["webhook"]\nwebhook = "https://h/x"\n'
            'webhook_format = "teams"',
            "(A).webhook_format: 'teams' is not one of",
        ),
        (
            'name = "A"\nquery = "x"\nnotify = ["webhook"]\nwebhook = "https://ntfy.sh/"',
            "(A).webhook: an ntfy URL ends with its topic",
        ),
        (
            'name = "A"\nquery = "x"\nnotify = ["webhook"]\nwebhook = "http://h.example/"\n'
            'webhook_format = "ntfy"',
            "(A).webhook: an ntfy URL ends with its topic",
        ),
        ('name = "A"\nquery = "x"\nquiet = "10pm-7am"', "(A).quiet: '10pm-7am': write"),
        ('name = "A"\nquery = "x"\nquiet = "22:00-22:00"', "the same minute"),
        ('name = "A"\nquery = "x"\nquiet = "25:00-07:00"', "not a time of day"),
        ('name = "A"\nquery = "x"\nsound = true', "(A).sound: unknown key"),
    ],
)
def test_every_mistake_stops_at_load_naming_the_key(
    tmp_path: Path, table: str, message: str
) -> None:
    path = write(tmp_path, f"[[alerts]]\n{table}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, NOW)
    assert str(caught.value).startswith(f"{path}: alerts[1]")
    assert message in str(caught.value)
    assert SECRET not in str(caught.value)


def test_two_rules_of_one_name_are_refused(tmp_path: Path) -> None:
    path = write(
        tmp_path, '[[alerts]]\nname = "A"\nquery = "x"\n[[alerts]]\nname = "A"\nquery = "y"\n'
    )
    with pytest.raises(ConfigError, match=r"alerts\[2\] \(A\): a second alert with this name"):
        load_config(path, NOW)


def test_a_config_rule_given_an_app_rules_name_is_said(tmp_path: Path) -> None:
    """The app's form refuses a name taken, but a config rule written later with an app
    rule's name loaded silently: two rules under one name in `trends` and the history.
    Each place the rules are read says so."""
    RuleBook(tmp_path).add({"name": "Five", "query": "five"}, NOW)
    config_rule = make_rule({"name": "Five", "query": "seven"}, NOW)
    other = make_rule({"name": "Six", "query": "six"}, NOW)
    _, _, problems = RuleBook(tmp_path).load_with_problems(NOW, UTC, [config_rule, other])
    assert problems == [
        "alert rule 'Five' is both in the config and added in the app: both fire under that"
        " name; rename one"
    ]
    assert RuleBook(tmp_path).load_with_problems(NOW, UTC, [other])[2] == []


def test_quiet_hours_wrap_midnight_in_the_readers_zone() -> None:
    from zoneinfo import ZoneInfo

    quiet = make_rule({"name": "A", "query": "x", "quiet": "22:00-07:00"}, NOW).quiet
    assert quiet is not None
    seoul = ZoneInfo("Asia/Seoul")
    assert quiet.holds(datetime(2025, 10, 24, 13, 30, tzinfo=UTC), seoul)  # 22:30 in Seoul
    assert quiet.holds(datetime(2025, 10, 24, 21, 59, tzinfo=UTC), seoul)  # 06:59
    assert not quiet.holds(datetime(2025, 10, 24, 22, 0, tzinfo=UTC), seoul)  # 07:00
    assert not quiet.holds(datetime(2025, 10, 24, 8, 0, tzinfo=UTC), seoul)  # 17:00


# -- rules kept in the data dir ---------------------------------------------------------------
def test_a_rule_muted_by_a_hand_written_false_is_not_muted(tmp_path: Path) -> None:
    book = RuleBook(tmp_path)
    book.add({"name": "Chips", "query": "chip"}, NOW)
    data = json.loads((tmp_path / "alerts.json").read_text())
    data["rules"][0]["muted"] = "false"
    (tmp_path / "alerts.json").write_text(json.dumps(data))
    (rule,), _ = RuleBook(tmp_path).load(NOW)
    assert not rule.muted


def test_rules_are_added_edited_muted_and_removed_in_the_data_dir(tmp_path: Path) -> None:
    book = RuleBook(tmp_path)
    rule = book.add({"name": "Chips", "query": "semiconductor", "notify": ["desktop"]}, NOW)
    assert rule.origin == "store" and rule.created == NOW and rule.key == f"app:{rule.ident}"
    with pytest.raises(RuleError, match="query: unterminated quote"):
        book.add({"name": "Bad", "query": '"tariff'}, NOW)
    later = NOW + timedelta(hours=1)
    edited = book.update(
        rule.ident or "", {"name": "Chips", "query": "chip OR semiconductor"}, later
    )
    assert edited.created == NOW and edited.query == "chip OR semiconductor"
    book.set_muted(edited, True)
    config_rule = make_rule({"name": "Tariffs", "query": "tariff"}, NOW)
    book.set_muted(config_rule, True)
    stored, muted = RuleBook(tmp_path).load(NOW)  # as another process reads it
    assert [(r.name, r.query, r.muted) for r in stored] == [
        ("Chips", "chip OR semiconductor", True)
    ]
    assert muted == {"Tariffs"}
    book.set_muted(config_rule, False)
    book.remove(rule.ident or "")
    assert RuleBook(tmp_path).load(NOW) == ([], set())
    with pytest.raises(RuleBookError):
        book.remove(rule.ident or "")


# -- firing -----------------------------------------------------------------------------------
def item(n: int, title: str) -> str:
    return (
        f"<title>{title}</title><link>https://wire.example/{n}</link>"
        f"<guid>https://wire.example/{n}</guid>"
        f"<pubDate>Fri, 24 Oct 2025 07:{n:02d}:00 +0000</pubDate>"
    )


def config_with(tmp_path: Path, url: str, rules: list[dict], terms: list[str] = ()) -> Config:  # type: ignore[assignment]
    return Config(
        path=tmp_path / "wirewatch.toml",
        settings=Settings(timeout=5.0),
        sources=[Source(name="Wire", url=url)],
        watch_terms=list(terms),
        alerts=[make_rule(r, NOW) for r in rules],
    )


async def cycle(config: Config, data: Path, clock: list[datetime]) -> Newsroom:
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config, store, data, lambda: clock[0])
        try:
            await newsroom.cycle()
        finally:
            await newsroom.aclose()  # the queued alert check finishes first
    return newsroom


async def cycle_posting(config: Config, data: Path, clock: list[datetime]) -> None:
    """A writer's cycle whose webhooks are posted at once (no waits between tries)."""
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config, store, data, lambda: clock[0])
        assert newsroom.alerts is not None
        newsroom.alerts.sender = WebhookSender(sleep=lambda s: None)
        await newsroom.cycle()
        await newsroom.aclose()


def fired(data: Path) -> list[tuple[str, str, str | None]]:
    return [(e.alert, e.title, e.source) for e in reversed(AlertHistory(data).recent())]


async def test_a_rule_fires_for_new_articles_only_once_across_restarts(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(item(1, "Tariff talks stall"), item(2, "Weather"))))
    # stored before any rule existed
    await cycle(config_with(tmp_path, url, []), data, clock)
    rule = {"name": "Tariffs", "query": "tariff"}
    clock[0] = NOW + timedelta(minutes=10)
    feed_server.routes["/feed"] = Route(
        rss(item(1, "Tariff talks stall"), item(2, "Weather"), item(3, "Tariff deal near"))
    )
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    assert fired(data) == [("Tariffs", "Tariff deal near", "Wire")]
    # a restart, and a feed that brings everything again (a store shard lost, say)
    clock[0] = NOW + timedelta(minutes=20)
    with Store(data, writer=True) as store:
        ids = store.query_ids(parse_query("tariff"))
        desk = AlertDesk(config_with(tmp_path, url, [rule]), store, data, lambda: clock[0])
        assert desk.check(ids).entries == []
    feed_server.routes["/feed"] = Route(rss(item(4, "New tariff threat")))
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    assert fired(data) == [
        ("Tariffs", "Tariff deal near", "Wire"),
        ("Tariffs", "New tariff threat", "Wire"),
    ]


async def _polled_then_a_tariff_deal(
    tmp_path: Path, feed_server: FeedServer, data: Path, clock: list[datetime]
) -> tuple[str, dict]:
    """A source polled once under a "tariff" rule (its first poll: a backlog), whose feed
    then brings a tariff deal ten minutes later: its address, and the rule."""
    url = feed_server.add("/fast", Route(rss(item(1, "Weather"))))
    rule = {"name": "Tariffs", "query": "tariff"}
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    clock[0] = NOW + timedelta(minutes=10)
    feed_server.routes["/fast"] = Route(rss(item(1, "Weather"), item(2, "Tariff deal near")))
    return url, rule


async def test_a_cycle_stopped_mid_way_checks_the_rules_on_what_it_wrote(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """SIGTERM (or a dashboard's quit) while a slow source was still out: the fast source's
    articles were written but the rules never checked them, and new no more at the next
    start, their alerts were lost for good. They are checked before the stop ends."""
    data, clock = tmp_path / "d", [NOW]
    fast, rule = await _polled_then_a_tariff_deal(tmp_path, feed_server, data, clock)
    slow = feed_server.add("/slow", Route(rss(item(3, "Slow news")), delay=6.0))
    config = config_with(tmp_path, fast, [rule])
    config.sources.append(Source(name="Slow", url=slow))
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config, store, data, lambda: clock[0])
        running = asyncio.create_task(newsroom.cycle())
        for _ in range(100):  # the fast source written (FLUSH_AFTER), the slow one still out
            await asyncio.sleep(0.1)
            if store.query_ids(parse_query("tariff")):
                break
        assert store.query_ids(parse_query("tariff")) and not running.done()
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await newsroom.aclose()
    assert fired(data) == [("Tariffs", "Tariff deal near", "Wire")]


async def test_a_cycle_stopped_during_its_write_checks_what_the_write_stored(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Stopped while the write ran in its thread: the write finished, but its articles were
    not told to the cycle's hooks, and their alerts were lost for good."""
    import threading

    data, clock = tmp_path / "d", [NOW]
    url, rule = await _polled_then_a_tariff_deal(tmp_path, feed_server, data, clock)
    writing, go_on = threading.Event(), threading.Event()
    add_staged = Store.add_staged

    def slow_write(self: Store, *args: Any, **kwargs: Any) -> Any:
        writing.set()
        go_on.wait(10)
        return add_staged(self, *args, **kwargs)

    monkeypatch.setattr(Store, "add_staged", slow_write)
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config_with(tmp_path, url, [rule]), store, data, lambda: clock[0])
        running = asyncio.create_task(newsroom.cycle())
        await asyncio.to_thread(writing.wait, 10)
        running.cancel()
        await asyncio.sleep(0.1)
        go_on.set()
        with contextlib.suppress(asyncio.CancelledError):
            await running
        await newsroom.aclose()
    assert fired(data) == [("Tariffs", "Tariff deal near", "Wire")]


@pytest.mark.parametrize("broken", ["read", "written"])
async def test_articles_whose_check_failed_fire_at_the_next_refresh(
    tmp_path: Path, feed_server: FeedServer, broken: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The history unreadable (a folder in its place) or refusing the write (a full disk):
    that cycle's articles were no longer new after it, and their alerts were lost for good.
    They are checked again at the next check, of the next process too."""
    from fetchers import alerthistory

    data, clock = tmp_path / "d", [NOW]
    rule = {"name": "Tariffs", "query": "tariff"}
    url = feed_server.add("/feed", Route(rss(item(1, "Weather"))))
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    history = data / alerthistory.FILE
    feed_server.routes["/feed"] = Route(rss(item(2, "Tariff talks stall"), item(1, "Weather")))
    clock[0] = NOW + timedelta(minutes=10)
    if broken == "read":
        history.unlink(missing_ok=True)
        history.mkdir()
    else:

        def refuse(*args: object, **kwargs: object) -> None:
            raise alerthistory.HistoryError("the disk is full")

        monkeypatch.setattr(alerthistory.AlertHistory, "append", refuse)
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    assert not history.is_file() or fired(data) == []
    if broken == "read":
        history.rmdir()
    else:
        monkeypatch.undo()
    feed_server.routes["/feed"] = Route(rss(item(3, "Weather again"), item(1, "Weather")))
    clock[0] = NOW + timedelta(minutes=20)
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    assert fired(data) == [("Tariffs", "Tariff talks stall", "Wire")]


async def test_a_second_refresh_does_not_read_the_first_ones_articles_again(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Stored times are whole seconds, and a kept check's mark is the second its poll ended
    in: the articles fetched in that second, checked already, were read back and checked
    again at every start (the thousands of a cold refresh's last second, their stories
    opened). The next start reads none of them: neither the rules nor the stories'
    spikes check them again."""
    caplog.set_level("INFO", logger="wirewatch.alerts")
    data, clock = tmp_path / "d", [NOW]  # (the poll fetches and ends in the same second)
    rule = {"name": "Tariffs", "query": "tariff"}
    url = feed_server.add("/feed", Route(rss(item(1, "Tariff talks stall"), item(2, "Weather"))))
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    clock[0] = NOW + timedelta(minutes=10)
    caplog.clear()
    await cycle(config_with(tmp_path, url, [rule]), data, clock)  # nothing new
    assert "are checked now" not in caplog.text


async def test_an_article_stored_in_the_marks_second_by_a_check_lost_fires_at_the_next_start(
    tmp_path: Path, feed_server: FeedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh kept its check; another, in the same second, stored a tariff story while
    the disk refused the history and alerts-state.json: the next start, finding more
    articles in that second than the first refresh checked, checks them all, and fires
    it."""
    from fetchers import alerthistory

    data, clock = tmp_path / "d", [NOW]
    rule = {"name": "Tariffs", "query": "tariff"}
    url = feed_server.add("/feed", Route(rss(item(1, "Weather"))))
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    # (fetched in the second of the source's first poll, it is taken as of that backlog at
    # the look back: it fires as published in the hour before)
    feed_server.routes["/feed"] = Route(rss(item(50, "Tariff talks stall"), item(1, "Weather")))

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    with monkeypatch.context() as full:
        full.setattr(alerthistory.AlertHistory, "_append_lines", refused)
        full.setattr(alerthistory.AlertHistory, "_compact", refused)
        full.setattr("fetchers.alerting.atomic_write_bytes", refused)
        await cycle(config_with(tmp_path, url, [rule]), data, clock)  # the same second
    assert fired(data) == []
    clock[0] = NOW + timedelta(minutes=10)
    await cycle(config_with(tmp_path, url, [rule]), data, clock)  # nothing new
    assert fired(data) == [("Tariffs", "Tariff talks stall", "Wire")]


async def test_articles_stored_while_the_apps_rules_cannot_be_read_fire_once_they_can(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """alerts.json damaged as a refresh runs: its articles were checked against the
    config's rules alone, and the app's alerts for them were lost for good once the file was
    mended. The config's rules fire as before; the app's, for those articles, at the first
    check that reads them, once."""
    data, clock = tmp_path / "d", [NOW]
    config_rule = [{"name": "Weather", "query": "weather"}]
    url = feed_server.add("/feed", Route(rss(item(1, "Calm day"))))
    await cycle(config_with(tmp_path, url, config_rule), data, clock)
    RuleBook(data).add({"name": "Gamma", "query": "gamma"}, NOW)
    rules = data / "alerts.json"
    kept = rules.read_bytes()
    rules.write_bytes(b"garbage{")
    feed_server.routes["/feed"] = Route(
        rss(item(2, "Gamma three"), item(3, "Weather warning"), item(1, "Calm day"))
    )
    clock[0] = NOW + timedelta(minutes=10)
    await cycle(config_with(tmp_path, url, config_rule), data, clock)
    assert fired(data) == [("Weather", "Weather warning", "Wire")]  # the config's, at once
    assert "alerts.json cannot be read" in caplog.text
    rules.write_bytes(kept)
    feed_server.routes["/feed"] = Route(rss(item(4, "Quiet again"), item(1, "Calm day")))
    clock[0] = NOW + timedelta(minutes=20)
    await cycle(config_with(tmp_path, url, config_rule), data, clock)
    assert fired(data) == [("Weather", "Weather warning", "Wire"), ("Gamma", "Gamma three", "Wire")]
    clock[0] = NOW + timedelta(minutes=30)
    await cycle(config_with(tmp_path, url, config_rule), data, clock)
    assert len(fired(data)) == 2  # (once)


def test_a_running_desk_keeps_the_apps_rules_as_read_last_while_they_cannot_be_read(
    tmp_path: Path,
) -> None:
    """A poller that read the app's rules keeps them, as read last, while alerts.json cannot
    be read (a hand edit half saved): its rules do not go silent meanwhile."""
    data = tmp_path / "d"
    RuleBook(data).add({"name": "Gamma", "query": "gamma"}, NOW)
    with Store(data, writer=True) as store:
        desk = AlertDesk(
            config_with(tmp_path, "https://x.example/feed", []), store, data, lambda: NOW
        )
        assert [r.name for r in desk.rules(NOW)] == ["Gamma"]
        (data / "alerts.json").write_bytes(b"garbage{")
        assert [r.name for r in desk.rules(NOW)] == ["Gamma"]
        # nor when the config is read again meanwhile (a log rotation's SIGHUP)
        desk.reconfigure(config_with(tmp_path, "https://x.example/feed", []))
        assert [r.name for r in desk.rules(NOW)] == ["Gamma"]


def test_a_reloaded_user_agent_is_the_webhooks_too(tmp_path: Path) -> None:
    """The User-Agent is every request's, webhooks' too: a reload that changed it changed the
    feeds' requests and left the hooks' as they were."""
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        config = config_with(tmp_path, "https://x.example/feed", [])
        config.settings.user_agent = "desk/1.0"
        desk = AlertDesk(config, store, data, lambda: NOW)
        assert desk.sender.user_agent == "desk/1.0"
        again = config_with(tmp_path, "https://x.example/feed", [])
        again.settings.user_agent = "desk/2.0"
        desk.reconfigure(again)
        assert desk.sender.user_agent == "desk/2.0"
        desk.close()


def test_an_article_kept_for_the_apps_rules_and_deferred_again_fires_once(
    tmp_path: Path,
) -> None:
    """An article kept for the app's rules (stored while they could not be read) and also
    deferred by a check whose write failed was checked by them twice, and fired twice."""
    import json

    from fetchers.alerting import STATE_FILE

    data = tmp_path / "d"
    RuleBook(data).add({"name": "Gamma", "query": "gamma"}, NOW)
    when = NOW + timedelta(minutes=5)
    with Store(data, writer=True) as store:
        (ident,) = store.add_batch([Article("g1", "Wire", "Gamma rises", None, when, when, "")])
        (data / STATE_FILE).write_text(
            json.dumps({"seen": {}, "spikes": {}, "unchecked": [ident], "app_unchecked": [ident]})
        )
        clock = NOW + timedelta(minutes=10)
        desk = AlertDesk(
            config_with(tmp_path, "https://x.example/feed", []), store, data, lambda: clock
        )
        desk.check([])
    assert fired(data) == [("Gamma", "Gamma rises", "Wire")]


async def test_a_new_rule_fires_for_articles_fetched_in_the_second_it_began(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Stored times are whole seconds: an article fetched in the second a rule began (a
    first `refresh` with the rule in its config) is not "stored before the rule"."""
    data, clock = tmp_path / "d", [NOW + timedelta(microseconds=500_000)]
    url = feed_server.add("/feed", Route(rss(item(1, "Korea-US tariff talks stall"))))
    await cycle(config_with(tmp_path, url, [{"name": "Tariffs", "query": "tariff"}]), data, clock)
    assert fired(data) == [("Tariffs", "Korea-US tariff talks stall", "Wire")]


async def test_a_rule_added_in_the_app_never_fires_for_articles_already_stored(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(item(1, "Chip exports slow"))))
    await cycle(config_with(tmp_path, url, []), data, clock)
    clock[0] = NOW + timedelta(minutes=5)
    RuleBook(data).add({"name": "Chips", "query": "chip"}, clock[0])
    with Store(data, writer=True) as store:  # the old article handed over again
        desk = AlertDesk(config_with(tmp_path, url, []), store, data, lambda: clock[0])
        assert desk.check(store.query_ids()).entries == []
    clock[0] = NOW + timedelta(minutes=10)
    feed_server.routes["/feed"] = Route(rss(item(1, "Chip exports slow"), item(2, "Chip deal")))
    await cycle(config_with(tmp_path, url, []), data, clock)
    assert fired(data) == [("Chips", "Chip deal", "Wire")]


async def test_a_muted_rule_fires_nothing(tmp_path: Path, feed_server: FeedServer) -> None:
    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(item(1, "Tariff news"))))
    rule = {"name": "Tariffs", "query": "tariff"}
    RuleBook(data).set_muted(make_rule(rule, NOW), True)
    await cycle(config_with(tmp_path, url, [rule]), data, clock)
    assert fired(data) == []


async def test_webhook_rules_post_from_the_writer_and_respect_quiet_hours(
    tmp_path: Path,
    feed_server: FeedServer,
    receiver: Receiver,
) -> None:
    data, clock = tmp_path / "d", [NOW]  # 17:00 in Seoul
    url = feed_server.add("/feed", Route(rss(*(item(n, f"Tariff update {n}") for n in range(8)))))
    hook = receiver.url(f"/hook/{SECRET}")
    rules = [
        {"name": "Loud", "query": "tariff", "notify": ["webhook"], "webhook": hook},
        {
            "name": "Night",
            "query": "tariff",
            "notify": ["webhook"],
            "webhook": hook,
            "quiet": "16:00-18:00",
        },
    ]
    config = config_with(tmp_path, url, rules)
    config.settings.timezone = "Asia/Seoul"
    await cycle_posting(config, data, clock)
    # 8 matches of each rule; Loud posts 5 and a summary, Night is in its quiet hours
    assert len(AlertHistory(data).recent()) == 16
    texts = [body["text"] for _path, body in receiver.posts]
    assert len(texts) == 6 and all(t.startswith("wirewatch: Loud: ") for t in texts)
    assert texts[-1] == "wirewatch: Loud: and 3 more articles"


def test_a_viewer_newsroom_fires_nothing(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with Store(data, writer=True), Store(data) as viewer:
        newsroom = Newsroom(Config(path=tmp_path / "w.toml"), viewer, data, lambda: NOW)
        assert newsroom.alerts is None


def test_the_batch_index_narrows_without_changing_any_answer() -> None:
    rng = random.Random(7)
    words = ["tariff", "tariffs", "trade", "Seoul", "APEC", "$350", "billion", "US-Korea", "주가"]
    records = [
        Record(
            id=f"r{n}",
            source=rng.choice(["Yonhap", "BBC", "Korea Herald", "İzmir Haber", "O\u2019Reilly"]),
            title=" ".join(rng.choices(words, k=4)),
            summary=" ".join(rng.choices(words, k=6)),
            tags=tuple(rng.sample(["korea", "wire", "trade", "Bob\u2019s"], k=rng.randint(0, 2))),
            published=NOW.timestamp() - n * 60,
        )
        for n in range(400)
    ]
    texts = [
        "tariff",
        "tariffs",
        "tarif",
        '"$350 billion"',
        "US-Korea",
        "trade OR APEC",
        "-tariff",
        "title:seoul source:BBC",
        'source:"Korea Herald" tag:wire',
        "tag:trade -APEC",
        "주가",
        "since:30m apec",
        "nothing",
        "tar OR tariff",
        # names typed otherwise than news writes them: found all the same
        'source:"İZMİR HABER" tariff',
        "source:o'reilly OR tag:\"BOB'S\"",
    ]
    queries = [parse_query(text, NOW) for text in texts]
    batch = BatchIndex(records, queries)
    for text, query in zip(texts, queries, strict=True):
        brute = [r.id for r in records if query.matches(r)]
        assert [r.id for r in batch.matches(query)] == brute, text
        assert brute or text in ("nothing", "since:30m apec"), text


# words of several scripts, joined by what separates words in feeds: ASCII and non-ASCII
# punctuation, the mark the batch index puts between articles, a lone surrogate
_PIECES = st.sampled_from(
    ["tariff", "Tariffs", "trade", "élection", "Élection", "caf", "café", "straße", "İstanbul",
     "ΟΔΟΣ", "οδος", "K\u212aelvin", "kelvin", "주가", "x_1", "_x", "2025", "tar", "FTA",
     "협상", "米", "地震", "STRASSE", "Irak", "ırak", "IŞIK", "ışık", "APEC",
     "\uff21\uff30\uff25\uff23", "Cafe\u0301", "\uff27\uff17", "관세",
     "\u1100\u116a\u11ab\u1109\u1166", "Zürich", "zurich", "Ёлку", "елку", "Αθήνα", "काम",
     "कम"]
)  # fmt: skip
_GLUE = st.sampled_from(
    [" ", "", "\u201c", "\u201d", "\u2014", "-", "\n", "\x01", "\x00", "'", "\u00a0", "\ud800",
     "é", "\u3000", "_", "$", "\u30fb", "\u0e35", "\u0301", "\uff0c"]
)  # fmt: skip
_TEXTS = st.lists(st.tuples(_GLUE, _PIECES), max_size=8).map(
    lambda parts: "".join(glue + piece for glue, piece in parts)
)


@settings(max_examples=150, deadline=None)
@given(texts=st.lists(st.tuples(_TEXTS, _TEXTS), min_size=1, max_size=12))
def test_the_batch_index_finds_words_after_any_separator(texts: list[tuple[str, str]]) -> None:
    """Words start after spaces, ASCII and non-ASCII punctuation, the start of a title or a
    summary, and a word character of another script ("주가FTA", "FTA협상", "米FTA"); a
    word character of its own script before makes it no word start: the index's answers are
    every query's own, whatever stands between the words."""
    records = [
        Record(id=f"r{n}", source="Wire", title=title, summary=summary)
        for n, (title, summary) in enumerate(texts)
    ]
    texts_asked = ["tariff", "élection", "caf", "café", "straße", "istanbul", "οδος", "ος",
                   "kelvin", "x_1", "_x", "2025", "tar", "tariffs trade", '"caf tar"',
                   "trade OR kelvin", "title:élection", "주가", "1", "fta", "협상", "주가fta",
                   "fta협상", "strasse", "STRASSE", "ırak", "IRAK", "ışık", "işik", "apec",
                   "\uff21\uff30\uff25\uff23", "cafe\u0301", "g7", "관세",
                   "title:\u1100\u116a\u11ab", "cafe", "zurich", "Елку", "αθηνα", "कम",
                   "rich"]  # fmt: skip
    queries = [parse_query(text, NOW) for text in texts_asked]
    batch = BatchIndex(records, queries)
    for text, query in zip(texts_asked, queries, strict=True):
        brute = [r.id for r in records if query.matches(r)]
        assert [r.id for r in batch.matches(query)] == brute, text


def test_the_batch_index_finds_sharp_s_as_ss_and_dotless_i_as_i() -> None:
    """A rule or a watch term in any case finds a German "ß" written "ss" (and the other way
    round) and a Turkish "ı" typed in lower case where news writes the capital "I", as the
    list does (they found only "straße", and "Irak" for irak alone)."""
    records = [
        Record("de", "Wire", "Straßenbahn in München fährt wieder"),
        Record("tr", "Wire", "Irak'ta seçim sonuçları açıklandı", "Isparta ve Iğdır'dan"),
        Record("ik", "Wire", "IŞIK festivali"),
        Record("ss", "Wire", "STRASSENBAHN streik"),
    ]
    asked = {
        "STRASSENBAHN": ["de", "ss"],
        "Strassenbahn": ["de", "ss"],
        "straßenbahn": ["de", "ss"],
        as_phrase("Strassenbahn in"): ["de"],
        "ırak": ["tr"],
        "ısparta": ["tr"],
        "ığdır": ["tr"],
        "ışık": ["ik"],
        "title:ırak": ["tr"],
        as_phrase("ışık festivali"): ["ik"],
    }
    queries = [parse_query(text, NOW) for text in asked]
    batch = BatchIndex(records, queries)
    for (text, expected), query in zip(asked.items(), queries, strict=True):
        assert [r.id for r in batch.matches(query)] == expected, text
        assert [r.id for r in records if query.matches(r)] == expected, text


def test_the_batch_index_finds_full_width_and_decomposed_words() -> None:
    """A rule or a watch term finds Latin letters a Japanese outlet writes in full width
    ("ＡＰＥＣ" for APEC, and the other way round), a letter written as its parts ("Cafe\u0301"
    for café) and Korean written as its jamo, as the list does (each found only the headline
    written as typed)."""
    records = [
        Record("jp", "Wire", "\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ", "\uff27\uff17も"),
        Record("en", "Wire", "APEC summit opens", "G7 ministers meet"),
        Record("fr", "Wire", "Cafe\u0301 society"),
        Record("ko", "Wire", "\u1100\u116a\u11ab\u1109\u1166 협상"),  # 관세, as its jamo
    ]
    asked = {
        "APEC": ["jp", "en"],
        "\uff21\uff30\uff25\uff23": ["jp", "en"],
        "title:apec": ["jp", "en"],
        "g7": ["jp", "en"],
        as_phrase("APEC summit"): ["en"],
        "caf\u00e9": ["fr"],
        "관세": ["ko"],
        as_phrase("관세 협상"): ["ko"],
    }
    queries = [parse_query(text, NOW) for text in asked]
    batch = BatchIndex(records, queries)
    for (text, expected), query in zip(asked.items(), queries, strict=True):
        assert [r.id for r in batch.matches(query)] == expected, text
        assert [r.id for r in records if query.matches(r)] == expected, text


def test_the_batch_index_finds_a_word_typed_without_its_accents() -> None:
    """A rule or a watch term finds "Café" for cafe (and "Cafe" for café), "Zürich" for
    zurich, "Ёлку" for Елку and "Αθήνα" for ΑΘΗΝΑ, as the list does (each found only the
    headline written as typed); a Hindi word differing by a vowel sign is another word."""
    records = [
        Record("fr", "Wire", "Café society reopens"),
        Record("en", "Wire", "Cafe prices rise"),
        Record("ch", "Wire", "Stocks fall", "Trading in Zürich was thin"),
        Record("ru", "Wire", "Ёлку нарядили на площади"),
        Record("gr", "Wire", "Αθήνα: συνάντηση κορυφής"),
        Record("hi", "Wire", "काम जारी है"),
    ]
    asked = {
        "cafe": ["fr", "en"],
        "CAFÉ": ["fr", "en"],
        as_phrase("cafe society"): ["fr"],
        "zurich": ["ch"],
        "Елку": ["ru"],
        "title:ΑΘΗΝΑ": ["gr"],
        "कम": [],
        "काम": ["hi"],
    }
    queries = [parse_query(text, NOW) for text in asked]
    batch = BatchIndex(records, queries)
    for (text, expected), query in zip(asked.items(), queries, strict=True):
        assert [r.id for r in batch.matches(query)] == expected, text
        assert [r.id for r in records if query.matches(r)] == expected, text


# -- the commands ---------------------------------------------------------------------------
def test_a_story_spike_in_alerts_json_names_its_story(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A story's spike said only its headline and counts: a script following stories could
    not tell which one moved. It names the story's id (`story:ID` finds its articles); a
    watch term's spike and a match keep the contract's fields alone."""
    data = tmp_path / "d"
    config = write(tmp_path, '[watch]\nterms = ["tariff"]\n')
    data.mkdir()
    spike = {"kind": "spike", "article": None, "source": None, "link": None, "notify": ()}
    AlertHistory(data).append(
        [
            {
                **spike,
                "alert": "story",
                "rule": "story:sab12cd34ef56",
                "title": "Quake: 9",
                "at": NOW,
            },
            {**spike, "alert": "tariff", "rule": "watch:tariff", "title": "tariff: 9", "at": NOW},
        ],  # fmt: skip
        NOW,
        30,
    )
    common = ["--config", str(config), "--data-dir", str(data), "--now", NOW.isoformat()]
    assert main(["alerts", "--json", *common]) == 0
    said = {line["alert"]: line for line in map(json.loads, capsys.readouterr().out.splitlines())}
    assert said["story"]["story"] == "sab12cd34ef56"
    assert "story" not in said["tariff"]


def test_alerts_and_trends_json_shapes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "d"
    config = write(
        tmp_path,
        '[watch]\nterms = ["tariff"]\n[[alerts]]\nname = "Tariffs"\nquery = "tariff"\n',
    )
    history = AlertHistory(data)
    data.mkdir()
    base = {"rule": "config:Tariffs", "link": None, "notify": ("terminal",)}
    history.append(
        [
            {
                **base,
                "alert": "Tariffs",
                "kind": "match",
                "article": "a1",
                "title": "Old",
                "source": "Wire",
                "at": NOW - timedelta(hours=10),
            },
            {
                **base,
                "alert": "Tariffs",
                "kind": "match",
                "article": "a2",
                "title": "New",
                "source": "Wire",
                "at": NOW - timedelta(hours=1),
            },
            {
                **base,
                "alert": "tariff",
                "kind": "spike",
                "article": None,
                "title": "tariff: 9 mentions this hour",
                "source": None,
                "at": NOW,
            },
        ],
        NOW,
        30,
    )
    with Store(data, writer=True) as store:
        store.add_batch(
            [Article(id="a2", source="Wire", title="Tariff news", published=NOW, fetched=NOW)]
        )
    common = ["--config", str(config), "--data-dir", str(data), "--now", NOW.isoformat()]
    assert main(["alerts", "--json", "--since", "6h", *common]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert lines == [
        {
            "alert": "tariff",
            "kind": "spike",
            "article": None,
            "title": "tariff: 9 mentions this hour",
            "source": None,
            "at": "2025-10-24T08:00:00Z",
        },
        {
            "alert": "Tariffs",
            "kind": "match",
            "article": "a2",
            "title": "New",
            "source": "Wire",
            "at": "2025-10-24T07:00:00Z",
        },
    ]
    assert main(["alerts", *common]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert len(printed) == 3
    assert printed[0].endswith("spike  tariff: 9 mentions this hour")  # its name said once
    assert main(["alerts", "--since", "soon", *common]) == 2
    assert "--since soon" in capsys.readouterr().err
    assert main(["trends", "--json", "--hours", "30", *common]) == 0
    trends = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(t["name"], t["kind"], t["query"]) for t in trends] == [
        ("tariff", "watch", '"tariff"'),
        ("Tariffs", "alert", "tariff"),
    ]
    first = trends[0]
    assert set(first) == {
        "name",
        "kind",
        "query",
        "start",
        "counts",
        "current",
        "baseline_mean",
        "threshold",
        "spike",
        "muted",
        "no_spike",
    }
    assert first["no_spike"] is None
    assert first["start"] == "2025-10-23T03:00:00Z" and len(first["counts"]) == 30
    assert first["counts"][-1] == 1 and first["current"] == 1 and first["spike"] is False
    # the text draws the hours asked for, and says the fewest mentions that are a spike
    # (the threshold rounded up: the count that meets it)
    assert main(["trends", "--hours", "30", *common]) == 0
    drawn = capsys.readouterr().out.splitlines()[0]
    assert len(drawn.split()[0]) == 30
    assert f"(spike at {math.ceil(first['threshold'])})" in drawn
    assert main(["trends", "--hours", "7", *common]) == 2


def test_the_history_keeps_the_days_retention_keeps(tmp_path: Path, monkeypatch) -> None:
    history = AlertHistory(tmp_path)
    base = {
        "rule": "config:A",
        "link": None,
        "notify": (),
        "alert": "A",
        "kind": "match",
        "source": "Wire",
    }
    history.append(
        [{**base, "article": "old", "title": "Old", "at": NOW - timedelta(days=3)}], NOW, 30
    )
    history.append([{**base, "article": "new", "title": "New", "at": NOW}], NOW, 2)
    assert [e.article for e in AlertHistory(tmp_path).recent()] == ["new"]
    assert AlertHistory(tmp_path).mark() == 2  # numbers go on after what retention dropped
    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 3)
    history.append(
        [{**base, "article": f"n{n}", "title": "N", "at": NOW} for n in range(4)], NOW, 2
    )
    assert [e.seq for e in AlertHistory(tmp_path).recent()] == [6, 5, 4]


def test_a_refresh_fires_rules_for_words_its_lean_store_left_on_disk(tmp_path: Path) -> None:
    """A `refresh` keeps no words of a full shard in memory; a rule matching an article's
    summary there fires all the same, with its title."""
    data, clock = tmp_path / "d", [NOW]
    rule = {"name": "Chips", "query": "semiconductor"}
    batch = [
        Article(
            id=f"w{n}",
            source="Wire",
            title=f"Story {n}",
            summary="Semiconductor exports slow." if n == 3 else "Markets moved.",
            published=NOW - timedelta(minutes=n),
            fetched=NOW,
        )
        for n in range(1200)
    ]
    with Store(data, writer=True, lean=True) as store:
        ids = store.add_batch(batch)
        assert summaries_held(store, ["w3"]) == 0  # thinned
        desk = AlertDesk(
            config_with(tmp_path, "http://127.0.0.1:9/", [rule]), store, data, lambda: clock[0]
        )
        desk.check(ids)
    assert fired(data) == [("Chips", "Story 3", "Wire")]


def test_a_config_read_again_mid_cycle_leaves_its_rules_as_old_as_they_were(
    tmp_path: Path,
) -> None:
    """SIGHUP during a poller's first cycle (a log rotation), the rules unchanged: a rule
    not checked yet was dated to the reload, after the cycle's articles were fetched, and
    their alerts never fired. A rule new in the config read again starts then."""
    data, clock = tmp_path / "d", [NOW]
    url = "http://127.0.0.1:9/"
    tariffs = {"name": "Tariffs", "query": "tariff"}
    with Store(data, writer=True) as store:
        desk = AlertDesk(config_with(tmp_path, url, [tariffs]), store, data, lambda: clock[0])
        ids = store.add_batch(
            [Article(id="t1", source="Wire", title="Tariff talks stall", fetched=NOW)]
        )
        clock[0] = NOW + timedelta(minutes=1)
        chips = {"name": "Chips", "query": "tariff OR chips"}
        desk.reconfigure(config_with(tmp_path, url, [tariffs, chips]))  # the file read again
        desk.check(ids)
    assert fired(data) == [("Tariffs", "Tariff talks stall", "Wire")]  # not Chips: it is new


def test_broken_alert_files_are_clear_errors_or_skipped_entries(tmp_path: Path) -> None:
    """alerts.json and alerts-history.json as a hand or a torn disk leaves them: the rule book
    says what is wrong; history entries that do not read are left out, never a crash."""
    (tmp_path / "alerts.json").write_text('{"rules": 5, "muted": []}')
    with pytest.raises(RuleBookError, match="rules and muted must be lists"):
        RuleBook(tmp_path).load(NOW)
    (tmp_path / "alerts.json").write_text(
        '{"rules": [{"id": 7, "name": "N", "query": "tariff", "created": 12}], "muted": []}'
    )
    book = RuleBook(tmp_path)
    (rule,) = book.load(NOW)[0]
    assert rule.ident == "7" and rule.created is None
    book.remove("7")
    assert book.load(NOW)[0] == []
    history = tmp_path / "alerts-history.json"
    good = {"seq": 1, "alert": "A", "rule": "r", "kind": "match", "title": "T",
            "at": "2025-10-24T00:00:00Z", "notify": ["terminal"]}  # fmt: skip
    naive = {**good, "seq": 2, "at": "2025-10-24T00:00:00"}
    spelled = {**good, "seq": 3, "notify": "terminal"}
    history.write_text(json.dumps({"entries": [good, naive, spelled]}))
    entries = AlertHistory(tmp_path).recent(NOW - timedelta(days=1))
    assert [e.seq for e in entries] == [1]
    history.write_text('{"entries": 3}')
    with pytest.raises(HistoryError):
        AlertHistory(tmp_path).load()


def test_a_webhook_port_that_is_no_port_is_refused_at_load() -> None:
    fields = {"name": "W", "query": "x", "notify": ["webhook"], "webhook": "http://h:99999/"}
    with pytest.raises(RuleError, match="port"):
        make_rule(fields, NOW)


def test_a_notification_carries_no_zero_width_characters() -> None:
    from fetchers.notify import notification_text

    assert notification_text("Tar\u200biff\u2060 deal\u200e") == "Tariff deal"


def test_a_health_record_that_does_not_read_is_skipped_not_a_crash(tmp_path: Path) -> None:
    from fetchers.healthbook import HealthBook

    good = {"name": "A", "location": "https://a.example/rss", "status": "ok"}
    bad = {"name": "B", "location": "x", "last_ok": 5, "next_poll": "soon"}
    nameless = {"name": ["C"], "status": "ok"}
    (tmp_path / "sources.json").write_text(json.dumps({"A": good, "B": bad, "C": nameless}))
    health = HealthBook(tmp_path).load()
    assert list(health) == ["A", "B"]  # a field that does not read is as if not there
    assert (health["B"].last_ok, health["B"].next_poll) == (None, None)


DEAL_COPIES = [
    "S. Korea, US strike deal on tariff negotiations after Lee-Trump summit in Gyeongju",
    "S. Korea, US strike deal on tariff negotiations after Lee-Trump summit in Gyeongju (update)",
    "S. Korea, US strike deal on tariff negotiations at Lee-Trump summit in Gyeongju",
]


def deal_item(n: int, title: str) -> str:
    return (
        f"<title>{title}</title><link>https://wire.example/{n}</link>"
        f"<guid>https://wire.example/{n}</guid>"
        "<description>Seoul and Washington settled their tariff negotiations at the Lee-Trump"
        " summit in Gyeongju, with $200 billion of cash investment.</description>"
        f"<pubDate>Fri, 24 Oct 2025 08:{n:02d}:00 +0000</pubDate>"
    )


async def test_a_story_spiking_fires_once_from_the_newsroom_cycle(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Two outlets carry one story, six articles in the running hour (its line is 5 with no
    baseline): the writer's cycle groups them and fires one spike naming the story; the next
    cycle's article of the same story, the same hour, fires nothing more."""
    data, clock = tmp_path / "d", [NOW + timedelta(minutes=30)]
    wire = feed_server.add(
        "/wire", Route(rss(*(deal_item(n, t) for n, t in enumerate(DEAL_COPIES))))
    )
    herald = feed_server.add(
        "/herald", Route(rss(*(deal_item(10 + n, t) for n, t in enumerate(DEAL_COPIES))))
    )
    config = config_with(tmp_path, wire, [])
    config.sources.append(Source(name="Herald", url=herald))
    await cycle(config, data, clock)
    (spike,) = AlertHistory(data).recent()
    assert (spike.kind, spike.alert, spike.article) == ("spike", "story", None)
    assert spike.rule.startswith("story:s")
    assert (
        spike.title.startswith("S. Korea, US strike deal") and "6 articles this hour" in spike.title
    )
    clock[0] += timedelta(minutes=10)
    feed_server.routes["/herald"] = Route(rss(deal_item(20, DEAL_COPIES[0] + " (2nd update)")))
    await cycle(config, data, clock)
    assert len(AlertHistory(data).recent()) == 1
    config.settings.story_spikes = False  # a story's spike can be turned off
    (data / "alerts-state.json").unlink()
    clock[0] += timedelta(minutes=10)
    feed_server.routes["/herald"] = Route(rss(deal_item(21, DEAL_COPIES[1] + " (3rd update)")))
    await cycle(config, data, clock)
    assert len(AlertHistory(data).recent()) == 1
    stories = stories_file(data / "stories.json")
    assert sorted(map(len, stories.values())) == [8]  # each later article joined the story


class CountingStore:
    """A store that notes how many articles each read of records asks for."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.reads: list[int] = []

    def records(self, ids: list[str]) -> list[Record]:
        self.reads.append(len(ids))
        return self.store.records(ids)

    def __getattr__(self, name: str) -> object:
        return getattr(self.store, name)


class CountingList(list):  # type: ignore[type-arg]
    """A list that counts the walks over it."""

    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        CountingList.walks += 1
        return super().__iter__()


def test_a_big_cycle_is_read_a_chunk_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """However many articles a cycle brings (a first refresh: 100,000), the check holds at
    most CHUNK of them at once, and fires for every one."""
    monkeypatch.setattr("fetchers.alerting.CHUNK", 40, raising=False)
    data = tmp_path / "d"
    articles = [
        Article(id=f"id{n}", source="Wire", title=f"Tariff update {n}", fetched=NOW)
        for n in range(100)
    ]
    with Store(data, writer=True) as store:
        ids = store.add_batch(articles)
        counting = CountingStore(store)
        config = config_with(tmp_path, "http://127.0.0.1:9/", [{"name": "T", "query": "tariff"}])
        desk = AlertDesk(config, counting, data, lambda: NOW)  # type: ignore[arg-type]
        desk._config_seen_at = NOW - timedelta(days=1)
        assert [e.kind for e in desk.check(ids).entries].count("match") == 100
    assert counting.reads and max(counting.reads) <= 40


def test_a_check_does_not_walk_the_kept_history(tmp_path: Path) -> None:
    """A writer's history holds up to 50,000 entries: what already fired is known without
    walking them at every cycle, and still fires nothing twice."""
    data = tmp_path / "d"
    old = [
        Article(id=f"old{n}", source="Wire", title=f"Tariff history {n}", fetched=NOW)
        for n in range(300)
    ]
    with Store(data, writer=True) as store:
        config = config_with(tmp_path, "http://127.0.0.1:9/", [{"name": "T", "query": "tariff"}])
        desk = AlertDesk(config, store, data, lambda: NOW)
        desk._config_seen_at = NOW - timedelta(days=1)
        old_ids = store.add_batch(old)
        assert [e.kind for e in desk.check(old_ids).entries].count("match") == 300
        desk.history._entries = CountingList(desk.history._entries)
        CountingList.walks = 0
        new_ids = store.add_batch(
            [Article(id="new", source="Wire", title="Tariff news", fetched=NOW)]
        )
        fired = desk.check([*old_ids[:50], *new_ids]).entries
        assert [e.article for e in fired if e.kind == "match"] == ["new"]
        assert CountingList.walks == 0


def test_a_check_runs_with_the_collector_paused(tmp_path: Path) -> None:
    """A cycle can fire thousands of alerts beside a history of up to 50,000: the check makes
    its objects with the cyclic collector paused (each full pass would walk the history), and
    resumes it after."""
    data = tmp_path / "d"
    articles = [
        Article(id=f"id{n}", source="Wire", title=f"Tariff update {n}", fetched=NOW)
        for n in range(60)
    ]
    with Store(data, writer=True) as store:
        config = config_with(tmp_path, "http://127.0.0.1:9/", [{"name": "T", "query": "tariff"}])
        desk = AlertDesk(config, store, data, lambda: NOW)
        desk._config_seen_at = NOW - timedelta(days=1)
        ids = store.add_batch(articles)
        collecting: list[bool] = []  # whether the collector may run, as the entries are kept
        append = desk.history.append

        def keep(*args: Any) -> list[AlertEntry]:
            collecting.append(gc.isenabled())
            return append(*args)

        desk.history.append = keep  # type: ignore[method-assign]
        firing = desk.check(ids)
        assert [e.kind for e in firing.entries].count("match") == 60
        assert collecting == [False] and gc.isenabled()  # paused, then resumed


def test_the_fired_pairs_follow_what_the_history_keeps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs the writer skips are those of the kept entries: one dropped beyond the
    history's bound (or by retention) is no longer among them, as after a fresh read."""
    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 3)
    history = AlertHistory(tmp_path, writer=True)
    fields = {"alert": "T", "rule": "config:T", "kind": "match", "title": "t", "source": "W"}
    history.append([{**fields, "article": f"a{n}", "at": NOW} for n in range(2)], NOW, 30)
    history.append([{**fields, "article": f"a{n}", "at": NOW} for n in range(2, 5)], NOW, 30)
    assert history.fired() == {("config:T", "a2"), ("config:T", "a3"), ("config:T", "a4")}
    spike = {**fields, "kind": "spike", "article": None, "at": NOW}
    later = NOW + timedelta(days=2)
    history.append([{**fields, "article": "a5", "at": later}, spike], later, 1)
    assert history.fired() == {("config:T", "a5")}  # a2-a4: retention dropped them
    assert AlertHistory(tmp_path).fired() == history.fired()


def test_a_history_write_encodes_only_the_new_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full history is some 17 MB of JSON: a write encodes only what is new, and the file
    reads back whole."""
    import orjson

    fields = {"alert": "T", "rule": "config:T", "kind": "match", "title": "t", "source": "W"}
    AlertHistory(tmp_path, writer=True).append(
        [{**fields, "article": f"a{n}", "at": NOW} for n in range(500)], NOW, 30
    )
    history = AlertHistory(tmp_path, writer=True)
    history.load()
    encoded: list[int] = []

    class Counting:
        loads = staticmethod(orjson.loads)

        @staticmethod
        def dumps(value: object, **options: Any) -> bytes:
            out = orjson.dumps(value, **options)
            encoded.append(len(out))
            return out

    monkeypatch.setattr("fetchers.alerthistory.orjson", Counting)
    history.append([{**fields, "article": "new", "at": NOW}], NOW, 30)
    assert len(encoded) == 1 and encoded[0] < 400  # the new entry alone
    monkeypatch.undo()
    again = AlertHistory(tmp_path)
    assert [e.article for e in again.load()] == [*(f"a{n}" for n in range(500)), "new"]
    assert [e.seq for e in again.load()][-2:] == [500, 501]


def test_trends_count_a_rules_outlets_clause_by_the_stories(
    story_desk: tuple[list[str], dict[str, Route]],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A rule on stories several outlets carry has a series in `wirewatch trends`, as the
    alerts screen draws it."""
    where, routes = story_desk
    config = Path(where[1])
    config.write_text(config.read_text() + '[[alerts]]\nname = "Shared"\nquery = "outlets:>=2"\n')
    routes["/herald.xml"].body = rss(HERALD)
    assert main([*where, "refresh"]) == 0
    capsys.readouterr()
    assert main([*where, "trends", "--json"]) == 0
    series = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    (shared,) = [s for s in series if s["name"] == "Shared"]
    assert sum(shared["counts"]) == 2  # the deal, from Yonhap and the Herald


async def test_a_rule_on_the_stories_fires_once_the_cycle_is_grouped(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`outlets:>=2` asks the stories: the writer checks it after grouping the cycle's
    articles, for each new article of a story two outlets carry."""
    data, clock = tmp_path / "d", [NOW + timedelta(minutes=30)]
    wire = feed_server.add("/wire", Route(rss(deal_item(1, DEAL_COPIES[0]), item(2, "Weather"))))
    herald = feed_server.add("/herald", Route(rss(deal_item(11, DEAL_COPIES[1]))))
    rules = [{"name": "Shared", "query": "outlets:>=2 source:Herald"}]
    config = config_with(tmp_path, wire, rules)
    config.sources.append(Source(name="Herald", url=herald))
    config.settings.story_spikes = False
    await cycle(config, data, clock)
    assert fired(data) == [("Shared", DEAL_COPIES[1], "Herald")]


def test_a_stored_rule_created_without_a_time_zone_is_refused_and_kept(tmp_path: Path) -> None:
    """A creation time without a zone would be read in whatever zone the machine has: the
    rule is refused with the key at fault named, and alerts.json keeps it as it was."""
    written = (
        '{"rules": [{"id": "n1", "name": "Naive", "query": "tariff",'
        ' "created": "2025-10-24T06:15:00"},'
        ' {"id": "z1", "name": "Zoned", "query": "tariff", "created": "2025-10-24T06:15:00Z"}],'
        ' "muted": []}'
    )
    (tmp_path / "alerts.json").write_text(written)
    book = RuleBook(tmp_path)
    rules, _muted, problems = book.load_with_problems(NOW)
    assert [r.name for r in rules] == ["Zoned"]
    assert rules[0].created == datetime(2025, 10, 24, 6, 15, tzinfo=UTC)
    (problem,) = problems
    assert "'Naive'" in problem and "created" in problem and "time zone" in problem
    book.set_muted(rules[0], True)  # a write keeps the refused rule as it was
    kept = json.loads((tmp_path / "alerts.json").read_text())["rules"]
    assert kept[0] == json.loads(written)["rules"][0]


def test_a_stored_rule_that_no_longer_checks_is_listed_for_the_app_and_never_fired(
    tmp_path: Path,
) -> None:
    """A rule alerts.json keeps that no longer checks (a `*` an older wirewatch took) was
    left out of the app's list too: it could be neither mended nor removed there. The app
    is given it, with why; the desk never fires it; mended, it checks and fires again (an
    unreadable creation time given as now); entries the app cannot name (no id) stay in the
    file through every save."""
    old = {
        "id": "abc123", "name": "Old wildcard", "query": "tariff*", "notify": ["terminal"],
        "webhook": None, "webhook_format": None, "quiet": None, "muted": False,
        "created": "yesterday",
    }  # fmt: skip
    no_id = {"name": "Hand written", "query": "tariff"}
    (tmp_path / "alerts.json").write_text(json.dumps({"rules": [old, no_id], "muted": []}))
    book = RuleBook(tmp_path)
    assert book.load_with_problems(NOW)[0] == []
    (listed,), _muted, problems = book.load_with_problems(NOW, unchecked=True)
    assert (listed.name, listed.query, listed.ident) == ("Old wildcard", "tariff*", "abc123")
    assert listed.problem is not None and listed.problem.startswith("query: tariff* at column 1")
    assert problems == [f"{book.path}: rule 'Old wildcard': {listed.problem}"]
    with Store(tmp_path, writer=True) as store:
        desk = AlertDesk(
            config_with(tmp_path, "https://x.example/feed", []), store, tmp_path, lambda: NOW
        )
        assert desk.rules(NOW) == []
        desk.close()
    book.add({"name": "New", "query": "new"}, NOW)
    mended = book.update("abc123", {"name": "Old wildcard", "query": "tariff"}, NOW)
    assert mended.created == NOW and mended.problem is None
    rules, _muted, problems = book.load_with_problems(NOW, unchecked=True)
    assert [(r.name, r.query, r.problem) for r in rules] == [
        ("Old wildcard", "tariff", None),
        ("New", "new", None),
    ]
    assert problems == []
    assert no_id in json.loads(book.path.read_text())["rules"]


def test_a_rule_whose_source_is_no_source_is_said_with_the_source_meant(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`source:"Live Tow"` of the sources "Live One" and "Live Two": the writer said the rule
    fires for nothing, not which source it may have meant (as `list` says)."""
    config = config_with(tmp_path, "https://x.example/feed", [])
    config.sources = [
        Source(name="Live One", url="https://x.example/one"),
        Source(name="Live Two", url="https://x.example/two"),
    ]
    config.alerts = [make_rule({"name": "Typo source", "query": 'tariff source:"Live Tow"'}, NOW)]
    with Store(tmp_path, writer=True) as store:
        desk = AlertDesk(config, store, tmp_path, lambda: NOW)
        desk.rules(NOW)
        desk.close()
    said = [r.getMessage() for r in caplog.records if "no source named" in r.getMessage()]
    assert said == [
        "alert rule 'Typo source': no source named 'live tow' in the config; it fires for no"
        ' new article (did you mean source:"Live Two"?)'
    ]


def test_a_rule_naming_a_source_with_a_hyphen_for_its_dash_names_that_source(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """`source:"Frontier Review - Markets"`, typed with a hyphen, of the source an OPML file
    named "Frontier Review — Markets": the writer said the rule fires for nothing."""
    config = config_with(tmp_path, "https://x.example/feed", [])
    config.sources = [Source(name="Frontier Review \u2014 Markets", url="https://x.example/m")]
    config.alerts = [
        make_rule({"name": "Bonds", "query": 'source:"Frontier Review - Markets"'}, NOW)
    ]
    with Store(tmp_path, writer=True) as store:
        desk = AlertDesk(config, store, tmp_path, lambda: NOW)
        desk.rules(NOW)
        desk.close()
    assert not [r.getMessage() for r in caplog.records if "no source named" in r.getMessage()]


def test_each_rule_is_parsed_at_most_once_a_cycle_and_a_fixed_one_once_in_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The check after a cycle and the one after its grouping share the cycle's parse of each
    rule; a rule whose answer neither the clock nor the stories change (a stored one too)
    is parsed once, until alerts.json changes."""
    import fetchers.alerting
    import fetchers.alertrules
    from fetchers.storybook import StoryBook

    data, clock = tmp_path / "d", [NOW]
    rules = [
        {"name": "Plain", "query": "tariff"},
        {"name": "Recent", "query": "tariff since:6h"},
        {"name": "Wide", "query": "tariff outlets:>=2"},
    ]
    config = config_with(tmp_path, "http://127.0.0.1:9/", rules)
    RuleBook(data).add({"name": "Stored", "query": "semiconductor"}, NOW)
    parsed: list[str] = []
    for module in (fetchers.alerting, fetchers.alertrules):
        parse = module.parse_query

        def counted(text: str, *args: object, _parse=parse, **kwargs: object):  # type: ignore[no-untyped-def]
            parsed.append(text)
            return _parse(text, *args, **kwargs)

        monkeypatch.setattr(module, "parse_query", counted)
    with Store(data, writer=True) as store:
        desk = AlertDesk(config, store, data, lambda: clock[0])
        book = StoryBook(data)
        for n in range(3):
            clock[0] = NOW + timedelta(minutes=n)
            batch = [
                Article(id=f"c{n}-{source}", source=source, title="Tariff and semiconductor talks",
                        published=clock[0], fetched=clock[0])
                for source in ("Wire", "Other")
            ]  # fmt: skip
            ids = store.add_batch(batch)
            book.update(store, ids, removed=False)
            parsed.clear()
            desk.check(ids)
            desk.check_grouped(ids, book)
            # the config's fixed rule was parsed as the config loaded, the stored one as
            # alerts.json was first read; the clock's and the stories' once a cycle
            first = ["semiconductor"] if n == 0 else []
            assert sorted(parsed) == [*first, "tariff outlets:>=2", "tariff since:6h"]
        RuleBook(data).add({"name": "Chips", "query": "chip"}, NOW)  # read once more
        parsed.clear()
        desk.check(ids)
        assert sorted(parsed) == ["chip", "semiconductor", "tariff since:6h"]
    assert {name for name, _title, _source in fired(data)} >= {"Plain", "Recent", "Wide"}


async def test_a_spike_of_articles_a_feed_dates_minutes_ahead_fires(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed whose clock runs a few minutes ahead (its items dated 07:00 to 07:06, fetched
    at 06:58, as stored) never fired its spike: the running hour's count left out what was
    dated after now, and a later poll bringing nothing new checks nothing."""
    data, clock = tmp_path / "d", [NOW - timedelta(hours=1, minutes=2)]  # 06:58
    url = feed_server.add("/feed", Route(rss(*(item(n, f"Tariff update {n}") for n in range(7)))))
    await cycle(config_with(tmp_path, url, [{"name": "Loud", "query": "tariff"}]), data, clock)
    kinds = sorted(e.kind for e in AlertHistory(data).recent())
    assert kinds == ["match"] * 7 + ["spike"]


async def test_a_desktop_notification_not_shown_is_said_in_the_log(
    tmp_path: Path,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Without notify-send, `poll` and `refresh` said nothing of the desktop notifications
    a rule asked for (only a writer dashboard showed it): a warning says how many."""
    from fetchers import notify

    monkeypatch.setattr(notify.shutil, "which", lambda name: None)
    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(item(1, "Tariff talks stall"))))
    rules = [{"name": "D", "query": "tariff", "notify": ["desktop"]}]
    await cycle(config_with(tmp_path, url, rules), data, clock)
    assert fired(data) == [("D", "Tariff talks stall", "Wire")]
    assert "desktop: 1 notification(s) not shown (notify-send missing" in caplog.text


async def test_a_source_added_to_the_desk_does_not_page_it_with_its_backlog(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed added to a running desk brought its archive as new articles: every match
    fired (eleven alerts), and its undated items, counted at the fetch, made a spike. Of a
    source's first poll only what it published in the last hour fires, and its undated
    items are not this hour's mentions; from its next poll on, what is new is news."""
    data, clock = tmp_path / "d", [NOW]
    wire = feed_server.add("/wire", Route(rss(item(1, "Weather"))))
    rules = [{"name": "Tariffs", "query": "tariff"}]
    config = config_with(tmp_path, wire, rules)
    await cycle(config, data, clock)
    undated = [f"<title>Archive: tariff explainer {n}</title><guid>a{n}</guid>" for n in range(8)]
    dated = [
        f"<title>Tariff history {n}</title><guid>h{n}</guid>"
        f"<pubDate>Fri, 17 Oct 2025 0{n}:00:00 +0000</pubDate>"
        for n in range(3)
    ]
    fresh = (
        "<title>Tariff talks resume</title><guid>f1</guid>"
        "<pubDate>Fri, 24 Oct 2025 08:20:00 +0000</pubDate>"
    )
    added = Route(rss(fresh, *undated, *dated))
    config.sources.append(Source(name="Added", url=feed_server.add("/added", added)))
    clock[0] = NOW + timedelta(minutes=30)  # 08:30
    await cycle(config, data, clock)
    assert sorted(e.kind for e in AlertHistory(data).recent()) == ["match"]
    assert fired(data) == [("Tariffs", "Tariff talks resume", "Added")]
    added.body = rss("<title>Tariff deal signed</title><guid>new</guid>", fresh, *undated)
    clock[0] = NOW + timedelta(minutes=40)
    await cycle(config, data, clock)
    assert fired(data)[-1] == ("Tariffs", "Tariff deal signed", "Added")
    assert sorted(e.kind for e in AlertHistory(data).recent()) == ["match", "match"]
    # the next hour, a real burst: the archive, fetched at 08:30, is no hour's mentions (it
    # made 08:00 look busy, and the burst look usual)
    burst = [
        f"<title>Tariff burst {n}</title><guid>b{n}</guid>"
        f"<pubDate>Fri, 24 Oct 2025 09:1{n}:00 +0000</pubDate>"
        for n in range(6)
    ]
    added.body = rss(*burst, fresh, *undated)
    clock[0] = NOW + timedelta(hours=1, minutes=30)
    await cycle(config, data, clock)
    assert "spike" in {e.kind for e in AlertHistory(data).recent()}


async def test_a_source_read_again_after_days_does_not_page_its_backlog(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A source disabled for three days and enabled again brought those days as new
    articles, and every match fired: a page of old news. After a day or more unread
    (disabled, down, the desk off) a source's poll is a backlog, as its first one is:
    what it published in the last hour fires. After a shorter gap what it brings is news."""
    data, clock = tmp_path / "d", [NOW]
    route = Route(rss(item(1, "Weather")))
    config = config_with(
        tmp_path, feed_server.add("/wire", route), [{"name": "T", "query": "tariff"}]
    )
    await cycle(config, data, clock)

    def dated(n: int, title: str, when: datetime) -> str:
        stamp = f"{when:%a, %d %b %Y %H:%M:%S} +0000"
        return f"<title>{title}</title><guid>g{n}</guid><pubDate>{stamp}</pubDate>"

    config.sources[0].enabled = False
    clock[0] = NOW + timedelta(days=1)
    await cycle(config, data, clock)
    back = NOW + timedelta(days=3)
    old = [dated(n, f"Tariff story {n}", NOW + timedelta(hours=10 * n)) for n in range(1, 6)]
    route.body = rss(dated(9, "Tariff talks resume", back - timedelta(minutes=20)), *old)
    config.sources[0].enabled = True
    clock[0] = back
    await cycle(config, data, clock)
    assert fired(data) == [("T", "Tariff talks resume", "Wire")]
    # down two hours, then read again: what it published meanwhile is news
    route.body = rss(dated(10, "Tariff deal near", back + timedelta(minutes=30)), *old)
    clock[0] = back + timedelta(hours=2)
    await cycle(config, data, clock)
    assert fired(data)[-1] == ("T", "Tariff deal near", "Wire")
    # a source read once a day: each poll, a day after the last, is news
    config.sources[0].interval = 86400
    route.body = rss(dated(11, "Tariff deal signed", back + timedelta(hours=23)), *old)
    clock[0] = back + timedelta(days=1, hours=2, minutes=1)
    await cycle(config, data, clock)
    assert fired(data)[-1] == ("T", "Tariff deal signed", "Wire")


async def test_a_rule_asking_for_a_source_the_config_lacks_is_said_once(
    tmp_path: Path, feed_server: FeedServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A rule on `source:Guardian` went dead without a word once the source was renamed "The
    Guardian": it fires for no new article. The writer says so, once, not at every cycle;
    a rule with another source beside it in an OR, or none, is not named."""
    data, clock = tmp_path / "d", [NOW]
    route = Route(rss(item(1, "Louvre heist")))
    url = feed_server.add("/feed", route)
    rules = [
        {"name": "Dead", "query": "Louvre source:Guardian"},
        {"name": "Alive", "query": "Louvre source:Guardian OR source:Wire"},
        {"name": "Any", "query": "Louvre"},
    ]
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config_with(tmp_path, url, rules), store, data, lambda: clock[0])
        try:
            await newsroom.cycle()
            # its check runs in the desk's thread by the clock: checked before the clock moves
            # (checked later, the first poll's hour had moved past the article)
            assert wait_for(lambda: "Any" in [e.alert for e in AlertHistory(data).recent()], 30)
            route.body = rss(item(2, "Louvre jewels found"), item(1, "Louvre heist"))
            clock[0] = NOW + timedelta(minutes=10)
            await newsroom.cycle()
        finally:
            await newsroom.aclose()
    assert [e.alert for e in AlertHistory(data).recent()].count("Any") == 2  # both checked
    said = [r.getMessage() for r in caplog.records if "no source named" in r.getMessage()]
    assert said == [
        "alert rule 'Dead': no source named 'guardian' in the config; it fires for no new"
        " article (was the source renamed?)"
    ]


async def test_a_rules_spike_reaches_the_webhook_beside_its_matches(
    tmp_path: Path, feed_server: FeedServer, receiver: Receiver
) -> None:
    """Matches beyond the first five are summed up in one "and N more" post; the rule's
    spike is not an article and is posted on its own, not summed up with them."""
    data, clock = tmp_path / "d", [NOW - timedelta(minutes=1)]  # 07:59: the items' hour
    url = feed_server.add("/feed", Route(rss(*(item(n, f"Tariff update {n}") for n in range(7)))))
    hook = receiver.url(f"/hook/{SECRET}")
    rules = [{"name": "Loud", "query": "tariff", "notify": ["webhook"], "webhook": hook}]
    config = config_with(tmp_path, url, rules)
    await cycle_posting(config, data, clock)
    kinds = sorted(e.kind for e in AlertHistory(data).recent())
    assert kinds == ["match"] * 7 + ["spike"]
    texts = [body["text"] for _path, body in receiver.posts]
    assert len(texts) == 7  # five matches, "and 2 more articles", and the spike
    assert "wirewatch: Loud: and 2 more articles" in texts
    (spike,) = [t for t in texts if "this hour" in t]
    assert spike.startswith("wirewatch: Loud: ")


def test_a_countdown_crossed_late_says_the_time_as_it_is() -> None:
    """Thresholds jumped over between two checks: the last alone, as the time then is."""
    from fetchers.alerts import AlertWatch

    when = datetime(2025, 10, 29, 5, 0, tzinfo=UTC)
    event = Event(name="Summit", when=when, tz="UTC")
    watch = AlertWatch()
    assert watch.check([event], when - timedelta(hours=25)) == []
    jumped = [a.message for a in watch.check([event], when - timedelta(minutes=45, seconds=10))]
    assert jumped == ["Summit starts in 45 minutes"]
    assert [a.message for a in watch.check([event], when - timedelta(minutes=9, seconds=59))] == [
        "Summit starts in 10 minutes"
    ]
    assert [a.message for a in watch.check([event], when + timedelta(seconds=1))] == [
        "Summit is starting now"
    ]


async def test_many_rules_sharing_one_healthy_hook_each_reach_it(
    tmp_path: Path, feed_server: FeedServer, receiver: Receiver
) -> None:
    """Sixty rules sending one cycle to one Slack channel: 360 posts, more than the 256 a
    hook may hold back. The hook answers at once, so none is dropped: every rule's five
    matches and its "and N more" arrive (a desk lost whole rules, not even their summary)."""
    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(*(item(n, f"Tariff update {n}") for n in range(8)))))
    hook = receiver.url(f"/hook/{SECRET}")
    rules = [
        {"name": f"Desk {n}", "query": "tariff", "notify": ["webhook"], "webhook": hook}
        for n in range(60)
    ]
    await cycle_posting(config_with(tmp_path, url, rules), data, clock)
    assert len(AlertHistory(data).recent()) == 480
    texts = [body["text"] for _path, body in receiver.posts]
    for n in range(60):
        own = [t for t in texts if t.startswith(f"wirewatch: Desk {n}: ")]
        assert len(own) == 6, f"Desk {n} got {len(own)} posts"
        assert f"wirewatch: Desk {n}: and 3 more articles" in own


async def test_a_cycle_of_many_rules_shows_a_few_desktop_notifications_and_a_summary(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """Seventy rules firing in one cycle raised 420 desktop notifications (five and a summary
    each): the first few of the cycle are shown, then one saying how many more alerts from how
    many rules; the history keeps every alert."""
    from fetchers.notify import CYCLE_NOTICES

    data, clock = tmp_path / "d", [NOW]
    url = feed_server.add("/feed", Route(rss(*(item(n, f"Tariff update {n}") for n in range(8)))))
    rules = [{"name": f"Desk {n}", "query": "tariff", "notify": ["desktop"]} for n in range(70)]
    shown: list[AlertEntry] = []
    with Store(data, writer=True) as store:
        newsroom = Newsroom(config_with(tmp_path, url, rules), store, data, lambda: clock[0])
        assert newsroom.alerts is not None
        newsroom.alerts.desktop = lambda entry: shown.append(entry) or True
        await newsroom.cycle()
        await newsroom.aclose()
    assert len(AlertHistory(data).recent()) == 560
    assert len(shown) == CYCLE_NOTICES + 1
    # one of each of the first rules, not six of the first one
    assert [e.alert for e in shown[:CYCLE_NOTICES]] == [f"Desk {n}" for n in range(CYCLE_NOTICES)]
    assert shown[-1].title == f"{560 - CYCLE_NOTICES} more alerts from 70 rules"
