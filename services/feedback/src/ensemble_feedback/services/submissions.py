"""The board: submissions, votes, comments, follows, statuses, merges of duplicates.

Votes are a chain per submission (see `Tally`): each process serializes a submission's vote
changes in a lane and commits whatever queued meanwhile in one insert (group commit); another
replica's entry taking the same seq makes this one catch up and re-plan. The count a reader sees
is the chain head's, so reading it is one `_id` probe; member merges append a `recount` entry.
A batch's vote activities are recorded with one insert, and a votable submission is remembered
for `VOTABLE_TTL` seconds (a merge closes the chain itself, so a stale entry never lets a vote in).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ensemble_feedback.models.submissions import (
    STATUSES,
    Comment,
    CommentCreate,
    CommentPage,
    Following,
    MergeResult,
    Roadmap,
    RoadmapItem,
    Submission,
    SubmissionCreate,
    SubmissionCreated,
    SubmissionFilters,
    SubmissionOut,
    SubmissionPage,
    Tally,
    VoteEntry,
    VoteResult,
    check_transition,
)
from ensemble_feedback.services.ports import (
    Activity,
    ActivityKind,
    ActivityLog,
    HeldItem,
    HeldKind,
    MemberDirectory,
    Moderator,
    Similar,
    TrustLevel,
    Verdict,
)
from ensemble_feedback.services.similarity import SimilarityIndex
from ensemble_feedback.storage.submissions import (
    CommentRepository,
    Decisions,
    FollowRepository,
    SubmissionRepository,
    VoteRepository,
)
from ensemble_shared.errors import Conflict, Forbidden, Invalid, NotFound
from ensemble_shared.events import (
    Event,
    MemberMergedV1,
    MemberUnmergedV1,
    SocialOrigin,
    SubmissionCommentedData,
    SubmissionCommentedV1,
    SubmissionCreatedV1,
    SubmissionData,
    SubmissionKind,
    SubmissionMergedData,
    SubmissionMergedV1,
    SubmissionStatus,
    SubmissionStatusChangedData,
    SubmissionStatusChangedV1,
    SubmissionVotedData,
    SubmissionVotedV1,
    new_id,
    utcnow,
)
from ensemble_shared.logs import correlation_id
from ensemble_shared.storage.pagination import encode_cursor

log = logging.getLogger(__name__)

SOURCE = "ensemble/feedback"
MAX_BATCH = 200
MAX_ATTEMPTS = 20
ROADMAP_PER_STATUS = 50
VOTABLE_TTL = 1.0  # seconds a published, unmerged submission is taken as still votable


def _envelope(workspace: str, subject: str) -> dict[str, Any]:
    return {
        "source": SOURCE,
        "subject": subject,
        "workspace": workspace,
        "correlation_id": correlation_id.get() or new_id(),
    }


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


# --- votes --------------------------------------------------------------------------------


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


@dataclass
class _Lane:
    queue: list[_Pending] = field(default_factory=list)
    task: asyncio.Task[None] | None = None


class VoteLedger:
    """Exact vote counts on an insert-only chain; one lane per submission in this process."""

    def __init__(self, votes: VoteRepository, ports: Ports) -> None:
        self._votes = votes
        self._ports = ports
        self._tallies: dict[str, Tally] = {}
        self._lanes: dict[str, _Lane] = {}
        self._answering: set[asyncio.Task[None]] = set()  # batches recording their activity

    async def _load(self, submission_ids: Sequence[str]) -> None:
        cold = [s for s in submission_ids if s not in self._tallies]
        if cold:
            chains = await self._votes.chains(cold)
            for submission_id, entries in chains.items():
                tally = Tally(submission_id)
                for entry in entries:
                    tally.apply(entry)
                self._tallies.setdefault(submission_id, tally)

    async def _catch_up(self, submission_id: str) -> Tally:
        await self._load([submission_id])
        tally = self._tallies[submission_id]
        while (entry := await self._votes.entry(submission_id, tally.seq + 1)) is not None:
            tally.apply(entry)
        return tally

    async def tallies(self, submission_ids: Sequence[str]) -> dict[str, Tally]:
        """Current tallies (one `_id` probe each once loaded)."""
        await self._load(submission_ids)
        caught = await asyncio.gather(*(self._catch_up(s) for s in submission_ids))
        return dict(zip(submission_ids, caught, strict=True))

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
            canon = await self._ports.directory.canonical(workspace, {*tally.active, *acting})
            plan = tally.copy()
            now = utcnow()
            spans: list[tuple[_Pending, int, int, VoteOutcome | Exception]] = []
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
        done: Sequence[tuple[_Pending, int, int, VoteOutcome | Exception]],
        at: Any,
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
        done: Sequence[tuple[_Pending, int, int, VoteOutcome | Exception]],
        at: Any,
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
            await self._ports.activity.record(activities)
        except Exception:
            log.exception("vote activities not recorded on %s", submission_id)

    @staticmethod
    def _plan(plan: Tally, op: VoteOp, canon: dict[str, str], now: Any) -> list[VoteEntry]:
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
                **_envelope(workspace, entry.submission_id),
                data=SubmissionVotedData(
                    submission_id=entry.submission_id,
                    member_id=canon.get(member, member),
                    action="voted" if op.action == "vote" else "retracted",
                    votes=entry.count,
                ),
            )
        ]


# --- the board ----------------------------------------------------------------------------


@dataclass
class Ports:
    """What the board needs from the other areas of feedback (services/ports.py)."""

    directory: MemberDirectory
    activity: ActivityLog
    moderator: Moderator


@dataclass
class Repositories:
    submissions: SubmissionRepository
    votes: VoteRepository
    comments: CommentRepository
    follows: FollowRepository
    decisions: Decisions


class SubmissionService:
    """Implements the board for members and staff, `Board` for suggestions and `HeldContent`
    for moderation."""

    def __init__(self, repositories: Repositories, ports: Ports) -> None:
        self._repo = repositories
        self.ports = ports
        self.ledger = VoteLedger(repositories.votes, ports)
        self._similar = SimilarityIndex(self._load_corpus)
        self._votables: dict[tuple[str, str], float] = {}  # → when it was seen votable

    async def _load_corpus(self, workspace: str) -> list[tuple[str, str, str]]:
        return await self._repo.submissions.corpus(workspace, limit=5000)

    # reading

    async def _get(self, workspace: str, submission_id: str) -> Submission:
        submission = await self._repo.submissions.get(workspace, submission_id)
        if submission is None:
            raise NotFound(f"no submission {submission_id}")
        return submission

    async def _visible(self, workspace: str, submission_id: str, viewer: str | None) -> Submission:
        """Members see the board, plus what they wrote that waits in moderation."""
        submission = await self._get(workspace, submission_id)
        if viewer is not None and not submission.visible and submission.author_member_id != viewer:
            raise NotFound(f"no submission {submission_id}")
        return submission

    async def _out(self, submissions: Sequence[Submission]) -> list[SubmissionOut]:
        counts = await self.ledger.counts([s.id for s in submissions])
        return [SubmissionOut(**s.model_dump(), votes=counts[s.id]) for s in submissions]

    async def get(self, workspace: str, submission_id: str, *, viewer: str | None) -> SubmissionOut:
        """`viewer` is the member asking, None for staff."""
        return (await self._out([await self._visible(workspace, submission_id, viewer)]))[0]

    async def search(
        self, workspace: str, filters: SubmissionFilters, *, limit: int, staff: bool
    ) -> SubmissionPage:
        query: dict[str, Any] = {}
        for name in ("kind", "status", "category"):
            if (value := getattr(filters, name)) is not None:
                query[name] = value
        if filters.tag is not None:
            query["tags"] = filters.tag.strip().lower()
        if filters.author is not None:
            query["author_member_id"] = filters.author
        if staff and filters.held is not None:
            query["published"] = not filters.held
            if filters.held:
                query["discarded"] = False
        elif not staff or filters.held is None:
            query.update(published=True, discarded=False)
        if not staff and filters.held:
            raise Forbidden("held: only staff see the moderation queue")
        try:
            found = await self._repo.submissions.search(
                workspace, query, filters.cursor, limit=limit
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        cursor = encode_cursor(found[-1].created_at, found[-1].id) if len(found) == limit else None
        return SubmissionPage(items=await self._out(found), next_cursor=cursor)

    async def similar(self, workspace: str, text: str, *, limit: int = 5) -> list[Similar]:
        return await self._similar.similar(workspace, text, limit=limit)

    async def roadmap(self, workspace: str) -> Roadmap:
        """Published, unmerged submissions by status, most voted first (capped per status)."""
        columns: dict[SubmissionStatus, list[RoadmapItem]] = {}
        for status in STATUSES:
            found = await self._repo.submissions.search(
                workspace,
                {"status": status, "published": True, "discarded": False, "merged_into": None},
                None,
                limit=ROADMAP_PER_STATUS,
            )
            counts = await self.ledger.counts([s.id for s in found])
            items = [
                RoadmapItem(
                    id=s.id,
                    kind=s.kind,
                    title=s.title,
                    tags=s.tags,
                    category=s.category,
                    votes=counts[s.id],
                )
                for s in found
            ]
            columns[status] = sorted(items, key=lambda i: -i.votes)
        return Roadmap(workspace=workspace, columns=columns)

    # creating

    async def create(
        self, workspace: str, member_id: str, body: SubmissionCreate
    ) -> SubmissionCreated:
        text = f"{body.title}\n{body.body}"
        screening = await self.ports.moderator.screen(workspace, member_id, text)
        if screening.verdict == Verdict.REJECT:
            reasons = "; ".join(screening.reasons) or "refused by moderation"
            if any("block" in r for r in screening.reasons):
                raise Forbidden(reasons)
            raise Invalid(reasons)
        submission_id = new_id()
        published = screening.verdict == Verdict.PUBLISH
        if not published:
            await self.ports.moderator.enqueue(
                HeldItem(
                    workspace=workspace,
                    kind="submission",
                    ref=submission_id,
                    member_id=member_id,
                    text=text,
                    reasons=screening.reasons,
                )
            )
        similar = await self._similar.similar(workspace, text)
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
        return SubmissionCreated(submission=(await self._out([submission]))[0], similar=similar)

    def _created_event(self, submission: Submission) -> SubmissionCreatedV1:
        return SubmissionCreatedV1(
            **_envelope(submission.workspace, submission.id),
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

    async def _store_new(self, submission: Submission) -> bool:
        stored = await self._repo.submissions.insert(submission, [self._created_event(submission)])
        if stored:
            await self._repo.follows.add_new(
                submission.workspace, submission.id, [submission.author_member_id]
            )
            if submission.visible:
                self._similar.add(
                    submission.workspace, submission.id, submission.title, submission.body
                )
            await self._record(
                submission.workspace, submission.author_member_id, "submission", submission.id
            )
        return stored

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
        existing = await self._repo.submissions.get(workspace, submission_id)
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

    async def _record(self, workspace: str, member_id: str, kind: ActivityKind, ref: str) -> None:
        """Activity is derived data: a failure is logged, the write it follows stands."""
        try:
            await self.ports.activity.record(
                [
                    Activity(
                        workspace=workspace, member_id=member_id, kind=kind, ref=ref, at=utcnow()
                    )
                ]
            )
        except Exception:
            log.exception("activity not recorded: %s %s %s", kind, ref, member_id)

    # votes

    async def _open_for_votes(self, workspace: str, submission_id: str, member_id: str) -> None:
        """`_votable` for votes, remembered for VOTABLE_TTL: a published submission is not
        unpublished, and the one change that closes it, a merge, also closes its vote chain
        (the ledger then refuses with the same Conflict)."""
        key = (workspace, submission_id)
        seen = self._votables.get(key)
        now = time.monotonic()
        if seen is not None and now - seen < VOTABLE_TTL:
            return
        await self._votable(workspace, submission_id, member_id)
        if len(self._votables) > 10_000:
            self._votables.clear()
        self._votables[key] = now

    async def _votable(self, workspace: str, submission_id: str, member_id: str) -> Submission:
        submission = await self._repo.submissions.get(workspace, submission_id, roll_forward=False)
        if submission is None or (
            not submission.visible and submission.author_member_id != member_id
        ):
            raise NotFound(f"no submission {submission_id}")
        if not submission.visible:
            raise Conflict("this submission waits for moderation; votes open once published")
        if submission.merged_into is not None:
            raise Conflict(f"this submission was merged into {submission.merged_into}; vote there")
        return submission

    async def cast(self, workspace: str, submission_id: str, member_id: str) -> VoteResult:
        """The vote's activity is recorded by the ledger, with the rest of its batch."""
        await self._open_for_votes(workspace, submission_id, member_id)
        await self._not_blocked(workspace, member_id)
        outcome = await self.ledger.run(workspace, submission_id, VoteOp("vote", (member_id,)))
        return VoteResult(submission_id=submission_id, votes=outcome.votes, voted=outcome.voting)

    async def retract(self, workspace: str, submission_id: str, member_id: str) -> VoteResult:
        await self._open_for_votes(workspace, submission_id, member_id)
        outcome = await self.ledger.run(workspace, submission_id, VoteOp("retract", (member_id,)))
        return VoteResult(submission_id=submission_id, votes=outcome.votes, voted=outcome.voting)

    async def vote(self, workspace: str, submission_id: str, member_id: str) -> int:
        """Board.vote: a suggestion confirmed as a vote for an existing submission."""
        submission = await self._get(workspace, submission_id)
        target = submission.merged_into or submission.id
        outcome = await self.ledger.run(workspace, target, VoteOp("vote", (member_id,)))
        return outcome.votes

    async def _not_blocked(self, workspace: str, member_id: str) -> None:
        if await self.ports.directory.trust(workspace, member_id) == TrustLevel.BLOCKED:
            raise Forbidden("this member is blocked")

    async def members_changed(self, events: Sequence[MemberMergedV1 | MemberUnmergedV1]) -> None:
        """After a member merge or unmerge, recount the submissions either identity voted on
        (idempotent: a recount of a right count writes nothing)."""
        for event in events:
            ids = [event.data.survivor_member_id, event.data.merged_member_id]
            # the merge is in the log before its event is out: read it, not a cached fold
            await self.ports.directory.canonical(event.workspace, ids, fresh=True)
            for submission_id in await self._repo.votes.voted_by(event.workspace, ids):
                await self.ledger.run(event.workspace, submission_id, VoteOp("recount"))

    # follows

    async def follow(
        self, workspace: str, submission_id: str, member_id: str, following: bool
    ) -> Following:
        await self._visible(workspace, submission_id, member_id)
        await self._repo.follows.set(workspace, submission_id, member_id, following)
        return Following(submission_id=submission_id, following=following)

    async def _audience(
        self, submission: Submission, topic: str, *, exclude: Iterable[str] = ()
    ) -> tuple[str, ...]:
        threads = [
            submission.id,
            *await self._repo.submissions.merged_into(submission.workspace, submission.id),
        ]
        tally = (await self.ledger.tallies([submission.id]))[submission.id]
        choices = await self._repo.follows.choices(threads)
        everyone = {submission.author_member_id, *tally.active, *choices, *exclude}
        canon = await self.ports.directory.canonical(submission.workspace, everyone)
        wanted = build_audience(
            author=submission.author_member_id,
            voters=tally.active,
            choices=choices,
            canon=canon,
            exclude=exclude,
        )
        consenting = await self.ports.directory.consenting(submission.workspace, wanted, topic)
        return tuple(m for m in wanted if m in consenting)

    # comments

    async def comment(
        self, workspace: str, submission_id: str, member_id: str, body: CommentCreate
    ) -> Comment:
        submission = await self._votable(workspace, submission_id, member_id)
        if body.parent_id is not None:
            parent = await self._repo.comments.get(workspace, body.parent_id)
            threads = {
                submission.id,
                *await self._repo.submissions.merged_into(workspace, submission.id),
            }
            if parent is None or parent.submission_id not in threads:
                raise Invalid("parent_id: no such comment on this submission")
        screening = await self.ports.moderator.screen(workspace, member_id, body.body)
        if screening.verdict == Verdict.REJECT:
            reasons = "; ".join(screening.reasons) or "refused by moderation"
            if any("block" in r for r in screening.reasons):
                raise Forbidden(reasons)
            raise Invalid(reasons)
        comment = Comment(
            id=new_id(),
            workspace=workspace,
            submission_id=submission.id,
            parent_id=body.parent_id,
            author_member_id=member_id,
            body=body.body,
            published=screening.verdict == Verdict.PUBLISH,
            created_at=utcnow(),
        )
        if not comment.published:
            await self.ports.moderator.enqueue(
                HeldItem(
                    workspace=workspace,
                    kind="comment",
                    ref=comment.id,
                    member_id=member_id,
                    text=body.body,
                    reasons=screening.reasons,
                )
            )
            await self._repo.comments.insert(comment, [])
            return comment
        await self._repo.comments.insert(comment, [await self._commented(submission, comment)])
        await self._record(workspace, member_id, "comment", comment.id)
        return comment

    async def _commented(self, submission: Submission, comment: Comment) -> SubmissionCommentedV1:
        audience = await self._audience(
            submission, "ideas_followed", exclude=[comment.author_member_id]
        )
        return SubmissionCommentedV1(
            **_envelope(submission.workspace, submission.id),
            data=SubmissionCommentedData(
                submission_id=submission.id,
                comment_id=comment.id,
                parent_id=comment.parent_id,
                author_member_id=comment.author_member_id,
                excerpt=comment.body[:280],
                audience=audience,
            ),
        )

    async def comments(
        self,
        workspace: str,
        submission_id: str,
        *,
        viewer: str | None,
        cursor: str | None,
        limit: int,
    ) -> CommentPage:
        submission = await self._visible(workspace, submission_id, viewer)
        threads = [
            submission.id,
            *await self._repo.submissions.merged_into(workspace, submission.id),
        ]
        try:
            found = await self._repo.comments.thread(
                threads, published_only=viewer is not None, cursor=cursor, limit=limit
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        next_cursor = (
            encode_cursor(found[-1].created_at, found[-1].id) if len(found) == limit else None
        )
        return CommentPage(items=found, next_cursor=next_cursor)

    # staff

    async def _save(
        self, before: Submission, changes: dict[str, Any], events: list[Event]
    ) -> Submission:
        after = before.model_copy(update={**changes, "version": before.version + 1})
        self._votables.pop((before.workspace, before.id), None)
        if not await self._repo.submissions.save(before, after, events):
            raise Conflict("the submission changed meanwhile; reload it and try again")
        return after

    async def change_status(
        self,
        workspace: str,
        submission_id: str,
        status: SubmissionStatus,
        reason: str | None,
        by: str,
    ) -> SubmissionOut:
        submission = await self._get(workspace, submission_id)
        if submission.merged_into is not None:
            raise Conflict(f"merged into {submission.merged_into}: change that one")
        check_transition(submission.status, status, reason)
        audience = await self._audience(submission, "status_changes")
        event = SubmissionStatusChangedV1(
            **_envelope(workspace, submission.id),
            data=SubmissionStatusChangedData(
                submission_id=submission.id,
                kind=submission.kind,
                title=submission.title,
                author_member_id=submission.author_member_id,
                previous=submission.status,
                status=status,
                reason=reason if status == "declined" else None,
                by=by,
                audience=audience,
                origin=submission.origin,
            ),
        )
        after = await self._save(
            submission,
            {"status": status, "status_reason": reason if status == "declined" else None},
            [event],
        )
        return (await self._out([after]))[0]

    async def merge(self, workspace: str, source_id: str, target_id: str, by: str) -> MergeResult:
        """Fold a duplicate into `target_id`. Safe to repeat after a failure: each step is."""
        if source_id == target_id:
            raise Invalid("target_id: a submission cannot be merged into itself")
        source = await self._get(workspace, source_id)
        target = await self._get(workspace, target_id)
        if target.merged_into is not None:
            raise Conflict(f"the target was merged into {target.merged_into}; merge into that")
        if source.merged_into not in (None, target.id):
            raise Conflict(f"already merged into {source.merged_into}")
        closed = await self.ledger.run(workspace, source.id, VoteOp("close", other=target.id))
        carried = await self.ledger.run(
            workspace, target.id, VoteOp("carry", closed.active, other=source.id)
        )
        source_threads = [
            source.id,
            *await self._repo.submissions.merged_into(workspace, source.id),
        ]
        choices = await self._repo.follows.choices(source_threads)
        moved_followers = await self._repo.follows.add_new(
            workspace, target.id, [m for m, following in choices.items() if following]
        )
        moved_comments = await self._repo.comments.count(source_threads)
        if source.merged_into is None:
            event = SubmissionMergedV1(
                **_envelope(workspace, source.id),
                data=SubmissionMergedData(
                    source_submission_id=source.id,
                    target_submission_id=target.id,
                    votes=carried.votes,
                    moved_votes=len(carried.entries),
                    moved_followers=moved_followers,
                    moved_comments=moved_comments,
                    by=by,
                ),
            )
            source = await self._save(source, {"merged_into": target.id}, [event])
            self._similar.remove(workspace, source.id)
        source_out, target_out = await self._out([source, target])
        return MergeResult(
            source=source_out,
            target=target_out,
            moved_votes=len(carried.entries),
            moved_followers=moved_followers,
            moved_comments=moved_comments,
        )

    # HeldContent

    async def release(self, workspace: str, kind: HeldKind, ref: str, by: str) -> None:
        await self._decide(workspace, kind, ref, by, publish=True, reason=None)

    async def discard(self, workspace: str, kind: HeldKind, ref: str, reason: str, by: str) -> None:
        await self._decide(workspace, kind, ref, by, publish=False, reason=reason)

    async def _decide(
        self,
        workspace: str,
        kind: HeldKind,
        ref: str,
        by: str,
        *,
        publish: bool,
        reason: str | None,
    ) -> None:
        decision = "release" if publish else "discard"
        if not await self._repo.decisions.take(kind, ref, decision, by):
            taken = await self._repo.decisions.taken(kind, ref)
            if taken != decision:
                raise Conflict(f"already decided: {taken}")
        if kind == "submission":
            submission = await self._get(workspace, ref)
            if submission.published or submission.discarded:
                return  # a repeat of a decision already applied
            changes: dict[str, Any] = {"published": True} if publish else {"discarded": True}
            after = submission.model_copy(update=changes)
            events: list[Event] = [self._created_event(after)] if publish else []
            after = await self._save(submission, changes, events)
            if publish:
                self._similar.add(workspace, after.id, after.title, after.body)
                await self._record(workspace, after.author_member_id, "submission", after.id)
            return
        comment = await self._repo.comments.get(workspace, ref)
        if comment is None:
            raise NotFound(f"no comment {ref}")
        if comment.published or comment.discarded:
            return
        events = []
        if publish:
            submission = await self._get(workspace, comment.submission_id)
            events = [await self._commented(submission, comment)]
        await self._repo.comments.decide(
            comment, published=publish, discarded=not publish, events=events
        )
        if publish:
            await self._record(workspace, comment.author_member_id, "comment", comment.id)


def _kind(kind: str) -> SubmissionKind:
    kinds: tuple[SubmissionKind, ...] = ("idea", "feedback", "content_proposal", "question")
    for known in kinds:
        if kind == known:
            return known
    raise Invalid(f"kind: {kind!r} is not one of {', '.join(kinds)}")
