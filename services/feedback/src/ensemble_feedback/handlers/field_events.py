"""Field events over HTTP: staff plan them and check people in, members RSVP."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from ensemble_feedback.handlers.dependencies import Community, FieldEvents
from ensemble_feedback.handlers.limits import MEMBER_WRITE
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
from ensemble_shared.web.auth import Manager, Member
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/field-events", tags=["field events"])


@router.post("", status_code=201, summary="Plan a field event.")
async def create_field_event(
    body: FieldEventCreate, principal: Manager, events: FieldEvents
) -> FieldEventView:
    return await events.create(principal, body)


@router.get("", summary="The workspace's field events, soonest first.")
async def list_field_events(
    principal: Community,
    events: FieldEvents,
    cursor: PageCursor = None,
    upcoming: Annotated[bool, Query(description="Only events not over yet.")] = False,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> FieldEventPage:
    return await events.page(principal.workspace, cursor=cursor, upcoming=upcoming, limit=limit)


@router.get("/{event_id}", summary="One field event with its seats.")
async def get_field_event(
    event_id: str, principal: Community, events: FieldEvents
) -> FieldEventView:
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
    cursor: PageCursor = None,
    limit: PageSize = 100,
) -> RosterPage:
    return await events.roster(principal.workspace, event_id, cursor=cursor, limit=limit)


@router.post(
    "/{event_id}/rsvp",
    dependencies=MEMBER_WRITE,
    summary="Take a seat, or a place on the waitlist (asking twice answers the same).",
)
async def rsvp(event_id: str, principal: Member, events: FieldEvents) -> MyRsvp:
    return await events.rsvp(principal, event_id)


@router.delete(
    "/{event_id}/rsvp",
    dependencies=MEMBER_WRITE,
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
