"""The board's HTTP API (members, staff, the public roadmap) and its member-merge subscriber."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request

from ensemble_feedback.handlers.limits import member_write_limit
from ensemble_feedback.models.submissions import (
    Comment,
    CommentCreate,
    CommentPage,
    Following,
    MergeRequest,
    MergeResult,
    Roadmap,
    StatusChange,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionFilters,
    SubmissionOut,
    SubmissionPage,
    VoteResult,
)
from ensemble_feedback.services.ports import Similar
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_shared.auth import Principal, Role
from ensemble_shared.events import MemberMergedV1, MemberUnmergedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import MEMBERS
from ensemble_shared.web import require_roles
from ensemble_shared.web.auth import Manager, Member


def _board(request: Request) -> Any:
    return request.app.state.submissions


Board = Annotated[SubmissionService, Depends(_board)]
Anyone = Annotated[Principal, Depends(require_roles(Role.MEMBER, Role.MANAGER, Role.APPROVER))]
Limit = Annotated[int, Query(ge=1, le=100, description="Page size (at most 100).")]
RateLimited = [Depends(member_write_limit)]  # every member write counts against the limits


def _viewer(principal: Principal) -> str | None:
    """The member reading, or None for staff (who also see what waits in moderation)."""
    return None if principal.has_any(Role.MANAGER, Role.APPROVER) else principal.subject


router = APIRouter(tags=["submissions"])


@router.post(
    "/submissions",
    dependencies=RateLimited,
    status_code=201,
    summary="Submit an idea, feedback, a proposal.",
)
async def create_submission(
    body: SubmissionCreate, principal: Member, board: Board
) -> SubmissionCreated:
    return await board.create(principal.workspace, principal.subject, body)


@router.get("/submissions", summary="The board, newest first, filtered.")
async def list_submissions(
    principal: Anyone,
    board: Board,
    filters: Annotated[SubmissionFilters, Query()],
    limit: Limit = 50,
) -> SubmissionPage:
    staff = _viewer(principal) is None
    return await board.search(principal.workspace, filters, limit=limit, staff=staff)


@router.get("/submissions/similar", summary="Similar submissions, as the member types.")
async def similar_submissions(
    principal: Anyone,
    board: Board,
    text: Annotated[str, Query(min_length=1, max_length=1000)],
    limit: Annotated[int, Query(ge=1, le=20)] = 5,
) -> list[Similar]:
    return await board.similar(principal.workspace, text, limit=limit)


@router.get("/submissions/{submission_id}", summary="One submission with its vote count.")
async def get_submission(submission_id: str, principal: Anyone, board: Board) -> SubmissionOut:
    return await board.get(principal.workspace, submission_id, viewer=_viewer(principal))


@router.post(
    "/submissions/{submission_id}/vote",
    dependencies=RateLimited,
    summary="Vote (once per member; repeats are no-ops).",
)
async def vote(submission_id: str, principal: Member, board: Board) -> VoteResult:
    return await board.cast(principal.workspace, submission_id, principal.subject)


@router.delete(
    "/submissions/{submission_id}/vote", dependencies=RateLimited, summary="Take the vote back."
)
async def retract_vote(submission_id: str, principal: Member, board: Board) -> VoteResult:
    return await board.retract(principal.workspace, submission_id, principal.subject)


@router.post(
    "/submissions/{submission_id}/follow",
    dependencies=RateLimited,
    summary="Hear about its comments and moves.",
)
async def follow(submission_id: str, principal: Member, board: Board) -> Following:
    return await board.follow(principal.workspace, submission_id, principal.subject, True)


@router.delete(
    "/submissions/{submission_id}/follow",
    dependencies=RateLimited,
    summary="Stop hearing about it.",
)
async def unfollow(submission_id: str, principal: Member, board: Board) -> Following:
    return await board.follow(principal.workspace, submission_id, principal.subject, False)


@router.post(
    "/submissions/{submission_id}/comments",
    dependencies=RateLimited,
    status_code=201,
    summary="Comment, or reply to one.",
)
async def comment(
    submission_id: str, body: CommentCreate, principal: Member, board: Board
) -> Comment:
    return await board.comment(principal.workspace, submission_id, principal.subject, body)


@router.get("/submissions/{submission_id}/comments", summary="The thread, oldest first.")
async def comments(
    submission_id: str,
    principal: Anyone,
    board: Board,
    cursor: Annotated[str | None, Query(max_length=500)] = None,
    limit: Limit = 50,
) -> CommentPage:
    return await board.comments(
        principal.workspace, submission_id, viewer=_viewer(principal), cursor=cursor, limit=limit
    )


@router.post("/submissions/{submission_id}/status", summary="Move it on the roadmap (staff).")
async def change_status(
    submission_id: str, body: StatusChange, principal: Manager, board: Board
) -> SubmissionOut:
    return await board.change_status(
        principal.workspace, submission_id, body.status, body.reason, principal.subject
    )


@router.post("/submissions/{submission_id}/merge", summary="Merge a duplicate into another.")
async def merge(
    submission_id: str, body: MergeRequest, principal: Manager, board: Board
) -> MergeResult:
    return await board.merge(principal.workspace, submission_id, body.target_id, principal.subject)


@router.get(
    "/workspaces/{workspace}/roadmap",
    tags=["roadmap"],
    summary="The public roadmap, grouped by status (no sign-in).",
)
async def roadmap(
    workspace: Annotated[str, Path(min_length=1, max_length=100)], board: Board
) -> Roadmap:
    return await board.roadmap(workspace)


def register(infra: Infrastructure, board: SubmissionService) -> None:
    """Member merges and unmerges change how many distinct members vote: recount."""
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MEMBERS,
        group=f"{infra.topics.prefix}feedback-submissions",
        handler=board.members_changed,
        wants=[MemberMergedV1, MemberUnmergedV1],
        retry=RetryPolicy.from_settings(infra.settings.kafka),
        description="Vote counts are recounted when members are merged or unmerged.",
    )
