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


# trafilatura lays each table out as a grid: a cell spanning columns (its colspan, up to
# `TRAFILATURA_SPAN`) becomes that many cells, and one spanning rows (its rowspan) puts a cell
# into each column it covers in each row below; and for each cell it adds it counts the row's
# cells again (lxml counts an element's children one by one). Its time grows with the grid's
# cells and with each row's width times its cells: two rows of 20,000 cells spanning a
# million columns each took 326 s, one row of 50,000 plain cells 8 s, and a table of 100
# cells spanning 100 rows and 100 columns above 99 rows of one cell (6 KB) 21 s; 50,000 cells
# in rows of ten take it 1.6 s. An article's tables make tens or hundreds of cells, a long
# table of results tens of thousands in rows of a few.
TRAFILATURA_SPAN = 100
MAX_GRID_CELLS = 50_000  # a page's tables' cells past which trafilatura is not asked
MAX_GRID_ROW = 2_000  # a row's cells past which it is not asked
_GRID_CELLS = frozenset(("td", "th"))
_GRID_PARTS = frozenset(("thead", "tbody", "tfoot"))


def grid_too_large(tree: HtmlElement) -> bool:
    """Whether trafilatura would lay the page's tables out as a grid of more than
    `MAX_GRID_CELLS` cells, or a row of more than `MAX_GRID_ROW` (counted as it counts
    them, each span at most `TRAFILATURA_SPAN`); an estimate that errs high."""
    cells = 0
    for table in tree.iter("table"):
        covering = 0  # columns the cells of rows above span into this row
        ending: dict[int, int] = {}  # a row -> the columns whose spans above end before it
        for n, row in enumerate(_grid_rows(table)):
            covering -= ending.pop(n, 0)
            width = covering
            for cell in row:
                columns = _grid_span(cell.get("colspan"))
                width += columns
                rows = _grid_span(cell.get("rowspan"))
                if rows > 1:
                    covering += columns
                    ending[n + rows] = ending.get(n + rows, 0) + columns
            cells += width
            if width > MAX_GRID_ROW or cells > MAX_GRID_CELLS:
                return True
    return False


def _grid_rows(table: HtmlElement) -> list[list[HtmlElement]]:
    """A table's rows as trafilatura reads them: its <tr>s, those of its head, body and foot
    too, each with its cells; a cell outside any row joins the row before it."""
    rows: list[list[HtmlElement]] = [[]]
    for child in table:
        parts = list(child) if child.tag in _GRID_PARTS else [child]
        for part in parts:
            if part.tag == "tr":
                rows.append([cell for cell in part if cell.tag in _GRID_CELLS])
            elif part.tag in _GRID_CELLS:
                rows[-1].append(part)
    return rows


def _grid_span(written: str | None) -> int:
    """The columns (or rows) trafilatura takes a colspan (or rowspan) to cover: 1 unless it
    is a number, at most `TRAFILATURA_SPAN` (the cell itself is one even at 0)."""
    if not written or not written.isdecimal():
        return 1
    if len(written.lstrip("0")) > len(str(TRAFILATURA_SPAN)):
        return TRAFILATURA_SPAN  # (int() refuses a number of thousands of digits)
    return max(1, min(int(written), TRAFILATURA_SPAN))


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
