"""What a config read again did to its sources, told as a user knows them: by address.

A source is known by its address (a rename keeps its articles), so a name that went and a
name that came at the same address are one source renamed, not one removed and one added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from fetchers.healthbook import same_place
from fetchers.models import Source
from fetchers.redact import redact


@dataclass
class SourceChanges:
    """The sources a config change added, removed, renamed (before, now) and set otherwise
    (its interval, tags, full text, charset, address, enabled), each in config order."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.renamed or self.changed)


def _settings(source: Source) -> tuple[object, ...]:
    """All a source is set to but its name and address."""
    return (
        source.kind,
        source.interval,
        tuple(source.tags),
        source.full_text,
        source.enabled,
        source.charset,
    )


def source_changes(before: Sequence[Source], after: Sequence[Source]) -> SourceChanges:
    """How `after` differs from `before`: a source at the same address under its same name
    is kept (changed when its settings differ); one at the address of a source whose name
    went (or now names another address) is that one renamed; a name kept at another
    address, its old address taken by no rename, is that source changed; the rest of
    `after` added, the rest of `before` removed."""
    changes = SourceChanges()
    old = {source.name: source for source in before}
    settled: set[str] = set()  # names of `before` accounted for
    unsure: list[Source] = []
    for source in after:
        was = old.get(source.name)
        if was is not None and same_place(was.location, source.location):
            settled.add(source.name)
            if _settings(was) != _settings(source):
                changes.changed.append(source.name)
        else:
            unsure.append(source)
    at: dict[str, list[str]] = {}  # each address of a source unaccounted for: its names
    for source in before:
        if source.name not in settled:
            at.setdefault(redact(source.location), []).append(source.name)
    for source in unsure:
        names = at.get(redact(source.location))
        if names:  # the source at this address, renamed
            name = names.pop(0)
            settled.add(name)
            changes.renamed.append((name, source.name))
    renamed_to = {now for _, now in changes.renamed}
    for source in unsure:
        if source.name in renamed_to:
            continue
        if source.name in old and source.name not in settled:  # its address changed
            settled.add(source.name)
            changes.changed.append(source.name)
        else:
            changes.added.append(source.name)
    changes.removed = [source.name for source in before if source.name not in settled]
    return changes


def said_briefly(changes: SourceChanges, names: int = 3, width: int = 30) -> list[str]:
    """A line for each kind of change, naming at most `names` of each (each name cut to
    `width` characters in its middle: the end often tells two apart, "… World (2)") and
    counting the rest, so two thousand renames are a line too."""

    def cut(name: str) -> str:
        if len(name) <= width:
            return name
        tail = width // 3
        return name[: width - 1 - tail].rstrip() + "…" + name[-tail:].lstrip()

    def line(kind: str, items: list[str], shown: int) -> str | None:
        if not items:
            return None
        said = ", ".join(items[:shown])
        rest = len(items) - shown
        return f"{len(items)} {kind}: {said}" + (f" and {rest} more" if rest > 0 else "")

    lines = [
        line("added", [cut(n) for n in changes.added], names),
        line("removed", [cut(n) for n in changes.removed], names),
        # (two names each: fewer of them)
        line("renamed", [f"{cut(a)} → {cut(b)}" for a, b in changes.renamed], max(1, names - 1)),
        line("changed", [cut(n) for n in changes.changed], names),
    ]
    return [said for said in lines if said is not None]
