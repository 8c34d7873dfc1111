"""A page cut into text blocks: the units every extractor's verdict is mapped back onto.

A block is the text between two block-level boundaries (a paragraph, a list item, a heading, a
table cell, a run of text ended by `<br>`), with the counts the choice between extractors needs:
its words, the words inside links, and the element it sits in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml.html import HtmlElement

# Chinese and Japanese are written without spaces: each character counts as a word.
_CJ = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
WORD = re.compile(f"[{_CJ}]|[^\\W{_CJ}]+")

BOUNDARY_TAGS = frozenset(
    (
        *("address", "article", "aside", "blockquote", "body", "br", "caption", "center"),
        *("dd", "details", "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure"),
        *("footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main"),
        *("nav", "ol", "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot"),
        *("th", "thead", "tr", "ul"),
    )
)
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Never text a reader sees: code, styles, controls and embedded documents.
SKIPPED_TAGS = frozenset(
    (
        *("script", "style", "template", "svg", "iframe", "object"),
        *("embed", "head", "select", "option", "button", "input", "textarea", "canvas"),
        *("audio", "video", "map", "link", "meta", "title"),
    )
)
HIDDEN_STYLE = re.compile(r"(?:^|;)\s*(?:display\s*:\s*none|visibility\s*:\s*hidden)", re.I)


@dataclass(slots=True, eq=False)
class Block:
    """One run of text between block boundaries, in document order."""

    index: int
    element: HtmlElement  # the nearest enclosing block-level element
    parts: list[str] = field(default_factory=list)
    words: int = 0
    link_words: int = 0
    tag: str = ""
    preformatted: bool = False  # inside a <pre>: its line breaks are the text's own

    @property
    def text(self) -> str:
        if self.preformatted:
            lines = "".join(self.parts).replace("\r\n", "\n").replace("\r", "\n").split("\n")
            return "\n".join(filter(None, (" ".join(line.split()) for line in lines)))
        return " ".join("".join(self.parts).split())

    @property
    def written(self) -> str:
        """The text of a preformatted block as written: every space and line break kept."""
        return "".join(self.parts)

    @property
    def link_density(self) -> float:
        return self.link_words / self.words if self.words else 0.0

    @property
    def is_heading(self) -> bool:
        return self.tag in HEADING_TAGS


def words(text: str) -> list[str]:
    """The words of a text as the extractors' agreement counts them (lower case)."""
    return WORD.findall(text.lower())


def is_hidden(element: HtmlElement) -> bool:
    """Hidden by the page itself: not shown to a reader (or to a screen reader), so not the
    article, unless it is its hidden rest (`rest.with_hidden_rest`); an AMP page's
    `layout="nodisplay"` (a sidebar menu shown only when opened) never is."""
    if element.attrib.get("layout", "").strip().lower() == "nodisplay":
        return True
    return element.attrib.get("aria-hidden") == "true" or hidden_from_view(element)


def hidden_from_view(element: HtmlElement) -> bool:
    """Hidden until a script shows it (`hidden`, `display: none`, `visibility: hidden`): a
    menu, a dialog, or the rest of an article behind a "Continue reading" button."""
    attrib = element.attrib
    if "hidden" in attrib:
        return True
    style = attrib.get("style")
    return bool(style and HIDDEN_STYLE.search(style))


def segment(
    root: HtmlElement,
    hidden: list[tuple[int, HtmlElement]] | None = None,
    whole: bool = False,
) -> list[Block]:
    """The text blocks of a parsed page in document order (the tree is not changed).

    Hidden elements are left out; `hidden`, when given, gets each one hidden from view
    (`hidden_from_view`) that is not inside another, with the number of blocks before it.
    `whole`: `root` is read even if it is hidden itself (the elements hidden inside it are
    still left out).

    Walks the tree with an explicit stack, so a page nested thousands of levels deep is read
    like any other."""
    body = root.find("body")
    start = body if body is not None else root
    blocks: list[Block] = []
    current: Block | None = None
    found = hidden if hidden is not None else []

    def add(text: str | None, in_link: bool, owner: HtmlElement, in_pre: bool) -> None:
        nonlocal current
        if not text:
            return
        if current is None:
            if text.isspace():
                return
            tag = str(owner.tag).lower()
            current = Block(index=len(blocks), element=owner, tag=tag, preformatted=in_pre)
            blocks.append(current)
        current.parts.append(text)
        count = len(WORD.findall(text))
        current.words += count
        if in_link:
            current.link_words += count

    def close() -> None:
        nonlocal current
        if current is not None and current.words == 0:
            blocks.pop()
            at = len(found)  # (the ones found since the block began come before the next)
            while at and found[at - 1][0] > len(blocks):
                at -= 1
                found[at] = (len(blocks), found[at][1])
        current = None

    # Entries: an element to enter (with the link flag and block owner it inherits), or the
    # tail text that follows an element, read when the walk has left that element.
    stack: list[_Enter | _Tail] = [_Enter(start, False, start, False)]
    while stack:
        item = stack.pop()
        if isinstance(item, _Tail):
            if item.after_boundary:
                close()
            add(item.text, item.in_link, item.owner, item.in_pre)
            continue
        element, in_link, owner, in_pre = item.element, item.in_link, item.owner, item.in_pre
        tag = element.tag
        if not isinstance(tag, str):  # a comment or processing instruction
            continue
        tag = tag.lower()
        if tag in SKIPPED_TAGS:
            continue
        if is_hidden(element) and not (whole and element is start):
            if hidden_from_view(element):
                found.append((len(blocks), element))
            continue
        if tag in BOUNDARY_TAGS:
            close()
            owner = element
        in_link = in_link or tag == "a"
        in_pre = in_pre or tag == "pre"
        add(element.text, in_link, owner, in_pre)
        for child in reversed(element):
            child_tag = child.tag
            boundary = isinstance(child_tag, str) and child_tag.lower() in BOUNDARY_TAGS
            stack.append(_Tail(child.tail, in_link, owner, boundary, in_pre))
            stack.append(_Enter(child, in_link, owner, in_pre))
    close()
    for n, block in enumerate(blocks):
        block.index = n
    return blocks


class _Enter:
    """An element still to be walked, with what it inherits from its parent."""

    __slots__ = ("element", "in_link", "owner", "in_pre")

    def __init__(
        self, element: HtmlElement, in_link: bool, owner: HtmlElement, in_pre: bool
    ) -> None:
        self.element = element
        self.in_link = in_link
        self.owner = owner
        self.in_pre = in_pre


class _Tail:
    """The text after an element, in its parent's block unless the element was a boundary."""

    __slots__ = ("text", "in_link", "owner", "after_boundary", "in_pre")

    def __init__(
        self,
        text: str | None,
        in_link: bool,
        owner: HtmlElement,
        after_boundary: bool,
        in_pre: bool,
    ) -> None:
        self.text = text
        self.in_link = in_link
        self.owner = owner
        self.after_boundary = after_boundary
        self.in_pre = in_pre
