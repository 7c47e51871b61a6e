"""The account page: profile, language and time zone, password, where one is signed in, and
one's API keys in the current workspace (the secret shown once, on the answer to the form)."""

from __future__ import annotations

from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.web import i18n
from ensemble_console.web.deps import SignedIn, Staff
from ensemble_console.web.visit import Visit

router = APIRouter()

ZONES = sorted(available_timezones())
STAFF_ROLES = ("admin", "manager", "approver", "viewer")


async def _account_page(
    visit: Visit,
    workspace: str | None,
    status: int = 200,
    created: object = None,
    **extra: Any,
) -> object:
    sessions = await visit.clients.identity.sessions(visit.caller)
    keys = await visit.clients.people.api_keys(visit.caller, workspace) if workspace else []
    place = visit.place(workspace) if workspace else None
    return visit.page(
        "account/account.html",
        status=status,
        workspace=workspace,
        place=place,
        sessions=sessions,
        keys=keys,
        zones=ZONES,
        staff_roles=STAFF_ROLES,
        created=created,
        **extra,
    )


def _here(workspace: str | None) -> str:
    return f"/w/{workspace}/account" if workspace else "/account"


@router.get("/account")
async def account_without_workspace(visit: SignedIn) -> object:
    assert visit.me is not None
    home = visit.me.home
    if home is not None and home.staff:
        return visit.redirect(f"/w/{home.workspace}/account")
    return await _account_page(visit, None)


@router.get("/w/{workspace}/account")
async def account(staff: Staff) -> object:
    return await _account_page(staff.visit, staff.workspace)


@router.post("/account/profile")
async def update_profile(
    visit: SignedIn,
    name: Annotated[str, Form(min_length=1, max_length=120)],
    language: Annotated[str, Form(max_length=8)],
    time_zone: Annotated[str, Form(max_length=64)] = "",
    workspace: Annotated[str, Form(max_length=64)] = "",
) -> object:
    changes = {
        "name": name.strip(),
        "locale": i18n.choose(language),
        "time_zone": time_zone if time_zone in ZONES else None,
    }
    await visit.clients.identity.update_me(visit.caller, changes)
    visit.remember_language(changes["locale"] or i18n.DEFAULT)
    return visit.redirect(_here(workspace or None), notice="profile_saved")


@router.post("/account/password")
async def change_password(
    visit: SignedIn,
    new_password: Annotated[str, Form(max_length=1024)],
    current_password: Annotated[str, Form(max_length=1024)] = "",
    workspace: Annotated[str, Form(max_length=64)] = "",
) -> object:
    try:
        await visit.clients.identity.change_password(
            visit.caller, current_password or None, new_password
        )
    except ApiError as exc:
        if exc.status not in (401, 403, 422):
            raise
        error = "current" if exc.status in (401, 403) else "policy"
        return await _account_page(visit, workspace or None, status=422, password_error=error)
    return visit.redirect(_here(workspace or None), notice="password_changed")


@router.post("/account/email")
async def change_email(
    visit: SignedIn,
    email: Annotated[str, Form(min_length=3, max_length=320)],
    current_password: Annotated[str, Form(max_length=1024)] = "",
    workspace: Annotated[str, Form(max_length=64)] = "",
) -> object:
    """Ask identity to send a link to the new address (the change happens on its page)."""
    try:
        await visit.clients.identity.request_email_change(
            visit.caller, email.strip(), current_password or None
        )
    except ApiError as exc:
        if exc.status not in (401, 403, 409, 422):
            raise
        error = {401: "current", 403: "current", 409: "same"}.get(exc.status, "invalid")
        return await _account_page(
            visit, workspace or None, status=422, email_error=error, typed_email=email
        )
    return visit.redirect(_here(workspace or None), notice="email_change_sent")


@router.post("/account/verification")
async def resend_verification(
    visit: SignedIn, workspace: Annotated[str, Form(max_length=64)] = ""
) -> object:
    await visit.clients.identity.request_verification(visit.caller)
    return visit.redirect(_here(workspace or None), notice="verification_sent")


@router.post("/account/sessions/{session_id}/end")
async def end_session(
    visit: SignedIn, session_id: str, workspace: Annotated[str, Form(max_length=64)] = ""
) -> object:
    await visit.clients.identity.end_session(visit.caller, session_id)
    return visit.redirect(_here(workspace or None), notice="session_ended")


@router.post("/w/{workspace}/api-keys")
async def create_api_key(
    staff: Staff,
    name: Annotated[str, Form(min_length=1, max_length=120)],
    roles: Annotated[list[str], Form()],
) -> object:
    visit = staff.visit
    try:
        created = await visit.clients.people.create_api_key(
            visit.caller, staff.workspace, name.strip(), roles
        )
    except ApiError as exc:
        if exc.status not in (403, 422):
            raise
        return await _account_page(visit, staff.workspace, status=exc.status, key_error=True)
    return await _account_page(visit, staff.workspace, status=201, created=created)


@router.post("/w/{workspace}/api-keys/{key_id}/revoke")
async def revoke_api_key(staff: Staff, key_id: str) -> object:
    await staff.visit.clients.people.revoke_api_key(staff.visit.caller, staff.workspace, key_id)
    return staff.visit.redirect(f"/w/{staff.workspace}/account", notice="key_revoked")
