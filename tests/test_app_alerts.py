"""Alerts in the dashboard: what fired shows, rings and counts in every open dashboard; `!`
lists the history (enter goes to the article) and the rules with their mentions per hour;
rules are added, edited, muted and removed there and kept in the data dir."""

from __future__ import annotations

import asyncio
import errno
import json
import os
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual._compositor import Compositor
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input, OptionList
from textual.worker import Worker, WorkerState

from fetchers.alerthistory import AlertEntry, AlertHistory
from fetchers.alertrules import RULE_KEYS, AlertRule, RuleBook, make_rule
from fetchers.config import load_config
from fetchers.models import Article
from fetchers.notify import terminal_output
from fetchers.store import Store
from fetchers.trends import hourly_counts, sparkline
from tests.conftest import (
    FROZEN,
    FeedServer,
    archive_added,
    dash,
    make_app,
    newsroom_data,
    piloted,
    rss,
    screen_text,
    seed_only_config,
    seen,
    send_in_one_read,
    settle,
    status_text,
    until,
    write_config,
)
from tests.webhooks import Receiver, receiver_fixture  # noqa: F401 - gives `receiver`
from tui.alertdata import newest_mixed
from tui.app import WirewatchApp
from tui.messages import (
    AlertsArrived,
    ConfigReread,
    PollerReady,
    QueryDone,
    RulesChanged,
    StoriesRead,
    Trended,
)
from tui.screens.alerts import (
    AlertsScreen,
    RowWidths,
    RuleForm,
    trend_note,
    watched_label,
    watched_prompt,
)
from tui.screens.dashboard import DashboardScreen
from tui.widgets.article import ArticleView


def fire(data: Path, *entries: dict[str, Any]) -> list[AlertEntry]:
    """What a writer (in this process or another) keeps when rules fire."""
    fields = [
        {
            "alert": "Tariffs",
            "rule": "config:Tariffs",
            "kind": "match",
            "article": None,
            "title": "",
            "source": None,
            "at": FROZEN,
            "link": None,
            "notify": ("terminal",),
            **entry,
        }
        for entry in entries
    ]
    return AlertHistory(data).append(fields, FROZEN, 30)


def looked(message: object) -> bool:
    """A dashboard's look at the alert history has finished."""
    return (
        isinstance(message, Worker.StateChanged)
        and message.worker.name == "_look_for_alerts"
        and message.state == WorkerState.SUCCESS
    )


async def fire_seen(app: WirewatchApp, data: Path, *entries: dict[str, Any]) -> AlertsArrived:
    """`fire`, once the dashboard has taken in what fired."""
    since = seen(app).mark()
    fire(data, *entries)
    return await seen(app).wait_for(AlertsArrived, since=since)


async def first_look(app: WirewatchApp) -> None:
    """The dashboard has marked the history: what is appended from now on is new to it."""
    await seen(app).wait_for(Worker.StateChanged, looked)


