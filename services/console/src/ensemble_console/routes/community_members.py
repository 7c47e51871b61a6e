"""The Community screen's members: each with their linked handles and engagement score, a
member's activity, and the merges of members who are one person (feedback suggests pairs:
same verified email, same handle on another platform); staff confirm a merge or undo one,
link or unlink a member's handle, and set their trust level (new members are pre-moderated)."""

from __future__ import annotations

import asyncio
from typing import Annotated, Literal, get_args

from fastapi import APIRouter, Form, Path
from starlette.responses import Response

from ensemble_console.routes.community import Cursor, Id, acted, base
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.labels import LABELS

router = APIRouter(prefix="/w/{workspace}/community/members")

MemberField = Annotated[str, Form(max_length=100, pattern=r"^[\w:@-][\w:.@-]*$")]
# The platforms feedback links handles on, named once for people in web/labels.py.
PLATFORMS = tuple(LABELS["platform"])
Platform = Annotated[str, Path(pattern=r"^[a-z]{1,20}$")]
Trust = Literal["new", "trusted", "blocked"]
TRUST_LEVELS: tuple[str, ...] = get_args(Trust)
NAMES_READ = 200  # one page of members names the ids other pages show


async def names(staff: InWorkspace) -> dict[str, str]:
    """Display names of the workspace's (canonical) members, newest first, one call; a page
    shows an id it does not find here as it is."""
    visit = staff.visit
    page = await visit.clients.feedback.members(visit.caller, staff.workspace, limit=NAMES_READ)
    return {m.member_id: m.display_name for m in page.items}


@router.get("")
async def members(staff: Staff, cursor: Cursor = None) -> object:
    visit, ws = staff.visit, staff.workspace
    client = visit.clients.feedback
    page, suggested, merges, known = await asyncio.gather(
        client.members(visit.caller, ws, cursor),
        client.merge_suggestions(visit.caller, ws),
        client.merges(visit.caller, ws),
        names(staff),
    )
    return visit.page(
        "community/members.html",
        place=staff.place,
        page=page,
        suggestions=suggested.items,
        merges=merges,
        names=known,
    )


@router.get("/{member_id}")
async def member(staff: Staff, member_id: Id, cursor: Cursor = None) -> object:
    visit, ws = staff.visit, staff.workspace
    client = visit.clients.feedback
    profile, timeline = await asyncio.gather(
        client.member(visit.caller, ws, member_id),
        client.activity(visit.caller, ws, member_id, cursor),
    )
    return visit.page(
        "community/member.html",
        place=staff.place,
        member=profile,
        timeline=timeline,
        platforms=PLATFORMS,
        levels=TRUST_LEVELS,
    )


@router.post("/{member_id}/trust")
async def set_trust(
    staff: Staff,
    member_id: Id,
    level: Annotated[Trust, Form()],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.set_trust(
        visit.caller, staff.workspace, member_id, level, reason.strip() or None
    )
    back = f"{base(staff)}/members/{member_id}"
    return await acted(staff, action, "trust", back, "trust_changed")


@router.post("/{member_id}/handles")
async def link_handle(
    staff: Staff,
    member_id: Id,
    platform: Annotated[str, Form(pattern=r"^[a-z]{1,20}$")],
    handle: Annotated[str, Form(min_length=1, max_length=256)],
) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.link_handle(
        visit.caller, staff.workspace, member_id, platform, handle.strip()
    )
    back = f"{base(staff)}/members/{member_id}"
    return await acted(staff, action, "link", back, "handle_linked")


@router.post("/{member_id}/handles/{platform}/unlink")
async def unlink_handle(staff: Staff, member_id: Id, platform: Platform) -> Response:
    visit = staff.visit
    action = visit.clients.feedback.unlink_handle(
        visit.caller, staff.workspace, member_id, platform
    )
    back = f"{base(staff)}/members/{member_id}"
    return await acted(staff, action, "unlink", back, "handle_unlinked")


@router.post("/merges")
async def merge(staff: Staff, survivor: MemberField, merged: MemberField) -> Response:
    visit = staff.visit
    back = f"{base(staff)}/members"
    action = visit.clients.feedback.merge_members(visit.caller, staff.workspace, survivor, merged)
    return await acted(staff, action, "merge_members", back, "members_merged")


@router.post("/merges/{merge_id}/undo")
async def undo(staff: Staff, merge_id: Id) -> Response:
    visit = staff.visit
    back = f"{base(staff)}/members"
    action = visit.clients.feedback.undo_merge(visit.caller, staff.workspace, merge_id)
    return await acted(staff, action, "undo_merge", back, "merge_undone")
