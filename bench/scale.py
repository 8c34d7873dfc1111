"""A cold `wirewatch refresh` of many feeds: wall, CPU and peak RSS beside their budgets
(`python bench/run.py scale [--feeds 2000]`).

The shared feed server (../shared/bench/feedserver.py) serves N feeds of 50 items with 100 ms
(± 20 ms) latency; `wirewatch refresh` runs once over all of them into an empty data dir, in a
child process under /usr/bin/time. The RSS of the refresh and of its parser process is also
sampled every 50 ms, so the figures say when the peak came, and how much the second process
held beside it.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import orjson

CONCURRENCY = 8
LATENCY = 0.1  # the feed server's mean delay per response, in seconds
RSS_BUDGET_MB = {2000: 300, 1000: 200}  # cold refresh, 50 items a feed
NEWSBOAT_200 = (40.0, 3.81)  # newsboat's peak RSS (MB) and CPU (s) at 200 feeds, cold
SAMPLE_EVERY = 0.05


@dataclass
class _Sampler:
    """Polls /proc for the RSS of a process tree: the highest total, and when it came."""

    root: int
    peak_total: int = 0  # kB, the refresh and its children together
    peak_at: float = 0.0
    main_at_peak: int = 0
    timeline: list[tuple[float, int]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        started = time.perf_counter()
        while not self.stop.is_set():
            sizes = [_rss_kb(pid) for pid in _tree(self.root)]
            total = sum(sizes)
            now = time.perf_counter() - started
            self.timeline.append((now, total))
            if total > self.peak_total:
                self.peak_total, self.peak_at = total, now
                self.main_at_peak = max(sizes, default=0)
            self.stop.wait(SAMPLE_EVERY)


def _tree(root: int) -> list[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, ()))
    return out


def _rss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def _cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_busy() -> float:
    """CPU-seconds the whole machine has been busy, from /proc/stat."""
    with open("/proc/stat") as handle:
        user, nice, system, _idle, _iowait, irq, softirq = map(int, handle.readline().split()[1:8])
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def _start_server(python: str, shared: Path, feeds: int) -> tuple[subprocess.Popen[str], str]:
    server = subprocess.Popen(
        [python, str(shared / "feedserver.py"), "--port", "0", "--feeds", str(feeds)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert server.stdout is not None
    for line in server.stdout:
        if line.startswith("READY "):
            return server, line.split()[1]
    server.wait()
    raise RuntimeError(f"the feed server exited ({server.returncode}) before it was ready")


def bench_scale(root: Path, python: str, shared: Path, feeds: int, keep: bool = False) -> int:
    """Run one cold refresh of `feeds` feeds and print its figures beside the budgets."""
    work = Path(tempfile.mkdtemp(prefix="wirewatch-scale-"))
    server, base = _start_server(python, shared, feeds)
    try:
        with urllib.request.urlopen(f"{base}/urls.txt") as answer:
            urls = answer.read().decode().split()
        config = work / "wirewatch.toml"
        config.write_text(
            f'[settings]\nconcurrency = {CONCURRENCY}\ntimeout = "30s"\nretention_days = 100000\n\n'
            + "".join(
                f'[[sources]]\nname = "feed-{n:04d}"\nurl = "{u}"\n\n'
                for n, u in enumerate(urls, 1)
            )
        )
        timing = work / "time.txt"
        command = [
            "/usr/bin/time", "-f", "%M %U %S", "-o", str(timing),
            sys.executable, "-m", "tui",
            "--config", str(config), "--data-dir", str(work / "data"), "refresh", "--json",
        ]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(root), "NO_PROXY": "*", "no_proxy": "*"}
        server_cpu, busy, own = _cpu_seconds(server.pid), _machine_busy(), _own_cpu()
        started = time.perf_counter()
        child = subprocess.Popen(
            command, cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        sampler = _Sampler(child.pid)
        watcher = threading.Thread(target=sampler.run, daemon=True)
        watcher.start()
        out, err = child.communicate()
        wall = time.perf_counter() - started
        sampler.stop.set()
        watcher.join()
        busy = _machine_busy() - busy - (_own_cpu() - own)
        server_cpu = _cpu_seconds(server.pid) - server_cpu
    finally:
        server.terminate()
        server.wait()
    peak_kb, user, system = timing.read_text().split()[-3:]
    cpu = float(user) + float(system)
    lines = [orjson.loads(line) for line in out.splitlines() if line.startswith(b"{")]
    stored = sum(int(line.get("new") or 0) for line in lines)
    failed = sum(line.get("status") == "error" for line in lines)
    others = (
        max(0.0, busy - cpu - server_cpu) / wall
    )  # cores, beside the refresh, server and sampler
    floor = feeds * LATENCY / CONCURRENCY
    peak = int(peak_kb) / 1024
    budget = RSS_BUDGET_MB.get(feeds)
    print(
        f"cold refresh, {feeds:,} feeds x 50 items, 100 ms latency, concurrency {CONCURRENCY}"
        f" (exit {child.returncode})"
    )
    print(f"  stored:            {stored:>9,} articles, {failed} sources failed")
    print(
        f"  wall:              {wall:9.2f} s    {wall / floor:.2f}x the latency floor "
        f"({floor:.2f} s)   budget 1.15x at 200 feeds"
    )
    print(
        f"  CPU:               {cpu:9.2f} s    ({float(user):.2f} user, {float(system):.2f} sys)"
        f"   budget 0.5x newsboat's at 200 feeds ({NEWSBOAT_200[1] * 0.5:.2f} s there)"
    )
    print(
        f"  peak RSS:          {peak:9.0f} MB   (one process, /usr/bin/time)   budget "
        + (
            f"{budget} MB"
            if budget
            else f"2x newsboat's at 200 feeds ({NEWSBOAT_200[0] * 2:.0f} MB)"
        )
    )
    print(
        f"  sampled peak:      {sampler.peak_total / 1024:9.0f} MB   (refresh and parser together,"
        f" at {sampler.peak_at:.1f} s; the refresh {sampler.main_at_peak / 1024:.0f} MB of it)"
    )
    print(f"  other load:        {others:9.2f} cores beside the refresh and the feed server")
    if child.returncode not in (0, 1):
        print(err.decode(errors="replace")[-2000:])
    if keep:
        (work / "rss.tsv").write_text("".join(f"{t:.2f}\t{kb}\n" for t, kb in sampler.timeline))
        print(f"  kept in {work} (rss.tsv: seconds, kB)")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if child.returncode in (0, 1) else child.returncode