async def type_text(pilot: Pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def open_alerts(app: WirewatchApp, pilot: Pilot) -> AlertsScreen:
    since = seen(app).mark()
    await pilot.press("exclamation_mark")
    await seen(app).wait_for(Trended, since=since)
    await pilot.pause()
    assert isinstance(app.screen, AlertsScreen)
    return app.screen


async def type_new_rule(pilot: Pilot, name: str, query: str) -> None:
    """`a` on `!`'s list, and a name and a query typed into the form it opens."""
    await pilot.press("a")
    await pilot.pause()
    await type_text(pilot, name)
    await pilot.press("tab")
    await type_text(pilot, query)
    await pilot.pause()


async def open_rule_form(app: WirewatchApp, pilot: Pilot) -> RuleForm:
    """`!` and `a` typed in one read: the form opens once the list has been read."""
    send_in_one_read(app, "!a")
    await seen(app).wait_for(Trended)
    await pilot.pause()
    assert isinstance(app.screen, RuleForm)
    return app.screen


async def highlight(screen: AlertsScreen, pilot: Pilot, row: str) -> OptionList:
    """`!`'s list of rules, watch terms and stories, focused, with the row named `row`
    highlighted: where the keys that act on a rule act."""
    listed = screen.query_one("#alerts-watched", OptionList)
    listed.focus()
    listed.highlighted = [w.name for w in screen.watched].index(row)
    await pilot.pause()
    return listed


async def rules_changed_by(
    app: WirewatchApp,
    pilot: Pilot,
    *keys: str,
    match: Callable[[RulesChanged], bool] = lambda _: True,
) -> RulesChanged:
    """What the rules screen said it did (saved, muted, removed) once `keys` were pressed."""
    since = seen(app).mark()
    await pilot.press(*keys)
    return await seen(app).wait_for(RulesChanged, match, since)


async def test_a_fired_alert_rings_shows_and_counts_at_the_next_look(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMUX", raising=False)
    config = seed_only_config(tmp_path)
    config.settings.bell = True
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await first_look(app)
        written: list[str] = []
        assert app._driver is not None
        monkeypatch.setattr(app._driver, "write", written.append)
        since = seen(app).mark()
        fired = fire(
            tmp_path / "data",
            {"title": "[b]Tariff[/b] talks stall", "source": "Yonhap", "notify": ("terminal",)},
            {"alert": "APEC", "rule": "config:APEC", "title": "Summit set", "notify": ("bell",)},
        )
        arrived = await seen(app).wait_for(AlertsArrived, since=since)
        # shown at the first look that began after the write, or the one running during it
        looks = [m for m in seen(app).messages[since:] if looked(m)]
        assert len(looks) <= 2
        assert arrived.new.entries == fired
        await pilot.pause()
        assert "".join(written) == terminal_output(fired, True, False).decode()
        assert "\x1b]9;wirewatch: Tariffs: [b]Tariff[/b] talks stall (Yonhap)\x07" in written[0]
        assert written[0].endswith("\x07")  # the bell, for the APEC rule
        assert "2 new alerts" in status_text(app)
        toasts = [(str(n.title), str(n.message)) for n in app._notifications]
        assert ("Alert: Tariffs", "[b]Tariff[/b] talks stall (Yonhap)") in toasts
        assert ("Alert: APEC", "Summit set") in toasts

        await open_alerts(app, pilot)
        shown = screen_text(app)
        assert "[b]Tariff[/b] talks stall" in shown  # feed text, never markup
        assert shown.index("Summit set") < shown.index("talks stall")  # newest first
        assert dash(app).new_alerts == 0  # seen now

        await fire_seen(app, tmp_path / "data", {"title": "While the list is open"})
        await pilot.pause()
        assert "While the list is open" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "new alert" not in status_text(app)  # it was seen in the open list


async def test_without_the_bell_setting_a_bell_rule_rings_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(tmp_path)  # the embedded default: [settings] bell is off
    assert not dash_config_bell(app)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await first_look(app)
        written: list[str] = []
        assert app._driver is not None
        monkeypatch.setattr(app._driver, "write", written.append)
        await fire_seen(app, tmp_path / "data", {"title": "Quietly", "notify": ("bell",)})
        await pilot.pause()
        assert written == []
        assert "1 new alert" in status_text(app)


def dash_config_bell(app: WirewatchApp) -> bool:
    return app.config.settings.bell


async def test_enter_on_an_alert_shows_its_article_even_when_the_filter_hides_it(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        target = dashboard.headlines.ids[-1]
        article = app.session and app.session.get(target)
        assert article is not None
        await first_look(app)
        await fire_seen(app, tmp_path / "data", {"title": article.title, "article": target})
        dashboard.set_filter(f'-"{article.title.split()[0]}" source:nowhere')
        await seen(app).wait_for(QueryDone, lambda m: m.generation == dashboard.generation)
        assert target not in dashboard.headlines.ids
        await open_alerts(app, pilot)
        since = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(QueryDone, lambda m: m.generation == dashboard.generation, since)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert dashboard.query_text == ""
        assert dashboard.headlines.current_id == target
        assert app.focused is dashboard.headlines


async def test_enter_on_an_alert_in_the_stories_shows_its_article_in_its_story(
    tmp_path: Path,
) -> None:
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        dashboard = await settle(app, pilot, want=4)
        await first_look(app)
        await fire_seen(
            app, tmp_path / "data", {"title": "Trump Lowers Tariffs on Korea", "article": "a1"}
        )
        since = seen(app).mark()
        await pilot.press("S")  # the stories, filtered to the one Reuters is not in
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
        dashboard.set_filter("source:NHK")
        await seen(app).wait_for(QueryDone, lambda m: m.generation == dashboard.generation)
        headlines, shelf = dashboard.headlines, dashboard.session.shelf
        assert shelf is not None and headlines.story_rows
        korea = shelf.story_of("a1")
        assert korea is not None and korea not in headlines.ids
        await open_alerts(app, pilot)
        since = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen) and dashboard.query_text == ""
        assert headlines.story_rows and headlines.current_id == korea
        assert dashboard.article_view.article_id == "a1"  # not the story's first report
        # with its story on screen and another row highlighted: no new query, the same
        await pilot.press("home")
        await pilot.pause()
        assert headlines.current_id != korea
        await open_alerts(app, pilot)
        since = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(ArticleView.Loaded, lambda m: m.article_id == "a1", since=since)
        await pilot.pause()
        assert headlines.current_id == korea and dashboard.article_view.article_id == "a1"


async def test_an_article_no_story_holds_yet_shows_in_the_headlines(tmp_path: Path) -> None:
    """Stories read before an article was grouped do not hold it: enter on its alert shows
    it among the articles rather than finding nothing."""
    from fetchers.storyshelf import StoryShelf

    newsroom_data(tmp_path)
    app = make_app(tmp_path, poll=False)  # no cycle reads the stories again meanwhile
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        dashboard = await settle(app, pilot, want=4)
        shelf = dashboard.session.shelf
        assert shelf is not None
        dashboard.session.shelf = StoryShelf([s for s in shelf.stories if "a3" not in s.articles])
        since = seen(app).mark()
        await pilot.press("S")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is not None, since=since)
        await pilot.pause()
        since = seen(app).mark()
        dashboard.show_article("a3")
        await seen(app).wait_for(QueryDone, lambda m: m.shelf is None, since=since)
        await pilot.pause()
        assert not dashboard.headlines.story_rows and dashboard.headlines.current_id == "a3"
        told = [str(n.message) for n in app._notifications]
        said = "That article is in no story yet: the headlines list articles (S for stories)."
        assert said in told


async def test_rules_are_added_edited_muted_and_removed_and_kept(tmp_path: Path) -> None:
    config = seed_only_config(tmp_path)
    config.alerts = [make_rule({"name": "From config", "query": "APEC"}, FROZEN)]
    data = tmp_path / "data"
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await open_rule_form(app, pilot)
        await pilot.pause()
        shot = screen_text(app)  # nothing typed yet: no fault found in it
        assert "a name and a query" in shot and "✗" not in shot
        await type_text(pilot, "Lutnick")
        await pilot.press("tab")
        await type_text(pilot, "Lutnick OR")
        await pilot.pause()
        assert "✗ query: OR needs a term on each side" in screen_text(app)
        await pilot.press("enter")  # refused: nothing saved
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await type_text(pilot, " Bessent")
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "terminal bell")
        await pilot.pause()
        assert "✓ notifies terminal, bell" in screen_text(app)
        await rules_changed_by(app, pilot, "enter", match=lambda m: m.done is not None)
        await pilot.pause()
        (stored,), _ = RuleBook(data).load(FROZEN)
        assert (stored.name, stored.query, stored.notify) == (
            "Lutnick",
            "Lutnick OR Bessent",
            ("terminal", "bell"),
        )
        assert stored.created == FROZEN  # fires for what is fetched from now on
        screen = app.screen
        assert isinstance(screen, AlertsScreen)
        rows = [w.name for w in screen.watched]
        assert rows[:2] == ["From config", "Lutnick"] and "tariff" in rows

        async def act(row: str, *keys: str) -> RulesChanged:
            await highlight(screen, pilot, row)
            return await rules_changed_by(app, pilot, *keys)

        changed = await act("Lutnick", "m")
        assert changed.done == "Muted the alert Lutnick"
        (stored,), muted = RuleBook(data).load(FROZEN)
        assert stored.muted and muted == set()
        await pilot.pause()
        assert "app · muted" in screen_text(app)

        await act("From config", "m")  # a config rule is muted by name
        assert RuleBook(data).load(FROZEN)[1] == {"From config"}

        await pilot.press("e")  # config rules are read-only
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)

        await highlight(screen, pilot, "Lutnick")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "Lutnick")
        await rules_changed_by(app, pilot, "enter")
        (stored,), _ = RuleBook(data).load(FROZEN)
        assert stored.query == "Lutnick" and stored.muted  # an edit keeps it muted

        await highlight(screen, pilot, "Lutnick")
        await pilot.press("d")  # asks to be pressed again: the dashboard's d shows a diff
        await pilot.pause()
        assert [r.name for r in RuleBook(data).load(FROZEN)[0]] == ["Lutnick"]
        told = [str(n.message) for n in app._notifications]
        assert any("Press d again to remove the alert Lutnick" in said for said in told)
        changed = await act("Lutnick", "d")
        assert changed.done == "Removed the alert Lutnick"
        assert RuleBook(data).load(FROZEN)[0] == []

        # a watch term, promoted
        await highlight(screen, pilot, "tariff")
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await rules_changed_by(app, pilot, "enter")
        (promoted,), _ = RuleBook(data).load(FROZEN)
        assert (promoted.name, promoted.query) == ("tariff", '"tariff"')


