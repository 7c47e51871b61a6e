"""Envelope fields of the events scheduler sends, and opaque list cursors."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_shared.errors import Invalid
from ensemble_shared.events import new_id
from ensemble_shared.logs import correlation_id
from ensemble_shared.storage import pagination

SOURCE = "ensemble/scheduler"


def envelope(workspace: str, content_id: str) -> dict[str, Any]:
    """Subject = the content item: all of an item's events stay in order on one partition."""
    return {
        "source": SOURCE,
        "subject": content_id,
        "workspace": workspace,
        "correlation_id": correlation_id.get() or new_id(),
    }


def decode_cursor(cursor: str | None) -> tuple[datetime, str] | None:
    if cursor is None:
        return None
    try:
        return pagination.decode_cursor(cursor)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
