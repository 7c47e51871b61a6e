"""An approval workflow's facts as read together (the request, the versions since, decisions,
outcomes) with the state folded from them, and how the API shows them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ensemble_scheduler.models.approvals import (
    ApprovalRecord,
    ApprovalView,
    DecisionRecord,
    DecisionView,
    OutcomeRecord,
    StepView,
)
from ensemble_scheduler.models.content import ContentVersion
from ensemble_scheduler.services.workflow import ApprovalState, missing_slots, publishable


@dataclass(frozen=True)
class Facts:
    record: ApprovalRecord
    versions: list[ContentVersion]
    decisions: list[DecisionRecord]
    outcomes: list[OutcomeRecord]
    state: ApprovalState

    @property
    def latest(self) -> ContentVersion:
        return self.versions[-1]


def shown_status(status: str) -> str:
    """An item's status from its workflow's: a rejected item is a draft again."""
    return "draft" if status == "rejected" else status


def approval_view(facts: Facts) -> ApprovalView:
    """The workflow as the API shows it."""
    state, record = facts.state, facts.record
    verdict = publishable(facts.latest, state)
    status: Literal["in_review", "changes_requested", "approved", "rejected"] = state.status
    return ApprovalView(
        id=record.id,
        content_id=record.content_id,
        policy=record.policy,
        status=status,
        version=state.version,
        requested_version=record.version,
        requested_by=record.requested_by,
        requested_at=record.requested_at,
        current_step=state.current.name if state.current else None,
        steps=[
            StepView(
                name=s.name,
                position=s.position,
                status=s.status,
                round=s.round,
                quorum=str(s.spec.quorum),
                owns=s.spec.owns,
                approved_by=tuple(s.approvals),
                missing=missing_slots(s.spec, s.approvals) if s.status == "open" else (),
            )
            for s in state.steps
        ],
        decisions=[
            DecisionView(
                step=d.step,
                round=d.round,
                approver=d.approver,
                decision=d.decision,
                comment=d.comment,
                version=d.version,
                via=d.via,
                decided_at=d.decided_at,
            )
            for d in sorted(facts.decisions, key=lambda d: (d.decided_at, d.approver))
        ],
        reason=state.reason,
        publishable=verdict.ok,
        publishable_reason=verdict.reason,
    )
