"""Envelope fields of the events scheduler sends, and opaque list cursors."""

from __future__ import annotations

import base64
import json
from datetime import datetime
from typing import Any

from ensemble_shared.errors import Invalid
from ensemble_shared.events import new_id
from ensemble_shared.logs import correlation_id

SOURCE = "ensemble/scheduler"


def envelope(workspace: str, content_id: str) -> dict[str, Any]:
    """Subject = the content item: all of an item's events stay in order on one partition."""
    return {
        "source": SOURCE,
        "subject": content_id,
        "workspace": workspace,
        "correlation_id": correlation_id.get() or new_id(),
    }


def encode_cursor(at: datetime, last_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([at.isoformat(), last_id]).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        at, last_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(at), str(last_id)
    except (ValueError, TypeError) as exc:
        raise Invalid("cursor: not a cursor this API returned") from exc
