"""Held content on the board: what moderation releases (published and announced as a normal
publish would be) or discards. One decision per item (storage/decisions.py): a repeat of the
decision already applied changes nothing, the other decision is a Conflict."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ensemble_feedback.models.moderation import HeldKind
from ensemble_feedback.services.comments import CommentService
from ensemble_feedback.services.ports import ActivityLog, HeldContent
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.services.submissions import (
    SubmissionService,
    created_event,
    record_activity,
)
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.decisions import HeldDecisionRepository
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import Event


class HeldContentService:
    def __init__(
        self,
        decisions: HeldDecisionRepository,
        submissions: SubmissionService,
        similarity: SimilarityIndex,
        comments: CommentService,
        stored_comments: CommentRepository,
        activity: ActivityLog,
    ) -> None:
        self._decisions = decisions
        self._submissions = submissions
        self._similarity = similarity
        self._comments = comments
        self._stored_comments = stored_comments
        self._activity = activity

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        await self._decide(workspace, kind, ref, by, publish=True)

    async def discard(self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str) -> None:
        await self._decide(workspace, kind, ref, by, publish=False)

    async def _decide(
        self, workspace: str, kind: HeldKind, ref: str, by: str, *, publish: bool
    ) -> None:
        decision = "release" if publish else "discard"
        if not await self._decisions.take(kind, ref, decision, by):
            taken = await self._decisions.taken(kind, ref)
            if taken != decision:
                raise Conflict(f"already decided: {taken}")
        if kind == "submission":
            await self._decide_submission(workspace, ref, publish=publish)
        else:
            await self._decide_comment(workspace, ref, publish=publish)

    async def _decide_submission(self, workspace: str, ref: str, *, publish: bool) -> None:
        submission = await self._submissions.find(workspace, ref)
        if submission.published or submission.discarded:
            return  # a repeat of a decision already applied
        changes: dict[str, Any] = {"published": True} if publish else {"discarded": True}
        events: list[Event] = (
            [created_event(submission.model_copy(update=changes))] if publish else []
        )
        after = await self._submissions.save(submission, changes, events)
        if publish:
            self._similarity.add(workspace, after.id, after.title, after.body)
            await record_activity(
                self._activity, workspace, after.author_member_id, "submission", after.id
            )

    async def _decide_comment(self, workspace: str, ref: str, *, publish: bool) -> None:
        comment = await self._stored_comments.get(workspace, ref)
        if comment is None:
            raise NotFound(f"no comment {ref}")
        if comment.published or comment.discarded:
            return
        events: list[Event] = []
        if publish:
            submission = await self._submissions.find(workspace, comment.submission_id)
            events = [await self._comments.commented(submission, comment)]
        await self._stored_comments.decide(
            comment, published=publish, discarded=not publish, events=events
        )
        if publish:
            await record_activity(
                self._activity, workspace, comment.author_member_id, "comment", comment.id
            )


if TYPE_CHECKING:  # mypy proves the service is the held content moderation codes against
    _held: type[HeldContent] = HeldContentService
