"""Alert rules over one poll cycle: 200 rules checked against 10,000 new articles, the CPU
the writer's alert thread spends (budget 0.3 s), beside checking every rule on every article
one by one, and the spike check that follows (a series from the store per rule mentioned)."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run import WORDS, fake_articles, vocabulary
from fetchers.alerthistory import AlertHistory
from fetchers.alerting import AlertDesk
from fetchers.alertrules import make_rule
from fetchers.batchmatch import BatchIndex
from fetchers.config import Config
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
    for name in ("alerts-state.json", "alerts-history.json"):
        (folder / name).unlink(missing_ok=True)
    desk.history = AlertHistory(folder)


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
        desk._config_seen_at = datetime(2000, 1, 1, tzinfo=UTC)  # the rules predate the cycle
        records = [store.record(i) for i in ids]

        spikes = desk._spikes
        desk._spikes = lambda mentioned, state, now: ([], False)  # type: ignore[method-assign]
        cpu, wall = time.process_time(), time.perf_counter()
        firing = desk.check(ids)
        cold_cpu, cold_wall = time.process_time() - cpu, time.perf_counter() - wall
        fired = len(firing.entries)
        forget(folder, desk)  # the same cycle again: the rules' patterns compiled, as in a writer
        cpu, wall = time.process_time(), time.perf_counter()
        desk.check(ids)
        rules_cpu, rules_wall = time.process_time() - cpu, time.perf_counter() - wall

        parsed = [parse_query(q, END) for q in queries]
        cpu = time.process_time()
        BatchIndex([r for r in records if r is not None], parsed)
        index_cpu = time.process_time() - cpu

        cpu = time.process_time()
        brute = sum(1 for q in parsed for r in records if r is not None and q.matches(r))
        brute_cpu = time.process_time() - cpu

        desk._spikes = spikes  # type: ignore[method-assign]
        forget(folder, desk)
        cpu = time.process_time()
        whole = desk.check(ids)
        whole_cpu = time.process_time() - cpu
    print(f"{rules} rules over a cycle of {articles:,} new articles ({fired:,} alerts fired,")
    print(f"  {brute:,} matches checked one by one: the same count: {brute == fired})")
    print(
        f"  rules checked and history written: CPU {rules_cpu:.3f} s, wall {rules_wall:.3f} s"
        f" (budget 0.3 s CPU); of which the batch's word index {index_cpu:.3f} s"
    )
    print(
        f"  the first check of the process (compiling the rules' patterns):"
        f" CPU {cold_cpu:.3f} s, wall {cold_wall:.3f} s"
    )
    print(f"  every rule on every article, one by one: CPU {brute_cpu:.3f} s")
    spiking = sum(1 for e in whole.entries if e.kind == "spike")
    print(
        f"  with the spike check (a 25-hour series of each rule mentioned this hour):"
        f" CPU {whole_cpu:.3f} s, {spiking} spikes"
    )
