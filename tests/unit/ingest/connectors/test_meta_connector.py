"""The Meta connector: Page `feed` changes (facebook) and Instagram `mentions`."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import UTC, datetime
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
from ensemble_ingest.connectors.webhooks.meta import MetaConnector
from ensemble_ingest.models.sources import MetaConfig

CONNECTOR = MetaConnector()
PAGE_ID = "104365412345678"
APP_SECRET = "app-secret-1"
CONFIG = MetaConfig(app_secret=APP_SECRET, verify_token="meatyhamhock", page_id=PAGE_ID)
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def page_change(value: dict[str, Any], *, field: str = "feed") -> bytes:
    """A Page notification as Meta sends it: object, entry[] with id/time, changes[]."""
    return json.dumps(
        {
            "object": "page",
            "entry": [
                {"id": PAGE_ID, "time": 1772366400, "changes": [{"field": field, "value": value}]}
            ],
        }
    ).encode()


def comment(**value: Any) -> dict[str, Any]:
    return {
        "from": {"id": "2244994945", "name": "Jane Doe"},
        "post": {"status_type": "added_photos", "is_published": True, "id": f"{PAGE_ID}_555"},
        "message": "Is the Acme app down for anyone else?",
        "post_id": f"{PAGE_ID}_555",
        "comment_id": "555_777",
        "parent_id": f"{PAGE_ID}_555",
        "created_time": 1772366390,
        "item": "comment",
        "verb": "add",
        **value,
    }


def signature(body: bytes, secret: str = APP_SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {"x-hub-signature-256": f"sha256={digest}", "content-type": "application/json"}


def the_upsert(body: bytes) -> MentionUpsert:
    [change] = CONNECTOR.parse(CONFIG, signature(body), body).changes
    assert isinstance(change, MentionUpsert)
    return change


# -- handshake ----------------------------------------------------------------------------------


def test_the_subscription_check_echoes_the_challenge_as_text() -> None:
    query = {
        "hub.mode": "subscribe",
        "hub.challenge": "1158201444",
        "hub.verify_token": "meatyhamhock",
    }
    assert CONNECTOR.handshake(CONFIG, query) == Reply(200, "1158201444", "text/plain")


@pytest.mark.parametrize(
    "query",
    [
        {"hub.mode": "subscribe", "hub.challenge": "1158201444", "hub.verify_token": "wrong"},
        {
            "hub.mode": "unsubscribe",
            "hub.challenge": "1158201444",
            "hub.verify_token": "meatyhamhock",
        },
        {"hub.mode": "subscribe", "hub.verify_token": "meatyhamhock"},
        {},
    ],
)
def test_a_wrong_subscription_check_is_forbidden(query: dict[str, str]) -> None:
    assert CONNECTOR.handshake(CONFIG, query).status == 403


# -- signature ----------------------------------------------------------------------------------


def test_a_body_signed_with_the_app_secret_verifies() -> None:
    body = page_change(comment())
    CONNECTOR.verify(CONFIG, signature(body), body, NOW)


def test_a_body_signed_with_another_secret_is_refused() -> None:
    body = page_change(comment())
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, signature(body, "other"), body, NOW)


def test_a_body_changed_after_signing_is_refused() -> None:
    body = page_change(comment())
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, signature(body), body.replace(b"down", b"up"), NOW)


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(SignatureRefused, match="missing x-hub-signature-256"):
        CONNECTOR.verify(CONFIG, {"content-type": "application/json"}, b"{}", NOW)


@pytest.mark.parametrize("value", ["sha1=" + "0" * 40, "sha256=not-hex", "sha256=", "garbage"])
def test_a_malformed_signature_is_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {"x-hub-signature-256": value}, b"{}", NOW)


# -- feed ---------------------------------------------------------------------------------------


def test_a_comment_on_the_page_becomes_a_facebook_mention() -> None:
    mention = the_upsert(page_change(comment())).mention
    assert (mention.platform, mention.external_id) == ("facebook", "555_777")
    assert mention.text == "Is the Acme app down for anyone else?"
    assert (mention.author.id, mention.author.handle, mention.author.display_name) == (
        "2244994945",
        "2244994945",
        "Jane Doe",
    )
    assert mention.in_reply_to == f"{PAGE_ID}_555"
    assert mention.created_at == datetime.fromtimestamp(1772366390, UTC)
    assert mention.revised_at == datetime.fromtimestamp(1772366400, UTC)  # the change's time


def test_a_visitor_post_becomes_a_mention_with_its_permalink() -> None:
    value = {
        "from": {"id": "2244994945", "name": "Jane Doe"},
        "item": "status",
        "post_id": f"{PAGE_ID}_888",
        "verb": "add",
        "published": 1,
        "created_time": 1772366000,
        "message": "Shout-out to the Acme support team",
        "permalink_url": "https://www.facebook.com/104365412345678/posts/888",
    }
    mention = the_upsert(page_change(value)).mention
    assert (mention.external_id, mention.in_reply_to) == (f"{PAGE_ID}_888", None)
    assert str(mention.url) == "https://www.facebook.com/104365412345678/posts/888"


def test_an_edit_is_an_upsert_with_the_new_text() -> None:
    value = comment(verb="edited", message="Never mind, it's back", edited_time=1772366500)
    assert the_upsert(page_change(value)).mention.text == "Never mind, it's back"


def test_a_removed_comment_is_a_tombstone() -> None:
    value = comment(verb="remove")
    del value["message"]
    body = page_change(value)
    assert CONNECTOR.parse(CONFIG, signature(body), body).changes == [
        MentionDeleted(platform="facebook", external_id="555_777")
    ]


def test_a_removed_post_is_a_tombstone_of_the_post() -> None:
    body = page_change({"item": "post", "verb": "remove", "post_id": f"{PAGE_ID}_888"})
    assert CONNECTOR.parse(CONFIG, signature(body), body).changes == [
        MentionDeleted(platform="facebook", external_id=f"{PAGE_ID}_888")
    ]


@pytest.mark.parametrize("page_id", [PAGE_ID, None])
def test_what_the_page_itself_writes_is_skipped(page_id: str | None) -> None:
    """The page is `page_id` when configured, else the entry's id (the page subscribed)."""
    config = CONFIG.model_copy(update={"page_id": page_id})
    body = page_change(comment(**{"from": {"id": PAGE_ID, "name": "Acme"}}))
    assert CONNECTOR.parse(config, signature(body), body) == Parsed()


