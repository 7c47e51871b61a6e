"""Outgoing webhook endpoints of integrators, with their signing secrets and event filters."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, HttpUrl, field_validator

from ensemble_shared.events import new_id, utcnow

ALL_EVENTS = "*"


class EndpointCreate(BaseModel):
    url: HttpUrl = Field(description="http or https; no credentials in the URL.")
    events: list[str] = Field(
        default_factory=lambda: [ALL_EVENTS],
        min_length=1,
        max_length=50,
        description="Event types to receive (e.g. mention.received.v1), or * for all.",
    )
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _plain_http(cls, url: HttpUrl) -> HttpUrl:
        if url.scheme not in {"http", "https"}:
            raise ValueError("only http and https URLs are accepted")
        if url.username or url.password:
            raise ValueError("credentials are not allowed in the URL; the payload is signed")
        return url

    @field_validator("events")
    @classmethod
    def _event_types(cls, events: list[str]) -> list[str]:
        for event in events:
            if event != ALL_EVENTS and not event.replace(".", "").replace("_", "").isalnum():
                raise ValueError(f"{event!r} is not an event type")
        return events


class Endpoint(BaseModel):
    id: str = Field(default_factory=new_id)
    workspace: str
    url: str
    events: list[str]
    description: str | None = None
    secrets: list[str]
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)

    def wants(self, event_type: str) -> bool:
        return self.enabled and (ALL_EVENTS in self.events or event_type in self.events)


class EndpointOut(BaseModel):
    id: str
    url: str
    events: list[str]
    description: str | None
    enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointOut:
        return cls.model_validate(endpoint.model_dump(exclude={"secrets", "workspace"}))


class EndpointCreated(EndpointOut):
    secret: str = Field(description="Shown once: verify our webhook-signature with it.")
