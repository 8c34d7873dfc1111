"""Blocks that repeat the article's own sentences: a pull quote (WordPress's
"wp-block-pullquote", an `<aside class="element-pullquote">`, a plain `<aside>`) sets a
sentence of the body apart in large type, and the extractors keep it beside the paragraph it
quotes, so a reader met the sentence twice, the first time before its paragraph.

A kept block is such a repeat when each of its sentences is a sentence of another kept block
and it sits in an aside, a figure or a blockquote, or in an element named for a quote
("pullquote", "pull-quote", "quote"). The body's copy stays; a block that repeats nothing
stays, and so does a paragraph of the body that repeats another: a writer quotes a statement
whole, then again in parts to answer each, and the repeat is the article's own.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from fetchers.extractors.blocks import Block
from fetchers.extractors.boxes import name_words

_SET_APART_TAGS = frozenset(("aside", "figure", "blockquote"))
_QUOTE_WORDS = frozenset(("pullquote", "pullout", "quote", "pull", "callout"))
SET_APART_WALK = 4  # ancestors of a block looked through for the box that sets it apart
SENTENCE_WORDS = 5  # words a sentence has at least to be matched (shorter ones are skipped)
COPIES_LOOKED_AT = 32  # other blocks saying a sentence looked at for its body's copy
ATTRIBUTION_WORDS = 6  # a pull quote's short block beside its sentence: who said it
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"'”’)\]]*\s+")
_PLAIN = re.compile(r"[^\w\s]+")


def drop_repeats(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """The kept blocks without those that repeat sentences of other kept blocks (a pull
    quote's, its attribution with it)."""
    kept = [n for n, k in enumerate(keep) if k]
    if len(kept) < 2:
        return keep
    sentences = {n: _sentences(blocks[n].text) for n in kept}
    where: dict[str, set[int]] = {}  # a sentence -> the kept blocks that say it
    for n, said in sentences.items():
        for sentence in said:
            where.setdefault(sentence, set()).add(n)
    apart: dict[int, HtmlElement | None] = {n: _set_apart(blocks[n].element) for n in kept}
    # the sentences a block in no box says (the body's copy, never dropped here)
    in_body = {s for s, holders in where.items() if any(apart[m] is None for m in holders)}
    looked = {s: sorted(holders)[:COPIES_LOOKED_AT] for s, holders in where.items()}
    out = list(keep)
    dropped_boxes: set[HtmlElement] = set()
    for n in kept:
        said = sentences[n]
        if not said or not all(len(where[s]) > 1 for s in said):
            continue
        box = apart[n]
        if box is None:
            continue
        # the body's copy: a kept block outside this box, in no other box or longer (of a
        # sentence only boxes say, the first COPIES_LOOKED_AT: a page of thousands of
        # quotes of one sentence took the square of their number)
        if all(
            s in in_body
            or any(m != n and out[m] and _copy(m, n, box, apart, blocks) for m in looked[s])
            for s in said
        ):
            out[n] = False
            dropped_boxes.add(box)
    for n in kept:  # the pull quote's attribution ("Kim Soo-jin") goes with it
        if out[n] and apart[n] in dropped_boxes and blocks[n].words <= ATTRIBUTION_WORDS:
            out[n] = False
    return out if any(out) else keep


def _copy(
    m: int, n: int, box: HtmlElement, apart: dict[int, HtmlElement | None], blocks: list[Block]
) -> bool:
    """Whether block m is the body's copy of what block n, set apart in `box`, says."""
    return apart[m] is not box and (apart[m] is None or blocks[m].words > blocks[n].words)


def _sentences(text: str) -> frozenset[str]:
    """A block's sentences of `SENTENCE_WORDS` or more, in plain lower case (quotation marks
    and other punctuation left out: a pull quote is set in quotes its paragraph has not)."""
    found = set()
    for sentence in _SENTENCE_END.split(text):
        plain = " ".join(_PLAIN.sub(" ", sentence.lower()).split())
        if len(plain.split()) >= SENTENCE_WORDS:
            found.add(plain)
    return frozenset(found)


def _set_apart(element: HtmlElement) -> HtmlElement | None:
    """The aside, figure, blockquote or element named for a quote that a block sits in
    (within `SET_APART_WALK` ancestors), if any."""
    node: HtmlElement | None = element
    for _ in range(SET_APART_WALK):
        if node is None or not isinstance(node.tag, str):
            return None
        if node.tag in _SET_APART_TAGS:
            return node
        if not _QUOTE_WORDS.isdisjoint(name_words(f"{node.get('class', '')} {node.get('id', '')}")):
            return node
        node = node.getparent()
    return None