async def test_a_rule_the_disk_refuses_keeps_its_form_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk as a rule was added: the form closed, what was typed was lost, and the
    toast was a bare "OSError: [Errno 28] ..."; it is said as a file that cannot be written,
    and the form opens again holding every field typed."""
    app = make_app(tmp_path, seed_only_config(tmp_path))

    def refused(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        monkeypatch.setattr("fetchers.alertrules.atomic_write_bytes", refused)
        await open_alerts(app, pilot)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await type_text(pilot, "Tariffs")
        await pilot.press("tab")
        await type_text(pilot, "tariff")
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "terminal bell")
        await pilot.press("tab", "tab", "tab")
        await type_text(pilot, "22:00-07:00")
        await rules_changed_by(app, pilot, "enter")
        await until(pilot, lambda: isinstance(app.screen, RuleForm))
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RuleForm)
        typed = {key: form.query_one(f"#rule-{key}", Input).value for key in RULE_KEYS}
        assert typed == {
            "name": "Tariffs",
            "query": "tariff",
            "notify": "terminal bell",
            "webhook": "",
            "webhook_format": "",
            "quiet": "22:00-07:00",
        }
        said = [str(n.message) for n in app._notifications]
        assert any("alerts.json cannot be written: No space left on device" in s for s in said)
        assert not any("OSError" in s for s in said)
    assert RuleBook(tmp_path / "data").load(FROZEN)[0] == []


async def test_the_filter_in_force_becomes_a_rule(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        dashboard.set_filter("tariff source:Yonhap")
        await open_alerts(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await type_text(pilot, "Yonhap tariffs")
        await rules_changed_by(app, pilot, "enter")
        (rule,), _ = RuleBook(tmp_path / "data").load(FROZEN)
        assert (rule.name, rule.query, rule.notify) == (
            "Yonhap tariffs",
            "tariff source:Yonhap",
            ("terminal",),
        )


async def test_the_velocity_list_counts_mentions_per_hour(tmp_path: Path) -> None:
    app = make_app(tmp_path, hostile=True)  # three articles at FROZEN, one of them "Shouting"
    app.config.watch_terms = ["Shouting", "nowhere-mentioned"]
    async with piloted(app) as pilot:
        await settle(app, pilot, want=3)
        screen = await open_alerts(app, pilot)
        counts = {item.row.name: item.counts for item in screen.items}
        shouting, nowhere = counts["Shouting"], counts["nowhere-mentioned"]
        assert shouting is not None and nowhere is not None
        assert len(shouting) == 48 and shouting[-1] == 1 and sum(shouting) == 1
        assert sum(nowhere) == 0
        assert "1 this hour (spike at 5)" in screen_text(app)


async def test_the_velocity_bars_are_scaled_from_zero(tmp_path: Path) -> None:
    """A steady term (2 mentions every hour) drew all lowest bars, as one never mentioned;
    3 then 4 drew flat, then a full bar; and 1 among 8s drew as nothing."""
    app = make_app(tmp_path, hostile=True)
    app.config.watch_terms = ["Shouting", "nowhere-mentioned"]
    async with piloted(app) as pilot:
        await settle(app, pilot, want=3)
        screen = await open_alerts(app, pilot)
        steady, nowhere = screen.items
        steady.counts, nowhere.counts = [2] * 48, [0] * 48
        wide = RowWidths(46, 48, 120)
        drawn = {
            item.row.name: watched_prompt(item, wide).plain[46:94] for item in (steady, nowhere)
        }
        assert drawn == {"Shouting": "█" * 48, "nowhere-mentioned": "▁" * 48}
        steady.counts = [3] * 24 + [4] * 24
        assert set(watched_prompt(steady, wide).plain[46:70]) == {"▇"}
    assert sparkline([8, 1, 0]) == "█▂▁"  # one mention is never drawn as none


def test_a_row_that_fires_no_spike_says_why_in_place_of_spike() -> None:
    """A muted rule, or one asking the stories (per article only), over its line was
    marked SPIKE on its `!` row, though no spike fires."""
    over = [0] * 47 + [6]
    assert "SPIKE" in str(trend_note(over, "zap"))
    wide = str(trend_note(over, "zap", unfired="per article"))
    assert "SPIKE" not in wide and "6 this hour (spike at 5)  per article" in wide
    narrow = str(trend_note(over, "zap", narrow=True, unfired="muted"))
    assert "SPIKE" not in narrow and narrow.startswith(" muted 6/h")


async def test_the_open_velocity_list_counts_again_as_news_comes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The per-hour counts, and a spike's mark, were those of when the view opened: new
    mentions, and a rule's own spike alert, left them as they were until it was reopened."""
    from fetchers.models import Article
    from tui.screens import alerts as alerts_screen

    monkeypatch.setattr(alerts_screen, "RECOUNT_SECONDS", 0.2)
    app = make_app(tmp_path, hostile=True)  # three articles at FROZEN, one of them "Shouting"
    app.config.watch_terms = ["Shouting"]
    async with piloted(app) as pilot:
        await settle(app, pilot, want=3)
        screen = await open_alerts(app, pilot)
        assert "1 this hour (spike at 5)" in screen_text(app)
        more = [
            Article(id=f"s{n}", source="Wire", title=f"Shouting {n}", published=FROZEN,
                    fetched=FROZEN)
            for n in range(5)
        ]  # fmt: skip
        await asyncio.to_thread(dash(app).session.store.add_batch, more)
        await until(pilot, lambda: "6 this hour (spike at 5)  SPIKE" in screen_text(app))
        assert isinstance(app.screen, type(screen))


