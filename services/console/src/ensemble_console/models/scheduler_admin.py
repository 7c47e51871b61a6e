"""Scheduler's answers on what admins configure (policies listed, channel accounts, answer
templates, periodic jobs, calendar feed links) and on crises, as the console's pages read them."""

from __future__ import annotations

from datetime import datetime

from ensemble_console.models.scheduler import Answer, Crisis, Policy


class PolicyPage(Answer):
    items: list[Policy]
    next_cursor: str | None = None


class ChannelAccount(Answer):
    """Where a channel publishes, without its secrets (scheduler never answers them)."""

    channel: str
    connector: str
    base_url: str
    visibility: str
    identifier: str | None = None
    target: str | None = None
    revision: int
    updated_by: str
    updated_at: datetime
    oauth: str | None = None
    account_name: str | None = None
    token_expires_at: datetime | None = None
    reconnect: str | None = None


class OAuthPlatform(Answer):
    """A platform an account can be connected on from the console (its client is set up)."""

    platform: str
    title: str


class ConnectionStarted(Answer):
    state: str
    authorize_url: str


class Connection(Answer):
    """An OAuth connection under way, its code exchanged: what the person confirms."""

    channel: str
    platform: str
    title: str
    status: str
    account_name: str | None = None
    scope: str | None = None
    token_expires_at: datetime | None = None


class AnswerTemplate(Answer):
    """The pre-approved reply for a roadmap status in one language."""

    status: str
    language: str
    body: str
    channel: str | None = None
    revision: int
    updated_by: str
    updated_at: datetime


class FeedLinkRecord(Answer):
    """A feed link handed out, without its URL (the token is never stored)."""

    id: str
    team: str | None = None
    created_by: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None = None
    revoked_by: str | None = None


class Hold(Answer):
    """An item a crisis holds back, and how it was settled."""

    content_id: str
    channel: str
    slot_at: datetime | None = None
    at: datetime
    released_at: datetime | None = None
    released_by: str | None = None
    resolution: str | None = None


class CrisisView(Crisis):
    bucket_start: datetime
    holds: list[Hold]


class ReleaseResult(Answer):
    content_id: str
    outcome: str
    detail: str | None = None


class Job(Answer):
    """A periodic job: what it does, its cron in a time zone, and its next run."""

    name: str
    action: str
    cron: str
    time_zone: str
    enabled: bool
    stuck_for_minutes: int = 15
    updated_at: datetime
    next_run_at: datetime | None = None


class JobPage(Answer):
    items: list[Job]
    next_cursor: str | None = None


class JobRun(Answer):
    scheduled_for: datetime
    at: datetime
    outcome: str
