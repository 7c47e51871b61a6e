"""Sessions under the digest of their token; a sign-out deletes, so lists stay short."""

from __future__ import annotations

from datetime import datetime

from ensemble_identity.models.sessions import Session
from ensemble_shared.storage import Collection

SESSIONS = "sessions"


class SessionRepository:
    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def insert(self, session: Session) -> None:
        await self.collection.insert_one(session.document())

    async def get(self, digest: str) -> Session | None:
        document = await self.collection.find_one({"_id": digest})
        return Session.of(document) if document else None

    async def touch(self, digest: str, at: datetime) -> None:
        await self.collection.update_one({"_id": digest}, {"$set": {"last_seen_at": at}})

    async def of_account(self, account_id: str) -> list[Session]:
        cursor = self.collection.find({"account_id": account_id}).sort("last_seen_at", -1)
        return [Session.of(d) for d in await cursor.to_list(None)]

    async def delete(self, digest: str) -> None:
        await self.collection.delete_one({"_id": digest})

    async def delete_one_of(self, account_id: str, session_id: str) -> bool:
        result = await self.collection.delete_one({"id": session_id, "account_id": account_id})
        return bool(result.deleted_count)

    async def delete_all_of(self, account_id: str, *, keep: str | None = None) -> int:
        query: dict[str, object] = {"account_id": account_id}
        if keep is not None:
            query["_id"] = {"$ne": keep}
        result = await self.collection.delete_many(query)
        return int(result.deleted_count)

    async def purge(self, before: datetime) -> int:
        """Sessions past their absolute end (idle ones are refused when used, then purged)."""
        result = await self.collection.delete_many({"expires_at": {"$lt": before}})
        return int(result.deleted_count)
