"""The query language shared by `wirewatch list`, the `/` prompt and saved filters.

tariff "trade talks"        words and phrases, ANDed, case-insensitive, in the title, the
                            summary or the stored full text, found at the start of a word:
                            tariff finds tariffs
title:tariff title:"far apart"   the same, in titles only
tariff OR APEC              OR between terms
-opinion                    exclusion
source:Yonhap tag:korea is:unread is:starred lang:ko
since:6h since:2025-10-24 before:2d
story:s1a2b3c4d5e6f outlets:>=3       articles of one story; of stories carried by N outlets
"""

from __future__ import annotations

import bisect
import functools
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from fetchers.timeparse import counts_from_now, is_span, since_spec


class QueryError(ValueError):
    """A malformed query; the message says where and why."""


FIELDS = ("title", "source", "tag", "is", "since", "before", "lang", "story", "outlets")
IS_VALUES = ("unread", "read", "starred")
STORY_ID = re.compile(r"s[0-9a-f]{12}")
OUTLETS = re.compile(r"(>=|<=|>|<|=)?(\d{1,6})")


class StoryFacts(Protocol):
    """What `story:` and `outlets:` ask of the stories (fetchers.storybook gives them): per
    article, and as the articles they hold, so a store can take the matches up front."""

    def story_of(self, ident: str) -> str | None: ...

    def outlets_of(self, ident: str) -> int | None:
        """How many outlets carry the article's story; None, or 1, for one outlet (an
        article in no story, or in a story of one outlet)."""
        ...

    def articles_of(self, story: str) -> Collection[str]:
        """The articles of one story (none for an unknown id)."""
        ...

    def articles_where(self, outlets: Callable[[int], bool]) -> Collection[str]:
        """The articles of the stories of two or more outlets whose count passes `outlets`
        (every other article is one outlet's)."""
        ...


class NoStories:
    """Stories where none are known: every article is a story of its own, of one outlet."""

    def story_of(self, ident: str) -> str | None:
        return None

    def outlets_of(self, ident: str) -> int:
        return 1

    def articles_of(self, story: str) -> Collection[str]:
        return ()

    def articles_where(self, outlets: Callable[[int], bool]) -> Collection[str]:
        return ()


SEQ_SPAN = 10**7  # more than a shard ever holds: a record's seq is its shard's rank times it
_PLACES = tuple(range(4096))  # places in a shard, one integer object each for every record


def shared_place(place: int) -> int:
    """`place` as the one integer object every record at that place in its shard holds."""
    return _PLACES[place] if 0 <= place < len(_PLACES) else place


class Record:
    """One stored article as a store keeps it in memory, and what a query tests.

    Slotted, with times as POSIX seconds and repeated strings interned: a viewer holds 100,000
    of these within its memory budget. Full text stays on disk (`text_ref`)."""

    __slots__ = (
        "id",
        "source",
        "title",
        "link",
        "summary",
        "published",
        "_fetched",
        "tags",
        "lang",
        "author",
        "guid",
        "text_ref",
        "read",
        "starred",
        "listed",  # POSIX seconds: where an undated article sits in date order
        "revised",  # POSIX seconds: when its source last changed its title or summary
        "pulled",  # POSIX seconds: when its feed was first seen to have taken it down
        "shard",  # where the store keeps it
        "rank",  # with `place`, its place among equal times (`seq`)
        "place",
        "at",  # `when` as the store filed it: where it sits in the date order
    )

    def __init__(
        self,
        id: str,  # noqa: A002 - the article's id
        source: str,
        title: str,
        summary: str = "",
        link: str | None = None,
        published: float | None = None,
        fetched: float | str | None = None,
        tags: tuple[str, ...] = (),
        lang: str | None = None,
        author: str | None = None,
        guid: str | None = None,
        text_ref: tuple[str, int, int] | None = None,
        read: bool = False,
        starred: bool = False,
        listed: float | None = None,
    ) -> None:
        self.id = id
        self.source = source
        self.title = title
        self.summary = summary
        self.link = link
        self.published = published
        self._fetched = fetched  # an ISO string until first asked: opening a store parses less
        self.tags = tags
        self.lang = lang
        self.author = author
        self.guid = guid
        self.text_ref = text_ref
        self.read = read
        self.starred = starred
        self.listed = listed
        self.revised: float | None = None
        self.pulled: float | None = None
        self.shard = ""
        self.rank = self.place = 0
        self.at = 0.0

    @property
    def seq(self) -> int:
        """Its place among equal times: its shard's rank, then its place in the shard. Kept
        as two numbers that records share (`shared_place`): as one, a million records held
        a million distinct integers, 40 MB."""
        return self.rank * SEQ_SPAN + self.place

    @seq.setter
    def seq(self, value: int) -> None:
        rank, place = divmod(value, SEQ_SPAN)
        self.rank, self.place = rank, shared_place(place)

    @property
    def fetched(self) -> float | None:
        value = self._fetched
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value).timestamp()
            except ValueError:
                value = None
            self._fetched = value
        return value

    @property
    def when(self) -> float:
        """Published, else where it is listed, else fetched: what "newest first" and
        since:/before: use."""
        if self.published is not None:
            return self.published
        if self.listed is not None:
            return self.listed
        return self.fetched or 0.0

    @property
    def reported(self) -> float:
        """Published, else fetched: when the article was first reported (what a story
        orders and dates its articles by). A thin record keeps what it needs of them."""
        if self.published is not None:
            return self.published
        return self.fetched or 0.0

    @property
    def haystack(self) -> str:
        """Title and summary as words are looked for in them (`folded`), made when asked
        rather than kept."""
        return folded(f"{self.title}\n{self.summary}")


# the apostrophes news writes (a typographic one, a reversed one, a full-width one), each of
# which a reader types as "'": "Seoul’s" is found by Seoul's, and the other way round
_APOSTROPHES = ("\u2019", "\u2018", "\u201b", "\uff07")


_DOTLESS_I = "\u0131"
_WORD_CHARS = re.compile(r"\w+")


@functools.cache
def _case_folds() -> dict[int, str]:
    """The lower-case letters that case folding writes otherwise ("ß" as "ss", "ς" as "σ",
    "ﬁ" as "fi"), each with its folding, and Turkish's dotless "ı" as "i". Folds that would
    part a word (a letter folded to a letter and a combining mark, which is no word
    character) are left out. Made when a text first needs it."""
    folds = {ord(_DOTLESS_I): "i"}
    for char in map(chr, range(0x80, 0x10000)):  # (no letter past these has a folding)
        fold = char.casefold()
        if fold != char and char.lower() == char and _WORD_CHARS.fullmatch(char + fold):
            folds[ord(char)] = fold
    return folds


# Latin letters, digits and signs in full width, and the ideographic space: the characters
# not in their compatibility form that Chinese and Japanese text holds most, each as ASCII
_FULL_WIDTH = re.compile("[\uff01-\uff5e\u3000]+")
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


def _half_width(found: re.Match[str]) -> str:
    return found.group().translate(_HALF_WIDTH)


