"""Adding sources to a config file by appending `[[sources]]` tables, keeping the user's text."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import stat
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from fetchers.atomic import atomic_write_bytes, exclusive_lock
from fetchers.config import Config, ConfigError, build_config, seeds_dir, user_config_path
from fetchers.models import Source
from fetchers.query import name_key
from fetchers.text import no_surrogates
from fetchers.webaddress import feed_key


@dataclass(slots=True)
class NewSource:
    name: str
    url: str
    tags: list[str]
    kind: str = "feed"
    interval: str | None = None  # as the config writes it ("120s"); None: the default
    full_text: bool = False
    enabled: bool = True
    charset: str | None = None


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML). DEL, which JSON leaves as it
    is and TOML forbids, is escaped too; a lone surrogate, which no UTF-8 file can hold (a
    name given in bytes that are not UTF-8, an OPML tag written as "\\ud800"), is written
    as U+FFFD (it stopped `add` and `import-opml` with a traceback)."""
    value = no_surrogates(value)
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def source_table(source: NewSource) -> str:
    lines = ["", "[[sources]]", f"name = {toml_string(source.name)}"]
    lines.append(f"url = {toml_string(source.url)}")
    if source.kind != "feed":
        lines.append(f"kind = {toml_string(source.kind)}")
    if source.tags:
        lines.append("tags = [" + ", ".join(toml_string(t) for t in source.tags) + "]")
    if source.interval is not None:
        lines.append(f"interval = {toml_string(source.interval)}")
    if source.full_text:
        lines.append("full_text = true")
    if not source.enabled:
        lines.append("enabled = false")
    if source.charset:
        lines.append(f"charset = {toml_string(source.charset)}")
    return "\n".join(lines) + "\n"


@contextlib.contextmanager
def writable_config(config: Config) -> Iterator[Path]:
    """The file to add sources to, held under its lock (`config_lock`): the config in use,
    unless that is the embedded default, in which case a copy of it in the user config dir.

    The copy is made under the lock unless it is there by then: another `add` started at
    once on first use made it while this one waited, and this one adds to it too (it was
    refused as "not the config in use"). A copy there before this one asked is not the
    config in use, and is refused. The copy gets the seed story's files beside it (paths
    into the checkout or the installation broke once it moved or was removed; a file of
    that name the folder holds already is kept, and a local path is made absolute)."""
    if not _embedded(config):
        with config_lock(config.path):
            yield config.path
        return
    target = user_config_path()
    if target.exists():
        raise ConfigError(
            f"{target}: exists but is not the config in use; pass --config {target} to add to it"
        )
    with contextlib.ExitStack() as held:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)  # (its lock is kept beside it)
            held.enter_context(config_lock(target))
            if not target.exists():
                _copy_embedded(config, target)
        except OSError as exc:
            raise ConfigError(
                f"{target}: a copy of the embedded config cannot be written there"
                f" ({exc.strerror or exc}); nothing was added"
            ) from exc
        yield target


def _embedded(config: Config) -> bool:
    """Whether the config in use is the embedded default (never written: a copy is)."""
    return config.path.resolve().parent == seeds_dir().resolve()


def _copy_embedded(config: Config, target: Path) -> None:
    """Write the embedded config to `target`, the seed files it reads beside it, their
    paths made to lead there (or absolute)."""
    text = config.path.read_text("utf-8")
    folder = config.path.resolve().parent
    beside: list[Path] = []  # the seed files the copy reads, copied next to it

    def relocated(match: re.Match[str]) -> str:
        path = Path(json.loads(match.group(2)))
        if path.is_absolute() or len(path.parts) != 1 or (target.parent / path).exists():
            where = path if path.is_absolute() else folder / path
            return match.group(1) + toml_string(str(where))
        beside.extend(p for p in folder.glob(f"{path.stem}.*") if p.name != config.path.name)
        return match.group(0)

    text = re.sub(r'^(\s*path\s*=\s*)("(?:[^"\\]|\\.)*")', relocated, text, flags=re.M)
    for seed in beside:  # (the story and what describes it: its .meta.toml)
        if not (target.parent / seed.name).exists():
            shutil.copyfile(seed, target.parent / seed.name)
    atomic_write_bytes(target, text.encode("utf-8"))


# a config whose sources are an inline array ("sources = [ { name = ... } ]"), at the top
_INLINE_SOURCES = re.compile(r"^\s*sources\s*=", re.MULTILINE)


def _inline_sources(path: Path) -> ConfigError:
    """Why no source can be added to a config of `sources = [ ... ]`, and what to do."""
    return ConfigError(
        f"{path}: its sources are written as one array (sources = [ ... ]), which"
        " a [[sources]] table cannot be added to; write each as a [[sources]] table,"
        " then add again (nothing was added)"
    )


def check_addable(config: Config) -> None:
    """ConfigError, as `append_sources` would raise it, when no source can be added to the
    config: it is read-only, or its sources are an inline array. Asked before anything slow
    (an import read every feed for its title, then said so minutes later)."""
    if _embedded(config):
        return  # (a copy of the embedded config is what is added to)
    try:
        text = config.path.read_bytes().decode("utf-8", "replace")
    except OSError as exc:
        raise ConfigError(
            f"{config.path}: cannot be read to add to ({exc.strerror or exc})"
        ) from exc
    try:
        tomllib.loads(text.removeprefix("\ufeff") + "\n[[sources]]\n")
    except tomllib.TOMLDecodeError as exc:
        if _INLINE_SOURCES.search(text) is not None:
            raise _inline_sources(config.path) from exc
    _writable_mode(config.path)


