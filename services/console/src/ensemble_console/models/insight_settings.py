"""Insights' workspace settings and weekly reports, as the settings screen and the reports
pages read them (extra fields ignored)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

PRIORITIES = ("urgent", "high", "normal", "low")
"""The mention priorities an SLA is set for, most pressing first."""


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ReportSettings(Answer):
    enabled: bool
    weekday: int
    hour: int
    people: tuple[str, ...]
    teams: tuple[str, ...]
    roles: tuple[str, ...]


class InsightSettings(Answer):
    time_zone: str
    sla_seconds: dict[str, int]
    on_time_seconds: int
    share_of_voice_tags: tuple[str, ...]
    report: ReportSettings
    version: int = 0
    updated_at: datetime | None = None


class ReportSummary(Answer):
    id: str
    start: date
    end: date
    created_at: datetime


class ReportFigure(Answer):
    key: str
    label: dict[str, str]
    value: float | None
    previous: float | None = None
    change: float | None = None
    unit: Literal["count", "seconds", "ratio"] = "count"


class ChartSeries(Answer):
    key: str
    values: tuple[float, ...]


class ChartData(Answer):
    key: str
    kind: str
    labels: tuple[str, ...]
    series: tuple[ChartSeries, ...]


class Report(Answer):
    id: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    time_zone: str
    created_at: datetime
    figures: tuple[ReportFigure, ...]
    charts: tuple[ChartData, ...]
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
