"""The dependencies routes name once: the visit, a signed-in person, their place in the
path's workspace (staff, admin), and the CSRF check every state-changing request passes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Path, Request

from ensemble_console.models.identity import Me, Place
from ensemble_console.web.csrf import FIELD, HEADER, Csrf
from ensemble_console.web.errors import CsrfRefused, PageError, SignInRequired
from ensemble_console.web.visit import Visit, visit_of

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

VisitOf = Annotated[Visit, Depends(visit_of)]


async def require_csrf(request: Request) -> None:
    """Refuses (403 page) any state-changing request without this browser's token, before
    the route runs. Installed on every router: a new route cannot forget it."""
    if request.method in SAFE_METHODS:
        return
    await visit_of(request)
    csrf: Csrf = request.app.state.csrf
    binding: str = request.state.csrf_binding
    given = request.headers.get(HEADER)
    if not csrf.valid(binding, given):
        form = await request.form()
        field = form.get(FIELD)
        if not csrf.valid(binding, field if isinstance(field, str) else None):
            raise CsrfRefused()


def back_to(request: Request) -> str:
    query = f"?{request.url.query}" if request.url.query else ""
    return request.url.path + query


async def _signed_in(request: Request, visit: VisitOf) -> Visit:
    if visit.me is None:
        raise SignInRequired(back_to(request))
    return visit


SignedIn = Annotated[Visit, Depends(_signed_in)]


@dataclass(frozen=True)
class InWorkspace:
    """A signed-in person on a page of one of their workspaces."""

    visit: Visit
    place: Place

    @property
    def workspace(self) -> str:
        return self.place.workspace

    @property
    def me(self) -> Me:
        assert self.visit.me is not None
        return self.visit.me


WorkspacePath = Annotated[str, Path(min_length=1, max_length=64)]


async def _staff(workspace: WorkspacePath, visit: SignedIn) -> InWorkspace:
    """A staff place; a page about to be drawn also gets the navigation's unread count (its
    one call to notify, started beside `GET /me`: `web/unread.py`)."""
    place = visit.place(workspace)
    staff = place is not None and place.reachable and place.staff
    counting, visit.counting = visit.counting, None
    if counting is not None and not staff:
        counting.cancel()
    if place is None or not place.reachable:
        raise PageError(404)
    if not place.staff:
        raise PageError(403)
    if counting is not None:
        visit.unread = await counting
    return InWorkspace(visit, place)


Staff = Annotated[InWorkspace, Depends(_staff)]


async def _admin(staff: Staff) -> InWorkspace:
    if not staff.place.admin:
        raise PageError(403)
    return staff


Admin = Annotated[InWorkspace, Depends(_admin)]
