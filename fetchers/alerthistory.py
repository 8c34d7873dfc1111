"""The alert history: what fired, kept in alerts-history.json in the data dir, or in the
store where it keeps the desk's for every host (a PostgreSQL store).

Only the writer appends (from its cycle hook); every dashboard reads the entries after a mark
(`since`) to ring and show them. Each entry carries a sequence number that only grows, so a
mark is that number. The file is rewritten atomically; entries from days retention has
dropped for articles go too, and the oldest beyond MAX_ENTRIES.

The writer's history (`writer=True`) keeps each entry as the file holds it and the (rule,
article) pairs that fired, both brought up to date as it appends: a write serialises only the
new entries and a check looks pairs up, so a cycle's cost does not grow with a full history.
A reader keeps only the entries.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

import orjson

from fetchers.atomic import atomic_write_bytes, stat_signature
from fetchers.models import from_utc_iso, utc_iso
from fetchers.store.errors import StoreError
from fetchers.store.interface import ArticleStore
from fetchers.text import clean_line

FILE = "alerts-history.json"
MAX_ENTRIES = 50_000  # the oldest go first beyond this: the file is rewritten at each write
AlertKind = Literal["match", "spike"]


class HistoryError(Exception):
    """The history file cannot be read or written."""


class AlertEntry(NamedTuple):
    """One alert that fired: a rule matching an article, or a term's mentions spiking.

    A named tuple: half the cost of a frozen dataclass to make, and a cycle can fire
    thousands."""

    seq: int
    alert: str  # the rule's name, or the watch term
    rule: str  # the rule's key ("config:NAME", "app:ID"), or "watch:TERM"
    kind: AlertKind
    article: str | None
    title: str
    source: str | None
    at: datetime
    link: str | None = None
    notify: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The shape of `wirewatch alerts --json`."""
        return {
            "alert": self.alert,
            "kind": self.kind,
            "article": self.article,
            "title": self.title,
            "source": self.source,
            "at": _iso(self.at),
        }

    def to_record(self) -> dict[str, Any]:
        """The entry in alerts-history.json: the JSON shape and what the writer and the
        dashboards need besides."""
        return {
            **self.to_json(),
            "seq": self.seq,
            "rule": self.rule,
            "link": self.link,
            "notify": list(self.notify),
        }


@functools.lru_cache(maxsize=64)
def _iso(when: datetime) -> str | None:
    """utc_iso, once per instant: the entries of one check share theirs."""
    return utc_iso(when)


@functools.lru_cache(maxsize=64)
def _instant(text: str) -> datetime | None:
    return from_utc_iso(text)


def _entry(item: dict[str, Any]) -> AlertEntry | None:
    try:
        raw = item.get("at")
        at = _instant(raw) if isinstance(raw, str) else None
        if at is None or at.tzinfo is None:  # a time without its zone is no instant
            return None
        notify = item.get("notify") or ()
        if not isinstance(notify, list | tuple):
            return None
        kind: AlertKind = "spike" if item.get("kind") == "spike" else "match"
        return AlertEntry(
            seq=int(item["seq"]),
            alert=clean_line(str(item.get("alert") or ""), False),
            rule=str(item.get("rule") or ""),
            kind=kind,
            article=str(item["article"]) if item.get("article") else None,
            title=clean_line(str(item.get("title") or ""), False),
            source=clean_line(str(item["source"]), False) if item.get("source") else None,
            at=at,
            link=str(item["link"]) if item.get("link") else None,
            notify=tuple(str(n) for n in notify),
        )
    except (KeyError, TypeError, ValueError):
        return None


def _pair(entry: AlertEntry) -> tuple[str, str]:
    return entry.rule, entry.article or ""


