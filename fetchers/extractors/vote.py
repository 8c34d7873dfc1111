"""Agreement between extractors, block by block.

Each extractor returns its idea of the article as text. That text is mapped back onto the
page's blocks (a long block by the share of its word triples the text contains, a short one
by its words appearing next to a long block the same extractor kept), and a block is the
article when the extractors that found an article mostly agree it is. Extractors err in
different places, so the majority errs less than any one of them.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from fetchers.extractors.blocks import Block, words

SHORT = 3  # blocks with fewer words are matched by their place, not their word triples
NEAR = 3  # how many blocks away a kept long block vouches for a short one
SLACK = 5  # words a text may put between a short block and that long block, beyond the page's


class Verdict:
    """One extractor's view of which blocks are the article (a share from 0 to 1 each)."""

    def __init__(self, name: str, weight: float, shares: list[float]) -> None:
        self.name = name
        self.weight = weight
        self.shares = shares

    @property
    def found(self) -> bool:
        return any(share > 0 for share in self.shares)


def block_words(blocks: Sequence[Block]) -> list[list[str]]:
    return [words(block.text) for block in blocks]


def shares_from_text(text: str, tokens: Sequence[list[str]]) -> list[float]:
    """How much of each block an extractor's text contains."""
    found = words(text)
    if not found:
        return [0.0] * len(tokens)
    triples = set(zip(found, found[1:], found[2:], strict=False))
    # Word runs shorter than a triple: found exactly when they occur in the text's words.
    shorter: set[tuple[str, ...]] = {(word,) for word in found}
    shorter.update(zip(found, found[1:], strict=False))
    shares: list[float] = []
    for block in tokens:
        if len(block) >= SHORT:
            hits = sum(
                1 for triple in zip(block, block[1:], block[2:], strict=False) if triple in triples
            )
            shares.append(hits / (len(block) - 2))
        else:
            shares.append(1.0 if tuple(block) in shorter else 0.0)
    # A short block counts only near a long block the same text holds: a lone "Share" or
    # "Home" found somewhere inside the article is not evidence. Before the first long block
    # kept or after the last, where a page has its breadcrumb, its tags and its sharing
    # links rather than a subheading or a caption, it must stand beside that block in the
    # text too: a breadcrumb's "Business" that the first paragraph says is no evidence.
    long_kept = [
        len(block) >= SHORT and share >= 0.5 for block, share in zip(tokens, shares, strict=True)
    ]
    if not any(long_kept):
        return shares  # an article of short lines only: nothing else to place them by
    first = long_kept.index(True)
    last = len(long_kept) - 1 - long_kept[::-1].index(True)
    edge = [n for n, block in enumerate(tokens) if len(block) < SHORT and not first < n < last]
    for n, block in enumerate(tokens):
        if len(block) < SHORT and shares[n]:
            lo, hi = max(0, n - NEAR), min(len(tokens), n + NEAR + 1)
            if not any(long_kept[lo:hi]):
                shares[n] = 0.0
    if any(shares[n] for n in edge):
        _place_edges(found, tokens, long_kept, shares, edge)
    return shares


def _place_edges(
    found: list[str],
    tokens: Sequence[list[str]],
    long_kept: list[bool],
    shares: list[float],
    edge: list[int],
) -> None:
    """Short blocks before the first long block a text holds or after its last (`edge`):
    each keeps its share only where the text has its words beside a long block near it in
    the page, and not as words of a long block."""
    spans = _spans(found, tokens, long_kept)
    covered = bytearray(len(found))  # the text's words that are a long block's
    for start, end in spans.values():
        covered[start:end] = b"\x01" * (end - start)
    places: dict[str, list[int]] = {}  # a word -> where the text has it, in order
    for at, word in enumerate(found):
        places.setdefault(word, []).append(at)
    for n in edge:
        if not shares[n]:
            continue
        block = tokens[n]
        beside = [
            m for m in range(max(0, n - NEAR), min(len(tokens), n + NEAR + 1)) if long_kept[m]
        ]
        if not any(
            _found_beside(block, found, places, covered, spans[m], _words_between(tokens, n, m))
            for m in beside
        ):
            shares[n] = 0.0


