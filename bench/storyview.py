"""The story view at 100,000 articles: the stories read behind the first paint, the switch to
story rows (S) and a filter's repaint in them.

Run through `python bench/run.py storyview`. The synthetic articles share few words, so nearly
every article is a story of its own: the most story rows the view can be asked to hold. The
app is a viewer (no polling), so what is timed is the view alone.
"""

from __future__ import annotations

import asyncio
import gc
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.dashboard import PaintProbe, store_by_day
from fetchers.config import Config
from fetchers.models import Article
from fetchers.query import parse_query
from fetchers.store import Store
from fetchers.storybook import StoryBook
from tui.app import WirewatchApp

FILTERS = ("tariff", 'source:"Source 042"', "outlets:<=2", "-tariff", "")  # each matches some


async def measure(data: Path, end: datetime) -> dict[str, float]:
    probe = PaintProbe()
    config = Config(path=data / "bench.toml")
    app = WirewatchApp(config, data, clock=lambda: end, poll=False)
    started = time.perf_counter()
    out: dict[str, float] = {}
    async with app.run_test(size=(160, 50)):
        out["first_paint"] = await probe.wait(app, None) - started
        dashboard = app.dashboard
        assert dashboard is not None
        session = dashboard.session
        while session.shelf is None:  # noqa: ASYNC110 - polling the app's state
            await asyncio.sleep(0.01)
        out["stories_read"] = time.perf_counter() - started
        out["stories"] = len(session.shelf)
        settling = time.perf_counter() + 300  # a search index that cannot be used never settles
        while not session.store.word_queries_settled and time.perf_counter() < settling:  # noqa: ASYNC110
            await asyncio.sleep(0.05)
        old = dashboard.headlines.ids
        t = time.perf_counter()
        dashboard.action_toggle_stories()
        out["switch"] = await probe.wait(app, old) - t
        assert dashboard.headlines.story_rows
        for text in FILTERS:
            old = dashboard.headlines.ids
            t = time.perf_counter()
            dashboard.set_filter(text)
            out[f"filter {text or '(cleared)'}"] = await probe.wait(app, old) - t
        # the CPU of what a filter asks in its worker (the store's query, the stories matched),
        # in this thread alone: wall time on a shared machine says more of the others
        for text in FILTERS:
            query = parse_query(text, end, UTC, session.shelf)
            spent = []
            for _ in range(5):
                started_cpu = time.thread_time()
                session.matches(query, None, stories=session.shelf)
                spent.append(time.thread_time() - started_cpu)
            out[f"cpu {text or '(cleared)'}"] = min(spent)
        await app.action_quit()
    return out


def bench_storyview(articles: list[Article]) -> None:
    data = Path(tempfile.mkdtemp(prefix="wirewatch-storyview-"))
    end = datetime(2025, 10, 24, tzinfo=UTC)
    try:
        with Store(data, writer=True) as store:
            count = store_by_day(store, articles)
            t = time.perf_counter()
            StoryBook(data).update(store, [], removed=False)  # the writer's first grouping
            grouping = time.perf_counter() - t
        gc.collect()
        result = asyncio.run(measure(data, end))
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print(f"story view benchmark: {count:,} stored articles, {int(result['stories']):,} stories")
    print(f"  grouping every article (the writer, once): {grouping:8.2f} s")
    paint, switch = result["first_paint"], result["switch"] * 1000
    print(f"  first paint (headlines):                   {paint:8.2f} s   budget 1.5 s")
    print(f"  stories read (a thread, after the load):   {result['stories_read']:8.2f} s")
    print(f"  S: story rows on screen                    {switch:8.0f} ms  budget 1.5 s")
    for key, value in result.items():
        if key.startswith("filter "):
            label = key.removeprefix("filter ")
            print(f"  filter in stories {label:<24} {value * 1000:8.0f} ms  budget 100 ms")
    for key, value in result.items():
        if key.startswith("cpu "):
            label = key.removeprefix("cpu ")
            print(f"  its query and stories, CPU {label:<15} {value * 1000:8.0f} ms  (best of 5)")
