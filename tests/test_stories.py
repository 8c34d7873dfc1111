"""Stories: one event across outlets is one story, different events stay apart, the first
report is named, and the stories file is derived (rebuilt when missing) and kept by the
writer's poll cycle."""

from __future__ import annotations

import gc
import hashlib
import itertools
import json
import random
import re
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.stories import HERE, pairs_found
from fetchers import languages, stories, storybook, storypage, textlanguage
from fetchers.heap import settle_on_resume
from fetchers.models import Article, utc_iso
from fetchers.query import QueryError, Record, parse_query
from fetchers.stories import LEDE, Item, StoryIndex, _lede, story_id, terms, terms_in
from fetchers.storybook import FILE, SLICE_ARTICLES, StoryBook, add_paced
from tests.conftest import (
    HERALD,
    YONHAP_1,
    YONHAP_2,
    FeedServer,
    Route,
    rss,
    stories_file,
    story_item,
    summaries_held,
    write_config,
)
from tui.cli import main


def at(hour: float) -> float:
    return datetime(2025, 10, 29, tzinfo=UTC).timestamp() + hour * 3600


# Real outlets' wording of the same events, and same-topic events that are not the same.
KOREA_DEAL = [
    Item(
        "k1",
        "Trump announces US-South Korea trade agreement, imposes 15% tariff on South Korea",
        "South Korean products will be subject to a 15% tariff, while South Korea will invest "
        "$350 billion in the United States.",
        at(0),
    ),
    Item(
        "k2",
        "Trump Lowers Tariffs on Korea to 15% After $350B Investment Deal",
        "Trump said the United States and South Korea reached a new trade agreement, reducing "
        "reciprocal tariffs from 25% to 15%.",
        at(1),
    ),
    Item(
        "k3",
        "Trump slashes tariffs on South Korea in landmark trade deal worth $350 billion",
        "The US will impose a 15% tariff on South Korean imports, down from a proposed 25%, "
        "with a $350 billion investment.",
        at(2),
    ),
]
JAPAN_DEAL = [
    Item(
        "j1",
        "Trump claims Japan trade deal imposes 15% tariff on goods from Asian superpower",
        "Trump said he struck a trade deal with Japan, a 15% tariff lower than the 25% he had "
        "threatened, with $550 billion in Japanese investment.",
        at(0.5),
    ),
    Item(
        "j2",
        "Trump Announces Historic Trade Agreement with Japan",
        "Japan will invest $550 billion in the US and goods shipped to America will face a "
        "15% tariff instead of the 25% Trump had proposed.",
        at(1.5),
    ),
]
TAIWAN_QUAKE = [
    Item(
        "t1",
        "7.4 Magnitude Earthquake Hits Taiwan, Strongest in 25 Years",
        "A 7.4 magnitude earthquake struck off the east coast of Taiwan, with one reported dead "
        "and many injured, triggering tsunami alerts in the region.",
        at(3),
    ),
    Item(
        "t2",
        "Four dead, dozens injured as earthquake hits Taiwan, strongest in 25 years",
        "Four were killed and dozens injured after a 7.4 earthquake struck Taiwan near Hualien, "
        "where buildings collapsed.",
        at(4),
    ),
]
MOROCCO_QUAKE = [
    Item(
        "m1",
        "Plea for blood donation mounts in Morocco as huge earthquake kills more than 600",
        "A powerful earthquake struck Morocco on Friday night, killing more than 600 people in "
        "the High Atlas region near the medieval city of Marrakech.",
        at(3.5),
    ),
    Item(
        "m2",
        "300 people die in earthquake night in Morocco",
        "A powerful earthquake struck the High Atlas mountains of Morocco late on Friday, killing "
        "at least 296 people and collapsing numerous buildings.",
        at(5),
    ),
]
# The leaders' summit closed on November 1; its CEO summit had opened in the same city, under
# the same name, three days before: more than the window apart, so only time keeps the two
# apart here. Told within a day of each other they are one story: the words alone do not
# tell a side event from its summit (README, "Stories"). Each event's reports join.
APEC_SUMMIT = [
    Item(
        "a1",
        "APEC leaders adopt Gyeongju Declaration",
        "Leaders of the 21 APEC economies adopted the Gyeongju Declaration at the close of their "
        "summit, pledging cooperation on trade and AI.",
        at(80),
    ),
    Item(
        "a2",
        "APEC summit closes with Gyeongju Declaration, AI initiative",
        "The APEC Economic Leaders' Meeting ended in Gyeongju with a declaration and initiatives "
        "on artificial intelligence.",
        at(82),
    ),
]
APEC_SIDE_EVENT = [
    Item(
        "c1",
        "Global CEOs gather in Gyeongju as APEC CEO Summit kicks off",
        "Business leaders including Nvidia's Jensen Huang are attending the four-day forum hosted "
        "by the Korea Chamber of Commerce and Industry.",
        at(3),
    ),
    Item(
        "c2",
        "Chey Tae-won opens APEC CEO Summit, calls for cooperation amid trade uncertainty",
        "Korea Chamber of Commerce and Industry chairman Chey Tae-won opened the business forum "
        "in Gyeongju.",
        at(5),
    ),
]
EVERYTHING = KOREA_DEAL + JAPAN_DEAL + TAIWAN_QUAKE + MOROCCO_QUAKE + APEC_SUMMIT + APEC_SIDE_EVENT


def grouped(items: list[Item]) -> set[frozenset[str]]:
    index = StoryIndex()
    index.add(items)
    return {frozenset(ids) for ids in index.members.values()}


def set_items(name: str, *events: str) -> list[Item]:
    """The articles of a labelled set (bench/stories/) at their real times: of these events,
    or of all of them."""
    stories = json.loads((HERE / name).read_text())["stories"]
    return [
        Item(f"{event}#{n}", title, summary, datetime.fromisoformat(published).timestamp())
        for event in events or sorted(stories)
        for n, (_, published, title, summary, _) in enumerate(stories[event])
    ]


def test_paraphrases_of_one_event_join_and_same_topic_events_stay_apart() -> None:
    assert grouped(EVERYTHING) == {
        frozenset(group)
        for group in (
            {"k1", "k2", "k3"},
            {"j1", "j2"},
            {"t1", "t2"},
            {"m1", "m2"},
            {"a1", "a2"},
            {"c1", "c2"},
        )
    }


def test_central_banks_stand_for_their_countries() -> None:
    """Two central banks cutting rates the same week are two stories told in the same words;
    outlets name the bank ("Federal Reserve", "BOK"), not the country, and each names its
    own ("Fed" alone is also a verb: "Fed by")."""
    fed = [
        Item(
            "f1",
            "Fed cuts rates by a quarter point, signals slower pace of easing ahead",
            "The central bank cut its benchmark rate by a quarter percentage point and "
            "projected fewer cuts next year.",
            at(0),
        ),
        Item(
            "f2",
            "Federal Reserve lowers key rate by a quarter point, sees fewer cuts next year",
            "Policymakers cut the benchmark rate by 25 basis points and signaled a slower pace "
            "of easing.",
            at(1),
        ),
    ]
    bok = [
        Item(
            "b1",
            "BOK cuts key rate by a quarter point, signals slower pace of easing ahead",
            "The central bank cut its benchmark rate by a quarter percentage point as inflation "
            "cooled.",
            at(2),
        ),
        Item(
            "b2",
            "Bank of Korea lowers key rate by a quarter point",
            "Policymakers cut the benchmark rate by 25 basis points, the first cut in years.",
            at(3),
        ),
    ]
    assert grouped(fed + bok) == {frozenset({"f1", "f2"}), frozenset({"b1", "b2"})}
    assert terms("Federal Reserve and BoJ hold; the ECB cuts") == [
        "@usa",
        "@japan",
        "hold",
        "@eu",
        "cut",
    ]
    assert terms("Children Fed by Aid Convoy") == ["children", "fed", "aid", "convoy"]  # a verb


def test_a_third_country_the_lede_names_keeps_no_report_out_of_its_story() -> None:
    """A headline naming two countries states what a report is about; where the summit was
    held or where a leader flew on to, named in the lede alone, is beside the point.
    Countries the headlines name still keep two events apart."""
    summit = [
        Item(
            "x1",
            "US and China agree to cut tariffs and ease rare earth curbs after talks",
            "The two leaders met at an air base in Busan, South Korea, on Thursday and agreed "
            "to cut fentanyl tariffs and pause rare earth export curbs for a year.",
            at(0),
        ),
        Item(
            "x2",
            "Trump says US agreed with China to cut tariffs, pause rare earth curbs",
            "Speaking aboard Air Force One on the way home from Japan, Trump said he agreed "
            "with Xi to cut fentanyl tariffs while China pauses rare earth export curbs.",
            at(1),
        ),
    ]
    assert grouped(summit + KOREA_DEAL + JAPAN_DEAL) == {
        frozenset({"x1", "x2"}),
        frozenset({"k1", "k2", "k3"}),
        frozenset({"j1", "j2"}),
    }


def test_a_partner_named_in_the_lede_alone_keeps_two_deals_apart() -> None:
    """Two deals told in the same headline naming only the US are told apart by the partner
    each lede names."""
    deals = [
        Item(
            f"{partner[0]}{n}",
            headline,
            f"The agreement with {partner} caps levies on cars and most goods at 15% and "
            "brings billions of dollars of investment.",
            at(n + 2 * (partner == "Japan")),
        )
        for partner in ("South Korea", "Japan")
        for n, headline in enumerate(
            (
                "US strikes trade deal that caps tariffs at 15%",
                "US clinches trade deal capping tariffs at 15%",
            )
        )
    ]
    assert grouped(deals) == {frozenset({"S0", "S1"}), frozenset({"J0", "J1"})}


def test_a_country_one_lede_names_in_passing_keeps_no_report_out_of_its_story() -> None:
    """A headline naming one country is about that one: the country its lede names where
    the leaders met sets it apart from no report of the same meeting, though that report's
    headline names two others. Two reports whose headlines name different countries, neither
    named by the other, stay apart."""
    meeting = [
        Item(
            "m1",
            "Trump cuts China tariffs after meeting Xi",
            "Trump and Xi Jinping met for two hours at an air base in Busan, South Korea, and "
            "agreed a one-year truce on rare earths and fentanyl tariffs.",
            at(0),
        ),
        Item(
            "m2",
            "US and China agree truce: tariffs cut, rare earth curbs paused",
            "Trump said after meeting Xi Jinping that fentanyl tariffs would fall to 10% and "
            "rare earth curbs would pause for a year.",
            at(1),
        ),
    ]
    plants = [
        Item(
            f"p{n}",
            f"Pfizer to build $2 billion vaccine plant in {country}",
            "The drugmaker said the plant would employ 1,500 people and open in 2027.",
            at(n),
        )
        for n, country in enumerate(("Turkey", "Indonesia"))
    ]
    assert grouped(meeting + plants) == {
        frozenset({"m1", "m2"}),
        frozenset({"p0"}),
        frozenset({"p1"}),
    }


def test_korean_reports_of_one_deal_join_and_the_us_japan_deal_stays_apart() -> None:
    """In Korean as in English: two outlets' reports of the US–Korea deal, written with other
    endings ("협상을 타결했다", "관세협상 타결"), are one story; the US–Japan deal told in
    the same words ("미일" for "한미") is another."""
    items = [
        Item(
            "yonhap",
            "한미 관세협상 최종 타결…대미 투자 3500억 달러",
            "한국과 미국이 29일 경주에서 열린 정상회담에서 관세 협상을 최종 타결했다.",
            at(1),
        ),
        Item(
            "hankyung",
            "한미, 관세협상 타결…자동차 관세 15% 유지",
            "이재명 대통령과 트럼프 대통령은 경주 정상회담에서 관세 협상을 타결했다.",
            at(1.5),
        ),
        Item(
            "japan",
            "미일 관세협상 타결…자동차 관세 15%",
            "일본과 미국이 관세 협상을 최종 타결했다. 자동차 관세는 15%로 낮아진다.",
            at(2),
        ),
    ]
    assert grouped(items) == {frozenset({"yonhap", "hankyung"}), frozenset({"japan"})}


def test_korean_words_are_read_without_their_endings_and_name_their_countries() -> None:
    """Particles and verb endings come off ("미국과", "타결했다"); a country's name, its
    pair ("한미", "韓·美"), its character ("北", "美"), "toward" it ("대미") or its central
    bank ("한은") are the countries the English names are read as; a two-syllable noun keeps
    an ending-like end ("국가", "회의"); a longer word is its syllable pairs, so a compound
    written whole ("관세협상") meets one written apart ("관세 협상")."""
    assert terms("미국과 한국은 관세 협상을 타결했다") == ["@usa", "@korea", "관세", "협상", "타결"]
    assert terms('北, 탄도미사일 발사…美 "규탄"') == [
        "@northkorea",
        *("탄도", "도미", "미사", "사일"),
        "발사",
        "@usa",
        "규탄",
    ]
    assert terms("韓·美 정상회담 경주서") == ["@korea", "@usa", "정상", "상회", "회담", "경주"]
    assert terms("기업들은 한미간 합의를 환영했다") == ["기업", "@korea", "@usa", "합의", "환영"]
    assert terms("[속보] 대미 투자, 남북 회담") == ["@usa", "투자", "@korea", "@northkorea", "회담"]
    assert terms("국가 회의 도쿄") == ["국가", "회의", "@japan"]
    assert terms("APEC서 정상회담") == terms("APEC 정상회담")
    assert {"관세", "협상"} <= set(terms("관세협상 타결")) & set(terms("관세 협상 타결"))
    assert terms("한은 기준금리 3.00%로 인하") == ["@korea", "기준", "준금", "금리", "3%", "인하"]
    assert terms("정부는 대책을 밝혔다") == ["정부", "대책"]  # "said" says nothing of the event
    # a Korean report shares its countries and numbers with an English one
    assert {"@korea", "@usa", "15%"} <= set(terms("한미, 관세 15% 합의")) & set(
        terms("South Korea and US agree on 15% tariffs")
    )


def test_korean_pairs_written_with_a_dot_and_a_character_with_its_particle_name_countries() -> None:
    """Headlines write a pair with a dot or a dash ("한·미", "미-일") and a country's character
    with a particle ("韓에"): each names its countries, so the deals stay apart written so."""
    assert terms("한·미 관세협상") == terms("한미 관세협상")
    assert terms("한·미·일 회담")[:3] == ["@korea", "@usa", "@japan"]
    assert terms("미-일 합의") == ["@usa", "@japan", "합의"]
    assert terms("美, 韓에 관세 부과")[:2] == ["@usa", "@korea"]
    for dotted in (
        [
            ("k", "한·미 관세협상 타결…자동차 관세 15%"),
            ("j", "미·일 관세협상 타결…자동차 관세 15%"),
        ],
        [("k", "美, 韓에 관세 15% 부과"), ("j", "美, 日에 관세 15% 부과")],
    ):
        items = [
            Item(ident, title, "관세 협상을 최종 타결했다.", at(n))
            for n, (ident, title) in enumerate(dotted)
        ]
        assert grouped(items) == {frozenset({"k"}), frozenset({"j"})}


def test_korean_words_that_only_look_like_countries_or_numbers_are_read_as_what_they_are() -> None:
    """A verb's ending off leaves no country ("인도했다": handed over, not India); a
    country's forces, side and goods are the country's ("북한군", "미측", "중국산"); a unit
    after a number and an update tag's number say nothing; a single-syllable noun counts
    ("핵"); another script's characters are not read as Korean (a Japanese date's 日 is no
    Japan, while its Tokyo is)."""
    assert terms("범인을 인도했다") == ["범인", "인도"]
    assert terms("인도 총리") == ["@india", "총리"]
    assert terms("북한군 파병, 미측 반발, 중국산 철강") == [
        "@northkorea",
        "파병",
        "@usa",
        "반발",
        "@china",
        "철강",
    ]
    assert terms("2025년에 176명, 15%에서") == ["2025", "176", "15%"]
    assert terms("[종합2보] 北 핵실험") == ["@northkorea", "핵실", "실험"]
    assert terms("이란 핵 합의") == ["@iran", "핵", "합의"]
    assert terms("10月29日、会談") == ["10", "29", "会", "談"]
    assert terms("10月29日、東京で会談") == ["10", "29", "@japan", "会", "談"]
    assert terms("미러 설치, 방한 용품") == ["미러", "설치", "방한", "용품"]


def test_japanese_and_chinese_are_read_character_by_character_and_name_their_countries() -> None:
    """Chinese and Japanese write no spaces: a run of Chinese characters is read character by
    character, katakana as one word, hiragana (grammar) not at all; countries by name, pair,
    and the one-character names beside another or where they can only be the country."""
    assert terms("日米関税交渉が合意") == ["@japan", "@usa", "関", "税", "交", "渉", "合", "意"]
    assert set(terms("関税交渉")) == set(terms("関税の交渉"))
    assert {"花", "莲", "地", "震"} <= set(terms("台湾花莲县海域发生地震")) & set(terms("花莲地震"))
    assert terms("トランプ大統領、日本との協定") == [
        "トランプ",
        "大",
        "統",
        "領",
        "@japan",
        "協",
        "定",
    ]
    assert terms("中美元首在釜山会晤") == ["@china", "@usa", "元", "首", "釜", "山", "会", "晤"]
    assert terms("アメリカと中国") == ["@usa", "@china"]
    assert terms("訪米した首相") == ["@usa", "首", "相"]  # visiting the US
    assert terms("米軍")[0] == "@usa" and terms("米大統領")[0] == "@usa"
    assert terms("驻华大使") == ["@china", "大", "使"]
    assert terms("APEC首脳会議") == ["apec", "首", "脳", "会", "議"]
    # units after numbers say nothing; words that only hold a country's character are words
    assert terms("5日に日本へ") == ["5", "@japan"]
    assert terms("5日に日本海へ") == ["5", "日", "本", "海"]  # the Sea of Japan, not Japan
    assert terms("2025年10月29日") == ["2025", "10", "29"]
    assert terms("中東情勢") == ["中", "東", "情", "勢"]  # the Middle East, not China
    assert terms("台風10号") == ["台", "風", "10"]  # a typhoon, not Taiwan
    assert terms("北米市場") == ["北", "米", "市", "場"]  # North America, not the US


def test_a_sea_named_after_a_country_is_the_sea() -> None:
    """A missile that fell in the Sea of Japan is North Korea's story, not Japan's: the report
    that names the sea and the one that quotes Seoul are one story (Japan and South Korea,
    each named by one report only, kept them apart), and the US–Mexico tariff story is not
    the Gulf of Mexico's hurricane's."""
    missile = [
        Item(
            "m1",
            "North Korea fires ballistic missile into Sea of Japan",
            "The short-range missile flew about 300 km before falling into the Sea of Japan.",
            at(0),
        ),
        Item(
            "m2",
            "North Korea fires short-range ballistic missile, South Korea says",
            "The missile flew about 300 km after launching from near Pyongyang, the military said.",
            at(0.5),
        ),
    ]
    assert grouped(missile) == {frozenset({"m1", "m2"})}
    assert terms("Sea of Japan") == ["seaofjapan"]
    assert terms("SOUTH CHINA SEA") == terms("South China Sea") == ["southchinase"]  # one word
    assert terms("Gulf of America") == terms("Gulf of Mexico") == ["gulfofmexic"]  # one word
    assert terms("Japan, China and Mexico") == ["@japan", "@china", "@mexico"]


def test_chinese_and_japanese_words_that_hold_a_countrys_character_are_words() -> None:
    """A one-character name is a country only where it can only be one: not between kana
    ("この日は": this day), not what a number's unit left ("6日朝": the sixth's morning), not
    before a country's full name ("透露美国": reveals … the US, no Russia), not in the words
    it is part of ("豪華" luxurious, "中美洲" Central America, "朝方" the morning); a place that
    holds a country's name is the place ("内蒙古"); Japanese words of the characters Chinese
    joins with keep those characters ("被害", "与党"), as Korean's "與" (the ruling party) does."""
    for text in ("その中で", "この日は", "朝から雨", "6日朝", "5日中に", "豪華", "中美洲", "朝方"):
        assert not [t for t in terms(text) if t.startswith("@")], text
    assert terms("透露美国") == ["透", "露", "@usa"]
    assert terms("今日中国") == ["今", "日", "@china"]
    assert "@mongolia" not in terms("内蒙古")
    assert "@japan" not in terms("日本海に向けて")  # the Sea of Japan
    for force in ("日本海上自卫队舰艇", "日本海军", "日本海警"):  # Japan's forces at sea
        assert "@japan" in terms(force), force
    assert terms("被害") == ["被", "害"] and terms("与党") == ["与", "党"]
    assert terms("與野 대치") == ["與", "野", "대치"]
    # a unit after a number says nothing, in Chinese characters or katakana
    assert terms("12千米 100ドル 0.5个百分点") == ["12", "100", "0.5"]
    assert terms("米、") == ["@usa"] and terms("對美") == ["@usa"] and terms("中印")[1] == "@india"


def test_a_long_summary_without_spaces_is_read_to_its_ledes_last_sentence() -> None:
    """Chinese and Japanese write no spaces: a summary longer than the lede is cut at the
    lede's last sentence end, not read as nothing (a cut between words finds no space)."""
    sentence = "中国人民银行宣布下调存款准备金率0.5个百分点。"
    lede = _lede(sentence * 40)
    assert lede and lede.endswith("。") and len(lede) <= LEDE
    assert _lede("中" * 1000) == "中" * LEDE  # no sentence end within it either
    assert _lede("rate " * 100) == " ".join(["rate"] * 80)  # a space-written one as before


def test_japanese_reports_of_one_deal_join_and_the_us_korea_deal_stays_apart() -> None:
    """Three Japanese outlets' wording of the US–Japan deal is one story; the US–Korea deal
    told in the same words is another (a Japanese headline read whole met nothing)."""
    items = [
        Item(
            "nhk",
            "日米関税交渉が合意 相互関税15% トランプ大統領が発表",
            "トランプ大統領は日本との関税交渉で合意したと発表した。自動車関税も15%に引き下げる。",
            at(1),
        ),
        Item(
            "nikkei",
            "日米関税合意、自動車15% 日本は5500億ドル投資",
            "日米両政府は関税交渉で合意した。日本は米国に5500億ドルを投資する。",
            at(1.5),
        ),
        Item(
            "korea",
            "米韓関税交渉が合意 自動車関税15% トランプ大統領が発表",
            "トランプ大統領は韓国との関税交渉で合意したと発表した。自動車関税は15%とする。",
            at(2),
        ),
    ]
    assert grouped(items) == {frozenset({"nhk", "nikkei"}), frozenset({"korea"})}


SVB = [  # three outlets' first reports of Silicon Valley Bank's failure (bench/stories/fresh.json)
    Item(
        "reuters",
        "US regulators shut Silicon Valley Bank in biggest failure since 2008",
        "California regulators closed SVB Financial's Silicon Valley Bank and put it under the"
        " FDIC after a run on deposits by tech start-ups.",
        at(0),
    ),
    Item(
        "cnn",
        "Silicon Valley Bank collapses after depositors rush to pull out cash",
        "The tech-focused lender was taken over by the Federal Deposit Insurance Corporation,"
        " the second-largest bank failure in US history.",
        at(1.2),
    ),
    Item(
        "bbc",
        "SVB: Start-up lender's collapse sends shockwaves through banking shares",
        "Shares of US banks tumbled as the failure of Silicon Valley Bank raised fears for other"
        " lenders exposed to rising interest rates.",
        at(3.5),
    ),
]


def test_a_report_that_meets_a_story_as_a_whole_joins_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """JoongAng's report that the National Assembly voted to lift martial law (bench/stories/
    korean.json) shares the decree with Yonhap's and Hankyoreh's reports of it and the
    assembly with SBS's of the troops at its gates, and meets none of them enough alone; it
    meets the story they told together (the sum of their articles), and joins it."""
    items = set_items("korean.json")
    decree, hankyoreh, troops, vote = (f"martial-law-2024#{n}" for n in range(4))
    index = StoryIndex()
    index.add(items)
    assert len({index.story_of[i] for i in (decree, hankyoreh, troops, vote)}) == 1
    monkeypatch.setattr(StoryIndex, "_sum_in", lambda *args: None)  # articles one by one only
    alone = StoryIndex()
    alone.add(items)
    assert alone.story_of[vote] != alone.story_of[decree]
    assert alone.story_of[decree] == alone.story_of[hankyoreh] == alone.story_of[troops]


