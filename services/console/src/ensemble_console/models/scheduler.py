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


class ContentView(Answer):
    """A content item's latest version and where it stands (`GET /content/{id}`)."""

    id: str
    kind: str
    version: int
    fields: ContentFields
    status: str
    updated_at: datetime


class ApprovalStep(Answer):
    name: str
    status: str
    approved_by: tuple[str, ...] = ()


class ApprovalView(Answer):
    """A workflow's state (`GET /content/{id}/approval`)."""

    policy: str
    status: str
    current_step: str | None = None
    steps: list[ApprovalStep]


class Crisis(Answer):
    """A negative spike that holds scheduled posts (`GET /crises`)."""

    id: str
    topic: str
    count: int
    at: datetime
