"""The webhook registry and the helpers every webhook connector shares."""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime
from typing import Any

import pytest

from ensemble_ingest.connectors.base import MalformedPayload, SignatureRefused
from ensemble_ingest.connectors.keywords import Keywords
from ensemble_ingest.connectors.webhooks import WEBHOOK_CONNECTORS
from ensemble_ingest.connectors.webhooks._common import (
    Doc,
    build_upsert,
    check_base64_hmac,
    check_hex_hmac,
    parse_time,
)
from ensemble_ingest.models.sources import (
    WEBHOOK_PLATFORMS,
    GenericConfig,
    GitHubConfig,
    MetaConfig,
    SlackConfig,
    XConfig,
    YouTubeConfig,
)
from ensemble_shared.signatures import new_secret


def test_every_webhook_platform_has_its_connector_under_its_name() -> None:
    assert set(WEBHOOK_CONNECTORS) == WEBHOOK_PLATFORMS
    for name, connector in WEBHOOK_CONNECTORS.items():
        assert connector.platform == name


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("I love ACME", True),
        ("acme!", True),
        ("(Acme)", True),
        ("acmes", False),
        ("megaacme", False),
        ("C++ rocks", True),
        ("cpp rocks", False),
        ("ping @acme-app", True),
        ("", False),
        (None, False),
    ],
)
def test_keywords_match_whole_words_case_insensitively(text: str | None, found: bool) -> None:
    assert Keywords(["Acme", "C++", "@acme-app"]).match(text) is found


def test_no_keywords_match_nothing() -> None:
    keywords = Keywords(["  ", ""])
    assert not keywords
    assert not keywords.match("anything")


def test_doc_errors_name_the_path() -> None:
    doc = Doc({"entry": [{"changes": [{"value": {"n": 1, "s": 2, "t": True}}]}]})
    value = doc.objs("entry")[0].objs("changes")[0].obj("value")
    with pytest.raises(MalformedPayload, match=re.escape("entry[0].changes[0].value.x: missing")):
        value.text("x")
    with pytest.raises(MalformedPayload, match=re.escape("value.n: expected a string")):
        value.text("n")
    with pytest.raises(MalformedPayload, match=re.escape("value.t: expected an id")):
        value.ident("t")
    assert value.ident("s") == "2"


def test_times_without_offset_are_utc() -> None:
    assert parse_time("2026-03-01T10:00:00", "t") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    assert parse_time(1772359200, "t") == datetime(2026, 3, 1, 10, tzinfo=UTC)
    with pytest.raises(MalformedPayload, match="t: expected a timestamp"):
        parse_time(True, "t")


def test_a_mention_the_model_refuses_is_malformed_with_the_field() -> None:
    with pytest.raises(MalformedPayload, match=re.escape("entry[0]: author.handle")):
        build_upsert(
            "entry[0]",
            platform="x",
            external_id="1",
            author={"id": "1", "handle": ""},
            text="t",
            created_at=datetime.now(UTC),
        )


@pytest.mark.parametrize("value", ["sha256=abc", "sha256=0g", "sha256=ü"])
def test_hex_signatures_that_do_not_decode_are_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        check_hex_hmac(b"k", b"m", value, prefix="sha256=", name="h", digest="sha256")


@pytest.mark.parametrize("value", ["sha256=a", "sha256=ü", "sha256=!!!!"])
def test_base64_signatures_that_do_not_decode_are_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        check_base64_hmac(b"k", b"m", value, prefix="sha256=", name="h", digest="sha256")


CONFIGS: dict[str, Any] = {
    "generic": GenericConfig(secrets=[new_secret()]),
    "meta": MetaConfig(app_secret="s", verify_token="t"),
    "x": XConfig(consumer_secret="s", brand_user_id="1"),
    "slack": SlackConfig(signing_secret="s", keywords=["acme"]),
    "github": GitHubConfig(webhook_secret="s", keywords=[]),
    "youtube": YouTubeConfig(hub_secret="s", channel_id="UC1"),
}
JUNK_BODIES = [
    b"",
    b"null",
    b"{}",
    b"[]",
    b'"text"',
    b"\x00\xff",
    b'{"type": 1, "object": [], "entry": [1], "event": "x", "action": {}}',
    b'{"object": "page", "entry": [{"changes": [{"field": "feed", "value": []}]}]}',
    b'{"type": "event_callback", "event": {"type": ["message"]}}',
    b'{"tweet_create_events": [{"user": {"id_str": {}}}], "for_user_id": []}',
    b'{"action": "created", "comment": {"node_id": 1.5}}',
    b"<feed xmlns='http://www.w3.org/2005/Atom'><entry/></feed>",
    b"<?xml version='1.0'?><!DOCTYPE a []><a/>",
]
JUNK_HEADERS = [
    {},
    {"x-hub-signature-256": "sha256=\u00e9", "x-hub-signature": "sha1=\x00"},
    {"x-slack-request-timestamp": "\u0661\u0662", "x-slack-signature": "v0=\u00e9"},
    {"x-twitter-webhooks-signature": "sha256=\u00e9=="},
    {"webhook-id": "1", "webhook-timestamp": "1e3", "webhook-signature": "v1,\u00e9"},
]


@pytest.mark.parametrize("platform", sorted(WEBHOOK_PLATFORMS))
def test_junk_is_refused_or_malformed_never_an_uncaught_error(platform: str) -> None:
    """Whatever arrives, the caller only ever sees the contract's two exceptions."""
    connector, config = WEBHOOK_CONNECTORS[platform], CONFIGS[platform]
    for body in JUNK_BODIES:
        for headers in JUNK_HEADERS:
            with pytest.raises(SignatureRefused):
                connector.verify(config, headers, body, datetime.now(UTC))
        with contextlib.suppress(MalformedPayload):
            connector.parse(config, {"x-github-event": "issue_comment"}, body)
    odd = {"hub.mode": "subscribe", "hub.topic": "http://[::1", "hub.challenge": "c"}
    for query in ({}, {**odd, "crc_token": "\u00e9", "hub.verify_token": "\u00e9"}):
        assert 200 <= connector.handshake(config, query).status < 500
