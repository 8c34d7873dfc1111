"""French, Spanish, Italian, Portuguese, German and Dutch words as the story grouping reads them.

Read as English is, an article in one of these languages kept its own commonest words as
words ("die", "den", "un", "pour", "van", "met": English writes them too, so they are no
stop words of every article), weighed its numbers written as words ("drei", "trois") as
rare as a name, and met a word in another form seldom (English's endings are not theirs:
"Anschläge" and "Anschlag", "dérober" and "dérobés", "eleições" and "eleição" stayed apart).
An article whose headline and lede say two or more different words of a language's
commonest ("und", "nicht"; "les", "dans"; "los", "del"; "della", "nel"; "não", "pelo";
"het", "niet"), more of them than of another's here and than of English's ("the", "of"),
one of them a word English never writes (a name's "von der", "Le" or "Los" not counted),
is read in that language (`language_of`): its commonest words are no words,
its numbers up to twelve written as words are the numbers (as "three" is "3"), and a word is
read without its letters' marks and with a light stem of its language: the endings of
number and gender, and of an infinitive or a past participle, go (after Savoy's light
stemmers, "Light stemming approaches for the French, Portuguese, German and Hungarian
languages", and Lucene's light stemmers of Spanish and Italian). No dictionary is read:
a word that merely ends as an ending does loses it wherever it is written, alike in every
article of the language. Numbers and countries are read as in every language (the reading
the caller gives), so a French report shares them with an English one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from itertools import islice

# Each language's commonest words, as written: not words when an article is in it. Its
# articles, pronouns, prepositions, conjunctions, auxiliaries and their forms, the words of
# saying, and those of time English's own stop words hold ("today", "year", "Monday"); a
# letter an apostrophe parts from a word ("l'", "dell'") too
_COMMONEST = {
    "fr": """
        nouveau nouvel nouvelle nouveaux nouvelles jour jours maintenant quelques également
        le la les l un une des du de d au aux et ou où dans par sur avec sans sous chez
        entre contre vers pour après avant depuis pendant selon dès lors ce cet cette ces c
        ça ceci cela sa son ses leur leurs notre nos votre vos mon ma mes ton ta tes qui que
        qu quoi dont il elle ils elles on nous vous je j me m te t se s lui leur y en ne n
        pas plus moins est sont été être était étaient sera seront serait ont a as avait
        avaient aura ai avons avez fait faire font aussi très tout tous toute toutes comme
        mais donc or ni car si ainsi déjà encore même mêmes autre autres quand lorsqu
        lorsque puisqu puisque jusqu jusque alors cependant toutefois non oui peu bien dit
        déclaré affirmé indiqué hier aujourd hui an ans année années lundi
        mardi mercredi jeudi vendredi samedi dimanche semaine mois quel quelle quels quelles
        chaque plusieurs tandis fois là ici
        """,
    "es": """
        nuevo nueva nuevos nuevas día días ahora aún todavía menos algunos algunas dice
        afirma el la los las lo un una unos unas uno de del al a en con por para sobre hasta
        desde tras ante bajo entre contra sin según durante mediante y e o u ni que qué
        quien quién quienes cual cuales cuál como cómo cuando donde dónde su sus se le les
        me te nos os mi mis tu tus él ella ellos ellas esto este esta estos estas ese esa
        eso esos esas aquel es son fue fueron era eran ser sido será serán sería ha han
        había habían haber hay he hemos está están estaba estaban estar estado tiene tienen
        tenía tuvo no sí más muy también ya pero sino aunque porque pues todo todos toda
        todas otro otra otros otras mismo misma cada tan tanto dijo afirmó aseguró señaló
        explicó hoy ayer año años lunes martes miércoles jueves viernes sábado domingo
        semana mes meses además así luego solo sólo
        """,
    "it": """
        nuovo nuova nuovi nuove giorno giorni ora qui qua contro durante alcuni alcune dice
        afferma il lo la i gli le l un uno una un' di del dello della dei degli delle dell a
        al allo alla ai agli alle all da dal dallo dalla dai dagli dalle dall in nel nello
        nella nei negli nelle nell su sul sullo sulla sui sugli sulle sull con per tra fra e
        ed o od ma però che chi cui non né se si ci vi ne mi ti lo suo sua suoi sue loro
        questo questa questi queste quello quella quelli quelle quell è sono era erano
        essere stato stata stati state sarà ha hanno aveva avevano avere ho abbiamo anche
        più meno molto già ancora come dove quando mentre dopo prima oggi ieri anno anni
        lunedì martedì mercoledì giovedì venerdì sabato domenica settimana mese mesi detto
        ha dichiarato tutto tutti tutta tutte ogni altro altra altri altre così solo poi
        """,
    "pt": """
        novo nova novos novas dia dias agora depois alguns algumas afirma o a os as um uma
        uns umas de do da dos das em no na nos nas ao aos à às pelo pela pelos pelas por
        para com sem sob sobre entre até desde após contra e ou nem mas que quem qual quais
        como quando onde se seu sua seus suas ele ela eles elas lhe lhes isso isto este esta
        estes estas esse essa esses essas aquele aquela é são foi foram era eram ser sido
        será serão seria ter tem têm tinha teve há havia está estão estava estar não sim
        mais muito também já ainda todo todos toda todas outro outra outros outras mesmo
        mesma cada diz disse afirmou declarou hoje ontem ano anos segunda terça quarta
        quinta sexta sábado domingo feira semana mês meses pouco vez vezes apenas
        """,
    "de": """
        tag tage tagen nun weiter weitere weiteren mindestens viel viele vielen beide beiden
        einige einigen meisten während erklärt zurück der die das den dem des ein eine einer
        eines einem einen und oder aber sondern denn mit von vom zu zum zur im in ins an am
        auf aus bei beim nach für über unter vor seit gegen ohne durch um bis ab ist sind
        war waren wird werden wurde wurden worden sein gewesen hat haben hatte hatten habe
        sich nicht auch noch nur schon sehr wie als wenn dass daß es er sie wir ihr ihm ihn
        ihre ihren ihrem ihrer ihres sein seine seinen seiner seinem seines mehr kein keine
        keinen keiner alle allen aller diese dieser dieses diesem diesen jetzt heute gestern
        doch wieder bereits soll sollen sollte kann können konnte muss müssen musste will
        wollen man so da dabei damit dazu davon dort hier was wer wo etwa rund laut sagte
        sagt erklärte jahr jahre jahren montag dienstag mittwoch donnerstag freitag samstag
        sonntag woche monat ob weil zwischen neue neuen neuer neues
        """,
    "nl": """
        nieuw nieuwe dag dagen alle tussen enkele sommige meest af mee toe terug verklaart
        de het een van en in op te voor aan bij naar uit met door over onder tegen tot om
        als dan of maar want dat die dit deze wat wie waar is zijn was waren wordt worden
        werd werden geworden heeft hebben had hadden zal zullen zou zouden kan kunnen kon
        moet moeten niet geen ook nog al wel er hij zij ze haar hem hun hen zich wij we jij
        je u ik mijn zijn onze jullie meer veel zeer heel nu vandaag gisteren jaar jaren
        maandag dinsdag woensdag donderdag vrijdag zaterdag zondag week maand zegt zei
        volgens na sinds tijdens
        """,
}

# Numbers up to twelve written as words, as numbers: "drei Tote", "3 Tote" and "three dead"
# say one count ("un", "ein", "one" are everyone's article, not a count)
_NUMBERS = {
    "fr": "deux trois quatre cinq six sept huit neuf dix onze douze",
    "es": "dos tres cuatro cinco seis siete ocho nueve diez once doce",
    "it": "due tre quattro cinque sei sette otto nove dieci undici dodici",
    "pt": "dois três quatro cinco seis sete oito nove dez onze doze",
    "de": "zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "nl": "twee drie vier vijf zes zeven acht negen tien elf twaalf",
}
# ("duas", Portuguese's feminine two)
_COUNTS = {
    code: {word: str(count) for count, word in enumerate(words.split(), start=2)}
    for code, words in _NUMBERS.items()
}
_COUNTS["pt"]["duas"] = "2"

# commonest words English writes as words of its own: no sign of the language ("on", "is",
# "in", "so", "was"), or one only beside a sign that English never writes ("die", "war",
# "hat", "van", "son", "con", "pour" are German's, Dutch's, French's, Spanish's words
# English writes as words or names: "Die Polizei hat" is German, "Die Hard" is not)
_ENGLISH_ALSO = frozenset(
    """
    on or as an am in is it me we he us no do to at be by of a i o e u so was will also
    man ate bin
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_ENGLISH_TOO = frozenset(
    """
    die war den van met hat son era sin con un ai han ma su na via per pre pour come dove
    ben note tale sole lo os ole mi nu ne se si te tu ta ton ed od dat mens sea mesa ante
    solo sun mis sine vier ter sem tem ora ha ho hier eh non dan ik bis sue sim tan tes sob
    hem hen wat wo ja ca ti vi om op ob im kan hun tot want car plus par sans mon mes prima
    poi aus fur uber ins hui hay ya deja sao são door heel allen ci state font chi
    """.split()  # noqa: SIM905 - a word list reads better as words
)


