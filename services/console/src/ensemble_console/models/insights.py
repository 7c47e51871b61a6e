"""Insights' answers, as the Insights page reads them (figures, series, breakdowns)."""

from __future__ import annotations

from datetime import date
from typing import Literal

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
