"""The index of open approval steps: one document per item whose latest workflow has a step
open, removed when that step's round ends, so the awaiting list reads open steps only.

FerretDB 1.24 over SQLite serves nothing but `_id` from an index: any other filter scans the
collection. Keeping only open steps here (not every request ever made) is what bounds that
scan. Writes race without transactions: an opening only replaces one with a smaller `stamp`
(a late write about an earlier step loses), a closing only removes the round it names. A
crash between a step's outcome and its closing leaves a stale row, which readers skip (they
check the facts) and the item's next opening replaces.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.awaiting import OpenStep
from ensemble_shared.storage import ASCENDING, Collection, DuplicateKeyError, Index
from ensemble_shared.storage.idempotency import insert_new
from ensemble_shared.storage.pagination import Position, newer_than

OPEN_STEPS = "approval_open_steps"
BUILT = "approval_open_steps_built"


class OpenStepRepository:
    INDEXES = {
        OPEN_STEPS: [
            Index(
                [("workspace", ASCENDING), ("due_at", ASCENDING), ("_id", ASCENDING)],
                name="by_due",
            )
        ],
    }

    def __init__(self, steps: Collection, built: Collection) -> None:
        self.steps = steps
        self.built = built

    async def is_built(self) -> bool:
        """Whether the steps open before the index existed were indexed (once per store)."""
        return await self.built.find_one({"_id": OPEN_STEPS}) is not None

    async def mark_built(self, at: datetime) -> None:
        await insert_new(self.built, [{"_id": OPEN_STEPS, "at": at}])

    async def opened(self, step: OpenStep) -> None:
        """Record `step` as its item's open step unless a later opening is recorded."""
        fields = step.model_dump(mode="python", exclude={"content_id"})
        # a duplicate key: the stored opening is this one or a later one, and it stands
        with contextlib.suppress(DuplicateKeyError):
            await self.steps.update_one(
                {"_id": step.content_id, "stamp": {"$lt": step.stamp}},
                {"$set": fields},
                upsert=True,
            )

    async def closed(self, content_id: str, approval_id: str, step: str, round_: int) -> None:
        """That round of that step ended: forget it (a later opening stays)."""
        await self.steps.delete_one(
            {"_id": content_id, "approval_id": approval_id, "step": step, "round": round_}
        )

    async def for_approver(
        self,
        workspace: str,
        *,
        subject: str,
        teams: tuple[str, ...],
        roles: tuple[str, ...],
        now: datetime,
        after: Position | None,
        limit: int,
    ) -> list[OpenStep]:
        """Open steps naming this person, a team or a role they hold, or naming them as a backup
        once due; soonest due first. Candidates: the workflow decides."""
        named: list[dict[str, Any]] = [
            {"people": subject},
            {"teams": {"$in": list(teams)}},
            {"roles": {"$in": list(roles)}},
        ]
        backup: list[dict[str, Any]] = [
            {"backup_people": subject},
            {"backup_teams": {"$in": list(teams)}},
            {"backup_roles": {"$in": list(roles)}},
        ]
        clauses: list[dict[str, Any]] = [
            {"$or": [*named, {"$and": [{"due_at": {"$lte": now}}, {"$or": backup}]}]}
        ]
        if after is not None:
            clauses.append(newer_than("due_at", after))
        cursor = self.steps.find({"workspace": workspace, "$and": clauses}).sort(
            [("due_at", ASCENDING), ("_id", ASCENDING)]
        )
        return [
            OpenStep.model_validate({**d, "content_id": d["_id"]})
            for d in await cursor.limit(limit).to_list(limit)
        ]
