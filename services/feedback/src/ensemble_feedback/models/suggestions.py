"""Suggestions: social mentions triaged as request/feedback, proposed to a manager for the board.

A suggestion is stored once per mention and never rewritten; a manager's decision is a second,
insert-only record, and what confirming did (the submission created or voted on) a third.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.events import SocialOrigin, SubmissionKind

SuggestionAction = Literal["new_submission", "vote"]
SuggestionStatus = Literal["pending", "confirmed", "dismissed"]
Decision = Literal["confirmed", "dismissed"]

_NAMESPACE = uuid.UUID("5b0c7a4e-1f3d-4e8a-9c61-2d7f0e9b8a34")


def suggestion_id(workspace: str, mention_id: str) -> str:
    """Derived from the mention: a redelivered or re-triaged mention maps to the same one."""
    return str(uuid.uuid5(_NAMESPACE, f"{workspace}\x1f{mention_id}"))


def submission_id_for(suggestion: str) -> str:
    """The submission a confirmed new_submission creates: the same on every retry."""
    return str(uuid.uuid5(_NAMESPACE, f"submission\x1f{suggestion}"))


class Suggestion(BaseModel):
    """As proposed when the mention came in."""

    id: str
    workspace: str
    mention_id: str
    action: SuggestionAction
    submission_id: str | None = Field(
        default=None, description="For a vote: the similar submission to vote on."
    )
    similar_title: str | None = None
    score: float | None = Field(default=None, description="Similarity 0..100 of that submission.")
    member_id: str | None = Field(
        default=None, description="The member linked to the author's handle when it came in."
    )
    kind: SubmissionKind = Field(description="What the submission would be: idea or feedback.")
    title: str
    body: str
    origin: SocialOrigin
    created_at: datetime


class DecisionRecord(BaseModel):
    """A manager's decision; the first one recorded stands."""

    suggestion_id: str
    workspace: str
    decision: Decision
    by: str
    at: datetime
    reason: str | None = None
    title: str | None = Field(default=None, description="Title override for a new submission.")
    kind: SubmissionKind | None = None


class Outcome(BaseModel):
    """What confirming did on the board."""

    suggestion_id: str
    action: SuggestionAction
    submission_id: str
    member_id: str = Field(description="Who it is credited to (author or voter).")
    on_behalf: bool = Field(
        description="True when no member was linked and the manager published it in their name."
    )
    votes: int | None = None
    at: datetime


class SuggestionView(Suggestion):
    status: SuggestionStatus
    decision: DecisionRecord | None = None
    outcome: Outcome | None = None

    @classmethod
    def of(
        cls, suggestion: Suggestion, decision: DecisionRecord | None, outcome: Outcome | None
    ) -> SuggestionView:
        status: SuggestionStatus = "pending"
        if decision is not None and decision.decision == "dismissed":
            status = "dismissed"
        elif decision is not None and outcome is not None:
            status = "confirmed"
        return cls(**suggestion.model_dump(), status=status, decision=decision, outcome=outcome)


class SuggestionPage(BaseModel):
    items: list[SuggestionView]
    next_cursor: str | None = None


class ConfirmSuggestion(BaseModel):
    """A manager may retitle or re-kind a new submission; nothing else is theirs to set here."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(default=None, min_length=3, max_length=300)
    kind: SubmissionKind | None = None


class DismissSuggestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=1000)
