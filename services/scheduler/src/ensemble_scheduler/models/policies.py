"""Approval policies: which path an item takes (rules) and the ordered steps of that path."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ensemble_scheduler.models.content import CONTENT_FIELDS, ContentKind, FieldName
from ensemble_shared.auth import Role

Slug = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]
Quorum = Literal["any", "all"] | Annotated[int, Field(ge=1, le=50)]
Sentiment = Literal["positive", "neutral", "negative"]
Priority = Literal["low", "normal", "high", "urgent"]
MissedSlot = Literal["reslot", "expire", "hold"]
Minutes = Annotated[int, Field(ge=1, le=60 * 24 * 90)]
NON_DECIDING = frozenset({Role.MEMBER, Role.VIEWER, Role.SERVICE})
"""Roles a step cannot name: they never decide (viewers only read)."""


class Backup(BaseModel):
    """Who a step escalates to when it falls due undecided: they may then decide it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    people: tuple[Slug, ...] = ()
    teams: tuple[Slug, ...] = ()
    roles: tuple[Role, ...] = ()

    @model_validator(mode="after")
    def _someone(self) -> Backup:
        if not (self.people or self.teams or self.roles):
            raise ValueError("backup: name at least one person, team or role")
        if NON_DECIDING & set(self.roles):
            raise ValueError("backup: members, viewers and services cannot approve")
        return self


class Deadlines(BaseModel):
    """Policy-wide timing: how long a step may take, when to remind, and what a missed
    publishing slot does to a workflow still under way."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sla_minutes: Minutes = Field(
        default=24 * 60, description="Time a step gets when no publishing slot sets its due time."
    )
    remind_before_minutes: tuple[Minutes, ...] = Field(
        default=(60,), max_length=5, description="Reminders this long before a step is due."
    )
    on_missed_slot: MissedSlot = Field(
        default="reslot",
        description=(
            "When the slot passes before approval: reslot (next free calendar slot), expire "
            "(back to draft) or hold (wait for a person to pick a new slot)."
        ),
    )


class ExternalApprover(BaseModel):
    """Someone without an account (a client, outside counsel): decides through signed links."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    name: str = Field(min_length=1, max_length=200)
    email: str | None = Field(default=None, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")


class StepSpec(BaseModel):
    """One step: who may decide it, how many must approve, and which fields it answers for.

    Approver slots are each person, each team (any member fills it), each role and each
    external approver. Quorum `any`: one approval; `all`: every slot covered by an approval;
    N: N distinct approvers.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Slug
    people: tuple[Slug, ...] = ()
    teams: tuple[Slug, ...] = ()
    roles: tuple[Role, ...] = ()
    external: tuple[ExternalApprover, ...] = ()
    quorum: Quorum = "any"
    owns: tuple[FieldName, ...] = Field(
        default=CONTENT_FIELDS,
        description=(
            "Fields this step answers for: an edit of one re-opens the step. Default: every "
            "content field (not the slot)."
        ),
    )
    sla_minutes: Minutes | None = Field(
        default=None, description="This step's time, overriding the policy's deadlines."
    )
    remind_before_minutes: tuple[Minutes, ...] | None = Field(
        default=None, max_length=5, description="This step's reminders, overriding the policy's."
    )
    backup: Backup | None = Field(
        default=None, description="Who the step escalates to when it falls due undecided."
    )

    @model_validator(mode="after")
    def _decidable(self) -> StepSpec:
        if not (self.people or self.teams or self.roles or self.external):
            raise ValueError(f"step {self.name!r}: name at least one approver")
        if NON_DECIDING & set(self.roles):
            raise ValueError(f"step {self.name!r}: members, viewers and services cannot approve")
        if isinstance(self.quorum, int) and not (self.teams or self.roles):
            countable = len(set(self.people)) + len({e.id for e in self.external})
            if self.quorum > countable:
                raise ValueError(
                    f"step {self.name!r}: quorum {self.quorum} exceeds its {countable} approvers"
                )
        if len({e.id for e in self.external}) != len(self.external):
            raise ValueError(f"step {self.name!r}: external approver ids must be unique")
        return self

    def slots(self) -> tuple[str, ...]:
        return (
            *(f"person:{p}" for p in dict.fromkeys(self.people)),
            *(f"team:{t}" for t in dict.fromkeys(self.teams)),
            *(f"role:{r}" for r in dict.fromkeys(self.roles)),
            *(f"external:{e.id}" for e in self.external),
        )

    def external_approver(self, approver_id: str) -> ExternalApprover | None:
        return next((e for e in self.external if e.id == approver_id), None)

    def link_holder(self, approver: str) -> LinkHolder | None:
        """Who a signed link of this step decides for: a person the step names
        (`person:<id>`, recorded as that user) or one of its external approvers."""
        kind, _, person = approver.partition(":")
        if kind == "person" and person in self.people:
            return LinkHolder(approver=f"user:{person}", name=person, covers=(approver,))
        external = self.external_approver(approver)
        if external is None:
            return None
        slot = f"external:{external.id}"
        return LinkHolder(approver=slot, name=external.name, covers=(slot,))


class LinkHolder(BaseModel):
    """The approver a link decides as, and the step's slots that decision fills."""

    model_config = ConfigDict(frozen=True)

    approver: str
    name: str
    covers: tuple[str, ...]


class When(BaseModel):
    """Conditions on an item; every given condition must hold, an empty one always holds.

    `sentiments`, `priorities` and `mention_tags` look at the triage of the mention a reply
    answers; an item that answers no mention never matches them.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kinds: tuple[ContentKind, ...] = ()
    channels: tuple[str, ...] = ()
    tags: tuple[str, ...] = Field(default=(), description="Item has any of these tags.")
    sentiments: tuple[Sentiment, ...] = ()
    priorities: tuple[Priority, ...] = ()
    mention_tags: tuple[str, ...] = Field(default=(), description="Mention has any of these.")

    def needs_triage(self) -> bool:
        return bool(self.sentiments or self.priorities or self.mention_tags)


class PolicyIn(BaseModel):
    """A policy as an admin writes it (PUT /approval-policies/{name})."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    priority: int = Field(default=100, ge=0, le=100_000, description="Lower is tried first.")
    description: str | None = Field(default=None, max_length=1_000)
    when: When = Field(default_factory=When)
    steps: tuple[StepSpec, ...] = Field(min_length=1, max_length=20)
    deadlines: Deadlines = Field(default_factory=Deadlines)
    allow_self_approval: bool = Field(
        default=False,
        description=(
            "Whether the person who requests approval may approve a step themselves. Off by "
            "default: their approval is refused (403, reason self_approval) and no decision "
            "link is sent to them; a step that needs them waits for its other approvers or "
            "its backup."
        ),
    )

    @model_validator(mode="after")
    def _unique_steps(self) -> PolicyIn:
        names = [s.name for s in self.steps]
        if len(names) != len(set(names)):
            raise ValueError("steps: step names must be unique within a policy")
        return self


class Policy(PolicyIn):
    """A stored policy of one workspace."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: Slug
    workspace: str


class PolicyPage(BaseModel):
    items: list[Policy]
    next_cursor: str | None = None
