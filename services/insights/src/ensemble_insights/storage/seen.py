"""The events the projection has counted: one insert per event id, the dedupe of record.

A round claims its facts' ids by inserting `{_id: event id, r: round}`; the ids whose insert
went through are new, the others were counted by an earlier round. The unique index answers
in O(log n) at any size. Reading markers back costs a scan of the collection on FerretDB, so it
happens only when a round is redone after a crash (to recognise the markers it had inserted).
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_shared.storage import Collection
from ensemble_shared.storage.idempotency import insert_new

CHUNK = 1000


class Seen:
    def __init__(self, collection: Collection) -> None:
        self._collection = collection

    async def claim(self, ids: Sequence[str], round_: int) -> set[str]:
        """The ids of `ids` nobody claimed before; they are now `round_`'s."""
        new: set[str] = set()
        for start in range(0, len(ids), CHUNK):
            chunk = [{"_id": i, "r": round_} for i in ids[start : start + CHUNK]]
            new.update(await insert_new(self._collection, chunk))
        return new

    async def claimed_by(self, round_: int) -> set[str]:
        """Every id `round_` claimed (one scan of the collection: crash recovery only)."""
        cursor = self._collection.find({"r": round_}, {"_id": 1})
        return {str(d["_id"]) for d in await cursor.to_list(None)}
