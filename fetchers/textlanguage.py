"""The language of a headline and summary, told from their own words and letters.

A feed that declares no language (no `<language>`, no `xml:lang`, no JSON Feed `language`)
gave its articles none, and `lang:ko` found nothing of a Korean feed that said nothing of
itself. Such an article is given the language its text says (`told_language`), only when
it says so clearly; a language the feed or the item declares always wins (`fetchers.feeds`).

By its letters first, the script that writes half of them or more (a Korean syllable or a
Chinese character weighed as two letters): Hangul is Korean; two kana or more Japanese; Chinese
characters without kana are Chinese when they are many (Japanese writes kana between them)
or write forms Japanese never does ("这", "们", "說"); Cyrillic is Ukrainian when it writes
"і", "ї", "є" or "ґ" and none of Russian's "ы", "э", "ё", "ъ", Russian when it writes "ы",
"э" or "ё" (or two of Russian's own words: "что", "заявил") and none of Ukrainian's,
neither when it writes a letter of another language of the script (Belarusian "ў", Serbian
"ј", Kazakh "ә"; Bulgarian writes none of Russian's). Latin letters: Turkish, Polish and
Indonesian, then French, Spanish, Italian, Portuguese, German and Dutch, as the story
grouping tells them (`reader_language`), else English when it says three different words
of English's commonest ("of", "in", "the"), one of them English's own ("the", "with": none
of those languages writes it), and more than twice as many as of theirs. A text in a
language of Latin letters none of these writes (Czech "ř", Romanian "ș", Danish "ø" in an
everyday word; Catalan "els", Tagalog "mga"), of mixed scripts, or too short to say has
none. Only the word lists and patterns of the teller are imported, not the story grouping:
it runs in the parser's processes (`fetchers.parsepool`).
"""

from __future__ import annotations

import re
from itertools import filterfalse

from fetchers import european, languages
from fetchers.spelling import NUMBERS
from fetchers.stopwords import FOREIGN_STOPWORDS, STOPWORDS

_STOP = STOPWORDS | FOREIGN_STOPWORDS
# the words that say a text is in Turkish, Polish or Indonesian: none English or the others
# read writes
MARKERS = languages.markers(_STOP | frozenset(NUMBERS))
# and those that say it is not ("the", "of", "und", "les"): none of them writes these
NOT_THEIRS = languages.foreign(_STOP)
# the words that say a text is in French, Spanish, Italian, Portuguese, German or Dutch
EUROPEAN_MARKERS = european.markers(STOPWORDS)
# English's commonest words that none of those six writes
ENGLISH_WORDS = european.english_words(STOPWORDS)


def reader_language(chunks: list[str]) -> str | None:
    """The language of a headline and lede (their runs of text between spaces) if it is one
    read by a reader of its own in the story grouping: Turkish, Polish or Indonesian
    (`fetchers.languages`), else French, Spanish, Italian, Portuguese, German or Dutch
    (`fetchers.european`); None for English and every other."""
    found = languages.language_of(chunks, MARKERS, NOT_THEIRS)
    if found is None:
        return european.language_of(chunks, EUROPEAN_MARKERS, ENGLISH_WORDS)
    return found


TOLD_SUMMARY = 250  # characters of a summary read: its lede (forty words or so) says as much

_ADDRESS = re.compile(r"\S*(?:://|www\.)\S*")
_WORD = re.compile(r"[^\W\d_]+")
# letters of a script other than Latin, or a CJK mark (Greek to Mongolian, Hangul's jamo,
# then kana, Chinese characters and Hangul): none in most of a Latin text, told at once
_OTHER_SCRIPT = re.compile(
    "[\u0370-\u1dff\u2e80-\ud7ff\uf900-\ufaff\uff66-\uffdc\U00020000-\U0002ebef]"
)
# letters of the scripts other than those told apart here (Greek, Armenian, Hebrew,
# Arabic, the scripts of India, Thai, Georgian, Ethiopic)
_ELSEWHERE = re.compile("[\u0370-\u03ff\u0530-\u10ff\u1200-\u1dff]+")
_HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]+")
# hiragana and katakana, and the long vowel mark (not the middle dot "・": Chinese and
# Korean write it too)
_KANA = re.compile("[\u3041-\u309f\u30a1-\u30fa\u30fc-\u30ff\u31f0-\u31ff\uff66-\uff9f]+")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002ebef]+")
_CYRILLIC = re.compile("[\u0400-\u052f]+")
_LATIN = re.compile("[A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u024f\u1e00-\u1eff]+")

