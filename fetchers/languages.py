"""Turkish, Polish and Indonesian words as the story grouping reads them.

These languages write Latin letters, as English, French and German do, so a word alone does
not say which one it is in; an article does. An article whose headline and lede say two
different words of a language's commonest that no other language the grouping knows writes
(Turkish "ve", "için"; Polish "się", "że", "w"; Indonesian "yang", "dengan"), and more of
them than of another's, or failing that write twice the letters only it writes (Turkish
"ı", "ğ", "ş"; Polish "ł", "ą", "ż"), is read in that language (`language_of`): its commonest
words are not words; a word is read without its letters' marks ("ş", "ı", "ł" as "s", "i",
"l": outlets and keyboards write them or not); and a Turkish or Polish word, which writes
its case and number onto the word, loses its ending and is cut to its first five letters,
as a Russian one is ("depremde", "depremin" and "depremler" are "depre"; "Tuska" and
"Tuskiem" are "tusk"), a Turkish one its chain of endings ("turunu" is "tur"). An
Indonesian word loses its "-nya", "-lah" or "-kah", then the prefix and suffix that make a
verb or a noun of its root ("dilantik", "melantik" and "pelantikan" are "lantik"). Numbers
and countries are read as in every language (the reading the caller gives), so a Turkish
report shares them with an English one.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable, Iterable
from typing import Any

# Counter's counting loop, in C
_count_elements: Any = collections._count_elements  # type: ignore[attr-defined]

# Letters read without their marks; the dot above that Python's lower() leaves on an "İ"
# ("i" and U+0307) goes too
_FOLD = str.maketrans("ışğçöüâîûłąęóśźżćń", "isgcouaiulaeoszzcn", "\u0307")


def fold(word: str) -> str:
    """A word lower-cased without its letters' marks ("Erdoğan" is "erdogan", "Łódź"
    "lodz")."""
    return word.lower().translate(_FOLD)


# Each language's commonest words, as written: not words when an article is in it
_COMMONEST = {
    "tr": (
        """
        ve veya ile bir bu o da de ki mi mu mı ne için gibi kadar sonra önce olarak olan on
        oldu olduğu olacak daha çok en ancak ise ama hem ya yani her tüm bazı ayrıca dedi
        söyledi açıkladı belirtti yıl yılında bugün dün göre üzere içinde arasında karşı
        tarafından nedeniyle sonrasında ilk yeni şöyle böyle zaten artık hâlâ hala yüzde
        """
    ),
    "pl": (
        """
        i w we na z ze że do nie się to jest są był była było byli być po od za przez dla jak
        oraz już lub ale też także który która które którzy których którym tym tego jego jej
        ich ten ta te tej tych pod nad przed o u a co czy jako sobie może będzie roku r tys
        mln mld proc powiedział powiedziała podał podała według jednak więc gdy kiedy tylko
        jeszcze bardzo został została zostało zostali około ponad wśród dziś wczoraj on ona
        ono oni one by my nas wie no tak
        """
    ),
    "id": (
        """
        yang dan di ke dari ini itu dengan untuk dalam pada akan tidak oleh juga ada karena
        setelah bahwa telah sudah saat atau para serta agar bagi hingga sebagai kepada bisa
        dapat lebih masih menjadi namun kata ujar mengatakan menurut tahun hari usai jadi
        adalah ia mereka kami kita sejumlah se nya pun yakni yaitu antara sejak belum
        tersebut melalui bersama terhadap
        """
    ),
}

# Turkish's suffixes that an apostrophe parts from a name ("Erdoğan'ın", "Türkiye'de"): no
# words in a Turkish article, and no sign of one (other languages write them as words)
_PARTED = {
    "tr": """
        ın in un ün nın nin nun nün da de ta te dan den tan ten e a ye ya i ı u ü yi yı yu yü
        la le yla yle ndan nden nda nde na ne
        """,
    "pl": "",
    "id": "",
}
_STOP = {
    code: frozenset(map(fold, (words + _PARTED[code]).split()))
    for code, words in _COMMONEST.items()
}
# commonest words that other languages write too, not yet among theirs that the grouping
# knows: no sign of the language (German "ich" and "nie", English "ale" and "co", Italian "po")
_SHARED = frozenset("ich nie co po ale tym mln mld proc tys her ama ten".split())  # noqa: SIM905

# Words of these languages that English reads as countries: Turkish "mali" (fiscal), Polish
# "mali" (small)
_NOT_PLACES = {"tr": frozenset({"mali"}), "pl": frozenset({"mali"}), "id": frozenset()}

# Endings taken off a word that keeps four letters or more (an everyday Turkish word: three,
# one ending after another), longest first (folded)
_ENDINGS = {
    "tr": """
        larindan lerinden larinda lerinde larini lerini larin lerin lari leri lar ler
        indan inden inda inde ini inin nin nun in un dan den tan ten da de ta te yi yu ye ya
        i u e a
        """,
    "pl": """
        ami ach owie owi ego emu ych ymi ich imi iem ow om em ej ie a u y i o e
        """,
    "id": "nya lah kah",
}
_LETTERS = {"tr": 5, "pl": 5, "id": 0}  # a stem cut to this many letters (0: not cut)


# An Indonesian prefix, the letter its nasal stood for before a vowel ("menembak" is
# "tembak", "memukul" "pukul", "menyerang" "serang"; none for "mengambil", "ambil", nor
# where the prefix goes as it is), and the letters it comes before (any, when empty)
_PREFIXES: tuple[tuple[str, str, str], ...] = (
    ("ber", "", ""),
    ("ter", "", ""),
    ("per", "", ""),
    ("meng", "", "aeiougkh"),
    ("peng", "", "aeiougkh"),
    ("meny", "s", "aeiou"),
    ("peny", "s", "aeiou"),
    ("mem", "", "bfpv"),
    ("pem", "", "bfpv"),
    ("mem", "p", "aeiou"),
    ("pem", "p", "aeiou"),
    ("men", "", "cdjtz"),
    ("pen", "", "cdjtz"),
    ("men", "t", "aeiou"),
    ("pen", "t", "aeiou"),
    ("me", "", "lmnrwy"),
    ("pe", "", "lmnrwy"),
    ("di", "", ""),
)
# roots that begin as a prefix does, common in the news: read whole ("menang", "penting")
_ROOTS = frozenset(
    """
    menang menteri merdeka merah perang pemilu berita perdana pertama persen dinas dialog
    media meter penting peran pesan teror teroris selatan meninggal pemenang
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_SHORTEST = 4  # letters an Indonesian stem keeps at least


