"""Stories: articles of one event across outlets, grouped as they arrive.

Each article becomes a weighted bag of words (its headline counted twice, words cut to a
rough stem, place names folded to their country, numbers kept whole) weighted by how rare
each word is among the articles seen so far. A new article joins the story of the most
similar article within `WINDOW` of it when their cosine similarity reaches `THRESHOLD` and
no article of that story names different countries (each naming one the other does not:
US–Korea talks are not US–Japan talks); otherwise it starts a story. Candidates come from an
inverted index of each article's rarest words, so the cost per article does not grow with the store.

The grouping is deterministic: articles of one batch are taken in time order (then by id),
and a story's id is derived from the article that started it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WINDOW = 72 * 3600.0  # seconds: a story's articles are at most this far from a neighbour
THRESHOLD = 0.30  # cosine similarity to join a story (see README, "Stories")
TITLE_WEIGHT = 2.0  # a headline word counts as much as two summary words
PROBES = 6  # the rarest words of an article that look up candidates
CANDIDATES = 8  # how many candidates are scored in full
PROBE_LIMIT = 400  # a word in more articles than this finds no candidates (too common)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours said says say new news one two three first after amid
    over says just still day week year years monday tuesday wednesday thursday friday
    saturday sunday today yesterday
    """.split()  # noqa: SIM905 - a word list reads better as words
)

# Countries and the names that stand for them in headlines (people, capitals, demonyms).
# Two articles that each name a country the other does not are about different events.
PLACES: dict[str, str] = {}
for _country, _names in {
    "usa": "usa america american americans washington",
    "korea": "korea korean koreans seoul",
    "northkorea": "northkorea northkorean pyongyang",
    "japan": "japan japanese tokyo",
    "china": "china chinese beijing",
    "taiwan": "taiwan taiwanese taipei",
    "eu": "eu european europe brussels",
    "uk": "uk britain british",
    "russia": "russia russian russians moscow kremlin",
    "ukraine": "ukraine ukrainian kyiv",
    "india": "india indian",
    "pakistan": "pakistan pakistani",
    "afghanistan": "afghanistan afghan",
    "iran": "iran iranian tehran",
    "israel": "israel israeli",
    "syria": "syria syrian damascus",
    "turkey": "turkey turkish ankara",
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
}.items():
    for _name in _names.split():
        PLACES[_name] = _country

# Written forms folded before lower-casing: "U.S." and "US" are a country, "us" is not.
_FOLDS = (
    (re.compile(r"\bU\.S\.(?:A\.)?|\bUS\b|\bUSA\b|\bUnited States\b"), " usa "),
    (re.compile(r"\bU\.K\.|\bUK\b|\bUnited Kingdom\b"), " uk "),
    (re.compile(r"\bE\.U\.|\bEU\b|\bEuropean Union\b"), " eu "),
    (re.compile(r"\bNorth Korean?s?\b|\bN\. Korean?\b|\bDPRK\b"), " northkorea "),
    (re.compile(r"\bSouth Korean?s?\b|\bS\. Korean?\b|\bROK\b"), " korea "),
    (re.compile(r"\bSouth Africa\b"), " southafrica "),
    (re.compile(r"(\d)\s*(?:percent|per cent|pct)\b", re.IGNORECASE), r"\1%"),
)
_WORD = re.compile(r"\$?\d[\d,]*(?:\.\d+)?%?|[^\W\d_]+", re.UNICODE)


def _stem(word: str) -> str:
    """A rough stem, enough to meet "tariffs"/"tariff" and "declared"/"declares"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


_STEMS: dict[str, str] = {}


def terms(text: str) -> list[str]:
    """The words of a headline or summary as the grouping compares them: stop words out,
    countries folded ("@korea"), numbers kept ("7.5", "$350", "15%")."""
    for pattern, replacement in _FOLDS:
        text = pattern.sub(replacement, text)
    out: list[str] = []
    stems = _STEMS
    for word in _WORD.findall(text.lower()):
        stem = stems.get(word)
        if stem is None:
            if word[0].isdigit() or word[0] == "$":
                stem = word.replace(",", "").lstrip("$")
            elif word in STOPWORDS or len(word) < 2:
                stem = ""
            elif word in PLACES:
                stem = "@" + PLACES[word]
            else:
                stem = _stem(word)
            if len(stems) < 500_000:
                stems[word] = stem
        if stem:
            out.append(stem)
    return out


@dataclass(slots=True)
class Item:
    """What the grouping needs of one article."""

    id: str
    title: str
    summary: str
    when: float  # POSIX seconds: published, else first fetched


class _Doc:
    __slots__ = ("places", "story", "vec", "when")

    def __init__(
        self, when: float, vec: dict[str, float], places: frozenset[str], story: str
    ) -> None:
        self.when = when
        self.vec = vec
        self.places = places
        self.story = story


def _conflict(one: frozenset[str], other: frozenset[str]) -> bool:
    """Each names a country the other does not: different events (US–Korea talks are not
    US–Japan talks), however alike the words."""
    return bool(one and other and (one - other) and (other - one))


def story_id(founder: str) -> str:
    """A story's id, from the article that started it: stable across restarts and rebuilds."""
    return "s" + hashlib.blake2b(founder.encode(), digest_size=6).hexdigest()


