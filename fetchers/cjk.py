"""Chinese and Japanese words as the story grouping reads them.

Chinese and Japanese write no space between words: "日米関税交渉が合意" is one run of text, and
read as one word it would meet nothing another outlet wrote. So a run is read by script
(`terms`): kana that is hiragana is grammar (particles, verb endings: "が", "に引き下げ") and
says nothing; katakana is a loanword or a name, one term ("トランプ", "ガザ"); Chinese
characters are read one by one ("関税交渉" is 関, 税, 交, 渉), so one outlet's "関税交渉" meets
another's "関税の交渉", and "花莲县海域" meets "花莲" (read as overlapping pairs, the pairs that
cross a word's end, "县海", said nothing but lengthened every article, and two reports of one
event met on too little). Rarity weighs the characters every article has ("国", "大") down
as it weighs common words. Countries are read
as the very terms the English and Korean names are ("米国", "美国", "アメリカ" and a pair's "日米"
are "@usa"), so the US–Japan and US–China stories stay apart here as in English.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Countries by their Japanese and Chinese names (simplified and traditional) and capitals
_NAMED = {
    "usa": "米国 アメリカ 美国 美國 ワシントン 华盛顿 華盛頓 ホワイトハウス 白宫 白宮",
    "japan": "日本 東京 东京 日本銀行 日銀",
    "china": "中国 中國 北京 中華人民共和国 中华人民共和国",
    "korea": "韓国 韩国 韓國 大韓民国 大韩民国 ソウル 首尔 首爾",
    "northkorea": "北朝鮮 朝鲜 朝鮮 平壌 平壤",
    "taiwan": "台湾 臺灣 台灣 台北 臺北",
    "russia": "ロシア 俄罗斯 俄羅斯 モスクワ 莫斯科 克里姆林宫",
    "ukraine": "ウクライナ 乌克兰 烏克蘭 キーウ キエフ 基辅",
    "uk": "英国 英國 イギリス ロンドン 伦敦",
    "france": "フランス 法国 法國 パリ 巴黎",
    "germany": "ドイツ 德国 德國 ベルリン 柏林",
    "india": "インド 印度 ニューデリー 新德里",
    "vietnam": "ベトナム 越南 ハノイ",
    "canada": "カナダ 加拿大",
    "australia": "オーストラリア 豪州 澳大利亚 澳洲",
    "mexico": "メキシコ 墨西哥",
    "brazil": "ブラジル 巴西",
    "iran": "イラン 伊朗 テヘラン 德黑兰",
    "israel": "イスラエル 以色列",
    "turkey": "トルコ 土耳其",
    "syria": "シリア 叙利亚",
    "egypt": "エジプト 埃及",
    "saudi": "サウジアラビア サウジ 沙特",
    "philippines": "フィリピン 菲律宾 マニラ 马尼拉",
    "indonesia": "インドネシア 印度尼西亚 印尼",
    "thailand": "タイ 泰国 バンコク 曼谷",
    "singapore": "シンガポール 新加坡",
    "malaysia": "マレーシア 马来西亚",
    "pakistan": "パキスタン 巴基斯坦",
    "afghanistan": "アフガニスタン 阿富汗",
    "iraq": "イラク 伊拉克",
    "eu": "欧州連合 欧盟 欧州",
    "italy": "イタリア 意大利",
    "spain": "スペイン 西班牙",
    "myanmar": "ミャンマー 缅甸",
    "gaza": "ガザ 加沙 パレスチナ 巴勒斯坦",
    "lebanon": "レバノン 黎巴嫩",
    "morocco": "モロッコ 摩洛哥",
    "newzealand": "ニュージーランド 新西兰",
    "mongolia": "モンゴル 蒙古",
}
# A country in one character, as headlines write it: counted as one only beside another (a
# pair: "日米", "中美", "米朝"), after "toward", "visiting", "stationed in" ("対中", "訪米",
# "驻华"), before "forces", "side", "president" ("米軍", "中方", "米大統領"), or alone ("米、"):
# elsewhere each is as often another word's ("中東" the Middle East, "台風" a typhoon).
_SHORT = {
    "米": "usa",
    "美": "usa",
    "日": "japan",
    "中": "china",
    "华": "china",
    "華": "china",
    "韓": "korea",
    "韩": "korea",
    "朝": "northkorea",
    "露": "russia",
    "俄": "russia",
    "英": "uk",
    "仏": "france",
    "独": "germany",
    "德": "germany",
    "豪": "australia",
    "澳": "australia",
    "台": "taiwan",
    "印": "india",
}
# Runs of short names that are no pair, and a short name before a word it is part of: Central
# America ("中米", "中美洲"), "Chinese" ("中華"), central China ("华中"), a newspaper ("朝日"), a
# city ("台中"), "luxurious" ("豪華"), Taiwan's independence ("台独"), Macau and Taiwan ("澳台"),
# the morning ("朝方")
_NO_PAIR = frozenset(
    "中米 中南米 中美洲 中华 中華 华中 華中 朝日 台中 豪華 豪华 台独 台獨 澳台 朝方".split()  # noqa: SIM905
)
# Names of places that hold a country's name: Inner Mongolia is China's, the Sea of Japan a sea
_NOT_COUNTRIES = ("内蒙古", "內蒙古", "日本海")
# ... but for a word of that country's that starts the same: Japan's maritime forces, navy,
# coast guard and shipping ("日本海上自卫队", "日本海军", "日本海警", "日本海运")
_STILL_COUNTRIES = {"日本海": ("上自", "上保", "军", "軍", "警", "运", "運")}
_BEFORE = frozenset("対对對訪访駐驻赴来來")  # "toward", "visiting", "stationed in"
_AFTER = tuple(
    "大統領 总统 總統 政府 軍 军 側 侧 方 首相 外相 外长 外長 国防 國防 当局 當局 紙 媒".split()  # noqa: SIM905
)
# Characters that join or say, not what happened (Chinese writes them among the others): in
# a word without kana they are left out. Not those
# that Japanese words are made of as often ("被害", "与党", "京都", "為替", "平和"), nor Korean
# headlines' "與" (the ruling party).
_STOP = frozenset("的了在是及将將已称稱也而并並为于於之其这這该該等从從把")
# units and counters of more than one character, after a number (one character: any)
_UNITS = tuple(
    sorted(
        """
        千米 公里 平方公里 万元 亿元 万亿元 万亿 美元 日元 欧元 韩元 万人 亿人 个百分点 百分点 个月
        千瓦 小时 分钟 周年 万円 億円 兆円 億ドル 万ドル キロ メートル ポイント
        """.split(),  # noqa: SIM905 - a word list reads better as words
        key=len,
        reverse=True,
    )
)
# (and 々, which repeats the one before)
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3005\U00020000-\U0002ebef"
_KATAKANA = "\u30a1-\u30fa\u30fc\u30fd\u30fe\u31f0-\u31ff\uff66-\uff9f"  # (not the middle dot)
_HIRAGANA = "\u3041-\u309f"
_CJK = re.compile(f"[{_HAN}{_KATAKANA}{_HIRAGANA}]")
_HAS_KANA = re.compile(f"[{_KATAKANA}{_HIRAGANA}]")
_KATAKANA_RUN = re.compile(f"[{_KATAKANA}]+")
_ANY = f"{_HAN}{_KATAKANA}{_HIRAGANA}"
# a run of one script: Chinese characters, katakana, hiragana (no group), or any other
_RUNS = re.compile(f"([{_HAN}]+)|([{_KATAKANA}]+)|[{_HIRAGANA}]+|([^{_ANY}]+)")
COUNTRIES: dict[str, str] = {
    name: country for country, names in _NAMED.items() for name in names.split()
}
_LONGEST = max(map(len, COUNTRIES))
_FIRSTS = frozenset(name[0] for name in (*COUNTRIES, *_NOT_COUNTRIES))  # where a name may start


def is_cjk(word: str) -> bool:
    """Whether a word has Chinese characters or kana in it (read by `terms`)."""
    return _CJK.search(word) is not None


def terms(
    word: str, other: Callable[[str], tuple[str, ...]], after_number: bool = False
) -> tuple[str, ...]:
    """A word's terms: its countries as "@country", its katakana runs whole, its Chinese
    characters one by one (`_han_terms`), its hiragana none, and a part in another script
    ("APEC首脳会議": APEC) read by `other`. `after_number`: the word follows a number, and its
    unit comes off first (`_unit_off`)."""
    if after_number:
        word = _unit_off(word)
    # a one-character name is the country alone only as a whole word ("米、"), not between
    # kana ("この日は": this day) nor what a unit left ("6日朝": the morning of the sixth)
    alone = len(word) == 1 and not after_number
    stops = _HAS_KANA.search(word) is None
    out: list[str] = []
    for run in _RUNS.finditer(word):
        han, katakana, rest = run.groups()
        if han:
            out.extend(_han_terms(han, alone, stops))
        elif katakana:
            country = COUNTRIES.get(katakana)
            out.append("@" + country if country else katakana)
        elif rest:
            out.extend(other(rest))
    return tuple(out)


def _unit_off(word: str) -> str:
    """A word that follows a number without the number's unit or counter ("5日に": the fifth;
    "12千米", "0.5个百分点", "100ドル", "7发"), which says nothing of the event: a unit of
    `_UNITS`, a word in katakana, else its first character."""
    if not word or not _CJK.match(word):
        return word
    unit = next(filter(word.startswith, _UNITS), None)
    if unit is None:
        katakana = _KATAKANA_RUN.match(word)
        unit = katakana.group() if katakana else word[0]
    return word[len(unit) :]


def _han_terms(run: str, alone: bool, stops: bool) -> list[str]:
    """A run of Chinese characters: the countries it names, and the rest read character by
    character, but for the characters that say nothing (`_STOP`) when `stops`. `alone`: the
    run is a whole word."""
    out: list[str] = []
    plain: list[str] = []  # the characters since the last country or stop character
    at, size = 0, len(run)
    while at < size:
        place = _place_at(run, at)
        if place is not None:  # a place that holds a country's name is the place
            plain.extend(place)
            at += len(place)
            continue
        named = _country_at(run, at, alone)
        if named:
            countries, length = named
            if plain and plain[-1] in _BEFORE:  # "訪米": the visit is the country's
                plain.pop()
            out.extend(plain)
            plain = []
            out.extend("@" + country for country in countries)
            at += length
            continue
        char = run[at]
        if not (stops and char in _STOP):
            plain.append(char)
        at += 1
    out.extend(plain)
    return out


def _place_at(run: str, at: int) -> str | None:
    """The place of `_NOT_COUNTRIES` that starts at `at`, if one does."""
    if run[at] not in _FIRSTS:
        return None
    for place in _NOT_COUNTRIES:
        if run.startswith(place, at):
            if run.startswith(_STILL_COUNTRIES.get(place, ()), at + len(place)):
                return None
            return place
    return None


def _name_at(run: str, at: int) -> tuple[str, int] | None:
    """The country whose name starts at `at` (the longest name there) and the name's length."""
    if run[at] not in _FIRSTS:  # (most characters start none: one look, not one a length)
        return None
    for length in range(min(_LONGEST, len(run) - at), 1, -1):
        country = COUNTRIES.get(run[at : at + length])
        if country is not None:
            return country, length
    return None


def _country_at(run: str, at: int, alone: bool) -> tuple[list[str], int] | None:
    """The countries named at `at` in a run and how many characters name them: the longest
    name there, else short names as `_SHORT` says they count. `alone`: the run is a whole
    word."""
    named = _name_at(run, at)
    if named is not None:
        return [named[0]], named[1]
    end = at  # a run of short names, up to where a name begins ("透露美国": 露 is no Russia)
    while end < len(run) and run[end] in _SHORT and (end == at or _name_at(run, end) is None):
        end += 1
    if end == at or any(run.startswith(word, at) for word in _NO_PAIR):
        return None
    short = run[at:end]
    if len(short) >= 2:
        return [_SHORT[char] for char in short], len(short)
    before = at > 0 and run[at - 1] in _BEFORE
    if (alone and len(run) == 1) or before or run.startswith(_AFTER, at + 1):
        return [_SHORT[short]], 1
    return None