def _compatible(text: str) -> str:
    """`text` in its compatibility form (NFKC), made a line at a time: a line break joins
    nothing and parts nothing in that form, so only the lines not in it are made anew (made
    whole, the text of a batch of 10,000 articles with one "…" in it took three times as
    long)."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    if "\n" in text:
        return "\n".join(map(_compatible_line, text.split("\n")))
    return _compatible_line(text)


def _compatible_line(line: str) -> str:
    """A line in its compatibility form. Its characters in full width are made ASCII first:
    most text not in that form holds no others, and is then in it as soon as that is checked
    (made whole, Japanese headlines and summaries took six times as long)."""
    if unicodedata.is_normalized("NFKC", line):
        return line
    return unicodedata.normalize("NFKC", _FULL_WIDTH.sub(_half_width, line))


# Characters that show nothing and that a word pasted from a page, or a stored text, may
# hold inside it (as `fetchers.text` takes out of a one-line field): the soft hyphen, the
# zero-width space, the word joiner and the invisible operators, the byte-order mark, the
# Hangul fillers, and the marks and controls of direction (a right-to-left mark after a
# Russian word pasted from a page). Taken out of a word as it is looked for and as it is
# looked in: "Klima\u00adschutz" is klimaschutz, "Wash\u200bington" Washington.
INVISIBLE_CHARS = (
    "\u00ad\u061c\u115f\u1160\u200b\u200e\u200f\u202a-\u202e\u2060-\u2064"
    "\u2066-\u2069\u3164\ufeff\uffa0"
)
_INVISIBLE = re.compile(f"[{INVISIBLE_CHARS}]")
# the zero-width (non-)joiners, kept only right after a non-ASCII letter, mark or symbol,
# where emoji, Indic conjuncts and Persian words need them (`fetchers.text.strip_zero_width`)
_JOINER = re.compile("[\u200c\u200d]")


def _kept_joiner(match: re.Match[str]) -> str:
    at = match.start()
    before = match.string[at - 1] if at else ""
    if before > "\x7f" and unicodedata.category(before)[0] in "LMS":
        return match.group()
    return ""


def visible(text: str) -> str:
    """`text` without the characters that show nothing inside a word (`_INVISIBLE`), and
    without a joiner where no script needs one: what a word is, looked for or looked in."""
    if text.isascii():
        return text
    if _INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    if "\u200c" in text or "\u200d" in text:
        text = _JOINER.sub(_kept_joiner, text)
    return text


# The marks `unaccented` takes out, by script, each only after a letter of its script:
# Latin's and Greek's combining marks (their blocks), Arabic's harakat (tanwin, fatha, damma,
# kasra, shadda, sukun), Hebrew's points and cantillation
_MARKS = {
    "latin_greek": "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\ufe20-\ufe2f",
    "arabic": "\u064b-\u0652",
    "hebrew": "\u0591-\u05bd\u05bf\u05c1\u05c2\u05c4\u05c5\u05c7",
}
ACCENT_MARKS = "".join(_MARKS.values())
# the names each script's letters have, and the blocks that hold them
_SCRIPT_LETTERS = {
    "latin_greek": (
        ("LATIN", "GREEK"),
        ((0x41, 0x7B), (0xC0, 0x2B0), (0x370, 0x400), (0x1D00, 0x1DC0), (0x1E00, 0x2000),
         (0x2C60, 0x2C80), (0xA720, 0xA800), (0xAB30, 0xAB70)),
    ),
    "arabic": (("ARABIC",), ((0x600, 0x700), (0x750, 0x780), (0x8A0, 0x900))),
    "hebrew": (("HEBREW",), ((0x5D0, 0x5F0), (0xFB1D, 0xFB50))),
}  # fmt: skip
# the Latin letters with a stroke that European alphabets write, each as the letter
_STROKED = {"ø": "o", "đ": "d", "ħ": "h", "ł": "l", "ŧ": "t", "ǥ": "g", "ƶ": "z"}
# and the two letters written as one that keyboards without them type as two, as search
# engines fold them ("coeur" finds "cœur", "aero" "Ærø")
_STROKED |= {"æ": "ae", "œ": "oe"}
_STROKED |= {letter.upper(): plain for letter, plain in _STROKED.items()}
# the blocks that hold every Latin and Greek letter made of a letter and marks (Latin-1 to
# Latin Extended-B, Greek and Coptic, Latin Extended Additional and Greek Extended)
_ACCENTED_BLOCKS = ((0xC0, 0x250), (0x370, 0x400), (0x1E00, 0x2000))


@dataclass(frozen=True, slots=True)
class _AccentFolds:
    """What `unaccented` needs, made once: each accented letter with its letter, by script
    the letters after which its marks go, and patterns finding either."""

    letters: dict[str, str]
    after: dict[str, frozenset[str]]
    accented: re.Pattern[str]  # an accented letter or a mark
    foldable: re.Pattern[str]  # the same, or a letter case folding writes otherwise
    marks: re.Pattern[str]  # a run of one script's marks, named by the script


def _chars(blocks: tuple[tuple[int, int], ...]) -> list[str]:
    return [chr(code) for low, high in blocks for code in range(low, high)]


@functools.cache
def _accent_folds() -> _AccentFolds:
    letters = dict(_STROKED) | {"\u0451": "\u0435", "\u0401": "\u0415"}  # "ё", "Ё"
    for char in _chars(_ACCENTED_BLOCKS):
        parts = unicodedata.normalize("NFD", char)
        letter, marks = parts[0], parts[1:]
        if (
            marks
            and unicodedata.name(letter, "").startswith(("LATIN", "GREEK"))
            and all(unicodedata.category(mark)[0] == "M" for mark in marks)
        ):
            letters[char] = _STROKED.get(letter, letter)
    after = {
        script: frozenset(
            char
            for char in _chars(blocks)
            if char.isalpha() and unicodedata.name(char, "").startswith(names)
        )
        for script, (names, blocks) in _SCRIPT_LETTERS.items()
    }
    accented = "".join(letters)
    return _AccentFolds(
        letters,
        after,
        re.compile(f"[{accented}{ACCENT_MARKS}]"),
        re.compile(f"[{''.join(map(chr, _case_folds()))}{accented}{ACCENT_MARKS}]"),
        re.compile("|".join(f"(?P<{script}>[{chars}]+)" for script, chars in _MARKS.items())),
    )


def accented_letters() -> frozenset[str]:
    """The letters `unaccented` writes otherwise ("é", "É", "ł", "ά", "ё"), in either case."""
    return frozenset(_accent_folds().letters)


def _unmarked(found: re.Match[str]) -> str:
    """A run of one script's marks: nothing after a letter of its script, else as it is."""
    at = found.start()
    after = _accent_folds().after[found.lastgroup or ""]
    return "" if at and found.string[at - 1] in after else found.group()


def unaccented(text: str) -> str:
    """`text` (lower-cased, in its compatibility form) without the accents readers leave
    out, as a search engine finds words: typed without them, a word finds the word written
    with them, and typed with them, the word written without. What an accent is depends on
    the script:

    - Latin and Greek: a letter with accents is the letter, as readers type it on a keyboard
      without them ("cafe" finds "Café", "zurich" "Zürich", "αθηνα" and "ΑΘΗΝΑ" "Αθήνα", "da
      nang" "Đà Nẵng"): every combining mark of theirs goes (acute, grave, circumflex,
      diaeresis, caron, cedilla, ogonek, ring, breve, macron, Vietnamese's horn and dot
      below, Greek's tonos, dialytika and breathings), and so does the stroke through the
      letters European alphabets write with one (`_STROKED`: Danish and Norwegian "ø",
      Polish "ł", Croatian and Vietnamese "đ", Maltese "ħ"), so "lodz" finds "Łódź" and
      "tromso" "Tromsø"; "æ" and "œ" are the two letters they join ("coeur" finds "cœur").
      A letter that is no letter with a mark stays ("ð", "þ").
    - Cyrillic: only "ё" is "е", as most Russian text writes it ("елку" finds "Ёлку"). "й",
      "ї", "ў", "ґ", "ќ" are letters of their own alphabets, not accented ones, and stay.
    - Arabic and Hebrew: the vowel points (harakat, niqqud) and Hebrew's cantillation go:
      news writes them seldom, and a mark is no word character, so a pointed word was not
      even found as one word.
    - Every other script keeps its marks: in Devanagari and the other Indic scripts, Thai
      and the rest a vowel sign or a virama is part of how a word is spelled ("कम" is not
      "काम"), and Korean is never taken apart into its jamo.

    Made for every title and summary stored, so quick: an ASCII text, or one with no
    accented letter or mark, is given back as it is, and each accented letter a text holds
    is replaced at once throughout (a `str.translate` of the text, or a function called for
    each accent, took two to three times as long on German and French)."""
    if text.isascii():
        return text
    return _unaccented(text, set(_accent_folds().accented.findall(text)))


