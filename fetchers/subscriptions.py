"""Adding sources to a config file by appending `[[sources]]` tables, keeping the user's text."""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fetchers.atomic import atomic_write_bytes
from fetchers.config import Config, ConfigError, build_config, seeds_dir, user_config_path


@dataclass(slots=True)
class NewSource:
    name: str
    url: str
    tags: list[str]
    kind: str = "feed"


def toml_string(value: str) -> str:
    """A TOML basic string (JSON's escapes are all valid TOML). DEL, which JSON leaves as it
    is and TOML forbids, is escaped too."""
    return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")


def source_table(source: NewSource) -> str:
    lines = ["", "[[sources]]", f"name = {toml_string(source.name)}"]
    lines.append(f"url = {toml_string(source.url)}")
    if source.kind != "feed":
        lines.append(f"kind = {toml_string(source.kind)}")
    if source.tags:
        lines.append("tags = [" + ", ".join(toml_string(t) for t in source.tags) + "]")
    return "\n".join(lines) + "\n"


def writable_config(config: Config) -> Path:
    """The file to add sources to: the config in use, unless that is the embedded default,
    in which case a copy of it in the user config dir (local paths made absolute)."""
    if config.path.resolve().parent != seeds_dir().resolve():
        return config.path
    target = user_config_path()
    if target.exists():
        raise ConfigError(
            f"{target}: exists but is not the config in use; pass --config {target} to add to it"
        )
    text = config.path.read_text("utf-8")
    folder = config.path.resolve().parent

    def absolute(match: re.Match[str]) -> str:
        path = Path(json.loads(match.group(2)))
        return match.group(1) + toml_string(str(path if path.is_absolute() else folder / path))

    text = re.sub(r'^(\s*path\s*=\s*)("(?:[^"\\]|\\.)*")', absolute, text, flags=re.M)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(target, text.encode("utf-8"))
    return target


def append_sources(config: Config, new: list[NewSource], now: datetime) -> tuple[Path, list[str]]:
    """Append sources whose URL is not subscribed yet; returns the file and the names added.

    Names are made unique with a number. The result is loaded before it replaces the file, so
    a config is never left broken."""
    known_urls = {s.url for s in config.sources if s.url}
    names = {s.name for s in config.sources}
    next_number: dict[str, int] = {}  # per base name: where to go on counting (linear, not n²)
    chunks: list[str] = []
    added: list[str] = []
    for source in new:
        if source.url in known_urls:
            continue
        known_urls.add(source.url)
        base = source.name.strip() or source.url
        name, n = base, next_number.get(base, 2)
        while name in names:
            name, n = f"{base} ({n})", n + 1
        next_number[base] = n
        names.add(name)
        chunks.append(source_table(NewSource(name, source.url, source.tags, source.kind)))
        added.append(name)
    target = writable_config(config)
    if not added:
        return target, []
    text = target.read_text("utf-8")
    if text and not text.endswith("\n"):
        text += "\n"
    text += "".join(chunks)
    try:
        build_config(target, tomllib.loads(text), now)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{target}: adding sources would break it: {exc}") from exc
    atomic_write_bytes(target, text.encode("utf-8"))
    return target, added
