"""The attempt log: each attempt is a claim `{delivery id}#{n}`, then its result."""

from __future__ import annotations

from datetime import timedelta

from ensemble_shared.storage import ASCENDING, Collection, Document, Index
from ensemble_shared.storage.claims import Claims, ClaimState

CLAIMS = "delivery_attempts"
RESULTS = "delivery_attempt_results"


def attempt_id(delivery_id: str, attempt: int) -> str:
    return f"{delivery_id}#{attempt}"


class AttemptLog:
    INDEXES = {CLAIMS: [Index([("delivery_id", ASCENDING)], name="by_delivery")]}

    def __init__(self, claims: Collection, results: Collection) -> None:
        self._claims = Claims(claims, results)

    async def claim(self, delivery_id: str, attempt: int, *, owner: str, lease: timedelta) -> bool:
        return await self._claims.take(
            attempt_id(delivery_id, attempt),
            owner=owner,
            lease=lease,
            delivery_id=delivery_id,
            attempt=attempt,
        )

    async def state(self, delivery_id: str, attempt: int) -> ClaimState:
        return await self._claims.state(attempt_id(delivery_id, attempt))

    async def finish(self, delivery_id: str, attempt: int, **outcome: object) -> None:
        await self._claims.finish(attempt_id(delivery_id, attempt), **outcome)

    async def of(self, delivery_id: str) -> list[Document]:
        """Every attempt of a delivery with its result, oldest first."""
        claims = await self._claims.claims.find({"delivery_id": delivery_id}, {"owner": 0}).to_list(
            None
        )
        results = await self._claims.results.find(
            {"_id": {"$in": [c["_id"] for c in claims]}}
        ).to_list(None)
        by_id = {r["_id"]: r for r in results}
        merged = [{**claim, **by_id.get(claim["_id"], {})} for claim in claims]
        return sorted(merged, key=lambda attempt: attempt["attempt"])
