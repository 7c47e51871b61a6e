"""Comments and replies on a submission, screened by moderation like submissions, and read as
one thread over the submission and those merged into it."""

from __future__ import annotations

from ensemble_feedback.models.submissions import Comment, CommentCreate, CommentPage, Submission
from ensemble_feedback.services.following import FollowService
from ensemble_feedback.services.ports import ActivityLog, Moderator
from ensemble_feedback.services.screening import admit
from ensemble_feedback.services.submissions import (
    SubmissionService,
    record_activity,
    viewer_of,
)
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Invalid
from ensemble_shared.events import (
    Source,
    SubmissionCommentedData,
    SubmissionCommentedV1,
    envelope,
    new_id,
    utcnow,
)
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

EXCERPT = 280  # characters of a comment its announcement carries


class CommentService:
    def __init__(
        self,
        comments: CommentRepository,
        submissions: SubmissionService,
        stored: SubmissionRepository,
        following: FollowService,
        moderator: Moderator,
        activity: ActivityLog,
    ) -> None:
        self._comments = comments
        self._submissions = submissions
        self._stored = stored
        self._following = following
        self._moderator = moderator
        self._activity = activity

    async def comment(
        self, principal: Principal, submission_id: str, body: CommentCreate
    ) -> Comment:
        workspace, member_id = principal.workspace, principal.subject
        submission = await self._submissions.votable(workspace, submission_id, member_id)
        if body.parent_id is not None:
            parent = await self._comments.get(workspace, body.parent_id)
            threads = await self._stored.threads(workspace, submission.id)
            if parent is None or parent.submission_id not in threads:
                raise Invalid("parent_id: no such comment on this submission")
        comment_id = new_id()
        published = await admit(
            self._moderator, workspace, member_id, "comment", comment_id, body.body
        )
        comment = Comment(
            id=comment_id,
            workspace=workspace,
            submission_id=submission.id,
            parent_id=body.parent_id,
            author_member_id=member_id,
            body=body.body,
            published=published,
            created_at=utcnow(),
        )
        if not published:
            await self._comments.insert(comment, [])
            return comment
        await self._comments.insert(comment, [await self.commented(submission, comment)])
        await record_activity(self._activity, workspace, member_id, "comment", comment.id)
        return comment

    async def commented(self, submission: Submission, comment: Comment) -> SubmissionCommentedV1:
        """The announcement of a published comment, to its audience but its author."""
        audience = await self._following.audience(
            submission, "ideas_followed", exclude=[comment.author_member_id]
        )
        return SubmissionCommentedV1(
            **envelope(Source.FEEDBACK, submission.workspace, submission.id),
            data=SubmissionCommentedData(
                submission_id=submission.id,
                comment_id=comment.id,
                parent_id=comment.parent_id,
                author_member_id=comment.author_member_id,
                excerpt=comment.body[:EXCERPT],
                audience=audience,
            ),
        )

    async def thread(
        self, principal: Principal, submission_id: str, *, cursor: str | None, limit: int
    ) -> CommentPage:
        """Oldest first; members see published comments only."""
        viewer = viewer_of(principal)
        submission = await self._submissions.visible(principal.workspace, submission_id, viewer)
        threads = await self._stored.threads(principal.workspace, submission.id)
        found = await self._comments.thread(
            threads, published_only=viewer is not None, after=parse_cursor(cursor), limit=limit
        )
        return CommentPage(
            items=found, next_cursor=next_cursor(found, limit, lambda c: (c.created_at, c.id))
        )
