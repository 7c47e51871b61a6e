"""Notify's teams (managers and admins; viewers read, notify refuses their saves): who is in
each team and who is on call, as notify models it — shifts (a person from a time to a time),
else the on-call person, else every member. Routing rules reach a team by `team:<name>` and
the routing page picks the one `on_call` means. A save replaces the team (`PUT /teams/{name}`);
shift times are typed in the person's own time zone; a 422 is shown next to its field."""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import APIRouter, Request
from starlette.datastructures import FormData

from ensemble_console.clients import ApiError
from ensemble_console.clients.base import segment
from ensemble_console.models.notify import Team
from ensemble_console.web.deps import Staff
from ensemble_console.web.form_rows import indices, items, renumber
from ensemble_console.web.moments import BadMoment, field_value, local_moment

router = APIRouter(prefix="/w/{workspace}/admin/teams")

BLANK_ROWS = 2
MAX_ROWS = 120  # notify keeps at most 500 shifts; the form pages no further


def _here(staff: Staff, name: str) -> str:
    return f"/w/{staff.workspace}/admin/teams/{segment(name)}"


async def _names(staff: Staff) -> dict[str, str]:
    """People's names by id (notify's directory), to show beside the ids teams hold."""
    visit = staff.visit
    return {p.id: p.name for p in await visit.clients.notify.people(visit.caller, staff.workspace)}


async def _team(staff: Staff, name: str) -> Team | None:
    """The team, or None for a name notify does not know yet (the form makes it)."""
    visit = staff.visit
    try:
        return await visit.clients.notify.team(visit.caller, staff.workspace, name)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None


@router.get("")
async def teams(staff: Staff, name: str = "") -> object:
    """The teams; `?name=` opens one by name (a new one too)."""
    visit = staff.visit
    if name.strip():
        return visit.redirect(_here(staff, name.strip()))
    listed, names = await asyncio.gather(
        visit.clients.notify.teams(visit.caller, staff.workspace), _names(staff)
    )
    return visit.page("teams/list.html", place=staff.place, teams=listed, names=names)


def rows_of(team: Team, staff: Staff) -> list[dict[str, str]]:
    """The team's shifts as the form's rows (times in the person's zone), then blank rows."""
    zone = staff.visit.i18n.zone
    rows = [
        {
            "person": shift.person,
            "starts_at": field_value(shift.starts_at, zone),
            "ends_at": field_value(shift.ends_at, zone),
        }
        for shift in team.on_call
    ]
    return rows + [{"person": "", "starts_at": "", "ends_at": ""}] * BLANK_ROWS


async def _page(
    staff: Staff,
    name: str,
    status: int = 200,
    shown: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = staff.visit
    team, names = await asyncio.gather(_team(staff, name), _names(staff))
    if shown is None:
        current = team or Team(name=name)
        shown = {
            "members": "\n".join(current.members),
            "description": current.description or "",
            "on_call_person": current.on_call_person or "",
            "rows": rows_of(current, staff),
        }
    return visit.page(
        "teams/team.html",
        status=status,
        place=staff.place,
        name=name,
        team=team,
        shown=shown,
        names=names,
        zone=getattr(visit.i18n.zone, "key", str(visit.i18n.zone)),
        errors=errors or {},
        action=_here(staff, name),
    )


@router.get("/{name}")
async def team(staff: Staff, name: str) -> object:
    return await _page(staff, name)


def posted_rows(form: FormData) -> dict[int, dict[str, str]]:
    rows: dict[int, dict[str, str]] = {}
    for n in indices(form.keys(), "on_call")[:MAX_ROWS]:
        key = f"on_call.{n}."
        rows[n] = {
            field: str(form.get(key + field, "")).strip()
            for field in ("person", "starts_at", "ends_at", "remove")
        }
    return rows


@router.post("/{name}")
async def save_team(staff: Staff, name: str, request: Request) -> object:
    visit = staff.visit
    form = await request.form()
    rows = posted_rows(form)
    members = str(form.get("members", ""))
    shown: dict[str, Any] = {
        "members": members,
        "description": str(form.get("description", "")).strip(),
        "on_call_person": str(form.get("on_call_person", "")).strip(),
        "rows": list(rows.values()),
    }
    sent = [n for n, row in rows.items() if row["person"] and not row["remove"]]
    shifts: list[dict[str, str | None]] = []
    errors: dict[str, str] = {}
    for n in sent:
        shift: dict[str, str | None] = {"person": rows[n]["person"]}
        for field in ("starts_at", "ends_at"):
            try:
                moment = local_moment(rows[n][field], visit.i18n.zone)
            except BadMoment:
                moment = None
            if moment is None:
                errors[f"on_call.{n}.{field}"] = visit.i18n.gettext("Give a date and a time.")
            shift[field] = moment.isoformat() if moment else None
        shifts.append(shift)
    if errors:
        return await _page(staff, name, 422, shown, errors)
    body = {
        "members": items(members, spaces=True),
        "on_call": shifts,
        "on_call_person": shown["on_call_person"] or None,
        "description": shown["description"] or None,
    }
    try:
        await visit.clients.notify.save_team(visit.caller, staff.workspace, name, body)
    except ApiError as exc:
        if exc.status != 422:
            raise
        found = renumber(exc.fields, "on_call", sent) or {"": exc.message}
        return await _page(staff, name, 422, shown, found)
    return visit.redirect(_here(staff, name), notice="team_saved")