# what names write before a name, in English text too ("von der Leyen", "Le Pen", "Los
# Angeles", "Las Vegas", "El Salvador", "Van der Plas"): before a capitalized word (or
# before another of these that is), no sign of a language
_PARTICLES = frozenset(
    """
    von vom zu zum zur der den van ter ten de du des la le les del della di da dos das do el
    al los las san santa
    """.split()  # noqa: SIM905 - a word list reads better as words
)


def _unmarked(word: str) -> str:
    """A lower-case word without its letters' marks ("é", "ü", "ç"), and "ß" as "ss"; a word
    with a letter of another alphabet kept as it is."""
    word = word.replace("ß", "ss")
    bare = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return bare if bare.isascii() else word


_STOP = {
    code: frozenset(map(_unmarked, words.split())) | frozenset(words.split())
    for code, words in _COMMONEST.items()
}


# The endings of a Spanish, Italian or Portuguese infinitive, past participle and gerund
# (and a Spanish plural past) left once a word's gender and number are gone, as English's
# "-ed" and "-ing" go (`fetchers.stories._stem`): "condenado", "condenó" and "condenar" are
# "conden", "arrestato" and "arresto" "arrest"; a stem keeps five letters ("partido" is no
# "parte")
_VERB_ENDINGS = {
    "es": ("ieron", "aron", "iend", "and", "ad", "id", "ar", "er", "ir"),
    "it": ("and", "end", "at", "it", "ut", "ar", "er", "ir"),
    "pt": ("and", "end", "ad", "id", "ar", "er", "ir"),
}
_VERB_STEM = 5


