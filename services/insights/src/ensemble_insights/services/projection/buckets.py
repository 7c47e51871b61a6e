"""Contributions into rollup documents: UTC quarter-hours, local days, stocks "now".

A contribution dated `t` goes to the quarter-hour holding `t` (UTC) and to the local day of
that quarter's start in the workspace's zone; both layers therefore hold the same numbers, and
the daily layer of any zone can be re-derived from the quarter-hours alone.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from ensemble_insights.models.catalog import NOW
from ensemble_insights.models.rollups import Content, Ref, add
from ensemble_insights.models.settings import zone
from ensemble_insights.services.projection.common import Output

QUARTER = 900
Deltas = dict[Ref, Content]


@lru_cache(maxsize=200_000)
def utc_slot(quarter: int) -> tuple[str, str]:
    """(UTC date, quarter index) of a quarter-hour counted from the epoch."""
    moment = datetime.fromtimestamp(quarter * QUARTER, UTC)
    return moment.date().isoformat(), str(moment.hour * 4 + moment.minute // 15)


@lru_cache(maxsize=200_000)
def local_day(zone_name: str, quarter: int) -> tuple[str, str]:
    """(local month, day of month) of a quarter-hour's start in a zone."""
    moment = datetime.fromtimestamp(quarter * QUARTER, zone(zone_name))
    return f"{moment.year:04d}-{moment.month:02d}", f"{moment.day:02d}"


def _delta(deltas: Deltas, ref: Ref) -> Content:
    found = deltas.get(ref)
    if found is None:
        found = deltas[ref] = {"c": {}, "e": {}}
    return found


def bucket(outputs: Mapping[str, Output], zone_of: Callable[[str], str]) -> Deltas:
    """The document deltas of a round's outputs, by workspace."""
    deltas: Deltas = {}
    for workspace, out in outputs.items():
        tz = zone_of(workspace)
        now = Ref("now", workspace, NOW, "")
        places: dict[tuple[int, str], tuple[dict[str, Any], str, dict[str, Any], str]] = {}
        for at, family, series, amount in out.contributions:
            if at is None:
                slots = _delta(deltas, now)["c"].setdefault(series, {})
                slots["now"] = slots.get("now", 0) + amount
                continue
            quarter = int(at // QUARTER)
            place = places.get((quarter, family))
            if place is None:
                day, slot = utc_slot(quarter)
                month, dom = local_day(tz, quarter)
                place = places[(quarter, family)] = (
                    _delta(deltas, Ref("q", workspace, family, day))["c"],
                    slot,
                    _delta(deltas, Ref("d", workspace, family, month, tz))["c"],
                    dom,
                )
            q_counters, q_slot, d_counters, d_slot = place
            slots = q_counters.setdefault(series, {})
            slots[q_slot] = slots.get(q_slot, 0) + amount
            slots = d_counters.setdefault(series, {})
            slots[d_slot] = slots.get(d_slot, 0) + amount
        for at, family, entry_id, payload in out.entries:
            if family == NOW:
                _delta(deltas, now)["e"][entry_id] = payload
                continue
            quarter = int(at // QUARTER)
            day, _ = utc_slot(quarter)
            month, _ = local_day(tz, quarter)
            dated = {**payload, "at": at}
            _delta(deltas, Ref("q", workspace, family, day))["e"][entry_id] = dated
            _delta(deltas, Ref("d", workspace, family, month, tz))["e"][entry_id] = dated
    return {ref: delta for ref, delta in deltas.items() if delta["c"] or delta["e"]}


def rederive(quarters: Mapping[str, Content], zone_name: str) -> dict[str, Content]:
    """Local-month contents in `zone_name` from one family's quarter-hour documents
    (by UTC day)."""
    months: dict[str, Content] = {}
    for day, content in quarters.items():
        base = int(datetime.fromisoformat(day).replace(tzinfo=UTC).timestamp()) // QUARTER
        for series, slots in content.get("c", {}).items():
            for slot, amount in slots.items():
                month, dom = local_day(zone_name, base + int(slot))
                add(months.setdefault(month, {"c": {}, "e": {}}), {"c": {series: {dom: amount}}})
        for entry_id, payload in content.get("e", {}).items():
            month, _ = local_day(zone_name, int(float(payload["at"]) // QUARTER))
            months.setdefault(month, {"c": {}, "e": {}})["e"][entry_id] = payload
    return months
