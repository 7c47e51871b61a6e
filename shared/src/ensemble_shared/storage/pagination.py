"""Keyset pagination for every list: one opaque cursor, one filter, one page-size cap.

A page is read newest first by (a sort time, then `_id`), so the cursor is the position of the
last item returned: base64 JSON of (time, id). Offsets would skip or repeat items while the
list grows, and FerretDB scans the skipped rows anyway.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from ensemble_shared.errors import Invalid

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

Position = tuple[datetime, str]
T = TypeVar("T")


def encode_cursor(at: datetime, key: str) -> str:
    raw = json.dumps([at.isoformat(), key])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> Position:
    """The position a cursor names; ValueError when it was not made by `encode_cursor`."""
    try:
        at, key = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        position = datetime.fromisoformat(at), str(key)
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("cursor: not a cursor this API returned") from exc
    if position[0].tzinfo is None:
        raise ValueError("cursor: not a cursor this API returned")
    return position


def parse_cursor(cursor: str | None) -> Position | None:
    """A request's cursor, or None for the first page; `Invalid` (422) for a made-up cursor."""
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise Invalid(str(exc)) from exc


def older_than(field: str, position: Position | None) -> dict[str, Any]:
    """Filter for the items after `position` in newest-first order (`field` desc, `_id` desc)."""
    if position is None:
        return {}
    at, key = position
    return {"$or": [{field: {"$lt": at}}, {field: at, "_id": {"$lt": key}}]}


def newer_than(field: str, position: Position | None) -> dict[str, Any]:
    """Filter for the items after `position` in oldest-first order (`field` asc, `_id` asc)."""
    if position is None:
        return {}
    at, key = position
    return {"$or": [{field: {"$gt": at}}, {field: at, "_id": {"$gt": key}}]}


def next_cursor(items: Sequence[T], limit: int, position: Callable[[T], Position]) -> str | None:
    """The cursor of the page after `items`, or None when this page was the last one."""
    if not items or len(items) < limit:
        return None
    return encode_cursor(*position(items[-1]))
