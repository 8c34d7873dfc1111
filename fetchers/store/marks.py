"""Read and starred marks: `state.json`, which any process may change (a viewer marks what
it reads) under a short lock on `state.lock`; the records in memory carry the marks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from fetchers.atomic import atomic_write_bytes, exclusive_lock, stat_signature
from fetchers.query import Record
from fetchers.store.codec import SCHEMA_VERSION

FILE = "state.json"


class Marks:
    """The marks of one data dir, as last read, and the records they are applied to."""

    def __init__(self, folder: Path, records: Mapping[str, Record]) -> None:
        self.path = folder / FILE
        self.lock_path = folder / "state.lock"
        self.records = records  # the store's records by id: marks are set on them
        self.state: dict[str, dict[str, bool]] = {}
        self._signature: tuple[int, int, int] | None = None

    def starred(self, ident: str) -> bool:
        return bool(self.state.get(ident, {}).get("starred"))

    def refresh(self, problems: list[str]) -> None:
        """Read state.json again if it changed; a file that cannot be read is reported in
        `problems` and the marks start empty."""
        signature = stat_signature(self.path)
        if signature == self._signature:
            return
        try:
            data = orjson.loads(self.path.read_bytes()) if signature else {}
        except (OSError, orjson.JSONDecodeError):
            problems.append("state.json cannot be read; read/starred marks start empty")
            data = {}
        found = data.get("marks", {}) if isinstance(data, dict) else {}
        marks = (
            {k: v for k, v in found.items() if isinstance(v, dict)}
            if isinstance(found, dict)
            else {}
        )
        if isinstance(found, dict) and len(marks) < len(found):
            problems.append(
                f"state.json: {len(found) - len(marks)} marks that do not read were left out"
            )
        self._apply(marks)
        self._signature = signature

    def _apply(self, marks: dict[str, dict[str, bool]]) -> None:
        """Make records carry the new marks, touching only the ones that changed."""
        old = self.state
        self.state = marks
        for ident in old.keys() | marks.keys():
            if old.get(ident) == marks.get(ident):
                continue
            record = self.records.get(ident)
            if record is not None:
                now = marks.get(ident) or {}
                record.read, record.starred = bool(now.get("read")), bool(now.get("starred"))

    def set(
        self,
        ids: Iterable[str],
        problems: list[str],
        read: bool | None = None,
        starred: bool | None = None,
    ) -> None:
        """Change marks; safe from any process (a short lock on state.lock)."""
        ids = list(ids)
        with exclusive_lock(self.lock_path):
            self._signature = None
            self.refresh(problems)
            state = dict(self.state)
            for ident in ids:
                marks = dict(state.get(ident, {}))
                if read is not None:
                    marks["read"] = read
                if starred is not None:
                    marks["starred"] = starred
                marks = {k: v for k, v in marks.items() if v}
                if marks:
                    state[ident] = marks
                else:
                    state.pop(ident, None)
            atomic_write_bytes(self.path, orjson.dumps({"schema": SCHEMA_VERSION, "marks": state}))
            self._apply(state)
            self._signature = stat_signature(self.path)
