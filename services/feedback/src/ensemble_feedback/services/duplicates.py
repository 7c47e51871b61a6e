"""Merging a duplicate submission into another (staff): its votes, followers and comments move
to the target without counting a voter twice. Safe to repeat after a failure: each step is."""

from __future__ import annotations

from ensemble_feedback.models.submissions import MergeResult
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_feedback.services.vote_ledger import VoteLedger, VoteOp
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.follows import FollowRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Invalid
from ensemble_shared.events import Source, SubmissionMergedData, SubmissionMergedV1, envelope


class DuplicateService:
    def __init__(
        self,
        submissions: SubmissionService,
        stored: SubmissionRepository,
        ledger: VoteLedger,
        similarity: SimilarityIndex,
        follows: FollowRepository,
        comments: CommentRepository,
    ) -> None:
        self._submissions = submissions
        self._stored = stored
        self._ledger = ledger
        self._similarity = similarity
        self._follows = follows
        self._comments = comments

    async def merge(self, principal: Principal, source_id: str, target_id: str) -> MergeResult:
        """Fold the duplicate `source_id` into `target_id`."""
        workspace = principal.workspace
        if source_id == target_id:
            raise Invalid("target_id: a submission cannot be merged into itself")
        source = await self._submissions.find(workspace, source_id)
        target = await self._submissions.find(workspace, target_id)
        if target.merged_into is not None:
            raise Conflict(f"the target was merged into {target.merged_into}; merge into that")
        if source.merged_into not in (None, target.id):
            raise Conflict(f"already merged into {source.merged_into}")
        closed = await self._ledger.run(workspace, source.id, VoteOp("close", other=target.id))
        carried = await self._ledger.run(
            workspace, target.id, VoteOp("carry", closed.active, other=source.id)
        )
        source_threads = await self._stored.threads(workspace, source.id)
        choices = await self._follows.choices(source_threads)
        moved_followers = await self._follows.add_new(
            workspace, target.id, [m for m, following in choices.items() if following]
        )
        moved_comments = await self._comments.count(source_threads)
        if source.merged_into is None:
            event = SubmissionMergedV1(
                **envelope(Source.FEEDBACK, workspace, source.id),
                data=SubmissionMergedData(
                    source_submission_id=source.id,
                    target_submission_id=target.id,
                    votes=carried.votes,
                    moved_votes=len(carried.entries),
                    moved_followers=moved_followers,
                    moved_comments=moved_comments,
                    by=principal.subject,
                ),
            )
            source = await self._submissions.save(source, {"merged_into": target.id}, [event])
            self._similarity.remove(workspace, source.id)
        source_out, target_out = await self._submissions.out([source, target])
        return MergeResult(
            source=source_out,
            target=target_out,
            moved_votes=len(carried.entries),
            moved_followers=moved_followers,
            moved_comments=moved_comments,
        )
