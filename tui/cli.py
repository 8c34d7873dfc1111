"""The `wirewatch` command: the dashboard, and headless commands for scripts and services.

Exit codes: 0 ok, 1 some sources failed, 2 a usage, config or store error.

Each command imports what it uses when it runs: a `list` reads the store without loading the
HTTP client, the poller, the parsers or the article extractors.
"""

from __future__ import annotations

import argparse
import codecs
import contextlib
import io
import os
import shutil
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO, cast

import orjson

from fetchers import __version__
from fetchers.alerthistory import MAX_ENTRIES, AlertHistory, HistoryError
from fetchers.alertrules import RuleBook, RuleBookError, all_rules, no_spike
from fetchers.config import (
    BACKENDS,
    Config,
    ConfigError,
    StoreConfig,
    check_dsn,
    data_dir,
    find_config,
    load_config,
    user_config_path,
    user_data_path,
)
from fetchers.datafiles import check_data_files
from fetchers.healthbook import HealthBook, health_at, moved_to
from fetchers.heap import one_malloc_arena
from fetchers.models import (
    Clock,
    PollResult,
    SourceHealth,
    counted,
    from_utc_iso,
    seconds_iso,
    system_clock,
    utc_iso,
)
from fetchers.query import (
    Query,
    QueryError,
    name_key,
    parse_query,
    quoted,
    unknown_names,
)
from fetchers.redact import printable
from fetchers.store import ArticleStore, StoreError, StoreLocked
from fetchers.store.errors import take_unsaved
from fetchers.store.factory import newest_kept, open_store
from fetchers.store.interface import StoryKeeper
from fetchers.store.lock import WriterLock
from fetchers.story import Story
from fetchers.storybook import StoryBook, index_leads, stories_found, stories_of
from fetchers.storyshelf import StoryLookup, StoryShelf
from fetchers.text import no_surrogates, strip_controls
from fetchers.timeparse import local_zone, since_spec, system_zone_name
from fetchers.trends import (
    DEFAULT_HOURS,
    MAX_HOURS,
    MIN_HOURS,
    sparkline,
    story_trends,
    trends,
    watch_query,
)
from fetchers.webaddress import address_problem, subscribed_address
from tui.format import ahead, duration, event_zone, fit, lag, time_left, wall, wall_short

if TYPE_CHECKING:
    import asyncio

    from fetchers.discover import FoundFeed
    from fetchers.newsroom import Cycle
    from fetchers.opml import Subscription
    from fetchers.parsepool import ParsePool
    from tui.progress import RefreshProgress

EXIT_OK, EXIT_SOURCES_FAILED, EXIT_USAGE = 0, 1, 2
# the feeds of an import found subscribed only as it added them (another command's `add` or
# import meanwhile; one moved to an address subscribed) said one by one, at most: two imports
# of a list of 2,000 at once said 2,000 lines
MOST_SAID_SUBSCRIBED = 10
COLD_STORIES = 20_000  # a refresh into a store this big with no stories leaves them to `poll`
# how long a closed dashboard waits for its alerts' close (their own wait for what is queued,
# 5 s, and the webhooks' last post in flight) to say what they left unsent
ALERTS_CLOSE_WAIT = 15.0


class UsageError(Exception):
    """Bad command-line input; printed without a traceback, exit 2."""


@dataclass(slots=True)
class Context:
    config: Config
    data_dir: Path
    clock: Clock
    frozen: bool


def _shown_default(where: Callable[[], Path], what: str) -> str:
    """A default path as the help names it: without a home directory there is none, and
    the help (and with it every command, `--version` too) was a traceback."""
    try:
        return str(where())
    except ConfigError:
        return f"{what} (none here: no home directory is known)"


def _common() -> argparse.ArgumentParser:
    config_file = _shown_default(user_config_path, "the user config file")
    articles = _shown_default(user_data_path, "the user data folder")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--config",
        metavar="FILE",
        default=argparse.SUPPRESS,
        help=f"config file (default: $WIREWATCH_CONFIG, then {config_file}, "
        "then the embedded seeds/wirewatch.toml)",
    )
    common.add_argument(
        "--data-dir",
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="where articles are kept (default: $WIREWATCH_DATA, "
        f"[settings] data_dir, then {articles})",
    )
    common.add_argument(
        "--now",
        metavar="ISO8601",
        default=argparse.SUPPRESS,
        help="freeze the clock at this instant (also $WIREWATCH_NOW)",
    )
    return common


def _port(text: str) -> int:
    """A TCP port number, as argparse reads an option's value."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from None
    if not 0 < port < 65536:
        raise argparse.ArgumentTypeError(f"a port is 1 to 65535, not {port}")
    return port


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="wirewatch",
        parents=[common],
        description="A terminal newsroom: headlines, countdowns to named events, and clean "
        "article text. Without a command, opens the dashboard.",
    )
    parser.add_argument("--version", action="version", version=f"wirewatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("refresh", parents=[common], help="poll every enabled source once")
    p.add_argument("--json", action="store_true", help="one JSON object per source")
    p = sub.add_parser(
        "poll",
        parents=[common],
        help="poll on schedule until SIGINT/SIGTERM; SIGHUP, or a change to the config file,"
        " reads the config again (the single writer)",
    )
    p.add_argument("--log", metavar="FILE", help="also log to this file (stderr always)")
    p = sub.add_parser("list", parents=[common], help="articles newest first")
    p.add_argument("query", nargs="*", help="a query, e.g. tariff OR APEC source:Yonhap")
    p.add_argument(
        "--limit", type=int, default=None, metavar="N", help="at most N (default 50; 0: all)"
    )
    p.add_argument(
        "--sort",
        choices=("newest", "relevance"),
        default="newest",
        help="newest first (default), or most relevant to the query's words first (BM25)",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p = sub.add_parser(
        "stories", parents=[common], help="stories across outlets, newest activity first"
    )
    p.add_argument("query", nargs="*", help="stories with an article matching this query")
    p.add_argument(
        "--limit", type=int, default=50, metavar="N", help="at most N (default 50; 0: all)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p = sub.add_parser("show", parents=[common], help="one article with its full text")
    p.add_argument(
        "id", help="an article id from `wirewatch list`, or its first 4 characters or more"
    )
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("events", parents=[common], help="named events with time left")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("sources", parents=[common], help="per-source health")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser(
        "add", parents=[common], help="subscribe to a feed, or to the feed a page announces"
    )
    p.add_argument("url", help="a feed URL, or a page whose <link rel=alternate> names one")
    p.add_argument("--name", help="the source's name (default: the feed's title)")
    p.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    p.add_argument(
        "--page", action="store_true", help="follow the page itself (kind = page), not a feed"
    )
    p.add_argument(
        "--all", action="store_true", help="when the page offers several feeds, add every one"
    )
    p = sub.add_parser(
        "serve", parents=[common], help="the dashboard in a web browser (textual-serve)"
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8000, help="port (default 8000)")
    p = sub.add_parser(
        "import-opml",
        parents=[common],
        help="add the feeds of an OPML file (or of a newsboat urls file)",
    )
    p.add_argument("file", help="an OPML file (or a newsboat urls file), or - for stdin")
    p.add_argument(
        "--no-fetch",
        action="store_true",
        help="name a feed the file gives no name by its address, without reading its title",
    )
    export = sub.add_parser(
        "export-opml", parents=[common], help="print the subscriptions as OPML 2.0"
    )
    export.add_argument(
        "--with-credentials",
        action="store_true",
        help="keep user:password@ in feed URLs (left out by default: OPML files get shared)",
    )
    _alert_parsers(sub, common)
    p = sub.add_parser("extract", parents=[common], help="print the main text of one HTML page")
    p.add_argument("file", nargs="?", default="-", help="an HTML file, or - for stdin")
    p = sub.add_parser(
        "migrate",
        parents=[common],
        help="copy the store into another backend: every article with its texts, marks and"
        " revisions, and the sources' health (counts checked; see the README for the rest)",
    )
    p.add_argument("--to", required=True, choices=BACKENDS, help="the backend to copy into")
    p.add_argument(
        "target",
        nargs="?",
        help="the DSN (postgresql://…; default $WIREWATCH_DSN) or the data dir (tinydb)",
    )
    return parser


def _alert_parsers(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser("alerts", parents=[common], help="the alert history, newest first")
    p.add_argument(
        "--since", metavar="WHEN", help="only alerts since then: 6h, 2d, 2025-10-24 (default: all)"
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")
    p = sub.add_parser(
        "trends",
        parents=[common],
        help="mentions per hour of watch terms, alert rules and stories of several outlets",
    )
    p.add_argument(
        "--hours",
        type=int,
        default=DEFAULT_HOURS,
        metavar="N",
        help=f"hours in each series, {MIN_HOURS} to {MAX_HOURS} (default {DEFAULT_HOURS})",
    )
    p.add_argument("--json", action="store_true", help="one JSON object per line")


def _clock(args: argparse.Namespace) -> tuple[Clock, bool]:
    raw = getattr(args, "now", None)
    given = "--now"  # what the time came from, as its error names it
    if raw is None:  # (an empty $WIREWATCH_NOW is unset, as a shell's empty variable is;
        raw, given = os.environ.get("WIREWATCH_NOW"), "WIREWATCH_NOW"  # `--now ""` is not)
    if raw is None or (not raw and given == "WIREWATCH_NOW"):
        return system_clock, False
    try:
        frozen = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"{given} {raw!r}: not an ISO 8601 time such as 2025-10-24T16:30:00+09:00"
        ) from None
    if frozen.tzinfo is None:
        frozen = frozen.replace(tzinfo=UTC)
    try:  # (a year about the calendar's ends leaves no room for a day's or a window's span)
        year = frozen.astimezone(UTC).year
    except OverflowError:
        year = frozen.year
    if not 2 <= year <= 9998:
        raise UsageError(f"{given} {raw!r}: give a time from the year 2 to 9998")
    return (lambda: frozen), True


def _given(args: argparse.Namespace, dest: str, option: str, what: str) -> str | None:
    """The value of a path option as given (None: not given). An empty one is a usage error:
    `--data-dir "$DIR"` with $DIR unset wrote into the default store."""
    value: str | None = getattr(args, dest, None)
    if value == "":
        raise UsageError(f"{option} is empty: give {what}, or leave {option} out for the default")
    return value


def _new_config(path: Path) -> None:
    """`add` or `import-opml` into a config file not made yet (a restore on a new machine
    from an OPML file): made empty, its user's alone, and said, where "no such config file"
    sent the user to make one by hand. Its folder must exist: a mistyped path is refused."""
    if path.exists() or path.is_symlink() or not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        return
    except OSError as exc:
        raise UsageError(f"{path}: cannot make the config file ({exc.strerror or exc})") from None
    complain(f"{path}: no such config file: made it, empty, to add to")


def make_context(args: argparse.Namespace) -> Context:
    clock, frozen = _clock(args)
    given = _given(args, "config", "--config", "a config file")
    if given and getattr(args, "command", None) in ("add", "import-opml"):
        _new_config(Path(given).expanduser())
    path = find_config(given)
    folder_given = _given(args, "data_dir", "--data-dir", "a folder")
    config = load_config(path, clock(), clock_held=frozen)
    if config.settings.theme is not None:  # the names are Textual's: imported only when set
        from tui.theme import check_theme

        check_theme(config)
    for note in config.notes:  # (taken otherwise than written: said, never silent)
        complain(note)
    folder = data_dir(folder_given, config)
    check_data_files(folder)
    return Context(config, folder, clock, frozen)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; `argv` None: this is the program (the `wirewatch` script or
    `python -m tui`), which ends at once after a refresh (`_end_now`)."""
    if argv is None:
        _hold_closed_descriptors()
    code = _run(argv)
    if argv is None and _done_with_everything:
        _end_now(code)
    return code


