"""Feed formats, charsets, dates and malformed input, parsed from bytes (and served over HTTP
where what a feed's text says reaches `list`, `show` and the alerts)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fetchers.feeds import (
    FeedError,
    close_truncated,
    parse_feed,
    resolve,
    to_articles,
    told_by_words,
)
from fetchers.models import article_id
from fetchers.text import is_preformatted
from fetchers.timeparse import parse_feed_date
from fetchers.webaddress import untracked
from tests.conftest import FeedServer, alerted_feed, rss
from tui.cli import main

NOW = datetime(2025, 10, 24, 8, tzinfo=UTC)


def articles(body: bytes, headers: dict[str, str] | None = None, base: str | None = None):
    return to_articles(parse_feed(body, headers or {}, base), "S", [], NOW)


def test_rss2_with_html_description_entities_and_relative_link() -> None:
    (a,) = articles(
        rss(
            "<title>AT&amp;amp;T &amp; Seoul [b]x[/b]</title><link>/news/1</link>"
            "<description>&lt;p&gt;One &lt;b&gt;two&lt;/b&gt;&lt;/p&gt;&lt;p&gt;Three&lt;/p&gt;"
            "</description><pubDate>Fri, 24 Oct 2025 16:05:00 +0900</pubDate>"
            "<category>trade</category>"
        ),
        base="https://example.org/feed.xml",
    )
    assert a.title == "AT&T & Seoul [b]x[/b]"
    assert a.link == "https://example.org/news/1"
    assert a.summary == "One two\n\nThree"
    assert a.published == datetime(2025, 10, 24, 7, 5, tzinfo=UTC)
    assert a.tags == ["trade"]


def test_rss1_rdf() -> None:
    body = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="x"><title>RDF</title></channel>
<item rdf:about="https://e.org/1"><title>RDF item</title><link>https://e.org/1</link>
<dc:date>2025-10-24T06:00:00Z</dc:date></item></rdf:RDF>"""
    (a,) = articles(body)
    assert (a.title, a.link) == ("RDF item", "https://e.org/1")
    assert a.published == datetime(2025, 10, 24, 6, tzinfo=UTC)


def test_atom_with_xml_base_and_xhtml_content() -> None:
    body = b"""<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://b.org/x/">
<title>A</title><entry><title type="html">Lee &amp;amp; Trump</title><link href="p/1"/>
<id>tag:b.org,2025:1</id><updated>2025-10-24T07:00:00+09:00</updated>
<content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Para one</p><p>two</p></div>
</content></entry></feed>"""
    (a,) = articles(body)
    assert a.title == "Lee & Trump"
    assert a.link == "https://b.org/x/p/1"
    assert a.text == "Para one\n\ntwo"
    assert a.published == datetime(2025, 10, 23, 22, tzinfo=UTC)


def test_json_feed() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "1", "url": "https://j.org/1", '
        b'"title": "\xed\x95\x9c\xea\xb5\xad \xf0\x9f\x93\xb0",'
        b' "content_text": "Body", "date_published": "2025-10-24T07:00:00Z", "tags": ["k"]}]}'
    )
    (a,) = articles(body, {"Content-Type": "application/feed+json"})
    assert a.title == "한국 📰"
    assert a.text == "Body" and a.tags == ["k"]


# a description its source wrapped at a width, as plain text and with a tag
WRAPPED = "The central bank said on Friday that it would\nraise its key rate by a quarter point."
ONE_PARAGRAPH = (
    "The central bank said on Friday that it would raise its key rate by a quarter point."
)


def test_a_plain_description_s_wrapped_lines_are_one_paragraph_as_an_html_one_s_are() -> None:
    """An RSS description is HTML by its spec, and an Atom text one a reader may reflow: a
    plain one wrapped at a width was stored a paragraph a line ("would\n\nraise"), where
    the same one with a <b> in it was one paragraph, so a phrase across the wrap was found
    in the one and not the other. A single break is a space (CR LF too), a blank line still
    parts two paragraphs. A JSON Feed's strings keep their lines: nothing wraps them, and
    a break in one is meant."""
    plain, tagged, crlf = articles(
        rss(
            f"<title>Rates</title><guid>1</guid><description>{WRAPPED}\n\nMore.</description>",
            f"<title>Rates</title><guid>2</guid><description>&lt;b&gt;Now:&lt;/b&gt; {WRAPPED}"
            "</description>",
            "<title>Rates</title><guid>3</guid><description>"
            + WRAPPED.replace("\n", "\r\n  ")
            + "</description>",
        )
    )
    assert plain.summary == ONE_PARAGRAPH + "\n\nMore."
    assert tagged.summary == "Now: " + ONE_PARAGRAPH
    assert crlf.summary == ONE_PARAGRAPH
    (entry,) = articles(
        f"""<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry>
<title>Rates</title><id>tag:a,2025:1</id><updated>2025-10-24T07:00:00Z</updated>
<summary>{WRAPPED}</summary><content type="text">{WRAPPED}\n\nMore.</content>
</entry></feed>""".encode()
    )
    assert (entry.summary, entry.text) == (ONE_PARAGRAPH, ONE_PARAGRAPH + "\n\nMore.")
    item = {
        "id": "1",
        "title": "Rates",
        "summary": "One\ntwo",
        "content_text": "Line one\nLine two",
    }
    body = json.dumps(
        {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [item]}
    )
    (kept,) = articles(body.encode(), {"Content-Type": "application/feed+json"})
    assert (kept.summary, kept.text) == ("One\n\ntwo", "Line one\n\nLine two")


# a release note's code in a <pre>: indented lines, a tab, a blank line, spaced columns
CODE_PRE = (
    "\ndef fee(rate):\n    if rate &lt; 0:\n\traise ValueError(rate)\n\n    return {'due':  rate}\n"
)
# the block as an article's text keeps it (`preformatted_block`): as written, tabs as spaces
CODE_BLOCK = (
    "def fee(rate):\n    if rate < 0:\n        raise ValueError(rate)\n \n    return {'due':  rate}"
)
CODE_HTML = f"<p>The fix in full:</p><pre class='py'><code>{CODE_PRE}</code></pre><p>Thanks.</p>"


