"""Feedback's engagement weights (managers and admins; feedback refuses anyone else): the
points each kind of member activity adds to a member's engagement score. The numbers are
sent as typed and feedback checks them (0 to 1000); a 422 is shown next to its field."""

from __future__ import annotations

from fastapi import APIRouter, Request

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Staff

router = APIRouter(prefix="/w/{workspace}/community/engagement")

KINDS = ("submission", "comment", "vote", "attendance", "rsvp", "mention", "suggestion")


async def _page(
    staff: Staff,
    status: int = 200,
    shown: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
) -> object:
    visit = staff.visit
    if shown is None:
        weights = await visit.clients.feedback.engagement_weights(visit.caller, staff.workspace)
        shown = {kind: format(getattr(weights, kind), "g") for kind in KINDS}
    return visit.page(
        "community/engagement.html",
        status=status,
        place=staff.place,
        kinds=KINDS,
        weights=shown,
        errors=errors or {},
    )


@router.get("")
async def engagement_weights(staff: Staff) -> object:
    return await _page(staff)


@router.post("")
async def save_engagement_weights(staff: Staff, request: Request) -> object:
    visit = staff.visit
    form = await request.form()
    typed = {kind: str(form.get(kind, "")).strip() for kind in KINDS}
    try:
        await visit.clients.feedback.save_engagement_weights(visit.caller, staff.workspace, typed)
    except ApiError as exc:
        if exc.status != 422:
            raise
        return await _page(staff, 422, typed, exc.fields or {"": exc.message})
    return visit.redirect(f"/w/{staff.workspace}/community/engagement", notice="engagement_saved")
