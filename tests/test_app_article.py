"""The article pane: links and full texts."""

from __future__ import annotations

import asyncio
import os
import webbrowser
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from fetchers.models import Article, Source
from fetchers.store import Store
from tests.conftest import (
    FROZEN,
    FeedServer,
    Route,
    dash,
    make_app,
    piloted,
    rss,
    screen_text,
    seed_only_config,
    seen,
    settle,
    until,
)
from tui.messages import LinkOpened
from tui.widgets.article import ArticleView

PARAGRAPH = (
    "Seoul and Washington narrowed their differences on the investment package on Friday, "
    "officials said, as negotiators met for a third day before the summit. "
)


def stored_article(tmp_path: Path, ident: str, title: str, **fields: object) -> None:
    """One article in the data dir, as a store another process wrote it."""
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id=ident, source=str(fields.pop("source", "Wire")), title=title, link=None,
                    published=FROZEN, fetched=FROZEN, **fields,  # type: ignore[arg-type]
                )
            ]
        )  # fmt: skip


def long_article(tmp_path: Path, paragraphs: list[str]) -> None:
    """The article "long", of these paragraphs."""
    stored_article(
        tmp_path, "long", "A long report", summary="The long one.", text="\n\n".join(paragraphs)
    )


def linked_article(tmp_path: Path, link: str, published: datetime = FROZEN) -> None:
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(
                    id="linked",
                    source="Wire",
                    title="Talks narrow the gap",
                    link=link,
                    published=published,
                    fetched=FROZEN,
                    summary="Only a summary here.",
                    tags=["trade"],
                )
            ]
        )


async def test_o_copies_the_link_without_a_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    linked_article(tmp_path, "https://news.example/talks")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        await pilot.press("o")
        await seen(app).wait_for(LinkOpened)
        await pilot.pause()  # (the notice is a message of its own, handled after)
        assert app.clipboard == "https://news.example/talks"
        assert any("copied the link" in str(n.message) for n in app._notifications)


