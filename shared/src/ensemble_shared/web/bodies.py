"""The one way request JSON is parsed: with a nesting limit, checked before parsing.

Python's `json` recurses once per level: a body of 100,000 `[` raises RecursionError (a 500)
in whatever parses it, and a few hundred levels pass the parser but not the store (MongoDB
refuses documents nested deeper than 100) nor the recursive code in between. So the depth is
measured first, without recursion and at C speed (strings removed, then innermost brackets
peeled off one level per pass), and a body deeper than `MAX_DEPTH` is refused as such.
"""

from __future__ import annotations

import json
import re
from itertools import accumulate
from typing import Any

MAX_DEPTH = 64
"""Levels of arrays and objects a request body may nest; stored documents add their own."""

_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_ONE_KIND = bytes.maketrans(b"{}", b"[]")  # depth only: an object nests like an array


class JsonTooDeep(ValueError):
    """Nested deeper than allowed: refused before parsing."""


def _brackets(raw: bytes) -> bytes:
    """Only the brackets outside strings, every one as `[` or `]`."""
    return _STRING.sub(b"", raw).translate(_ONE_KIND, _NOT_BRACKETS)


def json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest in `raw` (brackets inside strings do not count)."""
    steps = (1 if byte == ord("[") else -1 for byte in _brackets(raw))
    return max(accumulate(steps, initial=0))


def within_depth(raw: bytes, max_depth: int = MAX_DEPTH) -> bool:
    """Whether `raw` nests at most `max_depth` levels (malformed brackets may answer False)."""
    brackets = _brackets(raw)
    if brackets.count(b"[") <= max_depth:
        return True
    for _ in range(max_depth):  # one pass peels exactly the innermost level, everywhere
        brackets = brackets.replace(b"[]", b"")
        if not brackets:
            return True
    return json_depth(raw) <= max_depth  # not empty: too deep, or brackets that do not pair


def parse_json(raw: bytes | str, *, max_depth: int = MAX_DEPTH) -> Any:
    """The JSON value in `raw`; JsonTooDeep when it nests deeper than `max_depth`, another
    ValueError (json.JSONDecodeError, UnicodeDecodeError) when it is not JSON."""
    data = raw.encode() if isinstance(raw, str) else raw
    if not within_depth(data, max_depth):
        raise JsonTooDeep(f"JSON nested deeper than {max_depth} levels is not accepted")
    return json.loads(data)
