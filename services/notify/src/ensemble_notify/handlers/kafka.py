"""Notify's subscribers: every stream whose events can reach a person or an endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from ensemble_notify.services.recipients import address_check
from ensemble_notify.wiring import Notify
from ensemble_shared.events import Event
from ensemble_shared.events.schedules import DigestRequestedV1
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
    async def digest_requested(events: Sequence[Event]) -> None:
        """A workspace's digest job: release its due digests now rather than at the next pass
        (idempotent, so a redelivered request sends nothing twice); never another
        workspace's."""
        for workspace in sorted({e.workspace for e in events}):
            await notify.digests.release_once(workspace=workspace)

    async def members_changed(events: Sequence[Event]) -> None:
        """The directory's copy of each member, then the confirmation link of a new address
        (sent at once, past quiet hours: the member waits for it; endpoints never hear of
        members, whose events carry their addresses)."""
        await notify.members.project(events)
        feedback_url = notify.settings.feedback_public_url
        checks = [n for e in events if (n := address_check(e, feedback_url)) is not None]
        if checks:
            await notify.deliveries.deliver(checks)

    deliveries = notify.deliveries.accept
    infra.subscribe(
        [
            *(
                ("notify", stream, deliveries, None, description)
                for stream, description in (
                    (
                        MENTIONS,
                        "Mentions to endpoints; assignments, spikes to people by routing rules.",
                    ),
                    (
                        APPROVALS,
                        "Approval events to endpoints; steps, reminders, escalations to approvers.",
                    ),
                    (
                        SUBMISSIONS,
                        "Submission changes to endpoints and to the members who follow them.",
                    ),
                    (
                        FIELD_EVENTS,
                        "Field-event RSVPs and follow-up invitations to endpoints and members.",
                    ),
                    (INSIGHTS, "Weekly reports to the people, teams and roles each one names."),
                )
            ),
            (
                "notify-members",
                MEMBERS,
                members_changed,
                None,
                "Members' addresses, languages and consents, for recipient resolution; "
                "a new address's confirmation link.",
            ),
            (
                "notify-accounts",
                ACCOUNTS,
                notify.accounts.follow,
                None,
                "Staff accounts from identity: verified email, name, language, roles, teams.",
            ),
            (
                "notify",
                SCHEDULES,
                digest_requested,
                [DigestRequestedV1],
                "digest.requested: release due digests at once.",
            ),
        ]
    )