def rss_with_content(content_html: str, description: str = "") -> bytes:
    """One RSS item whose content:encoded holds this HTML (and a description, if given)."""
    escaped = content_html.replace("&", "&amp;").replace("<", "&lt;")
    described = f"<description>{description}</description>" if description else ""
    return rss(
        f"<title>Fee rules</title><guid>1</guid>{described}"
        '<content:encoded xmlns:content="http://purl.org/rss/1.0/modules/content/">'
        f"{escaped}</content:encoded>"
    )


def atom_with_content(content_html: str) -> bytes:
    escaped = content_html.replace("&", "&amp;").replace("<", "&lt;")
    return (
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>Fee rules'
        "</title><id>tag:b.org,2025:1</id><updated>2025-10-24T07:00:00Z</updated>"
        f'<content type="html">{escaped}</content></entry></feed>'
    ).encode()


def json_with_content(content_html: str) -> bytes:
    item = {"id": "1", "title": "Fee rules", "content_html": content_html}
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [item]}
    return json.dumps(feed).encode()


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (rss_with_content(CODE_HTML, "Short note."), {}),
        (atom_with_content(CODE_HTML), {}),
        (json_with_content(CODE_HTML), {"Content-Type": "application/feed+json"}),
    ],
    ids=["rss-content-encoded", "atom-html-content", "json-feed"],
)
def test_a_pre_in_an_item_s_content_is_one_block_as_written(
    body: bytes, headers: dict[str, str]
) -> None:
    """Code in a <pre> of an item's content came out a paragraph a line, its indentation
    gone: the item's text keeps it as one block of its lines as written, as a page's full
    text does; the paragraphs around it stay paragraphs."""
    (a,) = articles(body, headers)
    paragraphs = (a.text or "").split("\n\n")
    assert paragraphs == ["The fix in full:", CODE_BLOCK, "Thanks."]
    assert is_preformatted(CODE_BLOCK) and not is_preformatted("Thanks.")


def test_a_summary_of_content_holding_a_pre_reads_as_prose() -> None:
    """A description is prose still, and an item without one gets a summary of its
    content's lines as paragraphs (a summary holds no preformatted block)."""
    (described,) = articles(rss_with_content(CODE_HTML, "&lt;pre&gt;a  b\n  c&lt;/pre&gt;"))
    assert described.summary == "a b\n\nc"
    (bare,) = articles(rss_with_content(CODE_HTML))
    assert bare.summary.startswith("The fix in full:\n\ndef fee(rate):\n\nif rate < 0:\n\n")
    assert not any(is_preformatted(p) for p in bare.summary.split("\n\n"))


def test_a_pre_in_an_item_s_content_keeps_hostile_text_plain() -> None:
    """Escape sequences in a <pre> of an item's content never reach its text; its tags
    written as text stay letters, markup of the terminal's stays words, and its own tags,
    scripts and comments are not kept."""
    hostile = (
        "<p>Intro.</p><pre>\n  \x1b]0;PWNED\x07&lt;b&gt;bold?&lt;/b&gt; [red]markup?[/red]\n"
        "  <b>kept words</b>\x1b[2J second line<script>alert(1)</script><!-- hidden -->\n"
        "\u202eevil\u202c\x9b2J done</pre>"
    )
    (a,) = articles(json_with_content(hostile), {"Content-Type": "application/feed+json"})
    assert a.text == (
        "Intro.\n\n  <b>bold?</b> [red]markup?[/red]\n  kept words second line\nevil done"
    )


@pytest.mark.parametrize(
    ("encoding", "header"),
    [("euc-kr", "text/xml; charset=ISO-8859-1"), ("shift_jis", None), ("cp949", "text/xml")],
)
def test_legacy_charsets_decode_without_mojibake(encoding: str, header: str | None) -> None:
    title = "한국 관세 협상" if encoding != "shift_jis" else "日本の関税"
    body = rss(f"<title>{title}</title><guid>1</guid>", encoding=encoding)
    (a,) = articles(body, {"Content-Type": header} if header else {})
    assert a.title == title


