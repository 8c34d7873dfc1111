"""Shared fixtures: a frozen clock, the embedded config, a real HTTP server on 127.0.0.1, and
dashboards to drive through Pilot (with the messages their workers end in, to wait on)."""

from __future__ import annotations

import asyncio
import gzip
import html
import itertools
import json
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

import pytest
from textual import events
from textual.app import App
from textual.keys import _character_to_key
from textual.message import Message
from textual.pilot import Pilot

from fetchers import heap
from fetchers.config import Config, load_config, seeds_dir
from fetchers.healthbook import HealthBook
from fetchers.models import Article, Event, PollResult, Settings, Source, utc_iso
from fetchers.poller import Poller
from fetchers.store import ArticleStore, Store
from fetchers.storybook import StoryBook
from tests import pgserver
from tests.pgserver import PgServer
from tui.app import WirewatchApp
from tui.messages import EventsLoaded, QueryDone, StoreLoaded
from tui.screens.dashboard import DashboardScreen
from tui.widgets.article import ArticleView

FROZEN = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)  # Friday 17:00 in Seoul, the story's day

# The dashboards of the tests draw as on a terminal of millions of colours, whatever terminal
# runs the tests (one of 16 colours, TERM=xterm without COLORTERM, is given other cursor colours:
# `tui.theme.for_terminal`); a test of another asks for it
os.environ["COLORTERM"] = "truecolor"


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """One PostgreSQL server for the session (initdb into a temporary directory, removed at
    the end)."""
    server = pgserver.start()
    try:
        yield server
    finally:
        server.stop()


_databases = itertools.count(1)


@pytest.fixture
def pg_dsn(pg_server: PgServer) -> str:
    """The DSN of a database of this test's own, with a password in it."""
    return pg_server.create_database(f"t{os.getpid()}_{next(_databases)}")


class StoreOpener:
    """Opens the store of one backend, again and again, as processes do (`writer`, and for
    TinyDB `first`, `lean` and `word_index`)."""

    def __init__(self, backend: str, folder: Path, dsn: str | None) -> None:
        self.backend = backend
        self.folder = folder
        self.dsn = dsn

    def __call__(
        self,
        writer: bool = False,
        first: int | None = None,
        lean: bool = False,
        word_index: bool = False,
    ) -> ArticleStore:
        if self.backend == "postgresql":
            from fetchers.store.postgres.store import PostgresStore

            assert self.dsn is not None
            return PostgresStore(self.dsn, writer=writer)
        return Store(self.folder, writer=writer, first=first, lean=lean, word_index=word_index)

    def make_schema_newer(self) -> None:
        """Leave the store as a newer wirewatch would (a schema version beyond this one's)."""
        if self.backend == "postgresql":
            import psycopg

            assert self.dsn is not None
            with self(writer=True):
                pass  # the tables exist
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute("UPDATE schema_version SET version = 99")
        else:
            (self.folder / "meta.json").write_text('{"schema": 99}')

    def write_by_hand(self, ident: str, tags: object, revisions: object) -> None:
        """Give one stored article tags and revisions as a person editing the store by hand
        might: a null among the tags, revisions that are no list."""
        if self.backend == "postgresql":
            import psycopg
            from psycopg.types.json import Jsonb

            assert self.dsn is not None
            with psycopg.connect(self.dsn, autocommit=True) as conn:
                conn.execute(
                    "UPDATE articles SET tags = %s::text[], revisions = %s,"
                    " text_revisions = %s WHERE id = %s",
                    (tags, Jsonb(revisions), Jsonb(revisions), ident),
                )
            return
        for path in self.folder.glob("articles-*.json"):
            table = json.loads(path.read_text("utf-8"))
            for doc in table["articles"].values():
                if doc.get("id") == ident:
                    doc["tags"], doc["revisions"] = tags, revisions
                    path.write_text(json.dumps(table), "utf-8")
        for rows in self.folder.glob("rows-*.json"):  # the documents, not the row cache
            rows.unlink()


@pytest.fixture(params=["tinydb", "postgresql"])
def open_store(request: pytest.FixtureRequest, tmp_path: Path) -> StoreOpener:
    """The store under test, of each backend: the same tests hold for both."""
    if request.param == "postgresql":
        dsn = request.getfixturevalue("pg_dsn")
        return StoreOpener("postgresql", tmp_path, dsn)
    return StoreOpener("tinydb", tmp_path, None)


