"""The article pane: title, source, times, link and tags, then the clean text.

It loads what it shows itself, through the session: the stored text and the countdowns the
text suggests (in a thread), and on `f` the full text from the article's page."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from fetchers.extract import ExtractError
from fetchers.foreground import in_foreground
from fetchers.http import FetchError
from fetchers.models import Article, Event
from fetchers.suggest import Suggestion, Suggestions
from fetchers.text import strip_controls
from tui.actions import NO_KEY, bindings, first_key, press
from tui.format import drawn, shown_line, wall
from tui.session import Reading, Session
from tui.widgets.colours import ShownStyles
from tui.workers import ReportsWorkerErrors

TEXT_WAIT = 600.0  # seconds after it was stored that an article's page is waited for
TEXT_RECHECK = 5.0  # seconds between two reads of such an article shown without its text


class ArticleView(ReportsWorkerErrors, VerticalScroll):
    """Scrollable plain text of one article; feed text goes in as Text, never markup."""

    BORDER_TITLE = "Article"
    BINDINGS = bindings("article")
    DEFAULT_CSS = """
    ArticleView {
        height: 1fr;
        padding: 0 1;
    }
    ArticleView > .article--suggestion {
        color: $text-accent;
        text-style: bold;
    }
    ArticleView > .article--title {
        text-style: bold;
        color: $foreground;
    }
    ArticleView > .article--meta {
        color: $text-muted;
    }
    ArticleView > .article--link {
        color: $text-primary;
        text-style: underline;
    }
    ArticleView > .article--also {
        color: $text-secondary;
    }
    ArticleView > .article--note {
        color: $text-warning;
        text-style: italic;
    }
    ArticleView > .article--pulled {
        color: $text-error;
        text-style: bold;
    }
    """
    COMPONENT_CLASSES = {
        "article--title",
        "article--meta",
        "article--link",
        "article--note",
        "article--suggestion",
        "article--also",
        "article--pulled",
    }

    events: reactive[list[Event]] = reactive(list, repaint=False)
    """The events already counted down to: a suggestion never repeats one."""

    @dataclass
    class Loaded(Message):
        """The article `article_id` as read from the store."""

        article_id: str
        reading: Reading
        events: list[Event] = field(default_factory=list)  # its suggestions were found against
        again: bool = False  # read again as the events changed: drawn only if they did

    @dataclass
    class FullText(Message):
        """The full text fetched from the article's page, or why there is none (`article`:
        None when it is no longer stored)."""

        article_id: str
        article: Article | None
        text: str | None
        reason: str = ""  # "HTTP 404 Not Found"

    # the keys scroll at once, never animated: keys typed ahead in one read (over SSH, ten
    # j's) each started from where an animation was, and most were lost
    def action_move(self, lines: int) -> None:
        self.scroll_to(y=self.scroll_y + lines, animate=False, immediate=True)

    def action_page(self, pages: int) -> None:
        height = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_y + pages * height, animate=False, immediate=True)

    def action_to_end(self, end: int) -> None:
        self.scroll_to(y=self.max_scroll_y if end else 0, animate=False, immediate=True)

    def __init__(
        self, session: Session, *, id: str | None = None, classes: str | None = None
    ) -> None:
        self.shown_style = ShownStyles(self)  # its colours as drawn on its background
        super().__init__(id=id, classes=classes)
        self.session = session
        self.local = session.local
        self.article_id: str | None = None
        self.wanted: str | None = None  # the article asked for last: older answers are dropped
        self._read_pending = False  # a read of `wanted` waits for the next paint
        self._held: ArticleView.Loaded | None = None  # read while a filter runs
        self._hold_timer: Timer | None = None
        self.suggestions: list[Suggestion] = []  # for the article on screen
        self.no_suggestion = Suggestions().why_none()  # and why it has none
        self.also: tuple[str | None, list[str]] = (None, [])  # an article's other outlets
        self.text_older: str | None = None  # the article whose text predates its revision
        # an article's pulled mark: when its feed was first seen to have taken it down
        self.pulled: tuple[str | None, datetime | None] = (None, None)
        self._also_width = 0  # the width its other outlets were capped at
        # how far into the text the reader is (the share above the top line), at this width
        self._share_read = 0.0
        self._width_read = 0
        # an article just stored, shown without its text while its source's page may still
        # be on its way (the poller fetches pages after the articles): read again until then
        self._text_timer: Timer | None = None
        self._fetching: set[str] = set()  # the articles `f` asked the pages of
        # what `show` drew last and in which colours: drawn again in a theme's (`_restyle`)
        self._shown: tuple[Article, str | None, str | None, list[Suggestion] | None] | None = None
        self._shown_in: tuple[Style, ...] = ()

    def _key(self, binding_id: str) -> str:
        """The first key in force (after the user's [keys]) of a binding, as shown."""
        return first_key(binding_id, self.session.config.keys, self.app.get_key_display)

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a headline to read it."), id="article-body")

    def _colours(self) -> tuple[Style, ...]:
        """The article's colours as the theme has them now."""
        return tuple(self.shown_style(name) for name in sorted(self.COMPONENT_CLASSES))

    def notify_style_update(self) -> None:
        """Another theme (or the pane's styles updated): the article's colours are drawn
        into its text, which kept the theme it was shown in (a byline in the dark theme's
        grey on the light theme's white) until another article was opened."""
        super().notify_style_update()
        self.shown_style.forget()
        if self.is_mounted and self._shown is not None:
            self.call_later(self._restyle)

    def _restyle(self) -> None:
        """The article on screen drawn again, when its colours are no longer those drawn."""
        if self._shown is not None and self._colours() != self._shown_in:
            self.show(*self._shown)

    # -- the place read, kept across a resize ---------------------------------------------------
    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self._width_read == self.size.width:  # (not the clamp a new width brings)
            self._share_read = new_value / self.max_scroll_y if self.max_scroll_y else 0.0

    def on_resize(self) -> None:
        """Another width wraps the text anew: the place read is kept as the share of the
        text above it, not as a count of lines (a scrolled article jumped a score of
        paragraphs at each resize)."""
        if self._width_read != self.size.width:
            share, self._width_read = self._share_read, self.size.width
            if share:
                self.call_after_refresh(self._scroll_to_share, share, self.article_id)
        if (
            self._shown is not None
            and self.also[0] == self.article_id
            and self.also[1]
            and self._text_width() != self._also_width
        ):
            # (a pane hidden when the article was shown has its width only now)
            self.show(*self._shown)  # its other outlets capped at this width

    def _text_width(self) -> int:
        """The columns the article's text wraps at (80 before the pane is laid out)."""
        width = self.scrollable_content_region.width
        return width if width > 0 else 80

    def _scroll_to_share(self, share: float, article_id: str | None) -> None:
        if article_id != self.article_id:  # another article came meanwhile: at its top
            return
        self.scroll_to(y=round(share * self.max_scroll_y), animate=False, immediate=True)
        self._share_read = share

    # -- loading --------------------------------------------------------------------------
    def load(self, ident: str | None) -> None:
        """Show the article `ident` once it is read (None: no article)."""
        self.wanted = ident
        if ident is None:
            self.show(None, None)
        elif not self._read_pending:
            # After the screen's next paint: the headlines a key or a filter changed are drawn
            # first, and a run of cursor moves reads only the article it stops at.
            self._read_pending = True
            self.call_after_refresh(self._read_wanted)

    def _read_wanted(self) -> None:
        self._read_pending = False
        if self.wanted is not None:
            self._read(self.wanted)

    @work(thread=True, exclusive=True, group="article", exit_on_error=False)
    def _read(self, ident: str, again: bool = False) -> None:
        events = self.events
        reading = self.session.reading(ident, events)
        self.post_message(self.Loaded(ident, reading, events, again))

    def watch_events(self) -> None:
        """Find the article's suggestions again against the events as they are now: one
        added (by `c`, in the events list, by another dashboard or the config) was still
        offered, and `c` added it a second time. A read already waiting reads them anyway."""
        if self.is_mounted and self.wanted is not None and not self._read_pending:
            self._read(self.wanted, again=True)

    def hold(self, longest: float = 1.0) -> None:
        """A filter is being run: an article read meanwhile waits until its rows are on
        screen (`release`), so that drawing it does not hold the screen's thread while the
        filter's answer comes in (the filter's rows most often highlight another article).
        After `longest` seconds it is shown regardless."""
        if self._hold_timer is not None:
            self._hold_timer.stop()
        self._hold_timer = self.set_timer(longest, self.release)

    def release(self) -> None:
        """The filter's rows are drawn: an article read meanwhile is shown after that paint."""
        if self._hold_timer is None:
            return
        self._hold_timer.stop()
        self._hold_timer = None
        held, self._held = self._held, None
        if held is not None:
            self.call_after_refresh(self._loaded, held)

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        if message.article_id != self.wanted or message.events != self.events:
            return  # (read against events since changed: a read against these follows)
        found = message.reading.suggestions
        if (
            message.again
            and message.article_id == self.article_id
            and found.found == self.suggestions
        ):
            self.no_suggestion = found.why_none()  # (the same offered: nothing drawn again)
            return
        if self._hold_timer is not None:
            self._held = message
            return
        self.suggestions = found.found
        self.no_suggestion = found.why_none()
        self.also = (message.article_id, message.reading.also)
        self.text_older = message.article_id if message.reading.text_older else None
        self.pulled = (message.article_id, message.reading.pulled)
        self.show(message.reading.article, message.reading.text, None, found.found)
        self._await_text(message.reading.article, message.reading.text)

    def _await_text(self, article: Article | None, text: str | None) -> None:
        """Read the article on screen again in TEXT_RECHECK seconds when it has no text yet
        but was stored within TEXT_WAIT: its page may come in meanwhile (it stayed "Summary
        only" until another article was opened and this one again)."""
        if self._text_timer is not None:
            self._text_timer.stop()
            self._text_timer = None
        if article is None or text or not article.link or article.fetched is None:
            return
        stored_for = (self.session.clock() - article.fetched).total_seconds()
        if stored_for > TEXT_WAIT or article.id in self._fetching:
            return
        # (only where the poller fetches pages: a source's `full_text`)
        if not any(s.full_text and s.name == article.source for s in self.session.config.sources):
            return
        ident = article.id
        self._text_timer = self.set_timer(TEXT_RECHECK, lambda: self._recheck(ident))

    def _recheck(self, ident: str) -> None:
        """(`_await_text`'s timer.) Read the article again if it is still the one shown."""
        self._text_timer = None
        if ident == self.wanted == self.article_id:
            self._read(ident)

    def fetch_full_text(self, ident: str) -> None:
        """Fetch the page of the article `ident` and show its text (or why there is none)."""
        self._fetch(ident)

    @work(group="full_text", exclusive=False, exit_on_error=False)
    async def _fetch(self, ident: str) -> None:
        """The article is read in a thread (a store read: a query on PostgreSQL), the page
        fetched in the poll thread's loop or a client of this one's. Each article's fetch
        goes on when another article is opened and fetched (the second `f` cancelled the
        first, which was never stored nor said)."""
        if ident in self._fetching:  # (asked again while it is under way)
            return
        self._fetching.add(ident)
        if self._text_timer is not None:  # (its read would say "Summary only" meanwhile)
            self._text_timer.stop()
            self._text_timer = None
        try:
            await self._fetch_page(ident)
        finally:
            self._fetching.discard(ident)

    async def _fetch_page(self, ident: str) -> None:
        article = await asyncio.to_thread(in_foreground, self.session.get, ident)
        if article is None or not article.link:
            why = self.session.why_no_link(article) if article else "it is no longer stored"
            self.notify(f"No page to fetch the text from: {why}.", markup=False)
            return
        if ident == self.wanted:
            self.show(article, None, note="Fetching the full text…")
        previous = await asyncio.to_thread(in_foreground, self.session.kept_text, ident)
        try:
            text = await self.session.page_text(article.link, article.source, previous)
        except (FetchError, ExtractError) as exc:
            self.post_message(self.FullText(ident, article, None, str(exc)))
            return
        await asyncio.to_thread(self.session.keep_text, ident, text)
        self.post_message(self.FullText(ident, article, text))

    @on(FullText)
    def _full_text(self, message: FullText) -> None:
        article = message.article
        if message.article_id != self.wanted:  # the reader moved on: said, not shown
            if message.text is None:
                reason = f": {message.reason}" if message.reason else "."
                title = shown_line(article.title) if article is not None else "an article"
                note = f"The full text of “{title}” could not be fetched{reason}"
                self.notify(note, title="Full text", severity="warning", markup=False)
            return
        if message.text is None:
            reason = f": {message.reason}." if message.reason else "."
            note = (
                f"The full text could not be fetched{reason} Press"
                f" {self._key('article.full_text')} to try again, or"
                f" {self._key('article.open_link')} to open the page in your browser."
            )
            self.show(article, None, note=note)
            self.notify(note, title="Full text", severity="warning", markup=False)
        else:
            if self.text_older == message.article_id:  # fetched again: as new as its headline
                self.text_older = None
            self.show(article, message.text)

    def _summary_note(self, article: Article) -> str:
        """What is said under a summary shown for want of a full text: why the poller's
        fetch of its page failed, when it does, and what to press."""
        key = self._key("article.full_text")
        failure = self.session.page_failure(article.id)
        if failure is None:
            return f"Summary only: {press(key)} to fetch the full text."
        reason, retry_at = failure
        when = (
            f" (tried again by itself after {wall(retry_at, self.local)})"
            if retry_at is not None
            else ""
        )
        opens = self._key("article.open_link")
        opening = "" if opens == NO_KEY else f", or {opens} to open the page in your browser"
        return (
            f"Full text failed: {strip_controls(reason)}{when}. {press(key, starts=True)} to try"
            f" again{opening}."
        )

    def show(
        self,
        article: Article | None,
        text: str | None,
        note: str | None = None,
        suggestions: list[Suggestion] | None = None,
    ) -> None:
        body = self.query_one("#article-body", Static)
        self._shown = None
        if article is None:
            self.article_id = None
            body.update(Text("No article selected."))
            self.border_title = self.BORDER_TITLE
            return
        if article.id != self.article_id:
            self.scroll_home(animate=False)
            self._share_read = 0.0  # (another article: a resize now keeps its top, not A's place)
        self.article_id = article.id
        style = self.shown_style
        out = Text()
        # (feed text was cleaned as fetched; a store another program wrote or edited holds
        # what it never cleaned: its escapes stay off the terminal)
        out.append(shown_line(article.title) + "\n", style("article--title"))
        meta = [shown_line(article.source)]
        if article.author and article.author != article.source:
            meta.append(shown_line(article.author))
        if article.published:
            meta.append(wall(article.published, self.local))
            if article.published.astimezone(self.local).utcoffset():  # (on a UTC host: once)
                meta.append(article.published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        elif article.listed:
            meta.append("undated: listed with the article it was printed under")
        else:
            meta.append("publication time unknown")
        out.append(" · ".join(meta) + "\n", style("article--meta"))
        pulled_for, pulled = self.pulled
        if pulled_for == article.id and pulled is not None:
            at = pulled.astimezone(self.local)
            today = self.session.clock().astimezone(self.local).date()
            said = f"{at:%H:%M}" + ("" if at.date() == today else f" on {at:%a %d %b}")
            out.append(f"Pulled from its feed at {said}\n", style("article--pulled"))
        if article.link:
            out.append(shown_line(article.link) + "\n", style("article--link"))
        else:
            why = self.session.why_no_link(article)
            out.append(why + "\n", style("article--meta"))
        if article.tags:
            out.append(
                "tags: " + shown_line(", ".join(article.tags)) + "\n",
                style("article--meta"),
            )
        also_for, also = self.also
        if also_for == article.id and also:
            self._also_width = self._text_width()
            out.append(
                also_reported([drawn(name) for name in also], self._also_width) + "\n",
                style("article--also"),
            )
        for n, found in enumerate(suggestions or []):
            when = (
                wall(found.when, self.local)
                if not found.approximate
                else (f"the week of {found.when.astimezone(self.local):%a %Y-%m-%d}")
            )
            key = self._key("event.suggest") if n == 0 else ""
            out.append(
                f"Suggested countdown: {drawn(found.name)} — {when}"
                + (f"  (press {key} to add it)" if key and key != NO_KEY else "")
                + "\n",
                style("article--suggestion"),
            )
        out.append("\n")
        if text and self.text_older == article.id:
            out.append(
                "This full text was fetched before its source revised the article:"
                f" {press(self._key('article.full_text'))} to fetch it again.\n\n",
                style("article--note"),
            )
        content = text or article.summary
        if content:
            out.append(drawn(strip_controls(content)))
        else:
            out.append(
                "Headline only: no text was published with it.",
                style("article--note"),
            )
        if note:
            out.append("\n\n" + note, style("article--note"))
        elif not text and article.link:
            out.append("\n\n" + self._summary_note(article), style("article--note"))
        body.update(out)
        self.border_title = Content(shown_line(article.source))  # never markup
        self._shown = (article, text, note, suggestions)
        self._shown_in = self._colours()


ALSO_LINES = 2  # the most lines "also reported by" takes above the text


def also_reported(outlets: list[str], width: int, lines: int = ALSO_LINES) -> str:
    """The line naming a story's other outlets, as many as fit in `lines` wrapped at `width`
    and a count of the rest ("also reported by A, B and 37 more": a story of 40 outlets took
    8 of an 80x30 pane's 26 lines before its text began); its timeline lists every one."""
    names = [shown_line(name) for name in outlets]
    total = len(names)
    budget = width * lines
    shown = 0
    size = len("also reported by ")
    while shown < total and size + cell_len(names[shown]) + 2 <= budget:
        size += cell_len(names[shown]) + 2
        shown += 1
    for count in range(max(shown, 1), 0, -1):
        rest = total - count
        line = "also reported by " + ", ".join(names[:count])
        if rest:
            line += f" and {rest} more"
        if _wrapped_lines(line, width) <= lines:
            return line
    return f"also reported by {total} outlets"


def _wrapped_lines(line: str, width: int) -> int:
    """How many lines `line` takes wrapped at `width` on its spaces (a word wider than the
    width folded), as the pane wraps it."""
    count, used = 1, 0
    for word in line.split(" "):
        size = cell_len(word)
        if used == 0:
            used = size
        elif used + 1 + size <= width:
            used += 1 + size
            continue
        else:
            count += 1
            used = size
        while used > width:  # folded
            count += 1
            used -= width
    return count