class AlertHistory:
    """alerts-history.json, or the `store`'s history where it keeps the desk's: read by
    anyone, appended to by the pollers."""

    def __init__(
        self, data_dir: Path, writer: bool = False, store: ArticleStore | None = None
    ) -> None:
        self.dir = Path(data_dir)
        self.writer = writer
        self.store = store if store is not None and store.keeps_desk else None
        self._signature: tuple[int, int, int] | None = None
        self._entries: list[AlertEntry] = []
        # each entry as the file holds it, encoded: a write joins them rather than encoding
        # every kept entry again (a full history is some 14 MB of JSON)
        self._encoded: list[bytes] | None = []
        self._fired: set[tuple[str, str]] | None = set()  # (rule, article) of match entries
        self._next = 1

    @property
    def path(self) -> Path:
        return self.dir / FILE

    def load(self) -> list[AlertEntry]:
        """Every kept entry, oldest first (re-read only when the file changed; from a store,
        only the entries added since the last look are read)."""
        if self.store is not None:
            return self._load_from_store()
        signature = stat_signature(self.path)
        if signature is not None and signature == self._signature:
            return self._entries
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            self._signature, self._entries, self._encoded, self._next = None, [], [], 1
            self._fired = set()
            return self._entries
        except (OSError, orjson.JSONDecodeError) as exc:
            raise HistoryError(f"{self.path} cannot be read: {exc}") from exc
        items = data.get("entries", []) if isinstance(data, dict) else []
        if not isinstance(items, list):
            raise HistoryError(f"{self.path}: entries is not a list")
        entries: list[AlertEntry] = []
        records: list[dict[str, Any]] = []
        for item in items:
            entry = _entry(item) if isinstance(item, dict) else None
            if entry is not None:
                entries.append(entry)
                records.append(item)
        self._entries = entries
        # the writer's, made once; a reader that writes makes them then
        self._encoded = list(map(orjson.dumps, records)) if self.writer else None
        self._fired = None  # made when asked
        stated = data.get("next") if isinstance(data, dict) else None
        last = max((e.seq for e in entries), default=0)
        self._next = max(last + 1, stated if isinstance(stated, int) else 1)
        self._signature = signature
        return entries

    def _load_from_store(self) -> list[AlertEntry]:
        assert self.store is not None
        last = self._entries[-1].seq if self._entries else 0
        try:
            lowest, records = self.store.alert_records(last)
        except StoreError as exc:
            raise HistoryError(str(exc)) from exc
        kept = [e for e in self._entries if e.seq >= lowest] if lowest else []
        added = [e for e in map(_entry, records) if e is not None]
        if len(kept) != len(self._entries):
            self._fired = None  # made again when asked
        elif self._fired is not None:
            self._fired.update(_pair(e) for e in added if e.kind == "match" and e.article)
        self._entries = [*kept, *added]
        return self._entries

    def since(self, mark: int) -> tuple[list[AlertEntry], int]:
        """The entries after `mark` (a sequence number; 0 for all), oldest first, and the mark
        to pass next time. A dashboard starts at `mark()` so it rings only for what is new."""
        entries = self.load()
        if entries and entries[-1].seq < mark:  # the file was started anew: all of it is new
            mark = 0
        new = [e for e in entries if e.seq > mark]
        return new, max(mark, new[-1].seq if new else mark)

    def fired(self) -> set[tuple[str, str]]:
        """(rule, article) of every kept match entry (the writer's check skips them). The
        set is the history's own, kept up to date as it is appended to: do not change it."""
        entries = self.load()
        if self._fired is None:
            self._fired = {_pair(e) for e in entries if e.kind == "match" and e.article}
        return self._fired

    def mark(self) -> int:
        """The sequence number of the newest entry (0 when there is none)."""
        entries = self.load()
        return entries[-1].seq if entries else 0

    def recent(self, since: datetime | None = None) -> list[AlertEntry]:
        """Entries at or after `since`, newest first."""
        entries = self.load()
        return [e for e in reversed(entries) if since is None or e.at >= since]

    def append(
        self, entries: list[dict[str, Any]], now: datetime, retention_days: int
    ) -> list[AlertEntry]:
        """(The writer.) Number and keep new entries, dropping those of days retention has
        dropped; returns them as kept. `entries` are `AlertEntry` fields without `seq`."""
        if self.store is not None:
            return self._append_to_store(entries, now, retention_days)
        kept = self.load()
        cutoff = (now - timedelta(days=retention_days)).astimezone(UTC).date()
        # entries are appended in time order: those retention drops are the first ones
        old = 0
        while old < len(kept) and kept[old].at.astimezone(UTC).date() < cutoff:
            old += 1
        added = [AlertEntry(seq=self._next + n, **fields) for n, fields in enumerate(entries)]
        if not added and not old:
            return []
        every = [*kept[old:], *added]
        if self._encoded is None:
            self._encoded = [orjson.dumps(e.to_record()) for e in kept]
        encoded = [*self._encoded[old:], *(orjson.dumps(e.to_record()) for e in added)]
        gone = kept[:old]
        if len(every) > MAX_ENTRIES:
            drop = len(every) - MAX_ENTRIES
            gone += every[:drop]
            every, encoded = every[drop:], encoded[drop:]
        next_seq = self._next + len(added)
        head = b'{"next":%d,"entries":[' % next_seq
        try:
            atomic_write_bytes(self.path, head, b",".join(encoded), b"]}")
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write ({exc.strerror or exc})") from exc
        self._entries, self._encoded, self._next = every, encoded, next_seq
        if self._fired is not None:
            self._fired.difference_update(
                [(e.rule, e.article or "") for e in gone if e.kind == "match"]
            )
            self._fired.update(
                [(e.rule, e.article) for e in added if e.kind == "match" and e.article]
            )
        self._signature = stat_signature(self.path)
        return added

    def _append_to_store(
        self, entries: list[dict[str, Any]], now: datetime, retention_days: int
    ) -> list[AlertEntry]:
        assert self.store is not None
        day = (now - timedelta(days=retention_days)).astimezone(UTC).date()
        cutoff = datetime(day.year, day.month, day.day, tzinfo=UTC)
        made = [AlertEntry(seq=0, **fields) for fields in entries]
        records = [{k: v for k, v in e.to_record().items() if k != "seq"} for e in made]
        try:
            seqs = self.store.add_alert_records(records, cutoff, MAX_ENTRIES)
        except StoreError as exc:
            raise HistoryError(str(exc)) from exc
        return [e._replace(seq=seq) for e, seq in zip(made, seqs, strict=True)]
