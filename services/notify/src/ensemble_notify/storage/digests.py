"""Held notifications (a small working set) and what became of them (inserted, never updated).

`held` holds notifications waiting for their digest, the end of quiet hours, or an unread
check; it is the one collection here that is updated and deleted from, and it stays small (what
is pending). `held_done` remembers every held item that went (released, digested, skipped),
so a redelivered event is not held again; `digests` records each group that went, once — its
id is the lock that makes a digest exactly once per person and period.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ensemble_notify.models.digests import DigestRecord, HeldItem
from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new

HELD = "held"
DONE = "held_done"
DIGESTS = "digests"


def _held(document: Document) -> HeldItem:
    return HeldItem.model_validate({**document, "id": document["_id"]})


def _document(item: HeldItem) -> Document:
    document: Document = {"_id": item.id, **item.model_dump(exclude={"id", "quiet"})}
    document["quiet"] = item.quiet.model_dump(mode="json") if item.quiet else None
    return document


class HeldRepository:
    INDEXES = {
        HELD: [
            Index([("due_at", ASCENDING)], name="due"),
            Index([("group", ASCENDING)], name="by_group"),
        ],
        DIGESTS: [Index([("workspace", ASCENDING), ("person", ASCENDING)], name="by_person")],
    }

    def __init__(self, database: Database) -> None:
        self.held = database[HELD]
        self.done = database[DONE]
        self.digests = database[DIGESTS]

    async def hold(self, items: Sequence[HeldItem]) -> list[str]:
        """Hold items not held yet and not gone already; returns the ids newly held."""
        if not items:
            return []
        gone = await self.gone([i.id for i in items])
        fresh = [_document(i) for i in items if i.id not in gone]
        ids: list[str] = await insert_new(self.held, fresh)
        return ids

    async def gone(self, ids: Iterable[str]) -> set[str]:
        cursor = self.done.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        return {d["_id"] async for d in cursor}

    async def due(
        self, now: datetime, *, limit: int, workspace: str | None = None
    ) -> list[HeldItem]:
        """Held items due by `now`: one workspace's, or everyone's for the periodic pass."""
        query: Document = {"due_at": {"$lte": now}}
        if workspace is not None:
            query["workspace"] = workspace
        cursor = self.held.find(query).sort("due_at", ASCENDING)
        return [_held(d) for d in await cursor.limit(limit).to_list(limit)]

    async def in_groups(self, groups: Iterable[str]) -> list[HeldItem]:
        cursor = self.held.find({"group": {"$in": sorted(set(groups))}})
        return [_held(d) async for d in cursor]

    async def regroup(self, ids: Sequence[str], *, group: str, due_at: datetime) -> None:
        """Move items that missed their group's digest to the next one (a small working set)."""
        if ids:
            await self.held.update_many(
                {"_id": {"$in": list(ids)}}, {"$set": {"group": group, "due_at": due_at}}
            )

    async def record(self, record: DigestRecord) -> DigestRecord:
        """The group's record: this one if it is the first, else the one stored before."""
        document = {"_id": record.id, **record.model_dump(exclude={"id"})}
        if await insert_new(self.digests, [document]):
            return record
        stored = await self.digests.find_one({"_id": record.id})
        assert stored is not None
        return DigestRecord.model_validate({**stored, "id": stored["_id"]})

    async def finish(self, ids: Sequence[str], *, outcome: str, group: str) -> None:
        """Remember the items went, then drop them from the working set (in that order: a crash
        in between leaves them held and done; the next pass only deletes them again)."""
        if not ids:
            return
        at = utcnow()
        await insert_new(
            self.done, [{"_id": i, "outcome": outcome, "group": group, "at": at} for i in ids]
        )
        await self.held.delete_many({"_id": {"$in": list(ids)}})
