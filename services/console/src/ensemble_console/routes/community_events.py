"""The Community screen's field events: each with its seats, the roster (seats in order, then
the waitlist) and who has checked in; and the check-in screen staff use at the door, on a
phone: one big field for the attendee's code (typed, or sent by a barcode scanner, which
types it and presses Enter), one big button, the name of who was let in."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.feedback import CommunityMember
from ensemble_console.routes.community import Cursor, Id, base
from ensemble_console.routes.community_members import names
from ensemble_console.web.deps import InWorkspace, Staff

router = APIRouter(prefix="/w/{workspace}/community/events")

# Feedback's codes are 10 characters; people add spaces or dashes when reading them out.
Code = Annotated[str, Form(max_length=64)]
Who = Annotated[str | None, Query(pattern=r"^[\w:@-][\w:.@-]{0,99}$")]
CHECK_IN_ERRORS = {404: "unknown", 409: "used", 422: "invalid"}


@router.get("")
async def events(
    staff: Staff, cursor: Cursor = None, upcoming: Annotated[bool, Query()] = True
) -> object:
    visit = staff.visit
    page = await visit.clients.feedback.field_events(
        visit.caller, staff.workspace, cursor, upcoming
    )
    return visit.page("community/events.html", place=staff.place, page=page, upcoming=upcoming)


@router.get("/{event_id}")
async def event(staff: Staff, event_id: Id, cursor: Cursor = None) -> object:
    visit, ws = staff.visit, staff.workspace
    client = visit.clients.feedback
    shown, roster, known = await asyncio.gather(
        client.field_event(visit.caller, ws, event_id),
        client.roster(visit.caller, ws, event_id, cursor),
        names(staff),
    )
    return visit.page(
        "community/event.html", place=staff.place, event=shown, roster=roster, names=known
    )


async def _check_in_page(
    staff: InWorkspace,
    event_id: str,
    *,
    status: int = 200,
    error: str = "",
    who: str | None = None,
) -> Response:
    visit, ws = staff.visit, staff.workspace
    client = visit.clients.feedback
    shown = await client.field_event(visit.caller, ws, event_id)
    admitted: CommunityMember | None = None
    if who:
        try:
            admitted = await client.member(visit.caller, ws, who)
        except ApiError as exc:
            if exc.status != 404:
                raise
    return visit.page(
        "community/check_in.html",
        status=status,
        place=staff.place,
        event=shown,
        error=error,
        admitted=admitted,
    )


@router.get("/{event_id}/check-in")
async def check_in_page(staff: Staff, event_id: Id, who: Who = None) -> Response:
    return await _check_in_page(staff, event_id, who=who)


@router.post("/{event_id}/check-in")
async def check_in(staff: Staff, event_id: Id, code: Code) -> Response:
    visit = staff.visit
    typed = code.strip()
    if len(typed) < 4:
        return await _check_in_page(staff, event_id, status=422, error="invalid")
    try:
        done = await visit.clients.feedback.check_in(visit.caller, staff.workspace, event_id, typed)
    except ApiError as exc:
        if exc.status not in CHECK_IN_ERRORS:
            raise
        return await _check_in_page(
            staff, event_id, status=exc.status, error=CHECK_IN_ERRORS[exc.status]
        )
    return visit.redirect(
        f"{base(staff)}/events/{event_id}/check-in", notice="checked_in", who=done.member_id
    )
