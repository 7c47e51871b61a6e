"""Saved inbox views: save the filters on screen under a name, delete one. Opening a view is a
plain GET of the inbox with its filters (the list page links each), so nothing here reads.

The filters being saved travel in the form's address (the same GET parameters the list takes,
validated by the same dependency); the name and the CSRF token in its body.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path

from ensemble_console.clients import ApiError
from ensemble_console.routes.inbox_filters import Filtered
from ensemble_console.web.deps import InWorkspace, Staff

router = APIRouter(prefix="/w/{workspace}/inbox/views")

ViewId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")]


def _inbox(staff: InWorkspace, query: str = "") -> str:
    return f"/w/{staff.workspace}/inbox" + (f"?{query}" if query else "")


@router.post("")
async def save_view(
    staff: Staff, filters: Filtered, name: Annotated[str, Form(max_length=80)] = ""
) -> object:
    """Back to the same filters, with the view among the person's links."""
    visit = staff.visit
    url = _inbox(staff, filters.query())
    if not name.strip():
        return visit.redirect(url, notice="view_name_missing")
    shown = filters.params(staff.me.account.id, visit.i18n.zone)
    chosen = {k: v for k, v in shown.items() if v is not None}
    try:
        await visit.clients.ingest.save_view(
            visit.caller, staff.workspace, name.strip(), chosen, filters.ordered()
        )
    except ApiError as exc:
        if exc.status == 409:
            return visit.redirect(url, notice="view_name_taken")
        if exc.status == 422:  # 50 views already (a filter the form validated is not refused)
            return visit.redirect(url, notice="view_refused")
        raise
    return visit.redirect(url, notice="view_saved")


@router.post("/{view_id}/delete")
async def delete_view(staff: Staff, view_id: ViewId) -> object:
    visit = staff.visit
    try:
        await visit.clients.ingest.delete_view(visit.caller, staff.workspace, view_id)
    except ApiError as exc:
        if exc.status != 404:  # already deleted (another tab): the same outcome
            raise
    return visit.redirect(_inbox(staff), notice="view_deleted")
