"""The PostgreSQL store (`python bench/run.py pg [--articles N] [--feeds N]`).

A server of its own (initdb into a temporary folder, as the tests start one) is filled with N
articles of `FakeNews` over 30 days, a third with full texts. Then, each as a whole process
(imports included, /usr/bin/time): `wirewatch list --limit 20`, and word queries; a headless
dashboard viewer until it has its stories, its story view and filters there, and its peak
RSS; a viewer's store (open,
the ids of the list a dashboard shows, the first 200 records, a reload) and its peak RSS.
With `--keep DIR` the server and its filled database are kept in DIR, and a later run with
the same DIR and N measures them again without filling. Then the shared feed server's N
feeds are refreshed into an empty database by one `wirewatch refresh` and, into another, by
two at once that share the sources.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

import psycopg

VIEWER = """
import json, sys, time
from fetchers.store.postgres.store import PostgresStore
started = time.perf_counter()
store = PostgresStore(sys.argv[1])
ids = store.query_ids(None, store.list_window)
records = store.records(ids[:200])
store.reload()
took = time.perf_counter() - started
status = open("/proc/self/status").read()
rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"took": took, "ids": len(ids), "records": len(records), "rss": rss}))
"""

DASHBOARD = """
import asyncio, contextlib, json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from textual.css.query import NoMatches
from fetchers.config import Config, StoreConfig
from tui.app import WirewatchApp
from tui.messages import QueryDone

async def main():
    folder = Path(sys.argv[2])
    config = Config(path=folder / "wirewatch.toml", store=StoreConfig("postgresql", sys.argv[1]))
    app = WirewatchApp(config, folder, clock=lambda: datetime(2025, 10, 24, tzinfo=UTC),
                       poll=False)
    done = []  # the filters' answers, as they arrive

    def hook(message):
        if isinstance(message, QueryDone):
            done.append(message)

    async def answered(act):  # seconds from `act` to the answer of the query it ran
        dashboard, began = app.dashboard, time.perf_counter()
        act()
        while not any(m.generation == dashboard.generation for m in done):
            await asyncio.sleep(0.005)
        return time.perf_counter() - began

    started = time.perf_counter()
    async with app.run_test(size=(160, 50), message_hook=hook):
        ids = None
        while not ids:
            await asyncio.sleep(0.01)
            if app.dashboard is not None and app.dashboard.is_mounted:
                with contextlib.suppress(NoMatches):
                    ids = app.dashboard.headlines.ids
        painted = time.perf_counter() - started
        grouped = None
        for _ in range(6000):  # the stories, grouped in a paced thread (at most 10 minutes)
            if app.dashboard.session.shelf is not None:
                grouped = time.perf_counter() - started
                break
            await asyncio.sleep(0.1)
        await asyncio.sleep(5)  # the viewer's looks every 2 s
        viewer = not app.dashboard.session.store.is_writer
        stories = len(app.dashboard.session.shelf or ())
        dashboard, lists, views = app.dashboard, {}, {}
        filters = ("tariff", "outlets:>=3", "-tariff", "zzzqqq", "since:3d")
        for text in filters:  # the article list's filters, then the story view's (S)
            lists[text] = await answered(lambda: dashboard.set_filter(text))
        if grouped is not None:
            dashboard.set_filter("")
            views["S"] = await answered(dashboard.action_toggle_stories)
            for text in filters:
                views[text] = await answered(lambda: dashboard.set_filter(text))
        await app.action_quit()
    status = open("/proc/self/status").read()
    rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
    print(json.dumps({"painted": painted, "rows": len(ids), "rss": rss, "viewer": viewer,
                      "grouped": grouped, "stories": stories, "lists": lists,
                      "views": views}))

asyncio.run(main())
"""

AFTER_IMPORTS = """
import contextlib, io, json, sys, time
import psycopg, psycopg_pool
import fetchers.store.postgres.store
from tui import cli
took = []
for _ in range(4):
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(sys.argv[1:])
    took.append(time.perf_counter() - started)
