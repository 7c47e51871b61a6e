"""Deadlines of approval steps: when each is due, when to remind, who it escalates to.

A step's due time is derived backwards from the publishing slot: the last step is due at the
slot, each earlier one by the SLAs of the steps after it. Without a slot, a step is due its SLA
after it opens. A step that opens after its derived due time is overdue from the start: it
escalates at once and gets no reminders.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.models.policies import Backup, Deadlines, MissedSlot, StepSpec
from ensemble_shared.auth import Principal

REMIND = "approval.reminder"
ESCALATE = "approval.escalation"
SLOT = "approval.slot_missed"
"""Timer kinds the deadline service registers for."""


def sla_of(spec: StepSpec, policy: Deadlines) -> timedelta:
    return timedelta(minutes=spec.sla_minutes or policy.sla_minutes)


def offsets_of(spec: StepSpec, policy: Deadlines) -> tuple[int, ...]:
    given = spec.remind_before_minutes
    return tuple(sorted(set(policy.remind_before_minutes if given is None else given)))


def due_time(
    steps: Sequence[StepSpec],
    position: int,
    *,
    opened_at: datetime,
    slot: datetime | None,
    policy: Deadlines,
) -> datetime:
    """When step `position` is due (never before it opened)."""
    if slot is None:
        return opened_at + sla_of(steps[position], policy)
    after = sum((sla_of(s, policy) for s in steps[position + 1 :]), timedelta())
    return max(slot - after, opened_at)


def reminder_times(
    due_at: datetime, offsets: Sequence[int], *, opened_at: datetime
) -> list[tuple[int, datetime]]:
    """(minutes before, when) of each reminder still ahead when the step opens."""
    times = [(m, due_at - timedelta(minutes=m)) for m in offsets]
    return [(m, at) for m, at in times if at > opened_at]


def plan_key(approval_id: str, step: str, round_: int, slot: datetime | None) -> str:
    """One plan per opening of a step and per slot: a re-slot re-plans the open step."""
    return f"{approval_id}:{step}:{round_}:{slot.isoformat() if slot else 'sla'}"


class Reminder(BaseModel):
    model_config = ConfigDict(frozen=True)

    minutes_before: int
    at: datetime


class StepPlan(BaseModel):
    """The deadlines of one opening of one step, fixed when it opened (first writer wins)."""

    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    content_id: str
    approval_id: str
    step: str
    position: int
    round: int
    opened_at: datetime
    slot_at: datetime | None
    due_at: datetime
    reminders: tuple[Reminder, ...] = Field(description="Each reminder still ahead at opening.")
    backup: Backup | None = None
    on_missed_slot: MissedSlot = "reslot"

    def timer_id(self, what: str) -> str:
        return f"deadline:{self.id}:{what}"

    def payload(self, **extra: Any) -> dict[str, Any]:
        return {
            "plan": self.id,
            "approval_id": self.approval_id,
            "content_id": self.content_id,
            "step": self.step,
            "round": self.round,
            **extra,
        }


def plan_step(
    record: ApprovalRecord,
    position: int,
    round_: int,
    latest: ContentVersion,
    policy: Deadlines,
    *,
    opened_at: datetime,
) -> StepPlan:
    spec = record.steps[position]
    slot = latest.fields.slot
    due = due_time(record.steps, position, opened_at=opened_at, slot=slot, policy=policy)
    return StepPlan(
        id=plan_key(record.id, spec.name, round_, slot),
        workspace=record.workspace,
        content_id=record.content_id,
        approval_id=record.id,
        step=spec.name,
        position=position,
        round=round_,
        opened_at=opened_at,
        slot_at=slot,
        due_at=due,
        reminders=tuple(
            Reminder(minutes_before=m, at=at)
            for m, at in reminder_times(due, offsets_of(spec, policy), opened_at=opened_at)
        ),
        backup=spec.backup,
        on_missed_slot=policy.on_missed_slot,
    )


class Escalation(BaseModel):
    """A step's round escalated to its backup approvers (inserted once; decisions read it)."""

    model_config = ConfigDict(frozen=True)

    approval_id: str
    step: str
    round: int
    backup: Backup
    at: datetime


def backup_covers(spec: StepSpec, backup: Backup, principal: Principal) -> tuple[str, ...]:
    """A backup stands in for the whole step: their approval covers every approver slot (so
    quorum any and all are met; a quorum of N counts them once)."""
    teams, roles = set(principal.teams), {str(r) for r in principal.roles}
    if (
        principal.subject in backup.people
        or teams & set(backup.teams)
        or roles & {str(r) for r in backup.roles}
    ):
        return spec.slots()
    return ()
