"""Calendar feed links (staff): the signed .ics addresses handed out (an admin sees the
workspace's, others their own), a new one for the workspace or one team's channels (its
address shown once, on the answer to the form: scheduler keeps no token), and revocation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path

from ensemble_console.clients import ApiError
from ensemble_console.models.scheduler import FeedLink
from ensemble_console.web.deps import Staff
from ensemble_console.web.form_errors import FormErrors, form_errors

router = APIRouter(prefix="/w/{workspace}/calendar/feed-links")

LinkId = Annotated[str, Path(min_length=1, max_length=100)]


async def _links(
    staff: Staff,
    *,
    status: int = 200,
    created: FeedLink | None = None,
    values: dict[str, str] | None = None,
    errors: FormErrors | None = None,
) -> object:
    visit = staff.visit
    listed = await visit.clients.scheduler.feed_links(visit.caller, staff.workspace)
    return visit.page(
        "calendar/feed_links.html",
        status=status,
        place=staff.place,
        links=listed,
        created=created,
        me=staff.me.account.id,
        values=values or {},
        errors=errors or FormErrors(),
    )


@router.get("")
async def feed_links(staff: Staff) -> object:
    return await _links(staff)


@router.post("")
async def create_feed_link(staff: Staff, team: Annotated[str, Form(max_length=64)] = "") -> object:
    visit = staff.visit
    try:
        created = await visit.clients.scheduler.feed_link(
            visit.caller, staff.workspace, team.strip() or None
        )
    except ApiError as exc:
        if exc.status != 422:
            raise
        errors = form_errors(exc, ("team",))
        return await _links(staff, status=422, values={"team": team}, errors=errors)
    return await _links(staff, status=201, created=created)


@router.post("/{link_id}/revoke")
async def revoke_feed_link(staff: Staff, link_id: LinkId) -> object:
    visit = staff.visit
    await visit.clients.scheduler.revoke_feed_link(visit.caller, staff.workspace, link_id)
    path = f"/w/{staff.workspace}/calendar/feed-links"
    return visit.redirect(path, notice="feed_link_revoked")