@pytest.mark.parametrize(
    "value",
    [
        comment(item="reaction", reaction_type="love"),
        comment(verb="hide", is_hidden=True),
        comment(item="share", share_id="1"),
    ],
)
def test_reactions_hides_and_shares_are_not_mentions(value: dict[str, Any]) -> None:
    body = page_change(value)
    assert CONNECTOR.parse(CONFIG, signature(body), body) == Parsed()


def test_other_page_fields_and_objects_are_ignored() -> None:
    ratings = page_change({"verb": "add", "item": "rating", "rating": 5}, field="ratings")
    user = json.dumps({"object": "user", "entry": [{"id": "1", "time": 1, "changes": []}]})
    assert CONNECTOR.parse(CONFIG, {}, ratings) == Parsed()
    assert CONNECTOR.parse(CONFIG, {}, user.encode()) == Parsed()


def test_batched_entries_and_changes_all_come_out() -> None:
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": PAGE_ID,
                    "time": 1772366400,
                    "changes": [
                        {"field": "feed", "value": comment(comment_id="1_1")},
                        {"field": "feed", "value": comment(comment_id="1_2", verb="remove")},
                    ],
                },
                {
                    "id": PAGE_ID,
                    "time": 1772366401,
                    "changes": [{"field": "feed", "value": comment()}],
                },
            ],
        }
    ).encode()
    kinds = [c.kind for c in CONNECTOR.parse(CONFIG, signature(body), body).changes]
    assert kinds == ["upsert", "deleted", "upsert"]


def test_without_created_time_the_notification_time_is_used() -> None:
    value = comment()
    del value["created_time"]
    assert the_upsert(page_change(value)).mention.created_at == datetime.fromtimestamp(
        1772366400, UTC
    )


def test_a_comment_without_comment_id_is_malformed_and_the_field_named() -> None:
    value = comment()
    del value["comment_id"]
    with pytest.raises(
        MalformedPayload, match=re.escape("entry[0].changes[0].value.comment_id: missing")
    ):
        CONNECTOR.parse(CONFIG, {}, page_change(value))


def test_a_post_without_post_id_is_malformed() -> None:
    value = {"from": {"id": "1", "name": "J"}, "item": "status", "verb": "add", "message": "hi"}
    with pytest.raises(MalformedPayload, match=re.escape("entry[0].changes[0].value.post_id")):
        CONNECTOR.parse(CONFIG, {}, page_change(value))


def test_an_added_comment_without_author_is_malformed() -> None:
    value = comment()
    del value["from"]
    with pytest.raises(MalformedPayload, match=re.escape("value.from: missing")):
        CONNECTOR.parse(CONFIG, {}, page_change(value))


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"object": "page", "entry": {}}', "entry: expected a list"),
        (b'{"entry": []}', "object: missing"),
        (b"<html>", "body: not JSON"),
    ],
)
def test_a_body_not_shaped_as_documented_is_malformed(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayload, match=re.escape(field)):
        CONNECTOR.parse(CONFIG, {}, body)


# -- instagram ----------------------------------------------------------------------------------


def instagram(value: dict[str, Any], field: str = "mentions") -> bytes:
    return json.dumps(
        {
            "object": "instagram",
            "entry": [
                {
                    "id": "17841405726653026",
                    "time": 1520622968,
                    "changes": [{"field": field, "value": value}],
                }
            ],
        }
    ).encode()


def test_an_instagram_comment_mention_has_ids_and_no_text() -> None:
    body = instagram({"comment_id": "17894227972186120", "media_id": "17918195224117851"})
    mention = the_upsert(body).mention
    assert (mention.platform, mention.external_id) == ("instagram", "17894227972186120")
    assert (mention.text, mention.url) == ("", None)
    assert mention.in_reply_to == "17918195224117851"
    assert mention.author.id == "unknown"
    assert mention.created_at == datetime.fromtimestamp(1520622968, UTC)


def test_an_instagram_caption_mention_is_the_media() -> None:
    mention = the_upsert(instagram({"media_id": "17918195224117851"})).mention
    assert (mention.external_id, mention.in_reply_to) == ("17918195224117851", None)


def test_other_instagram_fields_are_ignored() -> None:
    body = instagram({"id": "1", "text": "nice", "from": {"id": "2", "username": "x"}}, "comments")
    assert CONNECTOR.parse(CONFIG, {}, body) == Parsed()


def test_an_instagram_mention_without_media_id_is_malformed() -> None:
    with pytest.raises(
        MalformedPayload, match=re.escape("entry[0].changes[0].value.media_id: missing")
    ):
        CONNECTOR.parse(CONFIG, {}, instagram({"comment_id": "1"}))
