"""Routing rules as data: which events reach whom, per workspace, with defaults.

A rule matches event types by glob (`approval.*`, `mention.assigned.v1`, `*`) and names its
recipients by spec:

- `approvers`: the people, teams and outside approvers of an opened approval step;
- `backup`: the backup people or team of an escalated approval;
- `assignee`: the person a mention is assigned to, else the team's members;
- `audience`: the members an event's `audience` lists (consents re-checked here);
- `member` / `author`: the member an event is about / who wrote the submission;
- `team:<name>`: every member of a team;
- `on_call` / `on_call:<team>`: who is on call now in the workspace's on-call team / a team;
- `person:<id>`: one person of the directory.

Every matching rule adds its recipients; a person reached by several rules is notified once.
"""

from __future__ import annotations

import fnmatch
import re
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ensemble_notify.models.deliveries import ChannelName
from ensemble_shared.events import utcnow

SPEC = re.compile(
    r"^(approvers|backup|assignee|audience|member|author|on_call"
    r"|(on_call|team|person):[^\s$]{1,200})$"
)
EVENT_GLOB = re.compile(r"^[a-z0-9_.*?\[\]-]{1,100}$")


def event_glob(value: str) -> str:
    if not EVENT_GLOB.match(value):
        raise ValueError(f"{value!r} is not an event type or glob (e.g. approval.* or *)")
    return value


def matches(pattern: str, event_type: str) -> bool:
    return fnmatch.fnmatchcase(event_type, pattern)


class RoutingRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event: str = Field(description="Event type or glob: mention.assigned.v1, approval.*, *.")
    recipients: tuple[str, ...] = Field(
        min_length=1,
        max_length=20,
        description="approvers, backup, assignee, audience, member, author, on_call, "
        "on_call:<team>, team:<name>, person:<id>.",
    )
    channels: tuple[ChannelName, ...] | None = Field(
        default=None,
        description="Only these channels (default: every address the recipient has).",
    )
    urgent: bool = Field(
        default=False, description="Delivered during the recipient's quiet hours too."
    )
    description: str | None = Field(default=None, max_length=300)

    @field_validator("event")
    @classmethod
    def _event(cls, value: str) -> str:
        return event_glob(value)

    @field_validator("recipients")
    @classmethod
    def _recipients(cls, specs: tuple[str, ...]) -> tuple[str, ...]:
        for spec in specs:
            if not SPEC.match(spec):
                raise ValueError(f"{spec!r} is not a recipient spec")
        return specs

    def matches(self, event_type: str) -> bool:
        return matches(self.event, event_type)


DEFAULT_RULES: tuple[RoutingRule, ...] = (
    RoutingRule(event="approval.step_opened.v1", recipients=("approvers",)),
    RoutingRule(event="approval.reminder_due.v1", recipients=("approvers",)),
    RoutingRule(event="approval.escalated.v1", recipients=("backup",), urgent=True),
    RoutingRule(event="mention.assigned.v1", recipients=("assignee",)),
    RoutingRule(event="mention.spike_detected.v1", recipients=("on_call",), urgent=True),
    RoutingRule(event="submission.status_changed.v1", recipients=("audience",)),
    RoutingRule(event="submission.commented.v1", recipients=("audience",)),
    RoutingRule(event="event.rsvp.v1", recipients=("member",)),
    RoutingRule(event="event.followup_invited.v1", recipients=("member",)),
    # Insights names the report's readers like a step's approvers (people, teams, roles).
    RoutingRule(
        event="insights.report_published.v1",
        recipients=("approvers",),
        channels=(ChannelName.EMAIL, ChannelName.IN_APP),
    ),
)


class RoutingRulesPut(BaseModel):
    """The whole rule set of a workspace, replaced at once (rules are read as a list)."""

    model_config = ConfigDict(extra="forbid")

    rules: list[RoutingRule] = Field(max_length=100)
    on_call_team: str | None = Field(
        default=None,
        max_length=200,
        description="The team `on_call` means; unset: every team that has someone on call.",
    )


class RoutingRules(BaseModel):
    workspace: str
    rules: list[RoutingRule]
    on_call_team: str | None = None
    defaults: bool = Field(
        default=False, description="True when the workspace has no rules of its own yet."
    )
    version: int = 0
    updated_at: datetime = Field(default_factory=utcnow)

    @classmethod
    def default(cls, workspace: str) -> RoutingRules:
        return cls(workspace=workspace, rules=list(DEFAULT_RULES), defaults=True)

    def matching(self, event_type: str) -> list[RoutingRule]:
        return [rule for rule in self.rules if rule.matches(event_type)]
