"""A broken config stops with a message naming the file, the key or line, and the fault."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest

from fetchers.config import ConfigError, find_config, load_config, seeds_dir
from fetchers.models import Settings, utc_iso
from fetchers.poller import poll_interval
from tests.conftest import FROZEN, FeedServer, Route, rss, write_config
from tui.cli import main


def test_embedded_default_loads(seed_config, now: datetime) -> None:
    names = [s.name for s in seed_config.sources]
    assert "Yonhap via Korea Herald" in names and "Yonhap" in names
    assert seed_config.sources[0].path is not None
    assert Path(seed_config.sources[0].path).is_file()
    events = {e.name: e for e in seed_config.events}
    apec = events["APEC Economic Leaders' Meeting, Gyeongju"]
    assert apec.when is not None and apec.when.isoformat() == "2025-10-31T00:00:00+00:00"
    assert apec.tz == "Asia/Seoul"
    assert "tariff" in seed_config.watch_terms
    assert seed_config.settings.interval == 600


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert find_config(None) == seeds_dir() / "wirewatch.toml"
    env = write_config(tmp_path / "env.toml", "")
    monkeypatch.setenv("WIREWATCH_CONFIG", str(env))
    assert find_config(None) == env
    explicit = write_config(tmp_path / "explicit.toml", "")
    assert find_config(str(explicit)) == explicit


def test_a_config_path_that_is_a_folder_is_said_to_be_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A folder given as the config was "no such config file", though it is there."""
    with pytest.raises(ConfigError, match="a folder, not a config file$"):
        find_config(str(tmp_path))
    with pytest.raises(ConfigError, match="no such config file$"):
        find_config(str(tmp_path / "missing.toml"))
    monkeypatch.setenv("WIREWATCH_CONFIG", str(tmp_path))
    with pytest.raises(ConfigError, match=r"a folder, not a config file \(from \$WIREWATCH"):
        find_config(None)


