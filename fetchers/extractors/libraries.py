"""The two extraction libraries wirewatch consults, each reduced to "its article as text".

trafilatura reads the page's structure and markup conventions; readability-lxml scores
paragraph containers the way Firefox's Reader View does. Either may fail or find nothing on a
page; that is an empty answer here, never an exception, because the other extractors still
vote.
"""

from __future__ import annotations

import copy
import functools
import logging
from typing import Any

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from fetchers.extractors.blocks import HIDDEN_STYLE

log = logging.getLogger(__name__)

# The libraries' loggers, and those of the libraries they use. A page one of them gives up on
# is one missing vote, not news: trafilatura's "discarding data: None" (a WARNING) reached
# the terminal of a `refresh` of a folder holding an HTML page. Their errors are still logged.
LIBRARY_LOGGERS = ("trafilatura", "htmldate", "courlan", "justext", "readability")


@functools.cache
def _quiet_libraries() -> None:
    """The libraries' loggers at ERROR, once they are imported (trafilatura sets htmldate's
    level as it is imported, so this comes after)."""
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)


def trafilatura_text(tree: HtmlElement, url: str | None) -> str:
    """trafilatura's main text without comments (it copies the tree; ours stays as it is)."""
    import trafilatura  # heavy import, only when a page is extracted

    _quiet_libraries()
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


def readability_text(tree: HtmlElement, url: str | None) -> str:
    """readability-lxml's article as text, one run of text a line."""
    try:
        summary = _fast_document()(tree, url=url).summary(html_partial=True)
    except Exception as exc:  # readability raises on pages it cannot score
        log.debug("readability failed: %s", exc)
        return ""
    if not summary or not summary.strip():
        return ""
    try:
        fragment = lxml.html.fragment_fromstring(summary, create_parent="div")
    except Exception:  # lxml raises several types on odd markup
        return ""
    return "\n".join(fragment.itertext())


_DOCUMENT: Any = None


def _fast_document() -> Any:
    """readability-lxml's Document, reading our parsed tree and measuring text faster.

    The library parses the page again, rewrites every link and runs lxml's HTML cleaner
    before it scores anything, and measures text through regular expressions whose cost
    grows with the square of a page's whitespace. Here it starts from a copy of the tree
    already parsed, removes what the cleaner would have removed for text (scripts, styles,
    comments, hidden elements), and measures the whitespace-collapsed text: the same
    scores, at a fraction of the time."""
    global _DOCUMENT
    if _DOCUMENT is None:
        from readability import Document

        _quiet_libraries()

        class FastDocument(Document):
            def _parse(self, input: HtmlElement) -> HtmlElement:
                doc = copy.deepcopy(input)
                for element in doc.xpath("//*[@hidden]"):
                    element.drop_tree()
                for element in doc.xpath("//*[@style]"):
                    if HIDDEN_STYLE.search(element.get("style")):
                        element.drop_tree()
                etree.strip_elements(
                    doc,
                    "script",
                    "style",
                    "link",
                    etree.Comment,
                    etree.ProcessingInstruction,
                    with_tail=False,
                )
                return doc

            def get_link_density(self, elem: HtmlElement) -> float:
                link_length = sum(_text_length(link) for link in elem.iterdescendants("a"))
                return float(link_length) / max(_text_length(elem), 1)

        _DOCUMENT = FastDocument
    return _DOCUMENT


def _text_length(element: HtmlElement) -> int:
    return len(" ".join((element.text_content() or "").split()))
