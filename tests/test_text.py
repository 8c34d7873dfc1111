"""Feed text cleaning: plain output for any input, in time linear in its size, within caps."""

from __future__ import annotations

import html
import re
import re._constants as sre  # type: ignore[import-not-found]
import re._parser as sre_parse  # type: ignore[import-not-found]
import unicodedata
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from fetchers import text
from fetchers.text import (
    LINE_LIMIT,
    SUMMARY_LIMIT,
    TEXT_LIMIT,
    MarkupScan,
    as_prose,
    clean_block,
    clean_line,
    normalise_paragraphs,
    plain_message,
    preformatted_block,
    scan_markup,
    strip_controls,
)

BIDI_CONTROLS = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
ZERO_WIDTH = set("\u200b\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad")


# ---------------------------------------------------------------- output on ordinary fragments


@pytest.mark.parametrize(
    ("markup", "expected"),
    [
        ("<p>One <b>two</b></p><p>Three</p>", "One two\n\nThree"),
        ("<ul><li>First</li><li>Second</li></ul>", "• First\n\n• Second"),
        ("Line<br>break<br/>again<hr>", "Line\n\nbreak\n\nagain"),
        ('<a href="/x?a=1&amp;b=2" title="a > b">link</a> text', "link text"),
        ("<a title='it\"s'>quoted</a>", "quoted"),
        ("<p>Keep</p><script>alert('<p>x</p>')</script><style>p{}</style>tail", "Keep\n\ntail"),
        ("<SCRIPT type=x>hidden</Script >shown", "shown"),
        ("a<!-- <p>hidden</p> -->b", "ab"),
        ("<![CDATA[<b>kept</b>]]> text", "kept text"),
        ("<!DOCTYPE html><?xml version='1.0'?><p>Body</p>", "Body"),
        ("AT&amp;amp;T &lt;b&gt; &#8217; &#x2014;", "AT&amp;T <b> \u2019 \u2014"),
        ("if a < b and c > d", "if a < b and c > d"),
        ("<p>x <a y</p>", "x"),  # "<a y</p" is one tag, as before
        ("text <a never closed", "text <a never closed"),
        ("<p>before <script>no end", "before"),
        ("a<!-- unclosed comment", "a"),
        ("<p>\x1b[31mred\x1b[0m &#27;]0;title&#7;</p>", "red ]0;title"),
    ],
)
def test_html_fragments_read_as_before(markup: str, expected: str) -> None:
    assert clean_block(markup, is_html=True) == expected


def test_a_self_closed_svg_or_iframe_keeps_the_text_after_it() -> None:
    assert clean_block('<p>Chart <svg viewBox="0 0 1 1"/> shows growth</p>', True) == (
        "Chart shows growth"
    )
    assert clean_line("Watch <iframe src=x /> live") == "Watch live"


# ---------------------------------------------------------------- linear time, counted in steps


def _scans(monkeypatch: pytest.MonkeyPatch) -> list[MarkupScan]:
    """Record every markup scan the cleaning functions make."""
    seen: list[MarkupScan] = []
    original = text.scan_markup

    def recording(markup: str) -> MarkupScan:
        scan = original(markup)
        seen.append(scan)
        return scan

    monkeypatch.setattr(text, "scan_markup", recording)
    return seen


REDOS_SHAPES: list[tuple[str, Callable[[str], str], Callable[[int], str]]] = [
    ("a title of > and unclosed <a", clean_line, lambda n: ">" + "<a " * n),
    ("a description of unclosed <a", clean_block, lambda n: "<p>" + "<a " * n),
    ("a description of unclosed quoted <a", clean_block, lambda n: '<p>x</p><a "' * n),
    ("a description of unclosed <script", clean_block, lambda n: "<p>" + "<script " * n),
    ("unclosed doctypes", clean_block, lambda n: "<p>" + "<!x " * n),
    ("quoted attributes without >", clean_block, lambda n: "<p><a x=\"1\" y='2'" * n),
]


