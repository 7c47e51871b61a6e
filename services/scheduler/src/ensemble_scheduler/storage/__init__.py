"""Scheduler's repositories: every MongoDB call of this service lives in this package."""

from ensemble_scheduler.storage.replies import ReplyTargetRepository

INDEXES = {**ReplyTargetRepository.INDEXES}

__all__ = ["INDEXES", "ReplyTargetRepository"]
