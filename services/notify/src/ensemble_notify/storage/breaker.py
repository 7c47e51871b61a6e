"""Breaker transitions: inserted once under `{endpoint}#{seq}`, never updated.

The unique `_id` is the lock: of two replicas making transition n of one endpoint at once,
exactly one insert wins. The current state is the transition with the highest seq.
"""

from __future__ import annotations

from ensemble_notify.models.breaker import Transition
from ensemble_shared.storage import (
    ASCENDING,
    DESCENDING,
    Database,
    Document,
    DuplicateKeyError,
    Index,
)

COLLECTION = "breaker_transitions"


def transition_id(endpoint: str, seq: int) -> str:
    return f"{endpoint}#{seq:09d}"


def _transition(document: Document) -> Transition:
    return Transition.model_validate(document)


class BreakerLog:
    INDEXES = {
        COLLECTION: [Index([("endpoint", ASCENDING), ("seq", DESCENDING)], name="by_endpoint")]
    }

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def append(self, transition: Transition) -> bool:
        """True when this transition is now the endpoint's; False when another replica made
        transition `seq` first."""
        try:
            await self.collection.insert_one(
                {
                    "_id": transition_id(transition.endpoint, transition.seq),
                    **transition.model_dump(),
                }
            )
        except DuplicateKeyError:
            return False
        return True

    async def latest(self, endpoint: str) -> Transition | None:
        cursor = self.collection.find({"endpoint": endpoint}, {"_id": 0})
        found = await cursor.sort("seq", DESCENDING).limit(1).to_list(1)
        return _transition(found[0]) if found else None
