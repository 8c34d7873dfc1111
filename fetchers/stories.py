"""Stories: articles of one event across outlets, grouped as they arrive.

Each article becomes a weighted bag of words (its headline counted twice, then its summary's
lede; words cut to a rough stem, place names folded to their country, numbers kept whole)
weighted by how rare each word is among the articles seen so far and a thousand ordinary
articles counted as read before them (`_prior`). A new article joins the story most similar
to it, compared article by article within `WINDOW` of it and as a whole (`_StorySum`), when
their cosine similarity reaches what their distance in time asks (`CLOSE_THRESHOLD` at the
same moment, rising to `THRESHOLD` over `CLOSE_HOURS`) and no article of that story is about
other countries (each about one the other names nowhere: US–Korea talks are not US–Japan
talks; `_conflict`) and they are not two events of one kind told in the same words (their
headlines' names agree on none and their measures on none: an earthquake of 6.7 in Iwate is
not one of 5.9 in Kumamoto; `_apart`); otherwise it starts a story. An outlet's own reports
`SERIES_HOURS` or more apart from an article are not compared with it (its daily column is a
story a day).
Candidates come from an inverted index in which each article is filed under its `KEPT`
heaviest words only (a word of little weight finds no story, and each filing is a step for
every article grouped), each word looking among the `PROBE_RECENT` articles last filed under
it, so the cost per article does not grow with the store, nor with a story told in the same
words all day.

The grouping is deterministic: articles of one batch are taken in time order (then by id),
and a story's id is derived from the article that started it.
"""

from __future__ import annotations

import collections
import hashlib
import heapq
import logging
import math
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, compress, islice, repeat
from operator import add, attrgetter, getitem, itemgetter, mul, sub
from pathlib import Path
from typing import Any

from fetchers import cjk, european, korean, languages, spelling
from fetchers.foreground import give_way, giving_way
from fetchers.heap import collector_paused
from fetchers.stepwise import sorted_stepwise
from fetchers.stopwords import FOREIGN_STOPWORDS, STOPWORDS
from fetchers.textlanguage import reader_language as language_of

# Counter's counting loop, in C: counts a run of words or ids without bytecode per element.
_count_elements: Any = collections._count_elements  # type: ignore[attr-defined]

WINDOW = 72 * 3600.0  # seconds: a story's articles are at most this far from a neighbour
THRESHOLD = 0.30  # cosine similarity to join a story a day or more apart (README, "Stories")
CLOSE_THRESHOLD = 0.22  # ... reported at the same moment: it rises to THRESHOLD over CLOSE_HOURS
CLOSE_HOURS = 24.0
# an outlet's own reports this far from an article of it or more are no candidates for it:
# a daily column ("Stock market today: ...", the morning briefing) says the same words each
# day, so each day's would join the day before's and the column be one story as long as it
# runs. Its follow-ups of one event within hours still join it, and a day later it joins
# the story through other outlets' reports of it (and the story as a whole they make)
SERIES_HOURS = 12.0
# A candidate sharing one word with an article is not compared: two headlines alone
# ("Trump signs order on drug prices", "Trump to visit Japan next week"; "Nvidia shares
# jump after earnings beat", "Nvidia unveils new AI chip") share a name and little else,
# and so few words weigh the name most of each. Reports of one event share more.
SHARED_WORDS = 2
# Two outlets' reports of one event hours apart often take different angles ("Schüsse in
# Hanau: Elf Tote", "Merkel nach Hanau: Rassismus ist ein Gift") and share few words but the
# place or person it happened to. A name both headlines give (`_headline_names`) that at
# most RARE_NAME articles read so far had (the prior's ordinary ones among them) is that
# evidence: with it, and NAMED_WORDS shared words, the similarity asked of two reports
# NAMED_HOURS apart or less is NAMED_THRESHOLD. A name in the news all day is read by many
# articles and asks the usual similarity; one outlet's own reports ask it too (a local site's
# council budget and its school final both name the town).
NAMED_HOURS = 12.0
NAMED_THRESHOLD = 0.11
NAMED_WORDS = 3
RARE_NAME = 20
# a lede, or its last sentence, that its outlet's last this many window articles said too is
# not read (`_unrepeated`): what an outlet says of every report ("Click here to read the full
# story", "Continue reading on <site> »") is not what two of its reports share
REPEATS = 3
TITLE_WEIGHT = 2  # a headline word counts as much as two summary words
PROBES = 4  # an article's heaviest words that others are filed under: they look up candidates
CANDIDATES = 4  # how many candidates are scored in full
PROBE_LIMIT = 400  # a word in more articles than this finds no candidates (too common)
PROBE_RECENT = 100  # a probe looks among the articles last filed under its word, this many
KEPT = 8  # an article's heaviest words: the ones it is filed under
COUNT_BITS = 5  # significant bits of the article count that rarity is weighed against
LEDE = 400  # characters of a summary read: its lede (a feed of whole articles is not weighed whole)
CYRILLIC_STEM = 5  # letters a Russian or Ukrainian word is read as (`_cyrillic_stem`)
LONGEST_WORD = 40  # characters: a longer run without a space is of a script that writes none
PRIOR_ARTICLES = 1000  # ordinary articles the grouping counts as read before its first (below)
WEIGH_STEP = 200  # restored articles weighed between two looks for a filter typed meanwhile
RESTORE_STEP = 20_000  # saved stories taken between two looks for a filter typed meanwhile

_STOP = STOPWORDS | FOREIGN_STOPWORDS

# Countries and the names that stand for them in headlines (people, capitals, demonyms).
# Two articles that each name a country the other does not are about different events.
PLACES: dict[str, str] = {}
for _country, _names in {
    "usa": "usa america american americans washington newmexico",
    "korea": "korea korean koreans seoul",
    "northkorea": "northkorea northkorean pyongyang",
    "japan": "japan japanese tokyo",
    "china": "china chinese beijing",
    "taiwan": "taiwan taiwanese taipei",
    "eu": "eu european europe brussels",
    "uk": "uk britain british london northernireland",  # not "England": "New England" is in the US
    "russia": "russia russian russians moscow kremlin",
    "ukraine": "ukraine ukrainian kyiv kiev",
    "india": "india indian",
    "pakistan": "pakistan pakistani",
    "afghanistan": "afghanistan afghan",
    "iran": "iran iranian tehran",
    "israel": "israel israeli",
    "syria": "syria syrian damascus",
    "turkey": "turkey turkish ankara türkiye turkiye",
    "morocco": "morocco moroccan rabat",
    "myanmar": "myanmar burma",
    "thailand": "thailand thai bangkok",
    "vietnam": "vietnam vietnamese hanoi",
    "philippines": "philippines philippine filipino manila",
    "indonesia": "indonesia indonesian jakarta",
    "kazakhstan": "kazakhstan kazakh",
    "azerbaijan": "azerbaijan azerbaijani baku",
    "france": "france french paris",
    "germany": "germany german berlin",
    "italy": "italy italian rome",
    "spain": "spain spanish madrid",
    "canada": "canada canadian ottawa",
    "mexico": "mexico mexican",
    "brazil": "brazil brazilian",
    "australia": "australia australian canberra",
    "qatar": "qatar qatari doha",
    "egypt": "egypt egyptian cairo",
    "saudi": "saudi riyadh",
    "gaza": "gaza palestinian palestinians",
    "lebanon": "lebanon lebanese beirut",
    "nepal": "nepal nepali kathmandu",
    "bangladesh": "bangladesh bangladeshi dhaka",
    "chile": "chile chilean",
    "peru": "peru peruvian",
    "argentina": "argentina argentine",
    "venezuela": "venezuela venezuelan caracas",
    "colombia": "colombia colombian",
    "nigeria": "nigeria nigerian",
    "southafrica": "southafrica",
    "southsudan": "southsudan",
    # most of the rest of the world's countries, their people, their capitals and a few cities
    # as well known, leaving out names as often something else ("Georgia", "Jordan", "Chad",
    # "Polish", "Sofia", "Holland", the Dakar Rally) and other cities (a dateline or a stop on
    # a tour, named in a lede, is not what a report is about)
    "greece": "greece greek athens",
    "netherlands": "netherlands dutch amsterdam",
    "belgium": "belgium belgian",
    "switzerland": "switzerland swiss zurich",
    "austria": "austria austrian vienna",
    "portugal": "portugal portuguese lisbon",
    "ireland": "ireland irish dublin",
    "poland": "poland warsaw",
    "czech": "czech czechia prague",
    "slovakia": "slovakia slovak bratislava",
    "hungary": "hungary hungarian budapest",
    "romania": "romania romanian bucharest",
    "bulgaria": "bulgaria bulgarian",
    "serbia": "serbia serbian belgrade",
    "croatia": "croatia croatian zagreb",
    "bosnia": "bosnia bosnian sarajevo",
    "kosovo": "kosovo kosovar pristina",
    "albania": "albania albanian tirana",
    "sweden": "sweden swedish stockholm",
    "norway": "norway norwegian oslo",
    "denmark": "denmark danish copenhagen",
    "finland": "finland finnish helsinki",
    "iceland": "iceland icelandic reykjavik",
    "lithuania": "lithuania lithuanian vilnius",
    "latvia": "latvia latvian riga",
    "estonia": "estonia estonian tallinn",
    "belarus": "belarus belarusian minsk",
    "moldova": "moldova moldovan",
    "armenia": "armenia armenian yerevan",
    "iraq": "iraq iraqi baghdad",
    "yemen": "yemen yemeni houthi houthis sanaa",
    "kuwait": "kuwait kuwaiti",
    "uae": "uae emirati dubai dhabi",
    "oman": "oman omani muscat",
    "bahrain": "bahrain bahraini",
    "libya": "libya libyan",
    "tunisia": "tunisia tunisian",
    "algeria": "algeria algerian algiers",
    "sudan": "sudan sudanese khartoum",
    "ethiopia": "ethiopia ethiopian addis",
    "kenya": "kenya kenyan nairobi",
    "somalia": "somalia somali mogadishu",
    "uganda": "uganda ugandan kampala",
    "tanzania": "tanzania tanzanian",
    "rwanda": "rwanda rwandan kigali",
    "congo": "congo congolese kinshasa",
    "ghana": "ghana ghanaian accra",
    "senegal": "senegal senegalese",
    "mali": "mali malian bamako",
    "cameroon": "cameroon cameroonian",
    "angola": "angola angolan luanda",
    "mozambique": "mozambique",
    "zambia": "zambia zambian lusaka",
    "zimbabwe": "zimbabwe zimbabwean harare",
    "madagascar": "madagascar",
    "singapore": "singapore singaporean",
    "malaysia": "malaysia malaysian lumpur",
    "cambodia": "cambodia cambodian phnom",
    "laos": "laos laotian vientiane",
    "mongolia": "mongolia mongolian ulaanbaatar",
    "srilanka": "lanka lankan colombo",
    "uzbekistan": "uzbekistan uzbek tashkent",
    "kyrgyzstan": "kyrgyzstan kyrgyz bishkek",
    "tajikistan": "tajikistan tajik dushanbe",
    "turkmenistan": "turkmenistan turkmen",
    "hongkong": "kong",
    "newzealand": "zealand auckland",
    "fiji": "fiji fijian",
    "cuba": "cuba havana",
    "haiti": "haiti haitian",
    "jamaica": "jamaica jamaican",
    "dominican": "dominican",
    "ecuador": "ecuador ecuadorian quito",
    "bolivia": "bolivia bolivian",
    "paraguay": "paraguay paraguayan",
    "uruguay": "uruguay uruguayan montevideo",
    "panama": "panama panamanian",
    "guatemala": "guatemala guatemalan",
    "honduras": "honduras honduran",
    "nicaragua": "nicaragua nicaraguan managua",
}.items():
    for _name in _names.split():
        PLACES[_name] = _country