def test_utf8_bytes_under_a_lying_latin1_header() -> None:
    body = rss("<title>Café Gyeongju — 경주</title><guid>1</guid>")
    (a,) = articles(body, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"})
    assert a.title == "Café Gyeongju — 경주"


@pytest.mark.parametrize(
    ("encoding", "title", "summary"),
    [
        ("cp1251", "Переговоры о тарифах в Москве", "Министр финансов заявил во вторник"),
        ("iso-8859-7", "Διαπραγματεύσεις για τους δασμούς", "Ο υπουργός δήλωσε την Τρίτη"),
    ],
)
@pytest.mark.parametrize("where", ["declaration", "header"])
def test_a_feed_of_another_script_labelled_latin_1_is_read_in_its_own_charset(
    encoding: str, title: str, summary: str, where: str
) -> None:
    """A Russian or Greek feed that says ISO-8859-1 (in its declaration, or in a server's
    default header when it declares nothing) came out "Ïåðåãîâîðû": any bytes read as
    Latin-1. A Western feed that says so stays Latin-1."""
    items = [f"<title>{title}</title><description>{summary}</description><guid>1</guid>"]
    body = rss(*items, encoding=encoding)
    label = b' encoding="ISO-8859-1"' if where == "declaration" else b""
    body = body.replace(f' encoding="{encoding}"'.encode(), label)
    header = "application/rss+xml" + ("; charset=ISO-8859-1" if where == "header" else "")
    (a,) = articles(body, {"Content-Type": header})
    assert (a.title, a.summary) == (title, summary)
    broken = body.replace(b"<description>", b"<description><b>")  # (the lenient parser's)
    (a,) = articles(broken, {"Content-Type": header})
    assert (a.title, a.summary) == (title, summary)
    western = rss(
        *(f"<title>{t}</title><description>{d}</description><guid>{t}</guid>" for t, d in WESTERN),
        encoding="cp1252",
    ).replace(b'encoding="cp1252"', b'encoding="ISO-8859-1"')
    read = articles(western, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"})
    assert [(a.title, a.summary) for a in read] == WESTERN


def test_utf8_bytes_under_a_lying_declaration() -> None:
    body = rss("<title>Café Gyeongju — 경주</title><guid>1</guid>").replace(
        b'encoding="utf-8"', b'encoding="ISO-8859-1"'
    )
    assert b"ISO-8859-1" in body
    (a,) = articles(body, {"Content-Type": "application/rss+xml"})
    assert a.title == "Café Gyeongju — 경주"


WESTERN = [
    ("Café society returns to São Paulo", "Résumé of the naïve façade."),
    ("Peña Nieto’s déjà vu", "The señor said « bonjour » at the café."),
    ("Müller wins in Köln", "Fußball fans celebrated in Düsseldorf."),
]


@pytest.mark.parametrize("items", [WESTERN, WESTERN[:1]], ids=["three", "one"])
def test_cp1252_bytes_under_a_declaration_of_utf8(items: list[tuple[str, str]]) -> None:
    """The commonest lie of a feed: Windows-1252 bytes declared UTF-8. The detector alone
    read them as a Baltic or DOS code page ("Sćo Paulo", "Cafķ")."""
    body = rss(
        *(f"<title>{t}</title><description>{d}</description><guid>{t}</guid>" for t, d in items),
        encoding="cp1252",
    ).replace(b'encoding="cp1252"', b'encoding="utf-8"')
    assert [(a.title, a.summary) for a in articles(body)] == items


def test_a_utf8_feed_with_a_few_cp1252_bytes_reads_both() -> None:
    """A UTF-8 feed with a summary pasted in from Windows-1252: each part read as written."""
    body = rss(
        *(f"<title>{t}</title><guid>{t}</guid>" for t, _ in WESTERN),
        "<title>Pasted</title><description>PASTED</description><guid>p</guid>",
    ).replace(b"PASTED", "Déjà vu in Zürich".encode("cp1252"))
    got = articles(body)
    assert [a.title for a in got[:3]] == [t for t, _ in WESTERN]
    assert got[3].summary == "Déjà vu in Zürich"


def test_a_short_utf8_feed_with_a_long_pasted_cp1252_summary_reads_both() -> None:
    """The pasted bytes were more than a tenth of the feed's non-ASCII bytes: every title
    came out in a Baltic code page ("Minister says ‚Äútalks continue‚ÄĚ")."""
    titles = [f"Minister says \u201ctalks continue\u201d in round {n}" for n in range(10)]
    pasted = "Le ministre a déclaré: « l’échec à Genève » et à Montréal."
    body = rss(
        *(f"<title>{t}</title><guid>{n}</guid>" for n, t in enumerate(titles)),
        "<title>Pasted</title><description>PASTED</description><guid>p</guid>",
    ).replace(b"PASTED", pasted.encode("cp1252"))
    got = articles(body)
    assert [a.title for a in got[:10]] == titles
    assert got[10].summary == pasted


def test_an_undeclared_central_european_feed_is_not_read_as_cp1252() -> None:
    """cp1252 is preferred only where it reads as words: Polish in cp1250 read as cp1252
    puts signs inside words ("£ódŸ", "ce³")."""
    title = "Łódź: negocjacje w sprawie ceł"
    body = rss(f"<title>{title}</title><guid>1</guid>", encoding="cp1250").replace(
        b' encoding="cp1250"', b""
    )
    (a,) = articles(body)
    assert a.title == title


@pytest.mark.parametrize(
    ("encoding", "title", "summary"),
    [
        ("cp1256", "تَعَثَّرَتْ المفاوضات التجارية", "قال الوزير إن المحادثات مستمرة"),
        ("cp1255", "שָׁלוֹם עֲלֵיכֶם", "ראש הממשלה אמר היום"),
        ("big5", "台灣關稅談判", "行政院表示"),
        ("gb18030", "中国关税谈判取得进展", "商务部表示"),
        ("koi8-r", "Переговоры о тарифах в Москве", "Министр заявил"),
    ],
)
def test_undeclared_legacy_feeds_of_other_scripts_read_as_written(
    encoding: str, title: str, summary: str
) -> None:
    """The preference for cp1252, and the weighing of one-byte Latin and Cyrillic readings,
    never take a legacy feed of another script from the detector's reading (vowel points and
    marks count as parts of words)."""
    items = [f"<title>{title}</title><description>{summary}</description><guid>1</guid>"]
    body = rss(*items, encoding=encoding).replace(f' encoding="{encoding}"'.encode(), b"")
    got = articles(body)
    assert (got[0].title, got[0].summary) == (title, summary)


def test_a_source_names_the_charset_its_feed_lies_about() -> None:
    """A Hungarian feed in windows-1250 that says UTF-8: its source's `charset` says which
    it is, whatever a guess would make of it (a short one reads alike in cp1252, ő as õ)."""
    title, summary = "A kormány előtt fűzték össze a tervet", "Az ellenzék bírálta"
    body = rss(f"<title>{title}</title><description>{summary}</description>", encoding="cp1250")
    body = body.replace(b'encoding="cp1250"', b'encoding="utf-8"')
    (a,) = to_articles(parse_feed(body, {}, None, "cp1250"), "S", [], NOW)
    assert (a.title, a.summary) == (title, summary)
    (utf8,) = articles(rss("<title>Előtt</title>"))  # a UTF-8 feed stays UTF-8
    (same,) = to_articles(parse_feed(rss("<title>Előtt</title>"), {}, None, "cp1250"), "S", [], NOW)
    assert utf8.title == same.title == "Előtt"


@pytest.mark.parametrize(
    "label", ['encoding="iso-8859-2"', 'encoding="koi8-r"', 'encoding="utf-8"']
)
def test_a_sources_charset_holds_for_a_feed_only_the_lenient_parser_reads(label: str) -> None:
    """A broken feed goes to the lenient parser with the declaration and header it came with:
    the body read in the source's charset says UTF-8 to it too (not Czech read twice)."""
    title = "Příliš žluťoučký kůň"
    body = rss(
        f"<title>{title}</title><description><b>bold</description><guid>1</guid>",
        encoding="cp1250",
    ).replace(b'encoding="cp1250"', label.encode())
    headers = {"Content-Type": "application/rss+xml; charset=iso-8859-2"}
    (a,) = to_articles(parse_feed(body, headers, None, "cp1250"), "S", [], NOW)
    assert a.title == title


def test_fields_are_read_whatever_the_length_of_their_element_names() -> None:
    space = "https://example.org/" + "n" * 300  # a namespace longer than any remembered name
    body = rss(
        f'<t:title xmlns:t="{space}">Long-named title</t:title><guid>1</guid>'
        f'<e:{"x" * 300} xmlns:e="{space}">ignored</e:{"x" * 300}><category>trade</category>'
    )
    atom = (
        f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:t="{space}"><title>F</title>'
        f"<entry><id>1</id><t:title>not the title</t:title><title>Atom title</title>"
        f'<t:{"y" * 300}>ignored</t:{"y" * 300}><category term="k"/></entry></feed>'
    ).encode()
    ((a,), (b,)) = articles(body), articles(atom)
    assert (a.title, a.tags) == ("Long-named title", ["trade"])
    assert (b.title, b.tags) == ("Atom title", ["k"])


def test_links_lose_escape_codes_and_keep_no_raw_spaces() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": ['
        b'{"id": "1", "url": " https://j.org/a\\u001b]0;pwned\\u0007 b\\u001b[2J ", "title": "T"}]}'
    )
    (a,) = articles(body, {"Content-Type": "application/feed+json"})
    assert a.link == "https://j.org/a%20b"


def test_utf8_cut_inside_a_character_under_a_lying_latin1_header() -> None:
    body = '<rss version="2.0"><channel><item><guid>1</guid><title>Café 경주'.encode()[:-2]
    (a,) = articles(body, {"Content-Type": "application/rss+xml; charset=ISO-8859-1"})
    assert a.title == "Café 경"  # the half of 주 that arrived is dropped, nothing else


def test_a_header_saying_utf16_of_a_document_of_one_byte_characters_is_not_believed() -> None:
    """A cp1252 feed saying UTF-8 in its declaration and UTF-16 in its header was read as
    UTF-16, which its bytes happened to decode as, and the feed was lost ("encoding specified
    in XML declaration is incorrect"): a document whose first characters are a byte each is
    no UTF-16."""
    body = rss("<title>Café news</title><guid>1</guid>", encoding="cp1252").replace(
        b'encoding="cp1252"', b'encoding="utf-8"'
    )
    (a,) = articles(body, {"Content-Type": "application/rss+xml; charset=utf-16"})
    assert a.title == "Café news"


def test_windows_1252_labelled_iso_8859_1() -> None:
    body = rss("<title>“Quoted” – dash</title><guid>1</guid>", encoding="windows-1252").replace(
        b'encoding="windows-1252"', b'encoding="ISO-8859-1"'
    )
    (a,) = articles(body)
    assert a.title == "“Quoted” – dash"


def test_bom_and_whitespace_before_xml_declaration() -> None:
    body = b"\xef\xbb\xbf\n  " + rss("<title>BOM ok</title><guid>1</guid>")
    assert [a.title for a in articles(body)] == ["BOM ok"]


def test_malformed_xml_loses_no_text() -> None:
    body = (
        b'<rss version="2.0"><channel><item><title>AT&T wins&nbsp;big</title>'
        b"<link>https://x.org/1</link></item></channel></rss>"
    )
    (a,) = articles(body)
    assert a.title == "AT&T wins big"  # the no-break space shown as a space


def test_truncated_feed_keeps_every_word_that_arrived() -> None:
    body = (
        b'<rss version="2.0"><channel><item><title>AT&T one</title>'
        b"<link>https://x.org/1</link></item><item><guid>2</guid><title>Two words</ti"
    )
    assert [a.title for a in articles(body)] == ["AT&T one", "Two words"]


@pytest.mark.parametrize("cut", [b"<title>Two wo", b"<title>Two</title><guid>p", b"<guid>"])
def test_an_item_cut_before_its_guid_arrived_is_left_for_the_whole_document(cut: bytes) -> None:
    """Known by its link or its words as far as they came, an item cut before its guid is
    another article than the whole one the next poll brings: it is left out, not stored."""
    body = (
        b'<rss version="2.0"><channel><item><guid>1</guid><title>One</title></item>'
        b"<item><link>https://x.org/2</link>" + cut
    )
    assert [a.title for a in articles(body)] == ["One"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (  # cut inside a CDATA section: the markup so far becomes text
            b'<rss version="2.0"><channel><item><title>One</title><guid>1</guid></item>'
            b"<item><guid>2</guid><title>Two</title><description><![CDATA[Para <b>one</b> and",
            [("One", ""), ("Two", "Para one and")],
        ),
        (  # Atom cut inside a title, Hangul intact up to the cut
            '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id><title>x</title>'
            "</entry><entry><id>2</id><title>서울 정상회담".encode(),
            [("x", ""), ("서울 정상회담", "")],
        ),
        (  # cut in the middle of a multi-byte character: the whole characters stay
            '<rss version="2.0"><channel><item><guid>1</guid><title>Café'.encode()[:-1],
            [("Caf", "")],
        ),
    ],
)
def test_truncated_documents_close_where_the_bytes_end(
    body: bytes, expected: list[tuple[str, str]]
) -> None:
    assert [(a.title, a.summary) for a in articles(body)] == expected


