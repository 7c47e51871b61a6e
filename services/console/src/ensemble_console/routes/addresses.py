"""A person's notification addresses (email, Slack and Teams webhooks) and their audit:
one's own from the account page, a colleague's from the people directory for admins.

Notify decides who may change them (the person, or an admin; anyone else gets the 403 page)
and proves each new one: it is only pending until its owner confirms the message sent to it
(`/hooks/verify-address/…`). An identity account's email comes from identity (changed on the
account page), so the form offers it only for people entered by hand. Chat webhook URLs are
credentials: pages show their host, never the URL, not even a form refused with a 422.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Form

from ensemble_console.clients import ApiError
from ensemble_console.clients.base import segment
from ensemble_console.models.notify import AddressChange, Person
from ensemble_console.routes.people import host
from ensemble_console.web.deps import Staff

router = APIRouter(prefix="/w/{workspace}")

FIELDS = {"email": "email", "slack": "slack_webhook_url", "teams": "teams_webhook_url"}
"""Each channel with an address, and the field of notify's body that holds it."""

Address = Annotated[str, Form(max_length=2000)]


def _base(staff: Staff, person_id: str | None) -> str:
    if person_id is None:
        return f"/w/{staff.workspace}/account/addresses"
    return f"/w/{staff.workspace}/admin/people/{segment(person_id)}/addresses"


def wanted(typed: dict[str, str], removed: list[str]) -> dict[str, str | None]:
    """Notify's body: an address typed sets it; a channel ticked for removal (and left
    empty) removes it; the others are left out, so they stay as they are."""
    body: dict[str, str | None] = {}
    for channel, field in FIELDS.items():
        value = typed.get(field, "").strip()
        if value:
            body[field] = value
        elif channel in removed:
            body[field] = None
    return body


def placed(exc: ApiError) -> dict[str, str]:
    """A refusal by field: notify names a webhook it may not call in its message
    (`slack_webhook_url: …`), the body's validation by its path."""
    if exc.fields:
        return exc.fields
    named, colon, rest = exc.message.partition(": ")
    return {named: rest} if colon and named in FIELDS.values() else {"": exc.message}


async def _page(
    staff: Staff,
    person_id: str | None,
    status: int = 200,
    errors: dict[str, str] | None = None,
    typed_email: str = "",
) -> object:
    visit = staff.visit
    subject = person_id or staff.me.account.id
    notify = visit.clients.notify
    found: Person | None = None
    try:
        found, changes = await asyncio.gather(
            notify.person(visit.caller, staff.workspace, subject),
            notify.address_changes(visit.caller, staff.workspace, subject),
        )
    except ApiError as exc:
        if exc.status != 404 or person_id is not None:
            raise
        changes = []  # not in notify's directory yet: nothing to show or change
    return visit.page(
        "addresses/page.html",
        status=status,
        place=staff.place,
        person=found,
        own=person_id is None,
        subject=subject,
        changes=sorted(changes, key=_newest),
        action=_base(staff, person_id),
        host=host,
        errors=errors or {},
        typed_email=typed_email,
    )


def _newest(change: AddressChange) -> float:
    return -change.at.timestamp()


async def _save(
    staff: Staff, person_id: str | None, body: dict[str, str | None], typed_email: str = ""
) -> object:
    visit = staff.visit
    if not body:
        return visit.redirect(_base(staff, person_id), notice="addresses_unchanged")
    subject = person_id or staff.me.account.id
    try:
        await visit.clients.notify.set_addresses(visit.caller, staff.workspace, subject, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _page(staff, person_id, exc.status, placed(exc), typed_email)
    return visit.redirect(_base(staff, person_id), notice="addresses_requested")


async def _resend(staff: Staff, person_id: str | None, channel: str) -> object:
    """Give the pending address again: notify sends its owner a fresh message."""
    visit = staff.visit
    subject = person_id or staff.me.account.id
    person = await visit.clients.notify.person(visit.caller, staff.workspace, subject)
    pending = next((p for p in person.pending if p.channel == channel), None)
    if pending is None or channel not in FIELDS:
        return visit.redirect(_base(staff, person_id), notice="addresses_unchanged")
    return await _save(staff, person_id, {FIELDS[channel]: pending.address})


@dataclass(frozen=True)
class Typed:
    """The form as posted: notify's body, and the email typed (shown again on a refusal)."""

    body: dict[str, str | None]
    email: str


async def _typed(
    email: Address = "",
    slack_webhook_url: Address = "",
    teams_webhook_url: Address = "",
    remove: Annotated[list[str] | None, Form()] = None,
) -> Typed:
    typed = {"email": email, "slack_webhook_url": slack_webhook_url}
    return Typed(wanted({**typed, "teams_webhook_url": teams_webhook_url}, remove or []), email)


Posted = Annotated[Typed, Depends(_typed)]
Channel = Annotated[str, Form(max_length=20)]


@router.get("/account/addresses")
async def my_addresses(staff: Staff) -> object:
    return await _page(staff, None)


@router.post("/account/addresses")
async def save_my_addresses(staff: Staff, posted: Posted) -> object:
    return await _save(staff, None, posted.body, posted.email)


@router.post("/account/addresses/resend")
async def resend_mine(staff: Staff, channel: Channel) -> object:
    return await _resend(staff, None, channel)


@router.get("/admin/people/{person_id}/addresses")
async def addresses_of(staff: Staff, person_id: str) -> object:
    return await _page(staff, person_id)


@router.post("/admin/people/{person_id}/addresses")
async def save_addresses_of(staff: Staff, person_id: str, posted: Posted) -> object:
    return await _save(staff, person_id, posted.body, posted.email)


@router.post("/admin/people/{person_id}/addresses/resend")
async def resend_theirs(staff: Staff, person_id: str, channel: Channel) -> object:
    return await _resend(staff, person_id, channel)
