"""Endpoint URLs, secret rotation, and signatures a Standard Webhooks receiver verifies."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from ensemble_notify.models.deliveries import AttemptResult, ChannelName, delivery_id
from ensemble_notify.models.endpoints import Endpoint, EndpointCreate, SigningSecret
from ensemble_notify.models.people import PersonPut
from ensemble_notify.services.policy import DeliveryPolicy, GiveUp
from ensemble_shared.signatures import new_secret, sign, verify

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/hook",
        "https://user:secret@example.org/hook",
        "https://token@example.org/hook",
        "javascript:alert(1)",
        "file:///etc/passwd",
        "not a url",
    ],
)
def test_endpoint_urls_must_be_plain_http_without_credentials(url: str) -> None:
    with pytest.raises(ValidationError):
        EndpointCreate.model_validate({"url": url})
    with pytest.raises(ValidationError):
        PersonPut.model_validate({"name": "x", "slack_webhook_url": url})


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(ValidationError):
        EndpointCreate.model_validate({"url": "https://x.org", "secrets": ["mine"]})


def standard_webhooks_verify(secret: str, headers: dict[str, str], body: bytes) -> bool:
    """The spec's algorithm, written out: HMAC-SHA256 of `id.timestamp.body` with the
    base64-decoded secret; any `v1,` signature in the space-separated header may match."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    candidates = [
        s.split(",", 1)[1] for s in headers["webhook-signature"].split(" ") if s.startswith("v1,")
    ]
    return any(hmac.compare_digest(expected, c) for c in candidates)


def test_a_rotation_signs_with_old_and_new_until_the_old_expires() -> None:
    old = new_secret()
    endpoint = Endpoint(workspace="acme", url="https://x.org", events=["*"], secrets=[old])
    new = SigningSecret(value=new_secret(), created_at=NOW)
    rotated = endpoint.rotated(new, grace=timedelta(hours=1), now=NOW)
    assert rotated.version == endpoint.version + 1
    during = rotated.signing_secrets(NOW + timedelta(minutes=59))
    assert during == [old, new.value]
    body = b'{"type":"mention.received.v1"}'
    headers = sign(during, message_id="evt_1", timestamp=datetime.now(UTC), body=body)
    assert len(headers["webhook-signature"].split(" ")) == 2
    assert all(s.startswith("v1,") for s in headers["webhook-signature"].split(" "))
    assert standard_webhooks_verify(old, headers, body)
    assert standard_webhooks_verify(new.value, headers, body)
    assert verify([new.value], headers, body) == "evt_1"
    assert not standard_webhooks_verify(new_secret(), headers, body)
    assert rotated.signing_secrets(NOW + timedelta(hours=2)) == [new.value]


def test_a_second_rotation_drops_expired_secrets_and_never_extends_a_deadline() -> None:
    endpoint = Endpoint(workspace="acme", url="https://x.org", events=["*"], secrets=["whsec_AA=="])
    first = endpoint.rotated(SigningSecret(value="whsec_BB=="), grace=timedelta(hours=1), now=NOW)
    later = NOW + timedelta(hours=2)
    second = first.rotated(SigningSecret(value="whsec_CC=="), grace=timedelta(days=1), now=later)
    assert [s.value for s in second.secrets] == ["whsec_BB==", "whsec_CC=="]
    immediate = second.rotated(SigningSecret(value="whsec_DD=="), grace=timedelta(0), now=later)
    assert immediate.signing_secrets(later) == ["whsec_DD=="]


def test_keys_are_one_per_event_recipient_and_channel() -> None:
    assert delivery_id("e", "endpoint-1", ChannelName.WEBHOOK) == "e:endpoint-1"
    assert delivery_id("e", "camille", ChannelName.EMAIL, "person") == "e:camille:email"
    assert delivery_id("e", "camille", ChannelName.IN_APP, "person") == "e:camille:in_app"
    assert delivery_id("e", "camille", ChannelName.SLACK, "person") == "e:camille:slack"
    assert delivery_id("e", "camille", ChannelName.TEAMS, "person") == "e:camille:teams"


def test_a_permanent_failure_is_not_retried() -> None:
    policy = DeliveryPolicy(max_attempts=5)
    refused = AttemptResult(
        status_code=550, error="SMTP 550 no such user", latency_ms=1, permanent=True
    )
    decision = policy.decide(1, refused)
    assert isinstance(decision, GiveUp)
    assert "550 no such user" in decision.reason
    assert AttemptResult(status_code=250, accepted=True, latency_ms=1).delivered
