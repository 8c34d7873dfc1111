"""The query language: terms, OR, exclusion, fields, and errors instead of match-all."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fetchers import query as query_module
from fetchers.query import (
    NameCompletion,
    Query,
    QueryError,
    Record,
    follows_clock,
    parse_query,
    quoted,
    swept,
)

NOW = datetime(2025, 10, 24, 8, tzinfo=UTC)


def rec(
    text: str,
    summary: str = "",
    source: str = "Yonhap",
    tags: tuple[str, ...] = ("korea",),
    hours_ago: float = 1,
    read: bool = False,
    starred: bool = False,
    lang: str | None = "en",
) -> Record:
    return Record(
        "id",
        source,
        text,
        summary,
        tags=tags,
        lang=lang,
        published=NOW.timestamp() - hours_ago * 3600,
        read=read,
        starred=starred,
    )


@pytest.mark.parametrize(
    ("query", "record", "expected"),
    [
        ("tariff", rec("Tariff talks"), True),
        ("tariff trade", rec("Tariff talks"), False),
        ("tariff OR trade", rec("trade deal"), True),
        ('"far apart"', rec("Seoul, US far apart"), True),
        ('"far apart"', rec("apart, far"), False),
        ("-opinion tariff", rec("Opinion: tariff"), False),
        ("source:yonhap", rec("x"), True),
        ('source:"Korea Herald"', rec("x", source="Korea Herald"), True),
        # a quote inside quotes is written twice
        ('source:"The ""Daily"" Wire"', rec("x", source='The "Daily" Wire'), True),
        ('source:"The ""Daily"" Wire"', rec("x", source="The Daily Wire"), False),
        ('"say ""no"""', rec('They say "no" to tariffs'), True),
        ("tag:KOREA", rec("x"), True),
        ("is:unread", rec("x", read=True), False),
        ("is:starred", rec("x", starred=True), True),
        ("since:6h", rec("x", hours_ago=7), False),
        ("before:6h", rec("x", hours_ago=7), True),
        ("since:2025-10-24", rec("x", hours_ago=1), True),
        ("lang:ko", rec("x", lang="ko-KR"), True),
        ("APEC OR summit source:Yonhap", rec("summit"), True),
        # the apostrophe typed finds the one news writes, and the other way round
        ("Seoul's", rec("Seoul\u2019s $350 billion pledge"), True),
        ("o'brien", rec("O\u2019Brien said it"), True),
        ("title:Seoul's", rec("Seoul\u2019s pledge"), True),
        ('"Seoul\u2019s pledge"', rec("Seoul's pledge stands"), True),
        ("Seoul's", rec("Seouls pledge"), False),
        # quotation marks an editor makes of '"' quote a phrase as '"' does
        ("\u201cfar apart\u201d", rec("Seoul, US far apart"), True),
        ("\u201cfar apart\u201d", rec("apart, far"), False),
        ("title:\u201efar apart\u201c", rec("Seoul, US far apart"), True),
        # Turkish's capital dotted I: "İstanbul" is istanbul (it was "i" and "stanbul")
        ("istanbul", rec("İSTANBUL zirvesi"), True),
        ("İstanbul", rec("istanbul zirvesi"), True),
        ('"istanbul zirvesi"', rec("İstanbul zirvesi başladı"), True),
        # case folded: German's "ß" is "ss" in capitals, and the other way round
        ("STRASSENBAHN", rec("Straßenbahn in München fährt wieder"), True),
        ("Strassenbahn", rec("Straßenbahn in München fährt wieder"), True),
        ("strassenbahn", rec("Straßenbahn in München fährt wieder"), True),
        ("straßenbahn", rec("STRASSENBAHN fährt wieder"), True),
        ('"strassenbahn in"', rec("Straßenbahn in München"), True),
        ("title:STRASSENBAHN", rec("Straßenbahn in München"), True),
        ("strassenbahn", rec("Strasbourg"), False),
        # Turkish's dotless ı, typed in lower case, finds the capital I and the other way round
        ("ırak", rec("Irak'ta seçim sonuçları açıklandı"), True),
        ("ısparta", rec("Isparta ve Iğdır'dan"), True),
        ("ığdır", rec("Isparta ve Iğdır'dan"), True),
        ("Irak", rec("Irak'ta seçim sonuçları açıklandı"), True),
        ("ISPARTA", rec("Isparta ve Iğdır'dan"), True),
        ("ışık", rec("IŞIK festivali"), True),
        ("IŞIK", rec("ışık festivali"), True),
        ('"ışık festivali"', rec("IŞIK FESTİVALİ"), True),
        ("-ırak", rec("Irak'ta seçim"), False),
        # letters in full width (as Japanese outlets write Latin ones) are the letters, and
        # a letter written as its parts (a letter and a combining mark; Korean as its jamo)
        # is the letter
        ("APEC", rec("\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ"), True),
        ("title:apec", rec("\uff21\uff30\uff25\uff23首脳会議、慶州で開幕へ"), True),
        ("\uff21\uff30\uff25\uff23", rec("APEC summit opens in Gyeongju"), True),
        ("g7", rec("\uff27\uff17外相会合"), True),
        ('"apec summit"', rec("\uff21\uff30\uff25\uff23 Summit opens"), True),
        ("-apec", rec("\uff21\uff30\uff25\uff23首脳会議"), False),
        ("caf\u00e9", rec("Cafe\u0301 society"), True),
        ("cafe\u0301", rec("Caf\u00e9 society"), True),
        ("CAFE\u0301", rec("caf\u00e9 society"), True),
        ("\u1100\u116a\u11ab\u1109\u1166", rec("관세 협상 타결"), True),  # 관세, as its jamo
        ("관세", rec("\u1100\u116a\u11ab\u1109\u1166 \u1112\u1167\u11b8\u1109\u1161\u11bc"), True),
        ("istanbul", rec("I\u0307stanbul zirvesi"), True),  # a dotted I as I and its dot
        # a word typed without its accents finds it written with them, and the other way
        # round: Latin and Greek letters lose theirs, Cyrillic "ё" is "е", Arabic's vowel
        # marks go
        ("cafe", rec("Caf\u00e9 society reopens"), True),
        ("cafe", rec("Cafe\u0301 society reopens"), True),
        ("caf\u00e9", rec("Cafe society reopens"), True),
        ("zurich", rec("Z\u00fcrich stocks fall"), True),
        ("title:ZURICH", rec("Z\u00fcrich stocks fall"), True),
        ('"zurich stocks"', rec("Z\u00dcRICH STOCKS fall"), True),
        ("-zurich", rec("Z\u00fcrich stocks fall"), False),
        ("Елку", rec("Ёлку нарядили на площади"), True),
        ("ёлку", rec("Елку нарядили"), True),
        ("αθηνα", rec("Αθήνα: συνάντηση κορυφής"), True),
        ("ΑΘΗΝΑ", rec("Αθήνα: συνάντηση κορυφής"), True),  # (capitals are written without)
        ("Αθήνα", rec("ΑΘΗΝΑ: ΣΥΝΑΝΤΗΣΗ"), True),
        ("lodz", rec("\u0141\u00f3d\u017a wins the bid"), True),
        ("tromso", rec("Troms\u00f8 airport"), True),
        ('"da nang"', rec("\u0110\u00e0 N\u1eb5ng floods"), True),
        ("istanbul", rec("\u0130stanbul'da \u015fiddetli ya\u011fmur"), True),
        ("siddetli", rec("\u0130stanbul'da \u015fiddetli ya\u011fmur"), True),
        ("محمد", rec("مُحَمَّد بن سلمان"), True),
        # the letters written as one are the two they join
        ("aero", rec("\u00c6r\u00f8 ferry"), True),
        ("coeur", rec("Au c\u0153ur de Paris"), True),
        ("c\u0153ur", rec("Au coeur de Paris"), True),
        # in Cyrillic, "й" and "ї" are letters of their own, not accented ones
        ("краи", rec("Край пострадал"), False),
        ("Киів", rec("Київ заявив"), False),
        # a Hindi vowel sign, and a Korean syllable's final consonant, are part of the word
        ("कम", rec("काम जारी है"), False),
        ("काम", rec("कम बारिश"), False),
        ("काम", rec("काम जारी है"), True),
        ("가", rec("각료 회의"), False),
        ("각료", rec("각료 회의"), True),
        # apostrophes inside words are words, not quotes
        ("O'Reilly", rec("O'Reilly Media"), True),
        ("don't", rec("Markets don't wait"), True),
        ("Irak'ta", rec("Irak'ta seçim"), True),
        ('"don\'t wait"', rec("Markets don't wait"), True),
        ("'90s", rec("Back to the '90s"), True),
        # an article keeps its language without a region: lang:en-US asks for English
        ("lang:en-US", rec("x", lang="en"), True),
        ("lang:en-us", rec("x", lang="en-GB"), True),
        ("lang:en-US", rec("x", lang="ko"), False),
        ("-lang:en-US", rec("x", lang="en"), False),
        ("lang:en_US", rec("x", lang="en"), True),
        # a dash an editor made of "-", or two of them, excludes as "-" does
        ("tariff \u2014weather", rec("tariff weather report"), False),
        ("tariff \u2212weather", rec("tariff talks"), True),
        ("tariff --weather", rec("tariff weather report"), False),
        ("\u2014source:Yonhap", rec("x"), False),
        # a phrase in single quotes, as a shell or another search language writes one
        ("'far apart'", rec("Seoul, US far apart"), True),
        ("'far apart'", rec("apart, far"), False),
        ("\u2018far apart\u2019", rec("Seoul, US far apart"), True),
        ("-'far apart' Seoul", rec("Seoul, US far apart"), False),
        ("source:'Korea Herald'", rec("x", source="Korea Herald"), True),
        ("'Seoul's' pledge", rec("Seoul\u2019s pledge"), True),  # (a word's own apostrophe)
        ("rock 'n' roll", rec("rock 'n' roll"), True),
        # a word pasted with characters that show nothing in it (soft hyphens from a German
        # page, a zero-width space, a right-to-left mark) is the word
        ("Klima\u00adschutz\u00adgesetz", rec("Klimaschutzgesetz beschlossen"), True),
        ("Bundesregierung\u200b", rec("Bundesregierung plant"), True),
        ("Кремль\u200f", rec("Кремль заявил"), True),
        ("-Bundesregierung\u2060", rec("Bundesregierung plant"), False),
        # and a stored text holding one inside a word is found by the word
        ("Washington", rec("x", summary="Wash\u200bington talks"), True),
        ("title:Washington", rec("Wash\ufeffington talks"), True),
        # a joiner a Persian word needs is the word's own: found as written, and not
        # taken for the two words it would part
        ("می\u200cخواهد", rec("می\u200cخواهد برود"), True),
        ("Wash\u200cington", rec("Washington talks"), True),
        # operators typed with a Chinese, Japanese or Russian keyboard
        ("tariff \uff0ddeal", rec("tariff deal signed"), False),
        ("tariff \uff0ddeal", rec("tariff talks"), True),
        ("\uff02日本銀行\uff02", rec("日本銀行が利上げ"), True),
        ("\u300c日本銀行\u300d", rec("日本銀行が利上げ"), True),
        ("\u300c日本銀行\u300d", rec("日本の銀行"), False),
        ("\u00abКремль заявил\u00bb", rec("Кремль заявил о"), True),
        ("\u00abКремль заявил\u00bb", rec("заявил Кремль"), False),
        ("利上げ \uff2f\uff32 Кремль", rec("Кремль"), True),
        ("source\uff1aDesk", rec("x", source="Desk"), True),
        ("source\uff1aDesk", rec("Desk notes"), False),
        ("\uff0dsource\uff1aDesk", rec("x", source="Desk"), False),
        # a full-width colon in a word that names no field stays the word's
        ("日本\uff1a東京", rec("日本:東京"), True),
    ],
)
def test_matching(query: str, record: Record, expected: bool) -> None:
    assert parse_query(query, NOW).matches(record) is expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("OR tariff", "OR needs"),
        ("tariff OR", "OR needs"),
        ("colour:red", "unknown field"),
        ("is:new", "is:new"),
        ("since:soon", "since:soon"),
        ("title:-tariff", "write -title:tariff"),
        ("\u201ctariff talks", "unterminated quote"),
        ('"open', "unterminated"),
        ('source:"The ""Daily" Wire"', "unterminated"),
        ("source:", "needs a value"),
        ("foo:", "unknown field foo:"),  # not "needs a value": no field takes one
        ("title:", "needs a value"),
        ('title:" "', "title: needs a word"),
        ("tariff - Seoul", "- at column 8 excludes nothing"),
        ("-", "excludes nothing"),
        ("tariff \u2014 Seoul", "excludes nothing"),
        # another search language's operators, which this one would look for as words
        ("tariff -OR sports", 'OR joins two terms; write -"or"'),
        ("tariff NOT weather", "NOT at column 8: write -word"),
        ("tariff AND trade", "AND at column 8: terms are all required already"),
        ("tariff -NOT", '-NOT at column 8: NOT is an operator elsewhere; write -"not"'),
        ("tariff -AND", '-AND at column 8: AND is an operator elsewhere; write -"and"'),
        # a quote left open is said where it opens, not at the phrase before it
        ('"far apart" tariffs "Seoul', "unterminated quote at column 21"),
        ('source:"Wire EN" "Lutnick', "unterminated quote at column 18"),
        ('tariff a"b', "unterminated quote at column 9"),
        ('tariff source:"Beta', "unterminated quote at column 15"),
        ("tariff | sports", "write OR between two terms"),
        ("(tariff OR sports)", "parentheses do not group"),
        ("tarif*", "drop the \\*"),
        ("*", "every article is listed without a query; leave it out"),
        # what no article can match
        ("since:2h before:1d", "before:1d is not after since:2h"),
        ("since:2025-10-20 before:2025-10-01", "before:2025-10-01 is not after since"),
        ("outlets:0", "a story has one outlet or more"),
        ("outlets:<1", "a story has one outlet or more"),
        ("tariff|stock", "tariff|stock at column 1: write OR between two terms"),
        # a term required and left out, or two values of what an article has one of
        ("tariff -tariff", "tariff and -tariff: the one leaves out what the other asks for"),
        ("tariffs -tariff", "tariffs and -tariff"),
        ('"tariff talks" Seoul -tariff', '"tariff talks" and -tariff'),
        ("title:tariff -tariff", "title:tariff and -tariff"),
        ("is:starred -is:starred", "is:starred and -is:starred"),
        ("is:read is:unread", "an article is read or unread"),
        ("-is:read -is:unread", "an article is one or the other"),
        ("source:Yonhap source:Reuters", "an article has one source"),
        ("lang:ko lang:en-US", "an article has one lang"),
        # a value that is no language tag matched nothing, in silence
        ("lang:123", "lang:123 is no language tag"),
        ("lang:xx1", "lang:xx1 is no language tag"),
        ("lang:english", "lang:english is no language tag: write the language's code"),
        ("story:s0123456789ab story:s0123456789ac", "an article has one story"),
        ("outlets:>=3 outlets:<2", "no story has a count of outlets that is both"),
        ("outlets:2 outlets:>2", "no story has a count of outlets that is both"),
    ],
)
def test_malformed_queries_are_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        parse_query(query, NOW)


