"""The article pane: title, source, times, link and tags, then the clean text."""

from __future__ import annotations

from datetime import UTC, tzinfo

from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from fetchers.models import Article
from fetchers.suggest import Suggestion
from tui.format import wall


class ArticleView(VerticalScroll):
    """Scrollable plain text of one article; feed text goes in as Text, never markup."""

    COMPONENT_CLASSES = {
        "article--title",
        "article--meta",
        "article--link",
        "article--note",
        "article--suggestion",
    }

    def __init__(self, local: tzinfo, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.local = local
        self.article_id: str | None = None

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(Text("Select a headline to read it."), id="article-body")

    def show(
        self,
        article: Article | None,
        text: str | None,
        note: str | None = None,
        suggestions: list[Suggestion] | None = None,
    ) -> None:
        body = self.query_one("#article-body", Static)
        if article is None:
            self.article_id = None
            body.update(Text("No article selected."))
            self.border_title = "Article"
            return
        if article.id != self.article_id:
            self.scroll_home(animate=False)
        self.article_id = article.id
        style = self.get_component_rich_style
        out = Text()
        out.append(article.title + "\n", style("article--title", partial=True))
        meta = [article.source]
        if article.author and article.author != article.source:
            meta.append(article.author)
        if article.published:
            meta.append(wall(article.published, self.local))
            meta.append(article.published.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC"))
        elif article.listed:
            meta.append("undated: listed with the article it was printed under")
        else:
            meta.append("publication time unknown")
        out.append(" · ".join(meta) + "\n", style("article--meta", partial=True))
        if article.link:
            out.append(article.link + "\n", style("article--link", partial=True))
        if article.tags:
            out.append(
                "tags: " + ", ".join(article.tags) + "\n", style("article--meta", partial=True)
            )
        for n, found in enumerate(suggestions or []):
            when = (
                wall(found.when, self.local)
                if not found.approximate
                else (f"the week of {found.when.astimezone(self.local):%a %Y-%m-%d}")
            )
            key = "c" if n == 0 else ""
            out.append(
                f"Suggested countdown: {found.name} — {when}"
                + (f"  (press {key} to add it)" if key else "")
                + "\n",
                style("article--suggestion", partial=True),
            )
        out.append("\n")
        content = text or article.summary
        if content:
            out.append(content)
        else:
            out.append(
                "Headline only: no text was published with it.",
                style("article--note", partial=True),
            )
        if note:
            out.append("\n\n" + note, style("article--note", partial=True))
        elif not text and article.link:
            out.append(
                "\n\nSummary only: press f to fetch the full text.",
                style("article--note", partial=True),
            )
        body.update(out)
        self.border_title = article.source