@pytest.mark.parametrize(("shape", "clean", "make"), REDOS_SHAPES, ids=[s[0] for s in REDOS_SHAPES])
def test_hostile_markup_costs_steps_linear_in_its_size(
    monkeypatch: pytest.MonkeyPatch,
    shape: str,
    clean: Callable[[str], str],
    make: Callable[[int], str],
) -> None:
    scans = _scans(monkeypatch)
    counts: list[int] = []
    for n in (5_000, 10_000, 20_000):
        markup = make(n)
        out = clean(markup)
        assert out and "\x1b" not in out
        assert len(scans) == len(counts) + 1, "the text went through the counted scan"
        steps = scans[-1].steps
        assert steps <= 3 * len(markup) + 3
        counts.append(steps)
    assert counts[1] <= 2.1 * counts[0] and counts[2] <= 2.1 * counts[1]


def test_unclosed_tags_are_shown_as_the_text_they_are() -> None:
    assert clean_block("<p>" + "<a " * 3) == "<a <a <a"
    assert clean_line(">" + "<a " * 3) == "><a <a <a"
    assert clean_block('<p>ok</p><a "x') == 'ok\n\n<a "x'


def _unbounded_repeats(items: Any, rest_can_fail: bool) -> Iterator[tuple[int, Any, Any, bool]]:
    """(op, repeat body, bounds, whether anything after it can fail) for each unbounded repeat."""
    items = list(items)
    for i, (op, av) in enumerate(items):
        after = rest_can_fail or any(_can_fail(item) for item in items[i + 1 :])
        if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            low, high, body = av
            if high == sre.MAXREPEAT:
                yield op, body, low, after
            yield from _unbounded_repeats(body, True)
        elif op is sre.SUBPATTERN:
            yield from _unbounded_repeats(av[-1], after)
        elif op is sre.ATOMIC_GROUP:
            yield from _unbounded_repeats(av, after)
        elif op is sre.BRANCH:
            for alternative in av[1]:
                yield from _unbounded_repeats(alternative, after)
        elif op in (sre.ASSERT, sre.ASSERT_NOT):
            yield from _unbounded_repeats(av[1], True)


def _can_fail(item: tuple[Any, Any]) -> bool:
    op, av = item
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        return bool(av[0] > 0)
    if op is sre.SUBPATTERN:
        return any(_can_fail(sub) for sub in av[-1])
    if op is sre.BRANCH:
        return all(any(_can_fail(sub) for sub in alternative) for alternative in av[1])
    return True


_CATEGORIES = {
    sre.CATEGORY_SPACE: re.compile(r"\s"),
    sre.CATEGORY_DIGIT: re.compile(r"\d"),
    sre.CATEGORY_WORD: re.compile(r"\w"),
}


def _single_char_matches(item: tuple[Any, Any], char: str) -> bool:
    op, av = item
    if op is sre.LITERAL:
        return bool(av == ord(char))
    if op is sre.NOT_LITERAL:
        return bool(av != ord(char))
    if op is sre.IN:
        negate = av[0][0] is sre.NEGATE
        hit = False
        for kind, value in av[1:] if negate else av:
            if kind is sre.LITERAL:
                hit |= value == ord(char)
            elif kind is sre.RANGE:
                hit |= value[0] <= ord(char) <= value[1]
            elif kind is sre.CATEGORY:
                hit |= bool(_CATEGORIES[value].match(char))
            else:
                raise AssertionError(f"unexpected set item {kind}")
        return hit != negate
    return True  # ANY, or something this check does not know: assume the worst


def _leading_literals(parsed: Any) -> list[tuple[str | None, Any]]:
    """(the literal each top-level alternative starts with, its items)."""
    items = list(parsed)
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        alternatives = [list(alt) for alt in items[0][1][1]]
    else:
        alternatives = [items]
    return [
        (chr(alt[0][1]) if alt and alt[0][0] is sre.LITERAL else None, alt) for alt in alternatives
    ]


def _module_patterns() -> Iterator[tuple[str, re.Pattern[str]]]:
    for name, value in vars(text).items():
        if isinstance(value, re.Pattern):
            yield name, value
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, re.Pattern):
                    yield f"{name}[{key}]", item


