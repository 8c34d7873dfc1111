"""Events the user adds from the dashboard, kept in the data dir beside the articles, or in
the store where it keeps them for every host (a PostgreSQL store: the desk's events).

events.json holds them; any process may change it under events.lock (like read marks), and
each event keeps both the text as typed and the instant it meant when it was saved, so
"in 2 weeks" does not move every time the file is read. Config events are not here: they are
read-only in the app.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson

from fetchers.atomic import atomic_write_bytes, exclusive_lock
from fetchers.eventtime import within_calendar
from fetchers.models import Event, from_utc_iso, utc_iso
from fetchers.query import QueryError, parse_query
from fetchers.store.errors import DATA_DIR_MODE, StoreError
from fetchers.store.interface import ArticleStore
from fetchers.text import clean_line
from fetchers.timeparse import zone

FILE = "events.json"

log = logging.getLogger("wirewatch.events")


class EventBookError(Exception):
    """events.json cannot be read or the event asked for is not there."""


class EventGone(EventBookError):
    """The event to be saved is no longer stored (removed elsewhere): saved again, it would
    be a new one."""


class EventBook:
    """The events added in the app: the data dir's events.json, or the `store`'s where it
    keeps them."""

    def __init__(self, data_dir: Path, store: ArticleStore | None = None) -> None:
        self.dir = Path(data_dir)
        self.store = store if store is not None and store.keeps_desk else None
        self._kept: list[Any] = []  # the file's entries that are no event, as read last

    @contextmanager
    def _changing(self) -> Iterator[None]:
        """Hold events.lock for a read, change and write of the file. The disk refusing any
        of it (full, read-only) is an EventBookError, as a broken file is: the app keeps what
        was typed and says why, where a bare OSError lost it."""
        try:
            self.dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
            with exclusive_lock(self.dir / "events.lock"):
                yield
        except OSError as exc:
            said = f"{self.dir / FILE} cannot be written: {exc.strerror or exc}"
            raise EventBookError(said) from exc

    def _read(self) -> list[dict[str, Any]]:
        if self.store is not None:
            try:
                items = self.store.events()
            except StoreError as exc:
                raise EventBookError(str(exc)) from exc
            return _identified([i for i in items if isinstance(i, dict)])
        path = self.dir / FILE
        try:
            data = orjson.loads(path.read_bytes())
        except FileNotFoundError:
            return []
        except (OSError, orjson.JSONDecodeError) as exc:
            raise EventBookError(f"{path} cannot be read: {exc}") from exc
        if not isinstance(data, dict):  # (read as none, the next save wrote over it)
            raise EventBookError(f"{path}: not an object holding the events")
        items = data.get("events", [])
        if not isinstance(items, list):
            raise EventBookError(f"{path}: its events are not a list")
        # an entry that is no event at all (null, 5) is kept as it is when the file is
        # written again, never dropped without a word
        kept = [i for i in items if not isinstance(i, dict)]
        if kept and kept != self._kept:  # (said once, not at every read)
            log.warning("%s: %d entries are no event; kept as they are", path, len(kept))
        self._kept = kept
        return _identified([i for i in items if isinstance(i, dict)])

    def _write(self, items: list[dict[str, Any]]) -> None:
        atomic_write_bytes(self.dir / FILE, orjson.dumps({"events": [*items, *self._kept]}))

    def _put(self, event: Event, new: bool) -> bool:
        """(A store that keeps events.) Save one; False when an update found none."""
        assert self.store is not None
        try:
            return self.store.put_event(_record(event), new)
        except StoreError as exc:
            raise EventBookError(str(exc)) from exc

    def load(self) -> list[Event]:
        """The stored events, oldest added first."""
        return [_event(item) for item in self._read()]

    def add(self, event: Event) -> Event:
        event.ident = secrets.token_hex(6)
        event.origin = "store"
        if self.store is not None:
            self._put(event, new=True)
            return event
        with self._changing():
            items = self._read()
            items.append(_record(event))
            self._write(items)
        return event

    def update(self, event: Event) -> Event:
        if self.store is not None:
            if self._put(event, new=False):
                return event
        else:
            with self._changing():
                items = self._read()
                for n, item in enumerate(items):
                    if item["id"] == event.ident:
                        items[n] = _record(event)
                        self._write(items)
                        return event
        raise EventGone(f"no stored event {event.name!r} (removed elsewhere?)")

    def remove(self, ident: str) -> None:
        if self.store is not None:
            try:
                found = self.store.drop_event(ident)
            except StoreError as exc:
                raise EventBookError(str(exc)) from exc
            if not found:
                raise EventBookError("that event is no longer stored")
            return
        with self._changing():
            items = self._read()
            kept = [i for i in items if i["id"] != ident]
            if len(kept) == len(items):
                raise EventBookError("that event is no longer stored")
            self._write(kept)


def _identified(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The entries of a hand-edited events.json each with an id of its own: one without an
    id (or a second with one already taken) is given one made of its contents, the same at
    every read, and written with it the next time the file is (one without was never
    listed, and removing one of two that shared an id removed both)."""
    taken: set[str] = set()
    out: list[dict[str, Any]] = []
    for item in items:
        ident = item.get("id")
        if not isinstance(ident, str) or not ident or ident in taken:
            digest = hashlib.sha1(orjson.dumps(item, option=orjson.OPT_SORT_KEYS)).hexdigest()
            ident = digest[:12]
            while ident in taken:
                ident = hashlib.sha1(ident.encode()).hexdigest()[:12]
            item = {**item, "id": ident}
        taken.add(ident)
        out.append(item)
    return out


