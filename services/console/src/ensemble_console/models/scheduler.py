"""Scheduler's answers, as the console's pages read them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class ContentFields(Answer):
    channel: str
    title: str | None = None
    body: str
    tags: tuple[str, ...] = ()
    media: tuple[str, ...] = ()
    slot: datetime | None = None


class FieldChange(Answer):
    field: str
    before: Any
    after: Any


class ContentChanges(Answer):
    from_version: int
    to_version: int
    changed: list[FieldChange]
    unified: str


class LinkStep(Answer):
    name: str
    status: str


class LinkDecider(Answer):
    slot: str
    kind: str
    name: str
    approved: bool


class LinkView(Answer):
    """What a decision link asks (scheduler's `GET /approval-links/{token}`)."""

    content_id: str
    kind: str
    version: int
    fields: ContentFields
    step: str
    approver: str
    approver_name: str
    expires_at: datetime
    step_status: str
    approval_status: str
    quorum: str
    steps: list[LinkStep]
    others: list[LinkDecider]
    approved_version: int | None
    changes: ContentChanges | None

    @property
    def awaiting(self) -> bool:
        """The step still takes decisions (else the page says so and offers no buttons)."""
        return self.step_status == "open" and self.approval_status == "in_review"


class LinkDecided(Answer):
    step: str
    decision: str
    approval_status: str


# --- the staff console's content, approvals and calendar ----------------------------------


class ContentItem(Answer):
    """An item's latest version and where it stands (`GET /content/{id}`)."""

    id: str
    kind: str
    version: int
    fields: ContentFields
    created_by: str
    updated_by: str
    updated_at: datetime
    status: str
    approval_id: str | None = None

    @property
    def submittable(self) -> bool:
        return self.status in ("draft", "changes_requested")


class ContentPage(Answer):
    items: list[ContentItem]
    next_cursor: str | None = None


class Version(Answer):
    version: int
    fields: ContentFields
    author: str
    created_at: datetime
    changed: tuple[str, ...] = ()


class Comment(Answer):
    id: str
    author: str
    body: str
    version: int
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    created_at: datetime


class CommentPage(Answer):
    items: list[Comment]
    next_cursor: str | None = None


class StepState(Answer):
    name: str
    position: int
    status: str
    round: int
    quorum: str
    approved_by: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()


class DecisionMade(Answer):
    step: str
    round: int
    approver: str
    decision: str
    comment: str | None = None
    version: int
    via: str
    decided_at: datetime


class Approval(Answer):
    """A workflow's state (`GET /content/{id}/approval`): steps and every decision made."""

    id: str
    content_id: str
    policy: str
    status: str
    version: int
    requested_version: int
    requested_by: str
    requested_at: datetime
    current_step: str | None = None
    steps: list[StepState]
    decisions: list[DecisionMade]
    reason: str | None = None
    publishable: bool
    publishable_reason: str

    def open_step(self) -> StepState | None:
        if self.status != "in_review":
            return None
        return next((s for s in self.steps if s.status == "open"), None)

    def decided_by(self, subject: str, step: StepState) -> DecisionMade | None:
        """This person's decision on the step's current round, if they made one."""
        mine = f"user:{subject}"
        return next(
            (
                d
                for d in reversed(self.decisions)
                if d.approver == mine and d.step == step.name and d.round == step.round
            ),
            None,
        )


class Approvers(Answer):
    """Who may decide a step, or stand in for it once it falls due (a policy's step, or its
    backup)."""

    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()

    def include(self, subject: str, teams: tuple[str, ...], roles: tuple[str, ...]) -> bool:
        return (
            subject in self.people
            or bool(set(teams) & set(self.teams))
            or bool(set(roles) & set(self.roles))
        )


class ExternalApprover(Answer):
    id: str
    name: str
    email: str | None = None


class PolicyStep(Approvers):
    name: str
    external: tuple[ExternalApprover, ...] = ()
    quorum: str | int = "any"
    owns: tuple[str, ...] = ()
    sla_minutes: int | None = None
    remind_before_minutes: tuple[int, ...] | None = None
    backup: Approvers | None = None


class PolicyWhen(Answer):
    """The conditions an item meets to take a policy's path (each empty one always holds)."""

    kinds: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    sentiments: tuple[str, ...] = ()
    priorities: tuple[str, ...] = ()
    mention_tags: tuple[str, ...] = ()


class PolicyDeadlines(Answer):
    sla_minutes: int = 24 * 60
    remind_before_minutes: tuple[int, ...] = (60,)
    on_missed_slot: str = "reslot"


class Policy(Answer):
    name: str
    steps: list[PolicyStep]
    priority: int = 100
    description: str | None = None
    when: PolicyWhen = PolicyWhen()
    deadlines: PolicyDeadlines = PolicyDeadlines()
    allow_self_approval: bool = False

    def step(self, name: str) -> PolicyStep | None:
        return next((s for s in self.steps if s.name == name), None)


class PolicyChoice(Answer):
    policy: str
    steps: list[str]


class Reminder(Answer):
    minutes_before: int
    at: datetime


class StepDeadline(Answer):
    """When one opening of a step is due, its reminders, and who it escalates to."""

    step: str
    round: int
    opened_at: datetime
    due_at: datetime
    slot_at: datetime | None = None
    reminders: tuple[Reminder, ...] = ()
    backup: Approvers | None = None
    on_missed_slot: str = "reslot"


class Duty(Answer):
    """An item awaiting the signed-in person's decision: the open step they may decide."""

    item: ContentItem
    approval: Approval
    step: StepState
    due_at: datetime | None = None
    as_backup: bool = False


class Awaiting(Answer):
    """An item whose open step awaits the signed-in person (`GET /approvals/awaiting-me`)."""

    content_id: str
    kind: str
    channel: str
    title: str | None = None
    excerpt: str = ""
    version: int
    step: str
    due_at: datetime | None = None
    as_backup: bool = False
    requested_by: str
    requested_at: datetime


class AwaitingPage(Answer):
    items: list[Awaiting]
    next_cursor: str | None = None


def duty_of(
    item: ContentItem,
    approval: Approval,
    policy: Policy | None,
    deadlines: list[StepDeadline],
    *,
    subject: str,
    teams: tuple[str, ...],
    roles: tuple[str, ...],
    now: datetime,
) -> Duty | None:
    """Whether this person should decide the item now: the open step names them (by person,
    team or role; the policy as it is now, the workflow keeps the steps it was asked with) or
    it fell due and escalated to a backup they belong to; and they have not decided it yet."""
    step = approval.open_step()
    if step is None or approval.decided_by(subject, step) is not None:
        return None
    plan = next((d for d in deadlines if d.step == step.name and d.round == step.round), None)
    spec = policy.step(step.name) if policy else None
    named = spec is not None and spec.include(subject, teams, roles)
    backup = (
        plan is not None
        and plan.backup is not None
        and plan.due_at <= now
        and plan.backup.include(subject, teams, roles)
    )
    if not (named or backup):
        return None
    return Duty(
        item=item,
        approval=approval,
        step=step,
        due_at=plan.due_at if plan else None,
        as_backup=backup and not named,
    )


class CalendarEntry(Answer):
    content_id: str
    channel: str
    slot_at: datetime
    title: str | None = None
    status: str
    sequence: int
    platform_post_id: str | None = None


class QueueItem(Answer):
    """An approved item without a slot yet (scheduler's `GET /calendar/queue`)."""

    content_id: str
    channel: str
    title: str | None = None


class CalendarPage(Answer):
    items: list[CalendarEntry]
    truncated: bool = False


class WeeklySlot(Answer):
    days: tuple[str, ...]
    at: str


class SlotPlan(Answer):
    channel: str
    time_zone: str
    slots: tuple[WeeklySlot, ...] = ()
    teams: tuple[str, ...] = ()
    revision: int = 1
    updated_by: str = ""
    updated_at: datetime | None = None


class Scheduled(Answer):
    content_id: str
    channel: str
    slot_at: datetime
    sequence: int
    status: str


class Publication(Answer):
    content_id: str
    status: str
    platform_post_id: str | None = None
    url: str | None = None
    attempts: int = 0
    reason: str | None = None


class FeedLink(Answer):
    id: str
    url: str
    team: str | None = None
    expires_at: datetime


class Crisis(Answer):
    """A negative spike that holds scheduled posts (`GET /crises`)."""

    id: str
    topic: str
    count: int
    at: datetime
