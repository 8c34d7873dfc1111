"""`!`: what fired (newest first; enter goes to the article), and every alert rule and watch
term with its mentions per hour as a sparkline; rules are added, edited, muted and removed
here (stored in alerts.json through the dashboard's `AlertData`), and a watch term or the
filter in force becomes a rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Literal, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from fetchers.alerthistory import MAX_ENTRIES, AlertEntry
from fetchers.alertrules import (
    WEBHOOK_FORMATS,
    AlertRule,
    RuleBookError,
    RuleError,
    make_rule,
    rule_name_key,
    webhook_format,
)
from fetchers.models import Clock
from fetchers.trends import sparkline, spike_verdict, watch_query
from tui.actions import (
    NO_KEY,
    TableOrderedKeys,
    bindings,
    hints,
    key_hint,
    key_shown,
)
from tui.alertdata import (
    HISTORY_SHOWN,
    TREND_HOURS,
    AlertData,
    AlertsView,
    RowCounts,
    RuleChange,
    Watched,
)
from tui.confirm import PressedTwice
from tui.format import clipped, fit, shown_line
from tui.layout import is_narrow
from tui.messages import HistoryRead, RulesChanged, Trended
from tui.screens.picker import move_in
from tui.widgets.footer import KeyFooter
from tui.widgets.oneline import OneLineInput
from tui.widgets.rowlist import RowList
from tui.workers import ReportsWorkerErrors

RULE_WIDTH = 18
SOURCE_WIDTH = 15
NARROW_RULE, NARROW_SOURCE = 12, 10  # the same on a narrow screen, for the title's sake
# fewer columns than this: a history row is two lines, the headline under the rest (at 40
# columns the one line's time, rule and source took 39 cells)
STACKED_WIDTH = 60
TIGHT_NAME, TIGHT_SPARK = 12, 8  # a velocity row's name and sparkline there
NAME_WIDTH = 20  # a velocity row's name, before what it is and its sparkline
WIDE_NAME, WIDE_SPARK = 46, 48  # a velocity row's label (name and what it is) and sparkline
NARROW_NAME, NARROW_SPARK = 22, 12  # the same on a narrow screen

log = logging.getLogger("wirewatch.app")


class AlertChoice(NamedTuple):
    """What the alerts screen asks the dashboard to do: show an article, or filter to a
    rule's or term's query."""

    action: Literal["article", "filter"]
    target: str  # an article id, or a query


def entry_row(entry: AlertEntry, zone: tzinfo, narrow: bool = False, stacked: bool = False) -> Text:
    """One history row, plain text (feed titles are never markup): time, rule, kind,
    source, title. `narrow`: shorter columns and a spike said before the title, so the
    title keeps room (at 60 columns the columns took 57 cells). `stacked`: the title on a
    line of its own, under time, rule and source, each line cut to the width."""
    if stacked:
        head = Text(f"{entry.at.astimezone(zone):%m-%d %H:%M}  ")
        head.append(entry.alert, style="bold")
        if entry.source:
            head.append(f" · {entry.source}")
        said = Text("  ")
        if entry.kind == "spike":
            said.append("spike · ", style="italic")
        said.append(entry.said)
        for line in (head, said):
            line.no_wrap, line.overflow = True, "ellipsis"
        return Text("\n", no_wrap=True, overflow="ellipsis").join((head, said))
    row = Text(no_wrap=True, overflow="ellipsis")
    row.append(f"{entry.at.astimezone(zone):%m-%d %H:%M}  ")
    row.append(fit(entry.alert, NARROW_RULE if narrow else RULE_WIDTH) + "  ", style="bold")
    spike = "italic" if entry.kind == "spike" else ""
    if not narrow:
        row.append(f"{entry.kind:<5}  ", style=spike)
    row.append(fit(entry.source or "", NARROW_SOURCE if narrow else SOURCE_WIDTH) + "  ")
    if narrow and entry.kind == "spike":
        row.append("spike · ", style=spike)
    row.append(entry.said)
    return row


KIND_LABELS = {"watch": "watch term", "story": "story · articles an hour"}  # (45 of 46 cells)
NOT_A_RULE = {  # what the rule keys say of a row that is no rule
    "watch": "a watch term ([watch] in the config){promote}",
    "story": "a story: enter filters to it",
}


def watched_label(row: Watched, narrow: bool = False) -> Text:
    """A velocity row's name and what it is: a config or app rule (muted or where it
    notifies), a watch term or a story; `narrow`: the name, and "muted" after a muted
    rule's (what else it is has no room there, and a muted rule looked like any other)."""
    rule = row.rule
    muted = rule is not None and rule.muted
    label = Text(no_wrap=True, overflow="ellipsis")
    if narrow:
        label.append(clipped(row.name, NAME_WIDTH - len(" muted")) if muted else row.name, "bold")
        if muted:
            label.append(" muted", style="italic")
        return label
    if rule is None:
        what = KIND_LABELS[row.kind]
    elif rule.problem is not None:  # (its notify may be what is wrong: not said as kinds)
        what = "app · not checking"
    else:
        where = "config" if rule.origin == "config" else "app"
        what = f"{where} · muted" if rule.muted else f"{where} · {', '.join(rule.notify)}"
    label.append(fit(row.name, NAME_WIDTH) + " ", style="bold")
    label.append(what, style="italic" if muted else "")
    return label


