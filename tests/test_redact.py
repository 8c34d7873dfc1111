"""Passwords that are not percent-encoded: a "/", "@", ":", "?" or "#" in a password must
not let any of it through, in the URL shown or in what a driver says of its misreading."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from hypothesis import given
from hypothesis import strategies as st
from psycopg.conninfo import conninfo_to_dict

from fetchers.redact import printable, redact
from fetchers.store.postgres.connect import hide_password, shown
from tests.conftest import write_config
from tui import cli

# (DSN, its password, the pieces libpq may quote of it, what is shown after the user name)
MISREAD = [
    (  # libpq: host "wirewatch", port "SeCr", database "t99@127.0.0.1:1/team"
        "postgresql://wirewatch:SeCr/t99@127.0.0.1:1/team",
        "SeCr/t99",
        ["SeCr", "t99"],
    ),
    (  # libpq: password "SeCr", host "t99@127.0.0.1"
        "postgresql://wirewatch:SeCr@t99@127.0.0.1:1/team",
        "SeCr@t99",
        ["SeCr", "t99"],
    ),
    (  # libpq: password "SeCr", host "t9", database "9@127.0.0.1:1/team"
        "postgresql://wirewatch:SeCr@t9/9@127.0.0.1:1/team",
        "SeCr@t9/9",
        ["SeCr", "t9"],
    ),
    (  # libpq: host "wirewatch", port "Se:Cr", database "t@9@…"
        "postgresql://wirewatch:Se:Cr/t@9@127.0.0.1:1/team",
        "Se:Cr/t@9",
        ["Se:Cr", "t", "9"],
    ),
    (  # a generated (base64) password, and a list of hosts
        "postgresql://wirewatch:Ab3+/x9Kq==@127.0.0.1:1,127.0.0.2:1/team?sslmode=require",
        "Ab3+/x9Kq==",
        ["Ab3+", "x9Kq"],
    ),
    (  # "#" and "?" (libpq reads them as the password's) and "/"
        "postgresql://wirewatch:Se#C/r?t9@127.0.0.1:1/team",
        "Se#C/r?t9",
        ["Se#C", "r?t9"],
    ),
]


def quotes(text: str, piece: str) -> bool:
    """Whether `text` holds `piece` of a password: anywhere, or for a piece of one or two
    characters, standing alone (not inside a word: "t" of "SeCr/t@9" is in "wirewatch")."""
    if len(piece) > 2:
        return piece in text
    return re.search(rf"(?<![^\W_]){re.escape(piece)}(?![^\W_])", text) is not None


@pytest.mark.parametrize("dsn, password, pieces", MISREAD)
def test_a_password_holding_a_slash_or_an_at_is_hidden_in_the_url(
    dsn: str, password: str, pieces: list[str]
) -> None:
    """`postgresql://wirewatch:SeCr/t99@127.0.0.1:55432/team` was printed whole: the user info
    was looked for only before the first "/"."""
    rest = dsn.rpartition("@")[2]
    for said in (redact(f"polling into {dsn} now"), shown(dsn), printable(f"'{dsn}'")):
        assert password not in said and not any(quotes(said, piece) for piece in pieces), said
        assert f"postgresql://wirewatch:***@{rest}" in said


@pytest.mark.parametrize("dsn, password, pieces", MISREAD)
def test_what_a_driver_says_of_a_misread_dsn_quotes_no_piece_of_its_password(
    dsn: str, password: str, pieces: list[str]
) -> None:
    """libpq reads the password up to its first "/" or "@", the rest as a host, a port or a
    database, and says so: `failed to resolve host 't99@127.0.0.1'` gave the password's end."""
    host = dsn.rpartition("@")[2].split("/")[0]
    quoted = [f"'{piece}@{host}'" for piece in pieces] + [f'"{piece}"' for piece in pieces]
    message = f"{dsn}: failed to resolve host " + ", invalid port number: ".join(quoted)
    hidden = hide_password(message, dsn)
    assert not any(quotes(hidden, piece) for piece in pieces), hidden
    assert f"failed to resolve host '***@{host}'" in hidden
    assert "invalid port number" in hidden  # a short piece hides where it stands alone


# letters and digits of neither "wirewatch", "team" nor "127.0.0.1:1" (what libpq may read
# of the DSN besides its password), and what a password may hold unencoded but "%"
_ALPHABET = "BDFGKLNPQSUVXYZbdfgklnpqsuvxyz345689+/=@:?#!"


