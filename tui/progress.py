"""Progress of long commands on a terminal: sources done of total, articles read, failures.

Shown on stderr only when it is a terminal and the output is not JSON, so scripts and pipes
see exactly what they saw before."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from types import TracebackType

from fetchers.models import PollResult


class RefreshProgress:
    """A live line for `wirewatch refresh`: fed one PollResult per source as it answers."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        self.articles = 0
        self.failed = 0
        self._progress = Progress(
            TextColumn("polling"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("sources · {task.fields[articles]} articles · {task.fields[failed]} failed"),
            console=Console(stderr=True),
            transient=True,  # the summary that follows says it all
        )
        self._total = total
        self._task = self._progress.add_task("refresh", total=total, articles=0, failed=0)

    @staticmethod
    def wanted(json_output: bool) -> bool:
        return not json_output and sys.stderr is not None and sys.stderr.isatty()

    def __enter__(self) -> RefreshProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def skipped(self, names: list[str]) -> None:
        """Sources the poll leaves out (their servers asked to wait): not waited for."""
        self._total -= len(names)
        self._progress.update(self._task, total=self._total)

    def source_done(self, result: PollResult) -> None:
        self.articles += result.items
        self.failed += result.status == "error"
        self._progress.update(self._task, advance=1, articles=self.articles, failed=self.failed)


@contextlib.contextmanager
def working(what: str) -> Iterator[None]:
    """A spinner saying `what` is under way, on a terminal's stderr only (scripts and pipes
    see nothing); it is erased when the work ends and its summary is printed."""
    if sys.stderr is None or not sys.stderr.isatty():  # (None: closed, `2>&-`)
        yield
        return
    from rich.console import Console

    with Console(stderr=True).status(what):
        yield