@pytest.mark.parametrize("event", ["louvre-heist-2025", "barnier-falls-2024"])
def test_a_desks_first_reports_of_an_event_join_though_it_has_read_little(event: str) -> None:
    """Three outlets' first reports of the Louvre heist ("thieves steal jewels", "daylight
    robbery of crown jewels", "heist at the Louvre"), or of Barnier's fall ("topple",
    "ousted", "government falls"), are all a desk has read. Among three articles, the words
    they share ("Louvre", "jewels") are in all of them and would look common, and "minister"
    as rare as "Louvre"; rarity starts from ordinary text's counts instead (the prior), and
    they are one story."""
    items = set_items("fresh.json", event)
    assert len(items) == 3
    index = StoryIndex()
    index.add(items)
    assert len(set(index.story_of.values())) == 1


def test_a_prior_that_cannot_be_read_is_said_and_stories_are_grouped_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A broken install (the table missing, or a line of it garbled) loses no story: the
    grouping says so once and goes on without the prior's words."""
    from fetchers import stories

    for text in (None, "# header\nminister\tseven\n"):
        table = tmp_path / "word_prior.tsv"
        if text is not None:
            table.write_text(text)
        monkeypatch.setattr(stories, "PRIOR_FILE", table)
        monkeypatch.setattr(stories, "_PRIOR", None)
        caplog.clear()
        index = StoryIndex()
        index.add(TAIWAN_QUAKE)
        assert len(set(index.story_of.values())) == 1
        assert index._prior == {}
        assert "cannot read the prior of ordinary words" in caplog.text
        StoryIndex().add(MOROCCO_QUAKE)
        assert caplog.text.count("cannot read the prior") == 1  # said once a process


def test_reports_hours_apart_need_fewer_shared_words_than_reports_a_day_apart() -> None:
    """AP's report of the Texas floods ("girls missing from summer camp") and Reuters' five
    hours later ("search on for missing campers") share the flood, the Guadalupe River and
    the missing, little of their words: so close in time they are one story. Reports of one
    event come hours apart; two events told alike in the same hours are rarer than over
    days, so the similarity needed rises from 0.22 at the same moment to 0.3 a day apart.
    The same two reports 30 hours apart are two stories."""
    ap, reuters, _ = set_items("fresh.json", "texas-floods-2025")
    assert 4.9 * 3600 < reuters.when - ap.when < 5.1 * 3600
    index = StoryIndex()
    index.add([ap, reuters])
    assert index.story_of[ap.id] == index.story_of[reuters.id]
    later = Item(reuters.id, reuters.title, reuters.summary, ap.when + 30 * 3600)
    apart = StoryIndex()
    apart.add([ap, later])
    assert apart.story_of[ap.id] != apart.story_of[later.id]


MORANDI_FIRST = (
    "Genova, crolla il ponte Morandi sull'A10: auto e camion nel vuoto",
    "Un tratto del viadotto sul Polcevera è venuto giù durante un violento temporale; si "
    "temono numerose vittime, sul posto vigili del fuoco e soccorritori.",
)
MORANDI_TOLL = (
    "Strage del ponte Morandi, decine di morti sotto le macerie",
    "Circa duecento metri della struttura sono precipitati sul greto del torrente, sulla "
    "ferrovia e sui capannoni sottostanti; i soccorritori scavano tra il cemento in cerca di "
    "superstiti.",
)
MORANDI_START = datetime(2018, 8, 14, 10, 5, tzinfo=UTC).timestamp()


def _morandi(index: StoryIndex, hours: float, second_outlet: str = "Corriere della Sera") -> bool:
    """Whether ANSA's first report of the Morandi bridge's fall and Corriere's of its toll,
    `hours` apart, are one story in `index`."""
    index.add(
        [
            Item("first", *MORANDI_FIRST, MORANDI_START, "ANSA"),
            Item("toll", *MORANDI_TOLL, MORANDI_START + hours * 3600, second_outlet),
        ]
    )
    return index.story_of["first"] == index.story_of["toll"]


def test_two_outlets_angles_on_one_event_join_by_a_rare_name_both_headlines_give() -> None:
    """ANSA's first report of the Morandi bridge's fall in Genoa and Corriere's of its toll
    3.4 hours later share three words (Morandi, the bridge, the rescuers): a similarity of
    0.18, under the 0.23 two reports that near ask. Both headlines give the name Morandi,
    which the grouping has hardly read: two outlets' angles on what happened there, one
    story. Not so a day later, nor one outlet's own two reports (a local site names its town
    in every headline), nor when the grouping has read the name in many articles (a name in
    the news all day asks the usual similarity)."""
    assert _morandi(StoryIndex(), 3.4)
    assert not _morandi(StoryIndex(), 30)
    assert not _morandi(StoryIndex(), 3.4, second_outlet="ANSA")
    busy = StoryIndex()  # the painter Giorgio Morandi's shows, read long before
    busy.add(
        [
            Item(
                f"other{n}",
                f"Morandi, la mostra numero {n} della città",
                "Una nuova mostra a Bologna per il pittore Giorgio Morandi, con le sue opere.",
                0.0,
                "",
            )
            for n in range(stories.RARE_NAME + 1)
        ]
    )
    assert not _morandi(busy, 3.4)


def test_german_nouns_two_reports_share_are_no_rare_name() -> None:
    """German writes every noun with a capital, so its headlines' "names" are nouns: a
    warehouse fire in Hamburg and a chemical plant's in Leverkusen four hours apart share
    "Großbrand", read by no article before, and were one story by the rare-name rule."""
    start = datetime(2025, 3, 4, 6, tzinfo=UTC).timestamp()
    index = StoryIndex()
    index.add(
        [
            Item(
                "hamburg",
                "Großbrand in Lagerhalle in Hamburg: Feuerwehr im Großeinsatz",
                "In einer Lagerhalle im Hamburger Hafen ist am Morgen ein Großbrand ausgebrochen. "
                "Die Feuerwehr ist mit 200 Einsatzkräften vor Ort.",
                start,
                "Spiegel",
            ),
            Item(
                "leverkusen",
                "Großbrand in Chemiewerk bei Leverkusen: Anwohner sollen Fenster schließen",
                "Im Chemiepark Leverkusen ist ein Großbrand ausgebrochen. Die Feuerwehr warnt "
                "Anwohner und bittet, Fenster und Türen geschlossen zu halten.",
                start + 4 * 3600,
                "Tagesschau",
            ),
        ]
    )
    assert index.story_of["hamburg"] != index.story_of["leverkusen"]


COLUMN = [  # one outlet's daily market column: a headline of the same words each day
    "Stock market today: Dow rises as traders weigh Fed minutes",
    "Stock market today: Dow slips as oil prices jump",
    "Stock market today: Dow rallies on chip earnings",
    "Stock market today: Dow ends flat ahead of jobs report",
]
COLUMN_LEDE = "Here is what is moving markets on Wall Street today."


def test_an_outlets_daily_column_is_a_story_a_day_not_one_story_a_month() -> None:
    """AP's "Stock market today" column says the same words every day: without its outlet
    known it is one story as long as the column runs (each day's meets the day before's).
    Known to be AP's alone, a column a day or more after the story's last report is
    another day's story; another outlet's report of that day's market joins that day's
    column, and so does AP's own update two hours later."""
    days = [Item(f"ap{d}", title, COLUMN_LEDE, at(24 * d)) for d, title in enumerate(COLUMN)]
    anonymous = StoryIndex()
    anonymous.add(days)
    assert len({anonymous.story_of[i.id] for i in days}) == 1
    column = [Item(i.id, i.title, i.summary, i.when, "AP") for i in days]
    same_day = [
        Item("ap-update", "Stock market today: Dow rises further as Fed minutes land",
             COLUMN_LEDE, at(24 + 2), "AP"),
        Item("reuters", "Dow slips as oil prices jump on supply worries",
             "Wall Street's main indexes fell as oil prices jumped.", at(24 + 1), "Reuters"),
    ]  # fmt: skip
    index = StoryIndex()
    index.add(column + same_day)
    assert len({index.story_of[i.id] for i in column}) == len(column)
    assert index.story_of["ap-update"] == index.story_of["ap1"]  # hours later: joins
    assert index.story_of["reuters"] == index.story_of["ap1"]
    # a restart weighs the window again from the stored articles, outlets and all
    restarted = StoryIndex()
    restarted.restore({index.story_of[i.id]: [i.id] for i in column[:3]}, lambda: column[:3])
    restarted.add(column[3:])
    assert restarted.story_of["ap3"] == story_id("ap3")


def test_an_outlet_renamed_keeps_its_column_a_story_a_day() -> None:
    """The config renamed AP "Associated Press": the window still knew yesterday's column as
    another outlet's, so today's instalment under the new name joined it, a story of two
    outlets. Told the rename, the index knows them one outlet's."""
    days = [Item(i.id, i.title, i.summary, i.when, "AP") for i in _column_days()]
    index = StoryIndex()
    index.add(days[:1])
    index.rename_outlets({"AP": "Associated Press"})
    today = days[1]
    index.add([Item(today.id, today.title, today.summary, today.when, "Associated Press")])
    assert index.story_of["ap1"] == story_id("ap1") != index.story_of["ap0"]
    unrenamed = StoryIndex()  # (what the window made of it without being told)
    unrenamed.add(days[:1])
    unrenamed.add([Item(today.id, today.title, today.summary, today.when, "Associated Press")])
    assert unrenamed.story_of["ap1"] == unrenamed.story_of["ap0"]


def test_a_cycles_renames_reach_the_writers_story_window(tmp_path: Path) -> None:
    """The newsroom's cycle names the sources it renamed; the story desk's index takes them
    (the window of a writer that runs on)."""
    from fetchers.newsroom import Cycle
    from fetchers.store import Store

    when = datetime.fromtimestamp(at(0), UTC)
    with Store(tmp_path / "data", writer=True) as store:
        store.add_batch([Article("ap0", "AP", COLUMN[0], None, when, when, COLUMN_LEDE)])
        desk = storybook.StoryDesk(store, tmp_path / "data")
        desk.after_cycle(Cycle([], ["ap0"]))
        assert desk.running is not None
        desk.running.result()
        store.rename_sources({"AP": "Associated Press"})
        desk.after_cycle(Cycle([], [], renames=[("AP", "Associated Press")]))
        desk.running.result()
        index = desk.book.index
        assert index is not None and index._docs["ap0"][7] == "Associated Press"
        desk.close()


def test_two_outlets_that_swap_names_swap_in_the_window() -> None:
    """Renamed one at a time, two swapped names left both outlets' window articles under
    one name."""
    index = StoryIndex()
    index.add([Item("a1", COLUMN[0], COLUMN_LEDE, at(0), "A"), Item("c1", "Quake hits Iwate",
               "A strong quake struck.", at(1), "C")])  # fmt: skip
    index.rename_outlets({"A": "C", "C": "A"})
    assert (index._docs["a1"][7], index._docs["c1"][7]) == ("C", "A")


def _column_days() -> list[Item]:
    return [Item(f"ap{d}", title, COLUMN_LEDE, at(24 * d)) for d, title in enumerate(COLUMN)]


def test_a_story_several_outlets_reported_is_joined_by_their_reports_a_day_later() -> None:
    """Yonhap's and Reuters' reports of the tariff deal are one story; Yonhap's follow-up
    the next day joins it (the story is not one outlet's column), and so does Reuters'."""
    deal = [
        Item("y1", "Trump lowers tariffs on Korea to 15% after $350 billion investment deal",
             "The US will impose a 15% tariff on South Korean imports, down from 25%.",
             at(0), "Yonhap"),
        Item("r1", "Trump says US and South Korea reach trade deal with 15% tariff",
             "South Korea will invest $350 billion in the US under the deal.", at(1), "Reuters"),
        Item("y2", "Korea's $350 billion investment under tariff deal to flow through fund",
             "Seoul said the $350 billion pledged under the 15% tariff deal will flow through a"
             " fund.", at(25), "Yonhap"),
    ]  # fmt: skip
    index = StoryIndex()
    index.add(deal)
    assert len({index.story_of[i.id] for i in deal}) == 1


def test_what_an_outlet_adds_to_every_report_is_not_what_two_reports_share() -> None:
    """A wire's dateline ("SEOUL, Oct. 23 (Yonhap) --") and WordPress's "The post ...
    appeared first on <site>." are said alike by every report of their outlet: two reports of
    one site an hour apart, a council's budget and a school's final, shared the site's name
    and the footer's words (and "school"), and were one story."""
    footer = "The post {} appeared first on Riverside Daily Gazette."
    site = [
        Item("budget", "City council approves new budget for schools",
             "The council voted 7-2 to approve the budget. "
             + footer.format("City council approves new budget for schools"), at(0), "Gazette"),
        Item("bakery", "Local bakery wins regional award",
             "The family-run bakery took the top prize. "
             + footer.format("Local bakery wins regional award"), at(0.5), "Gazette"),
        Item("final", "High school team heads to state final",
             "The Tigers beat the Eagles 21-14 on Friday night. "
             + footer.format("High school team heads to state final"), at(1), "Gazette"),
    ]  # fmt: skip
    index = StoryIndex()
    index.add(site)
    assert len({index.story_of[i.id] for i in site}) == 3
    assert _lede(site[0].summary) == "The council voted 7-2 to approve the budget. "
    for dated, lede in [
        ("SEOUL, Oct. 23 (Yonhap) -- The Bank of Korea kept its rate.", "The Bank of Korea"),
        ("WASHINGTON (AP) — The Senate passed the bill.", "The Senate"),
        ("LONDON, Oct 24 (Reuters) - Britain's economy grew.", "Britain's economy"),
        ("SÃO PAULO, Oct 24 (Reuters) - Brazil's economy grew.", "Brazil's"),
        ("TORONTO (The Canadian Press) — A storm hit.", "A storm"),
        # no dateline
        ("NATO allies met (in Brussels) - and agreed.", "NATO allies"),
        ("EU, US strike tariff deal (Update 1) — Brussels agreed.", "EU, US strike"),
        ("AI (Artificial Intelligence) — the tech giants' race.", "AI (Artificial"),
        ("WHO (World Health Organization) - a new strain.", "WHO (World"),
    ]:
        assert _lede(dated).startswith(lede), dated
    assert "yonhap" not in terms(_lede("SEOUL, Oct. 23 (Yonhap) -- Samsung unveiled a phone."))


def test_a_lede_or_last_sentence_its_outlet_said_of_its_last_reports_is_not_read() -> None:
    """A site whose every summary is "Click here to read the full story on <site>", or ends
    "Continue reading on <site> »", gave three unrelated reports of an hour those words in
    common, and one story. What its last reports said too is not read: each report is read
    by what it says of itself. Another outlet's same sentence is read (a wire's copy)."""
    notice = "Click here to read the full story on the Riverside Gazette website."
    more = " Continue reading on Hillside Herald »"
    gazette = [
        Item("budget", "Council approves budget", notice, at(0), "Gazette"),
        Item("bakery", "Bakery wins award", notice, at(0.2), "Gazette"),
        Item("final", "Team heads to final", notice, at(0.4), "Gazette"),
    ]
    herald = [
        Item("tigers", "Tigers reach state final", "The Tigers beat the Eagles." + more, at(0),
             "Herald"),
        Item("fair", "County fair opens", "The fair opened on Friday." + more, at(0.6),
             "Herald"),
    ]  # fmt: skip
    for site in (gazette, herald):
        index = StoryIndex()
        index.add(site)
        assert len({index.story_of[i.id] for i in site}) == len(site)
    said = frozenset(stories._unrepeated("The Tigers beat the Eagles." + more, frozenset())[1])
    assert stories._unrepeated("The fair opened on Friday." + more, said)[0] == (
        "The fair opened on Friday."
    )
    assert stories._unrepeated(notice, said)[0] == notice  # said by no last report
    wire = "A magnitude 7.4 earthquake struck off Taiwan's east coast, toppling buildings."
    copies = [
        Item("ap", "Strong quake hits Taiwan", wire, at(0), "AP"),
        Item("abc", "Earthquake strikes off Taiwan's east coast", wire, at(0.5), "ABC News"),
    ]
    index = StoryIndex()
    index.add(copies)
    assert index.story_of["ap"] == index.story_of["abc"]


def test_headlines_alone_that_share_a_name_and_nothing_else_are_not_one_story() -> None:
    """A feed of headlines alone: three reports naming Trump within the hour, each of
    something else, were one story, and so were Nvidia's earnings and its new chip. Two
    headlines of one event share more than a name."""
    trump = [
        Item("drugs", "Trump signs order on drug prices", "", at(0), "A"),
        Item("japan", "Trump to visit Japan next week", "", at(0.5), "B"),
        Item("tariffs", "Trump says tariffs will stay", "", at(0.8), "C"),
    ]
    nvidia = [
        Item("earnings", "Nvidia shares jump after earnings beat", "", at(0), "A"),
        Item("chip", "Nvidia unveils new AI chip at GTC", "", at(0.5), "B"),
    ]
    quake = [
        Item("q1", "Magnitude 7.4 earthquake strikes Taiwan", "", at(0), "A"),
        Item("q2", "Taiwan hit by 7.4 quake, buildings topple", "", at(0.3), "B"),
    ]
    for headlines, stories_made in ((trump, 3), (nvidia, 2), (quake, 1)):
        index = StoryIndex()
        index.add(headlines)
        assert len({index.story_of[i.id] for i in headlines}) == stories_made


def test_what_an_outlet_said_last_goes_with_its_articles() -> None:
    """What an outlet's last reports said is theirs: an article the store lets go takes its
    lede with it (a restart would not know it), and an outlet silent for a window is
    forgotten, as its articles' vectors are."""
    notice = "Click here to read the full story on the Riverside Gazette website."
    index = StoryIndex()
    index.add([Item(f"g{n}", f"Local news {n}", notice, at(n), "Gazette") for n in range(3)])
    assert [entry[1] for entry in index._recently_said["Gazette"]] == ["g0", "g1", "g2"]
    index.drop(["g1"])
    assert [entry[1] for entry in index._recently_said["Gazette"]] == ["g0", "g2"]
    index.add([Item("x", "Another outlet's report", "Its lede.", at(24 * 8), "Herald")])
    assert "Gazette" not in index._recently_said and "Herald" in index._recently_said


def test_an_aggregators_credit_of_the_outlet_is_not_a_word_reports_share() -> None:
    """Google News ends each headline with the outlet ("- Reuters") and its summary with the
    outlet's name again: the Fed's hike and Apple's phones, both Reuters' an hour apart, were
    one story by "Reuters" alone (weighed twice in their headlines). CNBC's report of the
    hike still joins Reuters'; a title whose dash is not followed by a name, or whose
    summary does not end with it, keeps its words."""
    google = [
        Item("fed", "Fed raises rates by a quarter point - Reuters",
             "Fed raises rates by a quarter point\xa0\xa0Reuters", at(0), "Google News"),
        Item("apple", "Apple unveils new iPhone lineup - Reuters",
             "Apple unveils new iPhone lineup\xa0\xa0Reuters", at(0.5), "Google News"),
        Item("cnbc", "Fed lifts rates a quarter point, signals more to come - CNBC",
             "Fed lifts rates a quarter point, signals more to come  CNBC", at(1), "Google News"),
    ]  # fmt: skip
    index = StoryIndex()
    index.add(google)
    assert index.story_of["fed"] != index.story_of["apple"]
    assert index.story_of["fed"] == index.story_of["cnbc"]
    assert stories._as_read("Live: Lyon protests — latest updates", "… — latest updates") == (
        None,
        "Live: Lyon protests — latest updates",
        "… — latest updates",
    )
    assert stories._as_read("Biden - Trump debate: what to know", "A preview.")[1] == (
        "Biden - Trump debate: what to know"
    )
    # a summary that repeats its headline (or a headline made from a summary) credits no one
    score = "Liverpool 2 - 1 Chelsea"
    assert stories._as_read(score, score) == (None, score, score)


def test_an_aggregators_outlets_are_the_ones_it_credits() -> None:
    """One Google News feed carries many outlets: Reuters' daily column through it is a
    story a day, and a story that Reuters and the AP reported, both through that feed,
    is joined by Reuters' follow-up a day later."""
    feed = "Google News"
    column = [
        Item(f"col{d}", f"{title} - Reuters", f"{title}  Reuters", at(24 * d), feed)
        for d, title in enumerate(COLUMN[:3])
    ]
    index = StoryIndex()
    index.add(column)
    assert len({index.story_of[i.id] for i in column}) == 3
    story = [
        Item("r1", "Volcano erupts in Iceland, lava flows toward Grindavik - Reuters",
             "Volcano erupts in Iceland, lava flows toward Grindavik  Reuters", at(0), feed),
        Item("a1", "Iceland volcano erupts near Grindavik, residents evacuated - AP News",
             "Iceland volcano erupts near Grindavik, residents evacuated  AP News", at(1), feed),
        Item("r2", "Lava from Iceland volcano reaches Grindavik homes - Reuters",
             "Lava from Iceland volcano reaches Grindavik homes  Reuters", at(26), feed),
    ]  # fmt: skip
    index = StoryIndex()
    index.add(story)
    assert len({index.story_of[i.id] for i in story}) == 1


def test_an_outlets_own_reports_leave_their_candidate_places_to_other_outlets() -> None:
    """An outlet's ten updates of an eruption fill the four places of candidates compared
    with its report of it a day later; they are passed over (`SERIES_HOURS`), and the other
    outlet's report they crowded out is compared in their place, and joined."""
    lava = "Iceland volcano Grindavik lava eruption"
    updates = [
        Item(f"x{n}", f"{lava} update {n}", f"{lava} fissure update {n}", at(n / 10), "X")
        for n in range(10)
    ]
    other = Item("y", f"{lava} residents evacuated", f"{lava} fissure town", at(0.5), "Y")
    later = Item("x-next", f"{lava} reaches homes", f"{lava} fissure town homes", at(27), "X")
    index = StoryIndex()
    index.add([*updates, other, later])
    assert index.story_of["x-next"] == index.story_of["y"]


def test_the_prior_is_of_the_words_as_the_grouping_reads_them() -> None:
    """The prior's table was made by reading words as `terms` does (bench/wordprior.py):
    everyday words of each language it covers are in it, as their terms, commoner than
    the rare ones."""
    from fetchers.stories import PRIOR_ARTICLES, _prior

    prior = _prior()
    for word in ["government", "officials", "minister", "said", "대통령", "政府", "首相"]:
        for term in terms(word):
            assert 0 < prior.get(term, 0) < PRIOR_ARTICLES, (word, term)
    assert prior.get(terms("government")[0], 0) > prior.get(terms("minister")[0], 0)
    assert not {
        term for word in ["Louvre", "Chandrayaan", "Gyeongju"] for term in terms(word)
    } & set(prior)


def test_a_report_whose_heaviest_words_are_new_finds_the_story_by_the_words_it_shares() -> None:
    """The Guardian's report of the landing is mostly words no earlier article had ("Isro",
    "craft", "attempt"): its heaviest words, the ones it is filed under, find nothing, as
    the words it shares with Reuters' ("moon", "pole", "land") were in the week's earlier
    reports of Russia's probe and India's. It finds Reuters' report by those, and joins it."""
    luna = [
        Item(
            f"luna{n}",
            "Russia's Luna-25 probe crashes into the moon before its landing near the south pole",
            "The spacecraft was to be the first to land near the lunar south pole.",
            at(-150 + n),
        )
        for n in range(3)
    ] + [
        Item(
            f"orbit{n}",
            "India's Chandrayaan-3 enters lunar orbit",
            "The country's space agency said the craft would try to land near the south pole.",
            at(-140 + n),
        )
        for n in range(3)
    ]
    reuters = Item(
        "reuters",
        "India lands spacecraft near moon's south pole, a first",
        "India's Chandrayaan-3 touched down near the lunar south pole, making it the fourth "
        "country to land on the moon.",
        at(0),
    )
    guardian = Item(
        "guardian",
        "India becomes first country to land craft near Moon's south pole",
        "Isro's success comes four years after its previous attempt ended in a crash.",
        at(2),
    )
    index = StoryIndex()
    index.add([*luna, reuters, guardian])
    assert index.story_of["guardian"] == index.story_of["reuters"]


def test_a_storys_sum_holds_its_window_articles_only() -> None:
    """A story's sum is made when a second article joins it, loses each article that leaves
    the window, and goes with the last: a poller running for months keeps no sum of old
    stories."""
    index = StoryIndex()
    index.add(SVB[:1])
    assert not index._sums  # a story of one article is that article
    index.add(SVB[1:])
    (summed,) = index._sums.values()
    assert summed.count == 3
    index.add([Item("later", "Quorvex plindor stravik", "Mendal ostrava", at(74))])
    assert summed.count == 1  # the two first left the window (72 hours before the newest)
    index.add([Item("much-later", "Tarvox bellin", "Frindle gobmar", at(80))])
    assert not index._sums  # the last went too
    index.drop(["later", "much-later"])
    assert not index._lone


