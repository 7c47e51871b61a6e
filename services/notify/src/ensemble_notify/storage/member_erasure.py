"""Members who erased their data (feedback's `member.erased`): a tombstone each, and every
record notify kept of them as a recipient removed.

The tombstone (`_id` = workspace|member) outlives the erasure so that a member event relayed
late (an outbox retry of an older `member.updated`) is not projected again. Erasure is rare,
so the deletions may scan the big collections on FerretDB; the hot paths never delete.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from ensemble_notify.storage.attempts import CLAIMS, RESULTS
from ensemble_notify.storage.deliveries import DELIVERIES, OUTCOMES
from ensemble_notify.storage.digests import DIGESTS, HELD
from ensemble_notify.storage.inbox import ITEMS, READS
from ensemble_notify.storage.members import COLLECTION as MEMBERS
from ensemble_notify.storage.preferences import COLLECTION as PREFERENCES
from ensemble_notify.storage.queue import COLLECTION as QUEUE
from ensemble_shared.storage import Database, Index
from ensemble_shared.storage.idempotency import insert_new

ERASED = "erased_members"


def _key(workspace: str, member_id: str) -> str:
    return f"{workspace}|{member_id}"


class ErasedMembers:
    INDEXES: dict[str, list[Index]] = {ERASED: []}

    def __init__(self, database: Database) -> None:
        self._database = database
        self.collection = database[ERASED]

    async def among(self, workspace: str, member_ids: Iterable[str]) -> set[str]:
        """Which of these members erased their data."""
        keys = [_key(workspace, m) for m in set(member_ids)]
        if not keys:
            return set()
        cursor = self.collection.find({"_id": {"$in": keys}}, {"member_id": 1})
        return {d["member_id"] async for d in cursor}

    async def erase(
        self, workspace: str, member_ids: Sequence[str], recipients: Sequence[str], at: datetime
    ) -> dict[str, int]:
        """Tombstone the members first (so nothing about them is projected again), then delete
        their versions and everything addressed to them; how many documents per collection."""
        await insert_new(
            self.collection,
            [
                {"_id": _key(workspace, m), "workspace": workspace, "member_id": m, "at": at}
                for m in member_ids
            ],
        )
        db = self._database
        removed: dict[str, int] = {}

        async def drop(name: str, query: Mapping[str, object]) -> None:
            removed[name] = int((await db[name].delete_many(query)).deleted_count)

        await drop(MEMBERS, {"workspace": workspace, "member_id": {"$in": list(member_ids)}})
        addressed = {"workspace": workspace, "recipient": {"$in": list(recipients)}}
        deliveries = [str(i) for i in await db[DELIVERIES].distinct("_id", addressed)]
        if deliveries:
            claims = [
                str(i)
                for i in await db[CLAIMS].distinct("_id", {"delivery_id": {"$in": deliveries}})
            ]
            await drop(RESULTS, {"_id": {"$in": claims}})
            await drop(CLAIMS, {"_id": {"$in": claims}})
            await drop(QUEUE, {"_id": {"$in": deliveries}})
            await drop(OUTCOMES, {"_id": {"$in": deliveries}})
            await drop(DELIVERIES, {"_id": {"$in": deliveries}})
        people = {"workspace": workspace, "person": {"$in": list(recipients)}}
        for name in (HELD, DIGESTS, ITEMS, READS):
            await drop(name, people)
        keys = [f"{workspace}/{r}" for r in recipients]
        await drop(PREFERENCES, {"_id": {"$in": keys}})
        return removed
