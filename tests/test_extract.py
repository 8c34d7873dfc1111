"""Article text from pages as publishers serve them: the article, all of it, and nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from fetchers.extract import ExtractError, extract_article
from fetchers.extracterror import ShellPage
from fetchers.extractors import sitewide
from fetchers.text import is_preformatted

PARAGRAPHS = [
    "The harbour authority said on Tuesday that the new container terminal would open in "
    "March, two years later than planned, after a dispute over dredging permits delayed "
    "work on the northern berth for most of last summer.",
    "Dock workers, who had been told the terminal would bring three hundred permanent jobs, "
    "met the announcement with a mixture of relief and frustration, according to a union "
    "representative who attended the briefing in the port's administration building.",
    "Engineers expect the first ships to berth at reduced draught while the channel is "
    "deepened, which means the largest vessels on the Asia route will continue to unload "
    "at the older terminal across the bay until the autumn.",
    "The regional government, which owns a third of the project, has promised to publish "
    "the revised budget next month, and opposition councillors have asked for an inquiry "
    "into how the permit process was handled by the previous administration.",
    "Local businesses along the waterfront said they were relieved that the date was now "
    "fixed, although several restaurant owners complained that the construction noise had "
    "kept tourists away from the promenade for two seasons in a row.",
    "A spokesperson for the shipping lines said the companies would review their schedules "
    "once the authority confirmed the opening date in writing, and that no route changes "
    "were planned before the end of the current quarter.",
]
RELATED = [
    "Mayor unveils plan for a night bus network across the river",
    "Ferry fares to rise by four percent from the first of June",
    "Storm damage closes the coastal railway line for a week",
    "New cycle bridge opens to the public after years of delay",
]


def related_box(title: str, headlines: list[str]) -> str:
    items = "".join(f'<li><a href="/news/{n}">{h}</a></li>' for n, h in enumerate(headlines))
    return f'<div class="promo-box"><h3>{title}</h3><ul>{items}</ul></div>'


def page(body: str, head: str = "", lang: str = "en") -> str:
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>Port terminal delayed</title>{head}</head><body>"
        '<nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>'
        '<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>'
        f"{body}"
        '<footer><p>© The Harbour Gazette</p><a href="/privacy">Privacy</a></footer>'
        "</body></html>"
    )


def article(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)


@pytest.fixture(autouse=True)
def fresh_site_memory() -> None:
    sitewide.MEMORY.clear()


def test_related_links_between_paragraphs_are_dropped() -> None:
    body = (
        "<article><h1>Port terminal delayed</h1>"
        + article(PARAGRAPHS[:2])
        + related_box("You might also like", RELATED[:2])
        + article(PARAGRAPHS[2:4])
        + related_box("More from the coast", RELATED[2:])
        + article(PARAGRAPHS[4:])
        + "</article>"
    )
    text = extract_article(page(body).encode(), "text/html", None).text
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    for headline in RELATED:
        assert headline not in text
    assert "You might also like" not in text
    assert "More from the coast" not in text


def test_a_share_strip_and_a_rights_line_inside_the_article_are_dropped() -> None:
    """A strip of sharing controls and the site's copyright line inside the article's own
    element came out as the article's first and last lines; a sentence that starts with
    the word is the article's."""
    law = "Copyright law changes were debated in parliament on Monday, officials said."
    third = "(c) The ministry reviews the rates every six months, the bill says."
    body = (
        "<article><h1>Port terminal delayed</h1>"
        '<div class="tools">Share: Facebook Twitter Email Print 글자크기</div>'
        + article([*PARAGRAPHS, law, third])
        + "<p>© 2026 The Harbour Gazette. All rights reserved.</p>"
        + "<p>&lt;저작권자 ⓒ 연합뉴스, 무단 전재-재배포, AI 학습 및 활용 금지&gt;</p>"
        + "</article>"
    )
    text = extract_article(page(body).encode(), "text/html", None).text
    assert all(paragraph in text for paragraph in PARAGRAPHS) and law in text
    assert third in text  # a list's third item, not a rights line
    assert "Facebook" not in text and "All rights reserved" not in text
    assert "무단" not in text


def test_an_article_in_a_layout_table_is_found_without_its_controls() -> None:
    """Older and many Korean and Japanese sites lay pages out in tables: a menu cell beside
    the article cell, font-size and print controls above the text, paragraphs split by <br>."""
    cells = "".join(f"{p}<br><br>" for p in PARAGRAPHS)
    controls = (
        '<table><tr><td><span>글자크기</span> <a href="javascript:fontPlus()">크게</a> '
        '<a href="javascript:fontMinus()">작게</a> <a href="#" onclick="print()">인쇄</a>'
        "</td></tr></table>"
    )
    body = (
        '<table width="100%"><tr><td class="menu"><a href="/a">Politics</a><br>'
        '<a href="/b">Economy</a><br><a href="/c">Society</a></td><td>'
        f"{controls}<font size=3>{cells}</font></td></tr></table>"
    )
    text = extract_article(page(body).encode(), None, None).text
    paragraphs = text.split("\n\n")
    for paragraph in PARAGRAPHS:
        assert paragraph in paragraphs
    for furniture in ("글자크기", "인쇄", "Economy"):
        assert furniture not in text


def test_a_table_of_data_in_the_article_keeps_every_row_whole() -> None:
    """The extractors' votes took a table's short cells one by one: "Korea" without its
    15%, the row "Japan 20%" not at all, "30%" without "China". A table of data is kept whole
    when any of it is, each row on a line."""
    rows = [("Korea", "15%"), ("Japan", "20%"), ("China", "30%"), ("EU", "10%")]
    table = (
        "<table><tr><th>Country</th><th>Tariff</th></tr>"
        + "".join(f"<tr><td>{country}</td><td>{rate}</td></tr>" for country, rate in rows)
        + "</table>"
    )
    body = "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + table + "</article>"
    text = extract_article(page(body).encode(), None, None).text
    lines = text.split("\n")
    for country, rate in [("Country", "Tariff"), *rows]:
        assert f"| {country} | {rate} |" in lines
    assert all(paragraph in text for paragraph in PARAGRAPHS)


# a table of data as the article's text keeps it: a line a row, its cells parted by " | ",
# the header row underlined (as trafilatura and Markdown write one)
PORTS_TABLE = (
    "<table><tr><th>Port</th><th>Ships waiting</th><th>Average delay</th></tr>"
    "<tr><td>North Harbour</td><td>41</td><td>6 days</td></tr>"
    "<tr><td>East Quay</td><td>7 ships</td><td>1 day</td></tr></table>"
)
PORTS_BLOCK = (
    "| Port | Ships waiting | Average delay |\n|---|---|---|\n"
    "| North Harbour | 41 | 6 days |\n| East Quay | 7 ships | 1 day |"
)


def ports_page(table: str = PORTS_TABLE) -> bytes:
    """An article with a table of data between its paragraphs."""
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:3]) + table
        + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    return page(body).encode()


def test_a_table_of_data_keeps_its_cells_apart_and_its_header_row() -> None:
    """A table's cells were joined by spaces that the paragraphs' cleaning collapsed ("East
    Quay 7 ships 1 day": which value was in which column was lost): the table is one block,
    a row a line, its cells parted by " | " and its header row underlined; a cell with no
    text keeps its column (an empty corner cell, a cell after one that spans two)."""
    text = extract_article(ports_page(), "text/html", None).text
    paragraphs = text.split("\n\n")
    assert PORTS_BLOCK in paragraphs
    assert all(paragraph in paragraphs for paragraph in PARAGRAPHS)
    corner = (
        "<table><tr><td></td><th>2025</th><th>2026</th></tr>"
        "<tr><th>North Harbour</th><td>41</td><td>38</td></tr>"
        "<tr><td>East Quay</td><td></td><td>7</td></tr>"
        '<tr><td colspan="2">Both ports</td><td>45</td></tr></table>'
    )
    paragraphs = extract_article(ports_page(corner), "text/html", None).text.split("\n\n")
    assert (
        "|  | 2025 | 2026 |\n|---|---|---|\n| North Harbour | 41 | 38 |\n"
        "| East Quay |  | 7 |\n| Both ports |  | 45 |"
    ) in paragraphs


