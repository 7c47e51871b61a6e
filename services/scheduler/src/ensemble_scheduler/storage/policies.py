"""Approval policies per workspace: small configuration, replaced whole by an admin."""

from __future__ import annotations

from typing import Any

from ensemble_scheduler.models.policies import Policy
from ensemble_shared.storage import ASCENDING, Collection, DuplicateKeyError, Index

COLLECTION = "approval_policies"
MAX_POLICIES = 500


class PolicyRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING), ("name", ASCENDING)], name="by_name")]}

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def put(self, policy: Policy) -> None:
        """Create or replace. A lost create race (FerretDB upserts are not atomic) turns into
        a replace: the last writer wins, as for any admin setting."""
        document = {"_id": f"{policy.workspace}:{policy.name}", **policy.model_dump(mode="json")}
        try:
            await self.collection.replace_one({"_id": document["_id"]}, document, upsert=True)
        except DuplicateKeyError:
            await self.collection.replace_one({"_id": document["_id"]}, document)

    async def get(self, workspace: str, name: str) -> Policy | None:
        document = await self.collection.find_one({"_id": f"{workspace}:{name}"})
        return Policy.model_validate(document) if document else None

    async def delete(self, workspace: str, name: str) -> bool:
        result = await self.collection.delete_one({"_id": f"{workspace}:{name}"})
        return bool(result.deleted_count)

    async def page(self, workspace: str, *, after: str | None, limit: int) -> list[Policy]:
        filters: dict[str, Any] = {"workspace": workspace}
        if after is not None:
            filters["name"] = {"$gt": after}
        cursor = self.collection.find(filters).sort("name", ASCENDING)
        return [Policy.model_validate(d) for d in await cursor.limit(limit).to_list(limit)]

    async def all_of(self, workspace: str) -> list[Policy]:
        return await self.page(workspace, after=None, limit=MAX_POLICIES)
