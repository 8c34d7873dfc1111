"""Read and starred marks, by key and by reading."""

from __future__ import annotations

import errno
import json
import os
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import Worker, WorkerState

from fetchers.models import Article, Source
from tests.conftest import (
    FeedServer,
    Route,
    dash,
    make_app,
    piloted,
    rss,
    seed_only_config,
    seen,
    settle,
    until,
)
from tui.app import WirewatchApp
from tui.messages import CycleDone, MarksChanged, QueryDone


def notes(app: WirewatchApp) -> str:
    """Every notification shown so far, one a line."""
    return "\n".join(str(n.message) for n in app._notifications)


async def press_and_mark(app: WirewatchApp, pilot: Pilot, key: str) -> None:
    """Press a key that changes a mark, and wait for its worker to end, however it ends."""
    since = seen(app).mark()
    await pilot.press(key)
    await seen(app).wait_for(
        Worker.StateChanged,
        lambda m: m.worker.group == "state" and m.state in (WorkerState.SUCCESS, WorkerState.ERROR),
        since=since,
    )
    await pilot.pause()


async def test_marks_the_disk_refuses_are_said_once_kept_and_saved_when_it_takes_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A full disk: each article read or starred toasted "OSError: [Errno 28] ..." and its
    mark was not drawn. It is said once, the marks are drawn and kept, and the next mark
    once the disk takes it saves them all."""
    from fetchers.store import marks

    refusing = [True]
    write = marks.atomic_write_bytes

    def full_disk(path: Path, data: bytes, *more: bytes, mode: int | None = None) -> None:
        if refusing[0]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        write(path, data, *more, mode=mode)

    monkeypatch.setattr(marks, "atomic_write_bytes", full_disk)
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys mark
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        first = dashboard.headlines.current_id
        await press_and_mark(app, pilot, "m")
        await pilot.press("j")
        second = dashboard.headlines.current_id
        await press_and_mark(app, pilot, "asterisk")
        said = notes(app)
        assert said.count("cannot be saved") == 1, said
        assert "No space left on device" in said and "OSError" not in said
        read, starred = dashboard.session.get(first or ""), dashboard.session.get(second or "")
        assert read is not None and read.read
        assert starred is not None and starred.starred
        assert dashboard.headlines.row_text(starred, 120).plain.startswith("*")
        refusing[0] = False  # room again
        await pilot.press("j")
        third = dashboard.headlines.current_id
        await press_and_mark(app, pilot, "m")
        assert "saved again" in notes(app)
    kept = json.loads((tmp_path / "data" / "state.json").read_bytes())["marks"]
    assert kept == {first: {"read": True}, second: {"starred": True}, third: {"read": True}}


async def test_star_marks_the_article_starred(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600  # only the key marks it (the read timer's mark answered the wait)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        current = dashboard.headlines.current_id
        assert current is not None
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        await pilot.pause()
        article = dashboard.session.get(current)
        assert article is not None and article.starred
        assert dashboard.headlines.row_text(article, 120).plain.startswith("*")


async def test_a_starred_article_shows_whether_it_is_read(tmp_path: Path) -> None:
    """A starred row showed "*" read or unread, so `m` on it changed nothing to see: "*+"
    while unread, as a story's row says it, "* " once read."""
    app = make_app(tmp_path)
    app.read_after = 3600  # only the key marks it
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        current = dashboard.headlines.current_id
        assert current is not None
        await pilot.press("asterisk")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        article = dashboard.session.get(current)
        assert article is not None and article.starred and not article.read
        assert dashboard.headlines.row_text(article, 120).plain.startswith("*+")
        since = seen(app).mark()
        await pilot.press("m")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
        article = dashboard.session.get(current)
        assert article is not None and article.read
        assert dashboard.headlines.row_text(article, 120).plain.startswith("* ")
        assert dashboard.headlines.row_text(article, 120, revised=True).plain.startswith("* ~")
        since = seen(app).mark()
        await pilot.press("m")  # unread again: starred, unread and revised, all three said
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current], since=since)
        article = dashboard.session.get(current)
        assert article is not None and not article.read
        assert dashboard.headlines.row_text(article, 120, revised=True).plain.startswith("*+~")


