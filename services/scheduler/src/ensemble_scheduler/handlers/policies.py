"""HTTP routes for approval policies (admin writes, staff reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_scheduler.handlers.deps import Policies
from ensemble_scheduler.models.policies import Policy, PolicyIn, PolicyPage, Slug
from ensemble_shared.web.auth import Admin, Internal
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

PolicyName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]

router = APIRouter(tags=["policies"])


@router.put("/approval-policies/{name}", summary="Create or replace a policy.")
async def put_policy(
    name: PolicyName, body: PolicyIn, principal: Admin, policies: Policies
) -> Policy:
    return await policies.put(principal, name, body)


@router.get("/approval-policies", summary="The workspace's policies.")
async def list_policies(
    principal: Internal,
    policies: Policies,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: Slug | None = None,
) -> PolicyPage:
    return await policies.page(principal.workspace, after=cursor, limit=limit)


@router.get("/approval-policies/{name}", summary="One policy.")
async def get_policy(name: PolicyName, principal: Internal, policies: Policies) -> Policy:
    return await policies.get(principal.workspace, name)


@router.delete("/approval-policies/{name}", status_code=204, summary="Delete a policy.")
async def delete_policy(name: PolicyName, principal: Admin, policies: Policies) -> None:
    await policies.delete(principal, name)
