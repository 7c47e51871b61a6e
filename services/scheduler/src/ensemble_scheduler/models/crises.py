"""Crisis mode: a negative spike (the crisis), the items it holds back, and their release."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Hold(BaseModel):
    """A scheduled item held back by a crisis until communication + legal release it."""

    model_config = ConfigDict(frozen=True)

    hold_id: str
    crisis_id: str
    content_id: str
    workspace: str
    channel: str
    slot_at: datetime | None
    at: datetime
    released_at: datetime | None = None
    released_by: str | None = None
    resolution: Literal["released", "rejected"] | None = None


class Crisis(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    topic: str
    count: int
    bucket_start: datetime
    at: datetime


class CrisisView(Crisis):
    holds: list[Hold]


class ReleaseIn(BaseModel):
    """A communication/legal decision on the crisis step of every item a crisis holds."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approve", "reject"]
    comment: str | None = Field(default=None, min_length=1, max_length=5_000)
    content_ids: tuple[str, ...] | None = Field(
        default=None, max_length=200, description="Only these held items (default: all)."
    )

    @model_validator(mode="after")
    def _reasoned(self) -> ReleaseIn:
        if self.decision == "reject" and not self.comment:
            raise ValueError("comment: a reason is required to reject")
        return self


class ReleaseResult(BaseModel):
    content_id: str
    outcome: Literal["released", "waiting", "rejected", "not_allowed", "not_held"]
    detail: str | None = None
