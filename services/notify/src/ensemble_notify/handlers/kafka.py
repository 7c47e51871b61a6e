"""Notify's subscribers: every stream whose events can reach a person or an endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_notify.wiring import Notify
from ensemble_shared.events import Event
from ensemble_shared.events.schedules import DigestRequestedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import (
    ACCOUNTS,
    APPROVALS,
    FIELD_EVENTS,
    INSIGHTS,
    MEMBERS,
    MENTIONS,
    SCHEDULES,
    SUBMISSIONS,
)


def register(infra: Infrastructure, notify: Notify) -> None:
    retry = RetryPolicy.from_settings(infra.settings.kafka)
    for stream, description in (
        (MENTIONS, "Mentions to endpoints; assignments, spikes to people by routing rules."),
        (APPROVALS, "Approval events to endpoints; steps, reminders, escalations to approvers."),
        (SUBMISSIONS, "Submission changes to endpoints and to the members who follow them."),
        (FIELD_EVENTS, "Field-event RSVPs and follow-up invitations to endpoints and members."),
        (INSIGHTS, "Weekly reports to the people, teams and roles each one names."),
    ):
        subscribe_reliably(
            infra.broker,
            topics=infra.topics,
            stream=stream,
            group=f"{infra.topics.prefix}notify",
            handler=notify.deliveries.accept,
            retry=retry,
            description=description,
        )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MEMBERS,
        group=f"{infra.topics.prefix}notify-members",
        handler=notify.members.project,
        retry=retry,
        description="Members' addresses, languages and consents, for recipient resolution.",
    )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=ACCOUNTS,
        group=f"{infra.topics.prefix}notify-accounts",
        handler=notify.accounts.follow,
        retry=retry,
        description="Staff accounts from identity: verified email, name, language, roles, teams.",
    )

    async def digest_requested(events: Sequence[Event]) -> None:
        """A workspace's digest job: release its due digests now rather than at the next pass
        (idempotent, so a redelivered request sends nothing twice); never another
        workspace's."""
        for workspace in sorted({e.workspace for e in events}):
            await notify.digests.release_once(workspace=workspace)

    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=SCHEDULES,
        group=f"{infra.topics.prefix}notify",
        handler=digest_requested,
        wants=[DigestRequestedV1],
        retry=retry,
        description="digest.requested: release due digests at once.",
    )
