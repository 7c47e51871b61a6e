"""Crisis mode: a negative mention spike holds the workspace's upcoming posts.

Each held item gets a hold (schedule.held) and its approval an extra first step, `crisis`,
decided by communication and legal (quorum all). The amendment is a new approval request of the
same item whose other steps carry over the outcomes they had (approved stays approved, changes
requested stays requested), so `publishable()` — the one gate — stays false until the crisis
step is approved: the invariant holds without a second gate. Releasing the hold *is* that
approval: a communication/legal decision through `/crises/{id}/decisions` or the item's own
`/content/{id}/approval/decisions`. Both end in `settle_hold`, the one release path: the crisis
route calls it at once, and the approval's outcome events (approval.completed / .rejected, from
the outbox, so a crash after the decision is caught up) call it for the item's own decisions.
A release (schedule.released) re-arms the publish timer at the slot if it is still ahead; a
slot that passed meanwhile follows the policy's missed-slot rule (reslot: the next free slot;
hold, or expire of a workflow already approved: a person picks a new slot).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from ensemble_scheduler.models.approvals import DecisionIn
from ensemble_scheduler.models.calendar import ScheduleEntry
from ensemble_scheduler.models.crises import Crisis, CrisisView, Hold, ReleaseIn, ReleaseResult
from ensemble_scheduler.models.policies import Deadlines, StepSpec
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.calendar import CalendarService
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_scheduler.storage.crises import CrisisRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_scheduler.storage.publishing import PublicationRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import Conflict, EnsembleError, Forbidden, NotFound
from ensemble_shared.events import (
    Event,
    MentionSpikeDetectedV1,
    Source,
    envelope,
    utcnow,
)
from ensemble_shared.events.approvals import ApprovalCompletedV1, ApprovalRejectedV1
from ensemble_shared.events.content import HoldData, ScheduleHeldV1, ScheduleReleasedV1

log = logging.getLogger(__name__)

CRISIS_STEP = "crisis"
AHEAD = timedelta(days=30)
"""How far ahead "upcoming" posts are held."""


def crisis_step(teams: Sequence[str]) -> StepSpec:
    return StepSpec(name=CRISIS_STEP, teams=tuple(teams), quorum="all")


class CrisisService:
    def __init__(
        self,
        crises: CrisisRepository,
        publications: PublicationRepository,
        calendar_repository: CalendarRepository,
        calendar: CalendarService,
        approvals: ApprovalService,
        policies: PolicyRepository,
        *,
        teams: Sequence[str],
    ) -> None:
        self._crises = crises
        self._policies = policies
        self._publications = publications
        self._calendar_repository = calendar_repository
        self._calendar = calendar
        self._approvals = approvals
        self._teams = tuple(teams)

    # --- holding -------------------------------------------------------------------------

    async def on_mentions(self, events: Sequence[Event]) -> None:
        """Kafka handler: negative spikes start a crisis (idempotent per event)."""
        for event in events:
            if isinstance(event, MentionSpikeDetectedV1) and event.data.negative_only:
                await self.hold_upcoming(event)

    async def hold_upcoming(self, event: MentionSpikeDetectedV1) -> Crisis:
        crisis = Crisis(
            id=f"crisis-{event.id}",
            workspace=event.workspace,
            topic=event.data.topic,
            count=event.data.count,
            bucket_start=event.data.bucket_start,
            at=utcnow(),
        )
        await self._crises.insert_crisis(crisis)  # a replay finds it there
        now = utcnow()
        entries = await self._calendar_repository.in_range(
            crisis.workspace, now, now + AHEAD, limit=1_000
        )
        for entry in entries:
            await self._hold(crisis, entry)
        return crisis

    async def _hold(self, crisis: Crisis, entry: ScheduleEntry) -> None:
        workspace, content_id = entry.workspace, entry.content_id
        if await self._publications.result(workspace, content_id) is not None:
            return
        if await self._crises.active_hold(workspace, content_id) is not None:
            return  # already held (this crisis replayed, or an earlier one)
        await self._amend(workspace, content_id, crisis.id)
        hold = Hold(
            hold_id=f"{content_id}:{crisis.id}",
            crisis_id=crisis.id,
            content_id=content_id,
            workspace=workspace,
            channel=entry.channel,
            slot_at=entry.slot_at,
            at=utcnow(),
        )
        event = ScheduleHeldV1(
            **envelope(Source.SCHEDULER, workspace, content_id),
            data=HoldData(
                content_id=content_id,
                hold_id=hold.hold_id,
                crisis_id=crisis.id,
                channel=entry.channel,
                slot_at=entry.slot_at,
                reason=f"negative mention spike on {crisis.topic!r} ({crisis.count} mentions)",
            ),
        )
        await self._crises.insert_hold(hold, [event])

    async def _amend(self, workspace: str, content_id: str, crisis_id: str) -> bool:
        """Put the crisis step first in the item's approval (idempotent); False when there is
        no approval to amend (a draft, or rejected: the hold keeps it back until released)."""
        return await self._approvals.amend(
            workspace,
            content_id,
            first=crisis_step(self._teams),
            requested_by=f"crisis:{crisis_id}",
        )

    # --- releasing -----------------------------------------------------------------------

    async def decide(
        self, principal: Principal, crisis_id: str, body: ReleaseIn
    ) -> list[ReleaseResult]:
        """A communication/legal decision on the crisis step of the crisis's held items."""
        crisis = await self._crises.crisis(principal.workspace, crisis_id)
        if crisis is None:
            raise NotFound(f"no crisis {crisis_id!r}")
        if not (set(principal.teams) & set(self._teams)) and not principal.has_any():
            raise Forbidden(f"only {', '.join(self._teams)} may release a crisis hold")
        wanted = set(body.content_ids) if body.content_ids is not None else None
        results: list[ReleaseResult] = []
        for hold in await self._crises.holds_of_crisis(crisis_id):
            if wanted is not None and hold.content_id not in wanted:
                continue
            results.append(await self._decide_one(principal, hold, body))
        return results

    async def _decide_one(self, principal: Principal, hold: Hold, body: ReleaseIn) -> ReleaseResult:
        if hold.resolution is not None:
            return ReleaseResult(content_id=hold.content_id, outcome="not_held")
        await self._amend(hold.workspace, hold.content_id, hold.crisis_id)
        state = await self._approvals.state_of(hold.workspace, hold.content_id)
        step = state.step(CRISIS_STEP) if state is not None else None
        if step is None:  # never submitted or rejected: nothing can publish; just let go
            resolution = "released" if body.decision == "approve" else "rejected"
            await self._resolve(hold, principal.subject, resolution)
            return ReleaseResult(content_id=hold.content_id, outcome=resolution)
        if step.status != "approved":
            try:
                await self._approvals.decide(
                    principal,
                    hold.content_id,
                    DecisionIn(step=CRISIS_STEP, decision=body.decision, comment=body.comment),
                )
            except Forbidden as exc:
                return ReleaseResult(
                    content_id=hold.content_id, outcome="not_allowed", detail=str(exc)
                )
            except Conflict as exc:
                return ReleaseResult(content_id=hold.content_id, outcome="waiting", detail=str(exc))
        return await self.settle_hold(hold, by=principal.subject)

    async def on_approvals(self, events: Sequence[Event]) -> None:
        """Kafka handler: an item's own approval decided its crisis step (completed or
        rejected): settle its hold as `/crises/{id}/decisions` would. Idempotent."""
        for event in events:
            if not isinstance(event, ApprovalCompletedV1 | ApprovalRejectedV1):
                continue
            hold = await self._crises.active_hold(event.workspace, event.data.content_id)
            if hold is not None:
                await self.settle_hold(hold, by=event.data.decided_by or "approval")

    async def holds_back(self, workspace: str, content_id: str) -> bool:
        """Whether a crisis hold keeps the item back now: publishing asks before each try. A
        hold whose crisis step was approved meanwhile (the item's own decision) is let go."""
        hold = await self._crises.active_hold(workspace, content_id)
        if hold is None:
            return False
        # Publishing is at it now: the release must not re-arm or re-slot the item as well.
        settled = await self.settle_hold(hold, by="approval", publishing_now=True)
        return settled.outcome != "released"

    async def settle_hold(
        self, hold: Hold, *, by: str, publishing_now: bool = False
    ) -> ReleaseResult:
        """Release the hold if the crisis step is approved; resolve it as rejected if the
        approval was rejected. Safe to call any time (also from the publish path)."""
        state = await self._approvals.state_of(hold.workspace, hold.content_id)
        if state is None:
            return ReleaseResult(content_id=hold.content_id, outcome="waiting")
        if state.status == "rejected":
            await self._resolve(hold, by, "rejected")
            return ReleaseResult(content_id=hold.content_id, outcome="rejected")
        step = state.step(CRISIS_STEP)
        if step is None or step.status != "approved":
            missing = "" if step is None else f" (crisis step {step.status})"
            return ReleaseResult(content_id=hold.content_id, outcome="waiting", detail=missing)
        await self._resolve(hold, by, "released", publish=not publishing_now)
        return ReleaseResult(content_id=hold.content_id, outcome="released")

    async def _resolve(self, hold: Hold, by: str, resolution: str, *, publish: bool = True) -> None:
        events: list[Event] = []
        if resolution == "released":
            events.append(
                ScheduleReleasedV1(
                    **envelope(Source.SCHEDULER, hold.workspace, hold.content_id),
                    data=HoldData(
                        content_id=hold.content_id,
                        hold_id=hold.hold_id,
                        crisis_id=hold.crisis_id,
                        channel=hold.channel,
                        slot_at=hold.slot_at,
                        by=by,
                    ),
                )
            )
        written = await self._crises.insert_release(
            hold, by=by, resolution=resolution, at=utcnow(), events=events
        )
        if written and resolution == "released" and publish:
            await self._publish_after_release(hold)

    async def _publish_after_release(self, hold: Hold) -> None:
        """At the slot if it is still ahead; past it, the policy's missed-slot rule."""
        entry = await self._calendar.current(hold.workspace, hold.content_id)
        if entry is None:
            return
        if entry.slot_at > utcnow():
            await self._calendar.rearm(entry)
            return
        rule = await self._missed_slot_rule(hold.workspace, hold.content_id)
        if rule == "reslot":
            system = Principal(
                subject=f"crisis:{hold.crisis_id}",
                workspace=hold.workspace,
                roles=frozenset({Role.SERVICE}),
            )
            try:
                await self._calendar.reslot(system, hold.content_id, utcnow())
                return
            except EnsembleError as exc:  # no plan, no free slot: a person has to pick one
                log.warning("re-slotting released %s failed (%s)", hold.content_id, exc)
        log.info(
            "released %s after its slot %s passed (%s): waits for a person to pick a slot",
            hold.content_id,
            entry.slot_at.isoformat(),
            rule,
        )

    async def _missed_slot_rule(self, workspace: str, content_id: str) -> str:
        record = await self._approvals.current(workspace, content_id)
        policy = await self._policies.get(workspace, record.policy) if record else None
        return (policy.deadlines if policy is not None else Deadlines()).on_missed_slot

    # --- reading -------------------------------------------------------------------------

    async def crises(self, workspace: str, *, limit: int) -> list[Crisis]:
        return await self._crises.crises_of(workspace, limit=limit)

    async def view(self, workspace: str, crisis_id: str) -> CrisisView:
        crisis = await self._crises.crisis(workspace, crisis_id)
        if crisis is None:
            raise NotFound(f"no crisis {crisis_id!r}")
        holds = await self._crises.holds_of_crisis(crisis_id)
        return CrisisView(**crisis.model_dump(), holds=holds)
