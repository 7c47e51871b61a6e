"""Identity's domain errors beyond the shared ones (mapped to HTTP in `handlers.errors`)."""

from __future__ import annotations

from typing import Literal

from ensemble_shared.errors import EnsembleError


class Gone(EnsembleError):
    """A link that worked once: used, revoked or expired (410, with which one in `reason`)."""

    def __init__(self, message: str, *, reason: Literal["used", "revoked", "expired"]) -> None:
        super().__init__(message)
        self.reason = reason


class OAuthError(EnsembleError):
    """An RFC 6749 §5.2 error of the token endpoint: its own JSON shape, not ours."""

    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.status = status


class Unavailable(EnsembleError):
    """Something identity depends on (an identity provider) did not answer (502)."""