def test_an_ordered_lists_items_keep_their_numbers() -> None:
    """The steps of an ordered list came out bulleted, as a list of no order: numbered from
    its `start`, and a list of no order keeps its bullets."""
    steps = [
        "The committee reviews the text and its amendments in full.",
        "The floor debates the bill for at most two days.",
        "Members vote by roll call, and a simple majority passes it.",
    ]
    notes = ["Observers may attend the session from the gallery.", "Press access is limited."]
    body = (
        "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + '<ol start="4">' + "".join(f"<li>{s}</li>" for s in steps) + "</ol>"
        + "<ul>" + "".join(f"<li>{n}</li>" for n in notes) + "</ul></article>"
    )  # fmt: skip
    lines = extract_article(page(body).encode(), None, None).text.split("\n\n")
    assert [f"{n}. {s}" for n, s in enumerate(steps, 4)] == [
        line for line in lines if line[:1].isdigit()
    ]
    assert [f"• {n}" for n in notes] == [line for line in lines if line.startswith("•")]
    # a line after a <br> in an item is still that item's (it took the next number); a
    # start that is no number starts at 1 (a "--2" or a "²" was a ValueError)
    body = (
        "<article>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + '<ol start="--2"><li>Preheat the oven to two hundred degrees.<br>'
        + "Grease the pan with plenty of butter.</li>"
        + "<li>Mix the flour and the sugar in a bowl.</li></ol>"
        + '<ol start="²"><li>Serve the cake warm with cream.</li></ol></article>'
    )  # fmt: skip
    lines = extract_article(page(body).encode(), None, None).text.split("\n\n")
    assert "1. Preheat the oven to two hundred degrees." in lines
    assert "Grease the pan with plenty of butter." in lines
    assert "2. Mix the flour and the sugar in a bowl." in lines
    assert "1. Serve the cake warm with cream." in lines


def test_a_list_within_a_list_item_is_indented_under_it() -> None:
    """The points of a list inside a list's item came out as bullets at the item's level (the
    union's demands and the authority's offer read as one list): each list within an item
    is indented two spaces further, as the paragraphs' cleaning keeps them."""
    body = (
        "<article>" + article(PARAGRAPHS[:3])
        + "<ul><li>Demands of the union<ul><li>Overtime rates restored</li>"
        + "<li>No job cuts until 2028</li></ul></li><li>Offer of the port authority<ul>"
        + "<li>A one-off bonus</li><li>Steps to agree:<ol><li>a ballot of the members</li>"
        + "<li>a second round of talks</li></ol></li></ul></li></ul>"
        + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    paragraphs = extract_article(page(body).encode(), None, None).text.split("\n\n")
    start = paragraphs.index("• Demands of the union")
    assert paragraphs[start : start + 8] == [
        "• Demands of the union",
        "  • Overtime rates restored",
        "  • No job cuts until 2028",
        "• Offer of the port authority",
        "  • A one-off bonus",
        "  • Steps to agree:",
        "    1. a ballot of the members",
        "    2. a second round of talks",
    ]
    # a page laid out in a list (no item of it written but the one holding the article): the
    # article's own list is not indented
    body = (
        '<ul class="layout"><li><article>' + article(PARAGRAPHS)
        + "<ul><li>Overtime rates restored</li><li>No job cuts until 2028</li></ul>"
        + "</article></li></ul>"
    )  # fmt: skip
    paragraphs = extract_article(page(body).encode(), None, None).text.split("\n\n")
    assert paragraphs[-2:] == ["• Overtime rates restored", "• No job cuts until 2028"]


def test_the_article_comes_back_when_both_libraries_fail(monkeypatch) -> None:
    import readability
    import trafilatura

    def fails(*args, **kwargs):
        raise RuntimeError("the library gave up on this page")

    monkeypatch.setattr(trafilatura, "extract", fails)
    monkeypatch.setattr(readability.Document, "summary", fails)
    body = "<main>" + article(PARAGRAPHS) + "</main>"
    text = extract_article(page(body).encode(), "text/html", "https://gazette.example/port").text
    for paragraph in PARAGRAPHS:
        assert paragraph in text
    assert "Privacy" not in text


def test_a_charset_the_page_declares_after_a_long_head_beats_a_wrong_header() -> None:
    """A server that labels everything ISO-8859-1, and a Korean page whose <meta charset>
    comes after 2 KB of scripts."""
    korean = "항만청은 화요일 새 컨테이너 터미널이 3월에 문을 연다고 밝혔다"
    paragraphs = [f"{korean}. {p}" for p in PARAGRAPHS]
    script = "<script>var s = {" + ", ".join(f'"k{n}": {n}' for n in range(400)) + "};</script>"
    html = (
        f"<!DOCTYPE html><html lang='ko'><head>{script}"
        '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr">'
        "<title>항만</title></head><body><article>"
        + article(paragraphs)
        + "</article></body></html>"
    )
    body = html.encode("euc-kr")
    assert len(body.split(b"charset=")[0]) > 2048
    text = extract_article(body, "text/html; charset=iso-8859-1", None).text
    assert korean in text


RUSSIAN = (
    "Министерство финансов сообщило во вторник, что дефицит бюджета за четыре месяца "
    "составил триллион рублей, а доходы от нефти и газа сократились на треть."
)
GREEK = (
    "Το υπουργείο Οικονομικών ανακοίνωσε την Τρίτη ότι το έλλειμμα του προϋπολογισμού "
    "μειώθηκε, ενώ τα έσοδα από τον τουρισμό αυξήθηκαν σημαντικά φέτος."
)
FRENCH = (
    "Le ministère a annoncé mardi que le déficit s'était réduit à Genève, où l'équipe "
    "française a été accueillie à bras ouverts; ça a été très apprécié à l'hôtel de ville."
)
GERMAN = (
    "Das Ministerium teilte am Dienstag mit, dass die Größe des Defizits für Übergänge "
    "gesunken sei; Bäckereien in Köln und Düsseldorf äußerten sich zufrieden über Zölle."
)


@pytest.mark.parametrize(
    ("words", "encoding"),
    [(RUSSIAN, "cp1251"), (RUSSIAN, "koi8-r"), (GREEK, "iso-8859-7")],
    ids=["windows-1251", "koi8-r", "iso-8859-7"],
)
@pytest.mark.parametrize("where", ["meta", "header"])
def test_a_page_of_another_script_labelled_latin_1_is_read_in_its_own_charset(
    words: str, encoding: str, where: str
) -> None:
    """A Russian or Greek page labelled ISO-8859-1 (in its <meta>, or by a server whose
    default label it is) came out "Ìèíèñòåðñòâî ôèíàíñîâ": Latin-1 reads any bytes, so
    that the page decoded in it said nothing. A reading that is runs of accented letters,
    which no Western language writes, is the detector's to make."""
    assert words in _labelled_latin_1(words, encoding, where)


def _labelled_latin_1(words: str, encoding: str, where: str) -> str:
    """The text of an article page whose paragraphs open with `words`, written in
    `encoding` and labelled ISO-8859-1 in its <meta> or by the server (`where`)."""
    meta = '<meta charset="iso-8859-1">' if where == "meta" else ""
    html = (
        f"<html><head>{meta}<title>Budget</title></head><body><article>"
        + article([f"{words} {p}" for p in PARAGRAPHS])
        + "</article></body></html>"
    )
    header = "text/html; charset=ISO-8859-1" if where == "header" else "text/html"
    return extract_article(html.encode(encoding), header, None).text


@pytest.mark.parametrize(
    ("words", "encoding"), [(FRENCH, "iso-8859-1"), (GERMAN, "cp1252")], ids=["fr", "de"]
)
@pytest.mark.parametrize("where", ["meta", "header"])
def test_a_latin_1_page_of_a_western_language_stays_latin_1(
    words: str, encoding: str, where: str
) -> None:
    """French and German in Latin-1 put an accented letter or two among plain ones: their
    pages are read in the charset they name, as before."""
    assert words in _labelled_latin_1(words, encoding, where)


def test_a_utf8_page_with_one_stray_byte_keeps_its_accents() -> None:
    """One Latin-1 byte in a footer must not make the whole page a guess at another charset."""
    words = "Grüße aus Köln: Müller, Straße, Größe, Übung, Äpfel, Öfen und Bäckerei"
    paragraphs = [f"{words}. {p}" for p in PARAGRAPHS]
    html = (
        "<html><head><meta charset='utf-8'><title>Köln</title></head><body><article>"
        + article(paragraphs)
        + "</article><footer>(c) 2025</footer></body></html>"
    ).encode()
    body = html.replace(b"(c) 2025", b"\xa9 2025")
    text = extract_article(body, None, None).text
    assert words in text


def test_metadata_the_page_states_is_read() -> None:
    head = (
        '<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "NewsArticle", "headline": "Port terminal opening delayed to March", '
        '"author": [{"@type": "Person", "name": "Ana Kowalski"}, '
        '{"@type": "Person", "name": "Tomás Ruiz"}], '
        '"datePublished": "2025-10-24T09:24:00+09:00"}</script>'
    )
    body = "<article>" + article(PARAGRAPHS) + "</article>"
    result = extract_article(page(body, head, lang="en-GB").encode(), None, None)
    assert result.title == "Port terminal opening delayed to March"
    assert result.byline == "Ana Kowalski, Tomás Ruiz"
    assert result.published == datetime(2025, 10, 24, 0, 24, tzinfo=UTC)
    assert result.lang == "en"


def test_metadata_from_meta_tags_and_a_byline_link() -> None:
    head = (
        '<meta property="og:title" content="Terminal delayed">'
        '<meta property="article:published_time" content="2025-03-01T08:00:00Z">'
    )
    body = (
        '<article><p class="byline">By <a rel="author" href="/staff/lee">Min-jun Lee</a></p>'
        + article(PARAGRAPHS)
        + "</article>"
    )
    result = extract_article(page(body, head).encode(), None, None)
    assert result.title == "Terminal delayed"
    assert result.byline == "Min-jun Lee"
    assert result.published == datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def test_metadata_in_cdata_wrapped_json_ld_and_a_byline_element() -> None:
    head = (
        '<script type="application/ld+json">\n<![CDATA[\n{"@context": "https://schema.org", '
        '"@graph": [{"@type": "WebSite", "name": "Gazette"}, {"@type": "BlogPosting", '
        '"datePublished": "2024-06-25"}]}\n]]>\n</script>'
    )
    body = (
        '<article><div class="post-byline">By Jane Roe</div>' + article(PARAGRAPHS) + "</article>"
    )
    result = extract_article(page(body, head).encode(), None, None)
    assert result.byline == "Jane Roe"
    assert result.published == datetime(2024, 6, 25, tzinfo=UTC)


def titled(title: str, head: str = "", body: str = "") -> bytes:
    return (
        f"<html><head><title>{title}</title>{head}</head><body><article>{body}"
        + article(PARAGRAPHS)
        + "</article></body></html>"
    ).encode()


@pytest.mark.parametrize(
    ("title", "headline"),
    [
        (
            "Port talks resume after the strike \u2013 The Harbour Gazette",
            "Port talks resume after the strike",
        ),
        (
            "The Harbour Gazette | Port talks resume after the strike",
            "Port talks resume after the strike",
        ),
        (
            "Port talks resume after the strike | World | Gazette",
            "Port talks resume after the strike | World",
        ),
        ("Home - Gazette", "Home - Gazette"),  # no part of it is a headline on its own
        ("Evolve: shared mutable history", "Evolve: shared mutable history"),
    ],
)
def test_a_title_loses_the_site_name_it_carries(title: str, headline: str) -> None:
    site = '<meta property="og:site_name" content="The Harbour Gazette">'
    assert extract_article(titled(title, site), None, None).title == headline


def test_a_heading_the_title_holds_is_the_headline() -> None:
    body = "<h1>Dredging permits delay the northern berth</h1>"
    result = extract_article(
        titled("Gazette - Dredging permits delay the northern berth", body=body), None, None
    )
    assert result.title == "Dredging permits delay the northern berth"


def test_json_ld_name_is_the_headline_when_its_headline_is_a_description() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "Article", "name": "New Zealand", '
        '"headline": "constitutional monarchy in Oceania"}</script>'
    )
    assert extract_article(titled("New Zealand - Wikipedia", head), None, None).title == (
        "New Zealand"
    )


