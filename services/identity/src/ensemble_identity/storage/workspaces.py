"""Workspaces, and the claims that let exactly one first-run setup proceed."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ensemble_identity.models.workspaces import Workspace
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, DuplicateKeyError

WORKSPACES = "workspaces"
SETUP_CLAIMS = "setup_claims"


class WorkspaceRepository:
    def __init__(self, workspaces: Collection, setup_claims: Collection) -> None:
        self.workspaces = workspaces
        self.setup_claims = setup_claims

    async def create(self, workspace: Workspace) -> bool:
        """False when a workspace with that id exists."""
        try:
            await self.workspaces.insert_one(workspace.document())
        except DuplicateKeyError:
            return False
        return True

    async def get(self, workspace_id: str) -> Workspace | None:
        document = await self.workspaces.find_one({"_id": workspace_id})
        return Workspace.of(document) if document else None

    async def many(self, workspace_ids: list[str]) -> dict[str, Workspace]:
        if not workspace_ids:
            return {}
        found = await self.workspaces.find({"_id": {"$in": sorted(set(workspace_ids))}}).to_list(
            None
        )
        return {str(d["_id"]): Workspace.of(d) for d in found}

    async def any_exists(self) -> bool:
        return await self.workspaces.find_one({}, {"_id": 1}) is not None

    async def update(self, workspace_id: str, changes: dict[str, Any]) -> None:
        await self.workspaces.update_one({"_id": workspace_id}, {"$set": changes})

    async def claim_setup(self, *, lease: timedelta, owner: str) -> bool:
        """True for the one caller allowed to run the first-run setup now.

        Claims are generations `setup#1`, `setup#2`, ...: a new one may be taken only when the
        newest has outlived its lease (its owner died mid-setup), and the unique `_id` lets one
        of two concurrent takers win.
        """
        now = utcnow()
        generation = 1
        while True:
            claim = await self.setup_claims.find_one({"_id": f"setup#{generation}"})
            if claim is None:
                break
            lease_until: datetime = claim["lease_until"]
            if lease_until > now:
                return False
            generation += 1
        try:
            await self.setup_claims.insert_one(
                {"_id": f"setup#{generation}", "owner": owner, "lease_until": now + lease}
            )
        except DuplicateKeyError:
            return False
        return True
