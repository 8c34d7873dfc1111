"""What a lean writer (`Store(lean=True)`: a `refresh` or `poll`) keeps of the articles it thins.

A lean store lets a full shard's titles, summaries, guids and authors go from memory, so a
first refresh of 100,000 articles fits a small process. Three things of them stay, each for
a reader that comes soon after:

- a digest of each thinned article's title and summary: a revision under the same guid is
  told from it without reading the shard back;
- the title and summary of those the search index has not taken in yet, until it does;
- the words of the shards this writer just wrote, for the cycle's hooks (stories, alerts),
  which read them within moments: let go past FRESH_WORDS articles or FRESH_SECONDS.
"""

from __future__ import annotations

from fetchers.models import comparable
from fetchers.query import Record
from fetchers.store.search import MadeWords

FRESH_WORDS = 20_000  # thinned articles whose words stay for the cycle's hooks
FRESH_SECONDS = 300.0  # how long they stay: let go at the first write after

# (thinned at, title, summary, guid, author), as the hooks read them
Fresh = tuple[float, str, str, str | None, str | None]


def bare(text: str) -> str:
    """`text`, as a copy when it is not ASCII: writing a string with orjson leaves its UTF-8
    form cached on it for as long as it lives (as much again as a summary), and the words
    kept after a write need none."""
    return text if text.isascii() else "".join((text, ""))


def digest(title: str, summary: str) -> int:
    """What a thinned article's title and summary are compared by (`comparable`)."""
    return hash((comparable(title), comparable(summary)))


class LeanWords:
    """The digests and words a lean store keeps of the articles it thinned (every one of
    them has a digest; `in` says whether an article was thinned)."""

    def __init__(self) -> None:
        self._digests: dict[str, int] = {}
        self._for_index: dict[str, tuple[str, str]] = {}
        self._fresh: dict[str, Fresh] = {}  # oldest first

    def __contains__(self, ident: object) -> bool:
        return ident in self._digests

    def __bool__(self) -> bool:
        return bool(self._digests)

    @property
    def fresh(self) -> int:
        """How many articles' words are kept for the hooks."""
        return len(self._fresh)

    def thin(self, record: Record, unindexed: bool, made: MadeWords, at: float | None) -> None:
        """Take a record's title, summary, guid and author out of memory, keeping its digest.
        `unindexed`: the search index has not taken it in yet (its words stay until it does).
        `made`: the words the parser made for the index, whose strings written are swapped
        for bare copies (they go with the shard's documents). `at`: when a shard this
        process just wrote was thinned (its words stay for the cycle's hooks), else None."""
        ident = record.id
        title, summary = bare(record.title), bare(record.summary)
        if unindexed:
            self._for_index[ident] = (title, summary)
        words = made.get(ident)
        if words is not None and words[0] is record.title and words[1] is record.summary:
            made[ident] = (title, summary, *words[2:])
        if at is not None:
            self._fresh[ident] = (at, title, summary, record.guid, record.author)
        self._digests[ident] = digest(record.title, record.summary)
        record.title = record.summary = ""
        record.guid = record.author = None

    def digest_of(self, ident: str) -> int | None:
        """A thinned article's digest (`digest`); None for one not thinned."""
        return self._digests.get(ident)

    def differs(self, ident: str, title: str, summary: str) -> bool | None:
        """Whether a thinned article's title or summary is not these; None for an article
        that was not thinned."""
        known = self._digests.get(ident)
        return None if known is None else known != digest(title, summary)

    def revised(self, ident: str, title: str, summary: str) -> None:
        """A thinned article was given another title or summary: its digest follows, the
        search index is given the new words, and the hooks read them."""
        self._digests[ident] = digest(title, summary)
        self._for_index[ident] = (title, summary)
        held = self._fresh.get(ident)
        if held is not None:
            self._fresh[ident] = (held[0], title, summary, held[3], held[4])

    def changed_on_disk(self, ident: str, title: str, summary: str) -> None:
        """A thinned article's shard was read again and says this: the digest follows; its
        words are read back from the shard as it has them, not kept."""
        self._digests[ident] = digest(title, summary)
        self._fresh.pop(ident, None)

    def texts_attached(self, ident: str, title: str, summary: str) -> None:
        """A thinned article was given a full text: the search index takes it in again,
        with these words."""
        if ident in self._digests:
            self._for_index[ident] = (title, summary)

    def take_index_words(self, ident: str) -> tuple[str, str] | None:
        """The words of a thinned article for the search index, let go as it takes them."""
        return self._for_index.pop(ident, None)

    def whole(self, record: Record) -> Record | None:
        """A copy of a thinned record with the words kept for the hooks; None when none are."""
        words = self._fresh.get(record.id)
        if words is None:
            return None
        _, title, summary, guid, author = words
        r = record
        whole = Record(
            r.id, r.source, title, summary, r.link, r.published, r._fetched, r.tags, r.lang,
            author, guid, r.text_ref, r.read, r.starred, r.listed,
        )  # fmt: skip
        whole.revised, whole.shard, whole.at = r.revised, r.shard, r.at
        whole.pulled = r.pulled
        whole.rank, whole.place = r.rank, r.place
        return whole

    def headline(self, record: Record) -> Record | None:
        """A thinned record's source, title, summary and times, from the words kept for the
        hooks; None when none are."""
        words = self._fresh.get(record.id)
        if words is None:
            return None
        return Record(
            record.id,
            record.source,
            words[1],
            words[2],
            published=record.published,
            fetched=record.fetched,
        )

    def age(self, now: float) -> None:
        """(At each write.) Let go of the words kept for the hooks beyond FRESH_WORDS articles
        or older than FRESH_SECONDS: the hooks read a cycle's articles within moments of its
        write (an article asked later is read from its shard file)."""
        fresh = self._fresh
        while fresh:
            ident = next(iter(fresh))  # the oldest
            if len(fresh) <= FRESH_WORDS and now - fresh[ident][0] <= FRESH_SECONDS:
                break
            del fresh[ident]

    def forget(self, ident: str) -> None:
        """An article no longer stored."""
        self._digests.pop(ident, None)
        self._for_index.pop(ident, None)
        self._fresh.pop(ident, None)