def _unprefixed(word: str) -> tuple[str, bool] | None:
    """An Indonesian word without its prefix, and whether the prefix's nasal was read back
    as a letter; None when it has none, or when its prefix would leave too short a root
    (not then a shorter prefix: "pernah" is no "pe-" before "rnah")."""
    if word in _ROOTS:
        return None
    for prefix, nasal, before in _PREFIXES:
        if word.startswith(prefix) and len(word) > len(prefix):
            rest = word[len(prefix) :]
            if before and rest[0] not in before:
                continue
            rest = nasal + rest  # (a nasal's prefix is only ever read before a vowel)
            return (rest, nasal != "") if len(rest) >= _SHORTEST else None
    return None


def indonesian_stem(word: str) -> str:
    """An Indonesian word (folded, without "-nya", "-lah", "-kah") without the affixes that
    make verbs and nouns of a root: "dilantik", "melantik" and "pelantikan" are "lantik",
    "kebakaran" is "bakar", "diperbaiki" "baik". A suffix goes when a stem of four letters
    stays; "-i" and the "ke-" of "ke-...-an" only with a prefix or suffix beside them
    ("polisi", "kepala" stay), "-kan" only after a verb's prefix. Read without a dictionary
    of roots: a root that looks prefixed loses its letters alike wherever it is written,
    some common ones stay whole (`_ROOTS`), and the "k" that "meng-" drops is not read back
    ("mengecam" is "ecam", "dikecam" "kecam")."""
    if word in _ROOTS:
        return word
    stem, suffix = word, ""
    # (a noun of "pe-" or "ke-" ends in "-an", never "-kan": "pelantikan" is "lantik")
    endings = ("an", "i") if word.startswith(("pe", "ke")) else ("kan", "an", "i")
    for ending in endings:
        if word.endswith(ending) and len(word) - len(ending) >= _SHORTEST:
            stem, suffix = word[: -len(ending)], ending
            break
    if suffix == "kan" and _unprefixed(stem) is None:
        # no verb's prefix before it: a noun of a root ending in "k" ("tembakan", "desakan"
        # are "tembak" and "desak", not "temba" and "desa"); a bare verb in "-kan" keeps
        # its "k" ("umumkan" is "umumk")
        stem, suffix = word[:-2], "an"
    if suffix == "an" and stem.startswith("ke") and len(stem) - 2 >= _SHORTEST:
        return stem[2:]
    found = _unprefixed(stem)
    if found is None:
        return word if suffix == "i" else stem
    bare, restored = found
    if not restored and bare.startswith(("per", "ber")):  # "diperbaiki", "memperkuat"
        again = _unprefixed(bare)
        if again is not None:
            return again[0]
    return bare


