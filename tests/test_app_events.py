"""Events: the countdown pane, the events list, the form, suggestions and alerts."""

from __future__ import annotations

import errno
import json
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from fetchers.config import load_config, seeds_dir
from fetchers.events import EventBook
from fetchers.models import Event
from tests.conftest import (
    FROZEN,
    dash,
    make_app,
    many_events_app,
    piloted,
    screen_text,
    seed_only_config,
    seen,
    send_in_one_read,
    settle,
    until,
)
from tui.cli import main
from tui.confirm import AGAIN_WITHIN, PressedTwice
from tui.format import time_left
from tui.messages import EventsLoaded, QueryDone
from tui.screens import events as events_screen
from tui.screens.events import EventForm, EventsScreen


async def type_text(pilot, text: str) -> None:
    for ch in text:
        await pilot.press("space" if ch == " " else ch)


async def open_add_form(app: App[None], pilot: Pilot[None]) -> None:
    """`e`, then `a`: the form to add an event."""
    await pilot.press("e")
    await pilot.pause(0.2)
    await pilot.press("a")
    await pilot.pause(0.2)
    assert isinstance(app.screen, EventForm)


async def test_add_edit_and_remove_an_event(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("a")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        await type_text(pilot, "Tariff deadline")
        await pilot.press("tab")
        await type_text(pilot, "03/11/2025 9am")  # reads two ways: refused, nothing saved
        await pilot.pause(0.1)
        assert "reads two ways" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, EventForm)
        for _ in range(len("03/11/2025 9am")):
            await pilot.press("backspace")
        await type_text(pilot, "Nov 1, 2025 9am KST")
        await pilot.pause(0.1)
        assert "Sat 2025-11-01 09:00 KST" in screen_text(app)
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Added Tariff deadline")
        await settle(app, pilot)
        (stored,) = EventBook(tmp_path / "data").load()
        assert stored.name == "Tariff deadline"
        assert stored.when == datetime(2025, 11, 1, 0, 0, tzinfo=UTC)
        assert "Tariff deadline" in screen_text(app)  # in the countdown pane
        assert "T-7d 16:00:00" in screen_text(app)

        # config events are read-only
        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("d")  # the first: the Trump–Lee summit, from the config
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventsScreen)
        assert len(dash(app).events) == 3

        # edit the stored one (third in the list)
        await pilot.press("down", "down", "e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        await pilot.press("tab")
        await pilot.press("ctrl+u")
        await type_text(pilot, "Nov 2, 2025 9am KST")
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Saved Tariff deadline")
        (edited,) = EventBook(tmp_path / "data").load()
        assert edited.ident == stored.ident
        assert edited.when == datetime(2025, 11, 2, 0, 0, tzinfo=UTC)

        # and remove it: d asks to be pressed again (on the dashboard it shows a diff)
        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("down", "down", "d")
        await pilot.pause(0.2)
        assert (
            isinstance(app.screen, EventsScreen) and len(EventBook(tmp_path / "data").load()) == 1
        )
        assert any(
            "Press d again to remove Tariff deadline" in str(n.message) for n in app._notifications
        )
        await pilot.press("d")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Removed Tariff deadline")
        await pilot.pause()
        assert EventBook(tmp_path / "data").load() == []
        assert "Tariff deadline" not in screen_text(app)


async def test_the_event_form_reads_a_time_from_when_it_is_saved(tmp_path: Path) -> None:
    """ "in 1 minute" typed in a form opened a while before was read from when the form
    opened: the event was saved in the past, and started at once."""
    from tui.app import WirewatchApp

    now = [FROZEN]
    app = WirewatchApp(seed_only_config(tmp_path), tmp_path / "data", clock=lambda: now[0])
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await open_add_form(app, pilot)
        now[0] = FROZEN + timedelta(minutes=75)  # the form left open an hour and a quarter
        await type_text(pilot, "Clock test")
        await pilot.press("tab")
        await type_text(pilot, "in 1 minute")
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Added Clock test")
    (stored,) = EventBook(tmp_path / "data").load()
    assert stored.when == FROZEN + timedelta(minutes=76)


async def test_an_event_that_cannot_be_saved_opens_its_form_again_with_what_was_typed(
    tmp_path: Path,
) -> None:
    """events.json half saved by a hand edit as an event was added: the form closed and
    what was typed was lost; it is said, and the form opens again holding it."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await open_add_form(app, pilot)
        await type_text(pilot, "Tariff deadline")
        await pilot.press("tab")
        await type_text(pilot, "Nov 1, 2025 9am KST")
        (tmp_path / "data" / "events.json").write_text('{"events": [')
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.query_one("#ev-name", Input).value == "Tariff deadline"
        assert form.query_one("#ev-when", Input).value == "Nov 1, 2025 9am KST"
        assert any("Not saved" in str(n.message) for n in app._notifications)


async def test_an_event_the_disk_refuses_keeps_its_form_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk as an event was added: the form closed, what was typed was lost, and the
    toast was a bare "OSError: [Errno 28] ..."; it is said as a file that cannot be written,
    and the form opens again holding every field typed."""
    app = make_app(tmp_path)

    def refused(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        monkeypatch.setattr("fetchers.events.atomic_write_bytes", refused)
        await open_add_form(app, pilot)
        await type_text(pilot, "Tariff deadline")
        await pilot.press("tab")
        await type_text(pilot, "in 2 days")
        await pilot.press("tab")
        await type_text(pilot, "Asia/Seoul")
        await pilot.press("enter")
        await until(pilot, lambda: any("Not saved" in str(n.message) for n in app._notifications))
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.query_one("#ev-name", Input).value == "Tariff deadline"
        assert form.query_one("#ev-when", Input).value == "in 2 days"
        assert form.query_one("#ev-tz", Input).value == "Asia/Seoul"
        said = [str(n.message) for n in app._notifications]
        assert any("events.json cannot be written: No space left on device" in s for s in said)
        assert not any("OSError" in s for s in said)
    assert not (tmp_path / "data" / "events.json").exists()


async def test_an_alert_fires_when_a_threshold_is_crossed(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    summit = app.config.events[0]  # Trump–Lee summit, 2025-10-29 05:00 UTC
    assert summit.when is not None
    clock = {"now": summit.when - timedelta(hours=1, seconds=3)}  # the app starts here
    app.clock = lambda: clock["now"]
    app.config.settings.bell = True
    rings: list[int] = []
    app.bell = lambda: rings.append(1)  # type: ignore[method-assign]
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        checks = dash(app).alerts._last  # what each check (once a second) saw last
        await until(pilot, lambda: bool(checks))  # at least one before the hour is crossed
        assert not rings
        clock["now"] = summit.when - timedelta(minutes=59, seconds=58)

        def said() -> list[str]:
            return [str(n.message) for n in app._notifications if n.title == "Countdown"]

        await until(pilot, lambda: bool(said()))
        await pilot.pause(1.2)  # (and no second notice of it at the next check)
        assert said() == ["Trump–Lee summit, Gyeongju starts in 1 hour"]
        assert rings == [1]


async def test_events_another_dashboard_changes_reach_this_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An event added, then removed, in another dashboard on the data dir (or another host on
    a shared store) reached this one only when it changed an event itself: it counted down
    to a removed one, and editing it said it was gone."""
    from tui.screens import dashboard as dashboard_module

    monkeypatch.setattr(dashboard_module, "EVENTS_LOOK", 0.1)
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        since = seen(app).mark()
        other = EventBook(tmp_path / "data")  # the other dashboard's
        added = other.add(
            Event(name="Vote count", when=FROZEN + timedelta(hours=2), tz="UTC", raw_when="2h")
        )
        await seen(app).wait_for(
            EventsLoaded, lambda m: "Vote count" in [e.name for e in m.events], since=since
        )
        await pilot.pause()
        assert "Vote count" in [e.name for e in dash(app).events]
        assert "Vote count" in screen_text(app)
        since = seen(app).mark()
        other.remove(added.ident)
        await seen(app).wait_for(
            EventsLoaded, lambda m: "Vote count" not in [e.name for e in m.events], since=since
        )
        await pilot.pause()
        assert "Vote count" not in screen_text(app)


async def test_events_that_cannot_be_read_for_a_while_stay_counted_down_to(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database restarted (or an events file broken for a moment): the countdown said "No
    events" until they could be read again. The events read last stay, and what is wrong
    is said."""
    from tui.screens import dashboard as dashboard_module

    monkeypatch.setattr(dashboard_module, "EVENTS_LOOK", 0.1)
    EventBook(tmp_path / "data").add(
        Event(name="Vote count", when=FROZEN + timedelta(hours=2), tz="UTC", raw_when="2h")
    )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await until(pilot, lambda: "Vote count" in screen_text(app))
        since = seen(app).mark()
        (tmp_path / "data" / "events.json").write_text("{not json")
        await seen(app).wait_for(EventsLoaded, lambda m: m.problem is not None, since=since)
        await pilot.pause()
        assert "Vote count" in [e.name for e in dash(app).events]
        assert "Vote count" in screen_text(app)


async def test_the_event_form_refuses_a_query_that_does_not_read(tmp_path: Path) -> None:
    """A config's event query that does not parse stops at load; the form saved one without
    a word, and the event's headlines were never counted."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await open_add_form(app, pilot)
        await type_text(pilot, "Vote")
        await pilot.press("tab")
        await type_text(pilot, "Nov 1, 2025 9am KST")
        await pilot.press("tab", "tab")
        await type_text(pilot, '"unterminated')
        await pilot.pause(0.1)
        assert "✗ query:" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, EventForm)
        assert EventBook(tmp_path / "data").load() == []


def test_a_stored_event_whose_query_is_no_text_is_listed_with_what_is_wrong(
    tmp_path: Path, capsys
) -> None:
    """events.json edited by hand to a number as the query: the dashboard stopped with a
    TypeError when the event was picked. The event is listed with what is wrong with it."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.json").write_text(
        '{"events": [{"id": "a1", "name": "NumQuery", "when": "2030-01-01T00:00:00Z",'
        ' "tz": "UTC", "query": 5}]}'
    )
    (event,) = EventBook(data).load()
    assert event.query is None and event.error == "stored query 5 is not text"
    code = main(["--data-dir", str(data), "--now", FROZEN.isoformat(), "events", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and {"name": "NumQuery", "error": "stored query 5 is not text"} in lines


def test_cli_lists_stored_events_with_config_ones(tmp_path: Path, capsys) -> None:
    data = tmp_path / "data"
    EventBook(data).add(
        Event(
            name="Stored one",
            when=datetime(2025, 11, 1, tzinfo=UTC),
            tz="Asia/Seoul",
            raw_when="Nov 1, 2025 9am KST",
        )
    )
    code = main(["--data-dir", str(data), "--now", FROZEN.isoformat(), "events", "--json"])
    out = capsys.readouterr().out
    assert code == 0
    names = [json.loads(line)["name"] for line in out.splitlines()]
    assert names == [
        "Trump–Lee summit, Gyeongju",
        "APEC Economic Leaders' Meeting, Gyeongju",
        "Stored one",
    ]


async def test_c_fills_the_event_form_from_the_article(tmp_path: Path) -> None:
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    for source in config.sources:
        source.enabled = source.path is not None
    config.events = []  # nothing counted down to yet: the story suggests two countdowns
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("g")  # the seed story, listed first
        await settle(app, pilot)
        shot = screen_text(app)
        assert "Suggested countdown: Asia-Pacific Economic Cooperation summit" in shot
        assert "(press c to add it)" in shot
        assert EventBook(tmp_path / "data").load() == []  # nothing added without the user
        await pilot.press("c")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done is not None)
        (added,) = EventBook(tmp_path / "data").load()
        assert added.name == "Asia-Pacific Economic Cooperation summit"
        assert added.when == datetime(2025, 10, 26, 15, 0, tzinfo=UTC)


async def test_an_event_in_the_local_zone_can_be_edited(tmp_path: Path) -> None:
    EventBook(tmp_path / "data").add(
        Event(
            name="Local one",
            when=datetime(2025, 11, 1, tzinfo=UTC),
            tz="local",
            raw_when="2025-11-01 00:00",
        )
    )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("down", "down", "e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        shot = screen_text(app)
        assert "unknown time zone" not in shot and "→ Sat 2025-11-01" in shot


def test_a_hand_edited_events_file_is_read_without_crashing(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.json").write_text(
        json.dumps(
            {
                "events": [
                    {"id": "a", "name": "Bad time", "when": "next-ish"},
                    {"id": "b", "name": "Number time", "when": 12},
                    {"id": "c", "name": "Good", "when": "2025-11-01T00:00:00Z", "tz": "UTC"},
                    {"id": "d", "name": "No offset", "when": "2026-12-24T09:00:00"},
                    {"id": "e", "name": "Too far", "when": "9999-12-31T23:59:00Z"},
                ]
            }
        )
    )
    bad, number, good, naive, far = EventBook(data).load()
    # a time without an offset, or one no zone can show, is the event's error (the events
    # command and the dashboard subtracted it from an aware time, or overflowed showing it)
    assert naive.when is None and "cannot be read" in (naive.error or "")
    assert far.when is None and far.error
    assert main(["--data-dir", str(data), "events"]) == 0
    assert bad.when is None and "'next-ish' cannot be read" in (bad.error or "")
    assert number.when is None and number.error
    assert good.when == datetime(2025, 11, 1, tzinfo=UTC)
    EventBook(data).remove("c")  # the unreadable entries are kept as they were
    assert [e.name for e in EventBook(data).load()] == [
        "Bad time",
        "Number time",
        "No offset",
        "Too far",
    ]


async def test_keys_in_one_read_keep_their_order_across_tab(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        send_in_one_read(app, "eaTariff deadline\tnext Tuesday 3pm KST")
        await seen(app).wait_for(Input.Changed, lambda m: m.value == "next Tuesday 3pm KST")
        await pilot.pause()
        assert isinstance(app.screen, EventForm)
        assert app.screen.query_one("#ev-name", Input).value == "Tariff deadline"
        assert app.screen.query_one("#ev-when", Input).value == "next Tuesday 3pm KST"
        assert "→ Tue 2025-10-28 15:00 KST" in screen_text(app)


async def test_editing_an_event_keeps_its_instant_until_the_time_is_changed(
    tmp_path: Path,
) -> None:
    """ "next Tuesday 3pm KST" typed on Fri Oct 31 means Tue Nov 4; read again on Oct 24 it
    would be Oct 28. Renaming it must not move it; retyping the time reads it anew."""
    saved = datetime(2025, 11, 4, 6, 0, tzinfo=UTC)
    EventBook(tmp_path / "data").add(
        Event(name="Tariff deadline", when=saved, tz="Asia/Seoul", raw_when="next Tuesday 3pm KST")
    )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("down", "down", "e")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        shot = screen_text(app)
        assert "→ Tue 2025-11-04 15:00 KST" in shot and "as saved" in shot
        await type_text(pilot, " extended")
        renamed_at = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done is not None, since=renamed_at)
        (renamed,) = EventBook(tmp_path / "data").load()
        assert "extended" in renamed.name
        assert renamed.when == saved
        assert renamed.raw_when == "next Tuesday 3pm KST"

        await pilot.press("e")
        await pilot.pause(0.2)
        await pilot.press("down", "down", "e")
        await pilot.pause(0.2)
        await pilot.press("tab", "ctrl+u")
        await type_text(pilot, "Tuesday 3pm KST")  # a time typed now: read against today
        await pilot.pause(0.1)
        shot = screen_text(app)
        assert "→ Tue 2025-10-28 15:00 KST" in shot and "as saved" not in shot
        retimed_at = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done is not None, since=retimed_at)
        (retimed,) = EventBook(tmp_path / "data").load()
        assert retimed.when == datetime(2025, 10, 28, 6, 0, tzinfo=UTC)


async def test_c_says_why_the_seed_story_suggests_nothing(tmp_path: Path) -> None:
    """The embedded default already counts down to both events the story names."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("g")  # the seed story, listed first
        await settle(app, pilot)
        await pilot.press("c")
        await pilot.pause(0.2)
        assert not isinstance(app.screen, EventForm)
        (notice,) = [str(n.message) for n in app._notifications]
        assert notice.startswith("What this article looks forward to is already events")
        assert "APEC Economic Leaders' Meeting, Gyeongju" in notice


async def test_the_events_list_filters_to_the_chosen_event(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        await pilot.press("down", "enter")  # the second event: APEC
        await settle(app, pilot)
        assert dashboard.query_text == "APEC OR Gyeongju OR tag:apec"


def test_times_of_years_before_1000_keep_four_digits() -> None:
    from fetchers.models import from_utc_iso, utc_iso

    when = datetime(999, 6, 1, 12, 0, tzinfo=UTC)
    assert utc_iso(when) == "0999-06-01T12:00:00Z"  # the JSON contract's form, read back
    assert from_utc_iso(utc_iso(when)) == when


async def test_an_event_given_no_zone_in_the_form_is_in_the_readers_zone(tmp_path: Path) -> None:
    """The form shows "→ 18:00 KST" for 09:00 with the zone cleared when the reader's zone
    is Seoul; the event stored is that instant, not 09:00 of the system's zone."""
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    config.settings.timezone = "Asia/Seoul"
    for source in config.sources:
        source.enabled = source.path is not None
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        dashboard = app.screen
        dashboard.open_event_form(name="Zoneless", when="2026-12-24 09:00")  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        zone_field = app.screen.query_one("#ev-tz", Input)
        zone_field.value = ""
        await pilot.pause(0.1)
        event = app.screen._read()
        assert event is not None and event.tz == "local"
        assert event.when == datetime(2026, 12, 24, 0, 0, tzinfo=UTC)  # 09:00 in Seoul


async def test_a_zone_typed_a_letter_at_a_time_never_ends_the_dashboard(tmp_path: Path) -> None:
    """Typing "Europe/Paris" into the form's zone field, the dashboard ended with a traceback
    at "Europe" (a folder of zones, not one): each step of the name reads as unknown until
    it names a zone."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        app.screen.open_event_form(name="Summit", when="2026-12-24 09:00")  # type: ignore[attr-defined]
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        app.screen.query_one("#ev-tz", Input).value = ""
        app.screen.query_one("#ev-tz", Input).focus()
        await pilot.press(*"Europe")
        await pilot.pause(0.1)
        assert isinstance(app.screen, EventForm)
        assert "unknown time zone 'Europe'" in screen_text(app)
        await pilot.press(*"/Paris")
        await pilot.pause(0.1)
        assert "unknown time zone" not in screen_text(app) and "→ " in screen_text(app)


async def test_the_events_list_counts_down_while_open(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    summit = app.config.events[0]  # Trump–Lee summit, 2025-10-29 05:00 UTC
    assert summit.when is not None
    clock = {"now": summit.when - timedelta(hours=1, minutes=2, seconds=3)}
    app.clock = lambda: clock["now"]
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        listed = app.screen.query_one("#picker-list")
        assert "T-01:02:03" in str(listed.get_option_at_index(0).prompt)
        clock["now"] += timedelta(seconds=5)
        # a tick of the list's clock (once a second)
        await until(pilot, lambda: "T-01:01:58" in str(listed.get_option_at_index(0).prompt))


async def test_a_second_of_the_events_list_tells_the_rows_in_view_not_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each second the list replaced every row's label, shown or not (and measured every row
    again): 500 events open in it took a third of a core. A second tells the times left of
    the rows in view; a row scrolled into view tells its time as of the last second."""
    app, clock = many_events_app(tmp_path)
    async with piloted(app, (120, 36)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, EventsScreen)
        listed = screen.query_one("#picker-list", OptionList)
        told: list[float] = []

        def counted(seconds: float) -> str:
            told.append(seconds)
            return time_left(seconds)

        monkeypatch.setattr(events_screen, "time_left", counted)
        clock["now"] += timedelta(seconds=1)
        screen.tick()
        await pilot.pause(0.1)  # (drawn)
        rows = listed.scrollable_content_region.height
        assert 0 < len(told) <= rows, f"{len(told)} times left told for {rows} rows"
        assert "Deadline 000  T-01:59:59" in screen_text(app)

        clock["now"] += timedelta(seconds=1)
        screen.tick()
        await pilot.press("end")
        await pilot.pause(0.1)
        assert f"Deadline 499  {time_left(2 * 3600 + 7 * 499 - 2)}" in screen_text(app)


@pytest.mark.parametrize("size", [(160, 50), (60, 30)])
async def test_a_countdown_of_a_thousand_days_or_more_keeps_its_mark_apart(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """An event 1,000 days past or more writes a clock of 16 characters: it ran into its
    mark ("T+1392d 10:26:11done"), and in the narrow layout stood a column out of line."""
    from tui.widgets.countdown import Countdown

    config = seed_only_config(tmp_path)
    config.events.append(
        Event(name="Long ago", when=datetime(2022, 1, 1, tzinfo=UTC), tz="UTC", origin="config")
    )
    app = make_app(tmp_path, config)
    async with piloted(app, size) as pilot:
        await settle(app, pilot, want=1)
        text = "\n".join(line.plain for line in app.screen.query_one(Countdown)._lines)
        clocks = [m for line in text.split("\n") if (m := re.search(r"T[+-]\S+ \S+", line))]
        long_ago = next(m for m in clocks if "1392d" in m.group())
        assert long_ago.string[long_ago.end() :].startswith(" done")
        if size[0] < 100:  # right-aligned, one a line: their ends in one column
            assert len({m.end() for m in clocks}) == 1


async def test_c_with_no_article_selected_says_so(tmp_path: Path) -> None:
    """With no article (a filter matching none), c said the article "suggests no countdown"."""
    app = make_app(tmp_path)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        since = seen(app).mark()
        dashboard.set_filter("nothingmatchesthisword")
        await seen(app).wait_for(QueryDone, lambda m: not m.matches.ids, since=since)
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        assert [str(n.message) for n in app._notifications][-1:] == ["No article selected."]


async def test_the_events_list_names_the_keys_in_force(tmp_path: Path) -> None:
    """Remapped, the events list's keys are named as remapped ("a adds" stood while n added)."""
    config = seed_only_config(tmp_path)
    config.keys = {"events.add": "n"}
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        await settle(app, pilot, want=1)
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EventsScreen)
        footer = str(app.screen.query_one("#picker-footer").render())
        assert "n adds" in footer and "a adds" not in footer and "closes" in footer


def test_a_removal_is_confirmed_by_a_second_press_in_time_on_the_same_row() -> None:
    now = [100.0]
    removing = PressedTwice(lambda: now[0])
    assert not removing.confirmed("a")
    now[0] += AGAIN_WITHIN + 0.1  # too late: asks again
    assert not removing.confirmed("a")
    assert not removing.confirmed("b")  # another row: starts over
    assert removing.confirmed("b")
    assert not removing.confirmed("b")  # done: the next press asks again


async def test_an_event_stored_with_a_query_that_is_no_text_says_what_is_wrong(
    tmp_path: Path,
) -> None:
    """Its readable time was said to be "time unreadable": the pane says what it is."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "events.json").write_text(
        json.dumps(
            {
                "events": [
                    {"id": "q", "name": "Vote", "when": "2025-11-01T00:00:00Z", "query": 5},
                ]
            }
        )
    )
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.pause(0.3)
        shot = screen_text(app)
        assert "Vote  cannot count down: stored query 5 is not" in shot  # (the pane's edge)
        assert "time unreadable" not in shot


async def test_a_full_text_that_does_not_repeat_the_summary_keeps_its_suggestion(
    tmp_path: Path,
) -> None:
    """The countdown an article's summary suggested went once its full text came (`f`):
    the text was read instead of the summary, and `c` said there was none."""
    from fetchers.models import Article
    from fetchers.store import Store

    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="visit", source="Wire", title="Trump to visit Korea", link=None,
                    published=FROZEN, fetched=FROZEN,
                    summary="Trump will arrive in Gyeongju on Wednesday for the APEC summit.",
                    text="The talks cover tariffs and shipbuilding, officials said.",
                )
            ]
        )  # fmt: skip
    config = seed_only_config(tmp_path)
    config.events = []
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot)
        reading = dashboard.session.reading("visit", [])
        assert reading.text is not None and "shipbuilding" in reading.text
        assert [s.name for s in reading.suggestions.found], "no countdown suggested"


async def test_a_query_pasted_on_several_lines_into_the_event_form_is_kept_whole(
    tmp_path: Path,
) -> None:
    """The form's fields kept a paste's first line: "APEC OR" and "Gyeongju" on two lines
    saved the query "APEC OR", which does not read, or a name cut short. Line breaks are
    spaces."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await open_add_form(app, pilot)
        app.screen.query_one("#ev-name", Input).post_message(events.Paste("Leaders'\nMeeting"))
        app.screen.query_one("#ev-query", Input).post_message(events.Paste("APEC OR\nGyeongju\n"))
        await pilot.pause()
        assert app.screen.query_one("#ev-name", Input).value == "Leaders' Meeting"
        assert app.screen.query_one("#ev-query", Input).value == "APEC OR Gyeongju"
        assert "✗ query:" not in screen_text(app)


async def test_a_clock_that_jumps_past_an_event_says_it_started_once(tmp_path: Path) -> None:
    """A laptop resumed a day after the countdown said two hours: one notice that the event
    started (22 hours ago), not "starts in 1 hour", "in 10 minutes" and "is starting now"
    all at once for an event long over; one that the day's notice was jumped over for, how
    long it is to go."""
    app = make_app(tmp_path)
    summit = app.config.events[0]  # Trump–Lee summit, 2025-10-29 05:00 UTC
    assert summit.when is not None
    clock = {"now": summit.when - timedelta(hours=1, minutes=58)}
    app.clock = lambda: clock["now"]
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        checks = dash(app).alerts._last
        await until(pilot, lambda: bool(checks))
        clock["now"] = summit.when + timedelta(hours=22, minutes=1)

        def said() -> list[str]:
            return [str(n.message) for n in app._notifications if n.title == "Countdown"]

        await until(pilot, lambda: bool(said()))
        await pilot.pause(1.2)
        assert said() == [
            "Trump–Lee summit, Gyeongju started 22 hours ago",
            "APEC Economic Leaders' Meeting, Gyeongju starts in 21 hours",  # (a day crossed)
        ]


async def test_an_alt_letter_in_the_event_form_keeps_the_form(tmp_path: Path) -> None:
    """A terminal that sends option+letter as escape and the letter (iTerm's "Esc+"): taken
    as escape then the letter, it cancelled the form and lost what was typed."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await open_add_form(app, pilot)
        await type_text(pilot, "Tariff deadline")
        await pilot.press("alt+d")
        await pilot.pause(0.2)
        assert isinstance(app.screen, EventForm)
        assert app.screen.query_one("#ev-name", Input).value.startswith("Tariff deadline")


LISTED = re.compile(r"▊(.*)▎")
LONG_NAME = ("Extraordinary Leaders' Summit on Tariffs, Investment, Semiconductors " * 3)[:150]


@pytest.mark.parametrize("size", [(80, 24), (60, 20), (120, 36)])
async def test_an_events_long_name_leaves_its_time_left_and_date_in_sight(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    """A name of 150 characters pushed the event's time left and date off its row at 80
    columns: the name is cut instead (or, where a short name leaves no room, the time left
    and date go on a line of their own under it)."""
    config = seed_only_config(tmp_path)
    config.events = [
        Event(name=LONG_NAME, when=FROZEN + timedelta(days=5), tz="UTC", origin="config")
    ]
    app = make_app(tmp_path, config)
    async with piloted(app, size) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        await pilot.pause()
        # the list's lines (between its borders, ▊ and ▎) from the event's on: two at most
        lines = [m[1] for line in screen_text(app).splitlines() if (m := LISTED.search(line))]
        (named,) = [n for n, line in enumerate(lines) if "Extraordinary Le" in line]
        row = " ".join(lines[named : named + 2])
        assert "…" in row  # the name, cut
        # (its date as the countdown's narrow lines say it, where the whole one leaves the
        # name no room)
        assert re.search(r"T-5d 00:00:00  Wed (2025-10-29 )?08:00 UTC", row), row


async def test_a_zone_written_in_the_time_is_the_events_zone(tmp_path: Path) -> None:
    """ "Nov 3, 2026 8am ET" was saved in the zone field's pre-filled Asia/Seoul: the
    countdown showed no New York time. The time's zone is the event's while the field is as
    it was filled; a field changed to another zone is refused, not guessed between."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        dash(app).open_event_form(name="Vote", when="Nov 3, 2026 8am ET")
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, EventForm)
        assert form.query_one("#ev-tz", Input).value == "Asia/Seoul"  # the reader's, pre-filled
        assert "→ Tue 2026-11-03 08:00 EST" in screen_text(app)
        form.query_one("#ev-tz", Input).value = "Europe/London"  # another zone, typed
        await pilot.pause(0.1)
        shot = screen_text(app)
        assert "the time says ET (America/New_York)" in shot and "Europe/London" in shot
        assert form._read() is None
        form.query_one("#ev-tz", Input).value = "Asia/Seoul"
        await pilot.pause(0.1)
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Added Vote")
        await settle(app, pilot)
        (stored,) = EventBook(tmp_path / "data").load()
        assert stored.tz == "America/New_York"
        assert stored.when == datetime(2026, 11, 3, 13, 0, tzinfo=UTC)
        shot = screen_text(app)  # the countdown pane: the event's zone, then the reader's
        assert "Tue 2026-11-03 08:00 EST" in shot and "Tue 2026-11-03 22:00 KST (local)" in shot


async def test_the_zone_field_takes_an_abbreviation_the_time_takes(tmp_path: Path) -> None:
    """ "KST" in the time was read; in the zone field it was "unknown time zone 'KST'". The
    field takes it as the zone it stands for, and a season's abbreviation out of its season
    is refused there as in the time."""
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        dash(app).open_event_form(name="Summit", when="2026-12-24 09:00", zone_text="KST")
        await pilot.pause(0.2)
        form = app.screen
        assert isinstance(form, EventForm)
        shot = screen_text(app)
        assert "unknown time zone" not in shot and "→ Thu 2026-12-24 09:00 KST" in shot
        event = form._read()
        assert event is not None and event.tz == "Asia/Seoul"
        assert event.when == datetime(2026, 12, 24, 0, 0, tzinfo=UTC)
        form.query_one("#ev-tz", Input).value = "PDT"
        await pilot.pause(0.1)
        assert "America/Los_Angeles keeps PST" in screen_text(app) and form._read() is None


def _summit_article_app(tmp_path: Path) -> App[None]:
    """A dashboard in Seoul with no events and one article, published the Friday before the
    summit, that suggests two countdowns: the summit next week, and Trump's arrival."""
    from fetchers.models import Article
    from fetchers.store import Store

    published = datetime(2025, 10, 24, 6, 0, tzinfo=UTC)
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="apec", source="Wire", title="APEC week in Gyeongju", link=None,
                    published=published, fetched=published,
                    summary="Leaders will meet at the APEC summit in Gyeongju next week. "
                    "Trump will arrive on Wednesday.",
                )
            ]
        )  # fmt: skip
    config = seed_only_config(tmp_path)
    config.events = []
    config.settings.timezone = "Asia/Seoul"
    for source in config.sources:
        source.enabled = False
    return make_app(tmp_path, config, poll=False)


