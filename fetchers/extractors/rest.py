"""The rest of an article that its page hides until the reader asks for it: the paragraphs
behind a "Continue reading" button, or the whole text a soft paywall ships in a hidden
element. They are in the page but hidden (`display: none`, `hidden`), and the blocks leave
everything hidden out, since what a page hides is most often no article (menus, dialogs,
cookie notices, sign-up forms).

A hidden element is the article's rest when it is inside the element that holds the kept
article (the <article> it is in), comes after the article's last kept paragraph, is no box the
markup marks as something else (navigation, an aside, a dialog, a form, a box named for sharing
or a newsletter, or for a paywall, a membership or an offer: the gate a site shows at the
reader's limit), and is itself mostly prose: two paragraphs or more.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from fetchers.extractors.blocks import Block, segment
from fetchers.extractors.boxes import GATE_WORDS, name_words
from fetchers.extractors.density import MAX_LINK_DENSITY, is_furniture, names_a_box

PARAGRAPH_WORDS = 10  # words of a block that make it a paragraph of prose
REST_PARAGRAPHS = 2  # paragraphs of prose a hidden element holds to be the article's rest
PROSE_SHARE = 0.5  # of a hidden element's words, at least this share in those paragraphs
# what the markup says is not the article, beyond navigation, asides and footers
_NO_REST_TAGS = frozenset(("dialog", "form", "header", "menu"))
_NO_REST_ROLES = frozenset(("dialog", "alertdialog", "form", "search"))
_PAGE = frozenset(("body", "html"))


def with_hidden_rest(
    blocks: list[Block], keep: list[bool], hidden: list[tuple[int, HtmlElement]]
) -> tuple[list[Block], list[bool]]:
    """The blocks with the article's hidden rest put in where it stands, kept; as they are
    when the page hides none. `hidden`: the elements hidden from view, each with the number
    of blocks before it, as `segment` finds them."""
    paragraphs = [n for n, kept in enumerate(keep) if kept and _prose(blocks[n])]
    if not hidden or not paragraphs:
        return blocks, keep
    container = _article_element(
        _common_ancestor([b.element for b, kept in zip(blocks, keep, strict=True) if kept])
    )
    if container is None or container.tag in _PAGE:
        return blocks, keep  # (kept blocks all over the page: no one article's element)
    kept_texts = {block.text for block, kept in zip(blocks, keep, strict=True) if kept}
    standing = _Standing(container)
    rests: list[tuple[int, list[Block]]] = []
    for before, element in hidden:
        if before <= paragraphs[-1] or not standing.in_article(element):
            continue
        rest = _rest(element)
        if rest:
            rests.append((before, [b for b in rest if b.text not in kept_texts]))
    if not rests:
        return blocks, keep
    out_blocks: list[Block] = []
    out_keep: list[bool] = []
    at = 0
    for before, rest in rests:
        out_blocks += blocks[at:before] + rest
        out_keep += keep[at:before] + [True] * len(rest)
        at = before
    out_blocks += blocks[at:]
    out_keep += keep[at:]
    for n, block in enumerate(out_blocks):
        block.index = n
    return out_blocks, out_keep


def _rest(element: HtmlElement) -> list[Block]:
    """The blocks of a hidden element that is mostly prose (its lines of links left out);
    none when it is not."""
    blocks = segment(element, whole=True)
    prose = [block for block in blocks if _prose(block)]
    if len(prose) < REST_PARAGRAPHS:
        return []
    if sum(b.words for b in prose) < PROSE_SHARE * sum(b.words for b in blocks):
        return []
    return [block for block in blocks if block.link_density <= MAX_LINK_DENSITY]


def _prose(block: Block) -> bool:
    return (
        not block.is_heading
        and block.words >= PARAGRAPH_WORDS
        and block.link_density <= MAX_LINK_DENSITY
    )


def _names_a_gate(element: HtmlElement) -> bool:
    """Whether an element's class or id has a word of a paywall's or a member's box (any of
    `GATE_WORDS`: what a page hides is seldom the article, so one such word will do)."""
    name = f"{element.get('class', '')} {element.get('id', '')}"
    return not GATE_WORDS.isdisjoint(name_words(name))


def _not_article(element: HtmlElement) -> bool:
    """An element the markup marks as something beside the article."""
    return (
        is_furniture(element)
        or element.tag in _NO_REST_TAGS
        or element.get("role") in _NO_REST_ROLES
        or names_a_box(element)
        or _names_a_gate(element)
    )


class _Standing:
    """Where elements stand: inside the article's element and in no box the markup marks
    as something else (`_not_article`). Each element is looked at once, however many hidden
    elements a page nested thousands deep has below it."""

    def __init__(self, container: HtmlElement) -> None:
        # an element -> whether what is inside it is in the article
        self.known: dict[HtmlElement, bool] = {container: True}

    def in_article(self, element: HtmlElement) -> bool:
        chain: list[HtmlElement] = []
        node: HtmlElement | None = element
        while node is not None and node not in self.known:
            chain.append(node)
            node = node.getparent()
        inside = node is not None and self.known[node]  # (the root reached: outside)
        for walked in reversed(chain):
            inside = inside and not _not_article(walked)
            self.known[walked] = inside
        return inside


def _article_element(common: HtmlElement | None) -> HtmlElement | None:
    """The element that holds the kept article: the <article> it is in (a teaser kept in
    a box of its own, the rest hidden beside it), or else the nearest that holds it all."""
    if common is None:
        return None
    if common.tag == "article":
        return common
    return next(common.iterancestors("article"), common)


def _common_ancestor(elements: list[HtmlElement]) -> HtmlElement | None:
    """The nearest element that holds all the given ones' parents (each element walked
    over once)."""
    first = elements[0].getparent()
    if first is None:
        return None
    chain = [first, *first.iterancestors()][::-1]  # from the root down
    depth = {element: n for n, element in enumerate(chain)}
    seen = set(chain)
    end = len(chain)  # the common ancestor is chain[end - 1]
    for element in elements[1:]:
        node = element.getparent()
        while node is not None and node not in seen:
            seen.add(node)
            node = node.getparent()
        if node is None:
            return None
        end = min(end, depth.get(node, end - 1) + 1)
    return chain[end - 1]
