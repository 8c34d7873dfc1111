"""The main text of an article page, without navigation, related links or "Most Commented".

Three extractors read the page: trafilatura, readability-lxml and wirewatch's own density
extractor. The page is cut into text blocks, each extractor's answer is mapped onto them, and
a block is the article when two of the three keep it. When the libraries find nothing the
density extractor's article stands, and when the vote keeps nothing the longest answer does, so
a page with an article never comes back empty. A page whose script writes its article in
(its HTML says "Loading…") gives the article its JSON-LD carries; a page whose text is only a
redirect's or a script shell's notice is no article (`ShellPage`, naming where the article
may be: `extractors.shells`), and the rest of the article
a page hides until a reader asks for it ("Continue reading") is put back (`with_hidden_rest`).
Boxes a site repeats on its other articles are dropped as furniture (the reporting it repeats
stays), and so are a layout table's menu cell beside the article's cell and a line of
text-size controls. The page's bytes are decoded here too, since a page carries its charset in
places a feed does not.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from fetchers.charset import (
    codec_for,
    declared_reading,
    decode,
    header_charset,
    strip_xml_declaration,
)
from fetchers.extracterror import ExtractError, ShellPage
from fetchers.extractors.blocks import Block, segment, words
from fetchers.extractors.boxes import drop_named_boxes
from fetchers.extractors.density import densest, density_shares
from fetchers.extractors.libraries import grid_too_large, readability_text, trafilatura_text
from fetchers.extractors.metadata import headline_in, read_metadata, same_headline
from fetchers.extractors.repeats import drop_repeats
from fetchers.extractors.rest import with_hidden_rest
from fetchers.extractors.shells import is_notice, leads, read_signs, shell_reason
from fetchers.extractors.sitewide import (
    MAX_SHARE_REMOVED,
    MEMORY,
    Piece,
    fingerprint,
    furniture,
)
from fetchers.extractors.vote import (
    Verdict,
    agree,
    block_words,
    complete_runs,
    shares_from_text,
)
from fetchers.text import TEXT_LIMIT, article_text, strip_controls

# Lines that pages put between or after paragraphs and that are never the article.
_NOISE_LINE = re.compile(
    r"^(read more|related( articles| stories| news)?|most (commented|viewed|read|popular|shared)"
    r"|advertisement|share( this)?( article)?|subscribe|sign up.*newsletter.*|click here.*"
    r"|more from .*|top stories|trending( now)?|you (may|might) also like|recommended"
    r"|(related|more) (links|coverage|content))\s*[:»>]*$",
    re.I,
)
_READ_MORE_PREFIX = re.compile(r"^(read more|also read|related)\s*[:»>-]\s*", re.I)
# A strip of reading controls: a text-size label (Korean, Japanese, Chinese and English sites
# put one above the article) followed by a few more controls or a dateline.
_SIZE_CONTROLS = re.compile(
    r"^(글자\s*크기|글씨\s*크기|文字サイズ|文字の大きさ|字号|字體大小|字体大小|(font|text) size)"
    r"(?!\S)",
    re.I,
)
CONTROL_WORDS = 16  # a longer line that starts with a size label is the article's own
# A strip of sharing and reading controls, word for word ("Share: Facebook Twitter Email
# Print"): a line made of these alone, two or more, is no sentence of an article
_CONTROL_WORDS = frozenset(
    {
        "share", "shares", "sharing", "facebook", "twitter", "x", "email", "e-mail", "mail",
        "print", "linkedin", "whatsapp", "telegram", "reddit", "pinterest", "tumblr", "copy",
        "link", "url", "flipboard", "line", "kakao", "kakaotalk", "naver", "band", "comment",
        "comments", "save", "bookmark", "font", "size", "text", "공유", "공유하기", "페이스북",
        "트위터", "카카오톡", "카카오스토리", "밴드", "네이버", "이메일", "메일", "인쇄",
        "프린트", "링크", "링크복사", "복사", "스크랩", "글자크기", "글자", "크기", "댓글",
        "シェア", "ツイート", "印刷", "分享", "微博", "微信", "打印",
    }
)  # fmt: skip
_CONTROL_TOKEN = re.compile(r"[\w-]+")
_SHARE_PROMPT = re.compile(
    r"^\s*(?:share|e-?mail|print|send)\s+(?:this|the)\s+(?:article|story|page|post)\s*[:»>-]?",
    re.I,
)
# A line that says who owns the page's words ("© 2026 The Herald. All rights reserved.",
# "<저작권자 ⓒ 연합뉴스, 무단 전재-재배포 금지>"): the site's, not the article's
_RIGHTS_LINE = re.compile(
    r"^[<(\[]?\s*(?:©|ⓒ|\(c\)\s*\d{4}|copyright\s*(?:©|ⓒ|\(c\)|\d{4}|by\b)|저작권자)"
    r"|all rights reserved\.?[>)\]]?$"
    r"|무단\s*전재.{0,40}금지[>)\]]?$",
    re.I,
)
RIGHTS_WORDS = 25  # a longer line that starts with "Copyright" is the article's own
MAX_LINK_SHARE = 0.5  # a block more of whose words are links' is links, not prose
MENU_LINES = 3  # lines of links, one under another, that make a cell a menu
ARTICLE_LINE_WORDS = 10  # words of a kept line that make its cell the article's
# A charset declared anywhere in the head (the decoder itself looks at the first 2 KB).
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([A-Za-z0-9._:-]+)", re.I)
HEAD_BYTES = 65536
MAX_STRAY_BYTES = 8  # invalid sequences a page declared UTF-8 may have and still be UTF-8
_CELLS = frozenset(("td", "th"))
# Characters no text page is made of: replaced undecodable bytes and control codes.
_BINARY = re.compile(r"[\ufffd\x00-\x08\x0e-\x1f]")
_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1f]")


@dataclass(slots=True)
class Page:
    """An extracted article page. Fields other than title and text are None when the page
    does not state them."""

    title: str
    text: str
    lang: str | None = None
    byline: str | None = None
    published: datetime | None = None  # UTC
    # where more of a text too short for an article may be: its AMP or canonical copy
    copies: tuple[str, ...] = ()


# A page's tags read at most: an article page has a few thousand (a long one 20,000; a table
# of election results 100,000), and each costs one to two kilobytes as the extractors hold it:
# a page of a million-odd empty <span>s under the size limit took 2 GB and half a minute, and
# one of 200,000 tags takes 240-370 MB (four pages are read at once). What follows the limit
# is left out, and the text says so at its end (`CUT_NOTE`) when text was among it.
MAX_TAGS = 120_000
# a page's paragraphs past which trafilatura is not asked: its time grows with their square
# (16,000 took 8 s against readability's 0.6 s; 33,000, 48-82 s); readability and the
# density extractor still vote. An article has tens, a long live blog hundreds.
TRAFILATURA_PARAGRAPHS = 2_000
CUT_NOTE = "[… the page continues: wirewatch reads its first {:,} tags]"
# what an article page is served as; anything else (a JSON error, a PDF) is no page unless its
# bytes are plainly one (a server that labels every answer text/plain)
_PAGE_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_PAGE_MARKS = (b"<!doctype html", b"<html", b"<body")


def extract_article(
    body: bytes, content_type: str | None, url: str | None, previous: str | None = None
) -> Page:
    """Main text, headline, byline, publication time and language of an HTML page given as
    bytes (any charset). ExtractError for a body that is no page (`_PAGE_TYPES`).

    `previous`: the text kept of this page before, which comes back as it is when the
    article says the same but for blocks learnt as the site's furniture (`same_article`): the
    memory of furniture grows as a process reads a site's pages, so the same page read again
    can lose a block it kept before, and that is no new version of its text."""
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind and kind not in _PAGE_TYPES and not _looks_like_page(body):
        raise ExtractError(f"not a web page ({kind})")
    if not kind and not _looks_like_page(body):
        sniffed = _sniffed(body)
        if sniffed is not None:  # (a file given to `extract`: it printed a feed's raw text)
            raise ExtractError(f"the file is not an HTML page ({sniffed})")
    kept = _first_tags(body)
    cut, body = len(kept) < len(body) and _text_from(body, len(kept)), kept
    if b"<" not in body[:HEAD_BYTES] and _BINARY_BYTES.search(body, 0, 4096):
        # no tag, and bytes no text has: a few such bytes read as UTF-16 are letters
        raise ExtractError("the file is not an HTML page (binary data)")
    markup = decode_page(body, content_type)
    tree = parse(markup)
    meta = read_metadata(tree)
    hidden: list[tuple[int, HtmlElement]] = []
    blocks = segment(tree, hidden)
    text = ""
    if blocks:
        keep = drop_named_boxes(blocks, _whole_tables(blocks, choose_blocks(blocks, tree, url)))
        blocks, keep = with_hidden_rest(blocks, keep, hidden)
        keep = drop_repeats(blocks, keep)
        if url:
            keep = _drop_site_furniture(blocks, keep, url)
        text = render(blocks, keep)
    if meta.body and 2 * len(words(text)) < len(words(meta.body)):
        # a page whose script writes its article in ("Loading…") carries it in its JSON-LD
        # (whole, or it would not have parsed)
        text, cut = meta.body, False
    copies: tuple[str, ...] = ()
    if is_notice(text):  # (an empty text too)
        signs = read_signs(tree, url)
        reason = shell_reason(text, signs)
        if reason is not None or (not text and (signs.redirect or signs.copies)):
            raise ShellPage(reason or "no article text found on the page", leads(signs))
        copies = signs.copies
    if not text:
        raise ExtractError("no article text found on the page")
    first, _, rest = text.partition("\n\n")
    if meta.title and (same_headline(first, meta.title) or headline_in(first, meta.title)) and rest:
        text = rest  # the headline is shown apart from the text
    if cut:
        text = _fit_note(text, CUT_NOTE.format(MAX_TAGS))
    if previous is not None and url and same_article(previous, text, url):
        text = previous
    return Page(
        title=meta.title,
        text=text,
        lang=meta.lang,
        byline=meta.byline,
        published=meta.published,
        copies=copies,
    )


def declares_charset(body: bytes, content_type: str | None) -> bool:
    """Whether a page names a charset it can be held to: in its header, or a <meta> of its
    head, one in which not every run of bytes reads (UTF-8, or a charset of characters of
    several bytes). A page naming Latin-1 or another charset of one byte a character says
    nothing of its bytes, which any such charset reads: a Korean page that named
    ISO-8859-1 came out as Latin letters under a source of EUC-KR."""
    meta = _META_CHARSET.search(body[:HEAD_BYTES])
    labels = [
        header_charset(content_type),
        meta.group(1).decode("ascii", "replace") if meta else None,
    ]
    return any(label and not _one_byte(label) for label in labels)


@functools.lru_cache(maxsize=64)
def _one_byte(label: str) -> bool:
    """Whether a charset reads every byte as one character (Latin-1, windows-1250, KOI8-R)."""
    codec = codec_for(label)
    if codec is None:
        return False
    if codec.startswith(("utf", "utf_")):  # (each high byte alone is one replacement)
        return False
    try:  # each high byte one character, or one unassigned: no byte joins the next
        read = bytes(range(0x80, 0x100)).decode(codec, errors="replace")
    except LookupError:
        return False
    return len(read) == 0x80


def _looks_like_page(body: bytes) -> bool:
    """Whether a body's first bytes are plainly an HTML page's, whatever it is labelled."""
    head = body[:4096].lower()
    return any(mark in head for mark in _PAGE_MARKS)


# the root elements of a feed, and what comes before a root: declarations, processing
# instructions (a stylesheet) and comments, each to its own end
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)\b")
_PROLOGUE = ((b"<!--", b"-->"), (b"<?", b"?>"), (b"<!", b">"))
_JSON_START = re.compile(rb"[\[{]\s*[\"\[{\]}]")
PROLOGUE_PARTS = 64  # declarations and comments looked past before a root


def _sniffed(body: bytes) -> str | None:
    """What a body given without a type is when its first bytes say it is no page (a feed,
    a PDF, JSON); None when they do not. Each part before a root is skipped to its own end
    (a pattern of the comments, "(<!--.*?-->)*", took seconds for a few dozen of them)."""
    head = body[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"%PDF-"):
        return "a PDF"
    if _JSON_START.match(head):
        return "JSON"
    for _ in range(PROLOGUE_PARTS):
        head = head.lstrip()
        opened = next(((o, c) for o, c in _PROLOGUE if head.startswith(o)), None)
        if opened is None:
            break
        end = head.find(opened[1], len(opened[0]))
        if end < 0:
            return None
        head = head[end + len(opened[1]) :]
    return "a feed" if _FEED_ROOT.match(head) else None


def _first_tags(body: bytes) -> bytes:
    """The page up to its `MAX_TAGS`th tag (the whole of nearly every page; the text of one
    cut with text past the cut ends with `CUT_NOTE`)."""
    if body.count(b"<") <= MAX_TAGS:
        return body
    at = -1
    for _ in range(MAX_TAGS):
        at = body.find(b"<", at + 1)
    return body[:at]


# text past a tag's end, or the opening of a part whose characters are no text
_TEXT_OR_NO_TEXT = re.compile(rb">\s*[^<\s]|(<!--|<script(?=[\s/>])|<style(?=[\s/>]))", re.I)
_NO_TEXT_ENDS = {  # such an opening -> what ends its part
    b"<!--": re.compile(rb"--(?=>)"),  # (its ">" left to start the text after it)
    b"<script": re.compile(rb"</script", re.I),
    b"<style": re.compile(rb"</style", re.I),
}
NO_TEXT_PARTS = 1_000  # comments, scripts and styles looked past; a page of more has text


def _text_from(body: bytes, start: int) -> bool:
    """Whether a page has text from `start` on: characters outside its tags, comments,
    scripts and styles. A page cut where only closing tags, empty elements and scripts
    follow loses nothing of its text."""
    at = _open_part_end(body, start)
    for _ in range(NO_TEXT_PARTS):
        if at < 0:
            return False  # (the rest of the page is one comment, or one script)
        found = _TEXT_OR_NO_TEXT.search(body, at)
        if found is None:
            return False
        if found.group(1) is None:
            return True
        closing = _NO_TEXT_ENDS[found.group(1).lower()].search(body, found.end())
        at = closing.end() if closing else -1
    return at >= 0


def _open_part_end(body: bytes, start: int) -> int:
    """Where the page goes on past `start` outside a comment, script or style: `start`
    itself, or the end of the one that `start` cuts (-1 when it runs to the page's end)."""
    kept = body[:start].lower()
    opened, opening = max((kept.rfind(o), o) for o in _NO_TEXT_ENDS)
    ends = _NO_TEXT_ENDS[opening]
    if opened < 0 or ends.search(kept, opened + len(opening)):
        return start
    closing = ends.search(body, start)
    return closing.end() if closing else -1


def _fit_note(text: str, note: str) -> str:
    """The text with a note of what it leaves out as its last paragraph, the two within
    TEXT_LIMIT (a text cut for the note ends with "…", as any cut text does)."""
    room = TEXT_LIMIT - len(note) - 2
    if len(text) > room:
        text = text[: room - 1].rstrip() + "…"
    return f"{text}\n\n{note}"


def decode_page(body: bytes, content_type: str | None) -> str:
    """The page as text. Bytes that are UTF-8 are read as UTF-8, and so are bytes declared
    UTF-8 with a stray invalid byte or two (a detector would pick a wrong charset for the whole
    page); otherwise a charset the page declares anywhere in its head (the decoder itself looks
    at the first 2 KB only) goes before the header's, as the page's own declaration does within
    those 2 KB. A Western charset named (Latin-1) that reads the page as no Western text
    (`misread_as_western`: a Russian page under Apache's default label) gives way to the
    detector's reading (`declared_reading`)."""
    text, used = decode(body, content_type)
    if not used.startswith("utf"):
        declared = _META_CHARSET.search(body[:HEAD_BYTES])
        codec = codec_for(declared.group(1).decode("ascii")) if declared else None
        if "utf-8" in (codec, codec_for(header_charset(content_type))):
            lenient = body.decode("utf-8", errors="replace")
            if lenient.count("\ufffd") <= max(MAX_STRAY_BYTES, len(body) // 10_000):
                return strip_xml_declaration(lenient)
        if codec and codec != used:
            # (None: wrong, or no text codec ("base64"); what the header or the bytes said
            # is kept)
            text = (declared_reading(body, codec) or (text, used))[0]
    return strip_xml_declaration(text)


def parse(markup: str) -> HtmlElement:
    """The page's tree; an empty, binary or unparsable page has no article."""
    if not markup.strip():
        raise ExtractError("the page is empty")
    head = markup[:4096]
    if len(_BINARY.findall(head)) > len(head) // 10:
        raise ExtractError("the file is not an HTML page (binary data)")
    try:
        return lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractError(f"the page cannot be read as HTML: {exc}") from None


def choose_blocks(blocks: list[Block], tree: HtmlElement, url: str | None) -> list[bool]:
    """The blocks most extractors agree are the article; when the libraries find nothing,
    the density extractor's article; when the vote keeps nothing, the longest answer."""
    tokens = block_words(blocks)
    # (past `TRAFILATURA_PARAGRAPHS`, or with tables it would make a huge grid of, the others
    # vote alone: its time grows with the square of either)
    many = TRAFILATURA_PARAGRAPHS + 1
    huge = sum(1 for _ in islice(tree.iter("p"), many)) == many or grid_too_large(tree)
    read = "" if huge else trafilatura_text(tree, url)
    first = Verdict("trafilatura", 1.0, shares_from_text(read, tokens))
    second = Verdict("readability", 1.0, shares_from_text(readability_text(tree, url), tokens))
    libraries = (first, second)
    own = densest(blocks)
    if not any(v.found for v in libraries):
        return own
    density = Verdict("density", 1.0, density_shares(blocks, own))
    keep = complete_runs(blocks, first, second, agree([first, second, density], len(blocks)))
    keep = _fill_gaps(blocks, (first, second, density), keep)
    keep = _entry_times(blocks, keep)
    keep = _drop_link_cells(blocks, keep)
    if any(keep):
        return _drop_orphan_headings(blocks, keep)
    longest = max(libraries, key=lambda v: _words_kept(blocks, v.shares))
    return [share >= 0.5 for share in longest.shares]


# a live page's entries, each headed by its time: this many or more make a live page
LIVE_ENTRIES = 3
STAMP_WORDS = 8  # a time stamp's words at most ("Updated at 11:12 GMT", "18:55 GMT")
_CLOCK = re.compile(r"\b(?:[01]?\d|2[0-3])[:.h][0-5]\d\b")


def _entry_times(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """A live page's entries keep their times. Each entry is headed by a short block that
    says when (a `<time>`, or a clock: "11:12", "Updated at 11:12 GMT"), which every
    extractor may vote out as a dateline: the entries came out with no time anywhere, or all
    but the first with theirs. A time stamp right before a kept block is kept where the page
    has `LIVE_ENTRIES` or more such: an article's one dateline under its headline stays out,
    as before."""
    # (those the vote kept count too: it keeps the stamps between two entries, not the first)
    stamps = [n for n in range(len(blocks) - 1) if keep[n + 1] and _is_time_stamp(blocks[n])]
    if len(stamps) < LIVE_ENTRIES:
        return keep
    kept = list(keep)
    for n in stamps:
        kept[n] = True
    return kept


def _is_time_stamp(block: Block) -> bool:
    """A short block that is a time: a `<time>` element holds it, or it states a clock."""
    if block.words > STAMP_WORDS or block.preformatted:
        return False
    element = block.element
    if element.tag == "time" or element.find(".//time") is not None:
        return True
    if any(parent.tag == "time" for parent in element.iterancestors()):
        return True
    return bool(_CLOCK.search(block.text))


GAP = 1  # blocks on each side of a gap within which the article must be kept


def _fill_gaps(
    blocks: list[Block], verdicts: tuple[Verdict, Verdict, Verdict], keep: list[bool]
) -> list[bool]:
    """A block one library keeps, with the article kept right before and right after it:
    a subheading, a caption or a list item the vote tied on (one library for, one against,
    the density extractor abstaining on a short block). The article has no holes; but a
    box the density extractor rules out (a newsletter sign-up between paragraphs) stays out."""
    first, second, density = verdicts
    filled = list(keep)
    for n in range(len(blocks)):
        if keep[n] or max(first.shares[n], second.shares[n]) < 0.5 or density.shares[n] == 0:
            continue
        if any(keep[max(0, n - GAP) : n]) and any(keep[n + 1 : n + 1 + GAP]):
            filled[n] = True
    return filled


def _words_kept(blocks: list[Block], shares: list[float]) -> float:
    return sum(block.words * share for block, share in zip(blocks, shares, strict=True))


def _drop_link_cells(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """A table cell of nothing but lines of links, beside the cell that holds the article, is
    the menu of a layout table (the libraries keep the whole table when the page is small).
    A data table's cells of links (an infobox's) have no article beside them and stay."""
    lines: dict[HtmlElement, list[int]] = {}
    for n, block in enumerate(blocks):
        if block.tag in _CELLS:
            lines.setdefault(block.element, []).append(n)
    menus = [
        cell
        for cell, found in lines.items()
        if len(found) >= MENU_LINES
        and any(keep[n] for n in found)
        and all(blocks[n].link_density == 1.0 for n in found)
    ]
    if not menus:
        return keep
    article_cells: set[HtmlElement] = set()
    for block, kept in zip(blocks, keep, strict=True):
        if kept and block.words >= ARTICLE_LINE_WORDS:
            article_cells.add(block.element)
            article_cells.update(block.element.iterancestors("td", "th"))
    dropped = {
        n
        for cell in menus
        if any(sibling in article_cells for sibling in _sibling_cells(cell))
        for n in lines[cell]
    }
    pruned = [kept and n not in dropped for n, kept in enumerate(keep)]
    return pruned if any(pruned) else keep


def _sibling_cells(cell: HtmlElement) -> list[HtmlElement]:
    row = cell.getparent()
    if row is None:
        return []
    return [c for c in row if c is not cell and isinstance(c.tag, str) and c.tag in _CELLS]


def _drop_orphan_headings(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """A kept heading with no kept text in its section (up to the next heading of its rank or
    higher; its subsections' text counts) headed a box the vote removed. "Project Updates"
    over "Add-ons" over the add-ons' news stays."""
    if all(block.is_heading for block, kept in zip(blocks, keep, strict=True) if kept):
        return keep  # headings are all the page has
    keep = list(keep)
    text_below = [False] * 7  # by rank (h1 is 1): kept text after it, before its section ends
    for n in range(len(blocks) - 1, -1, -1):
        if not keep[n]:
            continue
        if blocks[n].is_heading:
            rank = int(blocks[n].tag[1])
            keep[n] = text_below[rank]
            text_below[rank:] = [False] * (7 - rank)  # a section of this rank or lower ends here
        else:
            text_below = [True] * 7
    return keep


def _drop_site_furniture(blocks: list[Block], keep: list[bool], url: str) -> list[bool]:
    """The kept blocks without those the site repeats on its other pages that are its
    furniture (`furniture`), no more than half the article's words."""
    parts = urlsplit(url)
    if not parts.hostname:
        return keep
    prints = [fingerprint(b.text) for b in blocks]
    kept = [n for n, k in enumerate(keep) if k]
    repeated = MEMORY.repeated(parts.hostname, url.split("#")[0], [prints[n] for n in kept])
    if not repeated:
        return keep
    pieces = [
        Piece(
            words=blocks[n].words,
            repeated=prints[n] in repeated,
            linked=blocks[n].link_density > MAX_LINK_SHARE,
            heading=blocks[n].is_heading,
        )
        for n in kept
    ]
    pruned = list(keep)
    for n, dropped in zip(kept, furniture(pieces), strict=True):
        pruned[n] = not dropped
    total = sum(b.words for b, k in zip(blocks, keep, strict=True) if k)
    removed = total - sum(b.words for b, k in zip(blocks, pruned, strict=True) if k)
    return keep if removed > MAX_SHARE_REMOVED * total else pruned


_ITEM_MARK = re.compile(r"^ *(?:• |-?[0-9]{1,9}\. )")  # (indented: an item of a list in a list)


def same_article(earlier: str, text: str, url: str) -> bool:
    """Whether two texts of the page at `url` say the same once the paragraphs its site
    repeats on other pages as furniture (as `_drop_site_furniture` judges it) are set aside:
    a block learnt as furniture since the earlier text was kept, or a box of furniture that
    changed, is no change of the article; any other paragraph added, dropped or changed is.
    As in extraction, no more than half a text's words are set aside."""
    if earlier == text:
        return True
    host = urlsplit(url).hostname
    if not host:
        return False
    earlier_paragraphs, paragraphs = earlier.split("\n\n"), text.split("\n\n")
    prints = {
        paragraph: {fingerprint(paragraph), fingerprint(_ITEM_MARK.sub("", paragraph))}
        for paragraph in (*earlier_paragraphs, *paragraphs)
    }
    repeated = MEMORY.known(host, url.split("#")[0], [p for ps in prints.values() for p in ps])

    def article_of(found: list[str]) -> list[str]:
        pieces = [Piece(len(words(p)), bool(prints[p] & repeated)) for p in found]
        kept = [p for p, dropped in zip(found, furniture(pieces), strict=True) if not dropped]
        total = sum(len(paragraph.split()) for paragraph in found)
        removed = total - sum(len(paragraph.split()) for paragraph in kept)
        return found if removed > MAX_SHARE_REMOVED * total else kept  # (as extraction does)

    return article_of(earlier_paragraphs) == article_of(paragraphs)


def render(blocks: list[Block], keep: list[bool]) -> str:
    """The kept blocks as paragraphs: list items bulleted, a table of data as one block of
    its rows (`_TableRows`), the cells of another table's row on one line parted by " | ",
    a <pre> as one block of its lines as written (`preformatted_block`), furniture lines
    dropped."""
    parts: list[tuple[str, bool]] = []  # (text, preformatted), as `article_text` takes them
    previous: Block | None = None
    # an ordered list -> the number of its last item; an item -> 0 (its mark is written)
    numbered: dict[HtmlElement, int] = {}
    listing: set[HtmlElement] = set()  # the lists (or other parents) of the items written
    data_tables = _data_tables(blocks)
    rows: _TableRows | None = None  # the table of data being written
    for block, kept in zip(blocks, keep, strict=True):
        if not kept:
            continue
        table = _data_table_of(block, data_tables)
        if rows is not None and rows.table is not table:
            parts.append((rows.written(), True))
            rows = None
        text = strip_controls(block.text).strip()
        if not text or _NOISE_LINE.match(text) or _READ_MORE_PREFIX.match(text):
            continue
        if block.words <= CONTROL_WORDS and (_SIZE_CONTROLS.match(text) or _controls(text)):
            continue
        if block.words <= RIGHTS_WORDS and _RIGHTS_LINE.search(text):
            continue
        if table is not None:
            rows = rows or _TableRows(table)
            rows.add(block.element, text)
        elif block.preformatted:
            written = block.written
            if previous is not None and previous.preformatted and _same_pre(previous, block):
                parts[-1] = (parts[-1][0] + "\n" + written, True)  # (parted by a <br>)
            else:
                parts.append((written, True))
        elif previous is not None and parts and _next_cell(previous, block):
            parts[-1] = (parts[-1][0] + CELL_SEPARATOR + text, False)
        elif block.tag == "li":
            indent = ITEM_INDENT * _item_depth(block.element, listing)
            # (an indented line is kept as written: prose has its leading spaces collapsed)
            parts.append((indent + _item_mark(block.element, numbered) + text, bool(indent)))
        else:
            parts.append((text, False))
        previous = block
    if rows is not None:
        parts.append((rows.written(), True))
    return article_text(parts)


CELL_SEPARATOR = " | "  # between the cells of a row (spaces alone were collapsed to one)
MAX_SPAN = 50  # columns a cell's colspan is taken to cover at most (a page may say a million)
_DIGITS = re.compile(r"[0-9]+")  # (a "²" is a digit to str.isdigit, and no number to int)


class _TableRows:
    """A table of data as its kept rows, one line a row, each cell in its column
    ("| North Harbour | 41 | 6 days |"): a cell with no text is an empty column rather than
    none (an empty corner cell moved a header row's labels over the wrong columns), a column
    no row has text in is left out (cells that each span 50 columns made a row of bars), and
    a row of header cells at the top is underlined ("|---|---|") as Markdown does."""

    def __init__(self, table: HtmlElement) -> None:
        self.table = table
        self.rows: list[tuple[HtmlElement, dict[int, str]]] = []  # a row -> its column's text
        self.starts: dict[HtmlElement, int] = {}  # the row's cells -> the column each starts

    def add(self, cell: HtmlElement, text: str) -> None:
        row = cell.getparent()
        if not self.rows or self.rows[-1][0] is not row:
            self.rows.append((row, {}))
            self.starts = _columns(row)
        columns = self.rows[-1][1]
        column = self.starts.get(cell, 0)
        columns[column] = f"{columns[column]} {text}" if column in columns else text

    def written(self) -> str:
        lines: list[str] = []
        used = sorted({column for _, columns in self.rows for column in columns})
        width = len(used)
        headed = True  # only header rows so far
        for row, columns in self.rows:
            cells = [columns.get(n, "") for n in used[: bisect_right(used, max(columns))]]
            line = "| " + CELL_SEPARATOR.join(cells) + " |"
            if headed and not _header_row(row):
                headed = False
                if lines:
                    lines.append("|" + "---|" * width)
            lines.append(line)
        return "\n".join(lines)


def _columns(row: HtmlElement) -> dict[HtmlElement, int]:
    """The column each cell of a row starts in: the columns its earlier cells span."""
    starts: dict[HtmlElement, int] = {}
    column = 0
    for cell in row:
        if isinstance(cell.tag, str) and cell.tag in _CELLS:
            starts[cell] = column
            column += _span(cell)
    return starts


def _span(cell: HtmlElement) -> int:
    """The columns a cell spans (`colspan`), at most MAX_SPAN."""
    written = (cell.get("colspan") or "").strip()
    if not _DIGITS.fullmatch(written):
        return 1
    digits = written.lstrip("0")
    return MAX_SPAN if len(digits) > 4 else min(max(int(digits or "1"), 1), MAX_SPAN)


def _header_row(row: HtmlElement) -> bool:
    """A row of the table's <thead>, or one whose cells with text are header cells (beside
    an empty corner cell)."""
    parent = row.getparent()
    if parent is not None and parent.tag == "thead":
        return True
    cells = [c for c in row if isinstance(c.tag, str) and c.tag in _CELLS]
    return any(c.tag == "th" for c in cells) and all(
        c.tag == "th" or not c.text_content().strip() for c in cells
    )


def _same_pre(previous: Block, block: Block) -> bool:
    """A block that goes on the <pre> the previous block was in (a <br> parted them)."""
    return previous.element is block.element or block.element.getparent() is previous.element


def _item_mark(item: HtmlElement, numbered: dict[HtmlElement, int]) -> str:
    """What starts a list item's line: its number in an ordered list (from the list's
    `start`; the steps of a recipe, the points of a ruling), else a bullet; nothing on the
    lines after an item's first (a <br> in it, a list within it), which are still its own."""
    if item in numbered:
        return ""
    numbered[item] = 0
    parent = item.getparent()
    if parent is None or not isinstance(parent.tag, str) or parent.tag.lower() != "ol":
        return "• "
    if parent not in numbered:
        start = (parent.get("start") or "1").strip()
        numbered[parent] = (int(start) if _WHOLE_NUMBER.fullmatch(start) else 1) - 1
    numbered[parent] += 1
    return f"{numbered[parent]}. "


_WHOLE_NUMBER = re.compile(r"-?[0-9]{1,9}")
ITEM_INDENT = "  "  # before an item, for each list of items written its list is inside
MAX_ITEM_DEPTH = 8  # lists within lists indented at most (a page may nest thousands)
ITEM_WALK = 64  # ancestors of an item looked through for the lists it is inside


def _item_depth(item: HtmlElement, listing: set[HtmlElement]) -> int:
    """How many lists of items written (`listing`, which the item's own list joins) its list
    is inside: a point's sub-points are indented a step further, so they read as its own. A
    list inside one none of whose items is written (a page's menu that holds a list) is not
    indented."""
    own = item.getparent()
    if own is None:
        return 0
    listing.add(own)
    depth = 0
    for n, ancestor in enumerate(own.iterancestors()):
        if n >= ITEM_WALK:
            break
        depth += ancestor in listing
    return min(depth, MAX_ITEM_DEPTH)


def _controls(text: str) -> bool:
    """Whether a line is a strip of sharing and reading controls alone (`_CONTROL_WORDS`),
    after a prompt to use them or none ("Share this article: Facebook Twitter Email")."""
    rest = _SHARE_PROMPT.sub("", text, count=1)
    tokens = _CONTROL_TOKEN.findall(rest.lower())
    least = 1 if len(rest) < len(text) else 2
    return len(tokens) >= least and all(token in _CONTROL_WORDS for token in tokens)


DATA_CELL_WORDS = 25  # words a cell of a table of data holds at most (a layout's hold pages)


def _whole_tables(blocks: list[Block], keep: list[bool]) -> list[bool]:
    """A table of data (`_data_tables`) kept whole when any of it is: the extractors' votes
    took its short cells one by one ("Korea" without its 15%, the row "Japan 20%" not at
    all). A table laying a page out is judged block by block, as before."""
    out = list(keep)
    for members in _data_tables(blocks).values():
        if any(keep[at] for at in members):
            for at in members:
                out[at] = True
    return out


def _data_tables(blocks: list[Block]) -> dict[HtmlElement, list[int]]:
    """The tables of data among the blocks, each with its blocks. A table of data has rows,
    and each of its cells is one block of a few words; a table laying a page out has a menu
    cell of links one under another, an article cell of paragraphs."""
    # (keyed by the elements themselves, held: lxml gives a node the same proxy object only
    # while one is alive, and the id of a proxy let go is another's)
    tables: dict[HtmlElement, list[int]] = {}  # a table -> its blocks
    data: dict[HtmlElement, bool] = {}
    rows: dict[HtmlElement, set[HtmlElement]] = {}
    cells_seen: set[HtmlElement] = set()
    for at, block in enumerate(blocks):
        element = block.element
        table = element if block.tag == "table" else next(element.iterancestors("table"), None)
        if table is None:
            continue
        tables.setdefault(table, []).append(at)
        one_block = element not in cells_seen  # (a cell of several blocks lays a page out)
        cells_seen.add(element)
        cell = block.tag in (*_CELLS, "caption") and block.words <= DATA_CELL_WORDS
        data[table] = data.get(table, True) and cell and one_block
        row = element.getparent()
        if block.tag in _CELLS and row is not None:
            rows.setdefault(table, set()).add(row)
    return {
        table: members
        for table, members in tables.items()
        if data[table] and len(rows.get(table, ())) >= 2
    }


def _data_table_of(block: Block, data_tables: dict[HtmlElement, list[int]]) -> HtmlElement | None:
    """The table of data a block is a cell of, if any."""
    if block.tag not in _CELLS or block.preformatted or not data_tables:
        return None
    table = next(block.element.iterancestors("table"), None)
    return table if table in data_tables else None


def _next_cell(previous: Block, block: Block) -> bool:
    """A block that starts the next cell of the row the previous block ended."""
    return (
        block.tag in _CELLS
        and previous.tag in _CELLS
        and block.element is not previous.element
        and block.element.getparent() is previous.element.getparent()
    )
