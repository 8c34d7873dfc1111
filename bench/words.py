"""Words as the search index and a scan fold them: the CPU of making the search index's words
(`indexed_words`) of the articles of one refresh, and of the texts a scan looks for words in
(`Record.haystack`), in English alone and in four languages (a quarter each of English,
Korean, Japanese with Latin letters and digits in full width, and German and French), best
of five rounds."""

from __future__ import annotations

import functools
import time
import zlib
from collections.abc import Callable
from datetime import UTC, datetime

from bench.run import FakeNews
from fetchers.indexedtext import indexed_words
from fetchers.models import Article
from fetchers.query import Record

ROUNDS = 5
_FULL_WIDTH = {code: code + 0xFEE0 for code in range(0x21, 0x7F)}  # "A" -> "Ａ"
_ACCENTED = str.maketrans({"a": "ä", "o": "ö", "u": "ü", "e": "é"})


def _korean(word: str) -> str:
    """A word of Hangul syllables, the same for the same word."""
    seed = zlib.crc32(word.encode())
    return "".join(chr(0xAC00 + (seed >> (5 * n)) % 11172) for n in range(1 + len(word) // 3))


def _japanese(word: str) -> str:
    """Kanji and kana for a word, its Latin letters in full width for a word in capitals."""
    if word[:1].isupper() or word[:1].isdigit():
        return word.translate(_FULL_WIDTH)
    seed = zlib.crc32(word.encode())
    kanji = chr(0x4E00 + seed % 3000) + chr(0x4E00 + (seed >> 12) % 3000)
    return kanji + chr(0x3041 + (seed >> 24) % 80)


def _european(word: str) -> str:
    """A word with German and French letters: umlauts, an acute accent, "ß"."""
    return word.replace("ss", "ß").translate(_ACCENTED) if zlib.crc32(word.encode()) % 3 else word


def _rewritten(text: str | None, kind: int) -> str | None:
    """An English text as one of the four languages writes it (0: English)."""
    if text is None or kind == 0:
        return text
    words = text.split(" ")
    if kind == 1:
        return " ".join(map(_korean, words))
    if kind == 2:
        return "、".join(
            "".join(map(_japanese, words[at : at + 4])) for at in range(0, len(words), 4)
        )
    return " ".join(map(_european, words))


def corpus(count: int, languages: int) -> list[Article]:
    """`count` articles of `FakeNews` (a third with a full text), in the first `languages`
    of English, Korean, Japanese and German and French, in turn."""
    news = FakeNews(300, texts=True)
    when = datetime(2025, 10, 24, tzinfo=UTC)
    made = []
    for n in range(count):
        article = news.article(when)
        kind = n % languages
        article.title = _rewritten(article.title, kind) or ""
        article.summary = _rewritten(article.summary, kind) or ""
        article.text = _rewritten(article.text, kind)
        made.append(article)
    return made


def best_of(rounds: int, work: Callable[[], object]) -> float:
    """The least CPU seconds of `rounds` runs of `work`."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return best


def _index_words(articles: list[Article]) -> None:
    for article in articles:
        indexed_words(article.title, article.summary, article.text)


def _scanned(records: list[Record]) -> None:
    for record in records:
        _ = record.haystack


def bench_words(count: int) -> None:
    print(f"words of {count:,} articles (a third with a full text), best of {ROUNDS}:")
    for label, languages in (("English", 1), ("four languages", 4)):
        articles = corpus(count, languages)
        records = [Record(a.id, a.source, a.title, a.summary) for a in articles]
        characters = sum(len(a.title) + len(a.summary) + len(a.text or "") for a in articles)
        index = best_of(ROUNDS, functools.partial(_index_words, articles))
        scan = best_of(ROUNDS, functools.partial(_scanned, records))
        print(
            f"  {label + ':':<16} {characters / 1e6:5.1f} M characters;"
            f" the search index's words {index * 1000:7.1f} ms,"
            f" a scan's titles and summaries {scan * 1000:6.1f} ms"
        )