async def test_m_marks_the_article_read(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 3600  # only the key marks it
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        current = dashboard.headlines.current_id
        assert current is not None
        before = dashboard.session.get(current)
        assert before is not None and not before.read
        await pilot.press("m")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        after = dashboard.session.get(current)
        assert after is not None and after.read


async def test_an_article_shown_a_while_counts_as_read(tmp_path: Path) -> None:
    app = make_app(tmp_path)
    app.read_after = 0.05
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        current = dashboard.headlines.current_id
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [current])
        article = dashboard.session.get(current or "")
        assert article is not None and article.read


async def test_read_after_never_leaves_shown_articles_unread_until_enter(tmp_path: Path) -> None:
    """The article the dashboard opens on, and the one a filter lands on, counted as read
    1.5 s later though the reader picked neither (a look at the desk read its newest). With
    `read_after = "never"`, as in newsboat, only enter (or `m`) reads one."""
    config = seed_only_config(tmp_path)
    config.settings.read_after = None
    app = make_app(tmp_path, config)
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        first = dashboard.headlines.current_id
        await pilot.press("j")
        await pilot.pause(2.0)  # (past the 1.5 s of the default)
        second = dashboard.headlines.current_id
        assert second != first
        for ident in (first, second):
            shown = dashboard.session.get(ident or "")
            assert shown is not None and not shown.read
        since = seen(app).mark()
        await pilot.press("enter")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [second], since=since)


async def test_a_desk_left_alone_has_no_unread_article_read_for_it(tmp_path: Path) -> None:
    """Unread only, the article read: the list made again (the toggle, the next poll) takes
    it out and the row under the cursor is another article, which was counted as read 1.5 s
    later, at every poll, with no one at the desk. It is shown, not read; moving to it
    reads it."""
    app = make_app(tmp_path)
    app.read_after = 0.05
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        first = dashboard.headlines.current_id
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [first])  # read, as opened
        await pilot.press("u")  # the reader asks for this list: its first is read too
        await settle(app, pilot, want=5)
        second = dashboard.headlines.current_id
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [second])
        dashboard.run_query()  # a poll's reload takes it out
        await settle(app, pilot, want=4)
        for _ in range(2):  # and the next, with nothing new
            taken = dashboard.headlines.current_id
            assert taken not in (None, first, second)
            await pilot.pause(0.4)
            article = dashboard.session.get(taken or "")
            assert article is not None and not article.read
            dashboard.run_query()
            await settle(app, pilot, want=4)
        await pilot.press("j", "k")
        await seen(app).wait_for(MarksChanged, lambda m: m.ids == [taken])