def test_two_accounts_feeds_at_one_address_are_two_sources(tmp_path: Path, now: datetime) -> None:
    """One address, two users' feeds (basic auth tells them apart): not one source twice."""
    path = write_config(
        tmp_path / "two.toml",
        '[[sources]]\nname = "Ana"\nurl = "https://ana:pw@feeds.example/me"\n'
        '[[sources]]\nname = "Bo"\nurl = "https://bo:pw@feeds.example/me"\n',
    )
    assert [s.name for s in load_config(path, now).sources] == ["Ana", "Bo"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[settings\ninterval = 3", "line 1"),
        ('[settings]\ninterval = "soon"', "settings.interval"),
        ('[settings]\nmax_body = "lots"', "settings.max_body"),
        ("[settings]\nbogus = 1", "settings.bogus: unknown key"),
        ('[[sources]]\nname = "X"', "a source needs a url or a path"),
        ('[[sources]]\nurl = "https://x.org/feed"', "a source needs a name"),
        ('[[events]]\nname = " "\nwhen = "2030-01-01"', "events[1].name: an event needs a name"),
        ('[[sources]]\nname = "X"\nurl = "ftp://x.org"', "sources[1] (X).url: its URL is not http"),
        ('[[sources]]\nname = "X"\nurl = "https://[::1/x"', "(X).url: its URL names no valid host"),
        ('[[sources]]\nname = "X"\nurl = "http://"', "(X).url: its URL names no valid host"),
        ('[[sources]]\nname = "X"\nurl = "http://example/\tx"', "(X).url: its URL holds spaces"),
        ('[[sources]]\nname = "X"\nurl = "http://x.org:99999/"', "(X).url: its URL names no"),
        # sent with the space as %20, the host no name server knows: "cannot connect: host
        # name not found (offline?)" at every refresh
        ('[[sources]]\nname = "X"\nurl = "http://exa mple.com/rss"', "(X).url: its host holds a"),
        ('[[sources]]\nname = "X"\nurl = "http://u:p@x.org :80/"', "(X).url: its host holds a"),
        ('[settings]\ninterval = ["5m"]', "settings.interval: not a duration: ['5m']"),
        ("[settings]\ntimeout = 2025-01-01T00:00:00Z", "settings.timeout: not a duration"),
        ("[settings]\ntimeout = { s = 5 }", "settings.timeout: not a duration"),
        ("[settings]\nmax_body = 1.5", "settings.max_body: not a size: 1.5"),
        ('[[sources]]\nname = "X"\nurl = "https://x"\nkind = "file"', "(X).kind: file is a"),
        ('[settings]\nmax_body = ["1MB"]', "settings.max_body: not a size"),
        ('[[sources]]\nname = "X"\nurl = "https://x"\ninterval = ["1m"]', "(X).interval: not a"),
        (
            '[[alerts]]\nname = "A"\nquery = "x"\nnotify = ["webhook"]\nwebhook = "https://[::1/x"',
            "its URL names no valid host",
        ),
        ('[[sources]]\nname = "X"\nurl = "https://x"\ninterval = "-5m"', "interval"),
        (
            '[[sources]]\nname = "X"\nurl = "https://x"\ncharset = "klingon"',
            "sources[1] (X).charset: 'klingon' is not a charset",
        ),
        (
            '[[sources]]\nname = "X"\nurl = "https://x"\ncharset = "base64"',
            "sources[1] (X).charset: 'base64' is not a charset",
        ),
        ('[settings]\ntimezone = "Mars/Olympus"', "unknown time zone"),
        ('[settings]\ntimezone = "Asia"', "unknown time zone 'Asia'"),  # a folder of zones
        ("[settings]\nconcurrency = 0", "settings.concurrency: must be positive"),
        # its own bound said, not the bound of every duration (100 years)
        ('[settings]\ntimeout = "9999999999s"', "settings.timeout: more than a day"),
        # sent as a header: an accent or an escape stopped every request of every poll
        ('[settings]\nuser_agent = "d\u00e9sk/1.0"', "settings.user_agent: printable ASCII"),
        ('[settings]\nuser_agent = "desk\\u001b[31m"', "settings.user_agent: printable ASCII"),
        ('[filters]\n12 = "x"', "keyed 1 to 9"),
        ("[surprise]\nx = 1", "surprise: unknown table"),
        ('[filters]\n1 = "since:"', "filters.1: since: needs a value"),
        ('[filters]\n2 = "tariff OR"', "filters.2: OR needs a term"),
        (
            '[[events]]\nname = "X"\nwhen = "2026-01-01"\nquery = "source:"',
            "events[1].query: source: needs a value",
        ),
        (
            '[keys]\n"app.quitt" = "x"',
            'keys."app.quitt": no binding has this id (did you mean app.quit?)',
        ),
        (
            '[keys]\n"app.help" = "q"',
            'keys."app.help": "q" is also the key of app.quit (Quit), and a key does one thing',
        ),
        ('[keys]\n"app.quit" = "ctlr+x"', "keys.\"app.quit\": 'ctlr+x' is not a key"),
        ('[keys]\n"app.quit" = ",,"', 'keys."app.quit": give at least one key'),
        ('[keys]\n"picker.close" = "tab"', 'keys."picker.close": "tab" moves the focus'),
        ('[keys]\n"headlines.down" = "j,s"', '"s" is also the key of filter.source'),
        ('[keys]\n"filter.sort" = "x"', 'keys."filter.sort": "x" is typed into the filter'),
        ('[keys]\n"filter.sort" = "f8"', '"f8" is also the key of app.screenshot'),
        ('[keys]\n"filter.sort" = "ctrl+a"', '"ctrl+a" is a key of the text field there'),
        ('[keys]\n"article.close" = "backspace"', '"backspace" is a key of the text field'),
        ('[keys]\n"event_form.cancel" = "?"', '"?" is typed into the form'),
        # unquoted, as newsboat's config writes it: TOML's table "app" with a key "quit"
        (
            '[keys]\napp.quit = "x"',
            'keys.app.quit: a binding id holding a dot is quoted: "app.quit" = "x"',
        ),
        (  # quoted already, and given a table: no id to quote
            '[keys]\n"app.quit" = { key = "x" }',
            'keys."app.quit": must be a key list such as "j,down", not a table',
        ),
        ('[watch]\nterms = ["tariff", "\\""]', "watch.terms: '\"' holds no word to watch"),
        (
            '[watch]\nterms = ["\\u001b]0;pwned\\u0007tariff"]',
            "watch.terms: '\\x1b]0;pwned\\x07tariff' holds control characters",
        ),
        (
            '[[sources]]\nname = "ctl\\u001b]0;x\\u0007"\nurl = "https://x"',
            "sources[1].name: holds control characters ('ctl\\x1b]0;x\\x07')",
        ),
        (
            '[[sources]]\nname = "Wire \\u202egnp.exe"\nurl = "https://x"',
            "sources[1].name: holds control characters",
        ),
        (
            '[[sources]]\nname = "X"\nurl = "https://x"\ntags = ["t\\u0002ag"]',
            "sources[1] (X).tags: 't\\x02ag' holds control characters",
        ),
        # one address under two names: its items stored twice, alerted on twice
        (
            '[[sources]]\nname = "BBC"\nurl = "https://bbc.example/rss"\n'
            '[[sources]]\nname = "BBC World"\nurl = "HTTPS://bbc.example/rss"',
            "sources[2] (BBC World): the same url as 'BBC'; one source for each",
        ),
        # ... and at one address as fetching has it: a fragment is never sent, a tracking
        # parameter and the host's case fetch the same document
        (
            '[[sources]]\nname = "A"\nurl = "http://x.example/a.xml"\n'
            '[[sources]]\nname = "B"\nurl = "http://X.example:80/a.xml#frag"',
            "sources[2] (B): the same url as 'A'",
        ),
        (
            '[[sources]]\nname = "A"\nurl = "http://x.example/a.xml"\n'
            '[[sources]]\nname = "C"\nurl = "http://x.example/a.xml?utm_source=q"',
            "sources[2] (C): the same url as 'A'",
        ),
        (
            '[[sources]]\nname = "A"\npath = "clips"\n[[sources]]\nname = "B"\npath = "clips"',
            "sources[2] (B): the same path as 'A'",
        ),
    ],
)
def test_broken_config_names_the_fault(
    tmp_path: Path, now: datetime, text: str, expected: str
) -> None:
    path = write_config(tmp_path / "broken.toml", text)
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    message = str(info.value)
    assert str(path) in message
    assert expected in message


