"""Periodic jobs (admins): scheduler's crons in a time zone (digests, re-driving stuck
ingest items, the stuck-publication check) with their next run, one form that creates or
replaces a job (its 422s next to the fields), a job's latest runs and a button that deletes
it. Scheduler has no "run now": a job runs at its cron's times only."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Path, Request

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.form_errors import FormErrors, form_errors, form_values
from ensemble_console.web.i18n import N_

router = APIRouter(prefix="/w/{workspace}/admin/jobs")

JobName = Annotated[str, Path(min_length=1, max_length=64)]
NAME = re.compile(r"^[A-Za-z0-9][\w.-]{0,63}$")
NAME_RULE = N_("A name of letters, digits, dots, dashes or underscores, up to 64 characters.")
ACTIONS = ("digest.daily", "digest.weekly", "ingest.redrive", "publishing.stuck_check")
FIELDS = ("name", "action", "cron", "time_zone", "enabled", "stuck_for_minutes")


async def _jobs(
    admin: Admin,
    *,
    status: int = 200,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> object:
    visit = admin.visit
    page = await visit.clients.scheduler.jobs(visit.caller, admin.workspace)
    defaults = {
        "action": "digest.daily",
        "cron": "0 8 * * 1-5",
        "time_zone": str(visit.i18n.zone),
        "enabled": "on",
        "stuck_for_minutes": "15",
    }
    return visit.page(
        "jobs/list.html",
        status=status,
        place=admin.place,
        jobs=page.items,
        values=values or defaults,
        errors=errors or FormErrors(),
        actions=ACTIONS,
    )


@router.get("")
async def jobs(admin: Admin) -> object:
    return await _jobs(admin)


@router.get("/{name}")
async def job(admin: Admin, name: JobName) -> object:
    visit = admin.visit
    found = await visit.clients.scheduler.job(visit.caller, admin.workspace, name)
    if found is None:
        return visit.error(404)
    runs = await visit.clients.scheduler.job_runs(visit.caller, admin.workspace, name)
    return visit.page("jobs/job.html", place=admin.place, job=found, runs=runs)


@router.post("")
async def save_job(admin: Admin, request: Request) -> object:
    """Creates or replaces the job named in the form (a new revision: its timer re-armed)."""
    visit = admin.visit
    form = await form_values(request)
    values = {key: form.get(key, "").strip() for key in FIELDS}
    if not NAME.match(values["name"]):
        errors = FormErrors({"name": visit.i18n.gettext(NAME_RULE)})
        return await _jobs(admin, status=422, values=values, errors=errors)
    body = {
        "action": values["action"],
        "cron": values["cron"],
        "time_zone": values["time_zone"] or "UTC",
        "enabled": values["enabled"] == "on",
        "stuck_for_minutes": values["stuck_for_minutes"] or 15,
    }
    try:
        await visit.clients.scheduler.put_job(visit.caller, admin.workspace, values["name"], body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = form_errors(exc, FIELDS)
        return await _jobs(admin, status=422, values=values, errors=errors)
    path = f"/w/{admin.workspace}/admin/jobs/{values['name']}"
    return visit.redirect(path, notice="job_saved")


@router.post("/{name}/delete")
async def delete_job(admin: Admin, name: JobName) -> object:
    """Scheduler cancels the job's next run; one already gone is the 404 page."""
    visit = admin.visit
    await visit.clients.scheduler.delete_job(visit.caller, admin.workspace, name)
    return visit.redirect(f"/w/{admin.workspace}/admin/jobs", notice="job_deleted")
