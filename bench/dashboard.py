"""Dashboard benchmark: first paint, filter-to-repaint and event-loop stalls at 100,000 articles.

Run through `python bench/run.py dashboard`. The app runs headless (Textual's test driver), so
paint here means the app's render pipeline, not a terminal's.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import resource
import shutil
import subprocess
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from textual.css.query import NoMatches
from textual.strip import Strip

from fetchers.config import Config
from fetchers.models import Article, Settings, Source
from fetchers.store import Store
from tui.app import WirewatchApp
from tui.widgets.headlines import HeadlineList


class StallMonitor:
    """Wakes every `tick` seconds and records how late it woke: the event loop's stalls."""

    def __init__(self, tick: float = 0.005) -> None:
        self.tick = tick
        # "load" until the poller starts, "poll" until its first cycle is done, then
        # "hooks" while the cycle's articles are grouped into stories (in a thread)
        self.phase = "load"
        # ("early filter" while the filter typed as the poll starts runs)
        self.worst_in: dict[str, float] = dict.fromkeys(
            ("load", "poll", "hooks", "early filter"), 0.0
        )
        self.worst_gc_in: dict[str, float] = dict.fromkeys(self.worst_in, 0.0)
        self.worst = 0.0
        self.worst_gc = 0.0
        self._gc_started = 0.0
        self.samples = 0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())
        gc.callbacks.append(self._gc)

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        """Track the longest garbage collection: it holds the GIL for its whole length."""
        if phase == "start":
            self._gc_started = time.perf_counter()
        else:
            took = time.perf_counter() - self._gc_started
            self.worst_gc = max(self.worst_gc, took)
            self.worst_gc_in[self.phase] = max(self.worst_gc_in[self.phase], took)

    async def _run(self) -> None:
        while True:
            started = time.perf_counter()
            await asyncio.sleep(self.tick)
            late = time.perf_counter() - started - self.tick
            self.worst = max(self.worst, late)
            self.worst_in[self.phase] = max(self.worst_in[self.phase], late)
            self.samples += 1

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
        if self._gc in gc.callbacks:
            gc.callbacks.remove(self._gc)


