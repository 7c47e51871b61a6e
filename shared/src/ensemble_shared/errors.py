"""Domain errors every service raises; the web layer maps each class to one HTTP status."""

from __future__ import annotations


class EnsembleError(Exception):
    """Base of the errors a caller can act on; the message is shown to them."""


class NotFound(EnsembleError):
    """No such object in the caller's workspace (another workspace's id is not found either)."""


class Gone(EnsembleError):
    """It existed and was erased on purpose (a member's data after a GDPR erasure): 410."""


class Unauthenticated(EnsembleError):
    """No valid credentials: token, webhook signature."""


class Forbidden(EnsembleError):
    """Authenticated, but this principal may not do this."""


class Conflict(EnsembleError):
    """The request contradicts the current state."""


class Invalid(EnsembleError):
    """The request is well-formed but its content is not acceptable."""


class TooManyRequests(EnsembleError):
    """A rate limit refused the request; `retry_after` seconds until it would pass (429)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(EnsembleError):
    """Something this request needs is out of reach for now (503, Retry-After)."""