# Phrases folded before the words are read, each tried only when its needle is in the text.
# Case is ignored, the needle's and the phrase's: an ALL CAPS "NORTH KOREA" is North Korea and
# a Title Case "15 Percent" is "15%", as in another outlet's headline. A phrase whose words in
# lower case mean something else is found capitalised or in capitals only: "new Mexico
# tariffs" are Mexico's, "south Sudan" a region.
_PHRASES = (
    ("united states", re.compile(r"\bUnited States\b", re.IGNORECASE), " US "),
    ("european union", re.compile(r"\bEuropean Union\b", re.IGNORECASE), " EU "),
    ("united kingdom", re.compile(r"\bUnited Kingdom\b", re.IGNORECASE), " UK "),
    ("kore", re.compile(r"\b(?:North\s+|N\.\s*)Korean?s?\b", re.IGNORECASE), " DPRK "),
    ("south africa", re.compile(r"\b(?:South Africa|SOUTH AFRICA)\b"), " southafrica "),
    ("south sudan", re.compile(r"\b(?:South Sudan|SOUTH SUDAN)(?:ese|ESE)?\b"), " southsudan "),
    (
        "northern ireland",
        re.compile(r"\b(?:Northern Ireland|NORTHERN IRELAND)\b"),
        " northernireland ",
    ),
    ("new mexico", re.compile(r"\b(?:New Mexico|NEW MEXICO)\b"), " newmexico "),
    ("federal reserve", re.compile(r"\bFederal Reserve\b", re.IGNORECASE), " FederalReserve "),
    # seas named after a country are the sea, not the country: a missile that fell in the Sea
    # of Japan is North Korea's story whichever capital an outlet quotes
    ("sea of japan", re.compile(r"\bSea of Japan\b", re.IGNORECASE), " SeaOfJapan "),
    ("china sea", re.compile(r"\b(East|South) China Sea\b", re.IGNORECASE), r" \1ChinaSea "),
    # (one gulf, renamed)
    ("gulf of", re.compile(r"\bGulf of (?:Mexico|America)\b", re.IGNORECASE), " GulfOfMexico "),
    # the seismologists every earthquake report quotes, whichever country shook: their
    # names name no country the report is about
    (
        "geological",
        re.compile(r"(?:\bUS|\bU\.S\.)\s+Geological\s+Survey\b", re.IGNORECASE),
        " USGS ",
    ),
    (
        "seismological",
        re.compile(r"\bEuropean[- ]Mediterranean Seismological Cent(?:re|er)\b", re.IGNORECASE),
        " EMSC ",
    ),
    (
        "geosciences",
        re.compile(r"\bGerman Research Cent(?:re|er) for Geosciences\b", re.IGNORECASE),
        " GFZ ",
    ),
    ("per", re.compile(r"(\d)\s*(?:percent|per cent)\b", re.IGNORECASE), r"\1%"),
    ("pct", re.compile(r"(\d)\s*pct\b", re.IGNORECASE), r"\1%"),
)
# Numbers ("7.5", "$350", "15%"), dotted capitals ("U.S."), words.
_WORD = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?|(?:[A-Z]\.){2,}|[^\W\d_]+")
# Capitals that name a country only as capitals: "US" is the country, "us" is not.
_CAPITALS = {
    "US": "@usa",
    "USA": "@usa",
    "U.S.": "@usa",
    "U.S.A.": "@usa",
    "UK": "@uk",
    "U.K.": "@uk",
    "EU": "@eu",
    "E.U.": "@eu",
    "DPRK": "@northkorea",
    "ROK": "@korea",
    "PRC": "@china",
    # central banks, which headlines name instead of their country: a rate cut by the Fed
    # and one by the Bank of Korea the same week are two stories in the same words
    "FederalReserve": "@usa",  # "Federal Reserve", folded ("Fed" is also a verb: "Fed by")
    "FOMC": "@usa",
    "BOK": "@korea",
    "BoK": "@korea",
    "BOJ": "@japan",
    "BoJ": "@japan",
    "ECB": "@eu",
    "BOE": "@uk",
    "BoE": "@uk",
    "PBOC": "@china",
    "PBoC": "@china",
    "RBA": "@australia",
}


# Words headlines clip, as the stems of the whole words ("quake" is an earthquake, "$350bn"
# and Reuters' "$350 bln" are "$350 billion").
_CLIPPED = {
    "quak": "earthquak",
    "bn": "billion",
    "bln": "billion",
    "mln": "million",
    "tn": "trillion",
    "trln": "trillion",
}
# Nouns in -ment, -ation and -ction whose stem is another word's ("department", "depart")
_KEEP_ENDING = frozenset({"department", "production", "projection"})


def _unaccented(word: str) -> str:
    """A word of Latin letters without its accents ("état", "Etat" in capitals, is "etat";
    "fallecidos", "apagón"): outlets, and one outlet's headline and lede, write them or not.
    A word with a letter of another alphabet, or none that NFKD parts ("ł", "ß"), is kept."""
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return bare if bare.isascii() else word


# The endings of case, number and gender of Russian and Ukrainian nouns and adjectives (not
# of verbs: "-ть" and "-ет" end nouns too, "область", "самолет"), longest first: a word loses
# the first that leaves four letters or more ("Путина", "Путину" and "Путиным" are "путин",
# "России" and "Россию" "росс"; Ukrainian's "Херсона", "Херсоні" "херсо", cut to five letters)
_CYRILLIC_ENDINGS = tuple(
    sorted(
        """
        иями ами ями ыми ими ого его ому ему ией ая яя ое ее ые ие ый ий ой ей ую юю ым им ых
        их ом ем ии ия ию ья ью ье ьи ах ях ам ям ов ев а я ы и у ю е о ь
        іми ої ою ею єю ів їв ії ія ію ій ім іх і ї
        """.split(),  # noqa: SIM905 - a word list reads better as words
        key=len,
        reverse=True,
    )
)


# The consonants a Russian or Ukrainian root alternates as a verb or noun is made of it
# ("повысил" and "повышение", "ответил" and "отвечает", "защитил" and "защищает"),
# read as one (`_root_consonants`). Where a vowel alternates too, as it often does
# ("снизил", "снижение"), the stems stay apart
_CYRILLIC_ALTERNATING = str.maketrans({"ж": "з", "ш": "с", "ч": "т", "щ": "т"})


def _cyrillic_stem(word: str) -> str:
    """A Russian or Ukrainian word without its ending (and "ё" written "е", as most outlets
    do), cut to its first `CYRILLIC_STEM` letters: a light stem, enough for one name or noun
    in any case to meet itself, and a noun its adjective and the words made from its root
    ("Камчатка" and "камчатский", "президент" and "президентские", "мобилизация" and
    "мобилизовать"), which endings alone leave apart; the consonants a root alternates
    ("ж" and "з", "ш" and "с", "ч", "щ" and "т") are read as one where its last consonant
    falls ("повысил" and "повышение")."""
    word = word.replace("ё", "е")
    for ending in _CYRILLIC_ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return _root_consonants(word[: -len(ending)][:CYRILLIC_STEM])
    return _root_consonants(word[:CYRILLIC_STEM])


def _root_consonants(stem: str) -> str:
    """A stem with the consonants a root alternates read as one from its fourth letter on,
    where a root's last consonant falls ("повыс", "ответ"): earlier they are a word's own
    ("Петербург" is not "Печерськ", "Штаты" not "статья", "наш" not "нас")."""
    return stem[:3] + stem[3:].translate(_CYRILLIC_ALTERNATING)


def _undoubled(word: str) -> str:
    """A stem whose -ing or -ed doubled its last consonant, without the double ("shutting"
    and "planned" are "shut" and "plan"; "added" keeps its "add", "killed" its "kill")."""
    if len(word) >= 4 and word[-1] == word[-2] and word[-1] in "bdgmnprt":
        return word[:-1]
    return word


