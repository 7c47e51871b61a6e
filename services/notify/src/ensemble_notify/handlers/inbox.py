"""Each person's own inbox: anyone signed in, and only ever their own (principal.subject)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials
from sse_starlette import EventSourceResponse, ServerSentEvent
from starlette.background import BackgroundTask

from ensemble_notify.handlers.dependencies import Inbox, Seats, Tickets
from ensemble_notify.models.inbox import InboxPage, ReadReceipt, StreamTicket, UnreadCount
from ensemble_notify.services.inbox import Unread
from ensemble_notify.services.stream_tickets import TTL
from ensemble_shared.auth import Principal
from ensemble_shared.web.auth import CurrentPrincipal, authenticate, bearer_scheme
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("", summary="My notifications, newest first.")
async def list_inbox(
    principal: CurrentPrincipal,
    inbox: Inbox,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> InboxPage:
    return await inbox.page(principal.workspace, principal.subject, cursor=cursor, limit=limit)


@router.get("/unread-count", summary="How many of my notifications are unread.")
async def unread_count(principal: CurrentPrincipal, inbox: Inbox) -> UnreadCount:
    return UnreadCount(unread=await inbox.unread(principal.workspace, principal.subject))


@router.post("/{notification_id}/read", summary="Mark one of my notifications read.")
async def mark_read(notification_id: str, principal: CurrentPrincipal, inbox: Inbox) -> ReadReceipt:
    return await inbox.mark_read(principal.workspace, principal.subject, notification_id)


@router.post(
    "/stream-tickets",
    status_code=201,
    summary="A short-lived ticket to open my live stream from a browser.",
    description=(
        "A browser's `EventSource` cannot send an `Authorization` header, so it opens "
        "`/inbox/stream?ticket=...` instead. The ticket opens that stream only, once, within "
        f"{int(TTL.total_seconds() // 60)} minutes; it is never a bearer token. A browser "
        "that reconnects asks for a new ticket."
    ),
)
async def stream_ticket(principal: CurrentPrincipal, tickets: Tickets) -> StreamTicket:
    return tickets.issue(principal)


async def _stream_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    tickets: Tickets,
    ticket: Annotated[
        str | None, Query(max_length=2000, description="From `POST /inbox/stream-tickets`.")
    ] = None,
) -> Principal:
    """The bearer token's principal, or, for a browser, the stream ticket's."""
    if credentials is not None or ticket is None:
        return await authenticate(request, credentials)
    return await tickets.redeem(ticket)


StreamPrincipal = Annotated[Principal, Depends(_stream_principal)]


@router.get(
    "/stream",
    summary="My notifications as they arrive (Server-Sent Events).",
    description=(
        "First an `unread` event with the unread count, then one `notification` event per new "
        "item (its `id` is the notification id: reconnect with `Last-Event-ID` to resume). "
        "Signed in by a bearer token, or by `?ticket=` from `POST /inbox/stream-tickets` "
        "(single use). One person holds at most `NOTIFY_INBOX_MAX_STREAMS_PER_PERSON` streams "
        "at once per replica (5 by default); beyond it 429 with Retry-After."
    ),
    response_class=EventSourceResponse,
)
async def stream(
    principal: StreamPrincipal,
    inbox: Inbox,
    seats: Seats,
    last_event_id: Annotated[str | None, Header(max_length=500)] = None,
) -> EventSourceResponse:
    workspace, person = principal.workspace, principal.subject
    seat = seats.take(workspace, person)

    async def events() -> AsyncIterator[ServerSentEvent]:
        try:
            async for item in inbox.stream(workspace, person, last_event_id=last_event_id):
                if isinstance(item, Unread):
                    yield ServerSentEvent(
                        event="unread", data=UnreadCount(unread=item.unread).model_dump_json()
                    )
                else:
                    yield ServerSentEvent(
                        event="notification", id=item.id, data=item.model_dump_json()
                    )
        finally:
            seat.release()

    return EventSourceResponse(
        events(), ping=inbox.ping_seconds, background=BackgroundTask(seat.release)
    )
