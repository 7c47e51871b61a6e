"""Screening member text before it is published, by trust level and filters.

Order: a blocked member is refused; strong spam is refused from anyone; a new member's text
waits in the moderation queue; a trusted member's text is published unless profanity or weaker
spam signals (the same text twice within the duplicate window among them) send it to the queue.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import (
    HeldItem,
    HeldKind,
    QueueItem,
    Screening,
    Verdict,
)
from ensemble_feedback.services import filters
from ensemble_feedback.services.ports import Moderator, TrustLevels
from ensemble_shared.events import utcnow


class Queue(Protocol):
    """Where held items wait (storage/moderation.py; a fake in unit tests)."""

    async def enqueue(self, item: QueueItem) -> bool: ...


class Postings(Protocol):
    """Who posted what lately (storage/postings.py; a fake in unit tests)."""

    async def posted(
        self, workspace: str, member_id: str, fingerprint: str, buckets: list[int]
    ) -> bool: ...

    async def forget_postings(self, before: datetime) -> int: ...


class Screener:
    """The `Moderator` the board writes through."""

    def __init__(
        self,
        queue: Queue,
        postings: Postings,
        members: TrustLevels,
        *,
        duplicate_window_seconds: int = 600,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._queue = queue
        self._postings = postings
        self._members = members
        self.duplicate_window_seconds = duplicate_window_seconds
        self._clock = clock

    async def screen(self, workspace: str, member_id: str, text: str) -> Screening:
        level = await self._members.trust(workspace, member_id)
        if level is TrustLevel.BLOCKED:
            return Screening(verdict=Verdict.REJECT, reasons=("member_blocked",))
        duplicate = await self._posted_before(workspace, member_id, text)
        spam = filters.spam_reasons(filters.spam_signals(text), duplicate=duplicate)
        score = filters.spam_score(spam)
        if score >= filters.REJECT_SCORE:
            return Screening(verdict=Verdict.REJECT, reasons=("spam", *spam))
        reasons = (*spam, *(f"profanity:{word}" for word in filters.profanity(text)))
        if level is TrustLevel.NEW:
            return Screening(verdict=Verdict.HOLD, reasons=("new_member", *reasons))
        if score >= filters.HOLD_SCORE or any(r.startswith("profanity:") for r in reasons):
            return Screening(verdict=Verdict.HOLD, reasons=reasons)
        return Screening(verdict=Verdict.PUBLISH, reasons=reasons)

    async def enqueue(self, item: HeldItem) -> None:
        await self._queue.enqueue(
            QueueItem(
                id=QueueItem.id_for(item.kind, item.ref),
                workspace=item.workspace,
                kind=item.kind,
                ref=item.ref,
                member_id=item.member_id,
                text=item.text,
                reasons=item.reasons,
                queued_at=self._clock(),
            )
        )

    async def _posted_before(self, workspace: str, member_id: str, text: str) -> bool:
        # Two buckets of the window's length: a repeat is seen for between one and two windows.
        bucket = int(self._clock().timestamp() // self.duplicate_window_seconds)
        fingerprint = filters.fingerprint(text)
        return await self._postings.posted(workspace, member_id, fingerprint, [bucket, bucket - 1])

    async def forget_old_fingerprints(self) -> int:
        """Fingerprints older than the two buckets a repeat is checked against are dead
        weight (FerretDB has no TTL indexes): a periodic job drops them."""
        bucket = int(self._clock().timestamp() // self.duplicate_window_seconds)
        oldest_kept = (bucket - 1) * self.duplicate_window_seconds
        return await self._postings.forget_postings(datetime.fromtimestamp(oldest_kept, UTC))


async def admit(
    moderator: Moderator, workspace: str, member_id: str, kind: HeldKind, ref: str, text: str
) -> bool:
    """Screen a member's write about to be stored as `ref`: refused (403/422), held (queued
    first, False) or published at once (True)."""
    screening = await moderator.screen(workspace, member_id, text)
    screening.refuse_if_rejected()
    if screening.verdict == Verdict.PUBLISH:
        return True
    await moderator.enqueue(
        HeldItem(
            workspace=workspace,
            kind=kind,
            ref=ref,
            member_id=member_id,
            text=text,
            reasons=screening.reasons,
        )
    )
    return False


if TYPE_CHECKING:  # mypy proves the screener is the moderator the board codes against
    _moderator: type[Moderator] = Screener
