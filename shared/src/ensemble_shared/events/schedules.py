"""Events of the schedules stream: periodic jobs scheduler fires for other services
(key: `{workspace}:{job name}`)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from ensemble_shared.events.envelope import Event, Payload


class JobRunData(Payload):
    """Which job occurrence asked for the work (consumers dedupe on `run_id` too)."""

    job: str = Field(description="The job's name in its workspace.")
    run_id: str = Field(description="`{workspace}:{job}:{revision}@{scheduled_for}`: one per run.")
    scheduled_for: datetime = Field(description="The cron occurrence this run is for.")


class DigestRequestData(JobRunData):
    """A digest of what happened in a window, for notify to compose and send."""

    period: Literal["daily", "weekly"]
    window_start: datetime
    window_end: datetime


class DigestRequestedV1(Event):
    """Sent by scheduler when a digest job fires; notify builds and sends the digest."""

    type: Literal["digest.requested.v1"] = "digest.requested.v1"
    data: DigestRequestData


class RedriveRequestData(JobRunData):
    """Items stuck longer than `stuck_for_seconds` should be pushed through again."""

    stuck_for_seconds: int = Field(ge=1)


class IngestRedriveRequestedV1(Event):
    """Sent by scheduler when the re-drive job fires; ingest re-drives its stuck items
    (scheduler never reads ingest's collections)."""

    type: Literal["ingest.redrive_requested.v1"] = "ingest.redrive_requested.v1"
    data: RedriveRequestData