def _stem(word: str) -> str:
    """A rough stem, enough to meet "tariffs"/"tariff", "declared"/"declares",
    "rates"/"rate" and "taxes"/"tax": the first of -ing, -ed, -es, -s that leaves three
    letters goes (of a five-letter word, -es only after x, s or z: "rates" keeps its e, as
    "rate" does; a consonant -ing or -ed doubled goes with it, `_undoubled`); then -ment
    of a long word ("impeachment"/"impeached", not "apartment"/"apart") and the -ion of a
    long -ation or -ction ("election"/"elected", "evacuation"/"evacuate", not
    "station"/"state" nor "question"/"quest"), but for a few whose stem is another word
    (`_KEEP_ENDING`); then a final -e of a long word, or -a or -o of a longer one. Last, a
    word headlines clip is read as the whole word (`_CLIPPED`). A word of Latin letters is
    read without its accents, and a British spelling as the American, first
    (`fetchers.spelling`: "defence" is "defense", "criticised" "criticized")."""
    if not word.isascii():
        if "\u0400" <= word[0] <= "\u04ff":  # Cyrillic: read as Russian or Ukrainian
            return _cyrillic_stem(word)
        word = _unaccented(word)
    word = spelling.american(word)
    size = len(word)
    if word[-1] == "s":
        if size >= 5 and word[-2] == "e" and (size > 5 or word[-3] in "xsz"):
            word = word[:-2]
        elif size >= 4:
            word = word[:-1]
    elif word.endswith("ing"):
        if size >= 6:
            word = _undoubled(word[:-3])
    elif word.endswith("ed") and size >= 5:
        word = _undoubled(word[:-2])
    if word in _KEEP_ENDING:
        pass
    elif len(word) >= 10 and word.endswith("ment"):
        word = word[:-4]
    elif len(word) >= 8 and word.endswith(("ation", "ction")):
        word = word[:-3]
    # a long word's last vowel: English's silent e ("declare"), the gender of a Spanish,
    # Italian or Portuguese noun ("femenino", "femenina")
    if (len(word) > 4 and word[-1] == "e") or (len(word) > 5 and word[-1] in "ao"):
        word = word[:-1]
    return _CLIPPED.get(word, word)


def _number(word: str) -> str:
    """A number as a term: no "$" or thousands' commas, and a percentage without zeros ending
    its decimals ("3.00%" is "3%", "3.50%" is "3.5%"), one rate however it is written. Other
    numbers keep theirs: "2.10" is a version and "4.10" a Korean date, not 2.1 and 4.1."""
    number = word.replace(",", "").lstrip("$")
    whole, dot, decimals = number.partition(".")
    if not dot or not decimals.endswith("%"):
        return number
    decimals = decimals[:-1].rstrip("0")
    return f"{whole}.{decimals}%" if decimals else f"{whole}%"


class _Stems(dict[str, str]):
    """Word -> the term it counts as ("" for a stop word), learnt on first sight."""

    def __missing__(self, word: str) -> str:
        if word[0].isdigit() or word[0] == "$":
            stem = _number(word)
        elif word in _CAPITALS:
            stem = _CAPITALS[word]
        elif (folded := word.replace(".", "").lower()) != word:
            if word.isupper() and folded in FOREIGN_STOPWORDS:  # "LA", "MIT": not "la", "mit"
                stem = folded
            else:
                stem = self[folded] if folded else ""
        elif word in spelling.NUMBERS:  # "nine" is 9, as a headline writes it
            stem = spelling.NUMBERS[word]
        elif word in _STOP or len(word) < 2:
            stem = ""
        elif word in PLACES:
            stem = "@" + PLACES[word]
        elif word[-1] == "s" and word[:-1] in PLACES:  # a people ("Iraqis", "Greeks")
            stem = "@" + PLACES[word[:-1]]
        else:
            stem = _stem(word)
        if len(self) < 500_000:  # bounded: feeds can invent words without end
            self[word] = stem
        return stem


_STEMS = _Stems()


def _english_terms(word: str) -> tuple[str, ...]:
    """A word's stem, if it is no stop word; a closed compound's parts' stems
    (`spelling.compound`: "airstrike" reads as "air strike")."""
    parts = spelling.compound(word)
    if parts is not None:
        return tuple(filter(None, map(_STEMS.__getitem__, parts)))
    stem = _STEMS[word]
    return (stem,) if stem else ()


# Turkish, Polish and Indonesian articles, each read by a reader of its language
# (`fetchers.languages`), numbers and countries as every article reads them
_READERS: dict[str, dict[str, tuple[str, ...]]] = dict(languages.readers(_WORD, _english_terms))
# French, Spanish, Italian, Portuguese, German and Dutch articles likewise
# (`fetchers.european`), told by their commonest words and read by a reader of each; which
# of these languages an article is in is `language_of` (`fetchers.textlanguage`)
_READERS.update(european.readers(_WORD, _english_terms))


def _words_terms(chunk: str) -> Iterator[str]:
    """The terms of a chunk that is not all ASCII: Korean words read as Korean
    (`fetchers.korean`: endings off, names of countries as those countries, long words as
    syllable pairs), the rest as every word is; a Korean word that follows a number is its
    unit ("2025년에", "15%에서", "176명") and says nothing more."""
    after_number = False
    for word in _WORD.findall(korean.joined(chunk)):
        if word[0].isdigit() or word[0] == "$":
            after_number = True
            yield from _english_terms(word)
            continue
        if korean.is_korean(word):
            if not after_number:
                yield from korean.terms(word, _english_terms)
        elif cjk.is_cjk(word):
            yield from cjk.terms(word, _english_terms, after_number)
        else:
            yield from _english_terms(word)
        after_number = False


class _Chunks(dict[str, tuple[str, ...]]):
    """A run of text between spaces -> its terms, learnt on first sight. No word, number or
    capital spans a space, so reading a text chunk by chunk reads the same words as reading
    it whole; most chunks are one word, and the next sight of one costs a lookup."""

    def __init__(self) -> None:
        super().__init__()
        self._one: dict[str, tuple[str, ...]] = {}  # one shared tuple per single term

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        found: tuple[str, ...]
        if chunk.isascii():
            if chunk.isalpha():  # letters only: the chunk is one word
                found = _english_terms(chunk)
            else:
                found = tuple(chain.from_iterable(map(_english_terms, _WORD.findall(chunk))))
        else:  # words of any script, Korean ones read as Korean
            found = tuple(_words_terms(chunk))
        if len(found) == 1:
            found = self._one.setdefault(found[0], found)
        if len(self) >= 200_000:  # bounded: feeds can invent words without end
            self.clear()
            self._one.clear()
        self[chunk] = found
        return found


_CHUNKS = _Chunks()
_SEVERAL = "\x00"  # stands for a chunk of several terms: no term is or holds it


class _Terms(dict[str, str]):
    """A chunk -> its one term ("" for none, `_SEVERAL` for more than one), learnt on first
    sight: nearly every chunk is at most one word, so an article's terms are counted straight
    from its chunks, without a tuple per chunk to chain through."""

    def __missing__(self, chunk: str) -> str:
        if (
            chunk.isalpha()
            and (chunk.isascii() or not (korean.is_korean(chunk) or cjk.is_cjk(chunk)))
            and spelling.compound(chunk) is None  # "airstrike": two terms
        ):
            # letters only, not Korean, Chinese or Japanese: one word, read as `_Chunks` would
            term = _STEMS.get(chunk)
            if term is not None:
                pass
            elif chunk in _CAPITALS:  # a word new to the process: as `_Stems` reads it,
                term = _CAPITALS[chunk]  # without a call of its own (most of its cost)
            elif (folded := chunk.lower()) != chunk:  # letters only: no "." to drop
                term = _STEMS[chunk] if folded in FOREIGN_STOPWORDS else _STEMS[folded]
            elif chunk in spelling.NUMBERS:
                term = spelling.NUMBERS[chunk]
            elif chunk in _STOP or len(chunk) < 2:
                term = ""
            elif chunk in PLACES:
                term = "@" + PLACES[chunk]
            elif chunk[-1] == "s" and chunk[:-1] in PLACES:  # a people ("Iraqis", "Greeks")
                term = "@" + PLACES[chunk[:-1]]
            else:
                term = _stem(chunk)
        else:
            found = _CHUNKS[chunk]
            term = found[0] if len(found) == 1 else (_SEVERAL if found else "")
        if len(self) >= 200_000:  # bounded: feeds can invent words without end
            self.clear()
        self[chunk] = term
        return term


_TERMS = _Terms()


# any needle of `_PHRASES`, looked for in the text lower-cased: one search of a text that has
# none (most) instead of one a needle (a search that ignores case is six times as slow)
_ANY_NEEDLE = re.compile("|".join(re.escape(needle) for needle, _, _ in _PHRASES))


def _folded(text: str) -> str:
    """The text with its phrases folded ("United States" and "UNITED STATES" -> "US",
    "15 percent" and "15 Percent" -> "15%")."""
    lowered = text.lower()
    if _ANY_NEEDLE.search(lowered) is None:
        return text
    # needles are looked for in the text as it came (lower-cased): no fold makes a later
    # phrase's, and one a fold took away costs a search that changes nothing
    for needle, pattern, replacement in _PHRASES:
        if needle in lowered:
            text = pattern.sub(replacement, text)
    return text


