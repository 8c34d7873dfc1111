"""Korean words as the story grouping reads them.

Korean writes its particles and verb endings onto the word: "미국은", "미국과" and "미국의" are
all "미국" (the US), and "타결했다" is "타결" (concluded). Its headlines name a country pair in
one word ("한미": Korea and the US) and a country in one Chinese character ("美", "北"). So a
Korean word is read (`terms`) as its stem, its ending taken off (`_stem`); a country's name,
pair or character as the countries it names (`COUNTRIES`), the very terms the English names
are read as; and a longer word as its syllable pairs (`pieces`). Korean reports of one event
then meet whatever endings each writes; the US–Korea and US–Japan deals stay apart in Korean
as in English; and a Korean report shares its countries and numbers with an English one.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Particles and the plural 들, and the endings of verbs made of a noun and 하다/되다
# ("타결했다"). Each is taken off a word that keeps two syllables or more (or a Chinese
# character that names a country: "美는"), longest first and at most twice ("정상회의에서" is
# "정상회의", then "정상회", as "정상회의" alone is): two-syllable nouns that end like one
# ("국가", "회의") keep it, and a longer noun that does loses it alike wherever it is.
_PARTICLES = frozenset(
    """
    들 은 는 이 가 을 를 의 에 서 에서 에게 께서 과 와 도 로 으로 만 까지 부터 보다 처럼
    마다 에는 에서는 으로는 로는 와의 과의 에도 에서도 으로도 로도 이라 라고 이라고 이라는
    라는 이다 이며 이고 엔 에선 으론
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_VERBAL = frozenset(
    """
    했다 한다 하는 하고 하며 하기로 하겠다 했고 했으며 했던 하던 해 한 할 함 키로 된다 됐다
    되는 되고 되며 될 됐고 시켰다 시킨 돼 된 했다고 한다고 됐다고 하자 되자 하면서 되면서
    해야 했지만 하지만 했는데 하는데
    """.split()  # noqa: SIM905 - a word list reads better as words
)
_ENDINGS = tuple(sorted(_PARTICLES | _VERBAL, key=len, reverse=True))
_STRIPS = 2  # endings taken off one word at most

# Words that say what kind of piece it is, join others, or say that someone said or did
# (as "said" and "says" in English), not what happened.
STOPWORDS = frozenset(
    """
    속보 단독 종합 사설 칼럼 포토 영상 인터뷰 기자 및 등 것 수 위해 대해 통해 따르면 이번 지난
    오늘 내일 어제 올해 이날 당시 현재 관련 전 후 중 또 더 그 이 저 밝혔다 말했다 전했다
    했다 됐다 있다 없다 한다 된다 위한 대한 통한 따른 관한 앞두고 이후 만에 가운데 안 못 잘
    다 좀 꼭 왜 뭐 각 첫 새 약 내 외 간 측 개 명 건 곳 위 차 년 월 일 시 분 억 조 만 원
    """.split()  # noqa: SIM905 - a word list reads better as words
)