def _unverbed(stem: str, endings: tuple[str, ...]) -> str:
    """A stem without the first of a verb's `endings` that leaves `_VERB_STEM` letters."""
    for ending in endings:
        if stem.endswith(ending) and len(stem) - len(ending) >= _VERB_STEM:
            return stem[: -len(ending)]
    return stem


def _french(word: str) -> str:
    """A French word without its plural ("-s", "-x"; "-aux" is "-al"), its feminine and
    participle "-e"s ("dérobées" is "derob"), an infinitive's "-er" ("dérober") and the
    double consonant a feminine writes ("ancienne", "nouvelle")."""
    if len(word) > 5 and word.endswith("aux"):
        word = word[:-3] + "al"
    elif len(word) > 3 and word[-1] in "sx":
        word = word[:-1]
    while len(word) > 3 and word[-1] == "e":
        word = word[:-1]
    if len(word) >= 5 and word.endswith("er"):
        word = word[:-2]
    if len(word) > 4 and word[-1] == word[-2] and word[-1] in "nlt":
        word = word[:-1]
    return word


def _spanish(word: str) -> str:
    """A Spanish word without its plural and gender ("muertos", "muerta" are "muert";
    "-ces" is "-z": "veces", "vez"), as Lucene's light stemmer of Spanish reads it, then
    without a verb's ending (`_unverbed`)."""
    if len(word) < 4:
        return word
    last = word[-1]
    if last in "oae":
        word = word[:-1]
    elif last == "s" and len(word) >= 5:
        if word.endswith("ces"):
            return word[:-3] + "z"
        if word[-2] in "oae":
            word = word[:-2]
    return _unverbed(word, _VERB_ENDINGS["es"])


def _italian(word: str) -> str:
    """An Italian word without its plural and gender ("dimissioni", "dimissione";
    "ministri", "ministro"), as Lucene's light stemmer of Italian reads it, then without a
    verb's ending (`_unverbed`)."""
    if len(word) < 5:
        return word
    last, before = word[-1], word[-2]
    if last == "e" or last == "i":
        word = word[:-2] if before in "ih" else word[:-1]
    elif last == "a" or last == "o":
        word = word[:-2] if before == "i" else word[:-1]
    return _unverbed(word, _VERB_ENDINGS["it"])


