"""Approval policies per workspace (admin configuration)."""

from __future__ import annotations

from ensemble_scheduler.models.policies import Policy, PolicyIn, PolicyPage
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import NotFound


class PolicyService:
    def __init__(self, policies: PolicyRepository) -> None:
        self._policies = policies

    async def put(self, principal: Principal, name: str, body: PolicyIn) -> Policy:
        """In-flight workflows keep the steps they started with; new requests use this."""
        policy = Policy(name=name, workspace=principal.workspace, **body.model_dump())
        await self._policies.put(policy)
        return policy

    async def get(self, workspace: str, name: str) -> Policy:
        policy = await self._policies.get(workspace, name)
        if policy is None:
            raise NotFound(f"no approval policy {name!r}")
        return policy

    async def delete(self, principal: Principal, name: str) -> None:
        if not await self._policies.delete(principal.workspace, name):
            raise NotFound(f"no approval policy {name!r}")

    async def page(self, workspace: str, *, after: str | None, limit: int) -> PolicyPage:
        items = await self._policies.page(workspace, after=after, limit=limit)
        return PolicyPage(items=items, next_cursor=items[-1].name if len(items) == limit else None)