# A wire's dateline, said alike by every report of its outlet: where it was filed from and
# for whom ("SEOUL, Oct. 24 (Yonhap) --", "WASHINGTON (AP) —", "LONDON, Oct 24 (Reuters) -");
# its city would make every report of the outlet about that city's country.
_CAPS = "A-ZÀ-ÖØ-Þ"  # capitals, São Paulo's and Zürich's too
_DATELINE = re.compile(
    rf"\s*[{_CAPS}][{_CAPS}.' -]{{2,40}}(?:/[{_CAPS}][{_CAPS}a-z.' -]{{1,40}})?"  # the city
    # the date: "Oct. 23", "October 23, 2025", "23 October"
    r"(?:,\s*(?:[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?|\d{1,2}\s+[A-Z][a-z]{2,8}\.?(?:\s+\d{4})?))?"
    # the agency: one word ("AP", "Reuters", "Yonhap"), or one of a few of several
    r"\s*\((?:[A-Z][\w.&'-]{1,20}|The Canadian Press|Kyodo News|Dow Jones)\)\s*[-‐‑–—]{1,2}\s*"
)
# What WordPress adds to every excerpt of a site: "The post <title> appeared first on <site>."
_POSTED = (" appeared first on ", " first appeared on ")


def _unsigned(summary: str) -> str:
    """A summary without what its outlet adds to every one: a wire's dateline before it, a
    blog's "The post ... appeared first on ..." after it (two reports of one site hours apart
    shared the site's name and the footer's words: a school's final and a council's budget
    were one story)."""
    first = summary[:1]
    if (first.isupper() or first.isspace()) and (dated := _DATELINE.match(summary)) is not None:
        summary = summary[dated.end() :]
    end = max(0, len(summary) - 300)  # (the footer ends it: a whole article is not searched)
    for said in _POSTED:
        at = summary.rfind(said, end)
        if at >= 0:
            start = summary.rfind("The post ", max(0, at - 400), at)
            if start >= 0:
                return summary[:start]
    return summary


_CREDIT_DASHES = (" - ", " – ", " — ", " | ")
LONGEST_CREDIT = 60  # characters: an outlet's name after a headline, as aggregators credit it


def _credit(title: str, summary: str) -> tuple[int, str] | None:
    """Where in a headline the outlet an aggregator credits after both it and its summary
    begins (its dash), and that outlet (Google News: "Fed raises rates by a quarter point -
    Reuters", its summary the headline and "Reuters"); None when neither says one. A summary
    that repeats the whole headline credits no one ("Liverpool 2 - 1 Chelsea")."""
    said = summary.rstrip()
    if said.endswith(title.rstrip()):
        return None
    for dash in _CREDIT_DASHES:
        at = title.rfind(dash)
        if at > 0:
            credit = title[at + len(dash) :].strip()
            # a name (not "— latest updates", "1 Chelsea"), its summary's last words
            if credit[:1].isalpha() and not credit[0].islower() and len(credit) <= LONGEST_CREDIT:
                rest = said[: -len(credit)]
                if said.endswith(credit) and (not rest or rest[-1].isspace()):
                    return at, credit
    return None


def credited_outlet(title: str, summary: str) -> str | None:
    """The outlet an aggregator credits after an article's headline and summary (`_credit`):
    the article's outlet, where the feed carries many; None when none is credited."""
    credited = _credit(title, summary)
    return None if credited is None else credited[1]


def _without_credit(title: str, summary: str, credited: tuple[int, str] | None) -> tuple[str, str]:
    """A headline and summary less the credit `_credit` found in them, if any."""
    if credited is None:
        return title, summary
    at, credit = credited
    return title[:at], summary.rstrip()[: -len(credit)]


def _as_read(title: str, summary: str) -> tuple[tuple[int, str] | None, str, str]:
    """The credit an aggregator gives after an article's headline and summary (`_credit`),
    and the headline and lede read without it: two unrelated reports of one outlet an hour
    apart shared its name, weighed twice in their headlines, and were one story."""
    credited = _credit(title, summary)
    headline, summary = _without_credit(title, summary, credited)
    return credited, headline, _lede(summary)


# what ends a sentence before another (a lede's last sentence starts after the last of them)
_SENTENCE_ENDS = (". ", "! ", "? ", "… ", "» ", "。", "！", "？", "\n")


def _lede_hashes(lede: str) -> tuple[int, tuple[int, ...]]:
    """Where a stripped lede's last sentence starts (-1: it has one sentence), and the
    hashes of the lede and of that sentence (`_unrepeated`)."""
    # (a last sentence is looked for among the last 200 characters: a notice is short)
    start = max(map(lede.rfind, _SENTENCE_ENDS, repeat(max(0, len(lede) - 200))))
    last = lede[start + 1 :].strip() if start >= 0 else ""
    return start, ((hash(lede), hash(last)) if last else (hash(lede),))


def _unrepeated(lede: str, said: frozenset[int]) -> tuple[str, tuple[int, ...]]:
    """A lede less what its outlet's last articles said too (`said`: their ledes' hashes and
    their last sentences'): the whole of it ("Click here to read the full story on ..."), or
    its last sentence ("Continue reading on <site> »"); and those two hashes of its own."""
    lede = lede.strip()
    start, own = _lede_hashes(lede)
    if not said or said.isdisjoint(own):
        return lede, own
    if own[0] in said:
        return "", own
    return lede[: start + 1], own


def _lede(summary: str) -> str:
    """The words of a summary that end within its first `LEDE` characters (less what its
    outlet adds to every one: `_unsigned`): what an outlet says first, and all a short
    summary says. A feed carrying whole articles as summaries would otherwise have a
    thousand words an article weighed, filed for rarity and compared."""
    summary = _unsigned(summary)
    if len(summary) <= LEDE:
        return summary
    cut = summary[: LEDE + 1]  # a word ending within LEDE is followed by a space in it
    if cut[-1].isspace():
        return cut
    whole = cut.rsplit(None, 1)  # the last run of the cut goes on past LEDE: not whole
    if len(whole) == 2 and len(whole[1]) <= LONGEST_WORD:
        return whole[0]
    # no space near the end: Chinese or Japanese, which write none, up to its last sentence's end
    end = max(map(cut.rfind, "。！？"))
    return cut[: end + 1] if end >= 0 else cut[:LEDE]


def terms(text: str) -> list[str]:
    """The words of a headline or summary as the grouping compares them: stop words out,
    countries folded ("@korea"), numbers kept ("7.5", "350", "15%")."""
    return list(chain.from_iterable(map(_CHUNKS.__getitem__, _folded(text).split())))


def terms_in(language: str, text: str) -> list[str]:
    """The words of a text as the grouping compares them in an article of one of the
    languages read by a reader of their own (`fetchers.languages`: "tr", "pl", "id";
    `fetchers.european`: "fr", "es", "it", "pt", "de", "nl")."""
    return list(chain.from_iterable(map(_READERS[language].__getitem__, _folded(text).split())))


@dataclass(slots=True)
class Item:
    """What the grouping needs of one article."""

    id: str
    title: str
    summary: str
    when: float  # POSIX seconds: published, else first fetched
    source: str = ""  # the outlet that reported it ("": not known; see `SERIES_HOURS`)


# The countries an article is about (`_about`): those it is about for certain, and every one
# it names, headline and lede (the first a part of the second). None: it names no country.
Places = tuple[frozenset[str], frozenset[str]]
# The names an article's headline gives (`_headline_names`): the terms of words it writes
# capitalised where case says a name, the places, people, bodies and events it is about.
Names = tuple[str, ...]


# A window article as candidates need it: its time, its words and their weights (in one
# order), their length, the words it is filed under, the countries it is about, its story
# and its outlet.
# A tuple: made once an article and unpacked in one step when it is a candidate. The weights
# are an array of doubles, not a dict of floats: a poller holds a window of articles (three
# days of every feed), and a dict of thirty words with their float objects takes about
# 1.5 kB against 0.6 kB for the words and the array.
_Doc = tuple[
    float, tuple[str, ...], "array[float]", float, tuple[str, ...], Places | None, str, str, Names
]


# An article weighed: its words weighed (every word it has: rarity counts each once), their
# length (what it is compared by), its words heaviest first (the `KEPT` first are what it is
# filed under; candidates are looked up by the heaviest that others are filed under) and the
# countries it is about (`_about`). A tuple: made once an article.
# Then its outlet ("": not known) and the hashes of its lede and of the lede's last sentence
# (`_unrepeated`), as that outlet's next articles compare theirs with.
_Weighed = tuple[
    dict[str, float], float, tuple[str, ...], Places | None, str, tuple[int, ...], Names
]


class _LogTF(dict[int, float]):
    """1 + log(count): a word said five times is not five times the evidence."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


_TF = _LogTF()


class _Rarity(dict[int, float]):
    """How many articles had a word -> its rarity, log(n / (seen + 1) + 1), for one `n`:
    a window's words share few distinct counts, so each logarithm serves many words."""

    def __init__(self, n: float) -> None:
        super().__init__()
        self.n = n

    def __missing__(self, seen: int) -> float:
        value = self[seen] = math.log(self.n / (seen + 1) + 1.0)
        return value


