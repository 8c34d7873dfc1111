"""The in-memory indexes of a store: the records by id, the date order, the source, tag and
language indexes, links and each shard's members; and the query plan that uses them, with
the search index (`search`) for words. All derived from the records at open: nothing here is
written to disk."""

from __future__ import annotations

import bisect
import contextlib
import dataclasses
import itertools
import sys
from array import array
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from operator import attrgetter

from fetchers.query import (
    Query,
    Record,
    Term,
    TextOf,
    Verdicts,
    WordsOf,
    name_key,
    shared_place,
)
from fetchers.stepwise import kept_stepwise, mapped_stepwise, merged_in_steps
from fetchers.store.marks import Marks
from fetchers.store.search import WordLookup, is_exact
from fetchers.store.shards import shard_rank
from fetchers.webaddress import untracked

FILED = ("source", "tag", "lang")  # the fields with an index of their own
_AT, _SEQ, _ID = attrgetter("at"), attrgetter("seq"), attrgetter("id")
_SHARD = attrgetter("shard")
ORDER_CHUNK = 25_000  # articles sorted at once when the date order is made afresh
ORDER_STEP = 65_536  # ids of the date order copied in one call (a few ms)
INSERTED_RUNS = 64  # places new articles go into the date order, beyond which it is merged
# A page of a word query first asks the search index for the shards of the newest span of the
# date order only (its matches there are the page when there are enough), growing the span
# as the matches found need; past half the store, or too many shards, the whole is asked.
NEWEST_SPAN_PER_MATCH = 32
NEWEST_SPAN_LEAST = 8192
NEWEST_SPAN_SHARDS = 256
SHARDS_STEP = 4096  # articles whose shards are read in one call (a few ms at a million)
WITHIN_MOST = 20_000  # a since:/before: slice this long (or an eighth of the store) or
# shorter asks the index for its own shards


def _sort_by_date(records: list[Record]) -> None:
    """Newest first, equal times in seq order (two stable sorts, no tuple per record)."""
    records.sort(key=_SEQ)
    records.sort(key=_AT, reverse=True)


def _date_order(record: Record) -> tuple[float, int]:
    """Newest first, equal times in seq order, as one key (for a merge of sorted chunks)."""
    return (-record.at, record.seq)


# the date order as `Indexes` holds it: negated times, ids and shards, newest first
DateOrder = tuple["array[float]", list[str], list[str]]


def date_order(records: list[Record], between: Callable[[], object] | None = None) -> DateOrder:
    """The date order of these records (newest first, equal times in seq order): two
    stable sorts keyed by attributes, no tuple per article (a million of them would be most
    of the memory a store needs at open). Beyond ORDER_CHUNK articles, chunks are sorted so
    and merged a step at a time, and their ids listed so: one sort of a million holds the
    interpreter a third of a second, a freeze of whatever shares the process (a dashboard
    loading its store). `between`: called after each step (a store making the order outside
    its lock gives way to a filter typed meanwhile)."""
    merged = merged_in_steps(records, _date_order, ORDER_CHUNK, _sort_by_date, between)
    ordered: list[Record] = []
    while chunk := list(itertools.islice(merged, ORDER_STEP)):
        ordered += chunk
        if between is not None:
            between()
    ids = mapped_stepwise(_ID, ordered, between)
    shards = mapped_stepwise(_SHARD, ordered, between)
    # from generators, a step at a time: a list of a million negated times would be 32 MB
    keys: array[float] = array("d")
    for at in range(0, len(ordered), ORDER_STEP):
        keys.extend(-record.at for record in ordered[at : at + ORDER_STEP])
        if between is not None:
            between()
    return keys, ids, shards


_Ids = set[str] | frozenset[str]
# new articles going to one place in the date order: the place, their keys, ids and shards
_Run = tuple[int, list[float], list[str], list[str]]
# a query the indexes decide: the slice [lo, hi) of the date order it keeps to, how many
# match, and the ids that match or that fail (neither: every article of the slice)
_Decided = tuple[int, int, int, _Ids | None, _Ids | None]


def _is_bound(clause: list[Term]) -> bool:
    """A clause the date order's slice decides alone (`_window`): one since: or before:."""
    return len(clause) == 1 and not clause[0].negated and clause[0].bound is not None


def _scans_in_order(candidates: _Ids, limit: int | None, lo: int, hi: int) -> bool:
    """Whether the candidates of the slice [lo, hi) are found by walking the date order
    (many of them, or few wanted) rather than by sorting them (`_newest_first`)."""
    return len(candidates) * 8 > hi - lo or _scan_is_cheaper(len(candidates), limit, hi - lo)


