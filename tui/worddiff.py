"""A word diff of two versions of a headline or summary, as plain Text (feed text is never
markup): removed words struck through, added words bold and underlined."""

from __future__ import annotations

import difflib
import re

from rich.text import Text

from fetchers.query import UNSPACED
from fetchers.text import is_preformatted

REMOVED = "strike red"
ADDED = "bold underline green"

# a word: a run of letters and digits (with the marks inside one: "U.S.-Japan", "don't",
# "3.5%"), or a sign on its own, so "fund," is the word "fund" and a comma ("fund" was struck
# out and "fund, Lee says" put in); each character of a script written without spaces
# (Chinese, Japanese, Thai) on its own, so a rewritten clause's changed characters are what
# is marked, not the whole run up to the next space
_UNSPACED = re.compile(f"[{UNSPACED}]")
_WORD = re.compile(rf"[{UNSPACED}]|[^\W{UNSPACED}](?:[\w'’.%$-]*[^\W{UNSPACED}%])?|[^\s]")


def _words(text: str) -> list[tuple[str, str]]:
    """The words of `text`, each with what follows it: one space where the text had spaces,
    a paragraph break where it had a blank line (a full text's paragraphs ran together in one
    block), a line break where it had one, nothing where the next word follows directly. In
    a preformatted block of a full text (`is_preformatted`) the spaces are kept as written:
    its lines' indentation and its columns."""
    out: list[tuple[str, str]] = []
    found = list(_WORD.finditer(text))
    blocks = _preformatted_spans(text)
    for n, match in enumerate(found):
        end = found[n + 1].start() if n + 1 < len(found) else match.end()
        between = text[match.end() : end]
        if not between:
            follow = ""
        elif between.isspace() and any(a <= match.end() and end <= b for a, b in blocks):
            follow = between
        elif between.count("\n") >= 2:
            follow = "\n\n"
        elif "\n" in between:
            follow = "\n"
        else:
            follow = " " if between.isspace() else ""
        out.append((match.group(), follow))
    return out


def _preformatted_spans(text: str) -> list[tuple[int, int]]:
    """Where the preformatted blocks of a full text start and end, the blank lines around
    each counted in (so the indentation of a block's first line is kept too)."""
    spans: list[tuple[int, int]] = []
    at = 0
    for paragraph in text.split("\n\n"):
        if is_preformatted(paragraph):
            spans.append((max(0, at - 2), at + len(paragraph)))
        at += len(paragraph) + 2
    return spans


# word pairs beyond which two texts are compared sentence by sentence first (`_changes`), and
# beyond which a changed run of sentences is shown replaced whole: a word diff of two
# 10,000-word full texts took 0.75 s, of 20,000 words 2.7 s, and of two repetitive summaries
# of 2,000 words ("a b a b …" against "a c b a c b …") 27 s
PAIRS = 40_000
JUNK_FROM = 200  # items of the second sequence from which difflib's junk heuristic works
SENTENCE_PAIRS = 4_000_000  # pairs (of sentences, or of a changed run's words) beyond which the
# run is shown replaced whole
SENTENCE_ENDS = (".", "!", "?", "。", "！", "？")
LONGEST_SENTENCE = 80  # words: a run without a full stop is cut into pieces this long


def _sentences(words: list[str]) -> list[tuple[int, int]]:
    """Where each sentence of `words` starts and ends."""
    out, start = [], 0
    for place, word in enumerate(words):
        if word.endswith(SENTENCE_ENDS) or place + 1 - start >= LONGEST_SENTENCE:
            out.append((start, place + 1))
            start = place + 1
    if start < len(words):
        out.append((start, len(words)))
    return out


