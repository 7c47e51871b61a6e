"""Insights' settings for the workspace (admins; insights lets staff read them but only admins
write): the zone days are counted in, the first-reply SLA per priority, how late a
publication still counts as on time, the tags share of voice compares, and the weekly report
(day, hour, recipients). The form's fields are named after the API body's paths, numbers are
sent as typed (SLAs in minutes, converted when they are whole minutes) and insights checks
them: a 422 is shown next to its field."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.datastructures import FormData

from ensemble_console.clients import ApiError
from ensemble_console.models.insight_settings import PRIORITIES
from ensemble_console.routes.account import ZONES
from ensemble_console.web.deps import Admin

router = APIRouter(prefix="/w/{workspace}/admin/insights")

ROLES = ("admin", "manager", "approver", "viewer")
"""The staff roles a report can go to (notify resolves them to people)."""

FIELDS = (
    "time_zone",
    "sla_seconds",
    *(f"sla_seconds.{p}" for p in PRIORITIES),
    "on_time_seconds",
    "share_of_voice_tags",
    *(f"report.{name}" for name in ("enabled", "weekday", "hour", "people", "teams", "roles")),
)
"""The form's fields (by the body's paths): their errors show next to them, not above."""


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


def _minutes(typed: str) -> object:
    """Minutes as whole seconds; anything else as typed, for insights to refuse by name."""
    try:
        seconds = float(typed) * 60
    except ValueError:
        return typed
    return int(seconds) if seconds.is_integer() else typed


def body_of(form: FormData) -> dict[str, object]:
    """The PUT body from the form (every field: the PUT replaces the settings)."""
    text = {key: str(value).strip() for key, value in form.items()}
    return {
        "time_zone": text.get("time_zone", ""),
        "sla_seconds": {p: _minutes(text.get(f"sla_seconds.{p}", "")) for p in PRIORITIES},
        "on_time_seconds": text.get("on_time_seconds", ""),
        "share_of_voice_tags": _words(text.get("share_of_voice_tags", "")),
        "report": {
            "enabled": "report.enabled" in form,
            "weekday": text.get("report.weekday", ""),
            "hour": text.get("report.hour", ""),
            "people": _words(text.get("report.people", "")),
            "teams": _words(text.get("report.teams", "")),
            "roles": [str(role) for role in form.getlist("report.roles")],
        },
    }


def _shown(body: dict[str, object]) -> dict[str, object]:
    """What the form shows, from a body (the saved settings or what was typed)."""
    sla = body["sla_seconds"]
    assert isinstance(sla, dict)
    minutes = {p: format(v / 60, "g") if isinstance(v, int) else v for p, v in sla.items()}
    return {**body, "sla_minutes": minutes}


async def _page(
    admin: Admin,
    status: int = 200,
    body: dict[str, object] | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = admin.visit
    if body is None:
        saved = await visit.clients.insights.settings(visit.caller, admin.workspace)
        body = saved.model_dump(mode="json")
        body["sla_seconds"] = {p: saved.sla_seconds.get(p) for p in PRIORITIES}
    return visit.page(
        "insights/settings.html",
        status=status,
        place=admin.place,
        settings=_shown(body),
        zones=ZONES,
        priorities=PRIORITIES,
        roles=ROLES,
        errors=errors or {},
        fields=FIELDS,
    )


@router.get("")
async def insight_settings(admin: Admin) -> object:
    return await _page(admin)


@router.post("")
async def save_insight_settings(admin: Admin, request: Request) -> object:
    visit = admin.visit
    body = body_of(await request.form())
    try:
        await visit.clients.insights.save_settings(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _page(admin, 422, body, exc.fields or {"": exc.message})
    return visit.redirect(f"/w/{admin.workspace}/admin/insights", notice="insight_settings_saved")