def test_entity_bombs_are_refused_and_external_entities_never_read(tmp_path) -> None:
    levels = "".join(f'<!ENTITY e{n} "{f"&e{n - 1};" * 10}">' for n in range(1, 10))
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY e0 "lol">{levels}]>'
        '<rss version="2.0"><channel><item><title>&e9;</title></item></channel></rss>'
    ).encode()
    with pytest.raises(FeedError, match="billion laughs"):
        parse_feed(bomb, {}, None)
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rss version="2.0"><channel><item><title>a &x; b</title><guid>1</guid></item>'
        "</channel></rss>"
    ).encode()
    assert all("SECRET" not in a.title for a in articles(xxe))


def test_a_fault_in_the_middle_is_not_taken_for_a_cut() -> None:
    body = (
        b'<rss version="2.0"><channel><item><title>One</title><guid>1</guid></item>'
        b"<item><title>Two</titel><guid>2</guid></item></channel></rss>"
    )
    with pytest.raises(ET.ParseError):
        close_truncated(body)
    assert "One" in [a.title for a in articles(body)]  # feedparser's turn


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"<!DOCTYPE html><html><head><title>Home</title></head><body></body></html>", "HTML page"),
        (
            b"<!DOCTYPE html><html><head><title>Just a moment...</title></head></html>",
            "bot-challenge",
        ),
        (b"<svg xmlns='http://www.w3.org/2000/svg'></svg>", "not"),
        (b'{"hello": "world"}', "not a JSON Feed"),
    ],
)
def test_non_feeds_are_errors_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_feed(body, {}, None)