def test_a_table_written_for_an_array_of_tables_is_named_without_its_contents(
    tmp_path: Path, now: datetime
) -> None:
    """`[alerts]` written for `[[alerts]]` printed the whole table, the webhook's secret
    address with it; the mistake names the table's keys, never a value."""
    path = write_config(
        tmp_path / "single.toml",
        '[alerts]\nname = "R1"\nquery = "x"\nnotify = ["webhook"]\n'
        'webhook = "https://hooks.slack.com/services/T0/B0/SECRETXYZ"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    message = str(info.value)
    assert "alerts: must be an array of tables ([[alerts]])" in message
    assert "name, notify, query, webhook" in message
    assert "SECRETXYZ" not in message and "hooks.slack.com" not in message
    path.write_text('[settings]\nuser_agent = ["https://u:pw@x.example/SECRET"]\n')
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    assert "SECRET" not in str(info.value)


def test_a_config_saved_with_a_byte_order_mark_or_a_scheme_in_capitals_loads(
    tmp_path: Path, now: datetime
) -> None:
    """A BOM (Windows editors write one) was "Invalid statement (at line 1, column 1)"; an
    address is the same in any case of its scheme, as OPML import already read it."""
    path = tmp_path / "bom.toml"
    path.write_bytes(
        b'\xef\xbb\xbf[settings]\ninterval = "5m"\n[[sources]]\nname = "X"\n'
        b'url = "HTTPS://x.org/feed"\n'
    )
    config = load_config(path, now)
    assert config.settings.interval == 300
    assert config.sources[0].url == "https://x.org/feed"
    spaced = write_config(
        tmp_path / "s.toml", '[[sources]]\nname = "Q"\nurl = "https://x.org/s?q=a b"\n'
    )
    assert load_config(spaced, now).sources[0].url == "https://x.org/s?q=a%20b"  # as before
    spaced = write_config(
        tmp_path / "s.toml", '[[sources]]\nname = "Q"\nurl = "https://me:a b@x.org/a b"\n'
    )
    assert load_config(spaced, now).sources[0].url == "https://me:a%20b@x.org/a%20b"


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_a_config_not_in_utf8_says_where_and_to_save_it_as_utf8(
    tmp_path: Path, now: datetime, bom: bytes
) -> None:
    """A config saved in Latin-1 was "not UTF-8 text (byte 23)": an offset in bytes, which
    no editor shows (and which a byte-order mark put three bytes off)."""
    path = tmp_path / "c.toml"
    path.write_bytes(bom + '[[sources]]\nname = "Café"\npath = "clips"\n'.encode("latin-1"))
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    assert str(info.value) == (
        f"{path}: not UTF-8 text (byte 0xe9 at line 2, column 12): save the file as UTF-8"
    )
    path.write_bytes(bom + 'name = "ééé\xff"'.encode().replace(b"\xc3\xbf", b"\xff"))
    with pytest.raises(ConfigError, match=r"byte 0xff at line 1, column 12\)"):
        load_config(path, now)


def test_broken_config_on_the_command_line_has_no_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path / "broken.toml", '[settings]\ninterval = "whenever"')
    code = main(["--config", str(path), "events"])
    err = capsys.readouterr().err
    assert code == 2
    assert "settings.interval" in err and str(path) in err
    assert "Traceback" not in err


