"""The weekly reports (insights emails them on the workspace's day and hour): the list, one
report's figures and chart data as tables, and making the report of a week now (managers and
admins, as insights allows; a report already made is shown as it is, not made again)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Path

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.settings_menu import allowed

router = APIRouter(prefix="/w/{workspace}/insights/reports")

ReportId = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]
DAY_CHARTS = ("mentions", "responsiveness", "community")
"""The report's charts over the week's days, shown as tables (the comparison chart repeats
the figures' changes)."""


async def _list(
    staff: InWorkspace, status: int = 200, start: str = "", errors: dict[str, str] | None = None
) -> object:
    visit = staff.visit
    reports = await visit.clients.insights.reports(visit.caller, staff.workspace)
    if not start:
        today = datetime.now(visit.i18n.zone).date()
        start = (today - timedelta(days=today.weekday() + 7)).isoformat()  # last week's Monday
    return visit.page(
        "insights/reports.html",
        status=status,
        place=staff.place,
        reports=reports,
        may_make=allowed(staff.place, "manager"),
        start=start,
        errors=errors or {},
    )


@router.get("")
async def reports(staff: Staff) -> object:
    return await _list(staff)


@router.post("")
async def make_report(staff: Staff, start: Annotated[str, Form(max_length=10)] = "") -> object:
    visit = staff.visit
    try:
        made = await visit.clients.insights.make_report(visit.caller, staff.workspace, start)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _list(staff, 422, start, exc.fields or {"start": exc.message})
    return visit.redirect(f"/w/{staff.workspace}/insights/reports/{made.id}", notice="report_made")


@router.get("/{report_id}")
async def report(staff: Staff, report_id: ReportId) -> object:
    visit = staff.visit
    found = await visit.clients.insights.report(visit.caller, staff.workspace, report_id)
    charts = [
        (chart, [date.fromisoformat(label) for label in chart.labels])
        for chart in found.charts
        if chart.key in DAY_CHARTS
    ]
    return visit.page("insights/report.html", place=staff.place, report=found, charts=charts)
