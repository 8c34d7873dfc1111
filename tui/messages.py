"""Messages that end the dashboard's workers: each carries the whole result, and the handler
uses that result rather than reaching back into the store or the poller."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from textual.message import Message

from fetchers.alertfeed import NewAlerts
from fetchers.alerthistory import AlertEntry
from fetchers.alertrules import AlertRule
from fetchers.config import Config
from fetchers.models import Event, SourceHealth
from fetchers.query import NameCompletion, Record
from fetchers.story import Story
from fetchers.storybook import Lead
from fetchers.storyshelf import StoryShelf
from tui.alertdata import AlertsView, RowCounts, Watched
from tui.rows import Rows
from tui.session import CountBy, History, Matches, Reload, Session
from tui.widgets.textlines import Wrapped


@dataclass
class SessionOpened(Message):
    """The store's newest days are open: the dashboard can be shown."""

    session: Session


@dataclass
class StoreLoaded(Message):
    """Every day of the store is loaded (the first paint came from the newest ones)."""


@dataclass
class PollerReady(Message):
    """The network stack is imported and the parse workers run: polling can start.
    `at_once`: every source is polled now, whatever its schedule (a dashboard that took
    over from a poller that stopped: its articles are as old as the poller's last cycle)."""

    at_once: bool = False


@dataclass
class PollingStopped(Message):
    """The newsroom's poll loop in this dashboard has ended (closed, or failed: its worker's
    error is reported apart)."""


@dataclass
class ConfigReread(Message):
    """The config file changed and was read again (its sources are the screen's now)."""

    config: Config


@dataclass
class ConfigRefused(Message):
    """The config file changed but cannot be read: why (the running config is kept)."""

    problem: str


@dataclass
class CycleDone(Message):
    """A poll cycle of this dashboard's newsroom finished: what it added and removed, and every
    source's health after it."""

    new_ids: list[str]
    removed: int
    health: dict[str, SourceHealth]
    polled_at: datetime
    revised_ids: list[str] = field(default_factory=list)  # stored, with another headline now
    moved_ids: list[str] = field(default_factory=list)  # stored, at another link now


@dataclass
class RowsReadAgain(Message):
    """The rows about the screen, read again: a headline its source revised, or marks
    another process changed."""

    rows: Rows | None  # None: nothing to draw again (no mark changed, or the read failed)
    generation: int  # the headlines' generation the rows were read for
    marked: bool = False  # another process changed a mark (the unread view counts again)


@dataclass
class ClockLooked(Message):
    """A look at whether the filter's (or the events') bounds counted from now passed an
    article's time as the clock moved on."""

    generation: int  # the query the look was of
    listed: bool  # the list is otherwise now
    counted: bool  # the events' headline counts are


@dataclass
class ViewerReloaded(Message):
    """A viewer's look at the store another process writes."""

    reload: Reload
    rows: Rows  # the rows about the screen, read again (marks change in other processes)


@dataclass
class QueryDone(Message):
    """The articles matching the filter the query `generation` was run for, and the filter's
    words, highlighted in them."""

    generation: int
    matches: Matches
    words: list[str]
    shelf: StoryShelf | None = None  # the stories `matches.stories` are of
    rows: Rows | None = None  # the rows about the place the pane keeps, read in the thread
    found: tuple[str | None, int] | None = None  # the id highlighted, where it is (-1: not)
    # set once the screen has been drawn with these rows (or they are dropped): the query's
    # thread waits for it, so background work keeps giving way until then, and the whole
    # list after a first page is made only then
    painted: threading.Event | None = None

    def can_replace(self, message: Message) -> bool:
        """Whether `message`, queued after this answer, takes its place before the screen
        reads either (Textual then drops this one): an answer to the same query or a newer
        one does, an older query's never (its thread may finish after a newer one's). A
        dropped answer counts as drawn: its thread waits no longer for the screen."""
        replaced = isinstance(message, QueryDone) and message.generation >= self.generation
        if replaced and self.painted is not None:
            self.painted.set()
        return replaced


@dataclass
class MarksChanged(Message):
    """These articles' read or starred marks changed: their rows, read again."""

    ids: list[str]
    rows: Rows
    said: str | None = None  # what the key did, to say (a story's articles marked)


@dataclass
class AllMarkedRead(Message):
    """`A`, pressed twice: how many of the articles listed were unread and are read now."""

    marked: int


