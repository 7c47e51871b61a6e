"""Moderation: screening member text by trust level and filters, and the review queue.

Screening order: a blocked member is refused; strong spam is refused from anyone; a new member's
text waits in the queue; a trusted member's text is published unless profanity or weaker spam
signals send it to the queue.

A decision is recorded *before* its effect (release / discard): the unique decision key is the
lock that keeps two managers from approving and rejecting the same item at once. If the effect
fails the decision is taken back, so the manager can try again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Protocol

from ensemble_feedback.models.moderation import (
    Action,
    BlockResult,
    Decision,
    QueueItem,
    QueuePage,
)
from ensemble_feedback.services import filters
from ensemble_feedback.services.ports import (
    HeldContent,
    HeldItem,
    Screening,
    TrustLevel,
    Verdict,
)
from ensemble_shared.errors import Conflict, Invalid, NotFound
from ensemble_shared.events import utcnow

AUTO_TRUST_BY = "moderation:auto-trust"


class Members(Protocol):
    """What moderation needs of members: `MemberDirectory.trust` and the members service's
    `set_trust` (services/members.py implements both)."""

    async def trust(self, workspace: str, member_id: str) -> TrustLevel: ...

    async def set_trust(
        self,
        workspace: str,
        member_id: str,
        level: TrustLevel,
        by: str,
        *,
        reason: str | None = None,
    ) -> object: ...


class Queue(Protocol):
    """The repository calls moderation makes (storage/moderation.py; a fake in unit tests)."""

    async def enqueue(self, item: QueueItem) -> bool: ...

    async def item(self, workspace: str, item_id: str) -> QueueItem | None: ...

    async def decide(self, decision: Decision) -> Decision | None: ...

    async def undo(self, decision: Decision) -> None: ...

    async def decision(self, workspace: str, item_id: str) -> Decision | None: ...

    async def pending(
        self, workspace: str, *, limit: int, cursor: str | None, scan: int
    ) -> tuple[list[QueueItem], str | None]: ...

    async def pending_of(self, workspace: str, member_id: str, *, cap: int) -> list[QueueItem]: ...

    async def approvals(self, workspace: str, member_id: str) -> int: ...

    async def posted(
        self, workspace: str, member_id: str, fingerprint: str, buckets: list[int]
    ) -> bool: ...

    async def forget_postings(self, before: datetime) -> int: ...


class ModerationService:
    """The Moderator port for the board, and the queue API for managers."""

    def __init__(
        self,
        repository: Queue,
        members: Members | None = None,
        *,
        content: HeldContent | None = None,
        auto_trust_after: int = 0,
        duplicate_window_seconds: int = 600,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.repository = repository
        # Either may be set after construction, by whichever wiring block comes later.
        self.members = members
        self.content = content
        self.auto_trust_after = auto_trust_after
        self.duplicate_window_seconds = duplicate_window_seconds
        self._clock = clock

    # --- the Moderator port ---

    async def screen(self, workspace: str, member_id: str, text: str) -> Screening:
        level = await self._members().trust(workspace, member_id)
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
        await self.repository.enqueue(
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
        return await self.repository.posted(workspace, member_id, fingerprint, [bucket, bucket - 1])

    async def forget_old_fingerprints(self) -> int:
        """Fingerprints older than the two buckets a repeat is checked against are dead
        weight (FerretDB has no TTL indexes): a periodic job drops them."""
        bucket = int(self._clock().timestamp() // self.duplicate_window_seconds)
        oldest_kept = (bucket - 1) * self.duplicate_window_seconds
        return await self.repository.forget_postings(datetime.fromtimestamp(oldest_kept, UTC))

    # --- the queue, for managers ---

    async def pending(self, workspace: str, *, limit: int, cursor: str | None = None) -> QueuePage:
        try:
            items, next_cursor = await self.repository.pending(
                workspace, limit=limit, cursor=cursor, scan=max(500, limit * 5)
            )
        except ValueError as exc:
            raise Invalid(str(exc)) from exc
        return QueuePage(items=items, next_cursor=next_cursor)

    async def item(self, workspace: str, item_id: str) -> tuple[QueueItem, Decision | None]:
        found = await self.repository.item(workspace, item_id)
        if found is None:
            raise NotFound(f"no moderation item {item_id}")
        return found, await self.repository.decision(workspace, item_id)

    async def approve(self, workspace: str, item_id: str, by: str) -> Decision:
        item, _ = await self.item(workspace, item_id)
        content = self._content()
        decision = await self._decide(
            item,
            Action.APPROVED,
            None,
            by,
            lambda: content.release(workspace, item.kind, item.ref, by),
        )
        await self._maybe_trust(workspace, item.member_id)
        return decision

    async def reject(self, workspace: str, item_id: str, reason: str, by: str) -> Decision:
        item, _ = await self.item(workspace, item_id)
        content = self._content()
        return await self._decide(
            item,
            Action.REJECTED,
            reason,
            by,
            lambda: content.discard(workspace, item.kind, item.ref, reason, by),
        )

    async def block(self, workspace: str, member_id: str, reason: str, by: str) -> BlockResult:
        """Block the member (every later write refused) and reject what they have waiting."""
        await self._members().set_trust(workspace, member_id, TrustLevel.BLOCKED, by, reason=reason)
        content = self._content()
        because = f"member blocked: {reason}"
        discarded: list[str] = []
        for item in await self.repository.pending_of(workspace, member_id, cap=1_000):

            def discard(item: QueueItem = item) -> Awaitable[None]:
                return content.discard(workspace, item.kind, item.ref, because, by)

            try:
                await self._decide(item, Action.REJECTED, because, by, discard)
            except (Conflict, NotFound):
                continue  # decided meanwhile, or never stored
            discarded.append(item.id)
        return BlockResult(member_id=member_id, discarded=discarded)

    def _members(self) -> Members:
        if self.members is None:
            raise RuntimeError("moderation has no member directory wired")
        return self.members

    def _content(self) -> HeldContent:
        if self.content is None:
            raise RuntimeError("moderation has no HeldContent wired (the board's release/discard)")
        return self.content

    async def _decide(
        self,
        item: QueueItem,
        action: Action,
        reason: str | None,
        by: str,
        effect: Callable[[], Awaitable[None]],
    ) -> Decision:
        decision = Decision(
            item_id=item.id,
            workspace=item.workspace,
            kind=item.kind,
            ref=item.ref,
            member_id=item.member_id,
            action=action,
            reason=reason,
            by=by,
            at=self._clock(),
        )
        earlier = await self.repository.decide(decision)
        if earlier is not None:
            raise Conflict(
                f"moderation item {item.id} was already {earlier.action.value} "
                f"by {earlier.by} at {earlier.at.isoformat()}"
            )
        try:
            await effect()
        except NotFound as exc:
            # The content was never stored (its write failed after `enqueue`): nothing to
            # release or discard, so the item leaves the queue as dropped.
            await self.repository.undo(decision)
            dropped = decision.model_copy(update={"action": Action.DROPPED, "reason": str(exc)})
            await self.repository.decide(dropped)
            raise NotFound(f"{item.kind} {item.ref} is gone; dropped from the queue") from exc
        except BaseException:
            await self.repository.undo(decision)
            raise
        return decision

    async def _maybe_trust(self, workspace: str, member_id: str) -> None:
        """Promote a new member once enough of their held items were approved."""
        if self.auto_trust_after <= 0:
            return
        if await self.repository.approvals(workspace, member_id) < self.auto_trust_after:
            return
        if await self._members().trust(workspace, member_id) is TrustLevel.NEW:
            await self._members().set_trust(
                workspace,
                member_id,
                TrustLevel.TRUSTED,
                AUTO_TRUST_BY,
                reason=f"{self.auto_trust_after} held items approved",
            )