def _words_between(tokens: Sequence[list[str]], n: int, m: int) -> int:
    """The words of the blocks between two blocks of a page."""
    return sum(len(tokens[k]) for k in range(min(n, m) + 1, max(n, m)))


def _spans(
    found: list[str], tokens: Sequence[list[str]], long_kept: list[bool]
) -> dict[int, tuple[int, int]]:
    """Where in a text's words each long block it holds starts and ends, read in order:
    its triples found after the block before it (else anywhere), of those the ones that
    agree with most of them on where it starts (a sentence the text repeats elsewhere, a
    pull quote, moves one triple, not the block)."""
    places: dict[tuple[str, str, str], list[int]] = {}  # a triple -> where, in order
    for at, triple in enumerate(zip(found, found[1:], found[2:], strict=False)):
        places.setdefault(triple, []).append(at)
    spans: dict[int, tuple[int, int]] = {}
    cursor = 0  # where the block before ends
    for n, block in enumerate(tokens):
        if not long_kept[n]:
            continue
        hits = []  # (where the text has a triple of the block, its place in the block)
        for offset, triple in enumerate(zip(block, block[1:], block[2:], strict=False)):
            at_places = places.get(triple)
            if at_places:
                later = bisect.bisect_left(at_places, cursor)
                hits.append((at_places[later if later < len(at_places) else 0], offset))
        starts = sorted(at - offset for at, offset in hits)
        middle = starts[len(starts) // 2]
        agreeing = [at for at, offset in hits if abs(at - offset - middle) <= len(block) // 2]
        spans[n] = (min(agreeing), max(agreeing) + 3)
        cursor = max(cursor, spans[n][1])
    return spans


def _found_beside(
    block: list[str],
    found: list[str],
    places: dict[str, list[int]],
    covered: bytearray,
    span: tuple[int, int],
    between: int,
) -> bool:
    """Whether a short block's words occur in a text's words beside a long block's (`span`),
    with no more words between them than the page has (`between`) and a few more, and
    none of them a long block's own."""
    size, reach = len(block), between + SLACK
    at_places = places.get(block[0], [])
    first = bisect.bisect_left(at_places, span[0] - reach - size)
    last = bisect.bisect_right(at_places, span[1] + reach)
    return any(
        found[at : at + size] == block and not any(covered[at : at + size])
        for at in at_places[first:last]
    )


def agree(verdicts: Sequence[Verdict], count: int, threshold: float = 0.5) -> list[bool]:
    """The blocks the weighted majority of extractors that found an article keeps."""
    voting = [v for v in verdicts if v.found]
    total = sum(v.weight for v in voting)
    if not total:
        return [False] * count
    return [sum(v.weight * v.shares[n] for v in voting) / total > threshold for n in range(count)]


def complete_runs(
    blocks: Sequence[Block], first: Verdict, second: Verdict, keep: list[bool]
) -> list[bool]:
    """Blocks only one of two extractors keeps, beside blocks of the same kind both keep
    (the rest of a list, of a run of paragraphs, of one element's lines): the article does
    not stop in the middle of a list. Table cells are not a run: a layout table puts the
    menu and the article side by side. A block the vote keeps starts a run too: a list
    the two libraries split item by item is still one list."""
    agreed = [
        n
        for n in range(len(blocks))
        if keep[n] or (first.shares[n] >= 0.5 and second.shares[n] >= 0.5)
    ]
    elements = {blocks[n].element for n in agreed}
    runs = {(blocks[n].element.getparent(), blocks[n].tag) for n in agreed}
    completed = list(keep)
    for n, block in enumerate(blocks):
        if completed[n] or (first.shares[n] >= 0.5) == (second.shares[n] >= 0.5):
            continue
        if block.element in elements or (
            block.tag not in _CELLS and (block.element.getparent(), block.tag) in runs
        ):
            completed[n] = True
    return completed


_CELLS = frozenset(("td", "th"))
