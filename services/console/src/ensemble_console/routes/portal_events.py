"""The community portal's field events, under `/c/{workspace}/events`: upcoming events (past
ones apart, the latest first, 20 a page) and each event's page, public like the board (times
where the event happens, place, seats left, Open Graph tags), with its calendar file. A
signed-in member takes a seat or a waitlist place, gives it back, and while confirmed shows
their own check-in code as a QR code at the door; after the event, the page invites them to
give an idea tagged with it.

Seats are feedback's: the portal only shows its answer ("confirmed", "waitlisted, position
N"), so twelve members racing for ten seats get exactly what feedback's roster log decided.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Form, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.portal_events import MyRsvp, PortalEvent
from ensemble_console.routes.portal import IdeaId, MemberOf, Portal, PortalOf
from ensemble_console.routes.portal_member import _joined
from ensemble_console.web.calendar_file import event_file
from ensemble_console.web.errors import PageError
from ensemble_console.web.qr import qr_svg

router = APIRouter(prefix="/c/{workspace}/events")

PAST_SHOWN = 20
EventId = IdeaId  # feedback's ids: the same shape


Cursor = Annotated[str | None, Query(max_length=500)]


@router.get("")
async def events(portal: PortalOf, cursor: Cursor = None, older: Cursor = None) -> Response:
    """`cursor` pages the events to come, `older` the past ones (PAST_SHOWN at a time)."""
    visit, client = portal.visit, portal.visit.clients.portal_events
    origin = visit.caller.origin
    try:
        upcoming, past = await asyncio.gather(
            client.events(origin, portal.workspace, "upcoming", cursor),
            client.events(origin, portal.workspace, "past", older, limit=PAST_SHOWN),
        )
    except ApiError as exc:
        if exc.status != 422:  # a cursor feedback never gave
            raise
        raise PageError(400, "invalid") from None
    return portal.page("portal/events.html", upcoming=upcoming, past_page=past, older=bool(older))


async def _mine(portal: Portal, event_id: str) -> MyRsvp | None:
    """A signed-in member's own place (None for a visitor, or staff browsing the portal)."""
    if not portal.member:
        return None
    visit = portal.visit
    try:
        return await visit.clients.portal_events.mine(visit.caller, portal.workspace, event_id)
    except ApiError as exc:
        if exc.status not in (403, 404):  # no community profile yet: no place either
            raise
        return None


async def _event_page(
    portal: Portal, event_id: str, *, status: int = 200, refused: bool = False
) -> Response:
    visit = portal.visit
    event, mine = await asyncio.gather(
        visit.clients.portal_events.event(visit.caller.origin, portal.workspace, event_id),
        _mine(portal, event_id),
    )
    code = None
    if mine is not None and mine.status == "confirmed" and mine.check_in_code:
        code = qr_svg(mine.check_in_code, visit.i18n.gettext("Your check-in code"))
    return portal.page(
        "portal/event.html",
        status=status,
        event=event,
        mine=mine,
        qr=code,
        over=_over(event),
        refused=refused,
    )


def _over(event: PortalEvent) -> bool:
    return event.ends_at <= datetime.now(UTC)


@router.get("/{event_id}")
async def event_page(portal: PortalOf, event_id: EventId) -> Response:
    return await _event_page(portal, event_id)


@router.get("/{event_id}/calendar.ics")
async def calendar(portal: PortalOf, event_id: EventId) -> Response:
    """The event alone, for the member's calendar app (its page's address as the URL)."""
    visit = portal.visit
    event = await visit.clients.portal_events.event(visit.caller.origin, portal.workspace, event_id)
    site = visit.request.app.state.settings.public_url.rstrip("/")

    body = event_file(
        uid=f"{event.id}@{portal.workspace}.ensemble",
        title=event.title,
        starts=event.starts_at,
        ends=event.ends_at,
        location=f"{event.place.name}, {event.place.address}",
        description=event.description,
        url=f"{site}{portal.base}/events/{event.id}",
        cancelled=event.status == "cancelled",
        now=datetime.now(UTC),
    )
    disposition = f'attachment; filename="event-{event.id}.ics"'
    return visit.apply(
        Response(
            body,
            media_type="text/calendar; charset=utf-8",
            headers={"content-disposition": disposition},
        )
    )


@router.post("/{event_id}/rsvp")
async def rsvp(
    portal: MemberOf,
    event_id: EventId,
    rsvp: Annotated[Literal["on", "off"], Form()] = "on",
) -> Response:
    """A seat, a waitlist place or neither, then the page with the member's place; an event
    over or cancelled (feedback's 409) shows the page again with why."""
    visit = portal.visit
    await _joined(portal)
    try:
        mine = await visit.clients.portal_events.rsvp(
            visit.caller, portal.workspace, event_id, rsvp == "on"
        )
    except ApiError as exc:
        if exc.status != 409:
            raise
        return await _event_page(portal, event_id, status=409, refused=True)
    notice = {"confirmed": "rsvp_confirmed", "waitlisted": "rsvp_waitlisted"}
    return visit.redirect(
        f"{portal.base}/events/{event_id}", notice=notice.get(mine.status, "rsvp_cancelled")
    )
