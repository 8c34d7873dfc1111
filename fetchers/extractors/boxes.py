"""Boxes a page names as not the article: a cookie banner, a share strip, an author's bio, a
paywall's gate ("Subscribe to continue reading").

Pages put such boxes inside the article's own element, where readability-lxml and the density
extractor keep them with the paragraphs around them. What gives them away is the name the page
gives them (its class, id, ARIA role or label), read word by word: "cookie-banner",
"authorBio" and "piano-offer" name boxes, "shared-memory", "cookiecutter" and
"subscriber-content" name no box; nor does an id made of a section's heading
("sharing-with-a-single-developer"). An element holding most of the article's words is
the article, whatever it is called (`<body class="cookie-consent-given">`).
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from fetchers.extractors.blocks import HEADING_TAGS, Block

# The words of a class or id that name a box (each a whole word of the name).
_BOX_WORDS = frozenset(
    {
        *("cookie", "cookies", "consent", "gdpr", "share", "sharing", "social"),
        *("newsletter", "newsletters", "subscribe", "promo", "promos"),
        *("breadcrumb", "breadcrumbs"),
    }
)
# The words of a class or id of a paywall's or a membership's box: the gate a site shows at
# the foot of a teaser or at the reader's limit ("paywall", "piano-offer", "subscription-wall",
# "regwall", "membership-offer"), shown or shipped hidden.
GATE_WORDS = frozenset(
    {
        *("paywall", "regwall", "paygate", "meter", "metered", "membership", "member"),
        *("members", "subscription", "subscriptions", "subscriber", "subscribe", "premium"),
        *("gate", "gated", "offer", "offers", "modal", "overlay", "popup", "piano", "barrier"),
        *("wall", "login", "register", "registration", "signin", "gift", "limit", "upsell"),
    }
)
# Of those, the words that name the gate itself rather than what it keeps ("subscriber-
# content", "premium-article" and "metered-body" name the article a gate is put before).
_GATE_BOX_WORDS = frozenset(
    ("paywall", "regwall", "paygate", "piano", "wall", "gate", "barrier", "offer", "offers")
)
# A name's word that starts with "related" names a box of related links whatever follows
# ("relatedposts"); "unrelated" does not.
_RELATED_PREFIX = "related"
_BIO_WORDS = frozenset(("bio", "biography"))  # named with "author": "author-bio", "authorBio"
_BOX_ROLES = frozenset(("dialog", "alertdialog", "navigation"))
_NAME_WORD = re.compile(r"[a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
MAX_SHARE = 0.5  # an element holding more of the article's words than this is no box in it
# An id of more words is an anchor made of a heading ("sharing-with-a-single-developer").
MAX_ID_WORDS = 3


def names_a_box(element: HtmlElement) -> bool:
    """Whether an element's class, id, role or ARIA label says it is a box that is not the
    article."""
    attrib = element.attrib
    if attrib.get("role", "").strip().lower() in _BOX_ROLES:
        return True
    if attrib.get("aria-modal", "").strip().lower() == "true":
        return True
    if _names_a_box(name_words(attrib.get("class", ""))):
        return True
    if _names_a_box(name_words(attrib.get("aria-label", ""))):
        return True
    id_words = name_words(attrib.get("id", ""))
    return (
        len(id_words) <= MAX_ID_WORDS
        and _names_a_box(id_words)
        and not _heading_anchor(element, id_words)
    )


def name_words(name: str) -> list[str]:
    """The words of a class, id or label, lower case: "authorBio js-share" is author, bio,
    js, share."""
    return _NAME_WORD.findall(_CAMEL.sub(" ", name).lower())


# The other words a box's name has beside its box word: what kind of thing it is, where it
# sits, what it belongs to ("share-tools", "cookie-banner", "article-share", "js-newsletter-
# signup"). A name with a word of anything else names content the box word qualifies:
# "share-prices" and "market-share" (a table of shares, a share of a market), "consent-decree",
# "social-care", "promo-code-rules".
_BOX_NAME_WORDS = frozenset(
    {
        *("bar", "bars", "banner", "box", "boxes", "block", "blocks", "button", "buttons"),
        *("btn", "btns", "container", "wrapper", "wrap", "panel", "widget", "widgets"),
        *("module", "links", "link", "list", "icons", "icon", "tools", "toolbar", "strip"),
        *("menu", "nav", "notice", "popup", "modal", "overlay", "dialog", "prompt", "form"),
        *("signup", "sign", "up", "cta", "card", "inline", "sticky", "floating", "fixed"),
        *("top", "bottom", "footer", "header", "side", "sidebar", "left", "right", "mobile"),
        *("desktop", "wide", "small", "large", "article", "post", "entry", "story", "page"),
        *("content", "main", "js", "c", "o", "m", "u", "is", "has", "el", "wp", "a", "the"),
        *("area", "section", "zone", "slot", "placeholder", "message", "msg", "alert", "info"),
        *("email", "mail", "media", "network", "networks", "follow", "us", "buttons"),
        *("posts", "stories", "articles", "items", "item", "news", "reading", "read", "more"),
        *("author", "about", "details", "detail", "profile", "meta", "this", "our"),
    }
    | _BOX_WORDS
    | _BIO_WORDS
    | GATE_WORDS
)


def _names_a_box(name_words: list[str]) -> bool:
    """Whether a name's words name a box: a box word, and every other word one a box's name
    has (`_BOX_NAME_WORDS`; digits too, "promo-2")."""
    found = set(name_words)
    related = any(word.startswith(_RELATED_PREFIX) for word in found)
    boxed = (
        bool(found & (_BOX_WORDS | _GATE_BOX_WORDS))
        or related
        or ("author" in found and bool(found & _BIO_WORDS))
    )
    if not boxed:
        return False
    return all(
        word in _BOX_NAME_WORDS or word.isdigit() or word.startswith(_RELATED_PREFIX)
        for word in found
    )


def _heading_anchor(element: HtmlElement, id_words: list[str]) -> bool:
    """Whether an id is made of the words of the element's heading (its own, or the first
    within it): a section's anchor ("related-work" over "Related work"), no box's name."""
    heading = next(element.iter(*HEADING_TAGS), None)
    if heading is None:
        return False
    return set(id_words) <= set(_NAME_WORD.findall(heading.text_content().lower()))


def drop_named_boxes(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """The kept blocks without those inside a box the page names as not the article
    (`names_a_box`) that holds no more than `MAX_SHARE` of the kept words; all of them when
    nothing else would be left."""
    total = sum(block.words for block, kept in zip(blocks, keep, strict=True) if kept)
    if not total:
        return keep
    held: dict[HtmlElement, int] = {}  # an element -> the kept words in it
    for block, kept in zip(blocks, keep, strict=True):
        if kept:
            held[block.element] = held.get(block.element, 0) + block.words
    # each element's count is its own blocks' and its descendants': one pass from the last
    # element back (children before their parents), as a page may nest thousands deep
    root = blocks[0].element.getroottree().getroot()
    for element in reversed(list(root.iter())):
        count = held.get(element)
        parent = element.getparent()
        if count and parent is not None:
            held[parent] = held.get(parent, 0) + count
    boxed: dict[HtmlElement, bool] = {}  # an element -> whether it is in a box (memoised)
    pruned = []
    for block, kept in zip(blocks, keep, strict=True):
        pruned.append(kept and not _in_box(block.element, boxed, held, total))
    return pruned if any(pruned) else keep


def _in_box(
    element: HtmlElement, boxed: dict[HtmlElement, bool], held: dict[HtmlElement, int], total: int
) -> bool:
    """Whether an element is, or is inside, a box that holds a small share of the article."""
    chain: list[HtmlElement] = []
    node: HtmlElement | None = element
    while node is not None and node not in boxed:
        chain.append(node)
        node = node.getparent()
    inside = boxed[node] if node is not None else False
    for node in reversed(chain):
        inside = inside or (
            isinstance(node.tag, str)
            and held.get(node, 0) <= MAX_SHARE * total
            and names_a_box(node)
        )
        boxed[node] = inside
    return inside
