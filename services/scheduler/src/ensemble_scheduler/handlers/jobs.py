"""HTTP routes for periodic jobs (admin writes, staff reads)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from ensemble_scheduler.handlers.deps import Jobs
from ensemble_scheduler.models.jobs import Job, JobIn, JobName, JobPage, JobRun
from ensemble_shared.web.auth import Admin, Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageSize

Name = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]

router = APIRouter(tags=["jobs"])


@router.put(
    "/jobs/{name}",
    summary="Create or replace a periodic job (cron in a time zone).",
    responses={422: {"description": "Malformed cron, a cron that never fires, unknown zone."}},
)
async def put_job(name: Name, body: JobIn, principal: Admin, jobs: Jobs) -> Job:
    return await jobs.put(principal, name, body)


@router.get("/jobs", summary="The workspace's periodic jobs.")
async def list_jobs(
    principal: Manager,
    jobs: Jobs,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: JobName | None = None,
) -> JobPage:
    return await jobs.page(principal.workspace, after=cursor, limit=limit)


@router.get("/jobs/{name}", summary="One periodic job and its next run.")
async def get_job(name: Name, principal: Manager, jobs: Jobs) -> Job:
    return await jobs.get(principal.workspace, name)


@router.get("/jobs/{name}/runs", summary="The job's latest runs, newest first.")
async def job_runs(
    name: Name,
    principal: Manager,
    jobs: Jobs,
    limit: PageSize = 20,
) -> list[JobRun]:
    return await jobs.runs(principal.workspace, name, limit=limit)


@router.delete("/jobs/{name}", status_code=204, summary="Delete a job; its next run is cancelled.")
async def delete_job(name: Name, principal: Admin, jobs: Jobs) -> None:
    await jobs.delete(principal, name)
