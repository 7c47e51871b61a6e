"""Opaque page cursors for keyset pagination: (a sort time, the last id), base64 JSON."""

from __future__ import annotations

import base64
import json
from datetime import datetime


def encode_cursor(at: datetime, key: str) -> str:
    raw = json.dumps([at.isoformat(), key])
    return base64.urlsafe_b64encode(raw.encode()).decode()


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    """ValueError when the cursor was not made by `encode_cursor`."""
    try:
        at, key = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(at), str(key)
    except (ValueError, TypeError) as exc:  # binascii.Error is a ValueError
        raise ValueError("cursor: not a cursor this API returned") from exc
