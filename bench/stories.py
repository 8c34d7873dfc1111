"""`python bench/run.py stories`: how well articles are grouped into stories, and at what cost.

Quality, over each labelled set in bench/stories/ (JSON: stories of real outlets' headlines
and summaries, and pairs of same-topic different events): pair precision, recall and F1
(every pair of articles, same story or not), first reported right (the story holding most
of an event's articles names the event's earliest article first), and hard-negative merges
(pairs of different events that share a story). Twice: at the articles' real times, and with
every event moved into one 48-hour span, so the time window cannot keep any event apart.

Cost: CPU time to group 10,000 new synthetic articles (2,500 events of one to eight outlets
each, over 6 hours) into an index already holding 20,000 articles of the 72 hours before; and
of a first cycle of 100 new articles in a process that restored 20,000 of the 144 hours before
(the recent articles a restart reads back: those of the last 72 hours are weighed again, the
words of the others counted, before the new ones are compared with them).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fetchers.stories import Item, StoryIndex

HERE = Path(__file__).resolve().parent / "stories"


@dataclass(slots=True)
class Scores:
    precision: float
    recall: float
    f1: float
    first_right: float
    merges: list[tuple[str, str]]
    events: int
    articles: int


def _seconds(text: str) -> float:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def score(data: dict, one_span: bool = False) -> Scores:
    """Group a labelled set and compare with its labels."""
    items: list[Item] = []
    gold: dict[str, str] = {}
    first: dict[str, str] = {}
    for number, (event, articles) in enumerate(sorted(data["stories"].items())):
        start = min(_seconds(a[1]) for a in articles)
        shift = (1.7e9 + (number * 7919 % 48) * 3600.0 - start) if one_span else 0.0
        for at, (source, published, title, summary, _page) in enumerate(articles):
            ident = f"{event}#{at}"
            items.append(Item(ident, title, summary, _seconds(published) + shift, source))
            gold[ident] = event
        first[event] = f"{event}#{min(range(len(articles)), key=lambda n: articles[n][1])}"
    index = StoryIndex()
    index.add(items)
    got = index.story_of
    when = {i.id: i.when for i in items}
    tp = fp = fn = 0
    for a, b in itertools.combinations(sorted(gold), 2):
        same, together = gold[a] == gold[b], got[a] == got[b]
        tp += same and together
        fp += together and not same
        fn += same and not together
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    right = 0
    for event, earliest in first.items():
        mine = [i for i in gold if gold[i] == event]
        story = Counter(got[i] for i in mine).most_common(1)[0][0]
        members = index.members[story]
        right += min(members, key=lambda i: (when[i], i)) == earliest
    merges = [
        (x, y)
        for x, y in data["hard_negatives"]
        if {got[i] for i in gold if gold[i] == x} & {got[i] for i in gold if gold[i] == y}
    ]
    return Scores(precision, recall, f1, right / len(first), merges, len(first), len(gold))


def synthetic(count: int, events: int, start: float, hours: float, seed: int) -> list[Item]:
    """Articles of `events` events, one to eight outlets each: each event has six rare words
    its articles share some of, the rest drawn from a Zipf vocabulary."""
    from bench.run import vocabulary

    rng = random.Random(seed)
    words = vocabulary(rng)
    weights = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(words))))
    out: list[Item] = []
    made = 0
    for event in range(events):
        core = rng.sample(words[2000:], 6)
        at = start + rng.uniform(0, hours * 3600)
        for outlet in range(rng.randint(1, 8)):
            if made >= count:
                return out
            drawn = rng.choices(words, cum_weights=weights, k=30)
            title = " ".join(rng.sample(core, 3) + drawn[:5]).capitalize()
            summary = " ".join(rng.sample(core, 3) + drawn[5:])
            out.append(Item(f"e{seed}-{event}-{outlet}", title, summary, at + outlet * 600.0))
            made += 1
    while made < count:  # more events than asked for never happens at these sizes
        out.append(Item(f"x{seed}-{made}", "Filler headline", "filler words", start))
        made += 1
    return out


def pairs_found(story_of: dict[str, str], event_of: dict[str, str]) -> tuple[float, float]:
    """Pair precision and recall of a grouping (`story_of`) against labels (`event_of`),
    counted story by story and event by event (no list of every pair: at tens of thousands
    of articles that is hundreds of millions)."""

    def pairs(groups: Counter[str] | Counter[tuple[str, str]]) -> int:
        return sum(n * (n - 1) // 2 for n in groups.values())

    both = pairs(Counter((story_of[i], event_of[i]) for i in event_of))
    grouped = pairs(Counter(story_of[i] for i in event_of))
    labelled = pairs(Counter(event_of.values()))
    return (both / grouped if grouped else 1.0), (both / labelled if labelled else 1.0)


def synthetic_quality(new: int = 10_000, held: int = 20_000) -> tuple[float, float]:
    """Pair precision and recall over the synthetic events of `cpu_for` (the new articles
    grouped beside the held ones): at a window's scale, what the labelled sets' few dozen
    events cannot show, such as candidates crowded out by articles that share a chance word."""
    index = StoryIndex()
    index.add(synthetic(held, held // 4, 1.7e9, 72.0, seed=1))
    fresh = synthetic(new, new // 4, 1.7e9 + 72 * 3600, 6.0, seed=2)
    index.add(fresh)
    event_of = {item.id: item.id.rsplit("-", 1)[0] for item in fresh}
    return pairs_found(index.story_of, event_of)


def cpu_for(new: int = 10_000, held: int = 20_000, words_known: bool = False) -> float:
    """CPU seconds to group `new` articles into an index already holding `held`. Their
    words are new to the process (a vocabulary of their own) unless `words_known`: then
    the same articles were grouped once before, in another index."""
    fresh = synthetic(new, new // 4, 1.7e9 + 72 * 3600, 6.0, seed=2)
    if words_known:
        StoryIndex().add(fresh)
    index = StoryIndex()
    index.add(synthetic(held, held // 4, 1.7e9, 72.0, seed=1))
    started = time.process_time()
    index.add(fresh)
    return time.process_time() - started


def cpu_after_restart(new: int = 100, held: int = 20_000) -> float:
    """CPU seconds for a first cycle of `new` articles in a process that restored `held`
    grouped articles (a one-shot `refresh` or a `poll` just started): the restored recent
    articles are weighed again before the new ones are compared with them."""
    older = synthetic(held, held // 4, 1.7e9, 144.0, seed=1)  # two windows, as restored
    running = StoryIndex()
    running.add(older)
    restarted = StoryIndex()
    restarted.restore({sid: list(ids) for sid, ids in running.members.items()}, lambda: older)
    fresh = synthetic(new, new // 4, 1.7e9 + 144 * 3600, 1.0, seed=2)
    started = time.process_time()
    restarted.add(fresh)
    return time.process_time() - started


# ten million additions to a name of a module's top level: the loop the CPU figures of
# docs/measurements.md have been compared by (in a function it takes half as long)
_LOOP = compile("total = 0\nfor n in range(10_000_000):\n    total += n\n", "<loop>", "exec")


def loop_seconds() -> float:
    """CPU seconds of `_LOOP`, best of three: how fast this machine is in this hour. On a
    shared machine the CPU figures vary twice over from hour to hour, and this is what runs
    of different hours are compared by."""
    best = math.inf
    for _ in range(3):
        started = time.process_time()
        exec(_LOOP, {})
        best = min(best, time.process_time() - started)
    return best


def _in_a_process(call: str) -> float:
    """The CPU seconds `call` (a function of this module) gives in a new interpreter."""
    code = f"from bench.stories import cpu_for; print({call})"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=HERE.parent.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    return float(done.stdout.split()[-1])


def bench_stories(folder: Path = HERE) -> int:
    sets = sorted(folder.glob("*.json"))
    if not sets:
        print(f"no labelled sets in {folder}")
        return 2
    print("stories: articles grouped into stories across outlets")
    for path in sets:
        data = json.loads(path.read_text())
        for label, one_span in (("real times", False), ("one 48-hour span", True)):
            s = score(data, one_span)
            print(f"  {path.name}, {s.events} events, {s.articles} articles, {label}:")
            print(
                f"    pair precision {s.precision:.3f}  recall {s.recall:.3f}  "
                f"F1 {s.f1:.3f}   aim F1 >= 0.85"
            )
            print(f"    first reported right      {s.first_right:6.1%}   aim >= 85%")
            print(f"    hard-negative merges      {len(s.merges):6d}   aim <= 1")
            for x, y in s.merges:
                print(f"      {x} + {y}")
    precision, recall = synthetic_quality()
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"  synthetic events, 10,000 new articles beside 20,000 held: pair precision "
        f"{precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}"
    )
    # each in a process of its own (the words new to it), best and median of three: on a
    # shared machine one run's CPU time varies by a third with what else runs beside it
    cold = sorted(_in_a_process("cpu_for()") for _ in range(3))
    print(f"  this machine now: a loop of ten million additions takes {loop_seconds():.2f} s")
    print(
        f"  CPU to group 10,000 new articles (20,000 held): {cold[0]:.3f} s   aim <= 0.5 s"
        f"   (best of 3; median {cold[1]:.3f} s)"
    )
    known = sorted(_in_a_process("cpu_for(words_known=True)") for _ in range(3))
    print(
        f"    the same, their words known to the process:  {known[0]:.3f} s"
        f"   (median {known[1]:.3f} s)"
    )
    cpu = cpu_after_restart()
    print(f"  CPU for a first cycle of 100 after a restart (20,000 of 144 hours): {cpu:.3f} s")
    return 0
