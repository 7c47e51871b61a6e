"""The Insights page's sections beyond the headline figures: members (against the period
before), the stocks as they stand now, the timeline of spikes and holds beside the mention
volume, and the share of voice. This module turns insights' answers into what the templates
draw (chart geometry, moments); it decides nothing about the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ensemble_console.models.insights import (
    Breakdown,
    FieldEventStock,
    Members,
    Stocks,
    Timeline,
    TimelineItem,
)
from ensemble_console.web import charts

DISTRIBUTION = ("1", "2-3", "4-9", "10+")
"""Insights' buckets of activities per active member, in the order they are drawn."""


@dataclass(frozen=True)
class Moment:
    """A timeline entry with its time as a moment, and where its day falls on the chart."""

    item: TimelineItem
    at: datetime
    x: float | None


@dataclass(frozen=True)
class EventNow:
    event: FieldEventStock
    starts: datetime | None


def _moment(seconds: float | None) -> datetime | None:
    return datetime.fromtimestamp(seconds, UTC) if seconds else None


def _distribution(members: Members, previous: Members) -> list[tuple[str, float, float]]:
    """Every bucket insights returned, the known ones first in their order."""
    known = [b for b in DISTRIBUTION if b in members.activity_distribution]
    others = sorted(set(members.activity_distribution) - set(DISTRIBUTION))
    return [
        (
            bucket,
            float(members.activity_distribution.get(bucket, 0)),
            float(previous.activity_distribution.get(bucket, 0)),
        )
        for bucket in [*known, *others]
    ]


def _moments(timeline: Timeline, lines: charts.Lines, days: list[date]) -> list[Moment]:
    """Each spike or hold at its local day's place on the volume chart (insights' zone)."""
    zone, index = ZoneInfo(timeline.time_zone), {day: n for n, day in enumerate(days)}
    found = []
    for item in timeline.items:
        at = datetime.fromtimestamp(item.at, UTC)
        n = index.get(at.astimezone(zone).date())
        found.append(Moment(item, at, None if n is None else lines.x_of(n)))
    return found


def context(
    members: Members, previous: Members, stocks: Stocks, timeline: Timeline, voice: Breakdown
) -> dict[str, Any]:
    """What the sections' templates read, by name."""
    days = [date.fromisoformat(p.period) for p in timeline.mentions.points]
    volume = charts.lines(
        [p.value for p in timeline.mentions.points], [p.value for p in timeline.negative.points]
    )
    distribution = _distribution(members, previous)
    voice_rows = [(row.value, row.total or 0.0, row.previous or 0.0) for row in voice.rows]
    return {
        "members": members,
        "previous_members": previous,
        "distribution": distribution,
        "distribution_bars": charts.bars(distribution),
        "stocks": stocks,
        "field_events": [EventNow(e, _moment(e.starts)) for e in stocks.field_events],
        "timeline": timeline,
        "timeline_days": days,
        "volume": volume,
        "moments": _moments(timeline, volume, days),
        "voice": voice,
        "voice_bars": charts.bars(voice_rows),
    }