QUERY_ROOM = 10  # cells the query needs after the counts, or they are said short


RECOUNT_SECONDS = 30.0  # how often the open view counts its rows' mentions again


def trend_note(
    counts: list[int] | None,
    query: str,
    narrow: bool = False,
    room: int | None = None,
    unfired: str | None = None,
) -> Text:
    """After the sparkline: the running hour's count against its spike line (over it: SPIKE,
    or why none fires, `unfired`), and the query;
    `narrow`, or less `room` than the counts in words and a bit of the query need: a spike
    said first and the counts short, so a cut falls on the query, never inside a number
    ("47" was drawn "4") or before the spike line and its mark (at 120 columns)."""
    if counts is None:
        return Text(f" counting…  {query}", no_wrap=True, overflow="ellipsis")
    verdict = spike_verdict(counts)
    fires = verdict.spike and unfired is None  # (`unfired`: why it never fires a spike)
    spike = "  SPIKE" if fires else f"  {unfired}" if unfired else ""
    said = f" {verdict.current} this hour (spike at {verdict.spikes_at}){spike}"
    if narrow or (room is not None and cell_len(said) + QUERY_ROOM > room):
        spike = "SPIKE " if fires else f"{unfired} " if unfired and verdict.spike else ""
        said = f" {spike}{verdict.current}/h, spike {verdict.spikes_at}"
    return Text(f"{said}  {query}", no_wrap=True, overflow="ellipsis")


def row_note(
    row: Watched,
    counts: list[int] | None,
    narrow: bool = False,
    room: int | None = None,
    unfired: str | None = None,
) -> Text:
    """After the sparkline: why the rule fires for nothing, when it does (in the place of
    its counts, which are none), else `trend_note` (`unfired`: why these counts over the
    line fire nothing, as `RowCounts` says, when the row itself does not)."""
    if row.fault is not None:
        return Text(f" ✗ {row.fault}", style="bold", no_wrap=True, overflow="ellipsis")
    return trend_note(counts, row.query, narrow, room, row.no_spike or unfired)


@dataclass(slots=True)
class WatchedItem:
    """A row of the rules list: its rule or term, its last hours' counts (None until
    counted) and why its count over the line fires no spike (`RowCounts`). Not a widget:
    one OptionList draws every row, as a widget of four a row (at 200 rules, 800 widgets)
    laid the whole screen out again at each move."""

    row: Watched
    counts: list[int] | None = None
    unfired: str | None = None


class RowWidths(NamedTuple):
    """The cells of a rules row's name and sparkline, and of the whole row (0: not laid
    out yet), as the screen's width has room for."""

    name: int
    spark: int
    width: int
    narrow: bool = False


