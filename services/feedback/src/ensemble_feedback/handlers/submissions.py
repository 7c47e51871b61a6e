"""The board's HTTP API: members submit, vote, follow and comment; staff move and merge
submissions; the public roadmap."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from ensemble_feedback.handlers.dependencies import Anyone, TheBoard
from ensemble_feedback.handlers.limits import MEMBER_WRITE
from ensemble_feedback.models.submissions import (
    Comment,
    CommentCreate,
    CommentPage,
    Following,
    MergeRequest,
    MergeResult,
    Roadmap,
    Similar,
    StatusChange,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionFilters,
    SubmissionOut,
    SubmissionPage,
)
from ensemble_feedback.models.votes import VoteResult
from ensemble_shared.web.auth import Manager, Member
from ensemble_shared.web.pagination import DEFAULT_PAGE_SIZE, PageCursor, PageSize

router = APIRouter(tags=["submissions"])


@router.post(
    "/submissions",
    dependencies=MEMBER_WRITE,
    status_code=201,
    summary="Submit an idea, feedback, a proposal.",
)
async def create_submission(
    body: SubmissionCreate, principal: Member, board: TheBoard
) -> SubmissionCreated:
    return await board.submissions.create(principal, body)


@router.get("/submissions", summary="The board, newest first, filtered.")
async def list_submissions(
    principal: Anyone,
    board: TheBoard,
    filters: Annotated[SubmissionFilters, Query()],
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> SubmissionPage:
    return await board.submissions.search(principal, filters, limit=limit)


@router.get("/submissions/similar", summary="Similar submissions, as the member types.")
async def similar_submissions(
    principal: Anyone,
    board: TheBoard,
    text: Annotated[str, Query(min_length=1, max_length=1000)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[Similar]:
    return await board.submissions.similar(principal.workspace, text, limit=limit)


@router.get("/submissions/{submission_id}", summary="One submission with its vote count.")
async def get_submission(submission_id: str, principal: Anyone, board: TheBoard) -> SubmissionOut:
    return await board.submissions.get(principal, submission_id)


@router.post(
    "/submissions/{submission_id}/vote",
    dependencies=MEMBER_WRITE,
    summary="Vote (once per member; repeats are no-ops).",
)
async def vote(submission_id: str, principal: Member, board: TheBoard) -> VoteResult:
    return await board.votes.cast(principal, submission_id)


@router.delete(
    "/submissions/{submission_id}/vote", dependencies=MEMBER_WRITE, summary="Take the vote back."
)
async def retract_vote(submission_id: str, principal: Member, board: TheBoard) -> VoteResult:
    return await board.votes.retract(principal, submission_id)


@router.post(
    "/submissions/{submission_id}/follow",
    dependencies=MEMBER_WRITE,
    summary="Hear about its comments and moves.",
)
async def follow(submission_id: str, principal: Member, board: TheBoard) -> Following:
    return await board.following.follow(principal, submission_id, True)


@router.delete(
    "/submissions/{submission_id}/follow",
    dependencies=MEMBER_WRITE,
    summary="Stop hearing about it.",
)
async def unfollow(submission_id: str, principal: Member, board: TheBoard) -> Following:
    return await board.following.follow(principal, submission_id, False)


@router.post(
    "/submissions/{submission_id}/comments",
    dependencies=MEMBER_WRITE,
    status_code=201,
    summary="Comment, or reply to one.",
)
async def comment(
    submission_id: str, body: CommentCreate, principal: Member, board: TheBoard
) -> Comment:
    return await board.comments.comment(principal, submission_id, body)


@router.get("/submissions/{submission_id}/comments", summary="The thread, oldest first.")
async def comments(
    submission_id: str,
    principal: Anyone,
    board: TheBoard,
    cursor: PageCursor = None,
    limit: PageSize = DEFAULT_PAGE_SIZE,
) -> CommentPage:
    return await board.comments.thread(principal, submission_id, cursor=cursor, limit=limit)


@router.post("/submissions/{submission_id}/status", summary="Move it on the roadmap (staff).")
async def change_status(
    submission_id: str, body: StatusChange, principal: Manager, board: TheBoard
) -> SubmissionOut:
    return await board.statuses.change(principal, submission_id, body)


@router.post("/submissions/{submission_id}/merge", summary="Merge a duplicate into another.")
async def merge(
    submission_id: str, body: MergeRequest, principal: Manager, board: TheBoard
) -> MergeResult:
    return await board.duplicates.merge(principal, submission_id, body.target_id)


@router.get(
    "/workspaces/{workspace}/roadmap",
    tags=["roadmap"],
    summary="The public roadmap, grouped by status (no sign-in).",
)
async def roadmap(
    workspace: Annotated[str, Path(min_length=1, max_length=100)], board: TheBoard
) -> Roadmap:
    return await board.submissions.roadmap(workspace)
