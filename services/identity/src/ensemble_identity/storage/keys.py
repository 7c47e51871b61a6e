"""Signing keys (a handful), stored under their generation so one rotation wins a race."""

from __future__ import annotations

from datetime import datetime

from ensemble_identity.models.keys import SigningKey
from ensemble_shared.storage import Collection, DuplicateKeyError

SIGNING_KEYS = "signing_keys"


class KeyRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def all(self) -> list[SigningKey]:
        cursor = self.collection.find({}).sort("_id", 1)
        return [SigningKey.of(d) for d in await cursor.to_list(None)]

    async def insert(self, key: SigningKey) -> bool:
        """False when another replica created this generation first."""
        try:
            await self.collection.insert_one(key.document())
        except DuplicateKeyError:
            return False
        return True

    async def revoke(self, kid: str, at: datetime) -> bool:
        result = await self.collection.update_one(
            {"kid": kid, "revoked_at": None}, {"$set": {"revoked_at": at}}
        )
        return bool(result.modified_count)

    async def replace_private(self, kid: str, encrypted: str) -> None:
        await self.collection.update_one({"kid": kid}, {"$set": {"private_key": encrypted}})
