"""Deliveries and their outcomes: inserted once, never updated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ensemble_notify.models.deliveries import Delivery, DeliveryStatus, Outcome
from ensemble_shared.events import Event
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.outbox import Outbox

DELIVERIES = "deliveries"
OUTCOMES = "delivery_outcomes"


def _delivery(document: Document) -> Delivery:
    return Delivery.model_validate({**document, "id": document["_id"]})


def _outcome(document: Document) -> Outcome:
    return Outcome.model_validate({**document, "id": document["_id"]})


class DeliveryRepository:
    INDEXES = {
        DELIVERIES: [
            Index([("workspace", ASCENDING), ("created_at", DESCENDING)], name="by_workspace")
        ],
        OUTCOMES: [
            Index(
                [("workspace", ASCENDING), ("status", ASCENDING), ("finished_at", DESCENDING)],
                name="by_status",
            )
        ],
    }

    def __init__(self, deliveries: Collection, outcomes: Collection, outbox: Outbox) -> None:
        self.deliveries = deliveries
        self.outcomes = outcomes
        self._outbox = outbox

    async def insert_new(self, deliveries: Sequence[Delivery]) -> list[str]:
        return await insert_new(
            self.deliveries, [{"_id": d.id, **d.model_dump(exclude={"id"})} for d in deliveries]
        )

    async def get(self, delivery_id: str) -> Delivery | None:
        document = await self.deliveries.find_one({"_id": delivery_id})
        return _delivery(document) if document else None

    async def many(self, ids: Iterable[str]) -> dict[str, Delivery]:
        cursor = self.deliveries.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: _delivery(d) async for d in cursor}

    async def recent(self, workspace: str, *, limit: int) -> list[Delivery]:
        cursor = self.deliveries.find({"workspace": workspace}).sort("created_at", DESCENDING)
        return [_delivery(d) for d in await cursor.limit(limit).to_list(limit)]

    async def record_outcome(self, outcome: Outcome, event: Event) -> bool:
        """The outcome and its event, written once; False when already recorded."""
        document = self._outbox.stage(
            {"_id": outcome.id, **outcome.model_dump(exclude={"id"})}, [event]
        )
        written = await self._outbox.write(
            self.outcomes, [document], lambda: insert_new(self.outcomes, [document])
        )
        return bool(written)

    async def outcome(self, delivery_id: str) -> Outcome | None:
        document = await self.outcomes.find_one({"_id": delivery_id}, {"_outbox": 0})
        return _outcome(document) if document else None

    async def outcomes_of(self, ids: Iterable[str]) -> dict[str, Outcome]:
        cursor = self.outcomes.find({"_id": {"$in": list(ids)}}, {"_outbox": 0})
        return {d["_id"]: _outcome(d) async for d in cursor}

    async def finished(
        self, workspace: str, status: DeliveryStatus, *, limit: int
    ) -> list[Outcome]:
        cursor = self.outcomes.find(
            {"workspace": workspace, "status": status.value}, {"_outbox": 0}
        )
        return [
            _outcome(d)
            for d in await cursor.sort("finished_at", DESCENDING).limit(limit).to_list(limit)
        ]