async def test_a_viewer_shows_alerts_too_and_enter_on_a_spike_filters_to_its_term(
    tmp_path: Path,
) -> None:
    app = make_app(tmp_path, poll=False)  # a viewer: another process polls and fires
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=0)
        assert not dashboard.writer
        await first_look(app)
        await fire_seen(
            app,
            tmp_path / "data",
            {
                "alert": "tariff",
                "rule": "watch:tariff",
                "kind": "spike",
                "title": "tariff: 7 mentions this hour (usually 0.4 an hour)",
            },
        )
        await pilot.pause()
        assert "1 new alert" in status_text(app)
        await open_alerts(app, pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        assert dashboard.query_text == '"tariff"'


async def test_the_velocity_list_has_the_stories_outlets_share(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beside the rules and watch terms: each story two or more outlets carry, with its
    articles per hour, counted once with the other rows; enter filters the headlines to it,
    and enter on a story's spike to that story (listed or not)."""
    counted: list[int] = []

    def counting(times: list[float], now: datetime, hours: int) -> list[int]:
        counted.append(len(times))
        return hourly_counts(times, now, hours)

    monkeypatch.setattr("fetchers.trends.hourly_counts", counting)
    monkeypatch.setattr("tui.alertdata.hourly_counts", counting, raising=False)
    newsroom_data(tmp_path)
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        await settle(app, pilot, want=4)
        # (arrived before the screen opens: one arriving while it is open counts every row
        # again, for the alert's rule and its spike)
        await fire_seen(
            app,
            tmp_path / "data",
            {
                "alert": "story",
                "rule": "story:s0123456789ab",  # a story no longer among the listed ones
                "kind": "spike",
                "title": "Quake: 6 articles this hour from 2 outlets (usually 0.1 an hour)",
            },
        )
        screen = await open_alerts(app, pilot)
        items = list(screen.items)
        stories = [item for item in items if item.row.kind == "story"]
        assert len(stories) == 1  # the US-Korea deal (3 outlets); the US-Japan one has one
        (story,) = stories
        assert story.counts is not None and sum(story.counts) == 3
        assert len(counted) == len(items)  # every row counted once, the story too
        assert "story · articles an hour" in screen_text(app)
        assert watched_label(story.row).cell_len < 46  # a cell left before its sparkline
        screen.query_one("#alerts-watched", OptionList).focus()
        screen.query_one("#alerts-watched", OptionList).highlighted = items.index(story)
        await pilot.press("enter")
        await settle(app, pilot)
        assert dash(app).query_text == story.row.query == story.row.key
        assert story.row.query.startswith("story:s")
        assert len(dash(app).headlines.ids) == 3
        await open_alerts(app, pilot)
        await pilot.press("enter")  # the spike, newest in the history
        await pilot.pause()
        assert dash(app).query_text == "story:s0123456789ab"


async def test_the_velocity_list_leaves_a_storys_undated_archive_out(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A feed added to the desk with a story's undated archive adds nothing to the story's
    running hour in `!`, as the writer's spike check counts it: the row drew 6 this hour
    and a spike that never fired."""
    where = await asyncio.to_thread(archive_added, tmp_path, feed_server, FROZEN)  # (the CLI
    # runs an event loop of its own)
    app = make_app(tmp_path, load_config(Path(where[1]), FROZEN), poll=False)
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        await settle(app, pilot, want=9)
        screen = await open_alerts(app, pilot)
        (story,) = [item for item in screen.items if item.row.kind == "story"]
        assert story.counts is not None
        assert story.counts[-3:] == [1, 1, 0]  # the wire's two, dated; the archive in none
        assert "SPIKE" not in trend_note(story.counts, story.row.query).plain


async def test_the_rule_form_edits_every_field_the_config_accepts(tmp_path: Path) -> None:
    """The webhook body's format too: set, refused when it is no format, cleared back to
    choosing by the URL."""
    data = tmp_path / "data"
    hook = "https://hooks.example.net/T000/B000"
    RuleBook(data).add(
        {"name": "Hooked", "query": "tariff", "notify": ["webhook"], "webhook": hook}, FROZEN
    )
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        screen = await open_alerts(app, pilot)
        await highlight(screen, pilot, "Hooked")

        async def edit_format(text: str) -> None:
            await pilot.press("e")
            await pilot.pause()
            form = app.screen
            assert isinstance(form, RuleForm)
            assert {i.id for i in form.query(Input)} == {f"rule-{key}" for key in RULE_KEYS}
            form.query_one("#rule-webhook_format", Input).focus()
            await pilot.press("ctrl+u")
            await type_text(pilot, text)
            await pilot.pause()

        await edit_format("teams")
        assert "✗ webhook_format: 'teams' is not one of" in screen_text(app)
        await pilot.press("ctrl+u")
        await type_text(pilot, "ntfy")
        await pilot.pause()
        assert "✓ notifies webhook · webhook body ntfy" in screen_text(app)
        await rules_changed_by(app, pilot, "enter")
        (stored,), _ = RuleBook(data).load(FROZEN)
        assert (stored.webhook, stored.webhook_format) == (hook, "ntfy")

        await pilot.pause()
        await edit_format("")
        assert "✓ notifies webhook · webhook body generic" in screen_text(app)
        await rules_changed_by(app, pilot, "enter")
        (stored,), _ = RuleBook(data).load(FROZEN)
        assert stored.webhook_format is None


async def test_a_webhook_the_writer_could_not_deliver_to_is_shown(
    tmp_path: Path, receiver: Receiver
) -> None:
    """The dashboard that is the writer sends the webhooks; its log reaches no one, so a
    hook that refuses an alert (a mistyped Slack URL) is said on screen, without the URL's
    path, where such URLs keep their secret."""
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await first_look(app)
        desk = dash(app).session.newsroom.alerts
        assert desk is not None
        receiver.statuses = [404]
        since = seen(app).mark()
        desk.sender.submit(receiver.url("/services/T0/B0/s3cr3t"), {"text": "x"})
        arrived = await seen(app).wait_for(AlertsArrived, since=since)
        await pilot.pause()
        assert arrived.new.undelivered == [f"webhook {receiver.base}/… refused the alert: HTTP 404"]
        toasts = [(str(n.title), str(n.message)) for n in app._notifications]
        assert ("Alert not delivered", arrived.new.undelivered[0]) in toasts
        assert not any("s3cr3t" in message for _, message in toasts)


async def test_alerts_a_closing_dashboard_could_not_send_are_said_once_it_closed(
    tmp_path: Path,
) -> None:
    """A dashboard that quit with alerts still queued for a webhook (down, or slow) lost
    them without a word: its close logged the count where no log goes, and the history
    keeps them as fired, never sent again. Once the dashboard has closed, what was left
    unsent is given to be said on the terminal (`cli` prints it), the hook named without
    its secret path."""
    import socket

    with socket.socket() as probe:  # a loopback port nothing listens on: every try fails
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}/hook/s3cr3t"
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await first_look(app)
        desk = dash(app).session.newsroom.alerts
        assert desk is not None
        desk.sender.backoff = 60.0  # the first post waits towards its second try
        for n in range(3):
            desk.sender.submit(dead, {"n": n})
        await until(pilot, lambda: desk.sender.stats.retries >= 1)
    session = app.session
    assert session is not None
    said = session.unsent_alerts(30.0)
    where = dead.rsplit("/", 2)[0]  # the hook's scheme, host and port
    assert said == [
        f"webhook {where}/…: 3 alerts not sent: wirewatch stopped first; its last try: ConnectError"
    ]
    assert not any("s3cr3t" in line for line in said)


async def test_a_long_headline_is_one_line_of_the_alerts_list_and_a_short_toast(
    tmp_path: Path,
) -> None:
    """A feed's 1,000-character headline takes one line of the history, cut with an
    ellipsis, and its notification shows the start of it, not half the screen."""
    app = make_app(tmp_path, seed_only_config(tmp_path))
    long_title = "Tariff " + "verylongword " * 80
    async with piloted(app, (120, 35)) as pilot:
        await settle(app, pilot, want=6)
        await first_look(app)
        await fire_seen(app, tmp_path / "data", {"title": long_title, "source": "Wire"})
        await pilot.pause()
        (toast,) = [str(n.message) for n in app._notifications if "verylongword" in str(n.message)]
        assert len(toast) < 200 and "…" in toast
        await open_alerts(app, pilot)
        lines = [line for line in screen_text(app).splitlines() if "verylongword" in line]
        assert len(lines) == 1 and "…" in lines[0]


async def test_at_sixty_columns_the_alerts_show_their_headlines_and_whole_counts(
    tmp_path: Path,
) -> None:
    """At 60 columns the history's columns took 57 cells (no headline showed) and a count
    after the sparkline was cut inside its number ("47" drawn "4"), SPIKE out of sight."""
    app = make_app(tmp_path, hostile=True)
    app.config.watch_terms = ["Shouting"]
    async with piloted(app, (60, 24)) as pilot:
        await settle(app, pilot, want=3)
        await first_look(app)
        await fire_seen(
            app, tmp_path / "data", {"title": "Ports reopen after the storm", "source": "Wire"}
        )
        screen = await open_alerts(app, pilot)
        for _ in range(50):
            if all(item.counts is not None for item in screen.items):
                break
            await pilot.pause(0.05)
        await pilot.pause(0.1)
        shown = screen_text(app)
        assert "Ports reopen" in shown
        assert "1/h, spike 5" in shown
        await pilot.resize_terminal(160, 40)  # and back: the wide columns
        await pilot.pause(0.3)
        assert "1 this hour (spike at 5)" in screen_text(app)


async def test_at_forty_columns_an_alert_shows_its_headline_under_its_rule(
    tmp_path: Path,
) -> None:
    """At 40 columns a history row's time, rule and source took 39 cells: no headline."""
    app = make_app(tmp_path, hostile=True)
    async with piloted(app, (40, 20)) as pilot:
        await settle(app, pilot, want=3)
        await first_look(app)
        await fire_seen(
            app, tmp_path / "data", {"title": "Ports reopen after the storm", "source": "Wire"}
        )
        await open_alerts(app, pilot)
        await until(pilot, lambda: "Ports reopen after" in screen_text(app))
        lines = screen_text(app).splitlines()
        (at,) = [n for n, line in enumerate(lines) if "Ports reopen after" in line]
        assert "Wire" in lines[at - 1]
        # a count whole beside its rule, once counted
        await until(pilot, lambda: "0/h, spike 5" in screen_text(app))
        await pilot.resize_terminal(160, 40)  # and back: one line a row
        await until(
            pilot,
            lambda: any(
                "Wire" in line and "Ports reopen" in line for line in screen_text(app).splitlines()
            ),
        )


async def test_at_120_columns_a_spike_shows_its_line_and_at_80_a_muted_rule_says_so(
    tmp_path: Path,
) -> None:
    """At 120 columns the counts in words had no room after the sparkline: a row read
    "6 this hour (spike at", the line and SPIKE cut off. At 80 a muted rule showed its name
    alone, as any other did."""
    data = tmp_path / "data"
    with Store(data, writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=f"s{n}", source="Wire", title=f"Shouting {n}", summary="",
                    fetched=FROZEN, published=FROZEN,
                )
                for n in range(7)
            ]
        )  # fmt: skip
    book = RuleBook(data)
    book.set_muted(book.add({"name": "Lutnick", "query": "Lutnick"}, FROZEN), True)
    book.add({"name": "Quake", "query": "earthquake OR quake OR tsunami"}, FROZEN)
    app = make_app(tmp_path)
    app.config.watch_terms = ["Shouting"]
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot)
        screen = await open_alerts(app, pilot)
        await until(pilot, lambda: all(i.counts is not None for i in screen.items))
        await until(pilot, lambda: "SPIKE 7/h, spike 5" in screen_text(app))
        # a query longer than its room is cut with an ellipsis, on its one line (it wrapped
        # at a space onto a second line the row has no room for: "earthquake" was not seen)
        (quake,) = [line for line in screen_text(app).splitlines() if "Quake " in line]
        assert "0/h, spike 5  earthq" in quake and "…" in quake
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: "Lutnick muted" in screen_text(app))
        await pilot.resize_terminal(160, 40)  # and back: the counts in words, and what it is
        await until(pilot, lambda: "7 this hour (spike at 5)  SPIKE" in screen_text(app))
        assert "app · muted" in screen_text(app)


