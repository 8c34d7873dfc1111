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
from collections.abc import Iterable
from itertools import islice

from lxml.html import HtmlElement

from fetchers.extractors.blocks import HEADING_TAGS, Block

# The words of a class or id that name a box (each a whole word of the name).
_BOX_WORDS = frozenset(
    {
        *("cookie", "cookies", "consent", "gdpr", "share", "sharing", "social"),
        *("newsletter", "newsletters", "subscribe", "promo", "promos"),
        *("breadcrumb", "breadcrumbs"),
        # rails of other stories to read: "recommended-articles", "OUTBRAIN", "taboola-feed"
        *("recommended", "recommendations", "recommendation", "outbrain", "taboola"),
        *("trending", "popular", "mostread", "mostpopular", "readnext", "upnext", "alsoread"),
        *("morestories", "morenews", "whatsnext"),
    }
)
# Two words of a name, one after the other, that name such a rail together though neither
# does alone: "read-next", "more-stories", "also-read", "most-read", "up-next".
_BOX_PAIRS = frozenset(
    {
        *(("read", "next"), ("up", "next"), ("next", "up"), ("also", "read")),
        *(("read", "also"), ("more", "stories"), ("more", "articles")),
        *(("more", "news"), ("more", "reading"), ("further", "reading"), ("most", "read")),
        *(("most", "popular"), ("most", "viewed"), ("most", "shared"), ("most", "commented")),
        *(("next", "article"), ("next", "story"), ("you", "may"), ("also", "like")),
    }
)
# The words of a name of a box of readers' comments (WordPress's "respond", Coral's "talk",
# "discussion__item"): such a box after the article is no part of it, however many words it
# holds (`drop_named_boxes`).
THREAD_WORDS = frozenset(
    {
        *("comment", "comments", "commenting", "discussion", "discussions", "talk"),
        *("replies", "respond", "responses", "conversation", "conversations", "disqus"),
        *("coral", "thread", "threads", "reactions"),
    }
)
# data attributes whose value is a name the page gives a component ("data-component=
# read-next", "data-module=OUTBRAIN"), read as a class is
_NAMING_DATA = frozenset(
    ("data-component", "data-module", "data-testid", "data-widget", "data-block", "data-type")
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
MAX_DATA_NAME = 64  # characters of a data attribute's value read as a name (no JSON, no URL)


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
    for key in _NAMING_DATA:
        value = attrib.get(key)
        if value and len(value) <= MAX_DATA_NAME and _names_a_box(name_words(value)):
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
        *("rail", "feed", "carousel", "grid", "cards", "teaser", "teasers", "recirc"),
        *("next", "also", "most", "further", "you", "may", "like", "for"),
    }
    | {word for pair in _BOX_PAIRS for word in pair}
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
        or any(pair in _BOX_PAIRS for pair in zip(name_words, name_words[1:], strict=False))
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


# The words a name of a part of a comment thread has beside its thread word
# ("discussion__item", "comment-list", "comments-area", "reply-form").
_THREAD_NAME_WORDS = (
    _BOX_NAME_WORDS
    | THREAD_WORDS
    | frozenset(("reply", "item", "items", "count", "body", "text", "actions", "respond", "title"))
)
THREAD_LEAD_WORDS = 40  # kept words of article before it that a thread follows at least


def names_a_thread(element: HtmlElement) -> bool:
    """Whether an element's class or id names a box of readers' comments ("talk",
    "discussion", "comments-area", "respond")."""
    for name, is_id in ((element.get("class", ""), False), (element.get("id", ""), True)):
        found = name_words(name)
        if is_id and (len(found) > MAX_ID_WORDS or _heading_anchor(element, found)):
            continue  # (a paper's own "Discussion" section, its id made of its heading)
        if not THREAD_WORDS.isdisjoint(found) and all(
            word in _THREAD_NAME_WORDS or word.isdigit() for word in found
        ):
            return True
    return False


# What a reader's comment has: a control to answer it, and who wrote it or when, or a
# control to rate it.
_REPLY_CONTROL = re.compile(r"^(?:reply|respond|answer)(?:\s*\(\d+\))?$", re.I)
_RATE_CONTROL = re.compile(
    r"^(?:like|likes|dislike|upvote|downvote|report|flag|recommend|share)(?:\s*\(?\d+\)?)?$",
    re.I,
)
_WHO_WORDS = frozenset(
    ("author", "user", "username", "avatar", "who", "name", "nick", "nickname", "handle")
    + ("commenter", "byline", "poster", "profile")
)
COMMENT_ITEMS = 3  # repeated comments, one beside another, that make a thread
COMMENT_WALK = 200  # elements of a comment looked through for its controls
COMMENT_SHARE = 2 / 3  # of a run of like elements, at least this share comments


