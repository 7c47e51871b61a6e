"""The vote ledger: exact vote counts on each submission's insert-only chain (see `Tally`).

Each process serializes a submission's vote changes in a lane and commits whatever queued
meanwhile in one insert (group commit); another replica's entry taking the same seq makes this
one catch up and re-plan. The count a reader sees is the chain head's, so reading it is one
`_id` probe once the chain is loaded; member merges append a `recount` entry. A batch's vote
activities are recorded with one insert, after the batch is written.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from ensemble_feedback.models.activity import Activity
from ensemble_feedback.models.votes import Tally, VoteEntry
from ensemble_feedback.services.ports import ActivityLog, MemberDirectory
from ensemble_feedback.storage.votes import VoteRepository
from ensemble_shared.errors import Conflict
from ensemble_shared.events import (
    Event,
    Source,
    SubmissionVotedData,
    SubmissionVotedV1,
    envelope,
    utcnow,
)

log = logging.getLogger(__name__)

MAX_BATCH = 200
MAX_ATTEMPTS = 20


@dataclass(frozen=True)
class VoteOp:
    action: Literal["vote", "retract", "recount", "close", "carry"]
    members: tuple[str, ...] = ()  # vote/retract: the one acting; carry: the voters carried
    other: str | None = None  # close: merged into; carry: merged from


@dataclass(frozen=True)
class VoteOutcome:
    votes: int
    voting: bool  # the acting member votes after this (vote/retract)
    entries: tuple[VoteEntry, ...]
    active: tuple[str, ...]  # identities voting after this op


@dataclass
class _Pending:
    op: VoteOp
    future: asyncio.Future[VoteOutcome]


_Span = tuple[_Pending, int, int, VoteOutcome | Exception]
"""An op of a batch, the range [start, end) of the staged entries it wrote, and its answer."""


@dataclass
class _Lane:
    queue: list[_Pending] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


class VoteLedger:
    """Exact vote counts on an insert-only chain; one lane per submission in this process."""

    def __init__(
        self, votes: VoteRepository, directory: MemberDirectory, activity: ActivityLog
    ) -> None:
        self._votes = votes
        self._directory = directory
        self._activity = activity
        self._tallies: dict[str, Tally] = {}
        self._lanes: dict[str, _Lane] = {}
        self._answering: set[asyncio.Task[None]] = set()  # batches recording their activity

    async def _load(self, submission_ids: Sequence[str]) -> None:
        cold = [s for s in submission_ids if s not in self._tallies]
        if cold:
            chains = await self._votes.chains(cold)
            for submission_id, entries in chains.items():
                # loaded meanwhile by another read: brought to this whole chain all the same
                tally = self._tallies.setdefault(submission_id, Tally(submission_id))
                for entry in entries:
                    tally.apply(entry)

    async def _catch_up(self, submission_id: str) -> Tally:
        await self._load([submission_id])
        tally = self._tallies[submission_id]
        while (entry := await self._votes.entry(submission_id, tally.seq + 1)) is not None:
            tally.apply(entry)
        return tally

    async def tallies(self, submission_ids: Sequence[str]) -> dict[str, Tally]:
        """Current tallies: chains not loaded yet are read whole (they are current then), the
        others catch up together, each one query (a board page's 50 ideas too)."""
        cold = [s for s in submission_ids if s not in self._tallies]
        warm = [s for s in submission_ids if s in self._tallies]
        await asyncio.gather(self._load(cold), self._catch_up_all(warm))
        return {s: self._tallies[s] for s in submission_ids}

    async def _catch_up_all(self, submission_ids: Sequence[str]) -> None:
        """One query for the next entry of every chain; only chains another replica (or a
        writer of this process meanwhile) moved are asked again."""
        behind = list(submission_ids)
        while behind:
            found = await self._votes.next_entries({s: self._tallies[s].seq for s in behind})
            for entry in found:
                self._tallies[entry.submission_id].apply(entry)
            behind = list(dict.fromkeys(e.submission_id for e in found))

    async def counts(self, submission_ids: Sequence[str]) -> dict[str, int]:
        return {
            s: t.count for s, t in (await self.tallies(list(dict.fromkeys(submission_ids)))).items()
        }

    async def run(self, workspace: str, submission_id: str, op: VoteOp) -> VoteOutcome:
        """Queue `op` on the submission's lane; the lane commits queued ops together."""
        lane = self._lanes.setdefault(submission_id, _Lane())
        future: asyncio.Future[VoteOutcome] = asyncio.get_running_loop().create_future()
        lane.queue.append(_Pending(op, future))
        if lane.task is None or lane.task.done():
            lane.task = asyncio.create_task(self._drain(workspace, submission_id, lane))
        return await asyncio.shield(future)

    async def _drain(self, workspace: str, submission_id: str, lane: _Lane) -> None:
        while lane.queue:
            batch, lane.queue = lane.queue[:MAX_BATCH], lane.queue[MAX_BATCH:]
            try:
                await self._commit(workspace, submission_id, batch)
            except Exception as exc:  # every waiter hears of it; the lane goes on
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
        if self._lanes.get(submission_id) is lane:
            del self._lanes[submission_id]

    async def _commit(self, workspace: str, submission_id: str, batch: list[_Pending]) -> None:
        """Plans first on the tally this process holds, without probing for the next seq (a
        probe for a missing `_id` scans the chain on FerretDB): the insert is the check, as
        another replica's entry at that seq refuses it. Decisions that write nothing (a repeated
        vote) stand only once a written entry, or a probe, showed the tally was the head."""
        waiting = list(batch)
        probed = False
        for _ in range(MAX_ATTEMPTS):
            if probed or submission_id not in self._tallies:
                tally = await self._catch_up(submission_id)
                probed = True
            else:
                tally = self._tallies[submission_id]
            acting = {m for p in waiting for m in p.op.members}
            canon = await self._directory.canonical(workspace, {*tally.active, *acting})
            plan = tally.copy()
            now = utcnow()
            spans: list[_Span] = []
            staged: list[tuple[VoteEntry, Sequence[Event]]] = []
            for pending in waiting:
                start = len(staged)
                try:
                    entries = self._plan(plan, pending.op, canon, now)
                except Exception as exc:  # Conflict on a closed chain: this op only
                    spans.append((pending, start, start, exc))
                    continue
                staged.extend(
                    (e, self._events(workspace, pending.op, entries, e, canon)) for e in entries
                )
                member = pending.op.members[0] if pending.op.members else ""
                outcome = VoteOutcome(
                    votes=plan.count,
                    voting=bool(member) and plan.votes_as(canon.get(member, member), canon),
                    entries=tuple(entries),
                    active=tuple(plan.active),
                )
                spans.append((pending, start, len(staged), outcome))
            written = await self._votes.append(staged, workspace) if staged else 0
            for entry, _ in staged[:written]:
                tally.apply(entry)
            failed_at = (
                next(
                    (
                        i
                        for i, (_, start, end, _) in enumerate(spans)
                        if end > written or start > written
                    ),
                    len(spans),
                )
                if probed or written
                else 0
            )
            # Answered once their activity is recorded, while the lane goes on with its next batch.
            answering = asyncio.create_task(
                self._answer(workspace, submission_id, spans[:failed_at], now)
            )
            self._answering.add(answering)
            answering.add_done_callback(self._answering.discard)
            waiting = [p for p, _, _, _ in spans[failed_at:]]
            if not waiting:
                return
            # Another replica took a seq, or nothing proved the tally: catch up, plan again.
            probed = True
        raise Conflict("too many concurrent votes on this submission; try again")

    async def _answer(
        self,
        workspace: str,
        submission_id: str,
        done: Sequence[_Span],
        at: datetime,
    ) -> None:
        """The batch's new votes as member activity, one insert, then its answers. Activity is
        derived data: a failure is logged, the votes stand."""
        try:
            await self._record_votes(workspace, submission_id, done, at)
        finally:
            for pending, _, _, result in done:
                if pending.future.done():
                    continue
                if isinstance(result, Exception):
                    pending.future.set_exception(result)
                else:
                    pending.future.set_result(result)

    async def _record_votes(
        self,
        workspace: str,
        submission_id: str,
        done: Sequence[_Span],
        at: datetime,
    ) -> None:
        activities = [
            Activity(
                workspace=workspace,
                member_id=pending.op.members[0],
                kind="vote",
                ref=submission_id,
                at=at,
            )
            for pending, _, _, result in done
            if pending.op.action == "vote" and isinstance(result, VoteOutcome) and result.entries
        ]
        if not activities:
            return
        try:
            await self._activity.record(activities)
        except Exception:
            log.exception("vote activities not recorded on %s", submission_id)

    @staticmethod
    def _plan(plan: Tally, op: VoteOp, canon: dict[str, str], now: datetime) -> list[VoteEntry]:
        if op.action == "vote":
            return plan.plan_vote(op.members[0], canon, now)
        if op.action == "retract":
            return plan.plan_retract(op.members[0], canon, now)
        if op.action == "recount":
            return plan.plan_recount(canon, now)
        if op.action == "close":
            assert op.other is not None
            return plan.plan_close(op.other, canon, now)
        entries: list[VoteEntry] = []
        for voter in op.members:
            entries += plan.plan_vote(voter, canon, now, carried_from=op.other)
        return entries

    @staticmethod
    def _events(
        workspace: str,
        op: VoteOp,
        entries: list[VoteEntry],
        entry: VoteEntry,
        canon: dict[str, str],
    ) -> list[Event]:
        """A voted/retracted event on the last entry of a member's vote or retraction."""
        if op.action not in ("vote", "retract") or entry is not entries[-1]:
            return []
        member = op.members[0]
        return [
            SubmissionVotedV1(
                **envelope(Source.FEEDBACK, workspace, entry.submission_id),
                data=SubmissionVotedData(
                    submission_id=entry.submission_id,
                    member_id=canon.get(member, member),
                    action="voted" if op.action == "vote" else "retracted",
                    votes=entry.count,
                ),
            )
        ]
