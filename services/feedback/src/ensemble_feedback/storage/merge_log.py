"""Each workspace's member merges and unmerges as one numbered, insert-only log.

The seq is part of the unique `_id`, so two concurrent merges cannot both take the next number
(FerretDB's findAndModify is not atomic, a unique insert is).
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_feedback.models.merges import MergeEntry
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, Database, Index

MERGES = "member_merges"


class MergeLogRepository:
    INDEXES = {MERGES: [Index([("workspace", ASCENDING), ("seq", ASCENDING)], name="log")]}

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[MERGES]
        self._outbox = outbox

    async def append(self, workspace: str, entry: MergeEntry, events: Sequence[Event]) -> bool:
        """False when another entry took `entry.seq` first (the caller reloads and retries)."""
        return await self._outbox.insert_one(
            self.collection,
            {
                "_id": f"{workspace}|{entry.seq:012d}",
                "workspace": workspace,
                "seq": entry.seq,
                "kind": entry.kind,
                "merge_id": entry.merge_id,
                "survivor": entry.survivor,
                "merged": entry.merged,
                "by": entry.by,
                "at": entry.at,
            },
            events,
        )

    async def since(self, workspace: str, seq: int) -> list[MergeEntry]:
        cursor = self.collection.find(
            {"workspace": workspace, "seq": {"$gt": seq}}, {FIELD: 0}
        ).sort("seq", ASCENDING)
        return [
            MergeEntry(
                seq=d["seq"],
                kind=d["kind"],
                merge_id=d["merge_id"],
                survivor=d["survivor"],
                merged=d["merged"],
                by=d["by"],
                at=d["at"],
            )
            async for d in cursor
        ]
