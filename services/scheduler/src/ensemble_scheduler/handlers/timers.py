"""Operator view of time: the timer working set."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_scheduler.handlers.deps import Timers
from ensemble_scheduler.models.timers import TimerStats
from ensemble_shared.web.auth import Admin

router = APIRouter(tags=["ops"])


@router.get("/ops/timers", summary="The workspace's pending and overdue timer occurrences.")
async def timer_stats(principal: Admin, timers: Timers) -> TimerStats:
    return await timers.stats(principal.workspace)
