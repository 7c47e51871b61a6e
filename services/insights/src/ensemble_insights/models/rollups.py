"""Rollup documents: where each contribution is stored, and how two of them add up.

Two layers of the same numbers:

- `q`, per workspace, family and UTC day, by quarter-hour (bucket "0".."95"): exact for every
  time zone (all offsets are multiples of 15 minutes), read for hourly series and to re-derive
  days after a time-zone change;
- `d`, per workspace, family and *local* month in the workspace's time zone, by local day
  (bucket "01".."31"): what ranges of days read, a handful of small documents for 90 days.

And `now`, per workspace: stocks that are not dated (submissions by current status, seats).
Content is `{"c": {series: {bucket: n}}, "e": {entry id: payload}}`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

Content = dict[str, Any]


class Ref(NamedTuple):
    """Which rollup document: layer, workspace, family, period (and the zone of a `d`)."""

    layer: str
    workspace: str
    family: str
    period: str
    zone: str = ""


class View(NamedTuple):
    """How a workspace's rollups are read now: the zone its days are kept in, and a stamp the
    projection renews after each write to them (None: unknown, read everything afresh)."""

    zone: str
    stamp: str | None = None


def empty() -> Content:
    return {"c": {}, "e": {}}


def add(into: Content, delta: Content) -> Content:
    """`into` + `delta` (in place; returns `into`). Zeroed buckets and series are dropped."""
    counters: dict[str, dict[str, int]] = into.setdefault("c", {})
    for series, buckets in delta.get("c", {}).items():
        target = counters.setdefault(series, {})
        for bucket, amount in buckets.items():
            total = target.get(bucket, 0) + amount
            if total:
                target[bucket] = total
            else:
                target.pop(bucket, None)
        if not target:
            counters.pop(series, None)
    into.setdefault("e", {}).update(delta.get("e", {}))
    return into