def test_a_poll_interval_under_a_minute_is_taken_as_a_minute_for_a_source_on_the_network(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str]
) -> None:
    """`interval = "1ms"` was taken and `poll` asked the server about once a second: a
    source on the network is polled at most once a minute, a local path or an address on
    this machine or its network at most once a second, and a shorter interval is taken as
    that, said naming the file and the key (refusing the config stopped a poller that ran
    with it before)."""
    remote = 'name = "Wire"\nurl = "https://wire.example/rss"'
    said = {
        f'[[sources]]\n{remote}\ninterval = "1ms"': (
            "sources[1] (Wire).interval: '1ms' is shorter than 60s, the shortest poll interval"
            " of a source on the network (a local path, or an address on this machine or its"
            " network, may be polled every 1s); polled every 60s",
            [60.0],
        ),
        f"[[sources]]\n{remote}\ninterval = 59": (
            "sources[1] (Wire).interval: 59 is shorter",
            [60.0],
        ),
        '[[sources]]\nname = "Clips"\npath = "clips"\ninterval = "0.5s"': (
            "sources[1] (Clips).interval: '0.5s' is shorter than 1s, the shortest poll interval;"
            " polled every 1s",
            [1.0],
        ),
        '[settings]\ninterval = "1ms"': ("settings.interval: '1ms' is shorter than 1s", []),
        f'[settings]\ninterval = "30s"\n[[sources]]\n{remote}'
        + "".join(
            f'\n[[sources]]\nname = "W{n}"\nurl = "https://w{n}.example/rss"' for n in range(4)
        ): (
            "settings.interval: 30s is shorter than 60s, the shortest poll interval of a source"
            " on the network: Wire, W0, W1 and 2 more (polling at it) are polled every 60s"
            " (give them an interval of their own, or a longer default)",
            [None] * 5,  # (their own stays unset: the poller takes the shortest)
        ),
    }
    for text, (expected, intervals) in said.items():
        path = write_config(tmp_path / "short.toml", text)
        code = main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "sources"])
        err = capsys.readouterr().err
        assert code == 0 and f"{path}: {expected}" in err, text
        assert err.count("is shorter than") == 1, err  # (once, however many sources)
        config = load_config(path, now)
        assert [s.interval for s in config.sources] == intervals, text
        assert all(poll_interval(s, config.settings) >= 60 for s in config.sources if s.url)
    taken = write_config(
        tmp_path / "fast.toml",
        '[settings]\ninterval = "2s"\n'
        '[[sources]]\nname = "Clips"\npath = "clips"\n'
        '[[sources]]\nname = "Lab"\nurl = "http://127.0.0.1:8080/rss"\ninterval = "1s"\n'
        '[[sources]]\nname = "Office"\nurl = "http://192.168.1.20/rss"\n'
        f'[[sources]]\n{remote}\ninterval = "1m"\n',
    )
    config = load_config(taken, now)
    assert [s.interval for s in config.sources] == [None, 1.0, None, 60.0]
    assert config.notes == []


