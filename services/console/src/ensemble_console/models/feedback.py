"""Feedback's answers, as the console's pages read them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class MemberUnsubscribeLink(Answer):
    """What a member's unsubscribe link stops (feedback's `GET /unsubscribe/link`)."""

    workspace: str
    member_id: str
    topic: str
    subscribed: bool


class MemberUnsubscribed(Answer):
    member_id: str
    topic: str

    @property
    def what(self) -> str:
        """What the confirmation names."""
        return self.topic
