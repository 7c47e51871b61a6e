"""The YouTube connector: WebSub intent verification, signed Atom pushes, deletions."""

from __future__ import annotations

import hmac
import re
from datetime import UTC, datetime

import pytest

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionDeleted,
    MentionUpsert,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks.youtube import YouTubeConnector
from ensemble_ingest.models.sources import YouTubeConfig

CONNECTOR = YouTubeConnector()
CHANNEL = "UCuAXFkgsw1L7xaCfnd5JJOw"
SECRET = "hub-secret-1"
CONFIG = YouTubeConfig(hub_secret=SECRET, channel_id=CHANNEL)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TOPIC = f"https://www.youtube.com/xml/feeds/videos.xml?channel_id={CHANNEL}"

UPLOAD = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:yt="http://www.youtube.com/xml/schemas/2015" xmlns="http://www.w3.org/2005/Atom">
  <link rel="hub" href="https://pubsubhubbub.appspot.com"/>
  <link rel="self" href="{TOPIC}"/>
  <title>YouTube video feed</title>
  <updated>2026-03-01T11:05:24.552394234+00:00</updated>
  <entry>
    <id>yt:video:dQw4w9WgXcQ</id>
    <yt:videoId>dQw4w9WgXcQ</yt:videoId>
    <yt:channelId>{CHANNEL}</yt:channelId>
    <title>Acme &amp; friends: unboxing the new app</title>
    <link rel="alternate" href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"/>
    <author>
      <name>Acme Official</name>
      <uri>https://www.youtube.com/channel/{CHANNEL}</uri>
    </author>
    <published>2026-03-01T10:40:57+00:00</published>
    <updated>2026-03-01T11:05:24.552394234+00:00</updated>
  </entry>
</feed>
""".encode()

DELETION = f"""<?xml version='1.0' encoding='UTF-8'?>
<feed xmlns:at="http://purl.org/atompub/tombstones/1.0" xmlns="http://www.w3.org/2005/Atom">
  <at:deleted-entry ref="yt:video:dQw4w9WgXcQ" when="2026-03-01T11:59:00.000000+00:00">
    <link href="https://www.youtube.com/watch?v=dQw4w9WgXcQ"/>
    <at:by>
      <name>Acme Official</name>
      <uri>https://www.youtube.com/channel/{CHANNEL}</uri>
    </at:by>
  </at:deleted-entry>