def test_an_organisations_name_is_never_the_headline() -> None:
    head = (
        '<script type="application/ld+json">{"@type": "Organization", "name": "The Gazette"}'
        "</script>"
    )
    title = "Port talks resume after the strike | The Gazette"
    assert extract_article(titled(title, head), None, None).title == (
        "Port talks resume after the strike"
    )


def test_the_headline_is_not_repeated_in_the_text_in_other_quotes() -> None:
    head = '<meta property="og:title" content="Dockers say \'no\' to the night shift">'
    body = "<h1>Dockers say \u2018No\u2019 to the night shift</h1>"
    result = extract_article(titled("Gazette", head, body), None, None)
    assert result.title == "Dockers say 'no' to the night shift"
    assert not result.text.startswith("Dockers say")
    assert result.text.startswith(PARAGRAPHS[0][:40])


def test_a_page_that_states_nothing_has_no_metadata() -> None:
    html = "<html><body><div>" + article(PARAGRAPHS) + "</div></body></html>"
    result = extract_article(html.encode(), None, None)
    assert (result.byline, result.published, result.lang) == (None, None, None)
    assert PARAGRAPHS[0] in result.text


def test_a_block_every_article_of_a_site_repeats_is_dropped_but_not_across_sites() -> None:
    promo = (
        "Get the Harbour Gazette morning briefing delivered to your inbox every weekday, "
        "with the day's port news, shipping schedules and weather for the coast."
    )
    texts = []
    for n in range(4):
        story = [f"Story {n}: {p}" for p in PARAGRAPHS[n : n + 3]]
        body = (
            "<article>" + article(story[:2]) + f"<p>{promo}</p>" + article(story[2:]) + "</article>"
        )
        url = f"https://gazette.example/news/{n}"
        texts.append(extract_article(page(body).encode(), None, url).text)
    assert promo in texts[0]
    assert promo not in texts[3]
    assert f"Story 3: {PARAGRAPHS[3]}" in texts[3]
    # The same wire story on another site is that site's article, all of it.
    wire = "<article>" + article(PARAGRAPHS) + "</article>"
    for site in ("https://gazette.example/wire/1", "https://courier.example/wire/1"):
        text = extract_article(page(wire).encode(), None, site).text
        for paragraph in PARAGRAPHS:
            assert paragraph in text


def test_a_binary_file_is_named_as_not_a_page() -> None:
    noise = bytes((n * 7919 + 13) % 256 for n in range(6000))
    with pytest.raises(ExtractError, match="not an HTML page"):
        extract_article(b"\x89PNG\r\n\x1a\n" + noise, None, None)


def test_a_page_naming_a_codec_that_is_no_charset_is_read_all_the_same() -> None:
    body = (
        b'<html><head><meta charset="base64"></head><body><article><p>'
        + b"Caf\xe9 owners said the tariff talks will decide their prices. " * 20
        + b"</p></article></body></html>"
    )
    page = extract_article(body, "text/html", None)
    assert "tariff talks will decide" in page.text


def test_json_ld_nested_without_end_is_ignored_not_fatal() -> None:
    body = (
        b'<html><head><script type="application/ld+json">'
        + b"[" * 100_000
        + b"</script><title>Talks</title></head><body><article><p>"
        + b"Negotiators met again on Friday to settle the investment package. " * 20
        + b"</p></article></body></html>"
    )
    page = extract_article(body, "text/html; charset=utf-8", None)
    assert "Negotiators met again" in page.text


def test_a_gallery_and_a_newsletter_box_inside_the_article_are_not_its_text() -> None:
    captions = [
        "Revenues at the northern shipyard fell for a third quarter as orders for bulk "
        "carriers moved to yards in Asia, the company said in its results on Monday.",
        "The airport operator was put up for sale by its owners, a fund that also holds "
        "two other regional airports and a ferry terminal on the southern coast.",
        "Retail sales unexpectedly fell in June as households cut purchases of cars and a "
        "range of other goods, while economists had expected a small rise over the month.",
    ]
    gallery = (
        '<div class="dnd-widget-wrapper type-gallery"><h3>Business news in pictures</h3>'
        '<ul class="legends">' + "".join(f"<li><p>{c}</p></li>" for c in captions) + "</ul></div>"
    )
    signup = (
        '<div class="newsletter-wrapper"><p>Sign up for the Harbour Briefing, a weekly letter '
        "from our port correspondent about shipping, the docks and the people who work them. "
        "Your first month is free, and you can cancel at any time you like.</p></div>"
    )
    body = "<article>" + article(PARAGRAPHS[:3]) + signup + article(PARAGRAPHS[3:]) + gallery
    result = extract_article(page(body + "</article>").encode(), None, None)
    assert PARAGRAPHS[0] in result.text and PARAGRAPHS[-1] in result.text
    assert "Harbour Briefing" not in result.text
    assert not any(caption[:40] in result.text for caption in captions)


@pytest.mark.parametrize("hiding", ['style="display:none"', "hidden"])
def test_the_rest_of_an_article_a_page_hides_until_continue_reading_is_its_text(
    hiding: str,
) -> None:
    """An article whose paragraphs after the first wait in a hidden element for a "Continue
    reading" button came out as its first paragraph alone; what else the page hides (a
    sign-up dialog in the article, a menu beside it) is still no part of it."""
    dialog = (
        '<div role="dialog" style="display:none"><p>Sign up for the Harbour Briefing, a '
        "weekly letter from our port correspondent about shipping and the docks.</p><p>Your "
        "first month is free, and you can cancel the letter at any time you like.</p></div>"
    )
    menu = (
        '<div class="menu" hidden><p>Politics, economy and the world: the stories our '
        "readers shared most this week, chosen by the editors.</p><p>Weather, sport and "
        "the markets, updated every hour of the day and night.</p></div>"
    )
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:1])
        + f'<div class="story-rest" {hiding}>' + article(PARAGRAPHS[1:]) + "</div>"
        + f"<button>Continue reading</button>{dialog}</article>{menu}"
    )  # fmt: skip
    text = extract_article(page(body).encode(), "text/html", None).text
    assert text.split("\n\n") == PARAGRAPHS
    assert "Harbour Briefing" not in text and "readers shared" not in text