class Reader(dict[str, tuple[str, ...]]):
    """A run of text between spaces -> its terms in one language, learnt on first sight.
    `word`: what a word is (the grouping's own pattern); `general`: a word's terms as any
    article reads them (numbers, and the countries they name)."""

    def __init__(
        self, code: str, word: re.Pattern[str], general: Callable[[str], tuple[str, ...]]
    ) -> None:
        super().__init__()
        self._stop = _STOP[code]
        self._endings = tuple(sorted(_ENDINGS[code].split(), key=len, reverse=True))
        self._letters = _LETTERS[code]
        self._not_places = _NOT_PLACES[code]
        self._affixed = code == "id"
        self._chained = code == "tr"
        self._word = word
        self._general = general

    def stem(self, folded: str, named: bool = False) -> str:
        """A folded word without its ending, cut to the language's letters (an Indonesian
        one without its affixes too: `indonesian_stem`). `named`: it was capitalized, a name
        perhaps (Turkish writes a name's endings after an apostrophe: "Putin'in" is "Putin",
        and "Putin" keeps its "-in")."""
        if self._chained and not named:
            # a Turkish word's chain of endings ("turunu": "turun", then "tur")
            while (shorter := self._unended(folded, 3)) != folded:
                folded = shorter
        else:
            folded = self._unended(folded, 4)
        if self._affixed:
            return indonesian_stem(folded)
        return folded[: self._letters] if self._letters else folded

    def _unended(self, folded: str, root: int) -> str:
        """A folded word without its longest ending that leaves `root` letters or more."""
        for ending in self._endings:
            if folded.endswith(ending) and len(folded) - len(ending) >= root:
                return folded[: -len(ending)]
        return folded

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        found: list[str] = []
        for word in self._word.findall(chunk):
            if word[0].isdigit() or word[0] == "$":
                found.extend(self._general(word))
                continue
            folded = fold(word)
            if len(folded) < 2 or folded in self._stop:
                continue
            # ("İ": the reading of every language lower-cases it with a dot left above)
            general = () if folded in self._not_places else self._general(word.replace("İ", "I"))
            if general and general[0][0] == "@":  # a country, as every language names it
                found.extend(general)
            else:
                found.append(self.stem(folded, word[0].isupper()))
        terms = tuple(found)
        if len(self) >= 200_000:  # bounded: feeds can invent words without end
            self.clear()
        self[chunk] = terms
        return terms


def markers(elsewhere: frozenset[str]) -> dict[str, tuple[str, str]]:
    """Each word that says its language, as written and capitalized -> the language and the
    word (as written): the commonest words of one language read here that are not
    `elsewhere` (English's and the other languages' that the grouping knows: "da" is
    Italian's too, "di" Italian's, "para" Spanish's, "to" and "a" English's) nor another's
    here."""
    written: dict[str, set[str]] = {}
    for code, words in _COMMONEST.items():
        for word in words.split():
            if len(word) > 1 or word in "wz":  # Polish "w" and "z" say Polish; "a", "i" not
                written.setdefault(word, set()).add(code)
    out: dict[str, tuple[str, str]] = {}
    excluded = elsewhere | _SHARED
    for word, codes in written.items():
        if len(codes) == 1 and word not in excluded:  # as written: "że" is no "ze"
            code = next(iter(codes))
            forms = {word, word.capitalize()}
            if code == "tr" and word[0] == "i":  # Turkish capitalizes "için" as "İçin"
                forms.add("İ" + word[1:])
            for form in forms:
                out[form] = (code, word)
    return out


