"""Weekly reports: list, read, make one now, and their chart images.

A chart image answers to a signed link (`token`, as sent in report emails: a mail client has
no bearer token) or to a staff member's bearer token.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from fastapi.security import HTTPAuthorizationCredentials

from ensemble_insights.handlers.deps import Current
from ensemble_insights.models.reports import Report, ReportCreate, ReportSummary
from ensemble_shared.auth import Role
from ensemble_shared.errors import Forbidden
from ensemble_shared.web.auth import Internal, Manager, authenticate, bearer_scheme

router = APIRouter(prefix="/insights/reports", tags=["insights reports"])
ReportId = Annotated[str, Path(pattern=r"^\d{4}-\d{2}-\d{2}$")]
ChartKey = Annotated[str, Path(pattern=r"^[a-z_]{1,32}$")]


@router.get("", summary="The workspace's reports, newest first.")
async def list_reports(
    principal: Internal, current: Current, limit: Annotated[int, Query(ge=1, le=200)] = 52
) -> list[ReportSummary]:
    return await current.reports.list(principal.workspace, limit)


@router.post("", summary="Make (and send) the report of a week now, if not made yet.")
async def create_report(body: ReportCreate, principal: Manager, current: Current) -> Report:
    report, _ = await current.reports.create(principal.workspace, body.start)
    return report


@router.get("/{report_id}", summary="One report: its figures and chart data.")
async def get_report(principal: Internal, current: Current, report_id: ReportId) -> Report:
    return await current.reports.get(principal.workspace, report_id)


@router.get(
    "/{report_id}/charts/{chart}.png",
    summary="A report chart as PNG, by signed link or bearer token.",
    response_class=Response,
    responses={200: {"content": {"image/png": {}}}},
)
async def chart(
    request: Request,
    current: Current,
    report_id: ReportId,
    chart: ChartKey,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    lang: Annotated[str, Query(pattern=r"^(en|fr)$")] = "en",
    token: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    if token is not None:
        workspace = current.reports.workspace_of_token(token, report_id)
    else:
        principal = await authenticate(request, credentials)
        if not principal.may_read_as(Role.MANAGER, Role.APPROVER):
            raise Forbidden("this needs one of the roles: approver, manager, viewer")
        workspace = principal.workspace
    image = await current.reports.chart(workspace, report_id, chart, lang)
    return Response(
        image, media_type="image/png", headers={"cache-control": "private, max-age=3600"}
    )
