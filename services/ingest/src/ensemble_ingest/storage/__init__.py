"""Ingest's repositories: every MongoDB call of this service lives in this package."""

from ensemble_ingest.storage.mentions import MentionRepository
from ensemble_ingest.storage.raw import RawArchive
from ensemble_ingest.storage.sources import SourceRepository
from ensemble_ingest.storage.spikes import SpikeStore
from ensemble_ingest.storage.views import ViewRepository
from ensemble_shared import outbox

INDEXES = {
    **MentionRepository.INDEXES,
    **SourceRepository.INDEXES,
    **RawArchive.INDEXES,
    **SpikeStore.INDEXES,
    **ViewRepository.INDEXES,
    **outbox.INDEXES,
}

__all__ = [
    "INDEXES",
    "MentionRepository",
    "RawArchive",
    "SourceRepository",
    "SpikeStore",
    "ViewRepository",
]
