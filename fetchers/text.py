"""Turning feed and page text into plain text a terminal shows as it is.

Everything here runs on text a publisher chose, on the hot path of a refresh, so every step is
linear in its input: the markup scanner only walks forward, and every unbounded repetition in the
regular expressions below is possessive, repeats one character, and cannot make a failed match
start over on characters it already read (tests check both).
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from itertools import repeat
from typing import NamedTuple

LINE_LIMIT = 1_000
"""Characters kept of a one-line field (a title, a source or author name, a tag). A headline is
rarely over 200 characters and a pane row shows fewer; beyond this it is padding or an attack,
and the kept part ends with "…"."""

SUMMARY_LIMIT = 64 * 1024
"""Characters kept of a summary: many screens of prose, far more than any feed's teaser, small
enough that a hostile feed cannot fill the store or the search index through its summaries."""

TEXT_LIMIT = 1024 * 1024
"""Characters kept of an article's full text (and the default for any block): a long book
chapter fits; a feed item or page claiming more is cut, ending with "…"."""

INPUT_FACTOR = 4
"""A block's input is cut at this many times its limit before cleaning (one-line fields at
LINE_INPUT_LIMIT): room for markup around the kept text without spending time and memory on a
50 MB field that would be cut anyway."""

LINE_INPUT_LIMIT = 64 * 1024
"""Characters of a one-line field read before cleaning: a title wrapped in heavy markup still
fits, a 50 MB title costs no more than a 64 KB one."""

# ANSI/VT escape sequences (CSI, OSC, the strings DCS, SOS, PM and APC, and two-byte
# escapes), then every other control character except newline and tab. Feed text must never
# drive the terminal, and what a sequence carries (a window title, a sixel image) is no text.
# An 8-bit introducer goes alone, as every C1 control does, but for an 8-bit OSC (a window
# title), which Windows-1252 has no letter for: text read as Latin-1 that was Windows-1252
# has the other introducers and the terminator for letters ("\x9e" is "ž", "\x9c" is "œ":
# "Bo\x9eidar meets the c\x9cur of Paris" lost the words between them).
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*+[ -/]*+[@-~]"  # CSI
    r"|\x1b\][^\x07\x1b]*+(?:\x07|\x1b\\)?"  # OSC ... BEL or ST
    r"|\x1b[PX^_][^\x1b\x9c]*+(?:\x1b\\|\x9c)?"  # DCS, SOS, PM, APC ... ST
    r"|\x1b[@-Z\\-_]"  # two-byte
    r"|\x9b[0-?]*+[ -/]*+[@-~]"  # 8-bit CSI
    # (its payload crosses no control, an introducer among them: a failed match never reads
    # a character twice)
    r"|\x9d[^\x00-\x1f\x7f-\x9f]*+(?:\x07|\x1b\\|\x9c)"  # 8-bit OSC ... BEL or ST
)
# C0 and C1 controls but newline and tab, and the bidirectional controls: embeddings and
# overrides (U+202A-202E), isolates (U+2066-2069) and the marks (U+200E/200F, U+061C). In a
# terminal they reorder what follows them ("gnp.exe"), push pane borders out of line, and no
# plain text shown here needs them.
# The byte-order mark and the interlinear annotation marks (U+FFF9-FFFB) too: they hide
# text, and a line holding them pushed the article pane's border out of line.
_CONTROL_CHARS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb"
)
_CONTROLS = re.compile(f"[{_CONTROL_CHARS}]")
# Tag characters (U+E0000-E007F): invisible letters that carry hidden text, but in the
# emoji flag of a region (a black flag, tags, a cancel tag: Scotland's), which they make
_TAG_CHARS = re.compile("[\U000e0000-\U000e007f]")
_TAGS = re.compile("\U0001f3f4[\U000e0020-\U000e007e]++\U000e007f|[\U000e0000-\U000e007f]")
# controls that part words or lines, as a tab or a newline does: a break of their own, not
# nothing ("A\x0bB" read "AB")
_PARTINGS = str.maketrans(
    {"\x0b": "\n", "\x0c": "\n", "\x85": "\n", **{chr(c): " " for c in range(0x1C, 0x20)}}
)
# Whitespace that str.split() splits at, but " " and the line break.
_ODD_SPACE_CHARS = "\t\x0b\x0c\r\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_ODD_SPACE = re.compile(f"[{_ODD_SPACE_CHARS}]")
_CONTROL_OR_ODD_SPACE = re.compile(f"[{_CONTROL_CHARS}{_ODD_SPACE_CHARS}]")
# Zero-width characters that hide inside one-line fields: a space that is not one, the word
# joiner and the invisible operators, the byte-order mark. They split a word for search and
# throw column widths; a title never needs them.
# The Hangul fillers (U+115F, U+1160, U+3164, U+FFA0) too: blank letters, no modern
# Korean word holds one alone, and an invisible name is made of them. And the soft hyphen
# (`SOFT_HYPHEN`).
_ZERO_WIDTH = re.compile("[\u200b\u2060-\u2064\ufeff\u115f\u1160\u3164\uffa0\u00ad]")
SOFT_HYPHEN = "\u00ad"
"""A hyphenation hint (`&shy;`, which German outlets put in long words): a terminal shows it
as nothing or as a hyphen, never where the line breaks, and it split the word for search
("soft\u00adhyphen" was no match for softhyphen). Taken out of every field of feed text and
of an article's full text."""
# Zero-width (non-)joiners: needed inside emoji sequences, Indic conjuncts and Persian words,
# where they follow a non-ASCII letter, mark or symbol; anywhere else they join nothing.
_JOINERS = re.compile("[\u200c\u200d]")
_ENTITY = re.compile(r"&(?:#\d{1,7}|#x[0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
# One token of markup, found from where the scan stands: a comment opener, a CDATA marker, a
# doctype or processing instruction (up to its ">"), or a tag's name and its attributes up to the
# first ">" or quote. Every alternative ends in optional parts, so once "<" and its next
# character match, the match cannot fail and nothing is read twice.
_MARKUP = re.compile(
    r"<(?:"
    r"(!--)"  # 1: a comment
    r"|!\[CDATA\["  # its text is kept
    r"|[!?][^>]*+(>?)"  # 2: a doctype or processing instruction, ">" when it closes
    r"|(/?)([A-Za-z][A-Za-z0-9:-]*+)[^>\"']*+([>\"']?)"  # 3: "/", 4: name, 5: where it stops
    r")"
    r"|\]\]>"
)
_ATTRIBUTES = re.compile(r"[^>\"']*+")  # a tag's attributes up to the next ">" or quote
# What is still markup in text after a tag that never closed: nothing there can hold a ">".
_MARKERS = re.compile(r"<!--|<!\[CDATA\[|\]\]>")
_MARKUP_START = re.compile(r"<[A-Za-z/]")
_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "ul",
    "ol",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "section",
    "article",
    "header",
    "footer",
    "figure",
    "figcaption",
    "hr",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "iframe", "svg", "head"}