def test_identity_and_duplicate_guids_inside_one_feed() -> None:
    body = rss(
        "<title>First</title><guid>same</guid>",
        "<title>Second, different</title><guid>same</guid>",
        "<title>First</title><guid>same</guid>",
        "<title>No guid</title><link>https://x.org/2</link>",
        "<title>Neither</title>",
    )
    items = articles(body)
    assert [a.title for a in items] == ["First", "No guid", "Neither"]
    assert [r["title"] for r in items[0].revisions] == ["Second, different"]
    assert len({a.id for a in items}) == 3
    assert [a.id for a in articles(body)] == [a.id for a in items]  # stable across polls


def test_items_sharing_a_guid_but_linking_elsewhere_are_articles_of_their_own() -> None:
    """A feed giving each item its site's address as its guid: three reports (tariff talks,
    a volcano, an election) were one article, the other two its "earlier versions", their
    links gone and found by no search. Each is known by its link, the guid counted as a
    warning; versions of one article listed together (one link) are still one article."""
    body = rss(
        "<title>Tariff talks in Seoul</title><guid>https://site.example/</guid>"
        "<link>https://site.example/tariff</link>",
        "<title>Volcano erupts in Iceland</title><guid>https://site.example/</guid>"
        "<link>https://site.example/volcano</link>",
        "<title>Election in Peru</title><guid>https://site.example/</guid>"
        "<link>https://site.example/peru</link>",
        "<title>Quake, updated</title><guid>q</guid><link>https://site.example/quake</link>",
        "<title>Quake</title><guid>q</guid><link>https://site.example/quake</link>",
    )
    feed = parse_feed(body, {}, None)
    items = to_articles(feed, "Site", [], NOW)
    assert [a.title for a in items] == [
        "Tariff talks in Seoul",
        "Volcano erupts in Iceland",
        "Election in Peru",
        "Quake, updated",
    ]
    assert [a.link for a in items[:3]] == [
        "https://site.example/tariff",
        "https://site.example/volcano",
        "https://site.example/peru",
    ]
    assert all(not a.revisions for a in items[:3])
    assert [r["title"] for r in items[3].revisions] == ["Quake"]
    assert feed.warnings == 1 and "items sharing a guid" in feed.warning_notes[0]
    again = to_articles(parse_feed(body, {}, None), "Site", [], NOW)
    assert [a.id for a in again] == [a.id for a in items]  # stable across polls


def test_hostile_title_is_plain_text_without_escapes() -> None:
    (a,) = articles(
        rss(
            "<title>[/b][$accent]\x1b[31mRed\x1b[0m [link=x]y[/link]\x07</title>"
            "<guid>1</guid>".replace("\x1b", "&#27;").replace("\x07", "")
        )
    )
    assert a.title == "[/b][$accent]Red [link=x]y[/link]"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 24 Oct 2025 16:05:00 +0900", "2025-10-24T07:05:00+00:00"),
        ("Fri, 24 Oct 2025 16:05:00 KST", "2025-10-24T07:05:00+00:00"),
        ("Fri, 24 Oct 2025 07:05:00 GMT", "2025-10-24T07:05:00+00:00"),
        ("Fri, 24 Oct 2025 03:05:00 EDT", "2025-10-24T07:05:00+00:00"),
        ("Thu, 23 Oct 2025 23:05:00 PST", "2025-10-24T07:05:00+00:00"),
        ("2025-10-24T16:05:00+09:00", "2025-10-24T07:05:00+00:00"),
        ("2025-10-24T07:05:00Z", "2025-10-24T07:05:00+00:00"),
        ("2025-10-24 07:05", "2025-10-24T07:05:00+00:00"),
        ("24 October 2025 16:05 KST", "2025-10-24T07:05:00+00:00"),
    ],
)
def test_feed_dates_to_utc(text: str, expected: str) -> None:
    when = parse_feed_date(text)
    assert when is not None and when.isoformat() == expected


@pytest.mark.parametrize("text", ["", "yesterday-ish", "Fri, 99 Foo 2025", "0000-00-00"])
def test_unreadable_dates_are_null(text: str) -> None:
    assert parse_feed_date(text) is None


def test_rss091_with_netscape_doctype_and_html_entities() -> None:
    body = b"""<?xml version="1.0" encoding="ISO-8859-1"?>
<!DOCTYPE rss PUBLIC "-//Netscape Communications//DTD RSS 0.91//EN"
 "http://my.netscape.com/publish/formats/rss-0.91.dtd">
<rss version="0.91"><channel><title>Old wire</title><link>https://old.example/</link>
<language>en-us</language>
<item><title>Caf\xe9&nbsp;talks &eacute;nd</title><link>https://old.example/1</link>
<description>First &amp; only</description></item>
<item><title>Second</title><link>https://old.example/2</link></item>
</channel></rss>"""
    first, second = articles(body)
    assert first.title == "Caf\u00e9 talks \u00e9nd"
    assert first.summary == "First & only" and first.lang == "en"
    assert (second.title, second.link) == ("Second", "https://old.example/2")
    assert first.id != second.id  # no guid: identity from the link


def test_rss092_items_without_title_use_their_description() -> None:
    body = b"""<rss version="0.92"><channel><title>t</title>
<item><description>&lt;b&gt;Gyeongju&lt;/b&gt; prepares for APEC. More later.</description>
<source url="https://x.example/rss">X</source><enclosure url="https://x.example/a.mp3"
 length="1" type="audio/mpeg"/></item></channel></rss>"""
    (a,) = articles(body)
    assert a.title == "Gyeongju prepares for APEC. More later."
    assert a.link is None and a.id


