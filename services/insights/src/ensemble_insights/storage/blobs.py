"""Packed documents: JSON, zlib-compressed, stored as one binary field.

FerretDB over SQLite turns every field of a document into its own value on each read (about
10-25 µs a field on this machine), and finding a row by `_id` parses the JSON of every row
before it: a rollup of a few thousand counters as fields cost 60-190 ms to read, the same
counters as one compressed binary value 2-7 ms (measured). So whatever is read as a whole is
stored as one blob, and only the fields a filter needs stay plain.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from bson import Binary


def pack(value: Any) -> Binary:
    raw = json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()
    return Binary(zlib.compress(raw, 1))


def unpack(blob: bytes) -> Any:
    return json.loads(zlib.decompress(bytes(blob)))
