"""Deadlines of approval steps when their timers fire: reminders, escalation, missed slots.

Every firing checks the workflow again and does nothing unless the same round of the same step
is still open for the same slot: a reminder for a decided step, or for a slot since moved, is a
no-op. Each effect is a fact under a natural key with its event (outbox), so a firing repeated
after a crash announces nothing twice. The plans and timers themselves are armed by
services/deadline_plans.py when a step opens.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.deadlines import ESCALATE, REMIND, SLOT, Escalation, StepPlan
from ensemble_scheduler.models.timers import Timer
from ensemble_scheduler.services.approval_facts import Facts
from ensemble_scheduler.services.approvals import ApprovalService
from ensemble_scheduler.services.ports import Reslotter, Timers
from ensemble_scheduler.storage.deadlines import DeadlineRepository
from ensemble_shared.auth import Principal, Role
from ensemble_shared.errors import EnsembleError
from ensemble_shared.events import Source, envelope, utcnow
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
    """Registers the deadline timer handlers; shows a workflow's deadlines."""

    def __init__(
        self,
        deadlines: DeadlineRepository,
        approvals: ApprovalService,
        reslotter: Reslotter,
        timers: Timers,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._deadlines = deadlines
        self._approvals = approvals
        self._reslotter = reslotter
        self._now = clock
        timers.on(REMIND, self.remind)
        timers.on(ESCALATE, self.escalate)
        timers.on(SLOT, self.slot_missed)

    async def _still_open(self, timer: Timer) -> tuple[Facts, StepPlan] | None:
        """The facts and plan when the timer's step round is still open for its slot."""
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
            **envelope(Source.SCHEDULER, plan.workspace, plan.content_id),
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
            **envelope(Source.SCHEDULER, plan.workspace, plan.content_id),
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
        assert plan.slot_at is not None
        action = plan.on_missed_slot
        if action == "expire":
            await self._approvals.expire(
                facts,
                slot_at=plan.slot_at,
                reason=f"the publishing slot {plan.slot_at.isoformat()} passed before approval",
            )
            return
        if action == "reslot":
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
        """The deadlines of the item's current workflow, oldest first (none before a request
        for approval); NotFound for an unknown id or another workspace's."""
        await self._approvals.latest(workspace, content_id)
        facts = await self._approvals.facts_of(workspace, content_id)
        return [] if facts is None else await self._deadlines.plans_of(facts.record.id)
