"""Routes a person reaches before being signed in: first run, sign-in, emailed links, keys.

Links carry their secret in the JSON body, never in the URL, so no access log keeps them;
the `lookup` routes read a link for its page and change nothing.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from ensemble_identity.handlers.deps import ClientOrigin, Identity
from ensemble_identity.models.accounts import AccountView
from ensemble_identity.models.invitations import (
    InvitationAccept,
    InvitationAccepted,
    InvitationPreview,
)
from ensemble_identity.models.links import (
    LinkStatus,
    LinkToken,
    MagicLinkRequest,
    ResetPassword,
    ResetRequest,
)
from ensemble_identity.models.oidc import OidcComplete, OidcStarted, ProviderView
from ensemble_identity.models.sessions import SessionOpened, SignIn
from ensemble_identity.models.workspaces import SetupRequest, SetupStatus

router = APIRouter()


@router.get("/.well-known/jwks.json", tags=["keys"], summary="The public keys of access tokens.")
async def jwks(services: Identity, response: Response) -> dict[str, Any]:
    response.headers["Cache-Control"] = f"public, max-age={services.jwks_max_age}"
    return services.keyring.jwks()


@router.get("/setup", tags=["setup"], summary="Whether the first-run page is needed.")
async def setup_status(services: Identity) -> SetupStatus:
    return await services.workspaces.setup_status()


@router.post(
    "/setup",
    status_code=201,
    tags=["setup"],
    summary="First run: the first workspace and its admin, signed in (only while none exists).",
)
async def setup(
    body: SetupRequest,
    services: Identity,
    origin: ClientOrigin,
    x_setup_token: Annotated[str | None, Header(max_length=200)] = None,
) -> SessionOpened:
    return await services.workspaces.setup(body, x_setup_token, origin)


@router.post(
    "/sessions", status_code=201, tags=["sign-in"], summary="Sign in with email and password."
)
async def sign_in(body: SignIn, services: Identity, origin: ClientOrigin) -> SessionOpened:
    return await services.signin.password(body, origin)


@router.post(
    "/magic-links", status_code=202, tags=["sign-in"], summary="Email a sign-in link (members)."
)
async def request_magic_link(
    body: MagicLinkRequest, services: Identity, origin: ClientOrigin
) -> Response:
    await services.recovery.request_magic_link(body, origin)
    return Response(status_code=202)


@router.post("/magic-links/lookup", tags=["sign-in"], summary="A sign-in link, for its page.")
async def magic_link_status(body: LinkToken, services: Identity) -> LinkStatus:
    return await services.links.status("magic", body.token)


@router.post(
    "/magic-links/consume",
    status_code=201,
    tags=["sign-in"],
    summary="Follow a sign-in link (once): a session, and a member account on first use.",
)
async def consume_magic_link(
    body: LinkToken, services: Identity, origin: ClientOrigin
) -> SessionOpened:
    return await services.recovery.magic_sign_in(body.token, origin)


@router.post(
    "/password-resets", status_code=202, tags=["sign-in"], summary="Email a password reset link."
)
async def request_reset(body: ResetRequest, services: Identity, origin: ClientOrigin) -> Response:
    await services.recovery.request_reset(body, origin)
    return Response(status_code=202)


@router.post("/password-resets/lookup", tags=["sign-in"], summary="A reset link, for its page.")
async def reset_status(body: LinkToken, services: Identity) -> LinkStatus:
    return await services.links.status("reset", body.token)


@router.post(
    "/password-resets/consume",
    status_code=204,
    tags=["sign-in"],
    summary="Set a new password with a reset link (once); every session ends.",
)
async def reset_password(body: ResetPassword, services: Identity, origin: ClientOrigin) -> None:
    await services.recovery.reset(body, origin)


@router.post(
    "/email-verifications/consume", tags=["account"], summary="Follow a verification link."
)
async def verify_email(body: LinkToken, services: Identity) -> AccountView:
    return await services.accounts.verify_email(body.token)


@router.post(
    "/email-changes/lookup", tags=["account"], summary="An address change link, for its page."
)
async def email_change_status(body: LinkToken, services: Identity) -> LinkStatus:
    return await services.links.status("email_change", body.token)


@router.post(
    "/email-changes/consume",
    tags=["account"],
    summary="Follow an address change link (once): the address becomes the account's.",
    description="The new address is then verified and announced (`account.updated.v1` in each "
    "of the account's workspaces); the old one no longer signs in and receives a notice. 404 "
    "unknown, 410 used or expired, 409 when another account took the address meanwhile.",
)
async def change_email(body: LinkToken, services: Identity, origin: ClientOrigin) -> AccountView:
    return await services.accounts.change_email(body.token, origin)


@router.post("/invitations/lookup", tags=["invitations"], summary="An invitation, for its page.")
async def invitation_preview(body: LinkToken, services: Identity) -> InvitationPreview:
    return await services.invitations.preview(body.token)


@router.post(
    "/invitations/accept",
    status_code=201,
    tags=["invitations"],
    summary="Accept an invitation (once); a new account is created and signed in.",
)
async def accept_invitation(
    body: InvitationAccept, services: Identity, origin: ClientOrigin
) -> InvitationAccepted:
    return await services.invitations.accept(body, origin)


@router.get("/oidc/providers", tags=["sign-in"], summary="Identity providers to offer.")
async def oidc_providers(services: Identity) -> list[ProviderView]:
    return services.oidc.providers()


@router.post(
    "/oidc/{provider}/start", tags=["sign-in"], summary="Start signing in with a provider."
)
async def oidc_start(provider: str, services: Identity, origin: ClientOrigin) -> OidcStarted:
    return await services.oidc.start(provider)


@router.post(
    "/oidc/complete",
    status_code=201,
    tags=["sign-in"],
    summary="Finish signing in with the code and state the provider sent back.",
)
async def oidc_complete(
    body: OidcComplete, services: Identity, origin: ClientOrigin
) -> SessionOpened:
    return await services.oidc.complete(body, origin)
