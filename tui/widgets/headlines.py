"""The headlines pane: renders only the visible rows, so 100,000 articles cost nothing extra.

It lists articles, or (switched) stories: one row per story of several outlets' articles."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from rich.text import Text
from textual import events, work
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from fetchers.foreground import waited_for
from fetchers.models import Article, Clock
from fetchers.query import folded, found_word_pattern
from fetchers.store import StoreError
from fetchers.story import Story
from fetchers.storyshelf import StoryShelf
from tui.actions import bindings
from tui.format import AGE_WIDTH, age, first_reported, fit, shown_head, shown_line
from tui.rows import GAP, Row, Rows
from tui.widgets.colours import ShownStyles
from tui.widgets.strips import text_strip

AGES_KEPT = 2000  # times drawn kept to tell when an age reads otherwise (then drawn anew)
# "+" unread, "*" starred; then PULLED when its feed took it down, else "~" when its source
# revised the headline, else "+" when a starred one is unread ("*+")
MARK_WIDTH = 3  # "*", "+" or both ("*+": starred and unread), then "×" or "~"
PULLED = "×"  # the mark of an article its feed took down (a retraction), in rows and timelines
SOURCE_WIDTH = 15  # the source column's cells, at most
SOURCE_FEWEST = 6  # ... on a narrow pane ("Yonha…"), which gives the headline the rest
SOURCE_SHARE = 4  # the source column takes at most a quarter of what it shares with the title
OUTLETS_WIDTH = 11  # " 3 outlets "
FIRST_WIDTH = 14  # "first 3h ago "
STORY_TITLE_FEWEST = 24  # cells a story's headline keeps before its other columns give way
RETRY_FIRST = 1.0  # seconds before rows that could not be read are read again; doubled
RETRY_LONGEST = 30.0  # after each failure in a row, up to this


class ArticleSource(Protocol):
    """Where rows come from: read in a thread (a store read may be a query or wait on a
    lock), never while a row is drawn."""

    def rows(self, ids: list[str], shelf: StoryShelf | None) -> Rows: ...


NEIGHBOURS = 50  # rows each side of a highlight left out that its neighbour is looked for in
SHIFT = 400  # rows a poll may have moved them by (new ones above, others gone)


def _neighbour_kept(before: list[str], row: int, ids: list[str]) -> int:
    """Where the article highlighted at `row` of `before`, now left out of `ids` (read, in
    the unread view), is best stood in for: the next one after it in `before` that `ids`
    still holds, else the one before it; -1 when none is near. The row's number alone (the
    fallback) highlighted an article two rows above, or one just arrived, and the pane
    showed it in place of the one being read."""
    near = {ident: at for at, ident in enumerate(ids[max(0, row - SHIFT) : row + SHIFT])}
    offset = max(0, row - SHIFT)
    for candidate in before[row + 1 : row + 1 + NEIGHBOURS]:
        if candidate in near:
            return offset + near[candidate]
    for candidate in reversed(before[max(0, row - NEIGHBOURS) : row]):
        if candidate in near:
            return offset + near[candidate]
    return -1


class HeadlineList(ScrollView, can_focus=True):
    """A virtual list of article ids. The rows drawn come with the ids (read in the query's
    thread) or are read in a thread of the pane's own when it scrolls to rows it lacks: a
    repaint never reads the store."""

    COMPONENT_CLASSES = {
        "headlines--cursor",
        "headlines--unread",
        "headlines--read",
        "headlines--watch",
        "headlines--watch-cursor",
        "headlines--source",
        "headlines--age",
        "headlines--star",
        "headlines--revised",
        "headlines--pulled",
    }
    BORDER_TITLE = "Headlines"
    DEFAULT_CSS = """
    HeadlineList {
        width: 2fr;
        overflow-x: hidden;  /* rows fit the width: a horizontal bar would only take a row */
    }
    HeadlineList > .headlines--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    HeadlineList:focus > .headlines--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: bold;
    }
    /* without colour (NO_COLOR, TERM=vt100) the cursor's background is lost, or a grey
       too near the page's: the row in reverse video, as Textual's own lists draw it */
    HeadlineList:nocolor > .headlines--cursor {
        text-style: reverse;
    }
    HeadlineList:nocolor:focus > .headlines--cursor {
        text-style: bold reverse;
    }
    HeadlineList > .headlines--unread {
        text-style: bold;
    }
    HeadlineList > .headlines--read {
        color: $text-muted;
    }
    HeadlineList > .headlines--watch {
        color: $text-warning;
        text-style: bold underline;
    }
    HeadlineList > .headlines--watch-cursor {
        text-style: bold underline;
    }
    HeadlineList > .headlines--source {
        color: $text-secondary;
    }
    HeadlineList > .headlines--age {
        color: $text-muted;
    }
    HeadlineList > .headlines--star {
        color: $text-warning;
        text-style: bold;
    }
    HeadlineList > .headlines--revised {
        color: $text-accent;
        text-style: bold;
    }
    HeadlineList > .headlines--pulled {
        color: $text-error;
        text-style: bold;
    }
    """
    BINDINGS = bindings("headlines")

    cursor: reactive[int] = reactive(0, always_update=True, repaint=True)
    """The index of the highlighted row in `ids`."""

    @dataclass
    class Highlighted(Message):
        """Another article is highlighted (None: the list is empty); for a story, its first
        report. `chosen`: the reader moved to it, or asked for the list it tops (opened the
        dashboard, a filter); not when the list changed under a row that stays (a poll, a
        reload: the highlighted article left an unread-only list, and the one that took its
        place is no choice of the reader's)."""

        headlines: HeadlineList
        article_id: str | None
        chosen: bool = True

        @property
        def control(self) -> HeadlineList:
            return self.headlines

    @dataclass
    class OpenAsked(Message):
        """The highlighted row was clicked (or double-clicked): open it, as enter does. A
        first click only highlights a row; without this, a reader with a mouse alone could
        never open an article in a narrow layout, where the article pane shows only then."""

        headlines: HeadlineList

        @property
        def control(self) -> HeadlineList:
            return self.headlines

    @dataclass
    class RowsRead(Message):
        """Rows the pane lacked, read in its thread for the list of `generation`."""

        generation: int
        ids: list[str]  # asked for: those not in `rows` are no longer stored
        rows: Rows | None  # None: the read failed
        problem: str = ""  # why it failed

    def __init__(
        self,
        source: ArticleSource,
        clock: Clock,
        zone: tzinfo,
        *,
        id: str | None = None,
        classes: str | None = None,
        still_reading: Callable[[str], bool] = lambda binding_id: False,
    ) -> None:
        """`still_reading`: asked (with the binding's id) before a move that needs the whole
        list; True when the list is still being read, and it said so."""
        self.shown_style = ShownStyles(self)  # its colours as drawn on its background
        super().__init__(id=id, classes=classes)
        self._source = source
        self._still_reading = still_reading
        self._clock = clock
        self._zone = zone
        self.ids: list[str] = []
        self._cache: dict[str, Row] = {}  # the article rows read, by article id
        self._ages_drawn: dict[datetime | None, str] = {}  # each time drawn -> its age then
        self._firsts_drawn: dict[float, str] = {}  # each story's first report drawn -> as then
        self._generation = 0  # of the rows and marks: a read for an older one is dropped
        self._listing = 0  # of the ids listed: changes only when another list is shown
        self._reading = False  # a read of missing rows is under way
        self._absent: set[str] = set()  # rows read and found gone: not read again
        # after a failed read (the store is down): the wait before the next, and its timer
        # (while it runs, a repaint reads nothing); a new list or marks read again sooner
        self.retry_after = 0.0
        self._retry: Timer | None = None
        self._watch: re.Pattern[str] | None = None
        self._words: re.Pattern[str] | None = None
        self.stories: StoryShelf | None = None  # set: `ids` are story ids, drawn from these
        # a story row's mark ("*", "+" or " "), worked out from its articles in a thread
        # once per shelf (and again when one of them is read or starred)
        self._story_marks: dict[str, str] = {}
        self._when_drawn: list[Callable[[], object]] = []  # (`after_drawn`)
        self._empty_note = ""  # drawn on the first lines of an empty list (`set_empty_note`)
        self._note_wrapped: tuple[tuple[str, int], list[Text]] | None = None
        self._click_opened = False  # the last click opened its row (`on_click`)

    # -- data ----------------------------------------------------------------------------
    def set_watch_terms(self, terms: list[str]) -> None:
        self._watch = _pattern(terms)
        self.refresh()

    def _note_lines(self, width: int) -> list[Text]:
        """The empty list's note in lines of `width` (each row of the list asks: made once a
        note and width)."""
        made = self._note_wrapped
        if made is not None and made[0] == (self._empty_note, width):
            return made[1]
        note = Text(self._empty_note, style="italic")
        lines = [Text(" ", style="italic") + line
                 for line in note.wrap(self.app.console, max(1, width - 1))]  # fmt: skip
        self._note_wrapped = ((self._empty_note, width), lines)
        return lines

    def set_empty_note(self, note: str) -> None:
        """What an empty list says instead of nothing: why it is empty ("No story matches
        the filter.", "No stories yet: grouping the new articles into stories…")."""
        if note != self._empty_note:
            self._empty_note = note
            if not self.ids:
                self.refresh()

    @property
    def story_rows(self) -> bool:
        """The rows on screen are stories."""
        return self.stories is not None

    def set_ids(
        self,
        ids: list[str],
        keep_position: bool = True,
        words: list[str] | None = None,
        stories: StoryShelf | None = None,
        rows: Rows | None = None,
        found: tuple[str | None, int] | None = None,
        chosen: bool = False,
        shown: str | None = None,
    ) -> None:
        """Show these ids (of stories in `stories`, when given), with the filter's `words`
        highlighted (set here, with the rows they match, so a new filter paints once) and
        the `rows` read for them; the highlighted row and its place on screen stay where
        they were. `found`: an id the query's thread looked for and where it found it (-1: not
        there), taken when that is still the id highlighted; in another kind of rows than
        those drawn, the row it landed on for the reader's place (the story of the article
        highlighted, or an article of the story), at the highlight's line (else the top).
        `chosen`: the reader asked for this list (a filter, the dashboard opened): the
        article it highlights is the reader's (`Highlighted.chosen`). `shown`: landing on
        the row of a story that holds this article, the article shown (the one the reader
        was on, not the story's first report)."""
        if words is not None:
            self._words = _pattern(words)
        switched = (stories is not None) != self.story_rows
        if switched:
            keep_position = False  # another kind of row: where `found` landed, or the top
            self._listing += 1
            self.border_title = "Stories" if stories is not None else self.BORDER_TITLE
        self.stories = stories
        current = self.current_id
        before = self.ids  # the list it was highlighted in
        in_gap = current is None and 0 <= self.cursor < len(self.ids)  # a row not read yet
        offset_in_view = self.cursor - int(self.scroll_y)
        if switched or chosen:  # the reader's move: the highlight lands in view (the wheel
            offset_in_view = self.line_in_view(offset_in_view)  # may have scrolled it off)
        at_top = int(self.scroll_y) == 0
        if ids != before:
            self._listing += 1
        self.ids = ids
        self._generation += 1
        self._read_again()
        self._cache.clear()
        self._story_marks.clear()
        self._absent.clear()
        if rows is not None:
            self._cache.update(rows.articles)
            self._story_marks.update(rows.marks)
        self._set_rows(len(ids))
        if keep_position and (current is not None or in_gap):
            if current is None:  # the row, as for a highlight left out
                index = -1
            elif found is not None and found[0] == current:
                index = found[1]
            else:
                try:
                    index = ids.index(current)
                except ValueError:
                    index = -1
            if index < 0 and current is not None and not chosen:
                # left out of the same filter's list again (read, in the unread view, as a
                # poll brought others); a filter the reader asked for gives the row instead
                index = _neighbour_kept(before, self.cursor, ids)
            if index < 0:
                index = min(self.cursor, max(0, len(ids) - 1))
            self.set_reactive(HeadlineList.cursor, index)
            top = max(0, index - offset_in_view)
            if at_top and index < max(1, self.scrollable_content_region.height):
                top = 0  # the newest stay in sight above the highlight while it is too
            self.scroll_to(y=top, animate=False, immediate=True)
            if int(self.scroll_y) != top:  # held by the rows before (a list that had no
                # scrollbar): scrolled there once the new rows are laid out
                self.call_after_refresh(self._scroll_to_row, top)
        elif switched and found is not None and _lands(ids, found):
            index = found[1]
            self.set_reactive(HeadlineList.cursor, index)
            top = max(0, index - offset_in_view)
            self.scroll_to(y=top, animate=False, immediate=True)
            if int(self.scroll_y) != top:  # (as above)
                self.call_after_refresh(self._scroll_to_row, top)
        else:
            self.set_reactive(HeadlineList.cursor, 0)
            self.scroll_to(y=0, animate=False, immediate=True)
        self.refresh()
        if self.current_id != current or current is None or not keep_position:
            chosen = chosen or not keep_position
            article = self.current_article_id
            if switched and shown is not None and stories is not None:
                article = shown if stories.story_of(shown) == self.current_id else article
            self.post_message(self.Highlighted(self, article, chosen=chosen))

    def after_drawn(self, callback: Callable[[], object]) -> None:
        """Call `callback` once the rows set last are drawn and their frame is composed. A
        screen's own after-refresh callback can run before this pane has asked to be drawn
        again (its repaint reaches the screen as a message of its own): a filter's thread
        waiting for that one would let the background take the interpreter back before the
        rows are on screen."""
        self._when_drawn.append(callback)

    def on_unmount(self) -> None:
        drawn, self._when_drawn = self._when_drawn, []  # never to be drawn: no one waits
        for callback in drawn:
            callback()

    def update_rows(self, rows: Rows, everything: bool = False) -> None:
        """Take rows read again (their read or starred marks changed); `everything`: any row
        may have changed (another process marks too), so the rows not among `rows` are
        read again when drawn."""
        self._generation += 1
        self._read_again()
        if everything:
            self._cache.clear()
            self._story_marks.clear()
            self._absent.clear()
        self._cache.update(rows.articles)
        self._story_marks.update(rows.marks)
        self.refresh()

    def read_otherwise(self, rows: Rows) -> bool:
        """Whether `rows`, read again, have a row read (or unread) otherwise than it is drawn:
        another process marked it, and a store that cannot tell so (PostgreSQL: another
        host) shows it here first."""
        for ident, row in rows.articles.items():
            drawn = self._cache.get(ident)
            if drawn is not None and drawn.article.read != row.article.read:
                return True
        for ident, mark in rows.marks.items():
            drawn_mark = self._story_marks.get(ident)
            if drawn_mark is not None and ("+" in drawn_mark) != ("+" in mark):
                return True
        return False

    def _age(self, when: datetime | None, now: datetime) -> str:
        """How long ago `when` was, as drawn: kept, to redraw when it reads otherwise."""
        shown = self._ages_drawn[when] = age(when, now, self._zone)
        return shown

    def _first_reported(self, first: float, now: datetime) -> str:
        """Who reported a story first, how long ago, as drawn: kept as `_age` keeps ages."""
        shown = self._firsts_drawn[first] = first_reported(first, now, self._zone)
        return shown

    def refresh_ages(self) -> None:
        """Redraw the rows when an age drawn would read otherwise now ("3m" become "4m"): an
        idle screen's ages would stand still until a key or a poll drew them again."""
        ages, firsts = self._ages_drawn, self._firsts_drawn
        self._ages_drawn, self._firsts_drawn = {}, {}
        now, zone = self._clock(), self._zone
        changed = (
            len(ages) + len(firsts) > AGES_KEPT
            or any(age(when, now, zone) != shown for when, shown in ages.items())
            or any(first_reported(first, now, zone) != shown for first, shown in firsts.items())
        )
        if changed:
            self.refresh()
        else:
            self._ages_drawn, self._firsts_drawn = ages, firsts

    @property
    def listing(self) -> int:
        """Of the rows listed (not of their marks, nor of a list read again the same): what
        a second press of `A` confirms, which a viewer's reload every two seconds made
        another `generation` of, so that `A` pressed again asked again."""
        return self._listing

    @property
    def generation(self) -> int:
        """Of the rows and marks drawn: rows read for an older one are not to be taken."""
        return self._generation

    def window(self) -> list[str]:
        """The ids of the rows on screen, with a screenful either side."""
        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_y)
        return [i for i in self.ids[max(0, top - height) : top + 2 * height] if i != GAP]

    @property
    def current_id(self) -> str | None:
        """The id of the highlighted row: an article's, or a story's (None on a `GAP` row)."""
        if 0 <= self.cursor < len(self.ids):
            return self.ids[self.cursor] or None
        return None

    @property
    def current_story(self) -> Story | None:
        ident = self.current_id
        if self.stories is None or ident is None:
            return None
        return self.stories.by_id.get(ident)

    @property
    def current_article_id(self) -> str | None:
        """The highlighted article; on a story row, the story's first report."""
        if not self.story_rows:
            return self.current_id
        story = self.current_story
        return story.first_id if story is not None else None

    # -- movement ------------------------------------------------------------------------
    def _move(self, index: int, shown: str | None = None) -> None:
        """Highlight row `index`; `shown`: the article to show for it (on a story row, one
        of its articles rather than its first report), announced even when the row stays."""
        if not self.ids:
            return
        index = max(0, min(len(self.ids) - 1, index))
        if index == self.cursor and shown is None:  # (the wheel may have scrolled it away:
            self.scroll_to_cursor()  # g on the top row did nothing, and none was on screen)
            return
        self.cursor = index
        self.scroll_to_cursor()
        self.post_message(self.Highlighted(self, shown or self.current_article_id))

    def line_in_view(self, line: int) -> int:
        """`line` (the highlighted row's line on screen, off it after a turn of the wheel)
        brought within the pane's height; as it is while the pane is not laid out."""
        height = self.scrollable_content_region.height
        return max(0, min(line, height - 1)) if height else line

    def _scroll_to_row(self, top: int) -> None:
        """Scroll to have row `top` first, the highlighted row in view whatever it allows."""
        self.scroll_to(y=top, animate=False, immediate=True)
        self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def select(self, ident: str) -> bool:
        """Highlight the article `ident` when it is in the list: on story rows, the row of the
        story holding it, with that article (not the story's first report) to show. False
        when it is not listed."""
        if self.stories is None:
            row, shown = ident, None
        else:
            story = self.stories.story_of(ident)
            if story is None:
                return False
            row, shown = story, ident
        try:
            index = self.ids.index(row)
        except ValueError:
            return False
        self._move(index, shown)
        return True

    def move_to(self, index: int) -> None:
        """Highlight row `index` (found by the dashboard: the next unread one)."""
        self._move(index)

    def action_cursor_down(self) -> None:
        self._move(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self._move(self.cursor - 1)

    def action_page_down(self) -> None:
        self._move(self.cursor + max(1, self.scrollable_content_region.height - 1))

    def action_page_up(self) -> None:
        self._move(self.cursor - max(1, self.scrollable_content_region.height - 1))

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        """The last row, once the list is whole: the oldest article, not the last row of a
        part of the list (a part of the store read first, a filter's first page)."""
        if not self._still_reading("headlines.last"):
            self._move(len(self.ids) - 1)

    def on_click(self, event: events.Click) -> None:
        """A click highlights its row; one on the row highlighted already opens it (so does a
        double-click, whose first click highlighted it), once for a chain of clicks."""
        offset = event.get_content_offset(self)  # None on the border: no row there
        if offset is None:
            return
        if event.chain > 1 and self._click_opened:  # the rest of a double-click that opened
            return
        index = int(self.scroll_y) + offset.y
        if index >= len(self.ids):  # the blank below the rows: no headline is under it (it
            self._click_opened = False  # highlighted, showed and read the oldest one)
            return
        highlighted = index == self.cursor
        self._move(index)
        self._click_opened = highlighted
        if highlighted:
            self.post_message(self.OpenAsked(self))

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self.shown_style.forget()  # (another theme, or the focus: its colours change)

    # -- rendering -----------------------------------------------------------------------
    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.ids))
        # the highlighted row stays in view of the new height (a terminal made smaller left
        # it below the rows shown, and enter opened an article no row showed)
        self.call_after_refresh(self.scroll_to_cursor)

    def _set_rows(self, count: int) -> None:
        """Size the scrollable area for `count` rows. A new filter changes only the row count:
        while that leaves the scrollbar shown (or hidden) as it was, the screen's layout stays
        as it is and only this pane repaints, which makes a filter's repaint about twice as
        quick at 100,000 articles."""
        size = Size(self.size.width, count)
        height = self.scrollable_content_region.height
        if height and (count > height) == (self.virtual_size.height > height):
            self.set_reactive(HeadlineList.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    def shown_row(self, ident: str) -> Row | None:
        """The article row as read for the pane (None when not read): the marks it shows."""
        return self._cache.get(ident)

    def _has(self, ident: str) -> bool:
        """Whether the row of `ident` is read (or known to be gone, or a `GAP`: never read)."""
        return (
            ident == GAP
            or ident in (self._story_marks if self.story_rows else self._cache)
            or (ident in self._absent)
        )

    def _read_again(self) -> None:
        """Rows came from the store (with a list or marks): what is missing is read at the
        next paint, not after the wait a failed read set."""
        if self._retry is not None:
            self._retry.stop()
            self._retry = None

    def _retry_read(self) -> None:
        self._retry = None
        self.refresh()  # the paint reads what is missing

    def _read_missing(self) -> None:
        """Read the rows about the screen that the pane lacks, in a thread (once at a time;
        not while waiting to retry a read that failed)."""
        if self._reading or self._retry is not None:
            return
        missing = [i for i in self.window() if not self._has(i)]
        if missing:
            self._reading = True
            self._read_rows(self._generation, missing, self.stories)

    @work(thread=True, group="rows", exit_on_error=False)
    def _read_rows(self, generation: int, ids: list[str], shelf: StoryShelf | None) -> None:
        try:
            with waited_for():
                rows = self._source.rows(ids, shelf)
        except Exception as exc:  # the store is down (PostgreSQL gone): said once, read again
            problem = str(exc) if isinstance(exc, StoreError) else f"{type(exc).__name__}: {exc}"
            self.post_message(self.RowsRead(generation, ids, None, problem))
            return
        self.post_message(self.RowsRead(generation, ids, rows))

    def on_headline_list_rows_read(self, message: RowsRead) -> None:
        message.stop()
        self._reading = False
        if message.rows is None:
            if not self.retry_after:  # the first failure in a row
                self.notify(
                    f"The headlines could not be read: {message.problem}. "
                    "They are read again in a moment.",
                    title="Store",
                    severity="error",
                    markup=False,
                )
            self.retry_after = min(RETRY_LONGEST, 2 * self.retry_after or RETRY_FIRST)
            self._read_again()
            self._retry = self.set_timer(self.retry_after, self._retry_read)
            return
        self.retry_after = 0.0
        if message.generation != self._generation:  # read for another list, or before a
            self.refresh()  # mark changed: what is still missing is read again
            return
        rows = message.rows
        self._cache.update(rows.articles)
        self._story_marks.update(rows.marks)
        found = rows.marks if self.story_rows else rows.articles
        self._absent.update(i for i in message.ids if i not in found)  # drawn blank
        self.refresh()

    def render_line(self, y: int) -> Strip:
        if self._when_drawn:  # the frame these rows are in: its callbacks once it is composed
            drawn, self._when_drawn = self._when_drawn, []
            for callback in drawn:
                if not self.call_after_refresh(callback):  # closing: no frame follows
                    callback()
        index = int(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self.ids):
            if not self.ids and self._empty_note:  # nothing to list: why, over the lines
                # it needs (what a filter's source: may have meant comes last)
                lines = self._note_lines(width)
                if index < len(lines):
                    return text_strip(lines[index], self.app.console, width, base)
            return Strip.blank(width, base)
        height = max(1, self.scrollable_content_region.height)
        ahead = (index + height, index - height)  # a screenful away: read before it shows
        if not all(self._has(self.ids[i]) for i in ahead if 0 <= i < len(self.ids)):
            self._read_missing()
        ident = self.ids[index]
        if ident == GAP:  # drawn blank until the whole list comes
            return Strip.blank(width, base)
        if self.story_rows:
            story = self.stories.by_id.get(ident) if self.stories else None
            mark = self._story_marks.get(ident)
            if story is None or mark is None:
                self._read_missing()
                return Strip.blank(width, base)
            text = self.story_text(story, width, selected=index == self.cursor, mark=mark)
            return text_strip(text, self.app.console, width, base)
        row = self._cache.get(ident)
        if row is None:
            self._read_missing()
            return Strip.blank(width, base)
        text = self.row_text(row.article, width, index == self.cursor, row.revised, row.pulled)
        return text_strip(text, self.app.console, width, base)

    def row_text(
        self,
        article: Article,
        width: int,
        selected: bool = False,
        revised: bool = False,
        pulled: bool = False,
    ) -> Text:
        """One row as plain Text: marks, age, source, title. Feed text is never markup.

        The columns have fixed widths in cells (CJK counts two), and a title or source that
        does not fit ends in an ellipsis. On the selected row the cursor colours everything
        but the watch terms, which keep their own colour."""
        style = self.shown_style
        mark = "*" if article.starred else ("+" if not article.read else " ")
        seen = None if article.listed else article.fetched  # a listed one is undated: "—"
        when = self._age(article.published or seen, self._clock())
        # at 40 columns a source column of 15 cells left the headline 10
        shared = width - MARK_WIDTH - AGE_WIDTH - 1 - 1
        source_width = min(SOURCE_WIDTH, max(SOURCE_FEWEST, shared // SOURCE_SHARE))
        title_width = max(10, shared - source_width)
        row = Text(no_wrap=True)
        row.append(mark, style("headlines--star") if article.starred else "")
        # starred and unread: "*+", as a story's row says it ("*" alone hid `m`); "~" in a
        # column of its own (it took the "+" of a starred unread one: read, it seemed)
        row.append("+" if article.starred and not article.read else " ")
        if pulled:  # (taken down says more than revised: it takes the column)
            row.append(PULLED, style("headlines--pulled"))
        elif revised:
            row.append("~", style("headlines--revised"))
        else:
            row.append(" ")
        row.append(when.rjust(AGE_WIDTH) + " ", style("headlines--age"))
        # styled from where it starts: its width in cells is not its length in characters
        # (a name in Chinese or Thai took the age's colour, or left its first letter out)
        row.append(
            fit(shown_line(article.source), source_width) + " ",
            style("headlines--source"),
        )
        start = len(row)
        # (feed text was cleaned as fetched; a store another program wrote or edited holds
        # what it never cleaned: its escapes stay off the terminal)
        title = Text(shown_head(article.title, title_width), no_wrap=True)
        title.truncate(title_width, overflow="ellipsis")
        row.append(
            title.plain,
            style("headlines--read" if article.read else "headlines--unread"),
        )
        self._finish(row, title.plain, start, selected)
        return row

    def story_text(self, story: Story, width: int, selected: bool = False, mark: str = " ") -> Text:
        """One story as plain Text: "+" while an article of it is unread ("*" when one is
        starred, "*+" both), its last activity (its latest report, never later than when
        that was fetched), how many outlets carry it, who reported it first and how long
        ago, its representative headline. As the pane narrows, who was first and when, then
        the first source, then the outlets give their room to the headline."""
        style = self.shown_style
        now = self._clock()
        last = datetime.fromtimestamp(story.last_seen, UTC) if story.last_seen else None
        fixed = MARK_WIDTH + AGE_WIDTH + 1
        # the widths of the columns that fit, of the outlets, the first source and when
        shown = [OUTLETS_WIDTH, SOURCE_WIDTH + 1, FIRST_WIDTH]
        while shown and width - fixed - sum(shown) < STORY_TITLE_FEWEST:
            shown.pop()
        title_width = max(1, width - fixed - sum(shown))
        row = Text(no_wrap=True)
        row.append(mark[0], style("headlines--star") if mark[0] == "*" else "")
        row.append(mark[1:].ljust(MARK_WIDTH - 1))
        row.append(self._age(last, now).rjust(AGE_WIDTH) + " ", style("headlines--age"))
        if len(shown) >= 1:
            outlets = f"{story.outlets} outlet" + ("s" if story.outlets != 1 else "")
            row.append(fit(outlets.rjust(OUTLETS_WIDTH - 1), OUTLETS_WIDTH - 1) + " ")
        if len(shown) >= 2:
            row.append(
                fit(shown_line(story.first_teller), SOURCE_WIDTH) + " ",
                style("headlines--source"),
            )
        if len(shown) >= 3:
            row.append(
                fit(self._first_reported(story.first_seen, now), FIRST_WIDTH - 1) + " ",
                style("headlines--age"),
            )
        start = len(row)
        title = Text(shown_head(story.title, title_width), no_wrap=True)
        title.truncate(title_width, overflow="ellipsis")
        unread = "+" in mark
        row.append(title.plain, style("headlines--unread" if unread else "headlines--read"))
        self._finish(row, title.plain, start, selected)
        return row

    def _finish(self, row: Text, title: str, start: int, selected: bool) -> None:
        """The cursor over the row, then the watch terms and the filter's words in `title`
        (which starts at `start`), keeping their own colour on the cursor."""
        style = self.shown_style
        if selected:
            row.stylize(style("headlines--cursor"))
        watch = style("headlines--watch-cursor" if selected else "headlines--watch")
        for pattern in (self._watch, self._words):
            if pattern is not None:
                for match in pattern.finditer(title):
                    row.stylize(watch, start + match.start(), start + match.end())


def _lands(ids: list[str], found: tuple[str | None, int]) -> bool:
    """Whether `found` names a row of `ids` (its id where it says)."""
    ident, at = found
    return ident is not None and 0 <= at < len(ids) and ids[at] == ident


def _pattern(terms: list[str]) -> re.Pattern[str] | None:
    """The watch terms or the filter's words, found in a headline as the query language
    finds them (`found_word_pattern`: "strasse" and "Straße" both mark "Straße", at the start
    of a word alone, as `wirewatch list` finds it: ICE marks no "Police")."""
    cleaned = [t for t in (folded(t.strip()) for t in terms) if t]
    if not cleaned:
        return None
    cleaned.sort(key=len, reverse=True)
    return re.compile("|".join(map(found_word_pattern, cleaned)), re.I)
