"""The status line: what the dashboard shows, how much matches, when the sources were polled
and whether anything is writing the store. Its state comes down through `data_bind`."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fetchers.healthbook import healths_at
from fetchers.liveness import WriterState
from fetchers.models import Clock, Source, SourceHealth
from fetchers.store.errors import Unreachable
from tui.format import clipped, duration

FIELDS = (
    "writer",
    "writer_state",
    "query_text",
    "ranked",
    "unread_only",
    "matching",
    "more_match",
    "counting",
    "counted",
    "of_stories",
    "total",
    "loading_rest",
    "last_poll",
    "health",
    "new_alerts",
    "unreachable",
)


class StatusLine(Widget):
    """One line, re-drawn only when its text changes (an idle dashboard sends the terminal
    nothing); the clock is read once a second for "polled 3m ago"."""

    DEFAULT_CSS = """
    StatusLine {
        width: 1fr;
        height: 1;
        background: $panel;
        color: $foreground;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    writer: reactive[bool] = reactive(False, repaint=False)
    """This dashboard polls and writes the store (else it views another process's)."""
    writer_state: reactive[WriterState | None] = reactive(None, repaint=False)
    """A viewer's last look at the writer."""
    query_text: reactive[str] = reactive("", repaint=False)
    ranked: reactive[bool] = reactive(False, repaint=False)
    """The headlines are ranked by relevance (asked for, and the filter has words to rank by)."""
    unread_only: reactive[bool] = reactive(False, repaint=False)
    matching: reactive[int] = reactive(0, repaint=False)
    more_match: reactive[bool] = reactive(False, repaint=False)
    counting: reactive[bool] = reactive(False, repaint=False)
    """The first page of the matches is listed; the rest are being listed."""
    counted: reactive[bool] = reactive(False, repaint=False)
    """While `counting`: `matching` is how many match (rows about the place were read)."""
    of_stories: reactive[bool] = reactive(False, repaint=False)
    """The counts are of stories, not articles."""
    total: reactive[int] = reactive(0, repaint=False)
    loading_rest: reactive[bool] = reactive(True, repaint=False)
    """Older days of the store are still being read."""
    last_poll: reactive[datetime | None] = reactive(None, repaint=False)
    """When this dashboard's newsroom last finished a cycle (a viewer: the writer's)."""
    health: reactive[dict[str, SourceHealth]] = reactive(dict, repaint=False)
    new_alerts: reactive[int] = reactive(0, repaint=False)
    """Alerts fired since the alerts screen was last open."""
    unreachable: reactive[Unreachable | None] = reactive(None, repaint=False)
    """The store's server has not answered since then, for this reason."""
    line: reactive[str] = reactive("")

    def __init__(
        self, sources: list[Source], clock: Clock, refresh_key: str, *, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.sources = sources
        self.clock = clock
        self.refresh_key = refresh_key  # named in "press r to poll here"

    def on_mount(self) -> None:
        for name in FIELDS:
            self.watch(self, name, self.update_line, init=False)
        self.update_line()
        self.set_interval(1.0, self.update_line)

    def render(self) -> Text:
        return Text(self.line, no_wrap=True, overflow="ellipsis")

    def update_line(self) -> None:
        parts = ["wirewatch"]
        state = self.writer_state
        lost = self.unreachable
        if lost is not None:  # first: nothing below is up to date
            silent = (datetime.now(UTC) - lost.since).total_seconds()
            parts.append(
                f"STORE UNREACHABLE for {duration(silent, 'minute')}, trying again "
                f"(as last read below): {lost.reason}"
            )
        if not self.writer and state is not None and state.gone:  # first: it must be seen
            if state.held:
                parts.append(
                    f"NOT UPDATING: the poller has written nothing for {duration(state.silent)}"
                )
            else:
                parts.append(
                    f"NOT UPDATING: the poller stopped {duration(state.silent, 'minute')} ago; "
                    f"{self.refresh_key} polls here"
                )
        if self.new_alerts:
            parts.append(f"{self.new_alerts:,} new alert{'' if self.new_alerts == 1 else 's'}")
        asked = None  # the filter's place among the parts
        if self.query_text or self.unread_only:
            shown = self.query_text + (" (unread only)" if self.unread_only else "")
            asked = len(parts)
            parts.append(f"filter: {shown.strip()}")
        if self.ranked:
            parts.append("by relevance")
        unit = " stories" if self.of_stories else ""
        if self.counting:
            at_least = "" if self.counted else "+"
            parts.append(f"{self.matching:,}{at_least} of {self.total:,}, listing the rest…")
        elif self.more_match:
            parts.append(f"{self.matching:,}+ of {self.total:,}{unit}, the newest listed")
        else:
            parts.append(f"{self.matching:,} of {self.total:,}{unit}")
        if self.loading_rest:
            parts.append("loading older articles…")
        parts.extend(self._poll_status())
        enabled = [s for s in self.sources if s.enabled]
        told = healths_at(self.health, ((s.name, s.location) for s in enabled))
        failing = sum(1 for h in told.values() if h.status == "error")
        parts.append(f"{failing} of {len(enabled)} sources failing")
        if not self.writer and not (state and state.gone) and lost is None:
            parts.append("viewer (attached to a poller)")
        self.line = _fitted(parts, asked, self.size.width)

    def on_resize(self) -> None:
        self.update_line()

    def _poll_status(self) -> list[str]:
        """When the sources were last polled and, for a writer that has not polled yet, when
        the next one is due: from their health, kept in the store, so a restart within the
        interval does not claim to be polling when nothing is due."""
        now = self.clock()
        polled = [h.last_polled for h in self.health.values() if h.last_polled]
        last = self.last_poll or (max(polled) if polled else None)
        out = [f"polled {duration((now - last).total_seconds(), 'minute')} ago"] if last else []
        if not self.writer:
            return out or ["waiting for the poller"]
        if self.last_poll is not None:  # this dashboard polls: it says so when it does
            return out
        enabled = ((s.name, s.location) for s in self.sources if s.enabled)
        due = [health.next_poll for health in healths_at(self.health, enabled).values()]
        if not due:
            return out
        if any(when is None or when <= now for when in due):
            return [*out, "polling…"]
        soonest = min(when for when in due if when is not None)
        return [*out, f"next poll in {duration((soonest - now).total_seconds(), 'minute')}"]


FILTER_KEPT = 12  # cells of a long filter's text kept when the line has no room for it whole


def _fitted(parts: list[str], asked: int | None, width: int) -> str:
    """The status line of `parts` in `width` cells: a filter too long for it (`asked`: its
    part) is cut first, down to FILTER_KEPT cells, so what follows it stays in sight (at 80
    columns the count of failing sources went the moment a filter was on); the line is cut at
    its end after that."""
    line = " " + " ─ ".join(parts)
    over = cell_len(line) - width
    if width <= 0 or over <= 0 or asked is None:
        return line
    said = parts[asked]
    keep = max(len("filter: ") + FILTER_KEPT, cell_len(said) - over)
    if keep < cell_len(said):
        parts = [*parts[:asked], clipped(said, keep), *parts[asked + 1 :]]
    return " " + " ─ ".join(parts)
