"""The reply-targets projection, one row per mention id (natural key: replays change nothing),
and the triage of each mention, one row per triage event (insert-only; the latest one counts)."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.replies import ReplyTarget, ReplyTriage
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.lookups import find_owned

COLLECTION = "reply_targets"
TRIAGE = "mention_triage"


class ReplyTargetRepository:
    INDEXES = {
        COLLECTION: [Index([("workspace", ASCENDING), ("received_at", DESCENDING)], name="recent")],
        TRIAGE: [
            Index(
                [("mention_id", ASCENDING), ("triaged_at", DESCENDING)], name="latest_per_mention"
            )
        ],
    }

    def __init__(self, collection: Collection, triage: Collection) -> None:
        self.collection = collection
        self.triage = triage

    async def add_new(self, targets: Sequence[ReplyTarget]) -> list[str]:
        return await insert_new(
            self.collection,
            [
                {"_id": t.mention_id, **t.model_dump(exclude={"mention_id", "triage"})}
                for t in targets
            ],
        )

    async def add_triage(self, rows: Sequence[tuple[str, str, str, ReplyTriage]]) -> None:
        """(event id, workspace, mention id, triage): the event id makes replays no-ops."""
        await insert_new(
            self.triage,
            [
                {"_id": event_id, "workspace": ws, "mention_id": mention_id, **t.model_dump()}
                for event_id, ws, mention_id, t in rows
            ],
        )

    async def triage_of(self, workspace: str, mention_id: str) -> ReplyTriage | None:
        document = await self.triage.find_one(
            {"mention_id": mention_id, "workspace": workspace},
            sort=[("triaged_at", DESCENDING)],
        )
        return ReplyTriage.model_validate(document) if document else None

    async def get(self, workspace: str, mention_id: str) -> ReplyTarget | None:
        document = await find_owned(self.collection, mention_id, workspace)
        if document is None:
            return None
        target = ReplyTarget.model_validate({**document, "mention_id": document["_id"]})
        return target.model_copy(update={"triage": await self.triage_of(workspace, mention_id)})

    async def list(self, workspace: str, *, limit: int) -> list[ReplyTarget]:
        cursor = self.collection.find({"workspace": workspace}).sort("received_at", DESCENDING)
        targets = [
            ReplyTarget.model_validate({**d, "mention_id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
        return [
            t.model_copy(update={"triage": await self.triage_of(workspace, t.mention_id)})
            for t in targets
        ]
