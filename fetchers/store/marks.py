"""Read and starred marks: `state.json`, which any process may change (a viewer marks what
it reads) under a short lock on `state.lock`; the records in memory carry the marks."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

import orjson

from fetchers.atomic import atomic_write_bytes, exclusive_lock, stat_signature
from fetchers.query import Record
from fetchers.store.codec import SCHEMA_VERSION
from fetchers.store.errors import MarksNotSaved

FILE = "state.json"
# one article's marks as written, "id":{"read":true,"starred":true}, or cut short at the end
_ENTRY = re.compile(
    rb'"([^"\\]{1,200})":(\{(?:"(?:read|starred)":(?:true|false),?)*(?:\}|[^{}]*\Z))'
)


class Marks:
    """The marks of one data dir, as last read, and the records they are applied to."""

    def __init__(self, folder: Path, records: Mapping[str, Record]) -> None:
        self.path = folder / FILE
        self.lock_path = folder / "state.lock"
        self.records = records  # the store's records by id: marks are set on them
        self.state: dict[str, dict[str, bool]] = {}
        self._signature: tuple[int, int, int] | None = None
        self.changes = 0  # how many times the file was found changed by another process
        self._damage_said: tuple[int, int, int] | None = None  # the damaged file reported
        # whether the marks are state.json's, whole (it was there and read as it is): an
        # article without a star is then one without, not one whose mark was lost
        self.whole = False
        # the marks changed that the disk refused (full, read-only), by article: laid over
        # the file's as it is read, and written with the next change it takes
        self.held: dict[str, dict[str, bool]] = {}

    def starred(self, ident: str) -> bool:
        return bool(self.state.get(ident, {}).get("starred"))

    def refresh(self, problems: list[str]) -> None:
        """Read state.json again if it changed; a file that cannot be read is reported in
        `problems` and the marks start empty."""
        signature = stat_signature(self.path)
        if signature == self._signature:
            return
        raw = b""
        self.whole = False
        try:
            raw = self.path.read_bytes() if signature else b""
            data = orjson.loads(raw) if raw else {}
            self.whole = bool(raw)
        except OSError:
            problems.append("state.json cannot be read; read/starred marks start empty")
            data = {}
        except orjson.JSONDecodeError:  # damaged: what reads of it is kept, and the file too
            data = {"marks": _salvaged(raw)}
            if signature != self._damage_said:  # (a change of a mark reads it once more)
                self._damage_said = signature
                kept = self._keep_damaged(signature)
                problems.append(
                    f"state.json is damaged: the {len(data['marks'])} marks that read are kept"
                    + (f", and the file as it was is kept as {kept}" if kept else "")
                )
        found = data.get("marks", {}) if isinstance(data, dict) else {}
        marks = (
            {k: v for k, v in found.items() if isinstance(v, dict)}
            if isinstance(found, dict)
            else {}
        )
        if not isinstance(data, dict) or not isinstance(found, dict) or len(marks) < len(found):
            self.whole = False  # some marks are lost, not taken off
        if isinstance(found, dict) and len(marks) < len(found):
            problems.append(
                f"state.json: {len(found) - len(marks)} marks that do not read were left out"
            )
        self._apply(self._with_held(marks))
        self._signature = signature
        self.changes += 1

    def _with_held(self, marks: dict[str, dict[str, bool]]) -> dict[str, dict[str, bool]]:
        """`marks` with the changes the disk refused laid over them."""
        if not self.held:
            return marks
        merged = dict(marks)
        for ident, change in self.held.items():
            now: dict[str, bool] = {
                k: v for k, v in {**merged.get(ident, {}), **change}.items() if v
            }
            if now:
                merged[ident] = now
            else:
                merged.pop(ident, None)
        return merged

    def _keep_damaged(self, signature: tuple[int, int, int] | None) -> str | None:
        """Keep a damaged state.json beside it (a link: every process that finds it damaged
        names the same copy) before the next change of a mark replaces it; its name."""
        if signature is None:
            return None
        kept = self.path.with_name(f"{FILE}.damaged-{signature[2]}")
        try:
            os.link(self.path, kept)
        except FileExistsError:
            pass
        except OSError:  # a file system without links: a copy
            try:
                shutil.copy2(self.path, kept)
            except OSError:
                return None
        return kept.name

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
        """Change marks; safe from any process (a short lock on state.lock). No ids: write
        those the disk refused before, if any.

        When the disk refuses (full, read-only) the marks are held here, shown all the same,
        and MarksNotSaved says so; the next change it takes writes them too."""
        change = {k: v for k, v in (("read", read), ("starred", starred)) if v is not None}
        for ident in ids:
            self.held[ident] = {**self.held.get(ident, {}), **change}
        if not self.held:
            return
        try:
            with exclusive_lock(self.lock_path):
                changes = self.changes
                outside = stat_signature(self.path) != self._signature
                self._signature = None  # read again whatever its stat: a change within a tick
                self.refresh(problems)
                if not outside:
                    self.changes = changes
                state = self._with_held(self.state)
                atomic_write_bytes(
                    self.path, orjson.dumps({"schema": SCHEMA_VERSION, "marks": state})
                )
        except OSError as exc:
            self._apply(self._with_held(self.state))  # shown as changed all the same
            held = len(self.held)
            raise MarksNotSaved(f"{self.path}: {exc.strerror or exc}", held) from exc
        self.held.clear()
        self._apply(state)
        self._signature = stat_signature(self.path)
        self.whole = True  # the file is what is held now, written whole


def _salvaged(raw: bytes) -> dict[str, dict[str, bool]]:
    """The marks of a damaged state.json that still read, one article at a time (a file cut
    short loses only the articles after the cut)."""
    marks: dict[str, dict[str, bool]] = {}
    for found in _ENTRY.finditer(raw):
        written = found.group(2)
        if written.endswith(b"}"):
            tries = [written]
        else:  # the one the cut went through: what it said before the cut
            tries = [written + b"}", written.rsplit(b",", 1)[0] + b"}"]
        value = None
        for text in tries:
            try:
                value = orjson.loads(text)
                break
            except orjson.JSONDecodeError:
                continue
        try:
            ident = found.group(1).decode()
        except UnicodeDecodeError:
            continue
        if isinstance(value, dict) and value and all(type(v) is bool for v in value.values()):
            marks[ident] = value
    return marks
