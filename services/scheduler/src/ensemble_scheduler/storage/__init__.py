"""Scheduler's repositories: every MongoDB call of this service lives in this package."""

from ensemble_scheduler.storage.approvals import ApprovalRepository
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_scheduler.storage.replies import ReplyTargetRepository
from ensemble_shared.storage.outbox import INDEXES as OUTBOX_INDEXES

INDEXES = {
    **ReplyTargetRepository.INDEXES,
    **ContentRepository.INDEXES,
    **ApprovalRepository.INDEXES,
    **PolicyRepository.INDEXES,
    **OUTBOX_INDEXES,
}

__all__ = [
    "INDEXES",
    "ApprovalRepository",
    "ContentRepository",
    "PolicyRepository",
    "ReplyTargetRepository",
]
