"""The social-mentions projection, keyed by mention id (a replayed event changes nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_feedback.models.social import SocialMention
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index
from ensemble_shared.storage.idempotency import insert_new

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

    async def add_new(self, mentions: Sequence[SocialMention]) -> list[str]:
        return await insert_new(
            self.collection,
            [{"_id": m.mention_id, **m.model_dump(exclude={"mention_id"})} for m in mentions],
        )

    async def list(self, workspace: str, *, limit: int) -> list[SocialMention]:
        cursor = self.collection.find({"workspace": workspace}).sort("received_at", DESCENDING)
        return [
            SocialMention.model_validate({**d, "mention_id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