async def test_a_storys_row_over_its_line_from_one_outlet_says_so_not_spike(
    tmp_path: Path,
) -> None:
    """Reuters and AP carried a story this morning, then Yonhap wrote seven articles this
    hour (a live page): the writer fires nothing for one outlet's run, but its row in `!`
    drew SPIKE. It says "one outlet" in that place."""
    data = tmp_path / "data"
    dated = [("Reuters", FROZEN - timedelta(hours=2)), ("AP", FROZEN - timedelta(hours=1))]
    dated += [("Yonhap", FROZEN)] * 7
    with Store(data, writer=True) as store:
        ids = store.add_batch(
            [
                Article(
                    id=f"d{n}", source=source, title="Trade deal signed", summary="",
                    fetched=when, published=when,
                )
                for n, (source, when) in enumerate(dated)
            ]
        )  # fmt: skip
    body = {"format": 1, "stories": {"s0123456789ab": ids}}
    (data / "stories.json").write_text(json.dumps(body))
    app = make_app(tmp_path, poll=False)
    async with piloted(app) as pilot:
        await seen(app).wait_for(StoriesRead)
        await settle(app, pilot, want=9)
        screen = await open_alerts(app, pilot)
        await until(pilot, lambda: all(i.counts is not None for i in screen.items))
        (story,) = [item for item in screen.items if item.row.kind == "story"]
        await until(pilot, lambda: "7 this hour (spike at 5)  one outlet" in screen_text(app))
        assert "SPIKE" not in screen_text(app)
        assert story.counts is not None and story.counts[-1] == 7