@pytest.mark.parametrize(
    "query",
    [
        "tariff -tariffs",  # an article with "tariff" and no "tariffs"
        "tariff -title:tariff",  # in the summary, not the headline
        "tariff OR trade -tariff",  # a trade article
        "source:Yonhap source:yonhap",  # the same source
        "lang:en lang:en-US",  # the same language
        "is:read -is:unread",
        "is:read is:starred",
        "tag:korea tag:trade",  # an article has several tags
        "outlets:>=2 outlets:<=2",
        '"a|b"',  # a phrase with a bar in it
    ],
)
def test_terms_that_an_article_can_meet_together_are_not_refused(query: str) -> None:
    assert parse_query(query, NOW).clauses


def test_a_saved_filter_of_a_span_and_a_date_is_not_refused_once_they_cross() -> None:
    """ "since:7d before:2025-11-01" holds for a while, then for nothing: a config holding it
    must not be refused from that day on."""
    later = datetime(2025, 11, 10, tzinfo=UTC)
    assert parse_query("APEC since:7d before:2025-11-01", later).clauses


@pytest.mark.parametrize(
    ("query", "hours_ago", "expected"),
    [
        # NOW is 17:00 in Seoul: today there began 17 hours ago, yesterday 41 hours ago
        ("since:today", 16.5, True),
        ("since:today", 17.5, False),
        ("since:yesterday", 40, True),
        ("since:Yesterday", 42, False),
        ("before:today", 17.5, True),
        ("since:yesterday before:today", 20, True),
        ("since:yesterday before:today", 2, False),
    ],
)
def test_today_and_yesterday_begin_at_the_readers_midnight(
    query: str, hours_ago: float, expected: bool
) -> None:
    seoul = ZoneInfo("Asia/Seoul")
    assert parse_query(query, NOW, seoul).matches(rec("x", hours_ago=hours_ago)) is expected


