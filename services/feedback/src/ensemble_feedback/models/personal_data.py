"""A member's own data as they take it away (GDPR access and portability), and what their
erasure did and kept."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from ensemble_feedback.models.members import MemberProfile

ERASED_NAME = "Former member"
"""The neutral label an erased member's contributions show instead of a name."""

KEPT = (
    "submissions, comments and votes stay on the board under the neutral label "
    f"{ERASED_NAME!r}: they are the community's history, and the votes count",
    "seats and check-ins at past events stay, so their figures stay true (seats at events "
    "not over yet go to the next in line)",
    "aggregate figures in insights stay: they count, they do not name",
)


class MemberExport(BaseModel):
    """Everything feedback holds about the member, by collection, as stored (without the
    outbox entries, and without other members' data)."""

    workspace: str
    member_id: str
    exported_at: datetime
    profile: MemberProfile
    records: dict[str, list[dict[str, Any]]] = Field(
        description="Per collection (submissions, submission_comments, submission_votes, "
        "submission_follows, member_handles, handle_claims, member_activity, field_event_acts, "
        "field_event_check_ins, field_event_followups, moderation_queue, moderation_decisions, "
        "suggestions, suggestion_outcomes), the member's documents."
    )


class Erasure(BaseModel):
    """What an erasure did: the same answer when it is asked again."""

    member_id: str
    erased_member_ids: list[str] = Field(description="Every id of that person (merged ones).")
    erased_at: datetime
    removed: dict[str, int] = Field(
        default_factory=dict, description="Personal records deleted now, per collection."
    )
    kept: list[str] = Field(default_factory=lambda: list(KEPT), description="What stays, why.")
