"""The community portal's public pages, under `/c/{workspace}/`: the board (new, top or
trending; by status or kind; found by text), each idea with its comments, and the roadmap
with its Atom feed. Anyone reads them without signing in (feedback's public routes); a
signed-in member also sees their own held or rejected idea, and why.

The brand links to these addresses from its site and its posts, so they carry titles,
descriptions and Open Graph tags, and use the light public layout, not the staff menu.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Path, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.portal import Idea, Moderated
from ensemble_console.web import atom
from ensemble_console.web.deps import VisitOf, back_to
from ensemble_console.web.errors import SignInRequired
from ensemble_console.web.labels import LABELS
from ensemble_console.web.visit import Visit

router = APIRouter(prefix="/c/{workspace}")

WorkspaceId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")]
IdeaId = Annotated[str, Path(max_length=100, pattern=r"^[\w:@-][\w:.@-]*$")]
Sort = Literal["trending", "top", "new"]
Status = Literal["open", "under_review", "planned", "in_progress", "done", "declined"]
Kind = Literal["idea", "feedback", "content_proposal", "question"]
STATUSES = ("open", "under_review", "planned", "in_progress", "done", "declined")
ROADMAP = ("planned", "in_progress", "done")


def label_of(status: str) -> str:
    """A status's English name (translated where shown)."""
    return LABELS["submission_status"].get(status, status)


@dataclass(frozen=True)
class Portal:
    """A visit to one workspace's portal; `member` when signed in with a place there."""

    visit: Visit
    workspace: str

    @property
    def base(self) -> str:
        return f"/c/{self.workspace}"

    @property
    def member(self) -> bool:
        place = self.visit.place(self.workspace)
        return place is not None and place.reachable and not place.staff

    @property
    def staff(self) -> bool:
        """Staff of the workspace: their idea pages offer the embed code."""
        place = self.visit.place(self.workspace)
        return place is not None and place.reachable and place.staff

    def page(self, template: str, status: int = 200, **context: object) -> Response:
        return self.visit.page(template, status=status, portal=self, **context)


async def _portal(visit: VisitOf, workspace: WorkspaceId) -> Portal:
    return Portal(visit, workspace)


async def _member(portal: Annotated[Portal, Depends(_portal)]) -> Portal:
    """Signed in: else to the portal's sign-in, and back to this page after."""
    if portal.visit.me is None:
        request = portal.visit.request
        if request.method == "GET":
            back = back_to(request)
        else:  # a form posted: back to the page it was on (the browser's Referer, a URL)
            came_from = urlsplit(request.headers.get("referer", ""))
            back = came_from.path + (f"?{came_from.query}" if came_from.query else "")
        page = back if back.startswith(portal.base + "/") else portal.base + "/"
        raise SignInRequired(page, sign_in=f"{portal.base}/sign-in")
    return portal


PortalOf = Annotated[Portal, Depends(_portal)]
MemberOf = Annotated[Portal, Depends(_member)]


@router.get("/")
async def board(
    portal: PortalOf,
    sort: Annotated[Sort, Query()] = "trending",
    status: Annotated[Status | Literal[""], Query()] = "",
    kind: Annotated[Kind | Literal[""], Query()] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    cursor: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """Trending first by default; a search ranks by likeness to the text."""
    visit = portal.visit
    params: dict[str, Any] = {
        "sort": sort,
        "status": status or None,
        "kind": kind or None,
        "q": q.strip() or None,
    }
    if cursor and sort == "new" and not params["q"]:
        params["cursor"] = cursor
    page = await visit.clients.portal.board(visit.caller.origin, portal.workspace, **params)
    form = {"sort": sort, "status": status, "kind": kind, "q": q.strip()}
    return portal.page(
        "portal/board.html",
        page=page,
        form=form,
        statuses=STATUSES,
        sorts=("trending", "top", "new"),
    )


async def _idea(portal: Portal, idea_id: str) -> tuple[Idea, Moderated | None]:
    """The public idea; else, for its signed-in author, their own held or rejected one."""
    visit = portal.visit
    try:
        return await visit.clients.portal.idea(visit.caller.origin, portal.workspace, idea_id), None
    except ApiError as exc:
        if exc.status != 404 or not portal.member:
            raise
    idea = await visit.clients.portal.own_idea(visit.caller, portal.workspace, idea_id)
    outcome = await visit.clients.portal.outcome(visit.caller, portal.workspace, idea_id)
    return idea, outcome


@router.get("/ideas/{idea_id}")
async def idea_page(portal: PortalOf, idea_id: IdeaId) -> Response:
    idea, outcome = await _idea(portal, idea_id)
    visit = portal.visit
    thread = None
    if outcome is None:
        thread = await visit.clients.portal.comments(visit.caller.origin, portal.workspace, idea.id)
    return portal.page("portal/idea.html", idea=idea, outcome=outcome, thread=thread)


@router.get("/roadmap")
async def roadmap(portal: PortalOf) -> Response:
    visit = portal.visit
    found = await visit.clients.portal.roadmap(visit.caller.origin, portal.workspace)
    return portal.page("portal/roadmap.html", roadmap=found, columns=ROADMAP)


@router.get("/roadmap.atom")
async def roadmap_feed(portal: PortalOf) -> Response:
    """One entry per idea and status, so a move shows as a new entry in feed readers."""
    visit = portal.visit
    found = await visit.clients.portal.roadmap(visit.caller.origin, portal.workspace)
    site = visit.request.app.state.settings.public_url.rstrip("/") + portal.base
    entries = sorted(
        (
            atom.Entry(
                id=f"{site}/ideas/{item.id}#{status}",
                title=f"{visit.i18n.gettext(label_of(status))}: {item.title}",
                link=f"{site}/ideas/{item.id}",
                updated=item.updated_at,
                summary=visit.i18n.gettext("Votes: %(votes)s") % {"votes": item.votes},
            )
            for status in ROADMAP
            for item in found.columns.get(status, [])
        ),
        key=lambda entry: entry.updated,
        reverse=True,
    )
    xml = atom.feed(
        id=f"{site}/roadmap",
        title=visit.i18n.gettext("Roadmap of %(workspace)s") % {"workspace": portal.workspace},
        link=f"{site}/roadmap",
        self_link=f"{site}/roadmap.atom",
        updated=entries[0].updated if entries else datetime.now(UTC),
        entries=entries,
    )
    return visit.apply(Response(xml, media_type="application/atom+xml; charset=utf-8"))
