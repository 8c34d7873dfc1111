"""Everything a person touches: the Textual dashboard, its widgets and screens, and the CLI."""

import os as _os
import signal as _signal
import sys as _sys

_VALUED = ("--config", "--data-dir", "--now")  # the global options that take a value


def _command(argv: list[str]) -> str | None:
    """The command a `wirewatch` command line runs: its first word that is no option nor
    an option's value."""
    words = iter(argv)
    for word in words:
        if word in _VALUED:
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


# `wirewatch poll` is a service: a reload (SIGHUP) sent while it starts, before it listens for
# one, is ignored rather than ending it (it ended it, silently, in its first tenth of a
# second, while the CLI's modules were still being imported). Done here, the first code a
# command runs, for that command alone (a dashboard's terminal hanging up still ends it).
if _os.path.basename(_sys.argv[0]) in ("wirewatch", "-m") and _command(_sys.argv[1:]) == "poll":
    _signal.signal(_signal.SIGHUP, _signal.SIG_IGN)
