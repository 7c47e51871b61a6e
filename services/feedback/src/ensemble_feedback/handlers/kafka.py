"""Feedback's subscribers."""

from __future__ import annotations

from ensemble_feedback.services.social import SocialMentionService
from ensemble_shared.events import MentionReceivedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import MENTIONS


def register(infra: Infrastructure, social: SocialMentionService) -> None:
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{infra.topics.prefix}feedback",
        handler=social.record,
        wants=[MentionReceivedV1],
        retry=RetryPolicy.from_settings(infra.settings.kafka),
        description="Mentions are kept so their authors can be linked to members.",
    )
