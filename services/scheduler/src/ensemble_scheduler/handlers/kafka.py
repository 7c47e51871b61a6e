"""Scheduler's subscribers."""

from __future__ import annotations

from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_shared.events import MentionReceivedV1, MentionTriagedV1
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import MENTIONS


def register(infra: Infrastructure, targets: ReplyTargetService) -> None:
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{infra.topics.prefix}scheduler",
        handler=targets.record,
        wants=[MentionReceivedV1, MentionTriagedV1],
        retry=RetryPolicy.from_settings(infra.settings.kafka),
        description="Mentions become reply targets; their triage routes replies for approval.",
    )