def test_a_storys_sum_is_exact_whatever_order_its_articles_came_and_went() -> None:
    """Articles added and taken in any order leave the very sum of those still in it (whole
    numbers, not floats that round differently in each order): a process that dropped
    articles in another order groups the next ones alike."""
    from array import array

    from fetchers.stories import _StorySum

    articles = [
        (("bank", "svb", "collaps"), array("d", [1.7, 2.9, 0.4]), 3.4),
        (("bank", "lender", "failur"), array("d", [0.3, 1.1, 2.2]), 2.5),
        (("svb", "start", "lender"), array("d", [2.6, 0.9, 1.3]), 3.0),
    ]
    one, other = _StorySum(), _StorySum()
    for words, weights, norm in articles:
        one.add(words, weights, norm)
    one.take(*articles[0])
    for words, weights, norm in reversed(articles[1:]):
        other.add(words, weights, norm)
    assert (one.weights, one.square, one.count) == (other.weights, other.square, other.count)
    assert "collaps" not in one.weights  # a word only the leaving article had goes with it


def test_two_earthquakes_told_alike_in_two_smaller_countries_stay_apart() -> None:
    quakes = [
        Item(
            f"{country[0]}{n}",
            headline.format(country),
            f"A magnitude 6.1 earthquake struck {country} on Tuesday, damaging buildings and "
            "sending residents into the streets, officials said.",
            at(n * 0.5 + (country == "Albania")),
        )
        for country in ("Greece", "Albania")
        for n, headline in enumerate(
            (
                "Strong earthquake shakes {}, buildings damaged",
                "{} earthquake: buildings damaged as strong quake hits",
            )
        )
    ]
    assert grouped(quakes) == {frozenset({"G0", "G1"}), frozenset({"A0", "A1"})}


IWATE = [
    Item(
        "i1",
        "Magnitude 6.7 earthquake strikes off Iwate, tsunami advisory issued",
        "A magnitude 6.7 earthquake struck off the coast of Iwate prefecture in northeastern "
        "Japan on Monday, the Japan Meteorological Agency said, issuing a tsunami advisory.",
        at(0),
        "Kyodo",
    ),
    Item(
        "i2",
        "Strong quake hits northeastern Japan's Iwate prefecture",
        "A strong earthquake with a preliminary magnitude of 6.7 hit Iwate prefecture, shaking "
        "buildings in Morioka; there were no immediate reports of damage.",
        at(0.4),
        "Reuters",
    ),
    Item(
        "i3",
        "M6.7 quake off Iwate coast prompts tsunami advisory for northeastern Japan",
        "Japan's weather agency issued a tsunami advisory after a 6.7 magnitude earthquake off "
        "Iwate.",
        at(0.7),
        "NHK World",
    ),
]
KUMAMOTO = [
    Item(
        "k1",
        "M5.9 earthquake shakes Kumamoto in southern Japan",
        "A magnitude 5.9 earthquake shook Kumamoto prefecture on the southern island of Kyushu, "
        "the Japan Meteorological Agency said. There is no tsunami risk.",
        at(3),
        "Japan Times",
    ),
    Item(
        "k2",
        "Quake rattles Kumamoto, no tsunami risk",
        "An earthquake of magnitude 5.9 rattled Kumamoto in southern Japan on Monday evening; "
        "no tsunami warning was issued, the weather agency said.",
        at(3.5),
        "AP",
    ),
]


@pytest.mark.parametrize("order", ["iwate first", "kumamoto first", "interleaved"])
def test_two_earthquakes_in_one_country_told_alike_the_same_day_stay_apart(order: str) -> None:
    """An earthquake off Iwate and one in Kumamoto hours later, in one country and the same
    words (earthquake, tsunami, magnitude, prefecture, the weather agency), were one story,
    its first report the other quake's: their headlines name different places and their
    reports give different magnitudes. A later aftershock report of Iwate joins Iwate."""
    items = {
        "iwate first": [*IWATE, *KUMAMOTO],
        "kumamoto first": [*KUMAMOTO, *IWATE],
        "interleaved": [IWATE[0], KUMAMOTO[0], IWATE[1], KUMAMOTO[1], IWATE[2]],
    }[order]
    aftershock = Item(
        "i4",
        "M5.1 aftershock hits Iwate after strong quake",
        "A magnitude 5.1 aftershock struck off Iwate prefecture, hours after the 6.7 earthquake "
        "that prompted a tsunami advisory, the Japan Meteorological Agency said.",
        at(5),
        "Kyodo",
    )
    assert grouped([*items, aftershock]) == {
        frozenset({"i1", "i2", "i3", "i4"}),
        frozenset({"k1", "k2"}),
    }


def test_the_seismologists_an_earthquake_report_quotes_name_no_country() -> None:
    """Reports quote the US Geological Survey, the EMSC or Germany's GFZ whichever country
    shook: two reports of one quake quoting different ones are one story."""
    quotes = (
        "the U.S. Geological Survey",
        "the European-Mediterranean Seismological Centre",
        "the German Research Centre for Geosciences",
    )
    reports = [
        Item(
            f"r{n}",
            "Magnitude 6.2 earthquake strikes near Izmir, buildings collapse",
            f"The quake struck western Turkey at a depth of 10 km, {quote} said.",
            at(n),
        )
        for n, quote in enumerate(quotes)
    ]
    assert grouped(reports) == {frozenset({"r0", "r1", "r2"})}


def test_a_wire_story_republished_near_verbatim_joins() -> None:
    wire = Item(
        "w1",
        "S. Korea, US remain far apart on key sticking points in tariff talks: presidential aide",
        "South Korea and the United States remain far apart on key sticking points in tariff "
        "negotiations, a presidential aide said Friday.",
        at(0),
    )
    copy = Item(
        "w2",
        "S. Korea, US remain far apart on key sticking points in tariff talks: aide",
        "South Korea and the United States remain far apart on key sticking points in their "
        "tariff negotiations, a presidential aide said on Friday.",
        at(0.2),
    )
    assert grouped([wire, copy, *JAPAN_DEAL]) == {frozenset({"w1", "w2"}), frozenset({"j1", "j2"})}


def test_the_same_words_days_apart_are_two_stories() -> None:
    later = [Item(f"{i.id}-later", i.title, i.summary, i.when + 5 * 86400) for i in TAIWAN_QUAKE]
    stories = grouped(EVERYTHING + later)
    assert frozenset({"t1", "t2"}) in stories
    assert frozenset({"t1-later", "t2-later"}) in stories


def test_grouping_is_deterministic_whatever_the_arrival_order() -> None:
    one, two = StoryIndex(), StoryIndex()
    one.add(EVERYTHING)
    two.add(list(reversed(EVERYTHING)))
    assert one.story_of == two.story_of
    # the story is named after its first article: a restart or a rebuild names it the same
    assert one.story_of["k2"] == story_id("k1")


def test_a_paced_grouping_rests_between_slices_and_groups_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A writer's dashboard groups in slices with rests, so its screen keeps the interpreter
    most of the time; the stories are the ones grouping all at once gives, also when old
    articles leave the window between slices."""
    copies = [
        Item(f"{item.id}-{n}", item.title, item.summary, item.when + n * 4 * 86400)
        for n in range(30)  # the same events again every four days: 360 articles
        for item in EVERYTHING
    ]
    whole = StoryIndex()
    add_paced(whole, copies, pace=False)
    rests: list[float] = []
    monkeypatch.setattr("fetchers.storybook.time.sleep", rests.append)
    paced = StoryIndex()
    add_paced(paced, copies, pace=True)
    assert len(rests) == -(-len(copies) // SLICE_ARTICLES) - 1
    assert paced.members == whole.members
    assert sum(len(ids) > 1 for ids in whole.members.values()) >= 5 * 30  # outlets joined


def test_a_paced_grouping_orders_many_articles_a_step_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dashboard's first grouping of a big store orders its articles in steps, giving the
    screen's thread the interpreter between them (one sort of a million held it for a fifth
    of a second), before it places the first; the stories are the same."""
    copies = [
        Item(f"{item.id}-{n}", item.title, item.summary, item.when + n * 4 * 86400)
        for n in range(30)
        for item in reversed(EVERYTHING)  # (not in time order: there is sorting to do)
    ]
    whole = StoryIndex()
    add_paced(whole, copies, pace=False)
    monkeypatch.setattr("fetchers.storybook.time.sleep", lambda _: None)
    monkeypatch.setattr("fetchers.stepwise.STEP", 100)
    sorts: list[int] = []

    def counting_sorted(items: list[Item], **kw: Any) -> list[Item]:
        sorts.append(len(items))
        return sorted(items, **kw)

    monkeypatch.setattr("fetchers.stepwise.sorted", counting_sorted, raising=False)
    given: list[str] = []
    monkeypatch.setattr("fetchers.storybook.give_way", lambda: given.append("way"))
    paced = StoryIndex()
    placing = paced.add

    def add(items: list[Item], readings: stories.Readings | None = None) -> list[str]:
        given.append("placed")
        return placing(items, readings)

    monkeypatch.setattr(paced, "add", add)
    add_paced(paced, copies, pace=True)
    first = given.index("placed")
    assert first >= len(copies) // 100  # each step of the order gave way
    assert sorts and max(sorts) <= 100  # and no sort took more than a step
    assert paced.members == whole.members


def test_a_first_grouping_beside_a_screen_lets_go_of_what_it_read_a_step_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A dashboard's first grouping of a store reads every article whole; it lets go of them
    a step at a time (at a million, freed in one call, they held the screen's interpreter
    a fifth of a second). A grouping with no screen beside it lets go as it returns."""
    from fetchers import storybook
    from fetchers.store import Store
    from fetchers.storybook import StoryBook

    data = tmp_path / "d"
    items = sorted(seeded_articles(count=60, days=1.0), key=lambda i: (i.when, i.id))
    with Store(data, writer=True) as store:
        store.add_batch(outlet_articles(items))
    emptied: list[tuple[int, int]] = []
    real = storybook.emptied_stepwise

    def emptying(held: list[Any], between: Any = None) -> None:
        before = len(held)
        real(held, between)
        emptied.append((before, len(held)))

    monkeypatch.setattr(storybook, "emptied_stepwise", emptying)
    with Store(data) as viewer:
        paced = StoryBook(data).shelf(viewer, pace=True)
        assert emptied == [(60, 0)]
        whole = StoryBook(data).shelf(viewer)
    assert emptied == [(60, 0)]
    assert [s.articles for s in paced.stories] == [s.articles for s in whole.stories]


def test_a_paced_grouping_settles_what_it_made_before_the_collector_resumes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dashboard's grouping pauses the garbage collector while it places a slice, and the
    heap is settled (`settle_on_resume`: a dashboard freezes what was made, once it is many
    objects) before the collector resumes: its first pass after the pause would otherwise
    walk everything made meanwhile (at a million articles, the window the first slice
    weighs: a collection of about a second, the screen frozen). Each settle comes while the
    collector is still paused, with the restored window weighed in the first slice too."""
    copies = [
        Item(f"{item.id}-{n}", item.title, item.summary, item.when + n * 4 * 86400)
        for n in range(4)
        for item in EVERYTHING
    ]
    settled: list[bool] = []
    monkeypatch.setattr("fetchers.storybook.time.sleep", lambda seconds: None)
    was_enabled = gc.isenabled()
    gc.enable()
    unsettle = settle_on_resume(lambda: settled.append(gc.isenabled()))
    try:
        index = StoryIndex()
        restored = {story_id(item.id): [item.id] for item in copies[:12]}
        index.restore(restored, lambda: copies[:12])  # weighed when the first new one comes
        add_paced(index, copies[12:], pace=True)
        assert len(settled) == -(-len(copies[12:]) // SLICE_ARTICLES)
        assert not any(settled)  # each before the collector resumed
        assert gc.isenabled()  # and it resumed
        settled.clear()
        whole = StoryIndex()
        add_paced(whole, copies, pace=False)
        assert settled == [False]
    finally:
        unsettle()
        if not was_enabled:
            gc.disable()


def test_saving_stories_sets_off_no_garbage_collection_per_story() -> None:
    """The stories file is made a line of stories at a time. Made from a list of every
    (story, articles) pair first, a save of a million stories set off the garbage collector
    over and over inside that one call (0.7-0.8 s with the interpreter held, a dashboard's
    screen frozen, at every cycle's save); the file says the same either way."""
    members = {story_id(f"a{n}"): [f"a{n}", f"b{n}"] for n in range(50_000)}
    collections: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.callbacks.append(note)
    try:
        data = b"".join(storybook._story_lines(members))
    finally:
        gc.callbacks.remove(note)
    assert len(collections) <= 2  # about 70 when each pair was made first
    header, *lines = data.decode().splitlines()
    assert json.loads(header) == {"format": storybook.FORMAT}
    assert len(lines) == 50
    read: dict[str, list[str]] = {}
    for line in lines:
        read.update(json.loads(line))
    assert read == members and list(read) == list(members)


def test_making_every_story_sets_off_no_garbage_collection() -> None:
    """`wirewatch stories` makes every story of the store: millions of objects that hold no
    cycle. The collector's passes over them as they were made took three times as long as
    making them (20 s for a million articles' stories, 16 s paused)."""
    index = StoryIndex()
    index.members = {story_id(f"a{n}"): [f"a{n}"] for n in range(30_000)}
    index.members[story_id("b0")] = ["b0", "b1"]
    index.story_of = {i: sid for sid, ids in index.members.items() for i in ids}

    class Headlines:
        list_window = None

        def query_ids(self, limit: int | None = None) -> list[str]:
            return list(index.story_of)

        def headlines(self, ids: list[str]) -> list[Record]:
            return [
                Record(i, "Outlet", f"Title {i}", fetched=2.0 if i[0] == "b" else 1.0) for i in ids
            ]

        def fetch_times(
            self, sources: Iterable[str], since: float | None = None
        ) -> dict[str, list[float]]:
            return {s: [1.0, 2.0] for s in sources}

    collections: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    gc.collect()
    gc.callbacks.append(note)
    try:
        stories = storybook.stories_of(index, Headlines())  # type: ignore[arg-type]
    finally:
        gc.callbacks.remove(note)
    assert len(collections) <= 1  # as it resumes; over a hundred while unpaused
    assert len(stories) == 30_001 and stories[0].articles == ["b0", "b1"]


def test_countries_are_folded_and_us_is_not_the_word_us() -> None:
    assert terms("U.S. and South Korea agree on 15 percent tariff, the US told us") == [
        "@usa",
        "south",
        "@korea",
        "agre",
        "15%",
        "tariff",
        "@usa",
        "told",
    ]


def test_phrases_are_folded_whatever_the_case_of_their_words() -> None:
    """ "15 Percent" in a Title Case headline is "15%", as in another outlet's "15%"; and an
    ALL CAPS "NORTH KOREA" is North Korea, not a South Korean story's Korea."""
    assert terms("Trump Sets Tariffs at 15 Percent") == ["trump", "set", "tariff", "15%"]
    assert terms("Tariffs At 15 Per Cent") == terms("TARIFFS AT 15 PERCENT") == ["tariff", "15%"]
    assert terms("Rates Rise 2 Pct") == terms("rates rise 2%")
    assert terms("Per Cent Of Voters") == ["cent", "voter"]  # no number: no percentage
    # a phrase whose lower-case words mean something else is found capitalised only
    assert terms("Trump threatens new Mexico tariffs") == ["trump", "threaten", "@mexico", "tariff"]
    assert terms("New Mexico wildfire")[0] == "@usa"
    assert terms("Rate cut to 3.00%, 3.50%") == terms("Rate cut to 3%, 3.5%")
    assert terms("version 2.10") != terms("version 2.1")  # not a percentage: as written
    assert terms("NORTH KOREA FIRES MISSILE") == terms("North Korea fires missile")
    assert "@korea" not in terms("NORTH KOREA FIRES MISSILE")
    assert terms("UNITED STATES AND EUROPEAN UNION") == terms("United States and European Union")
    assert terms("UNITED STATES GEOLOGICAL SURVEY") == terms("U.S. Geological Survey") == ["usg"]


def test_british_and_american_spellings_and_numbers_in_words_are_one_term() -> None:
    """The BBC's spelling meets AP's, and a lede's "nine" a headline's 9; words that end
    alike in both Englishes keep what they are ("promise", "killed")."""
    for british, american in (
        ("Defence Secretary criticised", "Defense Secretary criticized"),
        ("Labour organisation", "Labor organization"),
        ("travelled, cancelled", "traveled, canceled"),
        ("neighbouring centre programme", "neighboring center program"),
        ("Quake kills nine, two hurt", "Quake kills 9, 2 hurt"),
    ):
        assert terms(british) == terms(american), british
    assert terms("promise surprise killed controlled") == ["promis", "surpris", "kill", "controll"]
    assert terms("one of the hour's") == ["hour"]  # "one" is no number as often


def test_a_word_written_closed_reads_as_the_same_words_written_open() -> None:
    """AP's "airstrike" and "cease-fire" are the BBC's "air strike" and "ceasefire", and a
    "shutdown" is a government that "shuts down": each form reads as the open one, in any
    case, plural or not, in a headline or its lede."""
    from collections import Counter

    for closed, open_ in (
        ("Israeli airstrike kills 20", "Israeli air strike kills 20"),
        ("Israeli AIRSTRIKES", "Israeli air-strikes"),
        ("Gaza ceasefire holds", "Gaza cease-fire holds"),
        ("Government shutdown begins", "Government shuts down, begins"),
        ("Strike in lockdown", "strike in lock-down"),
        ("Layoffs at Boeing", "Lay-offs at Boeing"),
        ("Shutdowns and lockdowns", "shut-downs and lock downs"),
        ("Trump reelected", "Trump re-elected"),
    ):
        assert terms(closed) == terms(open_), closed
        counted, _ = StoryIndex._counts(Item("a", closed, closed, 0.0))
        assert counted == dict(Counter(terms(closed) * 3)), closed  # the grouping's fast path
    assert terms("“Airstrike") == terms("air strike")  # beside a curly quote
    assert terms("shutting planned stopped committed") == terms("shut plan stop commit")
    # a root's own double stays ("add", "kill"), and an l is never undoubled ("controll")
    assert terms("added killed controlled") == ["add", "kill", "controll"]
    # the day the US government shut down, as three outlets told it, meets; an airport shut
    # that day does not
    told = set_items("fresh.json", "us-shutdown-2025")
    later = told[-1].when + 6 * 3600
    items = told + [
        Item("airport", "Copenhagen airport shuts down after drone sightings", "Flights "
             "were halted for hours as police investigated large drones over the runways.",
             later),
    ]  # fmt: skip
    assert grouped(items) == {frozenset(item.id for item in told), frozenset({"airport"})}


_SCRIPTS = (
    list("abcXYZ019 .,-·$%'’…[]()")
    + list("미국한일중북관세협상타결했다은는의에서")
    + list("美北韓日中月で東京")
)


@settings(max_examples=300, deadline=None)
@given(
    st.text(alphabet=st.sampled_from(_SCRIPTS) | st.characters(), max_size=40),
    st.text(alphabet=st.sampled_from(_SCRIPTS) | st.characters(), max_size=80),
)
def test_an_article_s_words_are_counted_as_terms_reads_them_whatever_the_text(
    title: str, summary: str
) -> None:
    """The grouping counts an article's words through its fast path (a chunk's one term, else
    its several); for any text, in any script, that is what `terms` reads, headline twice."""
    from collections import Counter

    counted, _ = StoryIndex._counts(Item("a", title, summary, 0.0))
    _, title, lede = stories._as_read(title, summary)  # an aggregator's credit unread
    read = Counter(terms(lede) + terms(title) * 2)
    assert counted == dict(read)


# words of the other languages read, and the capitals, accents and cases they come in
_WORDS_ABROAD = tuple(
    """
    LA La la Mit MIT mit der DER und Le le PER Per U.N. UN Un die War États-Unis État Etat
    São Łódź femenina FEMENINO apagón Straße Путина ПУТИН Путиным России ё самолёт Херсоні
    що ЦБ 16% l'Assemblée d'Apollon Weihnachtsmarkt-Anschlag Sud-Ouest się że w Kłodzku
    ve için Erdoğan'ın Türkiye'de yang dengan korbannya Airstrikes “Ceasefire” shutdown's
    Lay-offs REELECTED layoffs
    """.split()  # noqa: SIM905 - a word list reads better as words
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(_WORDS_ABROAD), max_size=12),
    st.lists(st.sampled_from(_WORDS_ABROAD) | st.text(max_size=6), max_size=20),
)
def test_words_of_other_languages_are_counted_as_terms_reads_them(
    title: list[str], summary: list[str]
) -> None:
    """The fast path and `terms` read the same words of French, German, Spanish, Russian and
    Ukrainian, in capitals or not: "LA" and "Mit" are read apart from "la" and "mit"; and an
    article in a language read by a reader of its own (Turkish, Polish, Indonesian; French,
    Spanish, Italian, Portuguese, German, Dutch) as `terms_in` reads that language."""
    from collections import Counter

    from fetchers.stories import _folded

    heading, body = " ".join(title), " ".join(summary)
    counted, _ = StoryIndex._counts(Item("a", heading, body, 0.0))
    _, heading, lede = stories._as_read(heading, body)
    chunks = _folded(heading).split() + _folded(lede).split()
    language = stories.language_of(chunks)
    if language is None:
        read = Counter(terms(lede) + terms(heading) * 2)
    else:
        read = Counter(terms_in(language, lede) + terms_in(language, heading) * 2)
    assert counted == dict(read)


def test_the_wire_s_short_forms_are_read_as_the_names_they_stand_for() -> None:
    """Wire headlines write "N.Korea" (North, not the South), "$350 bln" and "$350bn", "PRC"
    and the older "Kiev": each meets the headline that spells it out."""
    assert terms("N.Korea fires missile") == terms("North Korea fires missile")
    assert "@korea" not in terms("N.Korea fires missile")
    assert terms("$350bn pledge") == terms("$350 bln pledge") == terms("$350 billion pledge")
    assert terms("$1.2 trln, 5 mln") == terms("$1.2 trillion, 5 million")
    assert terms("PRC warns Kiev") == terms("China warns Kyiv") == ["@china", "warn", "@ukraine"]


def test_a_noun_in_ment_or_tion_is_one_term_with_its_verb() -> None:
    """One event told by a noun and by its verb ("passes impeachment motion", "votes to
    impeach") meets; shorter words keep their ending, so an apartment is not "apart" nor a
    station a "state", and a noun whose stem is another word keeps it."""
    assert terms("impeachment, election, evacuations, settlement, negotiation") == terms(
        "impeached, elected, evacuate, settled, negotiating"
    )
    assert terms("Quake kills 12") == terms("earthquakes kill 12")  # a word headlines clip
    assert terms("apartment station question") == ["apartment", "station", "question"]
    assert terms("apart state quest") == ["apart", "stat", "quest"]
    for noun, other in (("production", "product"), ("department", "departing")):
        assert terms(noun) != terms(other)
    assert terms("Harris") != terms("Harry")


def test_peoples_and_the_places_inside_other_names_are_read_as_their_countries() -> None:
    assert terms("Greeks and Iraqis") == terms("Greek and Iraqi") == ["@greece", "@iraq"]
    assert terms("Northern Ireland") == terms("the UK") == ["@uk"]
    assert terms("South Sudan") != terms("Sudan")
    assert terms("New Mexico") == ["@usa"]
    assert terms("Puerto Rican and Mark Cuban") == ["puert", "rican", "mark", "cuban"]  # no @cuba


def test_a_word_and_its_plural_are_one_term_short_words_too() -> None:
    """A headline's "rate hike" and another's "rate hikes" share both words, as "taxes" and
    "tax" do; "time" and "Tim", "care" and "cars" do not meet."""
    assert terms("rate rates hike hikes vote votes taxes tax tariff tariffs declared declares") == [
        "rate", "rate", "hike", "hike", "vote", "vote", "tax", "tax",
        "tariff", "tariff", "declar", "declar",
    ]  # fmt: skip
    assert terms("time Tim care cars") == ["time", "tim", "care", "car"]


def test_story_and_outlets_clauses_reject_malformed_values() -> None:
    with pytest.raises(QueryError, match="not a story id"):
        parse_query("story:tariffs")
    with pytest.raises(QueryError, match="give a number of outlets"):
        parse_query("outlets:many")
    with pytest.raises(QueryError, match="give a number of outlets"):
        parse_query("outlets:>=x")
    parse_query("story:s0123456789ab outlets:>=3 OR outlets:2 outlets:>1")


# -- through the command line and a feed server ------------------------------------------------
def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[dict], str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, [json.loads(line) for line in out.splitlines() if line.startswith("{")], out + err