def _hold_closed_descriptors() -> None:
    """Standard descriptors closed when the program started (`2>&-`, `>&-`, `<&-`) opened
    on the null device: the first file opened took the number (`poll >&-` logged to its log
    file as descriptor 1), and whatever wrote to it there (a library's message, a program
    run) would write into that file. sys.stdin, sys.stdout and sys.stderr stay None: the
    commands see them closed."""
    for number in (0, 1, 2):
        try:
            os.fstat(number)
        except OSError:
            null = os.open(os.devnull, os.O_RDWR)
            if null != number:
                os.dup2(null, number)
                os.close(null)


QUERY_COMMANDS = ("list", "stories")  # the commands whose positional words are a query
_GLOBAL_VALUES = ("--config", "--data-dir", "--now")  # options before a command that take a value
_QUERY_VALUES = ("--limit", "--sort", *_GLOBAL_VALUES)  # those of a query command


def _takes_value(token: str, options: tuple[str, ...]) -> bool:
    """Whether `token` is one of `options` (or argparse's abbreviation of one) whose value is
    the next argument."""
    return (
        token.startswith("--")
        and len(token) > 2
        and "=" not in token
        and any(option.startswith(token) for option in options)
    )


def _query_words(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """`argv` for argparse, and the words of a `list` or `stories` query in their order
    (None: not such a command). The words are left out of what argparse parses: it would
    take `-Busan` (`list tariff -Busan`) for an option it does not know, and keep only the
    first run of words of a query an option interrupts (`list tariff --limit 5 OR APEC`)."""
    at = 0
    while at < len(argv) and argv[at].startswith("-") and argv[at] != "--":
        at += 2 if _takes_value(argv[at], _GLOBAL_VALUES) else 1
    if at >= len(argv) or argv[at] not in QUERY_COMMANDS:
        return argv, None
    parsed: list[str] = argv[: at + 1]
    words: list[str] = []
    rest = iter(argv[at + 1 :])
    for token in rest:
        if token == "--":  # every word after it is the query's, as argparse reads it
            words.extend(rest)
        elif token.startswith("--"):
            parsed.append(token)
            if _takes_value(token, _QUERY_VALUES):
                value = next(rest, None)  # (none: argparse says it expects one)
                if value is not None:
                    parsed.append(value)
        elif token == "-h":
            parsed.append(token)
        elif token.startswith("-") and len(token) > 1:
            words.append(token)  # a term the query excludes
        else:
            words.append(token)
    return parsed, words


def _shell_unquoted(words: list[str], config: Config) -> list[str]:
    """The words of a command line's query, a `source:` or `tag:` the shell took the quotes
    off quoted again: `list source:"Wire EN"` reaches wirewatch as the one word `source:Wire
    EN`, which read as typed looked for a source "Wire" and the word "EN". Only a word whose
    value is a configured source's name or tag (in any case) is quoted, so a whole query
    given as one word (`list 'tariff source:Yonhap'`) is read as typed."""
    names = {name_key(source.name) for source in config.sources}
    tags = {name_key(tag) for source in config.sources for tag in source.tags}
    out: list[str] = []
    for word in words:
        sign = word[:1] if word[:1] == "-" else ""
        field, colon, value = word[len(sign) :].partition(":")
        known = names if field.lower() == "source" else tags if field.lower() == "tag" else None
        if (
            colon
            and known is not None
            and '"' not in value
            and len(value.split()) > 1
            and name_key(value) in known
        ):
            word = f"{sign}{field}:{quoted(value.strip())}"
        out.append(word)
    return out


def _run(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    given, words = _query_words(list(sys.argv[1:] if argv is None else argv))
    args = parser.parse_args(given)
    if words is not None:
        args.query = words
    as_json = bool(getattr(args, "json", False))
    _speak_any_text(as_json)
    try:
        # (JSON needs no cleaning: its encoder escapes every control)
        out = cast(TextIO, ControlFree(sys.stdout, clean=not as_json))
        if args.command == "extract":
            code = cmd_extract(args, out)
        else:
            ctx = make_context(args)
            if words is not None:
                args.query = _shell_unquoted(args.query, ctx.config)
            command = args.command or "dashboard"
            code = COMMANDS[command](ctx, args, out)
        out.flush()  # (what the buffer holds is written now, where a failure is said)
        return code
    except (ConfigError, UsageError, StoreError, QueryError) as exc:
        complain(str(exc))
        return EXIT_USAGE
    except OutputError as exc:  # a full disk, a closed stdout: said, not a traceback
        complain(f"cannot write the output: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except KeyboardInterrupt:
        return 130
    except MemoryError:  # (a file of the data dir far larger than any it writes)
        complain("out of memory: a file this command read is larger than memory allows")
        return EXIT_USAGE


class OutputError(Exception):
    """The output could not be written (a full disk, a closed stdout): why."""


class ControlFree(io.TextIOBase):
    """Text output with escape sequences and control characters taken out of whatever is
    written (newlines and tabs kept): a store another program wrote or edited holds titles
    the feeds' cleaning never saw, and `list` printed their escapes to the terminal (one
    retitled the window). JSON needs none (`clean` False): its encoder escapes every control.
    A write that fails (`> /dev/full`, stdout closed) is an OutputError: it was a traceback
    and exit 1, which says a source failed. A closed pipe stays a BrokenPipeError."""

    def __init__(self, out: TextIO | None, clean: bool = True) -> None:
        super().__init__()
        self._out = out
        self._clean = clean

    def _stream(self) -> TextIO:
        if self._out is None:
            raise OutputError("standard output is closed")
        return self._out

    def write(self, text: str) -> int:
        try:
            self._stream().write(strip_controls(text) if self._clean else text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc
        return len(text)

    def flush(self) -> None:
        if self._out is None:  # nothing was written (a write says it is closed): nothing lost
            return
        try:
            self._stream().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc

    def write_utf8(self, text: str) -> None:
        """`text` in UTF-8 whatever the locale's encoding, for a document that says it is
        UTF-8 (OPML): written in a Latin-1 locale it was Latin-1 bytes (not well-formed XML)
        and a "?" for each Korean or Cyrillic letter. Written after what was written before."""
        stream = self._stream()
        cleaned = strip_controls(text) if self._clean else text
        buffer = getattr(stream, "buffer", None)  # (none: a stream of text alone takes text)
        try:
            if buffer is None:
                stream.write(cleaned)
                return
            stream.flush()
            buffer.write(cleaned.encode("utf-8"))
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(exc.strerror or str(exc)) from exc

    def isatty(self) -> bool:
        return self._out is not None and self._out.isatty()

    def fileno(self) -> int:
        return self._stream().fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return self._stream().encoding


def _speak_any_text(as_json: bool) -> None:
    """Output that any article can be written in, whatever the locale's encoding: JSON in
    UTF-8 (what JSON is exchanged in), text in the locale's encoding with a "?" for what it
    cannot write (a Korean headline in a Latin-1 terminal was a traceback, and no output)."""
    stdout = sys.stdout
    if not isinstance(stdout, io.TextIOWrapper):
        return
    if codecs.lookup(stdout.encoding).name == "utf-8":
        return
    with contextlib.suppress(ValueError, OSError):  # (written to already: left as it is)
        if as_json:
            stdout.reconfigure(encoding="utf-8")
        else:
            stdout.reconfigure(errors="replace")


# set by a command once everything it wrote is closed and everything it started has ended
# (a `refresh`): the program may then end without tearing its objects down (`_end_now`)
_done_with_everything = False


def _end_now(code: int) -> NoReturn:
    """End the process with `code`, without the interpreter's teardown (after 10,000
    articles, freeing each article and story one by one takes a quarter to half a second):
    only for a command whose store is closed, whose parser process is reaped and whose
    files are all written and closed. The output and the log are flushed first."""
    import logging

    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe: nothing to keep
            if stream is not None:  # (closed when it started: `2>&-`)
                stream.flush()
    os._exit(code)


def _items(count: int) -> str:
    return f"{count} item" if count == 1 else f"{count} items"


def complain(message: str) -> None:
    """Every message to stderr goes through here: one line, no password, no control code.
    A closed stderr (`2>&-`) drops it: print() given None writes to stdout, and the message
    was in the middle of the output (`list --json`'s JSON lines)."""
    if sys.stderr is None:
        return
    print(f"wirewatch: {printable(message)}", file=sys.stderr)


def _terminal(stream: TextIO | None) -> bool:
    """Whether `stream` is open on a terminal (None: closed when the program started)."""
    return stream is not None and stream.isatty()


def _stdin() -> TextIO:
    """The standard input, to read a file given as "-"; UsageError when it is closed (`<&-`):
    that was an AttributeError traceback and exit 1, which says a source failed."""
    if sys.stdin is None:
        raise UsageError("-: the standard input is closed; give a file, or pipe one in")
    return sys.stdin


def _write_json(out: TextIO, obj: object) -> None:
    out.write(orjson.dumps(obj).decode() + "\n")


def cmd_dashboard(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    from tui.app import WirewatchApp

    # (a dashboard `serve` runs has its own driver, which speaks to a browser over pipes)
    served = bool(os.environ.get("TEXTUAL_DRIVER"))
    if not served and not (_terminal(sys.stdin) and _terminal(sys.stdout)):
        # with no terminal (`ssh host wirewatch` without -t, a job with its input closed) it
        # read its ended input at full CPU for good, and could take the store from `poll`
        raise UsageError(
            "the dashboard needs a terminal (stdin and stdout); over SSH use `ssh -t`, and"
            " for a host with none run `wirewatch poll` (or `wirewatch list`, `stories`)"
        )
    if not served and not _terminal(sys.__stderr__):
        # the dashboard draws through stderr: `wirewatch 2>>errors.log` showed a blank
        # terminal and wrote every frame into the log
        raise UsageError(
            "the dashboard draws on the terminal through stderr, which goes elsewhere here;"
            " leave stderr on the terminal (`wirewatch poll --log FILE` keeps a log)"
        )
    if not served and os.environ.get("TERM", "") in ("dumb", "unknown"):
        raise UsageError(
            f"the dashboard needs a terminal that can draw a screen (TERM={os.environ['TERM']},"
            " as in an editor's shell buffer); `wirewatch list`, `stories` and `show` print"
            " without one"
        )
    drawn_in = sys.__stderr__.encoding if sys.__stderr__ is not None else "utf-8"
    if not served and codecs.lookup(drawn_in).name != "utf-8":
        # Textual writes in the stream's charset with backslashreplace: every border line
        # and every Korean or Chinese character was drawn as a literal "\u2500" escape
        raise UsageError(
            f"the dashboard draws in UTF-8, which the locale's charset ({drawn_in}) cannot"
            " show; run it with a UTF-8 locale, e.g. LC_ALL=C.UTF-8 (`wirewatch list`,"
            " `stories` and `show` print in any)"
        )
    one_malloc_arena()  # before any thread starts: the poll's, the grouping's, the screen's
    app = WirewatchApp(ctx.config, ctx.data_dir, clock=ctx.clock)
    app.run()
    if app.session is not None:  # marks the disk refused: a last try, else said
        lost = app.session.save_held_marks()
        if lost is not None:
            complain(lost)
    if app.session is not None and not app.quit_by_signal:
        for unsent in app.session.unsent_alerts(ALERTS_CLOSE_WAIT):
            complain(unsent)
    code = app.return_code or 0
    if app.quit_by_signal:
        # a terminal gone meanwhile can leave Textual's input thread reading it for good,
        # and the interpreter would wait for that thread at its exit. The marks are saved by
        # now; the poll thread's last write is not waited for, as a kill would not wait
        # (the store survives that)
        with contextlib.suppress(OSError, ValueError):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    return code


def _open_writer(ctx: Context, first: int | None = None, lean: bool = False) -> ArticleStore:
    """The store as one of its pollers (beside the others where they share the sources)."""
    try:
        return open_store(
            ctx.config.store, ctx.data_dir, writer=True, first=first, lean=lean, share=True
        )
    except StoreLocked as exc:
        if _one_shot(exc.pid):
            raise StoreError(f"{exc}, a refresh; run this again once it is done") from None
        raise StoreError(f"{exc}; it polls on its own, so there is nothing to do here") from None


def _one_shot(pid: int | None) -> bool:
    """Whether the process `pid` is a `wirewatch refresh`, which ends by itself (a `poll` or
    a dashboard polls on; "it polls on its own" was said of a refresh too)."""
    if pid is None:
        return False
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as handle:
            words = handle.read().split(b"\0")
    except OSError:  # (not Linux, or gone)
        return False
    return b"refresh" in words


def cmd_refresh(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from fetchers.service import setup_command_logging
    from tui.progress import RefreshProgress

    setup_command_logging()
    if not args.json and out.isatty():  # the failures are listed on it: said once
        _failures_listed()
    take_unsaved()  # (what an earlier command in this process noted is not this one's)
    one_malloc_arena()  # before any thread starts
    pool = _refresh_pool(ctx.config)  # forked before the store opens: it holds no lock
    stop = RefreshStop()
    with stop.noted():  # SIGINT or SIGTERM from here on: it ends with what it finished, said
        try:
            # the articles load while requests wait; lean: it writes them, it never shows them
            with _open_writer(ctx, first=0, lean=True) as store:
                progress = None
                if RefreshProgress.wanted(args.json):
                    enabled = sum(1 for s in ctx.config.sources if s.enabled)
                    progress = RefreshProgress(enabled)
                with progress or contextlib.nullcontext():
                    cycle = asyncio.run(_refresh(ctx, store, pool, stop, progress))
                for problem in store.problems:
                    complain(problem)
        finally:
            if pool is not None:
                pool.close(wait=True)  # reaped: its CPU time is counted as this command's
        global _done_with_everything
        _done_with_everything = True  # the store is closed and the parser process reaped
        code = _said_refresh(ctx, args, cycle, stop, out, take_unsaved())
        # (as a shell reports a command a signal ended)
        return 128 + stop.by if stop.by is not None else code


def _said_refresh(
    ctx: Context,
    args: argparse.Namespace,
    cycle: Cycle,
    stop: RefreshStop,
    out: TextIO,
    unsaved: list[str] | None = None,
) -> int:
    """A refresh's summary, what went wrong said; its exit code. `unsaved`: what the disk
    refused to save beside the articles (source health, alert history, ...): a store error,
    exit 2, as for articles refused (those stored are kept)."""
    results = cycle.results
    failed = sum(result.status == "error" for result in results)
    try:
        _print_refresh(results, args.json, failed, out, cycle.limited, ctx)
        out.flush()
    except BrokenPipeError:  # a reader that stopped early: the poll's outcome stands (what
        pass  # is left in the buffer goes with `_end_now`, which flushes what it can)
    if cycle.store_error:
        complain(cycle.store_error)
    enabled = sum(1 for s in ctx.config.sources if s.enabled)
    if stop.by is not None:
        done = {r.source for r in results} | set(cycle.limited)
        left = [s.name for s in ctx.config.sources if s.enabled and s.name not in done]
        named = ", ".join(left[:STOP_NAMES]) + (", …" if len(left) > STOP_NAMES else "")
        complain(
            f"stopped by {stop.by.name}: {len(left)} of {enabled} sources not polled"
            + (f" ({named})" if left else "")
            + "; the next refresh polls them"
        )
    if not results and enabled and store_shared(ctx.config):
        # (a database's pollers lease the sources among them: a refresh beside them has none)
        complain(
            f"every one of the {enabled} enabled sources is being polled by a running poller"
            " of the database: nothing was left to poll"
        )
    if unsaved:
        complain(
            f"not saved: {', '.join(unsaved)} (each said above); the articles stored are"
            " kept, and the next refresh tries the rest again"
        )
    if cycle.store_error or unsaved or _refused_by_proxy(results):
        return EXIT_USAGE
    return EXIT_SOURCES_FAILED if failed else EXIT_OK


def _refused_by_proxy(results: list[PollResult]) -> bool:
    """Whether a source failed because the environment sends it through a proxy wirewatch
    cannot use (each such error names the proxy): a setting to change, exit 2, not sources
    that failed. (The sources NO_PROXY exempts were polled.)"""
    from fetchers.http import proxy_problems

    problems = tuple(proxy_problems())
    # (an error may be said with the address that gave it after the problem: "(at …)")
    return any(
        r.status == "error" and r.error is not None and r.error.startswith(problems)
        for r in results
    )


STOP_NAMES = 10  # the sources a stopped refresh names of those it did not poll


class RefreshStop:
    """SIGINT or SIGTERM to a `refresh`, handled as `poll` handles them: the fetches in
    flight dropped, a write under way finished, the health of the sources whose articles
    were written kept, a summary of what finished, and exit 128 + the signal's number. (A
    refresh `timeout` or a service manager stopped left the sources whose articles it had
    stored "pending … never", their validators and stories unsaved, and said nothing.)"""

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self.by: signal.Signals | None = None  # the signal that stopped it
        self._task: asyncio.Task[Cycle] | None = None  # cancelled by the first one

    def _heard(self, signum: int, frame: object = None) -> None:
        if self.by is not None:
            return  # (the first is being handled)
        self.by = signal.Signals(signum)
        if self._task is not None:
            self._task.cancel()

    @contextlib.contextmanager
    def noted(self) -> Iterator[None]:
        """The signals noted while inside (the store opening or closing, the summary: none
        of that is cut short); within the event loop, `listening` stops the refresh's task."""
        if threading.current_thread() is not threading.main_thread():
            yield  # (signals are the main thread's)
            return
        previous = [(sig, signal.signal(sig, self._heard)) for sig in self.SIGNALS]
        try:
            yield
        finally:
            for sig, handler in previous:
                signal.signal(sig, handler)

    @contextlib.contextmanager
    def listening(self, task: asyncio.Task[Cycle] | None) -> Iterator[None]:
        """(In the event loop.) The first signal cancels `task`, the refresh's; after it, a
        signal is noted again (`noted`) while the refresh winds up."""
        if task is None or threading.current_thread() is not threading.main_thread():
            yield
            return
        loop = task.get_loop()
        self._task = task
        for sig in self.SIGNALS:
            loop.add_signal_handler(sig, self._heard, sig)
        if self.by is not None:  # (noted a moment before)
            task.cancel()
        try:
            yield
        finally:
            self._task = None
            for sig in self.SIGNALS:  # (removed, the default handler is put back: not it)
                loop.remove_signal_handler(sig)
                signal.signal(sig, self._heard)

    def stopped(self) -> bool:
        """Whether a signal cancelled the refresh's task: the cancel is then taken back, so
        the task can finish what it must (`_refresh`)."""
        task = self._task
        if self.by is None or task is None:
            return False
        task.uncancel()
        return True


def store_shared(config: Config) -> bool:
    """Whether the config's store is a database that several pollers share."""
    return config.store.backend == "postgresql"


def _failures_listed() -> None:
    """A failed poll's warning kept off stderr: `refresh` on a terminal lists its failures
    together on stdout (each was said on both, 300 failures 600 lines). Piped, stderr keeps
    them, as before."""
    import logging

    from fetchers.poller import SOURCE_FAILED

    def said_elsewhere(record: logging.LogRecord) -> bool:
        return not getattr(record, SOURCE_FAILED, False)

    for handler in logging.getLogger().handlers:
        handler.addFilter(said_elsewhere)


def _print_refresh(
    results: list[PollResult],
    as_json: bool,
    failed: int,
    out: TextIO,
    limited: dict[str, datetime],
    ctx: Context,
) -> None:
    """Each source's outcome of a refresh, those it left out as their servers asked
    (`limited`), and a total line (JSON: a line a source). On a terminal, what a user reads
    (`_print_refresh_briefly`)."""
    if not as_json and out.isatty():
        _print_refresh_briefly(results, out, limited, ctx)
    else:
        _print_each(results, as_json, out, limited, ctx)
    if not as_json:
        total = sum(len(r.new_ids) for r in results)
        revised = sum(len(r.revised_ids) for r in results)
        out.write(
            f"{counted(len(results), 'source')} polled, {failed} failed,"
            f" {counted(total, 'new article')}"
            + (f", {revised} revised" if revised else "")
            + (f"; {len(limited)} skipped, as their servers asked" if limited else "")
            + "\n"
        )


def _print_refresh_briefly(
    results: list[PollResult], out: TextIO, limited: dict[str, datetime], ctx: Context
) -> None:
    """A refresh's outcome on a terminal: the sources with news, one line for those with
    none, then those left out as their servers asked and the failures, together and last,
    where they are seen (a line a source, 1,700 of 2,000 "not modified", scrolled the
    start away and buried the failures in the middle)."""
    news = [r for r in results if r.status == "ok" and (r.new_ids or r.revised_ids)]
    unchanged = sum(r.status == "not-modified" for r in results)
    nothing_new = sum(r.status == "ok" and not (r.new_ids or r.revised_ids) for r in results)
    _print_each(news, False, out, {}, ctx)
    if unchanged or nothing_new:
        parts = [f"{unchanged} not modified"] if unchanged else []
        parts += [f"{nothing_new} with nothing new"] if nothing_new else []
        out.write(
            f"{'unchanged':<13} {counted(unchanged + nothing_new, 'source')}: {', '.join(parts)}\n"
        )
    _print_limited(ctx, limited, False, out)
    _print_each([r for r in results if r.status == "error"], False, out, {}, ctx)


def _print_each(
    results: list[PollResult],
    as_json: bool,
    out: TextIO,
    limited: dict[str, datetime],
    ctx: Context,
) -> None:
    """A line for each result, then each source left out as its server asked."""
    for result in results:
        if as_json:
            _write_json(
                out,
                {
                    "name": result.source,
                    "status": result.status,
                    "http_status": result.http_status,
                    "new": len(result.new_ids),
                    "revised": len(result.revised_ids),
                    "items": result.items,
                    "latency_ms": result.latency_ms,
                    "error": result.error,
                },
            )
        else:
            detail = (
                result.error
                if result.status == "error"
                else (
                    f"{len(result.new_ids)} new"
                    + (f", {len(result.revised_ids)} revised" if result.revised_ids else "")
                    + f" of {result.items}"
                    if result.status == "ok"
                    else "not modified"
                )
            )
            out.write(f"{result.status:<13} {result.source}: {printable(detail or '')}\n")
    _print_limited(ctx, limited, as_json, out)


def _print_limited(ctx: Context, limited: dict[str, datetime], as_json: bool, out: TextIO) -> None:
    """The sources a refresh left out because their servers asked to wait (a 429 or 503's
    Retry-After still running): no failure, nothing asked of them."""
    zone = local_zone(ctx.config.settings.timezone)
    now = ctx.clock()
    for name, until in limited.items():
        if as_json:
            _write_json(
                out,
                {
                    "name": name,
                    "status": "limited",
                    "http_status": None,
                    "new": 0,
                    "revised": 0,
                    "items": 0,
                    "latency_ms": None,
                    "error": None,
                    "retry_until": utc_iso(until),
                },
            )
            continue
        left = duration((until - now).total_seconds(), "minute")
        out.write(
            f"{'limited':<13} {name}: the server asked to wait until"
            f" {wall_short(until, zone, now)}, in {left} (Retry-After); skipped\n"
        )


def _refresh_pool(config: Config) -> ParsePool | None:
    """A worker process parsing on a second core while this one talks to the network, when
    there is a second core and a feed to fetch. Forked now, while this process has one
    thread (never a fork of a process running threads: then parsing stays in threads)."""
    import threading
    from concurrent.futures.process import BrokenProcessPool

    from fetchers.parsepool import ParsePool, spare_cores

    remote = any(s.enabled and not s.path for s in config.sources)
    if not remote or not spare_cores() or threading.active_count() > 1:
        return None
    try:
        pool = ParsePool(workers=1, start_method="fork")
        pool.warm()
    except (OSError, BrokenProcessPool):  # no process to be had (a limit): parse in threads
        return None
    return pool


async def _refresh(
    ctx: Context,
    store: ArticleStore,
    pool: ParsePool | None,
    stop: RefreshStop,
    progress: RefreshProgress | None = None,
) -> Cycle:
    """Run one newsroom cycle over every source. The stored articles load in a thread once
    the first requests are out (the load holds the GIL for long stretches); the cycle's
    write, which needs them to skip what is known, finishes that load if it is not done.
    SIGINT or SIGTERM (`stop`) ends it early with what it finished."""
    import asyncio

    from fetchers.newsroom import Cycle, Newsroom
    from fetchers.storybook import StoryDesk

    if stop.by is not None:  # (heard while the store opened)
        return Cycle([])
    stories = StoryDesk(store, ctx.data_dir, cold_limit=COLD_STORIES)
    newsroom = Newsroom(
        ctx.config, store, ctx.data_dir, ctx.clock, parse_pool=pool, stories=stories
    )
    poller = newsroom.require_poller()
    if progress is not None:
        poller.on_answer = progress.source_done
        poller.on_limited = progress.skipped
    loading: asyncio.Future[list[str]] | None = None
    cycling: asyncio.Task[Cycle] | None = None
    cycle: Cycle | None = None
    try:
        with stop.listening(asyncio.current_task()):
            try:
                await poller.open_client()  # its TLS setup first, before anything competes
                cycling = asyncio.create_task(newsroom.cycle())
                sent = asyncio.create_task(poller.sent.wait())
                await asyncio.wait({cycling, sent}, return_when=asyncio.FIRST_COMPLETED)
                sent.cancel()
                await asyncio.sleep(0.01)  # every slot is taken; let those requests leave
                loading = asyncio.ensure_future(asyncio.to_thread(store.load_rest))
                cycle = await cycling
                await poller.drain_pages(ctx.config.settings.timeout)  # full texts, bounded
                return cycle
            except asyncio.CancelledError:
                if not stop.stopped():
                    raise
                # stopped as `poll` stops: the fetches in flight dropped, a write under way
                # finished, the health of the sources written kept; what it finished is said
                if cycle is None and cycling is not None:
                    cycling.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        cycle = await cycling
                return cycle or newsroom.cut_short or Cycle([])
    finally:
        await newsroom.aclose()
        if loading is not None:
            await loading


def cmd_poll(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from fetchers.service import PollService, setup_logging

    # a reload asked while the poller starts (a service manager's, a log rotation's) finds the
    # config just read: ignored until the poller listens for it, rather than ending it
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    log_file = Path(args.log).expanduser() if args.log else None
    try:
        setup_logging(log_file)
    except OSError as exc:  # a folder, a file it may not write
        # a file where a folder of its path should be: said so ("File exists" said nothing)
        blocking = next((p for p in (log_file.parents if log_file else ()) if p.is_file()), None)
        why = f"{blocking} is a file, not a folder" if blocking else exc.strerror or exc
        raise UsageError(f"cannot log to {log_file}: {why}") from exc
    if ctx.frozen:  # its schedule never comes round: one cycle, then waiting for good
        complain(
            "--now holds the clock still: each source is polled once, and not again until"
            " the clock moves (run poll without --now to keep polling)"
        )
    # parsing apart: a deadline can stop it, SIGTERM is heard. Forked before the store opens
    # (a database's pool starts threads, and a process with threads parses in threads; a data
    # dir's forked worker would hold its loaded heap and its lock's descriptor)
    pool = _refresh_pool(ctx.config)
    try:
        # lean, as a refresh: no screen shows its articles, so a full shard's titles and
        # summaries stay on disk (a poller of a million articles held 1 GB whole)
        waited = _writer_when_free(ctx)
        if waited is None:  # stopped while another process wrote: as asked, exit 0
            return EXIT_OK
        with waited as store:
            store.start_word_index()  # a missing or stale search index is built meanwhile
            service = PollService(ctx.config, store, ctx.data_dir, ctx.clock, parse_pool=pool)
            asyncio.run(service.run())
    finally:
        if pool is not None:  # joined: its manager thread left running at exit raced the
            pool.close(wait=True)  # interpreter's own shutdown of it (a traceback on ctrl+c)
    return EXIT_OK


POLL_WAIT = 5.0  # seconds between a waiting poller's looks at the writer lock


class _StopWaiting(Exception):
    """SIGTERM while `poll` waits for another writer."""


def _writer_when_free(ctx: Context) -> ArticleStore | None:
    """The store as `poll` writes it, once no other process does: a dashboard that took over
    from a poller that died kept the lock, and the poller restarted by its service manager
    exited 2 at once, again and again until the manager gave up on it (the desk then had
    no poller once that dashboard quit). It waits, saying so once; None when SIGINT or
    SIGTERM stops it meanwhile (as a polling `poll` stops: exit 0, not 130)."""
    import logging

    def stop(signum: int, frame: object) -> None:
        raise _StopWaiting

    log = logging.getLogger("wirewatch.poll")
    said = False
    # (heard from before the first look to the store's opening: a stop at any moment of the
    # wait, its message already logged or not, ends it as asked)
    previous = signal.signal(signal.SIGTERM, stop)
    try:
        while True:
            try:
                store = open_store(
                    ctx.config.store, ctx.data_dir, writer=True, lean=True, share=True
                )
            except StoreLocked as exc:
                if not said:
                    log.warning(
                        "%s; polling starts once it stops (looked at every %.0f s)",
                        exc,
                        POLL_WAIT,
                    )
                    said = True
                time.sleep(POLL_WAIT)
                continue
            signal.signal(signal.SIGTERM, previous)  # the poller's own handling from here
            return store
    except (_StopWaiting, KeyboardInterrupt):
        log.info("stopped while waiting for the other writer")
        return None
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _viewer(ctx: Context, first: int | None = None) -> Iterator[ArticleStore]:
    """The store a command reads, open while it runs: what it finds wrong on opening is said
    first, what it finds while reading (a row written by hand) at the end. A data dir that
    does not exist is said so and read as empty, not made (a mistyped `--data-dir` made a
    folder and looked like an empty store)."""
    data_dir = ctx.data_dir
    with contextlib.ExitStack() as stack:
        if ctx.config.store.backend == "tinydb" and _absent(data_dir):
            complain(
                f"nothing is stored at {data_dir}: no such folder (`wirewatch refresh` polls"
                " the sources into it)"
            )
            import tempfile

            data_dir = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        yield from _opened(ctx, data_dir, first)


def _absent(folder: Path) -> bool:
    """Whether `folder` does not exist though it could be made (a file in its way is said by
    the store, as a data dir that cannot be made)."""
    if folder.exists():
        return False
    found = next((parent for parent in folder.parents if parent.exists()), None)
    return found is not None and found.is_dir()


def _opened(ctx: Context, data_dir: Path, first: int | None) -> Iterator[ArticleStore]:
    """(`_viewer`.) The store at `data_dir`, its problems said."""
    with open_store(ctx.config.store, data_dir, first=first) as store:
        for problem in store.problems:
            complain(problem)
        said = len(store.problems)
        try:
            yield store
        finally:
            for problem in store.problems[said:]:
                complain(problem)


LIST_LIMIT = 50  # the articles `list` prints when not told how many


def cmd_list(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    if args.limit is not None and args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    limit = LIST_LIMIT if args.limit is None else (args.limit or None)  # 0: every match
    zone = local_zone(ctx.config.settings.timezone)
    query = parse_query(" ".join(args.query), ctx.clock(), zone)
    stories = query.asks_stories  # story: and outlets: need every article and the stories
    ranked = args.sort == "relevance" and bool(query.words)
    if stories or ranked:
        with _viewer(ctx) as store:
            looked_up = stories and not _keeps_stories(store)
            if looked_up:  # else the store answers them itself
                query = _with_stories(ctx, args.query, store)
            ids = store.query_ids(query, None if ranked else limit)
            if looked_up and not ids:
                _say_unknown_stories(query)
            if ranked:
                from fetchers.relevance import RelevanceError, by_relevance

                try:
                    ids = by_relevance(store, ctx.data_dir, ids, query.words)
                except RelevanceError as exc:
                    complain(f"{exc}; newest first instead")
            _print_articles(ctx, args, out, store, ids[:limit])
            _say_unknown_names(query, store, ctx.config, matched=bool(ids))
        return _all_read(store, "list")
    # the newest: only the shards that can hold them are read; all: every one
    with _viewer(ctx, first=0) if limit else _viewer(ctx) as store:
        ids = store.newest(query, limit) if limit else store.query_ids(query, None)
        _print_articles(ctx, args, out, store, ids)
        _say_unknown_names(query, store, ctx.config, matched=bool(ids))
    if args.limit is None and len(ids) == LIST_LIMIT and not args.json:  # (cut, perhaps)
        complain(f"the newest {LIST_LIMIT} shown: --limit N shows N, --limit 0 all")
    return _all_read(store, "list")


def _all_read(store: ArticleStore, answer: str) -> int:
    """(Once the store is closed, its problems said.) EXIT_OK, or the exit of a store error
    when a part of it could not be read: the `answer` printed leaves that part's articles
    out, and a script (`if wirewatch list …`, a cron job's mail) is told so, not only the
    terminal (it exited 0 with no line and a warning on stderr)."""
    if not store.unreadable:
        return EXIT_OK
    complain(f"incomplete {answer}: the articles of {', '.join(store.unreadable)} are left out")
    return EXIT_USAGE


def _say_unknown_names(
    query: Query, store: ArticleStore, config: Config, matched: bool = False
) -> None:
    """A `source:` or `tag:` that names no source or tag says so, with the name it may have
    meant ("source:Tech" of "Tech News"): when nothing matched, rather than an empty list
    that looks like no news; and one left out (`-source:`) whether or not anything matched:
    it leaves nothing out, and the list shows what was meant to be hidden."""
    names: dict[str, Callable[[], Iterable[str]]] = {
        "source": lambda: [*store.sources_count(), *(s.name for s in config.sources)],
        "tag": lambda: [*store.tags_count(), *(t for s in config.sources for t in s.tags)],
    }
    for said in unknown_names(query, names, matched):
        complain(said)


def _say_unknown_stories(query: Query) -> None:
    """Nothing matched: a `story:` that names no story grouped now says so (one from an
    older `wirewatch stories`, or mistyped), rather than an empty list that looks like
    no news. `query` was compiled with the stories (`_with_stories`)."""
    for term in (t for clause in query.clauses for t in clause):
        asked = term.field == "story" and not term.negated and term.decided is not None
        if asked and term.decided is not None and not term.decided().hold:
            complain(f"story:{term.value}: no such story now (`wirewatch stories` lists them)")


def _keeps_stories(store: ArticleStore) -> bool:
    """Whether the store keeps the stories its poller grouped (and answers `story:` and
    `outlets:` from them, with no grouping in memory)."""
    return isinstance(store, StoryKeeper) and store.story_records(1) is not None


def _with_stories(ctx: Context, words: list[str], store: ArticleStore) -> Query:
    """The query compiled with the stories of the store to answer story: and outlets:."""
    index = StoryBook(ctx.data_dir).read(store)
    zone = local_zone(ctx.config.settings.timezone)
    return parse_query(" ".join(words), ctx.clock(), zone, StoryLookup(index, store))


EVERY_STORY = 2**63 - 1  # `stories --limit 0`: a cap no store reaches (a database's LIMIT
# takes it: a bigint)


def cmd_stories(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    if args.limit < 0:
        raise UsageError("--limit must be 0 or more")
    limit = args.limit or EVERY_STORY  # 0: every one, as `list --limit 0`
    zone = local_zone(ctx.config.settings.timezone)
    # a malformed query fails before the load
    plain = parse_query(" ".join(args.query), ctx.clock(), zone)
    # the page the writer keeps beside its stories file: no article is read
    newest = newest_kept(ctx.config.store, ctx.data_dir, limit) if plain.is_empty else None
    if newest is not None:
        _print_stories(args, out, newest, zone)
        return EXIT_OK
    with _viewer(ctx) as store:
        # the stories a store keeps, as its poller grouped them, found by the store (story:
        # and outlets: too: it answers them from the stories it keeps)
        stories = stories_found(store, plain, limit)
        if stories is None:  # grouped here (from stories.json, with what it lacks)
            index = StoryBook(ctx.data_dir).read(store)
            lookup = StoryLookup(index, store)
            query = parse_query(" ".join(args.query), ctx.clock(), zone, lookup)
            stories = stories_of(index, store)
            if not query.is_empty:
                matching = set(store.query_ids(query))
                stories = [s for s in stories if any(i in matching for i in s.articles)]
        _print_stories(args, out, stories[:limit], zone)
    return _all_read(store, "stories")


def _print_stories(
    args: argparse.Namespace, out: TextIO, stories: list[Story], zone: tzinfo
) -> None:
    """The stories of `stories`: JSON lines, or one line each."""
    for story in stories:
        if args.json:
            _write_json(out, story.to_json())
            continue
        last = datetime.fromtimestamp(story.last_seen, UTC).astimezone(zone)
        first = datetime.fromtimestamp(story.first_seen, UTC).astimezone(zone)
        outlets = "outlet " if story.outlets == 1 else "outlets"  # (the columns align)
        out.write(
            f"{story.id}  {last:%Y-%m-%d %H:%M}  {story.outlets:>2} {outlets}  "
            f"first {fit(story.first_teller, 18)} {first:%m-%d %H:%M}  {story.title}\n"
        )


def _print_articles(
    ctx: Context, args: argparse.Namespace, out: TextIO, store: ArticleStore, ids: list[str]
) -> None:
    """The articles of `list`, in the order given: JSON lines, or one line each."""
    zone = local_zone(ctx.config.settings.timezone)
    for article in store.iter_articles(ids):
        if args.json:
            _write_json(out, article.to_json())
            continue
        when = (
            article.published.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            if article.published
            else "—".ljust(16)
        )
        # N unread, * starred, each in a column of its own (a starred one hid that it was
        # unread: "*" read or not)
        mark = ("N" if not article.read else " ") + ("*" if article.starred else " ")
        # the source in 18 cells (a Korean name counts two a character), cut with an ellipsis
        out.write(f"{article.id}  {mark} {when}  {fit(article.source, 18)}  {article.title}\n")


SHORT_ID = 4  # characters of an id's start that `show` takes for the id, when one has it


def _id_started(store: ArticleStore, start: str) -> str:
    """The one stored id that starts with `start` (an id's first characters, as git takes a
    commit's); UsageError when none does, or several."""
    if len(start) < SHORT_ID:  # ("3d" was "no article", as if a start were taken)
        raise UsageError(
            f"no article with id {start!r}, and an id's start needs at least {SHORT_ID}"
            " characters (see `wirewatch list`)"
        )
    found = store.ids_starting(start, 6)  # (five are named, and "…" for more)
    if not found:
        raise UsageError(f"no article with id {start!r} (see `wirewatch list`)")
    if len(found) > 1:
        shown = ", ".join(found[:5]) + (", …" if len(found) > 5 else "")
        several = "more than 5" if len(found) > 5 else str(len(found))
        raise UsageError(f"{several} articles' ids start with {start!r}: {shown}")
    return found[0]


def cmd_show(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    with _viewer(ctx) as store:
        article = store.get(args.id) or store.get(_id_started(store, args.id))
        if article is None:  # (gone between the two looks)
            raise UsageError(f"no article with id {args.id!r} (see `wirewatch list`)")
        article.text = store.text(article.id)
        revisions = store.revisions(article.id)
        text_revisions = store.text_revisions(article.id)
        story = StoryBook(ctx.data_dir).story_of(store, article.id)
        record = store.record(article.id)
        # when the title and summary it has now were first seen (None: never revised)
        revised = record.revised if record is not None else None
        # when its feed was first seen to have taken it down (None: it stands)
        pulled = record.pulled if record is not None else None
        if args.json:
            _write_json(
                out,
                {
                    **article.to_json(with_text=True),
                    "story": story,
                    "revised": seconds_iso(revised),
                    "pulled": seconds_iso(pulled),
                    "revisions": revisions,
                    "text_revisions": text_revisions,
                },
            )
            return EXIT_OK
        zone = local_zone(ctx.config.settings.timezone)
        out.write(f"{article.title}\n{article.source}")
        if article.published:
            out.write(f" · {wall(article.published, zone)}")
        out.write("\n")
        if article.link:
            out.write(f"{article.link}\n")
        if story is not None:
            out.write(f"story {story}\n")
        if pulled is not None:
            out.write(f"pulled from its feed {wall(datetime.fromtimestamp(pulled, UTC), zone)}\n")
        if revised is not None:
            out.write(f"revised {wall(datetime.fromtimestamp(revised, UTC), zone)}\n")
        for revision in revisions:  # the summary too where it said something else
            seen = _seen_wall(revision.get("seen"), zone)
            out.write(f"earlier ({seen}): {revision.get('title')}\n")
            summary = revision.get("summary")
            if summary and summary != article.summary:
                out.write(f"  summary: {summary}\n")
        if article.text:
            out.write("\n" + article.text + "\n")
        elif article.summary:  # said: a reader takes it for the article otherwise
            out.write("\nSummary only (no full text fetched):\n" + article.summary + "\n")
        else:
            out.write("\n(no text)\n")
        for earlier in text_revisions:  # oldest first, after the text the article has now
            out.write(f"\nearlier full text ({_seen_wall(earlier.get('seen'), zone)}):\n")
            out.write(f"{earlier.get('text')}\n")
    return EXIT_OK


def _seen_wall(seen: str | None, zone: tzinfo) -> str:
    """When a version was first seen (stored in UTC), in the reader's zone as the article's
    own time is; "undated" when not recorded."""
    if not seen:
        return "undated"
    try:
        when = from_utc_iso(seen)
    except ValueError:  # a stored value that is no time: shown as it is
        return seen
    return wall(when, zone) if when is not None else seen


def cmd_events(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    from fetchers.events import EventBook, EventBookError, in_countdown_order, unreadable

    now = ctx.clock()
    reader = local_zone(ctx.config.settings.timezone)  # an event given no zone is in it
    unread = None  # why the events added in the app could not be read
    try:
        with _viewer(ctx, first=0) as store:  # where the desk's events are kept
            stored = EventBook(ctx.data_dir, store).load()
    except EventBookError as exc:
        unread, stored = str(exc), []
    for event in in_countdown_order([*ctx.config.events, *stored], now):
        if event.when is None:
            if args.json:
                _write_json(out, {"name": event.name, "error": event.error})
            else:
                out.write(f"{unreadable(event)}\n")
            continue
        left = int((event.when - now).total_seconds())
        if args.json:
            _write_json(
                out,
                {
                    "name": event.name,
                    "when": utc_iso(event.when),
                    # the zone's name; an event given none is in the reader's: the
                    # settings', else the system's (null: not one a program can look up)
                    "tz": event.tz
                    if event.tz != "local"
                    else ctx.config.settings.timezone or system_zone_name(),
                    "seconds_left": left,
                    "query": event.query,
                },
            )
        else:
            out.write(
                f"{time_left(left):>16}  {wall(event.when, event_zone(event.tz, reader))}"
                f"  {event.name}\n"
            )
    if unread is not None:  # the config's are listed; a script is told the list is not whole
        complain(f"incomplete events: {unread}; the events added in the app are left out")
        return EXIT_USAGE
    return EXIT_OK


def cmd_sources(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    with _viewer(ctx) as store:  # who reported first, over the stories the store holds
        book = HealthBook(ctx.data_dir, store)
        health = book.load()
        lead = index_leads(StoryBook(ctx.data_dir).read(store), store)
    # (else every source looked never polled, without a word; a script is told by the exit)
    unread = book.unreadable is not None
    if unread:
        complain(f"{book.unreadable}: each source's health is unknown (shown as pending)")
    rows = [
        (health_at(health, source.name, source.location), source.enabled)
        for source in ctx.config.sources
    ]
    if args.json:
        from fetchers.http import shown_url

        for h, enabled in rows:
            mine = lead.get(h.name)
            said = h.to_json()
            if not enabled:  # its health as it was left; no poll is coming
                said["next_poll"] = None
            _write_json(
                out,
                {
                    **said,
                    "url": shown_url(h.url),
                    "enabled": enabled,
                    "first_reports": mine.first_reports if mine else 0,
                    "median_lag_s": mine.median_lag if mine else None,
                    "moved_to": moved_to(h),
                },
            )
        return EXIT_USAGE if unread else EXIT_OK
    zone = local_zone(ctx.config.settings.timezone)
    now = ctx.clock()
    out.write(
        f"{'STATUS':<13}{'HTTP':>4}  {'LATENCY':>8}  {'LAST OK':<11}  FAILS  NEXT TRY  "
        "FIRST  LAG       SOURCE\n"
    )
    for h, enabled in rows:
        last_ok = h.last_ok.astimezone(zone).strftime("%m-%d %H:%M") if h.last_ok else "never"
        latency = f"{h.latency_ms} ms" if h.latency_ms is not None else "-"
        retry = ""
        if enabled and h.status == "error" and h.next_poll is not None and h.next_poll > now:
            retry = f"in {duration((h.next_poll - now).total_seconds())}"
        detail = h.last_error or (_items(h.items) if h.status != "pending" else "")
        if h.warnings and not h.last_error:
            detail += f", {h.warnings} unreadable fields ({h.last_warning})"
        moved = moved_to(h)
        if moved:  # (what it polls: the config's address answered with a redirect for good)
            detail += f"{'; ' if detail else ''}moved to {moved} for good: update the config"
        after = ahead(h.last_polled, now) if h.last_polled is not None else None
        if after is not None:  # (the clock went back, or --now is earlier than the polls)
            detail += f"{'; ' if detail else ''}last polled {after} after this clock"
        mine = lead.get(h.name)
        firsts = mine.first_reports if mine else 0
        behind = lag(mine.median_lag) if mine and mine.median_lag is not None else "-"
        status = h.status if enabled else "disabled"  # (its health as it was left)
        out.write(
            f"{status:<13}{h.http_status or '-':>4}  {latency:>8}  {last_ok:<11}  "
            f"{h.failures:>5}  {retry:<8}  {firsts:>5}  {behind:<8}  "
            f"{h.name}{': ' + detail if detail else ''}\n"
        )
    return EXIT_USAGE if unread else EXIT_OK


def cmd_add(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    import asyncio

    from fetchers.discover import DiscoveryError, FoundFeed, discover, subscribed_address_of
    from fetchers.extract import ExtractError, extract_article
    from fetchers.http import FetchError, carry_credentials, fetch, make_client, shown_url
    from fetchers.subscriptions import NewSource, append_sources
    from fetchers.webaddress import feed_key

    url = subscribed_address(args.url.strip())
    problem = address_problem(url)
    if problem is not None:
        raise UsageError(f"{url}: {problem} (give an http:// or https:// address)")
    settings = ctx.config.settings
    key = feed_key(url)
    if any(source.url and feed_key(source.url) == key for source in ctx.config.sources):
        # (a page's feeds are looked for only when the page is not one of them)
        complain(f"{url}: already subscribed{_as_named(ctx.config, [url])}")
        return EXIT_OK

    async def find() -> list[FoundFeed]:
        client = make_client(settings.user_agent, 4, settings.timeout)
        try:
            if args.page:
                result = await fetch(
                    client, url, deadline=settings.timeout, max_body=settings.max_body
                )
                page = extract_article(result.body, result.headers.get("content-type"), url)
                address = subscribed_address_of(result, url)
                return [FoundFeed(address, page.title or address, 1)]
            return await discover(client, url, settings.timeout, settings.max_body)
        finally:
            await client.aclose()

    try:
        found = asyncio.run(find())
    except (DiscoveryError, FetchError, ExtractError) as exc:
        complain(str(exc))
        return EXIT_SOURCES_FAILED
    if len(found) > 1 and not args.all:
        chosen = _choose_feeds(found, out)
        if chosen is None:
            return EXIT_USAGE
        found = chosen
    kind = "page" if args.page else "feed"
    new = [
        NewSource(
            (args.name if len(found) == 1 else None) or feed.title or feed.url,
            carry_credentials(feed.url, url),  # a password-protected feed still needs it
            list(args.tag),
            kind,
        )
        for feed in found
    ]
    target, added = append_sources(ctx.config, new, ctx.clock())
    if not added:
        asked = [n.url for n in new]
        complain(f"{', '.join(asked)}: already subscribed{_as_named(ctx.config, asked)}")
        return EXIT_OK
    if len(found) == 1:
        what = "page" if args.page else f"feed, {_items(found[0].items)} now"
        out.write(f"added {added[0]!r} <{shown_url(new[0].url)}> ({what}) to {target}\n")
        return EXIT_OK
    for name in added:
        out.write(f"added {name!r} to {target}\n")
    if len(added) < len(new):
        out.write(f"({len(new) - len(added)} already subscribed)\n")
    return EXIT_OK


def _choose_feeds(found: list[FoundFeed], out: TextIO) -> list[FoundFeed] | None:
    """Which of several feeds a page offers to add: asked on a terminal, else listed with
    how to choose (None: nothing chosen)."""
    from fetchers.http import shown_url

    out.write(f"the page offers {len(found)} feeds:\n")
    for number, feed in enumerate(found, 1):
        out.write(
            f"  {number}. {feed.title or '(untitled)'} <{shown_url(feed.url)}>,"
            f" {_items(feed.items)}\n"
        )
    if not (_terminal(sys.stdin) and _terminal(sys.stdout)):
        complain("several feeds: add one by its URL, or all of them with --all")
        return None
    while True:
        try:
            answer = input(f"add which? (1-{len(found)}, several with commas, a = all): ").strip()
        except EOFError:
            return None
        if answer.lower() in ("a", "all"):
            return found
        try:
            numbers = [int(part) for part in answer.replace(" ", "").split(",") if part]
        except ValueError:
            numbers = []
        if numbers and all(1 <= n <= len(found) for n in numbers):
            return [found[n - 1] for n in dict.fromkeys(numbers)]
        out.write(f"  answer with numbers from 1 to {len(found)}, or a\n")


def _as_named(config: Config, urls: list[str], command: str = "add") -> str:
    """How a feed `add` (or `import-opml`) was asked for again is subscribed in `config`, when
    one was: its name and tags, which it leaves as they are (a --name or --tag given again
    changed nothing, unsaid)."""
    from fetchers.webaddress import feed_key

    keys = {feed_key(url) for url in urls}
    had = [s for s in config.sources if s.url and feed_key(s.url) in keys]
    if len(had) != 1:
        return ""
    tags = ", ".join(had[0].tags) or "none"
    return (
        f" as {had[0].name!r} (tags: {tags}); `{command}` changes nothing of it: edit"
        f" {config.path} for another name or tags"
    )


def cmd_import_opml(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    """A list's feeds appended to the config: one source per feed, each named by the list,
    else by the feed's own title (read as `add` reads it; by its address when it cannot
    be); `append_sources` makes each name its own."""
    import asyncio

    from fetchers.http import shown_url
    from fetchers.importing import one_per_feed, read_titles
    from fetchers.newsboat import looks_like_urls, parse_urls, urls_text
    from fetchers.opml import OpmlError, parse_opml
    from fetchers.subscriptions import NewSource, append_sources, check_addable
    from fetchers.webaddress import feed_key
    from tui.progress import working

    try:
        data = _stdin().buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    except OSError as exc:
        raise UsageError(f"{args.file}: {exc.strerror or exc}") from None
    try:
        with working(f"reading {args.file}…"):
            if looks_like_urls(data):  # a newsboat user's subscriptions, as newsboat keeps them
                found = parse_urls(urls_text(data))
            else:
                found = parse_opml(data)
    except OpmlError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    for skipped in found:
        if skipped.skipped is not None:
            complain(f"skipped {skipped.name!r}: {skipped.skipped} ({skipped.url})")
    listing = one_per_feed(f for f in found if f.skipped is None)
    subscribed = {feed_key(s.url) for s in ctx.config.sources if s.url}
    new = [f for f in listing.feeds if feed_key(f.url) not in subscribed]
    listed_at = [f.url for f in new]  # (a feed read for its title may move: see below)
    untitled = [f for f in new if not f.named and f.kind == "feed"]
    if untitled and not args.no_fetch:
        check_addable(ctx.config)  # (said now, not after minutes of reading titles)
        with working(f"reading the titles of {len(untitled):,} feeds listed without a name…"):
            titles = asyncio.run(read_titles([f.url for f in untitled], ctx.config.settings))
        for feed in untitled:
            title = titles[feed.url]
            if title.title:
                feed.name = title.title
            else:
                complain(f"{shown_url(feed.url)}: {title.problem}; named by its address")
            if title.address is not None:  # (where it moved for good: subscribed there, as
                # `add` subscribes it, and so told from the feeds subscribed already)
                feed.url = title.address
    with working(f"adding {len(new):,} feeds to the config…"):
        target, added = append_sources(
            ctx.config,
            [
                NewSource(
                    f.name, f.url, f.tags, f.kind, f.interval, f.full_text, f.enabled, f.charset
                )
                for f in new
            ],
            ctx.clock(),
        )
    _say_imported(ctx, target, added, new, listed_at)
    repeats = ""
    if listing.repeated:
        times = "twice" if listing.most == 2 else "more than once"
        repeats = f"; {listing.repeated} listed {times}, each as one feed with its tags joined"
    # (each feed once, however many folders list it, and each entry skipped: an export of
    # sources of two tags each, read back, said "3 of 5 feeds")
    listed = len(listing.feeds) + sum(1 for f in found if f.skipped is not None)
    out.write(
        f"imported {len(added)} of {listed} feeds into {target}"
        f" ({len(listing.feeds) - len(added)} already subscribed{repeats})\n"
    )
    return EXIT_OK


def _say_imported(
    ctx: Context, target: Path, added: list[str], new: list[Subscription], listed_at: list[str]
) -> None:
    """Each feed of an import that was not added after all, said as `add` says it, and each
    note under the name its feed was added by ("Gamma (2)" too). Which feed is which is read
    from the config as it is now: `append_sources` adds to the file as it finds it, where
    another process may have added some of `new` meanwhile, and two of `new` that were read
    at different addresses may have led to one feed. (Each of `new` was taken for one name of
    `added`, in order: one subscribed meanwhile ended the import with a traceback, after
    saying a note under another feed's name.)"""
    from fetchers.http import shown_url
    from fetchers.webaddress import feed_key

    try:
        now = load_config(target, ctx.clock(), clock_held=ctx.frozen)
    except ConfigError:  # (broken by an edit since it was written to: the count says it all)
        return
    ours = {name_key(no_surrogates(name)) for name in added}  # (as the file holds them)
    added_as = {feed_key(s.url): s.name for s in now.sources if s.url and name_key(s.name) in ours}
    first_at: dict[str, str] = {}  # each feed: the address it was listed at first
    told = unsaid = 0  # feeds subscribed already: said, and past the first few, counted
    for feed, listed in zip(new, listed_at, strict=True):
        key = feed_key(feed.url)
        name = added_as.get(key)
        first = first_at.setdefault(key, listed)
        if name is not None and first == listed:  # (added by this import)
            if feed.note is not None:
                complain(f"{name!r}: {feed.note}")
            continue
        if told == MOST_SAID_SUBSCRIBED:
            unsaid += 1
            continue
        told += 1
        said = shown_url(listed)
        if feed.url != listed:
            said += f" (moved to {shown_url(feed.url)})"
        if name is None:
            complain(f"{said}: already subscribed{_as_named(now, [feed.url], 'import-opml')}")
        else:
            complain(
                f"{said}: already subscribed as {name!r}, listed before it at"
                f" {shown_url(first)} (its tags are joined to it)"
            )
    if unsaid:
        complain(f"and {unsaid:,} more of the list found subscribed as they were added")


def cmd_serve(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    """Serve the dashboard to browsers, and keep the data dir polled while serving: a
    `wirewatch poll` of serve's own, started before the first tab can open (one that finds
    another writer, a `poll` service, waits for it and takes over once it stops), started
    again if it dies, stopped with serve. Each browser tab runs its own dashboard process on
    this data dir, a viewer of that poller (`r` asks it to poll now); it ends when the tab
    is gone. So closing a tab never stops the others' updates, and alerts keep firing with
    no tab open. Both run as `wirewatch_argv` says (`-P`)."""
    from tui.serve import DashboardServer, wirewatch_argv
    from tui.servepoller import ServePoller

    common = wirewatch_argv(
        "--config",
        str(ctx.config.path),
        "--data-dir",
        str(ctx.data_dir),
        *(["--now", ctx.clock().isoformat()] if ctx.frozen else []),
    )
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        complain(
            f"serving on {args.host}: anyone who can reach it can read and mark "
            "your articles (there is no login)"
        )
    try:
        _can_listen(args.host, args.port)  # (the server says it serves before it binds)
    except OSError as exc:  # the port taken, an address not this machine's
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    poller = ServePoller(
        [*common, "poll"], ctx.data_dir, ctx.config.store.backend == "tinydb", complain
    )
    try:
        poller.start()  # (inside: a ctrl+c while it starts stops it too)
        DashboardServer(common, host=args.host, port=args.port).serve()
    except OSError as exc:  # the port taken since it was looked at
        raise UsageError(f"cannot serve on {args.host}:{args.port}: {exc.strerror or exc}") from exc
    finally:
        poller.stop()
    return EXIT_OK


def _can_listen(host: str, port: int) -> None:
    """OSError when nothing can listen on host:port (the port taken, an address not this
    machine's): said before the server's banner, which claimed it served there."""
    import socket

    for family, kind, proto, _, address in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM):
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
        return


def cmd_export_opml(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    from fetchers.http import without_credentials
    from fetchers.opml import write_opml

    sources = ctx.config.sources
    if not args.with_credentials:
        secret = [s.name for s in sources if s.url and s.url != without_credentials(s.url)]
        if secret:
            complain(
                f"credentials left out of {len(secret)} feed URL(s) ({', '.join(secret)}); "
                "--with-credentials keeps them"
            )
            sources = [replace(s, url=without_credentials(s.url)) if s.url else s for s in sources]
    local = [s.name for s in sources if not s.url]
    if local:
        complain(
            f"{len(local)} local source(s) left out ({', '.join(local)}): OPML lists addresses"
        )
    document = write_opml(sources, "wirewatch subscriptions", ctx.clock()).decode("utf-8")
    if isinstance(out, ControlFree):  # the UTF-8 it declares, whatever the locale's charset
        out.write_utf8(document)
    else:
        out.write(document)
    return EXIT_OK


def cmd_alerts(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    """The alert history, newest first (alerts-history.jsonl, or the store's where it keeps
    the desk's)."""
    zone = local_zone(ctx.config.settings.timezone)
    since = None
    if args.since:
        try:
            since = since_spec(args.since, ctx.clock(), zone)
        except ValueError as exc:
            raise UsageError(f"--since {args.since}: {exc}") from None
    try:
        with _viewer(ctx, first=0) as store:
            history = AlertHistory(ctx.data_dir, store=store)
            entries = history.recent(since)
            # (read while the store is open: a database's history is asked of it)
            held = history.capped_from() if since is not None else None
    except HistoryError as exc:
        raise StoreError(str(exc)) from None
    for problem in history.problems:  # lines of the file that do not read, skipped
        complain(problem)
    if since is not None and held is not None and held > since:  # (a short answer said)
        complain(
            f"the alert history holds only from {wall(held, zone)}:"
            f" it keeps the newest {MAX_ENTRIES:,} alerts, older ones were dropped"
        )
    for entry in entries:
        if args.json:
            _write_json(out, entry.to_json())
            continue
        where = f" [{entry.source}]" if entry.source else ""
        ident = f"  {entry.article}" if entry.article else ""
        out.write(
            f"{wall(entry.at, zone)}  {entry.kind:<5}  {entry.alert}: {entry.said}{where}{ident}\n"
        )
    return EXIT_OK


def cmd_trends(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    """Mentions per hour of every watch term and alert rule, and articles per hour of the
    most recently active stories, from the stored articles."""
    from fetchers.alerting import undated_backlog

    if not MIN_HOURS <= args.hours <= MAX_HOURS:
        raise UsageError(f"--hours must be from {MIN_HOURS} to {MAX_HOURS}")
    now = ctx.clock()
    zone = local_zone(ctx.config.settings.timezone)
    with _viewer(ctx) as store:
        try:
            stored, muted, problems = RuleBook(ctx.data_dir, store).load_with_problems(
                now, zone, ctx.config.alerts
            )
        except RuleBookError as exc:
            stored, muted, problems = [], set(), [str(exc)]
        for problem in problems:
            complain(problem)
        terms = [(t, "watch", watch_query(t)) for t in ctx.config.watch_terms]
        rules = all_rules(ctx.config.alerts, stored, muted)
        terms += [(r.name, "alert", r.query) for r in rules]
        quiet = [None] * len(ctx.config.watch_terms) + [no_spike(r) for r in rules]
        found_stories = stories_of(StoryBook(ctx.data_dir).read(store), store)
        shelf = StoryShelf(found_stories)  # a rule's story: and outlets: ask the stories
        parsed = [
            (name, kind, text, parse_query(text, now, zone, stories=shelf))
            for name, kind, text in terms
        ]
        uncounted = undated_backlog(ctx.data_dir)  # as the writer's spike checks count
        series = [
            replace(found, no_spike=why)
            for found, why in zip(
                trends(store, parsed, now, args.hours, uncounted), quiet, strict=True
            )
        ]
        series += story_trends(found_stories, store, now, args.hours, uncounted)
        for found in series:
            if args.json:
                _write_json(out, found.to_json())
                continue
            mark = "  SPIKE" if found.marked_spike else f"  {found.no_spike or ''}".rstrip()
            out.write(
                f"{sparkline(found.counts)}  {found.verdict.current:>4} this hour"
                f" (spike at {found.verdict.spikes_at})  {found.kind:<5}  {found.name}{mark}\n"
            )
    return _all_read(store, "counts")


def cmd_migrate(ctx: Context, args: argparse.Namespace, out: TextIO) -> int:
    """Copy the configured store (the data dir, or the configured database) into an empty
    store of the backend `--to` names; nothing is changed in the one copied from."""
    from fetchers.store.copy import copy_store

    if args.to == "postgresql":
        dsn = args.target or os.environ.get("WIREWATCH_DSN")
        if not dsn:
            raise UsageError("migrate --to postgresql needs a DSN (or $WIREWATCH_DSN)")
        check_dsn(dsn, "migrate --to postgresql")
        target_config, target_dir = (
            StoreConfig("postgresql", dsn, ctx.config.store.reader),
            ctx.data_dir,
        )
    else:
        if not args.target:
            raise UsageError("migrate --to tinydb needs the data dir to copy into")
        target_config, target_dir = StoreConfig("tinydb"), Path(args.target).expanduser()
        if ctx.config.store.backend == "tinydb" and _same_folder(target_dir, ctx.data_dir):
            raise UsageError("the store to copy into is the one copied from")
    files = ctx.config.store.backend == "tinydb"
    held: WriterLock | None = None
    try:  # no poller can start writing into it meanwhile
        if files:  # the lock alone: read as a viewer, a damaged day file stays as it is
            held = _lock_to_read(ctx.data_dir)
            source_store = open_store(ctx.config.store, ctx.data_dir)
        else:
            source_store = open_store(ctx.config.store, ctx.data_dir, writer=True)
    except StoreLocked:
        raise StoreError(
            f"{ctx.data_dir if files else 'the database'} is being written; stop its poller first"
        ) from None
    try:
        with (
            source_store as source,
            open_store(target_config, target_dir, writer=True) as target,
        ):
            if target.location == source.location:
                raise UsageError("the store to copy into is the one copied from")
            left_out = _left_out(source)
            tally = copy_store(source, target, lambda line: complain(line))
            out.write(f"copied {tally} from {source.location} into {target.location}\n")
            _migrate_rest(ctx, source, target, target_dir, out, forget=bool(left_out))
    finally:
        if held is not None:
            held.release()
    if target_dir != ctx.data_dir:
        carried = copy_desk_files(ctx.data_dir, target_dir)
        if carried:
            out.write(f"and from {ctx.data_dir}: {', '.join(carried)}\n")
        if left_out and target_config.backend == "tinydb":
            copied = HealthBook(target_dir)
            copied.save(_forgotten(copied.load(listed=True)))
    if left_out:
        for line in left_out.values():
            complain(line)
        complain(
            f"incomplete copy: the articles of {', '.join(left_out)} are not in it"
            " (the data dir is left as it is; its next writer asks the feeds for them again)"
        )
        return EXIT_USAGE
    return EXIT_OK


def _lock_to_read(data_dir: Path) -> WriterLock | None:
    """The writer lock of a data dir `migrate` reads, held so no poller writes into it
    meanwhile (StoreLocked when one does); None where the dir cannot be written (a backup
    on a read-only mount), as no poller can write there either."""
    lock = WriterLock(data_dir)
    try:
        lock.acquire()
    except StoreLocked:
        raise
    except StoreError:
        return None
    return lock


def _left_out(source: ArticleStore) -> dict[str, str]:
    """Each day file of a data dir whose articles the copy lacks, with a line saying why
    and how many articles its row cache says it held: one that could not be read, and one
    its row cache or shards.json names that is missing (the health copied says their
    articles were seen, so the copy's must forget it, `_forgotten`)."""
    from fetchers.store.core import Store
    from fetchers.store.shards import SHARD_RE, rows_as_written

    def many(name: str) -> str:
        match = SHARD_RE.match(name)
        rows = (
            rows_as_written(source.dir, match.group(1))
            if isinstance(source, Store) and match
            else None
        )
        return f"{counted(len(rows), 'article')}" if rows else "its articles"

    lines = {name: f"{name} cannot be read: {many(name)} not copied" for name in source.unreadable}
    if isinstance(source, Store):
        for name, by in source.missing_days():
            lines.setdefault(name, f"{name} is missing ({by} names it): {many(name)} not copied")
    return lines


def _forgotten(health: dict[str, SourceHealth]) -> dict[str, SourceHealth]:
    """The health of a copy lacking the articles of a day file that could not be read:
    every feed's validators and listing forgotten, so its first poll asks for everything
    and brings them back (they said those articles were seen)."""
    for kept in health.values():
        kept.etag = kept.last_modified = None
        kept.listed = frozenset()
        kept.refilling = True
    return health


def _migrate_rest(
    ctx: Context,
    source: ArticleStore,
    target: ArticleStore,
    target_dir: Path,
    out: TextIO,
    forget: bool,
) -> None:
    """What `migrate` copies besides the articles: the days filed ahead, the sources'
    health (`forget`: its validators and listings forgotten, the copy lacking articles they
    said were seen), the desk's records a database keeps."""
    from fetchers.store.copy import copy_days_ahead

    ahead = copy_days_ahead(source, target)
    if ahead:  # (each dropped retention_days after the real day it was found so)
        out.write(f"and {counted(ahead, 'day')} filed ahead of the real clock, as noted\n")
    reader = getattr(source, "reader", None)
    if reader is not None and not target.keeps_desk:  # a data dir has one reader's marks
        out.write(
            f"(the read marks are {reader}'s, whose store this is: `[settings] reader`"
            " chooses whose are copied)\n"
        )
    # the sources' health, with what each feed listed: without it the first poll of the
    # copy stored again (and alerted on) what retention had dropped
    health = HealthBook(ctx.data_dir, store=source).load(listed=True)
    if forget:
        health = _forgotten(health)
    into = HealthBook(target_dir, store=target)
    if health and not into.load():
        into.save(health)
        out.write(f"and the health of {len(health)} sources\n")
    if target.keeps_desk and not source.keeps_desk:
        carried_desk = copy_desk_into_store(
            ctx.data_dir, target, ctx.clock(), ctx.config.settings.retention_days
        )
        if carried_desk:
            out.write(f"and from {ctx.data_dir}: {', '.join(carried_desk)}\n")


def _same_folder(one: Path, other: Path) -> bool:
    """Whether two paths are one folder (either may not exist yet)."""
    try:
        return one.samefile(other)
    except OSError:
        return one.resolve() == other.resolve()


def copy_desk_into_store(
    source: Path, target: ArticleStore, now: datetime, retention_days: int
) -> list[str]:
    """The events added in the app and the alert history of a data dir, copied into a
    store that keeps the desk's (a database) and holds none yet: a host reading them from
    the database showed none after a migration. What fired is recorded as fired in the
    store (each match's article, each spike's hour), so no poller of it fires it again, on
    any host: a spike fired that hour fired again from the database. (Its alert rules are
    read from the data dir until the database has any.)"""
    from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
    from fetchers.alerting import fired_in
    from fetchers.events import EventBook, EventBookError

    carried = []
    try:
        found = EventBook(source).load()
        into = EventBook(source, store=target)
        if found and not into.load():
            for event in found:
                into.add(event)
            carried.append(f"{len(found)} events added in the app")
    except EventBookError as exc:
        complain(f"the events added in the app are not copied: {exc}")
    fired: list[AlertEntry] = []
    try:
        fired = AlertHistory(source).load()
        history = AlertHistory(source, writer=True, store=target)
        if fired and not history.load():
            kept = [{k: v for k, v in e._asdict().items() if k != "seq"} for e in fired]
            history.append(kept, now, retention_days)
            carried.append(f"{len(fired)} alerts of the history")
    except HistoryError as exc:
        complain(f"the alert history is not copied: {exc}")
    target.fire_once(fired_in(source, fired))
    return carried


def copy_desk_files(source: Path, target: Path) -> list[str]:
    """The desk's files beside the articles (events added in the app, alert rules and
    history, source health with what each feed listed, what polls under a held clock stored
    and what retention dropped, stories, the theme) copied into a data dir that lacks them."""
    from fetchers import alerthistory, alerting, alertrules, events, healthbook, storybook
    from tui import theme

    carried = []
    names = [
        events.FILE, alertrules.FILE, alerthistory.FILE, alerthistory.OLD_FILE, alerting.STATE_FILE,
        storybook.FILE, theme.CHOICE_FILE,
    ]  # fmt: skip
    if not (target / healthbook.FILE).exists():  # the health's files go together, or none:
        # beside the health saved from the store, another's held or dropped ids were taken
        # for its sources'
        names += [healthbook.FILE, *healthbook.PARTS]
    for name in names:
        if (source / name).is_file() and not (target / name).exists():
            shutil.copy2(source / name, target / name)
            carried.append(name)
    return carried


def cmd_extract(args: argparse.Namespace, out: TextIO) -> int:
    from fetchers.extract import ExtractError, extract_article

    body = _page_read(args.file, _page_limit(args))
    try:
        page = extract_article(body, None, None)
    except ExtractError as exc:
        complain(f"{args.file}: {exc}")
        return EXIT_SOURCES_FAILED
    out.write(page.text + "\n")  # the main text alone (its headline is no part of it)
    return EXIT_OK


def _page_limit(args: argparse.Namespace) -> int:
    """The most bytes `extract` reads of a page: the config's `max_body`, as for a page
    fetched (the config is read for nothing else: `extract` needs no data dir)."""
    clock, frozen = _clock(args)
    path = find_config(_given(args, "config", "--config", "a config file"))
    return load_config(path, clock(), clock_held=frozen).settings.max_body


def _page_read(name: str, limit: int) -> bytes:
    """The bytes of the page `name` names ("-": the standard input), at most `limit`;
    UsageError for more: `extract /dev/zero` read until the system killed it. A pipe or a
    device is read as a file is (`extract <(curl …)` reads a pipe), within the limit."""
    shown = "the standard input" if name == "-" else name
    try:
        if name == "-":
            body = _stdin().buffer.read(limit + 1)
        else:
            with Path(name).open("rb") as page:
                body = page.read(limit + 1)
    except OSError as exc:
        raise UsageError(f"{shown}: {exc.strerror or exc}") from None
    if len(body) > limit:
        raise UsageError(
            f"{shown}: larger than the {limit:,} byte limit ([settings] max_body raises it)"
        )
    return body


COMMANDS: dict[str, Callable[[Context, argparse.Namespace, TextIO], int]] = {
    "dashboard": cmd_dashboard,
    "refresh": cmd_refresh,
    "poll": cmd_poll,
    "list": cmd_list,
    "stories": cmd_stories,
    "show": cmd_show,
    "events": cmd_events,
    "sources": cmd_sources,
    "add": cmd_add,
    "import-opml": cmd_import_opml,
    "export-opml": cmd_export_opml,
    "serve": cmd_serve,
    "alerts": cmd_alerts,
    "trends": cmd_trends,
    "migrate": cmd_migrate,
}
