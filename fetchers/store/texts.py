"""Full texts: appended to `text-KEY.jsonl` beside their shard and found by offset from the
article (`text_ref`); starred articles kept past retention carry theirs inline, in
`articles-kept.json`. Never held in memory beyond one query's checks.

A text fetched again that differs from the one stored does not replace it in the file: the
earlier one stays at its offset, and the article's document lists it in `text_revisions`
({"seen", "text_ref"}, oldest first), so it goes with its day's file at retention.

The file is append-only, so the texts no document points at any more (a page revised at
every poll leaves one behind each time, past the MAX_TEXT_REVISIONS kept) would fill it all
day. Once they are most of a shard's text files (`wants_rewrite`), the referenced texts are
copied into a file of the next generation, `text-KEY~N.jsonl` (`rewrite`); the shard is
then written pointing there, and only after that are the files before it retired
(`retire`): deleted RETIRED_GRACE later (`sweep`), so that a reader holding the refs it
read before (a viewer until its next reload, the search thread reading outside the lock)
still finds every text where its ref says. A file is never written again once retired, and
a generation's name is never used twice: a ref reads the line it was made for, or nothing.
A kill at any step leaves every ref pointing at a file that holds its text: the new file is
complete before the shard names it, and the old ones go only once nothing names them."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, MutableMapping
from pathlib import Path
from time import monotonic
from typing import IO, Any

import orjson

from fetchers.atomic import atomic_write_chunks, create_file
from fetchers.query import Record
from fetchers.store.codec import revision_entries

MAX_TEXT_REVISIONS = 20  # earlier full texts kept per article; the oldest go first
GENERATION = "~"  # in a text file's key: the shard's key, then the number of its rewrite
REWRITE_FROM = 4 * 1024 * 1024  # bytes no document points at before a shard's are rewritten
RETIRED_GRACE = 20.0  # seconds a rewritten text file stays for the readers of the old refs

Ref = tuple[str, int, int]  # where a text is: its file's key, offset, length


def text_shard(file_key: str) -> str:
    """The shard whose texts a text file (named by a ref's key) holds."""
    return file_key.partition(GENERATION)[0]


def _generation(file_key: str) -> int:
    """A text file's generation: 0 for the shard's first, N for `KEY~N`."""
    number = file_key.partition(GENERATION)[2]
    return int(number) if number.isdigit() else 0


def refs_of(doc: Any) -> Iterator[Ref]:
    """Where a document's texts are: its current one and those of `text_revisions`."""
    if not isinstance(doc, dict):
        return
    entries = revision_entries(doc.get("text_revisions"))
    for value in (doc.get("text_ref"), *(entry.get("text_ref") for entry in entries)):
        ref = _as_ref(value)
        if ref is not None:
            yield ref


def _as_ref(value: Any) -> Ref | None:
    """A stored ref ([key, offset, length]) as a tuple; None for anything else."""
    if type(value) is not list or len(value) != 3:
        return None
    key, start, size = value
    return (key, start, size) if type(key) is str and type(start) is type(size) is int else None


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
        self._current: dict[str, str] = {}  # shard key -> the file its texts are appended to
        self._retired: dict[str, float] = {}  # file key -> when nothing pointed at it any more

    def path(self, key: str) -> Path:
        """The text file of a ref's key (a shard's key, or that and its generation)."""
        return self.dir / f"text-{key}.jsonl"

    def files(self, key: str) -> dict[str, int]:
        """The text files of one shard on disk, every generation, by key, with their sizes."""
        found: dict[str, int] = {}
        for path in self.dir.glob(f"text-{key}*.jsonl"):
            name = path.name[len("text-") : -len(".jsonl")]
            shard, mark, number = name.partition(GENERATION)
            if shard != key or (mark and not number.isdigit()):
                continue  # another shard's (`DAY.001` beside `DAY`), or no name of ours
            with contextlib.suppress(OSError):
                found[name] = path.stat().st_size
        return found

    def with_generations(self) -> set[str]:
        """The shards that have more than one text file (a rewrite's, and those before)."""
        counts: dict[str, int] = {}
        for path in self.dir.glob("text-*.jsonl"):
            shard = text_shard(path.name[len("text-") : -len(".jsonl")])
            counts[shard] = counts.get(shard, 0) + 1
        return {key for key, count in counts.items() if count > 1}

    def current(self, key: str) -> str:
        """The key of the file a shard's texts are appended to: its newest generation (a
        file a kill left before the shard named it is that: its texts read where they are)."""
        found = self._current.get(key)
        if found is None:
            present = self.files(key)
            found = max(present, key=_generation) if present else key
            self._current[key] = found
        return found

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
        # each ref read once: a caller outside the lock (the search thread) holds live
        # records, whose refs a rewrite (`rewrite`) may move to another file meanwhile, and a
        # file picked by the old ref read at the new one's offset gave no text; the old file
        # is kept a while after (`RETIRED_GRACE`), so the ref taken here reads whole
        by_file: dict[str, list[tuple[int, str, tuple[str, int, int]]]] = {}
        for at, record in enumerate(records):
            ref = record.text_ref
            if record.id in inline:
                texts[at] = inline[record.id]
            elif ref:
                by_file.setdefault(ref[0], []).append((at, record.id, (ref[0], ref[1], ref[2])))
        for key, group in by_file.items():
            group.sort(key=lambda one: one[2][1])
            try:
                handle = open(self.path(key), "rb")  # noqa: SIM115
            except OSError:
                continue
            with handle:
                for at, ident, ref in group:
                    texts[at] = _read_text(handle, ref, ident)
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
        key = self.current(key)
        path = self.path(key)
        refs: list[list[Any]] = []
        # unbuffered: what is not written is never written later, after the cut
        with open(create_file(path, os.O_WRONLY | os.O_APPEND), "ab", buffering=0) as handle:
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
            os.truncate(self.path(self.current(key)), length)

    def drop(self, key: str) -> None:
        """Delete a shard's text files, every generation (its shard is gone)."""
        for name in self.files(key):
            with contextlib.suppress(OSError):
                self.path(name).unlink()
            self._retired.pop(name, None)
        self._current.pop(key, None)

    def big_enough(self, key: str) -> bool:
        """Whether a shard's text files are big enough that a rewrite may be wanted (a look
        at their sizes: the documents are read only then)."""
        return sum(self.files(key).values()) >= REWRITE_FROM

    def wants_rewrite(self, key: str, referenced: Iterable[Ref], unused_for: float = 0.0) -> bool:
        """Whether a shard's text files hold enough that nothing points at (`referenced`:
        every ref of its documents) to be rewritten: half of their bytes and REWRITE_FROM at
        least. Files no ref points at but the current one are retired meanwhile (those a
        kill left after a rewrite, or a reopen found), as out of use `unused_for` seconds."""
        present = self.files(key)
        used: set[str] = set()
        live = 0
        for ref in set(referenced):
            if ref[0] in present:
                used.add(ref[0])
                live += max(0, min(ref[2], present[ref[0]] - ref[1]))
        for name in used:  # (a file pointed at again is never deleted)
            self._retired.pop(name, None)
        self.retire((name for name in present if name not in used), unused_for)
        # the retired files are on their way out: not counted
        total = sum(size for name, size in present.items() if name not in self._retired)
        dead = total - live
        return dead >= REWRITE_FROM and dead * 2 >= total

    def rewrite(self, key: str, referenced: Iterable[Ref]) -> tuple[str, dict[Ref, list[Any]]]:
        """Copy the referenced texts of a shard, as their files hold them, into a text file
        of the next generation (written whole and fsynced before it is named: a kill leaves
        it complete or absent). Returns its key and each ref's place in it; the files before
        it are left as they are (see `adopt`)."""
        present = self.files(key)
        number = max((_generation(name) for name in present), default=0) + 1
        new_key = f"{key}{GENERATION}{number}"
        wanted = sorted(
            {ref for ref in referenced if ref[0] in present},
            key=lambda ref: (_generation(ref[0]), ref[1]),
        )  # each file read front to back
        moved: dict[Ref, list[Any]] = {}

        def copied() -> Iterator[bytes]:
            offset = 0
            with contextlib.ExitStack() as opened:
                handles: dict[str, IO[bytes]] = {}
                for ref in wanted:
                    handle = handles.get(ref[0])
                    if handle is None:
                        handle = opened.enter_context(open(self.path(ref[0]), "rb"))
                        handles[ref[0]] = handle
                    handle.seek(ref[1])
                    data = handle.read(ref[2])  # as it is: a ref reads what it read before
                    moved[ref] = [new_key, offset, len(data)]
                    if data and not data.endswith(b"\n"):
                        data += b"\n"  # (not the ref's: each line stays a line)
                    offset += len(data)
                    yield data

        atomic_write_chunks(self.path(new_key), copied())
        return new_key, moved

    def adopt(self, key: str, new_key: str) -> None:
        """(The shard now points at `new_key`, which `rewrite` made.) Append there from now
        on, and retire the shard's files before it."""
        self._current[key] = new_key
        self.retire(name for name in self.files(key) if name != new_key)

    def discard(self, new_key: str) -> None:
        """Delete a file `rewrite` made that the shard was not written to point at."""
        with contextlib.suppress(OSError):
            self.path(new_key).unlink()

    def retire(self, names: Iterable[str], unused_for: float = 0.0) -> None:
        """Delete these text files once RETIRED_GRACE has passed since they went out of use
        (`unused_for` seconds ago), at a `sweep`; never the current one of their shard: a
        reader may hold refs into them from before."""
        since = monotonic() - unused_for
        for name in names:
            if name != self.current(text_shard(name)):
                self._retired.setdefault(name, since)

    def sweep(self) -> None:
        """Delete the retired text files whose grace is over."""
        now = monotonic()
        for name, since in list(self._retired.items()):
            if now - since >= RETIRED_GRACE:
                with contextlib.suppress(OSError):
                    self.path(name).unlink()
                del self._retired[name]


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


def text_refs_mover(
    moved: dict[Ref, list[Any]],
) -> Callable[[MutableMapping[str, Any]], None]:
    """A TinyDB update that points documents' texts (current and earlier) at their places
    in a rewritten text file (`TextFiles.rewrite`)."""

    def move(doc: MutableMapping[str, Any]) -> None:
        ref = _as_ref(doc.get("text_ref"))
        if ref in moved:
            doc["text_ref"] = moved[ref]
        entries = revision_entries(doc.get("text_revisions"))
        if any(_as_ref(entry.get("text_ref")) in moved for entry in entries):
            doc["text_revisions"] = [
                {**entry, "text_ref": moved[ref]}
                if (ref := _as_ref(entry.get("text_ref"))) in moved
                else entry
                for entry in entries
            ]

    return move


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
