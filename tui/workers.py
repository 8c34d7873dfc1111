"""What happens when a worker fails: it is reported in a notification, never fatal, and a
failure the user can act on (a store or events file that cannot be written) is said plainly."""

from __future__ import annotations

from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState

from fetchers.events import EventBookError
from fetchers.store import StoreError


class ReportsWorkerErrors(MessagePump):
    """Mixed into the app and the screens whose workers run with exit_on_error=False."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        error = event.worker.error
        if event.state != WorkerState.ERROR or error is None:
            return
        app = self.app
        if isinstance(error, StoreError):
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
