"""Crisis mode: a negative mention spike holds the workspace's upcoming posts.

Each held item gets a hold (schedule.held) and its approval an extra first step, `crisis`,
decided by communication and legal (quorum all). The amendment is a new approval request of the
same item whose other steps carry over the outcomes they had (approved stays approved, changes
requested stays requested), so `publishable()` — the one gate — stays false until the crisis
step is approved: the invariant holds without a second gate. Releasing the hold *is* that
approval: a communication/legal decision through `/crises/{id}/decisions` (or the item's normal
approval decision); once the crisis step is approved the hold is released (schedule.released)
and the publish timer re-armed (at the slot, or at once if it passed).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import timedelta

from ensemble_scheduler.models.approvals import ApprovalRecord, DecisionIn, OutcomeRecord
from ensemble_scheduler.models.calendar import ScheduleEntry
from ensemble_scheduler.models.policies import StepSpec
from ensemble_scheduler.models.publishing import (
    Crisis,
    CrisisView,
    Hold,
    ReleaseIn,
    ReleaseResult,
)
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.calendar import CalendarService
from ensemble_scheduler.services.envelopes import envelope
from ensemble_scheduler.storage.approvals import ApprovalRepository, approval_key
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_scheduler.storage.publishing import PublicationRepository
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, Forbidden, NotFound
from ensemble_shared.events import Event, MentionSpikeDetectedV1, utcnow
from ensemble_shared.events.approvals import ApprovalRequestData, ApprovalRequestedV1
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
        publications: PublicationRepository,
        calendar_repository: CalendarRepository,
        calendar: CalendarService,
        approval_records: ApprovalRepository,
        approvals: ApprovalService,
        *,
        teams: Sequence[str],
    ) -> None:
        self._publications = publications
        self._calendar_repository = calendar_repository
        self._calendar = calendar
        self._records = approval_records
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
        await self._publications.insert_crisis(crisis)  # a replay finds it there
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
        if await self._publications.active_hold(workspace, content_id) is not None:
            return  # already held (this crisis replayed, or an earlier one)
        await self.amend(workspace, content_id, crisis.id)
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
            **envelope(workspace, content_id),
            data=HoldData(
                content_id=content_id,
                hold_id=hold.hold_id,
                crisis_id=crisis.id,
                channel=entry.channel,
                slot_at=entry.slot_at,
                reason=f"negative mention spike on {crisis.topic!r} ({crisis.count} mentions)",
            ),
        )
        await self._publications.insert_hold(hold, [event])

    async def amend(self, workspace: str, content_id: str, crisis_id: str) -> bool:
        """Put the crisis step first in the item's approval (idempotent). False when there is
        no approval to amend (a draft, or rejected: a new request starts from scratch and the
        hold keeps it back until released)."""
        current = await self._records.latest_request(workspace, content_id)
        if current is None:
            return False
        facts = await self._approvals.settle(current)
        state = facts.state
        if state.status == "rejected":
            return False
        existing = state.step(CRISIS_STEP)
        if existing is not None and existing.status != "approved":
            return True  # amended already and not yet released
        record = ApprovalRecord(
            id=approval_key(content_id, current.number + 1),
            number=current.number + 1,
            content_id=content_id,
            workspace=workspace,
            policy=current.policy,
            steps=(
                crisis_step(self._teams),
                *(s.spec for s in state.steps if s.name != CRISIS_STEP),
            ),
            version=facts.latest.version,
            requested_by=f"crisis:{crisis_id}",
            requested_at=utcnow(),
        )
        event = ApprovalRequestedV1(
            **envelope(workspace, content_id),
            data=ApprovalRequestData(
                approval_id=record.id,
                content_id=content_id,
                policy=record.policy,
                steps=tuple(s.name for s in record.steps),
                version=record.version,
                requested_by=record.requested_by,
                kind=facts.latest.kind,
                channel=facts.latest.fields.channel,
            ),
        )
        if not await self._records.insert_request(record, [event]):
            return True  # someone amended or re-requested at the same moment
        for step in state.steps:
            if step.name == CRISIS_STEP or step.status not in ("approved", "changes_requested"):
                continue
            outcome = OutcomeRecord(
                approval_id=record.id,
                step=step.name,
                round=0,
                outcome=step.status,
                version=record.version,
                decided_by=step.decided_by,
                reason=step.reason or f"carried over from {current.id}",
                at=utcnow(),
            )
            await self._records.insert_outcome(
                outcome, workspace=workspace, content_id=content_id, events=[]
            )
        await self._approvals.settle(record)
        return True

    # --- releasing -----------------------------------------------------------------------

    async def decide(
        self, principal: Principal, crisis_id: str, body: ReleaseIn
    ) -> list[ReleaseResult]:
        """A communication/legal decision on the crisis step of the crisis's held items."""
        crisis = await self._publications.crisis(principal.workspace, crisis_id)
        if crisis is None:
            raise NotFound(f"no crisis {crisis_id!r}")
        if not (set(principal.teams) & set(self._teams)) and not principal.has_any():
            raise Forbidden(f"only {', '.join(self._teams)} may release a crisis hold")
        wanted = set(body.content_ids) if body.content_ids is not None else None
        results: list[ReleaseResult] = []
        for hold in await self._publications.holds_of_crisis(crisis_id):
            if wanted is not None and hold.content_id not in wanted:
                continue
            results.append(await self._decide_one(principal, hold, body))
        return results

    async def _decide_one(self, principal: Principal, hold: Hold, body: ReleaseIn) -> ReleaseResult:
        if hold.resolution is not None:
            return ReleaseResult(content_id=hold.content_id, outcome="not_held")
        await self.amend(hold.workspace, hold.content_id, hold.crisis_id)
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

    async def settle_hold(self, hold: Hold, *, by: str) -> ReleaseResult:
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
        await self._resolve(hold, by, "released")
        return ReleaseResult(content_id=hold.content_id, outcome="released")

    async def _resolve(self, hold: Hold, by: str, resolution: str) -> None:
        events: list[Event] = []
        if resolution == "released":
            events.append(
                ScheduleReleasedV1(
                    **envelope(hold.workspace, hold.content_id),
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
        written = await self._publications.insert_release(
            hold, by=by, resolution=resolution, at=utcnow(), events=events
        )
        if written and resolution == "released":
            entry = await self._calendar.current(hold.workspace, hold.content_id)
            if entry is not None:
                await self._calendar.rearm(entry)

    # --- reading -------------------------------------------------------------------------

    async def crises(self, workspace: str, *, limit: int) -> list[Crisis]:
        return await self._publications.crises_of(workspace, limit=limit)

    async def view(self, workspace: str, crisis_id: str) -> CrisisView:
        crisis = await self._publications.crisis(workspace, crisis_id)
        if crisis is None:
            raise NotFound(f"no crisis {crisis_id!r}")
        holds = await self._publications.holds_of_crisis(crisis_id)
        return CrisisView(**crisis.model_dump(), holds=holds)