def watched_prompt(item: WatchedItem, widths: RowWidths, spark_style: str = "") -> Text:
    """A rules row: the name and what it is, a sparkline of its last hours, its count and
    query (or why the rule fires for nothing), cut to the row's width."""
    label = watched_label(item.row, widths.narrow)
    label.truncate(widths.name, overflow="ellipsis", pad=True)
    counts = item.counts or [0] * TREND_HOURS
    bars = Text(sparkline(counts, widths.spark).ljust(widths.spark), style=spark_style)
    room = widths.width - widths.name - widths.spark if widths.width else None
    note = row_note(item.row, item.counts, widths.narrow, room, item.unfired)
    row = Text.assemble(label, bars, note, no_wrap=True, overflow="ellipsis")
    if widths.width:
        row.truncate(widths.width, overflow="ellipsis")
    return row


class AlertsScreen(TableOrderedKeys, ReportsWorkerErrors, Screen[AlertChoice | None]):
    BINDINGS = bindings("alerts")
    DEFAULT_CSS = """
    AlertsScreen #alerts-history {
        height: 1fr;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    AlertsScreen #alerts-watched {
        height: auto;
        max-height: 50%;
    }
    AlertsScreen #alerts-watched {
        text-wrap: nowrap;  /* one line, cut with an ellipsis: a wrapped query's rest was */
        text-overflow: ellipsis;  /* on a second line the row has no room for, unseen */
    }
    /* "No alert has fired yet.", a note (disabled, so no cursor lands on it) in the muted
       colour: Textual's disabled grey is below 4.5:1 (3.4:1 in wirewatch-dark) */
    AlertsScreen #alerts-history > .option-list--option-disabled {
        color: $text-muted;
    }
    AlertsScreen #alerts-hint {
        height: 1;
        padding: 0 1;
        color: $text-muted;
    }
    """

    def __init__(
        self, data: AlertData, view: AlertsView, filter_text: str, clock: Clock, zone: tzinfo
    ) -> None:
        super().__init__()
        self.data = data
        self._removing = PressedTwice()  # d asks to be pressed again
        self.entries = list(view.entries)
        self.total = view.total
        self.watched = list(view.watched)
        self.items = [WatchedItem(row) for row in self.watched]  # the rules list's rows
        self.narrowed: str | None = None  # the rule whose alerts alone the history lists
        self.filter_text = filter_text
        self.clock = clock
        self.zone = zone
        self.generation = 0  # of the velocity list: counts for an older one are dropped
        self._counting = False  # a count runs in its thread (`_count`)
        self._count_again = False  # and another was asked meanwhile
        self._problems = view.problems
        self._form: RuleForm | None = None  # the rule form open over the screen, if one is
        self._narrow = False  # the rows as drawn: for a narrow screen
        self._stacked = False  # and two lines each, for a screen narrower still

    def compose(self) -> ComposeResult:
        with Vertical():
            history = RowList(*self._history_options(), id="alerts-history", classes="pane")
            history.border_title = self._history_title()
            yield history
            watched = RowList(
                *[self._prompt(item) for item in self.items],
                id="alerts-watched",
                classes="pane",
            )
            watched.border_title = (
                f"Rules and watch terms · mentions per hour, last {TREND_HOURS} h"
            )
            yield watched
            yield Static(
                Text(
                    hints(
                        "enter on an alert shows its article",
                        "enter on a rule filters to it",
                        key_hint(key_shown(self.app, "alerts.rule_history"), "lists its alerts"),
                    )
                ),
                id="alerts-hint",
            )
        yield KeyFooter()

    def on_mount(self) -> None:
        for problem in self._problems:
            self.notify(problem, title="Alerts", severity="error", markup=False)
        self.query_one("#alerts-history", OptionList).focus()
        self._count()
        # counted again as news comes: a watch term's mentions fire no alert to say so
        self.set_interval(RECOUNT_SECONDS, self._count)
        self.call_after_refresh(self._fit_rows)  # opened on a narrow screen

    # -- the history ----------------------------------------------------------------------
    def _history_title(self) -> Content:
        """The history pane's title, as written: it names a rule or a story, whose headline
        is feed text ("[/] Trump…" stopped the dashboard, a plain str title being markup, and
        "[Video] Trump lands" lost its "[Video]")."""
        shown = len(self.entries)
        more = f", the newest {shown} of {self.total:,}" if self.total > shown else ""
        if self.narrowed is None:
            return Content(f"Alerts fired, newest first{more}")
        name = next((w.name for w in self.watched if w.key == self.narrowed), self.narrowed)
        back = key_hint(key_shown(self.app, "alerts.rule_history"), "")
        every = f" ({back.strip()}: every rule's)" if back else ""
        return Content(f"Alerts fired for {shown_line(name)}, newest first{more}{every}")

    def _history_options(self) -> list[Option]:
        if not self.entries:
            return [Option(Text("No alert has fired yet."), disabled=True)]
        narrow, stacked = self._narrow, self._stacked
        return [
            Option(entry_row(e, self.zone, narrow, stacked), id=str(n))
            for n, e in enumerate(self.entries)
        ]

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit_rows)  # once the layout's classes follow the size

    def _fit_rows(self) -> None:
        """The rows drawn again for the width (the history's when it crossed into or out
        of narrow)."""
        narrow, stacked = is_narrow(self), self.size.width < STACKED_WIDTH
        self._draw_rows(range(len(self.items)))
        if (narrow, stacked) == (self._narrow, self._stacked):
            return
        self._narrow, self._stacked = narrow, stacked
        self._show_history(self.query_one("#alerts-history", OptionList).highlighted)

    def _show_history(self, highlighted: int | None) -> None:
        """The history's rows drawn again (at most HISTORY_SHOWN), `highlighted` kept."""
        history = self.query_one("#alerts-history", OptionList)
        history.clear_options()
        history.add_options(self._history_options())
        history.border_title = self._history_title()
        if highlighted is not None and self.entries:
            history.highlighted = min(len(self.entries) - 1, highlighted)

    def add_entries(self, entries: list[AlertEntry]) -> None:
        """Alerts fired while the screen is open, put on top (the dashboard passes them,
        oldest first); the newest HISTORY_SHOWN kept, counted as the history keeps them
        (it grew to "1,400 of 50,900" while the file held 50,000)."""
        if self.narrowed is not None:
            entries = [entry for entry in entries if entry.rule == self.narrowed]
        if entries:
            history = self.query_one("#alerts-history", OptionList)
            highlighted = history.highlighted
            self.entries = [*reversed(entries), *self.entries][:HISTORY_SHOWN]
            self.total = min(self.total + len(entries), MAX_ENTRIES)
            moved = None if highlighted is None else highlighted + len(entries)
            self._show_history(moved)
        self._count()  # their rule's count, and its spike, as the alerts just said

    def action_rule_history(self) -> None:
        """The history of the highlighted rule (or the highlighted alert's) alone; pressed
        again, or with no rule there, every rule's: the newest 500 of a busy desk were a
        few rules' and the rest could not be reached."""
        row = self._current()
        rule = None if row is None or row.key == self.narrowed else row.key
        if rule is None and self.narrowed is None:
            self.notify("Pick a rule or term first (tab moves to the list of rules).")
            return
        self._read_history(rule)

    @work(thread=True, group="history", exclusive=True, exit_on_error=False)
    def _read_history(self, rule: str | None) -> None:
        entries, total, problems = self.data.history_of(rule)
        self.post_message(HistoryRead(rule, entries, total, problems))

    @on(HistoryRead)
    def _history_read(self, message: HistoryRead) -> None:
        for problem in message.problems:
            if problem not in self._problems:
                self.notify(problem, title="Alerts", severity="error", markup=False)
        self.narrowed = message.rule
        self.entries, self.total = message.entries, message.total
        self._show_history(0)
        self.query_one("#alerts-history", OptionList).focus()

    @on(OptionList.OptionSelected, "#alerts-history")
    def _entry_chosen(self, message: OptionList.OptionSelected) -> None:
        entry = self.entries[int(message.option.id or 0)]
        if entry.article:
            self.dismiss(AlertChoice("article", entry.article))
            return
        row = next((w for w in self.watched if w.key == entry.rule), None)
        if row is not None:
            self.dismiss(AlertChoice("filter", row.query))
        elif entry.rule.startswith("story:"):  # a story's key is its query, listed or not
            self.dismiss(AlertChoice("filter", entry.rule))
        else:
            self.notify(f"{entry.alert} is no longer a rule or watch term.", markup=False)

    # -- the rules and watch terms --------------------------------------------------------
    @on(OptionList.OptionSelected, "#alerts-watched")
    def _watched_chosen(self, message: OptionList.OptionSelected) -> None:
        if message.option_index < len(self.items):
            self.dismiss(AlertChoice("filter", self.items[message.option_index].row.query))

    def _current(self) -> Watched | None:
        """The row the keys act on: the highlighted rule or term, or, from the history,
        the rule of the highlighted alert."""
        history = self.query_one("#alerts-history", OptionList)
        if self.focused is history:
            index = history.highlighted
            if index is None or index >= len(self.entries):
                return None
            key = self.entries[index].rule
            return next((w for w in self.watched if w.key == key), None)
        index = self.query_one("#alerts-watched", OptionList).highlighted
        return self.items[index].row if index is not None and index < len(self.items) else None

    def _rule(self, verb: str, stored_only: bool) -> AlertRule | None:
        row = self._current()
        if row is None:
            self.notify("Pick a rule first (tab moves to the list of rules).", markup=False)
            return None
        if row.rule is None:
            promote = key_shown(self.app, "alerts.promote")  # (unbound: no way to say)
            said = NOT_A_RULE[row.kind].format(
                promote=f"; {promote} makes it a rule" if promote != NO_KEY else ""
            )
            self.notify(f"{row.name} is {said}.", markup=False)
            return None
        if stored_only and row.rule.origin == "config":
            mute = key_hint(key_shown(self.app, "alerts.mute"), "mutes it here")
            self.notify(
                f"{row.name} comes from the config file; {verb} it there"
                + (f" ({mute})." if mute else "."),
                severity="warning",
                markup=False,
            )
            return None
        return row.rule

    def _names(self, but: AlertRule | None = None) -> set[str]:
        """The rules' names, but `but`'s (by key: the rows are read again as the rules
        change, each time as new rules)."""
        skipped = but.key if but is not None else None
        return {w.name for w in self.watched if w.rule is not None and w.rule.key != skipped}

    def action_move(self, step: int) -> None:
        focused = self.focused
        if isinstance(focused, OptionList):
            move_in(focused, step)

    def action_first(self) -> None:
        if isinstance(self.focused, OptionList):
            self.focused.action_first()

    def action_last(self) -> None:
        if isinstance(self.focused, OptionList):
            self.focused.action_last()

    def action_close(self) -> None:
        self.dismiss(None)

    def _open_form(
        self,
        rule: AlertRule | None = None,
        name: str = "",
        query: str = "",
        typed: dict[str, Any] | None = None,
    ) -> None:
        if typed is None and rule is not None and rule.problem is not None:
            typed = rule.as_written  # a rule that no longer checks: as the file has it
        form = RuleForm(self.clock(), self.zone, self._names(rule), rule, name, query, typed)
        self._form = form
        self.app.push_screen(form, lambda fields: self._form_done(rule, fields))

    def _form_done(self, rule: AlertRule | None, fields: dict[str, Any] | None) -> None:
        self._form = None
        if fields is not None:
            self._change("edit" if rule is not None else "add", rule, fields)

    def action_add(self) -> None:
        self._open_form()

    def action_edit(self) -> None:
        rule = self._rule("edit", stored_only=True)
        if rule is not None:
            self._open_form(rule)

    def action_toggle_mute(self) -> None:
        rule = self._rule("mute", stored_only=False)
        if rule is not None:
            self._change("unmute" if rule.muted else "mute", rule)

    def action_remove(self) -> None:
        rule = self._rule("remove", stored_only=True)
        if rule is None:
            return
        if not self._removing.confirmed(rule.name):
            key = key_shown(self.app, "alerts.remove")
            self.notify(f"Press {key} again to remove the alert {rule.name}.", markup=False)
            return
        self._change("remove", rule)

    def action_promote(self) -> None:
        row = self._current()
        if row is None or row.kind != "watch":
            self.notify("Pick a watch term in the list of rules and terms first.", markup=False)
            return
        self._open_form(name=row.name, query=watch_query(row.name))

    def action_from_filter(self) -> None:
        if not self.filter_text.strip():
            self.notify("No filter is in force (/ sets one on the dashboard).", markup=False)
            return
        self._open_form(query=self.filter_text)

    @work(thread=True, group="rules", exit_on_error=False)
    def _change(
        self, change: RuleChange, rule: AlertRule | None, fields: dict[str, Any] | None = None
    ) -> None:
        done = refused = None
        try:
            done = self.data.change(change, rule, fields)
        except (RuleError, RuleBookError) as exc:
            refused = str(exc)
        watched, problems = self.data.watched()
        typed = fields if refused is not None and change in ("add", "edit") else None
        self.post_message(RulesChanged(watched, problems, done, refused, rule, typed))

    def rules_again(self) -> None:
        """(The dashboard, once the config file was read again.) The rules listed as they
        are now: the config's may be others (the list kept those it opened with, `m` acted
        on them, and the form took a name the config had just given as free)."""
        self._read_rules()

    @work(thread=True, group="rules-again", exclusive=True, exit_on_error=False)
    def _read_rules(self) -> None:
        watched, problems = self.data.watched()
        self.post_message(RulesChanged(watched, problems, reread=True))

    @on(RulesChanged)
    def _rules_changed(self, message: RulesChanged) -> None:
        # read again for the config: only what is newly wrong (the rest was said)
        shown = set(self._problems) if message.reread else set()
        for problem in message.problems:
            if problem not in shown:
                self.notify(problem, title="Alerts", severity="error", markup=False)
        self._problems = message.problems
        if message.refused:
            said = f"Not saved: {message.refused}" if message.typed else message.refused
            self.notify(said, title="Alerts", severity="error", markup=False)
        self._relist(message.watched)
        form = self._form
        if form is not None and form.is_mounted:  # checked against the names now
            form.retake(self._names(form.rule))
        if message.typed is not None:  # (after the list: the form takes the names now)
            self._open_form(message.rule, typed=message.typed)
        if message.done:
            self.notify(message.done, markup=False)
        self._count()

    def _relist(self, watched: list[Watched]) -> None:
        """The rules list as `watched` has it, drawing again only the rows that changed (a
        mute redrew all 204, in 16 s), a removed row taken out; the same rule highlighted,
        wherever it is now, else the same place."""
        listed = self.query_one("#alerts-watched", OptionList)
        index = listed.highlighted
        was = self.watched[index].key if index is not None and index < len(self.watched) else None
        old = {item.row.key: item for item in self.items}
        keys = [row.key for row in watched]
        items = [WatchedItem(row) for row in watched]
        for item in items:  # counts kept until counted again
            if (had := old.get(item.row.key)) is not None:
                item.counts, item.unfired = had.counts, had.unfired
        before = [item.row.key for item in self.items]
        self.watched, self.items = list(watched), items
        kept = set(keys)
        gone = [n for n, key in enumerate(before) if key not in kept]
        if [key for key in before if key in kept] == keys:  # none added, none moved
            for n in reversed(gone):  # removed: their rows alone go
                listed.remove_option_at_index(n)
            changed = [n for n, item in enumerate(items) if old[item.row.key].row != item.row]
            self._draw_rows(changed)
        else:  # added or reordered (the config read again): every row anew, one widget
            listed.clear_options()
            listed.add_options([self._prompt(item) for item in items])
        if keys:
            listed.highlighted = keys.index(was) if was in keys else min(index or 0, len(keys) - 1)

    def _widths(self) -> RowWidths:
        """The cells of a rules row's parts, as the screen's width has room for (narrower
        still than narrow, the name and sparkline give up cells to the count: at 40 columns
        they left it four, "0/…")."""
        try:
            listed = self.query_one("#alerts-watched", OptionList)
        except NoMatches:  # (composing)
            width = 0
        else:
            padding = listed.get_component_styles("option-list--option").padding.width
            width = max(0, listed.scrollable_content_region.width - padding)
        if self.size.width and self.size.width < STACKED_WIDTH:
            return RowWidths(TIGHT_NAME, TIGHT_SPARK, width, narrow=True)
        if is_narrow(self):
            return RowWidths(NARROW_NAME, NARROW_SPARK, width, narrow=True)
        return RowWidths(WIDE_NAME, WIDE_SPARK, width)

    def _prompt(self, item: WatchedItem) -> Text:
        spark = self.app.get_css_variables().get("text-warning", "") if self.is_attached else ""
        return watched_prompt(item, self._widths(), spark)

    def _draw_rows(self, rows: Iterable[int]) -> None:
        """These rows of the rules list drawn again (their counts, their rule changed)."""
        listed = self.query_one("#alerts-watched", OptionList)
        widths = self._widths()
        spark = self.app.get_css_variables().get("text-warning", "")
        for n in rows:
            if n < listed.option_count:
                prompt = watched_prompt(self.items[n], widths, spark)
                listed.replace_option_prompt_at_index(n, prompt)

    # -- velocity ---------------------------------------------------------------------------
    def _count(self) -> None:
        """Count the rows' mentions in a thread; one count at a time (a thread worker runs
        on when another starts: the timer and every alert stacked whole-window scans), the
        one asked meanwhile after it."""
        if self._counting:
            self._count_again = True
            return
        self._counting, self._count_again = True, False
        self.generation += 1
        self._series(self.generation, list(self.watched))

    @work(thread=True, group="trends", exclusive=True, exit_on_error=False)
    def _series(self, generation: int, watched: list[Watched]) -> None:
        try:
            counts: list[RowCounts] = self.data.series(watched)
        except Exception:  # (the store away): the counts shown stay, counted at the next look
            log.exception("the alerts view's counts could not be read")
            counts = []
        self.post_message(Trended(generation, counts))

    @on(Trended)
    def _trended(self, message: Trended) -> None:
        if message.generation == self.generation:
            self._counting = False
            if self._count_again:
                self._count()
        if message.generation != self.generation:
            return
        for item, counted in zip(self.items, message.counts, strict=False):
            item.counts, item.unfired = counted
        self._draw_rows(range(len(self.items)))


