"""Feedback's HTTP API (first slice: the social mentions it has seen)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ensemble_feedback.models.social import SocialMention
from ensemble_feedback.services.social import SocialMentionService
from ensemble_shared.web.auth import Manager


def _social(request: Request) -> SocialMentionService:
    service: SocialMentionService = request.app.state.social
    return service


Social = Annotated[SocialMentionService, Depends(_social)]

router = APIRouter()


@router.get("/social-mentions", tags=["social"], summary="Mentions seen, newest first.")
async def list_social_mentions(
    principal: Manager,
    social: Social,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[SocialMention]:
    return await social.list(principal.workspace, limit=limit)