# What a tag does to the text, by lower-case name: a line break, a list item, or (for a script-like
# element) the pattern of its end tag, up to which everything is dropped. Other tags vanish.
_BREAK = "\n"
_ITEM = "\n• "
_TAG_ROLES: dict[str, str | re.Pattern[str]] = {
    **{name: _BREAK for name in _BLOCK_TAGS},
    "li": _ITEM,
    **{name: re.compile(rf"</{name}\s*+>", re.I) for name in _SKIP_TAGS},
}
# A tag whose attributes hold no "<" or ">" and at most 16 quoted values, each closed: the
# shape of nearly every tag in a feed's HTML. Its one group is the name with its "/".
_PLAIN_TAG = re.compile(
    r"<(/?[A-Za-z][A-Za-z0-9:-]*+)"
    r"(?:[^<>\"']*+(?:\"[^<>\"]*+\"|'[^<>']*+')){0,16}+[^<>\"']*+>"
)
# What each plain tag leaves, by lower-case name with its "/": a line break, a list item.
_PLAIN_ROLES = {
    **{name: _BREAK for name in _BLOCK_TAGS},
    **{f"/{name}": _BREAK for name in _BLOCK_TAGS},
    "li": _ITEM,
}
# What a scan that marks <pre> elements (`scan_markup`'s `marking_pre`) leaves for a <pre>
# tag and for its end tag, in place of a line break: controls that no text keeps (they are
# taken out of the markup first, and no entity decodes to them)
PRE_START, PRE_END = "\x00", "\x01"
_TAG_ROLES_MARKING_PRE: dict[str, str | re.Pattern[str]] = {**_TAG_ROLES, "pre": PRE_START}
_PLAIN_ROLES_MARKING_PRE = {**_PLAIN_ROLES, "pre": PRE_START, "/pre": PRE_END}