async def test_a_query_pasted_on_several_lines_into_the_rule_form_is_kept_whole(
    tmp_path: Path,
) -> None:
    """The rule form kept a paste's first line: "Lutnick OR" and "Bessent" on two lines were
    the query "Lutnick OR", refused, or a narrower rule than the one pasted. Line breaks are
    spaces, as the command line and the `/` prompt read them."""
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        await open_rule_form(app, pilot)
        await type_text(pilot, "Lutnick")
        app.screen.query_one("#rule-query", Input).post_message(
            events.Paste("Lutnick OR\r\nBessent\t-tariff\n")
        )
        await pilot.pause()
        assert app.screen.query_one("#rule-query", Input).value == "Lutnick OR Bessent -tariff"
        assert "✓ notifies" in screen_text(app)


def _feed_config(tmp_path: Path, *names: str, more: str = "") -> Path:
    """A config file of these sources, each a file of one headline, then `more`."""
    text = ""
    for n, name in enumerate(names):
        feed = tmp_path / f"feed{n}.xml"
        feed.write_bytes(rss(f"<title>Tariff talks {n}</title><guid>t-{n}</guid>"))
        text += f'[[sources]]\nname = "{name}"\npath = "{feed}"\n'
    return write_config(tmp_path / "wirewatch.toml", text + more)


def _row(app: WirewatchApp, name: str) -> str:
    (line,) = [line for line in screen_text(app).splitlines() if f"{name} " in line]
    return line


async def test_the_open_alerts_screen_follows_the_rules_the_config_file_gives(
    tmp_path: Path,
) -> None:
    """A rule added to the config file while `!` was open was not listed, however long one
    waited (the screen kept the rules it opened with, and `m` acted on those), and the form
    took its name as free: saved, and only then told that both rules fire. The list follows
    the file, the highlighted rule stays so, and the form says the name is taken, as typed
    or as it looks ("ZETA")."""
    data = tmp_path / "data"
    path = _feed_config(tmp_path, "Wire")
    RuleBook(data).add({"name": "Beta", "query": "beta"}, FROZEN)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=1)
        await seen(app).wait_for(PollerReady)
        screen = await open_alerts(app, pilot)
        listed = await highlight(screen, pilot, "Beta")
        await type_new_rule(pilot, "Zeta", "zeta")
        assert "✓ notifies terminal" in screen_text(app)
        since = seen(app).mark()
        with path.open("a", encoding="utf-8") as config:
            config.write('[[alerts]]\nname = "Zeta"\nquery = "zeta"\n')
        await seen(app).wait_for(ConfigReread, since=since)
        await seen(app).wait_for(RulesChanged, since=since)
        await pilot.pause()
        assert "✗ name: another rule is called Zeta" in screen_text(app)
        await pilot.press("enter")  # refused: nothing saved
        await pilot.pause()
        assert isinstance(app.screen, RuleForm)
        await pilot.press("escape")
        await pilot.pause()
        assert [w.name for w in screen.watched][:2] == ["Zeta", "Beta"]
        assert "config · terminal" in _row(app, "Zeta")
        assert listed.highlighted is not None
        assert screen.items[listed.highlighted].row.name == "Beta"
        changed = await rules_changed_by(app, pilot, "m")
        assert changed.done == "Muted the alert Beta"
        await type_new_rule(pilot, "ZETA", "zeta")
        assert "✗ name: another rule is called Zeta (alike but for case" in screen_text(app)
    assert [rule.name for rule in RuleBook(data).load(FROZEN)[0]] == ["Beta"]


async def test_a_rule_whose_source_is_no_source_says_so_and_the_source_meant(
    tmp_path: Path,
) -> None:
    """A rule on `source:"Live Tow"` of the sources "Live One" and "Live Two" fires for
    nothing: `poll` logged it, the dashboard never said it. Its row says so, with the
    source it may have meant, and its toast says it whole."""
    rules = (
        '[[alerts]]\nname = "Typo source"\nquery = \'tariff source:"Live Tow"\'\n'
        '[[alerts]]\nname = "Right source"\nquery = \'tariff source:"Live Two"\'\n'
    )
    path = _feed_config(tmp_path, "Live One", "Live Two", more=rules)
    app = make_app(tmp_path, load_config(path, FROZEN))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=2)
        await open_alerts(app, pilot)
        await pilot.pause()
        said = "✗ no source 'live tow': did you mean source:\"Live Two\"?"
        assert said in _row(app, "Typo source")
        assert "✗" not in _row(app, "Right source")
        told = [str(n.message) for n in app._notifications]
        assert (
            "alert rule 'Typo source': no source named 'live tow' in the config; it fires for no"
            ' new article (did you mean source:"Live Two"?)'
        ) in told


