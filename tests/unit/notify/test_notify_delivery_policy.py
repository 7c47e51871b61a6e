"""Notify's retry decisions and the exact webhook body."""

from __future__ import annotations

import json
import random

import pytest

from ensemble_notify.channels.webhook import webhook_payload
from ensemble_notify.models.deliveries import AttemptResult
from ensemble_notify.models.endpoints import Endpoint
from ensemble_notify.services.policy import Delivered, DeliveryPolicy, GiveUp, RetryIn
from ensemble_shared.retries import Backoff, retry_after_seconds
from support.mentions import a_mention
from support.notify_recipients import plan_deliveries

POLICY = DeliveryPolicy(max_attempts=5, backoff=Backoff(base_seconds=2, max_seconds=60))


def result(status: int | None = None, retry_after: float | None = None) -> AttemptResult:
    return AttemptResult(
        status_code=status,
        error=None if status else "ConnectError",
        retry_after=retry_after,
        latency_ms=1,
    )


@pytest.mark.parametrize("status", [200, 201, 202, 204])
def test_any_2xx_is_delivered(status: int) -> None:
    assert POLICY.decide(1, result(status)) == Delivered()


@pytest.mark.parametrize("status", [None, 400, 401, 408, 429, 500, 503])
def test_failures_are_retried_until_the_last_attempt(status: int | None) -> None:
    assert isinstance(POLICY.decide(1, result(status)), RetryIn)
    final = POLICY.decide(5, result(status))
    assert isinstance(final, GiveUp)
    assert "after 5 attempts" in final.reason


def test_410_gone_is_not_retried() -> None:
    assert POLICY.decide(1, result(410)) == GiveUp("the receiver answered 410 Gone")


def test_backoff_grows_exponentially_with_jitter_under_the_cap() -> None:
    rng = random.Random(7)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 16), (10, 60)]:
        delays = [POLICY.backoff.delay(attempt, rng) for _ in range(200)]
        assert all(ceiling / 2 <= d <= ceiling for d in delays)
        assert max(delays) - min(delays) > ceiling / 4  # spread, not one fixed value


def test_retry_after_is_honoured_but_capped() -> None:
    assert POLICY.decide(1, result(429, retry_after=30)) == RetryIn(30)
    assert POLICY.decide(1, result(503, retry_after=10_000)) == RetryIn(60)


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        (None, None),
        ("soon", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),
    ],
)
def test_retry_after_reads_seconds_and_dates(header: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(header) == seconds


def endpoint(workspace: str, events: list[str], enabled: bool = True) -> Endpoint:
    return Endpoint(
        workspace=workspace,
        url="https://hooks.example.org/x",
        events=events,
        secrets=["whsec_AA=="],
        enabled=enabled,
    )


def test_each_event_goes_once_to_each_endpoint_of_its_workspace_that_wants_it() -> None:
    event = a_mention()
    wants_all, wants_it, wants_other, disabled = (
        endpoint("acme", ["*"]),
        endpoint("acme", ["mention.received.v1"]),
        endpoint("acme", ["submission.created.v1"]),
        endpoint("acme", ["*"], enabled=False),
    )
    elsewhere = endpoint("globex", ["*"])
    planned = plan_deliveries(
        [event], {"acme": [wants_all, wants_it, wants_other, disabled], "globex": [elsewhere]}
    )
    assert sorted(d.recipient for d in planned) == sorted([wants_all.id, wants_it.id])
    assert {d.id for d in planned} == {f"{event.id}:{wants_all.id}", f"{event.id}:{wants_it.id}"}
    again = plan_deliveries([event], {"acme": [wants_all, wants_it]})
    assert [d.id for d in again] == [
        d.id for d in planned
    ]  # a redelivered event maps to the same keys


def test_the_webhook_body_is_standard_webhooks_shaped_with_the_event_ids() -> None:
    event = a_mention()
    body = json.loads(webhook_payload(event))
    assert body["type"] == "mention.received.v1"
    assert body["data"]["event_id"] == event.id
    assert body["data"]["workspace"] == "acme"
    assert body["data"]["mention_id"] == "m-1"
