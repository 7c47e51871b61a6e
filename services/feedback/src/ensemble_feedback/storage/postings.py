"""Posting fingerprints: what each member posted lately, to see the same text posted twice.

Fingerprints only matter for the duplicate window, but FerretDB 1.24 refuses TTL indexes
("expireAfterSeconds is not implemented"): `forget_postings` (a periodic job) removes old ones; on
MongoDB a TTL index on `at` would do it.
"""

from __future__ import annotations

from datetime import datetime

from ensemble_shared.events import utcnow
from ensemble_shared.storage import Database, DuplicateKeyError, Index

POSTINGS = "moderation_postings"


class PostingRepository:
    INDEXES: dict[str, list[Index]] = {}

    def __init__(self, database: Database) -> None:
        self.postings = database[POSTINGS]

    async def posted(
        self, workspace: str, member_id: str, fingerprint: str, buckets: list[int]
    ) -> bool:
        """Record that the member posted this text in `buckets[0]` (now); True when they had
        posted it in any of `buckets` already. One insert and at most one `_id` read."""
        keys = [f"{workspace}:{member_id}:{fingerprint}:{b}" for b in buckets]
        try:
            await self.postings.insert_one({"_id": keys[0], "workspace": workspace, "at": utcnow()})
        except DuplicateKeyError:
            return True
        for key in keys[1:]:  # `_id` alone: FerretDB reads `$in` by scanning
            if await self.postings.find_one({"_id": key}, {"_id": 1}) is not None:
                return True
        return False

    async def forget_postings(self, before: datetime) -> int:
        """Remove fingerprints recorded before `before`; how many went."""
        result = await self.postings.delete_many({"at": {"$lt": before}})
        return int(result.deleted_count)