def start_feed_server(python: str, shared: Path, feeds: int) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        [
            python,
            str(shared / "feedserver.py"),
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--feeds",
            str(feeds),
            "--items",
            "50",
            "--latency-ms",
            "100",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdout is not None
    while True:
        line = proc.stdout.readline().decode()
        if not line:
            raise RuntimeError("the feed server exited early")
        if line.startswith("READY "):
            return proc, line.split()[1].rstrip("/")


class PaintProbe:
    """Notes when the headlines pane renders rows of a given id list: a paint the user sees."""

    def __init__(self) -> None:
        self.painted: dict[int, float] = {}  # id(ids list) -> first render time
        original = HeadlineList.render_line
        probe = self

        def render_line(widget: HeadlineList, y: int) -> Strip:
            if widget.ids:
                probe.painted.setdefault(id(widget.ids), time.perf_counter())
            return original(widget, y)

        HeadlineList.render_line = render_line  # type: ignore[assignment]

    async def wait(self, app: WirewatchApp, old: list[str] | None) -> float:
        while True:
            ids = None
            if app.dashboard is not None and app.dashboard.is_mounted:
                with contextlib.suppress(NoMatches):  # pushed, its panes not composed yet
                    ids = app.dashboard.headlines.ids
            if ids is not old and id(ids) in self.painted:
                return self.painted[id(ids)]
            await asyncio.sleep(0.001)


async def early_filter(app: WirewatchApp, probe: PaintProbe, out: dict[str, float]) -> None:
    """`tariff` typed from the highlighted row, then cleared (the highlight then rests on
    the article the filter chose, about as far down): the time to the repaint and to the
    whole list. Whether the search thread had read the row numbers then is read without
    the store's lock (`word_queries_settled` takes it, on the screen's thread)."""
    dashboard = app.dashboard
    assert dashboard is not None
    searching = getattr(dashboard.session.store, "_searching", None)  # a PostgreSQL store: none
    out["early settled"] = float(getattr(searching, "orders_read", True))
    for text in ("tariff", ""):
        old = dashboard.headlines.ids
        probe.painted.clear()
        t = time.perf_counter()
        dashboard.set_filter(text)
        took = await probe.wait(app, old) - t
        while dashboard.counting:  # noqa: ASYNC110 - the whole list follows the first page
            await asyncio.sleep(0.001)
        if text:
            out["early filter"], out["early whole"] = took, time.perf_counter() - t


async def measure(data: Path, config: Config, end: datetime) -> dict[str, float]:
    probe = PaintProbe()
    app = WirewatchApp(config, data, clock=lambda: end)
    started = time.perf_counter()
    out: dict[str, float] = {}
    async with app.run_test(size=(160, 50)):
        while app.dashboard is None:  # noqa: ASYNC110 - polling the app's state
            await asyncio.sleep(0.001)
        dashboard = app.dashboard
        store = dashboard.session.store
        out["store_open"] = time.perf_counter() - started
        out["first_paint"] = await probe.wait(app, None) - started
        monitor = StallMonitor()
        monitor.start()
        while dashboard.last_poll is None and time.perf_counter() - started < 120:  # noqa: ASYNC110
            if dashboard.polling and "loaded" not in out:
                out["loaded"] = len(store)  # before the cycle stores anything
                # a word filter typed as soon as the poll starts: the search thread has only
                # begun to read which article each of the index's row numbers stands for
                monitor.phase = "early filter"
                await early_filter(app, probe, out)
                monitor.phase = "poll"
            await asyncio.sleep(0.005)  # the first poll cycle of every source
        out["poll_done"] = time.perf_counter() - started
        await asyncio.sleep(1.0)
        # the cycle's hooks: its articles grouped into stories and the stories saved, in a
        # thread beside the screen (at a million articles, seconds after the poll)
        monitor.phase = "hooks"
        grouping = dashboard.session.newsroom.story_desk.running
        while grouping is not None and not grouping.done():  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        out["hooks_done"] = time.perf_counter() - started
        monitor.stop()
        out["worst_stall"] = monitor.worst
        out["worst_stall_load"] = monitor.worst_in["load"]
        out["worst_stall_poll"] = monitor.worst_in["poll"]
        out["worst_stall_hooks"] = monitor.worst_in["hooks"]
        out["worst_stall_early"] = monitor.worst_in["early filter"]
        out["worst_gc"] = monitor.worst_gc
        out["worst_gc_hooks"] = monitor.worst_gc_in["hooks"]
        out["stall_samples"] = monitor.samples
        settling = time.perf_counter() + 300  # a search index that cannot be used never settles
        while not store.word_queries_settled and time.perf_counter() < settling:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        out["settled"] = float(store.word_queries_settled)  # else the filters read words back
        out["index_ready"] = time.perf_counter() - started
        out["cursor_before"] = float(dashboard.headlines.cursor)
        for label in ("filter ", "filter from the top "):
            if label != "filter ":  # a reader of the newest, not of an article placed far down
                dashboard.headlines.action_first()
                await asyncio.sleep(0.05)
            for text in (
                "tariff",
                'source:"Source 042"',
                "APEC OR Lutnick since:2d",
                "-tariff",
                "",
            ):
                old = dashboard.headlines.ids
                # a list freed since can leave its id to the new one: only paints from now
                probe.painted.clear()
                t = time.perf_counter()
                dashboard.set_filter(text)
                out[f"{label}{text or '(cleared)'}"] = await probe.wait(app, old) - t
                while dashboard.counting:  # noqa: ASYNC110 - a first page: the whole list follows
                    await asyncio.sleep(0.001)
                out[f"whole {label}{text or '(cleared)'}"] = time.perf_counter() - t
        out["stored"] = len(store)
        await app.action_quit()
    return out


def store_by_day(store: Store, articles: list[Article]) -> int:
    """Write `articles` a day of first fetch at a time, as a writer polling all month would
    have, then empty the list (the app, not the bench, should be what the heap holds);
    returns how many were written."""
    by_day: dict[str, list[Article]] = {}
    for a in articles:
        by_day.setdefault(a.fetched.strftime("%Y-%m-%d"), []).append(a)  # type: ignore[union-attr]
    for batch in by_day.values():
        store.add_batch(batch)
    count = len(articles)
    articles.clear()
    by_day.clear()
    gc.collect()
    return count


def bench_dashboard(
    articles: list[Article] | Path,
    python: str,
    shared: Path,
    feeds: int,
    in_place: bool = False,
) -> None:
    """`articles`: stored first, or a data dir holding them, copied (the dashboard polls into
    its store), or with `in_place` used as it is (and kept)."""
    end = datetime(2025, 10, 24, tzinfo=UTC)
    count = -1  # counted by the dashboard, once its store is loaded
    in_place = in_place and isinstance(articles, Path)
    if isinstance(articles, Path) and in_place:
        data = articles
    elif isinstance(articles, Path):
        data = Path(tempfile.mkdtemp(prefix="wirewatch-dash-"))
        shutil.copytree(articles, data, dirs_exist_ok=True)
    else:
        data = Path(tempfile.mkdtemp(prefix="wirewatch-dash-"))
        with Store(data, writer=True) as store:
            count = store_by_day(store, articles)
    server, base = start_feed_server(python, shared, feeds)
    try:
        with urllib.request.urlopen(f"{base}/urls.txt") as response:
            urls = response.read().decode().split()
        sources = [Source(f"Feed {n:03d}", url=url) for n, url in enumerate(urls)]
        settings = Settings(concurrency=8, retention_days=100_000)
        config = Config(path=data / "bench.toml", settings=settings, sources=sources)
        result = asyncio.run(measure(data, config, end))
    finally:
        server.terminate()
        server.wait()
        if not in_place:
            shutil.rmtree(data, ignore_errors=True)
    if count < 0:
        count = int(result.get("loaded", result["stored"]))
    print(f"dashboard benchmark: {count:,} stored articles, a poll of {feeds} feeds")
    print(f"  store open (in a thread):             {result['store_open']:8.2f} s")
    print(f"  first paint (rows on screen):         {result['first_paint']:8.2f} s   budget 1.5 s")
    print(f"  first poll cycle done after:          {result['poll_done']:8.2f} s")
    if "early filter" in result:
        when = "after" if result["early settled"] else "before"
        print(
            f"  filter tariff as the poll starts:     {result['early filter'] * 1000:8.0f} ms"
            f"  budget 100 ms  (whole list {result['early whole'] * 1000:.0f} ms; {when} the"
            " row numbers were read; the longest event-loop stall meanwhile"
            f" {result['worst_stall_early'] * 1000:.0f} ms, not counted in the poll's below;"
            " the poll goes on meanwhile, and is done after both)"
        )
    if result["settled"]:
        print(f"  word queries settled after:           {result['index_ready']:8.2f} s")
    else:
        print("  word queries never settled (gave up at 300 s): the filters below read words back")
    print(
        f"  the highlighted row before the filters: {int(result['cursor_before']):,}"
        " (then the filters again from the first row)"
    )
    for key, value in result.items():
        if key.startswith("filter "):
            label = key.removeprefix("filter ")
            whole = result[f"whole {key}"]
            print(
                f"  filter {label:<44} {value * 1000:8.0f} ms  budget 100 ms"
                f"  (whole list {whole * 1000:.0f} ms)"
            )
    print(
        f"  longest event-loop stall in the poll: {result['worst_stall_poll'] * 1000:8.0f} ms  "
        f"budget 100 ms ({int(result['stall_samples'])} samples from the first paint)"
    )
    hooks, gc_hooks = result["worst_stall_hooks"] * 1000, result["worst_gc_hooks"] * 1000
    print(
        f"  and while the cycle's articles were grouped: {hooks:.0f} ms (the grouping and its"
        f" save done {result['hooks_done'] - result['poll_done']:.1f} s after the poll; longest"
        f" garbage collection then {gc_hooks:.0f} ms)"
    )
    print(
        "  and from the first paint until the poller started (the rest of the store loading):"
        f" {result['worst_stall_load'] * 1000:.0f} ms"
    )
    print(f"  longest garbage collection then:      {result['worst_gc'] * 1000:8.0f} ms")
    print(f"  articles after the poll:              {int(result['stored']):8,}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of the process:              {peak:8.0f} MB (a store built here counts too)")