class RuleForm(TableOrderedKeys, ModalScreen[dict[str, Any] | None]):
    """Every field of a rule the config accepts (name, query, where it notifies, a webhook
    URL and its body's format, quiet hours), checked as typed the way the config's
    [[alerts]] are. enter saves a rule that checks; escape cancels."""

    BINDINGS = bindings("rule_form")
    DEFAULT_CSS = """
    RuleForm {
        align: center middle;
    }
    RuleForm #form-box {
        max-height: 100%;
        overflow-y: auto;
    }
    RuleForm #rule-reading {
        height: auto;
        padding: 1 1 0 1;
    }
    RuleForm #rule-help {
        color: $text-muted;
        padding: 0 1;
    }
    """

    def __init__(
        self,
        now: datetime,
        zone: tzinfo,
        taken: set[str],
        rule: AlertRule | None = None,
        name: str = "",
        query: str = "",
        typed: dict[str, Any] | None = None,
    ) -> None:
        """`typed`: the fields as typed in a form whose save was refused (as `_read` gives
        them), shown again over the rule's."""
        super().__init__()
        self.now = now
        self.zone = zone
        self.taken = taken  # the other rules' names
        self.rule = rule
        self.start = {
            "name": rule.name if rule else name,
            "query": rule.query if rule else query,
            "notify": " ".join(rule.notify) if rule else "terminal",
            "webhook": (rule.webhook or "") if rule else "",
            "webhook_format": (rule.webhook_format or "") if rule else "",
            "quiet": (rule.quiet.text if rule and rule.quiet else ""),
        }
        if typed is not None:
            self.start = {field: "" for field in self.start}
            for field, value in typed.items():
                shown = " ".join(value) if isinstance(value, list) else str(value)
                self.start[field] = shown

    def compose(self) -> ComposeResult:
        start = self.start
        with Vertical(id="form-box"):
            yield Static(Text("Edit alert rule" if self.rule else "Add alert rule", style="bold"))
            yield OneLineInput(start["name"], placeholder="Tariffs", id="rule-name")
            yield OneLineInput(start["query"], placeholder="tariff source:Yonhap", id="rule-query")
            yield OneLineInput(start["notify"], placeholder="terminal bell", id="rule-notify")
            yield OneLineInput(
                start["webhook"], placeholder="https://ntfy.sh/topic", id="rule-webhook"
            )
            yield OneLineInput(
                start["webhook_format"], placeholder="by the URL", id="rule-webhook_format"
            )
            yield OneLineInput(start["quiet"], placeholder="22:00-07:00", id="rule-quiet")
            yield Static("", id="rule-reading")
            yield Static(
                Text(f"enter saves · {key_shown(self.app, 'rule_form.cancel')} cancels"),
                id="rule-help",
            )

    def on_mount(self) -> None:
        titles = {
            "name": "name",
            "query": "query",
            "notify": "notify: any of terminal bell desktop webhook",
            "webhook": "webhook URL",
            "webhook_format": f"webhook body: {' '.join(WEBHOOK_FORMATS)} (empty: by the URL)",
            "quiet": "quiet hours (desktop and webhook)",
        }
        for field, title in titles.items():
            self.query_one(f"#rule-{field}", Input).border_title = title
        self.query_one("#rule-name", Input).focus()
        self._read()

    def on_input_changed(self, message: Input.Changed) -> None:
        self._read()

    def retake(self, taken: set[str]) -> None:
        """The other rules' names as they are now (the config file changed), checked
        against what is typed."""
        self.taken = taken
        self._read()

    def _value(self, field: str) -> str:
        return self.query_one(f"#rule-{field}", Input).value.strip()

    def _read(self) -> dict[str, Any] | None:
        """The fields as typed, checked; the reading line says what the rule does, or which
        field is wrong."""
        reading = self.query_one("#rule-reading", Static)
        fields: dict[str, Any] = {
            "name": self._value("name"),
            "query": self._value("query"),
            "notify": self._value("notify").replace(",", " ").split(),
        }
        for key in ("webhook", "webhook_format"):
            if self._value(key):
                fields[key] = self._value(key)
        if self._value("quiet"):
            fields["quiet"] = self._value("quiet")
        if not fields["name"] and not fields["query"]:  # nothing typed yet: nothing wrong yet
            reading.update(Text("a name and a query (as / reads it), then enter"))
            return None
        try:
            rule = make_rule(fields, self.now, self.zone, origin="store")
        except RuleError as exc:
            reading.update(Text(f"✗ {exc}"))
            return None
        taken = {rule_name_key(name): name for name in self.taken}
        other = taken.get(rule_name_key(rule.name))
        if other is not None:  # ("Seoul" beside "SEOUL": alike in the list and history)
            alike = "" if other == rule.name else " (alike but for case, spacing or accents)"
            reading.update(Text(f"✗ name: another rule is called {other}{alike}"))
            return None
        quiet = f" · quiet {rule.quiet.text}" if rule.quiet else ""
        body = f" · webhook body {webhook_format(rule)}" if rule.webhook else ""
        since = "" if self.rule else " · for articles fetched from now on"
        reading.update(Text(f"✓ notifies {', '.join(rule.notify)}{body}{quiet}{since}"))
        return fields

    def on_input_submitted(self, message: Input.Submitted) -> None:
        fields = self._read()
        if fields is None:
            self.notify("The rule does not check yet: see the line under the fields.")
            return
        self.dismiss(fields)

    def action_cancel(self) -> None:
        self.dismiss(None)
