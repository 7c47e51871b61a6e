"""Rate-limit dependencies for every public write route.

Add to a member write route (it authenticates too, so the route keeps its own role check):

    @router.post("/submissions", dependencies=[Depends(member_write_limit)])

or take the principal from it: `principal: MemberWrite`. Unauthenticated writes (sign-up)
use `Depends(ip_write_limit)`. Over the limit: 429 with Retry-After and a message.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from ensemble_feedback.services.ratelimits import WriteLimiter
from ensemble_shared.auth import Principal
from ensemble_shared.web.auth import CurrentPrincipal


def _limiter(request: Request) -> WriteLimiter:
    limiter: WriteLimiter = request.app.state.write_limiter
    return limiter


def _ip(request: Request, limiter: WriteLimiter) -> str:
    peer = request.client.host if request.client else None
    return limiter.client_ip(peer, request.headers.getlist("x-forwarded-for"))


async def ip_write_limit(request: Request) -> None:
    """Counts one write against the client's address."""
    limiter = _limiter(request)
    await limiter.check(ip=_ip(request, limiter))


async def member_write_limit(request: Request, principal: CurrentPrincipal) -> Principal:
    """Counts one write against the client's address and the calling member."""
    limiter = _limiter(request)
    await limiter.check(
        ip=_ip(request, limiter), member=f"{principal.workspace}:{principal.subject}"
    )
    return principal


MemberWrite = Annotated[Principal, Depends(member_write_limit)]
