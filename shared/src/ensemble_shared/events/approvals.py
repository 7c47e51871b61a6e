"""Events of the approvals stream, produced by scheduler (key: content item id)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.disclosure import CAPABILITY
from ensemble_shared.events.envelope import Event, Payload

Decision = Literal["approve", "reject", "request_changes"]


class ApprovalRequestData(Payload):
    """A content item entering an approval workflow."""

    approval_id: str
    content_id: str
    policy: str
    steps: tuple[str, ...] = Field(description="Step names in the order they run.")
    version: int | None = Field(default=None, description="The content version submitted.")
    requested_by: str | None = None
    kind: str | None = Field(default=None, description="Content kind: post, reply, ...")
    channel: str | None = None


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
    round: int | None = Field(default=None, description="Opening of the step (0, then +1).")
    version: int | None = Field(default=None, description="The content version decided on.")
    via: Literal["api", "link"] | None = Field(
        default=None, description="`link` for an external approver's signed link."
    )


class ApprovalStepDecidedV1(Event):
    """Sent by scheduler when an approver decides a step."""

    type: Literal["approval.step_decided.v1"] = "approval.step_decided.v1"
    data: StepDecisionData


class ApprovalLink(Payload):
    """A signed, expiring, single-use link an approver decides through, without signing in."""

    approver: str = Field(
        description="The external approver's id in the policy, or `person:<id>` for a person."
    )
    name: str
    email: str | None = None
    url: str = Field(
        description="GET shows the item; POST {decision, comment} decides. A capability: only "
        "its approver gets it (never integrators, never the delivery log).",
        json_schema_extra=CAPABILITY,
    )
    expires_at: datetime


class StepOpenedData(Payload):
    """A step now awaiting decisions: who may decide it, and the links they decide through.

    `links` are for outside approvers (email only); `person_links` for each person the step
    names, so their chat and email notifications carry working approve / reject buttons.
    Teams and roles get none: the decider must be known, and only their sign-in says who.
    """

    approval_id: str
    content_id: str
    step: str
    round: int
    position: int = Field(description="0-based index of the step in the workflow.")
    version: int
    quorum: str = Field(description='"any", "all", or a number of approvers.')
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    links: tuple[ApprovalLink, ...] = ()
    person_links: tuple[ApprovalLink, ...] = ()
    title: str | None = None
    channel: str | None = None


class ApprovalStepOpenedV1(Event):
    """Sent by scheduler when a step starts (or starts again after an edit) awaiting decisions."""

    type: Literal["approval.step_opened.v1"] = "approval.step_opened.v1"
    data: StepOpenedData


class ApprovalOutcomeData(Payload):
    """How a workflow (or one of its steps) ended."""

    approval_id: str
    content_id: str
    version: int = Field(description="The content version the outcome is about.")
    step: str | None = Field(default=None, description="The step that decided it, if one did.")
    decided_by: str | None = None
    reason: str | None = None


class ApprovalCompletedV1(Event):
    """Sent by scheduler when every step of a workflow is approved for the current version."""

    type: Literal["approval.completed.v1"] = "approval.completed.v1"
    data: ApprovalOutcomeData


class ApprovalRejectedV1(Event):
    """Sent by scheduler when a step is rejected: the item is back to draft, with the reason."""

    type: Literal["approval.rejected.v1"] = "approval.rejected.v1"
    data: ApprovalOutcomeData


class ApprovalChangesRequestedV1(Event):
    """Sent by scheduler when an approver asks for changes; the next edit re-opens the step."""

    type: Literal["approval.changes_requested.v1"] = "approval.changes_requested.v1"
    data: ApprovalOutcomeData


class DeadlineData(Payload):
    """A step's deadline and the people it concerns (for reminders and escalations)."""

    approval_id: str
    content_id: str
    step: str
    round: int
    due_at: datetime = Field(description="When the step is due.")
    slot_at: datetime | None = Field(
        default=None, description="The publishing slot the due time was derived from."
    )
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    title: str | None = None
    channel: str | None = None


class ReminderDueData(DeadlineData):
    """A reminder to the open step's approvers."""

    minutes_before: int = Field(description="How long before the due time this reminder is.")


class ApprovalReminderDueV1(Event):
    """Sent by scheduler at each configured offset before an open step is due."""

    type: Literal["approval.reminder_due.v1"] = "approval.reminder_due.v1"
    data: ReminderDueData


class EscalationData(DeadlineData):
    """A step fell due undecided: its backup approvers may now decide it."""

    backup_people: tuple[str, ...] = ()
    backup_teams: tuple[str, ...] = ()
    backup_roles: tuple[str, ...] = ()


class ApprovalEscalatedV1(Event):
    """Sent by scheduler when an open step is due: its backup approvers are added to it."""

    type: Literal["approval.escalated.v1"] = "approval.escalated.v1"
    data: EscalationData


class ExpiryData(Payload):
    """A workflow that ran out of time: the item is a draft again."""

    approval_id: str
    content_id: str
    version: int
    step: str = Field(description="The step that was open when the slot was missed.")
    slot_at: datetime
    reason: str


class ApprovalExpiredV1(Event):
    """Sent by scheduler when the publishing slot passes before approval and the policy says
    `expire`: the workflow ends and the item is back to draft."""

    type: Literal["approval.expired.v1"] = "approval.expired.v1"
    data: ExpiryData
