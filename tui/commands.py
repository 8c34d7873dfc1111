"""The command palette (ctrl+p): the dashboard's actions, its sources and its events.

Source and event names come from config files and OPML imports, so they are shown as plain
text; Textual's own `Matcher.highlight` would read them as markup.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Matcher, Provider
from textual.content import Content

from fetchers.http import shown_url
from fetchers.query import quoted
from tui.actions import palette_actions
from tui.screens.dashboard import DashboardScreen

Entry = tuple[str, str, Callable[[], object]]  # palette text, help, what it runs


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


def _unmarked(text: str) -> str:
    """`text` as markup that shows it as it is: every "[" escaped (Textual's `escape` leaves
    "[A]" and "[LIVE]", capitals, alone, and the palette read them as style tags and dropped
    them: a key in capitals, an event's query)."""
    return text.replace("[", "\\[")


class WirewatchCommands(Provider):
    """Actions of the action table (with their keys in force), "Filter to source: …" and
    "Filter to event: …" for the newsroom's events, config and stored alike."""

    @property
    def dashboard(self) -> DashboardScreen | None:
        screen = self.screen
        return screen if isinstance(screen, DashboardScreen) else None

    def _entries(self) -> list[Entry]:
        dashboard = self.dashboard
        if dashboard is None:
            return []
        app = self.app
        out: list[Entry] = []
        for action, key in palette_actions(dashboard.config.keys, app.get_key_display):
            run = partial(dashboard.run_action, action.action)
            said = f"{action.help}  [{key}]" if key else action.help
            out.append((action.palette, said.strip(), run))
        if dashboard.can_take_over:
            out.append(
                (
                    "Poll here: take over from the stopped poller",
                    "This dashboard takes the writer lock and polls the sources",
                    dashboard.action_take_over,
                )
            )
        for source in dashboard.config.sources:
            out.append(
                (
                    f"Filter to source: {source.name}",
                    shown_url(source.location),
                    partial(dashboard.set_filter, f"source:{quoted(source.name)}"),
                )
            )
        for event in dashboard.events:  # the newsroom's, kept current by the dashboard
            if event.query:
                out.append(
                    (
                        f"Filter to event: {event.name}",
                        event.query,
                        partial(dashboard.set_filter, event.query),
                    )
                )
        return out

    async def discover(self) -> Hits:
        for text, help_text, command in self._entries():
            yield DiscoveryHit(Content(text), command, text=text, help=_unmarked(help_text))

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
                    help=_unmarked(help_text),
                )
