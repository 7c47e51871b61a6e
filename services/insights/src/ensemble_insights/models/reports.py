"""A weekly report as stored: its figures and the data its charts are drawn from."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from ensemble_shared.events import ReportFigure


class ChartSeries(BaseModel):
    key: str = Field(description="Label key of the series (translated when drawn).")
    values: list[float]


class ChartData(BaseModel):
    """What a chart shows; drawn to PNG on request, in the asked language."""

    key: str
    kind: Literal["stacked", "grouped", "comparison"]
    labels: list[str] = Field(description="Local days (ISO), or figure keys for a comparison.")
    series: list[ChartSeries]


class Report(BaseModel):
    id: str = Field(description="The first local day of the week it covers.")
    workspace: str
    start: date
    end: date
    previous_start: date
    previous_end: date
    time_zone: str
    created_at: datetime
    figures: list[ReportFigure]
    charts: list[ChartData]
    people: list[str] = Field(default_factory=list)
    teams: list[str] = Field(default_factory=list)
    roles: list[str] = Field(default_factory=list)


class ReportSummary(BaseModel):
    id: str
    start: date
    end: date
    created_at: datetime


class ReportCreate(BaseModel):
    """Make (and send) the report of the week starting on `start` (a local Monday), now."""

    start: date = Field(ge=date(1971, 1, 4), le=date(2199, 12, 23))