@pytest.fixture(autouse=True)
def _no_heap_settler_left() -> Iterator[None]:
    """A dashboard's session settles the heap whenever the collector resumes, while it
    lives: one a test leaves open must not go on settling it through the tests after it."""
    yield
    heap._settlers.clear()


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Keep the developer's own config and data out of every test (and their tmux's paste
    buffer: `o` copies through tmux inside it)."""
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("WIREWATCH_CONFIG", raising=False)
    monkeypatch.delenv("WIREWATCH_DATA", raising=False)
    monkeypatch.delenv("WIREWATCH_NOW", raising=False)
    monkeypatch.delenv("WIREWATCH_DSN", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def no_proxies(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """An environment without the proxies of the machine running the tests."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    return monkeypatch


@pytest.fixture
def now() -> datetime:
    return FROZEN


@pytest.fixture
def seed_config(now: datetime) -> Config:
    return load_config(seeds_dir() / "wirewatch.toml", now)


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    drip: float = 0.0  # seconds between single bytes of the body
    gzip: bool = False
    etag: str | None = None
    phrase: str | None = None  # the reason phrase, when not the standard one
    # a request for it sets `asked`, and its answer waits for `held` (a minute at most): what
    # a test does while a command waits on this feed is done before the command goes on
    asked: threading.Event | None = None
    held: threading.Event | None = None


@dataclass
class FeedServer:
    base: str
    routes: dict[str, Route]
    hits: dict[str, list[dict[str, str]]]
    # "now" and "max": requests being served at once ("max HOST": of those, the most for one
    # Host, as a proxy is asked for many); "connections"
    load: dict[str, int]

    def url(self, path: str) -> str:
        return self.base + path

    def add(self, path: str, route: Route) -> str:
        self.routes[path] = route
        return self.url(path)


class _Handler(BaseHTTPRequestHandler):
    server_version = "wwtest/1"
    protocol_version = "HTTP/1.1"  # keep-alive, as real servers do
    routes: dict[str, Route]
    hits: dict[str, list[dict[str, str]]]
    load: dict[str, int]
    lock: threading.Lock

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def setup(self) -> None:  # one handler per TCP connection
        super().setup()
        with self.lock:
            self.load["connections"] += 1

    def do_GET(self) -> None:  # noqa: N802
        host = self.headers.get("Host", "")
        with self.lock:
            self.hits.setdefault(self.path, []).append(dict(self.headers.items()))
            self.load["now"] += 1
            self.load["max"] = max(self.load["max"], self.load["now"])
            at_host = self.load[f"now {host}"] = self.load.get(f"now {host}", 0) + 1
            self.load[f"max {host}"] = max(self.load.get(f"max {host}", 0), at_host)
        try:
            self._serve()
        finally:
            with self.lock:
                self.load["now"] -= 1
                self.load[f"now {host}"] -= 1

    def _serve(self) -> None:
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404)
            return
        if route.asked is not None:
            route.asked.set()
        if route.held is not None:
            route.held.wait(60)
        if route.delay:
            time.sleep(route.delay)
        if route.etag and self.headers.get("If-None-Match") == route.etag:
            self.send_response(304)
            self.send_header("ETag", route.etag)
            self.end_headers()
            return
        body = gzip.compress(route.body) if route.gzip else route.body
        self.send_response(route.status, route.phrase)
        for key, value in route.headers.items():
            self.send_header(key, value)
        if route.gzip:
            self.send_header("Content-Encoding", "gzip")
        if route.etag:
            self.send_header("ETag", route.etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            if route.drip:
                for byte in body:
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(route.drip)
            else:
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def feed_server() -> Iterator[FeedServer]:
    routes: dict[str, Route] = {}
    hits: dict[str, list[dict[str, str]]] = {}
    load = {"now": 0, "max": 0, "connections": 0}
    attrs = {"routes": routes, "hits": hits, "load": load, "lock": threading.Lock()}
    handler = type("Handler", (_Handler,), attrs)
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler, bind_and_activate=False)
    server.request_queue_size = 128  # the default 5 drops connects under parallel polls
    server.server_bind()
    server.server_activate()
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FeedServer(f"http://127.0.0.1:{server.server_address[1]}", routes, hits, load)
    finally:
        server.shutdown()
        server.server_close()


def rss(*items: str, encoding: str = "utf-8", title: str = "Test feed") -> bytes:
    """A small RSS 2.0 document with the given <item> bodies."""
    inner = "".join(f"<item>{i}</item>" for i in items)
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?><rss version="2.0"><channel>'
        f"<title>{title}</title><link>https://example.org/</link>{inner}</channel></rss>"
    )
    return doc.encode(encoding)