def test_atom03_with_escaped_and_xml_modes() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#" xml:lang="ko">
<title>Atom 0.3</title><link rel="alternate" type="text/html" href="https://a03.example/"/>
<entry><title mode="escaped" type="text/html">
&lt;i&gt;\xed\x95\x9c\xeb\xaf\xb8&lt;/i&gt; summit</title>
<link rel="alternate" type="text/html" href="https://a03.example/1"/>
<id>tag:a03.example,2025:1</id><issued>2025-10-24T09:00:00+09:00</issued>
<modified>2025-10-24T10:00:00+09:00</modified>
<content type="application/xhtml+xml" mode="xml"><div xmlns="http://www.w3.org/1999/xhtml">
<p>One</p><p>Two</p></div></content></entry></feed>"""
    (a,) = articles(body)
    assert a.title == "\ud55c\ubbf8 summit"
    assert a.link == "https://a03.example/1"
    assert a.published == datetime(2025, 10, 24, 0, tzinfo=UTC)
    assert a.text == "One\n\nTwo" and a.lang == "ko"


def test_double_escaped_title_and_cdata_description() -> None:
    (a,) = articles(
        rss(
            "<title>Lee &amp;quot;hopeful&amp;quot; &amp;lt;3</title>"
            "<description><![CDATA[<p>\u0645\u0631\u062d\u0628\u0627 &amp; "
            "\U0001f4f0</p><script>x()</script>]]></description>"
        )
    )
    assert a.title == 'Lee "hopeful" <3'
    assert a.summary == "\u0645\u0631\u062d\u0628\u0627 & \U0001f4f0"


# ---------------------------------------------------------------- links read without parsing

_LINK_PIECES = st.sampled_from(
    [
        "http://", "https://", "HTTP://", "ftp://", "//", "/", "a", "b.example", "?", "#",
        ";", ":", ":80", "@", "%", "%2F", "..", ".", "x=1", "&", " ", "\t", "\n", "[", "]",
        "é", "~", "'", "(", "=", "-", "\x00",
    ]
)  # fmt: skip
_BASES = st.sampled_from(
    [None, "", "http://a/b/c", "https://example.org/feed.xml", "ftp://f/", "http://a/b;p?q#f"]
)


@settings(max_examples=3000, deadline=None)
@given(link=st.lists(_LINK_PIECES, min_size=1, max_size=10).map("".join), base=_BASES)
def test_a_link_is_resolved_as_urljoin_resolves_it(link: str, base: str | None) -> None:
    try:
        expected = urljoin(base or "", link)
    except ValueError:  # a link that cannot be read: none, and its item goes on
        assert resolve(base, link) is None
        return
    assert resolve(base, link) == expected


def test_absolute_links_are_taken_as_written_without_parsing_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A feed's absolute http(s) links (nearly every feed's) come out as written, and a
    relative one is still resolved against the feed's address."""
    from fetchers import feeds

    joined: list[str] = []

    def counted(base: str, link: str) -> str:
        joined.append(link)
        return urljoin(base, link)

    monkeypatch.setattr(feeds, "urljoin", counted)
    links = [f"https://news.example.com/2025/10/24/story-{n}?ref=rss#top" for n in range(20)]
    body = rss(*(f"<title>Story {n}</title><link>{link}</link>" for n, link in enumerate(links)))
    found = articles(body, base="https://news.example.com/feed.xml")
    assert [a.link for a in found] == links
    assert joined == []
    (relative,) = articles(rss("<title>One</title><link>/a/1</link>"), base="https://x.org/f")
    assert relative.link == "https://x.org/a/1" and joined == ["/a/1"]


@pytest.mark.parametrize(
    ("link", "known_by"),
    [
        ("http://x.test/a?utm_source=rss&id=3", "http://x.test/a?id=3"),
        ("http://x.test/a?utm_source=rss&utm_medium=feed", "http://x.test/a"),
        ("http://x.test/a?gclid=1&q=a%20b#part", "http://x.test/a?q=a%20b#part"),
        ("http://x.test/a?utmost=1&UTM_Term=x", "http://x.test/a?utmost=1"),
        ("http://x.test/a?MSCLKID=9&p=1&Mc_Cid=2", "http://x.test/a?p=1"),
        ("http://x.test/a?id=3&id=3", "http://x.test/a?id=3&id=3"),  # as written
        ("http://x.test/utm_source=1", "http://x.test/utm_source=1"),  # a path, no query
    ],
)
def test_an_article_link_is_known_by_all_but_its_tracking_parameters(
    link: str, known_by: str
) -> None:
    assert untracked(link) == known_by


def test_items_without_guids_sharing_a_link_but_its_tracking_parameters_are_one_article() -> None:
    """A link stamped with tracking parameters identifies the same item as without them; an
    item with a guid of its own keeps it, whatever its link."""
    body = rss(
        "<title>One</title><link>http://x.test/a?utm_source=rss</link>",
        "<title>One</title><link>http://x.test/a</link>",
        "<title>Two</title><link>http://x.test/b?utm_source=rss</link><guid>g2</guid>",
        "<title>Two</title><link>http://x.test/b</link><guid>g3</guid>",
    )
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    articles = to_articles(parse_feed(body, None, None), "S", [], fetched)
    assert [a.title for a in articles] == ["One", "Two", "Two"]


def test_an_item_shown_by_its_link_is_shown_without_its_tracking_parameters() -> None:
    """An item with nothing readable but its link is listed under it: stamped with the
    day's campaign, its title changed at each fetch, a revision a poll."""
    body = rss("<link>http://x.test/a?id=3&amp;utm_campaign=monday</link>")
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    (article,) = to_articles(parse_feed(body, None, None), "S", [], fetched)
    assert article.title == article.link == "http://x.test/a?id=3"


