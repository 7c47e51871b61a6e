"""The public board's HTTP API: one workspace's published submissions and comments, read
without a sign-in (the community portal's board and idea pages)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ensemble_feedback.handlers.dependencies import TheBoard
from ensemble_feedback.models.public_board import (
    PublicBoardPage,
    PublicBoardQuery,
    PublicSubmission,
    PublicThread,
)
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(prefix="/workspaces/{workspace}/board", tags=["public board"])

Workspace = Annotated[str, Path(min_length=1, max_length=100)]


@router.get(
    "", summary="The public board: published submissions, new, top or trending (no sign-in)."
)
async def public_board(
    workspace: Workspace,
    board: TheBoard,
    query: Annotated[PublicBoardQuery, Query()],
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> PublicBoardPage:
    return await board.public.page(workspace, query, limit=limit)


@router.get("/{submission_id}", summary="One published submission with its votes (no sign-in).")
async def public_submission(
    workspace: Workspace, submission_id: str, board: TheBoard
) -> PublicSubmission:
    return await board.public.submission(workspace, submission_id)


@router.get(
    "/{submission_id}/comments", summary="Its published comments, oldest first (no sign-in)."
)
async def public_comments(
    workspace: Workspace,
    submission_id: str,
    board: TheBoard,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> PublicThread:
    return await board.public.thread(workspace, submission_id, cursor=cursor, limit=limit)
