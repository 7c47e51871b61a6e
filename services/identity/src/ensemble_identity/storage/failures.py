"""Failed sign-ins per email and per address, shared by every replica (insert-only).

A lockout has to hold across replicas, so failures are stored, one small document each, and
counted over the window; a periodic purge keeps the collection to the last window's worth.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from ensemble_shared.events import new_id
from ensemble_shared.storage import Collection

FAILURES = "signin_failures"

Scope = Literal["email", "address"]


class FailureLog:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def record(self, at: datetime, **keys: str) -> None:
        """One failure for each scope given, e.g. `record(at, email=..., address=...)`."""
        await self.collection.insert_many(
            [{"_id": new_id(), "scope": s, "key": k, "at": at} for s, k in keys.items()]
        )

    async def since(self, scope: Scope, key: str, since: datetime) -> list[datetime]:
        cursor = self.collection.find(
            {"scope": scope, "key": key, "at": {"$gte": since}}, {"at": 1}
        )
        return sorted(d["at"] for d in await cursor.to_list(None))

    async def clear(self, scope: Scope, key: str) -> None:
        await self.collection.delete_many({"scope": scope, "key": key})

    async def purge(self, before: datetime) -> int:
        result = await self.collection.delete_many({"at": {"$lt": before}})
        return int(result.deleted_count)
