"""Keyset pagination for every list: one opaque cursor, one filter, one page-size cap.

A page is read newest first by (a sort time, then `_id`), so the cursor is the position of the
last item returned: base64 JSON of (time, id). Offsets would skip or repeat items while the
list grows, and FerretDB scans the skipped rows anyway. A list a caller may also read oldest
first (`ascending=True`) marks its cursors with that direction, so a cursor given back with the
other order is refused rather than silently skipping the whole list.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any, TypeVar

from pymongo import ASCENDING, DESCENDING

from ensemble_shared.errors import Invalid

MAX_PAGE_SIZE = 200
DEFAULT_PAGE_SIZE = 50

Position = tuple[datetime, str]
T = TypeVar("T")
_ASCENDING_MARK = "asc"
"""Third element of an oldest-first cursor; newest-first cursors keep their two elements."""


def encode_cursor(at: datetime, key: str, *, ascending: bool = False) -> str:
    values = [at.isoformat(), key, *([_ASCENDING_MARK] if ascending else [])]
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode()


def decode_cursor(cursor: str, *, ascending: bool = False) -> Position:
    """The position a cursor names; ValueError when it was not made by `encode_cursor`, or
    was made for the other direction."""
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        at, key, *mark = values
        position = datetime.fromisoformat(at), str(key)
    except (ValueError, TypeError, UnicodeEncodeError, binascii.Error) as exc:
        raise ValueError("cursor: not a cursor this API returned") from exc
    if position[0].tzinfo is None or mark not in ([], [_ASCENDING_MARK]):
        raise ValueError("cursor: not a cursor this API returned")
    if bool(mark) != ascending:
        raise ValueError("cursor: made for the other order; start again from the first page")
    return position


def parse_cursor(cursor: str | None, *, ascending: bool = False) -> Position | None:
    """A request's cursor, or None for the first page; `Invalid` (422) for a made-up cursor
    or one made for the other direction."""
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor, ascending=ascending)
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


def following(field: str, position: Position | None, *, ascending: bool = False) -> dict[str, Any]:
    """Filter for the items after `position` in the given direction."""
    return newer_than(field, position) if ascending else older_than(field, position)


def keyset_sort(field: str, *, ascending: bool = False) -> list[tuple[str, int]]:
    """The sort that matches `following`: `field`, then `_id`, both the same way (one index,
    `(…, field, _id)`, serves both directions: a store walks it either way)."""
    way = ASCENDING if ascending else DESCENDING
    return [(field, way), ("_id", way)]


def next_cursor(
    items: Sequence[T],
    limit: int,
    position: Callable[[T], Position],
    *,
    ascending: bool = False,
) -> str | None:
    """The cursor of the page after `items`, or None when this page was the last one."""
    if not items or len(items) < limit:
        return None
    return encode_cursor(*position(items[-1]), ascending=ascending)
