"""The moderation queue, for managers: what waits, approving, rejecting, blocking a member.

A decision is recorded *before* its effect (release / discard): the unique decision key is the
lock that keeps two managers from approving and rejecting the same item at once. If the effect
fails the decision is taken back, so the manager can try again.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol

from ensemble_feedback.models.members import TrustLevel
from ensemble_feedback.models.moderation import (
    Action,
    BlockResult,
    Decision,
    Outcome,
    QueueItem,
    QueuePage,
)
from ensemble_feedback.services.ports import HeldContent, TrustLevels
from ensemble_shared.auth import Principal
from ensemble_shared.errors import Conflict, NotFound
from ensemble_shared.events import utcnow
from ensemble_shared.storage.pagination import Position, encode_cursor, parse_cursor

AUTO_TRUST_BY = "moderation:auto-trust"


class Queue(Protocol):
    """The repository calls review makes (storage/moderation.py; a fake in unit tests)."""

    async def item(self, workspace: str, item_id: str) -> QueueItem | None: ...

    async def decide(self, decision: Decision) -> Decision | None: ...

    async def undo(self, decision: Decision) -> None: ...

    async def decision(self, workspace: str, item_id: str) -> Decision | None: ...

    async def pending(
        self, workspace: str, *, limit: int, after: Position | None, scan: int
    ) -> tuple[list[QueueItem], Position | None]: ...

    async def pending_of(self, workspace: str, member_id: str, *, cap: int) -> list[QueueItem]: ...

    async def approvals(self, workspace: str, member_id: str) -> int: ...


class ModerationService:
    def __init__(
        self,
        queue: Queue,
        members: TrustLevels,
        content: HeldContent,
        *,
        auto_trust_after: int = 0,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._queue = queue
        self._members = members
        self._content = content
        self.auto_trust_after = auto_trust_after
        self._clock = clock

    async def pending(self, workspace: str, *, limit: int, cursor: str | None = None) -> QueuePage:
        items, after = await self._queue.pending(
            workspace, limit=limit, after=parse_cursor(cursor), scan=max(500, limit * 5)
        )
        return QueuePage(items=items, next_cursor=encode_cursor(*after) if after else None)

    async def item(self, workspace: str, item_id: str) -> tuple[QueueItem, Decision | None]:
        found = await self._queue.item(workspace, item_id)
        if found is None:
            raise NotFound(f"no moderation item {item_id}")
        return found, await self._queue.decision(workspace, item_id)

    async def outcome(self, principal: Principal, kind: str, ref: str) -> Outcome:
        """The author's own view: NotFound for anyone else's item (no enumeration)."""
        found = await self._queue.item(principal.workspace, QueueItem.id_for(kind, ref))
        if found is None:
            return Outcome(ref=ref, state="published")
        if found.member_id != principal.subject:
            raise NotFound(f"no moderation item for {ref}")
        decision = await self._queue.decision(principal.workspace, found.id)
        if decision is None:
            return Outcome(ref=ref, state="held")
        if decision.action is Action.REJECTED:
            return Outcome(ref=ref, state="rejected", reason=decision.reason)
        return Outcome(ref=ref, state="approved")

    async def approve(self, principal: Principal, item_id: str) -> Decision:
        workspace, by = principal.workspace, principal.subject
        item, _ = await self.item(workspace, item_id)
        decision = await self._decide(
            item,
            Action.APPROVED,
            None,
            by,
            lambda: self._content.release(workspace, item.kind, item.ref, by),
        )
        await self._maybe_trust(workspace, item.member_id)
        return decision

    async def reject(self, principal: Principal, item_id: str, reason: str) -> Decision:
        workspace, by = principal.workspace, principal.subject
        item, _ = await self.item(workspace, item_id)
        return await self._decide(
            item,
            Action.REJECTED,
            reason,
            by,
            lambda: self._content.discard(workspace, item.kind, item.ref, reason, by),
        )

    async def block(self, principal: Principal, member_id: str, reason: str) -> BlockResult:
        """Block the member (every later write refused) and reject what they have waiting."""
        workspace, by = principal.workspace, principal.subject
        await self._members.set_trust(workspace, member_id, TrustLevel.BLOCKED, by, reason=reason)
        because = f"member blocked: {reason}"
        discarded: list[str] = []
        for item in await self._queue.pending_of(workspace, member_id, cap=1_000):

            def discard(item: QueueItem = item) -> Awaitable[None]:
                return self._content.discard(workspace, item.kind, item.ref, because, by)

            try:
                await self._decide(item, Action.REJECTED, because, by, discard)
            except (Conflict, NotFound):
                continue  # decided meanwhile, or never stored
            discarded.append(item.id)
        return BlockResult(member_id=member_id, discarded=discarded)

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
        earlier = await self._queue.decide(decision)
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
            await self._queue.undo(decision)
            dropped = decision.model_copy(update={"action": Action.DROPPED, "reason": str(exc)})
            await self._queue.decide(dropped)
            raise NotFound(f"{item.kind} {item.ref} is gone; dropped from the queue") from exc
        except BaseException:
            await self._queue.undo(decision)
            raise
        return decision

    async def _maybe_trust(self, workspace: str, member_id: str) -> None:
        """Promote a new member once enough of their held items were approved."""
        if self.auto_trust_after <= 0:
            return
        if await self._queue.approvals(workspace, member_id) < self.auto_trust_after:
            return
        if await self._members.trust(workspace, member_id) is TrustLevel.NEW:
            await self._members.set_trust(
                workspace,
                member_id,
                TrustLevel.TRUSTED,
                AUTO_TRUST_BY,
                reason=f"{self.auto_trust_after} held items approved",
            )
