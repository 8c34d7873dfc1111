"""Delivering alerts: terminal notifications (OSC 9 and OSC 777, through tmux), the bell,
desktop notifications (notify-send) and webhooks (a generic JSON body, Slack, Matrix hookshot,
ntfy) sent from a bounded queue with retries, so a slow or failing hook never holds a cycle.

Alert text is feed text: it reaches a terminal, a desktop or a chat only as plain text, with
every escape sequence and control character gone. A webhook URL often holds its secret in its
path (Slack, ntfy topics), so only its host is ever logged.
"""

from __future__ import annotations

import hashlib
import html
import logging
import os
import queue
import shutil
import subprocess
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx

from fetchers.alerthistory import AlertEntry
from fetchers.http import DEFAULT_USER_AGENT, make_blocking_client
from fetchers.text import http_link, strip_controls, strip_zero_width
from fetchers.webaddress import ntfy_topic

log = logging.getLogger("wirewatch.alerts")

ESC, BEL, ST = "\x1b", "\x07", "\x1b\\"
TEXT_LIMIT = 240  # characters of a notification line: terminals and chats cut long ones
QUEUE_LIMIT = 256  # posts a hook may hold back and still take a cycle's whole (`submit_cycle`)
HOLD_LIMIT = 1024  # posts waiting for a hook that is behind at most: more dropped, and said so
RETRIES = 4  # tries after the first
BACKOFF = 1.0  # seconds before the first retry; doubled for each next one
DESKTOP_TIMEOUT = 5.0
POST_TIMEOUT = 10.0
WAITS_KEPT = 16  # the latest backoff delays the sender's stats keep
FAILURES_KEPT = 16  # the latest failed deliveries kept for a dashboard to show
PER_RULE = 5  # notifications of one rule in one cycle, each way; the rest in one summary
CYCLE_NOTICES = 8  # terminal or desktop notifications of one cycle, across rules; then one more
RULES_NAMED = 5  # rules named in a line of alerts not sent; the others counted
REDIRECTS = 5  # redirects that keep a webhook's post a POST (307, 308) followed at most


