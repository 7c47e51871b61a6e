"""The attempt log: each attempt is a claim `{delivery id}#{n}`, then its result."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.claims import Claims, ClaimState
from ensemble_shared.storage.idempotency import insert_new

CLAIMS = "delivery_attempts"
RESULTS = "delivery_attempt_results"


def attempt_id(delivery_id: str, attempt: int) -> str:
    return f"{delivery_id}#{attempt}"


class AttemptLog:
    INDEXES = {CLAIMS: [Index([("delivery_id", ASCENDING)], name="by_delivery")]}

    def __init__(self, database: Database) -> None:
        self._claims = Claims(database[CLAIMS], database[RESULTS])

    async def claim_many(
        self, attempts: Sequence[tuple[str, int]], *, owner: str, lease: timedelta
    ) -> list[bool]:
        """Claim many attempts in one unordered insert: each unique key still decides alone
        (a duplicate lost the race). Same documents as `Claims.take` writes."""
        now = utcnow()
        documents = {
            attempt_id(delivery, attempt): {
                "_id": attempt_id(delivery, attempt),
                "delivery_id": delivery,
                "attempt": attempt,
                "owner": owner,
                "claimed_at": now,
                "lease_until": now + lease,
            }
            for delivery, attempt in attempts
        }
        won = set(await insert_new(self._claims.claims, list(documents.values())))
        return _first_only([attempt_id(d, n) for d, n in attempts], won)

    async def finish_many(
        self, results: Sequence[tuple[str, int, Mapping[str, object]]]
    ) -> list[bool]:
        """`finish` for many attempts in one unordered insert; False where already recorded."""
        now = utcnow()
        documents = {
            attempt_id(delivery, attempt): {
                "_id": attempt_id(delivery, attempt),
                "finished_at": now,
                **result,
            }
            for delivery, attempt, result in results
        }
        written = set(await insert_new(self._claims.results, list(documents.values())))
        return _first_only([attempt_id(d, n) for d, n, _ in results], written)

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


def _first_only(ids: Sequence[str], written: set[str]) -> list[bool]:
    """Per item: written, and by this item (an id asked for twice is written once)."""
    seen: set[str] = set()
    won: list[bool] = []
    for key in ids:
        won.append(key in written and key not in seen)
        seen.add(key)
    return won
