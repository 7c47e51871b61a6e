"""Replays: send finished deliveries again, as new attempt series of the same payload.

A replay delivery is a copy of the original under a new id (`{original}~{replay job}`), so it
goes through the same queue, attempts, breaker and outcome as any delivery, while the original
keeps its own log. It keeps the event id, so webhooks carry the same `webhook-id` and a
receiver that dedupes on it sees the same message. The job id comes from the request's
idempotency key: a retried request finds its job instead of starting a second one.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ensemble_notify.models.deliveries import Delivery
from ensemble_shared.events import new_id, utcnow
from ensemble_shared.inputs import StorableDatetime


class ReplayKind(StrEnum):
    DELIVERY = "delivery"  # one delivery
    ENDPOINT = "endpoint"  # every finished delivery to an endpoint since a time


def replay_id(workspace: str, key: str | None) -> str:
    """The job id: derived from the idempotency key when given, fresh otherwise."""
    if key is None:
        return f"rp_{new_id()}"
    digest = hashlib.sha256(f"{workspace}\x00{key}".encode()).hexdigest()
    return f"rp_{digest[:32]}"


class ReplayJob(BaseModel):
    """What was asked; inserted once."""

    id: str
    workspace: str
    kind: ReplayKind
    endpoint: str | None = None
    delivery: str | None = None
    since: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)
    requested_by: str

    @field_validator("since")
    @classmethod
    def _milliseconds(cls, since: datetime | None) -> datetime | None:
        """The store keeps milliseconds: compare a retried request's time as stored."""
        if since is None:
            return None
        return since.replace(microsecond=since.microsecond // 1000 * 1000)

    def same_request(self, other: ReplayJob) -> bool:
        return (self.kind, self.endpoint, self.delivery, self.since) == (
            other.kind,
            other.endpoint,
            other.delivery,
            other.since,
        )

    def copy_of(self, original: Delivery) -> Delivery:
        return original.model_copy(
            update={
                "id": f"{original.id}~{self.id}",
                "replay_of": original.id,
                "replay": self.id,
                "created_at": utcnow(),
            }
        )


class ReplayPlan(BaseModel):
    """Written once every replay delivery of a job is queued: the job's total is known."""

    id: str
    total: int
    skipped: int = Field(description="Deliveries left out: still pending, or in-app.")
    planned_at: datetime = Field(default_factory=utcnow)


class EndpointReplayRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    since: StorableDatetime = Field(
        description="Replay every finished delivery to the endpoint created from then on."
    )


class ReplayProgress(BaseModel):
    id: str
    kind: ReplayKind
    endpoint: str | None
    delivery: str | None
    since: datetime | None
    created_at: datetime
    status: Literal["planning", "running", "finished"]
    total: int | None = Field(description="Deliveries to replay; None while still planning.")
    queued: int = Field(description="Replay deliveries created so far.")
    done: int = Field(description="Delivered again.")
    failed: int = Field(description="Failed again (see their reasons in /deliveries).")
    skipped: int = Field(description="Left out: still pending, or in-app (already in the inbox).")

    @classmethod
    def of(
        cls, job: ReplayJob, plan: ReplayPlan | None, queued: int, done: int, failed: int
    ) -> ReplayProgress:
        finished = plan is not None and done + failed >= plan.total
        return cls(
            id=job.id,
            kind=job.kind,
            endpoint=job.endpoint,
            delivery=job.delivery,
            since=job.since,
            created_at=job.created_at,
            status="finished" if finished else ("running" if plan else "planning"),
            total=plan.total if plan else None,
            queued=queued,
            done=done,
            failed=failed,
            skipped=plan.skipped if plan else 0,
        )