def test_before_today_since_today_matches_nothing_and_says_so() -> None:
    with pytest.raises(QueryError, match="before:today is not after since:today"):
        parse_query("since:today before:today", NOW)


def test_empty_query_matches_everything() -> None:
    assert parse_query("", NOW).is_empty


BODY = "Trump is also scheduled to attend the APEC Economic Leaders' Meeting in Gyeongju."


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Gyeongju", True),  # in the full text only
        ('"Leaders\' Meeting"', True),
        ("APEC OR Gyeongju OR summit", True),
        ("gyeong", True),  # the start of a word, as in titles
        ("eongju", False),
        ("-Gyeongju", False),  # an exclusion looks in the full text too
        ("title:Gyeongju", False),
        ("title:tariff", True),
        ('title:"far apart"', True),
        ('title:"apart far"', False),
        ("-title:tariff", False),
        ("title:tariff Gyeongju", True),
    ],
)
def test_words_match_the_full_text_and_title_restricts_to_titles(
    query: str, expected: bool
) -> None:
    record = rec("Seoul, US far apart in tariff talks")
    assert parse_query(query, NOW).matches(record, text_of=lambda r: BODY) is expected


def test_without_a_text_words_look_in_title_and_summary() -> None:
    record = Record("id", "Yonhap", "Tariff talks", summary="Lutnick met Kim in Washington")
    assert parse_query("Lutnick", NOW).matches(record)
    assert not parse_query("title:Lutnick", NOW).matches(record)
    assert not parse_query("Gyeongju", NOW).matches(record, text_of=lambda r: None)
    assert parse_query("title:lutnick OR tariff", NOW).words == ["lutnick", "tariff"]


