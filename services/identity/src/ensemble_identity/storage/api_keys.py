"""API keys by id (the OAuth client id); a workspace's are few and listed by admins."""

from __future__ import annotations

from datetime import datetime

from ensemble_identity.models.api_keys import ApiKey
from ensemble_shared.storage import Collection

API_KEYS = "api_keys"


class ApiKeyRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, key: ApiKey) -> None:
        await self.collection.insert_one(key.document())

    async def get(self, key_id: str) -> ApiKey | None:
        document = await self.collection.find_one({"_id": key_id})
        return ApiKey.of(document) if document else None

    async def in_workspace(self, workspace: str) -> list[ApiKey]:
        cursor = self.collection.find({"workspace": workspace}).sort("created_at", -1)
        return [ApiKey.of(d) for d in await cursor.to_list(1000)]

    async def revoke(self, key_id: str, at: datetime) -> None:
        await self.collection.update_one(
            {"_id": key_id, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )

    async def touch(self, key_id: str, at: datetime) -> None:
        await self.collection.update_one({"_id": key_id}, {"$set": {"last_used_at": at}})
