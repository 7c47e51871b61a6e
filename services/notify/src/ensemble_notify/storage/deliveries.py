"""Deliveries, keyed by (event, endpoint), with the notification events they announce."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_notify.models.deliveries import AttemptResult, Delivery, DeliveryStatus
from ensemble_shared.events import Event, utcnow
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.outbox import Outbox

COLLECTION = "deliveries"


def _document(delivery: Delivery) -> Document:
    return {"_id": delivery.id, **delivery.model_dump(exclude={"id"})}


def _delivery(document: Document) -> Delivery:
    return Delivery.model_validate({**document, "id": document["_id"]})


class DeliveryRepository:
    INDEXES = {
        COLLECTION: [
            Index([("status", ASCENDING), ("next_attempt_at", ASCENDING)], name="due"),
            Index([("workspace", ASCENDING), ("created_at", DESCENDING)], name="by_workspace"),
        ]
    }

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def insert_new(self, deliveries: Sequence[Delivery]) -> list[str]:
        return await insert_new(self.collection, [_document(d) for d in deliveries])

    async def reschedule(
        self, delivery_id: str, attempt: int, result: AttemptResult, retry_at: datetime
    ) -> None:
        await self.collection.update_one(
            {"_id": delivery_id, "attempts": {"$lt": attempt}},
            {
                "$set": {
                    "attempts": attempt,
                    "next_attempt_at": retry_at,
                    "last_status_code": result.status_code,
                    "last_error": result.error,
                }
            },
        )

    async def finish(
        self,
        delivery_id: str,
        attempt: int,
        result: AttemptResult,
        status: DeliveryStatus,
        reason: str | None,
        event: Event,
    ) -> None:
        """Terminal state and its event in one write; the event is then published."""
        updated = await self.collection.update_one(
            {"_id": delivery_id, "status": DeliveryStatus.PENDING.value},
            {
                "$set": {
                    "status": status.value,
                    "attempts": attempt,
                    "last_status_code": result.status_code,
                    "last_error": reason or result.error,
                    "finished_at": utcnow(),
                    **self._outbox.stage_update([event]),
                }
            },
        )
        if updated.modified_count:
            await self._outbox.dispatch(self.collection, {delivery_id: [event]})

    async def due(self, now: datetime, *, limit: int) -> list[Delivery]:
        cursor = self.collection.find(
            {"status": DeliveryStatus.PENDING.value, "next_attempt_at": {"$lte": now}},
            {"_outbox": 0},
        )
        return [_delivery(d) for d in await cursor.limit(limit).to_list(limit)]

    async def current(self, delivery_id: str) -> Delivery | None:
        """The delivery as stored now (a sweep's copy may be stale)."""
        document = await self.collection.find_one({"_id": delivery_id}, {"_outbox": 0})
        return _delivery(document) if document else None

    async def get(self, workspace: str, delivery_id: str) -> Delivery | None:
        document = await self.collection.find_one({"_id": delivery_id, "workspace": workspace})
        return _delivery(document) if document else None

    async def list(
        self, workspace: str, *, status: DeliveryStatus | None, limit: int
    ) -> list[Delivery]:
        query: Document = {"workspace": workspace}
        if status is not None:
            query["status"] = status.value
        cursor = self.collection.find(query, {"_outbox": 0}).sort("created_at", DESCENDING)
        return [_delivery(d) for d in await cursor.limit(limit).to_list(limit)]
