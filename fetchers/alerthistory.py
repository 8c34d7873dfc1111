"""The alert history: what fired, kept in alerts-history.jsonl in the data dir, or in the
store where it keeps the desk's for every host (a PostgreSQL store).

Only the writer appends (from its cycle hook); every dashboard reads the entries after a mark
(`since`) to ring and show them. Each entry carries a sequence number that only grows, so a
mark is that number. Entries from days retention has dropped for articles go, and the oldest
beyond MAX_ENTRIES.

The file is JSON lines, only ever appended to: a header line (`{"next", "dropped_through"}`),
then one line per entry, and after a cycle's entries a line `{"dropped_through": N}` when the
entries up to N go. A
cycle writes only its own lines, and a reader that has read the file reads only the lines
added since. The file is written anew (atomically, with its kept lines alone) when the lines
of entries gone outnumber those kept. A kill in the middle of an append leaves at most a torn
last line: it is skipped and reported, every line before it reads, and the writer cuts it off
before it next appends. The history as earlier versions kept it (alerts-history.json, one JSON
document) is read as it is, and the writer converts it once into the lines, losing no entry.

The writer's history (`writer=True`) keeps the (rule, article) pairs that fired, brought up
to date as it appends, so a check looks pairs up and a cycle's cost does not grow with a full
history.
"""

from __future__ import annotations

import bisect
import contextlib
import errno
import functools
import itertools
import logging
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, NamedTuple

import orjson

from fetchers.atomic import atomic_write_bytes, fsync_dir, stat_signature
from fetchers.models import from_utc_iso, utc_iso
from fetchers.store.errors import StoreError
from fetchers.store.interface import ArticleStore
from fetchers.text import clean_line

