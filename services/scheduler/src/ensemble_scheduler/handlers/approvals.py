"""HTTP routes for approval policies, workflows, and external approvers' signed links."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel

from ensemble_scheduler.models.approvals import (
    ApprovalRequestIn,
    ApprovalView,
    DecisionIn,
    LinkDecisionIn,
    LinkView,
    PolicyChoice,
)
from ensemble_scheduler.models.policies import Policy, PolicyIn, PolicyPage, Slug
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.policies import PolicyService
from ensemble_shared.web.auth import Admin, Internal, Manager


def _state(name: str) -> Any:
    def get(request: Request) -> Any:
        return getattr(request.app.state, name)

    return get


Approvals = Annotated[ApprovalService, Depends(_state("approvals"))]
Policies = Annotated[PolicyService, Depends(_state("policies"))]
PolicyName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]

router = APIRouter()


@router.put("/approval-policies/{name}", tags=["policies"], summary="Create or replace a policy.")
async def put_policy(
    name: PolicyName, body: PolicyIn, principal: Admin, policies: Policies
) -> Policy:
    return await policies.put(principal.workspace, name, body)


@router.get("/approval-policies", tags=["policies"], summary="The workspace's policies.")
async def list_policies(
    principal: Internal,
    policies: Policies,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Slug | None = None,
) -> PolicyPage:
    return await policies.page(principal.workspace, after=cursor, limit=limit)


@router.get("/approval-policies/{name}", tags=["policies"], summary="One policy.")
async def get_policy(name: PolicyName, principal: Internal, policies: Policies) -> Policy:
    return await policies.get(principal.workspace, name)


@router.delete(
    "/approval-policies/{name}", status_code=204, tags=["policies"], summary="Delete a policy."
)
async def delete_policy(name: PolicyName, principal: Admin, policies: Policies) -> None:
    await policies.delete(principal.workspace, name)


@router.get(
    "/content/{content_id}/approval-policy",
    tags=["approvals"],
    summary="The policy a request for approval would follow now.",
)
async def preview_policy(
    content_id: str, principal: Internal, approvals: Approvals
) -> PolicyChoice:
    return await approvals.preview(principal.workspace, content_id)


@router.post(
    "/content/{content_id}/approval",
    status_code=201,
    tags=["approvals"],
    summary="Submit the latest version for approval.",
)
async def request_approval(
    content_id: str, body: ApprovalRequestIn, principal: Manager, approvals: Approvals
) -> ApprovalView:
    return await approvals.request(principal, content_id, body)


@router.get("/content/{content_id}/approval", tags=["approvals"], summary="The workflow's state.")
async def get_approval(content_id: str, principal: Internal, approvals: Approvals) -> ApprovalView:
    return await approvals.view(principal.workspace, content_id)


@router.post(
    "/content/{content_id}/approval/decisions",
    tags=["approvals"],
    summary="Approve, reject (reason required) or request changes on the open step.",
    responses={403: {"description": "You are not an approver of that step."}},
)
async def decide(
    content_id: str, body: DecisionIn, principal: Internal, approvals: Approvals
) -> ApprovalView:
    return await approvals.decide(principal, content_id, body)


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
    tags=["approval links"],
    summary="What an external approver is asked to decide (no account needed).",
    responses=_LINK_ERRORS,
)
async def view_link(token: str, approvals: Approvals) -> LinkView:
    return await approvals.link_view(token)


@router.post(
    "/approval-links/{token}",
    tags=["approval links"],
    summary="Decide through a signed, single-use link.",
    responses=_LINK_ERRORS,
)
async def decide_by_link(token: str, body: LinkDecisionIn, approvals: Approvals) -> LinkDecided:
    outcome = await approvals.link_decide(token, body)
    return LinkDecided(
        step=outcome.step, decision=outcome.decision, approval_status=outcome.approval_status
    )
