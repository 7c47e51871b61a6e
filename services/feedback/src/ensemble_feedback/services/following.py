"""Who hears about a submission: its author and voters implicitly, followers explicitly (over
the submission and those merged into it), each merged member once and only with consent.

An announcement (a comment, a status change) names its audience, so notify tells exactly them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ensemble_feedback.models.submissions import Following, Submission
from ensemble_feedback.services.ports import MemberDirectory
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_feedback.services.vote_ledger import VoteLedger
from ensemble_feedback.storage.follows import FollowRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_shared.auth import Principal


def build_audience(
    *,
    author: str | None,
    voters: Iterable[str],
    choices: dict[str, bool],
    canon: dict[str, str],
    exclude: Iterable[str] = (),
) -> list[str]:
    """Merged members to tell: the author and voters follow implicitly, explicit followers
    too; an identity that unfollowed is left out; each merged member once, sorted."""
    implicit = [author] if author else []
    wanted = {m for m in [*implicit, *voters] if choices.get(m, True)}
    wanted |= {m for m, following in choices.items() if following}
    skip = {canon.get(m, m) for m in exclude}
    return sorted({canon.get(m, m) for m in wanted} - skip)


class FollowService:
    def __init__(
        self,
        submissions: SubmissionService,
        stored: SubmissionRepository,
        follows: FollowRepository,
        ledger: VoteLedger,
        directory: MemberDirectory,
    ) -> None:
        self._submissions = submissions
        self._stored = stored
        self._follows = follows
        self._ledger = ledger
        self._directory = directory

    async def follow(self, principal: Principal, submission_id: str, following: bool) -> Following:
        """Follow or unfollow as the calling member (their last choice wins)."""
        workspace, member_id = principal.workspace, principal.subject
        await self._submissions.visible(workspace, submission_id, member_id)
        await self._follows.set(workspace, submission_id, member_id, following)
        return Following(submission_id=submission_id, following=following)

    async def audience(
        self, submission: Submission, topic: str, *, exclude: Iterable[str] = ()
    ) -> tuple[str, ...]:
        """The consenting members to tell about `submission` on `topic`."""
        threads = await self._stored.threads(submission.workspace, submission.id)
        tally = (await self._ledger.tallies([submission.id]))[submission.id]
        choices = await self._follows.choices(threads)
        everyone = {submission.author_member_id, *tally.active, *choices, *exclude}
        canon = await self._directory.canonical(submission.workspace, everyone)
        wanted = build_audience(
            author=submission.author_member_id,
            voters=tally.active,
            choices=choices,
            canon=canon,
            exclude=exclude,
        )
        consenting = await self._directory.consenting(submission.workspace, wanted, topic)
        return tuple(m for m in wanted if m in consenting)