def _scan_is_cheaper(candidates: int, limit: int | None, window: int) -> bool:
    """Whether walking the date order until `limit` candidates turn up costs less than
    sorting every candidate by date: the walk meets about `limit * window / candidates`
    ids, at a set lookup each, where the sort weighs each candidate about twenty times
    more (its record is looked up and read). A word in 4% of a million articles: the
    first 20 are 500 ids into the order instead of 44,000 records sorted."""
    if limit is None or candidates == 0:
        return False
    return limit * window <= 16 * candidates * candidates


def _only_stored(words: WordLookup | None, ids: _Ids | None) -> bool:
    """Whether the word lookup gave `ids` as it is and knows them all to be stored articles."""
    return words is not None and isinstance(ids, set) and words.only_stored(ids)


def _may_decide(clause: list[Term]) -> bool:
    """(For a query of several clauses.) Whether the indexes can decide this clause exactly:
    its terms are words, phrases, sources or tags, none negated (`_decides` then asks)."""
    return all(not t.negated and t.field in (None, "title", "source", "tag") for t in clause)


def _decides(clause: list[Term], verdicts: Verdicts | None) -> bool:
    """(For a query of several clauses.) Whether the indexes know exactly which articles
    this clause holds for: a source or tag as filed, or a clause whose matches they hold
    exactly (a word, an OR of words); then the candidates of all of them are the matches."""
    if len(clause) == 1 and not clause[0].negated and clause[0].field in ("source", "tag"):
        return True
    return verdicts is not None and verdicts.rest is False


def _asks_words(query: Query) -> bool:
    """Whether a query has a word or phrase term (one the search index answers)."""
    return any(term.field in (None, "title") for clause in query.clauses for term in clause)


def field_keys(record: Record) -> Iterator[tuple[str, str]]:
    """The (index, key) pairs an article is filed under: source, each tag, its language."""
    yield "source", name_key(record.source)
    for tag in record.tags:
        yield "tag", name_key(tag)
    if record.lang:
        yield "lang", record.lang.lower().split("-")[0]


# the ids filed under one link of a source: nearly always one, kept as itself (a container per
# link of a million would cost more than the index); several (a live page's updates, a feed
# that links every item to its home page) as a dict in the order filed, each added and taken
# out in one step however many share the link
LinkIds = str | dict[str, None]


def add_link(by_link: dict[str, LinkIds], link: str, ident: str) -> None:
    """File `ident` under `link` (less its tracking parameters: an article stored with them
    is the same item as one that comes without them, or stamped anew) beside those there."""
    link = untracked(link)
    held = by_link.get(link)
    if held is None or held == ident:
        by_link[link] = ident
    elif isinstance(held, str):
        by_link[link] = {held: None, ident: None}
    else:
        held[ident] = None


def drop_link(by_link: dict[str, LinkIds], link: str, ident: str) -> None:
    """Take `ident` from under `link` (`add_link`)."""
    link = untracked(link)
    held = by_link.get(link)
    if held == ident:
        del by_link[link]
    elif isinstance(held, dict) and ident in held:
        del held[ident]
        if len(held) == 1:
            by_link[link] = next(iter(held))


