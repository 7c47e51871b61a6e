"""Operator and staff views of time: the timer working set, a workflow's deadlines."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from ensemble_scheduler.models.deadlines import StepPlan
from ensemble_scheduler.models.timers import TimerStats
from ensemble_scheduler.services.deadlines import DeadlineService
from ensemble_scheduler.services.timers import TimerService
from ensemble_shared.web.auth import Admin, Internal


def _state(name: str) -> Any:
    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


Timers = Annotated[TimerService, Depends(_state("timers"))]
Deadlines = Annotated[DeadlineService, Depends(_state("deadlines"))]

router = APIRouter()


@router.get(
    "/ops/timers",
    tags=["ops"],
    summary="The workspace's pending and overdue timer occurrences.",
)
async def timer_stats(principal: Admin, timers: Timers) -> TimerStats:
    return await timers.stats(principal.workspace)


@router.get(
    "/content/{content_id}/approval/deadlines",
    tags=["approvals"],
    summary="When each opened step of the current workflow is due, and its reminders.",
)
async def deadlines_of(
    content_id: str, principal: Internal, deadlines: Deadlines
) -> list[StepPlan]:
    return await deadlines.plans(principal.workspace, content_id)
