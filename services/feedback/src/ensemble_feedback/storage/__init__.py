"""Feedback's repositories: every MongoDB call of this service lives in this package."""

from ensemble_feedback.storage.activity import ActivityRepository
from ensemble_feedback.storage.comments import CommentRepository
from ensemble_feedback.storage.decisions import HeldDecisionRepository
from ensemble_feedback.storage.field_events import FieldEventRepository
from ensemble_feedback.storage.follows import FollowRepository
from ensemble_feedback.storage.handles import HandleRepository
from ensemble_feedback.storage.members import MemberRepository
from ensemble_feedback.storage.merge_log import MergeLogRepository
from ensemble_feedback.storage.moderation import ModerationRepository
from ensemble_feedback.storage.postings import PostingRepository
from ensemble_feedback.storage.social import SocialMentionRepository
from ensemble_feedback.storage.submissions import SubmissionRepository
from ensemble_feedback.storage.suggestions import SuggestionRepository
from ensemble_feedback.storage.votes import VoteRepository
from ensemble_feedback.storage.weights import WeightsRepository
from ensemble_shared import outbox
from ensemble_shared.storage import Index

INDEXES: dict[str, list[Index]] = {
    **outbox.INDEXES,
    **SocialMentionRepository.INDEXES,
    **MemberRepository.INDEXES,
    **HandleRepository.INDEXES,
    **MergeLogRepository.INDEXES,
    **WeightsRepository.INDEXES,
    **ActivityRepository.INDEXES,
    **SubmissionRepository.INDEXES,
    **VoteRepository.INDEXES,
    **CommentRepository.INDEXES,
    **FollowRepository.INDEXES,
    **HeldDecisionRepository.INDEXES,
    **ModerationRepository.INDEXES,
    **PostingRepository.INDEXES,
    **FieldEventRepository.INDEXES,
    **SuggestionRepository.INDEXES,
}

__all__ = ["INDEXES"]