print(json.dumps({"first": took[0], "again": min(took[1:]), "code": code}))
"""


def _after_imports(label: str, args: list[str], root: Path, env: dict[str, str]) -> None:
    """The command's own time in a process that has imported wirewatch and the driver:
    the first call (lazy imports, connecting, the query, printing) and the best of three more."""
    proc = subprocess.run(
        [sys.executable, "-c", AFTER_IMPORTS, *args], cwd=root, env=env, capture_output=True
    )
    if proc.returncode != 0:
        print(proc.stderr.decode(errors="replace")[-2000:])
        return
    got = json.loads(proc.stdout)
    print(
        f"  {label:<34} after imports: first {got['first'] * 1000:6.0f} ms,"
        f" again {got['again'] * 1000:5.0f} ms (exit {got['code']})"
    )


def _timed(args: list[str], root: Path, env: dict[str, str]) -> tuple[float, float, float, int]:
    """Wall, CPU (user+sys) seconds, peak RSS (MB) and exit code of one child process."""
    out = Path(tempfile.mkstemp(prefix="wirewatch-time-")[1])
    started = time.perf_counter()
    proc = subprocess.run(
        ["/usr/bin/time", "-f", "%U %S %M", "-o", str(out), *args],
        cwd=root,
        env=env,
        capture_output=True,
    )
    wall = time.perf_counter() - started
    user, system, peak = out.read_text().split()[-3:]
    out.unlink()
    return wall, float(user) + float(system), int(peak) / 1024, proc.returncode


def _median_run(
    label: str, args: list[str], root: Path, env: dict[str, str], runs: int = 5
) -> None:
    samples = [_timed(args, root, env) for _ in range(runs)]
    walls = [s[0] * 1000 for s in samples]
    cpus = [s[1] * 1000 for s in samples]
    print(
        f"  {label:<34} wall median {statistics.median(walls):6.0f} ms (min {min(walls):.0f}),"
        f" CPU median {statistics.median(cpus):5.0f} ms, RSS {samples[-1][2]:.0f} MB,"
        f" exit {samples[-1][3]}"
    )


def _config(folder: Path, name: str, dsn: str, extra: str = "") -> Path:
    path = folder / f"{name}.toml"
    path.write_text(f'[store]\nbackend = "postgresql"\ndsn = "{dsn}"\n{extra}', "utf-8")
    return path


def _fill(server, articles: int) -> str:  # type: ignore[no-untyped-def]
    """The bench database with `articles` articles: made and filled, or, in a kept server
    that has them already, as it is."""
    from bench.run import FakeNews
    from fetchers.store.postgres.store import PostgresStore

    with psycopg.connect(server.dsn(), autocommit=True) as conn:
        made = conn.execute("SELECT 1 FROM pg_database WHERE datname = 'bench'").fetchone()
    if made:
        dsn = server.dsn("bench")
        with PostgresStore(dsn) as store:
            if len(store) == articles:
                print(f"  the kept database in {server.folder}: {articles:,} articles")
                return dsn
        raise SystemExit(f"{server.folder} holds another number of articles: give another --keep")
    dsn = server.create_database("bench")
    news = FakeNews(300, texts=True)
    started = time.perf_counter()
    with PostgresStore(dsn, writer=True) as store:
        for day in news.days(articles, 30, datetime(2025, 10, 24, tzinfo=UTC)):
            store.add_batch(day)
    print(f"  filled in {time.perf_counter() - started:.1f} s")
    with psycopg.connect(dsn, autocommit=True) as conn:  # as autovacuum would have
        conn.execute("VACUUM ANALYZE")
    return dsn


def bench_pg(
    root: Path, articles: int, feeds: int, python: str, shared: Path, keep: Path | None = None
) -> int:
    from bench.scale import CONCURRENCY, _start_server
    from fetchers.store.postgres.store import PostgresStore
    from tests import pgserver

    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"PostgreSQL store: {articles:,} articles, {feeds:,} feeds; load {' '.join(load)}")
    work = Path(tempfile.mkdtemp(prefix="wirewatch-pg-"))
    server = pgserver.start(keep)
    env = {**os.environ, "PYTHONPATH": str(root), "NO_PROXY": "*", "no_proxy": "*"}
    try:
        dsn = _fill(server, articles)
        config = _config(work, "desk", dsn)
        cli = [sys.executable, "-m", "tui", "--config", str(config), "--data-dir", str(work / "d")]
        _median_run("list --limit 20", [*cli, "list", "--limit", "20"], root, env)
        _median_run("list tariff --limit 20", [*cli, "list", "tariff", "--limit", "20"], root, env)
        _median_run(
            'list "trade minister" (all)', [*cli, "list", '"trade minister"'], root, env, runs=3
        )
        _median_run("python -c pass (the floor)", [sys.executable, "-c", "pass"], root, env)
        base = ["--config", str(config), "--data-dir", str(work / "d"), "list"]
        _after_imports("list --limit 20", [*base, "--limit", "20"], root, env)
        _after_imports("list tariff --limit 20", [*base, "tariff", "--limit", "20"], root, env)
        _after_imports('list "trade minister" (all)', [*base, '"trade minister"'], root, env)
        with PostgresStore(dsn, writer=True, share=True):  # a poller at work elsewhere
            dashboard = subprocess.run(
                [sys.executable, "-c", DASHBOARD, dsn, str(work / "viewer")],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
            )
        if dashboard.returncode == 0:
            got = json.loads(dashboard.stdout.strip().splitlines()[-1])
            grouped = "never" if got["grouped"] is None else f"at {got['grouped']:.1f} s"
            print(
                f"  a dashboard viewer (headless, 160x50): {got['rows']:,} rows at first"
                f" paint {got['painted']:.2f} s, {got['stories']:,} stories grouped {grouped};"
                f" peak RSS {got['rss']:.0f} MB with 5 s of looks after (a viewer: {got['viewer']})"
            )
            for name, label in (("lists", "its filters"), ("views", "its story view (S), then")):
                each = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in got[name].items())
                print(f"  {label} (each to its answer): {each}")
        else:
            print(dashboard.stderr[-2000:])
        viewer = subprocess.run(
            [sys.executable, "-c", VIEWER, dsn], cwd=root, env=env, capture_output=True, text=True
        )
        if viewer.returncode == 0:
            got = json.loads(viewer.stdout)
            print(
                f"  a viewer's store: the ids a dashboard lists ({got['ids']:,}), 200 records,"
                " a reload:"
                f" {got['took'] * 1000:.0f} ms, peak RSS {got['rss']:.0f} MB"
            )
        else:
            print(viewer.stderr[-2000:])
        _pollers(root, env, server, work, feeds, python, shared, CONCURRENCY, _start_server)
    finally:
        server.stop(keep=keep is not None)
        shutil.rmtree(work, ignore_errors=True)
    print(f"  load after: {' '.join(Path('/proc/loadavg').read_text().split()[:3])}")
    return 0


def _pollers(  # type: ignore[no-untyped-def]
    root: Path, env: dict[str, str], server, work: Path, feeds: int, python: str, shared: Path,
    concurrency: int, start_feeds,
) -> None:  # fmt: skip
    """One `wirewatch refresh` of every feed, then two at once sharing them (`--feeds 0`:
    not measured)."""
    if feeds <= 0:
        return
    if not (shared / "feedserver.py").exists():
        print("  (the shared feed server is not beside this checkout: pollers not measured)")
        return
    feed_server, base = start_feeds(python, shared, feeds)
    try:
        with urllib.request.urlopen(f"{base}/urls.txt") as answer:
            urls = answer.read().decode().split()
        sources = f'[settings]\nconcurrency = {concurrency}\ntimeout = "30s"\n' + "".join(
            f'[[sources]]\nname = "feed-{n:04d}"\nurl = "{u}"\n' for n, u in enumerate(urls, 1)
        )
        walls: dict[int, float] = {}
        for count in (1, 2):
            dsn = server.create_database(f"pollers{count}")
            config = _config(work, f"pollers{count}", dsn, sources)
            from fetchers.store.postgres.store import PostgresStore

            PostgresStore(dsn).close()  # the tables, before the pollers race to make them
            started = time.perf_counter()
            timings = [work / f"time-{count}-{n}.txt" for n in range(count)]
            procs = [
                subprocess.Popen(
                    [
                        "/usr/bin/time",
                        "-f",
                        "%U %S",
                        "-o",
                        str(timings[n]),
                        sys.executable,
                        "-m",
                        "tui",
                        "--config",
                        str(config),
                        "--data-dir",
                        str(work / f"p{count}-{n}"),
                        "refresh",
                        "--json",
                    ],
                    cwd=root,
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )  # fmt: skip
                for n in range(count)
            ]
            polled = []
            for proc in procs:
                out, _ = proc.communicate()
                polled.append(sum(1 for line in out.splitlines() if line.startswith(b"{")))
            walls[count] = time.perf_counter() - started
            cpu = sum(sum(map(float, t.read_text().split()[-2:])) for t in timings)
            with PostgresStore(dsn) as store:
                stored = len(store)
            print(
                f"  {count} poller(s) refresh {feeds:,} feeds: {walls[count]:.1f} s wall,"
                f" {cpu:.1f} s CPU (the pollers together, without the server's),"
                f" sources polled by each {polled}, {stored:,} articles stored;"
                f" load {' '.join(Path('/proc/loadavg').read_text().split()[:3])}"
            )
        print(f"  two pollers take {walls[2] / walls[1]:.2f}x the time one takes")
    finally:
        feed_server.terminate()
        feed_server.wait()