def strip_controls(text: str) -> str:
    """Remove escape sequences, control characters, bidirectional controls and tag
    characters (but a region's flag); keep newlines and tabs."""
    if text.isprintable():
        return text
    if _CONTROLS.search(text) is not None:  # (else no escape sequence: they start with one)
        text = _ESCAPES.sub("", text)
        text = text.replace("\r\n", "\n").replace("\r", "\n").translate(_PARTINGS)
        text = _CONTROLS.sub("", text)
    if _TAG_CHARS.search(text) is not None:
        text = _TAGS.sub(_flag_or_nothing, text)
    return text


def clean_link(link: str) -> str:
    """A link as it is shown, copied, opened and sent: no escape sequences or control
    characters (a feed's or a clipping's link reaches the screen, the clipboard and
    webhooks), spaces inside it percent-encoded."""
    return "%20".join(strip_controls(link).split())


def http_link(link: str | None) -> str | None:
    """`clean_link` of an http(s) link; None for any other (javascript:, data:, file:)."""
    if not link:
        return None
    link = clean_link(link)
    return link if link[:8].lower().startswith(("http://", "https://")) else None


def _flag_or_nothing(match: re.Match[str]) -> str:
    """A region's flag as it is; a tag character outside one, nothing."""
    found = match.group()
    return found if len(found) > 1 else ""


def _keep_joiner(match: re.Match[str]) -> str:
    at = match.start()
    before = match.string[at - 1] if at else ""
    if before > "\x7f" and unicodedata.category(before)[0] in "LMS":
        return match.group()
    return ""


def strip_zero_width(text: str) -> str:
    """Remove zero-width characters from a one-line field, keeping a joiner (U+200C/U+200D)
    only right after a non-ASCII letter, mark or symbol, where emoji, Indic and Persian text
    need it; an ASCII word split by one becomes whole again."""
    if text.isascii():
        return text
    text = _ZERO_WIDTH.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINERS.sub(_keep_joiner, text)
    return text


def plain_message(text: str) -> str:
    """A message that may hold text from a server (an HTTP reason phrase, a parser's complaint)
    as one plain line: no escape sequences, control or bidirectional characters, zero-width
    characters or line breaks, at most LINE_LIMIT characters."""
    text, cut = _cut_input(text, LINE_INPUT_LIMIT, markup=False)
    return _fit(" ".join(strip_zero_width(strip_controls(text)).split()), LINE_LIMIT, cut)


def clean_line(text: str | None, is_html: bool | None = None) -> str:
    """A one-line field (a title, a source name): entities decoded once, tags and controls gone,
    at most LINE_LIMIT characters.

    is_html says what the feed declared: True strips tags, False keeps "<" and ">" as written
    (a plain-text title may speak of a <title> tag), None strips them when the text holds both."""
    if not text:
        return ""
    if (
        (is_html is False or (is_html is None and "<" not in text))
        and "&" not in text
        and len(text) <= LINE_INPUT_LIMIT
        and text.isprintable()
    ):  # plain words: no tag, entity or control character, nothing to cut
        return _fit(" ".join(strip_zero_width(text).split()), LINE_LIMIT, False)
    text, cut = _cut_input(text, LINE_INPUT_LIMIT, markup=is_html is not False)
    if is_html or (is_html is None and "<" in text and ">" in text):
        text = html_to_text(text)
    else:
        if _ENTITY.search(text):
            text = html.unescape(text)
        text = strip_controls(text)
    return _fit(" ".join(strip_zero_width(text).split()), LINE_LIMIT, cut)


