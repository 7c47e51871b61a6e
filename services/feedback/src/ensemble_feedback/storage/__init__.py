"""Feedback's repositories: every MongoDB call of this service lives in this package."""

from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_shared.storage import Index, outbox

INDEXES: dict[str, list[Index]] = {
    **SocialMentionRepository.INDEXES,
    **outbox.INDEXES,
    # --- indexes: members ---
    # --- indexes: submissions ---
    # --- indexes: moderation ---
    # --- indexes: field events ---
    # --- indexes: suggestions ---
}

__all__ = ["INDEXES", "SocialMentionRepository"]