def test_a_paywall_box_hidden_at_the_article_s_foot_is_not_its_rest() -> None:
    """A membership box a site ships hidden at the article's foot, shown at the reader's
    limit, has prose paragraphs as the article's rest has: it was put back as the article's
    last paragraphs. A box named for a paywall, a membership or an offer is no rest."""
    for name in ("paywall-modal", "membership-offer", "meteredContent"):
        gate = (
            f'<div class="{name}" style="display:none"><h2>You have reached your limit</h2>'
            "<p>You have read all of your free articles this month. Become a member today "
            "and keep reading the news from the harbour every day.</p><p>Members get "
            "unlimited access to every article, the archive and the weekly letter.</p>"
            '<a href="/join">Join now</a></div>'
        )
        body = f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS)}{gate}</article>"
        text = extract_article(page(body).encode(), "text/html", None).text
        assert text.split("\n\n") == PARAGRAPHS, name


def test_a_paywall_s_gate_after_the_teaser_is_not_the_article_s_last_paragraph() -> None:
    """A paywall's "Subscribe to continue reading" box at the foot of a teaser came out as
    the article's last paragraph. A box named for a paywall, a subscription's wall or offer
    (its class, id or ARIA label) is dropped; a paragraph that speaks of subscribing, and
    the paid part of an article in a box named for subscribers, stay."""
    gate = "<p>Subscribe to continue reading.</p><p>Already a subscriber? <a>Log in</a></p>"
    for box in (
        f'<div class="paywall">{gate}</div>',
        f'<div class="piano-offer">{gate}</div>',
        f'<div class="subscription-wall"><h3>This article is for subscribers</h3>{gate}</div>',
        f'<div id="regwall">{gate}</div>',
        f'<section aria-label="Subscription offer">{gate}</section>',
    ):
        body = f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS)}{box}</article>"
        text = extract_article(page(body).encode(), "text/html", None).text
        assert text.split("\n\n") == PARAGRAPHS, box
    mention = (
        "Readers who subscribe to the authority's free bulletin will get the revised berth "
        "schedule by email as soon as the permits are signed."
    )
    body = (
        f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS[:3])}"
        f'<div class="subscriber-content">{article([*PARAGRAPHS[3:], mention])}</div></article>'
    )
    text = extract_article(page(body).encode(), "text/html", None).text
    assert text.split("\n\n") == [*PARAGRAPHS, mention]


def test_the_full_text_a_soft_paywall_hides_is_the_article_once() -> None:
    """A soft paywall shows a teaser and ships the whole text, the teaser again at its top,
    in a hidden element: the article is the whole text, each paragraph once."""
    body = (
        "<article><h1>Port terminal delayed</h1>"
        + f'<div class="teaser">{article(PARAGRAPHS[:1])}</div>'
        + '<div class="paywall"><p>Subscribe to read on.</p></div>'
        + f'<div class="full-text" style="display: none">{article(PARAGRAPHS)}</div></article>'
    )
    text = extract_article(page(body).encode(), "text/html", None).text
    assert [p for p in text.split("\n\n") if p in PARAGRAPHS] == PARAGRAPHS


KOREAN = [
    "서울시는 화요일 새 버스 노선 개편안을 발표하고 내년 3월부터 시행한다고 밝혔다. 시는 이번 "
    "개편으로 출퇴근 시간 배차 간격이 평균 4분 줄어들 것으로 기대한다고 설명했다.",
    "개편안에 따르면 강남과 여의도를 잇는 간선 노선 12개가 새로 생기고, 이용객이 적은 지선 "
    "노선 9개는 통폐합된다. 시는 지난 1년간 교통카드 자료를 분석해 노선을 조정했다고 덧붙였다.",
    "시민단체들은 환영의 뜻을 밝히면서도 외곽 지역 주민들의 불편이 커질 수 있다며 보완책을 "
    "요구했다. 한 단체 관계자는 폐지되는 노선 주변 주민들을 위한 대체 수단이 필요하다고 말했다.",
    "서울시 관계자는 다음 달까지 구별 설명회를 열어 주민 의견을 수렴하고, 필요하면 일부 노선을 "
    "다시 조정하겠다고 말했다. 최종안은 12월 말 확정될 예정이다.",
]
MENU = ["정치", "경제", "사회", "국제", "문화"]


@pytest.mark.parametrize(
    ("controls", "charset"),
    [
        # the label and the dateline inline in the article's cell
        (
            '<span class="size">글자크기 조절</span> <a href="#" onclick="zoom(1)">확대</a> '
            '<a href="#" onclick="zoom(-1)">축소</a> <span>기사입력 2025.10.24 09:24</span>',
            "utf-8",
        ),
        # buttons, a font picker and links on a line of their own
        (
            '<div class="font_ctrl">글자크기 <button onclick="fs(1)">가+</button> '
            '<button onclick="fs(-1)">가-</button> | 글꼴 <select><option>돋움</option></select>'
            ' | <a href="#">스크랩</a> <a href="#">인쇄</a></div>',
            "euc-kr",
        ),
        # the label an image's, in a table of controls
        (
            '<table><tr><td><img src="/t.gif" alt="글자크기"> 글자 크기 '
            '<a href="javascript:fontPlus()">크게</a> <a href="javascript:fontMinus()">작게</a>'
            ' <a href="javascript:print()">인쇄</a></td></tr></table>',
            "euc-kr",
        ),
    ],
    ids=["inline-with-dateline", "buttons", "control-table"],
)
def test_a_korean_table_layout_page_keeps_neither_its_menu_nor_its_font_size_controls(
    controls: str, charset: str
) -> None:
    """A menu cell of links beside the article's cell, and the font-size controls above its
    text, as Korean news sites lay pages out."""
    menu = "<br>".join(f'<a href="/s{n}">{name}</a>' for n, name in enumerate(MENU))
    cells = "".join(f"{p}<br><br>" for p in KOREAN)
    html = (
        f'<html><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">'
        '<title>서울시 버스 노선 개편</title></head><body><table width="980"><tr>'
        f'<td width="180" valign="top">{menu}</td><td valign="top">'
        f'<font size="4"><b>서울시 버스 노선 개편</b></font><br>{controls}<br>'
        f'<font size="2">{cells}</font></td></tr></table></body></html>'
    )
    text = extract_article(html.encode(charset), None, None).text
    for paragraph in KOREAN:
        assert paragraph in text.split("\n\n")
    for furniture in ("글자", "확대", "인쇄", *MENU):
        assert furniture not in text


def test_an_answer_that_is_no_page_is_no_article_text() -> None:
    """A link answering JSON (an API's error) gave that JSON as the article's text; a page
    labelled otherwise by a careless server is still read."""
    with pytest.raises(ExtractError, match=r"not a web page \(application/json\)"):
        extract_article(b'{"error":"not found"}', "application/json", "https://e.org/a")
    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 4
    page = f"<!DOCTYPE html><html><body><article><p>{para}</p></article></body></html>"
    assert "far apart" in extract_article(page.encode(), "text/plain", None).text


