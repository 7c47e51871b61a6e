"""Rate-limit dependencies for every public write route.

Add to a member write route (it authenticates too, so the route keeps its own role check):

    @router.post("/submissions", dependencies=MEMBER_WRITE)

or take the principal from it: `principal: MemberWrite`. Unauthenticated writes (sign-up)
use `dependencies=IP_WRITE`. Over the limit: 429 with Retry-After and a message.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request

from ensemble_feedback.handlers.dependencies import Limiter
from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_shared.auth import Principal
from ensemble_shared.web.auth import CurrentPrincipal


def _ip(request: Request, limiter: WriteLimiter) -> str:
    peer = request.client.host if request.client else None
    return limiter.client_ip(peer, request.headers.getlist("x-forwarded-for"))


async def ip_write_limit(request: Request, limiter: Limiter) -> None:
    """Counts one write against the client's address."""
    await limiter.check(ip=_ip(request, limiter))


async def member_write_limit(
    request: Request, principal: CurrentPrincipal, limiter: Limiter
) -> Principal:
    """Counts one write against the client's address and the calling member."""
    await limiter.check(
        ip=_ip(request, limiter), member=f"{principal.workspace}:{principal.subject}"
    )
    return principal


MemberWrite = Annotated[Principal, Depends(member_write_limit)]
MEMBER_WRITE: list[Any] = [Depends(member_write_limit)]  # a member's own writes
IP_WRITE: list[Any] = [Depends(ip_write_limit)]  # public writes without a login
