"""Loading wirewatch.toml into Sources, Events and Settings, with errors a person can act on."""

from __future__ import annotations

import codecs
import dataclasses
import json
import os
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from fetchers.alertrules import AlertRule, RuleError, make_rule, rule_name_key
from fetchers.atomic import stat_signature
from fetchers.charset import codec_for, is_text_codec
from fetchers.models import Event, Settings, Source
from fetchers.query import QueryError, name_key, parse_query, phrase_key
from fetchers.text import clean_line, strip_controls
from fetchers.timeparse import local_zone, parse_duration, parse_size, zone
from fetchers.webaddress import (
    SHORTEST_INTERVAL,
    SHORTEST_LOCAL_INTERVAL,
    address_problem,
    feed_key,
    lower_scheme,
    shortest_interval,
)

APP_NAME = "wirewatch"


class ConfigError(Exception):
    """A config that cannot be used; the message names the file, the key or line, and the fault."""


@dataclass(slots=True)
class Config:
    """Everything a wirewatch.toml says, with paths resolved against the file's folder."""

    path: Path
    settings: Settings = field(default_factory=Settings)
    sources: list[Source] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    watch_terms: list[str] = field(default_factory=list)
    filters: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    alerts: list[AlertRule] = field(default_factory=list)
    store: StoreConfig = field(default_factory=lambda: StoreConfig())
    # the file as it was when read (`stat_signature`): a change after it is read again; None for
    # a config not read from a file
    stamp: tuple[int, int, int] | None = None
    # read against a clock held still (--now): an event's "in 2 hours" stays where it is, so
    # it is taken; against a clock that moves it moved at every start, and is refused
    clock_held: bool = False
    # what was taken otherwise than written (a poll interval under the shortest, polled at
    # the shortest), each naming the file and the key: said by every command and the
    # dashboard, where refusing the whole config stopped a poller that ran before
    notes: list[str] = field(default_factory=list)


BACKENDS = ("tinydb", "postgresql")
STORE_KEYS = {"backend", "dsn"}


@dataclass(slots=True, frozen=True)
class StoreConfig:
    """[store]: where articles are kept. "tinydb" (the default) is files in the data dir;
    "postgresql" is a server database named by `dsn` ($WIREWATCH_DSN when the table gives
    none), so several hosts can share one store."""

    backend: str = "tinydb"
    dsn: str | None = field(default=None, repr=False)  # it may carry a password
    reader: str | None = None  # [settings] reader: whose read marks (None: the login name)

    def resolved_dsn(self) -> str | None:
        """The DSN to connect with: [store] dsn, else $WIREWATCH_DSN."""
        return self.dsn or os.environ.get("WIREWATCH_DSN") or None


SETTINGS_KEYS = {
    "interval",
    "concurrency",
    "per_host",
    "timeout",
    "max_body",
    "retention_days",
    "timezone",
    "user_agent",
    "data_dir",
    "date_order",
    "bell",
    "story_spikes",
    "theme",
    "reader",
    "read_after",
}
MAX_RETENTION_DAYS = 500_000  # "keep everything" in practice; far more overflows the cutoff
MAX_TIMEOUT = 86_400.0  # a request deadline longer than a day is a typo
SOURCE_KEYS = {
    "name",
    "url",
    "path",
    "kind",
    "interval",
    "tags",
    "full_text",
    "enabled",
    "charset",
}
EVENT_KEYS = {"name", "when", "tz", "query", "location"}
TOP_KEYS = {"settings", "sources", "events", "watch", "filters", "keys", "alerts", "store"}


