"""Publishing to any HTTP receiver as a Standard Webhooks signed POST.

The `webhook-id` is the publication attempt key: Standard Webhooks receivers deduplicate on it,
so settling an unknown outcome is a redelivery under the same id, which the receiver either
takes (first delivery lost) or recognises (already had it) — never a second publication.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from ensemble_scheduler.models.publishing import (
    ChannelAccount,
    Found,
    Lookup,
    Posted,
    PublicationRequest,
    PublishOutcome,
    Refused,
    Unknown,
    Unreachable,
)
from ensemble_shared.events import utcnow
from ensemble_shared.outbound import RefusedRequest
from ensemble_shared.signatures import sign


def payload(request: PublicationRequest) -> bytes:
    body: dict[str, Any] = {
        "type": "content.publish",
        "key": request.key,
        "content_id": request.content_id,
        "workspace": request.workspace,
        "channel": request.channel,
        "version": request.version,
        "kind": request.kind,
        "title": request.title,
        "text": request.text,
        "in_reply_to": request.in_reply_to,
    }
    return json.dumps(body, separators=(",", ":"), sort_keys=True).encode()


class WebhookConnector:
    def __init__(self, http: httpx.AsyncClient) -> None:
        self._http = http

    async def _deliver(
        self, account: ChannelAccount, request: PublicationRequest
    ) -> httpx.Response:
        body = payload(request)
        secret = account.secret.get_secret_value() if account.secret else ""
        headers = sign([secret], message_id=request.key, timestamp=utcnow(), body=body)
        headers["content-type"] = "application/json"
        return await self._http.post(
            str(account.base_url), content=body, headers=headers, timeout=account.timeout_seconds
        )

    @staticmethod
    def _post_id(response: httpx.Response, request: PublicationRequest) -> tuple[str, str | None]:
        try:
            answer = response.json()
            return str(answer.get("id") or request.key), answer.get("url")
        except (ValueError, AttributeError):
            return request.key, None

    async def publish(self, account: ChannelAccount, request: PublicationRequest) -> PublishOutcome:
        try:
            response = await self._deliver(account, request)
        except RefusedRequest as exc:  # never sent: an address the system does not call
            return Refused(str(exc))
        except httpx.HTTPError as exc:
            return Unknown(f"{type(exc).__name__}: {exc}")
        if response.status_code in (408, 429) or response.status_code >= 500:
            return Unknown(f"HTTP {response.status_code}")
        if response.status_code >= 400:
            return Refused(f"HTTP {response.status_code}: {response.text[:300]}")
        return Posted(*self._post_id(response, request))

    async def find(
        self, account: ChannelAccount, request: PublicationRequest, *, since: datetime
    ) -> Lookup:
        try:
            response = await self._deliver(account, request)
        except httpx.HTTPError as exc:
            return Unreachable(f"{type(exc).__name__}: {exc}")
        if 200 <= response.status_code < 300:
            return Found(*self._post_id(response, request))
        return Unreachable(f"HTTP {response.status_code}")