def test_a_query_says_whether_the_stories_answer_it() -> None:
    assert parse_query("tariff outlets:>=3").asks_stories
    assert parse_query("-story:s0123456789ab OR seoul").asks_stories
    assert not parse_query('"story: a history" title:story').asks_stories


@pytest.mark.parametrize("name", ['The "Daily" Wire', '"', 'a ""b', "plain", "two words"])
def test_a_quoted_name_reads_back_as_the_name(name: str) -> None:
    query = parse_query(f"source:{quoted(name)}", NOW)
    assert query.matches(rec("x", source=name))
    assert not query.matches(rec("x", source=name + "x"))


def test_a_phrase_with_a_no_break_space_a_tab_or_two_spaces_finds_the_text() -> None:
    """Stored text has each run of whitespace made one space; a phrase pasted from a page
    (its no-break space) or typed with two spaces or a tab found nothing."""
    record = Record("id", "Yonhap", "Seoul and Washington far apart on tariffs")
    for typed in ('"far\u00a0apart"', '"far  apart"', '"far\tapart"', '" far apart "'):
        assert parse_query(typed).matches(record), typed
    assert parse_query('title:"far\u00a0apart"').matches(record)
    assert not parse_query('"apart far"').matches(record)


@pytest.mark.parametrize(
    ("typed", "source", "tag"),
    [
        ('source:"İZMİR HABER"', "İzmir Haber", "x"),
        ('source:"izmir haber"', "İzmir Haber", "x"),
        ('source:"İzmir Haber"', "İZMİR HABER", "x"),
        ('source:"O\'Reilly Wire"', "O\u2019Reilly Wire", "x"),
        ('source:"O\u2019REILLY WIRE"', "O'Reilly Wire", "x"),
        ('source:"STRASSE POST"', "Straße Post", "x"),
        ('source:"The ""Daily"""', "The \u201cDaily\u201d", "x"),
        ("source:Cafe\u0301", "Café", "x"),
        ('tag:"türkiye"', "x", "TÜRKİYE"),
        ("tag:AĞRI", "x", "Ağrı"),
        ('source:"ırak haber"', "IRAK HABER", "x"),
        ('tag:"bob\'s"', "x", "Bob\u2019s"),
        ("tag:apec", "x", "\uff21\uff30\uff25\uff23"),
        ('tag:"two  words"', "x", "Two Words"),
        ('source:"Frontier Review - Markets"', "Frontier Review \u2014 Markets", "x"),
        ('source:"frontier review \u2013 markets"', "Frontier Review - Markets", "x"),
        ('tag:"us-china"', "x", "US\u2011China"),
        ("tag:us\u2212china", "x", "US\u2010China"),
    ],
)
def test_source_and_tag_find_a_name_in_any_case_quote_or_form(
    typed: str, source: str, tag: str
) -> None:
    """Names are compared as words are: Turkish's "İ" an "i" ("İzmir Haber" lower-cased by
    Python is "i̇zmir haber", which source:"İZMİR HABER" did not find), a typographic
    apostrophe or quote as the one typed, a full-width or decomposed letter as its plain
    form, an em or en dash (as OPML files name sources) as the hyphen typed."""
    record = rec("x", source=source, tags=(tag,))
    assert parse_query(typed, NOW).matches(record), typed
    assert not parse_query(f"-{typed}", NOW).matches(record), typed
    assert not parse_query(typed, NOW).matches(rec("x", source="Other", tags=("other",)))