# Chinese characters, simplified and traditional, that Japanese writes in another form
# ("说", "說": "説"; "这", "们": never): two of them say Chinese, however few the characters
_CHINESE_ONLY = re.compile(
    "[这们说个为对发时经济过还进关开问间长门见东习总统选举华报记员议军电车马韩乌达业产动"
    "們說對發經濟關總舉產與從實灣黨戰價爭兩]"
)
_CHINESE_RUN = 20  # Chinese characters without kana that say Chinese (Japanese writes kana)

_UKRAINIAN = re.compile("[іІїЇєЄґҐ]")
_RUSSIAN = re.compile("[ыЫэЭёЁ]")
_NOT_UKRAINIAN = re.compile("[ыЫэЭёЁъЪ]")
# letters of the other languages Cyrillic writes: Belarusian, Serbian, Macedonian, Kazakh,
# Kyrgyz, Tatar, Tajik, Mongolian
_OTHER_CYRILLIC = re.compile("[ўЎјЈљЉњЊђЂћЋџЏѓЃќЌѕЅәӘғҒқҚңҢөӨұҰүҮһҺҗҖҳҲҷҶӣӢӯӮӏ]")
_CYRILLIC_LEAST = 8  # Cyrillic letters that can say which language: fewer say nothing
# Russian's commonest words that Bulgarian, Ukrainian and Belarusian write otherwise ("что",
# Bulgarian "че", Ukrainian "що"): two of them say Russian without "ы", "э" or "ё"
_RUSSIAN_WORDS = frozenset(
    """
    что чтобы через его также только когда который которая которое которые которых если
    более очень может могут заявил заявила заявили сообщил сообщила сообщили сообщает
    сообщают году сегодня
    """.split()  # noqa: SIM905 - a word list reads better as words
)

