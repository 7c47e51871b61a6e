"""The portal's embeds: the board's top ideas, the roadmap, or one idea with its vote button,
in an iframe on the brand's own site (`/c/{workspace}/embed/…`), and the script that fits the
iframe's height to its content (`/c/{workspace}/embed.js`).

Any site may frame them (web/headers.py), so they show only what the public board shows: a
held, rejected or unknown idea is a 404, even for its author. They never read the session
cookie and never set one: a third-party iframe usually gets no cookie (SameSite), and a page
any site can frame must not act for whoever is signed in (clickjacking). So the vote button
is a link opening the idea's portal page in a new tab, where the member signs in and votes
through the portal's own forms. The language is `?lang=` (en, fr), else the browser's.
"""

from __future__ import annotations

from pathlib import Path as FilePath
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from ensemble_console.clients import ApiError, Caller
from ensemble_console.routes.portal import ROADMAP, IdeaId, Portal, WorkspaceId
from ensemble_console.web import i18n
from ensemble_console.web.visit import Visit, origin_of

router = APIRouter(prefix="/c/{workspace}")

SCRIPT = (FilePath(__file__).resolve().parents[1] / "static" / "embed-host.js").read_text()
SCRIPT_CACHE = "public, max-age=3600"
BODY_SHOWN = 280
"""An idea's text in an embed stops here: the portal page has the rest."""


async def _embed(
    request: Request, workspace: WorkspaceId, lang: Annotated[str, Query(max_length=8)] = ""
) -> Portal:
    """Anonymous whatever the cookies say (no session read), in the asked language."""
    language = i18n.choose(lang or None, i18n.negotiate(request.headers.get("accept-language")))
    visit = Visit(
        request=request,
        i18n=i18n.Translator(language),
        caller=Caller(origin_of(request), None),
        me=None,
        csrf="",  # no form: nothing to post
        cookies=request.app.state.cookies,
    )
    request.state.visit = visit  # error pages reuse it: still anonymous, still no cookie
    return Portal(visit, workspace)


EmbedOf = Annotated[Portal, Depends(_embed)]


@router.get("/embed/board")
async def embedded_board(
    portal: EmbedOf,
    sort: Annotated[Literal["top", "trending", "new"], Query()] = "top",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> Response:
    """The top ideas by default (a brand shows what its community wants most)."""
    visit = portal.visit
    page = await visit.clients.portal.board(
        visit.caller.origin, portal.workspace, limit=limit, sort=sort
    )
    return portal.page("portal/embed_board.html", ideas=page.items[:limit], sort=sort)


@router.get("/embed/roadmap")
async def embedded_roadmap(
    portal: EmbedOf, limit: Annotated[int, Query(ge=1, le=20)] = 5
) -> Response:
    """Planned, in progress and done: what the brand builds from its community's ideas, the
    most voted of each column first."""
    visit = portal.visit
    found = await visit.clients.portal.roadmap(visit.caller.origin, portal.workspace)
    columns = {
        status: sorted(found.columns.get(status, []), key=lambda item: -item.votes)[:limit]
        for status in ROADMAP
    }
    return portal.page("portal/embed_roadmap.html", columns=columns)


@router.get("/embed/ideas/{idea_id}")
async def embedded_idea(portal: EmbedOf, idea_id: IdeaId) -> Response:
    visit = portal.visit
    try:
        idea = await visit.clients.portal.idea(visit.caller.origin, portal.workspace, idea_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return portal.page("portal/embed_missing.html", status=404)
    body = idea.body if len(idea.body) <= BODY_SHOWN else idea.body[:BODY_SHOWN].rstrip() + "…"
    return portal.page("portal/embed_idea.html", idea=idea, body=body)


@router.get("/embed.js")
async def embed_script(workspace: WorkspaceId) -> Response:
    """The host page's side of the resizing: the same for every workspace, cached."""
    headers = {"cache-control": SCRIPT_CACHE}
    return Response(SCRIPT, media_type="text/javascript; charset=utf-8", headers=headers)