class MarkupScan(NamedTuple):
    """What scan_markup read from a fragment."""

    text: str
    """The fragment without its markup: block tags as line breaks, list items as "• "."""
    steps: int
    """Characters the scan examined, at most a few per character of input whatever its shape."""


def scan_markup(markup: str, marking_pre: bool = False) -> MarkupScan:
    """The text of an HTML fragment with its tags, comments and script-like elements removed;
    entities are left for the caller to decode once. With `marking_pre`, a <pre> tag leaves
    PRE_START and its end tag PRE_END rather than a line break (the fragment must hold
    neither character).

    One forward pass: a tag, comment or quoted attribute that never closes makes the rest of the
    fragment text, so a fragment of 30,000 unclosed tags costs one pass, not 30,000."""
    plain = _scan_plain_tags(markup, _PLAIN_ROLES_MARKING_PRE if marking_pre else _PLAIN_ROLES)
    if plain is not None:
        return MarkupScan(plain, len(markup))
    return _scan_tokens(markup, _TAG_ROLES_MARKING_PRE if marking_pre else _TAG_ROLES)


def _scan_tokens(markup: str, roles: dict[str, str | re.Pattern[str]] = _TAG_ROLES) -> MarkupScan:
    """scan_markup for any fragment: one token of markup at a time."""
    pieces: list[str] = []
    size = len(markup)
    pos = 0
    steps = 0
    search = _MARKUP.search
    while True:
        match = search(markup, pos)
        if match is None:
            steps += size - pos
            pieces.append(markup[pos:])
            break
        start, end = match.span()
        steps += end - pos
        pieces.append(markup[pos:start])
        pos = end
        kind = match.lastindex
        if kind == 5:  # a tag
            slash, name, stop = match.group(3, 4, 5)
            if stop != ">":
                if stop:  # a quoted attribute value: find where the tag really ends
                    pos, examined = _tag_end(markup, end - 1)
                    steps += examined
                if stop == "" or pos < 0:
                    steps += _rest_as_text(markup, start, pieces)  # never closed
                    break
            role = roles.get(name)
            if role is None and not name.islower():
                role = roles.get(name.lower())
            if role is None:
                continue
            if role is _BREAK:
                pieces.append(_BREAK)
            elif role is _ITEM:
                pieces.append(_BREAK if slash else _ITEM)
            elif role is PRE_START:
                pieces.append(PRE_END if slash else PRE_START)
            elif not slash and markup[pos - 2] != "/" and isinstance(role, re.Pattern):
                ender = role.search(markup, pos)
                steps += (ender.end() if ender else size) - pos
                if ender is None:
                    break  # an unclosed script or style hides the rest, as a browser would
                pos = ender.end()
        elif kind == 2:  # a doctype or processing instruction
            if match.group(2) != ">":
                steps += _rest_as_text(markup, start, pieces)
                break
        elif kind == 1:  # a comment
            close = markup.find("-->", pos)
            steps += (close + 3 if close >= 0 else size) - pos
            if close < 0:
                break  # an unclosed comment hides the rest
            pos = close + 3
        # a CDATA marker is dropped and its text kept
    return MarkupScan("".join(pieces), steps)


def _scan_plain_tags(markup: str, roles: dict[str, str] = _PLAIN_ROLES) -> str | None:
    """What scan_markup makes of a fragment whose every "<" starts a plain tag (no comment,
    CDATA, doctype, script-like element or lone "<"), in one split and a few maps with no
    Python step per tag; None for any other fragment, which the full scan reads."""
    parts = _PLAIN_TAG.split(markup)
    if len(parts) != 2 * markup.count("<") + 1 or "]]>" in markup:
        return None
    names = list(map(str.lower, parts[1::2]))
    if not _SKIP_TAGS.isdisjoint(names):
        return None
    parts[1::2] = map(roles.get, names, repeat(""))
    return "".join(parts)