async def test_o_copies_a_stored_link_without_its_escape_sequences(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link stored with an escape sequence in it (a clipping's, before its metadata was
    cleaned) went to the clipboard as stored: an OSC 52 inside it wrote the clipboard over
    when pasted in a terminal. The link is copied and opened without controls."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    linked_article(tmp_path, "https://news.example/\x1b]52;c;QQ==\x07talks")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await seen(app).wait_for(LinkOpened)
        await pilot.pause()
        assert app.clipboard == "https://news.example/talks"


async def test_o_refuses_links_that_are_not_http(tmp_path: Path) -> None:
    linked_article(tmp_path, "javascript:alert(1)")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        refused = await seen(app).wait_for(LinkOpened)
        await pilot.pause()
        assert app.clipboard != "javascript:alert(1)" and not refused.opened
        assert "Only http and https links are opened." in [
            str(n.message) for n in app._notifications
        ]


async def test_o_in_a_served_tab_opens_the_link_in_the_reader_s_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In a browser tab of `wirewatch serve`, `o` copied the link with OSC 52 (which the page
    cannot do over plain http) and, on a server with a desktop, opened it there, in front
    of nobody. The tab's own browser is asked to open it, in a new tab."""
    for name in ("SSH_CONNECTION", "SSH_TTY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISPLAY", ":0")  # the server's desktop
    opened_on_server: list[str] = []
    monkeypatch.setattr("tui.screens.dashboard.has_browser", lambda: True)
    monkeypatch.setattr(webbrowser, "open", lambda url, *_, **__: opened_on_server.append(url))
    linked_article(tmp_path, "https://news.example/talks")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        # the driver a served dashboard runs (tui.webdriver's, a WebDriver): it hands the
        # link to textual-serve, whose page opens it with window.open
        driver = app._driver
        assert driver is not None
        asked: list[tuple[str, bool]] = []
        monkeypatch.setattr(type(driver), "is_web", property(lambda _: True))
        monkeypatch.setattr(
            driver, "open_url", lambda url, new_tab=True: asked.append((url, new_tab))
        )
        await pilot.press("o")
        await seen(app).wait_for(LinkOpened)
        await pilot.pause()
        assert asked == [("https://news.example/talks", True)]
        assert opened_on_server == []
        assert app.clipboard != "https://news.example/talks"
        notices = [str(n.message) for n in app._notifications]
        assert any(n.startswith("Opened the link in a new tab") for n in notices), notices
        assert not any("clipboard" in n for n in notices), notices


def fake_tmux(tmp_path: Path, status: int) -> Path:
    """A `tmux` that records its arguments, one a line, and exits with `status`."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    called = tmp_path / "tmux-argv"
    tmux = bin_dir / "tmux"
    tmux.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$@\" > '{called}'\nexit {status}\n")
    tmux.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize("status", [0, 1])
async def test_o_inside_tmux_copies_the_link_through_tmux(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    """Inside tmux, whose default (`set-clipboard external`) drops the OSC 52 an application
    writes, `o` said it copied the link and nothing reached the clipboard. The link goes to
    tmux (`set-buffer -w`: its paste buffer, and the terminal's clipboard through tmux); a
    tmux that refuses leaves it to OSC 52."""
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "BROWSER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    monkeypatch.setenv("TMUX", f"{tmp_path / 'tmux-socket'},4242,0")
    monkeypatch.setenv("PATH", f"{fake_tmux(tmp_path, status)}{os.pathsep}{os.environ['PATH']}")
    link = "https://news.example/talks"
    linked_article(tmp_path, link)
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("o")
        await seen(app).wait_for(LinkOpened)
        await pilot.pause()
        assert (tmp_path / "tmux-argv").read_text().splitlines() == [
            "set-buffer", "-w", "--", link,
        ]  # fmt: skip
        notices = [str(n.message) for n in app._notifications]
        if status == 0:
            assert (
                "No browser here; copied the link to tmux's paste buffer (and to the"
                f" clipboard where the terminal takes it): {link}" in notices
            )
            assert app.clipboard != link  # no OSC 52 for tmux to drop (or, set on, take twice)
        else:
            assert f"No browser here; copied the link to the clipboard: {link}" in notices
            assert app.clipboard == link


async def test_f_fetches_and_shows_the_full_text(tmp_path: Path, feed_server: FeedServer) -> None:
    page = (
        f"<html><head><title>Talks</title></head><body><nav>Home | World</nav><article>"
        f"<h1>Talks narrow the gap</h1><p>{PARAGRAPH * 3}</p><p>READ MORE</p>"
        f"<p>{PARAGRAPH * 2}</p></article></body></html>"
    )
    url = feed_server.add(
        "/talks.html", Route(page.encode(), headers={"Content-Type": "text/html"})
    )
    linked_article(tmp_path, url, published=FROZEN - timedelta(days=1))
    app = make_app(tmp_path)  # the writer: the text is stored
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")  # the oldest: the linked article
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        assert "Only a summary here." in screen_text(app)
        await pilot.press("f")
        await seen(app).wait_for(ArticleView.FullText)
        await pilot.pause()
        shot = screen_text(app)
        assert "Seoul and Washington narrowed their differences" in shot
        assert "READ MORE" not in shot
        assert "narrowed" in (dash(app).session.store.text("linked") or "")


async def test_f_shows_a_pre_block_line_by_line_as_written(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A table of results in a <pre> showed a paragraph a line, its columns collapsed: the
    pane shows its lines one under another, indented and spaced as the page wrote them."""
    from tests.test_extract import RESULTS_BLOCK, results_page

    pane, shown = await _full_text_shown(tmp_path, feed_server, results_page())
    assert RESULTS_BLOCK in pane
    lines = RESULTS_BLOCK.splitlines()
    start = shown.index(lines[0])
    assert shown[start : start + len(lines)] == [line.rstrip() for line in lines]


async def _full_text_shown(
    tmp_path: Path, feed_server: FeedServer, html: bytes
) -> tuple[str, list[str]]:
    """The article pane's body once `f` fetched the page `html` of the one article that
    links to it: its text, and its lines as drawn."""
    url = feed_server.add("/page.html", Route(html, headers={"Content-Type": "text/html"}))
    linked_article(tmp_path, url, published=FROZEN - timedelta(days=1))
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        await pilot.press("f")
        await seen(app).wait_for(ArticleView.FullText)
        await pilot.pause()
        body = dash(app).article_view.query_one("#article-body")
        shown = [body.render_line(y).text.rstrip() for y in range(body.size.height)]
        return str(body.render()), shown


async def test_f_shows_a_table_of_data_a_row_a_line_its_cells_apart(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A table's cells showed run together ("East Quay 7 ships 1 day"): the pane shows a row
    a line, its cells parted by " | " and its header row underlined; a cell's text that
    looks like markup is shown as written."""
    from tests.test_extract import PORTS_TABLE, ports_page

    table = PORTS_TABLE.replace("7 ships", "[b]7 ships[/b]")
    _, shown = await _full_text_shown(tmp_path, feed_server, ports_page(table))
    start = shown.index("| Port | Ships waiting | Average delay |")
    assert shown[start : start + 4] == [
        "| Port | Ships waiting | Average delay |",
        "|---|---|---|",
        "| North Harbour | 41 | 6 days |",
        "| East Quay | [b]7 ships[/b] | 1 day |",
    ]


async def test_the_pane_shows_a_pre_block_of_an_item_s_content_as_written(
    tmp_path: Path,
) -> None:
    """Code in a <pre> of a feed item's content showed a paragraph a line, its indentation
    gone: the pane shows its lines one under another, as the feed wrote them."""
    from tests.test_feeds import CODE_BLOCK, CODE_HTML, articles, rss_with_content

    (item,) = articles(rss_with_content(CODE_HTML, "Short note."))
    item.published = item.fetched = FROZEN
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([item])
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        view = dash(app).article_view
        body = view.query_one("#article-body")
        lines = CODE_BLOCK.splitlines()

        def shown() -> list[str]:
            return [body.render_line(y).text.rstrip() for y in range(body.size.height)]

        await until(pilot, lambda: view.article_id == item.id and lines[0] in shown())
        start = shown().index(lines[0])
        assert shown()[start : start + len(lines)] == [line.rstrip() for line in lines]


async def test_a_viewer_fetches_the_full_text_and_keeps_it_to_itself(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    page = f"<html><body><article><h1>Talks</h1><p>{PARAGRAPH * 4}</p></article></body></html>"
    url = feed_server.add(
        "/talks.html", Route(page.encode(), headers={"Content-Type": "text/html"})
    )
    linked_article(tmp_path, url)
    app = make_app(tmp_path, poll=False)  # a viewer never writes articles
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot)
        assert dashboard.headlines.current_id == "linked"
        await pilot.press("f")
        await seen(app).wait_for(ArticleView.FullText)
        await pilot.pause()
        assert "Seoul and Washington narrowed their differences" in screen_text(app)
        assert dashboard.session.store.text("linked") is None


async def test_a_viewer_read_again_keeps_showing_the_text_it_fetched(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """A viewer's `f` fetched the page again over an older stored text; read again (the
    stories arriving), the pane went back to the older one."""
    page = f"<html><body><article><h1>Talks</h1><p>{PARAGRAPH * 4}</p></article></body></html>"
    url = feed_server.add(
        "/talks.html", Route(page.encode(), headers={"Content-Type": "text/html"})
    )
    linked_article(tmp_path, url)
    with Store(tmp_path / "data", writer=True) as store:
        store.set_text("linked", "An older text of the talks, fetched before they moved on.")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        dashboard = await settle(app, pilot)
        await pilot.press("f")
        await seen(app).wait_for(ArticleView.FullText)
        since = seen(app).mark()
        dashboard.article_view.load("linked")
        await seen(app).wait_for(ArticleView.Loaded, since=since)
        await pilot.pause()
        assert "Seoul and Washington narrowed their differences" in screen_text(app)
        assert "An older text of the talks" not in screen_text(app)


async def test_f_says_why_the_full_text_could_not_be_fetched(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    url = feed_server.add("/gone.html", Route(b"not here", status=404))
    linked_article(tmp_path, url, published=FROZEN - timedelta(days=1))
    app = make_app(tmp_path)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        await pilot.press("f")
        await seen(app).wait_for(ArticleView.FullText)
        await pilot.pause()
        said = (
            "The full text could not be fetched: HTTP 404 Not Found. Press f to try again,"
            " or o to open the page in your browser."
        )
        assert said in " ".join(screen_text(app).split())
        assert any(str(n.message) == said for n in app._notifications)


async def test_the_pane_says_why_the_poller_could_not_fetch_the_full_text(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """After the poller's own fetch of a page failed (a site that refuses programs), the
    pane still said "Summary only: press f to fetch the full text", as if none had been
    tried. It says why it failed, what to set, and what to press."""
    page = feed_server.add("/botblock.html", Route(b"no bots", status=403))
    feed = feed_server.add(
        "/wire.xml",
        Route(
            rss(
                f"<title>Botblock</title><link>{page}</link><guid>b1</guid>"
                "<description>Summary only for botblock.</description>"
                "<pubDate>Thu, 23 Oct 2025 08:00:00 GMT</pubDate>"
            )
        ),
    )
    config = seed_only_config(tmp_path)
    config.sources.append(Source("Wire", url=feed, full_text=True))
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await until(pilot, lambda: "Botblock" in screen_text(app), 30.0)
        await until(pilot, lambda: bool(feed_server.hits.get("/botblock.html")), 30.0)
        await pilot.press("G")
        await until(pilot, lambda: "Summary only for botblock" in screen_text(app), 30.0)
        await until(pilot, lambda: "Full text failed" in screen_text(app), 30.0)
        shown = " ".join(screen_text(app).split())
    assert "Summary only: press f" not in shown
    assert "Full text failed: HTTP 403 Forbidden" in shown
    assert "set [settings] user_agent" in shown
    assert "Press f to try again, or o to open the page in your browser." in shown


@pytest.mark.parametrize(
    ("zone", "meta"),
    [
        ("Asia/Seoul", "Wire · Fri 2025-10-24 17:00 KST · 2025-10-24 08:00 UTC"),
        ("UTC", "Wire · Fri 2025-10-24 08:00 UTC"),
    ],
)
async def test_the_article_s_time_is_shown_in_utc_too_only_when_the_zone_is_not_utc(
    tmp_path: Path, zone: str, meta: str
) -> None:
    """A desk in Seoul reads the wall time and the UTC time of an article; a monitoring host
    on UTC reads it once, not twice over."""
    linked_article(tmp_path, "https://news.example/talks")
    config = seed_only_config(tmp_path)
    config.settings.timezone = zone
    app = make_app(tmp_path, config, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        lines = [line.strip(" │") for line in screen_text(app).splitlines()]
        assert meta in lines, [line for line in lines if "Wire ·" in line]


def test_which_browser_runs_in_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """$BROWSER's text browser runs in the terminal, display or not; any command it names
    runs there without a display (it was ignored: no link opened over SSH or a console); a
    graphical one named with a display is left to Python's webbrowser."""
    from tui.browser import terminal_browser

    for name in ("w3m", "firefox"):
        made = tmp_path / name
        made.write_text("#!/bin/sh\n")
        made.chmod(0o755)
    link = "https://news.example/talks"
    monkeypatch.setenv("DISPLAY", ":0")
    monkeypatch.setenv("BROWSER", str(tmp_path / "w3m"))
    assert terminal_browser(link) == [str(tmp_path / "w3m"), link]
    monkeypatch.setenv("BROWSER", f"{tmp_path / 'w3m'} -o confirm_qq=0 %s:firefox")
    assert terminal_browser(link) == [str(tmp_path / "w3m"), "-o", "confirm_qq=0", link]
    monkeypatch.setenv("BROWSER", str(tmp_path / "firefox"))
    assert terminal_browser(link) is None  # a display: webbrowser opens it
    monkeypatch.delenv("DISPLAY")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert terminal_browser(link) == [str(tmp_path / "firefox"), link]
    monkeypatch.setenv("BROWSER", str(tmp_path / "missing"))
    assert terminal_browser(link) is None
    monkeypatch.delenv("BROWSER")
    assert terminal_browser(link) is None


async def test_a_resize_keeps_the_place_read_in_a_long_article(tmp_path: Path) -> None:
    """A scrolled article kept its scroll offset in lines across a resize: the text wraps
    anew at another width, and the reader landed a score of paragraphs away. The share of
    the text above the top line is kept."""
    from tests.conftest import until

    paragraphs = [f"Paragraph {n}. {PARAGRAPH * 3}Marker{n:04d}." for n in range(120)]
    long_article(tmp_path, paragraphs)
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen.query_one(ArticleView)
        await until(pilot, lambda: view.article_id == "long" and view.max_scroll_y > 100)
        view.scroll_to(y=round(view.max_scroll_y * 0.4), animate=False, immediate=True)
        await pilot.pause()
        for size in ((200, 60), (150, 40), (120, 40)):
            await pilot.resize_terminal(*size)
            await pilot.pause(0.3)
            if view.max_scroll_y:
                assert abs(view.scroll_y / view.max_scroll_y - 0.4) < 0.02, size


async def test_the_article_scrolls_from_the_keyboard_in_the_wide_layout(tmp_path: Path) -> None:
    """At 120 columns the keys stay in the headlines: a long article could be read on only
    with the mouse, and in the pane (tab to it) `j` `k` `g` `G` did nothing. `space` reads
    on from the headlines; in the pane the keys move as in the headlines."""
    from tests.conftest import until

    paragraphs = [f"Paragraph {n}. {PARAGRAPH * 3}" for n in range(60)]
    long_article(tmp_path, paragraphs)
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen.query_one(ArticleView)
        await until(pilot, lambda: view.article_id == "long" and view.max_scroll_y > 40)
        assert view.scroll_y == 0
        await pilot.press("space")
        await until(pilot, lambda: view.scroll_y > 5)
        assert app.focused is not view  # (the headlines kept the keys)
        while app.focused is not view:
            await pilot.press("tab")
        await pilot.press("G")
        await until(pilot, lambda: view.scroll_y == view.max_scroll_y)
        await pilot.press("g")
        await until(pilot, lambda: view.scroll_y == 0)
        await pilot.press(*"jjjjjjjjjj")  # (typed ahead: each from where the last left it)
        await until(pilot, lambda: view.scroll_y == 10)
        await pilot.press("k")
        await until(pilot, lambda: view.scroll_y == 9)
        page = view.scrollable_content_region.height - 1
        await pilot.press("pagedown", "pagedown", "b")
        await until(pilot, lambda: view.scroll_y == 9 + page)


async def test_escapes_a_store_written_elsewhere_holds_never_reach_the_screen(
    tmp_path: Path,
) -> None:
    """Feed text is cleaned as it is fetched, but a store another program wrote or edited
    is not: a title's OSC sequence retitled the terminal's window and a line break in it
    pushed the row's border out. The row and the article pane show its words alone."""
    hostile = "\x1b]0;PWNED\x07\x1b[31mRed alert\x1b[0m over\nthe port"
    stored_article(tmp_path, "hostile", hostile, source="Wire\x1b[5m", summary="Body \x1b[2Jtext.")
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (120, 40)) as pilot:
        await settle(app, pilot)
        view = app.screen.query_one(ArticleView)
        from tests.conftest import dash, until

        await until(pilot, lambda: view.article_id == "hostile")
        row = dash(app).headlines.render_line(0).text
        assert "Red alert over the port" in row and "Wire" in row
        pane = str(view.query_one("#article-body").render())
        assert "Red alert over the port" in pane and "Body text." in pane
        for shown in (row, pane, str(view.border_title)):
            assert not any(c in shown for c in "\x1b\x07\x9b"), shown


async def test_f_on_a_second_article_leaves_the_first_fetch_to_finish(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`f` on one article, then `f` on the next before the first page came: the second
    cancelled the first, whose text was never stored nor its failure said."""
    page = f"<html><body><article><p>{PARAGRAPH * 3}</p></article></body></html>".encode()
    slow = feed_server.add(
        "/slow.html", Route(page, headers={"Content-Type": "text/html"}, delay=1.0)
    )
    fast = feed_server.add("/fast.html", Route(page, headers={"Content-Type": "text/html"}))
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(id=ident, source="Wire", title=title, link=link, summary="Summary.",
                        published=FROZEN - timedelta(days=n + 1), fetched=FROZEN)
                for n, (ident, title, link) in enumerate(
                    (("one", "Slow page", slow), ("two", "Fast page", fast))
                )
            ]
        )  # fmt: skip
    app = make_app(tmp_path)  # the writer: the texts are stored
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=8)
        await pilot.press("G", "k")  # "one", the second oldest
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "one"
        await pilot.press("f", "j", "f")
        store = dash(app).session.store
        await until(pilot, lambda: bool(store.text("one")) and bool(store.text("two")), 10.0)
        assert "narrowed" in (store.text("one") or "")


async def test_a_text_the_poller_stores_for_the_article_on_screen_is_shown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An article opened before its page came stayed "Summary only" once the poller had
    stored its text, until another article was opened and this one again."""
    from tui.widgets import article as article_module

    monkeypatch.setattr(article_module, "TEXT_RECHECK", 0.2)
    linked_article(tmp_path, "https://news.example/talks", published=FROZEN - timedelta(days=1))
    config = seed_only_config(tmp_path)  # the article's source fetches its pages
    config.sources.append(
        Source("Wire", url="https://news.example/rss", full_text=True, enabled=False)
    )
    app = make_app(tmp_path, config)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot, want=7)
        await pilot.press("G")
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "linked"
        assert "Summary only" in screen_text(app)
        body = "The page came in after the article was opened, as pages do."
        await asyncio.to_thread(dash(app).session.store.set_text, "linked", body, FROZEN)
        await until(pilot, lambda: body in screen_text(app), 5.0)


async def test_a_fetch_that_fails_after_the_reader_moved_on_is_said(
    tmp_path: Path, feed_server: FeedServer
) -> None:
    """`f`, then another article before the page answered 404: the failure was dropped
    with the article no longer on screen, and the reader never learnt why."""
    gone = feed_server.add("/gone.html", Route(b"no", status=404, delay=0.5))
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch(
            [
                Article(id=ident, source="Wire", title=title, link=gone, summary="Summary.",
                        published=FROZEN - timedelta(days=n + 1), fetched=FROZEN)
                for n, (ident, title) in enumerate((("one", "Gone page"), ("two", "Other")))
            ]
        )  # fmt: skip
    app = make_app(tmp_path, poll=False)
    async with piloted(app, (160, 50)) as pilot:
        await settle(app, pilot)
        await pilot.press("G", "k")
        await settle(app, pilot)
        assert dash(app).headlines.current_id == "one"
        await pilot.press("f", "j")
        await until(
            pilot,
            lambda: any(
                "The full text of “Gone page” could not be fetched" in str(n.message)
                for n in app._notifications
            ),
            10.0,
        )
