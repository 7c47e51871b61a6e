"""Scheduler's subscribers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from ensemble_scheduler.services.replies import ReplyTargetService
from ensemble_shared.events import (
    Event,
    MentionReceivedV1,
    MentionSpikeDetectedV1,
    MentionTriagedV1,
    SubmissionStatusChangedV1,
)
from ensemble_shared.kafka import RetryPolicy, subscribe_reliably
from ensemble_shared.runtime import Infrastructure
from ensemble_shared.topics import MENTIONS, SUBMISSIONS


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


def register_publishing(
    infra: Infrastructure,
    *,
    on_mentions: Callable[[Sequence[Event]], Awaitable[None]],
    on_submissions: Callable[[Sequence[Event]], Awaitable[None]],
) -> None:
    """Crisis mode (negative spikes hold posts) and answers where it was asked (roadmap moves
    of ideas that came from a mention). Own groups: each reads its stream at its own pace."""
    retry = RetryPolicy.from_settings(infra.settings.kafka)
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{infra.topics.prefix}scheduler-crisis",
        handler=on_mentions,
        wants=[MentionSpikeDetectedV1],
        retry=retry,
        description="Negative mention spikes hold upcoming posts (crisis mode).",
    )
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=SUBMISSIONS,
        group=f"{infra.topics.prefix}scheduler-answers",
        handler=on_submissions,
        wants=[SubmissionStatusChangedV1],
        retry=retry,
        description="Roadmap moves of ideas from a mention draft a reply on the original post.",
    )
