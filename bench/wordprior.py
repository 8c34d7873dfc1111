"""Make `fetchers/data/word_prior.tsv`: of `PRIOR_ARTICLES` ordinary articles, how many would
have each word, as the story grouping reads words.

The grouping weighs a word by how rare it is among the articles it has seen. A desk's first
hours hold a few dozen articles, in which "minister" is as rare as "Louvre" and the words of
the one event five outlets report look common. The prior is counted as that many articles
read before the first, so rarity starts from the counts of ordinary text, and a window of
thousands of real articles soon outweighs it. English, Korean, Japanese and Chinese are read
down to words in one article of a thousand; a term two of them share (a character of
Chinese and Japanese, a country) takes the commoner language's share: "@china" is as common
as Chinese text makes it. French, German, Spanish, Italian, Portuguese, Dutch, Russian and
Ukrainian add only the terms English text never uses (wordfreq knows no English frequency
for them: "Bundesregierung", "elezioni", "Путин"). wordfreq's English counts the odd foreign
word English web text carries, however rarely ("gouvernement", "gobierno", and the commonest
Russian words, at one in a hundred million words), so those are left out too. A term English
uses keeps English's count, or none: "die" and "con" are not as common as German and
Spanish make them, and "macron" and "louvre", common in French text, stay as rare as
English text makes them.

Numbers of two digits or more are left out: wordfreq writes their digits as 0s ("2025" is
"0000"), so its counts are of no number an article says. Single digits are their own.

The frequencies are wordfreq's (Robyn Speer, https://github.com/rspeer/wordfreq); its data is
CC BY-SA 4.0, and so is the table made from it (its header says so, with the credits
wordfreq asks for). Run it again whenever the way the grouping reads words changes
(`fetchers.stories.terms`):

    pip install wordfreq && python bench/wordprior.py
"""

from __future__ import annotations

import math
import re
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fetchers.stories import PRIOR_ARTICLES, PRIOR_FILE, terms  # noqa: E402

# language -> the fewest of PRIOR_ARTICLES articles a word of it must be in to be listed
LANGUAGES = {"en": 1, "ko": 1, "ja": 1, "zh": 1}
# languages whose terms are listed only when English text never uses them (above)
ENGLISH_NEVER = ("fr", "de", "es", "it", "pt", "nl", "ru", "uk")
SMASHED = re.compile(r"\d[.,]?\d")  # wordfreq's numbers of several digits, written as 0s
ARTICLE_WORDS = 50  # words in a headline and its summary's lede: what one article is read as


def articles_with(share: float) -> float:
    """Of PRIOR_ARTICLES articles of ARTICLE_WORDS words, how many have a word that is this
    share of the words of text: 1 - e^(-share * words) of them."""
    return PRIOR_ARTICLES * -math.expm1(-share * ARTICLE_WORDS)


def shares(language: str, fewest: int = 1) -> dict[str, float]:
    """Each term of a language's words in at least `fewest` of PRIOR_ARTICLES articles, and
    its share of the words of that language's text."""
    import wordfreq  # type: ignore[import-not-found]

    # the rarest share listed, and a word a quarter of it (its term may gather others)
    rarest = -math.log1p(-(fewest - 0.5) / PRIOR_ARTICLES) / ARTICLE_WORDS
    share: dict[str, float] = {}
    for word, part in wordfreq.get_frequency_dict(language, "best").items():
        if part >= rarest / 4 and not SMASHED.search(word):
            for term in terms(word):
                share[term] = share.get(term, 0.0) + part
    return {term: part for term, part in share.items() if part >= rarest}


def english_terms() -> set[str]:
    """Every term of every word wordfreq knows English text to use, however rarely."""
    import wordfreq

    return {term for word in wordfreq.get_frequency_dict("en", "best") for term in terms(word)}


def main() -> int:
    frequency: dict[str, float] = {}  # term -> its share of the words of text, in any language
    for language, fewest in LANGUAGES.items():
        for term, part in shares(language, fewest).items():
            if part > frequency.get(term, 0.0):  # languages share words and characters
                frequency[term] = part
    english = english_terms()
    others: dict[str, float] = {}
    for language in ENGLISH_NEVER:
        for term, part in shares(language).items():
            if term not in english and term not in frequency and part > others.get(term, 0.0):
                others[term] = part
    frequency.update(others)
    counts = {term: round(articles_with(part)) for term, part in frequency.items()}
    kept = sorted(
        ((n, t) for t, n in counts.items() if n >= 1 and "\t" not in t and "\n" not in t),
        key=lambda pair: (-pair[0], pair[1]),
    )
    lines = [
        f"# Of {PRIOR_ARTICLES} ordinary articles, how many have each word, as wirewatch's story",
        "# grouping reads words (bench/wordprior.py). Made from the word frequencies of",
        f"# wordfreq {version('wordfreq')} by Robyn Speer (https://github.com/rspeer/wordfreq),",
        f"# languages {' '.join(LANGUAGES)} (and {' '.join(ENGLISH_NEVER)} where English uses",
        "# no such word), changed: words read as terms, shares made article counts.",
        "# Licensed CC BY-SA 4.0 (https://creativecommons.org/licenses/by-sa/4.0/), as",
        "# wordfreq's data is. That data credits: Google Books Ngrams",
        "# (http://books.google.com/ngrams); the Leeds Internet Corpus (University of Leeds",
        "# Centre for Translation Studies); Wikipedia; ParaCrawl; OPUS OpenSubtitles 2018, from",
        "# the OpenSubtitles project (http://www.opensubtitles.org/); SUBTLEX-US, SUBTLEX-UK,",
        "# SUBTLEX-CH, SUBTLEX-DE and SUBTLEX-NL by Marc Brysbaert et al., freely available at",
        "# http://crr.ugent.be/programs-data/subtitle-frequencies; and statistics of words",
        "# common on Twitter.",
        *(f"{term}\t{n}" for n, term in kept),
    ]
    PRIOR_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(kept)} words written to {PRIOR_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