def test_one_source_asked_twice_in_two_forms_is_not_two_sources() -> None:
    """source:"İzmir Haber" source:"İZMİR HABER" asks for one source (it was refused as two)."""
    query = parse_query('source:"İzmir Haber" source:"İZMİR HABER"', NOW)
    assert query.matches(rec("x", source="İzmir Haber"))


@pytest.mark.parametrize(
    ("query", "later", "expected"),
    [
        # twenty minutes on: since:1h no longer holds for 07:00 to 07:20, before:2h holds
        # for 06:00 to 06:20 too
        ("tariff since:1h", timedelta(minutes=20), [(7.0, 7 + 1 / 3)]),
        ("since:1h OR -before:2h", timedelta(minutes=20), [(7.0, 7 + 1 / 3), (6.0, 6 + 1 / 3)]),
        # a clock set back twenty minutes: the articles of 06:40 to 07:00 hold again
        ("since:1h", -timedelta(minutes=20), [(6 + 2 / 3, 7.0)]),
        # the day's start moves only at midnight (in Seoul, 15:00 UTC), by a day
        ("since:today", timedelta(hours=6), []),
        ("since:today", timedelta(hours=8), [(-9.0, 15.0)]),
        # dates stay, and a query that does not parse matches nothing, now as then
        ("since:2025-10-24 before:2025-10-25", timedelta(days=3), []),
        ("tariff OR", timedelta(hours=2), []),
    ],
)
def test_the_bounds_counted_from_now_sweep_the_time_the_clock_moved(
    query: str, later: timedelta, expected: list[tuple[float, float]]
) -> None:
    """What a dashboard's list filtered by a bound counted from now loses or gains as time
    passes with nothing stored: the articles of the stretches of time the bounds passed."""
    seoul = ZoneInfo("Asia/Seoul")
    day = datetime(2025, 10, 24, tzinfo=UTC).timestamp()
    hours = [
        (round((start - day) / 3600, 6), round((end - day) / 3600, 6))
        for start, end in swept(query, NOW, NOW + later, seoul)
    ]
    assert hours == [(round(a, 6), round(b, 6)) for a, b in expected]


