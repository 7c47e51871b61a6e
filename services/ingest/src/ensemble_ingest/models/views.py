"""Saved inbox views: a person's named filter sets (and order), so a triage routine is one click."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from ensemble_ingest.models.search import MentionOrder, MentionQuery

MAX_VIEWS_PER_PERSON = 50
"""A bound on what one person stores (a list read whole, never paged)."""

ViewName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]


class ViewCreate(BaseModel):
    """What `POST /views` takes: a name unique to the person, and the filters of `GET /mentions`
    (the same model, validated the same way)."""

    name: ViewName = Field(description="Unique among the person's views; at most 80 characters.")
    filters: MentionQuery = Field(default_factory=MentionQuery)
    sort: MentionOrder = Field(default="newest", description="As `GET /mentions` takes it.")


class InboxView(ViewCreate):
    """A saved view: only the person who saved it sees it, in the workspace it was saved in."""

    id: str
    created_at: datetime
