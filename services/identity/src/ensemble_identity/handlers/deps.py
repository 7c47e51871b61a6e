"""The dependencies every route names once: services, the caller, and where they call from."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ensemble_identity.models.accounts import Account
from ensemble_identity.models.context import Actor, Origin
from ensemble_identity.models.sessions import Session
from ensemble_identity.services.callers import require_admin, require_staff, require_staff_member
from ensemble_identity.services.registry import Services
from ensemble_shared.client_address import client_ip
from ensemble_shared.errors import Unauthenticated

bearer = HTTPBearer(
    auto_error=False,
    description="A session token (ens_s_…, from sign-in) or an access token (from "
    "POST /access-tokens or POST /oauth/token).",
)


def _services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


Identity = Annotated[Services, Depends(_services)]


def _origin(request: Request, services: Identity) -> Origin:
    peer = request.client.host if request.client else None
    ip = client_ip(peer, request.headers.getlist("x-forwarded-for"), services.trusted_proxies)
    return Origin(ip=ip, user_agent=request.headers.get("user-agent", "")[:300])


ClientOrigin = Annotated[Origin, Depends(_origin)]


def _credential(credentials: HTTPAuthorizationCredentials | None) -> str:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    return credentials.credentials


async def _signed_in(
    services: Identity,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> tuple[Account, Session]:
    return await services.sessions.authenticate(_credential(credentials))


SignedIn = Annotated[tuple[Account, Session], Depends(_signed_in)]
"""A person's session (the console forwards it): account-level routes."""

WorkspaceId = Annotated[str, Path(min_length=1, max_length=64)]


async def _actor(
    workspace: WorkspaceId,
    services: Identity,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Actor:
    return await services.callers.in_workspace(_credential(credentials), workspace)


async def _admin(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
    return require_admin(actor)


async def _manager(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
    return require_staff(actor, "manager")


async def _staff(actor: Annotated[Actor, Depends(_actor)]) -> Actor:
    return require_staff_member(actor)


WorkspaceActor = Annotated[Actor, Depends(_actor)]
"""Anyone with a place in the path's workspace (session or access token)."""
WorkspaceAdmin = Annotated[Actor, Depends(_admin)]
WorkspaceStaff = Annotated[Actor, Depends(_staff)]
"""Anyone on the company's side of the workspace (any role but member)."""
WorkspaceManager = Annotated[Actor, Depends(_manager)]
"""An admin or a community manager (they see who is in the workspace)."""