def test_whether_a_query_follows_the_clock_is_read_once_a_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A dashboard asks it of every event's query every two seconds: 500 events' queries
    were parsed again each time (a hundredth of a core of an idle dashboard). The answer
    is the text's alone, and is given again without parsing it."""
    parsed: list[str] = []

    def counted(text: str, *args: object, **kwargs: object) -> Query:
        parsed.append(text)
        return parse_query(text)

    monkeypatch.setattr(query_module, "parse_query", counted)
    follows_clock.cache_clear()  # (as a dashboard just opened)
    moving, fixed = "tariff since:17h -lutnick", "tariff since:2025-10-01 -lutnick"
    assert [follows_clock(moving), follows_clock(fixed)] == [True, False]
    assert [follows_clock(moving), follows_clock(fixed)] == [True, False]
    assert parsed == [moving, fixed]


MARKETS, POL = "Frontier Review \u2014 Markets", "Frontier Review \u2014 Politics"


@pytest.mark.parametrize(
    ("typed", "shown", "taken"),
    [
        ("source:Fron", f"source:{MARKETS}", f'source:"{MARKETS}"'),
        ('source:"frontier review - p', 'source:"frontier review - politics"', f'source:"{POL}"'),
        ("x source:yon", "x source:yonhap", "x source:Yonhap"),
        ("-SOURCE:caf", "-SOURCE:caf\u00e9 Matin", '-SOURCE:"Caf\u00e9 Matin"'),
        ("tag:eco", "tag:economie", "tag:\u00c9conomie"),
        ('source:"the ""da', 'source:"the ""daily"" Wire"', 'source:"The ""Daily"" Wire"'),
        ("source:Yonhap", None, None),  # whole already
        ('source:"Yonhap"', None, None),  # closed
        ("source:", None, None),
        ("Fron", None, None),  # no field
        ("source:Frontier Review", None, None),  # "Review" is a word of its own
        ("source:Zzz", None, None),
    ],
)
def test_a_name_begun_in_a_query_is_completed_as_a_query_writes_it(
    typed: str, shown: str | None, taken: str | None
) -> None:
    """The prompt's completion: the name a `source:` or `tag:` value begins, matched in any
    case, accent, quote or dash, shown after what was typed and taken quoted when it must
    be."""
    names = NameCompletion(
        [MARKETS, POL, "Yonhap", "Caf\u00e9 Matin", 'The "Daily" Wire'],
        ["\u00c9conomie"],
    )  # fmt: skip
    found = names.complete(typed)
    assert found == (None if shown is None else (shown, taken))
    if taken is not None:
        assert parse_query(taken, NOW).clauses