def test_a_page_of_a_million_tags_is_read_up_to_its_first_ones() -> None:
    """A page of 1.6 million empty elements under the size limit took 2 GB and half a
    minute; what comes after the first `MAX_TAGS` tags is left out, the article kept, and
    the text's last line says the page goes on."""
    from fetchers import extract

    para = "Seoul and Washington remain far apart on tariffs, the aide said on Friday. " * 4
    filler = b"<div><span>x</span></div>" * (extract.MAX_TAGS // 2)
    page = f"<html><body><article><p>{para}</p></article>".encode() + filler + b"</body></html>"
    assert page.count(b"<") > extract.MAX_TAGS
    text = extract_article(page, "text/html", None).text
    assert "far apart" in text
    last = text.split("\n\n")[-1]
    assert last == f"[… the page continues: wirewatch reads its first {extract.MAX_TAGS:,} tags]"


def election_results(districts: int) -> bytes:
    """A results page: a table of a row a district, three cells a row, between paragraphs."""
    rows = "".join(
        f"<tr><td>District {n}</td><td>{n * 7}</td><td>{n * 3}</td></tr>"
        for n in range(1, districts + 1)
    )
    return (
        "<!DOCTYPE html><html><head><title>Results</title></head><body><article>"
        f"<h1>Results</h1><p>intro</p><table>{rows}</table>"
        "<p>End of the results table.</p></article></body></html>"
    ).encode()


def test_a_results_table_of_twelve_thousand_rows_is_read_to_its_end() -> None:
    """A 700 KB page of election results ended at district 7498, the rest gone without a
    mark (the page's first 60,000 tags were read): every row and the paragraph after the
    table are the text, which ends as the article does."""
    text = extract_article(election_results(12_000), "text/html", None).text
    assert "District 7499" in text and "District 12000" in text
    assert text.split("\n\n")[-1] == "End of the results table."


def test_a_cut_page_s_note_fits_within_the_full_text_limit(monkeypatch) -> None:
    """A page cut at its first tags whose text fills the full text's limit: the note of the
    cut is still its last line, and the whole within the limit."""
    from fetchers import extract
    from fetchers.text import TEXT_LIMIT

    monkeypatch.setattr(extract, "MAX_TAGS", 2_000)
    para = "The count went on through the night in every district of the region. " * 16
    body = "".join(f"<p>{n}: {para}</p>" for n in range(1_500))
    text = extract_article(page(f"<article>{body}</article>").encode(), "text/html", None).text
    assert len(text) <= TEXT_LIMIT
    *paragraphs, last = text.split("\n\n")
    assert last == "[… the page continues: wirewatch reads its first 2,000 tags]"
    assert paragraphs[-1].endswith("…")


def test_a_page_cut_where_no_text_follows_has_no_note_of_the_cut(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A page cut at its first `MAX_TAGS` tags ended with the note that the page goes on
    when all that followed was closing tags, empty elements, scripts and comments (the cut
    falling in one of them too): nothing of the text was lost. The note comes when text
    is left out."""
    from fetchers import extract

    start = (
        "<!DOCTYPE html><html><head><title>Port terminal delayed</title></head><body>"
        f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS)}</article>"
    )
    monkeypatch.setattr(extract, "MAX_TAGS", start.count("<") + 3)
    note = f"[… the page continues: wirewatch reads its first {start.count('<') + 3:,} tags]"
    ends = (
        '<div class="ad"></div><span></span><br>' * 20 + "</div>" * 20 + "</body></html>",
        "<!-- <p>an old</p> <p>version</p> -->\n<div><img src=a.png></div>" * 10,
        "<script>if (a < b) { document.write('<p>' + b + '</p>'); }</script><style>p>b{}</style>"
        * 10,
    )
    for end in ends:
        text = extract_article((start + end).encode(), "text/html", None).text
        assert text.split("\n\n") == PARAGRAPHS
    more = "<div></div>" * 10 + "<p>The terminal's second berth opens in June.</p>"
    text = extract_article((start + more).encode(), "text/html", None).text
    assert text.split("\n\n") == [*PARAGRAPHS, note]


STRIKE = [
    "Dock workers at the city's container port walked out for a third straight week on "
    "Monday, leaving dozens of ships anchored offshore as talks over pay stalled again.",
    "The union says its members have not had a real-terms pay rise in six years and wants a "
    "settlement that matches inflation, while the operator offers less over three years.",
    "Retailers warned that shelves could start to empty before the holidays if the dispute "
    "drags on, and several exporters have begun routing goods through other ports.",
    "The regional government has offered to send a mediator, but both sides said on Monday "
    "evening that no new meeting had been scheduled and that each awaited the other.",
]
LOADING = '<p class="loading">Loading…</p>'


def json_ld(ld: Any) -> str:
    """A JSON-LD script element, its "</" written as a page writes it (no end of the script)."""
    written = json.dumps(ld).replace("</", "<\\/")
    return f'<script type="application/ld+json">{written}</script>'


def scripted_page(ld: Any, placeholder: str = LOADING) -> bytes:
    """A page whose script writes its article in: its HTML holds the headline and a
    placeholder, its JSON-LD the article."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8">'
        f"<title>Port strike enters third week | Herald</title>{json_ld(ld)}</head><body>"
        '<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>'
        f'<main><h1>Port strike enters third week</h1><div id="app"></div>{placeholder}</main>'
        "<footer><p>Herald, 1 Harbour Road</p></footer></body></html>"
    ).encode()


def news_article(
    body: str, kind: str = "NewsArticle", headline: str = "Port strike enters third week"
) -> dict[str, Any]:
    return {"@type": kind, "headline": headline, "articleBody": body}


_HERALD = {"@type": "Organization", "name": "Herald"}


@pytest.mark.parametrize("placeholder", [LOADING, ""], ids=["loading", "no-placeholder"])
@pytest.mark.parametrize(
    "ld",
    [
        {"@context": "https://schema.org", **news_article("\n\n".join(STRIKE))},
        {"@graph": [_HERALD, news_article("\n\n".join(STRIKE), "ReportageNewsArticle")]},
        [_HERALD, news_article("\n".join(STRIKE), "BlogPosting")],
    ],
    ids=["object", "graph", "list"],
)
def test_a_page_whose_script_writes_its_article_in_gives_the_article_its_json_ld_carries(
    ld: Any, placeholder: str
) -> None:
    """A page whose script writes the article in came out as "Loading…" (and without that
    line, as no article text): the article its JSON-LD carries is the text, a paragraph a
    line of it."""
    url = "https://herald.example/port-strike"
    page = extract_article(scripted_page(ld, placeholder), "text/html", url)
    assert page.text.split("\n\n") == STRIKE
    assert page.title == "Port strike enters third week"


def test_an_article_body_s_markup_entities_and_controls_stay_plain_text() -> None:
    """JSON-LD's articleBody is the publisher's text: its entities are read once, its stray
    tags and a script in it are no text, and escape sequences and bidirectional controls
    never reach the terminal."""
    body = (
        f"<p>{STRIKE[0]}</p>\n{STRIKE[1]} Pay &amp; conditions.\x1b[2J\u202e\r\n"
        f"<script>alert('x')</script>{STRIKE[2]}\n\n<b>{STRIKE[3]}</b>"
    )
    text = extract_article(scripted_page(news_article(body)), "text/html", None).text
    assert text.split("\n\n") == [
        STRIKE[0],
        f"{STRIKE[1]} Pay & conditions.",
        STRIKE[2],
        STRIKE[3],
    ]


def test_a_page_whose_html_holds_the_article_keeps_its_paragraphs_over_its_json_ld() -> None:
    """An article body in JSON-LD as one run of words, beside the same article in the
    page's paragraphs: the page's paragraphs are the text."""
    ld = news_article(" ".join(PARAGRAPHS), headline="Port terminal delayed")
    body = f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS)}</article>"
    text = extract_article(page(body, json_ld(ld)).encode(), "text/html", None).text
    assert text.split("\n\n") == PARAGRAPHS


def test_preformatted_text_keeps_its_lines() -> None:
    """A shell session or a poem in <pre> came out as one line, its commands run together
    (an RFC's text as lines of 2,000 characters): each of its lines stays a line."""
    session = ["$ hg clone https://example.org/repo", "$ cd repo", "$ hg log --limit 3"]
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:3])
        + "<pre>" + "\n".join(session) + "\n</pre>" + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    lines = extract_article(page(body).encode(), None, None).text.split("\n")
    assert all(line in lines for line in session)
    assert all(paragraph in lines for paragraph in PARAGRAPHS)


RESULTS_PRE = (
    "\nDistrict        Votes    Share\n\tNorth       12,345   41.2%\n"
    "\tSouth        9,876   33.0%\n\n  Total        22,221  100.0%\n"
)
# the block as the full text keeps it: tabs expanded, the blank line inside held as a space
RESULTS_BLOCK = (
    "District        Votes    Share\n        North       12,345   41.2%\n"
    "        South        9,876   33.0%\n \n  Total        22,221  100.0%"
)


def results_page() -> bytes:
    """An article with a table of results laid out in a <pre>, between paragraphs."""
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:3])
        + f"<pre>{RESULTS_PRE}</pre>" + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    return page(body).encode()


def test_a_pre_block_is_one_block_with_its_indentation_as_written() -> None:
    """A table of results in a <pre> came out a paragraph a line, its columns and indentation
    collapsed to single spaces: it is one block of its lines as written (tabs expanded), and
    the paragraphs around it are paragraphs still."""
    text = extract_article(results_page(), "text/html", None).text
    paragraphs = text.split("\n\n")
    assert RESULTS_BLOCK in paragraphs
    assert is_preformatted(RESULTS_BLOCK)
    assert all(paragraph in paragraphs for paragraph in PARAGRAPHS)
    assert not any(is_preformatted(paragraph) for paragraph in PARAGRAPHS)


def test_a_pre_block_s_hostile_text_stays_plain_text() -> None:
    """Escape sequences in a <pre> never reach the text; its tags written as text stay
    letters, and its own tags are not kept."""
    hostile = (
        "\n  \x1b]0;PWNED\x07&lt;b&gt;bold?&lt;/b&gt; [red]markup?[/red]\n"
        "  <b>kept words</b>\x1b[2J second line\n"
    )
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:3])
        + f"<pre>{hostile}</pre>" + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    text = extract_article(page(body).encode(), "text/html", None).text
    assert "  <b>bold?</b> [red]markup?[/red]\n  kept words second line" in text
    assert not any(c in text for c in "\x1b\x07")


