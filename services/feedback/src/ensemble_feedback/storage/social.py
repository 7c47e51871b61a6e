"""The social-mentions projection, keyed by mention id (a replayed event rewrites the same row)."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_feedback.models.social import SocialMention
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index, UpdateOne

COLLECTION = "social_mentions"


class SocialMentionRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [("workspace", ASCENDING), ("platform", ASCENDING), ("author_handle", ASCENDING)],
                name="by_author",
            )
        ]
    }

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def upsert(self, mentions: Sequence[SocialMention]) -> None:
        operations = [
            UpdateOne(
                {"_id": m.mention_id},
                {"$setOnInsert": m.model_dump(exclude={"mention_id"})},
                upsert=True,
            )
            for m in mentions
        ]
        if operations:
            await self.collection.bulk_write(operations, ordered=False)

    async def list(self, workspace: str, *, limit: int) -> list[SocialMention]:
        cursor = self.collection.find({"workspace": workspace}).sort("received_at", DESCENDING)
        return [
            SocialMention.model_validate({**d, "mention_id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
