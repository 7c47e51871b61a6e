"""Mentions, each stored with the events that announce it (outbox)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from ensemble_ingest.models.mentions import Mention
from ensemble_shared.events import Event
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.outbox import Outbox

COLLECTION = "mentions"


def _document(mention: Mention) -> Document:
    document = mention.model_dump(mode="json", exclude={"id", "created_at", "received_at"})
    return {
        "_id": mention.id,
        **document,
        "created_at": mention.created_at,
        "received_at": mention.received_at,
    }


def _mention(document: Document) -> Mention:
    return Mention.model_validate({**document, "id": document["_id"]})


class MentionRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("platform", ASCENDING), ("external_id", ASCENDING)],
                name="natural_key",
                unique=True,
            ),
            Index([("workspace", ASCENDING), ("received_at", DESCENDING)], name="by_received"),
        ]
    }

    def __init__(self, collection: Collection, outbox: Outbox) -> None:
        self.collection = collection
        self._outbox = outbox

    async def insert_new(self, staged: Sequence[tuple[Mention, Sequence[Event]]]) -> set[str]:
        """Store mentions not seen before, each with its events, and announce those; returns
        the new ids. One pointer insert, one mention insert, one publish, one pointer delete."""
        documents = [self._outbox.stage(_document(m), events) for m, events in staged]
        return await self._outbox.write(
            self.collection, documents, lambda: insert_new(self.collection, documents)
        )

    async def get(self, workspace: str, mention_id: str) -> Mention | None:
        document = await self.collection.find_one({"_id": mention_id, "workspace": workspace})
        return _mention(document) if document else None

    async def list(self, workspace: str, *, limit: int, before: datetime | None) -> list[Mention]:
        query: Document = {"workspace": workspace}
        if before is not None:
            query["received_at"] = {"$lt": before}
        cursor = self.collection.find(query, {"_outbox": 0}).sort("received_at", DESCENDING)
        return [_mention(d) for d in await cursor.limit(limit).to_list(limit)]
