"""The workflow's `StepClock`: the deadline planner, and the index of open steps kept with it.

A step's opening and closing are what both need to hear, and the plan is where the step's due
time is fixed, so the index (storage/open_steps.py) is written right after the plan: a crash
in between is repaired like the plan's, since the workflow calls `step_opened` again until the
step's opening is announced.
"""

from __future__ import annotations

from ensemble_scheduler.models.approvals import ApprovalRecord
from ensemble_scheduler.models.awaiting import OpenStep
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.services.deadline_plans import DeadlinePlanner
from ensemble_scheduler.storage.open_steps import OpenStepRepository
from ensemble_shared.auth import Principal


class IndexedClock:
    def __init__(self, planner: DeadlinePlanner, index: OpenStepRepository) -> None:
        self._planner = planner
        self._index = index

    async def step_opened(
        self, record: ApprovalRecord, position: int, round_: int, latest: ContentVersion
    ) -> None:
        plan = await self._planner.step_opened(record, position, round_, latest)
        spec, backup = record.steps[position], record.steps[position].backup
        await self._index.opened(
            OpenStep(
                content_id=record.content_id,
                workspace=record.workspace,
                approval_id=record.id,
                step=spec.name,
                round=round_,
                due_at=plan.due_at,
                people=spec.people,
                teams=spec.teams,
                roles=tuple(str(r) for r in spec.roles),
                backup_people=backup.people if backup else (),
                backup_teams=backup.teams if backup else (),
                backup_roles=tuple(str(r) for r in backup.roles) if backup else (),
                stamp=f"{record.number:06d}:{latest.version:09d}:{position:03d}",
            )
        )

    async def step_closed(self, record: ApprovalRecord, step: str, round_: int) -> None:
        await self._planner.step_closed(record, step, round_)
        await self._index.closed(record.content_id, record.id, step, round_)

    async def backup_slots(
        self, record: ApprovalRecord, step: str, round_: int, principal: Principal
    ) -> tuple[str, ...]:
        return await self._planner.backup_slots(record, step, round_, principal)
