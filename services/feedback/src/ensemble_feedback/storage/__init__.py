"""Feedback's repositories: every MongoDB call of this service lives in this package."""

from ensemble_feedback.storage.social import SocialMentionRepository

INDEXES = {**SocialMentionRepository.INDEXES}

__all__ = ["INDEXES", "SocialMentionRepository"]
