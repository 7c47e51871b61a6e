"""The Community screen's embeds page: the code a brand copies to show its board's top ideas,
its roadmap, or one idea with its vote button, on its own site, with a preview. Only staff see
it; the embeds themselves are public (routes/portal_embed.py). Choosing what to embed is a GET
form: it only shapes the code shown."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from ensemble_console.clients import ApiError
from ensemble_console.models.portal import Idea
from ensemble_console.web.deps import InWorkspace, Staff
from ensemble_console.web.embed_snippet import HEIGHTS, embed_url, snippet

router = APIRouter(prefix="/w/{workspace}/community/embeds")

IdeaChoice = Annotated[str, Query(max_length=100, pattern=r"^([\w:@-][\w:.@-]*)?$")]
CHOICES = 20
"""The ideas offered to embed: the board's top ones (any other by its portal page's link)."""


async def _published(staff: InWorkspace, idea_id: str) -> Idea | None:
    """The idea as the public board has it; None when it is not there (held, rejected)."""
    visit = staff.visit
    try:
        return await visit.clients.portal.idea(visit.caller.origin, staff.workspace, idea_id)
    except ApiError as exc:
        if exc.status != 404:
            raise
        return None


@router.get("")
async def embeds(
    staff: Staff,
    lang: Annotated[Literal["", "en", "fr"], Query()] = "",
    sort: Annotated[Literal["top", "trending", "new"], Query()] = "top",
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
    idea: IdeaChoice = "",
) -> Response:
    visit, workspace = staff.visit, staff.workspace
    site = visit.request.app.state.settings.public_url
    title = visit.i18n.gettext("Ideas of the %(workspace)s community") % {"workspace": workspace}
    board_src = embed_url(site, workspace, "board", sort=sort, limit=limit, lang=lang)
    chosen = await _published(staff, idea) if idea else None
    top = await visit.clients.portal.board(
        visit.caller.origin, workspace, limit=CHOICES, sort="top"
    )
    idea_src = embed_url(site, workspace, f"ideas/{chosen.id}", lang=lang) if chosen else ""
    roadmap_src = embed_url(site, workspace, "roadmap", limit=limit, lang=lang)
    roadmap_title = visit.i18n.gettext("The %(workspace)s roadmap, from the community's ideas")
    return visit.page(
        "community/embeds.html",
        place=staff.place,
        form={"lang": lang, "sort": sort, "limit": limit, "idea": idea},
        board_src=board_src,
        board_code=snippet(site, workspace, board_src, title, HEIGHTS["board"]),
        roadmap_src=roadmap_src,
        roadmap_code=snippet(
            site,
            workspace,
            roadmap_src,
            roadmap_title % {"workspace": workspace},
            HEIGHTS["roadmap"],
        ),
        ideas=top.items[:CHOICES],
        idea=chosen,
        missing=bool(idea) and chosen is None,
        idea_src=idea_src,
        idea_code=snippet(site, workspace, idea_src, chosen.title, HEIGHTS["idea"])
        if chosen
        else "",
    )
