"""The social-mentions projection, keyed by mention id (a replayed event changes nothing)."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from ensemble_feedback.models.social import SocialMention
from ensemble_shared.storage import ASCENDING, DESCENDING, Database, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.pagination import Position, older_than

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

    def __init__(self, database: Database) -> None:
        self.collection = database[COLLECTION]

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

    async def by_authors(
        self,
        workspace: str,
        authors: Sequence[tuple[str, Sequence[str]]],
        *,
        after: Position | None = None,
        limit: int = 0,
    ) -> builtins.list[SocialMention]:
        """Mentions written by any of `authors` ((platform, handle forms)), newest first;
        `after` = (received_at, mention id) of the last one seen; `limit` 0 = all (members)."""
        if not authors:
            return []
        filters: dict[str, Any] = {
            "workspace": workspace,
            "$or": [{"platform": p, "author_handle": {"$in": list(h)}} for p, h in authors],
        }
        if after is not None:
            filters = {"$and": [filters, older_than("received_at", after)]}
        cursor = self.collection.find(filters).sort(
            [("received_at", DESCENDING), ("_id", DESCENDING)]
        )
        if limit:
            cursor = cursor.limit(limit)
        return [SocialMention.model_validate({**d, "mention_id": d["_id"]}) async for d in cursor]
