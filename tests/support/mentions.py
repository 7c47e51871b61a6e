"""Signed generic-webhook mentions, built the way a real sender would."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from ensemble_shared.events import Author, MentionData, MentionReceivedV1, new_id, utcnow
from ensemble_shared.signatures import sign


def mention_body(
    external_id: str, *, text: str = "I love the new app", platform: str = "forum"
) -> bytes:
    now = datetime.now(UTC)
    payload: dict[str, Any] = {
        "type": "mention.created",
        "timestamp": now.isoformat(),
        "data": {
            "platform": platform,
            "external_id": external_id,
            "url": f"https://forum.example.org/t/{external_id}",
            "author": {"id": f"user-{external_id}", "handle": "camille", "display_name": "Camille"},
            "text": text,
            "language": "en",
            "created_at": now.isoformat(),
        },
    }
    return json.dumps(payload).encode()


def signed(secret: str, body: bytes, *, age: timedelta = timedelta(0)) -> dict[str, str]:
    headers = sign(
        [secret], message_id=f"msg_{new_id()}", timestamp=datetime.now(UTC) - age, body=body
    )
    return {**headers, "content-type": "application/json"}


def a_mention() -> MentionReceivedV1:
    """A received-mention event as ingest announces it."""
    return MentionReceivedV1(
        source="ensemble/ingest",
        subject="m-1",
        workspace="acme",
        data=MentionData(
            mention_id="m-1",
            platform="mastodon",
            external_id="109",
            author=Author(id="42", handle="@camille@mastodon.social"),
            text="Bonjour !",
            created_at=utcnow(),
        ),
    )
