"""Submissions, comments and the roadmap: documents, API schemas and the status machine."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AnyUrl, BaseModel, ConfigDict, Field, UrlConstraints, field_validator

from ensemble_shared.errors import Invalid
from ensemble_shared.events import SocialOrigin, SubmissionKind, SubmissionStatus

STATUSES: tuple[SubmissionStatus, ...] = (
    "open",
    "under_review",
    "planned",
    "in_progress",
    "done",
    "declined",
)

# Forward along the roadmap one step (or straight to done from in_progress), back one step when
# a plan slips, declined from anywhere not finished, and a declined idea may be reopened.
TRANSITIONS: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    "open": frozenset({"under_review", "declined"}),
    "under_review": frozenset({"planned", "open", "declined"}),
    "planned": frozenset({"in_progress", "under_review", "declined"}),
    "in_progress": frozenset({"done", "planned", "declined"}),
    "done": frozenset(),
    "declined": frozenset({"open"}),
}


def check_transition(
    previous: SubmissionStatus, status: SubmissionStatus, reason: str | None
) -> None:
    """Invalid (422) when the roadmap does not allow `previous → status`, or a decline has no
    reason."""
    if status not in TRANSITIONS[previous]:
        allowed = ", ".join(sorted(TRANSITIONS[previous])) or "none (final)"
        raise Invalid(f"status: {previous} → {status} is not allowed; from {previous}: {allowed}")
    if status == "declined" and not (reason and reason.strip()):
        raise Invalid("reason: a decline needs a reason the members will read")


WebLink = Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], max_length=2000)]
Tag = Annotated[str, Field(min_length=1, max_length=50, pattern=r"^[\w\-: ]+$")]  # event:{id}


class Attachment(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    url: WebLink
    title: str | None = Field(default=None, max_length=200)


class SubmissionCreate(BaseModel):
    """What a member may write; status, votes, published and author are not theirs to set."""

    model_config = ConfigDict(extra="forbid")

    kind: SubmissionKind
    title: str = Field(min_length=3, max_length=300)
    body: str = Field(default="", max_length=10_000)
    tags: list[Tag] = Field(default_factory=list, max_length=10)
    category: str | None = Field(default=None, min_length=1, max_length=100)
    attachments: list[Attachment] = Field(default_factory=list, max_length=10)

    @field_validator("tags")
    @classmethod
    def _distinct_tags(cls, tags: list[str]) -> list[str]:
        return list(dict.fromkeys(t.strip().lower() for t in tags))


class Submission(BaseModel):
    """A submission as stored (without its votes: those live in the vote chain)."""

    id: str
    workspace: str
    kind: SubmissionKind
    title: str
    body: str = ""
    tags: list[str] = Field(default_factory=list)
    category: str | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    author_member_id: str
    status: SubmissionStatus = "open"
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    published: bool = True
    discarded: bool = False
    merged_into: str | None = None
    origin: SocialOrigin | None = None
    created_at: datetime
    version: int = 0

    @property
    def visible(self) -> bool:
        """On the public board: published, not thrown out by moderation."""
        return self.published and not self.discarded


class Similar(BaseModel):
    model_config = ConfigDict(frozen=True)

    submission_id: str
    title: str
    score: float  # 0..100, higher is closer


class SubmissionOut(Submission):
    votes: int = Field(ge=0, description="Distinct (merged) members voting for it.")


class SubmissionCreated(BaseModel):
    submission: SubmissionOut
    similar: list[Similar] = Field(description="Existing submissions that look like this one.")


class SubmissionPage(BaseModel):
    items: list[SubmissionOut]
    next_cursor: str | None = None


class SubmissionFilters(BaseModel):
    kind: SubmissionKind | None = None
    status: SubmissionStatus | None = None
    tag: str | None = Field(default=None, max_length=50)
    category: str | None = Field(default=None, max_length=100)
    author: str | None = Field(default=None, max_length=200)
    held: bool | None = Field(default=None, description="Staff only: held for moderation.")
    cursor: str | None = Field(default=None, max_length=500)


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: SubmissionStatus
    reason: str | None = Field(default=None, max_length=2000)


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    target_id: str = Field(min_length=1, max_length=100)


class MergeResult(BaseModel):
    source: SubmissionOut
    target: SubmissionOut
    moved_votes: int
    moved_followers: int
    moved_comments: int


class CommentCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=5000)
    parent_id: str | None = Field(default=None, max_length=100)


class Comment(BaseModel):
    id: str
    workspace: str
    submission_id: str
    parent_id: str | None = None
    author_member_id: str
    body: str
    published: bool = True
    discarded: bool = False
    created_at: datetime


class CommentPage(BaseModel):
    items: list[Comment]
    next_cursor: str | None = None


class Following(BaseModel):
    submission_id: str
    following: bool


class RoadmapItem(BaseModel):
    id: str
    kind: SubmissionKind
    title: str
    tags: list[str]
    category: str | None
    votes: int
    updated_at: datetime = Field(description="When it reached this status (else was created).")


class Roadmap(BaseModel):
    workspace: str
    columns: dict[SubmissionStatus, list[RoadmapItem]]