def test_event_with_unreadable_time_is_kept_with_its_error(tmp_path: Path, now: datetime) -> None:
    path = write_config(
        tmp_path / "c.toml",
        '[[events]]\nname = "Vague"\nwhen = "sometime soon"\n'
        '[[events]]\nname = "Clear"\nwhen = "2025-11-01 10:00"\ntz = "Asia/Seoul"\n',
    )
    config = load_config(path, now)
    vague, clear = config.events
    assert vague.when is None and vague.error
    assert clear.when is not None


@pytest.mark.parametrize(
    ("when", "meant"),
    [
        ("in 2 hours", "2025-10-24 19:00"),
        ("tomorrow 8:30", "2025-10-25 08:30"),
        ("18:30", "2025-10-24 18:30"),
        ("Wednesday 2pm", "2025-10-29 14:00"),
        ("9am Monday", "2025-10-27 09:00"),
        ("내일 오후 3시", "2025-10-25 15:00"),
    ],
)
def test_a_config_event_given_a_time_that_moves_with_the_clock_says_the_time_meant(
    tmp_path: Path, now: datetime, when: str, meant: str
) -> None:
    """The config is read again at every start: "in 2 hours" was two hours away at every
    start, for good, and its notifications never came."""
    path = write_config(
        tmp_path / "c.toml",
        f'[[events]]\nname = "Soon"\nwhen = "{when}"\ntz = "Asia/Seoul"\n',
    )
    event = load_config(path, now).events[0]
    assert event.when is None
    assert "moves with the clock" in (event.error or "")
    assert f"as {meant} for now" in (event.error or "")


@pytest.mark.parametrize("when", ["04/05/2026", "4/5", "4-5"])
def test_ambiguous_numeric_date_is_refused(tmp_path: Path, now: datetime, when: str) -> None:
    path = write_config(tmp_path / "c.toml", f'[[events]]\nname = "A"\nwhen = "{when}"\n')
    event = load_config(path, now).events[0]
    assert event.when is None
    assert "2026-05-04" in (event.error or "") and "2026-04-05" in (event.error or "")


def test_keys_that_move_both_bindings_load(tmp_path: Path, now: datetime) -> None:
    path = write_config(tmp_path / "c.toml", '[keys]\n"app.events" = "?"')
    with pytest.raises(ConfigError, match=r'"\?" is also the key of app.help'):
        load_config(path, now)
    path = write_config(
        tmp_path / "c.toml",
        '[keys]\n"app.help" = "q,f1"\n"app.quit" = "x,ctrl+x"\n"app.events" = "?"',
    )
    assert load_config(path, now).keys["app.events"] == "question_mark"  # as Textual names it


