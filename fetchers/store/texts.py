"""Full texts: appended to `text-KEY.jsonl` beside their shard and found by offset from the
article (`text_ref`); starred articles kept past retention carry theirs inline, in
`articles-kept.json`. Never held in memory beyond one query's checks."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import IO, Any

import orjson

from fetchers.query import Record


def _read_text(handle: IO[bytes], ref: tuple[str, int, int], ident: str) -> str | None:
    """The text at `ref` in an open text file, if that line is this article's."""
    try:
        handle.seek(ref[1])
        value = orjson.loads(handle.read(ref[2]))
    except (OSError, orjson.JSONDecodeError, ValueError):
        return None
    if not isinstance(value, dict) or value.get("id") != ident:
        return None
    text = value.get("text")
    return text if isinstance(text, str) else None


class TextFiles:
    """The full texts of one data dir: the text files, and the inline texts of kept articles."""

    def __init__(self, folder: Path) -> None:
        self.dir = folder
        self.inline: dict[str, str] = {}  # texts of articles in articles-kept.json

    def path(self, key: str) -> Path:
        return self.dir / f"text-{key}.jsonl"

    def has(self, record: Record) -> bool:
        return record.text_ref is not None or record.id in self.inline

    def text(self, record: Record) -> str | None:
        """The full text of one article, or None if it has none."""
        if record.id in self.inline:
            return self.inline[record.id]
        ref = record.text_ref
        if not ref:
            return None
        try:
            with open(self.path(ref[0]), "rb") as handle:
                return _read_text(handle, ref, record.id)
        except OSError:
            return None

    def reader(self) -> TextReader:
        return TextReader(self, self.inline)

    def with_texts(
        self, records: list[Record], inline: dict[str, str] | None = None
    ) -> Iterator[tuple[Record, str | None]]:
        """Each record with its full text, reading each text file once, in order. `inline`:
        a copy of the inline texts, for a caller that reads outside the store's lock."""
        inline = self.inline if inline is None else inline
        by_file: dict[str, list[Record]] = {}
        for record in records:
            if record.id in inline:
                yield record, inline[record.id]
            elif record.text_ref:
                by_file.setdefault(record.text_ref[0], []).append(record)
            else:
                yield record, None
        for key, group in by_file.items():
            group.sort(key=lambda r: r.text_ref[1] if r.text_ref else 0)
            try:
                handle = open(self.path(key), "rb")  # noqa: SIM115
            except OSError:
                for record in group:
                    yield record, None
                continue
            with handle:
                for record in group:
                    assert record.text_ref is not None
                    yield record, _read_text(handle, record.text_ref, record.id)

    def append(self, key: str, pairs: list[tuple[dict[str, Any], str]]) -> None:
        """Append texts to the shard's text file (fsynced) and point each holder at its
        text: `holder["text_ref"]` becomes [key, offset, length]."""
        path = self.path(key)
        with open(path, "ab") as handle:
            offset = handle.tell()
            if offset:
                with open(path, "rb") as check:
                    check.seek(offset - 1)
                    if check.read(1) != b"\n":  # a torn last line: start clean after it
                        handle.write(b"\n")
                        offset += 1
            for holder, text in pairs:
                line = orjson.dumps({"id": holder["id"], "text": text}) + b"\n"
                handle.write(line)
                holder["text_ref"] = [key, offset, len(line)]
                offset += len(line)
            handle.flush()
            os.fsync(handle.fileno())

    def drop(self, key: str) -> None:
        """Delete a shard's text file (its shard is gone)."""
        with contextlib.suppress(OSError):
            self.path(key).unlink()


def text_refs_setter(refs: dict[str, Any]) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that points documents at their appended full texts."""

    def attach(doc: MutableMapping[str, Any]) -> None:
        doc["text_ref"], doc["text"] = refs[doc["id"]], None

    return attach


class TextReader:
    """Full texts for one query's checks: each text file is opened once, not per article."""

    def __init__(self, files: TextFiles, inline: dict[str, str]) -> None:
        self.files = files
        self.inline = inline
        self.handles: dict[str, IO[bytes] | None] = {}

    def __enter__(self) -> TextReader:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle in self.handles.values():
            if handle is not None:
                handle.close()

    def __call__(self, record: Record) -> str | None:
        text = self.inline.get(record.id)
        if text is not None:
            return text
        ref = record.text_ref
        if not ref:
            return None
        if ref[0] in self.handles:
            handle = self.handles[ref[0]]
        else:
            try:
                handle = open(self.files.path(ref[0]), "rb")  # noqa: SIM115
            except OSError:
                handle = None  # gone with its shard: no text to look in
            self.handles[ref[0]] = handle
        return _read_text(handle, ref, record.id) if handle is not None else None