def test_items_without_a_guid_that_share_a_link_have_ids_of_their_words_wherever_listed() -> None:
    """Items without a guid that share a link are known by their link and their words, in any
    order (the first listed took the link's id: a new item listed above it took it over); an
    item with a guid, or alone at its link, keeps the id it always had."""
    home = "<link>http://example.com/home</link>"
    items = [f"<title>Story A</title>{home}", f"<title>Story B</title>{home}"]
    alone = "<title>Talks</title><link>http://example.com/talks?utm_source=rss</link>"
    guided = f"<title>Update</title><guid>u1</guid>{home}"
    first, second = (articles(rss(*listed, alone, guided)) for listed in (items, items[::-1]))
    ids = {a.title: a.id for a in first}
    assert {a.title: a.id for a in second} == ids
    assert ids["Talks"] == article_id("S", None, "http://example.com/talks", "", "")
    assert ids["Update"] == article_id("S", "u1", None, "", "")
    home_id = article_id("S", None, "http://example.com/home", "", "")
    assert home_id not in (ids["Story A"], ids["Story B"])
    assert [a.title for a in first if a.shares_link] == ["Story A", "Story B"]
    # one listed alone later, told by its words (its link stored articles share), takes the
    # id it had beside the others: content alone (its summary made of it) and a link with
    # a space (written out) alike
    home = "<link>http://example.com/home page</link>"
    body = "<content:encoded><![CDATA[<p>The talks resume on Monday.</p>]]></content:encoded>"
    together = articles(rss(f"<title>Story C</title>{home}{body}", f"<title>Story D</title>{home}"))
    (lone,) = articles(rss(f"<title>Story C</title>{home}{body}"))
    assert not lone.shares_link and lone.id != together[0].id
    told_by_words(lone)
    assert lone.id == together[0].id and lone.shares_link


@pytest.mark.parametrize(
    ("item", "cut_guid", "left_out"),
    [
        ("<guid>x</guid><guid>y</guid><title>Half a head", "y", False),  # the last, as read
        ("<guid></guid><title>Half a head", None, True),  # an empty guid names nothing
        ("<id>x</id><title>Half a head", None, True),  # an RSS item's id is not its guid
    ],
)
def test_the_item_a_cut_fell_in_is_named_as_the_reader_names_it(
    item: str, cut_guid: str | None, left_out: bool
) -> None:
    """The guid a cut item was told by was its first (the reader keeps an RSS item's last),
    an empty one counted as a name (the article is then its link's), and an RSS `<id>` as
    a guid: the cut item's half headline could revise a stored article."""
    whole = rss("<title>Whole</title><guid>w</guid>", item + " and the rest</title>")
    feed = parse_feed(whole[: whole.index(b" and the rest")], None, None)
    assert feed.cut_guid == cut_guid
    assert ("item cut before its guid left out" in feed.warning_notes) == left_out


def test_an_items_tags_are_told_apart_once_and_kept_to_a_hundred() -> None:
    """Thousands of categories on one item were told apart pairwise (40,000: 7 s a poll, past
    the parse deadline near 90,000) and all kept in every index: the source's tags first,
    then the item's, each once, a hundred at most, the rest counted among the warnings."""
    categories = "".join(f"<category>c{n % 150}</category>" for n in range(3000))
    feed = parse_feed(rss(f"<title>T</title><guid>1</guid>{categories}"), None, None)
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    (article,) = to_articles(feed, "S", ["korea", "c0"], fetched)
    assert article.tags[:3] == ["korea", "c0", "c1"] and len(article.tags) == 100
    assert len(set(article.tags)) == 100
    assert any("tags beyond 100 left out" in note for note in feed.warning_notes)


def test_a_tag_written_again_in_another_case_is_kept_once_as_first_written() -> None:
    """A source tagged "korea" whose item's category says "Korea" listed both in `--json`'s
    tags, though `tag:` finds them as one tag."""
    categories = "<category>Korea</category><category>Trade</category><category>TRADE</category>"
    feed = parse_feed(rss(f"<title>T</title><guid>1</guid>{categories}"), None, None)
    fetched = datetime(2025, 10, 24, tzinfo=UTC)
    (article,) = to_articles(feed, "S", ["korea"], fetched)
    assert article.tags == ["korea", "Trade"]


def test_one_document_of_many_versions_of_an_item_keeps_the_revisions_within_their_caps() -> None:
    """Two hundred versions of one guid in one document, each with a long summary, were all
    kept as the new article's revisions (8.9 M characters, one article's shard 8.9 MB): the
    caps held only for a revision at a later poll."""
    from fetchers.models import MAX_REVISIONS, REVISION_CHARS

    items = [
        f"<title>Version {n}</title><guid>big</guid><description>{n} {'word ' * 4000}"
        f"</description><pubDate>Fri, 24 Oct 2025 {n // 60:02d}:{n % 60:02d}:00 GMT</pubDate>"
        for n in range(200)
    ]
    (article,) = articles(rss(*items))
    assert article.title == "Version 199"
    kept = article.revisions
    assert 1 <= len(kept) <= MAX_REVISIONS
    assert sum(len(r["title"]) + len(r["summary"]) for r in kept) <= REVISION_CHARS
    assert kept[-1]["title"] == "Version 198"


ITEMS = b"".join(b"<item><title>T%d</title><guid>g%d</guid></item>" % (n, n) for n in range(3))


@pytest.mark.parametrize(
    "nested",
    [
        b"<x>" * 650_000 + b"&&<",  # malformed: every parse and the repair kept each level
        b"<x>" * 300_000 + b"</x>" * 300_000,  # well-formed, as deep
    ],
)
def test_a_document_nested_hundreds_of_thousands_deep_is_refused_at_once(nested: bytes) -> None:
    """650,000 levels of nesting in 2 MB took 800 MB and 13 s to parse (three parses kept
    about 600 bytes a level), and 15 MB of them outgrew memory before any deadline: such a
    document is refused before it is parsed."""
    import tracemalloc

    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>c</title>'
    body += nested + ITEMS + b"</channel></rss>"
    tracemalloc.start()
    try:
        with pytest.raises(FeedError, match=r"refused: its elements nest about \d{3},\d{3} deep"):
            parse_feed(body, {}, None)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 10 * len(body)  # (parsed, each level kept hundreds of bytes)


