"""Calendar feed links and their revocations, insert-only.

- link `{id}`: one per feed URL handed out (who asked, which team, until when; not the token);
- revocation `{id}`: the link answers 410 from then on; revoking twice changes nothing.
A feed fetch reads one revocation by `_id`, the one read FerretDB answers without a scan.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_scheduler.models.calendar import FeedLinkRecord
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index
from ensemble_shared.storage.idempotency import insert_new

LINKS = "calendar_feed_links"
REVOCATIONS = "calendar_feed_revocations"


class FeedLinkRepository:
    INDEXES = {
        LINKS: [Index([("workspace", ASCENDING), ("created_at", DESCENDING)], name="by_ws")],
    }

    def __init__(self, links: Collection, revocations: Collection) -> None:
        self.links = links
        self.revocations = revocations

    async def insert(self, record: FeedLinkRecord) -> None:
        document = {"_id": record.id, **record.model_dump(exclude={"id", "revoked_at"})}
        await insert_new(self.links, [document])

    async def get(self, link_id: str) -> FeedLinkRecord | None:
        document = await self.links.find_one({"_id": link_id})
        if document is None:
            return None
        revoked = await self.revocations.find_one({"_id": link_id})
        return _record(document, revoked)

    async def of_workspace(
        self, workspace: str, *, created_by: str | None, limit: int
    ) -> list[FeedLinkRecord]:
        query: dict[str, Any] = {"workspace": workspace}
        if created_by is not None:
            query["created_by"] = created_by
        cursor = self.links.find(query, sort=[("created_at", DESCENDING)], limit=limit)
        documents = [d async for d in cursor]
        ids = [d["_id"] for d in documents]
        revoked = {r["_id"]: r async for r in self.revocations.find({"_id": {"$in": ids}})}
        return [_record(d, revoked.get(d["_id"])) for d in documents]

    async def revoke(self, record: FeedLinkRecord, *, by: str, at: datetime) -> None:
        document = {"_id": record.id, "workspace": record.workspace, "by": by, "at": at}
        await insert_new(self.revocations, [document])  # a second revocation is a no-op

    async def revoked(self, link_id: str) -> bool:
        return await self.revocations.find_one({"_id": link_id}, {"_id": 1}) is not None


def _record(document: dict[str, Any], revoked: dict[str, Any] | None) -> FeedLinkRecord:
    return FeedLinkRecord.model_validate(
        {
            **document,
            "id": document["_id"],
            "revoked_at": revoked["at"] if revoked else None,
            "revoked_by": revoked["by"] if revoked else None,
        }
    )
