"""Routing rules per workspace: one small document each, replaced under a version guard."""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_notify.models.routing_rules import RoutingRules
from ensemble_shared.storage import Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "routing_rules"


def _rules(document: Document) -> RoutingRules:
    return RoutingRules.model_validate({**document, "workspace": document["_id"]})


class RoutingRuleRepository:
    INDEXES: dict[str, list[Index]] = {}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def get(self, workspace: str) -> RoutingRules | None:
        document = await self.collection.find_one({"_id": workspace})
        return _rules(document) if document else None

    async def many(self, workspaces: Iterable[str]) -> dict[str, RoutingRules]:
        cursor = self.collection.find({"_id": {"$in": sorted(set(workspaces))}})
        return {d["_id"]: _rules(d) async for d in cursor}

    async def replace(self, rules: RoutingRules, *, version: int) -> bool:
        """Write if nobody changed the rules since `version` (0: none stored yet).

        A guard against stale edits, not a lock (FerretDB's conditional writes are not
        atomic): admins edit rules by hand.
        """
        document = rules.model_dump(mode="json", exclude={"workspace", "defaults"})
        if version == 0:
            return bool(await insert_new(self.collection, [{"_id": rules.workspace, **document}]))
        result = await self.collection.replace_one(
            {"_id": rules.workspace, "version": version}, document
        )
        return result.matched_count == 1
