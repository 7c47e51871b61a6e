"""Scheduler's subscribers."""

from __future__ import annotations

from faststream.kafka import KafkaBroker

from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_shared.events import MentionReceivedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.topics import MENTIONS, Topics


def register(
    broker: KafkaBroker, topics: Topics, targets: ReplyTargetService, retry: RetryPolicy
) -> None:
    subscribe_reliably(
        broker,
        topics=topics,
        stream=MENTIONS,
        group=f"{topics.prefix}scheduler",
        handler=targets.record,
        wants=[MentionReceivedV1],
        retry=retry,
        description="Mentions become reply targets for replies drafted later.",
    )
