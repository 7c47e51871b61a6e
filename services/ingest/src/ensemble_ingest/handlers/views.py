"""Ingest's HTTP API for saved inbox views: each person's own, in the token's workspace."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from ensemble_ingest.models.views import MAX_VIEWS_PER_PERSON, InboxView, ViewCreate
from ensemble_ingest.services.views import ViewService
from ensemble_shared.web.auth import Internal


def _views(request: Request) -> ViewService:
    views: ViewService = request.app.state.ingest.views
    return views


Views = Annotated[ViewService, Depends(_views)]
ViewId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")]

router = APIRouter(tags=["inbox"])


@router.get(
    "/views",
    summary="Your saved inbox views, by name.",
    description="Only the caller's own views (the token's subject) in the token's workspace.",
)
async def list_views(principal: Internal, views: Views) -> list[InboxView]:
    return await views.mine(principal)


@router.post(
    "/views",
    status_code=201,
    summary="Save a set of inbox filters as a view.",
    description=(
        "`filters` are those of `GET /mentions`, validated the same way; `sort` its order. "
        f"At most {MAX_VIEWS_PER_PERSON} views per person; names are unique per person."
    ),
    responses={
        409: {"description": "You already have a view of that name."},
        422: {"description": "A filter no search takes, a name too long, or the cap reached."},
    },
)
async def save_view(body: ViewCreate, principal: Internal, views: Views) -> InboxView:
    return await views.save(principal, body)


@router.delete(
    "/views/{view_id}",
    status_code=204,
    summary="Delete one of your views.",
    responses={404: {"description": "No such view of yours (another person's included)."}},
)
async def delete_view(view_id: ViewId, principal: Internal, views: Views) -> Response:
    await views.delete(principal, view_id)
    return Response(status_code=204)
