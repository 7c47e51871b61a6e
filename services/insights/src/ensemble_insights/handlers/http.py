"""Staff API for the figures: catalogue, series, breakdowns, overview, members, stocks,
timeline, share of voice, CSV exports. Every answer is the caller's workspace's."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ensemble_insights.handlers.deps import Compare, Current, Dimension, Filter, MetricName, Range
from ensemble_insights.models.api import (
    Breakdown,
    MembersView,
    Overview,
    Series,
    StockView,
    Timeline,
)
from ensemble_insights.models.catalog import MetricView, catalog_view
from ensemble_insights.services.export import breakdown_csv, series_csv
from ensemble_shared.web.auth import Internal

router = APIRouter(prefix="/insights", tags=["insights"])
Granularity = Annotated[Literal["day", "hour"], Query(description="hour: at most 31 days.")]
Limit = Annotated[int, Query(ge=1, le=500)]


@router.get("/catalog", summary="Every metric, its dimensions and the pairs kept together.")
async def catalog(principal: Internal) -> list[MetricView]:
    return catalog_view()


@router.get("/series", summary="A metric per local day or hour, optionally filtered.")
async def series(
    principal: Internal,
    current: Current,
    metric: MetricName,
    period: Range,
    fixed: Filter,
    granularity: Granularity = "day",
    compare: Compare = False,
) -> Series:
    return await current.queries.series(
        principal.workspace, metric, period, granularity=granularity, fixed=fixed, compare=compare
    )


@router.get("/breakdown", summary="A metric over a period, split by one dimension.")
async def breakdown(
    principal: Internal,
    current: Current,
    metric: MetricName,
    by: Dimension,
    period: Range,
    fixed: Filter,
    compare: Compare = False,
    limit: Limit = 50,
) -> Breakdown:
    return await current.queries.breakdown(
        principal.workspace, metric, by, period, fixed=fixed, compare=compare, limit=limit
    )


@router.get("/overview", summary="Headline figures of every family, with the period before.")
async def overview(principal: Internal, current: Current, period: Range) -> Overview:
    return await current.dashboard.overview(principal.workspace, period)


@router.get("/members", summary="New, active and returning members; activity distribution.")
async def members(
    principal: Internal, current: Current, period: Range, top: Limit = 10
) -> MembersView:
    return await current.dashboard.members(principal.workspace, period, top=top)


@router.get("/stocks", summary="Now: submissions by status, field events' seats and check-ins.")
async def stocks(principal: Internal, current: Current) -> StockView:
    return await current.dashboard.stocks(principal.workspace)


@router.get("/timeline", summary="Spikes and crisis holds, beside mention volume.")
async def timeline(principal: Internal, current: Current, period: Range) -> Timeline:
    return await current.dashboard.timeline(principal.workspace, period)


@router.get("/share-of-voice", summary="Mentions by tracked tag (the settings' tags, or all).")
async def share_of_voice(
    principal: Internal, current: Current, period: Range, compare: Compare = False
) -> Breakdown:
    settings = await current.queries.settings_of(principal.workspace)
    only = set(settings.share_of_voice_tags) or None
    return await current.queries.breakdown(
        principal.workspace, "mentions", "tag", period, compare=compare, only=only, limit=500
    )


@router.get(
    "/export.csv",
    summary="A series (or, with `by`, a breakdown) as CSV.",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def export(
    principal: Internal,
    current: Current,
    metric: MetricName,
    period: Range,
    fixed: Filter,
    by: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    granularity: Granularity = "day",
    compare: Compare = False,
) -> Response:
    queries, workspace = current.queries, principal.workspace
    if by is None:
        body = series_csv(
            await queries.series(
                workspace, metric, period, granularity=granularity, fixed=fixed, compare=compare
            )
        )
        name = f"{metric}-{period.start}-{period.end}.csv"
    else:
        body = breakdown_csv(
            await queries.breakdown(
                workspace, metric, by, period, fixed=fixed, compare=compare, limit=500
            )
        )
        name = f"{metric}-by-{by}-{period.start}-{period.end}.csv"
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