def seeds_dir() -> Path:
    """The embedded seeds/ folder, in a source checkout or inside an installed wheel."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "seeds", here.parent / "seeds"):
        if (candidate / "wirewatch.toml").is_file():
            return candidate
    raise ConfigError("the embedded seeds/wirewatch.toml is missing from this installation")


def find_config(explicit: str | None) -> Path:
    """--config, then $WIREWATCH_CONFIG, then the user config dir, then the embedded default."""
    if explicit:
        path = Path(explicit).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: {_not_a_config(path)}")
        return path
    env = os.environ.get("WIREWATCH_CONFIG")
    if env:
        path = Path(env).expanduser()
        if not path.is_file():
            raise ConfigError(f"{path}: {_not_a_config(path)} (from $WIREWATCH_CONFIG)")
        return path
    user = user_config_path()
    if user.is_file():
        return user
    return seeds_dir() / "wirewatch.toml"


def _not_a_config(path: Path) -> str:
    """Why a config path given is no config file: a folder is not missing."""
    if path.is_dir():
        return "a folder, not a config file"
    return "no such config file" if not path.exists() else "not a regular file"


NO_HOME = "no home directory is known (HOME is unset or not absolute, and this user has none)"


def user_config_path() -> Path:
    """The user's own config file. ConfigError when there is no home directory to find it
    in (a cron job or a service user with no HOME and no passwd entry): that was a
    traceback, and from the help text, of every command."""
    try:
        return platformdirs.user_config_path(APP_NAME) / "wirewatch.toml"
    except RuntimeError:
        raise ConfigError(
            f"cannot look for the user config: {NO_HOME}; give --config FILE"
            " (or set HOME or XDG_CONFIG_HOME)"
        ) from None


def user_data_path() -> Path:
    """Where articles are kept when nothing else says (`data_dir`); ConfigError when there is
    no home directory to keep them in."""
    try:
        return platformdirs.user_data_path(APP_NAME)
    except RuntimeError:
        raise ConfigError(
            f"cannot choose where to keep the articles: {NO_HOME}; give --data-dir DIR"
            " (or set HOME or XDG_DATA_HOME)"
        ) from None


def data_dir(explicit: str | None, config: Config) -> Path:
    """--data-dir, then $WIREWATCH_DATA, then [settings] data_dir, then the user data dir."""
    chosen = explicit or os.environ.get("WIREWATCH_DATA") or config.settings.data_dir
    if chosen:
        path = Path(chosen).expanduser()
        if not path.is_absolute() and not explicit and not os.environ.get("WIREWATCH_DATA"):
            path = config.path.parent / path
        return path
    return user_data_path()


def load_config(path: Path, now: datetime, clock_held: bool = False) -> Config:
    """Read and check one config file. Raises ConfigError; never returns half a config.
    `clock_held`: `now` is a clock held still (--now), which relative event times may be
    read against (`Config.clock_held`)."""
    stamp = stat_signature(path)  # before it is read: a change while it is read is seen later
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    # (a byte-order mark, as Windows editors write one, is no statement)
    raw = raw.removeprefix(codecs.BOM_UTF8)
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: {_not_utf8(raw, exc.start)}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    config = build_config(path, data, now, clock_held)
    config.stamp = stamp
    return config


def _not_utf8(raw: bytes, at: int) -> str:
    """Where a config's text stops being UTF-8, as a TOML error says where (a line and a
    column, in characters): an offset in bytes sent the reader counting them."""
    line_start = raw.rfind(b"\n", 0, at) + 1
    line = raw.count(b"\n", 0, at) + 1
    column = len(raw[line_start:at].decode("utf-8")) + 1  # (what comes before it decoded)
    return (
        f"not UTF-8 text (byte 0x{raw[at]:02x} at line {line}, column {column}): save the file"
        " as UTF-8"
    )


def _where(path: Path, key: str) -> str:
    return f"{path}: {key}"


def _check_keys(path: Path, table: str, got: dict[str, Any], allowed: set[str]) -> None:
    for key in got:
        if key not in allowed:
            known = ", ".join(sorted(allowed))
            raise ConfigError(f"{_where(path, f'{table}.{key}')}: unknown key (known: {known})")


def _typed(path: Path, key: str, value: Any, kind: type | tuple[type, ...], what: str) -> Any:
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigError(f"{_where(path, key)}: must be {what}, not {_described(value)}")
    return value


def _described(value: Any) -> str:
    """A value of the wrong type as an error names it: a table or an array by its shape, not
    its contents (an `[alerts]` written for `[[alerts]]` holds a webhook's secret address),
    and no address at all."""
    if isinstance(value, dict):
        keys = ", ".join(sorted(map(str, value)))
        return f"a table (with {keys})" if keys else "an empty table"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    if isinstance(value, str) and "://" in value:
        return "an address"
    return repr(value)


def build_config(
    path: Path, data: dict[str, Any], now: datetime, clock_held: bool = False
) -> Config:
    """Turn parsed TOML into a Config, checking every key."""
    for key in data:
        if key not in TOP_KEYS:
            raise ConfigError(
                f"{_where(path, key)}: unknown table or key (known: {', '.join(sorted(TOP_KEYS))})"
            )
    config = Config(path=path)
    config.settings = _settings(path, data.get("settings", {}), config.notes)
    config.sources = _sources(path, data.get("sources", []), config.settings, config.notes)
    config.clock_held = clock_held
    config.events = _events(path, data.get("events", []), config.settings, now, clock_held)
    watch = data.get("watch", {})
    _typed(path, "watch", watch, dict, "a table")
    _check_keys(path, "watch", watch, {"terms"})
    terms = _typed(path, "watch.terms", watch.get("terms", []), list, "a list of strings")
    for term in terms:
        _typed(path, "watch.terms", term, str, "a list of strings")
        if term.strip() and not term.replace('"', " ").strip():  # looked for as a phrase
            raise ConfigError(f"{_where(path, 'watch.terms')}: {term!r} holds no word to watch")
        if _controls(term):  # printed by `trends` and the alerts view, as a source's name is
            raise ConfigError(f"{_where(path, 'watch.terms')}: {term!r} holds control characters")
    config.watch_terms = _distinct_terms(path, [t for t in terms if t.strip()], config.notes)
    config.filters = _filters(path, data.get("filters", {}), config.settings, now)
    config.keys = _keys(path, data.get("keys", {}), config.notes)
    config.alerts = _alerts(path, data.get("alerts", []), config.settings, now, config.notes)
    config.store = dataclasses.replace(
        _store(path, data.get("store", {})), reader=config.settings.reader
    )
    return config


def _distinct_terms(path: Path, terms: list[str], notes: list[str]) -> list[str]:
    """Each watch term once, as first written: terms that find the same articles
    (`phrase_key`: "tariff" and "Tariff") counted each mention once for each, and fired its
    spike once for each. The others are said, not refused: a config that loaded before
    still does."""
    first: dict[str, str] = {}  # phrase_key -> the term as first written
    dropped: dict[str, list[str]] = {}  # the term kept -> the terms left out for it
    for term in terms:
        key = phrase_key(term)
        if key in first:
            dropped.setdefault(first[key], []).append(term)
        else:
            first[key] = term
    for kept, others in dropped.items():
        again = ", ".join(map(repr, others[:-1])) + (" and " if len(others) > 1 else "")
        notes.append(
            f"{_where(path, 'watch.terms')}: {kept!r} is listed again as {again}{others[-1]!r};"
            f" they find the same articles (matching ignores case, quotes and repeated spaces),"
            f" so it is watched once, as {kept!r} (remove the others)"
        )
    return list(first.values())


def _store(path: Path, table: Any) -> StoreConfig:
    """[store] backend and dsn. A DSN is a postgresql:// URL (its password is then hidden
    wherever wirewatch prints it); one in the config file is used before $WIREWATCH_DSN."""
    _typed(path, "store", table, dict, "a table")
    _check_keys(path, "store", table, STORE_KEYS)
    backend = _typed(path, "store.backend", table.get("backend", "tinydb"), str, "a string")
    if backend not in BACKENDS:
        raise ConfigError(
            f"{_where(path, 'store.backend')}: must be {' or '.join(map(repr, BACKENDS))},"
            f" not {backend!r}"
        )
    dsn = table.get("dsn")
    if dsn is not None:
        _typed(path, "store.dsn", dsn, str, "a string")
        check_dsn(dsn, _where(path, "store.dsn"))
    return StoreConfig(backend=backend, dsn=dsn or None)


def check_dsn(dsn: str, where: str) -> None:
    """A DSN must be a postgresql:// (or postgres://) URL: its password can then be hidden in
    every message; the key=value form could carry one that no message would hide."""
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"{where}: must be a postgresql://user:password@host/database URL")


def _alerts(
    path: Path, items: Any, settings: Settings, now: datetime, notes: list[str]
) -> list[AlertRule]:
    """[[alerts]]: each rule checked whole (its query parses, its notify kinds exist, a
    webhook kind has its URL); a mistake names the rule and the key, never the URL. Two
    names that look the same ("Seoul" and "SEOUL", an accent composed or typed apart) are
    said in `notes`: the alerts screen, the history and mutes show the two alike."""
    _typed(path, "alerts", items, list, "an array of tables ([[alerts]])")
    out: list[AlertRule] = []
    seen: set[str] = set()
    looks: dict[str, str] = {}  # each name as `rule_name_key` folds it -> the name
    for n, item in enumerate(items, 1):
        where = f"alerts[{n}]"
        _typed(path, where, item, dict, "a table")
        if isinstance(item.get("name"), str) and item["name"].strip():
            where = f"alerts[{n}] ({clean_line(item['name'], False).strip()})"
        try:
            rule = make_rule(item, now, local_zone(settings.timezone))
        except RuleError as exc:
            key, _, reason = str(exc).partition(": ")
            raise ConfigError(f"{_where(path, f'{where}.{key}')}: {reason}") from exc
        if rule.name in seen:
            raise ConfigError(f"{_where(path, where)}: a second alert with this name")
        other = looks.get(rule_name_key(rule.name))
        if other is not None:  # (said, not refused: a config that loaded before still does)
            notes.append(
                f"{_where(path, where)}: named as {other!r} but for its case, spacing or"
                " the way its accents are written; the alerts screen, the history and"
                " notifications show the two alike: rename one"
            )
        looks.setdefault(rule_name_key(rule.name), rule.name)
        seen.add(rule.name)
        out.append(rule)
    return out


def _filters(path: Path, table: Any, settings: Settings, now: datetime) -> dict[str, str]:
    """Saved filters on keys 1 to 9, each a query that parses (checked now, not when pressed)."""
    _typed(path, "filters", table, dict, "a table")
    for key, value in table.items():
        if key not in {str(n) for n in range(1, 10)}:
            raise ConfigError(f"{_where(path, f'filters.{key}')}: saved filters are keyed 1 to 9")
        _typed(path, f"filters.{key}", value, str, "a query string")
        try:
            parse_query(value, now, local_zone(settings.timezone))
        except QueryError as exc:
            raise ConfigError(f"{_where(path, f'filters.{key}')}: {exc}") from exc
    return dict(table)


def _key_said(path: Path, said: str) -> str:
    """A keymap error or note ("id: reason") as the config's others are said, file and key."""
    binding_id, _, reason = said.partition(": ")
    where = _where(path, f'keys."{binding_id}"')
    return f"{where}: {reason}"