def test_a_page_whose_furniture_alone_changed_keeps_its_earlier_text() -> None:
    """A site's box that changes on all its pages at once (a "most read" list) is no change
    of an article: the page read again with the new box gives back the text it had; a
    paragraph of its own changed is a new text."""
    boxes = [
        "Most read today: the ferry strike, the new cycle bridge and the storm on the coast.",
        "Most read today: the budget vote, the harbour fire and the night bus network plan.",
    ]

    def story(n: int, box: str, extra: str = "") -> bytes:
        own = [f"In report {n}, {paragraph}" for paragraph in PARAGRAPHS]
        body = f"<article><h1>Port terminal delayed</h1>{article(own)}<p>{box}</p>{extra}"
        return page(body + "</article>").encode()

    site = "https://news.example.org/"
    earlier = extract_article(story(0, boxes[0]), "text/html", f"{site}0").text
    assert boxes[0] in earlier  # nothing learnt of the site yet
    for n in (1, 2):
        extract_article(story(n, boxes[0]), "text/html", f"{site}{n}")
    for n in (3, 4):
        extract_article(story(n, boxes[1]), "text/html", f"{site}{n}")
    again = extract_article(story(0, boxes[1]), "text/html", f"{site}0", earlier)
    assert again.text == earlier
    added = "<p>Update: the authority has now confirmed the March date in writing.</p>"
    changed = extract_article(story(0, boxes[1], added), "text/html", f"{site}0", earlier)
    assert "confirmed the March date" in changed.text and boxes[1] not in changed.text


def test_a_related_posts_box_named_with_more_after_related_is_dropped() -> None:
    """WordPress's "jp-relatedposts" box (each post a linked headline over a long excerpt)
    was kept as the article's last paragraphs: a box whose name starts with "related" is a
    box of related posts, whatever follows the word."""
    excerpts = [
        f"{headline}: the council met for the third time this month to hear from residents, "
        "the operators and the engineers, and promised a decision before the summer recess."
        for headline in RELATED
    ]
    posts = "".join(
        f'<div class="{name}-post"><h4><a href="/p/{n}">{RELATED[n]}</a></h4>'
        f'<p class="{name}-post-excerpt">{excerpt}</p><p>March 17, 2016</p><p>In "News"</p>'
        "</div>"
        for n, excerpt in enumerate(excerpts)
        for name in ("jp-relatedposts",)
    )
    for name in ("jp-relatedposts", "relatedArticles"):
        body = (
            "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS)
            + f'<div class="{name}"><h3><em>Related</em></h3><div class="{name}-items">{posts}'
            + "</div></div></article>"
        )  # fmt: skip
        text = extract_article(page(body).encode(), None, None).text
        assert all(paragraph in text for paragraph in PARAGRAPHS)
        assert not any(excerpt in text for excerpt in excerpts), name


def test_a_sections_heading_over_a_subheading_stays() -> None:
    """A heading followed at once by a subheading ("Project updates" over "Add-ons") was
    dropped as a heading with no text under it: its section's text is its subsections'."""
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:2])
        + "<h2>The northern berth</h2><h3>Dredging</h3>" + article(PARAGRAPHS[2:4])
        + "<h3>Jobs</h3>" + article(PARAGRAPHS[4:]) + "</article>"
    )  # fmt: skip
    lines = extract_article(page(body).encode(), None, None).text.split("\n\n")
    assert lines.index("The northern berth") + 1 == lines.index("Dredging")
    assert "Jobs" in lines


def test_the_headline_over_a_subheading_is_not_repeated_when_the_title_adds_a_sites_name() -> None:
    """A headline kept because a subheading follows it (a section's heading stays) was the
    text's first line too when the title was "headline - site" on a page that names its
    site nowhere else."""
    headline = "Dockers vote to end the night shift strike"
    body = f"<h1>{headline}</h1><h2>The union's ballot</h2>"
    result = extract_article(titled(f"{headline} - Harbour Daily", body=body), None, None)
    assert headline not in result.text
    assert result.text.startswith("The union's ballot")


