"""A signed-in person's own routes (the console calls them with the session token)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from ensemble_identity.handlers.deps import ClientOrigin, Identity, SignedIn
from ensemble_identity.models.accounts import (
    AccountView,
    EmailChange,
    PasswordChange,
    ProfileUpdate,
)
from ensemble_identity.models.sessions import AccessToken, AccessTokenRequest, Me, SessionView

router = APIRouter(tags=["account"])


class SessionsEnded(BaseModel):
    sessions_ended: int


@router.get("/me", summary="The account and its places (workspace switcher).")
async def me(signed_in: SignedIn, services: Identity) -> Me:
    return await services.sessions.me(*signed_in)


@router.patch("/me", summary="Change name, language or time zone (announced).")
async def update_me(body: ProfileUpdate, signed_in: SignedIn, services: Identity) -> AccountView:
    account, _ = signed_in
    return await services.accounts.update_profile(account, body)


@router.put("/me/password", summary="Change the password; every other session ends.")
async def change_password(
    body: PasswordChange, signed_in: SignedIn, services: Identity, origin: ClientOrigin
) -> SessionsEnded:
    ended = await services.accounts.change_password(*signed_in, body, origin)
    return SessionsEnded(sessions_ended=ended)


@router.post(
    "/me/email-change",
    status_code=202,
    summary="Email a link to a new address; it becomes the account's once followed.",
    description="The current password is needed when the account has one. The account keeps "
    "its address until the link (the console's `/change-email/{token}` page) is followed. The "
    "answer is 202 even when another account holds the address (it then gets no link): who "
    "has an account is not told. 403 for a wrong password, 409 for the account's own address.",
    responses={403: {"description": "The current password is not right."}},
)
async def request_email_change(
    body: EmailChange, signed_in: SignedIn, services: Identity
) -> Response:
    await services.accounts.request_email_change(signed_in[0], body)
    return Response(status_code=202)


@router.post("/me/email-verification", status_code=202, summary="Email a new verification link.")
async def request_verification(signed_in: SignedIn, services: Identity) -> Response:
    await services.accounts.request_verification(signed_in[0])
    return Response(status_code=202)


@router.get("/me/sessions", summary="Where the account is signed in.")
async def my_sessions(signed_in: SignedIn, services: Identity) -> list[SessionView]:
    return await services.sessions.listing(*signed_in)


@router.delete("/me/sessions/{session_id}", status_code=204, summary="End one session.")
async def end_session(session_id: str, signed_in: SignedIn, services: Identity) -> None:
    await services.sessions.revoke(signed_in[0], session_id)


@router.delete("/me/sessions", summary="Sign out everywhere, this session included.")
async def end_all_sessions(signed_in: SignedIn, services: Identity) -> SessionsEnded:
    return SessionsEnded(sessions_ended=await services.sessions.end_all(signed_in[0].id))


@router.delete("/sessions/current", status_code=204, tags=["sign-in"], summary="Sign out.")
async def sign_out(signed_in: SignedIn, services: Identity) -> None:
    await services.sessions.end(signed_in[1])


@router.post(
    "/access-tokens", tags=["sign-in"], summary="A short-lived access token for one workspace."
)
async def access_token(
    body: AccessTokenRequest, signed_in: SignedIn, services: Identity
) -> AccessToken:
    return await services.sessions.access_token(*signed_in, body.workspace)