def _rest_as_text(markup: str, pos: int, pieces: list[str]) -> int:
    """Add the rest of a fragment from an unclosed tag on as text, less its comments and CDATA
    markers; returns the characters examined."""
    size = len(markup)
    steps = 0
    while True:
        match = _MARKERS.search(markup, pos)
        if match is None:
            pieces.append(markup[pos:])
            return steps + size - pos
        start, end = match.span()
        steps += end - pos
        pieces.append(markup[pos:start])
        pos = end
        if match.group() == "<!--":
            close = markup.find("-->", pos)
            steps += (close + 3 if close >= 0 else size) - pos
            if close < 0:
                return steps  # an unclosed comment hides the rest
            pos = close + 3


def _tag_end(markup: str, quote_at: int) -> tuple[int, int]:
    """(index after the ">" closing a tag, characters examined) from its first quoted attribute
    value on; -1 when a quote or the tag never closes."""
    size = len(markup)
    pos = quote_at
    steps = 0
    while True:
        quote = markup[pos]
        if quote == ">":
            return pos + 1, steps
        close = markup.find(quote, pos + 1)
        if close < 0:
            return -1, steps + size - pos
        run = _ATTRIBUTES.match(markup, close + 1)
        assert run is not None  # it matches the empty string
        steps += run.end() - pos
        pos = run.end()
        if pos >= size:
            return -1, steps


# a line break in HTML's text, with the spaces about it; and more than one (a blank line)
# (a third is the next one's: two make one break, and a space before the next line is none)
_WRAP = re.compile(r"\n[ \t]*+(\n?)")


def _unwrapped(markup: str) -> str:
    """HTML's line breaks as a browser shows them: a break that wraps a line of the source
    (a feed's pretty-printed description) is a space, not a paragraph ("the quantum\n
    computing summit" is one sentence, and a phrase across it is found); a blank line, which
    a feed writing plain paragraphs beside a tag or two means as one, still parts two.
    Breaks the tags make (<p>, <br>) come after."""
    if "\r" in markup:  # a line ends in CR LF, or CR alone, as well
        markup = markup.replace("\r\n", "\n").replace("\r", "\n")
    if "\n" not in markup:
        return markup
    lowered = markup.lower()
    if "<pre" not in lowered:
        return _unwrap(markup)
    # a <pre>'s lines are its own (code, a poem): they stay as they are
    out, at = [], 0
    while (start := _pre_start(lowered, at)) >= 0:
        end = lowered.find("</pre", start)
        end = len(markup) if end < 0 else end
        out += [_unwrap(markup[at:start]), markup[start:end]]
        at = end
    out.append(_unwrap(markup[at:]))
    return "".join(out)


def _wrapped_break(found: re.Match[str]) -> str:
    return "\n" if found.group(1) else " "


_unwrap = functools.partial(_WRAP.sub, _wrapped_break)


