"""A word diff of two versions of a headline or summary, as plain Text (feed text is never
markup): removed words struck through, added words bold and underlined; and of two full texts,
condensed to the paragraphs that changed (`text_change`)."""

from __future__ import annotations

import difflib
import re
from collections.abc import Hashable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

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
    for op, s1, s2, t1, t2 in _block_changes(keys_old, keys_new):
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


Block = TypeVar("Block", bound=Hashable)


def _block_changes(
    old: Sequence[Block], new: Sequence[Block], window: int | None = None
) -> list[tuple[str, int, int, int, int]]:
    """The opcodes of a diff of two lists of sentences (or paragraphs): those they start and
    end with alike set apart first, and the rest, when too long to compare in time (a
    sentence said a thousand times over: 8 s), replaced whole; or, given a `window`, compared
    in its first `window` items of each side, the others "uncompared"."""
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
    if window is not None:
        most = window * window
    too_long = len(middle_old) * len(middle_new) > most
    if too_long and window is None:
        out.append(("replace", head, len(old) - tail, head, len(new) - tail))
    else:  # (a sentence said in more than one in a hundred is matched last: quick then too)
        if too_long:  # (given a window)
            middle_old, middle_new = middle_old[:window], middle_new[:window]
        inner = difflib.SequenceMatcher(None, middle_old, middle_new, autojunk=True)
        out += [
            (op, head + a1, head + a2, head + b1, head + b2)
            for op, a1, a2, b1, b2 in inner.get_opcodes()
        ]
        if too_long:
            a1, b1 = head + len(middle_old), head + len(middle_new)
            out.append(("uncompared", a1, len(old) - tail, b1, len(new) - tail))
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


# A full text's change as `d` shows it: the paragraphs that changed, word-diffed, each with the
# unchanged paragraph before and after it, and the unchanged ones between said in a line
# ("… 12 unchanged paragraphs …"); at most SHOWN characters a version, then how many changed
# paragraphs were left out. (Shown whole, twenty versions of a 300 KB page that changed in
# every paragraph made 12 million characters to lay out on the screen: 51 s to open, 1 GB.)
CONTEXT = 1  # unchanged paragraphs shown before and after a change
CONTEXT_CHARS = 300  # of a long unchanged paragraph beside a change (its end, or its start)
SHOWN = 4_000  # characters of a version's change shown at most (its context counted)
# paragraphs of each side compared at most, past those both start and end with: 5,000 against
# 5,000 take 0.1 s, 70,000 against 70,000 (a text of a million characters in short
# paragraphs, shuffled) 3 s
COMPARED = 5_000
NOTE = "dim italic"


@dataclass
class TextChange:
    """How a full text changed, as shown: `lines`, each a paragraph (or a run of paragraphs
    compared together), a blank line or a note; how many paragraphs changed (added, removed
    or rewritten), how many of those are not shown, and how many were not compared."""

    lines: list[Text] = field(default_factory=list)
    changed: int = 0
    left_out: int = 0
    uncompared: int = 0  # paragraphs past `COMPARED`, neither compared nor shown


def text_change(old: str, new: str, shown: int = SHOWN) -> TextChange:
    """The change from full text `old` to `new`, paragraph by paragraph (a blank line parts
    them): only the changed paragraphs are word-diffed, and only until `shown` characters
    are shown, so the time and the lines it takes follow the change shown, not the texts."""
    before, after = old.split("\n\n"), new.split("\n\n")
    ops = _block_changes(before, after, COMPARED)
    change = TextChange(
        changed=sum(
            max(a2 - a1, b2 - b1) for op, a1, a2, b1, b2 in ops if op not in ("equal", "uncompared")
        ),
        uncompared=sum(max(a2 - a1, b2 - b1) for op, a1, a2, b1, b2 in ops if op == "uncompared"),
    )
    items: list[tuple[Text, bool]] = []  # each paragraph shown, or note (True)
    left, done, cut = shown, 0, False  # characters left to show; changed paragraphs shown
    for n, (op, a1, a2, b1, b2) in enumerate(ops):
        if left <= 0 or cut or op == "uncompared":
            break
        if op == "equal":
            unchanged = _unchanged(after[b1:b2], first=n == 0, last=n == len(ops) - 1)
            items += unchanged
            left -= sum(len(text) for text, note in unchanged if not note)
            continue
        for piece, paragraphs in _changed_pieces(before[a1:a2], after[b1:b2], 2 * shown):
            if len(piece) > left:
                piece, cut = _cut(piece, left), True
                paragraphs = min(paragraphs, piece.plain.count("\n\n") + 1)
            items.append((piece, False))
            left -= len(piece)
            done += paragraphs
            if cut or left <= 0:
                break
    change.left_out = change.changed - done
    if change.left_out:
        more = f"{change.left_out:,} more changed paragraph" + ("s" if change.left_out > 1 else "")
        items.append((Text(f"… {more} not shown …", NOTE), True))
    elif cut:
        items.append((Text("… the rest of this change not shown …", NOTE), True))
    if change.uncompared:
        said = f"… {change.uncompared:,} paragraphs after these not compared (a change is"
        items.append((Text(f"{said} looked for in {COMPARED:,} at most) …", NOTE), True))
    after_paragraph = False  # a blank line between two paragraphs, none around a note
    for text, note in items:
        if after_paragraph and not note:
            change.lines.append(Text(""))
        change.lines.append(text)
        after_paragraph = not note
    return change


