"""Workspace endpoints: integrators' signed webhooks and team chat channels (Slack, Teams)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator

from ensemble_notify.models.breaker import BreakerView
from ensemble_notify.models.deliveries import ChannelName
from ensemble_notify.models.people import Language
from ensemble_notify.models.urls import plain_http_url
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.inputs import WebUrl

ALL_EVENTS = "*"
EndpointKind = Literal["webhook", "slack", "teams"]
MAX_ROTATION_GRACE = timedelta(days=30)


def event_types(events: list[str]) -> list[str]:
    for event in events:
        if event != ALL_EVENTS and not event.replace(".", "").replace("_", "").isalnum():
            raise ValueError(f"{event!r} is not an event type")
    return events


class EndpointCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: WebUrl = Field(description="http or https; no credentials in the URL.")
    kind: EndpointKind = Field(
        default="webhook",
        description="webhook: signed JSON for integrators; slack / teams: a chat channel.",
    )
    events: list[str] = Field(
        default_factory=lambda: [ALL_EVENTS],
        min_length=1,
        max_length=50,
        description="Event types to receive (e.g. mention.received.v1), or * for all.",
    )
    language: Language = Field(default="en", description="Language of chat messages.")
    description: str | None = Field(default=None, max_length=500)

    @field_validator("url")
    @classmethod
    def _url(cls, url: HttpUrl) -> HttpUrl:
        return plain_http_url(url)

    @field_validator("events")
    @classmethod
    def _events(cls, events: list[str]) -> list[str]:
        return event_types(events)


class EndpointUpdate(BaseModel):
    """Fields an admin may change; the URL and kind stay (create another endpoint instead)."""

    model_config = ConfigDict(extra="forbid")

    events: list[str] | None = Field(default=None, min_length=1, max_length=50)
    enabled: bool | None = None
    language: Language | None = None
    description: str | None = Field(default=None, max_length=500)

    @field_validator("events")
    @classmethod
    def _events(cls, events: list[str] | None) -> list[str] | None:
        return None if events is None else event_types(events)


class SigningSecret(BaseModel):
    """One secret of an endpoint; during a rotation the old one lives until `expires_at`."""

    id: str = Field(default_factory=new_id)
    value: str
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime | None = None

    def active(self, now: datetime) -> bool:
        return self.expires_at is None or self.expires_at > now


class Endpoint(BaseModel):
    id: str = Field(default_factory=new_id)
    workspace: str
    url: str
    kind: EndpointKind = "webhook"
    events: list[str]
    language: Language = "en"
    description: str | None = None
    secrets: list[SigningSecret] = Field(default_factory=list)
    enabled: bool = True
    created_at: datetime = Field(default_factory=utcnow)
    version: int = Field(default=1, description="Bumped by every change, for optimistic writes.")

    @field_validator("secrets", mode="before")
    @classmethod
    def _plain_secrets(cls, secrets: list[Any]) -> list[Any]:
        """A bare `whsec_...` string is a secret without expiry (how endpoints began)."""
        return [{"value": s} if isinstance(s, str) else s for s in secrets]

    @property
    def channel(self) -> ChannelName:
        return ChannelName(self.kind)

    def wants(self, event_type: str) -> bool:
        return self.enabled and (ALL_EVENTS in self.events or event_type in self.events)

    def signing_secrets(self, now: datetime | None = None) -> list[str]:
        """Every secret still active: each signs, so a receiver holding any one verifies."""
        moment = now or utcnow()
        return [s.value for s in self.secrets if s.active(moment)]

    def rotated(self, new: SigningSecret, *, grace: timedelta, now: datetime) -> Endpoint:
        """A new secret; the active old ones expire after `grace` (at once when 0), and
        secrets already expired are dropped."""
        expiry = now + grace
        kept = [
            s.model_copy(
                update={"expires_at": min(s.expires_at, expiry) if s.expires_at else expiry}
            )
            for s in self.secrets
            if s.active(now)
        ]
        return self.model_copy(
            update={"secrets": [*kept, new], "version": self.version + 1}, deep=True
        )


class SecretOut(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime | None


class EndpointOut(BaseModel):
    id: str
    url: str
    kind: EndpointKind
    events: list[str]
    language: Language
    description: str | None
    enabled: bool
    created_at: datetime
    secrets: list[SecretOut] = Field(description="Signing secrets (values never shown again).")

    @classmethod
    def of(cls, endpoint: Endpoint) -> EndpointOut:
        return cls.model_validate(
            {
                **endpoint.model_dump(exclude={"secrets", "workspace", "version"}),
                "secrets": [SecretOut.model_validate(s.model_dump()) for s in endpoint.secrets],
            }
        )


class EndpointDetail(EndpointOut):
    breaker: BreakerView = Field(description="Its circuit breaker, as every replica sees it.")


class EndpointCreated(EndpointOut):
    secret: str | None = Field(
        description="Shown once: verify our webhook-signature with it (webhooks only)."
    )


class SecretRotation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expire_old_after_seconds: int = Field(
        default=24 * 3600,
        ge=0,
        le=int(MAX_ROTATION_GRACE.total_seconds()),
        description="How long the current secrets keep signing beside the new one (0: at once).",
    )


class SecretRotated(BaseModel):
    endpoint: EndpointOut
    secret: str = Field(description="The new secret, shown once.")
