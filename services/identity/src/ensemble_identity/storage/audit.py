"""The audit log: insert-only, read newest first by keyset pages."""

from __future__ import annotations

from ensemble_identity.models.audit import AuditEntry
from ensemble_shared.storage import DESCENDING, Collection
from ensemble_shared.storage.pagination import Position, older_than

AUDIT = "audit"


class AuditRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, entry: AuditEntry) -> None:
        await self.collection.insert_one(entry.document())

    async def page(self, workspace: str, position: Position | None, limit: int) -> list[AuditEntry]:
        cursor = (
            self.collection.find({"workspace": workspace, **older_than("at", position)})
            .sort([("at", DESCENDING), ("_id", DESCENDING)])
            .limit(limit)
        )
        return [AuditEntry.of(d) for d in await cursor.to_list(limit)]
