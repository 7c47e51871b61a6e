"""The X connector: Account Activity CRC, signatures, tweet_create_events and deletions."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ensemble_ingest.connectors.base import (
    MalformedPayload,
    MentionDeleted,
    MentionUpsert,
    Parsed,
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks.x import XConnector, parse_x_time
from ensemble_ingest.models.sources import XConfig

CONNECTOR = XConnector()
BRAND = "2244994945"
SECRET = "z3ZX4v7mAAUGykl3EcmkqbartmuW8VFOOzCloLx9Q45P0hLrFu"
CONFIG = XConfig(consumer_secret=SECRET, brand_user_id=BRAND)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def user(id_str: str = "1050118621", screen_name: str = "camille_b") -> dict[str, Any]:
    return {
        "id": int(id_str),
        "id_str": id_str,
        "name": "Camille B.",
        "screen_name": screen_name,
        "followers_count": 312,
    }


def tweet(**fields: Any) -> dict[str, Any]:
    """A v1.1 Tweet object as Account Activity delivers it."""
    return {
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "id": 1050118621198921728,
        "id_str": "1050118621198921728",
        "text": "@AcmeSupport my order never arrived",
        "truncated": False,
        "in_reply_to_status_id": 1050118000000000000,
        "in_reply_to_status_id_str": "1050118000000000000",
        "in_reply_to_user_id_str": BRAND,
        "in_reply_to_screen_name": "AcmeSupport",
        "user": user(),
        "entities": {"hashtags": [], "urls": [], "user_mentions": [], "symbols": []},
        "lang": "en",
        **fields,
    }


def created(*tweets: dict[str, Any], **top: Any) -> bytes:
    payload = {"for_user_id": BRAND, "user_has_blocked": "false", **top}
    payload["tweet_create_events"] = list(tweets)
    return json.dumps(payload).encode()


def signature(body: bytes, secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return {"x-twitter-webhooks-signature": "sha256=" + base64.b64encode(digest).decode()}


def the_upsert(body: bytes) -> MentionUpsert:
    [change] = CONNECTOR.parse(CONFIG, signature(body), body).changes
    assert isinstance(change, MentionUpsert)
    return change


# -- CRC ----------------------------------------------------------------------------------------


def test_the_crc_answers_with_the_base64_hmac_of_the_token_as_json() -> None:
    token = "9b4507b3-9040-4669-9ca3-6b94edb50553"
    reply = CONNECTOR.handshake(CONFIG, {"crc_token": token})
    expected = hmac.new(SECRET.encode(), token.encode(), hashlib.sha256).digest()
    assert (reply.status, reply.media_type) == (200, "application/json")
    assert json.loads(reply.body) == {
        "response_token": "sha256=" + base64.b64encode(expected).decode()
    }


def test_a_crc_without_token_is_a_bad_request() -> None:
    assert CONNECTOR.handshake(CONFIG, {}).status == 400


def test_the_crc_answers_the_token_shape_x_sends() -> None:
    """Base64 of a UUID, as X sends it (seen in request logs)."""
    token = "M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0"
    assert CONNECTOR.handshake(CONFIG, {"crc_token": token}).status == 200


@pytest.mark.parametrize(
    "token",
    [
        created(tweet(text="@AcmeSupport forged")).decode(),
        '{"tweet_delete_events": []}',
        "a b",
        "x" * 257,
        "caf\u00e9",
    ],
)
def test_the_crc_refuses_a_token_not_shaped_as_x_sends_it(token: str) -> None:
    """Answering a JSON body would sign it: the CRC is not a signing service."""
    reply = CONNECTOR.handshake(CONFIG, {"crc_token": token})
    assert (reply.status, reply.body) == (400, "crc_token is not shaped as X sends it")


@settings(max_examples=300)
@given(token=st.text(min_size=1, max_size=300) | st.from_regex(r"[\w+/=.~-]+", fullmatch=True))
def test_no_body_the_crc_signs_is_ever_accepted(token: str) -> None:
    """Whatever an attacker asks the CRC to answer, posting it with that answer is refused."""
    reply = CONNECTOR.handshake(CONFIG, {"crc_token": token})
    if reply.status != 200:
        return
    answer = {"x-twitter-webhooks-signature": json.loads(reply.body)["response_token"]}
    with pytest.raises(SignatureRefused, match="crc_token"):
        CONNECTOR.verify(CONFIG, answer, token.encode(), NOW)


# -- signature ----------------------------------------------------------------------------------


def test_a_body_signed_with_the_consumer_secret_verifies() -> None:
    body = created(tweet())
    CONNECTOR.verify(CONFIG, signature(body), body, NOW)


def test_a_body_signed_with_another_secret_is_refused() -> None:
    body = created(tweet())
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, signature(body, "other"), body, NOW)


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(SignatureRefused, match="missing"):
        CONNECTOR.verify(CONFIG, {}, created(tweet()), NOW)


@pytest.mark.parametrize(
    "value", ["sha1=" + base64.b64encode(b"x" * 20).decode(), "sha256=***", "sha256=é", "sha256"]
)
def test_a_malformed_signature_is_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {"x-twitter-webhooks-signature": value}, b"{}", NOW)


# -- tweets -------------------------------------------------------------------------------------


def test_a_mention_of_the_brand_becomes_an_x_mention() -> None:
    mention = the_upsert(created(tweet())).mention
    assert (mention.platform, mention.external_id) == ("x", "1050118621198921728")
    assert mention.text == "@AcmeSupport my order never arrived"
    assert str(mention.url) == "https://x.com/camille_b/status/1050118621198921728"
    assert (mention.author.id, mention.author.handle) == ("1050118621", "camille_b")
    assert (mention.author.display_name, mention.author.followers) == ("Camille B.", 312)
    assert mention.in_reply_to == "1050118000000000000"
    assert mention.created_at == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    assert mention.language == "en"


def test_a_truncated_tweet_keeps_its_full_text() -> None:
    full = "@AcmeSupport " + "a long story about my order " * 8
    body = created(
        tweet(
            text=full[:117] + "… https://t.co/x", truncated=True, extended_tweet={"full_text": full}
        )
    )
    assert the_upsert(body).mention.text == full


@pytest.mark.parametrize(("lang", "kept"), [("fr", "fr"), ("und", None), ("qme", None)])
def test_only_real_languages_are_passed_on(lang: str, kept: str | None) -> None:
    assert the_upsert(created(tweet(lang=lang))).mention.language == kept


def test_the_brands_own_tweets_and_plain_retweets_are_skipped() -> None:
    own = tweet(user=user(BRAND, "AcmeSupport"))
    retweet = tweet(text="RT @AcmeSupport: new app!", retweeted_status=tweet(user=user(BRAND)))
    body = created(own, retweet)
    assert CONNECTOR.parse(CONFIG, signature(body), body) == Parsed()


def test_events_for_another_subscribed_account_are_not_this_sources() -> None:
    body = created(tweet(), for_user_id="999")
    assert CONNECTOR.parse(CONFIG, signature(body), body) == Parsed()


def test_a_deleted_tweet_is_a_tombstone() -> None:
    body = json.dumps(
        {
            "for_user_id": BRAND,
            "tweet_delete_events": [
                {
                    "status": {"id": "601430178305220608", "user_id": "3198576760"},
                    "timestamp_ms": "1432228155593",
                },
                {
                    "status": {"id": "601430178305220609", "user_id": BRAND},
                    "timestamp_ms": "1432228155593",
                },
            ],
        }
    ).encode()
    assert CONNECTOR.parse(CONFIG, signature(body), body).changes == [
        MentionDeleted(platform="x", external_id="601430178305220608")
    ]


def test_other_activities_are_ignored() -> None:
    body = json.dumps(
        {
            "for_user_id": BRAND,
            "favorite_events": [
                {"id": "a7ba59eab0bfcba386f7acedac279542", "favorited_status": tweet()}
            ],
        }
    ).encode()
    assert CONNECTOR.parse(CONFIG, signature(body), body) == Parsed()


def test_a_tweet_with_a_bad_date_is_malformed_and_the_field_named() -> None:
    with pytest.raises(
        MalformedPayload, match=re.escape("tweet_create_events[0].created_at: expected X's date")
    ):
        CONNECTOR.parse(CONFIG, {}, created(tweet(created_at="2018-10-10T20:19:24Z")))


def test_a_tweet_without_user_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match=re.escape("tweet_create_events[0].user: missing")):
        CONNECTOR.parse(CONFIG, {}, created(tweet(user=None)))


def test_a_truncated_tweet_without_extended_tweet_is_malformed() -> None:
    with pytest.raises(
        MalformedPayload, match=re.escape("tweet_create_events[0].extended_tweet: missing")
    ):
        CONNECTOR.parse(CONFIG, {}, created(tweet(truncated=True)))


def test_a_deletion_without_status_id_is_malformed() -> None:
    body = json.dumps({"tweet_delete_events": [{"status": {"user_id": "1"}}]}).encode()
    with pytest.raises(MalformedPayload, match=re.escape("tweet_delete_events[0].status.id")):
        CONNECTOR.parse(CONFIG, {}, body)


def test_x_dates_are_read_without_depending_on_the_locale() -> None:
    assert parse_x_time("Fri Sep 18 18:36:15 +0000 2020", "t") == datetime(
        2020, 9, 18, 18, 36, 15, tzinfo=UTC
    )
    assert parse_x_time("Fri Sep 18 20:36:15 +0200 2020", "t") == datetime(
        2020, 9, 18, 18, 36, 15, tzinfo=UTC
    )
    with pytest.raises(MalformedPayload):
        parse_x_time("Fri Foo 18 18:36:15 +0000 2020", "t")
    with pytest.raises(MalformedPayload):
        parse_x_time("Fri Feb 31 18:36:15 +0000 2020", "t")
