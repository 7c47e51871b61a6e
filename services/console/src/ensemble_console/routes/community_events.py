"""The Community screen's field events: planning one (times typed in the event's own zone),
changing or cancelling one, each with its seats, the roster (seats in order, then
the waitlist) and who has checked in; and the check-in screen staff use at the door, on a
phone: one big field for the attendee's code (typed, or sent by a barcode scanner, which
types it and presses Enter), one big button, the name of who was let in."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated
from urllib.parse import urlencode
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Form, Query
from pydantic import BaseModel, Field
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.feedback import CommunityMember
from ensemble_console.routes.community import Cursor, Id, acted, base, refused
from ensemble_console.routes.community_members import names
from ensemble_console.web.deps import InWorkspace, Staff

router = APIRouter(prefix="/w/{workspace}/community/events")

# Feedback's codes are 10 characters; people add spaces or dashes when reading them out.
Code = Annotated[str, Form(max_length=64)]
Who = Annotated[str | None, Query(max_length=100, pattern=r"^[\w:@-][\w:.@-]*$")]
CHECK_IN_ERRORS = {404: "unknown", 409: "used", 422: "invalid"}


@router.get("")
async def events(
    staff: Staff, cursor: Cursor = None, upcoming: Annotated[bool, Query()] = True
) -> object:
    visit = staff.visit
    page = await visit.clients.feedback.field_events(
        visit.caller, staff.workspace, cursor, upcoming
    )
    return visit.page(
        "community/events.html",
        place=staff.place,
        page=page,
        upcoming=upcoming,
        zone=getattr(visit.i18n.zone, "key", "UTC"),
    )


def local_time(value: str, zone: str) -> str:
    """A `datetime-local` field's value read in the event's zone, as feedback takes it;
    ValueError for a value or zone that is not one."""
    try:
        where = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(zone) from exc
    return datetime.fromisoformat(value).replace(tzinfo=where).isoformat()


def field_time(moment: datetime, zone: str) -> str:
    """`moment` as a `datetime-local` field shows it, in the event's zone (`local_time`'s
    inverse)."""
    return moment.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M")


class EventForm(BaseModel):
    """The fields of the plan and change forms (times typed in the event's own zone)."""

    title: str = Field(min_length=1, max_length=200)
    place_name: str = Field(min_length=1, max_length=200)
    address: str = Field(min_length=1, max_length=500)
    starts: str = Field(max_length=32)
    ends: str = Field(max_length=32)
    timezone: str = Field(max_length=64)
    capacity: int = Field(ge=1, le=10_000)
    description: str = Field(default="", max_length=10_000)

    def body(self) -> dict[str, object]:
        """Feedback's body; ValueError for a time or a zone that is not one."""
        zone = self.timezone.strip()
        return {
            "title": self.title.strip(),
            "description": self.description.strip(),
            "place": {"name": self.place_name.strip(), "address": self.address.strip()},
            "starts_at": local_time(self.starts, zone),
            "ends_at": local_time(self.ends, zone),
            "timezone": zone,
            "capacity": self.capacity,
        }


@router.post("")
async def plan(staff: Staff, form: Annotated[EventForm, Form()]) -> Response:
    visit = staff.visit
    back = f"{base(staff)}/events"
    try:
        planned = await visit.clients.feedback.plan_event(
            visit.caller, staff.workspace, form.body()
        )
    except ValueError:
        return staff.visit.page(
            "community/refused.html", status=422, place=staff.place, what="plan", back=back
        )
    except ApiError as exc:
        return refused(staff, exc, "plan", back)
    return visit.redirect(f"{back}/{planned.id}", notice="event_planned")


@router.post("/{event_id}/change")
async def change(staff: Staff, event_id: Id, form: Annotated[EventForm, Form()]) -> Response:
    """Every field sent again (feedback's PATCH); more seats move the waitlist up, fewer than
    those taken is refused."""
    visit = staff.visit
    back = f"{base(staff)}/events/{event_id}"
    try:
        body = form.body()
    except ValueError:
        return visit.page(
            "community/refused.html", status=422, place=staff.place, what="change", back=back
        )
    action = visit.clients.feedback.change_event(visit.caller, staff.workspace, event_id, body)
    return await acted(staff, action, "change", back, "event_changed")


@router.post("/{event_id}/cancel")
async def cancel(staff: Staff, event_id: Id) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.cancel_event(visit.caller, staff.workspace, event_id)
    back = f"{base(staff)}/events/{event_id}"
    return await acted(staff, action, "cancel", back, "event_cancelled")


@router.get("/{event_id}")
async def event(staff: Staff, event_id: Id, cursor: Cursor = None) -> object:
    visit, ws = staff.visit, staff.workspace
    client = visit.clients.feedback
    shown, roster, known = await asyncio.gather(
        client.field_event(visit.caller, ws, event_id),
        client.roster(visit.caller, ws, event_id, cursor),
        names(staff),
    )
    typed = {"starts": field_time(shown.starts_at, shown.timezone)}
    typed["ends"] = field_time(shown.ends_at, shown.timezone)
    return visit.page(
        "community/event.html",
        place=staff.place,
        event=shown,
        roster=roster,
        names=known,
        typed=typed,
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
    # `#door` scrolls a phone past the site's menu to the field, ready for the next code.
    shown = urlencode({"notice": "checked_in", "who": done.member_id})
    return visit.redirect(f"{base(staff)}/events/{event_id}/check-in?{shown}#door")
