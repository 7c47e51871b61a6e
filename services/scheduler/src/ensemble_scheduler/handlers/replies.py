"""HTTP routes of reply targets: what replies could be drafted to."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_scheduler.handlers.deps import ReplyTargets
from ensemble_scheduler.models.replies import ReplyTarget
from ensemble_shared.web.auth import Internal
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

router = APIRouter(tags=["replies"])


@router.get("/reply-targets", summary="Mentions a reply could go to, newest first.")
async def list_reply_targets(
    principal: Internal, targets: ReplyTargets, limit: PageSize = DEFAULT_PAGE_SIZE
) -> list[ReplyTarget]:
    return await targets.list(principal.workspace, limit=limit)
