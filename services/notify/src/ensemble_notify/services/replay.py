"""Replaying deliveries: one, or every finished delivery to an endpoint since a time.

Planning copies each original into a replay delivery (unique id per job) and queues it; every
step is an idempotent insert, so a plan cut short by a crash is resumed from the start by the
sweep and creates nothing twice. The plan record, written last, fixes the job's total.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from ensemble_notify.exceptions import EndpointNotFound
from ensemble_notify.models.deliveries import ChannelName, Delivery, DeliveryStatus, QueueEntry
from ensemble_notify.models.replay import (
    ReplayJob,
    ReplayKind,
    ReplayPlan,
    ReplayProgress,
    replay_id,
)
from ensemble_notify.storage import DeliveryQueue, DeliveryRepository, EndpointRepository
from ensemble_notify.storage.replay import ReplayRepository
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import utcnow

log = logging.getLogger(__name__)

PAGE = 500
RESUME_WINDOW = timedelta(days=1)  # unplanned jobs older than this are left alone
RESUME_GRACE = timedelta(seconds=15)


class ReplayService:
    def __init__(
        self,
        *,
        replays: ReplayRepository,
        deliveries: DeliveryRepository,
        endpoints: EndpointRepository,
        queue: DeliveryQueue,
        start: Callable[[Sequence[str]], None],
        page_size: int = PAGE,
    ) -> None:
        self._replays = replays
        self._deliveries = deliveries
        self._endpoints = endpoints
        self._queue = queue
        self._start = start
        self._page = page_size
        self._planning: dict[str, asyncio.Task[None]] = {}

    async def replay_delivery(
        self, workspace: str, delivery_id: str, *, key: str | None, by: str
    ) -> ReplayProgress:
        original = await self._deliveries.get(delivery_id)
        if original is None or original.workspace != workspace:
            raise NotFound(f"no delivery {delivery_id!r}")
        if original.replay_of is not None:
            raise Conflict("this is a replay: replay the original delivery instead")
        if original.channel is ChannelName.IN_APP:
            raise Conflict("an in-app notification is in the inbox already: nothing to resend")
        if await self._deliveries.outcome(delivery_id) is None:
            raise Conflict("this delivery is still being made: replay it once it has ended")
        job = ReplayJob(
            id=replay_id(workspace, key),
            workspace=workspace,
            kind=ReplayKind.DELIVERY,
            delivery=delivery_id,
            requested_by=by,
        )
        job = await self._create(job)
        await self._plan(job)
        return await self._progress(job)

    async def replay_endpoint(
        self, workspace: str, endpoint_id: str, *, since: datetime, key: str | None, by: str
    ) -> ReplayProgress:
        endpoint = await self._endpoints.get(workspace, endpoint_id)
        if endpoint is None:
            raise EndpointNotFound(endpoint_id)
        if not endpoint.enabled:
            raise Conflict("the endpoint is disabled: enable it before replaying to it")
        job = ReplayJob(
            id=replay_id(workspace, key),
            workspace=workspace,
            kind=ReplayKind.ENDPOINT,
            endpoint=endpoint_id,
            since=since,
            requested_by=by,
        )
        job = await self._create(job)
        self._plan_in_background(job)
        return await self._progress(job)

    async def get(self, workspace: str, job_id: str) -> ReplayProgress:
        job = await self._replays.get(job_id)
        if job is None or job.workspace != workspace:
            raise NotFound(f"no replay {job_id!r}")
        return await self._progress(job)

    async def resume_once(self) -> int:
        """Plan the recent jobs nobody finished planning (their planner stopped); how many."""
        now = utcnow()
        jobs = await self._replays.since(now - RESUME_WINDOW, limit=1000)
        # A fresh job is being planned by the replica that took the request: leave it be.
        jobs = [j for j in jobs if j.created_at <= now - RESUME_GRACE]
        planned = await self._replays.planned_ids(j.id for j in jobs)
        waiting = [j for j in jobs if j.id not in planned and j.id not in self._planning]
        for job in waiting:
            self._plan_in_background(job)
        return len(waiting)

    async def drain(self) -> None:
        tasks = list(self._planning.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _create(self, job: ReplayJob) -> ReplayJob:
        if await self._replays.create(job):
            log.info("replay %s of %s %s started", job.id, job.kind, job.endpoint or job.delivery)
            return job
        existing = await self._replays.get(job.id)
        if existing is None or existing.workspace != job.workspace:
            raise Conflict("this idempotency key belongs to another request")
        if not existing.same_request(job):
            raise Conflict("this idempotency key was used for a different replay")
        return existing  # the same request again: its job, not a second one

    def _plan_in_background(self, job: ReplayJob) -> None:
        if job.id in self._planning:
            return
        task = asyncio.create_task(self._plan_logged(job), name=f"replay plan {job.id}")
        self._planning[job.id] = task
        task.add_done_callback(lambda _: self._planning.pop(job.id, None))

    async def _plan_logged(self, job: ReplayJob) -> None:
        try:
            await self._plan(job)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("planning replay %s failed; the sweep resumes it", job.id)

    async def _plan(self, job: ReplayJob) -> None:
        if await self._replays.plan(job.id) is not None:
            return
        total = skipped = 0
        if job.kind is ReplayKind.DELIVERY:
            assert job.delivery is not None
            original = await self._deliveries.get(job.delivery)
            found = [original] if original is not None else []
            total, skipped = await self._queue_copies(job, found)
        else:
            assert job.endpoint is not None
            assert job.since is not None
            after: tuple[datetime, str] | None = None
            while True:
                page = await self._deliveries.to_recipient(
                    job.workspace,
                    job.endpoint,
                    since=job.since,
                    before=job.created_at,
                    after=after,
                    limit=self._page,
                )
                if not page:
                    break
                queued, left_out = await self._queue_copies(job, page)
                total, skipped = total + queued, skipped + left_out
                after = (page[-1].created_at, page[-1].id)
        await self._replays.planned(ReplayPlan(id=job.id, total=total, skipped=skipped))
        log.info("replay %s planned: %d deliveries, %d skipped", job.id, total, skipped)

    async def _queue_copies(self, job: ReplayJob, originals: list[Delivery]) -> tuple[int, int]:
        """Copy and queue the finished originals; returns (copied, left out)."""
        candidates = [
            d for d in originals if d.replay_of is None and d.channel is not ChannelName.IN_APP
        ]
        ended = await self._deliveries.outcomes_of(d.id for d in candidates)
        copies = [job.copy_of(d) for d in candidates if d.id in ended]
        await self._deliveries.insert_new(copies)
        queued = await self._queue.enqueue(
            [QueueEntry(id=c.id, workspace=c.workspace) for c in copies]
        )
        self._start(queued)
        skipped = sum(1 for d in originals if d.replay_of is None) - len(copies)
        return len(copies), skipped

    async def _progress(self, job: ReplayJob) -> ReplayProgress:
        plan = await self._replays.plan(job.id)
        counts = await self._deliveries.replay_counts(job.id)
        queued = plan.total if plan else await self._deliveries.count_replay(job.id)
        return ReplayProgress.of(
            job,
            plan,
            queued,
            counts[DeliveryStatus.DELIVERED],
            counts[DeliveryStatus.FAILED],
        )