def _unwrapped_text(text: str) -> str:
    """Plain text whose line breaks wrap its lines, read as `_unwrapped` reads HTML's: a
    single break a space, a blank line a paragraph's end (it has no <pre> of its own: a
    "<pre" in it is words)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _unwrap(text) if "\n" in text else text


def _pre_start(lowered: str, at: int) -> int:
    """Where the next <pre> element starts from `at` in a lower-cased fragment, or -1."""
    while (start := lowered.find("<pre", at)) >= 0:
        if lowered[start + 4 : start + 5] in (">", " ", "\t", "\n", "/"):
            return start
        at = start + 4
    return -1


def html_to_text(markup: str) -> str:
    """Readable paragraphs from an HTML fragment (a feed description or content).

    A forward scan rather than html.parser: this is the hot path of a cold refresh, and on
    10,000 feed descriptions the scan takes 0.6 of html.parser's time (and 0.9 of the
    backtracking patterns it replaced), while staying linear on any input."""
    return normalise_paragraphs(strip_controls(html.unescape(scan_markup(_unwrapped(markup)).text)))


def _paragraphs(text: str) -> str:
    """Each line with its runs of spaces collapsed, blank ones dropped, a blank line apart
    (maps of the str methods: no Python step per line).

    Text whose only spaces are single " " between words and line breaks (most text, once its
    markup is gone) only needs its line breaks doubled, which costs no step per word."""
    if "  " not in text and _ODD_SPACE.search(text) is None:
        return _single_spaced_paragraphs(text)
    return "\n\n".join(filter(None, map(" ".join, map(str.split, text.split("\n")))))


def _single_spaced_paragraphs(text: str) -> str:
    """_paragraphs of a text whose only whitespace is single " " and line breaks: each line
    needs only its ends stripped, not splitting into words."""
    return "\n\n".join(filter(None, map(str.strip, text.split("\n"))))


def normalise_paragraphs(text: str, limit: int = TEXT_LIMIT) -> str:
    """Collapse runs of spaces inside lines and keep one blank line between paragraphs, soft
    hyphens gone; at most limit characters."""
    return _fit(_paragraphs(_without_soft_hyphens(text)), limit, False)


PREFORMATTED_BLANK = " "
"""What a blank line inside a preformatted block is stored as: a line of one space, so that
the block holds no blank line and stays one paragraph."""
# spaces other than " " a <pre> holds (a no-break space lining up a column), as " "; the
# separators of lines and paragraphs as line breaks
_PRE_SPACES = str.maketrans(
    {
        **{c: " " for c in "\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007"},
        **{c: " " for c in "\u2008\u2009\u200a\u202f\u205f"},
        "\u2028": "\n",
        "\u2029": "\n",
    }
)


def _char_cells(char: str) -> int:
    """The cells a terminal gives `char`: two for a wide (CJK, full-width) one, none for a
    combining mark or a format character, one otherwise."""
    if unicodedata.east_asian_width(char) in "WF":
        return 2
    return 0 if unicodedata.category(char) in ("Mn", "Me", "Cf") else 1


def expand_tabs(line: str, tab_size: int = 8) -> str:
    """`line` with its tabs as spaces up to the next tab stop, every `tab_size` cells, the
    way a terminal places them: `str.expandtabs` counts characters, so a wide letter (CJK)
    or a combining mark before a tab put a table's columns out of line."""
    if "\t" not in line or line.isascii():
        return line.expandtabs(tab_size)
    out: list[str] = []
    column = 0
    for char in line:
        if char == "\t":
            spaces = tab_size - column % tab_size if tab_size > 0 else 0
            out.append(" " * spaces)
            column += spaces
        else:
            out.append(char)
            column += _char_cells(char)
    return "".join(out)


def preformatted_block(text: str, tab_size: int = 8) -> str:
    """A preformatted block (a <pre>: code, a poem, a table of results) as an article's full
    text holds it: its lines as written, with their leading whitespace (tabs expanded by
    cells) and the spaces between their columns; trailing spaces, controls and soft hyphens
    gone, blank lines at its ends dropped, and one inside it stored as `PREFORMATTED_BLANK`.

    A full text is paragraphs parted by a blank line ("\\n\\n"). A prose paragraph is one
    line that starts with no whitespace (so every full text stored before preformatted blocks
    were kept reads as prose). A paragraph that holds a line break, or starts with a space, is
    a preformatted block (`is_preformatted`): shown line by line as it is, never reflowed. A
    block of one line that starts at its margin is stored as the paragraph it reads as."""
    text = _without_soft_hyphens(strip_controls(text.replace("\r\n", "\n").replace("\r", "\n")))
    spaced = text.translate(_PRE_SPACES).split("\n")
    lines = [expand_tabs(line, tab_size).rstrip() for line in spaced]
    first = next((at for at, line in enumerate(lines) if line), len(lines))
    last = len(lines)
    while last > first and not lines[last - 1]:
        last -= 1
    # (a slice, not a pop from the front a line at a time: a <pre> of a million blank lines)
    return "\n".join(line or PREFORMATTED_BLANK for line in lines[first:last])


