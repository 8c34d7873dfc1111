"""wirewatch benchmarks (make bench). Never run as timed tests.

python bench/run.py store [--articles 100000]     open, poll-cycle write, query, RSS
python bench/run.py refresh [--feeds 200]          side by side with newsboat and sfeed,
                                                   through ../shared/bench/run_bench.py
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fetchers.models import Article  # noqa: E402
from fetchers.query import parse_query  # noqa: E402
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


def fake_articles(count: int, sources: int, days: int, end: datetime) -> list[Article]:
    rng = random.Random(7)
    out = []
    for n in range(count):
        fetched = end - timedelta(seconds=rng.uniform(0, days * 86400))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12))).capitalize()
        out.append(
            Article(
                id=f"a{n:07d}",
                source=f"Source {n % sources:03d}",
                title=title,
                link=f"https://news{n % sources}.example/{n}",
                published=fetched,
                fetched=fetched,
                summary=" ".join(rng.choice(WORDS) for _ in range(40)),
                tags=[rng.choice(("korea", "world", "markets", "wire"))],
            )
        )
    return out


def bench_store(args: argparse.Namespace) -> None:
    data = Path(tempfile.mkdtemp(prefix="wirewatch-bench-"))
    end = datetime(2025, 10, 24, tzinfo=UTC)
    articles = fake_articles(args.articles, args.sources, args.days, end)
    by_day: dict[str, list[Article]] = {}
    for a in articles:
        by_day.setdefault(a.fetched.strftime("%Y-%m-%d"), []).append(a)  # type: ignore[union-attr]
    started = time.perf_counter()
    with Store(data, writer=True) as store:
        for batch in by_day.values():
            store.add_batch(batch)
    build = time.perf_counter() - started
    started = time.perf_counter()
    store = Store(data, writer=True)
    open_s = time.perf_counter() - started
    cycle = fake_articles(500, args.sources, 0, end + timedelta(hours=1))
    for n, a in enumerate(cycle):
        a.id = f"new{n}"
        a.link = f"https://new.example/{n}"
    started = time.perf_counter()
    store.add_batch(cycle)
    write_s = time.perf_counter() - started
    queries = {
        'source:"Source 042" (first 20)': ('source:"Source 042"', 20),
        "tariff since:2d (all)": ("tariff since:2d", None),
        '"APEC summit" OR Lutnick (all)': ('"APEC summit" OR Lutnick', None),
    }
    rows = []
    for label, (text, limit) in queries.items():
        query = parse_query(text, end)
        store.query_ids(query, limit)  # warm the records once
        started = time.perf_counter()
        hits = store.query_ids(query, limit)
        rows.append((label, (time.perf_counter() - started) * 1000, len(hits)))
    store.close()
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "--data-dir",
            str(data),
            "list",
            'source:"Source 042"',
            "--limit",
            "20",
        ],
        capture_output=True,
        cwd=ROOT,
    )
    list_s = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"store benchmark: {len(articles):,} articles, {args.sources} sources, {args.days} days")
    print(f"  build (one batch per day):          {build:8.2f} s")
    print(f"  open (index build):                 {open_s:8.2f} s   budget 1 s")
    print(f"  500-article poll-cycle write:       {write_s:8.3f} s   budget 0.2 s")
    for label, ms, hits in rows:
        print(f"  query {label:<32} {ms:8.1f} ms ({hits} hits)   budget 10 ms")
    print(f"  `wirewatch list source:X --limit 20`: {list_s:6.2f} s   (exit {proc.returncode})")
    print(f"  peak RSS of this process:           {rss:8.0f} MB  budget 250 MB")
    shutil.rmtree(data, ignore_errors=True)


def bench_refresh(args: argparse.Namespace) -> int:
    shared = ROOT.parent / "shared" / "bench"
    if not (shared / "run_bench.py").exists():
        print("the shared refresh benchmark (../shared/bench) is not beside this checkout")
        return 2
    venv = ROOT / ".cache" / "benchvenv"
    if not (venv / "bin" / "python").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "aiohttp"], check=True)
    wirewatch = Path(sys.executable).parent / "wirewatch"
    cmd = [
        sys.executable,
        str(shared / "run_bench.py"),
        "--python",
        str(venv / "bin" / "python"),
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


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = parser.add_subparsers(dest="which")
    p = sub.add_parser("store")
    p.add_argument("--articles", type=int, default=100_000)
    p.add_argument("--sources", type=int, default=300)
    p.add_argument("--days", type=int, default=30)
    p = sub.add_parser("refresh")
    p.add_argument("--feeds", type=int, default=200)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--only", default="newsboat,sfeed,contender")
    args = parser.parse_args()
    if args.which in (None, "store"):
        if args.which is None:
            args = parser.parse_args(["store"])
        bench_store(args)
        return 0
    return bench_refresh(args)


if __name__ == "__main__":
    raise SystemExit(main())
