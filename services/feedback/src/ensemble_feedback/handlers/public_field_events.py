"""Field events as anyone reads them, without a sign-in: the community portal's events list
and each event's page (title, place, times, seats left; never who holds a seat)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from ensemble_feedback.handlers.dependencies import FieldEvents
from ensemble_feedback.models.field_events import FieldEventPage, FieldEventView
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/workspaces/{workspace}/field-events", tags=["public field events"])

Workspace = Annotated[str, Path(min_length=1, max_length=100)]


@router.get("", summary="Upcoming events soonest first, or past ones latest first (no sign-in).")
async def public_field_events(
    workspace: Workspace,
    events: FieldEvents,
    when: Annotated[Literal["upcoming", "past"], Query()] = "upcoming",
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> FieldEventPage:
    if when == "past":
        return await events.past(workspace, cursor=cursor, limit=limit)
    return await events.page(workspace, cursor=cursor, upcoming=True, limit=limit)


@router.get("/{event_id}", summary="One field event with its seats left (no sign-in).")
async def public_field_event(
    workspace: Workspace, event_id: str, events: FieldEvents
) -> FieldEventView:
    return await events.get(workspace, event_id)