def is_preformatted(paragraph: str) -> bool:
    """Whether a paragraph of a full text is a preformatted block (`preformatted_block`)."""
    return "\n" in paragraph or paragraph[:1] == " "


def article_text(parts: list[tuple[str, bool]], limit: int = TEXT_LIMIT, cut: bool = False) -> str:
    """A full text from its parts in order, each (text, preformatted): runs of prose lines
    become paragraphs (`normalise_paragraphs`), each preformatted part one block as written
    (`preformatted_block`); at most limit characters (ending with "…" when `cut`: its input
    was cut short)."""
    paragraphs: list[str] = []
    prose: list[str] = []
    for text, preformatted in parts:
        if not preformatted:
            prose.append(text)
            continue
        if prose:
            paragraphs.append(_paragraphs(_without_soft_hyphens("\n".join(prose))))
            prose = []
        paragraphs.append(preformatted_block(text))
    if prose:
        paragraphs.append(_paragraphs(_without_soft_hyphens("\n".join(prose))))
    return _fit("\n\n".join(filter(None, paragraphs)), limit, cut)


def as_prose(text: str) -> str:
    """A full text with each preformatted block (`is_preformatted`) as paragraphs of its
    lines, spaces collapsed, as a summary shows text; a text of prose alone as it is."""
    if (
        text[:1] != " "
        and "\n " not in text
        and "  " not in text
        and text.count("\n") == 2 * text.count("\n\n")  # (every break is a paragraph's)
        and _ODD_SPACE.search(text) is None
    ):
        return text
    return _paragraphs(text)


def _without_soft_hyphens(text: str) -> str:
    """`text` without its soft hyphens (`SOFT_HYPHEN`): before spaces are collapsed, so one
    between two spaces leaves one space."""
    return text.replace(SOFT_HYPHEN, "") if SOFT_HYPHEN in text else text


def _looks_like_markup(text: str) -> bool:
    """Whether text holds a tag: a "<" before a letter or "/", and a ">" after it."""
    start = _MARKUP_START.search(text)
    return start is not None and text.find(">", start.end()) >= 0


def clean_block(
    text: str | None,
    is_html: bool | None = None,
    limit: int = TEXT_LIMIT,
    preformatted: bool = False,
    *,
    wrapped: bool = False,
) -> str:
    """A multi-line field (a summary or article text) as plain paragraphs, at most limit
    characters (SUMMARY_LIMIT suits a summary).

    With `preformatted` (an article's text), each <pre> of HTML (code, a poem, a table of
    results) is one block of its lines as written, as a page's full text keeps it
    (`preformatted_block`); else its lines are paragraphs, as a summary shows them.

    HTML's line breaks wrap its lines (`_unwrapped`). Plain text keeps a paragraph a line,
    unless `wrapped`: text a feed's format says is HTML or may be reflowed (an RSS
    description without a tag, an Atom text construct), whose single breaks are spaces and
    whose blank lines part paragraphs, as HTML's are."""
    if not text:
        return ""
    text, cut = _cut_input(text, limit * INPUT_FACTOR, markup=False)
    looks_html = is_html if is_html is not None else _looks_like_markup(text)
    if looks_html:
        if cut:
            text = _drop_torn_markup(text)
        if PRE_START in text or PRE_END in text:
            # (gone first, as a text with a <pre> loses them to mark its blocks: between an
            # escape's two characters, "\x1b\x01@", one left the "@" and the other nothing)
            text = text.replace(PRE_START, "").replace(PRE_END, "")
        if preformatted and _pre_start(text.lower(), 0) >= 0:
            return _with_pre_blocks(text, limit, cut)
        text = scan_markup(_unwrapped(text)).text
        text = html.unescape(text)
    else:
        if wrapped:
            text = _unwrapped_text(text)
        if _ENTITY.search(text):
            text = html.unescape(text)
    if SOFT_HYPHEN in text:  # (controls first: none can then make an escape sequence whole)
        text = _without_soft_hyphens(strip_controls(text))
    if "  " not in text and (
        text.replace("\n", " ").isprintable()
        or (_CONTROL_OR_ODD_SPACE.search(text) is None and _TAG_CHARS.search(text) is None)
    ):  # nothing to strip, no space to collapse (a printable character is neither)
        return _fit(_single_spaced_paragraphs(text), limit, cut)
    return _fit(_paragraphs(strip_controls(text)), limit, cut)