def test_a_toml_time_without_an_offset_is_read_as_the_same_text_in_quotes(
    tmp_path: Path, now: datetime
) -> None:
    """TOML's own datetime without an offset is a wall time in the event's zone (else the
    reader's), refused where the clocks skip it, as the quoted text is; one with an offset
    is that instant."""
    path = write_config(
        tmp_path / "c.toml",
        '[settings]\ntimezone = "America/New_York"\n'
        '[[events]]\nname = "Gap"\nwhen = 2026-03-08T02:30:00\ntz = "America/New_York"\n'
        '[[events]]\nname = "No zone"\nwhen = 2026-06-01T09:00:00\n'
        '[[events]]\nname = "Quoted"\nwhen = "2026-06-01T09:00:00"\n'
        '[[events]]\nname = "Offset"\nwhen = 2026-06-01T09:00:00+09:00\n',
    )
    gap, unquoted, quoted, offset = load_config(path, now).events
    assert gap.when is None and "does not exist" in (gap.error or "")
    assert unquoted.when is not None and unquoted.when == quoted.when
    assert unquoted.when.isoformat() == "2026-06-01T13:00:00+00:00"  # 09:00 in New York
    assert offset.when is not None and offset.when.isoformat() == "2026-06-01T00:00:00+00:00"


@pytest.mark.parametrize(
    "when", ['"9999-12-31 23:00"', '"0001-01-01 05:00"', "9999-12-31T23:00:00-05:00"]
)
def test_a_time_at_the_ends_of_the_calendar_is_an_events_error_not_a_crash(
    tmp_path: Path, now: datetime, capsys: pytest.CaptureFixture[str], when: str
) -> None:
    path = write_config(
        tmp_path / "c.toml",
        f'[[events]]\nname = "Far"\nwhen = {when}\ntz = "America/New_York"\n',
    )
    (far,) = load_config(path, now).events
    assert far.when is None and "too far in the past or the future" in (far.error or "")
    assert main(["--config", str(path), "--data-dir", str(tmp_path / "d"), "events"]) == 0
    assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("written", "taken"),
    [('"3s"', 3.0), ('"never"', None), ('"Never"', None), ("2", 2.0), ('"1.5s"', 1.5)],
)
def test_read_after_takes_a_duration_or_never(tmp_path: Path, written: str, taken: object) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f"[settings]\nread_after = {written}\n")
    assert load_config(path, FROZEN).settings.read_after == taken
    assert Settings().read_after == 1.5  # (unset: shown 1.5 s)


@pytest.mark.parametrize("written", ['"0s"', '"soon"', '"2h"', "true"])
def test_read_after_refuses_what_is_no_duration_of_an_hour_or_less(
    tmp_path: Path, written: str
) -> None:
    path = tmp_path / "c.toml"
    path.write_text(f"[settings]\nread_after = {written}\n")
    with pytest.raises(ConfigError, match=r"settings\.read_after"):
        load_config(path, FROZEN)


def test_an_empty_data_dir_in_the_config_is_refused_not_the_default(
    tmp_path: Path, now: datetime
) -> None:
    """`data_dir = ""` (a template's variable left unset) wrote into the user's default
    store, as an empty --data-dir did."""
    path = write_config(tmp_path / "c.toml", '[settings]\ndata_dir = " "\n')
    with pytest.raises(ConfigError, match=r"settings\.data_dir: must not be empty"):
        load_config(path, now)


def test_the_default_max_body_is_the_15mb_the_docs_write(tmp_path: Path, now: datetime) -> None:
    """The default was 15 MiB while `max_body = "15MB"`, as the docs write the default, read
    15,000,000 bytes: writing the documented default changed the limit."""
    plain = load_config(write_config(tmp_path / "plain.toml", ""), now)
    written = load_config(write_config(tmp_path / "w.toml", '[settings]\nmax_body = "15MB"'), now)
    assert plain.settings.max_body == written.settings.max_body == 15_000_000


