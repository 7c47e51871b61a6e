"""Community members as notify knows them: projected from feedback's member.* events."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ensemble_notify.models.people import Language

# Feedback's consent topics (ensemble_feedback.models.members.Topic), per event type notify
# sends members. Types not listed are transactional (the member's own RSVP): no consent needed.
CONSENT_TOPICS: dict[str, str] = {
    "submission.status_changed.v1": "status_changes",
    "submission.commented.v1": "ideas_followed",
    "submission.merged.v1": "ideas_followed",
    "event.followup_invited.v1": "events_nearby",
}

MEMBER_PREFIX = "member:"


def member_recipient(member_id: str) -> str:
    """Members and staff people live in different id spaces: a member's deliveries say so."""
    return f"{MEMBER_PREFIX}{member_id}"


class Member(BaseModel):
    """One version of a member, as of the feedback event that carried it (insert-only)."""

    workspace: str
    member_id: str
    display_name: str
    email: str | None = None
    email_verified: bool = False
    language: Language = "en"
    consents: tuple[str, ...] = ()
    unsubscribe_paths: dict[str, str] = Field(default_factory=dict)
    as_of: datetime = Field(description="The event's time: the latest version wins.")
    event_id: str

    def consents_to(self, event_type: str) -> bool:
        topic = CONSENT_TOPICS.get(event_type)
        return topic is None or topic in self.consents

    def unsubscribe_path(self, event_type: str) -> str | None:
        topic = CONSENT_TOPICS.get(event_type)
        return self.unsubscribe_paths.get(topic) if topic else None
