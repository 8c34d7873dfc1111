"""Alert rules: a query that fires when matching news lands, and where the alert goes.

Rules come from `[[alerts]]` in the config (read-only in the app) and from the app, which keeps
its own in alerts.json in the data dir beside events.json, changed under alerts.lock by any
process, or in a store that keeps the desk's records (PostgreSQL, for every host). A config
rule can be muted from the app: its name is kept with them.
"""

from __future__ import annotations

import re
import secrets
import unicodedata
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NamedTuple
from urllib.parse import urlsplit

import orjson

from fetchers.atomic import atomic_write_bytes, exclusive_lock
from fetchers.models import from_utc_iso, utc_iso
from fetchers.query import Query, QueryError, meant_name, name_key, parse_query, quoted
from fetchers.store.errors import DATA_DIR_MODE, StoreError
from fetchers.text import clean_line
from fetchers.webaddress import address_problem, ntfy_topic

if TYPE_CHECKING:
    from fetchers.store import ArticleStore

NOTIFY_KINDS = ("bell", "terminal", "desktop", "webhook")
WEBHOOK_FORMATS = ("generic", "slack", "matrix", "ntfy")
RULE_KEYS = {"name", "query", "notify", "webhook", "webhook_format", "quiet"}
FILE = "alerts.json"
RuleOrigin = Literal["config", "store"]
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class RuleError(ValueError):
    """A rule that cannot be used; the message names the field and the fault."""


class RuleBookError(Exception):
    """alerts.json cannot be read or written, or the rule asked for is not there."""


@dataclass(slots=True, frozen=True)
class QuietHours:
    """A daily span of wall-clock time in the reader's zone ("22:00-07:00" wraps midnight)
    when desktop and webhook deliveries are dropped (the history keeps the alert)."""

    start: time
    end: time
    text: str

    def holds(self, when: datetime, zone: tzinfo) -> bool:
        local = when.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end