class _StorySum:
    """A story's window articles summed, each article's weighed words divided by its length
    (its direction), and how long that sum is: a new article is compared with the story as a
    whole too, so a report that shares some words with one outlet's and others with another's
    joins the story they told together (compared one by one, it meets neither enough).
    Made when a story has two window articles, kept until the last leaves the window. Kept in
    whole numbers (`_UNIT`): a sum is exact whatever order its articles came and went in, so
    every process that holds the same window articles holds the same sum. About 1.9 kB an
    article of thirty words, against 0.6 kB for its `_Doc`.
    Articles coming and going are noted, and summed only when the sum is looked at
    (`weights`, `square`): most stories are looked at seldom after their last article came,
    and not at all as their articles leave (a restart's thousands of restored stories, the
    last article of each, every one leaving the window), so most of that work was for
    nothing. Noted ones are summed in the order they came and went: the same sum."""

    __slots__ = ("_weights", "_square", "count", "_noted")

    def __init__(self) -> None:
        self._weights: dict[str, int] = {}
        self._square = 0  # the sum's length squared, kept as articles come and go
        self.count = 0  # the window articles summed, noted ones too
        # articles come (True) or gone (False) since the sum was last looked at, in order
        self._noted: list[tuple[tuple[str, ...], array[float], float, bool]] = []

    def add(self, words: tuple[str, ...], weights: array[float], norm: float) -> None:
        self._noted.append((words, weights, norm, True))
        self.count += 1

    def take(self, words: tuple[str, ...], weights: array[float], norm: float) -> None:
        """An article leaves the window (or the store): its direction leaves the sum, and a
        word only it had with it."""
        self._noted.append((words, weights, norm, False))
        self.count -= 1

    @property
    def weights(self) -> dict[str, int]:
        """Each word's weight in the sum (the noted articles summed first)."""
        if self._noted:
            self._sum_noted()
        return self._weights

    @property
    def square(self) -> int:
        """The sum's length squared (the noted articles summed first)."""
        if self._noted:
            self._sum_noted()
        return self._square

    def _sum_noted(self) -> None:
        held, square = self._weights, self._square
        for words, weights, norm, coming in self._noted:
            units = _direction(weights, norm)
            before = list(map(held.get, words, repeat(0)))
            # |s ± u|² = |s|² ± 2 s·u + |u|², each exact; the products in C
            if coming:
                square += 2 * sum(map(mul, before, units)) + sum(map(mul, units, units))
                held.update(zip(words, map(add, before, units), strict=True))
            else:
                square += sum(map(mul, units, units)) - 2 * sum(map(mul, before, units))
                held.update(zip(words, map(sub, before, units), strict=True))
                for word in words:
                    if not held[word]:
                        del held[word]
        self._square = square
        self._noted.clear()

    def cosine(self, vec: dict[str, float], norm: float) -> float:
        """The cosine of an article's weighed words (of length `norm`) and the sum."""
        square = self.square
        if square <= 0:
            return 0.0
        dot: float = sum(map(mul, map(self._weights.get, vec, repeat(0)), vec.values()))
        return dot / (norm * math.sqrt(square))


PRIOR_FILE = Path(__file__).with_name("data") / "word_prior.tsv"
_PRIOR: dict[str, int] | None = None  # read once per process, when the first grouping starts


def _prior() -> dict[str, int]:
    """How many of `PRIOR_ARTICLES` ordinary articles have each word (`PRIOR_FILE`, made by
    bench/wordprior.py from wordfreq's frequencies of English, Korean, Japanese and Chinese).
    Rarity is weighed as if they had been read before the first article: among a first
    hour's few dozen articles "minister" is as rare as "Louvre", and the words of the one
    event five outlets report look common; a window of thousands soon outweighs them."""
    global _PRIOR
    if _PRIOR is None:
        counts: dict[str, int] = {}
        try:
            with PRIOR_FILE.open(encoding="utf-8") as lines:
                for line in lines:
                    if line.strip() and not line.startswith("#"):
                        word, count = line.rstrip("\n").split("\t")
                        counts[word] = int(count)
        except (OSError, UnicodeDecodeError, ValueError) as exc:  # a broken install: group on
            logging.getLogger("wirewatch.stories").warning(
                "cannot read the prior of ordinary words (%s): %s; stories are grouped without"
                " its words",
                PRIOR_FILE,
                exc,
            )
            counts = {}
        _PRIOR = counts  # whole or not at all: another thread reads it only once made
    return _PRIOR


# a direction's weights as whole numbers of 1/_UNIT: fine enough that a cosine moves by less
# than a millionth, small enough that a weight, and the product of two, fit a machine word
# (Python's arithmetic on such numbers takes its quick path: at 2**40 a product did not; a
# big story's sum outgrows it, still exact)
_UNIT = 2**26


def _direction(weights: array[float], norm: float) -> list[int]:
    """An article's weights divided by its length, in whole numbers of 1/`_UNIT` (cut, not
    rounded: `int` is the quicker call): the same numbers whenever they are made, so a sum
    loses exactly what it gained."""
    return list(map(int, map(mul, weights, repeat(_UNIT / norm))))


def _articles_counted(total: int) -> float:
    """The article count that rarity is weighed against: `total` (the prior's articles
    among them) + 2 to `COUNT_BITS` significant bits, so one `_Rarity` serves the next 1/32
    to 1/16 of the articles (a rarity moves by well under 1% meanwhile) and a first grouping
    of 10,000 articles takes its logarithms anew about 55 times, not 10,000."""
    shift = max(0, total.bit_length() - COUNT_BITS)
    return float((total >> shift) << shift) + 2.0


# Every term that names a country: "@" + a country of PLACES or of _CAPITALS.
_PLACE_TERMS = frozenset({"@" + c for c in PLACES.values()} | set(_CAPITALS.values()))
_CLOSE = CLOSE_HOURS * 3600.0  # seconds
_SERIES = SERIES_HOURS * 3600.0  # seconds
_RECENT = slice(-PROBE_RECENT, None)  # the end of a postings list: its latest filings
TIME_THEN_ID = attrgetter("when", "id")  # the order articles are grouped in


def _best_then_id(scored: tuple[str, float]) -> tuple[float, str]:
    """The most similar story first; equals by story id, so the choice is deterministic."""
    return -scored[1], scored[0]


def _about(title: list[str], vec: dict[str, Any]) -> Places | None:
    """The countries an article is about (`Places`): those its headline names, and every one
    it names. A headline naming two or more states the parties, and a third its lede names
    is beside the point (where the leaders met, where one flew on to): those are every one
    it names too. A headline naming one is about that one, and names its lede's as well: the
    partner of "US strikes trade deal", which sets it apart from a report whose headline
    names the US alone and whose lede names another partner (`_conflict`), or a country
    named in passing ("met in Busan, South Korea"), which sets it apart from nothing. One
    naming none is about those its lede names."""
    named = _PLACE_TERMS.intersection(title)
    every = named
    if len(named) < 2:
        every = _PLACE_TERMS.intersection(vec)
        if not named:
            named = every
    if not every:
        return None
    key = (named, every)
    shared = _PLACE_SETS.get(key)  # one for every article that names the same
    if shared is None:
        shared = key
        if len(_PLACE_SETS) < 10_000:  # bounded: past it, an article keeps its own
            _PLACE_SETS[key] = key
    return shared


# The countries articles name, each kept once: every window article held its own (a set is
# 216 bytes, empty or of two: 1.8 MB for the shared bench's 10,000), and few differ.
_PLACE_SETS: dict[Places, Places] = {}


def _conflict(one: Places, other: Places) -> bool:
    """Different events however alike the words: each is about a country the other names
    nowhere (US–Korea talks are not US–Japan talks). When both headlines name the same one
    country, the ledes name the parties, and each naming one the other does not sets them
    apart ("US strikes trade deal" with Korea, then with Japan). A country named in passing
    otherwise sets a report apart from nothing: "Trump cuts China tariffs" whose lede says
    they met in South Korea is not about another event than "US and China agree truce"."""
    if one[0] == other[0] and len(one[0]) == 1:
        return bool(one[1] - other[1] and other[1] - one[1])
    return bool(one[0] - other[1] and other[0] - one[1])


_NO_NAMES: Names = ()
# the capitals and lower-case letters of the alphabets that have case (Latin, Greek, Cyrillic,
# Armenian, Georgian and their extensions: all below U+2000), as a pattern's sets
_UPPER = "".join(c for c in map(chr, range(0x2000)) if c.isupper())
_LOWER = "".join(c for c in map(chr, range(0x2000)) if c.islower())
_OPENING = "\"'“‘«(\\[¿¡"  # what may come before a word's first letter
# a word capitalised mid-sentence: after a space that follows no sentence's end (".", "?", a
# headline's ":" or "|", nor one closed by a quote: 'said." Then'), so not a text's first
# (nor one after two spaces: a name missed sets nothing apart). A space, then a capital
# ahead, then what is behind: four times as quick as looking behind every character first
_MID_CAPITAL = re.compile(
    rf"\s(?=[{_OPENING}]*[{_UPPER}])(?<![.!?:…|]\s)(?<![.!?:…|][\"'”’»)]\s)(?<!\s\s)"
    rf"[{_OPENING}]*(\S+)"
)
_FOUND = itemgetter(1)  # a match's word
# a word after a headline's first in lower case (`_headline_names`: it says the headline's case)
_LOWER_WORD = re.compile(rf"\s[{_OPENING}]*([{_LOWER}]\S*)")


# what a term a name cannot be begins with: a country (`_conflict` weighs those), a number,
# a chunk of several terms (`_SEVERAL`)
_NOT_A_NAME = frozenset("@$0123456789" + _SEVERAL)


def _headline_names(
    headline: str, lede: str, title: Iterable[str], term_of: Callable[[str], str]
) -> Names:
    """The names an article's headline gives (`title`: its terms; `term_of` a word: its term,
    "" for a stop word): the words it writes capitalised where case says a name, but
    countries and numbers. In a headline in sentence case (a word after its first that is no
    stop word is in lower case), any but its first word or one after a colon; in Title Case
    or capitals case says nothing there, and a word of the headline is a name if its lede
    writes it capitalised mid-sentence (so is a sentence-case headline's first). A script
    without case gives none."""
    in_lede = _MID_CAPITAL.findall(lede)
    in_headline = _MID_CAPITAL.findall(headline)
    if not in_lede and not in_headline:
        return _NO_NAMES
    found: set[str] = set()
    # (lazily: the first lower-case word that is no stop word says it)
    if in_headline and any(map(term_of, map(_FOUND, _LOWER_WORD.finditer(headline)))):
        found.update(map(term_of, in_headline))
    if in_lede:
        found.update(set(map(term_of, in_lede)).intersection(title))
    names = tuple([term for term in found if term and term[0] not in _NOT_A_NAME])
    return names or _NO_NAMES


