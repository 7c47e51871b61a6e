"""Planning the deadlines of approval steps (the workflow's `StepClock`, through
services/open_steps.py).

When a step opens, its plan (due time, reminder times, backup, missed-slot action) is fixed
once (first writer wins) and its timers are armed in one round trip; when the step's round ends
they are cancelled. What the timers do when they fire is services/deadlines.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.deadlines import (
    ESCALATE,
    REMIND,
    SLOT,
    StepPlan,
    backup_covers,
    plan_step,
)
from ensemble_scheduler.models.policies import Deadlines
from ensemble_scheduler.models.timers import Timer
from ensemble_scheduler.services.ports import Timers
from ensemble_scheduler.storage.deadlines import DeadlineRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_shared.auth import Principal
from ensemble_shared.events import utcnow

TIMER_NAMES = {REMIND: "remind", ESCALATE: "escalate", SLOT: "slot"}
"""Timer kind → the suffix of its timer id in a plan (`StepPlan.timer_id`)."""


def _timer(plan: StepPlan, kind: str, due_at: datetime, **payload: Any) -> Timer:
    return Timer(
        workspace=plan.workspace,
        timer_id=plan.timer_id(TIMER_NAMES[kind]),
        kind=kind,
        due_at=due_at,
        payload=plan.payload(**payload),
    )


def plan_timers(plan: StepPlan) -> list[Timer]:
    """Every timer a plan arms: its reminders, its escalation (with a backup), its slot."""
    timers = [
        _timer(plan, REMIND, reminder.at, minutes_before=reminder.minutes_before)
        for reminder in plan.reminders
    ]
    if plan.backup is not None:
        timers.append(_timer(plan, ESCALATE, plan.due_at))
    if plan.slot_at is not None:
        timers.append(_timer(plan, SLOT, plan.slot_at, slot_at=plan.slot_at.isoformat()))
    return timers


class DeadlinePlanner:
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

    async def step_opened(
        self, record: ApprovalRecord, position: int, round_: int, latest: ContentVersion
    ) -> StepPlan:
        """Plan the opening (the first plan of it stands) and arm its timers; the plan."""
        policy = await self._policies.get(record.workspace, record.policy)
        settings = policy.deadlines if policy is not None else Deadlines()
        proposed = plan_step(record, position, round_, latest, settings, opened_at=self._now())
        plan = await self._deadlines.insert_plan(proposed)
        await self._timers.schedule_many(plan_timers(plan))
        return plan

    async def step_closed(self, record: ApprovalRecord, step: str, round_: int) -> None:
        for plan in await self._deadlines.plans_of(record.id):
            if plan.step == step and plan.round == round_:
                for name in TIMER_NAMES.values():
                    await self._timers.cancel(plan.workspace, plan.timer_id(name))

    async def backup_slots(
        self, record: ApprovalRecord, step: str, round_: int, principal: Principal
    ) -> tuple[str, ...]:
        escalation = await self._deadlines.escalation(record.id, step, round_)
        spec = next((s for s in record.steps if s.name == step), None)
        if escalation is None or spec is None:
            return ()
        return backup_covers(spec, escalation.backup, principal)
