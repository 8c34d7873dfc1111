"""Delivering alerts: webhooks to a loopback receiver (and one that fails), terminal
notification bytes (OSC 9, OSC 777, tmux passthrough), notify-send's argv, and the bytes an
open dashboard writes for new history entries."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fetchers.alertfeed import AlertFeed
from fetchers.alerthistory import AlertEntry, AlertHistory
from fetchers.alertrules import make_rule, webhook_format
from fetchers.notify import (
    WAITS_KEPT,
    Post,
    RulePosts,
    WebhookSender,
    delivery_key,
    desktop_command,
    send_desktop,
    terminal_output,
    terminal_sequences,
    webhook_request,
)
from tests.webhooks import ENDLESS, Receiver, receiver_fixture  # noqa: F401 - gives `receiver`

AT = datetime(2025, 10, 24, 8, 0, tzinfo=UTC)
SECRET = "T000/B000/s3cr3tT0ken"


def entry(title: str = "Seoul, Washington far apart on tariffs", **kw: object) -> AlertEntry:
    fields: dict = {
        "seq": 1,
        "alert": "Tariffs",
        "rule": "config:Tariffs",
        "kind": "match",
        "article": "abc123",
        "title": title,
        "source": "Yonhap",
        "at": AT,
        "link": "https://en.yna.co.kr/view/1",
        "notify": ("terminal", "bell"),
    }
    fields.update(kw)
    return AlertEntry(**fields)


def sender(waits: list[float], retries: int = 3) -> WebhookSender:
    return WebhookSender(retries=retries, backoff=0.5, sleep=waits.append, timeout=5.0)


# -- webhooks -------------------------------------------------------------------------------
def test_a_hook_answering_with_a_body_that_never_ends_is_sent_and_not_read(
    receiver: Receiver,
) -> None:
    """Only a hook's status is read: a body that never ended was read whole into memory, a
    poller's growing by gigabytes in seconds."""
    receiver.endless["/endless"] = 0
    hooks = sender([])
    url, body = webhook_request(receiver.url("/endless"), "generic", entry())
    assert hooks.submit(url, body)
    assert hooks.drain(30)
    assert hooks.stats.sent == 1 and len(receiver.posts) == 1
    assert receiver.endless["/endless"] < ENDLESS // 8  # the rest never asked for


def test_the_generic_body_reaches_the_receiver(receiver: Receiver) -> None:
    waits: list[float] = []
    hooks = sender(waits)
    url, body = webhook_request(receiver.url(f"/hook/{SECRET}"), "generic", entry())
    assert hooks.submit(url, body)
    assert hooks.drain(10)
    assert receiver.posts == [
        (
            f"/hook/{SECRET}",
            {
                "alert": "Tariffs",
                "kind": "match",
                "article": "abc123",
                "title": "Seoul, Washington far apart on tariffs",
                "source": "Yonhap",
                "at": "2025-10-24T08:00:00Z",
                "link": "https://en.yna.co.kr/view/1",
                "text": "wirewatch: Tariffs: Seoul, Washington far apart on tariffs (Yonhap)"
                " https://en.yna.co.kr/view/1",
            },
        )
    ]
    assert waits == [] and hooks.stats.sent == 1
    hooks.close()


