"""Insights' answers, as the Insights page reads them (figures, series, breakdowns, members,
stocks, the timeline)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Period(Answer):
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


class Figure(Answer):
    value: float | None
    previous: float | None = None
    change: float | None = None
    unit: Literal["count", "seconds", "ratio"] = "count"


class Overview(Answer):
    time_zone: str
    period: Period
    previous_period: Period
    figures: dict[str, Figure]


class Point(Answer):
    period: str
    value: float | None


class Series(Answer):
    metric: str
    time_zone: str
    period: Period
    points: tuple[Point, ...]
    total: float | None
    previous: Series | None = None
    change: float | None = None


class Stats(Answer):
    """A duration metric's figures (seconds)."""

    count: int
    mean_seconds: float | None
    p50_seconds: float | None
    p90_seconds: float | None


class Row(Answer):
    value: str
    total: float | None
    stats: Stats | None = None
    share: float | None = None
    previous: float | None = None
    change: float | None = None


class Breakdown(Answer):
    metric: str
    by: str
    period: Period
    previous_period: Period | None = None
    rows: tuple[Row, ...]
    total: float | None


class Members(Answer):
    """New, active and returning members of a period; the active by number of activities."""

    period: Period
    new: int
    active: int
    returning: int
    first_time_active: int
    activity_distribution: dict[str, int]
    top: tuple[Row, ...]


class FieldEventStock(Answer):
    """A field event's seats as they stand now (`seats` by RSVP status)."""

    event: str
    title: str | None = None
    starts: float | None = None
    seats: dict[str, int] = {}
    checked_in: int = 0
    ideas: int = 0
    attendance_rate: float | None = None


class Stocks(Answer):
    ideas_by_status: dict[str, int]
    field_events: tuple[FieldEventStock, ...]


class TimelineItem(Answer):
    """A spike (`type` "spike") or a crisis hold ("schedule.held", "schedule.released");
    `at` in seconds since the epoch."""

    model_config = ConfigDict(extra="allow", frozen=True)

    id: str
    type: str
    at: float
    topic: str | None = None
    scope: str | None = None
    count: int | None = None
    channel: str | None = None
    reason: str | None = None

    def payload(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class Timeline(Answer):
    time_zone: str
    period: Period
    items: tuple[TimelineItem, ...]
    mentions: Series
    negative: Series
