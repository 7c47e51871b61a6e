"""YouTube's WebSub (PubSubHubbub) pushes: Atom entries for new or changed videos, and deletions."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit
from xml.parsers import expat

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionChange,
    MentionDeleted,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks._common import (
    build_upsert,
    check_hex_hmac,
    header,
    parse_time,
)
from ensemble_ingest.models.sources import YouTubeConfig

SIGNATURE = "x-hub-signature"
# WebSub lets the hub choose among these; Google's hub signs with sha1.
ALGORITHMS = ("sha1", "sha256", "sha384", "sha512")
ATOM = "{http://www.w3.org/2005/Atom}"
YT = "{http://www.youtube.com/xml/schemas/2015}"
TOMBSTONE = "{http://purl.org/atompub/tombstones/1.0}"
VIDEO_REF = "yt:video:"
YOUTUBE_HOSTS = ("www.youtube.com", "youtube.com")


def _refuse_dtd(body: bytes) -> None:
    """Refuse any DOCTYPE before ElementTree sees the body: no DTD means no entity to expand
    (billion laughs) or to fetch. Expat reads the declared encoding, so UTF-16 cannot hide one."""

    def refuse(*_: object) -> None:
        raise MalformedPayload("body: DOCTYPE and entity declarations are not allowed")

    scanner = expat.ParserCreate()
    scanner.StartDoctypeDeclHandler = refuse
    scanner.EntityDeclHandler = refuse
    try:
        scanner.Parse(body, True)
    except expat.ExpatError as exc:
        raise MalformedPayload(f"body: not XML ({exc})") from None


def _parse_xml(body: bytes) -> ET.Element:
    _refuse_dtd(body)
    try:
        return ET.fromstring(body)  # noqa: S314 - the DTD check above makes this safe
    except ET.ParseError as exc:
        raise MalformedPayload(f"body: not XML ({exc})") from None


def _text(element: ET.Element, tag: str, where: str) -> str:
    child = element.find(tag)
    if child is None:
        name = tag.rsplit("}", 1)[-1]
        raise MalformedPayload(f"{where}.{name}: missing")
    return child.text or ""


def _updated(entry: ET.Element, where: str) -> datetime | None:
    """Atom's `updated`: when the video last changed, so an older push never reverts a newer."""
    updated = entry.findtext(f"{ATOM}updated")
    return parse_time(updated.strip(), f"{where}.updated") if updated and updated.strip() else None


def _ours(config: YouTubeConfig, query: Mapping[str, str]) -> bool:
    """The topic is YouTube's feed of the configured channel (and nothing that merely says so)."""
    try:
        topic = urlsplit(query.get("hub.topic", ""))
        host = topic.hostname
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return False
    channel = parse_qs(topic.query).get("channel_id", [])
    return host in YOUTUBE_HOSTS and channel == [config.channel_id]


class YouTubeConnector:
    """A subscription to one channel's uploads through Google's hub."""

    platform: ClassVar[str] = "youtube"

    def handshake(self, config: YouTubeConfig, query: Mapping[str, str]) -> Reply:
        """The hub's intent check: echo `hub.challenge` only for our channel's topic, and say
        404 otherwise, as WebSub asks of a subscriber that did not ask for the subscription."""
        mode = query.get("hub.mode")
        challenge = query.get("hub.challenge")
        if mode in ("subscribe", "unsubscribe") and challenge and _ours(config, query):
            return Reply(200, challenge, "text/plain")
        return Reply(404, "unknown subscription", "text/plain")

    def verify(
        self, config: YouTubeConfig, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> None:
        """`X-Hub-Signature: sha1=<hex HMAC(hub secret, raw body)>`; WebSub signs no timestamp,
        so replays are left to dedup downstream."""
        value = header(headers, SIGNATURE)
        method = value.split("=", 1)[0]
        if method not in ALGORITHMS:
            raise SignatureRefused(f"{SIGNATURE} uses an unknown method {method[:16]!r}")
        check_hex_hmac(
            config.hub_secret.encode(),
            body,
            value,
            prefix=f"{method}=",
            name=SIGNATURE,
            digest=method,
        )

    def parse(self, config: YouTubeConfig, headers: Mapping[str, str], body: bytes) -> Parsed:
        feed = _parse_xml(body)
        if feed.tag != f"{ATOM}feed":
            raise MalformedPayload(f"feed: missing (the root is {feed.tag!r})")
        changes: list[MentionChange] = []
        for index, entry in enumerate(feed.findall(f"{ATOM}entry")):
            changes.append(_video(entry, f"entry[{index}]"))
        for index, tombstone in enumerate(feed.findall(f"{TOMBSTONE}deleted-entry")):
            ref = tombstone.get("ref", "")
            if not ref.startswith(VIDEO_REF) or len(ref) == len(VIDEO_REF):
                raise MalformedPayload(f"deleted-entry[{index}].ref: expected yt:video:<id>")
            changes.append(MentionDeleted(platform="youtube", external_id=ref[len(VIDEO_REF) :]))
        return Parsed(changes=changes)


def _video(entry: ET.Element, where: str) -> MentionChange:
    """A new or edited video. The push carries its title, not its description: the title is
    the text (a changed description arrives as an entry identical to the last one)."""
    video_id = _text(entry, f"{YT}videoId", where)
    channel_id = _text(entry, f"{YT}channelId", where)
    if not video_id or not channel_id:
        raise MalformedPayload(f"{where}: yt:videoId and yt:channelId must not be empty")
    link = next(
        (
            ln.get("href")
            for ln in entry.findall(f"{ATOM}link")
            if ln.get("rel", "alternate") == "alternate" and ln.get("href")
        ),
        None,
    )
    author = entry.find(f"{ATOM}author")
    name = (author.findtext(f"{ATOM}name") or "").strip() if author is not None else ""
    return build_upsert(
        where,
        platform="youtube",
        external_id=video_id,
        url=link or f"https://www.youtube.com/watch?v={video_id}",
        author={"id": channel_id, "handle": name or channel_id, "display_name": name or None},
        text=_text(entry, f"{ATOM}title", where),
        created_at=parse_time(_text(entry, f"{ATOM}published", where), f"{where}.published"),
        revised_at=_updated(entry, where),
    )
