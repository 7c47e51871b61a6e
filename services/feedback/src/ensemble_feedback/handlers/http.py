"""Feedback's HTTP API (first slice: the social mentions it has seen)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ensemble_feedback.models.social import SocialMention
from ensemble_feedback.services.social import SocialMentionService
from ensemble_shared.auth import Principal, Role
from ensemble_shared.web import require_roles


def _social(request: Request) -> SocialMentionService:
    service: SocialMentionService = request.app.state.social
    return service


Social = Annotated[SocialMentionService, Depends(_social)]
Staff = Annotated[Principal, Depends(require_roles(Role.MANAGER))]

router = APIRouter()


@router.get("/social-mentions", tags=["social"], summary="Mentions seen, newest first.")
async def list_social_mentions(
    principal: Staff,
    social: Social,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SocialMention]:
    return await social.list(principal.workspace, limit=limit)