def append_sources(config: Config, new: list[NewSource], now: datetime) -> tuple[Path, list[str]]:
    """Append sources whose URL is not subscribed yet; returns the file and the names added.

    Names are made unique with a number. The result is loaded before it replaces the file, so
    a config is never left broken. The file is read, added to and written under its lock
    (`config_lock`), and what it is added to is the file as it is then, not `config` as it
    was read: eight `add`s at once each said "added", and the last writer's file kept only
    the sources it had read."""
    merged: dict[str, NewSource] = {}  # a feed listed in several folders: one, with every tag
    for source in new:
        key = feed_key(source.url)
        had = merged.get(key)
        tags = list(dict.fromkeys([*had.tags, *source.tags])) if had is not None else source.tags
        merged[key] = replace(had or source, tags=tags)
    with writable_config(config) as target:
        # read as it is, line endings and all: a file of CRLF lines keeps them, and what is
        # added takes them too (read as text, every line of it was rewritten with LF)
        text = _text_to_add_to(target)
        chunks, added = _tables(list(merged.values()), _sources_in(target, text, now))
        if not added:
            return target, []
        ending = "\r\n" if "\r\n" in text else "\n"
        if text and not text.endswith("\n"):
            text += ending
        text += "".join(chunks).replace("\n", ending)
        try:
            build_config(target, tomllib.loads(text.removeprefix("\ufeff")), now)  # (a BOM kept)
        except tomllib.TOMLDecodeError as exc:
            if _INLINE_SOURCES.search(text) is not None:  # (TOML cannot add a table to it)
                raise _inline_sources(target) from exc
            raise ConfigError(f"{target}: adding sources would break it: {exc}") from exc
        _write_config(target, text)
    return target, added


def _tables(new: list[NewSource], sources: list[Source]) -> tuple[list[str], list[str]]:
    """The `[[sources]]` tables of those of `new` whose URL none of `sources` has, each
    under a name of its own (numbered: "News" beside "news" is "news (2)"), and the names."""
    known_urls = {feed_key(s.url) for s in sources if s.url}
    names = {name_key(s.name) for s in sources}  # as `source:` tells names apart
    next_number: dict[str, int] = {}  # per base name: where to go on counting (linear, not n²)
    chunks: list[str] = []
    added: list[str] = []
    for source in new:
        if feed_key(source.url) in known_urls:
            continue
        known_urls.add(feed_key(source.url))
        base = source.name.strip() or source.url
        name, n = base, next_number.get(base, 2)
        while name_key(name) in names:
            name, n = f"{base} ({n})", n + 1
        next_number[base] = n
        names.add(name_key(name))
        chunks.append(source_table(replace(source, name=name)))
        added.append(name)
    return chunks, added


@contextlib.contextmanager
def config_lock(path: Path) -> Iterator[None]:
    """Hold the lock of a config file (`.NAME.lock` beside the file a symlink leads to)
    across a read, change and write of it: commands changing it at once (`add`s started
    together by a script) take turns, each adding to what the one before wrote."""
    real = Path(os.path.realpath(path))
    lock = real.with_name(f".{real.name}.lock")
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(exclusive_lock(lock))
        except OSError as exc:
            raise ConfigError(  # (the folder, as for the new text: `_write_config`)
                f"{path}: cannot be written ({exc.strerror or exc}); nothing was added"
            ) from exc
        yield


def _text_to_add_to(path: Path) -> str:
    """The config's text as it is now (under its lock)."""
    try:
        return path.read_bytes().decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read to add to ({exc.strerror or exc})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text; nothing was added") from exc


def _sources_in(path: Path, text: str, now: datetime) -> list[Source]:
    """The sources the config's text names now (another command may have added some since
    it was read); ConfigError when it no longer reads (an edit broke it meanwhile)."""
    try:
        data = tomllib.loads(text.removeprefix("\ufeff"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}; nothing was added") from exc
    return build_config(path, data, now).sources


def _write_config(path: Path, text: str) -> None:
    """Replace a config's text: in the file a symlink points to (a config kept in a dotfiles
    folder stays the one in use), with the mode it had, and never one that is read-only.
    ConfigError, saying why, when it cannot be written."""
    real = Path(os.path.realpath(path))
    mode = _writable_mode(path)
    try:
        atomic_write_bytes(real, text.encode("utf-8"), mode=mode)
    except OSError as exc:
        raise ConfigError(
            f"{path}: cannot be written ({exc.strerror or exc}); nothing was added"
        ) from exc


def _writable_mode(path: Path) -> int:
    """The mode of the file a config's path leads to; ConfigError when it is read-only."""
    real = Path(os.path.realpath(path))
    try:
        mode = stat.S_IMODE(real.stat().st_mode)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read to add to ({exc.strerror or exc})") from exc
    if not mode & 0o222 or not os.access(real, os.W_OK):  # (root may write one anyway)
        raise ConfigError(f"{path}: is read-only; nothing was added")
    return mode
