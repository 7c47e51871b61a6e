"""HTTP routes of reply targets: what replies could be drafted to."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ensemble_scheduler.handlers.deps import ReplyTargets
from ensemble_scheduler.models.replies import ReplyTarget
from ensemble_shared.storage.pagination import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from ensemble_shared.web.auth import Internal

router = APIRouter(tags=["replies"])


@router.get("/reply-targets", summary="Mentions a reply could go to, newest first.")
async def list_reply_targets(
    principal: Internal,
    targets: ReplyTargets,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = DEFAULT_PAGE_SIZE,
) -> list[ReplyTarget]:
    return await targets.list(principal.workspace, limit=limit)
