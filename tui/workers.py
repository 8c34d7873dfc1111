"""What happens when a worker fails: it is reported in a notification, never fatal, and a
failure the user can act on (a store or events file that cannot be written) is said plainly."""

from __future__ import annotations

from textual.app import App
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from fetchers.events import EventBookError
from fetchers.store import StoreError
from fetchers.store.errors import Unreachable

STORE_AWAY_TITLE = "Store unreachable"


def _away(app: App[object]) -> Unreachable | None:
    """The outage of the app's store, when its server is out of reach."""
    session = getattr(app, "session", None)
    return session.store.unreachable if session is not None else None


def say_store_away(app: App[object], said: str, away: Unreachable) -> None:
    """Say an outage once, in one notification (each worker's failure during it stacked one
    more "cannot read" toast over the screen, beside the status line that says it)."""
    if getattr(app, "store_away_said", None) == away.since:
        return
    app.store_away_said = away.since  # type: ignore[attr-defined]
    for note in list(app._notifications):  # (one said of an earlier outage: replaced)
        if note.title == STORE_AWAY_TITLE:
            app._unnotify(note)
    app.notify(said, title=STORE_AWAY_TITLE, severity="error", timeout=30, markup=False)


def said_as_outage(app: App[object], problem: str) -> bool:
    """Whether `problem` is the store's server out of reach (a read of the events, of the
    alert history, that failed), said once as the outage (`say_store_away`) if so."""
    session = getattr(app, "session", None)
    away = _away(app)
    if away is None or session is None or not problem.startswith(session.store.location):
        return False
    say_store_away(app, problem, away)
    return True


def store_answers_again(app: App[object]) -> None:
    """The outage is over: the next one is said again."""
    app.store_away_said = None  # type: ignore[attr-defined]


class ReportsWorkerErrors(MessagePump):
    """Mixed into the app and the screens whose workers run with exit_on_error=False."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        app = self.app
        away = _away(app) if isinstance(error, StoreError) else None
        if away is not None:  # the status line says it for as long as it lasts
            say_store_away(app, str(error), away)
        elif isinstance(error, StoreError):
            app.notify(str(error), title="Store", severity="error", timeout=30, markup=False)
        elif isinstance(error, EventBookError):
            app.notify(str(error), title="Events", severity="error", markup=False)
        else:
            app.notify(
                f"{type(error).__name__}: {error}",
                title=event.worker.group,
                severity="error",
                markup=False,
            )
