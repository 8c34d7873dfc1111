"""The command palette (ctrl+p): the dashboard's actions, its sources and its events.

Source and event names come from config files and OPML imports, so they are shown as plain
text; Textual's own `Matcher.highlight` would read them as markup.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content
from textual.markup import escape

from fetchers.http import shown_url
from fetchers.models import Event

if TYPE_CHECKING:
    from tui.app import WirewatchApp

# (binding id, palette text, help): the actions worth finding by name
ACTIONS = [
    ("filter.prompt", "Filter headlines…", "Type a query: tariff OR APEC source:Yonhap"),
    ("filter.clear", "Clear the filter", "Show every headline"),
    ("filter.unread", "Toggle unread only", "Hide headlines already read"),
    ("filter.source", "Pick a source…", "Filter to one source, with counts"),
    ("filter.tag", "Pick a tag…", "Filter to one tag, with counts"),
    ("app.health", "Source health", "Status, last ok and last error of every source"),
    ("app.events", "Events…", "Filter to an event; add, edit or remove events"),
    ("event.suggest", "Add the article's suggested countdown", "Opens the event form filled in"),
    ("article.star", "Star or unstar the article", "Starred articles outlive retention"),
    ("article.read", "Mark the article read or unread", ""),
    ("article.full_text", "Fetch the full text", "Download the article page and extract it"),
    ("article.open_link", "Open the link", "In a browser here, else copied with OSC 52"),
    ("poll.refresh", "Refresh every source now", ""),
    ("app.help", "Keys", "Every key binding in force"),
]


def plain_highlight(matcher: Matcher, text: str) -> Content:
    """The matched letters styled, the text itself never read as markup."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if not score:
        return content
    for offset in offsets:
        if not text[offset].isspace():
            content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


class WirewatchCommands(Provider):
    """Actions (with their keys), "Filter to source: …" and "Filter to event: …"."""

    _events: list[Event] = []

    async def startup(self) -> None:
        """The newsroom's events, config and stored alike, read once as the palette opens."""
        newsroom = self.dashboard.newsroom
        self._events = await asyncio.to_thread(newsroom.events) if newsroom else []

    @property
    def dashboard(self) -> WirewatchApp:
        return cast("WirewatchApp", self.app)

    def _entries(self) -> list[tuple[str, str, Callable[[], object]]]:
        app = self.dashboard
        bindings = {b.id: b for b in app.BINDINGS if isinstance(b, Binding) and b.id}
        out: list[tuple[str, str, Callable[[], object]]] = []
        for binding_id, text, help_text in ACTIONS:
            binding = bindings.get(binding_id)
            if binding is None:
                continue
            keys = app.config.keys.get(binding_id, binding.key)  # the user's keymap wins
            key = app.get_key_display(Binding(keys.split(",")[0].strip(), binding.action))
            action = binding.action
            out.append((text, f"{help_text}  [{key}]".strip(), partial(app.run_action, action)))
        state = app.writer_state
        if not app.writer and state is not None and state.gone and not state.held:
            out.append(
                (
                    "Poll here: take over from the stopped poller",
                    "This dashboard takes the writer lock and polls the sources",
                    app.action_take_over,
                )
            )
        for source in app.config.sources:
            out.append(
                (
                    f"Filter to source: {source.name}",
                    shown_url(source.location),
                    partial(app.set_filter, f'source:"{source.name}"'),
                )
            )
        for event in self._events:
            if event.query:
                out.append(
                    (
                        f"Filter to event: {event.name}",
                        event.query,
                        partial(app.set_filter, event.query),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for text, help_text, command in self._entries():
            yield DiscoveryHit(Content(text), command, text=text, help=escape(help_text))

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for text, help_text, command in self._entries():
            score = matcher.match(text)
            if score > 0:
                yield Hit(
                    score,
                    plain_highlight(matcher, text),
                    command,
                    text=text,
                    help=escape(help_text),
                )
