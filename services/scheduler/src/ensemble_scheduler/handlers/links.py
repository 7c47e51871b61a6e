"""HTTP routes of signed approval links: approvers decide without an account (no bearer)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from ensemble_scheduler.handlers.deps import LinkDecisions
from ensemble_scheduler.models.approvals import LinkDecisionIn, LinkView

router = APIRouter(tags=["approval links"])


class LinkDecided(BaseModel):
    step: str
    decision: str
    approval_status: str


_LINK_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Forged or altered link."},
    409: {"description": "The step no longer awaits decisions."},
    410: {"description": "Expired, already used, or superseded by a newer link."},
}


@router.get(
    "/approval-links/{token}",
    summary="What an external approver is asked to decide (no account needed).",
    responses=_LINK_ERRORS,
)
async def view_link(token: str, links: LinkDecisions) -> LinkView:
    return await links.view(token)


@router.post(
    "/approval-links/{token}",
    summary="Decide through a signed, single-use link.",
    responses=_LINK_ERRORS,
)
async def decide_by_link(token: str, body: LinkDecisionIn, links: LinkDecisions) -> LinkDecided:
    outcome = await links.decide(token, body)
    return LinkDecided(
        step=outcome.step, decision=outcome.decision, approval_status=outcome.approval_status
    )
