"""Configured sources and their signing secrets."""

from __future__ import annotations

from ensemble_ingest.models.sources import Source
from ensemble_shared.storage import ASCENDING, Collection, Document, Index

COLLECTION = "sources"


def _source(document: Document) -> Source:
    return Source.model_validate({**document, "id": document["_id"]})


class SourceRepository:
    INDEXES = {COLLECTION: [Index([("workspace", ASCENDING)], name="by_workspace")]}

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def add(self, source: Source) -> None:
        await self.collection.insert_one({"_id": source.id, **source.model_dump(exclude={"id"})})

    async def get(self, source_id: str) -> Source | None:
        document = await self.collection.find_one({"_id": source_id})
        return _source(document) if document else None

    async def list(self, workspace: str, *, limit: int) -> list[Source]:
        cursor = self.collection.find({"workspace": workspace}).sort("created_at", ASCENDING)
        return [_source(d) for d in await cursor.limit(limit).to_list(limit)]
