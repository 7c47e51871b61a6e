"""Approval workflows as stored facts (requests, decisions, outcomes) and as the API shows them."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ensemble_scheduler.models.content import ContentDiff, ContentFields, ContentKind
from ensemble_scheduler.models.policies import StepSpec

DecisionKind = Literal["approve", "reject", "request_changes"]
OutcomeKind = Literal["approved", "rejected", "changes_requested"]
StepStatus = Literal["pending", "open", "approved", "changes_requested", "rejected"]
ApprovalStatus = Literal["in_review", "changes_requested", "approved", "rejected"]


class ApprovalRecord(BaseModel):
    """A request for approval: the policy's steps as they were when it was asked (a later
    policy edit never changes a workflow under way)."""

    model_config = ConfigDict(frozen=True)

    id: str
    number: int = Field(ge=1, description="1 for the item's first request, then +1.")
    content_id: str
    workspace: str
    policy: str
    steps: tuple[StepSpec, ...]
    version: int = Field(description="The content version submitted.")
    requested_by: str
    requested_at: datetime
    allow_self_approval: bool = Field(
        default=False, description="The policy's: may the requester approve a step themselves."
    )

    def approves_own(self, approver: str) -> bool:
        """Whether `approver` (user:<subject>, external:<id>) approving would be the requester
        approving their own request while the policy does not allow it."""
        return not self.allow_self_approval and approver == f"user:{self.requested_by}"


class DecisionRecord(BaseModel):
    """One approver's decision on one opening (round) of one step; never rewritten."""

    model_config = ConfigDict(frozen=True)

    approval_id: str
    step: str
    round: int
    approver: str = Field(description="user:<subject> or external:<id>.")
    covers: tuple[str, ...] = Field(description="The step's approver slots this approver fills.")
    decision: DecisionKind
    comment: str | None = None
    version: int
    via: Literal["api", "link"] = "api"
    link_id: str | None = Field(
        default=None, description="The signed link it was decided through; deciding spends it."
    )
    decided_at: datetime


class OutcomeRecord(BaseModel):
    """How one round of one step ended. Inserted under the key (approval, step, round): the
    first insert wins, so concurrent deciders can never finish a step twice or two ways."""

    model_config = ConfigDict(frozen=True)

    approval_id: str
    step: str
    round: int
    outcome: OutcomeKind
    version: int = Field(description="The latest content version when the outcome was fixed.")
    decided_by: str | None = None
    reason: str | None = None
    at: datetime


class DecisionIn(BaseModel):
    """An approver's decision on the step now open."""

    model_config = ConfigDict(extra="forbid")

    step: str = Field(min_length=1, max_length=64, description="The step decided (must be open).")
    decision: DecisionKind
    comment: str | None = Field(default=None, min_length=1, max_length=5_000)
    version: int | None = Field(
        default=None, ge=1, description="The version looked at; 409 if the item changed since."
    )

    @model_validator(mode="after")
    def _reasoned(self) -> DecisionIn:
        require_reason(self.decision, self.comment)
        return self


class LinkDecisionIn(BaseModel):
    """An external approver's decision through a signed link."""

    model_config = ConfigDict(extra="forbid")

    decision: DecisionKind
    comment: str | None = Field(default=None, min_length=1, max_length=5_000)

    @model_validator(mode="after")
    def _reasoned(self) -> LinkDecisionIn:
        require_reason(self.decision, self.comment)
        return self


def require_reason(decision: DecisionKind, comment: str | None) -> None:
    if decision != "approve" and not (comment and comment.strip()):
        raise ValueError(f"comment: a reason is required to {decision.replace('_', ' ')}")


class ApprovalRequestIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    comment: str | None = Field(default=None, max_length=5_000)


class StepView(BaseModel):
    name: str
    position: int
    status: StepStatus
    round: int
    quorum: str
    owns: tuple[str, ...]
    approved_by: tuple[str, ...]
    missing: tuple[str, ...] = Field(description="Slots still uncovered (quorum `all`).")


class DecisionView(BaseModel):
    step: str
    round: int
    approver: str
    decision: DecisionKind
    comment: str | None
    version: int
    via: str
    decided_at: datetime


class ApprovalView(BaseModel):
    id: str
    content_id: str
    policy: str
    status: ApprovalStatus
    version: int = Field(description="The content version this state is about.")
    requested_version: int
    requested_by: str
    requested_at: datetime
    current_step: str | None
    steps: list[StepView]
    decisions: list[DecisionView]
    reason: str | None = None
    publishable: bool
    publishable_reason: str


class PolicyChoice(BaseModel):
    policy: str
    steps: list[str]


class LinkStep(BaseModel):
    name: str
    status: StepStatus


class LinkDecider(BaseModel):
    """Someone else who may decide the same step, and whether their slot is approved."""

    slot: str = Field(description="person:<id>, team:<name>, role:<role> or external:<id>.")
    kind: Literal["person", "team", "role", "external"]
    name: str
    approved: bool


class LinkView(BaseModel):
    """What an approver sees behind a link (the console's decision page)."""

    content_id: str
    kind: ContentKind
    version: int
    fields: ContentFields
    step: str
    approver: str
    approver_name: str
    expires_at: datetime
    step_status: StepStatus
    approval_status: ApprovalStatus
    quorum: str = Field(description="any, all, or a number of approvers.")
    steps: list[LinkStep] = Field(description="The whole path, in order.")
    others: list[LinkDecider] = Field(description="Who else decides this step.")
    approved_version: int | None = Field(
        description="The newest earlier version a step approved; None if none was."
    )
    changes: ContentDiff | None = Field(description="From approved_version to this version.")