# languages that write every noun with a capital: a headline's "names" there are its nouns
NOUNS_CAPITALISED = frozenset({"de"})


class CapitalisedNouns(tuple[str, ...]):
    """The names a headline gives in a language that writes every noun with a capital
    (German: "Großbrand", "Warnstreik"): they set two events apart (`_apart`) as names do,
    but two reports sharing one say no more than sharing any other word (`NAMED_THRESHOLD`:
    a warehouse fire in Hamburg and a plant fire in Leverkusen share "Großbrand")."""

    __slots__ = ()


def _term_of(read_all: Callable[[str], tuple[str, ...]]) -> Callable[[str], str]:
    """A word's one term as `_TERMS` gives it, for a language read by a reader of its own."""

    def term_of(chunk: str) -> str:
        found = read_all(chunk)
        return found[0] if len(found) == 1 else (_SEVERAL if found else "")

    return term_of


def _akin(names: Iterable[str], words: Iterable[str]) -> bool:
    """Whether a name may be one of the words in another form: they begin alike up to the
    shorter's last letter, four letters or more (a stem cut short, as a Russian or Ukrainian
    name's case leaves it: "Пермском" and "Перми", "Ради" and "Раді")."""
    for name in names:
        for word in words:
            size = min(len(name), len(word)) - 1
            if size >= 3 and name[:size] == word[:size]:
                return True
    return False


# two digits after the point of one or two before: a time (9.30am) or a day and month (24.10)
# as Europe writes them, no measure
_CLOCK_OR_DAY = re.compile(r"\d{1,2}\.\d\d")


def _measure(term: str) -> bool:
    """A number with a decimal point, or a percentage: a magnitude, a rate, a share of the
    vote, as every report of an event gives it (a count, a date or a time is not one: a toll
    rises as it is told, and every report says when)."""
    if not (term[0].isdigit() or term[0] == "$") or not ("." in term or "%" in term):
        return False
    return term[0] == "$" or "%" in term or not _CLOCK_OR_DAY.fullmatch(term)


def story_id(founder: str) -> str:
    """A story's id, from the article that started it: stable across restarts and rebuilds."""
    return "s" + hashlib.blake2b(founder.encode(), digest_size=6).hexdigest()


# what a `Readings` keeps of an article's words: the credit its headline gives an outlet
# (`_credit`), its lede's hashes (`_unrepeated`), its words and how often it says each (in the
# order counted: ties in weight keep it), the countries it is about and its headline's names
_Reading = tuple[
    tuple[int, str] | None,
    tuple[int, ...],
    tuple[str, ...],
    bytes | tuple[int, ...],
    Places | None,
    Names,
]


class Readings:
    """Articles' words read ahead of their grouping: while a cycle still polls (its network
    waits leave the grouping's thread idle), each source's new articles are read as they
    are staged, so the grouping after the poll only weighs and compares them. Reading an
    article is the same whenever it is done (its words, not the index's state); an article
    whose lede its outlet said before (`_unrepeated`) is read again when grouped. Kept by
    article id, with the hash of the words read (a revision is read again), and no text of
    the article's: a lean store lets go of its articles' words once they are written.
    Bounded: past `limit` articles, the rest are read when grouped."""

    def __init__(self, limit: int = 20_000) -> None:
        self.limit = limit
        self._read: dict[str, tuple[int, _Reading]] = {}

    def __len__(self) -> int:
        return len(self._read)

    def read(self, articles: Iterable[tuple[str, str, str]]) -> None:
        """Read each (id, title, summary) not read yet."""
        _prior()  # (read once per process: the grouping's first index needs it)
        known = self._read
        for ident, title, summary in articles:
            if len(known) >= self.limit:
                return
            if ident in known:
                continue
            credited, headline, lede = _as_read(title, summary)
            lede = lede.strip()
            vec, places, names = StoryIndex._counted(headline, lede)
            counts = tuple(vec.values())
            kept = bytes(counts) if max(counts, default=0) < 256 else counts
            own = _lede_hashes(lede)[1]
            known[ident] = (
                hash((title, summary)),
                (credited, own, tuple(vec), kept, places, names),
            )

    def take(self, item: Item) -> _Reading | None:
        """What was read of an article, if its words were (let go: the index's memory of the
        article grows as this shrinks, and at its peak a cycle's grouping holds not both)."""
        found = self._read.pop(item.id, None)
        if found is None or found[0] != hash((item.title, item.summary)):
            return None
        return found[1]

    def clear(self) -> None:
        self._read.clear()


