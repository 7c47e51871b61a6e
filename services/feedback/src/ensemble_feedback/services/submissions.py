"""The board's submissions: creating them (screened by moderation), reading the board and the
public roadmap, similar ones as a member types, and what every other part of the board needs
of a submission (finding it, its vote count, saving a change with its events).

A submission's vote count is not stored on it: it is the head of its vote chain
(services/vote_ledger.py), read with the submission.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ensemble_feedback.models.activity import Activity, ActivityKind
from ensemble_feedback.models.submissions import (
    STATUSES,
    Roadmap,
    RoadmapItem,
    Similar,
    Submission,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionFilters,
    SubmissionOut,
    SubmissionPage,
)
from ensemble_feedback.services.ports import ActivityLog, Board, Moderator
from ensemble_feedback.services.screening import admit
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.services.vote_ledger import VoteLedger
from ensemble_feedback.storage.follows import FollowRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict, Forbidden, Invalid, NotFound
from ensemble_shared.events import (
    Event,
    SocialOrigin,
    Source,
    SubmissionCreatedV1,
    SubmissionData,
    SubmissionKind,
    SubmissionStatus,
    envelope,
    new_id,
    utcnow,
)
from ensemble_shared.storage.pagination import next_cursor, parse_cursor

log = logging.getLogger(__name__)

ROADMAP_PER_STATUS = 50
KINDS: tuple[SubmissionKind, ...] = ("idea", "feedback", "content_proposal", "question")


def viewer_of(principal: Principal) -> str | None:
    """The member reading, or None for staff, viewers included (who also see what waits in
    moderation)."""
    return None if principal.may_read_as(Role.MANAGER, Role.APPROVER) else principal.subject


def created_event(submission: Submission) -> SubmissionCreatedV1:
    return SubmissionCreatedV1(
        **envelope(Source.FEEDBACK, submission.workspace, submission.id),
        data=SubmissionData(
            submission_id=submission.id,
            kind=submission.kind,
            title=submission.title,
            author_member_id=submission.author_member_id,
            tags=tuple(submission.tags),
            category=submission.category,
            published=submission.published,
            origin=submission.origin,
        ),
    )


async def record_activity(
    activity: ActivityLog, workspace: str, member_id: str, kind: ActivityKind, ref: str
) -> None:
    """Activity is derived data: a failure is logged, the write it follows stands."""
    try:
        await activity.record(
            [Activity(workspace=workspace, member_id=member_id, kind=kind, ref=ref, at=utcnow())]
        )
    except Exception:
        log.exception("activity not recorded: %s %s %s", kind, ref, member_id)


def _kind(kind: str) -> SubmissionKind:
    for known in KINDS:
        if kind == known:
            return known
    raise Invalid(f"kind: {kind!r} is not one of {', '.join(KINDS)}")


class SubmissionService:
    """Also the `Board` suggestions put mentions on (services/ports.py)."""

    def __init__(
        self,
        submissions: SubmissionRepository,
        follows: FollowRepository,
        ledger: VoteLedger,
        similarity: SimilarityIndex,
        moderator: Moderator,
        activity: ActivityLog,
    ) -> None:
        self._submissions = submissions
        self._follows = follows
        self._ledger = ledger
        self._similarity = similarity
        self._moderator = moderator
        self._activity = activity

    # --- reading ---

    async def find(self, workspace: str, submission_id: str) -> Submission:
        submission = await self._submissions.get(workspace, submission_id)
        if submission is None:
            raise NotFound(f"no submission {submission_id}")
        return submission

    async def visible(self, workspace: str, submission_id: str, viewer: str | None) -> Submission:
        """Members see the board, plus what they wrote that waits in moderation."""
        submission = await self.find(workspace, submission_id)
        if viewer is not None and not submission.visible and submission.author_member_id != viewer:
            raise NotFound(f"no submission {submission_id}")
        return submission

    async def votable(self, workspace: str, submission_id: str, member_id: str) -> Submission:
        """The submission if `member_id` may vote or comment on it now: published and not
        merged (NotFound when the member cannot even see it, Conflict otherwise). A stale
        projection cannot mislead this (a merged source's vote chain is closed on its own), so
        it skips the repair probe."""
        submission = await self._submissions.get(workspace, submission_id, roll_forward=False)
        if submission is None or (
            not submission.visible and submission.author_member_id != member_id
        ):
            raise NotFound(f"no submission {submission_id}")
        if not submission.visible:
            raise Conflict("this submission waits for moderation; votes open once published")
        if submission.merged_into is not None:
            raise Conflict(f"this submission was merged into {submission.merged_into}; vote there")
        return submission

    async def out(self, submissions: Sequence[Submission]) -> list[SubmissionOut]:
        """As the API shows them: with their vote counts."""
        counts = await self._ledger.counts([s.id for s in submissions])
        return [SubmissionOut(**s.model_dump(), votes=counts[s.id]) for s in submissions]

    async def get(self, principal: Principal, submission_id: str) -> SubmissionOut:
        submission = await self.visible(principal.workspace, submission_id, viewer_of(principal))
        return (await self.out([submission]))[0]

    async def search(
        self, principal: Principal, filters: SubmissionFilters, *, limit: int
    ) -> SubmissionPage:
        """The board, newest first; staff may ask for what waits in moderation (`held`)."""
        staff = viewer_of(principal) is None
        if not staff and filters.held:
            raise Forbidden("held: only staff see the moderation queue")
        found = await self._submissions.search(
            principal.workspace,
            filters,
            held=filters.held if staff else None,
            after=parse_cursor(filters.cursor),
            limit=limit,
        )
        return SubmissionPage(
            items=await self.out(found),
            next_cursor=next_cursor(found, limit, lambda s: (s.created_at, s.id)),
        )

    async def similar(self, workspace: str, text: str, *, limit: int = 5) -> list[Similar]:
        return await self._similarity.similar(workspace, text, limit=limit)

    async def roadmap(self, workspace: str) -> Roadmap:
        """Published, unmerged submissions by status, most voted first (capped per status)."""
        columns: dict[SubmissionStatus, list[RoadmapItem]] = {}
        for status in STATUSES:
            found = await self._submissions.on_roadmap(workspace, status, limit=ROADMAP_PER_STATUS)
            counts = await self._ledger.counts([s.id for s in found])
            items = [
                RoadmapItem(
                    id=s.id,
                    kind=s.kind,
                    title=s.title,
                    tags=s.tags,
                    category=s.category,
                    votes=counts[s.id],
                    updated_at=s.status_changed_at or s.created_at,
                )
                for s in found
            ]
            columns[status] = sorted(items, key=lambda i: -i.votes)
        return Roadmap(workspace=workspace, columns=columns)

    # --- creating ---

    async def create(self, principal: Principal, body: SubmissionCreate) -> SubmissionCreated:
        workspace, member_id = principal.workspace, principal.subject
        text = f"{body.title}\n{body.body}"
        submission_id = new_id()
        published = await admit(
            self._moderator, workspace, member_id, "submission", submission_id, text
        )
        similar = await self._similarity.similar(workspace, text)
        submission = Submission(
            id=submission_id,
            workspace=workspace,
            kind=body.kind,
            title=body.title,
            body=body.body,
            tags=body.tags,
            category=body.category,
            attachments=body.attachments,
            author_member_id=member_id,
            published=published,
            created_at=utcnow(),
        )
        await self._store_new(submission)
        return SubmissionCreated(submission=(await self.out([submission]))[0], similar=similar)

    async def create_suggested(
        self,
        workspace: str,
        *,
        submission_id: str,
        member_id: str,
        kind: str,
        title: str,
        body: str,
        origin: SocialOrigin,
        by: str,
    ) -> str:
        """A manager confirmed it: published at once, idempotent on `submission_id`."""
        existing = await self._submissions.get(workspace, submission_id)
        if existing is not None:
            return existing.id
        submission = Submission(
            id=submission_id,
            workspace=workspace,
            kind=_kind(kind),
            title=title[:300],
            body=body[:10_000],
            author_member_id=member_id,
            origin=origin,
            created_at=utcnow(),
        )
        await self._store_new(submission)
        return submission_id

    async def _store_new(self, submission: Submission) -> None:
        """Insert it with its event; its author follows it; it counts as their activity."""
        if not await self._submissions.insert(submission, [created_event(submission)]):
            return
        workspace = submission.workspace
        await self._follows.add_new(workspace, submission.id, [submission.author_member_id])
        if submission.visible:
            self._similarity.add(workspace, submission.id, submission.title, submission.body)
        await record_activity(
            self._activity, workspace, submission.author_member_id, "submission", submission.id
        )

    # --- changing ---

    async def save(
        self, before: Submission, changes: dict[str, Any], events: Sequence[Event]
    ) -> Submission:
        """Store a change (version + 1) with its events; Conflict on a lost race."""
        after = before.model_copy(update={**changes, "version": before.version + 1})
        if not await self._submissions.save(before, after, list(events)):
            raise Conflict("the submission changed meanwhile; reload it and try again")
        return after


if TYPE_CHECKING:  # mypy proves the service is the board suggestions code against
    _board: type[Board] = SubmissionService
