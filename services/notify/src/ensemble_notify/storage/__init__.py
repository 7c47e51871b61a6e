"""Notify's repositories: every MongoDB call of this service lives in this package."""

from ensemble_notify.storage.attempts import AttemptLog
from ensemble_notify.storage.deliveries import DeliveryRepository
from ensemble_notify.storage.endpoints import EndpointRepository
from ensemble_notify.storage.inbox import InboxRepository
from ensemble_notify.storage.people import PeopleRepository
from ensemble_notify.storage.queue import DeliveryQueue
from ensemble_shared.storage import outbox

INDEXES = {
    **EndpointRepository.INDEXES,
    **DeliveryRepository.INDEXES,
    **DeliveryQueue.INDEXES,
    **AttemptLog.INDEXES,
    **InboxRepository.INDEXES,
    **PeopleRepository.INDEXES,
    **outbox.INDEXES,
}

__all__ = [
    "INDEXES",
    "AttemptLog",
    "DeliveryQueue",
    "DeliveryRepository",
    "EndpointRepository",
    "InboxRepository",
    "PeopleRepository",
]