def test_a_page_of_thousands_of_paragraphs_is_read_without_trafilatura(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura's time grows with the square of a page's paragraphs (a live page of
    16,000 took 8 s of a parse thread, 33,000 over a minute): past `TRAFILATURA_PARAGRAPHS`
    it is not asked, and the others read the page whole."""
    from fetchers import extract
    from fetchers.extractors import libraries

    asked: list[int] = []

    def counted(tree: Any, url: str | None) -> str:
        asked.append(1)
        return libraries.trafilatura_text(tree, url)

    monkeypatch.setattr(extract, "trafilatura_text", counted)
    entries = "".join(
        f"<p>Entry {n}: the harbour authority posted its {n}th update of the night.</p>"
        for n in range(extract.TRAFILATURA_PARAGRAPHS + 1)
    )
    live = page(f"<article><h1>Live</h1>{entries}</article>").encode()
    text = extract_article(live, None, None).text
    assert asked == []
    assert "Entry 0:" in text and f"Entry {extract.TRAFILATURA_PARAGRAPHS}:" in text
    extract_article(page(f"<article><h1>Live</h1>{entries[:4000]}</article>").encode(), None, None)
    assert asked == [1]  # a page of fewer is read by all three


def test_a_table_of_cells_spanning_thousands_of_columns_is_read_without_trafilatura(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """trafilatura makes a cell of each column a cell spans (up to 100) and of each row below
    it one spans, and counts a row's cells again for each it adds: a page of two rows of
    20,000 cells spanning a million columns each took 326 s of a parse thread, a 6 KB table of
    100 cells spanning 100 rows above 99 short rows 21 s. Past `MAX_GRID_ROW` cells in a row,
    or `MAX_GRID_CELLS` in all, it is not asked; the others read the page, its table a line a
    row, each cell once (a cell spanning 50 columns was followed by 49 empty ones)."""
    from fetchers import extract
    from fetchers.extractors import libraries

    asked: list[int] = []

    def counted(tree: Any, url: str | None) -> str:
        asked.append(1)
        return libraries.trafilatura_text(tree, url)

    monkeypatch.setattr(extract, "trafilatura_text", counted)
    across = libraries.MAX_GRID_ROW // libraries.TRAFILATURA_SPAN + 1
    rows = [[f"r{r}c{c}" for c in range(across)] for r in range(2)]
    wide = "".join(
        "<tr>" + "".join(f'<td colspan="1000000">{cell}</td>' for cell in row) + "</tr>"
        for row in rows
    )
    spans = libraries.MAX_GRID_CELLS // (99 * libraries.TRAFILATURA_SPAN) + 1
    tall = (
        "<tr>"
        + "".join(f'<td colspan="100" rowspan="100">Berth {n}</td>' for n in range(spans))
        + "</tr>"
        + "<tr><td>closed</td></tr>" * 99
    )
    read = {}
    for table in (wide, tall):
        text = extract_article(ports_page(f"<table>{table}</table>"), "text/html", None).text
        read[table] = text.split("\n\n")
        assert asked == []
        assert all(paragraph in read[table] for paragraph in PARAGRAPHS)
    assert "\n".join("| " + " | ".join(row) + " |" for row in rows) in read[wide]
    assert PORTS_BLOCK in extract_article(ports_page(), "text/html", None).text.split("\n\n")
    assert asked == [1]  # a table of a few cells is read by all three


BACKGROUND = [
    "The talks began in July after Washington threatened tariffs of 25 percent on all "
    "imports, and Seoul offered a package of investment in American shipbuilding and energy "
    "projects worth 350 billion dollars.",
    "Negotiators have since met four times in Washington and twice in Seoul, and officials on "
    "both sides have said that the terms of the investment fund are the last point on which "
    "they still disagree.",
]


def test_background_a_site_repeats_in_each_update_of_a_story_stays() -> None:
    """Updates of a developing story carry the same paragraphs of background between their
    own: from the third update read on, both were dropped as the site's furniture. A box the
    site repeats at the article's foot goes, however long; a changed paragraph of background
    is a new text of the update."""
    note = (
        "This report was produced with the support of the Harbour Foundation, which funds "
        "coverage of shipping and trade at the Gazette and has no say over what our reporters "
        "write or which stories they choose to cover."
    )

    def update(name: str, background: list[str]) -> bytes:
        own = [f"In update {name}, {paragraph}" for paragraph in PARAGRAPHS]
        body = (
            "<article><h1>Port terminal delayed</h1>" + article(own[:3]) + article(background)
            + article(own[3:]) + f"<p>{note}</p></article>"
        )  # fmt: skip
        return page(body).encode()

    site = "https://gazette.example/news/talks-"
    texts = {
        name: extract_article(update(name, BACKGROUND), "text/html", site + name).text
        for name in "abcd"
    }
    for name, text in texts.items():
        paragraphs = text.split("\n\n")
        assert all(paragraph in paragraphs for paragraph in BACKGROUND), name
        assert f"In update {name}, {PARAGRAPHS[-1]}" in paragraphs
    assert note in texts["a"] and note not in texts["d"]
    changed = [BACKGROUND[0], BACKGROUND[1].replace("four times", "five times")]
    again = extract_article(update("d", changed), "text/html", site + "d", texts["d"])
    assert "met five times" in again.text


DOCK_STRIKE = [
    "Dock workers at the country's largest container port walked out for a third week on "
    "Monday, leaving forty ships at anchor outside the harbour as business groups warned of "
    "lasting damage to the economy.",
    "The union said its members would not return until the port operator withdrew plans to "
    "automate two of the terminal's cranes, which it says would cost some three hundred jobs "
    "over five years.",
    "The operator said automation was needed to compete with rival ports along the coast, and "
    "that no worker would be laid off, though posts would not be filled as staff retired or "
    "went home.",
    "Retailers warned that shelves could empty of some imported goods within a fortnight, and "
    "the transport ministry said it would ask both sides to meet a mediator on Thursday to end "
    "the strike.",
]
HEADLINE = "Port strike enters third week"


def herald(body: str) -> bytes:
    """A page of the Herald: its menu in the header, its address in the footer."""
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{HEADLINE} | Herald</title></head><body>"
        '<header><a href="/">Herald</a><nav><ul><li><a href="/news">News</a></li>'
        '<li><a href="/business">Business</a></li><li><a href="/sport">Sport</a></li></ul></nav>'
        f"</header>{body}<footer><p>Herald, 1 Harbour Road</p></footer></body></html>"
    ).encode()


def test_content_named_with_a_box_s_word_is_the_article() -> None:
    """A table of share prices, a paragraph on a market's share, one on a consent decree:
    named with a box's word ("share-prices", "market-share", "consent-decree"), they were
    dropped as a share strip or a consent banner. A name whose other words say what it holds
    names no box."""
    table = (
        "<table class='share-prices'><tr><th>Company</th><th>Price</th><th>Change</th></tr>"
        "<tr><td>Harbour Co</td><td>412p</td><td>+3%</td></tr>"
        "<tr><td>Ferry plc</td><td>88p</td><td>-1%</td></tr></table>"
    )
    share = (
        "<div class='market-share'><p>Market share of the port fell to 12 percent last year, "
        "the lowest since records began in 1990, according to the authority.</p></div>"
    )
    decree = (
        "<div class='consent-decree'><p>Under the consent decree signed in 2019, the port must "
        "cut its emissions by half before the end of the decade or pay fines.</p></div>"
    )
    for inside, says in ((table, "Harbour Co"), (share, "Market share"), (decree, "decree")):
        body = (
            "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:2]) + inside
            + article(PARAGRAPHS[2:]) + "</article>"
        )  # fmt: skip
        assert says in extract_article(page(body).encode(), "text/html", None).text


def test_a_cookie_banner_a_share_strip_and_a_bio_in_the_article_are_not_its_text() -> None:
    """A cookie banner, a share strip and the author's bio inside the article's element
    were its first and last paragraphs: a box the page names so (by class, id or role) is
    not the article, and a name is read word by word."""
    body = (
        f"<article><h1>{HEADLINE}</h1>"
        '<div class="cookie-banner" role="dialog"><p>We use cookies to improve your experience '
        "on our site and to show you personalised advertising. By continuing to browse you "
        "agree to our use of cookies.</p><button>Accept all</button></div>"
        + article(DOCK_STRIKE)
        + '<div class="share-tools">Share this article: Facebook Twitter Email</div>'
        '<div class="author-bio"><p>Jane Reporter is the transport correspondent of the Herald. '
        "She has covered ports and shipping for more than ten years.</p></div></article>"
    )
    text = extract_article(herald(body), "text/html", None).text
    assert text.split("\n\n") == DOCK_STRIKE
    # a share strip named nothing, and names that hold a box's word only inside another word
    for name in ("shared-desk", "cookiecutter", "biology", "shareholders", "subscriber-only"):
        body = (
            f"<article><h1>{HEADLINE}</h1>" + article(DOCK_STRIKE[:2])
            + f'<div class="{name}">{article(DOCK_STRIKE[2:3])}</div>' + article(DOCK_STRIKE[3:])
            + "<div>Share this article: Facebook Twitter Email</div></article>"
        )  # fmt: skip
        assert extract_article(herald(body), "text/html", None).text.split("\n\n") == DOCK_STRIKE
    # nor does a section's anchor made of its heading's words
    body = (
        f"<article><h1>{HEADLINE}</h1>" + article(DOCK_STRIKE[:2])
        + f'<section id="union-consent"><h2>Union consent</h2>{article(DOCK_STRIKE[2:3])}</section>'
        + article(DOCK_STRIKE[3:]) + "</article>"
    )  # fmt: skip
    text = extract_article(herald(body), "text/html", None).text
    assert text.split("\n\n") == [*DOCK_STRIKE[:2], "Union consent", *DOCK_STRIKE[2:]]
    # an element that holds the article is no box in it, whatever its name
    body = f'<article class="category-social"><h1>{HEADLINE}</h1>{article(DOCK_STRIKE)}</article>'
    assert extract_article(herald(body), "text/html", None).text.split("\n\n") == DOCK_STRIKE


@pytest.mark.parametrize("crumbs", ['class="breadcrumb"', ""], ids=["named", "unnamed"])
def test_a_breadcrumb_is_no_part_of_the_article_and_the_headline_is_not_repeated(
    crumbs: str,
) -> None:
    """A breadcrumb above the headline came out as the text's first lines ("1. Home"), and
    the headline after it: its one-word items were kept because their words occur somewhere
    in the article (its first paragraph says "business"), not where the breadcrumb stands."""
    trail = (
        f'<ol {crumbs}><li><a href="/">Home</a></li><li><a href="/business">Business</a></li>'
        '<li><a href="/business/economy">Economy</a></li></ol>'
    )
    body = f"<article>{trail}<h1>{HEADLINE}</h1>{article(DOCK_STRIKE)}</article>"
    result = extract_article(herald(body), "text/html", None)
    assert result.title == HEADLINE
    assert result.text.split("\n\n") == DOCK_STRIKE


def test_what_an_amp_page_lays_out_as_nodisplay_is_not_shown() -> None:
    """An AMP page's sidebar menu and a notice shown only when opened (`layout="nodisplay"`)
    came out as the article's lines ("• Business")."""
    body = (
        '<amp-sidebar id="sidebar" layout="nodisplay" side="left"><ul>'
        '<li><a href="/news">News</a></li><li><a href="/business">Business</a></li>'
        '<li><a href="/sport">Sport</a></li></ul></amp-sidebar>'
        f"<article><h1>{HEADLINE}</h1>{article(DOCK_STRIKE)}"
        '<amp-user-notification id="notice" layout="nodisplay"><p>This page counts its '
        "readers and remembers the settings you chose on your last visit to the Herald "
        'website.</p><button on="tap:notice.dismiss">OK</button></amp-user-notification>'
        "</article>"
    )
    assert extract_article(herald(body), "text/html", None).text.split("\n\n") == DOCK_STRIKE


LIVE_ENTRIES = [
    ("09:15", "The motorcade of the host president has arrived at the conference centre, where "
     "security is tight and roads around the venue have been closed since dawn."),
    ("09:40", "Protesters gathered outside the police cordon, chanting slogans against the "
     "proposed trade deal and holding banners that called for fair wages for farmers."),
    ("10:05", "A spokesman for the foreign ministry told reporters that the draft statement had "
     "been agreed overnight, though two paragraphs on fisheries remained in brackets."),
    ("10:31", "Our correspondent at the venue reports that the leaders have begun their closed "
     "session, which is scheduled to last about two hours before a working lunch."),
]  # fmt: skip


def test_a_live_page_s_entries_keep_their_times() -> None:
    """A live blog's entries, each headed by when it was posted (a `<time>` in the entry's
    header), came out with no time anywhere: every extractor votes a lone time out as a
    dateline. Where several entries are headed so, each keeps its time before its text."""
    entries = "".join(
        f'<article class="block"><header><a href="#b{n}"><time datetime="2026-03-05T{at}:00Z">'
        f"{at}</time></a></header><div><p>{text}</p></div>"
        "<footer><button>Share</button></footer></article>"
        for n, (at, text) in enumerate(reversed(LIVE_ENTRIES))
    )
    live = page(f"<main><h1>Summit live</h1><div id='liveblog'>{entries}</div></main>").encode()
    paragraphs = extract_article(live, "text/html", None).text.split("\n\n")
    for at, text in LIVE_ENTRIES:
        assert paragraphs[paragraphs.index(text) - 1] == at


@pytest.mark.parametrize(
    ("head", "body", "said"),
    [
        (
            '<meta http-equiv="refresh" content="0;URL=\'/real.html\'">',
            "<p>Si no es redirigido automáticamente, <a href='/real.html'>siga este "
            "enlace</a>.</p>",
            "the page only redirects to https://news.example/real.html",
        ),
        (
            "<script>top.location.href = '/real.html';</script>",
            "<p>기사로 이동합니다…</p>",
            "the page only redirects to https://news.example/real.html",
        ),
        (
            '<script src="/app.js"></script>',
            '<div id="root">読み込み中…</div><noscript>JavaScriptを有効にしてください。</noscript>',
            "the page needs JavaScript",
        ),
        ('<script src="/app.js"></script>', '<div id="app">Загрузка…</div>', "needs JavaScript"),
    ],
    ids=["refresh", "script", "noscript", "loading"],
)
def test_a_redirect_page_or_script_shell_is_no_article(head: str, body: str, said: str) -> None:
    """A redirect's or a script shell's notice, in any language, was the article's text;
    it is no article, said why, and leads to where the article is."""
    page = (
        f'<!doctype html><html><head><meta charset="utf-8"><title>…</title>{head}</head>'
        f"<body>{body}</body></html>"
    ).encode()
    with pytest.raises(ShellPage, match=said) as raised:
        extract_article(page, "text/html", "https://news.example/go.html")
    if "redirects" in said:
        assert raised.value.leads == ("https://news.example/real.html",)


def test_a_short_article_on_a_page_of_scripts_is_kept() -> None:
    """A brief with a paragraph of prose stays an article, scripts or not."""
    brief = (
        "The harbour ferry will not run on Sunday while engineers replace a worn ramp at "
        "the northern pier, the operator said, adding that buses will replace it."
    )
    page = (
        '<!doctype html><html><head><script src="/ads.js"></script></head><body>'
        f"<article><h1>Ferry halted</h1><p>{brief}</p></article></body></html>"
    ).encode()
    assert extract_article(page, "text/html", "https://news.example/ferry.html").text == brief


def comment(n: int, who: str, text: str) -> str:
    return (
        f'<div class="c-{n % 1}"><img src="/a/{n}.png" alt=""><span class="nick">{who}</span>'
        f"<p>{text}</p><a href='#r{n}'>Reply</a> <a href='#l{n}'>Like</a></div>"
    )


COMMENTS = [
    f"Comment {n}: I have lived by this harbour all my life and nobody ever asks the people who "
    f"load the ships what they think of any of these plans, number {n}."
    for n in range(300)
]


@pytest.mark.parametrize(
    ("opening", "count"),
    [
        ('<section class="talk">', 10),
        ('<section id="discussion"><h2>Discussion (15)</h2>', 15),
        ('<div class="zq-3x">', 12),  # a name that says nothing: a thread by its make
        ('<div class="zq-3x">', 300),  # more words than the article
    ],
)
def test_readers_comments_after_the_article_are_not_its_text(opening: str, count: int) -> None:
    """A thread of readers' comments after the article, in a box not named "comment…"
    ("talk", "discussion") or named nothing a reader can tell, came out as the article's
    last paragraphs, every comment with its "Reply Like" line."""
    thread = "".join(comment(n, f"u{n}", COMMENTS[n]) for n in range(count))
    end = "</section>" if opening.startswith("<section") else "</div>"
    body = f"<article><h1>Port terminal delayed</h1>{article(PARAGRAPHS)}</article>"
    text = extract_article(page(body + opening + thread + end).encode(), None, None).text
    assert text.split("\n\n") == PARAGRAPHS


def test_an_articles_own_discussion_section_stays() -> None:
    """A report's closing section headed "Discussion" (its id the heading's anchor) is the
    article's own text, not a thread of comments."""
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:4])
        + '<section id="discussion"><h2>Discussion</h2>' + article(PARAGRAPHS[4:])
        + "</section></article>"
    )  # fmt: skip
    text = extract_article(page(body).encode(), None, None).text
    assert all(paragraph in text for paragraph in PARAGRAPHS)