def test_no_pattern_can_read_the_same_characters_twice() -> None:
    """Each repetition in the module's patterns is possessive and repeats one character, and a
    failed match cannot restart inside what it read: either nothing after the repetition can
    fail, or the repetition cannot cross the character every match starts with."""
    patterns = list(_module_patterns())
    assert len(patterns) >= 10
    for name, pattern in patterns:
        parsed = sre_parse.parse(pattern.pattern, pattern.flags)
        for lead, alternative in _leading_literals(parsed):
            for op, body, _low, after_can_fail in _unbounded_repeats(alternative, False):
                where = f"{name}: {pattern.pattern!r}"
                assert op is sre.POSSESSIVE_REPEAT, f"a repetition that backtracks in {where}"
                assert len(body) == 1 and body[0][0] in (
                    sre.LITERAL,
                    sre.NOT_LITERAL,
                    sre.IN,
                ), f"a repetition of more than one character in {where}"
                if after_can_fail:
                    assert lead is not None and not _single_char_matches(body[0], lead), (
                        f"a failed match restarts inside a repetition in {where}"
                    )


# ---------------------------------------------------------------- any text comes out plain

_TRICKY = st.sampled_from(
    [
        "<",
        ">",
        '"',
        "'",
        "&",
        ";",
        "#",
        "/",
        "!",
        "-",
        "[",
        "]",
        "=",
        " ",
        "\n",
        "\t",
        "\r",
        "<p>",
        "</p>",
        "<pre>",
        "</pre>",
        "<li>",
        '<a href="',
        "<script>",
        "</script>",
        "<style ",
        "<svg/>",
        "<!--",
        "-->",
        "<![CDATA[",
        "]]>",
        "<!DOCTYPE",
        "<?x",
        "&amp;",
        "&lt;",
        "&#27;",
        "&#x9b;",
        "&#8238;",
        "&#x202e;",
        "&#8203;",
        "\x1b",
        "\x1b[31m",
        "\x1b]8;;http://x\x07",
        "\x9b1m",
        "\x07",
        "\x00",
        "\x85",
        "\u202e",
        "\u202a",
        "\u2066",
        "\u2069",
        "\u200e",
        "\u061c",
        "\u200b",
        "\u200c",
        "\u200d",
        "\u2060",
        "\ufeff",
        "\u00ad",
        "&shy;",
        "\U0001f469",
        "\u0915\u094d",
        "a",
        "Z",
        "\u0645",
    ]
)
ANY_TEXT = st.lists(st.one_of(_TRICKY, st.characters(), st.text(max_size=5)), max_size=60).map(
    "".join
)


def _controls(out: str, allowed: str = "") -> list[str]:
    return [
        c
        for c in out
        if (unicodedata.category(c) == "Cc" and c not in allowed) or c in BIDI_CONTROLS
    ]


def _assert_plain_line(out: str) -> None:
    assert not _controls(out), f"controls left in {out!r}"
    assert not ZERO_WIDTH & set(out), f"zero-width characters left in {out!r}"
    for at, char in enumerate(out):
        if char in "\u200c\u200d":
            before = out[at - 1] if at else ""
            assert before > "\x7f" and unicodedata.category(before)[0] in "LMS", repr(out)
    assert len(out) <= LINE_LIMIT


@settings(max_examples=300, deadline=None)
@given(raw=ANY_TEXT, is_html=st.sampled_from([None, True, False]))
def test_any_text_comes_out_as_plain_text(raw: str, is_html: bool | None) -> None:
    _assert_plain_line(clean_line(raw, is_html))
    _assert_plain_line(plain_message(raw))
    block = clean_block(raw, is_html)
    assert not _controls(block, allowed="\n\t"), f"controls left in {block!r}"
    block = clean_block(raw, is_html, preformatted=True)  # (an article's text)
    assert not _controls(block, allowed="\n\t"), f"controls left in {block!r}"
    assert not _controls(strip_controls(raw), allowed="\n\t")


@settings(max_examples=300, deadline=None)
@given(raw=ANY_TEXT, times=st.integers(min_value=1, max_value=40))
def test_any_markup_is_scanned_in_steps_linear_in_its_size(raw: str, times: int) -> None:
    for markup in (raw, raw * times):
        assert scan_markup(markup).steps <= 3 * len(markup) + 3
        assert scan_markup(markup, marking_pre=True).steps <= 3 * len(markup) + 3


