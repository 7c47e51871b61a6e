"""HTTP routes of crisis mode: crises, the items they hold, and releasing them."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_scheduler.handlers.deps import Crises
from ensemble_scheduler.models.crises import Crisis, CrisisView, ReleaseIn, ReleaseResult
from ensemble_shared.web.auth import Internal
from ensemble_shared.web.pagination import PageSize

router = APIRouter(tags=["crisis"])


@router.get("/crises", summary="Crises (negative spikes), newest first.")
async def list_crises(principal: Internal, crisis: Crises, limit: PageSize = 20) -> list[Crisis]:
    return await crisis.crises(principal.workspace, limit=limit)


@router.get("/crises/{crisis_id}", summary="A crisis and the items it holds.")
async def get_crisis(crisis_id: str, principal: Internal, crisis: Crises) -> CrisisView:
    return await crisis.view(principal.workspace, crisis_id)


@router.post(
    "/crises/{crisis_id}/decisions",
    summary="Communication/legal decide the crisis step of held items: approval releases.",
)
async def decide_crisis(
    crisis_id: str, body: ReleaseIn, principal: Internal, crisis: Crises
) -> list[ReleaseResult]:
    return await crisis.decide(principal, crisis_id, body)
