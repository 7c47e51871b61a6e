"""A notification before it is rendered: one event for one recipient over one channel.

Recipient resolution (which people and endpoints an event reaches, over which channels) ends
here; rendering and delivery start here. Preferences, quiet hours and digests slot in between.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ensemble_notify.models.deliveries import ChannelName, RecipientKind
from ensemble_notify.models.inbox import Link
from ensemble_notify.models.people import Language
from ensemble_shared.events import Event


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True)

    event: Event
    channel: ChannelName
    recipient_kind: RecipientKind = "person"
    recipient: str = Field(description="Endpoint id or person id.")
    address: str = Field(description="URL, email address, or the person id for the inbox.")
    language: Language = "en"
    name: str | None = Field(default=None, description="How to greet the recipient.")
    links: tuple[Link, ...] = Field(default=(), description="Actions: decision links, open.")
    unsubscribe_url: str | None = Field(
        default=None, description="RFC 8058 one-click URL (the List-Unsubscribe header)."
    )
    unsubscribe_page: str | None = Field(
        default=None, description="The console's page the email's text links to (GET shows)."
    )
    preferences_page: str | None = Field(
        default=None, description="The console's page where a person manages their channels."
    )