def test_a_first_polls_stories_are_listed_newest_report_first(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """A feed's first poll brings its backlog, every article fetched the same moment: its
    stories are listed by when they were reported, newest first, not by their ids (counted
    as fetched they all tied). One dated years ahead (a publisher's clock) counts as fetched
    then, so a report of the next poll comes above it."""
    backlog = [
        ("Copper prices climb to a record in London", "Fri, 30 Oct 2099 10:00:00 GMT"),
        ("Flood waters rise along the Danube in Hungary", "Mon, 27 Oct 2025 08:00:00 GMT"),
        ("Election officials in Chile count ballots", "Tue, 28 Oct 2025 16:00:00 GMT"),
        ("Typhoon Kalmaegi makes landfall in Vietnam", "Wed, 29 Oct 2025 09:30:00 GMT"),
        ("Film festival in Busan names its winners", "Sun, 26 Oct 2025 20:00:00 GMT"),
        ("Wildfire near Marseille forces evacuations", "Tue, 28 Oct 2025 03:00:00 GMT"),
    ]
    items = [
        story_item(f"g{n}", title, f"{title}, officials said on the day.", when)
        for n, (title, when) in enumerate(backlog)
    ]
    route = Route(rss(*items))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\nurl = "{feed_server.add("/w.xml", route)}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert _run(capsys, *where, "refresh")[0] == 0
    code, stories, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0
    assert [s["title"] for s in stories] == [
        "Copper prices climb to a record in London",  # counted as fetched: today
        "Typhoon Kalmaegi makes landfall in Vietnam",
        "Election officials in Chile count ballots",
        "Wildfire near Marseille forces evacuations",
        "Flood waters rise along the Danube in Hungary",
        "Film festival in Busan names its winners",
    ]
    time.sleep(1.1)  # the next poll's clock is a second on
    now = datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S GMT")
    news = story_item("g9", "Central bank in Brazil holds its rate", "Rates were left.", now)
    route.body = rss(news, *items)
    assert _run(capsys, *where, "refresh")[0] == 0
    _, stories, _ = _run(capsys, *where, "stories", "--json")
    assert [s["title"] for s in stories][:2] == [
        "Central bank in Brazil holds its rate",
        "Copper prices climb to a record in London",
    ]


def test_a_new_sources_undated_backlog_is_no_news_of_its_stories(
    open_store, tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Zeta, added an hour after the desk read Norway's vote from Alpha and Beta, brings it
    again undated in its first poll: when it was fetched says when the desk subscribed, not
    when Zeta reported it. The story kept its newest report's time and its place below a
    later story, and Zeta had no lag (it had three hours: how late it was added). An undated
    item of a later poll is news as fetched: the story moves up, and Zeta's lag counts it."""
    noon = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)

    def item(guid: str, title: str, hours_before: float | None = None) -> str:
        if hours_before is None:  # undated
            return f"<title>{title}</title><guid>{guid}</guid>"
        when = format_datetime(noon - timedelta(hours=hours_before), usegmt=True)
        return f"<title>{title}</title><guid>{guid}</guid><pubDate>{when}</pubDate>"

    feeds = {
        "Alpha": Route(rss(item("a1", "Norway votes to keep its oil fund out of arms makers", 2))),
        "Beta": Route(rss(item("b1", "Norway's parliament keeps oil fund out of arms makers", 1))),
        "Gamma": Route(rss(item("g1", "Typhoon Kalmaegi makes landfall in central Vietnam", 0.5))),
        "Zeta": Route(rss(item("z1", "Norway votes to keep oil fund out of arms makers"))),
    }
    urls = {name: feed_server.add(f"/{name}.xml", route) for name, route in feeds.items()}
    where = _cli(open_store, tmp_path / "run")
    config = Path(where[1])
    store_lines = config.read_text()

    def refresh(hours_after: int, *names: str) -> None:
        sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{urls[n]}"\n' for n in names)
        config.write_text(f"{store_lines}\n{sources}")
        now = utc_iso(noon + timedelta(hours=hours_after)) or ""
        assert _run(capsys, *where, "refresh", "--now", now)[0] == 0

    def leads() -> dict[str, tuple[int, int | None]]:
        _, health, _ = _run(capsys, *where, "sources", "--json")
        return {h["name"]: (h["first_reports"], h["median_lag_s"]) for h in health}

    refresh(0, "Alpha", "Beta", "Gamma")
    refresh(1, "Alpha", "Beta", "Gamma", "Zeta")  # Zeta added an hour later
    _, stories, _ = _run(capsys, *where, "stories", "--json")
    assert [s["sources"] for s in stories] == [["Gamma"], ["Alpha", "Beta", "Zeta"]]
    norway = stories[1]
    assert norway["first_source"] == "Alpha" and norway["first_seen"] == "2025-11-03T10:00:00Z"
    assert norway["last_seen"] == "2025-11-03T11:00:00Z"  # Beta's report, not Zeta's fetch
    found = leads()
    assert found["Alpha"] == (1, 0) and found["Beta"] == (0, 3600) and found["Zeta"] == (0, None)

    feeds["Zeta"].body = rss(
        item("z2", "Norway's oil fund must keep out of arms makers, parliament votes"),
        item("z1", "Norway votes to keep oil fund out of arms makers"),
    )
    refresh(2, "Alpha", "Beta", "Gamma", "Zeta")
    _, stories, _ = _run(capsys, *where, "stories", "--json")
    assert [s["sources"] for s in stories] == [["Alpha", "Beta", "Zeta"], ["Gamma"]]
    assert stories[0]["last_seen"] == "2025-11-03T14:00:00Z"  # Zeta's news, as fetched
    assert leads()["Zeta"] == (0, 4 * 3600)  # that report, four hours after Alpha's


def test_a_second_poll_adds_another_outlet_to_the_story(story_desk, tmp_path: Path, capsys) -> None:
    where, routes = story_desk
    assert _run(capsys, *where, "refresh")[0] == 0
    assert (tmp_path / "d" / "stories.json").exists()  # written by the poll cycle's hook
    _, before, _ = _run(capsys, *where, "stories", "--json")
    assert [s["outlets"] for s in before] == [1, 1]
    routes["/herald.xml"].body = rss(HERALD)
    assert _run(capsys, *where, "refresh")[0] == 0
    code, stories, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0
    deal = next(s for s in stories if s["outlets"] == 2)
    assert list(deal) == [
        "id",
        "title",
        "articles",
        "sources",
        "outlets",
        "first_id",
        "first_source",
        "first_seen",
        "last_seen",
    ]
    assert deal["sources"] == ["Yonhap", "Korea Herald"]
    assert deal["first_source"] == "Yonhap" and deal["first_seen"] == "2025-10-29T10:30:00Z"
    assert deal["id"] == next(s["id"] for s in before if "Lee-Trump" in s["title"])
    assert len(deal["articles"]) == 2 and deal["first_id"] == deal["articles"][0]
    assert deal["last_seen"].endswith("Z")
    _, _, table = _run(capsys, *where, "stories")
    rows = [line for line in table.splitlines() if line.startswith("s")]
    assert len(rows) == 2 and len({row.index(" first ") for row in rows}) == 1  # aligned
    assert sorted(row.split("  ")[2].strip() for row in rows) == ["1 outlet", "2 outlets"]
    stored = stories_file(tmp_path / "d" / "stories.json")
    assert sorted(stored[deal["id"]]) == sorted(deal["articles"])  # the writer kept it

    _, shown, _ = _run(capsys, *where, "show", deal["articles"][1], "--json")
    assert shown[0]["story"] == deal["id"] and "revisions" in shown[0]

    _, listed, _ = _run(capsys, *where, "list", "outlets:>=2", "--json")
    assert sorted(a["id"] for a in listed) == sorted(deal["articles"])
    _, listed, _ = _run(capsys, *where, "list", f"story:{deal['id']}", "source:Yonhap", "--json")
    assert [a["id"] for a in listed] == [deal["first_id"]]
    # a story no longer grouped (or mistyped) says so; one that matched nothing else does not
    code, listed, said = _run(capsys, *where, "list", "story:s000000000000")
    assert code == 0 and listed == [] and "story:s000000000000: no such story now" in said
    _, _, said = _run(capsys, *where, "list", f"story:{deal['id']}", "source:Nobody")
    assert "no such story" not in said
    _, found, _ = _run(capsys, *where, "stories", "earthquake", "--json")
    assert [s["outlets"] for s in found] == [1] and "Taiwan" in found[0]["title"]
    code, _, said = _run(capsys, *where, "stories", "outlets:lots")
    assert code == 2 and "outlets:lots: give a number of outlets" in said

    _, health, _ = _run(capsys, *where, "sources", "--json")
    by_name = {h["name"]: h for h in health}
    assert by_name["Yonhap"]["first_reports"] == 1 and by_name["Yonhap"]["median_lag_s"] == 0
    assert by_name["Korea Herald"]["first_reports"] == 0
    assert by_name["Korea Herald"]["median_lag_s"] == 1800  # 30 minutes behind Yonhap


def test_a_feeds_daily_column_is_listed_as_a_story_a_day(story_desk, capsys) -> None:
    """Through the store: the outlet each stored article came from reaches the grouping, so
    a feed's column of three days is three stories (`SERIES_HOURS`)."""
    where, routes = story_desk
    routes["/yonhap.xml"].body = rss(
        *(
            story_item(f"c{d}", title, COLUMN_LEDE, f"{27 + d} Oct 2025 21:00:00 GMT")
            for d, title in enumerate(COLUMN[:3])
        )
    )
    assert _run(capsys, *where, "refresh")[0] == 0
    _, stories_listed, _ = _run(capsys, *where, "stories", "--json")
    assert len(stories_listed) == 3
    assert all(s["outlets"] == 1 and len(s["articles"]) == 1 for s in stories_listed)


def test_a_page_of_stories_is_read_from_what_the_writer_kept_without_the_store(
    story_desk, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch stories` with no query prints the newest stories the writer kept beside
    the stories file, opening no store (a million articles' took 16 s to open and group);
    the same lines as the stories made from every article, which it falls back to when
    the page is missing or was kept with another stories file."""
    from tui import cli

    where, routes = story_desk
    assert _run(capsys, *where, "refresh")[0] == 0
    routes["/herald.xml"].body = rss(HERALD)
    assert _run(capsys, *where, "refresh")[0] == 0
    viewer = cli._viewer

    def no_store(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the store was opened")

    monkeypatch.setattr(cli, "_viewer", no_store)
    code, kept, table = _run(capsys, *where, "stories", "--json")
    assert code == 0 and [s["outlets"] for s in kept] == [2, 1]
    assert _run(capsys, *where, "stories", "--limit", "1")[2].count("\n") == 1
    monkeypatch.setattr(cli, "_viewer", viewer)
    (tmp_path / "d" / storypage.NEWEST_FILE).unlink()
    code, made, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0 and made == kept


def test_a_page_of_the_newest_the_disk_refuses_is_one_line_and_written_at_the_next_cycle(
    story_desk, tmp_path: Path, capsys
) -> None:
    """The newest stories' page that cannot be written (a full disk; here a folder in its
    place) printed a Python traceback at each refresh; it is one plain line, and the page
    is written at the next cycle that can."""
    where, routes = story_desk
    assert _run(capsys, *where, "refresh")[0] == 0
    page = tmp_path / "d" / storypage.NEWEST_FILE
    page.unlink()
    page.mkdir()
    routes["/herald.xml"].body = rss(HERALD)
    code, _, output = _run(capsys, *where, "refresh")
    assert code == 0
    assert "Traceback" not in output
    (said,) = [line for line in output.splitlines() if "newest stories" in line]
    assert "could not be kept" in said and "the next" in said
    page.rmdir()
    quake = story_item(
        "y3",
        "Aftershocks rattle Hualien a day after Taiwan's strongest quake in years",
        "Aftershocks shook Hualien as rescuers searched toppled buildings.",
        "Wed, 29 Oct 2025 11:30:00 GMT",
    )
    routes["/yonhap.xml"].body = rss(YONHAP_1, YONHAP_2, quake)
    assert _run(capsys, *where, "refresh")[0] == 0
    assert page.is_file()
    code, kept, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0 and kept


def test_a_deleted_stories_file_is_rebuilt_from_the_store(
    story_desk, tmp_path: Path, capsys
) -> None:
    where, routes = story_desk
    routes["/herald.xml"].body = rss(HERALD)
    assert _run(capsys, *where, "refresh")[0] == 0
    _, kept, _ = _run(capsys, *where, "stories", "--json")
    path = tmp_path / "d" / "stories.json"
    path.unlink()
    _, rebuilt, _ = _run(capsys, *where, "stories", "--json")
    assert rebuilt == kept
    path.write_text("{not json")
    _, rebuilt, _ = _run(capsys, *where, "stories", "--json")
    assert rebuilt == kept
    assert _run(capsys, *where, "refresh")[0] == 0  # the writer's next cycle writes it again
    assert stories_file(path)  # in the current format


@pytest.mark.parametrize("twice", ["story", "article"])
def test_a_stories_file_with_an_id_written_twice_is_refused_and_kept_aside(
    story_desk, tmp_path: Path, capsys, twice: str
) -> None:
    """A story id twice (JSON keeps the last: the first one's articles would leave their
    story unsaid) or an article in two places: said, grouped again from the store, and the
    file moved aside, not overwritten, when the writer saves the stories."""
    where, routes = story_desk
    routes["/herald.xml"].body = rss(HERALD)
    assert _run(capsys, *where, "refresh")[0] == 0
    _, kept, _ = _run(capsys, *where, "stories", "--json")
    deal = next(s for s in kept if s["outlets"] == 2)
    quake = next(s for s in kept if s["outlets"] == 1)
    first, second = deal["articles"]
    if twice == "story":
        stories = f'"{deal["id"]}": ["{first}"], "{deal["id"]}": ["{second}"]'
    else:
        stories = f'"{deal["id"]}": ["{first}", "{second}"], "x": ["{second}"]'
    quakes = json.dumps(quake["articles"])
    written = f'{{"format": 1, "stories": {{{stories}, "{quake["id"]}": {quakes}}}}}'
    path = tmp_path / "d" / "stories.json"
    path.write_text(written)
    _, read, said = _run(capsys, *where, "stories", "--json")
    assert sorted(a for s in read for a in s["articles"]) == sorted(
        [first, second, *quake["articles"]]
    )
    assert [len(s["articles"]) for s in read] == [len(s["articles"]) for s in kept]
    assert "stories.json: " in said and " twice; the stories are grouped again" in said
    assert path.read_text() == written  # a reader changes nothing
    assert _run(capsys, *where, "refresh")[0] == 0  # the writer saves the stories anew
    assert (tmp_path / "d" / "stories.json.refused").read_text() == written
    assert stories_file(path)  # in the current format


def _weighed_ids(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The ids of the articles the grouping weighs from now on, in the order weighed."""
    weighed: list[str] = []
    vector = StoryIndex._vector

    def counted(self: StoryIndex, item: Item):  # type: ignore[no-untyped-def]
        weighed.append(item.id)
        return vector(self, item)

    monkeypatch.setattr(StoryIndex, "_vector", counted)
    return weighed


def _book_of(tmp_path: Path, members: dict[str, list[str]]) -> StoryBook:
    book = StoryBook(tmp_path)
    book.index = StoryIndex()
    book.index.members = members
    return book


def test_a_big_stories_file_is_parsed_a_line_of_stories_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A million articles' stories parsed in one call hold the interpreter (and a dashboard's
    screen) for seconds: each parse takes at most a line of stories."""
    members = {f"s{n:05d}": [f"a{n:05d}", f"b{n:05d}"] for n in range(2500)}
    assert _book_of(tmp_path, dict(members)).save()
    assert stories_file(tmp_path / "stories.json") == members
    parsed: list[int] = []

    def counting(real: Callable[..., object]) -> Callable[..., object]:
        def loads(text: bytes | str, **kw: object) -> object:
            out = real(text, **kw)
            parsed.append(len(out) if isinstance(out, dict) else 0)
            return out

        return loads

    monkeypatch.setattr(storybook.json, "loads", counting(storybook.json.loads))
    monkeypatch.setattr(storybook.orjson, "loads", counting(storybook.orjson.loads))
    saved = StoryBook(tmp_path)._load_file()
    assert saved is not None and saved.members == members
    assert saved.story_of == {i: sid for sid, ids in members.items() for i in ids}
    assert max(parsed) <= storybook.LINE_STORIES < len(members)
    assert sum(parsed) == len(members) + 1  # each line once (and the header)


def test_the_stories_file_is_read_a_line_at_a_time_never_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stories file is read line by line: at a million articles it is 30 MB, and the
    file in memory whole, then cut into its lines, held that twice or three times beside
    the stories themselves (and copying it held the interpreter a tenth of a second)."""
    import tracemalloc

    long = "x" * 200  # ids as long as a guid can be: the file outweighs the maps made of it
    members = {story_id(f"a{n}"): [f"{long}{n}-{k}" for k in range(3)] for n in range(20_000)}
    monkeypatch.setattr(storybook, "LINE_STORIES", 100)  # 200 lines, each 1/200 of the file
    path = tmp_path / "stories.json"
    path.write_bytes(b"".join(storybook._story_lines(members)))
    size = path.stat().st_size
    tracemalloc.start()
    try:
        saved = StoryBook(tmp_path)._load_file()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert saved is not None and saved.members == members
    assert peak - held < size / 2  # beyond what is kept: about a line, never the file


def test_a_story_id_written_twice_in_one_line_of_the_stories_file_is_refused(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A line is parsed in C when its keys are all different; a key written twice there
    (which the parser would take the last of) is found and refused, and an id holding the
    characters that end a key reads as it is."""
    odd = 'a":["2'
    lines = ['{"format": 2}', json.dumps({"s1": ["a1"], "s2": [odd]})]
    (tmp_path / "stories.json").write_text("\n".join(lines) + "\n")
    assert StoryBook(tmp_path)._load_file() == (
        {"s1": ["a1"], "s2": [odd]},
        {"a1": "s1", odd: "s2"},
    )
    lines[1] = '{"s1": ["a1"],"s2":["a2"],"s1":["a3"]}'  # two keys end `":[` as three do
    (tmp_path / "stories.json").write_text("\n".join(lines) + "\n")
    book = StoryBook(tmp_path)
    assert book._load_file() is None and book.refused
    assert "'s1' is written twice" in caplog.text


@pytest.mark.parametrize("twice", ["story", "article"])
def test_an_id_written_twice_on_two_lines_of_the_stories_file_is_refused(
    tmp_path: Path, twice: str, caplog: pytest.LogCaptureFixture
) -> None:
    lines = ['{"format": 2}', '{"s1": ["a1", "a2"]}']
    lines.append('{"s1": ["a3"]}' if twice == "story" else '{"s2": ["a2"]}')
    (tmp_path / "stories.json").write_text("\n".join(lines) + "\n")
    book = StoryBook(tmp_path)
    assert book._load_file() is None and book.refused
    assert "twice; the stories are grouped again" in caplog.text


def test_a_stories_file_of_the_first_format_is_read_and_saved_in_the_current_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "stories.json"
    path.write_text(json.dumps({"format": 1, "stories": {"s1": ["a1", "a2"], "s2": ["a3"]}}))
    book = StoryBook(tmp_path)
    loaded = book._load_file()
    assert loaded is not None
    saved = loaded.members
    assert saved == {"s1": ["a1", "a2"], "s2": ["a3"]}
    assert _book_of(tmp_path, saved).save()
    assert stories_file(path) == saved


# -- the grouping of a fixed, seeded set: faster code must group exactly the same --------------
PLACE_NAMES = ["Seoul", "South Korea", "Tokyo", "Japan", "the United States", "U.S.", "Beijing"]
PLACE_NAMES += ["Washington", "Taiwan", "Morocco", "Kyiv", "Moscow", "the EU", "North Korea", "UK"]
GLUE = ["the", "of", "and", "to", "in", "said", "on", "after", "amid", "as", "with", "over"]
NUMBERS = ["", "15%", "$350 billion", "7.4", "25 percent", "1,200", "3.5 pct"]


def seeded_articles(seed: int = 17, count: int = 3000, days: float = 8.0) -> list[Item]:
    """Events of one to six outlets over `days` (so vectors expire and leave their words'
    lists): each event's articles share some of five words (rare ones, or everyday ones for
    a brief), name its countries and its number, among Zipf-drawn words, some so common that
    they find no candidates."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    made = {"".join(rng.choice(letters) for _ in range(rng.randint(3, 10))) for _ in range(2500)}
    vocab = sorted(made)
    rng.shuffle(vocab)
    vocab = [w + rng.choice(["", "", "s", "ed", "ing", "es"]) for w in vocab]
    cumulative = list(itertools.accumulate(1.0 / (rank + 1) for rank in range(len(vocab))))
    out: list[Item] = []
    event = 0
    while len(out) < count:
        common = rng.random() < 0.15  # a brief in everyday words: few probes, or none
        words = vocab[:40] if common else vocab
        core = rng.sample(vocab[4:40] if common else vocab[300:], 5)
        places = rng.sample(PLACE_NAMES, rng.choice([0, 1, 1, 2]))
        number = rng.choice(NUMBERS)
        start = 1.75e9 + rng.uniform(0, days * 86400)
        for outlet in range(rng.randint(1, 6)):
            drawn = rng.choices(words, cum_weights=cumulative[: len(words)], k=24)
            glue = rng.choices(GLUE, k=6)
            head = rng.sample(core, 3) + drawn[:4] + places[: rng.randint(0, len(places))]
            if number and rng.random() < 0.7:
                head.append(number)
            rng.shuffle(head)
            title = " ".join(head).capitalize() + rng.choice(["", ":", ",", "?"])
            body = rng.sample(core, rng.randint(1, 4)) + drawn[4:] + glue + places
            rng.shuffle(body)
            when = start + outlet * rng.uniform(60, 7200)
            out.append(Item(f"a{event}-{outlet}", title, " ".join(body) + ".", when))
        event += 1
    return out[:count]


def digest(index: StoryIndex) -> tuple[int, str]:
    rows = sorted(f"{sid}:{','.join(sorted(ids))}" for sid, ids in index.members.items())
    return len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def test_a_fixed_seeded_set_is_grouped_exactly_as_pinned() -> None:
    items = sorted(seeded_articles(), key=lambda i: (i.when, i.id))
    cycles = [items[n : n + 250] for n in range(0, len(items), 250)]
    running = StoryIndex()
    for n, cycle in enumerate(cycles[:8]):
        running.add(cycle)
        if n == 5:
            running.drop([i.id for i in items[:40:3]])  # retention removed a few
    # a restart: the saved stories and the last 72 hours of articles, then more cycles
    held = [i for i in items[:2000] if i.id in running.story_of]
    restarted = StoryIndex()
    recent = [i for i in held if i.when >= held[-1].when - 72 * 3600]
    restarted.restore({sid: list(ids) for sid, ids in running.members.items()}, lambda: recent)
    for cycle in cycles[8:]:
        running.add(cycle)
        restarted.add(cycle)
    assert digest(running) == (879, "7bbb7310cd4dcb38")
    assert digest(restarted) == (882, "93586312f6fdc714")  # word rarity restarts from the window


def test_a_short_report_looks_its_story_up_by_its_heaviest_words_not_its_first() -> None:
    """A report of a few words (a feed of headlines and a stock line) looks candidates up by
    its heaviest words, the volcano's, not by the first of its text: the market words that
    every filler has find only fillers."""
    fillers = [
        Item(
            f"f{n}",
            f"Item{chr(97 + n % 26)}{chr(97 + n // 26)} report",
            "market prices stocks bonds",
            at(n / 10),
        )
        for n in range(30)
    ]
    first = Item("v1", "Volcano erupts near Reykjavik", "", at(4))
    second = Item("v2", "Volcano erupts near Reykjavik", "market prices stocks bonds", at(5))
    index = StoryIndex()
    index.add([*fillers, first, second])
    assert index.story_of["v2"] == index.story_of["v1"]


def test_the_seeded_sets_events_are_found_as_stories() -> None:
    """Each event of the seeded set is its outlets' articles: most pairs of one event share a
    story, and most pairs a story holds are of one event (pair precision and recall; 0.47
    and 0.53 when candidates were looked up by an article's rarest words whether or not any
    article was filed under them, 0.21 and 0.21 by the rarest filings among all its words).
    Its words are made up: the prior of ordinary text (`stories._prior`) knows none of them,
    so in the first thousands of articles their commonest are taken for rarer than they are
    (precision 0.54, against 0.67 with no prior), as a desk's first hours in a language the
    prior does not read would be."""
    items = seeded_articles()
    index = StoryIndex()
    index.add(items)
    precision, recall = pairs_found(index.story_of, {i.id: i.id.split("-")[0] for i in items})
    assert precision >= 0.5 and recall >= 0.8, (precision, recall)


def test_stories_loaded_from_the_file_become_the_index_without_a_copy_and_group_on_alike(
    tmp_path: Path,
) -> None:
    """A million articles' stories read back are taken by the index as loaded (the loader
    made each article's story as it checked that none is listed twice), not copied into
    maps of their own; grouping then goes on exactly as from a copy."""
    items = sorted(seeded_articles(count=1200), key=lambda i: (i.when, i.id))
    running = StoryIndex()
    running.add(items[:900])
    book = _book_of(tmp_path, running.members)
    assert book.save()
    loaded = StoryBook(tmp_path)._load_file()
    assert loaded is not None and loaded.story_of == running.story_of
    taken, copied = StoryIndex(), StoryIndex()
    taken.restore(loaded.members, lambda: items[:900], story_of=loaded.story_of)
    assert taken.members is loaded.members and taken.story_of is loaded.story_of
    copied.restore({sid: list(ids) for sid, ids in running.members.items()}, lambda: items[:900])
    taken.add(items[900:])
    copied.add(items[900:])
    assert digest(taken) == digest(copied)
    assert taken.story_of == copied.story_of


def test_opening_stories_up_to_date_makes_no_set_of_every_stored_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening the saved stories checks for articles the store lost by counting: a set of
    every stored id (40 MB at a million) is made only when some are gone, and those leave
    their stories."""
    from fetchers.store import Store

    items = seeded_articles(count=300, days=6.0)
    now = datetime.fromtimestamp(max(i.when for i in items) + 60, UTC)
    sets: list[int] = []
    made = storybook.set_stepwise
    monkeypatch.setattr(storybook, "set_stepwise", lambda ids: sets.append(len(ids)) or made(ids))
    with Store(tmp_path, writer=True) as store:
        store.add_batch([_wire_article(i) for i in items])
        StoryBook(tmp_path).update(store, [i.id for i in items], removed=False)
        assert sets == []
        assert set(StoryBook(tmp_path).read(store).story_of) == {i.id for i in items}
        assert sets == []
        assert store.apply_retention(4, now) > 0  # the file still names what went
        kept = set(store.query_ids())
        index = StoryBook(tmp_path).read(store)
        assert set(index.story_of) == kept and sets == [len(kept)]
        assert {i for ids in index.members.values() for i in ids} == kept


def _with_outlets(items: list[Item]) -> list[Item]:
    """Seeded articles from seven outlets, three of which end every summary with a notice."""
    out = []
    for n, item in enumerate(items):
        outlet = f"outlet{n % 7}"
        notice = f" Read the full story on {outlet}'s site." if n % 7 < 3 else ""
        out.append(Item(item.id, item.title, item.summary + notice, item.when, outlet))
    return out


@pytest.mark.parametrize("outlets", [False, True], ids=["no outlets", "outlets and notices"])
def test_a_restarted_grouping_weighs_only_the_restored_articles_a_new_one_can_meet(
    monkeypatch: pytest.MonkeyPatch, outlets: bool
) -> None:
    """A process's first cycle (a `refresh` run every few minutes) restores two windows of
    recent articles: those more than a window before its first new article leave the window
    as that one is placed, so their words are only counted for rarity, not weighed and
    filed. The stories are the same as when every restored article is weighed first, and
    so are the words counted, an outlet's notice read as its last reports said it too."""
    items = sorted(seeded_articles(count=1800, days=6.0), key=lambda i: (i.when, i.id))
    if outlets:
        items = _with_outlets(items)
    held, fresh = items[:1500], items[1500:]
    running = StoryIndex()
    running.add(held)
    saved = {sid: list(ids) for sid, ids in running.members.items()}
    weighed = _weighed_ids(monkeypatch)
    whole = StoryIndex()  # a cycle with nothing new weighs every restored article
    whole.restore(saved, lambda: held)
    whole.add([])
    assert len(weighed) == len(held)
    weighed.clear()
    restarted = StoryIndex()
    restarted.restore(saved, lambda: held)
    for start in range(0, len(fresh), 100):
        restarted.add(fresh[start : start + 100])
    meets = [i.id for i in held if i.when >= fresh[0].when - 72 * 3600]
    assert len(meets) < 0.65 * len(held)  # the days before it hold the rest
    assert weighed == meets + [i.id for i in fresh]
    for start in range(0, len(fresh), 100):
        whole.add(fresh[start : start + 100])
    assert restarted.members == whole.members
    assert restarted._seen == whole._seen


class CountedId(str):
    """An article id that counts how often it is compared for equality."""

    compared = 0

    def __eq__(self, other: object) -> bool:
        CountedId.compared += 1
        return str.__eq__(self, other)

    __hash__ = str.__hash__


def test_dropping_most_of_a_big_story_walks_its_members_once() -> None:
    """Retention drops the older articles of a long-running story: its members are gone
    through once, not once for each article that goes."""
    index = StoryIndex()
    ids = [CountedId(f"a{n}") for n in range(4000)]
    index.restore({"s1": list(ids), "s2": [CountedId("b0")]}, [])
    CountedId.compared = 0
    index.drop([CountedId(f"a{n}") for n in range(3999, 999, -1)])  # newest first, 3,000
    assert CountedId.compared <= 2 * len(ids)
    assert index.members == {"s1": ids[:1000], "s2": ["b0"]}
    assert index.story_of["a0"] == "s1" and "a3999" not in index.story_of
    index.drop([*ids[:1000], "not stored"])
    assert index.members == {"s2": ["b0"]} and "s1" not in index.story_of.values()


def test_a_big_first_refresh_leaves_the_first_grouping_to_a_long_running_writer(
    tmp_path: Path,
) -> None:
    """With no stories yet and more articles than the limit, the one-shot hook groups nothing
    (a reader still groups them in memory); once the stories file exists it keeps it current."""
    from fetchers.models import Article
    from fetchers.store import Store
    from fetchers.storybook import StoryBook, StoryDesk

    def article(item: Item) -> Article:
        when = datetime.fromtimestamp(item.when, UTC)
        return Article(item.id, "Wire " + item.id[0], item.title, None, when, when, item.summary)

    with Store(tmp_path, writer=True) as store:
        staged = [article(i) for i in EVERYTHING[:-2]]
        refresh = StoryDesk(store, tmp_path, cold_limit=5)
        # nor are their words read ahead of a grouping that is not done (a first refresh of
        # 100,000 articles read each one's for nothing): asked as its batches are staged
        refresh._read([(a.id, a.title, a.summary) for a in staged[:3]])
        assert refresh.readings is not None and len(refresh.readings) == 3
        refresh._read([(a.id, a.title, a.summary) for a in staged[3:]])
        assert not len(refresh.readings)
        store.add_batch(staged)
        refresh._update([i.id for i in EVERYTHING[:-2]], removed=False)
        assert not (tmp_path / FILE).exists()
        assert len(StoryBook(tmp_path).read(store).members) >= 4  # a reader groups anyway
        StoryDesk(store, tmp_path)._update([], removed=False)  # a `poll` writes them
        assert (tmp_path / FILE).exists()
        store.add_batch([article(i) for i in EVERYTHING[-2:]])
        later = StoryDesk(store, tmp_path, cold_limit=5)
        later._update([i.id for i in EVERYTHING[-2:]], removed=False)
        saved = stories_file(tmp_path / FILE)
        assert {frozenset(ids) for ids in saved.values()} == grouped(EVERYTHING)


def test_trends_give_the_articles_per_hour_of_stories_outlets_share(
    story_desk, tmp_path: Path, capsys
) -> None:
    where, routes = story_desk
    routes["/herald.xml"].body = rss(HERALD)
    assert _run(capsys, *where, "refresh")[0] == 0
    _, series, _ = _run(capsys, *where, "trends", "--json")
    stories = [s for s in series if s["kind"] == "story"]
    assert len(stories) == 1  # the quake has one outlet: no series
    (deal,) = stories
    assert deal["query"].startswith("story:") and "Lutnick" not in deal["name"]
    assert deal["counts"][-3:] == [1, 1, 0]  # Yonhap 10:30Z, the Herald 11:00Z; now 12:00Z
    _, listed, _ = _run(capsys, *where, "list", deal["query"], "--json")
    assert len(listed) == 2


def test_a_reader_of_an_up_to_date_stories_file_weighs_no_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading the stories (a viewer, `wirewatch stories`) loads the writer's grouping; the
    recent articles are read and weighed only when one the file lacks must be grouped."""
    from fetchers.models import Article
    from fetchers.store import Store
    from fetchers.storybook import StoryBook

    items = sorted(seeded_articles(count=600, days=2.0), key=lambda i: (i.when, i.id))

    def stored(item: Item) -> Article:
        when = datetime.fromtimestamp(item.when, UTC)
        source = f"Outlet {item.id.rsplit('-', 1)[1]}"
        return Article(
            id=item.id, source=source, title=item.title, summary=item.summary, link=None,
            published=when, fetched=when,
        )  # fmt: skip

    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        store.add_batch([stored(i) for i in items[:500]])
        StoryBook(data).update(store, [i.id for i in items[:500]], removed=False)
        written = {s.id: s.articles for s in StoryBook(data).shelf(store).stories}
    weighed = _weighed_ids(monkeypatch)
    with Store(data) as viewer:
        read: list[str] = []
        records = viewer.records

        def counted_records(ids: Iterable[str]) -> list[Record]:
            ids = list(ids)
            read.extend(ids)
            return records(ids)

        viewer.records = counted_records  # type: ignore[method-assign]
        assert len(StoryBook(data).read(viewer).story_of) == 500
        assert read == []  # the file is up to date: no article is read to open it
        shelf = StoryBook(data).shelf(viewer)
        assert {s.id: s.articles for s in shelf.stories} == written
    assert weighed == []
    with Store(data, writer=True) as store:  # new articles: now the recent ones are weighed
        store.add_batch([stored(i) for i in items[500:]])
        book = StoryBook(data)
        book.update(store, [i.id for i in items[500:]], removed=False)
        assert set(items[i].id for i in range(500, 600)) <= set(weighed)
        assert len(book.index.story_of) == 600  # type: ignore[union-attr]


def _lean_refresh_articles(count: int) -> list[Article]:
    """Articles of one day of fetching, as a first `refresh` writes them: with 1,500, a full
    shard (whose summaries a lean store does not hold in memory) and the next."""
    from fetchers.models import Article

    items = sorted(seeded_articles(count=count, days=2.0), key=lambda i: (i.when, i.id))
    fetched = datetime(2025, 10, 24, 9, 0, tzinfo=UTC)
    return [
        Article(
            id=i.id, source=f"Outlet {i.id.rsplit('-', 1)[1]}", title=i.title, summary=i.summary,
            link=None, published=datetime.fromtimestamp(i.when, UTC), fetched=fetched,
        )
        for i in items
    ]  # fmt: skip


@pytest.mark.parametrize("lean", [False, True])
def test_the_newest_stories_kept_by_the_writer_are_the_first_of_every_story(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lean: bool
) -> None:
    """`wirewatch stories` reads its page from the newest stories the writer keeps beside
    the stories file, reading no article: after every cycle (articles joining stories,
    headlines rewritten, retention dropping a day) and in a writer started again, they are
    the first of the stories made from every stored article."""
    from dataclasses import replace

    from fetchers.store import Store

    monkeypatch.setattr(storypage, "NEWEST_KEPT", 40)
    found_among_all: list[int] = []  # saves that looked at every story
    among_all = storybook.newest_of_all

    def counted(index: StoryIndex, store: Any) -> tuple[list[Any], bool]:
        found_among_all.append(len(index.members))
        return among_all(index, store)

    monkeypatch.setattr(storybook, "newest_of_all", counted)
    items = sorted(seeded_articles(count=900, days=6.0), key=lambda i: (i.when, i.id))
    articles = _fetched_after(items)
    cycles = [articles[n : n + 150] for n in range(0, len(articles), 150)]

    def kept_as_made() -> list[dict[str, Any]]:
        return _kept_as_made(tmp_path, 40)

    with Store(tmp_path, writer=True, lean=lean) as store:
        book = StoryBook(tmp_path)
        for cycle in cycles[:3]:
            book.update(store, store.add_batch(cycle), removed=False)
            kept_as_made()
        rewritten = [replace(a, title=f"{a.title} (updated)") for a in cycles[2][-30:]]
        store.add_batch(rewritten)
        book.update(store, [], removed=False, revised=[a.id for a in rewritten])
        assert any(s["title"].endswith("(updated)") for s in kept_as_made())
    with Store(tmp_path, writer=True, lean=lean) as store:  # a writer started again
        book = StoryBook(tmp_path)
        for cycle in cycles[3:]:
            book.update(store, store.add_batch(cycle), removed=False)
            kept_as_made()
        newest = datetime.fromtimestamp(items[-1].when, UTC)
        assert store.apply_retention(3, newest) > 0  # the oldest days go
        book.update(store, [], removed=True)
        kept_as_made()
    assert len(found_among_all) == 1  # the first save only: each later one mended the last
    assert storybook.newest_stories(tmp_path, 41) is None  # fewer kept than asked: grouped
    (tmp_path / storybook.FILE).write_bytes((tmp_path / storybook.FILE).read_bytes() + b"\n")
    assert storybook.newest_stories(tmp_path, 5) is None  # kept with another stories file


def test_a_grouping_that_failed_midway_leaves_the_next_page_found_among_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A grouping that stopped part of the way changed stories it had not noted: the next
    save finds the newest among every story rather than mending the last page."""
    from fetchers.store import Store

    monkeypatch.setattr(storypage, "NEWEST_KEPT", 40)
    items = sorted(seeded_articles(count=600, days=4.0), key=lambda i: (i.when, i.id))
    articles = _fetched_after(items)
    grouped = storybook.add_paced

    def half_then_fail(
        index: StoryIndex, fresh: list[Item], pace: bool, readings: stories.Readings | None
    ) -> None:
        grouped(index, fresh[len(fresh) // 2 :], pace, readings)  # the newer half: the newest
        raise RuntimeError("stopped")

    with Store(tmp_path, writer=True) as store:
        book = StoryBook(tmp_path)
        book.update(store, store.add_batch(articles[:300]), removed=False)
        monkeypatch.setattr(storybook, "add_paced", half_then_fail)
        new = store.add_batch(articles[300:])
        with pytest.raises(RuntimeError):
            book.update(store, new, removed=False)
        monkeypatch.setattr(storybook, "add_paced", grouped)
        book.update(store, new, removed=False)  # the older half
        _kept_as_made(tmp_path, 40)


def test_a_headline_rewritten_while_no_grouping_ran_is_on_the_next_writers_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle whose grouping never ran (the writer quit with it queued) rewrote headlines
    that no save noted: the next writer makes every story of the page it finds again once,
    so the page says what the stories made from every article say."""
    from dataclasses import replace

    from fetchers.config import StoreConfig
    from fetchers.store import Store
    from fetchers.store.factory import newest_kept

    monkeypatch.setattr(storypage, "NEWEST_KEPT", 40)
    items = sorted(seeded_articles(count=450, days=3.0), key=lambda i: (i.when, i.id))
    articles = _fetched_after(items)
    with Store(tmp_path, writer=True) as store:
        StoryBook(tmp_path).update(store, store.add_batch(articles[150:]), removed=False)
        shown = storybook.newest_stories(tmp_path, 40)
        assert shown is not None
        # what `wirewatch stories` reads without opening the store: a PostgreSQL store finds
        # its stories itself, whatever page a data dir holds
        assert newest_kept(StoreConfig(), tmp_path, 40) == shown
        assert newest_kept(StoreConfig("postgresql"), tmp_path, 40) is None
        on_page = {i for story in shown for i in story.articles}
        rewritten = [replace(a, title=f"{a.title} (updated)") for a in articles if a.id in on_page]
        store.add_batch(rewritten)  # its grouping never runs
    with Store(tmp_path, writer=True) as store:  # a cycle of older articles: the same page
        StoryBook(tmp_path).update(store, store.add_batch(articles[:150]), removed=False)
    assert any(s["title"].endswith("(updated)") for s in _kept_as_made(tmp_path, 40))


def test_a_stories_file_the_disk_refused_leaves_no_page_for_the_file_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When the stories file cannot be written, the page of the newest is not kept for the
    file still there (which lacks the cycle's stories); the next save finds them anew."""
    from dataclasses import replace

    from fetchers.store import Store

    monkeypatch.setattr(storypage, "NEWEST_KEPT", 40)
    items = sorted(seeded_articles(count=450, days=3.0), key=lambda i: (i.when, i.id))
    articles = _fetched_after(items)
    written = storybook.write_derived
    with Store(tmp_path, writer=True) as store:
        book = StoryBook(tmp_path)
        book.update(store, store.add_batch(articles[:200]), removed=False)
        monkeypatch.setattr(storybook, "write_derived", lambda *args: False)  # a full disk
        book.update(store, store.add_batch(articles[200:300]), removed=False)
        monkeypatch.setattr(storybook, "write_derived", written)
        store.add_batch([replace(articles[0], title="Rewritten")])
        book.update(store, [], removed=False, revised=[articles[0].id])  # the page only
        assert storybook.newest_stories(tmp_path, 40) is None  # none for the file before
        book.update(store, store.add_batch(articles[300:]), removed=False)
        _kept_as_made(tmp_path, 40)


def _fetched_after(items: list[Item]) -> list[Article]:
    """The articles of `items`, each fetched ten minutes after it was published."""
    return [
        Article(
            id=i.id, source=f"Outlet {i.id.rsplit('-', 1)[1]}", title=i.title, summary=i.summary,
            link=None, published=datetime.fromtimestamp(i.when, UTC),
            fetched=datetime.fromtimestamp(i.when + 600, UTC),
        )
        for i in items
    ]  # fmt: skip


def _kept_as_made(folder: Path, limit: int) -> list[dict[str, Any]]:
    """The newest stories the writer kept, checked against the stories made from every
    stored article by a viewer."""
    from fetchers.store import Store

    with Store(folder) as viewer:
        made = storybook.stories_of(StoryBook(folder).read(viewer), viewer)
    kept = storybook.newest_stories(folder, limit)
    assert kept is not None
    assert [s.to_json() for s in kept] == [s.to_json() for s in made[:limit]]
    return [s.to_json() for s in kept]


def _shard_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The keys of the shard files read whole from now on."""
    from fetchers.store.shards import Shard

    reads: list[str] = []
    documents = Shard.documents

    def counted(self: Shard) -> list[object]:
        reads.append(self.key)
        return documents(self)

    monkeypatch.setattr(Shard, "documents", counted)
    return reads


def test_a_first_grouping_reads_each_shard_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A first refresh groups every stored article, the cycle's new ones among them: from a
    lean store that has let go of their words each shard file is read once for it (the new
    ones are not read again), and once more for the newest stories kept at the save."""
    from fetchers.store import Store, leanwords
    from fetchers.storybook import StoryBook

    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)
    articles = _lean_refresh_articles(1500)
    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch(articles)
        reads = _shard_reads(monkeypatch)
        grouping: list[str] = []
        save_newest = StoryBook._save_newest

        def after_grouping(self: StoryBook, *args: Any) -> None:
            grouping.extend(reads)
            reads.clear()
            save_newest(self, *args)

        monkeypatch.setattr(StoryBook, "_save_newest", after_grouping)
        book = StoryBook(tmp_path)
        book.update(store, [a.id for a in articles], removed=False)
    assert book.index is not None and len(book.index.story_of) == 1500
    assert grouping and sorted(grouping) == sorted(set(grouping))  # each shard once
    assert sorted(reads) == sorted(set(reads))  # and once more for the newest stories


def test_a_cycle_just_written_is_grouped_without_reading_shard_files_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A lean store (a `refresh`) drops the words of a shard it fills from memory, but keeps
    them for the cycle's hooks a while: grouping the articles it just wrote reads no shard
    file, and gives the stories a store holding every word gives."""
    from fetchers.store import Store
    from fetchers.storybook import StoryBook

    articles = _lean_refresh_articles(1500)
    ids = [a.id for a in articles]
    with Store(tmp_path / "whole", writer=True) as store:
        store.add_batch(articles)
        whole = StoryBook(tmp_path / "whole")
        whole.update(store, ids, removed=False)
    with Store(tmp_path / "lean", writer=True, lean=True) as store:
        store.add_batch(articles)
        assert summaries_held(store, ids) == 500
        reads = _shard_reads(monkeypatch)
        book = StoryBook(tmp_path / "lean")
        book.update(store, ids, removed=False)
        assert [r.summary for r in store.records(ids)] == [a.summary for a in articles]
    assert reads == []
    assert book.index is not None and whole.index is not None
    assert book.index.story_of == whole.index.story_of


def test_the_stories_a_cycle_joined_are_read_with_each_shard_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer's alerts read the stories a cycle's articles joined: from a lean store
    (a `refresh`, a `poll`), whose full shards hold no headline in memory, each shard's row
    cache is read once for them all, not once a story, no shard's articles are read back
    whole (a story is its headlines), and every story comes back with all its articles."""
    from fetchers.store import Store, leanwords, thin
    from fetchers.storybook import StoryBook

    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)  # as long after the write
    articles = _lean_refresh_articles(1500)
    ids = [a.id for a in articles]
    with Store(tmp_path, writer=True, lean=True) as store:
        store.add_batch(articles)
        book = StoryBook(tmp_path)
        book.update(store, ids, removed=False)
        index = book.index
        assert index is not None
        reads = _shard_reads(monkeypatch)
        rows: list[str] = []
        cached = thin.cached_rows

        def counted(folder: Path, key: str, *rest: Any) -> Any:
            rows.append(key)
            return cached(folder, key, *rest)

        monkeypatch.setattr(thin, "cached_rows", counted)
        stories = book.stories_with(store, ids)
    assert len(stories) == len(index.members) > 100
    for story in stories:
        assert sorted(story.articles) == sorted(index.members[story.id])
    assert not reads  # no shard read back whole
    assert rows and sorted(rows) == sorted(set(rows))  # each shard's headlines once
    big = [story for story in stories if len(story.articles) >= 3]
    with Store(tmp_path) as viewer:  # only the stories big enough to spike, for spikes
        assert 0 < len(big) < len(stories)
        assert book.stories_with(viewer, ids, least=3) == big


def test_a_story_filter_asks_the_shelf_without_a_python_call_per_article() -> None:
    """`outlets:` and `story:` are asked of every candidate article: the shelf answers each
    with a dict lookup, and lists the matching stories in one pass."""
    import sys

    from fetchers import storyshelf
    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf

    stories = [
        Story(f"s{n:012x}", "t", [f"a{n}-{k}" for k in range(n % 3 + 1)], [], "", "", 0.0, 0.0)
        for n in range(300)
    ]
    for story in stories:
        story.sources = [f"Outlet {k}" for k in range(len(story.articles))]
    shelf = StoryShelf(stories)
    query = parse_query("outlets:>=2 -story:s00000000000a", datetime.now(UTC), UTC, shelf)
    records = [Record(i, "Outlet", "t", "s") for story in stories for i in story.articles]
    calls: list[str] = []

    def count(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code.co_filename == storyshelf.__file__:
            calls.append(frame.f_code.co_name)

    sys.setprofile(count)
    try:
        found = [record.id for record in records if query.matches(record)]
        shown = shelf.matching(found)
    finally:
        sys.setprofile(None)
    assert calls == ["matching"]  # once, not once an article or a story
    assert len(shown) == 200 - 1 and "s00000000000a" not in shown


def _shelf_stories() -> tuple[list[Any], list[str], dict[str, str]]:
    """Stories of one to three articles, the ids newest first, and who is in which story."""
    from fetchers.story import Story

    stories = [
        Story(f"s{n:04}", "t", [f"a{n}-{k}" for k in range(n % 3 + 1)], [], "", "", 0.0, 0.0)
        for n in range(40)
    ]
    for story in stories:
        story.sources = [f"Outlet {k}" for k in range(len(story.articles))]
    grouped = {i: story.id for story in stories for i in story.articles}
    dated = sorted(grouped, key=lambda i: (int(i[1:].split("-")[1]), i), reverse=True)
    return stories, dated, grouped


def test_a_shelf_made_from_the_groupings_own_map_is_the_shelf_made_without_it() -> None:
    """Each article's story looked up in the grouping's map (no map of a million entries
    gathered from the stories first) gives the same shelf, in the same date order; an
    article the grouping holds whose headline was not read (so its story lacks it) makes
    the shelf the other way, without that article."""
    from fetchers.storyshelf import StoryShelf

    stories, dated, grouped = _shelf_stories()
    asked: list[str] = []

    class Counted(dict[str, str]):
        def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
            asked.append(key)
            return super().get(key, default)

    plain = StoryShelf(stories, dated)
    quick = StoryShelf(stories, dated, grouped=Counted(grouped))
    assert asked == dated  # each article's story looked up there, once, in date order
    assert list(quick._story_of.items()) == list(plain._story_of.items())
    assert quick._outlets == plain._outlets and quick._by_outlets == plain._by_outlets
    assert quick.outlets_of("a5-2") == 3 and quick.outlets_of("a3-0") is None  # one outlet's
    assert quick.outlets_of("nowhere") is None and quick.story_of("nowhere") is None
    # only the articles of stories of several outlets are counted: most stories are one's
    several = [i for story in stories if story.outlets > 1 for i in story.articles]
    assert 0 < len(several) < len(dated) and sorted(quick._outlets) == sorted(several)
    unread = stories[7].articles.pop()  # stored and grouped, its headline not read
    assert unread in dated and unread in grouped
    plain = StoryShelf(stories, dated)
    quick = StoryShelf(stories, dated, grouped=grouped)
    assert quick.story_of(unread) is None
    assert list(quick._story_of.items()) == list(plain._story_of.items())


def test_word_rarity_takes_a_logarithm_per_count_not_per_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A word's rarity is looked up for how many articles had it (the articles seen counted
    to five significant bits), so most words of an article cost no logarithm."""
    import math

    from fetchers import stories

    taken = 0

    class CountingMath:
        def __getattr__(self, name: str) -> object:
            return getattr(math, name)

        @staticmethod
        def log(x: float) -> float:
            nonlocal taken
            taken += 1
            return math.log(x)

    items = seeded_articles()
    weighed = sum(len(set(terms(i.title)) | set(terms(i.summary))) for i in items)
    monkeypatch.setattr(stories, "math", CountingMath())
    StoryIndex().add(items)
    assert weighed > 70_000 and taken < 0.7 * weighed


def test_a_candidate_sharing_one_word_is_not_compared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Most candidates are found through one rare word and share only it: they are not
    compared (`SHARED_WORDS`: two headlines alone that share a name and nothing else are
    not one story), and only one sharing several words takes the exact sum that keeps every
    process grouping alike."""
    import math

    from fetchers import stories

    sums: list[int] = []

    class CountingMath:
        def __getattr__(self, name: str) -> object:
            return getattr(math, name)

        @staticmethod
        def fsum(values: Iterable[float]) -> float:
            values = list(values)
            sums.append(len(values))
            return math.fsum(values)

    monkeypatch.setattr(stories, "math", CountingMath())
    index = StoryIndex()
    index.add([Item("a", "Zorblat quinmor", "", at(0))])
    index.add([Item("b", "Zorblat vextrang", "", at(1))])  # shares one word with a
    assert sums == [] and index.story_of["b"] != index.story_of["a"]
    index.add([Item("c", "Zorblat quinmor holdrin", "", at(2))])  # shares two with a
    assert sums == [2]
    assert index.story_of["c"] == index.story_of["a"]


def test_reading_the_stories_for_a_screen_leaves_the_collector_nothing_to_walk(
    tmp_path: Path,
) -> None:
    """A screen's reading of the stories makes an object per article and per story; the
    collector is paused while they are made and they are frozen (`settle_on_resume`) before it
    resumes, so no collection beside the screen walks them."""
    import gc

    from fetchers.store import Store
    from fetchers.storybook import StoryBook

    data = tmp_path / "d"
    items = sorted(seeded_articles(count=400, days=2.0), key=lambda i: (i.when, i.id))
    with Store(data, writer=True) as store:
        store.add_batch(outlet_articles(items))
        StoryBook(data).update(store, [i.id for i in items], removed=False)
    settled: list[int] = []
    unsettle = settle_on_resume(lambda: gc.freeze() or settled.append(1))
    with Store(data) as viewer:
        gc.collect()
        before = len(gc.get_objects())  # what the collector would walk (frozen ones aside)
        try:
            shelf = StoryBook(data).shelf(viewer, pace=True)
        finally:
            unsettle()
        left = len(gc.get_objects()) - before
        gc.unfreeze()
    assert shelf.stories and settled
    assert left < 50, f"{left} objects of reading 400 articles' stories left to the collector"


def wire_articles(count: int) -> list[Article]:
    """`seeded_articles` of one day as one wire's stored articles, oldest first."""
    items = sorted(seeded_articles(count=count, days=1.0), key=lambda i: (i.when, i.id))
    return [
        Article(
            id=i.id,
            source="Wire",
            title=i.title,
            summary=i.summary,
            published=datetime.fromtimestamp(i.when, UTC),
            fetched=datetime.fromtimestamp(i.when, UTC),
        )  # fmt: skip
        for i in items
    ]


def test_closing_the_story_desk_lets_its_grouping_finish_and_ends_its_thread(
    tmp_path: Path,
) -> None:
    import threading

    from fetchers.newsroom import Cycle
    from fetchers.store import Store
    from fetchers.storybook import StoryDesk

    with Store(tmp_path, writer=True) as store:
        ids = store.add_batch(wire_articles(60))
        desk = StoryDesk(store, tmp_path)
        desk.after_cycle(Cycle([], ids))
        desk.close()
        assert desk.running is not None and desk.running.done()
        assert (tmp_path / "stories.json").exists()  # the grouping finished and was saved
        assert not [t for t in threading.enumerate() if t.name.startswith("wirewatch-stories")]


class _CountedReadings(stories.Readings):
    """Readings that count the articles the grouping found read ahead."""

    def __init__(self) -> None:
        super().__init__()
        self.taken = 0

    def take(self, item: Item) -> Any:
        found = super().take(item)
        self.taken += found is not None
        return found


def test_articles_read_ahead_of_their_grouping_join_the_same_stories() -> None:
    """Articles whose words were read while the poll went on (`Readings`) join the stories
    they join read at grouping time, over every labelled set, outlets and all; one whose lede
    its outlet said before (a notice ending every report, or said whole) is read again
    without it, as it would have been."""
    names = sorted(p.name for p in HERE.glob("*.json"))
    assert len(names) >= 10
    notice = "Continue reading on the Wire's site »"
    items: list[Item] = []
    for number, name in enumerate(names):
        for n, item in enumerate(set_items(name)):
            item.id = f"{number}:{item.id}"
            item.source = f"outlet {n % 5}"
            if n % 7 == 0:  # the outlet's notice after its lede, or its lede said again
                item.summary = f"{item.summary} {notice}" if n % 2 else notice
            items.append(item)
    plain = StoryIndex()
    plain.add(items)
    readings = _CountedReadings()
    readings.read((i.id, i.title, i.summary) for i in items)
    ahead = StoryIndex()
    ahead.add(items, readings)
    assert readings.taken == len(items)
    assert ahead.story_of == plain.story_of and ahead.members == plain.members
    assert len(set(plain.story_of.values())) > 100


def test_the_story_desk_reads_ahead_and_closing_keeps_the_grouping_queued_behind_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The desk reads the words of articles about to be stored while the poll goes on. A
    cycle that ends while a reading is still queued groups those articles itself, and the
    poller closing at once (a one-shot refresh) lets that grouping finish and save."""
    import threading

    from fetchers.newsroom import Cycle
    from fetchers.store import Store
    from fetchers.storybook import StoryDesk

    release = threading.Event()
    read = stories.Readings.read

    def slow(self: stories.Readings, texts: Iterable[tuple[str, str, str]]) -> None:
        release.wait(10)
        read(self, texts)

    monkeypatch.setattr(stories.Readings, "read", slow)
    with Store(tmp_path, writer=True) as store:
        ids = store.add_batch(wire_articles(60))
        desk = StoryDesk(store, tmp_path)
        records = store.records(ids)
        desk.read_ahead(records[:30])  # begun, held by `slow`
        desk.read_ahead(records[30:])  # queued behind it
        desk.after_cycle(Cycle([], ids))
        release.set()
        desk.close()
        assert desk.running is not None and desk.running.done()
        assert sorted(stories_file(tmp_path / "stories.json")) == sorted(desk.book.index.members)
        assert len(desk.book.index.story_of) == 60
        assert desk.readings is not None and not len(desk.readings)  # let go after the cycle


def test_a_refresh_reads_each_new_articles_words_ahead_of_grouping_it(
    story_desk, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh reads its new articles' words as each source's are stored (a lean store
    thins them after the write: they are read before it), so its grouping after the poll
    finds every one of them read."""
    taken: list[_CountedReadings] = []

    def counted() -> _CountedReadings:
        taken.append(_CountedReadings())
        return taken[-1]

    monkeypatch.setattr(storybook, "Readings", counted)
    where, _ = story_desk
    assert _run(capsys, *where, "refresh")[0] == 0
    _, listed, _ = _run(capsys, *where, "list", "--json")
    assert len(taken) == 1 and taken[0].taken == len(listed) >= 2


def test_a_store_gone_while_the_desk_groups_is_said_in_a_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The database stopped mid-refresh: the grouping's failure to read it was logged with
    a whole traceback on the terminal; it is one line, and the articles are grouped later."""
    from fetchers.models import Article
    from fetchers.newsroom import Cycle
    from fetchers.store import Store, StoreError
    from fetchers.storybook import StoryDesk

    with Store(tmp_path, writer=True) as store:
        when = datetime(2025, 10, 24, 7, tzinfo=UTC)
        ids = store.add_batch([Article("a1", "Wire", "Seoul talks", None, when, when, "")])

        def gone(*args: object, **kwargs: object) -> list[Record]:
            raise StoreError("cannot read: couldn't get a connection after 30.00 sec")

        monkeypatch.setattr(store, "records", gone)
        desk = StoryDesk(store, tmp_path)
        desk.after_cycle(Cycle([], ids))
        desk.close()
        assert desk.running is not None and desk.running.result() == []
    said = [r for r in caplog.records if "stories:" in r.getMessage()]
    assert said and "grouped at a later cycle" in said[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records)


def test_the_stories_of_a_cycle_and_their_hourly_counts_read_the_articles_in_one_call(
    tmp_path: Path,
) -> None:
    """The stories a cycle's articles joined, and each story's articles per hour (trends
    and story spikes), read the articles of all the stories in one call to the store, not
    one call a story (a lean store reads a shard per call)."""
    from fetchers.models import Article
    from fetchers.store import Store
    from fetchers.storybook import StoryBook
    from fetchers.trends import story_counts

    def article(item: Item, source: str) -> Article:
        when = datetime.fromtimestamp(item.when, UTC)
        return Article(item.id, source, item.title, None, when, when, item.summary)

    with Store(tmp_path, writer=True) as store:
        store.add_batch([article(i, f"Wire {n % 3}") for n, i in enumerate(EVERYTHING)])
        book = StoryBook(tmp_path)
        book.update(store, [i.id for i in EVERYTHING], removed=False)
        calls: list[int] = []
        records, headlines = store.records, store.headlines

        def counted(ids: Iterable[str]) -> list[Record]:
            ids = list(ids)
            calls.append(len(ids))
            return records(ids)

        def counted_headlines(ids: Iterable[str]) -> list[Record]:
            ids = list(ids)
            calls.append(-len(ids))
            return headlines(ids)

        store.records = counted  # type: ignore[method-assign]
        store.headlines = counted_headlines  # type: ignore[method-assign]
        found = book.stories_with(store, [i.id for i in EVERYTHING])
        assert len(found) >= 4 and sum(len(s.articles) for s in found) == len(EVERYTHING)
        assert calls == [-len(EVERYTHING)]  # (a story is its articles' headlines)
        calls.clear()
        now = datetime.fromtimestamp(max(i.when for i in EVERYTHING) + 1, UTC)
        counts = story_counts(found, store, now, 96)  # hours: all of them
        assert [sum(c) for c in counts] == [len(s.articles) for s in found]
        assert calls == [len(EVERYTHING)]


def test_an_article_is_filed_under_its_heaviest_words_only() -> None:
    """Candidates are found through the words each article is filed under: its `KEPT`
    heaviest, not all of them (each filing is a step for every article grouped, and a word
    of little weight finds no story), while rarity still counts every word it has."""
    from fetchers import stories

    items = seeded_articles(count=1500, days=2.0)
    index = StoryIndex()
    index.add(items)
    distinct = [set(terms(i.title)) | set(terms(i.summary)) for i in items]
    filed = sum(len(ids) for ids in index._postings.values())
    assert sum(map(len, distinct)) > 2.5 * stories.KEPT * len(items)  # long enough to choose
    assert filed <= stories.KEPT * len(items)
    assert words_counted(index) == sum(map(len, distinct))


def words_counted(index: StoryIndex) -> int:
    """How many words the articles an index grouped had, each article's counted once (its
    rarity counts less the prior's ordinary articles, which it starts with)."""
    return sum(index._seen.values()) - sum(index._prior.values())


class HashedId(str):
    """An article id that counts how often it is hashed: once each time a candidate search
    counts it, or looks it up."""

    hashed = 0

    def __hash__(self) -> int:
        HashedId.hashed += 1
        return str.__hash__(self)

    __eq__ = str.__eq__


def test_a_candidate_search_looks_at_the_latest_filings_of_each_word_only() -> None:
    """A word that hundreds of the window's articles are filed under (a running story told
    in the same few words all day) costs a new article's search the latest `PROBE_RECENT`
    of them, not all: the cost per article stays bounded however the day's news repeats
    itself. The stories are the same whether the articles come at once or in slices, with
    retention removing some of them in between."""
    from fetchers import stories

    start = at(0)
    repeated = [
        Item(
            HashedId(f"r{n}"),
            "Ferrymoor quayside closes as gale nears",
            "Ferrymoor quayside shut, gale warnings",
            start + n * 600.0,
        )
        for n in range(300)
    ]
    index = StoryIndex()
    index.add(repeated)
    assert min(map(len, index._postings.values())) == 300  # each word: all 300 are filed
    HashedId.hashed = 0
    index.add([Item("new", "Ferrymoor quayside closed by gale", "gale warnings", at(51))])
    assert 0 < HashedId.hashed <= 2 * stories.PROBES * stories.PROBE_RECENT
    assert index.story_of["new"] == index.story_of["r299"]

    # in slices, with retention removing articles between two of them (its words, too
    # common to probe at first, probe again once most are gone), the stories are those of
    # one grouping with the same articles removed at the same point
    told = repeated[0]
    many = [
        Item(f"m{n}", told.title, told.summary + " mooring" * (n % 3), start + n * 400.0)
        for n in range(450)
    ]
    later = [Item(f"t{n}", told.title, told.summary, at(51 + n)) for n in range(6)]
    gone = [f"m{n}" for n in range(100, 450) if n % 7]
    whole, sliced = StoryIndex(), StoryIndex()
    whole.add(many)
    whole.drop(gone)
    whole.add(later)
    for n in range(0, 450, 25):
        sliced.add(many[n : n + 25])
    sliced.drop(gone)
    for item in later:
        sliced.add([item])
    assert sliced.members == whole.members
    left = {whole.story_of[i.id] for i in many if i.id not in gone}
    assert whole.story_of["t0"] in left  # found through words too common to probe before


def whole_article(lede: str, seed: int, words: int = 1500) -> str:
    """A summary carrying a whole article: its lede, then `words` more of its own."""
    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz"
    body = ("".join(rng.choice(letters) for _ in range(rng.randint(4, 9))) for _ in range(words))
    return lede + " " + " ".join(body)


def test_articles_whose_feeds_carry_the_whole_text_are_compared_by_their_ledes() -> None:
    """A feed that puts the whole article in its summary: the two outlets' ledes say the same
    news and their thousand words after it differ, as two reporters' articles do. The lede
    is what is compared, so they are one story (the whole texts' words drowned it)."""
    lede = (
        "South Korea's central bank cut its benchmark interest rate by a quarter point to "
        "3.25% on Friday, the first reduction since 2021, as inflation eased and a weak won "
        "and slowing exports weighed on growth. Governor Rhee Chang-yong said the board "
        "would watch household debt and property prices."
    )
    one = Item("w1", "Bank of Korea cuts interest rate to 3.25%, first cut since 2021", lede, at(0))
    other = Item(
        "w2",
        "Central bank cuts benchmark interest rate to 3.25% as inflation eases",
        whole_article(lede, seed=2),
        at(1),
    )
    first = Item(one.id, one.title, whole_article(lede, seed=1), one.when)
    index = StoryIndex()
    index.add([first, other])
    assert index.story_of["w1"] == index.story_of["w2"]


def test_the_words_weighed_of_an_article_stop_at_its_summarys_lede() -> None:
    """However long a summary (a feed may carry whole articles, up to 64 KB), an article
    costs the words of its headline and its summary's first few hundred characters: every
    word weighed counts once for rarity, so that is what `_seen` holds beside the prior."""
    lede = "Seoul stocks rally as chipmakers gain on export data"
    long = Item("x1", "Stocks rally", whole_article(lede, seed=3, words=8000), at(0))
    index = StoryIndex()
    index.add([long])
    weighed = words_counted(index)
    assert 8 < weighed < 100 < len(set(terms(long.summary)))


TIE_SCRIPT = """
from fetchers.stories import Item, StoryIndex

filler = [Item(f"f{n}", "", f"filler{n}x alpha{n}x", 1.75e9 + n) for n in range(256)]
index = StoryIndex()
index.add(filler)
# A and B are weighed alike (at one article count, of words no article had before), and X
# says each of A's words as often as its twin of B's: the two similarities are equal
ours, theirs = ["zorblat", "quinmor", "vextrang", "holdrin", "marbusk"], [
    "plomkart", "dravnik", "sulmarg", "tennoch", "gaffrel"
]
said = [7, 5, 4, 3, 2]
a = Item("a", "", " ".join(w for w, n in zip(ours, said) for _ in range(n)), 1.75e9 + 300)
b = Item("b", "", " ".join(w for w, n in zip(theirs, said) for _ in range(n)), 1.75e9 + 301)
both = [w for pair in zip(ours, theirs) for w in pair]
x = Item("x", "", " ".join(w for w in both for _ in range(said[both.index(w) // 2])), 1.75e9 + 302)
index.add([a, b, x])
print("a" if index.story_of["x"] == index.story_of["a"] else "b")
"""


def test_the_stories_are_the_same_in_every_process() -> None:
    """An article as similar to two stories is grouped the same in every process: the
    similarity is summed exactly rounded, whatever the order of the shared words (a set's
    order changes with each process's string hashing, and a plain sum can round apart)."""
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parent.parent
    chosen = set()
    for seed in range(12):
        env = dict(os.environ, PYTHONHASHSEED=str(seed), PYTHONPATH=str(root))
        done = subprocess.run(
            [sys.executable, "-c", TIE_SCRIPT], env=env, capture_output=True, text=True, check=True
        )
        chosen.add(done.stdout.strip())
    assert len(chosen) == 1, f"grouped with {sorted(chosen)} in processes hashing differently"


def test_a_viewer_reading_articles_a_few_at_a_time_makes_the_writers_stories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A viewer reads the articles back from disk a chunk at a time (a million whole at
    once would take a gigabyte): the stories, their headlines, outlets and times are those
    the writer makes from its own records, the file's and the ones grouped anew alike."""
    from fetchers import storybook
    from fetchers.store import Store
    from fetchers.storybook import StoryBook

    items = sorted(seeded_articles(count=300, days=2.0), key=lambda i: (i.when, i.id))
    data = tmp_path / "d"
    with Store(data, writer=True) as store:
        store.add_batch(outlet_articles(items))
        StoryBook(data).update(store, [i.id for i in items[:250]], removed=False)
        with_file = (data / FILE).read_bytes()
        expected = [s.to_json() for s in StoryBook(data).shelf(store).stories]
    assert (data / FILE).read_bytes() == with_file  # the last 50 are grouped in memory
    assert any(len(s["articles"]) > 1 for s in expected)
    monkeypatch.setattr(storybook, "READ_CHUNK", 7)
    with Store(data) as viewer:
        assert [s.to_json() for s in StoryBook(data).shelf(viewer).stories] == expected


def outlet_articles(items: list[Item]) -> list[Article]:
    """Seeded items as articles, each from the outlet its id names, published and fetched
    at its time."""
    return [
        Article(
            id=i.id,
            source=f"Outlet {i.id.rsplit('-', 1)[1]}",
            title=i.title,
            summary=i.summary,
            published=datetime.fromtimestamp(i.when, UTC),
            fetched=datetime.fromtimestamp(i.when, UTC),
        )
        for i in items
    ]


def test_a_story_desk_closed_groups_again_when_polling_starts_again(tmp_path: Path) -> None:
    """The dashboard closes the newsroom when its poll loop ends and `r` polls again: the
    story desk must group that next cycle, not fail on a thread it shut down."""
    from fetchers.newsroom import Cycle
    from fetchers.store import Store
    from fetchers.storybook import StoryDesk

    items = sorted(seeded_articles(count=60, days=1.0), key=lambda i: (i.when, i.id))
    with Store(tmp_path, writer=True) as store:
        first = store.add_batch(outlet_articles(items[:30]))
        desk = StoryDesk(store, tmp_path)
        desk.after_cycle(Cycle([], first))
        desk.close()
        later = store.add_batch(outlet_articles(items[30:]))
        desk.after_cycle(Cycle([], later))
        assert desk.running is not None
        desk.running.result(timeout=30)
        desk.close()
        grouped = desk.book.read(store).story_of
    assert set(first) | set(later) <= set(grouped)


def test_a_shelf_given_the_stores_date_order_looks_articles_up_in_that_order() -> None:
    """A story filter maps every matching article (100,000 of them for `-tariff`) to its
    story: the shelf's map follows the store's date order and holds the store's own id
    strings, so the lookups walk its memory in order and compare ids by identity; what
    matches is the same either way."""
    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf

    stories = [
        Story(f"s{n:03d}", "t", [f"a{n}-{k}" for k in range(n % 3 + 1)], ["X"], "", "", 0.0, 0.0)
        for n in range(60)
    ]
    articles = [i for story in stories for i in story.articles]
    dated = ["".join(list(i)) for i in reversed(articles)]  # equal strings, other objects
    dated.remove("a7-0")  # no longer listed by the store: still in its story
    plain, placed = StoryShelf(stories), StoryShelf(stories, dated)
    keys = list(placed._story_of)
    assert keys[: len(dated)] == dated
    assert all(k is d for k, d in zip(keys, dated, strict=False))
    assert placed.story_of("a7-0") == "s007"
    for found in (dated[:5], dated[::7], ["a7-0", "nowhere"]):
        assert placed.matching(found) == plain.matching(found)


def test_the_stories_matching_most_articles_are_the_stories_with_any_of_them() -> None:
    """A filter that leaves few articles out (`-tariff`) lists every story that keeps one of
    its articles, found from the articles left out: a story loses its row only when all its
    articles are left out, whatever the share of articles matched."""
    import random

    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf

    rng = random.Random(5)
    stories = [
        Story(f"s{n:03d}", "t", [f"a{n}-{k}" for k in range(rng.choice((1, 1, 2, 4)))], ["X"],
              "", "", 0.0, 0.0)
        for n in range(120)
    ]  # fmt: skip
    shelf = StoryShelf(stories)
    articles = [i for story in stories for i in story.articles]
    for share in (0.0, 0.1, 0.5, 0.6, 0.9, 0.99, 1.0):
        for _ in range(5):
            found = [i for i in articles if rng.random() < share] + ["new-1"]
            kept = set(found)
            expected = [s.id for s in stories if kept.intersection(s.articles)]
            assert shelf.matching(found) == expected, share


def test_a_filter_leaving_few_articles_out_looks_up_the_stories_of_those_few() -> None:
    """`-tariff` over 100,000 articles: the stories are found from the articles left out,
    not by looking up the story of each of the articles kept."""
    from fetchers.story import Story
    from fetchers.storyshelf import StoryShelf

    class Counting(dict[str, str]):
        lookups = 0

        def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
            Counting.lookups += 1
            return super().get(key, default)

        def __getitem__(self, key: str) -> str:
            Counting.lookups += 1
            return super().__getitem__(key)

    stories = [Story(f"s{n}", "t", [f"a{n}"], ["X"], "", "", 0.0, 0.0) for n in range(1000)]
    shelf = StoryShelf(stories)
    shelf._story_of = Counting(shelf._story_of)
    found = [f"a{n}" for n in range(1000) if n % 100]  # ten left out
    shown = shelf.matching(found)
    assert len(shown) == 990 and "s100" not in shown
    assert Counting.lookups <= 10


def _desk_articles(count: int, start: int = 0) -> list[Article]:
    """Two outlets reporting each of `count` events in the same words, hours apart."""
    topics = [
        "Port strike halts container traffic as dockers walk out",
        "Central bank raises rates to curb stubborn inflation",
        "Wildfire forces evacuation of mountain villages overnight",
        "Parliament passes budget after marathon session",
        "Chipmaker unveils factory expansion worth billions",
        "Floods cut rail links across southern provinces",
    ]
    out = []
    for n in range(start, start + count):
        moment = datetime(2025, 10, 24 - n, 5, 0, tzinfo=UTC)
        words = f"{topics[n % len(topics)]} terminal{n}"
        for source in ("Yonhap", "Herald"):
            out.append(
                Article(
                    id=f"{source}-{n}",
                    source=source,
                    title=words,
                    summary=words,
                    published=moment,
                    fetched=moment,
                    link=f"https://{source}.example/{n}",
                )  # fmt: skip
            )
    return out


def _cli(open_store, folder: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The CLI's arguments for the store under test, from a data dir of its own (a PostgreSQL
    reader on another host has none of the writer's files)."""
    from tests.conftest import write_config

    folder.mkdir(parents=True, exist_ok=True)
    if open_store.backend == "postgresql":
        body = f'[store]\nbackend = "postgresql"\ndsn = "{open_store.dsn}"\n'
        return ["--config", str(write_config(folder / "w.toml", body)), "--data-dir", str(folder)]
    config = write_config(folder / "w.toml", "")
    return ["--config", str(config), "--data-dir", str(open_store.folder)]


def test_stories_are_read_as_the_poller_grouped_them_without_grouping_again(
    open_store, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch stories` shows the stories the poller grouped and kept (in stories.json,
    or in the PostgreSQL database for every host), filtered by a query and limited, without
    grouping a single article itself (at a million articles that was every one)."""
    from fetchers.storybook import StoryBook

    batch = _desk_articles(6)
    with open_store(writer=True) as store:
        store.add_batch(batch)
        StoryBook(open_store.folder).update(store, [a.id for a in batch], False)
    grouped: list[int] = []
    real = StoryIndex.add

    def counting(self: StoryIndex, items: Iterable[Item]) -> list[str]:
        items = list(items)
        grouped.append(len(items))
        return real(self, items)

    monkeypatch.setattr(StoryIndex, "add", counting)
    where = _cli(open_store, tmp_path / "reader")
    code, stories, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0 and grouped == []
    assert len(stories) == 6 and {s["outlets"] for s in stories} == {2}
    assert sorted(stories[0]["articles"]) == ["Herald-0", "Yonhap-0"]
    assert stories[0]["first_seen"] == "2025-10-24T05:00:00Z"
    _, found, _ = _run(capsys, *where, "stories", "source:herald", "--limit", "2", "--json")
    assert [sorted(s["articles"]) for s in found] == [
        ["Herald-0", "Yonhap-0"],
        ["Herald-1", "Yonhap-1"],
    ]
    _, found, _ = _run(capsys, *where, "stories", "terminal3", "--json")
    assert [s["title"] for s in found] == [batch[6].title]
    assert grouped == []


def test_a_word_new_to_the_process_costs_one_call_besides_its_stem() -> None:
    """A cycle of articles from a new source is mostly words this process has not read yet:
    each costs the grouping one Python call to learn its term and one to cut its stem (a
    capitalised one a third, for its lowercase), not another lookup with a call of its own.
    The terms are those `terms` reads."""
    import sys

    from fetchers import stories

    rng = random.Random(17)
    letters = "bcdfghjklmnpqrstvwxz"  # no vowel: words no other test makes
    words = ["".join(rng.choice(letters) for _ in range(9)) for _ in range(60)]
    title = " ".join(word.capitalize() if n % 3 == 0 else word for n, word in enumerate(words))
    item = Item("new-words", title, "", at(0))
    calls: list[str] = []

    def count(frame, event, arg):  # type: ignore[no-untyped-def]
        if event == "call" and frame.f_code.co_filename == stories.__file__:
            calls.append(frame.f_code.co_name)

    index = StoryIndex()
    sys.setprofile(count)
    try:
        index.add([item])
    finally:
        sys.setprofile(None)
    capitalised = len(words[::3])
    learnt = calls.count("__missing__") + calls.count("_stem")
    assert learnt <= 2 * len(words) + capitalised + 5  # and two logarithm tables
    assert set(index._docs["new-words"][1]) == set(terms(title))


def _wire_article(item: Item, title: str | None = None) -> Article:
    """An item of `seeded_articles` as one of four wires' articles, at the item's time."""
    when = datetime.fromtimestamp(item.when, UTC)
    return Article(item.id, f"Wire {len(item.id) % 4}", title or item.title, None, when, when,
                   item.summary)  # fmt: skip


def _headlines_read(store: Any) -> list[str]:
    """The ids `store.headlines` is asked for from now on (until `del store.headlines`)."""
    read: list[str] = []
    headlines = store.headlines

    def counted(ids: list[str]) -> list[Record]:
        read.extend(ids)
        return headlines(ids)  # type: ignore[no-any-return]

    store.headlines = counted
    return read


def test_a_shelf_after_a_cycle_reads_only_the_stories_the_cycle_changed(tmp_path: Path) -> None:
    """A writer's shelf after a cycle is the one made whole would be (new articles, a
    rewritten headline, a day retention dropped), made from the last shelf and the stories
    the cycle changed: at a million articles, remaking every story took 22 s of CPU after
    each cycle."""
    from fetchers.store import Store
    from fetchers.storybook import stories_of
    from fetchers.storyshelf import StoryShelf

    items = seeded_articles(count=600, days=6.0)
    now = datetime.fromtimestamp(max(i.when for i in items) + 60, UTC)

    article = _wire_article
    old, new = items[:500], items[500:]
    with Store(tmp_path, writer=True) as store:
        store.add_batch([article(i) for i in old])
        book = StoryBook(tmp_path)
        book.update(store, [i.id for i in old], removed=False)
        before = book.shelf(store)
        assert before.stories == stories_of(book.index, store)  # type: ignore[arg-type]
        cut = (now - timedelta(days=4)).timestamp()  # kept by retention
        alone = {s.articles[0] for s in before.stories if len(s.articles) == 1}
        rewritten = next(i for i in reversed(old) if i.id in alone and i.when > cut)
        store.add_batch([article(i) for i in new] + [article(rewritten, "Rewritten headline")])
        removed = store.apply_retention(5, now)
        assert removed > 0
        read = _headlines_read(store)
        book.update(store, [i.id for i in new], removed=True, revised=[rewritten.id])
        after = book.shelf(store)
        index = book.index
        assert index is not None
        del store.headlines
        whole = StoryShelf(stories_of(index, store), store.query_ids())
        assert after.stories == whole.stories
        assert after.by_id == whole.by_id and after._order == whole._order
        assert after._story_of == whole._story_of and after._outlets == whole._outlets
        assert after._by_outlets == whole._by_outlets
        assert after.matching(store.query_ids()[:50]) == whole.matching(store.query_ids()[:50])
        story = after.story(rewritten.id)
        assert story is not None and story.title == "Rewritten headline"
        joined = {index.story_of[i.id] for i in new if i.id in index.story_of}
        lost = {s.id for s in before.stories if any(store.record(i) is None for i in s.articles)}
        assert joined and lost
        changed = joined | lost | {story.id}
        assert set(read) == {i for sid in changed for i in index.members.get(sid, ())}
        assert len(read) < len(store) / 2


def test_a_shelf_mended_a_small_chunk_at_a_time_is_the_shelf_mended_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cycle that touches a great many stories reads their headlines a chunk at a time (a
    viewer reads them back from disk); the shelf it mends is the same."""
    from fetchers import storyshelf
    from fetchers.store import Store
    from fetchers.storybook import stories_of
    from fetchers.storyshelf import StoryShelf

    items = sorted(seeded_articles(count=300), key=lambda i: (i.when, i.id))
    with Store(tmp_path, writer=True) as store:
        store.add_batch([_wire_article(i) for i in items])
        index = StoryIndex()
        index.add(items)
        before = StoryShelf(stories_of(index, store), store.query_ids(), grouped=index.story_of)
        touched = set(index.members)
        at_once = before.restacked(touched, index, store)
        sizes: list[int] = []
        headlines = store.headlines

        def counted(ids: list[str]) -> list[Record]:
            sizes.append(len(ids))
            return headlines(ids)

        monkeypatch.setattr(store, "headlines", counted)
        monkeypatch.setattr(storyshelf, "READ_CHUNK", 7)
        chunked = before.restacked(touched, index, store)
    assert max(sizes) == 7 and sum(sizes) == len(items)
    assert chunked.stories == at_once.stories == before.stories
    assert chunked._story_of == at_once._story_of and chunked._outlets == at_once._outlets


def test_a_viewers_shelf_after_the_writers_cycle_remakes_only_the_stories_that_changed(
    tmp_path: Path,
) -> None:
    """A viewer reads the stories as the writer saved them after its cycle, and mends its
    last shelf with the stories whose articles differ: the same shelf as one made whole,
    reading the articles of those stories only."""
    from fetchers.store import Store
    from fetchers.storybook import stories_of
    from fetchers.storyshelf import StoryShelf

    items = seeded_articles(count=400, days=3.0)

    article = _wire_article
    old, new = items[:320], items[320:]
    with Store(tmp_path, writer=True) as writer:
        writer.add_batch([article(i) for i in old])
        StoryBook(tmp_path).update(writer, [i.id for i in old], removed=False)
        viewer = Store(tmp_path)
        before = StoryBook(tmp_path).shelf(viewer)
        book = StoryBook(tmp_path)
        book.update(writer, [], removed=False)
        writer.add_batch([article(i) for i in new])
        book.update(writer, [i.id for i in new], removed=False)
    viewer.reload()
    read = _headlines_read(viewer)
    fresh = StoryBook(tmp_path)
    after = fresh.shelf(viewer, last=before)
    del viewer.headlines
    index = fresh.index
    assert index is not None
    whole = StoryShelf(stories_of(index, viewer), viewer.query_ids())
    assert after.stories == whole.stories and after._story_of == whole._story_of
    joined = {index.story_of[i.id] for i in new}
    assert set(read) == {i for sid in joined for i in index.members[sid]}
    assert len(read) < len(viewer) / 2
    viewer.close()


def test_a_grouping_that_fails_in_part_leaves_the_next_shelf_made_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stories a cycle changed are noted once it has grouped them: a grouping that
    raises half way (its articles placed, the note not taken) leaves no mended shelf behind
    that misses them."""
    from fetchers.store import Store
    from fetchers.storybook import stories_of
    from fetchers.storyshelf import StoryShelf

    items = seeded_articles(count=300, days=3.0)

    article = _wire_article
    with Store(tmp_path, writer=True) as store:
        store.add_batch([article(i) for i in items[:200]])
        book = StoryBook(tmp_path)
        book.update(store, [i.id for i in items[:200]], removed=False)
        book.shelf(store)
        store.add_batch([article(i) for i in items[200:]])
        real = storybook.add_paced

        def failing(*args: object, **kwargs: object) -> None:
            real(*args, **kwargs)  # type: ignore[arg-type]
            raise RuntimeError("the disk went away")

        monkeypatch.setattr(storybook, "add_paced", failing)
        with pytest.raises(RuntimeError):
            book.update(store, [i.id for i in items[200:]], removed=False)
        index = book.index
        assert index is not None
        assert book.shelf(store).stories == StoryShelf(stories_of(index, store)).stories


def test_a_window_article_is_held_in_under_two_kilobytes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A poller keeps the grouping's window (three days of every feed: a hundred thousand
    articles at two thousand feeds) in memory to compare new articles with. Each one's
    weighed words are held as a tuple and an array of doubles, not a dict of float objects
    (about 2.6 kB an article of thirty words, with its filings and story)."""
    import gc
    import tracemalloc

    from fetchers import stories

    # the word caches as a new process has them: none emptied (at their bound) meanwhile
    monkeypatch.setattr(stories, "_STEMS", stories._Stems())
    monkeypatch.setattr(stories, "_CHUNKS", stories._Chunks())
    monkeypatch.setattr(stories, "_TERMS", stories._Terms())

    rng = random.Random(11)
    letters = "abcdefghijklmnopqrstuvwxyz"
    vocabulary = ["".join(rng.choices(letters, k=rng.randint(4, 9))) for _ in range(3000)]
    articles = [
        Item(
            f"a{n}",
            " ".join(rng.sample(vocabulary, 8)),
            " ".join(rng.sample(vocabulary, 25)),
            at(n / 360),
        )
        for n in range(2000)
    ]
    StoryIndex().add(articles)  # the words known to the process, as in a running poller
    # and to the index: a running poller's word counts hold its feeds' words already (they
    # are the index's, not a window article's: the prior's copy and every word ever seen, of
    # a size that doubles now and then as words come). Articles in the same words, gone from
    # the window by the time the measured ones come.
    index = StoryIndex()
    index.add([Item("w" + a.id, a.title, a.summary, a.when - 200 * 3600) for a in articles])
    gc.collect()
    tracemalloc.start()
    try:
        index.add(articles)
        gc.collect()
        # what the grouping made and still holds (not what another thread allocated meanwhile)
        made = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(True, stories.__file__)]
        )
    finally:
        tracemalloc.stop()
    held = sum(stat.size for stat in made.statistics("filename"))
    assert len(index) == 2 * len(articles)
    assert held / len(articles) < 2000


def test_the_commonest_words_of_other_languages_say_nothing() -> None:
    """Two French reports of different events published together share only French's
    commonest words ("le", "la", "de", "des", "les"); counted as words, like English's "the"
    and "of" they would be, they made one story. Those English news uses as words or names
    stay words ("die", "war", "van", "UN"), as do any in capitals ("LA", "MIT")."""
    french = [
        Item(
            "f1",
            "Le gouvernement présente le budget de l'Etat pour l'année prochaine",
            "Le ministre des comptes publics a présenté le projet de loi de finances devant la"
            " presse, avec des économies dans les dépenses de la santé.",
            at(0),
        ),
        Item(
            "f2",
            "La tempête Ciaran frappe le nord-ouest de la France",
            "Des rafales de plus de 150 km/h ont été relevées sur les côtes de la Bretagne et de"
            " la Normandie dans la nuit, privant des milliers de foyers de courant.",
            at(0.5),
        ),
    ]
    assert grouped(french) == {frozenset({"f1"}), frozenset({"f2"})}
    assert terms("la fin de la guerre et des combats") == terms("fin guerre combats")
    assert terms("Dutch van driver") == ["@netherlands", "van", "driver"]
    assert terms("UN war: two die") == ["un", "war", "2", "die"]
    assert terms("LA fires, MIT study") == ["la", "fire", "mit", "study"]


def test_a_latin_word_meets_it_without_accents_and_a_noun_of_the_other_gender() -> None:
    """Outlets write "Etat" in capitals for "État", and a Spanish lede says "femenina" where
    the headline said "femenino": one word each."""
    assert terms("Etat") == terms("État") == terms("ÉTAT")
    assert terms("Mundial femenino") == terms("mundial femenina")
    assert terms("apagón eléctrico") == terms("apagon electrica")
    assert terms("Łódź") == ["łódź"]  # a letter NFKD does not take apart (Ł): as written


def test_a_russian_name_or_noun_in_any_case_is_one_word() -> None:
    """Russian declines its names and nouns: "Путина", "Путину" and "Путиным" are Putin, and
    one outlet's "самолёт" is another's "самолета". Its commonest words say nothing."""
    assert terms("Путин") == terms("Путина") == terms("Путину") == terms("Путиным") == ["путин"]
    assert terms("Россия") == terms("России") == terms("Россию")
    assert terms("самолёт") == terms("самолета") and terms("область") == terms("области")
    assert terms("что это было, сообщил он") == []
    crash = [
        Item("r1", "В Тверской области разбился самолёт Пригожина", "На борту было десять человек.",
             at(0)),
        Item("r2", "Самолет Евгения Пригожина потерпел крушение", "Росавиация назвала пассажиров.",
             at(1)),
        Item("r3", "ЦБ повысил ключевую ставку до 16%", "Это было решение на заседании совета.",
             at(1.5)),
    ]  # fmt: skip
    assert grouped(crash) == {frozenset({"r1", "r2"}), frozenset({"r3"})}


def test_a_russian_noun_meets_its_adjective_and_the_words_of_its_root() -> None:
    """One outlet writes "Камчатка", another "Камчатский край"; "президент" and
    "президентские", "мобилизация" and "мобилизованных" are one root: each pair one word, so
    reports of the quake meet, and the election's stay apart."""
    assert terms("Камчатка") == terms("Камчатке") == terms("камчатский")
    assert terms("президент") == terms("президентские")
    assert terms("мобилизация") == terms("мобилизованных")
    quake = [
        Item("k1", "Сильное землетрясение произошло у берегов Камчатки",
             "Жителям Петропавловска-Камчатского рекомендовали уйти от побережья.", at(0)),
        Item("k2", "Камчатский край: после подземных толчков объявлена угроза цунами",
             "Магнитуда землетрясения составила 8,8, сообщили сейсмологи.", at(1)),
        Item("v1", "Путин победил на президентских выборах с рекордным результатом",
             "ЦИК: за действующего президента проголосовали 87% избирателей.", at(1.5)),
    ]  # fmt: skip
    assert grouped(quake) == {frozenset({"k1", "k2"}), frozenset({"v1"})}


def test_a_russian_root_is_one_word_whichever_consonant_its_form_writes() -> None:
    """A verb and the noun made of its root write the root's last consonant otherwise
    ("повысил" and "повышение", "защитил" and "защищает"): each pair one word, so two
    reports of a rate rise that share the rise and its figure meet. Earlier in a word the
    same letters are the word's own: reports of two courts, or of the States and of an
    article, stay apart."""
    assert terms("повысил") == terms("повышение") == terms("повышения")
    assert terms("ответил") == terms("отвечает")
    assert terms("защитил") == terms("защищает")
    # a word's first letters are its own: St Petersburg is not Kyiv's Pechersk, the States
    # are not an article, "our" is not "us"
    assert terms("Петербурга") != terms("Печерский")
    assert terms("Штаты") != terms("статья")
    assert terms("наш") != terms("нас")
    rise = [
        Item("c1", "ЦБ повысил ключевую ставку до 20%", "Регулятор собрался внепланово.",
             at(0), "A"),
        Item("c2", "Повышение до 20%: Банк России удивил рынок", "Аналитики ждали меньшего шага.",
             at(0.5), "B"),
        Item("p1", "Минфин ждет дефицита бюджета в 2%", "Ведомство ждет роста расходов.",
             at(1), "C"),
    ]  # fmt: skip
    assert grouped(rise) == {frozenset({"c1", "c2"}), frozenset({"p1"})}
    courts = [
        Item("k1", "Печерский суд Киева арестовал экс-депутата Рады", "Решение принято вечером.",
             at(0), "A"),
        Item("s1", "Суд Петербурга отпустил блогера", "Он вышел из зала.", at(0.5), "B"),
        Item("u1", "Штаты расширили санкции против Газпромбанка", "Меры вступят в силу.",
             at(1), "C"),
        Item("d1", "Статья о санкциях вызвала споры в Госдуме", "Депутаты спорили.", at(1.5),
             "D"),
    ]  # fmt: skip
    assert grouped(courts) == {frozenset({i.id}) for i in courts}


def test_an_indonesian_word_and_a_short_turkish_one_are_read_without_their_affixes() -> None:
    """An Indonesian root is one word whichever prefix and suffix make a verb or a noun of it
    ("dilantik", "melantik", "pelantikan"; "menembakkan", "ditembak"), the nasal of "me-" and
    "pe-" read back as the letter it stood for; roots that begin as a prefix does stay whole.
    A Turkish word loses its chain of endings down to a root of three letters ("turda",
    "turunu": "tur")."""
    for forms in (
        "dilantik melantik pelantikan",
        "menembakkan ditembak penembakan",
        "diumumkan mengumumkan pengumuman",
        "diperbaiki memperbaiki perbaikan",
        "menyerang diserang serangan",
        "kebakaran terbakar membakar",
    ):
        read = terms_in("id", forms)
        assert len(set(read)) == 1, (forms, read)
    assert terms_in("id", "menang menteri penting") == ["menang", "menteri", "penting"]
    assert terms_in("id", "polisi kepala") == ["polisi", "kepala"]  # their own -i, ke-
    # a noun of a root ending in "k" keeps it ("desakan", pressure, is no "desa", a village)
    assert terms_in("id", "tembakan desakan desa") == ["tembak", "desak", "desa"]
    assert terms_in("id", "pernah mengakui") == ["pernah", "mengakui"]  # no shorter prefix
    assert terms_in("tr", "turda turunu tur") == ["tur"] * 3
    assert terms_in("tr", "faizini faizi faiz") == ["faiz"] * 3


def test_turkish_polish_and_indonesian_articles_are_read_in_their_language() -> None:
    """An article that says two of a language's common words, or writes its own letters
    twice, is read in it: Turkish's and Polish's cases meet ("depremde", "depremi"; "Kłodzku",
    "Kłodzko"), their letters' marks are read or not, their commonest words are no words,
    and countries and numbers are read as everywhere. A German or Italian article saying
    "nie", "ich", "di" or "da" is read as before."""
    assert terms_in("tr", "Depremde depremin depremler") == ["depre"] * 3
    assert terms_in("tr", "Türkiye'de yüzde 52 ve bir") == ["@turkey", "52"]
    assert terms_in("pl", "Tusk Tuska Tuskiem") == terms_in("pl", "tusk") * 3
    assert terms_in("pl", "Łódź") == terms_in("pl", "Lodz")
    assert terms_in("id", "korbannya yang dan di") == terms_in("id", "korban")
    assert terms_in("tr", "TÜRKİYE Türkiye Turkiye") == ["@turkey"] * 3
    # fiscal, small: no Mali (the Turkish is read as its root, "mal", property)
    assert terms_in("tr", "mali") == ["mal"] and terms_in("pl", "mali") == ["mali"]
    assert terms_in("tr", "Putin Putin'in") == ["putin", "putin"]  # a name keeps its "-in"
    assert terms_in("tr", "su") == ["su"]  # water, not the word "şu" without its mark
    said = {
        "Tusk spotkał się z Zełenskim w Kijowie": "pl",
        "Seçimin ikinci turunu Erdoğan kazandı": "tr",
        "Gempa guncang Cianjur dengan kekuatan yang besar": "id",
        "Ich habe nie gesagt, dass die Regierung da war": None,
        "Il presidente di Roma da oggi per la città": None,
        "İçin bu karar ve Erdoğan": "tr",
        "Premier powiedział, że on by chciał, aby rząd przyjął ustawę": "pl",
        "Wałęsa wins in Łódź": None,
        "Merkez Bankası'ndan sürpriz karar: faiz yüzde 50 TCMB beklenmedik şekilde": "tr",
        "Mehmet Şimşek says Beşiktaş fans": None,
        "Erdoğan says Türkiye will host talks; Erdoğan met the envoy": None,
        "Vučić and Plenković meet as Vučić warns of tension": None,
    }
    for text, language in said.items():
        chunks = text.split()  # noqa: SIM905 - a sentence reads better as one
        found = languages.language_of(chunks, textlanguage.MARKERS, textlanguage.NOT_THEIRS)
        assert found == language, text
    items = [
        Item("t1", "Malatya'da 5,6 büyüklüğünde deprem",
             "AFAD, depremin ardından bazı binaların hasar gördüğünü ve ekiplerin bölgeye "
             "gönderildiğini açıkladı.", at(0)),
        Item("t2", "Malatya depremi: hasarlı binalardan enkaz kaldırılıyor",
             "Depremde yaralanan 12 kişi hastaneye kaldırıldı, AFAD ekipleri çalışmalarını "
             "sürdürüyor.", at(1)),
        Item("t3", "Merkez Bankası faizi sabit tuttu",
             "Para Politikası Kurulu politika faizini yüzde 50'de sabit bıraktı ve sıkı "
             "duruşun süreceğini açıkladı.", at(1.5)),
        Item("p1", "Powódź w Kłodzku: woda zalała centrum miasta",
             "Mieszkańcy Kłodzka są ewakuowani, strażacy walczą z wodą.", at(2)),
        Item("p2", "Kłodzko pod wodą po ulewach",
             "Powodziowa fala zalała miasto; ewakuacja mieszkańców trwa.", at(3)),
    ]  # fmt: skip
    assert grouped(items) == {
        frozenset({"t1", "t2"}),
        frozenset({"t3"}),
        frozenset({"p1", "p2"}),
    }


def test_a_ukrainian_name_or_noun_in_any_case_is_one_word() -> None:
    """Ukrainian declines as Russian does, with letters of its own ("Херсоні", "Росії"), and
    its commonest words say nothing."""
    assert terms("Херсон") == terms("Херсона") == terms("Херсоні") == ["херсо"]
    assert terms("Україна") == terms("України") == terms("Україні") == terms("Україною")
    assert terms("що це було, повідомив він") == []


def test_a_lean_writer_started_again_reads_back_only_what_a_new_article_can_meet(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A poller started again keeps its shards' words on disk (a lean store): grouping its
    first new articles restores the saved stories and reads back whole only the shards of
    the articles within two windows of the newest, not every shard it keeps (at a million
    articles, 17 s of CPU): the articles it compares new ones with are those of the last two
    windows, new reports join stories of days before, and the stories are those a store
    holding every word makes."""
    from dataclasses import astuple

    from fetchers.store import Store, leanwords, shards
    from fetchers.stories import WINDOW
    from fetchers.story import first_time
    from fetchers.storybook import StoryBook

    monkeypatch.setattr(leanwords, "FRESH_WORDS", 0)  # as long after the write
    monkeypatch.setattr(shards, "SHARD_ARTICLES", 40)  # each day's first shards full
    items = sorted(seeded_articles(count=1200, days=14.0), key=lambda i: (i.when, i.id))
    articles = _fetched_after(items)
    old, new = articles[:-30], articles[-30:]
    grouped: dict[bool, dict[str, str]] = {}
    for lean in (False, True):
        folder = tmp_path / ("lean" if lean else "whole")
        with Store(folder, writer=True, lean=lean) as store:
            StoryBook(folder).update(store, store.add_batch(old), removed=False)
            keys = store.shard_keys()
        with Store(folder, writer=True, lean=lean) as store:  # started again
            reads = _shard_reads(monkeypatch) if lean else []
            book = StoryBook(folder)
            book.update(store, store.add_batch(new), removed=False)
            assert book.index is not None and len(book.index.story_of) == 1200
            grouped[lean] = dict(book.index.story_of)
            reads = list(reads)  # (what follows reads every shard)
            if lean:  # what it compared the new with: every article of the last two windows
                every = store.records(store.query_ids())
                newest = max(map(first_time, every))
                assert [
                    astuple(i) for i in storybook._recent_items(store, [r.id for r in every])
                ] == [
                    astuple(storybook._item(r))
                    for r in every
                    if first_time(r) >= newest - 2 * WINDOW
                ]
    assert grouped[True] == grouped[False]
    earlier = {grouped[True][a.id] for a in old}
    assert sum(1 for a in new if grouped[True][a.id] in earlier) >= 5  # new reports joined old
    oldest = datetime.fromtimestamp(max(i.when for i in items) - 2 * WINDOW, UTC)
    assert reads  # the recent articles' shards, read back
    assert min(reads)[:10] >= f"{oldest:%Y-%m-%d}"  # none older than two windows
    assert len(keys) >= 28 and len(set(reads)) < len(keys) / 2


def test_a_poller_says_once_how_long_its_stories_took_to_be_ready(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A poller's first grouping makes or restores every story and weighs the recent
    articles (at a million articles, seconds of CPU): its log says once when the stories
    are ready, and how many; the cycles after say nothing of them. A poller started again
    says it again, of the stories it restored."""
    from fetchers.newsroom import Cycle
    from fetchers.store import Store
    from fetchers.storybook import StoryDesk

    articles = _fetched_after(seeded_articles(count=80, days=1.0))
    ready: list[int] = []
    with caplog.at_level("INFO", "wirewatch.stories"):
        for batches in ((articles[:40], articles[40:60]), (articles[60:],)):  # then restarted
            with Store(tmp_path, writer=True) as store:
                desk = StoryDesk(store, tmp_path)
                for batch in batches:
                    desk.after_cycle(Cycle([], store.add_batch(batch)))
                    assert desk.running is not None
                    desk.running.result()
                    assert desk.book.index is not None
                    if batch is batches[0]:
                        ready.append(len(desk.book.index.members))
                desk.close()
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith("stories:")]
    assert len(said) == 2 and 0 < ready[0] < 40 and ready[0] < ready[1] < 80
    assert re.fullmatch(rf"stories: {ready[0]} stories of 40 articles ready in \d+\.\d s", said[0])
    assert re.fullmatch(rf"stories: {ready[1]} stories of 80 articles ready in \d+\.\d s", said[1])


def test_an_outlets_lag_counts_its_report_no_later_than_it_was_fetched() -> None:
    """Beta's item says 12:05 (within the allowance for clocks ahead) but was fetched at 12:02,
    two minutes after Alpha's undated report of 12:00 (news of a later poll, as fetched):
    its lag is two minutes, not five."""
    from fetchers.query import Record
    from fetchers.story import made_story
    from fetchers.storybook import leads

    noon = datetime(2026, 11, 5, 12, 0, tzinfo=UTC).timestamp()
    alpha = Record("a", "Alpha", "Quake hits", fetched=noon)
    beta = Record("b", "Beta", "Quake strikes", published=noon + 300, fetched=noon + 120)
    story = made_story("s1", [alpha, beta])
    held = {"a": alpha, "b": beta}

    class Held:
        def headlines(self, ids: Iterable[str]) -> list[Record]:
            return [held[i] for i in ids if i in held]

        def fetch_times(
            self, sources: Iterable[str], since: float | None = None
        ) -> dict[str, list[float]]:
            return {s: [noon - 900, noon] for s in sources}  # Alpha's poll of 11:45 too

    found = leads([story], Held())  # type: ignore[arg-type]
    assert found["Alpha"].first_reports == 1 and found["Alpha"].median_lag == 0
    assert found["Beta"].median_lag == 120


def test_a_source_leads_only_on_stories_other_sources_carry_too() -> None:
    """One Google News feed's reports crediting Reuters and the AP are a story of two outlets,
    but of one source: the feed was first against no other source, so it has no first report
    and no lag there (it was counted first on every story it carried alone)."""
    from fetchers.query import Record
    from fetchers.story import made_story
    from fetchers.storybook import leads

    noon = datetime(2026, 11, 5, 12, 0, tzinfo=UTC).timestamp()
    one = Record("a", "Google News", "Quake hits - Reuters", "Quake hits  Reuters", fetched=noon)
    two = Record("b", "Google News", "Quake strikes - AP", "Quake strikes  AP", fetched=noon + 60)
    alone = made_story("s1", [one, two])
    held = {"a": one, "b": two}

    class Held:
        def headlines(self, ids: Iterable[str]) -> list[Record]:
            return [held[i] for i in ids if i in held]

    assert alone.outlets == 2 and alone.sources == ["Google News"]
    assert leads([alone], Held()) == {}  # type: ignore[arg-type]


def test_the_outlet_not_an_aggregators_feed_reported_first() -> None:
    """Reuters' own feed and a Google News feed crediting Reuters with the same report at
    the same time: "Google News" was said to be first (its name sorts first; a "Yahoo News"
    was not), and where the aggregator carried an outlet's report first the desk was told
    the aggregator led. The outlet's own report wins the tie; the first teller is the
    outlet credited, and a source's first reports count only what it reported itself."""
    from fetchers.query import Record
    from fetchers.story import Story, made_story
    from fetchers.storybook import leads

    noon = datetime(2025, 11, 21, 21, 10, tzinfo=UTC).timestamp()
    title = "Nvidia shares tumble 7% after weak data center revenue forecast"
    copy = Record("g", "Google News", f"{title} - Reuters", f"{title}  Reuters", published=noon)
    own = Record("r", "Reuters", title, "Shares fell after the bell.", published=noon)
    ap = Record(
        "a",
        "Google News",
        "Nvidia stock slides - The Associated Press",
        "Nvidia stock slides  The Associated Press",
        published=noon + 1200,
    )
    held = {r.id: r for r in (copy, own, ap)}

    class Held:
        def headlines(self, ids: Iterable[str]) -> list[Record]:
            return [held[i] for i in ids if i in held]

    story = made_story("s1", [copy, own, ap])
    assert (story.first_id, story.first_source, story.first_teller) == ("r", "Reuters", "Reuters")
    found = leads([story], Held())  # type: ignore[arg-type]
    assert found["Reuters"].first_reports == 1 and found["Google News"].first_reports == 0
    # NHK's report came first through Google News alone: NHK reported first, no source led
    nhk = Record(
        "n",
        "Google News",
        "M6.9 quake off Iwate - NHK WORLD",
        "M6.9 quake off Iwate  NHK WORLD",
        published=noon,
    )
    later = Record(
        "k", "Kyodo", "Strong quake jolts Iwate", "Tsunami advisory.", published=noon + 600
    )
    held.update({"n": nhk, "k": later})
    quake = made_story("s2", [later, nhk])
    assert (quake.first_source, quake.first_teller) == ("Google News", "NHK WORLD")
    found = leads([quake], Held())  # type: ignore[arg-type]
    assert found["Google News"].first_reports == 0 and found["Kyodo"].first_reports == 0
    # kept and read back, a store's story says the same
    again = Story.from_record("s2", quake.to_record())
    assert again is not None and again.first_teller == "NHK WORLD"
    assert quake.to_json()["first_source"] == "Google News"  # (the contract's: the feed)


def test_the_leads_read_each_shard_of_a_viewer_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch sources` counts who reported first over the stories of several sources:
    each of their articles was read back one at a time, a viewer keeping the last four
    shards read, so stories whose articles lie in six shards read a shard file back at
    almost every article (22,041 reads of 1.5 MB files and half a minute at 40,000
    articles). Each shard is read once, and the counts are the writer's own."""
    from fetchers.store import Store, thin
    from fetchers.story import made_story
    from fetchers.storybook import leads

    days = 6
    start = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    sources = ["Alpha", "Beta", "Gamma"]
    articles: list[Article] = []
    members: list[list[str]] = []
    for n in range(60):  # each story's reports lie in shards three days apart
        ids = []
        for k, day in enumerate((n % days, (n + 3) % days)):
            when = start + timedelta(days=day, minutes=n + 7 * k)
            ident = f"s{n}-{k}"
            articles.append(
                Article(ident, sources[(n + k) % 3], f"Story {n}", published=when, fetched=when)
            )
            ids.append(ident)
        members.append(ids)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(articles)
        stories = [
            made_story(f"t{n}", [r for i in ids if (r := store.record(i)) is not None])
            for n, ids in enumerate(members)
        ]
        expected = leads(stories, store)
    assert sorted(expected) == sources and sum(v.first_reports for v in expected.values()) == 60
    reads: list[str] = []
    cached_rows = thin.cached_rows

    def counted(folder: Path, key: str, signature: Any) -> Any:
        reads.append(key)
        return cached_rows(folder, key, signature)

    monkeypatch.setattr(thin, "cached_rows", counted)
    with Store(tmp_path) as viewer:  # thin records: their fetch times are on disk
        assert leads(stories, viewer) == expected
    assert len(set(reads)) == days and len(reads) == days


def test_sources_reads_only_the_stories_of_several_articles_for_its_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`wirewatch sources` made every story (a headline read for each article) and then read
    the articles of the stories of several sources again for their leads: 5 of 8 s of CPU at
    40,000 articles. The leads of the stories as grouped read only the articles of stories of
    two or more, once each, and count what the stories made whole count."""
    from fetchers.store import Store
    from fetchers.stories import StoryIndex
    from fetchers.storybook import index_leads, leads, stories_of

    start = datetime(2025, 11, 1, 12, 0, tzinfo=UTC)
    articles: list[Article] = []
    index = StoryIndex()
    for n in range(30):  # stories of one, two and three sources, and an aggregator's pair
        size = n % 4 + 1
        sid = f"t{n}"
        index.members[sid] = []
        for k in range(size):
            ident = f"a{n}-{k}"
            source = "Wire" if n % 4 == 1 else ["Alpha", "Beta", "Gamma", "Delta"][(n + k) % 4]
            when = start + timedelta(hours=n, minutes=9 * k - 5 * (n % 3) * k)
            articles.append(Article(ident, source, f"Story {n}", published=when, fetched=when))
            index.members[sid].append(ident)
            index.story_of[ident] = sid
    with Store(tmp_path, writer=True) as store:
        store.add_batch(articles)
    with Store(tmp_path) as viewer:
        expected = leads(stories_of(index, viewer), viewer)
        asked: list[str] = []
        headlines = viewer.headlines

        def counted(ids: list[str]) -> Any:
            asked.extend(ids)
            return headlines(ids)

        monkeypatch.setattr(viewer, "headlines", counted)
        found = index_leads(index, viewer)
    assert found == expected and sum(lead.first_reports for lead in found.values()) == 14
    several = {i for ids in index.members.values() if len(ids) >= 2 for i in ids}
    assert sorted(asked) == sorted(several)


def test_one_outlet_credited_in_two_ways_is_one_outlet() -> None:
    """An aggregator's items crediting "REUTERS", "Reuters" and "ＲＥＵＴＥＲＳ" were three
    outlets (`outlets:3`), and Reuters' article was "also reported by REUTERS"."""
    from fetchers.query import Record
    from fetchers.story import made_story

    noon = datetime(2025, 11, 21, 21, 10, tzinfo=UTC).timestamp()
    credited = [
        Record(
            f"x{n}",
            "Wire",
            f"Quake hits Iwate - {who}",
            f"Quake hits Iwate  {who}",
            published=noon + n,
        )
        for n, who in enumerate(["Reuters", "REUTERS", "ＲＥＵＴＥＲＳ", "AP"])
    ]
    story = made_story("s1", credited)
    assert story.outlets == 2 and story.outlet_names == ["Reuters", "AP"]


def test_a_story_is_first_reported_no_later_than_it_was_fetched() -> None:
    """A date a few minutes ahead of its fetch (within what a feed's clock may be off) made
    the story's first report later than its last activity ("first_seen" 01:03, "last_seen"
    01:00), and the outlet that was not first look first."""
    from fetchers.query import Record
    from fetchers.story import made_story

    fetched = datetime(2025, 11, 27, 1, 0, tzinfo=UTC).timestamp()
    ahead = Record("y", "Yonhap", "BOK holds key rate", published=fetched + 480, fetched=fetched)
    earlier = Record(
        "h", "Herald", "Bank of Korea keeps rate", published=fetched + 180, fetched=fetched
    )
    story = made_story("s1", [ahead, earlier])
    assert story.first_seen <= story.last_seen == fetched
    assert story.first_source == "Herald"  # its date the earlier, though both are capped
    story = made_story(
        "s1", [Record("a", "Alpha", "x", published=fetched + 480, fetched=fetched), earlier]
    )
    assert story.first_source == "Herald"


def test_a_source_renamed_in_the_config_is_one_outlet_in_its_stories(
    open_store, tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Renamed in the config, a source's earlier articles kept the name they were fetched
    under: a story it carried before and after counted it as two outlets, `source:` under
    the new name missed its history and its first reports were split. They take the new
    name at the next poll, in the store every host reads."""
    yonhap = Route(
        rss(
            "<title>Seoul and Washington far apart on tariffs days before APEC summit</title>"
            "<guid>y1</guid><pubDate>Fri, 24 Oct 2025 05:00:00 GMT</pubDate>"
        )
    )
    herald = Route(
        rss(
            "<title>Seoul, Washington still far apart on tariffs ahead of APEC summit</title>"
            "<guid>h1</guid><pubDate>Fri, 24 Oct 2025 05:20:00 GMT</pubDate>"
        )
    )
    urls = (feed_server.add("/yonhap.xml", yonhap), feed_server.add("/herald.xml", herald))
    where = _cli(open_store, tmp_path / "run")
    config = Path(where[1])
    store_lines = config.read_text()

    def refresh(yonhap_name: str, now: str) -> None:
        sources = "".join(
            f'[[sources]]\nname = "{name}"\nurl = "{url}"\n\n'
            for name, url in zip((yonhap_name, "Herald"), urls, strict=True)
        )
        config.write_text(store_lines + "\n" + sources)
        code, _, out = _run(capsys, *where, "--now", now, "refresh")
        assert code == 0, out

    refresh("Yonhap", "2025-10-24T06:00:00Z")
    yonhap.body = rss(
        "<title>Seoul, Washington far apart on tariffs as APEC summit nears</title>"
        "<guid>y2</guid><pubDate>Fri, 24 Oct 2025 06:10:00 GMT</pubDate>",
        "<title>Seoul and Washington far apart on tariffs days before APEC summit</title>"
        "<guid>y1</guid><pubDate>Fri, 24 Oct 2025 05:00:00 GMT</pubDate>",
    )
    refresh("Yonhap English", "2025-10-24T06:20:00Z")
    _, listed, _ = _run(capsys, *where, "list", 'source:"Yonhap English"', "--json")
    assert sorted(a["title"] for a in listed) == [
        "Seoul and Washington far apart on tariffs days before APEC summit",
        "Seoul, Washington far apart on tariffs as APEC summit nears",
    ]
    assert _run(capsys, *where, "list", "source:Yonhap", "--json")[1] == []
    _, found, _ = _run(capsys, *where, "stories", "--json")
    (story,) = found
    assert len(story["articles"]) == 3
    assert sorted(story["sources"]) == ["Herald", "Yonhap English"] and story["outlets"] == 2
    assert story["first_source"] == "Yonhap English"


def test_a_dashboards_stories_after_a_new_sources_backlog_are_those_made_whole(
    tmp_path: Path,
) -> None:
    """A writer's dashboard mends its shelf with the stories a cycle changed: Zeta's first
    poll, an undated report of Norway's vote an hour after the others, leaves the story
    below Gamma's later one there too, with the time of Beta's report, as a shelf made whole
    and the page of the newest say; Zeta has no lag on the health picker's counts."""
    from fetchers.store import Store
    from fetchers.storybook import leads, stories_of
    from fetchers.storypage import newest_of_all

    noon = datetime(2025, 11, 3, 12, 0, tzinfo=UTC)

    def report(ident: str, source: str, title: str, hours: float, dated: bool = True) -> Article:
        when = noon + timedelta(hours=hours)
        return Article(ident, source, title, published=when if dated else None, fetched=noon)

    first = [
        report("a1", "Alpha", "Norway votes to keep its oil fund out of arms makers", -2),
        report("b1", "Beta", "Norway's parliament keeps oil fund out of arms makers", -1),
        report("g1", "Gamma", "Typhoon Kalmaegi makes landfall in central Vietnam", -0.5),
    ]
    zeta = report("z1", "Zeta", "Norway votes to keep oil fund out of arms makers", 0, False)
    zeta.fetched = noon + timedelta(hours=1)
    with Store(tmp_path, writer=True) as store:
        store.add_batch(first)
        book = StoryBook(tmp_path)
        book.update(store, [a.id for a in first], removed=False)
        book.shelf(store)
        store.add_batch([zeta])
        book.update(store, ["z1"], removed=False)
        shelf = book.shelf(store)  # mended with the story Zeta joined
        index = book.index
        assert index is not None
        assert shelf.stories == stories_of(index, store)
        assert newest_of_all(index, store)[0] == shelf.stories
        assert [s.sources for s in shelf.stories] == [["Gamma"], ["Alpha", "Beta", "Zeta"]]
        assert shelf.stories[1].last_seen == (noon - timedelta(hours=1)).timestamp()
        found = leads(shelf.stories, store)
    assert "Zeta" not in found and found["Beta"].median_lag == 3600


def test_a_stories_file_made_again_names_each_story_as_the_cycles_did(tmp_path: Path) -> None:
    """A report dated earlier that came a cycle later joins the story the first report
    began, which keeps that one's id; a stories file made again (lost, or refused) grouped
    every article in time order, so the later-fetched, earlier-dated report began the story
    and its id changed: `story:` in a saved filter or an alert rule matched nothing."""
    from fetchers.store import Store

    def report(ident: str, source: str, title: str, published: str, fetched: str) -> Article:
        return Article(
            ident,
            source,
            title,
            None,
            datetime.fromisoformat(published),
            datetime.fromisoformat(fetched),
            "Seoul and Washington remain far apart on how to structure a $350 billion"
            " investment package, a presidential aide said, days before the APEC summit.",
        )

    first = report(
        "yna-100",
        "Yonhap",
        "S. Korea, US still far apart on tariff talks, presidential aide says",
        "2025-10-27T01:05:00+00:00",
        "2025-10-27T02:00:00+00:00",
    )
    late = report(
        "r-2",
        "Reuters",
        "South Korea, US still far apart in tariff talks, aide says",
        "2025-10-27T00:55:00+00:00",
        "2025-10-27T06:00:00+00:00",
    )
    with Store(tmp_path / "data", writer=True) as store:
        book = StoryBook(tmp_path / "data")
        for article in (first, late):
            store.add_batch([article])
            book.update(store, [article.id], False)
        assert book.index is not None
        story = book.index.story_of["yna-100"]
        assert book.index.story_of["r-2"] == story == story_id("yna-100")
        (tmp_path / "data" / FILE).unlink()
        again = StoryBook(tmp_path / "data")
        again.update(store, [], False)
        assert again.index is not None
        assert again.index.story_of["yna-100"] == again.index.story_of["r-2"] == story


def test_a_story_of_one_aggregator_feed_counts_the_outlets_it_credits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A Google News feed's reports of one event, crediting Reuters, Bloomberg and the AP,
    are one story of three outlets (it counted one, the feed), though of one source; so
    `outlets:3` finds them, in the writer and as a viewer reads the store back."""
    credited = [
        ("Reuters", "Fed raises interest rates by a quarter point to fight inflation", "07:00"),
        ("Bloomberg", "Fed raises interest rates a quarter point, fight on inflation", "07:10"),
        ("The Associated Press", "Fed raises interest rates by quarter point, inflation", "07:20"),
    ]
    items = [
        story_item(
            f"g{n}",
            f"{title} - {outlet}",
            f"{title}&#160;&#160;{outlet}",
            f"Fri, 24 Oct 2025 {when}:00 GMT",
        )
        for n, (outlet, title, when) in enumerate(credited)
    ]
    feed = tmp_path / "news.xml"
    feed.write_bytes(rss(*items))
    config = tmp_path / "c.toml"
    config.write_text(f'[[sources]]\nname = "Google News"\npath = "{feed}"\n')
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]
    assert _run(capsys, *where, "refresh")[0] == 0
    code, found, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0 and len(found) == 1
    assert found[0]["sources"] == ["Google News"] and found[0]["outlets"] == 3
    (tmp_path / "d" / storypage.NEWEST_FILE).unlink()  # made again from the articles
    code, found, _ = _run(capsys, *where, "stories", "--json")
    assert code == 0 and [s["outlets"] for s in found] == [3]
    code, listed, _ = _run(capsys, *where, "list", "outlets:3", "--json")
    assert code == 0 and len(listed) == 3


def test_a_viewer_and_the_writer_agree_on_who_reported_an_undated_later_item_first(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Wire A's other items are dated; its report of the grounding, an hour after a poll
    that stored them, is undated: news as fetched at 10:00, before Wire B's of 10:30. The
    writer's page and what a viewer makes again (`stories QUERY`, `sources`) name the same
    first reporter and outlets: a viewer had called Wire A's report first-poll backlog (its
    thin records had dropped when Wire A's dated items were fetched)."""
    nine = datetime(2025, 11, 5, 9, 0, tzinfo=UTC)

    def item(guid: str, title: str, when: datetime | None = None, more: str = "") -> str:
        date = f"<pubDate>{format_datetime(when, usegmt=True)}</pubDate>" if when else ""
        summary = f"{title}. {more}"
        return (
            f"<title>{title}</title><guid>{guid}</guid>{date}<description>{summary}</description>"
        )

    coast = "The coast guard said the ferry ran aground near Deokjeok Island."

    a0 = item("a0", "Parliament passes budget bill", nine - timedelta(hours=13))
    b0 = item("b0", "Zoo welcomes twin panda cubs", nine - timedelta(hours=12))
    routes = {"Wire A": Route(rss(a0)), "Wire B": Route(rss(b0))}
    urls = {name: feed_server.add(f"/{name[-1]}.xml", route) for name, route in routes.items()}
    sources = "".join(f'[[sources]]\nname = "{n}"\nurl = "{u}"\n' for n, u in urls.items())
    config = write_config(tmp_path / "w.toml", sources)
    where = ["--config", str(config), "--data-dir", str(tmp_path / "d")]

    def refresh(hours_after: float) -> None:
        now = utc_iso(nine + timedelta(hours=hours_after)) or ""
        assert _run(capsys, *where, "refresh", "--now", now)[0] == 0

    refresh(0)
    routes["Wire A"].body = rss(
        item("a1", "Incheon ferry runs aground; all 95 passengers rescued", more=coast), a0
    )
    refresh(1)
    b1 = item(
        "b1",
        "Ferry runs aground off Incheon, all 95 passengers rescued",
        nine + timedelta(hours=1.5),
        coast,
    )
    routes["Wire B"].body = rss(b1, b0)
    refresh(2)
    now = ["--now", utc_iso(nine + timedelta(hours=2.5)) or ""]
    _, page, _ = _run(capsys, *where, *now, "stories", "--json")
    _, made, _ = _run(capsys, *where, *now, "stories", "Incheon", "--json")
    ferry = next(s for s in page if "Incheon" in s["title"])
    assert ferry["first_source"] == "Wire A" and ferry["sources"] == ["Wire A", "Wire B"]
    assert [(s["first_source"], s["sources"], s["first_seen"]) for s in made] == [
        (ferry["first_source"], ferry["sources"], ferry["first_seen"])
    ]
    _, health, _ = _run(capsys, *where, *now, "sources", "--json")
    leads = {h["name"]: (h["first_reports"], h["median_lag_s"]) for h in health}
    assert leads["Wire A"] == (1, 0) and leads["Wire B"] == (0, 1800)
