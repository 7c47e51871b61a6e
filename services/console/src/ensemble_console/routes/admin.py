"""A workspace's admin pages: members with their roles and teams, invitations, the audit log."""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.web.deps import Admin
from ensemble_console.web.i18n import LANGUAGES

router = APIRouter(prefix="/w/{workspace}/admin")

ROLES = ("admin", "manager", "approver", "viewer")
Roles = Annotated[list[str] | None, Form()]
Teams = Annotated[str, Form(max_length=2000)]


def team_names(text: str) -> list[str]:
    """Teams typed as a comma- or space-separated list, lower-cased, without repeats."""
    return list(dict.fromkeys(t for t in re.split(r"[\s,]+", text.strip().lower()) if t))


@router.get("/members")
async def members(admin: Admin) -> object:
    visit = admin.visit
    people = await visit.clients.people.members(visit.caller, admin.workspace)
    return visit.page("admin/members.html", place=admin.place, members=people)


@router.get("/members/{account_id}")
async def member(admin: Admin, account_id: str) -> object:
    visit = admin.visit
    person = await visit.clients.people.member(visit.caller, admin.workspace, account_id)
    return visit.page("admin/member.html", place=admin.place, member=person, roles=ROLES, error="")


@router.post("/members/{account_id}")
async def update_member(
    admin: Admin, account_id: str, teams: Teams = "", roles: Roles = None
) -> object:
    visit = admin.visit
    try:
        await visit.clients.people.update_member(
            visit.caller, admin.workspace, account_id, roles or [], team_names(teams)
        )
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        person = await visit.clients.people.member(visit.caller, admin.workspace, account_id)
        return visit.page(
            "admin/member.html",
            status=exc.status,
            place=admin.place,
            member=person,
            roles=ROLES,
            error="last_admin" if exc.status == 409 else "roles",
        )
    return visit.redirect(f"/w/{admin.workspace}/admin/members", notice="member_saved")


@router.post("/members/{account_id}/remove")
async def remove_member(admin: Admin, account_id: str) -> object:
    visit = admin.visit
    try:
        await visit.clients.people.remove_member(visit.caller, admin.workspace, account_id)
    except ApiError as exc:
        if exc.status != 409:
            raise
        return visit.redirect(f"/w/{admin.workspace}/admin/members", notice="last_admin")
    return visit.redirect(f"/w/{admin.workspace}/admin/members", notice="member_removed")


@router.get("/invitations")
async def invitations(admin: Admin) -> object:
    return await _invitations_page(admin)


async def _invitations_page(admin: Admin, status: int = 200, error: str = "") -> object:
    visit = admin.visit
    listed = await visit.clients.people.invitations(visit.caller, admin.workspace)
    return visit.page(
        "admin/invitations.html",
        status=status,
        place=admin.place,
        invitations=listed,
        roles=ROLES,
        languages=LANGUAGES,
        error=error,
    )


@router.post("/invitations")
async def invite(
    admin: Admin,
    email: Annotated[str, Form(max_length=320)],
    roles: Roles = None,
    teams: Teams = "",
    language: Annotated[str, Form(max_length=8)] = "",
) -> object:
    visit = admin.visit
    body = {
        "email": email.strip(),
        "roles": roles or [],
        "teams": team_names(teams),
        "locale": language if language in LANGUAGES else visit.i18n.language,
    }
    try:
        await visit.clients.people.invite(visit.caller, admin.workspace, body)
    except ApiError as exc:
        if exc.status not in (409, 422):
            raise
        return await _invitations_page(admin, status=exc.status, error="invalid")
    return visit.redirect(f"/w/{admin.workspace}/admin/invitations", notice="invited")


@router.post("/invitations/{invitation_id}/revoke")
async def revoke_invitation(admin: Admin, invitation_id: str) -> object:
    visit = admin.visit
    await visit.clients.people.revoke_invitation(visit.caller, admin.workspace, invitation_id)
    return visit.redirect(f"/w/{admin.workspace}/admin/invitations", notice="invitation_revoked")


@router.get("/audit")
async def audit(
    admin: Admin, cursor: Annotated[str | None, Query(max_length=500)] = None
) -> object:
    visit = admin.visit
    page = await visit.clients.people.audit(visit.caller, admin.workspace, cursor)
    return visit.page("admin/audit.html", place=admin.place, page=page)
