"""What an open dashboard (viewer or writer) does with new alerts: read the history entries
added since its last look, and the bytes that ring the bell and raise terminal notifications
for them. The dashboard calls `take()` from a thread every few seconds and writes the bytes
to its terminal; the core never touches the screen."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fetchers.alerthistory import AlertEntry, AlertHistory, HistoryError
from fetchers.store.interface import ArticleStore


@dataclass(slots=True)
class NewAlerts:
    entries: list[AlertEntry]  # oldest first
    output: bytes  # OSC 9/777 notifications and the bell, for the terminal
    problem: str | None = None  # why the history could not be read this time
    # (a dashboard that is the writer) deliveries to desktop or webhooks that failed since
    # its last look, oldest first
    undelivered: list[str] = field(default_factory=list)


class AlertFeed:
    """New alerts for one dashboard: those after the history's newest entry when it opened."""

    def __init__(
        self,
        data_dir: Path,
        bell: bool,
        in_tmux: bool | None = None,
        store: ArticleStore | None = None,
    ) -> None:
        self.history = AlertHistory(data_dir, store=store)  # the store's, where it keeps the desk's
        self.bell = bell
        self.in_tmux = in_tmux
        self.mark: int | None = None
        try:
            self.mark = self.history.mark()
        except HistoryError:
            pass  # marked at the first look that can read it

    def take(self) -> NewAlerts:
        from fetchers.notify import terminal_output  # httpx stays out of a viewer's start

        try:
            if self.mark is None:
                self.mark = self.history.mark()
                return NewAlerts([], b"")
            entries, self.mark = self.history.since(self.mark)
        except HistoryError as exc:
            return NewAlerts([], b"", str(exc))
        return NewAlerts(entries, terminal_output(entries, self.bell, self.in_tmux))