def _keys(path: Path, table: Any, notes: list[str]) -> dict[str, str]:
    """Binding id = keys: ids that exist, keys that are keys, and no key doing two things;
    what loads taken otherwise than written is said in `notes`."""
    _typed(path, "keys", table, dict, "a table")
    if not table:
        return {}
    from fetchers.keymap import KeymapError, check_keymap, key_list  # only [keys] asks

    for key, value in table.items():
        # app.quit = "x": TOML's table app, key quit (a quoted id given a table is no such
        # slip: "app.quit" = { key = "x" } is told a key list is wanted)
        if isinstance(value, dict) and value and "." not in key:
            raise ConfigError(_unquoted_id(path, key, value))
        _typed(path, f'keys."{key}"', value, str, 'a key list such as "j,down"')
    try:
        said = check_keymap(table)
    except KeymapError as exc:  # every [keys] error at once, one a line
        lines = str(exc).splitlines()
        raise ConfigError("\n".join(_key_said(path, line) for line in lines)) from exc
    notes += [_key_said(path, note) for note in said]
    # by Textual's names, as the bindings are matched: "F2", "shift+x", "^x" or "⏎" as given
    # loaded, showed in the footer and never fired
    return {binding_id: ",".join(key_list(keys)) for binding_id, keys in table.items()}


