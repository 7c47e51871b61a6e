"""HTTP routes for approval workflows: request, decide, and where each step stands."""

from __future__ import annotations

from fastapi import APIRouter

from ensemble_scheduler.handlers.deps import Approvals, Awaiting, Deadlines
from ensemble_scheduler.models.approvals import (
    ApprovalRequestIn,
    ApprovalView,
    DecisionIn,
    PolicyChoice,
)
from ensemble_scheduler.models.awaiting import AwaitingPage
from ensemble_scheduler.models.deadlines import StepPlan
from ensemble_shared.web.auth import Internal, Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(tags=["approvals"])


@router.get(
    "/approvals/awaiting-me",
    summary="The items whose open approval step awaits my decision, soonest due first.",
    description=(
        "Every item of the token's workspace whose open step I may decide, by the rules "
        "`POST /content/{id}/approval/decisions` applies: the step names me, a team the token "
        "holds or one of its roles (or its backup, once it escalated); the item is not my own "
        "request unless its policy allows self-approval; I have not decided this round yet, "
        "and my approval would still count (no outcome called for yet; under quorum `all`, a "
        "slot I fill is still missing). Sorted by the step's due time, then item id; paged "
        "with `next_cursor`."
    ),
    responses={
        401: {"description": "No valid access token."},
        403: {"description": "The token holds no manager or approver role."},
        422: {"description": "A cursor this API did not return, or a limit out of range."},
    },
)
async def awaiting_me(
    principal: Internal,
    awaiting: Awaiting,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> AwaitingPage:
    return await awaiting.page(principal, cursor=cursor, limit=limit)


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
