"""Feedback's answers as the community portal reads them: the public board, an idea and its
comments, the roadmap, and a member's own writes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class StatusStep(Answer):
    status: str
    at: datetime


class Idea(Answer):
    """A submission as the public reads it (feedback's public board: no author, nothing
    held), or as its author reads it (their own, held or rejected, with its state)."""

    id: str
    kind: str
    title: str
    body: str = ""
    tags: list[str] = []
    status: str
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    merged_into: str | None = None
    created_at: datetime
    votes: int = 0
    published: bool = True
    discarded: bool = False
    history: list[StatusStep] = []

    @property
    def held(self) -> bool:
        return not self.published and not self.discarded


class IdeaPage(Answer):
    items: list[Idea]
    next_cursor: str | None = None


class IdeaComment(Answer):
    id: str
    parent_id: str | None = None
    body: str
    created_at: datetime
    published: bool = True


class Thread(Answer):
    items: list[IdeaComment]
    next_cursor: str | None = None


class SimilarIdea(Answer):
    submission_id: str
    title: str
    score: float


class Submitted(Answer):
    submission: Idea
    similar: list[SimilarIdea]


class Voted(Answer):
    submission_id: str
    votes: int
    voted: bool


class Followed(Answer):
    submission_id: str
    following: bool


class RoadmapItem(Answer):
    id: str
    kind: str
    title: str
    votes: int
    updated_at: datetime


class Roadmap(Answer):
    workspace: str
    columns: dict[str, list[RoadmapItem]]


class Moderated(Answer):
    """What moderation did with the author's own idea: held, rejected (with the
    moderator's reason), approved or published."""

    state: str
    reason: str | None = None
