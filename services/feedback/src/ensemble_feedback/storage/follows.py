"""Who follows a submission: one document per (submission, member), the last choice wins."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ensemble_shared.events import utcnow
from ensemble_shared.storage import ASCENDING, Database, Document, DuplicateKeyError, Index
from ensemble_shared.storage.idempotency import insert_new

FOLLOWS = "submission_follows"


def _follow(workspace: str, submission_id: str, member_id: str, following: bool) -> Document:
    return {
        "workspace": workspace,
        "submission_id": submission_id,
        "member_id": member_id,
        "following": following,
        "at": utcnow(),
    }


def _key(submission_id: str, member_id: str) -> str:
    return f"{submission_id}|{member_id}"


class FollowRepository:
    INDEXES = {FOLLOWS: [Index([("submission_id", ASCENDING)], name="by_submission")]}

    def __init__(self, database: Database) -> None:
        self.collection = database[FOLLOWS]

    async def set(
        self, workspace: str, submission_id: str, member_id: str, following: bool
    ) -> None:
        document = _follow(workspace, submission_id, member_id, following)
        key = _key(submission_id, member_id)
        try:
            await self.collection.insert_one({"_id": key, **document})
        except DuplicateKeyError:
            await self.collection.replace_one({"_id": key}, document)

    async def add_new(self, workspace: str, submission_id: str, member_ids: Iterable[str]) -> int:
        """Follow for those who never chose (an explicit unfollow stands); returns how many."""
        documents = [
            {"_id": _key(submission_id, m), **_follow(workspace, submission_id, m, True)}
            for m in dict.fromkeys(member_ids)
        ]
        return len(await insert_new(self.collection, documents))

    async def choices(self, submission_ids: Sequence[str]) -> dict[str, bool]:
        """member id → following, over these submissions (a later choice wins)."""
        cursor = self.collection.find(
            {"submission_id": {"$in": list(submission_ids)}},
            {"member_id": 1, "following": 1, "at": 1},
        ).sort([("at", ASCENDING)])
        return {d["member_id"]: bool(d["following"]) async for d in cursor}
