"""Choosing how to decode a document's bytes, so a header that lies gives no mojibake."""

from __future__ import annotations

import codecs
import re

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
    declaration, then the header's charset, each only if it decodes cleanly; then a detector;
    finally UTF-8 with replacement characters.
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
    for candidate in candidates:
        if candidate and candidate != "utf-8":
            try:
                return body.decode(candidate), candidate
            except (UnicodeDecodeError, LookupError):
                continue
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(body).best()
        if best is not None and best.encoding:
            return str(best), best.encoding
    except ImportError:  # pragma: no cover - charset_normalizer comes with trafilatura
        pass
    return body.decode("utf-8", errors="replace"), "utf-8"


def _utf8_cut_short(body: bytes) -> str | None:
    """The text of a body that is UTF-8 up to a last character cut in half, without that
    fragment; None when the fault is anywhere else."""
    try:
        return codecs.getincrementaldecoder("utf-8")().decode(body, final=False)
    except UnicodeDecodeError:
        return None


def strip_xml_declaration(text: str) -> str:
    """Drop `<?xml ... ?>` (and anything before it) once the text is decoded."""
    text = text.lstrip("\ufeff \t\r\n")
    if text.startswith("<?xml"):
        end = text.find("?>")
        if end != -1:
            return text[end + 2 :]
    return text
