"""Bearer-token authentication as FastAPI dependencies: identity's access tokens, verified
with its published keys by the process's one `JwksVerifier`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ensemble_shared.auth import InvalidToken, Principal, Role
from ensemble_shared.errors import Forbidden, Unauthenticated, Unavailable
from ensemble_shared.keys import JwksVerifier, KeysUnavailable
from ensemble_shared.web.read_limits import ReadLimiter

bearer_scheme = HTTPBearer(
    auto_error=False,
    description="An access token from identity (`POST /access-tokens`, `POST /oauth/token`, "
    "or `./dev token`).",
)


async def authenticate(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
) -> Principal:
    if credentials is None:
        raise Unauthenticated("a bearer token is required")
    verifier: JwksVerifier = request.app.state.infra.verifier
    try:
        principal = await verifier.verify(credentials.credentials)
    except KeysUnavailable as exc:
        raise Unavailable(
            "identity's signing keys cannot be fetched right now, so no token can be checked; "
            "retry later"
        ) from exc
    except InvalidToken as exc:
        raise Unauthenticated(f"invalid bearer token: {exc}") from exc
    limiter: ReadLimiter | None = getattr(request.app.state, "read_limiter", None)
    if limiter is not None and request.method in ("GET", "HEAD"):
        await limiter.check(principal)
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticate)]


def require_roles(*roles: Role) -> Callable[[Request, Principal], Awaitable[Principal]]:
    """A dependency that lets through principals holding any of `roles` (admins always), and
    viewers on reads (GET, HEAD) where a manager or approver would pass."""

    async def check(request: Request, principal: CurrentPrincipal) -> Principal:
        reading = request.method in ("GET", "HEAD")
        if not (principal.may_read_as(*roles) if reading else principal.has_any(*roles)):
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