def config_for(tmp_path: Path, *sources: Source, timeout: float = 5.0) -> Config:
    """A config of just these sources, with small limits."""
    settings = Settings(timeout=timeout, max_body=2_000_000, concurrency=8)
    return Config(path=tmp_path / "wirewatch.toml", settings=settings, sources=list(sources))


async def poll_once(
    tmp_path: Path, now: datetime, *sources: Source
) -> tuple[dict[str, PollResult], Poller]:
    """One poll of `sources` into the store in tmp_path/data (closed after): the results by
    source name, and the poller (its health)."""
    store = Store(tmp_path / "data", writer=True)
    poller = Poller(
        config_for(tmp_path, *sources), store, lambda: now, health=HealthBook(tmp_path / "data")
    )
    try:
        return {r.source: r for r in await poller.poll()}, poller
    finally:
        await poller.aclose()
        store.close()


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, "utf-8")
    return path


@dataclass
class AlertedFeed:
    """A feed on the test server, the one source of a config with one alert rule, refreshed
    once (its first items are a backlog, which fires no alert): a command-line test then
    edits it with `serve` between refreshes, as its outlet would."""

    feed_server: FeedServer
    path: str
    options: list[str]  # --config and --data-dir, to give `main`

    def serve(self, *items: str) -> None:
        self.feed_server.add(self.path, Route(rss(*items)))

    def alerts_fired(self, capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
        """The alerts fired so far, as `alerts --json` lists them."""
        from tui.cli import main  # (only command-line tests load the command line)

        assert main([*self.options, "alerts", "--json"]) == 0
        return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def alerted_feed(
    tmp_path: Path, feed_server: FeedServer, path: str, items: list[str], source: str, alert: str
) -> AlertedFeed:
    """The feed of `items` served at `path`, subscribed as the source `source` (its TOML keys
    but the url) under the alert rule `alert` (its TOML keys), and refreshed once."""
    from tui.cli import main  # (only command-line tests load the command line)

    url = feed_server.add(path, Route(rss(*items)))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\n{source}\nurl = "{url}"\n[[alerts]]\n{alert}\n')
    options = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert main([*options, "refresh"]) == 0
    return AlertedFeed(feed_server, path, options)


# -- dashboards ------------------------------------------------------------------------------
HOSTILE = [
    "[/b] closes nothing",
    "[$accent]Price[/] up [link=https://evil.example]click[/link]",
    "[bold red]Shouting[/bold red] headline",
]
M = TypeVar("M", bound=Message)


def seed_only_config(tmp_path: Path) -> Config:
    """The embedded default with its network sources switched off."""
    config = load_config(seeds_dir() / "wirewatch.toml", FROZEN)
    for source in config.sources:
        source.enabled = source.path is not None
    return config


def make_app(
    tmp_path: Path, config: Config | None = None, hostile: bool = False, poll: bool = True
) -> WirewatchApp:
    """A dashboard on the embedded default (network sources off) with a frozen clock."""
    data = tmp_path / "data"
    if hostile:
        with Store(data, writer=True) as store:
            store.add_batch(
                [
                    Article(
                        id=f"h{n}",
                        source="Hostile",
                        title=title,
                        fetched=FROZEN,
                        summary=title,
                        published=FROZEN,
                    )
                    for n, title in enumerate(HOSTILE)
                ]
            )
    return WirewatchApp(config or seed_only_config(tmp_path), data, clock=lambda: FROZEN, poll=poll)


def many_events_app(tmp_path: Path, count: int = 500) -> tuple[WirewatchApp, dict[str, datetime]]:
    """A dashboard of `count` events ("Deadline 000" on, two hours ahead then one every 7
    seconds) on a clock the test moves (`clock["now"]`): what a second redraws is seen on
    as many events as a busy desk keeps."""
    config = seed_only_config(tmp_path)
    config.events = [
        Event(f"Deadline {n:03d}", FROZEN + timedelta(hours=2, seconds=7 * n), "UTC")
        for n in range(count)
    ]
    app = make_app(tmp_path, config)
    clock = {"now": FROZEN}
    app.clock = lambda: clock["now"]
    return app, clock


class Seen:
    """Every message the app's widgets receive (run_test's message_hook), to wait on one."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self._ids: set[int] = set()  # (each message is held in `messages`: ids stay its own)
        self._arrived = asyncio.Event()

    def __call__(self, message: Message) -> None:
        # once: a message bubbling up is received again by each parent, and a late copy of
        # one waited for before satisfied the wait after a later mark
        if id(message) in self._ids:
            return
        self._ids.add(id(message))
        self.messages.append(message)
        self._arrived.set()

    def mark(self) -> int:
        """Where the messages from now on start."""
        return len(self.messages)

    async def wait_for(
        self,
        kind: type[M],
        match: Callable[[M], bool] = lambda _: True,
        since: int = 0,
        patience: float = 60.0,
    ) -> M:
        """The first message of `kind` from `since` on for which `match` holds."""
        async with asyncio.timeout(patience):
            while True:
                for message in self.messages[since:]:
                    if isinstance(message, kind) and match(message):
                        return message
                since = len(self.messages)
                self._arrived.clear()
                await self._arrived.wait()


_SEEN: WeakKeyDictionary[App[None], Seen] = WeakKeyDictionary()


@asynccontextmanager
async def piloted(app: WirewatchApp, size: tuple[int, int] = (160, 50)) -> AsyncIterator[Pilot]:
    """`app.run_test`, recording the messages `seen(app)` waits on."""
    recorder = _SEEN[app] = Seen()
    async with app.run_test(size=size, message_hook=recorder) as pilot:
        yield pilot


def seen(app: WirewatchApp) -> Seen:
    return _SEEN[app]


async def until(pilot: Pilot, holds: Callable[[], bool], patience: float = 30.0) -> None:
    """Pause until `holds()` (what a thread worker's message leads to on screen), for at
    most `patience` seconds: a single pause assumed the worker quicker than the screen."""
    async with asyncio.timeout(patience):
        while not holds():
            await pilot.pause(0.05)


async def settle(app: WirewatchApp, pilot: Pilot, want: int = 1) -> DashboardScreen:
    """The dashboard, once the whole store is loaded, the query last run has answered with at
    least `want` stored articles and the highlighted article is in the article pane."""
    messages = seen(app)
    await messages.wait_for(StoreLoaded)
    await messages.wait_for(EventsLoaded)
    dashboard = app.dashboard
    assert dashboard is not None
    while True:
        done = await messages.wait_for(
            QueryDone,
            lambda m: (
                m.generation == dashboard.generation
                and m.matches.total >= want
                and not m.matches.partial  # a big store's first page: the whole list follows
            ),
        )
        await pilot.pause()
        if done.generation == dashboard.generation:
            break
    current = dashboard.headlines.current_id
    if current is not None:
        await messages.wait_for(ArticleView.Loaded, lambda m: m.article_id == current)
    await pilot.pause()
    return dashboard


async def palette_search(pilot: Pilot[None], text: str) -> None:
    """Open the command palette and type `text` into it, waiting for its answers."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.3)
    for key in text:
        await pilot.press(key)
    await pilot.pause(0.5)


def screen_text(app: App[None]) -> str:
    """What the terminal shows, as plain characters (from the screenshot SVG)."""
    svg = app.export_screenshot()
    body = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", "", body)).replace("\xa0", " ")


def status_text(app: WirewatchApp) -> str:
    """The dashboard's status line; empty while the store still opens (in a thread, before
    the dashboard is pushed)."""
    if app.dashboard is None or not app.dashboard.is_mounted:
        return ""
    return str(app.dashboard.query_one("#status").render())


def send_in_one_read(app: App[None], text: str) -> None:
    """Every key of `text` queued at once, as a terminal read over SSH delivers them."""
    assert app._driver is not None
    for ch in text:
        key = {" ": "space", "\t": "tab"}.get(ch) or (ch if ch.isalnum() else _character_to_key(ch))
        app._driver.send_message(events.Key(key, ch))


def send_keys_in_one_read(app: App[None], *keys: str) -> None:
    """Keys by name ("s", "down", "enter") queued at once."""
    assert app._driver is not None
    for key in keys:
        app._driver.send_message(events.Key(key, key if len(key) == 1 else None))


STORE_READS = ("get", "record", "records", "iter_articles", "text", "revisions", "text_revisions")


def reads_on_this_thread(store: ArticleStore, elsewhere: list[str] | None = None) -> list[str]:
    """The store's reads made on the calling (the screen's) thread from now on, as they
    happen (on PostgreSQL each is a query); `elsewhere` gets those made in other threads."""
    screen_thread = threading.get_ident()
    asked: list[str] = []
    for name in STORE_READS:
        method = getattr(store, name)

        def counted(*args, _name=name, _method=method, **kwargs):  # type: ignore[no-untyped-def]
            if threading.get_ident() == screen_thread:
                asked.append(_name)
            elif elsewhere is not None:
                elsewhere.append(_name)
            return _method(*args, **kwargs)

        setattr(store, name, counted)
    return asked


def dash(app: WirewatchApp) -> DashboardScreen:
    """The app's dashboard screen (shown once the store is open)."""
    assert app.dashboard is not None
    return app.dashboard


# One event from three outlets (Yonhap first), and the same topic's other event (a hard
# negative: the US-Japan deal is not the US-Korea deal).
EVENT = [
    (
        "Yonhap",
        "Trump announces US-South Korea trade agreement, imposes 15% tariff on South Korea",
        "South Korean products will be subject to a 15% tariff, while South Korea will invest "
        "$350 billion in the United States.",
        5.0,
    ),
    (
        "Reuters",
        "Trump Lowers Tariffs on Korea to 15% After $350B Investment Deal",
        "Trump said the United States and South Korea reached a new trade agreement, reducing "
        "reciprocal tariffs from 25% to 15%.",
        4.0,
    ),
    (
        "AP",
        "Trump slashes tariffs on South Korea in landmark trade deal worth $350 billion",
        "The US will impose a 15% tariff on South Korean imports, down from a proposed 25%, "
        "with a $350 billion investment.",
        3.0,
    ),
]
NEGATIVE = (
    "NHK",
    "Trump claims Japan trade deal imposes 15% tariff on goods from Asian superpower",
    "Trump said he struck a trade deal with Japan, a 15% tariff lower than the 25% he had "
    "threatened, with $550 billion in Japanese investment.",
    2.0,
)
REVISED_TITLE = "Trump slashes tariffs on South Korea in landmark $350 billion trade pact"


def article(n: int, source: str, title: str, summary: str, hours_ago: float) -> Article:
    when = FROZEN - timedelta(hours=hours_ago)
    return Article(
        id=f"a{n}",
        source=source,
        title=title,
        summary=summary,
        link=f"https://{source.lower()}.example/{n}",
        published=when,
        fetched=when + timedelta(minutes=5),
    )


def newsroom_data(tmp_path: Path) -> Path:
    """The data dir: the event, the hard negative, AP's headline revised an hour later, and
    the stories grouped as the writer's cycle groups them."""
    data = tmp_path / "data"
    items = [article(n, *row) for n, row in enumerate([*EVENT, NEGATIVE])]
    with Store(data, writer=True) as store:
        store.add_batch(items)
        revised = article(2, *EVENT[2])
        revised.title = REVISED_TITLE
        revised.fetched = FROZEN - timedelta(hours=1)
        store.add_batch([revised])
        StoryBook(data).update(store, [a.id for a in items], removed=False)
    return data


# -- stories across outlets ------------------------------------------------------------------
def story_item(guid: str, title: str, summary: str, when: str) -> str:
    return (
        f"<title>{title}</title><guid>{guid}</guid><description>{summary}</description>"
        f"<pubDate>{when}</pubDate>"
    )


YONHAP_1 = story_item(
    "y1",
    "S. Korea, US strike deal on tariff negotiations after Lee-Trump summit in Gyeongju",
    "Seoul and Washington settled their tariff negotiations at the Lee-Trump summit in "
    "Gyeongju, with $200 billion of cash investment capped at $20 billion a year.",
    "Wed, 29 Oct 2025 10:30:00 GMT",
)
YONHAP_2 = story_item(
    "y2",
    "Magnitude 7.4 earthquake strikes off Taiwan's east coast near Hualien",
    "A strong earthquake struck off Taiwan's east coast, toppling buildings in Hualien.",
    "Wed, 29 Oct 2025 11:00:00 GMT",
)
HERALD = story_item(
    "h1",
    "Korea, US finalize tariff deal with $20b annual cap on cash investment after Gyeongju summit",
    "The deal settles the tariff negotiations: $200 billion in cash investment, capped at "
    "$20 billion a year, after Lee and Trump met in Gyeongju.",
    "Wed, 29 Oct 2025 11:00:00 GMT",
)


@pytest.fixture
def story_desk(tmp_path: Path, feed_server: FeedServer) -> tuple[list[str], dict[str, Route]]:
    """Two outlets on a loopback server (Yonhap with two stories, the Herald with none yet)
    and the CLI arguments that read them; `routes` change what a feed says next."""
    routes = {"/yonhap.xml": Route(rss(YONHAP_1, YONHAP_2)), "/herald.xml": Route(rss())}
    config = tmp_path / "c.toml"
    config.write_text(
        "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{feed_server.add(path, routes[path])}"\n'
            for name, path in (("Yonhap", "/yonhap.xml"), ("Korea Herald", "/herald.xml"))
        )
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    where += ["--now", "2025-10-29T21:00:00+09:00"]
    return where, routes


ARCHIVE_TITLES = [  # one story, as an outlet's archive words it again and again
    "Seoul, Washington still far apart in tariff talks ahead of APEC",
    "Seoul and Washington still far apart in tariff talks before APEC",
    "Seoul, Washington remain far apart in tariff talks ahead of APEC summit",
    "Tariff talks: Seoul, Washington still far apart ahead of APEC",
    "Seoul, Washington still far apart on tariffs in talks ahead of APEC",
    "Seoul-Washington tariff talks still far apart ahead of APEC",
]


def archive_added(
    tmp_path: Path, feed_server: FeedServer, now: datetime, watch: Iterable[str] = ()
) -> list[str]:
    """A desk that refreshed its wire (two headlines of the tariff talks, dated two hours
    and one hour before `now`, and a weather item) at `now`, then was given the Archive,
    whose feed holds six undated headlines of the same story, and refreshed a minute later;
    returns the CLI arguments that read it (its data dir tmp_path/data; no --now)."""
    from tui.cli import main

    def dated(guid: str, title: str, hours_before: int) -> str:
        when = format_datetime(now - timedelta(hours=hours_before), usegmt=True)
        return f"<title>{title}</title><guid>{guid}</guid><pubDate>{when}</pubDate>"

    wire = feed_server.add(
        "/wire.xml",
        Route(
            rss(
                dated("w1", "Seoul and Washington resume tariff talks ahead of APEC", 2),
                dated("w2", "Tariff talks between Seoul and Washington stall over a fund", 1),
                dated("w3", "Heavy snow expected in Gangwon province", 1),
            )
        ),
    )
    archive = feed_server.add(
        "/archive.xml",
        Route(rss(*(f"<title>{t}</title><guid>a{n}</guid>" for n, t in enumerate(ARCHIVE_TITLES)))),
    )
    config = tmp_path / "c.toml"
    terms = ", ".join(json.dumps(term) for term in watch)
    text = f"[watch]\nterms = [{terms}]\n" if terms else ""
    text += f'[[sources]]\nname = "Wire"\nurl = "{wire}"\n'
    config.write_text(text)
    where = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert main([*where, "refresh", "--now", utc_iso(now) or ""]) == 0
    config.write_text(text + f'[[sources]]\nname = "Archive"\nurl = "{archive}"\n')
    assert main([*where, "refresh", "--now", utc_iso(now + timedelta(minutes=1)) or ""]) == 0
    return where


# -- articles for the store tests ------------------------------------------------------------
def make(
    n: int, source: str = "Wire", fetched: datetime | None = None, text: str | None = None
) -> Article:
    """Article n of a source: a headline about tariffs, a link, a time n minutes past 07:00."""
    when = datetime(2025, 10, 24, 7, 0, tzinfo=UTC) + timedelta(minutes=n)
    return Article(
        id=f"{source}-{n}",
        source=source,
        title=f"Headline {n} about tariffs",
        link=f"https://example.org/{source}/{n}",
        published=when,
        fetched=fetched or when,
        summary=f"Summary {n}",
        text=text,
        tags=["korea"],
    )


def summaries_held(store: Store, ids: Iterable[str]) -> int:
    """How many of these articles' summaries a data-dir store holds in memory (what a
    lean writer lets go of; what it gives back is read from disk, so only its records tell)."""
    records = store._indexes.records
    return sum(1 for i in ids if i in records and records[i].summary)


def stories_file(path: Path) -> dict[str, list[str]]:
    """The stories a stories file holds, read as its format says: a header line
    `{"format": 2}`, then objects of story id -> article ids, one a line."""
    header, *lines = path.read_text().splitlines()
    assert json.loads(header) == {"format": 2}
    stories: dict[str, list[str]] = {}
    for line in lines:
        stories.update(json.loads(line))
    return stories
