"""Scheduler's repositories: every MongoDB call of this service lives in this package."""

from ensemble_scheduler.storage.accounts import ChannelAccountRepository
from ensemble_scheduler.storage.approvals import ApprovalRepository
from ensemble_scheduler.storage.calendar import CalendarRepository
from ensemble_scheduler.storage.content import ContentRepository
from ensemble_scheduler.storage.crises import CrisisRepository
from ensemble_scheduler.storage.deadlines import DeadlineRepository
from ensemble_scheduler.storage.feeds import FeedLinkRepository
from ensemble_scheduler.storage.jobs import JobRepository
from ensemble_scheduler.storage.oauth import ConnectionRepository
from ensemble_scheduler.storage.open_steps import OpenStepRepository
from ensemble_scheduler.storage.policies import PolicyRepository
from ensemble_scheduler.storage.publishing import PublicationRepository
from ensemble_scheduler.storage.replies import ReplyTargetRepository
from ensemble_scheduler.storage.templates import AnswerTemplateRepository
from ensemble_scheduler.storage.timers import TimerRepository
from ensemble_shared.outbox import INDEXES as OUTBOX_INDEXES

INDEXES = {
    **ReplyTargetRepository.INDEXES,
    **ContentRepository.INDEXES,
    **ApprovalRepository.INDEXES,
    **OpenStepRepository.INDEXES,
    **PolicyRepository.INDEXES,
    **CalendarRepository.INDEXES,
    **FeedLinkRepository.INDEXES,
    **PublicationRepository.INDEXES,
    **ChannelAccountRepository.INDEXES,
    **ConnectionRepository.INDEXES,
    **CrisisRepository.INDEXES,
    **AnswerTemplateRepository.INDEXES,
    **TimerRepository.INDEXES,
    **DeadlineRepository.INDEXES,
    **JobRepository.INDEXES,
    **OUTBOX_INDEXES,
}

__all__ = [
    "INDEXES",
    "AnswerTemplateRepository",
    "ApprovalRepository",
    "CalendarRepository",
    "ChannelAccountRepository",
    "ConnectionRepository",
    "ContentRepository",
    "CrisisRepository",
    "DeadlineRepository",
    "FeedLinkRepository",
    "JobRepository",
    "OpenStepRepository",
    "PolicyRepository",
    "PublicationRepository",
    "ReplyTargetRepository",
    "TimerRepository",
]
