"""The public board as anyone reads it, without signing in: what members published, with no
author ids, held or discarded items, or moderation state."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from ensemble_shared.events import SubmissionKind, SubmissionStatus

Sort = Literal["new", "top", "trending"]


class PublicBoardQuery(BaseModel):
    """`new` pages with `cursor`; `top` and `trending` rank the newest `RANKED_WINDOW`; `q`
    ranks by similarity of text (the same matching as "similar ideas")."""

    sort: Sort = "new"
    status: SubmissionStatus | None = None
    kind: SubmissionKind | None = None
    q: str | None = Field(default=None, min_length=1, max_length=200)
    cursor: str | None = Field(default=None, max_length=500)


class StatusStep(BaseModel):
    status: SubmissionStatus
    at: datetime


class PublicSubmission(BaseModel):
    id: str
    kind: SubmissionKind
    title: str
    body: str = ""
    tags: list[str] = Field(default_factory=list)
    category: str | None = None
    status: SubmissionStatus
    status_reason: str | None = Field(default=None, description="The brand's answer, if any.")
    status_changed_at: datetime | None = None
    merged_into: str | None = None
    created_at: datetime
    votes: int = Field(ge=0)
    history: list[StatusStep] = Field(
        default_factory=list,
        description="Its statuses, oldest first, from `open` (one submission's read only).",
    )


class PublicBoardPage(BaseModel):
    items: list[PublicSubmission]
    next_cursor: str | None = None


class PublicComment(BaseModel):
    id: str
    parent_id: str | None = None
    body: str
    created_at: datetime


class PublicThread(BaseModel):
    items: list[PublicComment]
    next_cursor: str | None = None