# Portuguese plurals written with their marks, before they are read without them
_PT_NASAL = re.compile("(?:ões|ães|ãos)$")


def _portuguese(written: str) -> str:
    """A Portuguese word (as written, lower-case) without its plural ("-ões" is "-ão":
    "eleições", "eleição"; "-ais" "-al", "-ns" "-m"), its final vowel of gender ("eleito",
    "eleita"), and the "-ou", "-eu", "-iu" a verb's past writes ("derrotou", "derrota"),
    or a verb's other ending (`_unverbed`)."""
    word = _unmarked(_PT_NASAL.sub("ão", written))
    if len(word) < 4:
        return word
    if word.endswith("ais") and len(word) > 5:
        word = word[:-2] + "l"
    elif word.endswith("ns"):
        word = word[:-2] + "m"
    elif word[-1] == "s" and len(word) >= 5:
        word = word[:-2] if word[-2] == "e" and word[-3] in "rzl" else word[:-1]
    if len(word) >= 6 and word.endswith(("ou", "eu", "iu")):
        return word[:-2]
    if len(word) >= 4 and word[-1] in "aoe":
        word = word[:-1]
    return _unverbed(word, _VERB_ENDINGS["pt"])


# the letters before which German writes an "-s" ending or an "-st" (Savoy's light stemmer)
_ST_ENDING = frozenset("bdfghklmnt")


def _german(word: str) -> str:
    """A German word (its umlauts read as their vowels) without its endings of case,
    number and gender, as Savoy's light stemmer of German reads it ("Anschläge" and
    "Anschlag", "Toten" and "Tote", "Magdeburger" and "Magdeburg")."""
    size = len(word)
    if size > 5 and word.endswith("ern"):
        size -= 3
    elif size > 4 and word.endswith(("em", "en", "er", "es")):
        size -= 2
    elif size > 3 and word[-1] == "e" or size > 3 and word[-1] == "s" and word[-2] in _ST_ENDING:
        size -= 1
    word = word[:size]
    if size > 5 and word.endswith("est"):
        return word[:-3]
    if size > 4 and word.endswith(("er", "en")):
        return word[:-2]
    if size > 4 and word.endswith("st") and word[-3] in _ST_ENDING:
        return word[:-2]
    return word


def _dutch(word: str) -> str:
    """A Dutch word without its plural ("-en", "-s": "provincies" and "provincie") or
    inflected "-e", and the double consonant a plural writes ("verkiezingen" and
    "verkiezing", "plannen" and "plan")."""
    if len(word) >= 5 and word.endswith("en"):
        word = word[:-2]
        if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiou":
            word = word[:-1]
        return word
    if len(word) >= 4 and word[-1] == "s" and word[-2] not in "aiousj":
        word = word[:-1]
    if len(word) >= 4 and word[-1] == "e":
        word = word[:-1]
    return word


# each language's stem of a word lower-cased and read without its marks (Portuguese's: as
# written, its nasal plural read first)
_STEMMERS: dict[str, Callable[[str], str]] = {
    "fr": _french,
    "es": _spanish,
    "it": _italian,
    "de": _german,
    "nl": _dutch,
}


class Reader(dict[str, tuple[str, ...]]):
    """A run of text between spaces -> its terms in one language, learnt on first sight.
    `word`: what a word is (the grouping's own pattern); `general`: a word's terms as any
    article reads them (numbers, and the countries they name)."""

    def __init__(
        self, code: str, word: re.Pattern[str], general: Callable[[str], tuple[str, ...]]
    ) -> None:
        super().__init__()
        self.code = code
        self._stop = _STOP[code]
        self._counts = _COUNTS[code]
        self._stemmer = _STEMMERS.get(code)
        self._word = word
        self._general = general

    def stem(self, lowered: str) -> str:
        """A lower-case word's light stem in the language, read without its marks."""
        if self._stemmer is None:  # Portuguese: its marks say its plural
            return _portuguese(lowered)
        return self._stemmer(_unmarked(lowered))

    def __missing__(self, chunk: str) -> tuple[str, ...]:
        found: list[str] = []
        for word in self._word.findall(chunk):
            if word[0].isdigit() or word[0] == "$":
                found.extend(self._general(word))
                continue
            lowered = word.lower()
            if len(lowered) < 2 or lowered in self._stop:
                continue
            count = self._counts.get(lowered)
            if count is not None:
                found.append(count)
                continue
            general = self._general(word)
            if general and general[0][0] == "@":  # a country, as every language names it
                found.extend(general)
                continue
            stem = self.stem(lowered)
            if len(stem) >= 2 and stem not in self._stop:
                found.append(stem)
        terms = tuple(found)
        if len(self) >= 200_000:  # bounded: feeds can invent words without end
            self.clear()
        self[chunk] = terms
        return terms


