"""Guessing the charset of Latin and Cyrillic text that names none, or names UTF-8 wrongly."""

from __future__ import annotations

import pytest

from fetchers.charset import decode
from fetchers.extract import extract_article
from tests.conftest import rss

# Ordinary sentences of each language, and the ISO and Windows charsets it is written in.
SENTENCES = {
    "pl": (
        "Rada miasta zdecydowała w środę, że żaden nowy przystanek nie powstanie przed "
        "jesienią. Mieszkańcy Łodzi narzekają na hałas, a właściciele sklepów proszą o "
        "dłuższe godziny otwarcia. Źródła w urzędzie mówią o opóźnieniach dostaw.",
        ("iso-8859-2", "cp1250"),
    ),
    "cs": (
        "Vláda ve středu oznámila, že žádná nová nemocnice nebude otevřena před zimou. "
        "Lékaři si stěžují na nedostatek sester a pacienti čekají týdny na vyšetření. "
        "Šéf úřadu řekl, že peníze přijdou až v příštím roce.",
        ("iso-8859-2", "cp1250"),
    ),
    "hu": (
        "A kormány szerdán bejelentette, hogy a főváros új hídja csak jövő ősszel készül "
        "el. A lakók elégedetlenek a forgalommal, és sok üzlettulajdonos fél a bevételek "
        "csökkenésétől. Az építők szerint a késés oka a rossz időjárás.",
        ("iso-8859-2", "cp1250"),
    ),
    "sk": (
        "Mestské zastupiteľstvo v piatok rozhodlo, že nová škola sa otvorí až na jeseň. "
        "Rodičia sa sťažujú na dlhú cestu autobusom a učitelia žiadajú vyššie platy. "
        "Starosta povedal, že ľudia sa dočkajú lepších podmienok.",
        ("iso-8859-2", "cp1250"),
    ),
    "hr": (
        "Gradsko vijeće u četvrtak je odlučilo da će se nova knjižnica otvoriti tek "
        "sljedeće godine. Građani se žale na buku s gradilišta, a vlasnici trgovina "
        "traže duže radno vrijeme. Načelnik je rekao da novca ima dovoljno.",
        ("iso-8859-2", "cp1250"),
    ),
    "de": (
        "Der Stadtrat hat am Mittwoch beschlossen, dass die neue Brücke erst im Frühjahr "
        "fertig wird. Anwohner beklagen sich über den Lärm, und viele Geschäfte fürchten "
        "um ihre Umsätze. Der Bürgermeister äußerte sich zuversichtlich.",
        ("iso-8859-15", "cp1252"),
    ),
    "fr": (
        "Le conseil municipal a décidé mercredi que la nouvelle école n'ouvrira qu'à "
        "l'automne. Les parents se plaignent du trajet, et les enseignants réclament "
        "des salaires plus élevés. Le maire a déclaré être très optimiste pour l'année.",
        ("iso-8859-15", "cp1252"),
    ),
    "ru": (
        "Городской совет в среду решил, что новая больница откроется только следующей "
        "осенью. Жители жалуются на шум со стройки, а владельцы магазинов просят "
        "продлить часы работы. Мэр заявил, что денег хватит на всё.",
        ("koi8-r", "cp1251"),
    ),
    "lt": (
        "Miesto taryba trečiadienį nusprendė, kad nauja mokykla bus atidaryta tik rudenį. "
        "Gyventojai skundžiasi triukšmu, o parduotuvių savininkai prašo ilgesnių darbo "
        "valandų. Meras sakė, kad pinigų užteks visiems darbams.",
        ("iso-8859-13", "cp1257"),
    ),
}
CASES = [
    pytest.param(lang, text, encoding, id=f"{lang}-{encoding}")
    for lang, (text, encodings) in SENTENCES.items()
    for encoding in encodings
]


def _page(lang: str, text: str) -> str:
    paragraphs = "".join(f"<p>{s}</p>" for s in text.split(". "))
    return (
        f"<!DOCTYPE html><html lang='{lang}'><head><title>News</title></head>"
        f"<body><article><h1>News</h1>{paragraphs}</article></body></html>"
    )