def _unaccented(text: str, found: set[str]) -> str:
    """`text` without its accents, `found` being the accented letters and marks it holds."""
    folds = _accent_folds()
    marked = False
    for char in found:
        letter = folds.letters.get(char)
        if letter is None:
            marked = True  # (rare: most text has its letters whole)
        else:
            text = text.replace(char, letter)
    return folds.marks.sub(_unmarked, text) if marked else text


def lowered(text: str) -> str:
    """Case-folded as words are compared everywhere (the text test, the search indexes, the
    alert matcher), in its compatibility form: "STRASSE" and "Straße" alike as "strasse";
    Latin letters and digits in full width as those letters ("ＡＰＥＣ" is "apec", as
    Japanese outlets write it), a letter written as its parts (a letter and a combining
    accent, Korean as its jamo) as the letter; Turkish's capital dotted "İ" as "i", not as
    Python lower-cases it ("i" and a combining dot, which parted "İstanbul" into "i" and
    "stanbul"), and its dotless "ı" as "i" too, so that "ırak" typed in lower case finds
    "Irak" and "IŞIK" is found by ışık; the characters that show nothing taken out
    (`visible`); and the accents readers leave out taken out (`unaccented`: "Café" is
    "cafe", "Ёлку" "елку", so `cafe` finds "Café" and `café` "cafe"). An ASCII text is only
    lower-cased."""
    if text.isascii():
        return text.lower()
    text = _compatible(visible(text))
    low = text.replace("\u0130", "I").lower() if "\u0130" in text else text.lower()
    if low != text:  # (lower-casing changes no text of a script without case)
        # lower-casing can leave a letter and a mark that make one letter ("J" and a caron
        # has no letter of its own, "j" and a caron has: "ǰ"), which may fold further
        low = _compatible(low)
    # the letters case folding and `unaccented` write otherwise, found in one pass
    found = set(_accent_folds().foldable.findall(low))
    if not found:
        return low
    folds = _case_folds()
    cased = [char for char in found if ord(char) in folds]
    if not cased:
        return _unaccented(low, found)
    for char in cased:  # (each replaced throughout at once: quicker than `str.translate`)
        low = low.replace(char, folds[ord(char)])
    return unaccented(_compatible(low))


@functools.cache
def _folded_letters() -> tuple[dict[str, str], dict[str, str]]:
    """The characters (past ASCII) that folding (`lowered`) writes otherwise: those folded
    to one character, by it ("a": "ａＡ𝐚…", "e": "éÉèÈ…", "i": "ıİ…", "k": "K…", the Kelvin sign),
    and those folded to more, by what they are folded to ("ss": "ßẞ", "fi": "ﬁ"). Made when
    a highlight or a database's query first needs it."""
    alone: dict[str, str] = {}
    spelled: dict[str, str] = {}
    folds = _case_folds()
    accented = _accent_folds().letters
    for char in map(chr, range(0x80, 0x30000)):  # (no character past these has another form)
        if (
            char.lower() == char
            and ord(char) not in folds
            and char not in accented
            and unicodedata.is_normalized("NFKC", char)
        ):
            continue
        fold = lowered(char)
        if fold and fold != char:
            table = alone if len(fold) == 1 else spelled
            table[fold] = table.get(fold, "") + char
    return alone, spelled


def _marks_after(char: str) -> str:
    """A regular expression finding the marks that folding takes out after `char` (none, or
    any number of them, `unaccented`), or "" when it takes none out after it."""
    for script, letters in _accent_folds().after.items():
        if char in letters:
            return f"[{_MARKS[script]}]*"
    if char == "\u0435":  # "е", which a text may write "ё" as, with a diaeresis apart
        return "\u0308?"
    return ""


@functools.lru_cache(maxsize=4096)
def _written_letter(char: str) -> str:
    """A regular expression (to be used ignoring case) finding a character of a folded word
    where a text writes it: as itself, as any character folded to it ("Ａ" for "a", "ı" for
    "i", "é" for "e"), followed by any marks folding takes out after it (`unaccented`: "e"
    and an acute accent for "e"), and a letter as its parts (Korean's jamo for a
    syllable)."""
    also = _folded_letters()[0].get(char, "")
    if char == "'":
        also += "".join(_APOSTROPHES)
    letters = char + also
    alone = re.escape(char) if not also else "[" + "".join(map(re.escape, letters)) + "]"
    parts = unicodedata.normalize("NFD", char)
    if len(parts) == 1:
        return alone + _marks_after(char)
    # its last part apart from the rest, itself a letter written whole or in its parts
    # ("ệ": "ẹ" and a circumflex, "e" and a dot below and a circumflex)
    head = unicodedata.normalize("NFC", parts[:-1])
    before = _written_letter(head) if len(head) == 1 else "".join(map(_written_letter, head))
    return f"(?:{alone}|{before}{_written_letter(parts[-1])})"


@functools.cache
def _folded_into() -> dict[str, str]:
    """Each character with those (past ASCII) folded to it, or to letters that hold it
    (`_folded_letters`: "s": "ſＳｓ…ßẞﬆ…")."""
    alone, spelled = _folded_letters()
    into = dict(alone)
    for fold, chars in spelled.items():
        for char in dict.fromkeys(fold):
            into[char] = into.get(char, "") + chars
    return into


@functools.lru_cache(maxsize=4096)
def written_otherwise(char: str) -> str:
    """The characters past ASCII that a text may hold where a folded word has `char` (what
    a test of the text as written must let through): those folded to it ("Ａ" and "ａ" for
    "a", "é" and "É" for "e", "ı" and "İ" for "i") or to letters that hold it ("ß" for "s",
    "ﬁ" for "f"), the parts any of them is written in apart, with theirs (the accent of "é",
    written "e" and an accent; the vowel and final jamo of a Korean syllable), and itself
    when it is a mark (a text may write marks in another order)."""
    into = _folded_into()
    found: dict[str, None] = {}
    todo, seen = [char], {char}
    while todo:
        letter = todo.pop()
        for other in (letter, *into.get(letter, "")):
            found[other] = None
            for part in unicodedata.normalize("NFD", other)[1:]:
                if part not in seen:
                    seen.add(part)
                    todo.append(part)
    if not unicodedata.combining(char):
        del found[char]
    return "".join(other for other in found if not other.isascii())