@dataclass
class UnreadFound(Message):
    """`n` / `N`: the row of the next unread article (or story) of the list of
    `generation`, None when there is none that way."""

    generation: int
    row: int | None
    step: int


@dataclass
class UnreadCounted(Message):
    """(The unread view.) Its rows read since it was listed, as the store has them now: by
    this process or another, which the list counts no longer."""

    listing: int  # the headlines' listing the rows were counted in
    marked_here: int  # the marks this dashboard had made when they were counted
    read: set[str]  # the rows (article or story ids) read now


@dataclass
class LinkOpened(Message):
    """`o`: the article's link and whether a browser took it (else the dashboard copies it),
    or why no link was opened (`refused`; `warning`: a link that is not opened on purpose)."""

    link: str | None
    opened: bool = False
    refused: str | None = None
    warning: bool = False
    terminal: list[str] | None = None  # a text browser's command: it runs in the terminal
    served: bool = False  # a browser tab of `serve`: that browser opens it, in a new tab
    in_tmux: bool = False  # copied already, into tmux's paste buffer (and on to the clipboard)
    not_opened: str = "No browser here"  # why a link that is copied was not opened


@dataclass
class EventsLoaded(Message):
    """The events as they are now, what is wrong with the events file (if anything is), and
    what was just done to them (if anything was)."""

    events: list[Event]
    problem: str | None = None
    done: str | None = None
    looked: bool = False  # a periodic look: taken only when they changed (another process)


@dataclass
class EventNotSaved(Message):
    """An event added or edited in the app could not be saved (the file broken, the store
    away): the form is opened again with what was typed, and why is said."""

    change: str
    event: Event
    reason: str
    gone: bool = False  # the event edited is no longer stored: it can only be added anew


@dataclass
class Counted(Message):
    """Articles per source or per tag, for a picker."""

    by: CountBy
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class NamesGathered(Message):
    """The source and tag names the `/` prompt completes `source:` and `tag:` values from."""

    names: NameCompletion


@dataclass
class TookOver(Message):
    """A viewer became the writer of a store whose poller had gone (or could not: `refused`)."""

    refused: str | None = None


@dataclass
class AlertsArrived(Message):
    """A dashboard's look at the alert history found entries fired since its last look (with
    the bytes its terminal gets for them), or could not read it."""

    new: NewAlerts


@dataclass
class AlertsRead(Message):
    """The alert history and the rules, read for the alerts screen."""

    view: AlertsView


@dataclass
class RulesChanged(Message):
    """The rules after a change made in the alerts screen (what was done, or why not), or
    read again for a config file that changed (`reread`)."""

    watched: list[Watched]
    problems: list[str]
    done: str | None = None
    refused: str | None = None
    # a rule added or edited that was refused (the file broken, the disk full or read-only):
    # the rule edited, if one was, and its fields as typed, for the form to open again with
    # them (it had closed: what was typed was lost)
    rule: AlertRule | None = None
    typed: dict[str, Any] | None = None
    reread: bool = False  # no change made: read again, the config file having changed


@dataclass
class HistoryRead(Message):
    """The alerts screen's history read again: of one rule (its key), or of every rule."""

    rule: str | None
    entries: list[AlertEntry]
    total: int
    problems: list[str]


@dataclass
class Trended(Message):
    """Mentions per hour of each row of the alerts screen's velocity list (`generation`: the
    list they were counted for)."""

    generation: int
    counts: list[RowCounts]


@dataclass
class StoriesRead(Message):
    """The stories as they are after the store loaded, a cycle, or a viewer's reload."""

    shelf: StoryShelf


@dataclass
class RevisionsRead(Message):
    """What an article said before its source changed it (None: it is no longer stored)."""

    ident: str
    history: History | None
    shown: Wrapped | None = None  # its word diffs, made and wrapped in the thread


@dataclass
class StoryRead(Message):
    """A story's articles as stored, in the story's order (those no longer stored left out),
    for its timeline."""

    story: Story
    records: list[Record]
    again: bool = False  # read again for the open timeline (the stories changed)


@dataclass
class LeadsRead(Message):
    """Per source, how many of the listed stories of several sources it reported first and
    its median lag behind the first report, for the health picker."""

    leads: dict[str, Lead]
    again: bool = False  # for the open picker (it is said anew), not one to open


@dataclass
class ArticleLookedUp(Message):
    """Whether the article asked to be shown (from the alerts screen) is still stored."""

    ident: str
    stored: bool