class Indexes:
    """Every article in memory and the indexes over them. Not locked: the store's lock
    guards every call."""

    def __init__(self, links: bool = True) -> None:
        """`links`: keep the links index from the start (a writer: it checks each new
        article's link); without it, it is built when first asked (a viewer seldom does,
        and it costs about 30 bytes an article)."""
        self.records: dict[str, Record] = {}
        # the date order: negated times (Record.at), ascending = newest first, and the ids
        self.order_keys: array[float] = array("d")
        self.order_ids: list[str] = []
        # the shard of each article of the date order (its key, one string a shard): the
        # shards a since:/before: slice spans, without a look at each article (2 days of a
        # million articles: 1 ms, against 55 ms through the records)
        self.order_shards: list[str] = []
        # source -> link -> the id filed under it (ids: several, which `add_link` makes)
        self.links: dict[str, dict[str, LinkIds]] | None = {} if links else None
        self.members: dict[str, list[str]] = {}  # each shard's article ids, in order
        # shards whose members are not in the order of their places (some filed first)
        self.filed_out_of_order: set[str] = set()
        # field -> key -> ids: lists, not sets (a set costs about 60 bytes an entry; a list
        # 8, and a query makes a set of the few it needs)
        self.by_field: dict[str, dict[str, list[str]]] = {name: {} for name in FILED}
        # filings and drops so far: a date order made from the records as they were holds
        # while this is unchanged (`take_order`)
        self.changes = 0

    def __len__(self) -> int:
        return len(self.records)

    def held(self) -> dict[str, int]:
        """Each shard with how many articles it holds."""
        return {key: len(ids) for key, ids in self.members.items()}

    def file(
        self, records: list[Record], key: str, marks: Marks, places: list[int] | None = None
    ) -> None:
        """File records in every index (one tight loop: this is most of open). `places`:
        each record's place in its shard, when they are not the shard's next ones (some of
        a shard filed before the rest)."""
        state, docs = marks.state, self.records
        key = sys.intern(key)
        links = self.links
        sources, tags, langs = (self.by_field[n] for n in FILED)
        members = self.members.setdefault(key, [])
        rank = shard_rank(key)  # see Record.seq: one integer for the shard's records
        filed: Iterable[int] = (
            range(len(members), len(members) + len(records)) if places is None else places
        )
        if places is not None and places != list(range(len(members), len(members) + len(places))):
            self.filed_out_of_order.add(key)
        folded: dict[str, str] = {}  # interned names repeat: fold each once per call
        self.changes += 1
        for record, place in zip(records, filed, strict=True):
            ident = record.id
            if state:
                found_marks = state.get(ident)
                if found_marks:
                    record.read = bool(found_marks.get("read"))
                    record.starred = bool(found_marks.get("starred"))
            docs[ident] = record
            record.shard = key
            record.rank = rank
            record.place = shared_place(place)
            published = record.published
            record.at = published if published is not None else record.when
            source = record.source
            if links is not None and record.link:
                by_link = links.get(source)
                if by_link is None:
                    links[source] = by_link = {}
                add_link(by_link, record.link, ident)
            name = folded.get(source)
            if name is None:
                name = folded[source] = name_key(source)
            found = sources.get(name)
            if found is None:
                sources[name] = found = []
            found.append(ident)
            for tag in record.tags:
                name = folded.get(tag)
                if name is None:
                    name = folded[tag] = name_key(tag)
                found = tags.get(name)
                if found is None:
                    tags[name] = found = []
                found.append(ident)
            if record.lang:
                langs.setdefault(record.lang.lower().split("-")[0], []).append(ident)
        members.extend(record.id for record in records)

    def rename_source(self, old: str, ids: list[str], new: str) -> None:
        """File the articles `ids` of source `old` under its new name, which they take: the
        source index, and the links index where it is kept."""
        if not ids:
            return
        self.changes += 1
        name = sys.intern(new)
        by_source = self.by_field["source"]
        old_key, new_key = name_key(old), name_key(name)
        if old_key != new_key:
            moved = set(ids)
            kept = [i for i in by_source.get(old_key, ()) if i not in moved]
            if kept:
                by_source[old_key] = kept
            else:
                by_source.pop(old_key, None)
            by_source.setdefault(new_key, []).extend(ids)
        records, links = self.records, self.links
        if links is not None:
            before, after = links.get(old, {}), links.setdefault(name, {})
            for ident in ids:
                link = records[ident].link
                if link:
                    drop_link(before, link, ident)
                    add_link(after, link, ident)
            for owner in (old, name):
                if not links.get(owner, True):
                    del links[owner]
        for ident in ids:
            records[ident].source = name

    def retag(self, tags: dict[str, list[str]]) -> None:
        """Give the articles of `tags` (id -> their new tags) those tags, and file them
        under those alone."""
        if not tags:
            return
        self.changes += 1
        by_tag, records = self.by_field["tag"], self.records
        leaving: dict[str, set[str]] = {}  # a tag -> the articles that no longer have it
        for ident, new in tags.items():
            record = records[ident]
            before = {name_key(tag) for tag in record.tags}
            after = {name_key(tag) for tag in new}
            for name in before - after:
                leaving.setdefault(name, set()).add(ident)
            for name in after - before:
                by_tag.setdefault(name, []).append(ident)
            record.tags = tuple(sys.intern(tag) for tag in new)
        for name, gone in leaving.items():
            kept = [ident for ident in by_tag.get(name, ()) if ident not in gone]
            if kept:
                by_tag[name] = kept
            else:
                by_tag.pop(name, None)

    def drop_shard(self, key: str) -> list[str]:
        """Unfile every article of one shard; returns their ids."""
        ids = self.members.pop(key, [])
        self.filed_out_of_order.discard(key)
        self.changes += 1
        touched: set[tuple[str, str]] = set()
        for ident in ids:
            record = self.records.pop(ident, None)
            if record is None:
                continue
            if self.links is not None and record.link:
                drop_link(self.links.get(record.source, {}), record.link, ident)
            touched.update(field_keys(record))
        records = self.records
        for name, value in touched:  # one pass over each list the shard was in
            table = self.by_field[name]
            kept = [i for i in table.get(value, ()) if i in records]
            if kept:
                table[value] = kept
            else:
                table.pop(value, None)
        return ids

    def link_owners(self, source: str, link: str | None, most: int | None = None) -> list[str]:
        """The ids of the articles of `source` filed with this link (at most `most`)."""
        if not link:
            return []
        if self.links is None:
            self.links = {}
            for record in self.records.values():
                if record.link:
                    add_link(self.links.setdefault(record.source, {}), record.link, record.id)
        held = self.links.get(source, {}).get(untracked(link))
        if held is None:
            return []
        return [held] if isinstance(held, str) else list(islice(held, most))

    def rebuild_order(self) -> None:
        """The date order afresh, of every record filed (`date_order`)."""
        self.order_keys, self.order_ids, self.order_shards = date_order(list(self.records.values()))

    def take_order(self, order: DateOrder, changes: int) -> bool:
        """Take a date order made (`date_order`) from the records as they were when
        `changes` was read, if nothing was filed or dropped since; whether it was taken."""
        if changes != self.changes:
            return False
        self.order_keys, self.order_ids, self.order_shards = order
        return True

    def insert_orders(self, idents: list[str]) -> None:
        """Put newly filed articles into the date order, each after its equals (it came
        later). Where they go in few places (a cycle's articles: a source's batch), each
        run of them is put in place, newest last, each a move of the pointers after it (a
        few ms at a million articles); in more places, one merge pass (inserting thousands
        one by one into a list of 100,000 moves the list thousands of times), copied a step
        at a time: a copy of a million ids in one call held the interpreter 50-100 ms, and
        a screen beside it stalled."""
        if not idents:
            return
        docs = self.records
        new = sorted((-docs[i].at, docs[i].seq, i) for i in idents)
        keys, ids = self.order_keys, self.order_ids
        runs: list[_Run] = []  # where, in the order as it is
        done = 0
        for key, seq, ident in new:
            at = bisect.bisect_right(keys, key, done)
            if at > done and keys[at - 1] == key and docs[ids[at - 1]].seq > seq:
                # equal times: by shard and place in it, whichever was loaded first; the
                # equals are in that order, so it is looked for halving them (a feed of
                # 10,000 undated articles, all of one time, made stepping back over them
                # one by one 8.7 s for a `list`, and it grew with the square)
                equal = bisect.bisect_left(keys, key, done, at)
                at = bisect.bisect_right(ids, seq, equal, at, key=lambda i: docs[i].seq)
            if runs and runs[-1][0] == at:
                runs[-1][1].append(key)
                runs[-1][2].append(ident)
                runs[-1][3].append(docs[ident].shard)
            else:
                runs.append((at, [key], [ident], [docs[ident].shard]))
            done = at
        if len(runs) <= INSERTED_RUNS:
            shards = self.order_shards
            for at, run_keys, run_ids, run_shards in reversed(runs):  # (places before stay)
                keys[at:at] = array("d", run_keys)
                ids[at:at] = run_ids
                shards[at:at] = run_shards
            return
        self._merge_orders(runs)

    def _merge_orders(self, runs: list[_Run]) -> None:
        """(For `insert_orders`.) The date order made anew with each run put in its place,
        the articles between copied a step at a time."""
        keys, ids, shards = self.order_keys, self.order_ids, self.order_shards
        merged_keys: array[float] = array("d")
        merged_ids: list[str] = []
        merged_shards: list[str] = []
        done = 0
        for at, run_keys, run_ids, run_shards in [*runs, (len(ids), [], [], [])]:
            for start in range(done, at, ORDER_STEP):
                stop = min(at, start + ORDER_STEP)
                merged_keys += keys[start:stop]
                merged_ids += ids[start:stop]
                merged_shards += shards[start:stop]
            merged_keys.extend(run_keys)
            merged_ids += run_ids
            merged_shards += run_shards
            done = at
        self.order_keys, self.order_ids, self.order_shards = merged_keys, merged_ids, merged_shards
        for old in (ids, shards):  # let go of a step at a time too (the last reference)
            while old:
                del old[-ORDER_STEP:]

    # -- the query plan ---------------------------------------------------------------------
    def query_ids(
        self,
        query: Query | None,
        limit: int | None,
        text_of: TextOf,
        words: WordLookup | None = None,
        words_of: WordsOf | None = None,
    ) -> list[str]:
        """Ids newest first. Time bounds cut a slice of the date order; source, tag and lang
        indexes and the search index (`words`) give candidates; every candidate the indexes
        are not sure of is checked by the query (`words_of`: thin records with their words,
        read back)."""
        if query is None or query.is_empty:
            return list(self.order_ids[:limit] if limit is not None else self.order_ids)
        lo, hi = self._window(query)
        if limit is not None and words is not None and _asks_words(query):
            found = self._newest_page(query, limit, lo, hi, text_of, words, words_of)
            if found is not None:
                return found
        with self._words_within(query, lo, hi, words):
            return self._query_span(query, limit, lo, hi, text_of, words, words_of)

    @contextlib.contextmanager
    def _words_within(
        self, query: Query, lo: int, hi: int, words: WordLookup | None
    ) -> Iterator[None]:
        """The search index asked only for the shards of the slice [lo, hi) of the date order,
        when since:/before: make it a small part of the store: `APEC since:2d` reads the
        matches of two days' shards, not the 80,000 of a month (every article of the slice
        is in those shards, so the answer within it is the same). The shards are read off
        the date order's (`order_shards`); the slice is an eighth of the store at most: the
        index's answer for more shards costs about what it costs for all of them."""
        order = self.order_ids
        whole = lo <= 0 and hi >= len(order)  # no bound cuts the order: every shard
        longest = max(WITHIN_MOST, len(order) // 8)
        if words is None or whole or not _asks_words(query) or hi - lo > longest:
            yield
            return
        if len(order) != len(self.records):  # days loaded, not yet in the date order: their
            yield  # shards are not known from it
            return
        shards, of_order = set[str](), self.order_shards
        for at in range(lo, hi, SHARDS_STEP):  # in steps: another thread may draw a screen
            shards.update(of_order[at : min(hi, at + SHARDS_STEP)])
        if not shards or len(shards) > NEWEST_SPAN_SHARDS:
            yield
            return
        words.within = shards
        try:
            yield
        finally:
            words.within = None

    def part(
        self,
        query: Query | None,
        around: int,
        words: WordLookup | None = None,
        row: int | None = None,
        through: str | None = None,
    ) -> tuple[int, int, list[str]] | None:
        """How many articles match, and a part of their list (`query_ids(query)`, newest
        first) about a place in it: the article `through` when it matches, else the row
        `row` (the last row of a shorter list), with `around` rows either side. Returned as
        (how many match, the row the part starts at, its ids). Answered when the indexes
        decide every article without testing it: no filter; a word, an OR of words or
        "-word", with any since:/before: bounds; `source:` or `tag:`; clauses of words, ORs
        of words, sources and tags that must all hold. None otherwise,
        while loaded days are not yet in the date order, or when `through` does not match and
        no `row` is given. A pane
        highlighting a row far down a million articles draws the new filter's rows there at
        once, where its whole list takes two to six times as long (the part is read from the
        nearer end of the list)."""
        decided = self._decided(query, words)
        if decided is None:
            return None
        lo, hi, count, hold, fail = decided
        if through is not None:
            ranked = self._rank(through, lo, hi, hold, fail)
            if ranked is None and row is None:
                return None
            row = ranked if ranked is not None else row
        if row is None or not count:
            return count, 0, []
        row = min(row, count - 1)
        start, stop = max(0, row - around), min(count, row + around + 1)
        order = self.order_ids
        # the matches read to reach the part and in it, from the nearer end
        wanted = min(start, count - stop) + stop - start
        if hold is None and fail is None:  # every article of the slice: its rows as they are
            return count, start, order[lo + start : lo + stop]
        if hold is not None and wanted * (hi - lo) > 4 * count * count:
            # rare matches (a source's 500 of a million): sorted, not searched for
            return count, start, self._newest_first(hold, lo, hi)[start:stop]

        def picked(ids: Iterable[str]) -> Iterator[str]:
            if hold is not None:
                return filter(hold.__contains__, ids)
            if fail is not None:
                return itertools.filterfalse(fail.__contains__, ids)
            return iter(ids)

        if start <= count - stop:  # nearer the top: read on from the newest
            forward = map(order.__getitem__, range(lo, hi))
            return count, start, list(itertools.islice(picked(forward), start, stop))
        backwards = map(order.__getitem__, range(hi - 1, lo - 1, -1))
        ids = list(itertools.islice(picked(backwards), count - stop, count - start))
        ids.reverse()
        return count, start, ids

    def _decided(self, query: Query | None, words: WordLookup | None) -> _Decided | None:
        """(For `part`.) The slice [lo, hi) of the date order a query keeps to, how many
        match, and the ids that match (`hold`) or that fail among those in the slice (`fail`;
        neither: all of it), when the indexes know them exactly; None otherwise."""
        order = self.order_ids
        if len(order) != len(self.records):  # days loaded, not yet in the date order
            return None
        if query is None or query.is_empty:
            return 0, len(order), len(order), None, None
        lo, hi = self._window(query)
        rest = [n for n, clause in enumerate(query.clauses) if not _is_bound(clause)]
        if not rest:
            return lo, hi, hi - lo, None, None
        if len(rest) > 1 and not all(_may_decide(query.clauses[n]) for n in rest):
            return None  # (`tariff is:unread`: not worth the candidates the whole list makes)
        with self._words_within(query, lo, hi, words):
            candidates, known = self._candidates(query, words)
        verdicts = known.get(rest[0]) if len(rest) == 1 else None
        if verdicts is not None and verdicts.rest is True and not verdicts.hold:  # "-word"
            fail = verdicts.fail  # all but the word's
            counted = self._count_within(fail, lo, hi, _only_stored(words, fail))
            return lo, hi, hi - lo - counted, None, fail
        if verdicts is not None and verdicts.rest is False and verdicts.hold is candidates:
            hold = verdicts.hold
            return lo, hi, self._count_within(hold, lo, hi, _only_stored(words, hold)), hold, None
        # clauses that must all hold, each decided exactly by the indexes (`tariff source:X`,
        # `source:X since:2d`): their candidates are the matches
        if candidates is not None and all(_decides(query.clauses[n], known.get(n)) for n in rest):
            return lo, hi, self._count_within(candidates, lo, hi), candidates, None
        return None  # candidates the indexes are not sure of: each must be tested

    def _rank(
        self,
        ident: str,
        lo: int,
        hi: int,
        hold: _Ids | None,
        fail: _Ids | None,
    ) -> int | None:
        """(For `part`.) The row of `ident` in the list of the matches in [lo, hi) that
        `hold` holds or `fail` leaves (neither: all of them); None when it is not one."""
        record = self.records.get(ident)
        if record is None or (hold is not None and ident not in hold):
            return None
        if fail is not None and ident in fail:
            return None
        order, keys, key = self.order_ids, self.order_keys, -record.at
        tie = bisect.bisect_left(keys, key)  # the first article of its time
        try:
            place = order.index(ident, tie, bisect.bisect_right(keys, key))
        except ValueError:
            return None
        if not lo <= place < hi:
            return None
        # counted by time before its time (`_count_within` takes whole times), then by place
        if hold is not None:
            return self._count_within(hold, lo, tie) + sum(map(hold.__contains__, order[tie:place]))
        if fail is not None:
            ahead = sum(map(fail.__contains__, order[tie:place]))
            return place - lo - self._count_within(fail, lo, tie) - ahead
        return place - lo

    def _count_within(self, ids: _Ids, lo: int, hi: int, stored: bool = False) -> int:
        """How many of `ids` are stored articles within the slice [lo, hi) of the date order,
        whose ends take whole times (as `_window` cuts): each looked up, or the slice scanned
        when it is the shorter (a scan costs about a third of a lookup an article), or the
        rest of the order scanned and taken from all of them when that is (a far-down row's
        count: the articles before it are nearly the whole order). `stored`: every one of
        `ids` is known to be a stored article (the whole order needs no look)."""
        docs = self.records
        order = self.order_ids
        if lo >= hi:
            return 0
        if lo <= 0 and hi >= len(order):
            return len(ids) if stored else sum(map(docs.__contains__, ids))
        if hi - lo <= 3 * len(ids):
            return sum(map(ids.__contains__, map(order.__getitem__, range(lo, hi))))
        if lo + len(order) - hi <= 3 * len(ids):  # all of them, less those outside the slice
            every = len(ids) if stored else sum(map(docs.__contains__, ids))
            outside = itertools.chain(range(max(lo, 0)), range(hi, len(order)))
            return every - sum(map(ids.__contains__, map(order.__getitem__, outside)))
        first, last = -self.order_keys[lo], -self.order_keys[hi - 1]
        return sum(1 for i in ids if (r := docs.get(i)) is not None and last <= r.at <= first)

    def _newest_page(
        self,
        query: Query,
        limit: int,
        lo: int,
        hi: int,
        text_of: TextOf,
        words: WordLookup,
        words_of: WordsOf | None,
    ) -> list[str] | None:
        """The first `limit` matches of a word query from the newest span of the date order,
        whose shards alone are asked of the search index (a word in 5% of a million articles:
        the rows of a few shards, not 57,000 ids); None when the span would have to grow
        further than listing every match costs, or past half the store."""
        span = max(limit * NEWEST_SPAN_PER_MATCH, NEWEST_SPAN_LEAST)
        shards: set[str] = set()
        seen = lo
        while span * 2 <= hi - lo:
            # the span ends after the articles of its last time: one of them left out (in a
            # shard not asked) would let a later one of that time take its place
            end = min(hi, bisect.bisect_right(self.order_keys, self.order_keys[lo + span - 1]))
            shards.update(self.order_shards[seen:end])
            seen = end
            if len(shards) > NEWEST_SPAN_SHARDS:
                return None
            words.within = shards
            try:
                found = self._query_span(query, limit, lo, end, text_of, words, words_of)
            finally:
                words.within = None
            if len(found) >= limit:
                return found
            if not found:
                return None
            span = end - lo
            needed = span * limit * 3 // (2 * len(found))  # as far as these matches say
            if needed > len(found) * (hi - lo) // span:  # more than the matches to list
                return None
            span = needed
        return None

    def _query_span(
        self,
        query: Query,
        limit: int | None,
        lo: int,
        hi: int,
        text_of: TextOf,
        words: WordLookup | None,
        words_of: WordsOf | None,
    ) -> list[str]:
        """The matches within the slice [lo, hi) of the date order, newest first."""
        candidates, known = self._candidates(query, words)
        only = known.get(0) if len(query.clauses) == 1 else None
        if only is not None and only.rest is True and not only.hold:  # "-word" alone
            drop = only.fail.__contains__
            return kept_stepwise(self.order_ids, lo, hi, limit, ORDER_STEP, drop=drop)
        exact = only is not None and only.rest is False and only.hold is candidates
        if exact and candidates is not None:  # the index's answer is exact: no check
            if not _scans_in_order(candidates, limit, lo, hi):
                return self._newest_first(candidates, lo, hi)[:limit]
            return kept_stepwise(
                self.order_ids, lo, hi, limit, ORDER_STEP, keep=candidates.__contains__
            )
        pool: Iterable[str]
        if candidates is None:
            pool = itertools.islice(self.order_ids, lo, hi)
        elif _scans_in_order(candidates, limit, lo, hi):
            pool = filter(candidates.__contains__, itertools.islice(self.order_ids, lo, hi))
        else:
            pool = self._newest_first(candidates, lo, hi)
        out: list[str] = []
        docs = self.records
        sure = only.hold if only is not None else frozenset()  # a one-clause query's
        for ident in pool:
            if ident in sure or query.matches(docs[ident], known, text_of, words_of):
                out.append(ident)
                if limit is not None and len(out) >= limit:
                    break
        return out

    def _newest_first(self, ids: _Ids, lo: int, hi: int) -> list[str]:
        """The ids within the slice [lo, hi) of the date order, in that order: by time (one
        sort keyed by a dict lookup), then equal times by seq."""
        if lo >= hi:
            return []
        docs = self.records
        found = [docs[i] for i in ids if i in docs]
        if lo > 0 or hi < len(self.order_ids):
            first, last = -self.order_keys[lo], -self.order_keys[hi - 1]
            found = [r for r in found if last <= r.at <= first]
        found.sort(key=_AT, reverse=True)  # stable: equal times keep their order
        times = list(map(_AT, found))
        start = 0
        for at in range(1, len(found) + 1):
            if at == len(found) or times[at] != times[start]:
                if at - start > 1:
                    found[start:at] = sorted(found[start:at], key=_SEQ)
                start = at
        return list(map(_ID, found))

    def _window(self, query: Query) -> tuple[int, int]:
        """The slice of the date order that since:/before: allow."""
        lo, hi = 0, len(self.order_ids)
        for clause in query.clauses:
            if len(clause) != 1 or clause[0].negated or clause[0].bound is None:
                continue
            term = clause[0]
            cut = -(term.bound or 0.0)
            if term.field == "since":  # when >= bound, i.e. key <= -bound
                hi = min(hi, bisect.bisect_right(self.order_keys, cut))
            else:  # before: when < bound, i.e. key > -bound
                lo = max(lo, bisect.bisect_right(self.order_keys, cut))
        return lo, max(lo, hi)

    def _candidates(
        self, query: Query, words: WordLookup | None
    ) -> tuple[set[str] | None, dict[int, Verdicts]]:
        """A superset of the matches from the indexes (None when no clause can use one), and
        per clause what the indexes decide exactly, so most articles need no text check."""
        best: set[str] | None = None
        known: dict[int, Verdicts] = {}
        filed: list[tuple[int, list[str]]] = []  # source:/tag: clauses beside others
        for number, clause in enumerate(query.clauses):
            if len(query.clauses) > 1 and (ids := self._filed_ids(clause)) is not None:
                filed.append((number, ids))
                continue
            union: set[str] = set()
            sure: set[str] = set()
            found_sure: list[set[str]] = []
            found_unsure: list[set[str]] = []
            decided: list[frozenset[str] | set[str]] = []
            usable = True
            for term in clause:
                if term.decided is not None:  # story:, outlets: the stories' own lists
                    verdicts = term.decided()
                    if len(clause) == 1:
                        known[number] = verdicts
                    if verdicts.rest is not False:  # holds for articles in no list: no narrowing
                        usable = False
                        continue
                    decided.append(verdicts.hold)  # the stories' own: read, never changed
                    continue
                if len(clause) == 1 and term.negated and self._term_exact(term, words):
                    found = self._term_candidates(dataclasses.replace(term, negated=False), words)
                    if found is not None:
                        known[number] = Verdicts(fail=found, rest=True)
                found = self._term_candidates(term, words)
                if found is None:
                    usable = False
                    continue
                exact = self._term_exact(term, words)
                if len(clause) == 1:  # the common case: no copies of a big set
                    union = found
                    sure = found if exact else sure
                    continue
                (found_sure if exact else found_unsure).append(found)
            if found_sure or found_unsure or decided:  # an OR: the biggest set made for
                found_sure.sort(key=len, reverse=True)  # this query takes the others in
                sure = found_sure[0] if found_sure else set()
                sure.update(*found_sure[1:], *decided)
                union = sure.union(*found_unsure) if found_unsure else sure
            if sure:
                known[number] = Verdicts(
                    hold=sure, rest=False if usable and sure == union else None
                )
            if usable:
                best = union if best is None else best & union
                if not best:
                    return best, known
        if filed:  # the lists are intersected with the rest, never made sets of their own
            filed.sort(key=lambda entry: len(entry[1]))
            held = set(filed[0][1]) if best is None else best.intersection(filed[0][1])
            for _, ids in filed[1:]:
                held.intersection_update(ids)
            for number, _ in filed:
                known[number] = Verdicts(hold=held)  # every candidate left is filed there
            return held, known
        return best, known

    def _filed_ids(self, clause: list[Term]) -> list[str] | None:
        """The ids a clause of one `source:` or `tag:` term holds exactly, as filed (a tag
        can hold a fifth of the store: a set of them would cost more than the query)."""
        if len(clause) != 1 or clause[0].negated or clause[0].field not in ("source", "tag"):
            return None
        return self.by_field[clause[0].field].get(clause[0].value, [])

    def _term_exact(self, term: Term, words: WordLookup | None) -> bool:
        """Whether the index answer for this term (negation aside) is exactly its matches."""
        if term.field in (None, "title"):
            return words is not None and is_exact(term.value) and words.exact
        return term.field in ("source", "tag")

    def _term_candidates(self, term: Term, words: WordLookup | None) -> set[str] | None:
        if term.negated:
            return None
        if term.field in (None, "title"):
            return words.candidates(term.field, term.value) if words is not None else None
        table = self.by_field.get(term.field)
        if table is None:
            return None
        return set(table.get(term.value.split("-")[0] if term.field == "lang" else term.value, ()))

    def counts(self, field: str, names: Callable[[Record], list[str]]) -> dict[str, int]:
        """Articles per key of one field index, each shown as an article spells it."""
        counts: dict[str, int] = {}
        for key, ids in self.by_field[field].items():
            if not ids:
                continue
            sample = self.records[next(iter(ids))]
            shown = next((n for n in names(sample) if name_key(n) == key), key)
            counts[shown] = counts.get(shown, 0) + len(ids)
        return counts