</feed>
""".encode()


def signature(body: bytes, secret: str = SECRET, method: str = "sha1") -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, method).hexdigest()
    return {"x-hub-signature": f"{method}={digest}", "content-type": "application/atom+xml"}


# -- intent verification ------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["subscribe", "unsubscribe"])
def test_the_hubs_check_for_our_channel_is_echoed(mode: str) -> None:
    query = {
        "hub.mode": mode,
        "hub.topic": TOPIC,
        "hub.challenge": "14613757270346171787",
        "hub.lease_seconds": "432000",
    }
    assert CONNECTOR.handshake(CONFIG, query) == Reply(200, "14613757270346171787", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {
            "hub.mode": "subscribe",
            "hub.topic": TOPIC.replace(CHANNEL, "UCother"),
            "hub.challenge": "1",
        },
        {"hub.mode": "subscribe", "hub.topic": TOPIC + "x", "hub.challenge": "1"},
        {
            "hub.mode": "subscribe",
            "hub.topic": f"https://evil.example/?c=channel_id={CHANNEL}",
            "hub.challenge": "1",
        },
        {
            "hub.mode": "subscribe",
            "hub.topic": f"https://evil.example/?channel_id={CHANNEL}",
            "hub.challenge": "1",
        },
        {"hub.mode": "denied", "hub.topic": TOPIC, "hub.reason": "no"},
        {"hub.mode": "subscribe", "hub.topic": TOPIC},
        {},
    ],
)
def test_a_check_for_another_topic_is_not_found(query: dict[str, str]) -> None:
    assert CONNECTOR.handshake(CONFIG, query).status == 404


# -- signature ----------------------------------------------------------------------------------


def test_a_push_signed_with_the_hub_secret_verifies() -> None:
    CONNECTOR.verify(CONFIG, signature(UPLOAD), UPLOAD, NOW)


def test_websub_methods_other_than_sha1_verify_too() -> None:
    CONNECTOR.verify(CONFIG, signature(UPLOAD, method="sha256"), UPLOAD, NOW)


def test_a_push_signed_with_another_secret_is_refused() -> None:
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, signature(UPLOAD, "other"), UPLOAD, NOW)


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(SignatureRefused, match="missing"):
        CONNECTOR.verify(CONFIG, {}, UPLOAD, NOW)


@pytest.mark.parametrize("value", ["md5=" + "0" * 32, "sha1=nothex", "sha1", "=abc"])
def test_a_malformed_signature_is_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {"x-hub-signature": value}, UPLOAD, NOW)


# -- pushes -------------------------------------------------------------------------------------


def test_an_upload_becomes_a_youtube_mention_titled_as_the_video() -> None:
    [change] = CONNECTOR.parse(CONFIG, signature(UPLOAD), UPLOAD).changes
    assert isinstance(change, MentionUpsert)
    mention = change.mention
    assert (mention.platform, mention.external_id) == ("youtube", "dQw4w9WgXcQ")
    assert mention.text == "Acme & friends: unboxing the new app"
    assert str(mention.url) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    assert (mention.author.id, mention.author.handle) == (CHANNEL, "Acme Official")
    assert mention.created_at == datetime(2026, 3, 1, 10, 40, 57, tzinfo=UTC)
    # To the millisecond, as the store keeps it (the feed gives nanoseconds).
    assert mention.revised_at == datetime(2026, 3, 1, 11, 5, 24, 552000, tzinfo=UTC)


def test_a_deleted_video_is_a_tombstone() -> None:
    assert CONNECTOR.parse(CONFIG, signature(DELETION), DELETION).changes == [
        MentionDeleted(platform="youtube", external_id="dQw4w9WgXcQ")
    ]


def test_a_feed_without_entries_yields_nothing() -> None:
    body = b'<feed xmlns="http://www.w3.org/2005/Atom"><title>YouTube video feed</title></feed>'
    assert CONNECTOR.parse(CONFIG, {}, body) == Parsed()


def test_without_alternate_link_the_watch_url_is_derived() -> None:
    body = re.sub(rb'<link rel="alternate"[^>]*/>', b"", UPLOAD)
    [change] = CONNECTOR.parse(CONFIG, {}, body).changes
    assert isinstance(change, MentionUpsert)
    assert str(change.mention.url) == "https://www.youtube.com/watch?v=dQw4w9WgXcQ"


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol2;</title></feed>"""

EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE feed [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<feed xmlns="http://www.w3.org/2005/Atom"><title>&xxe;</title></feed>"""


@pytest.mark.parametrize(
    "body",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, BILLION_LAUGHS.decode().encode("utf-16")],
)
def test_entity_declarations_are_refused_before_parsing(body: bytes) -> None:
    with pytest.raises(MalformedPayload, match="DOCTYPE"):
        CONNECTOR.parse(CONFIG, {}, body)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b"not xml", "body: not XML"),
        (b"<rss/>", "feed: missing"),
        (UPLOAD.replace(b"yt:videoId", b"yt:other"), "entry[0].videoId: missing"),
        (
            UPLOAD.replace(b"<title>Acme", b"<subtitle>Acme").replace(
                b"app</title>", b"app</subtitle>"
            ),
            "entry[0].title: missing",
        ),
        (
            UPLOAD.replace(b"2026-03-01T10:40:57+00:00", b"yesterday"),
            "entry[0].published: expected",
        ),
        (DELETION.replace(b'ref="yt:video:', b'ref="yt:channel:'), "deleted-entry[0].ref"),
    ],
)
def test_pushes_not_shaped_as_documented_are_malformed(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayload, match=re.escape(field)):
        CONNECTOR.parse(CONFIG, {}, body)
