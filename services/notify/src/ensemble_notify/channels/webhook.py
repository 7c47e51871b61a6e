"""Signed outgoing webhooks over HTTP (Standard Webhooks), one attempt per call."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence

import httpx

from ensemble_notify.models.deliveries import AttemptResult, ChannelName, Delivery
from ensemble_notify.models.notifications import Notification
from ensemble_shared.events import Event, utcnow
from ensemble_shared.events.disclosure import disclosed
from ensemble_shared.outbound import RefusedRequest
from ensemble_shared.retries import retry_after_seconds
from ensemble_shared.signatures import sign


def webhook_payload(event: Event) -> str:
    """Standard Webhooks body shape: type, timestamp, data (with the envelope's ids in it).
    Integrators get no capability: decision links and the like are their recipients' alone."""
    data = disclosed(event.data)
    data.update(
        event_id=event.id,
        workspace=event.workspace,
        subject=event.subject,
        correlation_id=event.correlation_id,
    )
    return json.dumps(
        {"type": event.type, "timestamp": event.time.isoformat(), "data": data},
        separators=(",", ":"),
    )


async def post_json(
    client: httpx.AsyncClient,
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    permanent_statuses: frozenset[int] = frozenset({410}),
) -> AttemptResult:
    """One POST; network errors and most statuses are worth retrying, `permanent_statuses` not."""
    started = time.perf_counter()
    try:
        response = await client.post(
            url,
            content=body,
            headers={
                **headers,
                "content-type": "application/json",
                "user-agent": "Ensemble-Webhooks/1",
            },
        )
    except httpx.HTTPError as exc:
        return AttemptResult(
            error=f"{type(exc).__name__}: {exc}"[:500],
            latency_ms=(time.perf_counter() - started) * 1000,
            permanent=isinstance(exc, RefusedRequest),  # the address will not change by itself
        )
    return AttemptResult(
        status_code=response.status_code,
        retry_after=retry_after_seconds(response.headers.get("retry-after")),
        latency_ms=(time.perf_counter() - started) * 1000,
        permanent=response.status_code in permanent_statuses,
    )


class WebhookSender:
    """Integrators' endpoints: the event as JSON, signed with each active secret."""

    name = ChannelName.WEBHOOK

    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    def render(self, notification: Notification) -> str:
        return webhook_payload(notification.event)

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        body = delivery.payload.encode()
        # webhook-id is the event id: a receiver dedupes on it, and a resend keeps it.
        headers = sign(secrets, message_id=delivery.event_id, timestamp=utcnow(), body=body)
        return await post_json(self._client, delivery.address, body, headers)
