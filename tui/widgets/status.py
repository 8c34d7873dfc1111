"""The status line: what the dashboard shows, how much matches, when the sources were polled
and whether anything is writing the store. Its state comes down through `data_bind`."""

from __future__ import annotations

import math
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from fetchers.healthbook import healths_at
from fetchers.liveness import WriterState
from fetchers.models import Clock, Source, SourceHealth
from fetchers.poller import PollProgress
from fetchers.store.errors import Unreachable
from tui.format import ahead, clipped, duration

FIELDS = (
    "writer",
    "writer_state",
    "read_only",
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
    "filtering",
    "last_poll",
    "poll_progress",
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
    read_only: reactive[bool] = reactive(False, repaint=False)
    """A viewer that cannot write the data dir: it cannot poll here either."""
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
    """Older days of the store are still being read (or their list has not come yet): the
    counts are of the part read."""
    filtering: reactive[bool] = reactive(False, repaint=False)
    """The filter shown is not the one the count is of: its list is being made."""
    last_poll: reactive[datetime | None] = reactive(None, repaint=False)
    """When this dashboard's newsroom last finished a cycle (a viewer: the writer's)."""
    poll_progress: reactive[PollProgress | None] = reactive(None, repaint=False)
    """How far this writer's poll under way is (None: none runs)."""
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
        parts = [Said("name", "wirewatch", "")]
        state = self.writer_state
        lost = self.unreachable
        if lost is not None and not lost.retried:  # first: nothing below is up to date
            parts.append(Said("unreachable", f"STORE REFUSED (as last read below): {lost.reason}"))
        elif lost is not None:
            silent = (datetime.now(UTC) - lost.since).total_seconds()
            parts.append(
                Said(
                    "unreachable",
                    f"STORE UNREACHABLE for {duration(silent, 'minute')}, trying again "
                    f"(as last read below): {lost.reason}",
                )
            )
        if not self.writer and state is not None and state.gone:  # first: it must be seen
            if state.held:
                said = f"NOT UPDATING: the poller has written nothing for {duration(state.silent)}"
            elif self.read_only:  # (the notice says why; `r` cannot poll here)
                said = "READ-ONLY: cannot poll here, and no poller writes this store"
            elif math.isinf(state.silent):  # (no lock file: no poller ever wrote here)
                said = f"NOT UPDATING: no poller writes here; {self.refresh_key} polls here"
            else:
                said = (
                    f"NOT UPDATING: the poller stopped {duration(state.silent, 'minute')} ago; "
                    f"{self.refresh_key} polls here"
                )
            parts.append(Said("stopped", said))
        if self.new_alerts:
            plural = "" if self.new_alerts == 1 else "s"
            parts.append(Said("alerts", f"{self.new_alerts:,} new alert{plural}"))
        if self.query_text or self.unread_only:
            shown = self.query_text + (" (unread only)" if self.unread_only else "")
            parts.append(Said("filter", f"filter: {shown.strip()}"))
        if self.ranked:
            parts.append(Said("ranked", "by relevance"))
        unit = " stories" if self.of_stories else ""
        at_least = not self.counted if self.counting else self.more_match
        matching = f"{self.matching:,}" + ("+" if at_least else "")
        # shortened twice: its explanation goes, then "of" is a slash
        count, slashed = f"{matching} of {self.total:,}", f"{matching}/{self.total:,}"
        if self.filtering:  # (the count of the list shown, beside another filter, is not its)
            making = "filtering…" if self.query_text or self.unread_only else "listing…"
            parts.append(Said("count", making))
        elif self.loading_rest:  # (of the part read: the store holds more)
            parts.append(Said("count", f"{self.matching:,}{unit} shown", f"{self.matching:,}"))
        elif self.counting:
            parts.append(Said("count", f"{count}, listing the rest…", f"{count}…", f"{slashed}…"))
        elif self.more_match:
            parts.append(Said("count", f"{count}{unit}, the newest listed", count, slashed))
        else:
            parts.append(Said("count", f"{count}{unit}", count, slashed))
        if self.loading_rest:
            parts.append(Said("loading", "loading older articles…", "loading…"))
        parts.extend(self._poll_status())
        enabled = [s for s in self.sources if s.enabled]
        told = healths_at(self.health, ((s.name, s.location) for s in enabled))
        failing = sum(1 for h in told.values() if h.status == "error")
        parts.append(
            Said(
                "failing",
                f"{failing} of {len(enabled)} sources failing",
                f"{failing}/{len(enabled)} failing",
            )
        )
        if not self.writer and not (state and state.gone) and lost is None:
            parts.append(Said("viewer", "viewer (attached to a poller)", "viewer"))
        self.line = _fitted(parts, self.size.width)

    def on_resize(self) -> None:
        self.update_line()

    def _poll_status(self) -> list[Said]:
        """When the sources were last polled and, for a writer, how far its poll under way
        is ("polling… 800 of 2,000 sources"; a first poll or `r` of 2,000 sources takes a
        minute) or, when it has not polled yet, when the next one is due: from their
        health, kept in the store, so a restart within the interval does not claim to be
        polling when nothing is due. (During a poll, the polls of its sources are not the
        last one's: "polled <1m ago" was said as a first poll began.)"""
        now = self.clock()
        progress = self.poll_progress if self.writer else None
        polled = [
            h.last_polled
            for h in self.health.values()
            if h.last_polled and (progress is None or h.last_polled < progress.began)
        ]
        last = self.last_poll or (max(polled) if polled else None)
        out: list[Said] = []
        after = ahead(last, now) if last is not None else None
        if after is not None:  # (the clock went back, or --now is earlier than the polls)
            dated = f"last poll dated {after} after this clock"
            out.append(Said("polled", dated, f"polled {after} ahead", ""))
        elif last is not None:
            ago = duration((now - last).total_seconds(), "minute")
            out.append(Said("polled", f"polled {ago} ago", f"polled {ago}", ""))
        if not self.writer:
            return out or [Said("polled", "waiting for the poller", "no poll yet", "")]
        if progress is not None:
            answered, asked = f"{progress.answered:,}", f"{progress.asked:,}"
            said = f"polling… {answered} of {asked} sources"
            return [*out, Said("progress", said, f"polling… {answered}/{asked}")]
        if self.last_poll is not None:  # this dashboard polls: it says so when it does
            return out
        enabled = ((s.name, s.location) for s in self.sources if s.enabled)
        due = [health.next_poll for health in healths_at(self.health, enabled).values()]
        if not due:
            return out
        if any(when is None or when <= now for when in due):
            return [*out, Said("next", "polling…", "")]
        soonest = min(when for when in due if when is not None)
        left = duration((soonest - now).total_seconds(), "minute")
        return [*out, Said("next", f"next poll in {left}", "")]


class Said:
    """One part of the status line: what it says (`forms`, longest first; an empty last form
    lets a narrow terminal leave it out) and what it is (`kind`, named in SHORTENED)."""

    def __init__(self, kind: str, *forms: str) -> None:
        self.kind = kind
        self.forms = list(forms)
        self.shown = 0  # the form shown

    @property
    def text(self) -> str:
        return self.forms[self.shown]


# What is shortened, one step at a time, while the line is too long for the terminal: at 80
# columns "12 of 13 sources failing" went off its end, cut after when the sources were polled
# and when they are next. When they are polled next goes first, then the explanations, then a
# long filter (the reader typed it; `/` shows it whole); what the desk cannot do without (its
# failing sources, a viewer's state, a store out of reach) is shortened last, if ever. A kind
# named twice takes its next form at each (the last poll's time is shortened, then left out).
SHORTENED = (
    "next",
    "count",
    "loading",
    "polled",
    "progress",
    "filter",
    "viewer",
    "failing",
    "polled",
    "name",
    "count",
)


FILTER_KEPT = 12  # cells of a long filter's text kept when the line has no room for it whole


def _fitted(parts: list[Said], width: int) -> str:
    """The status line of `parts` in `width` cells: each kind in SHORTENED takes its shorter
    form in turn until the line fits; a filter too long for it is cut down to FILTER_KEPT
    cells (it is the reader's to see again with `/`). What still does not fit is cut at the
    end."""

    def line() -> str:
        return " " + " ─ ".join(part.text for part in parts if part.text)

    if width <= 0:
        return line()
    for kind in SHORTENED:
        over = cell_len(line()) - width
        if over <= 0:
            break
        for part in parts:
            if part.kind != kind:
                continue
            if kind == "filter" and part.shown == 0:
                said = part.text
                keep = max(len("filter: ") + FILTER_KEPT, cell_len(said) - over)
                part.forms.append(clipped(said, keep))
            if part.shown + 1 < len(part.forms):
                part.shown += 1
    return line()
