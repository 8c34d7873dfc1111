"""Source health: what the last polls of each source did, with its HTTP validators, kept in
`sources.json` in the data dir, or in the store where it keeps it for every host (a
PostgreSQL store shared by several pollers). The pollers keep it; every front end reads it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import orjson

from fetchers.atomic import atomic_write_bytes
from fetchers.models import SourceHealth
from fetchers.redact import redact
from fetchers.store.errors import StoreError, StoreWriteError
from fetchers.store.interface import ArticleStore, DayCounter

FILE = "sources.json"
# what each source's last document listed (SourceHealth.listed), which only its poller reads:
# kept apart, so a viewer looking at the health every 2 s never parses ids by the thousand
LISTED_FILE = "sources-listed.json"
# the articles polls under a held clock (--now) stored (SourceHealth.held), as rare as such
# polls, and read by the poller only: apart too, written only while there are some
HELD_FILE = "sources-held.json"
# the articles retention dropped, by source (SourceHealth.dropped), read by the poller only:
# apart as well, and written only when they changed (a day's drop, a day's listing)
DROPPED_FILE = "sources-dropped.json"
# the files kept apart that are parts of the health in FILE: they go with it, or not at all
PARTS = (LISTED_FILE, HELD_FILE, DROPPED_FILE)
# in LISTED_FILE, under a name no source has: how many articles the newest day's files held
# when the health was saved (`DayCounter`); a store holding fewer lost some since (a backup
# that copied the day file before the health), and what the feeds listed is not its drops
COUNTS = ""


class HealthBook:
    """The health of a data dir's sources, or of a store's that keeps it (`store`).
    `folder=None` keeps it in memory only (a poller run without a data dir of its own)."""

    def __init__(self, folder: Path | None, store: ArticleStore | None = None) -> None:
        self.path = Path(folder) / FILE if folder is not None else None
        self.store = store
        # why the last `load` found no health in a file that is there (it cannot be read),
        # for a front end to say: every source shown "pending" looked never polled
        self.unreadable: str | None = None
        self._dropped_saved: bytes | None = None  # DROPPED_FILE as last read or written here

    def load(self, listed: bool = False) -> dict[str, SourceHealth]:
        """The health as saved; empty when there is none or it cannot be read (`unreadable`
        says why), without the sources whose record does not read (their next poll records
        them afresh). `listed`: with what each source's last document listed (a poller's); a
        store holding fewer articles of a day than it was saved with takes that day for lost
        (`DayCounter`)."""
        self.unreadable = None
        if self.store is not None:
            try:
                kept = self.store.load_health()
            except StoreError:
                return {}
            if kept is not None:
                return kept
        if self.path is None:
            return {}
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:  # (no source polled yet)
            return {}
        except OSError as exc:
            self.unreadable = f"{self.path} cannot be read ({exc.strerror or exc})"
            return {}
        except orjson.JSONDecodeError:
            self.unreadable = f"{self.path} cannot be read (not the JSON wirewatch writes)"
            return {}
        if not isinstance(data, dict):
            self.unreadable = f"{self.path} cannot be read (not the JSON wirewatch writes)"
            return {}
        lists = self._apart(LISTED_FILE) if listed else {}
        counts = lists.pop(COUNTS, None)
        if counts is not None and isinstance(self.store, DayCounter):
            self.store.check_counts(counts)  # (the poller's next poll takes what it lost)
        held = self._apart(HELD_FILE) if listed else {}
        dropped = self._apart(DROPPED_FILE) if listed else {}
        out: dict[str, SourceHealth] = {}
        for name, rec in data.items():
            if not isinstance(rec, dict) or "name" not in rec:
                continue
            if name in lists:
                rec["listed"] = lists[name]
            if name in held:
                rec["held"] = held[name]
            if name in dropped:
                rec["dropped"] = dropped[name]
            try:
                out[name] = SourceHealth.from_record(rec)
            except (KeyError, TypeError, ValueError, AttributeError):
                continue
        return out

    def _apart(self, file: str) -> dict[str, object]:
        """What each source's last document listed (LISTED_FILE), what polls under a held
        clock stored (HELD_FILE), or what retention dropped (DROPPED_FILE), as saved; empty
        when it does not read: a poll then stores again what retention dropped, or retention
        drops those a held clock filed in the past, nothing worse."""
        assert self.path is not None
        try:
            data = orjson.loads(self.path.with_name(file).read_bytes())
        except (OSError, orjson.JSONDecodeError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, health: dict[str, SourceHealth], polled: Iterable[str] | None = None) -> None:
        """(The writer.) Replace the saved health; a store shared by several pollers takes
        only that of the sources this one `polled` (default all). StoreWriteError when the
        disk or the database refuses."""
        if self.store is not None:
            mine = health if polled is None else {n: health[n] for n in polled if n in health}
            if self.store.save_health(mine):
                return
        if self.path is None:
            return
        records = {n: h.to_record() for n, h in health.items()}
        lists: dict[str, object] = {
            n: ids for n, rec in records.items() if (ids := rec.pop("listed", None))
        }
        if isinstance(self.store, DayCounter) and (counts := self.store.newest_counts()):
            lists[COUNTS] = counts
        held = {n: days for n, rec in records.items() if (days := rec.pop("held", None))}
        held_path = self.path.with_name(HELD_FILE)
        dropped = {n: days for n, rec in records.items() if (days := rec.pop("dropped", None))}
        dropped_path = self.path.with_name(DROPPED_FILE)
        dropped_bytes = orjson.dumps(dropped)
        try:
            atomic_write_bytes(self.path.with_name(LISTED_FILE), orjson.dumps(lists))
            if held or held_path.exists():
                atomic_write_bytes(held_path, orjson.dumps(held))
            # (thousands of ids a source, changed once a day or so: not written every poll)
            if dropped_bytes != self._dropped_saved and (dropped or dropped_path.exists()):
                atomic_write_bytes(dropped_path, dropped_bytes)
                self._dropped_saved = dropped_bytes
            atomic_write_bytes(self.path, orjson.dumps(records))
        except OSError as exc:
            raise StoreWriteError(
                f"{self.path.parent}: cannot save source health ({exc.strerror or exc})", []
            ) from exc


def same_place(kept: str, location: str) -> bool:
    """Whether a source's health (its URL kept without a password) is of this location."""
    return redact(kept) == redact(location)