def markers(english: frozenset[str]) -> dict[str, tuple[bool, tuple[str, ...]]]:
    """Each word that says its language, as written and capitalized -> whether it says so
    alone (English never writes it: `_ENGLISH_TOO`), and the languages here whose commonest
    words it is ("del" Spanish's and Italian's); none of English's stop words (`english`)
    nor the words it writes as often (`_ENGLISH_ALSO`)."""
    written: dict[str, set[str]] = {}
    for code, words in _COMMONEST.items():
        for word in words.split():
            written.setdefault(word, set()).add(code)
            written.setdefault(_unmarked(word), set()).add(code)
    out: dict[str, tuple[bool, tuple[str, ...]]] = {}
    for word, codes in written.items():
        # (a letter an apostrophe parts, "l'", "d'", stays on its word in a chunk: alone it
        # is English's "N Korea", "S Korea", which read as French)
        if len(word) > 1 and word not in english and word not in _ENGLISH_ALSO:
            said = (word not in _ENGLISH_TOO, tuple(sorted(codes)))
            out[word] = out[word.capitalize()] = said
    return out


def english_words(english: frozenset[str]) -> frozenset[str]:
    """Of English's stop words, those none of these languages writes ("the", "of", "and",
    "with"): what says an article is English, as written and capitalized."""
    written = {_unmarked(word) for words in _COMMONEST.values() for word in words.split()}
    own = {word for word in english if len(word) > 1 and word not in written}
    return frozenset(own | {word.capitalize() for word in own})


def _before_name(chunks: list[str], at: int) -> bool:
    """Whether the chunk at `at` is a name's particle (`_PARTICLES`): the next chunk that is
    not one is capitalized ("von der Leyen", "Los Angeles")."""
    if chunks[at].lower() not in _PARTICLES:
        return False
    for chunk in islice(chunks, at + 1, None):
        if chunk.lower() not in _PARTICLES:
            return chunk[:1].isupper()
    return False


def language_of(
    chunks: list[str], marking: dict[str, tuple[bool, tuple[str, ...]]], english: frozenset[str]
) -> str | None:
    """The language here that a headline and lede (their runs of text between spaces) are
    in: the one of whose commonest words (`markers`) they say the most different ones, two
    or more, more than of any other here ("del", "con" and "el" are Spanish rather than
    Italian) and more than English's own (`english_words`), one of them a word English
    never writes, and a name's particles before it not counted (`_before_name`). None for
    any other."""
    if marking.keys().isdisjoint(chunks):  # (most articles say none: told in one pass in C)
        return None
    said = {
        chunk.lower()
        for at, chunk in enumerate(chunks)
        if chunk in marking and not _before_name(chunks, at)
    }
    if len(said) < 2 or not any(marking[word][0] for word in said):
        return None
    counted: dict[str, int] = {}
    for word in said:
        for code in marking[word][1]:
            counted[code] = counted.get(code, 0) + 1
    ranked = sorted(counted.values(), reverse=True)
    most = ranked[0]
    if most < 2 or (len(ranked) > 1 and ranked[1] == most):
        return None
    code = next(code for code, count in counted.items() if count == most)
    if english.isdisjoint(chunks):
        return code
    english_said = {word.lower() for word in filter(english.__contains__, chunks)}
    return code if len(english_said) < most else None


def readers(word: re.Pattern[str], general: Callable[[str], tuple[str, ...]]) -> dict[str, Reader]:
    """A reader for each language read here, by its code."""
    return {code: Reader(code, word, general) for code in _COMMONEST}
