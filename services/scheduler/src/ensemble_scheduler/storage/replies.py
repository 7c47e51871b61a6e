"""The reply-targets projection, one row per mention id (natural key: replays change nothing)."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.replies import ReplyTarget
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index
from ensemble_shared.storage.idempotency import insert_new

COLLECTION = "reply_targets"


class ReplyTargetRepository:
    INDEXES = {
        COLLECTION: [Index([("workspace", ASCENDING), ("received_at", DESCENDING)], name="recent")]
    }

    def __init__(self, collection: Collection) -> None:
        self.collection = collection

    async def add_new(self, targets: Sequence[ReplyTarget]) -> list[str]:
        return await insert_new(
            self.collection,
            [{"_id": t.mention_id, **t.model_dump(exclude={"mention_id"})} for t in targets],
        )

    async def list(self, workspace: str, *, limit: int) -> list[ReplyTarget]:
        cursor = self.collection.find({"workspace": workspace}).sort("received_at", DESCENDING)
        return [
            ReplyTarget.model_validate({**d, "mention_id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
