"""Field events over HTTP: staff plan them and check people in, members RSVP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from ensemble_feedback.handlers.limits import member_write_limit
from ensemble_feedback.models.field_events import (
    CheckInRequest,
    CheckInResult,
    FieldEventCreate,
    FieldEventPage,
    FieldEventUpdate,
    FieldEventView,
    MyRsvp,
    RosterPage,
)
from ensemble_feedback.services.field_events import FieldEventService
from ensemble_shared.auth import Principal, Role
from ensemble_shared.web import require_roles
from ensemble_shared.web.auth import Manager, Member


def _service(request: Request) -> FieldEventService:
    service: FieldEventService = request.app.state.field_events
    return service


FieldEvents = Annotated[FieldEventService, Depends(_service)]
Anyone = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.MANAGER))]
Limit = Annotated[int, Query(ge=1, le=200, description="Page size (at most 200).")]
Cursor = Annotated[str | None, Query(max_length=500, description="next_cursor of the last page.")]

RateLimited = [Depends(member_write_limit)]  # every member write counts against the limits

router = APIRouter(prefix="/field-events", tags=["field events"])


@router.post("", status_code=201, summary="Plan a field event.")
async def create_field_event(
    body: FieldEventCreate, principal: Manager, events: FieldEvents
) -> FieldEventView:
    return await events.create(principal, body)


@router.get("", summary="The workspace's field events, soonest first.")
async def list_field_events(
    principal: Anyone,
    events: FieldEvents,
    cursor: Cursor = None,
    upcoming: Annotated[bool, Query(description="Only events not over yet.")] = False,
    limit: Limit = 50,
) -> FieldEventPage:
    return await events.page(principal.workspace, cursor=cursor, upcoming=upcoming, limit=limit)


@router.get("/{event_id}", summary="One field event with its seats.")
async def get_field_event(event_id: str, principal: Anyone, events: FieldEvents) -> FieldEventView:
    return await events.get(principal.workspace, event_id)


@router.patch("/{event_id}", summary="Change an event (capacity: never below seats held).")
async def update_field_event(
    event_id: str, body: FieldEventUpdate, principal: Manager, events: FieldEvents
) -> FieldEventView:
    return await events.update(principal, event_id, body)


@router.post("/{event_id}/cancel", summary="Cancel the event and every RSVP to it.")
async def cancel_field_event(
    event_id: str, principal: Manager, events: FieldEvents
) -> FieldEventView:
    return await events.cancel(principal, event_id)


@router.get("/{event_id}/rsvps", summary="Seats in order, then the waitlist in order.")
async def field_event_roster(
    event_id: str,
    principal: Manager,
    events: FieldEvents,
    cursor: Cursor = None,
    limit: Limit = 100,
) -> RosterPage:
    return await events.roster(principal.workspace, event_id, cursor=cursor, limit=limit)


@router.post(
    "/{event_id}/rsvp",
    dependencies=RateLimited,
    summary="Take a seat, or a place on the waitlist (asking twice answers the same).",
)
async def rsvp(event_id: str, principal: Member, events: FieldEvents) -> MyRsvp:
    return await events.rsvp(principal, event_id)


@router.delete(
    "/{event_id}/rsvp",
    dependencies=RateLimited,
    summary="Give the seat back; the waitlist moves up.",
)
async def withdraw_rsvp(event_id: str, principal: Member, events: FieldEvents) -> MyRsvp:
    return await events.withdraw(principal, event_id)


@router.get("/{event_id}/my-rsvp", summary="My seat and, while confirmed, my check-in code.")
async def my_rsvp(event_id: str, principal: Member, events: FieldEvents) -> MyRsvp:
    return await events.my_rsvp(principal, event_id)


@router.post(
    "/{event_id}/check-in",
    summary="Check an attendee in with their single-use code.",
    responses={404: {"description": "Unknown code."}, 409: {"description": "Code already used."}},
)
async def check_in(
    event_id: str, body: CheckInRequest, principal: Manager, events: FieldEvents
) -> CheckInResult:
    return await events.check_in(principal, event_id, body.code)
