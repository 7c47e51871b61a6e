"""A person's own notifications: the in-app inbox with its unread count, mark one read, and
their preferences (event groups by channels, digests, quiet hours) as one form."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, Request

from ensemble_console.clients import ApiError
from ensemble_console.web import preference_grid as grid
from ensemble_console.web.deps import Staff

router = APIRouter(prefix="/w/{workspace}/notifications")


@router.get("")
async def inbox(
    staff: Staff, cursor: Annotated[str | None, Query(max_length=512)] = None
) -> object:
    visit = staff.visit
    try:
        page, unread = await asyncio.gather(
            visit.clients.notify.inbox(visit.caller, staff.workspace, cursor),
            visit.clients.notify.unread(visit.caller, staff.workspace),
        )
    except ApiError as exc:
        if exc.status != 422:  # a cursor this API never made
            raise
        return visit.error(400, "invalid")
    return visit.page("notifications/inbox.html", place=staff.place, page=page, unread=unread)


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
