"""Events of the approvals stream, produced by scheduler."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload

Decision = Literal["approve", "reject", "request_changes"]


class ApprovalRequestData(Payload):
    """A content item entering an approval workflow."""

    approval_id: str
    content_id: str
    policy: str
    steps: tuple[str, ...] = Field(description="Step names in the order they run.")


class ApprovalRequestedV1(Event):
    """Sent by scheduler when a content item is submitted for approval."""

    type: Literal["approval.requested.v1"] = "approval.requested.v1"
    data: ApprovalRequestData


class StepDecisionData(Payload):
    """One approver's decision on one step."""

    approval_id: str
    content_id: str
    step: str
    decision: Decision
    decided_by: str
    comment: str | None = None


class ApprovalStepDecidedV1(Event):
    """Sent by scheduler when an approver decides a step."""

    type: Literal["approval.step_decided.v1"] = "approval.step_decided.v1"
    data: StepDecisionData
