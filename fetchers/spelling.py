"""British and American spellings of one word, numbers written as words, and words written
closed and open ("airstrike", "air strike"), read alike.

The BBC's "Defence Secretary criticised" and AP's "Defense Secretary criticized" are one
event; so are "Quake kills nine" and "Quake kills 9". The story grouping reads a word
through `american` before it takes its ending off, so both spellings become one term. The
words are listed, not guessed by rule: "promise", "surprise" and "exercise" end in -ise in
American English too, and "controlled" and "killed" have their double l there as well.
"""

from __future__ import annotations

import re

# -ise verbs whose American form ends in -ize (their -ised, -ising, -isation alike)
_IZE = frozenset(
    """
    organis recognis criticis apologis authoris mobilis privatis stabilis destabilis emphasis
    realis prioritis normalis legalis finalis minimis maximis subsidis utilis characteris
    summaris sympathis jeopardis terroris penalis nationalis centralis decentralis capitalis
    categoris harmonis modernis specialis symbolis visualis neutralis scrutinis hospitalis
    digitis militaris demilitaris monetis equalis energis incentivis publicis fertilis colonis
    optimis patronis revolutionis industrialis urbanis immunis sterilis globalis liberalis
    rationalis standardis synchronis theoris vandalis westernis democratis polaris radicalis
    marginalis criminalis decriminalis commercialis memorialis
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_IZE_FORM = re.compile(r"^([a-z]+is)(e|es|ed|ing|ation|ations|er|ers)$")

# -our words whose American form ends in -or (their -ed, -ing, -able, -s alike)
_OR = (
    "labour",
    "favour",
    "honour",
    "neighbour",
    "colour",
    "harbour",
    "behaviour",
    "rumour",
    "endeavour",
    "vigour",
    "humour",
    "armour",
    "saviour",
    "flavour",
    "odour",
    "valour",
    "fervour",
    "splendour",
)

# verbs that double their l before -ed and -ing in British English only
_SINGLE_L = frozenset(
    """
    travel cancel label fuel model signal total level counsel channel tunnel marshal dial
    equal rival pencil quarrel jewel shovel initial
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_DOUBLE_L = re.compile(r"^([a-z]+l)l(ed|ing|er|ers)$")

_WORDS = {
    "defence": "defense",
    "defences": "defenses",
    "offence": "offense",
    "offences": "offenses",
    "licence": "license",
    "licences": "licenses",
    "pretence": "pretense",
    "centre": "center",
    "centres": "centers",
    "metre": "meter",
    "metres": "meters",
    "kilometre": "kilometer",
    "kilometres": "kilometers",
    "theatre": "theater",
    "theatres": "theaters",
    "fibre": "fiber",
    "litre": "liter",
    "litres": "liters",
    "programme": "program",
    "programmes": "programs",
    "catalogue": "catalog",
    "analyse": "analyze",
    "analysed": "analyzed",
    "analysing": "analyzing",
    "paralyse": "paralyze",
    "paralysed": "paralyzed",
    "tyre": "tire",
    "tyres": "tires",
    "grey": "gray",
    "cheque": "check",
    "cheques": "checks",
    "jewellery": "jewelry",
    "aluminium": "aluminum",
    "manoeuvre": "maneuver",
    "manoeuvres": "maneuvers",
    "sceptic": "skeptic",
    "sceptical": "skeptical",
    "ageing": "aging",
    "judgement": "judgment",
    "fulfil": "fulfill",
    "enrol": "enroll",
    "mould": "mold",
    "plough": "plow",
}

# Words one outlet writes closed and another open or hyphenated ("airstrike", "air strike",
# "air-strike"; "shutdown", "shuts down"), each as its two parts, as the open form reads:
# "Israeli airstrike kills 20" meets "Israeli air strike kills 20" and "Israeli strike kills
# 20", "Government shutdown begins" meets "US government shuts down" ("re", "down", "off"
# and "out" are no words: "reelected" reads as "elected", "re-elected" does)
_COMPOUNDS = {
    word.replace("|", ""): tuple(word.split("|"))
    for word in """
    air|strike cyber|attack heat|wave health|care policy|maker front|line cease|fire wild|fire
    shut|down lock|down crack|down lay|off walk|out bail|out re|elect re|elected re|election
    re|electing
    """.split()  # noqa: SIM905 - a word list reads better as words
}
_SHORTEST_COMPOUND = min(map(len, _COMPOUNDS))  # letters: a shorter word is none


def compound(word: str) -> tuple[str, ...] | None:
    """A word written closed that others write open, in any case, as its parts, a plural's
    as the singular's ("Airstrikes" -> "air", "strike"); None for any other (a word too
    short to be one is not lower-cased: most words a grouping reads are asked once each)."""
    if len(word) < _SHORTEST_COMPOUND:
        return None
    word = word.lower()
    parts = _COMPOUNDS.get(word)
    if parts is None and word[-1:] == "s":
        return _COMPOUNDS.get(word[:-1])
    return parts


# numbers written as words, as their digits ("one" is no number as often: "one of")
NUMBERS = {
    "two": "2",
    "three": "3",
    "four": "4",
    "five": "5",
    "six": "6",
    "seven": "7",
    "eight": "8",
    "nine": "9",
    "ten": "10",
    "eleven": "11",
    "twelve": "12",
}


def american(word: str) -> str:
    """A lower-case word as American English spells it ("defence" -> "defense", "criticised"
    -> "criticized", "labour" -> "labor", "travelled" -> "traveled"); any other as it is."""
    known = _WORDS.get(word)
    if known is not None:
        return known
    if "is" in word and (form := _IZE_FORM.match(word)) and form.group(1) in _IZE:
        return form.group(1)[:-1] + "z" + form.group(2)
    if "our" in word:
        for base in _OR:
            if word.startswith(base):
                return base[:-2] + "r" + word[len(base) :]
    if "ll" in word and (double := _DOUBLE_L.match(word)) and double.group(1) in _SINGLE_L:
        return double.group(1) + double.group(2)
    return word
