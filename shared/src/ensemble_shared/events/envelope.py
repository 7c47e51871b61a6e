"""The one envelope every Ensemble event travels in (CloudEvents-style, structured mode)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any
from uuid import uuid4

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.logs import correlation_id


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid4())


class Source(StrEnum):
    """The producing service named in every event's `source`; declared once for all."""

    INGEST = "ensemble/ingest"
    FEEDBACK = "ensemble/feedback"
    SCHEDULER = "ensemble/scheduler"
    NOTIFY = "ensemble/notify"
    IDENTITY = "ensemble/identity"
    INSIGHTS = "ensemble/insights"


def envelope(
    source: Source, workspace: str, subject: str, *, cause: Event | None = None
) -> dict[str, Any]:
    """Envelope fields of a new event about `subject` (its aggregate id, hence its Kafka key).

    The correlation id is the cause's, else the current request's, else a new one, so a chain of
    events started by one request or one event can be followed across services.
    """
    fields: dict[str, Any] = {"source": source, "subject": subject, "workspace": workspace}
    if cause is None:
        fields["correlation_id"] = correlation_id.get() or new_id()
    else:
        fields.update(correlation_id=cause.correlation_id, causation_id=cause.id)
    return fields


class Payload(BaseModel):
    """Base of every event's `data`: unknown fields are ignored so a newer producer's
    optional additions never break an older consumer."""

    model_config = ConfigDict(frozen=True, extra="ignore")


_REGISTRY: dict[str, type[Event]] = {}


class Event(BaseModel):
    """Envelope fields shared by all events; subclasses fix `type` and `data`.

    `subject` is the aggregate id and the Kafka key, so one item's events stay in order.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    specversion: str = "1.0"
    id: str = Field(default_factory=new_id, description="Unique event id; consumers dedupe on it.")
    type: str = Field(description="Versioned event type, e.g. mention.received.v1.")
    source: str = Field(description="Producing service, e.g. ensemble/ingest.")
    time: datetime = Field(default_factory=utcnow)
    subject: str = Field(description="Aggregate id; also the Kafka message key.")
    workspace: str = Field(min_length=1)
    correlation_id: str = Field(default_factory=new_id)
    causation_id: str | None = Field(default=None, description="Id of the event that caused this.")
    data: Payload

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        type_name = cls.model_fields["type"].default
        if isinstance(type_name, str):
            existing = _REGISTRY.get(type_name)
            if existing is not None and existing.__qualname__ != cls.__qualname__:
                raise TypeError(f"event type {type_name!r} is defined twice")
            _REGISTRY[type_name] = cls

    def caused(self) -> dict[str, str]:
        """Envelope fields for an event caused by this one (same correlation, causation = us)."""
        return {
            "workspace": self.workspace,
            "correlation_id": self.correlation_id,
            "causation_id": self.id,
        }


class UnknownEventType(ValueError):
    """The bytes parse as an envelope, but no event class declares that type."""


def parse_event(raw: bytes | str) -> Event:
    """Parse one serialized event into its concrete class; ValueError on anything malformed."""
    try:
        document = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"not JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise ValueError("an event must be a JSON object")
    type_name = document.get("type")
    if not isinstance(type_name, str):
        raise ValueError("the event has no string 'type'")
    event_class = _REGISTRY.get(type_name)
    if event_class is None:
        raise UnknownEventType(f"unknown event type {type_name!r}")
    return event_class.model_validate(document)