def notification_text(text: str, limit: int = TEXT_LIMIT) -> str:
    """One line of plain text that drives nothing: escape sequences, controls and
    bidirectional marks removed, line breaks and tabs made spaces, at most `limit` characters."""
    flat = " ".join(strip_zero_width(strip_controls(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _osc_field(text: str) -> str:
    """Text for an OSC field: plain, and without ";" (OSC 777 separates fields with it, and an
    OSC 9 text such as "4;1" is read as a progress report)."""
    return notification_text(text).replace(";", ",")


def tmux_passthrough(sequence: str) -> str:
    """`sequence` wrapped so tmux hands it to the outer terminal (each ESC doubled inside)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ST}"


def terminal_sequences(title: str, body: str, in_tmux: bool | None = None) -> str:
    """The notification as both OSC 9 (iTerm2, Windows Terminal, kitty, foot, WezTerm) and
    OSC 777 (urxvt, VTE terminals, kitty, foot, WezTerm), each through tmux's passthrough when
    inside tmux (`$TMUX` set; tmux needs `allow-passthrough on`)."""
    if in_tmux is None:
        in_tmux = bool(os.environ.get("TMUX"))
    head, text = _osc_field(title), _osc_field(body)
    osc9 = f"{ESC}]9;{head}: {text}{BEL}"
    osc777 = f"{ESC}]777;notify;{head};{text}{BEL}"
    if in_tmux:
        return tmux_passthrough(osc9) + tmux_passthrough(osc777)
    return osc9 + osc777


def headline(entry: AlertEntry) -> tuple[str, str]:
    """(title, body) of an entry's notification, plain text. A rule's spike is written
    "NAME: 12 mentions this hour" in the history; the title names the rule already."""
    if not entry.rule:  # a cycle's "N more alerts from M rules" (`per_cycle`): no rule's
        return "wirewatch", entry.title
    title = f"wirewatch: {entry.alert}"
    if entry.kind == "spike":
        return title, entry.said
    return title, f"{entry.title} ({entry.source})" if entry.source else entry.title


def per_rule(entries: list[AlertEntry]) -> list[AlertEntry]:
    """What is delivered of a cycle's entries (to a terminal, a desktop, a webhook): of each
    rule's matches, and apart its spikes, the first PER_RULE, then one "and N more articles"
    (a burst of forty matches was forty notifications); in the order they came."""
    return [shown for group in _rule_groups(entries) for shown, _count in group]


def _rule_groups(entries: list[AlertEntry]) -> list[list[tuple[AlertEntry, int]]]:
    """`per_rule`'s entries, one list for each rule (and kind), each with how many alerts
    it stands for (one, or an "and N more" its N)."""
    by_rule: dict[tuple[str, str], list[AlertEntry]] = {}
    for entry in entries:
        by_rule.setdefault((entry.rule, entry.kind), []).append(entry)
    out: list[list[tuple[AlertEntry, int]]] = []
    for group in by_rule.values():
        shown = [(entry, 1) for entry in group[:PER_RULE]]
        if len(group) > PER_RULE:
            more = len(group) - PER_RULE
            shown.append((summary_of(group[PER_RULE], f"and {more} more articles"), more))
        out.append(shown)
    return out


def summary_of(first: AlertEntry, title: str) -> AlertEntry:
    """An entry that stands for several of a rule's (`first` the first of them), saying so."""
    return first._replace(article=None, title=title, source=None, link=None)


def per_cycle(entries: list[AlertEntry], limit: int = CYCLE_NOTICES) -> list[AlertEntry]:
    """The notifications (terminal, desktop) of a cycle's entries: `per_rule`, and of those
    at most `limit`, each rule's first before any rule's second (seventy rules firing at
    once were 420 pop-ups), then one "N more alerts from M rules" (an entry of no rule). The
    history keeps every alert; this is only what interrupts a person."""
    groups = _rule_groups(entries)
    ranked = sorted(
        ((rank, place) for place, group in enumerate(groups) for rank in range(len(group))),
    )
    if len(ranked) <= limit:
        return [shown for group in groups for shown, _count in group]
    kept = set(ranked[:limit])
    out: list[AlertEntry] = []
    more, rules = 0, set[str]()
    for place, group in enumerate(groups):
        for rank, (shown, count) in enumerate(group):
            if (rank, place) in kept:
                out.append(shown)
            else:
                more += count
                rules.add(shown.rule)
    plural = "" if len(rules) == 1 else "s"
    last = entries[-1]
    out.append(
        AlertEntry(
            seq=last.seq,
            alert="wirewatch",
            rule="",  # (`headline` says it without a rule's name)
            kind="match",
            article=None,
            title=f"{more} more alerts from {len(rules)} rule{plural}",
            source=None,
            at=last.at,
            notify=last.notify,
        )
    )
    return out


def terminal_output(
    entries: list[AlertEntry], bell_enabled: bool, in_tmux: bool | None = None
) -> bytes:
    """What a dashboard writes to its terminal for new history entries: OSC 9/777 for each
    entry whose rule asks for "terminal" (`per_cycle` of them: a few, then how many more), and
    one bell when any asks for "bell" (and `[settings] bell` is on)."""
    out: list[str] = []
    ring = any("bell" in entry.notify for entry in entries)
    for entry in per_cycle([e for e in entries if "terminal" in e.notify]):
        out.append(terminal_sequences(*headline(entry), in_tmux=in_tmux))
    if ring and bell_enabled:
        out.append(BEL)
    return "".join(out).encode("utf-8")


# -- desktop --------------------------------------------------------------------------------
def desktop_command(title: str, body: str, program: str) -> list[str]:
    """notify-send's argv: no shell; the body escaped, since notification servers read a
    subset of HTML there."""
    return [
        program,
        "--app-name=wirewatch",
        "--",
        notification_text(title),
        html.escape(notification_text(body), quote=False),
    ]


def send_desktop(entry: AlertEntry, runner: Callable[..., Any] = subprocess.run) -> bool:
    """Show the entry with notify-send where it is installed; False when it is not, or failed."""
    program = shutil.which("notify-send")
    if program is None:
        return False
    try:
        done = runner(
            desktop_command(*headline(entry), program),
            timeout=DESKTOP_TIMEOUT,
            capture_output=True,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.warning("desktop notification failed: %s", type(exc).__name__)
        return False
    return getattr(done, "returncode", 0) == 0


# -- webhooks -------------------------------------------------------------------------------
def url_host(url: str) -> str:
    """What may be said of a webhook URL in a log: its scheme and host, never its path,
    query or credentials (where such URLs keep their secret)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "?", f":{parts.port}" if parts.port else ""
    except ValueError:  # a host that does not read, a port out of range: the scheme alone
        scheme = url.partition(":")[0]
        return f"{scheme if scheme.isalpha() else '?'}://?/…"
    return f"{parts.scheme}://{host}{port}/…"


def slack_escaped(text: str) -> str:
    """Text as Slack shows it literally: its control characters `&`, `<` and `>` escaped,
    so a headline cannot ping a channel (`<!channel>`) or disguise a link (`<url|label>`)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def webhook_request(url: str, fmt: str, entry: AlertEntry) -> tuple[str, dict[str, Any]]:
    """(URL to POST to, JSON body) for one entry in one of the formats."""
    title, body = headline(entry)
    line = f"{title}: {body}"
    # (http(s) only, without what a link stored before its source's fields were cleaned
    # may hold)
    sent = http_link(entry.link)
    if sent:
        line += f" {sent}"
    if fmt == "slack":  # Slack reads <…> as mentions and links, & as an entity: escaped
        return url, {"text": slack_escaped(notification_text(line, 2000))}
    if fmt == "matrix":  # matrix-hookshot's generic webhooks: text, html, username
        link = f' <a href="{html.escape(sent)}">link</a>' if sent else ""
        return url, {
            "text": notification_text(line, 2000),
            "html": f"<b>{html.escape(notification_text(title))}</b>: "
            f"{html.escape(notification_text(body, 2000))}{link}",
            "username": "wirewatch",
        }
    if fmt == "ntfy":  # JSON publishing goes to the server's root, naming the topic: the
        # URL's last segment; the root keeps the path before it (a server behind a prefix)
        # and the query (`?auth=` carries an access token)
        parts = urlsplit(url)
        prefix, topic = ntfy_topic(parts.path)
        root = urlunsplit((parts.scheme, parts.netloc, prefix + "/", parts.query, ""))
        message: dict[str, Any] = {
            "topic": topic,
            "title": notification_text(title),
            "message": notification_text(body, 2000),
            "tags": ["newspaper"],
        }
        if sent:
            message["click"] = sent
        return root, message
    return url, {
        **entry.to_json(),
        "link": sent,
        "text": notification_text(line, 2000),
    }


@dataclass(slots=True)
class Post:
    url: str
    body: dict[str, Any]
    key: str = ""  # its Idempotency-Key: the same for each try of one alert
    rule: str = ""  # the alert rule it is for: said with its failures (rules share hosts)


@dataclass(slots=True)
class RulePosts:
    """One rule's posts of a cycle to one URL (`per_rule`'s), and the one post standing for
    them all, sent in their place to a hook that is behind (`WebhookSender.submit_cycle`)."""

    rule: str  # the rule's name, said with what is dropped
    posts: list[Post]
    digest: Post


def delivery_key(entry: AlertEntry) -> str:
    """An alert's Idempotency-Key: a receiver that answered too slowly gets the post again
    (tried again after the timeout), and can tell it is the same alert by this."""
    said = f"{entry.seq}\n{entry.rule}\n{entry.kind}\n{entry.article}\n{entry.at}\n{entry.title}"
    return (
        "wirewatch-" + hashlib.blake2b(said.encode("utf-8", "replace"), digest_size=16).hexdigest()
    )


class DeliveryFailures:
    """The latest deliveries that failed, numbered: a dashboard that is the writer shows
    those after the number it last saw (its log goes nowhere a person reads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: deque[tuple[int, str]] = deque(maxlen=FAILURES_KEPT)
        self._count = 0

    def note(self, message: str) -> None:
        with self._lock:
            self._count += 1
            self._kept.append((self._count, message))

    def since(self, seen: int) -> tuple[int, list[str]]:
        """What failed after the `seen`th failure (the latest `FAILURES_KEPT` at most), and
        how many have failed in all."""
        with self._lock:
            return self._count, [text for n, text in self._kept if n > seen]


@dataclass(slots=True)
class WebhookStats:
    """What the sender did since it started (a writer runs for weeks: nothing here grows)."""

    sent: int = 0
    failed: int = 0  # given up after every retry
    dropped: int = 0  # the hook too far behind to take them (`limit`, `hold`)
    unsent: int = 0  # still waiting, or between two tries, when the sender was closed
    attempts: int = 0
    retries: int = 0  # backoff waits slept
    waits: deque[float] = field(default_factory=lambda: deque(maxlen=WAITS_KEPT))  # the latest


class _Lane:
    """The posts to one URL: a queue (bounded by what `submit` lets in) and a thread of their
    own, so a hook that hangs or keeps failing holds up its own alerts only, never another
    rule's."""

    def __init__(self, url: str) -> None:
        self.where = url_host(url)
        # (unbounded here: `submit` and `submit_cycle` bound what they put in)
        self.queue: queue.Queue[Post | None] = queue.Queue()
        self.thread: threading.Thread | None = None
        self.unsent = 0  # posts the sender was closed before (under the sender's lock)
        self.unsent_rules: dict[str, int] = {}  # of those, how many each rule had
        self.in_flight = False  # its thread is delivering a post
        self.last_problem: str | None = None  # what its last try that failed got, if since
        # then none went through ("HTTP 500", "ConnectError"): said when it stops unsent


def _keyed(post: Post) -> dict[str, str]:
    return {"Idempotency-Key": post.key} if post.key else {}


def _for_rule(where: str, rule: str) -> str:
    """A webhook's host as its messages say it, with the rule the post was for: several rules
    post to one host (hooks.slack.com), and a failure names the rule to mend."""
    return f"{where} (alert {strip_controls(rule)})" if rule else where


def _with_rules(where: str, counts: dict[str, int]) -> str:
    """A webhook's host with the rules of its alerts not sent (and how many each, when
    several): two hooks on one host read alike, and the URL's path holds their secret."""
    named = [(rule, n) for rule, n in counts.items() if rule and n]
    if not named:
        return where
    if len(named) == 1:
        return _for_rule(where, named[0][0])
    named.sort(key=lambda pair: (-pair[1], pair[0]))
    listed = ", ".join(f"{strip_controls(rule)} {n}" for rule, n in named[:RULES_NAMED])
    if len(named) > RULES_NAMED:
        listed += f" and {len(named) - RULES_NAMED} more"
    return f"{where} (alerts {listed})"


class _Moved(Exception):
    """A webhook answered with a redirect that is not followed (its message says why)."""


class WebhookSender:
    """Posts from bounded queues, one per URL, each in a thread of its own. A post that
    fails (a network error, a 5xx or 429) is retried after `backoff`, 2x`backoff`, 4x… up
    to `retries` times; a 4xx other than 429 is not retried. `sleep` is injectable, so
    tests count the waits (by default a wait ends early when the sender is closed)."""

    def __init__(
        self,
        retries: int = RETRIES,
        backoff: float = BACKOFF,
        sleep: Callable[[float], object] | None = None,
        limit: int = QUEUE_LIMIT,
        timeout: float = POST_TIMEOUT,
        user_agent: str | None = None,
        hold: int = HOLD_LIMIT,
    ) -> None:
        self.retries = retries
        self.backoff = backoff
        self._closing = threading.Event()
        self.sleep: Callable[[float], object] = sleep or self._closing.wait
        self.timeout = timeout
        self.limit = limit  # posts held back from before that still let a cycle's all in
        # posts waiting at most for the digests of a hook that is behind (`submit_cycle`)
        self.hold = max(hold, limit)
        self.user_agent = user_agent or DEFAULT_USER_AGENT  # as the feeds are asked with
        self.stats = WebhookStats()
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()
        self.failures = DeliveryFailures()
        # what `close` said was left unsent, for a front end whose log reaches no one (a
        # dashboard, which has the terminal back only once it has closed)
        self.unsent_said: list[str] = []

    def _failed(
        self, message: str, *, error: bool = False, dropped: bool = False, count: int = 1
    ) -> None:
        """A delivery failed (or `count` were `dropped`, the hook too far behind): logged,
        counted and kept for a dashboard to show."""
        (log.error if error else log.warning)("%s", message)
        with self._lock:
            if dropped:
                self.stats.dropped += count
            else:
                self.stats.failed += 1
        self.failures.note(message)

    def submit(self, url: str, body: dict[str, Any], key: str = "", rule: str = "") -> bool:
        """Queue a post (`rule`: the alert rule it is for); never waits. False (and logged)
        when `limit` posts wait for its URL already, or the sender is being closed."""
        with self._lock:  # (what `close` takes out is then never put in behind it)
            if self._closing.is_set():
                lane = None
            else:
                lane = self._lane(url)
                if lane.queue.qsize() < self.limit:
                    lane.queue.put_nowait(Post(url, body, key, rule))
                    return True
        if lane is None:
            self._stopping(url, rule, 1)
        else:
            where = _for_rule(url_host(url), rule)
            self._failed(
                f"webhook {where}: {self.limit} posts waiting, this one dropped", dropped=True
            )
        return False

    def submit_cycle(self, url: str, shares: list[RulePosts]) -> int:
        """Queue one cycle's posts to one URL, every rule's share of them; never waits.
        Returns how many were queued. A hook that keeps up (fewer than `limit` posts still
        waiting from before) takes the cycle's posts whole, however many rules fired at once
        (a desk of 200 rules on one Slack channel lost whole rules at a cap of 256). One
        behind (hanging, or slower than the alerts come) gets one post per rule, its
        `digest`, while fewer than `hold` wait: what it holds back stays bounded, and a rule
        that fired is never nothing at the hook. Beyond that a rule's posts are dropped, and
        said with the rule."""
        queued, dropped = 0, list[tuple[RulePosts, int]]()
        with self._lock:
            if self._closing.is_set():
                lane = None
            else:
                lane = self._lane(url)
                whole = lane.queue.qsize() < self.limit
                for share in shares:
                    posts = share.posts if whole else [share.digest]
                    waiting = lane.queue.qsize()
                    if not whole and waiting >= self.hold:
                        dropped.append((share, waiting))
                        continue
                    for post in posts:
                        lane.queue.put_nowait(post)
                    queued += len(posts)
        if lane is None:
            for share in shares:
                self._stopping(url, share.rule, len(share.posts))
        for share, waiting in dropped:
            where = _for_rule(url_host(url), share.rule)
            count = len(share.posts)
            self._failed(
                f"webhook {where}: {waiting} posts waiting (the hook is behind), {count}"
                f" of this rule's dropped",
                dropped=True,
                count=count,
            )
        return queued

    def _stopping(self, url: str, rule: str, count: int) -> None:
        """Posts submitted while the sender closes: counted unsent, and said."""
        where = _for_rule(url_host(url), rule)
        self._count_unsent(None, count)
        self.failures.note(f"webhook {where}: not sent: wirewatch was stopping")
        log.warning("webhook %s: the alert was not sent: wirewatch is stopping", where)

    def _lane(self, url: str) -> _Lane:
        """(Under the lock.) The URL's lane, its thread started."""
        lane = self._lanes.get(url)
        if lane is None:
            lane = self._lanes[url] = _Lane(url)
        if lane.thread is None or not lane.thread.is_alive():
            lane.thread = threading.Thread(
                target=self._run, args=(lane,), name="wirewatch-webhooks", daemon=True
            )
            lane.thread.start()
        return lane

    def _count_unsent(self, lane: _Lane | None, count: int, rule: str = "") -> None:
        with self._lock:
            self.stats.unsent += count
            if lane is not None:
                lane.unsent += count
                lane.unsent_rules[rule] = lane.unsent_rules.get(rule, 0) + count

    def _run(self, lane: _Lane) -> None:
        with make_blocking_client(self.timeout) as client:
            while True:
                post = lane.queue.get()
                try:
                    if post is None:
                        return
                    if self._closing.is_set():
                        self._count_unsent(lane, 1, post.rule)
                    else:
                        lane.in_flight = True
                        self._deliver(client, post, lane)
                except Exception as exc:  # the next alerts still go; the message may quote
                    # the URL, so only the error's kind is logged
                    where = _for_rule(lane.where, post.rule if post is not None else "")
                    self._failed(f"webhook {where}: not sent ({type(exc).__name__})", error=True)
                finally:
                    lane.in_flight = False
                    lane.queue.task_done()

    def _deliver(self, client: httpx.Client, post: Post, lane: _Lane) -> None:
        where, stats = _for_rule(lane.where, post.rule), self.stats
        # the User-Agent of the config in force (a reload changes it from the next post)
        headers = {"User-Agent": self.user_agent, **_keyed(post)}
        try:
            request = client.build_request("POST", post.url, json=post.body, headers=headers)
        except (httpx.InvalidURL, httpx.HTTPError, ValueError) as exc:
            # A URL no request can be made for (an IDNA host that does not encode, a URL
            # too long) fails the same way at every try. Its message quotes the URL.
            self._failed(f"webhook {where}: the alert cannot be sent: {type(exc).__name__}")
            return
        for attempt in range(self.retries + 1):
            if attempt:
                wait = self.backoff * 2 ** (attempt - 1)
                with self._lock:
                    stats.retries += 1
                    stats.waits.append(wait)
                self.sleep(wait)
                if self._closing.is_set():  # stopped between two tries: said at `close`
                    self._count_unsent(lane, 1, post.rule)
                    return
            with self._lock:
                stats.attempts += 1
            try:
                answer = self._send(client, request, post, where)
            except httpx.HTTPError as exc:  # its message may quote the URL: not logged
                problem = lane.last_problem = type(exc).__name__
            except _Moved as exc:
                self._failed(str(exc))
                return
            else:
                if answer.status_code < 300:
                    with self._lock:
                        stats.sent += 1
                    lane.last_problem = None
                    return
                problem = lane.last_problem = f"HTTP {answer.status_code}"
                if answer.status_code < 500 and answer.status_code != 429:
                    self._failed(f"webhook {where} refused the alert: {problem}")
                    return
            log.info("webhook %s: %s (try %d of %d)", where, problem, attempt + 1, self.retries + 1)
        self._failed(f"webhook {where}: gave up after {self.retries + 1} tries ({problem})")

    @staticmethod
    def _send(
        client: httpx.Client, request: httpx.Request, post: Post, where: str
    ) -> httpx.Response:
        """Send the post, following a redirect that keeps it a POST (307, 308) up to
        `REDIRECTS` times, never from https to http; `_Moved` for a redirect it does not
        follow, saying where to (its host alone, as of any webhook URL). Only the status is
        read: the body is left unread (one that never ended grew the poller's memory without
        bound, gigabytes in seconds)."""
        for _ in range(REDIRECTS + 1):
            answer = client.send(request, stream=True)
            answer.close()
            if not answer.has_redirect_location:
                return answer
            status = answer.status_code
            try:
                target = request.url.join(answer.headers["location"])
            except (httpx.InvalidURL, ValueError):
                target = None
            if target is None or target.scheme not in ("http", "https"):
                raise _Moved(
                    f"webhook {where} refused the alert: HTTP {status} to an address"
                    " that is not http(s)"
                )
            to = url_host(str(target))
            if status not in (307, 308):  # a POST made a GET: the alert would not be sent
                raise _Moved(
                    f"webhook {where} has moved (HTTP {status} to {to}): give its new"
                    " address in the alert rule"
                )
            if request.url.scheme == "https" and target.scheme == "http":
                raise _Moved(
                    f"webhook {where} refused the alert: HTTP {status} from https to {to},"
                    " which is not followed"
                )
            # (the User-Agent the first hop was sent with, and the alert's key)
            headers = {"User-Agent": request.headers["User-Agent"], **_keyed(post)}
            request = client.build_request("POST", target, json=post.body, headers=headers)
        raise _Moved(f"webhook {where} refused the alert: more than {REDIRECTS} redirects")

    def drain(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for every queue to empty; True when they did."""
        deadline = time.monotonic() + timeout
        while any(lane.queue.unfinished_tasks for lane in self._lanes_now()):
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.02)
        return True

    def _lanes_now(self) -> list[_Lane]:
        with self._lock:
            return list(self._lanes.values())

    def close(self, timeout: float = 1.0) -> int:
        """Stop: what is still queued is not sent, nor is a post waiting for its next try
        (each lane's post in flight has `timeout` seconds to end, and is counted by its
        lane as it ends); every lane says how many alerts it did not send. Returns that
        count. The sender takes posts again afterwards (a dashboard polls again), in lanes
        of its own."""
        with self._lock:
            self._closing.set()
            lanes = list(self._lanes.values())
        for lane in lanes:  # what waits is taken out unsent, and each thread told to end
            while True:
                try:
                    post = lane.queue.get_nowait()
                except queue.Empty:
                    break
                if post is not None:
                    self._count_unsent(lane, 1, post.rule)
                lane.queue.task_done()
            lane.queue.put_nowait(None)  # (nothing is put in while closing: it fits)
        deadline = time.monotonic() + timeout
        for lane in lanes:
            if lane.thread is not None:
                lane.thread.join(max(0.0, deadline - time.monotonic()))
        total = 0
        with self._lock:
            for lane in lanes:
                busy = lane.thread is not None and lane.thread.is_alive() and lane.in_flight
                if lane.unsent or busy:
                    # why they were still waiting, when a try had failed: a hook refusing
                    # or down was said only as "stopped first" (a cron job's refresh)
                    why = f"; its last try: {lane.last_problem}" if lane.last_problem else ""
                    if lane.unsent:
                        plural = "" if lane.unsent == 1 else "s"
                        more = " (one more was still being sent)" if busy else ""
                        said = (
                            f"webhook {_with_rules(lane.where, lane.unsent_rules)}:"
                            f" {lane.unsent} alert{plural} not sent: wirewatch stopped"
                            f" first{more}{why}"
                        )
                    else:
                        said = (
                            f"webhook {lane.where}: an alert was still being sent as"
                            f" wirewatch stopped{why}"
                        )
                    log.warning("%s", said)
                    self.unsent_said.append(said)
                total += lane.unsent
                lane.unsent = 0
                lane.unsent_rules.clear()
            self._lanes = {u: lane for u, lane in self._lanes.items() if lane not in lanes}
            self._closing.clear()
        return total
