"""The GitHub connector: signed deliveries, issue and discussion comments matching keywords."""

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
    SignatureRefused,
)
from ensemble_ingest.connectors.webhooks.github import GitHubConnector
from ensemble_ingest.models.sources import GitHubConfig

CONNECTOR = GitHubConnector()
SECRET = "It's a Secret to Everybody"
CONFIG = GitHubConfig(webhook_secret=SECRET, keywords=["Acme"])
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
USER = {"login": "octocat", "id": 583231, "node_id": "MDQ6VXNlcjU4MzIzMQ==", "type": "User"}
REPOSITORY = {"id": 1296269, "node_id": "MDEwOlJlcG9zaXRvcnkxMjk2MjY5", "full_name": "octo/app"}


def comment(body: str = "Acme's login page is broken again", **fields: Any) -> dict[str, Any]:
    return {
        "url": "https://api.github.com/repos/octo/app/issues/comments/1146825",
        "html_url": "https://github.com/octo/app/issues/1347#issuecomment-1146825",
        "issue_url": "https://api.github.com/repos/octo/app/issues/1347",
        "id": 1146825,
        "node_id": "IC_kwDOABRsJc4AEYDJ",
        "user": USER,
        "created_at": "2026-02-28T09:15:00Z",
        "updated_at": "2026-02-28T09:15:00Z",
        "author_association": "NONE",
        "body": body,
        "reactions": {"url": "https://api.github.com/x", "total_count": 0},
        "performed_via_github_app": None,
        **fields,
    }


def issue_comment(action: str | None = "created", **top: Any) -> bytes:
    payload = {
        "action": action,
        "issue": {"id": 1, "node_id": "I_kwDOABRsJc5Abcde", "number": 1347, "title": "Login"},
        "comment": comment(),
        "repository": REPOSITORY,
        "sender": USER,
        **top,
    }
    return json.dumps(payload).encode()


def headers(body: bytes, event: str = "issue_comment", secret: str = SECRET) -> dict[str, str]:
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return {
        "x-github-event": event,
        "x-github-delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958",
        "x-hub-signature-256": f"sha256={digest}",
        "content-type": "application/json",
    }


def parse(body: bytes, event: str = "issue_comment", config: GitHubConfig = CONFIG) -> Parsed:
    return CONNECTOR.parse(config, headers(body, event), body)


def the_upsert(body: bytes, event: str = "issue_comment") -> MentionUpsert:
    [change] = parse(body, event).changes
    assert isinstance(change, MentionUpsert)
    return change


def test_there_is_no_get_handshake() -> None:
    assert CONNECTOR.handshake(CONFIG, {}).status == 405


# -- signature ----------------------------------------------------------------------------------


def test_a_delivery_signed_with_the_webhook_secret_verifies() -> None:
    body = issue_comment()
    CONNECTOR.verify(CONFIG, headers(body), body, NOW)


def test_githubs_documented_test_vector_verifies() -> None:
    """GitHub's docs: secret "It's a Secret to Everybody", payload "Hello, World!"."""
    expected = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
    signature = {"x-hub-signature-256": f"sha256={expected}"}
    CONNECTOR.verify(CONFIG, signature, b"Hello, World!", NOW)


def test_a_delivery_signed_with_another_secret_is_refused() -> None:
    body = issue_comment()
    with pytest.raises(SignatureRefused, match="does not match"):
        CONNECTOR.verify(CONFIG, headers(body, secret="other"), body, NOW)


def test_a_missing_signature_is_refused() -> None:
    with pytest.raises(SignatureRefused, match="missing"):
        CONNECTOR.verify(CONFIG, {"x-github-event": "ping"}, b"{}", NOW)


@pytest.mark.parametrize("value", ["sha1=" + "0" * 40, "sha256=xyz", "sha256"])
def test_a_malformed_signature_is_refused(value: str) -> None:
    with pytest.raises(SignatureRefused):
        CONNECTOR.verify(CONFIG, {"x-hub-signature-256": value}, b"{}", NOW)


# -- events -------------------------------------------------------------------------------------


def test_ping_yields_nothing() -> None:
    body = json.dumps(
        {"zen": "Design for failure.", "hook_id": 109948940, "hook": {"type": "Repository"}}
    ).encode()
    assert parse(body, "ping") == Parsed()


