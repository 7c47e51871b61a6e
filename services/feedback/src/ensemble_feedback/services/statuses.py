"""Moving a submission along the roadmap (staff), announced to its audience."""

from __future__ import annotations

from ensemble_feedback.models.submissions import StatusChange, SubmissionOut, check_transition
from ensemble_feedback.services.following import FollowService
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict
from ensemble_shared.events import (
    Source,
    SubmissionStatusChangedData,
    SubmissionStatusChangedV1,
    envelope,
)


class StatusService:
    def __init__(self, submissions: SubmissionService, following: FollowService) -> None:
        self._submissions = submissions
        self._following = following

    async def change(
        self, principal: Principal, submission_id: str, change: StatusChange
    ) -> SubmissionOut:
        workspace, status = principal.workspace, change.status
        submission = await self._submissions.find(workspace, submission_id)
        if submission.merged_into is not None:
            raise Conflict(f"merged into {submission.merged_into}: change that one")
        check_transition(submission.status, status, change.reason)
        reason = change.reason if status == "declined" else None
        audience = await self._following.audience(submission, "status_changes")
        event = SubmissionStatusChangedV1(
            **envelope(Source.FEEDBACK, workspace, submission.id),
            data=SubmissionStatusChangedData(
                submission_id=submission.id,
                kind=submission.kind,
                title=submission.title,
                author_member_id=submission.author_member_id,
                previous=submission.status,
                status=status,
                reason=reason,
                by=principal.subject,
                audience=audience,
                origin=submission.origin,
            ),
        )
        after = await self._submissions.save(
            submission,
            {"status": status, "status_reason": reason, "status_changed_at": event.time},
            [event],
        )
        return (await self._submissions.out([after]))[0]
