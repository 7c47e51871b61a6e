"""The Slack connector: signed requests, url_verification, app_mention and message events."""

from __future__ import annotations

import hashlib
import hmac
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
from ensemble_ingest.connectors.webhooks.slack import SlackConnector, parse_ts
from ensemble_ingest.models.sources import SlackConfig

CONNECTOR = SlackConnector()
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
CONFIG = SlackConfig(signing_secret=SECRET, keywords=["Acme", "@acme-app"])
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BOT = "U0LAN0Z89"


def callback(event: dict[str, Any]) -> bytes:
    """The Events API wrapper around one event."""
    return json.dumps(
        {
            "token": "XXYYZZ",
            "team_id": "T123ABC456",
            "api_app_id": "A123ABC456",
            "event": event,
            "type": "event_callback",
            "authorizations": [
                {
                    "team_id": "T123ABC456",
                    "user_id": BOT,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "event_id": "Ev123ABC456",
            "event_time": 1515449522,
        }
    ).encode()


def message(text: str, **fields: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel": "C123ABC456",
        "user": "U061F7AUR",
        "text": text,
        "ts": "1355517523.000005",
        "channel_type": "channel",
        **fields,
    }


def signed(body: bytes, *, at: datetime = NOW, secret: str = SECRET) -> dict[str, str]:
    stamp = str(int(at.timestamp()))
    base = f"v0:{stamp}:".encode() + body
    digest = hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return {"x-slack-request-timestamp": stamp, "x-slack-signature": f"v0={digest}"}


def changes(event: dict[str, Any]) -> list[Any]:
    body = callback(event)
    return list(CONNECTOR.parse(CONFIG, signed(body), body).changes)


def the_upsert(event: dict[str, Any]) -> MentionUpsert:
    [change] = changes(event)
    assert isinstance(change, MentionUpsert)
    return change


# -- handshake and url_verification -------------------------------------------------------------


def test_there_is_no_get_handshake() -> None:
    assert CONNECTOR.handshake(CONFIG, {}).status == 405


def test_url_verification_echoes_the_challenge() -> None:
    body = json.dumps(
        {
            "token": "Jhj5dZrVaK7ZwHHjRyZWjbDl",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    CONNECTOR.verify(CONFIG, signed(body), body, NOW)
    assert CONNECTOR.parse(CONFIG, signed(body), body) == Parsed(
        reply=Reply(200, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P", "text/plain")
    )


def test_url_verification_without_challenge_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match=re.escape("challenge: missing")):
        CONNECTOR.parse(CONFIG, {}, b'{"type": "url_verification"}')


# -- signature ----------------------------------------------------------------------------------


def test_a_request_signed_with_the_signing_secret_verifies() -> None:
    body = callback(message("hi Acme"))
    CONNECTOR.verify(CONFIG, signed(body), body, NOW)


def test_slacks_documented_worked_example_verifies() -> None:
    """The example in Slack's "Verifying requests from Slack" (a slash command body)."""
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
        b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
        b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2F"
        b"commands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    headers = {
        "x-slack-request-timestamp": "1531420618",
        "x-slack-signature": "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
    }
    CONNECTOR.verify(CONFIG, headers, body, datetime.fromtimestamp(1531420618 + 60, UTC))


def test_another_secret_is_refused() -> None:
    body = callback(message("hi Acme"))
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, signed(body, secret="other"), body, NOW)


def test_the_timestamp_is_part_of_what_is_signed() -> None:
    body = callback(message("hi Acme"))
    headers = {**signed(body), "x-slack-request-timestamp": str(int(NOW.timestamp()) - 1)}
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, headers, body, NOW)


@pytest.mark.parametrize("shift", [timedelta(minutes=-6), timedelta(minutes=6)])
def test_a_timestamp_more_than_five_minutes_from_now_is_a_replay(shift: timedelta) -> None:
    body = callback(message("hi Acme"))
    with pytest.raises(SignatureRefused, match="5 minutes"):
        CONNECTOR.verify(CONFIG, signed(body, at=NOW + shift), body, NOW)


def test_four_minutes_of_clock_skew_are_tolerated() -> None:
    body = callback(message("hi Acme"))
    CONNECTOR.verify(CONFIG, signed(body, at=NOW - timedelta(minutes=4)), body, NOW)


@pytest.mark.parametrize("missing", ["x-slack-signature", "x-slack-request-timestamp"])
def test_missing_headers_are_refused(missing: str) -> None:
    body = callback(message("hi Acme"))
    headers = signed(body)
    del headers[missing]
    with pytest.raises(SignatureRefused, match="missing"):
        CONNECTOR.verify(CONFIG, headers, body, NOW)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("x-slack-signature", "v1=" + "0" * 64),
        ("x-slack-signature", "v0=zz"),
        ("x-slack-signature", "sha256=abc"),
        ("x-slack-request-timestamp", "soon"),
        ("x-slack-request-timestamp", "-1"),
    ],
)
def test_malformed_headers_are_refused(name: str, value: str) -> None:
    body = callback(message("hi Acme"))
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {**signed(body), name: value}, body, NOW)


# -- events -------------------------------------------------------------------------------------