def test_a_failing_hook_is_retried_with_doubling_waits(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [503, 500, 429, 200]
    waits: list[float] = []
    hooks = sender(waits)
    caplog.set_level(logging.INFO, "wirewatch.alerts")
    hooks.submit(receiver.url(f"/services/{SECRET}"), {"text": "x"})
    assert hooks.drain(10)
    assert len(receiver.posts) == 4
    assert waits == [0.5, 1.0, 2.0]
    assert (hooks.stats.sent, hooks.stats.failed, hooks.stats.attempts) == (1, 0, 4)
    assert SECRET not in caplog.text and "/services" not in caplog.text
    assert "HTTP 503" in caplog.text
    hooks.close()


def test_a_hook_that_never_answers_well_is_given_up(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [502]
    waits: list[float] = []
    hooks = sender(waits, retries=2)
    hooks.submit(receiver.url(f"/{SECRET}"), {"text": "x"})
    assert hooks.drain(10)
    assert len(receiver.posts) == 3 and waits == [0.5, 1.0]
    assert hooks.stats.failed == 1
    assert "gave up after 3 tries" in caplog.text and SECRET not in caplog.text
    hooks.close()


def test_a_refusal_is_not_retried(receiver: Receiver) -> None:
    receiver.statuses = [404]
    waits: list[float] = []
    hooks = sender(waits)
    hooks.submit(receiver.url("/gone"), {"text": "x"})
    assert hooks.drain(10)
    assert len(receiver.posts) == 1 and waits == [] and hooks.stats.failed == 1
    hooks.close()


@pytest.mark.parametrize("status", [307, 308])
def test_a_hook_that_moved_keeping_the_post_a_post_gets_it_where_it_went(
    receiver: Receiver, status: int, caplog: pytest.LogCaptureFixture
) -> None:
    """A receiver behind a redirect that keeps a POST a POST (an address that gained a
    slash, a proxy) was refused as "HTTP 308": the post follows it, body and all."""
    receiver.moved = {f"/old/{SECRET}": (status, f"/new/{SECRET}"), "/hop": (status, "/old/x")}
    receiver.moved["/old/x"] = (status, receiver.url("/last"))
    hooks = sender([])
    hooks.submit(receiver.url(f"/old/{SECRET}"), {"text": "x"})
    hooks.submit(receiver.url("/hop"), {"text": "y"})
    assert hooks.drain(10)
    arrived = [post for post in receiver.posts if post[0] in (f"/new/{SECRET}", "/last")]
    # each URL has a lane (a thread) of its own: the two posts arrive in either order
    assert sorted(arrived, key=lambda post: post[0]) == [
        ("/last", {"text": "y"}),
        (f"/new/{SECRET}", {"text": "x"}),
    ]
    assert (hooks.stats.sent, hooks.stats.failed) == (2, 0)
    assert SECRET not in caplog.text
    # each hop carries the User-Agent of the first (httpx's own on the hops after, before)
    from fetchers.http import DEFAULT_USER_AGENT

    assert len(receiver.headers) == 5
    assert {h["user-agent"] for h in receiver.headers} == {DEFAULT_USER_AGENT}
    hooks.close()


@pytest.mark.parametrize(
    ("status", "where", "said"),
    [
        (301, "http://moved.example/new", "has moved (HTTP 301 to http://moved.example/…)"),
        (302, "/elsewhere", "has moved (HTTP 302 to http://127.0.0.1:"),
        (308, "ftp://files.example/x", "HTTP 308 to an address that is not http(s)"),
        (307, "/loop", "more than 5 redirects"),
    ],
)
def test_a_hook_that_moved_so_the_post_would_not_arrive_says_where_it_went(
    receiver: Receiver, status: int, where: str, said: str
) -> None:
    """A redirect that would make the alert a GET (301, 302, 303), to no http(s) address,
    or round and round is not followed: the failure says where the hook went (its host
    alone), so the rule can be given the new address."""
    receiver.moved = {"/hook": (status, where), "/loop": (status, "/hook")}
    hooks = sender([])
    hooks.submit(receiver.url("/hook"), {"text": "x"})
    assert hooks.drain(10)
    assert hooks.stats.failed == 1 and hooks.stats.sent == 0
    _, failures = hooks.failures.since(0)
    assert len(failures) == 1 and said in failures[0], failures
    assert len(receiver.posts) <= 7
    hooks.close()


def test_an_unreachable_hook_never_logs_its_url(caplog: pytest.LogCaptureFixture) -> None:
    waits: list[float] = []
    hooks = sender(waits, retries=1)
    caplog.set_level(logging.INFO, "wirewatch.alerts")
    closed = _closed_port().removesuffix(f"/hook/{SECRET}")  # (port 9 may listen somewhere)
    hooks.submit(f"{closed.replace('http://', 'http://me:pw@')}/{SECRET}?token=abc", {"text": "x"})
    assert hooks.drain(10)
    assert hooks.stats.failed == 1 and waits == [0.5]
    assert SECRET not in caplog.text and "pw" not in caplog.text and "token" not in caplog.text
    assert f"{closed}/…" in caplog.text
    hooks.close()


@pytest.mark.parametrize(
    "bad",
    [
        f"http://me:{SECRET}@exa\u00admple.example/hook",  # httpx: an invalid IDNA host
        f"http://me:{SECRET}@xn--.example/hook",  # the idna codec's own error
        f"http://hooks.example/{SECRET}/" + "x" * 70_000,  # httpx: URL too long
    ],
)
def test_a_url_no_request_can_be_built_for_is_logged_and_the_next_alert_still_goes(
    receiver: Receiver,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
    bad: str,
) -> None:
    died: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", died.append)
    waits: list[float] = []
    hooks = sender(waits)
    with caplog.at_level(logging.INFO, logger="wirewatch"):
        assert hooks.submit(bad, {"n": 1})
        assert hooks.submit(receiver.url("/hook"), {"n": 2})
        assert hooks.drain(10)
    assert died == []  # the delivery thread lives on
    assert receiver.posts == [("/hook", {"n": 2})]
    assert hooks.stats.failed == 1 and hooks.stats.sent == 1 and waits == []  # not retried
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "cannot be sent" in logged and "http://" in logged
    assert SECRET not in logged and "me:" not in logged
    hooks.close()


def test_the_queue_is_bounded_and_submit_never_waits(receiver: Receiver) -> None:
    gate = threading.Event()
    hooks = WebhookSender(limit=2, sleep=lambda s: None)
    hooks.sleep = lambda s: None
    blocked = threading.Event()

    def slow_sleep(seconds: float) -> None:
        blocked.set()
        gate.wait(10)

    receiver.statuses = [503, 200]
    hooks.sleep = slow_sleep
    hooks.submit(receiver.url("/a"), {"n": 0})  # taken by the thread, which then waits
    assert blocked.wait(10)
    accepted = [hooks.submit(receiver.url("/a"), {"n": n}) for n in range(1, 5)]
    assert accepted == [True, True, False, False]
    assert hooks.stats.dropped == 2
    gate.set()
    assert hooks.drain(10)
    assert sorted(p[1]["n"] for p in receiver.posts) == [0, 0, 1, 2]
    hooks.close()


def test_a_webhook_carries_only_a_clean_http_link() -> None:
    """A link stored with an escape sequence (a clipping's, before its metadata was cleaned)
    went raw into every format's link, and a javascript: one into Matrix's href and ntfy's
    click. Each format carries an http(s) link without controls, or none."""
    escaped = entry(link="https://example.org/\x1b]52;c;QQ==\x07a")
    script = entry(link="javascript:alert(document.cookie)")
    for fmt in ("generic", "slack", "matrix", "ntfy"):
        _, body = webhook_request("https://hooks.example/t/x", fmt, escaped)
        assert "\x1b" not in str(body) and "\x07" not in str(body)
        assert "https://example.org/a" in str(body), fmt
        _, body = webhook_request("https://hooks.example/t/x", fmt, script)
        assert "javascript" not in str(body), fmt


def test_slack_matrix_and_ntfy_shapes(receiver: Receiver) -> None:
    hostile = entry(title="<b>Tariffs</b> \x1b]52;c;ZXZpbA==\x07 & more")
    url, body = webhook_request("https://hooks.slack.com/services/X", "slack", hostile)
    assert url == "https://hooks.slack.com/services/X" and list(body) == ["text"]
    assert "\x1b" not in body["text"] and "\x07" not in body["text"]
    _, body = webhook_request("https://matrix.example/webhook/abc", "matrix", hostile)
    assert set(body) == {"text", "html", "username"}
    assert "&lt;b&gt;Tariffs&lt;/b&gt;" in body["html"] and "&amp; more" in body["html"]
    assert '<a href="https://en.yna.co.kr/view/1">link</a>' in body["html"]
    # ntfy takes JSON at the server's root, naming the topic
    hooks = sender([])
    hooks.submit(*webhook_request(receiver.url("/wire-desk"), "ntfy", entry()))
    assert hooks.drain(10)
    assert receiver.posts == [
        (
            "/",
            {
                "topic": "wire-desk",
                "title": "wirewatch: Tariffs",
                "message": "Seoul, Washington far apart on tariffs (Yonhap)",
                "tags": ["newspaper"],
                "click": "https://en.yna.co.kr/view/1",
            },
        )
    ]
    hooks.close()


def test_the_format_follows_the_key_or_the_url() -> None:
    def fmt(url: str, given: str | None = None) -> str:
        fields = {"name": "x", "query": "x", "notify": ["webhook"], "webhook": url}
        if given:
            fields["webhook_format"] = given
        return webhook_format(make_rule(fields, AT))

    assert fmt("https://hooks.slack.com/services/T/B/C") == "slack"
    assert fmt("https://ntfy.sh/desk") == "ntfy"
    assert fmt("https://ntfy.example.org/desk") == "ntfy"
    assert fmt("https://hookshot.example.org/webhook/abc") == "matrix"
    assert fmt("https://example.org/hook") == "generic"
    assert fmt("https://example.org/hook", "slack") == "slack"


# -- the terminal ---------------------------------------------------------------------------
def test_osc_9_and_777_bytes() -> None:
    seq = terminal_sequences("wirewatch: Tariffs", "Talks stall (Yonhap)", in_tmux=False)
    assert seq == (
        "\x1b]9;wirewatch: Tariffs: Talks stall (Yonhap)\x07"
        "\x1b]777;notify;wirewatch: Tariffs;Talks stall (Yonhap)\x07"
    )


def test_inside_tmux_each_sequence_goes_through_passthrough() -> None:
    seq = terminal_sequences("T", "B", in_tmux=True)
    assert seq == ("\x1bPtmux;\x1b\x1b]9;T: B\x07\x1b\\\x1bPtmux;\x1b\x1b]777;notify;T;B\x07\x1b\\")


def test_tmux_is_found_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "tmux-socket,1,0")  # its form: socket, pid, session
    assert terminal_sequences("T", "B").startswith("\x1bPtmux;")
    monkeypatch.delenv("TMUX")
    assert terminal_sequences("T", "B").startswith("\x1b]9;")


def test_feed_text_cannot_inject_escape_codes() -> None:
    hostile = (
        "Breaking\x07\x1b]52;c;ZXZpbA==\x07\x1b[2J\x9b31m;notify;evil\x1bPtmux;\x1b\x1b]0;x\x07"
        "\u202etxt.exe\nline two\x1b\\"
    )
    raw = terminal_output([entry(title=hostile, source="Feed\x1b[31m;x")], True, in_tmux=True)
    text = raw.decode()
    # only the sequences wirewatch wrote: two passthroughs of one OSC each, and the bell
    assert text.count("\x1b") == 2 * 4  # "ESC P", the OSC's ESC doubled, "ESC \\"
    assert text.count("\x07") == 3 and text.endswith("\x07")
    assert "\x9b" not in text and "\u202e" not in text and "\n" not in text
    assert text.count(";notify;") == 1  # the feed's ";notify;" cannot add a field
    assert "Breaking" in text and "line two" in text


def test_terminal_output_follows_each_rules_notify_and_the_bell_setting() -> None:
    terminal_only = entry(notify=("terminal",))
    bell_only = entry(notify=("bell",))
    webhook_only = entry(notify=("webhook",))
    assert terminal_output([webhook_only], True, in_tmux=False) == b""
    assert terminal_output([bell_only], False, in_tmux=False) == b""  # [settings] bell off
    assert terminal_output([bell_only], True, in_tmux=False) == b"\x07"
    both = terminal_output([terminal_only, bell_only], True, in_tmux=False)
    assert both.count(b"\x1b]9;") == 1 and both.count(b"\x1b]777;") == 1
    assert both.endswith(b"\x07\x07")  # the OSC 777's own terminator, then one bell


def test_a_burst_of_matches_is_five_notifications_and_one_summary_per_rule() -> None:
    """Forty matches of one rule in a cycle wrote eighty OSC sequences to the terminal
    (forty desktop notifications in iTerm2 or kitty): five, then "and 35 more articles", as
    the desktop and webhooks were already; a spike of the rule comes on its own."""
    burst = [entry(f"Tariff item {n}", seq=n, notify=("terminal",)) for n in range(40)]
    other = entry("Quake", seq=99, alert="Quakes", rule="config:Quakes", notify=("terminal",))
    spike = entry(
        "Tariffs: 40 mentions this hour (usually 2.0 an hour)",
        seq=100,
        kind="spike",
        article=None,
        source=None,
        notify=("terminal",),
    )
    out = terminal_output([*burst, other, spike], True, in_tmux=False).decode()
    assert out.count("\x1b]9;") == 8  # five, the summary, the other rule's, the spike
    assert "\x1b]9;wirewatch: Tariffs: and 35 more articles\x07" in out
    assert "Tariff item 4 (Yonhap)" in out and "Tariff item 5 " not in out
    # the spike's text names its rule once ("Tariffs: Tariffs: 40 mentions" before)
    assert "\x1b]9;wirewatch: Tariffs: 40 mentions this hour (usually 2.0 an hour)\x07" in out


def test_each_try_of_one_alert_carries_the_same_idempotency_key(receiver: Receiver) -> None:
    """A receiver that answered after the timeout got the alert again at each try, with
    nothing to tell it was the same: every try carries one Idempotency-Key, and the
    request names wirewatch's version as a feed's does."""
    from fetchers.http import DEFAULT_USER_AGENT

    receiver.statuses = [503, 200]
    hooks = sender([])
    first, second = entry(seq=1), entry(seq=2)
    for one in (first, second):
        url, body = webhook_request(receiver.url("/hook"), "generic", one)
        hooks.submit(url, body, delivery_key(one))
    assert hooks.drain(10)
    keys = [h["idempotency-key"] for h in receiver.headers]
    assert keys == [delivery_key(first)] * 2 + [delivery_key(second)]
    assert delivery_key(first) != delivery_key(second)
    assert {h["user-agent"] for h in receiver.headers} == {DEFAULT_USER_AGENT}
    hooks.close()


def test_a_dashboard_gets_entries_after_its_mark(tmp_path: Path) -> None:
    history = AlertHistory(tmp_path)
    history.append([_fields("before")], AT, 30)
    feed = AlertFeed(tmp_path, bell=True, in_tmux=False)
    assert feed.take().entries == []  # what fired before it opened is not rung again
    history.append([_fields("one"), _fields("two")], AT, 30)
    new = feed.take()
    assert [e.title for e in new.entries] == ["one", "two"]
    assert new.output.count(b"\x1b]9;") == 2 and new.output.endswith(b"\x07\x07")
    assert feed.take().entries == []
    other = AlertFeed(tmp_path, bell=False, in_tmux=False)  # a second dashboard, its own mark
    history.append([_fields("three")], AT, 30)
    assert [e.title for e in other.take().entries] == ["three"]
    assert [e.title for e in feed.take().entries] == ["three"]


def _fields(title: str) -> dict:
    return {
        "alert": "Tariffs",
        "rule": "config:Tariffs",
        "kind": "match",
        "article": title,
        "title": title,
        "source": "Yonhap",
        "at": AT,
        "link": None,
        "notify": ("terminal", "bell"),
    }


# -- the desktop ----------------------------------------------------------------------------
def test_notify_send_gets_plain_escaped_arguments_and_no_shell(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    argv = desktop_command("wirewatch: T", "<i>Tariffs</i> $(rm -rf ~) \x1b[31m", "notify-send")
    assert argv == [
        "notify-send",
        "--app-name=wirewatch",
        "--",
        "wirewatch: T",
        "&lt;i&gt;Tariffs&lt;/i&gt; $(rm -rf ~)",
    ]
    calls: list[tuple[list[str], dict]] = []

    def runner(args: list[str], **kw: object) -> object:
        calls.append((args, kw))
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr("shutil.which", lambda name: "/usr/bin/notify-send")
    assert send_desktop(entry(), runner)
    ((args, kw),) = calls
    assert args[0] == "/usr/bin/notify-send" and "shell" not in kw and kw["timeout"] > 0
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert not send_desktop(entry(), runner) and len(calls) == 1


def test_the_senders_stats_keep_only_the_latest_waits() -> None:
    """A writer runs for weeks: each retry is counted, but the delays kept stay bounded."""
    slept: list[float] = []
    hooks = sender(slept, retries=1)
    for n in range(WAITS_KEPT + 4):
        hooks.submit(f"{_closed_port()}/{n}", {"text": "x"})
    assert hooks.drain(30)
    assert len(slept) == WAITS_KEPT + 4 == hooks.stats.retries
    assert len(hooks.stats.waits) == WAITS_KEPT
    hooks.close()


def _closed_port() -> str:
    """A loopback URL nothing listens on: every try fails at once."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook/{SECRET}"


def test_a_failing_hook_holds_up_only_its_own_alerts(receiver: Receiver) -> None:
    """Each URL has its queue and thread: a hook stuck between its tries leaves another
    rule's hook to get its posts at once."""
    stuck, gate = threading.Event(), threading.Event()

    def blocking_sleep(seconds: float) -> None:
        stuck.set()
        gate.wait(10)

    hooks = WebhookSender(sleep=blocking_sleep, timeout=5.0)
    dead = _closed_port()
    for n in range(3):
        hooks.submit(dead, {"n": n})
    assert stuck.wait(10)  # the dead hook's first post waits for its next try
    for n in range(3):
        hooks.submit(receiver.url("/good"), {"n": n})
    deadline = threading.Event()
    for _ in range(200):
        if len(receiver.posts) == 3:
            break
        deadline.wait(0.05)
    assert sorted(body["n"] for _path, body in receiver.posts) == [0, 1, 2]
    gate.set()
    hooks.close()


def test_stopping_says_how_many_alerts_were_not_sent(caplog: pytest.LogCaptureFixture) -> None:
    """Posts still queued, and one waiting for its next try, are not lost without a word
    when wirewatch stops: the sender's close ends the wait and counts them, and says what
    the last try got (a cron job's refresh said only "stopped first" of a hook that was
    down)."""
    hooks = WebhookSender(backoff=60.0, timeout=5.0)
    dead = _closed_port()
    for n in range(4):
        hooks.submit(dead, {"n": n})
    for _ in range(200):
        if hooks.stats.retries:
            break
        threading.Event().wait(0.05)
    assert hooks.stats.retries == 1  # the first post sleeps towards its second try
    assert not hooks.drain(0.2)
    assert hooks.close(timeout=5.0) == 4
    assert hooks.stats.unsent == 4
    assert "4 alerts not sent: wirewatch stopped first; its last try: ConnectError" in caplog.text
    assert SECRET not in caplog.text


def test_a_sender_closed_when_polling_stopped_sends_again_when_it_resumes(
    receiver: Receiver,
) -> None:
    """A dashboard that stops polling closes its sender and, polling again, uses it again:
    the alerts of the cycles after that are posted."""
    hooks = sender([])
    hooks.submit(receiver.url("/a"), {"n": 1})
    assert hooks.drain(10)
    assert hooks.close(timeout=5.0) == 0
    assert hooks.submit(receiver.url("/a"), {"n": 2})
    assert hooks.drain(10)
    assert [body["n"] for _path, body in receiver.posts] == [1, 2]
    assert hooks.close(timeout=5.0) == 0


def test_a_slack_post_cannot_ping_a_channel_or_disguise_a_link() -> None:
    hostile = entry(title="Tariff <!channel> <https://evil.example|Reuters> & <@U123> @here")
    _, body = webhook_request("https://hooks.slack.com/services/X", "slack", hostile)
    text = body["text"]
    assert "<" not in text and ">" not in text
    assert "&lt;!channel&gt; &lt;https://evil.example|Reuters&gt; &amp; &lt;@U123&gt;" in text


def test_ntfy_keeps_the_path_before_the_topic_and_the_query(receiver: Receiver) -> None:
    """A server behind a prefix, and an access token in `?auth=`: the post goes to the
    prefix's root with the token, naming the last segment as the topic."""
    hooks = sender([])
    url = receiver.url("/ntfy/alerts-topic?auth=TOKEN")
    hooks.submit(*webhook_request(url, "ntfy", entry()))
    assert hooks.drain(10)
    ((path, body),) = receiver.posts
    assert path == "/ntfy/?auth=TOKEN" and body["topic"] == "alerts-topic"
    hooks.close()


def test_a_failing_hook_is_said_with_the_rule_it_was_for(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    """Rules post to one host (every Slack hook is hooks.slack.com): a failure names the rule
    to mend, never the hook's secret path."""
    receiver.statuses = [500]
    receiver.moved["/moved"] = (301, "http://moved.example/new")
    hooks = sender([], retries=1)
    hooks.submit(receiver.url(f"/{SECRET}"), {"text": "x"}, rule="Tariffs")
    hooks.submit(receiver.url("/moved"), {"text": "x"}, rule="Chips")
    assert hooks.drain(10)
    assert "(alert Tariffs): gave up after 2 tries (HTTP 500)" in caplog.text
    assert "(alert Chips) has moved (HTTP 301" in caplog.text
    assert SECRET not in caplog.text
    hooks.close()


def test_a_hook_is_asked_with_the_user_agent_in_force(receiver: Receiver) -> None:
    """A User-Agent changed in the config (a reload) holds from the next post, as it does
    for the feeds' requests."""
    hooks = WebhookSender(user_agent="desk/1.0", timeout=5.0)
    hooks.submit(receiver.url("/a"), {"text": "x"})
    assert hooks.drain(10)
    hooks.user_agent = "desk/2.0"
    hooks.submit(receiver.url("/a"), {"text": "y"})
    assert hooks.drain(10)
    assert [h["user-agent"] for h in receiver.headers] == ["desk/1.0", "desk/2.0"]
    hooks.close()


def test_a_cycle_of_many_rules_is_a_few_terminal_notifications_and_a_summary() -> None:
    """One cycle of seventy rules wrote 420 OSC 9 and 420 OSC 777 notifications (as many
    pop-ups in iTerm2 or kitty): the first few, a rule's first match before another's
    second, then one "N more alerts from M rules"."""
    from fetchers.notify import CYCLE_NOTICES

    fired = [
        entry(
            f"Item {n} of {r}",
            seq=r * 10 + n,
            alert=f"R{r}",
            rule=f"config:R{r}",
            notify=("terminal",),
        )
        for r in range(70)
        for n in range(8)
    ]
    out = terminal_output(fired, False, in_tmux=False).decode()
    assert out.count("\x1b]9;") == out.count("\x1b]777;") == CYCLE_NOTICES + 1
    for r in range(CYCLE_NOTICES):
        assert f"\x1b]9;wirewatch: R{r}: Item 0 of {r} (Yonhap)\x07" in out
    assert "Item 1 of 0" not in out
    more = 560 - CYCLE_NOTICES
    assert f"\x1b]9;wirewatch: {more} more alerts from 70 rules\x07" in out


def test_unsent_lines_of_two_hooks_on_one_host_say_which_rules(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Two hooks on one host stopped with posts waiting: each line names the rules whose
    alerts it did not send (the two read the same before); never the URL's path, which holds
    the hook's secret."""
    hooks = WebhookSender(backoff=60.0, timeout=5.0)
    dead = _closed_port()
    other = dead.replace("/hook/", "/other/")
    for n in range(3):
        hooks.submit(dead, {"n": n}, rule="Storm")
    hooks.submit(other, {"n": 0}, rule="Slack desk")
    hooks.submit(other, {"n": 1}, rule="Quakes")
    for _ in range(200):
        if hooks.stats.retries == 2:
            break
        threading.Event().wait(0.05)
    assert hooks.close(timeout=5.0) == 5
    said = hooks.unsent_said
    assert len(said) == 2 and said[0] != said[1]
    assert any("(alert Storm): 3 alerts not sent" in line for line in said)
    assert any("(alerts Quakes 1, Slack desk 1): 2 alerts not sent" in line for line in said)
    assert SECRET not in caplog.text and "/other" not in caplog.text


def _share(url: str, rule: str, count: int) -> RulePosts:
    posts = [Post(url, {"rule": rule, "n": n}, rule=rule) for n in range(count)]
    return RulePosts(rule, posts, Post(url, {"rule": rule, "digest": count}, rule=rule))


def test_a_hook_that_is_behind_gets_one_post_per_rule_and_holds_a_bounded_number(
    receiver: Receiver,
) -> None:
    """A cycle's posts go whole to a hook that keeps up; to one still holding `limit` posts
    back (hanging), each rule's one digest, until `hold` wait; past that a rule's posts are
    dropped and said with the rule, and nothing grows. A poll never waits on it."""
    stuck, gate = threading.Event(), threading.Event()

    def blocking_sleep(seconds: float) -> None:
        stuck.set()
        gate.wait(10)

    hooks = WebhookSender(sleep=blocking_sleep, limit=4, hold=11, timeout=5.0)
    receiver.statuses = [503, 200]
    url = receiver.url(f"/hook/{SECRET}")
    hooks.submit(url, {"first": True}, rule="First")  # taken, then waits for its next try
    assert stuck.wait(10)
    # the cycle: three rules of three posts, more than `limit`: all of it taken
    assert hooks.submit_cycle(url, [_share(url, r, 3) for r in "ABC"]) == 9
    # the next cycles, the hook still stuck: one post per rule while fewer than 11 wait
    assert hooks.submit_cycle(url, [_share(url, r, 3) for r in "DE"]) == 2
    assert hooks.submit_cycle(url, [_share(url, r, 3) for r in "FGH"]) == 0
    assert hooks.stats.dropped == 9
    assert "(alert H): 11 posts waiting (the hook is behind), 3 of this rule's dropped" in (
        "\n".join(hooks.failures.since(0)[1])
    )
    gate.set()
    assert hooks.drain(10)
    got = [body for _path, body in receiver.posts]
    assert got.count({"first": True}) == 2  # the 503, then its second try
    assert [(b["rule"], b["n"]) for b in got if "n" in b] == [
        (r, n) for r in "ABC" for n in range(3)
    ]
    assert [b for b in got if "digest" in b] == [
        {"rule": "D", "digest": 3},
        {"rule": "E", "digest": 3},
    ]
    hooks.close()