def _record(event: Event) -> dict[str, Any]:
    return {
        "id": event.ident,
        "name": event.name,
        "when": utc_iso(event.when),
        "as_typed": event.raw_when,
        "tz": event.tz,
        "query": event.query,
        "location": event.location,
    }


def _known_zone(name: str) -> bool:
    """Whether `name` is a zone this machine's zone data holds."""
    try:
        zone(name)
    except (ValueError, OSError):  # (a folder of zones, "America", is no zone)
        return False
    return True


def _event(item: dict[str, Any]) -> Event:
    """An event as stored; a hand-edited time that cannot be read becomes the event's error."""
    raw = item.get("when")
    try:
        when: datetime | None = from_utc_iso(raw) if isinstance(raw, str) else None
        if when is not None:  # one without an offset, or past what can be shown, is no time
            when = within_calendar(when, str(raw)) if when.tzinfo is not None else None
    except (ValueError, OverflowError):
        when = None
    tz = str(item.get("tz") or "UTC")
    error = None if when else f"stored time {raw!r} cannot be read"
    if tz != "local" and not _known_zone(tz):  # a data dir shared with a host of newer zones
        when, error = None, f"stored zone {tz!r} is not one this machine knows"
        tz = "UTC"
    query, location = item.get("query") or None, item.get("location") or None
    for field, value in (("query", query), ("location", location)):
        if value is not None and not isinstance(value, str):  # edited by hand: a number, a list
            when, error = None, f"stored {field} {value!r} is not text"
    if isinstance(query, str):  # as a config's event's query is checked at load
        try:
            parse_query(query)
        except QueryError as exc:
            when, error = None, f"stored query {query!r}: {exc}"
    name = clean_line(str(item.get("name") or ""), is_html=False)
    if not name:  # edited by hand: listed, to be mended or removed, not left out unseen
        name, when, error = "(no name)", None, "stored event has no name"
    return Event(
        name=name,
        when=when,
        tz=tz,
        query=query if isinstance(query, str) else None,
        location=location if isinstance(location, str) else None,
        error=error,
        raw_when=str(item.get("as_typed") or ""),
        ident=str(item["id"]),
        origin="store",
    )


def in_countdown_order(events: list[Event], now: datetime) -> list[Event]:
    """Events as a countdown lists them: those to come, soonest first, then those past, in
    the order they came, then those whose time cannot be read (the config's came first, then
    the app's, whatever their times: one added in the app for tomorrow sat under last year's
    summit)."""

    def order(event: Event) -> tuple[int, float]:
        if event.when is None:
            return 2, 0.0
        return (0 if event.when >= now else 1), event.when.timestamp()

    return sorted(events, key=order)


def unreadable(event: Event) -> str:
    """Why an event's time cannot be read, as `wirewatch events` and the poll log say it."""
    if event.raw_when:
        return f"{event.name}: cannot read time {event.raw_when!r}: {event.error}"
    return f"{event.name}: {event.error}"
