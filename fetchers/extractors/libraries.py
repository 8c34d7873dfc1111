"""The two extraction libraries wirewatch consults, each reduced to "its article as text".

trafilatura reads the page's structure and markup conventions; readability-lxml scores
paragraph containers the way Firefox's Reader View does. Either may fail or find nothing on a
page; that is an empty answer here, never an exception, because the other extractors still
vote.
"""

from __future__ import annotations

import logging
from typing import Any

import lxml.html
from lxml.html import HtmlElement

from fetchers.extractors.blocks import segment

log = logging.getLogger(__name__)


def trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text without comments (it copies the tree; ours stays as it is)."""
    import trafilatura  # heavy import, only when a page is extracted

    try:
        text = trafilatura.extract(
            tree,
            url=url,
            fast=True,  # its own fallbacks are the other voters here
            output_format="txt",
            include_comments=False,
            include_tables=True,
            include_links=False,
            include_images=False,
            deduplicate=False,
        )
    except Exception as exc:  # a library failure is one missing vote, not a failed page
        log.debug("trafilatura failed: %s", exc)
        return ""
    return text or ""


def readability_text(markup: str, url: str | None) -> str:
    """readability-lxml's article as text, one block a line."""
    try:
        summary = _fast_document()(markup, url=url).summary(html_partial=True)
    except Exception as exc:  # readability raises on pages it cannot score
        log.debug("readability failed: %s", exc)
        return ""
    if not summary or not summary.strip():
        return ""
    try:
        fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # lxml raises several types on odd markup
        return ""
    return "\n".join(block.text for block in segment(fragment))


_DOCUMENT: Any = None


def _fast_document() -> Any:
    """readability-lxml's Document, measuring link density without its slow text cleaner.

    The library measures text through three regular expressions whose cost grows with the
    square of a page's whitespace; the length of the whitespace-collapsed text is the same
    measure, so the article chosen is the same, at a fraction of the time."""
    global _DOCUMENT
    if _DOCUMENT is None:
        from readability import Document

        class FastDocument(Document):
            def get_link_density(self, elem: HtmlElement) -> float:
                link_length = sum(_text_length(link) for link in elem.iterdescendants("a"))
                return float(link_length) / max(_text_length(elem), 1)

        _DOCUMENT = FastDocument
    return _DOCUMENT


def _text_length(element: HtmlElement) -> int:
    return len(" ".join((element.text_content() or "").split()))
