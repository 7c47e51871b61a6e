"""Deliveries and their outcomes: inserted once, never updated."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ensemble_notify.models.deliveries import CHAT_CHANNELS, Delivery, DeliveryStatus, Outcome
from ensemble_shared.events import Event
from ensemble_shared.outbox import Outbox
from ensemble_shared.sealing import Sealer
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.pagination import Position, newer_than

DELIVERIES = "deliveries"
OUTCOMES = "delivery_outcomes"


def _outcome(document: Document) -> Outcome:
    return Outcome.model_validate({**document, "id": document["_id"]})


class DeliveryRepository:
    INDEXES = {
        DELIVERIES: [
            Index([("workspace", ASCENDING), ("created_at", DESCENDING)], name="by_workspace"),
            Index(
                [("recipient", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="by_recipient",
            ),
            Index([("replay_of", ASCENDING)], name="by_replay_of"),
            Index([("replay", ASCENDING)], name="by_replay"),
        ],
        OUTCOMES: [
            Index(
                [("workspace", ASCENDING), ("status", ASCENDING), ("finished_at", DESCENDING)],
                name="by_status",
            ),
            Index([("replay", ASCENDING), ("status", ASCENDING)], name="by_replay"),
        ],
    }

    def __init__(self, database: Database, outbox: Outbox, sealer: Sealer) -> None:
        self.deliveries = database[DELIVERIES]
        self.outcomes = database[OUTCOMES]
        self._outbox = outbox
        self._sealer = sealer

    def _document(self, delivery: Delivery) -> Document:
        """A chat delivery's address (its webhook URL, a credential) is sealed at rest."""
        document = {"_id": delivery.id, **delivery.model_dump(exclude={"id"})}
        if delivery.channel in CHAT_CHANNELS:
            document["address"] = self._sealer.seal(delivery.address)
        return document

    def _delivery(self, document: Document) -> Delivery:
        opened = {**document, "address": self._sealer.open(document["address"])}
        return Delivery.model_validate({**opened, "id": document["_id"]})

    async def insert_new(self, deliveries: Sequence[Delivery]) -> list[str]:
        return await insert_new(self.deliveries, [self._document(d) for d in deliveries])

    async def get(self, delivery_id: str) -> Delivery | None:
        document = await self.deliveries.find_one({"_id": delivery_id})
        return self._delivery(document) if document else None

    async def many(self, ids: Iterable[str]) -> dict[str, Delivery]:
        cursor = self.deliveries.find({"_id": {"$in": list(ids)}})
        return {d["_id"]: self._delivery(d) async for d in cursor}

    async def recent(self, workspace: str, *, limit: int) -> list[Delivery]:
        cursor = self.deliveries.find({"workspace": workspace}).sort("created_at", DESCENDING)
        return [self._delivery(d) for d in await cursor.limit(limit).to_list(limit)]

    async def record_outcomes(self, outcomes: Sequence[tuple[Outcome, Event]]) -> list[bool]:
        """Each outcome and its event, written once: one pointer insert, one outcome insert,
        one publish and one pointer delete however many; per outcome, False when already
        recorded."""
        documents: dict[str, Document] = {}
        for outcome, event in outcomes:
            if outcome.id not in documents:  # one outcome per delivery, even asked twice
                documents[outcome.id] = self._outbox.stage(
                    {"_id": outcome.id, **outcome.model_dump(exclude={"id"})}, [event]
                )
        staged = list(documents.values())
        written = await self._outbox.insert(self.outcomes, staged)
        seen: set[str] = set()
        recorded: list[bool] = []
        for outcome, _ in outcomes:
            recorded.append(outcome.id in written and outcome.id not in seen)
            seen.add(outcome.id)
        return recorded

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

    async def to_recipient(
        self,
        workspace: str,
        recipient: str,
        *,
        since: datetime,
        before: datetime,
        after: Position | None,
        limit: int,
    ) -> list[Delivery]:
        """A recipient's deliveries created in [since, before), oldest first, after a cursor."""
        query: Document = {
            "recipient": recipient,
            "workspace": workspace,
            "created_at": {"$gte": since, "$lt": before},
            **newer_than("created_at", after),
        }
        cursor = self.deliveries.find(query).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [self._delivery(d) for d in await cursor.limit(limit).to_list(limit)]

    async def replays_of(self, delivery_id: str, *, limit: int) -> list[Delivery]:
        cursor = self.deliveries.find({"replay_of": delivery_id}).sort("created_at", ASCENDING)
        return [self._delivery(d) for d in await cursor.limit(limit).to_list(limit)]

    async def replay_counts(self, replay: str) -> dict[DeliveryStatus, int]:
        """How many deliveries of a replay job ended, by status (two indexed counts)."""
        return {
            status: await self.outcomes.count_documents({"replay": replay, "status": status.value})
            for status in (DeliveryStatus.DELIVERED, DeliveryStatus.FAILED)
        }

    async def count_replay(self, replay: str) -> int:
        return await self.deliveries.count_documents({"replay": replay})