def test_an_app_mention_becomes_a_slack_mention() -> None:
    event = {
        "type": "app_mention",
        "user": "U061F7AUR",
        "text": f"<@{BOT}> is it everything a river should be?",
        "ts": "1515449522.000016",
        "channel": "C123ABC456",
        "event_ts": "1515449522000016",
    }
    mention = the_upsert(event).mention
    assert (mention.platform, mention.external_id) == ("slack", "C123ABC456:1515449522.000016")
    assert mention.text == f"<@{BOT}> is it everything a river should be?"
    assert (mention.author.id, mention.author.handle) == ("U061F7AUR", "U061F7AUR")
    assert mention.created_at == datetime(2018, 1, 8, 22, 12, 2, 16, tzinfo=UTC)
    assert mention.in_reply_to is None


@pytest.mark.parametrize("text", ["Is ACME down?", "love acme!", "ping @acme-app please"])
def test_a_message_matching_a_keyword_is_a_mention(text: str) -> None:
    assert the_upsert(message(text)).mention.text == text


@pytest.mark.parametrize("text", ["acmecorp is a competitor", "nothing here", ""])
def test_a_message_without_a_whole_keyword_is_ignored(text: str) -> None:
    assert changes(message(text)) == []


def test_a_thread_reply_points_at_its_thread() -> None:
    event = message("Acme fixed it", ts="1355517600.000100", thread_ts="1355517523.000005")
    mention = the_upsert(event).mention
    assert mention.in_reply_to == "C123ABC456:1355517523.000005"


@pytest.mark.parametrize(
    "event",
    [
        message("Acme deploy finished", bot_id="B123ABC456"),
        message("Acme deploy finished", subtype="bot_message", bot_id="B1", username="ci"),
        message("<@U061F7AUR> has joined the channel (Acme)", subtype="channel_join"),
        {"type": "app_mention", "bot_id": "B1", "text": "Acme", "ts": "1.2", "channel": "C1"},
    ],
)
def test_bot_messages_and_channel_notices_are_not_mentions(event: dict[str, Any]) -> None:
    assert changes(event) == []


def test_an_edit_upserts_the_edited_message_under_its_original_ts() -> None:
    event = {
        "type": "message",
        "subtype": "message_changed",
        "hidden": True,
        "channel": "C123ABC456",
        "ts": "1358878755.000001",
        "message": {
            "type": "message",
            "user": "U123ABC456",
            "text": "Hello, Acme!",
            "ts": "1355517523.000005",
            "edited": {"user": "U123ABC456", "ts": "1358878755.000001"},
        },
        "previous_message": {
            "type": "message",
            "user": "U123ABC456",
            "text": "Hello, world!",
            "ts": "1355517523.000005",
        },
    }
    mention = the_upsert(event).mention
    assert (mention.external_id, mention.text) == ("C123ABC456:1355517523.000005", "Hello, Acme!")
    assert mention.author.id == "U123ABC456"
    # The edit's own time orders versions: an older payload replayed never reverts this one.
    # To the millisecond, as the store keeps it (edited.ts ends in …000001).
    assert mention.revised_at == datetime(2013, 1, 22, 18, 19, 15, tzinfo=UTC)


def test_an_edit_that_drops_the_keyword_still_updates_the_mention() -> None:
    event = message(
        "",
        subtype="message_changed",
        message={"type": "message", "user": "U1", "text": "never mind", "ts": "1.000001"},
        previous_message={
            "type": "message",
            "user": "U1",
            "text": "Acme is down",
            "ts": "1.000001",
        },
    )
    assert the_upsert(event).mention.text == "never mind"


def test_an_edit_that_never_concerned_the_brand_is_ignored() -> None:
    event = message(
        "",
        subtype="message_changed",
        message={"type": "message", "user": "U1", "text": "lunch at 1?", "ts": "1.000001"},
        previous_message={"type": "message", "user": "U1", "text": "lunch?", "ts": "1.000001"},
    )
    assert changes(event) == []


def test_a_deleted_message_is_a_tombstone() -> None:
    event = {
        "type": "message",
        "subtype": "message_deleted",
        "hidden": True,
        "channel": "C123ABC456",
        "ts": "1358878755.000001",
        "deleted_ts": "1358878749.000002",
    }
    assert changes(event) == [
        MentionDeleted(platform="slack", external_id="C123ABC456:1358878749.000002")
    ]


def test_other_events_and_callbacks_are_ignored() -> None:
    reaction = {"type": "reaction_added", "user": "U1", "reaction": "thumbsup", "event_ts": "1.2"}
    assert changes(reaction) == []
    limited = b'{"type": "app_rate_limited", "team_id": "T1", "minute_rate_limited": 1518467820}'
    assert CONNECTOR.parse(CONFIG, {}, limited) == Parsed()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"type": "event_callback"}', "event: missing"),
        (callback({"type": "app_mention", "user": "U1", "text": "x", "channel": "C1"}), "event.ts"),
        (
            callback({"type": "app_mention", "user": "U1", "text": "x", "ts": "1.2"}),
            "event.channel",
        ),
        (callback(message("Acme", ts="yesterday")), "event.ts: expected a Slack timestamp"),
        (callback(message("Acme", user=None)), "event.user: missing"),
        (callback(message("", subtype="message_deleted")), "event.deleted_ts: missing"),
        (callback(message("Acme", subtype=["x"])), "event.subtype: expected a string"),
        (b"{", "body: not JSON"),
    ],
)
def test_events_not_shaped_as_documented_are_malformed(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayload, match=re.escape(field)):
        CONNECTOR.parse(CONFIG, {}, body)


def test_slack_timestamps_keep_their_microseconds() -> None:
    assert parse_ts("1355517523.000005", "ts") == datetime(2012, 12, 14, 20, 38, 43, 5, tzinfo=UTC)
    assert parse_ts("1355517523", "ts").microsecond == 0