@given(st.text(alphabet=_ALPHABET, min_size=1, max_size=24).filter(lambda p: re.search(r"\w", p)))
def test_nothing_libpq_reads_of_a_dsn_shows_a_piece_of_its_password(password: str) -> None:
    """Whatever libpq makes of a password's "/", "@", ":", "?" or "#" (a host, a port, a
    database, a query), a message quoting it shows no letter or digit of the password."""
    dsn = f"postgresql://wirewatch:{password}@127.0.0.1:1/team"
    expected = "postgresql://wirewatch:***@127.0.0.1:1/team"
    assert shown(dsn) == expected and redact(f"into {dsn}: no") == f"into {expected}: no"
    try:
        read = conninfo_to_dict(dsn)
    except psycopg.ProgrammingError as exc:  # what it says of a DSN it cannot read
        message = str(exc)
    else:
        message = ", ".join(f"{key} {value!r}" for key, value in read.items())
    hidden = hide_password(f"{dsn}: {message}", dsn)
    assert not set(re.findall(r"[^\W_]+", password)) & set(re.findall(r"[^\W_]+", hidden))
    assert hidden.startswith(f"{expected}: ") and "wirewatch" in hidden


@pytest.mark.parametrize(
    "url",
    [
        "https://me:s3cret@wire.example/rss",
        "https://hooks.slack.com/services/T000/B000/XXXX",
        "https://hook:t0ken@hooks.example/x?token=abc&password=***",
        "https://mastodon.social/@Gargron.rss",
        "https://social.example:8443/@desk/feed",
        "https://me:***@mastodon.social/@desk.rss",
        "https://api.example:443/feed?email=desk@news.example",
        "postgresql://db.example:5432/wire?application_name=desk@newsroom",
        "postgresql://db.example:5432/wire?user=ana@db&password=***",
    ],
)
def test_a_url_that_reads_plainly_is_shown_as_before(url: str) -> None:
    """A "@" in a path or a query (a feed's `/@user`, a hook's query) is no user info's: its
    host and path stay as written, only a password hidden."""
    expected = url.replace(":s3cret@", ":***@").replace(":t0ken@", ":***@")
    assert redact(f"posting to {url} failed") == f"posting to {expected} failed"


@pytest.mark.parametrize(
    "conninfo, secret",
    [
        ("host=db port=5432 password=SeCr/t99@x user=ana", "SeCr/t99@x"),
        ("host=db password='Se Cr\\'t 99' user=ana", "Cr\\'t 99"),
        ("host=db sslpassword = k3y-phrase dbname=wire", "k3y-phrase"),
    ],
)
def test_a_key_value_connection_strings_password_is_hidden(conninfo: str, secret: str) -> None:
    """A libpq key=value string (wirewatch refuses one as its DSN, but a message may quote
    it): its password, quoted with spaces or not."""
    said = redact(f"cannot use {conninfo}")
    assert secret not in said and "password" in said and "***" in said
    assert "host=db" in said and said.endswith(conninfo.rsplit(" ", 1)[1])


PASSWORDS = ["SeCr/t99", "SeCr@t99", "Se:Cr/t@9", "Ab3+/x9Kq=="]


@pytest.mark.parametrize("password", PASSWORDS)
def test_list_says_nothing_of_a_dsn_password_it_could_not_use(
    password: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`WIREWATCH_DSN='postgresql://wirewatch:SeCr/t99@…'` made `list` (and `poll`) print
    the DSN whole, and `SeCr@t99` made libpq's message end it (`host 't99@127.0.0.1'`);
    a server that is not there is enough to see it."""
    config = write_config(tmp_path / "pg.toml", '[store]\nbackend = "postgresql"\n')
    monkeypatch.setenv("WIREWATCH_DSN", f"postgresql://wirewatch:{password}@127.0.0.1:1/team")
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert cli.main([*args, "list"]) == 2
    err = capsys.readouterr().err
    pieces = [p for p in re.split(r"[/@:=]", password) if p]
    assert "postgresql://wirewatch:***@127.0.0.1:1/team" in err
    assert password not in err and not any(quotes(err, piece) for piece in pieces), err
    assert "must be percent-encoded: %2F, %40" in err  # why libpq read it wrong


def test_migrate_says_nothing_of_a_target_dsn_password_it_could_not_use(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`migrate --to postgresql DSN` printed the DSN it was given whole."""
    config = write_config(tmp_path / "c.toml", "")
    dsn = "postgresql://wirewatch:Rotated/5521@127.0.0.1:1/team"
    args = ["--config", str(config), "--data-dir", str(tmp_path / "data")]
    assert cli.main([*args, "migrate", "--to", "postgresql", dsn]) == 2
    err = capsys.readouterr().err
    assert "postgresql://wirewatch:***@127.0.0.1:1/team" in err
    assert "Rotated" not in err and "5521" not in err, err


def test_a_short_piece_of_a_misread_password_leaves_the_host_address_whole() -> None:
    """A password "a/1" is read by libpq as user info "a" and a database "1@…": its piece
    "1" was hidden wherever it stood alone, the server's address too ("127.0.0.***"), in the
    very error the user reads to mend the DSN."""
    dsn = "postgresql://wirewatch:a/1@127.0.0.1:5432/wirewatch"
    said = (
        'connection to server at "127.0.0.1", port 5432 failed:'
        ' database "1@127.0.0.1:5432/wirewatch" does not exist'
    )
    hidden = hide_password(said, dsn)
    assert 'server at "127.0.0.1", port 5432' in hidden
    assert 'database "***@127.0.0.1:5432/wirewatch"' in hidden