async def test_a_stored_rule_that_no_longer_checks_can_be_mended_or_removed(
    tmp_path: Path,
) -> None:
    """A rule alerts.json keeps that no longer checks (a `*` an older wirewatch took) was
    gone from `!` but for a toast: it could be neither edited nor removed, and its name was
    free again (adding it made a second one). It is listed, marked as not checking with
    why; its name stays taken; `e` mends it, `d` removes it; the file keeps it meanwhile."""
    data = tmp_path / "data"
    data.mkdir()
    written = {
        "id": "abc123", "name": "Old wildcard", "query": "tariff*", "notify": ["terminal"],
        "webhook": None, "webhook_format": None, "quiet": None, "muted": False,
        "created": "2025-10-24T06:15:00Z",
    }  # fmt: skip
    other = {**written, "id": "def456", "name": "Old quiet", "query": "tariff", "quiet": "25:00"}
    (data / "alerts.json").write_text(json.dumps({"rules": [written, other], "muted": []}))
    app = make_app(tmp_path, seed_only_config(tmp_path))
    async with piloted(app) as pilot:
        await settle(app, pilot, want=6)
        screen = await open_alerts(app, pilot)
        await pilot.pause()
        row = _row(app, "Old wildcard")
        assert "app · not checking" in row and "✗ not checking: query: tariff* at col" in row
        assert "✗ not checking: quiet: '25:00'" in _row(app, "Old quiet")
        await type_new_rule(pilot, "Old wildcard", "tariff")
        assert "✗ name: another rule is called Old wildcard" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()

        await highlight(screen, pilot, "Old wildcard")
        await pilot.press("e")
        await pilot.pause()
        form = app.screen
        assert isinstance(form, RuleForm)
        assert form.query_one("#rule-query", Input).value == "tariff*"
        assert "✗ query: tariff* at column 1" in screen_text(app)
        form.query_one("#rule-query", Input).focus()
        await pilot.press("ctrl+u")
        await type_text(pilot, "tariff")
        changed = await rules_changed_by(app, pilot, "enter")
        assert changed.done == "Saved the alert Old wildcard"
        await pilot.pause()
        assert "✗" not in _row(app, "Old wildcard")
        kept = json.loads((data / "alerts.json").read_text())["rules"]
        assert kept[1] == other  # (not checking: written back as it was)
        (mended,), _ = RuleBook(data).load(FROZEN)
        assert (mended.ident, mended.query) == ("abc123", "tariff")

        await highlight(screen, pilot, "Old quiet")
        changed = await rules_changed_by(app, pilot, "d", "d")
        assert changed.done == "Removed the alert Old quiet"
    assert [r["id"] for r in json.loads((data / "alerts.json").read_text())["rules"]] == ["abc123"]


def two_hundred_rules() -> list[AlertRule]:
    """A desk's rules: 200, each a word no article has."""
    return [make_rule({"name": f"Rule {n:03}", "query": f"nowhere{n}"}, FROZEN) for n in range(200)]


async def rules_focused(tmp_path: Path, app: WirewatchApp, pilot: Pilot) -> AlertsScreen:
    """`!` on a desk of 200 rules, `tab` to its list of rules."""
    await settle(app, pilot)
    screen = await open_alerts(app, pilot)
    await pilot.press("tab")
    await pilot.pause()
    return screen


async def test_moving_in_200_rules_lays_nothing_out_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each `j` among 200 rules (a widget of four a row) laid the whole screen out again,
    0.19 CPU-s a move: keys typed ahead landed late, an `e` on another rule."""
    app = make_app(tmp_path)
    app.config.alerts = two_hundred_rules()
    async with piloted(app) as pilot:
        screen = await rules_focused(tmp_path, app, pilot)
        laid_out: list[int] = []
        arrange = Compositor._arrange_root

        def counted(self: Compositor, *args: Any, **kwargs: Any) -> Any:
            laid_out.append(1)
            return arrange(self, *args, **kwargs)

        monkeypatch.setattr(Compositor, "_arrange_root", counted)
        for _ in range(30):
            await pilot.press("j")
        await pilot.pause()
        row = screen._current()
        assert row is not None and row.name == "Rule 030"
        assert "Rule 030" in screen_text(app)
        assert len(laid_out) <= 3  # (was one at least for each of the 30 moves)


async def test_pagedown_and_g_move_the_row_the_keys_act_on(tmp_path: Path) -> None:
    """`pagedown` scrolled the rules but left the highlight on a row scrolled away, and `m`
    muted that row unseen; there was no `g`/`G`/`home`/`end`."""
    app = make_app(tmp_path)
    app.config.alerts = two_hundred_rules()
    async with piloted(app) as pilot:
        screen = await rules_focused(tmp_path, app, pilot)
        await pilot.press("pagedown")
        await pilot.pause()
        row = screen._current()
        assert row is not None and row.name != "Rule 000"
        shown = screen_text(app)
        assert row.name in shown and "Rule 000" not in shown
        changed = await rules_changed_by(app, pilot, "m")
        assert changed.done == f"Muted the alert {row.name}"
        await pilot.press("G")
        await pilot.pause()
        assert screen._current() == screen.watched[-1]
        await pilot.press("g")
        await pilot.pause()
        assert screen._current() == screen.watched[0]
        await pilot.press("end")
        await pilot.pause()
        assert screen._current() == screen.watched[-1]


async def test_a_mute_among_200_rules_draws_that_row_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`m` cleared the list and made its 204 rows anew (15.9 s to show "Muted")."""
    app = make_app(tmp_path)
    app.config.alerts = two_hundred_rules()
    async with piloted(app) as pilot:
        await rules_focused(tmp_path, app, pilot)
        for _ in range(5):
            await pilot.press("j")
        await pilot.pause()
        made: list[str] = []
        init = Widget.__init__

        def counted(self: Widget, *args: Any, **kwargs: Any) -> None:
            made.append(type(self).__name__)
            init(self, *args, **kwargs)

        monkeypatch.setattr(Widget, "__init__", counted)
        changed = await rules_changed_by(app, pilot, "m")
        await pilot.pause()
        monkeypatch.undo()
        assert changed.done == "Muted the alert Rule 005"
        assert "config · muted" in _row(app, "Rule 005")
        assert "config · terminal" in _row(app, "Rule 004")
        assert len(made) < 20, made  # a toast's few (was every row's five widgets)