def written_pattern(word: str) -> str:
    """A regular expression (to be used ignoring case) finding a folded word or phrase
    (`folded`) where a text writes it, as a highlight must find what the word matched: its
    "ss" where the text writes "ß" ("strasse" in "Straße"), its "fi" where a ligature, its
    apostrophe as any that news writes, its letters in full width ("apec" in "ＡＰＥＣ") or
    with the accents folding takes out, written whole or apart ("cafe" in "Café", where a
    text writes "é" or "e" and a combining accent)."""
    spelled = _folded_letters()[1]
    longest = max(map(len, spelled), default=1)
    out: list[str] = []
    at = 0
    while at < len(word):
        for size in range(min(longest, len(word) - at), 1, -1):
            part = word[at : at + size]
            letters = spelled.get(part)
            if letters is not None:
                whole = "".join(map(_written_letter, part))
                out.append(f"(?:{whole}|[{''.join(map(re.escape, letters))}])")
                at += size
                break
        else:
            out.append(_written_letter(word[at]))
            at += 1
    return "".join(out)


def folded(text: str) -> str:
    """A text as words are looked for in it, and a word or phrase as it is looked for:
    lower-cased, without the accents readers leave out (`lowered`), every apostrophe
    written "'" (the search index parts words at any of them alike)."""
    low = lowered(text)
    if low.isascii():
        return low
    for mark in _APOSTROPHES:
        if mark in low:
            low = low.replace(mark, "'")
    return low


# quotes a name may be written with, each as a reader types it: "O’Reilly" is O'Reilly
_NAME_QUOTES = str.maketrans(
    {
        "\u2019": "'",
        "\u2018": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u02bc": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        # and every hyphen and dash as the "-" a keyboard types: a name imported from an OPML
        # file is often "Frontier Review — Markets", typed source:"Frontier Review - Markets"
        **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    }
)


@functools.lru_cache(maxsize=8192)  # names repeat: each folded once, not once an article
def name_key(name: str) -> str:
    """A source's or tag's name as `source:` and `tag:` compare it, and as every store files
    it: case-folded as words are (Turkish's "İ" and "ı" an "i", `lowered`; "ß" as "ss"), in
    its compatibility form (a full-width "ＡＰＥＣ" is APEC, a composed letter the same as its
    parts), every quote and apostrophe as typed ("’" is "'"), every dash a hyphen ("—" and "–"
    are "-"), without the accents readers leave out, as words are (`unaccented`: "Cafe
    Societe" is "Café Société"), its spaces one space. Python's lower() missed "İzmir Haber"
    for İZMİR HABER and "O’Reilly" for O'Reilly; casefold() missed the tag "Ağrı" for
    tag:AĞRI ("ağri" against "ağrı"); source:"Frontier Review - Markets" missed "Frontier
    Review — Markets", and tag:economie the tag "Économie" that the word economie finds."""
    if name.isascii():
        return " ".join(name.lower().split())
    text = unicodedata.normalize("NFKC", name).replace("\u0130", "I").casefold()
    text = text.replace(_DOTLESS_I, "i")
    text = unaccented(unicodedata.normalize("NFKC", text).translate(_NAME_QUOTES))
    return " ".join(text.split())


def meant_name(asked: str, names: Iterable[str]) -> str | None:
    """The name of `names` that `asked` (folded as `name_key` folds it) may have meant: one
    it begins, else the closest spelled ("live tow" of "Live Two"); None when none is near.
    `list` and the alert rules say it after a `source:` or `tag:` that names nothing."""
    import difflib  # (only when a name is not found: kept out of every start)

    known = {name_key(name): name for name in names}
    starts = [name for key, name in known.items() if key.startswith(asked)]
    if starts:
        return starts[0]
    close = difflib.get_close_matches(asked, list(known), n=1, cutoff=0.5)
    return known[close[0]] if close else None


def unknown_names(
    query: Query, names: Mapping[str, Callable[[], Iterable[str]]], matched: bool = False
) -> list[str]:
    """What to say of each `source:` or `tag:` of `query` that names no source or tag of
    `names` (per field, a way to the names known, asked only when the field is in the
    query), with the name it may have meant ("source:Tech: no source of that name (did
    you mean source:"Tech News"?)"): when nothing matched, rather than an empty list that
    looks like no news; and one left out (`-source:`) whether or not anything matched: it
    leaves nothing out. `list` prints them; the dashboard says them under an empty list."""
    found: dict[str, dict[str, str]] = {}  # field -> its names, read once
    said: list[str] = []
    for term in (t for clause in query.clauses for t in clause):
        kind = term.field
        if kind is None or kind not in names or (matched and not term.negated):
            continue
        if kind not in found:
            found[kind] = {name_key(name): name for name in names[kind]()}
        known = found[kind]
        if term.value in known:  # (a term's value is folded as names are: `name_key`)
            continue
        hint = meant_name(term.value, known.values())
        # each as a query writes it (a name with spaces or quotes quoted, its quotes twice)
        minus = "-" if term.negated else ""
        meant = f" (did you mean {minus}{kind}:{quoted(hint)}?)" if hint else ""
        asked = term.value if term.value.isalnum() else quoted(term.value)
        nothing = ", so it leaves nothing out" if term.negated else ""
        said.append(f"{minus}{kind}:{asked}: no {kind} of that name{nothing}{meant}")
    return said


# the last term of a query being typed when it is a `source:` or `tag:` value: the field
# (any case, left out or not, its colon perhaps full-width), then its value so far, after an
# opening quote (its quotes written twice) or bare
_TYPED_NAME = re.compile(
    "(?:^|(?<=\\s))[-\u2010-\u2015\u2212\ufe63\uff0d]?(source|tag)[:\uff1a]"
    '(?:"((?:[^"]|"")*)|([^\\s"]*))\\Z',
    re.IGNORECASE,
)
# a name a query may write bare (others are quoted: spaces, quotes, parentheses, a dash
# before it)
_BARE_NAME = re.compile(r"\w[\w.&+-]*")


def _completion_key(text: str) -> str:
    """`text` as completion compares names: as `name_key` folds them, and without accents
    (`unaccented`: "cafe" completes "Café"), a space it ends in kept (a word finished)."""
    key = unaccented(name_key.__wrapped__(text))  # (a name's every start: not kept)
    return key + " " if key and text[-1:].isspace() else key


class NameCompletion:
    """The rest of a source's or tag's name that a query being typed may be writing: after
    `source:fron` (or `source:"fron`), "Frontier Review — Markets". Names are matched as
    `_completion_key` folds them (case, accents, quotes, dashes), the first in the order of
    their keys: every name is reached by typing more of it."""

    def __init__(self, sources: Iterable[str] = (), tags: Iterable[str] = ()) -> None:
        self._keys = {"source": self._keyed(sources), "tag": self._keyed(tags)}

    @staticmethod
    def _keyed(names: Iterable[str]) -> tuple[list[str], list[str]]:
        keyed = sorted({(_completion_key(n), n) for n in names if n.strip()})
        return [key for key, _ in keyed], [name for _, name in keyed]

    def complete(self, text: str) -> tuple[str, str] | None:
        """For `text`, the query as typed so far: what to show (`text` and the rest of the
        name, for the eye) and the query it becomes when taken (the name written whole as a
        query writes it, quoted when it must be); None when its last term is no `source:`
        or `tag:` value begun, or begins no name known."""
        typed = _TYPED_NAME.search(text)
        if typed is None:
            return None
        field, inside, bare = typed.group(1).lower(), typed.group(2), typed.group(3)
        value = bare if inside is None else inside.replace('""', '"')
        key = _completion_key(value)
        if not key.strip():
            return None
        keys, names = self._keys[field]
        at = bisect.bisect_left(keys, key)
        if at == len(keys) or not keys[at].startswith(key):
            return None
        name = names[at]
        rest = next(
            (name[i:] for i in range(1, len(name) + 1) if _completion_key(name[:i]) == key),
            name[len(value) :],
        )
        start = typed.start(2) - 1 if inside is not None else typed.start(3)
        shown = text + (rest if inside is None else rest.replace('"', '""') + '"')
        if shown == text:  # the name whole already
            return None
        if inside is None and _BARE_NAME.fullmatch(name):
            return shown, text[:start] + name
        return shown, text[:start] + quoted(name)


