"""Inbox items and read receipts: both inserted once, never updated.

"Read" is a receipt inserted beside the item (its `_id` is the item's), so marking read twice
is a duplicate key, the unread count is two indexed counts, and the items collection — the
big one — is never rewritten.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from ensemble_notify.models.inbox import InboxItem
from ensemble_shared.events import Event
from ensemble_shared.outbox import Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, older_than

ITEMS = "inbox"
READS = "inbox_reads"
PERSON = [("workspace", ASCENDING), ("person", ASCENDING)]


def _item(document: Document) -> InboxItem:
    return InboxItem.model_validate({**document, "id": document["_id"]})


class InboxRepository:
    INDEXES = {
        ITEMS: [
            Index([*PERSON, ("created_at", DESCENDING), ("_id", DESCENDING)], name="by_person_time")
        ],
        READS: [Index(PERSON, name="by_person")],
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.items = database[ITEMS]
        self.reads = database[READS]
        self._outbox = outbox

    async def add(self, item: InboxItem) -> bool:
        document = {"_id": item.id, **item.model_dump(exclude={"id"})}
        return bool(await insert_new(self.items, [document]))

    async def add_many(self, items: Sequence[InboxItem]) -> list[str]:
        """One unordered insert; items already there (same delivery id) are left as they are."""
        documents = {item.id: {"_id": item.id, **item.model_dump(exclude={"id"})} for item in items}
        return [str(i) for i in await insert_new(self.items, list(documents.values()))]

    async def get(self, workspace: str, person: str, item_id: str) -> InboxItem | None:
        document = await find_owned(self.items, item_id, workspace, person=person)
        return _item(document) if document else None

    async def page(
        self, workspace: str, person: str, *, before: Position | None, limit: int
    ) -> list[InboxItem]:
        """Newest first; `before` is the (created_at, id) of the last item already seen."""
        query: Document = {
            "workspace": workspace,
            "person": person,
            **older_than("created_at", before),
        }
        cursor = self.items.find(query).sort([("created_at", DESCENDING), ("_id", DESCENDING)])
        return [_item(d) for d in await cursor.limit(limit).to_list(limit)]

    async def since(
        self, workspace: str, person: str, at: datetime, *, limit: int
    ) -> list[InboxItem]:
        """Oldest first from `at` (inclusive): what a live stream has not shown yet."""
        cursor = self.items.find(
            {"workspace": workspace, "person": person, "created_at": {"$gte": at}}
        ).sort([("created_at", ASCENDING), ("_id", ASCENDING)])
        return [_item(d) for d in await cursor.limit(limit).to_list(limit)]

    async def read_at(self, ids: Iterable[str]) -> dict[str, datetime]:
        cursor = self.reads.find({"_id": {"$in": list(ids)}}, {"read_at": 1})
        return {d["_id"]: d["read_at"] async for d in cursor}

    async def mark_read(self, item: InboxItem, at: datetime, event: Event) -> bool:
        """The receipt and its notification.read event, once; False when already read."""
        return await self._outbox.insert_one(
            self.reads,
            {"_id": item.id, "workspace": item.workspace, "person": item.person, "read_at": at},
            [event],
        )

    async def unread(self, workspace: str, person: str) -> int:
        query = {"workspace": workspace, "person": person}
        items = await self.items.count_documents(query)
        reads = await self.reads.count_documents(query)
        return max(0, items - reads)
