"""The in-app inbox: notifications stored per person, read receipts inserted beside them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from ensemble_shared.events import utcnow


class Link(BaseModel):
    """An action the recipient can take from the notification itself."""

    action: str = Field(description="approve, reject, open...")
    label: str
    url: str
    style: str | None = Field(default=None, description="primary / danger, for buttons.")


class InAppMessage(BaseModel):
    """What an in-app delivery carries (its rendered payload)."""

    title: str
    body: str
    links: list[Link] = Field(default_factory=list)


class InboxItem(InAppMessage):
    id: str = Field(description="The delivery id: one per (event, person).")
    workspace: str
    person: str
    event_id: str
    event_type: str
    created_at: datetime = Field(default_factory=utcnow)


class InboxEntry(InboxItem):
    read_at: datetime | None = None


class InboxPage(BaseModel):
    items: list[InboxEntry]
    next_cursor: str | None = Field(description="Pass as `cursor` for older items.")


class UnreadCount(BaseModel):
    unread: int


class ReadReceipt(BaseModel):
    id: str
    read_at: datetime
    newly_read: bool = Field(description="False when it was already read (nothing re-sent).")


class StreamTicket(BaseModel):
    """Opens the caller's live stream from a browser, where no header can be set."""

    ticket: str
    expires_at: datetime
    url: str = Field(description="The stream's path with the ticket, for `new EventSource(url)`.")