async def test_a_list_that_answered_with_none_has_no_article_of_a_later_poll_read(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A filter (or `u`) that answered with nothing, the desk left alone: the poll that
    brought a matching article an hour later had it read 1.5 s after, for no one. It is
    shown, not read."""
    route = Route(rss())
    config = seed_only_config(tmp_path)
    config.sources.append(Source("Wire", url=feed_server.add("/wire.xml", route)))
    app = make_app(tmp_path, config)
    app.read_after = 0.05
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        await seen(app).wait_for(CycleDone)
        dashboard.set_filter("source:Wire")
        await seen(app).wait_for(
            QueryDone, lambda m: m.generation == dashboard.generation and not m.matches.ids
        )
        route.body = rss("<title>Talks resume</title><guid>w1</guid>")
        since = seen(app).mark()
        await pilot.press("r")
        await seen(app).wait_for(CycleDone, lambda m: bool(m.new_ids), since=since)
        await settle(app, pilot, want=1)
        shown = dashboard.headlines.current_id
        assert shown is not None
        await pilot.pause(0.4)
        article = dashboard.session.get(shown)
        assert article is not None and article.title == "Talks resume" and not article.read


async def test_n_and_shift_n_move_to_the_next_and_previous_unread_article(tmp_path: Path) -> None:
    """newsboat's n: the next unread below (past the read ones), N the one above; none that
    way is said, and the cursor stays."""
    app = make_app(tmp_path)
    app.read_after = 3600  # only the keys move and mark
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        ids = list(dashboard.headlines.ids)
        dashboard.session.store.set_state(ids[1:4], read=True)
        await pilot.press("n")
        await until(pilot, lambda: dashboard.headlines.cursor == 4)
        await pilot.press("N")
        await until(pilot, lambda: dashboard.headlines.cursor == 0)
        await pilot.press("N")
        await until(pilot, lambda: "No unread article above." in notes(app))
        assert dashboard.headlines.cursor == 0


async def test_a_pressed_twice_marks_every_article_listed_read(tmp_path: Path) -> None:
    """newsboat's A: every article the filter lists, read, after a second press; the first
    says what the second does, and the articles not listed stay unread."""
    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        store = dashboard.session.store
        every = list(dashboard.headlines.ids)
        await pilot.press("1")  # saved filter: tariff OR trade
        await settle(app, pilot)
        listed = list(dashboard.headlines.ids)
        assert 0 < len(listed) < len(every)
        await pilot.press("A")
        await until(pilot, lambda: "again to mark the" in notes(app))
        assert store.unread(every) == set(every)
        await pilot.press("A")
        await until(pilot, lambda: f"Marked {len(listed)} article" in notes(app))
        assert store.unread(every) == set(every) - set(listed)
        await pilot.press("u")  # unread only: none of them is left
        await until(pilot, lambda: list(dashboard.headlines.ids) == [])


async def test_a_pressed_again_after_the_rows_are_read_again_marks_them(tmp_path: Path) -> None:
    """A viewer reads its rows again at every reload (every two seconds: another process may
    have marked them): the second `A` said "Press A again" once more and marked nothing,
    as if the list had changed. The same list is confirmed by the second press."""
    from tui.rows import Rows

    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        store = dashboard.session.store
        every = list(dashboard.headlines.ids)
        await pilot.press("A")
        await until(pilot, lambda: "again to mark the" in notes(app))
        dashboard.headlines.update_rows(Rows(), everything=True)  # as a reload draws them
        dashboard.headlines.set_ids(list(every))  # and as a query run again lists them
        await pilot.press("A")
        await until(pilot, lambda: f"Marked {len(every)} article" in notes(app))
        assert store.unread(every) == set()


async def test_m_on_a_read_article_just_moved_to_keeps_it_unread(tmp_path: Path) -> None:
    """Moved onto a read article and `m` within the read-after-shown time: the row showed
    "+" a moment, then the timer still to run marked it read again."""
    app = make_app(tmp_path)
    app.read_after = 0.3
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot, want=6)
        second = dashboard.headlines.ids[1]
        dashboard.session.store.set_state([second], read=True)
        await pilot.press("j", "m")
        await until(pilot, lambda: second in dashboard.session.store.unread([second]))
        await pilot.pause(0.6)  # past the time it is shown for: still as `m` left it
        assert dashboard.session.store.unread([second]) == {second}


async def test_a_on_a_list_still_being_read_marks_nothing(tmp_path: Path) -> None:
    """A first page of a big store's matches (its other rows to come): `A` offered to mark
    "the 300 articles listed" of thousands matching, and marked those alone."""
    from tui.rows import GAP

    app = make_app(tmp_path)
    app.read_after = 3600
    async with piloted(app) as pilot:
        dashboard = await settle(app, pilot, want=6)
        every = list(dashboard.headlines.ids)
        dashboard.headlines.ids.append(GAP)  # as a first page leaves the rows it lacks
        dashboard.counting = True  # (and as its partial answer says)
        await pilot.press("A", "A")
        await until(pilot, lambda: "The list is still being read: A" in notes(app))
        assert dashboard.session.store.unread(every) == set(every)
        await pilot.press("n")  # nor does n pass over the rows it has not read yet
        await until(pilot, lambda: "The list is still being read: n" in notes(app))
        assert dashboard.headlines.cursor == 0


async def test_a_sources_name_in_wide_letters_takes_its_colour_and_the_age_keeps_its_own(
    tmp_path: Path,
) -> None:
    """The source's colour was laid from its width in cells counted back as characters: a
    name in Chinese took part of the age's colour ("1" grey, "1m" green), one in Thai left
    its first letter out."""
    from datetime import timedelta

    from tests.conftest import FROZEN
    from tui.format import AGE_WIDTH
    from tui.widgets.headlines import MARK_WIDTH

    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=6)
        headlines = dash(app).headlines
        source_style = headlines.get_component_rich_style("headlines--source", partial=True)
        for name in ("新华社", "ไทยรัฐ", "Wire"):
            article = Article(
                id=name, source=name, title="Headline", fetched=FROZEN - timedelta(minutes=11)
            )
            row = headlines.row_text(article, 120)
            start = MARK_WIDTH + AGE_WIDTH + 1
            assert row.plain[start : start + len(name)] == name
            styled = [(span.start, span.end) for span in row.spans if span.style == source_style]
            assert styled and styled[0][0] == start and styled[0][1] >= start + len(name), name