def parse_quiet(text: str) -> QuietHours:
    """ "HH:MM-HH:MM", 24-hour clock; the two ends differ."""
    match = _CLOCK.match(text)
    if not match:
        raise RuleError(f'quiet: {text!r}: write the span as "22:00-07:00"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise RuleError(f"quiet: {text!r} is not a time of day (00:00 to 23:59)")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise RuleError(f"quiet: {text!r} starts and ends at the same minute")
    return QuietHours(start, end, f"{start:%H:%M}-{end:%H:%M}")


@dataclass(slots=True, frozen=True)
class AlertRule:
    """One rule. `key` names it in the alert state and history: the name for a config rule,
    the stored id for one added in the app."""

    name: str
    query: str
    notify: tuple[str, ...] = ("terminal",)
    webhook: str | None = None
    webhook_format: str | None = None  # None: chosen by the webhook's URL
    quiet: QuietHours | None = None
    muted: bool = False
    origin: RuleOrigin = "config"
    ident: str | None = None  # stored rules only
    created: datetime | None = None  # stored rules: when added in the app
    # the query as checked when the rule was made (without the stories): what the alert
    # desk uses as it is when neither the clock nor the stories change its answer
    parsed: Query | None = field(default=None, compare=False, repr=False)
    # a stored rule that no longer checks (written by hand, or by an older wirewatch): why.
    # It never fires; the app lists it, to be mended or removed, and the file keeps it
    problem: str | None = None
    # and its fields as the file holds them, for the app's form to start from
    as_written: dict[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"app:{self.ident}" if self.origin == "store" else f"config:{self.name}"

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.ident,
            "name": self.name,
            "query": self.query,
            "notify": list(self.notify),
            "webhook": self.webhook,
            "webhook_format": self.webhook_format,
            "quiet": self.quiet.text if self.quiet else None,
            "muted": self.muted,
            "created": utc_iso(self.created),
        }


def rule_name_key(name: str) -> str:
    """A rule's name as the names of two rules must differ: composed alike (NFC: "Café"
    typed with a combining accent is "Café"), case-folded, its spaces one space. Names equal
    so look the same in the alerts screen, the history and a notification, where nothing
    tells the two rules apart."""
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def make_rule(
    fields: dict[str, Any],
    now: datetime,
    zone: tzinfo = UTC,
    origin: RuleOrigin = "config",
) -> AlertRule:
    """Check one rule's fields (the config table's keys) and build it. Raises RuleError whose
    message starts with the field at fault ("notify: ...")."""
    for key in fields:
        if key not in RULE_KEYS:
            raise RuleError(f"{key}: unknown key (known: {', '.join(sorted(RULE_KEYS))})")
    name = fields.get("name")
    if not isinstance(name, str) or not clean_line(name, False).strip():
        raise RuleError("name: a rule needs a name (a non-empty string)")
    name = clean_line(name, False).strip()
    query = fields.get("query")
    if not isinstance(query, str) or not query.strip():
        raise RuleError("query: a rule needs a query (a non-empty string)")
    try:
        parsed = parse_query(query, now, zone)
    except QueryError as exc:
        raise RuleError(f"query: {exc}") from exc
    raw_notify = fields.get("notify", ["terminal"])
    if isinstance(raw_notify, str):
        raw_notify = [raw_notify]
    if not isinstance(raw_notify, list) or not raw_notify:
        raise RuleError(f"notify: a list of {', '.join(map(repr, NOTIFY_KINDS))}")
    for kind in raw_notify:
        if kind not in NOTIFY_KINDS:
            raise RuleError(f"notify: {kind!r} is not one of {', '.join(map(repr, NOTIFY_KINDS))}")
    notify = tuple(dict.fromkeys(raw_notify))
    webhook = fields.get("webhook")
    if webhook is not None:
        if not isinstance(webhook, str):
            raise RuleError("webhook: must be a URL string")
        problem = address_problem(webhook)
        if problem is not None:
            raise RuleError(f"webhook: {problem} (an http:// or https:// URL with a host)")
    if "webhook" in notify and not webhook:
        raise RuleError('webhook: notify includes "webhook" but no webhook URL is given')
    if webhook and "webhook" not in notify:
        raise RuleError('notify: a webhook URL is given but notify does not include "webhook"')
    fmt = fields.get("webhook_format")
    if fmt is not None and fmt not in WEBHOOK_FORMATS:
        raise RuleError(
            f"webhook_format: {fmt!r} is not one of {', '.join(map(repr, WEBHOOK_FORMATS))}"
        )
    if fmt is not None and not webhook:
        raise RuleError("webhook_format: given without a webhook URL")
    quiet_text = fields.get("quiet")
    quiet = None
    if quiet_text is not None:
        if not isinstance(quiet_text, str):
            raise RuleError('quiet: must be a span such as "22:00-07:00"')
        quiet = parse_quiet(quiet_text)
    rule = AlertRule(
        name=name,
        query=query,
        notify=notify,
        webhook=webhook,
        webhook_format=fmt,
        quiet=quiet,
        origin=origin,
        parsed=parsed,
    )
    if webhook and webhook_format(rule) == "ntfy" and not ntfy_topic(urlsplit(webhook).path)[1]:
        # (ntfy refuses a post without a topic: every alert of the rule would be refused)
        raise RuleError("webhook: an ntfy URL ends with its topic (https://ntfy.sh/TOPIC)")
    return rule


class RuleBook:
    """The rules added in the app, and the config rules muted there: alerts.json in the data
    dir, or the `store`'s where it keeps the desk's records (PostgreSQL: every host's)."""

    def __init__(self, data_dir: Path, store: ArticleStore | None = None) -> None:
        self.dir = Path(data_dir)
        self.store = store if store is not None and store.keeps_desk else None

    @property
    def path(self) -> Path:
        return self.dir / FILE

    @property
    def where(self) -> str:
        """Where the rules are kept, for messages."""
        return self.store.location if self.store is not None else str(self.path)

    def _locked(self) -> AbstractContextManager[None]:
        self.dir.mkdir(mode=DATA_DIR_MODE, parents=True, exist_ok=True)
        return exclusive_lock(self.dir / "alerts.lock")

    def _read(self) -> dict[str, Any]:
        if self.store is not None:
            try:
                return self._from_store(self.store.alert_rules())
            except StoreError as exc:
                raise RuleBookError(str(exc)) from exc
        return self._read_file()

    def _from_store(self, record: dict[str, Any] | None) -> dict[str, Any]:
        """The store's rules; until it has any, this data dir's alerts.json (written before
        the store kept them: the first change carries them into the store)."""
        return self._read_file() if record is None else self._checked(record)

    def _read_file(self) -> dict[str, Any]:
        try:
            data = orjson.loads(self.path.read_bytes())
        except FileNotFoundError:
            return {"rules": [], "muted": []}
        except (OSError, orjson.JSONDecodeError) as exc:
            raise RuleBookError(f"{self.path} cannot be read: {exc}") from exc
        return self._checked(data)

    def _checked(self, data: object) -> dict[str, Any]:
        """The rules and muted names of what was read (None: none were ever saved)."""
        if data is None:
            return {"rules": [], "muted": []}
        if not isinstance(data, dict):
            raise RuleBookError(f"{self.where} is not an alerts file")
        raw_rules, raw_muted = data.get("rules", []), data.get("muted", [])
        if not isinstance(raw_rules, list) or not isinstance(raw_muted, list):
            raise RuleBookError(f"{self.where}: rules and muted must be lists")
        # (a rule without an id, or no table at all, is kept as it is: it is not the app's
        # to drop, and a save writes it back)
        rules = [
            {**r, "id": str(r["id"])} if isinstance(r, dict) and r.get("id") else r
            for r in raw_rules
        ]
        muted = [m for m in raw_muted if isinstance(m, str)]
        return {"rules": rules, "muted": muted}

    def _change(self, change: Callable[[dict[str, Any]], None]) -> None:
        """Read the rules, `change` them in place and write them, with no other process
        changing them between (the file's lock, or one transaction of the store)."""
        if self.store is not None:

            def changed(record: dict[str, Any] | None) -> dict[str, Any]:
                data = self._from_store(record)
                change(data)
                return data

            try:
                self.store.change_alert_rules(changed)
            except StoreError as exc:
                raise RuleBookError(str(exc)) from exc
            return
        try:
            with self._locked():
                data = self._read_file()
                change(data)
                atomic_write_bytes(self.path, orjson.dumps(data))
        except OSError as exc:  # (full, read-only): said as a broken file is, the form kept
            raise RuleBookError(f"{self.path} cannot be written: {exc.strerror or exc}") from exc

    def load(self, now: datetime, zone: tzinfo = UTC) -> tuple[list[AlertRule], set[str]]:
        """The stored rules (one that no longer checks is left out and named in the error
        list of `load_with_problems`) and the names of muted config rules."""
        rules, muted, _problems = self.load_with_problems(now, zone)
        return rules, muted

    def load_with_problems(
        self,
        now: datetime,
        zone: tzinfo = UTC,
        config_rules: Iterable[AlertRule] = (),
        unchecked: bool = False,
    ) -> tuple[list[AlertRule], set[str], list[str]]:
        """`load`, and what is wrong: rules that no longer check, and app rules that a config
        rule given later has the name of (`config_rules`: the app's form refuses a name
        taken, the config cannot know the app's; both fire, under one name). `unchecked`:
        the rules that no longer check are in the list too, where the file has them, each
        with its `problem` (for the app to list: left out, one could be neither mended nor
        removed there, and its name was free to be given again); they must never fire."""
        data = self._read()
        rules: list[AlertRule] = []
        problems: list[str] = []
        for item in data["rules"]:
            if not isinstance(item, dict) or not item.get("id"):
                continue  # (no id: nothing the app can change it by)
            fields = {k: item[k] for k in RULE_KEYS if item.get(k) is not None}
            muted = item.get("muted") is True  # "false" or 1 written by hand mutes nothing
            try:
                rule = make_rule(fields, now, zone, origin="store")
                created = _created(item)
            except RuleError as exc:
                problems.append(f"{self.where}: rule {item.get('name')!r}: {exc}")
                if unchecked:
                    rules.append(_unchecked(item, fields, muted, str(exc)))
                continue
            rules.append(replace(rule, ident=str(item["id"]), muted=muted, created=created))
        named = {rule_name_key(rule.name) for rule in config_rules}
        problems += [
            f"alert rule {rule.name!r} is both in the config and added in the app: both fire"
            " under that name; rename one"
            for rule in rules
            if rule.problem is None and rule_name_key(rule.name) in named
        ]
        return rules, set(data["muted"]), problems

    def add(self, fields: dict[str, Any], now: datetime, zone: tzinfo = UTC) -> AlertRule:
        """Check and store a new rule (RuleError says which field is wrong). It fires for
        articles fetched from `now` on, never for those already stored."""
        rule = replace(
            make_rule(fields, now, zone, origin="store"),
            ident=secrets.token_hex(6),
            created=now,
        )
        self._change(lambda data: data["rules"].append(rule.to_record()))
        return rule

    def update(
        self, ident: str, fields: dict[str, Any], now: datetime, zone: tzinfo = UTC
    ) -> AlertRule:
        """Replace a stored rule's fields; it keeps its id, history and creation time."""
        checked = make_rule(fields, now, zone, origin="store")
        saved: list[AlertRule] = []

        def change(data: dict[str, Any]) -> None:
            for n, item in enumerate(data["rules"]):
                if _ident(item) == ident:
                    try:
                        created = _created(item) or now
                    except RuleError:  # (mending a rule whose time was unreadable: from now)
                        created = now
                    rule = replace(
                        checked, ident=ident, created=created, muted=item.get("muted") is True
                    )
                    data["rules"][n] = rule.to_record()
                    saved.append(rule)
                    return
            raise RuleBookError("that alert rule is no longer stored (removed elsewhere?)")

        self._change(change)
        return saved[0]

    def set_muted(self, rule: AlertRule, muted: bool) -> None:
        """Mute or unmute a rule: a muted rule fires nothing (its matches are not kept
        either). Config rules are muted by name."""

        def change(data: dict[str, Any]) -> None:
            if rule.origin == "config":
                names = [m for m in data["muted"] if m != rule.name]
                data["muted"] = [*names, rule.name] if muted else names
                return
            for item in data["rules"]:
                if _ident(item) == rule.ident:
                    item["muted"] = muted
                    return
            raise RuleBookError("that alert rule is no longer stored")

        self._change(change)

    def remove(self, ident: str) -> None:
        def change(data: dict[str, Any]) -> None:
            kept = [r for r in data["rules"] if _ident(r) != ident]
            if len(kept) == len(data["rules"]):
                raise RuleBookError("that alert rule is no longer stored")
            data["rules"] = kept

        self._change(change)


def webhook_format(rule: AlertRule) -> str:
    """The body a rule's webhook gets: its `webhook_format`, else what its URL's host says
    (Slack's hooks, an ntfy server, a Matrix hookshot), else the generic body."""
    if rule.webhook_format:
        return rule.webhook_format
    parts = urlsplit(rule.webhook or "")
    host = (parts.hostname or "").lower()
    if host == "hooks.slack.com":
        return "slack"
    if host == "ntfy.sh" or host.startswith("ntfy."):
        return "ntfy"
    if "hookshot" in host or parts.path.startswith("/webhook/") and "matrix" in host:
        return "matrix"
    return "generic"


def source_missing(rule: AlertRule, sources: set[str]) -> str | None:
    """A source (as `name_key` folds it) the rule asks for that no configured source
    (`sources`, folded so) is, where every article it can fire for must be of such a source
    (a clause of `source:` terms alone, none configured); None when it can fire."""
    parsed = rule.parsed
    if parsed is None:
        return None
    for clause in parsed.clauses:
        only_sources = all(t.field == "source" and not t.negated for t in clause)
        if clause and only_sources and not any(t.value in sources for t in clause):
            return clause[0].value
    return None


class SourceGone(NamedTuple):
    """A source a rule asks for that the config has none of, where every article the rule
    can fire for would be of it: the rule fires for nothing (a typo, or a source renamed)."""

    asked: str  # as `name_key` folds it
    meant: str | None  # a configured source's name close to it

    def said(self) -> str:
        """What is wrong, said whole (the writer's log, the alerts screen's problems)."""
        hint = f"did you mean source:{quoted(self.meant)}?" if self.meant else None
        return (
            f"no source named {self.asked!r} in the config; it fires for no new article"
            f" ({hint or 'was the source renamed?'})"
        )

    def short(self) -> str:
        """The same said short, on the rule's row, before anything else is cut off."""
        hint = (
            f"did you mean source:{quoted(self.meant)}?" if self.meant else "it fires for nothing"
        )
        return f"no source {self.asked!r}: {hint}"


def source_gone(rule: AlertRule, source_names: Iterable[str]) -> SourceGone | None:
    """`source_missing` of the configured sources' `source_names`, with the name it may have
    meant (as `list` says one after a `source:` that names nothing)."""
    names = list(source_names)
    missing = source_missing(rule, {name_key(name) for name in names})
    return None if missing is None else SourceGone(missing, meant_name(missing, names))


def all_rules(
    config_rules: list[AlertRule], stored: list[AlertRule], muted: set[str]
) -> list[AlertRule]:
    """The config's rules (muted from the app where named), then the app's."""
    out = [replace(r, muted=r.name in muted) if r.name in muted else r for r in config_rules]
    return [*out, *stored]


def _ident(item: object) -> str | None:
    """A stored rule's id; None for an entry without one (kept in the file as it is)."""
    return str(item["id"]) if isinstance(item, dict) and item.get("id") else None


def _unchecked(
    item: dict[str, Any], fields: dict[str, Any], muted: bool, problem: str
) -> AlertRule:
    """A stored rule that no longer checks, as it is written: listed, never fired."""
    name = item.get("name")
    name = clean_line(name, False).strip() if isinstance(name, str) else ""
    query = item.get("query")
    notify = item.get("notify")
    kinds = notify if isinstance(notify, list) else [notify] if notify else []
    return AlertRule(
        name=name or f"(no name, id {item['id']})",
        query=query if isinstance(query, str) else "",
        notify=tuple(str(kind) for kind in kinds),
        muted=muted,
        origin="store",
        ident=str(item["id"]),
        problem=problem,
        as_written=fields,
    )


def _created(item: dict[str, Any]) -> datetime | None:
    """A stored rule's creation time; None when the file holds none. A text that is no time,
    or a time without a zone (which each machine would read in its own), is a RuleError."""
    value = item.get("created")
    if not isinstance(value, str):
        return None
    try:
        when = from_utc_iso(value)
    except ValueError:
        raise RuleError(
            f"created: {value!r} is not a time (write it as 2025-10-24T06:15:00Z)"
        ) from None
    if when is not None and when.utcoffset() is None:
        raise RuleError(
            f"created: {value!r} has no time zone (write it in UTC, as 2025-10-24T06:15:00Z)"
        )
    return when


def asks_stories(rule: AlertRule) -> bool:
    """Whether a rule asks the stories: checked once the cycle's articles are grouped, and
    fired per article only (no spike)."""
    if rule.parsed is not None:
        return rule.parsed.asks_stories
    try:  # a rule made without its parse
        return parse_query(rule.query).asks_stories
    except QueryError:
        return False


def no_spike(rule: AlertRule) -> str | None:
    """Why a rule never fires a spike, in a word (its count above the line is no SPIKE): it
    is muted, or it asks the stories and fires per article only; None when it may."""
    if rule.muted:
        return "muted"
    if asks_stories(rule):
        return "per article"
    return None
