"""Feedback's subscribers."""

from __future__ import annotations

from ensemble_feedback.services.social import SocialMentionService
from ensemble_feedback.services.suggestions import SuggestionService
from ensemble_shared.events import MentionReceivedV1, MentionTriagedV1
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


def register_suggestions(infra: Infrastructure, suggestions: SuggestionService) -> None:
    """Its own group: suggestions and the mentions projection retry and lag independently."""
    subscribe_reliably(
        infra.broker,
        topics=infra.topics,
        stream=MENTIONS,
        group=f"{infra.topics.prefix}feedback-suggestions",
        handler=suggestions.on_triaged,
        wants=[MentionTriagedV1],
        retry=RetryPolicy.from_settings(infra.settings.kafka),
        description="Mentions triaged as request/feedback become suggestions for the board.",
    )
