"""wirewatch benchmarks (make bench). Never run as timed tests.

python bench/run.py                               all of the below but pg
python bench/run.py store [--articles 100000]     open, poll-cycle write, queries, viewer RSS,
                                                   list, the search index (--keep DIR)
python bench/run.py kill [--rounds 50]            SIGKILL a writer at random moments
python bench/run.py texts [--polls 67]            a page revised at every poll: its full-text
                                                   files on disk, their rewrites' time
python bench/run.py dashboard                     first paint, filter repaint, stalls (100k)
python bench/run.py storyview                     the story view: switch and filter (100k)
python bench/run.py idle                          an open dashboard's CPU and terminal bytes
python bench/run.py soak [--cycles 1008]          a simulated week of polls: RSS per cycle
python bench/run.py dashsoak [--reclaim-every S]  an open dashboard polling: RSS per poll, and
                                                   garbage kept alive by freezing the heap
python bench/run.py alerts [--rules 200]          alert rules over a 10,000-article cycle: CPU
python bench/run.py words [--articles 10000]      the search index's words and a scan's folded
                                                   texts of a refresh's articles: CPU
python bench/run.py scale [--feeds 2000]           a cold `wirewatch refresh`: wall, CPU, peak RSS
python bench/run.py refresh [--feeds 200]          side by side with newsboat and sfeed,
                                                   through ../shared/bench/run_bench.py
python bench/run.py stories                       grouping into stories: pair F1, first reported,
                                                   hard-negative merges (bench/stories/), CPU
python bench/run.py pg [--articles 100000] [--feeds 2000]
                                                   the PostgreSQL store: list and word
                                                   queries as processes, a viewer's RSS, one
                                                   and two pollers refreshing the feeds
python bench/run.py extract [--pages DIR]         article text: word F1 and pages per
                                                   CPU-second beside trafilatura and
                                                   readability-lxml (../shared/bench/extract-dev)
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fetchers.models import Article  # noqa: E402
from fetchers.store import Store  # noqa: E402

WORDS = [
    "tariff",
    "trade",
    "Seoul",
    "Washington",
    "APEC",
    "summit",
    "Gyeongju",
    "investment",
    "pledge",
    "Lutnick",
    "talks",
    "minister",
    "shares",
    "market",
    "won",
    "dollar",
    "Busan",
    "Trump",
    "Lee",
    "negotiations",
    "deal",
    "Korea",
]


STOPWORDS = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "a",
    "is",
    "that",
    "for",
    "on",
    "with",
    "as",
    "was",
    "said",
    "by",
    "at",
    "from",
    "it",
    "be",
    "has",
]


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    """Stop words, a head of made-up words, the news words at ranks 300 to 600 (a few hundred
    articles in 100,000 each, as a topic word in real news), then a long tail."""
    made: set[str] = set()
    letters = "abcdefghijklmnopqrstuvwxyz"
    while len(made) < size:
        made.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 11))))
    pool = sorted(made)
    rng.shuffle(pool)
    head = STOPWORDS + pool[:300]
    spaced = [w for pair in zip(WORDS, pool[300:], strict=False) for w in pair]
    return head + spaced + pool[300 + len(WORDS) :]


class FakeNews:
    """Articles with headline-length titles and 40-word summaries over a Zipf vocabulary;
    with `texts`, every third one also has a full text of 250 to 450 words (a feed carrying
    content, or a source with full_text = true). Made a day at a time, so a benchmark of a
    million articles never holds more than a day of them."""

    def __init__(self, sources: int, texts: bool, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.words = vocabulary(self.rng)
        self.cumulative = list(
            itertools.accumulate(1.0 / (rank + 1) for rank in range(len(self.words)))
        )
        self.sources = sources
        self.texts = texts
        self.made = 0

    def article(self, fetched: datetime) -> Article:
        rng, n = self.rng, self.made
        self.made += 1
        drawn = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(6, 12) + 40)
        text = None
        if self.texts and n % 3 == 0:
            body = rng.choices(self.words, cum_weights=self.cumulative, k=rng.randint(250, 450))
            text = "\n\n".join(" ".join(body[at : at + 60]) for at in range(0, len(body), 60))
        return Article(
            id=f"a{n:07d}",
            source=f"Source {n % self.sources:03d}",
            title=" ".join(drawn[:-40]).capitalize(),
            link=f"https://news{n % self.sources}.example/{n}",
            published=fetched,
            fetched=fetched,
            summary=" ".join(drawn[-40:]),
            text=text,
            tags=[rng.choice(("korea", "world", "markets", "wire"))],
        )

    def days(self, count: int, days: int, end: datetime) -> Iterator[list[Article]]:
        """`count` articles over the `days` days before `end`, oldest day first, one list per
        UTC day of fetch."""
        days = max(days, 1)
        for day in range(days, 0, -1):
            share = count // days + (1 if day <= count % days else 0)
            start = end - timedelta(days=day)
            yield [
                self.article(start + timedelta(seconds=self.rng.uniform(0, 86400)))
                for _ in range(share)
            ]


def fake_articles(
    count: int, sources: int, days: int, end: datetime, texts: bool = False
) -> list[Article]:
    """`count` articles of `FakeNews` spread over `days` days before `end`, in one list."""
    news = FakeNews(sources, texts)
    if days <= 0:
        return [news.article(end) for _ in range(count)]
    return [a for day in news.days(count, days, end) for a in day]


QUERIES = {
    'source:"Source 042" (first 20)': ('source:"Source 042"', 20),
    "tariff since:2d (all)": ("tariff since:2d", None),
    '"APEC summit" OR Lutnick (all)': ('"APEC summit" OR Lutnick', None),
    "tag:markets Seoul (first 50)": ("tag:markets Seoul", 50),
    "is:unread (first 200)": ("is:unread", 200),
    "title:tariff (all)": ("title:tariff", None),
    '"trade minister" (all)': ('"trade minister"', None),
    "Gyeongju (all)": ("Gyeongju", None),
    "-tariff (first 50)": ("-tariff", 50),
}
WORD_QUERIES = {"tariff since:2d", '"APEC summit" OR Lutnick', "tag:markets Seoul"}
WORD_QUERIES |= {'"trade minister"', "Gyeongju", "-tariff"}

VIEWER = """
import json, sys, time
from datetime import UTC, datetime
from pathlib import Path
from fetchers.query import parse_query
from fetchers.store import Store
queries = json.loads(sys.argv[2])
end = datetime(2025, 10, 24, tzinfo=UTC)
started = time.perf_counter()
store = Store(Path(sys.argv[1]), word_index=True)
opened = time.perf_counter() - started
while not store.word_index_ready:
    time.sleep(0.005)
