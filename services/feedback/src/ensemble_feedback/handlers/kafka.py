"""Feedback's subscribers."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from ensemble_feedback.services.social import SocialMentionService
from ensemble_shared.events import MentionReceivedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.topics import MENTIONS, Topics


def register(
    broker: KafkaBroker, topics: Topics, social: SocialMentionService, retry: RetryPolicy
) -> None:
    subscribe_reliably(
        broker,
        topics=topics,
        stream=MENTIONS,
        group=f"{topics.prefix}feedback",
        handler=social.record,
        wants=[MentionReceivedV1],
        retry=retry,
        description="Mentions are kept so their authors can be linked to members.",
    )