def test_a_watch_term_listed_twice_is_watched_once(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Terms that match alike ("tariff", "Tariff", a second "tariff") were each a series:
    the article counted twice for "tariff", its spike alert fired once for each listing,
    and `trends` drew three identical lines. They are one term, as first written, and the
    config says which it left out."""
    now = FROZEN + timedelta(minutes=30)  # the items in its running hour

    def item(n: int) -> str:
        when = format_datetime(now - timedelta(minutes=n), usegmt=True)
        return f"<title>Tariff news number {n}</title><guid>t{n}</guid><pubDate>{when}</pubDate>"

    url = feed_server.add("/wire.xml", Route(rss(*(item(n) for n in range(1, 8)))))
    config = write_config(
        tmp_path / "w.toml",
        '[watch]\nterms = ["tariff", "Tariff", "\u201ctariff\u201d", "Lutnick", "LUTNICK"]\n'
        f'[[sources]]\nname = "Wire"\nurl = "{url}"\n',
    )
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    where += ["--now", utc_iso(now) or ""]
    assert main([*where, "refresh"]) == 0
    said = capsys.readouterr().err
    assert (
        f"{config}: watch.terms: 'tariff' is listed again as 'Tariff' and '\u201ctariff\u201d';"
        " they find the same articles (matching ignores case, quotes and repeated spaces),"
        " so it is watched once, as 'tariff' (remove the others)"
    ) in said
    assert "'Lutnick' is listed again as 'LUTNICK'" in said
    assert main([*where, "alerts", "--json"]) == 0
    fired = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(a["alert"], a["title"]) for a in fired] == [
        ("tariff", "tariff: 7 mentions this hour (usually 0.0 an hour)")
    ]
    assert main([*where, "trends", "--json"]) == 0
    series = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(s["name"], s["current"]) for s in series] == [("tariff", 7), ("Lutnick", 0)]


def test_watch_terms_that_fold_alike_are_one_term(tmp_path: Path, now: datetime) -> None:
    """Terms the matcher folds alike find the same articles: "Straße" is found by STRASSE,
    "İstanbul" by istanbul, a phrase typed with two spaces by the phrase with one. A term
    of other words is a term of its own."""
    path = write_config(
        tmp_path / "c.toml",
        '[watch]\nterms = ["Straße", "STRASSE", "İstanbul", "istanbul", "tariff talks",'
        ' "tariff  talks", "tariffs"]\n',
    )
    config = load_config(path, now)
    assert config.watch_terms == ["Straße", "İstanbul", "tariff talks", "tariffs"]
    assert [note.split(": ", 2)[2].split(";")[0] for note in config.notes] == [
        "'Straße' is listed again as 'STRASSE'",
        "'İstanbul' is listed again as 'istanbul'",
        "'tariff talks' is listed again as 'tariff  talks'",
    ]


def test_alert_rules_named_alike_but_for_case_or_accents_are_said(
    tmp_path: Path, now: datetime
) -> None:
    """ "Café" with its accent composed and typed apart, "Seoul" and "SEOUL": two rules that
    loaded silently and showed as one name twice in `!`, the history and notifications.
    Each is said, as two sources named so are; the rules still load."""
    composed, apart = "Caf\u00e9", "Cafe\u0301"
    path = write_config(
        tmp_path / "c.toml",
        f'[[alerts]]\nname = "{composed}"\nquery = "coffee"\n'
        f'[[alerts]]\nname = "{apart}"\nquery = "espresso"\n'
        '[[alerts]]\nname = "Seoul"\nquery = "Seoul"\n'
        '[[alerts]]\nname = "SEOUL"\nquery = "KOSPI"\n'
        '[[alerts]]\nname = "Busan"\nquery = "Busan"\n',
    )
    config = load_config(path, now)
    assert [rule.name for rule in config.alerts] == [composed, apart, "Seoul", "SEOUL", "Busan"]
    said = [note.split(": ", 1)[1] for note in config.notes]
    assert [line.split(";")[0] for line in said] == [
        f"alerts[2] ({apart}): named as {composed!r} but for its case, spacing or the way its"
        " accents are written",
        "alerts[4] (SEOUL): named as 'Seoul' but for its case, spacing or the way its accents"
        " are written",
    ]
    assert all(line.endswith("rename one") for line in said)


@pytest.mark.parametrize(
    ("written", "taken"),
    [
        ("C-x", "ctrl+x"),  # emacs
        ("M-x", "alt+x"),
        ("S-F5", "shift+f5"),
        ("<C-x>", "ctrl+x"),  # vim
        ("<c-x>", "ctrl+x"),
        ("Ctrl-X", "ctrl+x"),
        ("<F6>", "f6"),
        (",", "comma"),  # the comma key, which the list's commas ate
        ("ctrl+,", "ctrl+comma"),
    ],
)
def test_keys_written_as_emacs_vim_or_a_comma_load_as_the_key(
    tmp_path: Path, now: datetime, written: str, taken: str
) -> None:
    """ "C-x", "<C-x>", "S-Tab" or "Return" (a newsboat, emacs or vim user's spelling) were
    refused as "not a key name", and "," as "give at least one key"."""
    path = write_config(tmp_path / "c.toml", f'[keys]\n"app.screenshot" = "{written}"')
    assert load_config(path, now).keys["app.screenshot"] == taken
    # (shift+tab and enter are taken where a screenshot is: said as the keys they are)
    path = write_config(tmp_path / "c.toml", '[keys]\n"app.screenshot" = "S-Tab"')
    with pytest.raises(ConfigError, match='"shift\\+tab" moves the focus back'):
        load_config(path, now)
    path = write_config(tmp_path / "c.toml", '[keys]\n"events.choose" = "Return"')
    assert load_config(path, now).keys["events.choose"] == "enter"


def test_a_super_or_shift_spelling_is_refused_with_what_to_write(
    tmp_path: Path, now: datetime
) -> None:
    """Emacs's s- is super, vim's <s-…> shift: neither is guessed, the error says both."""
    path = write_config(tmp_path / "c.toml", '[keys]\n"app.screenshot" = "s-x"')
    with pytest.raises(ConfigError, match="did you mean shift\\+x or super\\+x"):
        load_config(path, now)


def test_every_keys_error_is_said_at_once(tmp_path: Path, now: datetime) -> None:
    """Only the first [keys] error was said: mending a config took a run per error."""
    path = write_config(
        tmp_path / "c.toml",
        '[keys]\n"app.quitt" = "x"\n"filter.unread" = "ctlr+u"\n"app.help" = "q"\n',
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    lines = str(info.value).splitlines()
    assert len(lines) == 3 and all(line.startswith(f"{path}: keys.") for line in lines)
    assert 'keys."app.quitt": no binding has this id' in lines[0]
    assert "keys.\"filter.unread\": 'ctlr+u' is not a key" in lines[1]
    assert 'keys."app.help": "q" is also the key of app.quit' in lines[2]


def test_a_key_given_where_refresh_works_too_is_said_or_refused(
    tmp_path: Path, now: datetime
) -> None:
    """poll.refresh's r works in a story's timeline too: `"timeline.revisions" = "r"` took
    it there without a word, and `?` listed r for both. A config that gave r to a binding
    of the timeline loaded before, and still does, the key said; poll.refresh given a key
    of the timeline's is a key with two jobs there, refused."""
    path = write_config(tmp_path / "c.toml", '[keys]\n"timeline.revisions" = "r"')
    config = load_config(path, now)
    assert config.keys["timeline.revisions"] == "r"
    assert config.notes == [
        f'{path}: keys."timeline.revisions": "r" is also the key of poll.refresh (Refresh every'
        " source now) in A story's articles (enter on a story), where it does"
        " timeline.revisions; give poll.refresh another key to keep it there"
    ]
    path = write_config(
        tmp_path / "c.toml", '[keys]\n"timeline.revisions" = "D"\n"poll.refresh" = "D"'
    )
    with pytest.raises(ConfigError) as info:
        load_config(path, now)
    assert str(info.value) == (
        f'{path}: keys."timeline.revisions": "D" is also the key of poll.refresh (Refresh every'
        " source now) in A story's articles (enter on a story), and a key does one thing"
    )


def test_a_theme_named_in_another_case_is_that_theme(tmp_path: Path, now: datetime) -> None:
    """Key names take any case, but `theme = "Nord"` was refused."""
    from tui.theme import check_theme

    config = load_config(write_config(tmp_path / "c.toml", '[settings]\ntheme = "Nord"'), now)
    check_theme(config)
    assert config.settings.theme == "nord"
    config.settings.theme = "Wirewatch-Light"
    check_theme(config)
    assert config.settings.theme == "wirewatch-light"