TEASERS = [
    "Ferry operators said on Monday that winter sailings to the islands would be cut by a "
    "third, blaming fuel costs and a shortage of crew.",
    "The council approved a new cycle bridge over the river after a decade of arguments "
    "about its cost and the route it should take.",
    "A storm closed the coastal railway line for a week, and engineers are still inspecting "
    "the sea wall that protects the track.",
]


@pytest.mark.parametrize(
    "naming",
    [
        'class="read-next"',
        'class="recommended-articles"',
        'class="OUTBRAIN" data-widget-id="AR_1"',
        'class="also-read"',
        'class="more-stories"',
        'id="taboola-below-article"',
        'aria-label="Most read"',
        'data-component="up-next"',
    ],
)
def test_a_rail_of_other_stories_in_the_article_is_not_its_text(naming: str) -> None:
    """A rail of other stories to read between two paragraphs (each a linked headline over
    a sentence of teaser) left its teasers in the article as if they were its own
    sentences: only a box named "related…" was dropped."""
    cards = "".join(
        f'<div class="card"><a href="/news/{n}"><h3>{RELATED[n]}</h3></a>'
        f'<p class="dek">{teaser}</p></div>'
        for n, teaser in enumerate(TEASERS)
    )
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:3])
        + f"<section {naming}><h2>Read next</h2>{cards}</section>" + article(PARAGRAPHS[3:])
        + "</article>"
    )  # fmt: skip
    text = extract_article(page(body).encode(), None, None).text
    assert text.split("\n\n") == PARAGRAPHS


QUOTED = (
    "Dock workers, who had been told the terminal would bring three hundred permanent jobs, "
    "met the announcement with a mixture of relief and frustration, according to a union "
    "representative who attended the briefing in the port's administration building."
)


@pytest.mark.parametrize(
    "pull_quote",
    [
        f'<figure class="wp-block-pullquote"><blockquote><p>{QUOTED}</p><cite>Mina Park</cite>'
        "</blockquote></figure>",
        f'<aside class="element element-pullquote element--supporting"><blockquote><p>“{QUOTED}”'
        "</p></blockquote></aside>",
        f"<aside><p>{QUOTED}</p></aside>",
        f'<div class="pull-quote">&ldquo;{QUOTED}&rdquo;</div>',
    ],
)
def test_a_pull_quote_of_the_article_s_own_sentence_is_said_once(pull_quote: str) -> None:
    """A pull quote sets a sentence of the body apart in large type: the reader met the
    sentence twice, the first time before the paragraph it comes from. The body's copy
    stays in its place; a quotation the body does not repeat stays too."""
    letter = (
        "We, the undersigned harbour pilots, ask the authority to publish the dredging "
        "survey before any ship of more than ten metres' draught is allowed to berth."
    )
    body = (
        "<article><h1>Port terminal delayed</h1>" + article(PARAGRAPHS[:1]) + pull_quote
        + article(PARAGRAPHS[1:3]) + f"<blockquote><p>{letter}</p></blockquote>"
        + article(PARAGRAPHS[3:]) + "</article>"
    )  # fmt: skip
    text = extract_article(page(body).encode(), None, None).text
    assert text.count("three hundred permanent jobs") == 1
    assert text.split("\n\n") == [*PARAGRAPHS[:3], letter, *PARAGRAPHS[3:]]


def test_what_sites_repeat_is_kept_on_disk_bounded_and_a_bad_file_is_none(
    tmp_path: Path,
) -> None:
    """The memory of sites' furniture is kept in the data dir for the next run: it comes
    back as learnt, only the latest hosts are kept, and a file that is no such memory (cut
    off, another program's) is taken for none, never an error."""
    memory = sitewide.SiteMemory()
    for host in range(sitewide.SAVED_HOSTS + 20):
        for page in range(3):
            memory.repeated(f"h{host}.example", f"https://h{host}.example/{page}", [1, 2])
    assert memory.save(tmp_path)
    again = sitewide.SiteMemory()
    again.load(tmp_path)
    last = sitewide.SAVED_HOSTS + 19
    assert again.known(f"h{last}.example", f"https://h{last}.example/new", [1, 2, 3]) == {1, 2}
    assert again.known("h0.example", "https://h0.example/new", [1, 2]) == set()  # not kept
    for bad in (b'{"version": 1, "hosts": {"h": [1]}}', b'{"vers', b"[]", b"\xff"):
        (tmp_path / sitewide.FILE).write_bytes(bad)
        fresh = sitewide.SiteMemory()
        fresh.load(tmp_path)
        assert fresh.known("h", "https://h/new", [1]) == set()


def test_what_sites_repeat_keeps_the_latest_hosts_across_a_save_and_a_load() -> None:
    """Loading the kept memory put its hosts in reverse order: the next save kept the
    hosts seen longest ago and dropped the latest."""
    import json

    from fetchers.extractors.sitewide import SAVED_HOSTS, SiteMemory

    before = SiteMemory()
    for n in range(SAVED_HOSTS):
        before.repeated(f"h{n:03d}.example", "/a", [n])  # h000 seen first, h099 last
    after = SiteMemory()
    assert after.merge(before.dump())
    for n in range(10):
        after.repeated(f"new{n}.example", "/a", [n])
    kept = list(json.loads(after.dump())["hosts"])
    assert f"h{SAVED_HOSTS - 1:03d}.example" in kept and "new9.example" in kept
    assert "h000.example" not in kept
