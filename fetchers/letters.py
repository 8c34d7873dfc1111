"""How plausible a reading of one-byte text is as the letters of a language.

The one-byte charsets of Europe read any bytes, and a statistical detector on a short text
takes one that reads most of its letters right: Polish in ISO-8859-2 came out in ISO-8859-10
("ŋe ŋaden"), Czech in cp1250 ("ľe ľádný"). What tells the readings apart is which letters
they make: a word is plausible when a language writes every letter of it, and a reading is
better the more of its words one language (the text's own) writes whole.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

# The letters beyond ASCII each language writes (lower case; upper case is matched by
# lowering), those after "|" only now and then (in names, loanwords, for emphasis). Latin
# languages write ASCII letters too; Cyrillic ones only their own.
ALPHABETS: dict[str, str] = {
    "pl": "ąćęłńóśźż",
    "cs": "áčéěíňřšúůýž|ďťó",
    "sk": "áäčéíľňóôšťúýž|ďĺŕ",
    "hu": "áéíóöőúüű",
    "hr": "čćđšž",  # (Bosnian, Serbian in Latin letters; Slovene writes three of them)
    "ro": "ăâîșțşţ",
    "de": "äöüß",
    "fr": "éèàçêâôîùû|ëïœæÿü",
    "es": "áéíñóú|ü",
    "pt": "ãçáéíóúâêôõ|à",
    "it": "àèéìòù|íó",
    "nl": "|éëïóáèö",
    "ca": "àçéèíïòóú·|ü",
    "da": "æøå|é",
    "sv": "åäö|é",
    "fi": "äö|åšž",
    "is": "áðéíóúýþæö",
    "et": "äõöü|šž",
    "lt": "ąčęėįšųūž",
    "lv": "āčēģīķļņšūž",
    "tr": "çğıöşü\u0307|âîû",  # (İ lowers to i and a dot above)
    "sq": "çë",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
    "uk": "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя",
    "be": "абвгдеёжзійклмнопрстуўфхцчшыьэюя",
    "bg": "абвгдежзийклмнопрстуфхцчшщъьюя",
    "sr": "абвгдђежзијклљмнњопрстћуфхцчџш",
    "mk": "абвгдѓежзѕијклљмнњопрстќуфхцчџш",
}
# what a letter a language writes only now and then counts, against one it writes often
RARE = 0.3
_CYRILLIC = frozenset(("ru", "uk", "be", "bg", "sr", "mk"))
_WEIGHTS = {
    lang: {c: 1.0 for c in letters.split("|")[0]}
    | {c: RARE for c in (letters.split("|") + [""])[1]}
    for lang, letters in ALPHABETS.items()
}

# How often Russian writes each letter (per cent), the usual table: the letters of a
# Cyrillic reading in the wrong one of its charsets (cp1251 read as KOI8-R) are all
# Cyrillic, but shuffled, and upper case inside words.
_RUSSIAN_FREQUENCY = {
    "о": 10.97, "е": 8.45, "а": 8.01, "и": 7.35, "н": 6.70, "т": 6.26, "с": 5.47,
    "р": 4.73, "в": 4.54, "л": 4.40, "к": 3.49, "м": 3.21, "д": 2.98, "п": 2.81,
    "у": 2.62, "я": 2.01, "ы": 1.90, "ь": 1.74, "г": 1.70, "з": 1.65, "б": 1.59,
    "ч": 1.44, "й": 1.21, "х": 0.97, "ж": 0.94, "ш": 0.73, "ю": 0.64, "ц": 0.48,
    "щ": 0.36, "э": 0.32, "ф": 0.26, "ъ": 0.04, "ё": 0.04,
    "і": 1.0, "ї": 0.3, "є": 0.3, "ґ": 0.05, "ў": 0.3,  # (Ukrainian, Belarusian)
}  # fmt: skip
_UNIFORM = 100 / 33
_CYRILLIC_WEIGHT = {c: math.log(p / _UNIFORM) for c, p in _RUSSIAN_FREQUENCY.items()}

# what one letter of a word no language writes costs, against what one of a written word earns
UNWRITTEN = 3.0
# a character no text of a one-byte charset holds: a C1 control, a replacement character
CONTROL = 8.0
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_CONTROLS = re.compile("[\x80-\x9f\ufffd]")
# a sign (no letter, dash, quote or space) that touches a letter: "£ódŸ", "ce³", "»"
_SIGN_IN_WORD = re.compile(
    r"(?<=[^\W\d_])[^\w\s\x00-\x7f\u2010-\u201f\u00a0«»…•·€°–—]"
    r"|[^\w\s\x00-\x7f\u2010-\u201f\u00a0«»…•·€°–—](?=[^\W\d_])"
)


def plausibility(text: str) -> float:
    """How much a text reads as words of a language: each non-ASCII letter of a word that
    some language writes whole counts one (`RARE` where the language writes it only now and
    then), and as much again when the text's main language (the one writing most of them)
    writes it; each of a word no language writes (or with upper case after lower) costs
    `UNWRITTEN`, and so does a sign inside a word; a control costs `CONTROL`. Cyrillic
    letters count by how common they are. Only differences between readings of one body
    mean anything."""
    written = 0.0
    unwritten = 0.0
    by_language: dict[str, float] = {}
    for word in _WORD.findall(text):
        high = [c for c in word if not c.isascii() and c.isalpha()]
        if not high or len(word) == 1:  # (a letter alone is as often a sign misread: "Š 2024")
            continue
        weights = _weights_in_languages(word)
        if not weights:
            unwritten += len(high)
            continue
        written += max(weights.values())
        written += sum(_CYRILLIC_WEIGHT.get(c.lower(), 0.0) for c in high)
        for lang, weight in weights.items():
            by_language[lang] = by_language.get(lang, 0.0) + weight
    main = max(by_language.values(), default=0.0)
    signs = len(_SIGN_IN_WORD.findall(text))
    controls = len(_CONTROLS.findall(text))
    return written + main - UNWRITTEN * (unwritten + signs) - CONTROL * controls


@functools.lru_cache(maxsize=4096)
def _weights_in_languages(word: str) -> dict[str, float]:
    """What a word's letters beyond ASCII count in each language that writes all of them:
    none for a word with an upper case letter after a lower case one ("мИНИСТР", "RzĄd"),
    the case shape of a Cyrillic text read in the charset that swaps its cases."""
    if any(a.islower() and b.isupper() for a, b in zip(word, word[1:], strict=False)):
        return {}
    letters = unicodedata.normalize("NFC", word.lower()).replace("'", "").replace("’", "")
    has_ascii = any(c.isascii() for c in letters)
    high = [c for c in letters if not c.isascii()]
    found: dict[str, float] = {}
    for lang, weights in _WEIGHTS.items():
        if has_ascii and lang in _CYRILLIC:
            continue
        if all(c in weights for c in high):
            found[lang] = sum(weights[c] for c in high)
    return found
