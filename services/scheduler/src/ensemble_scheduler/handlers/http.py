"""Scheduler's HTTP API (first slice: what replies could be drafted to)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ensemble_scheduler.models.replies import ReplyTarget
from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_shared.web.auth import Internal


def _targets(request: Request) -> ReplyTargetService:
    service: ReplyTargetService = request.app.state.reply_targets
    return service


Targets = Annotated[ReplyTargetService, Depends(_targets)]

router = APIRouter()


@router.get(
    "/reply-targets", tags=["replies"], summary="Mentions a reply could go to, newest first."
)
async def list_reply_targets(
    principal: Internal,
    targets: Targets,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[ReplyTarget]:
    return await targets.list(principal.workspace, limit=limit)
