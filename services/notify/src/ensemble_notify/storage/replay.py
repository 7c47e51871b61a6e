"""Replay jobs and their plans: both inserted once, never updated."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable
from datetime import datetime

from ensemble_notify.models.replay import ReplayJob, ReplayPlan
from ensemble_shared.storage import (
    ASCENDING,
    Database,
    Document,
    DuplicateKeyError,
    Index,
)

JOBS = "replays"
PLANS = "replay_plans"


def _job(document: Document) -> ReplayJob:
    return ReplayJob.model_validate({**document, "id": document["_id"]})


def _plan(document: Document) -> ReplayPlan:
    return ReplayPlan.model_validate({**document, "id": document["_id"]})


class ReplayRepository:
    INDEXES = {JOBS: [Index([("created_at", ASCENDING)], name="by_time")]}

    def __init__(self, database: Database) -> None:
        self.jobs = database[JOBS]
        self.plans = database[PLANS]

    async def create(self, job: ReplayJob) -> bool:
        """True when this job is new; False when its id (its idempotency key) was seen."""
        try:
            await self.jobs.insert_one({"_id": job.id, **job.model_dump(exclude={"id"})})
        except DuplicateKeyError:
            return False
        return True

    async def get(self, replay_id: str) -> ReplayJob | None:
        document = await self.jobs.find_one({"_id": replay_id})
        return _job(document) if document else None

    async def since(self, at: datetime, *, limit: int) -> list[ReplayJob]:
        cursor = self.jobs.find({"created_at": {"$gte": at}}).sort("created_at", ASCENDING)
        return [_job(d) for d in await cursor.limit(limit).to_list(limit)]

    async def planned(self, plan: ReplayPlan) -> None:
        # Planned twice (a resumed plan raced the first): same deliveries, same total.
        with contextlib.suppress(DuplicateKeyError):
            await self.plans.insert_one({"_id": plan.id, **plan.model_dump(exclude={"id"})})

    async def plan(self, replay_id: str) -> ReplayPlan | None:
        document = await self.plans.find_one({"_id": replay_id})
        return _plan(document) if document else None

    async def planned_ids(self, ids: Iterable[str]) -> set[str]:
        cursor = self.plans.find({"_id": {"$in": list(ids)}}, {"_id": 1})
        return {d["_id"] async for d in cursor}