def test_html_in_cdata_and_a_broken_feeds_open_tags_are_no_nesting() -> None:
    """What CDATA sections hold is not markup: a feed of 20,000 items whose summaries carry
    <br> tags in CDATA, broken by a stray ampersand (repaired), reads whole."""
    items = b"".join(
        b"<item><title>T%d</title><guid>g%d</guid><description><![CDATA[a<br>b<br>c<br>"
        b"]]></description></item>" % (n, n)
        for n in range(20_000)
    )
    body = b'<?xml version="1.0"?><rss version="2.0"><channel><title>c & d</title>'
    body += items + b"</channel></rss>"
    assert len(parse_feed(body, {}, None).items) == 20_000


# (headline, summary) of items whose feed declares no language -> the language they are given
TOLD = [
    ("한미 관세 협상 타결", "양국은 경주에서 열린 정상회담에서 합의했다."),
    ("安倍元首相 奈良市で演説中に銃で撃たれる", "8日午前11時半ごろ、奈良市で演説中に撃たれた。"),
    ("习近平会见美国总统", ""),
    ("Зеленський провів переговори з президентом Франції", ""),
    ("Путин провел переговоры с премьером", "Песков заявил, что встреча была долгой."),
    ("Malatya'da 5,6 büyüklüğünde deprem", "AFAD, ekiplerin bölgeye gönderildiğini açıkladı."),
    ("Premier powiedział, że rząd przyjmie ustawę", ""),
    ("Gempa guncang Cianjur dengan kekuatan yang besar", ""),
    ("Le Louvre visé par un vol de bijoux, une enquête ouverte", ""),
    ("El Congreso inviste a Sánchez con 179 votos y los apoyos de sus socios", ""),
    ("Conte si è dimesso, da domani le consultazioni al Quirinale", ""),
    ("Lula é eleito presidente pela terceira vez e derrota Bolsonaro", ""),
    ("Anschlag in Magdeburg: Die Polizei geht von einem Anschlag aus", ""),
    ("Het kabinet-Rutte is gevallen, de premier biedt zijn ontslag aan", ""),
    ("Yoon declares martial law", "The president declared it in a late-night address."),
]
TOLD_AS = ["ko", "ja", "zh", "uk", "ru", "tr", "pl", "id", "fr", "es", "it", "pt", "de", "nl", "en"]
# texts that say no language clearly: a short headline, a run of Chinese characters that is
# Japanese as often, Cyrillic of another language, Latin letters of another language, a
# headline made of an address
UNTOLD = [
    ("Apple", ""),
    ("Paris 2024", ""),
    ("Breaking news", ""),
    ("日経平均続落", ""),
    ("Правителството прие бюджета за следващата година", ""),
    ("Vláda schválila rozpočet na příští rok", "Ministr financí řekl, že schodek se sníží."),
    ("https://example.org/the-state-of-the-union-and-the-world", ""),
]


def test_an_item_of_a_feed_declaring_no_language_is_given_the_one_its_words_say() -> None:
    """An article whose feed and item declare no language had none, and `lang:ko` found
    nothing of a Korean feed that said nothing of itself; its text says it, and only a
    text that says it clearly gives one (a wrong language would hide it from `lang:`)."""
    items = [
        f"<title>{title}</title><description>{summary}</description><guid>{n}</guid>"
        for n, (title, summary) in enumerate(TOLD + UNTOLD)
    ]
    found = [a.lang for a in articles(rss(*items))]
    assert found == TOLD_AS + [None] * len(UNTOLD)


def test_a_declared_language_wins_over_the_one_the_words_say() -> None:
    """The feed's <language>, an Atom entry's xml:lang and a JSON Feed's language stay the
    article's, whatever its words look like; only an undeclared one is told from them."""
    korean = "<title>한미 관세 협상 타결</title><description>양국은 합의했다.</description>"
    body = rss(korean + "<guid>1</guid>")
    body = body.replace(b"<channel>", b"<channel><language>en-US</language>")
    assert [a.lang for a in articles(body)] == ["en"]
    atom = (
        '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom" xml:lang="ja">'
        "<title>A</title><entry><id>1</id><title>The talks end with a deal</title>"
        "<summary>The two sides agreed on the tariff of the year.</summary></entry>"
        '<entry xml:lang="de"><id>2</id><title>한미 관세 협상 타결</title></entry>'
        "</feed>"
    ).encode()
    assert [a.lang for a in articles(atom)] == ["ja", "de"]
    items = [
        {"id": "1", "title": "한미 관세 협상 타결", "content_text": "x", "language": "fr"},
        {"id": "2", "title": "한미 관세 협상 타결", "content_text": "양국은 합의했다."},
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": items})
    assert [a.lang for a in articles(body.encode(), {"content-type": "application/feed+json"})] == [
        "fr",
        "ko",
    ]


def test_a_phrase_across_a_plain_description_s_wrap_is_found_and_alerts(
    tmp_path: Path, feed_server: FeedServer, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two items of one feed with the same wrapped sentence, the first plain and the other
    with a <b>: `list '"would raise"'` found the second alone, the alert rule fired for it
    alone, and `show` printed the first a paragraph a line."""
    first = f"<title>Bank to raise rates</title><guid>r1</guid><description>{WRAPPED}</description>"
    third = (
        "<title>Bank signals a hike</title><guid>r3</guid>"
        f"<description>{WRAPPED.replace('Friday', '&lt;b&gt;Friday&lt;/b&gt;')}</description>"
    )
    earlier = "<title>Markets open</title><guid>r0</guid>"
    rates = alerted_feed(
        tmp_path,
        feed_server,
        "/rates.xml",
        [earlier],
        source='name = "Rates"',
        alert='name = "Hikes"\nquery = \'"would raise"\'',
    )
    common = rates.options
    rates.serve(earlier, first, third)
    assert main([*common, "refresh"]) == 0
    capsys.readouterr()
    assert main([*common, "list", '"would raise"', "--json"]) == 0
    found = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted(a["title"] for a in found) == ["Bank signals a hike", "Bank to raise rates"]
    assert {a["summary"] for a in found} == {ONE_PARAGRAPH}
    fired = rates.alerts_fired(capsys)
    assert sorted(entry["title"] for entry in fired) == [
        "Bank signals a hike",
        "Bank to raise rates",
    ]
    (plain,) = [a for a in found if a["title"] == "Bank to raise rates"]
    assert main([*common, "show", plain["id"]]) == 0
    assert ONE_PARAGRAPH in capsys.readouterr().out
