"""Choosing how to decode a document's bytes, so a header that lies gives no mojibake."""

from __future__ import annotations

import codecs
import re
import unicodedata

from fetchers.letters import plausibility

_XML_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding=[\"']([A-Za-z0-9._:-]+)[\"']")
_META_CHARSET = re.compile(rb"<meta[^>]+charset=[\"']?([A-Za-z0-9._:-]+)", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Labels that the web uses for their supersets (the WHATWG Encoding Standard does the same).
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "euc-kr": "cp949",
    "euc_kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header."""
    if not content_type:
        return None
    match = re.search(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", content_type, re.I)
    return match.group(1) if match else None


def _normal(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def codec_for(label: str | None) -> str | None:
    """The Python codec for a charset label (its web superset where there is one)."""
    return _normal(label)


def decode(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode a document; returns (text, encoding used).

    Order: a byte-order mark; then valid UTF-8 (a strong signal no legacy charset fakes), also
    when only the last character was cut in half (a truncated body); then the document's own
    declaration, then the header's charset, each only if it decodes cleanly; then UTF-8 with a
    few bytes of cp1252 in it; then a detector (`_detected`: cp1252 where it reads as much like
    a language, what a declaration of UTF-8 most often hides); finally UTF-8 with replacement
    characters.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body.decode(name, errors="replace"), name
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    head = body[:2048]
    declared = _XML_DECL.match(head)
    meta = _META_CHARSET.search(head)
    candidates = [
        _normal(declared.group(1).decode("ascii") if declared else None),
        _normal(meta.group(1).decode("ascii") if meta else None),
        _normal(header_charset(content_type)),
    ]
    cut = _utf8_cut_short(body)
    if cut is not None and (not cut.isascii() or not any(c and c != "utf-8" for c in candidates)):
        return cut, "utf-8"
    misread: tuple[str, str] | None = None  # a Western charset's reading of no Western text
    for candidate in candidates:
        if candidate and candidate != "utf-8":
            if candidate.startswith(("utf-16", "utf-32")) and b"\x00" not in head[:64]:
                continue  # said of a document whose first characters are one byte each
            try:
                text = body.decode(candidate)
            except (UnicodeDecodeError, LookupError):
                continue
            if candidate not in WESTERN or not misread_as_western(text):
                return text, candidate
            misread = misread or (text, candidate)
    if misread is not None:
        return _other_than_western(body) or misread
    mixed = _mostly_utf8(body, "utf-8" in candidates)
    if mixed is not None:
        return mixed, "utf-8"
    detected = _detected(body)
    if detected is not None:
        return detected
    return body.decode("utf-8", errors="replace"), "utf-8"


# The one-byte charsets of Western Europe, as `codec_for` names them: browsers read Latin-1
# as windows-1252, and a server's default (Apache's was ISO-8859-1) names one whatever its
# pages are in. Every byte reads in them, so that a body decodes says nothing.
WESTERN = frozenset(("cp1252", "iso8859-1", "iso8859-15"))
# The letters a Western charset reads the high bytes of as (À to ÿ, with × and ÷ among them,
# which Greek and Cyrillic charsets have letters at); runs of three or more are no Western
# word's (French, German, Spanish or Danish put one or two between ASCII letters: "été",
# "Größe", "ação"), but every word of Cyrillic, Greek, Hebrew or Arabic in a one-byte
# charset read so is one ("Ìèíèñòåðñòâî").
_HIGH_LETTERS = re.compile("[\u00c0-\u00ff]+")
MISREAD_RUN = 3  # high letters in a row that make a run
MISREAD_LETTERS = 12  # letters in such runs that a misreading needs at least (a short title)


def misread_as_western(text: str) -> bool:
    """Whether a Western charset's reading of a text is none a Western language makes: at
    least half its high letters (`_HIGH_LETTERS`) in runs of three or more."""
    total = in_runs = 0
    for run in _HIGH_LETTERS.findall(text):
        total += len(run)
        if len(run) >= MISREAD_RUN:
            in_runs += len(run)
    return in_runs >= MISREAD_LETTERS and 2 * in_runs >= total


def _other_than_western(body: bytes) -> tuple[str, str] | None:
    """The detector's reading of a body a Western charset was said of but misreads
    (`misread_as_western`), when it reads as words of another script; None when it does
    not (what was said is kept)."""
    found = _detected(body)
    if found is None or misread_as_western(found[0]) or not _reads_as_words(found[0]):
        return None
    return found


def misread_western_label(body: bytes, content_type: str | None = None) -> str | None:
    """The codec a document is read in (`decode`) when it names a Western charset that
    misreads it (`misread_as_western`) and another reads it; None for any other document."""
    _, used = decode(body, content_type)
    if used in WESTERN or used.startswith("utf"):
        return None
    head = body[:2048]
    declared = _XML_DECL.match(head)
    meta = _META_CHARSET.search(head)
    labels = (
        declared.group(1).decode("ascii") if declared else None,
        meta.group(1).decode("ascii") if meta else None,
        header_charset(content_type),
    )
    return used if any(_normal(label) in WESTERN for label in labels) else None


def declared_reading(body: bytes, codec: str) -> tuple[str, str] | None:
    """A body read in a codec a document names for itself, as (text, codec used); a Western
    one's misreading of another script (`misread_as_western`) is the detector's reading
    instead where it reads as words. None when the body does not decode in it."""
    try:
        text = body.decode(codec)
    except (UnicodeDecodeError, LookupError):  # wrong, or no text codec ("base64")
        return None
    if codec in WESTERN and misread_as_western(text):
        return _other_than_western(body) or (text, codec)
    return text, codec


# the bytes a UTF-8 body can hold that are not ASCII
_HIGH_BYTES = bytes(range(128, 256))
# at most this share of a body's non-ASCII bytes may be no UTF-8 for it to be read as UTF-8
# with a few bytes of a Western legacy charset in it (a legacy Korean, Japanese or Chinese
# body holds pairs that are UTF-8 by chance: a third to a half of a short one's bytes)
MOSTLY_UTF8 = 0.1
# how much more disorder than the detector's best a reading may show and still be taken: cp1252
# when it reads as much like a language (on a short Latin text the detector's pick is often a
# Baltic or DOS code page: "São" read as "Sćo"), another when it reads as words and the best
# does not
NEAR_BEST = 0.1
# what text puts beside a letter that is no letter itself: dashes, quotes and signs of cp1252
_TYPOGRAPHIC = frozenset("\u00a0’‘‚“”„–—…«»‹›•·€°©®™§¶†‡")
_NON_ASCII = re.compile("[\x80-\u2e7f]")  # (CJK punctuation and beyond read as words)


def _as_cp1252(error: UnicodeError) -> tuple[str, int]:
    """A decoding error handler: the offending bytes read as cp1252 (its five holes as
    Latin-1 does)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    return "".join(_cp1252_char(bad[i : i + 1]) for i in range(len(bad))), error.end


def _cp1252_char(byte: bytes) -> str:
    try:
        return byte.decode("cp1252")
    except UnicodeDecodeError:
        return byte.decode("latin-1")


codecs.register_error("wirewatch-cp1252", _as_cp1252)


def _mostly_utf8(body: bytes, declared: bool = False) -> str | None:
    """A body of UTF-8 but for a few bytes of cp1252 (text pasted in from elsewhere), those
    bytes read as cp1252; None when too many of its non-ASCII bytes are no UTF-8. A body that
    says it is UTF-8 is read so however many there are, when its UTF-8 is real (characters of
    more than one byte, more than once) and what is not UTF-8 comes as cp1252 text has it, a
    byte or two between ASCII (`_pasted`): one pasted item of a short feed was more than a
    tenth of its non-ASCII bytes, and the whole feed came out in a Baltic code page."""
    high = len(body) - len(body.translate(None, _HIGH_BYTES))
    faults = body.decode("utf-8", errors="replace").count("\ufffd")
    if not faults:
        return None
    if faults > MOSTLY_UTF8 * high and not (declared and _pasted(body)):
        return None
    return body.decode("utf-8", errors="wirewatch-cp1252")


_HIGH_RUN = re.compile(rb"[\x80-\xff]+")


def _pasted(body: bytes) -> bool:
    """Whether a body's runs of non-ASCII bytes are UTF-8 characters (two or more runs), or
    one or two bytes that are no UTF-8 and not both of the upper half a legacy Korean,
    Chinese or Japanese charset writes its pairs in (A1 to FE): text of a Western charset
    pasted into UTF-8, not a legacy Eastern one said to be UTF-8."""
    whole = 0
    for run in _HIGH_RUN.findall(body):
        try:
            run.decode("utf-8")
        except UnicodeDecodeError:
            if len(run) > 2 or (len(run) == 2 and min(run) >= 0xA1):
                return False
        else:
            whole += 1
    return whole >= 2


# The one-byte charsets a Latin or Cyrillic body that names none may be in: the web's default
# first, then Central European, Baltic, Turkish, Nordic and Cyrillic, each Windows code page
# before the ISO one whose letters it shares (it also reads the quotes and dashes ISO puts
# controls at). Where readings tie, the earlier one is taken.
ONE_BYTE = (
    "cp1252",
    "iso8859-15",
    "cp1250",
    "iso8859-2",
    "cp1257",
    "iso8859-13",
    "cp1254",
    "iso8859-10",
    "cp1251",
    "koi8-r",
    "koi8-u",
    "iso8859-5",
)


def _detected(body: bytes) -> tuple[str, str] | None:
    """A reading of a body no declaration reads: the detector's (`_detectors_reading`),
    unless it reads the body as Latin or Cyrillic letters of one byte each, when the
    reading in `ONE_BYTE` (or the detector's charset) whose words read most as a language's
    (`plausibility`) is taken instead: on a short text the detector took Polish in
    ISO-8859-2 for ISO-8859-10 ("ŋe ŋaden"), and Czech for cp1250 ("ľe ľádný"). So too
    when it reads a Latin text as pairs of another script (`_misread_as_pairs`), if some
    one-byte reading is words."""
    found = _detectors_reading(body)
    other_script = found is not None and not _one_byte_letters(body, found)
    if found is not None and other_script and not _misread_as_pairs(found[0]):
        return found
    codecs_ = ([] if found is None or other_script else [found[1]]) + list(ONE_BYTE)
    sample = b" ".join(_high_words(body))
    order = {codec: at for at, codec in enumerate(ONE_BYTE)}
    scored = [
        (plausibility(text), -order.get(codec, len(ONE_BYTE)), codec)
        for codec in codecs_
        if (text := _decoded(sample, codec)) is not None
    ]
    for score, _, codec in sorted(scored, reverse=True):
        if other_script and score <= 0:
            break  # (no one-byte reading is words either)
        text = _decoded(body, codec)
        if text is not None:
            return text, codec
    return found


# the words a one-byte reading is judged by: those with a byte beyond ASCII, the first of them
_WORD = re.compile(rb"[^\s<>]+")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")
SAMPLE_WORDS = 3000


def _high_words(body: bytes) -> list[bytes]:
    """The first SAMPLE_WORDS words of `body` with a byte beyond ASCII, in one pass over
    it: a pattern looking for such a word from every byte took the square of a long run of
    text without a space (an inline image: 41 s for 40 KB, the GIL held)."""
    found: list[bytes] = []
    for match in _WORD.finditer(body):
        word = match.group()
        if _HIGH_BYTE.search(word) is not None:
            found.append(word)
            if len(found) == SAMPLE_WORDS:
                break
    return found


def _one_byte_letters(body: bytes, found: tuple[str, str]) -> bool:
    """Whether the detector's reading takes each byte for one character and makes the
    letters beyond ASCII Latin or Cyrillic ones (what `ONE_BYTE` reads)."""
    text = _decoded(body, found[1])
    if text is None or len(text) != len(body):
        return False
    return all(
        unicodedata.name(char, "").startswith(("LATIN", "CYRILLIC"))
        for char in set(text)
        if not char.isascii() and _is_letter(char) and char not in "µªº"  # (signs too)
    )


_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_HALFWIDTH_KANA = re.compile("[\uff61-\uff9f]")


def _misread_as_pairs(text: str) -> bool:
    """Whether most runs of characters beyond ASCII in a reading touch an ASCII letter: the
    letters of a Latin text among plain ones, read as pairs of another script ("ceｳ").
    Text of that script has them between spaces, tags and its own punctuation, and only now
    and then beside a Latin name ("iPhone用"). So too a reading mostly of half-width katakana,
    which Japanese text hardly uses and Russian in KOI8-R read as Shift JIS is ("ﾓﾏﾗﾅﾔ")."""
    high = len(text) - len(text.encode("ascii", "ignore"))
    if 2 * len(_HALFWIDTH_KANA.findall(text)) > high:
        return True
    runs = touching = 0
    for found in _NON_ASCII_RUN.finditer(text):
        runs += 1
        before = text[found.start() - 1 : found.start()]
        after = text[found.end() : found.end() + 1]
        if (before.isascii() and before.isalpha()) or (after.isascii() and after.isalpha()):
            touching += 1
    return runs > 0 and 2 * touching >= runs


def _detectors_reading(body: bytes) -> tuple[str, str] | None:
    """The detector's reading of a body no declaration reads, with two corrections among
    the readings nearly as orderly as its best: cp1252 (the web's default for a document
    that names no charset) where its words look as much like a language's, since on a short
    Latin text the best by order alone is often a Baltic or DOS code page ("São" read as
    "Sćo"); and, where the best puts signs inside words ("£ódŸ"), the next that reads as
    words."""
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura
        return None
    matches = from_bytes(body)
    best = matches.best()
    if best is None or not best.encoding:
        return None
    near = [match for match in matches if match.chaos <= best.chaos + NEAR_BEST]
    text = str(best)
    if _reads_as_words(text):
        if "cp1252" not in best.could_be_from_charset and any(
            "cp1252" in match.could_be_from_charset and match.coherence >= best.coherence
            for match in near
        ):
            western = _decoded(body, "cp1252")
            if western is not None and _reads_as_words(western):
                return western, "cp1252"
        return text, best.encoding
    for match in near:
        other = _decoded(body, match.encoding)
        if other is not None and _reads_as_words(other):
            return other, match.encoding
    return text, best.encoding


def _decoded(body: bytes, encoding: str) -> str | None:
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def _reads_as_words(text: str) -> bool:
    """Whether no character outside ASCII that is no letter or mark (nor a dash, quote or
    sign such text uses) touches a letter: Polish in cp1250 read as cp1252 gives "£ódŸ"
    and "ce³"."""
    for found in _NON_ASCII.finditer(text):
        char = found.group()
        if _is_letter(char) or char in _TYPOGRAPHIC:
            continue
        at = found.start()
        if _is_letter(text[at - 1 : at]) or _is_letter(text[at + 1 : at + 2]):
            return False
    return True


def _is_letter(char: str) -> bool:
    """A letter, or a mark written on one (Thai vowels, Arabic and Hebrew vowel points)."""
    return bool(char) and unicodedata.category(char)[0] in "LM"


def _utf8_cut_short(body: bytes) -> str | None:
    """The text of a body that is UTF-8 up to a last character cut in half, without that
    fragment; None when the fault is anywhere else."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return None


def in_utf8(body: bytes, charset: str) -> bytes:
    """A body as UTF-8, saying so in its XML declaration: as it is when it is UTF-8 already
    (or has a byte-order mark, or is UTF-8 but for a last character cut in half), else read
    as `charset` (a text codec's name), whatever it declares."""
    if any(body.startswith(bom) for bom, _ in _BOMS):
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        if _utf8_cut_short(body) is not None:
            return body
        body = body.decode(charset, errors="replace").encode("utf-8")
        return _XML_DECL.sub(_utf8_declared, body, count=1)
    return body


def read_as_utf8(body: bytes) -> bytes:
    """A document decoded as `decode` reads it (a declaration of UTF-8 over bytes of cp1252,
    the commonest lie, read as cp1252), as UTF-8 that says so in its XML declaration."""
    text, _ = decode(body)
    return _XML_DECL.sub(_utf8_declared, text.encode("utf-8"), count=1)


def _utf8_declared(found: re.Match[bytes]) -> bytes:
    """An XML declaration naming UTF-8 in place of the encoding it named."""
    at = found.start(0)
    whole = found.group(0)
    return whole[: found.start(1) - at] + b"utf-8" + whole[found.end(1) - at :]


def is_text_codec(name: str) -> bool:
    """Whether a codec reads bytes into text (base64 and rot13 are codecs too)."""
    try:
        return bool(getattr(codecs.lookup(name), "_is_text_encoding", True))
    except LookupError:
        return False


def strip_xml_declaration(text: str) -> str:
    """Drop `<?xml ... ?>` (and anything before it) once the text is decoded."""
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml"):
        end = text.find("?>")
        if end != -1:
            return text[end + 2 :]
    return text
