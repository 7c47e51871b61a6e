"""Deadline facts, insert-only: step plans, reminders sent, escalations, missed slots.

- plan `{approval}:{step}:{round}:{slot}`: the first opener's due times stand;
- notice `{plan}:remind:{minutes}` / `{approval}:missed:{slot}`: each announced once;
- escalation `{approval}:{step}:{round}`: backups join a step's round once, and decisions read it.
"""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_scheduler.models.deadlines import Escalation, StepPlan
from ensemble_shared.events import Event
from ensemble_shared.outbox import FIELD, Outbox
from ensemble_shared.storage import ASCENDING, Collection, Document, Index
from ensemble_shared.storage.idempotency import insert_new

PLANS = "approval_deadlines"
NOTICES = "approval_deadline_notices"
ESCALATIONS = "approval_escalations"


def escalation_key(approval_id: str, step: str, round_: int) -> str:
    return f"{approval_id}:{step}:{round_}"


class DeadlineRepository:
    INDEXES = {
        PLANS: [Index([("approval_id", ASCENDING), ("step", ASCENDING)], name="by_step")],
    }

    def __init__(
        self, plans: Collection, notices: Collection, escalations: Collection, outbox: Outbox
    ) -> None:
        self.plans = plans
        self.notices = notices
        self.escalations = escalations
        self._outbox = outbox

    async def insert_plan(self, plan: StepPlan) -> StepPlan:
        """The stored plan for this key: ours if we were first, else the first one."""
        document = {"_id": plan.id, **plan.model_dump(mode="python", exclude={"id"})}
        if await insert_new(self.plans, [document]):
            return plan
        stored = await self.plan(plan.id)
        assert stored is not None
        return stored

    async def plan(self, plan_id: str) -> StepPlan | None:
        document = await self.plans.find_one({"_id": plan_id})
        return StepPlan.model_validate({**document, "id": plan_id}) if document else None

    async def plans_of(self, approval_id: str) -> list[StepPlan]:
        cursor = self.plans.find({"approval_id": approval_id}).sort("opened_at", ASCENDING)
        return [StepPlan.model_validate({**d, "id": d["_id"]}) async for d in cursor]

    async def insert_notice(self, key: str, document: Document, events: Sequence[Event]) -> bool:
        """False when this notice went out before."""
        return await self._outbox.insert_one(self.notices, {"_id": key, **document}, events)

    async def insert_escalation(self, escalation: Escalation, events: Sequence[Event]) -> bool:
        key = escalation_key(escalation.approval_id, escalation.step, escalation.round)
        document = {"_id": key, **escalation.model_dump(mode="python")}
        document["backup"] = escalation.backup.model_dump(mode="json")
        return await self._outbox.insert_one(self.escalations, document, events)

    async def escalation(self, approval_id: str, step: str, round_: int) -> Escalation | None:
        document = await self.escalations.find_one(
            {"_id": escalation_key(approval_id, step, round_)}, {FIELD: 0}
        )
        return Escalation.model_validate(document) if document else None