class StoryIndex:
    """The grouping's memory: recent articles' kept words and an inverted index of them, how
    many articles ever had each word, and which story every article belongs to."""

    def __init__(
        self, threshold: float = THRESHOLD, window: float = WINDOW, close: float = CLOSE_THRESHOLD
    ) -> None:
        self.threshold = threshold
        self.close = min(close, threshold)
        self.window = window
        self.story_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self._docs: dict[str, _Doc] = {}
        # word -> articles ever grouped that had it, and ordinary articles counted as read
        # before the first (`_prior`, copied: one count a word, one lookup when it is weighed)
        self._prior = _prior()
        self._seen: dict[str, int] = dict(self._prior)
        self._df: dict[str, int] = {}  # word -> window articles filed under it
        # word -> which articles those are, in the order they were filed: exactly those for a
        # word that can probe (`PROBE_LIMIT`), so its length says how many; a commoner word's
        # list may hold articles gone from the window until it is tidied
        self._postings: dict[str, list[str]] = {}
        self._seen_total = 0
        self._rarity = _Rarity(2.0)
        self._rarity_until = 0  # the articles seen at which `_rarity` is taken anew
        self._places: dict[str, set[Places]] = {}  # the countries a story's articles name
        # a story's window articles summed, from its second until the last leaves the window
        # (`_StorySum`); a story of one window article is that article, compared as it is
        self._sums: dict[str, _StorySum] = {}
        # a story -> the names its window articles' headlines give (`_headline_names`), each counted
        self._named: dict[str, dict[str, int]] = {}
        self._lone: dict[str, str] = {}  # a story -> its one window article
        self._by_time: list[tuple[float, str]] = []  # a heap: the oldest vector first
        # an outlet -> its last `REPEATS` articles: when, which, and their ledes' hashes
        self._recently_said: dict[str, list[tuple[float, str, tuple[int, ...]]]] = {}
        self._said_pruned = -math.inf  # the cut `_recently_said` was last pruned at
        # where the restored recent articles come from, until their vectors are made
        self._pending: list[Callable[[], Iterable[Item]]] = []
        self._readings: Readings | None = None  # words read ahead, while `add` groups

    def __len__(self) -> int:
        return len(self.story_of)

    # -- building ------------------------------------------------------------------------------
    def add(self, items: Iterable[Item], readings: Readings | None = None) -> list[str]:
        """Group new articles (ones already grouped are skipped); returns the story of each
        new one, in the order taken (time, then id). `readings`: articles' words read ahead
        (the same stories, sooner). The garbage collector is paused meanwhile
        (`collector_paused`)."""
        out: list[str] = []
        known, heap, window = self.story_of, self._by_time, self.window
        self._readings = readings
        try:
            with collector_paused():
                ordered = sorted(items, key=TIME_THEN_ID)
                if self._pending:
                    first = next((item.when for item in ordered if item.id not in known), None)
                    self._weigh_restored(first)
                for item in ordered:
                    if item.id in known:
                        continue
                    if heap and heap[0][0] < item.when - window:
                        self._expire(item.when)
                    out.append(self._place(item))
                self._compact()
        finally:
            self._readings = None
        return out

    def restore(
        self,
        assigned: dict[str, list[str]],
        recent: Callable[[], Iterable[Item]],
        story_of: dict[str, str] | None = None,
    ) -> None:
        """Take stories as saved (story id -> article ids) and the recent articles that new
        ones are compared with, without grouping anything again. The recent articles are
        asked for and weighed when the first new one comes: a reader that only reads stories
        never does. With `story_of` (each of their articles -> its story), an index that
        holds nothing yet takes both maps as its own, lists and all: the caller lets go of
        them (a million articles' stories copied were seconds of work, and two more maps
        of a million entries growing beside a screen)."""
        if story_of is not None and not self.members and not self.story_of:
            self.members, self.story_of = assigned, story_of
            self._pending.append(recent)
            return
        # generators, not one call in C: the interpreter can switch threads meanwhile, and
        # a filter typed meanwhile goes first (a million articles' stories: about a second)
        self.members.update(
            (sid, list(ids)) for sid, ids in giving_way(assigned.items(), RESTORE_STEP)
        )
        self.story_of.update(
            (ident, sid) for sid, ids in giving_way(assigned.items(), RESTORE_STEP) for ident in ids
        )
        self._pending.append(recent)

    def _weigh_restored(self, first: float | None) -> None:
        """Make the vectors of the restored recent articles still in a story (as `restore`
        would have, in the same order). `first`: when the first new article is, if any.
        Those more than the window before it leave the window as it is placed, so only what
        outlives them is made: their words counted for rarity and the countries their story
        names, not their weights, kept words and filings (a process's first cycle otherwise
        weighs two windows of articles to compare its new ones with one)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        recent = chain.from_iterable(source() for source in pending)
        # (no time to measure from: every one is weighed, as placing the first expires none)
        cut = -math.inf if first is None or math.isnan(first) else first - self.window
        counted: set[str] = set()  # the articles before `cut`: never in `_docs`
        # tens of thousands at a million articles (seconds): a filter typed meanwhile goes first
        # sorted a step at a time: one sort of a hundred thousand held the interpreter (a
        # screen beside it) for a tenth of a second or more
        ordered = sorted_stepwise(list(recent), TIME_THEN_ID, give_way)
        for item in giving_way(ordered, WEIGH_STEP):
            known = self.story_of.get(item.id)
            if known is None or item.id in self._docs:
                continue
            if item.when >= cut:
                self._remember(item, self._vector(item), known)
            elif item.id not in counted:
                counted.add(item.id)
                self._count_words(item, known)

    def _count_words(self, item: Item, sid: str) -> None:
        """What an article leaving the window at once leaves behind (see `_remember`): every
        word it has counts once more for rarity, and its story names its countries; what its
        lede said is its outlet's last (`_read`)."""
        vec, places, _, outlet, said = self._read(item, with_names=False)
        self._note_said(item, outlet, said)
        if places is not None:
            self._places.setdefault(sid, set()).add(places)
        self._seen_total += 1
        _count_elements(self._seen, vec)

    def drop(self, gone: Iterable[str]) -> None:
        """Forget articles that are no longer stored; stories left empty go with them. Each
        story's members are filtered once, however many of them go (removing them one at a
        time would walk a big story once for each)."""
        leaving: dict[str, set[str]] = {}
        for ident in gone:
            sid = self.story_of.pop(ident, None)
            if sid is None:
                continue
            leaving.setdefault(sid, set()).add(ident)
            doc = self._docs.pop(ident, None)
            if doc is not None:
                self._forget(ident, doc)
                recent = self._recently_said.get(doc[7])
                if recent is not None:  # (what it said is not its outlet's last any more)
                    recent[:] = [entry for entry in recent if entry[1] != ident]
        for sid, idents in leaving.items():
            members = self.members.get(sid)
            if members is None:
                continue
            members[:] = [i for i in members if i not in idents]
            if not members:
                del self.members[sid]
                self._places.pop(sid, None)

    # -- the grouping ------------------------------------------------------------------------
    @staticmethod
    def _counts(item: Item) -> tuple[dict[str, Any], Places | None]:
        """The article's words and how often it says each (headline twice, the summary's
        lede once), and the countries it is about (`_about`)."""
        _, headline, lede = _as_read(item.title, item.summary)
        vec, places, _ = StoryIndex._counted(headline, lede)
        return vec, places

    @staticmethod
    def _counted(
        headline: str, lede: str, with_names: bool = True
    ) -> tuple[dict[str, Any], Places | None, Names]:
        """`_counts` of a headline and lede as read, and the names its headline gives
        (`_headline_names`; none looked for without `with_names`: an article that leaves the
        window as it is read never sets a story apart)."""
        head, said = _folded(headline), _folded(lede)
        heading, body = head.split(), said.split()
        vec: dict[str, Any] = {}  # word -> how often the article says it
        language = language_of(heading + body)
        if language is not None:  # one read by a reader of its own (`_READERS`)
            read_all = _READERS[language].__getitem__
            title = list(chain.from_iterable(map(read_all, heading)))
            _count_elements(vec, chain(chain.from_iterable(map(read_all, body)), title, title))
            if not with_names:
                return vec, _about(title, vec), _NO_NAMES
            names = _headline_names(head, said, title, _term_of(read_all))
            if names and language in NOUNS_CAPITALISED:
                names = CapitalisedNouns(names)
            return vec, _about(title, vec), names
        read = _TERMS.__getitem__
        title = list(map(read, heading))
        _count_elements(vec, chain(map(read, body), title, title))
        if _SEVERAL in vec:  # a chunk of several terms ("U.S.-Japan"): count term by term
            read_all = _CHUNKS.__getitem__
            title = list(chain.from_iterable(map(read_all, heading)))
            vec = {}
            _count_elements(vec, chain(chain.from_iterable(map(read_all, body)), title, title))
        else:
            vec.pop("", None)  # chunks that are no term (stop words)
        if not with_names:
            return vec, _about(title, vec), _NO_NAMES
        return vec, _about(title, vec), _headline_names(head, said, title, _TERMS.__getitem__)

    def _vector(self, item: Item) -> _Weighed:
        """The article's words weighed (headline twice, the summary's lede once; rarer words
        more) and their length, its words heaviest first (the first `KEPT` are what it is
        filed under; candidates are looked up by the heaviest that others are filed under),
        and the countries it is about."""
        vec, places, names, outlet, said = self._read(item)  # its counts, then its weights
        # (1 + log count) * log(n / (seen + 1) + 1) per word, as iterators: no bytecode per
        # word, and each logarithm looked up (`_Rarity`) rather than taken again; the counts
        # are replaced by the weights in place (the same keys: the dict is not rebuilt). n
        # and seen count the prior's ordinary articles too (`_prior`)
        if self._seen_total >= self._rarity_until:
            self._count_articles()
        vec.update(
            zip(
                vec,
                map(
                    mul,
                    map(_TF.__getitem__, vec.values()),
                    map(self._rarity.__getitem__, map(self._seen.get, vec, repeat(0))),
                ),
                strict=True,
            )
        )
        # the length is divided out when two are compared, not word by word here
        # heaviest first (equal weights keep the text's order: a stable sort); an article of
        # `PROBES` words or fewer probes with all of them, in any order
        if len(vec) > PROBES:
            heaviest: tuple[str, ...] = tuple(sorted(vec, key=vec.__getitem__, reverse=True))
        else:
            heaviest = tuple(vec)
        norm = math.hypot(*vec.values()) or 1.0
        return vec, norm, heaviest, places, outlet, said, names

    def _read(
        self, item: Item, with_names: bool = True
    ) -> tuple[dict[str, Any], Places | None, Names, str, tuple[int, ...]]:
        """`_counts` of an article, less the lede or last sentence its outlet's last articles
        said too (`_unrepeated`); its outlet ("": not known; else the one an aggregator
        credits, as one Google News feed carries many, or its feed) and its lede's hashes;
        its headline's names with `with_names` (`_counted`)."""
        readings = self._readings
        if readings is not None and item.source:  # (read ahead with the lede stripped, as
            ahead = readings.take(item)  # `_unrepeated` leaves it)
            if ahead is not None:
                credited, own, words, counts, places, names = ahead
                outlet = item.source if credited is None else credited[1]
                said_before = self._said_by(outlet, item.when)
                if not said_before or said_before.isdisjoint(own):  # (nothing said before)
                    return dict(zip(words, counts, strict=True)), places, names, outlet, own
        credited, headline, lede = _as_read(item.title, item.summary)
        outlet = ""
        said: tuple[int, ...] = ()
        if item.source:
            outlet = item.source if credited is None else credited[1]
            lede, said = _unrepeated(lede, self._said_by(outlet, item.when))
        vec, places, names = self._counted(headline, lede, with_names)
        return vec, places, names, outlet, said

    def _note_said(self, item: Item, outlet: str, said: tuple[int, ...]) -> None:
        """Keep what an article's lede said among its outlet's last `REPEATS`."""
        if outlet:
            recent = self._recently_said.setdefault(outlet, [])
            recent.append((item.when, item.id, said))
            del recent[:-REPEATS]

    def _said_by(self, outlet: str, when: float) -> frozenset[int]:
        """The hashes of the ledes, and of their last sentences, of an outlet's last `REPEATS`
        articles in the window of `when` (`_unrepeated`)."""
        recent = self._recently_said.get(outlet)
        if not recent:
            return frozenset()
        cut = when - self.window
        return frozenset(chain.from_iterable(said for then, _, said in recent if then >= cut))

    def _count_articles(self) -> None:
        """A new `_Rarity` once the articles seen reach the next count it is taken at (the
        prior's ordinary articles counted with them)."""
        total = self._seen_total + PRIOR_ARTICLES
        shift = max(0, total.bit_length() - COUNT_BITS)
        self._rarity = _Rarity(_articles_counted(total))
        self._rarity_until = (((total >> shift) + 1) << shift) - PRIOR_ARTICLES

    def _place(self, item: Item) -> str:
        weighed = self._vector(item)
        vec, norm, heaviest, places, outlet, _, names = weighed
        docs, when, window, threshold = self._docs, item.when, self.window, self.threshold
        # the similarity needed, from `close` for reports of the same moment up to
        # `threshold` for reports CLOSE_HOURS apart or more: `close + rise * apart`
        close, rise, rising = self.close, (threshold - self.close) / _CLOSE, _CLOSE
        scores: dict[str, float] = {}
        # the stories of candidates that share two words or more with it (in the order met):
        # how far in time the nearest such candidate of each is. Only those are compared as a
        # whole: a candidate found by one chance word says nothing of its story (and comparing
        # with its story as well was 6% of the grouping's work)
        nearest: dict[str, float] = {}
        has, weight_of = vec.__contains__, vec.__getitem__
        # its outlet's own reports SERIES_HOURS or more apart say nothing of its story,
        # nor does a story as a whole that holds them (`SERIES_HOURS`)
        series = _SERIES if outlet else math.inf
        columns: set[str] = set()  # the stories of those reports among its candidates
        compared = 0  # candidates compared: those reports leave their places to the next
        # reports of other outlets this near that give a rare name its headline gives too
        # ask less (`NAMED_THRESHOLD`)
        named_span = NAMED_HOURS * 3600.0 if names else -1.0
        for ident in self._candidates(heaviest):
            then, words, weights, other_norm, _, _, story, its_outlet, its_names = docs[ident]
            apart = abs(then - when)
            if apart >= series and its_outlet == outlet:
                columns.add(story)
                continue
            if compared == CANDIDATES:
                break
            compared += 1
            if apart > window:
                continue
            # the dot product over the words both have, in C
            both = list(map(has, words))
            if both.count(True) < SHARED_WORDS:
                continue
            # summed exactly rounded (fsum): the order the words are in changes with each
            # process's string hashing, and a plain sum taken in another order can round apart
            score = math.fsum(
                map(mul, map(weight_of, compress(words, both)), compress(weights, both))
            )
            if apart < nearest.get(story, math.inf):
                nearest[story] = apart
            score /= norm * other_norm  # the cosine
            needed = close + rise * apart if apart < rising else threshold
            if (
                NAMED_THRESHOLD <= score < needed
                and apart <= named_span
                and its_names
                and its_outlet != outlet
                and both.count(True) >= NAMED_WORDS
                and self._rare_name_shared(names, its_names)
            ):
                needed = NAMED_THRESHOLD
            if score >= needed and score > scores.get(story, 0.0):
                scores[story] = score
        sums = self._sums
        for story, apart in nearest.items():  # and with each of those stories as a whole
            summed = sums.get(story)
            if summed is not None and story not in columns:
                score = summed.cosine(vec, norm)
                needed = close + rise * apart if apart < rising else threshold
                if score >= needed and score > scores.get(story, 0.0):
                    scores[story] = score
        chosen = None
        if scores:
            ranked = (
                list(scores)  # one story: nothing to rank (most often)
                if len(scores) == 1
                else [sid for sid, _ in sorted(scores.items(), key=_best_then_id)]
            )
            for sid in ranked:
                if places is not None and any(
                    _conflict(places, seen) for seen in self._places.get(sid, ())
                ):
                    continue
                if names and self._apart(sid, names, vec):
                    continue
                chosen = sid
                break
        sid = chosen or story_id(item.id)
        self.story_of[item.id] = sid
        members = self.members.get(sid)
        if members is None:
            self.members[sid] = [item.id]
        else:
            members.append(item.id)
        self._remember(item, weighed, sid)
        return sid

    def _rare_name_shared(self, names: Names, others: Names) -> bool:
        """Whether two headlines give a name that at most `RARE_NAME` articles read had
        (nouns a language writes with a capital are no names here: `CapitalisedNouns`)."""
        if isinstance(names, CapitalisedNouns) or isinstance(others, CapitalisedNouns):
            return False
        seen = self._seen.get
        return any(seen(name, 0) <= RARE_NAME for name in names if name in others)

    def _apart(self, sid: str, names: Names, vec: dict[str, float]) -> bool:
        """Two events of one kind told in the same words ("earthquake", "tsunami",
        "magnitude", "prefecture"): the article's headline and the story's window articles'
        headlines give names and agree on none (none of its names, nor one alike, `_akin`,
        is said anywhere in the story, nor any of the story's in it: Iwate and Kumamoto), and
        they give measures (`_measure`) and agree on none (6.7 and 5.9). Reports of one event
        can name different details of it (the Senate and Congress, an airfield and the
        operation that struck it); they can give different measures of it too (a first
        count's 40%, the last's 43%), but seldom both: one sign alone sets nothing apart."""
        named = self._named.get(sid)
        if not named:
            return False
        summed = self._sums.get(sid)
        if summed is not None:
            said: Any = summed.weights
        else:
            lone = self._lone.get(sid)
            if lone is None:
                return False
            said = self._docs[lone][1]
        if any(map(said.__contains__, names)) or any(map(vec.__contains__, named)):
            return False
        ours = set(filter(_measure, vec))
        if not ours:
            return False
        theirs = set(filter(_measure, said))
        if not theirs or not ours.isdisjoint(theirs):
            return False
        return not _akin(names, said) and not _akin(named, vec)

    def _candidates(self, heaviest: tuple[str, ...]) -> list[str]:
        """The window articles sharing most of this one's `PROBES` heaviest words that window
        articles are filed under, most first (ties: the one met first), each probe looking among the
        `PROBE_RECENT` articles last filed under its word. Its heaviest words that none is
        filed under, or more than `PROBE_LIMIT` (too common to say which story), are passed
        over, not counted as probes: most often they are words no article had before, so a
        report told in new words would otherwise miss the story it shares its commoner words
        with."""
        postings = self._postings
        lists = (
            filed
            for filed in map(postings.get, heaviest)
            if filed is not None and len(filed) <= PROBE_LIMIT
        )
        # rarest first: of articles sharing as many probes, one met in a rarer word's list
        # first is the likelier the same story
        probes = sorted(islice(lists, PROBES), key=len)
        if not probes:
            return []
        hits: dict[str, int] = {}  # article -> how many of the probes it has
        _count_elements(hits, chain.from_iterable(map(getitem, probes, repeat(_RECENT))))
        if len(hits) <= CANDIDATES:
            return list(hits)
        # a stable sort: equal counts keep the order they were met in, as most_common does;
        # the first CANDIDATES are compared, and those after them take the places of any
        # passed over (`SERIES_HOURS`)
        return sorted(hits, key=hits.__getitem__, reverse=True)

    def _remember(self, item: Item, weighed: _Weighed, sid: str) -> None:
        """File the article: every word it has counts once more for rarity, and its kept
        words file it for candidates (each in C, without bytecode per word)."""
        ident, (vec, norm, heaviest, places, outlet, said, names) = item.id, weighed
        kept = heaviest[:KEPT]
        weights = array("d", tuple(vec.values()))  # (from a tuple: twice as quick)
        words = tuple(vec)
        self._docs[ident] = (item.when, words, weights, norm, kept, places, sid, outlet, names)
        if names:
            named = self._named.get(sid)
            if named is None:
                named = self._named[sid] = {}
            _count_elements(named, names)
        self._note_said(item, outlet, said)
        self._sum_in(ident, sid, words, weights, norm)
        if places is not None:
            self._places.setdefault(sid, set()).add(places)
        self._seen_total += 1
        _count_elements(self._seen, vec)  # its keys: every word it has
        _count_elements(self._df, kept)
        # each kept word's list gains the article (a loop of eight: mapping setdefault made a
        # list for every word only to drop most, 1.6% of the grouping's instructions)
        postings = self._postings
        for term in kept:
            filed = postings.get(term)
            if filed is None:
                postings[term] = [ident]
            else:
                filed.append(ident)
        heapq.heappush(self._by_time, (item.when, ident))

    def rename_outlets(self, names: dict[str, str]) -> None:
        """Outlets the config renamed (old -> new; two may swap, all at once): their
        articles in the window are the new names', so a column's next instalment under the
        new name is still told from a story of its own (`SERIES_HOURS`), and what it said
        still from what it says (`_unrepeated`)."""
        docs = self._docs
        for ident, doc in docs.items():
            if doc[7] in names:
                docs[ident] = (*doc[:7], names[doc[7]], doc[8])
        said = self._recently_said
        moved = {names[old]: said.pop(old) for old in list(said) if old in names}
        for new, entries in moved.items():
            merged = sorted([*said.get(new, []), *entries], key=lambda entry: entry[0])
            said[new] = merged[-REPEATS:]

    def _sum_in(
        self, ident: str, sid: str, words: tuple[str, ...], weights: array[float], norm: float
    ) -> None:
        """Add a window article to its story's sum (made when the story has a second)."""
        lone = self._lone.pop(sid, None)
        summed = self._sums.get(sid)
        if summed is None:
            if lone is None:
                self._lone[sid] = ident
                return
            summed = self._sums[sid] = _StorySum()
            _, first_words, first_weights, first_norm, _, _, _, _, _ = self._docs[lone]
            summed.add(first_words, first_weights, first_norm)
        summed.add(words, weights, norm)

    def _forget(self, ident: str, doc: _Doc) -> None:
        """Take a dropped article out of its story's sum, then out of its kept words' lists
        (`_unfile`)."""
        _, words, weights, norm, kept, _, sid, _, names = doc
        if names:
            named = self._named[sid]
            for name in names:
                left = named[name] - 1
                if left:
                    named[name] = left
                else:
                    del named[name]
            if not named:
                del self._named[sid]
        if self._lone.get(sid) == ident:
            del self._lone[sid]
        else:
            summed = self._sums.get(sid)
            if summed is not None:
                summed.take(words, weights, norm)
                if not summed.count:
                    del self._sums[sid]
        self._unfile(ident, kept)

    def _unfile(self, ident: str, kept: tuple[str, ...]) -> None:
        """Take a dropped article out of its kept words' lists (near their starts: the oldest
        leave first), so a probe's latest filings are window articles whenever it looks and
        the stories do not depend on how a cycle's articles were split. A word too common to
        probe keeps its list as it is (taking one out of a list of thousands moves them all)
        until it may probe again or half its list is gone, when the list is made anew; a word
        left with none goes."""
        postings, df = self._postings, self._df
        for term in kept:
            left = df[term] - 1
            if not left:
                del df[term], postings[term]
                continue
            df[term] = left
            filed = postings[term]
            if left > PROBE_LIMIT and len(filed) <= 2 * left:
                continue
            if len(filed) == left + 1:
                filed.remove(ident)
            else:  # the dropped article is out of `_docs` already
                postings[term] = list(filter(self._docs.__contains__, filed))

    def _expire(self, now: float) -> None:
        """Drop the vectors of articles more than the window before `now` (articles come in
        time order), so candidates are those of the window; their stories stay. An outlet
        whose last articles all left goes from `_recently_said` (at most once a window)."""
        heap, docs = self._by_time, self._docs
        cut = now - self.window
        while heap and heap[0][0] < cut:
            _, ident = heapq.heappop(heap)
            doc = docs.pop(ident, None)
            if doc is not None:
                self._forget(ident, doc)
        if cut > self._said_pruned + self.window:
            self._said_pruned = cut
            said = self._recently_said
            for outlet in [o for o, recent in said.items() if not recent or recent[-1][0] < cut]:
                del said[outlet]

    def _compact(self) -> None:
        """Keep the rarity counts bounded (words seen once are forgotten past half a million
        words)."""
        if len(self._seen) > 500_000:  # (the prior's words keep their counts)
            prior = self._prior
            self._seen = {term: n for term, n in self._seen.items() if n > 1 or term in prior}
