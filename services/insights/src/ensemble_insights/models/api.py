"""The API's answers: series, breakdowns, duration statistics, overview figures."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, Field

Granularity = Literal["day", "hour"]


class Period(BaseModel):
    start: date
    end: date = Field(description="Inclusive.")


class Stats(BaseModel):
    """A duration metric over a bucket or a range: exact count, sum and mean; percentiles
    within a histogram bin (±12 %)."""

    count: int
    sum_seconds: int
    mean_seconds: float | None
    p50_seconds: float | None
    p90_seconds: float | None


class Point(BaseModel):
    period: str = Field(description="A local day (2026-11-30) or hour (with its UTC offset).")
    value: float | None = Field(description="Count, distinct count, or mean seconds.")
    stats: Stats | None = Field(default=None, description="Duration metrics only.")


class Series(BaseModel):
    metric: str
    kind: str
    filter: dict[str, str] = Field(default_factory=dict)
    granularity: Literal["day", "hour"]
    time_zone: str
    period: Period
    points: list[Point]
    total: float | None = Field(description="Sum (counts), distinct count, or mean seconds.")
    stats: Stats | None = None
    previous: Series | None = Field(
        default=None, description="The same length of time just before, when asked."
    )
    change: float | None = Field(
        default=None, description="Relative change of the total against the previous period."
    )


class Row(BaseModel):
    value: str = Field(description="The dimension's value (a platform, a team, a tag...).")
    total: float | None
    share: float | None = Field(default=None, description="Of the breakdown's total (counts).")
    stats: Stats | None = None
    previous: float | None = None
    change: float | None = None


class Breakdown(BaseModel):
    metric: str
    kind: str
    by: str
    filter: dict[str, str] = Field(default_factory=dict)
    time_zone: str
    period: Period
    previous_period: Period | None = None
    rows: list[Row]
    total: float | None


class Figure(BaseModel):
    value: float | None
    previous: float | None = None
    change: float | None = None
    unit: Literal["count", "seconds", "ratio"] = "count"


class Overview(BaseModel):
    """Headline figures of every family for a period, with the period before."""

    time_zone: str
    period: Period
    previous_period: Period
    figures: dict[str, Figure]


class MembersView(BaseModel):
    time_zone: str
    period: Period
    new: int
    active: int
    returning: int
    first_time_active: int
    activity_distribution: dict[str, int] = Field(
        description="Active members by number of activities in the period."
    )
    top: list[Row]
    engagement_distribution: dict[str, int] = Field(
        description="Active members by engagement score earned in the period (ranges: lower "
        "bound included, upper excluded), weighed with the workspace's weights as feedback "
        "last announced them; the activities counted are submissions, votes, comments, own "
        "RSVPs and check-ins."
    )
    engagement_weights: dict[str, float] = Field(
        description="The weights applied: points per activity kind (defaults until feedback "
        "announced a change)."
    )
    top_engagement: list[Row] = Field(description="The highest scores in the period.")


class StockView(BaseModel):
    """Counts as they stand now (not dated): roadmap statuses, field-event seats."""

    ideas_by_status: dict[str, int]
    field_events: list[dict[str, Any]]


class Timeline(BaseModel):
    time_zone: str
    period: Period
    items: list[dict[str, Any]] = Field(description="Spikes and crisis holds, oldest first.")
    mentions: Series
    negative: Series


def change(value: float | None, previous: float | None) -> float | None:
    """Relative change; None without a non-zero base."""
    if value is None or previous is None or previous == 0:
        return None
    return (value - previous) / previous
