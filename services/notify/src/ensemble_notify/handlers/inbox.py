"""Each person's own inbox: anyone signed in, and only ever their own (principal.subject)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request
from sse_starlette import EventSourceResponse, ServerSentEvent

from ensemble_notify.models.inbox import InboxPage, ReadReceipt, UnreadCount
from ensemble_notify.services.inbox import InboxService, Unread
from ensemble_shared.web.auth import CurrentPrincipal


def _inbox(request: Request) -> InboxService:
    service: InboxService = request.app.state.inbox
    return service


Inbox = Annotated[InboxService, Depends(_inbox)]

router = APIRouter(prefix="/inbox", tags=["inbox"])


@router.get("", summary="My notifications, newest first.")
async def list_inbox(
    principal: CurrentPrincipal,
    inbox: Inbox,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")] = 50,
) -> InboxPage:
    return await inbox.page(principal.workspace, principal.subject, cursor=cursor, limit=limit)


@router.get("/unread-count", summary="How many of my notifications are unread.")
async def unread_count(principal: CurrentPrincipal, inbox: Inbox) -> UnreadCount:
    return UnreadCount(unread=await inbox.unread(principal.workspace, principal.subject))


@router.post("/{notification_id}/read", summary="Mark one of my notifications read.")
async def mark_read(notification_id: str, principal: CurrentPrincipal, inbox: Inbox) -> ReadReceipt:
    return await inbox.mark_read(principal.workspace, principal.subject, notification_id)


@router.get(
    "/stream",
    summary="My notifications as they arrive (Server-Sent Events).",
    description=(
        "First an `unread` event with the unread count, then one `notification` event per new "
        "item (its `id` is the notification id: reconnect with `Last-Event-ID` to resume)."
    ),
    response_class=EventSourceResponse,
)
async def stream(
    request: Request,
    principal: CurrentPrincipal,
    inbox: Inbox,
    last_event_id: Annotated[str | None, Header(max_length=500)] = None,
) -> EventSourceResponse:
    async def events() -> AsyncIterator[ServerSentEvent]:
        async for item in inbox.stream(
            principal.workspace, principal.subject, last_event_id=last_event_id
        ):
            if isinstance(item, Unread):
                yield ServerSentEvent(
                    event="unread", data=UnreadCount(unread=item.unread).model_dump_json()
                )
            else:
                yield ServerSentEvent(event="notification", id=item.id, data=item.model_dump_json())

    return EventSourceResponse(events(), ping=request.app.state.inbox_ping_seconds)
