"""Member activity: what a member did (kept under the identity that acted), their timeline and
the engagement score weighed from it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ActivityKind = Literal[
    "submission", "vote", "comment", "attendance", "rsvp", "mention", "suggestion"
]


class Activity(BaseModel):
    """One thing a member did; its id is natural (kind + ref), so recording it twice is a no-op."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    member_id: str
    kind: ActivityKind
    ref: str  # the submission, comment, field event or mention it is about
    at: datetime

    @property
    def activity_id(self) -> str:
        return f"{self.workspace}:{self.kind}:{self.ref}:{self.member_id}"


class EngagementWeights(BaseModel):
    """Points per activity kind (Orbit-style); a kind left out keeps its default."""

    model_config = ConfigDict(extra="forbid")

    submission: float = Field(default=5, ge=0, le=1000)
    comment: float = Field(default=3, ge=0, le=1000)
    vote: float = Field(default=1, ge=0, le=1000)
    attendance: float = Field(default=8, ge=0, le=1000)
    rsvp: float = Field(default=1, ge=0, le=1000)
    mention: float = Field(default=2, ge=0, le=1000)
    suggestion: float = Field(default=2, ge=0, le=1000)

    def of(self, kind: str) -> float:
        value = getattr(self, kind, 0.0)
        return float(value) if isinstance(value, int | float) else 0.0


def engagement(counts: Mapping[str, int], weights: EngagementWeights) -> float:
    """The weighted sum of distinct activities per kind."""
    return float(sum(weights.of(kind) * n for kind, n in counts.items()))


class TimelineItem(BaseModel):
    kind: ActivityKind
    ref: str
    member_id: str | None = Field(description="The identity that acted (None for mentions).")
    at: datetime
    detail: str | None = Field(default=None, description="Mention excerpt, for mentions.")


class Timeline(BaseModel):
    member_id: str
    engagement: float
    counts: dict[str, int]
    items: list[TimelineItem]
    next_cursor: str | None = None
