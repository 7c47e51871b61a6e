"""Member activity: what a member did (kept under the identity that acted), their timeline and
the engagement score weighed from it (its formula: ensemble_shared.engagement)."""

from __future__ import annotations

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
