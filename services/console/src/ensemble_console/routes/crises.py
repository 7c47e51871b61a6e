"""Crises (staff): the negative spikes scheduler saw, newest first; one crisis with the items
it held and how each was settled; and the communication/legal decision on what it still holds
(approve releases, reject needs a reason), answered in place with each item's outcome."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Path

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler_admin import ReleaseResult
from ensemble_console.web.deps import Staff
from ensemble_console.web.form_errors import FormErrors, form_errors

router = APIRouter(prefix="/w/{workspace}/crises")

CrisisId = Annotated[str, Path(min_length=1, max_length=64)]
FIELDS = ("decision", "comment", "content_ids")


async def _crisis(
    staff: Staff,
    crisis_id: str,
    *,
    status: int = 200,
    results: list[ReleaseResult] | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> object:
    visit = staff.visit
    crisis = await visit.clients.scheduler.crisis(visit.caller, staff.workspace, crisis_id)
    return visit.page(
        "crises/crisis.html",
        status=status,
        place=staff.place,
        crisis=crisis,
        held=[h for h in crisis.holds if h.resolution is None],
        results=results,
        values=values or {"decision": "approve"},
        errors=errors or FormErrors(),
    )


@router.get("")
async def crises(staff: Staff) -> object:
    visit = staff.visit
    listed = await visit.clients.scheduler.crises(visit.caller, staff.workspace, limit=100)
    return visit.page("crises/list.html", place=staff.place, crises=listed)


@router.get("/{crisis_id}")
async def crisis(staff: Staff, crisis_id: CrisisId) -> object:
    return await _crisis(staff, crisis_id)


@router.post("/{crisis_id}/decisions")
async def decide(
    staff: Staff,
    crisis_id: CrisisId,
    decision: Annotated[Literal["approve", "reject"], Form()],
    comment: Annotated[str, Form(max_length=5_000)] = "",
    content_ids: Annotated[list[str] | None, Form(max_length=200)] = None,
) -> object:
    """The decision on the held items ticked (none ticked: every item still held)."""
    visit = staff.visit
    body = {
        "decision": decision,
        "comment": comment.strip() or None,
        "content_ids": content_ids or None,
    }
    values = {"decision": decision, "comment": comment}
    try:
        results = await visit.clients.scheduler.decide_crisis(
            visit.caller, staff.workspace, crisis_id, body
        )
    except ApiError as exc:
        if exc.status not in (403, 409, 422):  # not theirs to decide; a 404 is the 404 page
            raise
        errors = form_errors(exc, FIELDS)
        return await _crisis(staff, crisis_id, status=exc.status, values=values, errors=errors)
    return await _crisis(staff, crisis_id, results=results)