indexed = time.perf_counter() - started
rows = []
for label, (text, limit) in queries.items():
    try:
        query = parse_query(text, end)
    except ValueError:  # a query this version does not know
        continue
    t = time.perf_counter()
    store.query_ids(query, limit)
    first = time.perf_counter() - t
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        hits = store.query_ids(query, limit)
        best = min(best, time.perf_counter() - t)
    rows.append((label, text, first * 1000, best * 1000, len(hits)))
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over fork and exec from the (large) parent
status = open("/proc/self/status").read()
rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
held = int(status.split("VmRSS:")[1].split()[0]) / 1024
print(json.dumps({"open": opened, "indexed": indexed, "rows": rows, "rss": rss, "held": held}))
"""

REBUILD = """
import json, sys, time
from pathlib import Path
from fetchers.store import Store
store = Store(Path(sys.argv[1]))
started = time.perf_counter()
count = store.update_search_index()
took = time.perf_counter() - started
status = open("/proc/self/status").read()
rss = int(status.split("VmHWM:")[1].split()[0]) / 1024
print(json.dumps({"took": took, "count": count, "rss": rss}))
"""


def timed_child(args: list[str]) -> tuple[float, str, int]:
    """Wall time, peak RSS (as text) and exit code of a child process."""
    timer = ["/usr/bin/time", "-f", "%M"] if Path("/usr/bin/time").exists() else []
    started = time.perf_counter()
    proc = subprocess.run([*timer, *args], capture_output=True, cwd=ROOT)
    took = time.perf_counter() - started
    rss = proc.stderr.decode().strip().splitlines()[-1] if timer and proc.stderr else "?"
    return took, f"{int(rss) / 1024:.0f} MB" if rss.isdigit() else "?", proc.returncode


def build_store(data: Path, args: argparse.Namespace, end: datetime) -> tuple[float, int]:
    """Write the benchmark's articles a day at a time, as a writer polling all month would
    have; returns the time taken and how many have a full text."""
    news = FakeNews(args.sources, texts=True)
    texts = 0
    started = time.perf_counter()
    with Store(data, writer=True) as store:
        for day in news.days(args.articles, args.days, end):
            texts += sum(1 for a in day if a.text)
            store.add_batch(day)
            print(f"  ... {news.made:,} articles written", file=sys.stderr, flush=True)
    return time.perf_counter() - started, texts


def bench_store(args: argparse.Namespace) -> None:
    scale = args.articles >= 1_000_000
    kept = Path(args.keep) if args.keep else None
    data = kept or Path(tempfile.mkdtemp(prefix="wirewatch-bench-"))
    end = datetime(2025, 10, 24, tzinfo=UTC)
    load = Path("/proc/loadavg").read_text().split()[:3]
    if kept is not None and (kept / "meta.json").exists():
        build, texts = float("nan"), -1  # built by an earlier run
    else:
        build, texts = build_store(data, args, end)
    started = time.perf_counter()
    store = Store(data, writer=True)
    open_s = time.perf_counter() - started
    cycle = fake_articles(500, args.sources, 0, end + timedelta(hours=1), texts=True)
    for n, a in enumerate(cycle):
        a.id = f"new{n}-{time.time_ns()}"
        a.link = f"https://new.example/{a.id}"
    before = {f: (f.stat().st_mtime_ns, f.stat().st_size) for f in data.iterdir()}
    started = time.perf_counter()
    store.add_batch(cycle)
    write_s = time.perf_counter() - started
    written = sum(  # by the cycle's write, before closing (which writes shards.json once)
        f.stat().st_size
        for f in data.iterdir()
        if f.is_file()
        and before.get(f, (0, 0))[0] != f.stat().st_mtime_ns
        and not f.name.startswith("search.sqlite")
    )
    started = time.perf_counter()
    store.close()  # waits for the search index to take in what was written
    indexed_s = time.perf_counter() - started
    map_bytes = (data / "shards.json").stat().st_size if (data / "shards.json").exists() else 0
    viewer = subprocess.run(
        [sys.executable, "-c", VIEWER, str(data), json.dumps(QUERIES)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    seen = json.loads(viewer.stdout)
    cli = [sys.executable, "-m", "tui", "--data-dir", str(data), "list"]
    list_source = timed_child([*cli, 'source:"Source 042"', "--limit", "20"])
    list_newest = timed_child([*cli, "--limit", "20"])
    list_word = timed_child([*cli, "Gyeongju", "--limit", "20"])
    rebuild = None
    if args.rebuild:
        for name in ("search.sqlite", "search.sqlite-wal", "search.sqlite-shm"):
            (data / name).unlink(missing_ok=True)
        done = subprocess.run(
            [sys.executable, "-c", REBUILD, str(data)], capture_output=True, text=True, cwd=ROOT
        )
        rebuild = json.loads(done.stdout) if done.returncode == 0 else None
    query_budget = "100 ms" if scale else "10 ms"
    print(
        f"store benchmark: {args.articles:,} articles"
        + (f" ({texts:,} with a full text)" if texts >= 0 else " (a kept data dir)")
        + f", {args.sources} sources, {args.days} days; load average {' '.join(load)} at start"
    )
    print(f"  build (one batch per day):            {build:8.2f} s")
    print(f"  writer open:                          {open_s:8.2f} s   budget 1 s")
    print(f"  500-article poll-cycle write:         {write_s:8.3f} s   budget 0.1 s")
    print(f"  bytes that write rewrote:             {written / 1e6:8.1f} MB  budget 5 MB")
    print(f"  closing (index takes the write in):   {indexed_s:8.3f} s   (the index in a thread)")
    print(f"  shards.json (what each shard holds):  {map_bytes / 1e6:8.2f} MB")
    print(f"  viewer open:                          {seen['open']:8.2f} s")
    print(f"  viewer search index ready after:      {seen['indexed']:8.2f} s")
    for label, text, first_ms, ms, hits in seen["rows"]:
        words = " (words over full texts)" if text in WORD_QUERIES else ""
        words = " (words in titles)" if text.startswith("title:") else words
        print(
            f"  query {label:<34} {ms:8.2f} ms ({hits} hits; first run {first_ms:.1f} ms)"
            f"   budget {query_budget}{words}"
        )
    rss_budget = "500 MB" if scale else "250 MB"
    print(f"  viewer peak RSS:                      {seen['rss']:8.0f} MB   budget {rss_budget}")
    print(f"  viewer RSS after the queries:         {seen['held']:8.0f} MB")
    for label, (took, rss, code), budget in (
        ("source:X --limit 20", list_source, "0.3 s, 120 MB"),
        ("--limit 20", list_newest, "0.5 s" if scale else ""),
        ("Gyeongju --limit 20", list_word, ""),
    ):
        print(
            f"  `wirewatch list {label}`: {took:8.2f} s   peak RSS {rss} (exit {code})"
            + (f"   budget {budget}" if budget else "")
        )
    if args.rebuild:
        if rebuild is None:
            print("  search index rebuilt from the shards: (this version cannot)")
        else:
            print(
                f"  search index rebuilt from the shards: {rebuild['took']:8.1f} s for"
                f" {rebuild['count']:,} articles, peak RSS {rebuild['rss']:.0f} MB"
                " (a viewer answers by scanning meanwhile)"
            )
    if kept is None:
        shutil.rmtree(data, ignore_errors=True)


def bench_kill(args: argparse.Namespace) -> None:
    from tests.test_kill import kill_rounds

    data = Path(tempfile.mkdtemp(prefix="wirewatch-kill-"))
    started = time.perf_counter()
    counts = kill_rounds(data / "data", args.rounds, random.Random(args.seed))
    took = time.perf_counter() - started
    print(
        f"kill test: {counts['kills']} SIGKILLs at random moments in {took:.0f} s; "
        f"{counts['acknowledged']:,} acknowledged articles all present, every file parsed, "
        "no shard quarantined"
    )
    shutil.rmtree(data, ignore_errors=True)


def compile_bytecode() -> None:
    """Write wirewatch's own bytecode before anything is timed, as installing a package
    does: with PYTHONDONTWRITEBYTECODE set (as in some shells and CI images) an editable
    install compiles its sixty modules from source in every process it starts (0.07 s of
    each `wirewatch list` and `refresh`), which no installed copy does."""
    import compileall

    for package in ("fetchers", "tui"):
        compileall.compile_dir(ROOT / package, quiet=2)  # (a read-only checkout: as before)


def bench_venv() -> Path:
    """A venv with aiohttp for the shared feed server, kept in .cache/ (git-ignored)."""
    venv = ROOT / ".cache" / "benchvenv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "aiohttp"], check=True)
    return venv / "bin" / "python"


def run_dashboard(args: argparse.Namespace) -> None:
    from bench.dashboard import bench_dashboard

    end = datetime(2025, 10, 24, tzinfo=UTC)
    shared = ROOT.parent / "shared" / "bench"
    if args.copy_of is not None:  # built once by `store --keep DIR`; copied, as it is written to
        bench_dashboard(args.copy_of, str(bench_venv()), shared, args.feeds)
        return
    if args.in_place is not None:  # a scratch data dir, its search index and stories kept
        bench_dashboard(args.in_place, str(bench_venv()), shared, args.feeds, in_place=True)
        return
    articles = fake_articles(args.articles, 300, 30, end)
    bench_dashboard(articles, str(bench_venv()), shared, args.feeds)


def bench_refresh(args: argparse.Namespace) -> int:
    shared = ROOT.parent / "shared" / "bench"
    if not (shared / "run_bench.py").exists():
        print("the shared refresh benchmark (../shared/bench) is not beside this checkout")
        return 2
    python = bench_venv()
    wirewatch = Path(sys.executable).parent / "wirewatch"
    cmd = [
        sys.executable,
        str(shared / "run_bench.py"),
        "--python",
        str(python),
        "--feeds",
        str(args.feeds),
        "--items",
        "50",
        "--repeats",
        str(args.repeats),
        "--only",
        args.only,
        "--contender-name",
        "wirewatch",
        "--contender-cmd",
        f"{wirewatch} --config {{config}} --data-dir {{dir}}/data refresh",
        "--contender-config-template",
        str(shared / "wirewatch.toml.tpl"),
        "--contender-count",
        f"cmd:{wirewatch} --config {{config}} --data-dir {{dir}}/data list --json "
        "--limit 1000000 | grep -c .",
        "--markdown",
        str(ROOT / "bench-out.md"),
    ]
    return subprocess.run(cmd).returncode


def run_scale(args: argparse.Namespace) -> int:
    from bench.scale import bench_scale

    shared = ROOT.parent / "shared" / "bench"
    if not (shared / "feedserver.py").exists():
        print("the shared feed server (../shared/bench) is not beside this checkout")
        return 2
    return bench_scale(ROOT, str(bench_venv()), shared, args.feeds, args.keep)


def bench_extract(args: argparse.Namespace) -> int:
    from bench.extract import bench_extract as run_extract

    pages = Path(args.pages) if args.pages else ROOT.parent / "shared" / "bench" / "extract-dev"
    if not (pages / "score.py").exists():
        print(f"the article-text development set ({pages}) is not beside this checkout")
        return 2
    return run_extract(pages, args.limit)


def main() -> int:
    compile_bytecode()
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="which")
    p = sub.add_parser("store")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--sources", type=int, default=300)
    p.add_argument("--days", type=int, default=30)
    p.add_argument("--keep", help="a data dir to build once and keep (later runs reuse it)")
    p.add_argument(
        "--no-rebuild",
        dest="rebuild",
        action="store_false",
        help="skip timing a rebuild of the search index from the shards",
    )
    p = sub.add_parser("dashboard")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument(
        "--copy-of",
        type=Path,
        metavar="DIR",
        help="run on a copy of this data dir (e.g. a million articles kept by `store --keep`)",
    )
    p.add_argument(
        "--in-place",
        type=Path,
        metavar="DIR",
        help="run on this data dir itself, which the poll writes into: a copy's search index "
        "is stale (it knows the shards by their inodes) and is built again first",
    )
    p = sub.add_parser("storyview")
    p.add_argument("--articles", type=int, default=100_000)
    p = sub.add_parser("idle")
    p.add_argument("--seconds", type=float, default=60.0)
    p = sub.add_parser("soak")
    p.add_argument("--feeds", type=int, default=10)
    p.add_argument("--cycles", type=int, default=1008)
    p = sub.add_parser("dashsoak")
    p.add_argument("--feeds", type=int, default=20)
    p.add_argument("--cycles", type=int, default=100)
    p.add_argument(
        "--reclaim-every",
        type=float,
        default=None,
        help="seconds between walks of the frozen heap (the dashboard's own: 300)",
    )
    p = sub.add_parser("alerts")
    p.add_argument("--articles", type=int, default=10_000)
    p.add_argument("--rules", type=int, default=200)
    p = sub.add_parser("words")
    p.add_argument("--articles", type=int, default=10_000)
    p = sub.add_parser("kill")
    p.add_argument("--rounds", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    p = sub.add_parser("texts")
    p.add_argument("--polls", type=int, default=67)
    p.add_argument("--size", type=int, default=300_000, help="bytes of the page's text")
    p = sub.add_parser("scale")
    p.add_argument("--feeds", type=int, default=2000)
    p.add_argument("--keep", action="store_true", help="keep the data dir and the RSS samples")
    p = sub.add_parser("refresh")
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default="newsboat,sfeed,contender")
    sub.add_parser("stories")
    p = sub.add_parser("pg")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--feeds", type=int, default=2000)
    p.add_argument(
        "--keep", type=Path, metavar="DIR", help="keep the filled server in DIR, reuse it"
    )
    p = sub.add_parser("extract")
    p.add_argument("--pages", help="a directory with score.py and pages/ (the development set)")
    p.add_argument("--limit", type=int, default=0)
    args = parser.parse_args()
    if args.which is None:  # everything, in the order of the budgets in the README
        for name in (
            "store",
            "kill",
            "dashboard",
            "storyview",
            "idle",
            "soak",
            "dashsoak",
            "alerts",
            "words",
            "stories",
            "extract",
            "scale",
        ):
            run(parser.parse_args([name]))
        return run(parser.parse_args(["refresh"]))
    return run(args)


def run(args: argparse.Namespace) -> int:
    """One benchmark, by its subcommand's name."""
    if args.which == "idle":
        from bench.idle import bench_idle

        bench_idle(Path(tempfile.mkdtemp(prefix="wirewatch-idle-")), args.seconds)
    elif args.which == "soak":
        from bench.soak import bench_soak

        bench_soak(Path(tempfile.mkdtemp(prefix="wirewatch-soak-")), args.feeds, args.cycles)
    elif args.which == "dashsoak":
        from bench.dashsoak import bench_dashsoak

        data = Path(tempfile.mkdtemp(prefix="wirewatch-dashsoak-"))
        bench_dashsoak(data, args.feeds, args.cycles, args.reclaim_every)
        shutil.rmtree(data, ignore_errors=True)
    elif args.which == "dashboard":
        run_dashboard(args)
    elif args.which == "storyview":
        from bench.storyview import bench_storyview

        end = datetime(2025, 10, 24, tzinfo=UTC)
        bench_storyview(fake_articles(args.articles, 300, 30, end))
    elif args.which == "store":
        bench_store(args)
    elif args.which == "kill":
        bench_kill(args)
    elif args.which == "texts":
        from bench.texts import bench_texts

        bench_texts(args.polls, args.size)
    elif args.which == "alerts":
        from bench.alerts import bench_alerts

        bench_alerts(args.articles, args.rules)
    elif args.which == "words":
        from bench.words import bench_words

        bench_words(args.articles)
    elif args.which == "scale":
        return run_scale(args)
    elif args.which == "extract":
        return bench_extract(args)
    elif args.which == "pg":
        from bench.pg import bench_pg

        return bench_pg(
            ROOT,
            args.articles,
            args.feeds,
            str(bench_venv()),
            ROOT.parent / "shared" / "bench",
            args.keep,
        )
    elif args.which == "stories":
        from bench.stories import bench_stories

        return bench_stories()
    else:
        return bench_refresh(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
