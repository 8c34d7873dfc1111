"""Adding sources to a config file by appending `[[sources]]` tables, keeping the user's text."""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
import tomllib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from fetchers.atomic import atomic_write_bytes
from fetchers.config import Config, ConfigError, build_config, seeds_dir, user_config_path
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


def writable_config(config: Config) -> Path:
    """The file to add sources to: the config in use, unless that is the embedded default,
    in which case a copy of it in the user config dir, with the seed story's files beside it
    (paths into the checkout or the installation broke once it moved or was removed; a file
    of that name the folder holds already is kept, and a local path is made absolute)."""
    if config.path.resolve().parent != seeds_dir().resolve():
        return config.path
    target = user_config_path()
    if target.exists():
        raise ConfigError(
            f"{target}: exists but is not the config in use; pass --config {target} to add to it"
        )
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
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        for seed in beside:  # (the story and what describes it: its .meta.toml)
            if not (target.parent / seed.name).exists():
                shutil.copyfile(seed, target.parent / seed.name)
        atomic_write_bytes(target, text.encode("utf-8"))
    except OSError as exc:
        raise ConfigError(
            f"{target}: a copy of the embedded config cannot be written there"
            f" ({exc.strerror or exc}); nothing was added"
        ) from exc
    return target


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
    if config.path.resolve().parent == seeds_dir().resolve():
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
    a config is never left broken."""
    known_urls = {feed_key(s.url) for s in config.sources if s.url}
    merged: dict[str, NewSource] = {}  # a feed listed in several folders: one, with every tag
    for source in new:
        key = feed_key(source.url)
        had = merged.get(key)
        tags = list(dict.fromkeys([*had.tags, *source.tags])) if had is not None else source.tags
        merged[key] = replace(had or source, tags=tags)
    new = list(merged.values())
    names = {name_key(s.name) for s in config.sources}  # as `source:` tells names apart
    next_number: dict[str, int] = {}  # per base name: where to go on counting (linear, not n²)
    chunks: list[str] = []
    added: list[str] = []
    for source in new:
        if feed_key(source.url) in known_urls:
            continue
        known_urls.add(feed_key(source.url))
        base = source.name.strip() or source.url
        name, n = base, next_number.get(base, 2)
        while name_key(name) in names:  # ("News" beside "news": "news (2)")
            name, n = f"{base} ({n})", n + 1
        next_number[base] = n
        names.add(name_key(name))
        chunks.append(source_table(replace(source, name=name)))
        added.append(name)
    target = writable_config(config)
    if not added:
        return target, []
    # read as it is, line endings and all: a file of CRLF lines keeps them, and what is
    # added takes them too (read as text, every line of it was rewritten with LF)
    text = target.read_bytes().decode("utf-8")
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
