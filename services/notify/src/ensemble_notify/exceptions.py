"""Notify's domain errors (mapped to HTTP once, in ensemble_shared.web)."""

from __future__ import annotations

from ensemble_shared.errors import NotFound


class EndpointNotFound(NotFound):
    def __init__(self, endpoint_id: str) -> None:
        super().__init__(f"no endpoint {endpoint_id!r}")
