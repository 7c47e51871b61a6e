"""Feedback's subscribers: each its own consumer group, so they retry and lag independently."""

from __future__ import annotations

from ensemble_feedback.wiring import Services
from ensemble_shared.events import (
    AccountUpdatedV1,
    MemberMergedV1,
    MembershipChangedV1,
    MembershipRemovedV1,
    MemberUnmergedV1,
    MentionReceivedV1,
    MentionTriagedV1,
)
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import ACCOUNTS, MEMBERS, MENTIONS


def subscribe(infra: Infrastructure, services: Services) -> None:
    prefix = infra.topics.prefix
    retry = RetryPolicy.from_settings(infra.settings.kafka)
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{prefix}feedback",
        handler=services.social.record,
        wants=[MentionReceivedV1],
        retry=retry,
        description="Mentions are kept so their authors can be linked to members.",
    )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MEMBERS,
        group=f"{prefix}feedback-submissions",
        handler=services.board.votes.members_changed,
        wants=[MemberMergedV1, MemberUnmergedV1],
        retry=retry,
        description="Vote counts are recounted when members are merged or unmerged.",
    )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{prefix}feedback-suggestions",
        handler=services.suggestions.on_triaged,
        wants=[MentionTriagedV1],
        retry=retry,
        description="Mentions triaged as request/feedback become suggestions for the board.",
    )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=ACCOUNTS,
        group=f"{prefix}feedback-accounts",
        handler=services.accounts.follow,
        wants=[AccountUpdatedV1, MembershipChangedV1, MembershipRemovedV1],
        retry=retry,
        description="Member profiles follow identity: name, email, and leaving the workspace.",
    )