def _unquoted_id(path: Path, head: str, table: dict[str, Any]) -> str:
    """A binding id written without quotes (`app.quit = "x"`, as newsboat's config writes
    it), which TOML reads as a table: the id as written, and how to write it."""
    binding_id, value = head, table
    while isinstance(value, dict) and value:
        name, value = next(iter(value.items()))
        binding_id += f".{name}"
    keys = json.dumps(value) if isinstance(value, str) else '"..."'
    return (
        f"{_where(path, f'keys.{binding_id}')}: a binding id holding a dot is quoted:"
        f' "{binding_id}" = {keys}'
    )


LONGEST_READ_AFTER = 3600.0  # shown for an hour before it counts as read: a typo past it


def _read_after(path: Path, value: Any) -> float | None:
    """[settings] read_after: how long an article is shown before it counts as read, or
    "never" (only `enter` reads it, as newsboat does)."""
    where = _where(path, "settings.read_after")
    if isinstance(value, str) and value.strip().lower() == "never":
        return None
    try:
        seconds = parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f'{where}: {exc}, or "never"') from exc
    if seconds > LONGEST_READ_AFTER:
        raise ConfigError(f'{where}: more than an hour (say "never" for only on enter)')
    return seconds


def _settings(path: Path, table: Any, notes: list[str]) -> Settings:
    _typed(path, "settings", table, dict, "a table")
    _check_keys(path, "settings", table, SETTINGS_KEYS)
    s = Settings()
    for key, parse in (
        ("interval", parse_duration),
        ("timeout", parse_duration),
        ("max_body", parse_size),
    ):
        if key in table:
            try:
                setattr(s, key, parse(table[key]))
            except ValueError as exc:
                if key == "timeout" and "too long a duration" in str(exc):  # (its own bound)
                    raise ConfigError(
                        f"{_where(path, 'settings.timeout')}: more than a day"
                    ) from exc
                raise ConfigError(f"{_where(path, f'settings.{key}')}: {exc}") from exc
    for key in ("concurrency", "per_host", "retention_days"):
        if key in table:
            value = _typed(path, f"settings.{key}", table[key], int, "a positive whole number")
            if value <= 0:
                raise ConfigError(f"{_where(path, f'settings.{key}')}: must be positive")
            if key == "retention_days" and value > MAX_RETENTION_DAYS:
                raise ConfigError(
                    f"{_where(path, 'settings.retention_days')}: {value} is more than"
                    f" {MAX_RETENTION_DAYS:,} days"
                )
            setattr(s, key, value)
    if s.timeout > MAX_TIMEOUT:
        raise ConfigError(f"{_where(path, 'settings.timeout')}: more than a day")
    if s.interval < SHORTEST_LOCAL_INTERVAL:  # (a source on the network: checked with it)
        notes.append(
            f"{_where(path, 'settings.interval')}: {_too_short(table['interval'], None)};"
            f" taken as {SHORTEST_LOCAL_INTERVAL:g}s"
        )
        s.interval = SHORTEST_LOCAL_INTERVAL
    if "read_after" in table:
        s.read_after = _read_after(path, table["read_after"])
    if "timezone" in table:
        tzname = _typed(path, "settings.timezone", table["timezone"], str, "an IANA zone name")
        try:
            zone(tzname)
        except ValueError as exc:
            raise ConfigError(f"{_where(path, 'settings.timezone')}: {exc}") from exc
        s.timezone = tzname
    for key in ("user_agent", "data_dir", "theme"):  # theme: checked by the dashboard
        if key in table:
            setattr(s, key, _typed(path, f"settings.{key}", table[key], str, "a string"))
    if s.data_dir is not None and not s.data_dir.strip():  # ("$DIR" unset in a template:
        # the user's default store was written, as with an empty --data-dir)
        raise ConfigError(f"{_where(path, 'settings.data_dir')}: must not be empty")
    agent = s.user_agent or ""
    if not (agent.isascii() and agent.isprintable()):
        # sent as a header: printable ASCII only (an accent stopped every request of a poll)
        raise ConfigError(
            f"{_where(path, 'settings.user_agent')}: printable ASCII only (it is an HTTP header)"
        )
    if "reader" in table:
        reader = _typed(path, "settings.reader", table["reader"], str, "a name")
        if not reader.strip():
            raise ConfigError(f"{_where(path, 'settings.reader')}: must not be empty")
        s.reader = reader.strip()
    if "date_order" in table:
        order = table["date_order"]
        if order not in ("dmy", "mdy"):
            raise ConfigError(f'{_where(path, "settings.date_order")}: must be "dmy" or "mdy"')
        s.date_order = order
    if "bell" in table:
        s.bell = _typed(path, "settings.bell", table["bell"], bool, "true or false")
    if "story_spikes" in table:
        s.story_spikes = _typed(
            path, "settings.story_spikes", table["story_spikes"], bool, "true or false"
        )
    return s


