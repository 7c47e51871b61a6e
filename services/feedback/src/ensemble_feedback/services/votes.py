"""Votes on the board: a member votes or takes the vote back; a suggestion votes for a member;
member merges recount.

A votable submission is remembered for `VOTABLE_TTL` seconds, so a burst of votes reads it once:
a published submission is not unpublished, and the one change that closes it, a merge, also
closes its vote chain (the ledger then refuses with the same Conflict), so a stale entry never
lets a vote in. A vote's activity is recorded by the ledger, with the rest of its batch.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ensemble_feedback.models.votes import VoteResult
from ensemble_feedback.services.directory import refuse_blocked
from ensemble_feedback.services.ports import Ballot, MemberDirectory
from ensemble_feedback.services.submissions import SubmissionService
from ensemble_feedback.services.vote_ledger import VoteLedger, VoteOp
from ensemble_feedback.storage.votes import VoteRepository
from ensemble_shared.auth import Principal
from ensemble_shared.events import MemberMergedV1, MemberUnmergedV1

VOTABLE_TTL = 1.0  # seconds a published, unmerged submission is taken as still votable
VOTABLE_CACHE = 10_000  # entries before the cache starts over


class VoteService:
    """Also the `Ballot` suggestions vote through (services/ports.py)."""

    def __init__(
        self,
        ledger: VoteLedger,
        submissions: SubmissionService,
        votes: VoteRepository,
        directory: MemberDirectory,
    ) -> None:
        self._ledger = ledger
        self._submissions = submissions
        self._votes = votes
        self._directory = directory
        self._votables: dict[tuple[str, str], float] = {}  # → when it was seen votable

    async def cast(self, principal: Principal, submission_id: str) -> VoteResult:
        workspace, member_id = principal.workspace, principal.subject
        await self._open_for_votes(workspace, submission_id, member_id)
        await refuse_blocked(self._directory, workspace, member_id)
        outcome = await self._ledger.run(workspace, submission_id, VoteOp("vote", (member_id,)))
        return VoteResult(submission_id=submission_id, votes=outcome.votes, voted=outcome.voting)

    async def retract(self, principal: Principal, submission_id: str) -> VoteResult:
        workspace, member_id = principal.workspace, principal.subject
        await self._open_for_votes(workspace, submission_id, member_id)
        outcome = await self._ledger.run(workspace, submission_id, VoteOp("retract", (member_id,)))
        return VoteResult(submission_id=submission_id, votes=outcome.votes, voted=outcome.voting)

    async def vote(self, workspace: str, submission_id: str, member_id: str) -> int:
        """A suggestion confirmed as a vote for an existing submission (or the one it was
        merged into)."""
        submission = await self._submissions.find(workspace, submission_id)
        target = submission.merged_into or submission.id
        outcome = await self._ledger.run(workspace, target, VoteOp("vote", (member_id,)))
        return outcome.votes

    async def members_changed(self, events: Sequence[MemberMergedV1 | MemberUnmergedV1]) -> None:
        """After a member merge or unmerge, recount the submissions either identity voted on
        (idempotent: a recount of a right count writes nothing)."""
        for event in events:
            ids = [event.data.survivor_member_id, event.data.merged_member_id]
            # the merge is in the log before its event is out: read it, not a cached fold
            await self._directory.canonical(event.workspace, ids, fresh=True)
            for submission_id in await self._votes.voted_by(event.workspace, ids):
                await self._ledger.run(event.workspace, submission_id, VoteOp("recount"))

    async def _open_for_votes(self, workspace: str, submission_id: str, member_id: str) -> None:
        key = (workspace, submission_id)
        seen = self._votables.get(key)
        now = time.monotonic()
        if seen is not None and now - seen < VOTABLE_TTL:
            return
        await self._submissions.votable(workspace, submission_id, member_id)
        if len(self._votables) > VOTABLE_CACHE:
            self._votables.clear()
        self._votables[key] = now


if TYPE_CHECKING:  # mypy proves the service is the ballot suggestions code against
    _ballot: type[Ballot] = VoteService
