"""Platform webhooks through ingest's HTTP API: handshakes answered, signed events stored."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

from ensemble_devtools.infra import Infra
from ensemble_shared.sealing import Sealer
from support.apps import SECRET_KEY
from support.ingest import Ingest
from unit.ingest.connectors.test_github_connector import SECRET, comment, issue_comment
from unit.ingest.connectors.test_github_connector import headers as github_headers
from unit.ingest.connectors.test_slack_connector import callback, message
from unit.ingest.connectors.test_slack_connector import signed as slack_signed
from unit.ingest.connectors.test_x_connector import BRAND, created, tweet
from unit.ingest.connectors.test_x_connector import signature as x_signed


async def create(ingest: Ingest, config: dict[str, object]) -> dict[str, str]:
    response = await ingest.client.post(
        "/sources", json={"name": config["platform"], "config": config}, headers=ingest.admin
    )
    assert response.status_code == 201, response.text
    created: dict[str, str] = response.json()
    assert created["secret"] is None  # platform secrets are the platform's, never echoed
    return created


async def test_slack_challenge_and_app_mention_through_the_api(ingest: Ingest) -> None:
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    source = await create(
        ingest, {"platform": "slack", "signing_secret": secret, "keywords": ["acme"]}
    )
    challenge = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    now = datetime.now(UTC)
    answer = await ingest.post(source, challenge, slack_signed(challenge, at=now, secret=secret))
    assert (answer.status_code, answer.text) == (
        200,
        "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    )
    event = callback(message("Is acme down for anyone else?", type="app_mention"))
    accepted = await ingest.post(source, event, slack_signed(event, at=now, secret=secret))
    assert accepted.status_code == 202, accepted.text
    [touched] = accepted.json()["mentions"]
    mention = (
        await ingest.client.get(f"/mentions/{touched['mention_id']}", headers=ingest.manager)
    ).json()
    assert (mention["platform"], mention["text"]) == ("slack", "Is acme down for anyone else?")
    stale = await ingest.post(
        source, event, slack_signed(event, at=datetime(2020, 1, 1, tzinfo=UTC), secret=secret)
    )
    assert stale.status_code == 401  # a replay outside five minutes


async def test_meta_handshake_and_signed_comment_through_the_api(ingest: Ingest) -> None:
    source = await create(
        ingest, {"platform": "meta", "app_secret": "shh", "verify_token": "tok", "page_id": "1"}
    )
    path = source["webhook_path"]
    ok = await ingest.client.get(
        path,
        params={"hub.mode": "subscribe", "hub.verify_token": "tok", "hub.challenge": "1158201444"},
    )
    assert (ok.status_code, ok.text) == (200, "1158201444")
    wrong = await ingest.client.get(
        path, params={"hub.mode": "subscribe", "hub.verify_token": "no", "hub.challenge": "x"}
    )
    assert wrong.status_code == 403
    body = json.dumps(
        {
            "object": "page",
            "entry": [
                {
                    "id": "1",
                    "time": 1700000000,
                    "changes": [
                        {
                            "field": "feed",
                            "value": {
                                "from": {"id": "42", "name": "Camille"},
                                "item": "comment",
                                "verb": "add",
                                "post_id": "1_2",
                                "comment_id": "2_3",
                                "parent_id": "1_2",
                                "created_time": 1700000000,
                                "message": "Le service client est génial",
                            },
                        }
                    ],
                }
            ],
        }
    ).encode()
    # The platform's secrets are sealed at rest: a copy of the database holds no credential.
    config = (await ingest.stored("sources", source["id"]))["config"]
    assert config["app_secret"].startswith("sealed:v1:")
    assert config["verify_token"].startswith("sealed:v1:")
    assert Sealer.of(SECRET_KEY).open(config["app_secret"]) == "shh"  # ingest's own key opens it
    signature = "sha256=" + hmac.new(b"shh", body, hashlib.sha256).hexdigest()
    accepted = await ingest.client.post(
        path, content=body, headers={"x-hub-signature-256": signature}
    )
    assert accepted.status_code == 202, accepted.text
    [touched] = accepted.json()["mentions"]
    mention = (
        await ingest.client.get(f"/mentions/{touched['mention_id']}", headers=ingest.manager)
    ).json()
    assert (mention["platform"], mention["triage"]["language"]) == ("facebook", "fr")
    forged = await ingest.client.post(
        path, content=body, headers={"x-hub-signature-256": "sha256=00"}
    )
    assert forged.status_code == 401
    assert await ingest.count("mentions") == 1


async def test_the_x_crc_signs_no_forged_body(ingest: Ingest, infra: Infra) -> None:
    """An attacker asks the unauthenticated CRC to "answer" a body and posts it with that answer."""
    source = await create(
        ingest, {"platform": "x", "consumer_secret": "cs", "brand_user_id": BRAND}
    )
    path = source["webhook_path"]
    forged = created(tweet(text="@AcmeSupport worst brand ever, avoid"))
    asked = await ingest.client.get(path, params={"crc_token": forged.decode()})
    assert asked.status_code == 400  # no signature handed out for a JSON body
    for token in ("M2RkODJkZmMtYjlkYi00NmQ4LTk0MGUtM2JjYzkwM2Q4MjQ0", "1", "null"):
        crc = await ingest.client.get(path, params={"crc_token": token})
        assert crc.status_code == 200, crc.text  # the real handshake keeps working
        answer = {"x-twitter-webhooks-signature": crc.json()["response_token"]}
        refused = await ingest.post(source, token.encode(), answer)
        assert refused.status_code == 401, refused.text
    for collection in ("raw_payloads", "mentions"):
        assert await ingest.count(collection) == 0
    assert await ingest.announced(infra) == []

    genuine = await ingest.post(source, forged, x_signed(forged, secret="cs"))
    assert genuine.status_code == 202, genuine.text
    assert await ingest.count("mentions") == 1


async def test_a_replayed_older_github_payload_never_reverts_an_edit(ingest: Ingest) -> None:
    """GitHub signs no timestamp: an attacker who kept the first delivery can send it again (a
    fresh delivery id, the same signed body). The comment's `updated_at` orders the versions."""
    source = await create(ingest, {"platform": "github", "webhook_secret": SECRET})
    path = source["webhook_path"]

    async def deliver(body: bytes, delivery: str) -> list[dict[str, str]]:
        sent = await ingest.client.post(
            path, content=body, headers={**github_headers(body), "x-github-delivery": delivery}
        )
        assert sent.status_code == 202, sent.text
        touched: list[dict[str, str]] = sent.json()["mentions"]
        return touched

    original = issue_comment()
    edit = issue_comment(
        "edited",
        comment=comment("Acme's login works again, thanks", updated_at="2026-02-28T10:00:00Z"),
        changes={"body": {"from": "Acme's login page is broken again"}},
    )
    [created] = await deliver(original, "d-1")
    assert (await deliver(edit, "d-2")) == [{**created, "result": "updated"}]
    assert (await deliver(original, "d-3")) == [{**created, "result": "unchanged"}]
    mention = (
        await ingest.client.get(f"/mentions/{created['mention_id']}", headers=ingest.manager)
    ).json()
    assert (mention["text"], mention["version"]) == ("Acme's login works again, thanks", 2)
    assert mention["revised_at"].startswith("2026-02-28T10:00:00")
