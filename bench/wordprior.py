"""Make `fetchers/data/word_prior.tsv`: of `PRIOR_ARTICLES` ordinary articles, how many would
have each word, as the story grouping reads words.

The grouping weighs a word by how rare it is among the articles it has seen. A desk's first
hours hold a few dozen articles, in which "minister" is as rare as "Louvre" and the words of
the one event five outlets report look common. The prior is counted as that many articles
read before the first, so rarity starts from the counts of ordinary text, and a window of
thousands of real articles soon outweighs it. English, Korean, Japanese and Chinese are
read down to words in one article of a thousand; other languages' commonest words (their
function words: "de", "und", "и") down to one in a hundred, so a desk reading them does not
take them for rare.

The frequencies are wordfreq's (Robyn Speer and others, https://github.com/rspeer/wordfreq;
its data is CC BY-SA 4.0, and so is the table made from it). Run it again whenever the way
the grouping reads words changes (`fetchers.stories.terms`):

    pip install wordfreq && python bench/wordprior.py
"""

from __future__ import annotations

import math
import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fetchers.stories import PRIOR_ARTICLES, PRIOR_FILE, terms  # noqa: E402

# language -> the fewest of PRIOR_ARTICLES articles a word of it must be in to be listed
LANGUAGES = {"en": 1, "ko": 1, "ja": 1, "zh": 1}
ARTICLE_WORDS = 50  # words in a headline and its summary's lede: what one article is read as


def articles_with(share: float) -> float:
    """Of PRIOR_ARTICLES articles of ARTICLE_WORDS words, how many have a word that is this
    share of the words of text: 1 - e^(-share * words) of them."""
    return PRIOR_ARTICLES * -math.expm1(-share * ARTICLE_WORDS)


def main() -> int:
    import wordfreq  # type: ignore[import-not-found]

    frequency: dict[str, float] = {}  # term -> its share of the words of text, in any language
    for language, fewest in LANGUAGES.items():
        # the rarest share listed, and a word a quarter of it (its term may gather others)
        rarest = -math.log1p(-(fewest - 0.5) / PRIOR_ARTICLES) / ARTICLE_WORDS
        share: dict[str, float] = {}
        for word, part in wordfreq.get_frequency_dict(language, "best").items():
            if part >= rarest / 4:
                for term in terms(word):
                    share[term] = share.get(term, 0.0) + part
        for term, part in share.items():  # languages share words and characters: the commoner
            if part >= rarest and part > frequency.get(term, 0.0):
                frequency[term] = part
    counts = {term: round(articles_with(part)) for term, part in frequency.items()}
    kept = sorted(
        ((n, t) for t, n in counts.items() if n >= 1 and "\t" not in t and "\n" not in t),
        key=lambda pair: (-pair[0], pair[1]),
    )
    lines = [
        f"# of {PRIOR_ARTICLES} ordinary articles, how many have each word (bench/wordprior.py)",
        f"# from wordfreq {version('wordfreq')} (CC BY-SA 4.0): {' '.join(LANGUAGES)}",
        *(f"{term}\t{n}" for n, term in kept),
    ]
    PRIOR_FILE.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(kept)} words written to {PRIOR_FILE.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