_PRE_MARKS = re.compile(r"([\x00\x01])")  # PRE_START, PRE_END


def _with_pre_blocks(markup: str, limit: int, cut: bool) -> str:
    """`clean_block` of HTML holding a <pre>: read as a summary is (`scan_markup`, the
    entities decoded once, never markup again), with the text of each <pre> element (from
    its tag to the end tag that closes it, or to the end) one preformatted block, and the
    rest prose."""
    markup = markup.replace(PRE_START, "").replace(PRE_END, "")  # (controls: never kept)
    plain = html.unescape(scan_markup(_unwrapped(markup), marking_pre=True).text)
    parts: list[tuple[str, bool]] = []
    block: list[str] = []  # the text of the <pre> element open
    depth = 0  # <pre> elements open (one inside another goes on the outer one's block)
    for at, piece in enumerate(_PRE_MARKS.split(plain)):
        if not at % 2:  # text
            if depth:
                block.append(piece)
            elif piece:
                parts.append((strip_controls(piece), False))
        elif piece == PRE_START:
            depth += 1
            if depth > 1:
                block.append(_BREAK)  # (as a summary reads it)
        elif depth > 1:
            depth -= 1
            block.append(_BREAK)
        elif depth:  # the block's end
            depth = 0
            parts.append(("".join(block), True))
            block = []
        else:  # an end tag of no <pre>: a line break, as a summary reads it
            parts.append((_BREAK, False))
    if depth:  # a <pre> never closed holds the rest
        parts.append(("".join(block), True))
    return article_text(parts, limit, cut)


def _cut_input(text: str, limit: int, *, markup: bool) -> tuple[str, bool]:
    """(text, whether it was cut): at most limit characters, without a tag torn by the cut."""
    if len(text) <= limit:
        return text, False
    text = text[:limit]
    return (_drop_torn_markup(text) if markup else text), True


def _drop_torn_markup(text: str) -> str:
    """Text cut short, without the tag or entity the cut tore in half (looked for only near the
    end, so the cost stays bounded)."""
    tail = len(text) - 1024
    start = text.rfind("<", max(tail, 0))
    if start >= 0 and text.find(">", start) < 0:
        text = text[:start]
    amp = text.rfind("&", max(len(text) - 32, 0))
    if amp >= 0 and text.find(";", amp) < 0:
        text = text[:amp]
    return text


def _fit(text: str, limit: int, cut: bool) -> str:
    """Text of at most limit characters, ending with "…" when anything was left out; it is cut
    at a space or line break near the limit when there is one."""
    if not text or (len(text) <= limit and not cut):
        return text
    if len(text) <= limit - 1:
        return text.rstrip() + "…"
    kept = text[: limit - 1]
    space = max(kept.rfind(" ", limit - 1 - limit // 10), kept.rfind("\n", limit - 1 - limit // 10))
    if space > 0:
        kept = kept[:space]
    return kept.rstrip() + "…"


_SURROGATES = re.compile("[\ud800-\udfff]")


def no_surrogates(text: str) -> str:
    """Text that can be encoded: a pair of surrogates (`&#xD83D;&#xDCF0;`) becomes its
    character, a lone one (`&#xD800;`) U+FFFD."""
    if not _SURROGATES.search(text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
