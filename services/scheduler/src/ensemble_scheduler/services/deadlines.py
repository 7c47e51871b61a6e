"""Deadlines of approval steps, kept by durable timers: reminders, escalation, missed slots.

When a step opens, its plan (due time, reminder times, backup, missed-slot action) is fixed
once and its timers are armed; when the step's round ends they are cancelled. Every firing
checks the workflow again and does nothing unless the same round of the same step is still
open for the same slot: a reminder for a decided step, or for a slot since moved, is a no-op.
Each effect is a fact under a natural key with its event (outbox), so a firing repeated after a
crash announces nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.deadlines import (
    ESCALATE,
    REMIND,
    SLOT,
    Escalation,
    Reslotter,
    StepPlan,
    backup_covers,
    plan_step,
)
from ensemble_scheduler.models.policies import Deadlines
from ensemble_scheduler.services.approvals import ApprovalService, Facts
from ensemble_scheduler.services.envelopes import envelope
from ensemble_scheduler.services.ports import Timer, Timers
from ensemble_scheduler.storage.deadlines import DeadlineRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import EnsembleError
from ensemble_shared.events import utcnow
from ensemble_shared.events.approvals import (
    ApprovalEscalatedV1,
    ApprovalReminderDueV1,
    DeadlineData,
    EscalationData,
    ReminderDueData,
)

log = logging.getLogger(__name__)

SYSTEM = "system:deadlines"


class DeadlineService:
    """The approval workflow's `StepClock`; registers the deadline timer handlers."""

    def __init__(
        self,
        deadlines: DeadlineRepository,
        policies: PolicyRepository,
        timers: Timers,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._deadlines = deadlines
        self._policies = policies
        self._timers = timers
        self._now = clock
        self._approvals: ApprovalService | None = None
        self._reslotter: Reslotter | None = None
        timers.on(REMIND, self.remind)
        timers.on(ESCALATE, self.escalate)
        timers.on(SLOT, self.slot_missed)

    def bind(self, approvals: ApprovalService) -> None:
        """The workflow this clock serves (it is built with this clock: a cycle, closed here)."""
        self._approvals = approvals

    def use_reslotter(self, reslotter: Reslotter) -> None:
        """The calendar, once wired: without it a `reslot` policy holds instead."""
        self._reslotter = reslotter

    # --- StepClock -------------------------------------------------------------------------

    async def step_opened(
        self, record: ApprovalRecord, position: int, round_: int, latest: ContentVersion
    ) -> None:
        policy = await self._policies.get(record.workspace, record.policy)
        settings = policy.deadlines if policy is not None else Deadlines()
        proposed = plan_step(record, position, round_, latest, settings, opened_at=self._now())
        plan = await self._deadlines.insert_plan(proposed)
        await self._timers_schedule(plan)

    async def _timers_schedule(self, plan: StepPlan) -> None:
        timers = [
            Timer(
                workspace=plan.workspace,
                timer_id=plan.timer_id("remind"),
                kind=REMIND,
                due_at=reminder.at,
                payload=plan.payload(minutes_before=reminder.minutes_before),
            )
            for reminder in plan.reminders
        ]
        if plan.backup is not None:
            timers.append(
                Timer(
                    workspace=plan.workspace,
                    timer_id=plan.timer_id("escalate"),
                    kind=ESCALATE,
                    due_at=plan.due_at,
                    payload=plan.payload(),
                )
            )
        if plan.slot_at is not None:
            timers.append(
                Timer(
                    workspace=plan.workspace,
                    timer_id=plan.timer_id("slot"),
                    kind=SLOT,
                    due_at=plan.slot_at,
                    payload=plan.payload(slot_at=plan.slot_at.isoformat()),
                )
            )
        schedule_many = getattr(self._timers, "schedule_many", None)
        if schedule_many is not None:
            await schedule_many(timers)
        else:
            for timer in timers:
                await self._timers.schedule(timer)

    async def step_closed(self, record: ApprovalRecord, step: str, round_: int) -> None:
        for plan in await self._deadlines.plans_of(record.id):
            if plan.step == step and plan.round == round_:
                for what in ("remind", "escalate", "slot"):
                    await self._timers.cancel(plan.workspace, plan.timer_id(what))

    async def backup_slots(
        self, record: ApprovalRecord, step: str, round_: int, principal: Principal
    ) -> tuple[str, ...]:
        escalation = await self._deadlines.escalation(record.id, step, round_)
        spec = next((s for s in record.steps if s.name == step), None)
        if escalation is None or spec is None:
            return ()
        return backup_covers(spec, escalation.backup, principal)

    # --- firing ----------------------------------------------------------------------------

    async def _still_open(self, timer: Timer) -> tuple[Facts, StepPlan] | None:
        """The facts and plan when the timer's step round is still open for its slot."""
        assert self._approvals is not None, "DeadlineService.bind() was not called"
        payload = timer.payload
        facts = await self._approvals.facts_of(timer.workspace, payload["content_id"])
        plan = await self._deadlines.plan(payload["plan"])
        if facts is None or plan is None or facts.record.id != plan.approval_id:
            return None
        step = facts.state.open_step
        if step is None or step.name != plan.step or step.round != plan.round:
            return None  # decided, re-opened since, or the workflow ended
        if facts.latest.fields.slot != plan.slot_at:
            return None  # the slot moved: a newer plan holds
        return facts, plan

    @staticmethod
    def _data(facts: Facts, plan: StepPlan) -> dict[str, Any]:
        spec = facts.record.steps[plan.position]
        return DeadlineData(
            approval_id=plan.approval_id,
            content_id=plan.content_id,
            step=plan.step,
            round=plan.round,
            due_at=plan.due_at,
            slot_at=plan.slot_at,
            people=spec.people,
            teams=spec.teams,
            roles=tuple(str(r) for r in spec.roles),
            title=facts.latest.fields.title,
            channel=facts.latest.fields.channel,
        ).model_dump()

    async def remind(self, timer: Timer) -> None:
        found = await self._still_open(timer)
        if found is None:
            return
        facts, plan = found
        minutes = int(timer.payload["minutes_before"])
        event = ApprovalReminderDueV1(
            **envelope(plan.workspace, plan.content_id),
            data=ReminderDueData(**self._data(facts, plan), minutes_before=minutes),
        )
        await self._deadlines.insert_notice(
            f"{plan.id}:remind:{minutes}",
            {"plan": plan.id, "kind": "reminder", "at": self._now()},
            [event],
        )

    async def escalate(self, timer: Timer) -> None:
        found = await self._still_open(timer)
        if found is None:
            return
        facts, plan = found
        if plan.backup is None:
            return
        backup = plan.backup
        event = ApprovalEscalatedV1(
            **envelope(plan.workspace, plan.content_id),
            data=EscalationData(
                **self._data(facts, plan),
                backup_people=backup.people,
                backup_teams=backup.teams,
                backup_roles=tuple(str(r) for r in backup.roles),
            ),
        )
        await self._deadlines.insert_escalation(
            Escalation(
                approval_id=plan.approval_id,
                step=plan.step,
                round=plan.round,
                backup=backup,
                at=self._now(),
            ),
            [event],
        )

    async def slot_missed(self, timer: Timer) -> None:
        found = await self._still_open(timer)
        if found is None:
            return  # approved in time (publishing takes it), decided, or moved
        facts, plan = found
        assert self._approvals is not None
        assert plan.slot_at is not None
        action = plan.on_missed_slot
        if action == "reslot" and self._reslotter is None:
            log.warning("no calendar wired to re-slot %s: holding it", plan.content_id)
            action = "hold"
        if action == "expire":
            await self._approvals.expire(
                facts,
                slot_at=plan.slot_at,
                reason=f"the publishing slot {plan.slot_at.isoformat()} passed before approval",
            )
            return
        if action == "reslot":
            assert self._reslotter is not None
            system = Principal(
                subject=SYSTEM, workspace=plan.workspace, roles=frozenset({Role.SERVICE})
            )
            try:
                # Moves the slot (a new version): the edit re-plans the open step, and this
                # timer's next firing sees the slot moved and does nothing.
                await self._reslotter.reslot(system, plan.content_id, self._now())
            except EnsembleError as exc:  # no plan, no free slot: a person has to pick one
                log.warning("re-slotting %s failed (%s): holding it", plan.content_id, exc)
                action = "hold"
            else:
                return
        await self._deadlines.insert_notice(
            f"{plan.approval_id}:missed:{plan.slot_at.isoformat()}",
            {"plan": plan.id, "kind": "missed_slot", "action": action, "at": self._now()},
            [],
        )

    async def plans(self, workspace: str, content_id: str) -> list[StepPlan]:
        """The deadlines of the item's current workflow, oldest first."""
        assert self._approvals is not None
        facts = await self._approvals.facts_of(workspace, content_id)
        return [] if facts is None else await self._deadlines.plans_of(facts.record.id)