def _too_short(given: object, url: str | None) -> str:
    """Why an interval `given` is refused for a source at `url` (None: a local path): a
    server polled every few seconds by every reader is no server for long."""
    floor = shortest_interval(url)
    if floor < SHORTEST_INTERVAL:
        return f"{given!r} is shorter than {floor:g}s, the shortest poll interval"
    return (
        f"{given!r} is shorter than {floor:g}s, the shortest poll interval of a source on the"
        f" network (a local path, or an address on this machine or its network, may be polled"
        f" every {SHORTEST_LOCAL_INTERVAL:g}s)"
    )


def _controls(text: str) -> bool:
    """Whether `text` holds what `strip_controls` takes out of feed text (an escape
    sequence, a NUL, a bidirectional override) or a line break: a source's name or tag is
    printed by every command, one line each, and written into OPML, which cannot hold it."""
    return strip_controls(text) != text or "\n" in text or "\t" in text


def _host_and_port(url: str) -> str:
    """What names the server in `url`: between "://" and the path, query or fragment, a
    user and password before it left out."""
    rest = url.partition("://")[2]
    for mark in "/?#":
        rest = rest.partition(mark)[0]
    return rest.rpartition("@")[2]


def _sources(path: Path, items: Any, settings: Settings, notes: list[str]) -> list[Source]:
    _typed(path, "sources", items, list, "an array of tables ([[sources]])")
    out: list[Source] = []
    seen: dict[str, str] = {}  # each name as `source:` compares it -> the name
    addresses: dict[str, str] = {}  # feed_key or path -> the source's name
    at_default: list[str] = []  # sources polled at a default under their shortest interval
    for n, item in enumerate(items, 1):
        where = f"sources[{n}]"
        _typed(path, where, item, dict, "a table")
        _check_keys(path, where, item, SOURCE_KEYS)
        if "name" not in item:
            raise ConfigError(f"{_where(path, where)}: a source needs a name")
        name = _typed(path, f"{where}.name", item["name"], str, "a string").strip()
        if not name:
            raise ConfigError(f"{_where(path, where + '.name')}: empty name")
        if _controls(name):  # printed by every command, written into OPML
            raise ConfigError(
                f"{_where(path, where + '.name')}: holds control characters ({name!r})"
            )
        where = f"sources[{n}] ({name})"
        other = seen.get(name_key(name))
        if other == name:
            raise ConfigError(f"{_where(path, where)}: a second source with this name")
        if other is not None:  # "News" and "news", "A — B" and "A - B": source:, alerts and
            # `s` take them as one
            # (said, not refused: a config that loaded before, perhaps written by `add`,
            # still does)
            notes.append(
                f"{_where(path, where)}: named as {other!r} but for its case, spacing,"
                " accents or dashes;"
                f" source:, the alert rules and the source picker take the two as one: rename"
                " one"
            )
        seen.setdefault(name_key(name), name)
        url, local = item.get("url"), item.get("path")
        if not url and not local:
            raise ConfigError(f"{_where(path, where)}: a source needs a url or a path")
        if url and local:
            raise ConfigError(f"{_where(path, where)}: give a url or a path, not both")
        if url:
            url = lower_scheme(_typed(path, f"{where}.url", url, str, "a string").strip())
            if any(char.isspace() for char in _host_and_port(url)):  # (as %20 below, a
                # host no name server knows: refused at every refresh as one offline)
                raise ConfigError(
                    f"{_where(path, where + '.url')}: its host holds a space (a host name has none)"
                )
            url = url.replace(" ", "%20")  # (a space in a query, as a config written by hand
            # has worked with: sent as %20, as httpx sends it)
            problem = address_problem(url)
            if problem is not None:
                raise ConfigError(
                    f"{_where(path, where + '.url')}: {problem} (a source's url is an"
                    " http:// or https:// address)"
                )
        if local:
            _typed(path, f"{where}.path", local, str, "a string")
            resolved = Path(local).expanduser()
            if not resolved.is_absolute():
                resolved = path.parent / resolved
            local = str(resolved)
        # (told apart as subscribing tells feeds apart: `feed.xml#top`, a tracking
        # parameter or the host's case fetch the same document)
        address = feed_key(url, user=True) if url else str(local)
        if address in addresses:  # its items would be stored twice, and alerted on twice
            raise ConfigError(
                f"{_where(path, where)}: the same {'url' if url else 'path'} as"
                f" {addresses[address]!r}; one source for each (rename that one instead)"
            )
        addresses[address] = name
        kind = item.get("kind", "file" if local else "feed")
        if kind not in ("feed", "page", "file"):
            raise ConfigError(f"{_where(path, where + '.kind')}: must be feed, page or file")
        if kind == "file" and url:
            raise ConfigError(
                f"{_where(path, where + '.kind')}: file is a source read from a path; an"
                " address is a feed or a page"
            )
        interval = None
        if "interval" in item:
            try:
                interval = parse_duration(item["interval"])
            except ValueError as exc:
                raise ConfigError(f"{_where(path, where + '.interval')}: {exc}") from exc
            floor = shortest_interval(url or None)
            if interval < floor:
                too_short = _too_short(item["interval"], url or None)
                notes.append(
                    f"{_where(path, where + '.interval')}: {too_short}; polled every {floor:g}s"
                )
                interval = floor
        elif settings.interval < shortest_interval(url or None):  # (the default's: the
            at_default.append(name)  # poller takes the shortest, `poll_interval`)
        tags = _typed(path, f"{where}.tags", item.get("tags", []), list, "a list of strings")
        for tag in tags:
            _typed(path, f"{where}.tags", tag, str, "a list of strings")
            if _controls(tag):
                raise ConfigError(
                    f"{_where(path, where + '.tags')}: {tag!r} holds control characters"
                )
        full_text = _typed(
            path, f"{where}.full_text", item.get("full_text", False), bool, "true or false"
        )
        enabled = _typed(path, f"{where}.enabled", item.get("enabled", True), bool, "true or false")
        charset = None
        if "charset" in item:
            label = _typed(path, f"{where}.charset", item["charset"], str, "a charset's name")
            charset = codec_for(label)
            if charset is None or not is_text_codec(charset):
                raise ConfigError(
                    f"{_where(path, where + '.charset')}: {label!r} is not a charset"
                    " (such as windows-1250, iso-8859-2, euc-kr)"
                )
        out.append(
            Source(
                name=name,
                url=url,
                path=local,
                kind=kind,
                interval=interval,
                tags=list(tags),
                full_text=full_text,
                enabled=enabled,
                charset=charset,
            )
        )
    if at_default:  # said once, however many sources poll at it
        shown = ", ".join(at_default[:3]) + (
            f" and {len(at_default) - 3} more" if len(at_default) > 3 else ""
        )
        notes.append(
            f"{_where(path, 'settings.interval')}: {settings.interval:g}s is shorter than"
            f" {SHORTEST_INTERVAL:g}s, the shortest poll interval of a source on the network:"
            f" {shown} (polling at it) are polled every {SHORTEST_INTERVAL:g}s (give them an"
            " interval of their own, or a longer default)"
        )
    return out


