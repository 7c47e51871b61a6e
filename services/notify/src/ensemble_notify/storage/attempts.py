"""The attempt log: each attempt is a claim `{delivery id}#{n}`, then its outcome."""

from __future__ import annotations

from datetime import timedelta

from ensemble_shared.storage import ASCENDING, Collection, Document, Index
from ensemble_shared.storage.claims import ClaimState, claim_state, finish_claim, try_claim

COLLECTION = "delivery_attempts"


def attempt_id(delivery_id: str, attempt: int) -> str:
    return f"{delivery_id}#{attempt}"


class AttemptLog:
    INDEXES = {COLLECTION: [Index([("delivery_id", ASCENDING)], name="by_delivery")]}

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def claim(self, delivery_id: str, attempt: int, *, owner: str, lease: timedelta) -> bool:
        return await try_claim(
            self.collection,
            attempt_id(delivery_id, attempt),
            owner=owner,
            lease=lease,
            delivery_id=delivery_id,
            attempt=attempt,
        )

    async def state(self, delivery_id: str, attempt: int) -> ClaimState:
        return await claim_state(self.collection, attempt_id(delivery_id, attempt))

    async def finish(self, delivery_id: str, attempt: int, **outcome: object) -> None:
        await finish_claim(self.collection, attempt_id(delivery_id, attempt), **outcome)

    async def of(self, delivery_id: str) -> list[Document]:
        cursor = self.collection.find({"delivery_id": delivery_id}, {"owner": 0}).sort("attempt", ASCENDING)
        return await cursor.to_list(100)
