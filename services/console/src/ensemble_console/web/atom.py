"""Atom feeds (RFC 4287), written with ElementTree so every text is escaped: a feed's id,
title, link and `updated`, and its entries, newest first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from xml.etree import ElementTree as ET

NS = "http://www.w3.org/2005/Atom"


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    link: str
    updated: datetime
    summary: str


def _text(parent: ET.Element, tag: str, text: str) -> ET.Element:
    element = ET.SubElement(parent, tag)
    element.text = text
    return element


def feed(
    *, id: str, title: str, link: str, self_link: str, updated: datetime, entries: Sequence[Entry]
) -> bytes:
    root = ET.Element("feed", {"xmlns": NS})
    _text(root, "id", id)
    _text(root, "title", title)
    _text(root, "updated", updated.isoformat())
    ET.SubElement(root, "link", {"rel": "alternate", "href": link})
    ET.SubElement(root, "link", {"rel": "self", "href": self_link})
    _text(ET.SubElement(root, "author"), "name", title)
    for entry in entries:
        node = ET.SubElement(root, "entry")
        _text(node, "id", entry.id)
        _text(node, "title", entry.title)
        _text(node, "updated", entry.updated.isoformat())
        ET.SubElement(node, "link", {"rel": "alternate", "href": entry.link})
        _text(node, "summary", entry.summary)
    written: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return written