def _events(
    path: Path, items: Any, settings: Settings, now: datetime, clock_held: bool = False
) -> list[Event]:
    _typed(path, "events", items, list, "an array of tables ([[events]])")
    out: list[Event] = []
    for n, item in enumerate(items, 1):
        where = f"events[{n}]"
        _typed(path, where, item, dict, "a table")
        _check_keys(path, where, item, EVENT_KEYS)
        if "name" not in item:
            raise ConfigError(f"{_where(path, where)}: an event needs a name")
        name = clean_line(_typed(path, f"{where}.name", item["name"], str, "a string"), False)
        if not name:  # (a row with no name in the countdown, nothing to tell it by)
            raise ConfigError(f"{_where(path, where + '.name')}: an event needs a name, not ''")
        tzname = item.get("tz", settings.timezone)
        if tzname is not None:
            _typed(path, f"{where}.tz", tzname, str, "an IANA zone name")
            try:
                zone(tzname)
            except ValueError as exc:
                raise ConfigError(f"{_where(path, where + '.tz')}: {exc}") from exc
        query = item.get("query")
        if query is not None:
            _typed(path, f"{where}.query", query, str, "a query string")
            try:
                parse_query(query, now, local_zone(settings.timezone))
            except QueryError as exc:
                raise ConfigError(f"{_where(path, where + '.query')}: {exc}") from exc
        raw_when = item.get("when")
        when = None
        written_zone = None  # "2026-11-03 08:00 Europe/Paris": the event's zone, as no tz says
        error = None
        if raw_when is None:  # said as an event whose time cannot be read, as the others are
            error = "no time is given (when = ...)"
        else:
            from fetchers.eventtime import EventTimeError, read_event_time, within_calendar

            try:
                if isinstance(raw_when, datetime) and raw_when.tzinfo is not None:
                    when = within_calendar(raw_when.astimezone(UTC), raw_when.isoformat())
                else:  # a date in words; a TOML time without an offset is read as that text
                    # is, in the event's zone else the reader's, a wall time a change of the
                    # clocks skips or repeats refused
                    text = raw_when.isoformat() if isinstance(raw_when, datetime) else raw_when
                    read = read_event_time(
                        str(text), tzname, now, settings.date_order, fixed=not clock_held
                    )
                    when, written_zone = read.when, read.zone
            except (EventTimeError, ValueError) as exc:
                error = str(exc)
            except OverflowError:  # (a TOML time with an offset, at the calendar's end)
                error = f"{str(raw_when)!r}: too far in the past or the future"
        if "tz" in item:  # (the zone to show it in, whatever the time names)
            written_zone = None
        out.append(
            Event(
                name=name,
                when=when,
                tz=written_zone or tzname or "local",
                query=query,
                location=item.get("location"),
                error=error,
                raw_when="" if raw_when is None else str(raw_when),
            )
        )
    return out
