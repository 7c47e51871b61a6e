"""Periodic jobs: a cron expression in a time zone, per workspace, and what each run does.

A cron time is a wall-clock time in the job's zone: `0 8 * * *` in Europe/Paris runs at 08:00
Paris time all year. A time in a spring-forward gap moves forward by the gap (02:30 → 03:30);
a time repeated by a fall-back runs once, at its first occurrence.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from croniter import (  # type: ignore[import-untyped]  # no stubs: the lead may add croniter to the mypy overrides
    CroniterBadCronError,
    CroniterBadDateError,
    CroniterNotAlphaError,
    croniter,
)
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ensemble_scheduler.models.zones import zone

JobName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][\w.-]*$")]
JobAction = Literal["digest.daily", "digest.weekly", "ingest.redrive", "publishing.stuck_check"]
ACTIONS: tuple[JobAction, ...] = (
    "digest.daily",
    "digest.weekly",
    "ingest.redrive",
    "publishing.stuck_check",
)


def check_cron(expression: str) -> str:
    """The expression, normalized; ValueError if it is malformed or never fires."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(
            "a cron expression has 5 fields: minute hour day-of-month month day-of-week"
        )
    normalized = " ".join(fields)
    try:
        iterator = croniter(normalized, datetime(2000, 1, 1))
    except (CroniterBadCronError, CroniterNotAlphaError, ValueError, KeyError) as exc:
        raise ValueError(f"malformed cron expression {normalized!r}: {exc}") from None
    try:
        iterator.get_next(datetime)
    except CroniterBadDateError:
        raise ValueError(f"cron expression {normalized!r} never fires") from None
    return normalized


def next_run(expression: str, time_zone: str, after: datetime) -> datetime:
    """The first run strictly after `after` (UTC), reading the cron as wall-clock time."""
    tz = zone(time_zone)
    wall = after.astimezone(tz).replace(tzinfo=None)
    iterator = croniter(expression, wall)
    for _ in range(1_000):
        candidate: datetime = iterator.get_next(datetime)
        # fold=0: the first of a repeated wall time; a time in a gap lands after it.
        at = candidate.replace(tzinfo=tz).astimezone(UTC)
        if at > after:
            return at
    raise ValueError(f"cron expression {expression!r} has no run after {after.isoformat()}")


class JobIn(BaseModel):
    """A job as an admin writes it (PUT /jobs/{name})."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: JobAction = Field(
        description=(
            "digest.daily / digest.weekly: ask notify for a digest; ingest.redrive: ask ingest "
            "to re-drive stuck items; publishing.stuck_check: look for stuck publications."
        )
    )
    cron: str = Field(max_length=200, description="5-field cron, e.g. `0 8 * * 1-5`.")
    time_zone: str = Field(default="UTC", max_length=64, description="IANA zone of the cron.")
    enabled: bool = True
    stuck_for_minutes: int = Field(
        default=15, ge=1, le=60 * 24 * 7, description="ingest.redrive: how old is stuck."
    )

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("time_zone")
    @classmethod
    def _zone(cls, value: str) -> str:
        zone(value)
        return value

    @model_validator(mode="after")
    def _fires(self) -> JobIn:
        next_run(self.cron, self.time_zone, datetime.now(UTC))
        return self


class Job(JobIn):
    """A stored job. `revision` changes at every PUT: a timer armed for an older revision
    finds it superseded and does nothing."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: JobName
    workspace: str
    revision: str
    updated_by: str
    updated_at: datetime
    next_run_at: datetime | None = Field(
        default=None, description="The first run after this revision was saved."
    )

    def timer_id(self) -> str:
        return f"job:{self.workspace}:{self.name}:{self.revision}"

    def run_id(self, scheduled_for: datetime) -> str:
        return f"{self.workspace}:{self.name}:{self.revision}@{scheduled_for.isoformat()}"


class JobRun(BaseModel):
    """One fired occurrence of a job (inserted once under its run id)."""

    id: str
    workspace: str
    job: str
    action: JobAction
    scheduled_for: datetime
    at: datetime
    outcome: Literal["requested", "checked", "skipped"]


class JobPage(BaseModel):
    items: list[Job]
    next_cursor: str | None = None
