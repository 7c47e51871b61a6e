"""Notify's repositories: every MongoDB call of this service lives in this package."""

from ensemble_notify.storage.address_changes import AddressChangeLog
from ensemble_notify.storage.attempts import AttemptLog
from ensemble_notify.storage.breaker import BreakerLog
from ensemble_notify.storage.deliveries import DeliveryRepository
from ensemble_notify.storage.digests import HeldRepository
from ensemble_notify.storage.endpoints import EndpointRepository
from ensemble_notify.storage.inbox import InboxRepository
from ensemble_notify.storage.member_erasure import ErasedMembers
from ensemble_notify.storage.members import MemberRepository
from ensemble_notify.storage.people import PeopleRepository
from ensemble_notify.storage.preferences import PreferenceRepository
from ensemble_notify.storage.queue import DeliveryQueue
from ensemble_notify.storage.replay import ReplayRepository
from ensemble_notify.storage.routing_rules import RoutingRuleRepository
from ensemble_notify.storage.spent_tickets import SpentTickets
from ensemble_notify.storage.teams import TeamRepository
from ensemble_shared import outbox

INDEXES = {
    **AddressChangeLog.INDEXES,
    **EndpointRepository.INDEXES,
    **DeliveryRepository.INDEXES,
    **DeliveryQueue.INDEXES,
    **AttemptLog.INDEXES,
    **InboxRepository.INDEXES,
    **PeopleRepository.INDEXES,
    **BreakerLog.INDEXES,
    **ReplayRepository.INDEXES,
    **TeamRepository.INDEXES,
    **MemberRepository.INDEXES,
    **ErasedMembers.INDEXES,
    **RoutingRuleRepository.INDEXES,
    **PreferenceRepository.INDEXES,
    **HeldRepository.INDEXES,
    **SpentTickets.INDEXES,
    **outbox.INDEXES,
}

__all__ = [
    "INDEXES",
    "AddressChangeLog",
    "AttemptLog",
    "BreakerLog",
    "DeliveryQueue",
    "DeliveryRepository",
    "EndpointRepository",
    "HeldRepository",
    "InboxRepository",
    "MemberRepository",
    "PeopleRepository",
    "PreferenceRepository",
    "ReplayRepository",
    "RoutingRuleRepository",
    "SpentTickets",
    "TeamRepository",
]