# ---------------------------------------------------------------- quick readings, read as in full

_PLAIN_TAGS = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<P class='lead'>",
        "<li>",
        "</LI>",
        "<br/>",
        "<br />",
        '<a href="https://x.org/a?b=1&amp;c=2">',
        "</a>",
        "<em>",
        "<ul>",
        "<div id=\"a\" class='b c'>",
        "<h2>",
        '<img src="x.png" alt=\'a "quoted" word\'/>',
        "<x:y>",
        "<a-b>",
        "<hr/>",
        "</script>",
        "<figure>",
        "<Svg/>",
        "<td>",
    ]
)
# Fragments whose every "<" starts a tag without "<" or ">" in it: read without a token loop.
PLAIN_MARKUP = st.lists(
    st.one_of(_PLAIN_TAGS, st.text(st.characters(blacklist_characters="<"), max_size=6)),
    max_size=40,
).map("".join)


@settings(max_examples=500, deadline=None)
@given(markup=st.one_of(PLAIN_MARKUP, ANY_TEXT))
def test_markup_of_plain_tags_reads_as_the_token_scan_reads_it(markup: str) -> None:
    assert scan_markup(markup).text == text._scan_tokens(markup).text
    marking = text._TAG_ROLES_MARKING_PRE
    assert scan_markup(markup, marking_pre=True).text == text._scan_tokens(markup, marking).text


def test_markup_the_quick_reading_cannot_take_is_read_token_by_token() -> None:
    for markup, expected in [
        ("<p>a</p><script>x</script>b", "\na\nb"),  # a script hides its text
        ('<a title="<p>">x</a>', "x"),  # a "<" inside a tag
        ("<p>a<!-- c -->b", "\nab"),  # a comment
        ("<p>1 < 2</p>", "\n1 < 2\n"),  # a "<" that starts no tag
        ("<p>a</p><a b", "\na\n<a b"),  # a tag that never closes
        ("<p>a]]>b", "\nab"),  # a CDATA end marker
    ]:
        assert scan_markup(markup).text == expected == text._scan_tokens(markup).text


SPACED_TEXT = st.lists(
    st.sampled_from([" ", "  ", "\n", "\n\n", " \n ", "\t", "\xa0", "\u2028", "\u3000", "\r"])
    | st.sampled_from(["a", "word", "경주", "\x1b", "\u200b"]),
    max_size=30,
).map("".join)


def _paragraphs_in_full(raw: str) -> str:
    """Every line split into words and joined again, blank lines dropped, a blank line apart,
    soft hyphens gone."""
    lines = (" ".join(line.split()) for line in raw.replace("\u00ad", "").split("\n"))
    return "\n\n".join(line for line in lines if line)


def _unwrapped_in_full(raw: str) -> str:
    """HTML's line breaks as a browser shows them, worked out line by line: one (the lines
    about it not blank) a space, several with only spaces between them one paragraph break;
    a <pre>'s lines as they are."""
    raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    lowered, out, at = raw.lower(), [], 0
    while True:
        starts = (
            i
            for i in range(at, len(raw))
            if lowered.startswith("<pre", i)
            and lowered[i + 4 : i + 5] in (">", " ", "\t", "\n", "/")
        )
        start = next(starts, -1)
        if start < 0:
            break
        end = lowered.find("</pre", start)
        end = len(raw) if end < 0 else end
        out += [_lines_unwrapped(raw[at:start]), raw[start:end]]
        at = end
    out.append(_lines_unwrapped(raw[at:]))
    return "".join(out)


def _lines_unwrapped(raw: str) -> str:
    parts = raw.split("\n")
    out, pending = [parts[0]], 0
    for at, part in enumerate(parts[1:], 1):
        pending += 1
        if part.strip(" \t") or at == len(parts) - 1:
            out += [" " if pending == 1 else "\n", part]
            pending = 0
    return "".join(out)


