"""Ingest's repositories: every MongoDB call of this service lives in this package."""

from ensemble_ingest.storage.mentions import MentionRepository
from ensemble_ingest.storage.sources import SourceRepository

INDEXES = {**MentionRepository.INDEXES, **SourceRepository.INDEXES}

__all__ = ["INDEXES", "MentionRepository", "SourceRepository"]