Test = Callable[[Record], bool]
TextOf = Callable[[Record], str | None]  # a store's way to the full text it keeps on disk
WordsOf = Callable[[Record], Record]  # a viewer's (or lean writer's) way to words left on disk


class Haystacks:
    """The lower-cased texts of one article that the word terms of a query look in, each made
    once and only when a term needs it: the full text is read only when the title and
    summary do not decide."""

    __slots__ = ("_body", "_near", "_text_of", "_title", "_whole", "_words_of", "record")

    def __init__(
        self, record: Record, text_of: TextOf | None, words_of: WordsOf | None = None
    ) -> None:
        self.record = record
        self._text_of = text_of
        self._words_of = words_of
        self._whole: Record | None = None
        self._near: str | None = None
        self._body: str | None = None
        self._title: str | None = None

    def near(self) -> str:
        """Title and summary."""
        if self._near is None:
            self._near = self.words().haystack
        return self._near

    def words(self) -> Record:
        """The record with its words: itself, or (a thin record) as read back."""
        if self._whole is None:
            words_of = self._words_of
            self._whole = words_of(self.record) if words_of is not None else self.record
        return self._whole

    def body(self) -> str:
        """The stored full text ("" when there is none or no store to read it from)."""
        if self._body is None:
            text = self._text_of(self.words()) if self._text_of is not None else None
            self._body = folded(text) if text else ""
        return self._body

    def title(self) -> str:
        if self._title is None:
            self._title = folded(self.words().title)
        return self._title


@dataclass(slots=True, frozen=True)
class Term:
    """One term of a query: what it tests, and what a store index can narrow it to."""

    field: str | None  # None for a word or phrase; "title" for one in titles only
    value: str  # lower-cased
    negated: bool
    test: Test
    bound: float | None = None  # POSIX seconds, for since: and before:
    text_test: Callable[[str], bool] | None = None  # words: the test on a ready haystack
    # story:, outlets: what the stories decide for every article, so a store need not ask
    # them article by article (the same verdicts as `test`)
    decided: Callable[[], Verdicts] | None = None

    def holds(self, record: Record, texts: Haystacks) -> bool:
        """The test, sharing the lower-cased texts between the word terms of a query."""
        if self.text_test is None:
            return self.test(record)
        if self.field == "title":
            found = self.text_test(texts.title())
        else:
            found = self.text_test(texts.near()) or self.text_test(texts.body())
        return found is not self.negated


@dataclass(slots=True)
class Verdicts:
    """What an index knows of one clause: ids for which it holds, ids for which it fails,
    and the verdict for every other id (None: check the terms)."""

    hold: frozenset[str] | set[str] = frozenset()
    fail: frozenset[str] | set[str] = frozenset()
    rest: bool | None = None


STORY_FIELDS = ("story", "outlets")  # the clauses the stories answer


@dataclass(slots=True)
class Query:
    text: str
    clauses: list[list[Term]] = field(default_factory=list)  # AND of ORs
    words: list[str] = field(default_factory=list)  # for highlighting

    @property
    def is_empty(self) -> bool:
        return not self.clauses

    def since(self, instant: float, shown: str = "") -> Query:
        """This query, holding only for articles of POSIX `instant` or later: a since:
        clause made from the instant itself (nothing written out and parsed again; a
        store's date order cuts the slice by its bound). `shown`: the clause as written."""
        term = Term("since", shown, False, lambda record: record.when >= instant, instant)
        return Query(self.text, [*self.clauses, [term]], list(self.words))

    @property
    def moving_bounds(self) -> list[float]:
        """The instants of its since: and before: terms counted from the time it was parsed
        (since:6h, before:today), in the order written: they move on with the clock, and
        what the query matches with them (a date's stays)."""
        return [
            term.bound
            for clause in self.clauses
            for term in clause
            if term.field in ("since", "before")
            and term.bound is not None
            and counts_from_now(term.value)
        ]

    def with_stories(self, facts: StoryFacts, said: Collection[int] = ()) -> Query:
        """This query with its `story:` and `outlets:` terms answered by `facts` (the clauses
        numbered in `said` left as they are: a store says them whole itself). Each such term
        asks `facts` for the articles it holds or fails for once, here: a store that keeps
        the stories answers those in one statement, not article by article, before it reads
        the rows to test (not on a second connection while the rows are read)."""
        clauses = [
            clause
            if number in said
            else [_answered(term, facts) if term.field in STORY_FIELDS else term for term in clause]
            for number, clause in enumerate(self.clauses)
        ]
        return Query(self.text, clauses, list(self.words))

    @property
    def asks_stories(self) -> bool:
        """Whether a clause asks the stories (`story:`, `outlets:`): answered only once the
        articles are grouped."""
        return any(term.field in STORY_FIELDS for clause in self.clauses for term in clause)

    def matches(
        self,
        record: Record,
        known: dict[int, Verdicts] | None = None,
        text_of: TextOf | None = None,
        words_of: WordsOf | None = None,
    ) -> bool:
        """Every clause holds. `known` gives, per clause number, ids an index has already
        decided (a store's shortcut; the answer is the same without it). `text_of` gives the
        article's full text; without it words are looked for in the title and summary.
        `words_of` gives a record that does not hold its words (a viewer's, a lean writer's)
        with them."""
        texts: Haystacks | None = None  # made for the first word term an index left open
        for number, clause in enumerate(self.clauses):
            verdicts = known.get(number) if known else None
            if verdicts is not None:
                if record.id in verdicts.hold:
                    continue
                if record.id in verdicts.fail:
                    return False
                if verdicts.rest is not None:
                    if verdicts.rest:
                        continue
                    return False
            for term in clause:
                if term.text_test is None:
                    if term.test(record):
                        break
                    continue
                if texts is None:
                    texts = Haystacks(record, text_of, words_of)
                if term.holds(record, texts):
                    break
            else:
                return False
        return True


# Korean, and the scripts written without spaces, against which a word of another script may
# be written with no space: a Latin word ("한미FTA", "米FRB", "沖でM7.1の地震"), or a Korean
# word against a Latin one ("FTA협상"). A word starts where a run of word characters of the
# one kind (these) or of the other (every other script) starts.
HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
# (Thai, kana, CJK ideographs: a needle holding one matches anywhere, `unspaced`)
UNSPACED = "\u0e00-\u0e7f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
EASTERN = HANGUL + UNSPACED  # (the ranges hold marks and signs too: the word characters count)
# a word character of the one kind, and a word: a run of word characters of one kind
EASTERN_WORD = f"(?=\\w)[{EASTERN}]"
WORD = re.compile(f"(?:{EASTERN_WORD})+|[^\\W{EASTERN}]+")
_EASTERN = re.compile(EASTERN_WORD)
_UNSPACED = re.compile(f"[{UNSPACED}]")


def unspaced(needle: str) -> bool:
    """Whether a word or phrase is of a script written without spaces (Chinese, Japanese,
    Thai): it matches anywhere. Any other is found at the start of a word (`finds_word`),
    so a token index can answer it."""
    return _UNSPACED.search(needle) is not None


