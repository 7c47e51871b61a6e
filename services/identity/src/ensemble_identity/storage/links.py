"""Emailed links, stored under the digest of their secret (read by `_id` only)."""

from __future__ import annotations

from datetime import datetime

from ensemble_identity.models.links import Link
from ensemble_shared.storage import Collection

LINKS = "links"


class LinkRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, link: Link) -> None:
        await self.collection.insert_one(link.document())

    async def get(self, digest: str) -> Link | None:
        document = await self.collection.find_one({"_id": digest})
        return Link.of(document) if document else None

    async def purge(self, expired_before: datetime) -> int:
        result = await self.collection.delete_many({"expires_at": {"$lt": expired_before}})
        return int(result.deleted_count)