def moved_to(health: SourceHealth) -> str | None:
    """Where the source's feed moved for good, its password hidden: what it is polled at
    instead of the config's address (said, so the config can be updated), None when it has
    not moved."""
    return redact(health.permanent_url) if health.permanent_url else None


def health_at(health: dict[str, SourceHealth], name: str, location: str) -> SourceHealth:
    """One source's health as `healths_at` tells it."""
    return healths_at(health, [(name, location)])[name]


def healths_at(
    health: dict[str, SourceHealth], sources: Iterable[tuple[str, str]]
) -> dict[str, SourceHealth]:
    """Each (name, location)'s health as kept, told by its address as a poller tells it: its
    own name's when that is of its address (or says none); else, the config having renamed
    it (two names swapped, a source renamed while no poller ran), the health kept at its
    address under another name, the one polled last (none when two were polled at once, as
    the poller cannot tell them apart either); else the blank one of a source never polled.
    A swap showed each source the other's health, its address included, until the next
    poll. The health is filed by address only when a source needs it (once, not a scan a
    source: the status line asks every second)."""
    places: dict[str, list[SourceHealth]] | None = None
    out: dict[str, SourceHealth] = {}
    for name, location in sources:
        own = health.get(name)
        if own is not None and (not own.url or same_place(own.url, location)):
            out[name] = own  # (one kept without its address, by an older wirewatch: its name's)
            continue
        if places is None:
            places = {}
            for kept in health.values():
                places.setdefault(redact(kept.url), []).append(kept)
        there = [h for h in places.get(redact(location), ()) if h.name != name]
        there.sort(key=lambda h: h.last_polled or datetime.min.replace(tzinfo=UTC))
        if there and (len(there) == 1 or there[-1].last_polled != there[-2].last_polled):
            out[name] = replace(there[-1], name=name)
        else:
            out[name] = SourceHealth(name, location)
    return out
