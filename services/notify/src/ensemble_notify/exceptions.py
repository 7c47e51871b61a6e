"""Notify's domain errors (mapped to HTTP once, in ensemble_shared.web)."""

from __future__ import annotations

from ensemble_shared.errors import EnsembleError, NotFound


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"no endpoint {endpoint_id!r}")


class LinkGone(EnsembleError):
    """An authentic link that no longer does anything (used, or replaced by a newer one):
    410, so the page it opens can say so."""
