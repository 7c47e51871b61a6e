"""The Community screen's moderation queue: what new members wrote, held before anyone reads
it, oldest first; staff approve it (published), reject it with a reason, or block its writer
(their later writes are refused, their held items rejected)."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Form
from starlette.responses import Response

from ensemble_console.routes.community import Cursor, Id, acted, base
from ensemble_console.routes.community_members import names
from ensemble_console.web.deps import Staff

router = APIRouter(prefix="/w/{workspace}/community/moderation")

Why = Annotated[str, Form(min_length=1, max_length=500)]


@router.get("")
async def queue(staff: Staff, cursor: Cursor = None) -> object:
    visit = staff.visit
    page, known = await asyncio.gather(
        visit.clients.feedback.queue(visit.caller, staff.workspace, cursor), names(staff)
    )
    return visit.page("community/moderation.html", place=staff.place, page=page, names=known)


@router.post("/items/{item_id}/approve")
async def approve(staff: Staff, item_id: Id) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.approve(visit.caller, staff.workspace, item_id)
    return await acted(staff, action, "decided", f"{base(staff)}/moderation", "item_approved")


@router.post("/items/{item_id}/reject")
async def reject(staff: Staff, item_id: Id, reason: Why) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.reject(visit.caller, staff.workspace, item_id, reason.strip())
    return await acted(staff, action, "decided", f"{base(staff)}/moderation", "item_rejected")


@router.post("/members/{member_id}/block")
async def block(staff: Staff, member_id: Id, reason: Why) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.block(visit.caller, staff.workspace, member_id, reason.strip())
    return await acted(staff, action, "block", f"{base(staff)}/moderation", "member_blocked")
