"""HTTP routes for periodic jobs (admin writes, staff reads)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from ensemble_scheduler.models.jobs import Job, JobIn, JobName, JobPage, JobRun
from ensemble_scheduler.services.jobs import JobService
from ensemble_shared.web.auth import Admin, Manager


def _jobs(request: Request) -> Any:
    return request.app.state.jobs


Jobs = Annotated[JobService, Depends(_jobs)]
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
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
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
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[JobRun]:
    return await jobs.runs(principal.workspace, name, limit=limit)


@router.delete("/jobs/{name}", status_code=204, summary="Delete a job; its next run is cancelled.")
async def delete_job(name: Name, principal: Admin, jobs: Jobs) -> None:
    await jobs.delete(principal.workspace, name)
