"""Staged batches: the facts of each consumed batch, inserted once, until a round folds them.

An insert is the only write a consumer makes, so consuming scales with inserts (cheap on
FerretDB at any size) and never waits for the projection. The `_id` is a digest of the
batch's event ids, so a batch redelivered whole changes nothing; a batch redelivered with
other boundaries stages its events again, and the round's dedupe (`seen`) counts each once.
The collection stays small: a round removes what it folded.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from ensemble_insights.models.facts import Fact
from ensemble_insights.storage.blobs import pack, unpack
from ensemble_shared.events import utcnow
from ensemble_shared.storage import Collection
from ensemble_shared.storage.idempotency import insert_new


@dataclass(frozen=True)
class Staged:
    id: str
    at: datetime
    facts: list[Fact]


def batch_id(facts: Sequence[Fact]) -> str:
    digest = hashlib.sha256("\n".join(sorted(f.id for f in facts)).encode()).hexdigest()
    return digest[:32]


class Staging:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def stage(self, facts: Sequence[Fact]) -> bool:
        """Stage a batch's facts; False when this very batch was staged before."""
        if not facts:
            return False
        document = {
            "_id": batch_id(facts),
            "at": utcnow(),
            "n": len(facts),
            "blob": pack([fact.row() for fact in facts]),
        }
        return bool(await insert_new(self._collection, [document]))

    async def oldest(self, limit: int, *, lookahead: int = 0) -> tuple[list[Staged], int]:
        """Up to `limit` staged batches in the order they were staged, and how many of the
        `lookahead` after them wait too (one scan with no filter: FerretDB stops at the
        limit)."""
        documents = await self._collection.find({}).limit(limit + lookahead).to_list(None)
        documents.sort(key=lambda d: (d["at"], d["_id"]))
        taken = [self._staged(d) for d in documents[:limit]]
        return taken, max(len(documents) - limit, 0)

    async def by_ids(self, ids: Sequence[str]) -> list[Staged]:
        documents = await self._collection.find({"_id": {"$in": list(ids)}}).to_list(None)
        order = {batch: n for n, batch in enumerate(ids)}
        return sorted((self._staged(d) for d in documents), key=lambda s: order[s.id])

    async def remove(self, ids: Sequence[str]) -> None:
        if ids:
            await self._collection.delete_many({"_id": {"$in": list(ids)}})

    async def backlog(self) -> int:
        return int(await self._collection.count_documents({}))

    @staticmethod
    def _staged(document: dict[str, object]) -> Staged:
        rows = unpack(document["blob"])  # type: ignore[arg-type]
        at = document["at"]
        assert isinstance(at, datetime)
        return Staged(str(document["_id"]), at, [Fact.of_row(row) for row in rows])
