"""A word diff of two versions of a headline or summary, as plain Text (feed text is never
markup): removed words struck through, added words bold and underlined."""

from __future__ import annotations

import difflib
import re

from rich.text import Text

from fetchers.query import UNSPACED

REMOVED = "strike red"
ADDED = "bold underline green"

# a word: a run without spaces, but each character of a script written without spaces
# (Chinese, Japanese, Thai) on its own, so a rewritten clause's changed characters are what
# is marked, not the whole run up to the next space
_WORD = re.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")


def _words(text: str) -> list[tuple[str, str]]:
    """The words of `text`, each with what follows it: one space where the text had any
    whitespace, nothing where the next word follows it directly."""
    found = list(_WORD.finditer(text))
    return [
        (m.group(), " " if m.end() < len(text) and text[m.end()].isspace() else "") for m in found
    ]


def word_diff(old: str, new: str) -> Text:
    """The words of `new`, with those `old` had in their place struck through before them
    (whitespace is not compared: a diff of words, one space between them where the text
    had any)."""
    before, after = _words(old), _words(new)
    runs: list[tuple[list[tuple[str, str]], str]] = []  # words and the style they are drawn in
    matcher = difflib.SequenceMatcher(
        None, [w for w, _ in before], [w for w, _ in after], autojunk=False
    )
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        if op == "equal":
            runs.append((after[b1:b2], ""))
        else:
            runs.append((before[a1:a2], REMOVED))
            runs.append((after[b1:b2], ADDED))
    out = Text()
    gap = ""  # what follows the last word drawn
    for words, style in runs:
        if not words:
            continue
        if out.plain:
            out.append(gap or (" " if style and words[0][0].isascii() else ""))
        run = "".join(word + space for word, space in words[:-1]) + words[-1][0]
        out.append(run, style)
        gap = words[-1][1]
    return out
