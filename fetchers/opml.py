"""OPML 2.0 subscription lists: read what other readers export, write what they import."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import format_datetime

from fetchers.models import Source
from fetchers.text import clean_line


class OpmlError(Exception):
    """An OPML file that cannot be read; the message says why."""


@dataclass(slots=True)
class Subscription:
    """One feed named in an OPML file."""

    name: str
    url: str
    tags: list[str] = field(default_factory=list)


def parse_opml(data: bytes) -> list[Subscription]:
    """Feeds from an OPML body; nested outlines and `category` become tags."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise OpmlError(f"not well-formed XML: {exc}") from exc
    if root.tag != "opml":
        raise OpmlError(f"not OPML: the root element is <{root.tag}>")
    body = root.find("body")
    if body is None:
        raise OpmlError("OPML without a <body>")
    found: list[Subscription] = []
    _walk(body, [], found)
    return found


def _walk(parent: ET.Element, folders: list[str], found: list[Subscription]) -> None:
    for outline in parent.findall("outline"):
        label = clean_line(outline.get("title") or outline.get("text") or "")
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            tags = list(folders)
            for category in (outline.get("category") or "").split(","):
                tag = category.strip().strip("/").split("/")[-1].strip()
                if tag and tag not in tags:
                    tags.append(tag)
            found.append(
                Subscription(
                    name=label or url,
                    url=url,
                    tags=tags,
                )
            )
        _walk(outline, [*folders, label] if not url and label else folders, found)


def write_opml(sources: list[Source], title: str, now: datetime) -> bytes:
    """OPML 2.0 with one outline per remote source; tags go in `category`."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = format_datetime(now)
    body = ET.SubElement(root, "body")
    for source in sources:
        if not source.url:
            continue
        attrs = {
            "text": source.name,
            "title": source.name,
            "type": "rss" if source.kind == "feed" else "link",
            "xmlUrl": source.url,
        }
        if source.tags:
            attrs["category"] = ",".join(source.tags)
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    document: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return document + b"\n"
