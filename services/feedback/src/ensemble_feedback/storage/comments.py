"""Comments on submissions: inserted with their events; a held one is decided once, by staff."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ensemble_feedback.models.submissions import Comment
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, Database, Document, Index
from ensemble_shared.storage.lookups import find_owned
from ensemble_shared.storage.pagination import Position, newer_than

COMMENTS = "submission_comments"


def _comment(document: Document) -> Comment:
    return Comment.model_validate({**document, "id": document["_id"]})


class CommentRepository:
    INDEXES = {
        COMMENTS: [
            Index(
                [("submission_id", ASCENDING), ("created_at", ASCENDING), ("_id", ASCENDING)],
                name="thread",
            )
        ]
    }

    def __init__(self, database: Database, outbox: Outbox) -> None:
        self.collection = database[COMMENTS]
        self._outbox = outbox

    async def insert(self, comment: Comment, events: Sequence[Event]) -> None:
        body = comment.model_dump(mode="json", exclude={"id", "created_at"})
        document = {"_id": comment.id, **body, "created_at": comment.created_at}
        await self._outbox.insert_one(self.collection, document, events)

    async def get(self, workspace: str, comment_id: str) -> Comment | None:
        document = await find_owned(self.collection, comment_id, workspace, {FIELD: 0})
        return _comment(document) if document else None

    async def decide(
        self, comment: Comment, *, published: bool, discarded: bool, events: Sequence[Event]
    ) -> None:
        """Release or discard a held comment (rare, staff: an update is fine here)."""
        staged, fields = self._outbox.stage_update(comment.id, events)

        async def write() -> list[str]:
            await self.collection.update_one(
                {"_id": comment.id},
                {"$set": {"published": published, "discarded": discarded, **fields}},
            )
            return [comment.id]

        await self._outbox.write(self.collection, [staged], write)

    async def thread(
        self,
        submission_ids: Sequence[str],
        *,
        published_only: bool,
        after: Position | None,
        limit: int,
    ) -> list[Comment]:
        """Oldest first, over the submission and those merged into it."""
        query: dict[str, Any] = {"submission_id": {"$in": list(submission_ids)}}
        if published_only:
            query.update(published=True, discarded=False)
        query.update(newer_than("created_at", after))
        found = self.collection.find(query, {FIELD: 0}).sort(
            [("created_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [_comment(d) for d in await found.limit(limit).to_list(limit)]

    async def count(self, submission_ids: Sequence[str]) -> int:
        return await self.collection.count_documents(
            {"submission_id": {"$in": list(submission_ids)}}
        )
