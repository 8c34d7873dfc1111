"""Alert rules over one poll cycle: 200 rules checked against 10,000 new articles, the CPU
the writer's alert thread spends (budget 0.3 s) at a process's first check, at a later one,
with a full history kept (and the write, every few cycles, that drops the lines of its
entries gone) and with the spike check that follows (a 25-hour series per rule
mentioned in the running hour: a later cycle of the hour, the day before it stored), beside
checking every rule on every article one by one."""

from __future__ import annotations

import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.run import WORDS, FakeNews, fake_articles, vocabulary
from fetchers.alerthistory import MAX_ENTRIES, AlertHistory
from fetchers.alerting import AlertDesk, Firing
from fetchers.alertrules import make_rule
from fetchers.batchmatch import BatchIndex
from fetchers.config import Config
from fetchers.heap import collector_paused
from fetchers.models import Settings
from fetchers.query import parse_query
from fetchers.store import Store

END = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)


def rule_queries(count: int, seed: int = 3) -> list[str]:
    """Rules as a desk writes them: topic words, alternatives, phrases, a word from one
    source, a tag without a word."""
    rng = random.Random(seed)
    words = vocabulary(random.Random(7))
    topical = [w.lower() for w in WORDS] + words[80:2000]  # not stop words
    out: list[str] = []
    for n in range(count):
        a, b = rng.sample(topical, 2)
        match n % 10:
            case 0 | 1 | 2 | 3:
                out.append(a)
            case 4 | 5:
                out.append(f"{a} OR {b}")
            case 6:
                out.append(f'"{a} {b}"')
            case 7:
                out.append(f'{a} source:"Source {rng.randrange(300):03d}"')
            case 8:
                out.append(f"title:{a} -{b}")
            case _:
                out.append(f"tag:markets {a}")
    return out


def forget(folder: Path, desk: AlertDesk) -> None:
    """Start the history and the state afresh, so the same cycle fires again."""
    for name in ("alerts-state.json", "alerts-history.jsonl"):
        (folder / name).unlink(missing_ok=True)
    desk.history = AlertHistory(folder, writer=True)


def old_entries(count: int) -> list[dict[str, Any]]:
    """Match entries of earlier cycles' articles, as a writer running for days keeps them."""
    at = END - timedelta(hours=1)
    return [
        {
            "alert": f"rule {n % 200}",
            "rule": f"config:rule {n % 200}",
            "kind": "match",
            "article": f"earlier{n:09d}",
            "title": "An earlier article's title, about as long as most titles are",
            "source": f"Source {n % 300:03d}",
            "at": at,
            "link": f"https://example.com/news/{n}",
            "notify": ("terminal",),
        }
        for n in range(count)
    ]


def cycle(count: int, at: datetime, first: int) -> list[Any]:
    """A cycle's new articles, all of the running hour (ids from `first` on)."""
    news = FakeNews(300, False)  # the rules' vocabulary
    news.rng, news.made = random.Random(first), first  # other articles than the first cycle's
    return [news.article(at) for _ in range(count)]


def rewrite_of(history: AlertHistory, fired: int) -> tuple[float, int]:
    """Cycles of `fired` alerts each appended to a full history until one writes it anew
    (once the lines of entries gone outnumber the kept ones): the CPU of that write, and how
    many cycles appended before it."""
    path = history.path
    appends = 0
    if not fired:  # (nothing ever grows the history: it is never written anew)
        raise SystemExit("the first check fired no alert: nothing to time a rewrite of")
    while True:
        inode = path.stat().st_ino
        entries = old_entries(fired)
        with collector_paused():  # as in a check
            cpu = time.thread_time()
            history.append(entries, END, 30)
            spent = time.thread_time() - cpu
        if path.stat().st_ino != inode:
            return spent, appends
        appends += 1


def cpu_of(check: Callable[[], Firing]) -> tuple[float, float, Firing]:
    """The check's CPU in its own thread (the store's search thread indexes the articles just
    written meanwhile: its CPU is not the alerts'), its wall time, and what it fired."""
    cpu, wall = time.thread_time(), time.perf_counter()
    firing = check()
    return time.thread_time() - cpu, time.perf_counter() - wall, firing


