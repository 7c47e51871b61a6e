"""Moderation: the verdict on a member's text, held items, the one decision each gets, and the
API's shapes."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ensemble_shared.errors import Forbidden, Invalid


class Verdict(StrEnum):
    PUBLISH = "publish"
    HOLD = "hold"  # into the moderation queue
    REJECT = "reject"  # spam, or the member is blocked


class Screening(BaseModel):
    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    reasons: tuple[str, ...] = ()

    def refuse_if_rejected(self) -> None:
        """Forbidden (403) when the writer is blocked, Invalid (422) for other refusals."""
        if self.verdict != Verdict.REJECT:
            return
        reasons = "; ".join(self.reasons) or "refused by moderation"
        if any("block" in r for r in self.reasons):
            raise Forbidden(reasons)
        raise Invalid(reasons)


HeldKind = Literal["submission", "comment"]


class HeldItem(BaseModel):
    """A member's text held for review; the board knows its id before storing it."""

    model_config = ConfigDict(frozen=True)

    workspace: str
    kind: HeldKind
    ref: str  # submission id or comment id
    member_id: str
    text: str
    reasons: tuple[str, ...] = ()


class Action(StrEnum):
    APPROVED = "approved"  # released: published as if it had passed at once
    REJECTED = "rejected"  # discarded with a reason
    DROPPED = "dropped"  # its content was never stored (the write after `enqueue` failed)


class QueueItem(BaseModel):
    """Held content waiting for a manager; `id` is natural (kind:ref), one per held object."""

    model_config = ConfigDict(frozen=True)

    id: str
    workspace: str
    kind: HeldKind
    ref: str
    member_id: str
    text: str
    reasons: tuple[str, ...] = ()
    queued_at: datetime

    @staticmethod
    def id_for(kind: str, ref: str) -> str:
        return f"{kind}:{ref}"


class Decision(BaseModel):
    """What a manager decided about one queue item; written once (its id is the item's)."""

    model_config = ConfigDict(frozen=True)

    item_id: str
    workspace: str
    kind: HeldKind
    ref: str
    member_id: str
    action: Action
    reason: str | None = None
    by: str
    at: datetime


class QueuePage(BaseModel):
    items: list[QueueItem]
    next_cursor: str | None = Field(
        default=None, description="Pass as `cursor` for the next page; absent on the last one."
    )


class RejectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class BlockRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=500)


class BlockResult(BaseModel):
    member_id: str
    discarded: list[str] = Field(description="Queue items of the member rejected by the block.")


class Outcome(BaseModel):
    """What moderation did with a member's own text, as its author reads it: `held` (waits
    for a moderator), `rejected` (with the moderator's reason), `approved` or `published` (never
    held). Filter verdicts are not shown: they would teach a spammer what to avoid."""

    ref: str
    state: Literal["held", "rejected", "approved", "published"]
    reason: str | None = None
