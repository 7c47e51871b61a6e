"""Member activity: insert-only, `_id` = the activity's natural id, so a replay is a no-op."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from ensemble_feedback.models.activity import Activity
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Document, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.pagination import Position, older_than

COLLECTION = "member_activity"


class ActivityRepository:
    INDEXES = {
        COLLECTION: [
            Index(
                [
                    ("workspace", ASCENDING),
                    ("member_id", ASCENDING),
                    ("at", DESCENDING),
                    ("_id", DESCENDING),
                ],
                name="timeline",
            )
        ]
    }

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

    async def add_new(self, activities: Sequence[Activity]) -> list[str]:
        unique = {a.activity_id: a for a in activities}
        return await insert_new(
            self.collection,
            [{"_id": key, **a.model_dump()} for key, a in unique.items()],
        )

    async def page(
        self,
        workspace: str,
        member_ids: Iterable[str],
        *,
        after: Position | None,
        limit: int,
    ) -> list[tuple[str, Activity]]:
        """Newest first: (activity id, activity)."""
        filters: dict[str, Any] = {"workspace": workspace, "member_id": {"$in": list(member_ids)}}
        if after is not None:
            filters = {"$and": [filters, older_than("at", after)]}
        cursor = self.collection.find(filters).sort([("at", DESCENDING), ("_id", DESCENDING)])
        return [
            (d["_id"], Activity.model_validate(d)) for d in await cursor.limit(limit).to_list(limit)
        ]

    async def distinct(
        self, workspace: str, member_ids: Iterable[str]
    ) -> list[tuple[str, str, str]]:
        """(member, kind, ref) of every activity of these members, each once."""
        pipeline: list[Document] = [
            {"$match": {"workspace": workspace, "member_id": {"$in": list(member_ids)}}},
            {"$group": {"_id": {"m": "$member_id", "k": "$kind", "r": "$ref"}}},
        ]
        cursor = self.collection.aggregate(pipeline)
        return [(d["_id"]["m"], d["_id"]["k"], d["_id"]["r"]) async for d in cursor]