def _suggested(app: App[None]) -> list[str]:
    """The article pane's lines offering a countdown."""
    return [line.strip() for line in screen_text(app).splitlines() if "Suggested countdown" in line]


async def test_c_again_after_adding_a_suggested_countdown_offers_the_next_one(
    tmp_path: Path,
) -> None:
    """c, enter added the article's first suggested countdown; the pane still offered it and
    c again filled the form with it, and enter added it a second time. Once added, the
    article's suggestions are found again: c offers the next one."""
    app = _summit_article_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        first, second = _suggested(app)
        assert "APEC summit" in first and "(press c to add it)" in first
        assert "Trump arrives" in second
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: (m.done or "").startswith("Added"))
        await until(pilot, lambda: app.screen is dash(app))
        await until(pilot, lambda: len(_suggested(app)) == 1)
        (offered,) = _suggested(app)
        assert "Trump arrives" in offered and "(press c to add it)" in offered
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        assert app.screen.query_one("#ev-name", Input).value == "Trump arrives"
        await pilot.press("escape")
    (added,) = EventBook(tmp_path / "data").load()
    assert "APEC summit" in added.name


async def test_countdowns_another_dashboard_adds_are_no_longer_suggested(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another dashboard on the data dir added the events the open article suggests: this
    one still offered them, and c added them again. c says they are events already."""
    from tui.screens import dashboard as dashboard_module

    monkeypatch.setattr(dashboard_module, "EVENTS_LOOK", 0.1)
    app = _summit_article_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        assert len(_suggested(app)) == 2
        other = EventBook(tmp_path / "data")  # the other dashboard's
        for name, when in (
            ("APEC summit, Gyeongju", datetime(2025, 10, 27, tzinfo=UTC)),
            ("Trump arrives in Korea", datetime(2025, 10, 29, tzinfo=UTC)),
        ):
            other.add(Event(name=name, when=when, tz="Asia/Seoul", raw_when=f"{when:%Y-%m-%d}"))
        await until(pilot, lambda: not _suggested(app))
        await pilot.press("c")
        await pilot.pause(0.2)
        assert app.screen is dash(app)
        said = [str(n.message) for n in app._notifications]
        assert any(
            s.startswith("What this article looks forward to is already events") for s in said
        )
    assert len(EventBook(tmp_path / "data").load()) == 2


async def test_an_edit_of_an_event_removed_elsewhere_can_be_saved_as_a_new_one(
    tmp_path: Path,
) -> None:
    """Another dashboard removed the event being edited: enter said it was not saved and
    opened the edit of the vanished event again, which no enter could ever save, and only
    escape, losing what was typed, left it. The form comes back as one adding a new event,
    holding what was typed and the time as saved ("next Tuesday" is not read again)."""
    saved = datetime(2025, 11, 4, 6, 0, tzinfo=UTC)  # "next Tuesday" as typed on Oct 31
    book = EventBook(tmp_path / "data")
    vote = book.add(
        Event(name="Vote", when=saved, tz="Asia/Seoul", raw_when="next Tuesday 3pm KST")
    )
    book.add(Event(name="Budget", when=saved + timedelta(days=7), tz="UTC", raw_when="Nov 11"))
    config = seed_only_config(tmp_path)
    config.events = []
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EventsScreen))
        await pilot.press("e")  # on the first: Vote
        await until(pilot, lambda: isinstance(app.screen, EventForm))
        editing = app.screen
        assert vote.ident is not None
        EventBook(tmp_path / "data").remove(vote.ident)  # by another dashboard
        await pilot.press("ctrl+u")
        await type_text(pilot, "Runoff")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, EventForm) and app.screen is not editing)
        await pilot.pause(0.1)
        said = [str(n.message) for n in app._notifications]
        assert any("Not saved" in s and "new event" in s for s in said), said
        shot = screen_text(app)
        assert "Add event" in shot and "Edit event" not in shot
        assert app.screen.query_one("#ev-name", Input).value == "Runoff"
        assert "→ Tue 2025-11-04 15:00 KST" in shot
        await pilot.press("enter")
        await seen(app).wait_for(EventsLoaded, lambda m: m.done == "Added Runoff")
    stored = {e.name: e for e in EventBook(tmp_path / "data").load()}
    assert sorted(stored) == ["Budget", "Runoff"]
    assert stored["Runoff"].when == saved
    assert stored["Runoff"].raw_when == "next Tuesday 3pm KST"
