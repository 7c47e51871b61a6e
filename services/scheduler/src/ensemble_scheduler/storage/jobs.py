"""Periodic jobs: their definitions (small admin configuration, replaced whole) and their runs
(insert-only, one per occurrence, carrying the events each run sends)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ensemble_scheduler.models.jobs import Job, JobRun
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, DESCENDING, Collection, DuplicateKeyError, Index

JOBS = "jobs"
RUNS = "job_runs"


class JobRepository:
    INDEXES = {
        JOBS: [Index([("workspace", ASCENDING), ("name", ASCENDING)], name="by_name")],
        RUNS: [Index([("workspace", ASCENDING), ("job", ASCENDING)], name="by_job")],
    }

    def __init__(self, jobs: Collection, runs: Collection, outbox: Outbox) -> None:
        self.jobs = jobs
        self.runs = runs
        self._outbox = outbox

    async def put(self, job: Job) -> None:
        """Create or replace (last writer wins; a lost create race becomes a replace)."""
        document = {"_id": f"{job.workspace}:{job.name}", **job.model_dump()}
        try:
            await self.jobs.replace_one({"_id": document["_id"]}, document, upsert=True)
        except DuplicateKeyError:
            await self.jobs.replace_one({"_id": document["_id"]}, document)

    async def get(self, workspace: str, name: str) -> Job | None:
        document = await self.jobs.find_one({"_id": f"{workspace}:{name}"})
        return Job.model_validate(document) if document else None

    async def delete(self, workspace: str, name: str) -> bool:
        result = await self.jobs.delete_one({"_id": f"{workspace}:{name}"})
        return bool(result.deleted_count)

    async def page(self, workspace: str, *, after: str | None, limit: int) -> list[Job]:
        filters: dict[str, Any] = {"workspace": workspace}
        if after is not None:
            filters["name"] = {"$gt": after}
        cursor = self.jobs.find(filters).sort("name", ASCENDING)
        return [Job.model_validate(d) for d in await cursor.limit(limit).to_list(limit)]

    async def insert_run(self, run: JobRun, events: Sequence[Event]) -> bool:
        """False when this occurrence already ran."""
        return await self._outbox.insert_one(
            self.runs, {"_id": run.id, **run.model_dump(exclude={"id"})}, events
        )

    async def runs_of(self, workspace: str, job: str, *, limit: int) -> list[JobRun]:
        cursor = (
            self.runs.find({"workspace": workspace, "job": job}, {FIELD: 0})
            .sort("scheduled_for", DESCENDING)
            .limit(limit)
        )
        return [JobRun.model_validate({**d, "id": d["_id"]}) async for d in cursor]
