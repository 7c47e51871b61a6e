"""The projection's own small records: leadership leases and how far folding has come.

A lease is a unique insert per time slot (`fold:<slot>`): whoever inserts it folds during that
slot; the holder inserts the next slot's lease before its slot ends, so leadership stays put
while the holder lives and moves within a slot when it dies. Progress is one document the
leader rewrites after each round: consumers read it to slow down when staged batches pile up,
and the admin status shows it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection, DuplicateKeyError

PROGRESS = "progress"


class Leases:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def take(self, slot: int, owner: str) -> bool:
        try:
            await self._collection.insert_one({"_id": f"fold:{slot}", "owner": owner, "slot": slot})
        except DuplicateKeyError:
            found = await self._collection.find_one({"_id": f"fold:{slot}"})
            return found is not None and found.get("owner") == owner
        return True

    async def purge(self, before_slot: int) -> None:
        await self._collection.delete_many({"slot": {"$lt": before_slot}})


class Progress:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def record(self, **fields: Any) -> None:
        await self._collection.replace_one(
            {"_id": PROGRESS}, {**fields, "at": utcnow()}, upsert=True
        )

    async def read(self) -> dict[str, Any]:
        found = await self._collection.find_one({"_id": PROGRESS})
        return dict(found or {})

    @staticmethod
    def age(progress: dict[str, Any]) -> float | None:
        at = progress.get("at")
        return (utcnow() - at).total_seconds() if isinstance(at, datetime) else None
