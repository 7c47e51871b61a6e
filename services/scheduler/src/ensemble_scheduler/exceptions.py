"""Scheduler's own domain errors (the shared ones cover the rest)."""

from __future__ import annotations

from ensemble_shared.errors import EnsembleError


class Gone(EnsembleError):
    """The thing existed but is spent for good: a used, expired or superseded approval link."""