def finds_word(needle: str) -> Callable[[str], bool]:
    """Whether a text holds `needle` at the start of a word ("tariff" finds "tariffs", not
    "antitariff"; a word starts after a word character of another script too, `WORD`), or
    anywhere for a needle `unspaced`. Looked for with `str.find`, each place it is found
    asked whether a word starts there: a pattern compiled for each word took 1.1 ms (its
    class of every Eastern script), 2.2 s of every command for a desk of 2,000 rules."""
    first = needle[:1]
    if unspaced(needle) or not (first.isalnum() or first == "_"):
        return lambda haystack: needle in haystack

    def found(haystack: str) -> bool:
        at = haystack.find(needle)
        while at > 0 and not starts_word(haystack[at - 1], first):
            at = haystack.find(needle, at + 1)
        return at != -1

    return found


def found_word_pattern(needle: str) -> str:
    """A regular expression (to be used ignoring case) finding a folded word or phrase where
    a text writes it (`written_pattern`) only where `finds_word` finds it: at the start of a
    word (ICE marks no "Police"), or anywhere for a needle `unspaced`."""
    written = written_pattern(needle)
    first = needle[:1]
    if unspaced(needle) or not (first.isalnum() or first == "_"):
        return written
    if _EASTERN.match(first) is not None:  # (Korean) not right after a Korean word character
        return f"(?<!{EASTERN_WORD}){written}"
    return f"(?<![^\\W{EASTERN}]){written}"  # not right after another script's word character


def starts_word(before: str, first: str) -> bool:
    """Whether a word whose first character is `first` starts right after the character
    `before` (as `finds_word` finds it)."""
    if not (before.isalnum() or before == "_"):
        return True
    return (_EASTERN.match(first) is None) is (_EASTERN.match(before) is not None)


# hyphens, dashes and minus, the full-width and small ones a Chinese or Japanese keyboard makes
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"
# a quoted value holds a quote written twice ("The ""Daily"" Wire"); a quote left open is
# read as a bare word holding it, and said where that word starts
# a term: "-" to leave it out, a field, then a value: in double quotes (a phrase), in single
# quotes closed before a space or the end ('flash flooding', as a shell or another search
# language writes a phrase: read as two words, `'flash` and `flooding'`, it found nothing;
# an apostrophe before a letter is a word's own: 'Seoul's pledge'), or bare
_TOKEN = re.compile(
    r'\s*(-?)(?:(\w+):)?(?:"((?:[^"]|"")*)"|[\'\u2018]((?:[^\'\u2018\u2019]|[\'\u2019](?=\w))+)[\'\u2019](?=\s|$)|(\S+))'
)


def quoted(value: str) -> str:
    """A value as a query writes it between quotes (a source or tag name with spaces or
    quotes in it): each quote in it written twice."""
    return '"' + value.replace('"', '""') + '"'


# quotation marks an editor or a keyboard makes of '"' (a phrase pasted from an article):
# read as '"' (typed “tariff talks”, it looked for the marks and found nothing)
# typed ＂日本銀行＂, 「日本銀行」 or «Кремль заявил», as Japanese, Chinese and Russian
# keyboards and editors write a quotation, they were looked for as words holding the marks
_QUOTES = str.maketrans(
    dict.fromkeys("\u201c\u201d\u201e\u201f\uff02\u300c\u300d\u300e\u300f\u00ab\u00bb", '"')
)
# a field's name, then the full-width colon a Chinese or Japanese keyboard types
# (source：Desk): read as ":" when the name is a field's (a word of such a text before that
# colon, 日本：東京, stays a word)
_WIDE_FIELD = re.compile(r"(?<![^\s\-\ufe63\uff0d\u2010-\u2015\u2212])(\w+)\uff1a")


def _field_colon(found: re.Match[str]) -> str:
    name = found.group(1)
    return f"{name}:" if _operator(name).lower() in FIELDS else found.group()


def _operator(word: str) -> str:
    """A word as an operator or field name is read: in its compatibility form (ＯＲ is OR)."""
    return word if word.isascii() else unicodedata.normalize("NFKC", word)


def as_phrase(text: str) -> str:
    """A text (a watch term) as one phrase of a query: marks around it as a whole, straight
    or curly, taken as the phrase's own; a quote inside it written twice, as a query writes
    it (a quote read as a space left `Trump: "We're far apart"` two spaces that no text has,
    and a curly one an unterminated quote)."""
    return quoted(_phrase_text(text))


def _phrase_text(text: str) -> str:
    """The words of a watch term's phrase (`as_phrase`), without the marks around it."""
    text = text.strip().translate(_QUOTES)
    if len(text) >= 2 and text[0] == text[-1] == '"':
        text = text[1:-1].strip()
    return text


def phrase_key(text: str) -> str:
    """A watch term as its phrase is looked for (`as_phrase`; its spaces one space each, as
    `_tokens` reads a phrase, and `folded`): two terms with one key find the same articles
    ("tariff", "Tariff", "“tariff”"; "trade  talks" and "trade talks"), so are one term."""
    return folded(" ".join(_phrase_text(text).split()))


def _tokens(text: str) -> list[tuple[bool, str | None, str, bool]]:
    """(negated, field, value, was_quoted) for each term."""
    out: list[tuple[bool, str | None, str, bool]] = []
    pos = 0
    text = text.rstrip().translate(_QUOTES)
    if "\uff1a" in text:
        text = _WIDE_FIELD.sub(_field_colon, text)
    while pos < len(text):
        if text[pos:].strip() == "":
            break
        rest = text[pos:].lstrip()
        start = len(text) - len(rest)
        dashes = len(rest) - len(rest.lstrip(_DASHES))
        if (
            (rest[0] != "-" and dashes or dashes > 1)
            and dashes < len(rest)
            and not rest[dashes].isspace()
        ):
            # "—weather" (a dash a keyboard or an editor made of "-"), "--weather": meant to
            # exclude, as "-weather" does (read as words, they excluded nothing)
            text = text[:start] + "-" + rest[dashes:]
            rest = text[start:]
        # (a quote left open is found where it opens: the token read there holds it bare)
        match = _TOKEN.match(text, pos)
        if not match:
            raise QueryError(f"cannot read the query at column {start + 1}")
        negated, name, in_quotes, in_single, bare = match.groups()
        if in_single is not None:
            in_quotes = in_single
        value = in_quotes.replace('""', '"') if in_quotes is not None else bare
        if in_quotes is not None and (name is None or name.lower() == "title") and value.strip():
            # a phrase's spaces as a text's: one space each (stored text has its runs of
            # whitespace, tabs and no-break spaces made one space: a phrase pasted from a
            # page with a no-break space, or typed with two spaces, found nothing)
            value = " ".join(value.split())
        if name is not None:
            name = _operator(name)
        if name is None and bare is not None and re.fullmatch(r"\w+:", bare):
            if _operator(bare[:-1]).lower() not in FIELDS:  # "foo:": no field to give a value to
                known = ", ".join(f + ":" for f in FIELDS)
                raise QueryError(f"unknown field {bare} (known: {known})")
            raise QueryError(f"{bare} needs a value")
        if bare is not None and '"' in bare:  # (said where the quote is: `a"b`, `source:"B`)
            raise QueryError(
                f"unterminated quote at column {match.start(5) + bare.index(chr(34)) + 1}"
            )
        if bare is not None and name is None and not bare.strip(_DASHES):
            # "tariff - Seoul": a dash apart from its word excludes nothing, and read as a
            # word it matched every hyphen, the article meant to be left out among them
            raise QueryError(
                f"{bare} at column {start + 1} excludes nothing: write -word, with no space"
            )
        if name is None and bare is not None:
            _refuse_operator(_operator(bare), bool(negated), start)
        out.append((bool(negated), name.lower() if name else None, value, in_quotes is not None))
        pos = match.end()
    return out