@settings(max_examples=1000, deadline=None)
@given(raw=st.one_of(SPACED_TEXT, ANY_TEXT))
def test_paragraphs_come_out_as_every_line_split_into_words(raw: str) -> None:
    """Plain text whose breaks are meant (a page's lines, a JSON Feed's strings): every line
    is a paragraph. HTML, and plain text a feed's format wraps (`wrapped`: an RSS description,
    which is HTML by its spec, an Atom text construct, which a reader may reflow): every
    paragraph its tags or blank lines make, a line break that wraps a line of its source a
    space. (Such plain text was read a paragraph a line too: a description wrapped at a width
    was one paragraph a line, where the same with a tag in it was one.)"""
    assert normalise_paragraphs(raw) == _paragraphs_in_full(raw)
    assert clean_block(raw, is_html=False) == _paragraphs_in_full(
        strip_controls(html.unescape(raw))
    )
    assert clean_block(raw, is_html=True) == _paragraphs_in_full(
        strip_controls(html.unescape(text._scan_tokens(_unwrapped_in_full(raw)).text))
    )
    lines = raw.replace("\r\n", "\n").replace("\r", "\n")
    assert clean_block(raw, is_html=False, wrapped=True) == _paragraphs_in_full(
        strip_controls(html.unescape(_lines_unwrapped(lines)))
    )


def test_a_lone_tag_character_leaves_a_summary() -> None:
    """An invisible tag character alone (no flag it makes) left a summary with no other
    control in it: only a summary holding a control was stripped of them."""
    assert clean_block("\U000e0000", is_html=True) == ""
    assert clean_block("Rates\U000e0041 rise", is_html=True) == "Rates rise"


def test_a_line_break_that_wraps_an_html_summary_is_a_space() -> None:
    """A pretty-printed description reads as its sentences (a phrase across the wrap was
    never found, and the line showed as two paragraphs); a blank line still parts two."""
    wrapped = "<p>Leaders said the quantum\n    computing summit opens.</p>\n<p>Next.</p>"
    assert clean_block(wrapped, is_html=True) == (
        "Leaders said the quantum computing summit opens.\n\nNext."
    )
    assert clean_block("One <b>bold</b> line.\n\nAnother.", is_html=True) == (
        "One bold line.\n\nAnother."
    )
    # a <pre>'s lines are its own
    assert clean_block("<pre>def f():\n    return 1</pre>", is_html=True) == "def f():\n\nreturn 1"


def test_a_line_break_that_wraps_a_feed_s_plain_text_is_a_space() -> None:
    """Plain text a feed's format wraps (`wrapped`) reads as HTML's lines do: a single break
    is a space, a blank line parts two paragraphs, and a "<pre" in it is words; plain text
    keeps a paragraph a line."""
    wrapped = "Leaders said the quantum\n    computing summit opens.\r\n\r\nNext <pre\nline."
    assert clean_block(wrapped, is_html=False, wrapped=True) == (
        "Leaders said the quantum computing summit opens.\n\nNext <pre line."
    )
    assert clean_block("One\ntwo", is_html=False) == "One\n\ntwo"


def test_a_pre_in_an_article_s_text_is_one_block_as_written() -> None:
    """An article's text (`preformatted`) keeps a <pre> as one block of its lines as
    written, as a page's full text does: indentation, tabs as spaces, a blank line held as
    a line of one space; one inside another, one never closed, and an end tag of none."""
    code = "<p>Before.</p><pre class='py'><code>def f():\n\tif x:\n\n        return 1</code></pre>"
    kept = "Before.\n\ndef f():\n        if x:\n \n        return 1"
    assert clean_block(code + "<p>After.</p>", True, preformatted=True) == kept + "\n\nAfter."
    assert clean_block(code, True) == "Before.\n\ndef f():\n\nif x:\n\nreturn 1"  # a summary
    assert clean_block("<pre>a\n <pre>b</pre>\n c</pre>d", True, preformatted=True) == (
        "a\n \nb\n c\n\nd"
    )
    assert clean_block("x</pre>y<pre>  z\n  w", True, preformatted=True) == "x\n\ny\n\n  z\n  w"
    cut = clean_block("<pre>" + "  long line\n" * 100 + "</pre>", True, 120, preformatted=True)
    assert cut.startswith("  long line\n  long line\n") and cut.endswith("…")
    assert len(cut) <= 120


