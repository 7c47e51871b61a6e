"""Scheduler's own domain errors (the shared ones cover the rest)."""

from __future__ import annotations

from typing import Literal

from ensemble_shared.errors import EnsembleError, Forbidden

GoneReason = Literal["expired", "used", "superseded", "revoked"]


class Gone(EnsembleError):
    """The thing existed but is spent for good: a used, expired or superseded approval link
    (`reason` says which, so the console's page can say it in the person's language)."""

    def __init__(self, message: str, *, reason: GoneReason) -> None:
        super().__init__(message)
        self.reason = reason


SELF_APPROVAL = (
    "you requested this approval, and its policy does not let the requester approve "
    "(allow_self_approval is off): another approver of the step decides"
)


class SelfApproval(Forbidden):
    """The requester tried to approve their own request under a policy that does not allow it
    (403 with reason `self_approval`)."""

    reason = "self_approval"

    def __init__(self) -> None:
        super().__init__(SELF_APPROVAL)
