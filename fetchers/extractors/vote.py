"""Agreement between extractors, block by block.

Each extractor returns its idea of the article as text. That text is mapped back onto the
page's blocks (a long block by the share of its word triples the text contains, a short one
by its words appearing next to a long block the same extractor kept), and a block is the
article when the extractors that found an article mostly agree it is. Extractors err in
different places, so the majority errs less than any one of them.
"""

from __future__ import annotations

from collections.abc import Sequence

from fetchers.extractors.blocks import Block, words

SHORT = 3  # blocks with fewer words are matched by their place, not their word triples
NEAR = 3  # how many blocks away a kept long block vouches for a short one


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
    # "Home" found somewhere inside the article is not evidence.
    long_kept = [
        len(block) >= SHORT and share >= 0.5 for block, share in zip(tokens, shares, strict=True)
    ]
    if not any(long_kept):
        return shares  # an article of short lines only: nothing else to place them by
    for n, block in enumerate(tokens):
        if len(block) < SHORT and shares[n]:
            lo, hi = max(0, n - NEAR), min(len(tokens), n + NEAR + 1)
            if not any(long_kept[lo:hi]):
                shares[n] = 0.0
    return shares


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
