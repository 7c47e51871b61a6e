"""The deliveries still to make: a small working set, the one notify collection updated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ensemble_notify.models.deliveries import QueueEntry
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "delivery_queue"


def _entry(document: Document) -> QueueEntry:
    return QueueEntry.model_validate({**document, "id": document["_id"]})


class DeliveryQueue:
    INDEXES = {COLLECTION: [Index([("due_at", ASCENDING)], name="due")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def enqueue(self, entries: Sequence[QueueEntry]) -> list[str]:
        """Queue entries not queued yet; returns the ids newly queued."""
        return await insert_new(
            self.collection, [{"_id": e.id, **e.model_dump(exclude={"id"})} for e in entries]
        )

    async def get(self, delivery_id: str) -> QueueEntry | None:
        document = await self.collection.find_one({"_id": delivery_id})
        return _entry(document) if document else None

    async def many(self, ids: Iterable[str]) -> dict[str, QueueEntry]:
        cursor = self.collection.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: _entry(d) async for d in cursor}

    async def due(self, now: datetime, *, limit: int) -> list[QueueEntry]:
        cursor = self.collection.find({"due_at": {"$lte": now}}).sort("due_at", ASCENDING)
        return [_entry(d) for d in await cursor.limit(limit).to_list(limit)]

    async def pending(self, workspace: str, *, limit: int) -> list[QueueEntry]:
        cursor = self.collection.find({"workspace": workspace}).sort("due_at", ASCENDING)
        return [_entry(d) for d in await cursor.limit(limit).to_list(limit)]

    async def reschedule(
        self,
        delivery_id: str,
        *,
        next_attempt: int,
        due_at: datetime,
        status_code: int | None,
        error: str | None,
    ) -> None:
        await self.collection.update_one(
            {"_id": delivery_id, "next_attempt": {"$lt": next_attempt}},
            {
                "$set": {
                    "next_attempt": next_attempt,
                    "due_at": due_at,
                    "last_status_code": status_code,
                    "last_error": error,
                    "held": None,
                }
            },
        )

    async def hold(self, delivery_id: str, *, until: datetime, reason: str) -> None:
        """Push a delivery back without spending an attempt (its endpoint's breaker is open)."""
        await self.collection.update_one(
            {"_id": delivery_id}, {"$set": {"due_at": until, "held": reason}}
        )

    async def remove_many(self, delivery_ids: Sequence[str]) -> None:
        """One delete (one scan on FerretDB) for many ended deliveries."""
        await self.collection.delete_many({"_id": {"$in": list(delivery_ids)}})
