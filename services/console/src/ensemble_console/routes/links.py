"""The pages identity's emails link to. Each GET only reads the link (mail scanners open
links); the person acts with the page's form. A used, revoked or expired link gets a page
saying which, in the person's language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form

from ensemble_console.clients import ApiError
from ensemble_console.routes.home import local
from ensemble_console.web.deps import VisitOf
from ensemble_console.web.visit import Visit

router = APIRouter()

Password = Annotated[str, Form(max_length=1024)]


def _gone(visit: Visit, exc: ApiError, link: str) -> object:
    """410 (used, revoked, expired) and 404 (unknown) links get the link's own page."""
    if exc.status == 410:
        return visit.page("links/gone.html", status=410, link=link, reason=exc.reason or "used")
    if exc.status in (404, 422):
        return visit.page("links/gone.html", status=404, link=link, reason="unknown")
    raise exc


# --- invitations ------------------------------------------------------------------------


@router.get("/invitations/{token}")
async def invitation_page(visit: VisitOf, token: str) -> object:
    try:
        invitation = await visit.clients.identity.invitation(token)
    except ApiError as exc:
        return _gone(visit, exc, "invitation")
    return visit.page("links/invitation.html", invitation=invitation, token=token, error="")


@router.post("/invitations/{token}")
async def accept_invitation(
    visit: VisitOf,
    token: str,
    name: Annotated[str, Form(max_length=120)] = "",
    password: Password = "",
) -> object:
    body: dict[str, object] = {"token": token, "locale": visit.i18n.language}
    if name.strip():
        body["name"] = name.strip()
    if password:
        body["password"] = password
    try:
        accepted = await visit.clients.identity.accept_invitation(visit.caller.origin, body)
    except ApiError as exc:
        if exc.status != 422:
            return _gone(visit, exc, "invitation")
        invitation = await visit.clients.identity.invitation(token)
        return visit.page(
            "links/invitation.html",
            status=422,
            invitation=invitation,
            token=token,
            error="password",
            name=name,
        )
    if accepted.session_token:
        visit.open_session(accepted.session_token)
        return visit.redirect(f"/w/{accepted.workspace}/", notice="welcome")
    return visit.redirect(f"/sign-in?next=/w/{accepted.workspace}/", notice="joined")


# --- password reset ---------------------------------------------------------------------


@router.get("/reset-password/{token}")
async def reset_page(visit: VisitOf, token: str) -> object:
    try:
        link = await visit.clients.identity.link_status("password-resets", token)
    except ApiError as exc:
        return _gone(visit, exc, "reset")
    return visit.page("links/reset.html", link=link, token=token, error=False)


@router.post("/reset-password/{token}")
async def reset(visit: VisitOf, token: str, password: Password) -> object:
    try:
        await visit.clients.identity.reset_password(visit.caller.origin, token, password)
    except ApiError as exc:
        if exc.status != 422:
            return _gone(visit, exc, "reset")
        link = await visit.clients.identity.link_status("password-resets", token)
        return visit.page("links/reset.html", status=422, link=link, token=token, error=True)
    visit.end_session()  # every session ended: this browser's too
    return visit.redirect("/sign-in", notice="password_reset")


# --- magic sign-in (community members) --------------------------------------------------


@router.get("/magic/{token}")
async def magic_page(visit: VisitOf, token: str) -> object:
    try:
        link = await visit.clients.identity.link_status("magic-links", token)
    except ApiError as exc:
        return _gone(visit, exc, "magic")
    return visit.page("links/magic.html", link=link, token=token)


@router.post("/magic/{token}")
async def magic_sign_in(visit: VisitOf, token: str) -> object:
    try:
        opened = await visit.clients.identity.magic_sign_in(visit.caller.origin, token)
    except ApiError as exc:
        return _gone(visit, exc, "magic")
    visit.open_session(opened)
    back = visit.request.cookies.get(visit.cookies.back_after_link, "")
    if back:  # asked from a community portal page: back there
        visit.clear_cookie(visit.cookies.back_after_link)
        return visit.redirect(local(back), notice="welcome")
    return visit.redirect("/account", notice="welcome")


# --- a new address -------------------------------------------------------------------------


@router.get("/change-email/{token}")
async def email_change_page(visit: VisitOf, token: str) -> object:
    try:
        link = await visit.clients.identity.email_change(token)
    except ApiError as exc:
        return _gone(visit, exc, "email_change")
    return visit.page("links/change_email.html", token=token, link=link, changed=None)


@router.post("/change-email/{token}")
async def change_email(visit: VisitOf, token: str) -> object:
    try:
        account = await visit.clients.identity.change_email(visit.caller.origin, token)
    except ApiError as exc:
        if exc.status == 409:
            return visit.page("links/gone.html", status=409, link="email_change", reason="taken")
        return _gone(visit, exc, "email_change")
    return visit.page("links/change_email.html", token=token, link=None, changed=account)


# --- email verification -----------------------------------------------------------------


@router.get("/verify-email/{token}")
async def verify_page(visit: VisitOf, token: str) -> object:
    return visit.page("links/verify.html", token=token, verified=None)


@router.post("/verify-email/{token}")
async def verify(visit: VisitOf, token: str) -> object:
    try:
        account = await visit.clients.identity.verify_email(token)
    except ApiError as exc:
        return _gone(visit, exc, "verify")
    return visit.page("links/verify.html", token=token, verified=account)
