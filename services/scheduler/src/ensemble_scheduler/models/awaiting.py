"""Steps awaiting a person's decision: the index of open steps as stored, and the API's rows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ensemble_scheduler.models.content import ContentKind


class OpenStep(BaseModel):
    """The step now open in an item's latest workflow, with who may decide it: the index the
    awaiting list reads (one per item, gone once the step's round ends). Only a pointer to
    candidates: every row is checked against the workflow's facts before it is shown."""

    model_config = ConfigDict(frozen=True)

    content_id: str
    workspace: str
    approval_id: str
    step: str
    round: int
    due_at: datetime
    people: tuple[str, ...] = ()
    teams: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    backup_people: tuple[str, ...] = ()
    backup_teams: tuple[str, ...] = ()
    backup_roles: tuple[str, ...] = ()
    stamp: str = Field(
        description="(request number, content version, step position), zero-padded: it only "
        "grows as a workflow moves on, so a late write about an earlier opening never wins."
    )


class AwaitingStep(BaseModel):
    """An item whose open step the caller may decide and has not decided yet."""

    content_id: str
    approval_id: str
    kind: ContentKind
    channel: str
    title: str | None
    excerpt: str = Field(description="The body's first 200 characters.")
    version: int = Field(description="The version a decision now is about.")
    step: str
    round: int
    due_at: datetime | None
    as_backup: bool = Field(description="The caller decides as the step's backup (escalated).")
    requested_by: str
    requested_at: datetime


class AwaitingPage(BaseModel):
    items: list[AwaitingStep]
    next_cursor: str | None = Field(
        default=None,
        description="Absent on the last page. A page may hold fewer rows than `limit` and "
        "still have a next one (steps decided or closed meanwhile are left out).",
    )