async def test_the_history_reaches_a_rules_alerts_past_the_newest_500(tmp_path: Path) -> None:
    """The newest 500 of a busy cycle were a few rules' and the others' latest alerts could
    not be reached: `h` on a rule lists its alerts alone, again every rule's."""
    app = make_app(tmp_path)
    app.config.alerts = two_hundred_rules()
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    quiet = [{"alert": "Rule 007", "rule": "config:Rule 007", "title": f"Q{n}"} for n in range(3)]
    loud = [{"alert": "Rule 150", "rule": "config:Rule 150", "title": f"L{n}"} for n in range(600)]
    fire(data, *quiet, *loud)
    async with piloted(app) as pilot:
        screen = await rules_focused(tmp_path, app, pilot)
        assert all(entry.alert == "Rule 150" for entry in screen.entries)
        for _ in range(7):
            await pilot.press("j")
        await pilot.press("h")
        await until(pilot, lambda: screen.narrowed == "config:Rule 007")
        await pilot.pause()
        shown = screen_text(app)
        assert "Alerts fired for Rule 007" in shown and "Q2" in shown
        assert [entry.title for entry in screen.entries] == ["Q2", "Q1", "Q0"]
        await pilot.press("h")  # (the history focused, on a Rule 007 alert): every rule's
        await until(pilot, lambda: screen.narrowed is None)
        assert len(screen.entries) == 500 and "the newest 500 of 603" in screen_text(app)


class _Reported:
    """A store that knows only when its articles were first reported."""

    def __init__(self, times: dict[str, float]) -> None:
        self.times = times

    def reported(self, ids: Any) -> list[tuple[str, float]]:
        return [(i, self.times[i]) for i in ids if i in self.times]


def test_a_cycles_alerts_are_listed_by_their_articles_time() -> None:
    """A cycle keeps its alerts rule after rule, so the newest 500 were the last rules'."""
    at = FROZEN
    entries = [  # newest first, as the history gives them: rule B's, then rule A's
        AlertEntry(6 - n, alert, f"config:{alert}", "match", art, art, None, at)
        for n, (alert, art) in enumerate(
            [("B", "b3"), ("B", "b2"), ("B", "b1"), ("A", "a3"), ("A", "a2"), ("A", "a1")]
        )
    ]
    older = AlertEntry(0, "A", "config:A", "match", "a0", "a0", None, at - timedelta(hours=1))
    times = {"a3": 30.0, "b3": 29.0, "a2": 20.0, "b2": 19.0, "a1": 10.0, "b1": 9.0, "a0": 99.0}
    mixed = newest_mixed([*entries, older], _Reported(times), 4)  # type: ignore[arg-type]
    assert [entry.article for entry in mixed] == ["a3", "b3", "a2", "b2"]
    everything = newest_mixed([*entries, older], _Reported(times), 10)  # type: ignore[arg-type]
    assert everything[-1] is older  # an older cycle stays after, whatever its times


async def test_the_open_history_keeps_the_newest_500_as_alerts_come(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`!` left open grew past 500 ("1,400 of 50,900") while the history held 50,000."""
    monkeypatch.setattr("fetchers.alerthistory.MAX_ENTRIES", 700)
    monkeypatch.setattr("tui.screens.alerts.MAX_ENTRIES", 700, raising=False)
    app = make_app(tmp_path)
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    fire(data, *[{"title": f"Early {n}"} for n in range(400)])
    async with piloted(app) as pilot:
        await first_look(app)
        await settle(app, pilot)
        screen = await open_alerts(app, pilot)
        assert "the newest 400" not in screen_text(app) and len(screen.entries) == 400
        await fire_seen(app, data, *[{"title": f"Late {n}"} for n in range(600)])
        await pilot.pause()
        assert len(screen.entries) == 500
        assert screen.entries[0].title == "Late 599"
        assert "the newest 500 of 700" in screen_text(app)


async def test_a_rule_named_with_brackets_is_shown_as_written_in_the_history_title(
    tmp_path: Path,
) -> None:
    """`h` on a rule puts its name (or a story's headline) in the history's title: "[/]" in
    it stopped the dashboard (a markup error) and "Tariffs [KR]" lost its "[KR]"."""
    app = make_app(tmp_path)
    app.config.alerts = [
        make_rule({"name": "Korea [/] tariffs", "query": "nowhere1"}, FROZEN),
        make_rule({"name": "Tariffs [KR]", "query": "nowhere2"}, FROZEN),
    ]
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    fire(
        data,
        {"alert": "Korea [/] tariffs", "rule": "config:Korea [/] tariffs", "title": "[/b] A1"},
        {"alert": "Tariffs [KR]", "rule": "config:Tariffs [KR]", "title": "[Video] B1"},
    )
    async with piloted(app) as pilot:
        screen = await rules_focused(tmp_path, app, pilot)
        await pilot.press("h")
        await until(pilot, lambda: screen.narrowed == "config:Korea [/] tariffs")
        await pilot.pause()
        assert app.is_running
        shown = screen_text(app)
        assert "Alerts fired for Korea [/] tariffs" in shown and "[/b] A1" in shown
        await pilot.press("h")
        await until(pilot, lambda: screen.narrowed is None)
        await pilot.press("tab", "j", "h")
        await until(pilot, lambda: screen.narrowed == "config:Tariffs [KR]")
        await pilot.pause()
        shown = screen_text(app)
        assert "Alerts fired for Tariffs [KR]" in shown and "[Video] B1" in shown


async def test_a_click_on_a_rule_highlights_it_for_the_keys_and_a_second_filters(
    tmp_path: Path,
) -> None:
    """One click on a rule filtered to its query and closed `!`: no rule could be picked
    with the mouse for `h` (its alerts), `m` or `e`. It highlights, as in the headlines."""
    app = make_app(tmp_path)
    app.config.alerts = two_hundred_rules()
    data = tmp_path / "data"
    data.mkdir(parents=True, exist_ok=True)
    fire(data, {"alert": "Rule 003", "rule": "config:Rule 003", "title": "Q0"})
    async with piloted(app) as pilot:
        screen = await rules_focused(tmp_path, app, pilot)
        listed = screen.query_one("#alerts-watched", OptionList)
        region = listed.content_region
        await pilot.click(offset=(region.x + 4, region.y + 3))
        await pilot.pause()
        assert app.screen is screen and listed.highlighted == 3
        await pilot.press("h")
        await until(pilot, lambda: screen.narrowed == "config:Rule 003")
        assert [entry.title for entry in screen.entries] == ["Q0"]
        await pilot.press("h")
        await until(pilot, lambda: screen.narrowed is None)
        await pilot.click(offset=(region.x + 4, region.y + 3), times=2)  # a double-click
        await until(pilot, lambda: app.screen is not screen)
        assert dash(app).query_text == "nowhere3"