PRE_MARKUP = st.lists(
    st.one_of(
        st.sampled_from(["<pre>", "</pre>", "<PRE class='x'>", "<pre\n>", "</pre >", "<pre/>"]),
        PLAIN_MARKUP,
        SPACED_TEXT.map(lambda raw: raw.replace("\x1b", "").replace("\u2028", "")),
    ),
    max_size=12,
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(raw=PRE_MARKUP)
def test_an_article_s_text_as_prose_reads_as_a_summary_does(raw: str) -> None:
    """The preformatted blocks of an article's text, as prose (`as_prose`), are the
    paragraphs a summary of the same HTML has: the same words, in the same lines."""
    assert as_prose(clean_block(raw, True, preformatted=True)) == clean_block(raw, True)


def test_a_control_inside_an_escape_reads_alike_in_a_summary_and_a_text() -> None:
    """ "\x1b\x01@" in a <pre>: the text lost the escape whole and the summary kept "@"."""
    raw = "<pre>\x1b\x01@"
    assert as_prose(clean_block(raw, True, preformatted=True)) == clean_block(raw, True) == ""


@settings(max_examples=1000, deadline=None)
@given(raw=st.one_of(SPACED_TEXT, ANY_TEXT).map(lambda raw: raw.replace("&", "")))
def test_a_plain_line_comes_out_as_its_words_without_controls(raw: str) -> None:
    expected = " ".join(text.strip_zero_width(strip_controls(raw)).split())
    assert clean_line(raw, is_html=False) == expected
    if "<" not in raw:
        assert clean_line(raw) == expected


# ---------------------------------------------------------------- bidirectional and zero-width


def _strip_controls_in_full(raw: str) -> str:
    """What strip_controls does, every step taken whatever the text."""
    raw = text._ESCAPES.sub("", raw)
    raw = raw.replace("\r\n", "\n").replace("\r", "\n").translate(text._PARTINGS)
    return text._TAGS.sub(text._flag_or_nothing, text._CONTROLS.sub("", raw))


def test_controls_that_part_words_leave_a_break() -> None:
    """A vertical tab, a form feed, NEL and the separators FS to US part words as a tab or a
    newline does: "Seoul\x0bTokyo" read "SeoulTokyo"."""
    assert clean_line("Seoul\x0bTokyo\x0cOsaka\x85Busan\x1fJeju") == "Seoul Tokyo Osaka Busan Jeju"
    assert strip_controls("One.\x0cTwo.") == "One.\nTwo."


@settings(max_examples=1000, deadline=None)
@given(raw=ANY_TEXT)
def test_text_without_controls_comes_back_as_it_is_and_any_text_as_in_full(raw: str) -> None:
    assert strip_controls(raw) == _strip_controls_in_full(raw)
    plain = _strip_controls_in_full(raw)
    assert strip_controls(plain) is plain


def test_text_without_controls_is_not_rewritten(monkeypatch: pytest.MonkeyPatch) -> None:
    """Feed text nearly never holds a control character: it is checked in one pass and
    given back, not rewritten by each removal in turn."""
    rewrites: list[str] = []

    class Counted:
        def __init__(self, pattern: re.Pattern[str]) -> None:
            self.pattern = pattern

        def sub(self, repl: str, string: str) -> str:
            rewrites.append(self.pattern.pattern)
            return self.pattern.sub(repl, string)

        def search(self, string: str) -> re.Match[str] | None:
            return self.pattern.search(string)

    monkeypatch.setattr(text, "_ESCAPES", Counted(text._ESCAPES))
    monkeypatch.setattr(text, "_CONTROLS", Counted(text._CONTROLS))
    summary = "Shares rose 2.7%\nin early trading\u00a0in Seoul. (현지 언론)\t"
    assert strip_controls(summary) == summary
    assert rewrites == []
    assert strip_controls("red \x1b[31malert\r\nnow") == "red alert\nnow"
    assert len(rewrites) == 2


def test_what_a_terminal_sequence_carries_leaves_with_it() -> None:
    """A window title sent in an OSC, a sixel image in a DCS: their introducers went and their
    payloads stayed as text ("0;PWNED Rates"). A C1 byte standing for a letter (Windows-1252
    read as Latin-1: "\x9e" for "ž", "\x9c" for "œ") takes no text with it."""
    assert strip_controls("\x9d0;PWNED\x07Rates rise") == "Rates rise"
    assert strip_controls("\x9d0;PWNED\x9cRates rise") == "Rates rise"
    assert strip_controls("\x1bPq#0;2;0;0;0#0~~@@\x1b\\Rates rise") == "Rates rise"
    assert strip_controls("\x1b_Gf=100;AAAA\x1b\\Rates rise") == "Rates rise"
    assert strip_controls("Ple\x9eenj rates rise") == "Pleenj rates rise"
    # Windows-1252 read as Latin-1: "ž" and "œ" are an 8-bit PM and its terminator
    assert clean_line("Bo\x9eidar meets the c\x9cur of Paris") == "Boidar meets the cur of Paris"


def test_bidi_controls_leave_titles_summaries_messages_and_links() -> None:
    assert clean_line("Invoice \u202egnp.exe") == "Invoice gnp.exe"
    assert clean_line("\u2067\u05e9\u05dc\u05d5\u05dd\u2069 \u200fworld\u200e") == (
        "\u05e9\u05dc\u05d5\u05dd world"
    )
    assert clean_line("entity &#x202E;gnp.exe") == "entity gnp.exe"
    assert clean_block("<p>One \u202atwo\u202c</p><p>\u2066three\u2069</p>") == "One two\n\nthree"
    assert clean_block("plain \u202e\nlines") == "plain\n\nlines"
    assert plain_message("503 \u202eService\u2069 \u200bUnavailable") == "503 Service Unavailable"
    assert strip_controls("https://x.example/\u202efdp.exe\tok\n") == (
        "https://x.example/fdp.exe\tok\n"
    )


def test_zero_width_characters_leave_one_line_fields_unless_they_join_a_script() -> None:
    assert clean_line("Ap\u200bple \ufeffpie\u2060s") == "Apple pies"
    assert clean_line("Ap\u200dple \u200cpie") == "Apple pie"
    family = "\U0001f469\u200d\U0001f4bb coder"
    flag = "\U0001f3f3\ufe0f\u200d\U0001f308"
    persian = "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"
    devanagari = "\u0915\u094d\u200d\u0937"
    for kept in (family, flag, persian, devanagari):
        assert clean_line(kept) == kept
    assert clean_line("\u0915\u094d\u200d\u200d\u0937") == devanagari
    assert plain_message("Not\u200b Found\ufeff") == "Not Found"


def test_invisible_characters_that_hide_text_leave_every_field_but_a_regions_flag() -> None:
    """Tag characters (hidden letters), the interlinear annotation marks and the byte-order
    mark reached titles, summaries and full texts, and a line holding them pushed the article
    pane's border out of line; Hangul fillers made a blank name. A region's flag (a black
    flag, tag characters, a cancel tag) is kept whole."""
    hidden = "Rates \U000e0069\U000e0067\U000e006e\U000e006f\U000e0072\U000e0065 cut"
    assert clean_line(hidden) == "Rates cut"
    assert clean_line("\ufff9base\ufffaruby\ufffb text") == "baseruby text"
    assert clean_line("\u3164\u3164 \u115fName\uffa0 \u1160here") == "Name here"
    assert clean_block(f"<p>{hidden}</p><p>\ufeffBody</p>") == "Rates cut\n\nBody"
    assert strip_controls("line one\n\ufeffline \ufff9two\ufffb") == "line one\nline two"
    scotland = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
    assert clean_line(f"{scotland} win") == f"{scotland} win"
    assert clean_block(f"<p>{scotland} win</p>") == f"{scotland} win"


def test_soft_hyphens_leave_titles_summaries_and_full_texts() -> None:
    """A soft hyphen (`&shy;`, in German outlets' long words) stayed in the word and split
    it for search: "Bundes\u00adregierung" was no match for Bundesregierung."""
    assert clean_line("Die Bundes&shy;regierung") == "Die Bundesregierung"
    assert clean_line("Bundes\u00adregierung \u00ad tagt") == "Bundesregierung tagt"
    assert clean_block("<p>Die Bundes&shy;regierung</p><p>tagt &shy; heute</p>") == (
        "Die Bundesregierung\n\ntagt heute"
    )
    assert clean_block("Bundes\u00adregierung tagt", is_html=False) == "Bundesregierung tagt"
    assert clean_block("\x1b[3\u00ad1mRot", is_html=False) == "[31mRot"  # (no escape made)
    assert normalise_paragraphs("Bundes\u00adregierung\n\u00ad\ntagt") == (
        "Bundesregierung\n\ntagt"
    )


def test_blocks_keep_zero_width_word_breaks() -> None:
    thai = "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u200b\u0e04\u0e23\u0e31\u0e1a"
    assert clean_block(f"<p>{thai}</p>") == thai


# ---------------------------------------------------------------- field caps


def test_a_50_mb_title_keeps_its_first_words_and_an_ellipsis() -> None:
    title = clean_line("word " * 10_000_000)
    assert len(title) <= LINE_LIMIT and title.endswith("word…")
    assert title.startswith("word word ")


def test_a_long_title_is_cut_at_a_word_and_a_short_one_is_untouched() -> None:
    words = " ".join(f"w{i}" for i in range(1_000))
    title = clean_line(words)
    assert len(title) <= LINE_LIMIT and title.endswith("…")
    assert words.startswith(title[:-1]) and words[len(title) - 1] == " "
    short = "Seoul stocks rise " * 15
    assert clean_line(short) == short.strip()


def test_a_title_cut_before_cleaning_shows_no_torn_tag() -> None:
    head = "<b>Title</b> " + "x" * (text.LINE_INPUT_LIMIT - 30)
    title = clean_line(head + '<span class="very-long-class-name">tail</span>')
    assert "<" not in title and title.endswith("…")
    assert title.startswith("Title xxx")


def test_summaries_and_full_text_are_capped() -> None:
    paragraph = "<p>" + "Long paragraph of summary text. " * 30 + "</p>"
    huge = paragraph * 10_000  # about 10 MB of markup
    summary = clean_block(huge, limit=SUMMARY_LIMIT)
    assert len(summary) <= SUMMARY_LIMIT and summary.endswith("…")
    assert summary.startswith("Long paragraph of summary text.")
    full = clean_block(huge)
    assert SUMMARY_LIMIT < len(full) <= TEXT_LIMIT and full.endswith("…")
    assert clean_block(paragraph) == paragraph[3:-4].strip()
    assert len(normalise_paragraphs("Extracted page paragraph.\n" * 100_000)) <= TEXT_LIMIT
    assert len(plain_message("x" * 100_000)) <= LINE_LIMIT


# ---------------------------------------------------------------- declared plain-text titles


def test_a_title_declared_plain_text_keeps_its_angle_brackets() -> None:
    assert clean_line("Needs a <title> tag", is_html=False) == "Needs a <title> tag"
    assert clean_line("AT&amp;T &lt;b&gt; rises", is_html=False) == "AT&T <b> rises"
    assert clean_line("&amp;lt; once", is_html=False) == "&lt; once"
    assert clean_line("x\x1b[31m <y>\u202e", is_html=False) == "x <y>"


def test_a_title_declared_html_or_undeclared_loses_its_tags() -> None:
    assert clean_line("<b>Bold</b> move", is_html=True) == "Bold move"
    assert clean_line("Needs a <title> tag") == "Needs a tag"
    assert clean_line("a < b") == "a < b"


def test_tabs_in_a_preformatted_table_of_wide_letters_keep_its_columns() -> None:
    """A <pre> table of indices in Korean and Japanese, its columns parted by tabs: a tab
    stop is every 8 cells of the terminal, a wide letter two of them and a combining mark
    none (expanded by characters, "코스닥" pushed its figure three cells right of the others)."""
    block = preformatted_block(
        "KOSPI\t2,583.27\n코스닥\t731.10\n日経\t38,450.00\nCafe\u0301\t12.5\ncol1\tcol2\tcol3\n"
        "한국\t日本\t中国"
    )
    lines = block.split("\n")
    assert len(lines) == 6

    def column(line: str, word: str) -> int:
        return cell_len(line[: line.index(word)])

    assert [column(line, f) for line, f in zip(lines[:4], "2731", strict=True)] == [8] * 4, lines
    assert [column(lines[4], "col3"), column(lines[5], "中国")] == [16, 16], lines
