"""Deliveries: one per (source event, endpoint), the unit of exactly-once sending."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from ensemble_shared.events import utcnow


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


def delivery_id(event_id: str, endpoint_id: str) -> str:
    """The unique key: the same event never makes two deliveries to one endpoint."""
    return f"{event_id}:{endpoint_id}"


class Delivery(BaseModel):
    id: str
    workspace: str
    endpoint_id: str
    url: str
    event_id: str
    event_type: str
    correlation_id: str
    payload: str = Field(description="The exact JSON body sent on every attempt.")
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow)
    last_status_code: int | None = None
    last_error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class AttemptResult(BaseModel):
    """What one HTTP attempt gave."""

    status_code: int | None = None
    error: str | None = None
    retry_after: float | None = Field(default=None, description="Seconds the receiver asked for.")
    latency_ms: float

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    def describe(self) -> str:
        return self.error or f"HTTP {self.status_code}"
