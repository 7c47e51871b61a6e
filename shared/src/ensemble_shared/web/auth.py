"""Bearer-token authentication as FastAPI dependencies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ensemble_shared.auth import InvalidToken, Principal, Role, Tokens
from ensemble_shared.errors import Forbidden, Unauthenticated

bearer_scheme = HTTPBearer(auto_error=False, description="A token minted by `./dev token`.")


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    tokens: Tokens = request.app.state.infra.tokens
    try:
        return tokens.verify(credentials.credentials)
    except InvalidToken as exc:
        raise Unauthenticated(f"invalid bearer token: {exc}") from exc


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: Role) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency that lets through principals holding any of `roles` (admins always)."""

    async def check(principal: CurrentPrincipal) -> Principal:
        if not principal.has_any(*roles):
            wanted = ", ".join(sorted(roles))
            raise Forbidden(f"this needs one of the roles: {wanted}")
        return principal

    return check


# The callers every service's routes name, one meaning each (admins pass every check).
Admin = Annotated[Principal, Depends(require_roles(Role.ADMIN))]
Manager = Annotated[Principal, Depends(require_roles(Role.MANAGER))]
Internal = Annotated[Principal, Depends(require_roles(Role.MANAGER, Role.APPROVER))]
"""Someone of the company's internal teams: a community manager or an approver."""
Member = Annotated[Principal, Depends(require_roles(Role.MEMBER))]
