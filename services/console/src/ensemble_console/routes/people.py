"""Notify's people directory (managers and admins; notify refuses anyone else): who gets
notifications, their language, time zone and roles, the addresses in use and those waiting
for their owner's proof. Managers edit the description; addresses are not edited here: each
is set by the person (or an admin) through notify's address flow and proven by its owner,
so a save sends the addresses in use back unchanged. An account followed from identity
keeps identity's name, language and roles (changed in identity, where they belong)."""

from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.clients.base import segment
from ensemble_console.models.notify import Person
from ensemble_console.web.deps import Staff

router = APIRouter(prefix="/w/{workspace}/admin/people")

ROLES = ("admin", "manager", "approver", "viewer")
LANGUAGES = ("en", "fr")


def host(url: str | None) -> str:
    """A chat webhook URL is a credential: pages show its host only."""
    return (urlsplit(url).hostname or "") if url else ""


@router.get("")
async def people(staff: Staff) -> object:
    visit = staff.visit
    listed = await visit.clients.notify.people(visit.caller, staff.workspace)
    return visit.page("routing/people.html", place=staff.place, people=listed, host=host)


async def _person(
    staff: Staff, person: Person, status: int = 200, errors: dict[str, str] | None = None
) -> object:
    return staff.visit.page(
        "routing/person.html",
        status=status,
        place=staff.place,
        person=person,
        roles=ROLES,
        languages=LANGUAGES,
        host=host,
        errors=errors or {},
    )


@router.get("/{person_id}")
async def person(staff: Staff, person_id: str) -> object:
    visit = staff.visit
    return await _person(
        staff, await visit.clients.notify.person(visit.caller, staff.workspace, person_id)
    )


@router.post("/{person_id}")
async def save_person(
    staff: Staff,
    person_id: str,
    name: Annotated[str, Form(max_length=400)] = "",
    language: Annotated[Literal["en", "fr"], Form()] = "en",
    time_zone: Annotated[str, Form(max_length=100)] = "UTC",
    role: Annotated[list[str] | None, Form()] = None,
) -> object:
    visit = staff.visit
    current = await visit.clients.notify.person(visit.caller, staff.workspace, person_id)
    described = {"name": name.strip(), "language": language, "roles": role or []}
    if current.origin == "identity":  # identity's own: sent as they are
        described = {"name": current.name, "language": current.language, "roles": current.roles}
    body = {**described, "time_zone": time_zone.strip(), **current.addresses}
    try:
        await visit.clients.notify.save_person(visit.caller, staff.workspace, person_id, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        shown = current.model_copy(update={**described, "time_zone": time_zone.strip()})
        return await _person(staff, shown, exc.status, exc.fields or {"": exc.message})
    back = f"/w/{staff.workspace}/admin/people/{segment(person_id)}"
    return visit.redirect(back, notice="person_saved")