def _unchanged(paragraphs: list[str], first: bool, last: bool) -> list[tuple[Text, bool]]:
    """Unchanged paragraphs as shown: the one after a change and the one before the next
    (`CONTEXT`), and a note of how many are between."""
    after_change = 0 if first else CONTEXT
    before_change = 0 if last else CONTEXT
    if len(paragraphs) <= after_change + before_change + 1:  # (a note would take as much room)
        return [(_context(p, start=n < after_change), False) for n, p in enumerate(paragraphs)]
    hidden = len(paragraphs) - after_change - before_change
    said = f"… {hidden:,} unchanged paragraph" + ("s" if hidden > 1 else "") + " …"
    return [
        *((_context(p, start=True), False) for p in paragraphs[:after_change]),
        (Text(said, NOTE), True),
        *((_context(p, start=False), False) for p in paragraphs[len(paragraphs) - before_change :]),
    ]


def _context(paragraph: str, start: bool) -> Text:
    """An unchanged paragraph beside a change: its start when it follows the change, its end
    when it precedes one (at most `CONTEXT_CHARS` of it)."""
    if len(paragraph) <= CONTEXT_CHARS:
        return Text(paragraph)
    if start:
        return Text(_head(paragraph, CONTEXT_CHARS) + " …")
    return Text("… " + _tail(paragraph, CONTEXT_CHARS))


def _changed_pieces(old: list[str], new: list[str], most: int) -> Iterator[tuple[Text, int]]:
    """A changed run of paragraphs as word diffs, first to last, each with how many
    paragraphs it shows; of each side, at most `most` characters are compared at once
    (more than can be shown: a run of 2,000 rewritten paragraphs is compared in part)."""
    if not new or not old:  # added or removed whole
        for paragraph in new or old:
            yield _whole(_head(paragraph, most), ADDED if new else REMOVED), 1
        return
    if len(old) == len(new):  # as many paragraphs: each rewritten in its place
        for old_paragraph, new_paragraph in zip(old, new, strict=True):
            yield word_diff(_head(old_paragraph, most), _head(new_paragraph, most)), 1
        return
    joined_old, joined_new = "\n\n".join(old), "\n\n".join(new)
    if len(joined_old) <= most and len(joined_new) <= most:  # compared together: a
        yield word_diff(joined_old, joined_new), max(len(old), len(new))  # paragraph split in two
    else:  # a first part of each side (the rest is not reached: longer than can be shown)
        first_old, first_new = _leading(old, most), _leading(new, most)
        part_old, part_new = "\n\n".join(first_old), "\n\n".join(first_new)
        yield (
            word_diff(_head(part_old, most), _head(part_new, most)),
            max(len(first_old), len(first_new)),
        )
        for paragraph in old[len(first_old) :]:
            yield _whole(_head(paragraph, most), REMOVED), 1
        for paragraph in new[len(first_new) :]:
            yield _whole(_head(paragraph, most), ADDED), 1


def _whole(paragraph: str, style: str) -> Text:
    """A paragraph added or removed whole, marked as a word diff marks words."""
    return Text().append(paragraph, style)


def _leading(paragraphs: list[str], chars: int) -> list[str]:
    """The first paragraphs, up to about `chars` characters (one at least)."""
    total = 0
    for n, paragraph in enumerate(paragraphs):
        total += len(paragraph) + 2
        if total > chars:
            return paragraphs[: max(1, n)]
    return paragraphs


def _head(text: str, chars: int) -> str:
    """`text` cut after about `chars` characters, at a space when there is one near."""
    if len(text) <= chars:
        return text
    end = max(text.rfind(" ", 0, chars), text.rfind("\n", 0, chars))
    return text[: end if end > chars // 2 else chars].rstrip()


def _tail(text: str, chars: int) -> str:
    """The last `chars` characters or so of `text`, from a space when there is one near."""
    if len(text) <= chars:
        return text
    start = len(text) - chars
    space = min(
        (at for at in (text.find(" ", start), text.find("\n", start)) if at >= 0), default=-1
    )
    return text[space + 1 if 0 <= space < start + chars // 2 else start :].lstrip()


def _cut(piece: Text, chars: int) -> Text:
    """A word diff cut after about `chars` characters (at a space when there is one near),
    its end marked."""
    end = len(_head(piece.plain, max(1, chars)))
    shown = piece[:end]
    shown.rstrip()
    shown.append(" …", NOTE)
    return shown
