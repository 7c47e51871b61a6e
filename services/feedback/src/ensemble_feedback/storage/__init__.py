"""Feedback's repositories: every MongoDB call of this service lives in this package."""

from ensemble_feedback.storage.activity import ActivityRepository
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_feedback.storage.members import (
    HandleRepository,
    MemberRepository,
    MergeLogRepository,
    SettingsRepository,
)
from ensemble_feedback.storage.moderation import ModerationRepository
from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_feedback.storage.submissions import (
    CommentRepository,
    FollowRepository,
    SubmissionRepository,
    VoteRepository,
)
from ensemble_feedback.storage.suggestions import SuggestionRepository
from ensemble_shared import outbox
from ensemble_shared.storage import Index

INDEXES: dict[str, list[Index]] = {
    **SocialMentionRepository.INDEXES,
    **outbox.INDEXES,
    # --- indexes: members ---
    **MemberRepository.INDEXES,
    **HandleRepository.INDEXES,
    **MergeLogRepository.INDEXES,
    **SettingsRepository.INDEXES,
    **ActivityRepository.INDEXES,
    # --- indexes: submissions ---
    **SubmissionRepository.INDEXES,
    **VoteRepository.INDEXES,
    **CommentRepository.INDEXES,
    **FollowRepository.INDEXES,
    # --- indexes: moderation ---
    **ModerationRepository.INDEXES,
    # --- indexes: field events ---
    **FieldEventRepository.INDEXES,
    # --- indexes: suggestions ---
    **SuggestionRepository.INDEXES,
}

__all__ = ["INDEXES", "SocialMentionRepository"]