def foreign(elsewhere: frozenset[str]) -> frozenset[str]:
    """Of the commonest words of the languages not read here (`elsewhere`: English's and
    the others' the grouping knows), those none of these languages writes: two of them say
    that an article is not in one of these ("the", "of"; "und", "les")."""
    written = frozenset(fold(word) for words in _COMMONEST.values() for word in words.split())
    return frozenset(word for word in elsewhere if fold(word) not in written)


# Letters only one language read here writes: Turkish's dotless "ı", "İ", "ğ" and "ş"
# (Romanian's is "ș", with a comma); Polish's "ł", "ą", "ę", "ś", "ź", "ż", "ń" ("ó" is other
# languages' too, "ć" Croatian's and Serbian's: "Vučić")
_OWN_LETTERS = re.compile("[ıİğĞşŞłŁąęśŚźŹżŻń]")
_LETTER_OF = dict.fromkeys("ıİğĞşŞ", "tr") | dict.fromkeys("łŁąęśŚźŹżŻń", "pl")


def language_of(
    chunks: list[str], marking: dict[str, tuple[str, str]], others: frozenset[str]
) -> str | None:
    """The language read here that a headline and lede (their runs of text between spaces)
    are in: the one of which they say two different marking words (`markers`) or more, and
    more than of any other; failing that, the one whose own letters they write twice or
    more, and more than another's, one of them in an everyday word (not capitalized: a short
    lede says few common words). None for any other, and for an article saying two words of `others`
    (`foreign`) and no fewer than of its language's (an English report naming "Erdoğan"
    twice is English)."""
    said = _said(chunks, marking)
    if said is None:
        return None
    code, marked = said
    # (rare: only an article that seems in one of these is looked at again)
    foreign = len(set(filter(others.__contains__, chunks)))
    return None if foreign >= 2 and foreign >= marked else code


def _said(chunks: list[str], marking: dict[str, tuple[str, str]]) -> tuple[str, int] | None:
    """`language_of`, before it looks for other languages' words: the language and how many
    of its marking words were said (none when told by its letters)."""
    # (most articles say none: told in one pass in C, without a set made of them)
    said = set() if marking.keys().isdisjoint(chunks) else set(filter(marking.__contains__, chunks))
    if len(said) >= 2:
        # a word and its capitalized form are one word
        found = _most(code for code, _ in set(map(marking.__getitem__, said)))
        if found is not None:
            return found
    text = " ".join(chunks)
    if text.isascii():
        return None
    found = _most(map(_LETTER_OF.__getitem__, _OWN_LETTERS.findall(text)))
    if found is None:
        return None
    # one in an everyday word too, not in names only ("Wałęsa wins in Łódź" is English)
    everyday = " ".join(chunk for chunk in chunks if chunk[:1].islower())
    if found[0] not in map(_LETTER_OF.__getitem__, _OWN_LETTERS.findall(everyday)):
        return None
    return found[0], 0


def _most(codes: Iterable[str]) -> tuple[str, int] | None:
    """The language named most, two times or more and more than any other, and how many
    times; None when none is, or two are named as often."""
    counted: dict[str, int] = {}
    _count_elements(counted, codes)
    ranked = sorted(counted.items(), key=lambda pair: pair[1], reverse=True)
    if not ranked or ranked[0][1] < 2 or (len(ranked) > 1 and ranked[1][1] == ranked[0][1]):
        return None
    return ranked[0]


def readers(word: re.Pattern[str], general: Callable[[str], tuple[str, ...]]) -> dict[str, Reader]:
    """A reader for each language read here, by its code."""
    return {code: Reader(code, word, general) for code in _STOP}
