"""The moderation queue and its decisions: insert-only, unique keys decide.

Pending = queued and not decided. Deriving it (instead of updating the queue item) keeps every
write an insert, which FerretDB does in ~1 ms where an update scans the collection.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_feedback.models.moderation import Action, Decision, QueueItem
from ensemble_shared.storage import ASCENDING, Database, Document, DuplicateKeyError, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, newer_than

QUEUE = "moderation_queue"
DECISIONS = "moderation_decisions"


def _key(workspace: str, item_id: str) -> str:
    return f"{workspace}:{item_id}"


def _position(item: QueueItem) -> Position:
    return item.queued_at, _key(item.workspace, item.id)


def _item(document: Document) -> QueueItem:
    return QueueItem.model_validate({**document, "id": document["item_id"]})


def _decision(document: Document) -> Decision:
    return Decision.model_validate(document)


class ModerationRepository:
    INDEXES = {
        QUEUE: [
            Index([("workspace", ASCENDING), ("queued_at", ASCENDING), ("_id", ASCENDING)], "fifo"),
            Index([("workspace", ASCENDING), ("member_id", ASCENDING)], "by_member"),
        ],
        DECISIONS: [
            Index(
                [("workspace", ASCENDING), ("member_id", ASCENDING), ("action", ASCENDING)],
                "by_member_action",
            ),
        ],
    }

    def __init__(self, database: Database) -> None:
        self.queue = database[QUEUE]
        self.decisions = database[DECISIONS]

    async def enqueue(self, item: QueueItem) -> bool:
        """False when the item was already queued (a retried write)."""
        document = item.model_dump(mode="python", exclude={"id"})
        document |= {"_id": _key(item.workspace, item.id), "item_id": item.id}
        try:
            await self.queue.insert_one(document)
        except DuplicateKeyError:
            return False
        return True

    async def item(self, workspace: str, item_id: str) -> QueueItem | None:
        document = await find_owned(self.queue, _key(workspace, item_id), workspace)
        return _item(document) if document else None

    async def decide(self, decision: Decision) -> Decision | None:
        """Record the decision; None when it is the first, else the decision recorded before."""
        document = decision.model_dump(mode="python")
        document["_id"] = _key(decision.workspace, decision.item_id)
        try:
            await self.decisions.insert_one(document)
        except DuplicateKeyError:
            earlier = await self.decisions.find_one({"_id": document["_id"]})
            return _decision(earlier) if earlier else decision
        return None

    async def undo(self, decision: Decision) -> None:
        """Take back a decision whose effect failed, so the manager can try again."""
        await self.decisions.delete_one(
            {
                "_id": _key(decision.workspace, decision.item_id),
                "by": decision.by,
                "at": decision.at,
            }
        )

    async def decision(self, workspace: str, item_id: str) -> Decision | None:
        document = await self.decisions.find_one({"_id": _key(workspace, item_id)})
        return _decision(document) if document else None

    async def _decided(self, workspace: str, keys: Iterable[str]) -> set[str]:
        cursor = self.decisions.find(
            {"_id": {"$in": list(keys)}, "workspace": workspace}, {"_id": 1}
        )
        return {d["_id"] async for d in cursor}

    async def pending(
        self, workspace: str, *, limit: int, after: Position | None, scan: int
    ) -> tuple[list[QueueItem], Position | None]:
        """Oldest pending items first, and where the next page starts (None on the last).
        Reads at most `scan` queue items per call, so a long run of decided items costs bounded
        work: the page may come back short with a next position."""
        filters: Document = {"workspace": workspace, **newer_than("queued_at", after)}
        found = self.queue.find(filters).sort([("queued_at", ASCENDING), ("_id", ASCENDING)])
        documents = await found.limit(scan).to_list(scan)
        decided = await self._decided(workspace, [d["_id"] for d in documents])
        pending: list[QueueItem] = []
        for position, document in enumerate(documents):
            if document["_id"] in decided:
                continue
            pending.append(_item(document))
            if len(pending) == limit:
                more = position < len(documents) - 1 or len(documents) == scan
                return pending, _position(pending[-1]) if more else None
        if len(documents) < scan:
            return pending, None
        return pending, _position(_item(documents[-1]))

    async def pending_of(self, workspace: str, member_id: str, *, cap: int) -> list[QueueItem]:
        """The member's undecided items (at most `cap` read)."""
        found = self.queue.find({"workspace": workspace, "member_id": member_id}).limit(cap)
        items = [_item(d) async for d in found]
        decided = await self._decided(workspace, [_key(workspace, i.id) for i in items])
        return [i for i in items if _key(workspace, i.id) not in decided]

    async def approvals(self, workspace: str, member_id: str) -> int:
        return await self.decisions.count_documents(
            {"workspace": workspace, "member_id": member_id, "action": Action.APPROVED.value}
        )