# Latin letters of languages told here by none: Czech and Slovak, Romanian, Hungarian, the
# Nordic languages, Croatian and Slovene, the Baltic languages, Vietnamese. One in an
# everyday word (not capitalized: "Dvořák", "Ødegaard" and "Håland" are names in English
# too) says the text is in none of those told
_UNTOLD_LETTERS = re.compile(
    "[ăĂșȘțȚţŢřŘěĚůŮďĎťŤňŇľĽĺĹŕŔőŐűŰåÅøØæÆþÞðÐđĐčČšŠžŽėĖįĮųŲūŪāĀēĒīĪļĻķĶņŅģĢơƠưƯ\u1ea0-\u1ef9]"
)
# Common words of languages of Latin letters that the tellers here would take for one they
# know (Catalan for Spanish, Tagalog for Portuguese, Afrikaans for Dutch) and none of those
# writes: one of them, as written in lower case, says the text is in none of those told
_UNTOLD_WORDS = frozenset(
    """
    els amb dels pels aquest aquesta aquests aquestes ang ng mga vir hierdie gesê
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_ENGLISH_LEAST = 3  # different words of English's commonest that can say English
# the words that say one of the other languages told here, alone ("los", "und"; not "die",
# "war", which English writes too)
_THEIRS = frozenset(MARKERS).union(word for word, (alone, _) in EUROPEAN_MARKERS.items() if alone)


def told_language(title: str, summary: str) -> str | None:
    """The primary language subtag ("ko", "en") of a headline and summary (its first
    `TOLD_SUMMARY` characters), when their text says it clearly; None when it does not."""
    text = f"{title}\n{summary[:TOLD_SUMMARY]}"
    if "://" in text or "www." in text:  # an address's words are no language's
        text = _ADDRESS.sub(" ", text)
    chunks = text.split()  # (its runs between spaces, as the story grouping reads them)
    if text.isascii() or not _OTHER_SCRIPT.search(text):  # (told by its words alone)
        return _latin_language(chunks, text)
    hangul = _letters(_HANGUL.findall(text))
    kana = _letters(_KANA.findall(text))
    han = _letters(_HAN.findall(text))
    cyrillic = _letters(_CYRILLIC.findall(text))
    latin = _letters(_LATIN.findall(text))
    # the letters, a syllable or a Chinese character as two (it writes what two or three
    # letters do)
    weight = latin + cyrillic + 2 * (hangul + kana + han) + _letters(_ELSEWHERE.findall(text))
    if 4 * hangul >= weight and hangul:
        return "ko"
    if 4 * (kana + han) >= weight and kana + han:
        return _chinese_or_japanese(text, kana, han)
    if 2 * cyrillic >= weight and cyrillic:
        return _cyrillic_language(text, cyrillic)
    if 2 * latin >= weight and latin:
        return _latin_language(chunks, text)
    return None


def _letters(runs: list[str]) -> int:
    """How many letters runs of them hold."""
    return sum(map(len, runs))


def _chinese_or_japanese(text: str, kana: int, han: int) -> str | None:
    """Japanese for a text of two kana or more; Chinese for one without kana that is long
    (`_CHINESE_RUN` characters) or writes two forms of Chinese's own (`_CHINESE_ONLY`);
    None else (a short run of Chinese characters is Japanese as often: "日経平均続落")."""
    if kana >= 2:
        return "ja"
    if kana:
        return None
    if han >= _CHINESE_RUN or len(_CHINESE_ONLY.findall(text)) >= 2:
        return "zh"
    return None


def _cyrillic_language(text: str, cyrillic: int) -> str | None:
    """Ukrainian or Russian by the letters only one of them writes, or Russian by two of
    its own words (`_RUSSIAN_WORDS`); None for a text that writes both's letters, another
    language's (`_OTHER_CYRILLIC`), or is short."""
    if cyrillic < _CYRILLIC_LEAST or _OTHER_CYRILLIC.search(text):
        return None
    if _UKRAINIAN.search(text):
        return None if _NOT_UKRAINIAN.search(text) else "uk"
    if _RUSSIAN.search(text):
        return "ru"
    words = _RUSSIAN_WORDS.intersection(map(str.lower, _WORD.findall(text)))
    return "ru" if len(words) >= 2 else None


def _latin_language(words: list[str], text: str) -> str | None:
    """The language of a text of Latin letters (its words as written): one the story
    grouping reads (`reader_language`), else English (`_english`); None for a text with a
    letter of a language told by none (`_UNTOLD_LETTERS`) in an everyday word."""
    if not text.isascii() and _UNTOLD_LETTERS.search(text):
        everyday = " ".join(word for word in words if word[0].islower())
        if _UNTOLD_LETTERS.search(everyday):
            return None
    if not _UNTOLD_WORDS.isdisjoint(words):
        return None
    found = reader_language(words)
    if found is not None:
        return found
    return "en" if _english(words) else None


def _english(words: list[str]) -> bool:
    """Whether a text none of the other languages here was told in is English: it says
    `_ENGLISH_LEAST` different words of English's commonest (`STOPWORDS`, lower-case or
    capitalized: "US" and "IT" are names), one of them a word of English's own
    (`ENGLISH_WORDS`: "the", "with"), and more than twice as many as of the others'
    (`_THEIRS`)."""
    said = STOPWORDS.intersection(map(str.lower, filterfalse(str.isupper, words)))
    if len(said) < _ENGLISH_LEAST or said.isdisjoint(ENGLISH_WORDS):
        return False
    theirs = set(map(str.lower, _THEIRS.intersection(words)))
    return len(said) > 2 * len(theirs)
