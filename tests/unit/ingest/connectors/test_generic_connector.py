"""The generic Standard Webhooks connector: mention.created / mention.deleted, signed."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionDeleted,
    MentionUpsert,
    Parsed,
    Reply,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks.generic import GenericConnector
from ensemble_ingest.models.sources import GenericConfig
from ensemble_shared.signatures import new_secret, sign

CONNECTOR = GenericConnector()
SECRET = new_secret()
CONFIG = GenericConfig(secrets=[SECRET])


def created(**data: Any) -> bytes:
    payload = {
        "type": "mention.created",
        "timestamp": "2026-03-01T10:00:00+00:00",
        "data": {
            "platform": "forum",
            "external_id": "42",
            "url": "https://forum.example.org/t/42",
            "author": {"id": "u-7", "handle": "camille", "display_name": "Camille"},
            "text": "I love the new app!",
            "language": "en",
            "created_at": "2026-03-01T09:59:00+00:00",
            **data,
        },
    }
    return json.dumps(payload).encode()


def signed(body: bytes, *, secret: str = SECRET, at: datetime | None = None) -> dict[str, str]:
    return sign([secret], message_id="msg_1", timestamp=at or datetime.now(UTC), body=body)


def test_there_is_no_get_handshake() -> None:
    reply = CONNECTOR.handshake(CONFIG, {"hub.challenge": "x"})
    assert reply == Reply(405, reply.body, "text/plain")


def test_a_signed_mention_created_becomes_one_upsert() -> None:
    body = created()
    CONNECTOR.verify(CONFIG, signed(body), body, datetime.now(UTC))
    parsed = CONNECTOR.parse(CONFIG, signed(body), body)
    assert parsed.reply is None
    [change] = parsed.changes
    assert isinstance(change, MentionUpsert)
    mention = change.mention
    assert (mention.platform, mention.external_id, mention.text) == (
        "forum",
        "42",
        "I love the new app!",
    )
    assert (mention.author.id, mention.author.handle) == ("u-7", "camille")
    assert mention.created_at == datetime(2026, 3, 1, 9, 59, tzinfo=UTC)
    assert str(mention.url) == "https://forum.example.org/t/42"


def test_mention_deleted_becomes_a_tombstone() -> None:
    body = json.dumps(
        {
            "type": "mention.deleted",
            "timestamp": "2026-03-01T10:00:00+00:00",
            "data": {"platform": "forum", "external_id": "42"},
        }
    ).encode()
    assert CONNECTOR.parse(CONFIG, {}, body).changes == [
        MentionDeleted(platform="forum", external_id="42")
    ]


def test_an_unknown_type_is_ignored_not_malformed() -> None:
    body = json.dumps({"type": "mention.liked", "timestamp": "2026-03-01T10:00:00Z"}).encode()
    assert CONNECTOR.parse(CONFIG, {}, body) == Parsed()


def test_another_secret_is_a_forgery() -> None:
    body = created()
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, signed(body, secret=new_secret()), body, datetime.now(UTC))


def test_a_changed_body_is_refused() -> None:
    body = created()
    headers = signed(body)
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, headers, created(text="changed"), datetime.now(UTC))


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_headers_are_refused(missing: str) -> None:
    body = created()
    headers = signed(body)
    del headers[missing]
    with pytest.raises(SignatureRefused, match="missing"):
        CONNECTOR.verify(CONFIG, headers, body, datetime.now(UTC))


def test_a_stale_signature_is_refused() -> None:
    body = created()
    old = datetime.now(UTC) - timedelta(minutes=6)
    with pytest.raises(SignatureRefused, match="5 minutes"):
        CONNECTOR.verify(CONFIG, signed(body, at=old), body, datetime.now(UTC))


def test_the_window_is_measured_from_the_now_given() -> None:
    body = created()
    later = datetime.now(UTC) + timedelta(minutes=6)
    with pytest.raises(SignatureRefused, match="5 minutes"):
        CONNECTOR.verify(CONFIG, signed(body), body, later)


@pytest.mark.parametrize(
    ("name", "value"),
    [("webhook-signature", "garbage"), ("webhook-signature", "v1,%%%"), ("webhook-timestamp", "x")],
)
def test_malformed_headers_are_refused_not_crashed_on(name: str, value: str) -> None:
    body = created()
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {**signed(body), name: value}, body, datetime.now(UTC))


def test_either_secret_verifies_during_a_rotation_and_empty_ones_are_skipped() -> None:
    body = created()
    old, new = new_secret(), new_secret()
    config = GenericConfig(secrets=["", old, new])
    CONNECTOR.verify(config, signed(body, secret=old), body, datetime.now(UTC))
    CONNECTOR.verify(config, signed(body, secret=new), body, datetime.now(UTC))
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(GenericConfig(secrets=[]), signed(body), body, datetime.now(UTC))


def test_a_mention_without_author_is_malformed_and_the_field_named() -> None:
    body = created(author=None)
    with pytest.raises(MalformedPayload, match=re.escape("data.author")):
        CONNECTOR.parse(CONFIG, {}, body)


def test_a_body_without_type_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match=re.escape("type: missing")):
        CONNECTOR.parse(CONFIG, {}, b'{"data": {}}')


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_malformed(body: bytes) -> None:
    with pytest.raises(MalformedPayload, match="body"):
        CONNECTOR.parse(CONFIG, {}, body)


def test_a_deletion_without_external_id_is_malformed() -> None:
    body = json.dumps(
        {
            "type": "mention.deleted",
            "timestamp": "2026-03-01T10:00:00Z",
            "data": {"platform": "forum"},
        }
    ).encode()
    with pytest.raises(MalformedPayload, match=re.escape("data.external_id")):
        CONNECTOR.parse(CONFIG, {}, body)