_PIPED = re.compile(r"[^|]\|+[^|]")  # two words joined by | or ||


def _refuse_operator(word: str, negated: bool, column: int) -> None:
    """A word written as an operator of another search language, which this one would read
    as a word to look for (the opposite of what was meant, or nothing found): said, with
    how this language says it."""
    where = f"at column {column + 1}"
    if word == "OR" and negated:
        raise QueryError(f'-OR {where}: OR joins two terms; write -"or" to leave out the word')
    if word in ("NOT", "AND") and negated:  # (the word itself, left out: -NOT, -AND)
        raise QueryError(
            f'-{word} {where}: {word} is an operator elsewhere; write -"{word.lower()}" to'
            " leave out the word"
        )
    if word == "NOT":
        raise QueryError(f"NOT {where}: write -word to leave a word out")
    if word in ("AND", "&&"):
        raise QueryError(f"{word} {where}: terms are all required already; leave it out")
    if word in ("|", "||") or _PIPED.search(word):  # "tariff|stock", as a shell or regex
        raise QueryError(f"{word} {where}: write OR between two terms")
    if word.startswith("(") or word.endswith(")"):
        raise QueryError(
            f"{word} {where}: parentheses do not group (OR joins the terms beside it);"
            ' put them in quotes to look for them ("(AP)")'
        )
    if word == "*":
        raise QueryError(f"* {where}: every article is listed without a query; leave it out")
    if len(word) > 1 and word.endswith("*"):
        raise QueryError(f"{word} {where}: a word finds the words it begins already; drop the *")


def parse_query(
    text: str,
    now: datetime | None = None,
    zone: tzinfo = UTC,
    stories: StoryFacts | None = None,
) -> Query:
    """Compile a query. Raises QueryError for anything malformed; never matches all silently.
    `stories` answers `story:` and `outlets:` (without it, no article is in a story)."""
    now = now or datetime.now(UTC)
    facts = stories if stories is not None else NoStories()
    query = Query(text=text)
    pending_or = False
    for negated, name, value, quoted in _tokens(text):
        if name is None and not quoted and _operator(value) == "OR":
            if not query.clauses or pending_or:
                raise QueryError("OR needs a term on each side")
            pending_or = True
            continue
        test = _term(negated, name, value, quoted, now, zone, facts)
        if name in (None, "title") and not negated:
            query.words.append(folded(value))
        if pending_or:
            query.clauses[-1].append(test)
            pending_or = False
        else:
            query.clauses.append([test])
    if pending_or:
        raise QueryError("OR needs a term on each side")
    _refuse_the_impossible(query)
    return query


@functools.lru_cache(maxsize=4096)
def follows_clock(text: str) -> bool:
    """Whether the query `text` has a bound counted from now (`Query.moving_bounds`): what
    it matches changes as time passes, with nothing stored or changed (one that does not
    parse matches nothing, and changes nothing). Kept by text, which alone says it: a
    dashboard asks it of every event's query every two seconds (500 events' queries parsed
    again took a hundredth of a core)."""
    try:
        return bool(parse_query(text).moving_bounds)
    except QueryError:
        return False


def swept(text: str, then: datetime, now: datetime, zone: tzinfo) -> list[tuple[float, float]]:
    """The stretches of time, each [start, end) in POSIX seconds, that the bounds counted
    from now of the query `text` (since:1h, before:today) passed over from `then` to
    `now`: an article of a time in one of them is matched at the one instant and not at
    the other (or the other way round: a clock set back sweeps them backwards). No stretch for
    a query that does not parse, or whose bounds are dates."""
    try:
        old = parse_query(text, then, zone).moving_bounds
        new = parse_query(text, now, zone).moving_bounds
    except QueryError:
        return []
    return [(min(a, b), max(a, b)) for a, b in zip(old, new, strict=True) if a != b]


def dated_within(start: float, end: float) -> Query:
    """The articles of a time from POSIX `start` to before `end`: a slice of a store's date
    order (`swept` asks whether one holds any)."""
    before = Term("before", "", False, lambda record: record.when < end, end)
    query = Query("").since(start)
    query.clauses.append([before])
    return query


def _refuse_the_impossible(query: Query) -> None:
    """A query no article can match, whatever the store holds, is an error, not an empty
    list that looks like no news: a before: at or before a since:, an outlets: count no
    story has."""
    since = [t for c in query.clauses if len(c) == 1 for t in c if t.field == "since"]
    before = [t for c in query.clauses if len(c) == 1 for t in c if t.field == "before"]
    for low in (t for t in since if not t.negated and t.bound is not None):
        for high in (t for t in before if not t.negated and t.bound is not None):
            # (both dates, or both spans back from now: a saved filter of one of each,
            # "since:7d before:2025-11-01", holds for a while, then for nothing, and is not
            # refused then, as the config it is in would be)
            if is_span(low.value) != is_span(high.value):
                continue
            if high.bound is not None and low.bound is not None and high.bound <= low.bound:
                raise QueryError(
                    f"before:{high.value} is not after since:{low.value}: no article is both"
                )
    alone = [c[0] for c in query.clauses if len(c) == 1]  # each required on its own
    _refuse_both_ways(alone)
    _refuse_two_of_one(alone)
    _refuse_outlets_between(alone)


def _written(term: Term) -> str:
    """A term as it reads in an error message."""
    value = quoted(term.value) if " " in term.value else term.value
    shown = value if term.field is None else f"{term.field}:{value}"
    return ("-" if term.negated else "") + shown


def _refuse_both_ways(alone: list[Term]) -> None:
    """A term required and left out (`tariff -tariff`, `is:read -is:read`), or a word
    required that a word left out begins (`tariffs -tariff`: each article with the first
    has the second where it is): no article matches."""
    for out in (t for t in alone if t.negated):
        for kept in (t for t in alone if not t.negated):
            if out.field in (None, "title") and kept.field in (None, "title"):
                # the word left out is found wherever the one kept is, as `finds_word` finds
                # it (a title's word is in the text a plain word is looked for in, not the
                # other way round)
                wider = out.field is None or kept.field == "title"
                same = kept.value.startswith(out.value) and wider
                same = same and (unspaced(out.value) or not unspaced(kept.value))
            else:
                same = (out.field, out.value) == (kept.field, kept.value)
            if same:
                raise QueryError(
                    f"{_written(kept)} and {_written(out)}: the one leaves out what the"
                    " other asks for; no article matches both"
                )
    unread_out = [t for t in alone if t.negated and t.field == "is" and t.value in _READ_MARKS]
    if len({t.value for t in unread_out}) == 2:
        raise QueryError("-is:read and -is:unread: an article is one or the other")


_READ_MARKS = ("read", "unread")
# fields an article has one value of: two of them required is a query no article matches
_ONE_VALUED = ("source", "lang", "story")


def _refuse_two_of_one(alone: list[Term]) -> None:
    """`source:A source:B`, `lang:ko lang:en`, `is:read is:unread`: an article has one."""
    for name in (*_ONE_VALUED, "is"):
        asked = [t for t in alone if t.field == name and not t.negated]
        if name == "is":
            asked = [t for t in asked if t.value in _READ_MARKS]
        values = list(dict.fromkeys(t.value for t in asked))
        if len(values) > 1:
            what = "is read or unread" if name == "is" else f"has one {name}"
            raise QueryError(
                f"{name}:{values[0]} and {name}:{values[1]}: an article {what}; no article is both"
            )


