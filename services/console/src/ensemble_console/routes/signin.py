"""Signing in (password, or a configured identity provider), out, and out everywhere; asking
for a password reset. Failures say one generic thing; a lockout says to wait."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query

from ensemble_console.clients import ApiError
from ensemble_console.routes.home import local
from ensemble_console.web.cookies import STATE_SECONDS
from ensemble_console.web.deps import SignedIn, VisitOf
from ensemble_console.web.errors import PageError
from ensemble_console.web.visit import Visit
from ensemble_shared.capabilities import same_secret

router = APIRouter()

Next = Annotated[str, Query(max_length=2000)]


async def _sign_in_page(
    visit: VisitOf, next_: str, *, status: int = 200, error: str = "", email: str = ""
) -> object:
    providers = await visit.clients.identity.providers()
    return visit.page(
        "signin/sign_in.html",
        status=status,
        next=local(next_),
        providers=providers,
        error=error,
        email=email,
    )


@router.get("/sign-in")
async def sign_in_page(visit: VisitOf, next: Next = "/") -> object:
    if visit.me is not None:
        return visit.redirect(local(next))
    return await _sign_in_page(visit, next)


@router.post("/sign-in")
async def sign_in(
    visit: VisitOf,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> object:
    try:
        opened = await visit.clients.identity.sign_in(visit.caller.origin, email.strip(), password)
    except ApiError as exc:
        if exc.status == 429:
            return await _sign_in_page(visit, next, status=429, error="locked", email=email)
        if exc.status in (401, 422):
            return await _sign_in_page(visit, next, status=401, error="failed", email=email)
        raise
    visit.open_session(opened)
    return visit.redirect(local(next))


async def end_session(visit: Visit) -> None:
    """Identity ends the session (revoked at once everywhere it is used), the cookie goes."""
    if visit.me is not None:
        await visit.clients.identity.sign_out(visit.caller)
    visit.end_session()


@router.post("/sign-out")
async def sign_out(visit: VisitOf) -> object:
    await end_session(visit)
    return visit.redirect("/sign-in", notice="signed_out")


@router.post("/sign-out/everywhere")
async def sign_out_everywhere(visit: SignedIn) -> object:
    await visit.clients.identity.end_all_sessions(visit.caller)
    visit.end_session()
    return visit.redirect("/sign-in", notice="signed_out_everywhere")


@router.post("/sign-in/oidc/{provider}")
async def oidc_start(visit: VisitOf, provider: str) -> object:
    """To the provider; its `state` is also kept in a short cookie for the callback."""
    started = await visit.clients.identity.oidc_start(visit.caller.origin, provider)
    visit.set_cookie(visit.cookies.oidc_state, started.state, STATE_SECONDS)
    return visit.redirect(started.authorization_url)


@router.get("/sign-in/oidc/callback")
async def oidc_callback(
    visit: VisitOf,
    state: Annotated[str, Query(max_length=200)] = "",
    code: Annotated[str, Query(max_length=2048)] = "",
) -> object:
    """The provider sends the browser back here. Completing the sign-in changes state on a
    GET, as OAuth prescribes; it is bound to this browser by the state cookie, and the code
    works once."""
    expected = visit.request.cookies.get(visit.cookies.oidc_state, "")
    visit.clear_cookie(visit.cookies.oidc_state)
    if not (state and code and expected and same_secret(state, expected)):
        return await _sign_in_page(visit, "/", status=400, error="sso")
    try:
        opened = await visit.clients.identity.oidc_complete(visit.caller.origin, state, code)
    except ApiError as exc:
        if exc.status in (401, 403, 404, 410, 422, 502):
            return await _sign_in_page(visit, "/", status=401, error="sso")
        raise
    visit.open_session(opened)
    return visit.redirect("/")


@router.get("/forgot-password")
async def forgot_page(visit: VisitOf) -> object:
    return visit.page("signin/forgot.html", sent=False)


@router.post("/forgot-password")
async def forgot(visit: VisitOf, email: Annotated[str, Form(max_length=320)]) -> object:
    """Always the same answer, whether the account exists or not (no enumeration)."""
    try:
        await visit.clients.identity.request_reset(
            visit.caller.origin, email.strip(), visit.i18n.language
        )
    except ApiError as exc:
        if exc.status == 429:
            raise PageError(429) from None
        if exc.status != 422:
            raise
    return visit.page("signin/forgot.html", sent=True)
