"""Notify's repositories: every MongoDB call of this service lives in this package."""

from ensemble_notify.storage.attempts import AttemptLog
from ensemble_notify.storage.deliveries import DeliveryRepository
from ensemble_notify.storage.endpoints import EndpointRepository

INDEXES = {**EndpointRepository.INDEXES, **DeliveryRepository.INDEXES, **AttemptLog.INDEXES}

__all__ = ["INDEXES", "AttemptLog", "DeliveryRepository", "EndpointRepository"]
