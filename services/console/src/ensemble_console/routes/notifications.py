"""A person's own notifications: the in-app inbox with its unread count, mark one read, the
count as it changes (the navigation's live count), and their preferences (event groups by
channels, digests, quiet hours) as one form."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import StreamingResponse

from ensemble_console.clients import ApiError
from ensemble_console.web import live as live_stream
from ensemble_console.web import preference_grid as grid
from ensemble_console.web.deps import Staff
from ensemble_console.web.pages import Pages

router = APIRouter(prefix="/w/{workspace}/notifications")

UNREAD_POLL_SECONDS = 3.0
"""How often an open page's stream asks notify for the count (one small count query)."""


@router.get("")
async def inbox(
    staff: Staff, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> object:
    """The count drawn in the navigation is the page's own: one call to notify for it."""
    visit, notify = staff.visit, staff.visit.clients.notify
    try:
        page = await notify.inbox(visit.caller, staff.workspace, cursor)
    except ApiError as exc:
        if exc.status != 422:  # a cursor this API never made
            raise
        return visit.error(400, "invalid")
    unread = visit.unread
    if unread is None:  # notify did not say in time for the navigation: the page needs it
        unread = visit.unread = await notify.unread(visit.caller, staff.workspace)
    return visit.page("notifications/inbox.html", place=staff.place, page=page, unread=unread)


@router.get("/live")
async def live(staff: Staff) -> StreamingResponse:
    """Server-sent events: `unread` with the count and the navigation's fragment, at once and
    whenever the count changes; only ever the signed-in person's own count (their token, no
    person in the address). Ends when notify no longer lets them read their inbox."""
    visit, ws = staff.visit, staff.workspace
    pages: Pages = visit.request.app.state.pages

    async def events() -> AsyncIterator[str]:
        shown: int | None = None
        async for _ in live_stream.rounds(UNREAD_POLL_SECONDS):
            try:
                unread = await visit.clients.notify.unread(visit.caller, ws)
            except ApiError as exc:
                if exc.status in (401, 403, 404):
                    return
                yield live_stream.comment("notify did not answer")
                continue
            if unread != shown:
                shown = unread
                html = pages.render("notifications/_unread.html", visit=visit, unread=unread)
                yield live_stream.event("unread", {"unread": unread, "html": html})

    return live_stream.response(events())


@router.post("/{notification_id}/read")
async def mark_read(staff: Staff, notification_id: str) -> object:
    visit = staff.visit
    await visit.clients.notify.mark_read(visit.caller, staff.workspace, notification_id)
    return visit.redirect(f"/w/{staff.workspace}/notifications", notice="notification_read")


async def _preferences_page(staff: Staff, status: int = 200, error: str = "") -> object:
    visit = staff.visit
    current = await visit.clients.notify.my_preferences(visit.caller, staff.workspace)
    return visit.page(
        "notifications/preferences.html",
        status=status,
        place=staff.place,
        error=error,
        **grid.shown(current),
    )


@router.get("/preferences")
async def preferences(staff: Staff) -> object:
    return await _preferences_page(staff)


@router.post("/preferences")
async def save_preferences(staff: Staff, request: Request) -> object:
    visit = staff.visit
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}
    current = await visit.clients.notify.my_preferences(visit.caller, staff.workspace)
    try:
        body = grid.to_body(form, current)
        await visit.clients.notify.save_my_preferences(visit.caller, staff.workspace, body)
    except (grid.GridError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.status != 422:
            raise
        return await _preferences_page(staff, status=422, error="invalid")
    return visit.redirect(
        f"/w/{staff.workspace}/notifications/preferences", notice="notification_preferences_saved"
    )