def _refuse_outlets_between(alone: list[Term]) -> None:
    """`outlets:0`, `outlets:>=3 outlets:<2`: a story has one outlet or more, and no count
    of outlets is both."""
    asked = [t for t in alone if t.field == "outlets" and not t.negated]
    low, high = 1, math.inf
    for term in asked:
        op, number = _outlets_clause(term.value)
        if op in ("=", ">=", ">"):
            low = max(low, number + (op == ">"))
        if op in ("=", "<=", "<"):
            high = min(high, number - (op == "<"))
            if high < 1:
                raise QueryError(
                    f"outlets:{term.value}: a story has one outlet or more; no article has fewer"
                )
    if low > high:
        raise QueryError(
            " and ".join(f"outlets:{t.value}" for t in asked) + ": no story has a count of"
            " outlets that is both"
        )


def _term(
    negated: bool,
    name: str | None,
    value: str,
    quoted: bool,
    now: datetime,
    zone: tzinfo,
    facts: StoryFacts,
) -> Term:
    if name in ("since", "before") and value:
        try:
            bound = since_spec(value, now, zone).timestamp()
        except ValueError as exc:
            raise QueryError(f"{name}:{value}: {exc}") from exc
    else:
        bound = None
    test = _positive(name, value, quoted, now, zone, facts)
    if name in (None, "title"):
        low = folded(value)
    elif name in ("source", "tag"):
        low = name_key(value)
    else:
        low = value.lower()
    if name == "lang":  # as articles keep it, and every store files it: without a region
        low = _language(low)
    text_test = finds_word(low) if name in (None, "title") else None
    decided = _story_verdicts(name, low, negated, facts)
    if negated:
        return Term(name, low, True, lambda r: not test(r), bound, text_test, decided)
    return Term(name, low, False, test, bound, text_test, decided)


def _story_verdicts(
    name: str | None, value: str, negated: bool, facts: StoryFacts
) -> Callable[[], Verdicts] | None:
    """For `story:` and `outlets:` (already checked by `_positive`), the verdicts of the term
    for every article from the stories' own lists: the articles of the stories it holds for,
    or, when it holds for articles of one outlet, those of the stories it fails for."""
    if name == "story":

        def one_story() -> Verdicts:
            held = frozenset(facts.articles_of(value))
            return Verdicts(fail=held, rest=True) if negated else Verdicts(hold=held, rest=False)

        return one_story
    if name == "outlets":
        passes = _outlets_count_test(value)

        def by_outlets() -> Verdicts:
            holds_for_one = passes(1) != negated  # an article in no story, or one of one outlet
            if holds_for_one:
                fails = frozenset(facts.articles_where(lambda n: passes(n) == negated))
                return Verdicts(fail=fails, rest=True)
            holds = frozenset(facts.articles_where(lambda n: passes(n) != negated))
            return Verdicts(hold=holds, rest=False)

        return by_outlets
    return None


def _answered(term: Term, facts: StoryFacts) -> Term:
    """A `story:` or `outlets:` term whose test is the verdicts `facts` give (`_story_verdicts`,
    negation included), asked now."""
    decided = _story_verdicts(term.field, term.value, term.negated, facts)
    assert decided is not None
    verdicts = decided()

    def test(record: Record) -> bool:
        if record.id in verdicts.hold:
            return True
        if record.id in verdicts.fail:
            return False
        return bool(verdicts.rest)

    return Term(term.field, term.value, term.negated, test, term.bound, None, lambda: verdicts)


# A language tag as feeds and queries write it: a language of two or three letters, then
# subtags ("ko", "en-US", "en_US", "zh-Hant-TW")
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def _language(value: str) -> str:
    """A lang: value as its language alone ("en-us", "en_US": "en")."""
    return value.replace("_", "-").split("-")[0]


def _positive(
    name: str | None, value: str, quoted: bool, now: datetime, zone: tzinfo, facts: StoryFacts
) -> Test:
    """The test of a term on a record alone (words: on the title and summary; `Term.holds`
    adds the full text)."""
    if name is None:
        needle = folded(value)
        if not needle.strip():
            raise QueryError('an empty phrase ("") matches nothing useful')
        text_test = finds_word(needle)
        return lambda r: text_test(r.haystack)
    if name not in FIELDS:
        raise QueryError(f"unknown field {name}: (known: {', '.join(f + ':' for f in FIELDS)})")
    if not value:
        raise QueryError(f"{name}: needs a value")
    low = value.lower()
    if name == "title":
        if not low.strip():
            raise QueryError('title: needs a word or a "phrase"')
        if not quoted and len(value) > 1 and value[0] in _DASHES and value[1].isalnum():
            # "title:-tariff" looked for "-tariff" in titles: nothing, without a word
            raise QueryError(f"title:{value}: write -title:{value[1:]} to leave titles out")
        in_title = finds_word(folded(value))
        return lambda r: in_title(folded(r.title))
    if name in ("source", "tag"):
        # each distinct name folded once a query (`name_key` on every article's source
        # and tags made a scan two to four times slower than `lower()` had)
        key = name_key(value)
        known: dict[str, bool] = {}

        def named(text: str) -> bool:
            found = known.get(text)
            if found is None:
                found = known[text] = name_key(text) == key
            return found

        if name == "source":
            return lambda r: named(r.source)
        return lambda r: any(map(named, r.tags))
    if name == "lang":
        if not LANGUAGE_TAG.fullmatch(value):
            # lang:123 and lang:english matched nothing, in silence
            raise QueryError(
                f"lang:{value} is no language tag: write the language's code, as lang:ko or"
                " lang:en-US"
            )
        # an article keeps its language without a region (a feed's en-US is en): lang:en-US
        # asks for English, as lang:en does (it matched nothing)
        language = _language(low)
        return lambda r: (r.lang or "").lower().split("-")[0] == language
    if name == "is":
        if low not in IS_VALUES:
            raise QueryError(f"is:{value} is not one of {', '.join('is:' + v for v in IS_VALUES)}")
        if low == "unread":
            return lambda r: not r.read
        if low == "read":
            return lambda r: r.read
        return lambda r: r.starred
    if name == "story":
        if not STORY_ID.fullmatch(low):
            raise QueryError(
                f"story:{value} is not a story id (an s and 12 hex digits, see `wirewatch stories`)"
            )
        return lambda r: facts.story_of(r.id) == low
    if name == "outlets":
        return _outlets_test(value, facts)
    try:
        instant = since_spec(value, now, zone).timestamp()
    except ValueError as exc:
        raise QueryError(f"{name}:{value}: {exc}") from exc
    if name == "since":
        return lambda r: r.when >= instant
    return lambda r: r.when < instant


def _outlets_test(value: str, facts: StoryFacts) -> Test:
    """outlets:3, outlets:>=3, outlets:>2 (also < and <=): how many outlets carry the
    article's story (an article in no story is one outlet's)."""
    passes = _outlets_count_test(value)
    return lambda r: passes(facts.outlets_of(r.id) or 1)


def _outlets_clause(value: str) -> tuple[str, int]:
    """The comparison and the number of `outlets:VALUE`."""
    match = OUTLETS.fullmatch(value)
    if match is None:
        raise QueryError(f"outlets:{value}: give a number of outlets, e.g. outlets:>=3")
    return match.group(1) or "=", int(match.group(2))


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    ">=": operator.ge,
    ">": operator.gt,
    "<=": operator.le,
    "<": operator.lt,
    "=": operator.eq,
}


def _outlets_count_test(value: str) -> Callable[[int], bool]:
    """The test `outlets:VALUE` puts to a story's count of outlets."""
    op, number = _outlets_clause(value)
    compare = _COMPARE[op]
    return lambda count: compare(count, number)
