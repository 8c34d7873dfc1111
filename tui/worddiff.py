"""A word diff of two versions of a headline or summary, as plain Text (feed text is never
markup): removed words struck through, added words bold and underlined."""

from __future__ import annotations

import difflib

from rich.text import Text

REMOVED = "strike red"
ADDED = "bold underline green"


def word_diff(old: str, new: str) -> Text:
    """The words of `new`, with those `old` had in their place struck through before them
    (whitespace is not compared: a diff of words, one space between them)."""
    before, after = old.split(), new.split()
    out = Text()
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        parts = (
            [(" ".join(after[b1:b2]), "")]
            if op == "equal"
            else [(" ".join(before[a1:a2]), REMOVED), (" ".join(after[b1:b2]), ADDED)]
        )
        for words, style in parts:
            if words:
                if out.plain:
                    out.append(" ")
                out.append(words, style)
    return out
