"""Notify's subscribers: every stream whose events can reach a person or an endpoint."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from ensemble_notify.services.deliveries import DeliveryService
from ensemble_notify.services.members import MemberDirectory
from ensemble_shared.events import Event
from ensemble_shared.events.schedules import DigestRequestedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import (
    APPROVALS,
    FIELD_EVENTS,
    MEMBERS,
    MENTIONS,
    SCHEDULES,
    SUBMISSIONS,
)


def register(
    infra: Infrastructure,
    deliveries: DeliveryService,
    *,
    members: MemberDirectory | None = None,
    digests_due: Callable[[], Awaitable[object]] | None = None,
) -> None:
    retry = RetryPolicy.from_settings(infra.settings.kafka)
    for stream, description in (
        (MENTIONS, "Mentions to endpoints; assignments, spikes to people by routing rules."),
        (APPROVALS, "Approval events to endpoints; steps, reminders, escalations to approvers."),
        (SUBMISSIONS, "Submission changes to endpoints and to the members who follow them."),
        (FIELD_EVENTS, "Field-event RSVPs and follow-up invitations to endpoints and members."),
    ):
        subscribe_reliably(
            infra.broker,
            topics=infra.topics,
            stream=stream,
            group=f"{infra.topics.prefix}notify",
            handler=deliveries.accept,
            retry=retry,
            description=description,
        )
    # --- routing, preferences, digests ---
    if members is not None:
        subscribe_reliably(
            infra.broker,
            topics=infra.topics,
            stream=MEMBERS,
            group=f"{infra.topics.prefix}notify-members",
            handler=members.project,
            retry=retry,
            description="Members' addresses, languages and consents, projected for routing.",
        )
    if digests_due is not None:
        release = digests_due

        async def digest_requested(events: Sequence[Event]) -> None:
            """scheduler's digest job: release what is due now rather than at the next pass
            (idempotent, so a redelivered request sends nothing twice)."""
            await release()

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
