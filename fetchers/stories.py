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
import heapq
import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

WINDOW = 72 * 3600.0  # seconds: a story's articles are at most this far from a neighbour
THRESHOLD = 0.30  # cosine similarity to join a story (see README, "Stories")
TITLE_WEIGHT = 2  # a headline word counts as much as two summary words
PROBES = 4  # the rarest words of an article that look up candidates
CANDIDATES = 4  # how many candidates are scored in full
PROBE_LIMIT = 400  # a word in more articles than this finds no candidates (too common)

STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be been before being
    below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers him his how i if in into is it its itself
    just me more most my no nor not now of off on once only or other our out over own same
    she should so some such than that the their them then there these they this those
    through to too under until up very was we were what when where which while who whom why
    will with would you your yours us said says say new news one two three first after amid
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

# Phrases folded before the words are read, each tried only when its needle is in the text.
_PHRASES = (
    ("United States", re.compile(r"\bUnited States\b"), " US "),
    ("European Union", re.compile(r"\bEuropean Union\b"), " EU "),
    ("United Kingdom", re.compile(r"\bUnited Kingdom\b"), " UK "),
    ("Kore", re.compile(r"\b(?:North|N\.) Korean?s?\b"), " DPRK "),
    ("South Africa", re.compile(r"\bSouth Africa\b"), " southafrica "),
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
}


def _stem(word: str) -> str:
    """A rough stem, enough to meet "tariffs"/"tariff" and "declared"/"declares"."""
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


class _Stems(dict[str, str]):
    """Word -> the term it counts as ("" for a stop word), learnt on first sight."""

    def __missing__(self, word: str) -> str:
        if word[0].isdigit() or word[0] == "$":
            stem = word.replace(",", "").lstrip("$")
        elif word in _CAPITALS:
            stem = _CAPITALS[word]
        elif (folded := word.replace(".", "").lower()) != word:
            stem = self[folded] if folded else ""
        elif word in STOPWORDS or len(word) < 2:
            stem = ""
        elif word in PLACES:
            stem = "@" + PLACES[word]
        else:
            stem = _stem(word)
        if len(self) < 500_000:  # bounded: feeds can invent words without end
            self[word] = stem
        return stem


_STEMS = _Stems()


def terms(text: str) -> list[str]:
    """The words of a headline or summary as the grouping compares them: stop words out,
    countries folded ("@korea"), numbers kept ("7.5", "350", "15%")."""
    for needle, pattern, replacement in _PHRASES:
        if needle in text:
            text = pattern.sub(replacement, text)
    return list(filter(None, map(_STEMS.__getitem__, _WORD.findall(text))))


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


class _LogTF(dict[int, float]):
    """1 + log(count): a word said five times is not five times the evidence."""

    def __missing__(self, count: int) -> float:
        value = self[count] = 1.0 + math.log(count)
        return value


_TF = _LogTF()


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
        self._df: dict[str, int] = {}  # articles of the window per word: picks the probes
        self._seen: dict[str, int] = {}  # articles ever grouped per word: weighs the words
        self._seen_total = 0
        self._places: dict[str, set[frozenset[str]]] = {}  # the country sets a story names
        self._by_time: list[tuple[float, str]] = []  # a heap: the oldest vector first
        self._dead = 0  # postings entries of vectors already dropped

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
            self._expire(item.when)
            out.append(self._place(item))
        self._compact()
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
                self._dead += len(doc.vec)

    # -- the grouping ------------------------------------------------------------------------
    def _vector(self, item: Item) -> tuple[dict[str, float], frozenset[str]]:
        counts = Counter(terms(item.summary))
        for term in terms(item.title):
            counts[term] += TITLE_WEIGHT
        places = frozenset(t for t in counts if t[0] == "@")
        n = self._seen_total + 2.0
        seen = self._seen.get
        log = math.log
        vec = {t: _TF[c] * log(n / (seen(t, 0) + 1) + 1.0) for t, c in counts.items()}
        norm = math.hypot(*vec.values()) or 1.0
        return {t: w / norm for t, w in vec.items()}, places

    def _place(self, item: Item) -> str:
        vec, places = self._vector(item)
        docs = self._docs
        scores: dict[str, float] = {}
        for ident in self._candidates(vec):
            doc = docs.get(ident)
            if doc is None or abs(doc.when - item.when) > self.window:
                continue
            other = doc.vec
            score = sum([vec[t] * other[t] for t in vec.keys() & other.keys()])
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
        rare = [t for t in vec if 0 < df.get(t, 0) <= PROBE_LIMIT]
        rare.sort(key=df.__getitem__)  # stable: equals keep the text's order
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
        postings, df, seen = self._postings, self._df, self._seen
        self._seen_total += 1
        for term in vec:
            df[term] = df.get(term, 0) + 1
            seen[term] = seen.get(term, 0) + 1
            ids = postings.get(term)
            if ids is None:
                postings[term] = [item.id]
            else:
                ids.append(item.id)
        heapq.heappush(self._by_time, (item.when, item.id))

    def _expire(self, now: float) -> None:
        """Drop the vectors of articles more than the window before `now` (articles come in
        time order), so word rarity and candidates are those of the window; their stories
        stay."""
        heap, docs, df = self._by_time, self._docs, self._df
        cut = now - self.window
        while heap and heap[0][0] < cut:
            _, ident = heapq.heappop(heap)
            doc = docs.pop(ident, None)
            if doc is None:
                continue
            for term in doc.vec:
                left = df[term] - 1
                if left:
                    df[term] = left
                else:
                    del df[term]
            self._dead += len(doc.vec)

    def _compact(self) -> None:
        """Rebuild the postings without dropped articles once they are most of them; keep the
        word counts bounded (words seen once are forgotten past half a million words)."""
        if len(self._seen) > 500_000:
            self._seen = {t: n for t, n in self._seen.items() if n > 1}
        live = sum(len(d.vec) for d in self._docs.values())
        if self._dead <= live:
            return
        docs = self._docs
        self._postings = {
            t: kept for t, ids in self._postings.items() if (kept := [i for i in ids if i in docs])
        }
        self._dead = 0
