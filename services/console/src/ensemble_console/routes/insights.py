"""The Insights page: a period's headline figures, mentions per day and a breakdown, members,
the timeline of spikes and holds and the share of voice, each against the period before where
insights compares; the stocks as they stand now; and the same period as CSV, streamed from
insights."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query
from starlette.background import BackgroundTask
from starlette.responses import StreamingResponse

from ensemble_console.clients import ApiError
from ensemble_console.models.insight_figures import grouped
from ensemble_console.models.insights import Members
from ensemble_console.web import charts, periods
from ensemble_console.web import insight_sections as sections
from ensemble_console.web.deps import InWorkspace, Staff

router = APIRouter(prefix="/w/{workspace}/insights")

By = Literal["platform", "sentiment"]
LATENCY = "notification_latency"
"""An event to its notification, per channel: shown beside the notification figures."""


@dataclass(frozen=True)
class Asked:
    """The period as the form or a link gives it (dates count only for "custom")."""

    period: str
    start: str
    end: str

    def resolve(self, staff: InWorkspace) -> periods.Range:
        today = datetime.now(staff.visit.i18n.zone).date()
        return periods.resolve(self.period, today, self.start, self.end)


def _asked(
    period: Annotated[str, Query(max_length=16)] = periods.DEFAULT,
    start: Annotated[str, Query(max_length=10)] = "",
    end: Annotated[str, Query(max_length=10)] = "",
) -> Asked:
    return Asked(period, start, end)


PeriodAsked = Annotated[Asked, Depends(_asked)]


@router.get("")
async def insights(
    staff: Staff, asked: PeriodAsked, by: Annotated[By, Query()] = "platform"
) -> object:
    visit, ws = staff.visit, staff.workspace
    form = {"period": asked.period, "start": asked.start, "end": asked.end, "by": by}
    try:
        chosen = asked.resolve(staff)
        client, caller = visit.clients.insights, visit.caller
        asked_overview = asyncio.ensure_future(
            client.overview(caller, ws, chosen.start, chosen.end)
        )

        async def members_before() -> Members:
            """The period before is the one insights compares with (the overview says which)."""
            before = (await asked_overview).previous_period
            return await client.members(caller, ws, before.start, before.end)

        figures, sections_asked = await asyncio.gather(
            asyncio.gather(
                asked_overview,
                client.series(caller, ws, "mentions", chosen.start, chosen.end),
                client.breakdown(caller, ws, "mentions", by, chosen.start, chosen.end),
                client.breakdown(caller, ws, LATENCY, "channel", chosen.start, chosen.end),
            ),
            asyncio.gather(
                client.members(caller, ws, chosen.start, chosen.end),
                members_before(),
                client.stocks(caller, ws),
                client.timeline(caller, ws, chosen.start, chosen.end),
                client.share_of_voice(caller, ws, chosen.start, chosen.end),
            ),
        )
        overview, series, breakdown, latency = figures
    except (periods.BadRange, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        return visit.page(
            "insights/page.html",
            status=422,
            place=staff.place,
            choices=periods.CHOICES,
            form=form,
            error=exc.reason if isinstance(exc, periods.BadRange) else "refused",
        )
    shown = {**form, "start": chosen.start.isoformat(), "end": chosen.end.isoformat()}
    before = series.previous.points if series.previous else ()
    rows = [(row.value, row.total or 0.0, row.previous or 0.0) for row in breakdown.rows]
    return visit.page(
        "insights/page.html",
        place=staff.place,
        choices=periods.CHOICES,
        form=shown,
        query=urlencode({k: shown[k] for k in ("period", "start", "end")}),
        error="",
        overview=overview,
        groups=grouped(overview.figures),
        series=series,
        days=[date.fromisoformat(p.period) for p in series.points],
        previous_days=[date.fromisoformat(p.period) for p in before],
        previous_points=before,
        lines=charts.lines([p.value for p in series.points], [p.value for p in before]),
        breakdown=breakdown,
        bars=charts.bars(rows),
        latency=latency,
        **sections.context(*sections_asked),
    )


@router.get("/export.csv")
async def export_csv(
    staff: Staff, asked: PeriodAsked, by: Annotated[By | None, Query()] = None
) -> object:
    """Mentions per day (or by `by`) with the period before, as insights writes the file."""
    try:
        chosen = asked.resolve(staff)
        download = await staff.visit.clients.insights.export_csv(
            staff.visit.caller, staff.workspace, "mentions", chosen.start, chosen.end, by
        )
    except (periods.BadRange, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        return staff.visit.error(400, "invalid")
    return StreamingResponse(
        download.body(),
        media_type=download.media_type,
        headers={"content-disposition": download.disposition},
        background=BackgroundTask(download.close),
    )
