"""Periodic jobs on durable timers: each cron occurrence fires exactly once across replicas.

A job's revision changes at every PUT; its timer id names the revision, so a timer armed for
an older revision finds the job superseded and does nothing. Each firing first arms the next
occurrence (idempotent: same timer, same due time), then does the run's work under the run id
`{workspace}:{job}:{revision}@{scheduled time}` (an insert with its events: once). Runs missed
while every replica was down are coalesced: the late firing runs once, and the next one is
the first cron time after now.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timedelta

from ensemble_scheduler.models.jobs import Job, JobAction, JobIn, JobPage, JobRun, next_run
from ensemble_scheduler.models.timers import Timer
from ensemble_scheduler.services.ports import Timers
from ensemble_scheduler.storage.jobs import JobRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import NotFound
from ensemble_shared.events import Event, Source, envelope, new_id, utcnow
from ensemble_shared.events.schedules import (
    DigestRequestData,
    DigestRequestedV1,
    IngestRedriveRequestedV1,
    RedriveRequestData,
)

log = logging.getLogger(__name__)

JOB = "job"
"""The timer kind of job occurrences."""

JobCheck = Callable[[str, datetime], Awaitable[None]]
"""A job run done in-process (workspace, scheduled time); must be idempotent."""


class JobService:
    """Handles the job timers (registered when built). `checks` are the actions run in this
    process (the stuck-publishing detector); the others send an event."""

    def __init__(
        self,
        jobs: JobRepository,
        timers: Timers,
        *,
        checks: Mapping[JobAction, JobCheck],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._jobs = jobs
        self._timers = timers
        self._now = clock
        self._checks = dict(checks)
        timers.on(JOB, self.fire)

    # --- admin -----------------------------------------------------------------------------

    async def put(self, principal: Principal, name: str, body: JobIn) -> Job:
        """Arm the new revision's first run before saving it: a crash in between leaves a
        timer that finds its revision unknown, never a saved job without a timer."""
        now = self._now()
        previous = await self._jobs.get(principal.workspace, name)
        job = Job(
            **body.model_dump(),
            name=name,
            workspace=principal.workspace,
            revision=new_id()[:12],
            updated_by=principal.subject,
            updated_at=now,
            next_run_at=next_run(body.cron, body.time_zone, now) if body.enabled else None,
        )
        if job.next_run_at is not None:
            await self._timers.schedule(self._timer(job, job.next_run_at))
        await self._jobs.put(job)
        if previous is not None:
            await self._timers.cancel(previous.workspace, previous.timer_id())
        return job

    async def get(self, workspace: str, name: str) -> Job:
        job = await self._jobs.get(workspace, name)
        if job is None:
            raise NotFound(f"no job {name!r}")
        return job

    async def delete(self, principal: Principal, name: str) -> None:
        job = await self.get(principal.workspace, name)
        await self._jobs.delete(principal.workspace, name)
        await self._timers.cancel(principal.workspace, job.timer_id())

    async def page(self, workspace: str, *, after: str | None, limit: int) -> JobPage:
        items = await self._jobs.page(workspace, after=after, limit=limit)
        return JobPage(items=items, next_cursor=items[-1].name if len(items) == limit else None)

    async def runs(self, workspace: str, name: str, *, limit: int) -> list[JobRun]:
        await self.get(workspace, name)
        return await self._jobs.runs_of(workspace, name, limit=limit)

    # --- firing ----------------------------------------------------------------------------

    def _timer(self, job: Job, due_at: datetime) -> Timer:
        return Timer(
            workspace=job.workspace,
            timer_id=job.timer_id(),
            kind=JOB,
            due_at=due_at,
            payload={"job": job.name, "revision": job.revision},
        )

    async def fire(self, timer: Timer) -> None:
        job = await self._jobs.get(timer.workspace, str(timer.payload["job"]))
        if job is None or job.revision != timer.payload["revision"] or not job.enabled:
            return  # deleted, replaced or disabled since this run was armed
        scheduled_for = timer.due_at
        following = next_run(job.cron, job.time_zone, max(scheduled_for, self._now()))
        await self._timers.schedule(self._timer(job, following))
        await self.run(job, scheduled_for)

    async def run(self, job: Job, scheduled_for: datetime) -> None:
        run_id = job.run_id(scheduled_for)
        events: list[Event] = []
        outcome = "requested"
        head = envelope(Source.SCHEDULER, job.workspace, f"{job.workspace}:{job.name}")
        if job.action in ("digest.daily", "digest.weekly"):
            daily = job.action == "digest.daily"
            events.append(
                DigestRequestedV1(
                    **head,
                    data=DigestRequestData(
                        job=job.name,
                        run_id=run_id,
                        scheduled_for=scheduled_for,
                        period="daily" if daily else "weekly",
                        window_start=scheduled_for - timedelta(days=1 if daily else 7),
                        window_end=scheduled_for,
                    ),
                )
            )
        elif job.action == "ingest.redrive":
            events.append(
                IngestRedriveRequestedV1(
                    **head,
                    data=RedriveRequestData(
                        job=job.name,
                        run_id=run_id,
                        scheduled_for=scheduled_for,
                        stuck_for_seconds=job.stuck_for_minutes * 60,
                    ),
                )
            )
        else:
            check = self._checks.get(job.action)
            if check is None:
                log.warning("job %s: nothing registered for %s; skipped", run_id, job.action)
                outcome = "skipped"
            else:
                await check(job.workspace, scheduled_for)  # idempotent by contract
                outcome = "checked"
        run = JobRun(
            id=run_id,
            workspace=job.workspace,
            job=job.name,
            action=job.action,
            scheduled_for=scheduled_for,
            at=self._now(),
            outcome=outcome,
        )
        await self._jobs.insert_run(run, events)
