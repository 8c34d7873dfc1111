"""`d`: what a source changed in an article, one revision after another, as word diffs of the
headline and the summary, then of the full text when a later fetch found it changed (its
changed paragraphs: `text_change`)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import App, ComposeResult
from textual.screen import ModalScreen

from fetchers.models import Article
from tui.actions import TableOrderedKeys, bindings
from tui.format import drawn, wall
from tui.widgets.footer import KeyFooter
from tui.widgets.textlines import TextLines, Wrapped, wrap_lines
from tui.worddiff import text_change, word_diff

BOX_WIDTH = 100  # columns of the box, at most
BOX_FRAME = 6  # of those, its border's (2), padding's (2) and scrollbar's (2)


class RevisionsScreen(TableOrderedKeys, ModalScreen[None]):
    """Each version of the article against the one before it, oldest first; the last is what
    the article says now."""

    BINDINGS = bindings("revisions")
    DEFAULT_CSS = f"""
    RevisionsScreen {{
        align: center middle;
    }}
    #revisions-box {{
        width: {BOX_WIDTH};
        max-width: 100%;
        max-height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }}
    """

    def __init__(self, shown: Wrapped) -> None:
        """`shown`: what to show (`revision_lines`, made and wrapped in a thread: a diff of
        long full texts takes long, and so does wrapping many lines)."""
        super().__init__()
        self._first_shown = shown
        self.lines = shown.lines  # as shown, one Text a line (the last says which key closes)

    @staticmethod
    def text_width(app: App[None]) -> int:
        """The width the lines are shown at, on this terminal."""
        return max(1, min(BOX_WIDTH, app.size.width) - BOX_FRAME)

    def compose(self) -> ComposeResult:
        yield TextLines(self._first_shown, id="revisions-box")
        yield KeyFooter()  # its own keys: the dashboard's beneath are not in force


def shown_lines(lines: list[Text], close: str, width: int) -> Wrapped:
    """`lines` (`revision_lines`, which end with a blank line) as the screen shows them,
    `width` cells wide, with which key closes it (`close`) last. (Any thread.)"""
    return wrap_lines([*lines, Text(f"{close} closes.", style="dim")], width)


def revision_lines(
    article: Article,
    revisions: list[dict[str, str]],
    revised: datetime | None,
    local: tzinfo,
    texts: list[dict[str, str | None]] | None = None,
) -> list[Text]:
    """Each version of the article against the one before it, oldest first, as lines of
    word diffs; `revised`: when the version it has now was first seen; `texts`: the full
    texts it had, oldest first, then the one it has now. (Any thread: no widget is asked.)"""
    texts = texts or []
    versions = [  # (as drawn: the diff's words are measured as the terminal shows them)
        (r.get("seen"), drawn(str(r.get("title") or "")), drawn(str(r.get("summary") or "")))
        for r in revisions
    ]
    now_seen = revised.isoformat() if revised is not None else None
    versions.append((now_seen, drawn(article.title), drawn(article.summary)))
    count, earlier = len(revisions), max(0, len(texts) - 1)
    said = [f"{count} earlier version" + ("s" if count > 1 else "")] if count else []
    if earlier:
        said.append(f"{earlier} earlier full text" + ("s" if earlier > 1 else ""))
    parts: list[Text] = [Text(f"{drawn(article.source)}: " + ", ".join(said))]
    parts[0].stylize("bold")
    parts.append(Text("struck through: removed · underlined: added\n", style="dim"))
    for n in range(1, len(versions) if count else 0):
        (_, title, summary), (seen, new_title, new_summary) = versions[n - 1], versions[n]
        parts.append(Text(f"Changed, as seen {_when(seen, local)}", style="bold underline"))
        parts.append(word_diff(title, new_title) if title != new_title else Text(new_title))
        if summary != new_summary:
            parts.append(word_diff(summary, new_summary))
        else:
            parts.append(Text("(summary unchanged)", style="dim"))
        parts.append(Text(""))
    for n in range(1, len(texts)):
        old, new = texts[n - 1], texts[n]
        since = _when(old.get("seen"), local)
        change = text_change(drawn(str(old.get("text") or "")), drawn(str(new.get("text") or "")))
        parts.append(Text(f"Full text changed since the one fetched {since}", style="bold"))
        parts += change.lines
        parts.append(Text(""))
    return parts


def _when(seen: str | None, local: tzinfo) -> str:
    if not seen:
        return "at a time not recorded"
    try:
        return wall(datetime.fromisoformat(seen), local)
    except ValueError:
        return seen
