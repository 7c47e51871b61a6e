"""Events of the insights stream, produced by insights (key: workspace).

Insights only listens to the other streams; the one thing it announces is a report ready to be
sent. The event carries everything an email needs, in both languages, so notify renders it
from its own templates without calling insights back: headline figures with the previous
period, chart image URLs (PNG, signed capability links that expire), and the recipients the
workspace chose, named the way a step's approvers are (people, teams, roles) so notify's
existing `approvers` recipient spec routes it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.disclosure import CAPABILITY
from ensemble_shared.events.envelope import Event, Payload


class Localized(Payload):
    """One text in each language reports are written in."""

    en: str
    fr: str


class ReportFigure(Payload):
    """A headline number of the period, next to the same number for the period before."""

    key: str = Field(description="Stable id of the figure, e.g. `mentions`.")
    label: Localized
    value: float | None = Field(description="None when nothing could be measured.")
    previous: float | None = None
    change: float | None = Field(
        default=None, description="Relative change (0.12 = +12 %); None without a base."
    )
    unit: Literal["count", "seconds", "ratio"] = "count"
    text: Localized = Field(description="The value formatted for reading, e.g. `1 204`, `2 h`.")


class ReportChart(Payload):
    """A chart image of the report, in each language."""

    key: str
    title: Localized
    urls: Localized = Field(
        description="PNG images; signed links that expire (`expires_at`), for the recipients.",
        json_schema_extra=CAPABILITY,
    )


class ReportData(Payload):
    """A workspace's report for one period, compared with the period before."""

    report_id: str
    period: Literal["weekly"] = "weekly"
    start: date = Field(description="First local day of the period.")
    end: date = Field(description="Last local day of the period (inclusive).")
    previous_start: date
    previous_end: date
    time_zone: str
    title: Localized
    summary: Localized = Field(description="One sentence per language, for a preview line.")
    figures: tuple[ReportFigure, ...]
    charts: tuple[ReportChart, ...]
    url: str | None = Field(default=None, description="The report in insights' API.")
    expires_at: datetime = Field(description="When the chart links stop working.")
    people: tuple[str, ...] = Field(default=(), description="Recipients: people by id.")
    teams: tuple[str, ...] = Field(default=(), description="Recipients: every member of a team.")
    roles: tuple[str, ...] = Field(default=(), description="Recipients: holders of a role.")


class ReportPublishedV1(Event):
    """Sent by insights when a workspace's weekly report is ready to be sent."""

    type: Literal["insights.report_published.v1"] = "insights.report_published.v1"
    data: ReportData
