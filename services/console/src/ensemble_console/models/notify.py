"""Notify's answers, as the console's pages read them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Answer(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UnsubscribeLink(Answer):
    """What a person's unsubscribe link turns off (notify's `GET /unsubscribe/link`)."""

    workspace: str
    person: str
    event: str  # an event type, or "*" for every notification
    channel: str


class LinkedPreferences(Answer):
    """A person's channels from their preferences link (notify's `GET /preferences/link`)."""

    workspace: str
    person: str
    channels: dict[str, bool]


class Unsubscribed(Answer):
    event: str
    channel: str

    @property
    def what(self) -> str:
        """What the confirmation names."""
        return self.event
