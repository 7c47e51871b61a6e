"""Scheduler's own domain errors (the shared ones cover the rest)."""

from __future__ import annotations

from typing import Literal

from ensemble_shared.errors import EnsembleError

GoneReason = Literal["expired", "used", "superseded", "revoked"]


class Gone(EnsembleError):
    """The thing existed but is spent for good: a used, expired or superseded approval link
    (`reason` says which, so the console's page can say it in the person's language)."""

    def __init__(self, message: str, *, reason: GoneReason) -> None:
        super().__init__(message)
        self.reason = reason