FILE = "alerts-history.jsonl"
OLD_FILE = "alerts-history.json"  # one JSON document, as earlier versions kept the history
MAX_ENTRIES = 50_000  # the oldest go first beyond this
_LINE = orjson.OPT_APPEND_NEWLINE
log = logging.getLogger("wirewatch.alerts")
STORY_RULE = "story:"  # what a story's spike is kept under, before its id (`trends.story_query`)
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

    @property
    def said(self) -> str:
        """What fired, as shown after the rule's name: a spike's title is written "NAME: 12
        mentions this hour" in the history, and said twice it read "NAME: NAME: 12 …"."""
        if self.kind == "spike":
            return self.title.removeprefix(f"{self.alert}: ")
        return self.title

    def to_json(self) -> dict[str, Any]:
        """The shape of `wirewatch alerts --json`; a story's spike names its story too
        (`story`: a script could not tell which story moved)."""
        said = {
            "alert": self.alert,
            "kind": self.kind,
            "article": self.article,
            "title": self.title,
            "source": self.source,
            "at": _iso(self.at),
        }
        if self.kind == "spike" and self.rule.startswith(STORY_RULE):
            said["story"] = self.rule[len(STORY_RULE) :]
        return said

    def to_record(self) -> dict[str, Any]:
        """The entry in the history file: the JSON shape and what the writer and the
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


class _Lines(NamedTuple):
    """What a run of whole lines of the history file holds."""

    entries: list[AlertEntry]
    starts: list[int]  # each entry's line's offset in the file
    next: int  # the sequence number stated last (0: none)
    dropped: int  # entries up to this sequence number are gone
    lines: int  # lines read (each entry, header and drop line)
    bad: list[int]  # the lines that do not read, counted from the chunk's first (1)


def _read_lines(chunk: bytes, offset: int) -> _Lines:
    """The entries and drop lines of `chunk` (whole lines, read at `offset` in the file)."""
    parts = chunk.split(b"\n")
    parts.pop()  # what follows the last newline: nothing
    try:  # every line at once; one by one when one does not read
        items: list[Any] = orjson.loads(b"[" + b",".join(parts) + b"]")
    except orjson.JSONDecodeError:
        items = []
    if len(items) != len(parts):  # a line that does not read, or holds more than one value
        items = []
        for part in parts:
            try:
                items.append(orjson.loads(part))
            except orjson.JSONDecodeError:
                items.append(None)
    entries: list[AlertEntry] = []
    starts: list[int] = []
    stated = 0
    bad: list[int] = []
    # the entries gone are not made (a file read whole holds up to as many as are kept)
    dropped = max(
        (
            item["dropped_through"]
            for item in items
            if isinstance(item, dict) and isinstance(item.get("dropped_through"), int)
        ),
        default=0,
    )
    at = offset
    for line, (part, item) in enumerate(zip(parts, items, strict=True), 1):
        start, at = at, at + len(part) + 1
        if not isinstance(item, dict):
            bad.append(line)
            continue
        if "seq" in item:
            seq = item["seq"]
            if isinstance(seq, int) and seq <= dropped:
                continue
            entry = _entry(item)
            if entry is None:
                bad.append(line)
                continue
            entries.append(entry)
            starts.append(start)
            continue
        gone, told = item.get("dropped_through"), item.get("next")
        if isinstance(told, int):
            stated = max(stated, told)
        if not isinstance(gone, int) and not isinstance(told, int):
            bad.append(line)
    return _Lines(entries, starts, stated, dropped, len(parts), bad)


def _lines_named(lines: list[int], most: int = 5) -> str:
    """Lines that do not read, named for a problem said: "line 7 does not read and is", or
    "lines 3, 7 and 9 do not read and are" (then "skipped")."""
    if len(lines) == 1:
        return f"line {lines[0]} does not read and is"
    named = ", ".join(map(str, lines[:most]))
    if len(lines) > most:
        return f"lines {named} and {len(lines) - most} more do not read and are"
    first, _, last = named.rpartition(", ")
    return f"lines {first} and {last} do not read and are"


class AlertHistory:
    """alerts-history.jsonl, or the `store`'s history where it keeps the desk's: read by
    anyone, appended to by the pollers."""

    def __init__(
        self, data_dir: Path, writer: bool = False, store: ArticleStore | None = None
    ) -> None:
        self.dir = Path(data_dir)
        self.writer = writer
        self.store = store if store is not None and store.keeps_desk else None
        self.problems: list[str] = []  # what the last read skipped (torn or unreadable lines)
        self._entries: list[AlertEntry] = []
        self._starts: list[int] = []  # each kept entry's offset in the file
        # (rule, article) of the match entries: the writer's kept up to date, a reader's made
        # when asked
        self._fired: set[tuple[str, str]] | None = set() if writer else None
        self._next = 1
        self._dropped = 0  # the file's entries up to this sequence number are gone
        self._lines = 0  # whole lines in the file: entries kept, dropped, header and drops
        self._bad: list[int] = []  # the lines of the file read so far that do not read
        self._file: tuple[int, int] | None = None  # (inode, size read) of the file read
        self._old: tuple[int, int, int] | None = None  # the earlier file's stat, as read
        self._converted = False

    @property
    def path(self) -> Path:
        return self.dir / FILE

    @property
    def old_path(self) -> Path:
        return self.dir / OLD_FILE

    # -- reading ----------------------------------------------------------------------------
    def load(self) -> list[AlertEntry]:
        """Every kept entry, oldest first (from the file, only the lines added since the last
        look are read; from a store, only the entries added since)."""
        if self.store is not None:
            return self._load_from_store()
        if self.writer and not self._converted:
            self._convert()
        try:
            found = os.stat(self.path)
        except FileNotFoundError:
            if self.writer:
                self._reset()
                return self._entries
            return self._load_old()
        except OSError as exc:
            raise HistoryError(f"{self.path} cannot be read: {exc.strerror or exc}") from exc
        read = self._file
        if read is not None and read[0] == found.st_ino and found.st_size >= read[1]:
            if found.st_size > read[1]:
                self._read_from(read[1], found.st_ino)
            return self._entries
        self._reset()
        self._read_from(0, found.st_ino)
        return self._entries

    def _reset(self) -> None:
        self._entries, self._starts = [], []
        self._fired = set() if self.writer else None  # a reader's: made when asked
        self._next, self._dropped, self._lines, self._file, self._old = 1, 0, 0, None, None
        self._bad = []

    def _read_from(self, offset: int, inode: int) -> None:
        """Take in the whole lines from `offset` on (a torn last line stays unread: the
        writer may still be writing it, and the next look reads it whole)."""
        try:
            with open(self.path, "rb") as handle:
                if os.fstat(handle.fileno()).st_ino != inode:  # replaced since: read it all
                    self._reset()
                    offset, inode = 0, os.fstat(handle.fileno()).st_ino
                handle.seek(max(0, offset - 1))
                chunk = handle.read()
                if offset and chunk[:1] != b"\n":  # another file under the same inode number
                    self._reset()
                    offset = 0
                    handle.seek(0)
                    chunk = handle.read()
                elif offset:
                    chunk = chunk[1:]
        except OSError as exc:
            raise HistoryError(f"{self.path} cannot be read: {exc.strerror or exc}") from exc
        whole = chunk.rfind(b"\n") + 1
        torn = len(chunk) - whole
        self.problems = []
        if torn and self.writer:  # no one else writes: a kill in the middle of an append
            self.problems.append(
                f"{self.path}: a torn last line ({torn} bytes) is skipped (a write cut short)"
            )
        read = _read_lines(chunk[:whole], offset)
        # still in the file when later lines read well
        self._bad.extend(self._lines + line for line in read.bad)
        if self._bad:
            self.problems.append(f"{self.path}: {_lines_named(self._bad)} skipped")
        self._entries.extend(read.entries)
        self._starts.extend(read.starts)
        self._next = max(self._next, read.next, (read.entries[-1].seq + 1) if read.entries else 1)
        self._lines += read.lines
        self._file = (inode, offset + whole)
        if self._fired is not None:
            self._fired.update(_pair(e) for e in read.entries if e.kind == "match" and e.article)
        if read.dropped > self._dropped:
            self._drop_through(read.dropped)

    def _drop_through(self, seq: int) -> list[AlertEntry]:
        """Let the entries up to `seq` go; returns them."""
        self._dropped = max(self._dropped, seq)
        cut = bisect.bisect_right(self._entries, seq, key=lambda e: e.seq)
        gone = self._entries[:cut]
        if gone:
            del self._entries[:cut]
            del self._starts[:cut]
            if self._fired is not None:
                self._fired.difference_update(
                    [(e.rule, e.article or "") for e in gone if e.kind == "match"]
                )
        return gone

    def _load_old(self) -> list[AlertEntry]:
        """The history as earlier versions kept it (a reader, before a writer converts it)."""
        signature = stat_signature(self.old_path)
        if signature is None:  # no history yet (or it was removed)
            self._reset()
            return self._entries
        if signature == self._old:
            return self._entries
        entries, stated = self._read_old()
        self._reset()
        self._entries, self._old = entries, signature
        self._next = max(stated, (entries[-1].seq + 1) if entries else 1)
        self._fired = None  # made when asked
        return self._entries

    def _read_old(self) -> tuple[list[AlertEntry], int]:
        """alerts-history.json's entries (those that read) and its next sequence number."""
        try:
            data = orjson.loads(self.old_path.read_bytes())
        except FileNotFoundError:
            return [], 1
        except (OSError, orjson.JSONDecodeError) as exc:
            raise HistoryError(f"{self.old_path} cannot be read: {exc}") from exc
        items = data.get("entries", []) if isinstance(data, dict) else []
        if not isinstance(items, list):
            raise HistoryError(f"{self.old_path}: entries is not a list")
        entries = [e for e in (_entry(i) for i in items if isinstance(i, dict)) if e is not None]
        entries.sort(key=lambda e: e.seq)
        stated = data.get("next") if isinstance(data, dict) else None
        return entries, stated if isinstance(stated, int) else 1

    def _convert(self) -> None:
        """(The writer, once.) Take alerts-history.json's entries into the lines, then remove
        it: a new file is written whole and atomically (a kill leaves the old one to convert
        again); one already there gets the old entries it lacks."""
        if not self.old_path.exists():
            self._converted = True
            return
        entries, stated = self._read_old()  # HistoryError: nothing is touched
        try:
            if not self.path.exists():
                head = orjson.dumps({"next": stated, "dropped_through": 0}, option=_LINE)
                atomic_write_bytes(self.path, head, b"".join(map(_line, entries)))
            else:
                self._reset()
                self._read_from(0, os.stat(self.path).st_ino)
                last = self._entries[-1].seq if self._entries else 0
                missing = [e for e in entries if e.seq > max(last, self._dropped)]
                if missing:
                    self._append_lines(missing, list(map(_line, missing)), 0)
                    self._next = max(self._next, missing[-1].seq + 1)
            self.old_path.unlink()
            fsync_dir(self.dir)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot convert ({exc.strerror or exc})") from exc
        self._reset()
        self._converted = True
        log.info("%s: converted into %s (%d entries)", OLD_FILE, FILE, len(entries))

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
        cut = bisect.bisect_right(entries, mark, key=lambda e: e.seq)
        new = entries[cut:]
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

    def capped_from(self) -> datetime | None:
        """When the history holds MAX_ENTRIES, the time of its oldest entry (those before
        it were dropped by the cap: at a busy desk it keeps hours, not `retention_days`);
        None while it holds fewer. (After `recent` or `load`: nothing read again.)"""
        entries = self.load()
        return entries[0].at if len(entries) >= MAX_ENTRIES else None

    # -- writing ----------------------------------------------------------------------------
    def append(
        self, entries: list[dict[str, Any]], now: datetime, retention_days: int
    ) -> list[AlertEntry]:
        """(The writer.) Number and keep new entries, dropping those of days retention has
        dropped; returns them as kept. `entries` are `AlertEntry` fields without `seq`."""
        if self.store is not None:
            return self._append_to_store(entries, now, retention_days)
        if not self.writer:  # a reader's history: read again as the writer reads it
            self.writer = True
            self._reset()
        kept = self.load()
        cutoff = (now - timedelta(days=retention_days)).astimezone(UTC).date()
        # entries are appended in time order: those retention drops are the first ones
        old = 0
        while old < len(kept) and kept[old].at.astimezone(UTC).date() < cutoff:
            old += 1
        first = self._next
        drop = max(old, len(kept) + len(entries) - MAX_ENTRIES)
        if not entries and not drop:
            return []
        through = 0
        if drop > len(kept):  # more new entries than the history keeps
            through = first + drop - len(kept) - 1
            entries = entries[drop - len(kept) :]
        elif drop:
            through = kept[drop - 1].seq
        start = through + 1 if drop > len(kept) else first
        added = [AlertEntry(start + n, **fields) for n, fields in enumerate(entries)]
        lines = _lines(entries, start)
        live = len(kept) - min(drop, len(kept)) + len(added)
        dead = self._lines + (1 if through else 0) + len(added) - live
        try:
            if self._file is None or dead > live:
                self._compact(
                    added, lines, through, first + len(entries) + max(0, drop - len(kept))
                )
            else:
                self._append_lines(added, lines, through)
        except OSError as exc:
            raise HistoryError(f"{self.path}: cannot write ({exc.strerror or exc})") from exc
        self._next = (added[-1].seq + 1) if added else first
        return added

    def _append_lines(self, added: list[AlertEntry], lines: list[bytes], through: int) -> None:
        """Append `lines` (those of `added`), then the line dropping the entries up to
        `through` (when it is not 0), first cutting off a torn line a kill left after the
        lines read. The new lines come first: a write a kill cuts short drops nothing."""
        assert self._file is not None
        inode, size = self._file
        tail = orjson.dumps({"dropped_through": through}, option=_LINE) if through else b""
        written = b"".join(lines)
        with open(self.path, "r+b", buffering=0) as handle:  # (no buffer left to flush)
            found = os.fstat(handle.fileno())
            if found.st_ino != inode:
                raise OSError(errno.ESTALE, "replaced by another process")
            if found.st_size != size:
                handle.truncate(size)
            handle.seek(size)
            try:
                left = memoryview(written + tail)
                while left:
                    took = handle.write(left)
                    if not took:
                        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
                    left = left[took:]
                os.fsync(handle.fileno())
            except OSError:
                # a full disk took the first lines: cut them off (which takes no room), or
                # every reader, this writer too, read them as kept, and they were never
                # delivered nor checked again
                with contextlib.suppress(OSError):
                    os.ftruncate(handle.fileno(), size)
                raise
        self.problems = []
        self._took(added, lines, size, 1 if tail else 0)
        self._file = (inode, size + len(written) + len(tail))
        if through:
            self._drop_through(through)

    def _took(self, added: list[AlertEntry], lines: list[bytes], at: int, more: int) -> None:
        """Hold `added`, whose `lines` the file now holds from `at` on (after `more` other
        lines just written)."""
        self._lines += len(lines) + more
        if not lines:
            return
        self._entries.extend(added)
        self._starts.extend(itertools.accumulate(map(len, lines[:-1]), initial=at))
        if self._fired is not None:
            self._fired.update(
                [(e.rule, e.article) for e in added if e.kind == "match" and e.article]
            )

    def _compact(
        self, added: list[AlertEntry], lines: list[bytes], through: int, next_seq: int
    ) -> None:
        """Write the file anew, atomically: a header, the kept entries' lines as the file
        holds them (copied, not encoded again), then those of `added`."""
        if through:
            self._drop_through(through)
        kept = b""
        if self._entries and self._file is not None:
            with open(self.path, "rb") as handle:
                handle.seek(self._starts[0])
                kept = handle.read(self._file[1] - self._starts[0])
        head = orjson.dumps({"next": next_seq, "dropped_through": self._dropped}, option=_LINE)
        atomic_write_bytes(self.path, head, kept, b"".join(lines))
        shift = len(head) - (self._starts[0] if self._starts else 0)
        self._starts = [start + shift for start in self._starts]
        self._lines = 1 + len(self._entries)
        self._took(added, lines, len(head) + len(kept), 0)
        self._file = (os.stat(self.path).st_ino, len(head) + len(kept) + sum(map(len, lines)))
        self.problems = []

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


def _line(entry: AlertEntry) -> bytes:
    """An entry's line in the file."""
    return orjson.dumps(entry.to_record(), option=_LINE)


def _lines(entries: list[dict[str, Any]], first: int) -> list[bytes]:
    """The lines of new entries (`AlertEntry` fields) numbered from `first`: each its fields
    with its number and its time as the JSON shape gives it (a cycle's entries share it)."""
    dumps = orjson.dumps
    return [
        dumps(dict(fields, seq=first + n, at=_iso(fields["at"])), option=_LINE)
        for n, fields in enumerate(entries)
    ]