def test_an_issue_comment_with_a_keyword_becomes_a_github_mention() -> None:
    mention = the_upsert(issue_comment()).mention
    assert (mention.platform, mention.external_id) == ("github", "IC_kwDOABRsJc4AEYDJ")
    assert str(mention.url) == "https://github.com/octo/app/issues/1347#issuecomment-1146825"
    assert mention.text == "Acme's login page is broken again"
    assert (mention.author.id, mention.author.handle) == ("583231", "octocat")
    assert mention.created_at == datetime(2026, 2, 28, 9, 15, tzinfo=UTC)
    assert mention.revised_at == datetime(2026, 2, 28, 9, 15, tzinfo=UTC)  # updated_at
    assert mention.in_reply_to == "I_kwDOABRsJc5Abcde"


def test_a_comment_without_the_keyword_is_ignored() -> None:
    body = issue_comment(comment=comment("LGTM"))
    assert parse(body) == Parsed()


def test_without_keywords_every_comment_is_a_mention() -> None:
    body = issue_comment(comment=comment("LGTM"))
    [change] = parse(body, config=GitHubConfig(webhook_secret=SECRET, keywords=[])).changes
    assert isinstance(change, MentionUpsert)


def test_an_edit_that_drops_the_keyword_still_updates_the_mention() -> None:
    body = issue_comment(
        "edited", comment=comment("fixed, thanks"), changes={"body": {"from": "Acme is down"}}
    )
    assert the_upsert(body).mention.text == "fixed, thanks"


def test_an_edit_that_never_had_the_keyword_is_ignored() -> None:
    body = issue_comment("edited", comment=comment("typo"), changes={"body": {"from": "tpyo"}})
    assert parse(body) == Parsed()


def test_a_deleted_comment_is_a_tombstone() -> None:
    assert parse(issue_comment("deleted")).changes == [
        MentionDeleted(platform="github", external_id="IC_kwDOABRsJc4AEYDJ")
    ]


def test_a_discussion_comment_becomes_a_mention() -> None:
    body = json.dumps(
        {
            "action": "created",
            "discussion": {"id": 6, "node_id": "D_kwDOG5Bpc84AOkPd", "number": 90},
            "comment": comment(
                "Does Acme support SSO?",
                id=1362281,
                node_id="DC_kwDOG5Bpc84AFMlp",
                html_url="https://github.com/octo/app/discussions/90#discussioncomment-1362281",
                parent_id=None,
                child_comment_count=0,
                discussion_id=6,
                repository_url="https://api.github.com/repos/octo/app",
            ),
            "repository": REPOSITORY,
            "sender": USER,
        }
    ).encode()
    mention = the_upsert(body, "discussion_comment").mention
    assert (mention.external_id, mention.in_reply_to) == (
        "DC_kwDOG5Bpc84AFMlp",
        "D_kwDOG5Bpc84AOkPd",
    )
    assert mention.text == "Does Acme support SSO?"


@pytest.mark.parametrize("event", ["push", "issues", "pull_request", "star"])
def test_other_events_are_ignored(event: str) -> None:
    assert parse(issue_comment("opened"), event) == Parsed()


def test_unknown_comment_actions_are_ignored() -> None:
    assert parse(issue_comment("pinned")) == Parsed()


def test_a_delivery_without_event_header_is_malformed() -> None:
    with pytest.raises(MalformedPayload, match="x-github-event header: missing"):
        CONNECTOR.parse(CONFIG, {}, issue_comment())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (issue_comment(comment=comment(user=None)), "comment.user: missing"),
        (issue_comment(comment=comment(created_at="last week")), "comment.created_at: expected"),
        (issue_comment(comment=None), "comment: missing"),
        (issue_comment(action=None), "action: missing"),
        (issue_comment(comment=comment(html_url=None)), "comment.html_url: missing"),
        (issue_comment(comment=comment(html_url="not a url")), "comment: url"),
    ],
)
def test_comments_not_shaped_as_documented_are_malformed(body: bytes, field: str) -> None:
    with pytest.raises(MalformedPayload, match=re.escape(field)):
        parse(body)