@pytest.mark.parametrize(("lang", "text", "encoding"), CASES)
@pytest.mark.parametrize("header", ["text/html", "text/html; charset=utf-8"])
def test_a_page_naming_no_charset_or_a_wrong_utf8_reads_in_its_own(
    lang: str, text: str, encoding: str, header: str
) -> None:
    """Polish in ISO-8859-2 read as ISO-8859-10 ("ŋe ŋaden"), Czech as cp1250 ("ľe
    ľádný"): each language in its ISO and Windows charset, naming none or UTF-8, reads as
    written."""
    page = _page(lang, text).encode(encoding)
    read, _ = decode(page, header)
    assert text.split(". ")[0] in read
    got = extract_article(page, header, f"https://{lang}.example/news").text
    for sentence in text.split(". "):
        assert sentence.rstrip(".") in got


@pytest.mark.parametrize(("lang", "text", "encoding"), CASES)
def test_a_feed_naming_no_charset_reads_in_its_own(lang: str, text: str, encoding: str) -> None:
    first, second = text.split(". ")[:2]
    items = f"<title>{first}</title><description>{second}</description><guid>1</guid>"
    body = rss(items, encoding=encoding).replace(f' encoding="{encoding}"'.encode(), b"")
    read, _ = decode(body, "application/rss+xml")
    assert first in read and second in read


@pytest.mark.parametrize(("lang", "text", "encoding"), CASES)
def test_utf8_and_a_declared_charset_are_read_as_they_are(
    lang: str, text: str, encoding: str
) -> None:
    """The guessing is for bodies that name nothing that reads them: UTF-8 is UTF-8, and a
    charset a page names and that reads it is the one used."""
    assert decode(_page(lang, text).encode("utf-8"), "text/html") == (_page(lang, text), "utf-8")
    named = _page(lang, text).encode(encoding)
    read, used = decode(named, f"text/html; charset={encoding}")
    assert (read, used) == (_page(lang, text), decode(b"\xff", f"x; charset={encoding}")[1])


@pytest.mark.parametrize(
    ("title", "encoding"),
    [("Łódź: negocjacje w sprawie ceł", "iso-8859-2"), ("Городской совет в среду", "koi8-r")],
    ids=["pl", "ru"],
)
def test_a_short_title_is_not_read_as_pairs_of_another_script(title: str, encoding: str) -> None:
    """A short feed naming no charset came out in another: Polish as "ŁódĽ" (and a page of
    that line alone as Shift JIS, "ceｳ"), Russian in KOI8-R as half-width katakana."""
    body = rss(f"<title>{title}</title><guid>1</guid>", encoding=encoding)
    body = body.replace(f' encoding="{encoding}"'.encode(), b"")
    read, _ = decode(body, "application/rss+xml")
    assert f"<title>{title}</title>" in read


def test_a_page_with_a_long_run_without_spaces_is_read() -> None:
    """A page naming no charset with an inline image (300 KB of base64, no space in it):
    the words the guess is made by were looked for from every byte of the run, and the
    decode held the poll and the dashboard for the square of its length (hours)."""
    text = "Zażółć gęślą jaźń: rada miasta zebrała się w środę"
    image = "<img src='data:image/png;base64," + "QUJD" * 75_000 + "'>"
    body = f"<html><body><p>{text}</p>{image}<p>{text}</p></body></html>".encode("iso-8859-2")
    read, _ = decode(body, "text/html")
    assert read.count(text) == 2


def test_a_shell_page_raised_in_the_parser_process_comes_back_whole() -> None:
    """A page source's shell (a redirect's notice) is raised in the parser process: an
    exception that could not be made again from its pickle broke the process pool for
    good, and every source was parsed in threads after."""
    import pickle

    from fetchers.extracterror import ShellPage

    raised = ShellPage(
        "the page only redirects to https://news.example/a", ("https://news.example/a",)
    )
    again = pickle.loads(pickle.dumps(raised))
    assert isinstance(again, ShellPage)
    assert str(again) == str(raised) and again.leads == raised.leads
