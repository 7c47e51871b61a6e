"""HTTP routes for content items: drafts, versions, diffs, comments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ensemble_scheduler.handlers.deps import Contents
from ensemble_scheduler.models.content import (
    Comment,
    CommentCreate,
    CommentPage,
    ContentCreate,
    ContentDiff,
    ContentEdit,
    ContentPage,
    ContentVersion,
    ContentView,
)
from ensemble_shared.inputs import INT64_MAX
from ensemble_shared.web.auth import Internal, Manager
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

Version = Annotated[int, Path(ge=1, le=INT64_MAX)]

router = APIRouter(tags=["content"])


@router.post("/content", status_code=201, summary="Draft a post, reply, announcement or answer.")
async def create_content(body: ContentCreate, principal: Manager, content: Contents) -> ContentView:
    return await content.create(principal, body)


@router.get("/content", summary="Content items, newest first.")
async def list_content(
    principal: Internal,
    content: Contents,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
    mention_id: Annotated[
        str | None,
        Query(min_length=1, max_length=200, description="Only the replies to this mention."),
    ] = None,
) -> ContentPage:
    return await content.page(
        principal.workspace, cursor=cursor, limit=limit, mention_id=mention_id
    )


@router.get("/content/{content_id}", summary="An item's latest version and status.")
async def get_content(content_id: str, principal: Internal, content: Contents) -> ContentView:
    return await content.view(principal.workspace, content_id)


@router.patch(
    "/content/{content_id}",
    summary="Edit: a new version. After approval it re-opens only the steps owning changes.",
)
async def edit_content(
    content_id: str, body: ContentEdit, principal: Manager, content: Contents
) -> ContentView:
    return await content.edit(principal, content_id, body)


@router.get("/content/{content_id}/versions", summary="Versions, oldest first.")
async def list_versions(
    content_id: str,
    principal: Internal,
    content: Contents,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    since: Annotated[
        int, Query(ge=1, le=INT64_MAX, description="First version number to list.")
    ] = 1,
) -> list[ContentVersion]:
    return await content.versions(principal.workspace, content_id, since=since, limit=limit)


@router.get("/content/{content_id}/versions/{number}", summary="One version.")
async def get_version(
    content_id: str, number: Version, principal: Internal, content: Contents
) -> ContentVersion:
    return await content.version(principal.workspace, content_id, number)


@router.get(
    "/content/{content_id}/versions/{a}/diff/{b}", summary="What changed from version a to b."
)
async def diff_versions(
    content_id: str, a: Version, b: Version, principal: Internal, content: Contents
) -> ContentDiff:
    return await content.diff(principal.workspace, content_id, a, b)


@router.post(
    "/content/{content_id}/comments",
    status_code=201,
    summary="Comment; @name and @team:name are notified.",
)
async def add_comment(
    content_id: str, body: CommentCreate, principal: Internal, content: Contents
) -> Comment:
    return await content.comment(principal, content_id, body)


@router.get("/content/{content_id}/comments", summary="Comments, oldest first.")
async def list_comments(
    content_id: str,
    principal: Internal,
    content: Contents,
    limit: PageSize = DEFAULT_PAGE_SIZE,
    cursor: PageCursor = None,
) -> CommentPage:
    return await content.comments(principal.workspace, content_id, cursor=cursor, limit=limit)