def _changes(before: list[str], after: list[str]) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of a word diff of `before` and `after` (as difflib gives them). Long texts
    are compared sentence by sentence first, and word by word only where sentences changed
    (a changed run too long for that is replaced whole): time in proportion to their length,
    not its square or cube."""
    if len(before) * len(after) <= PAIRS:
        return list(difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes())
    old, new = _sentences(before), _sentences(after)
    keys_old = [tuple(before[a:b]) for a, b in old]
    keys_new = [tuple(after[a:b]) for a, b in new]
    out: list[tuple[str, int, int, int, int]] = []
    for op, s1, s2, t1, t2 in _sentence_changes(keys_old, keys_new):
        a1 = old[s1][0] if s1 < len(old) else len(before)
        a2 = old[s2 - 1][1] if s2 > s1 else a1
        b1 = new[t1][0] if t1 < len(new) else len(after)
        b2 = new[t2 - 1][1] if t2 > t1 else b1
        if op == "equal":
            out.append(("equal", a1, a2, b1, b2))
            continue
        pairs = (a2 - a1) * (b2 - b1)
        if pairs > (SENTENCE_PAIRS if b2 - b1 >= JUNK_FROM else PAIRS):  # too long to compare
            out.append((op, a1, a2, b1, b2))  # word by word in time
            continue
        # past PAIRS, words said in more than one in a hundred of the run are matched last
        # (difflib's "junk"): a repeated word made the exact comparison take minutes
        inner = difflib.SequenceMatcher(None, before[a1:a2], after[b1:b2], autojunk=pairs > PAIRS)
        for op2, c1, c2, d1, d2 in inner.get_opcodes():
            out.append((op2, a1 + c1, a1 + c2, b1 + d1, b1 + d2))
    return out


def _sentence_changes(
    old: list[tuple[str, ...]], new: list[tuple[str, ...]]
) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of a diff of two lists of sentences: the sentences they start and end
    with alike set apart first, and the rest, when too long to compare in time (a sentence
    said a thousand times over: 8 s), replaced whole."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    out: list[tuple[str, int, int, int, int]] = []
    if head:
        out.append(("equal", 0, head, 0, head))
    most = SENTENCE_PAIRS if len(middle_new) >= JUNK_FROM else PAIRS
    if len(middle_old) * len(middle_new) > most:
        out.append(("replace", head, len(old) - tail, head, len(new) - tail))
    else:  # (a sentence said in more than one in a hundred is matched last: quick then too)
        inner = difflib.SequenceMatcher(None, middle_old, middle_new, autojunk=True)
        out += [
            (op, head + a1, head + a2, head + b1, head + b2)
            for op, a1, a2, b1, b2 in inner.get_opcodes()
        ]
    if tail:
        out.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return [change for change in out if change[1] < change[2] or change[3] < change[4]]


def word_diff(old: str, new: str) -> Text:
    """The words of `new`, with those `old` had in their place struck through before them
    (whitespace is not compared: a diff of words, one space between them where the text
    had any)."""
    before, after = _words(old), _words(new)
    # words, the style they are drawn in, and what parts them from the word before them in
    # their own text (a comma added after "fund" follows it directly: "fund, Lee says")
    runs: list[tuple[list[tuple[str, str]], str, str]] = []
    for op, a1, a2, b1, b2 in _changes([w for w, _ in before], [w for w, _ in after]):
        added = (after[b1:b2], ADDED if op != "equal" else "", after[b1 - 1][1] if b1 else "")
        if op != "equal":
            runs.append((before[a1:a2], REMOVED, before[a1 - 1][1] if a1 else ""))
        runs.append(added)
    out = Text()
    drawn = ""  # the style of the last run drawn
    followed = ""  # what followed the last word drawn in its own text
    for words, style, parting in runs:
        if not words:
            continue
        if out.plain:
            if drawn == REMOVED and style == ADDED:  # what replaced words struck out
                parting = "" if _UNSPACED.match(words[0][0]) else " "
            elif drawn == REMOVED and not parting:
                # words struck from the start of the text: what followed them there parts
                # them from the rest ("Breaking:" then "Tariff talks", not "Breaking:Tariff")
                parting = followed
            out.append(parting)
        run = "".join(word + space for word, space in words[:-1]) + words[-1][0]
        out.append(run, style)
        drawn, followed = style, words[-1][1]
    return out
