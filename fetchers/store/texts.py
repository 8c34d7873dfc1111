"""Full texts: appended to `text-KEY.jsonl` beside their shard and found by offset from the
article (`text_ref`); starred articles kept past retention carry theirs inline, in
`articles-kept.json`. Never held in memory beyond one query's checks.

A text fetched again that differs from the one stored does not replace it in the file: the
earlier one stays at its offset, and the article's document lists it in `text_revisions`
({"seen", "text_ref"}, oldest first), so it goes with its day's file at retention."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, MutableMapping
from pathlib import Path
from typing import IO, Any

import orjson

from fetchers.query import Record
from fetchers.store.codec import revision_entries

MAX_TEXT_REVISIONS = 20  # earlier full texts kept per article; the oldest go first


def _write_all(handle: IO[bytes], data: bytes) -> None:
    """Write all of `data` to an unbuffered file (a raw write may take part of it)."""
    view = memoryview(data)
    while view:
        view = view[handle.write(view) :]


def _read_line(handle: IO[bytes], ref: Any, ident: str) -> dict[str, Any] | None:
    """The line at `ref` ([key, offset, length]) in an open text file, if it is this
    article's and holds a text."""
    try:
        handle.seek(int(ref[1]))
        value = orjson.loads(handle.read(int(ref[2])))
    except (OSError, orjson.JSONDecodeError, ValueError, TypeError, IndexError):
        return None
    if not isinstance(value, dict) or value.get("id") != ident:
        return None
    return value if isinstance(value.get("text"), str) else None


def _read_text(handle: IO[bytes], ref: tuple[str, int, int], ident: str) -> str | None:
    """The text at `ref` in an open text file, if that line is this article's."""
    line = _read_line(handle, ref, ident)
    return line["text"] if line is not None else None


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

    def version(self, record: Record) -> tuple[str, str | None] | None:
        """The article's text and when it was stored (None for a text stored without the
        time, or inline), or None when it has none."""
        if record.id in self.inline:
            return self.inline[record.id], None
        ref = record.text_ref
        if not ref:
            return None
        try:
            with open(self.path(ref[0]), "rb") as handle:
                line = _read_line(handle, ref, record.id)
        except OSError:
            return None
        if line is None:
            return None
        seen = line.get("seen")
        return line["text"], seen if isinstance(seen, str) else None

    def earlier(self, ident: str, entries: Any) -> list[dict[str, str | None]]:
        """The earlier texts a document lists in `text_revisions`, oldest first, as
        {"seen", "text"}; entries whose file is gone (or unreadable) are left out."""
        out: list[dict[str, str | None]] = []
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, dict):
                continue
            seen = entry.get("seen") if isinstance(entry.get("seen"), str) else None
            text = entry.get("text")
            ref = entry.get("text_ref")
            if not isinstance(text, str) and isinstance(ref, list) and ref:
                try:
                    with open(self.path(str(ref[0])), "rb") as handle:
                        line = _read_line(handle, ref, ident)
                except OSError:
                    line = None
                text = line["text"] if line is not None else None
            if isinstance(text, str):
                out.append({"seen": seen, "text": text})
        return out

    def reader(self) -> TextReader:
        return TextReader(self, self.inline)

    def with_texts(
        self, records: list[Record], inline: dict[str, str] | None = None
    ) -> list[tuple[Record, str | None]]:
        """Each record with its full text, in the order given (the search index numbers a
        shard's articles in it), reading each text file once, front to back. `inline`: a
        copy of the inline texts, for a caller that reads outside the store's lock."""
        inline = self.inline if inline is None else inline
        texts: dict[int, str | None] = {}  # by the record's place in `records`
        by_file: dict[str, list[tuple[int, Record]]] = {}
        for at, record in enumerate(records):
            if record.id in inline:
                texts[at] = inline[record.id]
            elif record.text_ref:
                by_file.setdefault(record.text_ref[0], []).append((at, record))
        for key, group in by_file.items():
            group.sort(key=lambda pair: pair[1].text_ref[1] if pair[1].text_ref else 0)
            try:
                handle = open(self.path(key), "rb")  # noqa: SIM115
            except OSError:
                continue
            with handle:
                for at, record in group:
                    assert record.text_ref is not None
                    texts[at] = _read_text(handle, record.text_ref, record.id)
        return [(record, texts.get(at)) for at, record in enumerate(records)]

    def append(
        self, key: str, pairs: list[tuple[dict[str, Any], str]], seen: str | None = None
    ) -> int:
        """Append texts to the shard's text file (fsynced) and point each holder at its
        text: `holder["text_ref"]` becomes [key, offset, length]. `seen`: when the texts
        were fetched (UTC), kept beside them for their revisions. Returns the file's length
        before them, for `take_back`. An append that fails (a full disk) cuts the file back
        to that length and points no holder anywhere: the texts it wrote before the error,
        and the torn one, took the room the next try lacked."""
        path = self.path(key)
        refs: list[list[Any]] = []
        # unbuffered: what is not written is never written later, after the cut
        with open(path, "ab", buffering=0) as handle:
            start = offset = handle.tell()
            try:
                if offset:
                    with open(path, "rb") as check:
                        check.seek(offset - 1)
                        if check.read(1) != b"\n":  # a torn last line: start clean after it
                            _write_all(handle, b"\n")
                            offset += 1
                for holder, text in pairs:
                    body = {"id": holder["id"], "text": text}
                    if seen is not None:
                        body["seen"] = seen
                    line = orjson.dumps(body) + b"\n"
                    _write_all(handle, line)
                    refs.append([key, offset, len(line)])
                    offset += len(line)
                os.fsync(handle.fileno())
            except BaseException:
                with contextlib.suppress(OSError):
                    handle.truncate(start)
                raise
        for (holder, _), ref in zip(pairs, refs, strict=True):
            holder["text_ref"] = ref
        return start

    def take_back(self, key: str, length: int) -> None:
        """Cut a text file back to `length` (what `append` returned) when the shard that
        was to point at the texts appended since could not be written: nothing points at
        them, and they took room on a disk that had little."""
        with contextlib.suppress(OSError):
            os.truncate(self.path(key), length)

    def drop(self, key: str) -> None:
        """Delete a shard's text file (its shard is gone)."""
        with contextlib.suppress(OSError):
            self.path(key).unlink()


def text_refs_setter(
    refs: dict[str, Any], earlier: dict[str, dict[str, Any]] | None = None
) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that points documents at their appended full texts; `earlier`: the
    text each replaces ({"seen", "text_ref"} or, inline, {"seen", "text"}), kept in its
    `text_revisions`."""

    def attach(doc: MutableMapping[str, Any]) -> None:
        doc["text_ref"], doc["text"] = refs[doc["id"]], None
        if earlier and doc["id"] in earlier:
            history = revision_entries(doc.get("text_revisions"))
            history.append(earlier[doc["id"]])
            doc["text_revisions"] = history[-MAX_TEXT_REVISIONS:]

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
