"""The social mentions feedback has seen, for managers."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_feedback.handlers.dependencies import Social
from ensemble_feedback.models.social import SocialMention
from ensemble_shared.web.auth import Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

router = APIRouter(tags=["social"])


@router.get("/social-mentions", summary="Mentions seen, newest first.")
async def list_social_mentions(
    principal: Manager, social: Social, limit: PageSize = DEFAULT_PAGE_SIZE
) -> list[SocialMention]:
    return await social.list(principal.workspace, limit=limit)
