"""Ingest's answers as the inbox pages read them: mentions, their pages and their timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

OPEN_STATUSES = frozenset({"new", "assigned"})
"""A mention in one of these still waits for someone: its age counts against the SLA."""


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Author(Answer):
    id: str
    handle: str
    display_name: str | None = None
    followers: int | None = None


class Triage(Answer):
    sentiment: str = "neutral"
    priority: str = "normal"
    tags: tuple[str, ...] = ()
    team: str | None = None
    kind: str | None = None
    vip: bool = False


class Mention(Answer):
    id: str
    workspace: str
    platform: str
    url: str | None = None
    author: Author
    text: str
    language: str | None = None
    created_at: datetime
    received_at: datetime
    triage: Triage = Field(default_factory=Triage)
    status: str = "new"
    assignee: str | None = None
    team: str | None = None
    deleted_at: datetime | None = None

    @property
    def open(self) -> bool:
        return self.status in OPEN_STATUSES and self.deleted_at is None

    def age_seconds(self, now: datetime) -> float:
        """How long it has waited since it arrived (the SLA age)."""
        return max(0.0, (now - self.received_at).total_seconds())


class MentionPage(Answer):
    items: list[Mention]
    next_cursor: str | None = None


class TimelineEntry(Answer):
    """One event recorded with a mention (`GET /mentions/{id}/timeline`), as the page shows it."""

    id: str = ""
    type: str
    time: datetime
    data: dict[str, Any] = Field(default_factory=dict)

    @property
    def kind(self) -> str:
        """`mention.note_added.v1` → `note_added`: the name the page's labels know."""
        return self.type.removeprefix("mention.").rsplit(".v", 1)[0]

    @property
    def by(self) -> str | None:
        """Who acted (a note's author); a received mention's `author` is the platform's."""
        value = self.data.get("by") or self.data.get("author")
        return value if isinstance(value, str) and value else None


class TriageActions(Answer):
    tags: list[str] = []
    priority: str | None = None
    team: str | None = None
    mark_as: str | None = None


class TriageRule(Answer):
    """A boolean query over mentions and what a match does (ingest's triage rules)."""

    id: str
    name: str
    query: str
    actions: TriageActions = TriageActions()
    enabled: bool = True


class TriageSettings(Answer):
    """A workspace's triage (ingest's `GET /triage/settings`), all of it: a save replaces it."""

    rules: list[TriageRule] = []
    vip_authors: list[str] = []
    negative_priority: str = "high"
    languages: list[str] = []


class SavedView(Answer):
    """A person's saved inbox view (ingest's `GET /views`): `filters` as `GET /mentions` takes
    them (`since`/`until` instants, `assignee` an account id)."""

    id: str
    name: str
    filters: dict[str, Any] = Field(default_factory=dict)
    sort: str = "newest"