# Countries by their Korean names, capitals, Chinese characters and central banks ("한은",
# "연준": as "BOK" and "Fed" name theirs in English)
_NAMED = {
    "korea": "한국 대한민국 남한 한인 韓 서울 한은 한국은행",
    "usa": "미국 美 미 워싱턴 백악관 연준",
    "japan": "일본 日 도쿄 일본은행",
    "china": "중국 中 베이징 인민은행",
    "northkorea": "북한 北 북 평양",
    "taiwan": "대만 타이완 臺 台 타이베이",
    "russia": "러시아 露 모스크바 크렘린",
    "ukraine": "우크라이나 키이우",
    "uk": "영국 英 런던",
    "france": "프랑스 佛 파리",
    "germany": "독일 獨 独 베를린",
    "india": "인도 印 뉴델리",
    "vietnam": "베트남 하노이",
    "canada": "캐나다 오타와",
    "australia": "호주 濠 캔버라",
    "mexico": "멕시코",
    "brazil": "브라질",
    "iran": "이란 테헤란",
    "israel": "이스라엘",
    "turkey": "튀르키예 터키 앙카라",
    "syria": "시리아",
    "egypt": "이집트 카이로",
    "saudi": "사우디 사우디아라비아 리야드",
    "philippines": "필리핀 마닐라",
    "indonesia": "인도네시아 자카르타",
    "thailand": "태국 방콕",
    "singapore": "싱가포르",
    "malaysia": "말레이시아",
    "pakistan": "파키스탄",
    "afghanistan": "아프가니스탄",
    "iraq": "이라크",
    "eu": "유럽연합 유럽 브뤼셀 유럽중앙은행",
    "italy": "이탈리아 로마",
    "spain": "스페인 마드리드",
    "netherlands": "네덜란드",
    "switzerland": "스위스",
    "poland": "폴란드",
    "morocco": "모로코",
    "myanmar": "미얀마",
    "gaza": "가자지구 팔레스타인",
    "lebanon": "레바논",
    "qatar": "카타르",
    "newzealand": "뉴질랜드",
    "argentina": "아르헨티나",
    "chile": "칠레",
    "peru": "페루",
    "colombia": "콜롬비아",
    "venezuela": "베네수엘라",
    "southafrica": "남아공 남아프리카공화국",
    "nigeria": "나이지리아",
    "nepal": "네팔",
    "bangladesh": "방글라데시",
    "mongolia": "몽골",
    "kazakhstan": "카자흐스탄",
    "cuba": "쿠바",
}
# Country pairs and threes, as headlines write them ("북미" and "중미" are left out: North and
# Central America as often as North Korea–US and China–US; "미러" is a mirror as often).
_PAIRS = {
    "한미": "korea usa",
    "한일": "korea japan",
    "한중": "korea china",
    "미중": "usa china",
    "미일": "usa japan",
    "중일": "china japan",
    "미북": "usa northkorea",
    "북중": "northkorea china",
    "북러": "northkorea russia",
    "북일": "northkorea japan",
    "한러": "korea russia",
    "남북": "korea northkorea",
    "한미일": "korea usa japan",
    "한중일": "korea china japan",
    "한일중": "korea japan china",
    "한미중": "korea usa china",
    "韓美": "korea usa",
    "美韓": "usa korea",
    "韓日": "korea japan",
    "日韓": "japan korea",
    "韓中": "korea china",
    "中韓": "china korea",
    "美中": "usa china",
    "中美": "china usa",
    "美日": "usa japan",
    "日美": "japan usa",
    "中日": "china japan",
    "日中": "japan china",
    "北美": "northkorea usa",
    "美北": "usa northkorea",
    "北中": "northkorea china",
    "北露": "northkorea russia",
    "南北": "korea northkorea",
    "韓美日": "korea usa japan",
    "韓日中": "korea japan china",
    "韓中日": "korea china japan",
}
# "Toward" and "a visit to" a country, as one word ("대미 투자": investment in the US; "방미":
# a visit to the US). Left out: "대중" (as often the public), "방한" (as often cold-weather).
_TOWARD = {
    "usa": "대미 방미",
    "japan": "대일 방일",
    "northkorea": "대북 방북",
    "russia": "대러 방러",
    "china": "방중",
}
# A Korean name (its ending off) -> the countries it names
COUNTRIES: dict[str, tuple[str, ...]] = {
    name: (country,) for country, names in _NAMED.items() for name in names.split()
}
COUNTRIES.update((pair, tuple(countries.split())) for pair, countries in _PAIRS.items())
COUNTRIES.update((word, (country,)) for country, words in _TOWARD.items() for word in words.split())


_HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")
# a pair's country syllables joined by a dot or a dash ("한·미", "미-일"), not ending a word
_DOTTED = re.compile("(?<![\uac00-\ud7a3])[한미일중북러남](?:[·ㆍ‧・-][한미일중북러남])+")
# Yonhap's update tags ("[종합2보]", "(3보)"): their number is no number of the event
_UPDATE_TAG = re.compile(r"[\[(](?:종합)?\d*보?[\])]")
_SIDE = "군측"  # a country's forces or side ("북한군", "미측"), after any country
_OF = "간인산"  # between a pair ("한미간"), a people ("미국인"), made in ("중국산")


def is_korean(word: str) -> bool:
    """Whether a word is read as Korean (`terms`): it has Hangul in it, or it is a Chinese
    character (or two) that names countries ("美", "韓美"). Other Chinese characters are left
    as they are."""
    return _HANGUL.search(word) is not None or word in COUNTRIES


def joined(chunk: str) -> str:
    """A chunk with its dotted pairs joined ("한·미는" -> "한미는") and its update tags out,
    before its words are found (the dot would part the pair's syllables)."""
    if "보" in chunk:
        chunk = _UPDATE_TAG.sub(" ", chunk)
    return _DOTTED.sub(_joined_pair, chunk)


def _joined_pair(match: re.Match[str]) -> str:
    pair = re.sub("[·ㆍ‧・-]", "", match.group())
    return pair if pair in COUNTRIES else match.group()


def terms(word: str, other: Callable[[str], tuple[str, ...]]) -> tuple[str, ...]:
    """A Korean word's terms: the countries it names as "@country" (not when a verb's ending
    came off: "인도했다" is handed over, not India), a word that is left in Latin letters
    read by `other` ("APEC서" is APEC), else its `pieces`."""
    stemmed, verb = _stem(word)
    named = () if verb else countries(stemmed)
    if named:
        return tuple("@" + country for country in named)
    if stemmed.isascii():
        return other(stemmed)
    return pieces(stemmed)


def _stem(word: str) -> tuple[str, bool]:
    """The word with its particle or verb ending off ("미국과" -> "미국", "타결했다" -> "타결",
    "경주서" -> "경주", "美는" -> "美"): one at a time, at most `_STRIPS`; and whether a verb's
    ending came off."""
    verb = False
    for _ in range(_STRIPS):
        if word in COUNTRIES:
            break
        for ending in _ENDINGS:
            if word.endswith(ending) and len(word) > len(ending):
                rest = word[: -len(ending)]
                if len(rest) >= 2 or rest in COUNTRIES and not _HANGUL.search(rest):
                    word, verb = rest, verb or ending in _VERBAL
                    break
        else:
            break
    return word, verb


def countries(word: str) -> tuple[str, ...]:
    """The countries a stemmed word names (none for most): a country ("미국"), a pair ("한미"),
    its forces or side ("북한군", "미측"), or, of a name of two syllables or more, the pair
    with "between" on ("한미간"), its people ("미국인") or what is made there ("중국산")."""
    named = COUNTRIES.get(word)
    if named is None and len(word) >= 2 and word[-1] in _SIDE:
        named = COUNTRIES.get(word[:-1])
    if named is None and len(word) >= 3 and word[-1] in _OF:
        named = COUNTRIES.get(word[:-1])
    return named or ()


def pieces(word: str) -> tuple[str, ...]:
    """The terms of a stemmed Korean word that names no country: its syllable pairs when it
    has three syllables or more ("관세협상" is 관세, 세협, 협상: compound nouns are written
    with a space or without, and one outlet's "관세협상" meets another's "관세 협상"), else the
    word ("핵", "관세", a headline's "尹"); none for a word that says nothing of the event or
    is an ending alone ("15%에서")."""
    if word in STOPWORDS or word in _PARTICLES or word in _VERBAL:
        return ()
    if len(word) <= 2 or not all("\uac00" <= c <= "\ud7a3" for c in word):
        return (word,)
    return tuple(word[i : i + 2] for i in range(len(word) - 1))