def comment_threads(parents: Iterable[HtmlElement]) -> set[HtmlElement]:
    """Of the given elements, those that hold a thread of readers' comments, whatever the
    page calls them: `COMMENT_ITEMS` or more like elements side by side (the same tag and
    class), most of which each hold a control to reply and the commenter's name, avatar or
    time or a control to rate the comment."""
    threads: set[HtmlElement] = set()
    for parent in parents:
        if len(parent) < COMMENT_ITEMS or not isinstance(parent.tag, str):
            continue
        runs: dict[tuple[str, str], list[HtmlElement]] = {}
        for child in parent:
            if isinstance(child.tag, str):
                runs.setdefault((child.tag, child.get("class", "")), []).append(child)
        for run in runs.values():
            if len(run) < COMMENT_ITEMS:
                continue
            comments = sum(1 for item in run if _a_comment(item))
            if comments >= COMMENT_ITEMS and comments >= COMMENT_SHARE * len(run):
                threads.add(parent)
                break
    return threads


def _a_comment(item: HtmlElement) -> bool:
    """Whether an element reads as a reader's comment: a reply control, and a name, avatar,
    time or rating control (its first `COMMENT_WALK` elements looked at)."""
    reply = who = False
    for element in islice(item.iter(), COMMENT_WALK):
        if not isinstance(element.tag, str):
            continue
        label = " ".join((element.text or "").split()) if len(element) == 0 else ""
        named = set(name_words(f"{element.get('class', '')} {element.get('id', '')}"))
        if _REPLY_CONTROL.match(label) or "reply" in named:
            reply = True
        elif (
            element.tag in ("img", "time")
            or not _WHO_WORDS.isdisjoint(named)
            or _RATE_CONTROL.match(label)
        ):
            who = True
        if reply and who:
            return True
    return False


def drop_named_boxes(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """The kept blocks without those inside a box the page names as not the article
    (`names_a_box`) that holds no more than `MAX_SHARE` of the kept words, or inside a thread
    of readers' comments (named so, `names_a_thread`, or built so, `comment_threads`) that
    follows `THREAD_LEAD_WORDS` or more of the article, with less of it after (a thread of
    5,000 comments holds most of a page's words); all of them when nothing else would be
    left."""
    total = sum(block.words for block, kept in zip(blocks, keep, strict=True) if kept)
    if not total:
        return keep
    root = blocks[0].element.getroottree().getroot()
    found = _Found(blocks, keep, root)
    boxed: dict[HtmlElement, bool] = {}  # an element -> whether it is in a box (memoised)
    pruned = []
    for block, kept in zip(blocks, keep, strict=True):
        pruned.append(kept and _in_box(block.element, boxed, found))
    pruned = [kept and not dropped for kept, dropped in zip(keep, pruned, strict=True)]
    return pruned if any(pruned) else keep


class _Found:
    """Where the kept words are: each element's count (its own blocks' and its
    descendants'), its first and last kept block, and the words kept before each block."""

    def __init__(self, blocks: list[Block], keep: list[bool], root: HtmlElement) -> None:
        self.held: dict[HtmlElement, int] = {}
        self.first: dict[HtmlElement, int] = {}
        self.last: dict[HtmlElement, int] = {}
        self.before = [0]
        for n, (block, kept) in enumerate(zip(blocks, keep, strict=True)):
            self.before.append(self.before[-1] + (block.words if kept else 0))
            if kept:
                element = block.element
                self.held[element] = self.held.get(element, 0) + block.words
                self.first.setdefault(element, n)
                self.last[element] = n
        self.total = self.before[-1]
        # one pass from the last element back (children before their parents), as a page
        # may nest thousands deep
        for element in reversed(list(root.iter())):
            count = self.held.get(element)
            parent = element.getparent()
            if count and parent is not None:
                self.held[parent] = self.held.get(parent, 0) + count
                self.first[parent] = min(
                    self.first.get(parent, self.first[element]), self.first[element]
                )
                self.last[parent] = max(self.last.get(parent, -1), self.last[element])
        self.threads = comment_threads(self.held)  # (only those that hold kept blocks)

    def after_article(self, element: HtmlElement) -> bool:
        """Whether an element's kept words follow the article's: `THREAD_LEAD_WORDS` or
        more kept before it, and fewer than those after it."""
        if element not in self.first:
            return False
        lead = self.before[self.first[element]]
        tail = self.total - self.before[self.last[element] + 1]
        return lead >= THREAD_LEAD_WORDS and tail < lead


def _in_box(element: HtmlElement, boxed: dict[HtmlElement, bool], found: _Found) -> bool:
    """Whether an element is, or is inside, a box that holds a small share of the article,
    or a thread of comments after it."""
    chain: list[HtmlElement] = []
    node: HtmlElement | None = element
    while node is not None and node not in boxed:
        chain.append(node)
        node = node.getparent()
    inside = boxed[node] if node is not None else False
    for node in reversed(chain):
        inside = inside or (
            isinstance(node.tag, str)
            and (
                (found.held.get(node, 0) <= MAX_SHARE * found.total and names_a_box(node))
                or ((node in found.threads or names_a_thread(node)) and found.after_article(node))
            )
        )
        boxed[node] = inside
    return inside
