"""Article text beside the libraries it is built on: word F1 and pages per CPU-second.

Every page of the development set goes through `extract_article` (what `wirewatch extract`
prints: the headline, then the text), trafilatura's `extract()` with its defaults and
readability-lxml's `summary()` as text, in one run on one machine. Words are counted by the
set's own scorer (score.py). Its expected texts were made from pages read as Latin-1, so the
non-ASCII words of pages in other charsets never match a correct extraction; a second F1 column
scores against the expected text with that misreading undone.
"""

from __future__ import annotations

import gzip
import importlib.util
import json
import logging
import re
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import lxml.html

from fetchers.charset import decode
from fetchers.extract import ExtractError, extract_article
from fetchers.timeparse import parse_feed_date


def wirewatch(body: bytes) -> str:
    try:
        page = extract_article(body, None, None)
    except ExtractError:
        return ""
    return f"{page.title}\n\n{page.text}" if page.title else page.text


def trafilatura_alone(body: bytes) -> str:
    import trafilatura

    return trafilatura.extract(body) or ""


def readability_alone(body: bytes) -> str:
    from readability import Document

    summary = Document(body).summary()
    return "\n".join(lxml.html.fromstring(summary).itertext()) if summary.strip() else ""


CONTENDERS: dict[str, Callable[[bytes], str]] = {
    "wirewatch": wirewatch,
    "trafilatura": trafilatura_alone,
    "readability-lxml": readability_alone,
}


def load_scorer(directory: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("extract_dev_score", directory / "score.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def as_read_correctly(expected: str, body: bytes) -> str:
    """The expected text with a Latin-1 reading of the page's bytes undone."""
    try:
        raw = expected.encode("latin-1")
    except UnicodeEncodeError:
        return expected  # not a Latin-1 misreading
    return raw.decode(decode(body)[1], errors="replace")


_BY = re.compile(r"^(?:by|par|von)\s+", re.I)


def f1(totals: list[int]) -> tuple[float, float, float]:
    tp, fp, fn = totals
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    score = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return score, precision, recall


def bench_extract(directory: Path, limit: int = 0) -> int:
    logging.disable(logging.CRITICAL)  # the libraries log every page they find hard
    warnings.simplefilter("ignore")
    scorer = load_scorer(directory)
    names = sorted(p.name[: -len(".html.gz")] for p in (directory / "pages").glob("*.html.gz"))
    if limit:
        names = names[:limit]
    pages = []
    stated: list[dict[str, object]] = []
    for name in names:
        body = gzip.decompress((directory / "pages" / f"{name}.html.gz").read_bytes())
        expected = json.loads((directory / "pages" / f"{name}.json").read_text("utf-8"))["text"]
        pages.append((body, expected, as_read_correctly(expected, body)))
        stated.append(json.loads((directory / "pages" / f"{name}.json").read_text("utf-8")))
    print(f"article text: {len(pages)} pages of {directory.name}, one process, one core")
    for extract in CONTENDERS.values():
        extract(pages[0][0])  # imports and first-call set-up are not per-page costs
    totals = {label: [0, 0, 0] for label in CONTENDERS}
    fixed = {label: [0, 0, 0] for label in CONTENDERS}
    cpu = dict.fromkeys(CONTENDERS, 0.0)
    empty = dict.fromkeys(CONTENDERS, 0)
    # Page by page, each contender in turn: a change in the machine's load falls on all three.
    for body, expected, expected_fixed in pages:
        for label, extract in CONTENDERS.items():
            started = time.process_time()
            try:
                text = extract(body)
            except Exception:  # a library that raises scores 0 on that page, as in score.py
                text = ""
            cpu[label] += time.process_time() - started
            empty[label] += not text.strip()
            for into, truth in ((totals[label], expected), (fixed[label], expected_fixed)):
                for n, value in enumerate(scorer.score(text, truth)):
                    into[n] += value
    print(f"  {'':18} {'word F1':>8} {'P':>6} {'R':>6}  {'F1 (read right)':>15}  pages/CPU-s")
    for label in CONTENDERS:
        score, precision, recall = f1(totals[label])
        print(
            f"  {label:18} {score:8.3f} {precision:6.3f} {recall:6.3f}"
            f"  {f1(fixed[label])[0]:15.3f}  {len(pages) / cpu[label]:11.1f}"
            f"   ({empty[label]} empty)"
        )
    print_metadata_agreement(pages, stated)
    return 0


def print_metadata_agreement(
    pages: list[tuple[bytes, str, str]], stated: list[dict[str, object]]
) -> None:
    """How often wirewatch's title, byline, language and time agree with the set's own values
    (Readability's, read right), over the pages where the set states one."""
    agree = {field: [0, 0] for field in ("title", "byline", "lang", "published")}
    for (body, _, _), values in zip(pages, stated, strict=True):
        try:
            page = extract_article(body, None, None)
        except ExtractError:
            page = None
        for field, counts in agree.items():
            value = values.get(field)
            if not isinstance(value, str) or not value.strip():
                continue
            counts[1] += 1
            if page is None:
                continue
            ours = getattr(page, field)
            if field == "published":
                counts[0] += ours is not None and ours == parse_feed_date(value)
            elif field == "lang":
                counts[0] += ours == value.split("-")[0].lower()
            else:  # a byline is compared without its "By"
                truth = _BY.sub("", " ".join(as_read_correctly(value, body).split()))
                counts[0] += ours is not None and " ".join(ours.split()) == truth
    shown = ", ".join(f"{field} {hit}/{total}" for field, (hit, total) in agree.items())
    print(f"  wirewatch's metadata equal to the set's, where it states one: {shown}")
