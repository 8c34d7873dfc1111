"""wirewatch's own extractor: the densest run of text on the page, by words and links.

Each block scores its words, minus its linked words twice over (a list of headlines scores
below zero; inside what HTML marks as navigation, an aside or a footer, text counts against
too); the element whose blocks add up to the most is the article's container, and its blocks
that are text rather than links are the article, but for boxes inside it that name themselves
comments, related links, a widget, a gallery, a newsletter sign-up or sharing. It uses no
trained model and no class name to find the container, so it errs where the libraries do not,
and still finds an article they miss.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from fetchers.extractors.blocks import Block

# Elements HTML itself marks as navigation, asides and footers.
_FURNITURE_TAGS = frozenset(("nav", "aside", "footer"))
_FURNITURE_ROLES = frozenset(("navigation", "complementary", "contentinfo", "banner", "menu"))
# Class or id words of boxes a page embeds in its article that are not the article.
# (a name that starts with "related", "recommend", "outbrain" or "taboola" names such a box
# whatever follows: "jp-relatedposts", "relatedArticles")
_BOX_NAMES = re.compile(
    r"(?:^|[\s_-])(?:(?:comment|sidebar|widget|promo|gallery|sponsor|newsletter|share|social)s?"
    r"(?:$|[\s_-])|(?:related|recommend|outbrain|taboola)[a-z]*(?:$|[\s_-]))",
    re.I,
)
MAX_LINK_DENSITY = 0.5
# Fewer words than this and a block's word count says nothing: a caption, a label, a dateline
# and a one-line paragraph look alike, so on such blocks this extractor abstains.
FEW_WORDS = 10
UNDECIDED = 0.5


def is_furniture(element: HtmlElement) -> bool:
    """An element the markup declares to be navigation, an aside or a footer."""
    return element.tag in _FURNITURE_TAGS or element.get("role") in _FURNITURE_ROLES


def block_value(block: Block, furniture: bool) -> float:
    """What a block adds to its container: plain words count, linked words count against."""
    value = block.words - 2.0 * block.link_words
    if furniture and value > 0:
        value = -0.5 * value
    return value


def furniture_flags(blocks: list[Block]) -> dict[HtmlElement, bool]:
    """For each block's element: whether it or an ancestor is page furniture (memoised)."""
    flags: dict[HtmlElement, bool] = {}
    for block in blocks:
        chain: list[HtmlElement] = []
        element: HtmlElement | None = block.element
        while element is not None and element not in flags:
            chain.append(element)
            element = element.getparent()
        inherited = flags.get(element, False) if element is not None else False
        for node in reversed(chain):
            inherited = inherited or is_furniture(node)
            flags[node] = inherited
    return flags


def densest(blocks: list[Block]) -> list[bool]:
    """Which blocks are the article: the text blocks of the highest-scoring container."""
    if not blocks:
        return []
    flags = furniture_flags(blocks)
    totals: dict[HtmlElement, float] = {}
    for block in blocks:
        totals[block.element] = totals.get(block.element, 0.0) + block_value(
            block, flags[block.element]
        )
    # Each element's total is its own blocks' and its descendants': one pass from the last
    # element back (children before their parents), not a walk up from every block, which
    # costs blocks x depth on a page nested thousands deep.
    for element in reversed(list(blocks[0].element.getroottree().getroot().iter())):
        value = totals.get(element)
        parent = element.getparent()
        if value is not None and parent is not None:
            totals[parent] = totals.get(parent, 0.0) + value
    best = max(totals, key=lambda e: totals[e])
    inside = set(best.iter()) - embedded_boxes(best)
    best_is_furniture = flags.get(best, False)
    keep = []
    for block in blocks:
        keep.append(
            block.element in inside
            and block.link_density <= MAX_LINK_DENSITY
            and (best_is_furniture or not flags[block.element] or block.words >= 40)
        )
    return keep


def embedded_boxes(container: HtmlElement) -> set[HtmlElement]:
    """The elements of boxes inside the article's container that are not the article."""
    boxed: set[HtmlElement] = set()
    for element in container.iterdescendants():
        if element in boxed or not isinstance(element.tag, str):
            continue
        if names_a_box(element):
            boxed.update(element.iter())
    return boxed


def names_a_box(element: HtmlElement) -> bool:
    """An element whose class or id names a box that is not the article (`_BOX_NAMES`)."""
    return bool(_BOX_NAMES.search(f"{element.get('class', '')} {element.get('id', '')}"))


def density_shares(blocks: list[Block], kept: list[bool]) -> list[float]:
    """This extractor's vote (its article from densest): 1 for its article's blocks, 0 for
    the rest, and undecided on blocks too short for their words and links to tell (the other
    extractors decide those)."""
    return [
        UNDECIDED if block.words < FEW_WORDS else (1.0 if keep else 0.0)
        for block, keep in zip(blocks, kept, strict=True)
    ]
