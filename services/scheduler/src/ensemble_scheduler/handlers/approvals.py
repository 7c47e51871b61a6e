"""HTTP routes for approval workflows: request, decide, and where each step stands."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_scheduler.handlers.deps import Approvals, Deadlines
from ensemble_scheduler.models.approvals import (
    ApprovalRequestIn,
    ApprovalView,
    DecisionIn,
    PolicyChoice,
)
from ensemble_scheduler.models.deadlines import StepPlan
from ensemble_shared.web.auth import Internal, Manager

router = APIRouter(tags=["approvals"])


@router.get(
    "/content/{content_id}/approval-policy",
    summary="The policy a request for approval would follow now.",
)
async def preview_policy(
    content_id: str, principal: Internal, approvals: Approvals
) -> PolicyChoice:
    return await approvals.preview(principal.workspace, content_id)


@router.post(
    "/content/{content_id}/approval",
    status_code=201,
    summary="Submit the latest version for approval.",
)
async def request_approval(
    content_id: str, body: ApprovalRequestIn, principal: Manager, approvals: Approvals
) -> ApprovalView:
    return await approvals.request(principal, content_id, body)


@router.get("/content/{content_id}/approval", summary="The workflow's state.")
async def get_approval(content_id: str, principal: Internal, approvals: Approvals) -> ApprovalView:
    return await approvals.view(principal.workspace, content_id)


@router.post(
    "/content/{content_id}/approval/decisions",
    summary="Approve, reject (reason required) or request changes on the open step.",
    responses={403: {"description": "You are not an approver of that step."}},
)
async def decide(
    content_id: str, body: DecisionIn, principal: Internal, approvals: Approvals
) -> ApprovalView:
    return await approvals.decide(principal, content_id, body)


@router.get(
    "/content/{content_id}/approval/deadlines",
    summary="When each opened step of the current workflow is due, and its reminders.",
)
async def deadlines_of(
    content_id: str, principal: Internal, deadlines: Deadlines
) -> list[StepPlan]:
    return await deadlines.plans(principal.workspace, content_id)