class StoryIndex:
    """The grouping's memory: recent articles' vectors and an inverted index of their words,
    and which story every article belongs to."""

    def __init__(self, threshold: float = THRESHOLD, window: float = WINDOW) -> None:
        self.threshold = threshold
        self.window = window
        self.story_of: dict[str, str] = {}
        self.members: dict[str, list[str]] = {}
        self._docs: dict[str, _Doc] = {}
        self._postings: dict[str, list[str]] = {}
        self._df: Counter[str] = Counter()
        self._places: dict[str, set[frozenset[str]]] = {}  # the country sets a story names
        self._newest = 0.0

    def __len__(self) -> int:
        return len(self.story_of)

    # -- building ------------------------------------------------------------------------------
    def add(self, items: Iterable[Item]) -> list[str]:
        """Group new articles (ones already grouped are skipped); returns the story of each
        new one, in the order taken (time, then id)."""
        out: list[str] = []
        for item in sorted(items, key=lambda i: (i.when, i.id)):
            if item.id in self.story_of:
                continue
            out.append(self._place(item))
        self._evict()
        return out

    def restore(self, assigned: dict[str, list[str]], recent: Iterable[Item]) -> None:
        """Take stories as saved (story id -> article ids) and the recent articles that new
        ones are compared with, without grouping anything again."""
        for sid, ids in assigned.items():
            self.members[sid] = list(ids)
            for ident in ids:
                self.story_of[ident] = sid
        for item in sorted(recent, key=lambda i: (i.when, i.id)):
            known = self.story_of.get(item.id)
            if known is not None and item.id not in self._docs:
                self._remember(item, self._vector(item), known)
        self._evict()

    def drop(self, gone: Iterable[str]) -> None:
        """Forget articles that are no longer stored; stories left empty go with them."""
        for ident in gone:
            sid = self.story_of.pop(ident, None)
            if sid is None:
                continue
            members = self.members.get(sid)
            if members is not None:
                members.remove(ident)
                if not members:
                    del self.members[sid]
                    self._places.pop(sid, None)
            doc = self._docs.pop(ident, None)
            if doc is not None:
                for term in doc.vec:
                    self._df[term] -= 1
                    if self._df[term] <= 0:
                        del self._df[term]

    # -- the grouping ------------------------------------------------------------------------
    def _vector(self, item: Item) -> tuple[dict[str, float], frozenset[str]]:
        counts: dict[str, float] = {}
        for term in terms(item.title):
            counts[term] = counts.get(term, 0.0) + TITLE_WEIGHT
        for term in terms(item.summary):
            counts[term] = counts.get(term, 0.0) + 1.0
        places = frozenset(t for t in counts if t[0] == "@")
        n = len(self._docs) + 1
        df = self._df
        vec = {
            t: (1.0 + math.log(c)) * math.log((n + 1) / (df[t] + 1) + 1.0)
            for t, c in counts.items()
        }
        norm = math.sqrt(sum(w * w for w in vec.values())) or 1.0
        return {t: w / norm for t, w in vec.items()}, places

    def _place(self, item: Item) -> str:
        vec, places = self._vector(item)
        docs = self._docs
        scores: dict[str, float] = {}
        for ident in self._candidates(vec):
            doc = docs.get(ident)
            if doc is None or abs(doc.when - item.when) > self.window:
                continue
            score = sum(w * doc.vec.get(t, 0.0) for t, w in vec.items())
            if score >= self.threshold and score > scores.get(doc.story, 0.0):
                scores[doc.story] = score
        chosen = None
        for sid, _ in sorted(scores.items(), key=lambda pair: (-pair[1], pair[0])):
            if not any(_conflict(places, seen) for seen in self._places.get(sid, ())):
                chosen = sid
                break
        sid = chosen or story_id(item.id)
        self.story_of[item.id] = sid
        self.members.setdefault(sid, []).append(item.id)
        self._remember(item, (vec, places), sid)
        return sid

    def _candidates(self, vec: dict[str, float]) -> list[str]:
        df = self._df
        rare = sorted((t for t in vec if 0 < df[t] <= PROBE_LIMIT), key=lambda t: (df[t], t))
        hits: Counter[str] = Counter()
        postings = self._postings
        for term in rare[:PROBES]:
            hits.update(postings[term])
        return [ident for ident, _ in hits.most_common(CANDIDATES)]

    def _remember(
        self, item: Item, made: tuple[dict[str, float], frozenset[str]], sid: str
    ) -> None:
        vec, places = made
        self._docs[item.id] = _Doc(item.when, vec, places, sid)
        if places:
            self._places.setdefault(sid, set()).add(places)
        postings = self._postings
        for term in vec:
            self._df[term] += 1
            postings.setdefault(term, []).append(item.id)
        self._newest = max(self._newest, item.when)

    def _evict(self) -> None:
        """Drop vectors of articles older than the window behind the newest, once a quarter
        of those kept are; their stories stay."""
        cut = self._newest - self.window
        docs = self._docs
        stale = [i for i, d in docs.items() if d.when < cut]
        if len(stale) * 4 < len(docs) or not stale:
            return
        gone = set(stale)
        for ident in stale:
            for term in docs.pop(ident).vec:
                self._df[term] -= 1
                if self._df[term] <= 0:
                    del self._df[term]
        self._postings = {
            t: kept
            for t, ids in self._postings.items()
            if (kept := [i for i in ids if i not in gone])
        }
