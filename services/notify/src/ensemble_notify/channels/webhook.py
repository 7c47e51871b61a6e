"""Signed outgoing webhooks over HTTP (Standard Webhooks), one attempt per call."""

from __future__ import annotations

import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime

import httpx

from ensemble_notify.models.deliveries import AttemptResult, Delivery
from ensemble_shared.events import utcnow
from ensemble_shared.signatures import sign


def retry_after_seconds(value: str | None) -> float | None:
    """Retry-After as delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


class WebhookSender:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self._client = client

    async def send(self, delivery: Delivery, secrets: Sequence[str]) -> AttemptResult:
        body = delivery.payload.encode()
        headers = sign(secrets, message_id=delivery.event_id, timestamp=utcnow(), body=body)
        started = time.perf_counter()
        try:
            response = await self._client.post(
                delivery.url,
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
            )
        return AttemptResult(
            status_code=response.status_code,
            retry_after=retry_after_seconds(response.headers.get("retry-after")),
            latency_ms=(time.perf_counter() - started) * 1000,
        )