def bench_alerts(articles: int = 10_000, rules: int = 200) -> None:
    folder = Path(tempfile.mkdtemp(prefix="wirewatch-alerts-"))
    batch = fake_articles(articles, 300, 2, END)
    with Store(folder, writer=True) as store:
        ids = store.add_batch(batch)
        queries = rule_queries(rules)
        config = Config(
            path=folder / "wirewatch.toml",
            settings=Settings(),
            alerts=[
                make_rule({"name": f"rule {n}", "query": q}, END) for n, q in enumerate(queries)
            ],
        )
        clock = [END]
        desk = AlertDesk(config, store, folder, lambda: clock[0])
        # the rules predate the cycle (each rule is dated from when the desk first saw it)
        desk._config_seen_at = datetime(2000, 1, 1, tzinfo=UTC)
        desk._rules_seen = dict.fromkeys(desk._rules_seen, desk._config_seen_at)
        records = [store.record(i) for i in ids]

        spikes = desk._spikes
        desk._spikes = lambda *_args: ([], False)  # type: ignore[method-assign]
        cold_cpu, cold_wall, firing = cpu_of(lambda: desk.check(ids))
        fired = len(firing.entries)
        forget(folder, desk)  # the same cycle again: the rules' patterns compiled, as in a writer
        rules_cpu, rules_wall, _ = cpu_of(lambda: desk.check(ids))

        # a writer that has kept a full history: 50,000 entries, read at an earlier check
        forget(folder, desk)
        desk.history.append(old_entries(MAX_ENTRIES), END, 30)
        full_cpu, full_wall, _ = cpu_of(lambda: desk.check(ids))
        rewrite_cpu, appends = rewrite_of(desk.history, fired)

        parsed = [parse_query(q, END) for q in queries]
        cpu = time.thread_time()
        BatchIndex([r for r in records if r is not None], parsed)
        index_cpu = time.thread_time() - cpu

        cpu = time.thread_time()
        brute = sum(1 for q in parsed for r in records if r is not None and q.matches(r))
        brute_cpu = time.thread_time() - cpu

        # a later cycle of the hour, with the day before it stored: a first cycle of the hour
        # was checked (the process's first spike check, which reads the day), then 10,000 new
        # articles of the running hour mention most rules
        desk._spikes = spikes  # type: ignore[method-assign]
        forget(folder, desk)
        clock[0] = END + timedelta(minutes=5)
        desk.check(store.add_batch(cycle(500, clock[0], 100_000)))
        clock[0] = END + timedelta(minutes=30)
        later = store.add_batch(cycle(articles, clock[0], 200_000))
        whole_cpu, _wall, whole = cpu_of(lambda: desk.check(later))
    print(f"{rules} rules over a cycle of {articles:,} new articles ({fired:,} alerts fired,")
    print(f"  {brute:,} matches checked one by one: the same count: {brute == fired})")
    print("  CPU of the alert check's own thread (budget 0.3 s in each):")
    print(
        f"  rules checked and history written: CPU {rules_cpu:.3f} s, wall {rules_wall:.3f} s;"
        f" of which the batch's word index {index_cpu:.3f} s"
    )
    print(
        f"  the first check of the process (parsing the rules, compiling their patterns):"
        f" CPU {cold_cpu:.3f} s, wall {cold_wall:.3f} s"
    )
    print(
        f"  with a history already holding {MAX_ENTRIES:,} entries:"
        f" CPU {full_cpu:.3f} s, wall {full_wall:.3f} s"
    )
    print(
        f"  the cycles after it keep appending ({appends} more of {fired:,} alerts); the"
        f" next writes the history anew (its kept lines alone): CPU {rewrite_cpu:.3f} s"
        " for that write"
    )
    spiking = sum(1 for e in whole.entries if e.kind == "spike")
    print(
        f"  a later cycle of the hour with the spike check (a 25-hour series of each rule"
        f" mentioned this hour, a day stored): CPU {whole_cpu:.3f} s, {spiking} spikes,"
        f" {len(whole.entries) - spiking:,} matches"
    )
    print(f"  every rule on every article, one by one: CPU {brute_cpu:.3f} s")
